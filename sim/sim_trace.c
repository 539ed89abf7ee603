/* sim_trace.c — the --trace files: trace.jsonl (every hook the world reports after time 0, one
 * JSON object per line) and state-change.log (the controller's state-change log in 0.8.2's
 * own wording). Both stream to NAME.tmp in the results folder from the start of the run and
 * are renamed into place by sim_trace_commit, after the other result files.
 *
 * trace.jsonl: keys in a fixed order, always "t_us" (simulated µs of the hook) then "type":
 *   state_change     controller, epoch, machine (replica|partition), partition, broker
 *                    (replica), from, to, applied, leader (applied → OnlinePartition), reason
 *                    (refused or failed)
 *   election         controller, partition, selector, ok, leader (null unless ok), isr,
 *                    unclean, replicas (AR, or RAR for the reassigned selector), before
 *                    {leader, leader_epoch, isr, zk_version}
 *   request, request_dropped
 *                    id, request, from, to, controller_epoch, depart_us, then StopReplica:
 *                    partition, delete; otherwise entries [{partition, leader, leader_epoch,
 *                    isr}] (the slice this message carries)
 *   request_handled  id, request, broker, applied
 *   zk               what (state|topic|broker|controller|controller_epoch|admin) and the
 *                    znode's value after the change
 *   broker           broker, up, incarnation
 *   controller       broker, active, epoch (when active)
 *   controller_event broker, event, args [a, b], enqueued_us, start_us, end_us, cost_us
 *   timeline         entry, line, action, refused, why (when refused)
 *   violation        invariant, detail
 * Brokers are Kafka ids, partitions TOPIC-N, topics their names; all numbers integers.
 *
 * state-change.log: log4j's "[%d] %p %m (%c)%n" layout of Kafka's state.change.logger, with
 * the date replaced by simulated time as seconds and six decimals (µs), e.g.
 *   [7.000200] TRACE Controller 1 epoch 2 changed state of replica 2 for partition [orders,0]
 *   from OnlineReplica to OfflineReplica (state.change.logger)
 * (one line). Applied records use 0.8.2's trace lines (ReplicaStateMachine and
 * PartitionStateMachine.handleStateChange; NewPartition names the assigned replicas from the
 * topic znode, OnlinePartition the leader). Refused or failed records use the ERROR line that
 * 0.8.2's catch block writes, followed, as log4j prints a throwable, by the exception's first
 * line: the valid-previous-states assertion in Kafka's words, otherwise the exception class and
 * the core's reason (kc_reason_text). A state machine that has not started gets the message of
 * the exception 0.8.2 throws (Kafka wrote that one to the controller log). Successful elections
 * add electLeaderForPartition's "started leader election" and "elected leader" lines. */
#include "sim_trace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_json.h"
#include "sim_metrics.h"
#include "sim_report.h"

#define TRACE_JSONL "trace.jsonl"
#define TRACE_LOG "state-change.log"

struct sim_trace {
	char *dir;
	FILE *jsonl, *log;
	bool failed;               /* a file could not be opened or written: the run fails */
	bool finished, committed;
};

struct sim_trace *sim_trace_new(struct sim_world *w, const char *out_dir, bool on)
{
	(void)w;
	if (!on)
		return NULL;
	struct sim_trace *t = calloc(1, sizeof *t);
	char *dir = malloc(strlen(out_dir) + 1);
	if (!t || !dir) {
		fprintf(stderr, "kcsim: out of memory\n");
		exit(3);
	}
	t->dir = strcpy(dir, out_dir);
	if (!sim_report_mkdirs(out_dir)) {
		fprintf(stderr, "kcsim: %s: %s\n", out_dir, strerror(errno));
		t->failed = true;
		return t;
	}
	t->jsonl = sim_report_open(out_dir, TRACE_JSONL);
	if (t->jsonl)
		t->log = sim_report_open(out_dir, TRACE_LOG);
	if (!t->log) {
		fprintf(stderr, "kcsim: %s/%s.tmp: %s\n", out_dir, t->jsonl ? TRACE_LOG : TRACE_JSONL, strerror(errno));
		t->failed = true;
	}
	return t;
}

