/* sim_explore_plan.c — explore's plans: a base scenario made explicit (start-up assignments
 * as start-up would place them under the seed), the seed's swarm fault plan on top of it
 * (which fault kinds, at what weights, how many, how bunched, with what latency jitter), the
 * heal phase, and the edits the shrinker makes, each of which keeps the plan loadable.
 *
 * BACKGROUND: swarm testing (Groce et al., ISSTA 2012). A plan that mixes every fault kind at
 * fixed rates rarely builds the long runs of one kind that corner cases need (a fast bounce
 * needs a shutdown and a restart microseconds apart with nothing else in between), so each
 * seed first draws which kinds are on and their weights, then the faults.
 *
 * Two generator streams: SIM_STREAM_EXPLORE draws the swarm parameters, SIM_STREAM_FAULTS the
 * faults themselves, so that changing how a fault is drawn never changes another seed's mix. */
#include <stdlib.h>
#include <string.h>

#include "sim_duration.h"
#include "sim_explore_int.h"
#include "sim_rng.h"
#include "sim_world.h"

/* ---- pools ---------------------------------------------------------------------------------- */

static void *grow(void *v, uint32_t *cap, uint64_t need, size_t size)
{
	if (need <= *cap)
		return v;
	uint64_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	*cap = (uint32_t)c;
	return sim_xrealloc(v, (size_t)c * size);
}

static uint32_t push_ints(struct sim_xplan *p, const int32_t *v, uint32_t n)
{
	p->ints = grow(p->ints, &p->cap_ints, (uint64_t)p->n_ints + n, sizeof *p->ints);
	if (n)
		memcpy(p->ints + p->n_ints, v, n * sizeof *v);
	p->n_ints += n;
	return p->n_ints - n;
}

static uint32_t push_prefs(struct sim_xplan *p, const struct sim_pref *v, uint32_t n)
{
	p->prefs = grow(p->prefs, &p->cap_prefs, (uint64_t)p->n_prefs + n, sizeof *p->prefs);
	if (n)
		memcpy(p->prefs + p->n_prefs, v, n * sizeof *v);
	p->n_prefs += n;
	return p->n_prefs - n;
}

static uint32_t push_reassign(struct sim_xplan *p, struct sim_reassign r)
{
	p->reassigns = grow(p->reassigns, &p->cap_reassigns, (uint64_t)p->n_reassigns + 1, sizeof *p->reassigns);
	p->reassigns[p->n_reassigns] = r;
	return p->n_reassigns++;
}

/* A zeroed entry at the end; pointers into entries die at the next add. */
static struct sim_timeline_entry *add_entry(struct sim_xplan *p, uint64_t at_us, enum sim_action a)
{
	p->entries = grow(p->entries, &p->cap_entries, (uint64_t)p->n_entries + 1, sizeof *p->entries);
	struct sim_timeline_entry *e = &p->entries[p->n_entries++];
	memset(e, 0, sizeof *e);
	e->at_us = at_us;
	e->action = a;
	return e;
}

static uint32_t add_topic(struct sim_xplan *p, const struct sim_xtopic *t)
{
	p->topics = grow(p->topics, &p->cap_topics, (uint64_t)p->n_topics + 1, sizeof *p->topics);
	p->topics[p->n_topics] = *t;
	return p->n_topics++;
}

static void *dup_array(const void *v, size_t n, size_t size)
{
	void *d = sim_xrealloc(NULL, n * size);
	if (n)
		memcpy(d, v, n * size);
	return d;
}

void sim_xplan_free(struct sim_xplan *p)
{
	free(p->brokers);
	free(p->topics);
	free(p->entries);
	free(p->ints);
	free(p->prefs);
	free(p->reassigns);
	memset(p, 0, sizeof *p);
}

void sim_xplan_copy(struct sim_xplan *dst, const struct sim_xplan *src)
{
	*dst = *src;
	dst->brokers = dup_array(src->brokers, src->n_brokers, sizeof *src->brokers);
	dst->topics = dup_array(src->topics, src->n_topics, sizeof *src->topics);
	dst->entries = dup_array(src->entries, src->n_entries, sizeof *src->entries);
	dst->ints = dup_array(src->ints, src->n_ints, sizeof *src->ints);
	dst->prefs = dup_array(src->prefs, src->n_prefs, sizeof *src->prefs);
	dst->reassigns = dup_array(src->reassigns, src->n_reassigns, sizeof *src->reassigns);
	dst->cap_topics = src->n_topics;
	dst->cap_entries = src->n_entries;
	dst->cap_ints = src->n_ints;
	dst->cap_prefs = src->n_prefs;
	dst->cap_reassigns = src->n_reassigns;
}

const char *sim_xplan_topic_name(const struct sim_xplan *p, uint32_t t, char *buf, size_t size)
{
	const struct sim_xtopic *x = &p->topics[t];
	if (x->name)
		return x->name;
	snprintf(buf, size, "%s%u", p->fresh_prefix, (unsigned)x->fresh);
	return buf;
}

/* ---- order and time --------------------------------------------------------------------------- */

struct keyed {
	uint64_t at_us;
	uint32_t index;
};

static int by_time_then_index(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->at_us != y->at_us)
		return x->at_us < y->at_us ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Stable by time: entries at one time keep their order, as the loader runs them. */
static void sort_entries(struct sim_xplan *p)
{
	struct keyed *k = sim_xrealloc(NULL, (p->n_entries + 1) * sizeof *k);
	for (uint32_t i = 0; i < p->n_entries; i++)
		k[i] = (struct keyed){p->entries[i].at_us, i};
	qsort(k, p->n_entries, sizeof *k, by_time_then_index);
	struct sim_timeline_entry *e = sim_xrealloc(NULL, (p->n_entries + 1) * sizeof *e);
	for (uint32_t i = 0; i < p->n_entries; i++)
		e[i] = p->entries[k[i].index];
	free(p->entries);
	free(k);
	p->entries = e;
	p->cap_entries = p->n_entries + 1;
}

