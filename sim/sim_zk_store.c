/* sim_zk_store.c — the controller's metadata store (struct kc_store) on the simulated
 * ZooKeeper, and what its calls cost (architecture S4): n round trips in `sync` mode;
 * in `pipelined` mode the operations of one bulk bracket overlap up to zk_max_in_flight,
 * reads charged before writes, and an operation on a znode the open round already wrote
 * starts a new round (it depends on that write). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_zk.h"

enum op { OP_READ, OP_WRITE };
/* Stamps for znodes that are neither topics nor state znodes. */
enum { PATH_EPOCH, PATH_REASSIGN, PATH_PREFERRED, PATH_DELETE, PATH_BROKERS, PATH_TOPICS };

static uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

static uint64_t open_round_us(const struct sim_zk_cost *c)
{
	return ceil_div(c->round_reads, c->max_in_flight) * c->read_us +
	       ceil_div(c->round_writes, c->max_in_flight) * c->write_us;
}

static void close_round(struct sim_zk_cost *c)
{
	c->closed_us += open_round_us(c);
	c->round_reads = c->round_writes = 0;
	c->round++;
}

/* Charge one operation on the znode whose round stamp is *stamp. */
static void charge(struct sim_zk *zk, enum op op, uint32_t *stamp)
{
	if (op == OP_READ)
		zk->total_reads++;
	else
		zk->total_writes++;
	struct sim_zk_cost *c = &zk->cost;
	if (!c->charging)
		return;
	if (op == OP_READ)
		c->reads++;
	else
		c->writes++;
	uint64_t lat = op == OP_READ ? c->read_us : c->write_us;
	if (!c->pipelined || c->depth == 0) {
		c->closed_us += lat;
		return;
	}
	if (*stamp == c->round)
		close_round(c);
	if (op == OP_READ) {
		c->round_reads++;
	} else {
		c->round_writes++;
		*stamp = c->round;
	}
}

void sim_zk_cost_begin(struct sim_zk *zk)
{
	struct sim_zk_cost *c = &zk->cost;
	c->charging = true;
	c->depth = 0;
	c->round++;
	c->round_reads = c->round_writes = 0;
	c->closed_us = 0;
	c->reads = c->writes = 0;
}

uint64_t sim_zk_cost_now(const struct sim_zk *zk) { return zk->cost.closed_us + open_round_us(&zk->cost); }

void sim_zk_cost_end(struct sim_zk *zk)
{
	close_round(&zk->cost);
	zk->cost.charging = false;
}

