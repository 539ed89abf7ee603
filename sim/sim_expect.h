/* sim_expect.h — the scenario's `expect` entries (scenario-format "expect"): `at` checks after
 * every event up to their time, `within` checks at the first moment they hold, `at_end`
 * checks when the run ends, `requests` counts per window, `violation` judged by the run's
 * verdict. Failures name the scenario file and line. */
#ifndef SIM_EXPECT_H
#define SIM_EXPECT_H

#include "sim_observe.h"

struct sim_expect_state;
struct sim_expect_state *sim_expect_new(struct sim_world *w);
void sim_expect_free(struct sim_expect_state *x);

void sim_expect_request(struct sim_world *w, struct sim_expect_state *x, uint32_t req, bool dropped);
void sim_expect_timeline(struct sim_world *w, struct sim_expect_state *x, uint32_t entry);
/* Evaluate what is due now (w->now): `at` checks whose time the next event passes are made by
 * sim_expect_before_time, called with the time of the next event before it runs. */
void sim_expect_before_time(struct sim_world *w, struct sim_expect_state *x, uint64_t next_t);
void sim_expect_after_event(struct sim_world *w, struct sim_expect_state *x);
/* The run ended (violated: a violation stopped it). */
void sim_expect_end(struct sim_world *w, struct sim_expect_state *x, bool violated);
void sim_expect_counts(const struct sim_expect_state *x, uint32_t *passed, uint32_t *failed,
		       uint32_t *not_evaluated);
/* The failures, one line each ("FILE:LINE: at T: what was expected; what was seen"). */
const char *sim_expect_failures(const struct sim_expect_state *x);
/* Whether the run's outcome passes given its first violation (an expected one). */
bool sim_expect_violation_expected(const struct sim_expect_state *x, int invariant);

#endif
