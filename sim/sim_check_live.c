/* sim_check_live.c — the liveness invariants (spec/invariants.md "Liveness"), judged at
 * quiescent points while an active controller exists, and at the end of the run.
 *
 * Incrementally: per broker, how many partitions ZooKeeper names it the leader of and how many
 * ISRs hold it (exempt ones left out), refreshed for the partitions the hooks marked; a broker
 * whose registration is gone while counted is a suspect. available_when_possible and the
 * metadata invariants re-check candidate partitions only: those whose inputs changed, every
 * leaderless one when a broker became live, a whole cache when its broker became live.
 * deletion_completes and reassignment_completes look at the (few) queued topics and admin
 * entries only when their inputs changed. From scratch: every partition, broker and topic.
 * Both paths share the exact per-partition predicates below. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_check_int.h"

/* ---- exact predicates ---- */

static void append(char *msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(char *msg, const char *fmt, ...)
{
	size_t o = strlen(msg);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + o, SIM_CHK_MSG - o, fmt, ap);
	va_end(ap);
}

/* Partitions that exist and are not being deleted; the others are exempt from all but
 * deletion_completes (0.8.2 leaves a deleting topic's dead leaders and ISRs as they are). */
static bool in_scope(const struct sim_world *w, uint32_t pid)
{
	return sim_partition_exists(w, pid) && !sim_chk_deleting(w, w->pid_topic[pid]);
}

static int32_t leader_counted(const struct sim_world *w, uint32_t pid)
{
	const struct sim_zk_state *st = &w->zk.states[pid];
	if (!in_scope(w, pid) || !st->exists || st->leader < 0)
		return -1;
	return sim_bidx(w, st->leader);
}

/* The ISR whose members must leave it when their registration is gone; 0 when exempt: a sole
 * member kept with unclean election off (controller.md §6.9, so that it can be restored). */
static uint32_t isr_counted(const struct sim_world *w, uint32_t pid)
{
	const struct sim_zk_state *st = &w->zk.states[pid];
	if (!in_scope(w, pid) || !st->exists)
		return 0;
	if (w->lists.len[st->isr] == 1 && !sim_chk_unclean(w, w->pid_topic[pid]))
		return 0;
	return st->isr;
}

static bool leaderless(const struct sim_world *w, uint32_t pid)
{
	const struct sim_zk_state *st = &w->zk.states[pid];
	return in_scope(w, pid) && !(st->exists && st->leader >= 0);
}

static uint64_t dead_bound(const struct sim_world *w)
{
	return w->cfg->replica_lag_time_max_us + w->cfg->isr_check_interval_us;
}

/* dead_replicas_leave_isr: a member unregistered for longer than the bound. */
static bool dead_in_isr(const struct sim_world *w, const struct sim_check *c, uint32_t pid, char *msg)
{
	uint32_t list = isr_counted(w, pid);
	uint32_t n;
	const int32_t *isr = sim_lists_get(&w->lists, list, &n);
	for (uint32_t i = 0; list && i < n; i++) {
		int32_t b = sim_bidx(w, isr[i]);
		if (b < 0 || w->zk.registered[b] || w->now <= c->bk[b].gone_since + dead_bound(w))
			continue;
		char pn[256], ln[256], t0[32], t1[32], tb[32];
		snprintf(msg, SIM_CHK_MSG,
			 "%s: broker %" PRId32 ", unregistered since %s, is still in the ISR %s at %s"
			 " (bound %s = replica_lag_time_max + isr_check_interval)",
			 sim_chk_pname(w, pid, pn, sizeof pn), isr[i], sim_chk_time(c->bk[b].gone_since, t0, sizeof t0),
			 sim_chk_aname(isr, n, ln, sizeof ln), sim_chk_time(w->now, t1, sizeof t1),
			 sim_chk_time(dead_bound(w), tb, sizeof tb));
		return true;
	}
	return false;
}

