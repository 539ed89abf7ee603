/* kc_teststore.c — the core tests' doubles (see kc_teststore.h): an in-memory ZooKeeper in the
 * shape of struct kc_store, a recording struct kc_sink, a fixture, and assertion helpers.
 * Arrays handed to the core live in a scratch block that is poisoned and freed on the next
 * store call, so a core that keeps them too long reads garbage (or trips AddressSanitizer). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc_teststore.h"

#define KC_TS_MAX_TOPICS 64
#define KC_TS_MAX_PIDS 512
#define KC_TS_MAX_BROKERS 64
#define KC_TS_MAX_ADMIN 64
#define KC_TS_MAX_WATCHES 512
#define KC_TS_NAME_MAX 32

struct kc_ts_topic {
	char name[KC_TS_NAME_MAX];
	bool exists;
	int unclean; /* -1: no override in /config/topics */
};

struct kc_ts_part {
	uint32_t topic, number;
	bool assigned; /* listed in the topic znode */
	uint32_t n_replicas;
	int32_t replicas[KC_MAX_REPLICAS];
	bool has_state;
	struct kc_lisr state;
};

struct kc_ts_admin {
	uint32_t topic, partition, n;
	int32_t replicas[KC_MAX_REPLICAS];
};

struct kc_ts_watch {
	enum kc_watch kind;
	uint32_t id;
	bool on;
};

struct kc_ts_call {
	enum kc_ts_op op;
	uint32_t id;
};

struct kc_ts {
	struct kc_store store;
	bool epoch_exists;
	int32_t epoch, epoch_version;
	bool epoch_race, epoch_race_at_create;
	int32_t epoch_race_value;
	int32_t brokers[KC_TS_MAX_BROKERS];
	uint32_t n_brokers;
	struct kc_ts_topic topics[KC_TS_MAX_TOPICS];
	uint32_t n_topics;
	struct kc_ts_part parts[KC_TS_MAX_PIDS];
	uint32_t n_parts;
	bool state_race;
	uint32_t state_race_pid;
	struct kc_lisr state_race_value;
	uint32_t deletes[KC_TS_MAX_TOPICS];
	uint32_t n_deletes;
	bool reassign_exists, preferred_exists;
	struct kc_ts_admin reassign[KC_TS_MAX_ADMIN], preferred[KC_TS_MAX_ADMIN];
	uint32_t n_reassign, n_preferred;
	struct kc_admin_entry view[KC_TS_MAX_ADMIN];
	struct kc_ts_watch watches[KC_TS_MAX_WATCHES];
	uint32_t n_watches;
	struct kc_ts_call *calls;
	uint32_t n_calls, cap_calls;
	uint32_t unconditional;
	int bulk_depth;
	uint32_t bulk_underflows;
	void *scratch[2];
	size_t scratch_len[2];
};

/* ---- small helpers ---------------------------------------------------------------------------- */

static void *kc_ts_xrealloc(void *p, size_t bytes)
{
	void *q = realloc(p, bytes ? bytes : 1);
	if (!q) {
		fprintf(stderr, "kc_teststore: out of memory\n");
		abort();
	}
	return q;
}

/* Test set-up errors are bugs in the test itself: stop loudly. */
static void kc_ts_die(const char *what)
{
	fprintf(stderr, "kc_teststore: %s\n", what);
	abort();
}

uint32_t kc_ts_parse_ids(const char *s, int32_t *out, uint32_t cap)
{
	uint32_t n = 0;
	while (*s) {
		char *end;
		long v = strtol(s, &end, 10);
		if (end == s)
			kc_ts_die("bad id list");
		if (n == cap)
			kc_ts_die("id list too long");
		out[n++] = (int32_t)v;
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			kc_ts_die("bad id list separator");
	}
	return n;
}

static bool kc_ts_has(const int32_t *a, uint32_t n, int32_t v)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

/* ---- scratch: what the core may hold until its next store call --------------------------------- */

static void kc_ts_enter(struct kc_ts *ts)
{
	for (int i = 0; i < 2; i++) {
		if (ts->scratch[i]) {
			memset(ts->scratch[i], 0xA5, ts->scratch_len[i]);
			free(ts->scratch[i]);
		}
		ts->scratch[i] = NULL;
		ts->scratch_len[i] = 0;
	}
}

static void *kc_ts_scratch(struct kc_ts *ts, int slot, size_t bytes)
{
	ts->scratch[slot] = kc_ts_xrealloc(NULL, bytes);
	ts->scratch_len[slot] = bytes ? bytes : 1;
	return ts->scratch[slot];
}

static void kc_ts_log(struct kc_ts *ts, enum kc_ts_op op, uint32_t id)
{
	kc_ts_enter(ts);
	if (ts->n_calls == ts->cap_calls) {
		ts->cap_calls = ts->cap_calls ? 2 * ts->cap_calls : 256;
		ts->calls = kc_ts_xrealloc(ts->calls, ts->cap_calls * sizeof *ts->calls);
	}
	ts->calls[ts->n_calls++] = (struct kc_ts_call){ op, id };
}

static struct kc_ts_part *kc_ts_part(struct kc_ts *ts, uint32_t pid)
{
	return pid < ts->n_parts ? &ts->parts[pid] : NULL;
}

static bool kc_ts_topic_live(const struct kc_ts *ts, uint32_t topic)
{
	return topic < ts->n_topics && ts->topics[topic].exists;
}

/* The pid of (topic, number), allocated on first use and never reused. */
static uint32_t kc_ts_pid_for(struct kc_ts *ts, uint32_t topic, uint32_t number)
{
	for (uint32_t p = 0; p < ts->n_parts; p++)
		if (ts->parts[p].topic == topic && ts->parts[p].number == number)
			return p;
	if (ts->n_parts == KC_TS_MAX_PIDS)
		kc_ts_die("too many partitions");
	struct kc_ts_part *pt = &ts->parts[ts->n_parts];
	memset(pt, 0, sizeof *pt);
	pt->topic = topic;
	pt->number = number;
	return ts->n_parts++;
}

/* Assigned partitions of a topic by number (at most KC_TS_MAX_PIDS). */
static uint32_t kc_ts_topic_pids(const struct kc_ts *ts, uint32_t topic, uint32_t *out)
{
	uint32_t n = 0;
	for (uint32_t p = 0; p < ts->n_parts; p++) {
		if (ts->parts[p].topic != topic || !ts->parts[p].assigned)
			continue;
		uint32_t i = n++;
		while (i > 0 && ts->parts[out[i - 1]].number > ts->parts[p].number) {
			out[i] = out[i - 1];
			i--;
		}
		out[i] = p;
	}
	return n;
}

/* ---- struct kc_store ---------------------------------------------------------------------------- */

static void kc_ts_bulk_begin(void *self)
{
	struct kc_ts *ts = self;
	kc_ts_enter(ts);
	ts->bulk_depth++;
}

static void kc_ts_bulk_end(void *self)
{
	struct kc_ts *ts = self;
	kc_ts_enter(ts);
	if (ts->bulk_depth == 0)
		ts->bulk_underflows++;
	else
		ts->bulk_depth--;
}

