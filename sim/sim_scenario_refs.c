/* sim_scenario_refs.c — the scenario loader's references: declared broker ids and lists of
 * them (in the pool sim_scenario.ints), the topic table (names, a hash index, the most
 * partitions each topic has anywhere in the file), partitions written TOPIC-N and lists of
 * them, and explicit assignments {N: [brokers]}. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_scenario_int.h"

/* ---- pools -------------------------------------------------------------------------------- */
/* Room for n more ints; returns their offset, or UINT32_MAX when out of memory. */
static uint32_t sim_ld_ints(struct sim_ld *ld, uint64_t n, uint32_t node)
{
	struct sim_scenario *sc = ld->sc;
	if (!sim_reserve((void **)&sc->ints, &sc->cap_ints, sc->n_ints + n, sizeof *sc->ints)) {
		sim_ld_oom(ld, node);
		return UINT32_MAX;
	}
	uint32_t off = sc->n_ints;
	sc->n_ints += (uint32_t)n;
	return off;
}

/* ---- brokers ------------------------------------------------------------------------------ */
int32_t sim_scenario_broker_index(const struct sim_scenario *sc, int32_t id)
{
	uint32_t lo = 0, hi = sc->n_brokers;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (sc->brokers[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sc->n_brokers && sc->brokers[lo].id == id ? (int32_t)lo : -1;
}

static const char *sim_ld_declared(struct sim_ld *ld, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (uint32_t i = 0; i < ld->sc->n_brokers && o + 24 < size; i++) {
		if (i == 12) {
			snprintf(buf + o, size - o, ", ... (%u in all)", ld->sc->n_brokers);
			break;
		}
		int w = snprintf(buf + o, size - o, "%s%" PRId32, i ? ", " : "", ld->sc->brokers[i].id);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return buf;
}

/* A declared broker id. */
bool sim_ld_broker(struct sim_ld *ld, uint32_t id, const char *what, int32_t *out)
{
	int64_t v;
	if (!sim_ld_int(ld, id, what, 0, SIM_MAX_BROKER_ID, "broker ids", &v))
		return false;
	if (sim_scenario_broker_index(ld->sc, (int32_t)v) < 0) {
		char list[256];
		return sim_ld_fail(ld, id,
				   "%s: unknown broker %" PRId64 "; expected a broker declared by "
				   "cluster.brokers or add_broker (%s)",
				   what, v, sim_ld_declared(ld, list, sizeof list));
	}
	*out = (int32_t)v;
	return true;
}

bool sim_ld_broker_or_none(struct sim_ld *ld, uint32_t id, const char *what, int32_t *out)
{
	if (sim_ld_is_word(ld, id, "none")) {
		*out = -1;
		return true;
	}
	const struct sim_ynode *n = sim_ld_node(ld, id);
	int64_t v;
	if (n->kind != SIM_YSCALAR || n->quoted || !sim_ld_parse_int(sim_ystr(&ld->doc, id), n->n, &v)) {
		char got[96];
		return sim_ld_fail(ld, id, "%s: got %s%s; expected a broker id (an integer in 0..%d) or none",
				   what, sim_ld_got(ld, id, got, sizeof got), sim_ld_quoted_note(ld, id),
				   SIM_MAX_BROKER_ID);
	}
	return sim_ld_broker(ld, id, what, out);
}

/* A list of distinct declared brokers (or a single id when single_ok) appended to ints.
 * max_len bounds the list (replication factor); 0 means no bound beyond distinctness. */
bool sim_ld_brokers(struct sim_ld *ld, uint32_t id, const char *what, bool single_ok,
		    bool empty_ok, uint32_t max_len, struct sim_span *out)
{
	const char *expected = single_ok ? "a broker id or a list of broker ids" : "a list of broker ids";
	if (single_ok && sim_ld_node(ld, id)->kind == SIM_YSCALAR) {
		int32_t b;
		if (!sim_ld_broker(ld, id, what, &b))
			return false;
		uint32_t off = sim_ld_ints(ld, 1, id);
		if (off == UINT32_MAX)
			return false;
		ld->sc->ints[off] = b;
		*out = (struct sim_span){off, 1};
		return true;
	}
	if (!sim_ld_need_seq(ld, id, what, expected))
		return false;
	uint32_t n = sim_ld_node(ld, id)->n;
	if (n == 0 && !empty_ok)
		return sim_ld_fail(ld, id, "%s: got an empty list; expected at least one broker id", what);
	if (max_len && n > max_len)
		return sim_ld_fail(ld, id,
				   "%s: %u replicas; expected at most %u (limit: replication factor <= "
				   "brokers declared, <= %u)",
				   what, n, max_len, SIM_MAX_RF);
	/* Distinct declared ids can never outnumber the declared brokers. */
	if (n > ld->sc->n_brokers)
		return sim_ld_fail(ld, id, "%s: %u brokers but only %u are declared; expected distinct "
					   "declared brokers",
				   what, n, ld->sc->n_brokers);
	uint32_t off = sim_ld_ints(ld, n, id);
	if (off == UINT32_MAX)
		return false;
	uint32_t gen = ++ld->stamp_gen;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t item = sim_yitem(&ld->doc, id, i);
		int32_t b;
		if (!sim_ld_broker(ld, item, what, &b))
			return false;
		uint32_t bi = (uint32_t)sim_scenario_broker_index(ld->sc, b);
		if (ld->stamp[bi] == gen)
			return sim_ld_fail(ld, item, "%s: broker %" PRId32 " is listed twice; expected "
						     "distinct brokers",
					   what, b);
		ld->stamp[bi] = gen;
		ld->sc->ints[off + i] = b;
	}
	*out = (struct sim_span){off, n};
	return true;
}

/* ---- topics ------------------------------------------------------------------------------- */
static uint32_t sim_name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

const char *sim_ld_topic_name(struct sim_ld *ld, uint32_t t)
{
	return ld->sc->names_ + ld->name_off[t];
}

/* The table's slot that holds the topic named s (len long, hash h), or the empty slot where it
 * would go: the table is at most half full, so there is one. */
static uint32_t *sim_ld_slot(struct sim_ld *ld, const char *s, size_t len, uint32_t h)
{
	struct sim_scenario *sc = ld->sc;
	for (h &= sc->topic_hash_mask_;; h = (h + 1) & sc->topic_hash_mask_) {
		uint32_t *slot = &sc->topic_hash_[h];
		if (*slot == UINT32_MAX)
			return slot;
		const char *name = sim_ld_topic_name(ld, *slot);
		if (strncmp(name, s, len) == 0 && name[len] == '\0')
			return slot;
	}
}

uint32_t sim_ld_topic_lookup(struct sim_ld *ld, const char *s, size_t len)
{
	return ld->sc->topic_hash_ ? *sim_ld_slot(ld, s, len, sim_name_hash(s, len)) : UINT32_MAX;
}

/* Makes the table hold n topics at most half full. The names so far lie end to end in
 * sc->names_, so each one's length comes from the next one's offset rather than a strlen. */
bool sim_ld_hash_room(struct sim_ld *ld, uint64_t n)
{
	struct sim_scenario *sc = ld->sc;
	if (sc->topic_hash_ && n * 2 <= (uint64_t)sc->topic_hash_mask_ + 1)
		return true;
	uint64_t size = sc->topic_hash_ ? ((uint64_t)sc->topic_hash_mask_ + 1) * 2 : 1024;
	while (n * 2 > size)
		size *= 2;
	uint32_t *h = malloc((size_t)size * sizeof *h);
	if (!h)
		return false;
	memset(h, 0xFF, (size_t)size * sizeof *h);
	free(sc->topic_hash_);
	sc->topic_hash_ = h;
	sc->topic_hash_mask_ = (uint32_t)(size - 1);
	for (uint32_t i = 0; i < sc->n_topics; i++) {
		uint32_t end = i + 1 < sc->n_topics ? ld->name_off[i + 1] : sc->n_names_;
		uint32_t p = sim_name_hash(sim_ld_topic_name(ld, i), end - ld->name_off[i] - 1) &
			     sc->topic_hash_mask_;
		while (h[p] != UINT32_MAX)
			p = (p + 1) & sc->topic_hash_mask_;
		h[p] = i;
	}
	return true;
}

/* The index of the topic named s (checked valid by the caller), added as a new topic, the last
 * one, when there is none yet; UINT32_MAX when it cannot be added. The name's one hash serves
 * the look-up and the insertion. */
uint32_t sim_ld_topic_intern(struct sim_ld *ld, const char *s, size_t len, enum sim_topic_origin origin,
			     uint32_t node)
{
	struct sim_scenario *sc = ld->sc;
	uint32_t h = sim_name_hash(s, len);
	uint32_t *slot = sc->topic_hash_ ? sim_ld_slot(ld, s, len, h) : NULL;
	if (slot && *slot != UINT32_MAX)
		return *slot;
	uint32_t mask = sc->topic_hash_mask_;
	if (sc->n_topics >= SIM_MAX_TOPICS) {
		sim_ld_fail(ld, node, "topic '%.*s' would be topic number %u; expected at most %u "
				      "topics (limit: topics, with topic_sets)",
			    (int)len, s, sc->n_topics + 1, SIM_MAX_TOPICS);
		return UINT32_MAX;
	}
	uint32_t cap = ld->cap_topics;
	if (!sim_reserve((void **)&sc->topics, &cap, (uint64_t)sc->n_topics + 1, sizeof *sc->topics) ||
	    !sim_reserve((void **)&ld->name_off, &ld->cap_topics, (uint64_t)sc->n_topics + 1,
			    sizeof *ld->name_off) ||
	    !sim_reserve((void **)&sc->names_, &sc->cap_names_, (uint64_t)sc->n_names_ + len + 1, 1) ||
	    !sim_ld_hash_room(ld, (uint64_t)sc->n_topics + 1)) {
		sim_ld_oom(ld, node);
		return UINT32_MAX;
	}
	uint32_t t = sc->n_topics;
	ld->name_off[t] = sc->n_names_;
	memcpy(sc->names_ + sc->n_names_, s, len);
	sc->names_[sc->n_names_ + len] = '\0';
	sc->n_names_ += (uint32_t)len + 1;
	if (!slot || sc->topic_hash_mask_ != mask) /* the table grew: the name's place moved */
		slot = sim_ld_slot(ld, s, len, h);
	*slot = t;
	const struct sim_ynode *n = node != SIM_YNONE ? sim_ld_node(ld, node) : NULL;
	sc->topics[t] = (struct sim_topic){
		.origin = origin,
		.unclean_leader_election = -1,
		.line = n ? n->line : 0,
		.col = n ? n->col : 0,
	};
	sc->n_topics++;
	return t;
}

/* Records that topic t has `count` partitions somewhere in the file. */
bool sim_ld_topic_grow(struct sim_ld *ld, uint32_t t, uint64_t count, uint32_t node)
{
	struct sim_scenario *sc = ld->sc;
	struct sim_topic *tp = &sc->topics[t];
	if (count <= tp->max_partitions)
		return true;
	uint64_t total = sc->n_partitions_max + (count - tp->max_partitions);
	if (total > SIM_MAX_PARTITIONS)
		return sim_ld_fail(ld, node,
				   "topic %s: %" PRIu64 " partitions bring the scenario to %" PRIu64
				   " partitions; expected at most %u in all (limit: partitions in all)",
				   sim_ld_topic_name(ld, t), count, total, SIM_MAX_PARTITIONS);
	sc->n_partitions_max = total;
	tp->max_partitions = (uint32_t)count;
	return true;
}

const char *sim_ld_origin_text(enum sim_topic_origin o)
{
	switch (o) {
	case SIM_TOPIC_TOPICS:
		return "topics";
	case SIM_TOPIC_SET:
		return "topic_sets";
	case SIM_TOPIC_INITIAL:
		return "initial";
	case SIM_TOPIC_TIMELINE:
		return "create_topic";
	}
	return "?";
}

/* A reference to a topic declared or created somewhere in the file. */
bool sim_ld_topic_ref(struct sim_ld *ld, uint32_t id, const char *what, uint32_t *out)
{
	const char *s;
	uint32_t len;
	char got[96];
	if (!sim_ld_text(ld, id, what, "a topic name", &s, &len))
		return false;
	uint32_t t = sim_ld_topic_lookup(ld, s, len);
	if (t == UINT32_MAX)
		return sim_ld_fail(ld, id,
				   "%s: unknown topic %s; expected a topic from topics, topic_sets or "
				   "initial, or one a create_topic creates",
				   what, sim_ld_got(ld, id, got, sizeof got));
	*out = t;
	return true;
}

/* Splits "TOPIC-N" at the last '-'. */
bool sim_ld_split_pref(const char *s, uint32_t len, uint32_t *name_len, int64_t *number)
{
	uint32_t dash = len;
	while (dash > 0 && s[dash - 1] != '-')
		dash--;
	if (dash < 2 || dash == len)
		return false;
	const char *num = s + dash;
	uint32_t num_len = len - dash;
	/* No sign and no leading zero, so that each partition has one spelling. */
	if (num[0] < '0' || num[0] > '9' || (num[0] == '0' && num_len > 1))
		return false;
	if (!sim_ld_parse_int(num, num_len, number))
		return false;
	*name_len = dash - 1;
	return true;
}

bool sim_ld_pref(struct sim_ld *ld, uint32_t id, const char *what, struct sim_pref *out)
{
	const char *s;
	uint32_t len, name_len;
	int64_t number;
	char got[96];
	if (!sim_ld_text(ld, id, what, SIM_PREF_EXPECTED, &s, &len))
		return false;
	if (!sim_ld_split_pref(s, len, &name_len, &number))
		return sim_ld_fail(ld, id, "%s: %s is not a partition name; expected %s", what,
				   sim_ld_got(ld, id, got, sizeof got), SIM_PREF_EXPECTED);
	uint32_t t = sim_ld_topic_lookup(ld, s, name_len);
	if (t == UINT32_MAX)
		return sim_ld_fail(ld, id,
				   "%s: unknown topic '%.*s' in partition %s; expected a topic from "
				   "topics, topic_sets or initial, or one a create_topic creates",
				   what, (int)(name_len > 60 ? 60 : name_len), s, sim_ld_got(ld, id, got, sizeof got));
	uint32_t max = ld->sc->topics[t].max_partitions;
	if (number >= (int64_t)max)
		return sim_ld_fail(ld, id,
				   "%s: partition %s does not exist: topic %s never has more than %u "
				   "partitions in this scenario; expected %s-0..%s-%u",
				   what, sim_ld_got(ld, id, got, sizeof got), sim_ld_topic_name(ld, t), max,
				   sim_ld_topic_name(ld, t), sim_ld_topic_name(ld, t), max ? max - 1 : 0);
	*out = (struct sim_pref){t, (uint32_t)number};
	return true;
}

int sim_ld_pref_at_cmp(const void *a, const void *b)
{
	const struct sim_ld_pref_at *x = a, *y = b;
	if (x->p.topic != y->p.topic)
		return x->p.topic < y->p.topic ? -1 : 1;
	if (x->p.partition != y->p.partition)
		return x->p.partition < y->p.partition ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Reports the first repeated partition (in list order) of p[0..n), whose nodes are node(i). */
bool sim_ld_prefs_distinct(struct sim_ld *ld, const struct sim_pref *p, uint32_t n,
			   uint32_t list, bool in_maps, const char *what)
{
	if (n < 2)
		return true;
	struct sim_ld_pref_at *a = malloc((size_t)n * sizeof *a);
	if (!a)
		return sim_ld_oom(ld, list);
	for (uint32_t i = 0; i < n; i++)
		a[i] = (struct sim_ld_pref_at){p[i], i};
	qsort(a, n, sizeof *a, sim_ld_pref_at_cmp);
	uint32_t dup = UINT32_MAX;
	for (uint32_t i = 1; i < n; i++)
		if (a[i].p.topic == a[i - 1].p.topic && a[i].p.partition == a[i - 1].p.partition &&
		    a[i].i < dup)
			dup = a[i].i;
	free(a);
	if (dup == UINT32_MAX)
		return true;
	uint32_t node = sim_yitem(&ld->doc, list, dup);
	if (in_maps) /* a list of maps: point at the repeated partition value */
		node = sim_yaml_map_get(&ld->doc, node, "partition");
	return sim_ld_fail(ld, node, "%s: partition %s-%u is listed twice; expected distinct partitions",
			   what, sim_ld_topic_name(ld, p[dup].topic), p[dup].partition);
}

/* A list of distinct partitions (or one partition when single_ok) appended to prefs. */
bool sim_ld_prefs(struct sim_ld *ld, uint32_t id, const char *what, bool single_ok,
		  struct sim_span *out)
{
	struct sim_scenario *sc = ld->sc;
	bool single = single_ok && sim_ld_node(ld, id)->kind == SIM_YSCALAR;
	if (!single && !sim_ld_need_seq(ld, id, what,
					single_ok ? "a partition or a list of partitions" : "a list of partitions"))
		return false;
	uint32_t n = single ? 1 : sim_ld_node(ld, id)->n;
	if (n == 0)
		return sim_ld_fail(ld, id, "%s: got an empty list; expected at least one partition", what);
	if (n > SIM_MAX_PARTITIONS)
		return sim_ld_fail(ld, id, "%s: %u partitions; expected at most %u (limit: partitions in all)",
				   what, n, SIM_MAX_PARTITIONS);
	if (!sim_reserve((void **)&sc->prefs, &sc->cap_prefs, (uint64_t)sc->n_prefs + n, sizeof *sc->prefs))
		return sim_ld_oom(ld, id);
	uint32_t off = sc->n_prefs;
	for (uint32_t i = 0; i < n; i++)
		if (!sim_ld_pref(ld, single ? id : sim_yitem(&ld->doc, id, i), what, &sc->prefs[off + i]))
			return false;
	if (!single && !sim_ld_prefs_distinct(ld, sc->prefs + off, n, id, false, what))
		return false;
	sc->n_prefs += n;
	*out = (struct sim_span){off, n};
	return true;
}

/* ---- assignments --------------------------------------------------------------------------- */
/* An explicit assignment {N: [brokers], ...}: the keys must be exactly lo..lo+n-1, where lo is
 * 0 (want_end 0) or want_end - n (add_partitions: the new partitions up to the total want_end).
 * Every list has the same length and holds distinct declared brokers. Stored partition-major
 * in ints at *off. The lists are appended in file order as they are checked (so memory stays
 * bounded by what the file spells out) and put in partition order at the end. */
bool sim_ld_assignment(struct sim_ld *ld, uint32_t id, const char *what, uint32_t want_end,
		       uint32_t *first, uint32_t *n_out, uint32_t *rf, uint32_t *off)
{
	struct sim_scenario *sc = ld->sc;
	if (!sim_ld_need_map(ld, id, what, "a map of partition number to broker list, such as {0: [1, 2]}"))
		return false;
	uint32_t n = sim_ld_node(ld, id)->n;
	if (n == 0)
		return sim_ld_fail(ld, id, "%s: got an empty map; expected at least one partition", what);
	if (n > SIM_MAX_PARTITIONS)
		return sim_ld_fail(ld, id, "%s: %u partitions; expected at most %u (limit: partitions in all)",
				   what, n, SIM_MAX_PARTITIONS);
	uint32_t lo = 0;
	if (want_end) {
		if (n > want_end)
			return sim_ld_fail(ld, id, "%s: lists %u partitions, more than the %u the topic is to "
						   "have; expected the new partitions only",
					   what, n, want_end);
		lo = want_end - n;
	}
	uint32_t *pos = malloc((size_t)n * sizeof *pos); /* pos[p - lo]: the list's file index */
	if (!pos)
		return sim_ld_oom(ld, id);
	memset(pos, 0xFF, (size_t)n * sizeof *pos);
	uint32_t limit = sc->n_brokers < SIM_MAX_RF ? sc->n_brokers : SIM_MAX_RF;
	uint32_t width = 0, base = sc->n_ints;
	bool ok = true, in_order = true;
	for (uint32_t i = 0; ok && i < n; i++) {
		uint32_t k = sim_ykey(&ld->doc, id, i), v = sim_yval(&ld->doc, id, i);
		int64_t p = 0;
		struct sim_span s = {0, 0};
		if (!sim_ld_int(ld, k, what, 0, SIM_MAX_PARTITIONS - 1, NULL, &p))
			ok = false;
		else if (p < lo || p >= (int64_t)lo + n)
			ok = sim_ld_fail(ld, k, "%s: partition %" PRId64 " in an assignment of %u partitions; "
						"expected partition numbers %u..%u, each once",
					 what, p, n, lo, lo + n - 1);
		else if (pos[p - lo] != UINT32_MAX)
			ok = sim_ld_fail(ld, k, "%s: partition %" PRId64 " is listed twice; expected each "
						"partition once",
					 what, p);
		else if (!sim_ld_brokers(ld, v, what, false, false, limit, &s))
			ok = false;
		else if (i > 0 && s.n != width)
			ok = sim_ld_fail(ld, v, "%s: partition %" PRId64 " has %u replicas, partition %s has "
						"%u; expected the same number for every partition of a topic",
					 what, p, s.n, sim_ystr(&ld->doc, sim_ykey(&ld->doc, id, 0)), width);
		if (!ok)
			break;
		width = s.n;
		pos[p - lo] = i;
		in_order = in_order && p - lo == i;
	}
	if (ok && !in_order) {
		size_t bytes = (size_t)n * width * sizeof(int32_t);
		int32_t *tmp = malloc(bytes);
		if (!tmp) {
			ok = sim_ld_oom(ld, id);
		} else {
			for (uint32_t j = 0; j < n; j++)
				memcpy(tmp + (size_t)j * width, sc->ints + base + (size_t)pos[j] * width,
				       (size_t)width * sizeof *tmp);
			memcpy(sc->ints + base, tmp, bytes);
			free(tmp);
		}
	}
	free(pos);
	if (!ok)
		return false;
	*first = lo;
	*n_out = n;
	*rf = width;
	*off = base;
	return true;
}

int64_t sim_scenario_topic_find(const struct sim_scenario *sc, const char *name)
{
	if (!sc->topic_hash_)
		return -1;
	size_t len = strlen(name);
	for (uint32_t h = sim_name_hash(name, len) & sc->topic_hash_mask_;; h = (h + 1) & sc->topic_hash_mask_) {
		uint32_t t = sc->topic_hash_[h];
		if (t == UINT32_MAX)
			return -1;
		if (strcmp(sc->topics[t].name, name) == 0)
			return t;
	}
}
