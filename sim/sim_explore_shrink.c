/* sim_explore_shrink.c — shrinking a failing plan while the same invariant keeps failing:
 * delta debugging over the timeline entries (Zeller and Hildebrandt, "Simplifying and
 * Isolating Failure-Inducing Input", TSE 2002), then fewer brokers, topics and partitions,
 * shorter lists inside entries, and earlier times; repeated while anything still shrinks.
 * Every candidate is a whole run, so what is kept is exactly what fails. Runs are made in
 * process, or each in a child process when isolated (the caller's choice: a candidate that
 * crashes kcsim then ends neither the shrink nor the worker, and when the failure being shrunk
 * is a crash it is what is kept). Either way the same candidates are kept. */
#include <stdlib.h>
#include <string.h>

#include "sim_explore_int.h"
#include "sim_world.h"

/* A bound on the runs one shrink may make: a case that resists shrinking still ends. */
#define SHRINK_MAX_RUNS 3000u
#define SHRINK_MAX_ROUNDS 4
#define SHRINK_TIME_STEPS 8

struct shrinker {
	const char *dir;
	const struct sim_xoutcome *want;
	const bool *control;
	bool isolate;
	struct sim_xoutcome last;
	uint64_t runs;
};

static void run(const struct shrinker *s, const struct sim_xplan *p, struct sim_xoutcome *o)
{
	if (s->isolate)
		sim_xrun_forked(p, s->dir, o);
	else
		sim_xrun(p, s->dir, o);
}

/* Runs cand; true (and cand replaces *p) when it fails with the wanted invariant. */
static bool accept(struct shrinker *s, struct sim_xplan *p, struct sim_xplan *cand)
{
	bool same = false;
	if (s->runs < SHRINK_MAX_RUNS) {
		struct sim_xoutcome o;
		s->runs++;
		run(s, cand, &o);
		same = strcmp(o.invariant, s->want->invariant) == 0;
		if (same && s->control) {
			struct sim_xplan q;
			struct sim_xoutcome c;
			sim_xplan_copy(&q, cand);
			memcpy(q.inject_on, s->control, sizeof q.inject_on);
			s->runs++;
			run(s, &q, &c);
			sim_xplan_free(&q);
			same = strcmp(c.invariant, s->want->invariant) != 0;
		}
		if (same)
			s->last = o;
	}
	if (same) {
		sim_xplan_free(p);
		*p = *cand;
	} else {
		sim_xplan_free(cand);
	}
	return same;
}

/* A copy of p keeping entries outside [lo, hi) (inside: when `inside`). */
static bool try_chunk(struct shrinker *s, struct sim_xplan *p, uint32_t lo, uint32_t hi, bool inside)
{
	struct sim_xplan cand;
	sim_xplan_copy(&cand, p);
	bool *keep = sim_xrealloc(NULL, (p->n_entries + 1) * sizeof *keep);
	for (uint32_t i = 0; i < p->n_entries; i++)
		keep[i] = (i >= lo && i < hi) == inside;
	sim_xplan_keep_entries(&cand, keep);
	free(keep);
	if (cand.n_entries == p->n_entries) {
		sim_xplan_free(&cand);
		return false;
	}
	return accept(s, p, &cand);
}

/* ddmin: split into n chunks; keep a chunk alone, or drop one; refine n when neither fails. */
static bool ddmin(struct shrinker *s, struct sim_xplan *p)
{
	bool changed = false;
	uint32_t n = 2;
	while (p->n_entries > 0 && s->runs < SHRINK_MAX_RUNS) {
		uint32_t len = p->n_entries;
		if (n > len)
			n = len;
		bool reduced = false;
		for (uint32_t i = 0; i < n && !reduced && n > 2; i++)
			if (try_chunk(s, p, i * len / n, (i + 1) * len / n, true)) {
				n = 2;
				reduced = true;
			}
		for (uint32_t i = 0; i < n && !reduced; i++)
			if (try_chunk(s, p, i * len / n, (i + 1) * len / n, false)) {
				n = n > 2 ? n - 1 : 2;
				reduced = true;
			}
		changed = changed || reduced;
		if (!reduced) {
			if (n >= len)
				break;
			n = 2 * n < len ? 2 * n : len;
		}
	}
	return changed;
}

