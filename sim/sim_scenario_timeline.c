/* sim_scenario_timeline.c — the scenario's timeline: a first look at every entry (its time and
 * its action, before the brokers and topics it may declare are known), then each action's
 * argument in full. */
#include <stdlib.h>

#include "sim_scenario_int.h"

static const char *const sim_action_names[SIM_ACTION_COUNT] = {
	"crash", "restart", "add_broker", "shutdown", "expire_session", "controller_failover",
	"pause", "isolate", "rolling_restart", "create_topic", "delete_topic", "add_partitions",
	"reassign", "preferred_election", "replica_transition", "partition_transition",
};

static const char *const sim_timeline_whens[] = {"at"};
static const struct sim_ld_entry_form sim_timeline_form = {
	.top = SIM_K_TIMELINE,
	.list_shape = "a list of entries such as {at: 5s, crash: 1}",
	.max = SIM_MAX_TIMELINE,
	.limit = "timeline entries",
	.entry = "timeline entry",
	.an_entry = "a timeline entry",
	.entry_shape = "a map such as {at: 5s, crash: 1}",
	.whens = sim_timeline_whens,
	.n_whens = 1,
	.whens_or = "at",
	.whens_and = "at",
	.names = sim_action_names,
	.n_names = SIM_ACTION_COUNT,
	.name = "action",
	.a_name = "an action",
	.one_name = "exactly one action",
};

/* First look at the timeline: entry shape, `at`, the action, and add_broker ids. */
bool sim_ld_timeline_scan(struct sim_ld *ld)
{
	struct sim_scenario *sc = ld->sc;
	uint32_t tl, n;
	if (!sim_ld_entry_list(ld, &sim_timeline_form, &tl, &n))
		return false;
	if (n == 0)
		return true;
	sc->timeline = calloc(n, sizeof *sc->timeline);
	ld->tl_args = calloc(n, sizeof *ld->tl_args);
	if (!sc->timeline || !ld->tl_args)
		return sim_ld_oom(ld, tl);
	sc->n_timeline = n;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t e = sim_yitem(&ld->doc, tl, i);
		struct sim_ld_entry parsed;
		if (!sim_ld_entry_keys(ld, e, &sim_timeline_form, &parsed))
			return false;
		if (parsed.when < 0)
			return sim_ld_fail(ld, e, "timeline entry '%s' has no at:; expected at: DURATION, the "
						  "simulated time it runs",
					   sim_action_names[parsed.name]);
		struct sim_timeline_entry *te = &sc->timeline[i];
		if (!sim_ld_duration(ld, parsed.when_val, "at", &te->at_us) ||
		    !sim_ld_before_run_end(ld, parsed.when_val, "at", te->at_us))
			return false;
		te->action = (enum sim_action)parsed.name;
		te->line = sim_ld_node(ld, e)->line;
		te->col = sim_ld_node(ld, e)->col;
		ld->tl_args[i] = parsed.arg;
		if (parsed.name == SIM_ACT_ADD_BROKER && !sim_ld_note_added(ld, parsed.arg))
			return false;
	}
	return true;
}

static bool sim_ld_reassign_item(struct sim_ld *ld, uint32_t item, struct sim_reassign *r)
{
	static const char *const keys[] = {"partition", "replicas"};
	uint32_t v[2];
	return sim_ld_args(ld, item, "reassign", "{partition: TOPIC-N, replicas: [ids]}", keys, 2, 3u, v) &&
	       sim_ld_pref(ld, v[0], "reassign.partition", &r->partition) &&
	       sim_ld_brokers(ld, v[1], "reassign.replicas", false, false, sim_ld_rf_limit(ld), &r->replicas);
}

