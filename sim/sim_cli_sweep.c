/* sim_cli_sweep.c — `kcsim sweep` (kcsim sweep SCENARIO.yaml --set KEY=V1,V2,... [--set ...] [--jobs N] [--out DIR]); not built yet: it says so. */
#include <stdio.h>

#include "sim_cli.h"

int sim_cli_sweep(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "kcsim: sweep is not available in this build yet\n");
	return 2;
}
