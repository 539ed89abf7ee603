/* sim_expect.c — the scenario's `expect` entries (scenario-format "expect"). `at: T` is judged
 * once every event with time <= T has run (just before the first later event, or when the run
 * ends); `within: T` passes at the first moment up to T when it holds and fails once time
 * passes T (or the run ends) without it; `at_end` when the run ends unless a violation stopped
 * it; `violation` by the run's verdict. `requests` counts the messages sent to a broker from
 * the latest timeline entry at or before the moment judged. Checks read ZooKeeper or the active
 * controller, never the checker. Failures read "FILE:LINE: at T: expected ..., ... says ...".
 *
 * Per event, only what is due is looked at: `at` checks sorted by time are consumed from the
 * front; pending `within` checks are re-judged after an event only if what they read may have
 * changed (ZooKeeper's zxid for ZooKeeper checks). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_expect.h"

enum { X_PENDING, X_PASSED, X_FAILED, X_NOT_EVALUATED };

#define XP_TEXT 2048 /* room for what a check expected and saw (names up to 200 characters) */

struct sim_expect_item {
	uint8_t status;
	bool judged;        /* within: judged at least once, seen_zxid valid */
	uint64_t seen_zxid; /* within: ZooKeeper as of the last judgement */
	uint64_t count;     /* requests: matching messages in the current window */
};

struct sim_expect_state {
	const struct sim_scenario *sc;
	char *file;
	uint32_t n;
	struct sim_expect_item *it;
	uint32_t *at, n_at, at_next;    /* `at` checks by (time, file order), consumed in order */
	uint32_t *within, n_within;     /* pending `within` checks by (time, file order) */
	uint32_t *reqs, n_reqs;         /* `requests` checks still counting */
	char *fail;
	size_t fail_len, fail_cap;
	bool ended;
};

static void *xp_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) {
		fprintf(stderr, "kcsim: out of memory\n");
		exit(3);
	}
	return p;
}

static const struct sim_expect *ex(const struct sim_expect_state *x, uint32_t i) { return &x->sc->expect[i]; }

static int by_time(const struct sim_expect_state *x, uint32_t a, uint32_t b)
{
	uint64_t ta = ex(x, a)->t_us, tb = ex(x, b)->t_us;
	return ta != tb ? (ta < tb ? -1 : 1) : (a < b ? -1 : a > b);
}

/* Bottom-up merge sort by (time, file order): a total order, O(n log n) for the up to a
 * million checks a scenario may hold. */
static void sort_by_time(const struct sim_expect_state *x, uint32_t *v, uint32_t n)
{
	if (n < 2)
		return;
	uint32_t *tmp = xp_calloc(n, sizeof *tmp);
	for (uint32_t width = 1; width < n; width *= 2) {
		for (uint32_t lo = 0; lo < n; lo += 2 * width) {
			uint32_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
			uint32_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = by_time(x, v[i], v[j]) <= 0 ? v[i++] : v[j++];
			while (i < mid)
				tmp[k++] = v[i++];
			while (j < hi)
				tmp[k++] = v[j++];
		}
		memcpy(v, tmp, n * sizeof *v);
	}
	free(tmp);
}

struct sim_expect_state *sim_expect_new(struct sim_world *w)
{
	struct sim_expect_state *x = xp_calloc(1, sizeof *x);
	const struct sim_scenario *sc = w->sc;
	x->sc = sc;
	const char *file = w->obs && w->obs->opts.scenario_path ? w->obs->opts.scenario_path : sc->name;
	x->file = xp_calloc(strlen(file) + 1, 1);
	memcpy(x->file, file, strlen(file) + 1);
	x->n = sc->n_expect;
	x->it = xp_calloc(x->n, sizeof *x->it);
	x->at = xp_calloc(x->n, sizeof *x->at);
	x->within = xp_calloc(x->n, sizeof *x->within);
	x->reqs = xp_calloc(x->n, sizeof *x->reqs);
	for (uint32_t i = 0; i < x->n; i++) {
		const struct sim_expect *e = ex(x, i);
		if (e->kind == SIM_EXPECT_VIOLATION)
			continue; /* judged by the run's verdict */
		if (e->when == SIM_WHEN_AT)
			x->at[x->n_at++] = i;
		else if (e->when == SIM_WHEN_WITHIN)
			x->within[x->n_within++] = i;
		if (e->kind == SIM_EXPECT_REQUESTS)
			x->reqs[x->n_reqs++] = i;
	}
	sort_by_time(x, x->at, x->n_at);
	sort_by_time(x, x->within, x->n_within);
	return x;
}

