/* kc_internal.h — the controller's private data layout (ControllerContext, the two state
 * machines' maps, the deletion manager's sets, three request batches) and the prototypes that
 * the core's modules share. Flat arrays indexed by dense ids; no allocation per replica.
 * Nothing outside core/ includes this file. */
#ifndef KC_INTERNAL_H
#define KC_INTERNAL_H

#include <string.h>

#include "kc.h"

#define KC_NONE UINT32_MAX
#define KC_NO_STATE 0xFF /* a state map without an entry for the key */

/* One slice of a pool: [off, off + len) with room for cap. */
struct kc_slice {
	uint32_t off;
	uint8_t len, cap;
};

/* A replica state map entry (Kafka's Map[PartitionAndReplica, ReplicaState]). */
struct kc_rs {
	int32_t broker;
	uint8_t state;
};

/* Everything the controller caches about one partition. */
struct kc_part {
	uint32_t topic, number;
	struct kc_slice ar;   /* partitionReplicaAssignment (ordered); valid when `known` */
	struct kc_slice isr;  /* cached ISR; valid when `has_lead` */
	struct kc_slice rar;  /* partitionsBeingReassigned(p).newReplicas; valid when `reassigning` */
	struct kc_slice rs;   /* replica state map entries, sorted by broker id */
	int32_t leader, leader_epoch, lead_ctrl_epoch, zk_version;
	uint32_t touched;     /* the event stamp that last counted this partition */
	uint8_t pstate;       /* partition state map entry, or KC_NO_STATE */
	bool known;           /* in partitionReplicaAssignment */
	bool has_lead;        /* in partitionLeadershipInfo */
	bool deleting;        /* in the deletion manager's partitionsToBeDeleted */
	bool preferred;       /* in partitionsUndergoingPreferredReplicaElection */
	bool reassigning;     /* in partitionsBeingReassigned */
	bool isr_watched;     /* the reassignment ISR-change listener is registered */
};

struct kc_topic {
	uint32_t parts_off, parts_len, parts_cap; /* pids by partition number (KC_NONE: none) */
	bool exists;     /* in allTopics */
	bool queued;     /* topicsToBeDeleted */
	bool ineligible; /* topicsIneligibleForDeletion */
	bool watched;    /* the add-partitions listener is registered */
	uint32_t listed_stamp; /* event stamp: named by the children list being handled */
};

/* A growable array of fixed-size items. */
struct kc_vec {
	void *data;
	uint32_t len, cap, item;
};

/* ControllerBrokerRequestBatch (spec §8): entries until flushed. */
struct kc_batch_value {
	int32_t leader, leader_epoch, ctrl_epoch, zk_version;
	uint32_t isr_off, ar_off; /* into the batch's int pool */
	uint8_t isr_len, ar_len;
};
struct kc_batch_lair {
	int32_t broker;
	uint32_t pid, val;
};
struct kc_batch_umr {
	uint32_t pid, val, set; /* set: index into the batch's recipient sets */
};
struct kc_batch_stop {
	int32_t broker;
	uint32_t pid;
	bool del, cb;
};
struct kc_batch {
	struct kc_vec lair, umr, stop, values, ints, sets; /* sets: (off, len) into ints */
	uint64_t deleting_sets; /* recipient lists owed the partitions being deleted */
	/* Entries added in canonical order, each (partition, broker) or (UpdateMetadata) each
	 * partition once: the flush then keeps insertion order, with no keys to sort or compare.
	 * Callers walk partitions in that order, so this is the usual case. */
	bool lair_ordered, umr_ordered;
	uint64_t lair_key, umr_key; /* the canonical key of the last entry added */
	uint32_t lair_run;          /* the first LeaderAndIsr entry with key lair_key */
	/* the last value, pushed from partition cached_pid's cache as of c->cache_gen cached_gen
	 * (KC_NONE: none): the next replica of that partition takes it with no comparison */
	uint32_t cached_pid, cached_gen;
	/* UpdateMetadata entries added with no value (KC_NONE) say what their partition's cache
	 * says at the flush: set while nothing between the adds and the flush writes the cache */
	bool umr_from_cache;
	/* which of `sets` lists every registered broker, as of registered_gen (reg_known) */
	bool reg_known;
	uint32_t reg_set, reg_gen;
};

struct kc_controller {
	struct kc_config cfg;
	struct kc_store st;
	struct kc_sink sink;

	/* controller epoch and the version of /controller_epoch it wrote */
	int32_t epoch, epoch_zk_version;
	bool active;            /* channel manager running (isActive) */
	bool replica_sm_started, partition_sm_started;
	uint32_t correlation_id;

