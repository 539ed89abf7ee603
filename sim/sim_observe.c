/* sim_observe.c — fans the world's hooks out to the checker, expectations, metrics and trace,
 * records the first violation, and ends the run by writing its results. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_check.h"
#include "sim_expect.h"
#include "sim_metrics.h"
#include "sim_report.h"
#include "sim_trace.h"

static const char *const op_names[OP_COUNT] = {
	[OP_CONTROLLER_FAILOVER] = "controller_failover",
	[OP_CONTROLLED_SHUTDOWN] = "controlled_shutdown",
	[OP_BROKER_FAILURE] = "broker_failure",
	[OP_BROKER_STARTUP] = "broker_startup",
	[OP_TOPIC_DELETION] = "topic_deletion",
	[OP_REASSIGNMENT] = "reassignment",
	[OP_PREFERRED_ELECTION] = "preferred_election",
	[OP_TOPIC_CREATION] = "topic_creation",
	[OP_ROLLING_RESTART] = "rolling_restart",
};

const char *sim_op_name(enum sim_op op) { return op < OP_COUNT ? op_names[op] : "unknown"; }

struct sim_observer *sim_obs_new(struct sim_world *w, const struct sim_run_opts *opts)
{
	struct sim_observer *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->opts = *opts;
	w->obs = o;
	o->check = sim_check_new(w);
	o->expect = sim_expect_new(w);
	o->metrics = sim_metrics_new(w);
	o->trace = sim_trace_new(w, opts->out_dir, opts->trace);
	return o;
}

void sim_obs_free(struct sim_observer *o)
{
	if (!o)
		return;
	sim_check_free(o->check);
	sim_expect_free(o->expect);
	sim_metrics_free(o->metrics);
	sim_trace_free(o->trace);
	free(o);
}

/* Before start-up ends (instant start-up is not observed) nothing is recorded. */
static struct sim_observer *live(struct sim_world *w) { return w->startup_phase ? NULL : w->obs; }

void sim_obs_state_change(struct sim_world *w, uint32_t ctrl, const struct kc_state_change *sc)
{
	struct sim_observer *o = live(w);
	if (!o)
		return;
	sim_check_state_change(w, o->check, ctrl, sc);
	sim_trace_state_change(w, o->trace, ctrl, sc);
}

void sim_obs_election(struct sim_world *w, uint32_t ctrl, const struct kc_election *e)
{
	struct sim_observer *o = live(w);
	if (!o)
		return;
	sim_check_election(w, o->check, ctrl, e);
	sim_metrics_election(w, o->metrics, e);
	sim_trace_election(w, o->trace, ctrl, e);
}

void sim_obs_request(struct sim_world *w, uint32_t req, bool dropped)
{
	struct sim_observer *o = live(w);
	if (!o)
		return;
	sim_expect_request(w, o->expect, req, dropped);
	sim_metrics_request(w, o->metrics, req, dropped);
	sim_trace_request(w, o->trace, req, dropped);
}

void sim_obs_request_handled(struct sim_world *w, uint32_t b, uint32_t req, bool applied)
{
	struct sim_observer *o = live(w);
	if (!o)
		return;
	sim_check_request_handled(w, o->check, b, req, applied);
	sim_trace_request_handled(w, o->trace, b, req, applied);
}

void sim_obs_lair_accepted(struct sim_world *w, uint32_t b, const struct sim_entry *e, int32_t held_epoch,
			   int32_t req_ctrl_epoch)
{
	struct sim_observer *o = live(w);
	if (o)
		sim_check_lair_accepted(w, o->check, b, e, held_epoch, req_ctrl_epoch);
}

void sim_obs_prefetch(const struct sim_world *w, uint32_t pid, bool leads)
{
	if (!w->obs)
		return;
	if (leads && !w->startup_phase)
		sim_check_prefetch(w->obs->check, pid);
	sim_metrics_prefetch(w->obs->metrics, pid); /* last: a jump, no frame, when checks are off */
}

void sim_obs_leader_role(struct sim_world *w, uint32_t b, uint32_t pid, bool acting, int32_t leader_epoch)
{
	struct sim_observer *o = w->obs;
	if (!o)
		return;
	/* roles taken during instant start-up still count for availability from time 0 */
	sim_metrics_leader_role(w, o->metrics, b, pid, acting);
	if (!w->startup_phase)
		sim_check_leader_role(w, o->check, b, pid, acting, leader_epoch);
}

void sim_obs_meta(struct sim_world *w, uint32_t b, const struct sim_entry *e, uint32_t n, uint64_t *stamp)
{
	struct sim_observer *o = live(w);
	if (o)
		sim_check_meta_entries(w, o->check, b, e, n, stamp);
}

