/* sim_scenario.h — a scenario file (spec/scenario-format.md) as a fully validated in-memory
 * struct. sim_scenario_load reads the YAML, applies `--set` overrides, and checks everything
 * the contract makes an input error before anything runs; what it returns needs no further
 * checking by the run loop.
 *
 * Ids are dense everywhere:
 *   - brokers by Kafka id (int32_t), declared ids listed in sim_scenario.brokers, ascending;
 *   - topics by index into sim_scenario.topics (every topic NAME the file mentions, once, in
 *     creation order: see struct sim_topic);
 *   - partitions as (topic index, partition number): struct sim_pref.
 * Variable-length lists (broker lists, replica lists, assignments) are spans into one pool,
 * sim_scenario.ints; lists of partitions are spans into sim_scenario.prefs. No per-item
 * allocation: a scenario of 100,000 topics is a handful of arrays.
 * Times and durations are integer microseconds of simulated time (<= 720h). */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kc.h"
#include "sim_catalog.h"
#include "sim_error.h"

/* ---- limits (scenario-format "Limits"); exceeding one is an input error naming it ---------- */
#define SIM_MAX_BROKERS 10000
#define SIM_MAX_BROKER_ID KC_MAX_BROKER_ID /* 1,000,000 */
#define SIM_MAX_TOPICS 1000000
#define SIM_MAX_PARTITIONS 4000000 /* in all: the sum over topics of sim_topic.max_partitions */
#define SIM_MAX_RF KC_MAX_RF       /* 64; also <= brokers declared */
#define SIM_MAX_TIMELINE 1000000
#define SIM_MAX_EXPECT 1000000
#define SIM_MAX_NAME 200           /* scenario and topic names: [A-Za-z0-9._-], not '.' first */

/* A scenario that can hold this many partitions (n_partitions_max) is large: by default its run
 * gets the helpers that pay only at scale, the page-fault thread (sim_prefault.h) and instant
 * start-up's direct construction (sim_startup.c). */
#define SIM_LARGE_PARTITIONS 50000u

/* A list of n items at off in a pool (sim_scenario.ints or .prefs, as the field says). */
struct sim_span {
	uint32_t off, n;
};

/* A partition: topic index and partition number (< that topic's max_partitions). */
struct sim_pref {
	uint32_t topic;
	uint32_t partition;
};

/* ---- config ------------------------------------------------------------------------------ */
enum sim_zk_mode { SIM_ZK_SYNC, SIM_ZK_PIPELINED };

/* scenario-format `config`, defaults applied. Durations in µs. */
struct sim_config {
	uint64_t zk_session_timeout_us;          /* > 0 */
	uint64_t zk_read_latency_us;
	uint64_t zk_write_latency_us;
	enum sim_zk_mode zk_mode;
	uint32_t zk_max_in_flight;               /* >= 1 */
	uint64_t rpc_latency_us;
	uint64_t controller_op_cost_us;
	uint64_t controller_request_entry_cost_us;
	uint64_t broker_op_cost_us;
	bool batch_requests;
	bool unclean_leader_election;            /* topic default */
	uint64_t replica_lag_time_max_us;
	uint64_t isr_check_interval_us;          /* > 0; = replica_lag_time_max_us when absent */
	uint64_t replica_catch_up_us;
	uint32_t controlled_shutdown_max_retries;
	uint64_t controlled_shutdown_retry_backoff_us;
	uint64_t controller_socket_timeout_us;   /* > 0 */
	bool delete_topic_enable;
	bool auto_leader_rebalance;
	uint64_t leader_imbalance_check_interval_us; /* > 0 */
	uint32_t leader_imbalance_per_broker_percentage; /* 0..100 */
	uint64_t latency_jitter_us;
};

/* ---- brokers ----------------------------------------------------------------------------- */
struct sim_broker {
	int32_t id;          /* 0..SIM_MAX_BROKER_ID */
	bool in_cluster;     /* listed in cluster.brokers (else declared by add_broker only) */
	bool down;           /* in cluster.down: not started at time 0 */
};

enum sim_startup { SIM_STARTUP_INSTANT, SIM_STARTUP_SIMULATED };

