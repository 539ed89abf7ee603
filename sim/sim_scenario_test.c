/* sim_scenario_test.c — tests of the scenario loader (sim_scenario, sim_yaml, sim_duration,
 * sim_catalog): a scenario using every key and action of the contract, every class of malformed
 * input with its exact FILE:LINE:COLUMN, the limits, hostile input, and --set overrides. The
 * YAML lives inline and is written to a temporary directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_catalog.h"
#include "sim_duration.h"
#include "sim_scenario.h"
#include "sim_yaml.h"

static char g_dir[64];
static char g_path[160]; /* the file the last load read */

static int sim_test_setup(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof g_dir, "/tmp/kcsim-scenario-test-XXXXXX");
	return mkdtemp(g_dir) ? 0 : -1;
}

static const char *const sim_test_files[] = {"t.yaml", "bad name.yaml", "big.yaml", "my.scn.yml"};

static int sim_test_teardown(void **state)
{
	(void)state;
	char p[200];
	for (size_t i = 0; i < sizeof sim_test_files / sizeof sim_test_files[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", g_dir, sim_test_files[i]);
		unlink(p);
	}
	return rmdir(g_dir);
}

static const char *write_file(const char *name, const char *text, size_t len)
{
	snprintf(g_path, sizeof g_path, "%s/%s", g_dir, name);
	FILE *f = fopen(g_path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return g_path;
}

static bool load_named(const char *name, const char *text, size_t len, const char *const *ovr,
		       size_t n, struct sim_scenario *sc, struct sim_error *err)
{
	write_file(name, text, len);
	bool ok = sim_scenario_load(g_path, ovr, n, sc, err);
	if (!ok) {
		/* A failed load leaves nothing behind. */
		assert_null(sc->name);
		assert_null(sc->topics);
		assert_null(sc->ints);
		assert_int_equal(sc->n_timeline, 0);
	}
	return ok;
}

static void load_ok_set(const char *yaml, const char *const *ovr, size_t n, struct sim_scenario *sc)
{
	struct sim_error err;
	if (!load_named("t.yaml", yaml, strlen(yaml), ovr, n, sc, &err))
		fail_msg("unexpected error: %s", err.msg);
}

static void load_ok(const char *yaml, struct sim_scenario *sc)
{
	load_ok_set(yaml, NULL, 0, sc);
}

/* The load fails with `FILE:pos: ...needle...` (pos is "LINE:COL"), and the message follows
 * "what is wrong; what was expected". */
static void check_error_bytes(const char *name, const char *yaml, size_t len, const char *pos,
			      const char *needle)
{
	struct sim_scenario sc;
	struct sim_error err;
	if (load_named(name, yaml, len, NULL, 0, &sc, &err)) {
		sim_scenario_free(&sc);
		fail_msg("loaded; expected an error at %s with '%s'", pos, needle);
	}
	char prefix[256];
	snprintf(prefix, sizeof prefix, "%s:%s: ", g_path, pos);
	if (strncmp(err.msg, prefix, strlen(prefix)) != 0 || !strstr(err.msg, needle) ||
	    !strstr(err.msg, "; expected"))
		fail_msg("got:  %s\nwant: %s...%s...; expected ...", err.msg, prefix, needle);
}

static void check_error(const char *yaml, const char *pos, const char *needle)
{
	check_error_bytes("t.yaml", yaml, strlen(yaml), pos, needle);
}

/* The load with one override fails with `kcsim: --set: OVERRIDE: ...needle...`. */
static void check_set_error(const char *yaml, const char *ovr, const char *needle)
{
	struct sim_scenario sc;
	struct sim_error err;
	const char *const o[] = {ovr};
	if (load_named("t.yaml", yaml, strlen(yaml), o, 1, &sc, &err)) {
		sim_scenario_free(&sc);
		fail_msg("loaded; expected a --set error with '%s'", needle);
	}
	char prefix[256];
	snprintf(prefix, sizeof prefix, "kcsim: --set: %s: ", ovr);
	if (strncmp(err.msg, prefix, strlen(prefix)) != 0 || !strstr(err.msg, needle) ||
	    !strstr(err.msg, "; expected"))
		fail_msg("got:  %s\nwant: %s...%s...", err.msg, prefix, needle);
}

static int32_t span_at(const struct sim_scenario *sc, struct sim_span s, uint32_t i)
{
	assert_true(i < s.n);
	return sc->ints[s.off + i];
}

static void assert_span(const struct sim_scenario *sc, struct sim_span s, const int32_t *want, uint32_t n)
{
	assert_int_equal(s.n, n);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(span_at(sc, s, i), want[i]);
}

static uint32_t topic(const struct sim_scenario *sc, const char *name)
{
	int64_t t = sim_scenario_topic_find(sc, name);
	if (t < 0)
		fail_msg("no topic %s", name);
	return (uint32_t)t;
}

#define S(x) ((uint64_t)(x) * SIM_US_PER_S)

/* ---- durations and catalog ------------------------------------------------------------------ */
static void test_duration_parse(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		uint64_t us;
	} ok[] = {
		{"0", 0},		  {"0us", 0},		{"250us", 250},
		{"2ms", 2000},		  {"6s", 6000000},	{"5m", 300000000},
		{"1h", 3600000000ULL},	  {"720h", SIM_DURATION_MAX_US},
		{"2592000000000us", SIM_DURATION_MAX_US}, {"007s", 7000000},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		uint64_t us = 1;
		assert_int_equal(sim_duration_parse(ok[i].s, strlen(ok[i].s), &us), SIM_DURATION_OK);
		assert_true(us == ok[i].us);
	}
	static const char *const syntax[] = {"", "1.5s", "-1s", "5 s", " 5s", "5s ", "1d", "5", "s",
					     "+5s", "5S", "5sec", "1e3us", "0x10s", "5ms5"};
	for (size_t i = 0; i < sizeof syntax / sizeof syntax[0]; i++) {
		uint64_t us = 77;
		assert_int_equal(sim_duration_parse(syntax[i], strlen(syntax[i]), &us), SIM_DURATION_SYNTAX);
		assert_true(us == 77);
	}
	static const char *const too_long[] = {"721h", "43201m", "2592000000001us", "99999999999999999999999h"};
	for (size_t i = 0; i < sizeof too_long / sizeof too_long[0]; i++) {
		uint64_t us;
		assert_int_equal(sim_duration_parse(too_long[i], strlen(too_long[i]), &us),
				 SIM_DURATION_TOO_LONG);
	}
	/* Exactly len bytes are read. */
	uint64_t us;
	assert_int_equal(sim_duration_parse("6sX", 2, &us), SIM_DURATION_OK);
	assert_true(us == S(6));
}

static void test_duration_format(void **state)
{
	(void)state;
	char b[24];
	assert_string_equal(sim_duration_format(0, b, sizeof b), "0");
	assert_string_equal(sim_duration_format(S(6), b, sizeof b), "6s");
	assert_string_equal(sim_duration_format(1500, b, sizeof b), "1500us");
	assert_string_equal(sim_duration_format(2000, b, sizeof b), "2ms");
	assert_string_equal(sim_duration_format(S(300), b, sizeof b), "5m");
	assert_string_equal(sim_duration_format(SIM_DURATION_MAX_US, b, sizeof b), "720h");
	assert_string_equal(sim_duration_format(S(90), b, sizeof b), "90s");
}

static void test_catalog(void **state)
{
	(void)state;
	assert_int_equal(SIM_INVARIANT_COUNT, 17);
	static const char *const names[] = {
		"no_leader_to_new_replica", "valid_replica_transition", "valid_partition_transition",
		"leader_in_isr", "isr_subset_of_replicas", "epochs_monotonic", "single_controller_per_epoch",
		"no_stale_request_applied", "single_leader_per_epoch", "election_rule",
		"dead_replicas_leave_isr", "leader_alive", "available_when_possible", "metadata_converges",
		"metadata_isr_converges", "deletion_completes", "reassignment_completes"};
	for (size_t i = 0; i < 17; i++) {
		int k = sim_invariant_find(names[i], strlen(names[i]));
		assert_int_equal(k, (int)i);
		const struct sim_invariant_info *info = sim_invariant_info((enum sim_invariant)k);
		assert_string_equal(info->name, names[i]);
		assert_int_equal(info->kind, i < 10 ? SIM_SAFETY : SIM_LIVENESS);
		assert_int_equal(info->on_by_default, strcmp(names[i], "metadata_isr_converges") != 0);
		assert_non_null(info->summary);
	}
	assert_int_equal(sim_invariant_find("Leader_In_Isr", 13), -1);
	assert_int_equal(sim_invariant_find("leader_in", 9), -1);

	assert_int_equal(SIM_INJECT_COUNT, 12);
	static const char *const injects[] = {
		"selftest-skip-replica-guard", "selftest-skip-partition-guard",
		"selftest-new-replica-for-leader", "selftest-leader-outside-isr", "selftest-epoch-rewind",
		"KAFKA-1503", "KAFKA-1742", "KAFKA-1681", "KAFKA-1558", "KAFKA-1188", "KAFKA-1097",
		"KAFKA-1096"};
	for (size_t i = 0; i < 12; i++) {
		int k = sim_inject_find(injects[i], strlen(injects[i]));
		assert_int_equal(k, (int)i);
		assert_string_equal(sim_inject_info((enum sim_inject)k)->name, injects[i]);
		assert_int_equal(sim_inject_info((enum sim_inject)k)->selftest, i < 5);
		assert_true(strlen(sim_inject_info((enum sim_inject)k)->summary) > 10);
	}
	assert_int_equal(sim_inject_find("kafka-1503", 10), SIM_INJECT_KAFKA_1503);
	assert_int_equal(sim_inject_find("SELFTEST-EPOCH-REWIND", 21), SIM_INJECT_SELFTEST_EPOCH_REWIND);
	assert_int_equal(sim_inject_find("KAFKA-1305", 10), -1);
	assert_int_equal(sim_inject_find("KAFKA-1120", 10), -1); /* native in 0.8.2: no switch */
	assert_int_equal(sim_inject_info(SIM_INJECT_KAFKA_1503)->kc_bit, KC_INJECT_KAFKA_1503);
	assert_int_equal(sim_inject_info(SIM_INJECT_SELFTEST_EPOCH_REWIND)->kc_bit, 0);

	assert_int_equal(sim_replica_state_parse("OfflineReplica", 14), KC_OFFLINE_REPLICA);
	assert_int_equal(sim_replica_state_parse("NonExistentReplica", 18), KC_NON_EXISTENT_REPLICA);
	assert_int_equal(sim_replica_state_parse("ReplicaDeletionIneligible", 25), KC_REPLICA_DELETION_INELIGIBLE);
	assert_int_equal(sim_replica_state_parse("offlinereplica", 14), -1);
	assert_int_equal(sim_partition_state_parse("NewPartition", 12), KC_NEW_PARTITION);
	assert_int_equal(sim_partition_state_parse("NonExistentPartition", 20), KC_NON_EXISTENT_PARTITION);
	assert_int_equal(sim_partition_state_parse("OnlineReplica", 13), -1);
	assert_int_equal(sim_selector_parse("controlled_shutdown", 19), KC_SEL_CONTROLLED_SHUTDOWN);
	assert_int_equal(sim_selector_parse("noop", 4), KC_SEL_NOOP);
	assert_int_equal(sim_request_type_parse("UpdateMetadata", 14), KC_REQ_UPDATE_METADATA);
	assert_int_equal(sim_request_type_parse("Fetch", 5), -1);
}

/* ---- valid scenarios ------------------------------------------------------------------------ */
static const char full_yaml[] =
	"name: full-scenario\n"
	"description: every key and action of the contract\n"
	"seed: 42\n"
	"profile: \"0.8.2\"\n"
	"startup: simulated\n"
	"run_until: 10m\n"
	"max_time: 2h\n"
	"config:\n"
	"  zk_session_timeout: 7s\n"
	"  zk_read_latency: 250us\n"
	"  zk_write_latency: 2ms\n"
	"  zk_mode: pipelined\n"
	"  zk_max_in_flight: 20\n"
	"  rpc_latency: 3ms\n"
	"  controller_op_cost: 40us\n"
	"  controller_request_entry_cost: 1us\n"
	"  broker_op_cost: 2us\n"
	"  batch_requests: false\n"
	"  unclean_leader_election: true\n"
	"  replica_lag_time_max: 11s\n"
	"  isr_check_interval: 5s\n"
	"  replica_catch_up: 4ms\n"
	"  controlled_shutdown_max_retries: 4\n"
	"  controlled_shutdown_retry_backoff: 6s\n"
	"  controller_socket_timeout: 31s\n"
	"  delete_topic_enable: false\n"
	"  auto_leader_rebalance: true\n"
	"  leader_imbalance_check_interval: 301s\n"
	"  leader_imbalance_per_broker_percentage: 20\n"
	"  latency_jitter: 100us\n"
	"cluster:\n"
	"  brokers: [0, 1, 2, 5]\n"
	"  down: [5]\n"
	"  controller: 1\n"
	"topics:\n"
	"  orders: {partitions: 3, replication_factor: 3}\n"
	"  pay.ments:\n"
	"    assignment: {1: [2, 0], 0: [1, 2]}\n"
	"    unclean_leader_election: false\n"
	"topic_sets:\n"
	"  - {prefix: f, count: 3, partitions: 2, replication_factor: 1, unclean_leader_election: true}\n"
	"invariants:\n"
	"  disable: [leader_alive]\n"
	"  enable: [metadata_isr_converges]\n"
	"inject: [kafka-1503, selftest-epoch-rewind]\n"
	"timeline:\n"
	"  - {at: 1s, crash: 1}\n"
	"  - {at: 2s, restart: [1]}\n"
	"  - {at: 3s, add_broker: 7}\n"
	"  - {at: 4s, shutdown: 2}\n"
	"  - {at: 5s, expire_session: 0}\n"
	"  - {at: 6s, controller_failover: true}\n"
	"  - {at: 7s, pause: {broker: 0, for: 7s}}\n"
	"  - {at: 8s, isolate: {broker: 2, from: brokers, for: 500ms}}\n"
	"  - {at: 9s, rolling_restart: {brokers: all, settle: 30s}}\n"
	"  - {at: 10s, rolling_restart: {brokers: [2, 0]}}\n"
	"  - {at: 12s, create_topic: {name: late, assignment: {0: [7, 0]}, unclean_leader_election: true}}\n"
	"  - {at: 11s, create_topic: {name: early, partitions: 2, replication_factor: 2}}\n"
	"  - {at: 13s, delete_topic: orders}\n"
	"  - {at: 14s, add_partitions: {topic: orders, partitions: 5, assignment: {4: [0, 1, 2], 3: [1, 2, 0]}}}\n"
	"  - {at: 15s, add_partitions: {topic: early, partitions: 4}}\n"
	"  - {at: 16s, reassign: {partition: orders-4, replicas: [2, 7, 0]}}\n"
	"  - {at: 17s, reassign: [{partition: orders-0, replicas: [0, 1]}, {partition: pay.ments-1, replicas: [7]}]}\n"
	"  - {at: 18s, preferred_election: all}\n"
	"  - {at: 19s, preferred_election: [orders-1, f2-1]}\n"
	"  - {at: 20s, replica_transition: {partition: orders-0, brokers: [1, 2], to: OfflineReplica}}\n"
	"  - {at: 21s, partition_transition: {partitions: [orders-0, early-3], to: OnlinePartition, election: preferred}}\n"
	"  - {at: 22s, partition_transition: {partitions: orders-1, to: OfflinePartition}}\n"
	"  - at: 0\n"
	"    isolate: {broker: 7, from: all, for: 1h}\n"
	"expect:\n"
	"  - {at: 30s, leader: {partition: orders-0, broker: 2}}\n"
	"  - {at: 30s, leader: {partition: orders-1, broker: none}}\n"
	"  - {within: 40s, isr: {partition: orders-0, brokers: [2, 0]}}\n"
	"  - {at_end: true, assignment: {partition: pay.ments-0, brokers: [1, 2]}}\n"
	"  - {at: 1m, replica_state: {partition: orders-0, broker: 1, state: OfflineReplica}}\n"
	"  - {at: 1m, partition_state: {partition: orders-0, state: OnlinePartition}}\n"
	"  - {at: 1m, leader_epoch: {partition: orders-0, epoch: 4}}\n"
	"  - {at: 1m, controller: 0}\n"
	"  - {at: 1m, controller: none}\n"
	"  - {at: 1m, controller_epoch: 3}\n"
	"  - {at: 1m, topic_exists: late}\n"
	"  - {at_end: true, topic_absent: orders}\n"
	"  - {at: 2m, requests: {to: 2, type: StopReplica, partition: orders-0, delete: true, count: 1}}\n"
	"  - {at: 2m, requests: {to: 0, type: LeaderAndIsr, count: 3}}\n"
	"  - {violation: single_leader_per_epoch}\n"
	"  - {within: 10m, violation: election_rule}\n";

static void test_full_scenario(void **state)
{
	(void)state;
	struct sim_scenario sc;
	load_ok(full_yaml, &sc);
	assert_string_equal(sc.name, "full-scenario");
	assert_string_equal(sc.description, "every key and action of the contract");
	assert_true(sc.seed == 42);
	assert_int_equal(sc.profile, KC_PROFILE_0_8_2);
	assert_int_equal(sc.startup, SIM_STARTUP_SIMULATED);
	assert_false(sc.run_until_quiescent);
	assert_true(sc.run_until_us == S(600));
	assert_true(sc.max_time_us == S(7200));

	const struct sim_config *c = &sc.config;
	assert_true(c->zk_session_timeout_us == S(7));
	assert_true(c->zk_read_latency_us == 250);
	assert_true(c->zk_write_latency_us == 2000);
	assert_int_equal(c->zk_mode, SIM_ZK_PIPELINED);
	assert_int_equal(c->zk_max_in_flight, 20);
	assert_true(c->rpc_latency_us == 3000);
	assert_true(c->controller_op_cost_us == 40);
	assert_true(c->controller_request_entry_cost_us == 1);
	assert_true(c->broker_op_cost_us == 2);
	assert_false(c->batch_requests);
	assert_true(c->unclean_leader_election);
	assert_true(c->replica_lag_time_max_us == S(11));
	assert_true(c->isr_check_interval_us == S(5));
	assert_true(c->replica_catch_up_us == 4000);
	assert_int_equal(c->controlled_shutdown_max_retries, 4);
	assert_true(c->controlled_shutdown_retry_backoff_us == S(6));
	assert_true(c->controller_socket_timeout_us == S(31));
	assert_false(c->delete_topic_enable);
	assert_true(c->auto_leader_rebalance);
	assert_true(c->leader_imbalance_check_interval_us == S(301));
	assert_int_equal(c->leader_imbalance_per_broker_percentage, 20);
	assert_true(c->latency_jitter_us == 100);

	/* Brokers: cluster.brokers plus add_broker 7, ascending. */
	assert_int_equal(sc.n_brokers, 5);
	static const int32_t ids[] = {0, 1, 2, 5, 7};
	for (uint32_t i = 0; i < 5; i++) {
		assert_int_equal(sc.brokers[i].id, ids[i]);
		assert_int_equal(sc.brokers[i].in_cluster, ids[i] != 7);
		assert_int_equal(sc.brokers[i].down, ids[i] == 5);
		assert_int_equal(sim_scenario_broker_index(&sc, ids[i]), (int32_t)i);
	}
	assert_int_equal(sim_scenario_broker_index(&sc, 3), -1);
	assert_int_equal(sc.controller, 1);

	/* Topics in creation order: topics, sets, then create_topic by time (early before late). */
	static const char *const names[] = {"orders", "pay.ments", "f0", "f1", "f2", "early", "late"};
	static const uint32_t maxp[] = {5, 2, 2, 2, 2, 4, 1};
	assert_int_equal(sc.n_topics, 7);
	for (uint32_t t = 0; t < 7; t++) {
		assert_string_equal(sc.topics[t].name, names[t]);
		assert_int_equal(topic(&sc, names[t]), t);
		assert_int_equal(sc.topics[t].max_partitions, maxp[t]);
	}
	assert_int_equal(sim_scenario_topic_find(&sc, "nope"), -1);
	assert_true(sc.n_partitions_max == 18);
	const struct sim_topic *orders = &sc.topics[0], *pay = &sc.topics[1], *f1 = &sc.topics[3];
	assert_int_equal(orders->origin, SIM_TOPIC_TOPICS);
	assert_int_equal(orders->partitions, 3);
	assert_int_equal(orders->replication_factor, 3);
	assert_false(orders->explicit_assignment);
	assert_int_equal(orders->unclean_leader_election, -1);
	assert_int_equal(orders->line, 36);
	assert_int_equal(orders->col, 3);
	assert_true(pay->explicit_assignment);
	assert_int_equal(pay->partitions, 2);
	assert_int_equal(pay->replication_factor, 2);
	assert_int_equal(pay->unclean_leader_election, 0);
	static const int32_t pay_asg[] = {1, 2, 2, 0}; /* partition-major, by number */
	assert_span(&sc, (struct sim_span){pay->assignment, 4}, pay_asg, 4);
	assert_int_equal(f1->origin, SIM_TOPIC_SET);
	assert_int_equal(f1->partitions, 2);
	assert_int_equal(f1->replication_factor, 1);
	assert_int_equal(f1->unclean_leader_election, 1);
	assert_int_equal(sc.topics[5].origin, SIM_TOPIC_TIMELINE);
	assert_int_equal(sc.topics[5].partitions, 0);

	assert_false(sc.invariant_on[SIM_INV_LEADER_ALIVE]);
	assert_true(sc.invariant_on[SIM_INV_METADATA_ISR_CONVERGES]);
	assert_true(sc.invariant_on[SIM_INV_LEADER_IN_ISR]);
	assert_int_equal(sc.n_enable, 1);
	assert_int_equal(sc.enable[0], SIM_INV_METADATA_ISR_CONVERGES);
	assert_int_equal(sc.n_disable, 1);
	assert_int_equal(sc.disable[0], SIM_INV_LEADER_ALIVE);
	for (int i = 0; i < SIM_INJECT_COUNT; i++)
		assert_int_equal(sc.inject_on[i], i == SIM_INJECT_KAFKA_1503 || i == SIM_INJECT_SELFTEST_EPOCH_REWIND);

	/* Timeline: file order kept. */
	assert_int_equal(sc.n_timeline, 23);
	const struct sim_timeline_entry *e = sc.timeline;
	static const enum sim_action acts[] = {
		SIM_ACT_CRASH, SIM_ACT_RESTART, SIM_ACT_ADD_BROKER, SIM_ACT_SHUTDOWN, SIM_ACT_EXPIRE_SESSION,
		SIM_ACT_CONTROLLER_FAILOVER, SIM_ACT_PAUSE, SIM_ACT_ISOLATE, SIM_ACT_ROLLING_RESTART,
		SIM_ACT_ROLLING_RESTART, SIM_ACT_CREATE_TOPIC, SIM_ACT_CREATE_TOPIC, SIM_ACT_DELETE_TOPIC,
		SIM_ACT_ADD_PARTITIONS, SIM_ACT_ADD_PARTITIONS, SIM_ACT_REASSIGN, SIM_ACT_REASSIGN,
		SIM_ACT_PREFERRED_ELECTION, SIM_ACT_PREFERRED_ELECTION, SIM_ACT_REPLICA_TRANSITION,
		SIM_ACT_PARTITION_TRANSITION, SIM_ACT_PARTITION_TRANSITION, SIM_ACT_ISOLATE};
	static const uint64_t at_s[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 0};
	for (uint32_t i = 0; i < 23; i++) {
		assert_int_equal(e[i].action, acts[i]);
		assert_true(e[i].at_us == S(at_s[i]));
		assert_int_equal(e[i].line, 47 + i);
		assert_int_equal(e[i].col, 5);
	}
	assert_int_equal(e[22].line, 69);
	assert_string_equal(sim_action_name(e[19].action), "replica_transition");
	assert_span(&sc, e[0].u.brokers, (const int32_t[]){1}, 1);
	assert_span(&sc, e[1].u.brokers, (const int32_t[]){1}, 1);
	assert_span(&sc, e[2].u.brokers, (const int32_t[]){7}, 1);
	assert_int_equal(e[3].u.broker, 2);
	assert_int_equal(e[4].u.broker, 0);
	assert_int_equal(e[6].u.pause.broker, 0);
	assert_true(e[6].u.pause.for_us == S(7));
	assert_int_equal(e[7].u.isolate.broker, 2);
	assert_int_equal(e[7].u.isolate.from, SIM_ISOLATE_BROKERS);
	assert_true(e[7].u.isolate.for_us == 500000);
	assert_int_equal(e[22].u.isolate.from, SIM_ISOLATE_ALL);
	assert_true(e[8].u.rolling_restart.all);
	assert_true(e[8].u.rolling_restart.has_settle);
	assert_true(e[8].u.rolling_restart.settle_us == S(30));
	assert_false(e[9].u.rolling_restart.all);
	assert_false(e[9].u.rolling_restart.has_settle);
	assert_span(&sc, e[9].u.rolling_restart.brokers, (const int32_t[]){2, 0}, 2);
	const struct sim_topic_spec *late = &e[10].u.create_topic, *early = &e[11].u.create_topic;
	assert_int_equal(late->topic, 6);
	assert_true(late->explicit_assignment);
	assert_int_equal(late->partitions, 1);
	assert_int_equal(late->replication_factor, 2);
	assert_int_equal(late->unclean_leader_election, 1);
	assert_span(&sc, (struct sim_span){late->assignment, 2}, (const int32_t[]){7, 0}, 2);
	assert_int_equal(early->topic, 5);
	assert_false(early->explicit_assignment);
	assert_int_equal(early->partitions, 2);
	assert_int_equal(early->replication_factor, 2);
	assert_int_equal(early->unclean_leader_election, -1);
	assert_int_equal(e[12].u.delete_topic, 0);
	const struct sim_topic_spec *ap = &e[13].u.add_partitions;
	assert_int_equal(ap->topic, 0);
	assert_int_equal(ap->partitions, 5);
	assert_true(ap->explicit_assignment);
	assert_int_equal(ap->first_partition, 3);
	assert_int_equal(ap->n_assigned, 2);
	assert_int_equal(ap->replication_factor, 3);
	assert_span(&sc, (struct sim_span){ap->assignment, 6}, (const int32_t[]){1, 2, 0, 0, 1, 2}, 6);
	assert_false(e[14].u.add_partitions.explicit_assignment);
	assert_int_equal(e[14].u.add_partitions.partitions, 4);
	assert_int_equal(e[15].u.reassign.n, 1);
	const struct sim_reassign *r = &sc.reassigns[e[15].u.reassign.off];
	assert_int_equal(r->partition.topic, 0);
	assert_int_equal(r->partition.partition, 4);
	assert_span(&sc, r->replicas, (const int32_t[]){2, 7, 0}, 3);
	assert_int_equal(e[16].u.reassign.n, 2);
	r = &sc.reassigns[e[16].u.reassign.off + 1];
	assert_int_equal(r->partition.topic, 1);
	assert_int_equal(r->partition.partition, 1);
	assert_span(&sc, r->replicas, (const int32_t[]){7}, 1);
	assert_true(e[17].u.preferred_election.all);
	assert_false(e[18].u.preferred_election.all);
	assert_int_equal(e[18].u.preferred_election.partitions.n, 2);
	const struct sim_pref *p = &sc.prefs[e[18].u.preferred_election.partitions.off];
	assert_int_equal(p[1].topic, 4);
	assert_int_equal(p[1].partition, 1);
	assert_int_equal(e[19].u.replica_transition.partition.partition, 0);
	assert_span(&sc, e[19].u.replica_transition.brokers, (const int32_t[]){1, 2}, 2);
	assert_int_equal(e[19].u.replica_transition.to, KC_OFFLINE_REPLICA);
	assert_int_equal(e[20].u.partition_transition.partitions.n, 2);
	p = &sc.prefs[e[20].u.partition_transition.partitions.off];
	assert_int_equal(p[1].topic, 5);
	assert_int_equal(p[1].partition, 3);
	assert_int_equal(e[20].u.partition_transition.to, KC_ONLINE_PARTITION);
	assert_int_equal(e[20].u.partition_transition.election, KC_SEL_PREFERRED);
	assert_int_equal(e[21].u.partition_transition.partitions.n, 1);
	assert_int_equal(e[21].u.partition_transition.to, KC_OFFLINE_PARTITION);
	assert_int_equal(e[21].u.partition_transition.election, KC_SEL_OFFLINE);

	assert_int_equal(sc.n_expect, 16);
	const struct sim_expect *x = sc.expect;
	assert_int_equal(x[0].kind, SIM_EXPECT_LEADER);
	assert_int_equal(x[0].when, SIM_WHEN_AT);
	assert_true(x[0].t_us == S(30));
	assert_int_equal(x[0].line, 72);
	assert_int_equal(x[0].col, 5);
	assert_int_equal(x[0].u.leader.broker, 2);
	assert_int_equal(x[1].u.leader.broker, -1);
	assert_int_equal(x[1].u.leader.partition.partition, 1);
	assert_int_equal(x[2].when, SIM_WHEN_WITHIN);
	assert_true(x[2].t_us == S(40));
	assert_span(&sc, x[2].u.brokers.brokers, (const int32_t[]){2, 0}, 2);
	assert_int_equal(x[3].when, SIM_WHEN_AT_END);
	assert_int_equal(x[3].kind, SIM_EXPECT_ASSIGNMENT);
	assert_int_equal(x[3].u.brokers.partition.topic, 1);
	assert_int_equal(x[4].u.replica_state.broker, 1);
	assert_int_equal(x[4].u.replica_state.state, KC_OFFLINE_REPLICA);
	assert_int_equal(x[5].u.partition_state.state, KC_ONLINE_PARTITION);
	assert_int_equal(x[6].u.leader_epoch.epoch, 4);
	assert_int_equal(x[7].u.controller, 0);
	assert_int_equal(x[8].u.controller, -1);
	assert_int_equal(x[9].u.controller_epoch, 3);
	assert_int_equal(x[10].kind, SIM_EXPECT_TOPIC_EXISTS);
	assert_int_equal(x[10].u.topic, 6);
	assert_int_equal(x[11].kind, SIM_EXPECT_TOPIC_ABSENT);
	assert_int_equal(x[11].u.topic, 0);
	assert_int_equal(x[12].u.requests.to, 2);
	assert_int_equal(x[12].u.requests.type, KC_REQ_STOP_REPLICA);
	assert_true(x[12].u.requests.has_partition);
	assert_true(x[12].u.requests.has_delete);
	assert_true(x[12].u.requests.delete_flag);
	assert_true(x[12].u.requests.count == 1);
	assert_int_equal(x[13].u.requests.type, KC_REQ_LEADER_AND_ISR);
	assert_false(x[13].u.requests.has_partition);
	assert_false(x[13].u.requests.has_delete);
	assert_int_equal(x[14].kind, SIM_EXPECT_VIOLATION);
	assert_int_equal(x[14].when, SIM_WHEN_AT_END);
	assert_int_equal(x[14].u.violation, SIM_INV_SINGLE_LEADER_PER_EPOCH);
	assert_int_equal(x[15].when, SIM_WHEN_WITHIN);
	assert_int_equal(x[15].u.violation, SIM_INV_ELECTION_RULE);
	assert_string_equal(sim_expect_kind_name(x[15].kind), "violation");
	assert_false(sc.has_initial);
	sim_scenario_free(&sc);
	assert_null(sc.topics);
}

static void test_defaults(void **state)
{
	(void)state;
	struct sim_scenario sc;
	load_ok("cluster: {brokers: 3}\n", &sc);
	assert_string_equal(sc.name, "t");
	assert_null(sc.description);
	assert_true(sc.seed == 1);
	assert_int_equal(sc.startup, SIM_STARTUP_INSTANT);
	assert_true(sc.run_until_quiescent);
	assert_true(sc.max_time_us == SIM_US_PER_H);
	assert_int_equal(sc.controller, -1);
	assert_int_equal(sc.n_brokers, 3);
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(sc.brokers[i].id, (int32_t)i);
		assert_true(sc.brokers[i].in_cluster);
		assert_false(sc.brokers[i].down);
	}
	assert_int_equal(sc.n_topics, 0);
	assert_int_equal(sc.n_timeline, 0);
	assert_int_equal(sc.n_expect, 0);
	const struct sim_config *c = &sc.config;
	assert_true(c->zk_session_timeout_us == S(6));
	assert_true(c->zk_read_latency_us == 200);
	assert_true(c->zk_write_latency_us == 1500);
	assert_int_equal(c->zk_mode, SIM_ZK_SYNC);
	assert_int_equal(c->zk_max_in_flight, 10);
	assert_true(c->rpc_latency_us == 1000);
	assert_true(c->controller_op_cost_us == 50);
	assert_true(c->controller_request_entry_cost_us == 0);
	assert_true(c->broker_op_cost_us == 0);
	assert_true(c->batch_requests);
	assert_false(c->unclean_leader_election);
	assert_true(c->replica_lag_time_max_us == S(10));
	assert_true(c->isr_check_interval_us == S(10));
	assert_true(c->replica_catch_up_us == 2000);
	assert_int_equal(c->controlled_shutdown_max_retries, 3);
	assert_true(c->controlled_shutdown_retry_backoff_us == S(5));
	assert_true(c->controller_socket_timeout_us == S(30));
	assert_true(c->delete_topic_enable);
	assert_false(c->auto_leader_rebalance);
	assert_true(c->leader_imbalance_check_interval_us == S(300));
	assert_int_equal(c->leader_imbalance_per_broker_percentage, 10);
	assert_true(c->latency_jitter_us == 0);
	for (int i = 0; i < SIM_INVARIANT_COUNT; i++)
		assert_int_equal(sc.invariant_on[i], i != SIM_INV_METADATA_ISR_CONVERGES);
	for (int i = 0; i < SIM_INJECT_COUNT; i++)
		assert_false(sc.inject_on[i]);
	sim_scenario_free(&sc);

	/* isr_check_interval follows replica_lag_time_max when absent; empty sections are none. */
	load_ok("cluster: {brokers: [4]}\nconfig: {replica_lag_time_max: 3s}\ntopics:\ntimeline:\n"
		"expect:\ninject:\ninvariants:\ndescription:\n",
		&sc);
	assert_true(sc.config.isr_check_interval_us == S(3));
	assert_null(sc.description);
	assert_int_equal(sc.brokers[0].id, 4);
	sim_scenario_free(&sc);

	/* The default name drops .yml too. */
	struct sim_error err;
	const char *y = "cluster: {brokers: 1}\n";
	assert_true(load_named("my.scn.yml", y, strlen(y), NULL, 0, &sc, &err));
	assert_string_equal(sc.name, "my.scn");
	sim_scenario_free(&sc);
}

