/* sim_cli_plot.c — `kcsim plot RESULTS_DIR`: a run folder (summary.json) gets its timeline,
 * unavailability CDF and, when it was run with --trace, controller-busy strip; a sweep folder
 * (sweep.csv) gets one plot per figure against the swept parameter, plus the run plots of
 * every run that has a trace. Plots go to DIR/plots/NAME.png and .svg, beside the integer
 * data files they are drawn from (sim_sweep_plotrun.c, sim_sweep_plotsweep.c). Drawing is
 * gnuplot's, with the scripts in scripts/: one gnuplot process per plot, which writes both
 * formats. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim_cli.h"
#include "sim_report.h"
#include "sim_sweep.h"

static const char plot_usage[] =
	"usage: kcsim plot RESULTS_DIR [--x COLUMN] [--series KEY,...] [--y FIGURE,...]\n"
	"                              [--xlabel TEXT] [--title TEXT]\n"
	"\n"
	"Renders the plots of a run folder (kcsim run --out DIR) or a sweep folder (kcsim sweep\n"
	"--out DIR) into DIR/plots/, as PNG and SVG, with gnuplot and the scripts in scripts/:\n"
	"  run:   timeline.png  unavailable, leaderless, offline and under-replicated partitions\n"
	"                       and the controller's queue over simulated time; faults, controller\n"
	"                       changes and operation spans marked\n"
	"         cdf.png       distribution of per-partition unavailable time\n"
	"         busy.png      the controller's events by kind over time (needs --trace)\n"
	"  sweep: FIGURE.png    a figure of sweep.csv against a swept parameter, one line per\n"
	"                       combination of the other swept values; and the run plots of each\n"
	"                       run that has a trace (kcsim sweep --trace)\n"
	"\n"
	"Sweep options (defaults: x = the first swept key with integer values, series = the\n"
	"other swept keys that vary, figures = recovered_us, unavailable_partition_us, op_us,\n"
	"controller_busy_us, zk_writes, requests):\n"
	"  --x COLUMN        any sweep.csv column, e.g. topic_sets.0.count or replicas_per_broker\n"
	"  --series KEY,...  the columns whose combinations make the lines\n"
	"  --y FIGURE,...    the figure columns to plot, one plot each\n"
	"  --xlabel TEXT     the x axis label;  --title TEXT  the plots' title\n"
	"\n"
	"Needs gnuplot (Debian: gnuplot-nox, fonts-dejavu-core; scripts/install-deps.sh installs\n"
	"them). The same folder always gives the same bytes. Exit status: 0 done, 2 otherwise.\n";

static bool is_file(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;
	sim_sweep_path(path, sizeof path, dir, name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Whether an executable named name is on PATH. */
static bool on_path(const char *name)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		char full[4096];
		snprintf(full, sizeof full, "%.*s/%s", (int)n, n ? path : ".", name);
		if (access(full, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* scripts/ holding plot-timeline.gp: $KCSIM_SCRIPTS, else beside the kcsim binary or up to
 * two folders above it (build/kcsim, build/test/...), else ./scripts. */
static bool find_scripts(char *buf, size_t size)
{
	const char *env = getenv("KCSIM_SCRIPTS");
	if (env && *env) {
		snprintf(buf, size, "%s", env);
		return is_file(buf, "plot-timeline.gp");
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');
			if (!slash)
				break;
			*slash = '\0';
			sim_sweep_path(buf, size, exe, "scripts");
			if (is_file(buf, "plot-timeline.gp"))
				return true;
		}
	}
	snprintf(buf, size, "scripts");
	return is_file(buf, "plot-timeline.gp");
}

/* gnuplot -e "scripts='S'; data='D'; out='O'" S/SCRIPT: writes O.png and O.svg. */
static bool gnuplot(const char *scripts, const char *script, const char *data, const char *out)
{
	char *assign = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&assign, &len);
	if (!m)
		exit(3);
	fputs("scripts=", m);
	sim_sweep_gp_string(m, scripts);
	fputs("; data=", m);
	sim_sweep_gp_string(m, data);
	fputs("; out=", m);
	sim_sweep_gp_string(m, out);
	fclose(m);
	char path[4096];
	sim_sweep_path(path, sizeof path, scripts, script);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		free(assign);
		return false;
	}
	if (pid == 0) {
		char prog[] = "gnuplot", opt[] = "-e";
		char *const argv[] = {prog, opt, assign, path, NULL};
		execvp(prog, argv);
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	free(assign);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "kcsim: plot: gnuplot failed on %s for %s\n", path, out);
		return false;
	}
	return true;
}

