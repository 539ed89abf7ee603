/* kc_election_test.c — the leader selectors of spec §4 (0.8.2 column) through
 * electLeaderForPartition (§3.4): offline clean/unclean with topic overrides, preferred, NoOp,
 * the conditional write and its retry, and the kc_election records. The controlled-shutdown
 * and reassigned selectors are exercised by their callbacks (kc_shutdown_test.c,
 * kc_reassign_test.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kc_teststore.h"

#define CE 5

/* Brokers `live` registered; topic t with one partition AR `ar` whose znode holds (leader,
 * epoch, isr) written by controller epoch 4 at zkVersion 7; controller loaded at epoch 5. */
static uint32_t one_partition(struct kc_ts_fx *fx, const char *live, const char *ar, int32_t leader,
			      int32_t epoch, const char *isr)
{
	kc_ts_register_ids(fx->ts, live);
	uint32_t topic = kc_ts_create_topic(fx->ts, "t", ar);
	uint32_t pid = kc_ts_pid(fx->ts, topic, 0);
	kc_ts_put_lisr(fx->ts, pid, leader, epoch, isr, 4, 7);
	return pid;
}

static void elect(struct kc_ts_fx *fx, uint32_t pid, enum kc_selector sel)
{
	kc_ts_fx_mark(fx);
	kc_partition_transition(fx->c, &pid, 1, KC_ONLINE_PARTITION, sel);
}

/* §4.1 clean: live ISR [2,1] (ISR order); leader = first AR member in it = 1 (not the ISR
 * head); new ISR = live ISR in ISR order; epoch 2 → 3; recipients = live AR [1,2]. No topic
 * config read: the live ISR is not empty. */
static void test_offline_clean(void **state)
{
	struct kc_ts_fx *fx = *state;
	uint32_t p = one_partition(fx, "1,2", "1,2,3", 3, 2, "3,2,1");
	kc_ts_fx_load(fx, CE);
	assert_int_equal(kc_partition_state(fx->c, p), KC_OFFLINE_PARTITION);
	elect(fx, p, KC_SEL_OFFLINE);
	assert_int_equal(kc_partition_state(fx->c, p), KC_ONLINE_PARTITION);
	kc_ts_assert_state(fx->ts, p, 1, 3, "2,1", CE, 8);
	assert_int_equal(kc_ts_ops(fx->ts, KC_TS_READ_UNCLEAN, KC_TS_ANY), 0);
	assert_int_equal(kc_ts_lair_count(&fx->rec, 3, p), 0);
	for (uint32_t b = 1; b <= 2; b++) {
		assert_int_equal(kc_ts_lair_count(&fx->rec, b, p), 1);
		const struct kc_ts_entry *e = kc_ts_lair(&fx->rec, b, p);
		kc_ts_assert_entry(e, 1, 3, "2,1", CE, 8);
		kc_ts_assert_idset(e->ar, e->ar_len, "1,2,3");
		assert_int_equal(kc_ts_umr_count(&fx->rec, b, p), 1);
	}
	const struct kc_ts_election *el = kc_ts_election(&fx->rec, p);
	assert_non_null(el);
	assert_int_equal(el->selector, KC_SEL_OFFLINE);
	assert_true(el->has_before);
	assert_int_equal(el->before.leader, 3);
	assert_int_equal(el->before.leader_epoch, 2);
	assert_int_equal(el->before.zk_version, 7);
	kc_ts_assert_ids(el->before.isr, el->before.isr_len, "3,2,1");
	kc_ts_assert_ids(el->ar, el->ar_len, "1,2,3");
	assert_true(el->ok);
	assert_false(el->unclean);
	assert_int_equal(el->leader, 1);
	kc_ts_assert_ids(el->isr, el->isr_len, "2,1");
	assert_int_equal(kc_ts_change(&fx->rec, true, p, 0, KC_ONLINE_PARTITION, 1)->leader, 1);
}

/* §4.1 unclean: no live ISR member, unclean on → leader = first live AR member (AR [3,1,2] →
 * 1), ISR [1], recipients = live AR [1,2]; the topic config was read once. */
