/* sim_metrics.c — the run's figures (scenario-format Results), kept incrementally from the
 * world's hooks: per-partition status flags and per-broker leader counts are updated from
 * what each hook says changed, so no hook scans every partition (architecture S12); the end
 * of the run recomputes the ZooKeeper-derived counts from scratch and stops on a mismatch.
 *
 * Definitions (for partitions that exist: topic znode present and number < its count):
 *   leaderless        ZooKeeper's state znode is missing or names leader -1;
 *   offline           ZooKeeper's leader is not a registered broker (so every leaderless
 *                     partition is offline too);
 *   unavailable       no broker acts as its leader (sim_metrics_leader_role: the world reports
 *                     a broker starting to act, and stopping on crash, pause or being told
 *                     otherwise), i.e. the clients' view;
 *   under_replicated  ZooKeeper's ISR is shorter than the topic znode's assignment; a partition
 *                     with no state znode has an empty ISR and so counts.
 * Partition-µs are the exact integrals of the counts over simulated time. A per-partition
 * unavailable interval counts only if it lasted at least 1 µs; the maxima are taken over
 * timeline.csv's rows (the values after the last event at each time), so they agree with it.
 *
 * Nothing before time 0 (instant start-up) is counted: events and ZooKeeper operations are
 * taken relative to a snapshot made by sim_metrics_start (or, failing that, refreshed by every
 * hook during start-up); the state start-up left is timeline.csv's row at time 0.
 *
 * Operations (summary.json "operations", kept by sim_spans.c): the world begins and ends the
 * spans; a controller_failover span also ends when its failover event ends after the failover
 * aborted (ControllerMovedException), which the world does not report. */
#include "sim_metrics.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_alloc.h"
#include "sim_json.h"
#include "sim_spans.h"

#define N_REQ_TYPES 3

/* per-partition status bits */
#define PF_EXISTS 0x01u
#define PF_EVER 0x02u       /* existed at some time: listed in partitions.csv */
#define PF_LEADERLESS 0x04u
#define PF_URP 0x08u
#define PF_UNAVAIL 0x10u

/* zl when the partition has a ZooKeeper leader that is not a declared broker */
#define LEADER_UNKNOWN (-2)

/* What the figures keep per partition, together: a hook touches one cache line, not six. */
struct part_metrics {
	uint64_t unavail_since, unavail_us;
	uint32_t unavail_intervals;
	int32_t zl;                /* ZooKeeper leader's broker index (valid when exists, not leaderless) */
	uint16_t acting;           /* brokers acting as its leader */
	uint8_t flags;
};

/* One timeline.csv row. */
struct row {
	uint64_t t_us;
	uint32_t unavailable, leaderless, offline, urp;
	int32_t controller;
	uint32_t queue, in_flight;
};

struct sim_metrics {
	uint32_t n_parts, n_brokers;
	struct part_metrics *part; /* per partition */
	/* per broker */
	bool *reg;                 /* registered, as last seen */
	uint32_t *led;             /* existing partitions ZooKeeper says it leads */

	/* counts now */
	uint32_t leaderless, offline_led, unknown_led, urp, unavailable;
	/* integrals */
	uint64_t area_t;
	uint64_t leaderless_us, unavailable_us;

	/* start-up snapshot */
	bool started, ended;
	uint64_t base_events, base_reads, base_writes;

	/* counters */
	uint64_t requests[N_REQ_TYPES], dropped[N_REQ_TYPES], entries[N_REQ_TYPES];
	uint64_t elections, unclean;
	uint64_t first_election_us, last_election_us;
	uint64_t ctrl_events, ctrl_busy_us, ctrl_event_max_us, ctrl_wait_max_us;
	uint64_t ctrl_by_kind[CE_COUNT];
	uint64_t broker_starts, broker_stops;
	uint64_t intervals_total;

	struct row *rows;
	size_t n_rows, cap_rows;
	struct sim_spans *spans;
};

