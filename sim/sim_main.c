/* sim_main.c — kcsim's command line: `run` one scenario, `check` a suite, and the later
 * commands; `--help` for each. Exit status: 0 everything held, 1 an expectation or invariant
 * failed, 2 the input is unusable. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "sim_cli.h"
#include "sim_prefault.h"

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

/* BACKGROUND: a large run builds and frees arrays of tens of megabytes again and again (a
 * million-entry request, the controller's batches, growing vectors). glibc serves any block
 * above its mmap threshold (128 KiB at first) from fresh pages and returns them on free, and
 * trims the heap top above 128 KiB, so each such array is faulted in anew: a fifth of a
 * million-partition run went to the kernel's page faults. A vector growing at the top of the
 * heap is moved (its copy faulted in) whenever the top has no room to extend it in place.
 * BEHAVIOR: blocks below 32 MiB come from the heap and freed heap memory is kept (trimmed
 * only above 1 GiB), so it is reused without faults; the heap grows 64 MiB beyond each need,
 * address space only until touched, so a growing vector mostly extends in place. Allocation
 * sizes and results are unchanged; only where glibc finds the memory. */
static void keep_freed_memory(void)
{
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_TOP_PAD, (int)SIM_HEAP_TOP_PAD);
}

int main(int argc, char **argv)
{
	keep_freed_memory();
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
