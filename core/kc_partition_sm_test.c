/* kc_partition_sm_test.c — the partition state machine (spec §3, 0.8.2): all 4×4 (from, to)
 * pairs, NewPartition reading the AR from ZK, initializeLeaderAndIsrForPartition (§3.3) and its
 * failures, state-only edges. Selector rules live in kc_election_test.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "kc_teststore.h"

#define CE 5

struct pt {
	struct kc_ts_fx *fx;
	uint32_t topic, p0, p1, p2;
	int from, to;
	char name[64];
	bool owned;
};

/* Brokers 1–3 live, 5 never registered. Topic t: p0 AR [1,2,3] with state leader 1, epoch 3,
 * ISR [1,2,3], controller epoch 4, zkVersion 7; p1 AR [5,3,2] and p2 AR [5] without state. */
static int setup(void **state)
{
	struct pt *t = *state;
	if (!t) {
		t = calloc(1, sizeof *t);
		t->owned = true;
		*state = t;
	}
	t->fx = kc_ts_fx_new();
	kc_ts_register_ids(t->fx->ts, "1,2,3");
	t->topic = kc_ts_create_topic(t->fx->ts, "t", "1,2,3;5,3,2;5");
	t->p0 = kc_ts_pid(t->fx->ts, t->topic, 0);
	t->p1 = kc_ts_pid(t->fx->ts, t->topic, 1);
	t->p2 = kc_ts_pid(t->fx->ts, t->topic, 2);
	kc_ts_put_lisr(t->fx->ts, t->p0, 1, 3, "1,2,3", 4, 7);
	kc_ts_fx_load(t->fx, CE);
	return 0;
}

static int teardown(void **state)
{
	struct pt *t = *state;
	kc_ts_fx_check(t->fx);
	kc_ts_fx_free(t->fx);
	if (t->owned)
		free(t);
	return 0;
}

static void move(struct pt *t, uint32_t pid, enum kc_partition_state to)
{
	kc_ts_fx_mark(t->fx);
	kc_partition_transition(t->fx->c, &pid, 1, to, KC_SEL_OFFLINE);
}

static int pstate(struct pt *t, uint32_t pid)
{
	return kc_partition_state(t->fx->c, pid);
}

/* Spec §3.1. */
static bool spec_edge(int from, int to)
{
	switch (to) {
	case KC_NEW_PARTITION:
		return from == KC_NON_EXISTENT_PARTITION;
	case KC_ONLINE_PARTITION:
	case KC_OFFLINE_PARTITION:
		return from == KC_NEW_PARTITION || from == KC_ONLINE_PARTITION ||
		       from == KC_OFFLINE_PARTITION;
	case KC_NON_EXISTENT_PARTITION:
		return from == KC_OFFLINE_PARTITION;
	default:
		return false;
	}
}

/* One (from, to) pair on p0 (all replicas live). For New → Online the state znode is removed
 * first so that initialisation can create it; every valid edge then succeeds. */
static void test_partition_edge(void **state)
{
	struct pt *t = *state;
	if (t->from == KC_NEW_PARTITION)
		kc_ts_drop_state(t->fx->ts, t->p0);
	kc_initial_set_partition_state(t->fx->c, t->p0, (enum kc_partition_state)t->from);
	assert_int_equal(pstate(t, t->p0), t->from);
	move(t, t->p0, (enum kc_partition_state)t->to);
	const struct kc_state_change *c = kc_ts_change(&t->fx->rec, true, t->p0, 0, t->to, -1);
	assert_non_null(c);
	assert_int_equal(c->from, t->from);
	assert_int_equal(kc_ts_changes(&t->fx->rec, true, KC_TS_ANY, 0, -1, -1), 1);
	if (spec_edge(t->from, t->to)) {
		assert_true(c->applied);
		assert_int_equal(pstate(t, t->p0), t->to);
		if (t->to == KC_ONLINE_PARTITION)
			assert_int_equal(c->leader, 1);
	} else {
		assert_false(c->applied);
		assert_int_equal(c->reason, KC_FAIL_INVALID_EDGE);
		assert_int_equal(pstate(t, t->p0), t->from);
		assert_int_equal(t->fx->rec.n_req, 0);
		assert_int_equal(kc_ts_reads(t->fx->ts) + kc_ts_writes(t->fx->ts), 0);
	}
}

/* §3.3: live = AR ∩ live in AR order ([5,3,2] → [3,2]); leader 3, ISR [3,2], leader epoch 0,
 * zkVersion 0, our controller epoch; the znode is created; LAIR to the ISR (= live assigned
 * replicas), UpdateMetadata to every live broker; the cache holds the value. */
