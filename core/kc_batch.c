/* kc_batch.c — ControllerBrokerRequestBatch (spec §8, 0.8.2): per-broker LeaderAndIsr,
 * UpdateMetadata and StopReplica entries gathered during one handleStateChanges call and
 * flushed at its end, LeaderAndIsr first, then UpdateMetadata, then StopReplica (one request
 * per entry). An UpdateMetadata payload is built once and names every broker that receives the
 * same partitions, so "all partitions to all brokers" is never copied per broker. */
#include <stdlib.h>
#include <string.h>

#include "kc_internal.h"

struct sort_item {
	uint64_t key;
	uint32_t idx; /* insertion order: (key, idx) is a total order, so any sort is stable */
};

static int cmp_item(const void *a, const void *b)
{
	const struct sort_item *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sort by (key, insertion) unless already in order (the entries of a partition named twice
 * may be). */
static void sort_items(struct sort_item *v, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++)
		if (cmp_item(&v[i - 1], &v[i]) > 0) {
			qsort(v, n, sizeof *v, cmp_item);
			return;
		}
}

void kc_batch_init(struct kc_batch *b)
{
	kc_vec_init(&b->lair, sizeof(struct kc_batch_lair));
	kc_vec_init(&b->umr, sizeof(struct kc_batch_umr));
	kc_vec_init(&b->stop, sizeof(struct kc_batch_stop));
	kc_vec_init(&b->values, sizeof(struct kc_batch_value));
	kc_vec_init(&b->ints, sizeof(int32_t));
	kc_vec_init(&b->sets, 2 * sizeof(uint32_t));
	b->deleting_sets = 0;
	b->reg_known = false;
	b->lair_ordered = b->umr_ordered = true;
	b->umr_from_cache = false;
	b->cached_pid = KC_NONE;
}

void kc_batch_free(struct kc_batch *b)
{
	kc_vec_free(&b->lair);
	kc_vec_free(&b->umr);
	kc_vec_free(&b->stop);
	kc_vec_free(&b->values);
	kc_vec_free(&b->ints);
	kc_vec_free(&b->sets);
}

/* Emptied after a flush. A large one (a failover's or a start-up's) gives its memory back:
 * the next large batch is rare, and keeping every batch at its largest size would make the
 * peak the sum of them all. */
static void batch_clear(struct kc_batch *b)
{
	struct kc_vec *v[] = {&b->lair, &b->umr, &b->stop, &b->values, &b->ints, &b->sets};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		v[i]->len = 0;
		if (v[i]->cap > 65536)
			kc_vec_free(v[i]);
	}
	b->deleting_sets = 0;
	b->reg_known = false;
	b->lair_ordered = b->umr_ordered = true;
	b->cached_pid = KC_NONE;
}

/* newBatch(): 0.8.2 throws IllegalStateException when the previous batch was not flushed. */
bool kc_batch_new(struct kc_controller *c, struct kc_batch *b)
{
	(void)c;
	return b->lair.len == 0 && b->umr.len == 0 && b->stop.len == 0 && b->deleting_sets == 0;
}

static uint32_t push_ints(struct kc_batch *b, const int32_t *v, uint32_t n)
{
	uint32_t off = b->ints.len;
	if (n == 0)
		return off;
	if (off + n > b->ints.cap)
		kc_vec_reserve(&b->ints, off + n);
	kc_copy_ints((int32_t *)b->ints.data + off, v, n);
	b->ints.len += n;
	return off;
}

static inline bool same_ints(const struct kc_batch *b, uint32_t off, const int32_t *v, uint32_t n)
{
	const int32_t *w = (const int32_t *)b->ints.data + off;
	for (uint32_t i = 0; i < n; i++) /* a few ints: a loop, not a call to memcmp */
		if (w[i] != v[i])
			return false;
	return true;
}

/* What an entry says about its partition, pointing at the caller's lists. */
struct value_src {
	int32_t leader, leader_epoch, ctrl_epoch, zk_version;
	const int32_t *isr, *ar;
	uint32_t isr_len, ar_len;
};