static bool leader_dead(const struct sim_world *w, uint32_t pid, char *msg)
{
	int32_t b = leader_counted(w, pid);
	if (b < 0 || w->zk.registered[b])
		return false;
	const struct sim_zk_state *st = &w->zk.states[pid];
	char pn[256], ln[256];
	snprintf(msg, SIM_CHK_MSG, "%s: leader %" PRId32 " is not registered (leader epoch %" PRId32 ", ISR %s)",
		 sim_chk_pname(w, pid, pn, sizeof pn), st->leader, st->leader_epoch,
		 sim_chk_lname(w, st->isr, ln, sizeof ln));
	return true;
}

/* available_when_possible: "live" is registered and not shutting down (by the controller). */
static bool avail_live(const struct sim_world *w, const struct kc_controller *kc, int32_t id)
{
	return sim_chk_registered(w, id) && !kc_broker_shutting_down(kc, id);
}

static bool unavailable(const struct sim_world *w, const struct kc_controller *kc, uint32_t pid, char *msg)
{
	if (!leaderless(w, pid))
		return false;
	const struct sim_zk_state *st = &w->zk.states[pid];
	const struct kc_assigned *a = sim_chk_assigned(w, pid);
	int32_t who = -1;
	const char *why = "";
	uint32_t n;
	const int32_t *isr = sim_lists_get(&w->lists, st->isr, &n);
	for (uint32_t i = 0; st->exists && who < 0 && i < n; i++)
		if (avail_live(w, kc, isr[i])) {
			who = isr[i];
			why = "in the ISR";
		}
	/* invariants.md: a live ISR member, or with unclean election on a live assigned replica; a
	 * partition without a state znode has no ISR, so (unclean off) nothing is owed yet — as in
	 * transition-level scenarios that hold partitions in NewPartition on purpose */
	bool any_replica = sim_chk_unclean(w, w->pid_topic[pid]);
	for (uint32_t i = 0; any_replica && who < 0 && i < a->n_replicas; i++)
		if (avail_live(w, kc, a->replicas[i])) {
			who = a->replicas[i];
			why = st->exists ? "an assigned replica, with unclean election on" : "an assigned replica";
		}
	if (who < 0)
		return false;
	if (msg) {
		char pn[256], ln[256];
		if (st->exists)
			snprintf(msg, SIM_CHK_MSG,
				 "%s has no leader (ISR %s, leader epoch %" PRId32 ") though broker %" PRId32 " is live and %s",
				 sim_chk_pname(w, pid, pn, sizeof pn), sim_chk_aname(isr, n, ln, sizeof ln),
				 st->leader_epoch, who, why);
		else
			snprintf(msg, SIM_CHK_MSG, "%s has no state znode though broker %" PRId32 " is live and %s",
				 sim_chk_pname(w, pid, pn, sizeof pn), who, why);
	}
	return true;
}

static bool meta_live(const struct sim_world *w, uint32_t b)
{
	return w->zk.registered[b] && w->bk[b].up && w->bk[b].registered_once;
}

bool sim_chk_meta_mismatch(const struct sim_world *w, uint32_t b, uint32_t pid, bool isr)
{
	uint32_t ref = sim_broker_meta(w, b, pid);
	const struct sim_meta *m = ref ? &w->meta[ref] : NULL;
	const struct sim_zk_state *st = &w->zk.states[pid];
	if (!st->exists)
		return m && (isr ? w->lists.len[m->isr] != 0 : m->leader >= 0);
	if (!m)
		return true;
	if (isr)
		return !sim_lists_same_set(&w->lists, m->isr, st->isr);
	return m->leader != st->leader || m->leader_epoch != st->leader_epoch;
}

/* The live brokers (registered in their current incarnation and up: a restarted broker that
 * cannot register yet is not one the controller can reach) that the metadata invariants need
 * to look at, ascending: the first of those sharing a cache (sim_mcache.h) stands for all. */