void sim_trace_free(struct sim_trace *t)
{
	if (!t)
		return;
	if (t->jsonl)
		fclose(t->jsonl);
	if (t->log)
		fclose(t->log);
	/* files never committed are not left behind */
	if (!t->committed) {
		sim_report_discard(t->dir, TRACE_JSONL);
		sim_report_discard(t->dir, TRACE_LOG);
	}
	free(t->dir);
	free(t);
}

static bool tracing(const struct sim_trace *t) { return t && !t->failed; }

/* ---- shared pieces ---- */

static const char *topic_name(const struct sim_world *w, uint32_t pid) { return w->sc->topics[w->pid_topic[pid]].name; }

/* "TOPIC-N" (topic names need no escaping: [A-Za-z0-9._-]) */
static void put_partition(FILE *f, const struct sim_world *w, uint32_t pid)
{
	fprintf(f, "\"%s-%" PRIu32 "\"", topic_name(w, pid), w->pid_number[pid]);
}

static void put_ids(FILE *f, const int32_t *v, uint32_t n)
{
	fputc('[', f);
	for (uint32_t i = 0; i < n; i++)
		fprintf(f, "%s%" PRId32, i ? "," : "", v[i]);
	fputc(']', f);
}

static void put_list(FILE *f, const struct sim_world *w, uint32_t list)
{
	uint32_t n;
	const int32_t *v = sim_lists_get(&w->lists, list, &n);
	put_ids(f, v, n);
}

static void put_bool(FILE *f, bool b) { fputs(b ? "true" : "false", f); }

/* {"t_us":N,"type":"TYPE" — every object starts so; the caller closes it with end_obj. */
static void begin_obj(const struct sim_world *w, struct sim_trace *t, const char *type)
{
	fprintf(t->jsonl, "{\"t_us\":%" PRIu64 ",\"type\":\"%s\"", w->now, type);
}

static void end_obj(struct sim_trace *t) { fputs("}\n", t->jsonl); }

/* "[S.UUUUUU] LEVEL " — simulated seconds where log4j writes the date */
static void log_prefix(const struct sim_world *w, struct sim_trace *t, const char *level)
{
	fprintf(t->log, "[%" PRIu64 ".%06" PRIu64 "] %s ", w->now / 1000000u, w->now % 1000000u, level);
}

static void log_end(struct sim_trace *t) { fputs(" (state.change.logger)\n", t->log); }

static int32_t broker_id(const struct sim_world *w, uint32_t b) { return w->bk[b].id; }

/* ---- the state-change log ---- */

/* Kafka's state names, comma-separated, of the states target may be entered from, in the
 * order 0.8.2's assertValidPreviousStates lists them (enum order matches it). */
static void valid_from(FILE *f, bool is_partition, int target)
{
	bool first = true;
	int lo = is_partition ? KC_NEW_PARTITION : KC_NEW_REPLICA;
	int hi = is_partition ? KC_NON_EXISTENT_PARTITION : KC_NON_EXISTENT_REPLICA;
	for (int s = lo; s <= hi; s++)
		if (is_partition ? kc_partition_edge_valid(s, target) : kc_replica_edge_valid(s, target)) {
			fprintf(f, "%s%s", first ? "" : ",", is_partition ? kc_partition_state_name(s) : kc_replica_state_name(s));
			first = false;
		}
}

static const char *state_name(bool is_partition, int s)
{
	const char *n = is_partition ? kc_partition_state_name(s) : kc_replica_state_name(s);
	return n ? n : "UnknownState";
}

