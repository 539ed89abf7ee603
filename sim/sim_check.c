/* sim_check.c — the invariant checker (spec/invariants.md): its life cycle and baseline, the
 * hooks the world calls through sim_observe.c, the safety invariants (judged after every event
 * on what the event changed, reported in catalog order), and the end of the run (everything
 * recomputed from scratch). Liveness is in sim_check_live.c. The checker reads the world and
 * never changes it; a violation goes to sim_obs_violation, which stops the run. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_check_int.h"

/* ---- small helpers shared with sim_check_live.c ---- */

void sim_chk_push(struct sim_u32v *v, uint32_t x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 64;
		v->v = sim_xrealloc(v->v, (size_t)v->cap * sizeof *v->v);
	}
	v->v[v->n++] = x;
}

void sim_chk_mark(struct sim_check *c, uint32_t pid, uint8_t flag, struct sim_u32v *v)
{
	if (c->part[pid].flags & flag)
		return;
	c->part[pid].flags |= flag;
	sim_chk_push(v, pid);
}

const char *sim_chk_pname(const struct sim_world *w, uint32_t pid, char *buf, size_t n)
{
	snprintf(buf, n, "%s-%" PRIu32, w->sc->topics[w->pid_topic[pid]].name, w->pid_number[pid]);
	return buf;
}

const char *sim_chk_aname(const int32_t *v, uint32_t len, char *buf, size_t n)
{
	size_t o = 0;
	int k = snprintf(buf, n, "[");
	for (uint32_t i = 0; i <= len && k >= 0 && (size_t)k < n - o; i++) {
		o += (size_t)k;
		k = i == len ? snprintf(buf + o, n - o, "]") : snprintf(buf + o, n - o, "%s%" PRId32, i ? "," : "", v[i]);
	}
	return buf;
}

const char *sim_chk_lname(const struct sim_world *w, uint32_t list, char *buf, size_t n)
{
	uint32_t len;
	const int32_t *v = sim_lists_get(&w->lists, list, &len);
	return sim_chk_aname(v, len, buf, n);
}

const char *sim_chk_time(uint64_t t_us, char *buf, size_t n)
{
	snprintf(buf, n, "%" PRIu64 ".%06" PRIu64 "s", t_us / 1000000u, t_us % 1000000u);
	return buf;
}

static const char *state_name(bool partition, int s)
{
	const char *n = partition ? kc_partition_state_name(s) : kc_replica_state_name(s);
	return n ? n : "?";
}

static const char *leader_str(int32_t id, char *buf, size_t n)
{
	if (id < 0)
		snprintf(buf, n, "no leader");
	else
		snprintf(buf, n, "broker %" PRId32, id);
	return buf;
}

static bool meta_on(const struct sim_world *w)
{
	return sim_chk_on(w, SIM_INV_METADATA_CONVERGES) || sim_chk_on(w, SIM_INV_METADATA_ISR_CONVERGES);
}

/* A safety violation seen during the event: the first message per invariant is kept, and
 * sim_check_after_event reports the first invariant in catalog order, so that one event that
 * breaks two rules always names the same one. */
static void pend(struct sim_world *w, struct sim_check *c, enum sim_invariant inv, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void pend(struct sim_world *w, struct sim_check *c, enum sim_invariant inv, const char *fmt, ...)
{
	if (!sim_chk_on(w, inv) || c->pend[inv])
		return;
	c->pend[inv] = c->any_pend = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->pend_msg[inv], SIM_CHK_MSG, fmt, ap);
	va_end(ap);
}

static void report(struct sim_world *w, const bool *bad, char (*msg)[SIM_CHK_MSG])
{
	for (int inv = 0; inv < SIM_INVARIANT_COUNT; inv++)
		if (bad[inv]) {
			sim_obs_violation(w, inv, "%s", msg[inv]);
			return;
		}
}

static void report_pending(struct sim_world *w, struct sim_check *c)
{
	if (!c->any_pend)
		return;
	report(w, c->pend, c->pend_msg);
	memset(c->pend, 0, sizeof c->pend);
	c->any_pend = false;
}

/* ---- life cycle ---- */

struct sim_check *sim_check_new(struct sim_world *w)
{
	struct sim_check *c = sim_xcalloc(1, sizeof *c);
	c->n_parts = w->n_parts;
	c->n_brokers = w->n_brokers;
	c->n_topics = w->n_topics;
	/* not zeroed: sync_world writes every entry before any hook reads one */
	c->part = sim_xrealloc(NULL, (size_t)c->n_parts * sizeof *c->part);
	sim_huge_pages(c->part, (size_t)c->n_parts * sizeof *c->part);
	c->bk = sim_xcalloc(c->n_brokers, sizeof *c->bk);
	c->del_queued = sim_xcalloc(c->n_topics, sizeof *c->del_queued);
	c->max_active_epoch = -1;
	c->meta_epoch = 1;
	return c;
}

