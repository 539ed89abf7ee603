/* sim_report_test.c — tests of the result writers: JSON string escaping (sim_json), the
 * write-to-NAME.tmp-then-rename discipline of sim_report (nothing half-written on any error,
 * nothing left behind), mkdir -p, the trace's files (state-change.log lines in 0.8.2's
 * wording against hand-written lines, trace.jsonl's key order), and a whole run's folder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_json.h"
#include "sim_report.h"
#include "sim_run.h"
#include "sim_scenario.h"
#include "sim_trace.h"
#include "sim_world.h"

static char g_dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof g_dir, "/tmp/kcsim-report-test-XXXXXX");
	return mkdtemp(g_dir) ? 0 : -1;
}

static void rm_rf(const char *path)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", path, path);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", path);
}

static int remove_dir(void **state)
{
	(void)state;
	rm_rf(g_dir);
	return 0;
}

static char *path_in(const char *name)
{
	static char p[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%s/%s", g_dir, name);
	return p[i];
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* The file's contents (caller frees), or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int c;
	while ((c = getc(f)) != EOF)
		putc(c, out);
	fclose(f);
	fclose(out);
	return buf;
}

/* ---- JSON strings ---- */

static void check_json(const char *in, const char *expected)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	sim_json_string(f, in);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, expected);
	free(buf);
}

