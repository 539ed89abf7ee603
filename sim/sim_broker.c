/* sim_broker.c — simulated Kafka brokers (architecture S7, S9, S10; spec/controller.md §10):
 * process life (start, crash, controlled shutdown, pause, isolation), the ZooKeeper session
 * (registration with 0.8.2's back-off, expiry and noticing it), controller election, handling
 * of LeaderAndIsr / UpdateMetadata / StopReplica with epoch fencing, and replication without
 * data: a follower is caught up replica_catch_up after it starts fetching from a reachable
 * leader, and leaders expand and shrink the ISR in ZooKeeper with conditional writes. */
#include <stdlib.h>
#include <string.h>

#include "sim_observe.h"
#include "sim_world.h"

static bool stalled(const struct sim_world *w, uint32_t b)
{
	return !w->bk[b].up || sim_bk_paused(w, b) || sim_bk_brokers_cut(w, b);
}

static void update_stall(struct sim_world *w, uint32_t b)
{
	struct sim_bk *k = &w->bk[b];
	bool s = stalled(w, b);
	if (s && k->stall_since == SIM_NEVER)
		k->stall_since = w->now;
	else if (!s)
		k->stall_since = SIM_NEVER;
	bool silent = !k->up || sim_bk_paused(w, b) || sim_bk_zk_cut(w, b);
	if (silent && k->silent_since == SIM_NEVER)
		k->silent_since = w->now;
	else if (!silent)
		k->silent_since = SIM_NEVER;
}

/* ---- replication ---- */

/* Is follower record r fetching from a live, reachable leader that still leads? */
static bool healthy(struct sim_world *w, uint32_t pid, const struct sim_rep *r)
{
	if (!sim_rep_live(w, r) || r->fetch_from < 0)
		return false;
	uint32_t f = (uint32_t)r->broker, l = (uint32_t)r->fetch_from;
	if (stalled(w, f) || stalled(w, l))
		return false;
	const struct sim_rep *lr = sim_rep_find(w, pid, (int32_t)l);
	return sim_rep_live(w, lr) && lr->role == ROLE_LEADER;
}

/* When the follower of fetch r, which stopped at stop_us, was last caught up. */
static uint64_t caught_up_until(const struct sim_world *w, const struct sim_rep *r, uint64_t stop_us)
{
	uint64_t caught_at = r->since_us + w->cfg->replica_catch_up_us;
	if (stop_us != SIM_NEVER && stop_us >= caught_at && stop_us > r->last_caught_up_us)
		return stop_us;
	return r->last_caught_up_us;
}

/* When the follower was last caught up with leader l, as the leader would see it. */
static uint64_t last_caught_up(struct sim_world *w, uint32_t pid, const struct sim_rep *r, uint32_t l)
{
	if (!r)
		return 0;
	if (r->fetch_from != (int32_t)l)
		return r->last_caught_up_us;
	uint64_t caught_at = r->since_us + w->cfg->replica_catch_up_us;
	if (healthy(w, pid, r))
		return w->now >= caught_at ? w->now : r->last_caught_up_us;
	/* stalled: the fetch stopped when the first of the two stalled */
	uint64_t s = SIM_NEVER;
	const struct sim_bk *f = &w->bk[r->broker], *lk = &w->bk[l];
	uint64_t fs = sim_rep_live(w, r) ? f->stall_since : f->down_since;
	if (fs < s)
		s = fs;
	if (lk->stall_since < s)
		s = lk->stall_since;
	return caught_up_until(w, r, s);
}

/* ISR checks (S9) look only at candidates: a check can shrink an ISR only where a follower
 * is not caught up with a healthy fetch from the leader, and whatever can make one so puts the
 * partition on its leader's list — a fetch starting or stopping, a leadership or ISR taken, a
 * broker crashing or stalling. The check drops the partitions it finds all caught up. */
static void isr_cand(struct sim_world *w, uint32_t pid, int32_t leader)
{
	struct sim_rep *r = sim_rep_find(w, pid, leader);
	if (!sim_rep_live(w, r))
		return;
	struct sim_bk *k = &w->bk[leader];
	uint32_t word = r->hosted_ix / 64;
	if (word >= k->n_isr_cand_words) {
		uint32_t n = k->n_isr_cand_words ? k->n_isr_cand_words * 2 : 16;
		while (word >= n)
			n *= 2;
		k->isr_cand = sim_xrealloc(k->isr_cand, n * sizeof *k->isr_cand);
		memset(k->isr_cand + k->n_isr_cand_words, 0, (n - k->n_isr_cand_words) * sizeof *k->isr_cand);
		k->n_isr_cand_words = n;
	}
	k->isr_cand[word] |= (uint64_t)1 << (r->hosted_ix % 64);
}

/* Broker b stops: the partitions it leads and those it follows become candidates. */
static void isr_cand_stall(struct sim_world *w, uint32_t b)
{
	struct sim_bk *k = &w->bk[b];
	for (uint32_t i = 0; i < k->n_hosted; i++) {
		const struct sim_rep *r = sim_rep_find(w, k->hosted[i], (int32_t)b);
		if (!sim_rep_live(w, r))
			continue;
		if (r->role == ROLE_LEADER)
			isr_cand(w, k->hosted[i], (int32_t)b);
		if (r->fetch_from >= 0)
			isr_cand(w, k->hosted[i], r->fetch_from);
	}
}

/* The fetch ends; the follower was last caught up at last_us. */
static void end_fetch(struct sim_world *w, uint32_t pid, struct sim_rep *r, uint64_t last_us)
{
	isr_cand(w, pid, r->fetch_from);
	r->last_caught_up_us = last_us;
	r->fetch_from = -1;
	r->fetch_gen++;
}

static void stop_fetch(struct sim_world *w, uint32_t pid, struct sim_rep *r)
{
	if (r->fetch_from < 0)
		return;
	end_fetch(w, pid, r, last_caught_up(w, pid, r, (uint32_t)r->fetch_from));
}