static void test_new_to_online_initialises(void **state)
{
	struct pt *t = *state;
	move(t, t->p1, KC_ONLINE_PARTITION);
	assert_int_equal(pstate(t, t->p1), KC_ONLINE_PARTITION);
	kc_ts_assert_state(t->fx->ts, t->p1, 3, 0, "3,2", CE, 0);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_CREATE_STATE, t->p1), 1);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_UPDATE_STATE, KC_TS_ANY), 0);
	struct kc_ts_rec *r = &t->fx->rec;
	assert_int_equal(kc_ts_count(r, KC_REQ_LEADER_AND_ISR, KC_TS_ANY), 2);
	for (uint32_t b = 2; b <= 3; b++) {
		const struct kc_ts_entry *e = kc_ts_lair(r, b, t->p1);
		kc_ts_assert_entry(e, 3, 0, "3,2", CE, 0);
		kc_ts_assert_idset(e->ar, e->ar_len, "5,3,2");
	}
	for (uint32_t b = 1; b <= 3; b++)
		assert_int_equal(kc_ts_umr_count(r, b, t->p1), 1);
	assert_int_equal(kc_ts_count(r, KC_REQ_UPDATE_METADATA, 5), 0);
	assert_int_equal(kc_ts_change(r, true, t->p1, 0, KC_ONLINE_PARTITION, 1)->leader, 3);
	struct kc_lisr cached;
	assert_true(kc_cached_leadership(t->fx->c, t->p1, &cached));
	assert_int_equal(cached.leader, 3);
	assert_int_equal(cached.controller_epoch, CE);
}

/* §3.3 step 2: no live assigned replica → "No assigned replica is alive"; stays New. */
static void test_new_to_online_no_live_replica(void **state)
{
	struct pt *t = *state;
	move(t, t->p2, KC_ONLINE_PARTITION);
	assert_int_equal(pstate(t, t->p2), KC_NEW_PARTITION);
	assert_int_equal(kc_ts_refusals(&t->fx->rec, KC_FAIL_NO_REPLICA_ALIVE), 1);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_CREATE_STATE, KC_TS_ANY), 0);
	assert_int_equal(t->fx->rec.n_req, 0);
	struct kc_lisr s;
	assert_false(kc_ts_state(t->fx->ts, t->p2, &s));
}

/* §3.3 step 4: the znode already exists (another controller) → failure, stays New, ZK as it
 * was, nothing sent. */
static void test_new_to_online_znode_exists(void **state)
{
	struct pt *t = *state;
	kc_initial_set_partition_state(t->fx->c, t->p0, KC_NEW_PARTITION);
	move(t, t->p0, KC_ONLINE_PARTITION);
	assert_int_equal(pstate(t, t->p0), KC_NEW_PARTITION);
	assert_int_equal(kc_ts_refusals(&t->fx->rec, KC_FAIL_STATE_EXISTS), 1);
	kc_ts_assert_state(t->fx->ts, t->p0, 1, 3, "1,2,3", 4, 7);
	assert_int_equal(t->fx->rec.n_req, 0);
}

/* §3.2 → New (0.8.2): the AR is read from /brokers/topics/<t> and cached; initialisation then
 * uses that AR. */
static void test_nonexistent_to_new_reads_ar(void **state)
{
	struct pt *t = *state;
	kc_initial_set_partition_state(t->fx->c, t->p1, KC_NON_EXISTENT_PARTITION);
	kc_ts_set_replicas(t->fx->ts, t->p1, "2,3");
	move(t, t->p1, KC_NEW_PARTITION);
	assert_int_equal(pstate(t, t->p1), KC_NEW_PARTITION);
	assert_true(kc_ts_ops(t->fx->ts, KC_TS_READ_TOPIC, t->topic) >= 1);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
	move(t, t->p1, KC_ONLINE_PARTITION);
	kc_ts_assert_state(t->fx->ts, t->p1, 2, 0, "2,3", CE, 0);
	const struct kc_ts_entry *e = kc_ts_lair(&t->fx->rec, 2, t->p1);
	assert_non_null(e);
	kc_ts_assert_idset(e->ar, e->ar_len, "2,3");
}

/* §3.2 → Offline and → NonExistent: state only (no request, no ZK). */
static void test_offline_and_nonexistent_state_only(void **state)
{
	struct pt *t = *state;
	move(t, t->p0, KC_OFFLINE_PARTITION);
	move(t, t->p1, KC_OFFLINE_PARTITION);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_reads(t->fx->ts) + kc_ts_writes(t->fx->ts), 0);
	move(t, t->p0, KC_NON_EXISTENT_PARTITION);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_reads(t->fx->ts) + kc_ts_writes(t->fx->ts), 0);
	assert_int_equal(pstate(t, t->p0), KC_NON_EXISTENT_PARTITION);
	assert_int_equal(pstate(t, t->p1), KC_OFFLINE_PARTITION);
	kc_ts_assert_state(t->fx->ts, t->p0, 1, 3, "1,2,3", 4, 7);
}

/* §3.4 / §4.1: Offline → Online re-reads ZK, elects, writes conditionally (version 7 → 8),
 * caches with our epoch, LAIR to the live AR, UpdateMetadata to all live brokers. */