static void meta_reps(const struct sim_world *w, struct sim_check *c)
{
	bool *seen = calloc(w->mc.n_nodes, sizeof *seen);
	if (!seen) {
		fprintf(stderr, "kcsim: out of memory\n");
		exit(3);
	}
	c->meta_reps.n = 0;
	for (uint32_t b = 0; b < w->n_brokers; b++)
		if (meta_live(w, b) && !seen[w->bk[b].mc]) {
			seen[w->bk[b].mc] = true;
			sim_chk_push(&c->meta_reps, b);
		}
	free(seen);
}

/* metadata_converges (isr: metadata_isr_converges) for one partition over the live brokers
 * (meta_reps, taken since the last change). listed: a reassignment is in progress. */
static bool meta_bad(const struct sim_world *w, const struct sim_check *c, uint32_t pid, bool listed, bool isr,
		     char *msg)
{
	if (listed || !in_scope(w, pid))
		return false;
	for (uint32_t i = 0; i < c->meta_reps.n; i++) {
		uint32_t b = c->meta_reps.v[i];
		if (!sim_chk_meta_mismatch(w, b, pid, isr))
			continue;
		if (!msg)
			return true;
		const struct sim_zk_state *st = &w->zk.states[pid];
		uint32_t ref = sim_broker_meta(w, b, pid);
		char pn[256], ln[256];
		msg[0] = '\0';
		append(msg, "%s: broker %" PRId32 " caches ", sim_chk_pname(w, pid, pn, sizeof pn), w->bk[b].id);
		if (!ref)
			append(msg, "nothing");
		else if (isr)
			append(msg, "ISR %s", sim_chk_lname(w, w->meta[ref].isr, ln, sizeof ln));
		else
			append(msg, "leader %" PRId32 ", leader epoch %" PRId32, w->meta[ref].leader, w->meta[ref].leader_epoch);
		if (!st->exists)
			append(msg, "; ZooKeeper has no state znode");
		else if (isr)
			append(msg, "; ZooKeeper has ISR %s", sim_chk_lname(w, st->isr, ln, sizeof ln));
		else
			append(msg, "; ZooKeeper has leader %" PRId32 ", leader epoch %" PRId32, st->leader, st->leader_epoch);
		return true;
	}
	return false;
}

/* deletion_completes: queued, deletion on, every replica on a registered broker, still there. */
static bool deletion_stuck(const struct sim_world *w, uint32_t t, char *msg)
{
	if (!sim_chk_deleting(w, t))
		return false;
	const struct sim_zk_topic *zt = &w->zk.topics[t];
	uint32_t states = 0;
	for (uint32_t p = 0; zt->exists && p < zt->n; p++) {
		for (uint32_t i = 0; i < zt->view[p].n_replicas; i++)
			if (!sim_chk_registered(w, zt->view[p].replicas[i]))
				return false; /* 0.8.2 waits for the broker: the deletion is ineligible */
		states += w->zk.states[w->first_pid[t] + p].exists;
	}
	if (msg)
		snprintf(msg, SIM_CHK_MSG,
			 "topic %s is queued for deletion with every replica on a live broker, yet still has %s"
			 " and %" PRIu32 " state znodes",
			 w->sc->topics[t].name, zt->exists ? "its topic znode" : "its admin entry", states);
	return true;
}

static bool rar_live(const struct sim_world *w, uint32_t rar)
{
	uint32_t n;
	const int32_t *v = sim_lists_get(&w->lists, rar, &n);
	for (uint32_t i = 0; i < n; i++)
		if (!sim_chk_registered(w, v[i]))
			return false;
	return true;
}

static bool rar_in_isr(const struct sim_world *w, uint32_t pid, uint32_t rar)
{
	const struct sim_zk_state *st = &w->zk.states[pid];
	uint32_t n;
	const int32_t *v = sim_lists_get(&w->lists, rar, &n);
	for (uint32_t i = 0; i < n; i++)
		if (!st->exists || !sim_lists_has(&w->lists, st->isr, v[i]))
			return false;
	return true;
}

