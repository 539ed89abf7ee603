/* kc_inject_test.c — the injections of kc.h (enum kc_inject): each historical bug (spec §13,
 * "fixed" rows) and each checker self-test changes the named behaviour, shown against the
 * same scenario without it. (The default behaviour is pinned in the other test files.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kc_teststore.h"

#define CE 1

/* A topic `name` with one partition AR `ar`, state (leader, 0, isr) v0. */
static uint32_t partition(struct kc_ts_fx *fx, const char *name, const char *ar, int32_t leader,
			  const char *isr)
{
	uint32_t pid = kc_ts_pid(fx->ts, kc_ts_create_topic(fx->ts, name, ar), 0);
	kc_ts_put_lisr(fx->ts, pid, leader, 0, isr, CE, 0);
	return pid;
}

/* KAFKA-1503 (§4.1, §13.11): AR [1,2,3], ISR [3,2,1], leader 3 dead. Fixed: first AR member
 * in the live ISR = 1. Injected: head of the live ISR = 2. ISR [2,1] and epoch 1 either way. */
static void check_1503(struct kc_ts_fx *fx, int32_t leader)
{
	kc_ts_register_ids(fx->ts, "1,2");
	uint32_t p = partition(fx, "t", "1,2,3", 3, "3,2,1");
	kc_ts_fx_load(fx, CE);
	kc_partition_transition(fx->c, &p, 1, KC_ONLINE_PARTITION, KC_SEL_OFFLINE);
	kc_ts_assert_state(fx->ts, p, leader, 1, "2,1", CE, 1);
}

static void test_1503_off(void **state)
{
	check_1503(*state, 1);
}

static void test_1503_on(void **state)
{
	struct kc_ts_fx *fx = *state;
	fx->cfg.inject = KC_INJECT_KAFKA_1503;
	check_1503(fx, 2);
}

/* KAFKA-1188 (§13.13): the ISR-shrink LeaderAndIsr of an OfflineReplica goes to every other
 * replica when fixed, to the leader only when injected. */
static void check_1188(struct kc_ts_fx *fx, uint32_t to_3)
{
	kc_ts_register_ids(fx->ts, "1,2,3");
	uint32_t p = partition(fx, "t", "1,2,3", 1, "1,2,3");
	kc_ts_fx_load(fx, CE);
	int32_t b = 2;
	kc_replica_transition(fx->c, p, &b, 1, KC_OFFLINE_REPLICA);
	kc_ts_assert_state(fx->ts, p, 1, 1, "1,3", CE, 1);
	assert_int_equal(kc_ts_lair_count(&fx->rec, 1, p), 1);
	assert_int_equal(kc_ts_lair_count(&fx->rec, 3, p), to_3);
}

static void test_1188_off(void **state)
{
	check_1188(*state, 1);
}

static void test_1188_on(void **state)
{
	struct kc_ts_fx *fx = *state;
	fx->cfg.inject = KC_INJECT_KAFKA_1188;
	check_1188(fx, 0);
}

/* KAFKA-1681 (§6.1 step 12, §13.7): a topic queued at failover wakes the delete thread only
 * when fixed. */
static void check_1681(struct kc_ts_fx *fx, bool signalled)
{
	kc_ts_register_ids(fx->ts, "1,2");
	uint32_t p = partition(fx, "t", "1,2", 1, "1,2");
	kc_ts_add_delete_topic(fx->ts, kc_ts_topic_id(fx->ts, "t"));
	kc_ts_fx_controller(fx);
	assert_true(kc_on_controller_failover(fx->c));
	assert_true(kc_topic_queued_for_deletion(fx->c, kc_ts_topic_id(fx->ts, "t")));
	assert_int_equal(kc_take_deletion_signal(fx->c), signalled);
	kc_ts_assert_state(fx->ts, p, 1, 0, "1,2", CE, 0);
}

static void test_1681_off(void **state)
{
	check_1681(*state, true);
}

static void test_1681_on(void **state)
{
	struct kc_ts_fx *fx = *state;
	fx->cfg.inject = KC_INJECT_KAFKA_1681;
	check_1681(fx, false);
}

/* Run a deletion of `topic` (all brokers live) to completion. */
static void delete_topic(struct kc_ts_fx *fx, uint32_t topic, uint32_t pid, const int32_t *ar,
			 uint32_t n)
{
	kc_ts_add_delete_topic(fx->ts, topic);
	kc_ts_fx_delete_topics_changed(fx);
	kc_deletion_pass(fx->c);
	for (uint32_t i = 0; i < n; i++)
		kc_on_stop_replica_response(fx->c, ar[i], pid, 0);
	kc_deletion_pass(fx->c);
	assert_false(kc_topic_queued_for_deletion(fx->c, topic));
	assert_false(kc_ts_topic_exists(fx->ts, topic));
}

/* KAFKA-1742 (§13.10): removeTopic with dropWhile only forgets entries at the head of the
 * iteration order. Deleting b (not first: a's partition comes before it) leaves b's cached
 * leadership behind when injected; deleting a (first) clears it either way. */
