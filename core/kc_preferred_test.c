/* kc_preferred_test.c — preferred replica election (spec §6.10, 0.8.2 listener and
 * onPreferredReplicaElection), its restart at failover, and the auto leader rebalance check
 * (§6.11). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kc_teststore.h"

#define CE 1

struct pt {
	struct kc_ts_fx *fx;
	uint32_t t, t0, t1;
};

/* Brokers 1–3 live. Topic t: p0 AR [1,2,3] led by 2 (ISR [1,2,3], epoch 4, version 4);
 * p1 AR [2,3,1] led by its preferred replica 2 (ISR [2,3,1], epoch 0, version 0). */
static int setup(void **state)
{
	struct pt *t = test_calloc(1, sizeof *t);
	t->fx = kc_ts_fx_new();
	kc_ts_register_ids(t->fx->ts, "1,2,3");
	t->t = kc_ts_create_topic(t->fx->ts, "t", "1,2,3;2,3,1");
	t->t0 = kc_ts_pid(t->fx->ts, t->t, 0);
	t->t1 = kc_ts_pid(t->fx->ts, t->t, 1);
	kc_ts_put_lisr(t->fx->ts, t->t0, 2, 4, "1,2,3", CE, 4);
	kc_ts_put_lisr(t->fx->ts, t->t1, 2, 0, "2,3,1", CE, 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct pt *t = *state;
	kc_ts_fx_check(t->fx);
	kc_ts_fx_free(t->fx);
	test_free(t);
	return 0;
}

static void request(struct pt *t, const struct kc_admin_entry *e, uint32_t n)
{
	kc_ts_put_preferred(t->fx->ts, e, n);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_preferred_changed(t->fx);
}

/* §6.10: p0 → leader 1 (epoch 5, ISR unchanged), LAIR to the full AR; p1 already led by its
 * preferred replica: no write, no request; the admin znode is deleted afterwards. */
static void test_preferred_election(void **state)
{
	struct pt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	struct kc_admin_entry e[] = { { t->t, 0, 0, NULL }, { t->t, 1, 0, NULL } };
	request(t, e, 2);
	struct kc_ts_rec *r = &t->fx->rec;
	kc_ts_assert_state(t->fx->ts, t->t0, 1, 5, "1,2,3", CE, 5);
	kc_ts_assert_state(t->fx->ts, t->t1, 2, 0, "2,3,1", CE, 0);
	for (uint32_t b = 1; b <= 3; b++) {
		assert_int_equal(kc_ts_lair_count(r, b, t->t0), 1);
		kc_ts_assert_entry(kc_ts_lair(r, b, t->t0), 1, 5, "1,2,3", CE, 5);
	}
	assert_int_equal(kc_ts_lair_count(r, KC_TS_ANY, t->t1), 0);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_UPDATE_STATE, t->t1), 0);
	const struct kc_admin_entry *left;
	uint32_t n;
	assert_false(kc_ts_preferred(t->fx->ts, &left, &n));
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_DELETE_PREFERRED, KC_TS_ANY), 1);
	assert_int_equal(kc_partition_state(t->fx->c, t->t0), KC_ONLINE_PARTITION);
	assert_int_equal(kc_partition_state(t->fx->c, t->t1), KC_ONLINE_PARTITION);
	assert_false(kc_take_deletion_signal(t->fx->c));
}

/* §6.10 outcome with the preferred replica offline: the election fails, the partition keeps
 * its leader and epoch, and the admin znode is still removed. */
static void test_preferred_down(void **state)
{
	struct pt *t = *state;
	kc_ts_unregister(t->fx->ts, 1);
	kc_ts_put_lisr(t->fx->ts, t->t0, 2, 4, "2,3", CE, 4);
	kc_ts_fx_load(t->fx, CE);
	struct kc_admin_entry e = { t->t, 0, 0, NULL };
	request(t, &e, 1);
	kc_ts_assert_state(t->fx->ts, t->t0, 2, 4, "2,3", CE, 4);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_partition_state(t->fx->c, t->t0), KC_ONLINE_PARTITION);
	assert_int_equal(kc_ts_refusals(&t->fx->rec, KC_FAIL_PREFERRED_NOT_ELIGIBLE), 1);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_DELETE_PREFERRED, KC_TS_ANY), 1);
}

/* §6.10 / §13 KAFKA-1558 (fixed): partitions of a topic queued for deletion are skipped; the
 * other partitions of the same request are still elected. */
static void test_preferred_skips_deleting_topic(void **state)
{
	struct pt *t = *state;
	uint32_t u = kc_ts_create_topic(t->fx->ts, "u", "1,2");
	uint32_t u0 = kc_ts_pid(t->fx->ts, u, 0);
	kc_ts_put_lisr(t->fx->ts, u0, 2, 0, "1,2", CE, 0);
	kc_ts_fx_load(t->fx, CE);
	kc_ts_add_delete_topic(t->fx->ts, t->t);
	kc_ts_fx_delete_topics_changed(t->fx);
	struct kc_admin_entry e[] = { { t->t, 0, 0, NULL }, { u, 0, 0, NULL } };
	request(t, e, 2);
	kc_ts_assert_state(t->fx->ts, t->t0, 2, 4, "1,2,3", CE, 4);
	kc_ts_assert_state(t->fx->ts, u0, 1, 1, "1,2", CE, 1);
	assert_int_equal(kc_ts_lair_count(&t->fx->rec, KC_TS_ANY, t->t0), 0);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_DELETE_PREFERRED, KC_TS_ANY), 1);
}

