/* sim_world.c — the world's construction, its clock helpers (scheduling, jitter), replica
 * records, deferral of events for paused or cut-off brokers, and the predicates every module
 * shares (who is the active controller, which partitions exist). */
#define _DEFAULT_SOURCE /* madvise's MADV_HUGEPAGE */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sim_observe.h"
#include "sim_world.h"

/* ZooKeeper fired a watch: the notification reaches the watcher zk_read_latency later. */
static void on_fire(void *ctx, int kind, uint32_t id, int32_t watcher)
{
	struct sim_world *w = ctx;
	uint64_t t = w->now + (w->startup_phase ? 0 : w->cfg->zk_read_latency_us + sim_jitter(w));
	int64_t who = watcher | (int64_t)w->bk[watcher].incarnation << 32;
	sim_schedule(w, t, SIM_CLASS_ZK_WATCH, EV_NOTIFY, who, kind, id);
}

/* Admin operations end when ZooKeeper shows them done: a created topic's partitions all have
 * state znodes, a deleted topic's znode is gone, a reassigned partition has left
 * /admin/reassign_partitions, the preferred election's znode is deleted. */
static void end_admin_spans(struct sim_world *w, enum sim_zk_change what, uint32_t id)
{
	struct sim_zk *zk = &w->zk;
	if (what == ZKC_STATE && zk->states[id].exists && zk->states[id].version == 0) {
		uint32_t t = w->pid_topic[id];
		if (w->creating_missing[t] && --w->creating_missing[t] == 0)
			sim_end_span(w, OP_TOPIC_CREATION, t);
	} else if (what == ZKC_TOPIC && !zk->topics[id].exists) {
		w->creating_missing[id] = 0;
		sim_end_span(w, OP_TOPIC_DELETION, id);
	} else if (what == ZKC_ADMIN && id == 2 && !zk->preferred_exists) {
		sim_end_span(w, OP_PREFERRED_ELECTION, 0);
	} else if (what == ZKC_ADMIN && id == 1) {
		uint32_t keep = 0;
		for (uint32_t i = 0; i < w->n_reassigning; i++) {
			uint32_t pid = w->reassigning[i];
			bool listed = false;
			for (uint32_t j = 0; zk->reassign_exists && j < zk->n_reassign && !listed; j++)
				listed = sim_zk_pid(zk, zk->reassign[j].topic, zk->reassign[j].partition) == pid;
			if (listed)
				w->reassigning[keep++] = pid;
			else
				sim_end_span(w, OP_REASSIGNMENT, pid);
		}
		w->n_reassigning = keep;
	}
}

static void on_zk_change(void *ctx, int what, uint32_t id)
{
	struct sim_world *w = ctx;
	sim_obs_zk(w, (enum sim_zk_change)what, id);
	end_admin_spans(w, (enum sim_zk_change)what, id);
}

/* Admin spans end with the controller event that completes them, like the failover and broker
 * spans, so that every span in a timing plot means "until the controller was done". */
void sim_end_span(struct sim_world *w, int op, int64_t key)
{
	if (w->running_ctrl < 0 || w->n_ending == sizeof w->ending / sizeof w->ending[0]) {
		sim_obs_op_end(w, (enum sim_op)op, key, w->now);
		return;
	}
	w->ending[w->n_ending++] = (struct sim_span_end){(uint8_t)op, key};
}

void sim_end_spans_of_event(struct sim_world *w, uint64_t end)
{
	for (uint32_t i = 0; i < w->n_ending; i++)
		sim_obs_op_end(w, (enum sim_op)w->ending[i].op, w->ending[i].key, end);
	w->n_ending = 0;
}

void sim_track_creation(struct sim_world *w, uint32_t topic, uint32_t partitions)
{
	w->creating_missing[topic] = partitions;
}

void sim_track_reassignment(struct sim_world *w, uint32_t pid)
{
	if (w->n_reassigning == w->cap_reassigning) {
		w->cap_reassigning = w->cap_reassigning ? w->cap_reassigning * 2 : 16;
		w->reassigning = sim_xrealloc(w->reassigning, w->cap_reassigning * sizeof *w->reassigning);
	}
	w->reassigning[w->n_reassigning++] = pid;
}

static void reps_lay_out(struct sim_world *w);

