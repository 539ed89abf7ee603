/* sim_duration.c — parses and formats scenario durations (see sim_duration.h). */
#include "sim_duration.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct sim_duration_unit {
	const char *suffix;
	uint64_t us;
};

/* Largest first: sim_duration_format takes the first unit that divides exactly. */
static const struct sim_duration_unit sim_duration_units[] = {
	{"h", SIM_US_PER_H}, {"m", SIM_US_PER_M},   {"s", SIM_US_PER_S},
	{"ms", SIM_US_PER_MS}, {"us", 1},
};

enum sim_duration_rc sim_duration_parse(const char *s, size_t len, uint64_t *us)
{
	size_t digits = 0;
	uint64_t value = 0;
	while (digits < len && s[digits] >= '0' && s[digits] <= '9') {
		/* Saturate instead of overflowing: anything this large is too long anyway. */
		if (value <= SIM_DURATION_MAX_US)
			value = value * 10 + (uint64_t)(s[digits] - '0');
		digits++;
	}
	if (digits == 0)
		return SIM_DURATION_SYNTAX;
	const char *unit = s + digits;
	size_t unit_len = len - digits;
	if (unit_len == 0) {
		/* A bare number is only allowed for 0, where the unit cannot matter. */
		if (value != 0)
			return SIM_DURATION_SYNTAX;
		*us = 0;
		return SIM_DURATION_OK;
	}
	for (size_t i = 0; i < sizeof sim_duration_units / sizeof sim_duration_units[0]; i++) {
		const struct sim_duration_unit *u = &sim_duration_units[i];
		if (strlen(u->suffix) != unit_len || memcmp(u->suffix, unit, unit_len) != 0)
			continue;
		if (value > SIM_DURATION_MAX_US / u->us)
			return SIM_DURATION_TOO_LONG;
		*us = value * u->us;
		return SIM_DURATION_OK;
	}
	return SIM_DURATION_SYNTAX;
}

const char *sim_duration_format(uint64_t us, char *buf, size_t size)
{
	if (us == 0) {
		snprintf(buf, size, "0");
		return buf;
	}
	/* The last unit (us) divides everything, so the loop always stops. */
	size_t i = 0;
	while (us % sim_duration_units[i].us != 0)
		i++;
	snprintf(buf, size, "%" PRIu64 "%s", us / sim_duration_units[i].us, sim_duration_units[i].suffix);
	return buf;
}
