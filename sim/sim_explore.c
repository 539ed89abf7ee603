/* sim_explore.c — one exploration: load the base, run the shard's seeds on worker processes
 * (each failing seed materialised by the worker that found it, without jitter when the
 * failure survives that), bucket the failures, shrink each bucket's first seeds, write the
 * results. Also the option parsers and the progress line.
 *
 * Determinism: a seed's plan, run, materialised file and shrunk file depend on the seed
 * alone; seeds are handed out in ascending order; buckets are numbered by their first seed
 * and examples chosen by seed. So neither --jobs, nor the order answers arrive in, nor
 * sharding shows in any file. --stop-after keeps exactly the seeds up to the K-th failing one
 * (with --inject, the K-th whose failure needs the injection): seeds beyond the K-th found so
 * far are not handed out, and answers beyond the final K-th are dropped. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim_explore.h"
#include "sim_explore_int.h"
#include "sim_report.h"
#include "sim_world.h"

/* The progress line is redrawn at most this often. */
#define PROGRESS_NS 200000000LL

struct xctx {
	const struct sim_scenario *base;
	bool inject_on[SIM_INJECT_COUNT];
	char out[4096];
	char work[4200];             /* workers' scratch folders: work/SLOT */
	char inject_args[512];       /* " --inject X" ..., for the files' headlines */
	bool any_cli_inject;
	bool control[SIM_INJECT_COUNT]; /* the base's own injections: a run without --inject */
	/* the shard's seeds: first_seed + (shard - 1) + i * shards, i < count */
	uint64_t first_seed, last_seed, shard, shards, count;
	uint64_t next, done;
	uint64_t stop_after, cutoff; /* no seed above cutoff is handed out */
	struct sim_xresults res;
	/* the shrinking phase: the fails to shrink, handed out in order, and those to shrink again
	   isolated */
	size_t *reps;
	size_t n_reps, next_rep, reps_done;
	size_t *again;
	size_t n_again;
	/* progress */
	bool progress;
	struct timespec start, drawn;
};

static uint64_t seed_at(const struct xctx *c, uint64_t i) { return c->first_seed + (c->shard - 1) + i * c->shards; }

/* ---- the workers' side ---- */

static void save_failure(const struct xctx *c, const struct sim_xplan *p, const struct sim_xoutcome *o,
			 const char *file, const char *how)
{
	char headline[1024], failure[1024];
	snprintf(headline, sizeof headline,
		 "kcsim explore %s --seeds %" PRIu64 "..%" PRIu64 "%s: %s; `kcsim run %s` replays it", c->base->name,
		 p->seed, p->seed, c->inject_args, how, file);
	snprintf(failure, sizeof failure, "fails: %s at t=%" PRIu64 " us (%s): %s", o->invariant, o->t_us, o->event,
		 o->detail);
	struct sim_xfile_note note = {headline, failure, sim_invariant_find(o->invariant, strlen(o->invariant))};
	sim_xplan_save(p, &note, c->out, file);
}

static void run_seed(const struct xctx *c, const char *dir, struct sim_xplan *p, struct sim_xresult *r)
{
	sim_xrun(p, dir, &r->o);
	if (!sim_xoutcome_failed(&r->o))
		return;
	/* scenario-format: latency_jitter 0 when the failure reproduces without jitter */
	if (p->jitter_us > 0 && strcmp(r->o.invariant, "unusable") != 0) {
		struct sim_xplan q;
		struct sim_xoutcome o;
		sim_xplan_copy(&q, p);
		q.jitter_us = 0;
		sim_xrun(&q, dir, &o);
		sim_xplan_free(&q);
		if (strcmp(o.invariant, r->o.invariant) == 0) {
			p->jitter_us = 0;
			r->o = o;
		}
	}
	r->jitter_zero = p->jitter_us == 0;
	r->needs_inject = -1;
	if (c->any_cli_inject) {
		struct sim_xplan q;
		struct sim_xoutcome o;
		sim_xplan_copy(&q, p);
		memcpy(q.inject_on, c->control, sizeof q.inject_on);
		sim_xrun(&q, dir, &o);
		sim_xplan_free(&q);
		r->needs_inject = strcmp(o.invariant, r->o.invariant) != 0;
	}
	char file[64];
	snprintf(file, sizeof file, SIM_XSEED_FILE, (unsigned long long)p->seed);
	save_failure(c, p, &r->o, file, "a failing seed, materialised");
}