/* A value as given to addLeaderAndIsrRequestForBrokers. */
static struct value_src src_of_lisr(const struct kc_lisr *v, int32_t ctrl_epoch, const int32_t *ar,
				    uint32_t ar_len)
{
	return (struct value_src){.leader = v->leader,
				  .leader_epoch = v->leader_epoch,
				  .ctrl_epoch = ctrl_epoch,
				  .zk_version = v->zk_version,
				  .isr = v->isr,
				  .isr_len = v->isr_len,
				  .ar = ar,
				  .ar_len = ar_len};
}

/* A partition's cached leadership and AR, read in place (the caller checked has_lead). */
static inline struct value_src src_of_cache(const struct kc_controller *c, uint32_t pid)
{
	const struct kc_part *p = &c->parts[pid];
	return (struct value_src){.leader = p->leader,
				  .leader_epoch = p->leader_epoch,
				  .ctrl_epoch = p->lead_ctrl_epoch,
				  .zk_version = p->zk_version,
				  .isr = kc_slice_ptr(c, p->isr),
				  .isr_len = p->isr.len,
				  .ar = kc_slice_ptr(c, p->ar),
				  .ar_len = p->known ? p->ar.len : 0};
}

static inline bool value_is(const struct kc_batch *b, uint32_t i, const struct value_src *s)
{
	const struct kc_batch_value *v = kc_vec_at(&b->values, i);
	return v->leader == s->leader && v->leader_epoch == s->leader_epoch && v->zk_version == s->zk_version &&
	       v->ctrl_epoch == s->ctrl_epoch && v->isr_len == s->isr_len && v->ar_len == s->ar_len &&
	       same_ints(b, v->isr_off, s->isr, s->isr_len) && same_ints(b, v->ar_off, s->ar, s->ar_len);
}

/* A value for the batch's entries. One equal to the last one pushed is that one again: the
 * replicas of a partition, and its UpdateMetadata entry, usually carry the same value. */
static uint32_t push_value(struct kc_batch *b, const struct value_src *s)
{
	b->cached_pid = KC_NONE;
	if (b->values.len > 0 && value_is(b, b->values.len - 1, s))
		return b->values.len - 1;
	/* an ISR that is the AR, as a healthy partition's is, stored once */
	bool isr_is_ar = s->isr_len == s->ar_len;
	for (uint32_t i = 0; isr_is_ar && i < s->isr_len; i++)
		isr_is_ar = s->isr[i] == s->ar[i];
	uint32_t off = b->ints.len, n = isr_is_ar ? s->isr_len : s->isr_len + s->ar_len;
	/* both lists with one reservation: a failover pushes a value per partition */
	if (n > 0) {
		kc_vec_reserve(&b->ints, off + n);
		int32_t *dst = (int32_t *)b->ints.data + off;
		kc_copy_ints(dst, s->isr, s->isr_len);
		if (!isr_is_ar)
			kc_copy_ints(dst + s->isr_len, s->ar, s->ar_len);
	}
	kc_vec_reserve(&b->values, b->values.len + 1);
	((struct kc_batch_value *)b->values.data)[b->values.len++] =
		(struct kc_batch_value){.leader = s->leader,
					.leader_epoch = s->leader_epoch,
					.ctrl_epoch = s->ctrl_epoch,
					.zk_version = s->zk_version,
					.isr_off = off,
					.ar_off = isr_is_ar ? off : off + s->isr_len,
					.isr_len = (uint8_t)s->isr_len,
					.ar_len = (uint8_t)s->ar_len};
	b->ints.len += n;
	return b->values.len - 1;
}

/* push_value of partition pid's cache, noted for the partition's next replica. */
static uint32_t push_cache_value(const struct kc_controller *c, struct kc_batch *b, uint32_t pid,
				 const struct value_src *s)
{
	uint32_t val = push_value(b, s);
	b->cached_pid = pid;
	b->cached_gen = c->cache_gen;
	return val;
}

