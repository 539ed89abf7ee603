/* kc_shutdown_test.c — ControlledShutdownRequest on the controller (spec §6.12, 0.8.2) and
 * the 0.8.2 controlled-shutdown selector (§4.4): leader and follower partitions, the
 * remaining count, and what "shutting down" means for later decisions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kc_teststore.h"

#define CE 5

struct st {
	struct kc_ts_fx *fx;
	uint32_t topic, p0, p1, p2, p3;
};

/* Brokers 1–3 live. Topic t (znodes by our epoch 5):
 *   p0 AR [1,2,3] leader 1 ISR [1,3,2] epoch 2 (version 2)   — 1 leads
 *   p1 AR [2,1,3] leader 2 ISR [2,1,3] epoch 4 (version 4)   — 1 follows
 *   p2 AR [1]     leader 1 ISR [1]     epoch 0 (version 0)   — RF 1, untouched
 *   p3 AR [1,2]   leader 1 ISR [1]     epoch 1 (version 1)   — 1 leads, nobody to take over */
static int setup(void **state)
{
	struct st *t = test_calloc(1, sizeof *t);
	t->fx = kc_ts_fx_new();
	struct kc_ts *ts = t->fx->ts;
	kc_ts_register_ids(ts, "1,2,3");
	t->topic = kc_ts_create_topic(ts, "t", "1,2,3;2,1,3;1;1,2");
	t->p0 = kc_ts_pid(ts, t->topic, 0);
	t->p1 = kc_ts_pid(ts, t->topic, 1);
	t->p2 = kc_ts_pid(ts, t->topic, 2);
	t->p3 = kc_ts_pid(ts, t->topic, 3);
	kc_ts_put_lisr(ts, t->p0, 1, 2, "1,3,2", CE, 2);
	kc_ts_put_lisr(ts, t->p1, 2, 4, "2,1,3", CE, 4);
	kc_ts_put_lisr(ts, t->p2, 1, 0, "1", CE, 0);
	kc_ts_put_lisr(ts, t->p3, 1, 1, "1", CE, 1);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct st *t = *state;
	kc_ts_fx_check(t->fx);
	kc_ts_fx_free(t->fx);
	test_free(t);
	return 0;
}

static enum kc_shutdown_rc shutdown(struct st *t, int32_t b, uint32_t *remaining)
{
	kc_ts_fx_mark(t->fx);
	return kc_on_controlled_shutdown(t->fx->c, b, remaining);
}

/* §6.12 / §4.4 (0.8.2): p0 (1 leads): new ISR = ISR − shutting down = [3,2], leader = its
 * head 3 (not AR order's 2), epoch 3; LAIR to AR ∩ live-or-shutting-down = 1,2,3.
 * p1 (1 follows): StopReplica(no delete) to 1 twice (explicit + OfflineReplica), ISR [2,3],
 * epoch 5, LAIR to 2,3. p3: nobody else in the ISR → failure, unchanged; p2 (RF 1) untouched.
 * Remaining = partitions with RF > 1 that 1 still leads = {p3}. */
static void test_controlled_shutdown(void **state)
{
	struct st *t = *state;
	kc_ts_fx_load(t->fx, CE);
	uint32_t remaining = 99;
	assert_int_equal(shutdown(t, 1, &remaining), KC_SHUTDOWN_OK);
	assert_int_equal(remaining, 1);
	struct kc_controller *c = t->fx->c;
	struct kc_ts *ts = t->fx->ts;
	struct kc_ts_rec *r = &t->fx->rec;
	assert_true(kc_broker_shutting_down(c, 1));
	assert_false(kc_broker_live(c, 1)); /* §0.2: live excludes shutting-down brokers */
	/* leader partition */
	kc_ts_assert_state(ts, t->p0, 3, 3, "3,2", CE, 3);
	for (uint32_t b = 1; b <= 3; b++) {
		assert_int_equal(kc_ts_lair_count(r, b, t->p0), 1);
		kc_ts_assert_entry(kc_ts_lair(r, b, t->p0), 3, 3, "3,2", CE, 3);
		assert_int_equal(kc_ts_umr_count(r, b, t->p0), 1);
	}
	int i = kc_ts_req_index(r, KC_REQ_LEADER_AND_ISR, 1, t->p0, 0);
	kc_ts_assert_ids(r->req[i].leaders, r->req[i].n_leaders, "3");
	assert_int_equal(kc_ts_stop_count(r, 1, t->p0, -1), 0);
	assert_int_equal(kc_partition_state(c, t->p0), KC_ONLINE_PARTITION);
	const struct kc_ts_election *el = kc_ts_election(r, t->p0);
	assert_non_null(el);
	assert_int_equal(el->selector, KC_SEL_CONTROLLED_SHUTDOWN);
	assert_int_equal(el->leader, 3);
	/* follower partition */
	assert_int_equal(kc_ts_stop_count(r, 1, t->p1, 0), 2);
	assert_int_equal(kc_ts_stop_count(r, KC_TS_ANY, t->p1, 1), 0);
	kc_ts_assert_state(ts, t->p1, 2, 5, "2,3", CE, 5);
	assert_int_equal(kc_ts_lair_count(r, 1, t->p1), 0);
	kc_ts_assert_entry(kc_ts_lair(r, 2, t->p1), 2, 5, "2,3", CE, 5);
	kc_ts_assert_entry(kc_ts_lair(r, 3, t->p1), 2, 5, "2,3", CE, 5);
	kc_ts_assert_entry(kc_ts_umr(r, 1, t->p1), 2, 5, "2,3", CE, 5);
	assert_int_equal(kc_replica_state(c, t->p1, 1), KC_OFFLINE_REPLICA);
	assert_int_equal(kc_replica_state(c, t->p0, 1), KC_ONLINE_REPLICA);
	/* the partition nobody can take over, and the RF-1 partition */
	kc_ts_assert_state(ts, t->p3, 1, 1, "1", CE, 1);
	assert_int_equal(kc_ts_refusals(r, KC_FAIL_SHUTDOWN_NO_ISR), 1);
	assert_int_equal(kc_ts_lair_count(r, KC_TS_ANY, t->p3), 0);
	kc_ts_assert_state(ts, t->p2, 1, 0, "1", CE, 0);
	assert_int_equal(kc_ts_lair_count(r, KC_TS_ANY, t->p2) + kc_ts_umr_count(r, KC_TS_ANY, t->p2) +
				 kc_ts_stop_count(r, KC_TS_ANY, t->p2, -1),
			 0);
	const struct kc_ts_req *u = &r->req[kc_ts_req_index(r, KC_REQ_UPDATE_METADATA, 2, t->p0, 0)];
	kc_ts_assert_idset(u->live, u->n_live, "1,2,3");
}