static void test_offline_unclean(void **state)
{
	struct kc_ts_fx *fx = *state;
	fx->cfg.unclean_leader_election = true;
	uint32_t p = one_partition(fx, "1,2", "3,1,2", 3, 2, "3");
	kc_ts_fx_load(fx, CE);
	elect(fx, p, KC_SEL_OFFLINE);
	assert_int_equal(kc_partition_state(fx->c, p), KC_ONLINE_PARTITION);
	kc_ts_assert_state(fx->ts, p, 1, 3, "1", CE, 8);
	assert_int_equal(kc_ts_ops(fx->ts, KC_TS_READ_UNCLEAN, KC_TS_ANY), 1);
	kc_ts_assert_entry(kc_ts_lair(&fx->rec, 1, p), 1, 3, "1", CE, 8);
	kc_ts_assert_entry(kc_ts_lair(&fx->rec, 2, p), 1, 3, "1", CE, 8);
	assert_int_equal(kc_ts_lair_count(&fx->rec, 3, p), 0);
	const struct kc_ts_election *el = kc_ts_election(&fx->rec, p);
	assert_non_null(el);
	assert_true(el->ok);
	assert_true(el->unclean);
	assert_int_equal(el->leader, 1);
}

/* §4.1: unclean off → NoReplicaOnlineException; partition stays Offline, ZK unchanged,
 * nothing sent. */
static void check_unclean_refused(struct kc_ts_fx *fx, uint32_t p)
{
	elect(fx, p, KC_SEL_OFFLINE);
	assert_int_equal(kc_partition_state(fx->c, p), KC_OFFLINE_PARTITION);
	kc_ts_assert_state(fx->ts, p, 3, 2, "3", 4, 7);
	assert_int_equal(kc_ts_ops(fx->ts, KC_TS_UPDATE_STATE, KC_TS_ANY), 0);
	assert_int_equal(fx->rec.n_req, 0);
	assert_int_equal(kc_ts_refusals(&fx->rec, KC_FAIL_NO_REPLICA_ONLINE), 1);
	const struct kc_ts_election *el = kc_ts_election(&fx->rec, p);
	assert_non_null(el);
	assert_false(el->ok);
}

static void test_offline_unclean_disabled(void **state)
{
	struct kc_ts_fx *fx = *state;
	uint32_t p = one_partition(fx, "1,2", "3,1,2", 3, 2, "3");
	kc_ts_fx_load(fx, CE);
	check_unclean_refused(fx, p);
}

/* §4.1: the topic override beats the broker default, both ways. */
static void test_offline_topic_override_off(void **state)
{
	struct kc_ts_fx *fx = *state;
	fx->cfg.unclean_leader_election = true;
	uint32_t p = one_partition(fx, "1,2", "3,1,2", 3, 2, "3");
	kc_ts_set_unclean(fx->ts, kc_ts_topic_id(fx->ts, "t"), 0);
	kc_ts_fx_load(fx, CE);
	check_unclean_refused(fx, p);
}

static void test_offline_topic_override_on(void **state)
{
	struct kc_ts_fx *fx = *state;
	uint32_t p = one_partition(fx, "1,2", "3,1,2", 3, 2, "3");
	kc_ts_set_unclean(fx->ts, kc_ts_topic_id(fx->ts, "t"), 1);
	kc_ts_fx_load(fx, CE);
	elect(fx, p, KC_SEL_OFFLINE);
	kc_ts_assert_state(fx->ts, p, 1, 3, "1", CE, 8);
}

/* §4.1: unclean on but no live assigned replica → failure, ZK unchanged. */
static void test_offline_unclean_no_live_replica(void **state)
{
	struct kc_ts_fx *fx = *state;
	fx->cfg.unclean_leader_election = true;
	uint32_t p = one_partition(fx, "1", "3,2", 3, 2, "3");
	kc_ts_fx_load(fx, CE);
	elect(fx, p, KC_SEL_OFFLINE);
	assert_int_equal(kc_partition_state(fx->c, p), KC_OFFLINE_PARTITION);
	kc_ts_assert_state(fx->ts, p, 3, 2, "3", 4, 7);
	assert_int_equal(fx->rec.n_req, 0);
	assert_int_equal(kc_ts_refusals(&fx->rec, KC_FAIL_NO_REPLICA_ONLINE) +
				 kc_ts_refusals(&fx->rec, KC_FAIL_NO_REPLICA_ALIVE),
			 1);
}