static bool sim_ld_reassign(struct sim_ld *ld, uint32_t a, struct sim_span *out)
{
	struct sim_scenario *sc = ld->sc;
	bool one = sim_ld_is_map(ld, a);
	if (!one && !sim_ld_need_seq(ld, a, "reassign", "{partition, replicas} or a list of them"))
		return false;
	uint32_t n = one ? 1 : sim_ld_node(ld, a)->n;
	if (n == 0)
		return sim_ld_fail(ld, a, "reassign: got an empty list; expected at least one {partition, replicas}");
	if (!sim_reserve((void **)&sc->reassigns, &sc->cap_reassigns, (uint64_t)sc->n_reassigns + n,
			    sizeof *sc->reassigns))
		return sim_ld_oom(ld, a);
	uint32_t off = sc->n_reassigns;
	struct sim_pref *p = malloc((size_t)n * sizeof *p);
	if (!p)
		return sim_ld_oom(ld, a);
	bool ok = true;
	for (uint32_t i = 0; ok && i < n; i++) {
		ok = sim_ld_reassign_item(ld, one ? a : sim_yitem(&ld->doc, a, i), &sc->reassigns[off + i]);
		p[i] = sc->reassigns[off + i].partition;
	}
	ok = ok && (one || sim_ld_prefs_distinct(ld, p, n, a, true, "reassign"));
	free(p);
	if (!ok)
		return false;
	sc->n_reassigns += n;
	*out = (struct sim_span){off, n};
	return true;
}