/* reassignment_completes, while the admin entry is there: admitted (the controller is
 * reassigning it) with every new replica live and — at a quiescent point before the end, where
 * a new replica may still be catching up — every new replica in the ISR, so that nothing but the
 * controller is left to act. */
static bool reassign_stuck(const struct sim_world *w, const struct kc_controller *kc, uint32_t pid, uint32_t rar,
			   bool end, char *msg)
{
	/* a partition whose topic was deleted (or is being deleted) meanwhile has nothing to finish */
	if (!in_scope(w, pid) || !kc_partition_being_reassigned(kc, pid) || !rar_live(w, rar) ||
	    (!end && !rar_in_isr(w, pid, rar)))
		return false;
	if (msg) {
		char pn[256], rn[256], an[256], ln[256];
		const struct kc_assigned *a = sim_chk_assigned(w, pid);
		snprintf(msg, SIM_CHK_MSG,
			 "reassignment of %s to %s was admitted and every new replica is live%s, yet the assignment is %s"
			 " (ISR %s)",
			 sim_chk_pname(w, pid, pn, sizeof pn), sim_chk_lname(w, rar, rn, sizeof rn),
			 end ? "" : " and in the ISR", a ? sim_chk_aname(a->replicas, a->n_replicas, an, sizeof an) : "none",
			 w->zk.states[pid].exists ? sim_chk_lname(w, w->zk.states[pid].isr, ln, sizeof ln) : "none");
	}
	return true;
}

/* ... and once it has left the admin znode and the controller: assignment = new replicas. */
static bool reassign_wrong(const struct sim_world *w, uint32_t pid, uint32_t rar, char *msg)
{
	const struct kc_assigned *a = sim_chk_assigned(w, pid);
	uint32_t n;
	const int32_t *v = sim_lists_get(&w->lists, rar, &n);
	if (!in_scope(w, pid) || !rar_live(w, rar) ||
	    (a->n_replicas == n && memcmp(a->replicas, v, n * sizeof *v) == 0))
		return false;
	if (msg) {
		char pn[256], rn[256], an[256];
		snprintf(msg, SIM_CHK_MSG, "reassignment of %s to %s ended with the assignment %s",
			 sim_chk_pname(w, pid, pn, sizeof pn), sim_chk_aname(v, n, rn, sizeof rn),
			 sim_chk_aname(a->replicas, a->n_replicas, an, sizeof an));
	}
	return true;
}

static uint32_t admin_pid(const struct sim_world *w, const struct sim_zk_admin_entry *e)
{
	if (e->topic >= w->n_topics || e->partition >= w->first_pid[e->topic + 1] - w->first_pid[e->topic])
		return UINT32_MAX;
	return w->first_pid[e->topic] + e->partition;
}

/* ---- incremental ---- */

static void count_isr(struct sim_world *w, struct sim_check *c, uint32_t list, bool add)
{
	uint32_t n;
	const int32_t *v = sim_lists_get(&w->lists, list, &n);
	for (uint32_t i = 0; i < n; i++) {
		int32_t b = sim_bidx(w, v[i]);
		if (b < 0)
			continue;
		struct sim_chk_bk *k = &c->bk[b];
		if (!add)
			k->isr_count--;
		else if (k->isr_count++ == 0 && !k->registered)
			sim_chk_suspect(c, (uint32_t)b);
	}
}

static void recount(struct sim_world *w, struct sim_check *c, uint32_t pid)
{
	struct sim_chk_part *p = &c->part[pid];
	if (p->counted_leader >= 0)
		c->bk[p->counted_leader].lead_count--;
	if (p->counted_isr)
		count_isr(w, c, p->counted_isr, false);
	p->counted_leader = leader_counted(w, pid);
	p->counted_isr = isr_counted(w, pid);
	if (p->counted_leader >= 0) {
		struct sim_chk_bk *k = &c->bk[p->counted_leader];
		if (k->lead_count++ == 0 && !k->registered)
			sim_chk_suspect(c, (uint32_t)p->counted_leader);
	}
	if (p->counted_isr)
		count_isr(w, c, p->counted_isr, true);
	if (leaderless(w, pid)) {
		sim_chk_mark(c, pid, CHK_LEADERLESS, &c->leaderless);
		sim_chk_mark(c, pid, CHK_AVAIL_CAND, &c->avail_cand);
	}
}