/* §3.4 Online → Online with the offline selector: the same rule on an online partition
 * (leader 2 of ISR [2,3,1] gives way to AR head 1; ISR order kept). */
static void test_online_offline_selector_reelects(void **state)
{
	struct kc_ts_fx *fx = *state;
	uint32_t p = one_partition(fx, "1,2,3", "1,2,3", 2, 4, "2,3,1");
	kc_ts_fx_load(fx, CE);
	elect(fx, p, KC_SEL_OFFLINE);
	kc_ts_assert_state(fx->ts, p, 1, 5, "2,3,1", CE, 8);
	for (uint32_t b = 1; b <= 3; b++)
		kc_ts_assert_entry(kc_ts_lair(&fx->rec, b, p), 1, 5, "2,3,1", CE, 8);
}

/* §3.4 loop: a conflicting write between read and write (the leader shrank the ISR to [3,2])
 * makes the write fail; the re-read elects 2 with ISR [2] at version 9. */
static void test_election_retries_on_conflict(void **state)
{
	struct kc_ts_fx *fx = *state;
	uint32_t p = one_partition(fx, "1,2", "1,2,3", 3, 2, "3,1,2");
	kc_ts_fx_load(fx, CE);
	struct kc_lisr raced = kc_ts_lisr(3, 2, "3,2", 4, 0);
	kc_ts_race_state(fx->ts, p, &raced);
	elect(fx, p, KC_SEL_OFFLINE);
	kc_ts_assert_state(fx->ts, p, 2, 3, "2", CE, 9);
	assert_int_equal(kc_ts_ops(fx->ts, KC_TS_UPDATE_STATE, p), 2);
	assert_int_equal(kc_ts_lair_count(&fx->rec, 1, p), 1);
	kc_ts_assert_entry(kc_ts_lair(&fx->rec, 1, p), 2, 3, "2", CE, 9);
	kc_ts_assert_entry(kc_ts_lair(&fx->rec, 2, p), 2, 3, "2", CE, 9);
	struct kc_lisr cached;
	assert_true(kc_cached_leadership(fx->c, p, &cached));
	assert_int_equal(cached.leader, 2);
	assert_int_equal(cached.zk_version, 9);
}

/* §4.3: preferred = AR head, live and in the ISR → leader 1, ISR unchanged, epoch + 1;
 * recipients = the full AR, dead broker 4 included. */
static void test_preferred_moves_leader(void **state)
{
	struct kc_ts_fx *fx = *state;
	uint32_t p = one_partition(fx, "1,2", "1,2,4", 2, 4, "1,2");
	kc_ts_fx_load(fx, CE);
	elect(fx, p, KC_SEL_PREFERRED);
	assert_int_equal(kc_partition_state(fx->c, p), KC_ONLINE_PARTITION);
	kc_ts_assert_state(fx->ts, p, 1, 5, "1,2", CE, 8);
	const int32_t to[] = { 1, 2, 4 };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(kc_ts_lair_count(&fx->rec, (uint32_t)to[i], p), 1);
		kc_ts_assert_entry(kc_ts_lair(&fx->rec, (uint32_t)to[i], p), 1, 5, "1,2", CE, 8);
	}
	const struct kc_ts_election *el = kc_ts_election(&fx->rec, p);
	assert_non_null(el);
	assert_int_equal(el->selector, KC_SEL_PREFERRED);
	assert_int_equal(el->leader, 1);
}

/* §4.3 0.8.2: the cached leader already is the preferred replica → "election not needed",
 * swallowed: no write, no request, state Online, the transition counts as applied. */
