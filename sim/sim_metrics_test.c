/* sim_metrics_test.c — tests of sim_metrics on a real world (sim_world_init over a tiny
 * scenario) whose ZooKeeper is changed by hand and whose hooks are called by hand, without the
 * event loop: the incremental counts, partition-µs, timeline.csv rows (one per time, the values
 * after the last event at it), partitions.csv, the figures and the operation spans. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_metrics.h"
#include "sim_scenario.h"
#include "sim_testkit.h"
#include "sim_world.h"

/* Topic t: t-0 on [0, 1], t-1 on [1, 2]; topic u: u-0 on [2]. pids 0, 1, 2. */
static const char scenario_yaml[] = "name: metrics\n"
				    "cluster: {brokers: 3}\n"
				    "topics:\n"
				    "  t: {assignment: {0: [0, 1], 1: [1, 2]}}\n"
				    "  u: {assignment: {0: [2]}}\n";

struct fx {
	struct sim_scenario sc;
	struct sim_world w;
	struct sim_metrics *m;
};

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof *x);
	if (!x)
		return -1;
	sim_test_load("m.yaml", scenario_yaml, &x->sc);
	sim_world_init(&x->w, &x->sc); /* no observer: the world's own hooks stay silent */
	x->m = sim_metrics_new(&x->w);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	sim_metrics_free(x->m);
	sim_world_free(&x->w);
	sim_scenario_free(&x->sc);
	free(x);
	return 0;
}

/* ---- driving the world by hand ---- */

static void reg(struct fx *x, uint32_t b)
{
	sim_zk_new_session(&x->w.zk, b);
	assert_true(sim_zk_register_broker(&x->w.zk, b));
	sim_metrics_zk(&x->w, x->m, ZKC_BROKER, b);
}

static void create_topic(struct fx *x, uint32_t t)
{
	const struct sim_topic *tp = &x->sc.topics[t];
	assert_true(tp->explicit_assignment);
	sim_zk_create_topic(&x->w.zk, t, tp->partitions, x->sc.ints + tp->assignment, tp->replication_factor, -1);
	sim_metrics_zk(&x->w, x->m, ZKC_TOPIC, t);
}

static void set_state(struct fx *x, uint32_t pid, int32_t leader, const int32_t *isr, uint32_t n)
{
	sim_zk_set_state(&x->w.zk, pid, leader, 0, 1, sim_lists_intern(&x->w.lists, isr, n));
	sim_metrics_zk(&x->w, x->m, ZKC_STATE, pid);
}

static void role(struct fx *x, uint32_t b, uint32_t pid, bool acting)
{
	sim_metrics_leader_role(&x->w, x->m, b, pid, acting);
}

/* One event at time t has run (its hooks were called with w.now = t). */
static void event_at(struct fx *x, uint64_t t)
{
	assert_true(x->w.now <= t);
	x->w.now = t;
	x->w.events++;
	sim_metrics_after_event(&x->w, x->m);
}

/* Instant start-up at time 0: every broker, both topics, leaders 0, 1 and 2 acting. */
static void start_up(struct fx *x)
{
	x->w.startup_phase = true;
	for (uint32_t b = 0; b < 3; b++)
		reg(x, b);
	create_topic(x, 0);
	create_topic(x, 1);
	set_state(x, 0, 0, (const int32_t[]){0, 1}, 2);
	set_state(x, 1, 1, (const int32_t[]){1, 2}, 2);
	set_state(x, 2, 2, (const int32_t[]){2}, 1);
	role(x, 0, 0, true);
	role(x, 1, 1, true);
	role(x, 2, 2, true);
	x->w.zk.total_reads += 40; /* start-up's own operations never count */
	x->w.startup_phase = false;
	sim_metrics_start(&x->w, x->m);
}