/* The other controller's write to /controller_epoch lands now. */
static void kc_ts_epoch_race(struct kc_ts *ts)
{
	ts->epoch_race = false;
	if (ts->epoch_exists) {
		ts->epoch_version++;
	} else {
		ts->epoch_exists = true;
		ts->epoch_version = 0;
	}
	ts->epoch = ts->epoch_race_value;
}

static enum kc_zk_rc kc_ts_read_controller_epoch(void *self, int32_t *epoch, int32_t *version)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_READ_EPOCH, 0);
	enum kc_zk_rc rc = KC_ZK_NONODE;
	if (ts->epoch_exists) {
		*epoch = ts->epoch;
		*version = ts->epoch_version;
		rc = KC_ZK_OK;
	}
	if (ts->epoch_race && !ts->epoch_race_at_create)
		kc_ts_epoch_race(ts);
	return rc;
}

static enum kc_zk_rc kc_ts_set_controller_epoch(void *self, int32_t epoch, int32_t expected_version,
						int32_t *new_version)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_SET_EPOCH, 0);
	if (!ts->epoch_exists)
		return KC_ZK_NONODE;
	if (expected_version == -1)
		ts->unconditional++;
	else if (expected_version != ts->epoch_version)
		return KC_ZK_BADVERSION;
	ts->epoch = epoch;
	ts->epoch_version++;
	if (new_version)
		*new_version = ts->epoch_version;
	return KC_ZK_OK;
}

static enum kc_zk_rc kc_ts_create_controller_epoch(void *self, int32_t epoch)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_CREATE_EPOCH, 0);
	if (ts->epoch_race && ts->epoch_race_at_create)
		kc_ts_epoch_race(ts);
	if (ts->epoch_exists)
		return KC_ZK_NODEEXISTS;
	ts->epoch_exists = true;
	ts->epoch = epoch;
	ts->epoch_version = 0;
	return KC_ZK_OK;
}

static void kc_ts_list_brokers(void *self, const int32_t **ids, uint32_t *n)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_LIST_BROKERS, 0);
	int32_t *out = kc_ts_scratch(ts, 0, ts->n_brokers * sizeof *out);
	memcpy(out, ts->brokers, ts->n_brokers * sizeof *out);
	*ids = out;
	*n = ts->n_brokers;
}

static bool kc_ts_broker_exists(void *self, int32_t id)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_BROKER_EXISTS, (uint32_t)id);
	return kc_ts_has(ts->brokers, ts->n_brokers, id);
}

static void kc_ts_list_topics(void *self, const uint32_t **topics, uint32_t *n)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_LIST_TOPICS, 0);
	uint32_t *out = kc_ts_scratch(ts, 0, KC_TS_MAX_TOPICS * sizeof *out);
	uint32_t k = 0;
	for (uint32_t t = 0; t < ts->n_topics; t++)
		if (ts->topics[t].exists)
			out[k++] = t;
	*topics = out;
	*n = k;
}

static enum kc_zk_rc kc_ts_read_topic(void *self, uint32_t topic, const struct kc_assigned **parts,
				      uint32_t *n)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_READ_TOPIC, topic);
	if (!kc_ts_topic_live(ts, topic))
		return KC_ZK_NONODE;
	uint32_t pids[KC_TS_MAX_PIDS];
	uint32_t np = kc_ts_topic_pids(ts, topic, pids);
	size_t total = 0;
	for (uint32_t i = 0; i < np; i++)
		total += ts->parts[pids[i]].n_replicas;
	struct kc_assigned *out = kc_ts_scratch(ts, 0, np * sizeof *out);
	int32_t *pool = kc_ts_scratch(ts, 1, total * sizeof *pool);
	for (uint32_t i = 0; i < np; i++) {
		const struct kc_ts_part *pt = &ts->parts[pids[i]];
		memcpy(pool, pt->replicas, pt->n_replicas * sizeof *pool);
		out[i] = (struct kc_assigned){ .partition = pt->number, .pid = pids[i],
					       .n_replicas = pt->n_replicas, .replicas = pool };
		pool += pt->n_replicas;
	}
	*parts = out;
	*n = np;
	return KC_ZK_OK;
}

static enum kc_zk_rc kc_ts_write_topic(void *self, uint32_t topic, const struct kc_assigned *parts,
				       uint32_t n)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_WRITE_TOPIC, topic);
	if (!kc_ts_topic_live(ts, topic))
		return KC_ZK_NONODE;
	for (uint32_t p = 0; p < ts->n_parts; p++)
		if (ts->parts[p].topic == topic)
			ts->parts[p].assigned = false;
	for (uint32_t i = 0; i < n; i++) {
		if (parts[i].n_replicas > KC_MAX_REPLICAS)
			kc_ts_die("write_topic: replica list too long");
		struct kc_ts_part *pt = &ts->parts[kc_ts_pid_for(ts, topic, parts[i].partition)];
		pt->assigned = true;
		pt->n_replicas = parts[i].n_replicas;
		memcpy(pt->replicas, parts[i].replicas, parts[i].n_replicas * sizeof(int32_t));
	}
	return KC_ZK_OK;
}

static bool kc_ts_read_topic_unclean(void *self, uint32_t topic, bool broker_default)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_READ_UNCLEAN, topic);
	if (topic < ts->n_topics && ts->topics[topic].unclean >= 0)
		return ts->topics[topic].unclean == 1;
	return broker_default;
}

static enum kc_zk_rc kc_ts_read_state(void *self, uint32_t pid, struct kc_lisr *out)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_READ_STATE, pid);
	struct kc_ts_part *pt = kc_ts_part(ts, pid);
	enum kc_zk_rc rc = KC_ZK_NONODE;
	if (pt && pt->has_state) {
		*out = pt->state;
		rc = KC_ZK_OK;
	}
	if (ts->state_race && ts->state_race_pid == pid && pt) {
		/* the other writer's update lands after this read */
		ts->state_race = false;
		int32_t version = pt->has_state ? pt->state.zk_version + 1 : 0;
		pt->state = ts->state_race_value;
		pt->state.zk_version = version;
		pt->has_state = true;
	}
	return rc;
}

static enum kc_zk_rc kc_ts_create_state(void *self, uint32_t pid, const struct kc_lisr *v)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_CREATE_STATE, pid);
	struct kc_ts_part *pt = kc_ts_part(ts, pid);
	if (!pt)
		return KC_ZK_NONODE;
	if (pt->has_state)
		return KC_ZK_NODEEXISTS;
	if (v->isr_len > KC_MAX_REPLICAS)
		kc_ts_die("create_state: ISR too long");
	pt->state = *v;
	pt->state.zk_version = 0;
	pt->has_state = true;
	return KC_ZK_OK;
}

static enum kc_zk_rc kc_ts_update_state(void *self, uint32_t pid, const struct kc_lisr *v,
					int32_t expected_version, int32_t *new_version)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_UPDATE_STATE, pid);
	struct kc_ts_part *pt = kc_ts_part(ts, pid);
	if (!pt || !pt->has_state)
		return KC_ZK_NONODE;
	if (expected_version == -1)
		ts->unconditional++;
	else if (expected_version != pt->state.zk_version)
		return KC_ZK_BADVERSION;
	if (v->isr_len > KC_MAX_REPLICAS)
		kc_ts_die("update_state: ISR too long");
	int32_t version = pt->state.zk_version + 1;
	pt->state = *v;
	pt->state.zk_version = version;
	if (new_version)
		*new_version = version;
	return KC_ZK_OK;
}