static void test_initial_scenario(void **state)
{
	(void)state;
	struct sim_scenario sc;
	load_ok("cluster: {brokers: 3, controller: 2}\n"
		"initial:\n"
		"  controller_epoch: 5\n"
		"  partitions:\n"
		"    t-1: {replicas: [1, 2], leader: none}\n"
		"    u-0: {replicas: [2]}\n"
		"    t-0: {replicas: [0, 1, 2], state: OnlinePartition, leader: 0, isr: [0, 1], leader_epoch: 3}\n"
		"  replicas:\n"
		"    - {partition: t-0, broker: 2, state: OfflineReplica}\n"
		"    - {partition: u-0, broker: 2, state: NewReplica}\n"
		"timeline:\n"
		"  - {at: 1s, replica_transition: {partition: t-0, brokers: 2, to: OnlineReplica}}\n"
		"  - {at: 2s, create_topic: {name: v, partitions: 1, replication_factor: 3}}\n"
		"expect:\n"
		"  - {at: 1s, replica_state: {partition: t-0, broker: 2, state: OnlineReplica}}\n",
		&sc);
	assert_true(sc.has_initial);
	assert_int_equal(sc.controller, 2);
	assert_int_equal(sc.initial.controller_epoch, 5);
	assert_int_equal(sc.n_topics, 3);
	assert_string_equal(sc.topics[0].name, "t");
	assert_string_equal(sc.topics[1].name, "u");
	assert_string_equal(sc.topics[2].name, "v");
	assert_int_equal(sc.topics[0].origin, SIM_TOPIC_INITIAL);
	assert_int_equal(sc.topics[0].partitions, 2);
	assert_int_equal(sc.topics[1].partitions, 1);
	assert_int_equal(sc.topics[2].origin, SIM_TOPIC_TIMELINE);
	assert_int_equal(sc.initial.n_partitions, 3);
	const struct sim_initial_partition *ip = sc.initial.partitions;
	/* Sorted: t-0, t-1, u-0. */
	assert_int_equal(ip[0].partition.topic, 0);
	assert_int_equal(ip[0].partition.partition, 0);
	assert_int_equal(ip[0].state, KC_ONLINE_PARTITION);
	assert_true(ip[0].has_leader);
	assert_int_equal(ip[0].leader, 0);
	assert_span(&sc, ip[0].replicas, (const int32_t[]){0, 1, 2}, 3);
	assert_span(&sc, ip[0].isr, (const int32_t[]){0, 1}, 2);
	assert_int_equal(ip[0].leader_epoch, 3);
	assert_int_equal(ip[0].line, 7);
	assert_int_equal(ip[1].partition.partition, 1);
	assert_true(ip[1].has_leader);
	assert_int_equal(ip[1].leader, -1);
	assert_int_equal(ip[1].state, SIM_STATE_UNSET);
	assert_span(&sc, ip[1].isr, (const int32_t[]){1, 2}, 2);
	assert_int_equal(ip[1].leader_epoch, 0);
	assert_int_equal(ip[2].partition.topic, 1);
	assert_false(ip[2].has_leader);
	assert_int_equal(ip[2].state, KC_NEW_PARTITION);
	assert_int_equal(sc.initial.n_replicas, 2);
	assert_int_equal(sc.initial.replicas[0].broker, 2);
	assert_int_equal(sc.initial.replicas[0].state, KC_OFFLINE_REPLICA);
	assert_int_equal(sc.initial.replicas[1].partition.topic, 1);
	assert_int_equal(sc.initial.replicas[1].state, KC_NEW_REPLICA);
	assert_int_equal(sc.timeline[0].u.replica_transition.to, KC_ONLINE_REPLICA);
	sim_scenario_free(&sc);
}

