/* sim_metrics.h — the run's figures (scenario-format Results): the per-change rows of
 * timeline.csv, per-partition unavailability for partitions.csv, summary.json's "figures"
 * (counts, partition-seconds, maxima, leaders per broker) and "operations" spans. Counts are
 * kept from what each event changed, never by scanning every partition per event. */
#ifndef SIM_METRICS_H
#define SIM_METRICS_H

#include <stdio.h>

#include "sim_observe.h"

struct sim_metrics;
struct sim_metrics *sim_metrics_new(struct sim_world *w);
void sim_metrics_free(struct sim_metrics *m);

void sim_metrics_request(struct sim_world *w, struct sim_metrics *m, uint32_t req, bool dropped);
void sim_metrics_election(struct sim_world *w, struct sim_metrics *m, const struct kc_election *e);
/* Ask for pid's record ahead of a hook (sim_obs_prefetch). */
void sim_metrics_prefetch(const struct sim_metrics *m, uint32_t pid);
void sim_metrics_leader_role(struct sim_world *w, struct sim_metrics *m, uint32_t b, uint32_t pid, bool acting);
void sim_metrics_zk(struct sim_world *w, struct sim_metrics *m, enum sim_zk_change what, uint32_t id);
void sim_metrics_broker_process(struct sim_world *w, struct sim_metrics *m, uint32_t b, bool up);
void sim_metrics_ctrl_event(struct sim_world *w, struct sim_metrics *m, uint32_t b, const struct sim_cevent *ev,
			    uint64_t t0, uint64_t end);
void sim_metrics_op_begin(struct sim_world *w, struct sim_metrics *m, enum sim_op op, int64_t key, int32_t broker,
			  uint64_t t);
void sim_metrics_op_end(struct sim_world *w, struct sim_metrics *m, enum sim_op op, int64_t key, uint64_t t);
/* Start-up has ended (call once before the first event after it): from here on events and
 * ZooKeeper operations count, and timeline.csv's row at time 0 holds the state start-up left.
 * Optional: the first hook after start-up does the same, less exactly. */
void sim_metrics_start(struct sim_world *w, struct sim_metrics *m);
/* After every event: a timeline.csv row when a count changed. */
void sim_metrics_after_event(struct sim_world *w, struct sim_metrics *m);
/* Partitions under-replicated now (ZooKeeper's ISR shorter than the assignment), O(1). */
uint32_t sim_metrics_under_replicated(const struct sim_metrics *m);
/* Close the run at w->now. */
void sim_metrics_end(struct sim_world *w, struct sim_metrics *m);
/* Writers for the result files (called by sim_report.c). */
void sim_metrics_write_timeline(const struct sim_metrics *m, FILE *f);
void sim_metrics_write_partitions(const struct sim_world *w, const struct sim_metrics *m, FILE *f);
/* summary.json's "figures" object, indented by `indent` spaces. */
void sim_metrics_write_figures(const struct sim_world *w, const struct sim_metrics *m, FILE *f, int indent);

/* Names shared by the result writers: Kafka's request names (enum kc_request_type) and the
 * controller event kinds (enum sim_cev) as summary.json and trace.jsonl spell them. */
const char *sim_request_type_name(int type);
const char *sim_cevent_name(int kind);

#endif