static void start_fetch(struct sim_world *w, uint32_t pid, struct sim_rep *r, uint32_t leader)
{
	if (r->fetch_from >= 0)
		stop_fetch(w, pid, r);
	r->fetch_from = (int32_t)leader;
	r->since_us = w->now;
	r->fetch_gen++;
	isr_cand(w, pid, (int32_t)leader);
	sim_schedule(w, w->now + w->cfg->replica_catch_up_us, SIM_CLASS_BROKER_TIMER, EV_CATCHUP, r->broker, pid,
		     (int64_t)r->fetch_gen);
}

/* A leader's conditional ISR write (S9), with KAFKA-1382's re-read on a version conflict. */
static void write_isr(struct sim_world *w, uint32_t pid, struct sim_rep *lr, uint32_t isr)
{
	int32_t v;
	int32_t id = w->bk[lr->broker].id;
	enum kc_zk_rc rc = sim_zk_update_isr(&w->zk, pid, id, lr->leader_epoch, lr->ctrl_epoch, isr, lr->zk_version, &v);
	if (rc == KC_ZK_OK) {
		lr->isr = isr;
		lr->zk_version = v;
		isr_cand(w, pid, lr->broker);
		return;
	}
	const struct sim_zk_state *s = &w->zk.states[pid];
	w->zk.total_reads++;
	if (rc == KC_ZK_BADVERSION && s->leader == id && s->leader_epoch == lr->leader_epoch && s->isr == isr) {
		lr->isr = isr;
		lr->zk_version = s->version;
		isr_cand(w, pid, lr->broker);
	}
	/* else: "Cached zkVersion not equal to that in zookeeper, skip updating ISR" */
}

static void on_catchup(struct sim_world *w, uint32_t b, uint32_t pid, uint64_t gen)
{
	struct sim_rep *r = sim_rep_find(w, pid, (int32_t)b);
	if (!sim_rep_live(w, r) || r->fetch_gen != gen || !healthy(w, pid, r))
		return; /* a stalled fetch starts again when the stall ends */
	uint32_t l = (uint32_t)r->fetch_from;
	struct sim_rep *lr = sim_rep_find(w, pid, (int32_t)l);
	if (sim_bk_zk_cut(w, l)) {
		sim_schedule(w, w->bk[l].iso_zk_until, SIM_CLASS_BROKER_TIMER, EV_CATCHUP, b, pid, (int64_t)gen);
		return;
	}
	int32_t id = w->bk[b].id;
	bool in_ar = sim_lists_has(&w->lists, lr->ar, id) || w->inject_on[SIM_INJECT_KAFKA_1097];
	if (!in_ar || sim_lists_has(&w->lists, lr->isr, id))
		return;
	uint32_t n;
	const int32_t *isr = sim_lists_get(&w->lists, lr->isr, &n);
	int32_t grown[KC_MAX_REPLICAS + 1];
	memcpy(grown, isr, n * sizeof *isr);
	grown[n] = id;
	write_isr(w, pid, lr, sim_lists_intern(&w->lists, grown, n + 1));
}

/* Catch-ups come in bursts (a start-up's two million, replica_catch_up after the
 * LeaderAndIsr): ask for the records of those a few events ahead. */
static void prefetch_catchups(const struct sim_world *w)
{
	const struct sim_event *e = sim_queue_ahead(&w->q, 2 * SIM_REP_PREFETCH_AHEAD);
	if (e && e->kind == EV_CATCHUP)
		sim_rep_prefetch_slot(w, (uint32_t)e->b);
	e = sim_queue_ahead(&w->q, SIM_REP_PREFETCH_AHEAD);
	if (e && e->kind == EV_CATCHUP)
		sim_rep_prefetch(w, (uint32_t)e->b);
}

/* The leader's check of one candidate partition: followers not caught up for more than
 * replica_lag_time_max leave the ISR. False: all caught up, no longer a candidate. A shrink
 * that the leader, cut off from ZooKeeper, cannot write sets *waits. */
static bool isr_check_one(struct sim_world *w, uint32_t b, uint32_t pid, bool zk_ok, bool *waits)
{
	struct sim_rep *lr = sim_rep_find(w, pid, (int32_t)b);
	if (!sim_rep_live(w, lr) || lr->role != ROLE_LEADER)
		return false; /* a leadership taken again makes it one again */
	uint32_t n, m = 0;
	const int32_t *isr = sim_lists_get(&w->lists, lr->isr, &n);
	int32_t keep[KC_MAX_REPLICAS];
	bool all_caught_up = true;
	for (uint32_t j = 0; j < n; j++) {
		int32_t f = sim_bidx(w, isr[j]);
		if (isr[j] == w->bk[b].id || f < 0) {
			keep[m++] = isr[j];
			continue;
		}
		const struct sim_rep *fr = sim_rep_find(w, pid, f);
		if (fr && fr->fetch_from == (int32_t)b && w->now >= fr->since_us + w->cfg->replica_catch_up_us &&
		    healthy(w, pid, fr)) {
			keep[m++] = isr[j]; /* caught up now */
			continue;
		}
		all_caught_up = false;
		uint64_t last = last_caught_up(w, pid, fr, b);
		if (last < lr->since_us)
			last = lr->since_us;
		if (w->now - last <= w->cfg->replica_lag_time_max_us)
			keep[m++] = isr[j];
	}
	if (m < n && zk_ok)
		write_isr(w, pid, lr, sim_lists_intern(&w->lists, keep, m));
	else if (m < n)
		*waits = true;
	return m < n || !all_caught_up;
}

/* The leader's periodic check walks its candidates (isr_cand) in the order it hosts them, a
 * batch at a time so that it can ask for the records of those ahead. True: a shrink it decided
 * waits for ZooKeeper. */