static void test_partition_names(void **state)
{
	(void)state;
	struct sim_scenario sc;
	/* Split at the last '-': topic "my-topic", topic "a-1". */
	load_ok("cluster: {brokers: 2}\n"
		"topics:\n"
		"  my-topic: {partitions: 2, replication_factor: 1}\n"
		"  a-1: {partitions: 12, replication_factor: 2}\n"
		"timeline:\n"
		"  - {at: 1s, preferred_election: [my-topic-1, a-1-11, a-1-0]}\n",
		&sc);
	const struct sim_pref *p = &sc.prefs[sc.timeline[0].u.preferred_election.partitions.off];
	assert_int_equal(p[0].topic, 0);
	assert_int_equal(p[0].partition, 1);
	assert_int_equal(p[1].topic, 1);
	assert_int_equal(p[1].partition, 11);
	sim_scenario_free(&sc);

	check_error("cluster: {brokers: 2}\ntopics: {a-1: {partitions: 12, replication_factor: 2}}\n"
		    "timeline: [{at: 1s, preferred_election: [a-1-01]}]\n",
		    "3:42", "is not a partition name");
	check_error("cluster: {brokers: 2}\ntopics: {a: {partitions: 1, replication_factor: 2}}\n"
		    "timeline: [{at: 1s, preferred_election: [a]}]\n",
		    "3:42", "is not a partition name");
	check_error("cluster: {brokers: 2}\ntopics: {a: {partitions: 1, replication_factor: 2}}\n"
		    "timeline: [{at: 1s, preferred_election: [-0]}]\n",
		    "3:42", "expected a partition named TOPIC-N");
}

