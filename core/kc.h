/* kc.h — the one public header of libkc: Apache Kafka's ZooKeeper-era controller (0.8.2
 * profile) as a pure library. The caller owns time, I/O and the metadata store; the core only
 * decides. Everything here is reached through this header (sim/ includes nothing else).
 *
 * Model (spec/controller.md): a kc_controller is the controller module of one broker. The
 * caller drives it with Kafka's callbacks (failover, watch handlers, responses, admin
 * requests); the core reads and writes ZooKeeper through struct kc_store, and reports
 * requests and state-change records through struct kc_sink. Every call runs to completion.
 *
 * Ids: brokers are Kafka broker ids (0..KC_MAX_BROKER_ID). Topics and partitions are dense
 * ids handed out by the store: a topic id names a topic *name* (the same name keeps its id
 * across delete and re-create, as Kafka keys by name); a pid names (topic id, partition
 * number). Iteration order everywhere: topics by id, partitions by number, brokers by id. */
#ifndef KC_H
#define KC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KC_MAX_BROKER_ID 1000000
#define KC_MAX_RF 64
/* A partition's replica list during a 0.8.2 reassignment is old ∪ new. */
#define KC_MAX_REPLICAS (2 * KC_MAX_RF)
#define KC_NO_LEADER (-1)
#define KC_LEADER_DURING_DELETE (-2)

/* ---- states and names (Kafka's byte values) ---------------------------------------------- */
enum kc_replica_state {
	KC_NEW_REPLICA = 1,
	KC_ONLINE_REPLICA = 2,
	KC_OFFLINE_REPLICA = 3,
	KC_REPLICA_DELETION_STARTED = 4,
	KC_REPLICA_DELETION_SUCCESSFUL = 5,
	KC_REPLICA_DELETION_INELIGIBLE = 6,
	KC_NON_EXISTENT_REPLICA = 7,
};
enum kc_partition_state {
	KC_NEW_PARTITION = 0,
	KC_ONLINE_PARTITION = 1,
	KC_OFFLINE_PARTITION = 2,
	KC_NON_EXISTENT_PARTITION = 3,
};
/* The leader selectors of spec §4. */
enum kc_selector {
	KC_SEL_OFFLINE,
	KC_SEL_REASSIGNED,
	KC_SEL_PREFERRED,
	KC_SEL_CONTROLLED_SHUTDOWN,
	KC_SEL_NOOP,
};
const char *kc_replica_state_name(int state);   /* "OnlineReplica"; NULL if not a state */
const char *kc_partition_state_name(int state); /* "OnlinePartition" */
const char *kc_selector_name(enum kc_selector sel);
/* Parse Kafka's state name; returns the state or -1. */
int kc_replica_state_parse(const char *name);
int kc_partition_state_parse(const char *name);
/* The valid-previous-states tables (spec §2.2, §3.1) for the profile. */
bool kc_replica_edge_valid(int from, int to);
bool kc_partition_edge_valid(int from, int to);

/* ---- profile, injections ------------------------------------------------------------------ */
/* Which Kafka version's controller to reproduce. Only 0.8.2 exists. A later profile is a value
 * here tested at the places where the spec's version tables differ — the guard table and the
 * OfflineReplica action (spec §2.2, §2.4), the controlled-shutdown selector (§4.4), the last-ISR
 * rule of removeReplicaFromIsr (§6.9), UpdateMetadata's "all partitions" meaning (§8.2),
 * reassignment admission (§6.7) and the epoch bump at election (§9.3) — not a fork. */
enum kc_profile { KC_PROFILE_0_8_2 = 0 };

/* Historical bugs (spec §13, "fixed" rows) and checker self-tests that live in the core. Each is
 * off unless set in kc_config.inject; when off it changes nothing. */
