/* sim_scenario_set.c — `--set KEY=VALUE` overrides, applied to the YAML tree before the
 * scenario is read, so that an overridden value is checked like one written in the file (and
 * its errors name the option). */
#include <string.h>

#include "sim_scenario_int.h"

/* Applies overrides[k] = "KEY=VALUE" to the tree: VALUE is parsed as YAML and replaces (or
 * adds) the node at the dotted KEY. A map segment matches the longest existing key, so that
 * topic names with dots work (topics.my.topic.partitions); a list segment is an index. */
bool sim_ld_override(struct sim_ld *ld, size_t k)
{
	const char *o = ld->ovr[k];
	const char *eq = strchr(o, '=');
	if (!eq || eq == o)
		return sim_ld_fail_set(ld, k, "missing KEY=; expected KEY=VALUE such as config.zk_mode=pipelined");
	const char *key = o, *val = eq + 1;
	size_t rem = (size_t)(eq - o);
	struct sim_yerr ye;
	uint32_t v;
	if (!sim_yaml_parse(&ld->doc, val, strlen(val), &v, &ye))
		return sim_ld_fail_set(ld, k, "VALUE at column %u: %s", ye.col, ye.msg);
	if (v == SIM_YNONE && (v = sim_yaml_new_scalar(&ld->doc, "", 0)) == SIM_YNONE)
		return sim_ld_fail_set(ld, k, "out of memory; expected a smaller value");

	uint32_t cur = ld->root;
	for (;;) {
		size_t seg = 0;
		while (seg < rem && key[seg] != '.')
			seg++;
		if (seg == 0 || (seg < rem && seg + 1 == rem))
			return sim_ld_fail_set(ld, k, "an empty segment in KEY; expected a dotted path such as "
						      "topics.orders.partitions");
		if (sim_yaml_is_null(&ld->doc, cur))
			sim_yaml_null_to_map(&ld->doc, cur);
		const struct sim_ynode *n = sim_ld_node(ld, cur);
		size_t done = (size_t)(key - o);
		if (n->kind == SIM_YSCALAR)
			return sim_ld_fail_set(ld, k, "%.*s holds a single value, not a map or list; expected a "
						      "KEY that ends there",
					       (int)(done - 1), o);
		if (n->kind == SIM_YSEQ) {
			int64_t idx;
			if (!sim_ld_parse_int(key, (uint32_t)seg, &idx) || key[0] == '-' || idx >= n->n)
				return sim_ld_fail_set(ld, k, "%.*s is a list of %u; expected an index 0..%u after "
							      "it, got '%.*s'",
						       (int)(done - 1), o, n->n, n->n ? n->n - 1 : 0,
						       (int)(seg > 60 ? 60 : seg), key);
			if (seg == rem) {
				sim_yaml_set_child(&ld->doc, cur, (uint32_t)idx, v);
				return true;
			}
			cur = sim_yitem(&ld->doc, cur, (uint32_t)idx);
			key += seg + 1;
			rem -= seg + 1;
			continue;
		}
		uint32_t best = UINT32_MAX;
		size_t best_len = 0;
		for (uint32_t i = 0; i < n->n; i++) {
			uint32_t kn = sim_ykey(&ld->doc, cur, i);
			size_t kl = sim_ld_node(ld, kn)->n;
			if (kl > best_len && kl <= rem && memcmp(sim_ystr(&ld->doc, kn), key, kl) == 0 &&
			    (kl == rem || key[kl] == '.')) {
				best = i;
				best_len = kl;
			}
		}
		if (best != UINT32_MAX) {
			if (best_len == rem) {
				sim_yaml_set_child(&ld->doc, cur, best, v);
				return true;
			}
			cur = sim_yval(&ld->doc, cur, best);
			key += best_len + 1;
			rem -= best_len + 1;
			continue;
		}
		/* A new key: the conversion below judges whether it belongs there. */
		uint32_t kn = sim_yaml_new_scalar(&ld->doc, key, seg);
		uint32_t child = seg == rem ? v : sim_yaml_new_map(&ld->doc);
		if (kn == SIM_YNONE || child == SIM_YNONE || !sim_yaml_map_append(&ld->doc, cur, kn, child))
			return sim_ld_fail_set(ld, k, "out of memory; expected a smaller value");
		if (seg == rem)
			return true;
		cur = child;
		key += seg + 1;
		rem -= seg + 1;
	}
}
