/* sim_timeline.c — the scenario's timeline actions (scenario-format "timeline"): faults go to
 * the brokers, admin operations write ZooKeeper the way Kafka's tools do (and are refused
 * when the tool would refuse), direct transitions become controller events. Also Kafka's
 * replica placement (AdminUtils.assignReplicasToBrokers) and the rolling restart driver. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_metrics.h"
#include "sim_observe.h"
#include "sim_world.h"

static const int32_t *ints(const struct sim_world *w, struct sim_span s) { return w->sc->ints + s.off; }

uint32_t sim_live_brokers(const struct sim_world *w, int32_t *out)
{
	uint32_t n = 0;
	for (uint32_t b = 0; b < w->n_brokers; b++)
		if (w->zk.registered[b])
			out[n++] = w->bk[b].id;
	return n;
}

/* AdminUtils.assignReplicasToBrokers (0.8.2, rack-unaware): partition-major into out. A
 * fixed start index (add partitions) replaces both random draws. */
static bool assign_over(struct sim_world *w, const int32_t *brokers, uint32_t nb, uint32_t n_parts, uint32_t rf,
			uint32_t start_partition, int64_t fixed_start, int32_t *out)
{
	if (rf == 0 || nb == 0 || rf > nb)
		return false;
	uint64_t start = fixed_start >= 0 ? (uint64_t)fixed_start : sim_rng_below(&w->placement_rng, nb);
	uint64_t shift = fixed_start >= 0 ? (uint64_t)fixed_start : sim_rng_below(&w->placement_rng, nb);
	uint64_t p = start_partition;
	for (uint32_t i = 0; i < n_parts; i++, p++) {
		if (p > 0 && p % nb == 0)
			shift++;
		uint64_t first = (p + start) % nb;
		out[(size_t)i * rf] = brokers[first];
		for (uint32_t j = 0; j + 1 < rf; j++)
			out[(size_t)i * rf + 1 + j] = brokers[(first + 1 + (shift + j) % (nb - 1)) % nb];
	}
	return true;
}

static bool assign(struct sim_world *w, uint32_t n_parts, uint32_t rf, uint32_t start_partition,
		   int64_t fixed_start, int32_t *out)
{
	int32_t *brokers = malloc((w->n_brokers + 1) * sizeof *brokers);
	if (!brokers)
		exit(3);
	uint32_t nb = sim_live_brokers(w, brokers);
	bool ok = assign_over(w, brokers, nb, n_parts, rf, start_partition, fixed_start, out);
	free(brokers);
	return ok;
}

bool sim_assign_replicas_over(struct sim_world *w, const int32_t *brokers, uint32_t nb, uint32_t n_parts, uint32_t rf,
			      int32_t *out)
{
	return assign_over(w, brokers, nb, n_parts, rf, 0, -1, out);
}

static void refuse(struct sim_world *w, uint32_t entry, const char *why) { sim_obs_timeline(w, entry, true, why); }

static bool pick_broker(struct sim_world *w, int32_t id, uint32_t *b)
{
	int32_t x = sim_bidx(w, id);
	if (x < 0)
		return false;
	*b = (uint32_t)x;
	return true;
}

static void create_topic(struct sim_world *w, uint32_t entry, const struct sim_topic_spec *s)
{
	if (w->zk.topics[s->topic].exists) {
		refuse(w, entry, "topic already exists");
		return;
	}
	int32_t *reps = malloc(((size_t)s->partitions * s->replication_factor + 1) * sizeof *reps);
	if (!reps)
		exit(3);
	bool ok = true;
	if (s->explicit_assignment) {
		memcpy(reps, w->sc->ints + s->assignment, (size_t)s->partitions * s->replication_factor * sizeof *reps);
	} else {
		ok = assign(w, s->partitions, s->replication_factor, 0, -1, reps);
	}
	if (!ok) {
		refuse(w, entry, "replication factor larger than available brokers");
	} else {
		sim_obs_timeline(w, entry, false, NULL);
		sim_obs_op_begin(w, OP_TOPIC_CREATION, s->topic, -1, w->now);
		sim_track_creation(w, s->topic, s->partitions);
		sim_zk_create_topic(&w->zk, s->topic, s->partitions, reps, s->replication_factor,
				    s->unclean_leader_election);
	}
	free(reps);
}

/* kafka-topics --alter --partitions: 0.8.2 places new partitions with the first replica of
 * partition 0 as both start index and shift. */