uint64_t sim_xplan_last_end(const struct sim_xplan *p)
{
	uint64_t end = 0;
	for (uint32_t i = 0; i < p->n_entries; i++) {
		const struct sim_timeline_entry *e = &p->entries[i];
		uint64_t t = e->at_us;
		if (e->action == SIM_ACT_PAUSE)
			t += e->u.pause.for_us;
		else if (e->action == SIM_ACT_ISOLATE)
			t += e->u.isolate.for_us;
		if (t > end)
			end = t;
	}
	return end;
}

/* scenario-format "Exploration": the heal phase lasts at least 2 x zk_session_timeout + 2 x
 * isr_check_interval + replica_lag_time_max. A controlled shutdown begun in the fault phase may
 * still be retrying (each attempt up to controller_socket_timeout, then a back-off) and holds
 * quiescence off until it stops, so plans with one get that much longer. */
uint64_t sim_xplan_max_time(const struct sim_xplan *p)
{
	const struct sim_config *c = &p->base->config;
	uint64_t heal = 2 * c->zk_session_timeout_us + 2 * c->isr_check_interval_us + c->replica_lag_time_max_us;
	for (uint32_t i = 0; i < p->n_entries; i++)
		if (p->entries[i].action == SIM_ACT_SHUTDOWN || p->entries[i].action == SIM_ACT_ROLLING_RESTART) {
			heal += (uint64_t)c->controlled_shutdown_max_retries *
				(c->controller_socket_timeout_us + c->controlled_shutdown_retry_backoff_us);
			break;
		}
	uint64_t t = sim_xplan_last_end(p) + heal;
	return t < SIM_DURATION_MAX_US ? t : SIM_DURATION_MAX_US;
}

/* ---- a scenario as a plan ------------------------------------------------------------------- */

/* Start-up placement is drawn from the seed (Kafka's random start index and shift): build
 * the cluster as instant start-up does and read what ZooKeeper got. */
static bool place_startup_topics(const struct sim_scenario *sc, uint64_t seed, struct sim_xplan *p,
				 struct sim_error *err)
{
	struct sim_scenario at_seed = *sc;
	at_seed.seed = seed;
	at_seed.startup = SIM_STARTUP_INSTANT;
	struct sim_world w;
	sim_world_init(&w, &at_seed);
	sim_startup(&w, SIM_INSTANT_AUTO);
	bool ok = true;
	for (uint32_t t = 0; t < p->n_topics && ok; t++) {
		struct sim_xtopic *x = &p->topics[t];
		if (!x->at_startup)
			continue;
		const struct sim_zk_topic *z = &w.zk.topics[t];
		if (!z->exists || z->n == 0) {
			snprintf(err->msg, sizeof err->msg,
				 "%s: topic %s cannot be placed at start-up (replication factor above the live "
				 "brokers); expected a base whose topics all exist at time 0",
				 sc->name, x->name);
			ok = false;
			break;
		}
		x->partitions = z->n;
		x->rf = z->view[0].n_replicas;
		x->assignment = p->n_ints;
		for (uint32_t i = 0; i < z->n; i++)
			push_ints(p, z->view[i].replicas, x->rf);
	}
	sim_world_free(&w);
	return ok;
}

bool sim_xplan_from_scenario(const struct sim_scenario *sc, uint64_t seed, struct sim_xplan *p,
			     struct sim_error *err)
{
	memset(p, 0, sizeof *p);
	if (sc->has_initial) {
		snprintf(err->msg, sizeof err->msg,
			 "%s: explore cannot start from `initial:`; expected a base with cluster and topics",
			 sc->name);
		return false;
	}
	p->base = sc;
	p->seed = seed;
	p->jitter_us = sc->config.latency_jitter_us;
	memcpy(p->inject_on, sc->inject_on, sizeof p->inject_on);
	snprintf(p->name, sizeof p->name, "%s", sc->name);
	snprintf(p->fresh_prefix, sizeof p->fresh_prefix, "x");
	p->controller = sc->controller;
	p->n_brokers = sc->n_brokers;
	p->brokers = sim_xrealloc(NULL, (sc->n_brokers + 1) * sizeof *p->brokers);
	for (uint32_t b = 0; b < sc->n_brokers; b++)
		p->brokers[b] = (struct sim_xbroker){sc->brokers[b].id, sc->brokers[b].in_cluster, sc->brokers[b].down,
						     false};
	/* the base's pools as they are, so that its entries' spans stay valid */
	push_ints(p, sc->ints, sc->n_ints);
	push_prefs(p, sc->prefs, sc->n_prefs);
	p->reassigns = dup_array(sc->reassigns, sc->n_reassigns, sizeof *sc->reassigns);
	p->n_reassigns = p->cap_reassigns = sc->n_reassigns;
	for (uint32_t i = 0; i < sc->n_timeline; i++) {
		struct sim_timeline_entry *e = add_entry(p, 0, SIM_ACT_CRASH);
		*e = sc->timeline[i];
		e->line = e->col = 0;
	}
	sort_entries(p);
	for (uint32_t t = 0; t < sc->n_topics; t++) {
		const struct sim_topic *s = &sc->topics[t];
		struct sim_xtopic x = {.name = s->name,
				       .at_startup = s->origin == SIM_TOPIC_TOPICS || s->origin == SIM_TOPIC_SET,
				       .unclean = s->unclean_leader_election};
		add_topic(p, &x);
	}
	if (!place_startup_topics(sc, seed, p, err)) {
		sim_xplan_free(p);
		return false;
	}
	return true;
}