	/* brokers: registered (liveOrShuttingDown) and shutting down, as bitmaps and sorted ids */
	uint64_t *registered, *shutting;
	struct kc_vec registered_ids; /* int32_t, ascending */
	uint32_t registered_gen;      /* moves on whenever registered_ids is rewritten */

	struct kc_part *parts;
	uint32_t n_parts, cap_parts;
	struct kc_topic *topics;
	uint32_t n_topics, cap_topics;
	struct kc_vec pool;     /* int32_t: AR, ISR and RAR slices */
	struct kc_vec rs_pool;  /* struct kc_rs */
	struct kc_rs rs_overflow; /* kc_rstate_slot's entry for a replica a full map cannot add */
	/* kc_replica_edge_valid as masks, by target: bit s when s → target is valid (asked once
	 * per replica of every transition) */
	uint8_t replica_valid_from[8];
	struct kc_vec pids;     /* uint32_t: each topic's pids by number */
	/* every partition with an AR in canonical order, as of parts_gen (which moves on whenever a
	 * topic's pids or a `known` flag change): most events walk it, few change it */
	struct kc_vec all_pids;
	uint32_t all_pids_gen, parts_gen;
	/* moves on whenever a partition's cached AR, leadership or `known` flag is written */
	uint32_t cache_gen;

	/* the deletion manager: started (thread running) and its wake-up flag */
	bool deletion_started, deletion_signal;
	uint32_t n_deleting;    /* partitions flagged `deleting` */
	/* partitions flagged `reassigning`, `preferred`: a failover looks for them only when some
	 * are (kc_set_reassigning, kc_set_preferred keep the counts) */
	uint32_t n_reassigning, n_preferred;

	struct kc_batch replica_batch, partition_batch, controller_batch;

	/* per-event accounting */
	uint32_t event_stamp, touched_count;

	/* scratch */
	struct kc_vec tmp_pids, tmp_pids2, tmp_ints;
	uint32_t *broker_slot;  /* broker id -> group, during a flush; KC_NONE otherwise */
};

/* ---- vec, pools, sets (kc_context.c) ---- */
void kc_vec_init(struct kc_vec *v, uint32_t item);
void kc_vec_free(struct kc_vec *v);
void kc_vec_grow(struct kc_vec *v, uint32_t need); /* kc_vec_reserve's slow path */
/* Room for `need` items; traps on OOM. The check inline: most calls find the room there. */
static inline void kc_vec_reserve(struct kc_vec *v, uint32_t need)
{
	if (need > v->cap)
		kc_vec_grow(v, need);
}
/* Append one zeroed item (inline: the core pushes millions of them in a large failover). */
static inline void *kc_vec_push(struct kc_vec *v)
{
	if (v->len == v->cap)
		kc_vec_grow(v, v->len + 1);
	void *p = (char *)v->data + (size_t)v->len++ * v->item;
	/* the usual sizes as constants, zeroed in a store or two rather than a call to memset */
	switch (v->item) {
	case 4:
		memset(p, 0, 4);
		break;
	case 8:
		memset(p, 0, 8);
		break;
	case 12:
		memset(p, 0, 12);
		break;
	case 16:
		memset(p, 0, 16);
		break;
	default:
		memset(p, 0, v->item);
		break;
	}
	return p;
}
static inline void *kc_vec_at(const struct kc_vec *v, uint32_t i)
{
	return (char *)v->data + (size_t)i * v->item;
}
static inline int32_t *kc_slice_ptr(const struct kc_controller *c, struct kc_slice s)
{
	return (int32_t *)c->pool.data + s.off;
}
void kc_slice_set(struct kc_controller *c, struct kc_slice *s, const int32_t *v, uint32_t n);
static inline bool kc_list_has(const int32_t *v, uint32_t n, int32_t x)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}
/* Copy a replica list. A loop, not memcpy: with a small unknown length gcc inlines memcpy as
 * `rep movsq`, whose start-up costs more than the copy (a tenth of a large failover). */
static inline void kc_copy_ints(int32_t *dst, const int32_t *src, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		dst[i] = src[i];
}
void kc_fatal_oom(void);

/* Broker bitmaps, inline: every replica of a large event asks about its broker. */
static inline bool kc_bit(const uint64_t *bits, int32_t b)
{
	return b >= 0 && b <= KC_MAX_BROKER_ID && (bits[b >> 6] >> (b & 63) & 1);
}
static inline bool kc_registered(const struct kc_controller *c, int32_t b) /* liveOrShuttingDown */
{
	return kc_bit(c->registered, b);
}
static inline bool kc_live(const struct kc_controller *c, int32_t b) /* liveBrokerIds */
{
	return kc_bit(c->registered, b) && !kc_bit(c->shutting, b);
}
const int32_t *kc_registered_list(const struct kc_controller *c, uint32_t *n);
void kc_set_shutting_down(struct kc_controller *c, int32_t b, bool on);