static void add_partitions(struct sim_world *w, uint32_t entry, const struct sim_topic_spec *s)
{
	struct sim_zk_topic *t = &w->zk.topics[s->topic];
	if (!t->exists) {
		refuse(w, entry, "topic does not exist");
		return;
	}
	if (s->partitions <= t->n) {
		refuse(w, entry, "the number of partitions can only be increased");
		return;
	}
	uint32_t rf = t->view[0].n_replicas, add = s->partitions - t->n;
	if (s->explicit_assignment && s->replication_factor != rf) {
		refuse(w, entry, "replication factor differs from the topic's");
		return;
	}
	int32_t *reps = malloc(((size_t)add * rf + 1) * sizeof *reps);
	if (!reps)
		exit(3);
	uint32_t placed = s->explicit_assignment && s->first_partition > t->n ? s->first_partition - t->n
		       : s->explicit_assignment                              ? 0
									      : add;
	bool ok = placed == 0 || assign(w, placed, rf, t->n, t->view[0].replicas[0], reps);
	if (s->explicit_assignment)
		memcpy(reps + (size_t)placed * rf, w->sc->ints + s->assignment, (size_t)(add - placed) * rf * sizeof *reps);
	if (!ok)
		refuse(w, entry, "replication factor larger than available brokers");
	else {
		sim_obs_timeline(w, entry, false, NULL);
		sim_zk_add_partitions(&w->zk, s->topic, s->partitions, reps, rf);
	}
	free(reps);
}

static void reassign(struct sim_world *w, uint32_t entry, struct sim_span items)
{
	if (w->zk.reassign_exists) {
		refuse(w, entry, "a partition reassignment is already in progress");
		return;
	}
	struct sim_zk_admin_entry *e = calloc(items.n ? items.n : 1, sizeof *e);
	if (!e)
		exit(3);
	for (uint32_t i = 0; i < items.n; i++) {
		const struct sim_reassign *r = &w->sc->reassigns[items.off + i];
		e[i] = (struct sim_zk_admin_entry){.topic = r->partition.topic,
						   .partition = r->partition.partition,
						   .replicas = sim_lists_intern(&w->lists, ints(w, r->replicas), r->replicas.n)};
	}
	sim_obs_timeline(w, entry, false, NULL);
	for (uint32_t i = 0; i < items.n; i++) {
		uint32_t pid = sim_zk_pid(&w->zk, e[i].topic, e[i].partition);
		sim_obs_op_begin(w, OP_REASSIGNMENT, pid, -1, w->now);
		sim_track_reassignment(w, pid);
	}
	sim_zk_write_reassign(&w->zk, e, items.n);
	free(e);
}

static void preferred(struct sim_world *w, uint32_t entry, bool all, struct sim_span parts)
{
	if (w->zk.preferred_exists) {
		refuse(w, entry, "a preferred replica election is already in progress");
		return;
	}
	uint32_t cap = all ? w->n_parts : parts.n, n = 0;
	struct sim_zk_admin_entry *e = calloc(cap ? cap : 1, sizeof *e);
	if (!e)
		exit(3);
	if (all) {
		for (uint32_t pid = 0; pid < w->n_parts; pid++)
			if (sim_partition_exists(w, pid))
				e[n++] = (struct sim_zk_admin_entry){.topic = w->pid_topic[pid], .partition = w->pid_number[pid]};
	} else {
		for (uint32_t i = 0; i < parts.n; i++) {
			const struct sim_pref *p = &w->sc->prefs[parts.off + i];
			e[n++] = (struct sim_zk_admin_entry){.topic = p->topic, .partition = p->partition};
		}
	}
	sim_obs_timeline(w, entry, false, NULL);
	sim_obs_op_begin(w, OP_PREFERRED_ELECTION, 0, -1, w->now);
	sim_zk_write_preferred(&w->zk, e, n);
	free(e);
}

/* Start, or stop, each listed broker; refused for the ones in the wrong state. `restart` does
 * not start a broker that only an add_broker entry declares before that entry has run: until
 * then it is not part of the cluster. */
static void each_broker(struct sim_world *w, uint32_t entry, struct sim_span list, bool start, bool joined_only)
{
	const char *why = NULL;
	for (uint32_t i = 0; i < list.n; i++) {
		uint32_t b;
		if (!pick_broker(w, ints(w, list)[i], &b))
			continue;
		if (w->bk[b].up == start) {
			why = why ? why : start ? "broker is already running" : "broker is not running";
			continue;
		}
		if (start && joined_only && !sim_bk_joined(w, b)) {
			why = why ? why : "broker has not joined the cluster (no add_broker yet)";
			continue;
		}
		if (start)
			sim_broker_start(w, b);
		else
			sim_broker_crash(w, b);
	}
	if (why)
		refuse(w, entry, why);
	else
		sim_obs_timeline(w, entry, false, NULL);
}

