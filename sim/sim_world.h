/* sim_world.h — the simulated cluster around the controller core: the clock and event queue,
 * ZooKeeper, brokers (their processes, sessions, replicas, caches), the controller-to-broker
 * channels, and the hooks that observers (checker, metrics, trace) get. One struct holds it
 * all; modules own their parts (sim_broker.c, sim_channel.c, sim_ctrl.c, sim_timeline.c,
 * sim_run.c). Brokers are dense indexes into the scenario's broker list; topics are scenario
 * topic indexes; pid = first_pid[topic] + partition number, so pid order is canonical order. */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kc.h"
#include "sim_alloc.h"
#include "sim_lists.h"
#include "sim_mcache.h"
#include "sim_queue.h"
#include "sim_rng.h"
#include "sim_scenario.h"
#include "sim_zk.h"

#define SIM_NEVER UINT64_MAX
#define SIM_SEND_RETRY_US 300000u /* 0.8.2's send thread backoff */

/* Event kinds (struct sim_event.kind). */
enum sim_ev {
	EV_TIMELINE,          /* a = timeline entry index */
	EV_EXPIRE,            /* a = broker, b = session */
	EV_NOTIFY,            /* a = broker, b = kind, c = id; watch notification */
	EV_NOTICE_EXPIRY,     /* a = broker, b = incarnation */
	EV_SEND,              /* a = controller broker, b = target broker, c = channel generation */
	EV_DELIVER,           /* a = request index */
	EV_RESPONSE,          /* a = request index */
	EV_CS_DELIVER,        /* a = broker, b = attempt generation, c = 1 + the paused controller it reached */
	EV_CS_RESPONSE,       /* a = broker, b = attempt generation, c = remaining (-1: error) */
	EV_CS_TIMEOUT,        /* a = broker, b = attempt generation */
	EV_CS_RETRY,          /* a = broker, b = attempt generation */
	EV_START,             /* a = broker: (re)start, register */
	EV_REGISTER_RETRY,    /* a = broker, b = incarnation */
	EV_CATCHUP,           /* a = broker, b = pid, c = fetch generation */
	EV_ISR_CHECK,         /* a = broker, b = incarnation, c = 1: a shrink's rerun when ZooKeeper is back */
	EV_RESUME,            /* a = broker, b = pause generation */
	EV_ISOLATION_END,     /* a = broker, b = incarnation */
	EV_CTRL_RUN,          /* a = broker */
	EV_REBALANCE,         /* a = broker, b = rebalance generation */
	EV_ROLLING,           /* a = rolling restart index, b = step */
	EV_ROLLING_SETTLE,    /* a = rolling restart index, b = its position when the wait began */
	EV_STARTUP_TOPICS,    /* simulated start-up: the first failover is done, create the topics */
	EV_CTRL_DONE,         /* a = broker: a controller event's charged time is over */
};
_Static_assert(EV_CTRL_DONE < SIM_QUEUE_KIND_NONE, "event kinds fit struct sim_event");

enum sim_role { ROLE_NONE, ROLE_LEADER, ROLE_FOLLOWER };

/* One broker's replica of one partition (its ReplicaManager's Partition), plus the leader's
 * view of this follower (last_caught_up_us), which outlives the follower's process. One cache
 * line: brokers reach records in no order a cache can follow (see struct sim_rep_slot). */
struct sim_rep {
	int16_t broker;           /* index (below SIM_MAX_BROKERS) */
	int16_t fetch_from;       /* broker index fetched from, -1 none */
	uint8_t role;
	uint32_t incarnation;     /* the broker incarnation that holds it; stale = gone */
	uint32_t hosted_ix;       /* its position in its broker's hosted list */
	int32_t leader;           /* broker id the broker follows/is */
	int32_t leader_epoch;
	int32_t zk_version;
	int32_t ctrl_epoch;
	uint32_t isr, ar;         /* sim_lists ids (leader: its local ISR) */
	/* a leader: when it became leader; a fetching follower: when its fetch started (a leader
	 * never fetches) */
	uint64_t since_us;
	uint64_t fetch_gen;
	uint64_t last_caught_up_us;
};
_Static_assert(sizeof(struct sim_rep) == 64, "a replica record is one cache line");
_Static_assert(SIM_MAX_BROKERS <= INT16_MAX, "broker indexes fit struct sim_rep");