/* ---- the swarm ---------------------------------------------------------------------------------- */

enum xkind {
	XK_CRASH,
	XK_RESTART,
	XK_SHUTDOWN,
	XK_EXPIRE,
	XK_FAILOVER,
	XK_PAUSE,
	XK_ISOLATE,
	XK_CREATE,
	XK_DELETE,
	XK_REASSIGN,
	XK_PREFERRED,
	XK_ADD_PARTITIONS,
	XK_COUNT
};

static const enum sim_action xkind_action[XK_COUNT] = {
	SIM_ACT_CRASH,        SIM_ACT_RESTART, SIM_ACT_SHUTDOWN,     SIM_ACT_EXPIRE_SESSION,
	SIM_ACT_CONTROLLER_FAILOVER, SIM_ACT_PAUSE, SIM_ACT_ISOLATE, SIM_ACT_CREATE_TOPIC,
	SIM_ACT_DELETE_TOPIC, SIM_ACT_REASSIGN, SIM_ACT_PREFERRED_ELECTION, SIM_ACT_ADD_PARTITIONS,
};

/* The seed's mix: weights (0 = off), jitter, how many faults over how long, how bunched. */
struct swarm {
	uint32_t weight[XK_COUNT];
	uint64_t jitter_us;
	uint64_t phase_us;
	uint32_t n_faults;
	uint32_t burst_quarters;   /* chance, in quarters, that a fault follows the previous closely */
	uint64_t burst_gap_us;     /* ... within this */
	uint32_t focus_quarters;   /* chance, in quarters, that a fault hits the broker or topic
				      the previous one did (a bounce, a delete and re-create) */
};

/* What the plan believes at each fault's time (it ignores the base's own entries: an
 * impossible action is refused by the run, never an input error). */
struct model {
	bool *up;                  /* per plan broker */
	uint32_t *parts;           /* per topic: partitions while it exists, 0 when absent */
	bool *deleted;             /* deleted by the plan: a name to re-create (KAFKA-1742) */
	uint32_t n_fresh;
	uint32_t focus_quarters;
	int64_t last_broker;       /* plan broker index the last fault named, or -1 */
	int64_t last_topic;        /* topic the last fault named, or -1 */
};

static void draw_swarm(const struct sim_xplan *p, struct swarm *s)
{
	const struct sim_config *c = &p->base->config;
	struct sim_rng r;
	sim_rng_seed(&r, p->seed, SIM_STREAM_EXPLORE);
	memset(s, 0, sizeof *s);
	bool any = false;
	for (int k = 0; k < XK_COUNT; k++) {
		uint64_t on = sim_rng_below(&r, 2);
		uint64_t w = sim_rng_range(&r, 1, 4);
		s->weight[k] = on ? (uint32_t)w : 0;
		any = any || on;
	}
	if (!any)
		s->weight[sim_rng_below(&r, XK_COUNT)] = 1;
	static const uint64_t jitter[] = {100, 500, 2000, 10000};
	uint64_t jitter_on = sim_rng_below(&r, 2);
	uint64_t jitter_pick = sim_rng_below(&r, 4);
	/* a base that sets its own jitter keeps it */
	s->jitter_us = c->latency_jitter_us ? c->latency_jitter_us : jitter_on ? jitter[jitter_pick] : 0;
	/* fault phases in units of the session timeout, the clock most faults are measured by */
	static const uint64_t phase_sixths[] = {1, 6, 18, 60};
	s->phase_us = c->zk_session_timeout_us * phase_sixths[sim_rng_below(&r, 4)] / 6;
	if (s->phase_us == 0)
		s->phase_us = 1;
	static const uint32_t faults[] = {4, 12, 32};
	s->n_faults = 1 + (uint32_t)sim_rng_below(&r, faults[sim_rng_below(&r, 3)]);
	s->burst_quarters = (uint32_t)sim_rng_below(&r, 4);
	static const uint64_t gap[] = {100, 1000, 10000, 200000};
	s->burst_gap_us = gap[sim_rng_below(&r, 4)];
	s->focus_quarters = (uint32_t)sim_rng_below(&r, 4);
}

static void describe_swarm(struct sim_xplan *p, const struct swarm *s)
{
	char jit[24], phase[24], gap[24];
	size_t n = 0, size = sizeof p->swarm;
	n += (size_t)snprintf(p->swarm + n, size - n, "swarm");
	for (int k = 0; k < XK_COUNT && n < size; k++)
		if (s->weight[k])
			n += (size_t)snprintf(p->swarm + n, size - n, " %s=%u", sim_action_name(xkind_action[k]),
					      (unsigned)s->weight[k]);
	if (n < size)
		snprintf(p->swarm + n, size - n,
			 "; jitter %s; %u faults over %s, %u/4 within %s of the one before, %u/4 on its target",
			 sim_duration_format(s->jitter_us, jit, sizeof jit), (unsigned)s->n_faults,
			 sim_duration_format(s->phase_us, phase, sizeof phase), (unsigned)s->burst_quarters,
			 sim_duration_format(s->burst_gap_us, gap, sizeof gap), (unsigned)s->focus_quarters);
}

