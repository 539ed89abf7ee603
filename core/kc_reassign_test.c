/* kc_reassign_test.c — partition reassignment, 0.8.2 RAR/OAR algorithm (spec §6.7): admission
 * rules, the first pass (AR' = RAR then OAR − RAR, epoch bump, NewReplica), completion on the
 * ISR watch, leader moves, old replicas' retirement, the admin znode, and the leader-epoch
 * accounting the spec works out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kc_teststore.h"

#define CE 1

struct rt {
	struct kc_ts_fx *fx;
	uint32_t topic, p0;
};

/* Brokers 1–6 live. Topic t: p0 AR [1,2,3], leader 1, epoch 0, ISR [1,2,3] (version 0,
 * written by our epoch 1). Individual tests unregister brokers before loading. */
static int setup(void **state)
{
	struct rt *t = test_calloc(1, sizeof *t);
	t->fx = kc_ts_fx_new();
	kc_ts_register_ids(t->fx->ts, "1,2,3,4,5,6");
	t->topic = kc_ts_create_topic(t->fx->ts, "t", "1,2,3");
	t->p0 = kc_ts_pid(t->fx->ts, t->topic, 0);
	kc_ts_put_lisr(t->fx->ts, t->p0, 1, 0, "1,2,3", CE, 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct rt *t = *state;
	kc_ts_fx_check(t->fx);
	kc_ts_fx_free(t->fx);
	test_free(t);
	return 0;
}

/* Write /admin/reassign_partitions = {(topic, partition) → replicas} and fire its watch. */
static void request(struct rt *t, uint32_t partition, const char *replicas)
{
	int32_t r[KC_MAX_REPLICAS];
	uint32_t n = kc_ts_parse_ids(replicas, r, KC_MAX_REPLICAS);
	struct kc_admin_entry e = { t->topic, partition, n, r };
	kc_ts_put_reassign(t->fx->ts, &e, 1);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_reassign_changed(t->fx);
}

static void isr_changes(struct rt *t, uint32_t pid, const char *isr)
{
	kc_ts_leader_sets_isr(t->fx->ts, pid, isr);
	kc_ts_fx_mark(t->fx);
	kc_on_partition_state_change(t->fx->c, pid);
}

static void assert_ar(struct rt *t, uint32_t pid, const char *want)
{
	const int32_t *r;
	uint32_t n;
	assert_true(kc_ts_replicas(t->fx->ts, pid, &r, &n));
	kc_ts_assert_ids(r, n, want);
}

/* §6.7 [1,2,3] → [4,5,6], first pass: AR' = [4,5,6,1,2,3] written to the topic znode, then the
 * epoch bump (leader 1, epoch 1, ISR [1,2,3], version 1) with LAIR to all of AR' carrying AR';
 * then 4, 5, 6 → NewReplica, each getting one more LAIR with the ZK value. The bump is not
 * cached (architecture S12: the pre-bump epoch of the first pass). */
static void check_first_pass(struct rt *t, uint32_t old_lair)
{
	struct kc_ts *ts = t->fx->ts;
	struct kc_ts_rec *r = &t->fx->rec;
	struct kc_controller *c = t->fx->c;
	assert_true(kc_partition_being_reassigned(c, t->p0));
	assert_true(kc_ts_watch_on(ts, KC_WATCH_PARTITION_STATE, t->p0));
	assert_ar(t, t->p0, "4,5,6,1,2,3");
	kc_ts_assert_state(ts, t->p0, 1, 1, "1,2,3", CE, 1);
	assert_int_equal(kc_ts_ops(ts, KC_TS_UPDATE_STATE, t->p0), 1);
	assert_true(kc_ts_op_index(ts, KC_TS_WRITE_TOPIC, t->topic, 0) <
		    kc_ts_op_index(ts, KC_TS_UPDATE_STATE, t->p0, 0));
	for (uint32_t b = 1; b <= 6; b++) {
		/* at failover, replica startup's resend adds one LAIR to each old replica */
		assert_int_equal(kc_ts_lair_count(r, b, t->p0), b <= 3 ? old_lair : 2);
		const struct kc_ts_entry *e = kc_ts_lair(r, b, t->p0);
		kc_ts_assert_entry(e, 1, 1, "1,2,3", CE, 1);
		kc_ts_assert_idset(e->ar, e->ar_len, "1,2,3,4,5,6");
	}
	for (int32_t b = 4; b <= 6; b++)
		assert_int_equal(kc_replica_state(c, t->p0, b), KC_NEW_REPLICA);
	for (int32_t b = 1; b <= 3; b++)
		assert_int_equal(kc_replica_state(c, t->p0, b), KC_ONLINE_REPLICA);
	assert_int_equal(kc_ts_count(r, KC_REQ_STOP_REPLICA, KC_TS_ANY), 0);
	struct kc_lisr cached;
	assert_true(kc_cached_leadership(c, t->p0, &cached));
	assert_int_equal(cached.leader_epoch, 0);
	const struct kc_admin_entry *e;
	uint32_t n;
	assert_true(kc_ts_reassign(ts, &e, &n));
	assert_int_equal(n, 1);
}

static void test_reassign_first_pass(void **state)
{
	struct rt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	request(t, 0, "4,5,6");
	check_first_pass(t, 1);
}

/* §6.7 step 4: an ISR change that does not yet contain all of RAR does nothing. */
static void test_reassign_waits_for_isr(void **state)
{
	struct rt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	request(t, 0, "4,5,6");
	isr_changes(t, t->p0, "1,2,3,4");
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
	assert_true(kc_partition_being_reassigned(t->fx->c, t->p0));
	assert_int_equal(kc_replica_state(t->fx->c, t->p0, 4), KC_NEW_REPLICA);
}

/* §6.7 completion once the ISR in ZK contains RAR (versions: 1 bump, 2 and 3 the leader's
 * ISR expansions). 5: 4,5,6 → Online (from New: no request). 7: leader 1 ∉ RAR → reassigned
 * selector: first of RAR live and in ISR = 4, ISR unchanged, epoch 2, version 4, LAIR to RAR
 * with AR = RAR. 8: 1,2,3 each → Offline (StopReplica, ISR shrink: epochs 3,4,5, versions
 * 5,6,7, LAIR to AR − r = RAR), → DeletionStarted (StopReplica delete, no callback) →
 * Successful → NonExistent. 9: topic znode = RAR, after the ZK state changes. 10: admin znode
 * deleted (last entry), ISR watch off. 11: UpdateMetadata to all brokers last. */
static void test_reassign_completes(void **state)
{
	struct rt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	request(t, 0, "4,5,6");
	isr_changes(t, t->p0, "1,2,3,4");
	isr_changes(t, t->p0, "1,2,3,4,5,6");
	struct kc_ts *ts = t->fx->ts;
	struct kc_ts_rec *r = &t->fx->rec;
	struct kc_controller *c = t->fx->c;
	kc_ts_assert_state(ts, t->p0, 4, 5, "4,5,6", CE, 7);
	assert_ar(t, t->p0, "4,5,6");
	assert_false(kc_partition_being_reassigned(c, t->p0));
	const struct kc_admin_entry *e;
	uint32_t n;
	assert_false(kc_ts_reassign(ts, &e, &n));
	assert_false(kc_ts_watch_on(ts, KC_WATCH_PARTITION_STATE, t->p0));
	assert_int_equal(kc_partition_state(c, t->p0), KC_ONLINE_PARTITION);
	for (int32_t b = 1; b <= 3; b++)
		assert_int_equal(kc_replica_state(c, t->p0, b), KC_NON_EXISTENT_REPLICA);
	for (int32_t b = 4; b <= 6; b++)
		assert_int_equal(kc_replica_state(c, t->p0, b), KC_ONLINE_REPLICA);
	/* the election */
	const struct kc_ts_election *el = kc_ts_election(r, t->p0);
	assert_non_null(el);
	assert_int_equal(el->selector, KC_SEL_REASSIGNED);
	assert_int_equal(el->leader, 4);
	kc_ts_assert_ids(el->ar, el->ar_len, "4,5,6");
	for (uint32_t b = 4; b <= 6; b++) {
		assert_int_equal(kc_ts_lair_count(r, b, t->p0), 2);
		int i = kc_ts_req_index(r, KC_REQ_LEADER_AND_ISR, b, t->p0, 0);
		const struct kc_ts_entry *first = &r->req[i].entries[0];
		kc_ts_assert_entry(first, 4, 2, "1,2,3,4,5,6", CE, 4);
		kc_ts_assert_idset(first->ar, first->ar_len, "4,5,6");
		const struct kc_ts_entry *last = kc_ts_lair(r, b, t->p0);
		kc_ts_assert_entry(last, 4, 5, "4,5,6", CE, 7);
		kc_ts_assert_idset(last->ar, last->ar_len, "4,5,6");
	}
	/* old replicas */
	for (uint32_t b = 1; b <= 3; b++) {
		assert_int_equal(kc_ts_lair_count(r, b, t->p0), 0);
		assert_int_equal(kc_ts_stop_count(r, b, t->p0, 0), 1);
		assert_int_equal(kc_ts_stop_count(r, b, t->p0, 1), 1);
		int i = kc_ts_req_index(r, KC_REQ_STOP_REPLICA, b, t->p0, 1);
		assert_true(r->req[i].stop_delete);
		assert_false(r->req[i].stop_wants_response);
		assert_true(kc_ts_req_index(r, KC_REQ_STOP_REPLICA, b, t->p0, 0) < i);
	}
	/* each old replica walked Offline → DeletionStarted → DeletionSuccessful → NonExistent */
	static const int steps[] = { KC_OFFLINE_REPLICA, KC_REPLICA_DELETION_STARTED,
				     KC_REPLICA_DELETION_SUCCESSFUL, KC_NON_EXISTENT_REPLICA };
	for (uint32_t b = 1; b <= 3; b++)
		for (int k = 0; k < 4; k++)
			assert_int_equal(kc_ts_changes(r, false, t->p0, b, steps[k], 1), 1);
	/* ZK order: all state writes, then AR = RAR, then the admin znode */
	int last_state = kc_ts_op_index(ts, KC_TS_UPDATE_STATE, t->p0, 3);
	int topic = kc_ts_op_index(ts, KC_TS_WRITE_TOPIC, t->topic, 0);
	assert_true(last_state >= 0 && topic > last_state);
	assert_true(kc_ts_op_index(ts, KC_TS_WRITE_REASSIGN, KC_TS_ANY, 0) > topic);
	/* the closing UpdateMetadata */
	const struct kc_ts_req *q = &r->req[r->n_req - 1];
	assert_int_equal(q->type, KC_REQ_UPDATE_METADATA);
	for (uint32_t b = 1; b <= 6; b++)
		kc_ts_assert_entry(kc_ts_umr(r, b, t->p0), 4, 5, "4,5,6", CE, 7);
	assert_false(kc_take_deletion_signal(c));
}

/* §6.7 with overlap, [1,2,3] → [3,4,1]: AR' = RAR then OAR − RAR = [3,4,1,2]. Completion with
 * the leader 1 in RAR and live: no election, an epoch bump (2, version 3) with LAIR to old and
 * new replicas carrying AR = RAR; 2 → Offline shrinks the ISR (epoch 3, version 4, LAIR to
 * AR − 2 = 1,3,4), → DeletionStarted → … → NonExistent; AR = [3,4,1] last. */
static void test_reassign_leader_kept(void **state)
{
	struct rt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	request(t, 0, "3,4,1");
	assert_ar(t, t->p0, "3,4,1,2");
	kc_ts_assert_state(t->fx->ts, t->p0, 1, 1, "1,2,3", CE, 1);
	assert_int_equal(kc_ts_lair_count(&t->fx->rec, 4, t->p0), 2);
	assert_int_equal(kc_ts_lair_count(&t->fx->rec, 5, t->p0), 0);
	assert_int_equal(kc_replica_state(t->fx->c, t->p0, 4), KC_NEW_REPLICA);
	isr_changes(t, t->p0, "1,2,3,4");
	struct kc_ts_rec *r = &t->fx->rec;
	kc_ts_assert_state(t->fx->ts, t->p0, 1, 3, "1,3,4", CE, 4);
	assert_ar(t, t->p0, "3,4,1");
	assert_int_equal(kc_ts_elections(r, KC_TS_ANY), 0);
	/* 2 hears of the bump once, with AR = RAR, and nothing after */
	assert_int_equal(kc_ts_lair_count(r, 2, t->p0), 1);
	const struct kc_ts_entry *e = kc_ts_lair(r, 2, t->p0);
	kc_ts_assert_entry(e, 1, 2, "1,2,3,4", CE, 3);
	kc_ts_assert_idset(e->ar, e->ar_len, "3,4,1");
	for (uint32_t b = 1; b <= 4; b += (b == 1 ? 2 : 1)) {
		e = kc_ts_lair(r, b, t->p0);
		kc_ts_assert_entry(e, 1, 3, "1,3,4", CE, 4);
		kc_ts_assert_idset(e->ar, e->ar_len, "3,4,1");
	}
	assert_int_equal(kc_ts_stop_count(r, 2, t->p0, 0), 1);
	assert_int_equal(kc_ts_stop_count(r, 2, t->p0, 1), 1);
	assert_int_equal(kc_ts_stop_count(r, 1, t->p0, -1) + kc_ts_stop_count(r, 3, t->p0, -1), 0);
	assert_int_equal(kc_replica_state(t->fx->c, t->p0, 2), KC_NON_EXISTENT_REPLICA);
	assert_int_equal(kc_replica_state(t->fx->c, t->p0, 4), KC_ONLINE_REPLICA);
	assert_false(kc_partition_being_reassigned(t->fx->c, t->p0));
}

/* §6.7 admission, 0.8.2: a target replica that is not live rejects the request; it is
 * removed from the admin znode and nothing else happens. */
static void test_reassign_rejected_when_target_dead(void **state)
{
	struct rt *t = *state;
	kc_ts_unregister(t->fx->ts, 5);
	kc_ts_fx_load(t->fx, CE);
	request(t, 0, "4,5");
	const struct kc_admin_entry *e;
	uint32_t n;
	assert_false(kc_ts_reassign(t->fx->ts, &e, &n));
	assert_false(kc_partition_being_reassigned(t->fx->c, t->p0));
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_UPDATE_STATE, KC_TS_ANY), 0);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_WRITE_TOPIC, KC_TS_ANY), 0);
	assert_ar(t, t->p0, "1,2,3");
	assert_false(kc_ts_watch_on(t->fx->ts, KC_WATCH_PARTITION_STATE, t->p0));
}