/* ---- topics ------------------------------------------------------------------------------ */
/* Where a topic name first appears; the table is ordered by it: `topics` (file order), then
 * `topic_sets` (set by set, PREFIX0...), then `initial` (first mention), then `create_topic`
 * names in the order the run executes them (time, then file order). */
enum sim_topic_origin {
	SIM_TOPIC_TOPICS,   /* created at start-up from `topics` */
	SIM_TOPIC_SET,      /* created at start-up from `topic_sets` */
	SIM_TOPIC_INITIAL,  /* exists in `initial` */
	SIM_TOPIC_TIMELINE, /* first created by a timeline create_topic */
};

struct sim_topic {
	const char *name;        /* valid name, NUL-terminated, owned by the scenario */
	enum sim_topic_origin origin;
	/* Start-up topics (TOPICS, SET): how start-up creates them. INITIAL: partitions = the
	 * count listed, rf 0, no assignment. TIMELINE: all zero (the create_topic entry says). */
	uint32_t partitions;
	uint32_t replication_factor;  /* replicas per partition (explicit: the list length) */
	bool explicit_assignment;     /* replicas in ints[assignment .. + partitions * rf] */
	uint32_t assignment;          /* partition-major: partition p's replicas start at
					 assignment + p * rf; the first is the preferred leader */
	int8_t unclean_leader_election; /* -1: config default; 0 / 1: the topic's override */
	/* The largest partition count the file ever gives this topic (start-up, initial,
	 * create_topic, add_partitions): every partition reference is below it. */
	uint32_t max_partitions;
	uint32_t line, col;           /* first mention (1-based; 0 when made by --set) */
};

/* A create_topic or add_partitions placement: either Kafka's (explicit false: partitions and
 * replication_factor) or explicit replica lists. */
struct sim_topic_spec {
	uint32_t topic;               /* topic index */
	uint32_t partitions;          /* create: partitions; add_partitions: the new total */
	uint32_t replication_factor;  /* create: rf (explicit: list length); add: list length or 0 */
	bool explicit_assignment;
	/* Explicit: partitions first_partition .. first_partition + n_assigned - 1, each with
	 * replication_factor replicas, partition-major in ints from `assignment`. create_topic:
	 * first 0, n_assigned = partitions. add_partitions: the listed new partitions, which end
	 * at partitions - 1. */
	uint32_t first_partition;
	uint32_t n_assigned;
	uint32_t assignment;
	int8_t unclean_leader_election; /* create_topic only: -1 default, 0 / 1 override */
};

/* ---- timeline ---------------------------------------------------------------------------- */
enum sim_action {
	SIM_ACT_CRASH,
	SIM_ACT_RESTART,
	SIM_ACT_ADD_BROKER,
	SIM_ACT_SHUTDOWN,
	SIM_ACT_EXPIRE_SESSION,
	SIM_ACT_CONTROLLER_FAILOVER,
	SIM_ACT_PAUSE,
	SIM_ACT_ISOLATE,
	SIM_ACT_ROLLING_RESTART,
	SIM_ACT_CREATE_TOPIC,
	SIM_ACT_DELETE_TOPIC,
	SIM_ACT_ADD_PARTITIONS,
	SIM_ACT_REASSIGN,
	SIM_ACT_PREFERRED_ELECTION,
	SIM_ACT_REPLICA_TRANSITION,
	SIM_ACT_PARTITION_TRANSITION,
	SIM_ACTION_COUNT
};

enum sim_isolate_from {
	SIM_ISOLATE_ZOOKEEPER,
	SIM_ISOLATE_CONTROLLER,
	SIM_ISOLATE_BROKERS,
	SIM_ISOLATE_ALL,
};

/* One reassign item: the partition and its target replicas (ints). */
struct sim_reassign {
	struct sim_pref partition;
	struct sim_span replicas;
};

/* `{at: T, ACTION: ARGS}`. Entries stay in file order (the run sorts them stably by at_us).
 * Broker lists keep the file's order and hold distinct declared ids. */