static bool sim_ld_entry(struct sim_ld *ld, struct sim_timeline_entry *e, uint32_t a)
{
	const char *name = sim_action_names[e->action];
	char got[96];
	uint32_t v[5];
	switch (e->action) {
	case SIM_ACT_CRASH:
	case SIM_ACT_RESTART:
	case SIM_ACT_ADD_BROKER:
		return sim_ld_brokers(ld, a, name, true, false, 0, &e->u.brokers);
	case SIM_ACT_SHUTDOWN:
	case SIM_ACT_EXPIRE_SESSION:
		return sim_ld_broker(ld, a, name, &e->u.broker);
	case SIM_ACT_CONTROLLER_FAILOVER: {
		bool b;
		if (!sim_ld_bool(ld, a, name, &b))
			return false;
		if (!b)
			return sim_ld_fail(ld, a, "controller_failover: got false; expected true");
		return true;
	}
	case SIM_ACT_PAUSE: {
		static const char *const keys[] = {"broker", "for"};
		return sim_ld_args(ld, a, name, "{broker: ID, for: DURATION}", keys, 2, 3u, v) &&
		       sim_ld_broker(ld, v[0], "pause.broker", &e->u.pause.broker) &&
		       sim_ld_duration(ld, v[1], "pause.for", &e->u.pause.for_us);
	}
	case SIM_ACT_ISOLATE: {
		static const char *const keys[] = {"broker", "from", "for"};
		static const char *const froms[] = {"zookeeper", "controller", "brokers", "all"};
		if (!sim_ld_args(ld, a, name, "{broker: ID, from: zookeeper|controller|brokers|all, for: DURATION}",
				 keys, 3, 7u, v) ||
		    !sim_ld_broker(ld, v[0], "isolate.broker", &e->u.isolate.broker) ||
		    !sim_ld_duration(ld, v[2], "isolate.for", &e->u.isolate.for_us))
			return false;
		for (size_t i = 0; i < SIM_N(froms); i++) {
			if (sim_ld_is_word(ld, v[1], froms[i])) {
				e->u.isolate.from = (enum sim_isolate_from)i;
				return true;
			}
		}
		return sim_ld_fail(ld, v[1], "isolate.from: got %s; expected zookeeper, controller, brokers "
					     "or all",
				   sim_ld_got(ld, v[1], got, sizeof got));
	}
	case SIM_ACT_ROLLING_RESTART: {
		static const char *const keys[] = {"brokers", "settle"};
		if (!sim_ld_args(ld, a, name, "{brokers: all or [ids], settle?: DURATION}", keys, 2, 1u, v))
			return false;
		e->u.rolling_restart.all = sim_ld_is_word(ld, v[0], "all");
		if (!e->u.rolling_restart.all &&
		    !sim_ld_brokers(ld, v[0], "rolling_restart.brokers", false, false, 0, &e->u.rolling_restart.brokers))
			return false;
		e->u.rolling_restart.has_settle = v[1] != SIM_YNONE;
		return v[1] == SIM_YNONE || sim_ld_duration(ld, v[1], "rolling_restart.settle",
							    &e->u.rolling_restart.settle_us);
	}
	case SIM_ACT_CREATE_TOPIC: {
		static const char *const keys[] = {"name", "partitions", "replication_factor", "assignment",
						   "unclean_leader_election"};
		struct sim_topic_spec *spec = &e->u.create_topic;
		spec->unclean_leader_election = -1;
		if (!sim_ld_args(ld, a, name, "{name, partitions, replication_factor} or {name, assignment}",
				 keys, 5, 1u, v))
			return false;
		/* The name was read and registered by the first pass. */
		spec->topic = sim_ld_topic_lookup(ld, sim_ystr(&ld->doc, v[0]), sim_ld_node(ld, v[0])->n);
		return sim_ld_placement(ld, a, "create_topic", (const uint32_t[3]){v[1], v[2], v[3]}, spec) &&
		       sim_ld_unclean(ld, v[4], "create_topic.unclean_leader_election",
				      &spec->unclean_leader_election);
	}
	case SIM_ACT_DELETE_TOPIC:
		return sim_ld_topic_ref(ld, a, name, &e->u.delete_topic);
	case SIM_ACT_ADD_PARTITIONS: {
		static const char *const keys[] = {"topic", "partitions", "assignment"};
		struct sim_topic_spec *spec = &e->u.add_partitions;
		spec->unclean_leader_election = -1;
		if (!sim_ld_args(ld, a, name, "{topic, partitions, assignment?}", keys, 3, 3u, v) ||
		    !sim_ld_topic_ref(ld, v[0], "add_partitions.topic", &spec->topic) ||
		    !sim_ld_u32(ld, v[1], "add_partitions.partitions", 1, SIM_MAX_PARTITIONS, "partitions in all",
				&spec->partitions))
			return false;
		if (v[2] == SIM_YNONE)
			return true;
		spec->explicit_assignment = true;
		return sim_ld_assignment(ld, v[2], "add_partitions.assignment", spec->partitions,
					 &spec->first_partition, &spec->n_assigned, &spec->replication_factor,
					 &spec->assignment);
	}
	case SIM_ACT_REASSIGN:
		return sim_ld_reassign(ld, a, &e->u.reassign);
	case SIM_ACT_PREFERRED_ELECTION:
		e->u.preferred_election.all = sim_ld_is_word(ld, a, "all");
		return e->u.preferred_election.all ||
		       sim_ld_prefs(ld, a, name, false, &e->u.preferred_election.partitions);
	case SIM_ACT_REPLICA_TRANSITION: {
		static const char *const keys[] = {"partition", "brokers", "to"};
		return sim_ld_args(ld, a, name, "{partition, brokers, to}", keys, 3, 7u, v) &&
		       sim_ld_pref(ld, v[0], "replica_transition.partition", &e->u.replica_transition.partition) &&
		       sim_ld_brokers(ld, v[1], "replica_transition.brokers", true, false, 0,
				      &e->u.replica_transition.brokers) &&
		       sim_ld_state(ld, v[2], "replica_transition.to", true, &e->u.replica_transition.to);
	}
	case SIM_ACT_PARTITION_TRANSITION: {
		static const char *const keys[] = {"partitions", "to", "election"};
		e->u.partition_transition.election = KC_SEL_OFFLINE;
		if (!sim_ld_args(ld, a, name, "{partitions, to, election?}", keys, 3, 3u, v) ||
		    !sim_ld_prefs(ld, v[0], "partition_transition.partitions", true,
				  &e->u.partition_transition.partitions) ||
		    !sim_ld_state(ld, v[1], "partition_transition.to", false, &e->u.partition_transition.to))
			return false;
		if (v[2] == SIM_YNONE)
			return true;
		const char *s;
		uint32_t len;
		if (!sim_ld_text(ld, v[2], "partition_transition.election", SIM_SELECTORS_EXPECTED, &s, &len))
			return false;
		int sel = sim_selector_parse(s, len);
		if (sel < 0)
			return sim_ld_fail(ld, v[2], "partition_transition.election: got %s; expected %s",
					   sim_ld_got(ld, v[2], got, sizeof got), SIM_SELECTORS_EXPECTED);
		e->u.partition_transition.election = (enum kc_selector)sel;
		return true;
	}
	case SIM_ACTION_COUNT:
		break;
	}
	return true;
}

bool sim_ld_timeline(struct sim_ld *ld)
{
	for (uint32_t i = 0; i < ld->sc->n_timeline; i++)
		if (!sim_ld_entry(ld, &ld->sc->timeline[i], ld->tl_args[i]))
			return false;
	return true;
}

const char *sim_action_name(enum sim_action a)
{
	return a < SIM_ACTION_COUNT ? sim_action_names[a] : "?";
}
