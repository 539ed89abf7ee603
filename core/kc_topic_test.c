/* kc_topic_test.c — new topics and new partitions (spec §6.6): the topic-change listener,
 * onNewTopicCreation / onNewPartitionCreation, and the add-partitions data listener. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kc_teststore.h"

#define CE 5

struct tt {
	struct kc_ts_fx *fx;
	uint32_t e, e0; /* the topic that exists before each test */
};

/* Brokers 1–3 live (4 is not). Topic e: p0 AR [1,2] leader 1 epoch 0 ISR [1,2]. */
static int setup(void **state)
{
	struct tt *t = test_calloc(1, sizeof *t);
	t->fx = kc_ts_fx_new();
	kc_ts_register_ids(t->fx->ts, "1,2,3");
	t->e = kc_ts_create_topic(t->fx->ts, "e", "1,2");
	t->e0 = kc_ts_pid(t->fx->ts, t->e, 0);
	kc_ts_put_lisr(t->fx->ts, t->e0, 1, 0, "1,2", CE, 0);
	kc_ts_fx_load(t->fx, CE);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tt *t = *state;
	kc_ts_fx_check(t->fx);
	kc_ts_fx_free(t->fx);
	test_free(t);
	return 0;
}

/* §6.6 / §3.3: topic n with p0 AR [2,3,1] and p1 AR [4,1,2] (4 dead). Partitions New →
 * Online: p0 leader 2, ISR [2,3,1]; p1 leader 1, ISR [1,2] (live AR in AR order); epoch 0,
 * znodes created at version 0; one LAIR per broker carrying its partitions, to the ISR only;
 * UpdateMetadata for the new partitions only. Replicas NonExistent → New → Online, including
 * the one on dead broker 4 (§6.6). */
static void test_new_topic(void **state)
{
	struct tt *t = *state;
	struct kc_ts_fx *fx = t->fx;
	uint32_t n = kc_ts_create_topic(fx->ts, "n", "2,3,1;4,1,2");
	uint32_t n0 = kc_ts_pid(fx->ts, n, 0), n1 = kc_ts_pid(fx->ts, n, 1);
	kc_ts_fx_mark(fx);
	kc_ts_fx_topics_changed(fx);
	struct kc_ts_rec *r = &fx->rec;
	assert_true(kc_ts_watch_on(fx->ts, KC_WATCH_TOPIC, n));
	kc_ts_assert_state(fx->ts, n0, 2, 0, "2,3,1", CE, 0);
	kc_ts_assert_state(fx->ts, n1, 1, 0, "1,2", CE, 0);
	assert_int_equal(kc_ts_ops(fx->ts, KC_TS_CREATE_STATE, KC_TS_ANY), 2);
	assert_int_equal(kc_ts_ops(fx->ts, KC_TS_UPDATE_STATE, KC_TS_ANY), 0);
	for (uint32_t b = 1; b <= 3; b++)
		assert_int_equal(kc_ts_count(r, KC_REQ_LEADER_AND_ISR, b), 1);
	assert_int_equal(kc_ts_count(r, KC_REQ_LEADER_AND_ISR, 4), 0);
	for (uint32_t b = 1; b <= 3; b++) {
		assert_int_equal(kc_ts_lair_count(r, b, n0), 1);
		const struct kc_ts_entry *e = kc_ts_lair(r, b, n0);
		kc_ts_assert_entry(e, 2, 0, "2,3,1", CE, 0);
		kc_ts_assert_idset(e->ar, e->ar_len, "2,3,1");
		assert_int_equal(kc_ts_umr_count(r, b, n0), 1);
		assert_int_equal(kc_ts_umr_count(r, b, n1), 1);
		assert_int_equal(kc_ts_umr_count(r, b, t->e0), 0);
	}
	assert_int_equal(kc_ts_lair_count(r, 3, n1), 0);
	kc_ts_assert_entry(kc_ts_lair(r, 1, n1), 1, 0, "1,2", CE, 0);
	kc_ts_assert_entry(kc_ts_lair(r, 2, n1), 1, 0, "1,2", CE, 0);
	assert_int_equal(kc_ts_count(r, KC_REQ_STOP_REPLICA, KC_TS_ANY), 0);
	assert_int_equal(kc_ts_lair_count(r, KC_TS_ANY, t->e0), 0);
	struct kc_controller *c = fx->c;
	assert_int_equal(kc_partition_state(c, n0), KC_ONLINE_PARTITION);
	assert_int_equal(kc_partition_state(c, n1), KC_ONLINE_PARTITION);
	assert_int_equal(kc_replica_state(c, n1, 4), KC_ONLINE_REPLICA);
	for (int32_t b = 1; b <= 3; b++)
		assert_int_equal(kc_replica_state(c, n0, b), KC_ONLINE_REPLICA);
	assert_int_equal(kc_ts_changes(r, false, n1, 4, KC_NEW_REPLICA, 1), 1);
	assert_int_equal(kc_ts_changes(r, false, n1, 4, KC_ONLINE_REPLICA, 1), 1);
	assert_int_equal(kc_ts_changes(r, true, n0, 0, KC_NEW_PARTITION, 1), 1);
	assert_int_equal(kc_ts_changes(r, true, n0, 0, KC_ONLINE_PARTITION, 1), 1);
	assert_true(kc_ts_flush_order_ok(r));
}