int32_t sim_zk_broker_search(const struct sim_zk *zk, int32_t id)
{
	uint32_t lo = 0, hi = zk->n_brokers;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (zk->broker_ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < zk->n_brokers && zk->broker_ids[lo] == id ? (int32_t)lo : -1;
}

/* ---- kc_store ---- */
static void st_bulk_begin(void *self)
{
	struct sim_zk *zk = self;
	if (zk->cost.depth++ == 0)
		close_round(&zk->cost);
}

static void st_bulk_end(void *self)
{
	struct sim_zk *zk = self;
	if (--zk->cost.depth == 0)
		close_round(&zk->cost);
}

static enum kc_zk_rc st_read_controller_epoch(void *self, int32_t *epoch, int32_t *version)
{
	struct sim_zk *zk = self;
	charge(zk, OP_READ, &zk->global_written[PATH_EPOCH]);
	if (!zk->epoch_exists)
		return KC_ZK_NONODE;
	*epoch = zk->epoch;
	*version = zk->epoch_version;
	return KC_ZK_OK;
}

static enum kc_zk_rc st_set_controller_epoch(void *self, int32_t epoch, int32_t expected, int32_t *new_version)
{
	struct sim_zk *zk = self;
	charge(zk, OP_WRITE, &zk->global_written[PATH_EPOCH]);
	if (!zk->epoch_exists)
		return KC_ZK_NONODE;
	if (zk->epoch_version != expected)
		return KC_ZK_BADVERSION;
	zk->epoch = epoch;
	*new_version = ++zk->epoch_version;
	zk->zxid++;
	if (zk->observe)
		zk->observe(zk->fire_ctx, 4, 0);
	return KC_ZK_OK;
}

static enum kc_zk_rc st_create_controller_epoch(void *self, int32_t epoch)
{
	struct sim_zk *zk = self;
	charge(zk, OP_WRITE, &zk->global_written[PATH_EPOCH]);
	if (zk->epoch_exists)
		return KC_ZK_NODEEXISTS;
	sim_zk_set_controller_epoch(zk, epoch);
	zk->zxid++;
	return KC_ZK_OK;
}

static void st_list_brokers(void *self, const int32_t **ids, uint32_t *n)
{
	struct sim_zk *zk = self;
	charge(zk, OP_READ, &zk->global_written[PATH_BROKERS]);
	*n = 0;
	for (uint32_t b = 0; b < zk->n_brokers; b++)
		if (zk->registered[b])
			zk->scratch_ids[(*n)++] = zk->broker_ids[b];
	*ids = zk->scratch_ids;
}

static bool st_broker_exists(void *self, int32_t id)
{
	struct sim_zk *zk = self;
	charge(zk, OP_READ, &zk->global_written[PATH_BROKERS]);
	int32_t b = sim_zk_broker_index(zk, id);
	return b >= 0 && zk->registered[b];
}

static void st_list_topics(void *self, const uint32_t **topics, uint32_t *n)
{
	struct sim_zk *zk = self;
	charge(zk, OP_READ, &zk->global_written[PATH_TOPICS]);
	*n = 0;
	for (uint32_t t = 0; t < zk->n_topics; t++)
		if (zk->topics[t].exists)
			zk->scratch_topics[(*n)++] = t;
	*topics = zk->scratch_topics;
}

static enum kc_zk_rc st_read_topic(void *self, uint32_t topic, const struct kc_assigned **parts, uint32_t *n)
{
	struct sim_zk *zk = self;
	charge(zk, OP_READ, &zk->topic_written[topic]);
	if (topic >= zk->n_topics || !zk->topics[topic].exists)
		return KC_ZK_NONODE;
	*parts = zk->topics[topic].view;
	*n = zk->topics[topic].n;
	return KC_ZK_OK;
}

static enum kc_zk_rc st_write_topic(void *self, uint32_t topic, const struct kc_assigned *parts, uint32_t n)
{
	struct sim_zk *zk = self;
	charge(zk, OP_WRITE, &zk->topic_written[topic]);
	if (!zk->topics[topic].exists)
		return KC_ZK_NONODE;
	sim_zk_write_topic(zk, topic, parts, n);
	return KC_ZK_OK;
}

static bool st_read_topic_unclean(void *self, uint32_t topic, bool broker_default)
{
	struct sim_zk *zk = self;
	charge(zk, OP_READ, &zk->topic_written[topic]);
	int8_t u = topic < zk->n_topics ? zk->topics[topic].unclean : -1;
	return u < 0 ? broker_default : u == 1;
}

static void to_lisr(const struct sim_zk *zk, const struct sim_zk_state *s, struct kc_lisr *out)
{
	uint32_t n;
	const int32_t *isr = sim_lists_get(zk->lists, s->isr, &n);
	out->leader = s->leader;
	out->leader_epoch = s->leader_epoch;
	out->controller_epoch = s->ctrl_epoch;
	out->zk_version = s->version;
	out->isr_len = n;
	for (uint32_t i = 0; i < n; i++) /* not memcpy: gcc makes a small one `rep movsq` */
		out->isr[i] = isr[i];
}

static enum kc_zk_rc st_read_state(void *self, uint32_t pid, struct kc_lisr *out)
{
	struct sim_zk *zk = self;
	charge(zk, OP_READ, &zk->state_written[pid]);
	if (pid >= zk->n_parts || !zk->states[pid].exists)
		return KC_ZK_NONODE;
	to_lisr(zk, &zk->states[pid], out);
	return KC_ZK_OK;
}

static enum kc_zk_rc st_create_state(void *self, uint32_t pid, const struct kc_lisr *v)
{
	struct sim_zk *zk = self;
	charge(zk, OP_WRITE, &zk->state_written[pid]);
	uint32_t isr = sim_lists_intern(zk->lists, v->isr, v->isr_len);
	return sim_zk_create_state(zk, pid, v->leader, v->leader_epoch, v->controller_epoch, isr);
}

static enum kc_zk_rc st_update_state(void *self, uint32_t pid, const struct kc_lisr *v, int32_t expected,
				     int32_t *new_version)
{
	struct sim_zk *zk = self;
	charge(zk, OP_WRITE, &zk->state_written[pid]);
	uint32_t isr = sim_lists_intern(zk->lists, v->isr, v->isr_len);
	return sim_zk_update_state(zk, pid, v->leader, v->leader_epoch, v->controller_epoch, isr, expected,
				 new_version);
}

static void st_list_delete_topics(void *self, const uint32_t **topics, uint32_t *n)
{
	struct sim_zk *zk = self;
	charge(zk, OP_READ, &zk->global_written[PATH_DELETE]);
	*n = 0;
	for (uint32_t t = 0; t < zk->n_topics; t++)
		if (zk->delete_queued[t])
			zk->scratch_topics[(*n)++] = t;
	*topics = zk->scratch_topics;
}

static void st_delete_admin_delete_topic(void *self, uint32_t topic)
{
	struct sim_zk *zk = self;
	charge(zk, OP_WRITE, &zk->global_written[PATH_DELETE]);
	sim_zk_delete_admin_delete(zk, topic);
}

static void st_delete_topic_paths(void *self, uint32_t topic)
{
	struct sim_zk *zk = self;
	/* a recursive delete is one write per znode: the state znodes, the topic, its config and
	 * the admin entry */
	const struct sim_zk_topic *t = &zk->topics[topic];
	uint32_t n = 2 + (zk->delete_queued[topic] ? 1 : 0);
	for (uint32_t p = 0; p < t->n; p++)
		n += zk->states[sim_zk_pid(zk, topic, p)].exists;
	for (uint32_t i = 0; i < n; i++)
		charge(zk, OP_WRITE, &zk->topic_written[topic]);
	sim_zk_delete_topic(zk, topic);
}

static enum kc_zk_rc read_admin(struct sim_zk *zk, bool exists, const struct sim_zk_admin_entry *src, uint32_t n,
				const struct kc_admin_entry **e, uint32_t *count)
{
	*count = 0;
	if (!exists)
		return KC_ZK_NONODE;
	uint32_t ints = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len;
		sim_lists_get(zk->lists, src[i].replicas, &len);
		ints += len;
	}
	if (n > zk->scratch_admin_cap) {
		free(zk->scratch_admin);
		zk->scratch_admin = calloc(n, sizeof *zk->scratch_admin);
		zk->scratch_admin_cap = n;
	}
	if (ints > zk->scratch_ints_cap) {
		free(zk->scratch_ints);
		zk->scratch_ints = calloc(ints, sizeof *zk->scratch_ints);
		zk->scratch_ints_cap = ints;
	}
	if ((n && !zk->scratch_admin) || (ints && !zk->scratch_ints)) {
		fprintf(stderr, "kcsim: out of memory\n");
		exit(3);
	}
	uint32_t off = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len;
		const int32_t *r = sim_lists_get(zk->lists, src[i].replicas, &len);
		if (len)
			memcpy(zk->scratch_ints + off, r, len * sizeof *r);
		zk->scratch_admin[i] = (struct kc_admin_entry){.topic = src[i].topic,
							       .partition = src[i].partition,
							       .n_replicas = len,
							       .replicas = zk->scratch_ints + off};
		off += len;
	}
	*e = zk->scratch_admin;
	*count = n;
	return KC_ZK_OK;
}