static void test_preferred_already_leader(void **state)
{
	struct kc_ts_fx *fx = *state;
	uint32_t p = one_partition(fx, "1,2,3", "1,2,3", 1, 4, "1,2,3");
	kc_ts_fx_load(fx, CE);
	elect(fx, p, KC_SEL_PREFERRED);
	assert_int_equal(kc_partition_state(fx->c, p), KC_ONLINE_PARTITION);
	assert_int_equal(kc_ts_writes(fx->ts), 0);
	assert_int_equal(fx->rec.n_req, 0);
	assert_int_equal(kc_ts_changes(&fx->rec, true, p, 0, KC_ONLINE_PARTITION, 1), 1);
	kc_ts_assert_state(fx->ts, p, 1, 4, "1,2,3", 4, 7);
}

/* §4.3: preferred dead, or live but out of the ISR → failure; stays Online with its old
 * leader and epoch, nothing written or sent. */
static void check_preferred_refused(struct kc_ts_fx *fx, uint32_t p)
{
	elect(fx, p, KC_SEL_PREFERRED);
	assert_int_equal(kc_partition_state(fx->c, p), KC_ONLINE_PARTITION);
	kc_ts_assert_state(fx->ts, p, 2, 4, "2,3", 4, 7);
	assert_int_equal(kc_ts_writes(fx->ts), 0);
	assert_int_equal(fx->rec.n_req, 0);
	assert_int_equal(kc_ts_refusals(&fx->rec, KC_FAIL_PREFERRED_NOT_ELIGIBLE), 1);
	struct kc_lisr cached;
	assert_true(kc_cached_leadership(fx->c, p, &cached));
	assert_int_equal(cached.leader, 2);
	assert_int_equal(cached.leader_epoch, 4);
}

static void test_preferred_dead(void **state)
{
	struct kc_ts_fx *fx = *state;
	uint32_t p = one_partition(fx, "2,3", "1,2,3", 2, 4, "2,3");
	kc_ts_fx_load(fx, CE);
	check_preferred_refused(fx, p);
}

static void test_preferred_not_in_isr(void **state)
{
	struct kc_ts_fx *fx = *state;
	uint32_t p = one_partition(fx, "1,2,3", "1,2,3", 2, 4, "2,3");
	kc_ts_fx_load(fx, CE);
	check_preferred_refused(fx, p);
}

/* §4.5 NoOp: the current leader and ISR come back unchanged and are written back
 * conditionally (version 7 → 8, our controller epoch); LAIR to the full AR. (The spec says
 * both "every case bumps the epoch" (§4) and "unchanged" (§4.5), so the epoch is not pinned.) */
static void test_noop_selector(void **state)
{
	struct kc_ts_fx *fx = *state;
	uint32_t p = one_partition(fx, "1,2,3", "1,2,3", 2, 4, "2,3");
	kc_ts_fx_load(fx, CE);
	elect(fx, p, KC_SEL_NOOP);
	assert_int_equal(kc_partition_state(fx->c, p), KC_ONLINE_PARTITION);
	struct kc_lisr s;
	assert_true(kc_ts_state(fx->ts, p, &s));
	assert_int_equal(s.leader, 2);
	kc_ts_assert_ids(s.isr, s.isr_len, "2,3");
	assert_int_equal(s.zk_version, 8);
	assert_int_equal(s.controller_epoch, CE);
	assert_int_equal(kc_ts_ops(fx->ts, KC_TS_UPDATE_STATE, p), 1);
	for (uint32_t b = 1; b <= 3; b++) {
		const struct kc_ts_entry *e = kc_ts_lair(&fx->rec, b, p);
		assert_non_null(e);
		assert_int_equal(e->leader, 2);
		assert_int_equal(e->zk_version, 8);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kc_ts_fx_test(test_offline_clean),
		kc_ts_fx_test(test_offline_unclean),
		kc_ts_fx_test(test_offline_unclean_disabled),
		kc_ts_fx_test(test_offline_topic_override_off),
		kc_ts_fx_test(test_offline_topic_override_on),
		kc_ts_fx_test(test_offline_unclean_no_live_replica),
		kc_ts_fx_test(test_online_offline_selector_reelects),
		kc_ts_fx_test(test_election_retries_on_conflict),
		kc_ts_fx_test(test_preferred_moves_leader),
		kc_ts_fx_test(test_preferred_already_leader),
		kc_ts_fx_test(test_preferred_dead),
		kc_ts_fx_test(test_preferred_not_in_isr),
		kc_ts_fx_test(test_noop_selector),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
