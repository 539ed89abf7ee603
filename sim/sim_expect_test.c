/* sim_expect_test.c — tests of the scenario's `expect` entries: when `at`, `within` and
 * `at_end` checks are judged, what each check reads (ZooKeeper, the active controller, the
 * request messages of a window), the failure lines, and how a violation settles the rest. The
 * world is built by hand and the expectation hooks are called the way the run loop does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_expect.h"
#include "sim_testkit.h"

struct fx {
	struct sim_scenario sc;
	struct sim_world w;
	struct sim_observer o;
	struct sim_expect_state *x;
};

static const char *const HEAD = "cluster: {brokers: 3}\n"                                 /* line 1 */
				"topics:\n"                                               /* 2 */
				"  orders: {assignment: {0: [0, 1, 2], 1: [1, 2, 0]}}\n" /* 3 */
				"timeline:\n"                                             /* 4 */
				"  - {at: 5s, crash: 2}\n"                                /* 5 */
				"expect:\n";                                              /* 6: checks from line 7 */
enum { ORDERS = 0, P0 = 0, P1 = 1 };

static void fx_load(struct fx *f, const char *checks)
{
	char yaml[4096];
	snprintf(yaml, sizeof yaml, "%s%s", HEAD, checks);
	memset(f, 0, sizeof *f);
	sim_test_load("x.yaml", yaml, &f->sc);
	sim_world_init(&f->w, &f->sc);
	f->w.zk.observe = NULL; /* no checker here */
	f->o.opts.scenario_path = "x.yaml";
	f->w.obs = &f->o;
	f->x = sim_expect_new(&f->w);
	f->o.expect = f->x;
	/* brokers registered, the topic and its state znodes as start-up leaves them */
	for (uint32_t b = 0; b < 3; b++) {
		f->w.bk[b].up = true;
		f->w.bk[b].incarnation = 1;
		sim_zk_new_session(&f->w.zk, b);
		sim_zk_register_broker(&f->w.zk, b);
	}
	const struct sim_topic *t = &f->sc.topics[ORDERS];
	sim_zk_create_topic(&f->w.zk, ORDERS, t->partitions, f->sc.ints + t->assignment, 3, -1);
	const int32_t isr0[] = {0, 1, 2}, isr1[] = {1, 2, 0};
	sim_zk_create_state(&f->w.zk, P0, 0, 0, 1, sim_lists_intern(&f->w.lists, isr0, 3));
	sim_zk_create_state(&f->w.zk, P1, 1, 0, 1, sim_lists_intern(&f->w.lists, isr1, 3));
	sim_zk_set_controller_epoch(&f->w.zk, 1);
}

static void fx_free(struct fx *f)
{
	sim_expect_free(f->x);
	sim_world_free(&f->w);
	sim_scenario_free(&f->sc);
}

/* The run loop: the checks due before an event at t, then the event (change), then after it. */
static void event_at(struct fx *f, uint64_t t)
{
	sim_expect_before_time(&f->w, f->x, t);
	f->w.now = t;
	f->w.events++;
}

static void after(struct fx *f) { sim_expect_after_event(&f->w, f->x); }

static void end(struct fx *f, bool violated)
{
	if (!violated)
		sim_expect_before_time(&f->w, f->x, SIM_NEVER);
	f->o.violated = violated;
	sim_expect_end(&f->w, f->x, violated);
}

static void assert_counts(const struct fx *f, uint32_t passed, uint32_t failed, uint32_t not_evaluated)
{
	uint32_t p, fl, ne;
	sim_expect_counts(f->x, &p, &fl, &ne);
	if (p != passed || fl != failed || ne != not_evaluated)
		fail_msg("counts %u/%u/%u, expected %u/%u/%u; failures:\n%s", p, fl, ne, passed, failed, not_evaluated,
			 sim_expect_failures(f->x));
}

static void set_leader(struct fx *f, uint32_t pid, int32_t leader, const int32_t *isr, uint32_t n)
{
	struct sim_zk_state *s = &f->w.zk.states[pid];
	int32_t v;
	assert_int_equal(sim_zk_update_state(&f->w.zk, pid, leader, s->leader_epoch + 1, 1,
					     sim_lists_intern(&f->w.lists, isr, n), s->version, &v),
			 KC_ZK_OK);
}

/* ---- when ---- */

static void test_at_judged_after_every_event_up_to_its_time(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "  - {at: 2s, leader: {partition: orders-0, broker: 1}}\n");
	event_at(&f, 1000000);
	after(&f);
	event_at(&f, 2000000); /* an event at exactly 2 s still counts */
	assert_counts(&f, 0, 0, 1);
	const int32_t isr[] = {1, 2};
	set_leader(&f, P0, 1, isr, 2);
	after(&f);
	event_at(&f, 2000001);
	assert_counts(&f, 1, 0, 0);
	set_leader(&f, P0, 2, isr, 2); /* later changes do not matter */
	after(&f);
	end(&f, false);
	assert_counts(&f, 1, 0, 0);
	assert_string_equal(sim_expect_failures(f.x), "");
	fx_free(&f);
}