/* Where pid's replica records are: reps[off .. off + len), sorted by broker index, room for cap.
 *
 * BACKGROUND: brokers look their records up by (pid, broker) for every LeaderAndIsr entry,
 * catch-up and ISR check, in no order a cache can follow at a million partitions; each
 * lookup used to read the slice's offset, its length and every record before the one sought.
 * BEHAVIOR: one 16-byte slot per pid holds the slice and a copy of its first brokers, so a
 * lookup reads the slot and then only the record it returns. */
#define SIM_REP_INLINE 4
struct sim_rep_slot {
	uint32_t off;
	uint16_t len, cap;
	int16_t broker[SIM_REP_INLINE]; /* = reps[off + i].broker for i < min(len, SIM_REP_INLINE) */
};

/* A controller event waiting in a controller's queue (architecture S3, S5). */
enum sim_cev {
	CE_FAILOVER,
	CE_BROKER_CHANGE,
	CE_TOPIC_CHANGE,
	CE_TOPIC_DATA,
	CE_DELETE_TOPICS,
	CE_REASSIGN,
	CE_PREFERRED,
	CE_PARTITION_STATE,
	CE_DELETION_PASS,
	CE_STOP_REPLICA_RESPONSE,
	CE_REBALANCE,
	CE_CONTROLLED_SHUTDOWN,
	CE_REPLICA_TRANSITION,
	CE_PARTITION_TRANSITION,
	CE_COUNT
};
struct sim_cevent {
	uint8_t kind;
	int64_t a, b;             /* kind's arguments */
	uint32_t off, len;        /* payload in world.payload */
	uint64_t enqueued_us;
};

/* A request message on a channel: a slice of a payload (batch_requests: false splits). */
struct sim_req {
	uint32_t payload;
	uint32_t first, count;    /* entries of the payload this message carries */
	int32_t from, to;         /* broker indexes */
	uint32_t to_incarnation;  /* the target's process when the request left */
	uint64_t chan_gen;
	uint64_t depart_us;
	uint64_t handled_us;
	bool rejected;            /* the broker refused it (stale controller epoch) */
};

/* What the controller's batch built, shared by every message that carries part of it. Its
 * entries are read when a message is built (trace, expectations) and when it is applied, never
 * after: they are freed once every message carrying them is handled or dropped (sim_channel.c). */
struct sim_entry {
	uint32_t pid;
	int32_t leader, leader_epoch, ctrl_epoch, zk_version;
	uint32_t isr, ar;
};
struct sim_payload {
	uint8_t type;             /* enum kc_request_type */
	int32_t controller_id, controller_epoch;
	uint32_t n_entries;
	uint32_t unfinished;      /* messages carrying it not yet handled or dropped */
	struct sim_entry *entries; /* n_entries; NULL once no message needs them */
	uint32_t leaders;         /* LeaderAndIsr: list id (Kafka ids) */
	uint32_t live;            /* UpdateMetadata: list id */
	uint32_t stop_pid;
	bool stop_delete, stop_response;
	uint32_t meta_first;      /* UpdateMetadata: first record in world.meta (one per entry) */
};

/* One controller -> broker channel (S8). */
struct sim_chan {
	bool open;
	uint64_t gen;
	bool busy;                /* a request is on the wire or awaiting its answer */
	bool send_scheduled;
	uint32_t *q;              /* request indexes */
	uint32_t head, len, cap;
};

/* A metadata cache record: shared by every broker that applied the same UpdateMetadata. */
struct sim_meta {
	int32_t leader, leader_epoch;
	uint32_t isr;
};