static enum kc_zk_rc st_read_reassign(void *self, const struct kc_admin_entry **e, uint32_t *n)
{
	struct sim_zk *zk = self;
	charge(zk, OP_READ, &zk->global_written[PATH_REASSIGN]);
	return read_admin(zk, zk->reassign_exists, zk->reassign, zk->n_reassign, e, n);
}

static void st_write_reassign(void *self, const struct kc_admin_entry *e, uint32_t n)
{
	struct sim_zk *zk = self;
	charge(zk, OP_WRITE, &zk->global_written[PATH_REASSIGN]);
	struct sim_zk_admin_entry *v = calloc(n ? n : 1, sizeof *v);
	if (!v) {
		fprintf(stderr, "kcsim: out of memory\n");
		exit(3);
	}
	for (uint32_t i = 0; i < n; i++)
		v[i] = (struct sim_zk_admin_entry){.topic = e[i].topic,
						   .partition = e[i].partition,
						   .replicas = sim_lists_intern(zk->lists, e[i].replicas, e[i].n_replicas)};
	sim_zk_controller_write_reassign(zk, v, n);
	free(v);
}

static enum kc_zk_rc st_read_preferred(void *self, const struct kc_admin_entry **e, uint32_t *n)
{
	struct sim_zk *zk = self;
	charge(zk, OP_READ, &zk->global_written[PATH_PREFERRED]);
	return read_admin(zk, zk->preferred_exists, zk->preferred, zk->n_preferred, e, n);
}

static void st_delete_preferred(void *self)
{
	struct sim_zk *zk = self;
	charge(zk, OP_WRITE, &zk->global_written[PATH_PREFERRED]);
	sim_zk_controller_delete_preferred(zk);
}

/* The store's watch calls come from the active controller; the world tells the store whose
 * calls they are through cost.watcher. */
static void st_watch(void *self, enum kc_watch kind, uint32_t id, bool on)
{
	struct sim_zk *zk = self;
	sim_zk_subscribe(zk, (int)kind, id, zk->store_owner, on);
}

void sim_zk_store(struct sim_zk *zk, struct kc_store *out)
{
	*out = (struct kc_store){
		.self = zk,
		.bulk_begin = st_bulk_begin,
		.bulk_end = st_bulk_end,
		.read_controller_epoch = st_read_controller_epoch,
		.set_controller_epoch = st_set_controller_epoch,
		.create_controller_epoch = st_create_controller_epoch,
		.list_brokers = st_list_brokers,
		.broker_exists = st_broker_exists,
		.list_topics = st_list_topics,
		.read_topic = st_read_topic,
		.write_topic = st_write_topic,
		.read_topic_unclean = st_read_topic_unclean,
		.read_state = st_read_state,
		.create_state = st_create_state,
		.update_state = st_update_state,
		.list_delete_topics = st_list_delete_topics,
		.delete_admin_delete_topic = st_delete_admin_delete_topic,
		.delete_topic_paths = st_delete_topic_paths,
		.read_reassign = st_read_reassign,
		.write_reassign = st_write_reassign,
		.read_preferred = st_read_preferred,
		.delete_preferred = st_delete_preferred,
		.watch = st_watch,
	};
}
