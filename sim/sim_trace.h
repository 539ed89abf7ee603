/* sim_trace.h — with --trace: trace.jsonl (one JSON object per state change, request,
 * ZooKeeper write and fault, each with t_us) and state-change.log (the controller's
 * state-change log in 0.8.2's own line format, the simulated time in place of the wall-clock
 * timestamp). Both stream to temporary files that sim_report.c renames into place. */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include "sim_observe.h"

struct sim_trace;
/* NULL when tracing is off. */
struct sim_trace *sim_trace_new(struct sim_world *w, const char *out_dir, bool on);
void sim_trace_free(struct sim_trace *t);

void sim_trace_state_change(struct sim_world *w, struct sim_trace *t, uint32_t ctrl, const struct kc_state_change *sc);
void sim_trace_election(struct sim_world *w, struct sim_trace *t, uint32_t ctrl, const struct kc_election *e);
void sim_trace_request(struct sim_world *w, struct sim_trace *t, uint32_t req, bool dropped);
void sim_trace_request_handled(struct sim_world *w, struct sim_trace *t, uint32_t b, uint32_t req, bool applied);
void sim_trace_zk(struct sim_world *w, struct sim_trace *t, enum sim_zk_change what, uint32_t id);
void sim_trace_broker_process(struct sim_world *w, struct sim_trace *t, uint32_t b, bool up);
void sim_trace_controller(struct sim_world *w, struct sim_trace *t, uint32_t b, bool active, int32_t epoch);
void sim_trace_ctrl_event(struct sim_world *w, struct sim_trace *t, uint32_t b, const struct sim_cevent *ev,
			  uint64_t t0, uint64_t end);
void sim_trace_timeline(struct sim_world *w, struct sim_trace *t, uint32_t entry, bool refused, const char *why);
void sim_trace_violation(struct sim_world *w, struct sim_trace *t, const char *invariant, const char *detail);
/* Flush and close the temporary files; false on a write error. */
bool sim_trace_finish(struct sim_trace *t);
/* Rename the temporary files into out_dir (after the other results are written). */
bool sim_trace_commit(struct sim_trace *t);

#endif