static void kc_ts_list_delete_topics(void *self, const uint32_t **topics, uint32_t *n)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_LIST_DELETE, 0);
	uint32_t *out = kc_ts_scratch(ts, 0, ts->n_deletes * sizeof *out);
	memcpy(out, ts->deletes, ts->n_deletes * sizeof *out);
	*topics = out;
	*n = ts->n_deletes;
}

static void kc_ts_remove_delete_entry(struct kc_ts *ts, uint32_t topic)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < ts->n_deletes; i++)
		if (ts->deletes[i] != topic)
			ts->deletes[k++] = ts->deletes[i];
	ts->n_deletes = k;
}

static void kc_ts_delete_admin_delete_topic(void *self, uint32_t topic)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_DELETE_ADMIN_DELETE, topic);
	kc_ts_remove_delete_entry(ts, topic);
}

static void kc_ts_delete_topic_paths(void *self, uint32_t topic)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_DELETE_TOPIC_PATHS, topic);
	if (topic < ts->n_topics) {
		ts->topics[topic].exists = false;
		ts->topics[topic].unclean = -1;
	}
	for (uint32_t p = 0; p < ts->n_parts; p++) {
		if (ts->parts[p].topic != topic)
			continue;
		ts->parts[p].assigned = false;
		ts->parts[p].has_state = false;
	}
	kc_ts_remove_delete_entry(ts, topic);
}

/* Admin entries handed to the core: the scratch block holds entries then replica lists. */
static void kc_ts_admin_out(struct kc_ts *ts, const struct kc_ts_admin *src, uint32_t n,
			    const struct kc_admin_entry **e)
{
	size_t total = 0;
	for (uint32_t i = 0; i < n; i++)
		total += src[i].n;
	struct kc_admin_entry *out = kc_ts_scratch(ts, 0, n * sizeof *out);
	int32_t *pool = kc_ts_scratch(ts, 1, total * sizeof *pool);
	for (uint32_t i = 0; i < n; i++) {
		memcpy(pool, src[i].replicas, src[i].n * sizeof *pool);
		out[i] = (struct kc_admin_entry){ src[i].topic, src[i].partition, src[i].n, pool };
		pool += src[i].n;
	}
	*e = out;
}

static enum kc_zk_rc kc_ts_read_reassign(void *self, const struct kc_admin_entry **e, uint32_t *n)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_READ_REASSIGN, 0);
	if (!ts->reassign_exists)
		return KC_ZK_NONODE;
	kc_ts_admin_out(ts, ts->reassign, ts->n_reassign, e);
	*n = ts->n_reassign;
	return KC_ZK_OK;
}

static void kc_ts_copy_admin(struct kc_ts_admin *dst, const struct kc_admin_entry *e, uint32_t n)
{
	if (n > KC_TS_MAX_ADMIN)
		kc_ts_die("too many admin entries");
	for (uint32_t i = 0; i < n; i++) {
		if (e[i].n_replicas > KC_MAX_REPLICAS)
			kc_ts_die("admin entry too long");
		dst[i].topic = e[i].topic;
		dst[i].partition = e[i].partition;
		dst[i].n = e[i].n_replicas;
		if (e[i].n_replicas)
			memcpy(dst[i].replicas, e[i].replicas, e[i].n_replicas * sizeof(int32_t));
	}
}

static void kc_ts_write_reassign(void *self, const struct kc_admin_entry *e, uint32_t n)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_WRITE_REASSIGN, 0);
	kc_ts_copy_admin(ts->reassign, e, n);
	ts->n_reassign = n;
	ts->reassign_exists = n > 0;
}

static enum kc_zk_rc kc_ts_read_preferred(void *self, const struct kc_admin_entry **e, uint32_t *n)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_READ_PREFERRED, 0);
	if (!ts->preferred_exists)
		return KC_ZK_NONODE;
	kc_ts_admin_out(ts, ts->preferred, ts->n_preferred, e);
	*n = ts->n_preferred;
	return KC_ZK_OK;
}

static void kc_ts_delete_preferred(void *self)
{
	struct kc_ts *ts = self;
	kc_ts_log(ts, KC_TS_DELETE_PREFERRED, 0);
	ts->preferred_exists = false;
	ts->n_preferred = 0;
}

static void kc_ts_watch(void *self, enum kc_watch kind, uint32_t id, bool on)
{
	struct kc_ts *ts = self;
	kc_ts_enter(ts);
	struct kc_ts_watch *w = NULL;
	for (uint32_t i = 0; i < ts->n_watches; i++)
		if (ts->watches[i].kind == kind && ts->watches[i].id == id)
			w = &ts->watches[i];
	if (!w) {
		if (ts->n_watches == KC_TS_MAX_WATCHES)
			kc_ts_die("too many watches");
		w = &ts->watches[ts->n_watches++];
		*w = (struct kc_ts_watch){ .kind = kind, .id = id };
	}
	w->on = on;
}

/* ---- test-side API ------------------------------------------------------------------------------ */

struct kc_ts *kc_ts_new(void)
{
	struct kc_ts *ts = kc_ts_xrealloc(NULL, sizeof *ts);
	memset(ts, 0, sizeof *ts);
	ts->store = (struct kc_store){
		.self = ts,
		.bulk_begin = kc_ts_bulk_begin,
		.bulk_end = kc_ts_bulk_end,
		.read_controller_epoch = kc_ts_read_controller_epoch,
		.set_controller_epoch = kc_ts_set_controller_epoch,
		.create_controller_epoch = kc_ts_create_controller_epoch,
		.list_brokers = kc_ts_list_brokers,
		.broker_exists = kc_ts_broker_exists,
		.list_topics = kc_ts_list_topics,
		.read_topic = kc_ts_read_topic,
		.write_topic = kc_ts_write_topic,
		.read_topic_unclean = kc_ts_read_topic_unclean,
		.read_state = kc_ts_read_state,
		.create_state = kc_ts_create_state,
		.update_state = kc_ts_update_state,
		.list_delete_topics = kc_ts_list_delete_topics,
		.delete_admin_delete_topic = kc_ts_delete_admin_delete_topic,
		.delete_topic_paths = kc_ts_delete_topic_paths,
		.read_reassign = kc_ts_read_reassign,
		.write_reassign = kc_ts_write_reassign,
		.read_preferred = kc_ts_read_preferred,
		.delete_preferred = kc_ts_delete_preferred,
		.watch = kc_ts_watch,
	};
	return ts;
}

void kc_ts_free(struct kc_ts *ts)
{
	if (!ts)
		return;
	kc_ts_enter(ts);
	free(ts->calls);
	free(ts);
}

const struct kc_store *kc_ts_store(struct kc_ts *ts)
{
	return &ts->store;
}

void kc_ts_put_controller_epoch(struct kc_ts *ts, int32_t epoch, int32_t version)
{
	ts->epoch_exists = true;
	ts->epoch = epoch;
	ts->epoch_version = version;
}