/* §6.1 steps 5 and 9: a pending request at failover is carried out (p0 moves to 1) and the
 * znode removed; a partition already led by its preferred replica is dropped. */
static void test_preferred_resumed_at_failover(void **state)
{
	struct pt *t = *state;
	struct kc_admin_entry e[] = { { t->t, 0, 0, NULL }, { t->t, 1, 0, NULL } };
	kc_ts_put_preferred(t->fx->ts, e, 2);
	kc_ts_put_controller_epoch(t->fx->ts, CE - 1, 0);
	kc_ts_fx_controller(t->fx);
	assert_true(kc_on_controller_failover(t->fx->c));
	kc_ts_assert_state(t->fx->ts, t->t0, 1, 5, "1,2,3", CE, 5);
	kc_ts_assert_state(t->fx->ts, t->t1, 2, 0, "2,3,1", CE, 0);
	const struct kc_admin_entry *left;
	uint32_t n;
	assert_false(kc_ts_preferred(t->fx->ts, &left, &n));
}

/* §6.11: broker 1 is preferred for t0 and u0 (AR [1,3], led by 1) and leads one of the two:
 * imbalance 50 %. Above the threshold (49) → preferred election for t0 alone, without touching
 * the admin znode; at the threshold (50) nothing happens. */
static void check_rebalance(struct pt *t, uint32_t percentage, bool elects)
{
	uint32_t u = kc_ts_create_topic(t->fx->ts, "u", "1,3");
	uint32_t u0 = kc_ts_pid(t->fx->ts, u, 0);
	kc_ts_put_lisr(t->fx->ts, u0, 1, 0, "1,3", CE, 0);
	t->fx->cfg.auto_leader_rebalance = true;
	t->fx->cfg.leader_imbalance_per_broker_percentage = percentage;
	kc_ts_fx_load(t->fx, CE);
	/* an admin request the controller has not seen yet: the auto path must leave it alone */
	struct kc_admin_entry pending = { u, 0, 0, NULL };
	kc_ts_put_preferred(t->fx->ts, &pending, 1);
	kc_ts_fx_mark(t->fx);
	kc_on_rebalance_check(t->fx->c);
	if (elects) {
		kc_ts_assert_state(t->fx->ts, t->t0, 1, 5, "1,2,3", CE, 5);
		assert_int_equal(kc_ts_lair_count(&t->fx->rec, 3, t->t0), 1);
	} else {
		kc_ts_assert_state(t->fx->ts, t->t0, 2, 4, "1,2,3", CE, 4);
		assert_int_equal(t->fx->rec.n_req, 0);
	}
	kc_ts_assert_state(t->fx->ts, t->t1, 2, 0, "2,3,1", CE, 0);
	kc_ts_assert_state(t->fx->ts, u0, 1, 0, "1,3", CE, 0);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_DELETE_PREFERRED, KC_TS_ANY), 0);
	const struct kc_admin_entry *left;
	uint32_t n;
	assert_true(kc_ts_preferred(t->fx->ts, &left, &n));
}

static void test_rebalance_above_threshold(void **state)
{
	check_rebalance(*state, 49, true);
}

static void test_rebalance_at_threshold(void **state)
{
	check_rebalance(*state, 50, false);
}

/* §6.11: no rebalance while a reassignment is in progress (u0 [3,1] → [1,2] makes broker 1
 * preferred for u0 and t0, both led by others: 100 % imbalance, yet nothing happens). */
static void test_rebalance_not_during_reassignment(void **state)
{
	struct pt *t = *state;
	uint32_t u = kc_ts_create_topic(t->fx->ts, "u", "3,1");
	uint32_t u0 = kc_ts_pid(t->fx->ts, u, 0);
	kc_ts_put_lisr(t->fx->ts, u0, 3, 0, "3,1", CE, 0);
	t->fx->cfg.auto_leader_rebalance = true;
	kc_ts_fx_load(t->fx, CE);
	int32_t rar[] = { 1, 2 };
	struct kc_admin_entry re = { u, 0, 2, rar };
	kc_ts_put_reassign(t->fx->ts, &re, 1);
	kc_ts_fx_reassign_changed(t->fx);
	assert_true(kc_partition_being_reassigned(t->fx->c, u0));
	kc_ts_fx_mark(t->fx);
	kc_on_rebalance_check(t->fx->c);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
}

/* §6.11: a dead preferred broker (1, for t0) and a topic queued for deletion (q, preferred 3
 * but led by 2) are left alone. */
static void test_rebalance_skips_dead_and_deleting(void **state)
{
	struct pt *t = *state;
	kc_ts_unregister(t->fx->ts, 1);
	uint32_t q = kc_ts_create_topic(t->fx->ts, "q", "3,2");
	uint32_t q0 = kc_ts_pid(t->fx->ts, q, 0);
	kc_ts_put_lisr(t->fx->ts, q0, 2, 0, "3,2", CE, 0);
	t->fx->cfg.auto_leader_rebalance = true;
	kc_ts_fx_load(t->fx, CE);
	kc_ts_add_delete_topic(t->fx->ts, q);
	kc_ts_fx_delete_topics_changed(t->fx);
	kc_ts_fx_mark(t->fx);
	kc_on_rebalance_check(t->fx->c);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
	kc_ts_assert_state(t->fx->ts, q0, 2, 0, "3,2", CE, 0);
	kc_ts_assert_state(t->fx->ts, t->t0, 2, 4, "1,2,3", CE, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_preferred_election, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preferred_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preferred_skips_deleting_topic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preferred_resumed_at_failover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebalance_above_threshold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebalance_at_threshold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebalance_not_during_reassignment, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rebalance_skips_dead_and_deleting, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
