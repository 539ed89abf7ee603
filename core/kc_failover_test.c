/* kc_failover_test.c — onControllerFailover (spec §6.1, 0.8.2 order), the /controller_epoch
 * rules (§6.1 step 3, §9.2), the `initial:` load, and onControllerResignation (§6.2). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kc_teststore.h"

struct ft {
	struct kc_ts_fx *fx;
	uint32_t a, b;             /* topics */
	uint32_t a0, a1, a2, b0;   /* pids */
};

/* Brokers 1–3 live, 4 dead; /controller_epoch = 7 at version 3. Topic a: p0 AR [1,2,3]
 * leader 1 epoch 2 ISR [1,2,3]; p1 AR [2,3,1] leader 2 epoch 1 ISR [2,3]; p2 AR [4,1] leader 4
 * epoch 5 ISR [4,1] (its leader is dead). Topic b: p0 AR [2,3], never initialised. The znodes
 * were written by controller epoch 6 (versions 4, 2, 9). */
static int setup(void **state)
{
	struct ft *t = test_calloc(1, sizeof *t);
	t->fx = kc_ts_fx_new();
	struct kc_ts *ts = t->fx->ts;
	kc_ts_register_ids(ts, "1,2,3");
	kc_ts_put_controller_epoch(ts, 7, 3);
	t->a = kc_ts_create_topic(ts, "a", "1,2,3;2,3,1;4,1");
	t->b = kc_ts_create_topic(ts, "b", "2,3");
	t->a0 = kc_ts_pid(ts, t->a, 0);
	t->a1 = kc_ts_pid(ts, t->a, 1);
	t->a2 = kc_ts_pid(ts, t->a, 2);
	t->b0 = kc_ts_pid(ts, t->b, 0);
	kc_ts_put_lisr(ts, t->a0, 1, 2, "1,2,3", 6, 4);
	kc_ts_put_lisr(ts, t->a1, 2, 1, "2,3", 6, 2);
	kc_ts_put_lisr(ts, t->a2, 4, 5, "4,1", 6, 9);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct ft *t = *state;
	kc_ts_fx_check(t->fx);
	kc_ts_fx_free(t->fx);
	test_free(t);
	return 0;
}

static bool failover(struct ft *t)
{
	kc_ts_fx_controller(t->fx);
	kc_ts_fx_mark(t->fx);
	return kc_on_controller_failover(t->fx->c);
}

/* §6.1 steps 2–3: epoch 7 read at version 3, set to 8 conditionally (version 4). §2.5: live
 * replicas Online, the replica on dead broker 4 ReplicaDeletionIneligible. §3.5: a0, a1
 * Online; a2 (leader dead) Offline then elected; b0 New then initialised. */
static void test_failover_states_and_epoch(void **state)
{
	struct ft *t = *state;
	assert_true(failover(t));
	struct kc_controller *c = t->fx->c;
	int32_t epoch, version;
	assert_true(kc_ts_controller_epoch(t->fx->ts, &epoch, &version));
	assert_int_equal(epoch, 8);
	assert_int_equal(version, 4);
	assert_int_equal(kc_epoch(c), 8);
	assert_true(kc_is_active(c));
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_CREATE_EPOCH, KC_TS_ANY), 0);
	assert_int_equal(kc_replica_state(c, t->a2, 4), KC_REPLICA_DELETION_INELIGIBLE);
	assert_int_equal(kc_replica_state(c, t->a2, 1), KC_ONLINE_REPLICA);
	for (int32_t b = 1; b <= 3; b++) {
		assert_int_equal(kc_replica_state(c, t->a0, b), KC_ONLINE_REPLICA);
		assert_int_equal(kc_replica_state(c, t->a1, b), KC_ONLINE_REPLICA);
	}
	assert_int_equal(kc_replica_state(c, t->b0, 2), KC_ONLINE_REPLICA);
	assert_int_equal(kc_replica_state(c, t->b0, 3), KC_ONLINE_REPLICA);
	assert_int_equal(kc_partition_state(c, t->a0), KC_ONLINE_PARTITION);
	assert_int_equal(kc_partition_state(c, t->a1), KC_ONLINE_PARTITION);
	assert_int_equal(kc_partition_state(c, t->a2), KC_ONLINE_PARTITION);
	assert_int_equal(kc_partition_state(c, t->b0), KC_ONLINE_PARTITION);
	/* a2: live ISR [1] → leader 1, ISR [1], epoch 6; b0: leader 2, ISR [2,3], epoch 0 */
	kc_ts_assert_state(t->fx->ts, t->a2, 1, 6, "1", 8, 10);
	kc_ts_assert_state(t->fx->ts, t->b0, 2, 0, "2,3", 8, 0);
	kc_ts_assert_state(t->fx->ts, t->a0, 1, 2, "1,2,3", 6, 4);
	kc_ts_assert_state(t->fx->ts, t->a1, 2, 1, "2,3", 6, 2);
	assert_true(kc_broker_live(c, 1));
	assert_false(kc_broker_live(c, 4));
	assert_int_equal(kc_touched_partitions(c), 4);
	assert_false(kc_take_deletion_signal(c));
}