void sim_obs_zk(struct sim_world *w, enum sim_zk_change what, uint32_t id)
{
	struct sim_observer *o = w->obs;
	if (!o)
		return;
	sim_metrics_zk(w, o->metrics, what, id);
	if (w->startup_phase)
		return;
	sim_check_zk(w, o->check, what, id);
	sim_trace_zk(w, o->trace, what, id);
}

void sim_obs_broker_process(struct sim_world *w, uint32_t b, bool up)
{
	struct sim_observer *o = w->obs;
	if (!o)
		return;
	sim_metrics_broker_process(w, o->metrics, b, up);
	if (w->startup_phase)
		return;
	sim_check_broker_process(w, o->check, b, up);
	sim_trace_broker_process(w, o->trace, b, up);
}

void sim_obs_controller(struct sim_world *w, uint32_t b, bool active, int32_t epoch)
{
	struct sim_observer *o = w->obs;
	if (!o)
		return;
	sim_check_controller(w, o->check, b, active, epoch);
	if (!w->startup_phase)
		sim_trace_controller(w, o->trace, b, active, epoch);
}

void sim_obs_ctrl_event(struct sim_world *w, uint32_t b, const struct sim_cevent *ev, uint64_t t0, uint64_t end)
{
	struct sim_observer *o = live(w);
	if (!o)
		return;
	sim_metrics_ctrl_event(w, o->metrics, b, ev, t0, end);
	sim_trace_ctrl_event(w, o->trace, b, ev, t0, end);
}

void sim_obs_timeline(struct sim_world *w, uint32_t entry, bool refused, const char *why)
{
	struct sim_observer *o = live(w);
	if (!o)
		return;
	sim_expect_timeline(w, o->expect, entry);
	sim_trace_timeline(w, o->trace, entry, refused, why);
}

void sim_obs_op_begin(struct sim_world *w, enum sim_op op, int64_t key, int32_t broker, uint64_t t)
{
	struct sim_observer *o = live(w);
	if (o)
		sim_metrics_op_begin(w, o->metrics, op, key, broker, t);
}

void sim_obs_op_end(struct sim_world *w, enum sim_op op, int64_t key, uint64_t t)
{
	struct sim_observer *o = live(w);
	if (o)
		sim_metrics_op_end(w, o->metrics, op, key, t);
}

void sim_obs_started(struct sim_world *w)
{
	sim_metrics_start(w, w->obs->metrics);
	sim_check_begin(w, w->obs->check);
}

void sim_obs_before_time(struct sim_world *w, uint64_t next_t)
{
	struct sim_observer *o = w->obs;
	if (!o->violated)
		sim_expect_before_time(w, o->expect, next_t);
}

bool sim_obs_after_event(struct sim_world *w, const struct sim_event *e)
{
	struct sim_observer *o = w->obs;
	(void)e;
	sim_check_after_event(w, o->check);
	if (!o->violated)
		sim_expect_after_event(w, o->expect);
	sim_metrics_after_event(w, o->metrics);
	return !o->violated;
}

void sim_obs_quiescent(struct sim_world *w)
{
	struct sim_observer *o = w->obs;
	if (!o->violated)
		sim_check_quiescent(w, o->check);
}

