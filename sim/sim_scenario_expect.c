/* sim_scenario_expect.c — the scenario's expect: entries of one check (leader, isr, ...,
 * violation) and when it holds (at, within, at_end). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

bool sim_ld_expect(struct sim_ld *ld, const uint32_t disabled_by[SIM_INVARIANT_COUNT])
{
	struct sim_scenario *sc = ld->sc;
	uint32_t ex = sim_ld_opt(ld, ld->top[SIM_K_EXPECT]);
	char list[300];
	if (ex == SIM_YNONE)
		return true;
	if (!sim_ld_need_seq(ld, ex, "expect", "a list of checks such as {at: 10s, controller: 1}"))
		return false;
	uint32_t n = sim_ld_node(ld, ex)->n;
	if (n > SIM_MAX_EXPECT)
		return sim_ld_fail(ld, ex, "expect: %u entries; expected at most %u (limit: expectations)", n,
				   SIM_MAX_EXPECT);
	if (n == 0)
		return true;
	if (!(sc->expect = calloc(n, sizeof *sc->expect)))
		return sim_ld_oom(ld, ex);
	sc->n_expect = n;
	static const char *const whens[] = {"at", "within", "at_end"};
	for (uint32_t i = 0; i < n; i++) {
		uint32_t e = sim_yitem(&ld->doc, ex, i), when = SIM_YNONE, arg = SIM_YNONE;
		struct sim_expect *x = &sc->expect[i];
		int check = -1, w = -1;
		if (!sim_ld_need_map(ld, e, "expect entry", "a map such as {at: 10s, controller: 1}"))
			return false;
		for (uint32_t p = 0; p < sim_ld_node(ld, e)->n; p++) {
			uint32_t k = sim_ykey(&ld->doc, e, p);
			const char *ks = sim_ystr(&ld->doc, k);
			int kw = 0, kc = 0;
			while (kw < 3 && strcmp(whens[kw], ks) != 0)
				kw++;
			if (kw < 3) {
				if (w >= 0)
					return sim_ld_fail(ld, k, "expect entry has both %s and %s; expected exactly "
								  "one of at, within and at_end",
							   whens[w], whens[kw]);
				w = kw;
				when = sim_yval(&ld->doc, e, p);
				continue;
			}
			while (kc < SIM_EXPECT_KIND_COUNT && strcmp(sim_expect_kind_names[kc], ks) != 0)
				kc++;
			char exc[80];
			if (kc == SIM_EXPECT_KIND_COUNT)
				return sim_ld_fail(ld, k, "unknown check '%s' in an expect entry; expected at, "
							  "within or at_end and one of: %s",
						   sim_ld_excerpt(ks, sim_ld_node(ld, k)->n, exc, sizeof exc),
						   sim_ld_join(sim_expect_kind_names, SIM_EXPECT_KIND_COUNT, list, sizeof list));
			if (check >= 0)
				return sim_ld_fail(ld, k, "a second check '%s' in an expect entry that already has "
							  "'%s'; expected one check per entry",
						   sim_expect_kind_names[kc], sim_expect_kind_names[check]);
			check = kc;
			arg = sim_yval(&ld->doc, e, p);
		}
		if (check < 0)
			return sim_ld_fail(ld, e, "an expect entry without a check; expected one of: %s",
					   sim_ld_join(sim_expect_kind_names, SIM_EXPECT_KIND_COUNT, list, sizeof list));
		x->kind = (enum sim_expect_kind)check;
		x->line = sim_ld_node(ld, e)->line;
		x->col = sim_ld_node(ld, e)->col;
		x->when = SIM_WHEN_AT_END;
		if (w < 0 && check != SIM_EXPECT_VIOLATION)
			return sim_ld_fail(ld, e, "expect %s has no time; expected at: T, within: T or at_end: true",
					   sim_expect_kind_names[check]);
		if (w == 2) {
			bool b;
			if (!sim_ld_bool(ld, when, "at_end", &b))
				return false;
			if (!b)
				return sim_ld_fail(ld, when, "at_end: got false; expected at_end: true (or at: / "
							     "within:)");
		} else if (w >= 0) {
			x->when = w == 0 ? SIM_WHEN_AT : SIM_WHEN_WITHIN;
			if (!sim_ld_duration(ld, when, whens[w], &x->t_us))
				return false;
			if (!sc->run_until_quiescent && x->t_us > sc->run_until_us) {
				char a[24], b[24];
				return sim_ld_fail(ld, when, "%s: %s is beyond run_until %s, where the run ends; "
							     "expected a time <= run_until",
						   whens[w], sim_duration_format(x->t_us, a, sizeof a),
						   sim_duration_format(sc->run_until_us, b, sizeof b));
			}
		}
		if (!sim_ld_expect_args(ld, x, arg))
			return false;
		if (x->kind == SIM_EXPECT_VIOLATION) {
			if (disabled_by[x->u.violation] != SIM_YNONE)
				return sim_ld_fail(ld, arg, "violation: %s is in invariants.disable; expected an "
							    "invariant that is not disabled (naming it here "
							    "enables it)",
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
