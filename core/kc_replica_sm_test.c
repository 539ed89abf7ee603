/* kc_replica_sm_test.c — the replica state machine (spec §2, 0.8.2 column) driven one
 * handleStateChanges call at a time: all 7×7 (from, to) pairs, then each valid edge's side
 * effects (requests, store reads/writes, leader epoch and ISR), removeReplicaFromIsr (§6.9). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "kc_teststore.h"

#define CE 5 /* our controller epoch; the znodes were written by epoch 4 */

struct rt {
	struct kc_ts_fx *fx;
	uint32_t topic, p0, p1;
	int from, to; /* matrix cases */
	char name[64];
	bool owned; /* allocated by setup (the matrix cases are static) */
};

/* Brokers 1–4 live. Topic t: p0 AR [1,2,3] with state leader 1, leader epoch 3, ISR [1,2,3],
 * controller epoch 4, zkVersion 7; p1 AR [2,3] never had a leader (no state znode). */
static int setup(void **state)
{
	struct rt *t = *state;
	if (!t) {
		t = calloc(1, sizeof *t);
		t->owned = true;
		*state = t;
	}
	t->fx = kc_ts_fx_new();
	kc_ts_register_ids(t->fx->ts, "1,2,3,4");
	t->topic = kc_ts_create_topic(t->fx->ts, "t", "1,2,3;2,3");
	t->p0 = kc_ts_pid(t->fx->ts, t->topic, 0);
	t->p1 = kc_ts_pid(t->fx->ts, t->topic, 1);
	kc_ts_put_lisr(t->fx->ts, t->p0, 1, 3, "1,2,3", 4, 7);
	return 0;
}

static int teardown(void **state)
{
	struct rt *t = *state;
	kc_ts_fx_check(t->fx);
	kc_ts_fx_free(t->fx);
	if (t->owned)
		free(t);
	else
		t->fx = NULL;
	return 0;
}

static void load(struct rt *t)
{
	kc_ts_fx_load(t->fx, CE);
}

static void set_replica(struct rt *t, uint32_t pid, int32_t b, int s)
{
	kc_initial_set_replica_state(t->fx->c, pid, b, s);
}

static void move(struct rt *t, uint32_t pid, int32_t b, enum kc_replica_state to)
{
	kc_ts_fx_mark(t->fx);
	kc_replica_transition(t->fx->c, pid, &b, 1, to);
}

static int rstate(struct rt *t, uint32_t pid, int32_t b)
{
	return kc_replica_state(t->fx->c, pid, b);
}

