/* kc_deletion_test.c — topic deletion (spec §7, 0.8.2 TopicDeletionManager): the delete-topics
 * listener, the delete-thread signal and passes (architecture S5), StopReplica responses,
 * completion, deletion blocked by a dead broker and resumed by its return, failure and retry. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kc_teststore.h"

#define CE 1

struct dt {
	struct kc_ts_fx *fx;
	uint32_t k, d, k0, d0, d1;
};

/* Brokers 1–3 live; delete.topic.enable; unclean off. Topic k: p0 AR [1,2] leader 1 ISR
 * [1,2]; topic d: p0 AR [1,2] leader 1 ISR [1,2], p1 AR [2,3] leader 2 ISR [2,3]; all at
 * leader epoch 0, version 0, written by our epoch 1. */
static int setup(void **state)
{
	struct dt *t = test_calloc(1, sizeof *t);
	t->fx = kc_ts_fx_new();
	struct kc_ts *ts = t->fx->ts;
	kc_ts_register_ids(ts, "1,2,3");
	t->k = kc_ts_create_topic(ts, "k", "1,2");
	t->d = kc_ts_create_topic(ts, "d", "1,2;2,3");
	t->k0 = kc_ts_pid(ts, t->k, 0);
	t->d0 = kc_ts_pid(ts, t->d, 0);
	t->d1 = kc_ts_pid(ts, t->d, 1);
	kc_ts_put_lisr(ts, t->k0, 1, 0, "1,2", CE, 0);
	kc_ts_put_lisr(ts, t->d0, 1, 0, "1,2", CE, 0);
	kc_ts_put_lisr(ts, t->d1, 2, 0, "2,3", CE, 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct dt *t = *state;
	kc_ts_fx_check(t->fx);
	kc_ts_fx_free(t->fx);
	test_free(t);
	return 0;
}

static void queue(struct dt *t, uint32_t topic)
{
	kc_ts_add_delete_topic(t->fx->ts, topic);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_delete_topics_changed(t->fx);
}

static void pass(struct dt *t)
{
	kc_ts_fx_mark(t->fx);
	kc_deletion_pass(t->fx->c);
}

static void respond(struct dt *t, int32_t broker, uint32_t pid, int error)
{
	kc_ts_fx_mark(t->fx);
	kc_on_stop_replica_response(t->fx->c, broker, pid, error);
}

/* §7.2 listener: the topic is queued and the delete thread signalled; nothing is sent or
 * written. kc_take_deletion_signal hands the flag over once. */
static void test_queue_signals_once(void **state)
{
	struct dt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	assert_false(kc_take_deletion_signal(t->fx->c));
	queue(t, t->d);
	assert_true(kc_topic_queued_for_deletion(t->fx->c, t->d));
	assert_false(kc_topic_queued_for_deletion(t->fx->c, t->k));
	assert_true(kc_take_deletion_signal(t->fx->c));
	assert_false(kc_take_deletion_signal(t->fx->c));
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
}

/* §7.2: a topic that does not exist loses its admin entry and is not queued. */
static void test_queue_unknown_topic(void **state)
{
	struct dt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	uint32_t ghost = kc_ts_topic_id(t->fx->ts, "ghost");
	queue(t, ghost);
	assert_false(kc_topic_queued_for_deletion(t->fx->c, ghost));
	assert_false(kc_ts_delete_topic_listed(t->fx->ts, ghost));
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_DELETE_ADMIN_DELETE, ghost), 1);
	assert_false(kc_take_deletion_signal(t->fx->c));
}

/* §7.1: with delete.topic.enable off nothing is ever queued or signalled. */
static void test_delete_disabled(void **state)
{
	struct dt *t = *state;
	t->fx->cfg.delete_topic_enable = false;
	kc_ts_fx_load(t->fx, CE);
	queue(t, t->d);
	assert_false(kc_topic_queued_for_deletion(t->fx->c, t->d));
	assert_false(kc_take_deletion_signal(t->fx->c));
	pass(t);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_true(kc_ts_topic_exists(t->fx->ts, t->d));
}

