/* sim_sweep_plotrun.c — the data behind one run's plots (scripts/plot-timeline.gp,
 * plot-cdf.gp, plot-busy.gp), written into the run's plots/ folder:
 *   timeline.dat  t_us unavailable leaderless offline under_replicated queue in_flight, over
 *                 the window where things happen (a step plot: each row holds until the next);
 *                 a long timeline is reduced to the maximum per 1/1000 of the window, so that
 *                 no peak is lost and the plot stays small;
 *   cdf.dat       unavailable_us partitions: how many of the partitions that were ever
 *                 unavailable were so for at most that long, at each distinct value (from
 *                 partitions.csv);
 *   busy.dat      row start_us end_us enqueued_us: the controller's events by kind (trace.jsonl,
 *                 so only for runs made with --trace); events closer than a pixel are merged;
 *   run.gp        gnuplot variables (window, title, counts, maxima); busy.gp the busy rows;
 *   marks.gp      faults (trace.jsonl's timeline entries), controller changes (timeline.csv's
 *                 controller column) and operation spans (summary.json) as arrows, labels
 *                 and shaded boxes.
 * Everything is an integer (µs, counts); the scripts convert to seconds. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_report.h"
#include "sim_sweep.h"

#define MAX_MARK_LABELS 12  /* per kind of mark: more would only overlap */
#define BUCKETS 1000        /* a long timeline keeps its maximum per bucket */
#define MAX_KINDS 32        /* controller event kinds (sim_world.h has 14) */

struct trow {
	uint64_t t;
	int64_t v[7]; /* unavailable leaderless offline under_replicated controller queue in_flight */
};
enum { V_UNAVAILABLE, V_LEADERLESS, V_OFFLINE, V_URP, V_CONTROLLER, V_QUEUE, V_IN_FLIGHT };

struct op {
	char kind[40];
	int64_t broker;  /* -1: none */
	uint64_t start, end;
	bool open;       /* no end: still running when the run ended */
};

struct fault {
	uint64_t t;
	char action[40];
};

struct cev {
	int kind;        /* index into kinds */
	uint64_t enq, start, end;
};

struct run {
	const char *dir;
	char scenario[SIM_MAX_NAME + 1], outcome[16];
	char settings[512];    /* a sweep run's values, "zk_mode=sync partitions=5000" */
	uint64_t seed, end_us;
	struct trow *rows;
	size_t n_rows;
	struct op *ops;
	size_t n_ops;
	struct fault *faults;
	size_t n_faults;
	struct cev *evs;
	size_t n_evs;
	char kinds[MAX_KINDS][40];
	int n_kinds;
	bool traced;
	uint64_t lo, hi; /* the plotted window */
};

static bool fail(struct sim_error *err, const char *dir, const char *file, const char *what)
{
	snprintf(err->msg, sizeof err->msg, "kcsim: plot: %.600s/%.20s: %.300s", dir, file, what);
	return false;
}

/* The --set values in a sweep run's reproduce command (sim_cli_sweep.c writes "kcsim sweep
 * PATH --set KEY=VALUE ..."), config keys without "config.", so that the plots of two runs of
 * one sweep say which is which. */
static void settings_of(const char *repro, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (const char *p = strstr(repro, " --set "); p && n + 1 < size; p = strstr(p, " --set ")) {
		p += 7;
		size_t len = strcspn(p, " ");
		const char *key = strncmp(p, "config.", 7) == 0 ? p + 7 : p;
		int w = snprintf(buf + n, size - n, "%s%.*s", n ? ", " : "", (int)(p + len - key), key);
		n += w > 0 ? (size_t)w : 0;
	}
	/* shell quotes around a value are no part of it */
	size_t k = 0;
	for (size_t i = 0; buf[i]; i++)
		if (buf[i] != '\'')
			buf[k++] = buf[i];
	buf[k] = '\0';
}