/* An unusable plan is explore's own bug and is reported as it is; everything else, crashes
 * included, is shrunk. Runs are made in the worker unless the task says isolate: a crash is
 * shrunk isolated from the start, and a shrink whose worker died (a candidate crashed) is
 * handed out again isolated, which keeps the same candidates. */
static void shrink_seed(const struct xctx *c, const char *dir, const struct sim_xtask *t, struct sim_xplan *p,
			struct sim_xresult *r)
{
	if (t->jitter_zero)
		p->jitter_us = 0;
	if (t->isolate)
		sim_xrun_forked(p, dir, &r->first);
	else
		sim_xrun(p, dir, &r->first);
	r->o = r->first;
	r->runs = 1;
	bool shrinkable = strcmp(t->invariant, "unusable") != 0;
	if (shrinkable && strcmp(r->first.invariant, t->invariant) == 0)
		r->runs += sim_xshrink(p, dir, &r->first, t->needs_inject == 1 ? c->control : NULL, t->isolate != 0,
				       &r->o);
	snprintf(p->name, sizeof p->name, "%.180s-seed-%" PRIu64 "-min", c->base->name, p->seed);
	r->entries = p->n_entries;
	char file[64], how[128];
	snprintf(file, sizeof file, SIM_XMIN_FILE, (unsigned long long)p->seed);
	snprintf(how, sizeof how, "seed %" PRIu64 " shrunk to %u timeline entries", p->seed, (unsigned)p->n_entries);
	save_failure(c, p, &r->o, file, how);
}

static void work(void *vc, unsigned slot, const struct sim_xtask *t, struct sim_xresult *r)
{
	const struct xctx *c = vc;
	char dir[4300];
	snprintf(dir, sizeof dir, "%s/%u", c->work, slot);
	struct sim_xplan p;
	struct sim_error err;
	if (!sim_xplan_generate(c->base, t->seed, c->inject_on, &p, &err)) {
		snprintf(r->o.invariant, sizeof r->o.invariant, "unusable");
		snprintf(r->o.detail, sizeof r->o.detail, "%.500s", err.msg);
		return;
	}
	if (t->kind == SIM_XTASK_SEED)
		run_seed(c, dir, &p, r);
	else
		shrink_seed(c, dir, t, &p, r);
	sim_xplan_free(&p);
}

/* ---- the parent's side ---- */

