/* sim_sweep_plotsweep.c — the data behind a sweep's plots (scripts/plot-sweep.gp): for each
 * chosen figure, FIG.dat (one block per series, "x y" rows sorted by x, blocks separated by
 * two blank lines; "?" where the figure is -1, i.e. never) and FIG.gp (titles, labels,
 * scales). Defaults: x is the first swept key whose values are all integers (else the first
 * swept key, as categories); the series are the other swept keys that take several values
 * (when x is a derived column such as replicas_per_broker, the integer key that drives it is
 * left out too); the figures are recovered_us, unavailable_partition_us, op_us,
 * controller_busy_us, zk_writes and requests. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_report.h"
#include "sim_sweep.h"

static const char *const default_figs[] = {"recovered_us", "unavailable_partition_us", "op_us",
					   "controller_busy_us", "zk_writes", "requests"};

/* Axis labels of the figures sweep.csv holds; others get their column name. */
static const struct {
	const char *col, *label;
} fig_labels[] = {
	{"recovered_us", "time until every partition is available again (s)"},
	{"unavailable_partition_us", "unavailable partition-seconds"},
	{"leaderless_partition_us", "leaderless partition-seconds"},
	{"controller_busy_us", "controller busy time (s)"},
	{"first_elected_us", "first leader elected after the fault (s)"},
	{"last_elected_us", "last leader elected after the fault (s)"},
	{"controller_event_max_us", "longest controller event (s)"},
	{"max_unavailable_partitions", "most partitions unavailable at once"},
	{"max_leaderless_partitions", "most partitions leaderless at once"},
	{"zk_writes", "ZooKeeper writes"},
	{"zk_reads", "ZooKeeper reads"},
	{"requests", "controller requests sent"},
	{"partitions", "partitions"},
	{"replicas_per_broker", "replicas per broker"},
	{"partitions_per_broker", "partitions per broker"},
};

struct csv {
	size_t n_cols, n_rows;
	char **cells; /* row-major, row 0 the header */
};

static bool fail(struct sim_error *err, const char *dir, const char *file, const char *what)
{
	snprintf(err->msg, sizeof err->msg, "kcsim: plot: %.600s/%.20s: %.300s", dir, file, what);
	return false;
}

static const char *cell(const struct csv *c, size_t row, size_t col)
{
	return c->cells[row * c->n_cols + col];
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		exit(3);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* RFC 4180 as sim_cli_sweep.c writes it: a quoted cell doubles its quotes. */
static bool parse_csv(char *text, struct csv *c)
{
	size_t cap = 0, n = 0, cols = 0;
	char *p = text;
	while (*p) {
		size_t in_row = 0;
		for (;;) {
			char *v;
			if (*p == '"') {
				size_t len = 0;
				v = p + 1;
				char *w = v;
				for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
					if (*p == '"')
						p++;
					w[len++] = *p;
				}
				if (*p != '"')
					return false;
				p++;
				v = dup_n(v, len);
			} else {
				size_t len = strcspn(p, ",\n");
				v = dup_n(p, len);
				p += len;
			}
			c->cells = sim_sweep_grow(c->cells, n, &cap, sizeof *c->cells);
			c->cells[n++] = v;
			in_row++;
			if (*p == ',') {
				p++;
				continue;
			}
			if (*p == '\n')
				p++;
			break;
		}
		if (cols == 0)
			cols = in_row;
		else if (in_row != cols)
			return false;
	}
	c->n_cols = cols;
	c->n_rows = cols ? n / cols : 0;
	c->cells = sim_sweep_grow(c->cells, n, &cap, sizeof *c->cells);
	return cols > 0;
}

static void free_csv(struct csv *c)
{
	for (size_t i = 0; i < c->n_cols * c->n_rows; i++)
		free(c->cells[i]);
	free(c->cells);
}

static long find_col(const struct csv *c, const char *name, size_t len)
{
	for (size_t j = 0; j < c->n_cols; j++)
		if (strlen(cell(c, 0, j)) == len && memcmp(cell(c, 0, j), name, len) == 0)
			return (long)j;
	return -1;
}