/* What the event being processed was, in words, for the violation report. */
static void describe_event(const struct sim_world *w, char *buf, size_t n)
{
	const struct sim_event *e = &w->current;
	const struct sim_scenario *sc = w->sc;
	uint32_t b = (uint32_t)(e->kind == EV_NOTIFY ? (e->a & 0xFFFFFFFF) : (uint64_t)e->a);
	switch ((enum sim_ev)e->kind) {
	case EV_TIMELINE: {
		const struct sim_timeline_entry *t = &sc->timeline[e->a];
		snprintf(buf, n, "timeline entry at line %u (%s)", t->line, sim_action_name(t->action));
		return;
	}
	case EV_CTRL_RUN:
		snprintf(buf, n, "controller event on broker %d", w->bk[b].id);
		return;
	case EV_DELIVER: {
		const struct sim_req *r = &w->reqs[e->a];
		static const char *const types[] = {"LeaderAndIsr", "UpdateMetadata", "StopReplica"};
		snprintf(buf, n, "%s delivered to broker %d", types[w->payloads[r->payload].type % 3], w->bk[r->to].id);
		return;
	}
	case EV_NOTIFY:
		snprintf(buf, n, "ZooKeeper watch notification to broker %d", w->bk[b].id);
		return;
	case EV_EXPIRE:
		snprintf(buf, n, "session expiry of broker %d", w->bk[b].id);
		return;
	case EV_CATCHUP:
		snprintf(buf, n, "follower catch-up on broker %d", w->bk[b].id);
		return;
	case EV_ISR_CHECK:
		snprintf(buf, n, "ISR check on broker %d", w->bk[b].id);
		return;
	default: {
		static const char *const names[] = {
			[EV_SEND] = "channel send", [EV_RESPONSE] = "request answered",
			[EV_NOTICE_EXPIRY] = "session expiry noticed", [EV_CS_DELIVER] = "ControlledShutdownRequest delivered",
			[EV_CS_RESPONSE] = "ControlledShutdown answer", [EV_CS_TIMEOUT] = "ControlledShutdown timeout",
			[EV_CS_RETRY] = "ControlledShutdown retry", [EV_START] = "broker start",
			[EV_REGISTER_RETRY] = "registration retry", [EV_RESUME] = "pause end",
			[EV_ISOLATION_END] = "isolation end", [EV_REBALANCE] = "auto rebalance check",
			[EV_ROLLING] = "rolling restart step", [EV_ROLLING_SETTLE] = "rolling restart settle time",
			[EV_STARTUP_TOPICS] = "start-up topic creation",
			[EV_CTRL_DONE] = "controller event end",
		};
		bool named = e->kind < sizeof names / sizeof names[0] && names[e->kind];
		bool about_broker = e->kind != EV_ROLLING && e->kind != EV_ROLLING_SETTLE &&
				    e->kind != EV_STARTUP_TOPICS && b < w->n_brokers;
		if (e->kind == SIM_QUEUE_KIND_NONE)
			snprintf(buf, n, "the end of the run (every invariant recomputed)");
		else if (named && e->kind == EV_RESPONSE)
			snprintf(buf, n, "%s (by broker %d)", names[e->kind], w->bk[w->reqs[e->a].to].id);
		else if (named && about_broker)
			snprintf(buf, n, "%s (broker %d)", names[e->kind], w->bk[b].id);
		else if (named)
			snprintf(buf, n, "%s", names[e->kind]);
		else
			snprintf(buf, n, "event kind %u", e->kind);
		return;
	}
	}
}

void sim_obs_violation(struct sim_world *w, int invariant, const char *fmt, ...)
{
	struct sim_observer *o = w->obs;
	if (!o || o->violated)
		return;
	o->violated = true;
	o->violation = invariant;
	o->violation_t_us = w->now;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->violation_detail, sizeof o->violation_detail, fmt, ap);
	va_end(ap);
	if (w->events)
		describe_event(w, o->violation_event, sizeof o->violation_event);
	sim_trace_violation(w, o->trace, sim_invariant_info((enum sim_invariant)invariant)->name, o->violation_detail);
	w->stopped = true;
}

int sim_obs_end(struct sim_world *w, bool max_time)
{
	struct sim_observer *o = w->obs;
	w->current.kind = SIM_QUEUE_KIND_NONE;
	if (!o->violated && !max_time)
		sim_check_end(w, o->check);
	sim_expect_end(w, o->expect, o->violated);
	sim_metrics_end(w, o->metrics);
	uint32_t passed, failed, not_evaluated;
	sim_expect_counts(o->expect, &passed, &failed, &not_evaluated);
	bool pass = !max_time && failed == 0 &&
		    (o->violated ? sim_expect_violation_expected(o->expect, o->violation)
				 : !sim_expect_violation_expected(o->expect, -1));
	if (pass && o->violated)
		snprintf(o->verdict, sizeof o->verdict, "pass: %s violated as expected at t=%llu us",
			 sim_invariant_info((enum sim_invariant)o->violation)->name,
			 (unsigned long long)o->violation_t_us);
	else if (pass)
		snprintf(o->verdict, sizeof o->verdict, "pass: %u expectations held, ended at t=%llu us", passed,
			 (unsigned long long)w->now);
	else if (max_time)
		snprintf(o->verdict, sizeof o->verdict, "fail: max_time reached at t=%llu us", (unsigned long long)w->now);
	else if (o->violated)
		snprintf(o->verdict, sizeof o->verdict, "fail: invariant %s violated at t=%llu us: %.400s",
			 sim_invariant_info((enum sim_invariant)o->violation)->name,
			 (unsigned long long)o->violation_t_us, o->violation_detail);
	else if (failed)
		snprintf(o->verdict, sizeof o->verdict, "fail: %.480s", sim_expect_failures(o->expect));
	else
		snprintf(o->verdict, sizeof o->verdict, "fail: the expected violation did not happen");
	if (!sim_report_write(w, o, pass, max_time))
		return 2;
	return pass ? 0 : 1;
}