/* §6.1 step 4 and 7: the listeners, and one add-partitions watch per topic. */
static void test_failover_registers_watches(void **state)
{
	struct ft *t = *state;
	assert_true(failover(t));
	struct kc_ts *ts = t->fx->ts;
	assert_true(kc_ts_watch_on(ts, KC_WATCH_BROKERS, KC_TS_ANY));
	assert_true(kc_ts_watch_on(ts, KC_WATCH_TOPICS, KC_TS_ANY));
	assert_true(kc_ts_watch_on(ts, KC_WATCH_DELETE_TOPICS, KC_TS_ANY));
	assert_true(kc_ts_watch_on(ts, KC_WATCH_REASSIGN, KC_TS_ANY));
	assert_true(kc_ts_watch_on(ts, KC_WATCH_PREFERRED, KC_TS_ANY));
	assert_true(kc_ts_watch_on(ts, KC_WATCH_TOPIC, t->a));
	assert_true(kc_ts_watch_on(ts, KC_WATCH_TOPIC, t->b));
	assert_false(kc_ts_watch_on(ts, KC_WATCH_PARTITION_STATE, KC_TS_ANY));
}

/* §3.5: the delete-topics listener exists only with delete.topic.enable. */
static void test_failover_no_delete_watch_when_disabled(void **state)
{
	struct ft *t = *state;
	t->fx->cfg.delete_topic_enable = false;
	assert_true(failover(t));
	assert_false(kc_ts_watch_on(t->fx->ts, KC_WATCH_DELETE_TOPICS, KC_TS_ANY));
	assert_true(kc_ts_watch_on(t->fx->ts, KC_WATCH_TOPICS, KC_TS_ANY));
}

/* §2.5: replica SM startup re-sends LAIR for every partition with cached leadership to each
 * live replica (cached values, incl. a2's dead leader 4), before the partition SM elects;
 * §3.5 then elects a2 (LAIR to live AR [1]) and initialises b0 (LAIR to [2,3]); §6.1 step 10
 * closes with UpdateMetadata of every partition to every live broker. No StopReplica. */
static void test_failover_requests(void **state)
{
	struct ft *t = *state;
	assert_true(failover(t));
	struct kc_ts_rec *r = &t->fx->rec;
	for (uint32_t b = 1; b <= 3; b++) {
		assert_int_equal(kc_ts_lair_count(r, b, t->a0), 1);
		kc_ts_assert_entry(kc_ts_lair(r, b, t->a0), 1, 2, "1,2,3", 6, 4);
		assert_int_equal(kc_ts_lair_count(r, b, t->a1), 1);
		kc_ts_assert_entry(kc_ts_lair(r, b, t->a1), 2, 1, "2,3", 6, 2);
	}
	assert_int_equal(kc_ts_count(r, KC_REQ_LEADER_AND_ISR, 4), 0);
	assert_int_equal(kc_ts_lair_count(r, 1, t->a2), 2);
	int first = kc_ts_req_index(r, KC_REQ_LEADER_AND_ISR, 1, t->a2, 0);
	int second = kc_ts_req_index(r, KC_REQ_LEADER_AND_ISR, 1, t->a2, 1);
	const struct kc_ts_req *q = &r->req[first];
	for (uint32_t i = 0; i < q->n_entries; i++)
		if (q->entries[i].pid == t->a2)
			kc_ts_assert_entry(&q->entries[i], 4, 5, "4,1", 6, 9);
	kc_ts_assert_entry(kc_ts_lair(r, 1, t->a2), 1, 6, "1", 8, 10);
	assert_true(first < second);
	assert_int_equal(kc_ts_lair_count(r, 1, t->b0), 0);
	for (uint32_t b = 2; b <= 3; b++) {
		assert_int_equal(kc_ts_lair_count(r, b, t->b0), 1);
		kc_ts_assert_entry(kc_ts_lair(r, b, t->b0), 2, 0, "2,3", 8, 0);
	}
	assert_int_equal(kc_ts_count(r, KC_REQ_STOP_REPLICA, KC_TS_ANY), 0);
	for (uint32_t i = 0; i < r->n_req; i++)
		assert_int_equal(r->req[i].controller_epoch, 8);
	/* the last request each broker gets is the step-10 UpdateMetadata with all partitions */
	const struct kc_ts_req *last = &r->req[r->n_req - 1];
	assert_int_equal(last->type, KC_REQ_UPDATE_METADATA);
	for (uint32_t b = 1; b <= 3; b++) {
		int i = kc_ts_req_index(r, KC_REQ_UPDATE_METADATA, b, t->a0,
					kc_ts_umr_count(r, b, t->a0) - 1);
		assert_true(i > kc_ts_req_index(r, KC_REQ_LEADER_AND_ISR, b, KC_TS_ANY,
						kc_ts_count(r, KC_REQ_LEADER_AND_ISR, b) - 1));
		const struct kc_ts_req *u = &r->req[i];
		uint32_t seen = 0;
		for (uint32_t k = 0; k < u->n_entries; k++)
			seen += u->entries[k].pid == t->a0 || u->entries[k].pid == t->a1 ||
				u->entries[k].pid == t->a2 || u->entries[k].pid == t->b0;
		assert_int_equal(seen, 4);
		kc_ts_assert_idset(u->live, u->n_live, "1,2,3");
	}
	kc_ts_assert_entry(kc_ts_umr(r, 2, t->a2), 1, 6, "1", 8, 10);
	assert_true(kc_ts_flush_order_ok(r));
}