bool kc_ts_controller_epoch(const struct kc_ts *ts, int32_t *epoch, int32_t *version)
{
	if (!ts->epoch_exists)
		return false;
	*epoch = ts->epoch;
	*version = ts->epoch_version;
	return true;
}

void kc_ts_race_controller_epoch(struct kc_ts *ts, int32_t epoch, bool at_create)
{
	ts->epoch_race = true;
	ts->epoch_race_at_create = at_create;
	ts->epoch_race_value = epoch;
}

void kc_ts_register(struct kc_ts *ts, int32_t broker)
{
	if (kc_ts_has(ts->brokers, ts->n_brokers, broker))
		return;
	if (ts->n_brokers == KC_TS_MAX_BROKERS)
		kc_ts_die("too many brokers");
	uint32_t i = ts->n_brokers++;
	while (i > 0 && ts->brokers[i - 1] > broker) {
		ts->brokers[i] = ts->brokers[i - 1];
		i--;
	}
	ts->brokers[i] = broker;
}

void kc_ts_register_ids(struct kc_ts *ts, const char *brokers)
{
	int32_t ids[KC_TS_MAX_BROKERS];
	uint32_t n = kc_ts_parse_ids(brokers, ids, KC_TS_MAX_BROKERS);
	for (uint32_t i = 0; i < n; i++)
		kc_ts_register(ts, ids[i]);
}

void kc_ts_unregister(struct kc_ts *ts, int32_t broker)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < ts->n_brokers; i++)
		if (ts->brokers[i] != broker)
			ts->brokers[k++] = ts->brokers[i];
	ts->n_brokers = k;
}

uint32_t kc_ts_brokers(const struct kc_ts *ts, const int32_t **ids)
{
	*ids = ts->brokers;
	return ts->n_brokers;
}

uint32_t kc_ts_topic_id(struct kc_ts *ts, const char *name)
{
	for (uint32_t t = 0; t < ts->n_topics; t++)
		if (strcmp(ts->topics[t].name, name) == 0)
			return t;
	if (ts->n_topics == KC_TS_MAX_TOPICS || strlen(name) >= KC_TS_NAME_MAX)
		kc_ts_die("too many topics or name too long");
	struct kc_ts_topic *tp = &ts->topics[ts->n_topics];
	memset(tp, 0, sizeof *tp);
	strcpy(tp->name, name);
	tp->unclean = -1;
	return ts->n_topics++;
}

static void kc_ts_assign(struct kc_ts *ts, uint32_t pid, const char *replicas)
{
	struct kc_ts_part *pt = &ts->parts[pid];
	pt->n_replicas = kc_ts_parse_ids(replicas, pt->replicas, KC_MAX_REPLICAS);
	pt->assigned = true;
}

uint32_t kc_ts_create_topic(struct kc_ts *ts, const char *name, const char *assignment)
{
	uint32_t topic = kc_ts_topic_id(ts, name);
	if (ts->topics[topic].exists)
		kc_ts_die("topic exists");
	ts->topics[topic].exists = true;
	char buf[1024];
	if (strlen(assignment) >= sizeof buf)
		kc_ts_die("assignment too long");
	strcpy(buf, assignment);
	uint32_t number = 0;
	char *save = NULL;
	for (char *part = strtok_r(buf, ";", &save); part; part = strtok_r(NULL, ";", &save))
		kc_ts_assign(ts, kc_ts_pid_for(ts, topic, number++), part);
	return topic;
}

uint32_t kc_ts_add_partition(struct kc_ts *ts, uint32_t topic, const char *replicas)
{
	uint32_t pid = kc_ts_pid_for(ts, topic, kc_ts_partition_count(ts, topic));
	kc_ts_assign(ts, pid, replicas);
	return pid;
}

void kc_ts_set_replicas(struct kc_ts *ts, uint32_t pid, const char *replicas)
{
	if (pid >= ts->n_parts)
		kc_ts_die("unknown pid");
	kc_ts_assign(ts, pid, replicas);
}

bool kc_ts_topic_exists(const struct kc_ts *ts, uint32_t topic)
{
	return kc_ts_topic_live(ts, topic);
}

uint32_t kc_ts_pid(const struct kc_ts *ts, uint32_t topic, uint32_t partition)
{
	for (uint32_t p = 0; p < ts->n_parts; p++)
		if (ts->parts[p].topic == topic && ts->parts[p].number == partition)
			return p;
	kc_ts_die("unknown partition");
	return 0;
}

uint32_t kc_ts_partition_count(const struct kc_ts *ts, uint32_t topic)
{
	uint32_t pids[KC_TS_MAX_PIDS];
	return kc_ts_topic_pids(ts, topic, pids);
}

bool kc_ts_replicas(const struct kc_ts *ts, uint32_t pid, const int32_t **r, uint32_t *n)
{
	if (pid >= ts->n_parts || !ts->parts[pid].assigned ||
	    !kc_ts_topic_live(ts, ts->parts[pid].topic))
		return false;
	*r = ts->parts[pid].replicas;
	*n = ts->parts[pid].n_replicas;
	return true;
}

void kc_ts_set_unclean(struct kc_ts *ts, uint32_t topic, int override)
{
	ts->topics[topic].unclean = override;
}

struct kc_lisr kc_ts_lisr(int32_t leader, int32_t leader_epoch, const char *isr,
			  int32_t controller_epoch, int32_t zk_version)
{
	struct kc_lisr v;
	memset(&v, 0, sizeof v);
	v.leader = leader;
	v.leader_epoch = leader_epoch;
	v.controller_epoch = controller_epoch;
	v.zk_version = zk_version;
	v.isr_len = kc_ts_parse_ids(isr, v.isr, KC_MAX_REPLICAS);
	return v;
}

void kc_ts_put_state(struct kc_ts *ts, uint32_t pid, const struct kc_lisr *v)
{
	if (pid >= ts->n_parts)
		kc_ts_die("unknown pid");
	ts->parts[pid].state = *v;
	ts->parts[pid].has_state = true;
}

void kc_ts_put_lisr(struct kc_ts *ts, uint32_t pid, int32_t leader, int32_t leader_epoch,
		    const char *isr, int32_t controller_epoch, int32_t zk_version)
{
	struct kc_lisr v = kc_ts_lisr(leader, leader_epoch, isr, controller_epoch, zk_version);
	kc_ts_put_state(ts, pid, &v);
}

bool kc_ts_state(const struct kc_ts *ts, uint32_t pid, struct kc_lisr *out)
{
	if (pid >= ts->n_parts || !ts->parts[pid].has_state)
		return false;
	*out = ts->parts[pid].state;
	return true;
}

void kc_ts_drop_state(struct kc_ts *ts, uint32_t pid)
{
	if (pid < ts->n_parts)
		ts->parts[pid].has_state = false;
}

void kc_ts_leader_sets_isr(struct kc_ts *ts, uint32_t pid, const char *isr)
{
	if (pid >= ts->n_parts || !ts->parts[pid].has_state)
		kc_ts_die("leader_sets_isr: no state znode");
	struct kc_lisr *s = &ts->parts[pid].state;
	s->isr_len = kc_ts_parse_ids(isr, s->isr, KC_MAX_REPLICAS);
	s->zk_version++;
}