static bool next_seed(void *vc, struct sim_xtask *t)
{
	struct xctx *c = vc;
	if (c->next >= c->count || seed_at(c, c->next) > c->cutoff)
		return false;
	memset(t, 0, sizeof *t);
	t->kind = SIM_XTASK_SEED;
	t->seed = seed_at(c, c->next++);
	return true;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The stop_after-th smallest failing seed known that counts (with --inject, one whose
 * failure needs the injection), or UINT64_MAX while fewer are known. */
static uint64_t kth_failure(const struct xctx *c)
{
	if (c->stop_after == 0)
		return UINT64_MAX;
	uint64_t *seeds = sim_xrealloc(NULL, (c->res.n_fails + 1) * sizeof *seeds);
	size_t n = 0;
	for (size_t i = 0; i < c->res.n_fails; i++)
		if (!c->any_cli_inject || c->res.fails[i].needs_inject == 1)
			seeds[n++] = c->res.fails[i].seed;
	uint64_t k = UINT64_MAX;
	if (n >= c->stop_after) {
		qsort(seeds, n, sizeof *seeds, u64_cmp);
		k = seeds[c->stop_after - 1];
	}
	free(seeds);
	return k;
}

static void seed_done(void *vc, const struct sim_xtask *t, const struct sim_xresult *r)
{
	struct xctx *c = vc;
	c->done++;
	if (!sim_xoutcome_failed(&r->o))
		return;
	struct sim_xfail f = {.seed = t->seed, .t_us = r->o.t_us, .jitter_zero = r->jitter_zero != 0,
			      .needs_inject = (int8_t)(c->any_cli_inject ? r->needs_inject : -1)};
	snprintf(f.invariant, sizeof f.invariant, "%s", r->o.invariant);
	snprintf(f.event, sizeof f.event, "%s", r->o.event);
	sim_xresults_add_fail(&c->res, &f);
	if (strcmp(r->o.invariant, "crash") == 0) {
		/* the worker died before it could write the file */
		struct sim_xplan p;
		struct sim_error err;
		if (sim_xplan_generate(c->base, t->seed, c->inject_on, &p, &err)) {
			char file[64];
			snprintf(file, sizeof file, SIM_XSEED_FILE, (unsigned long long)t->seed);
			save_failure(c, &p, &r->o, file, "a seed whose run crashed kcsim, materialised");
			sim_xplan_free(&p);
		}
	}
	c->cutoff = kth_failure(c);
}

static bool next_rep(void *vc, struct sim_xtask *t)
{
	struct xctx *c = vc;
	bool again = c->n_again > 0;
	if (!again && c->next_rep >= c->n_reps)
		return false;
	const struct sim_xfail *f = &c->res.fails[again ? c->again[--c->n_again] : c->reps[c->next_rep++]];
	memset(t, 0, sizeof *t);
	t->kind = SIM_XTASK_SHRINK;
	t->seed = f->seed;
	t->jitter_zero = f->jitter_zero;
	t->needs_inject = f->needs_inject;
	t->isolate = again || strcmp(f->invariant, "crash") == 0;
	snprintf(t->invariant, sizeof t->invariant, "%s", f->invariant);
	return true;
}

static void rep_done(void *vc, const struct sim_xtask *t, const struct sim_xresult *r)
{
	struct xctx *c = vc;
	if (r->runs == 0 && !t->isolate) {
		/* the worker died on a candidate: again, each run in a child process */
		for (size_t i = 0; i < c->n_reps; i++)
			if (c->res.fails[c->reps[i]].seed == t->seed)
				c->again[c->n_again++] = c->reps[i];
		return;
	}
	c->reps_done++;
	/* a worker that died even so leaves the materialised file as the example */
	struct sim_explore_example e = {.seed = t->seed, .shrunk = r->runs > 0,
					.entries = r->entries, .runs = r->runs, .t_us = r->o.t_us};
	snprintf(e.event, sizeof e.event, "%s", r->o.event);
	snprintf(e.detail, sizeof e.detail, "%s", r->o.detail);
	sim_xresults_add_example(&c->res, &e);
}

static int64_t elapsed_ns(const struct timespec *from, const struct timespec *to)
{
	return (int64_t)(to->tv_sec - from->tv_sec) * 1000000000LL + (to->tv_nsec - from->tv_nsec);
}

/* The progress line (wall-clock time is used here only, never in a result). */
static void draw(struct xctx *c, bool final)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final && elapsed_ns(&c->drawn, &now) < PROGRESS_NS)
		return;
	c->drawn = now;
	int64_t ms = elapsed_ns(&c->start, &now) / 1000000;
	uint64_t rate = ms > 0 ? c->done * 1000 / (uint64_t)ms : 0;
	if (c->n_reps == 0)
		fprintf(stderr, "\rexplore %s: %" PRIu64 "/%" PRIu64 " seeds, %" PRIu64 " seeds/s, %zu failing   ",
			c->base->name, c->done, c->count, rate, c->res.n_fails);
	else
		fprintf(stderr, "\rexplore %s: shrinking %zu/%zu examples                       ", c->base->name,
			c->reps_done, c->n_reps);
	if (final)
		fputc('\n', stderr);
}

static void tick(void *vc)
{
	struct xctx *c = vc;
	if (c->progress)
		draw(c, false);
}

/* Removes the workers' scratch folders (two levels of plain files). */
static void remove_tree(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char path[4400];
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			if (remove(path) != 0 && depth > 0)
				remove_tree(path, depth - 1);
		}
	closedir(d);
	remove(dir);
}

