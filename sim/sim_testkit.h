/* sim_testkit.h — what the simulator's unit tests share, never part of libsim.a: a scenario
 * loaded from YAML text. (The Makefile links every sim/sim_test*.c into every sim test.) */
#ifndef SIM_TESTKIT_H
#define SIM_TESTKIT_H

#include "sim_scenario.h"

/* Loads yaml as the file `name` (which names the scenario when it has no name: key) from a
 * fresh temporary folder, then removes the file and the folder; fails the test with the
 * loader's message if the text does not load. */
void sim_test_load(const char *name, const char *yaml, struct sim_scenario *sc);

#endif