struct sim_bk {
	int32_t id;
	bool up;
	uint32_t incarnation;
	uint64_t down_since;
	uint64_t paused_until, pause_gen;
	uint64_t iso_zk_until, iso_ctrl_until, iso_brokers_until;
	uint64_t stall_since;     /* paused, down or cut off from brokers since (SIM_NEVER: not) */
	uint64_t silent_since;    /* no heartbeats (down, paused, cut off from ZooKeeper) since */
	bool expired_unnoticed;   /* its session expired while it ran */
	bool registered_once;     /* registered in this incarnation */
	int32_t known_ctrl_epoch; /* highest controller epoch accepted this incarnation */
	int32_t believed_controller;
	/* controlled shutdown, broker side */
	bool shutting_down;
	uint32_t cs_attempts;
	uint64_t cs_gen;
	int32_t rolling;          /* rolling restart index driving it, -1 none */
	/* the controller module */
	struct kc_controller *kc;
	bool failover_started;    /* active: /controller names it and its failover has begun */
	struct sim_cevent *fifo;
	uint32_t fifo_head, fifo_len, fifo_cap;
	bool ctrl_run_scheduled;
	uint64_t busy_until;
	bool pass_queued;
	uint64_t rebalance_gen;
	bool zombie_drain;        /* back from a pause with its session gone: queued events run first */
	bool notice_after_drain;  /* ... and the expiry is handled once the queue has drained */
	int64_t cs_reply_to, cs_reply_gen, cs_reply; /* the ControlledShutdown answer being built */
	int32_t cs_target;        /* the controller (index) the current attempt went to */
	struct sim_chan *chan;    /* per target broker, allocated on first use */
	/* deferred events while paused or cut off */
	struct sim_event *deferred;
	uint32_t n_deferred, cap_deferred;
	/* metadata cache: a node of world.mc, per pid an index into world.meta (0: none) */
	uint32_t mc;
	uint32_t live_list;       /* its cached live broker list */
	/* pids it holds a replica record for (may hold stale entries) */
	uint32_t *hosted;
	uint32_t n_hosted, cap_hosted;
	/* a bit per hosted index: the partitions its next ISR check must look at (sim_broker.c) */
	uint64_t *isr_cand;
	uint32_t n_isr_cand_words;
	bool isr_check_waits;     /* an ISR shrink waits for ZooKeeper: a check reruns when it is back */
};

struct sim_observer; /* sim_observe.h */

struct sim_world {
	const struct sim_scenario *sc;
	const struct sim_config *cfg;
	uint64_t now;
	struct sim_queue q;
	struct sim_rng jitter_rng, placement_rng;
	struct sim_lists lists;
	struct sim_zk zk;
	struct kc_store store;
	struct kc_sink sink;
	uint32_t inject;          /* kc_inject bits for the core */
	bool inject_on[SIM_INJECT_COUNT];

	uint32_t n_brokers;
	struct sim_bk *bk;
	uint32_t n_topics;
	uint32_t *first_pid;      /* per topic */
	uint32_t n_parts;
	uint32_t *pid_topic, *pid_number;

	/* replica records: per pid a slice of world.reps */
	struct sim_rep *reps;     /* cache-line aligned within reps_mem */
	void *reps_mem;
	uint32_t n_reps, cap_reps;
	struct sim_rep_slot *rep_slot;

	/* request plumbing */
	struct sim_payload *payloads;
	uint32_t n_payloads, cap_payloads;
	uint32_t *entry_ar;       /* per pid: the AR its last request entry carried (an intern hint) */
	struct sim_meta *meta;    /* [0] unused */
	uint64_t n_meta, cap_meta;
	struct sim_mcaches mc;    /* the brokers' metadata caches */
	struct sim_req *reqs;
	uint32_t n_reqs, cap_reqs;
	int64_t *payload;         /* controller event payloads */
	uint64_t n_payload, cap_payload;

	/* the controller event being run */
	int32_t running_ctrl;     /* broker index, -1 none */
	uint64_t event_t0;
	uint64_t event_entry_cost_us;
	/* S3: every request of one flush (one correlation id) leaves when the flush began */
	int64_t flush_corr;       /* the running event's last flush, -1 none yet */
	uint64_t flush_depart_us;
	uint64_t in_flight;       /* requests queued or on the wire, over all channels */
	uint64_t pending_nonperiodic; /* queued events that are not periodic timers */
	/* the brokers' part of a quiescent point, kept by sim_bk_settle: no running broker has a
	 * controller event queued, events deferred or a controlled shutdown under way, and none
	 * is busy after bk_busy_until */
	bool bk_calm;
	uint64_t bk_busy_until;
	uint32_t pending_kind[EV_CTRL_DONE + 1]; /* queued events by kind */

	/* per broker index: == leader_mark_gen when it is a leader of the LeaderAndIsr being applied */
	uint32_t *leader_mark, leader_mark_gen;