/* §3.3 step 2 within §6.6: no live replica → the partition stays New without a znode; its
 * replica still goes New → Online. */
static void test_new_topic_without_live_replica(void **state)
{
	struct tt *t = *state;
	struct kc_ts_fx *fx = t->fx;
	uint32_t d = kc_ts_create_topic(fx->ts, "d", "4");
	uint32_t d0 = kc_ts_pid(fx->ts, d, 0);
	kc_ts_fx_mark(fx);
	kc_ts_fx_topics_changed(fx);
	assert_int_equal(kc_partition_state(fx->c, d0), KC_NEW_PARTITION);
	assert_int_equal(kc_replica_state(fx->c, d0, 4), KC_ONLINE_REPLICA);
	assert_int_equal(kc_ts_refusals(&fx->rec, KC_FAIL_NO_REPLICA_ALIVE), 1);
	struct kc_lisr s;
	assert_false(kc_ts_state(fx->ts, d0, &s));
	assert_int_equal(fx->rec.n_req, 0);
	/* §6.4: when 4 registers, the New partition is initialised by the startup trigger */
	kc_ts_register(fx->ts, 4);
	kc_ts_fx_mark(fx);
	kc_ts_fx_brokers_changed(fx);
	kc_ts_assert_state(fx->ts, d0, 4, 0, "4", CE, 0);
	assert_int_equal(kc_partition_state(fx->c, d0), KC_ONLINE_PARTITION);
}

/* §6.6 add partitions: only partitions not yet known are created (e0 untouched). */
static void test_add_partition(void **state)
{
	struct tt *t = *state;
	struct kc_ts_fx *fx = t->fx;
	uint32_t e1 = kc_ts_add_partition(fx->ts, t->e, "3,2");
	kc_ts_fx_mark(fx);
	kc_on_topic_data_change(fx->c, t->e);
	kc_ts_assert_state(fx->ts, e1, 3, 0, "3,2", CE, 0);
	kc_ts_assert_entry(kc_ts_lair(&fx->rec, 3, e1), 3, 0, "3,2", CE, 0);
	kc_ts_assert_entry(kc_ts_lair(&fx->rec, 2, e1), 3, 0, "3,2", CE, 0);
	assert_int_equal(kc_ts_lair_count(&fx->rec, KC_TS_ANY, t->e0), 0);
	kc_ts_assert_state(fx->ts, t->e0, 1, 0, "1,2", CE, 0);
	assert_int_equal(kc_partition_state(fx->c, e1), KC_ONLINE_PARTITION);
	assert_int_equal(kc_replica_state(fx->c, e1, 3), KC_ONLINE_REPLICA);
	/* the same notification again (e.g. after our own rewrite) changes nothing */
	kc_ts_fx_mark(fx);
	kc_on_topic_data_change(fx->c, t->e);
	assert_int_equal(fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(fx->ts), 0);
}

/* §6.6 0.8.2: partitions added to a topic queued for deletion are skipped (logged). */
static void test_add_partition_while_deleting(void **state)
{
	struct tt *t = *state;
	struct kc_ts_fx *fx = t->fx;
	kc_ts_add_delete_topic(fx->ts, t->e);
	kc_ts_fx_delete_topics_changed(fx);
	assert_true(kc_topic_queued_for_deletion(fx->c, t->e));
	uint32_t e1 = kc_ts_add_partition(fx->ts, t->e, "3,2");
	kc_ts_fx_mark(fx);
	kc_on_topic_data_change(fx->c, t->e);
	struct kc_lisr s;
	assert_false(kc_ts_state(fx->ts, e1, &s));
	assert_int_equal(fx->rec.n_req, 0);
	assert_int_equal(kc_partition_state(fx->c, e1), KC_NON_EXISTENT_PARTITION);
	uint32_t n;
	const int32_t *r;
	assert_true(kc_ts_replicas(fx->ts, e1, &r, &n)); /* 0.8.2 leaves the znode as written */
}

/* §6.6: a notification naming no new topic (here: e was removed) creates nothing. */
static void test_topic_change_without_new_topic(void **state)
{
	struct tt *t = *state;
	struct kc_ts_fx *fx = t->fx;
	kc_ts_fx_mark(fx);
	kc_on_topic_change(fx->c, NULL, 0);
	assert_int_equal(fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(fx->ts), 0);
	assert_int_equal(kc_ts_ops(fx->ts, KC_TS_READ_TOPIC, KC_TS_ANY), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_topic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_topic_without_live_replica, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_partition, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_partition_while_deleting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topic_change_without_new_topic, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