static void test_timeline_declarations(void **state)
{
	(void)state;
	struct sim_scenario sc;
	/* A topic may be used above the line that creates it, and a broker before add_broker. */
	load_ok("cluster: {brokers: 2}\n"
		"timeline:\n"
		"  - {at: 1s, delete_topic: x}\n"
		"  - {at: 2s, crash: [9]}\n"
		"  - {at: 5s, create_topic: {name: x, partitions: 2, replication_factor: 3}}\n"
		"  - {at: 3s, add_broker: [9, 8]}\n"
		"  - {at: 4s, add_broker: 9}\n"
		"expect:\n"
		"  - {at: 6s, leader: {partition: x-1, broker: 8}}\n",
		&sc);
	assert_int_equal(sc.n_brokers, 4);
	assert_int_equal(sc.brokers[2].id, 8);
	assert_false(sc.brokers[2].in_cluster);
	assert_int_equal(sc.timeline[0].u.delete_topic, 0);
	assert_int_equal(sc.topics[0].origin, SIM_TOPIC_TIMELINE);
	sim_scenario_free(&sc);
}

static void test_topic_sets_scale(void **state)
{
	(void)state;
	struct sim_scenario sc;
	load_ok("cluster: {brokers: 3}\n"
		"topic_sets:\n"
		"  - {prefix: f, count: 100000, partitions: 1, replication_factor: 3}\n"
		"  - {prefix: g., count: 3, partitions: 1000000, replication_factor: 1}\n",
		&sc);
	assert_int_equal(sc.n_topics, 100003);
	assert_string_equal(sc.topics[0].name, "f0");
	assert_string_equal(sc.topics[99999].name, "f99999");
	assert_string_equal(sc.topics[100002].name, "g.2");
	assert_int_equal(topic(&sc, "f54321"), 54321);
	assert_true(sc.n_partitions_max == 100000 + 3000000);
	sim_scenario_free(&sc);
}

static void test_expect_forms(void **state)
{
	(void)state;
	const char *base = "cluster: {brokers: 2}\nrun_until: 1m\n";
	char y[512];
	snprintf(y, sizeof y, "%sexpect:\n  - {at: 1m, controller: 0}\n  - {within: 0, controller: none}\n", base);
	struct sim_scenario sc;
	load_ok(y, &sc);
	assert_int_equal(sc.expect[1].when, SIM_WHEN_WITHIN);
	assert_true(sc.expect[1].t_us == 0);
	sim_scenario_free(&sc);

	snprintf(y, sizeof y, "%sexpect:\n  - {at: 61s, controller: 0}\n", base);
	check_error(y, "4:10", "beyond run_until 1m");
	snprintf(y, sizeof y, "%sexpect:\n  - {within: 2m, controller: 0}\n", base);
	check_error(y, "4:14", "beyond run_until");
	snprintf(y, sizeof y, "%stimeline:\n  - {at: 1m, crash: 1}\n  - {at: 2m, crash: 0}\n", base);
	check_error(y, "5:10", "at: 2m is beyond run_until 1m");
	check_error("cluster: {brokers: 2}\nexpect:\n  - {at: 1s, within: 2s, controller: 0}\n", "3:14",
		    "both at and within");
	check_error("cluster: {brokers: 2}\nexpect:\n  - {controller: 0}\n", "3:5", "has no time");
	check_error("cluster: {brokers: 2}\nexpect:\n  - {at_end: false, controller: 0}\n", "3:14",
		    "at_end: got false");
	check_error("cluster: {brokers: 2}\nexpect:\n  - {at: 1s}\n", "3:5", "without a check");
	check_error("cluster: {brokers: 2}\nexpect:\n  - {at: 1s, controller: 0, controller_epoch: 1}\n",
		    "3:29", "a second check 'controller_epoch'");
	check_error("cluster: {brokers: 2}\nexpect:\n  - {at: 1s, leaders: 0}\n", "3:14",
		    "unknown check 'leaders'");
	check_error("cluster: {brokers: 2}\nexpect:\n  - {at: 1s, requests: {to: 0, type: Fetch, count: 1}}\n",
		    "3:38", "expected LeaderAndIsr, StopReplica or UpdateMetadata");
	check_error("cluster: {brokers: 2}\nexpect:\n"
		    "  - {at: 1s, requests: {to: 0, type: LeaderAndIsr, delete: true, count: 1}}\n",
		    "3:60", "only StopReplica carries a delete flag");
	check_error("cluster: {brokers: 2}\nexpect:\n  - {at: 1s, requests: {to: 0, type: LeaderAndIsr}}\n",
		    "3:24", "missing key 'count'");
	check_error("cluster: {brokers: 2}\nexpect:\n  - {at: 1s, replica_state: {partition: t-0, broker: 0, "
		    "state: Online}}\n",
		    "3:41", "unknown topic 't'");
	check_error("cluster: {brokers: 2}\ntopics: {t: {partitions: 1, replication_factor: 1}}\nexpect:\n"
		    "  - {at: 1s, replica_state: {partition: t-0, broker: 0, state: Online}}\n",
		    "4:64", "unknown replica state 'Online'");
	check_error("cluster: {brokers: 2}\nexpect:\n  - {at: 1s, violation: leader_in_isr}\n"
		    "invariants: {disable: [leader_in_isr]}\n",
		    "3:25", "is in invariants.disable");
	check_error("cluster: {brokers: 2}\nexpect:\n  - {at: 1s, controller_epoch: -1}\n", "3:32",
		    "out of range");
	check_error("cluster: {brokers: 2}\nexpect:\n  - {at: 1s, topic_exists: nope}\n", "3:28",
		    "unknown topic 'nope'");
}