/* §4.4 0.8.2: dead ISR members are not removed, so the head of ISR − shutting-down may be a
 * dead broker (3); recipients are AR ∩ live-or-shutting-down = 1,2; no live leader to name. */
static void test_shutdown_picks_dead_isr_head(void **state)
{
	struct st *t = *state;
	kc_ts_unregister(t->fx->ts, 3);
	kc_ts_fx_load(t->fx, CE);
	uint32_t remaining = 99;
	assert_int_equal(shutdown(t, 1, &remaining), KC_SHUTDOWN_OK);
	kc_ts_assert_state(t->fx->ts, t->p0, 3, 3, "3,2", CE, 3);
	struct kc_ts_rec *r = &t->fx->rec;
	assert_int_equal(kc_ts_lair_count(r, 1, t->p0), 1);
	assert_int_equal(kc_ts_lair_count(r, 2, t->p0), 1);
	assert_int_equal(kc_ts_lair_count(r, 3, t->p0), 0);
	int i = kc_ts_req_index(r, KC_REQ_LEADER_AND_ISR, 2, t->p0, 0);
	assert_int_equal(r->req[i].n_leaders, 0);
	assert_int_equal(remaining, 1);
}

/* §6.12 step 3: a broker that is neither live nor shutting down. */
static void test_shutdown_unknown_broker(void **state)
{
	struct st *t = *state;
	kc_ts_fx_load(t->fx, CE);
	uint32_t remaining = 0;
	assert_int_equal(shutdown(t, 9, &remaining), KC_SHUTDOWN_BROKER_NOT_AVAILABLE);
	assert_false(kc_broker_shutting_down(t->fx->c, 9));
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
}

/* §6.12 step 1: only the active controller answers. */
static void test_shutdown_not_controller(void **state)
{
	struct st *t = *state;
	kc_ts_fx_controller(t->fx);
	uint32_t remaining = 0;
	assert_int_equal(shutdown(t, 1, &remaining), KC_SHUTDOWN_NOT_CONTROLLER);
	assert_int_equal(t->fx->rec.n_req, 0);
}

/* §0.2 / §3.3: a shutting-down broker is not live for later decisions: a new topic on [1,2]
 * gets leader 2, ISR [2], LAIR to 2 only. */
static void test_shutting_down_broker_not_live(void **state)
{
	struct st *t = *state;
	kc_ts_fx_load(t->fx, CE);
	uint32_t remaining;
	shutdown(t, 1, &remaining);
	uint32_t n = kc_ts_create_topic(t->fx->ts, "n", "1,2");
	uint32_t n0 = kc_ts_pid(t->fx->ts, n, 0);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_topics_changed(t->fx);
	kc_ts_assert_state(t->fx->ts, n0, 2, 0, "2", CE, 0);
	assert_int_equal(kc_ts_lair_count(&t->fx->rec, 1, n0), 0);
	assert_int_equal(kc_ts_lair_count(&t->fx->rec, 2, n0), 1);
	/* but it still receives UpdateMetadata (live-or-shutting-down) */
	assert_int_equal(kc_ts_umr_count(&t->fx->rec, 1, n0), 1);
}

/* §6.5 step 1: when its znode goes, the broker leaves the shutting-down set. */
static void test_shutdown_then_broker_gone(void **state)
{
	struct st *t = *state;
	kc_ts_fx_load(t->fx, CE);
	uint32_t remaining;
	shutdown(t, 1, &remaining);
	kc_ts_unregister(t->fx->ts, 1);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_brokers_changed(t->fx);
	assert_false(kc_broker_shutting_down(t->fx->c, 1));
	assert_false(kc_broker_live(t->fx->c, 1));
	assert_int_equal(kc_ts_count(&t->fx->rec, KC_REQ_UPDATE_METADATA, 1), 0);
	/* p3 (leader 1, ISR [1]) goes offline; unclean off keeps ISR [1] with leader −1 */
	kc_ts_assert_state(t->fx->ts, t->p3, KC_NO_LEADER, 2, "1", CE, 2);
	assert_int_equal(kc_partition_state(t->fx->c, t->p3), KC_OFFLINE_PARTITION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_controlled_shutdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_picks_dead_isr_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_unknown_broker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_not_controller, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutting_down_broker_not_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_then_broker_gone, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