static void check_1742(struct kc_ts_fx *fx, bool b_left_behind)
{
	kc_ts_register_ids(fx->ts, "1,2");
	uint32_t a0 = partition(fx, "a", "1,2", 1, "1,2");
	uint32_t b0 = partition(fx, "b", "2,1", 2, "2,1");
	kc_ts_fx_load(fx, CE);
	const int32_t ar[] = { 1, 2 };
	delete_topic(fx, kc_ts_topic_id(fx->ts, "b"), b0, ar, 2);
	struct kc_lisr s;
	assert_int_equal(kc_cached_leadership(fx->c, b0, &s), b_left_behind);
	assert_true(kc_cached_leadership(fx->c, a0, &s));
	delete_topic(fx, kc_ts_topic_id(fx->ts, "a"), a0, ar, 2);
	assert_false(kc_cached_leadership(fx->c, a0, &s));
}

static void test_1742_off(void **state)
{
	check_1742(*state, false);
}

static void test_1742_on(void **state)
{
	struct kc_ts_fx *fx = *state;
	fx->cfg.inject = KC_INJECT_KAFKA_1742;
	check_1742(fx, true);
}

/* KAFKA-1558 as kc.h names it (§7.2, §13.8): a delete request for a topic under reassignment. 0.8.2's
 * markTopicIneligibleForDeletion only marks topics already queued ("no op if the topic was not
 * previously queued up for deletion"), so in the fixed order (mark, then enqueue) the mark
 * does nothing and the next pass starts deleting; in the injected order (enqueue, then mark)
 * the topic is ineligible and the pass leaves it alone. */
static void check_1558(struct kc_ts_fx *fx, bool deletion_starts)
{
	kc_ts_register_ids(fx->ts, "1,2,3");
	uint32_t p = partition(fx, "t", "1,2", 1, "1,2");
	uint32_t topic = kc_ts_topic_id(fx->ts, "t");
	kc_ts_fx_load(fx, CE);
	int32_t rar[] = { 3, 1 };
	struct kc_admin_entry e = { topic, 0, 2, rar };
	kc_ts_put_reassign(fx->ts, &e, 1);
	kc_ts_fx_reassign_changed(fx);
	assert_true(kc_partition_being_reassigned(fx->c, p));
	kc_ts_add_delete_topic(fx->ts, topic);
	kc_ts_fx_delete_topics_changed(fx);
	assert_true(kc_topic_queued_for_deletion(fx->c, topic));
	kc_ts_fx_mark(fx);
	kc_deletion_pass(fx->c);
	assert_int_equal(kc_ts_stop_count(&fx->rec, KC_TS_ANY, p, 1) > 0, deletion_starts);
}

static void test_1558_off(void **state)
{
	check_1558(*state, true);
}

static void test_1558_on(void **state)
{
	struct kc_ts_fx *fx = *state;
	fx->cfg.inject = KC_INJECT_KAFKA_1558;
	check_1558(fx, false);
}

/* KAFKA-1558's other half (§13.8; the §13 table's way to reach it): before the fix the
 * preferred-election listener skipped the whole request when any partition belonged to a
 * topic queued for deletion. Fixed: u0 is elected (leader 1), t0 skipped; injected: neither. */
static void check_1558_preferred(struct kc_ts_fx *fx, int32_t u0_leader)
{
	kc_ts_register_ids(fx->ts, "1,2");
	uint32_t t0 = partition(fx, "t", "1,2", 2, "1,2");
	uint32_t u0 = partition(fx, "u", "1,2", 2, "1,2");
	uint32_t t = kc_ts_topic_id(fx->ts, "t"), u = kc_ts_topic_id(fx->ts, "u");
	kc_ts_fx_load(fx, CE);
	kc_ts_add_delete_topic(fx->ts, t);
	kc_ts_fx_delete_topics_changed(fx);
	struct kc_admin_entry e[] = { { t, 0, 0, NULL }, { u, 0, 0, NULL } };
	kc_ts_put_preferred(fx->ts, e, 2);
	kc_ts_fx_preferred_changed(fx);
	kc_ts_assert_state(fx->ts, t0, 2, 0, "1,2", CE, 0);
	struct kc_lisr s;
	assert_true(kc_ts_state(fx->ts, u0, &s));
	assert_int_equal(s.leader, u0_leader);
}

static void test_1558_preferred_off(void **state)
{
	check_1558_preferred(*state, 1);
}

static void test_1558_preferred_on(void **state)
{
	struct kc_ts_fx *fx = *state;
	fx->cfg.inject = KC_INJECT_KAFKA_1558;
	check_1558_preferred(fx, 2);
}

/* Self-tests. SKIP_REPLICA_GUARD: an invalid replica edge (Online → DeletionSuccessful) is
 * applied instead of refused. */