void sim_chk_live_refresh(struct sim_world *w, struct sim_check *c)
{
	bool meta = sim_chk_on(w, SIM_INV_METADATA_CONVERGES), meta_isr = sim_chk_on(w, SIM_INV_METADATA_ISR_CONVERGES);
	for (uint32_t i = 0; i < c->bk_dirty.n; i++) {
		uint32_t b = c->bk_dirty.v[i];
		struct sim_chk_bk *k = &c->bk[b];
		k->flags &= (uint8_t)~CHK_BK_DIRTY;
		bool live = meta_live(w, b);
		if (live && !k->meta_live && (meta || meta_isr) && !(k->flags & CHK_BK_SCAN)) {
			k->flags |= CHK_BK_SCAN;
			sim_chk_push(&c->meta_scan, b);
		}
		k->meta_live = live;
	}
	c->bk_dirty.n = 0;
	for (uint32_t i = 0; i < c->live_dirty.n; i++) {
		uint32_t pid = c->live_dirty.v[i];
		c->part[pid].flags &= (uint8_t)~CHK_LIVE_DIRTY;
		recount(w, c, pid);
	}
	c->live_dirty.n = 0;
	/* a broker (re)joined: every partition its cache may lack is a candidate (brokers sharing
	 * a cache find the same ones) */
	for (uint32_t i = 0; i < c->meta_scan.n; i++) {
		uint32_t b = c->meta_scan.v[i];
		c->bk[b].flags &= (uint8_t)~CHK_BK_SCAN;
		bool done = false;
		for (uint32_t j = 0; j < i && !done; j++)
			done = w->bk[c->meta_scan.v[j]].mc == w->bk[b].mc;
		for (uint32_t pid = 0; !done && pid < c->n_parts; pid++)
			if (!(c->part[pid].flags & CHK_META_CAND) && sim_partition_exists(w, pid) &&
			    ((meta && sim_chk_meta_mismatch(w, b, pid, false)) ||
			     (meta_isr && sim_chk_meta_mismatch(w, b, pid, true))))
				sim_chk_mark(c, pid, CHK_META_CAND, &c->meta_cand);
	}
	c->meta_scan.n = 0;
}

/* The first partition in pid order that breaks inv (leader_alive or dead_replicas_leave_isr),
 * for the message: the counters only say that one does. */
static bool first_bad(struct sim_world *w, struct sim_check *c, enum sim_invariant inv, char *msg)
{
	for (uint32_t pid = 0; pid < c->n_parts; pid++)
		if (inv == SIM_INV_LEADER_ALIVE ? leader_dead(w, pid, msg) : dead_in_isr(w, c, pid, msg))
			return true;
	return false;
}

static void eval_suspects(struct sim_world *w, struct sim_check *c, struct sim_chk_verdict *v)
{
	bool dead = false, lead = false;
	uint32_t j = 0;
	for (uint32_t i = 0; i < c->suspects.n; i++) {
		uint32_t b = c->suspects.v[i];
		struct sim_chk_bk *k = &c->bk[b];
		if (k->registered || (!k->lead_count && !k->isr_count)) {
			k->flags &= (uint8_t)~CHK_BK_SUSPECT;
			continue;
		}
		c->suspects.v[j++] = b;
		lead |= k->lead_count > 0;
		dead |= k->isr_count > 0 && w->now > k->gone_since + dead_bound(w);
	}
	c->suspects.n = j;
	if (dead && sim_chk_on(w, SIM_INV_DEAD_REPLICAS_LEAVE_ISR))
		v->bad[SIM_INV_DEAD_REPLICAS_LEAVE_ISR] =
			first_bad(w, c, SIM_INV_DEAD_REPLICAS_LEAVE_ISR, v->msg[SIM_INV_DEAD_REPLICAS_LEAVE_ISR]);
	if (lead && sim_chk_on(w, SIM_INV_LEADER_ALIVE))
		v->bad[SIM_INV_LEADER_ALIVE] = first_bad(w, c, SIM_INV_LEADER_ALIVE, v->msg[SIM_INV_LEADER_ALIVE]);
}

