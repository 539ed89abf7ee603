/* sim_explore.h — `kcsim explore`: random fault plans on a base scenario, one per seed
 * (scenario-format "Exploration"); every failing seed materialised as a plain scenario file,
 * the first failing seeds of each bucket (invariant, first offending event, and with --inject
 * whether the failure needs the injection) shrunk; seed ranges split into shards and the
 * shards' results merged into exactly what one run gives.
 *
 * A results folder holds:
 *   seed-N.yaml      every failing seed, materialised (replays with `kcsim run`)
 *   seed-N.min.yaml  the shrunk examples
 *   failures.tsv     the run's parameters, then one row per failing seed (what merge reads)
 *   examples.tsv     one row per shrunk example
 *   buckets.json     the buckets with their counts and examples
 * All of it is a function of (base file, seed range, injections, kcsim version): --jobs and
 * sharding never change a byte. */
#ifndef SIM_EXPLORE_H
#define SIM_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_catalog.h"
#include "sim_error.h"

struct sim_explore_opts {
	const char *base_path;
	uint64_t first_seed, last_seed; /* inclusive */
	uint64_t shard, shards;         /* this shard, 1-based, of shards (1 of 1: unsharded) */
	bool inject_on[SIM_INJECT_COUNT];
	const char *out_dir;            /* NULL: results/explore-NAME, or .../shard-I-of-K */
	unsigned jobs;                  /* worker processes, >= 1 */
	uint64_t stop_after;            /* stop once this many failing seeds are known (with
					   injections, seeds whose failure needs them); 0 never */
	unsigned shrink_per_bucket;     /* how many of each bucket's first seeds to shrink */
	bool progress;                  /* a progress line on stderr */
};

/* A failing seed chosen to be shrunk, and the failure of its shrunk form. */
struct sim_explore_example {
	uint64_t seed;
	bool shrunk;                    /* seed-N.min.yaml exists (a crash cannot be shrunk) */
	uint32_t entries;               /* timeline entries left */
	uint64_t runs;                  /* runs the shrinking made */
	uint64_t t_us;
	char event[96];
	char detail[512];
};

struct sim_explore_bucket {
	char invariant[48];
	char event[96];
	int needs_inject;               /* with --inject: 1 the failures need it, 0 they do not;
					   without: -1 */
	uint64_t count, first_seed;
	uint32_t n_examples;
	struct sim_explore_example *examples;
};

struct sim_explore_report {
	char out_dir[4096];
	uint64_t seeds_run, failing;
	uint32_t n_buckets;
	struct sim_explore_bucket *buckets; /* by first seed */
};

/* Runs the exploration. Returns 0 (no failing seed), 1 (failures, materialised) or 2 (err
 * set: unusable base or options). */
int sim_explore(const struct sim_explore_opts *o, struct sim_explore_report *rep, struct sim_error *err);
/* Combines shard folders into out_dir (NULL: results/explore-NAME): the same files one
 * unsharded run writes. Returns as sim_explore; 2 when the shards do not fit together. */
int sim_explore_merge(const char *const *dirs, size_t n_dirs, const char *out_dir, struct sim_explore_report *rep,
		      struct sim_error *err);
void sim_explore_report_free(struct sim_explore_report *rep);

/* Argument parsers: false with err->msg "kcsim: OPTION: ...; expected ...". */
bool sim_explore_parse_seeds(const char *s, uint64_t *first, uint64_t *last, struct sim_error *err);
bool sim_explore_parse_shard(const char *s, uint64_t *shard, uint64_t *shards, struct sim_error *err);
/* A historical bug's name (any case); self-tests are refused. */
bool sim_explore_parse_inject(const char *name, bool *inject_on, struct sim_error *err);

#endif