/* §6.7 admission: RAR == AR ("already assigned") and an unknown partition are dropped from
 * the admin znode; the rest of the request still runs. */
static void test_reassign_dropped_entries(void **state)
{
	struct rt *t = *state;
	uint32_t p1 = kc_ts_add_partition(t->fx->ts, t->topic, "1,2");
	kc_ts_put_lisr(t->fx->ts, p1, 1, 0, "1,2", CE, 0);
	kc_ts_fx_load(t->fx, CE);
	int32_t same[] = { 1, 2, 3 }, moved[] = { 3, 1 };
	struct kc_admin_entry e[] = {
		{ t->topic, 0, 3, same },
		{ t->topic, 1, 2, moved },
		{ t->topic, 7, 2, moved },
	};
	kc_ts_put_reassign(t->fx->ts, e, 3);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_reassign_changed(t->fx);
	const struct kc_admin_entry *left;
	uint32_t n;
	assert_true(kc_ts_reassign(t->fx->ts, &left, &n));
	assert_int_equal(n, 1);
	assert_int_equal(left[0].partition, 1);
	kc_ts_assert_ids(left[0].replicas, left[0].n_replicas, "3,1");
	assert_false(kc_partition_being_reassigned(t->fx->c, t->p0));
	assert_true(kc_partition_being_reassigned(t->fx->c, p1));
	assert_ar(t, p1, "3,1,2");
	kc_ts_assert_state(t->fx->ts, t->p0, 1, 0, "1,2,3", CE, 0);
	assert_int_equal(kc_ts_lair_count(&t->fx->rec, KC_TS_ANY, t->p0), 0);
	/* our own rewrite fires the data watch again: p1 is in progress and ignored */
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_reassign_changed(t->fx);
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_ops(t->fx->ts, KC_TS_UPDATE_STATE, KC_TS_ANY), 0);
}

