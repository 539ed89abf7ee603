/* sim_scenario_expect.c — the scenario's expect: entries of one check (leader, isr, ...,
 * violation) and when it holds (at, within, at_end). */
#include <stdio.h>
#include <stdlib.h>

#include "sim_duration.h"
#include "sim_scenario_int.h"

static const char *const sim_expect_kind_names[SIM_EXPECT_KIND_COUNT] = {
	"leader", "isr", "assignment", "replica_state", "partition_state", "leader_epoch",
	"controller", "controller_epoch", "topic_exists", "topic_absent", "requests", "violation",
};

static bool sim_ld_expect_args(struct sim_ld *ld, struct sim_expect *x, uint32_t a)
{
	const char *name = sim_expect_kind_names[x->kind];
	char got[96], where[64];
	uint32_t v[5];
	snprintf(where, sizeof where, "expect %s", name);
	switch (x->kind) {
	case SIM_EXPECT_LEADER: {
		static const char *const keys[] = {"partition", "broker"};
		return sim_ld_args(ld, a, where, "{partition: TOPIC-N, broker: ID or none}", keys, 2, 3u, v) &&
		       sim_ld_pref(ld, v[0], "leader.partition", &x->u.leader.partition) &&
		       sim_ld_broker_or_none(ld, v[1], "leader.broker", &x->u.leader.broker);
	}
	case SIM_EXPECT_ISR:
	case SIM_EXPECT_ASSIGNMENT: {
		static const char *const keys[] = {"partition", "brokers"};
		bool isr = x->kind == SIM_EXPECT_ISR;
		return sim_ld_args(ld, a, where, "{partition: TOPIC-N, brokers: [ids]}", keys, 2, 3u, v) &&
		       sim_ld_pref(ld, v[0], isr ? "isr.partition" : "assignment.partition",
				   &x->u.brokers.partition) &&
		       sim_ld_brokers(ld, v[1], isr ? "isr.brokers" : "assignment.brokers", false, isr, 0,
				      &x->u.brokers.brokers);
	}
	case SIM_EXPECT_REPLICA_STATE: {
		static const char *const keys[] = {"partition", "broker", "state"};
		return sim_ld_args(ld, a, where, "{partition, broker, state}", keys, 3, 7u, v) &&
		       sim_ld_pref(ld, v[0], "replica_state.partition", &x->u.replica_state.partition) &&
		       sim_ld_broker(ld, v[1], "replica_state.broker", &x->u.replica_state.broker) &&
		       sim_ld_state(ld, v[2], "replica_state.state", true, &x->u.replica_state.state);
	}
	case SIM_EXPECT_PARTITION_STATE: {
		static const char *const keys[] = {"partition", "state"};
		return sim_ld_args(ld, a, where, "{partition, state}", keys, 2, 3u, v) &&
		       sim_ld_pref(ld, v[0], "partition_state.partition", &x->u.partition_state.partition) &&
		       sim_ld_state(ld, v[1], "partition_state.state", false, &x->u.partition_state.state);
	}
	case SIM_EXPECT_LEADER_EPOCH: {
		static const char *const keys[] = {"partition", "epoch"};
		int64_t e;
		if (!sim_ld_args(ld, a, where, "{partition, epoch}", keys, 2, 3u, v) ||
		    !sim_ld_pref(ld, v[0], "leader_epoch.partition", &x->u.leader_epoch.partition) ||
		    !sim_ld_int(ld, v[1], "leader_epoch.epoch", 0, INT32_MAX, NULL, &e))
			return false;
		x->u.leader_epoch.epoch = (int32_t)e;
		return true;
	}
	case SIM_EXPECT_CONTROLLER:
		return sim_ld_broker_or_none(ld, a, "controller", &x->u.controller);
	case SIM_EXPECT_CONTROLLER_EPOCH: {
		int64_t e;
		if (!sim_ld_int(ld, a, "controller_epoch", 0, INT32_MAX, NULL, &e))
			return false;
		x->u.controller_epoch = (int32_t)e;
		return true;
	}
	case SIM_EXPECT_TOPIC_EXISTS:
	case SIM_EXPECT_TOPIC_ABSENT:
		return sim_ld_topic_ref(ld, a, name, &x->u.topic);
	case SIM_EXPECT_REQUESTS: {
		static const char *const keys[] = {"to", "type", "partition", "delete", "count"};
		const char *s;
		uint32_t len;
		int64_t count;
		if (!sim_ld_args(ld, a, where, "{to, type, partition?, delete?, count}", keys, 5, 0x13u, v) ||
		    !sim_ld_broker(ld, v[0], "requests.to", &x->u.requests.to) ||
		    !sim_ld_text(ld, v[1], "requests.type", SIM_REQUEST_TYPES_EXPECTED, &s, &len))
			return false;
		int type = sim_request_type_parse(s, len);
		if (type < 0)
			return sim_ld_fail(ld, v[1], "requests.type: got %s; expected %s",
					   sim_ld_got(ld, v[1], got, sizeof got), SIM_REQUEST_TYPES_EXPECTED);
		x->u.requests.type = (enum kc_request_type)type;
		x->u.requests.has_partition = v[2] != SIM_YNONE;
		if (v[2] != SIM_YNONE && !sim_ld_pref(ld, v[2], "requests.partition", &x->u.requests.partition))
			return false;
		x->u.requests.has_delete = v[3] != SIM_YNONE;
		if (v[3] != SIM_YNONE) {
			if (type != KC_REQ_STOP_REPLICA)
				return sim_ld_fail(ld, v[3], "requests.delete: only StopReplica carries a delete "
							     "flag; expected no delete with type %s",
						   s);
			if (!sim_ld_bool(ld, v[3], "requests.delete", &x->u.requests.delete_flag))
				return false;
		}
		if (!sim_ld_int(ld, v[4], "requests.count", 0, INT64_MAX, NULL, &count))
			return false;
		x->u.requests.count = (uint64_t)count;
		return true;
	}
	case SIM_EXPECT_VIOLATION: {
		int inv;
		if (!sim_ld_invariant_name(ld, a, "violation", &inv))
			return false;
		x->u.violation = (enum sim_invariant)inv;
		return true;
	}
	case SIM_EXPECT_KIND_COUNT:
		break;
	}
	return true;
}