/* Spec §2.2, 0.8.2 column, written out independently of kc_replica_edge_valid. */
static bool spec_edge(int from, int to)
{
	switch (to) {
	case KC_NEW_REPLICA:
		return from == KC_NON_EXISTENT_REPLICA;
	case KC_ONLINE_REPLICA:
	case KC_OFFLINE_REPLICA:
		return from == KC_NEW_REPLICA || from == KC_ONLINE_REPLICA ||
		       from == KC_OFFLINE_REPLICA || from == KC_REPLICA_DELETION_INELIGIBLE;
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

/* One (from, to) pair on follower replica 2 of p0 (leadership cached, znode present, leader 1
 * ≠ 2, so every valid edge can succeed). Valid: state = to and an applied record. Invalid:
 * state unchanged, one refused record (KC_FAIL_INVALID_EDGE), no request, no store call. */
static void test_replica_edge(void **state)
{
	struct rt *t = *state;
	load(t);
	set_replica(t, t->p0, 2, t->from);
	assert_int_equal(rstate(t, t->p0, 2), t->from);
	move(t, t->p0, 2, (enum kc_replica_state)t->to);
	const struct kc_state_change *c = kc_ts_change(&t->fx->rec, false, t->p0, 2, t->to, -1);
	assert_non_null(c);
	assert_int_equal(c->from, t->from);
	assert_int_equal(c->broker, 2);
	assert_int_equal(kc_ts_changes(&t->fx->rec, false, KC_TS_ANY, KC_TS_ANY, -1, -1), 1);
	if (spec_edge(t->from, t->to)) {
		assert_true(c->applied);
		assert_int_equal(rstate(t, t->p0, 2), t->to);
	} else {
		assert_false(c->applied);
		assert_int_equal(c->reason, KC_FAIL_INVALID_EDGE);
		assert_int_equal(rstate(t, t->p0, 2), t->from);
		assert_int_equal(t->fx->rec.n_req, 0);
		assert_int_equal(kc_ts_reads(t->fx->ts), 0);
		assert_int_equal(kc_ts_writes(t->fx->ts), 0);
	}
}

/* The library's own table must be the spec's (§2.2, §3.1). */
static void test_edge_tables(void **state)
{
	(void)state;
	for (int f = KC_NEW_REPLICA; f <= KC_NON_EXISTENT_REPLICA; f++)
		for (int to = KC_NEW_REPLICA; to <= KC_NON_EXISTENT_REPLICA; to++)
			assert_int_equal(kc_replica_edge_valid(f, to), spec_edge(f, to));
	/* §3.1: New ← NonExistent; Online, Offline ← New, Online, Offline; NonExistent ← Offline */
	static const bool part[4][4] = {
		/* from New */ { false, true, true, false },
		/* from Online */ { false, true, true, false },
		/* from Offline */ { false, true, true, true },
		/* from NonExistent */ { true, false, false, false },
	};
	for (int f = 0; f < 4; f++)
		for (int to = 0; to < 4; to++)
			assert_int_equal(kc_partition_edge_valid(f, to), part[f][to]);
	assert_string_equal(kc_replica_state_name(KC_REPLICA_DELETION_INELIGIBLE),
			    "ReplicaDeletionIneligible");
	assert_int_equal(kc_replica_state_parse("OnlineReplica"), KC_ONLINE_REPLICA);
	assert_int_equal(kc_partition_state_parse("OfflinePartition"), KC_OFFLINE_PARTITION);
	assert_int_equal(kc_replica_state_parse("Online"), -1);
	assert_null(kc_replica_state_name(0));
}

/* §2.4 → NewReplica: read the state znode from ZK (not the cache) and send LAIR to that
 * replica only with the ZK values and the current in-memory AR (which may lack it). The
 * accompanying UpdateMetadata carries the cached value (§8.2) to every live broker. */
static void test_new_replica_sends_zk_values(void **state)
{
	struct rt *t = *state;
	load(t);
	kc_ts_leader_sets_isr(t->fx->ts, t->p0, "1,3"); /* ZK moved on: ISR [1,3], version 8 */
	move(t, t->p0, 4, KC_NEW_REPLICA);
	assert_int_equal(rstate(t, t->p0, 4), KC_NEW_REPLICA);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_READ_STATE, t->p0), 1);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
	struct kc_ts_rec *r = &t->fx->rec;
	assert_int_equal(kc_ts_count(r, KC_REQ_LEADER_AND_ISR, KC_TS_ANY), 1);
	assert_int_equal(kc_ts_lair_count(r, 4, t->p0), 1);
	const struct kc_ts_entry *e = kc_ts_lair(r, 4, t->p0);
	kc_ts_assert_entry(e, 1, 3, "1,3", 4, 8);
	kc_ts_assert_idset(e->ar, e->ar_len, "1,2,3");
	int i = kc_ts_req_index(r, KC_REQ_LEADER_AND_ISR, 4, t->p0, 0);
	kc_ts_assert_ids(r->req[i].leaders, r->req[i].n_leaders, "1");
	assert_int_equal(r->req[i].controller_epoch, CE);
	assert_int_equal(r->req[i].controller_id, 1);
	for (uint32_t b = 1; b <= 4; b++) {
		assert_int_equal(kc_ts_umr_count(r, b, t->p0), 1);
		kc_ts_assert_entry(kc_ts_umr(r, b, t->p0), 1, 3, "1,2,3", 4, 7);
	}
	assert_int_equal(kc_ts_count(r, KC_REQ_STOP_REPLICA, KC_TS_ANY), 0);
}

/* §2.4: znode leader == replica → refused ("being requested to become leader"), state
 * unchanged, nothing sent. */