/* §6.1 step 5: one channel per live broker. */
static void test_failover_opens_channels(void **state)
{
	struct ft *t = *state;
	assert_true(failover(t));
	for (int32_t b = 1; b <= 3; b++)
		assert_int_equal(kc_ts_channel_events(&t->fx->rec, b, true), 1);
	assert_int_equal(kc_ts_channel_events(&t->fx->rec, 4, true), 0);
}

/* §6.1 step 3 / §9.2: the first controller creates /controller_epoch with 1. With no topic
 * there is no partition to put in an UpdateMetadata (0.8.2 sends none; KAFKA-1867). */
static void test_first_controller_creates_epoch(void **state)
{
	struct ft *t = *state;
	kc_ts_free(t->fx->ts);
	t->fx->ts = kc_ts_new();
	kc_ts_register(t->fx->ts, 1);
	kc_ts_register(t->fx->ts, 2);
	assert_true(failover(t));
	int32_t epoch, version;
	assert_true(kc_ts_controller_epoch(t->fx->ts, &epoch, &version));
	assert_int_equal(epoch, 1);
	assert_int_equal(version, 0);
	assert_int_equal(kc_epoch(t->fx->c), 1);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_CREATE_EPOCH, KC_TS_ANY), 1);
	assert_int_equal(t->fx->rec.n_req, 0);
}

/* §6.1 step 3: another controller creates the node between our finding it absent and our
 * create; NodeExists → ControllerMovedException escapes: failover returns false, sends
 * nothing. */
static void test_epoch_create_race_aborts(void **state)
{
	struct ft *t = *state;
	kc_ts_free(t->fx->ts);
	t->fx->ts = kc_ts_new();
	kc_ts_register(t->fx->ts, 1);
	kc_ts_race_controller_epoch(t->fx->ts, 1, true);
	assert_false(failover(t));
	assert_int_equal(t->fx->rec.n_req, 0);
	int32_t epoch, version;
	assert_true(kc_ts_controller_epoch(t->fx->ts, &epoch, &version));
	assert_int_equal(epoch, 1);
}

/* §6.1 step 3 quirk: a failed conditional set is swallowed; failover goes on with the epoch
 * it read (7), not incremented. */
static void test_epoch_set_race_swallowed(void **state)
{
	struct ft *t = *state;
	kc_ts_race_controller_epoch(t->fx->ts, 8, false);
	assert_true(failover(t));
	assert_int_equal(kc_epoch(t->fx->c), 7);
	assert_true(t->fx->rec.n_req > 0);
	for (uint32_t i = 0; i < t->fx->rec.n_req; i++)
		assert_int_equal(t->fx->rec.req[i].controller_epoch, 7);
	kc_ts_assert_state(t->fx->ts, t->a2, 1, 6, "1", 7, 10);
}

/* §6.1 step 12 (KAFKA-1681 fixed): a topic already queued at failover wakes the delete
 * thread; its never-initialised partition is not initialised (§3.5 skips queued topics). */
static void test_failover_resumes_queued_deletion(void **state)
{
	struct ft *t = *state;
	kc_ts_add_delete_topic(t->fx->ts, t->b);
	assert_true(failover(t));
	assert_true(kc_topic_queued_for_deletion(t->fx->c, t->b));
	assert_true(kc_take_deletion_signal(t->fx->c));
	assert_false(kc_take_deletion_signal(t->fx->c));
	assert_int_equal(kc_partition_state(t->fx->c, t->b0), KC_NEW_PARTITION);
	struct kc_lisr s;
	assert_false(kc_ts_state(t->fx->ts, t->b0, &s));
}

/* §6.5/§3.5: partitions of a queued topic are not elected even with a dead leader (a2), and
 * UpdateMetadata carries them with leader −2 and the real ISR (§8.2). */