struct sim_timeline_entry {
	uint64_t at_us;
	enum sim_action action;
	uint32_t line, col;  /* of the entry */
	union {
		struct sim_span brokers;   /* CRASH, RESTART, ADD_BROKER: ids in ints, n >= 1 */
		int32_t broker;            /* SHUTDOWN, EXPIRE_SESSION */
		/* CONTROLLER_FAILOVER: no arguments */
		struct {
			int32_t broker;
			uint64_t for_us;
		} pause;
		struct {
			int32_t broker;
			enum sim_isolate_from from;
			uint64_t for_us;
		} isolate;
		struct {
			bool all;               /* brokers: all (the run takes them in id order) */
			struct sim_span brokers; /* else this list, in this order (ints) */
			bool has_settle;
			uint64_t settle_us;
		} rolling_restart;
		struct sim_topic_spec create_topic;
		uint32_t delete_topic;     /* topic index */
		struct sim_topic_spec add_partitions;
		struct sim_span reassign;  /* items in sim_scenario.reassigns, distinct partitions */
		struct {
			bool all;
			struct sim_span partitions; /* else these (prefs), distinct */
		} preferred_election;
		struct {
			struct sim_pref partition;
			struct sim_span brokers;    /* ints, distinct, n >= 1 */
			int to;                     /* enum kc_replica_state */
		} replica_transition;
		struct {
			struct sim_span partitions; /* prefs, distinct, n >= 1 */
			int to;                     /* enum kc_partition_state */
			enum kc_selector election;  /* default KC_SEL_OFFLINE */
		} partition_transition;
	} u;
};

/* ---- expectations ------------------------------------------------------------------------ */
enum sim_expect_kind {
	SIM_EXPECT_LEADER,
	SIM_EXPECT_ISR,
	SIM_EXPECT_ASSIGNMENT,
	SIM_EXPECT_REPLICA_STATE,
	SIM_EXPECT_PARTITION_STATE,
	SIM_EXPECT_LEADER_EPOCH,
	SIM_EXPECT_CONTROLLER,
	SIM_EXPECT_CONTROLLER_EPOCH,
	SIM_EXPECT_TOPIC_EXISTS,
	SIM_EXPECT_TOPIC_ABSENT,
	SIM_EXPECT_REQUESTS,
	SIM_EXPECT_VIOLATION,
	SIM_EXPECT_KIND_COUNT
};

enum sim_when {
	SIM_WHEN_AT,     /* after every event with time <= t_us */
	SIM_WHEN_WITHIN, /* first moment up to t_us (absolute) when it holds */
	SIM_WHEN_AT_END, /* when the run ends; t_us = 0 */
};

struct sim_expect {
	enum sim_expect_kind kind;
	enum sim_when when;  /* `violation` without at/within/at_end: SIM_WHEN_AT_END */
	uint64_t t_us;
	uint32_t line, col;  /* of the entry: failures name this line */
	union {
		struct {
			struct sim_pref partition;
			int32_t broker;         /* -1: `none` */
		} leader;
		struct {
			struct sim_pref partition;
			struct sim_span brokers; /* ints, distinct; isr: a set, assignment: ordered */
		} brokers;                      /* SIM_EXPECT_ISR, SIM_EXPECT_ASSIGNMENT */
		struct {
			struct sim_pref partition;
			int32_t broker;
			int state;              /* enum kc_replica_state */
		} replica_state;
		struct {
			struct sim_pref partition;
			int state;              /* enum kc_partition_state */
		} partition_state;
		struct {
			struct sim_pref partition;
			int32_t epoch;
		} leader_epoch;
		int32_t controller;             /* broker id, or -1 for `none` */
		int32_t controller_epoch;
		uint32_t topic;                 /* TOPIC_EXISTS, TOPIC_ABSENT: topic index */
		struct {
			int32_t to;
			enum kc_request_type type;
			bool has_partition;
			struct sim_pref partition;
			bool has_delete;        /* StopReplica only */
			bool delete_flag;
			uint64_t count;
		} requests;
		enum sim_invariant violation;   /* also switched on in invariant_on */
	} u;
};

/* ---- initial (transition-level scenarios) ------------------------------------------------ */
#define SIM_STATE_UNSET (-1)

/* Sorted by (topic, partition); every partition of an initial topic from 0 is present, so
 * topic t's partition p is partitions[first + p] where first is t's first entry. */