	/* admin operations in progress, for their spans: partitions left to elect per topic being
	 * created, partitions with a reassignment span open */
	uint32_t *creating_missing;
	uint32_t *reassigning;
	uint32_t n_reassigning, cap_reassigning;
	/* spans completed by the running controller event: they end when it ends */
	struct sim_span_end { uint8_t op; int64_t key; } ending[64];
	uint32_t n_ending;

	/* rolling restarts, per timeline entry: position in its broker list, settle deadline, and
	 * the step it waits to take (1: restart once stopped, 2: next once nothing is
	 * under-replicated; 0: not waiting); the waiting entries, ascending, are checked after
	 * every event (sim_timeline_rolling_check) */
	uint32_t *rolling_pos;
	uint64_t *rolling_deadline;
	uint8_t *rolling_wait_step;
	uint32_t *rolling_waiting;
	uint32_t n_rolling_waiting;

	/* the flow of the run */
	struct sim_event current;  /* the event being processed (violation reports name it) */
	uint64_t events;
	bool stopped;             /* a violation stopped the run */
	struct sim_observer *obs;
	bool startup_phase;       /* instant start-up: every latency and cost is zero */
	bool startup_direct;      /* ... and the start-up topics' creation is built directly (S1) */
	bool startup_topics_pending; /* simulated start-up: topics wait for the first failover */
};

/* ---- world (sim_world.c) ---- */
void sim_world_init(struct sim_world *w, const struct sim_scenario *sc);
void sim_world_free(struct sim_world *w);
void sim_schedule(struct sim_world *w, uint64_t t, enum sim_class cls, enum sim_ev kind, int64_t a, int64_t b,
		  int64_t c);
/* A latency as charged now: zero during instant start-up. */
static inline uint64_t sim_lat(const struct sim_world *w, uint64_t us) { return w->startup_phase ? 0 : us; }
/* Periodic timers (ISR checks, auto rebalance) do not hold a run open (run_until quiescent);
 * neither does a controlled-shutdown attempt's timeout, which is moot once answered (a broker
 * between attempts holds the run open by itself). */
static inline bool sim_ev_periodic(uint32_t kind)
{
	return kind == EV_ISR_CHECK || kind == EV_REBALANCE || kind == EV_CS_TIMEOUT || kind == EV_ROLLING_SETTLE;
}
uint64_t sim_jitter(struct sim_world *w);
static inline int32_t sim_bidx(const struct sim_world *w, int32_t id) /* -1 if undeclared */
{
	return sim_zk_broker_index(&w->zk, id);
}
/* Broker b is started at time 0: listed in cluster.brokers and not in cluster.down. A broker
 * that only an add_broker entry declares does not exist before that entry. */
static inline bool sim_bk_starts_up(const struct sim_world *w, uint32_t b)
{
	return w->sc->brokers[b].in_cluster && !w->sc->brokers[b].down;
}
/* Broker b belongs to the cluster: listed in cluster.brokers, or joined by add_broker. */
static inline bool sim_bk_joined(const struct sim_world *w, uint32_t b)
{
	return w->sc->brokers[b].in_cluster || w->bk[b].incarnation > 0;
}
/* Broker b's record for pid, of any incarnation, or NULL. */
static inline struct sim_rep *sim_rep_find(struct sim_world *w, uint32_t pid, int32_t b)
{
	const struct sim_rep_slot *s = &w->rep_slot[pid];
	uint32_t i = 0;
	for (; i < s->len && i < SIM_REP_INLINE; i++)
		if (s->broker[i] == b)
			return w->reps + s->off + i;
	for (; i < s->len; i++)
		if (w->reps[s->off + i].broker == b)
			return w->reps + s->off + i;
	return NULL;
}
/* pid's records, *n of them, ascending broker index. */
static inline struct sim_rep *sim_rep_slice(const struct sim_world *w, uint32_t pid, uint32_t *n)
{
	*n = w->rep_slot[pid].len;
	return w->reps + w->rep_slot[pid].off;
}
/* Hints for a caller that knows which partitions it will look up next (a request's entries,
 * an ISR check's candidates): ask for pid's slot well ahead, for its records once the slot
 * has arrived, and the misses overlap. Nothing observable changes. Always inlined: gcc finds
 * a function of prefetches pure and drops its calls. */