void kc_ts_race_state(struct kc_ts *ts, uint32_t pid, const struct kc_lisr *v)
{
	ts->state_race = true;
	ts->state_race_pid = pid;
	ts->state_race_value = *v;
}

void kc_ts_add_delete_topic(struct kc_ts *ts, uint32_t topic)
{
	for (uint32_t i = 0; i < ts->n_deletes; i++)
		if (ts->deletes[i] == topic)
			return;
	uint32_t i = ts->n_deletes++;
	while (i > 0 && ts->deletes[i - 1] > topic) {
		ts->deletes[i] = ts->deletes[i - 1];
		i--;
	}
	ts->deletes[i] = topic;
}

bool kc_ts_delete_topic_listed(const struct kc_ts *ts, uint32_t topic)
{
	for (uint32_t i = 0; i < ts->n_deletes; i++)
		if (ts->deletes[i] == topic)
			return true;
	return false;
}

void kc_ts_put_reassign(struct kc_ts *ts, const struct kc_admin_entry *e, uint32_t n)
{
	kc_ts_copy_admin(ts->reassign, e, n);
	ts->n_reassign = n;
	ts->reassign_exists = true;
}

static void kc_ts_view(struct kc_ts *ts, const struct kc_ts_admin *src, uint32_t n,
		       const struct kc_admin_entry **e)
{
	for (uint32_t i = 0; i < n; i++)
		ts->view[i] = (struct kc_admin_entry){ src[i].topic, src[i].partition, src[i].n,
						       src[i].replicas };
	*e = ts->view;
}

bool kc_ts_reassign(struct kc_ts *ts, const struct kc_admin_entry **e, uint32_t *n)
{
	if (!ts->reassign_exists)
		return false;
	kc_ts_view(ts, ts->reassign, ts->n_reassign, e);
	*n = ts->n_reassign;
	return true;
}

void kc_ts_put_preferred(struct kc_ts *ts, const struct kc_admin_entry *e, uint32_t n)
{
	kc_ts_copy_admin(ts->preferred, e, n);
	ts->n_preferred = n;
	ts->preferred_exists = true;
}

bool kc_ts_preferred(struct kc_ts *ts, const struct kc_admin_entry **e, uint32_t *n)
{
	if (!ts->preferred_exists)
		return false;
	kc_ts_view(ts, ts->preferred, ts->n_preferred, e);
	*n = ts->n_preferred;
	return true;
}

bool kc_ts_watch_on(const struct kc_ts *ts, enum kc_watch kind, uint32_t id)
{
	for (uint32_t i = 0; i < ts->n_watches; i++)
		if (ts->watches[i].kind == kind && (id == KC_TS_ANY || ts->watches[i].id == id) &&
		    ts->watches[i].on)
			return true;
	return false;
}

uint32_t kc_ts_watches_on(const struct kc_ts *ts)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < ts->n_watches; i++)
		n += ts->watches[i].on;
	return n;
}

static bool kc_ts_call_matches(const struct kc_ts_call *c, enum kc_ts_op op, uint32_t id)
{
	return c->op == op && (id == KC_TS_ANY || c->id == id);
}

uint32_t kc_ts_ops(const struct kc_ts *ts, enum kc_ts_op op, uint32_t id)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < ts->n_calls; i++)
		n += kc_ts_call_matches(&ts->calls[i], op, id);
	return n;
}

int kc_ts_op_index(const struct kc_ts *ts, enum kc_ts_op op, uint32_t id, uint32_t nth)
{
	for (uint32_t i = 0; i < ts->n_calls; i++)
		if (kc_ts_call_matches(&ts->calls[i], op, id) && nth-- == 0)
			return (int)i;
	return -1;
}

static bool kc_ts_op_is_read(enum kc_ts_op op)
{
	switch (op) {
	case KC_TS_READ_EPOCH:
	case KC_TS_LIST_BROKERS:
	case KC_TS_BROKER_EXISTS:
	case KC_TS_LIST_TOPICS:
	case KC_TS_READ_TOPIC:
	case KC_TS_READ_UNCLEAN:
	case KC_TS_READ_STATE:
	case KC_TS_LIST_DELETE:
	case KC_TS_READ_REASSIGN:
	case KC_TS_READ_PREFERRED:
		return true;
	default:
		return false;
	}
}

uint32_t kc_ts_reads(const struct kc_ts *ts)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < ts->n_calls; i++)
		n += kc_ts_op_is_read(ts->calls[i].op);
	return n;
}

uint32_t kc_ts_writes(const struct kc_ts *ts)
{
	return ts->n_calls - kc_ts_reads(ts);
}

void kc_ts_reset_ops(struct kc_ts *ts)
{
	ts->n_calls = 0;
}

bool kc_ts_bulk_balanced(const struct kc_ts *ts)
{
	return ts->bulk_depth == 0 && ts->bulk_underflows == 0;
}

/* ---- the recording sink ------------------------------------------------------------------------ */

static void kc_ts_malformed(struct kc_ts_rec *r, const char *why, uint32_t pid)
{
	if (r->malformed++ == 0)
		snprintf(r->malformed_why, sizeof r->malformed_why, "%s (pid %u)", why, pid);
}

static int32_t *kc_ts_dup_ids(const int32_t *a, uint32_t n)
{
	int32_t *out = kc_ts_xrealloc(NULL, n * sizeof *out);
	if (n)
		memcpy(out, a, n * sizeof *out);
	return out;
}

static void kc_ts_copy_list(struct kc_ts_rec *r, int32_t *dst, uint32_t *dst_len,
			    const int32_t *src, uint32_t n, uint32_t pid)
{
	if (n > KC_MAX_REPLICAS) {
		kc_ts_malformed(r, "replica list longer than KC_MAX_REPLICAS", pid);
		n = KC_MAX_REPLICAS;
	}
	if (n && !src) {
		kc_ts_malformed(r, "NULL list with a length", pid);
		n = 0;
	}
	if (n)
		memcpy(dst, src, n * sizeof *dst);
	*dst_len = n;
}