static void test_new_replica_refused_for_leader(void **state)
{
	struct rt *t = *state;
	load(t);
	set_replica(t, t->p0, 1, KC_NON_EXISTENT_REPLICA);
	move(t, t->p0, 1, KC_NEW_REPLICA);
	assert_int_equal(rstate(t, t->p0, 1), KC_NON_EXISTENT_REPLICA);
	const struct kc_state_change *c = kc_ts_change(&t->fx->rec, false, t->p0, 1, KC_NEW_REPLICA, 0);
	assert_non_null(c);
	assert_int_equal(c->reason, KC_FAIL_REPLICA_IS_LEADER);
	assert_int_equal(kc_ts_changes(&t->fx->rec, false, t->p0, 1, -1, 1), 0);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
}

/* §2.4: no state znode → no request ("sent when one gets elected"); state := New. */
static void test_new_replica_without_znode(void **state)
{
	struct rt *t = *state;
	load(t);
	move(t, t->p1, 4, KC_NEW_REPLICA);
	assert_int_equal(rstate(t, t->p1, 4), KC_NEW_REPLICA);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_READ_STATE, t->p1), 1);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
}

/* §2.4 → Online from New: append r to the in-memory AR if missing, no request, no ZK write.
 * The AR shows in the next LeaderAndIsr for the partition. */
static void test_online_from_new_appends_ar(void **state)
{
	struct rt *t = *state;
	load(t);
	move(t, t->p0, 4, KC_NEW_REPLICA);
	move(t, t->p0, 4, KC_ONLINE_REPLICA);
	assert_int_equal(rstate(t, t->p0, 4), KC_ONLINE_REPLICA);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_reads(t->fx->ts) + kc_ts_writes(t->fx->ts), 0);
	uint32_t n;
	const int32_t *r;
	assert_true(kc_ts_replicas(t->fx->ts, t->p0, &r, &n));
	kc_ts_assert_ids(r, n, "1,2,3"); /* the topic znode is not written */
	move(t, t->p0, 2, KC_ONLINE_REPLICA);
	const struct kc_ts_entry *e = kc_ts_lair(&t->fx->rec, 2, t->p0);
	assert_non_null(e);
	kc_ts_assert_idset(e->ar, e->ar_len, "1,2,3,4");
}

/* §2.4 → Online from Online/Offline/DeletionIneligible: LAIR to r alone with the *cached*
 * leadership and current AR, UpdateMetadata to all live brokers; no store call. */
static void check_online_resend(struct rt *t, int from)
{
	load(t);
	set_replica(t, t->p0, 2, from);
	kc_ts_leader_sets_isr(t->fx->ts, t->p0, "1,3"); /* the cache does not see this */
	move(t, t->p0, 2, KC_ONLINE_REPLICA);
	struct kc_ts_rec *r = &t->fx->rec;
	assert_int_equal(rstate(t, t->p0, 2), KC_ONLINE_REPLICA);
	assert_int_equal(kc_ts_reads(t->fx->ts) + kc_ts_writes(t->fx->ts), 0);
	assert_int_equal(kc_ts_count(r, KC_REQ_LEADER_AND_ISR, KC_TS_ANY), 1);
	const struct kc_ts_entry *e = kc_ts_lair(r, 2, t->p0);
	kc_ts_assert_entry(e, 1, 3, "1,2,3", 4, 7);
	kc_ts_assert_idset(e->ar, e->ar_len, "1,2,3");
	for (uint32_t b = 1; b <= 4; b++)
		assert_int_equal(kc_ts_umr_count(r, b, t->p0), 1);
	assert_int_equal(kc_ts_count(r, KC_REQ_STOP_REPLICA, KC_TS_ANY), 0);
}

static void test_online_from_online(void **state)
{
	check_online_resend(*state, KC_ONLINE_REPLICA);
}

static void test_online_from_offline(void **state)
{
	check_online_resend(*state, KC_OFFLINE_REPLICA);
}

static void test_online_from_ineligible(void **state)
{
	check_online_resend(*state, KC_REPLICA_DELETION_INELIGIBLE);
}

/* §2.4: a partition that never had a leader → no request, state Online all the same. */
static void test_online_without_leadership(void **state)
{
	struct rt *t = *state;
	load(t);
	set_replica(t, t->p1, 2, KC_OFFLINE_REPLICA);
	move(t, t->p1, 2, KC_ONLINE_REPLICA);
	assert_int_equal(rstate(t, t->p1, 2), KC_ONLINE_REPLICA);
	assert_int_equal(t->fx->rec.n_req, 0);
}