/* §7.4 step 3, all brokers live: UpdateMetadata of d's partitions (leader −2, real ISR) to
 * every live broker; every replica → Offline (StopReplica no-delete; ISR shrink, brokers by
 * id: d0 loses leader 1 then keeps its last member 2; no LAIR, the topic is queued) → then
 * DeletionStarted (StopReplica delete=true with the response callback). */
static void check_deletion_started(struct dt *t)
{
	struct kc_ts_rec *r = &t->fx->rec;
	struct kc_controller *c = t->fx->c;
	for (uint32_t b = 1; b <= 3; b++) {
		assert_int_equal(kc_ts_count(r, KC_REQ_UPDATE_METADATA, b), 1);
		assert_int_equal(kc_ts_umr_count(r, b, t->k0), 0);
	}
	const struct kc_ts_entry *e = kc_ts_umr(r, 3, t->d0);
	assert_non_null(e);
	assert_int_equal(e->leader, KC_LEADER_DURING_DELETE);
	kc_ts_assert_ids(e->isr, e->isr_len, "1,2");
	e = kc_ts_umr(r, 1, t->d1);
	assert_non_null(e);
	assert_int_equal(e->leader, KC_LEADER_DURING_DELETE);
	kc_ts_assert_ids(e->isr, e->isr_len, "2,3");
	assert_int_equal(kc_ts_count(r, KC_REQ_LEADER_AND_ISR, KC_TS_ANY), 0);
	const struct {
		int32_t b;
		uint32_t pid;
	} replicas[] = { { 1, t->d0 }, { 2, t->d0 }, { 2, t->d1 }, { 3, t->d1 } };
	for (int i = 0; i < 4; i++) {
		uint32_t b = (uint32_t)replicas[i].b, pid = replicas[i].pid;
		assert_int_equal(kc_ts_stop_count(r, b, pid, 0), 1);
		assert_int_equal(kc_ts_stop_count(r, b, pid, 1), 1);
		int del = kc_ts_req_index(r, KC_REQ_STOP_REPLICA, b, pid, 1);
		assert_true(r->req[del].stop_delete);
		assert_true(r->req[del].stop_wants_response);
		assert_true(kc_ts_req_index(r, KC_REQ_STOP_REPLICA, b, pid, 0) < del);
		assert_true(kc_ts_req_index(r, KC_REQ_UPDATE_METADATA, b, t->d0, 0) < del);
		assert_int_equal(kc_replica_state(c, pid, replicas[i].b), KC_REPLICA_DELETION_STARTED);
	}
	assert_int_equal(kc_ts_count(r, KC_REQ_STOP_REPLICA, KC_TS_ANY), 8);
	kc_ts_assert_state(t->fx->ts, t->d0, KC_NO_LEADER, 2, "2", CE, 2);
	kc_ts_assert_state(t->fx->ts, t->d1, KC_NO_LEADER, 2, "3", CE, 2);
	assert_int_equal(kc_partition_state(c, t->d0), KC_ONLINE_PARTITION);
}

/* §7.5 / §7.4 step 1: every replica answers without error → DeletionSuccessful each, the
 * thread is signalled each time; the pass after the last completes: replicas NonExistent,
 * partitions Offline → NonExistent, topic znode + state znodes + admin entry deleted, watch
 * off, context forgotten. Topic k is untouched throughout. */