static const char *const req_names[N_REQ_TYPES] = {
	[KC_REQ_LEADER_AND_ISR] = "LeaderAndIsr",
	[KC_REQ_UPDATE_METADATA] = "UpdateMetadata",
	[KC_REQ_STOP_REPLICA] = "StopReplica",
};

static const char *const cev_names[CE_COUNT] = {
	[CE_FAILOVER] = "failover",
	[CE_BROKER_CHANGE] = "broker_change",
	[CE_TOPIC_CHANGE] = "topic_change",
	[CE_TOPIC_DATA] = "topic_data_change",
	[CE_DELETE_TOPICS] = "delete_topics_change",
	[CE_REASSIGN] = "reassign_change",
	[CE_PREFERRED] = "preferred_change",
	[CE_PARTITION_STATE] = "partition_state_change",
	[CE_DELETION_PASS] = "deletion_pass",
	[CE_STOP_REPLICA_RESPONSE] = "stop_replica_response",
	[CE_REBALANCE] = "rebalance_check",
	[CE_CONTROLLED_SHUTDOWN] = "controlled_shutdown",
	[CE_REPLICA_TRANSITION] = "replica_transition",
	[CE_PARTITION_TRANSITION] = "partition_transition",
};

const char *sim_request_type_name(int type)
{
	return type >= 0 && type < N_REQ_TYPES ? req_names[type] : "unknown";
}

const char *sim_cevent_name(int kind) { return kind >= 0 && kind < CE_COUNT ? cev_names[kind] : "unknown"; }

/* An impossible state: say where, with the command that reproduces it, and stop. */
static void internal_error(const struct sim_world *w, const char *what)
{
	fprintf(stderr, "kcsim: internal error (metrics) at t_us=%" PRIu64 ", seed %" PRIu64 ": %s\n", w->now,
		w->sc ? w->sc->seed : 0, what);
	if (w->obs && w->obs->opts.repro[0])
		fprintf(stderr, "kcsim: reproduce with: %s\n", w->obs->opts.repro);
	abort();
}

/* ---- the incremental counts ---- */

/* Integrate the counts up to now; called before any count changes. */
static void advance(const struct sim_world *w, struct sim_metrics *m)
{
	if (w->now > m->area_t) {
		uint64_t d = w->now - m->area_t;
		m->leaderless_us += (uint64_t)m->leaderless * d;
		m->unavailable_us += (uint64_t)m->unavailable * d;
		m->area_t = w->now;
	}
}

static uint32_t offline_count(const struct sim_metrics *m) { return m->leaderless + m->offline_led + m->unknown_led; }

static bool zk_partition_exists(const struct sim_world *w, uint32_t pid)
{
	const struct sim_zk_topic *t = &w->zk.topics[w->pid_topic[pid]];
	return t->exists && w->pid_number[pid] < t->n;
}

static void set_unavailable(const struct sim_world *w, struct sim_metrics *m, uint32_t pid, bool unavail)
{
	if (!!(m->part[pid].flags & PF_UNAVAIL) == unavail)
		return;
	if (unavail) {
		m->part[pid].flags |= PF_UNAVAIL;
		m->part[pid].unavail_since = w->now;
		m->unavailable++;
		return;
	}
	m->part[pid].flags &= (uint8_t)~PF_UNAVAIL;
	m->unavailable--;
	/* an interval that ends where it began was never seen by anyone */
	if (w->now > m->part[pid].unavail_since) {
		m->part[pid].unavail_us += w->now - m->part[pid].unavail_since;
		m->part[pid].unavail_intervals++;
		m->intervals_total++;
	}
}

/* Count (add) or uncount a partition whose ZooKeeper leader is b: per-broker leaders, and
 * the offline partitions among them (leader unregistered or undeclared). */
