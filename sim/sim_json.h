/* sim_json.h — the little JSON output the result files need: quoted, escaped strings (valid
 * JSON for any input bytes) and indentation. No parsing, no floats, no allocation. */
#ifndef SIM_JSON_H
#define SIM_JSON_H

#include <stdint.h>
#include <stdio.h>

/* Write s as a JSON string literal, quotes included. '"', '\\' and control characters are
 * escaped (\n, \t, ... or \u00XX); valid UTF-8 passes through; a byte that is not part of a
 * valid UTF-8 sequence becomes \ufffd, so the output is always valid JSON. NULL writes null. */
void sim_json_string(FILE *f, const char *s);
/* A time in µs, or null for UINT64_MAX (the simulator's "never"). */
void sim_json_time(FILE *f, uint64_t t_us);
/* A newline-free run of n spaces. */
void sim_json_indent(FILE *f, int n);

#endif