/* §2.4 → Offline, §6.9: StopReplica(no delete) to r; ZK re-read; r in ISR and not leader →
 * ISR − r, leader epoch + 1, our controller epoch, conditional on version 7 → version 8;
 * LAIR to AR − r with the new value, UpdateMetadata to all; the cache holds the new value. */
static void check_offline_follower(struct rt *t, int from)
{
	load(t);
	set_replica(t, t->p0, 2, from);
	move(t, t->p0, 2, KC_OFFLINE_REPLICA);
	struct kc_ts_rec *r = &t->fx->rec;
	assert_int_equal(rstate(t, t->p0, 2), KC_OFFLINE_REPLICA);
	kc_ts_assert_state(t->fx->ts, t->p0, 1, 4, "1,3", CE, 8);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_UPDATE_STATE, t->p0), 1);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_READ_UNCLEAN, KC_TS_ANY), 0);
	assert_int_equal(kc_ts_count(r, KC_REQ_LEADER_AND_ISR, KC_TS_ANY), 2);
	for (uint32_t b = 1; b <= 3; b += 2) {
		assert_int_equal(kc_ts_lair_count(r, b, t->p0), 1);
		const struct kc_ts_entry *e = kc_ts_lair(r, b, t->p0);
		kc_ts_assert_entry(e, 1, 4, "1,3", CE, 8);
		kc_ts_assert_idset(e->ar, e->ar_len, "1,2,3");
	}
	for (uint32_t b = 1; b <= 4; b++)
		kc_ts_assert_entry(kc_ts_umr(r, b, t->p0), 1, 4, "1,3", CE, 8);
	assert_int_equal(kc_ts_count(r, KC_REQ_STOP_REPLICA, KC_TS_ANY), 1);
	assert_int_equal(kc_ts_stop_count(r, 2, t->p0, 0), 1);
	assert_true(kc_ts_flush_order_ok(r));
	struct kc_lisr cached;
	assert_true(kc_cached_leadership(t->fx->c, t->p0, &cached));
	assert_int_equal(cached.leader_epoch, 4);
	assert_int_equal(cached.zk_version, 8);
	assert_int_equal(cached.controller_epoch, CE);
}

static void test_offline_from_online(void **state)
{
	check_offline_follower(*state, KC_ONLINE_REPLICA);
}

static void test_offline_from_new(void **state)
{
	check_offline_follower(*state, KC_NEW_REPLICA);
}

static void test_offline_from_offline(void **state)
{
	check_offline_follower(*state, KC_OFFLINE_REPLICA);
}

static void test_offline_from_ineligible(void **state)
{
	check_offline_follower(*state, KC_REPLICA_DELETION_INELIGIBLE);
}

/* §6.9: removing the leader sets leader −1; LAIR to the others names no live leader. */
static void test_offline_leader(void **state)
{
	struct rt *t = *state;
	load(t);
	move(t, t->p0, 1, KC_OFFLINE_REPLICA);
	kc_ts_assert_state(t->fx->ts, t->p0, KC_NO_LEADER, 4, "2,3", CE, 8);
	struct kc_ts_rec *r = &t->fx->rec;
	assert_int_equal(kc_ts_lair_count(r, 1, t->p0), 0);
	kc_ts_assert_entry(kc_ts_lair(r, 2, t->p0), -1, 4, "2,3", CE, 8);
	kc_ts_assert_entry(kc_ts_lair(r, 3, t->p0), -1, 4, "2,3", CE, 8);
	int i = kc_ts_req_index(r, KC_REQ_LEADER_AND_ISR, 2, t->p0, 0);
	assert_int_equal(r->req[i].n_leaders, 0);
	assert_int_equal(kc_ts_stop_count(r, 1, t->p0, 0), 1);
}

/* §6.9: r not in the ZK ISR → no write, no epoch bump; the value read is cached with *our*
 * controller epoch and sent to AR − r; the replica still goes Offline. */
