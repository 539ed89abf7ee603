/* sim_sweep_test.c — kcsim sweep: the --set grammar (what splits, what is refused and how it
 * is said), the grid's order, exit status 2 with the message on stderr for bad input, the same
 * bytes for any --jobs, and sweep.csv's figures against what the run's trace says for small
 * scenarios checked by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_cli.h"
#include "sim_sweep.h"

/* ---- the grammar ---------------------------------------------------------------------------- */

static void test_set_splits_values(void **state)
{
	(void)state;
	struct sim_sweep_grid g = {0};
	struct sim_error err;
	assert_true(sim_sweep_grid_add(&g, "config.zk_mode=sync,pipelined", &err));
	assert_true(sim_sweep_grid_add(&g, "cluster.brokers=[0,1,2],[0,1,2,3],5", &err));
	assert_true(sim_sweep_grid_add(&g, "topics.my.topic.partitions=10", &err));
	assert_int_equal(g.n_axes, 3);
	assert_string_equal(g.axes[0].key, "config.zk_mode");
	assert_int_equal(g.axes[0].n_values, 2);
	assert_string_equal(g.axes[0].values[1], "pipelined");
	assert_int_equal(g.axes[1].n_values, 3);
	assert_string_equal(g.axes[1].values[0], "[0,1,2]");
	assert_string_equal(g.axes[1].values[1], "[0,1,2,3]");
	assert_string_equal(g.axes[1].values[2], "5");
	assert_string_equal(g.axes[2].key, "topics.my.topic.partitions");
	assert_int_equal(g.n_runs, 6);
	sim_sweep_grid_free(&g);
}

/* The first --set is the outermost loop. */
static void test_grid_order(void **state)
{
	(void)state;
	struct sim_sweep_grid g = {0};
	struct sim_error err;
	assert_true(sim_sweep_grid_add(&g, "a=1,2", &err));
	assert_true(sim_sweep_grid_add(&g, "b=x,y,z", &err));
	assert_int_equal(g.n_runs, 6);
	static const char *const want[6][2] = {{"a=1", "b=x"}, {"a=1", "b=y"}, {"a=1", "b=z"},
					       {"a=2", "b=x"}, {"a=2", "b=y"}, {"a=2", "b=z"}};
	char *storage = malloc(sim_sweep_grid_overrides_size(&g));
	const char *ovr[2];
	assert_non_null(storage);
	for (size_t r = 0; r < 6; r++) {
		sim_sweep_grid_overrides(&g, r, ovr, storage);
		assert_string_equal(ovr[0], want[r][0]);
		assert_string_equal(ovr[1], want[r][1]);
	}
	free(storage);
	sim_sweep_grid_free(&g);
}

static void test_set_refuses(void **state)
{
	(void)state;
	static const struct {
		const char *arg, *says;
	} bad[] = {
		{NULL, "nothing given; expected KEY=V1,V2,..."},
		{"", "nothing given"},
		{"config.zk_mode", "no '='; expected KEY=V1,V2,..."},
		{"=sync", "an empty KEY"},
		{"config.zk_mode=", "no values"},
		{"config.zk_mode=sync,,pipelined", "an empty value"},
		{"config.zk_mode=sync,", "an empty value"},
		{"config.zk_mode=sync,sync", "a value given twice; expected distinct values"},
		{"config..zk_mode=sync", "an empty segment in KEY"},
		{".seed=1", "an empty segment in KEY"},
		{"seed.=1", "an empty segment in KEY"},
		{"con fig=1", "a KEY with a character other than"},
		{"cluster.brokers=[0,1", "an unclosed bracket"},
		{"cluster.brokers=0],1", "an unmatched closing bracket"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct sim_sweep_grid g = {0};
		struct sim_error err = {{0}};
		assert_false(sim_sweep_grid_add(&g, bad[i].arg, &err));
		assert_int_equal(g.n_axes, 0);
		assert_true(strncmp(err.msg, "kcsim: --set: ", 14) == 0);
		if (!strstr(err.msg, bad[i].says))
			fail_msg("--set %s: got '%s', wanted '%s'", bad[i].arg ? bad[i].arg : "(none)", err.msg,
				 bad[i].says);
	}
	/* the same KEY twice; a grid too large */
	struct sim_sweep_grid g = {0};
	struct sim_error err;
	assert_true(sim_sweep_grid_add(&g, "seed=1,2", &err));
	assert_false(sim_sweep_grid_add(&g, "seed=3", &err));
	assert_non_null(strstr(err.msg, "already swept"));
	assert_true(sim_sweep_grid_add(&g, "a=1,2,3,4,5,6,7,8,9,10", &err));
	assert_true(sim_sweep_grid_add(&g, "b=1,2,3,4,5,6,7,8,9,10", &err));
	assert_false(sim_sweep_grid_add(&g, "c=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,"
					    "29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51",
					&err));
	assert_non_null(strstr(err.msg, "exceed 10000 runs"));
	assert_int_equal(g.n_axes, 3);
	sim_sweep_grid_free(&g);
}

/* ---- the command ---------------------------------------------------------------------------- */

static char tmp_dir[64];

static void path_in(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmp_dir, name);
}

