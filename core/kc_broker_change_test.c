/* kc_broker_change_test.c — the broker-change listener (spec §6.3) and the two callbacks it
 * drives, onBrokerFailure (§6.5, the §14 rows) and onBrokerStartup (§6.4), on small clusters
 * with exact leaders, epochs, ISRs and requests. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kc_teststore.h"

#define CE 1

/* Brokers `live`; topic t with one partition AR `ar`, state (leader, epoch, isr) at version
 * `epoch` written by controller epoch 1 (our epoch). */
static uint32_t cluster(struct kc_ts_fx *fx, const char *live, const char *ar, int32_t leader,
			int32_t epoch, const char *isr)
{
	kc_ts_register_ids(fx->ts, live);
	uint32_t pid = kc_ts_pid(fx->ts, kc_ts_create_topic(fx->ts, "t", ar), 0);
	kc_ts_put_lisr(fx->ts, pid, leader, epoch, isr, CE, epoch);
	return pid;
}

static void stop_broker(struct kc_ts_fx *fx, int32_t b)
{
	kc_ts_unregister(fx->ts, b);
	kc_ts_fx_mark(fx);
	kc_ts_fx_brokers_changed(fx);
}

/* §6.5 / §14 "broker a (leader) dies": step 2 p → Offline; step 3 election: live ISR [2,3] →
 * leader 2, ISR [2,3], epoch 1 (version 1), LAIR + UMR to 2,3; step 4 replica 1 → Offline:
 * StopReplica(1) (dropped by the channel later), 1 ∉ ISR → no write, a second identical LAIR
 * to 2,3 in a later batch. */
static void test_leader_dies(void **state)
{
	struct kc_ts_fx *fx = *state;
	uint32_t p = cluster(fx, "1,2,3", "1,2,3", 1, 0, "1,2,3");
	kc_ts_fx_load(fx, CE);
	stop_broker(fx, 1);
	struct kc_ts_rec *r = &fx->rec;
	kc_ts_assert_state(fx->ts, p, 2, 1, "2,3", CE, 1);
	assert_int_equal(kc_ts_ops(fx->ts, KC_TS_UPDATE_STATE, p), 1);
	for (uint32_t b = 2; b <= 3; b++) {
		assert_int_equal(kc_ts_lair_count(r, b, p), 2);
		kc_ts_assert_entry(kc_ts_lair(r, b, p), 2, 1, "2,3", CE, 1);
		const struct kc_ts_entry *first =
			&r->req[kc_ts_req_index(r, KC_REQ_LEADER_AND_ISR, b, p, 0)].entries[0];
		kc_ts_assert_entry(first, 2, 1, "2,3", CE, 1);
		assert_int_equal(kc_ts_umr_count(r, b, p), 2);
	}
	assert_int_equal(kc_ts_count(r, KC_REQ_LEADER_AND_ISR, 1), 0);
	assert_int_equal(kc_ts_count(r, KC_REQ_UPDATE_METADATA, 1), 0);
	assert_int_equal(kc_ts_count(r, KC_REQ_STOP_REPLICA, KC_TS_ANY), 1);
	assert_int_equal(kc_ts_stop_count(r, 1, p, 0), 1);
	/* the election batch leaves before the OfflineReplica batch */
	int stop = kc_ts_req_index(r, KC_REQ_STOP_REPLICA, 1, p, 0);
	assert_true(kc_ts_req_index(r, KC_REQ_UPDATE_METADATA, 2, p, 0) <
		    kc_ts_req_index(r, KC_REQ_LEADER_AND_ISR, 2, p, 1));
	assert_true(kc_ts_req_index(r, KC_REQ_LEADER_AND_ISR, 2, p, 1) < stop);
	assert_int_equal(kc_partition_state(fx->c, p), KC_ONLINE_PARTITION);
	assert_int_equal(kc_ts_changes(r, true, p, 0, KC_OFFLINE_PARTITION, 1), 1);
	assert_int_equal(kc_replica_state(fx->c, p, 1), KC_OFFLINE_REPLICA);
	assert_int_equal(kc_replica_state(fx->c, p, 2), KC_ONLINE_REPLICA);
	assert_false(kc_broker_live(fx->c, 1));
	assert_true(kc_broker_live(fx->c, 2));
	assert_int_equal(kc_ts_channel_events(r, 1, false), 1);
	const struct kc_ts_election *el = kc_ts_election(r, p);
	assert_non_null(el);
	assert_true(el->ok);
	assert_int_equal(el->leader, 2);
	assert_int_equal(kc_touched_partitions(fx->c), 1);
}

