/* sim_spans.h — summary.json's "operations": spans that the world begins and ends by (kind,
 * key), each counting the leader elections made while it was open. Every call is O(1)
 * amortised (a run creating 50,000 topics at once holds 50,000 open spans). */
#ifndef SIM_SPANS_H
#define SIM_SPANS_H

#include <stdio.h>

#include "sim_observe.h"

struct sim_spans;
struct sim_spans *sim_spans_new(void);
void sim_spans_free(struct sim_spans *s);

void sim_spans_begin(struct sim_spans *s, enum sim_op op, int64_t key, int32_t broker, uint64_t t, bool startup);
/* Ends the oldest open span of this kind and key at t (not before its start); false if none. */
bool sim_spans_end(struct sim_spans *s, enum sim_op op, int64_t key, uint64_t t);
/* A successful leader election at t; times never decrease. */
void sim_spans_election(struct sim_spans *s, uint64_t t);
/* The "operations" array (sorted by start, kind, key, begin order); a span still open has
 * "end_us": null and counts the elections up to now. */
void sim_spans_write(const struct sim_world *w, const struct sim_spans *s, FILE *f, int indent);

#endif