/* The first line of the throwable log4j prints after a failure line. */
static void log_exception(FILE *f, const struct sim_world *w, const struct kc_state_change *sc)
{
	const char *topic = topic_name(w, sc->pid);
	uint32_t number = w->pid_number[sc->pid];
	const char *from = state_name(sc->is_partition, sc->from), *to = state_name(sc->is_partition, sc->to);
	switch (sc->reason) {
	case KC_FAIL_INVALID_EDGE:
		if (sc->is_partition)
			fprintf(f, "java.lang.IllegalStateException: Partition [%s,%" PRIu32 "] should be in the ", topic,
				number);
		else
			fprintf(f,
				"java.lang.AssertionError: assertion failed: Replica [Topic=%s,Partition=%" PRIu32
				",Replica=%" PRId32 "] should be in the ",
				topic, number, sc->broker);
		valid_from(f, sc->is_partition, sc->to);
		fprintf(f, " states before moving to %s state. Instead it is in %s state\n", to, from);
		return;
	case KC_FAIL_NO_REPLICA_ONLINE:
		fprintf(f, "kafka.common.NoReplicaOnlineException: %s\n", kc_reason_text(sc->reason));
		return;
	default:
		fprintf(f, "kafka.common.StateChangeFailedException: %s\n", kc_reason_text(sc->reason));
		return;
	}
}

static void log_state_change(const struct sim_world *w, struct sim_trace *t, const struct kc_state_change *sc)
{
	FILE *f = t->log;
	const char *topic = topic_name(w, sc->pid);
	uint32_t number = w->pid_number[sc->pid];
	const char *from = state_name(sc->is_partition, sc->from), *to = state_name(sc->is_partition, sc->to);
	log_prefix(w, t, sc->applied ? "TRACE" : "ERROR");
	fprintf(f, "Controller %" PRId32 " epoch %" PRId32 " ", sc->controller_id, sc->controller_epoch);
	if (!sc->applied && sc->reason == KC_FAIL_NOT_STARTED) {
		if (sc->is_partition)
			fprintf(f,
				"initiated state change for partition [%s,%" PRIu32
				"] to %s failed because the partition state machine has not started",
				topic, number, to);
		else
			fprintf(f,
				"initiated state change of replica %" PRId32 " for partition [%s,%" PRIu32
				"] to %s failed because replica state machine has not started",
				sc->broker, topic, number, to);
		log_end(t);
		return;
	}
	if (!sc->applied) {
		if (sc->is_partition)
			fprintf(f, "initiated state change for partition [%s,%" PRIu32 "] from %s to %s failed", topic,
				number, from, to);
		else
			fprintf(f,
				"initiated state change of replica %" PRId32 " for partition [%s,%" PRIu32
				"] from %s to %s failed",
				sc->broker, topic, number, from, to);
		log_end(t);
		log_exception(f, w, sc);
		return;
	}
	if (!sc->is_partition) {
		fprintf(f, "changed state of replica %" PRId32 " for partition [%s,%" PRIu32 "] from %s to %s", sc->broker,
			topic, number, from, to);
	} else if (sc->to == KC_NEW_PARTITION) {
		fprintf(f, "changed partition [%s,%" PRIu32 "] state from %s to %s with assigned replicas ", topic, number,
			from, to);
		const struct sim_zk_topic *zt = &w->zk.topics[w->pid_topic[sc->pid]];
		if (zt->exists && number < zt->n)
			for (uint32_t i = 0; i < zt->view[number].n_replicas; i++)
				fprintf(f, "%s%" PRId32, i ? "," : "", zt->view[number].replicas[i]);
	} else if (sc->to == KC_ONLINE_PARTITION) {
		fprintf(f, "changed partition [%s,%" PRIu32 "] from %s to %s with leader %" PRId32, topic, number, from,
			to, sc->leader);
	} else {
		fprintf(f, "changed partition [%s,%" PRIu32 "] state from %s to %s", topic, number, from, to);
	}
	log_end(t);
}

/* ---- hooks ---- */