/* ---- malformed input, by class ------------------------------------------------------------- */
static void test_yaml_syntax_errors(void **state)
{
	(void)state;
	check_error("cluster: {brokers: 3}\ntopics: [a, b\n", "3:1", "YAML syntax error");
	check_error("cluster: {brokers: 3}\n  seed: 1\n", "2:3", "did not find expected key");
	check_error("cluster: {brokers: 3}\nname: \"unterminated\n", "3:1", "YAML syntax error");
	check_error("cluster: {brokers: 3}\n\tseed: 1\n", "2:1", "YAML syntax error");
	check_error("cluster: {brokers: 3}\n---\nseed: 2\n", "2:1", "a second YAML document");
	check_error("cluster: {brokers: 3}\nseed: !!int 3\n", "2:7", "YAML tag 'tag:yaml.org,2002:int' is not allowed");
	check_error("? [a, b]\n: 1\n", "1:3", "a list used as a map key");
}

static void test_unknown_keys(void **state)
{
	(void)state;
	check_error("cluster: {brokers: 3}\nseeds: 2\n", "2:1", "unknown key 'seeds' in the top level");
	check_error("cluster: {brokers: 3}\nconfig:\n  zk_sesion_timeout: 6s\n", "3:3",
		    "unknown key 'zk_sesion_timeout' in config; expected one of: zk_session_timeout");
	check_error("cluster: {brokers: 3, controllers: 1}\n", "1:23", "unknown key 'controllers' in cluster");
	check_error("cluster: {brokers: 3}\ntopics:\n  t: {partitions: 1, replication_factor: 1, rf: 1}\n",
		    "3:45", "unknown key 'rf' in topics.t");
	check_error("cluster: {brokers: 3}\ntopic_sets:\n  - {prefix: f, count: 1, partitions: 1, "
		    "replication_factor: 1, name: x}\n",
		    "3:65", "unknown key 'name' in topic_sets[0]");
	check_error("cluster: {brokers: 3}\ntimeline:\n  - {at: 1s, pause: {broker: 0, for: 1s, until: 2s}}\n",
		    "3:42", "unknown key 'until' in pause");
	check_error("cluster: {brokers: 3}\ntimeline:\n  - {at: 1s, explode: 0}\n", "3:14",
		    "unknown action 'explode'");
	check_error("cluster: {brokers: 3}\ntopics: {t: {partitions: 1, replication_factor: 1}}\nexpect:\n"
		    "  - {at: 1s, leader: {partition: t-0, broker: 0, why: 1}}\n",
		    "4:50", "unknown key 'why' in expect leader");
	check_error("cluster: {brokers: 3}\ninitial:\n  partitions: {}\n  zk: 1\n", "4:3",
		    "unknown key 'zk' in initial");
	check_error("cluster: {brokers: 3}\ninitial:\n  partitions:\n    t-0: {replicas: [0], lead: 0}\n",
		    "4:26", "unknown key 'lead' in initial.partitions.t-0");
	check_error("cluster: {brokers: 3}\ninitial:\n  partitions: {t-0: {replicas: [0]}}\n  replicas:\n"
		    "    - {partition: t-0, broker: 0, state: NewReplica, x: 1}\n",
		    "5:54", "unknown key 'x' in initial.replicas");
	check_error("cluster: {brokers: 3}\ninvariants: {disable: [], skip: []}\n", "2:27",
		    "unknown key 'skip' in invariants");
	check_error("cluster: {brokers: 3}\ntimeline:\n  - {at: 1s, crash: 0, restart: 1}\n", "3:24",
		    "a second action 'restart'");
	check_error("cluster: {brokers: 3}\ntimeline:\n  - {crash: 0}\n", "3:5", "has no at:");
	check_error("cluster: {brokers: 3}\ntimeline:\n  - {at: 1s}\n", "3:5", "without an action");
}

static void test_wrong_types(void **state)
{
	(void)state;
	check_error("cluster: {brokers: 3}\nseed: abc\n", "2:7", "seed: got 'abc'; expected an integer");
	check_error("cluster: {brokers: 3}\nseed: \"7\"\n", "2:7", "expected an integer");
	check_error("cluster: [1, 2]\n", "1:10", "cluster: got a list; expected a map");
	check_error("cluster: {brokers: 3}\ntimeline: {at: 1s}\n", "2:11", "timeline: got a map; expected a list");
	check_error("cluster: {brokers: 3}\nconfig: {batch_requests: yes}\n", "2:26",
		    "got 'yes'; expected true or false");
	check_error("cluster: {brokers: 3}\nconfig: {zk_mode: fast}\n", "2:19", "expected sync or pipelined");
	check_error("cluster: {brokers: 3}\nconfig: {zk_max_in_flight: 2.5}\n", "2:28", "expected an integer");
	check_error("cluster: {brokers: x}\n", "1:20", "cluster.brokers: got 'x'; expected an integer");
	check_error("cluster: {brokers: {a: 1}}\n", "1:20", "a broker count or a list of broker ids");
	check_error("cluster: {brokers: 3}\nstartup: lazy\n", "2:10", "expected instant or simulated");
	check_error("cluster: {brokers: 3}\nrun_until: forever\n", "2:12", "expected quiescent or a duration");
	check_error("cluster: {brokers: 3}\ntimeline:\n  - {at: 1s, controller_failover: false}\n", "3:35",
		    "expected true");
	check_error("cluster: {brokers: 3}\ntimeline:\n  - {at: 1s, isolate: {broker: 0, from: disk, for: 1s}}\n",
		    "3:41", "expected zookeeper, controller, brokers or all");
	check_error("cluster: {brokers: 3}\ntimeline:\n  - {at: 1s, shutdown: [0]}\n", "3:24",
		    "shutdown: got a list; expected an integer");
	check_error("cluster: {brokers: 3}\ntimeline:\n  - 5\n", "3:5", "timeline entry: got '5'; expected a map");
	check_error("cluster: {brokers: 3}\ninject: KAFKA-1503\n", "2:9", "inject: got 'KAFKA-1503'; expected a list");
	check_error("cluster: {brokers: 3}\ndescription: [a]\n", "2:14", "description: got a list");
	check_error("cluster: {brokers: 3}\ntopics: {t: 3}\n", "2:13", "topics.t: got '3'; expected {partitions");
	/* A number or a boolean in quotes is a string; the message says so. */
	check_error("cluster: {brokers: 3}\nseed: \"7\"\n", "2:7",
		    "seed: got '7' (quoted, so a string, not a number); expected an integer");
	check_error("cluster: {brokers: 3}\nconfig: {zk_max_in_flight: '2'}\n", "2:28",
		    "config.zk_max_in_flight: got '2' (quoted, so a string, not a number); expected an integer");
	check_error("cluster: {brokers: 3}\nconfig: {batch_requests: \"true\"}\n", "2:26",
		    "config.batch_requests: got 'true' (quoted, so a string, not a boolean); expected true or false");
	check_error("cluster: {brokers: 3}\nconfig: {zk_mode: \"Sync\"}\n", "2:19",
		    "config.zk_mode: got 'Sync'; expected sync or pipelined");
	/* Where `none` is allowed, a type error says so. */
	check_error("cluster: {brokers: 3}\nexpect:\n  - {at: 1s, controller: nobody}\n", "3:26",
		    "controller: got 'nobody'; expected a broker id (an integer in 0..1000000) or none");
	check_error("cluster: {brokers: 3}\ntopics: {t: {partitions: 1, replication_factor: 1}}\nexpect:\n"
		    "  - {at: 1s, leader: {partition: t-0, broker: '1'}}\n",
		    "4:47", "leader.broker: got '1' (quoted, so a string, not a number); expected a broker id (an "
			    "integer in 0..1000000) or none");
	check_error("cluster: {brokers: 3}\ninitial:\n  partitions: {t-0: {replicas: [0], leader: [0]}}\n", "3:45",
		    "leader: got a list; expected a broker id (an integer in 0..1000000) or none");
	check_error("cluster: {brokers: 3}\nexpect:\n  - {at: 1s, controller: 7}\n", "3:26",
		    "controller: unknown broker 7; expected a broker declared");
	check_error("cluster: {brokers: 3, controller: none}\n", "1:35", "cluster.controller: got 'none'; expected an integer");
}

/* A quoted scalar is the same string as a plain one: every keyword is accepted quoted, with
 * single or double quotes, as names, states and durations are. */
static void test_quoted_keywords(void **state)
{
	(void)state;
	struct sim_scenario sc;
	load_ok("cluster: {brokers: 3}\n"
		"startup: \"simulated\"\n"
		"config: {zk_mode: 'pipelined', zk_session_timeout: '6s'}\n"
		"topics:\n  t: {assignment: {0: [0, 1]}}\n"
		"timeline:\n"
		"  - {at: 1s, isolate: {broker: 1, from: \"brokers\", for: 1s}}\n"
		"  - {at: 2s, isolate: {broker: 1, from: 'zookeeper', for: 1s}}\n"
		"  - {at: 3s, preferred_election: \"all\"}\n"
		"  - {at: 4s, rolling_restart: {brokers: 'all'}}\n"
		"run_until: \"quiescent\"\n"
		"expect:\n"
		"  - {at: 4s, leader: {partition: \"t-0\", broker: \"none\"}}\n"
		"  - {at: 4s, controller: 'none'}\n"
		"  - {at: 4s, replica_state: {partition: t-0, broker: 1, state: \"OnlineReplica\"}}\n",
		&sc);
	assert_int_equal(sc.startup, SIM_STARTUP_SIMULATED);
	assert_int_equal(sc.config.zk_mode, SIM_ZK_PIPELINED);
	assert_true(sc.run_until_quiescent);
	assert_int_equal(sc.n_timeline, 4);
	assert_int_equal(sc.timeline[0].u.isolate.from, SIM_ISOLATE_BROKERS);
	assert_int_equal(sc.timeline[1].u.isolate.from, SIM_ISOLATE_ZOOKEEPER);
	assert_true(sc.timeline[2].u.preferred_election.all);
	assert_true(sc.timeline[3].u.rolling_restart.all);
	assert_int_equal(sc.n_expect, 3);
	assert_int_equal(sc.expect[0].u.leader.broker, -1);
	assert_int_equal(sc.expect[1].u.controller, -1);
	sim_scenario_free(&sc);
	load_ok("cluster: {brokers: 3}\nstartup: 'instant'\nconfig: {zk_mode: \"sync\"}\nrun_until: '5s'\n", &sc);
	assert_int_equal(sc.startup, SIM_STARTUP_INSTANT);
	assert_int_equal(sc.config.zk_mode, SIM_ZK_SYNC);
	assert_false(sc.run_until_quiescent);
	assert_true(sc.run_until_us == S(5));
	sim_scenario_free(&sc);
	/* Only the exact word: case, spaces and block scalars' line breaks still count. */
	check_error("cluster: {brokers: 3}\nstartup: \"Simulated\"\n", "2:10",
		    "startup: got 'Simulated'; expected instant or simulated");
	check_error("cluster: {brokers: 3}\nstartup: \" simulated\"\n", "2:10", "expected instant or simulated");
	check_error("cluster: {brokers: 3}\nstartup: |\n  simulated\n", "2:10", "expected instant or simulated");
}