void sim_expect_free(struct sim_expect_state *x)
{
	if (!x)
		return;
	free(x->file);
	free(x->it);
	free(x->at);
	free(x->within);
	free(x->reqs);
	free(x->fail);
	free(x);
}

/* ---- what a check reads, and how it says what it saw ---- */

static const char *time_str(uint64_t t_us, char *buf, size_t n)
{
	snprintf(buf, n, "%" PRIu64 ".%06" PRIu64 "s", t_us / 1000000u, t_us % 1000000u);
	return buf;
}

static const char *ids_str(const int32_t *v, uint32_t len, char *buf, size_t n)
{
	size_t o = 0;
	int k = snprintf(buf, n, "[");
	for (uint32_t i = 0; i <= len && k >= 0 && (size_t)k < n - o; i++) {
		o += (size_t)k;
		k = i == len ? snprintf(buf + o, n - o, "]") : snprintf(buf + o, n - o, "%s%" PRId32, i ? "," : "", v[i]);
	}
	return buf;
}

static const char *broker_str(int32_t id, char *buf, size_t n)
{
	if (id < 0)
		snprintf(buf, n, "none");
	else
		snprintf(buf, n, "%" PRId32, id);
	return buf;
}

static const char *pname(const struct sim_scenario *sc, struct sim_pref p, char *buf, size_t n)
{
	snprintf(buf, n, "%s-%" PRIu32, sc->topics[p.topic].name, p.partition);
	return buf;
}

static const char *state_str(const char *name) { return name ? name : "?"; }

static uint32_t pid_of(const struct sim_world *w, struct sim_pref p) { return w->first_pid[p.topic] + p.partition; }

static bool same_set(const int32_t *a, uint32_t na, const int32_t *b, uint32_t nb)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++) {
		bool found = false;
		for (uint32_t j = 0; j < nb && !found; j++)
			found = a[i] == b[j];
		if (!found)
			return false;
	}
	return true;
}

/* The active controller's kc, or NULL with the reason in `seen`. */
static const struct kc_controller *controller(const struct sim_world *w, char *seen, size_t n)
{
	int32_t a = sim_active_controller(w);
	if (a < 0) {
		snprintf(seen, n, "there is no active controller");
		return NULL;
	}
	return w->bk[a].kc;
}

static bool req_matches(const struct sim_world *w, const struct sim_expect *e, uint32_t req)
{
	const struct sim_req *r = &w->reqs[req];
	const struct sim_payload *p = &w->payloads[r->payload];
	if (w->bk[r->to].id != e->u.requests.to || p->type != (uint8_t)e->u.requests.type)
		return false;
	if (e->u.requests.has_delete && (p->type != KC_REQ_STOP_REPLICA || p->stop_delete != e->u.requests.delete_flag))
		return false;
	if (!e->u.requests.has_partition)
		return true;
	uint32_t pid = pid_of(w, e->u.requests.partition);
	if (p->type == KC_REQ_STOP_REPLICA)
		return p->stop_pid == pid;
	for (uint32_t i = r->first; i < r->first + r->count; i++)
		if (p->entries[i].pid == pid)
			return true;
	return false;
}

static const char *req_type_name(enum kc_request_type t)
{
	switch (t) {
	case KC_REQ_LEADER_AND_ISR:
		return "LeaderAndIsr";
	case KC_REQ_UPDATE_METADATA:
		return "UpdateMetadata";
	case KC_REQ_STOP_REPLICA:
		return "StopReplica";
	}
	return "?";
}

