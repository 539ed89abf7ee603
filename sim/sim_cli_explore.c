/* sim_cli_explore.c — `kcsim explore BASE.yaml --seeds A..B [--jobs N] [--shard I/K]
 * [--inject NAME]... [--out DIR]` and `kcsim explore --merge DIR...`: the options, the
 * progress line when stderr is a terminal, and the summary (sim_explore.h does the work). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_cli.h"
#include "sim_explore.h"

static const char explore_usage[] =
	"usage: kcsim explore BASE.yaml --seeds A..B [--jobs N] [--shard I/K] [--inject NAME]...\n"
	"                     [--out DIR] [--stop-after K] [--shrink N]\n"
	"       kcsim explore --merge DIR... [--out DIR]\n"
	"\n"
	"Runs one random fault plan per seed on the base scenario's cluster, topics, config,\n"
	"invariants and injections (its timeline entries stay, its expect is ignored). Each seed\n"
	"draws which fault kinds are on and at what weights (swarm testing), then the faults of a\n"
	"fault phase, then a heal phase restarts every broker down; only invariants judge, and a run\n"
	"that never settles fails as no_convergence. Every failing seed is written as a plain\n"
	"scenario, DIR/seed-N.yaml (`kcsim run` replays it); failures are bucketed by invariant and\n"
	"first offending event, and each bucket's first seeds are shrunk to DIR/seed-N.min.yaml.\n"
	"DIR/buckets.json sums it up; DIR/failures.tsv and DIR/examples.tsv are what --merge reads.\n"
	"Nothing written depends on --jobs or on sharding.\n"
	"\n"
	"  --seeds A..B     the seeds to run, inclusive\n"
	"  --jobs N         worker processes (default 1)\n"
	"  --shard I/K      run only the I-th of K interleaved parts of the range (seeds A+I-1,\n"
	"                   A+I-1+K, ...), so that K machines cover it exactly once\n"
	"  --inject NAME    switch on a historical bug (repeatable; self-tests are refused):\n"
	"%s"
	"  --out DIR        the results folder (default results/explore-NAME, or\n"
	"                   results/explore-NAME/shard-I-of-K with --shard)\n"
	"  --stop-after K   stop once the first K failing seeds are known (with --inject: the\n"
	"                   first K whose failure needs the injection)\n"
	"  --shrink N       shrink the first N seeds of each bucket (default 1; 0: none); with\n"
	"                   --inject, only of buckets whose failures need the injection\n"
	"  --merge DIR...   combine the folders of all K shards into the folder one unsharded\n"
	"                   run writes (default out: results/explore-NAME)\n"
	"\n"
	"Spreading a sweep (then: kcsim explore --merge results/explore-NAME/shard-*):\n"
	"  GNU parallel:  parallel kcsim explore base.yaml --seeds 1..1000000 --shard {}/16 ::: $(seq 16)\n"
	"  Slurm array:   sbatch --array=1-16 --wrap 'kcsim explore base.yaml --seeds 1..1000000 "
	"--shard $SLURM_ARRAY_TASK_ID/16'\n"
	"  Kubernetes Indexed Job (completions: 16, completionMode: Indexed), container command:\n"
	"                 sh -c 'kcsim explore base.yaml --seeds 1..1000000 --shard $((JOB_COMPLETION_INDEX+1))/16'\n"
	"  (on separate machines, collect each results/explore-NAME/shard-I-of-16 folder first)\n"
	"\n"
	"Exit status: 0 no violation, 1 at least one (materialised), 2 unusable input.\n";

static void print_usage(FILE *f)
{
	char bugs[2048];
	size_t n = 0;
	for (int i = 0; i < SIM_INJECT_COUNT && n < sizeof bugs; i++) {
		const struct sim_inject_info *in = sim_inject_info((enum sim_inject)i);
		if (!in->selftest)
			n += (size_t)snprintf(bugs + n, sizeof bugs - n, "                     %-12s %s\n", in->name,
					      in->summary);
	}
	fprintf(f, explore_usage, bugs);
}

static void print_report(const char *what, const struct sim_explore_report *rep)
{
	printf("%s: %" PRIu64 " seeds run, %" PRIu64 " failing in %u bucket%s; results in %s\n", what, rep->seeds_run,
	       rep->failing, (unsigned)rep->n_buckets, rep->n_buckets == 1 ? "" : "s", rep->out_dir);
	/* with --inject, whether each bucket needs the bug ("?" for a crash, never checked) */
	bool injecting = false;
	for (uint32_t b = 0; b < rep->n_buckets; b++)
		injecting = injecting || rep->buckets[b].needs_inject >= 0;
	if (rep->n_buckets)
		printf("  %7s %10s  %-28s %-36s %s\n", "count", "first seed", "invariant", "event",
		       injecting ? "cause  example" : "example");
	for (uint32_t b = 0; b < rep->n_buckets; b++) {
		const struct sim_explore_bucket *k = &rep->buckets[b];
		printf("  %7" PRIu64 " %10" PRIu64 "  %-28s %-36s", k->count, k->first_seed, k->invariant, k->event);
		if (injecting)
			printf(" %-6s", k->needs_inject < 0 ? "?" : k->needs_inject ? "bug" : "native");
		if (k->n_examples && k->examples[0].shrunk)
			printf(" seed-%" PRIu64 ".min.yaml (%u entries)\n", k->examples[0].seed,
			       (unsigned)k->examples[0].entries);
		else
			printf(" seed-%" PRIu64 ".yaml\n", k->first_seed);
	}
}