static void kc_ts_on_request(void *self, const struct kc_request *q)
{
	struct kc_ts_rec *r = self;
	if (r->n_req == r->cap_req) {
		r->cap_req = r->cap_req ? 2 * r->cap_req : 64;
		r->req = kc_ts_xrealloc(r->req, r->cap_req * sizeof *r->req);
	}
	struct kc_ts_req *d = &r->req[r->n_req++];
	memset(d, 0, sizeof *d);
	d->type = q->type;
	d->controller_id = q->controller_id;
	d->controller_epoch = q->controller_epoch;
	d->correlation_id = q->correlation_id;
	d->n_to = q->n_to;
	d->to = kc_ts_dup_ids(q->to, q->n_to);
	d->n_leaders = q->type == KC_REQ_LEADER_AND_ISR ? q->n_leaders : 0;
	d->leaders = kc_ts_dup_ids(q->leaders, d->n_leaders);
	d->n_live = q->type == KC_REQ_UPDATE_METADATA ? q->n_live : 0;
	d->live = kc_ts_dup_ids(q->live, d->n_live);
	d->stop_pid = q->stop_pid;
	d->stop_delete = q->stop_delete;
	d->stop_wants_response = q->stop_wants_response;
	d->n_entries = q->type == KC_REQ_STOP_REPLICA ? 0 : q->n_entries;
	d->entries = kc_ts_xrealloc(NULL, d->n_entries * sizeof *d->entries);
	for (uint32_t i = 0; i < d->n_entries; i++) {
		const struct kc_partition_info *s = &q->entries[i];
		struct kc_ts_entry *e = &d->entries[i];
		e->pid = s->pid;
		e->leader = s->leader;
		e->leader_epoch = s->leader_epoch;
		e->controller_epoch = s->controller_epoch;
		e->zk_version = s->zk_version;
		kc_ts_copy_list(r, e->isr, &e->isr_len, s->isr, s->isr_len, s->pid);
		kc_ts_copy_list(r, e->ar, &e->ar_len, s->ar, s->ar_len, s->pid);
		for (uint32_t j = 0; j < i; j++)
			if (d->entries[j].pid == e->pid)
				kc_ts_malformed(r, "a partition twice in one request", e->pid);
	}
	/* kc.h: only an UpdateMetadata may share its payload between several recipients */
	if (q->n_to == 0 || (q->type != KC_REQ_UPDATE_METADATA && q->n_to != 1))
		kc_ts_malformed(r, "request recipients", q->stop_pid);
	if (q->type != KC_REQ_STOP_REPLICA && q->n_entries == 0)
		kc_ts_malformed(r, "LeaderAndIsr/UpdateMetadata without entries", 0);
	for (uint32_t i = 0; i < q->n_to; i++)
		if (q->to[i] < 0)
			kc_ts_malformed(r, "negative recipient", q->stop_pid);
}

static void kc_ts_on_state_change(void *self, const struct kc_state_change *c)
{
	struct kc_ts_rec *r = self;
	if (r->n_chg == r->cap_chg) {
		r->cap_chg = r->cap_chg ? 2 * r->cap_chg : 64;
		r->chg = kc_ts_xrealloc(r->chg, r->cap_chg * sizeof *r->chg);
	}
	r->chg[r->n_chg++] = *c;
}

static void kc_ts_on_election(void *self, const struct kc_election *e)
{
	struct kc_ts_rec *r = self;
	if (r->n_el == r->cap_el) {
		r->cap_el = r->cap_el ? 2 * r->cap_el : 16;
		r->el = kc_ts_xrealloc(r->el, r->cap_el * sizeof *r->el);
	}
	struct kc_ts_election *d = &r->el[r->n_el++];
	memset(d, 0, sizeof *d);
	d->pid = e->pid;
	d->selector = e->selector;
	d->has_before = e->before != NULL;
	if (e->before)
		d->before = *e->before;
	kc_ts_copy_list(r, d->ar, &d->ar_len, e->ar, e->ar_len, e->pid);
	d->ok = e->ok;
	d->unclean = e->unclean;
	d->leader = e->leader;
	if (e->ok)
		kc_ts_copy_list(r, d->isr, &d->isr_len, e->isr, e->isr_len, e->pid);
}

static void kc_ts_on_channel(void *self, int32_t broker, bool open)
{
	struct kc_ts_rec *r = self;
	if (r->n_ch == r->cap_ch) {
		r->cap_ch = r->cap_ch ? 2 * r->cap_ch : 16;
		r->ch = kc_ts_xrealloc(r->ch, r->cap_ch * sizeof *r->ch);
	}
	r->ch[r->n_ch++] = (struct kc_ts_channel_event){ broker, open };
}

void kc_ts_rec_init(struct kc_ts_rec *r)
{
	memset(r, 0, sizeof *r);
	r->sink = (struct kc_sink){
		.self = r,
		.request = kc_ts_on_request,
		.state_change = kc_ts_on_state_change,
		.election = kc_ts_on_election,
		.channel = kc_ts_on_channel,
	};
}

void kc_ts_rec_clear(struct kc_ts_rec *r)
{
	for (uint32_t i = 0; i < r->n_req; i++) {
		free(r->req[i].to);
		free(r->req[i].leaders);
		free(r->req[i].live);
		free(r->req[i].entries);
	}
	r->n_req = 0;
	r->n_chg = 0;
	r->n_el = 0;
	r->n_ch = 0;
}

void kc_ts_rec_free(struct kc_ts_rec *r)
{
	kc_ts_rec_clear(r);
	free(r->req);
	free(r->chg);
	free(r->el);
	free(r->ch);
}

static bool kc_ts_req_to(const struct kc_ts_req *q, uint32_t broker)
{
	if (broker == KC_TS_ANY)
		return true;
	for (uint32_t i = 0; i < q->n_to; i++)
		if (q->to[i] == (int32_t)broker)
			return true;
	return false;
}

static const struct kc_ts_entry *kc_ts_req_entry(const struct kc_ts_req *q, uint32_t pid)
{
	for (uint32_t i = 0; i < q->n_entries; i++)
		if (pid == KC_TS_ANY || q->entries[i].pid == pid)
			return &q->entries[i];
	return NULL;
}

/* Recipients of q counted for the broker filter (all recipients for KC_TS_ANY). */
static uint32_t kc_ts_req_weight(const struct kc_ts_req *q, uint32_t broker)
{
	return broker == KC_TS_ANY ? q->n_to : kc_ts_req_to(q, broker);
}

uint32_t kc_ts_count(const struct kc_ts_rec *r, enum kc_request_type type, uint32_t broker)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->n_req; i++)
		if (r->req[i].type == type)
			n += kc_ts_req_weight(&r->req[i], broker);
	return n;
}

static uint32_t kc_ts_carrying(const struct kc_ts_rec *r, enum kc_request_type type,
			       uint32_t broker, uint32_t pid, const struct kc_ts_entry **last)
{
	uint32_t n = 0;
	*last = NULL;
	for (uint32_t i = 0; i < r->n_req; i++) {
		const struct kc_ts_req *q = &r->req[i];
		const struct kc_ts_entry *e;
		if (q->type != type || !(e = kc_ts_req_entry(q, pid)))
			continue;
		uint32_t w = kc_ts_req_weight(q, broker);
		if (w) {
			n += w;
			*last = e;
		}
	}
	return n;
}

uint32_t kc_ts_lair_count(const struct kc_ts_rec *r, uint32_t broker, uint32_t pid)
{
	const struct kc_ts_entry *e;
	return kc_ts_carrying(r, KC_REQ_LEADER_AND_ISR, broker, pid, &e);
}

const struct kc_ts_entry *kc_ts_lair(const struct kc_ts_rec *r, uint32_t broker, uint32_t pid)
{
	const struct kc_ts_entry *e;
	kc_ts_carrying(r, KC_REQ_LEADER_AND_ISR, broker, pid, &e);
	return e;
}

uint32_t kc_ts_umr_count(const struct kc_ts_rec *r, uint32_t broker, uint32_t pid)
{
	const struct kc_ts_entry *e;
	return kc_ts_carrying(r, KC_REQ_UPDATE_METADATA, broker, pid, &e);
}