/* Fresh topic names must not collide with the base's: "x0".."x63", else "x_0"... */
static void choose_fresh_prefix(struct sim_xplan *p)
{
	for (int len = 1; len < (int)sizeof p->fresh_prefix - 1; len++) {
		memset(p->fresh_prefix, '_', (size_t)len);
		p->fresh_prefix[0] = 'x';
		p->fresh_prefix[len] = '\0';
		bool clash = false;
		char name[40];
		for (uint32_t k = 0; k < SIM_XPLAN_MAX_FRESH && !clash; k++) {
			snprintf(name, sizeof name, "%s%u", p->fresh_prefix, (unsigned)k);
			clash = sim_scenario_topic_find(p->base, name) >= 0;
		}
		if (!clash)
			return;
	}
}

/* The indexes of the brokers the model has up (or down), into out; returns how many. */
static uint32_t brokers_where(const struct sim_xplan *p, const struct model *m, bool up, uint32_t *out)
{
	uint32_t n = 0;
	for (uint32_t b = 0; b < p->n_brokers; b++)
		if (m->up[b] == up)
			out[n++] = b;
	return n;
}

/* k distinct broker ids drawn from all the plan's brokers (k <= n_brokers). */
static void draw_replicas(struct sim_rng *r, const struct sim_xplan *p, uint32_t k, int32_t *out)
{
	int32_t *ids = sim_xrealloc(NULL, p->n_brokers * sizeof *ids);
	for (uint32_t b = 0; b < p->n_brokers; b++)
		ids[b] = p->brokers[b].id;
	for (uint32_t i = 0; i < k; i++) {
		uint32_t j = i + (uint32_t)sim_rng_below(r, p->n_brokers - i);
		int32_t x = ids[i];
		ids[i] = ids[j];
		ids[j] = x;
		out[i] = ids[i];
	}
	free(ids);
}

static uint32_t draw_rf(struct sim_rng *r, const struct sim_xplan *p)
{
	uint32_t max = p->n_brokers < 3 ? p->n_brokers : 3;
	return (uint32_t)sim_rng_range(r, 1, max);
}

/* Whether this fault stays on the previous fault's target. */
static bool focus(struct sim_rng *r, const struct model *m) { return sim_rng_below(r, 4) < m->focus_quarters; }

/* One of the n broker indexes in list: the previous target if it is there and focus says so. */
static uint32_t draw_broker(struct sim_rng *r, const struct model *m, const uint32_t *list, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if ((int64_t)list[i] == m->last_broker && focus(r, m))
			return list[i];
	return list[sim_rng_below(r, n)];
}

/* A topic that exists in the model (the previous target if it does and focus says so), or -1. */
static int64_t draw_topic(struct sim_rng *r, const struct sim_xplan *p, const struct model *m)
{
	if (m->last_topic >= 0 && m->parts[m->last_topic] > 0 && focus(r, m))
		return m->last_topic;
	uint32_t n = 0;
	for (uint32_t t = 0; t < p->n_topics; t++)
		n += m->parts[t] > 0;
	if (n == 0)
		return -1;
	uint64_t k = sim_rng_below(r, n);
	for (uint32_t t = 0; t < p->n_topics; t++)
		if (m->parts[t] > 0 && k-- == 0)
			return t;
	return -1;
}

static uint64_t draw_duration(struct sim_rng *r, const struct sim_xplan *p)
{
	/* around the session timeout: well below, just below, at (expires), above */
	static const uint64_t sixtieths[] = {1, 10, 59, 60, 80};
	uint64_t d = p->base->config.zk_session_timeout_us * sixtieths[sim_rng_below(r, 5)] / 60;
	return d ? d : 1;
}