static bool load_base(const struct sim_explore_opts *o, struct sim_scenario *base, struct xctx *c,
		      struct sim_error *err)
{
	if (!sim_scenario_load(o->base_path, NULL, 0, base, err))
		return false;
	for (int i = 0; i < SIM_INJECT_COUNT; i++)
		if (base->inject_on[i] && sim_inject_info((enum sim_inject)i)->selftest) {
			snprintf(err->msg, sizeof err->msg,
				 "%s: inject: '%s' is a checker self-test; explore injects historical bugs only",
				 o->base_path, sim_inject_info((enum sim_inject)i)->name);
			sim_scenario_free(base);
			return false;
		}
	/* what explore cannot use shows on any seed's plan */
	struct sim_xplan p;
	if (!sim_xplan_from_scenario(base, o->first_seed, &p, err)) {
		sim_scenario_free(base);
		return false;
	}
	sim_xplan_free(&p);
	if (!sim_xfile_hash(o->base_path, c->res.base_hash)) {
		snprintf(err->msg, sizeof err->msg, "kcsim: %s: %s", o->base_path, strerror(errno));
		sim_scenario_free(base);
		return false;
	}
	return true;
}

int sim_explore(const struct sim_explore_opts *o, struct sim_explore_report *rep, struct sim_error *err)
{
	memset(rep, 0, sizeof *rep);
	struct xctx *c = calloc(1, sizeof *c);
	struct sim_scenario base;
	if (!c)
		exit(3);
	if (!load_base(o, &base, c, err)) {
		free(c);
		return 2;
	}
	c->base = &base;
	size_t n = 0;
	for (int i = 0; i < SIM_INJECT_COUNT; i++) {
		c->inject_on[i] = o->inject_on[i] || base.inject_on[i];
		c->control[i] = base.inject_on[i];
		c->any_cli_inject = c->any_cli_inject || (o->inject_on[i] && !base.inject_on[i]);
		if (o->inject_on[i] && n < sizeof c->inject_args)
			n += (size_t)snprintf(c->inject_args + n, sizeof c->inject_args - n, " --inject %s",
					      sim_inject_info((enum sim_inject)i)->name);
	}
	if (o->out_dir)
		snprintf(c->out, sizeof c->out, "%s", o->out_dir);
	else if (o->shards > 1)
		snprintf(c->out, sizeof c->out, "results/explore-%s/shard-%" PRIu64 "-of-%" PRIu64, base.name, o->shard,
			 o->shards);
	else
		snprintf(c->out, sizeof c->out, "results/explore-%s", base.name);
	snprintf(c->work, sizeof c->work, "%s/.work-%ld", c->out, (long)getpid());
	if (!sim_report_mkdirs(c->out) || !sim_report_mkdirs(c->work)) {
		snprintf(err->msg, sizeof err->msg, "kcsim: %.900s: %s", c->out, strerror(errno));
		sim_scenario_free(&base);
		free(c);
		return 2;
	}
	c->first_seed = o->first_seed;
	c->last_seed = o->last_seed;
	c->shard = o->shard;
	c->shards = o->shards;
	uint64_t span = o->last_seed - o->first_seed; /* the range holds span + 1 seeds */
	c->count = span >= o->shard - 1 ? (span - (o->shard - 1)) / o->shards + 1 : 0;
	c->stop_after = o->stop_after;
	c->cutoff = UINT64_MAX;
	c->progress = o->progress;
	clock_gettime(CLOCK_MONOTONIC, &c->start);
	c->drawn = c->start;

	struct sim_xresults *res = &c->res;
	snprintf(res->scenario, sizeof res->scenario, "%s", base.name);
	res->first_seed = o->first_seed;
	res->last_seed = o->last_seed;
	res->shard = o->shard;
	res->shards = o->shards;
	res->stop_after = o->stop_after;
	res->shrink = o->shrink_per_bucket;
	memcpy(res->inject_on, o->inject_on, sizeof res->inject_on);

	struct sim_xpool *pool = sim_xpool_new(o->jobs, work, c);
	sim_xpool_run(pool, next_seed, seed_done, tick, c);
	/* keep exactly the failures up to the final cutoff, and count the seeds up to it */
	size_t kept = 0;
	for (size_t i = 0; i < res->n_fails; i++)
		if (res->fails[i].seed <= c->cutoff)
			res->fails[kept++] = res->fails[i];
	res->n_fails = kept;
	res->seeds_run = c->cutoff == UINT64_MAX ? c->count : (c->cutoff - seed_at(c, 0)) / c->shards + 1;
	if (c->progress)
		draw(c, true);
	uint32_t n_buckets = sim_xresults_mark(res);
	c->reps = sim_xrealloc(NULL, (res->n_fails + 1) * sizeof *c->reps);
	c->again = sim_xrealloc(NULL, (res->n_fails + 1) * sizeof *c->again);
	for (size_t i = 0; i < res->n_fails; i++)
		if (res->fails[i].representative)
			c->reps[c->n_reps++] = i;
	sim_xpool_run(pool, next_rep, rep_done, tick, c);
	sim_xpool_free(pool);
	if (c->progress && c->n_reps)
		draw(c, true);
	remove_tree(c->work, 1);

	int rc = 2;
	sim_xresults_mark(res); /* again: the examples came back in any order */
	if (sim_xresults_write(res, c->out)) {
		sim_xresults_report(res, n_buckets, c->out, rep);
		rc = res->n_fails > 0;
	} else {
		snprintf(err->msg, sizeof err->msg, "kcsim: %.900s: cannot write the results", c->out);
	}
	sim_xresults_free(res);
	free(c->reps);
	free(c->again);
	sim_scenario_free(&base);
	free(c);
	return rc;
}