const struct kc_ts_entry *kc_ts_umr(const struct kc_ts_rec *r, uint32_t broker, uint32_t pid)
{
	const struct kc_ts_entry *e;
	kc_ts_carrying(r, KC_REQ_UPDATE_METADATA, broker, pid, &e);
	return e;
}

uint32_t kc_ts_stop_count(const struct kc_ts_rec *r, uint32_t broker, uint32_t pid, int del)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->n_req; i++) {
		const struct kc_ts_req *q = &r->req[i];
		if (q->type != KC_REQ_STOP_REPLICA || (pid != KC_TS_ANY && q->stop_pid != pid))
			continue;
		if (del >= 0 && q->stop_delete != (del == 1))
			continue;
		n += kc_ts_req_weight(q, broker);
	}
	return n;
}

int kc_ts_req_index(const struct kc_ts_rec *r, enum kc_request_type type, uint32_t broker,
		    uint32_t pid, uint32_t nth)
{
	for (uint32_t i = 0; i < r->n_req; i++) {
		const struct kc_ts_req *q = &r->req[i];
		if (q->type != type || !kc_ts_req_to(q, broker))
			continue;
		bool carries = type == KC_REQ_STOP_REPLICA ? (pid == KC_TS_ANY || q->stop_pid == pid)
							   : kc_ts_req_entry(q, pid) != NULL;
		if (carries && nth-- == 0)
			return (int)i;
	}
	return -1;
}

static bool kc_ts_change_matches(const struct kc_state_change *c, bool is_partition, uint32_t pid,
				 uint32_t broker, int to, int applied)
{
	if (c->is_partition != is_partition || (pid != KC_TS_ANY && c->pid != pid))
		return false;
	if (!is_partition && broker != KC_TS_ANY && c->broker != (int32_t)broker)
		return false;
	if (to >= 0 && c->to != to)
		return false;
	return applied < 0 || c->applied == (applied == 1);
}

uint32_t kc_ts_changes(const struct kc_ts_rec *r, bool is_partition, uint32_t pid, uint32_t broker,
		       int to, int applied)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->n_chg; i++)
		n += kc_ts_change_matches(&r->chg[i], is_partition, pid, broker, to, applied);
	return n;
}

const struct kc_state_change *kc_ts_change(const struct kc_ts_rec *r, bool is_partition,
					   uint32_t pid, uint32_t broker, int to, int applied)
{
	const struct kc_state_change *last = NULL;
	for (uint32_t i = 0; i < r->n_chg; i++)
		if (kc_ts_change_matches(&r->chg[i], is_partition, pid, broker, to, applied))
			last = &r->chg[i];
	return last;
}

uint32_t kc_ts_refusals(const struct kc_ts_rec *r, enum kc_reason reason)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->n_chg; i++)
		n += !r->chg[i].applied && r->chg[i].reason == reason;
	return n;
}

uint32_t kc_ts_elections(const struct kc_ts_rec *r, uint32_t pid)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->n_el; i++)
		n += pid == KC_TS_ANY || r->el[i].pid == pid;
	return n;
}

const struct kc_ts_election *kc_ts_election(const struct kc_ts_rec *r, uint32_t pid)
{
	const struct kc_ts_election *last = NULL;
	for (uint32_t i = 0; i < r->n_el; i++)
		if (pid == KC_TS_ANY || r->el[i].pid == pid)
			last = &r->el[i];
	return last;
}

uint32_t kc_ts_channel_events(const struct kc_ts_rec *r, int32_t broker, bool open)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->n_ch; i++)
		n += r->ch[i].broker == broker && r->ch[i].open == open;
	return n;
}

bool kc_ts_flush_order_ok(const struct kc_ts_rec *r)
{
	for (uint32_t i = 1; i < r->n_req; i++) {
		const struct kc_ts_req *a = &r->req[i - 1], *b = &r->req[i];
		if (a->correlation_id != b->correlation_id) {
			if (b->correlation_id < a->correlation_id)
				return false;
			continue;
		}
		if (b->type < a->type)
			return false;
		if (a->type == KC_REQ_LEADER_AND_ISR && b->type == KC_REQ_LEADER_AND_ISR &&
		    a->n_to && b->n_to && b->to[0] <= a->to[0])
			return false;
	}
	return true;
}

/* ---- fixture ------------------------------------------------------------------------------------ */

struct kc_ts_fx *kc_ts_fx_new(void)
{
	struct kc_ts_fx *fx = kc_ts_xrealloc(NULL, sizeof *fx);
	memset(fx, 0, sizeof *fx);
	fx->ts = kc_ts_new();
	kc_ts_rec_init(&fx->rec);
	fx->cfg = (struct kc_config){
		.profile = KC_PROFILE_0_8_2,
		.broker_id = 1,
		.delete_topic_enable = true,
		.unclean_leader_election = false,
		.auto_leader_rebalance = false,
		.leader_imbalance_per_broker_percentage = 10,
		.inject = 0,
	};
	return fx;
}

void kc_ts_fx_free(struct kc_ts_fx *fx)
{
	if (!fx)
		return;
	if (fx->c)
		kc_controller_free(fx->c);
	kc_ts_rec_free(&fx->rec);
	kc_ts_free(fx->ts);
	free(fx);
}

struct kc_controller *kc_ts_fx_controller(struct kc_ts_fx *fx)
{
	if (!fx->c) {
		fx->c = kc_controller_new(&fx->cfg, kc_ts_store(fx->ts), &fx->rec.sink);
		if (!fx->c)
			kc_ts_die("kc_controller_new failed");
	}
	return fx->c;
}

void kc_ts_fx_load(struct kc_ts_fx *fx, int32_t epoch)
{
	struct kc_ts *ts = fx->ts;
	kc_ts_put_controller_epoch(ts, epoch, epoch > 0 ? epoch - 1 : 0);
	kc_load_initial(kc_ts_fx_controller(fx));
	/* failover's initialisation (spec §2.5 replicas, §3.5 partitions) */
	for (uint32_t p = 0; p < ts->n_parts; p++) {
		const struct kc_ts_part *pt = &ts->parts[p];
		if (!pt->assigned || !kc_ts_topic_live(ts, pt->topic))
			continue;
		for (uint32_t i = 0; i < pt->n_replicas; i++) {
			bool live = kc_ts_has(ts->brokers, ts->n_brokers, pt->replicas[i]);
			kc_initial_set_replica_state(fx->c, p, pt->replicas[i],
						     live ? KC_ONLINE_REPLICA
							  : KC_REPLICA_DELETION_INELIGIBLE);
		}
		enum kc_partition_state s = KC_NEW_PARTITION;
		if (pt->has_state)
			s = kc_ts_has(ts->brokers, ts->n_brokers, pt->state.leader)
				    ? KC_ONLINE_PARTITION
				    : KC_OFFLINE_PARTITION;
		kc_initial_set_partition_state(fx->c, p, s);
	}
	kc_ts_fx_mark(fx);
}

void kc_ts_fx_mark(struct kc_ts_fx *fx)
{
	kc_ts_rec_clear(&fx->rec);
	kc_ts_reset_ops(fx->ts);
}