/* Judge check i now. On failure `what` says what was expected and what was seen. */
static bool judge(const struct sim_world *w, const struct sim_expect_state *x, uint32_t i, char *what, size_t n)
{
	const struct sim_expect *e = ex(x, i);
	const struct sim_scenario *sc = x->sc;
	const struct sim_zk *zk = &w->zk;
	char pn[256], a[256], b[256];
	switch (e->kind) {
	case SIM_EXPECT_LEADER: {
		const struct sim_zk_state *st = &zk->states[pid_of(w, e->u.leader.partition)];
		int32_t got = st->exists ? st->leader : -1;
		if (got == e->u.leader.broker)
			return true;
		snprintf(what, n, "expected leader of %s to be %s, ZooKeeper says %s%s",
			 pname(sc, e->u.leader.partition, pn, sizeof pn), broker_str(e->u.leader.broker, a, sizeof a),
			 broker_str(got, b, sizeof b), st->exists ? "" : " (no state znode)");
		return false;
	}
	case SIM_EXPECT_ISR:
	case SIM_EXPECT_ASSIGNMENT: {
		bool isr = e->kind == SIM_EXPECT_ISR;
		uint32_t pid = pid_of(w, e->u.brokers.partition);
		const int32_t *want = sc->ints + e->u.brokers.brokers.off;
		uint32_t nw = e->u.brokers.brokers.n, ng = 0;
		const int32_t *got = NULL;
		bool present;
		if (isr) {
			present = zk->states[pid].exists;
			if (present)
				got = sim_lists_get(&w->lists, zk->states[pid].isr, &ng);
		} else {
			present = sim_partition_exists(w, pid);
			if (present) {
				const struct kc_assigned *v = &zk->topics[e->u.brokers.partition.topic].view[e->u.brokers.partition.partition];
				got = v->replicas;
				ng = v->n_replicas;
			}
		}
		if (present && (isr ? same_set(want, nw, got, ng) : nw == ng && memcmp(want, got, nw * sizeof *want) == 0))
			return true;
		pname(sc, e->u.brokers.partition, pn, sizeof pn);
		if (present)
			snprintf(what, n, "expected %s of %s to be %s, ZooKeeper says %s", isr ? "ISR" : "assignment", pn,
				 ids_str(want, nw, a, sizeof a), ids_str(got, ng, b, sizeof b));
		else
			snprintf(what, n, "expected %s of %s to be %s, ZooKeeper has %s", isr ? "ISR" : "assignment", pn,
				 ids_str(want, nw, a, sizeof a), isr ? "no state znode for it" : "no such partition");
		return false;
	}
	case SIM_EXPECT_LEADER_EPOCH: {
		const struct sim_zk_state *st = &zk->states[pid_of(w, e->u.leader_epoch.partition)];
		if (st->exists && st->leader_epoch == e->u.leader_epoch.epoch)
			return true;
		pname(sc, e->u.leader_epoch.partition, pn, sizeof pn);
		if (st->exists)
			snprintf(what, n, "expected leader epoch of %s to be %" PRId32 ", ZooKeeper says %" PRId32, pn,
				 e->u.leader_epoch.epoch, st->leader_epoch);
		else
			snprintf(what, n, "expected leader epoch of %s to be %" PRId32 ", ZooKeeper has no state znode for it",
				 pn, e->u.leader_epoch.epoch);
		return false;
	}
	case SIM_EXPECT_REPLICA_STATE: {
		char seen[128];
		const struct kc_controller *kc = controller(w, seen, sizeof seen);
		int got = kc ? kc_replica_state(kc, pid_of(w, e->u.replica_state.partition), e->u.replica_state.broker) : -1;
		if (kc && got == e->u.replica_state.state)
			return true;
		if (kc)
			snprintf(seen, sizeof seen, "the controller says %s", state_str(kc_replica_state_name(got)));
		snprintf(what, n, "expected replica %" PRId32 " of %s to be %s, %s", e->u.replica_state.broker,
			 pname(sc, e->u.replica_state.partition, pn, sizeof pn),
			 state_str(kc_replica_state_name(e->u.replica_state.state)), seen);
		return false;
	}
	case SIM_EXPECT_PARTITION_STATE: {
		char seen[128];
		const struct kc_controller *kc = controller(w, seen, sizeof seen);
		int got = kc ? kc_partition_state(kc, pid_of(w, e->u.partition_state.partition)) : -1;
		if (kc && got == e->u.partition_state.state)
			return true;
		if (kc)
			snprintf(seen, sizeof seen, "the controller says %s", state_str(kc_partition_state_name(got)));
		snprintf(what, n, "expected %s to be %s, %s", pname(sc, e->u.partition_state.partition, pn, sizeof pn),
			 state_str(kc_partition_state_name(e->u.partition_state.state)), seen);
		return false;
	}
	case SIM_EXPECT_CONTROLLER: {
		int32_t got = zk->controller >= 0 ? w->bk[zk->controller].id : -1;
		if (got == e->u.controller)
			return true;
		snprintf(what, n, "expected controller %s, ZooKeeper says %s", broker_str(e->u.controller, a, sizeof a),
			 broker_str(got, b, sizeof b));
		return false;
	}
	case SIM_EXPECT_CONTROLLER_EPOCH:
		if (zk->epoch_exists && zk->epoch == e->u.controller_epoch)
			return true;
		if (zk->epoch_exists)
			snprintf(what, n, "expected controller epoch %" PRId32 ", ZooKeeper says %" PRId32,
				 e->u.controller_epoch, zk->epoch);
		else
			snprintf(what, n, "expected controller epoch %" PRId32 ", ZooKeeper has no /controller_epoch",
				 e->u.controller_epoch);
		return false;
	case SIM_EXPECT_TOPIC_EXISTS:
	case SIM_EXPECT_TOPIC_ABSENT: {
		bool want = e->kind == SIM_EXPECT_TOPIC_EXISTS, got = zk->topics[e->u.topic].exists;
		if (got == want)
			return true;
		snprintf(what, n, "expected topic %s to %s, ZooKeeper %s it", sc->topics[e->u.topic].name,
			 want ? "exist" : "be absent", got ? "has" : "does not have");
		return false;
	}
	case SIM_EXPECT_REQUESTS: {
		const struct sim_expect_item *it = &x->it[i];
		if (it->count == e->u.requests.count)
			return true;
		char part[300] = "", del[32] = "";
		if (e->u.requests.has_partition)
			snprintf(part, sizeof part, " for %s", pname(sc, e->u.requests.partition, pn, sizeof pn));
		if (e->u.requests.has_delete)
			snprintf(del, sizeof del, " (delete=%s)", e->u.requests.delete_flag ? "true" : "false");
		snprintf(what, n, "expected %" PRIu64 " %s requests to broker %" PRId32 "%s%s, counted %" PRIu64,
			 e->u.requests.count, req_type_name(e->u.requests.type), e->u.requests.to, part, del, it->count);
		return false;
	}
	case SIM_EXPECT_VIOLATION:
	case SIM_EXPECT_KIND_COUNT:
		break;
	}
	return true;
}

