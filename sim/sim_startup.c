/* sim_startup.c — how a run begins (architecture S1): `startup: instant` builds the cluster
 * before time 0 with the real code at zero latency and cost (the controller creating the
 * start-up topics through kc_initial_topics_created, the direct construction S1 allows, when
 * the run is large or asks for it; scripts/test-instant-build.sh compares it with the real
 * path); `startup: simulated` runs the same sequence from time 0; `initial:` sets ZooKeeper,
 * the controller's context and the brokers' caches directly, for transition-level scenarios. */
#include <stdlib.h>
#include <string.h>

#include "sim_observe.h"
#include "sim_world.h"

/* Events at time 0 only (instant start-up takes no time; later timers stay queued). */
static void run_at_zero(struct sim_world *w)
{
	const struct sim_event *top;
	while ((top = sim_queue_peek(&w->q)) && top->t_us == 0) {
		struct sim_event e;
		sim_queue_take(&w->q, top, &e);
		if (!sim_ev_periodic(e.kind))
			w->pending_nonperiodic--;
		w->pending_kind[e.kind]--;
		sim_dispatch(w, &e);
	}
}

/* The first controller: cluster.controller, else the lowest live id. */
static int32_t first_controller(const struct sim_world *w)
{
	if (w->sc->controller >= 0)
		return sim_bidx(w, w->sc->controller);
	for (uint32_t b = 0; b < w->n_brokers; b++)
		if (w->bk[b].up)
			return (int32_t)b;
	return -1;
}

/* The `topics` and `topic_sets` znodes, as kafka-topics --create writes them. */
void sim_startup_topics(struct sim_world *w)
{
	const struct sim_scenario *sc = w->sc;
	/* creating a topic changes no registration: one broker list serves them all */
	int32_t *live = malloc((w->n_brokers + 1) * sizeof *live);
	if (!live)
		exit(3);
	uint32_t n_live = sim_live_brokers(w, live);
	int32_t *reps = NULL; /* one buffer for every topic's assignment, grown as needed */
	size_t cap = 0;
	for (uint32_t t = 0; t < sc->n_topics; t++) {
		const struct sim_topic *tp = &sc->topics[t];
		if (tp->origin != SIM_TOPIC_TOPICS && tp->origin != SIM_TOPIC_SET)
			continue;
		size_t n = (size_t)tp->partitions * tp->replication_factor;
		if (n > cap || !reps) {
			cap = n > cap ? n : 1;
			free(reps);
			reps = malloc(cap * sizeof *reps);
			if (!reps)
				exit(3);
		}
		bool ok = true;
		if (tp->explicit_assignment)
			memcpy(reps, sc->ints + tp->assignment, n * sizeof *reps);
		else
			ok = sim_assign_replicas_over(w, live, n_live, tp->partitions, tp->replication_factor, reps);
		if (ok) {
			if (!w->startup_phase) {
				sim_obs_op_begin(w, OP_TOPIC_CREATION, t, -1, w->now);
				sim_track_creation(w, t, tp->partitions);
			}
			sim_zk_create_topic(&w->zk, t, tp->partitions, reps, tp->replication_factor,
					    tp->unclean_leader_election);
		}
	}
	free(reps);
	free(live);
}

static void startup_instant(struct sim_world *w, enum sim_instant_build build)
{
	w->startup_phase = true;
	w->startup_direct = build == SIM_INSTANT_DIRECT ||
			    (build == SIM_INSTANT_AUTO && w->sc->n_partitions_max >= SIM_LARGE_PARTITIONS);
	for (uint32_t b = 0; b < w->n_brokers; b++)
		if (sim_bk_starts_up(w, b))
			sim_broker_start(w, b);
	int32_t c = first_controller(w);
	if (c >= 0)
		sim_broker_elect(w, (uint32_t)c);
	run_at_zero(w);
	sim_startup_topics(w);
	run_at_zero(w);
	w->startup_phase = w->startup_direct = false;
}

static void startup_simulated(struct sim_world *w)
{
	int32_t c = first_controller(w);
	/* the chosen controller starts first so that its election attempt reaches ZooKeeper first */
	if (c >= 0)
		sim_schedule(w, 0, SIM_CLASS_TIMELINE, EV_START, c, 0, 0);
	for (uint32_t b = 0; b < w->n_brokers; b++)
		if (sim_bk_starts_up(w, b) && (int32_t)b != c)
			sim_schedule(w, 0, SIM_CLASS_TIMELINE, EV_START, b, 0, 0);
	w->startup_topics_pending = true;
}