static void eval_available(struct sim_world *w, struct sim_check *c, const struct kc_controller *kc,
			   struct sim_chk_verdict *v)
{
	uint32_t best = UINT32_MAX;
	if (c->walk_leaderless) {
		uint32_t j = 0;
		for (uint32_t i = 0; i < c->leaderless.n; i++) {
			uint32_t pid = c->leaderless.v[i];
			if (!leaderless(w, pid)) {
				c->part[pid].flags &= (uint8_t)~CHK_LEADERLESS;
				continue;
			}
			c->leaderless.v[j++] = pid;
			if (pid < best && unavailable(w, kc, pid, NULL))
				best = pid;
		}
		c->leaderless.n = j;
		c->walk_leaderless = false;
	}
	for (uint32_t i = 0; i < c->avail_cand.n; i++) {
		uint32_t pid = c->avail_cand.v[i];
		c->part[pid].flags &= (uint8_t)~CHK_AVAIL_CAND;
		if (pid < best && unavailable(w, kc, pid, NULL))
			best = pid;
	}
	c->avail_cand.n = 0;
	if (best != UINT32_MAX)
		v->bad[SIM_INV_AVAILABLE_WHEN_POSSIBLE] =
			unavailable(w, kc, best, v->msg[SIM_INV_AVAILABLE_WHEN_POSSIBLE]);
}

static void eval_metadata(struct sim_world *w, struct sim_check *c, struct sim_chk_verdict *v)
{
	bool on[2] = {sim_chk_on(w, SIM_INV_METADATA_CONVERGES), sim_chk_on(w, SIM_INV_METADATA_ISR_CONVERGES)};
	enum sim_invariant inv[2] = {SIM_INV_METADATA_CONVERGES, SIM_INV_METADATA_ISR_CONVERGES};
	uint32_t best[2] = {UINT32_MAX, UINT32_MAX};
	if (c->meta_cand.n)
		meta_reps(w, c);
	for (uint32_t i = 0; i < c->meta_cand.n; i++) {
		uint32_t pid = c->meta_cand.v[i];
		c->part[pid].flags &= (uint8_t)~CHK_META_CAND;
		bool listed = c->part[pid].flags & CHK_LISTED;
		for (int k = 0; k < 2; k++)
			if (on[k] && pid < best[k] && meta_bad(w, c, pid, listed, k == 1, NULL))
				best[k] = pid;
	}
	if (c->meta_cand.n)
		c->meta_epoch++; /* candidates were cleared: a stamp from before may not stand */
	c->meta_cand.n = 0;
	for (int k = 0; k < 2; k++)
		if (best[k] != UINT32_MAX)
			v->bad[inv[k]] = meta_bad(w, c, best[k], false, k == 1, v->msg[inv[k]]);
}

static void eval_deletion(struct sim_world *w, struct sim_check *c, struct sim_chk_verdict *v)
{
	uint32_t best = UINT32_MAX, j = 0;
	for (uint32_t i = 0; i < c->queued.n; i++) {
		uint32_t t = c->queued.v[i];
		if (!w->zk.delete_queued[t])
			continue; /* unqueued since; a new queueing pushes it again */
		c->queued.v[j++] = t;
		if (t < best && deletion_stuck(w, t, NULL))
			best = t;
	}
	c->queued.n = j;
	c->del_dirty = false;
	if (best != UINT32_MAX)
		v->bad[SIM_INV_DELETION_COMPLETES] = deletion_stuck(w, best, v->msg[SIM_INV_DELETION_COMPLETES]);
}

