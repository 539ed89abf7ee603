/* kc_context.c — ControllerContext (spec §1): brokers, topics, partitions, ordered
 * assignments, the leadership cache and the replica/partition state maps, kept in flat pools
 * indexed by the store's dense ids; plus the controller's constructor and read-only queries. */
#include <stdlib.h>
#include <string.h>

#include "kc_internal.h"

#define BITMAP_WORDS ((KC_MAX_BROKER_ID + 64) / 64)

void kc_fatal_oom(void)
{
	/* A pure library has no way to report this but to stop: there is no partial state that a
	 * caller could continue from. */
	__builtin_trap();
}

void kc_vec_init(struct kc_vec *v, uint32_t item)
{
	v->data = NULL;
	v->len = v->cap = 0;
	v->item = item;
}

void kc_vec_free(struct kc_vec *v)
{
	free(v->data);
	kc_vec_init(v, v->item);
}

void kc_vec_grow(struct kc_vec *v, uint32_t need)
{
	uint64_t cap = v->cap ? v->cap : 16;
	while (cap < need)
		cap *= 2;
	if (cap > UINT32_MAX)
		kc_fatal_oom();
	void *p = realloc(v->data, (size_t)cap * v->item);
	if (!p)
		kc_fatal_oom();
	v->data = p;
	v->cap = (uint32_t)cap;
}

/* Overwrite a slice; a slice that must grow moves to the end of the pool (the old room is
 * left unused: slices grow only on reassignment and ISR expansion, so the waste is bounded by
 * those events, not by partitions). */
void kc_slice_set(struct kc_controller *c, struct kc_slice *s, const int32_t *v, uint32_t n)
{
	if (n > KC_MAX_REPLICAS)
		n = KC_MAX_REPLICAS;
	if (n > s->cap) {
		kc_vec_reserve(&c->pool, c->pool.len + n);
		s->off = c->pool.len;
		s->cap = (uint8_t)n;
		c->pool.len += n;
	}
	kc_copy_ints(kc_slice_ptr(c, *s), v, n); /* v is never in the pool: growing it may move it */
	s->len = (uint8_t)n;
}

static void set_bit(uint64_t *bits, int32_t b, bool on)
{
	if (b < 0 || b > KC_MAX_BROKER_ID)
		return;
	if (on)
		bits[b >> 6] |= 1ull << (b & 63);
	else
		bits[b >> 6] &= ~(1ull << (b & 63));
}

const int32_t *kc_registered_list(const struct kc_controller *c, uint32_t *n)
{
	*n = c->registered_ids.len;
	return c->registered_ids.data;
}

