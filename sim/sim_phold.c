/* sim_phold.c — PHOLD on sim_queue + sim_rng (the model is defined in sim_phold.h). The loop
 * is the shape of kcsim's main loop: pop the least event, run its handler, push what it
 * schedules. */
#include "sim_phold.h"

#include "sim_queue.h"
#include "sim_rng.h"

#include <stdio.h>
#include <stdlib.h>

enum { SIM_PHOLD_KIND = 1 };

static uint64_t sim_phold_fnv(uint64_t h, uint64_t word)
{
	return (h ^ word) * UINT64_C(0x100000001B3);
}

bool sim_phold_run(const struct sim_phold_params *p, struct sim_phold_result *res)
{
	if (p->lps == 0 || p->population == 0 || p->spread_us > UINT64_MAX - p->lookahead_us)
		return false;
	const uint64_t pending = (uint64_t)p->lps * p->population;
	if (pending > SIZE_MAX / sizeof(struct sim_event))
		return false;

	/* Per-LP state: count[i] events processed, last[i] the time of the latest one. */
	uint64_t *count = calloc(p->lps, sizeof *count);
	uint64_t *last = calloc(p->lps, sizeof *last);
	if (!count || !last) {
		fprintf(stderr, "sim_phold: out of memory for %u LPs\n", (unsigned)p->lps);
		abort();
	}
	struct sim_rng rng;
	sim_rng_seed(&rng, p->seed, SIM_STREAM_PHOLD);
	const uint64_t dmin = p->lookahead_us, dmax = p->lookahead_us + p->spread_us;

	struct sim_queue q;
	sim_queue_init(&q);
	/* Every event processed is replaced by one, so the queue never exceeds the population. */
	sim_queue_reserve(&q, (size_t)pending);
	for (uint32_t lp = 0; lp < p->lps; lp++)
		for (uint32_t j = 0; j < p->population; j++)
			sim_queue_push(&q, sim_rng_range(&rng, dmin, dmax), SIM_CLASS_TIMELINE,
				       SIM_PHOLD_KIND, lp, 0, 0);

	uint64_t done = 0, now = 0;
	struct sim_event e;
	while (done < p->events && sim_queue_pop(&q, &e)) {
		now = e.t_us;
		count[e.a]++;
		last[e.a] = now;
		done++;
		/* Two statements: argument evaluation order must not pick the draw order. */
		const uint64_t dest = sim_rng_below(&rng, p->lps);
		const uint64_t delay = sim_rng_range(&rng, dmin, dmax);
		sim_queue_push(&q, now + delay, SIM_CLASS_TIMELINE, SIM_PHOLD_KIND, (int64_t)dest, 0,
			       0);
	}

	uint64_t h = UINT64_C(0xCBF29CE484222325);
	for (uint32_t lp = 0; lp < p->lps; lp++) {
		h = sim_phold_fnv(h, count[lp]);
		h = sim_phold_fnv(h, last[lp]);
	}
	res->events = done;
	res->end_t_us = now;
	res->checksum = sim_phold_fnv(h, now);
	sim_queue_free(&q);
	free(count);
	free(last);
	return true;
}