static void write_text(const char *name, const char *text)
{
	char path[256];
	path_in(path, sizeof path, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A crash of partition t-0's leader: broker 1 leads, broker 2 follows, broker 0 controls. */
static const char crash_yaml[] = "name: crash\n"
				 "cluster: {brokers: 3}\n"
				 "topics:\n"
				 "  t: {assignment: {0: [1, 2], 1: [2, 0]}}\n"
				 "timeline:\n"
				 "  - {at: 1s, crash: 1}\n";

/* Runs `kcsim sweep ARGS...` with stderr caught in *msg (malloc'd); returns its exit status. */
static int sweep(char **msg, ...)
{
	char name[] = "sweep";
	char *argv[32] = {name};
	int argc = 1;
	va_list ap;
	va_start(ap, msg);
	for (const char *a; (a = va_arg(ap, const char *)) != NULL && argc < 31;)
		argv[argc++] = (char *)a;
	va_end(ap);
	char errpath[256];
	path_in(errpath, sizeof errpath, "stderr.txt");
	fflush(NULL);
	int saved_err = dup(STDERR_FILENO), saved_out = dup(STDOUT_FILENO);
	FILE *f = fopen(errpath, "w"), *null = fopen("/dev/null", "w");
	assert_non_null(f);
	assert_non_null(null);
	dup2(fileno(f), STDERR_FILENO);
	/* stdout's lines are not the test's concern (and cmocka reports there) */
	dup2(fileno(null), STDOUT_FILENO);
	int rc = sim_cli_sweep(argc, argv);
	fflush(NULL);
	dup2(saved_err, STDERR_FILENO);
	dup2(saved_out, STDOUT_FILENO);
	close(saved_err);
	close(saved_out);
	fclose(f);
	fclose(null);
	*msg = sim_sweep_read_file(errpath, NULL);
	assert_non_null(*msg);
	return rc;
}

static void test_bad_input_exits_2(void **state)
{
	(void)state;
	char scn[256], out[256];
	write_text("crash.yaml", crash_yaml);
	path_in(scn, sizeof scn, "crash.yaml");
	path_in(out, sizeof out, "bad");
	static const struct {
		const char *set, *says;
	} bad[] = {
		{"config.zk_mode", "kcsim: --set: config.zk_mode: no '='; expected KEY=V1,V2,..."},
		{"config.zk_mode=sync,fast", "kcsim: --set: config.zk_mode=fast: "},
		{"config.zk_mod=sync", "kcsim: --set: config.zk_mod=sync: unknown key"},
		{"topics.t.partitions=x", "kcsim: --set: topics.t.partitions=x: "},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *msg;
		assert_int_equal(sweep(&msg, scn, "--set", bad[i].set, "--out", out, NULL), 2);
		if (!strstr(msg, bad[i].says))
			fail_msg("--set %s: got '%s', wanted '%s'", bad[i].set, msg, bad[i].says);
		free(msg);
	}
	char *msg;
	assert_int_equal(sweep(&msg, scn, "--out", out, NULL), 2);
	assert_non_null(strstr(msg, "no --set given"));
	free(msg);
	assert_int_equal(sweep(&msg, scn, "--set", "seed=1", "--jobs", "0", NULL), 2);
	assert_non_null(strstr(msg, "kcsim: --jobs: expected a number from 1 to 256"));
	free(msg);
	assert_int_equal(sweep(&msg, scn, "--set", "--jobs", "2", NULL), 2);
	assert_non_null(strstr(msg, "kcsim: --set: (missing): nothing given"));
	free(msg);
	/* nothing was run */
	assert_int_not_equal(access(out, F_OK), 0);
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* sweep.csv as one string per line. */
struct table {
	char *text;
	char *line[16];
	int n;
};

static void read_table(const char *dir, struct table *t)
{
	char path[600];
	snprintf(path, sizeof path, "%s/sweep.csv", dir);
	t->text = sim_sweep_read_file(path, NULL);
	assert_non_null(t->text);
	t->n = 0;
	for (char *p = t->text; *p && t->n < 16;) {
		t->line[t->n++] = p;
		p += strcspn(p, "\n");
		if (*p)
			*p++ = '\0';
	}
}

/* The integer in column `name` of data line `row` (1-based). */
static int64_t field(const struct table *t, int row, const char *name)
{
	int col = -1, i = 0;
	for (const char *p = t->line[0]; *p; i++) {
		size_t n = strcspn(p, ",");
		if (n == strlen(name) && strncmp(p, name, n) == 0)
			col = i;
		p += n + (p[n] == ',');
	}
	assert_true(col >= 0);
	const char *p = t->line[row];
	for (i = 0; i < col; i++)
		p += strcspn(p, ",") + 1;
	return strtoll(p, NULL, 10);
}

/* What a run's trace.jsonl says: busy time, request counts by type, elections, and when
 * broker 2 applied the LeaderAndIsr that made it t-0's leader. */
struct traced {
	int64_t busy_us, lair, um, stop, elections, first_election_us, broker_change_us, lair_id, leads_at_us;
};

static void read_trace(const char *run, struct traced *x)
{
	char path[600];
	snprintf(path, sizeof path, "%s/trace.jsonl", run);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	memset(x, 0, sizeof *x);
	x->first_election_us = x->lair_id = x->leads_at_us = -1;
	char *line = NULL;
	size_t size = 0;
	ssize_t len;
	while ((len = getline(&line, &size, f)) > 0) {
		struct sim_jv v = {line, line + len}, m;
		char type[32] = "", kind[32] = "";
		int64_t t = 0, a = 0, b = 0, id = 0, to = 0;
		bool ok = false;
		assert_true(sim_sweep_json_member(v, "type", &m) && sim_sweep_json_str(m, type, sizeof type));
		assert_true(sim_sweep_json_member(v, "t_us", &m) && sim_sweep_json_int(m, &t));
		if (strcmp(type, "controller_event") == 0) {
			assert_true(sim_sweep_json_member(v, "start_us", &m) && sim_sweep_json_int(m, &a));
			assert_true(sim_sweep_json_member(v, "end_us", &m) && sim_sweep_json_int(m, &b));
			x->busy_us += b - a;
			if (sim_sweep_json_member(v, "event", &m) && sim_sweep_json_str(m, kind, sizeof kind) &&
			    strcmp(kind, "broker_change") == 0)
				x->broker_change_us = b - a;
		} else if (strcmp(type, "request") == 0 || strcmp(type, "request_dropped") == 0) {
			assert_true(sim_sweep_json_member(v, "request", &m) && sim_sweep_json_str(m, kind, sizeof kind));
			x->lair += strcmp(kind, "LeaderAndIsr") == 0;
			x->um += strcmp(kind, "UpdateMetadata") == 0;
			x->stop += strcmp(kind, "StopReplica") == 0;
			assert_true(sim_sweep_json_member(v, "to", &m) && sim_sweep_json_int(m, &to));
			assert_true(sim_sweep_json_member(v, "id", &m) && sim_sweep_json_int(m, &id));
			if (strcmp(kind, "LeaderAndIsr") == 0 && to == 2 && x->lair_id < 0)
				x->lair_id = id;
		} else if (strcmp(type, "request_handled") == 0) {
			assert_true(sim_sweep_json_member(v, "id", &m) && sim_sweep_json_int(m, &id));
			assert_true(sim_sweep_json_member(v, "applied", &m) && sim_sweep_json_bool(m, &ok));
			if (id == x->lair_id && ok && x->leads_at_us < 0)
				x->leads_at_us = t;
		} else if (strcmp(type, "election") == 0) {
			assert_true(sim_sweep_json_member(v, "ok", &m) && sim_sweep_json_bool(m, &ok));
			if (ok) {
				x->elections++;
				if (x->first_election_us < 0)
					x->first_election_us = t;
			}
		}
	}
	free(line);
	fclose(f);
}

/* Hand-checked: broker 1 crashes at 1 s; its session expires 6 s later (zk_session_timeout)
 * and the controller hears of it zk_read_latency (200 µs) after that, electing broker 2 for
 * t-0 at once: first election 6.0002 s after the fault. t-0 is unavailable from the crash
 * until broker 2 applies the LeaderAndIsr naming it, the only partition that is (t-1's leader
 * is broker 2). The trace must agree with every figure sweep.csv reports. */
static void test_figures_match_trace(void **state)
{
	(void)state;
	char scn[256], out[256];
	write_text("crash.yaml", crash_yaml);
	path_in(scn, sizeof scn, "crash.yaml");
	path_in(out, sizeof out, "crash");
	char *msg;
	assert_int_equal(sweep(&msg, scn, "--set", "config.zk_mode=sync,pipelined", "--set",
			       "config.batch_requests=true,false", "--trace", "--out", out, NULL),
			 0);
	free(msg);
	struct table t;
	read_table(out, &t);
	assert_int_equal(t.n, 5);
	assert_string_equal(t.line[0],
			    "run,config.zk_mode,config.batch_requests,seed,outcome,op,partitions,replicas,brokers,"
			    "partitions_per_broker,replicas_per_broker,fault_us,end_us,op_us,op_elections,"
			    "first_elected_us,last_elected_us,recovered_us,leaderless_partition_us,"
			    "max_leaderless_partitions,unavailable_partition_us,max_unavailable_partitions,"
			    "unavailable_intervals,controller_busy_us,controller_events,controller_event_max_us,"
			    "max_controller_queue,zk_reads,zk_writes,requests,LeaderAndIsr,UpdateMetadata,StopReplica,"
			    "requests_dropped,leader_elections,unclean_elections,events");
	assert_true(starts_with(t.line[1], "run-0001,sync,true,1,pass,broker_failure,2,4,3,0,1,1000000,"));
	assert_true(starts_with(t.line[4], "run-0004,pipelined,false,1,pass,broker_failure,"));
	for (int row = 1; row <= 4; row++) {
		char run[300];
		snprintf(run, sizeof run, "%s/run-%04d", out, row);
		struct traced x;
		read_trace(run, &x);
		assert_int_equal(field(&t, row, "fault_us"), 1000000);
		assert_int_equal(field(&t, row, "first_elected_us"), 6000200);
		assert_int_equal(field(&t, row, "first_elected_us"), x.first_election_us - 1000000);
		assert_int_equal(field(&t, row, "last_elected_us"), 6000200);
		assert_int_equal(field(&t, row, "leader_elections"), x.elections);
		assert_int_equal(field(&t, row, "leader_elections"), 1);
		assert_int_equal(field(&t, row, "op_elections"), 1);
		assert_int_equal(field(&t, row, "controller_busy_us"), x.busy_us);
		assert_int_equal(field(&t, row, "op_us"), x.broker_change_us);
		assert_int_equal(field(&t, row, "LeaderAndIsr"), x.lair);
		assert_int_equal(field(&t, row, "UpdateMetadata"), x.um);
		assert_int_equal(field(&t, row, "StopReplica"), x.stop);
		assert_int_equal(field(&t, row, "requests"), x.lair + x.um + x.stop);
		/* 6 s + 200 µs to the election, then the broker-change event's cost before its
		 * election batch leaves: the two live brokers' registration reads (sync 400 µs;
		 * pipelined one round, 200 µs), the election's read and write (1,700 µs) and one
		 * partition's op cost (50 µs); then 1 ms rpc_latency to broker 2 */
		assert_int_equal(field(&t, row, "recovered_us"), row <= 2 ? 6003350 : 6003150);
		assert_int_equal(field(&t, row, "recovered_us"), x.leads_at_us - 1000000);
		/* one partition, one interval, from the crash to broker 2 leading */
		assert_int_equal(field(&t, row, "unavailable_partition_us"), x.leads_at_us - 1000000);
		assert_int_equal(field(&t, row, "max_unavailable_partitions"), 1);
		assert_int_equal(field(&t, row, "unavailable_intervals"), 1);
		assert_int_equal(field(&t, row, "leaderless_partition_us"), 0);
	}
	free(t.text);
}

/* The same sweep with one and with two workers: the same sweep.csv and run files. */
static void test_jobs_do_not_change_bytes(void **state)
{
	(void)state;
	char scn[256], one[256], two[256];
	write_text("crash.yaml", crash_yaml);
	path_in(scn, sizeof scn, "crash.yaml");
	path_in(one, sizeof one, "jobs1");
	path_in(two, sizeof two, "jobs2");
	char *msg;
	assert_int_equal(sweep(&msg, scn, "--set", "seed=1,2,3", "--set", "config.zk_mode=sync,pipelined", "--jobs",
			       "1", "--out", one, NULL),
			 0);
	free(msg);
	assert_int_equal(sweep(&msg, scn, "--set", "seed=1,2,3", "--set", "config.zk_mode=sync,pipelined", "--jobs",
			       "2", "--out", two, NULL),
			 0);
	free(msg);
	static const char *const files[] = {"sweep.csv", "run-0001/summary.json", "run-0004/timeline.csv",
					    "run-0006/partitions.csv"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char a[512], b[512];
		snprintf(a, sizeof a, "%s/%s", one, files[i]);
		snprintf(b, sizeof b, "%s/%s", two, files[i]);
		size_t la, lb;
		char *x = sim_sweep_read_file(a, &la), *y = sim_sweep_read_file(b, &lb);
		assert_non_null(x);
		assert_non_null(y);
		assert_int_equal(la, lb);
		assert_memory_equal(x, y, la);
		free(x);
		free(y);
	}
	/* seed swept: its own column, no second one */
	struct table t;
	read_table(one, &t);
	assert_true(starts_with(t.line[0], "run,seed,config.zk_mode,outcome,op,"));
	assert_true(starts_with(t.line[6], "run-0006,3,pipelined,pass,"));
	free(t.text);
}

/* The CDF the plot draws: the one unavailable partition, for as long as sweep.csv says. */
static void test_plot_data_of_a_run(void **state)
{
	(void)state;
	char run[256], plots[300];
	path_in(run, sizeof run, "crash/run-0001");
	snprintf(plots, sizeof plots, "%s/plots-test", run);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", plots);
	assert_int_equal(system(cmd), 0);
	struct sim_error err;
	bool busy = false;
	assert_true(sim_sweep_plot_run_data(run, plots, &busy, &err));
	assert_true(busy);
	char path[400];
	snprintf(path, sizeof path, "%s/cdf.dat", plots);
	char *cdf = sim_sweep_read_file(path, NULL);
	assert_non_null(cdf);
	struct table t;
	path_in(path, sizeof path, "crash");
	read_table(path, &t);
	char want[128];
	snprintf(want, sizeof want, "\n0 0\n%" PRId64 " 1\n", field(&t, 1, "recovered_us"));
	assert_non_null(strstr(cdf, want));
	free(t.text);
	free(cdf);
	snprintf(path, sizeof path, "%s/busy.gp", plots);
	char *rows = sim_sweep_read_file(path, NULL);
	assert_non_null(rows);
	assert_non_null(strstr(rows, "'broker_change (1 event, "));
	free(rows);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp_dir, sizeof tmp_dir, "/tmp/kcsim-sweep-test-XXXXXX");
	return mkdtemp(tmp_dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_splits_values),
		cmocka_unit_test(test_grid_order),
		cmocka_unit_test(test_set_refuses),
		cmocka_unit_test(test_bad_input_exits_2),
		cmocka_unit_test(test_figures_match_trace),
		cmocka_unit_test(test_jobs_do_not_change_bytes),
		cmocka_unit_test(test_plot_data_of_a_run),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