static void test_offline_not_in_isr(void **state)
{
	struct rt *t = *state;
	load(t);
	kc_ts_leader_sets_isr(t->fx->ts, t->p0, "1,3"); /* version 8 */
	move(t, t->p0, 2, KC_OFFLINE_REPLICA);
	assert_int_equal(rstate(t, t->p0, 2), KC_OFFLINE_REPLICA);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_UPDATE_STATE, KC_TS_ANY), 0);
	kc_ts_assert_state(t->fx->ts, t->p0, 1, 3, "1,3", 4, 8);
	kc_ts_assert_entry(kc_ts_lair(&t->fx->rec, 1, t->p0), 1, 3, "1,3", CE, 8);
	kc_ts_assert_entry(kc_ts_lair(&t->fx->rec, 3, t->p0), 1, 3, "1,3", CE, 8);
	struct kc_lisr cached;
	assert_true(kc_cached_leadership(t->fx->c, t->p0, &cached));
	assert_int_equal(cached.controller_epoch, CE);
	assert_int_equal(cached.zk_version, 8);
	assert_int_equal(kc_ts_stop_count(&t->fx->rec, 2, t->p0, 0), 1);
}

/* §6.9 last ISR member: with unclean election off for the topic the ISR is kept as is, else
 * it becomes []. Leader −1, epoch + 1 either way; the topic config is read once. */
static void check_last_isr(struct rt *t, bool broker_default, int override, const char *isr)
{
	kc_ts_put_lisr(t->fx->ts, t->p0, 2, 3, "2", 4, 7);
	kc_ts_set_unclean(t->fx->ts, t->topic, override);
	t->fx->cfg.unclean_leader_election = broker_default;
	load(t);
	move(t, t->p0, 2, KC_OFFLINE_REPLICA);
	assert_int_equal(rstate(t, t->p0, 2), KC_OFFLINE_REPLICA);
	kc_ts_assert_state(t->fx->ts, t->p0, KC_NO_LEADER, 4, isr, CE, 8);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_READ_UNCLEAN, t->topic), 1);
	kc_ts_assert_entry(kc_ts_lair(&t->fx->rec, 1, t->p0), -1, 4, isr, CE, 8);
	kc_ts_assert_entry(kc_ts_lair(&t->fx->rec, 3, t->p0), -1, 4, isr, CE, 8);
}

static void test_last_isr_kept_when_unclean_off(void **state)
{
	check_last_isr(*state, false, -1, "2");
}

static void test_last_isr_dropped_when_unclean_on(void **state)
{
	check_last_isr(*state, true, -1, "");
}

static void test_last_isr_topic_override_off(void **state)
{
	check_last_isr(*state, true, 0, "2");
}

static void test_last_isr_topic_override_on(void **state)
{
	check_last_isr(*state, false, 1, "");
}

/* §2.4 → Offline step 1: no cached leadership → failure "leader and isr path in zookeeper is
 * empty", state unchanged, but the StopReplica queued first is still sent. */
static void test_offline_without_leadership(void **state)
{
	struct rt *t = *state;
	load(t);
	move(t, t->p1, 2, KC_OFFLINE_REPLICA);
	assert_int_equal(rstate(t, t->p1, 2), KC_ONLINE_REPLICA);
	const struct kc_state_change *c =
		kc_ts_change(&t->fx->rec, false, t->p1, 2, KC_OFFLINE_REPLICA, -1);
	assert_non_null(c);
	assert_false(c->applied);
	assert_int_equal(c->reason, KC_FAIL_NO_LEADERSHIP);
	assert_int_equal(t->fx->rec.n_req, 1);
	assert_int_equal(kc_ts_stop_count(&t->fx->rec, 2, t->p1, 0), 1);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
}

/* §2.4 → Offline: cached leadership but the znode is gone → removeReplicaFromIsr returns
 * nothing → same failure, state unchanged, StopReplica still sent, no LAIR. */
static void test_offline_znode_missing(void **state)
{
	struct rt *t = *state;
	load(t);
	kc_ts_drop_state(t->fx->ts, t->p0);
	move(t, t->p0, 2, KC_OFFLINE_REPLICA);
	assert_int_equal(rstate(t, t->p0, 2), KC_ONLINE_REPLICA);
	assert_int_equal(kc_ts_refusals(&t->fx->rec, KC_FAIL_NO_LEADERSHIP), 1);
	assert_int_equal(kc_ts_stop_count(&t->fx->rec, 2, t->p0, 0), 1);
	assert_int_equal(kc_ts_count(&t->fx->rec, KC_REQ_LEADER_AND_ISR, KC_TS_ANY), 0);
}