void kc_batch_add_stop(struct kc_controller *c, struct kc_batch *b, int32_t broker, uint32_t pid,
		       bool del, bool callback)
{
	(void)c;
	if (broker < 0)
		return;
	struct kc_batch_stop *e = kc_vec_push(&b->stop);
	e->broker = broker;
	e->pid = pid;
	e->del = del;
	e->cb = callback;
}

/* The index of a recipient list in this batch, added if new. */
static uint32_t recipient_set(struct kc_batch *b, const int32_t *to, uint32_t n_to)
{
	for (uint32_t s = 0; s < b->sets.len; s++) {
		const uint32_t *d = kc_vec_at(&b->sets, s);
		if (d[1] == n_to && memcmp((int32_t *)b->ints.data + d[0], to, n_to * sizeof *to) == 0)
			return s;
	}
	if (b->sets.len == 64)
		__builtin_trap(); /* impossible: a batch names at most a few recipient lists */
	uint32_t *d = kc_vec_push(&b->sets);
	d[0] = push_ints(b, to, n_to);
	d[1] = n_to;
	return b->sets.len - 1;
}

/* Append an UpdateMetadata entry, noting whether the partitions still come in canonical order,
 * each once (the flush's condition for keeping insertion order). */
static void push_umr(struct kc_controller *c, struct kc_batch *b, uint32_t set, uint32_t pid, uint32_t val)
{
	uint64_t key = kc_part_key(c, pid);
	if (b->umr.len > 0 && key <= b->umr_key)
		b->umr_ordered = false;
	b->umr_key = key;
	struct kc_batch_umr *e = kc_vec_push(&b->umr);
	e->pid = pid;
	e->set = set;
	e->val = val;
}

/* cached_val: a value of this batch known to say what the cache says, or KC_NONE. */
static void add_umr_entry(struct kc_controller *c, struct kc_batch *b, uint32_t set, uint32_t pid,
			  uint32_t cached_val)
{
	if (pid >= c->n_parts || !c->parts[pid].has_lead)
		return; /* "Leader not yet assigned": skipped */
	const struct kc_batch_umr *last = b->umr.len > 0 ? kc_vec_at(&b->umr, b->umr.len - 1) : NULL;
	/* saying what the entry just before it says (a partition's next replica): the flush takes
	 * the latest entry of a partition, and that one says the same */
	bool again = last && last->pid == pid && last->set == set;
	if (again && last->val == cached_val)
		return;
	uint32_t val = cached_val;
	if (val == KC_NONE && !b->umr_from_cache) {
		struct value_src s = src_of_cache(c, pid);
		if (again && value_is(b, last->val, &s))
			return;
		val = push_cache_value(c, b, pid, &s);
	}
	push_umr(c, b, set, pid, val);
}

/* addUpdateMetadataRequestForBrokers: the given partitions (all with cached leadership when
 * none are given) minus those being deleted, with their cached value; then every partition
 * being deleted, with leader -2. The deleted ones are identical for every add, so they are
 * recorded once per recipient list and built at the flush. */
static void add_umr_to_set(struct kc_controller *c, struct kc_batch *b, uint32_t set, const uint32_t *pids,
			   uint32_t n_pids)
{
	if (pids) {
		for (uint32_t i = 0; i < n_pids; i++)
			if (!kc_part_deleting(c, pids[i]))
				add_umr_entry(c, b, set, pids[i], KC_NONE);
	} else {
		kc_all_partitions(c, &c->tmp_pids2);
		for (uint32_t i = 0; i < c->tmp_pids2.len; i++) {
			uint32_t pid = ((uint32_t *)c->tmp_pids2.data)[i];
			if (!kc_part_deleting(c, pid))
				add_umr_entry(c, b, set, pid, KC_NONE);
		}
	}
	b->deleting_sets |= 1ull << set;
}

void kc_batch_add_umr(struct kc_controller *c, struct kc_batch *b, const int32_t *to, uint32_t n_to,
		      const uint32_t *pids, uint32_t n_pids)
{
	add_umr_to_set(c, b, recipient_set(b, to, n_to), pids, n_pids);
}

/* The recipient list of every registered broker, which every LeaderAndIsr entry adds to:
 * compared with the batch's lists once, and again only when the brokers changed. */