static void controller_transition(struct sim_world *w, uint32_t entry, enum sim_cev kind, int64_t a, int64_t b,
				  const int64_t *payload, uint32_t len)
{
	int32_t c = sim_active_controller(w);
	if (c < 0) {
		refuse(w, entry, "no active controller");
		return;
	}
	sim_obs_timeline(w, entry, false, NULL);
	sim_ctrl_enqueue(w, (uint32_t)c, kind, a, b, payload, len);
}

void sim_timeline_apply(struct sim_world *w, uint32_t entry)
{
	const struct sim_timeline_entry *e = &w->sc->timeline[entry];
	uint32_t b = 0;
	switch (e->action) {
	case SIM_ACT_CRASH:
		each_broker(w, entry, e->u.brokers, false, false);
		break;
	case SIM_ACT_RESTART:
		each_broker(w, entry, e->u.brokers, true, true);
		break;
	case SIM_ACT_ADD_BROKER:
		each_broker(w, entry, e->u.brokers, true, false);
		break;
	case SIM_ACT_SHUTDOWN:
		if (!pick_broker(w, e->u.broker, &b) || !w->bk[b].up || w->bk[b].shutting_down) {
			refuse(w, entry, "broker is not running or already shutting down");
			break;
		}
		sim_obs_timeline(w, entry, false, NULL);
		sim_broker_controlled_shutdown(w, b);
		break;
	case SIM_ACT_EXPIRE_SESSION:
		if (!pick_broker(w, e->u.broker, &b) || !w->bk[b].up || !w->zk.session[b]) {
			refuse(w, entry, "broker has no live session");
			break;
		}
		sim_obs_timeline(w, entry, false, NULL);
		sim_broker_expire_now(w, b);
		break;
	case SIM_ACT_CONTROLLER_FAILOVER: {
		int32_t c = sim_active_controller(w);
		if (c < 0) {
			refuse(w, entry, "no active controller");
			break;
		}
		sim_obs_timeline(w, entry, false, NULL);
		sim_broker_expire_now(w, (uint32_t)c);
		break;
	}
	case SIM_ACT_PAUSE:
		if (!pick_broker(w, e->u.pause.broker, &b) || !w->bk[b].up) {
			refuse(w, entry, "broker is not running");
			break;
		}
		sim_obs_timeline(w, entry, false, NULL);
		sim_broker_pause(w, b, e->u.pause.for_us);
		break;
	case SIM_ACT_ISOLATE:
		if (!pick_broker(w, e->u.isolate.broker, &b) || !w->bk[b].up) {
			refuse(w, entry, "broker is not running");
			break;
		}
		sim_obs_timeline(w, entry, false, NULL);
		sim_broker_isolate(w, b, e->u.isolate.from, e->u.isolate.for_us);
		break;
	case SIM_ACT_ROLLING_RESTART:
		sim_obs_timeline(w, entry, false, NULL);
		sim_obs_op_begin(w, OP_ROLLING_RESTART, entry, -1, w->now);
		sim_timeline_rolling(w, entry, 0);
		break;
	case SIM_ACT_CREATE_TOPIC:
		create_topic(w, entry, &e->u.create_topic);
		break;
	case SIM_ACT_DELETE_TOPIC:
		if (!w->zk.topics[e->u.delete_topic].exists) {
			refuse(w, entry, "topic does not exist");
		} else if (!sim_zk_queue_delete(&w->zk, e->u.delete_topic)) {
			refuse(w, entry, "topic is already marked for deletion");
		} else {
			sim_obs_timeline(w, entry, false, NULL);
			sim_obs_op_begin(w, OP_TOPIC_DELETION, e->u.delete_topic, -1, w->now);
		}
		break;
	case SIM_ACT_ADD_PARTITIONS:
		add_partitions(w, entry, &e->u.add_partitions);
		break;
	case SIM_ACT_REASSIGN:
		reassign(w, entry, e->u.reassign);
		break;
	case SIM_ACT_PREFERRED_ELECTION:
		preferred(w, entry, e->u.preferred_election.all, e->u.preferred_election.partitions);
		break;
	case SIM_ACT_REPLICA_TRANSITION: {
		const struct sim_pref *p = &e->u.replica_transition.partition;
		struct sim_span s = e->u.replica_transition.brokers;
		int64_t *v = calloc(s.n ? s.n : 1, sizeof *v);
		if (!v)
			exit(3);
		for (uint32_t i = 0; i < s.n; i++)
			v[i] = ints(w, s)[i];
		controller_transition(w, entry, CE_REPLICA_TRANSITION, e->u.replica_transition.to,
				      sim_zk_pid(&w->zk, p->topic, p->partition), v, s.n);
		free(v);
		break;
	}
	case SIM_ACT_PARTITION_TRANSITION: {
		struct sim_span s = e->u.partition_transition.partitions;
		int64_t *v = calloc(s.n ? s.n : 1, sizeof *v);
		if (!v)
			exit(3);
		for (uint32_t i = 0; i < s.n; i++) {
			const struct sim_pref *p = &w->sc->prefs[s.off + i];
			v[i] = sim_zk_pid(&w->zk, p->topic, p->partition);
		}
		controller_transition(w, entry, CE_PARTITION_TRANSITION, e->u.partition_transition.to,
				      e->u.partition_transition.election, v, s.n);
		free(v);
		break;
	}
	case SIM_ACTION_COUNT:
		break;
	}
}