void sim_check_free(struct sim_check *c)
{
	if (!c)
		return;
	struct sim_u32v *lists[] = {&c->safe_dirty, &c->live_dirty, &c->avail_cand, &c->meta_cand, &c->leaderless,
				    &c->bk_dirty,   &c->suspects,   &c->meta_scan,  &c->queued,    &c->listed};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		free(lists[i]->v);
	free(c->meta_reps.v);
	free(c->watched);
	free(c->epoch_owner);
	free(c->part);
	free(c->bk);
	free(c->del_queued);
	free(c);
}

static void forget_leaders(struct sim_chk_part *p)
{
	p->lead_epoch[0] = p->lead_epoch[1] = -1;
	p->lead_broker[0] = p->lead_broker[1] = -1;
}

/* single_leader_per_epoch: broker b acts as the leader of pid with epoch. The two latest
 * epochs of the partition's incarnation and who acted on them are kept; a stale leader acting
 * on an older epoch is not news. */
static void leader_acts(struct sim_world *w, struct sim_check *c, uint32_t b, uint32_t pid, int32_t epoch)
{
	struct sim_chk_part *p = &c->part[pid];
	for (int i = 0; i < 2; i++)
		if (p->lead_broker[i] >= 0 && p->lead_epoch[i] == epoch && p->lead_broker[i] != (int32_t)b) {
			char pn[256];
			pend(w, c, SIM_INV_SINGLE_LEADER_PER_EPOCH, "%s: brokers %" PRId32 " and %" PRId32
			     " both act as leader with leader epoch %" PRId32,
			     sim_chk_pname(w, pid, pn, sizeof pn), w->bk[p->lead_broker[i]].id, w->bk[b].id, epoch);
			return;
		}
	if (p->lead_broker[0] < 0 || epoch > p->lead_epoch[0]) {
		p->lead_epoch[1] = p->lead_epoch[0];
		p->lead_broker[1] = p->lead_broker[0];
		p->lead_epoch[0] = epoch;
		p->lead_broker[0] = (int32_t)b;
	}
}

void sim_chk_suspect(struct sim_check *c, uint32_t b)
{
	if (c->bk[b].flags & CHK_BK_SUSPECT)
		return;
	c->bk[b].flags |= CHK_BK_SUSPECT;
	sim_chk_push(&c->suspects, b);
}

static void broker_dirty(struct sim_check *c, uint32_t b)
{
	if (c->bk[b].flags & CHK_BK_DIRTY)
		return;
	c->bk[b].flags |= CHK_BK_DIRTY;
	sim_chk_push(&c->bk_dirty, b);
}

/* /admin/reassign_partitions changed: partitions that left it lose the metadata exemption. */
static void read_reassign_admin(struct sim_world *w, struct sim_check *c)
{
	bool meta = meta_on(w);
	for (uint32_t i = 0; i < c->listed.n; i++) {
		uint32_t pid = c->listed.v[i];
		c->part[pid].flags &= (uint8_t)~CHK_LISTED;
		if (meta)
			sim_chk_mark(c, pid, CHK_META_CAND, &c->meta_cand);
	}
	c->listed.n = 0;
	for (uint32_t i = 0; w->zk.reassign_exists && i < w->zk.n_reassign; i++) {
		const struct sim_zk_admin_entry *e = &w->zk.reassign[i];
		if (e->topic >= c->n_topics || e->partition >= w->first_pid[e->topic + 1] - w->first_pid[e->topic])
			continue;
		sim_chk_mark(c, w->first_pid[e->topic] + e->partition, CHK_LISTED, &c->listed);
	}
	c->rs_dirty = true;
}

/* /admin/delete_topics changed (the hook does not say which topic): compare with the copy,
 * skipping equal blocks, and refresh the partitions whose exemptions changed. */
static void read_delete_admin(struct sim_world *w, struct sim_check *c)
{
	const bool *now = w->zk.delete_queued;
	bool meta = meta_on(w);
	uint32_t t = 0;
	while (t < c->n_topics) {
		if (t + 64 <= c->n_topics && memcmp(c->del_queued + t, now + t, 64) == 0) {
			t += 64;
			continue;
		}
		if (c->del_queued[t] != now[t]) {
			c->del_queued[t] = now[t];
			if (now[t])
				sim_chk_push(&c->queued, t);
			for (uint32_t pid = w->first_pid[t]; pid < w->first_pid[t + 1]; pid++) {
				sim_chk_mark(c, pid, CHK_LIVE_DIRTY, &c->live_dirty);
				if (meta && !now[t])
					sim_chk_mark(c, pid, CHK_META_CAND, &c->meta_cand);
			}
		}
		t++;
	}
	c->del_dirty = true;
}

/* The baseline: what the world is once start-up is over (instant start-up and `initial:` are
 * not observed). Controller activations are tracked from the very start and kept. */