/* §6.7: RAR already in the ISR (shrinking [1,2,3] to [2,1]) completes in the admission call:
 * leader 1 ∈ RAR → bump to epoch 1 (LAIR to [1,2,3] with AR [2,1]), 3 → Offline: ISR [1,2],
 * epoch 2; AR = [2,1]; the other entry stays in the admin znode. */
static void test_reassign_completes_at_once(void **state)
{
	struct rt *t = *state;
	uint32_t p1 = kc_ts_add_partition(t->fx->ts, t->topic, "1,2");
	kc_ts_put_lisr(t->fx->ts, p1, 1, 0, "1,2", CE, 0);
	kc_ts_fx_load(t->fx, CE);
	int32_t shrink[] = { 2, 1 }, grow[] = { 3, 1 };
	struct kc_admin_entry e[] = { { t->topic, 0, 2, shrink }, { t->topic, 1, 2, grow } };
	kc_ts_put_reassign(t->fx->ts, e, 2);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_reassign_changed(t->fx);
	kc_ts_assert_state(t->fx->ts, t->p0, 1, 2, "1,2", CE, 2);
	assert_ar(t, t->p0, "2,1");
	assert_false(kc_partition_being_reassigned(t->fx->c, t->p0));
	assert_true(kc_partition_being_reassigned(t->fx->c, p1));
	assert_int_equal(kc_replica_state(t->fx->c, t->p0, 3), KC_NON_EXISTENT_REPLICA);
	assert_int_equal(kc_ts_stop_count(&t->fx->rec, 3, t->p0, 1), 1);
	const struct kc_admin_entry *left;
	uint32_t n;
	assert_true(kc_ts_reassign(t->fx->ts, &left, &n));
	assert_int_equal(n, 1);
	assert_int_equal(left[0].partition, 1);
}

