/* sim_catalog.h — the fixed vocabularies of the scenario language: invariant names (with
 * safety/liveness kind and 0.8.2 default), `inject` names (checker self-tests and historical
 * bugs), and Kafka's state, selector and request-type names. Static tables, lookups only. */
#ifndef SIM_CATALOG_H
#define SIM_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kc.h"

/* ---- invariants (spec/invariants.md) ------------------------------------------------------ */
enum sim_invariant_kind {
	SIM_SAFETY,   /* checked after every event */
	SIM_LIVENESS, /* checked at quiescent points and at the end of the run */
};

/* X(ID, name, kind, on by default under 0.8.2, summary). Order = invariants.md order. */
#define SIM_INVARIANTS(X)                                                                      \
	X(NO_LEADER_TO_NEW_REPLICA, "no_leader_to_new_replica", SIM_SAFETY, true,               \
	  "a replica never enters NewReplica while its broker leads the partition")             \
	X(VALID_REPLICA_TRANSITION, "valid_replica_transition", SIM_SAFETY, true,               \
	  "every applied replica state change is an edge of the valid-previous-states table")   \
	X(VALID_PARTITION_TRANSITION, "valid_partition_transition", SIM_SAFETY, true,           \
	  "every applied partition state change is an edge of the valid-previous-states table") \
	X(LEADER_IN_ISR, "leader_in_isr", SIM_SAFETY, true,                                     \
	  "in ZooKeeper, a partition's leader is in its ISR")                                   \
	X(ISR_SUBSET_OF_REPLICAS, "isr_subset_of_replicas", SIM_SAFETY, true,                   \
	  "every ISR member is an assigned replica (old + new during a reassignment)")          \
	X(EPOCHS_MONOTONIC, "epochs_monotonic", SIM_SAFETY, true,                               \
	  "leader epochs, state znode versions and accepted controller epochs never go back")   \
	X(SINGLE_CONTROLLER_PER_EPOCH, "single_controller_per_epoch", SIM_SAFETY, true,         \
	  "no two brokers act as controller with the same controller epoch")                    \
	X(NO_STALE_REQUEST_APPLIED, "no_stale_request_applied", SIM_SAFETY, true,               \
	  "a broker never applies a LeaderAndIsr from an older controller or leader epoch")     \
	X(SINGLE_LEADER_PER_EPOCH, "single_leader_per_epoch", SIM_SAFETY, true,                 \
	  "no two brokers act as leader of a partition with the same leader epoch")             \
	X(ELECTION_RULE, "election_rule", SIM_SAFETY, true,                                     \
	  "every elected leader is the one controller.md section 4 picks for its selector")     \
	X(DEAD_REPLICAS_LEAVE_ISR, "dead_replicas_leave_isr", SIM_LIVENESS, true,               \
	  "a dead broker leaves every ISR in time (but as a kept last member)")                 \
	X(LEADER_ALIVE, "leader_alive", SIM_LIVENESS, true,                                     \
	  "every partition with a leader has a live leader")                                    \
	X(AVAILABLE_WHEN_POSSIBLE, "available_when_possible", SIM_LIVENESS, true,               \
	  "every partition that could have a leader has one")                                   \
	X(METADATA_CONVERGES, "metadata_converges", SIM_LIVENESS, true,                         \
	  "every live broker's metadata cache holds ZooKeeper's leader and leader epoch")       \
	X(METADATA_ISR_CONVERGES, "metadata_isr_converges", SIM_LIVENESS, false,                \
	  "every live broker's metadata cache holds ZooKeeper's ISR (fails in 0.8.2: KAFKA-1367)") \
	X(DELETION_COMPLETES, "deletion_completes", SIM_LIVENESS, true,                         \
	  "a queued topic deletion whose replicas are all live completes")                      \
	X(REASSIGNMENT_COMPLETES, "reassignment_completes", SIM_LIVENESS, true,                 \
	  "an admitted reassignment whose new replicas are all live completes")

enum sim_invariant {
#define SIM_INVARIANT_ENUM(id, name, kind, on, summary) SIM_INV_##id,
	SIM_INVARIANTS(SIM_INVARIANT_ENUM)
#undef SIM_INVARIANT_ENUM
	SIM_INVARIANT_COUNT
};

struct sim_invariant_info {
	const char *name;
	enum sim_invariant_kind kind;
	bool on_by_default; /* under the 0.8.2 profile */
	const char *summary;
};

/* inv < SIM_INVARIANT_COUNT. */
const struct sim_invariant_info *sim_invariant_info(enum sim_invariant inv);
/* The invariant named exactly (case-sensitive) by len bytes of name, or -1. */
int sim_invariant_find(const char *name, size_t len);

/* ---- injections (invariants.md self-tests; controller.md section 13) ----------------------- */
/* X(ID, canonical name, is a checker self-test, the kc_inject bit or 0 when the switch lives in
 * sim/ (ZooKeeper model, brokers), summary). Self-tests first; --help lists them apart and
 * explore never draws them. */