static void sync_world(struct sim_world *w, struct sim_check *c)
{
	struct sim_u32v *lists[] = {&c->safe_dirty, &c->live_dirty, &c->avail_cand, &c->meta_cand, &c->leaderless,
				    &c->bk_dirty,   &c->suspects,   &c->meta_scan,  &c->queued,    &c->listed};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		lists[i]->n = 0;
	c->n_watched = 0;
	c->meta_epoch++;
	for (uint32_t b = 0; b < c->n_brokers; b++) {
		struct sim_chk_bk *k = &c->bk[b];
		const struct sim_bk *wb = &w->bk[b];
		k->inc = wb->incarnation;
		k->accepted_epoch = wb->up ? wb->known_ctrl_epoch : -1;
		k->registered = w->zk.registered[b];
		k->gone_since = k->registered ? SIM_NEVER : w->now;
		k->meta_live = false;
		k->lead_count = k->isr_count = 0;
		k->flags = 0;
		broker_dirty(c, b);
	}
	for (uint32_t pid = 0; pid < c->n_parts; pid++) {
		const struct sim_zk_state *st = &w->zk.states[pid];
		struct sim_chk_part *p = &c->part[pid];
		*p = (struct sim_chk_part){.czxid = st->exists ? st->czxid : 0,
					   .version = st->version,
					   .epoch = st->leader_epoch,
					   .counted_leader = -1};
		forget_leaders(p);
		sim_chk_mark(c, pid, CHK_LIVE_DIRTY, &c->live_dirty);
		uint32_t n;
		const struct sim_rep *r = sim_rep_slice(w, pid, &n);
		for (uint32_t i = 0; i < n; i++)
			if (sim_rep_live(w, &r[i]) && r[i].role == ROLE_LEADER && !sim_bk_paused(w, (uint32_t)r[i].broker))
				leader_acts(w, c, (uint32_t)r[i].broker, pid, r[i].leader_epoch);
	}
	for (uint32_t t = 0; t < c->n_topics; t++) {
		c->del_queued[t] = w->zk.delete_queued[t];
		if (c->del_queued[t])
			sim_chk_push(&c->queued, t);
	}
	read_reassign_admin(w, c);
	c->walk_leaderless = c->del_dirty = c->rs_dirty = true;
	c->synced = true;
}

/* Hooks run only outside start-up; the first one after it takes the baseline. */
static bool prepare(struct sim_world *w, struct sim_check *c)
{
	if (w->startup_phase) {
		c->synced = false;
		return false;
	}
	if (!c->synced)
		sync_world(w, c);
	return true;
}

void sim_check_begin(struct sim_world *w, struct sim_check *c) { prepare(w, c); }

/* ---- safety: state changes and elections ---- */

/* controller.md §2.2 (0.8.2 column) and §3.1: the states each target may be entered from. A copy
 * of the core's table on purpose: a bug in the core's table must not hide itself here. */
static bool replica_edge(int from, int to)
{
	switch (to) {
	case KC_NEW_REPLICA:
		return from == KC_NON_EXISTENT_REPLICA;
	case KC_ONLINE_REPLICA:
	case KC_OFFLINE_REPLICA:
		return from == KC_NEW_REPLICA || from == KC_ONLINE_REPLICA || from == KC_OFFLINE_REPLICA ||
		       from == KC_REPLICA_DELETION_INELIGIBLE;
	case KC_REPLICA_DELETION_STARTED:
		return from == KC_OFFLINE_REPLICA;
	case KC_REPLICA_DELETION_SUCCESSFUL:
	case KC_REPLICA_DELETION_INELIGIBLE:
		return from == KC_REPLICA_DELETION_STARTED;
	case KC_NON_EXISTENT_REPLICA:
		return from == KC_REPLICA_DELETION_SUCCESSFUL;
	default:
		return false;
	}
}

static bool partition_edge(int from, int to)
{
	switch (to) {
	case KC_NEW_PARTITION:
		return from == KC_NON_EXISTENT_PARTITION;
	case KC_ONLINE_PARTITION:
	case KC_OFFLINE_PARTITION:
		return from == KC_NEW_PARTITION || from == KC_ONLINE_PARTITION || from == KC_OFFLINE_PARTITION;
	case KC_NON_EXISTENT_PARTITION:
		return from == KC_OFFLINE_PARTITION;
	default:
		return false;
	}
}

/* The reports of sim_check_state_change, kept out of line: with them inlined, every one of
 * a start-up's millions of state changes paid for saving and restoring the registers their
 * formatting needs. */
static __attribute__((noinline)) void bad_edge(struct sim_world *w, struct sim_check *c,
						const struct kc_state_change *sc)
{
	char pn[256];
	if (sc->is_partition)
		pend(w, c, SIM_INV_VALID_PARTITION_TRANSITION,
		     "%s: partition moved from %s to %s, not a valid previous state (controller %" PRId32
		     ", epoch %" PRId32 ")",
		     sim_chk_pname(w, sc->pid, pn, sizeof pn), state_name(true, sc->from), state_name(true, sc->to),
		     sc->controller_id, sc->controller_epoch);
	else
		pend(w, c, SIM_INV_VALID_REPLICA_TRANSITION,
		     "%s: replica %" PRId32 " moved from %s to %s, not a valid previous state (controller %" PRId32
		     ", epoch %" PRId32 ")",
		     sim_chk_pname(w, sc->pid, pn, sizeof pn), sc->broker, state_name(false, sc->from),
		     state_name(false, sc->to), sc->controller_id, sc->controller_epoch);
}