/* §6.5 / §14 "broker b dies": no leaderless partition, so no election; replica 2 → Offline:
 * ISR [1,3], epoch 1; LAIR to 1,3 and UMR to the live brokers; StopReplica(2). */
static void test_follower_dies(void **state)
{
	struct kc_ts_fx *fx = *state;
	uint32_t p = cluster(fx, "1,2,3", "1,2,3", 1, 0, "1,2,3");
	kc_ts_fx_load(fx, CE);
	stop_broker(fx, 2);
	struct kc_ts_rec *r = &fx->rec;
	kc_ts_assert_state(fx->ts, p, 1, 1, "1,3", CE, 1);
	assert_int_equal(kc_ts_elections(r, KC_TS_ANY), 0);
	assert_int_equal(kc_ts_lair_count(r, 1, p), 1);
	assert_int_equal(kc_ts_lair_count(r, 3, p), 1);
	assert_int_equal(kc_ts_lair_count(r, 2, p), 0);
	kc_ts_assert_entry(kc_ts_lair(r, 3, p), 1, 1, "1,3", CE, 1);
	assert_int_equal(kc_ts_umr_count(r, 1, p), 1);
	assert_int_equal(kc_ts_umr_count(r, 2, p), 0);
	assert_int_equal(kc_ts_stop_count(r, 2, p, 0), 1);
	assert_int_equal(kc_ts_changes(r, true, KC_TS_ANY, 0, -1, -1), 0);
	assert_int_equal(kc_replica_state(fx->c, p, 2), KC_OFFLINE_REPLICA);
	const struct kc_ts_req *u = &r->req[kc_ts_req_index(r, KC_REQ_UPDATE_METADATA, 1, p, 0)];
	kc_ts_assert_idset(u->live, u->n_live, "1,3");
}

/* §6.5 with the last ISR member as leader (AR [1,2,3], ISR [1]), unclean off: the election
 * fails (stays Offline, ZK untouched by it); replica 1 → Offline keeps ISR [1], leader −1,
 * epoch 1; LAIR to 2,3. */
static void test_last_isr_leader_dies_unclean_off(void **state)
{
	struct kc_ts_fx *fx = *state;
	uint32_t p = cluster(fx, "1,2,3", "1,2,3", 1, 0, "1");
	kc_ts_fx_load(fx, CE);
	stop_broker(fx, 1);
	kc_ts_assert_state(fx->ts, p, KC_NO_LEADER, 1, "1", CE, 1);
	assert_int_equal(kc_partition_state(fx->c, p), KC_OFFLINE_PARTITION);
	assert_int_equal(kc_ts_refusals(&fx->rec, KC_FAIL_NO_REPLICA_ONLINE), 1);
	assert_int_equal(kc_ts_ops(fx->ts, KC_TS_UPDATE_STATE, p), 1);
	kc_ts_assert_entry(kc_ts_lair(&fx->rec, 2, p), -1, 1, "1", CE, 1);
	kc_ts_assert_entry(kc_ts_lair(&fx->rec, 3, p), -1, 1, "1", CE, 1);
	assert_int_equal(kc_ts_lair_count(&fx->rec, 2, p), 1);
	assert_int_equal(kc_replica_state(fx->c, p, 1), KC_OFFLINE_REPLICA);
}

/* Same with unclean on: the election picks the first live AR member 2 with ISR [2] (epoch 1);
 * replica 1 is then not in the ISR: no second write, the same LAIR again. */
