/* sim_cli_sweep.c — `kcsim sweep`: one scenario over the cross product of its --set values.
 * Every grid point is loaded (and so validated) before the first run starts; the runs go to
 * DIR/run-0001 ... in grid order, spread over --jobs worker processes, largest first; then
 * DIR/sweep.csv gets one row per run in grid order. Nothing a worker does reaches an output
 * byte except through its own run folder, so the job count never changes the result. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim_cli.h"
#include "sim_report.h"
#include "sim_sweep.h"

static const char sweep_usage[] =
	"usage: kcsim sweep SCENARIO.yaml --set KEY=V1,V2,... [--set ...] [--jobs N] [--out DIR]\n"
	"                   [--trace]\n"
	"\n"
	"Runs the scenario once per point of the grid that the --set options span (the cross\n"
	"product, first --set outermost), each run into DIR/run-0001, DIR/run-0002, ..., and writes\n"
	"DIR/sweep.csv: one row per run with the swept values, seed, outcome and figures (all\n"
	"integers; times in µs; -1 means never). DIR defaults to results/sweep-NAME.\n"
	"\n"
	"  --set KEY=V1,V2,...  a dotted scenario path and its values, e.g. config.zk_mode=sync,pipelined,\n"
	"                       topics.t.partitions=100,1000, topic_sets.0.count=1000,10000,\n"
	"                       cluster.brokers=5,9 or seed=1,2,3; a value is YAML, and commas inside\n"
	"                       [] or {} do not split it (cluster.brokers=[0,1,2],[0,1,2,3])\n"
	"  --jobs N             run N scenarios at a time (1..256; output is identical for any N)\n"
	"  --out DIR            write the runs and sweep.csv to DIR\n"
	"  --trace              give every run trace.jsonl and state-change.log (for kcsim plot's\n"
	"                       controller-busy strip)\n"
	"\n"
	"sweep.csv columns: run, one per --set KEY, seed, outcome (pass/fail), op (the kind of the\n"
	"first operation at or after the first timeline entry), then partitions, replicas, brokers,\n"
	"partitions_per_broker, replicas_per_broker (at start), fault_us (the first timeline entry),\n"
	"end_us, op_us (that operation's span), op_elections, first_elected_us and last_elected_us\n"
	"(after the fault), recovered_us (after the fault, until no partition is unavailable),\n"
	"summary.json's partition-µs, maxima, controller, ZooKeeper and request counts, events.\n"
	"\n"
	"Exit status: 0 every run passed, 1 some run failed, 2 unusable input.\n";

struct sweep {
	const char *path;
	const char *out;
	bool trace;
	struct sim_sweep_grid grid;
	struct sim_sweep_shape *shapes; /* per run, from loading it */
	int *rc;
	char (*verdict)[1024];
	int width;                      /* digits in run folder names */
	char *storage;                  /* for one run's override strings */
	const char **ovr;
	char name[SIM_MAX_NAME + 1];
};

static void run_dir(const struct sweep *s, size_t run, char *buf, size_t size)
{
	snprintf(buf, size, "%s/run-%0*zu", s->out, s->width, run + 1);
}