static void test_at_failure_names_file_line_time_and_values(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "  - {at: 0, leader: {partition: orders-0, broker: 0}}\n"
		    "  - {at: 7000200us, leader: {partition: orders-1, broker: 2}}\n");
	event_at(&f, 0); /* an event at time 0: nothing is due before it */
	assert_counts(&f, 0, 0, 2);
	after(&f);
	event_at(&f, 8000000);
	assert_counts(&f, 1, 1, 0);
	assert_string_equal(sim_expect_failures(f.x),
			    "x.yaml:8: at 7.000200s: expected leader of orders-1 to be 2, ZooKeeper says 1\n");
	fx_free(&f);
}

static void test_within_passes_at_the_first_moment_it_holds(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "  - {within: 3s, isr: {partition: orders-0, brokers: [1, 0]}}\n"
		    "  - {within: 3s, leader: {partition: orders-1, broker: 0}}\n"
		    "  - {within: 1s, leader: {partition: orders-0, broker: 0}}\n");
	event_at(&f, 500000); /* the third holds from the start */
	assert_counts(&f, 1, 0, 2);
	after(&f);
	event_at(&f, 2000000);
	const int32_t isr[] = {0, 1};
	set_leader(&f, P0, 0, isr, 2); /* ISRs compare as sets */
	after(&f);
	assert_counts(&f, 2, 0, 1);
	const int32_t isr2[] = {0, 1, 2};
	set_leader(&f, P0, 0, isr2, 3); /* once passed, it stays passed */
	after(&f);
	event_at(&f, 3000001);
	assert_counts(&f, 2, 1, 0);
	assert_string_equal(sim_expect_failures(f.x),
			    "x.yaml:8: within 3.000000s: expected leader of orders-1 to be 0, ZooKeeper says 1\n");
	fx_free(&f);
}

static void test_at_end_and_the_end_of_a_run(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "  - {at_end: true, topic_exists: orders}\n"
		    "  - {at_end: true, controller_epoch: 2}\n"
		    "  - {at: 10s, controller: none}\n"
		    "  - {within: 20s, topic_absent: orders}\n");
	event_at(&f, 9000000);
	end(&f, false); /* the run ends at 9 s: the 10 s and 20 s checks were never reached */
	assert_counts(&f, 1, 3, 0);
	assert_string_equal(sim_expect_failures(f.x),
			    "x.yaml:8: at end (9.000000s): expected controller epoch 2, ZooKeeper says 1\n"
			    "x.yaml:9: at 10.000000s: the run ended at 9.000000s, before this check's time\n"
			    "x.yaml:10: within 20.000000s: the run ended at 9.000000s, before this check's time; "
			    "expected topic orders to be absent, ZooKeeper has it\n");
	fx_free(&f);
}

/* ---- what each check reads ---- */

static void test_zookeeper_checks(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "  - {at: 1s, leader: {partition: orders-1, broker: 1}}\n"
		    "  - {at: 1s, isr: {partition: orders-1, brokers: [0, 2, 1]}}\n"
		    "  - {at: 1s, assignment: {partition: orders-1, brokers: [1, 2, 0]}}\n"
		    "  - {at: 1s, assignment: {partition: orders-1, brokers: [1, 0, 2]}}\n"
		    "  - {at: 1s, leader_epoch: {partition: orders-1, epoch: 0}}\n"
		    "  - {at: 1s, controller: none}\n"
		    "  - {at: 1s, controller_epoch: 1}\n"
		    "  - {at: 1s, topic_exists: orders}\n"
		    "  - {at: 2s, controller: 0}\n"
		    "  - {at: 2s, leader: {partition: orders-0, broker: none}}\n"
		    "  - {at: 2s, isr: {partition: orders-0, brokers: [0]}}\n"
		    "  - {at: 2s, leader_epoch: {partition: orders-0, epoch: 0}}\n"
		    "  - {at: 2s, topic_absent: orders}\n");
	event_at(&f, 1500000);
	assert_counts(&f, 7, 1, 5);
	sim_zk_create_controller(&f.w.zk, 0);
	f.w.zk.states[P0].exists = false; /* no state znode: leader none, ISR and epoch fail */
	after(&f);
	event_at(&f, 3000000);
	assert_counts(&f, 9, 4, 0);
	assert_string_equal(sim_expect_failures(f.x),
			    "x.yaml:10: at 1.000000s: expected assignment of orders-1 to be [1,0,2], ZooKeeper says [1,2,0]\n"
			    "x.yaml:17: at 2.000000s: expected ISR of orders-0 to be [0], ZooKeeper has no state znode for it\n"
			    "x.yaml:18: at 2.000000s: expected leader epoch of orders-0 to be 0, ZooKeeper has no state znode for it\n"
			    "x.yaml:19: at 2.000000s: expected topic orders to be absent, ZooKeeper has it\n");
	fx_free(&f);
}

