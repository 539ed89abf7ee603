/* sim_explore_int.h — what the explorer's files share: a *plan* (one seed's scenario in a form
 * that can be edited: the base's cluster and config, explicit topic assignments, and timeline
 * entries), its YAML materialisation, one run of it, and the shrinker. A plan is always turned
 * into a YAML file and run through the loader, so what explore runs is exactly what a
 * materialised file replays.
 *
 * Plans reuse struct sim_timeline_entry (sim_scenario.h): an entry's spans point into the
 * plan's own pools, its topic indexes into plan->topics, and brokers are Kafka ids. */
#ifndef SIM_EXPLORE_INT_H
#define SIM_EXPLORE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim_error.h"
#include "sim_explore.h"
#include "sim_scenario.h"

/* Timeline topics the fault plan may create (fresh names), per seed. */
#define SIM_XPLAN_MAX_FRESH 64

struct sim_xbroker {
	int32_t id;
	bool in_cluster;   /* listed in cluster.brokers (else joined by add_broker) */
	bool down;         /* cluster.down */
	bool removed;      /* shrinking dropped it */
};

struct sim_xtopic {
	const char *name;  /* the base's spelling; NULL for a fresh name (prefix + fresh) */
	uint32_t fresh;
	bool removed;      /* shrinking dropped it (or nothing creates it any more) */
	bool at_startup;   /* created at start-up: explicit partitions x rf replicas */
	uint32_t partitions, rf;
	uint32_t assignment; /* ints offset, partition-major */
	int8_t unclean;    /* -1 config default; 0/1 the topic's override */
};

struct sim_xplan {
	const struct sim_scenario *base; /* config, profile, invariants, startup mode, names */
	char name[SIM_MAX_NAME + 1];     /* the scenario `name` written */
	uint64_t seed;
	uint64_t jitter_us;              /* latency_jitter written */
	bool inject_on[SIM_INJECT_COUNT];
	char fresh_prefix[16];
	char swarm[256];                 /* what the seed drew, for the file's header */

	uint32_t n_brokers;              /* ascending id */
	struct sim_xbroker *brokers;
	int32_t controller;              /* cluster.controller or -1 */

	uint32_t n_topics, cap_topics;
	struct sim_xtopic *topics;

	uint32_t n_entries, cap_entries; /* kept sorted by at_us (stable) */
	struct sim_timeline_entry *entries;

	int32_t *ints;
	uint32_t n_ints, cap_ints;
	struct sim_pref *prefs;
	uint32_t n_prefs, cap_prefs;
	struct sim_reassign *reassigns;
	uint32_t n_reassigns, cap_reassigns;
};

/* ---- plans (sim_explore_plan.c) ---- */
/* The plan of a scenario as it stands: its cluster, its start-up topics with the assignment
 * start-up gives them under `seed` (made explicit), its timeline entries, its injections.
 * False with err set for what explore cannot use (an `initial:` section, a start-up topic
 * that cannot be placed). */
bool sim_xplan_from_scenario(const struct sim_scenario *sc, uint64_t seed, struct sim_xplan *p,
			     struct sim_error *err);
/* The seed's plan on a base: the base as above, plus the swarm's fault phase and the heal
 * phase (architecture: explore). */
bool sim_xplan_generate(const struct sim_scenario *base, uint64_t seed, const bool *inject_on,
			struct sim_xplan *p, struct sim_error *err);
void sim_xplan_free(struct sim_xplan *p);
/* A deep copy (dst is overwritten). */
void sim_xplan_copy(struct sim_xplan *dst, const struct sim_xplan *src);
/* The topic's name into buf (fresh names are formatted). */
const char *sim_xplan_topic_name(const struct sim_xplan *p, uint32_t t, char *buf, size_t size);
/* When the run must be over: the last entry's end plus the heal bound. */
uint64_t sim_xplan_max_time(const struct sim_xplan *p);
/* The end of the last entry (its time, plus `for` of a pause or isolation). */
uint64_t sim_xplan_last_end(const struct sim_xplan *p);

/* Edits for the shrinker. Each keeps the plan loadable: references to what is gone are
 * dropped (an item from a list, or the whole entry when nothing is left). */