static bool isr_check(struct sim_world *w, uint32_t b)
{
	struct sim_bk *k = &w->bk[b];
	bool zk_ok = !sim_bk_zk_cut(w, b), waits = false;
	uint32_t batch[256];
	for (uint32_t word = 0; word < k->n_isr_cand_words;) {
		uint32_t n = 0;
		for (; word < k->n_isr_cand_words && n + 64 <= sizeof batch / sizeof batch[0]; word++)
			for (uint64_t bits = k->isr_cand[word]; bits; bits &= bits - 1)
				batch[n++] = word * 64 + (uint32_t)__builtin_ctzll(bits);
		for (uint32_t i = 0; i < n; i++) {
			if (i + 2 * SIM_REP_PREFETCH_AHEAD < n)
				sim_rep_prefetch_slot(w, k->hosted[batch[i + 2 * SIM_REP_PREFETCH_AHEAD]]);
			if (i + SIM_REP_PREFETCH_AHEAD < n)
				sim_rep_prefetch(w, k->hosted[batch[i + SIM_REP_PREFETCH_AHEAD]]);
			if (!isr_check_one(w, b, k->hosted[batch[i]], zk_ok, &waits))
				k->isr_cand[batch[i] / 64] &= ~((uint64_t)1 << (batch[i] % 64));
		}
	}
	return waits;
}

/* A fetch starts again from leader l. If broker b's stall (since stalled_since) had
 * interrupted it, the follower was last caught up before that stall, not now: the fetch is
 * healthy again only from this instant. */
static void restart_fetch(struct sim_world *w, uint32_t pid, struct sim_rep *r, uint32_t l, uint64_t stalled_since)
{
	if (stalled_since != SIM_NEVER)
		end_fetch(w, pid, r, caught_up_until(w, r, stalled_since));
	start_fetch(w, pid, r, l);
}

/* Fetches that a stall interrupted start again (a new catch-up) once both ends can talk.
 * stalled_since: when b's own stall, now over, began (SIM_NEVER: b was not stalled). */
static void restart_fetches(struct sim_world *w, uint32_t b, uint64_t stalled_since)
{
	struct sim_bk *k = &w->bk[b];
	for (uint32_t i = 0; i < k->n_hosted; i++) {
		uint32_t pid = k->hosted[i];
		struct sim_rep *r = sim_rep_find(w, pid, (int32_t)b);
		if (!sim_rep_live(w, r))
			continue;
		if (r->role == ROLE_FOLLOWER && r->fetch_from >= 0 && !healthy(w, pid, r))
			continue;
		if (r->role == ROLE_FOLLOWER && r->fetch_from >= 0)
			restart_fetch(w, pid, r, (uint32_t)r->fetch_from, stalled_since);
		if (r->role != ROLE_LEADER)
			continue;
		uint32_t n;
		struct sim_rep *v = sim_rep_slice(w, pid, &n);
		for (uint32_t j = 0; j < n; j++)
			if (v[j].fetch_from == (int32_t)b && healthy(w, pid, &v[j]))
				restart_fetch(w, pid, &v[j], b, stalled_since);
	}
}

/* Leaders stop (or start again) acting for clients when their process freezes or resumes. */
static void announce_leaderships(struct sim_world *w, uint32_t b, bool acting)
{
	struct sim_bk *k = &w->bk[b];
	for (uint32_t i = 0; i < k->n_hosted; i++) {
		struct sim_rep *r = sim_rep_find(w, k->hosted[i], (int32_t)b);
		if (r && r->incarnation == k->incarnation && r->role == ROLE_LEADER)
			sim_obs_leader_role(w, b, k->hosted[i], acting, r->leader_epoch);
	}
}

/* ---- requests (spec §10) ---- */
static void make_leader(struct sim_world *w, uint32_t b, uint32_t pid, struct sim_rep *r, const struct sim_entry *e)
{
	bool was = r->role == ROLE_LEADER;
	if (was)
		sim_obs_leader_role(w, b, pid, false, r->leader_epoch);
	stop_fetch(w, pid, r);
	r->role = ROLE_LEADER;
	r->leader = w->bk[b].id;
	r->leader_epoch = e->leader_epoch;
	r->zk_version = e->zk_version;
	r->ctrl_epoch = e->ctrl_epoch;
	r->isr = e->isr;
	r->ar = e->ar;
	r->since_us = w->now;
	isr_cand(w, pid, (int32_t)b);
	sim_obs_leader_role(w, b, pid, true, r->leader_epoch);
	/* followers that reached this broker before it led start catching up now */
	uint32_t n;
	struct sim_rep *v = sim_rep_slice(w, pid, &n);
	for (uint32_t j = 0; j < n; j++)
		if (&v[j] != r && v[j].fetch_from == (int32_t)b && sim_rep_live(w, &v[j]) &&
		    w->now >= v[j].since_us + w->cfg->replica_catch_up_us)
			start_fetch(w, pid, &v[j], b);
}

static void make_follower(struct sim_world *w, uint32_t b, uint32_t pid, struct sim_rep *r, const struct sim_entry *e)
{
	if (r->role == ROLE_LEADER)
		sim_obs_leader_role(w, b, pid, false, r->leader_epoch);
	bool changed = r->role != ROLE_FOLLOWER || r->leader != e->leader || r->fetch_from < 0;
	r->role = ROLE_FOLLOWER;
	r->leader = e->leader;
	r->leader_epoch = e->leader_epoch;
	r->zk_version = e->zk_version;
	r->ctrl_epoch = e->ctrl_epoch;
	r->isr = 0;
	r->ar = e->ar;
	int32_t l = sim_bidx(w, e->leader);
	if (changed && l >= 0 && !w->bk[b].shutting_down)
		start_fetch(w, pid, r, (uint32_t)l);
	else if (changed)
		stop_fetch(w, pid, r);
}