static void test_controller_checks_need_an_active_controller(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "  - {at: 1s, replica_state: {partition: orders-0, broker: 2, state: OnlineReplica}}\n"
		    "  - {at: 1s, partition_state: {partition: orders-0, state: OnlinePartition}}\n"
		    "  - {at: 2s, replica_state: {partition: orders-0, broker: 2, state: NonExistentReplica}}\n"
		    "  - {at: 2s, partition_state: {partition: orders-1, state: NonExistentPartition}}\n"
		    "  - {at: 2s, replica_state: {partition: orders-0, broker: 2, state: OfflineReplica}}\n");
	event_at(&f, 1500000);
	assert_counts(&f, 0, 2, 3);
	assert_string_equal(sim_expect_failures(f.x),
			    "x.yaml:7: at 1.000000s: expected replica 2 of orders-0 to be OnlineReplica, there is no active controller\n"
			    "x.yaml:8: at 1.000000s: expected orders-0 to be OnlinePartition, there is no active controller\n");
	/* a controller loaded from ZooKeeper with empty state maps: no entry is NonExistent */
	sim_zk_create_controller(&f.w.zk, 0);
	f.w.running_ctrl = 0;
	kc_load_initial(sim_ctrl_module(&f.w, 0));
	f.w.running_ctrl = -1;
	f.w.bk[0].failover_started = true;
	after(&f);
	event_at(&f, 2500000);
	assert_counts(&f, 2, 3, 0);
	assert_non_null(strstr(sim_expect_failures(f.x),
			       "x.yaml:11: at 2.000000s: expected replica 2 of orders-0 to be OfflineReplica, the controller "
			       "says NonExistentReplica\n"));
	fx_free(&f);
}

/* A request message from the controller to broker index `to`. */
static void send(struct fx *f, uint32_t to, enum kc_request_type type, const uint32_t *pids, uint32_t n,
		 bool stop_delete)
{
	struct sim_world *w = &f->w;
	struct sim_entry *entries = sim_xrealloc(NULL, (n + 1) * sizeof *entries);
	for (uint32_t i = 0; i < n; i++)
		entries[i] = (struct sim_entry){.pid = pids[i]};
	w->payloads = sim_xrealloc(w->payloads, (w->n_payloads + 1) * sizeof *w->payloads);
	w->payloads[w->n_payloads] = (struct sim_payload){.type = (uint8_t)type,
							  .controller_epoch = 1,
							  .n_entries = type == KC_REQ_STOP_REPLICA ? 0 : n,
							  .unfinished = 1,
							  .entries = entries,
							  .stop_pid = pids[0],
							  .stop_delete = stop_delete};
	w->reqs = sim_xrealloc(w->reqs, (w->n_reqs + 1) * sizeof *w->reqs);
	w->reqs[w->n_reqs] = (struct sim_req){.payload = w->n_payloads,
					      .first = 0,
					      .count = type == KC_REQ_STOP_REPLICA ? 0 : n,
					      .to = (int32_t)to};
	w->cap_payloads = ++w->n_payloads;
	w->cap_reqs = w->n_reqs + 1;
	sim_expect_request(w, f->x, w->n_reqs++, to == 2); /* dropped messages count too */
}