enum kc_inject {
	KC_INJECT_KAFKA_1503 = 1u << 0, /* offline election takes the head of the live ISR */
	KC_INJECT_KAFKA_1742 = 1u << 1, /* removeTopic drops only leading entries (dropWhile) */
	KC_INJECT_KAFKA_1681 = 1u << 2, /* failover does not wake the deletion thread */
	KC_INJECT_KAFKA_1558 = 1u << 3, /* delete listener enqueues before marking ineligible */
	KC_INJECT_KAFKA_1188 = 1u << 4, /* controller ISR shrink LeaderAndIsr goes to the leader only */
	KC_INJECT_SELFTEST_SKIP_REPLICA_GUARD = 1u << 8,
	KC_INJECT_SELFTEST_SKIP_PARTITION_GUARD = 1u << 9,
	KC_INJECT_SELFTEST_NEW_REPLICA_FOR_LEADER = 1u << 10,
	KC_INJECT_SELFTEST_LEADER_OUTSIDE_ISR = 1u << 11,
};

struct kc_config {
	enum kc_profile profile;
	int32_t broker_id;                /* the broker this controller module runs in */
	bool delete_topic_enable;
	bool unclean_leader_election;     /* broker default; topics may override (store) */
	bool auto_leader_rebalance;
	uint32_t leader_imbalance_per_broker_percentage;
	uint32_t inject;                  /* enum kc_inject bits */
};

/* ---- values exchanged with the store ------------------------------------------------------- */
/* LeaderIsrAndControllerEpoch plus the state znode's data version (zkVersion). */
struct kc_lisr {
	int32_t leader;
	int32_t leader_epoch;
	int32_t controller_epoch;
	int32_t zk_version;
	uint32_t isr_len;
	int32_t isr[KC_MAX_REPLICAS];
};

/* One partition of a topic znode (/brokers/topics/<t>), or of an admin request. */
struct kc_assigned {
	uint32_t partition;       /* partition number */
	uint32_t pid;             /* store-assigned dense id (ignored when the core writes) */
	uint32_t n_replicas;
	const int32_t *replicas;  /* ordered: first = preferred replica */
};

/* An entry of /admin/reassign_partitions or /admin/preferred_replica_election. */
struct kc_admin_entry {
	uint32_t topic;
	uint32_t partition;
	uint32_t n_replicas;      /* reassignment only */
	const int32_t *replicas;
};

enum kc_zk_rc { KC_ZK_OK = 0, KC_ZK_NONODE, KC_ZK_NODEEXISTS, KC_ZK_BADVERSION };

enum kc_watch {
	KC_WATCH_BROKERS,          /* children of /brokers/ids */
	KC_WATCH_TOPICS,           /* children of /brokers/topics */
	KC_WATCH_DELETE_TOPICS,    /* children of /admin/delete_topics */
	KC_WATCH_REASSIGN,         /* data of /admin/reassign_partitions */
	KC_WATCH_PREFERRED,        /* data of /admin/preferred_replica_election */
	KC_WATCH_TOPIC,            /* data of /brokers/topics/<id> (add partitions) */
	KC_WATCH_PARTITION_STATE,  /* data of a state znode <id = pid> (reassignment ISR) */
};

/* The metadata store, in the shape of 0.8.2's ZkUtils calls. Every call is synchronous and
 * sees the store as it is now. Arrays returned through pointers stay valid until the next
 * store call. bulk_begin/bulk_end bracket a loop over independent items (Kafka's per-partition
 * loops) so that a pipelining store can overlap them; brackets nest. */
