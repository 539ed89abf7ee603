/* sim_cli.h — kcsim's subcommands, each given argv from its own name on. */
#ifndef SIM_CLI_H
#define SIM_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "sim_prefault.h"
#include "sim_run.h"

int sim_cli_run(int argc, char **argv);
int sim_cli_check(int argc, char **argv);
int sim_cli_sweep(int argc, char **argv);   /* sim_cli_sweep.c */
int sim_cli_plot(int argc, char **argv);    /* sim_cli_plot.c */
int sim_cli_explore(int argc, char **argv); /* sim_cli_explore.c */

/* Shared by run and check: load path, apply --seed / --inject, run into out_dir. *verdict
 * gets a one-line outcome. Returns the exit status. */
struct sim_cli_job {
	const char *path;
	const char *out_dir;      /* NULL: results/NAME */
	bool trace, quiet;
	bool progress;            /* a progress line on stderr */
	bool seed_given;
	unsigned long long seed;
	const char *const *injects;
	size_t n_injects;
	enum sim_prefault_mode prefault; /* zero: auto */
	enum sim_instant_build instant_build; /* zero: auto */
};
int sim_cli_run_one(const struct sim_cli_job *job, char *verdict, size_t verdict_len);

#endif