struct kc_part *kc_part_grow(struct kc_controller *c, uint32_t pid); /* pid past the known ones */
static inline struct kc_part *kc_part(struct kc_controller *c, uint32_t pid)
{
	return pid < c->n_parts ? &c->parts[pid] : kc_part_grow(c, pid);
}
struct kc_topic *kc_topic(struct kc_controller *c, uint32_t topic);
/* Count pid among the partitions this event touched (controller_op_cost is charged per one). */
static inline void kc_touch(struct kc_controller *c, uint32_t pid)
{
	struct kc_part *p = kc_part(c, pid);
	if (p->touched != c->event_stamp) {
		p->touched = c->event_stamp;
		c->touched_count++;
	}
}
void kc_event_begin(struct kc_controller *c);
/* The one writer of a partition's `known` flag (in partitionReplicaAssignment). */
static inline void kc_set_known(struct kc_controller *c, struct kc_part *p, bool known)
{
	if (p->known != known) {
		p->known = known;
		c->parts_gen++;
		c->cache_gen++;
	}
}

/* The writers of a partition's `reassigning` and `preferred` flags. */
static inline void kc_set_reassigning(struct kc_controller *c, struct kc_part *p, bool on)
{
	c->n_reassigning += (uint32_t)on - (uint32_t)p->reassigning;
	p->reassigning = on;
}
static inline void kc_set_preferred(struct kc_controller *c, struct kc_part *p, bool on)
{
	c->n_preferred += (uint32_t)on - (uint32_t)p->preferred;
	p->preferred = on;
}

/* copy a partition's AR / cached ISR to a caller buffer of KC_MAX_REPLICAS */
uint32_t kc_get_ar(const struct kc_controller *c, uint32_t pid, int32_t *out);
void kc_set_ar(struct kc_controller *c, uint32_t pid, const int32_t *ar, uint32_t n);
bool kc_get_lead(const struct kc_controller *c, uint32_t pid, struct kc_lisr *out);
void kc_cache_lead(struct kc_controller *c, uint32_t pid, const struct kc_lisr *v, int32_t ctrl_epoch);
/* canonical iteration key: (topic id, partition number) */
static inline uint64_t kc_part_key(const struct kc_controller *c, uint32_t pid)
{
	const struct kc_part *p = &c->parts[pid];
	return (uint64_t)p->topic << 32 | p->number;
}

/* replica and partition state maps */
int kc_rstate(const struct kc_controller *c, uint32_t pid, int32_t broker); /* KC_NO_STATE */
void kc_rstate_put(struct kc_controller *c, uint32_t pid, int32_t broker, uint8_t s);
/* The entry of (pid, broker), added as NonExistent when missing: one lookup for a transition
 * that reads and then writes the state. Valid until the next entry is added to any map. */
struct kc_rs *kc_rstate_slot(struct kc_controller *c, uint32_t pid, int32_t broker);
void kc_rstate_remove(struct kc_controller *c, uint32_t pid, int32_t broker);

/* the context: load from the store (initializeControllerContext minus the managers) */
void kc_load_topics(struct kc_controller *c, const uint32_t *topics, uint32_t n, struct kc_vec *loaded);
void kc_load_brokers(struct kc_controller *c, const int32_t *ids, uint32_t n);
void kc_remove_topic(struct kc_controller *c, uint32_t topic);
/* let the context name a partition the store reported, before it has an AR */
void kc_note_partition(struct kc_controller *c, uint32_t topic, uint32_t number, uint32_t pid);
/* partitions of a topic that have an AR, by number, into c->tmp_* style vec (uint32 pids) */
void kc_topic_partitions(const struct kc_controller *c, uint32_t topic, struct kc_vec *out);
/* every partition with an AR, canonical order */
void kc_all_partitions(struct kc_controller *c, struct kc_vec *out);
bool kc_store_topic_unclean(struct kc_controller *c, uint32_t topic);

/* replica sets are (pid, broker) pairs in canonical order */
struct kc_replica {
	uint32_t pid;
	int32_t broker;
};

/* ---- request batch (kc_batch.c) ---- */
void kc_batch_init(struct kc_batch *b);
void kc_batch_free(struct kc_batch *b);
bool kc_batch_new(struct kc_controller *c, struct kc_batch *b);
void kc_batch_add_lair(struct kc_controller *c, struct kc_batch *b, const int32_t *to, uint32_t n_to,
		       uint32_t pid, const struct kc_lisr *v, int32_t ctrl_epoch, const int32_t *ar,
		       uint32_t ar_len);