static void leader_share(struct sim_metrics *m, int32_t b, bool add)
{
	if (b == LEADER_UNKNOWN) {
		m->unknown_led = add ? m->unknown_led + 1 : m->unknown_led - 1;
		return;
	}
	m->led[b] = add ? m->led[b] + 1 : m->led[b] - 1;
	if (!m->reg[b])
		m->offline_led = add ? m->offline_led + 1 : m->offline_led - 1;
}

/* Recompute pid's ZooKeeper-derived status (and with it its availability, which needs the
 * partition to exist) after its state znode or its topic znode changed. */
static void refresh_partition(const struct sim_world *w, struct sim_metrics *m, uint32_t pid)
{
	uint8_t f = m->part[pid].flags;
	if (f & PF_EXISTS) {
		if (f & PF_LEADERLESS)
			m->leaderless--;
		else
			leader_share(m, m->part[pid].zl, false);
		if (f & PF_URP)
			m->urp--;
	}
	f &= (uint8_t)~(PF_EXISTS | PF_LEADERLESS | PF_URP);
	if (zk_partition_exists(w, pid)) {
		const struct sim_zk_state *s = &w->zk.states[pid];
		const struct sim_zk_topic *t = &w->zk.topics[w->pid_topic[pid]];
		f |= PF_EXISTS | PF_EVER;
		if (!s->exists || s->leader < 0) {
			f |= PF_LEADERLESS;
			m->leaderless++;
		} else {
			int32_t b = sim_zk_broker_index(&w->zk, s->leader);
			m->part[pid].zl = b < 0 ? LEADER_UNKNOWN : b;
			leader_share(m, m->part[pid].zl, true);
		}
		uint32_t isr_len = 0;
		if (s->exists)
			(void)sim_lists_get(w->zk.lists, s->isr, &isr_len);
		if (isr_len < t->view[w->pid_number[pid]].n_replicas) {
			f |= PF_URP;
			m->urp++;
		}
	}
	m->part[pid].flags = f;
	set_unavailable(w, m, pid, (f & PF_EXISTS) && m->part[pid].acting == 0);
}

uint32_t sim_metrics_under_replicated(const struct sim_metrics *m) { return m->urp; }

static void poll_row(const struct sim_world *w, const struct sim_metrics *m, struct row *r)
{
	int32_t c = sim_active_controller(w);
	*r = (struct row){.t_us = w->now,
			  .unavailable = m->unavailable,
			  .leaderless = m->leaderless,
			  .offline = offline_count(m),
			  .urp = m->urp,
			  .controller = c < 0 ? -1 : w->bk[c].id,
			  .queue = sim_ctrl_queue_len(w, c),
			  .in_flight = sim_chan_in_flight(w)};
}

static bool same_values(const struct row *a, const struct row *b)
{
	return a->unavailable == b->unavailable && a->leaderless == b->leaderless && a->offline == b->offline &&
	       a->urp == b->urp && a->controller == b->controller && a->queue == b->queue &&
	       a->in_flight == b->in_flight;
}

static void push_row(struct sim_metrics *m, const struct row *r)
{
	if (m->n_rows == m->cap_rows) {
		m->cap_rows = m->cap_rows ? m->cap_rows * 2 : 256;
		m->rows = sim_xrealloc(m->rows, m->cap_rows * sizeof *m->rows);
	}
	m->rows[m->n_rows++] = *r;
}

static void snapshot(const struct sim_world *w, struct sim_metrics *m)
{
	m->base_events = w->events;
	m->base_reads = w->zk.total_reads;
	m->base_writes = w->zk.total_writes;
}

/* Every hook starts here. During instant start-up the snapshot follows the world, so that
 * only what happens after time 0 is counted; the first hook after it opens the timeline with
 * the state start-up left (the row at time 0). */
static void begin(const struct sim_world *w, struct sim_metrics *m)
{
	if (w->startup_phase) {
		snapshot(w, m);
		return;
	}
	if (m->started)
		return;
	m->started = true;
	struct row r;
	poll_row(w, m, &r);
	r.t_us = 0;
	push_row(m, &r);
}

