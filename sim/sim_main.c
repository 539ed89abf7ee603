/* sim_main.c — kcsim's command line: `run` one scenario, `check` a suite, and the later
 * commands; `--help` for each. Exit status: 0 everything held, 1 an expectation or invariant
 * failed, 2 the input is unusable. */
#include <stdio.h>
#include <string.h>

#include "sim_cli.h"

static const char usage[] =
	"usage: kcsim COMMAND [ARGS]\n"
	"\n"
	"A deterministic simulator of Apache Kafka's ZooKeeper-era controller (0.8.2 profile).\n"
	"\n"
	"commands:\n"
	"  run SCENARIO.yaml     replay one scenario; results in results/NAME/\n"
	"  check FILE_OR_DIR...  run every scenario given (folders recursively), sorted;\n"
	"                        last line \"N passed, M failed\"\n"
	"  sweep SCENARIO.yaml   run a scenario over a grid of --set values\n"
	"  plot RESULTS_DIR      render a run's or a sweep's plots\n"
	"  explore BASE.yaml     random fault plans, shrunk to minimal failing scenarios\n"
	"\n"
	"`kcsim COMMAND --help` describes each. Exit status: 0 pass, 1 fail, 2 unusable input.\n";

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "run") == 0)
		return sim_cli_run(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return sim_cli_check(argc - 1, argv + 1);
	if (strcmp(cmd, "sweep") == 0)
		return sim_cli_sweep(argc - 1, argv + 1);
	if (strcmp(cmd, "plot") == 0)
		return sim_cli_plot(argc - 1, argv + 1);
	if (strcmp(cmd, "explore") == 0)
		return sim_cli_explore(argc - 1, argv + 1);
	fprintf(stderr, "kcsim: unknown command '%s'; expected run, check, sweep, plot or explore\n", cmd);
	return 2;
}