static void add_failure(struct sim_expect_state *x, uint32_t i, const char *when, const char *what)
{
#define XP_LINE "%s:%" PRIu32 ": %s: %s\n"
	int k = snprintf(NULL, 0, XP_LINE, x->file, ex(x, i)->line, when, what);
	size_t len = k < 0 ? 0 : (size_t)k;
	if (x->fail_len + len + 1 > x->fail_cap) {
		while (x->fail_len + len + 1 > x->fail_cap)
			x->fail_cap = x->fail_cap ? x->fail_cap * 2 : 1024;
		x->fail = sim_xrealloc(x->fail, x->fail_cap);
	}
	snprintf(x->fail + x->fail_len, x->fail_cap - x->fail_len, XP_LINE, x->file, ex(x, i)->line, when, what);
#undef XP_LINE
	x->fail_len += len;
	x->it[i].status = X_FAILED;
}

/* Judge check i now and settle it; `when` prefixes a failure ("at 7.000200s"). */
static void settle(const struct sim_world *w, struct sim_expect_state *x, uint32_t i, const char *when)
{
	char what[XP_TEXT];
	if (judge(w, x, i, what, sizeof what))
		x->it[i].status = X_PASSED;
	else
		add_failure(x, i, when, what);
}

/* ZooKeeper checks change only when ZooKeeper does; the others are judged every time. */
static bool reads_zookeeper(enum sim_expect_kind k)
{
	return k != SIM_EXPECT_REPLICA_STATE && k != SIM_EXPECT_PARTITION_STATE && k != SIM_EXPECT_REQUESTS;
}