static __attribute__((noinline)) void new_replica_leads(struct sim_world *w, struct sim_check *c,
							 const struct kc_state_change *sc)
{
	const struct sim_zk_state *st = &w->zk.states[sc->pid];
	char pn[256];
	pend(w, c, SIM_INV_NO_LEADER_TO_NEW_REPLICA,
	     "%s: replica %" PRId32 " entered NewReplica from %s while ZooKeeper names it the leader (leader epoch %" PRId32
	     ", zkVersion %" PRId32 ")",
	     sim_chk_pname(w, sc->pid, pn, sizeof pn), sc->broker, state_name(false, sc->from), st->leader_epoch,
	     st->version);
}

void sim_check_state_change(struct sim_world *w, struct sim_check *c, uint32_t ctrl, const struct kc_state_change *sc)
{
	(void)ctrl;
	if (!prepare(w, c) || !sc->applied)
		return; /* a refused transition is a logged failure, not a change */
	if (sc->is_partition) {
		if (!partition_edge(sc->from, sc->to))
			bad_edge(w, c, sc);
		return;
	}
	if (!replica_edge(sc->from, sc->to))
		bad_edge(w, c, sc);
	const struct sim_zk_state *st = &w->zk.states[sc->pid];
	if (sc->to == KC_NEW_REPLICA && st->exists && st->leader == sc->broker)
		new_replica_leads(w, c, sc);
}

/* The leader controller.md §4 (0.8.2) picks, computed here on its own from what the election
 * read: -1 for none. live = the controller's liveBrokerIds (registered, not shutting down). */
static int32_t rule_leader(const struct sim_world *w, const struct kc_controller *kc, const struct kc_election *e)
{
	const struct kc_lisr *cur = e->before;
	switch (e->selector) {
	case KC_SEL_OFFLINE: {
		bool live_isr = false;
		for (uint32_t i = 0; i < cur->isr_len; i++)
			live_isr |= kc_broker_live(kc, cur->isr[i]);
		/* §4.1: with a live ISR member, the first AR member in the live ISR (KAFKA-1503) */
		for (uint32_t i = 0; live_isr && i < e->ar_len; i++)
			if (kc_broker_live(kc, e->ar[i]) && sim_chk_has(cur->isr, cur->isr_len, e->ar[i]))
				return e->ar[i];
		if (live_isr || !sim_chk_unclean(w, w->pid_topic[e->pid]))
			return -1;
		for (uint32_t i = 0; i < e->ar_len; i++)
			if (kc_broker_live(kc, e->ar[i]))
				return e->ar[i];
		return -1;
	}
	case KC_SEL_REASSIGNED:
		/* partitionsBeingReassigned(p) throws when p is not being reassigned */
		if (!kc_partition_being_reassigned(kc, e->pid))
			return -1;
		for (uint32_t i = 0; i < e->ar_len; i++)
			if (kc_broker_live(kc, e->ar[i]) && sim_chk_has(cur->isr, cur->isr_len, e->ar[i]))
				return e->ar[i];
		return -1;
	case KC_SEL_PREFERRED:
		return e->ar_len && kc_broker_live(kc, e->ar[0]) && sim_chk_has(cur->isr, cur->isr_len, e->ar[0])
			       ? e->ar[0]
			       : -1;
	case KC_SEL_CONTROLLED_SHUTDOWN:
		/* §4.4 0.8.2: the head of the ISR without the shutting-down brokers, dead or not */
		for (uint32_t i = 0; i < cur->isr_len; i++)
			if (!kc_broker_shutting_down(kc, cur->isr[i]))
				return cur->isr[i];
		return -1;
	case KC_SEL_NOOP:
		return cur->leader;
	}
	return -1;
}

void sim_check_election(struct sim_world *w, struct sim_check *c, uint32_t ctrl, const struct kc_election *e)
{
	if (!prepare(w, c) || !sim_chk_on(w, SIM_INV_ELECTION_RULE))
		return;
	const struct kc_controller *kc = w->bk[ctrl].kc;
	int32_t want = rule_leader(w, kc, e);
	int32_t got = e->ok ? e->leader : -1;
	if (e->selector == KC_SEL_NOOP ? e->ok && got == want : got == want)
		return;
	struct kc_lisr cached;
	/* 0.8.2's preferred selector fails first when the controller has no leadership cached */
	if (e->selector == KC_SEL_PREFERRED && !e->ok && !kc_cached_leadership(kc, e->pid, &cached))
		return;
	char pn[256], ar[256], isr[256], live[256], gs[32], ws[32];
	int32_t lv[KC_MAX_REPLICAS];
	uint32_t nl = 0;
	for (uint32_t i = 0; i < e->ar_len; i++)
		if (kc_broker_live(kc, e->ar[i]))
			lv[nl++] = e->ar[i];
	pend(w, c, SIM_INV_ELECTION_RULE,
	     "%s: %s election %s%s; controller.md section 4 picks %s (%s %s, ISR read %s at zkVersion %" PRId32
	     ", live among them %s)",
	     sim_chk_pname(w, e->pid, pn, sizeof pn), kc_selector_name(e->selector), e->ok ? "chose " : "failed",
	     e->ok ? leader_str(got, gs, sizeof gs) : "", leader_str(want, ws, sizeof ws),
	     e->selector == KC_SEL_REASSIGNED ? "RAR" : "AR", sim_chk_aname(e->ar, e->ar_len, ar, sizeof ar),
	     sim_chk_aname(e->before->isr, e->before->isr_len, isr, sizeof isr), e->before->zk_version,
	     sim_chk_aname(lv, nl, live, sizeof live));
}

