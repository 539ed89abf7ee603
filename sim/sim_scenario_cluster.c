/* sim_scenario_cluster.c — the scenario's brokers: cluster.brokers (a count or a list of ids),
 * cluster.down and cluster.controller, and the ids add_broker declares (noted by the first look
 * at the timeline), merged into sim_scenario.brokers in ascending id order. */
#include <inttypes.h>
#include <stdlib.h>

#include "sim_scenario_int.h"

static int sim_ld_added_cmp(const void *a, const void *b)
{
	const struct sim_ld_added *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

/* Reads add_broker ids (range only) from one timeline entry's argument. */
bool sim_ld_note_added(struct sim_ld *ld, uint32_t a)
{
	bool single = sim_ld_node(ld, a)->kind == SIM_YSCALAR;
	if (!single && !sim_ld_need_seq(ld, a, "add_broker", "a broker id or a list of broker ids"))
		return false;
	uint32_t n = single ? 1 : sim_ld_node(ld, a)->n;
	if (n == 0)
		return sim_ld_fail(ld, a, "add_broker: got an empty list; expected at least one broker id");
	if (n > SIM_MAX_BROKERS)
		return sim_ld_fail(ld, a, "add_broker: %u brokers; expected at most %u (limit: brokers)", n,
				   SIM_MAX_BROKERS);
	if (!sim_reserve((void **)&ld->added, &ld->cap_added, (uint64_t)ld->n_added + n, sizeof *ld->added))
		return sim_ld_oom(ld, a);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t item = single ? a : sim_yitem(&ld->doc, a, i);
		int64_t id;
		if (!sim_ld_int(ld, item, "add_broker", 0, SIM_MAX_BROKER_ID, "broker ids", &id))
			return false;
		ld->added[ld->n_added++] = (struct sim_ld_added){(int32_t)id, item};
	}
	/* A hostile file cannot grow this past the limit by repeating entries. */
	if (ld->n_added > 4 * SIM_MAX_BROKERS) {
		qsort(ld->added, ld->n_added, sizeof *ld->added, sim_ld_added_cmp);
		uint32_t m = 0;
		for (uint32_t i = 0; i < ld->n_added; i++)
			if (m == 0 || ld->added[m - 1].id != ld->added[i].id)
				ld->added[m++] = ld->added[i];
		ld->n_added = m;
		if (m > SIM_MAX_BROKERS)
			return sim_ld_fail(ld, a, "add_broker: more than %u distinct brokers; expected at "
						  "most %u (limit: brokers)",
					   SIM_MAX_BROKERS, SIM_MAX_BROKERS);
	}
	return true;
}