void sim_metrics_start(struct sim_world *w, struct sim_metrics *m)
{
	if (!m->started && !w->startup_phase)
		snapshot(w, m);
	begin(w, m);
}

/* ---- construction ---- */

struct sim_metrics *sim_metrics_new(struct sim_world *w)
{
	struct sim_metrics *m = sim_xcalloc(1, sizeof *m);
	m->n_parts = w->n_parts;
	m->n_brokers = w->n_brokers;
	m->part = sim_xrealloc(NULL, (size_t)w->n_parts * sizeof *m->part); /* written whole below */
	sim_huge_pages(m->part, (size_t)w->n_parts * sizeof *m->part);
	m->reg = sim_xcalloc(w->n_brokers, sizeof *m->reg);
	m->led = sim_xcalloc(w->n_brokers, sizeof *m->led);
	m->area_t = w->now;
	m->first_election_us = m->last_election_us = SIM_NEVER;
	m->spans = sim_spans_new();
	/* Whatever ZooKeeper already holds (an `initial:` set-up made before the observer) is
	 * taken in once; from here on only the hooks move the counts. */
	for (uint32_t b = 0; b < w->n_brokers; b++)
		m->reg[b] = w->zk.registered[b];
	for (uint32_t pid = 0; pid < w->n_parts; pid++) {
		m->part[pid] = (struct part_metrics){0};
		refresh_partition(w, m, pid);
	}
	snapshot(w, m);
	return m;
}

void sim_metrics_free(struct sim_metrics *m)
{
	if (!m)
		return;
	free(m->part);
	free(m->reg);
	free(m->led);
	free(m->rows);
	sim_spans_free(m->spans);
	free(m);
}

/* ---- hooks ---- */

void sim_metrics_request(struct sim_world *w, struct sim_metrics *m, uint32_t req, bool dropped)
{
	begin(w, m);
	const struct sim_req *r = &w->reqs[req];
	uint8_t type = w->payloads[r->payload].type;
	if (type >= N_REQ_TYPES)
		internal_error(w, "request of unknown type");
	m->requests[type]++;
	if (dropped)
		m->dropped[type]++;
	/* 0.8.2's StopReplica names its one partition outside the entry list */
	m->entries[type] += type == KC_REQ_STOP_REPLICA ? 1 : r->count;
}

void sim_metrics_election(struct sim_world *w, struct sim_metrics *m, const struct kc_election *e)
{
	begin(w, m);
	if (!e->ok)
		return;
	m->elections++;
	if (e->unclean)
		m->unclean++;
	if (m->first_election_us == SIM_NEVER)
		m->first_election_us = w->now;
	m->last_election_us = w->now;
	sim_spans_election(m->spans, w->now);
}

void sim_metrics_prefetch(const struct sim_metrics *m, uint32_t pid) { __builtin_prefetch(&m->part[pid], 1); }

void sim_metrics_leader_role(struct sim_world *w, struct sim_metrics *m, uint32_t b, uint32_t pid, bool acting)
{
	(void)b;
	begin(w, m);
	advance(w, m);
	if (acting) {
		if (m->part[pid].acting == UINT16_MAX)
			internal_error(w, "too many brokers acting as one partition's leader");
		m->part[pid].acting++;
	} else {
		if (m->part[pid].acting == 0)
			internal_error(w, "a broker stopped leading a partition no broker was leading");
		m->part[pid].acting--;
	}
	set_unavailable(w, m, pid, (m->part[pid].flags & PF_EXISTS) && m->part[pid].acting == 0);
}

