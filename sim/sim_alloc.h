/* sim_alloc.h — the simulator's allocation wrappers: out of memory is fatal (exit 3 with a
 * message), and a zero size still yields a pointer that can be freed. */
#ifndef SIM_ALLOC_H
#define SIM_ALLOC_H

#include <stddef.h>

void *sim_xcalloc(size_t n, size_t size);
void *sim_xrealloc(void *p, size_t n);

#endif