static bool drop_brokers(struct shrinker *s, struct sim_xplan *p)
{
	bool changed = false;
	for (uint32_t b = p->n_brokers; b-- > 0;) {
		uint32_t left = 0;
		for (uint32_t i = 0; i < p->n_brokers; i++)
			left += !p->brokers[i].removed && p->brokers[i].in_cluster;
		if (p->brokers[b].removed || left <= 1)
			continue;
		struct sim_xplan cand;
		sim_xplan_copy(&cand, p);
		sim_xplan_drop_broker(&cand, p->brokers[b].id);
		changed = accept(s, p, &cand) || changed;
	}
	return changed;
}

static bool drop_topics(struct shrinker *s, struct sim_xplan *p)
{
	bool changed = false;
	for (uint32_t t = p->n_topics; t-- > 0;) {
		if (p->topics[t].removed)
			continue;
		struct sim_xplan cand;
		sim_xplan_copy(&cand, p);
		sim_xplan_drop_topic(&cand, t);
		changed = accept(s, p, &cand) || changed;
	}
	return changed;
}

/* The smallest of 1, 2, 4, ... partitions that still fails, per start-up topic. */
static bool trim_topics(struct shrinker *s, struct sim_xplan *p)
{
	bool changed = false;
	for (uint32_t t = 0; t < p->n_topics; t++)
		for (uint32_t n = 1; n < p->topics[t].partitions && !p->topics[t].removed; n *= 2) {
			struct sim_xplan cand;
			sim_xplan_copy(&cand, p);
			if (!sim_xplan_trim_topic(&cand, t, n)) {
				sim_xplan_free(&cand);
				break;
			}
			if (accept(s, p, &cand)) {
				changed = true;
				break;
			}
		}
	return changed;
}

static bool drop_items(struct shrinker *s, struct sim_xplan *p)
{
	bool changed = false;
	for (uint32_t e = 0; e < p->n_entries; e++)
		for (uint32_t k = sim_xplan_list_len(p, e); k-- > 0 && e < p->n_entries && sim_xplan_list_len(p, e) > 1;) {
			struct sim_xplan cand;
			sim_xplan_copy(&cand, p);
			sim_xplan_drop_item(&cand, e, k);
			sim_xplan_normalise(&cand);
			changed = accept(s, p, &cand) || changed;
		}
	return changed;
}

/* Each entry as early as it still fails, never before the entry ahead of it (so the order,
 * and with it the meaning of entries at equal times, stays). */
static bool earlier_times(struct shrinker *s, struct sim_xplan *p)
{
	bool changed = false;
	for (uint32_t e = 0; e < p->n_entries; e++) {
		uint64_t lo = e > 0 ? p->entries[e - 1].at_us : 0, hi = p->entries[e].at_us;
		for (int step = 0; step < SHRINK_TIME_STEPS && lo < hi; step++) {
			/* the bound itself first, then bisection */
			uint64_t t = step == 0 ? lo : lo + (hi - lo) / 2;
			struct sim_xplan cand;
			sim_xplan_copy(&cand, p);
			cand.entries[e].at_us = t;
			if (accept(s, p, &cand)) {
				hi = t;
				changed = true;
			} else {
				lo = t + 1;
			}
		}
	}
	return changed;
}

uint64_t sim_xshrink(struct sim_xplan *p, const char *dir, const struct sim_xoutcome *want, const bool *control,
		     bool isolate, struct sim_xoutcome *last)
{
	struct shrinker s = {.dir = dir, .want = want, .control = control, .isolate = isolate, .last = *want};
	for (int round = 0; round < SHRINK_MAX_ROUNDS; round++) {
		bool changed = ddmin(&s, p);
		changed = drop_brokers(&s, p) || changed;
		changed = drop_topics(&s, p) || changed;
		changed = trim_topics(&s, p) || changed;
		changed = drop_items(&s, p) || changed;
		changed = earlier_times(&s, p) || changed;
		if (!changed || s.runs >= SHRINK_MAX_RUNS)
			break;
	}
	*last = s.last;
	return s.runs;
}