/* `initial:` — ZooKeeper, the controller's context and the brokers' caches as given. */
static void startup_initial(struct sim_world *w)
{
	const struct sim_scenario *sc = w->sc;
	const struct sim_initial *in = &sc->initial;
	w->startup_phase = true;
	for (uint32_t b = 0; b < w->n_brokers; b++)
		if (sim_bk_starts_up(w, b))
			sim_broker_start(w, b);
	sim_zk_set_controller_epoch(&w->zk, in->controller_epoch);
	int32_t c = first_controller(w);
	/* topic znodes, partition by partition (partitions are sorted by topic, then number) */
	for (uint32_t i = 0; i < in->n_partitions;) {
		uint32_t t = in->partitions[i].partition.topic, j = i;
		while (j < in->n_partitions && in->partitions[j].partition.topic == t)
			j++;
		struct kc_assigned *parts = calloc(j - i, sizeof *parts);
		if (!parts)
			exit(3);
		for (uint32_t k = i; k < j; k++)
			parts[k - i] = (struct kc_assigned){.partition = in->partitions[k].partition.partition,
							    .n_replicas = in->partitions[k].replicas.n,
							    .replicas = sc->ints + in->partitions[k].replicas.off};
		sim_zk_create_topic(&w->zk, t, 0, NULL, 0, sc->topics[t].unclean_leader_election);
		sim_zk_write_topic(&w->zk, t, parts, j - i);
		free(parts);
		i = j;
	}
	for (uint32_t i = 0; i < in->n_partitions; i++) {
		const struct sim_initial_partition *p = &in->partitions[i];
		if (!p->has_leader)
			continue;
		uint32_t pid = sim_zk_pid(&w->zk, p->partition.topic, p->partition.partition);
		uint32_t isr = sim_lists_intern(&w->lists, sc->ints + p->isr.off, p->isr.n);
		sim_zk_set_state(&w->zk, pid, p->leader, p->leader_epoch, in->controller_epoch, isr);
	}
	if (c >= 0) {
		struct sim_bk *k = &w->bk[c];
		sim_zk_create_controller(&w->zk, (uint32_t)c);
		k->believed_controller = c;
		struct kc_controller *kc = sim_ctrl_module(w, (uint32_t)c);
		w->running_ctrl = c;
		w->zk.store_owner = c;
		kc_load_initial(kc);
		k->failover_started = true;
		for (uint32_t i = 0; i < in->n_partitions; i++) {
			const struct sim_initial_partition *p = &in->partitions[i];
			uint32_t pid = sim_zk_pid(&w->zk, p->partition.topic, p->partition.partition);
			int state = p->state;
			if (state == SIM_STATE_UNSET) {
				int32_t lb = p->has_leader ? sim_bidx(w, p->leader) : -1;
				state = !p->has_leader ? KC_NEW_PARTITION
				      : lb >= 0 && w->zk.registered[lb] ? KC_ONLINE_PARTITION
									 : KC_OFFLINE_PARTITION;
			}
			kc_initial_set_partition_state(kc, pid, (enum kc_partition_state)state);
		}
		for (uint32_t i = 0; i < in->n_replicas; i++) {
			const struct sim_initial_replica *r = &in->replicas[i];
			uint32_t pid = sim_zk_pid(&w->zk, r->partition.topic, r->partition.partition);
			kc_initial_set_replica_state(kc, pid, r->broker, r->state);
		}
		w->running_ctrl = -1;
		sim_obs_controller(w, (uint32_t)c, true, kc_epoch(kc));
	}
	/* brokers as if each partition's last LeaderAndIsr and an UpdateMetadata had been applied */
	int32_t *live = calloc(w->n_brokers + 1, sizeof *live);
	uint32_t n_live = 0;
	for (uint32_t b = 0; b < w->n_brokers; b++)
		if (w->zk.registered[b]) {
			live[n_live++] = w->bk[b].id;
			w->bk[b].known_ctrl_epoch = in->controller_epoch;
			w->bk[b].believed_controller = c;
		}
	uint32_t live_list = sim_lists_intern(&w->lists, live, n_live);
	free(live);
	for (uint32_t i = 0; i < in->n_partitions; i++) {
		const struct sim_initial_partition *p = &in->partitions[i];
		if (!p->has_leader)
			continue;
		uint32_t pid = sim_zk_pid(&w->zk, p->partition.topic, p->partition.partition);
		const struct sim_zk_state *s = &w->zk.states[pid];
		struct sim_entry e = {.pid = pid, .leader = s->leader, .leader_epoch = s->leader_epoch,
				      .ctrl_epoch = s->ctrl_epoch, .zk_version = s->version, .isr = s->isr,
				      .ar = sim_lists_intern(&w->lists, sc->ints + p->replicas.off, p->replicas.n)};
		sim_broker_seed_replica(w, &e, live_list);
	}
	w->startup_phase = false;
}

void sim_startup(struct sim_world *w, enum sim_instant_build build)
{
	if (w->sc->has_initial)
		startup_initial(w);
	else if (w->sc->startup == SIM_STARTUP_SIMULATED)
		startup_simulated(w);
	else
		startup_instant(w, build);
	/* nothing before time 0 is counted */
	w->events = 0;
}
