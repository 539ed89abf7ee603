/* sim_phold.h — the PHOLD benchmark model (Fujimoto 1990) run on kcsim's own event queue and
 * generator, linked unchanged. Used by `make bench` to compare the engine with ns-3, SimGrid
 * and SimPy, which run the same model in scripts/bench/. No wall clock here: callers time it.
 *
 * The model, as every peer implements it:
 * - `lps` logical processes; at time 0 each LP holds `population` pending events. For LP
 *   0..lps-1 in order, each of its events is scheduled at a delay drawn as below.
 * - Processing an event at LP i counts it at i and schedules one new event: first the
 *   destination, uniform over all LPs (i included), then the delay, uniform over the
 *   integers [lookahead_us, lookahead_us + spread_us]; the new event fires at now + delay.
 * - Equal times run in scheduling order (FIFO), as kcsim's (t, class, seq) order gives.
 * - The run stops once `events` events have been processed.
 * Draws come from sim_rng stream SIM_STREAM_PHOLD of `seed`: below(lps), then range(). */
#ifndef SIM_PHOLD_H
#define SIM_PHOLD_H

#include <stdbool.h>
#include <stdint.h>

struct sim_phold_params {
	uint32_t lps;         /* logical processes, > 0 */
	uint32_t population;  /* initial pending events per LP, > 0 */
	uint64_t events;      /* events to process */
	uint64_t lookahead_us; /* least delay */
	uint64_t spread_us;   /* delay is lookahead_us + uniform [0, spread_us] */
	uint64_t seed;
};

struct sim_phold_result {
	uint64_t events;   /* processed; equals params.events */
	uint64_t end_t_us; /* time of the last processed event */
	/* FNV-1a over 64-bit words: for each LP in id order its processed count and the time of
	 * its last event, then end_t_us. Equal across engines that ran the same events. */
	uint64_t checksum;
};

/* Runs the model; false (and *res untouched) when lps or population is 0, the largest delay
 * overflows, or the pending population lps * population cannot be addressed. Aborts if
 * memory runs out. */
bool sim_phold_run(const struct sim_phold_params *p, struct sim_phold_result *res);

#endif