static void watch(struct sim_check *c, uint32_t pid, uint32_t rar)
{
	if (c->part[pid].flags & CHK_WATCHED)
		return; /* 0.8.2 ignores new requests for a partition already being reassigned */
	c->part[pid].flags |= CHK_WATCHED;
	if (c->n_watched == c->cap_watched) {
		c->cap_watched = c->cap_watched ? c->cap_watched * 2 : 16;
		c->watched = sim_xrealloc(c->watched, c->cap_watched * sizeof *c->watched);
	}
	c->watched[c->n_watched++] = (struct sim_chk_reassign){pid, rar};
}

static void eval_reassign(struct sim_world *w, struct sim_check *c, const struct kc_controller *kc, bool end,
			  struct sim_chk_verdict *v)
{
	char *msg = v->msg[SIM_INV_REASSIGNMENT_COMPLETES];
	uint32_t best = UINT32_MAX;
	for (uint32_t i = 0; w->zk.reassign_exists && i < w->zk.n_reassign; i++) {
		const struct sim_zk_admin_entry *e = &w->zk.reassign[i];
		uint32_t pid = admin_pid(w, e);
		if (pid == UINT32_MAX || !kc_partition_being_reassigned(kc, pid))
			continue;
		watch(c, pid, e->replicas);
		if (pid < best && reassign_stuck(w, kc, pid, e->replicas, end, msg))
			best = pid;
	}
	uint32_t j = 0;
	for (uint32_t i = 0; i < c->n_watched; i++) {
		struct sim_chk_reassign r = c->watched[i];
		if ((c->part[r.pid].flags & CHK_LISTED) || kc_partition_being_reassigned(kc, r.pid)) {
			c->watched[j++] = r;
			continue;
		}
		c->part[r.pid].flags &= (uint8_t)~CHK_WATCHED;
		if (r.pid < best && reassign_wrong(w, r.pid, r.rar, msg))
			best = r.pid;
	}
	c->n_watched = j;
	c->rs_dirty = false;
	v->bad[SIM_INV_REASSIGNMENT_COMPLETES] = best != UINT32_MAX;
}

void sim_chk_live_eval(struct sim_world *w, struct sim_check *c, bool end, struct sim_chk_verdict *v)
{
	memset(v->bad, 0, sizeof v->bad);
	int32_t a = sim_active_controller(w);
	if (a < 0)
		return;
	const struct kc_controller *kc = w->bk[a].kc;
	eval_suspects(w, c, v);
	if (sim_chk_on(w, SIM_INV_AVAILABLE_WHEN_POSSIBLE))
		eval_available(w, c, kc, v);
	eval_metadata(w, c, v);
	if (sim_chk_on(w, SIM_INV_DELETION_COMPLETES) && c->del_dirty)
		eval_deletion(w, c, v);
	if (sim_chk_on(w, SIM_INV_REASSIGNMENT_COMPLETES) && (c->rs_dirty || end))
		eval_reassign(w, c, kc, end, v);
}

/* ---- from scratch ---- */