/* Appends s to buf at *n (clipped), quoted for a POSIX shell if it needs it. */
static void put_word(char *buf, size_t size, int *n, const char *s)
{
	bool plain = *s != '\0';
	for (const char *p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.=/,:", *p))
			plain = false;
	if (*n < 0 || (size_t)*n >= size)
		return;
	if (plain) {
		*n += snprintf(buf + *n, size - (size_t)*n, " %s", s);
		return;
	}
	*n += snprintf(buf + *n, size - (size_t)*n, " '");
	for (const char *p = s; *p && *n > 0 && (size_t)*n < size; p++)
		*n += *p == '\'' ? snprintf(buf + *n, size - (size_t)*n, "'\\''")
				 : snprintf(buf + *n, size - (size_t)*n, "%c", *p);
	if (*n > 0 && (size_t)*n < size)
		*n += snprintf(buf + *n, size - (size_t)*n, "'");
}

/* Loads run `run` (its overrides applied) into *sc. */
static bool load_run(struct sweep *s, size_t run, struct sim_scenario *sc, struct sim_error *err)
{
	sim_sweep_grid_overrides(&s->grid, run, s->ovr, s->storage);
	return sim_scenario_load(s->path, s->ovr, s->grid.n_axes, sc, err);
}

/* One run, in this process. Returns its exit status, *verdict its outcome line. */
static int do_run(struct sweep *s, size_t run, char *verdict, size_t verdict_len)
{
	struct sim_scenario sc;
	struct sim_error err;
	if (!load_run(s, run, &sc, &err)) {
		snprintf(verdict, verdict_len, "%s", err.msg);
		return 2;
	}
	char dir[4096];
	run_dir(s, run, dir, sizeof dir);
	struct sim_run_opts opts = {.scenario_path = s->path, .out_dir = dir, .trace = s->trace, .quiet = true,
				    .seed = sc.seed};
	int n = snprintf(opts.repro, sizeof opts.repro, "kcsim sweep");
	put_word(opts.repro, sizeof opts.repro, &n, s->path);
	for (size_t a = 0; a < s->grid.n_axes; a++) {
		put_word(opts.repro, sizeof opts.repro, &n, "--set");
		put_word(opts.repro, sizeof opts.repro, &n, s->ovr[a]);
	}
	if (s->trace)
		put_word(opts.repro, sizeof opts.repro, &n, "--trace");
	int rc = sim_run(&sc, &opts, verdict, verdict_len);
	sim_scenario_free(&sc);
	return rc;
}

/* Validates every grid point and records its shape; false (message printed) on bad input. */
static bool load_all(struct sweep *s)
{
	for (size_t r = 0; r < s->grid.n_runs; r++) {
		struct sim_scenario sc;
		struct sim_error err;
		if (!load_run(s, r, &sc, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			return false;
		}
		sim_sweep_shape_of(&sc, &s->shapes[r]);
		if (r == 0)
			snprintf(s->name, sizeof s->name, "%s", sc.name);
		sim_scenario_free(&sc);
	}
	return true;
}

static void progress(const struct sweep *s, size_t done)
{
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\rsweep %s: %zu/%zu runs%s", s->name, done, s->grid.n_runs,
			done == s->grid.n_runs ? "\n" : "");
}

/* Runs in order of decreasing size (ties by grid order), so that the longest runs do not
 * start last. */
static size_t *run_order(const struct sweep *s)
{
	size_t n = s->grid.n_runs;
	size_t *order = malloc(n * sizeof *order);
	if (!order)
		exit(3);
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		while (j > 0 && s->shapes[order[j - 1]].partitions < s->shapes[i].partitions)
			j--;
		memmove(order + j + 1, order + j, (i - j) * sizeof *order);
		order[j] = i;
	}
	return order;
}

/* A worker: reads run indexes, one a line, and answers "rc verdict" for each. */
static void worker(struct sweep *s, int in_fd, int out_fd)
{
	FILE *in = fdopen(in_fd, "r"), *out = fdopen(out_fd, "w");
	if (!in || !out)
		_exit(3);
	char line[64];
	while (fgets(line, sizeof line, in)) {
		size_t run = strtoull(line, NULL, 10);
		char verdict[1024];
		int rc = run < s->grid.n_runs ? do_run(s, run, verdict, sizeof verdict) : 2;
		for (char *c = verdict; *c; c++)
			if (*c == '\n')
				*c = ' ';
		fprintf(out, "%d %s\n", rc, verdict);
		fflush(out);
	}
	_exit(0);
}

struct slot {
	pid_t pid;
	FILE *cmd, *res;
	size_t run;      /* the run it is working on */
	bool busy;
};

/* Gives worker w the next run, or closes its command pipe (so that it exits) if none is left. */
static void hand_out(struct slot *w, const size_t *order, size_t *next, size_t n)
{
	if (*next == n) {
		fclose(w->cmd);
		w->cmd = NULL;
		return;
	}
	w->run = order[(*next)++];
	fprintf(w->cmd, "%zu\n", w->run);
	fflush(w->cmd);
	w->busy = true;
}

