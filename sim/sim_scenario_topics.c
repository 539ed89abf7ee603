/* sim_scenario_topics.c — the scenario's topic names and sizes, read before anything refers to
 * them: topics, topic_sets, the names initial.partitions implies, and the names and partition
 * counts create_topic and add_partitions give; and a topic's placement (partitions and
 * replication factor, or an explicit assignment). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_scenario_int.h"

uint32_t sim_ld_rf_limit(struct sim_ld *ld)
{
	return ld->sc->n_brokers < SIM_MAX_RF ? ld->sc->n_brokers : SIM_MAX_RF;
}

static bool sim_ld_rf(struct sim_ld *ld, uint32_t id, const char *what, uint32_t *rf)
{
	char limit[96];
	snprintf(limit, sizeof limit, "replication factor <= the %u brokers declared, <= %u",
		 ld->sc->n_brokers, SIM_MAX_RF);
	return sim_ld_u32(ld, id, what, 1, sim_ld_rf_limit(ld), limit, rf);
}

bool sim_ld_unclean(struct sim_ld *ld, uint32_t id, const char *what, int8_t *out)
{
	bool b;
	if (id == SIM_YNONE)
		return true;
	if (!sim_ld_bool(ld, id, what, &b))
		return false;
	*out = b ? 1 : 0;
	return true;
}

/* The placement of a topic created by `topics` or create_topic: {partitions, replication_factor}
 * or {assignment}; vals are partitions, replication_factor, assignment. */
bool sim_ld_placement(struct sim_ld *ld, uint32_t map, const char *where, const uint32_t vals[3],
		      struct sim_topic_spec *spec)
{
	char what[64];
	if (vals[2] != SIM_YNONE) {
		if (vals[0] != SIM_YNONE || vals[1] != SIM_YNONE)
			return sim_ld_fail(ld, vals[0] != SIM_YNONE ? vals[0] : vals[1],
					   "%s: both assignment and %s; expected either partitions and "
					   "replication_factor, or assignment",
					   where, vals[0] != SIM_YNONE ? "partitions" : "replication_factor");
		snprintf(what, sizeof what, "%s.assignment", where);
		spec->explicit_assignment = true;
		if (!sim_ld_assignment(ld, vals[2], what, 0, &spec->first_partition, &spec->n_assigned,
				       &spec->replication_factor, &spec->assignment))
			return false;
		spec->partitions = spec->n_assigned;
		return true;
	}
	if (!sim_ld_required(ld, map, vals[0], where, "partitions",
			     "partitions and replication_factor, or assignment") ||
	    !sim_ld_required(ld, map, vals[1], where, "replication_factor",
			     "partitions and replication_factor, or assignment"))
		return false;
	snprintf(what, sizeof what, "%s.partitions", where);
	if (!sim_ld_u32(ld, vals[0], what, 1, SIM_MAX_PARTITIONS, "partitions in all", &spec->partitions))
		return false;
	snprintf(what, sizeof what, "%s.replication_factor", where);
	return sim_ld_rf(ld, vals[1], what, &spec->replication_factor);
}

static bool sim_ld_topics_map(struct sim_ld *ld, uint32_t topics)
{
	struct sim_scenario *sc = ld->sc;
	if (!sim_ld_need_map(ld, topics, "topics", "a map of topic name to {partitions, replication_factor}"))
		return false;
	static const char *const keys[] = {"partitions", "replication_factor", "assignment",
					   "unclean_leader_election"};
	for (uint32_t i = 0; i < sim_ld_node(ld, topics)->n; i++) {
		uint32_t k = sim_ykey(&ld->doc, topics, i), v = sim_yval(&ld->doc, topics, i);
		const char *s;
		uint32_t len, vals[4];
		if (!sim_ld_name(ld, k, "topic name", &s, &len))
			return false;
		char where[240];
		snprintf(where, sizeof where, "topics.%s", s);
		if (!sim_ld_need_map(ld, v, where, "{partitions: N, replication_factor: R} or {assignment: ...}") ||
		    !sim_ld_fields(ld, v, where, keys, SIM_N(keys), vals, NULL))
			return false;
		uint32_t t = sim_ld_topic_intern(ld, s, len, SIM_TOPIC_TOPICS, k); /* the first topics: all new */
		struct sim_topic_spec spec = {.topic = t};
		if (t == UINT32_MAX || !sim_ld_placement(ld, v, where, vals, &spec))
			return false;
		struct sim_topic *tp = &sc->topics[t];
		tp->partitions = spec.partitions;
		tp->replication_factor = spec.replication_factor;
		tp->explicit_assignment = spec.explicit_assignment;
		tp->assignment = spec.assignment;
		if (!sim_ld_unclean(ld, vals[3], where, &tp->unclean_leader_election) ||
		    !sim_ld_topic_grow(ld, t, spec.partitions, spec.explicit_assignment ? vals[2] : vals[0]))
			return false;
	}
	return true;
}