static bool read_summary(struct run *r, struct sim_error *err)
{
	char path[4096];
	sim_sweep_path(path, sizeof path, r->dir, "summary.json");
	size_t len;
	char *text = sim_sweep_read_file(path, &len);
	if (!text)
		return fail(err, r->dir, "summary.json", strerror(errno));
	struct sim_jv s = {text, text + len}, x, ops, op = {0};
	int64_t n;
	snprintf(r->scenario, sizeof r->scenario, "?");
	snprintf(r->outcome, sizeof r->outcome, "?");
	if (sim_sweep_json_member(s, "scenario", &x))
		sim_sweep_json_str(x, r->scenario, sizeof r->scenario);
	if (sim_sweep_json_member(s, "outcome", &x))
		sim_sweep_json_str(x, r->outcome, sizeof r->outcome);
	char repro[1024];
	if (sim_sweep_json_member(s, "repro", &x) && sim_sweep_json_str(x, repro, sizeof repro))
		settings_of(repro, r->settings, sizeof r->settings);
	if (sim_sweep_json_member(s, "seed", &x) && sim_sweep_json_int(x, &n))
		r->seed = (uint64_t)n;
	if (!sim_sweep_json_member(s, "end_us", &x) || !sim_sweep_json_int(x, &n)) {
		free(text);
		return fail(err, r->dir, "summary.json", "no end_us; expected a summary.json written by kcsim run");
	}
	r->end_us = (uint64_t)n;
	size_t cap = 0;
	if (sim_sweep_json_path(s, "figures.operations", &ops))
		while (sim_sweep_json_next(ops, &op)) {
			bool startup = false;
			if (sim_sweep_json_member(op, "startup", &x))
				sim_sweep_json_bool(x, &startup);
			if (startup)
				continue;
			r->ops = sim_sweep_grow(r->ops, r->n_ops, &cap, sizeof *r->ops);
			struct op *o = &r->ops[r->n_ops];
			memset(o, 0, sizeof *o);
			o->broker = -1;
			if (sim_sweep_json_member(op, "kind", &x))
				sim_sweep_json_str(x, o->kind, sizeof o->kind);
			if (sim_sweep_json_member(op, "broker", &x))
				sim_sweep_json_int(x, &o->broker);
			if (!sim_sweep_json_member(op, "start_us", &x) || !sim_sweep_json_int(x, &n))
				continue;
			o->start = (uint64_t)n;
			o->open = !sim_sweep_json_member(op, "end_us", &x) || !sim_sweep_json_int(x, &n);
			o->end = o->open ? r->end_us : (uint64_t)n;
			r->n_ops++;
		}
	free(text);
	return true;
}

static bool read_timeline(struct run *r, struct sim_error *err)
{
	char path[4096];
	sim_sweep_path(path, sizeof path, r->dir, "timeline.csv");
	FILE *f = fopen(path, "r");
	if (!f)
		return fail(err, r->dir, "timeline.csv", strerror(errno));
	char line[512];
	size_t cap = 0;
	bool header = true;
	while (fgets(line, sizeof line, f)) {
		if (header) {
			header = false;
			continue;
		}
		r->rows = sim_sweep_grow(r->rows, r->n_rows, &cap, sizeof *r->rows);
		struct trow *w = &r->rows[r->n_rows];
		char *p = line, *end;
		w->t = strtoull(p, &end, 10);
		for (int i = 0; i < 7; i++) {
			if (*end != ',') {
				fclose(f);
				return fail(err, r->dir, "timeline.csv", "a short row; expected 8 integer columns");
			}
			w->v[i] = strtoll(end + 1, &end, 10);
		}
		r->n_rows++;
	}
	fclose(f);
	if (r->n_rows == 0)
		return fail(err, r->dir, "timeline.csv", "no rows; expected at least the row at time 0");
	return true;
}

static int kind_index(struct run *r, const char *name)
{
	for (int k = 0; k < r->n_kinds; k++)
		if (strcmp(r->kinds[k], name) == 0)
			return k;
	if (r->n_kinds == MAX_KINDS)
		return MAX_KINDS - 1;
	snprintf(r->kinds[r->n_kinds], sizeof r->kinds[0], "%s", name);
	return r->n_kinds++;
}

/* The record's type, if the line is one of ours: `{"t_us":N,"type":"X"` opens every line. */
static bool line_type(const char *line, const char *type)
{
	const char *p = strstr(line, ",\"type\":\"");
	size_t n = strlen(type);
	return p && p - line < 40 && strncmp(p + 9, type, n) == 0 && p[9 + n] == '"';
}