/* One fault of kind k at time t, drawn against the model; false if none is possible now. */
static bool draw_fault(struct sim_rng *r, struct sim_xplan *p, struct model *m, uint32_t *rf, enum xkind k,
		       uint64_t t, uint32_t *scratch)
{
	uint32_t n_up = brokers_where(p, m, true, scratch);
	switch (k) {
	case XK_CRASH:
	case XK_SHUTDOWN:
	case XK_EXPIRE:
	case XK_PAUSE:
	case XK_ISOLATE: {
		if (n_up == 0)
			return false;
		uint32_t b = draw_broker(r, m, scratch, n_up);
		m->last_broker = b;
		int32_t id = p->brokers[b].id;
		if (k == XK_CRASH) {
			m->up[b] = false;
			uint32_t off = push_ints(p, &id, 1);
			add_entry(p, t, SIM_ACT_CRASH)->u.brokers = (struct sim_span){off, 1};
		} else if (k == XK_SHUTDOWN) {
			m->up[b] = false;
			add_entry(p, t, SIM_ACT_SHUTDOWN)->u.broker = id;
		} else if (k == XK_EXPIRE) {
			add_entry(p, t, SIM_ACT_EXPIRE_SESSION)->u.broker = id;
		} else if (k == XK_PAUSE) {
			uint64_t d = draw_duration(r, p);
			struct sim_timeline_entry *e = add_entry(p, t, SIM_ACT_PAUSE);
			e->u.pause.broker = id;
			e->u.pause.for_us = d;
		} else {
			enum sim_isolate_from from = (enum sim_isolate_from)sim_rng_below(r, 4);
			uint64_t d = draw_duration(r, p);
			struct sim_timeline_entry *e = add_entry(p, t, SIM_ACT_ISOLATE);
			e->u.isolate.broker = id;
			e->u.isolate.from = from;
			e->u.isolate.for_us = d;
		}
		return true;
	}
	case XK_RESTART: {
		uint32_t n_down = brokers_where(p, m, false, scratch);
		if (n_down == 0)
			return false;
		uint32_t b = draw_broker(r, m, scratch, n_down);
		m->last_broker = b;
		m->up[b] = true;
		uint32_t off = push_ints(p, &p->brokers[b].id, 1);
		add_entry(p, t, SIM_ACT_RESTART)->u.brokers = (struct sim_span){off, 1};
		return true;
	}
	case XK_FAILOVER:
		add_entry(p, t, SIM_ACT_CONTROLLER_FAILOVER);
		return true;
	case XK_CREATE: {
		/* re-create a name the plan deleted half the time, else a fresh name */
		int64_t topic = -1;
		uint32_t n_deleted = 0;
		for (uint32_t i = 0; i < p->n_topics; i++)
			n_deleted += m->deleted[i] && m->parts[i] == 0;
		uint64_t recreate = sim_rng_below(r, 2);
		if (m->last_topic >= 0 && m->deleted[m->last_topic] && m->parts[m->last_topic] == 0 && focus(r, m)) {
			topic = m->last_topic;
		} else if (n_deleted && recreate) {
			uint64_t j = sim_rng_below(r, n_deleted);
			for (uint32_t i = 0; i < p->n_topics && topic < 0; i++)
				if (m->deleted[i] && m->parts[i] == 0 && j-- == 0)
					topic = i;
		} else if (m->n_fresh < SIM_XPLAN_MAX_FRESH) {
			struct sim_xtopic x = {.fresh = m->n_fresh++, .unclean = -1};
			topic = add_topic(p, &x);
		}
		if (topic < 0)
			return false;
		uint32_t parts = (uint32_t)sim_rng_range(r, 1, 3);
		uint32_t f = draw_rf(r, p);
		int32_t reps[3 * 3];
		for (uint32_t i = 0; i < parts; i++)
			draw_replicas(r, p, f, reps + i * f);
		uint32_t off = push_ints(p, reps, parts * f);
		m->parts[topic] = parts;
		m->last_topic = topic;
		rf[topic] = f;
		struct sim_timeline_entry *e = add_entry(p, t, SIM_ACT_CREATE_TOPIC);
		e->u.create_topic = (struct sim_topic_spec){.topic = (uint32_t)topic, .partitions = parts,
							    .replication_factor = f, .explicit_assignment = true,
							    .n_assigned = parts, .assignment = off,
							    .unclean_leader_election = -1};
		return true;
	}
	case XK_DELETE: {
		int64_t topic = draw_topic(r, p, m);
		if (topic < 0)
			return false;
		m->parts[topic] = 0;
		m->deleted[topic] = true;
		m->last_topic = topic;
		add_entry(p, t, SIM_ACT_DELETE_TOPIC)->u.delete_topic = (uint32_t)topic;
		return true;
	}
	case XK_REASSIGN: {
		uint32_t items = (uint32_t)sim_rng_range(r, 1, 2);
		uint32_t first = p->n_reassigns, made = 0;
		for (uint32_t i = 0; i < items; i++) {
			int64_t topic = draw_topic(r, p, m);
			if (topic < 0)
				break;
			uint32_t part = (uint32_t)sim_rng_below(r, m->parts[topic]);
			bool dup = false;
			for (uint32_t j = first; j < p->n_reassigns; j++)
				dup = dup || (p->reassigns[j].partition.topic == topic &&
					      p->reassigns[j].partition.partition == part);
			if (dup)
				continue;
			uint32_t f = draw_rf(r, p);
			int32_t reps[3];
			draw_replicas(r, p, f, reps);
			uint32_t off = push_ints(p, reps, f);
			push_reassign(p, (struct sim_reassign){{(uint32_t)topic, part}, {off, f}});
			m->last_topic = topic;
			made++;
		}
		if (made == 0)
			return false;
		add_entry(p, t, SIM_ACT_REASSIGN)->u.reassign = (struct sim_span){first, made};
		return true;
	}
	case XK_PREFERRED: {
		if (sim_rng_below(r, 3) == 0) {
			add_entry(p, t, SIM_ACT_PREFERRED_ELECTION)->u.preferred_election.all = true;
			return true;
		}
		struct sim_pref refs[2];
		uint32_t want = (uint32_t)sim_rng_range(r, 1, 2), made = 0;
		for (uint32_t i = 0; i < want; i++) {
			int64_t topic = draw_topic(r, p, m);
			if (topic < 0)
				break;
			struct sim_pref x = {(uint32_t)topic, (uint32_t)sim_rng_below(r, m->parts[topic])};
			if (made == 0 || refs[0].topic != x.topic || refs[0].partition != x.partition)
				refs[made++] = x;
		}
		if (made == 0)
			return false;
		struct sim_timeline_entry *e = add_entry(p, t, SIM_ACT_PREFERRED_ELECTION);
		e->u.preferred_election.partitions = (struct sim_span){p->n_prefs, made};
		push_prefs(p, refs, made);
		return true;
	}
	case XK_ADD_PARTITIONS: {
		int64_t topic = draw_topic(r, p, m);
		if (topic < 0)
			return false;
		uint32_t more = (uint32_t)sim_rng_range(r, 1, 2);
		uint32_t f = rf[topic];
		int32_t reps[2 * SIM_MAX_RF];
		for (uint32_t i = 0; i < more; i++)
			draw_replicas(r, p, f, reps + i * f);
		uint32_t off = push_ints(p, reps, more * f);
		uint32_t old = m->parts[topic];
		m->parts[topic] = old + more;
		m->last_topic = topic;
		struct sim_timeline_entry *e = add_entry(p, t, SIM_ACT_ADD_PARTITIONS);
		e->u.add_partitions = (struct sim_topic_spec){.topic = (uint32_t)topic, .partitions = old + more,
							      .replication_factor = f, .explicit_assignment = true,
							      .first_partition = old, .n_assigned = more,
							      .assignment = off, .unclean_leader_election = -1};
		return true;
	}
	case XK_COUNT:
		break;
	}
	return false;
}

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