static void test_bad_durations(void **state)
{
	(void)state;
	static const char *const bad[] = {"1.5s", "-1s", "5 s", "1d", "5"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char y[128];
		snprintf(y, sizeof y, "cluster: {brokers: 3}\nconfig:\n  rpc_latency: %s\n", bad[i]);
		check_error(y, "3:16", "config.rpc_latency:");
		check_error(y, "3:16", "is not a duration; expected a non-negative integer immediately followed by us");
	}
	check_error("cluster: {brokers: 3}\nconfig:\n  rpc_latency: 721h\n", "3:16",
		    "'721h' is longer than 720h; expected at most 720h (limit: times and durations)");
	check_error("cluster: {brokers: 3}\ntimeline:\n  - {at: 721h, crash: 0}\n", "3:10", "longer than 720h");
	check_error("cluster: {brokers: 3}\nmax_time: 1.5h\n", "2:11", "max_time: '1.5h' is not a duration");
	check_error("cluster: {brokers: 3}\nconfig: {zk_session_timeout: 0}\n", "2:30", "expected a duration above 0");
	check_error("cluster: {brokers: 3}\nconfig: {replica_lag_time_max: 0}\n", "2:32",
		    "or config.isr_check_interval");
	check_error("cluster: {brokers: 3}\nrun_until: 2h\n", "2:12", "beyond max_time 1h");
	check_error("cluster: {brokers: 3}\nrun_until: 1.5h\n", "2:12", "expected quiescent or a duration");
	check_error("cluster: {brokers: 3}\ntimeline:\n  - {at: 1s, pause: {broker: 0, for: 10}}\n", "3:38",
		    "pause.for: '10' is not a duration");
}

static void test_unknown_references(void **state)
{
	(void)state;
	check_error("cluster: {brokers: 3}\ntimeline:\n  - {at: 1s, crash: 3}\n", "3:21",
		    "crash: unknown broker 3; expected a broker declared by cluster.brokers or add_broker (0, 1, 2)");
	check_error("cluster: {brokers: 3}\ntimeline:\n  - {at: 1s, crash: [0, 1, 0]}\n", "3:28",
		    "broker 0 is listed twice");
	check_error("cluster: {brokers: 3}\ntopics:\n  t: {assignment: {0: [0, 4]}}\n", "3:27", "unknown broker 4");
	check_error("cluster: {brokers: 3}\ntopics:\n  t: {assignment: {0: [0, 0]}}\n", "3:27",
		    "broker 0 is listed twice");
	check_error("cluster: {brokers: 3}\ntimeline:\n  - {at: 1s, delete_topic: orders}\n", "3:28",
		    "unknown topic 'orders'; expected a topic from topics, topic_sets or initial");
	check_error("cluster: {brokers: 3}\ntopics: {orders: {partitions: 3, replication_factor: 1}}\n"
		    "expect:\n  - {at: 1s, leader: {partition: orders-3, broker: 0}}\n",
		    "4:34", "partition 'orders-3' does not exist: topic orders never has more than 3 partitions");
	check_error("cluster: {brokers: 3}\ntopics: {orders: {partitions: 3, replication_factor: 1}}\n"
		    "expect:\n  - {at: 1s, leader: {partition: ordres-0, broker: 0}}\n",
		    "4:34", "unknown topic 'ordres' in partition 'ordres-0'");
	check_error("cluster: {brokers: 3}\ntopics: {orders: {partitions: 3, replication_factor: 1}}\n"
		    "timeline:\n  - {at: 1s, reassign: [{partition: orders-0, replicas: [1]}, "
		    "{partition: orders-0, replicas: [2]}]}\n",
		    "4:75", "partition orders-0 is listed twice");
	check_error("cluster: {brokers: 3}\ntopics: {orders: {partitions: 3, replication_factor: 1}}\n"
		    "timeline:\n  - {at: 1s, preferred_election: [orders-1, orders-2, orders-1]}\n",
		    "4:55", "partition orders-1 is listed twice");
	check_error("cluster: {brokers: 3, down: [3]}\n", "1:30", "unknown broker 3");
	check_error("cluster: {brokers: 3}\ntimeline:\n  - {at: 1s, add_broker: 1}\n", "3:26",
		    "broker 1 is already in cluster.brokers");
	check_error("cluster: {brokers: 3, down: [4]}\ntimeline:\n  - {at: 1s, add_broker: 4}\n", "1:30",
		    "cluster.down: broker 4 is not in cluster.brokers");
	check_error("cluster: {brokers: 3, down: 1, controller: 1}\n", "1:44", "cluster.controller: broker 1 is down");
	check_error("cluster: {brokers: 3}\ninvariants: {enable: [leader_in_isr, no_such]}\n", "2:38",
		    "unknown invariant 'no_such'; expected one of: no_leader_to_new_replica");
	check_error("cluster: {brokers: 3}\ninvariants: {enable: [leader_in_isr], disable: [leader_in_isr]}\n",
		    "2:23", "is both enabled and disabled");
	check_error("cluster: {brokers: 3}\ninject: [KAFKA-1503, KAFKA-9999]\n", "2:22",
		    "unknown name 'KAFKA-9999'; expected a historical bug (KAFKA-1503");
	check_error("cluster: {brokers: 3}\ntopics: {t: {partitions: 2, replication_factor: 1}}\ntimeline:\n"
		    "  - {at: 1s, partition_transition: {partitions: t-0, to: OnlinePartition, election: best}}\n",
		    "4:85", "expected offline, reassigned, preferred, controlled_shutdown or noop");
}

static void test_out_of_range(void **state)
{
	(void)state;
	check_error("cluster: {brokers: 3}\ntopics:\n  t: {partitions: 99999999999, replication_factor: 1}\n",
		    "3:19", "'99999999999' is out of range; expected an integer in 1..4000000 (limit: partitions in all)");
	check_error("cluster: {brokers: 3}\ntopics:\n  t: {partitions: 0, replication_factor: 1}\n", "3:19",
		    "out of range");
	check_error("cluster: {brokers: 3}\ntopics:\n  t: {partitions: 1, replication_factor: 4}\n", "3:42",
		    "expected an integer in 1..3 (limit: replication factor <= the 3 brokers declared, <= 64)");
	check_error("cluster: {brokers: 100}\ntopics:\n  t: {partitions: 1, replication_factor: 65}\n", "3:42",
		    "expected an integer in 1..64");
	check_error("cluster: {brokers: 3}\nconfig: {leader_imbalance_per_broker_percentage: 101}\n", "2:50",
		    "expected an integer in 0..100");
	check_error("cluster: {brokers: 3}\nconfig: {zk_max_in_flight: 0}\n", "2:28", "out of range");
	check_error("cluster: {brokers: [0, 1000001]}\n", "1:24", "out of range; expected an integer in 0..1000000 "
		    "(limit: broker ids)");
	check_error("cluster: {brokers: [0, -1]}\n", "1:24", "out of range");
	check_error("cluster: {brokers: [0, 1, 0]}\n", "1:27", "broker 0 is listed twice");
	check_error("cluster: {brokers: 0}\n", "1:20", "out of range");
	check_error("cluster: {brokers: 3}\nseed: 18446744073709551616\n", "2:7", "expected an integer in 0..");
	check_error("cluster: {brokers: 3}\ntopics:\n  t: {partitions: 2, replication_factor: 1}\ntimeline:\n"
		    "  - {at: 1s, add_partitions: {topic: t, partitions: 2, assignment: {0: [0], 1: [1], 2: [2]}}}\n",
		    "5:68", "lists 3 partitions, more than the 2 the topic is to have");
	check_error("cluster: {brokers: 3}\ntopics:\n  t: {partitions: 2, replication_factor: 1}\ntimeline:\n"
		    "  - {at: 1s, add_partitions: {topic: t, partitions: 4, assignment: {1: [0], 3: [1]}}}\n",
		    "5:69", "partition 1 in an assignment of 2 partitions; expected partition numbers 2..3");
	check_error("cluster: {brokers: 3}\ntopics:\n  t: {assignment: {0: [0, 1], 2: [1, 2]}}\n", "3:31",
		    "partition 2 in an assignment of 2 partitions; expected partition numbers 0..1");
	check_error("cluster: {brokers: 3}\ntopics:\n  t: {assignment: {0: [0, 1], 1: [1]}}\n", "3:34",
		    "partition 1 has 1 replicas, partition 0 has 2; expected the same number");
	check_error("cluster: {brokers: 3}\ntopics:\n  t: {assignment: {0: [0, 1]}, partitions: 1}\n", "3:44",
		    "both assignment and partitions");
	check_error("cluster: {brokers: 3}\ntopics:\n  t: {partitions: 1}\n", "3:6", "missing key 'replication_factor'");
}

static void test_aliases_and_anchors(void **state)
{
	(void)state;
	check_error("cluster: &c {brokers: 3}\n", "1:10", "YAML anchor '&c' is not allowed");
	check_error("x: &v 3\ncluster: {brokers: *v}\n", "1:4", "YAML anchor '&v' is not allowed");
	check_error("cluster: {brokers: *v}\n", "1:20", "YAML alias '*v' is not allowed");
	/* The billion laughs: rejected at the first anchor, nothing expanded. */
	check_error("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
		    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n",
		    "1:4", "anchors and aliases");
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	check_error("cluster: {brokers: 3}\nseed: 1\nname: x\nseed: 2\n", "4:1",
		    "duplicate key 'seed' (first at line 2 column 1)");
	check_error("cluster: {brokers: 3, brokers: 4}\n", "1:23", "duplicate key 'brokers'");
	/* Many keys: the sorted check still reports the first repeat in file order. */
	char y[8192];
	size_t o = (size_t)snprintf(y, sizeof y, "cluster: {brokers: 3}\ntopics:\n");
	for (int i = 0; i < 100; i++)
		o += (size_t)snprintf(y + o, sizeof y - o, "  t%d: {partitions: 1, replication_factor: 1}\n",
				      i == 70 ? 5 : i == 90 ? 2 : i);
	check_error(y, "73:3", "duplicate key 't5' (first at line 8 column 3)");
}