void sim_xplan_keep_entries(struct sim_xplan *p, const bool *keep);
void sim_xplan_drop_broker(struct sim_xplan *p, int32_t id);
void sim_xplan_drop_topic(struct sim_xplan *p, uint32_t t);
/* Start-up topic t keeps partitions 0 .. n-1 (false: not a start-up topic, or one that
 * add_partitions grows). */
bool sim_xplan_trim_topic(struct sim_xplan *p, uint32_t t, uint32_t n);
/* The number of items in entry e's list (brokers, reassignments, partitions; 0: no list). */
uint32_t sim_xplan_list_len(const struct sim_xplan *p, uint32_t e);
void sim_xplan_drop_item(struct sim_xplan *p, uint32_t e, uint32_t item);
/* Drop what no longer resolves (after any edit). */
void sim_xplan_normalise(struct sim_xplan *p);

/* ---- materialisation (sim_explore_yaml.c) ---- */
/* What a written file says about itself. */
struct sim_xfile_note {
	const char *headline;   /* first comment line */
	const char *failure;    /* the failure it reproduces (a comment), or NULL */
	int expect_violation;   /* enum sim_invariant for `expect: - violation:`, or -1 */
};
/* The plan as a scenario file. Returns false on a write error (errno set). */
bool sim_xplan_write_yaml(const struct sim_xplan *p, const struct sim_xfile_note *note, FILE *f);

/* ---- one run (sim_explore_run.c) ---- */
/* What judged a run: invariant is "" for a pass, an invariant's name, "no_convergence" (the
 * run did not settle by max_time), "unusable" (the plan did not load: a bug of explore) or
 * "crash" (the run killed its process). event names the first offending event. */
struct sim_xoutcome {
	char invariant[48];
	char event[96];
	uint64_t t_us;
	char detail[512];
};
/* Writes p to DIR/scenario.yaml, runs it into DIR, reads DIR/summary.json. */
void sim_xrun(const struct sim_xplan *p, const char *dir, struct sim_xoutcome *out);
bool sim_xoutcome_failed(const struct sim_xoutcome *o);
/* The same in a child process, so that a run that crashes kcsim comes back as "crash". */
void sim_xrun_forked(const struct sim_xplan *p, const char *dir, struct sim_xoutcome *out);
/* Writes p to DIR/FILE (through FILE.tmp) with the note. False with a message on stderr. */
bool sim_xplan_save(const struct sim_xplan *p, const struct sim_xfile_note *note, const char *dir,
		    const char *file);

/* ---- shrinking (sim_explore_shrink.c) ---- */
/* Shrinks p in place while its runs (in scratch DIR) keep failing with want->invariant, and,
 * when control is not NULL, while the same plan with the injections control lists does not
 * (so that a bug's example stays one that needs the bug); *last gets the final failure.
 * Returns the number of runs made. */
/* With isolate, every run is made in a child process (sim_xrun_forked): slower (each child
 * copies the pages it writes), but a candidate that crashes kcsim is just a candidate. */
uint64_t sim_xshrink(struct sim_xplan *p, const char *dir, const struct sim_xoutcome *want, const bool *control,
		     bool isolate, struct sim_xoutcome *last);

/* ---- results (sim_explore_out.c) ---- */
struct sim_xfail {
	uint64_t seed, t_us;
	bool jitter_zero;
	int8_t needs_inject;        /* -1 no --inject; 1 the failure needs it; 0 it does not */
	char invariant[48];
	char event[96];
	/* set by sim_xresults_mark: buckets are (invariant, event, needs_inject) */
	uint32_t bucket;
	bool representative;        /* among the first `shrink` seeds of its bucket, which does
				       not fail without --inject */
	uint32_t origin;            /* merge: the shard folder it came from */
};

/* One exploration's results: its parameters, its failing seeds (by seed) and the examples
 * shrunk (by seed). What failures.tsv and examples.tsv hold, and all buckets.json says. */