static void apply_lair(struct sim_world *w, uint32_t b, const struct sim_req *q, const struct sim_payload *p)
{
	int32_t id = w->bk[b].id;
	/* the request's leaders marked by broker index: every entry asks (a list of up to every
	 * broker, searched per entry, at a start-up's millions of entries) */
	uint32_t n_leaders, mark = ++w->leader_mark_gen;
	const int32_t *leaders = sim_lists_get(&w->lists, p->leaders, &n_leaders);
	for (uint32_t i = 0; i < n_leaders; i++) {
		int32_t x = sim_bidx(w, leaders[i]);
		if (x >= 0)
			w->leader_mark[x] = mark;
	}
	const struct sim_entry *entries = p->entries;
	uint32_t end = q->first + q->count;
	for (uint32_t i = q->first; i < end; i++) {
		const struct sim_entry *e = &entries[i];
		if (i + 2 * SIM_REP_PREFETCH_AHEAD < end)
			sim_rep_prefetch_slot(w, entries[i + 2 * SIM_REP_PREFETCH_AHEAD].pid);
		if (i + SIM_REP_PREFETCH_AHEAD < end) {
			sim_rep_prefetch(w, entries[i + SIM_REP_PREFETCH_AHEAD].pid);
			const struct sim_entry *ahead = &entries[i + SIM_REP_PREFETCH_AHEAD];
			sim_obs_prefetch(w, ahead->pid, ahead->leader == id);
		}
		struct sim_rep *r = sim_rep_get(w, e->pid, (int32_t)b);
		/* stale leader epoch, or not a replica: ignored; KAFKA-1188 (injected, its broker half)
		 * applied an entry whose leader epoch was unchanged */
		bool same_epoch_ok = w->inject_on[SIM_INJECT_KAFKA_1188] && e->leader_epoch == r->leader_epoch;
		if ((e->leader_epoch <= r->leader_epoch && !same_epoch_ok) || !sim_lists_has(&w->lists, e->ar, id))
			continue;
		int32_t lx = e->leader == id ? -1 : sim_bidx(w, e->leader);
		if (e->leader != id && (lx < 0 || w->leader_mark[lx] != mark))
			continue; /* leader unknown: the replica exists, nothing else changes */
		sim_obs_lair_accepted(w, b, e, r->leader_epoch, p->controller_epoch);
		if (e->leader == id)
			make_leader(w, b, e->pid, r, e);
		else
			make_follower(w, b, e->pid, r, e);
	}
}

/* Every recipient of an UpdateMetadata applies the same entries, so the caches share them
 * (sim_mcache.h): the first broker to apply a message to a given cache writes the entries, the
 * others follow it. */
static void apply_umr(struct sim_world *w, uint32_t b, const struct sim_req *q, const struct sim_payload *p)
{
	struct sim_bk *k = &w->bk[b];
	k->live_list = p->live;
	const struct sim_entry *e = &p->entries[q->first];
	const uint32_t key[3] = {q->payload, q->first, q->count};
	uint64_t *stamp;
	if (!sim_mc_follow(&w->mc, &k->mc, key, &stamp)) {
		sim_mc_fork(&w->mc, &k->mc, key, &stamp);
		for (uint32_t i = 0; i < q->count; i++)
			sim_mc_set(&w->mc, k->mc, e[i].pid,
				   e[i].leader == KC_LEADER_DURING_DELETE ? 0 : p->meta_first + q->first + i);
	}
	sim_obs_meta(w, b, e, q->count, stamp);
}

static void apply_stop(struct sim_world *w, uint32_t b, const struct sim_payload *p)
{
	struct sim_rep *r = sim_rep_find(w, p->stop_pid, (int32_t)b);
	if (!sim_rep_live(w, r))
		return;
	stop_fetch(w, p->stop_pid, r);
	if (p->stop_delete) {
		if (r->role == ROLE_LEADER)
			sim_obs_leader_role(w, b, p->stop_pid, false, r->leader_epoch);
		r->role = ROLE_NONE;
		r->leader_epoch = -1;
		r->isr = r->ar = 0;
	}
}

void sim_broker_apply(struct sim_world *w, uint32_t b, const struct sim_req *q)
{
	struct sim_bk *k = &w->bk[b];
	const struct sim_payload *p = &w->payloads[q->payload];
	uint32_t id = (uint32_t)(q - w->reqs);
	if (p->controller_epoch < k->known_ctrl_epoch) {
		w->reqs[id].rejected = true; /* StaleControllerEpoch: nothing applied */
		sim_obs_request_handled(w, b, id, false);
		return;
	}
	k->known_ctrl_epoch = p->controller_epoch;
	sim_obs_request_handled(w, b, id, true);
	switch (p->type) {
	case KC_REQ_LEADER_AND_ISR:
		apply_lair(w, b, q, p);
		break;
	case KC_REQ_UPDATE_METADATA:
		apply_umr(w, b, q, p);
		break;
	case KC_REQ_STOP_REPLICA:
		apply_stop(w, b, p);
		break;
	}
}

/* `initial:` set-up: the partition's replicas and every live broker's cache hold e. */
void sim_broker_seed_replica(struct sim_world *w, const struct sim_entry *e, uint32_t live_list)
{
	if (w->n_meta == w->cap_meta) {
		w->cap_meta *= 2;
		w->meta = sim_xrealloc(w->meta, (size_t)w->cap_meta * sizeof *w->meta);
	}
	uint32_t meta = (uint32_t)w->n_meta++;
	w->meta[meta] = (struct sim_meta){e->leader, e->leader_epoch, e->isr};
	for (uint32_t b = 0; b < w->n_brokers; b++) {
		struct sim_bk *k = &w->bk[b];
		if (!k->up)
			continue;
		sim_broker_set_meta(w, b, e->pid, meta);
		k->live_list = live_list;
		if (!sim_lists_has(&w->lists, e->ar, k->id))
			continue;
		struct sim_rep *r = sim_rep_get(w, e->pid, (int32_t)b);
		if (e->leader == k->id)
			make_leader(w, b, e->pid, r, e);
		else if (e->leader >= 0)
			make_follower(w, b, e->pid, r, e);
	}
}

void sim_broker_set_meta(struct sim_world *w, uint32_t b, uint32_t pid, uint32_t meta)
{
	/* named by what it writes, so that brokers given the same record share it */
	const uint32_t key[3] = {UINT32_MAX, pid, meta};
	uint64_t *stamp;
	uint32_t *mc = &w->bk[b].mc;
	if (!sim_mc_follow(&w->mc, mc, key, &stamp)) {
		sim_mc_fork(&w->mc, mc, key, &stamp);
		sim_mc_set(&w->mc, *mc, pid, meta);
	}
}