/* §6.7 admission: a topic queued for deletion is not reassigned; its entry is removed. */
static void test_reassign_of_deleting_topic(void **state)
{
	struct rt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	kc_ts_add_delete_topic(t->fx->ts, t->topic);
	kc_ts_fx_delete_topics_changed(t->fx);
	request(t, 0, "4,5,6");
	const struct kc_admin_entry *e;
	uint32_t n;
	assert_false(kc_ts_reassign(t->fx->ts, &e, &n));
	assert_false(kc_partition_being_reassigned(t->fx->c, t->p0));
	assert_int_equal(kc_ts_lair_count(&t->fx->rec, KC_TS_ANY, t->p0), 0);
	assert_ar(t, t->p0, "1,2,3");
}

/* §6.7 epoch accounting, [1] → [2]: first pass epoch 1; 2 dies (New → Offline, not in the
 * ISR: no write); 2 returns: onBrokerStartup re-runs the first pass (epoch 2, no new
 * NewReplica since 2 is already in AR'); completion adds the election (3) and the shrink (4). */
static void test_reassign_resumed_by_broker_startup(void **state)
{
	struct rt *t = *state;
	uint32_t p1 = kc_ts_add_partition(t->fx->ts, t->topic, "1");
	kc_ts_put_lisr(t->fx->ts, p1, 1, 0, "1", CE, 0);
	kc_ts_fx_load(t->fx, CE);
	request(t, 1, "2");
	kc_ts_assert_state(t->fx->ts, p1, 1, 1, "1", CE, 1);
	assert_ar(t, p1, "2,1");
	kc_ts_unregister(t->fx->ts, 2);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_brokers_changed(t->fx);
	assert_int_equal(kc_replica_state(t->fx->c, p1, 2), KC_OFFLINE_REPLICA);
	kc_ts_assert_state(t->fx->ts, p1, 1, 1, "1", CE, 1);
	kc_ts_register(t->fx->ts, 2);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_brokers_changed(t->fx);
	kc_ts_assert_state(t->fx->ts, p1, 1, 2, "1", CE, 2);
	assert_ar(t, p1, "2,1");
	assert_int_equal(kc_replica_state(t->fx->c, p1, 2), KC_ONLINE_REPLICA);
	assert_int_equal(kc_ts_changes(&t->fx->rec, false, p1, 2, KC_NEW_REPLICA, -1), 0);
	kc_ts_assert_entry(kc_ts_lair(&t->fx->rec, 1, p1), 1, 2, "1", CE, 2);
	assert_true(kc_partition_being_reassigned(t->fx->c, p1));
	isr_changes(t, p1, "1,2");
	kc_ts_assert_state(t->fx->ts, p1, 2, 4, "2", CE, 5);
	assert_ar(t, p1, "2");
	assert_false(kc_partition_being_reassigned(t->fx->c, p1));
	assert_int_equal(kc_replica_state(t->fx->c, p1, 1), KC_NON_EXISTENT_REPLICA);
}

