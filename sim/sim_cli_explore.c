/* sim_cli_explore.c — `kcsim explore` (kcsim explore BASE.yaml --seeds A..B [--jobs N] [--shard I/K] [--inject NAME]... [--out DIR]); not built yet: it says so. */
#include <stdio.h>

#include "sim_cli.h"

int sim_cli_explore(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "kcsim: explore is not available in this build yet\n");
	return 2;
}
