/* sim_lists.c — hash-consing of small int32 lists (see sim_lists.h). The hash table is only
 * probed, never iterated, so its order cannot leak into results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_alloc.h"
#include "sim_lists.h"

static bool same(const int32_t *a, const int32_t *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) /* lists are short: a call to memcmp costs more */
		if (a[i] != b[i])
			return false;
	return true;
}

static uint32_t hash_list(const int32_t *v, uint32_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
	for (uint32_t i = 0; i < n; i++) {
		h ^= (uint32_t)v[i];
		h *= 0xBF58476D1CE4E5B9ull;
		h ^= h >> 31;
	}
	return (uint32_t)h;
}

static void rehash(struct sim_lists *l, uint32_t size)
{
	free(l->hash);
	l->hash = calloc(size, sizeof *l->hash);
	if (!l->hash) {
		fprintf(stderr, "kcsim: out of memory\n");
		exit(3);
	}
	l->hash_mask = size - 1;
	for (uint32_t id = 0; id < l->n; id++) {
		uint32_t h = hash_list(l->pool + l->off[id], l->len[id]) & l->hash_mask;
		while (l->hash[h])
			h = (h + 1) & l->hash_mask;
		l->hash[h] = id + 1;
	}
}

static uint32_t append(struct sim_lists *l, const int32_t *v, uint32_t n)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->off = sim_xrealloc(l->off, l->cap * sizeof *l->off);
		l->len = sim_xrealloc(l->len, l->cap * sizeof *l->len);
	}
	if (l->pool_len + n > l->pool_cap) {
		while (l->pool_len + n > l->pool_cap)
			l->pool_cap = l->pool_cap ? l->pool_cap * 2 : 256;
		l->pool = sim_xrealloc(l->pool, l->pool_cap * sizeof *l->pool);
	}
	if (n)
		memcpy(l->pool + l->pool_len, v, n * sizeof *v);
	l->off[l->n] = l->pool_len;
	l->len[l->n] = (uint8_t)n;
	l->pool_len += n;
	return l->n++;
}

void sim_lists_init(struct sim_lists *l)
{
	memset(l, 0, sizeof *l);
	append(l, NULL, 0);
	rehash(l, 64);
}

void sim_lists_free(struct sim_lists *l)
{
	free(l->pool);
	free(l->off);
	free(l->len);
	free(l->hash);
	memset(l, 0, sizeof *l);
}

uint32_t sim_lists_intern(struct sim_lists *l, const int32_t *v, uint32_t n)
{
	if (n == 0)
		return 0;
	uint32_t h = hash_list(v, n) & l->hash_mask;
	while (l->hash[h]) {
		uint32_t id = l->hash[h] - 1;
		if (l->len[id] == n && same(l->pool + l->off[id], v, n))
			return id;
		h = (h + 1) & l->hash_mask;
	}
	uint32_t id = append(l, v, n);
	if ((uint64_t)l->n * 2 > (uint64_t)l->hash_mask + 1)
		rehash(l, (l->hash_mask + 1) * 2);
	else
		l->hash[h] = id + 1;
	return id;
}

bool sim_lists_same_set(const struct sim_lists *l, uint32_t a, uint32_t b)
{
	if (a == b)
		return true;
	if (l->len[a] != l->len[b])
		return false;
	for (uint32_t i = 0; i < l->len[a]; i++)
		if (!sim_lists_has(l, b, l->pool[l->off[a] + i]))
			return false;
	return true;
}