void kc_load_brokers(struct kc_controller *c, const int32_t *ids, uint32_t n)
{
	for (uint32_t i = 0; i < c->registered_ids.len; i++)
		set_bit(c->registered, ((int32_t *)c->registered_ids.data)[i], false);
	c->registered_ids.len = 0;
	c->registered_gen++;
	for (uint32_t i = 0; i < n; i++) {
		if (kc_registered(c, ids[i]) || ids[i] < 0 || ids[i] > KC_MAX_BROKER_ID)
			continue;
		set_bit(c->registered, ids[i], true);
		*(int32_t *)kc_vec_push(&c->registered_ids) = ids[i];
	}
	/* insertion sort: the store lists ids ascending already, so this is linear */
	int32_t *v = c->registered_ids.data;
	for (uint32_t i = 1; i < c->registered_ids.len; i++)
		for (uint32_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int32_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

void kc_set_shutting_down(struct kc_controller *c, int32_t b, bool on) { set_bit(c->shutting, b, on); }

struct kc_part *kc_part_grow(struct kc_controller *c, uint32_t pid)
{
	if (pid >= c->cap_parts) {
		uint64_t cap = c->cap_parts ? c->cap_parts : 64;
		while (cap <= pid)
			cap *= 2;
		struct kc_part *p = realloc(c->parts, (size_t)cap * sizeof *p);
		if (!p)
			kc_fatal_oom();
		c->parts = p;
		c->cap_parts = (uint32_t)cap;
	}
	/* each new part written whole once (not zeroed, then written again); the room past the
	 * last one is left untouched */
	for (uint32_t i = c->n_parts; i <= pid; i++)
		c->parts[i] = (struct kc_part){.topic = KC_NONE, .pstate = KC_NO_STATE};
	c->n_parts = pid + 1;
	return &c->parts[pid];
}

struct kc_topic *kc_topic(struct kc_controller *c, uint32_t topic)
{
	if (topic >= c->cap_topics) {
		uint64_t cap = c->cap_topics ? c->cap_topics : 16;
		while (cap <= topic)
			cap *= 2;
		struct kc_topic *t = realloc(c->topics, (size_t)cap * sizeof *t);
		if (!t)
			kc_fatal_oom();
		memset(t + c->cap_topics, 0, (size_t)(cap - c->cap_topics) * sizeof *t);
		c->topics = t;
		c->cap_topics = (uint32_t)cap;
	}
	if (topic >= c->n_topics)
		c->n_topics = topic + 1;
	return &c->topics[topic];
}

void kc_event_begin(struct kc_controller *c)
{
	c->event_stamp++;
	c->touched_count = 0;
}

uint32_t kc_get_ar(const struct kc_controller *c, uint32_t pid, int32_t *out)
{
	if (pid >= c->n_parts || !c->parts[pid].known)
		return 0;
	const struct kc_part *p = &c->parts[pid];
	kc_copy_ints(out, kc_slice_ptr(c, p->ar), p->ar.len);
	return p->ar.len;
}

void kc_set_ar(struct kc_controller *c, uint32_t pid, const int32_t *ar, uint32_t n)
{
	struct kc_part *p = kc_part(c, pid);
	kc_slice_set(c, &p->ar, ar, n);
	kc_set_known(c, p, true);
	c->cache_gen++;
}

bool kc_get_lead(const struct kc_controller *c, uint32_t pid, struct kc_lisr *out)
{
	if (pid >= c->n_parts || !c->parts[pid].has_lead)
		return false;
	const struct kc_part *p = &c->parts[pid];
	out->leader = p->leader;
	out->leader_epoch = p->leader_epoch;
	out->controller_epoch = p->lead_ctrl_epoch;
	out->zk_version = p->zk_version;
	out->isr_len = p->isr.len;
	kc_copy_ints(out->isr, kc_slice_ptr(c, p->isr), p->isr.len);
	return true;
}

void kc_cache_lead(struct kc_controller *c, uint32_t pid, const struct kc_lisr *v, int32_t ctrl_epoch)
{
	struct kc_part *p = kc_part(c, pid);
	p->leader = v->leader;
	p->leader_epoch = v->leader_epoch;
	p->lead_ctrl_epoch = ctrl_epoch;
	p->zk_version = v->zk_version;
	kc_slice_set(c, &p->isr, v->isr, v->isr_len);
	p->has_lead = true;
	c->cache_gen++;
}

/* ---- replica state map: a small sorted slice of (broker, state) per partition ---- */
static struct kc_rs *rs_ptr(const struct kc_controller *c, const struct kc_part *p)
{
	return (struct kc_rs *)c->rs_pool.data + p->rs.off;
}

int kc_rstate(const struct kc_controller *c, uint32_t pid, int32_t broker)
{
	if (pid >= c->n_parts)
		return KC_NO_STATE;
	const struct kc_part *p = &c->parts[pid];
	const struct kc_rs *r = rs_ptr(c, p);
	for (uint32_t i = 0; i < p->rs.len; i++)
		if (r[i].broker == broker)
			return r[i].state;
	return KC_NO_STATE;
}

static uint32_t rstate_insert_grown(struct kc_controller *c, struct kc_part *p, uint32_t i, int32_t broker,
				    uint8_t s);

/* Insert broker's entry with state s at index i of p's map (kept sorted by broker); KC_NONE
 * when the map holds KC_MAX_REPLICAS entries (more brokers than a partition can name: no such
 * replica exists). A slice with room takes the entry here; a full one grows out of line, so
 * that an insert with room (most: a partition's first makes room for three) saves no registers
 * for a call. */
static inline uint32_t rstate_insert(struct kc_controller *c, struct kc_part *p, uint32_t i, int32_t broker,
				     uint8_t s)
{
	if (p->rs.len == p->rs.cap)
		return rstate_insert_grown(c, p, i, broker, s);
	struct kc_rs *r = rs_ptr(c, p);
	for (uint32_t j = p->rs.len; j > i; j--)
		r[j] = r[j - 1];
	r[i].broker = broker;
	r[i].state = s;
	p->rs.len++;
	return i;
}

/* rstate_insert into a full slice: it moves to the end of the pool with twice the room (3 at
 * first), up to KC_MAX_REPLICAS entries. */
static __attribute__((noinline)) uint32_t rstate_insert_grown(struct kc_controller *c, struct kc_part *p,
							      uint32_t i, int32_t broker, uint8_t s)
{
	if (p->rs.len == KC_MAX_REPLICAS)
		return KC_NONE;
	uint32_t cap = p->rs.cap ? p->rs.cap * 2u : 3u;
	if (cap > KC_MAX_REPLICAS)
		cap = KC_MAX_REPLICAS;
	kc_vec_reserve(&c->rs_pool, c->rs_pool.len + cap);
	struct kc_rs *dst = (struct kc_rs *)c->rs_pool.data + c->rs_pool.len;
	const struct kc_rs *old = rs_ptr(c, p); /* the reservation may have moved the pool */
	for (uint32_t j = 0; j < p->rs.len; j++) /* a few entries, mostly none: not memcpy */
		dst[j] = old[j];
	p->rs.off = c->rs_pool.len;
	p->rs.cap = (uint8_t)cap;
	c->rs_pool.len += cap;
	return rstate_insert(c, p, i, broker, s);
}

/* The index of broker's entry in p's map, inserted with state s when missing (KC_NONE: full).
 * Inline: a large failover looks up every replica, and most are there already. */
static inline uint32_t rstate_find_or_add(struct kc_controller *c, struct kc_part *p, int32_t broker, uint8_t s)
{
	const struct kc_rs *r = rs_ptr(c, p);
	uint32_t i = 0;
	while (i < p->rs.len && r[i].broker < broker)
		i++;
	if (i < p->rs.len && r[i].broker == broker)
		return i;
	return rstate_insert(c, p, i, broker, s);
}

void kc_rstate_put(struct kc_controller *c, uint32_t pid, int32_t broker, uint8_t s)
{
	struct kc_part *p = kc_part(c, pid);
	uint32_t i = rstate_find_or_add(c, p, broker, s);
	if (i != KC_NONE)
		rs_ptr(c, p)[i].state = s;
}

struct kc_rs *kc_rstate_slot(struct kc_controller *c, uint32_t pid, int32_t broker)
{
	struct kc_part *p = kc_part(c, pid);
	uint32_t i = rstate_find_or_add(c, p, broker, KC_NON_EXISTENT_REPLICA);
	if (i != KC_NONE)
		return rs_ptr(c, p) + i;
	/* a full map: the entry reads NonExistent and drops what is written to it, as a put does */
	c->rs_overflow.broker = broker;
	c->rs_overflow.state = KC_NON_EXISTENT_REPLICA;
	return &c->rs_overflow;
}

void kc_rstate_remove(struct kc_controller *c, uint32_t pid, int32_t broker)
{
	struct kc_part *p = kc_part(c, pid);
	struct kc_rs *r = rs_ptr(c, p);
	for (uint32_t i = 0; i < p->rs.len; i++)
		if (r[i].broker == broker) {
			memmove(r + i, r + i + 1, (p->rs.len - i - 1) * sizeof *r);
			p->rs.len--;
			return;
		}
}

/* ---- topics and partitions ---- */
static void topic_set_pid(struct kc_controller *c, struct kc_topic *t, uint32_t number, uint32_t pid)
{
	if (number >= t->parts_cap) {
		uint32_t cap = t->parts_cap ? t->parts_cap : 1;
		while (cap <= number)
			cap *= 2;
		kc_vec_reserve(&c->pids, c->pids.len + cap);
		uint32_t *dst = (uint32_t *)c->pids.data + c->pids.len;
		memcpy(dst, (uint32_t *)c->pids.data + t->parts_off, t->parts_len * sizeof *dst);
		for (uint32_t i = t->parts_len; i < cap; i++)
			dst[i] = KC_NONE;
		t->parts_off = c->pids.len;
		t->parts_cap = cap;
		c->pids.len += cap;
	}
	/* room past parts_len was filled with KC_NONE when it was allocated */
	uint32_t *slot = (uint32_t *)c->pids.data + t->parts_off + number;
	if (*slot != pid) {
		*slot = pid;
		c->parts_gen++;
	}
	if (number >= t->parts_len)
		t->parts_len = number + 1;
}

/* Read each topic's znode and cache its assignment (getReplicaAssignmentForTopics); the pids
 * read are appended to `loaded` when given. */
void kc_load_topics(struct kc_controller *c, const uint32_t *topics, uint32_t n, struct kc_vec *loaded)
{
	c->st.bulk_begin(c->st.self);
	for (uint32_t i = 0; i < n; i++) {
		const struct kc_assigned *parts;
		uint32_t np;
		if (c->st.read_topic(c->st.self, topics[i], &parts, &np) != KC_ZK_OK)
			continue;
		struct kc_topic *t = kc_topic(c, topics[i]); /* nothing below moves the topics */
		for (uint32_t j = 0; j < np; j++) {
			struct kc_part *p = kc_part(c, parts[j].pid);
			p->topic = topics[i];
			p->number = parts[j].partition;
			topic_set_pid(c, t, parts[j].partition, parts[j].pid);
			kc_set_ar(c, parts[j].pid, parts[j].replicas, parts[j].n_replicas);
			kc_touch(c, parts[j].pid);
			if (loaded)
				*(uint32_t *)kc_vec_push(loaded) = parts[j].pid;
		}
	}
	c->st.bulk_end(c->st.self);
}

/* Make sure the context can name a partition the store reported (for NewPartition's
 * assignReplicasToPartitions, which reads the AR itself). */
void kc_note_partition(struct kc_controller *c, uint32_t topic, uint32_t number, uint32_t pid)
{
	struct kc_part *p = kc_part(c, pid);
	p->topic = topic;
	p->number = number;
	topic_set_pid(c, kc_topic(c, topic), number, pid);
}

void kc_topic_partitions(const struct kc_controller *c, uint32_t topic, struct kc_vec *out)
{
	out->len = 0;
	if (topic >= c->n_topics)
		return;
	const struct kc_topic *t = &c->topics[topic];
	const uint32_t *v = (const uint32_t *)c->pids.data + t->parts_off;
	for (uint32_t i = 0; i < t->parts_len; i++)
		if (v[i] != KC_NONE && c->parts[v[i]].known)
			*(uint32_t *)kc_vec_push(out) = v[i];
}

void kc_all_partitions(struct kc_controller *c, struct kc_vec *out)
{
	struct kc_vec *all = &c->all_pids;
	if (c->all_pids_gen != c->parts_gen) {
		all->len = 0;
		for (uint32_t t = 0; t < c->n_topics; t++) {
			const struct kc_topic *tp = &c->topics[t];
			const uint32_t *v = (const uint32_t *)c->pids.data + tp->parts_off;
			kc_vec_reserve(all, all->len + tp->parts_len);
			uint32_t *dst = all->data;
			for (uint32_t i = 0; i < tp->parts_len; i++)
				if (v[i] != KC_NONE && c->parts[v[i]].known)
					dst[all->len++] = v[i];
		}
		c->all_pids_gen = c->parts_gen;
	}
	/* a copy: callers walk it while the events they run may change the partitions */
	kc_vec_reserve(out, all->len);
	if (all->len > 0)
		memcpy(out->data, all->data, (size_t)all->len * sizeof(uint32_t));
	out->len = all->len;
}

/* ControllerContext.removeTopic. KAFKA-1742 (injected): the 0.8.2 pre-fix code used
 * dropWhile, which only drops the topic's entries while they lead the maps' iteration order —
 * so only when the topic is the first topic with an assignment. */
void kc_remove_topic(struct kc_controller *c, uint32_t topic)
{
	struct kc_topic *t = kc_topic(c, topic);
	bool drop = true;
	if (c->cfg.inject & KC_INJECT_KAFKA_1742) {
		for (uint32_t i = 0; i < topic; i++) {
			c->tmp_pids2.len = 0;
			kc_topic_partitions(c, i, &c->tmp_pids2);
			if (c->tmp_pids2.len > 0)
				drop = false;
		}
	}
	if (drop) {
		uint32_t *v = (uint32_t *)c->pids.data + t->parts_off;
		for (uint32_t i = 0; i < t->parts_len; i++)
			if (v[i] != KC_NONE) {
				kc_set_known(c, &c->parts[v[i]], false);
				c->parts[v[i]].has_lead = false;
			}
	}
	t->exists = false;
}

bool kc_store_topic_unclean(struct kc_controller *c, uint32_t topic)
{
	return c->st.read_topic_unclean(c->st.self, topic, c->cfg.unclean_leader_election);
}

/* ---- constructor and queries ---- */
struct kc_controller *kc_controller_new(const struct kc_config *cfg, const struct kc_store *st,
					const struct kc_sink *sink)
{
	struct kc_controller *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->cfg = *cfg;
	c->st = *st;
	c->sink = *sink;
	for (int to = 0; to < 8; to++)
		for (int from = 0; from < 8; from++)
			if (kc_replica_edge_valid(from, to))
				c->replica_valid_from[to] |= (uint8_t)(1u << from);
	kc_vec_init(&c->registered_ids, sizeof(int32_t));
	kc_vec_init(&c->pool, sizeof(int32_t));
	kc_vec_init(&c->rs_pool, sizeof(struct kc_rs));
	c->registered = calloc(BITMAP_WORDS, sizeof(uint64_t));
	c->shutting = calloc(BITMAP_WORDS, sizeof(uint64_t));
	c->broker_slot = malloc((size_t)(KC_MAX_BROKER_ID + 1) * sizeof(uint32_t));
	/* the slice pools exist from the start: an empty slice's pointer is then never NULL plus
	 * an offset (undefined), with no test on the paths that take one per replica */
	c->pool.data = malloc(16 * sizeof(int32_t));
	c->rs_pool.data = malloc(16 * sizeof(struct kc_rs));
	if (!c->registered || !c->shutting || !c->broker_slot || !c->pool.data || !c->rs_pool.data) {
		kc_controller_free(c);
		return NULL;
	}
	c->pool.cap = c->rs_pool.cap = 16;
	memset(c->broker_slot, 0xFF, (size_t)(KC_MAX_BROKER_ID + 1) * sizeof(uint32_t));
	kc_vec_init(&c->pids, sizeof(uint32_t));
	kc_vec_init(&c->all_pids, sizeof(uint32_t));
	c->parts_gen = 1; /* all_pids (empty) is not yet built */
	kc_vec_init(&c->tmp_pids, sizeof(uint32_t));
	kc_vec_init(&c->tmp_pids2, sizeof(uint32_t));
	kc_vec_init(&c->tmp_ints, sizeof(int32_t));
	kc_batch_init(&c->replica_batch);
	kc_batch_init(&c->partition_batch);
	kc_batch_init(&c->controller_batch);
	return c;
}

void kc_controller_free(struct kc_controller *c)
{
	if (!c)
		return;
	free(c->registered);
	free(c->shutting);
	free(c->broker_slot);
	free(c->parts);
	free(c->topics);
	kc_vec_free(&c->registered_ids);
	kc_vec_free(&c->pool);
	kc_vec_free(&c->rs_pool);
	kc_vec_free(&c->pids);
	kc_vec_free(&c->all_pids);
	kc_vec_free(&c->tmp_pids);
	kc_vec_free(&c->tmp_pids2);
	kc_vec_free(&c->tmp_ints);
	kc_batch_free(&c->replica_batch);
	kc_batch_free(&c->partition_batch);
	kc_batch_free(&c->controller_batch);
	free(c);
}

bool kc_is_active(const struct kc_controller *c) { return c->active; }
int32_t kc_epoch(const struct kc_controller *c) { return c->epoch; }

int kc_replica_state(const struct kc_controller *c, uint32_t pid, int32_t broker)
{
	int s = kc_rstate(c, pid, broker);
	return s == KC_NO_STATE ? KC_NON_EXISTENT_REPLICA : s;
}

int kc_partition_state(const struct kc_controller *c, uint32_t pid)
{
	if (pid >= c->n_parts || c->parts[pid].pstate == KC_NO_STATE)
		return KC_NON_EXISTENT_PARTITION;
	return c->parts[pid].pstate;
}

bool kc_broker_live(const struct kc_controller *c, int32_t broker) { return kc_live(c, broker); }

bool kc_broker_shutting_down(const struct kc_controller *c, int32_t broker)
{
	return kc_registered(c, broker) && kc_bit(c->shutting, broker);
}

bool kc_topic_queued_for_deletion(const struct kc_controller *c, uint32_t topic)
{
	return kc_topic_queued(c, topic);
}

bool kc_partition_being_reassigned(const struct kc_controller *c, uint32_t pid)
{
	return pid < c->n_parts && c->parts[pid].reassigning;
}

bool kc_cached_leadership(const struct kc_controller *c, uint32_t pid, struct kc_lisr *out)
{
	return kc_get_lead(c, pid, out);
}

uint32_t kc_touched_partitions(const struct kc_controller *c) { return c->touched_count; }