void sim_world_init(struct sim_world *w, const struct sim_scenario *sc)
{
	memset(w, 0, sizeof *w);
	w->sc = sc;
	w->cfg = &sc->config;
	w->running_ctrl = -1;
	w->flush_corr = -1;
	w->bk_calm = true;
	sim_queue_init(&w->q);
	sim_rng_seed(&w->jitter_rng, sc->seed, SIM_STREAM_JITTER);
	sim_rng_seed(&w->placement_rng, sc->seed, SIM_STREAM_PLACEMENT);
	sim_lists_init(&w->lists);
	for (uint32_t i = 0; i < SIM_INJECT_COUNT; i++) {
		w->inject_on[i] = sc->inject_on[i];
		if (sc->inject_on[i])
			w->inject |= sim_inject_info((enum sim_inject)i)->kc_bit;
	}
	w->n_topics = sc->n_topics;
	w->first_pid = sim_xcalloc(sc->n_topics + 1, sizeof *w->first_pid);
	for (uint32_t t = 0; t < sc->n_topics; t++)
		w->first_pid[t + 1] = w->first_pid[t] + sc->topics[t].max_partitions;
	w->n_parts = w->first_pid[sc->n_topics];
	/* not zeroed: the loop below writes every pid's entry */
	w->pid_topic = sim_xrealloc(NULL, w->n_parts * sizeof *w->pid_topic);
	w->pid_number = sim_xrealloc(NULL, w->n_parts * sizeof *w->pid_number);
	for (uint32_t t = 0; t < sc->n_topics; t++)
		for (uint32_t p = 0; p < sc->topics[t].max_partitions; p++) {
			w->pid_topic[w->first_pid[t] + p] = t;
			w->pid_number[w->first_pid[t] + p] = p;
		}
	w->rep_slot = sim_xcalloc(w->n_parts, sizeof *w->rep_slot);
	sim_huge_pages(w->rep_slot, w->n_parts * sizeof *w->rep_slot);
	reps_lay_out(w);
	w->n_brokers = sc->n_brokers;
	w->bk = sim_xcalloc(sc->n_brokers, sizeof *w->bk);
	w->leader_mark = sim_xcalloc(sc->n_brokers, sizeof *w->leader_mark);
	for (uint32_t b = 0; b < sc->n_brokers; b++) {
		struct sim_bk *k = &w->bk[b];
		k->id = sc->brokers[b].id;
		k->stall_since = k->silent_since = 0;
		k->believed_controller = -1;
		k->rolling = -1;
	}
	sim_zk_init(&w->zk, sc, &w->lists, w->first_pid, w->n_parts, on_fire, w);
	w->zk.observe = on_zk_change;
	w->zk.skip_version_check = w->inject_on[SIM_INJECT_SELFTEST_EPOCH_REWIND];
	w->zk.cost.pipelined = sc->config.zk_mode == SIM_ZK_PIPELINED;
	w->zk.cost.max_in_flight = sc->config.zk_max_in_flight;
	w->zk.cost.read_us = sc->config.zk_read_latency_us;
	w->zk.cost.write_us = sc->config.zk_write_latency_us;
	sim_zk_store(&w->zk, &w->store);
	sim_ctrl_init_sink(w);
	w->creating_missing = sim_xcalloc(sc->n_topics, sizeof *w->creating_missing);
	w->rolling_pos = sim_xcalloc(sc->n_timeline, sizeof *w->rolling_pos);
	w->rolling_deadline = sim_xcalloc(sc->n_timeline, sizeof *w->rolling_deadline);
	w->rolling_wait_step = sim_xcalloc(sc->n_timeline, sizeof *w->rolling_wait_step);
	w->rolling_waiting = sim_xcalloc(sc->n_timeline, sizeof *w->rolling_waiting);
	w->meta = sim_xcalloc(1, sizeof *w->meta);
	w->n_meta = w->cap_meta = 1;
	sim_mc_init(&w->mc, w->n_parts);
}

void sim_world_free(struct sim_world *w)
{
	for (uint32_t b = 0; b < w->n_brokers; b++) {
		struct sim_bk *k = &w->bk[b];
		kc_controller_free(k->kc);
		free(k->fifo);
		if (k->chan)
			for (uint32_t t = 0; t < w->n_brokers; t++)
				free(k->chan[t].q);
		free(k->chan);
		free(k->deferred);
		free(k->hosted);
		free(k->isr_cand);
	}
	free(w->bk);
	free(w->leader_mark);
	sim_zk_free(&w->zk);
	sim_lists_free(&w->lists);
	sim_queue_free(&w->q);
	free(w->first_pid);
	free(w->pid_topic);
	free(w->pid_number);
	free(w->reps_mem);
	free(w->rep_slot);
	for (uint32_t i = 0; i < w->n_payloads; i++)
		free(w->payloads[i].entries);
	free(w->payloads);
	free(w->entry_ar);
	free(w->meta);
	sim_mc_free(&w->mc);
	free(w->reqs);
	free(w->payload);
	free(w->creating_missing);
	free(w->reassigning);
	free(w->rolling_pos);
	free(w->rolling_deadline);
	free(w->rolling_wait_step);
	free(w->rolling_waiting);
	memset(w, 0, sizeof *w);
}