bool sim_ld_cluster(struct sim_ld *ld)
{
	struct sim_scenario *sc = ld->sc;
	uint32_t cl = ld->top[SIM_K_CLUSTER];
	if (cl == SIM_YNONE)
		return sim_ld_fail(ld, ld->root, "missing key 'cluster'; expected cluster: {brokers: N} or "
						 "{brokers: [ids]}");
	if (!sim_ld_need_map(ld, cl, "cluster", "a map such as {brokers: 3}"))
		return false;
	static const char *const keys[] = {"brokers", "down", "controller"};
	uint32_t v[3];
	if (!sim_ld_fields(ld, cl, "cluster", keys, 3, v, NULL) ||
	    !sim_ld_required(ld, cl, v[0], "cluster", "brokers", "brokers: N or brokers: [ids]"))
		return false;

	/* cluster.brokers, as (id, node) sorted by id. */
	uint32_t bn = v[0], n;
	struct sim_ld_added *ids;
	if (sim_ld_node(ld, bn)->kind == SIM_YSCALAR) {
		if (!sim_ld_u32(ld, bn, "cluster.brokers", 1, SIM_MAX_BROKERS, "brokers", &n))
			return false;
		if (!(ids = malloc((size_t)n * sizeof *ids)))
			return sim_ld_oom(ld, bn);
		for (uint32_t i = 0; i < n; i++)
			ids[i] = (struct sim_ld_added){(int32_t)i, bn};
	} else {
		if (!sim_ld_need_seq(ld, bn, "cluster.brokers", "a broker count or a list of broker ids"))
			return false;
		n = sim_ld_node(ld, bn)->n;
		if (n == 0)
			return sim_ld_fail(ld, bn, "cluster.brokers: got an empty list; expected at least one "
						   "broker id");
		if (n > SIM_MAX_BROKERS)
			return sim_ld_fail(ld, bn, "cluster.brokers: %u brokers; expected at most %u (limit: "
						   "brokers)",
					   n, SIM_MAX_BROKERS);
		if (!(ids = malloc((size_t)n * sizeof *ids)))
			return sim_ld_oom(ld, bn);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t item = sim_yitem(&ld->doc, bn, i);
			int64_t id;
			if (!sim_ld_int(ld, item, "cluster.brokers", 0, SIM_MAX_BROKER_ID, "broker ids", &id)) {
				free(ids);
				return false;
			}
			ids[i] = (struct sim_ld_added){(int32_t)id, item};
		}
		qsort(ids, n, sizeof *ids, sim_ld_added_cmp);
		uint32_t dup = SIM_YNONE;
		for (uint32_t i = 1; i < n; i++)
			if (ids[i].id == ids[i - 1].id && ids[i].node < dup)
				dup = ids[i].node;
		if (dup != SIM_YNONE) {
			free(ids);
			return sim_ld_fail(ld, dup, "cluster.brokers: broker %s is listed twice; expected "
						    "distinct broker ids",
					   sim_ystr(&ld->doc, dup));
		}
	}

	/* add_broker ids: not in cluster.brokers; repeats across entries are one broker. */
	if (ld->n_added)
		qsort(ld->added, ld->n_added, sizeof *ld->added, sim_ld_added_cmp);
	uint32_t n_new = 0;
	for (uint32_t i = 0; i < ld->n_added; i++) {
		struct sim_ld_added *a = &ld->added[i];
		uint32_t lo = 0, hi = n;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (ids[mid].id < a->id)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && ids[lo].id == a->id) {
			free(ids);
			return sim_ld_fail(ld, a->node, "add_broker: broker %" PRId32 " is already in "
							"cluster.brokers; expected a broker not listed there "
							"(restart starts a listed one)",
					   a->id);
		}
		if (i == 0 || ld->added[i - 1].id != a->id)
			ld->added[n_new++] = *a;
	}
	if ((uint64_t)n + n_new > SIM_MAX_BROKERS) {
		free(ids);
		return sim_ld_fail(ld, ld->added[0].node, "add_broker: %u brokers declared in all; expected at "
							  "most %u (limit: brokers)",
				   n + n_new, SIM_MAX_BROKERS);
	}
	sc->brokers = calloc((size_t)n + n_new, sizeof *sc->brokers);
	ld->stamp = calloc((size_t)n + n_new, sizeof *ld->stamp);
	if (!sc->brokers || !ld->stamp) {
		free(ids);
		return sim_ld_oom(ld, bn);
	}
	uint32_t i = 0, j = 0;
	while (i < n || j < n_new) {
		bool from_cluster = j == n_new || (i < n && ids[i].id < ld->added[j].id);
		struct sim_broker *b = &sc->brokers[sc->n_brokers++];
		b->id = from_cluster ? ids[i++].id : ld->added[j++].id;
		b->in_cluster = from_cluster;
	}
	free(ids);

	uint32_t down = sim_ld_opt(ld, v[1]);
	if (down != SIM_YNONE) {
		struct sim_span s;
		if (!sim_ld_brokers(ld, down, "cluster.down", true, true, 0, &s))
			return false;
		for (uint32_t k = 0; k < s.n; k++) {
			struct sim_broker *b = &sc->brokers[sim_scenario_broker_index(sc, sc->ints[s.off + k])];
			if (!b->in_cluster)
				return sim_ld_fail(ld, sim_ld_is_seq(ld, down) ? sim_yitem(&ld->doc, down, k) : down,
						   "cluster.down: broker %" PRId32 " is not in cluster.brokers; "
						   "expected brokers of cluster.brokers (add_broker ones start "
						   "when added)",
						   b->id);
			b->down = true;
		}
		sc->n_ints = s.off; /* the flags hold it all */
	}
	if (v[2] != SIM_YNONE) {
		int32_t c;
		if (!sim_ld_broker(ld, v[2], "cluster.controller", &c))
			return false;
		const struct sim_broker *b = &sc->brokers[sim_scenario_broker_index(sc, c)];
		if (!b->in_cluster || b->down)
			return sim_ld_fail(ld, v[2], "cluster.controller: broker %" PRId32 " is %s at the start; "
						     "expected a running broker of cluster.brokers",
					   c, b->in_cluster ? "down" : "not running");
		sc->controller = c;
	}
	return true;
}