static bool is_int(const char *s)
{
	s += *s == '-';
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static size_t distinct(const struct csv *c, size_t col)
{
	size_t n = 0;
	for (size_t r = 1; r < c->n_rows; r++) {
		size_t q = 1;
		while (q < r && strcmp(cell(c, q, col), cell(c, r, col)) != 0)
			q++;
		n += q == r;
	}
	return n;
}

static bool all_int(const struct csv *c, size_t col)
{
	for (size_t r = 1; r < c->n_rows; r++)
		if (!is_int(cell(c, r, col)))
			return false;
	return true;
}

/* The last segment of a dotted key: "config.zk_mode" reads "zk_mode" in a legend. */
static const char *short_key(const char *key)
{
	const char *dot = strrchr(key, '.');
	return dot ? dot + 1 : key;
}

struct plan {
	size_t params[SIM_SWEEP_MAX_AXES + 1], n_params; /* swept columns */
	size_t x;
	bool x_cat;                /* categories: values placed 0, 1, ... in order of appearance */
	size_t series[SIM_SWEEP_MAX_AXES + 1], n_series;
	size_t figs[SIM_SWEEP_MAX_FIGS], n_figs;
};

/* Columns from a comma-separated list of names; false (with err) on an unknown one. */
static bool columns(const struct csv *c, const char *list, size_t *out, size_t *n, size_t max, const char *what,
		    const char *dir, struct sim_error *err)
{
	*n = 0;
	while (*list) {
		size_t len = strcspn(list, ",");
		long j = find_col(c, list, len);
		if (j < 0 || *n == max) {
			char msg[300];
			snprintf(msg, sizeof msg, "%s: no column '%.*s'%s", what, (int)(len > 80 ? 80 : len), list,
				 j < 0 ? "; expected a column of sweep.csv's header" : " (too many)");
			return fail(err, dir, "sweep.csv", msg);
		}
		out[(*n)++] = (size_t)j;
		list += len + (list[len] == ',');
	}
	return true;
}

static bool make_plan(const struct csv *c, const struct sim_sweep_plot_opts *o, struct plan *p, const char *dir,
		      struct sim_error *err)
{
	memset(p, 0, sizeof *p);
	long outcome = find_col(c, "outcome", 7);
	if (outcome < 1 || strcmp(cell(c, 0, 0), "run") != 0)
		return fail(err, dir, "sweep.csv", "no run and outcome columns; expected a sweep.csv from kcsim sweep");
	for (size_t j = 1; j < (size_t)outcome; j++)
		/* sweep's own seed column, unless it varies */
		if (strcmp(cell(c, 0, j), "seed") != 0 || j + 1 != (size_t)outcome || distinct(c, j) > 1)
			p->params[p->n_params++] = j;
	if (p->n_params == 0)
		return fail(err, dir, "sweep.csv", "no swept column; expected a sweep.csv from kcsim sweep");

	long driver = -1;
	for (size_t i = 0; i < p->n_params && driver < 0; i++)
		if (all_int(c, p->params[i]) && distinct(c, p->params[i]) > 1)
			driver = (long)p->params[i];
	if (o->x) {
		size_t n;
		if (!columns(c, o->x, &p->x, &n, 1, "--x", dir, err))
			return false;
	} else if (driver >= 0) {
		p->x = (size_t)driver;
	} else {
		p->x = p->params[0];
		for (size_t i = p->n_params; i-- > 0;)
			if (distinct(c, p->params[i]) > 1)
				p->x = p->params[i];
	}
	p->x_cat = !all_int(c, p->x);
	bool x_is_param = false;
	for (size_t i = 0; i < p->n_params; i++)
		x_is_param |= p->params[i] == p->x;

	if (o->series) {
		if (!columns(c, o->series, p->series, &p->n_series, SIM_SWEEP_MAX_AXES + 1, "--series", dir, err))
			return false;
	} else {
		for (size_t i = 0; i < p->n_params; i++) {
			size_t j = p->params[i];
			if (j == p->x || distinct(c, j) < 2 || (!x_is_param && (long)j == driver))
				continue;
			p->series[p->n_series++] = j;
		}
	}
	if (o->y)
		return columns(c, o->y, p->figs, &p->n_figs, SIM_SWEEP_MAX_FIGS, "--y", dir, err);
	for (size_t i = 0; i < sizeof default_figs / sizeof default_figs[0]; i++) {
		long j = find_col(c, default_figs[i], strlen(default_figs[i]));
		if (j >= 0)
			p->figs[p->n_figs++] = (size_t)j;
	}
	return true;
}

/* Row r's series label: "zk_mode=sync batch_requests=true" (or "all" with no series). */
static void series_label(const struct csv *c, const struct plan *p, size_t r, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < p->n_series && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s=%s", i ? " " : "", short_key(cell(c, 0, p->series[i])),
				      cell(c, r, p->series[i]));
	if (p->n_series == 0)
		snprintf(buf, size, "all runs");
}

