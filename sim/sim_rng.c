/* sim_rng.c — kcsim's only pseudo-random generator: xoshiro256** (Blackman & Vigna 2018)
 * seeded through splitmix64 from (seed, stream), plus unbiased bounded draws. Pure integer
 * arithmetic, so the same (seed, stream) gives the same sequence under any compiler. */
#include "sim_rng.h"

#include <assert.h>

/* splitmix64 (Steele, Lea & Flood 2014): the generator Vigna recommends for filling
 * xoshiro's state, because its outputs from any start are well mixed and never all zero. */
static uint64_t sim_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static uint64_t sim_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* The stream is scrambled by a splitmix64 step before it is xored into the seed: a plain
 * seed ^ stream would let (seed 1, stream 2) and (seed 2, stream 1) share a sequence, and
 * adjacent streams would start adjacent splitmix walks. The map stream -> start is a
 * bijection for each seed, so distinct streams of one seed never share a start. */
void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t salt = stream ^ UINT64_C(0x6A09E667F3BCC909);
	uint64_t x = seed ^ sim_splitmix64(&salt);
	for (int i = 0; i < 4; i++)
		r->s[i] = sim_splitmix64(&x);
}

uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	const uint64_t result = sim_rotl(s[1] * 5, 7) * 9;
	const uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = sim_rotl(s[3], 45);
	return result;
}

/* Lemire, "Fast Random Integer Generation in an Interval" (2019): the high word of x * n is
 * uniform in [0, n) once the low words below 2^64 mod n are rejected. The division that
 * computes that threshold runs only when the low word is small, i.e. almost never. */
uint64_t sim_rng_below(struct sim_rng *r, uint64_t n)
{
	assert(n > 0);
	unsigned __int128 m = (unsigned __int128)sim_rng_next(r) * n;
	uint64_t low = (uint64_t)m;
	if (low < n) {
		const uint64_t threshold = (0 - n) % n; /* 2^64 mod n */
		while (low < threshold) {
			m = (unsigned __int128)sim_rng_next(r) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

uint64_t sim_rng_range(struct sim_rng *r, uint64_t lo, uint64_t hi)
{
	assert(lo <= hi);
	/* The full range has 2^64 values, one more than hi - lo + 1 can express. */
	if (lo == 0 && hi == UINT64_MAX)
		return sim_rng_next(r);
	return lo + sim_rng_below(r, hi - lo + 1);
}