/* ---- sessions, registration, election ---- */

/* ZookeeperLeaderElector.elect: first to create /controller wins and runs failover. */
void sim_broker_elect(struct sim_world *w, uint32_t b)
{
	struct sim_bk *k = &w->bk[b];
	if (w->zk.controller >= 0) {
		k->believed_controller = w->zk.controller;
		return;
	}
	if (!sim_zk_create_controller(&w->zk, b))
		return;
	k->believed_controller = (int32_t)b;
	sim_obs_op_begin(w, OP_CONTROLLER_FAILOVER, k->id, k->id, w->now);
	sim_ctrl_enqueue(w, b, CE_FAILOVER, 0, 0, NULL, 0);
}

/* Register (0.8.2 backs off while the previous session's znode still exists), then elect. */
static void try_register(struct sim_world *w, uint32_t b, bool elect)
{
	struct sim_bk *k = &w->bk[b];
	if (w->zk.registered[b] && w->zk.reg_session[b] == w->zk.session[b])
		return; /* an earlier attempt of this session got through */
	if (!sim_zk_register_broker(&w->zk, b)) {
		sim_schedule(w, w->now + w->cfg->zk_session_timeout_us, SIM_CLASS_BROKER_TIMER, EV_REGISTER_RETRY, b,
			     k->incarnation, 0);
		return;
	}
	k->registered_once = true;
	sim_zk_subscribe(&w->zk, SIM_WATCH_CONTROLLER, 0, (int32_t)b, true);
	if (elect)
		sim_broker_elect(w, b);
}

void sim_broker_start(struct sim_world *w, uint32_t b)
{
	struct sim_bk *k = &w->bk[b];
	k->up = true;
	k->incarnation++;
	k->paused_until = k->iso_zk_until = k->iso_ctrl_until = k->iso_brokers_until = 0;
	k->stall_since = k->silent_since = SIM_NEVER;
	k->expired_unnoticed = k->notice_after_drain = k->zombie_drain = false;
	k->registered_once = false;
	k->known_ctrl_epoch = 0;
	k->believed_controller = -1;
	k->shutting_down = false;
	k->n_deferred = 0;
	k->n_hosted = 0;
	if (k->n_isr_cand_words)
		memset(k->isr_cand, 0, k->n_isr_cand_words * sizeof *k->isr_cand);
	k->isr_check_waits = false;
	k->busy_until = 0;
	k->failover_started = false;
	sim_mc_reset(&w->mc, &k->mc);
	k->live_list = 0;
	sim_bk_settle(w);
	sim_obs_broker_process(w, b, true);
	sim_zk_new_session(&w->zk, b);
	try_register(w, b, !w->startup_phase);
	sim_schedule(w, w->now + w->cfg->isr_check_interval_us, SIM_CLASS_BROKER_TIMER, EV_ISR_CHECK, b, k->incarnation,
		     0);
}

/* The process is gone: its leaderships end, its controller module and channels with it. */
static void process_ends(struct sim_world *w, uint32_t b)
{
	struct sim_bk *k = &w->bk[b];
	if (!sim_bk_paused(w, b))
		announce_leaderships(w, b, false);
	for (uint32_t i = 0; i < k->n_hosted; i++) {
		struct sim_rep *r = sim_rep_find(w, k->hosted[i], (int32_t)b);
		if (r && r->incarnation == k->incarnation && r->fetch_from >= 0) {
			r->last_caught_up_us = last_caught_up(w, k->hosted[i], r, (uint32_t)r->fetch_from);
			isr_cand(w, k->hosted[i], r->fetch_from);
		}
	}
	if (k->failover_started)
		sim_obs_controller(w, b, false, 0);
	k->failover_started = false;
	sim_chan_close_all(w, b);
	kc_controller_free(k->kc);
	k->kc = NULL;
	k->fifo_len = k->fifo_head = 0;
	k->ctrl_run_scheduled = false; /* a run it had held while paused dies with it */
	k->pass_queued = false;
	k->rebalance_gen++;
	k->up = false;
	k->down_since = w->now;
	if (k->shutting_down) /* stopped, or crashed under way: the shutdown ends with the process */
		sim_obs_op_end(w, OP_CONTROLLED_SHUTDOWN, k->id, w->now);
	k->shutting_down = false;
	k->cs_gen++;
	/* requests held for a paused process fail like any send to a dead broker: the channel
	 * retries them; everything else the process held dies with it */
	for (uint32_t i = 0; i < k->n_deferred; i++)
		if (k->deferred[i].kind == EV_DELIVER)
			sim_schedule(w, w->now, SIM_CLASS_DELIVERY, EV_DELIVER, k->deferred[i].a, 0, 0);
	k->n_deferred = 0;
	k->paused_until = k->iso_zk_until = k->iso_ctrl_until = k->iso_brokers_until = 0;
	update_stall(w, b);
	sim_bk_settle(w);
	sim_obs_broker_process(w, b, false);
}

void sim_broker_crash(struct sim_world *w, uint32_t b)
{
	uint64_t session = w->zk.session[b];
	process_ends(w, b);
	if (session)
		sim_schedule(w, w->now + w->cfg->zk_session_timeout_us, SIM_CLASS_ZK_EXPIRY, EV_EXPIRE, b,
			     (int64_t)session, 0);
}

void sim_broker_stop(struct sim_world *w, uint32_t b)
{
	int32_t rolling = w->bk[b].rolling;
	process_ends(w, b);
	sim_zk_close_session(&w->zk, b);
	if (rolling >= 0)
		sim_schedule(w, w->now, SIM_CLASS_BROKER_TIMER, EV_ROLLING, rolling, 1, 0);
}

/* expire_session / controller_failover: the session expires now; the broker notices
 * zk_read_latency + zk_write_latency after the others were notified (S7). */
void sim_broker_expire_now(struct sim_world *w, uint32_t b)
{
	sim_zk_expire(&w->zk, b);
	w->bk[b].expired_unnoticed = true;
	uint64_t r = w->cfg->zk_read_latency_us, wr = w->cfg->zk_write_latency_us;
	sim_schedule(w, w->now + r + r + wr, SIM_CLASS_ZK_EXPIRY, EV_NOTICE_EXPIRY, b, w->bk[b].incarnation, 0);
}

