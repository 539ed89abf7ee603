/* sim_sweep.h — what `kcsim sweep` and `kcsim plot` share: the --set grammar and the grid it
 * spans (sim_sweep.c), the figures one run's result folder yields for a row of sweep.csv
 * (sim_sweep_figures.c), the data behind the plots (sim_sweep_plotrun.c, sim_sweep_plotsweep.c),
 * and a small reader for the JSON the result writers produce (sim_sweep_io.c). */
#ifndef SIM_SWEEP_H
#define SIM_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim_error.h"
#include "sim_scenario.h"

/* ---- the grid ------------------------------------------------------------------------------ */
#define SIM_SWEEP_MAX_AXES 16
#define SIM_SWEEP_MAX_VALUES 1000   /* per --set */
#define SIM_SWEEP_MAX_RUNS 10000    /* the whole cross product */

/* One `--set KEY=V1,V2,...`: the values as written (each a YAML value for the loader). */
struct sim_sweep_axis {
	char *key;
	char **values;
	size_t n_values;
};

/* The cross product of the axes in the order given: the first --set is the outermost loop,
 * the last varies fastest. */
struct sim_sweep_grid {
	struct sim_sweep_axis axes[SIM_SWEEP_MAX_AXES];
	size_t n_axes;
	size_t n_runs;              /* product of the axes' value counts (1 with no axis) */
};

/* Parses one --set argument into a new axis. Commas inside [] or {} do not split, so that
 * `cluster.brokers=[0,1,2],[0,1,2,3]` gives two values. On error nothing is added and
 * err->msg reads `kcsim: --set: ...; expected ...`. */
bool sim_sweep_grid_add(struct sim_sweep_grid *g, const char *arg, struct sim_error *err);
void sim_sweep_grid_free(struct sim_sweep_grid *g);
/* Run `run`'s override strings "KEY=VALUE", one per axis, into buf (n_axes pointers into
 * storage, which needs at most sim_sweep_grid_overrides_size bytes). */
size_t sim_sweep_grid_overrides_size(const struct sim_sweep_grid *g);
void sim_sweep_grid_overrides(const struct sim_sweep_grid *g, size_t run, const char **buf, char *storage);
/* The value index of axis a in run `run`. */
size_t sim_sweep_grid_value(const struct sim_sweep_grid *g, size_t run, size_t a);

/* ---- one run's row ------------------------------------------------------------------------- */
/* What the scenario itself says about a run (read from the loaded scenario, not the results). */
struct sim_sweep_shape {
	uint64_t seed;
	uint64_t fault_us;          /* the first timeline entry's time (0 with no timeline) */
	uint64_t brokers;           /* in cluster.brokers */
	uint64_t partitions;        /* created at start-up (topics, topic_sets) or in initial */
	uint64_t replicas;          /* their replicas */
};
void sim_sweep_shape_of(const struct sim_scenario *sc, struct sim_sweep_shape *out);

/* The figure columns of sweep.csv, after the parameter columns, seed and outcome. */
void sim_sweep_figures_header(FILE *f);
/* One run's figure columns (with the leading comma) from dir/summary.json and
 * dir/timeline.csv. False with err set when a file is missing or unreadable. */
bool sim_sweep_figures_row(const char *dir, const struct sim_sweep_shape *shape, FILE *f, struct sim_error *err);

/* ---- plot data (the gnuplot scripts in scripts/ draw them) --------------------------------- */
/* One run folder's plot data into out (an existing folder): timeline.dat, marks.gp, cdf.dat,
 * run.gp, and with a trace busy.dat (then *busy is true). sim_sweep_plotrun.c. */
bool sim_sweep_plot_run_data(const char *dir, const char *out, bool *busy, struct sim_error *err);

/* What a sweep plot shows; NULL fields take the defaults sim_sweep_plotsweep.c describes. */
struct sim_sweep_plot_opts {
	const char *x;        /* a sweep.csv column */
	const char *series;   /* comma-separated --set keys, one line per combination of values */
	const char *y;        /* comma-separated figure columns */
	const char *xlabel;
	const char *title;
};
#define SIM_SWEEP_MAX_FIGS 32
/* A sweep folder's plot data into out: for each figure FIG, FIG.dat and FIG.gp; figs gets
 * their names. */
bool sim_sweep_plot_sweep_data(const char *dir, const char *out, const struct sim_sweep_plot_opts *o,
			       char figs[][64], size_t *n_figs, struct sim_error *err);

/* ---- reading our own JSON ------------------------------------------------------------------ */
/* A JSON value's text [p, end). The reader trusts its input to be the valid JSON kcsim writes
 * but never reads past end on any input. */
struct sim_jv {
	const char *p, *end;
};
/* The member `key` of object v. */
bool sim_sweep_json_member(struct sim_jv v, const char *key, struct sim_jv *out);
/* Follows a dotted path of members ("figures.requests.LeaderAndIsr"). */
bool sim_sweep_json_path(struct sim_jv v, const char *path, struct sim_jv *out);
/* Iterates over an array: *it starts as {0}; each call gives the next element. */
bool sim_sweep_json_next(struct sim_jv array, struct sim_jv *it);
/* An integer value (false for null, strings, fractions). */
bool sim_sweep_json_int(struct sim_jv v, int64_t *out);
/* A string value without its quotes, \" \\ \/ escapes undone, \u escapes kept as written. */
bool sim_sweep_json_str(struct sim_jv v, char *buf, size_t size);
/* true or false. */
bool sim_sweep_json_bool(struct sim_jv v, bool *out);

/* A whole file in memory, NUL-terminated (free with free); NULL with errno set. */
char *sim_sweep_read_file(const char *path, size_t *len);
/* dir/name into buf; an empty string when it does not fit (opening it then fails). */
void sim_sweep_path(char *buf, size_t size, const char *dir, const char *name);
/* p with room for item n (of size bytes), doubling *cap as needed; exits on out of memory. */
void *sim_sweep_grow(void *p, size_t n, size_t *cap, size_t size);
/* s as a gnuplot single-quoted string (a quote inside is doubled). */
void sim_sweep_gp_string(FILE *f, const char *s);

#endif
