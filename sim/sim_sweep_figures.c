/* sim_sweep_figures.c — the figure columns of one sweep.csv row: the scenario's shape
 * (partitions, replicas, brokers), summary.json's figures, the span of the run's main
 * operation (the first one the first fault starts), and from timeline.csv the time until every
 * partition is available again. Times after the fault are measured from the first timeline
 * entry; -1 stands for "never" (no election, an operation still open at the end, partitions
 * still unavailable at the end), so that every cell is an integer. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_sweep.h"

/* Column order is part of the file format: add at the end. */
#define SIM_SWEEP_COLUMNS(X)                                                                             \
	X(partitions) X(replicas) X(brokers) X(partitions_per_broker) X(replicas_per_broker) X(fault_us)    \
	X(end_us) X(op_us) X(op_elections) X(first_elected_us) X(last_elected_us) X(recovered_us)           \
	X(leaderless_partition_us) X(max_leaderless_partitions) X(unavailable_partition_us)                 \
	X(max_unavailable_partitions) X(unavailable_intervals) X(controller_busy_us) X(controller_events)     \
	X(controller_event_max_us) X(max_controller_queue) X(zk_reads) X(zk_writes) X(requests)              \
	X(LeaderAndIsr) X(UpdateMetadata) X(StopReplica) X(requests_dropped) X(leader_elections)             \
	X(unclean_elections) X(events)

enum {
#define SIM_SWEEP_ENUM(n) COL_##n,
	SIM_SWEEP_COLUMNS(SIM_SWEEP_ENUM)
#undef SIM_SWEEP_ENUM
	COL_COUNT
};

static const char *const col_names[COL_COUNT] = {
#define SIM_SWEEP_NAME(n) #n,
	SIM_SWEEP_COLUMNS(SIM_SWEEP_NAME)
#undef SIM_SWEEP_NAME
};

/* Figures copied from summary.json as they are. */
static const struct {
	int col;
	const char *path;
} json_cols[] = {
	{COL_end_us, "end_us"},
	{COL_leaderless_partition_us, "figures.leaderless_partition_us"},
	{COL_max_leaderless_partitions, "figures.max_leaderless_partitions"},
	{COL_unavailable_partition_us, "figures.unavailable_partition_us"},
	{COL_max_unavailable_partitions, "figures.max_unavailable_partitions"},
	{COL_unavailable_intervals, "figures.unavailable_intervals"},
	{COL_controller_busy_us, "figures.controller_busy_us"},
	{COL_controller_events, "figures.controller_events"},
	{COL_controller_event_max_us, "figures.controller_event_max_us"},
	{COL_max_controller_queue, "figures.max_controller_queue"},
	{COL_zk_reads, "figures.zk_reads"},
	{COL_zk_writes, "figures.zk_writes"},
	{COL_LeaderAndIsr, "figures.requests.LeaderAndIsr"},
	{COL_UpdateMetadata, "figures.requests.UpdateMetadata"},
	{COL_StopReplica, "figures.requests.StopReplica"},
	{COL_leader_elections, "figures.leader_elections"},
	{COL_unclean_elections, "figures.unclean_elections"},
	{COL_events, "figures.events"},
};

void sim_sweep_shape_of(const struct sim_scenario *sc, struct sim_sweep_shape *out)
{
	memset(out, 0, sizeof *out);
	out->seed = sc->seed;
	out->fault_us = UINT64_MAX;
	for (uint32_t i = 0; i < sc->n_timeline; i++)
		if (sc->timeline[i].at_us < out->fault_us)
			out->fault_us = sc->timeline[i].at_us;
	if (out->fault_us == UINT64_MAX)
		out->fault_us = 0;
	for (uint32_t b = 0; b < sc->n_brokers; b++)
		out->brokers += sc->brokers[b].in_cluster;
	for (uint32_t t = 0; t < sc->n_topics; t++) {
		const struct sim_topic *tp = &sc->topics[t];
		if (tp->origin == SIM_TOPIC_TOPICS || tp->origin == SIM_TOPIC_SET) {
			out->partitions += tp->partitions;
			out->replicas += (uint64_t)tp->partitions * tp->replication_factor;
		}
	}
	for (uint32_t i = 0; i < sc->initial.n_partitions; i++) {
		out->partitions++;
		out->replicas += sc->initial.partitions[i].replicas.n;
	}
}

void sim_sweep_figures_header(FILE *f)
{
	fputs(",op", f);
	for (int c = 0; c < COL_COUNT; c++)
		fprintf(f, ",%s", col_names[c]);
}

static bool fail(struct sim_error *err, const char *dir, const char *file, const char *what)
{
	snprintf(err->msg, sizeof err->msg, "kcsim: sweep: %.600s/%.20s: %.300s", dir, file, what);
	return false;
}

/* A time after the fault, or -1 for null (never). */
static int64_t since_fault(struct sim_jv v, uint64_t fault_us)
{
	int64_t t;
	if (!sim_sweep_json_int(v, &t) || t < (int64_t)fault_us)
		return -1;
	return t - (int64_t)fault_us;
}

/* The first operation the fault starts: the first span (they are in time order) beginning at
 * or after it that start-up did not make. */