/* handleNewSession: resign if controller, re-register, elect. */
static void notice_expiry(struct sim_world *w, uint32_t b)
{
	struct sim_bk *k = &w->bk[b];
	if (!k->expired_unnoticed)
		return;
	if (k->failover_started && k->zombie_drain && k->fifo_len > 0) {
		/* back from a pause, a zombie controller first runs what it had queued (S10); the
		 * run that takes its last event schedules this notice again */
		k->notice_after_drain = true;
		return;
	}
	if (k->failover_started && k->busy_until > w->now) {
		/* the event it is running ends first (0.8.2 takes the controller lock to resign) */
		sim_schedule(w, k->busy_until, SIM_CLASS_ZK_EXPIRY, EV_NOTICE_EXPIRY, b, k->incarnation, 0);
		return;
	}
	k->expired_unnoticed = k->zombie_drain = false;
	if (k->failover_started)
		sim_ctrl_resign(w, b);
	sim_zk_new_session(&w->zk, b);
	try_register(w, b, true);
}

void sim_broker_pause(struct sim_world *w, uint32_t b, uint64_t for_us)
{
	struct sim_bk *k = &w->bk[b];
	if (!sim_bk_paused(w, b))
		announce_leaderships(w, b, false);
	k->paused_until = w->now + for_us;
	k->pause_gen++;
	update_stall(w, b);
	isr_cand_stall(w, b);
	sim_schedule(w, k->paused_until, SIM_CLASS_BROKER_TIMER, EV_RESUME, b, (int64_t)k->pause_gen, 0);
	if (for_us >= w->cfg->zk_session_timeout_us)
		sim_schedule(w, w->now + w->cfg->zk_session_timeout_us, SIM_CLASS_ZK_EXPIRY, EV_EXPIRE, b,
			     (int64_t)w->zk.session[b], 0);
}

void sim_broker_isolate(struct sim_world *w, uint32_t b, enum sim_isolate_from from, uint64_t for_us)
{
	struct sim_bk *k = &w->bk[b];
	uint64_t until = w->now + for_us;
	if (from == SIM_ISOLATE_ZOOKEEPER || from == SIM_ISOLATE_ALL)
		k->iso_zk_until = until > k->iso_zk_until ? until : k->iso_zk_until;
	if (from == SIM_ISOLATE_CONTROLLER || from == SIM_ISOLATE_ALL)
		k->iso_ctrl_until = until > k->iso_ctrl_until ? until : k->iso_ctrl_until;
	if (from == SIM_ISOLATE_BROKERS || from == SIM_ISOLATE_ALL)
		k->iso_brokers_until = until > k->iso_brokers_until ? until : k->iso_brokers_until;
	update_stall(w, b);
	if (from == SIM_ISOLATE_BROKERS || from == SIM_ISOLATE_ALL)
		isr_cand_stall(w, b);
	/* every isolation's end wakes the broker: overlapping ones end at different times, and waking
	 * finds out what it can do again */
	sim_schedule(w, until, SIM_CLASS_BROKER_TIMER, EV_ISOLATION_END, b, k->incarnation, 0);
	if ((from == SIM_ISOLATE_ZOOKEEPER || from == SIM_ISOLATE_ALL) && for_us >= w->cfg->zk_session_timeout_us)
		sim_schedule(w, w->now + w->cfg->zk_session_timeout_us, SIM_CLASS_ZK_EXPIRY, EV_EXPIRE, b,
			     (int64_t)w->zk.session[b], 0);
}

static void on_expire(struct sim_world *w, uint32_t b, uint64_t session)
{
	struct sim_bk *k = &w->bk[b];
	if (!session)
		return;
	if (w->zk.session[b] != session) {
		/* a session a crashed process left behind: nobody heartbeats it any more */
		sim_zk_expire_session(&w->zk, b, session);
		return;
	}
	if (k->up && (k->silent_since == SIM_NEVER || w->now - k->silent_since < w->cfg->zk_session_timeout_us))
		return; /* it spoke to ZooKeeper in time */
	sim_zk_expire(&w->zk, b);
	if (k->up)
		k->expired_unnoticed = true; /* it learns when it can talk again */
}

/* Paused or cut off from ZooKeeper: hold the event until the broker can act. */
static bool held(struct sim_world *w, uint32_t b, const struct sim_event *e, bool needs_zk)
{
	if (sim_bk_paused(w, b)) {
		sim_defer(w, b, e);
		return true;
	}
	if (needs_zk && sim_bk_zk_cut(w, b)) {
		sim_defer(w, b, e);
		return true;
	}
	return false;
}

/* The broker can act again (resume or isolation end). */
static void wake(struct sim_world *w, uint32_t b, bool from_pause)
{
	struct sim_bk *k = &w->bk[b];
	/* the fetches the stall stopped keep their lag (S9): read it before the stall is cleared */
	uint64_t stalled_since = k->stall_since;
	update_stall(w, b);
	if (sim_bk_paused(w, b))
		return;
	restart_fetches(w, b, stalled_since);
	sim_replay_deferred(w, b);
	if (!k->expired_unnoticed || sim_bk_zk_cut(w, b))
		return;
	if (from_pause) {
		/* S10: what it had produced and queued runs first (its ZooKeeper calls succeed in a
		 * new session); the notice comes last, after a controller's queue drains */
		k->zombie_drain = true;
		sim_schedule(w, w->now, SIM_CLASS_CONTROLLER, EV_NOTICE_EXPIRY, b, k->incarnation, 0);
	} else {
		/* back from an isolation: the expiry comes first, so its resignation runs before
		 * anything it had queued, and notifications of the dead session die with it */
		sim_schedule(w, w->now, SIM_CLASS_ZK_EXPIRY, EV_NOTICE_EXPIRY, b, k->incarnation, 0);
	}
}

/* ---- controlled shutdown, broker side (spec §6.12, S7) ---- */