void sim_metrics_zk(struct sim_world *w, struct sim_metrics *m, enum sim_zk_change what, uint32_t id)
{
	begin(w, m);
	switch (what) {
	case ZKC_STATE:
		advance(w, m);
		refresh_partition(w, m, id);
		break;
	case ZKC_TOPIC: {
		/* creation, growth, reassignment rewrite or deletion: the topic's own partitions */
		advance(w, m);
		uint32_t end = w->first_pid[id] + w->sc->topics[id].max_partitions;
		for (uint32_t pid = w->first_pid[id]; pid < end; pid++)
			refresh_partition(w, m, pid);
		break;
	}
	case ZKC_BROKER: {
		bool now_reg = w->zk.registered[id];
		if (now_reg == m->reg[id])
			break;
		advance(w, m);
		m->reg[id] = now_reg;
		if (now_reg)
			m->offline_led -= m->led[id];
		else
			m->offline_led += m->led[id];
		break;
	}
	case ZKC_CONTROLLER:
	case ZKC_EPOCH:
	case ZKC_ADMIN:
		break; /* the controller column is polled after each event */
	}
}

void sim_metrics_broker_process(struct sim_world *w, struct sim_metrics *m, uint32_t b, bool up)
{
	(void)b;
	begin(w, m);
	if (w->startup_phase)
		return;
	if (up)
		m->broker_starts++;
	else
		m->broker_stops++;
}

void sim_metrics_ctrl_event(struct sim_world *w, struct sim_metrics *m, uint32_t b, const struct sim_cevent *ev,
			    uint64_t t0, uint64_t end)
{
	begin(w, m);
	m->ctrl_events++;
	m->ctrl_busy_us += end - t0;
	if (end - t0 > m->ctrl_event_max_us)
		m->ctrl_event_max_us = end - t0;
	if (t0 >= ev->enqueued_us && t0 - ev->enqueued_us > m->ctrl_wait_max_us)
		m->ctrl_wait_max_us = t0 - ev->enqueued_us;
	if (ev->kind < CE_COUNT)
		m->ctrl_by_kind[ev->kind]++;
	/* A failover span ends with its event, also when the failover aborted (the world's own
	 * op_end covers only the successful one). */
	if (ev->kind == CE_FAILOVER)
		while (sim_spans_end(m->spans, OP_CONTROLLER_FAILOVER, w->bk[b].id, end))
			;
}

/* Simulated start-up (scenario-format Start-up): what happens before the first failover has
 * ended, and the creation of the topics the file lists for start-up. */
static bool is_startup(const struct sim_world *w, enum sim_op op, int64_t key)
{
	if (w->startup_topics_pending)
		return true;
	if (op != OP_TOPIC_CREATION)
		return false;
	enum sim_topic_origin origin = w->sc->topics[key].origin;
	return origin == SIM_TOPIC_TOPICS || origin == SIM_TOPIC_SET;
}

void sim_metrics_op_begin(struct sim_world *w, struct sim_metrics *m, enum sim_op op, int64_t key, int32_t broker,
			  uint64_t t)
{
	begin(w, m);
	sim_spans_begin(m->spans, op, key, broker, t, is_startup(w, op, key));
}

void sim_metrics_op_end(struct sim_world *w, struct sim_metrics *m, enum sim_op op, int64_t key, uint64_t t)
{
	begin(w, m);
	(void)sim_spans_end(m->spans, op, key, t);
}

void sim_metrics_after_event(struct sim_world *w, struct sim_metrics *m)
{
	begin(w, m);
	if (w->startup_phase)
		return;
	struct row r;
	poll_row(w, m, &r);
	struct row *last = &m->rows[m->n_rows - 1];
	if (last->t_us == r.t_us) {
		*last = r;
		/* changes that cancel out within one instant leave no row */
		if (m->n_rows > 1 && same_values(&m->rows[m->n_rows - 2], &r))
			m->n_rows--;
	} else if (!same_values(last, &r)) {
		push_row(m, &r);
	}
}