struct kc_store {
	void *self;
	void (*bulk_begin)(void *self);
	void (*bulk_end)(void *self);
	/* /controller_epoch */
	enum kc_zk_rc (*read_controller_epoch)(void *self, int32_t *epoch, int32_t *version);
	enum kc_zk_rc (*set_controller_epoch)(void *self, int32_t epoch, int32_t expected_version,
					      int32_t *new_version);
	enum kc_zk_rc (*create_controller_epoch)(void *self, int32_t epoch);
	/* /brokers/ids children, ascending */
	void (*list_brokers)(void *self, const int32_t **ids, uint32_t *n);
	/* getBrokerInfo: is /brokers/ids/<id> there now (one read)? Optional: NULL means the
	 * children list is taken as read. */
	bool (*broker_exists)(void *self, int32_t id);
	/* /brokers/topics children (topic ids, ascending) and one topic's partitions by number */
	void (*list_topics)(void *self, const uint32_t **topics, uint32_t *n);
	enum kc_zk_rc (*read_topic)(void *self, uint32_t topic, const struct kc_assigned **parts,
				    uint32_t *n);
	/* rewrite the whole topic map (reassignment); pids of existing partitions are kept */
	enum kc_zk_rc (*write_topic)(void *self, uint32_t topic, const struct kc_assigned *parts,
				     uint32_t n);
	/* unclean.leader.election.enable for the topic: override or default (one read) */
	bool (*read_topic_unclean)(void *self, uint32_t topic, bool broker_default);
	/* /brokers/topics/<t>/partitions/<p>/state */
	enum kc_zk_rc (*read_state)(void *self, uint32_t pid, struct kc_lisr *out);
	enum kc_zk_rc (*create_state)(void *self, uint32_t pid, const struct kc_lisr *v);
	enum kc_zk_rc (*update_state)(void *self, uint32_t pid, const struct kc_lisr *v,
				      int32_t expected_version, int32_t *new_version);
	/* /admin/delete_topics */
	void (*list_delete_topics)(void *self, const uint32_t **topics, uint32_t *n);
	void (*delete_admin_delete_topic)(void *self, uint32_t topic);
	/* completeDeleteTopic: topic znode (recursively), config znode, admin entry */
	void (*delete_topic_paths)(void *self, uint32_t topic);
	/* /admin/reassign_partitions; writing zero entries deletes the znode */
	enum kc_zk_rc (*read_reassign)(void *self, const struct kc_admin_entry **e, uint32_t *n);
	void (*write_reassign)(void *self, const struct kc_admin_entry *e, uint32_t n);
	/* /admin/preferred_replica_election */
	enum kc_zk_rc (*read_preferred)(void *self, const struct kc_admin_entry **e, uint32_t *n);
	void (*delete_preferred)(void *self);
	/* watches: registration is free; the store fires them as the caller's events */
	void (*watch)(void *self, enum kc_watch kind, uint32_t id, bool on);
};

/* ---- what the core reports ------------------------------------------------------------------ */
enum kc_request_type { KC_REQ_LEADER_AND_ISR, KC_REQ_UPDATE_METADATA, KC_REQ_STOP_REPLICA };

struct kc_partition_info {
	uint32_t pid;
	int32_t leader;          /* KC_LEADER_DURING_DELETE in UpdateMetadata of a deleting topic */
	int32_t leader_epoch;
	int32_t controller_epoch;
	int32_t zk_version;
	uint32_t isr_len;
	const int32_t *isr;
	uint32_t ar_len;
	const int32_t *ar;
};

/* One request of a flushed batch. An UpdateMetadata may name several recipients that share
 * the one payload; the others have exactly one. Pointers live until the callback returns. */
struct kc_request {
	enum kc_request_type type;
	int32_t controller_id;
	int32_t controller_epoch;
	uint32_t correlation_id;                  /* one per flush: shared by all its requests */
	uint32_t n_to;
	const int32_t *to;
	uint32_t n_entries;                       /* LeaderAndIsr, UpdateMetadata */
	const struct kc_partition_info *entries;
	uint32_t n_leaders;                       /* LeaderAndIsr: live-or-shutting-down leaders */
	const int32_t *leaders;
	uint32_t n_live;                          /* UpdateMetadata: live-or-shutting-down brokers */
	const int32_t *live;
	uint32_t stop_pid;                        /* StopReplica: its single partition */
	bool stop_delete;
	bool stop_wants_response;                 /* topic deletion's callback */
};

