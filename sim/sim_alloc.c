/* sim_alloc.c — allocation that cannot fail silently (see sim_alloc.h). */
#include "sim_alloc.h"

#include <stdio.h>
#include <stdlib.h>

static void *checked(void *p)
{
	if (!p) {
		fprintf(stderr, "kcsim: out of memory\n");
		exit(3);
	}
	return p;
}

void *sim_xcalloc(size_t n, size_t size) { return checked(calloc(n ? n : 1, size ? size : 1)); }

void *sim_xrealloc(void *p, size_t n) { return checked(realloc(p, n ? n : 1)); }
