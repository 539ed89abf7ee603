/* sim_run.h — one run of one scenario: start-up, the event loop until run_until, the checks,
 * and the result files. */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include "sim_observe.h"
#include "sim_scenario.h"

/* Returns the exit status: 0 pass, 1 fail (an expectation or invariant), 2 unusable; *verdict
 * gets the outcome in one line. */
int sim_run(const struct sim_scenario *sc, const struct sim_run_opts *opts, char *verdict, size_t verdict_len);

#endif