static void test_json_escaping(void **state)
{
	(void)state;
	check_json("plain orders-0", "\"plain orders-0\"");
	check_json("", "\"\"");
	check_json(NULL, "null");
	check_json("a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
	check_json("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	check_json("\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\"");
	/* valid UTF-8 of every length passes through */
	check_json("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* anything else becomes U+FFFD, byte by byte */
	check_json("\xff", "\"\\ufffd\"");
	check_json("\xc0\xaf", "\"\\ufffd\\ufffd\"");         /* overlong '/' */
	check_json("\xe2\x82", "\"\\ufffd\\ufffd\"");         /* truncated at the end */
	check_json("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* a surrogate */
	check_json("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* above U+10FFFF */
	check_json("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");         /* overlong 3-byte */
	check_json("a\xc3(b", "\"a\\ufffd(b\"");
	/* longer than sim_json_string's own buffer, with escapes throughout */
	char in[600], want[1300];
	size_t n = 0;
	want[n++] = '"';
	for (size_t i = 0; i < sizeof in - 1; i++) {
		in[i] = i % 127 == 0 ? '"' : 'a';
		if (in[i] == '"')
			want[n++] = '\\';
		want[n++] = in[i];
	}
	in[sizeof in - 1] = '\0';
	want[n++] = '"';
	want[n] = '\0';
	check_json(in, want);
}

/* ---- atomic writes ---- */

static void test_commit_success(void **state)
{
	(void)state;
	FILE *f = sim_report_open(g_dir, "summary.json");
	assert_non_null(f);
	assert_true(exists(path_in("summary.json.tmp")));
	assert_false(exists(path_in("summary.json")));
	fputs("{}\n", f);
	assert_true(sim_report_commit(f, g_dir, "summary.json"));
	assert_false(exists(path_in("summary.json.tmp")));
	char *s = slurp(path_in("summary.json"));
	assert_string_equal(s, "{}\n");
	free(s);
}

/* Root writes anywhere, so an unwritable folder is made by taking a folder's place with a
 * file (ENOTDIR) as well as, for other users, by permissions. */
static void test_unwritable_directory(void **state)
{
	(void)state;
	FILE *plain = fopen(path_in("not-a-dir"), "w");
	assert_non_null(plain);
	fclose(plain);
	assert_null(sim_report_open(path_in("not-a-dir"), "timeline.csv"));
	assert_false(sim_report_mkdirs(path_in("not-a-dir/sub")));
	assert_int_equal(errno, ENOTDIR);
	assert_false(sim_report_mkdirs(path_in("not-a-dir")));
	assert_int_equal(errno, ENOTDIR);

	char *ro = path_in("read-only");
	assert_int_equal(mkdir(ro, 0555), 0);
	if (geteuid() == 0) {
		rmdir(ro);
		return; /* permissions do not bind root */
	}
	assert_null(sim_report_open(ro, "timeline.csv"));
	char *tmp = path_in("read-only/timeline.csv.tmp");
	assert_false(exists(tmp));
	rmdir(ro);
}

/* A write that fails (the disk is full) leaves the previous file intact and no NAME.tmp. */
static void test_write_error_keeps_old_file(void **state)
{
	(void)state;
	FILE *old = fopen(path_in("partitions.csv"), "w");
	assert_non_null(old);
	fputs("old\n", old);
	fclose(old);

	FILE *f = sim_report_open(g_dir, "partitions.csv");
	assert_non_null(f);
	int full = open("/dev/full", O_WRONLY);
	if (full < 0) {
		fclose(f);
		skip();
	}
	assert_true(dup2(full, fileno(f)) >= 0);
	close(full);
	for (int i = 0; i < 100000; i++)
		fputs("partition,unavailable_us,unavailable_intervals\n", f);
	assert_false(sim_report_commit(f, g_dir, "partitions.csv"));
	assert_false(exists(path_in("partitions.csv.tmp")));
	char *s = slurp(path_in("partitions.csv"));
	assert_string_equal(s, "old\n");
	free(s);
}

/* A rename that fails (a folder holds the name) removes the temporary file. */
static void test_rename_error_removes_tmp(void **state)
{
	(void)state;
	assert_int_equal(mkdir(path_in("timeline.csv"), 0755), 0);
	FILE *keep = fopen(path_in("timeline.csv/keep"), "w");
	assert_non_null(keep);
	fclose(keep);
	FILE *f = sim_report_open(g_dir, "timeline.csv");
	assert_non_null(f);
	fputs("t_us\n", f);
	assert_false(sim_report_commit(f, g_dir, "timeline.csv"));
	assert_false(exists(path_in("timeline.csv.tmp")));
	assert_true(exists(path_in("timeline.csv/keep")));
}

static void test_mkdirs(void **state)
{
	(void)state;
	assert_true(sim_report_mkdirs(path_in("a/b/c")));
	assert_true(sim_report_mkdirs(path_in("a/b/c/")));
	assert_true(sim_report_mkdirs(path_in("a//b")));
	struct stat st;
	assert_int_equal(stat(path_in("a/b/c"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

/* ---- the trace ---- */

static const char trace_yaml[] = "name: trace\n"
				 "cluster: {brokers: 3}\n"
				 "topics:\n"
				 "  orders: {assignment: {0: [0, 1, 2]}}\n";

struct world_fx {
	struct sim_scenario sc;
	struct sim_world w;
};

static void world_up(struct world_fx *x)
{
	char *path = path_in("trace.yaml");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(trace_yaml, f);
	assert_int_equal(fclose(f), 0);
	struct sim_error err;
	if (!sim_scenario_load(path, NULL, 0, &x->sc, &err))
		fail_msg("%s", err.msg);
	unlink(path);
	sim_world_init(&x->w, &x->sc);
	const struct sim_topic *tp = &x->sc.topics[0];
	sim_zk_create_topic(&x->w.zk, 0, tp->partitions, x->sc.ints + tp->assignment, tp->replication_factor, -1);
}

static void world_down(struct world_fx *x)
{
	sim_world_free(&x->w);
	sim_scenario_free(&x->sc);
}

static struct kc_state_change rec(bool is_partition, bool applied, int from, int to, enum kc_reason why)
{
	return (struct kc_state_change){.is_partition = is_partition,
					.applied = applied,
					.pid = 0,
					.broker = is_partition ? -1 : 2,
					.from = (uint8_t)from,
					.to = (uint8_t)to,
					.reason = why,
					.leader = 1,
					.controller_id = 0,
					.controller_epoch = 1};
}

static void test_state_change_log(void **state)
{
	(void)state;
	struct world_fx x;
	world_up(&x);
	char *dir = path_in("out");
	struct sim_trace *t = sim_trace_new(&x.w, dir, true);
	assert_non_null(t);
	x.w.now = 7000200;
	const struct kc_state_change recs[] = {
		rec(false, true, KC_ONLINE_REPLICA, KC_OFFLINE_REPLICA, KC_OK),
		rec(true, true, KC_NON_EXISTENT_PARTITION, KC_NEW_PARTITION, KC_OK),
		rec(true, true, KC_NEW_PARTITION, KC_ONLINE_PARTITION, KC_OK),
		rec(true, true, KC_ONLINE_PARTITION, KC_OFFLINE_PARTITION, KC_OK),
		rec(false, false, KC_ONLINE_REPLICA, KC_NEW_REPLICA, KC_FAIL_INVALID_EDGE),
		rec(false, false, KC_ONLINE_REPLICA, KC_OFFLINE_REPLICA, KC_FAIL_NO_LEADERSHIP),
		rec(true, false, KC_OFFLINE_PARTITION, KC_ONLINE_PARTITION, KC_FAIL_NO_REPLICA_ONLINE),
		rec(true, false, KC_NON_EXISTENT_PARTITION, KC_ONLINE_PARTITION, KC_FAIL_INVALID_EDGE),
		rec(true, false, KC_NON_EXISTENT_PARTITION, KC_ONLINE_PARTITION, KC_FAIL_NOT_STARTED),
		rec(false, false, KC_NON_EXISTENT_REPLICA, KC_ONLINE_REPLICA, KC_FAIL_NOT_STARTED),
	};
	for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++)
		sim_trace_state_change(&x.w, t, 0, &recs[i]);
	x.w.now = 12000000;
	sim_ctrl_module(&x.w, 1); /* the electing controller's module (epoch 0: never failed over) */
	struct kc_lisr before = {.leader = 0, .leader_epoch = 3, .zk_version = 4, .isr_len = 1, .isr = {0}};
	const int32_t ar[] = {0, 1, 2}, isr[] = {1};
	struct kc_election e = {.pid = 0, .selector = KC_SEL_OFFLINE, .before = &before, .ar_len = 3, .ar = ar,
				.ok = true, .leader = 1, .isr_len = 1, .isr = isr, .unclean = true};
	sim_trace_election(&x.w, t, 1, &e);
	assert_false(exists(path_in("out/state-change.log")));
	assert_true(sim_trace_finish(t));
	assert_true(sim_trace_commit(t));
	sim_trace_free(t);

	char *log = slurp(path_in("out/state-change.log"));
	assert_non_null(log);
	assert_string_equal(
		log,
		"[7.000200] TRACE Controller 0 epoch 1 changed state of replica 2 for partition [orders,0] from "
		"OnlineReplica to OfflineReplica (state.change.logger)\n"
		"[7.000200] TRACE Controller 0 epoch 1 changed partition [orders,0] state from NonExistentPartition to "
		"NewPartition with assigned replicas 0,1,2 (state.change.logger)\n"
		"[7.000200] TRACE Controller 0 epoch 1 changed partition [orders,0] from NewPartition to OnlinePartition "
		"with leader 1 (state.change.logger)\n"
		"[7.000200] TRACE Controller 0 epoch 1 changed partition [orders,0] state from OnlinePartition to "
		"OfflinePartition (state.change.logger)\n"
		"[7.000200] ERROR Controller 0 epoch 1 initiated state change of replica 2 for partition [orders,0] from "
		"OnlineReplica to NewReplica failed (state.change.logger)\n"
		"java.lang.AssertionError: assertion failed: Replica [Topic=orders,Partition=0,Replica=2] should be in "
		"the NonExistentReplica states before moving to NewReplica state. Instead it is in OnlineReplica state\n"
		"[7.000200] ERROR Controller 0 epoch 1 initiated state change of replica 2 for partition [orders,0] from "
		"OnlineReplica to OfflineReplica failed (state.change.logger)\n"
		"kafka.common.StateChangeFailedException: leader and isr path in zookeeper is empty\n"
		"[7.000200] ERROR Controller 0 epoch 1 initiated state change for partition [orders,0] from "
		"OfflinePartition to OnlinePartition failed (state.change.logger)\n"
		"kafka.common.NoReplicaOnlineException: no replica in ISR is alive\n"
		"[7.000200] ERROR Controller 0 epoch 1 initiated state change for partition [orders,0] from "
		"NonExistentPartition to OnlinePartition failed (state.change.logger)\n"
		"java.lang.IllegalStateException: Partition [orders,0] should be in the "
		"NewPartition,OnlinePartition,OfflinePartition states before moving to OnlinePartition state. Instead "
		"it is in NonExistentPartition state\n"
		"[7.000200] ERROR Controller 0 epoch 1 initiated state change for partition [orders,0] to "
		"OnlinePartition failed because the partition state machine has not started (state.change.logger)\n"
		"[7.000200] ERROR Controller 0 epoch 1 initiated state change of replica 2 for partition [orders,0] to "
		"OnlineReplica failed because replica state machine has not started (state.change.logger)\n"
		"[12.000000] TRACE Controller 1 epoch 0 started leader election for partition [orders,0] "
		"(state.change.logger)\n"
		"[12.000000] TRACE Controller 1 epoch 0 elected leader 1 for Offline partition [orders,0] "
		"(state.change.logger)\n");
	free(log);

	char *jl = slurp(path_in("out/trace.jsonl"));
	assert_non_null(jl);
	const char *first = "{\"t_us\":7000200,\"type\":\"state_change\",\"controller\":0,\"epoch\":1,"
			    "\"machine\":\"replica\",\"partition\":\"orders-0\",\"broker\":2,\"from\":\"OnlineReplica\","
			    "\"to\":\"OfflineReplica\",\"applied\":true}\n";
	assert_memory_equal(jl, first, strlen(first));
	assert_non_null(strstr(jl, "{\"t_us\":7000200,\"type\":\"state_change\",\"controller\":0,\"epoch\":1,"
				   "\"machine\":\"partition\",\"partition\":\"orders-0\",\"from\":\"OfflinePartition\","
				   "\"to\":\"OnlinePartition\",\"applied\":false,\"reason\":\"no replica in ISR is alive\"}\n"));
	assert_non_null(strstr(jl, "{\"t_us\":12000000,\"type\":\"election\",\"controller\":1,\"partition\":\"orders-0\","
				   "\"selector\":\"offline\",\"ok\":true,\"leader\":1,\"isr\":[1],\"unclean\":true,"
				   "\"replicas\":[0,1,2],\"before\":{\"leader\":0,\"leader_epoch\":3,\"isr\":[0],"
				   "\"zk_version\":4}}\n"));
	free(jl);
	world_down(&x);
}

/* A trace that is never committed (the run failed to write its results) leaves nothing. */
static void test_uncommitted_trace_leaves_nothing(void **state)
{
	(void)state;
	struct world_fx x;
	world_up(&x);
	char *dir = path_in("gone");
	struct sim_trace *t = sim_trace_new(&x.w, dir, true);
	assert_non_null(t);
	sim_trace_violation(&x.w, t, "leader_in_isr", "detail with \"quotes\"");
	assert_true(exists(path_in("gone/trace.jsonl.tmp")));
	sim_trace_free(t);
	assert_false(exists(path_in("gone/trace.jsonl.tmp")));
	assert_false(exists(path_in("gone/state-change.log.tmp")));
	assert_false(exists(path_in("gone/trace.jsonl")));
	assert_null(sim_trace_new(&x.w, dir, false));
	world_down(&x);
}

/* A whole run: summary.json's own fields around the figures, the failure lines, and the
 * trace files present with --trace and gone after a rerun without it. */
static const char e2e_yaml[] = "name: e2e\n"
			       "cluster: {brokers: 3}\n"
			       "topics:\n"
			       "  t: {assignment: {0: [1, 2, 0]}}\n"
			       "timeline:\n"
			       "  - {at: 1s, crash: 1}\n"
			       "expect:\n"
			       "  - {at_end: true, leader: {partition: t-0, broker: 2}}\n"
			       "  - {at_end: true, leader: {partition: t-0, broker: 0}}\n";

static int run_e2e(bool trace, char *verdict, size_t n)
{
	char *path = path_in("e2e.yaml");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(e2e_yaml, f);
	assert_int_equal(fclose(f), 0);
	struct sim_scenario sc;
	struct sim_error err;
	if (!sim_scenario_load(path, NULL, 0, &sc, &err))
		fail_msg("%s", err.msg);
	struct sim_run_opts opts = {.scenario_path = path, .out_dir = path_in("res/e2e"), .trace = trace, .quiet = true};
	snprintf(opts.repro, sizeof opts.repro, "kcsim run e2e.yaml --seed 1");
	int rc = sim_run(&sc, &opts, verdict, n);
	sim_scenario_free(&sc);
	return rc;
}

static void test_summary_of_a_run(void **state)
{
	(void)state;
	char verdict[512];
	assert_int_equal(run_e2e(true, verdict, sizeof verdict), 1);
	assert_true(exists(path_in("res/e2e/trace.jsonl")));
	assert_true(exists(path_in("res/e2e/state-change.log")));
	assert_false(exists(path_in("res/e2e/trace.jsonl.tmp")));
	char *s = slurp(path_in("res/e2e/summary.json"));
	assert_non_null(s);
	const char *head = "{\n"
			   "  \"scenario\": \"e2e\",\n"
			   "  \"seed\": 1,\n"
			   "  \"profile\": \"0.8.2\",\n"
			   "  \"outcome\": \"fail\",\n"
			   "  \"reason\": \"expectation\",\n"
			   "  \"end_us\": ";
	assert_memory_equal(s, head, strlen(head));
	assert_non_null(strstr(s, ",\n  \"violations\": [],\n"
				  "  \"expectations\": {\"passed\": 1, \"failed\": 1, \"not_evaluated\": 0},\n"
				  "  \"failures\": [\n    \""));
	assert_non_null(strstr(s, "e2e.yaml:9:"));
	assert_non_null(strstr(s, "\"\n  ],\n  \"figures\": {\n    \"events\": "));
	assert_non_null(strstr(s, "    \"leader_elections\": 1,\n"));
	assert_non_null(strstr(s, "{\"kind\": \"broker_failure\", \"broker\": 1, \"start_us\": 7000200, "));
	const char *tail = "\n  },\n  \"repro\": \"kcsim run e2e.yaml --seed 1\"\n}\n";
	assert_string_equal(s + strlen(s) - strlen(tail), tail);
	free(s);
	char *tl = slurp(path_in("res/e2e/timeline.csv"));
	assert_non_null(strstr(tl, "\n1000000,1,0,0,0,0,0,0\n")); /* broker 1's crash: t-0 unavailable */
	free(tl);
	char *parts = slurp(path_in("res/e2e/partitions.csv"));
	assert_memory_equal(parts, "partition,unavailable_us,unavailable_intervals\nt-0,", 51);
	free(parts);

	assert_int_equal(run_e2e(false, verdict, sizeof verdict), 1);
	assert_false(exists(path_in("res/e2e/trace.jsonl")));
	assert_false(exists(path_in("res/e2e/state-change.log")));
	assert_true(exists(path_in("res/e2e/summary.json")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test_setup_teardown(test_commit_success, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_unwritable_directory, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_write_error_keeps_old_file, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_rename_error_removes_tmp, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_mkdirs, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_state_change_log, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_uncommitted_trace_leaves_nothing, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_summary_of_a_run, make_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