#define SIM_INJECTS(X)                                                                          \
	X(SELFTEST_SKIP_REPLICA_GUARD, "selftest-skip-replica-guard", true,                      \
	  KC_INJECT_SELFTEST_SKIP_REPLICA_GUARD,                                                 \
	  "the replica state machine applies transitions its valid-previous-states guard refuses") \
	X(SELFTEST_SKIP_PARTITION_GUARD, "selftest-skip-partition-guard", true,                  \
	  KC_INJECT_SELFTEST_SKIP_PARTITION_GUARD,                                               \
	  "the partition state machine applies transitions its guard refuses")                   \
	X(SELFTEST_NEW_REPLICA_FOR_LEADER, "selftest-new-replica-for-leader", true,              \
	  KC_INJECT_SELFTEST_NEW_REPLICA_FOR_LEADER,                                             \
	  "NewReplica is no longer refused for the partition's current leader")                  \
	X(SELFTEST_LEADER_OUTSIDE_ISR, "selftest-leader-outside-isr", true,                      \
	  KC_INJECT_SELFTEST_LEADER_OUTSIDE_ISR,                                                 \
	  "elections may write a leader that is not in the new ISR")                             \
	X(SELFTEST_EPOCH_REWIND, "selftest-epoch-rewind", true, 0,                               \
	  "the ZooKeeper model's conditional writes ignore the version, so a stale write lands")                       \
	X(KAFKA_1503, "KAFKA-1503", false, KC_INJECT_KAFKA_1503,                                 \
	  "offline election takes the head of the live ISR instead of the first live AR member") \
	X(KAFKA_1742, "KAFKA-1742", false, KC_INJECT_KAFKA_1742,                                 \
	  "removeTopic drops only leading entries, so a re-created topic inherits stale state")  \
	X(KAFKA_1681, "KAFKA-1681", false, KC_INJECT_KAFKA_1681,                                 \
	  "a new controller does not resume topic deletions queued before failover")             \
	X(KAFKA_1558, "KAFKA-1558", false, KC_INJECT_KAFKA_1558,                                 \
	  "the delete listener enqueues before marking ineligible; a preferred election with a " \
	  "deleting topic's partition skips the whole request")                  \
	X(KAFKA_1188, "KAFKA-1188", false, KC_INJECT_KAFKA_1188,                                 \
	  "the controller's ISR-shrink LeaderAndIsr goes to the leader only, and brokers apply " \
	  "a LeaderAndIsr whose leader epoch is unchanged")                    \
	X(KAFKA_1097, "KAFKA-1097", false, 0,                                                    \
	  "a leader re-adds a replica outside its current assignment to the ISR")               \
	X(KAFKA_1096, "KAFKA-1096", false, 0,                                                    \
	  "brokers copy /controller_epoch into their controller context, so a zombie controller " \
	  "stamps requests with the new epoch")
/* KAFKA-1120 (missed fast bounce) is native 0.8.2 behaviour, always on, so it is no switch. */

enum sim_inject {
#define SIM_INJECT_ENUM(id, name, selftest, kc_bit, summary) SIM_INJECT_##id,
	SIM_INJECTS(SIM_INJECT_ENUM)
#undef SIM_INJECT_ENUM
	SIM_INJECT_COUNT
};

struct sim_inject_info {
	const char *name; /* canonical spelling */
	bool selftest;
	uint32_t kc_bit;  /* enum kc_inject bit for kc_config.inject; 0 if sim/ implements it */
	const char *summary;
};

const struct sim_inject_info *sim_inject_info(enum sim_inject inj);
/* The injection named by len bytes of name, in any letter case, or -1. */
int sim_inject_find(const char *name, size_t len);

/* ---- Kafka's names ------------------------------------------------------------------------ */
#define SIM_REPLICA_STATES_EXPECTED                                                    \
	"NonExistentReplica, NewReplica, OnlineReplica, OfflineReplica, "             \
	"ReplicaDeletionStarted, ReplicaDeletionSuccessful or ReplicaDeletionIneligible"
#define SIM_PARTITION_STATES_EXPECTED \
	"NonExistentPartition, NewPartition, OnlinePartition or OfflinePartition"
#define SIM_SELECTORS_EXPECTED "offline, reassigned, preferred, controlled_shutdown or noop"
#define SIM_REQUEST_TYPES_EXPECTED "LeaderAndIsr, StopReplica or UpdateMetadata"

/* Exact (case-sensitive) Kafka names of len bytes; each returns the kc.h enum value or -1. */
int sim_replica_state_parse(const char *name, size_t len);   /* enum kc_replica_state */
int sim_partition_state_parse(const char *name, size_t len); /* enum kc_partition_state */
int sim_selector_parse(const char *name, size_t len);        /* enum kc_selector */
int sim_request_type_parse(const char *name, size_t len);    /* enum kc_request_type */

#endif