struct sim_xresults {
	char scenario[SIM_MAX_NAME + 1];
	char base_hash[17];         /* FNV-1a 64 of the base file, hex */
	uint64_t first_seed, last_seed, shard, shards, stop_after, seeds_run;
	unsigned shrink;
	bool inject_on[SIM_INJECT_COUNT];
	struct sim_xfail *fails;
	size_t n_fails, cap_fails;
	struct sim_explore_example *examples;
	size_t n_examples, cap_examples;
};

#define SIM_XSEED_FILE "seed-%llu.yaml"
#define SIM_XMIN_FILE "seed-%llu.min.yaml"

void sim_xresults_add_fail(struct sim_xresults *r, const struct sim_xfail *f);
void sim_xresults_add_example(struct sim_xresults *r, const struct sim_explore_example *e);
/* Sorts fails and examples by seed, sets each fail's bucket (numbered by first seed) and
 * representative flag; returns the number of buckets. */
uint32_t sim_xresults_mark(struct sim_xresults *r);
/* failures.tsv, examples.tsv, buckets.json into dir (after mark). */
bool sim_xresults_write(const struct sim_xresults *r, const char *dir);
/* The report of marked results. */
void sim_xresults_report(const struct sim_xresults *r, uint32_t n_buckets, const char *dir,
			 struct sim_explore_report *rep);
void sim_xresults_free(struct sim_xresults *r);
/* "A,B" of the injections on, or "-". */
void sim_xresults_inject_list(const bool *inject_on, char *buf, size_t size);
/* FNV-1a 64 of the file, as 16 hex digits; false with errno set. */
bool sim_xfile_hash(const char *path, char out[17]);

/* ---- worker processes (sim_explore_pool.c) ---- */
enum sim_xtask_kind { SIM_XTASK_SEED, SIM_XTASK_SHRINK };

/* What a worker is asked: run a seed (materialise it if it fails), or shrink a failing seed
 * (its materialised form: without jitter when jitter_zero). */
struct sim_xtask {
	uint32_t kind;
	uint32_t jitter_zero;
	int32_t needs_inject;    /* SHRINK: keep only candidates that fail so without --inject */
	uint32_t isolate;        /* SHRINK: each run in a child process (sim_xshrink) */
	uint64_t seed;
	char invariant[48];      /* SHRINK: the failure to keep */
};

/* What it answers (one write, smaller than PIPE_BUF, so never torn). */
struct sim_xresult {
	uint64_t seed;
	uint32_t kind;
	uint32_t jitter_zero;    /* SEED: the failure reproduces without jitter */
	int32_t needs_inject;    /* SEED: -1 no --inject; 1 it fails otherwise without them */
	uint32_t entries;        /* SHRINK: timeline entries left */
	uint64_t runs;           /* SHRINK: runs made */
	struct sim_xoutcome o;   /* SEED: the materialised run; SHRINK: the shrunk one */
	struct sim_xoutcome first; /* SHRINK: the materialised run it started from */
};

typedef void (*sim_xwork_fn)(void *ctx, unsigned slot, const struct sim_xtask *t, struct sim_xresult *r);
/* The next task to hand out (false: none now; asked again after every answer). */
typedef bool (*sim_xnext_fn)(void *ctx, struct sim_xtask *t);
typedef void (*sim_xdone_fn)(void *ctx, const struct sim_xtask *t, const struct sim_xresult *r);

/* Exact reads and writes on a pipe (false on EOF or error); the outcome of a process that died
 * with wait status `status`. */
bool sim_xread_all(int fd, void *buf, size_t size);
bool sim_xwrite_all(int fd, const void *buf, size_t size);
void sim_xoutcome_crash(struct sim_xoutcome *o, int status);

struct sim_xpool;
/* n worker processes, forked now, each running work(ctx, slot, ...) on the tasks it gets. A
 * worker that dies answers its task with invariant "crash" and is replaced. */
struct sim_xpool *sim_xpool_new(unsigned n, sim_xwork_fn work, void *ctx);
/* Hands out tasks until next has none and every answer is in; tick(ctx) after each answer. */
void sim_xpool_run(struct sim_xpool *pool, sim_xnext_fn next, sim_xdone_fn done, void (*tick)(void *ctx),
		   void *ctx);
void sim_xpool_free(struct sim_xpool *pool);

#endif