static inline __attribute__((always_inline)) void sim_rep_prefetch_slot(const struct sim_world *w, uint32_t pid)
{
	__builtin_prefetch(&w->rep_slot[pid], 1);
}
static inline __attribute__((always_inline)) void sim_rep_prefetch(const struct sim_world *w, uint32_t pid)
{
	/* the first three places, used or not (a record may be created there) */
	const struct sim_rep_slot *s = &w->rep_slot[pid];
	if (s->cap > 0)
		__builtin_prefetch(w->reps + s->off, 1);
	if (s->cap > 1)
		__builtin_prefetch(w->reps + s->off + 1, 1);
	if (s->cap > 2)
		__builtin_prefetch(w->reps + s->off + 2, 1);
}
#define SIM_REP_PREFETCH_AHEAD 8 /* lookups between asking for a record and using it */
struct sim_rep *sim_rep_get(struct sim_world *w, uint32_t pid, int32_t b); /* creates */
/* Held by its broker's current incarnation. */
static inline bool sim_rep_live(const struct sim_world *w, const struct sim_rep *r)
{
	return r && w->bk[r->broker].up && r->incarnation == w->bk[r->broker].incarnation;
}
/* Offer the huge pages inside [p, p + n) to the kernel (sim_world.c): for an array indexed by
 * pid or replica, fresh from the allocator and not yet touched, that lives as long as the run.
 * Advice only: nothing observable changes. */
void sim_huge_pages(void *p, size_t n);
/* Defer an event for a paused or cut-off broker until it can act. */
void sim_defer(struct sim_world *w, uint32_t b, const struct sim_event *e);
void sim_replay_deferred(struct sim_world *w, uint32_t b);
/* Inline: replication asks them for both ends of every fetch it looks at. */
static inline bool sim_bk_paused(const struct sim_world *w, uint32_t b) { return w->bk[b].paused_until > w->now; }
static inline bool sim_bk_zk_cut(const struct sim_world *w, uint32_t b) { return w->bk[b].iso_zk_until > w->now; }
static inline bool sim_bk_ctrl_cut(const struct sim_world *w, uint32_t b) { return w->bk[b].iso_ctrl_until > w->now; }
static inline bool sim_bk_brokers_cut(const struct sim_world *w, uint32_t b)
{
	return w->bk[b].iso_brokers_until > w->now;
}
/* A quiescent point (invariants.md): the active controller idle, nothing in flight, no
 * notification or handler pending, no broker between controlled-shutdown attempts. Timers
 * may be pending. */
bool sim_quiescent_point(const struct sim_world *w);
/* Call after changing a broker's process (up), controller queue, busy time, deferred events
 * or controlled shutdown: sim_quiescent_point reads the summary instead of every broker. */
void sim_bk_settle(struct sim_world *w);
/* The active controller (architecture S7), or -1. */
int32_t sim_active_controller(const struct sim_world *w);
/* Its topic znode lists it. */
static inline bool sim_partition_exists(const struct sim_world *w, uint32_t pid)
{
	const struct sim_zk_topic *t = &w->zk.topics[w->pid_topic[pid]];
	return t->exists && w->pid_number[pid] < t->n;
}
/* Spans of admin operations that end on a ZooKeeper change. */
void sim_track_creation(struct sim_world *w, uint32_t topic, uint32_t partitions);
void sim_track_reassignment(struct sim_world *w, uint32_t pid);
/* End a span now, or when the running controller event ends. */
void sim_end_span(struct sim_world *w, int op, int64_t key);
void sim_end_spans_of_event(struct sim_world *w, uint64_t end);