static const char *fig_label(const char *col)
{
	for (size_t i = 0; i < sizeof fig_labels / sizeof fig_labels[0]; i++)
		if (strcmp(fig_labels[i].col, col) == 0)
			return fig_labels[i].label;
	return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The x position of row r: its value, or for categories the order of first appearance. */
static long long x_pos(const struct csv *c, const struct plan *p, size_t r)
{
	if (!p->x_cat)
		return strtoll(cell(c, r, p->x), NULL, 10);
	long long k = 0;
	for (size_t q = 1; q < r; q++) {
		bool first = true;
		for (size_t s = 1; s < q && first; s++)
			first = strcmp(cell(c, s, p->x), cell(c, q, p->x)) != 0;
		if (first && strcmp(cell(c, q, p->x), cell(c, r, p->x)) == 0)
			return k;
		k += first;
	}
	return k;
}

struct point {
	long long x;
	size_t row;
};

static int point_cmp(const void *a, const void *b)
{
	const struct point *u = a, *v = b;
	if (u->x != v->x)
		return u->x < v->x ? -1 : 1;
	return u->row < v->row ? -1 : u->row > v->row;
}

static void write_dat(const struct csv *c, const struct plan *p, size_t fig, FILE *f, size_t *n_series,
		      char (*labels)[256])
{
	size_t n = c->n_rows;
	bool *done = calloc(n, sizeof *done);
	struct point *pts = calloc(n, sizeof *pts);
	if (!done || !pts)
		exit(3);
	*n_series = 0;
	fprintf(f, "# %s against %s, one block per series\n", cell(c, 0, fig), cell(c, 0, p->x));
	for (size_t r = 1; r < n; r++) {
		if (done[r])
			continue;
		char label[256], other[256];
		series_label(c, p, r, label, sizeof label);
		size_t k = 0;
		for (size_t q = r; q < n; q++) {
			if (done[q])
				continue;
			series_label(c, p, q, other, sizeof other);
			if (strcmp(label, other) != 0)
				continue;
			done[q] = true;
			pts[k++] = (struct point){x_pos(c, p, q), q};
		}
		qsort(pts, k, sizeof *pts, point_cmp);
		if (*n_series)
			fputs("\n\n", f);
		fprintf(f, "# %s\n", label);
		for (size_t i = 0; i < k; i++) {
			const char *y = cell(c, pts[i].row, fig);
			fprintf(f, "%lld %s\n", pts[i].x, is_int(y) && y[0] != '-' ? y : "?");
		}
		if (*n_series < 64)
			snprintf(labels[*n_series], sizeof labels[0], "%s", label);
		(*n_series)++;
	}
	free(done);
	free(pts);
}

static void write_vars(const struct csv *c, const struct plan *p, size_t fig, const struct sim_sweep_plot_opts *o,
		       const char *scenario, size_t n_series, char (*labels)[256], FILE *f)
{
	const char *col = cell(c, 0, fig), *label = fig_label(col);
	bool us = ends_with(col, "_us");
	char ylabel[160], title[400];
	long op = find_col(c, "op", 2);
	if (strcmp(col, "op_us") == 0 && op >= 0) {
		/* the operation by its kind, as the first run names it: "controlled shutdown" */
		int n = snprintf(ylabel, sizeof ylabel, "span of the %.60s operation (s)", cell(c, 1, (size_t)op));
		for (int i = 12; i < n; i++)
			ylabel[i] = ylabel[i] == '_' ? ' ' : ylabel[i];
	} else if (label)
		snprintf(ylabel, sizeof ylabel, "%s", label);
	else
		snprintf(ylabel, sizeof ylabel, "%s%s", col, us ? " (s)" : "");
	if (o->title)
		snprintf(title, sizeof title, "%s", o->title);
	else
		/* the unit belongs to the axis, not the title */
		snprintf(title, sizeof title, "%s: %.*s", scenario,
			 (int)(strlen(ylabel) - (ends_with(ylabel, " (s)") ? 4 : 0)), ylabel);
	fputs("# written by kcsim plot: the variables of one sweep plot\nsweep_title = ", f);
	sim_sweep_gp_string(f, title);
	fputs("\nxlabel = ", f);
	const char *xl = o->xlabel ? o->xlabel : fig_label(cell(c, 0, p->x));
	sim_sweep_gp_string(f, xl ? xl : cell(c, 0, p->x));
	fputs("\nylabel = ", f);
	sim_sweep_gp_string(f, ylabel);
	long long ymin = -1, ymax = 0;
	for (size_t r = 1; r < c->n_rows; r++) {
		if (!is_int(cell(c, r, fig)))
			continue;
		long long y = strtoll(cell(c, r, fig), NULL, 10);
		ymax = y > ymax ? y : ymax;
		ymin = y >= 0 && (ymin < 0 || y < ymin) ? y : ymin;
	}
	/* a log scale when the values span more than two decades (and none is 0), so that the
	 * small ones do not vanish under the large */
	fprintf(f, "\nydiv = %d\nymin = %lld\nymax = %lld\nylog = %d\nn_series = %zu\n", us ? 1000000 : 1, ymin,
		ymax, ymin > 0 && ymax >= 100 * ymin, n_series < 64 ? n_series : 64);
	for (size_t i = 0; i < n_series && i < 64; i++) {
		fprintf(f, "series_%zu = ", i + 1);
		sim_sweep_gp_string(f, labels[i]);
		fputc('\n', f);
	}
	long long lo = 0, hi = 0;
	for (size_t r = 1; r < c->n_rows; r++) {
		long long x = x_pos(c, p, r);
		lo = r == 1 || x < lo ? x : lo;
		hi = r == 1 || x > hi ? x : hi;
	}
	fprintf(f, "xlog = %d\nxcat = %d\n", !p->x_cat && lo > 0 && hi >= 20 * lo, p->x_cat);
	/* categories at 0, 1, ... get half a step of room on each side; one value alone still
	 * gets an axis around it */
	if (p->x_cat)
		fprintf(f, "xrange_set = 1\nset xrange [-0.5 : %lld.5]\n", hi);
	else if (lo == hi)
		fprintf(f, "xrange_set = 1\nset xrange [%lld : %lld]\n", lo - 1, hi + 1);
	else
		fputs("xrange_set = 0\n", f);
	/* a tic at every value swept, unless they are too many to read */
	if (!p->x_cat && distinct(c, p->x) <= 12) {
		fputs("set xtics (", f);
		for (size_t r = 1; r < c->n_rows; r++) {
			size_t q = 1;
			while (q < r && strcmp(cell(c, q, p->x), cell(c, r, p->x)) != 0)
				q++;
			if (q == r)
				fprintf(f, "%s%lld", r > 1 ? ", " : "", x_pos(c, p, r));
		}
		fputs(")\n", f);
	}
	if (p->x_cat) {
		fputs("set xtics (", f);
		for (long long k = 0; k <= hi; k++)
			for (size_t r = 1; r < c->n_rows; r++)
				if (x_pos(c, p, r) == k) {
					fputs(k ? ", " : "", f);
					sim_sweep_gp_string(f, cell(c, r, p->x));
					fprintf(f, " %lld", k);
					break;
				}
		fputs(")\n", f);
	}
}

/* The scenario's name, from the first run's summary.json. */
static void scenario_name(const char *dir, const struct csv *c, char *buf, size_t size)
{
	snprintf(buf, size, "sweep");
	if (c->n_rows < 2)
		return;
	char run[4096], path[4096];
	sim_sweep_path(run, sizeof run, dir, cell(c, 1, 0));
	sim_sweep_path(path, sizeof path, run, "summary.json");
	size_t len;
	char *text = sim_sweep_read_file(path, &len);
	if (!text)
		return;
	struct sim_jv s = {text, text + len}, x;
	if (sim_sweep_json_member(s, "scenario", &x))
		sim_sweep_json_str(x, buf, size);
	free(text);
}

bool sim_sweep_plot_sweep_data(const char *dir, const char *out, const struct sim_sweep_plot_opts *o,
			       char figs[][64], size_t *n_figs, struct sim_error *err)
{
	char path[4096];
	sim_sweep_path(path, sizeof path, dir, "sweep.csv");
	char *text = sim_sweep_read_file(path, NULL);
	if (!text)
		return fail(err, dir, "sweep.csv", strerror(errno));
	struct csv c = {0};
	bool ok = parse_csv(text, &c);
	free(text);
	if (!ok || c.n_rows < 2) {
		free_csv(&c);
		return fail(err, dir, "sweep.csv", "not a table with a header and rows; expected kcsim sweep's output");
	}
	struct plan p;
	if (!make_plan(&c, o, &p, dir, err)) {
		free_csv(&c);
		return false;
	}
	char scenario[SIM_MAX_NAME + 1];
	scenario_name(dir, &c, scenario, sizeof scenario);
	char(*labels)[256] = calloc(64, sizeof *labels);
	if (!labels)
		exit(3);
	*n_figs = 0;
	for (size_t i = 0; i < p.n_figs && ok; i++) {
		const char *col = cell(&c, 0, p.figs[i]);
		char name[80];
		snprintf(figs[*n_figs], 64, "%.63s", col);
		snprintf(name, sizeof name, "%.63s.dat", col);
		FILE *dat = sim_report_open(out, name);
		size_t n_series = 0;
		if (!dat)
			ok = fail(err, out, name, strerror(errno));
		else {
			write_dat(&c, &p, p.figs[i], dat, &n_series, labels);
			if (!sim_report_commit(dat, out, name))
				ok = fail(err, out, name, strerror(errno));
		}
		snprintf(name, sizeof name, "%.63s.gp", col);
		FILE *vars = ok ? sim_report_open(out, name) : NULL;
		if (ok && !vars)
			ok = fail(err, out, name, strerror(errno));
		else if (ok) {
			write_vars(&c, &p, p.figs[i], o, scenario, n_series, labels, vars);
			if (!sim_report_commit(vars, out, name))
				ok = fail(err, out, name, strerror(errno));
		}
		*n_figs += ok;
	}
	free(labels);
	free_csv(&c);
	return ok;
}