void sim_trace_state_change(struct sim_world *w, struct sim_trace *t, uint32_t ctrl, const struct kc_state_change *sc)
{
	(void)ctrl; /* the record names its controller */
	if (!tracing(t))
		return;
	FILE *f = t->jsonl;
	begin_obj(w, t, "state_change");
	fprintf(f, ",\"controller\":%" PRId32 ",\"epoch\":%" PRId32 ",\"machine\":\"%s\",\"partition\":",
		sc->controller_id, sc->controller_epoch, sc->is_partition ? "partition" : "replica");
	put_partition(f, w, sc->pid);
	if (!sc->is_partition)
		fprintf(f, ",\"broker\":%" PRId32, sc->broker);
	fprintf(f, ",\"from\":\"%s\",\"to\":\"%s\",\"applied\":", state_name(sc->is_partition, sc->from),
		state_name(sc->is_partition, sc->to));
	put_bool(f, sc->applied);
	if (sc->applied && sc->is_partition && sc->to == KC_ONLINE_PARTITION)
		fprintf(f, ",\"leader\":%" PRId32, sc->leader);
	if (!sc->applied) {
		fputs(",\"reason\":", f);
		sim_json_string(f, kc_reason_text(sc->reason));
	}
	end_obj(t);
	log_state_change(w, t, sc);
}

void sim_trace_election(struct sim_world *w, struct sim_trace *t, uint32_t ctrl, const struct kc_election *e)
{
	if (!tracing(t))
		return;
	FILE *f = t->jsonl;
	int32_t id = broker_id(w, ctrl);
	begin_obj(w, t, "election");
	fprintf(f, ",\"controller\":%" PRId32 ",\"partition\":", id);
	put_partition(f, w, e->pid);
	fprintf(f, ",\"selector\":\"%s\",\"ok\":", kc_selector_name(e->selector));
	put_bool(f, e->ok);
	fputs(",\"leader\":", f);
	if (e->ok)
		fprintf(f, "%" PRId32, e->leader);
	else
		fputs("null", f);
	fputs(",\"isr\":", f);
	put_ids(f, e->isr, e->ok ? e->isr_len : 0);
	fputs(",\"unclean\":", f);
	put_bool(f, e->unclean);
	fputs(",\"replicas\":", f);
	put_ids(f, e->ar, e->ar_len);
	if (e->before) {
		fprintf(f, ",\"before\":{\"leader\":%" PRId32 ",\"leader_epoch\":%" PRId32 ",\"isr\":", e->before->leader,
			e->before->leader_epoch);
		put_ids(f, e->before->isr, e->before->isr_len);
		fprintf(f, ",\"zk_version\":%" PRId32 "}", e->before->zk_version);
	}
	end_obj(t);

	if (!e->ok)
		return; /* the failure is the state change record that follows */
	int32_t epoch = w->bk[ctrl].kc ? kc_epoch(w->bk[ctrl].kc) : 0;
	const char *topic = topic_name(w, e->pid);
	uint32_t number = w->pid_number[e->pid];
	log_prefix(w, t, "TRACE");
	fprintf(t->log, "Controller %" PRId32 " epoch %" PRId32 " started leader election for partition [%s,%" PRIu32 "]",
		id, epoch, topic, number);
	log_end(t);
	log_prefix(w, t, "TRACE");
	fprintf(t->log,
		"Controller %" PRId32 " epoch %" PRId32 " elected leader %" PRId32 " for Offline partition [%s,%" PRIu32 "]",
		id, epoch, e->leader, topic, number);
	log_end(t);
}

static void trace_request(struct sim_world *w, struct sim_trace *t, const char *type, uint32_t req)
{
	FILE *f = t->jsonl;
	const struct sim_req *r = &w->reqs[req];
	const struct sim_payload *p = &w->payloads[r->payload];
	begin_obj(w, t, type);
	fprintf(f,
		",\"id\":%" PRIu32 ",\"request\":\"%s\",\"from\":%" PRId32 ",\"to\":%" PRId32 ",\"controller_epoch\":%" PRId32
		",\"depart_us\":%" PRIu64,
		req, sim_request_type_name(p->type), broker_id(w, (uint32_t)r->from), broker_id(w, (uint32_t)r->to),
		p->controller_epoch, r->depart_us);
	if (p->type == KC_REQ_STOP_REPLICA) {
		fputs(",\"partition\":", f);
		put_partition(f, w, p->stop_pid);
		fputs(",\"delete\":", f);
		put_bool(f, p->stop_delete);
	} else {
		fputs(",\"entries\":[", f);
		for (uint32_t i = 0; i < r->count; i++) {
			const struct sim_entry *e = &p->entries[r->first + i];
			fputs(i ? ",{\"partition\":" : "{\"partition\":", f);
			put_partition(f, w, e->pid);
			fprintf(f, ",\"leader\":%" PRId32 ",\"leader_epoch\":%" PRId32 ",\"isr\":", e->leader,
				e->leader_epoch);
			put_list(f, w, e->isr);
			fputc('}', f);
		}
		fputc(']', f);
	}
	end_obj(t);
}