static void test_delete_all_live(void **state)
{
	struct dt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	queue(t, t->d);
	assert_true(kc_take_deletion_signal(t->fx->c));
	pass(t);
	check_deletion_started(t);
	assert_false(kc_take_deletion_signal(t->fx->c));
	respond(t, 1, t->d0, 0);
	respond(t, 2, t->d0, 0);
	respond(t, 2, t->d1, 0);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_true(kc_take_deletion_signal(t->fx->c));
	assert_int_equal(kc_replica_state(t->fx->c, t->d0, 1), KC_REPLICA_DELETION_SUCCESSFUL);
	/* one replica still DeletionStarted: a pass does nothing */
	pass(t);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
	assert_true(kc_ts_topic_exists(t->fx->ts, t->d));
	respond(t, 3, t->d1, 0);
	assert_true(kc_take_deletion_signal(t->fx->c));
	pass(t);
	struct kc_controller *c = t->fx->c;
	struct kc_ts *ts = t->fx->ts;
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_false(kc_ts_topic_exists(ts, t->d));
	struct kc_lisr s;
	assert_false(kc_ts_state(ts, t->d0, &s));
	assert_false(kc_ts_state(ts, t->d1, &s));
	assert_false(kc_ts_delete_topic_listed(ts, t->d));
	assert_int_equal(kc_ts_ops(ts, KC_TS_DELETE_TOPIC_PATHS, t->d), 1);
	assert_false(kc_ts_watch_on(ts, KC_WATCH_TOPIC, t->d));
	assert_false(kc_topic_queued_for_deletion(c, t->d));
	assert_int_equal(kc_replica_state(c, t->d1, 3), KC_NON_EXISTENT_REPLICA);
	assert_int_equal(kc_partition_state(c, t->d0), KC_NON_EXISTENT_PARTITION);
	assert_int_equal(kc_partition_state(c, t->d1), KC_NON_EXISTENT_PARTITION);
	assert_int_equal(kc_ts_changes(&t->fx->rec, true, t->d1, 0, KC_OFFLINE_PARTITION, 1), 1);
	assert_int_equal(kc_ts_changes(&t->fx->rec, true, t->d1, 0, KC_NON_EXISTENT_PARTITION, 1), 1);
	assert_false(kc_cached_leadership(c, t->d0, &s));
	assert_false(kc_cached_leadership(c, t->d1, &s));
	assert_true(kc_cached_leadership(c, t->k0, &s));
	kc_ts_assert_state(ts, t->k0, 1, 0, "1,2", CE, 0);
	/* the deleted topic no longer rides along in UpdateMetadata */
	kc_ts_fx_mark(t->fx);
	int32_t b = 2;
	kc_replica_transition(c, t->k0, &b, 1, KC_ONLINE_REPLICA);
	assert_int_equal(kc_ts_umr_count(&t->fx->rec, 1, t->k0), 1);
	assert_int_equal(kc_ts_umr_count(&t->fx->rec, KC_TS_ANY, t->d0), 0);
	/* the name can be created again and gets the same id (the store interns names) */
	assert_int_equal(kc_ts_create_topic(ts, "d", "3"), t->d);
	uint32_t again = kc_ts_pid(ts, t->d, 0);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_topics_changed(t->fx);
	kc_ts_assert_state(ts, again, 3, 0, "3", CE, 0);
	assert_int_equal(kc_partition_state(c, again), KC_ONLINE_PARTITION);
}

/* §7.5 / §7.2 fail: an error response → that replica DeletionIneligible, topic ineligible,
 * thread signalled. Once nothing is DeletionStarted, a pass retries (Ineligible → Offline,
 * StopReplica no-delete) but does not restart deletion while the topic is ineligible. The
 * broker's bounce resumes it (§6.4 step 5) and the next pass deletes the last replica. */
