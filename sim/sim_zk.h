/* sim_zk.h — the simulated ZooKeeper (architecture S6): Kafka's znodes as typed values with
 * data versions and creation ids, ephemeral znodes owned by sessions, one-shot watches that
 * fire through a callback, conditional writes, and the cost of each operation (S4) for the
 * controller's calls. Brokers are named by dense index (scenario order), topics by scenario
 * topic index, partitions by pid = first pid of the topic + partition number. */
#ifndef SIM_ZK_H
#define SIM_ZK_H

#include <stdbool.h>
#include <stdint.h>

#include "kc.h"
#include "sim_lists.h"
#include "sim_scenario.h"

/* Watch kinds: the controller's (enum kc_watch) plus the electors' data watch on /controller. */
#define SIM_WATCH_CONTROLLER 16

struct sim_zk_state {
	bool exists;
	int32_t version;
	uint64_t czxid;
	int32_t leader, leader_epoch, ctrl_epoch;
	uint32_t isr;               /* sim_lists id */
};

struct sim_zk_topic {
	bool exists;
	int32_t version;
	uint64_t czxid;
	int8_t unclean;             /* config znode: -1 none, 0/1 override */
	uint32_t n;                 /* partitions in the znode */
	struct kc_assigned *view;   /* n entries, then (one allocation) the replicas they point to */
};

struct sim_zk_admin_entry {
	uint32_t topic, partition;
	uint32_t replicas;          /* sim_lists id (reassignment) */
};

/* A watch subscription: who, and whether the one-shot watch is armed. */
struct sim_zk_sub {
	int32_t watcher;            /* broker index, -1 none */
	bool armed;
};

typedef void (*sim_zk_fire_fn)(void *ctx, int kind, uint32_t id, int32_t watcher);
/* Told of every change before its watches fire: what is an enum sim_zk_change (sim_observe.h). */
typedef void (*sim_zk_observe_fn)(void *ctx, int what, uint32_t id);

struct sim_zk_cost {
	bool charging;              /* the controller's store calls are being charged */
	bool pipelined;
	uint32_t max_in_flight;
	uint64_t read_us, write_us;
	uint32_t depth;             /* bulk bracket nesting */
	uint32_t round;             /* current bulk round id, for the written-path stamps */
	uint64_t round_reads, round_writes;
	uint64_t closed_us;         /* cost of the rounds and ops completed in this event */
	uint64_t reads, writes;     /* this event's counts */
};

struct sim_zk {
	struct sim_lists *lists;
	uint64_t zxid;
	uint64_t next_session;
	uint64_t total_reads, total_writes;

	/* /controller (ephemeral) and /controller_epoch */
	int32_t controller;         /* broker index, -1 absent */
	uint64_t controller_session;
	bool epoch_exists;
	int32_t epoch, epoch_version;

	/* /brokers/ids */
	uint32_t n_brokers;
	const int32_t *broker_ids;  /* index -> Kafka id */
	bool *registered;
	uint64_t *reg_session, *reg_czxid;
	uint64_t *session;          /* the broker's current live session (0: none) */

	uint32_t n_topics;
	struct sim_zk_topic *topics;
	const uint32_t *first_pid;  /* topic -> its first pid */
	uint32_t n_parts;
	struct sim_zk_state *states;

	bool *delete_queued;        /* /admin/delete_topics/<t> */
	bool reassign_exists, preferred_exists;
	struct sim_zk_admin_entry *reassign, *preferred;
	uint32_t n_reassign, n_preferred, cap_reassign, cap_preferred;

	/* watches */
	struct sim_zk_sub global[5][4];  /* BROKERS..PREFERRED: up to 4 watchers */
	struct sim_zk_sub *controller_subs; /* per broker */
	struct sim_zk_sub *topic_subs;      /* per topic */
	struct sim_zk_sub *state_subs;      /* per pid */
	sim_zk_fire_fn fire;
	void *fire_ctx;
	sim_zk_observe_fn observe;
	int32_t store_owner;        /* broker index of the controller whose calls the store serves */
	bool skip_version_check;    /* selftest-epoch-rewind: conditional writes ignore the version */

	struct sim_zk_cost cost;
	uint32_t *state_written, *topic_written, global_written[8]; /* round stamps */

	/* scratch for store reads */
	int32_t *scratch_ids;
	uint32_t *scratch_topics;
	struct kc_admin_entry *scratch_admin;
	int32_t *scratch_ints;
	uint32_t scratch_admin_cap, scratch_ints_cap;
};

void sim_zk_init(struct sim_zk *zk, const struct sim_scenario *sc, struct sim_lists *lists,
		 const uint32_t *first_pid, uint32_t n_parts, sim_zk_fire_fn fire, void *fire_ctx);