static void test_selftest_skip_replica_guard(void **state)
{
	struct kc_ts_fx *fx = *state;
	fx->cfg.inject = KC_INJECT_SELFTEST_SKIP_REPLICA_GUARD;
	kc_ts_register_ids(fx->ts, "1,2");
	uint32_t p = partition(fx, "t", "1,2", 1, "1,2");
	kc_ts_fx_load(fx, CE);
	int32_t b = 2;
	kc_replica_transition(fx->c, p, &b, 1, KC_REPLICA_DELETION_SUCCESSFUL);
	assert_int_equal(kc_replica_state(fx->c, p, 2), KC_REPLICA_DELETION_SUCCESSFUL);
	assert_int_equal(kc_ts_refusals(&fx->rec, KC_FAIL_INVALID_EDGE), 0);
}

/* SKIP_PARTITION_GUARD: Online → NonExistent is applied. */
static void test_selftest_skip_partition_guard(void **state)
{
	struct kc_ts_fx *fx = *state;
	fx->cfg.inject = KC_INJECT_SELFTEST_SKIP_PARTITION_GUARD;
	kc_ts_register_ids(fx->ts, "1,2");
	uint32_t p = partition(fx, "t", "1,2", 1, "1,2");
	kc_ts_fx_load(fx, CE);
	kc_partition_transition(fx->c, &p, 1, KC_NON_EXISTENT_PARTITION, KC_SEL_OFFLINE);
	assert_int_equal(kc_partition_state(fx->c, p), KC_NON_EXISTENT_PARTITION);
	assert_int_equal(kc_ts_refusals(&fx->rec, KC_FAIL_INVALID_EDGE), 0);
}

/* NEW_REPLICA_FOR_LEADER: the current leader is let into NewReplica (§2.4 refuses it). */
static void test_selftest_new_replica_for_leader(void **state)
{
	struct kc_ts_fx *fx = *state;
	fx->cfg.inject = KC_INJECT_SELFTEST_NEW_REPLICA_FOR_LEADER;
	kc_ts_register_ids(fx->ts, "1,2");
	uint32_t p = partition(fx, "t", "1,2", 1, "1,2");
	kc_ts_fx_load(fx, CE);
	kc_initial_set_replica_state(fx->c, p, 1, KC_NON_EXISTENT_REPLICA);
	int32_t b = 1;
	kc_replica_transition(fx->c, p, &b, 1, KC_NEW_REPLICA);
	assert_int_equal(kc_replica_state(fx->c, p, 1), KC_NEW_REPLICA);
	assert_int_equal(kc_ts_refusals(&fx->rec, KC_FAIL_REPLICA_IS_LEADER), 0);
}

/* LEADER_OUTSIDE_ISR: an election writes a leader that is not in the ISR it writes. Without
 * it, AR [1,2,3] with ISR [3,2] and 3 dead elects 2 with ISR [2]. */
static void check_leader_outside_isr(struct kc_ts_fx *fx, bool outside)
{
	kc_ts_register_ids(fx->ts, "1,2");
	uint32_t p = partition(fx, "t", "1,2,3", 3, "3,2");
	kc_ts_fx_load(fx, CE);
	kc_partition_transition(fx->c, &p, 1, KC_ONLINE_PARTITION, KC_SEL_OFFLINE);
	struct kc_lisr s;
	assert_true(kc_ts_state(fx->ts, p, &s));
	bool in = false;
	for (uint32_t i = 0; i < s.isr_len; i++)
		in = in || s.isr[i] == s.leader;
	assert_int_equal(in, !outside);
	if (!outside)
		kc_ts_assert_state(fx->ts, p, 2, 1, "2", CE, 1);
}

static void test_selftest_leader_outside_isr_off(void **state)
{
	check_leader_outside_isr(*state, false);
}

static void test_selftest_leader_outside_isr_on(void **state)
{
	struct kc_ts_fx *fx = *state;
	fx->cfg.inject = KC_INJECT_SELFTEST_LEADER_OUTSIDE_ISR;
	check_leader_outside_isr(fx, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kc_ts_fx_test(test_1503_off),
		kc_ts_fx_test(test_1503_on),
		kc_ts_fx_test(test_1188_off),
		kc_ts_fx_test(test_1188_on),
		kc_ts_fx_test(test_1681_off),
		kc_ts_fx_test(test_1681_on),
		kc_ts_fx_test(test_1742_off),
		kc_ts_fx_test(test_1742_on),
		kc_ts_fx_test(test_1558_off),
		kc_ts_fx_test(test_1558_on),
		kc_ts_fx_test(test_1558_preferred_off),
		kc_ts_fx_test(test_1558_preferred_on),
		kc_ts_fx_test(test_selftest_skip_replica_guard),
		kc_ts_fx_test(test_selftest_skip_partition_guard),
		kc_ts_fx_test(test_selftest_new_replica_for_leader),
		kc_ts_fx_test(test_selftest_leader_outside_isr_off),
		kc_ts_fx_test(test_selftest_leader_outside_isr_on),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