void kc_ts_fx_brokers_changed(struct kc_ts_fx *fx)
{
	const int32_t *ids;
	uint32_t n = kc_ts_brokers(fx->ts, &ids);
	int32_t copy[KC_TS_MAX_BROKERS];
	memcpy(copy, ids, n * sizeof *copy);
	kc_on_broker_change(fx->c, copy, n);
}

void kc_ts_fx_topics_changed(struct kc_ts_fx *fx)
{
	uint32_t topics[KC_TS_MAX_TOPICS], n = 0;
	for (uint32_t t = 0; t < fx->ts->n_topics; t++)
		if (fx->ts->topics[t].exists)
			topics[n++] = t;
	kc_on_topic_change(fx->c, topics, n);
}

void kc_ts_fx_delete_topics_changed(struct kc_ts_fx *fx)
{
	uint32_t topics[KC_TS_MAX_TOPICS];
	uint32_t n = fx->ts->n_deletes;
	memcpy(topics, fx->ts->deletes, n * sizeof *topics);
	kc_on_delete_topics_change(fx->c, topics, n);
}

/* The handler gets its own copy: the core may write the admin znode while it runs. */
static uint32_t kc_ts_admin_copy(const struct kc_ts_admin *src, uint32_t n,
				 struct kc_admin_entry *e, int32_t (*pool)[KC_MAX_REPLICAS])
{
	for (uint32_t i = 0; i < n; i++) {
		memcpy(pool[i], src[i].replicas, src[i].n * sizeof(int32_t));
		e[i] = (struct kc_admin_entry){ src[i].topic, src[i].partition, src[i].n, pool[i] };
	}
	return n;
}

void kc_ts_fx_reassign_changed(struct kc_ts_fx *fx)
{
	static struct kc_admin_entry e[KC_TS_MAX_ADMIN];
	static int32_t pool[KC_TS_MAX_ADMIN][KC_MAX_REPLICAS];
	uint32_t n = kc_ts_admin_copy(fx->ts->reassign, fx->ts->n_reassign, e, pool);
	kc_on_reassign_change(fx->c, e, fx->ts->reassign_exists ? n : 0);
}

void kc_ts_fx_preferred_changed(struct kc_ts_fx *fx)
{
	static struct kc_admin_entry e[KC_TS_MAX_ADMIN];
	static int32_t pool[KC_TS_MAX_ADMIN][KC_MAX_REPLICAS];
	uint32_t n = kc_ts_admin_copy(fx->ts->preferred, fx->ts->n_preferred, e, pool);
	kc_on_preferred_change(fx->c, e, fx->ts->preferred_exists ? n : 0);
}

void kc_ts_fx_check(struct kc_ts_fx *fx)
{
	if (!kc_ts_bulk_balanced(fx->ts)) {
		print_error("bulk_begin/bulk_end unbalanced (depth %d, %u underflows)\n",
			    fx->ts->bulk_depth, fx->ts->bulk_underflows);
		fail();
	}
	if (fx->ts->unconditional) {
		print_error("%u unconditional znode writes (0.8.2 writes are conditional)\n",
			    fx->ts->unconditional);
		fail();
	}
	if (fx->rec.malformed) {
		print_error("%u malformed requests, first: %s\n", fx->rec.malformed,
			    fx->rec.malformed_why);
		fail();
	}
}

int kc_ts_fx_setup(void **state)
{
	*state = kc_ts_fx_new();
	return 0;
}

int kc_ts_fx_teardown(void **state)
{
	kc_ts_fx_check(*state);
	kc_ts_fx_free(*state);
	return 0;
}

/* ---- assertions ---------------------------------------------------------------------------------- */

static void kc_ts_fmt_ids(char *buf, size_t cap, const int32_t *a, uint32_t n)
{
	size_t used = 0;
	buf[0] = 0;
	for (uint32_t i = 0; i < n && used < cap; i++) {
		int w = snprintf(buf + used, cap - used, "%s%d", i ? "," : "", a[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static bool kc_ts_ids_equal(const int32_t *a, uint32_t n, const int32_t *b, uint32_t m, bool as_set)
{
	if (n != m)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		if (!as_set && a[i] != b[i])
			return false;
		if (as_set && !kc_ts_has(b, m, a[i]))
			return false;
	}
	return true;
}

void kc_ts_check_ids(const int32_t *a, uint32_t n, const char *want, bool as_set,
		     const char *file, int line)
{
	int32_t w[KC_MAX_REPLICAS * 4];
	uint32_t m = kc_ts_parse_ids(want, w, KC_MAX_REPLICAS * 4);
	if (kc_ts_ids_equal(a, n, w, m, as_set))
		return;
	char got[512];
	kc_ts_fmt_ids(got, sizeof got, a, n);
	print_error("%s:%d: got [%s], expected %s[%s]\n", file, line, got, as_set ? "set " : "",
		    want);
	_fail(file, line);
}

static void kc_ts_check_lisr(const char *what, int32_t leader, int32_t leader_epoch,
			     const int32_t *isr, uint32_t isr_len, int32_t controller_epoch,
			     int32_t zk_version, int32_t w_leader, int32_t w_epoch, const char *w_isr,
			     int32_t w_cepoch, int32_t w_zkv, const char *file, int line)
{
	int32_t w[KC_MAX_REPLICAS];
	uint32_t m = kc_ts_parse_ids(w_isr, w, KC_MAX_REPLICAS);
	if (leader == w_leader && leader_epoch == w_epoch && controller_epoch == w_cepoch &&
	    zk_version == w_zkv && kc_ts_ids_equal(isr, isr_len, w, m, false))
		return;
	char got[512];
	kc_ts_fmt_ids(got, sizeof got, isr, isr_len);
	print_error("%s:%d: %s is leader %d epoch %d isr [%s] controller epoch %d zkVersion %d; "
		    "expected leader %d epoch %d isr [%s] controller epoch %d zkVersion %d\n",
		    file, line, what, leader, leader_epoch, got, controller_epoch, zk_version,
		    w_leader, w_epoch, w_isr, w_cepoch, w_zkv);
	_fail(file, line);
}

void kc_ts_check_entry(const struct kc_ts_entry *e, int32_t leader, int32_t leader_epoch,
		       const char *isr, int32_t controller_epoch, int32_t zk_version,
		       const char *file, int line)
{
	if (!e) {
		print_error("%s:%d: no such request entry\n", file, line);
		_fail(file, line);
		return;
	}
	kc_ts_check_lisr("request entry", e->leader, e->leader_epoch, e->isr, e->isr_len,
			 e->controller_epoch, e->zk_version, leader, leader_epoch, isr,
			 controller_epoch, zk_version, file, line);
}

void kc_ts_check_state(const struct kc_ts *ts, uint32_t pid, int32_t leader, int32_t leader_epoch,
		       const char *isr, int32_t controller_epoch, int32_t zk_version,
		       const char *file, int line)
{
	struct kc_lisr s;
	if (!kc_ts_state(ts, pid, &s)) {
		print_error("%s:%d: no state znode for pid %u\n", file, line, pid);
		_fail(file, line);
		return;
	}
	kc_ts_check_lisr("state znode", s.leader, s.leader_epoch, s.isr, s.isr_len,
			 s.controller_epoch, s.zk_version, leader, leader_epoch, isr,
			 controller_epoch, zk_version, file, line);
}