/* ---- rolling restart: for each broker, shutdown, wait until stopped, restart, wait until no
 * partition is under-replicated (or settle passed), next. "Stopped" means the cluster has seen
 * it go: the process ended and the active controller no longer counts it live. Restarting in
 * the same instant would hide the bounce from 0.8.2's controller (KAFKA-1120) and leave the
 * broker without partitions forever. Steps: 0 shut down the next broker; 1 it stopped: restart
 * it once the controller has seen it go; 2 go on once nothing is under-replicated. A step whose
 * condition does not hold yet waits: the run loop calls sim_timeline_rolling_check after every
 * event, and the step is taken (as an EV_ROLLING at that instant) after the event that makes
 * the condition true. The conditions cost O(1): the controller's liveness bits and the
 * metrics' count of under-replicated partitions. The settle time is a timer of its own. ---- */
static bool controller_saw_it_go(const struct sim_world *w, uint32_t b)
{
	int32_t c = sim_active_controller(w);
	if (c < 0)
		return !w->zk.registered[b];
	const struct kc_controller *kc = w->bk[c].kc;
	return !kc_broker_live(kc, w->bk[b].id) && !kc_broker_shutting_down(kc, w->bk[b].id);
}

/* An impossible state: say where, with the command that reproduces it, and stop. */
static void internal_error(const struct sim_world *w, const char *what)
{
	fprintf(stderr, "kcsim: internal error (rolling restart) at t_us=%" PRIu64 ", seed %" PRIu64 ": %s\n", w->now,
		w->sc->seed, what);
	if (w->obs->opts.repro[0])
		fprintf(stderr, "kcsim: reproduce with: %s\n", w->obs->opts.repro);
	abort();
}

/* A scan of every partition: the check of the maintained count when a wait ends on it. */
static bool under_replicated_scan(const struct sim_world *w)
{
	for (uint32_t pid = 0; pid < w->n_parts; pid++) {
		if (!sim_partition_exists(w, pid))
			continue;
		const struct sim_zk_state *s = &w->zk.states[pid];
		const struct sim_zk_topic *t = &w->zk.topics[w->pid_topic[pid]];
		uint32_t n_isr = 0;
		if (s->exists)
			sim_lists_get(&w->lists, s->isr, &n_isr);
		if (n_isr < t->view[w->pid_number[pid]].n_replicas)
			return true;
	}
	return false;
}

static bool under_replicated(const struct sim_world *w) { return sim_metrics_under_replicated(w->obs->metrics) > 0; }

static int32_t rolling_broker(const struct sim_world *w, uint32_t entry, uint32_t pos)
{
	const struct sim_timeline_entry *e = &w->sc->timeline[entry];
	if (e->u.rolling_restart.all)
		return pos < w->n_brokers ? (int32_t)pos : -1;
	if (pos >= e->u.rolling_restart.brokers.n)
		return -1;
	return sim_bidx(w, ints(w, e->u.rolling_restart.brokers)[pos]);
}