static uint32_t registered_set(struct kc_controller *c, struct kc_batch *b)
{
	if (!b->reg_known || b->reg_gen != c->registered_gen) {
		uint32_t n;
		const int32_t *reg = kc_registered_list(c, &n);
		b->reg_set = recipient_set(b, reg, n);
		b->reg_gen = c->registered_gen;
		b->reg_known = true;
	}
	return b->reg_set;
}

/* Entries of one partition looked through for a repeated broker; a longer run (a partition
 * has a few replicas) counts as out of order. */
#define LAIR_RUN_MAX (4 * KC_MAX_REPLICAS)

/* Note whether LeaderAndIsr entries still come in canonical order with each (partition,
 * broker) once, before the entry (key, broker) is appended. */
static void note_lair(struct kc_batch *b, uint64_t key, int32_t broker)
{
	uint32_t n = b->lair.len;
	if (!b->lair_ordered)
		return;
	if (n == 0 || key > b->lair_key) {
		b->lair_key = key;
		b->lair_run = n;
		return;
	}
	bool ok = key == b->lair_key && n - b->lair_run < LAIR_RUN_MAX;
	const struct kc_batch_lair *e = b->lair.data;
	for (uint32_t j = b->lair_run; ok && j < n; j++)
		ok = e[j].broker != broker;
	b->lair_ordered = ok;
}

/* LeaderAndIsr entries of value val for the recipients, then the partition's UpdateMetadata
 * entry for every registered broker (addUpdateMetadataRequestForBrokers(allLiveOrShuttingDown,
 * Set(partition))); `cached`: val says what the cache says, so it serves that entry too. */
static void add_lair_entries(struct kc_controller *c, struct kc_batch *b, const int32_t *to, uint32_t n_to,
			     uint32_t pid, uint32_t val, bool cached)
{
	uint64_t key = kc_part_key(c, pid);
	kc_vec_reserve(&b->lair, b->lair.len + n_to); /* room for all: each entry written whole */
	for (uint32_t i = 0; i < n_to; i++) {
		if (to[i] < 0)
			continue;
		note_lair(b, key, to[i]);
		((struct kc_batch_lair *)b->lair.data)[b->lair.len++] =
			(struct kc_batch_lair){.broker = to[i], .pid = pid, .val = val};
	}
	uint32_t set = registered_set(c, b);
	if (!kc_part_deleting(c, pid))
		add_umr_entry(c, b, set, pid, cached ? val : KC_NONE);
	b->deleting_sets |= 1ull << set;
}

void kc_batch_add_lair(struct kc_controller *c, struct kc_batch *b, const int32_t *to, uint32_t n_to,
		       uint32_t pid, const struct kc_lisr *v, int32_t ctrl_epoch, const int32_t *ar,
		       uint32_t ar_len)
{
	struct value_src s = src_of_lisr(v, ctrl_epoch, ar, ar_len);
	add_lair_entries(c, b, to, n_to, pid, push_value(b, &s), false);
}

void kc_batch_add_lair_cached(struct kc_controller *c, struct kc_batch *b, const int32_t *to, uint32_t n_to,
			      uint32_t pid)
{
	uint32_t val = b->values.len - 1;
	/* the value just pushed from this partition's unchanged cache says it again */
	if (b->cached_pid != pid || b->cached_gen != c->cache_gen) {
		struct value_src s = src_of_cache(c, pid);
		val = push_cache_value(c, b, pid, &s);
	}
	add_lair_entries(c, b, to, n_to, pid, val, true);
}

static void fill_info(const struct kc_batch *b, const struct kc_batch_value *v, uint32_t pid,
		      struct kc_partition_info *out)
{
	out->pid = pid;
	out->leader = v->leader;
	out->leader_epoch = v->leader_epoch;
	out->controller_epoch = v->ctrl_epoch;
	out->zk_version = v->zk_version;
	out->isr_len = v->isr_len;
	out->isr = (const int32_t *)b->ints.data + v->isr_off;
	out->ar_len = v->ar_len;
	out->ar = (const int32_t *)b->ints.data + v->ar_off;
}

