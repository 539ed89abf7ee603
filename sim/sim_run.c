/* sim_run.c — the event loop of one run: events in (time, class, sequence) order, each handed
 * to its module; the observers after every event; liveness at quiescent points; the end by
 * run_until (a time, or the first quiescent point after the last timeline entry and check)
 * or by max_time. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_run.h"
#include "sim_world.h"

void sim_dispatch(struct sim_world *w, const struct sim_event *e)
{
	switch ((enum sim_ev)e->kind) {
	case EV_TIMELINE:
		sim_timeline_apply(w, (uint32_t)e->a);
		break;
	case EV_START:
		sim_broker_start(w, (uint32_t)e->a);
		break;
	case EV_SEND:
	case EV_DELIVER:
	case EV_RESPONSE:
		sim_chan_event(w, e);
		break;
	case EV_CTRL_RUN:
		sim_ctrl_run(w, (uint32_t)e->a);
		break;
	case EV_ROLLING:
		sim_timeline_rolling(w, (uint32_t)e->a, (uint32_t)e->b);
		break;
	case EV_ROLLING_SETTLE:
		sim_timeline_rolling_settle(w, (uint32_t)e->a, (uint32_t)e->b);
		break;
	case EV_STARTUP_TOPICS:
		sim_startup_topics(w);
		break;
	case EV_CTRL_DONE:
		break; /* nothing happens: the checks after it see the controller idle */
	default:
		sim_broker_event(w, e);
		break;
	}
}

/* Where run_until: quiescent may end the run: a quiescent point with no non-periodic timer
 * pending (scenario-format `run_until`) and no rolling restart waiting for its condition. */
static bool quiescent(const struct sim_world *w)
{
	return w->pending_nonperiodic == 0 && w->n_rolling_waiting == 0 && sim_quiescent_point(w);
}

/* The last time the run must reach: the last timeline entry and the last at/within. */
static uint64_t last_due(const struct sim_scenario *sc)
{
	uint64_t t = 0;
	for (uint32_t i = 0; i < sc->n_timeline; i++)
		if (sc->timeline[i].at_us > t)
			t = sc->timeline[i].at_us;
	for (uint32_t i = 0; i < sc->n_expect; i++)
		if (sc->expect[i].when != SIM_WHEN_AT_END && sc->expect[i].t_us > t)
			t = sc->expect[i].t_us;
	return t;
}

static void schedule_timeline(struct sim_world *w)
{
	const struct sim_scenario *sc = w->sc;
	uint32_t *order = malloc((sc->n_timeline ? sc->n_timeline : 1) * sizeof *order);
	if (!order)
		exit(3);
	/* stable by time: entries at the same time keep file order */
	for (uint32_t i = 0; i < sc->n_timeline; i++) {
		uint32_t j = i;
		while (j > 0 && sc->timeline[order[j - 1]].at_us > sc->timeline[i].at_us)
			j--;
		memmove(order + j + 1, order + j, (i - j) * sizeof *order);
		order[j] = i;
	}
	for (uint32_t i = 0; i < sc->n_timeline; i++)
		sim_schedule(w, sc->timeline[order[i]].at_us, SIM_CLASS_TIMELINE, EV_TIMELINE, order[i], 0, 0);
	free(order);
}

/* The progress line of a long run on a terminal: simulated time and events, redrawn at most
 * four times a second (the wall clock is read here only, every 65,536 events, never for a
 * result). */
static void progress(const struct sim_world *w, struct timespec *drawn)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t ns = (int64_t)(now.tv_sec - drawn->tv_sec) * 1000000000 + (now.tv_nsec - drawn->tv_nsec);
	if (drawn->tv_sec && ns < 250000000)
		return;
	*drawn = now;
	fprintf(stderr, "\r%s: t=%.3f s simulated, %" PRIu64 " events\033[K", w->sc->name, (double)w->now / 1e6,
		w->events);
}

int sim_run(const struct sim_scenario *sc, const struct sim_run_opts *opts, char *verdict, size_t verdict_len)
{
	struct sim_world w;
	sim_world_init(&w, sc);
	struct sim_observer *o = sim_obs_new(&w, opts);
	if (!o) {
		sim_world_free(&w);
		return 2;
	}
	sim_startup(&w, opts->instant_build);
	sim_obs_started(&w);
	schedule_timeline(&w);
	uint64_t due = last_due(sc);
	bool max_time = false;
	struct timespec drawn = {0, 0};
	for (;;) {
		const struct sim_event *top = sim_queue_peek(&w.q);
		if (!sc->run_until_quiescent && (!top || top->t_us > sc->run_until_us)) {
			w.now = sc->run_until_us;
			break;
		}
		if (sc->run_until_quiescent && quiescent(&w) && (!top || top->t_us > due)) {
			if (w.now < due)
				w.now = due;
			break;
		}
		if (!top || top->t_us > sc->max_time_us) {
			w.now = sc->max_time_us;
			max_time = true;
			break;
		}
		sim_obs_before_time(&w, top->t_us);
		struct sim_event e;
		sim_queue_take(&w.q, top, &e);
		if (!sim_ev_periodic(e.kind))
			w.pending_nonperiodic--;
		w.pending_kind[e.kind]--;
		w.now = e.t_us;
		w.events++;
		w.current = e;
		sim_dispatch(&w, &e);
		if (w.n_rolling_waiting)
			sim_timeline_rolling_check(&w);
		if (!sim_obs_after_event(&w, &e))
			break;
		if (sim_quiescent_point(&w) && sim_active_controller(&w) >= 0)
			sim_obs_quiescent(&w);
		if (w.stopped)
			break;
		if (opts->progress && (w.events & 0xFFFF) == 0)
			progress(&w, &drawn);
	}
	if (opts->progress && drawn.tv_sec)
		fputs("\r\033[K", stderr); /* the line drawn last is cleared */
	if (!w.stopped)
		sim_obs_before_time(&w, SIM_NEVER);
	int rc = sim_obs_end(&w, max_time && !w.stopped);
	snprintf(verdict, verdict_len, "%s", o->verdict);
	sim_obs_free(o);
	sim_world_free(&w);
	return rc;
}