/* Why a transition was refused or failed (Kafka's state-change log reasons). */
#define KC_REASONS(X)                                                                    \
	X(KC_OK, "")                                                                     \
	X(KC_FAIL_INVALID_EDGE, "not a valid previous state")                           \
	X(KC_FAIL_NOT_STARTED, "state machine has not started")                         \
	X(KC_FAIL_REPLICA_IS_LEADER, "replica is being requested to become leader")     \
	X(KC_FAIL_NO_LEADERSHIP, "leader and isr path in zookeeper is empty")          \
	X(KC_FAIL_NO_REPLICA_ALIVE, "no assigned replica is alive")                     \
	X(KC_FAIL_STATE_EXISTS, "leader and isr path already written by another controller") \
	X(KC_FAIL_NO_STATE_ZNODE, "LeaderAndIsr information doesn't exist")             \
	X(KC_FAIL_NEWER_CONTROLLER, "another controller was elected with a higher epoch") \
	X(KC_FAIL_NO_REPLICA_ONLINE, "no replica in ISR is alive")                      \
	X(KC_FAIL_NO_RAR, "reassigned replicas are empty")                              \
	X(KC_FAIL_RAR_NOT_IN_ISR, "no reassigned replica is alive and in the ISR")      \
	X(KC_FAIL_PREFERRED_NOT_ELIGIBLE, "preferred replica is not alive or not in the ISR") \
	X(KC_FAIL_SHUTDOWN_NO_ISR, "no other ISR member to take over")                  \
	X(KC_FAIL_BATCH_NOT_EMPTY, "controller to broker batch is not empty while creating a new one") \
	X(KC_FAIL_UNKNOWN_PARTITION, "partition has no assigned replicas")

enum kc_reason {
#define KC_REASON_ENUM(name, text) name,
	KC_REASONS(KC_REASON_ENUM)
#undef KC_REASON_ENUM
};
const char *kc_reason_text(enum kc_reason r);

/* One record of Kafka's state-change log: a transition applied, or refused with a reason. */
struct kc_state_change {
	bool is_partition;
	bool applied;
	uint32_t pid;
	int32_t broker;           /* replica transitions */
	uint8_t from, to;
	enum kc_reason reason;
	int32_t leader;           /* partition → Online: the leader afterwards */
	int32_t controller_id;
	int32_t controller_epoch;
};

/* An election the core ran (for the election_rule checker): what it read and chose. */
struct kc_election {
	uint32_t pid;
	enum kc_selector selector;
	const struct kc_lisr *before;     /* the state znode the election read */
	uint32_t ar_len;
	const int32_t *ar;                /* AR (RAR for the reassigned selector) */
	bool ok;
	int32_t leader;                   /* chosen leader when ok */
	uint32_t isr_len;
	const int32_t *isr;               /* new ISR when ok */
	bool unclean;                     /* ok, and the leader was not in the live ISR */
};

struct kc_sink {
	void *self;
	void (*request)(void *self, const struct kc_request *r);
	void (*state_change)(void *self, const struct kc_state_change *c);
	void (*election)(void *self, const struct kc_election *e);
	/* The channel manager added (open) or removed a broker's queue (spec §8.4). Optional. */
	void (*channel)(void *self, int32_t broker, bool open);
};

/* ---- the controller ------------------------------------------------------------------------ */
struct kc_controller;

/* NULL on allocation failure. The store and sink must outlive the controller. */
struct kc_controller *kc_controller_new(const struct kc_config *cfg, const struct kc_store *st,
					const struct kc_sink *sink);
void kc_controller_free(struct kc_controller *c);

/* Controller election won: onControllerFailover (spec §6.1). Returns false if it aborted with
 * ControllerMovedException (the elector then resigns and deletes /controller). */
bool kc_on_controller_failover(struct kc_controller *c);
/* onControllerResignation (spec §6.2). */
void kc_on_controller_resignation(struct kc_controller *c);
/* `initial:` set-up: read the controller epoch, load the context from the store as failover
 * step 5 does and register the listeners, with no failover action and no request. Both
 * state maps start empty (no entry = NonExistent) and are then set with kc_initial_set_*. */