/* ---- safety: controllers and the requests brokers apply ---- */

/* single_controller_per_epoch: each controller epoch belongs to one broker, whether it shows
 * by an activation or by the requests brokers receive (a zombie stamping a newer epoch). */
static void claim_epoch(struct sim_world *w, struct sim_check *c, int32_t epoch, int32_t id)
{
	if (epoch < 0)
		return;
	if ((uint32_t)epoch >= c->n_epoch_owner) {
		uint32_t n = c->n_epoch_owner ? c->n_epoch_owner : 16;
		while (n <= (uint32_t)epoch)
			n *= 2;
		c->epoch_owner = sim_xrealloc(c->epoch_owner, (size_t)n * sizeof *c->epoch_owner);
		for (uint32_t i = c->n_epoch_owner; i < n; i++)
			c->epoch_owner[i] = -1;
		c->n_epoch_owner = n;
	}
	int32_t *owner = &c->epoch_owner[epoch];
	if (*owner < 0)
		*owner = id;
	else if (*owner != id)
		pend(w, c, SIM_INV_SINGLE_CONTROLLER_PER_EPOCH,
		     "controller epoch %" PRId32 " is used by broker %" PRId32 " and by broker %" PRId32, epoch, *owner, id);
}

/* Called during start-up too: the first controller's epoch counts as an earlier one. */
void sim_check_controller(struct sim_world *w, struct sim_check *c, uint32_t b, bool active, int32_t epoch)
{
	struct sim_chk_bk *k = &c->bk[b];
	/* the live set without shutting-down brokers and the admitted reassignments are the
	 * active controller's: whatever it was told before is judged again */
	c->walk_leaderless = c->del_dirty = c->rs_dirty = true;
	if (!active) {
		k->active = false;
		return;
	}
	for (uint32_t o = 0; o < c->n_brokers; o++)
		if (o != b && c->bk[o].active && c->bk[o].active_epoch == epoch)
			pend(w, c, SIM_INV_SINGLE_CONTROLLER_PER_EPOCH,
			     "brokers %" PRId32 " and %" PRId32 " both act as controller with epoch %" PRId32, w->bk[o].id,
			     w->bk[b].id, epoch);
	if (epoch <= c->max_active_epoch)
		pend(w, c, SIM_INV_SINGLE_CONTROLLER_PER_EPOCH,
		     "broker %" PRId32 " became controller with epoch %" PRId32 ", not above the earlier epoch %" PRId32,
		     w->bk[b].id, epoch, c->max_active_epoch);
	claim_epoch(w, c, epoch, w->bk[b].id);
	k->active = true;
	k->active_epoch = epoch;
	if (epoch > c->max_active_epoch)
		c->max_active_epoch = epoch;
}

void sim_check_request_handled(struct sim_world *w, struct sim_check *c, uint32_t b, uint32_t req, bool applied)
{
	if (!prepare(w, c))
		return;
	const struct sim_payload *p = &w->payloads[w->reqs[req].payload];
	claim_epoch(w, c, p->controller_epoch, p->controller_id);
	if (!applied)
		return;
	struct sim_chk_bk *k = &c->bk[b];
	if (k->inc != w->bk[b].incarnation) {
		k->inc = w->bk[b].incarnation; /* a restarted broker starts again from nothing */
		k->accepted_epoch = -1;
	}
	if (p->controller_epoch < k->accepted_epoch)
		pend(w, c, SIM_INV_EPOCHS_MONOTONIC,
		     "broker %" PRId32 " accepted controller epoch %" PRId32 " after accepting %" PRId32
		     " (incarnation %" PRIu32 ")",
		     w->bk[b].id, p->controller_epoch, k->accepted_epoch, k->inc);
	else
		k->accepted_epoch = p->controller_epoch;
}

/* The reports of sim_check_lair_accepted, out of line for the reason bad_edge is. */
static __attribute__((noinline)) void stale_lair(struct sim_world *w, struct sim_check *c, uint32_t b,
						  const struct sim_entry *e, int32_t held_epoch,
						  int32_t req_ctrl_epoch, int32_t seen)
{
	char pn[256];
	if (req_ctrl_epoch < seen)
		pend(w, c, SIM_INV_NO_STALE_REQUEST_APPLIED,
		     "broker %" PRId32 " applied a LeaderAndIsr for %s from controller epoch %" PRId32
		     " after accepting controller epoch %" PRId32,
		     w->bk[b].id, sim_chk_pname(w, e->pid, pn, sizeof pn), req_ctrl_epoch, seen);
	if (e->leader_epoch <= held_epoch)
		pend(w, c, SIM_INV_NO_STALE_REQUEST_APPLIED,
		     "broker %" PRId32 " applied %s with leader epoch %" PRId32 " while holding leader epoch %" PRId32
		     " (controller epoch %" PRId32 ")",
		     w->bk[b].id, sim_chk_pname(w, e->pid, pn, sizeof pn), e->leader_epoch, held_epoch, req_ctrl_epoch);
}