/* The whole output of a writer as a string (caller frees). */
static char *capture_timeline(const struct sim_metrics *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	sim_metrics_write_timeline(m, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static char *capture_partitions(const struct sim_world *w, const struct sim_metrics *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	sim_metrics_write_partitions(w, m, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static char *capture_figures(const struct sim_world *w, const struct sim_metrics *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	sim_metrics_write_figures(w, m, f, 2);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("missing %s in:\n%s", needle, hay);
}

/* ---- tests ---- */

/* Broker 1 (leader of t-1) crashes at 1 ms; its session expires at 7 ms; the controller first
 * finds no live ISR member (leader -1, 8 ms), then elects 2 uncleanly (9 ms), which starts
 * acting at 10 ms. Topic u is deleted: its leader stops at 11 ms, the znode goes at 12 ms. */
static void test_failure_sequence(void **state)
{
	struct fx *x = *state;
	start_up(x);

	x->w.now = 1000;
	role(x, 1, 1, false); /* crash */
	event_at(x, 1000);
	role(x, 0, 0, false); /* a re-applied LeaderAndIsr: no gap anyone could see */
	role(x, 0, 0, true);
	event_at(x, 1000);
	event_at(x, 2000); /* nothing changed: no row */
	x->w.now = 3000;
	role(x, 2, 2, false);
	event_at(x, 3000);
	role(x, 2, 2, true); /* cancels out within the instant: the row at 3000 goes */
	event_at(x, 3000);
	x->w.in_flight = 2;
	event_at(x, 5000);
	x->w.in_flight = 0;
	event_at(x, 6000);

	x->w.now = 7000;
	sim_metrics_op_begin(&x->w, x->m, OP_BROKER_FAILURE, 1, 1, 7000);
	x->w.zk.total_reads += 3;
	x->w.zk.total_writes += 2;
	sim_zk_expire(&x->w.zk, 1);
	sim_metrics_zk(&x->w, x->m, ZKC_BROKER, 1);
	event_at(x, 7000);

	x->w.now = 8000;
	set_state(x, 1, -1, (const int32_t[]){1}, 1);
	set_state(x, 0, 0, (const int32_t[]){0}, 1);
	event_at(x, 8000);

	x->w.now = 9000;
	set_state(x, 1, 2, (const int32_t[]){2}, 1);
	struct kc_election e = {.pid = 1, .ok = true, .leader = 2, .unclean = true};
	sim_metrics_election(&x->w, x->m, &e);
	sim_metrics_op_end(&x->w, x->m, OP_BROKER_FAILURE, 1, 9500);
	event_at(x, 9000);

	x->w.now = 10000;
	role(x, 2, 1, true);
	event_at(x, 10000);

	x->w.now = 10500;
	sim_metrics_op_begin(&x->w, x->m, OP_TOPIC_DELETION, 1, -1, 10500);
	event_at(x, 10500);
	x->w.now = 11000;
	role(x, 2, 2, false);
	event_at(x, 11000);
	x->w.now = 12000;
	sim_zk_delete_topic(&x->w.zk, 1);
	sim_metrics_zk(&x->w, x->m, ZKC_STATE, 2);
	sim_metrics_zk(&x->w, x->m, ZKC_TOPIC, 1);
	sim_metrics_op_end(&x->w, x->m, OP_TOPIC_DELETION, 1, 12000); /* the world sees it done */
	event_at(x, 12000);

	x->w.now = 20000;
	sim_metrics_end(&x->w, x->m);

	char *tl = capture_timeline(x->m);
	assert_string_equal(tl, "t_us,unavailable,leaderless,offline,under_replicated,controller,controller_queue,"
				"in_flight_requests\n"
				"0,0,0,0,0,-1,0,0\n"
				"1000,1,0,0,0,-1,0,0\n"
				"5000,1,0,0,0,-1,0,2\n"
				"6000,1,0,0,0,-1,0,0\n"
				"7000,1,0,1,0,-1,0,0\n"
				"8000,1,1,1,2,-1,0,0\n"
				"9000,1,0,0,2,-1,0,0\n"
				"10000,0,0,0,2,-1,0,0\n"
				"11000,1,0,0,2,-1,0,0\n"
				"12000,0,0,0,2,-1,0,0\n");
	free(tl);

	char *parts = capture_partitions(&x->w, x->m);
	assert_string_equal(parts, "partition,unavailable_us,unavailable_intervals\n"
				   "t-0,0,0\n"
				   "t-1,9000,1\n"
				   "u-0,1000,1\n");
	free(parts);

	char *fig = capture_figures(&x->w, x->m);
	assert_contains(fig, "\"events\": 14,\n");
	assert_contains(fig, "\"zk_reads\": 3,\n");
	assert_contains(fig, "\"zk_writes\": 2,\n");
	assert_contains(fig, "\"leader_elections\": 1,\n");
	assert_contains(fig, "\"unclean_elections\": 1,\n");
	assert_contains(fig, "\"first_election_us\": 9000,\n");
	assert_contains(fig, "\"leaderless_partition_us\": 1000,\n");
	assert_contains(fig, "\"max_leaderless_partitions\": 1,\n");
	assert_contains(fig, "\"unavailable_partition_us\": 10000,\n");
	assert_contains(fig, "\"max_unavailable_partitions\": 1,\n");
	assert_contains(fig, "\"unavailable_intervals\": 2,\n");
	assert_contains(fig, "\"max_in_flight_requests\": 2,\n");
	assert_contains(fig, "\"end_counts\": {\"unavailable\": 0, \"leaderless\": 0, \"offline\": 0, "
			     "\"under_replicated\": 2},\n");
	assert_contains(fig, "\"leaders_per_broker\": {\"0\": 1, \"1\": 0, \"2\": 1},\n");
	assert_contains(fig, "    \"operations\": [\n"
			     "      {\"kind\": \"broker_failure\", \"broker\": 1, \"start_us\": 7000, \"end_us\": 9500, "
			     "\"duration_us\": 2500, \"leader_elections\": 1, \"first_election_us\": 9000, "
			     "\"last_election_us\": 9000},\n"
			     "      {\"kind\": \"topic_deletion\", \"topic\": \"u\", \"start_us\": 10500, \"end_us\": 12000, "
			     "\"duration_us\": 1500, \"leader_elections\": 0, \"first_election_us\": null, "
			     "\"last_election_us\": null}\n"
			     "    ]\n  }");
	free(fig);
}

/* A partition that nobody leads from the start stays unavailable to the end: its interval is
 * closed there; a leaderless partition is offline and under-replicated too. */
static void test_never_led(void **state)
{
	struct fx *x = *state;
	x->w.startup_phase = true;
	reg(x, 0);
	create_topic(x, 1); /* u-0 on broker 2, which never registers */
	x->w.startup_phase = false;
	event_at(x, 0);
	x->w.now = 4000;
	sim_metrics_end(&x->w, x->m);
	char *tl = capture_timeline(x->m);
	assert_string_equal(tl, "t_us,unavailable,leaderless,offline,under_replicated,controller,controller_queue,"
				"in_flight_requests\n"
				"0,1,1,1,1,-1,0,0\n");
	free(tl);
	char *parts = capture_partitions(&x->w, x->m);
	assert_string_equal(parts, "partition,unavailable_us,unavailable_intervals\nu-0,4000,1\n");
	free(parts);
	char *fig = capture_figures(&x->w, x->m);
	assert_contains(fig, "\"leaderless_partition_us\": 4000,\n");
	assert_contains(fig, "\"unavailable_partition_us\": 4000,\n");
	assert_contains(fig, "\"first_election_us\": null,\n");
	assert_contains(fig, "\"operations\": []\n");
	free(fig);
}

/* Messages are counted by type as built, dropped ones too; StopReplica carries one entry. */
static void test_requests(void **state)
{
	struct fx *x = *state;
	start_up(x);
	struct sim_world *w = &x->w;
	w->payloads = calloc(2, sizeof *w->payloads);
	w->reqs = calloc(3, sizeof *w->reqs);
	assert_non_null(w->payloads);
	assert_non_null(w->reqs);
	w->n_payloads = w->cap_payloads = 2;
	w->n_reqs = w->cap_reqs = 3;
	w->payloads[0].type = KC_REQ_LEADER_AND_ISR;
	w->payloads[1].type = KC_REQ_STOP_REPLICA;
	w->reqs[0] = (struct sim_req){.payload = 0, .first = 0, .count = 3};
	w->reqs[1] = (struct sim_req){.payload = 0, .first = 0, .count = 3};
	w->reqs[2] = (struct sim_req){.payload = 1};
	w->now = 100;
	sim_metrics_request(w, x->m, 0, false);
	sim_metrics_request(w, x->m, 1, true);
	sim_metrics_request(w, x->m, 2, false);
	sim_metrics_end(w, x->m);
	char *fig = capture_figures(w, x->m);
	assert_contains(fig, "\"requests\": {\"LeaderAndIsr\": 2, \"UpdateMetadata\": 0, \"StopReplica\": 1},\n");
	assert_contains(fig, "\"requests_dropped\": {\"LeaderAndIsr\": 1, \"UpdateMetadata\": 0, \"StopReplica\": 0},\n");
	assert_contains(fig, "\"request_entries\": {\"LeaderAndIsr\": 6, \"UpdateMetadata\": 0, \"StopReplica\": 1},\n");
	free(fig);
}

/* Controller events add up; a failover span ends with its event even when the world did not
 * end it (an aborted failover); a span never ended has "end_us": null; an end matches the
 * open span of its kind and key; spans are listed by start time, then kind. */
static void test_spans(void **state)
{
	struct fx *x = *state;
	start_up(x);
	struct sim_world *w = &x->w;
	w->now = 5000;
	sim_metrics_op_begin(w, x->m, OP_CONTROLLED_SHUTDOWN, 2, 2, 5000);
	sim_metrics_op_begin(w, x->m, OP_CONTROLLER_FAILOVER, 0, 0, 5000);
	struct sim_cevent ev = {.kind = CE_FAILOVER, .enqueued_us = 4000};
	sim_metrics_ctrl_event(w, x->m, 0, &ev, 5000, 5800);
	ev.kind = CE_BROKER_CHANGE;
	ev.enqueued_us = 5000;
	w->now = 5800;
	sim_metrics_ctrl_event(w, x->m, 0, &ev, 5800, 6000);

	w->now = 7000;
	sim_metrics_op_begin(w, x->m, OP_REASSIGNMENT, 1, -1, 7000);
	sim_metrics_op_begin(w, x->m, OP_PREFERRED_ELECTION, 0, -1, 7000);
	w->now = 7300;
	sim_metrics_op_end(w, x->m, OP_PREFERRED_ELECTION, 0, 7300);
	sim_metrics_op_end(w, x->m, OP_PREFERRED_ELECTION, 0, 7350); /* none open: ignored */
	sim_metrics_op_end(w, x->m, OP_REASSIGNMENT, 2, 7350);       /* another key: ignored */
	w->now = 7600;
	sim_metrics_op_end(w, x->m, OP_REASSIGNMENT, 1, 7600);

	w->now = 9000;
	sim_metrics_end(w, x->m);
	char *fig = capture_figures(w, x->m);
	assert_contains(fig, "\"controller_events\": 2,\n");
	assert_contains(fig, "\"controller_busy_us\": 1000,\n");
	assert_contains(fig, "\"controller_event_max_us\": 800,\n");
	assert_contains(fig, "\"controller_queue_wait_max_us\": 1000,\n");
	assert_contains(fig, "\"controller_events_by_kind\": {\"failover\": 1, \"broker_change\": 1},\n");
	assert_contains(fig, "      {\"kind\": \"controller_failover\", \"broker\": 0, \"start_us\": 5000, \"end_us\": 5800, "
			     "\"duration_us\": 800, ");
	assert_contains(fig, "      {\"kind\": \"controlled_shutdown\", \"broker\": 2, \"start_us\": 5000, \"end_us\": null, "
			     "\"duration_us\": null, ");
	assert_contains(fig, "      {\"kind\": \"reassignment\", \"partition\": \"t-1\", \"start_us\": 7000, \"end_us\": 7600, ");
	assert_contains(fig, "      {\"kind\": \"preferred_election\", \"start_us\": 7000, \"end_us\": 7300, ");
	/* failover (kind 0) before controlled_shutdown (kind 1) at equal start */
	assert_true(strstr(fig, "controller_failover") < strstr(fig, "controlled_shutdown"));
	assert_true(strstr(fig, "\"reassignment\"") < strstr(fig, "\"preferred_election\""));
	free(fig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_failure_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_led, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spans, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