bool sim_xplan_generate(const struct sim_scenario *base, uint64_t seed, const bool *inject_on,
			struct sim_xplan *p, struct sim_error *err)
{
	if (!sim_xplan_from_scenario(base, seed, p, err))
		return false;
	for (int i = 0; i < SIM_INJECT_COUNT; i++)
		p->inject_on[i] = p->inject_on[i] || (inject_on && inject_on[i]);
	snprintf(p->name, sizeof p->name, "%.180s-seed-%llu", base->name, (unsigned long long)seed);
	choose_fresh_prefix(p);
	struct swarm s;
	draw_swarm(p, &s);
	describe_swarm(p, &s);
	p->jitter_us = s.jitter_us;

	struct sim_rng r;
	sim_rng_seed(&r, seed, SIM_STREAM_FAULTS);
	uint64_t *times = sim_xrealloc(NULL, s.n_faults * sizeof *times);
	for (uint32_t i = 0; i < s.n_faults; i++) {
		uint64_t close = sim_rng_below(&r, 4) < s.burst_quarters;
		uint64_t gap = sim_rng_below(&r, s.burst_gap_us + 1);
		uint64_t anywhere = sim_rng_range(&r, 1, s.phase_us);
		times[i] = i > 0 && close ? times[i - 1] + gap : anywhere;
	}
	qsort(times, s.n_faults, sizeof *times, by_u64);

	uint32_t cap = p->n_topics + SIM_XPLAN_MAX_FRESH;
	struct model m = {.up = sim_xrealloc(NULL, p->n_brokers * sizeof *m.up),
			  .parts = calloc(cap, sizeof *m.parts),
			  .deleted = calloc(cap, sizeof *m.deleted),
			  .focus_quarters = s.focus_quarters,
			  .last_broker = -1,
			  .last_topic = -1};
	uint32_t *rf = calloc(cap, sizeof *rf);
	uint32_t *scratch = sim_xrealloc(NULL, (p->n_brokers + 1) * sizeof *scratch);
	if (!m.parts || !m.deleted || !rf)
		exit(3);
	for (uint32_t b = 0; b < p->n_brokers; b++)
		m.up[b] = p->brokers[b].in_cluster && !p->brokers[b].down;
	for (uint32_t t = 0; t < p->n_topics; t++) {
		m.parts[t] = p->topics[t].at_startup ? p->topics[t].partitions : 0;
		rf[t] = p->topics[t].rf;
	}
	uint32_t total = 0;
	for (int k = 0; k < XK_COUNT; k++)
		total += s.weight[k];
	for (uint32_t i = 0; i < s.n_faults; i++) {
		uint64_t pick = sim_rng_below(&r, total);
		enum xkind k = XK_CRASH;
		while (pick >= s.weight[k])
			pick -= s.weight[k++];
		draw_fault(&r, p, &m, rf, k, times[i], scratch);
	}
	/* the heal phase: everything down starts again once the last fault is over */
	uint64_t heal = sim_xplan_last_end(p);
	if (heal < s.phase_us)
		heal = s.phase_us;
	uint32_t n_down = brokers_where(p, &m, false, scratch);
	if (n_down > 0) {
		int32_t *ids = sim_xrealloc(NULL, n_down * sizeof *ids);
		for (uint32_t i = 0; i < n_down; i++)
			ids[i] = p->brokers[scratch[i]].id;
		uint32_t off = push_ints(p, ids, n_down);
		add_entry(p, heal, SIM_ACT_RESTART)->u.brokers = (struct sim_span){off, n_down};
		free(ids);
	}
	/* the base's entries were added first, so they stay first at equal times */
	sort_entries(p);
	free(times);
	free(m.up);
	free(m.parts);
	free(m.deleted);
	free(rf);
	free(scratch);
	return true;
}

/* ---- edits ------------------------------------------------------------------------------------ */

void sim_xplan_keep_entries(struct sim_xplan *p, const bool *keep)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < p->n_entries; i++)
		if (keep[i])
			p->entries[n++] = p->entries[i];
	p->n_entries = n;
	sim_xplan_normalise(p);
}

/* Removes id from the list in place; returns its new length. */
static uint32_t filter_ids(int32_t *v, uint32_t n, int32_t id)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++)
		if (v[i] != id)
			v[k++] = v[i];
	return k;
}

/* rows x rf replicas at v, in place: if any row names id, every row loses one replica (id, or
 * its last) so that all keep the same count; returns the new rf. */
static uint32_t drop_from_rows(int32_t *v, uint32_t rows, uint32_t rf, int32_t id)
{
	bool named = false;
	for (uint32_t i = 0; i < rows * rf && !named; i++)
		named = v[i] == id;
	if (!named || rf == 0)
		return rf;
	for (uint32_t r = 0; r < rows; r++) {
		/* the row without id, or (id absent) its first rf - 1 replicas */
		int32_t *row = v + r * rf;
		filter_ids(row, rf, id);
		memmove(v + r * (rf - 1), row, (rf - 1) * sizeof *v);
	}
	return rf - 1;
}

