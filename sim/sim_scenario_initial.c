/* sim_scenario_initial.c — the scenario's initial: a cluster's state written out (partition
 * znodes, replica states, the controller epoch) in place of a simulated start-up; every
 * partition of a topic from 0 up, each replica once. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim_scenario_int.h"

struct sim_replica_at {
	struct sim_pref p;
	int32_t broker;
	uint32_t i;
};

static int sim_replica_at_cmp(const void *a, const void *b)
{
	const struct sim_replica_at *x = a, *y = b;
	int c = sim_ld_pref_at_cmp(&(struct sim_ld_pref_at){x->p, 0}, &(struct sim_ld_pref_at){y->p, 0});
	if (c != 0)
		return c;
	if (x->broker != y->broker)
		return x->broker < y->broker ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static bool sim_ld_initial_partition(struct sim_ld *ld, uint32_t key, uint32_t v,
				     struct sim_initial_partition *ip)
{
	static const char *const keys[] = {"replicas", "state", "leader", "isr", "leader_epoch"};
	uint32_t f[5], fk[5];
	char where[240];
	if (!sim_ld_pref(ld, key, "initial.partitions", &ip->partition))
		return false;
	snprintf(where, sizeof where, "initial.partitions.%s", sim_ystr(&ld->doc, key));
	if (!sim_ld_need_map(ld, v, where, "{replicas: [ids], state?, leader?, isr?, leader_epoch?}") ||
	    !sim_ld_fields(ld, v, where, keys, SIM_N(keys), f, fk) ||
	    !sim_ld_required(ld, v, f[0], where, "replicas", "replicas: [broker ids]") ||
	    !sim_ld_brokers(ld, f[0], "replicas", false, false, sim_ld_rf_limit(ld), &ip->replicas))
		return false;
	ip->line = sim_ld_node(ld, key)->line;
	ip->col = sim_ld_node(ld, key)->col;
	ip->has_leader = f[2] != SIM_YNONE;
	ip->leader = -1;
	ip->isr = ip->replicas;
	ip->state = ip->has_leader ? SIM_STATE_UNSET : KC_NEW_PARTITION;
	if (f[1] != SIM_YNONE && !sim_ld_state(ld, f[1], "state", false, &ip->state))
		return false;
	if (!ip->has_leader) {
		uint32_t bad = f[3] != SIM_YNONE ? 3 : f[4] != SIM_YNONE ? 4 : 0;
		if (bad)
			return sim_ld_fail(ld, fk[bad], "%s: %s without leader; expected leader: ID or "
							"leader: none with it (only a partition with a leader "
							"has a state znode)",
					   where, keys[bad]);
		return true;
	}
	if (!sim_ld_broker_or_none(ld, f[2], "leader", &ip->leader))
		return false;
	if (f[3] != SIM_YNONE && !sim_ld_brokers(ld, f[3], "isr", false, true, 0, &ip->isr))
		return false;
	int64_t e = 0;
	if (f[4] != SIM_YNONE && !sim_ld_int(ld, f[4], "leader_epoch", 0, INT32_MAX, NULL, &e))
		return false;
	ip->leader_epoch = (int32_t)e;
	return true;
}

bool sim_ld_initial(struct sim_ld *ld)
{
	struct sim_scenario *sc = ld->sc;
	struct sim_initial *in = &sc->initial;
	uint32_t init = sim_ld_opt(ld, ld->top[SIM_K_INITIAL]);
	if (init == SIM_YNONE)
		return true;
	sc->has_initial = true;
	static const char *const keys[] = {"partitions", "replicas", "controller_epoch"};
	uint32_t v[3];
	if (!sim_ld_fields(ld, init, "initial", keys, 3, v, NULL))
		return false;
	if (v[2] != SIM_YNONE) {
		int64_t e;
		if (!sim_ld_int(ld, v[2], "initial.controller_epoch", 0, INT32_MAX, NULL, &e))
			return false;
		in->controller_epoch = (int32_t)e;
	}

	uint32_t parts = sim_ld_opt(ld, v[0]);
	uint32_t n = parts == SIM_YNONE ? 0 : sim_ld_node(ld, parts)->n;
	if (n) {
		in->partitions = calloc(n, sizeof *in->partitions);
		struct sim_ld_pref_at *order = malloc((size_t)n * sizeof *order);
		struct sim_initial_partition *sorted = malloc((size_t)n * sizeof *sorted);
		bool ok = in->partitions && order && sorted;
		if (!ok)
			sim_ld_oom(ld, parts);
		for (uint32_t i = 0; ok && i < n; i++) {
			ok = sim_ld_initial_partition(ld, sim_ykey(&ld->doc, parts, i), sim_yval(&ld->doc, parts, i),
						      &in->partitions[i]);
			order[i] = (struct sim_ld_pref_at){in->partitions[i].partition, i};
		}
		if (ok)
			qsort(order, n, sizeof *order, sim_ld_pref_at_cmp);
		/* Sorted, each topic's run must read 0, 1, 2, ... */
		for (uint32_t j = 0, run = 0; ok && j < n; j++) {
			if (j > 0 && order[j].p.topic != order[j - 1].p.topic)
				run = j;
			struct sim_pref p = order[j].p;
			if (p.partition != j - run) {
				const char *t = sim_ld_topic_name(ld, p.topic);
				ok = sim_ld_fail(ld, sim_ykey(&ld->doc, parts, order[j].i),
						 "initial.partitions lists %s-%u but not %s-%u; expected every "
						 "partition of topic %s, from %s-0 up",
						 t, p.partition, t, j - run, t, t);
			}
			sorted[j] = in->partitions[order[j].i];
			sc->topics[p.topic].partitions = p.partition + 1;
		}
		free(order);
		if (ok) {
			free(in->partitions);
			in->partitions = sorted;
			in->n_partitions = n;
		} else {
			free(sorted);
			return false;
		}
	}

	uint32_t reps = sim_ld_opt(ld, v[1]);
	if (reps == SIM_YNONE)
		return true;
	if (!sim_ld_need_seq(ld, reps, "initial.replicas", "a list of {partition, broker, state}"))
		return false;
	uint32_t m = sim_ld_node(ld, reps)->n;
	if (m == 0)
		return true;
	in->replicas = calloc(m, sizeof *in->replicas);
	struct sim_replica_at *order = malloc((size_t)m * sizeof *order);
	bool ok = in->replicas && order;
	if (!ok)
		sim_ld_oom(ld, reps);
	static const char *const rkeys[] = {"partition", "broker", "state"};
	for (uint32_t i = 0; ok && i < m; i++) {
		uint32_t r = sim_yitem(&ld->doc, reps, i), f[3];
		struct sim_initial_replica *ir = &in->replicas[i];
		ok = sim_ld_need_map(ld, r, "initial.replicas", "{partition, broker, state}") &&
		     sim_ld_fields(ld, r, "initial.replicas", rkeys, 3, f, NULL);
		for (size_t k = 0; ok && k < 3; k++)
			ok = sim_ld_required(ld, r, f[k], "initial.replicas", rkeys[k], "partition, broker and state");
		ok = ok && sim_ld_pref(ld, f[0], "initial.replicas.partition", &ir->partition) &&
		     sim_ld_broker(ld, f[1], "initial.replicas.broker", &ir->broker) &&
		     sim_ld_state(ld, f[2], "initial.replicas.state", true, &ir->state);
		if (ok && (sc->topics[ir->partition.topic].origin != SIM_TOPIC_INITIAL ||
			   ir->partition.partition >= sc->topics[ir->partition.topic].partitions))
			ok = sim_ld_fail(ld, f[0], "initial.replicas: partition %s-%u is not in "
						   "initial.partitions; expected one of its partitions",
					 sim_ld_topic_name(ld, ir->partition.topic), ir->partition.partition);
		if (ok) {
			ir->line = sim_ld_node(ld, r)->line;
			ir->col = sim_ld_node(ld, r)->col;
			order[i] = (struct sim_replica_at){ir->partition, ir->broker, i};
		}
	}
	if (ok) {
		qsort(order, m, sizeof *order, sim_replica_at_cmp);
		uint32_t dup = UINT32_MAX;
		for (uint32_t j = 1; j < m; j++)
			if (sim_replica_at_cmp(&(struct sim_replica_at){order[j].p, order[j].broker, 0},
					       &(struct sim_replica_at){order[j - 1].p, order[j - 1].broker, 0}) == 0 &&
			    order[j].i < dup)
				dup = order[j].i;
		if (dup != UINT32_MAX)
			ok = sim_ld_fail(ld, sim_yitem(&ld->doc, reps, dup),
					 "initial.replicas: replica %" PRId32 " of %s-%u is listed twice; "
					 "expected each replica once",
					 in->replicas[dup].broker, sim_ld_topic_name(ld, in->replicas[dup].partition.topic),
					 in->replicas[dup].partition.partition);
	}
	free(order);
	if (ok)
		in->n_replicas = m;
	return ok;
}