/* ---- brokers (sim_broker.c) ---- */
void sim_broker_start(struct sim_world *w, uint32_t b);
void sim_broker_crash(struct sim_world *w, uint32_t b);
void sim_broker_stop(struct sim_world *w, uint32_t b); /* after controlled shutdown */
void sim_broker_expire_now(struct sim_world *w, uint32_t b);
void sim_broker_pause(struct sim_world *w, uint32_t b, uint64_t for_us);
void sim_broker_isolate(struct sim_world *w, uint32_t b, enum sim_isolate_from from, uint64_t for_us);
void sim_broker_controlled_shutdown(struct sim_world *w, uint32_t b);
void sim_broker_event(struct sim_world *w, const struct sim_event *e);
void sim_broker_apply(struct sim_world *w, uint32_t b, const struct sim_req *r); /* a request arrives */
void sim_broker_elect(struct sim_world *w, uint32_t b);
void sim_broker_seed_replica(struct sim_world *w, const struct sim_entry *e, uint32_t live_list);
/* Broker b's cached record for pid: an index into world.meta, 0 when it caches nothing. */
static inline uint32_t sim_broker_meta(const struct sim_world *w, uint32_t b, uint32_t pid)
{
	return sim_mc_get(&w->mc, w->bk[b].mc, pid);
}
/* Set broker b's cached record for pid directly (`initial:` set-up). */
void sim_broker_set_meta(struct sim_world *w, uint32_t b, uint32_t pid, uint32_t meta);

/* ---- channels (sim_channel.c) ---- */
void sim_chan_set(struct sim_world *w, uint32_t ctrl, uint32_t target, bool open);
void sim_chan_close_all(struct sim_world *w, uint32_t ctrl);
void sim_chan_enqueue(struct sim_world *w, uint32_t ctrl, uint32_t target, uint32_t payload, uint32_t first,
		      uint32_t count, uint64_t depart_us);
void sim_chan_event(struct sim_world *w, const struct sim_event *e);
uint32_t sim_chan_in_flight(const struct sim_world *w);
/* One message carrying the payload (or its builder) is done with it: the last frees its entries. */
void sim_payload_release(struct sim_world *w, uint32_t payload);

/* ---- controllers (sim_ctrl.c) ---- */
void sim_ctrl_init_sink(struct sim_world *w);
void sim_ctrl_enqueue(struct sim_world *w, uint32_t b, enum sim_cev kind, int64_t a, int64_t bb,
		      const int64_t *payload, uint32_t len);
void sim_ctrl_run(struct sim_world *w, uint32_t b);
void sim_ctrl_resign(struct sim_world *w, uint32_t b);
struct kc_controller *sim_ctrl_module(struct sim_world *w, uint32_t b);
/* The active controller's queue: `active` is what sim_active_controller answered (-1: none, 0). */
uint32_t sim_ctrl_queue_len(const struct sim_world *w, int32_t active);
void sim_ctrl_schedule_rebalance(struct sim_world *w, uint32_t b, uint64_t at);

/* ---- the loop (sim_run.c) ---- */
void sim_dispatch(struct sim_world *w, const struct sim_event *e);

/* ---- start-up (sim_startup.c) ---- */
/* How instant start-up creates the start-up topics: the real onNewTopicCreation, or the direct
 * construction of the same state that S1 allows for speed (kc_initial_topics_created); auto
 * takes the direct one for large scenarios (SIM_LARGE_PARTITIONS). `kcsim run --instant-build`. */
enum sim_instant_build { SIM_INSTANT_AUTO, SIM_INSTANT_REAL, SIM_INSTANT_DIRECT };
void sim_startup(struct sim_world *w, enum sim_instant_build build);
void sim_startup_topics(struct sim_world *w);

/* ---- timeline (sim_timeline.c) ---- */
void sim_timeline_apply(struct sim_world *w, uint32_t entry);
void sim_timeline_rolling(struct sim_world *w, uint32_t index, uint32_t step);
/* After every event while a rolling restart waits: the waits whose condition now holds take
 * their step at this instant. O(waiting restarts) per call. */
void sim_timeline_rolling_check(struct sim_world *w);
/* A rolling restart's settle time has passed (EV_ROLLING_SETTLE). */
void sim_timeline_rolling_settle(struct sim_world *w, uint32_t index, uint32_t pos);
/* The live brokers' ids, ascending (getSortedBrokerList); out has room for every broker. */
uint32_t sim_live_brokers(const struct sim_world *w, int32_t *out);
/* Kafka's AdminUtils.assignReplicasToBrokers from partition 0 over a list sim_live_brokers
 * gave, the random start index and shift from the seed; for a caller placing many topics while
 * the brokers stay as they are (start-up). */
bool sim_assign_replicas_over(struct sim_world *w, const int32_t *brokers, uint32_t nb, uint32_t n_parts, uint32_t rf,
			      int32_t *out);

#endif
