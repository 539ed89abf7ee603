/* phold_kcsim.c — benchmark driver for kcsim's PHOLD (sim/sim_phold.h): parses the model's
 * parameters, times one sim_phold_run with the monotonic wall clock (the only wall clock in
 * kcsim, and outside the engine), and prints the line scripts/bench/phold.sh parses. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_phold.h"

static void usage(void)
{
	fprintf(stderr, "usage: phold_kcsim [--lps N] [--population P] [--events E] "
			"[--lookahead US] [--spread US] [--seed S]\n");
	exit(2);
}

static uint64_t parse_u64(const char *flag, const char *s, uint64_t max)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max) {
		fprintf(stderr, "phold_kcsim: %s %s: expected an integer in [0, %" PRIu64 "]\n",
			flag, s, max);
		exit(2);
	}
	return v;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	struct sim_phold_params p = {
		.lps = 1000, .population = 1, .events = 1000000,
		.lookahead_us = 1000, .spread_us = 2000, .seed = 1,
	};
	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		const char *f = argv[i], *v = argv[++i];
		if (!strcmp(f, "--lps"))
			p.lps = (uint32_t)parse_u64(f, v, UINT32_MAX);
		else if (!strcmp(f, "--population"))
			p.population = (uint32_t)parse_u64(f, v, UINT32_MAX);
		else if (!strcmp(f, "--events"))
			p.events = parse_u64(f, v, UINT64_MAX);
		else if (!strcmp(f, "--lookahead"))
			p.lookahead_us = parse_u64(f, v, UINT64_MAX);
		else if (!strcmp(f, "--spread"))
			p.spread_us = parse_u64(f, v, UINT64_MAX);
		else if (!strcmp(f, "--seed"))
			p.seed = parse_u64(f, v, UINT64_MAX);
		else
			usage();
	}
	struct sim_phold_result r;
	const double t0 = now_seconds();
	const bool ok = sim_phold_run(&p, &r);
	const double seconds = now_seconds() - t0;
	if (!ok) {
		fprintf(stderr, "phold_kcsim: invalid parameters\n");
		return 2;
	}
	printf("RESULT engine=kcsim lps=%u population=%u events=%" PRIu64 " seconds=%.6f "
	       "end_t_us=%" PRIu64 " checksum=%016" PRIx64 "\n",
	       (unsigned)p.lps, (unsigned)p.population, r.events, seconds, r.end_t_us,
	       r.checksum);
	return 0;
}