void sim_chk_live_scratch(struct sim_world *w, struct sim_check *c, bool end, struct sim_chk_verdict *v)
{
	memset(v->bad, 0, sizeof v->bad);
	int32_t a = sim_active_controller(w);
	if (a < 0)
		return;
	const struct kc_controller *kc = w->bk[a].kc;
	bool *listed = calloc(c->n_parts ? c->n_parts : 1, sizeof *listed);
	if (!listed) {
		fprintf(stderr, "kcsim: out of memory\n");
		exit(3);
	}
	for (uint32_t i = 0; w->zk.reassign_exists && i < w->zk.n_reassign; i++) {
		uint32_t pid = admin_pid(w, &w->zk.reassign[i]);
		if (pid != UINT32_MAX)
			listed[pid] = true;
	}
	bool *bad = v->bad;
	char(*msg)[SIM_CHK_MSG] = v->msg;
	meta_reps(w, c);
	for (uint32_t pid = 0; pid < c->n_parts; pid++) {
		enum sim_invariant i;
		i = SIM_INV_DEAD_REPLICAS_LEAVE_ISR;
		if (sim_chk_on(w, i) && !bad[i])
			bad[i] = dead_in_isr(w, c, pid, msg[i]);
		i = SIM_INV_LEADER_ALIVE;
		if (sim_chk_on(w, i) && !bad[i])
			bad[i] = leader_dead(w, pid, msg[i]);
		i = SIM_INV_AVAILABLE_WHEN_POSSIBLE;
		if (sim_chk_on(w, i) && !bad[i])
			bad[i] = unavailable(w, kc, pid, msg[i]);
		i = SIM_INV_METADATA_CONVERGES;
		if (sim_chk_on(w, i) && !bad[i])
			bad[i] = meta_bad(w, c, pid, listed[pid], false, msg[i]);
		i = SIM_INV_METADATA_ISR_CONVERGES;
		if (sim_chk_on(w, i) && !bad[i])
			bad[i] = meta_bad(w, c, pid, listed[pid], true, msg[i]);
	}
	free(listed);
	for (uint32_t t = 0; sim_chk_on(w, SIM_INV_DELETION_COMPLETES) && !bad[SIM_INV_DELETION_COMPLETES] &&
			     t < w->n_topics;
	     t++)
		bad[SIM_INV_DELETION_COMPLETES] = deletion_stuck(w, t, msg[SIM_INV_DELETION_COMPLETES]);
	if (!sim_chk_on(w, SIM_INV_REASSIGNMENT_COMPLETES))
		return;
	/* the pid order of the incremental path: the first stuck or wrongly finished partition */
	uint32_t best = UINT32_MAX;
	char *rmsg = msg[SIM_INV_REASSIGNMENT_COMPLETES];
	for (uint32_t i = 0; w->zk.reassign_exists && i < w->zk.n_reassign; i++) {
		uint32_t pid = admin_pid(w, &w->zk.reassign[i]);
		if (pid != UINT32_MAX && pid < best && reassign_stuck(w, kc, pid, w->zk.reassign[i].replicas, end, rmsg))
			best = pid;
	}
	for (uint32_t i = 0; i < c->n_watched; i++) {
		const struct sim_chk_reassign *r = &c->watched[i];
		if (!(c->part[r->pid].flags & CHK_LISTED) && !kc_partition_being_reassigned(kc, r->pid) && r->pid < best &&
		    reassign_wrong(w, r->pid, r->rar, rmsg))
			best = r->pid;
	}
	bad[SIM_INV_REASSIGNMENT_COMPLETES] = best != UINT32_MAX;
}

#ifdef SIM_DEBUG_CHECK
void sim_chk_live_audit(struct sim_world *w, struct sim_check *c)
{
	uint32_t *lead = calloc(c->n_brokers + 1, sizeof *lead), *isr = calloc(c->n_brokers + 1, sizeof *isr);
	if (!lead || !isr)
		exit(3);
	for (uint32_t pid = 0; pid < c->n_parts; pid++) {
		int32_t l = leader_counted(w, pid);
		uint32_t list = isr_counted(w, pid), n;
		if (l != c->part[pid].counted_leader || list != c->part[pid].counted_isr) {
			fprintf(stderr, "kcsim: checker: pid %" PRIu32 " counted stale\n", pid);
			abort();
		}
		if (l >= 0)
			lead[l]++;
		const int32_t *v = sim_lists_get(&w->lists, list, &n);
		for (uint32_t i = 0; list && i < n; i++)
			if (sim_bidx(w, v[i]) >= 0)
				isr[sim_bidx(w, v[i])]++;
	}
	for (uint32_t b = 0; b < c->n_brokers; b++)
		if (lead[b] != c->bk[b].lead_count || isr[b] != c->bk[b].isr_count ||
		    c->bk[b].registered != w->zk.registered[b]) {
			fprintf(stderr, "kcsim: checker: broker %" PRId32 " counters differ from a recount\n", w->bk[b].id);
			abort();
		}
	free(lead);
	free(isr);
}
#endif