static void test_last_isr_leader_dies_unclean_on(void **state)
{
	struct kc_ts_fx *fx = *state;
	fx->cfg.unclean_leader_election = true;
	uint32_t p = cluster(fx, "1,2,3", "1,2,3", 1, 0, "1");
	kc_ts_fx_load(fx, CE);
	stop_broker(fx, 1);
	kc_ts_assert_state(fx->ts, p, 2, 1, "2", CE, 1);
	assert_int_equal(kc_partition_state(fx->c, p), KC_ONLINE_PARTITION);
	assert_int_equal(kc_ts_ops(fx->ts, KC_TS_UPDATE_STATE, p), 1);
	for (uint32_t b = 2; b <= 3; b++) {
		assert_int_equal(kc_ts_lair_count(&fx->rec, b, p), 2);
		kc_ts_assert_entry(kc_ts_lair(&fx->rec, b, p), 2, 1, "2", CE, 1);
	}
	const struct kc_ts_election *el = kc_ts_election(&fx->rec, p);
	assert_non_null(el);
	assert_true(el->unclean);
}

/* §14 "only replica's broker dies, unclean off": election fails; replica → Offline: leader
 * −1, ISR kept [1], epoch 1; no LAIR recipient (AR − 1 = ∅) but the UpdateMetadata that
 * goes with every LAIR add still reaches the live brokers 2,3 (§2.4 legend). */
static void check_only_replica_dies(struct kc_ts_fx *fx, const char *isr)
{
	uint32_t p = cluster(fx, "1,2,3", "1", 1, 0, "1");
	kc_ts_fx_load(fx, CE);
	stop_broker(fx, 1);
	kc_ts_assert_state(fx->ts, p, KC_NO_LEADER, 1, isr, CE, 1);
	assert_int_equal(kc_ts_count(&fx->rec, KC_REQ_LEADER_AND_ISR, KC_TS_ANY), 0);
	for (uint32_t b = 2; b <= 3; b++) {
		assert_int_equal(kc_ts_umr_count(&fx->rec, b, p), 1);
		kc_ts_assert_entry(kc_ts_umr(&fx->rec, b, p), -1, 1, isr, CE, 1);
	}
	assert_int_equal(kc_ts_stop_count(&fx->rec, 1, p, 0), 1);
	assert_int_equal(kc_partition_state(fx->c, p), KC_OFFLINE_PARTITION);
	assert_int_equal(kc_replica_state(fx->c, p, 1), KC_OFFLINE_REPLICA);
}

static void test_only_replica_dies_unclean_off(void **state)
{
	check_only_replica_dies(*state, "1");
}

/* §6.9 0.8.2: with unclean on the last member is removed: ISR []. */
static void test_only_replica_dies_unclean_on(void **state)
{
	struct kc_ts_fx *fx = *state;
	fx->cfg.unclean_leader_election = true;
	check_only_replica_dies(fx, "");
}

/* §6.4: broker 3 returns. (1) UpdateMetadata with all partitions to the new broker only;
 * (2) its replicas → Online: LAIR to 3 with the cached values for p0 and p1; (3) offline p1
 * (leader −1, ISR [3]) elects 3: epoch 2, LAIR to its live AR [3]. Nothing to 1 and 2 but the
 * UpdateMetadata riding on the LAIR adds. */