/* The controlled shutdown is over, moved or not: the broker stops (process_ends closes the
 * operation's span). */
static void cs_stop(struct sim_world *w, uint32_t b)
{
	sim_broker_stop(w, b);
}

/* 0.8.2 KafkaServer.controlledShutdown: `while (!shutdownSucceeded && remainingRetries > 0)`,
 * each pass starting with ZkUtils.getController. */
static void cs_attempt(struct sim_world *w, uint32_t b)
{
	struct sim_bk *k = &w->bk[b];
	/* the operation's span runs from the first request (Results), or from the stop when
	 * there is none to make */
	if (k->cs_attempts == 0)
		sim_obs_op_begin(w, OP_CONTROLLED_SHUTDOWN, k->id, k->id, w->now);
	if (k->cs_attempts >= w->cfg->controlled_shutdown_max_retries) {
		cs_stop(w, b); /* no attempt left (none at all with max_retries 0) */
		return;
	}
	if (w->zk.controller < 0) {
		/* getController throws "Controller doesn't exist"; nothing in the loop catches it,
		 * KafkaServer.shutdown swallows it and goes on: the broker stops at once, without
		 * back-off or another attempt */
		cs_stop(w, b);
		return;
	}
	k->cs_attempts++;
	k->cs_gen++;
	k->cs_target = w->zk.controller;
	sim_schedule(w, w->now + w->cfg->rpc_latency_us + sim_jitter(w), SIM_CLASS_DELIVERY, EV_CS_DELIVER, b,
		     (int64_t)k->cs_gen, 0);
	sim_schedule(w, w->now + w->cfg->controller_socket_timeout_us, SIM_CLASS_BROKER_TIMER, EV_CS_TIMEOUT, b,
		     (int64_t)k->cs_gen, 0);
}

void sim_broker_controlled_shutdown(struct sim_world *w, uint32_t b)
{
	struct sim_bk *k = &w->bk[b];
	k->shutting_down = true;
	sim_bk_settle(w);
	k->cs_attempts = 0;
	if (sim_bk_paused(w, b) || sim_bk_zk_cut(w, b)) {
		/* S10: a frozen process starts nothing, and a broker cut off from ZooKeeper waits
		 * for its read of /controller; the first attempt starts when it can act */
		struct sim_event first = {.cls = SIM_CLASS_BROKER_TIMER, .kind = EV_CS_RETRY, .a = b,
					  .b = (int64_t)k->cs_gen};
		sim_defer(w, b, &first);
		return;
	}
	cs_attempt(w, b);
}

static void cs_failed(struct sim_world *w, uint32_t b)
{
	struct sim_bk *k = &w->bk[b];
	k->cs_gen++; /* a late answer is ignored */
	sim_schedule(w, w->now + w->cfg->controlled_shutdown_retry_backoff_us, SIM_CLASS_BROKER_TIMER, EV_CS_RETRY, b,
		     (int64_t)k->cs_gen, 0);
}

static void cs_event(struct sim_world *w, const struct sim_event *e)
{
	uint32_t b = (uint32_t)e->a;
	struct sim_bk *k = &w->bk[b];
	if (e->kind == EV_CS_DELIVER && e->c > 0) {
		/* a request that reached a paused controller runs when it resumes (S10), whatever
		 * became of the attempt: 0.8.2's socket server reads it from the connection the
		 * broker may have closed since; only the answer is lost */
		uint32_t c = (uint32_t)(e->c - 1);
		if (sim_bk_paused(w, c))
			sim_defer(w, c, e);
		else
			sim_ctrl_enqueue(w, c, CE_CONTROLLED_SHUTDOWN, b, e->b, NULL, 0);
		return;
	}
	if (e->kind == EV_CS_DELIVER) {
		/* the request reaches the controller it was sent to */
		int32_t c = k->cs_target;
		if ((uint64_t)e->b != k->cs_gen || !k->shutting_down)
			return;
		if (c < 0 || !w->bk[c].up) {
			cs_failed(w, b);
			return;
		}
		if (sim_bk_paused(w, (uint32_t)c) || sim_bk_ctrl_cut(w, b)) {
			struct sim_event held_e = *e;
			if (!sim_bk_ctrl_cut(w, b))
				held_e.c = c + 1; /* it is in the frozen process's hands */
			sim_defer(w, sim_bk_paused(w, (uint32_t)c) ? (uint32_t)c : b, &held_e);
			return;
		}
		sim_ctrl_enqueue(w, (uint32_t)c, CE_CONTROLLED_SHUTDOWN, b, e->b, NULL, 0);
		return;
	}
	if (!k->up || !k->shutting_down || (uint64_t)e->b != k->cs_gen)
		return;
	if (held(w, b, e, e->kind == EV_CS_RETRY)) /* an attempt begins by reading /controller */
		return;
	switch ((enum sim_ev)e->kind) {
	case EV_CS_RESPONSE:
		if (e->c == 0)
			cs_stop(w, b);
		else
			cs_failed(w, b);
		break;
	case EV_CS_TIMEOUT:
		cs_failed(w, b);
		break;
	case EV_CS_RETRY:
		cs_attempt(w, b);
		break;
	default:
		break;
	}
}