/* Pending `within` checks that hold now pass. */
static void judge_within(const struct sim_world *w, struct sim_expect_state *x)
{
	uint32_t j = 0;
	for (uint32_t k = 0; k < x->n_within; k++) {
		uint32_t i = x->within[k];
		struct sim_expect_item *it = &x->it[i];
		bool skip = it->judged && reads_zookeeper(ex(x, i)->kind) && it->seen_zxid == w->zk.zxid;
		char what[XP_TEXT];
		if (!skip && judge(w, x, i, what, sizeof what)) {
			it->status = X_PASSED;
			continue;
		}
		it->judged = true;
		it->seen_zxid = w->zk.zxid;
		x->within[j++] = i;
	}
	x->n_within = j;
}

static void drop_counting(struct sim_expect_state *x, uint32_t i)
{
	for (uint32_t k = 0; k < x->n_reqs; k++)
		if (x->reqs[k] == i) {
			memmove(x->reqs + k, x->reqs + k + 1, (x->n_reqs - k - 1) * sizeof *x->reqs);
			x->n_reqs--;
			return;
		}
}

void sim_expect_request(struct sim_world *w, struct sim_expect_state *x, uint32_t req, bool dropped)
{
	(void)dropped; /* a dropped message was still produced by the controller's batch */
	for (uint32_t k = 0; k < x->n_reqs; k++) {
		uint32_t i = x->reqs[k];
		const struct sim_expect *e = ex(x, i);
		if ((e->when == SIM_WHEN_AT_END || w->now <= e->t_us) && req_matches(w, e, req))
			x->it[i].count++;
	}
}

/* A timeline entry starts a new counting window for the checks it is at or before. */
void sim_expect_timeline(struct sim_world *w, struct sim_expect_state *x, uint32_t entry)
{
	uint64_t t = w->sc->timeline[entry].at_us;
	for (uint32_t k = 0; k < x->n_reqs; k++) {
		const struct sim_expect *e = ex(x, x->reqs[k]);
		if (e->when == SIM_WHEN_AT_END || t <= e->t_us)
			x->it[x->reqs[k]].count = 0;
	}
}

void sim_expect_before_time(struct sim_world *w, struct sim_expect_state *x, uint64_t next_t)
{
	if (x->ended)
		return;
	judge_within(w, x);
	/* what is due before next_t, in time order; at the end (SIM_NEVER) up to now only */
	if (next_t == 0)
		return; /* nothing is due before time 0 */
	uint64_t limit = next_t == SIM_NEVER ? w->now : next_t - 1;
	uint32_t wi = 0, j = 0;
	for (;;) {
		uint32_t a = x->at_next < x->n_at ? x->at[x->at_next] : UINT32_MAX;
		uint32_t b = wi < x->n_within ? x->within[wi] : UINT32_MAX;
		bool a_due = a != UINT32_MAX && ex(x, a)->t_us <= limit;
		bool b_due = b != UINT32_MAX && ex(x, b)->t_us <= limit;
		if (!a_due && !b_due)
			break;
		char when[64], ts[32];
		if (a_due && (!b_due || by_time(x, a, b) < 0)) {
			snprintf(when, sizeof when, "at %s", time_str(ex(x, a)->t_us, ts, sizeof ts));
			settle(w, x, a, when);
			drop_counting(x, a);
			x->at_next++;
		} else {
			/* judged just now and still not holding: its time has passed */
			snprintf(when, sizeof when, "within %s", time_str(ex(x, b)->t_us, ts, sizeof ts));
			settle(w, x, b, when);
			drop_counting(x, b);
			wi++;
		}
	}
	while (wi < x->n_within)
		x->within[j++] = x->within[wi++];
	x->n_within = j;
}

