/* sim_mcache.c — the brokers' metadata caches as shared, copy-on-write nodes (see
 * sim_mcache.h): node and chunk life cycles, following a remembered write, forking a node of a
 * broker's own, and writing one reference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_mcache.h"

static void *mc_alloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "kcsim: out of memory\n");
		exit(3);
	}
	return q;
}

void sim_mc_init(struct sim_mcaches *m, uint32_t n_parts)
{
	memset(m, 0, sizeof *m);
	m->n_chunks = (n_parts + SIM_MC_CHUNK - 1) >> SIM_MC_SHIFT;
	m->cap_nodes = 16;
	m->node = mc_alloc(NULL, m->cap_nodes * sizeof *m->node);
	memset(m->node, 0, m->cap_nodes * sizeof *m->node);
	m->n_nodes = 1; /* the empty cache */
}

static void chunk_release(struct sim_mc_chunk *c)
{
	if (c && --c->refs == 0)
		free(c);
}

static void node_clear(struct sim_mcaches *m, struct sim_mc_node *n)
{
	for (uint32_t i = 0; n->chunk && i < m->n_chunks; i++)
		chunk_release(n->chunk[i]);
	free(n->chunk);
	n->chunk = NULL;
}

void sim_mc_free(struct sim_mcaches *m)
{
	for (uint32_t i = 0; i < m->n_nodes; i++)
		node_clear(m, &m->node[i]);
	free(m->node);
	free(m->free_ids);
	memset(m, 0, sizeof *m);
}

/* The last broker left: the node goes, and no remembered edge leads to it any more. */
static void node_leave(struct sim_mcaches *m, uint32_t id)
{
	struct sim_mc_node *n = &m->node[id];
	if (id == 0 || --n->users > 0)
		return;
	node_clear(m, n);
	n->gen++;
	n->has_edge = false;
	if (m->n_free == m->cap_free) {
		m->cap_free = m->cap_free ? m->cap_free * 2 : 16;
		m->free_ids = mc_alloc(m->free_ids, m->cap_free * sizeof *m->free_ids);
	}
	m->free_ids[m->n_free++] = id;
}

void sim_mc_reset(struct sim_mcaches *m, uint32_t *id)
{
	node_leave(m, *id);
	*id = 0;
}

static bool same_key(const uint32_t a[3], const uint32_t b[3])
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
}

bool sim_mc_follow(struct sim_mcaches *m, uint32_t *id, const uint32_t key[3], uint64_t **stamp)
{
	struct sim_mc_node *n = &m->node[*id];
	if (!n->has_edge || !same_key(n->key, key) || m->node[n->to].gen != n->to_gen)
		return false;
	uint32_t to = n->to;
	*stamp = &n->stamp;
	m->node[to].users++;
	node_leave(m, *id); /* if that frees it, *stamp stays readable until the next fork */
	*id = to;
	return true;
}

/* A new node with the content of node src, no user yet. */
static uint32_t node_copy(struct sim_mcaches *m, uint32_t src)
{
	uint32_t id;
	if (m->n_free > 0) {
		id = m->free_ids[--m->n_free];
	} else {
		if (m->n_nodes == m->cap_nodes) {
			m->cap_nodes *= 2;
			m->node = mc_alloc(m->node, m->cap_nodes * sizeof *m->node);
			memset(m->node + m->n_nodes, 0, (m->cap_nodes - m->n_nodes) * sizeof *m->node);
		}
		id = m->n_nodes++;
	}
	struct sim_mc_node *n = &m->node[id], *s = &m->node[src];
	n->chunk = mc_alloc(NULL, (size_t)m->n_chunks * sizeof *n->chunk);
	if (s->chunk) {
		memcpy(n->chunk, s->chunk, (size_t)m->n_chunks * sizeof *n->chunk);
		for (uint32_t i = 0; i < m->n_chunks; i++)
			if (n->chunk[i])
				n->chunk[i]->refs++;
	} else {
		memset(n->chunk, 0, (size_t)m->n_chunks * sizeof *n->chunk);
	}
	n->users = 0;
	n->has_edge = false;
	return id;
}

void sim_mc_fork(struct sim_mcaches *m, uint32_t *id, const uint32_t key[3], uint64_t **stamp)
{
	uint32_t src = *id;
	if (src != 0 && m->node[src].users == 1) {
		struct sim_mc_node *n = &m->node[src];
		n->gen++;
		n->has_edge = false;
		*stamp = NULL;
		return;
	}
	uint32_t to = node_copy(m, src);
	struct sim_mc_node *s = &m->node[src], *n = &m->node[to];
	n->users = 1;
	s->has_edge = true;
	memcpy(s->key, key, sizeof s->key);
	s->to = to;
	s->to_gen = n->gen;
	s->stamp = 0;
	*stamp = &s->stamp;
	node_leave(m, src); /* src has another user, or is the empty cache */
	*id = to;
}

void sim_mc_set(struct sim_mcaches *m, uint32_t id, uint32_t pid, uint32_t ref)
{
	struct sim_mc_chunk **slot = &m->node[id].chunk[pid >> SIM_MC_SHIFT];
	struct sim_mc_chunk *c = *slot;
	if (!c && ref == 0)
		return;
	if (!c || c->refs > 1) {
		struct sim_mc_chunk *n = mc_alloc(NULL, sizeof *n);
		if (c)
			memcpy(n->ref, c->ref, sizeof n->ref);
		else
			memset(n->ref, 0, sizeof n->ref);
		n->refs = 1;
		chunk_release(c);
		*slot = c = n;
	}
	c->ref[pid & (SIM_MC_CHUNK - 1)] = ref;
}