static bool parse_count(const char *opt, const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end = NULL;
	unsigned long v = s && *s >= '0' && *s <= '9' ? strtoul(s, &end, 10) : 0;
	if (!end || *end || v < min || v > max) {
		fprintf(stderr, "kcsim: %s: got '%s'; expected an integer from %lu to %lu\n", opt, s ? s : "", min, max);
		return false;
	}
	*out = v;
	return true;
}

int sim_cli_explore(int argc, char **argv)
{
	struct sim_explore_opts o = {.shard = 1, .shards = 1, .jobs = 1, .shrink_per_bucket = 1};
	struct sim_error err;
	const char **merge = calloc((size_t)argc + 1, sizeof *merge);
	size_t n_merge = 0;
	bool seeds = false, merging = false;
	int rc = 2;
	if (!merge)
		return 3;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned long x;
		bool ok = true;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			print_usage(stdout);
			free(merge);
			return 0;
		} else if (strcmp(a, "--seeds") == 0) {
			ok = sim_explore_parse_seeds(v, &o.first_seed, &o.last_seed, &err);
			seeds = true;
			i++;
		} else if (strcmp(a, "--shard") == 0) {
			ok = sim_explore_parse_shard(v, &o.shard, &o.shards, &err);
			i++;
		} else if (strcmp(a, "--inject") == 0) {
			ok = sim_explore_parse_inject(v, o.inject_on, &err);
			i++;
		} else if (strcmp(a, "--jobs") == 0) {
			if (!parse_count("--jobs", v, 1, 256, &x))
				goto out;
			o.jobs = (unsigned)x;
			i++;
			continue;
		} else if (strcmp(a, "--stop-after") == 0) {
			if (!parse_count("--stop-after", v, 0, 1000000000ul, &x))
				goto out;
			o.stop_after = x;
			i++;
			continue;
		} else if (strcmp(a, "--shrink") == 0) {
			if (!parse_count("--shrink", v, 0, 1000, &x))
				goto out;
			o.shrink_per_bucket = (unsigned)x;
			i++;
			continue;
		} else if (strcmp(a, "--out") == 0 && v) {
			o.out_dir = argv[++i];
		} else if (strcmp(a, "--merge") == 0) {
			merging = true;
		} else if (a[0] != '-' && merging) {
			merge[n_merge++] = a;
		} else if (a[0] != '-' && !o.base_path) {
			o.base_path = a;
		} else {
			fprintf(stderr, "kcsim: explore: unexpected argument '%s'; see kcsim explore --help\n", a);
			goto out;
		}
		if (!ok) {
			fprintf(stderr, "%s\n", err.msg);
			goto out;
		}
	}
	struct sim_explore_report rep;
	if (merging) {
		if (o.base_path || seeds) {
			fprintf(stderr, "kcsim: --merge: takes result folders only; see kcsim explore --help\n");
			goto out;
		}
		rc = sim_explore_merge(merge, n_merge, o.out_dir, &rep, &err);
		if (rc != 2)
			print_report("explore --merge", &rep);
	} else {
		if (!o.base_path || !seeds) {
			fprintf(stderr, "kcsim: explore: %s; see kcsim explore --help\n",
				o.base_path ? "--seeds: missing; expected A..B" : "expected BASE.yaml and --seeds A..B");
			goto out;
		}
		o.progress = isatty(STDERR_FILENO);
		rc = sim_explore(&o, &rep, &err);
		if (rc != 2) {
			char what[4200];
			snprintf(what, sizeof what, "explore %s --seeds %" PRIu64 "..%" PRIu64, o.base_path, o.first_seed,
				 o.last_seed);
			if (o.shards > 1)
				snprintf(what + strlen(what), sizeof what - strlen(what), " --shard %" PRIu64 "/%" PRIu64,
					 o.shard, o.shards);
			print_report(what, &rep);
		}
	}
	if (rc == 2)
		fprintf(stderr, "%s\n", err.msg);
	else
		sim_explore_report_free(&rep);
out:
	free(merge);
	return rc;
}