void sim_check_lair_accepted(struct sim_world *w, struct sim_check *c, uint32_t b, const struct sim_entry *e,
			     int32_t held_epoch, int32_t req_ctrl_epoch)
{
	if (!prepare(w, c))
		return;
	const struct sim_chk_bk *k = &c->bk[b];
	int32_t seen = k->inc == w->bk[b].incarnation ? k->accepted_epoch : -1;
	if (req_ctrl_epoch < seen || e->leader_epoch <= held_epoch)
		stale_lair(w, c, b, e, held_epoch, req_ctrl_epoch, seen);
}

void sim_check_prefetch(const struct sim_check *c, uint32_t pid) { __builtin_prefetch(&c->part[pid], 1); }

void sim_check_leader_role(struct sim_world *w, struct sim_check *c, uint32_t b, uint32_t pid, bool acting,
			   int32_t leader_epoch)
{
	if (prepare(w, c) && acting)
		leader_acts(w, c, b, pid, leader_epoch);
}

/* ---- what changed: ZooKeeper, caches, processes ---- */

/* epochs_monotonic for one state znode write: same incarnation (czxid), version + 1, leader
 * epoch not below the last one. */
static void state_written(struct sim_world *w, struct sim_check *c, uint32_t pid)
{
	const struct sim_zk_state *st = &w->zk.states[pid];
	struct sim_chk_part *p = &c->part[pid];
	if (!st->exists || st->czxid != p->czxid) {
		/* deleted, or created again: a new incarnation starts its own epochs and leaders */
		p->czxid = st->exists ? st->czxid : 0;
		p->version = st->version;
		p->epoch = st->leader_epoch;
		forget_leaders(p);
		return;
	}
	char pn[256];
	if (st->version != p->version + 1)
		pend(w, c, SIM_INV_EPOCHS_MONOTONIC,
		     "%s: zkVersion went from %" PRId32 " to %" PRId32 " in one write (leader epoch %" PRId32 " -> %" PRId32 ")",
		     sim_chk_pname(w, pid, pn, sizeof pn), p->version, st->version, p->epoch, st->leader_epoch);
	else if (st->leader_epoch < p->epoch)
		pend(w, c, SIM_INV_EPOCHS_MONOTONIC,
		     "%s: leader epoch went back from %" PRId32 " to %" PRId32 " (zkVersion %" PRId32 " -> %" PRId32 ")",
		     sim_chk_pname(w, pid, pn, sizeof pn), p->epoch, st->leader_epoch, p->version, st->version);
	p->version = st->version;
	p->epoch = st->leader_epoch;
}

static void partition_changed(struct sim_check *c, uint32_t pid, bool meta)
{
	sim_chk_mark(c, pid, CHK_SAFE_DIRTY, &c->safe_dirty);
	sim_chk_mark(c, pid, CHK_LIVE_DIRTY, &c->live_dirty);
	if (meta)
		sim_chk_mark(c, pid, CHK_META_CAND, &c->meta_cand);
	if (c->part[pid].flags & CHK_LISTED)
		c->rs_dirty = true; /* a reassigning partition's ISR: the controller may now complete it */
}

void sim_check_zk(struct sim_world *w, struct sim_check *c, enum sim_zk_change what, uint32_t id)
{
	if (!prepare(w, c))
		return;
	bool meta = meta_on(w);
	switch (what) {
	case ZKC_STATE:
		state_written(w, c, id);
		partition_changed(c, id, meta);
		break;
	case ZKC_TOPIC:
		for (uint32_t pid = w->first_pid[id]; pid < w->first_pid[id + 1]; pid++)
			partition_changed(c, pid, meta);
		c->del_dirty = c->rs_dirty = true;
		break;
	case ZKC_BROKER: {
		struct sim_chk_bk *k = &c->bk[id];
		bool reg = w->zk.registered[id];
		if (reg != k->registered) {
			k->registered = reg;
			k->gone_since = reg ? SIM_NEVER : w->now;
		}
		broker_dirty(c, id);
		if (!reg && (k->lead_count || k->isr_count))
			sim_chk_suspect(c, id);
		c->walk_leaderless = c->del_dirty = c->rs_dirty = true;
		break;
	}
	case ZKC_ADMIN:
		if (id == 0)
			read_delete_admin(w, c);
		else if (id == 1)
			read_reassign_admin(w, c);
		break;
	case ZKC_CONTROLLER:
	case ZKC_EPOCH:
		break; /* controllers are judged by sim_check_controller and the requests they send */
	}
}