static void test_broker_startup(void **state)
{
	struct kc_ts_fx *fx = *state;
	uint32_t p0 = cluster(fx, "1,2", "1,2,3", 1, 1, "1,2");
	uint32_t topic = kc_ts_topic_id(fx->ts, "t");
	uint32_t p1 = kc_ts_add_partition(fx->ts, topic, "3");
	kc_ts_put_lisr(fx->ts, p1, -1, 1, "3", CE, 1);
	kc_ts_fx_load(fx, CE);
	kc_initial_set_replica_state(fx->c, p0, 3, KC_OFFLINE_REPLICA);
	kc_initial_set_replica_state(fx->c, p1, 3, KC_OFFLINE_REPLICA);
	assert_int_equal(kc_partition_state(fx->c, p1), KC_OFFLINE_PARTITION);
	kc_ts_register(fx->ts, 3);
	kc_ts_fx_mark(fx);
	kc_ts_fx_brokers_changed(fx);
	struct kc_ts_rec *r = &fx->rec;
	assert_true(r->n_req > 0);
	const struct kc_ts_req *first = &r->req[0];
	assert_int_equal(first->type, KC_REQ_UPDATE_METADATA);
	kc_ts_assert_ids(first->to, first->n_to, "3");
	assert_int_equal(first->n_entries, 2);
	for (uint32_t i = 0; i < first->n_entries; i++) {
		if (first->entries[i].pid == p0)
			kc_ts_assert_entry(&first->entries[i], 1, 1, "1,2", CE, 1);
		else
			kc_ts_assert_entry(&first->entries[i], -1, 1, "3", CE, 1);
	}
	assert_int_equal(kc_ts_lair_count(r, 3, p0), 1);
	kc_ts_assert_entry(kc_ts_lair(r, 3, p0), 1, 1, "1,2", CE, 1);
	assert_int_equal(kc_ts_lair_count(r, 3, p1), 2);
	kc_ts_assert_entry(kc_ts_lair(r, 3, p1), 3, 2, "3", CE, 2);
	assert_int_equal(kc_ts_count(r, KC_REQ_LEADER_AND_ISR, 1), 0);
	assert_int_equal(kc_ts_count(r, KC_REQ_LEADER_AND_ISR, 2), 0);
	assert_int_equal(kc_ts_count(r, KC_REQ_STOP_REPLICA, KC_TS_ANY), 0);
	kc_ts_assert_state(fx->ts, p1, 3, 2, "3", CE, 2);
	kc_ts_assert_state(fx->ts, p0, 1, 1, "1,2", CE, 1);
	assert_int_equal(kc_replica_state(fx->c, p0, 3), KC_ONLINE_REPLICA);
	assert_int_equal(kc_replica_state(fx->c, p1, 3), KC_ONLINE_REPLICA);
	assert_int_equal(kc_partition_state(fx->c, p1), KC_ONLINE_PARTITION);
	assert_true(kc_broker_live(fx->c, 3));
	assert_int_equal(kc_ts_channel_events(r, 3, true), 1);
	kc_ts_assert_entry(kc_ts_umr(r, 1, p1), 3, 2, "3", CE, 2);
}

/* §6.3: the same children as before → neither startup nor failure, nothing sent. */
static void test_no_change(void **state)
{
	struct kc_ts_fx *fx = *state;
	cluster(fx, "1,2,3", "1,2,3", 1, 0, "1,2,3");
	kc_ts_fx_load(fx, CE);
	kc_ts_fx_mark(fx);
	kc_ts_fx_brokers_changed(fx);
	assert_int_equal(fx->rec.n_req, 0);
	assert_int_equal(kc_ts_writes(fx->ts), 0);
	assert_int_equal(fx->rec.n_chg, 0);
}

/* §6.3: a broker gone and one new in the same notification: startup runs before failure. */
static void test_startup_before_failure(void **state)
{
	struct kc_ts_fx *fx = *state;
	uint32_t p = cluster(fx, "1,2", "1,2,3", 1, 0, "1,2");
	kc_ts_fx_load(fx, CE);
	kc_initial_set_replica_state(fx->c, p, 3, KC_OFFLINE_REPLICA);
	kc_ts_register(fx->ts, 3);
	stop_broker(fx, 2);
	struct kc_ts_rec *r = &fx->rec;
	int startup = kc_ts_req_index(r, KC_REQ_UPDATE_METADATA, 3, p, 0);
	int failure = kc_ts_req_index(r, KC_REQ_STOP_REPLICA, 2, p, 0);
	assert_true(startup >= 0 && failure >= 0);
	assert_true(startup < failure);
	kc_ts_assert_state(fx->ts, p, 1, 1, "1", CE, 1);
	assert_true(kc_broker_live(fx->c, 3));
	assert_false(kc_broker_live(fx->c, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kc_ts_fx_test(test_leader_dies),
		kc_ts_fx_test(test_follower_dies),
		kc_ts_fx_test(test_last_isr_leader_dies_unclean_off),
		kc_ts_fx_test(test_last_isr_leader_dies_unclean_on),
		kc_ts_fx_test(test_only_replica_dies_unclean_off),
		kc_ts_fx_test(test_only_replica_dies_unclean_on),
		kc_ts_fx_test(test_broker_startup),
		kc_ts_fx_test(test_no_change),
		kc_ts_fx_test(test_startup_before_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