static void test_failed_replica_retried_after_bounce(void **state)
{
	struct dt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	queue(t, t->d);
	pass(t);
	respond(t, 3, t->d1, 1);
	assert_int_equal(kc_replica_state(t->fx->c, t->d1, 3), KC_REPLICA_DELETION_INELIGIBLE);
	assert_true(kc_take_deletion_signal(t->fx->c));
	respond(t, 1, t->d0, 0);
	respond(t, 2, t->d0, 0);
	respond(t, 2, t->d1, 0);
	pass(t);
	struct kc_ts_rec *r = &t->fx->rec;
	assert_int_equal(kc_replica_state(t->fx->c, t->d1, 3), KC_OFFLINE_REPLICA);
	assert_int_equal(kc_ts_stop_count(r, 3, t->d1, 0), 1);
	assert_int_equal(kc_ts_stop_count(r, KC_TS_ANY, KC_TS_ANY, 1), 0);
	assert_int_equal(kc_ts_count(r, KC_REQ_UPDATE_METADATA, KC_TS_ANY), 0);
	assert_true(kc_ts_topic_exists(t->fx->ts, t->d));
	/* broker 3 bounces: failure marks it again (Offline → Ineligible is refused in 0.8.2),
	 * startup brings the replica Online and resumes the topic */
	kc_ts_unregister(t->fx->ts, 3);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_brokers_changed(t->fx);
	kc_ts_register(t->fx->ts, 3);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_brokers_changed(t->fx);
	assert_int_equal(kc_replica_state(t->fx->c, t->d1, 3), KC_ONLINE_REPLICA);
	assert_true(kc_take_deletion_signal(t->fx->c));
	pass(t);
	r = &t->fx->rec;
	assert_int_equal(kc_ts_stop_count(r, 3, t->d1, 1), 1);
	assert_int_equal(kc_ts_stop_count(r, KC_TS_ANY, KC_TS_ANY, 1), 1);
	assert_int_equal(kc_replica_state(t->fx->c, t->d1, 3), KC_REPLICA_DELETION_STARTED);
	respond(t, 3, t->d1, 0);
	pass(t);
	assert_false(kc_ts_topic_exists(t->fx->ts, t->d));
	assert_false(kc_topic_queued_for_deletion(t->fx->c, t->d));
}

/* §7.4 with broker 3 dead (x0 AR [1,3]; 3 died earlier so its replica is Offline): dead
 * replicas → DeletionIneligible is *refused* in 0.8.2 (Offline is not a valid previous state)
 * and they stay Offline; the topic is marked ineligible; live replica 1 is deleted. Nothing
 * more happens until 3 returns: onBrokerStartup resumes the topic, the next pass deletes
 * replica 3 (no write: it is not in the ISR), and its response completes the deletion. */
static void test_delete_with_dead_broker(void **state)
{
	struct dt *t = *state;
	struct kc_ts *ts = t->fx->ts;
	uint32_t x = kc_ts_create_topic(ts, "x", "1,3");
	uint32_t x0 = kc_ts_pid(ts, x, 0);
	kc_ts_put_lisr(ts, x0, 1, 0, "1,3", CE, 0);
	kc_ts_fx_load(t->fx, CE);
	kc_ts_unregister(ts, 3);
	kc_ts_fx_brokers_changed(t->fx);
	assert_int_equal(kc_replica_state(t->fx->c, x0, 3), KC_OFFLINE_REPLICA);
	kc_ts_assert_state(ts, x0, 1, 1, "1", CE, 1);
	queue(t, x);
	pass(t);
	struct kc_ts_rec *r = &t->fx->rec;
	const struct kc_state_change *c =
		kc_ts_change(r, false, x0, 3, KC_REPLICA_DELETION_INELIGIBLE, -1);
	assert_non_null(c);
	assert_false(c->applied);
	assert_int_equal(c->reason, KC_FAIL_INVALID_EDGE);
	assert_int_equal(c->from, KC_OFFLINE_REPLICA);
	assert_int_equal(kc_replica_state(t->fx->c, x0, 3), KC_OFFLINE_REPLICA);
	assert_int_equal(kc_ts_stop_count(r, 3, KC_TS_ANY, -1), 0);
	assert_int_equal(kc_ts_stop_count(r, 1, x0, 0), 1);
	assert_int_equal(kc_ts_stop_count(r, 1, x0, 1), 1);
	assert_int_equal(kc_ts_count(r, KC_REQ_UPDATE_METADATA, 3), 0);
	assert_int_equal(kc_ts_umr(r, 2, x0)->leader, KC_LEADER_DURING_DELETE);
	kc_ts_assert_state(ts, x0, KC_NO_LEADER, 2, "1", CE, 2);
	respond(t, 1, x0, 0);
	assert_true(kc_take_deletion_signal(t->fx->c));
	pass(t);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(ts), 0);
	assert_true(kc_ts_topic_exists(ts, x));
	/* broker 3 returns */
	kc_ts_register(ts, 3);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_brokers_changed(t->fx);
	assert_int_equal(kc_ts_umr(&t->fx->rec, 3, x0)->leader, KC_LEADER_DURING_DELETE);
	assert_int_equal(kc_replica_state(t->fx->c, x0, 3), KC_ONLINE_REPLICA);
	assert_true(kc_take_deletion_signal(t->fx->c));
	pass(t);
	r = &t->fx->rec;
	assert_int_equal(kc_ts_stop_count(r, 3, x0, 0), 1);
	assert_int_equal(kc_ts_stop_count(r, 3, x0, 1), 1);
	assert_int_equal(kc_ts_stop_count(r, 1, KC_TS_ANY, -1), 0);
	assert_int_equal(kc_ts_ops(ts, KC_TS_UPDATE_STATE, x0), 0);
	respond(t, 3, x0, 0);
	pass(t);
	assert_false(kc_ts_topic_exists(ts, x));
	assert_int_equal(kc_replica_state(t->fx->c, x0, 1), KC_NON_EXISTENT_REPLICA);
	assert_int_equal(kc_replica_state(t->fx->c, x0, 3), KC_NON_EXISTENT_REPLICA);
}