void sim_expect_after_event(struct sim_world *w, struct sim_expect_state *x)
{
	if (!x->ended && x->n_within) /* most runs' events: no `within` check pending, no call */
		judge_within(w, x);
}

/* Whether the run's first violation is one a `violation` check names (-1: whether any does). */
bool sim_expect_violation_expected(const struct sim_expect_state *x, int invariant)
{
	for (uint32_t i = 0; i < x->n; i++)
		if (ex(x, i)->kind == SIM_EXPECT_VIOLATION && (invariant < 0 || (int)ex(x, i)->u.violation == invariant))
			return true;
	return false;
}

void sim_expect_end(struct sim_world *w, struct sim_expect_state *x, bool violated)
{
	if (x->ended)
		return;
	char ts[32], when[64];
	if (!violated) {
		sim_expect_before_time(w, x, SIM_NEVER);
		/* still pending: times the run never reached (it ran out of time first) */
		snprintf(when, sizeof when, "at end (%s)", time_str(w->now, ts, sizeof ts));
		for (uint32_t i = 0; i < x->n; i++) {
			const struct sim_expect *e = ex(x, i);
			if (x->it[i].status != X_PENDING || e->kind == SIM_EXPECT_VIOLATION)
				continue;
			if (e->when == SIM_WHEN_AT_END) {
				settle(w, x, i, when);
			} else {
				char what[XP_TEXT], line[XP_TEXT + 128], t2[32], at[64];
				bool holds = judge(w, x, i, what, sizeof what);
				snprintf(line, sizeof line, "the run ended at %s, before this check's time%s%s", ts,
					 holds ? "" : "; ", holds ? "" : what);
				snprintf(at, sizeof at, "%s %s", e->when == SIM_WHEN_AT ? "at" : "within",
					 time_str(e->t_us, t2, sizeof t2));
				add_failure(x, i, at, line);
			}
		}
	}
	int inv = violated && w->obs ? w->obs->violation : -1;
	bool named = violated && sim_expect_violation_expected(x, inv);
	for (uint32_t i = 0; i < x->n; i++) {
		const struct sim_expect *e = ex(x, i);
		if (e->kind != SIM_EXPECT_VIOLATION) {
			if (x->it[i].status == X_PENDING)
				x->it[i].status = X_NOT_EVALUATED;
			continue;
		}
		char what[512];
		const char *want = sim_invariant_info(e->u.violation)->name;
		if (!violated) {
			snprintf(what, sizeof what, "expected a violation of %s; the run had none", want);
			add_failure(x, i, "at end", what);
		} else if ((int)e->u.violation == inv && e->when != SIM_WHEN_AT_END && w->now > e->t_us) {
			/* `at: T` / `within: T`: violated by T, as any check is judged at its time */
			char t1[32], t2[32];
			snprintf(what, sizeof what, "expected a violation of %s by %s; it came at %s", want,
				 time_str(e->t_us, t1, sizeof t1), time_str(w->now, t2, sizeof t2));
			add_failure(x, i, "at end", what);
		} else if ((int)e->u.violation == inv) {
			x->it[i].status = X_PASSED;
		} else if (named) {
			x->it[i].status = X_NOT_EVALUATED; /* the run stopped on another expected one */
		} else {
			snprintf(what, sizeof what, "expected a violation of %s; the run stopped on %s", want,
				 inv >= 0 ? sim_invariant_info((enum sim_invariant)inv)->name : "another invariant");
			add_failure(x, i, "at end", what);
		}
	}
	x->ended = true;
}

void sim_expect_counts(const struct sim_expect_state *x, uint32_t *passed, uint32_t *failed, uint32_t *not_evaluated)
{
	*passed = *failed = *not_evaluated = 0;
	for (uint32_t i = 0; i < x->n; i++) {
		uint8_t s = x->it[i].status;
		if (s == X_PASSED)
			(*passed)++;
		else if (s == X_FAILED)
			(*failed)++;
		else
			(*not_evaluated)++;
	}
}

const char *sim_expect_failures(const struct sim_expect_state *x) { return x->fail ? x->fail : ""; }