static void test_failover_queued_topic_not_elected(void **state)
{
	struct ft *t = *state;
	kc_ts_add_delete_topic(t->fx->ts, t->a);
	assert_true(failover(t));
	const struct kc_ts_entry *e = kc_ts_umr(&t->fx->rec, 2, t->a0);
	assert_non_null(e);
	assert_int_equal(e->leader, KC_LEADER_DURING_DELETE);
	kc_ts_assert_ids(e->isr, e->isr_len, "1,2,3");
	kc_ts_assert_state(t->fx->ts, t->a2, 4, 5, "4,1", 6, 9);
	assert_int_equal(kc_partition_state(t->fx->c, t->a2), KC_OFFLINE_PARTITION);
}

/* §6.2: resignation drops both state maps, the epoch and every listener; the state machines
 * then refuse to run ("has not started") and the controller answers no shutdown request. */
static void test_resignation_clears(void **state)
{
	struct ft *t = *state;
	assert_true(failover(t));
	kc_ts_fx_mark(t->fx);
	kc_on_controller_resignation(t->fx->c);
	struct kc_controller *c = t->fx->c;
	assert_false(kc_is_active(c));
	assert_int_equal(kc_epoch(c), 0);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
	assert_int_equal(kc_ts_watches_on(t->fx->ts), 0);
	assert_int_equal(kc_replica_state(c, t->a0, 1), KC_NON_EXISTENT_REPLICA);
	assert_int_equal(kc_replica_state(c, t->a2, 4), KC_NON_EXISTENT_REPLICA);
	assert_int_equal(kc_partition_state(c, t->a0), KC_NON_EXISTENT_PARTITION);
	assert_int_equal(kc_partition_state(c, t->b0), KC_NON_EXISTENT_PARTITION);
	int32_t b = 2;
	kc_replica_transition(c, t->a0, &b, 1, KC_OFFLINE_REPLICA);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
	assert_int_equal(kc_replica_state(c, t->a0, 2), KC_NON_EXISTENT_REPLICA);
	assert_true(kc_ts_refusals(&t->fx->rec, KC_FAIL_NOT_STARTED) >= 1);
	uint32_t remaining = 99;
	assert_int_equal(kc_on_controlled_shutdown(c, 2, &remaining), KC_SHUTDOWN_NOT_CONTROLLER);
}

/* A second failover after resignation re-reads the epoch (8) and takes 9. */
static void test_failover_after_resignation(void **state)
{
	struct ft *t = *state;
	assert_true(failover(t));
	kc_on_controller_resignation(t->fx->c);
	assert_true(failover(t));
	assert_int_equal(kc_epoch(t->fx->c), 9);
	assert_int_equal(kc_partition_state(t->fx->c, t->a2), KC_ONLINE_PARTITION);
	assert_int_equal(kc_replica_state(t->fx->c, t->a2, 4), KC_REPLICA_DELETION_INELIGIBLE);
	/* startup re-sends the leadership it just read (a2 now led by 1 at epoch 6) */
	kc_ts_assert_entry(kc_ts_lair(&t->fx->rec, 1, t->a2), 1, 6, "1", 8, 10);
}

/* kc.h `initial:` set-up: reads the epoch, loads the context, registers listeners; no
 * request, no write, empty state maps. */
static void test_load_initial(void **state)
{
	struct ft *t = *state;
	struct kc_controller *c = kc_ts_fx_controller(t->fx);
	kc_load_initial(c);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
	assert_int_equal(kc_epoch(c), 7);
	assert_true(kc_is_active(c));
	assert_true(kc_broker_live(c, 3));
	assert_false(kc_broker_live(c, 4));
	assert_int_equal(kc_replica_state(c, t->a0, 1), KC_NON_EXISTENT_REPLICA);
	assert_int_equal(kc_partition_state(c, t->a0), KC_NON_EXISTENT_PARTITION);
	struct kc_lisr cached;
	assert_true(kc_cached_leadership(c, t->a1, &cached));
	assert_int_equal(cached.leader, 2);
	assert_int_equal(cached.zk_version, 2);
	assert_false(kc_cached_leadership(c, t->b0, &cached));
	assert_true(kc_ts_watch_on(t->fx->ts, KC_WATCH_BROKERS, KC_TS_ANY));
	assert_true(kc_ts_watch_on(t->fx->ts, KC_WATCH_TOPIC, t->a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_failover_states_and_epoch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failover_registers_watches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failover_no_delete_watch_when_disabled, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failover_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failover_opens_channels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_controller_creates_epoch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_epoch_create_race_aborts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_epoch_set_race_swallowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failover_resumes_queued_deletion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failover_queued_topic_not_elected, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resignation_clears, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failover_after_resignation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_initial, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