struct sim_initial_partition {
	struct sim_pref partition;
	struct sim_span replicas;  /* ints: distinct declared brokers, n >= 1 */
	/* enum kc_partition_state; SIM_STATE_UNSET when the file gives none and the partition
	 * has a leader (failover's initialisation rule decides); NewPartition without leader. */
	int state;
	bool has_leader;           /* a state znode exists */
	int32_t leader;            /* has_leader: a declared id, or -1 for `none` */
	struct sim_span isr;       /* has_leader: ints (default: the replicas) */
	int32_t leader_epoch;      /* has_leader: default 0 */
	uint32_t line, col;
};

struct sim_initial_replica {
	struct sim_pref partition;
	int32_t broker;
	int state;                 /* enum kc_replica_state */
	uint32_t line, col;
};

struct sim_initial {
	uint32_t n_partitions;
	struct sim_initial_partition *partitions;
	uint32_t n_replicas;        /* file order; (partition, broker) pairs distinct */
	struct sim_initial_replica *replicas;
	int32_t controller_epoch;   /* default 1 */
};

/* ---- the scenario ------------------------------------------------------------------------ */
struct sim_scenario {
	char *name;                 /* `name`, else the file name without .yaml/.yml; valid */
	char *description;          /* NULL when absent */
	uint64_t seed;              /* default 1 */
	enum kc_profile profile;    /* only 0.8.2 exists */
	struct sim_config config;
	enum sim_startup startup;   /* SIM_STARTUP_INSTANT when `initial` is given */

	uint32_t n_brokers;         /* declared: cluster.brokers plus add_broker ids */
	struct sim_broker *brokers; /* ascending id */
	int32_t controller;         /* cluster.controller (in cluster, not down), or -1 */

	uint32_t n_topics;
	struct sim_topic *topics;
	uint64_t n_partitions_max;  /* sum of topics[].max_partitions, <= SIM_MAX_PARTITIONS */

	uint32_t n_timeline;
	struct sim_timeline_entry *timeline;
	uint32_t n_expect;
	struct sim_expect *expect;

	bool has_initial;
	struct sim_initial initial;

	/* Effective invariant switches: the profile's defaults, minus `disable`, plus `enable` and
	 * every `expect: - violation:` name. The explicit lists are kept for reports. */
	bool invariant_on[SIM_INVARIANT_COUNT];
	uint32_t n_enable, n_disable;
	uint8_t enable[SIM_INVARIANT_COUNT];  /* enum sim_invariant, file order, distinct */
	uint8_t disable[SIM_INVARIANT_COUNT];
	/* `inject` (the CLI's --inject sets more); catalog order is the canonical one. */
	bool inject_on[SIM_INJECT_COUNT];

	bool run_until_quiescent;   /* default */
	uint64_t run_until_us;      /* when !run_until_quiescent; <= max_time_us */
	uint64_t max_time_us;       /* default 1h */

	/* Pools the spans point into. */
	int32_t *ints;
	uint32_t n_ints, cap_ints;
	struct sim_pref *prefs;
	uint32_t n_prefs, cap_prefs;
	struct sim_reassign *reassigns;
	uint32_t n_reassigns, cap_reassigns;

	/* Private: topic names and their lookup table (never iterated). */
	char *names_;
	uint32_t n_names_, cap_names_;
	uint32_t *topic_hash_;
	uint32_t topic_hash_mask_;
};

/* Loads path, applies overrides (each "KEY=VALUE": a dotted path such as config.zk_mode,
 * topics.orders.partitions, topic_sets.0.count or seed, and a YAML value replacing what the
 * file says there), and validates the result. On success *out owns everything (free with
 * sim_scenario_free). On failure *out is zeroed, nothing stays allocated, and err->msg reads
 * `FILE:LINE:COLUMN: what is wrong; what was expected` or `kcsim: --set: KEY=VALUE: ...`. */
bool sim_scenario_load(const char *path, const char *const *overrides, size_t n_overrides,
		       struct sim_scenario *out, struct sim_error *err);
void sim_scenario_free(struct sim_scenario *sc);

/* The index of declared broker id in sc->brokers, or -1. */
int32_t sim_scenario_broker_index(const struct sim_scenario *sc, int32_t id);
/* The index of the topic named name, or -1. */
int64_t sim_scenario_topic_find(const struct sim_scenario *sc, const char *name);
/* The spelling of an action or check as the file writes it ("crash", "leader_epoch"). */
const char *sim_action_name(enum sim_action a);
const char *sim_expect_kind_name(enum sim_expect_kind c);

#endif