void sim_trace_request(struct sim_world *w, struct sim_trace *t, uint32_t req, bool dropped)
{
	if (tracing(t))
		trace_request(w, t, dropped ? "request_dropped" : "request", req);
}

void sim_trace_request_handled(struct sim_world *w, struct sim_trace *t, uint32_t b, uint32_t req, bool applied)
{
	if (!tracing(t))
		return;
	FILE *f = t->jsonl;
	begin_obj(w, t, "request_handled");
	fprintf(f, ",\"id\":%" PRIu32 ",\"request\":\"%s\",\"broker\":%" PRId32 ",\"applied\":", req,
		sim_request_type_name(w->payloads[w->reqs[req].payload].type), broker_id(w, b));
	put_bool(f, applied);
	end_obj(t);
}

static const char *const admin_paths[] = {"/admin/delete_topics", "/admin/reassign_partitions",
					  "/admin/preferred_replica_election"};

void sim_trace_zk(struct sim_world *w, struct sim_trace *t, enum sim_zk_change what, uint32_t id)
{
	if (!tracing(t))
		return;
	FILE *f = t->jsonl;
	const struct sim_zk *zk = &w->zk;
	begin_obj(w, t, "zk");
	switch (what) {
	case ZKC_STATE: {
		const struct sim_zk_state *s = &zk->states[id];
		fputs(",\"what\":\"state\",\"partition\":", f);
		put_partition(f, w, id);
		fputs(",\"exists\":", f);
		put_bool(f, s->exists);
		if (s->exists) {
			fprintf(f, ",\"leader\":%" PRId32 ",\"leader_epoch\":%" PRId32 ",\"isr\":", s->leader, s->leader_epoch);
			put_list(f, w, s->isr);
			fprintf(f, ",\"controller_epoch\":%" PRId32 ",\"version\":%" PRId32, s->ctrl_epoch, s->version);
		}
		break;
	}
	case ZKC_TOPIC: {
		const struct sim_zk_topic *zt = &zk->topics[id];
		fputs(",\"what\":\"topic\",\"topic\":", f);
		sim_json_string(f, w->sc->topics[id].name);
		fputs(",\"exists\":", f);
		put_bool(f, zt->exists);
		if (zt->exists) {
			fprintf(f, ",\"version\":%" PRId32 ",\"assignment\":[", zt->version);
			for (uint32_t p = 0; p < zt->n; p++) {
				if (p)
					fputc(',', f);
				put_ids(f, zt->view[p].replicas, zt->view[p].n_replicas);
			}
			fputc(']', f);
		}
		break;
	}
	case ZKC_BROKER:
		fprintf(f, ",\"what\":\"broker\",\"broker\":%" PRId32 ",\"registered\":", broker_id(w, id));
		put_bool(f, zk->registered[id]);
		break;
	case ZKC_CONTROLLER:
		fputs(",\"what\":\"controller\",\"controller\":", f);
		if (zk->controller >= 0)
			fprintf(f, "%" PRId32, broker_id(w, (uint32_t)zk->controller));
		else
			fputs("null", f);
		break;
	case ZKC_EPOCH:
		fprintf(f, ",\"what\":\"controller_epoch\",\"epoch\":%" PRId32 ",\"version\":%" PRId32, zk->epoch,
			zk->epoch_version);
		break;
	case ZKC_ADMIN:
		fprintf(f, ",\"what\":\"admin\",\"path\":\"%s\"", id < 3 ? admin_paths[id] : "/admin");
		break;
	}
	end_obj(t);
}