/* An UpdateMetadata entry's partition info: its value, or its partition's cache (see
 * umr_from_cache). */
static void fill_umr_info(const struct kc_controller *c, const struct kc_batch *b, const struct kc_batch_umr *e,
			  struct kc_partition_info *out)
{
	if (e->val != KC_NONE) {
		fill_info(b, kc_vec_at(&b->values, e->val), e->pid, out);
		return;
	}
	struct value_src s = src_of_cache(c, e->pid);
	*out = (struct kc_partition_info){.pid = e->pid,
					  .leader = s.leader,
					  .leader_epoch = s.leader_epoch,
					  .controller_epoch = s.ctrl_epoch,
					  .zk_version = s.zk_version,
					  .isr_len = s.isr_len,
					  .isr = s.isr,
					  .ar_len = s.ar_len,
					  .ar = s.ar};
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* n entries grouped by broker (an int32_t at the start of each entry of `stride` bytes):
 * `brokers` the distinct ones ascending, bucket g to hold positions start[g]..start[g+1]. From
 * buckets_open to buckets_close, c->broker_slot maps a broker to its bucket and next[g] is
 * where bucket g's next entry goes, for the caller's one pass over the entries in insertion
 * order (so each bucket keeps that order, and the pass reads the entries sequentially). */
struct buckets {
	int32_t *brokers;
	uint32_t *start, *next, n;
};

/* The broker id that starts entry i (read bytewise: entries are of several struct types). */
static int32_t broker_at(const void *entries, uint32_t i, size_t stride)
{
	int32_t br;
	memcpy(&br, (const char *)entries + i * stride, sizeof br);
	return br;
}

static void buckets_open(struct kc_controller *c, const void *entries, uint32_t n, size_t stride,
			 struct buckets *out)
{
	c->tmp_ints.len = 0;
	for (uint32_t i = 0; i < n; i++) {
		int32_t br = broker_at(entries, i, stride);
		if (c->broker_slot[br] == KC_NONE) {
			c->broker_slot[br] = 0;
			*(int32_t *)kc_vec_push(&c->tmp_ints) = br;
		}
	}
	uint32_t g = c->tmp_ints.len;
	out->n = g;
	out->brokers = malloc((size_t)g * sizeof *out->brokers);
	out->start = calloc((size_t)g + 1, sizeof *out->start);
	out->next = malloc((size_t)g * sizeof *out->next);
	if (!out->brokers || !out->start || !out->next)
		kc_fatal_oom();
	memcpy(out->brokers, c->tmp_ints.data, g * sizeof *out->brokers);
	qsort(out->brokers, g, sizeof *out->brokers, cmp_i32);
	for (uint32_t i = 0; i < g; i++)
		c->broker_slot[out->brokers[i]] = i;
	for (uint32_t i = 0; i < n; i++)
		out->start[c->broker_slot[broker_at(entries, i, stride)] + 1]++;
	for (uint32_t i = 0; i < g; i++)
		out->start[i + 1] += out->start[i];
	memcpy(out->next, out->start, g * sizeof *out->next);
}

/* The position of the next entry of broker br (between buckets_open and buckets_close). */
static uint32_t bucket_place(const struct kc_controller *c, struct buckets *bk, int32_t br)
{
	return bk->next[c->broker_slot[br]]++;
}

static void buckets_close(struct kc_controller *c, struct buckets *bk)
{
	for (uint32_t i = 0; i < bk->n; i++)
		c->broker_slot[bk->brokers[i]] = KC_NONE;
}

static void buckets_free(struct buckets *b)
{
	free(b->brokers);
	free(b->start);
	free(b->next);
}

static void emit(struct kc_controller *c, struct kc_request *r)
{
	r->controller_id = c->cfg.broker_id;
	r->controller_epoch = c->epoch;
	c->sink.request(c->sink.self, r);
}

/* One broker's LeaderAndIsr request: its entries, and the live-or-shutting-down brokers that
 * they name as leader, ascending (`leaders` has room for m). */
static void emit_lair(struct kc_controller *c, uint32_t corr, const int32_t *to,
		      const struct kc_partition_info *infos, uint32_t m, int32_t *leaders)
{
	uint32_t nl = 0;
	for (uint32_t i = 0; i < m; i++) {
		int32_t l = infos[i].leader;
		/* broker_slot (all KC_NONE between buckets) marks the leaders named so far */
		if (kc_registered(c, l) && c->broker_slot[l] == KC_NONE) {
			c->broker_slot[l] = 0;
			leaders[nl++] = l;
		}
	}
	for (uint32_t i = 0; i < nl; i++)
		c->broker_slot[leaders[i]] = KC_NONE;
	qsort(leaders, nl, sizeof *leaders, cmp_i32);
	struct kc_request r = {.type = KC_REQ_LEADER_AND_ISR,
			       .correlation_id = corr,
			       .n_to = 1,
			       .to = to,
			       .n_entries = m,
			       .entries = infos,
			       .n_leaders = nl,
			       .leaders = leaders};
	emit(c, &r);
}

/* A bucket's LeaderAndIsr entry with its partition's canonical key, for sorting. */
struct lair_item {
	uint64_t key;
	uint32_t pid, val;
};

/* By (key, val): a bucket lists its entries in insertion order, and a batch hands out value
 * indexes in non-decreasing order, so this is the order of a stable sort by key (two items
 * equal in both are the same entry). */
static int cmp_lair_item(const void *a, const void *b)
{
	const struct lair_item *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->val < y->val ? -1 : x->val > y->val;
}

/* A bucket of (pid, value) entries out of canonical order, or naming a partition twice: sorted
 * by partition, the later entry of a partition kept; the entries left. */
static uint32_t sort_bucket(const struct kc_controller *c, uint32_t (*it)[2], uint32_t cnt, struct lair_item *tmp)
{
	for (uint32_t i = 0; i < cnt; i++)
		tmp[i] = (struct lair_item){.key = kc_part_key(c, it[i][0]), .pid = it[i][0], .val = it[i][1]};
	qsort(tmp, cnt, sizeof *tmp, cmp_lair_item);
	uint32_t m = 0;
	for (uint32_t i = 0; i < cnt; i++) {
		/* a later add for the same (broker, partition) overwrites the earlier one */
		if (i + 1 < cnt && tmp[i + 1].key == tmp[i].key)
			continue;
		it[m][0] = tmp[i].pid;
		it[m++][1] = tmp[i].val;
	}
	return m;
}

/* entries ahead of the one filled whose value is asked for */
#define LAIR_AHEAD 64

static void flush_lair(struct kc_controller *c, struct kc_batch *b, uint32_t corr)
{
	uint32_t n = b->lair.len;
	if (n == 0)
		return;
	const struct kc_batch_lair *e = b->lair.data;
	struct buckets bk;
	buckets_open(c, e, n, sizeof *e, &bk);
	uint32_t most = 0; /* entries in the largest request */
	for (uint32_t g = 0; g < bk.n; g++)
		if (bk.start[g + 1] - bk.start[g] > most)
			most = bk.start[g + 1] - bk.start[g];
	/* (pid, value) placed in each bucket in one sequential pass over the entries */
	uint32_t (*items)[2] = malloc((size_t)n * sizeof *items);
	struct kc_partition_info *infos = malloc((size_t)most * sizeof *infos);
	int32_t *leaders = malloc((size_t)most * sizeof *leaders);
	struct lair_item *tmp = b->lair_ordered ? NULL : malloc((size_t)most * sizeof *tmp);
	if (!items || !infos || !leaders || (!tmp && !b->lair_ordered))
		kc_fatal_oom();
	for (uint32_t i = 0; i < n; i++) {
		uint32_t *it = items[bucket_place(c, &bk, e[i].broker)];
		it[0] = e[i].pid;
		it[1] = e[i].val;
	}
	buckets_close(c, &bk);
	for (uint32_t g = 0; g < bk.n; g++) {
		uint32_t (*it)[2] = items + bk.start[g];
		uint32_t cnt = bk.start[g + 1] - bk.start[g];
		/* entries added in canonical order, each (partition, broker) once, are in their
		 * request's order already: the usual case */
		if (!b->lair_ordered)
			cnt = sort_bucket(c, it, cnt, tmp);
		for (uint32_t i = 0; i < cnt; i++) {
			/* a bucket's values lie a cache line or more apart in a large batch: asked for
			 * ahead, so that their misses overlap */
			if (i + LAIR_AHEAD < cnt)
				__builtin_prefetch(kc_vec_at(&b->values, it[i + LAIR_AHEAD][1]));
			fill_info(b, kc_vec_at(&b->values, it[i][1]), it[i][0], &infos[i]);
		}
		emit_lair(c, corr, &bk.brokers[g], infos, cnt, leaders);
	}
	free(items);
	free(infos);
	free(leaders);
	free(tmp);
	buckets_free(&bk);
}

/* Partitions queued for deletion, with leader -2, for the recipient lists that asked. */
static void add_deleting_entries(struct kc_controller *c, struct kc_batch *b)
{
	if (!b->deleting_sets || c->n_deleting == 0)
		return; /* none: no walk over every partition */
	kc_all_partitions(c, &c->tmp_pids2);
	for (uint32_t s = 0; s < b->sets.len; s++) {
		if (!(b->deleting_sets >> s & 1))
			continue;
		for (uint32_t i = 0; i < c->tmp_pids2.len; i++) {
			uint32_t pid = ((uint32_t *)c->tmp_pids2.data)[i];
			if (!kc_part_deleting(c, pid) || !c->parts[pid].has_lead)
				continue;
			/* LeaderAndIsr(LeaderDuringDelete, isr) takes the initial epoch and version */
			struct value_src src = src_of_cache(c, pid);
			src.leader = KC_LEADER_DURING_DELETE;
			src.leader_epoch = src.zk_version = 0;
			push_umr(c, b, s, pid, push_value(b, &src));
		}
	}
}

static int cmp_group(const void *a, const void *b)
{
	uint32_t x = ((const uint32_t *)a)[1], y = ((const uint32_t *)b)[1];
	return (x > y) - (x < y);
}

static void flush_umr(struct kc_controller *c, struct kc_batch *b, uint32_t corr)
{
	add_deleting_entries(c, b);
	uint32_t n = b->umr.len;
	if (n == 0)
		return;
	const struct kc_batch_umr *e = b->umr.data;
	/* each recipient gets the mask of the lists naming it; equal masks share one payload */
	uint64_t used = 0;
	for (uint32_t i = 0; i < n; i++)
		used |= 1ull << e[i].set;
	struct kc_vec who;
	kc_vec_init(&who, sizeof(struct sort_item));
	for (uint32_t s = 0; s < b->sets.len; s++) {
		const uint32_t *d = kc_vec_at(&b->sets, s);
		for (uint32_t k = 0; (used >> s & 1) && k < d[1]; k++) {
			int32_t br = ((int32_t *)b->ints.data)[d[0] + k];
			if (c->broker_slot[br] == KC_NONE) {
				c->broker_slot[br] = who.len;
				((struct sort_item *)kc_vec_push(&who))->idx = (uint32_t)br;
			}
			((struct sort_item *)kc_vec_at(&who, c->broker_slot[br]))->key |= 1ull << s;
		}
	}
	struct sort_item *w = who.data;
	for (uint32_t i = 0; i < who.len; i++)
		c->broker_slot[w[i].idx] = KC_NONE;
	/* sorted by (mask, id), each group is a run whose first id is its lowest; groups are sent
	 * in order of that id */
	if (who.len > 1)
		qsort(w, who.len, sizeof *w, cmp_item);
	uint32_t (*groups)[2] = malloc((size_t)(who.len + 1) * sizeof *groups);
	/* no keys to sort by when each partition came once in canonical order */
	struct sort_item *items = b->umr_ordered ? NULL : malloc((size_t)n * sizeof *items);
	struct kc_partition_info *infos = malloc((size_t)n * sizeof *infos);
	int32_t *to = malloc((size_t)(who.len + 1) * sizeof *to);
	if (!groups || (!items && !b->umr_ordered) || !infos || !to)
		kc_fatal_oom();
	uint32_t n_groups = 0;
	for (uint32_t i = 0; i < who.len; i++)
		if (i == 0 || w[i].key != w[i - 1].key) {
			groups[n_groups][0] = i;
			groups[n_groups++][1] = w[i].idx;
		}
	qsort(groups, n_groups, sizeof *groups, cmp_group);
	uint32_t n_live;
	const int32_t *live = kc_registered_list(c, &n_live);
	for (uint32_t g = 0; g < n_groups; g++) {
		uint64_t mask = w[groups[g][0]].key;
		uint32_t nt = 0, m = 0, k = 0;
		for (uint32_t i = groups[g][0]; i < who.len && w[i].key == mask; i++)
			to[nt++] = (int32_t)w[i].idx;
		if (b->umr_ordered) {
			for (uint32_t i = 0; i < n; i++)
				if (mask >> e[i].set & 1)
					fill_umr_info(c, b, &e[i], &infos[k++]);
		} else {
			for (uint32_t i = 0; i < n; i++)
				if (mask >> e[i].set & 1) {
					items[m].key = kc_part_key(c, e[i].pid);
					items[m++].idx = i;
				}
			sort_items(items, m);
			for (uint32_t i = 0; i < m; i++) {
				if (i + 1 < m && items[i + 1].key == items[i].key)
					continue; /* the latest value of a partition wins */
				fill_umr_info(c, b, &e[items[i].idx], &infos[k++]);
			}
		}
		struct kc_request r = {.type = KC_REQ_UPDATE_METADATA,
				       .correlation_id = corr,
				       .n_to = nt,
				       .to = to,
				       .n_entries = k,
				       .entries = infos,
				       .n_live = n_live,
				       .live = live};
		emit(c, &r);
	}
	free(groups);
	free(items);
	free(infos);
	free(to);
	kc_vec_free(&who);
}

static void flush_stop(struct kc_controller *c, struct kc_batch *b, uint32_t corr)
{
	uint32_t n = b->stop.len;
	if (n == 0)
		return;
	const struct kc_batch_stop *e = b->stop.data;
	struct buckets bk;
	buckets_open(c, e, n, sizeof *e, &bk);
	uint32_t *order = malloc((size_t)n * sizeof *order);
	if (!order)
		kc_fatal_oom();
	for (uint32_t i = 0; i < n; i++)
		order[bucket_place(c, &bk, e[i].broker)] = i;
	buckets_close(c, &bk);
	for (uint32_t g = 0; g < bk.n; g++)
		for (uint32_t i = bk.start[g]; i < bk.start[g + 1]; i++) {
			const struct kc_batch_stop *se = &e[order[i]];
			struct kc_request r = {.type = KC_REQ_STOP_REPLICA,
					       .correlation_id = corr,
					       .n_to = 1,
					       .to = &bk.brokers[g],
					       .stop_pid = se->pid,
					       .stop_delete = se->del,
					       .stop_wants_response = se->cb};
			emit(c, &r);
		}
	free(order);
	buckets_free(&bk);
}

/* sendRequestsToBrokers(controllerEpoch, correlationId++). */
void kc_batch_flush(struct kc_controller *c, struct kc_batch *b)
{
	uint32_t corr = c->correlation_id++;
	flush_lair(c, b, corr);
	flush_umr(c, b, corr);
	flush_stop(c, b, corr);
	batch_clear(b);
}

void kc_send_update_metadata(struct kc_controller *c, const int32_t *to, uint32_t n_to,
			     const uint32_t *pids, uint32_t n_pids)
{
	struct kc_batch *b = &c->controller_batch;
	if (!kc_batch_new(c, b))
		return;
	/* the entries read the cache at the flush, which follows with nothing in between: no
	 * value copied per partition */
	b->umr_from_cache = true;
	kc_batch_add_umr(c, b, to, n_to, pids, n_pids);
	kc_batch_flush(c, b);
	b->umr_from_cache = false;
}