void sim_schedule(struct sim_world *w, uint64_t t, enum sim_class cls, enum sim_ev kind, int64_t a, int64_t b,
		  int64_t c)
{
	sim_queue_push(&w->q, t < w->now ? w->now : t, cls, kind, a, b, c);
	if (!sim_ev_periodic(kind))
		w->pending_nonperiodic++;
	w->pending_kind[kind]++;
}

uint64_t sim_jitter(struct sim_world *w)
{
	uint64_t j = w->cfg->latency_jitter_us;
	return j && !w->startup_phase ? sim_rng_below(&w->jitter_rng, j + 1) : 0;
}

/* ---- replica records: per pid a small slice, sorted by broker index ---- */
/* BACKGROUND: brokers reach replica slots and records in no order a cache or a TLB can
 * follow; at a million partitions (16 MB of slots, 192 MB of records) nearly every lookup
 * also missed the TLB and walked the page tables, and the prefetches waited on the walks.
 * BEHAVIOR: the whole 2 MiB pages inside such an array are offered to the kernel for huge
 * pages (transparent huge pages in madvise mode): one TLB entry covers 512 times as much, and
 * one fault maps it. Advice only: nothing observable changes if the kernel declines. */
void sim_huge_pages(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t from = ((uintptr_t)p + huge - 1) & ~(huge - 1), to = ((uintptr_t)p + n) & ~(huge - 1);
	if (to > from)
		(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

/* reps grown to cap_reps records, each on a cache line of its own (realloc keeps only the
 * allocator's alignment, so the records move if the block's offset to a line changed). */
static void reps_realloc(struct sim_world *w)
{
	size_t line = sizeof *w->reps;
	size_t was = w->reps_mem ? (size_t)((char *)w->reps - (char *)w->reps_mem) : 0;
	char *mem = sim_xrealloc(w->reps_mem, (size_t)w->cap_reps * line + line - 1);
	size_t now = (line - (uintptr_t)mem % line) % line;
	if (now != was)
		memmove(mem + now, mem + was, (size_t)w->n_reps * line);
	w->reps_mem = mem;
	w->reps = (struct sim_rep *)(void *)(mem + now);
	sim_huge_pages(mem, (size_t)w->cap_reps * line + line - 1);
}

/* Start-up topics' slices are laid out in pid order with room for their replicas, so that the
 * sweeps over every partition (the checker's) read records in memory order; other slices
 * are placed when their first record is made. */
static void reps_lay_out(struct sim_world *w)
{
	uint64_t n = 0;
	for (uint32_t t = 0; t < w->sc->n_topics; t++) {
		const struct sim_topic *tp = &w->sc->topics[t];
		if (tp->origin == SIM_TOPIC_TOPICS || tp->origin == SIM_TOPIC_SET)
			n += (uint64_t)tp->partitions * tp->replication_factor;
	}
	if (n == 0 || n > UINT32_MAX / 2)
		return;
	w->cap_reps = (uint32_t)n;
	reps_realloc(w);
	for (uint32_t t = 0; t < w->sc->n_topics; t++) {
		const struct sim_topic *tp = &w->sc->topics[t];
		if (tp->origin != SIM_TOPIC_TOPICS && tp->origin != SIM_TOPIC_SET)
			continue;
		for (uint32_t p = 0; p < tp->partitions && tp->replication_factor > 0; p++) {
			struct sim_rep_slot *s = &w->rep_slot[w->first_pid[t] + p];
			s->off = w->n_reps;
			s->cap = (uint16_t)tp->replication_factor;
			w->n_reps += tp->replication_factor;
		}
	}
}

/* Make room for one more record in pid's slice (it moves to the end of reps when full). */
static struct sim_rep_slot *rep_room(struct sim_world *w, uint32_t pid)
{
	struct sim_rep_slot *s = &w->rep_slot[pid];
	if (s->len < s->cap)
		return s;
	uint32_t cap = s->cap ? s->cap * 2u : 3u;
	if (w->n_reps + cap > w->cap_reps) {
		w->cap_reps = w->cap_reps ? w->cap_reps * 2 : 1024;
		while (w->n_reps + cap > w->cap_reps)
			w->cap_reps *= 2;
		reps_realloc(w);
	}
	memcpy(w->reps + w->n_reps, w->reps + s->off, s->len * sizeof *w->reps);
	s->off = w->n_reps;
	s->cap = (uint16_t)cap;
	w->n_reps += cap;
	return s;
}

struct sim_rep *sim_rep_get(struct sim_world *w, uint32_t pid, int32_t b)
{
	struct sim_rep *r = sim_rep_find(w, pid, b);
	struct sim_bk *k = &w->bk[b];
	if (!r) {
		struct sim_rep_slot *s = rep_room(w, pid);
		struct sim_rep *v = w->reps + s->off;
		uint32_t i = s->len;
		for (; i > 0 && (i <= SIM_REP_INLINE ? s->broker[i - 1] : v[i - 1].broker) > b; i--) {
			v[i] = v[i - 1];
			if (i < SIM_REP_INLINE)
				s->broker[i] = s->broker[i - 1];
		}
		r = &v[i];
		memset(r, 0, sizeof *r);
		r->broker = b;
		r->incarnation = k->incarnation - 1; /* stale until claimed below */
		if (i < SIM_REP_INLINE)
			s->broker[i] = (int16_t)b;
		s->len++;
	}
	if (r->incarnation != k->incarnation) {
		/* a new incarnation starts without the partition; the leader's view of this follower
		 * (last_caught_up_us) survives the restart */
		uint64_t last = r->last_caught_up_us;
		memset(r, 0, sizeof *r);
		r->broker = b;
		r->incarnation = k->incarnation;
		r->leader = KC_NO_LEADER;
		r->leader_epoch = -1;
		r->fetch_from = -1;
		r->last_caught_up_us = last;
		if (k->n_hosted == k->cap_hosted) {
			k->cap_hosted = k->cap_hosted ? k->cap_hosted * 2 : 64;
			k->hosted = sim_xrealloc(k->hosted, k->cap_hosted * sizeof *k->hosted);
		}
		r->hosted_ix = k->n_hosted;
		k->hosted[k->n_hosted++] = pid;
	}
	return r;
}

/* ---- pause and isolation ---- */
void sim_defer(struct sim_world *w, uint32_t b, const struct sim_event *e)
{
	struct sim_bk *k = &w->bk[b];
	if (k->n_deferred == k->cap_deferred) {
		k->cap_deferred = k->cap_deferred ? k->cap_deferred * 2 : 16;
		k->deferred = sim_xrealloc(k->deferred, k->cap_deferred * sizeof *k->deferred);
	}
	k->deferred[k->n_deferred++] = *e;
	sim_bk_settle(w);
}

/* Deferred events run again now, in the order they first arrived. */
void sim_replay_deferred(struct sim_world *w, uint32_t b)
{
	struct sim_bk *k = &w->bk[b];
	for (uint32_t i = 0; i < k->n_deferred; i++) {
		const struct sim_event *e = &k->deferred[i];
		sim_schedule(w, w->now, (enum sim_class)e->cls, (enum sim_ev)e->kind, e->a, e->b, e->c);
	}
	k->n_deferred = 0;
	sim_bk_settle(w);
}

int32_t sim_active_controller(const struct sim_world *w)
{
	int32_t c = w->zk.controller;
	if (c < 0)
		return -1;
	const struct sim_bk *k = &w->bk[c];
	return k->up && k->failover_started && !sim_bk_paused(w, (uint32_t)c) && k->kc && kc_is_active(k->kc) ? c : -1;
}

void sim_bk_settle(struct sim_world *w)
{
	bool calm = true;
	uint64_t busy = 0;
	for (uint32_t b = 0; b < w->n_brokers; b++) {
		const struct sim_bk *k = &w->bk[b];
		if (!k->up)
			continue;
		calm = calm && k->fifo_len == 0 && !k->shutting_down && k->n_deferred == 0;
		if (k->busy_until > busy)
			busy = k->busy_until;
	}
	w->bk_calm = calm;
	w->bk_busy_until = busy;
}

bool sim_quiescent_point(const struct sim_world *w)
{
	const uint32_t *p = w->pending_kind;
	if (w->in_flight || p[EV_NOTIFY] || p[EV_DELIVER] || p[EV_RESPONSE] || p[EV_CS_DELIVER] ||
	    p[EV_CS_RESPONSE] || p[EV_CTRL_RUN])
		return false;
	bool calm = w->bk_calm && w->now >= w->bk_busy_until;
#ifdef SIM_DEBUG_CHECK
	/* the summary against every broker: a missing sim_bk_settle shows here */
	bool all = true;
	for (uint32_t b = 0; b < w->n_brokers; b++) {
		const struct sim_bk *k = &w->bk[b];
		if (k->up && (k->fifo_len > 0 || k->busy_until > w->now || k->shutting_down || k->n_deferred > 0))
			all = false;
	}
	if (all != calm) {
		fprintf(stderr, "kcsim: broker summary stale (a change without sim_bk_settle)\n");
		abort();
	}
#endif
	return calm;
}

