/* sim_explore_yaml.c — a plan as a plain scenario file (scenario-format): every config key
 * written out (so that a changed default never changes what a materialised failure replays),
 * explicit broker lists and topic assignments, the injections, run_until quiescent with the
 * heal bound as max_time, every timeline entry, and `expect: - violation: NAME`. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "sim_duration.h"
#include "sim_explore_int.h"

/* Names are [A-Za-z0-9._-]; one that does not start with a letter could read as a number or
 * a sequence item to a person, so it is quoted. */
static void put_name(FILE *f, const char *s)
{
	bool letter = (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z');
	fprintf(f, letter ? "%s" : "\"%s\"", s);
}

static void put_dur(FILE *f, uint64_t us)
{
	char b[32];
	fputs(sim_duration_format(us, b, sizeof b), f);
}

static void put_ids(FILE *f, const int32_t *v, uint32_t n)
{
	fputc('[', f);
	for (uint32_t i = 0; i < n; i++)
		fprintf(f, "%s%" PRId32, i ? ", " : "", v[i]);
	fputc(']', f);
}

static void put_pref(FILE *f, const struct sim_xplan *p, struct sim_pref x)
{
	char buf[SIM_MAX_NAME + 24], name[64];
	snprintf(buf, sizeof buf, "%s-%" PRIu32, sim_xplan_topic_name(p, x.topic, name, sizeof name), x.partition);
	put_name(f, buf);
}

static void put_prefs(FILE *f, const struct sim_xplan *p, struct sim_span s)
{
	fputc('[', f);
	for (uint32_t i = 0; i < s.n; i++) {
		fputs(i ? ", " : "", f);
		put_pref(f, p, p->prefs[s.off + i]);
	}
	fputc(']', f);
}

/* {FIRST: [..], FIRST+1: [..]} for rows of rf replicas at ints[off]; one row per line (at
 * indent) when there are many. */
static void put_rows(FILE *f, const struct sim_xplan *p, uint32_t first, uint32_t rows, uint32_t rf,
		     uint32_t off, int indent)
{
	bool block = rows > 4 && indent > 0;
	if (!block)
		fputc('{', f);
	for (uint32_t r = 0; r < rows; r++) {
		if (block)
			fprintf(f, "\n%*s", indent, "");
		else if (r)
			fputs(", ", f);
		fprintf(f, "%" PRIu32 ": ", first + r);
		put_ids(f, p->ints + off + r * rf, rf);
	}
	if (!block)
		fputc('}', f);
}

static void put_spec(FILE *f, const struct sim_xplan *p, const struct sim_topic_spec *s, bool create)
{
	char name[64];
	fputs(create ? "{name: " : "{topic: ", f);
	put_name(f, sim_xplan_topic_name(p, s->topic, name, sizeof name));
	if (create && s->explicit_assignment) {
		fputs(", assignment: ", f);
		put_rows(f, p, 0, s->partitions, s->replication_factor, s->assignment, 0);
	} else if (create) {
		fprintf(f, ", partitions: %" PRIu32 ", replication_factor: %" PRIu32, s->partitions,
			s->replication_factor);
	} else {
		fprintf(f, ", partitions: %" PRIu32, s->partitions);
		if (s->explicit_assignment) {
			fputs(", assignment: ", f);
			put_rows(f, p, s->first_partition, s->n_assigned, s->replication_factor, s->assignment, 0);
		}
	}
	if (create && s->unclean_leader_election >= 0)
		fprintf(f, ", unclean_leader_election: %s", s->unclean_leader_election ? "true" : "false");
	fputc('}', f);
}

static const char *const isolate_from[] = {"zookeeper", "controller", "brokers", "all"};

static void put_entry(FILE *f, const struct sim_xplan *p, const struct sim_timeline_entry *e)
{
	char name[64];
	fputs("  - {at: ", f);
	put_dur(f, e->at_us);
	fprintf(f, ", %s: ", sim_action_name(e->action));
	switch (e->action) {
	case SIM_ACT_CRASH:
	case SIM_ACT_RESTART:
	case SIM_ACT_ADD_BROKER:
		put_ids(f, p->ints + e->u.brokers.off, e->u.brokers.n);
		break;
	case SIM_ACT_SHUTDOWN:
	case SIM_ACT_EXPIRE_SESSION:
		fprintf(f, "%" PRId32, e->u.broker);
		break;
	case SIM_ACT_CONTROLLER_FAILOVER:
		fputs("true", f);
		break;
	case SIM_ACT_PAUSE:
		fprintf(f, "{broker: %" PRId32 ", for: ", e->u.pause.broker);
		put_dur(f, e->u.pause.for_us);
		fputc('}', f);
		break;
	case SIM_ACT_ISOLATE:
		fprintf(f, "{broker: %" PRId32 ", from: %s, for: ", e->u.isolate.broker, isolate_from[e->u.isolate.from]);
		put_dur(f, e->u.isolate.for_us);
		fputc('}', f);
		break;
	case SIM_ACT_ROLLING_RESTART:
		fputs("{brokers: ", f);
		if (e->u.rolling_restart.all)
			fputs("all", f);
		else
			put_ids(f, p->ints + e->u.rolling_restart.brokers.off, e->u.rolling_restart.brokers.n);
		if (e->u.rolling_restart.has_settle) {
			fputs(", settle: ", f);
			put_dur(f, e->u.rolling_restart.settle_us);
		}
		fputc('}', f);
		break;
	case SIM_ACT_CREATE_TOPIC:
		put_spec(f, p, &e->u.create_topic, true);
		break;
	case SIM_ACT_DELETE_TOPIC:
		put_name(f, sim_xplan_topic_name(p, e->u.delete_topic, name, sizeof name));
		break;
	case SIM_ACT_ADD_PARTITIONS:
		put_spec(f, p, &e->u.add_partitions, false);
		break;
	case SIM_ACT_REASSIGN:
		fputc('[', f);
		for (uint32_t i = 0; i < e->u.reassign.n; i++) {
			const struct sim_reassign *r = &p->reassigns[e->u.reassign.off + i];
			fputs(i ? ", {partition: " : "{partition: ", f);
			put_pref(f, p, r->partition);
			fputs(", replicas: ", f);
			put_ids(f, p->ints + r->replicas.off, r->replicas.n);
			fputc('}', f);
		}
		fputc(']', f);
		break;
	case SIM_ACT_PREFERRED_ELECTION:
		if (e->u.preferred_election.all)
			fputs("all", f);
		else
			put_prefs(f, p, e->u.preferred_election.partitions);
		break;
	case SIM_ACT_REPLICA_TRANSITION:
		fputs("{partition: ", f);
		put_pref(f, p, e->u.replica_transition.partition);
		fputs(", brokers: ", f);
		put_ids(f, p->ints + e->u.replica_transition.brokers.off, e->u.replica_transition.brokers.n);
		fprintf(f, ", to: %s}", kc_replica_state_name(e->u.replica_transition.to));
		break;
	case SIM_ACT_PARTITION_TRANSITION:
		fputs("{partitions: ", f);
		put_prefs(f, p, e->u.partition_transition.partitions);
		fprintf(f, ", to: %s, election: %s}", kc_partition_state_name(e->u.partition_transition.to),
			kc_selector_name(e->u.partition_transition.election));
		break;
	case SIM_ACTION_COUNT:
		break;
	}
	fputs("}\n", f);
}

/* A comment line: newlines in text would end the comment. */
static void put_comment(FILE *f, const char *text)
{
	fputs("# ", f);
	for (const char *c = text; *c; c++)
		fputc(*c == '\n' || *c == '\r' ? ' ' : *c, f);
	fputc('\n', f);
}

static void put_config(FILE *f, const struct sim_xplan *p)
{
	const struct sim_config *c = &p->base->config;
	const struct {
		const char *key;
		uint64_t us;
	} durations[] = {
		{"zk_session_timeout", c->zk_session_timeout_us},
		{"zk_read_latency", c->zk_read_latency_us},
		{"zk_write_latency", c->zk_write_latency_us},
		{"rpc_latency", c->rpc_latency_us},
		{"controller_op_cost", c->controller_op_cost_us},
		{"controller_request_entry_cost", c->controller_request_entry_cost_us},
		{"broker_op_cost", c->broker_op_cost_us},
		{"replica_lag_time_max", c->replica_lag_time_max_us},
		{"isr_check_interval", c->isr_check_interval_us},
		{"replica_catch_up", c->replica_catch_up_us},
		{"controlled_shutdown_retry_backoff", c->controlled_shutdown_retry_backoff_us},
		{"controller_socket_timeout", c->controller_socket_timeout_us},
		{"leader_imbalance_check_interval", c->leader_imbalance_check_interval_us},
		{"latency_jitter", p->jitter_us},
	};
	fputs("config:\n", f);
	for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++) {
		fprintf(f, "  %s: ", durations[i].key);
		put_dur(f, durations[i].us);
		fputc('\n', f);
	}
	fprintf(f,
		"  zk_mode: %s\n  zk_max_in_flight: %" PRIu32 "\n  batch_requests: %s\n"
		"  unclean_leader_election: %s\n  controlled_shutdown_max_retries: %" PRIu32 "\n"
		"  delete_topic_enable: %s\n  auto_leader_rebalance: %s\n"
		"  leader_imbalance_per_broker_percentage: %" PRIu32 "\n",
		c->zk_mode == SIM_ZK_PIPELINED ? "pipelined" : "sync", c->zk_max_in_flight,
		c->batch_requests ? "true" : "false", c->unclean_leader_election ? "true" : "false",
		c->controlled_shutdown_max_retries, c->delete_topic_enable ? "true" : "false",
		c->auto_leader_rebalance ? "true" : "false", c->leader_imbalance_per_broker_percentage);
}