static void main_operation(struct sim_jv summary, uint64_t fault_us, char *kind, size_t kind_size, int64_t *v)
{
	struct sim_jv ops, op = {0}, x;
	snprintf(kind, kind_size, "none");
	v[COL_op_us] = -1;
	if (!sim_sweep_json_path(summary, "figures.operations", &ops))
		return;
	while (sim_sweep_json_next(ops, &op)) {
		int64_t start;
		bool startup = false;
		if (sim_sweep_json_member(op, "startup", &x))
			sim_sweep_json_bool(x, &startup);
		if (startup || !sim_sweep_json_member(op, "start_us", &x) || !sim_sweep_json_int(x, &start) ||
		    start < (int64_t)fault_us)
			continue;
		if (sim_sweep_json_member(op, "kind", &x))
			sim_sweep_json_str(x, kind, kind_size);
		int64_t n;
		if (sim_sweep_json_member(op, "duration_us", &x) && sim_sweep_json_int(x, &n))
			v[COL_op_us] = n;
		if (sim_sweep_json_member(op, "leader_elections", &x) && sim_sweep_json_int(x, &n))
			v[COL_op_elections] = n;
		return;
	}
}

/* From timeline.csv: when the unavailable count last returned to 0 after the fault, as time
 * since the fault; 0 if no partition was unavailable from the fault on; -1 if some still are
 * at the end. */
static bool recovery(const char *dir, uint64_t fault_us, int64_t *out, struct sim_error *err)
{
	char path[4096];
	sim_sweep_path(path, sizeof path, dir, "timeline.csv");
	FILE *f = fopen(path, "r");
	if (!f)
		return fail(err, dir, "timeline.csv", strerror(errno));
	char line[512];
	bool header = true, down = false;
	uint64_t back = fault_us;
	while (fgets(line, sizeof line, f)) {
		if (header) {
			header = false;
			continue;
		}
		char *end;
		uint64_t t = strtoull(line, &end, 10);
		if (*end != ',') {
			fclose(f);
			return fail(err, dir, "timeline.csv", "a row without t_us,unavailable,...");
		}
		unsigned long long unavailable = strtoull(end + 1, NULL, 10);
		/* a recovery before the fault leaves `back` at the fault: it only matters whether
		 * partitions are down when the fault comes */
		if (unavailable > 0) {
			down = true;
		} else if (down) {
			down = false;
			if (t > back)
				back = t;
		}
	}
	fclose(f);
	*out = down ? -1 : (int64_t)(back - fault_us);
	return true;
}

bool sim_sweep_figures_row(const char *dir, const struct sim_sweep_shape *shape, FILE *f, struct sim_error *err)
{
	char path[4096];
	sim_sweep_path(path, sizeof path, dir, "summary.json");
	size_t len;
	char *text = sim_sweep_read_file(path, &len);
	if (!text)
		return fail(err, dir, "summary.json", strerror(errno));
	struct sim_jv summary = {text, text + len}, x;

	int64_t v[COL_COUNT] = {0};
	v[COL_partitions] = (int64_t)shape->partitions;
	v[COL_replicas] = (int64_t)shape->replicas;
	v[COL_brokers] = (int64_t)shape->brokers;
	v[COL_partitions_per_broker] = shape->brokers ? (int64_t)(shape->partitions / shape->brokers) : 0;
	v[COL_replicas_per_broker] = shape->brokers ? (int64_t)(shape->replicas / shape->brokers) : 0;
	v[COL_fault_us] = (int64_t)shape->fault_us;
	for (size_t i = 0; i < sizeof json_cols / sizeof json_cols[0]; i++)
		if (!sim_sweep_json_path(summary, json_cols[i].path, &x) || !sim_sweep_json_int(x, &v[json_cols[i].col])) {
			char what[160];
			snprintf(what, sizeof what, "no integer %s", json_cols[i].path);
			free(text);
			return fail(err, dir, "summary.json", what);
		}
	v[COL_requests] = v[COL_LeaderAndIsr] + v[COL_UpdateMetadata] + v[COL_StopReplica];
	static const char *const dropped[] = {"LeaderAndIsr", "UpdateMetadata", "StopReplica"};
	for (int i = 0; i < 3; i++) {
		struct sim_jv d;
		int64_t n;
		if (sim_sweep_json_path(summary, "figures.requests_dropped", &d) && sim_sweep_json_member(d, dropped[i], &x) &&
		    sim_sweep_json_int(x, &n))
			v[COL_requests_dropped] += n;
	}
	v[COL_first_elected_us] = sim_sweep_json_path(summary, "figures.first_election_us", &x)
					  ? since_fault(x, shape->fault_us)
					  : -1;
	v[COL_last_elected_us] = sim_sweep_json_path(summary, "figures.last_election_us", &x)
					 ? since_fault(x, shape->fault_us)
					 : -1;
	char kind[64];
	main_operation(summary, shape->fault_us, kind, sizeof kind, v);
	free(text);
	if (!recovery(dir, shape->fault_us, &v[COL_recovered_us], err))
		return false;

	fprintf(f, ",%s", kind);
	for (int c = 0; c < COL_COUNT; c++)
		fprintf(f, ",%" PRId64, v[c]);
	return true;
}