/* kc_batch_add_lair with the partition's cached leadership and AR (it has a leader cached) */
void kc_batch_add_lair_cached(struct kc_controller *c, struct kc_batch *b, const int32_t *to, uint32_t n_to,
			      uint32_t pid);
void kc_batch_add_stop(struct kc_controller *c, struct kc_batch *b, int32_t broker, uint32_t pid,
		       bool del, bool callback);
/* pids == NULL: every partition with cached leadership */
void kc_batch_add_umr(struct kc_controller *c, struct kc_batch *b, const int32_t *to, uint32_t n_to,
		      const uint32_t *pids, uint32_t n_pids);
void kc_batch_flush(struct kc_controller *c, struct kc_batch *b);
/* sendUpdateMetadataRequest on the controller's own batch */
void kc_send_update_metadata(struct kc_controller *c, const int32_t *to, uint32_t n_to,
			     const uint32_t *pids, uint32_t n_pids);

/* ---- state machines (kc_replica_sm.c, kc_partition_sm.c) ---- */
void kc_replica_changes(struct kc_controller *c, const struct kc_replica *r, uint32_t n,
			enum kc_replica_state target, bool deletion_callback);
void kc_replica_sm_startup(struct kc_controller *c);
void kc_partition_changes(struct kc_controller *c, const uint32_t *pids, uint32_t n,
			  enum kc_partition_state target, enum kc_selector sel);
void kc_partition_sm_startup(struct kc_controller *c);
void kc_trigger_online_partitions(struct kc_controller *c);
/* removeReplicaFromIsr (spec §6.9); false when there is no state znode */
bool kc_remove_replica_from_isr(struct kc_controller *c, uint32_t pid, int32_t replica,
				struct kc_lisr *out, enum kc_reason *why);
/* the replicas (canonical order) of pids; with `on`, only those on its brokers */
void kc_replicas_of_partitions(struct kc_controller *c, const uint32_t *pids, uint32_t n, const int32_t *on,
			       uint32_t n_on, struct kc_vec *out);
void kc_log_state(struct kc_controller *c, bool is_partition, bool applied, uint32_t pid,
		  int32_t broker, int from, int to, enum kc_reason why, int32_t leader);

/* ---- selectors (kc_selectors.c): spec §4, 0.8.2 ---- */
struct kc_select_out {
	struct kc_lisr lisr;
	int32_t recipients[KC_MAX_REPLICAS];
	uint32_t n_recipients;
	bool not_needed;    /* LeaderElectionNotNeeded: swallowed, the partition goes Online */
	bool unclean_used;
};
/* Select a leader for pid from the state znode value `cur`; KC_OK or the failure. The offline
 * selector reads the topic's unclean setting from the store when no ISR member is live. */
enum kc_reason kc_select_leader(struct kc_controller *c, enum kc_selector sel, uint32_t pid,
				const struct kc_lisr *cur, struct kc_select_out *out);

/* ---- controller callbacks shared between modules ---- */
void kc_on_partition_reassignment(struct kc_controller *c, uint32_t pid);
void kc_initiate_reassignment(struct kc_controller *c, uint32_t pid, const int32_t *rar, uint32_t n);
void kc_remove_from_reassignment(struct kc_controller *c, uint32_t pid);
void kc_on_preferred_election(struct kc_controller *c, const uint32_t *pids, uint32_t n, bool automatic);
void kc_initialize_reassignment_and_preferred(struct kc_controller *c);

/* ---- deletion manager (kc_deletion.c) ---- */
/* inline: asked about every partition or replica of a large event */
static inline bool kc_deletion_enabled(const struct kc_controller *c) { return c->cfg.delete_topic_enable; }
static inline bool kc_topic_queued(const struct kc_controller *c, uint32_t topic)
{
	return kc_deletion_enabled(c) && topic < c->n_topics && c->topics[topic].queued;
}
static inline bool kc_part_deleting(const struct kc_controller *c, uint32_t pid)
{
	return kc_deletion_enabled(c) && pid < c->n_parts && c->parts[pid].deleting;
}
void kc_deletion_init(struct kc_controller *c);
void kc_deletion_start(struct kc_controller *c);
void kc_deletion_shutdown(struct kc_controller *c);
void kc_deletion_enqueue(struct kc_controller *c, const uint32_t *topics, uint32_t n);
void kc_deletion_resume(struct kc_controller *c, const uint32_t *topics, uint32_t n);
void kc_deletion_mark_ineligible(struct kc_controller *c, const uint32_t *topics, uint32_t n);
void kc_deletion_fail_replicas(struct kc_controller *c, const struct kc_replica *r, uint32_t n);

#endif