/* §6.1 steps 5 and 9: a reassignment pending in the admin znode at failover is restarted. */
static void test_reassign_resumed_at_failover(void **state)
{
	struct rt *t = *state;
	int32_t r[] = { 4, 5, 6 };
	struct kc_admin_entry e = { t->topic, 0, 3, r };
	kc_ts_put_reassign(t->fx->ts, &e, 1);
	kc_ts_put_controller_epoch(t->fx->ts, CE - 1, 0);
	kc_ts_fx_controller(t->fx);
	kc_ts_fx_mark(t->fx);
	assert_true(kc_on_controller_failover(t->fx->c));
	assert_int_equal(kc_epoch(t->fx->c), CE);
	check_first_pass(t, 2);
}

/* §4.2: the reassigned selector takes the first RAR member that is live *and* in the ISR.
 * 4 dies after the first pass (New → Offline, not in the ISR: no write) yet the leader's ISR
 * still lists it; completion elects 5 (epoch 2, version 3), then three shrinks (epoch 5). */
static void test_reassign_selector_skips_dead_target(void **state)
{
	struct rt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	request(t, 0, "4,5,6");
	kc_ts_unregister(t->fx->ts, 4);
	kc_ts_fx_mark(t->fx);
	kc_ts_fx_brokers_changed(t->fx);
	assert_int_equal(kc_replica_state(t->fx->c, t->p0, 4), KC_OFFLINE_REPLICA);
	kc_ts_assert_state(t->fx->ts, t->p0, 1, 1, "1,2,3", CE, 1);
	isr_changes(t, t->p0, "1,2,3,4,5,6");
	const struct kc_ts_election *el = kc_ts_election(&t->fx->rec, t->p0);
	assert_non_null(el);
	assert_int_equal(el->selector, KC_SEL_REASSIGNED);
	assert_int_equal(el->leader, 5);
	kc_ts_assert_state(t->fx->ts, t->p0, 5, 5, "4,5,6", CE, 6);
	assert_ar(t, t->p0, "4,5,6");
	const struct kc_ts_req *q =
		&t->fx->rec.req[kc_ts_req_index(&t->fx->rec, KC_REQ_LEADER_AND_ISR, 6, t->p0, 0)];
	kc_ts_assert_entry(&q->entries[0], 5, 2, "1,2,3,4,5,6", CE, 3);
	assert_false(kc_partition_being_reassigned(t->fx->c, t->p0));
}