/* Faults (timeline entries that were applied) and controller events from trace.jsonl; a run
 * without it has neither. */
static bool read_trace(struct run *r, struct sim_error *err)
{
	char path[4096];
	sim_sweep_path(path, sizeof path, r->dir, "trace.jsonl");
	FILE *f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? true : fail(err, r->dir, "trace.jsonl", strerror(errno));
	r->traced = true;
	char *line = NULL;
	size_t size = 0, fcap = 0, ecap = 0;
	ssize_t len;
	while ((len = getline(&line, &size, f)) > 0) {
		struct sim_jv v = {line, line + len}, x;
		int64_t a, b, c;
		bool refused = false;
		char name[40];
		if (line_type(line, "timeline")) {
			if (sim_sweep_json_member(v, "refused", &x))
				sim_sweep_json_bool(x, &refused);
			if (refused || !sim_sweep_json_member(v, "t_us", &x) || !sim_sweep_json_int(x, &a) ||
			    !sim_sweep_json_member(v, "action", &x) || !sim_sweep_json_str(x, name, sizeof name))
				continue;
			r->faults = sim_sweep_grow(r->faults, r->n_faults, &fcap, sizeof *r->faults);
			r->faults[r->n_faults].t = (uint64_t)a;
			snprintf(r->faults[r->n_faults++].action, sizeof r->faults[0].action, "%s", name);
		} else if (line_type(line, "controller_event")) {
			if (!sim_sweep_json_member(v, "event", &x) || !sim_sweep_json_str(x, name, sizeof name) ||
			    !sim_sweep_json_member(v, "enqueued_us", &x) || !sim_sweep_json_int(x, &a) ||
			    !sim_sweep_json_member(v, "start_us", &x) || !sim_sweep_json_int(x, &b) ||
			    !sim_sweep_json_member(v, "end_us", &x) || !sim_sweep_json_int(x, &c))
				continue;
			r->evs = sim_sweep_grow(r->evs, r->n_evs, &ecap, sizeof *r->evs);
			r->evs[r->n_evs++] = (struct cev){kind_index(r, name), (uint64_t)a, (uint64_t)b, (uint64_t)c};
		}
	}
	free(line);
	bool bad = ferror(f);
	fclose(f);
	return bad ? fail(err, r->dir, "trace.jsonl", "read error") : true;
}

/* From just before the first fault (or operation, or change) to just after the last change,
 * operation end or controller event: a run may idle long after its last change (a pending
 * timer), which would squeeze everything else into a sliver. */
static void window(struct run *r)
{
	uint64_t first = UINT64_MAX, last = 0;
	for (size_t i = 0; i < r->n_faults; i++)
		first = r->faults[i].t < first ? r->faults[i].t : first;
	for (size_t i = 0; i < r->n_ops; i++) {
		first = r->ops[i].start < first ? r->ops[i].start : first;
		last = r->ops[i].end > last ? r->ops[i].end : last;
	}
	if (first == UINT64_MAX)
		first = r->n_rows > 1 ? r->rows[1].t : 0;
	for (size_t i = 0; i < r->n_evs; i++)
		last = r->evs[i].end > last ? r->evs[i].end : last;
	last = r->rows[r->n_rows - 1].t > last ? r->rows[r->n_rows - 1].t : last;
	if (last > r->end_us)
		last = r->end_us;
	if (last <= first)
		last = first + 1000000;
	uint64_t pad = (last - first) / 20;
	if (pad < 1000)
		pad = 1000;
	r->lo = first > pad ? first - pad : 0;
	r->hi = last + pad;
}

static void put_row(FILE *f, uint64_t t, const int64_t *v)
{
	fprintf(f, "%" PRIu64, t);
	for (int i = 0; i < 7; i++)
		if (i != V_CONTROLLER)
			fprintf(f, " %" PRId64, v[i]);
	fputc('\n', f);
}