/* ---- options ---- */

static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	if (len == 0 || len > 20)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

bool sim_explore_parse_seeds(const char *s, uint64_t *first, uint64_t *last, struct sim_error *err)
{
	const char *dots = s ? strstr(s, "..") : NULL;
	if (!dots || !parse_u64(s, (size_t)(dots - s), first) || !parse_u64(dots + 2, strlen(dots + 2), last) ||
	    *first > *last) {
		snprintf(err->msg, sizeof err->msg,
			 "kcsim: --seeds: got '%.100s'; expected A..B with integers 0 <= A <= B (e.g. 1..10000)",
			 s ? s : "");
		return false;
	}
	return true;
}

bool sim_explore_parse_shard(const char *s, uint64_t *shard, uint64_t *shards, struct sim_error *err)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	if (!slash || !parse_u64(s, (size_t)(slash - s), shard) || !parse_u64(slash + 1, strlen(slash + 1), shards) ||
	    *shard < 1 || *shard > *shards) {
		snprintf(err->msg, sizeof err->msg,
			 "kcsim: --shard: got '%.100s'; expected I/K with integers 1 <= I <= K (e.g. 3/8)", s ? s : "");
		return false;
	}
	return true;
}

bool sim_explore_parse_inject(const char *name, bool *inject_on, struct sim_error *err)
{
	char bugs[512];
	size_t n = 0;
	for (int i = 0; i < SIM_INJECT_COUNT && n < sizeof bugs; i++)
		if (!sim_inject_info((enum sim_inject)i)->selftest)
			n += (size_t)snprintf(bugs + n, sizeof bugs - n, "%s%s", n ? ", " : "",
					      sim_inject_info((enum sim_inject)i)->name);
	int x = name ? sim_inject_find(name, strlen(name)) : -1;
	if (x < 0) {
		snprintf(err->msg, sizeof err->msg, "kcsim: --inject: unknown name '%.100s'; expected one of %s",
			 name ? name : "", bugs);
		return false;
	}
	if (sim_inject_info((enum sim_inject)x)->selftest) {
		snprintf(err->msg, sizeof err->msg,
			 "kcsim: --inject: '%s' is a checker self-test, which explore never uses; expected one of %s",
			 sim_inject_info((enum sim_inject)x)->name, bugs);
		return false;
	}
	inject_on[x] = true;
	return true;
}