/* §6.2: resignation unregisters the ISR watch of a reassignment in progress. */
static void test_resignation_drops_isr_watch(void **state)
{
	struct rt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	request(t, 0, "4,5,6");
	assert_true(kc_ts_watch_on(t->fx->ts, KC_WATCH_PARTITION_STATE, t->p0));
	kc_on_controller_resignation(t->fx->c);
	assert_false(kc_ts_watch_on(t->fx->ts, KC_WATCH_PARTITION_STATE, t->p0));
	assert_int_equal(kc_ts_watches_on(t->fx->ts), 0);
}

/* §6.7: an ISR notification for a partition that is not being reassigned does nothing. */
static void test_isr_change_without_reassignment(void **state)
{
	struct rt *t = *state;
	kc_ts_fx_load(t->fx, CE);
	isr_changes(t, t->p0, "1,2");
	assert_int_equal(t->fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(t->fx->ts), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reassign_first_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reassign_waits_for_isr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reassign_completes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reassign_leader_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reassign_rejected_when_target_dead, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reassign_dropped_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reassign_completes_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reassign_of_deleting_topic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reassign_resumed_by_broker_startup, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reassign_resumed_at_failover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reassign_selector_skips_dead_target, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resignation_drops_isr_watch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_isr_change_without_reassignment, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