static void test_requests_count_messages_from_the_latest_timeline_entry(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "  - {at: 4s, requests: {to: 1, type: LeaderAndIsr, count: 1}}\n"
		    "  - {at: 10s, requests: {to: 1, type: LeaderAndIsr, partition: orders-0, count: 2}}\n"
		    "  - {at: 10s, requests: {to: 2, type: UpdateMetadata, count: 1}}\n"
		    "  - {at_end: true, requests: {to: 0, type: StopReplica, partition: orders-1, delete: true, count: 1}}\n"
		    "  - {at_end: true, requests: {to: 0, type: StopReplica, count: 3}}\n");
	const uint32_t p0[] = {P0}, p1[] = {P1}, both[] = {P1, P0};
	event_at(&f, 1000000);
	send(&f, 1, KC_REQ_LEADER_AND_ISR, p0, 1, false); /* before the entry: only the 4 s check sees it */
	after(&f);
	event_at(&f, 5000000);
	sim_expect_timeline(&f.w, f.x, 0); /* crash at 5 s: a new window for checks at or after it */
	after(&f);
	event_at(&f, 6000000);
	send(&f, 1, KC_REQ_LEADER_AND_ISR, both, 2, false);
	send(&f, 1, KC_REQ_LEADER_AND_ISR, p1, 1, false);
	send(&f, 1, KC_REQ_UPDATE_METADATA, p0, 1, false);
	send(&f, 1, KC_REQ_LEADER_AND_ISR, p0, 1, false);
	send(&f, 2, KC_REQ_UPDATE_METADATA, both, 2, false); /* dropped: still counted */
	send(&f, 0, KC_REQ_STOP_REPLICA, p1, 1, true);
	send(&f, 0, KC_REQ_STOP_REPLICA, p1, 1, false);
	send(&f, 0, KC_REQ_STOP_REPLICA, p0, 1, true);
	after(&f);
	event_at(&f, 10000000);
	send(&f, 1, KC_REQ_LEADER_AND_ISR, p0, 1, false); /* at 10 s: counted */
	after(&f);
	event_at(&f, 11000000);
	send(&f, 1, KC_REQ_LEADER_AND_ISR, p0, 1, false); /* after 10 s: not */
	after(&f);
	end(&f, false);
	assert_counts(&f, 4, 1, 0);
	assert_string_equal(sim_expect_failures(f.x),
			    "x.yaml:8: at 10.000000s: expected 2 LeaderAndIsr requests to broker 1 for orders-0, counted 3\n");
	fx_free(&f);
}

/* ---- violations ---- */

static void test_violation_expected(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "  - {at: 1s, controller: none}\n"
		    "  - {at: 9s, controller: none}\n"
		    "  - {at_end: true, controller: none}\n"
		    "  - violation: leader_alive\n"
		    "  - violation: metadata_isr_converges\n");
	assert_true(f.sc.invariant_on[SIM_INV_METADATA_ISR_CONVERGES]); /* naming it enables it */
	assert_true(sim_expect_violation_expected(f.x, -1));
	assert_true(sim_expect_violation_expected(f.x, SIM_INV_LEADER_ALIVE));
	assert_false(sim_expect_violation_expected(f.x, SIM_INV_LEADER_IN_ISR));
	event_at(&f, 2000000);
	f.o.violation = SIM_INV_LEADER_ALIVE; /* the run stops at 2 s on it */
	end(&f, true);
	/* the 1 s check and the violation passed; what was not reached is not evaluated */
	assert_counts(&f, 2, 0, 3);
	fx_free(&f);

	fx_load(&f, "  - violation: leader_alive\n");
	end(&f, false);
	assert_counts(&f, 0, 1, 0);
	assert_string_equal(sim_expect_failures(f.x), "x.yaml:7: at end: expected a violation of leader_alive; the run had none\n");
	fx_free(&f);

	fx_load(&f, "  - violation: leader_alive\n");
	f.o.violation = SIM_INV_ELECTION_RULE;
	end(&f, true);
	assert_counts(&f, 0, 1, 0);
	assert_string_equal(sim_expect_failures(f.x),
			    "x.yaml:7: at end: expected a violation of leader_alive; the run stopped on election_rule\n");
	assert_false(sim_expect_violation_expected(f.x, SIM_INV_ELECTION_RULE));
	fx_free(&f);

	fx_load(&f, "  - {at: 1s, controller: none}\n");
	assert_false(sim_expect_violation_expected(f.x, -1));
	fx_free(&f);
}

/* A timed violation check is judged at its time: violated by then, or it fails. */
static void test_violation_by_its_time(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, "  - {at: 2s, violation: leader_alive}\n");
	event_at(&f, 2000000);
	f.o.violation = SIM_INV_LEADER_ALIVE;
	end(&f, true);
	assert_counts(&f, 1, 0, 0);
	fx_free(&f);

	fx_load(&f, "  - {within: 2s, violation: leader_alive}\n");
	event_at(&f, 2000001);
	f.o.violation = SIM_INV_LEADER_ALIVE;
	end(&f, true);
	assert_counts(&f, 0, 1, 0);
	assert_string_equal(sim_expect_failures(f.x), "x.yaml:7: at end: expected a violation of leader_alive by "
						      "2.000000s; it came at 2.000001s\n");
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_at_judged_after_every_event_up_to_its_time),
		cmocka_unit_test(test_at_failure_names_file_line_time_and_values),
		cmocka_unit_test(test_within_passes_at_the_first_moment_it_holds),
		cmocka_unit_test(test_at_end_and_the_end_of_a_run),
		cmocka_unit_test(test_zookeeper_checks),
		cmocka_unit_test(test_controller_checks_need_an_active_controller),
		cmocka_unit_test(test_requests_count_messages_from_the_latest_timeline_entry),
		cmocka_unit_test(test_violation_expected),
		cmocka_unit_test(test_violation_by_its_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