/* The largest partition count and queue length in the window, for the axes' ranges. */
static void put_maxima(const struct run *r, FILE *f)
{
	int64_t parts = 0, queue = 0, in_flight = 0;
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct trow *w = &r->rows[i];
		bool before = i + 1 < r->n_rows && r->rows[i + 1].t <= r->lo;
		if (before || w->t > r->hi)
			continue;
		for (int k = V_UNAVAILABLE; k <= V_URP; k++)
			parts = w->v[k] > parts ? w->v[k] : parts;
		queue = w->v[V_QUEUE] > queue ? w->v[V_QUEUE] : queue;
		in_flight = w->v[V_IN_FLIGHT] > in_flight ? w->v[V_IN_FLIGHT] : in_flight;
	}
	fprintf(f, "max_partitions = %" PRId64 "\nmax_queue = %" PRId64 "\nmax_in_flight = %" PRId64 "\n", parts,
		queue, in_flight);
}

static void write_timeline(const struct run *r, FILE *f)
{
	fputs("# t_us unavailable leaderless offline under_replicated controller_queue in_flight_requests\n", f);
	size_t i = 0;
	int64_t cur[7];
	memcpy(cur, r->rows[0].v, sizeof cur);
	while (i < r->n_rows && r->rows[i].t <= r->lo)
		memcpy(cur, r->rows[i++].v, sizeof cur);
	size_t in_window = 0;
	for (size_t j = i; j < r->n_rows && r->rows[j].t <= r->hi; j++)
		in_window++;
	put_row(f, r->lo, cur);
	if (in_window <= 2 * BUCKETS) {
		for (; i < r->n_rows && r->rows[i].t <= r->hi; i++) {
			memcpy(cur, r->rows[i].v, sizeof cur);
			put_row(f, r->rows[i].t, cur);
		}
	} else {
		uint64_t width = (r->hi - r->lo + BUCKETS - 1) / BUCKETS;
		for (uint64_t t0 = r->lo; t0 < r->hi; t0 += width) {
			int64_t max[7];
			memcpy(max, cur, sizeof max);
			for (; i < r->n_rows && r->rows[i].t < t0 + width && r->rows[i].t <= r->hi; i++) {
				memcpy(cur, r->rows[i].v, sizeof cur);
				for (int k = 0; k < 7; k++)
					max[k] = cur[k] > max[k] ? cur[k] : max[k];
			}
			put_row(f, t0, max);
		}
	}
	put_row(f, r->hi, cur);
}

/* A label starting this late would run past the right edge: it goes to the left of its mark. */
static bool near_right(const struct run *r, uint64_t t)
{
	return t > r->lo + (r->hi - r->lo) / 4 * 3;
}