static void test_depth_limit(void **state)
{
	(void)state;
	char y[512];
	/* The top-level map is level 1: 31 lists under it make 32, accepted by the YAML layer. */
	size_t o = (size_t)snprintf(y, sizeof y, "cluster: {brokers: 1}\nx: ");
	for (int i = 0; i < 31; i++)
		y[o++] = '[';
	for (int i = 0; i < 31; i++)
		y[o++] = ']';
	y[o++] = '\n';
	y[o] = '\0';
	check_error(y, "2:1", "unknown key 'x'");
	/* 33 levels. */
	o = (size_t)snprintf(y, sizeof y, "cluster: {brokers: 1}\nx: ");
	for (int i = 0; i < 32; i++)
		y[o++] = '[';
	for (int i = 0; i < 32; i++)
		y[o++] = ']';
	y[o++] = '\n';
	y[o] = '\0';
	check_error(y, "2:35", "nested more than 32 deep; expected at most 32 levels (limit: nesting depth)");
	/* Very deep nesting stops at level 33 too. */
	char *deep = malloc(200010);
	assert_non_null(deep);
	memcpy(deep, "x: ", 3);
	memset(deep + 3, '[', 200000);
	deep[200003] = '\0';
	check_error(deep, "1:35", "nested more than 32 deep");
	free(deep);
}

static void test_scalar_limit(void **state)
{
	(void)state;
	char *y = malloc(5000);
	assert_non_null(y);
	int o = snprintf(y, 5000, "cluster: {brokers: 1}\ndescription: ");
	memset(y + o, 'a', 4096);
	strcpy(y + o + 4096, "\n");
	struct sim_scenario sc;
	load_ok(y, &sc);
	assert_int_equal(strlen(sc.description), 4096);
	sim_scenario_free(&sc);
	memset(y + o, 'a', 4097);
	strcpy(y + o + 4097, "\n");
	check_error(y, "2:14", "a value of 4097 bytes; expected at most 4096 bytes (limit: one scalar, 4 KiB)");
	free(y);
}

static void test_empty_and_top_level(void **state)
{
	(void)state;
	check_error_bytes("t.yaml", "", 0, "1:1", "the file is empty");
	check_error("# only a comment\n\n", "1:1", "the file is empty");
	check_error("---\n", "1:1", "empty document");
	check_error("- cluster: {brokers: 1}\n", "1:1", "the top level is a list; expected a map");
	check_error("\n\n  hello\n", "3:3", "the top level is 'hello'; expected a map");
	check_error("topics: {}\n", "1:1", "missing key 'cluster'");
	check_error("cluster: {}\n", "1:10", "cluster: missing key 'brokers'");
}

static void test_bad_bytes(void **state)
{
	(void)state;
	check_error("cluster: {brokers: 1}\nname: ab\xff\n", "2:9", "byte 0xFF is not valid UTF-8; expected a UTF-8 text file");
	check_error("cluster: {brokers: 1}\nname: \xc3\xa9\xc3\n", "2:8", "byte 0xC3 is not valid UTF-8");
	check_error("cluster: {brokers: 1}\nname: \xc0\x80\n", "2:7", "not valid UTF-8"); /* overlong */
	check_error("cluster: {brokers: 1}\nname: \xed\xa0\x80\n", "2:7", "not valid UTF-8"); /* surrogate */
	check_error("cluster: {brokers: 1}\r\nname: a\x01\n", "2:8", "control character U+0001 is not allowed");
	check_error_bytes("t.yaml", "cluster:\0", 9, "1:9", "control character U+0000");
	/* A UTF-8 byte order mark may start the file (YAML 1.2 5.2); it is not counted in columns. */
	struct sim_scenario bsc;
	load_ok("\xef\xbb\xbf" "name: bom\ncluster: {brokers: 2}\n", &bsc);
	assert_string_equal(bsc.name, "bom");
	assert_int_equal(bsc.n_brokers, 2);
	sim_scenario_free(&bsc);
	check_error("\xef\xbb\xbf" "cluster: {brokers: 2}\nseed: x\n", "2:7", "seed: got 'x'");
	check_error("\xef\xbb\xbf" "seed: x\ncluster: {brokers: 2}\n", "1:7", "seed: got 'x'");
	check_error("\xef\xbb\xbf" "cluster: {brokers: 2}\nseed: [\n", "3:1", "YAML syntax error");
	check_error("\xef\xbb\xbf", "1:1", "the file is empty");
	check_error("\xef\xbb\xbf" "[1]\n", "1:1", "the top level is a list");
	/* A UTF-16 file (with its BOM) is not UTF-8. */
	check_error_bytes("t.yaml", "\xff\xfe" "c\0", 4, "1:1", "byte 0xFF is not valid UTF-8");
	/* Binary garbage: always an error, never a crash. */
	unsigned char junk[4096];
	uint64_t x = 0x9E3779B97F4A7C15ull;
	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < sizeof junk; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			junk[i] = (unsigned char)x;
		}
		struct sim_scenario sc;
		struct sim_error err;
		assert_false(load_named("t.yaml", (const char *)junk, sizeof junk, NULL, 0, &sc, &err));
		assert_true(strncmp(err.msg, g_path, strlen(g_path)) == 0);
	}
	/* Valid UTF-8 elsewhere is fine; columns count characters, as libyaml does. */
	check_error("cluster: {brokers: 1}\ndescription: \"h\xc3\xa9\"\nnam\xc3\xa9: 1\n", "3:1", "unknown key 'nam\xc3\xa9'");
	check_error("cluster: {brokers: 1}\nx: {\xc3\xa9\xc3\xa9: 1, k: 1, k: 2}\n", "2:18", "duplicate key 'k' (first at line 2 column 12)");
}

static void test_initial_errors(void **state)
{
	(void)state;
	check_error("cluster: {brokers: 3}\ntopics: {t: {partitions: 1, replication_factor: 1}}\n"
		    "initial:\n  partitions: {t-0: {replicas: [0]}}\n",
		    "2:1", "topics cannot be used with initial");
	check_error("cluster: {brokers: 3}\ninitial:\n  partitions: {u-0: {replicas: [0]}}\n"
		    "topic_sets: [{prefix: f, count: 1, partitions: 1, replication_factor: 1}]\n",
		    "4:1", "topic_sets cannot be used with initial");
	check_error("cluster: {brokers: 3}\nstartup: simulated\ninitial:\n  partitions: {t-0: {replicas: [0]}}\n",
		    "2:1", "startup cannot be used with initial");
	check_error("cluster: {brokers: 3}\ninitial:\n  partitions:\n    t-1: {replicas: [0]}\n", "4:5",
		    "initial.partitions lists t-1 but not t-0; expected every partition of topic t, from t-0 up");
	check_error("cluster: {brokers: 3}\ninitial:\n  partitions:\n    t-0: {replicas: [0]}\n"
		    "    u-0: {replicas: [0]}\n    t-3: {replicas: [0]}\n    t-1: {replicas: [0]}\n",
		    "6:5", "lists t-3 but not t-2");
	check_error("cluster: {brokers: 3}\ninitial:\n  partitions:\n    t-0: {replicas: [0], isr: [0]}\n",
		    "4:26", "isr without leader");
	check_error("cluster: {brokers: 3}\ninitial:\n  partitions:\n    t-0: {replicas: [0], leader: 0, "
		    "state: Online}\n",
		    "4:44", "unknown partition state 'Online'; expected NonExistentPartition, NewPartition");
	check_error("cluster: {brokers: 3}\ninitial:\n  partitions:\n    t-0: {leader: 0}\n", "4:10",
		    "missing key 'replicas'");
	check_error("cluster: {brokers: 3}\ninitial:\n  partitions:\n    t-0: {replicas: [0], leader: 7}\n",
		    "4:34", "unknown broker 7");
	check_error("cluster: {brokers: 3}\ninitial:\n  partitions:\n    t: {replicas: [0]}\n", "4:5",
		    "initial.partitions: 't' is not a partition name");
	check_error("cluster: {brokers: 3}\ninitial:\n  partitions: {t-0: {replicas: [0]}}\n  replicas:\n"
		    "    - {partition: t-0, broker: 1, state: OnlineReplica}\n"
		    "    - {partition: t-0, broker: 1, state: OfflineReplica}\n",
		    "6:7", "replica 1 of t-0 is listed twice");
	check_error("cluster: {brokers: 3}\ninitial:\n  partitions: {t-0: {replicas: [0]}}\n  replicas:\n"
		    "    - {partition: t-0, broker: 1, state: Offline}\n",
		    "5:42", "unknown replica state 'Offline'");
	check_error("cluster: {brokers: 3}\ninitial:\n  partitions: {t-0: {replicas: [0]}}\n  replicas:\n"
		    "    - {partition: v-0, broker: 1, state: NewReplica}\n"
		    "timeline: [{at: 1s, create_topic: {name: v, partitions: 1, replication_factor: 1}}]\n",
		    "5:19", "partition v-0 is not in initial.partitions");
	check_error("cluster: {brokers: 3}\ninitial:\n  controller_epoch: x\n", "3:21", "expected an integer");
}

static void test_names(void **state)
{
	(void)state;
	check_error("cluster: {brokers: 3}\nname: a/b\n", "2:7",
		    "name: 'a/b' is not a valid name; expected 1-200 characters from [A-Za-z0-9._-], not starting with '.'");
	check_error("cluster: {brokers: 3}\nname: ..\n", "2:7", "is not a valid name");
	check_error("cluster: {brokers: 3}\nname: \"../x\"\n", "2:7", "is not a valid name");
	check_error("cluster: {brokers: 3}\nname: \"\"\n", "2:7", "is not a valid name");
	check_error("cluster: {brokers: 3}\ntopics:\n  a/b: {partitions: 1, replication_factor: 1}\n", "3:3",
		    "topic name: 'a/b' is not a valid name");
	check_error("cluster: {brokers: 3}\ntopics:\n  .hidden: {partitions: 1, replication_factor: 1}\n", "3:3",
		    "is not a valid name");
	char y[512];
	int o = snprintf(y, sizeof y, "cluster: {brokers: 3}\nname: ");
	memset(y + o, 'n', 201);
	strcpy(y + o + 201, "\n");
	check_error(y, "2:7", "is not a valid name");
	y[o + 200] = '\n';
	y[o + 201] = '\0';
	struct sim_scenario sc;
	load_ok(y, &sc);
	assert_int_equal(strlen(sc.name), 200);
	sim_scenario_free(&sc);
	check_error("cluster: {brokers: 3}\ntimeline:\n  - {at: 1s, create_topic: {name: x y, partitions: 1, "
		    "replication_factor: 1}}\n",
		    "3:35", "create_topic.name: 'x y' is not a valid name");
	check_error("cluster: {brokers: 3}\ntopic_sets: [{prefix: a/, count: 2, partitions: 1, replication_factor: 1}]\n",
		    "2:23", "prefix 'a/' makes names such as 'a/1'");
	/* No name: key, and a file name that is not a valid name. */
	const char *bad = "cluster: {brokers: 3}\n";
	check_error_bytes("bad name.yaml", bad, strlen(bad), "1:1", "'bad name' is not a valid name");
}