/* §6.5 step 5: a broker dies while its replicas are being deleted: they are failed
 * (DeletionStarted → DeletionIneligible), the topic marked ineligible, the thread signalled;
 * no OfflineReplica for them and no election for the queued topic. */
static void test_broker_dies_during_deletion(void **state)
{
	struct dt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	queue(t, t->d);
	pass(t);
	kc_take_deletion_signal(t->fx->c);
	kc_ts_unregister(t->fx->ts, 3);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_brokers_changed(t->fx);
	assert_int_equal(kc_replica_state(t->fx->c, t->d1, 3), KC_REPLICA_DELETION_INELIGIBLE);
	assert_true(kc_take_deletion_signal(t->fx->c));
	assert_int_equal(kc_ts_stop_count(&t->fx->rec, 3, KC_TS_ANY, -1), 0);
	assert_int_equal(kc_ts_elections(&t->fx->rec, KC_TS_ANY), 0);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_UPDATE_STATE, KC_TS_ANY), 0);
}

/* §6.1 step 5 + §7.4 step 2: at failover a queued topic with a replica on a dead broker is
 * ineligible and that replica is DeletionIneligible; the pass retries it (→ Offline: the ISR
 * shrink removes 3) but starts no deletion. */
static void test_failover_with_dead_replica(void **state)
{
	struct dt *t = *state;
	struct kc_ts *ts = t->fx->ts;
	uint32_t x = kc_ts_create_topic(ts, "x", "1,3");
	uint32_t x0 = kc_ts_pid(ts, x, 0);
	kc_ts_put_lisr(ts, x0, 1, 0, "1,3", CE, 0);
	kc_ts_unregister(ts, 3);
	kc_ts_add_delete_topic(ts, x);
	kc_ts_put_controller_epoch(ts, CE - 1, 0);
	kc_ts_fx_controller(t->fx);
	assert_true(kc_on_controller_failover(t->fx->c));
	assert_int_equal(kc_replica_state(t->fx->c, x0, 3), KC_REPLICA_DELETION_INELIGIBLE);
	assert_true(kc_take_deletion_signal(t->fx->c));
	pass(t);
	struct kc_ts_rec *r = &t->fx->rec;
	assert_int_equal(kc_replica_state(t->fx->c, x0, 3), KC_OFFLINE_REPLICA);
	assert_int_equal(kc_replica_state(t->fx->c, x0, 1), KC_ONLINE_REPLICA);
	assert_int_equal(kc_ts_stop_count(r, KC_TS_ANY, KC_TS_ANY, 1), 0);
	kc_ts_assert_state(ts, x0, 1, 1, "1", CE, 1);
	assert_true(kc_ts_topic_exists(ts, x));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_queue_signals_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_unknown_topic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_all_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_replica_retried_after_bounce, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_delete_with_dead_broker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broker_dies_during_deletion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failover_with_dead_replica, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