/* The ZooKeeper-derived counts again, from scratch (architecture S12). */
static void recheck(const struct sim_world *w, const struct sim_metrics *m)
{
	uint32_t leaderless = 0, offline = 0, urp = 0;
	for (uint32_t pid = 0; pid < w->n_parts; pid++) {
		if (!zk_partition_exists(w, pid))
			continue;
		const struct sim_zk_state *s = &w->zk.states[pid];
		int32_t b = s->exists && s->leader >= 0 ? sim_zk_broker_index(&w->zk, s->leader) : -1;
		if (!s->exists || s->leader < 0)
			leaderless++;
		if (b < 0 || !w->zk.registered[b])
			offline++;
		uint32_t isr_len = 0;
		if (s->exists)
			(void)sim_lists_get(w->zk.lists, s->isr, &isr_len);
		if (isr_len < w->zk.topics[w->pid_topic[pid]].view[w->pid_number[pid]].n_replicas)
			urp++;
	}
	if (leaderless != m->leaderless || offline != offline_count(m) || urp != m->urp)
		internal_error(w, "incremental partition counts differ from a recount");
}

void sim_metrics_end(struct sim_world *w, struct sim_metrics *m)
{
	begin(w, m);
	if (m->ended)
		return;
	m->ended = true;
	advance(w, m);
	recheck(w, m);
	/* close the intervals still open; the partitions stay unavailable */
	for (uint32_t pid = 0; pid < m->n_parts; pid++)
		if ((m->part[pid].flags & PF_UNAVAIL) && w->now > m->part[pid].unavail_since) {
			m->part[pid].unavail_us += w->now - m->part[pid].unavail_since;
			m->part[pid].unavail_intervals++;
			m->intervals_total++;
			m->part[pid].unavail_since = w->now;
		}
}

/* ---- writers ---- */

void sim_metrics_write_timeline(const struct sim_metrics *m, FILE *f)
{
	fputs("t_us,unavailable,leaderless,offline,under_replicated,controller,controller_queue,in_flight_requests\n", f);
	for (size_t i = 0; i < m->n_rows; i++) {
		const struct row *r = &m->rows[i];
		fprintf(f, "%" PRIu64 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRId32 ",%" PRIu32 ",%" PRIu32 "\n",
			r->t_us, r->unavailable, r->leaderless, r->offline, r->urp, r->controller, r->queue,
			r->in_flight);
	}
}

/* One line per partition, through a block writer: a million fprintf (or even fputs) calls cost
 * more than the run's last events. */
void sim_metrics_write_partitions(const struct sim_world *w, const struct sim_metrics *m, FILE *f)
{
	fputs("partition,unavailable_us,unavailable_intervals\n", f);
	enum { BLOCK = 1 << 16 };
	char *block = sim_xcalloc(BLOCK, 1);
	struct sim_out o = sim_out_new(f, block, BLOCK);
	for (uint32_t pid = 0; pid < m->n_parts; pid++) {
		if (!(m->part[pid].flags & PF_EVER))
			continue;
		sim_out_str(&o, w->sc->topics[w->pid_topic[pid]].name);
		sim_out_char(&o, '-');
		sim_out_u64(&o, w->pid_number[pid]);
		sim_out_char(&o, ',');
		sim_out_u64(&o, m->part[pid].unavail_us);
		sim_out_char(&o, ',');
		sim_out_u64(&o, m->part[pid].unavail_intervals);
		sim_out_char(&o, '\n');
	}
	sim_out_flush(&o);
	free(block);
}

/* One `"name": value,` line of the figures object. */
static void put_num(FILE *f, int in, const char *name, uint64_t v)
{
	sim_json_indent(f, in);
	fprintf(f, "\"%s\": %" PRIu64 ",\n", name, v);
}

static void put_time(FILE *f, int in, const char *name, uint64_t t)
{
	sim_json_indent(f, in);
	fprintf(f, "\"%s\": ", name);
	sim_json_time(f, t);
	fputs(",\n", f);
}