void kc_load_initial(struct kc_controller *c);
void kc_initial_set_partition_state(struct kc_controller *c, uint32_t pid, enum kc_partition_state s);
void kc_initial_set_replica_state(struct kc_controller *c, uint32_t pid, int32_t broker, int s);
/* Instant start-up's direct construction (architecture S1), in place of kc_on_topic_change for
 * the start-up topics: the same store writes, context and requests (onNewTopicCreation's
 * OnlinePartition pass: each partition with a live replica gets its state znode, one
 * LeaderAndIsr per live replica's broker, one UpdateMetadata), but NewPartition and the
 * replica states (all OnlineReplica) are set directly, without the state machines' passes and
 * with no state-change record for them. */
void kc_initial_topics_created(struct kc_controller *c, const uint32_t *topics, uint32_t n);

/* Watch handlers, given what the watcher's client read when the notification arrived. */
void kc_on_broker_change(struct kc_controller *c, const int32_t *children, uint32_t n);
void kc_on_topic_change(struct kc_controller *c, const uint32_t *topics, uint32_t n);
void kc_on_topic_data_change(struct kc_controller *c, uint32_t topic);
void kc_on_delete_topics_change(struct kc_controller *c, const uint32_t *topics, uint32_t n);
void kc_on_reassign_change(struct kc_controller *c, const struct kc_admin_entry *e, uint32_t n);
void kc_on_preferred_change(struct kc_controller *c, const struct kc_admin_entry *e, uint32_t n);
void kc_on_partition_state_change(struct kc_controller *c, uint32_t pid);

/* The delete-topics thread (architecture S5): a signal flag plus one pass per event. */
bool kc_take_deletion_signal(struct kc_controller *c);
void kc_deletion_pass(struct kc_controller *c);
/* A StopReplica(delete=true) response from a broker (error != 0: failed). */
void kc_on_stop_replica_response(struct kc_controller *c, int32_t broker, uint32_t pid, int error);
/* One auto leader rebalance check (spec §6.11). */
void kc_on_rebalance_check(struct kc_controller *c);

enum kc_shutdown_rc { KC_SHUTDOWN_OK, KC_SHUTDOWN_NOT_CONTROLLER, KC_SHUTDOWN_BROKER_NOT_AVAILABLE };
/* ControlledShutdownRequest (spec §6.12); *remaining = partitions (RF > 1) it still leads. */
enum kc_shutdown_rc kc_on_controlled_shutdown(struct kc_controller *c, int32_t broker,
					      uint32_t *remaining);

/* Drive the state machines directly (one handleStateChanges call each). */
void kc_replica_transition(struct kc_controller *c, uint32_t pid, const int32_t *brokers,
			   uint32_t n, enum kc_replica_state target);
void kc_partition_transition(struct kc_controller *c, const uint32_t *pids, uint32_t n,
			     enum kc_partition_state target, enum kc_selector sel);

/* ---- queries (read-only views of the controller's context) --------------------------------- */
bool kc_is_active(const struct kc_controller *c);
int32_t kc_epoch(const struct kc_controller *c);
/* Replica state; KC_NON_EXISTENT_REPLICA when there is no entry. */
int kc_replica_state(const struct kc_controller *c, uint32_t pid, int32_t broker);
/* Partition state; KC_NON_EXISTENT_PARTITION when there is no entry. */
int kc_partition_state(const struct kc_controller *c, uint32_t pid);
bool kc_broker_live(const struct kc_controller *c, int32_t broker);
bool kc_broker_shutting_down(const struct kc_controller *c, int32_t broker);
bool kc_topic_queued_for_deletion(const struct kc_controller *c, uint32_t topic);
bool kc_partition_being_reassigned(const struct kc_controller *c, uint32_t pid);
/* The cached leadership, or false when none is cached. */
bool kc_cached_leadership(const struct kc_controller *c, uint32_t pid, struct kc_lisr *out);
/* Partitions the last call read, wrote or changed the state of (distinct), for cost. */
uint32_t kc_touched_partitions(const struct kc_controller *c);

#endif