static void test_profile(void **state)
{
	(void)state;
	check_error("cluster: {brokers: 3}\nprofile: 1.1\n", "2:10",
		    "profile '1.1' is not supported; expected one of the supported profiles: 0.8.2");
	struct sim_scenario sc;
	load_ok("cluster: {brokers: 3}\nprofile: 0.8.2\n", &sc);
	assert_int_equal(sc.profile, KC_PROFILE_0_8_2);
	sim_scenario_free(&sc);
}

static void test_topic_set_collisions(void **state)
{
	(void)state;
	check_error("cluster: {brokers: 3}\ntopic_sets:\n"
		    "  - {prefix: f, count: 11, partitions: 1, replication_factor: 1}\n"
		    "  - {prefix: f1, count: 1, partitions: 1, replication_factor: 1}\n",
		    "4:14", "topic_sets[1] makes topic 'f10', which topic_sets already makes");
	check_error("cluster: {brokers: 3}\ntopics: {f2: {partitions: 1, replication_factor: 1}}\ntopic_sets:\n"
		    "  - {prefix: f, count: 3, partitions: 1, replication_factor: 1}\n",
		    "4:14", "topic_sets[0] makes topic 'f2', which topics already declares");
}

static void test_limits(void **state)
{
	(void)state;
	check_error("cluster: {brokers: 3}\ntopic_sets:\n"
		    "  - {prefix: f, count: 1000000000, partitions: 1, replication_factor: 1}\n",
		    "3:24", "expected an integer in 0..1000000 (limit: topics, with topic_sets)");
	check_error("cluster: {brokers: 3}\ntopics: {t: {partitions: 1, replication_factor: 1}}\ntopic_sets:\n"
		    "  - {prefix: f, count: 1000000, partitions: 1, replication_factor: 1}\n",
		    "4:24", "1000000 more topics make 1000001; expected at most 1000000 (limit: topics, with topic_sets)");
	check_error("cluster: {brokers: 3}\ntopic_sets:\n"
		    "  - {prefix: f, count: 5, partitions: 1000000, replication_factor: 1}\n",
		    "3:24", "make 5000000 partitions in all; expected at most 4000000 (limit: partitions in all)");
	check_error("cluster: {brokers: 3}\ntopics:\n  a: {partitions: 3000000, replication_factor: 1}\n"
		    "  b: {partitions: 1000001, replication_factor: 1}\n",
		    "4:19", "(limit: partitions in all)");
	check_error("cluster: {brokers: 3}\ntopics: {a: {partitions: 3000000, replication_factor: 1}}\n"
		    "timeline: [{at: 1s, add_partitions: {topic: a, partitions: 4000000}},\n"
		    "  {at: 1s, create_topic: {name: b, partitions: 2, replication_factor: 1}}]\n",
		    "3:60", "topic a: 4000000 partitions bring the scenario to 4000002 partitions; expected at most 4000000 in all (limit: partitions in all)");
	check_error("cluster: {brokers: 10001}\n", "1:20", "expected an integer in 1..10000 (limit: brokers)");
	check_error("cluster: {brokers: 9999}\ntimeline: [{at: 1s, add_broker: [10000, 10001]}]\n", "2:34",
		    "10001 brokers declared in all; expected at most 10000 (limit: brokers)");

	/* 1,000,001 timeline entries or expectations: refused before anything is allocated. */
	size_t n = 1000001, len = 40 + 2 * n;
	char *y = malloc(len);
	assert_non_null(y);
	size_t o = (size_t)snprintf(y, len, "cluster: {brokers: 1}\ntimeline: [");
	for (size_t i = 0; i < n; i++) {
		y[o++] = '0';
		y[o++] = ',';
	}
	y[o - 1] = ']';
	y[o++] = '\n';
	check_error_bytes("t.yaml", y, o, "2:11", "timeline: 1000001 entries; expected at most 1000000 (limit: timeline entries)");
	o = (size_t)snprintf(y, len, "cluster: {brokers: 1}\nexpect:   [");
	for (size_t i = 0; i < n; i++) {
		y[o++] = '0';
		y[o++] = ',';
	}
	y[o - 1] = ']';
	y[o++] = '\n';
	check_error_bytes("t.yaml", y, o, "2:11", "expect: 1000001 entries; expected at most 1000000 (limit: expectations)");
	free(y);

	/* A file over 64 MiB (sparse) is refused as a whole. */
	const char *big = write_file("big.yaml", "cluster: {brokers: 1}\n", 22);
	assert_int_equal(truncate(big, (off_t)(64u << 20) + 1), 0);
	struct sim_scenario sc;
	struct sim_error err;
	assert_false(sim_scenario_load(big, NULL, 0, &sc, &err));
	assert_non_null(strstr(err.msg, ":1:1: the file is larger than 64 MiB; expected at most 67108864 bytes (limit: file size)"));
	assert_int_equal(unlink(big), 0);
	/* A file that cannot be read. */
	assert_false(sim_scenario_load("/nonexistent/x.yaml", NULL, 0, &sc, &err));
	assert_string_equal(err.msg, "/nonexistent/x.yaml:1:1: cannot open the file (No such file or directory); "
				     "expected a readable YAML file");
}

/* ---- --set --------------------------------------------------------------------------------- */
static const char set_base[] =
	"cluster: {brokers: 3}\n"
	"topics:\n"
	"  orders: {partitions: 3, replication_factor: 3}\n"
	"  my.topic: {partitions: 2, replication_factor: 1}\n"
	"topic_sets:\n"
	"  - {prefix: f, count: 10, partitions: 1, replication_factor: 1}\n";

static void test_set_valid(void **state)
{
	(void)state;
	struct sim_scenario sc;
	const char *const o[] = {
		"config.zk_mode=pipelined", "topics.orders.partitions=1000", "topic_sets.0.count=50",
		"cluster.brokers=5",	    "seed=7",			   "topics.my.topic.partitions=4",
		"config.latency_jitter=1ms", "name=swept",		   "inject=[KAFKA-1096]",
		"seed=8"};
	load_ok_set(set_base, o, sizeof o / sizeof o[0], &sc);
	assert_int_equal(sc.config.zk_mode, SIM_ZK_PIPELINED);
	assert_true(sc.config.latency_jitter_us == 1000);
	assert_int_equal(sc.topics[topic(&sc, "orders")].partitions, 1000);
	assert_int_equal(sc.topics[topic(&sc, "my.topic")].partitions, 4);
	assert_int_equal(sc.n_topics, 52);
	assert_int_equal(sc.n_brokers, 5);
	assert_true(sc.seed == 8);
	assert_string_equal(sc.name, "swept");
	assert_true(sc.inject_on[SIM_INJECT_KAFKA_1096]);
	sim_scenario_free(&sc);

	/* A whole subtree, a list item, and a section the file does not have. */
	const char *const o2[] = {
		"cluster.brokers=[1, 2, 5]",
		("topic_sets.0={prefix: g, count: 2, partitions: 1, replication_factor: 3}"),
		"invariants.disable=[leader_alive]",
		"description=",
	};
	load_ok_set(set_base, o2, 4, &sc);
	assert_int_equal(sc.n_brokers, 3);
	assert_int_equal(sc.brokers[2].id, 5);
	assert_string_equal(sc.topics[2].name, "g0");
	assert_false(sc.invariant_on[SIM_INV_LEADER_ALIVE]);
	assert_null(sc.description);
	sim_scenario_free(&sc);

	/* Into a key whose value is empty. */
	const char *const o3[] = {"config.rpc_latency=5ms"};
	load_ok_set("cluster: {brokers: 3}\nconfig:\n", o3, 1, &sc);
	assert_true(sc.config.rpc_latency_us == 5000);
	sim_scenario_free(&sc);
}

static void test_set_invalid(void **state)
{
	(void)state;
	check_set_error(set_base, "config.bogus=1", "unknown key 'bogus' in config; expected one of: zk_session_timeout");
	check_set_error(set_base, "config.zk_mode=fast", "config.zk_mode: got 'fast'; expected sync or pipelined");
	check_set_error(set_base, "topic_sets.3.count=50", "topic_sets is a list of 1; expected an index 0..0");
	check_set_error(set_base, "topic_sets.x.count=50", "expected an index 0..0 after it, got 'x'");
	check_set_error(set_base, "seed", "missing KEY=; expected KEY=VALUE");
	check_set_error(set_base, "=5", "missing KEY=");
	check_set_error(set_base, "cluster.brokers.x=1", "cluster.brokers holds a single value, not a map or list");
	check_set_error(set_base, "seed.x=1", "seed: got a map; expected an integer");
	check_set_error(set_base, "config..zk_mode=sync", "an empty segment");
	check_set_error(set_base, "seed.=1", "an empty segment");
	check_set_error(set_base, "seed=[1,", "VALUE at column");
	check_set_error(set_base, "seed=&a 1", "YAML anchor");
	check_set_error(set_base, "seed=-7", "seed: got '-7'; expected an integer");
	check_set_error(set_base, "topics.orders.partitions=99999999999", "(limit: partitions in all)");
	check_set_error(set_base, "topic_sets.0.count=1000000000", "(limit: topics, with topic_sets)");
	check_set_error(set_base, "cluster.brokers=[1, x]", "cluster.brokers: got 'x'; expected an integer");
	check_set_error(set_base, "topics.new.partitions=3", "topics.new: missing key 'replication_factor'");
	check_set_error(set_base, "bogus=1", "unknown key 'bogus' in the top level");
	check_set_error(set_base, "profile=1.1", "profile '1.1' is not supported");

	/* An override that makes the file's own text wrong is reported at that text. */
	struct sim_scenario sc;
	struct sim_error err;
	const char *const o[] = {"cluster.brokers=1"};
	assert_false(load_named("t.yaml", set_base, strlen(set_base), o, 1, &sc, &err));
	char want[256];
	snprintf(want, sizeof want, "%s:3:47: topics.orders.replication_factor: '3' is out of range; expected an "
				    "integer in 1..1",
		 g_path);
	assert_true(strncmp(err.msg, want, strlen(want)) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_parse),
		cmocka_unit_test(test_duration_format),
		cmocka_unit_test(test_catalog),
		cmocka_unit_test(test_full_scenario),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_initial_scenario),
		cmocka_unit_test(test_partition_names),
		cmocka_unit_test(test_timeline_declarations),
		cmocka_unit_test(test_topic_sets_scale),
		cmocka_unit_test(test_expect_forms),
		cmocka_unit_test(test_yaml_syntax_errors),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_quoted_keywords),
		cmocka_unit_test(test_bad_durations),
		cmocka_unit_test(test_unknown_references),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_aliases_and_anchors),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_scalar_limit),
		cmocka_unit_test(test_empty_and_top_level),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_initial_errors),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_profile),
		cmocka_unit_test(test_topic_set_collisions),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_set_valid),
		cmocka_unit_test(test_set_invalid),
	};
	return cmocka_run_group_tests(tests, sim_test_setup, sim_test_teardown);
}