static uint32_t sim_digits(uint32_t x)
{
	uint32_t d = 1;
	while (x >= 10) {
		x /= 10;
		d++;
	}
	return d;
}

/* "%.*s%u" of prefix and j into name (room checked by the caller), NUL-terminated; its length.
 * By hand: snprintf's format parsing cost a million-topic set 2% of its run. Like "%.*s", the
 * prefix ends at a NUL a quoted scalar may hold. */
static size_t sim_set_name(char *name, const char *prefix, uint32_t plen, uint32_t j)
{
	size_t n = strnlen(prefix, plen);
	memcpy(name, prefix, n);
	size_t len = n + sim_digits(j);
	name[len] = '\0';
	for (size_t at = len; at-- > n; j /= 10)
		name[at] = (char)('0' + j % 10);
	return len;
}

static bool sim_ld_topic_sets(struct sim_ld *ld, uint32_t sets)
{
	struct sim_scenario *sc = ld->sc;
	if (!sim_ld_need_seq(ld, sets, "topic_sets", "a list such as [{prefix: f, count: 100, partitions: "
						    "1, replication_factor: 1}]"))
		return false;
	static const char *const keys[] = {"prefix", "count", "partitions", "replication_factor",
					   "unclean_leader_election"};
	for (uint32_t i = 0; i < sim_ld_node(ld, sets)->n; i++) {
		uint32_t set = sim_yitem(&ld->doc, sets, i), v[5];
		char where[48];
		snprintf(where, sizeof where, "topic_sets[%u]", i);
		if (!sim_ld_need_map(ld, set, where, "{prefix, count, partitions, replication_factor}") ||
		    !sim_ld_fields(ld, set, where, keys, SIM_N(keys), v, NULL))
			return false;
		for (size_t k = 0; k < 4; k++)
			if (!sim_ld_required(ld, set, v[k], where, keys[k],
					     "prefix, count, partitions and replication_factor"))
				return false;
		const char *prefix;
		uint32_t plen, count, partitions, rf;
		int8_t unclean = -1;
		char what[96], got[96];
		snprintf(what, sizeof what, "%s.prefix", where);
		const struct sim_ynode *pn = sim_ld_node(ld, v[0]);
		if (pn->kind != SIM_YSCALAR || (pn->n == 0 && !pn->quoted))
			return sim_ld_fail(ld, v[0], "%s: got %s; expected the start of the topic names", what,
					   sim_ld_got(ld, v[0], got, sizeof got));
		prefix = sim_ystr(&ld->doc, v[0]);
		plen = pn->n;
		snprintf(what, sizeof what, "%s.count", where);
		if (!sim_ld_u32(ld, v[1], what, 0, SIM_MAX_TOPICS, "topics, with topic_sets", &count))
			return false;
		snprintf(what, sizeof what, "%s.partitions", where);
		if (!sim_ld_u32(ld, v[2], what, 1, SIM_MAX_PARTITIONS, "partitions in all", &partitions))
			return false;
		snprintf(what, sizeof what, "%s.replication_factor", where);
		if (!sim_ld_rf(ld, v[3], what, &rf) || !sim_ld_unclean(ld, v[4], where, &unclean))
			return false;
		if (count == 0)
			continue;
		/* Every generated name must be valid: check the longest one. */
		char last[SIM_MAX_NAME + 16];
		int ll = snprintf(last, sizeof last, "%.*s%u", (int)(plen > SIM_MAX_NAME ? SIM_MAX_NAME + 1 : plen),
				  prefix, count - 1);
		if (plen + sim_digits(count - 1) > SIM_MAX_NAME || !sim_ld_name_ok(last, (size_t)ll))
			return sim_ld_fail(ld, v[0], "%s: prefix %s makes names such as '%.60s'; expected "
						     "names of %s",
					   where, sim_ld_got(ld, v[0], got, sizeof got), last, SIM_NAME_EXPECTED);
		if ((uint64_t)sc->n_topics + count > SIM_MAX_TOPICS)
			return sim_ld_fail(ld, v[1], "%s: %u more topics make %" PRIu64 "; expected at most %u "
						     "(limit: topics, with topic_sets)",
					   where, count, (uint64_t)sc->n_topics + count, SIM_MAX_TOPICS);
		uint64_t more = (uint64_t)count * partitions;
		if (sc->n_partitions_max + more > SIM_MAX_PARTITIONS)
			return sim_ld_fail(ld, v[1], "%s: %u topics of %u partitions make %" PRIu64 " partitions "
						     "in all; expected at most %u (limit: partitions in all)",
					   where, count, partitions, sc->n_partitions_max + more, SIM_MAX_PARTITIONS);
		/* the table grows once for the whole set, not by doubling and re-entering every name */
		if (!sim_ld_hash_room(ld, (uint64_t)sc->n_topics + count))
			return sim_ld_oom(ld, v[1]);
		for (uint32_t j = 0; j < count; j++) {
			char name[SIM_MAX_NAME + 16];
			size_t len = sim_set_name(name, prefix, plen, j);
			uint32_t before = sc->n_topics;
			uint32_t t = sim_ld_topic_intern(ld, name, len, SIM_TOPIC_SET, set);
			if (t == UINT32_MAX)
				return false;
			if (t < before) /* a topic that was there already */
				return sim_ld_fail(ld, v[0], "%s makes topic '%s', which %s already %s; expected "
							     "distinct topic names",
						   where, name, sim_ld_origin_text(sc->topics[t].origin),
						   sc->topics[t].origin == SIM_TOPIC_TOPICS ? "declares" : "makes");
			struct sim_topic *tp = &sc->topics[t];
			tp->partitions = partitions;
			tp->replication_factor = rf;
			tp->unclean_leader_election = unclean;
			tp->max_partitions = partitions;
		}
		sc->n_partitions_max += more;
	}
	return true;
}