static void put_cluster(FILE *f, const struct sim_xplan *p)
{
	fputs("cluster:\n  brokers: [", f);
	bool any_down = false, first = true;
	for (uint32_t b = 0; b < p->n_brokers; b++) {
		const struct sim_xbroker *x = &p->brokers[b];
		if (x->removed || !x->in_cluster)
			continue;
		fprintf(f, "%s%" PRId32, first ? "" : ", ", x->id);
		first = false;
		any_down = any_down || x->down;
	}
	fputs("]\n", f);
	if (any_down) {
		fputs("  down: [", f);
		first = true;
		for (uint32_t b = 0; b < p->n_brokers; b++) {
			const struct sim_xbroker *x = &p->brokers[b];
			if (!x->removed && x->in_cluster && x->down) {
				fprintf(f, "%s%" PRId32, first ? "" : ", ", x->id);
				first = false;
			}
		}
		fputs("]\n", f);
	}
	if (p->controller >= 0)
		fprintf(f, "  controller: %" PRId32 "\n", p->controller);
}

static void put_topics(FILE *f, const struct sim_xplan *p)
{
	bool any = false;
	for (uint32_t t = 0; t < p->n_topics; t++) {
		const struct sim_xtopic *x = &p->topics[t];
		if (x->removed || !x->at_startup)
			continue;
		if (!any)
			fputs("topics:\n", f);
		any = true;
		char name[64];
		fputs("  ", f);
		put_name(f, sim_xplan_topic_name(p, t, name, sizeof name));
		fputs(":\n    assignment: ", f);
		put_rows(f, p, 0, x->partitions, x->rf, x->assignment, 6);
		fputc('\n', f);
		if (x->unclean >= 0)
			fprintf(f, "    unclean_leader_election: %s\n", x->unclean ? "true" : "false");
	}
}