/* Broker b's cache for pid changed: a candidate if it disagrees with ZooKeeper. */
static void meta_changed(struct sim_world *w, struct sim_check *c, uint32_t b, uint32_t pid)
{
	if (c->part[pid].flags & CHK_META_CAND)
		return;
	if ((sim_chk_on(w, SIM_INV_METADATA_CONVERGES) && sim_chk_meta_mismatch(w, b, pid, false)) ||
	    (sim_chk_on(w, SIM_INV_METADATA_ISR_CONVERGES) && sim_chk_meta_mismatch(w, b, pid, true)))
		sim_chk_mark(c, pid, CHK_META_CAND, &c->meta_cand);
}

void sim_check_meta(struct sim_world *w, struct sim_check *c, uint32_t b, uint32_t pid)
{
	if (prepare(w, c) && meta_on(w))
		meta_changed(w, c, b, pid);
}

void sim_check_meta_entries(struct sim_world *w, struct sim_check *c, uint32_t b, const struct sim_entry *e,
			    uint32_t n, uint64_t *stamp)
{
	if (!prepare(w, c) || !meta_on(w))
		return;
	/* The same entries already judged on the same cache since candidates were last cleared:
	 * each partition that disagreed then is a candidate still, and one whose state znode
	 * changed since became one then. */
	if (stamp && *stamp == c->meta_epoch)
		return;
	for (uint32_t i = 0; i < n; i++)
		meta_changed(w, c, b, e[i].pid);
	if (stamp)
		*stamp = c->meta_epoch;
}

void sim_check_broker_process(struct sim_world *w, struct sim_check *c, uint32_t b, bool up)
{
	if (!prepare(w, c))
		return;
	broker_dirty(c, b);
	/* a process starts with an empty metadata cache: once live, all of it is compared, even if
	 * the broker was live at the last refresh too (it restarted in between) */
	if (up)
		c->bk[b].meta_live = false;
}

/* ---- after every event, at quiescent points, at the end ---- */

/* leader_in_isr and isr_subset_of_replicas for one partition's state znode. */
static void check_state(struct sim_world *w, struct sim_check *c, uint32_t pid)
{
	const struct sim_zk_state *st = &w->zk.states[pid];
	if (!st->exists)
		return;
	uint32_t n;
	const int32_t *isr = sim_lists_get(&w->lists, st->isr, &n);
	char pn[256], ln[256], an[256];
	if (st->leader >= 0 && !sim_chk_has(isr, n, st->leader))
		pend(w, c, SIM_INV_LEADER_IN_ISR,
		     "%s: leader %" PRId32 " not in ISR %s (zkVersion %" PRId32 ", leader epoch %" PRId32 ")",
		     sim_chk_pname(w, pid, pn, sizeof pn), st->leader, sim_chk_aname(isr, n, ln, sizeof ln), st->version,
		     st->leader_epoch);
	const struct kc_assigned *a = sim_chk_assigned(w, pid);
	for (uint32_t i = 0; i < n; i++)
		if (!a || !sim_chk_has(a->replicas, a->n_replicas, isr[i])) {
			pend(w, c, SIM_INV_ISR_SUBSET_OF_REPLICAS,
			     "%s: ISR member %" PRId32 " is not an assigned replica %s (ISR %s, zkVersion %" PRId32 ")",
			     sim_chk_pname(w, pid, pn, sizeof pn), isr[i],
			     a ? sim_chk_aname(a->replicas, a->n_replicas, an, sizeof an) : "(no topic znode entry)",
			     sim_chk_aname(isr, n, ln, sizeof ln), st->version);
			break;
		}
}

void sim_check_after_event(struct sim_world *w, struct sim_check *c)
{
	if (!prepare(w, c))
		return;
	for (uint32_t i = 0; i < c->safe_dirty.n; i++) {
		uint32_t pid = c->safe_dirty.v[i];
		c->part[pid].flags &= (uint8_t)~CHK_SAFE_DIRTY;
		check_state(w, c, pid);
	}
	c->safe_dirty.n = 0;
	report_pending(w, c);
}

#ifdef SIM_DEBUG_CHECK
/* Debug builds: the incremental verdict must equal the one from scratch. */
static void compare_verdicts(const struct sim_check *c)
{
	for (int inv = 0; inv < SIM_INVARIANT_COUNT; inv++)
		if (c->inc.bad[inv] != c->scratch.bad[inv]) {
			fprintf(stderr, "kcsim: checker: %s is %s incrementally but %s from scratch (%s | %s)\n",
				sim_invariant_info((enum sim_invariant)inv)->name, c->inc.bad[inv] ? "violated" : "held",
				c->scratch.bad[inv] ? "violated" : "held", c->inc.bad[inv] ? c->inc.msg[inv] : "",
				c->scratch.bad[inv] ? c->scratch.msg[inv] : "");
			abort();
		}
}
#endif

