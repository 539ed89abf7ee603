/* sim_duration.h — the scenario language's durations (`250us 2ms 6s 5m 1h`, bare `0`, at most
 * 720h), parsed to and written from integer microseconds of simulated time. */
#ifndef SIM_DURATION_H
#define SIM_DURATION_H

#include <stddef.h>
#include <stdint.h>

#define SIM_US_PER_MS UINT64_C(1000)
#define SIM_US_PER_S UINT64_C(1000000)
#define SIM_US_PER_M (60 * SIM_US_PER_S)
#define SIM_US_PER_H (60 * SIM_US_PER_M)
/* Every time and duration of a scenario is at most this (scenario-format "Limits"). */
#define SIM_DURATION_MAX_US (720 * SIM_US_PER_H)

/* For messages: what a duration looks like. */
#define SIM_DURATION_EXPECTED                                                              \
	"a non-negative integer immediately followed by us, ms, s, m or h (250us, 2ms, 6s, " \
	"5m, 1h), or 0, at most 720h"

enum sim_duration_rc {
	SIM_DURATION_OK,
	SIM_DURATION_SYNTAX,   /* not digits + unit (sign, fraction, space, unknown unit) */
	SIM_DURATION_TOO_LONG, /* well formed but above SIM_DURATION_MAX_US */
};

/* Parses exactly len bytes of s (no terminator needed). *us is set only on SIM_DURATION_OK. */
enum sim_duration_rc sim_duration_parse(const char *s, size_t len, uint64_t *us);

/* Writes the shortest exact spelling of us in the largest unit that divides it ("6s",
 * "1500us", "0") into buf (size >= 24 always suffices) and returns buf. */
const char *sim_duration_format(uint64_t us, char *buf, size_t size);

#endif