static void write_marks(const struct run *r, FILE *f)
{
	int obj = 1, label = 1, arrow = 1;
	for (size_t i = 0; i < r->n_ops; i++) {
		const struct op *o = &r->ops[i];
		fprintf(f,
			"set object %d rect from first %" PRIu64 "/1e6, graph 0 to first %" PRIu64
			"/1e6, graph 1 behind fc rgb op_color fs solid 1.0 noborder\n",
			obj++, o->start, o->end > o->start ? o->end : o->start + 1);
		if (i < MAX_MARK_LABELS) {
			char text[96];
			if (o->broker >= 0)
				snprintf(text, sizeof text, "%s %" PRId64 "%s", o->kind, o->broker, o->open ? " (open)" : "");
			else
				snprintf(text, sizeof text, "%s%s", o->kind, o->open ? " (open)" : "");
			fprintf(f, "set label %d ", label++);
			sim_sweep_gp_string(f, text);
			fprintf(f, " at first %" PRIu64 "/1e6, graph op_label_y(%zu) %s tc rgb op_text_color font op_font front\n",
				o->start, i, near_right(r, o->start) ? "right offset -0.4,0" : "left offset 0.4,0");
		}
	}
	for (size_t i = 0; i < r->n_faults; i++) {
		fprintf(f,
			"set arrow %d from first %" PRIu64 "/1e6, graph 0 to first %" PRIu64
			"/1e6, graph 1 nohead lc rgb fault_color lw 2 dt 2 front\n",
			arrow++, r->faults[i].t, r->faults[i].t);
		if (i < MAX_MARK_LABELS) {
			fprintf(f, "set label %d ", label++);
			sim_sweep_gp_string(f, r->faults[i].action);
			fprintf(f, " at first %" PRIu64 "/1e6, graph 1 center offset 0,0.7 tc rgb fault_color font mark_font front\n",
				r->faults[i].t);
		}
	}
	int changes = 0;
	for (size_t i = 1; i < r->n_rows; i++) {
		int64_t c = r->rows[i].v[V_CONTROLLER];
		if (c == r->rows[i - 1].v[V_CONTROLLER] || r->rows[i].t < r->lo || r->rows[i].t > r->hi)
			continue;
		fprintf(f,
			"set arrow %d from first %" PRIu64 "/1e6, graph 0 to first %" PRIu64
			"/1e6, graph 1 nohead lc rgb ctrl_color lw 1.5 dt 3 front\n",
			arrow++, r->rows[i].t, r->rows[i].t);
		if (changes++ < MAX_MARK_LABELS) {
			char text[48];
			if (c < 0)
				snprintf(text, sizeof text, "no controller");
			else
				snprintf(text, sizeof text, "controller %" PRId64, c);
			fprintf(f, "set label %d ", label++);
			sim_sweep_gp_string(f, text);
			fprintf(f, " at first %" PRIu64 "/1e6, graph ctrl_label_y(%d) %s tc rgb ctrl_color font mark_font front\n",
				r->rows[i].t, changes - 1,
				near_right(r, r->rows[i].t) ? "right offset -0.4,0" : "left offset 0.4,0");
		}
	}
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void write_cdf(const char *dir, FILE *out, FILE *vars, struct sim_error *err, bool *ok)
{
	char path[4096];
	sim_sweep_path(path, sizeof path, dir, "partitions.csv");
	FILE *f = fopen(path, "r");
	if (!f) {
		*ok = fail(err, dir, "partitions.csv", strerror(errno));
		return;
	}
	uint64_t *v = NULL;
	size_t n = 0, cap = 0;
	char line[1024];
	bool header = true;
	while (fgets(line, sizeof line, f)) {
		if (header) {
			header = false;
			continue;
		}
		/* the partition name (a topic name holds no comma) */
		char *c = strchr(line, ',');
		if (!c)
			continue;
		v = sim_sweep_grow(v, n, &cap, sizeof *v);
		v[n++] = strtoull(c + 1, NULL, 10);
	}
	fclose(f);
	/* equal integers are indistinguishable, so qsort's instability cannot show */
	qsort(v, n, sizeof *v, u64_cmp);
	/* over the partitions that were ever unavailable: the others would only lift the curve */
	fputs("# unavailable_us partitions (of those ever unavailable) unavailable at most that long\n0 0\n", out);
	size_t zero = 0, points = 0;
	while (zero < n && v[zero] == 0)
		zero++;
	for (size_t i = zero; i < n; i++)
		if (i + 1 == n || v[i + 1] != v[i]) {
			fprintf(out, "%" PRIu64 " %zu\n", v[i], i + 1 - zero);
			points++;
		}
	fprintf(vars, "n_partitions = %zu\nn_ever_unavailable = %zu\nmax_unavailable_us = %" PRIu64 "\ncdf_points = %zu\n",
		n, n - zero, n ? v[n - 1] : 0, points);
	free(v);
}

/* Events closer than this merge into one bar: finer detail than a pixel cannot show. */
static uint64_t merge_gap(const struct run *r)
{
	return (r->hi - r->lo) / 1500;
}

static void write_busy(const struct run *r, FILE *out, FILE *vars)
{
	fputs("# row start_us end_us enqueued_us (events of one kind closer than a pixel merged)\n", out);
	uint64_t gap = merge_gap(r);
	for (int k = 0; k < r->n_kinds; k++) {
		bool have = false;
		struct cev cur = {0};
		for (size_t i = 0; i < r->n_evs; i++) {
			const struct cev *e = &r->evs[i];
			if (e->kind != k)
				continue;
			if (have && e->start <= cur.end + gap) {
				cur.end = e->end > cur.end ? e->end : cur.end;
				continue;
			}
			if (have)
				fprintf(out, "%d %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", k, cur.start, cur.end, cur.enq);
			cur = *e;
			have = true;
		}
		if (have)
			fprintf(out, "%d %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", k, cur.start, cur.end, cur.enq);
	}
	/* each row's label: the kind, its count and its total time */
	fprintf(vars, "# written by kcsim plot: the rows of the controller-busy strip\nn_kinds = %d\nset ytics (",
		r->n_kinds);
	for (int k = 0; k < r->n_kinds; k++) {
		uint64_t n = 0, busy = 0;
		for (size_t i = 0; i < r->n_evs; i++)
			if (r->evs[i].kind == k) {
				n++;
				busy += r->evs[i].end - r->evs[i].start;
			}
		char text[128];
		snprintf(text, sizeof text, "%s (%" PRIu64 " event%s, %" PRIu64 ".%03" PRIu64 " s)", r->kinds[k], n,
			 n == 1 ? "" : "s", busy / 1000000, busy / 1000 % 1000);
		fputs(k ? ", " : "", vars);
		sim_sweep_gp_string(vars, text);
		fprintf(vars, " %d", k);
	}
	fputs(")\n", vars);
}

/* A file in the plots folder, written whole or not at all (sim_report's tmp + rename). */
typedef void (*writer_fn)(const struct run *r, FILE *f);

static bool write_file(const char *out, const char *name, const struct run *r, writer_fn fn, struct sim_error *err)
{
	FILE *f = sim_report_open(out, name);
	if (!f)
		return fail(err, out, name, strerror(errno));
	fn(r, f);
	if (!sim_report_commit(f, out, name))
		return fail(err, out, name, strerror(errno));
	return true;
}

/* Renames a file opened with sim_report_open into place if everything so far went well, else
 * removes it. */
static void finish(FILE *f, const char *out, const char *name, bool *ok, struct sim_error *err)
{
	if (!f)
		return;
	if (!*ok) {
		fclose(f);
		sim_report_discard(out, name);
	} else if (!sim_report_commit(f, out, name)) {
		*ok = fail(err, out, name, strerror(errno));
	}
}

static void free_run(struct run *r)
{
	free(r->rows);
	free(r->ops);
	free(r->faults);
	free(r->evs);
}

bool sim_sweep_plot_run_data(const char *dir, const char *out, bool *busy, struct sim_error *err)
{
	struct run r = {.dir = dir};
	err->msg[0] = '\0';
	bool ok = read_summary(&r, err) && read_timeline(&r, err) && read_trace(&r, err);
	if (!ok) {
		free_run(&r);
		return false;
	}
	window(&r);
	*busy = r.traced && r.n_evs > 0;
	ok = write_file(out, "timeline.dat", &r, write_timeline, err) && write_file(out, "marks.gp", &r, write_marks, err);

	FILE *vars = ok ? sim_report_open(out, "run.gp") : NULL;
	FILE *cdf = ok ? sim_report_open(out, "cdf.dat") : NULL;
	FILE *bz = ok && *busy ? sim_report_open(out, "busy.dat") : NULL;
	FILE *bzv = ok && *busy ? sim_report_open(out, "busy.gp") : NULL;
	if (ok && (!vars || !cdf || (*busy && (!bz || !bzv))))
		ok = fail(err, out, "run.gp", strerror(errno));
	if (ok) {
		fputs("# written by kcsim plot: the variables of this run's plots\n", vars);
		char title[SIM_MAX_NAME + 640];
		snprintf(title, sizeof title, "%s (seed %" PRIu64 ", %s)%s%s", r.scenario, r.seed, r.outcome,
			 r.settings[0] ? ": " : "", r.settings);
		fputs("run_title = ", vars);
		sim_sweep_gp_string(vars, title);
		fprintf(vars, "\nxlo_us = %" PRIu64 "\nxhi_us = %" PRIu64 "\n", r.lo, r.hi);
		put_maxima(&r, vars);
		write_cdf(dir, cdf, vars, err, &ok);
		if (*busy)
			write_busy(&r, bz, bzv);
	}
	finish(vars, out, "run.gp", &ok, err);
	finish(cdf, out, "cdf.dat", &ok, err);
	finish(bz, out, "busy.dat", &ok, err);
	finish(bzv, out, "busy.gp", &ok, err);
	free_run(&r);
	return ok;
}
