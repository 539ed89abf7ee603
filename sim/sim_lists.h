/* sim_lists.h — interned broker-id lists: each distinct list (order kept) is stored once and
 * named by a 32-bit id, so ISRs and assignments can be shared by ZooKeeper's model, every
 * broker's cache and the request payloads without copies. Id 0 is the empty list. */
#ifndef SIM_LISTS_H
#define SIM_LISTS_H

#include <stdbool.h>
#include <stdint.h>

struct sim_lists {
	int32_t *pool;          /* list i is pool[off[i] .. off[i] + len[i]) */
	uint32_t pool_len, pool_cap;
	uint32_t *off;
	uint8_t *len;
	uint32_t n, cap;
	uint32_t *hash;         /* open addressing: list id + 1, 0 = free */
	uint32_t hash_mask;
};

void sim_lists_init(struct sim_lists *l);
void sim_lists_free(struct sim_lists *l);
uint32_t sim_lists_intern(struct sim_lists *l, const int32_t *v, uint32_t n);
/* The same, first trying *hint (a list id the caller expects, or 0), which it then updates:
 * a caller that interns the same list for one key again and again skips the hashing. */
static inline uint32_t sim_lists_intern_hint(struct sim_lists *l, const int32_t *v, uint32_t n, uint32_t *hint)
{
	uint32_t id = *hint;
	if (id && l->len[id] == n) {
		const int32_t *have = l->pool + l->off[id];
		uint32_t i = 0;
		while (i < n && have[i] == v[i])
			i++;
		if (i == n)
			return id;
	}
	return *hint = sim_lists_intern(l, v, n);
}
static inline const int32_t *sim_lists_get(const struct sim_lists *l, uint32_t id, uint32_t *n)
{
	*n = l->len[id];
	return l->pool + l->off[id];
}
static inline bool sim_lists_has(const struct sim_lists *l, uint32_t id, int32_t x)
{
	const int32_t *v = l->pool + l->off[id];
	for (uint32_t i = 0; i < l->len[id]; i++)
		if (v[i] == x)
			return true;
	return false;
}
/* Same members, any order. */
bool sim_lists_same_set(const struct sim_lists *l, uint32_t a, uint32_t b);

#endif