/* Topic names that `initial.partitions` implies, with their partition counts. */
static bool sim_ld_initial_topics(struct sim_ld *ld, uint32_t parts)
{
	if (!sim_ld_need_map(ld, parts, "initial.partitions",
			     "a map of partition to state, such as {t-0: {replicas: [0, 1]}}"))
		return false;
	for (uint32_t i = 0; i < sim_ld_node(ld, parts)->n; i++) {
		uint32_t k = sim_ykey(&ld->doc, parts, i);
		const char *s = sim_ystr(&ld->doc, k);
		uint32_t len = sim_ld_node(ld, k)->n, name_len;
		int64_t number;
		char got[96];
		if (!sim_ld_split_pref(s, len, &name_len, &number) || !sim_ld_name_ok(s, name_len))
			return sim_ld_fail(ld, k, "initial.partitions: %s is not a partition name; expected %s "
						  "with a valid topic name",
					   sim_ld_got(ld, k, got, sizeof got), SIM_PREF_EXPECTED);
		if (number >= SIM_MAX_PARTITIONS)
			return sim_ld_fail(ld, k, "initial.partitions: partition number %" PRId64 " is out of "
						  "range; expected 0..%u (limit: partitions in all)",
					   number, SIM_MAX_PARTITIONS - 1);
		uint32_t t = sim_ld_topic_intern(ld, s, name_len, SIM_TOPIC_INITIAL, k);
		if (t == UINT32_MAX)
			return false;
		if (!sim_ld_topic_grow(ld, t, (uint64_t)number + 1, k))
			return false;
	}
	return true;
}

struct sim_at_index {
	uint64_t at_us;
	uint32_t i;
};