/* ---- watch notifications (S6: re-read at notification time, then the handler) ---- */
static void on_notify(struct sim_world *w, const struct sim_event *e)
{
	uint32_t b = (uint32_t)(e->a & 0xFFFFFFFF);
	uint32_t inc = (uint32_t)(e->a >> 32);
	struct sim_bk *k = &w->bk[b];
	if (!k->up || k->incarnation != inc)
		return;
	if (held(w, b, e, true))
		return;
	int kind = (int)e->b;
	uint32_t id = (uint32_t)e->c;
	/* a notification that reached a paused broker runs on resume even if its session expired
	 * meanwhile: ZkClient reads again in the new session (S10) */
	if (!sim_zk_rearm(&w->zk, kind, id, (int32_t)b))
		return;
	struct sim_zk *zk = &w->zk;
	int64_t *v = NULL;
	uint32_t n = 0;
	switch (kind) {
	case SIM_WATCH_CONTROLLER:
		if (k->failover_started && zk->controller != (int32_t)b) {
			sim_ctrl_resign(w, b); /* /controller deleted or taken while we were controller */
		}
		if (zk->controller < 0)
			sim_broker_elect(w, b);
		else
			k->believed_controller = zk->controller;
		return;
	case KC_WATCH_BROKERS:
		v = calloc(zk->n_brokers + 1, sizeof *v);
		for (uint32_t x = 0; v && x < zk->n_brokers; x++)
			if (zk->registered[x])
				v[n++] = zk->broker_ids[x];
		break;
	case KC_WATCH_TOPICS:
	case KC_WATCH_DELETE_TOPICS:
		v = calloc(zk->n_topics + 1, sizeof *v);
		for (uint32_t t = 0; v && t < zk->n_topics; t++)
			if (kind == KC_WATCH_TOPICS ? zk->topics[t].exists : zk->delete_queued[t])
				v[n++] = t;
		break;
	case KC_WATCH_REASSIGN:
	case KC_WATCH_PREFERRED: {
		bool exists = kind == KC_WATCH_REASSIGN ? zk->reassign_exists : zk->preferred_exists;
		const struct sim_zk_admin_entry *a = kind == KC_WATCH_REASSIGN ? zk->reassign : zk->preferred;
		uint32_t na = kind == KC_WATCH_REASSIGN ? zk->n_reassign : zk->n_preferred;
		if (!exists)
			return; /* handleDataDeleted: nothing */
		v = calloc(3 * na + 1, sizeof *v);
		for (uint32_t i = 0; v && i < na; i++) {
			v[n++] = a[i].topic;
			v[n++] = a[i].partition;
			v[n++] = a[i].replicas;
		}
		break;
	}
	case KC_WATCH_TOPIC:
		if (zk->topics[id].exists)
			sim_ctrl_enqueue(w, b, CE_TOPIC_DATA, id, 0, NULL, 0);
		return;
	case KC_WATCH_PARTITION_STATE:
		if (zk->states[id].exists)
			sim_ctrl_enqueue(w, b, CE_PARTITION_STATE, id, 0, NULL, 0);
		return;
	default:
		return;
	}
	if (!v) {
		fprintf(stderr, "kcsim: out of memory\n");
		exit(3);
	}
	static const uint8_t handler[] = {
		[KC_WATCH_BROKERS] = CE_BROKER_CHANGE,   [KC_WATCH_TOPICS] = CE_TOPIC_CHANGE,
		[KC_WATCH_DELETE_TOPICS] = CE_DELETE_TOPICS, [KC_WATCH_REASSIGN] = CE_REASSIGN,
		[KC_WATCH_PREFERRED] = CE_PREFERRED,
	};
	sim_ctrl_enqueue(w, b, (enum sim_cev)handler[kind], 0, 0, v, n);
	free(v);
}

void sim_broker_event(struct sim_world *w, const struct sim_event *e)
{
	uint32_t b = (uint32_t)(e->kind == EV_NOTIFY ? (e->a & 0xFFFFFFFF) : (uint64_t)e->a);
	struct sim_bk *k = &w->bk[b];
	switch ((enum sim_ev)e->kind) {
	case EV_NOTIFY:
		on_notify(w, e);
		break;
	case EV_EXPIRE:
		on_expire(w, b, (uint64_t)e->b);
		break;
	case EV_NOTICE_EXPIRY:
		if (!k->up || k->incarnation != (uint32_t)e->b || held(w, b, e, true))
			break;
		notice_expiry(w, b);
		break;
	case EV_REGISTER_RETRY:
		if (!k->up || k->incarnation != (uint32_t)e->b || held(w, b, e, true))
			break;
		if (k->expired_unnoticed) {
			/* its session died while it waited: handleNewSession registers in the new one */
			k->expired_unnoticed = k->zombie_drain = false;
			sim_zk_new_session(&w->zk, b);
		}
		try_register(w, b, true);
		break;
	case EV_CATCHUP:
		prefetch_catchups(w);
		if (!k->up || held(w, b, e, false))
			break;
		on_catchup(w, b, (uint32_t)e->b, (uint64_t)e->c);
		break;
	case EV_ISR_CHECK:
		if (!k->up || k->incarnation != (uint32_t)e->b || held(w, b, e, false))
			break;
		if (e->c)
			k->isr_check_waits = false;
		else
			sim_schedule(w, w->now + w->cfg->isr_check_interval_us, SIM_CLASS_BROKER_TIMER, EV_ISR_CHECK, b,
				     k->incarnation, 0);
		if (isr_check(w, b) && !k->isr_check_waits) {
			/* S10: the shrink's write waits until the isolation ends. (0.8.2's isr-expiration
			 * task blocks in that write and goes on once ZooKeeper answers; kcsim checks
			 * again at that moment, with what the leader sees then.) */
			k->isr_check_waits = true;
			sim_schedule(w, k->iso_zk_until, SIM_CLASS_BROKER_TIMER, EV_ISR_CHECK, b, k->incarnation, 1);
		}
		break;
	case EV_RESUME:
		if (!k->up || (uint64_t)e->b != k->pause_gen)
			break;
		k->paused_until = 0;
		announce_leaderships(w, b, true);
		wake(w, b, true);
		break;
	case EV_ISOLATION_END:
		if (!k->up || k->incarnation != (uint32_t)e->b)
			break;
		wake(w, b, false);
		break;
	case EV_REBALANCE:
		if (!k->up || (uint64_t)e->b != k->rebalance_gen || !k->failover_started)
			break;
		sim_ctrl_enqueue(w, b, CE_REBALANCE, 0, 0, NULL, 0);
		sim_ctrl_schedule_rebalance(w, b, w->now + w->cfg->leader_imbalance_check_interval_us);
		break;
	case EV_CS_DELIVER:
	case EV_CS_RESPONSE:
	case EV_CS_TIMEOUT:
	case EV_CS_RETRY:
		cs_event(w, e);
		break;
	default:
		break;
	}
}
