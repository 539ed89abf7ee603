/* sim_check.h — the invariant checker (spec/invariants.md). Safety invariants are checked
 * after every event on what the event changed (dirty partitions and brokers), liveness at
 * quiescent points; the end of the run recomputes everything from scratch. A violation goes
 * to sim_obs_violation, which stops the run. Nothing here is quadratic in partitions. */
#ifndef SIM_CHECK_H
#define SIM_CHECK_H

#include "sim_observe.h"

struct sim_check;
struct sim_check *sim_check_new(struct sim_world *w);
void sim_check_free(struct sim_check *c);

void sim_check_state_change(struct sim_world *w, struct sim_check *c, uint32_t ctrl, const struct kc_state_change *sc);
void sim_check_election(struct sim_world *w, struct sim_check *c, uint32_t ctrl, const struct kc_election *e);
void sim_check_request_handled(struct sim_world *w, struct sim_check *c, uint32_t b, uint32_t req, bool applied);
void sim_check_lair_accepted(struct sim_world *w, struct sim_check *c, uint32_t b, const struct sim_entry *e,
			     int32_t held_epoch, int32_t req_ctrl_epoch);
void sim_check_leader_role(struct sim_world *w, struct sim_check *c, uint32_t b, uint32_t pid, bool acting,
			   int32_t leader_epoch);
void sim_check_meta(struct sim_world *w, struct sim_check *c, uint32_t b, uint32_t pid);
/* sim_check_meta for each of the n entries at e; stamp: see sim_obs_meta. */
void sim_check_meta_entries(struct sim_world *w, struct sim_check *c, uint32_t b, const struct sim_entry *e,
			    uint32_t n, uint64_t *stamp);
void sim_check_zk(struct sim_world *w, struct sim_check *c, enum sim_zk_change what, uint32_t id);
void sim_check_broker_process(struct sim_world *w, struct sim_check *c, uint32_t b, bool up);
void sim_check_controller(struct sim_world *w, struct sim_check *c, uint32_t b, bool active, int32_t epoch);
/* Take the baseline now (the first hook after start-up does it anyway; calling this at time 0,
 * before the first event, makes that event's own changes checked too). */
void sim_check_begin(struct sim_world *w, struct sim_check *c);
void sim_check_after_event(struct sim_world *w, struct sim_check *c);
/* Ask for pid's record ahead of sim_check_leader_role (see sim_obs_prefetch). */
void sim_check_prefetch(const struct sim_check *c, uint32_t pid);
void sim_check_quiescent(struct sim_world *w, struct sim_check *c);
void sim_check_end(struct sim_world *w, struct sim_check *c);

#endif
