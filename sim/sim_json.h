/* sim_json.h — the little JSON output the result files need: quoted, escaped strings (valid
 * JSON for any input bytes) and indentation, to a FILE or into a block writer (sim_out.h). No
 * parsing, no floats, no allocation. */
#ifndef SIM_JSON_H
#define SIM_JSON_H

#include <stdint.h>
#include <stdio.h>

#include "sim_out.h"

/* Write s as a JSON string literal, quotes included. '"', '\\' and control characters are
 * escaped (\n, \t, ... or \u00XX); valid UTF-8 passes through; a byte that is not part of a
 * valid UTF-8 sequence becomes \ufffd, so the output is always valid JSON. NULL writes null. */
void sim_json_string(FILE *f, const char *s);
/* A time in µs, or null for UINT64_MAX (the simulator's "never"). */
void sim_json_time(FILE *f, uint64_t t_us);
/* A newline-free run of n spaces. */
void sim_json_indent(FILE *f, int n);
/* The same three into a block writer. */
void sim_json_put_string(struct sim_out *o, const char *s);
void sim_json_put_time(struct sim_out *o, uint64_t t_us);
void sim_json_put_indent(struct sim_out *o, int n);

#endif