static void put_by_type(FILE *f, int in, const char *name, const uint64_t *v)
{
	sim_json_indent(f, in);
	fprintf(f, "\"%s\": {", name);
	for (int t = 0; t < N_REQ_TYPES; t++)
		fprintf(f, "%s\"%s\": %" PRIu64, t ? ", " : "", req_names[t], v[t]);
	fputs("},\n", f);
}

void sim_metrics_write_figures(const struct sim_world *w, const struct sim_metrics *m, FILE *f, int indent)
{
	int in = indent + 2;
	uint32_t max_leaderless = 0, max_unavailable = 0, max_queue = 0, max_in_flight = 0;
	for (size_t i = 0; i < m->n_rows; i++) {
		const struct row *r = &m->rows[i];
		if (r->leaderless > max_leaderless)
			max_leaderless = r->leaderless;
		if (r->unavailable > max_unavailable)
			max_unavailable = r->unavailable;
		if (r->queue > max_queue)
			max_queue = r->queue;
		if (r->in_flight > max_in_flight)
			max_in_flight = r->in_flight;
	}
	fputs("{\n", f);
	put_num(f, in, "events", w->events - m->base_events);
	put_num(f, in, "controller_events", m->ctrl_events);
	put_num(f, in, "controller_busy_us", m->ctrl_busy_us);
	put_num(f, in, "controller_event_max_us", m->ctrl_event_max_us);
	put_num(f, in, "controller_queue_wait_max_us", m->ctrl_wait_max_us);
	sim_json_indent(f, in);
	fputs("\"controller_events_by_kind\": {", f);
	bool first = true;
	for (int k = 0; k < CE_COUNT; k++)
		if (m->ctrl_by_kind[k]) {
			fprintf(f, "%s\"%s\": %" PRIu64, first ? "" : ", ", cev_names[k], m->ctrl_by_kind[k]);
			first = false;
		}
	fputs("},\n", f);
	put_num(f, in, "zk_reads", w->zk.total_reads - m->base_reads);
	put_num(f, in, "zk_writes", w->zk.total_writes - m->base_writes);
	put_by_type(f, in, "requests", m->requests);
	put_by_type(f, in, "requests_dropped", m->dropped);
	put_by_type(f, in, "request_entries", m->entries);
	put_num(f, in, "leader_elections", m->elections);
	put_num(f, in, "unclean_elections", m->unclean);
	put_time(f, in, "first_election_us", m->first_election_us);
	put_time(f, in, "last_election_us", m->last_election_us);
	put_num(f, in, "leaderless_partition_us", m->leaderless_us);
	put_num(f, in, "max_leaderless_partitions", max_leaderless);
	put_num(f, in, "unavailable_partition_us", m->unavailable_us);
	put_num(f, in, "max_unavailable_partitions", max_unavailable);
	put_num(f, in, "unavailable_intervals", m->intervals_total);
	put_num(f, in, "max_controller_queue", max_queue);
	put_num(f, in, "max_in_flight_requests", max_in_flight);
	put_num(f, in, "broker_starts", m->broker_starts);
	put_num(f, in, "broker_stops", m->broker_stops);
	sim_json_indent(f, in);
	fprintf(f,
		"\"end_counts\": {\"unavailable\": %" PRIu32 ", \"leaderless\": %" PRIu32 ", \"offline\": %" PRIu32
		", \"under_replicated\": %" PRIu32 "},\n",
		m->unavailable, m->leaderless, offline_count(m), m->urp);
	sim_json_indent(f, in);
	fputs("\"leaders_per_broker\": {", f);
	for (uint32_t b = 0; b < m->n_brokers; b++)
		fprintf(f, "%s\"%" PRId32 "\": %" PRIu32, b ? ", " : "", w->bk[b].id, m->led[b]);
	fputs("},\n", f);
	sim_spans_write(w, m->spans, f, in);
	sim_json_indent(f, indent);
	fputc('}', f);
}