/* The effective switches as differences from the profile's defaults: off ones (enable false)
 * or on ones (enable true). Returns how many there are. */
static int put_switches(FILE *f, const struct sim_xplan *p, bool enable)
{
	int n = 0;
	for (int i = 0; i < SIM_INVARIANT_COUNT; i++) {
		const struct sim_invariant_info *in = sim_invariant_info((enum sim_invariant)i);
		if (p->base->invariant_on[i] != enable || in->on_by_default == enable)
			continue;
		if (f)
			fprintf(f, "%s%s", n ? ", " : enable ? "  enable: [" : "  disable: [", in->name);
		n++;
	}
	if (f && n)
		fputs("]\n", f);
	return n;
}

static void put_invariants(FILE *f, const struct sim_xplan *p)
{
	if (put_switches(NULL, p, false) + put_switches(NULL, p, true) == 0)
		return;
	fputs("invariants:\n", f);
	put_switches(f, p, false);
	put_switches(f, p, true);
}

bool sim_xplan_write_yaml(const struct sim_xplan *p, const struct sim_xfile_note *note, FILE *f)
{
	if (note && note->headline)
		put_comment(f, note->headline);
	if (p->swarm[0])
		put_comment(f, p->swarm);
	if (note && note->failure)
		put_comment(f, note->failure);
	fputs("name: ", f);
	put_name(f, p->name);
	fprintf(f, "\nseed: %" PRIu64 "\nprofile: \"0.8.2\"\n", p->seed);
	if (p->base->startup == SIM_STARTUP_SIMULATED)
		fputs("startup: simulated\n", f);
	put_config(f, p);
	put_cluster(f, p);
	put_topics(f, p);
	put_invariants(f, p);
	bool any = false;
	for (int i = 0; i < SIM_INJECT_COUNT; i++)
		if (p->inject_on[i]) {
			fprintf(f, "%s%s", any ? ", " : "inject: [", sim_inject_info((enum sim_inject)i)->name);
			any = true;
		}
	if (any)
		fputs("]\n", f);
	fputs("run_until: quiescent\nmax_time: ", f);
	put_dur(f, sim_xplan_max_time(p));
	fputc('\n', f);
	if (p->n_entries) {
		fputs("timeline:\n", f);
		for (uint32_t i = 0; i < p->n_entries; i++)
			put_entry(f, p, &p->entries[i]);
	}
	if (note && note->expect_violation >= 0)
		fprintf(f, "expect:\n  - violation: %s\n",
			sim_invariant_info((enum sim_invariant)note->expect_violation)->name);
	if (ferror(f)) {
		errno = errno ? errno : EIO;
		return false;
	}
	return true;
}