/* Hands the runs to `jobs` forked workers, one at a time each, as they become free. */
static void run_parallel(struct sweep *s, int jobs)
{
	size_t n = s->grid.n_runs, next = 0, done = 0;
	size_t *order = run_order(s);
	struct slot *w = calloc((size_t)jobs, sizeof *w);
	struct pollfd *pfd = calloc((size_t)jobs, sizeof *pfd);
	if (!w || !pfd)
		exit(3);
	for (int k = 0; k < jobs; k++) {
		int cmd[2], res[2];
		if (pipe(cmd) != 0 || pipe(res) != 0)
			exit(3);
		fflush(NULL);
		w[k].pid = fork();
		if (w[k].pid < 0)
			exit(3);
		if (w[k].pid == 0) {
			close(cmd[1]);
			close(res[0]);
			/* the other workers' pipes stay with the parent */
			for (int j = 0; j < k; j++) {
				if (w[j].cmd)
					fclose(w[j].cmd);
				fclose(w[j].res);
			}
			worker(s, cmd[0], res[1]);
		}
		close(cmd[0]);
		close(res[1]);
		w[k].cmd = fdopen(cmd[1], "w");
		w[k].res = fdopen(res[0], "r");
		if (!w[k].cmd || !w[k].res)
			exit(3);
		hand_out(&w[k], order, &next, n);
	}
	while (done < n) {
		for (int k = 0; k < jobs; k++) {
			pfd[k].fd = w[k].busy ? fileno(w[k].res) : -1;
			pfd[k].events = POLLIN;
			pfd[k].revents = 0;
		}
		if (poll(pfd, (nfds_t)jobs, -1) < 0) {
			if (errno == EINTR)
				continue;
			exit(3);
		}
		for (int k = 0; k < jobs; k++) {
			if (!w[k].busy || !pfd[k].revents)
				continue;
			char line[1100];
			size_t run = w[k].run;
			w[k].busy = false;
			int rc = 3, off = 0;
			if (fgets(line, sizeof line, w[k].res) && sscanf(line, "%d %n", &rc, &off) >= 1) {
				line[strcspn(line, "\n")] = '\0';
				snprintf(s->verdict[run], sizeof s->verdict[run], "%s", line + off);
				hand_out(&w[k], order, &next, n);
			} else {
				/* a dead worker gets no more runs; the others finish theirs */
				snprintf(s->verdict[run], sizeof s->verdict[run], "the worker process died");
				fclose(w[k].cmd);
				w[k].cmd = NULL;
			}
			s->rc[run] = rc;
			progress(s, ++done);
		}
		bool any_busy = false;
		for (int k = 0; k < jobs; k++)
			any_busy |= w[k].busy;
		if (!any_busy)
			for (; next < n; next++, done++) {
				s->rc[order[next]] = 3;
				snprintf(s->verdict[order[next]], sizeof s->verdict[order[next]],
					 "not run: the worker processes died");
			}
	}
	for (int k = 0; k < jobs; k++) {
		if (w[k].cmd)
			fclose(w[k].cmd);
		fclose(w[k].res);
		waitpid(w[k].pid, NULL, 0);
	}
	free(order);
	free(w);
	free(pfd);
}

/* A CSV cell: quoted when it holds a comma, quote or line break. */
static void put_cell(FILE *f, const char *v)
{
	if (!strpbrk(v, ",\"\r\n")) {
		fprintf(f, ",%s", v);
		return;
	}
	fputs(",\"", f);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', f);
		fputc(*v, f);
	}
	fputc('"', f);
}

/* The seed column is left out when seed itself is swept (its own column says it). */
static bool seed_swept(const struct sweep *s)
{
	for (size_t a = 0; a < s->grid.n_axes; a++)
		if (strcmp(s->grid.axes[a].key, "seed") == 0)
			return true;
	return false;
}