void sim_trace_broker_process(struct sim_world *w, struct sim_trace *t, uint32_t b, bool up)
{
	if (!tracing(t))
		return;
	begin_obj(w, t, "broker");
	fprintf(t->jsonl, ",\"broker\":%" PRId32 ",\"up\":", broker_id(w, b));
	put_bool(t->jsonl, up);
	fprintf(t->jsonl, ",\"incarnation\":%" PRIu32, w->bk[b].incarnation);
	end_obj(t);
}

void sim_trace_controller(struct sim_world *w, struct sim_trace *t, uint32_t b, bool active, int32_t epoch)
{
	if (!tracing(t))
		return;
	begin_obj(w, t, "controller");
	fprintf(t->jsonl, ",\"broker\":%" PRId32 ",\"active\":", broker_id(w, b));
	put_bool(t->jsonl, active);
	if (active)
		fprintf(t->jsonl, ",\"epoch\":%" PRId32, epoch);
	end_obj(t);
}

void sim_trace_ctrl_event(struct sim_world *w, struct sim_trace *t, uint32_t b, const struct sim_cevent *ev,
			  uint64_t t0, uint64_t end)
{
	if (!tracing(t))
		return;
	begin_obj(w, t, "controller_event");
	fprintf(t->jsonl,
		",\"broker\":%" PRId32 ",\"event\":\"%s\",\"args\":[%" PRId64 ",%" PRId64 "],\"enqueued_us\":%" PRIu64
		",\"start_us\":%" PRIu64 ",\"end_us\":%" PRIu64 ",\"cost_us\":%" PRIu64,
		broker_id(w, b), sim_cevent_name(ev->kind), ev->a, ev->b, ev->enqueued_us, t0, end, end - t0);
	end_obj(t);
}

void sim_trace_timeline(struct sim_world *w, struct sim_trace *t, uint32_t entry, bool refused, const char *why)
{
	if (!tracing(t))
		return;
	const struct sim_timeline_entry *e = &w->sc->timeline[entry];
	begin_obj(w, t, "timeline");
	fprintf(t->jsonl, ",\"entry\":%" PRIu32 ",\"line\":%" PRIu32 ",\"action\":\"%s\",\"refused\":", entry, e->line,
		sim_action_name(e->action));
	put_bool(t->jsonl, refused);
	if (refused) {
		fputs(",\"why\":", t->jsonl);
		sim_json_string(t->jsonl, why ? why : "");
	}
	end_obj(t);
}

void sim_trace_violation(struct sim_world *w, struct sim_trace *t, const char *invariant, const char *detail)
{
	if (!tracing(t))
		return;
	begin_obj(w, t, "violation");
	fputs(",\"invariant\":", t->jsonl);
	sim_json_string(t->jsonl, invariant);
	fputs(",\"detail\":", t->jsonl);
	sim_json_string(t->jsonl, detail);
	end_obj(t);
}

/* ---- the end ---- */

/* Flush and close *f; false with errno set if any write or the close failed. */
static bool close_checked(FILE **f, const char *dir, const char *name)
{
	FILE *x = *f;
	*f = NULL;
	if (!x)
		return false;
	bool ok = fflush(x) == 0 && !ferror(x);
	int saved = errno;
	if (fclose(x) != 0) {
		saved = errno;
		ok = false;
	}
	if (!ok)
		fprintf(stderr, "kcsim: %s/%s.tmp: %s\n", dir, name, strerror(saved ? saved : EIO));
	return ok;
}

bool sim_trace_finish(struct sim_trace *t)
{
	if (!t)
		return true;
	bool ok = close_checked(&t->jsonl, t->dir, TRACE_JSONL);
	ok = close_checked(&t->log, t->dir, TRACE_LOG) && ok;
	t->finished = ok && !t->failed;
	t->failed = !t->finished;
	return t->finished;
}

bool sim_trace_commit(struct sim_trace *t)
{
	if (!t)
		return true;
	if (!t->finished)
		return false;
	static const char *const names[] = {TRACE_JSONL, TRACE_LOG};
	for (int i = 0; i < 2; i++)
		if (!sim_report_rename(t->dir, names[i])) {
			fprintf(stderr, "kcsim: %s/%s: %s\n", t->dir, names[i], strerror(errno));
			return false;
		}
	t->committed = true;
	return true;
}
