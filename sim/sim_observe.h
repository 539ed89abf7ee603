/* sim_observe.h — what the simulated world tells its observers, and the observers' own APIs:
 * the invariant checker (sim_check.c), the expectations (sim_expect.c), the metrics and
 * operation spans (sim_metrics.c), the trace and state-change log (sim_trace.c), and the
 * result files (sim_report.c). The world calls the sim_obs_* hooks (sim_observe.c fans them
 * out); observers read the world (sim_world.h, sim_zk.h) but never change it, except that a
 * violation stops the run (sim_obs_violation). */
#ifndef SIM_OBSERVE_H
#define SIM_OBSERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "kc.h"
#include "sim_world.h"

/* How the run was asked for: results go to out_dir; repro is the command that reproduces it. */
struct sim_run_opts {
	const char *scenario_path;
	const char *out_dir;
	bool trace;                /* trace.jsonl and state-change.log */
	bool quiet;
	bool progress;             /* a progress line on stderr (kcsim run on a terminal) */
	bool seed_given;
	uint64_t seed;
	enum sim_instant_build instant_build; /* zero: auto */
	char repro[1024];
};

/* Operation spans for summary.json "operations" (scenario-format Results). */
enum sim_op {
	OP_CONTROLLER_FAILOVER,
	OP_CONTROLLED_SHUTDOWN,
	OP_BROKER_FAILURE,
	OP_BROKER_STARTUP,
	OP_TOPIC_DELETION,
	OP_REASSIGNMENT,
	OP_PREFERRED_ELECTION,
	OP_TOPIC_CREATION,
	OP_ROLLING_RESTART,
	OP_COUNT
};
const char *sim_op_name(enum sim_op op);

/* What changed in ZooKeeper (sim_zk's observe callback). */
enum sim_zk_change {
	ZKC_STATE,        /* id = pid: state znode created, written or deleted */
	ZKC_TOPIC,        /* id = topic: topic znode created, rewritten or deleted */
	ZKC_BROKER,       /* id = broker index: registration created or deleted */
	ZKC_CONTROLLER,   /* /controller created or deleted */
	ZKC_EPOCH,        /* /controller_epoch written */
	ZKC_ADMIN,        /* an admin znode changed (id: 0 delete, 1 reassign, 2 preferred) */
};

struct sim_observer {
	struct sim_run_opts opts;
	struct sim_check *check;
	struct sim_expect_state *expect;
	struct sim_metrics *metrics;
	struct sim_trace *trace;
	/* the run's verdict */
	bool violated;
	int violation;             /* enum sim_invariant */
	uint64_t violation_t_us;
	char violation_detail[512];
	char violation_event[128];
	char verdict[512];         /* the outcome in one line, for the command line */
};

struct sim_observer *sim_obs_new(struct sim_world *w, const struct sim_run_opts *opts);
void sim_obs_free(struct sim_observer *o);

/* ---- hooks the world calls ---- */
void sim_obs_state_change(struct sim_world *w, uint32_t ctrl, const struct kc_state_change *sc);
void sim_obs_election(struct sim_world *w, uint32_t ctrl, const struct kc_election *e);
/* A request message for broker `r->to` built by a controller; dropped: no channel. */
void sim_obs_request(struct sim_world *w, uint32_t req, bool dropped);
/* Broker b handles request message req (applied: its controller epoch was accepted). */
void sim_obs_request_handled(struct sim_world *w, uint32_t b, uint32_t req, bool applied);
/* Broker b accepted LeaderAndIsr entry e (held_epoch: its leader epoch before). */
void sim_obs_lair_accepted(struct sim_world *w, uint32_t b, const struct sim_entry *e, int32_t held_epoch,
			   int32_t req_ctrl_epoch);
/* A LeaderAndIsr entry for pid is a few entries away: the metrics' record of pid, which
 * sim_obs_leader_role touches when it leads, is asked for now, and the checker's too when the
 * entry makes this broker the leader (leads) and checks are on. The checker's record is
 * touched only then: asked for at every entry, it cost more than it saved; at a simulated
 * start-up's million leader entries, missed one by one, it cost more than asking. Nothing
 * observable changes. */
void sim_obs_prefetch(const struct sim_world *w, uint32_t pid, bool leads);
/* Broker b starts or stops acting as the leader of pid (clients' view). */
void sim_obs_leader_role(struct sim_world *w, uint32_t b, uint32_t pid, bool acting, int32_t leader_epoch);
/* Broker b's metadata cache took the n UpdateMetadata entries at e. *stamp (when not NULL)
 * belongs to the observers: brokers applying the same entries to the same cache share it. */
void sim_obs_meta(struct sim_world *w, uint32_t b, const struct sim_entry *e, uint32_t n, uint64_t *stamp);
/* A ZooKeeper change (before its watches fire). */
void sim_obs_zk(struct sim_world *w, enum sim_zk_change what, uint32_t id);
/* Broker b starts (up) or stops (crash, stop) its process; a new incarnation on start. */
void sim_obs_broker_process(struct sim_world *w, uint32_t b, bool up);
/* A controller's failover began (epoch = its epoch) or it resigned. */
void sim_obs_controller(struct sim_world *w, uint32_t b, bool active, int32_t epoch);
/* A controller event ran from t0 to end (its cost). */
void sim_obs_ctrl_event(struct sim_world *w, uint32_t b, const struct sim_cevent *ev, uint64_t t0, uint64_t end);
/* A timeline entry was applied (refused: impossible at its time, with why). */
void sim_obs_timeline(struct sim_world *w, uint32_t entry, bool refused, const char *why);
/* An operation span began or ended (key tells spans of one kind apart: broker, topic, pid). */
void sim_obs_op_begin(struct sim_world *w, enum sim_op op, int64_t key, int32_t broker, uint64_t t);
void sim_obs_op_end(struct sim_world *w, enum sim_op op, int64_t key, uint64_t t);
/* Start-up is over: time 0 begins (baselines for the figures). */
void sim_obs_started(struct sim_world *w);
/* Before the first event with time next_t runs (SIM_NEVER: the run ends): `at` checks due. */
void sim_obs_before_time(struct sim_world *w, uint64_t next_t);
/* After every event; returns false when the run must stop (a violation). */
bool sim_obs_after_event(struct sim_world *w, const struct sim_event *e);
/* At a quiescent point while an active controller exists (liveness). */
void sim_obs_quiescent(struct sim_world *w);
/* The run ended at w->now (max_time: ran out of time). Writes the results; returns the exit
 * status (0 pass, 1 fail). */
int sim_obs_end(struct sim_world *w, bool max_time);

/* A violation: records it (the first one wins) and stops the run. */
void sim_obs_violation(struct sim_world *w, int invariant, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