/* Wait for step `step`'s condition (the list stays in ascending entry order). */
static void rolling_wait(struct sim_world *w, uint32_t entry, uint8_t step)
{
	if (w->rolling_wait_step[entry] == 0) {
		uint32_t i = w->n_rolling_waiting++;
		for (; i > 0 && w->rolling_waiting[i - 1] > entry; i--)
			w->rolling_waiting[i] = w->rolling_waiting[i - 1];
		w->rolling_waiting[i] = entry;
	}
	w->rolling_wait_step[entry] = step;
}

static void rolling_unwait(struct sim_world *w, uint32_t entry)
{
	if (w->rolling_wait_step[entry] == 0)
		return;
	w->rolling_wait_step[entry] = 0;
	uint32_t i = 0;
	while (w->rolling_waiting[i] != entry)
		i++;
	w->n_rolling_waiting--;
	memmove(w->rolling_waiting + i, w->rolling_waiting + i + 1, (w->n_rolling_waiting - i) * sizeof *w->rolling_waiting);
}

static bool rolling_ready(const struct sim_world *w, uint32_t entry, uint8_t step)
{
	if (step == 1) {
		int32_t b = rolling_broker(w, entry, w->rolling_pos[entry]);
		return b < 0 || controller_saw_it_go(w, (uint32_t)b);
	}
	return !under_replicated(w) || w->now >= w->rolling_deadline[entry];
}

void sim_timeline_rolling_check(struct sim_world *w)
{
	for (uint32_t i = 0; i < w->n_rolling_waiting;) {
		uint32_t entry = w->rolling_waiting[i];
		uint8_t step = w->rolling_wait_step[entry];
		if (!rolling_ready(w, entry, step)) {
			i++;
			continue;
		}
		rolling_unwait(w, entry);
		sim_schedule(w, w->now, SIM_CLASS_BROKER_TIMER, EV_ROLLING, entry, step, 0);
	}
}

static void rolling_next(struct sim_world *w, uint32_t entry)
{
	w->rolling_pos[entry]++;
	sim_timeline_rolling(w, entry, 0);
}

void sim_timeline_rolling_settle(struct sim_world *w, uint32_t entry, uint32_t pos)
{
	/* moot unless the wait it was set for is still on */
	if (w->rolling_wait_step[entry] != 2 || w->rolling_pos[entry] != pos)
		return;
	rolling_unwait(w, entry);
	rolling_next(w, entry);
}

void sim_timeline_rolling(struct sim_world *w, uint32_t entry, uint32_t step)
{
	const struct sim_timeline_entry *e = &w->sc->timeline[entry];
	uint32_t *pos = &w->rolling_pos[entry];
	int32_t b = rolling_broker(w, entry, *pos);
	/* a broker only add_broker declares is skipped until it has joined */
	while (step == 0 && b >= 0 && !sim_bk_joined(w, (uint32_t)b))
		b = rolling_broker(w, entry, ++*pos);
	if (b < 0) {
		rolling_unwait(w, entry);
		sim_obs_op_end(w, OP_ROLLING_RESTART, entry, w->now);
		return;
	}
	struct sim_bk *k = &w->bk[b];
	switch (step) {
	case 0:
		if (!k->up) {
			/* not running: restart it directly */
			k->rolling = (int32_t)entry;
			sim_schedule(w, w->now, SIM_CLASS_BROKER_TIMER, EV_ROLLING, entry, 1, 0);
			break;
		}
		k->rolling = (int32_t)entry;
		if (!k->shutting_down)
			sim_broker_controlled_shutdown(w, (uint32_t)b);
		break;
	case 1:
		if (!controller_saw_it_go(w, (uint32_t)b)) {
			rolling_wait(w, entry, 1);
			break;
		}
		k->rolling = -1;
		sim_broker_start(w, (uint32_t)b);
		w->rolling_deadline[entry] = SIM_NEVER;
		if (e->u.rolling_restart.has_settle) {
			w->rolling_deadline[entry] = w->now + e->u.rolling_restart.settle_us;
			sim_schedule(w, w->rolling_deadline[entry], SIM_CLASS_BROKER_TIMER, EV_ROLLING_SETTLE, entry, *pos,
				     0);
		}
		/* even if nothing is under-replicated now: the check after this event decides */
		rolling_wait(w, entry, 2);
		break;
	default:
		if (!rolling_ready(w, entry, 2)) {
			rolling_wait(w, entry, 2);
			break;
		}
		if (w->now < w->rolling_deadline[entry] && under_replicated_scan(w))
			internal_error(w, "the metrics count no partition under-replicated, a scan finds one");
		rolling_next(w, entry);
		break;
	}
}
