/* sim_cli_plot.c — `kcsim plot` (kcsim plot RESULTS_DIR); not built yet: it says so. */
#include <stdio.h>

#include "sim_cli.h"

int sim_cli_plot(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "kcsim: plot is not available in this build yet\n");
	return 2;
}