/* §6.9 / §9.2: a znode written by a newer controller aborts the change (no write). */
static void test_offline_newer_controller(void **state)
{
	struct rt *t = *state;
	load(t);
	kc_ts_put_lisr(t->fx->ts, t->p0, 1, 3, "1,2,3", CE + 1, 8);
	move(t, t->p0, 2, KC_OFFLINE_REPLICA);
	assert_int_equal(rstate(t, t->p0, 2), KC_ONLINE_REPLICA);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_UPDATE_STATE, KC_TS_ANY), 0);
	assert_int_equal(kc_ts_refusals(&t->fx->rec, KC_FAIL_NEWER_CONTROLLER), 1);
	assert_int_equal(kc_ts_count(&t->fx->rec, KC_REQ_LEADER_AND_ISR, KC_TS_ANY), 0);
}

/* §6.9: a version conflict re-reads and retries. The leader shrank the ISR to [1,2] between
 * the read and the write: the retry removes 2 from that, at epoch 4, version 9. */
static void test_offline_retries_on_conflict(void **state)
{
	struct rt *t = *state;
	load(t);
	struct kc_lisr raced = kc_ts_lisr(1, 3, "1,2", 4, 0);
	kc_ts_race_state(t->fx->ts, t->p0, &raced);
	move(t, t->p0, 2, KC_OFFLINE_REPLICA);
	kc_ts_assert_state(t->fx->ts, t->p0, 1, 4, "1", CE, 9);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_UPDATE_STATE, t->p0), 2);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_READ_STATE, t->p0), 2);
	kc_ts_assert_entry(kc_ts_lair(&t->fx->rec, 1, t->p0), 1, 4, "1", CE, 9);
	assert_int_equal(rstate(t, t->p0, 2), KC_OFFLINE_REPLICA);
}

/* §2.4 → ReplicaDeletionStarted: StopReplica(delete=true) to r, nothing else. */
static void test_deletion_started(void **state)
{
	struct rt *t = *state;
	load(t);
	set_replica(t, t->p0, 2, KC_OFFLINE_REPLICA);
	move(t, t->p0, 2, KC_REPLICA_DELETION_STARTED);
	assert_int_equal(rstate(t, t->p0, 2), KC_REPLICA_DELETION_STARTED);
	assert_int_equal(t->fx->rec.n_req, 1);
	assert_int_equal(kc_ts_stop_count(&t->fx->rec, 2, t->p0, 1), 1);
	assert_int_equal(kc_ts_reads(t->fx->ts) + kc_ts_writes(t->fx->ts), 0);
}

/* §2.4 → DeletionSuccessful / DeletionIneligible: state only. */
static void test_deletion_outcomes_state_only(void **state)
{
	struct rt *t = *state;
	load(t);
	set_replica(t, t->p0, 2, KC_REPLICA_DELETION_STARTED);
	set_replica(t, t->p0, 3, KC_REPLICA_DELETION_STARTED);
	move(t, t->p0, 2, KC_REPLICA_DELETION_SUCCESSFUL);
	assert_int_equal(t->fx->rec.n_req, 0);
	move(t, t->p0, 3, KC_REPLICA_DELETION_INELIGIBLE);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_reads(t->fx->ts) + kc_ts_writes(t->fx->ts), 0);
	assert_int_equal(rstate(t, t->p0, 2), KC_REPLICA_DELETION_SUCCESSFUL);
	assert_int_equal(rstate(t, t->p0, 3), KC_REPLICA_DELETION_INELIGIBLE);
}