/* A run folder's plots into DIR/plots; *n counts them. */
static bool plot_run(const char *scripts, const char *dir, int *n)
{
	char out[4096], base[4200];
	sim_sweep_path(out, sizeof out, dir, "plots");
	if (!sim_report_mkdirs(out)) {
		fprintf(stderr, "kcsim: plot: %s: %s\n", out, strerror(errno));
		return false;
	}
	struct sim_error err;
	bool busy;
	if (!sim_sweep_plot_run_data(dir, out, &busy, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return false;
	}
	static const char *const plots[] = {"timeline", "cdf", "busy"};
	for (int i = 0; i < (busy ? 3 : 2); i++) {
		char script[64];
		snprintf(script, sizeof script, "plot-%s.gp", plots[i]);
		sim_sweep_path(base, sizeof base, out, plots[i]);
		if (!gnuplot(scripts, script, out, base))
			return false;
		(*n)++;
	}
	return true;
}

/* The run folders a sweep.csv lists (its first column) that hold a trace. */
static bool plot_sweep_runs(const char *scripts, const char *dir, int *runs, int *n)
{
	char path[4096];
	sim_sweep_path(path, sizeof path, dir, "sweep.csv");
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "kcsim: plot: %s: %s\n", path, strerror(errno));
		return false;
	}
	char line[256];
	bool ok = true, header = true, whole = true;
	while (ok && fgets(line, sizeof line, f)) {
		bool start = whole;
		whole = strchr(line, '\n') != NULL;
		if (!start || header) {
			header = header && !whole;
			continue;
		}
		line[strcspn(line, ",\n")] = '\0';
		char run[4096];
		sim_sweep_path(run, sizeof run, dir, line);
		if (strncmp(line, "run-", 4) != 0 || !is_file(run, "trace.jsonl"))
			continue;
		ok = plot_run(scripts, run, n);
		*runs += ok;
	}
	fclose(f);
	return ok;
}

static bool plot_sweep(const char *scripts, const char *dir, const struct sim_sweep_plot_opts *o, int *n)
{
	char out[4096], base[4200];
	sim_sweep_path(out, sizeof out, dir, "plots");
	if (!sim_report_mkdirs(out)) {
		fprintf(stderr, "kcsim: plot: %s: %s\n", out, strerror(errno));
		return false;
	}
	struct sim_error err;
	char(*figs)[64] = calloc(SIM_SWEEP_MAX_FIGS, sizeof *figs);
	size_t n_figs = 0;
	if (!figs)
		exit(3);
	bool ok = sim_sweep_plot_sweep_data(dir, out, o, figs, &n_figs, &err);
	if (!ok)
		fprintf(stderr, "%s\n", err.msg);
	for (size_t i = 0; i < n_figs && ok; i++) {
		char data[4200];
		sim_sweep_path(data, sizeof data, out, figs[i]);
		sim_sweep_path(base, sizeof base, out, figs[i]);
		ok = gnuplot(scripts, "plot-sweep.gp", data, base);
		*n += ok;
	}
	free(figs);
	return ok;
}

int sim_cli_plot(int argc, char **argv)
{
	const char *dir = NULL;
	struct sim_sweep_plot_opts o = {0};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **opt = strcmp(a, "--x") == 0        ? &o.x
				   : strcmp(a, "--series") == 0 ? &o.series
				   : strcmp(a, "--y") == 0      ? &o.y
				   : strcmp(a, "--xlabel") == 0 ? &o.xlabel
				   : strcmp(a, "--title") == 0  ? &o.title
								: NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(plot_usage, stdout);
			return 0;
		} else if (opt && i + 1 < argc && argv[i + 1][0]) {
			*opt = argv[++i];
		} else if (opt) {
			fprintf(stderr, "kcsim: %s: expected a value; see kcsim plot --help\n", a);
			return 2;
		} else if (a[0] == '-' || dir) {
			fprintf(stderr, "kcsim: plot: unexpected argument '%s'; see kcsim plot --help\n", a);
			return 2;
		} else {
			dir = a;
		}
	}
	if (!dir) {
		fputs(plot_usage, stderr);
		return 2;
	}
	bool sweep = is_file(dir, "sweep.csv");
	if (!sweep && !is_file(dir, "summary.json")) {
		fprintf(stderr, "kcsim: plot: %s: neither sweep.csv nor summary.json there; expected a folder "
				"written by kcsim run or kcsim sweep\n",
			dir);
		return 2;
	}
	if (!on_path("gnuplot")) {
		fprintf(stderr, "kcsim: plot: gnuplot not found; install the Debian packages gnuplot-nox and "
				"fonts-dejavu-core (scripts/install-deps.sh does)\n");
		return 2;
	}
	char scripts[4096];
	if (!find_scripts(scripts, sizeof scripts)) {
		fprintf(stderr, "kcsim: plot: scripts/plot-timeline.gp not found beside kcsim or in ./scripts; "
				"expected a kcsim checkout, or KCSIM_SCRIPTS naming its scripts folder\n");
		return 2;
	}
	int n = 0, runs = 0, run_plots = 0;
	bool ok = sweep ? plot_sweep(scripts, dir, &o, &n) && plot_sweep_runs(scripts, dir, &runs, &run_plots)
			: plot_run(scripts, dir, &n);
	if (!ok)
		return 2;
	if (runs)
		printf("plot: %d plots in %s/plots, %d in the plots/ of %d traced run%s\n", n, dir, run_plots, runs,
		       runs == 1 ? "" : "s");
	else
		printf("plot: %d plots in %s/plots\n", n, dir);
	return 0;
}
