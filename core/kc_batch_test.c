/* kc_batch_test.c — ControllerBrokerRequestBatch (spec §8, 0.8.2): request order within a
 * flush, overwrite of later adds for the same (broker, partition), one StopReplica per entry,
 * UpdateMetadata contents (deleting topics with leader −2, partitions without leadership
 * skipped), the LeaderAndIsr leader list, controller id/epoch and correlation ids. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kc_teststore.h"

#define CE 3

struct bt {
	struct kc_ts_fx *fx;
	uint32_t t, p0, p1;
};

/* Controller module on broker 7 (not a replica host). Brokers 1–4 live. Topic t: p0 AR [1,2,3]
 * leader 1 ISR [1,2,3] epoch 2 (version 2); p1 AR [1,4] leader 4 ISR [4,1] epoch 0. */
static int setup(void **state)
{
	struct bt *t = test_calloc(1, sizeof *t);
	t->fx = kc_ts_fx_new();
	t->fx->cfg.broker_id = 7;
	kc_ts_register_ids(t->fx->ts, "1,2,3,4");
	t->t = kc_ts_create_topic(t->fx->ts, "t", "1,2,3;1,4");
	t->p0 = kc_ts_pid(t->fx->ts, t->t, 0);
	t->p1 = kc_ts_pid(t->fx->ts, t->t, 1);
	kc_ts_put_lisr(t->fx->ts, t->p0, 1, 2, "1,2,3", CE, 2);
	kc_ts_put_lisr(t->fx->ts, t->p1, 4, 0, "4,1", CE, 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct bt *t = *state;
	kc_ts_fx_check(t->fx);
	kc_ts_fx_free(t->fx);
	test_free(t);
	return 0;
}

static void move(struct bt *t, uint32_t pid, const int32_t *b, uint32_t n, enum kc_replica_state s)
{
	kc_ts_fx_mark(t->fx);
	kc_replica_transition(t->fx->c, pid, b, n, s);
}

/* One call taking replicas 2 and 3 of p0 offline. Replica 2: ISR [1,3], epoch 3 → LAIR to 1,3.
 * Replica 3: ISR [1], epoch 4 → LAIR to 1,2. §8.2: broker 1's entry is overwritten (one
 * entry, the later value); §8.3: one flush = LAIR to 1,2,3 ascending, then UpdateMetadata to
 * every live broker with the final value, then one StopReplica per entry (2, then 3). */
static void test_flush_order_and_overwrite(void **state)
{
	struct bt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	int32_t bs[] = { 2, 3 };
	move(t, t->p0, bs, 2, KC_OFFLINE_REPLICA);
	struct kc_ts_rec *r = &t->fx->rec;
	kc_ts_assert_state(t->fx->ts, t->p0, 1, 4, "1", CE, 4);
	assert_int_equal(kc_ts_count(r, KC_REQ_LEADER_AND_ISR, KC_TS_ANY), 3);
	assert_int_equal(kc_ts_count(r, KC_REQ_STOP_REPLICA, KC_TS_ANY), 2);
	for (uint32_t b = 1; b <= 3; b++) {
		assert_int_equal(kc_ts_count(r, KC_REQ_LEADER_AND_ISR, b), 1);
		assert_int_equal(kc_ts_lair_count(r, b, t->p0), 1);
	}
	assert_int_equal(kc_ts_count(r, KC_REQ_LEADER_AND_ISR, 4), 0);
	kc_ts_assert_entry(kc_ts_lair(r, 1, t->p0), 1, 4, "1", CE, 4);
	kc_ts_assert_entry(kc_ts_lair(r, 2, t->p0), 1, 4, "1", CE, 4);
	kc_ts_assert_entry(kc_ts_lair(r, 3, t->p0), 1, 3, "1,3", CE, 3);
	for (uint32_t b = 1; b <= 4; b++) {
		assert_int_equal(kc_ts_count(r, KC_REQ_UPDATE_METADATA, b), 1);
		kc_ts_assert_entry(kc_ts_umr(r, b, t->p0), 1, 4, "1", CE, 4);
	}
	/* exact sequence */
	kc_ts_assert_ids(r->req[0].to, r->req[0].n_to, "1");
	kc_ts_assert_ids(r->req[1].to, r->req[1].n_to, "2");
	kc_ts_assert_ids(r->req[2].to, r->req[2].n_to, "3");
	for (int i = 0; i < 3; i++)
		assert_int_equal(r->req[i].type, KC_REQ_LEADER_AND_ISR);
	uint32_t last = r->n_req - 1;
	assert_int_equal(r->req[last - 1].type, KC_REQ_STOP_REPLICA);
	assert_int_equal(r->req[last].type, KC_REQ_STOP_REPLICA);
	kc_ts_assert_ids(r->req[last - 1].to, 1, "2");
	kc_ts_assert_ids(r->req[last].to, 1, "3");
	for (uint32_t i = 3; i < last - 1; i++)
		assert_int_equal(r->req[i].type, KC_REQ_UPDATE_METADATA);
	for (uint32_t i = 0; i < r->n_req; i++) {
		assert_int_equal(r->req[i].correlation_id, r->req[0].correlation_id);
		assert_int_equal(r->req[i].controller_id, 7);
		assert_int_equal(r->req[i].controller_epoch, CE);
	}
	assert_true(kc_ts_flush_order_ok(r));
}

/* §8.3 0.8.2: StopReplica is one request per entry, even for two partitions on one broker
 * (broker 1 dies hosting p0 and p1). */
static void test_stop_replica_one_per_entry(void **state)
{
	struct bt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	kc_ts_unregister(t->fx->ts, 1);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_brokers_changed(t->fx);
	struct kc_ts_rec *r = &t->fx->rec;
	assert_int_equal(kc_ts_count(r, KC_REQ_STOP_REPLICA, 1), 2);
	assert_int_equal(kc_ts_stop_count(r, 1, t->p0, 0), 1);
	assert_int_equal(kc_ts_stop_count(r, 1, t->p1, 0), 1);
	assert_true(kc_ts_flush_order_ok(r));
}

/* §8.2: UpdateMetadata for p0 also carries every partition of a topic queued for deletion
 * that has leadership (d0, leader −2, its real ISR) — but not d1, which never had a leader;
 * LeaderAndIsr carries only p0. */
static void test_update_metadata_marks_deleting_topic(void **state)
{
	struct bt *t = *state;
	uint32_t d = kc_ts_create_topic(t->fx->ts, "d", "2,3;4");
	uint32_t d0 = kc_ts_pid(t->fx->ts, d, 0), d1 = kc_ts_pid(t->fx->ts, d, 1);
	kc_ts_put_lisr(t->fx->ts, d0, 3, 5, "3,2", CE, 6);
	kc_ts_fx_load(t->fx, CE);
	kc_ts_add_delete_topic(t->fx->ts, d);
	kc_ts_fx_delete_topics_changed(t->fx);
	int32_t b = 2;
	move(t, t->p0, &b, 1, KC_ONLINE_REPLICA);
	struct kc_ts_rec *r = &t->fx->rec;
	assert_int_equal(kc_ts_lair_count(r, 2, d0), 0);
	for (uint32_t k = 1; k <= 4; k++) {
		kc_ts_assert_entry(kc_ts_umr(r, k, t->p0), 1, 2, "1,2,3", CE, 2);
		const struct kc_ts_entry *e = kc_ts_umr(r, k, d0);
		assert_non_null(e);
		assert_int_equal(e->leader, KC_LEADER_DURING_DELETE);
		kc_ts_assert_ids(e->isr, e->isr_len, "3,2");
		assert_int_equal(kc_ts_umr_count(r, k, d1), 0);
		assert_int_equal(kc_ts_umr_count(r, k, t->p1), 0);
	}
}

/* §8.3: LeaderAndIsr names the leaders of its entries that are live or shutting down; UMR
 * names every live-or-shutting-down broker. After broker 4 dies, p1's leader 4 is cached but
 * dead: a resend to broker 1 of p0 (leader 1) and p1 (leader 4) in one request names only 1. */
static void test_leader_and_live_lists(void **state)
{
	struct bt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	kc_ts_unregister(t->fx->ts, 4);
	kc_ts_fx_mark(t->fx);
	/* a controller failover re-sends both partitions to broker 1 in one LeaderAndIsr */
	kc_on_controller_resignation(t->fx->c);
	kc_ts_fx_mark(t->fx);
	assert_true(kc_on_controller_failover(t->fx->c));
	struct kc_ts_rec *r = &t->fx->rec;
	int i = kc_ts_req_index(r, KC_REQ_LEADER_AND_ISR, 1, t->p1, 0);
	assert_true(i >= 0);
	const struct kc_ts_req *q = &r->req[i];
	assert_int_equal(q->n_entries, 2);
	kc_ts_assert_entry(kc_ts_lair(r, 2, t->p0), 1, 2, "1,2,3", CE, 2);
	kc_ts_assert_idset(q->leaders, q->n_leaders, "1");
	int u = kc_ts_req_index(r, KC_REQ_UPDATE_METADATA, 1, t->p0, 0);
	kc_ts_assert_idset(r->req[u].live, r->req[u].n_live, "1,2,3");
	for (uint32_t k = 0; k < r->n_req; k++)
		assert_int_equal(r->req[k].controller_epoch, CE + 1);
}

/* §2.3 step 4: each handleStateChanges flush takes the next correlation id. */
static void test_correlation_ids_increase(void **state)
{
	struct bt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	int32_t b = 2;
	move(t, t->p0, &b, 1, KC_ONLINE_REPLICA);
	uint32_t first = t->fx->rec.req[0].correlation_id;
	for (uint32_t i = 0; i < t->fx->rec.n_req; i++)
		assert_int_equal(t->fx->rec.req[i].correlation_id, first);
	b = 3;
	move(t, t->p0, &b, 1, KC_ONLINE_REPLICA);
	assert_true(t->fx->rec.n_req > 0);
	for (uint32_t i = 0; i < t->fx->rec.n_req; i++)
		assert_true(t->fx->rec.req[i].correlation_id > first);
}

/* §6.5: two brokers (2, 3) die together: one OfflineReplica batch; broker 1's entry for p0 is
 * the last write (ISR [1], epoch 4); the dead brokers' entries are still built (the channel
 * drops them), each with the value current when it was added. */
static void test_two_brokers_die(void **state)
{
	struct bt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	kc_ts_unregister(t->fx->ts, 2);
	kc_ts_unregister(t->fx->ts, 3);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_brokers_changed(t->fx);
	struct kc_ts_rec *r = &t->fx->rec;
	kc_ts_assert_state(t->fx->ts, t->p0, 1, 4, "1", CE, 4);
	assert_int_equal(kc_ts_lair_count(r, 1, t->p0), 1);
	kc_ts_assert_entry(kc_ts_lair(r, 1, t->p0), 1, 4, "1", CE, 4);
	kc_ts_assert_entry(kc_ts_lair(r, 3, t->p0), 1, 3, "1,3", CE, 3);
	kc_ts_assert_entry(kc_ts_lair(r, 2, t->p0), 1, 4, "1", CE, 4);
	assert_int_equal(kc_ts_count(r, KC_REQ_UPDATE_METADATA, 2), 0);
	assert_int_equal(kc_ts_count(r, KC_REQ_UPDATE_METADATA, 3), 0);
	kc_ts_assert_entry(kc_ts_umr(r, 4, t->p0), 1, 4, "1", CE, 4);
	assert_true(kc_ts_flush_order_ok(r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flush_order_and_overwrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_replica_one_per_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_metadata_marks_deleting_topic, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_leader_and_live_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_correlation_ids_increase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_brokers_die, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