static const char *const sim_expect_whens[] = {"at", "within", "at_end"};
static const struct sim_ld_entry_form sim_expect_form = {
	.top = SIM_K_EXPECT,
	.list_shape = "a list of checks such as {at: 10s, controller: 1}",
	.max = SIM_MAX_EXPECT,
	.limit = "expectations",
	.entry = "expect entry",
	.an_entry = "an expect entry",
	.entry_shape = "a map such as {at: 10s, controller: 1}",
	.whens = sim_expect_whens,
	.n_whens = 3,
	.whens_or = "at, within or at_end",
	.whens_and = "at, within and at_end",
	.names = sim_expect_kind_names,
	.n_names = SIM_EXPECT_KIND_COUNT,
	.name = "check",
	.a_name = "a check",
	.one_name = "one check",
};

bool sim_ld_expect(struct sim_ld *ld, const uint32_t disabled_by[SIM_INVARIANT_COUNT])
{
	struct sim_scenario *sc = ld->sc;
	uint32_t ex, n;
	if (!sim_ld_entry_list(ld, &sim_expect_form, &ex, &n))
		return false;
	if (n == 0)
		return true;
	if (!(sc->expect = calloc(n, sizeof *sc->expect)))
		return sim_ld_oom(ld, ex);
	sc->n_expect = n;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t e = sim_yitem(&ld->doc, ex, i);
		struct sim_expect *x = &sc->expect[i];
		struct sim_ld_entry parsed;
		if (!sim_ld_entry_keys(ld, e, &sim_expect_form, &parsed))
			return false;
		x->kind = (enum sim_expect_kind)parsed.name;
		x->line = sim_ld_node(ld, e)->line;
		x->col = sim_ld_node(ld, e)->col;
		x->when = SIM_WHEN_AT_END;
		if (parsed.when < 0 && parsed.name != SIM_EXPECT_VIOLATION)
			return sim_ld_fail(ld, e, "expect %s has no time; expected at: T, within: T or at_end: true",
					   sim_expect_kind_names[parsed.name]);
		if (parsed.when == 2) {
			bool b;
			if (!sim_ld_bool(ld, parsed.when_val, "at_end", &b))
				return false;
			if (!b)
				return sim_ld_fail(ld, parsed.when_val,
						   "at_end: got false; expected at_end: true (or at: / within:)");
		} else if (parsed.when >= 0) {
			x->when = parsed.when == 0 ? SIM_WHEN_AT : SIM_WHEN_WITHIN;
			if (!sim_ld_duration(ld, parsed.when_val, sim_expect_whens[parsed.when], &x->t_us) ||
			    !sim_ld_before_run_end(ld, parsed.when_val, sim_expect_whens[parsed.when], x->t_us))
				return false;
		}
		if (!sim_ld_expect_args(ld, x, parsed.arg))
			return false;
		if (x->kind == SIM_EXPECT_VIOLATION) {
			if (disabled_by[x->u.violation] != SIM_YNONE)
				return sim_ld_fail(ld, parsed.arg,
						   "violation: %s is in invariants.disable; expected an invariant "
						   "that is not disabled (naming it here enables it)",
						   sim_invariant_info(x->u.violation)->name);
			sc->invariant_on[x->u.violation] = true;
		}
	}
	return true;
}

const char *sim_expect_kind_name(enum sim_expect_kind c)
{
	return c < SIM_EXPECT_KIND_COUNT ? sim_expect_kind_names[c] : "?";
}