void sim_check_quiescent(struct sim_world *w, struct sim_check *c)
{
	if (!prepare(w, c))
		return;
	c->quiescent_seen = true;
	c->quiescent_events = w->events;
#ifndef SIM_DEBUG_CHECK
	/* Nothing marked since the last quiescent point and no suspect whose time may run out:
	 * the evaluation would look at nothing (most quiescent points of a large run are between
	 * follower catch-ups). Debug builds evaluate anyway, to compare with the scratch verdict. */
	if (c->suspects.n == 0 && !c->walk_leaderless && c->avail_cand.n == 0 && c->meta_cand.n == 0 &&
	    !c->del_dirty && !c->rs_dirty && c->bk_dirty.n == 0 && c->live_dirty.n == 0 && c->meta_scan.n == 0)
		return;
#endif
	sim_chk_live_refresh(w, c);
#ifdef SIM_DEBUG_CHECK
	sim_chk_live_audit(w, c);
	sim_chk_live_scratch(w, c, false, &c->scratch); /* first: the evaluation retires finished work */
#endif
	sim_chk_live_eval(w, c, false, &c->inc);
#ifdef SIM_DEBUG_CHECK
	compare_verdicts(c);
#endif
	report(w, c->inc.bad, c->inc.msg);
}

/* Safety from scratch over the whole world (what a history-free look can judge): ZooKeeper's
 * state znodes, the epochs brokers hold, the controllers and leaders acting now. */
static void safety_scratch(struct sim_world *w, struct sim_check *c)
{
	for (uint32_t pid = 0; pid < c->n_parts; pid++)
		check_state(w, c, pid);
	for (uint32_t b = 0; b < c->n_brokers; b++) {
		const struct sim_bk *k = &w->bk[b];
		if (k->up && c->bk[b].inc == k->incarnation && k->known_ctrl_epoch < c->bk[b].accepted_epoch)
			pend(w, c, SIM_INV_EPOCHS_MONOTONIC,
			     "broker %" PRId32 " holds controller epoch %" PRId32 " after accepting %" PRId32, k->id,
			     k->known_ctrl_epoch, c->bk[b].accepted_epoch);
		if (!k->up || !k->failover_started || !k->kc)
			continue;
		for (uint32_t o = 0; o < b; o++) {
			const struct sim_bk *q = &w->bk[o];
			if (q->up && q->failover_started && q->kc && kc_epoch(q->kc) == kc_epoch(k->kc))
				pend(w, c, SIM_INV_SINGLE_CONTROLLER_PER_EPOCH,
				     "brokers %" PRId32 " and %" PRId32 " both act as controller with epoch %" PRId32, q->id,
				     k->id, kc_epoch(k->kc));
		}
	}
	/* per replica record of the partition (at most one per broker): acts as its leader now */
	bool *acts = sim_xrealloc(NULL, w->n_brokers * sizeof *acts);
	for (uint32_t pid = 0; pid < c->n_parts; pid++) {
		uint32_t n;
		const struct sim_rep *r = sim_rep_slice(w, pid, &n);
		for (uint32_t i = 0; i < n; i++)
			acts[i] = r[i].role == ROLE_LEADER && sim_rep_live(w, &r[i]) &&
				  !sim_bk_paused(w, (uint32_t)r[i].broker);
		for (uint32_t i = 0; i < n; i++)
			for (uint32_t j = 0; acts[i] && j < i; j++) {
				if (acts[j] && r[i].leader_epoch == r[j].leader_epoch) {
					char pn[256];
					pend(w, c, SIM_INV_SINGLE_LEADER_PER_EPOCH,
					     "%s: brokers %" PRId32 " and %" PRId32 " both act as leader with leader epoch %" PRId32,
					     sim_chk_pname(w, pid, pn, sizeof pn), w->bk[r[j].broker].id,
					     w->bk[r[i].broker].id, r[i].leader_epoch);
				}
			}
	}
	free(acts);
#ifdef SIM_DEBUG_CHECK
	/* every state znode write reached the hooks: the baseline equals ZooKeeper */
	for (uint32_t pid = 0; pid < c->n_parts; pid++) {
		const struct sim_zk_state *st = &w->zk.states[pid];
		const struct sim_chk_part *p = &c->part[pid];
		if ((st->exists ? st->czxid : 0) != p->czxid ||
		    (st->exists && (st->version != p->version || st->leader_epoch != p->epoch))) {
			fprintf(stderr, "kcsim: checker: pid %" PRIu32 " state znode changed without a hook\n", pid);
			abort();
		}
	}
#endif
}

void sim_check_end(struct sim_world *w, struct sim_check *c)
{
	if (!prepare(w, c))
		return;
	safety_scratch(w, c);
	struct sim_chk_verdict *v = &c->scratch;
	memset(v->bad, 0, sizeof v->bad);
	/* liveness is judged where the run ends at a quiescent point with an active controller */
	if (c->quiescent_seen && c->quiescent_events == w->events && sim_active_controller(w) >= 0) {
		sim_chk_live_scratch(w, c, true, v);
#ifdef SIM_DEBUG_CHECK
		sim_chk_live_refresh(w, c);
		sim_chk_live_audit(w, c);
		sim_chk_live_eval(w, c, true, &c->inc);
		compare_verdicts(c);
#endif
	}
	for (int inv = 0; inv < SIM_INVARIANT_COUNT; inv++)
		if (c->pend[inv] && !v->bad[inv]) {
			v->bad[inv] = true;
			memcpy(v->msg[inv], c->pend_msg[inv], SIM_CHK_MSG);
		}
	memset(c->pend, 0, sizeof c->pend);
	c->any_pend = false;
	report(w, v->bad, v->msg);
}