/* §2.4 → NonExistent: r leaves the in-memory AR (no ZK write) and its entry goes away. */
static void test_nonexistent_leaves_ar(void **state)
{
	struct rt *t = *state;
	load(t);
	set_replica(t, t->p0, 3, KC_REPLICA_DELETION_SUCCESSFUL);
	move(t, t->p0, 3, KC_NON_EXISTENT_REPLICA);
	assert_int_equal(rstate(t, t->p0, 3), KC_NON_EXISTENT_REPLICA);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
	move(t, t->p0, 2, KC_ONLINE_REPLICA);
	const struct kc_ts_entry *e = kc_ts_lair(&t->fx->rec, 2, t->p0);
	assert_non_null(e);
	kc_ts_assert_idset(e->ar, e->ar_len, "1,2");
}

/* §2.3 step 1: an empty replica set does nothing at all. */
static void test_empty_set(void **state)
{
	struct rt *t = *state;
	load(t);
	kc_ts_fx_mark(t->fx);
	kc_replica_transition(t->fx->c, t->p0, NULL, 0, KC_OFFLINE_REPLICA);
	assert_int_equal(t->fx->rec.n_req + t->fx->rec.n_chg, 0);
	assert_int_equal(kc_ts_reads(t->fx->ts) + kc_ts_writes(t->fx->ts), 0);
}

/* §2.3: a rejected pair does not stop the next replica of the same call. */
static void test_invalid_replica_does_not_stop_others(void **state)
{
	struct rt *t = *state;
	load(t);
	set_replica(t, t->p0, 2, KC_REPLICA_DELETION_SUCCESSFUL);
	kc_ts_fx_mark(t->fx);
	int32_t bs[] = { 2, 3 };
	kc_replica_transition(t->fx->c, t->p0, bs, 2, KC_OFFLINE_REPLICA);
	assert_int_equal(rstate(t, t->p0, 2), KC_REPLICA_DELETION_SUCCESSFUL);
	assert_int_equal(rstate(t, t->p0, 3), KC_OFFLINE_REPLICA);
	assert_int_equal(kc_ts_refusals(&t->fx->rec, KC_FAIL_INVALID_EDGE), 1);
	kc_ts_assert_state(t->fx->ts, t->p0, 1, 4, "1,2", CE, 8);
	assert_int_equal(kc_ts_stop_count(&t->fx->rec, 2, KC_TS_ANY, -1), 0);
	assert_int_equal(kc_ts_stop_count(&t->fx->rec, 3, t->p0, 0), 1);
}

#define N_MATRIX 49

int main(void)
{
	static struct rt cases[N_MATRIX];
	struct CMUnitTest tests[N_MATRIX + 40];
	uint32_t n = 0;
	for (int f = KC_NEW_REPLICA; f <= KC_NON_EXISTENT_REPLICA; f++) {
		for (int to = KC_NEW_REPLICA; to <= KC_NON_EXISTENT_REPLICA; to++) {
			struct rt *c = &cases[n];
			c->from = f;
			c->to = to;
			snprintf(c->name, sizeof c->name, "edge %s -> %s", kc_replica_state_name(f),
				 kc_replica_state_name(to));
			tests[n++] = (struct CMUnitTest){ c->name, test_replica_edge, setup, teardown, c };
		}
	}
#define T(fn) tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(fn, setup, teardown)
	T(test_edge_tables);
	T(test_new_replica_sends_zk_values);
	T(test_new_replica_refused_for_leader);
	T(test_new_replica_without_znode);
	T(test_online_from_new_appends_ar);
	T(test_online_from_online);
	T(test_online_from_offline);
	T(test_online_from_ineligible);
	T(test_online_without_leadership);
	T(test_offline_from_online);
	T(test_offline_from_new);
	T(test_offline_from_offline);
	T(test_offline_from_ineligible);
	T(test_offline_leader);
	T(test_offline_not_in_isr);
	T(test_last_isr_kept_when_unclean_off);
	T(test_last_isr_dropped_when_unclean_on);
	T(test_last_isr_topic_override_off);
	T(test_last_isr_topic_override_on);
	T(test_offline_without_leadership);
	T(test_offline_znode_missing);
	T(test_offline_newer_controller);
	T(test_offline_retries_on_conflict);
	T(test_deletion_started);
	T(test_deletion_outcomes_state_only);
	T(test_nonexistent_leaves_ar);
	T(test_empty_set);
	T(test_invalid_replica_does_not_stop_others);
#undef T
	return _cmocka_run_group_tests("kc_replica_sm", tests, n, NULL, NULL);
}