void sim_zk_free(struct sim_zk *zk);
uint32_t sim_zk_pid(const struct sim_zk *zk, uint32_t topic, uint32_t number);

/* Sessions and ephemerals. */
uint64_t sim_zk_new_session(struct sim_zk *zk, uint32_t broker);
/* Expire the broker's session: its ephemerals go in one step, then watches fire. */
void sim_zk_expire(struct sim_zk *zk, uint32_t broker);
/* Expire one session of the broker: its current one, or one a previous process left behind. */
void sim_zk_expire_session(struct sim_zk *zk, uint32_t broker, uint64_t session);
bool sim_zk_register_broker(struct sim_zk *zk, uint32_t broker); /* false: znode exists */
void sim_zk_close_session(struct sim_zk *zk, uint32_t broker);   /* clean close */
bool sim_zk_create_controller(struct sim_zk *zk, uint32_t broker);
void sim_zk_delete_controller(struct sim_zk *zk, uint32_t broker); /* resign(): only if ours */

/* Admin tools. */
void sim_zk_create_topic(struct sim_zk *zk, uint32_t topic, uint32_t n, const int32_t *reps, uint32_t rf,
			 int8_t unclean);
void sim_zk_add_partitions(struct sim_zk *zk, uint32_t topic, uint32_t total, const int32_t *reps, uint32_t rf);
bool sim_zk_queue_delete(struct sim_zk *zk, uint32_t topic);
bool sim_zk_write_reassign(struct sim_zk *zk, const struct sim_zk_admin_entry *e, uint32_t n);
bool sim_zk_write_preferred(struct sim_zk *zk, const struct sim_zk_admin_entry *e, uint32_t n);

/* The controller's writes (reached through the kc_store in sim_zk_store.c). */
void sim_zk_write_topic(struct sim_zk *zk, uint32_t topic, const struct kc_assigned *parts, uint32_t n);
void sim_zk_delete_topic(struct sim_zk *zk, uint32_t topic);
void sim_zk_delete_admin_delete(struct sim_zk *zk, uint32_t topic);
void sim_zk_controller_write_reassign(struct sim_zk *zk, const struct sim_zk_admin_entry *e, uint32_t n);
void sim_zk_controller_delete_preferred(struct sim_zk *zk);
enum kc_zk_rc sim_zk_create_state(struct sim_zk *zk, uint32_t pid, int32_t leader, int32_t epoch,
				  int32_t ctrl_epoch, uint32_t isr);
enum kc_zk_rc sim_zk_update_state(struct sim_zk *zk, uint32_t pid, int32_t leader, int32_t epoch,
				  int32_t ctrl_epoch, uint32_t isr, int32_t expected, int32_t *new_version);
int32_t sim_zk_broker_search(const struct sim_zk *zk, int32_t id); /* -1 if not declared */
/* The same, inline for the usual declaration (ids 0..N-1), where an id is its index. */
static inline int32_t sim_zk_broker_index(const struct sim_zk *zk, int32_t id)
{
	if (id >= 0 && (uint32_t)id < zk->n_brokers && zk->broker_ids[id] == id)
		return id;
	return sim_zk_broker_search(zk, id);
}

/* Direct state set-up (`initial:` and instant start-up). */
void sim_zk_set_state(struct sim_zk *zk, uint32_t pid, int32_t leader, int32_t epoch, int32_t ctrl_epoch,
		      uint32_t isr);
void sim_zk_set_controller_epoch(struct sim_zk *zk, int32_t epoch);

/* Partition leaders' ISR writes (S9): conditional on the leader's cached version. */
enum kc_zk_rc sim_zk_update_isr(struct sim_zk *zk, uint32_t pid, int32_t leader, int32_t epoch,
				int32_t ctrl_epoch, uint32_t isr, int32_t expected, int32_t *new_version);

/* Watches. */
void sim_zk_subscribe(struct sim_zk *zk, int kind, uint32_t id, int32_t watcher, bool on);
/* A notification reached the watcher: re-arm if still subscribed; false if it is not. */
bool sim_zk_rearm(struct sim_zk *zk, int kind, uint32_t id, int32_t watcher);

/* The controller's store (kc_store) on this ZooKeeper; calls are charged while cost.charging. */
void sim_zk_store(struct sim_zk *zk, struct kc_store *out);
void sim_zk_cost_begin(struct sim_zk *zk);
uint64_t sim_zk_cost_now(const struct sim_zk *zk);
void sim_zk_cost_end(struct sim_zk *zk);

#endif