static bool write_csv(const struct sweep *s)
{
	FILE *f = sim_report_open(s->out, "sweep.csv");
	if (!f) {
		fprintf(stderr, "kcsim: sweep: %s/sweep.csv: %s\n", s->out, strerror(errno));
		return false;
	}
	bool own_seed = !seed_swept(s);
	fputs("run", f);
	for (size_t a = 0; a < s->grid.n_axes; a++)
		put_cell(f, s->grid.axes[a].key);
	fputs(own_seed ? ",seed,outcome" : ",outcome", f);
	sim_sweep_figures_header(f);
	fputc('\n', f);
	bool ok = true;
	for (size_t r = 0; r < s->grid.n_runs && ok; r++) {
		char dir[4096];
		run_dir(s, r, dir, sizeof dir);
		fprintf(f, "run-%0*zu", s->width, r + 1);
		for (size_t a = 0; a < s->grid.n_axes; a++)
			put_cell(f, s->grid.axes[a].values[sim_sweep_grid_value(&s->grid, r, a)]);
		if (own_seed)
			fprintf(f, ",%" PRIu64, s->shapes[r].seed);
		fputs(s->rc[r] == 0 ? ",pass" : ",fail", f);
		struct sim_error err;
		if (!sim_sweep_figures_row(dir, &s->shapes[r], f, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			ok = false;
		}
		fputc('\n', f);
	}
	if (!ok) {
		fclose(f);
		sim_report_discard(s->out, "sweep.csv");
		return false;
	}
	if (!sim_report_commit(f, s->out, "sweep.csv")) {
		fprintf(stderr, "kcsim: sweep: %s/sweep.csv: %s\n", s->out, strerror(errno));
		return false;
	}
	return true;
}

static void sweep_free(struct sweep *s)
{
	sim_sweep_grid_free(&s->grid);
	free(s->shapes);
	free(s->rc);
	free(s->verdict);
	free(s->storage);
	free(s->ovr);
}

int sim_cli_sweep(int argc, char **argv)
{
	struct sweep s = {0};
	long jobs = 1;
	struct sim_error err;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(sweep_usage, stdout);
			sweep_free(&s);
			return 0;
		} else if (strcmp(a, "--set") == 0) {
			/* an option right after --set is a forgotten value, not a KEY */
			const char *arg = i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0 ? argv[i + 1] : NULL;
			if (!sim_sweep_grid_add(&s.grid, arg, &err)) {
				fprintf(stderr, "%s\n", err.msg);
				sweep_free(&s);
				return 2;
			}
			i++;
		} else if (strcmp(a, "--jobs") == 0) {
			char *end = NULL;
			jobs = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : 0;
			if (!end || *end || end == argv[i + 1] || jobs < 1 || jobs > 256) {
				fprintf(stderr, "kcsim: --jobs: expected a number from 1 to 256\n");
				sweep_free(&s);
				return 2;
			}
			i++;
		} else if (strcmp(a, "--out") == 0 && i + 1 < argc) {
			s.out = argv[++i];
		} else if (strcmp(a, "--trace") == 0) {
			s.trace = true;
		} else if (a[0] == '-' || s.path) {
			fprintf(stderr, "kcsim: sweep: unexpected argument '%s'; see kcsim sweep --help\n", a);
			sweep_free(&s);
			return 2;
		} else {
			s.path = a;
		}
	}
	if (!s.path || s.grid.n_axes == 0) {
		fprintf(stderr, "kcsim: sweep: %s; see kcsim sweep --help\n",
			s.path ? "no --set given; expected at least one --set KEY=V1,V2,..." : "no scenario given");
		sweep_free(&s);
		return 2;
	}
	size_t n = s.grid.n_runs;
	s.shapes = calloc(n, sizeof *s.shapes);
	s.rc = calloc(n, sizeof *s.rc);
	s.verdict = calloc(n, sizeof *s.verdict);
	s.storage = malloc(sim_sweep_grid_overrides_size(&s.grid));
	s.ovr = calloc(s.grid.n_axes, sizeof *s.ovr);
	if (!s.shapes || !s.rc || !s.verdict || !s.storage || !s.ovr)
		exit(3);
	if (!load_all(&s)) {
		sweep_free(&s);
		return 2;
	}
	char out[4096];
	if (!s.out) {
		snprintf(out, sizeof out, "results/sweep-%s", s.name);
		s.out = out;
	}
	if (!sim_report_mkdirs(s.out)) {
		fprintf(stderr, "kcsim: sweep: %s: %s\n", s.out, strerror(errno));
		sweep_free(&s);
		return 2;
	}
	s.width = 4;
	for (size_t m = 10000; m <= n; m *= 10)
		s.width++;

	if (jobs > 1 && n > 1) {
		run_parallel(&s, (int)(jobs < (long)n ? jobs : (long)n));
	} else {
		for (size_t r = 0; r < n; r++) {
			s.rc[r] = do_run(&s, r, s.verdict[r], sizeof s.verdict[r]);
			progress(&s, r + 1);
		}
	}
	size_t failed = 0, broken = 0;
	for (size_t r = 0; r < n; r++) {
		if (s.rc[r] == 0)
			continue;
		failed++;
		broken += s.rc[r] > 1;
		printf("FAIL  run-%0*zu: %s\n", s.width, r + 1, s.verdict[r]);
	}
	bool written = broken == 0 && write_csv(&s);
	printf("sweep %s: %zu runs, %zu passed, %zu failed%s%s%s\n", s.name, n, n - failed, failed,
	       written ? "; " : "", written ? s.out : "", written ? "/sweep.csv" : "");
	sweep_free(&s);
	return !written ? 2 : failed ? 1 : 0;
}