static int sim_at_index_cmp(const void *a, const void *b)
{
	const struct sim_at_index *x = a, *y = b;
	if (x->at_us != y->at_us)
		return x->at_us < y->at_us ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Names that create_topic creates, in the order the run creates them, and the partition counts
 * that create_topic and add_partitions give. */
static bool sim_ld_timeline_topics(struct sim_ld *ld)
{
	struct sim_scenario *sc = ld->sc;
	uint32_t n = 0;
	for (uint32_t i = 0; i < sc->n_timeline; i++)
		n += sc->timeline[i].action == SIM_ACT_CREATE_TOPIC;
	struct sim_at_index *order = n ? malloc((size_t)n * sizeof *order) : NULL;
	if (n && !order)
		return sim_ld_oom(ld, ld->top[SIM_K_TIMELINE]);
	n = 0;
	for (uint32_t i = 0; i < sc->n_timeline; i++)
		if (sc->timeline[i].action == SIM_ACT_CREATE_TOPIC)
			order[n++] = (struct sim_at_index){sc->timeline[i].at_us, i};
	if (n)
		qsort(order, n, sizeof *order, sim_at_index_cmp);
	bool ok = true;
	for (uint32_t j = 0; ok && j < n; j++) {
		uint32_t a = ld->tl_args[order[j].i], name, parts, asg;
		const char *s;
		uint32_t len;
		if (!sim_ld_need_map(ld, a, "create_topic", "{name, partitions, replication_factor} or "
							    "{name, assignment}")) {
			ok = false;
			break;
		}
		name = sim_yaml_map_get(&ld->doc, a, "name");
		parts = sim_yaml_map_get(&ld->doc, a, "partitions");
		asg = sim_yaml_map_get(&ld->doc, a, "assignment");
		if (!sim_ld_required(ld, a, name, "create_topic", "name", "name: TOPIC") ||
		    !sim_ld_name(ld, name, "create_topic.name", &s, &len)) {
			ok = false;
			break;
		}
		uint32_t t = sim_ld_topic_intern(ld, s, len, SIM_TOPIC_TIMELINE, name);
		if (t == UINT32_MAX) {
			ok = false;
			break;
		}
		uint32_t count = 0;
		if (parts != SIM_YNONE)
			ok = sim_ld_u32(ld, parts, "create_topic.partitions", 1, SIM_MAX_PARTITIONS,
					"partitions in all", &count);
		else if (sim_ld_is_map(ld, asg))
			count = sim_ld_node(ld, asg)->n;
		ok = ok && sim_ld_topic_grow(ld, t, count, parts != SIM_YNONE ? parts : asg);
	}
	free(order);
	for (uint32_t i = 0; ok && i < sc->n_timeline; i++) {
		uint32_t a = ld->tl_args[i], topic, parts;
		if (sc->timeline[i].action != SIM_ACT_ADD_PARTITIONS || !sim_ld_is_map(ld, a))
			continue; /* the full pass reports what is wrong */
		topic = sim_yaml_map_get(&ld->doc, a, "topic");
		parts = sim_yaml_map_get(&ld->doc, a, "partitions");
		if (topic == SIM_YNONE || parts == SIM_YNONE || sim_ld_node(ld, topic)->kind != SIM_YSCALAR)
			continue;
		uint32_t t = sim_ld_topic_lookup(ld, sim_ystr(&ld->doc, topic), sim_ld_node(ld, topic)->n);
		uint32_t count;
		if (t == UINT32_MAX)
			continue;
		ok = sim_ld_u32(ld, parts, "add_partitions.partitions", 1, SIM_MAX_PARTITIONS,
				"partitions in all", &count) &&
		     sim_ld_topic_grow(ld, t, count, parts);
	}
	return ok;
}

bool sim_ld_all_topics(struct sim_ld *ld)
{
	uint32_t topics = sim_ld_opt(ld, ld->top[SIM_K_TOPICS]);
	uint32_t sets = sim_ld_opt(ld, ld->top[SIM_K_TOPIC_SETS]);
	uint32_t init = sim_ld_opt(ld, ld->top[SIM_K_INITIAL]);
	if (init != SIM_YNONE) {
		uint32_t bad = topics != SIM_YNONE ? SIM_K_TOPICS : sets != SIM_YNONE ? SIM_K_TOPIC_SETS : SIM_K_COUNT;
		if (bad != SIM_K_COUNT)
			return sim_ld_fail(ld, ld->top_key[bad], "%s cannot be used with initial; expected the "
								 "topics to be implied by initial.partitions "
								 "(initial replaces start-up)",
					   sim_ld_top_keys[bad]);
		if (ld->top[SIM_K_STARTUP] != SIM_YNONE)
			return sim_ld_fail(ld, ld->top_key[SIM_K_STARTUP], "startup cannot be used with initial; "
									   "expected no startup key (initial "
									   "replaces start-up)");
	}
	if (topics != SIM_YNONE && !sim_ld_topics_map(ld, topics))
		return false;
	if (sets != SIM_YNONE && !sim_ld_topic_sets(ld, sets))
		return false;
	if (init != SIM_YNONE) {
		if (!sim_ld_need_map(ld, init, "initial", "a map {partitions, replicas, controller_epoch}"))
			return false;
		uint32_t parts = sim_ld_opt(ld, sim_yaml_map_get(&ld->doc, init, "partitions"));
		if (parts != SIM_YNONE && !sim_ld_initial_topics(ld, parts))
			return false;
	}
	return sim_ld_timeline_topics(ld);
}
