/* sim_prefault.h — the page-fault helper of a large run: a second thread that maps the heap's
 * fresh pages in ahead of the simulation, so the kernel's work on them runs on another core. */
#ifndef SIM_PREFAULT_H
#define SIM_PREFAULT_H

#include <stdint.h>

/* `kcsim run --prefault`: auto starts the helper for large scenarios (SIM_LARGE_PARTITIONS,
 * sim_scenario.h), where the faults are worth a thread. */
enum sim_prefault_mode { SIM_PREFAULT_AUTO, SIM_PREFAULT_ON, SIM_PREFAULT_OFF };

/* How far glibc grows the heap beyond each need (sim_main.c): address space only, until
 * touched. */
#define SIM_HEAP_TOP_PAD ((size_t)64 << 20)

struct sim_prefault;

/* Starts the helper if `mode` asks for it at this size; NULL when it is not wanted or the
 * thread cannot be started (the run is the same either way, only slower). From here on every
 * allocation comes from the heap, which the helper walks. */
struct sim_prefault *sim_prefault_start(enum sim_prefault_mode mode, uint64_t max_partitions);

/* Stops and joins the helper and frees it; NULL is a no-op. */
void sim_prefault_stop(struct sim_prefault *pf);

#endif
