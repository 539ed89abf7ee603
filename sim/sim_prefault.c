/* sim_prefault.c — the page-fault helper of a large run (see sim_prefault.h).
 *
 * BACKGROUND: a million-partition run touches about 1.2 GB once; the kernel's handling of those
 * ~260,000 first-touch faults (zeroing, page tables, cgroup accounting) took a quarter of its
 * wall time, all on the simulation's thread, while the second core sat idle.
 * BEHAVIOR: the helper follows the heap's break (glibc grows the heap a pad beyond each need)
 * and asks the kernel to populate the pages between the last one it populated and the break,
 * 2 MiB at a time (MADV_POPULATE_WRITE: fault in as if written, without writing, so pages the
 * simulation already uses are left as they are). Large blocks are taken from the heap too (no
 * mmap) so that the helper sees them. What it populates beyond the simulation's need is at
 * most the pad, which is made proportional to the scenario (64 bytes a partition, 4 to
 * 64 MiB) so that peak memory stays linear in partitions. The simulation finds its pages
 * mapped and computes exactly what it would have: only where the kernel's work is done
 * changes. */
#define _DEFAULT_SOURCE /* syscall(), MADV_POPULATE_WRITE */
#include "sim_prefault.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sim_scenario.h"

#ifdef MADV_POPULATE_WRITE

struct sim_prefault {
	pthread_t thread;
	atomic_bool stop;
	uintptr_t next; /* the first heap byte not yet populated */
};

/* The kernel's own record of the break: brk(0) changes nothing, and unlike sbrk(0) does not
 * read glibc's copy, which the simulation's thread writes. */
static uintptr_t heap_break(void)
{
	return (uintptr_t)syscall(SYS_brk, 0);
}

static void *walk_heap(void *arg)
{
	struct sim_prefault *pf = arg;
	const uintptr_t step = (uintptr_t)2 << 20;
	const struct timespec idle = {.tv_sec = 0, .tv_nsec = 200 * 1000};
	while (!atomic_load_explicit(&pf->stop, memory_order_relaxed)) {
		uintptr_t top = heap_break();
		if (top <= pf->next) {
			nanosleep(&idle, NULL);
			continue;
		}
		uintptr_t to = top - pf->next > step ? pf->next + step : top;
		/* EINVAL: a kernel before 5.14; ENOMEM: the heap shrank meanwhile (harmless). */
		if (madvise((void *)pf->next, to - pf->next, MADV_POPULATE_WRITE) != 0 && errno == EINVAL)
			break;
		pf->next = to;
	}
	return NULL;
}

/* The heap as sim_main.c sets it up: `check` may run smaller scenarios after a large one. */
static void heap_as_before(void)
{
	mallopt(M_MMAP_MAX, 65536); /* glibc's default */
	mallopt(M_TOP_PAD, (int)SIM_HEAP_TOP_PAD);
}

struct sim_prefault *sim_prefault_start(enum sim_prefault_mode mode, uint64_t max_partitions)
{
	if (mode == SIM_PREFAULT_OFF || (mode == SIM_PREFAULT_AUTO && max_partitions < SIM_LARGE_PARTITIONS))
		return NULL;
	struct sim_prefault *pf = calloc(1, sizeof *pf);
	if (!pf)
		return NULL;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	pf->next = (heap_break() + page - 1) & ~(page - 1);
	atomic_init(&pf->stop, false);
	mallopt(M_MMAP_MAX, 0);
	uint64_t pad = max_partitions * 64;
	pad = pad < ((uint64_t)4 << 20) ? (uint64_t)4 << 20 : pad > SIM_HEAP_TOP_PAD ? SIM_HEAP_TOP_PAD : pad;
	mallopt(M_TOP_PAD, (int)pad);
	if (pthread_create(&pf->thread, NULL, walk_heap, pf) != 0) {
		heap_as_before();
		free(pf);
		return NULL;
	}
	return pf;
}

void sim_prefault_stop(struct sim_prefault *pf)
{
	if (!pf)
		return;
	atomic_store_explicit(&pf->stop, true, memory_order_relaxed);
	pthread_join(pf->thread, NULL);
	free(pf);
	heap_as_before();
}

#else /* headers without MADV_POPULATE_WRITE: no helper */

struct sim_prefault *sim_prefault_start(enum sim_prefault_mode mode, uint64_t max_partitions)
{
	(void)mode;
	(void)max_partitions;
	return NULL;
}

void sim_prefault_stop(struct sim_prefault *pf)
{
	(void)pf;
}

#endif