static void drop_broker_refs(struct sim_xplan *p, int32_t id)
{
	for (uint32_t b = 0; b < p->n_brokers; b++)
		if (p->brokers[b].id == id)
			p->brokers[b].removed = true;
	if (p->controller == id)
		p->controller = -1;
	for (uint32_t t = 0; t < p->n_topics; t++) {
		struct sim_xtopic *x = &p->topics[t];
		if (!x->at_startup || x->removed)
			continue;
		x->rf = drop_from_rows(p->ints + x->assignment, x->partitions, x->rf, id);
		x->removed = x->rf == 0;
	}
	uint32_t n = 0;
	for (uint32_t i = 0; i < p->n_entries; i++) {
		struct sim_timeline_entry *e = &p->entries[i];
		bool keep = true;
		switch (e->action) {
		case SIM_ACT_CRASH:
		case SIM_ACT_RESTART:
		case SIM_ACT_ADD_BROKER:
			e->u.brokers.n = filter_ids(p->ints + e->u.brokers.off, e->u.brokers.n, id);
			keep = e->u.brokers.n > 0;
			break;
		case SIM_ACT_SHUTDOWN:
		case SIM_ACT_EXPIRE_SESSION:
			keep = e->u.broker != id;
			break;
		case SIM_ACT_PAUSE:
			keep = e->u.pause.broker != id;
			break;
		case SIM_ACT_ISOLATE:
			keep = e->u.isolate.broker != id;
			break;
		case SIM_ACT_ROLLING_RESTART:
			if (!e->u.rolling_restart.all) {
				struct sim_span *s = &e->u.rolling_restart.brokers;
				s->n = filter_ids(p->ints + s->off, s->n, id);
				keep = s->n > 0;
			}
			break;
		case SIM_ACT_CREATE_TOPIC:
		case SIM_ACT_ADD_PARTITIONS: {
			struct sim_topic_spec *s =
				e->action == SIM_ACT_CREATE_TOPIC ? &e->u.create_topic : &e->u.add_partitions;
			if (s->explicit_assignment) {
				s->replication_factor = drop_from_rows(p->ints + s->assignment, s->n_assigned,
								       s->replication_factor, id);
				keep = s->replication_factor > 0;
			}
			break;
		}
		case SIM_ACT_REASSIGN: {
			struct sim_span *s = &e->u.reassign;
			uint32_t k = 0;
			for (uint32_t j = 0; j < s->n; j++) {
				struct sim_reassign *ra = &p->reassigns[s->off + j];
				ra->replicas.n = filter_ids(p->ints + ra->replicas.off, ra->replicas.n, id);
				if (ra->replicas.n > 0)
					p->reassigns[s->off + k++] = *ra;
			}
			s->n = k;
			keep = k > 0;
			break;
		}
		case SIM_ACT_REPLICA_TRANSITION: {
			struct sim_span *s = &e->u.replica_transition.brokers;
			s->n = filter_ids(p->ints + s->off, s->n, id);
			keep = s->n > 0;
			break;
		}
		default:
			break;
		}
		if (keep)
			p->entries[n++] = *e;
	}
	p->n_entries = n;
}

void sim_xplan_drop_broker(struct sim_xplan *p, int32_t id)
{
	drop_broker_refs(p, id);
	sim_xplan_normalise(p);
}

void sim_xplan_drop_topic(struct sim_xplan *p, uint32_t t)
{
	p->topics[t].removed = true;
	sim_xplan_normalise(p);
}

bool sim_xplan_trim_topic(struct sim_xplan *p, uint32_t t, uint32_t n)
{
	struct sim_xtopic *x = &p->topics[t];
	if (!x->at_startup || x->removed || n == 0 || n >= x->partitions)
		return false;
	for (uint32_t i = 0; i < p->n_entries; i++)
		if (p->entries[i].action == SIM_ACT_ADD_PARTITIONS && p->entries[i].u.add_partitions.topic == t)
			return false;
	x->partitions = n;
	sim_xplan_normalise(p);
	return true;
}

uint32_t sim_xplan_list_len(const struct sim_xplan *p, uint32_t i)
{
	const struct sim_timeline_entry *e = &p->entries[i];
	switch (e->action) {
	case SIM_ACT_CRASH:
	case SIM_ACT_RESTART:
	case SIM_ACT_ADD_BROKER:
		return e->u.brokers.n;
	case SIM_ACT_ROLLING_RESTART:
		return e->u.rolling_restart.all ? 0 : e->u.rolling_restart.brokers.n;
	case SIM_ACT_REASSIGN:
		return e->u.reassign.n;
	case SIM_ACT_PREFERRED_ELECTION:
		return e->u.preferred_election.all ? 0 : e->u.preferred_election.partitions.n;
	case SIM_ACT_REPLICA_TRANSITION:
		return e->u.replica_transition.brokers.n;
	case SIM_ACT_PARTITION_TRANSITION:
		return e->u.partition_transition.partitions.n;
	default:
		return 0;
	}
}

/* Removes item k from the span's slice of a pool of elements of the given size. */
static void span_remove(void *pool, size_t size, struct sim_span *s, uint32_t k)
{
	char *base = (char *)pool + (size_t)s->off * size;
	memmove(base + k * size, base + (k + 1) * size, (s->n - k - 1) * size);
	s->n--;
}

void sim_xplan_drop_item(struct sim_xplan *p, uint32_t i, uint32_t k)
{
	struct sim_timeline_entry *e = &p->entries[i];
	struct sim_span *s = NULL;
	void *pool = p->ints;
	size_t size = sizeof *p->ints;
	switch (e->action) {
	case SIM_ACT_CRASH:
	case SIM_ACT_RESTART:
	case SIM_ACT_ADD_BROKER:
		s = &e->u.brokers;
		break;
	case SIM_ACT_ROLLING_RESTART:
		s = &e->u.rolling_restart.brokers;
		break;
	case SIM_ACT_REASSIGN:
		s = &e->u.reassign;
		pool = p->reassigns;
		size = sizeof *p->reassigns;
		break;
	case SIM_ACT_PREFERRED_ELECTION:
		s = &e->u.preferred_election.partitions;
		pool = p->prefs;
		size = sizeof *p->prefs;
		break;
	case SIM_ACT_REPLICA_TRANSITION:
		s = &e->u.replica_transition.brokers;
		break;
	case SIM_ACT_PARTITION_TRANSITION:
		s = &e->u.partition_transition.partitions;
		pool = p->prefs;
		size = sizeof *p->prefs;
		break;
	default:
		return;
	}
	if (k < s->n && s->n > 1)
		span_remove(pool, size, s, k);
}