static void test_offline_to_online_elects(void **state)
{
	struct pt *t = *state;
	kc_initial_set_partition_state(t->fx->c, t->p0, KC_OFFLINE_PARTITION);
	move(t, t->p0, KC_ONLINE_PARTITION);
	assert_int_equal(pstate(t, t->p0), KC_ONLINE_PARTITION);
	kc_ts_assert_state(t->fx->ts, t->p0, 1, 4, "1,2,3", CE, 8);
	for (uint32_t b = 1; b <= 3; b++) {
		assert_int_equal(kc_ts_lair_count(&t->fx->rec, b, t->p0), 1);
		kc_ts_assert_entry(kc_ts_lair(&t->fx->rec, b, t->p0), 1, 4, "1,2,3", CE, 8);
		assert_int_equal(kc_ts_umr_count(&t->fx->rec, b, t->p0), 1);
	}
	const struct kc_ts_election *e = kc_ts_election(&t->fx->rec, t->p0);
	assert_non_null(e);
	assert_int_equal(e->selector, KC_SEL_OFFLINE);
	assert_true(e->ok);
	assert_int_equal(e->leader, 1);
}

/* §3.4: no state znode to elect from → "LeaderAndIsr information doesn't exist". */
static void test_offline_to_online_without_znode(void **state)
{
	struct pt *t = *state;
	kc_initial_set_partition_state(t->fx->c, t->p1, KC_OFFLINE_PARTITION);
	move(t, t->p1, KC_ONLINE_PARTITION);
	assert_int_equal(pstate(t, t->p1), KC_OFFLINE_PARTITION);
	assert_int_equal(kc_ts_refusals(&t->fx->rec, KC_FAIL_NO_STATE_ZNODE), 1);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
}

/* §3.4: a znode written by a newer controller → failure, no write. */
static void test_offline_to_online_newer_controller(void **state)
{
	struct pt *t = *state;
	kc_ts_put_lisr(t->fx->ts, t->p0, 1, 3, "1,2,3", CE + 2, 7);
	kc_initial_set_partition_state(t->fx->c, t->p0, KC_OFFLINE_PARTITION);
	move(t, t->p0, KC_ONLINE_PARTITION);
	assert_int_equal(pstate(t, t->p0), KC_OFFLINE_PARTITION);
	assert_int_equal(kc_ts_refusals(&t->fx->rec, KC_FAIL_NEWER_CONTROLLER), 1);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
	assert_int_equal(t->fx->rec.n_req, 0);
}

/* §3.2: a refused partition does not stop the others of the same call. */
static void test_invalid_partition_does_not_stop_others(void **state)
{
	struct pt *t = *state;
	kc_initial_set_partition_state(t->fx->c, t->p0, KC_NON_EXISTENT_PARTITION);
	kc_ts_fx_mark(t->fx);
	uint32_t pids[] = { t->p0, t->p1 };
	kc_partition_transition(t->fx->c, pids, 2, KC_ONLINE_PARTITION, KC_SEL_OFFLINE);
	assert_int_equal(pstate(t, t->p0), KC_NON_EXISTENT_PARTITION);
	assert_int_equal(pstate(t, t->p1), KC_ONLINE_PARTITION);
	assert_int_equal(kc_ts_refusals(&t->fx->rec, KC_FAIL_INVALID_EDGE), 1);
	assert_int_equal(kc_ts_lair_count(&t->fx->rec, KC_TS_ANY, t->p0), 0);
	assert_int_equal(kc_ts_lair_count(&t->fx->rec, 3, t->p1), 1);
}

static void test_empty_set(void **state)
{
	struct pt *t = *state;
	kc_ts_fx_mark(t->fx);
	kc_partition_transition(t->fx->c, NULL, 0, KC_ONLINE_PARTITION, KC_SEL_OFFLINE);
	assert_int_equal(t->fx->rec.n_req + t->fx->rec.n_chg, 0);
	assert_int_equal(kc_ts_reads(t->fx->ts) + kc_ts_writes(t->fx->ts), 0);
}

#define N_MATRIX 16

int main(void)
{
	static struct pt cases[N_MATRIX];
	struct CMUnitTest tests[N_MATRIX + 20];
	uint32_t n = 0;
	for (int f = KC_NEW_PARTITION; f <= KC_NON_EXISTENT_PARTITION; f++) {
		for (int to = KC_NEW_PARTITION; to <= KC_NON_EXISTENT_PARTITION; to++) {
			struct pt *c = &cases[n];
			c->from = f;
			c->to = to;
			snprintf(c->name, sizeof c->name, "edge %s -> %s",
				 kc_partition_state_name(f), kc_partition_state_name(to));
			tests[n++] = (struct CMUnitTest){ c->name, test_partition_edge, setup, teardown,
							  c };
		}
	}
#define T(fn) tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(fn, setup, teardown)
	T(test_new_to_online_initialises);
	T(test_new_to_online_no_live_replica);
	T(test_new_to_online_znode_exists);
	T(test_nonexistent_to_new_reads_ar);
	T(test_offline_and_nonexistent_state_only);
	T(test_offline_to_online_elects);
	T(test_offline_to_online_without_znode);
	T(test_offline_to_online_newer_controller);
	T(test_invalid_partition_does_not_stop_others);
	T(test_empty_set);
#undef T
	return _cmocka_run_group_tests("kc_partition_sm", tests, n, NULL, NULL);
}
