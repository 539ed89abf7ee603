/* sim_mcache.h — the brokers' metadata caches (architecture S12): per broker and pid a 32-bit
 * reference into the world's pool of partition-state records (0: nothing cached), stored so
 * that brokers which applied the same writes share them.
 *
 * BACKGROUND: an UpdateMetadata for every partition reaches every live broker, so one array per
 * broker costs brokers x partitions in memory (400 MB at 100 x 1,000,000) and in time for each
 * broadcast, though all the brokers end up holding the same references.
 * BEHAVIOR: a cache is a node; brokers point at nodes and read through them. A node is an array
 * of chunk pointers over pid ranges; chunks are shared between nodes and copied on write. A
 * write names itself with a key (equal keys: equal entries); a node remembers its last write
 * and the node that it led to, so the next broker applying the same write to the same content
 * moves there without touching an entry. A node that its sole broker writes is changed in place
 * (its generation moves on, so that no remembered write leads to it any more). Nodes nobody
 * points at are freed at once; the remembered edges are weak. */
#ifndef SIM_MCACHE_H
#define SIM_MCACHE_H

#include <stdbool.h>
#include <stdint.h>

#define SIM_MC_SHIFT 10
#define SIM_MC_CHUNK (1u << SIM_MC_SHIFT)

struct sim_mc_chunk {
	uint32_t refs;                /* nodes pointing at it */
	uint32_t ref[SIM_MC_CHUNK];
};

struct sim_mc_node {
	struct sim_mc_chunk **chunk;  /* n_chunks entries, NULL: all 0; NULL array: the empty cache */
	uint32_t users;               /* brokers whose cache it is */
	uint32_t gen;                 /* moves on when the content changes in place or it is freed */
	/* the last write applied to this content: key -> node `to` (valid while to's gen is to_gen) */
	bool has_edge;
	uint32_t key[3];
	uint32_t to, to_gen;
	uint64_t stamp;               /* the checker's stamp for the entries of that write */
};

struct sim_mcaches {
	uint32_t n_chunks;
	struct sim_mc_node *node;     /* [0]: the empty cache, never freed or written */
	uint32_t n_nodes, cap_nodes;
	uint32_t *free_ids;
	uint32_t n_free, cap_free;
};

void sim_mc_init(struct sim_mcaches *m, uint32_t n_parts);
void sim_mc_free(struct sim_mcaches *m);
/* The reference node `id` holds for pid (0: nothing cached). */
static inline uint32_t sim_mc_get(const struct sim_mcaches *m, uint32_t id, uint32_t pid)
{
	const struct sim_mc_node *n = &m->node[id];
	const struct sim_mc_chunk *c = n->chunk ? n->chunk[pid >> SIM_MC_SHIFT] : NULL;
	return c ? c->ref[pid & (SIM_MC_CHUNK - 1)] : 0;
}
/* A broker leaves node *id for the empty cache. */
void sim_mc_reset(struct sim_mcaches *m, uint32_t *id);
/* A broker at node *id is to apply the write named key. If that node remembers key, the broker
 * moves to where it led and gets true: the write was applied, identically, before; *stamp is
 * where the checker keeps when it last judged its entries. */
bool sim_mc_follow(struct sim_mcaches *m, uint32_t *id, const uint32_t key[3], uint64_t **stamp);
/* Otherwise: *id becomes a node of the broker's own for sim_mc_set, remembered as where key
 * leads from the node it left (*stamp: that edge's; NULL when the node is changed in place). */
void sim_mc_fork(struct sim_mcaches *m, uint32_t *id, const uint32_t key[3], uint64_t **stamp);
void sim_mc_set(struct sim_mcaches *m, uint32_t id, uint32_t pid, uint32_t ref);

#endif
