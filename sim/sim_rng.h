/* sim_rng.h — the one pseudo-random generator of kcsim: xoshiro256** seeded through
 * splitmix64, with independent streams per purpose derived from (seed, stream). State lives in
 * the struct; nothing global. Same (seed, stream) ⇒ same sequence on every machine. */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

/* Purposes get their own streams so that e.g. adding a jittered latency never shifts the
 * replica placement drawn from the same seed. */
enum sim_stream {
	SIM_STREAM_PLACEMENT = 1, /* Kafka's random start index and shift of replica placement */
	SIM_STREAM_JITTER = 2,    /* latency_jitter */
	SIM_STREAM_FAULTS = 3,    /* explore: fault plans */
	SIM_STREAM_EXPLORE = 4,   /* explore: swarm parameters */
	SIM_STREAM_PHOLD = 5,     /* benchmark */
};

struct sim_rng {
	uint64_t s[4];
};

void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream);
uint64_t sim_rng_next(struct sim_rng *r);
/* Uniform in [0, n), unbiased; n > 0. */
uint64_t sim_rng_below(struct sim_rng *r, uint64_t n);
/* Uniform in [lo, hi], inclusive; lo <= hi. */
uint64_t sim_rng_range(struct sim_rng *r, uint64_t lo, uint64_t hi);

#endif