/* ---- normalisation -------------------------------------------------------------------------- */

static bool pref_ok(const struct sim_xplan *p, const uint32_t *max_parts, struct sim_pref x)
{
	return !p->topics[x.topic].removed && x.partition < max_parts[x.topic];
}

/* Keeps the prefs of the span that still resolve; returns the new length. */
static uint32_t filter_prefs(struct sim_xplan *p, const uint32_t *max_parts, struct sim_span s)
{
	uint32_t k = 0;
	for (uint32_t j = 0; j < s.n; j++)
		if (pref_ok(p, max_parts, p->prefs[s.off + j]))
			p->prefs[s.off + k++] = p->prefs[s.off + j];
	return k;
}

/* One pass; returns whether anything changed. */
static bool normalise_pass(struct sim_xplan *p, uint32_t *max_parts)
{
	bool changed = false;
	/* brokers: declared by cluster.brokers or by an add_broker entry */
	for (uint32_t b = 0; b < p->n_brokers; b++) {
		struct sim_xbroker *x = &p->brokers[b];
		if (x->removed || x->in_cluster)
			continue;
		bool added = false;
		for (uint32_t i = 0; i < p->n_entries && !added; i++) {
			const struct sim_timeline_entry *e = &p->entries[i];
			for (uint32_t j = 0; e->action == SIM_ACT_ADD_BROKER && j < e->u.brokers.n; j++)
				added = added || p->ints[e->u.brokers.off + j] == x->id;
		}
		if (!added) {
			drop_broker_refs(p, x->id);
			changed = true;
		}
	}
	/* topics: created at start-up or by a create_topic entry; their largest partition count */
	for (uint32_t t = 0; t < p->n_topics; t++)
		max_parts[t] = p->topics[t].at_startup ? p->topics[t].partitions : 0;
	for (uint32_t i = 0; i < p->n_entries; i++) {
		const struct sim_timeline_entry *e = &p->entries[i];
		const struct sim_topic_spec *s = e->action == SIM_ACT_CREATE_TOPIC	   ? &e->u.create_topic
						 : e->action == SIM_ACT_ADD_PARTITIONS ? &e->u.add_partitions
										       : NULL;
		if (s && s->partitions > max_parts[s->topic])
			max_parts[s->topic] = s->partitions;
	}
	for (uint32_t t = 0; t < p->n_topics; t++) {
		struct sim_xtopic *x = &p->topics[t];
		bool created = x->at_startup;
		for (uint32_t i = 0; i < p->n_entries && !created; i++)
			created = p->entries[i].action == SIM_ACT_CREATE_TOPIC && p->entries[i].u.create_topic.topic == t;
		if (!x->removed && !created) {
			x->removed = true;
			changed = true;
		}
	}
	uint32_t declared = 0;
	for (uint32_t b = 0; b < p->n_brokers; b++)
		declared += !p->brokers[b].removed;
	uint32_t n = 0;
	for (uint32_t i = 0; i < p->n_entries; i++) {
		struct sim_timeline_entry *e = &p->entries[i];
		bool keep = true;
		switch (e->action) {
		case SIM_ACT_DELETE_TOPIC:
			keep = !p->topics[e->u.delete_topic].removed;
			break;
		case SIM_ACT_CREATE_TOPIC:
		case SIM_ACT_ADD_PARTITIONS: {
			struct sim_topic_spec *s =
				e->action == SIM_ACT_CREATE_TOPIC ? &e->u.create_topic : &e->u.add_partitions;
			keep = !p->topics[s->topic].removed;
			if (keep && !s->explicit_assignment && s->replication_factor > declared)
				s->replication_factor = declared;
			break;
		}
		case SIM_ACT_REASSIGN: {
			struct sim_span *s = &e->u.reassign;
			uint32_t k = 0;
			for (uint32_t j = 0; j < s->n; j++)
				if (pref_ok(p, max_parts, p->reassigns[s->off + j].partition))
					p->reassigns[s->off + k++] = p->reassigns[s->off + j];
			s->n = k;
			keep = k > 0;
			break;
		}
		case SIM_ACT_PREFERRED_ELECTION:
			if (!e->u.preferred_election.all) {
				struct sim_span *s = &e->u.preferred_election.partitions;
				s->n = filter_prefs(p, max_parts, *s);
				keep = s->n > 0;
			}
			break;
		case SIM_ACT_REPLICA_TRANSITION:
			keep = pref_ok(p, max_parts, e->u.replica_transition.partition);
			break;
		case SIM_ACT_PARTITION_TRANSITION: {
			struct sim_span *s = &e->u.partition_transition.partitions;
			s->n = filter_prefs(p, max_parts, *s);
			keep = s->n > 0;
			break;
		}
		default:
			break;
		}
		if (keep)
			p->entries[n++] = *e;
	}
	changed = changed || n != p->n_entries;
	p->n_entries = n;
	return changed;
}

void sim_xplan_normalise(struct sim_xplan *p)
{
	uint32_t *max_parts = sim_xrealloc(NULL, (p->n_topics + 1) * sizeof *max_parts);
	/* each pass only removes things, so this ends */
	while (normalise_pass(p, max_parts))
		;
	free(max_parts);
}
