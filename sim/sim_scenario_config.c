/* sim_scenario_config.c — the scenario's config: map: the defaults (Kafka 0.8.2's, and the
 * simulator's latencies and costs) and one table of settings with their type and range. */
#include <stdio.h>
#include <string.h>

#include "sim_duration.h"
#include "sim_scenario_int.h"

enum sim_cfg_type { SIM_CFG_DURATION, SIM_CFG_DURATION_POSITIVE, SIM_CFG_U32, SIM_CFG_BOOL,
		    SIM_CFG_ZK_MODE };
struct sim_cfg_key {
	const char *name;
	enum sim_cfg_type type;
	size_t offset;          /* in struct sim_config */
	uint32_t min, max;      /* SIM_CFG_U32 */
};
#define SIM_CFG(name, type, min, max) {#name, type, offsetof(struct sim_config, name), min, max}
static const struct sim_cfg_key sim_cfg_keys[] = {
	{"zk_session_timeout", SIM_CFG_DURATION_POSITIVE, offsetof(struct sim_config, zk_session_timeout_us), 0, 0},
	{"zk_read_latency", SIM_CFG_DURATION, offsetof(struct sim_config, zk_read_latency_us), 0, 0},
	{"zk_write_latency", SIM_CFG_DURATION, offsetof(struct sim_config, zk_write_latency_us), 0, 0},
	SIM_CFG(zk_mode, SIM_CFG_ZK_MODE, 0, 0),
	SIM_CFG(zk_max_in_flight, SIM_CFG_U32, 1, 1000000),
	{"rpc_latency", SIM_CFG_DURATION, offsetof(struct sim_config, rpc_latency_us), 0, 0},
	{"controller_op_cost", SIM_CFG_DURATION, offsetof(struct sim_config, controller_op_cost_us), 0, 0},
	{"controller_request_entry_cost", SIM_CFG_DURATION,
	 offsetof(struct sim_config, controller_request_entry_cost_us), 0, 0},
	{"broker_op_cost", SIM_CFG_DURATION, offsetof(struct sim_config, broker_op_cost_us), 0, 0},
	SIM_CFG(batch_requests, SIM_CFG_BOOL, 0, 0),
	SIM_CFG(unclean_leader_election, SIM_CFG_BOOL, 0, 0),
	{"replica_lag_time_max", SIM_CFG_DURATION, offsetof(struct sim_config, replica_lag_time_max_us), 0, 0},
	{"isr_check_interval", SIM_CFG_DURATION_POSITIVE,
	 offsetof(struct sim_config, isr_check_interval_us), 0, 0},
	{"replica_catch_up", SIM_CFG_DURATION, offsetof(struct sim_config, replica_catch_up_us), 0, 0},
	SIM_CFG(controlled_shutdown_max_retries, SIM_CFG_U32, 0, 1000),
	{"controlled_shutdown_retry_backoff", SIM_CFG_DURATION,
	 offsetof(struct sim_config, controlled_shutdown_retry_backoff_us), 0, 0},
	{"controller_socket_timeout", SIM_CFG_DURATION_POSITIVE,
	 offsetof(struct sim_config, controller_socket_timeout_us), 0, 0},
	SIM_CFG(delete_topic_enable, SIM_CFG_BOOL, 0, 0),
	SIM_CFG(auto_leader_rebalance, SIM_CFG_BOOL, 0, 0),
	{"leader_imbalance_check_interval", SIM_CFG_DURATION_POSITIVE,
	 offsetof(struct sim_config, leader_imbalance_check_interval_us), 0, 0},
	SIM_CFG(leader_imbalance_per_broker_percentage, SIM_CFG_U32, 0, 100),
	{"latency_jitter", SIM_CFG_DURATION, offsetof(struct sim_config, latency_jitter_us), 0, 0},
};
#undef SIM_CFG

void sim_ld_config_defaults(struct sim_config *c)
{
	*c = (struct sim_config){
		.zk_session_timeout_us = 6 * SIM_US_PER_S,
		.zk_read_latency_us = 200,
		.zk_write_latency_us = 1500,
		.zk_mode = SIM_ZK_SYNC,
		.zk_max_in_flight = 10,
		.rpc_latency_us = SIM_US_PER_MS,
		.controller_op_cost_us = 50,
		.controller_request_entry_cost_us = 0,
		.broker_op_cost_us = 0,
		.batch_requests = true,
		.unclean_leader_election = false,
		.replica_lag_time_max_us = 10 * SIM_US_PER_S,
		.isr_check_interval_us = 10 * SIM_US_PER_S,
		.replica_catch_up_us = 2 * SIM_US_PER_MS,
		.controlled_shutdown_max_retries = 3,
		.controlled_shutdown_retry_backoff_us = 5 * SIM_US_PER_S,
		.controller_socket_timeout_us = 30 * SIM_US_PER_S,
		.delete_topic_enable = true,
		.auto_leader_rebalance = false,
		.leader_imbalance_check_interval_us = 300 * SIM_US_PER_S,
		.leader_imbalance_per_broker_percentage = 10,
		.latency_jitter_us = 0,
	};
}

bool sim_ld_config(struct sim_ld *ld)
{
	struct sim_config *c = &ld->sc->config;
	uint32_t cfg = sim_ld_opt(ld, ld->top[SIM_K_CONFIG]);
	if (cfg == SIM_YNONE)
		return true;
	if (!sim_ld_need_map(ld, cfg, "config", "a map of settings such as {zk_mode: pipelined}"))
		return false;
	const char *names[SIM_N(sim_cfg_keys)];
	uint32_t vals[SIM_N(sim_cfg_keys)];
	for (size_t i = 0; i < SIM_N(sim_cfg_keys); i++)
		names[i] = sim_cfg_keys[i].name;
	if (!sim_ld_fields(ld, cfg, "config", names, SIM_N(sim_cfg_keys), vals, NULL))
		return false;
	bool isr_given = false;
	uint32_t lag_node = SIM_YNONE;
	for (size_t i = 0; i < SIM_N(sim_cfg_keys); i++) {
		const struct sim_cfg_key *k = &sim_cfg_keys[i];
		uint32_t v = vals[i];
		if (v == SIM_YNONE)
			continue;
		char what[80];
		snprintf(what, sizeof what, "config.%s", k->name);
		char *dst = (char *)c + k->offset;
		uint64_t us;
		uint32_t u;
		bool b;
		switch (k->type) {
		case SIM_CFG_DURATION:
		case SIM_CFG_DURATION_POSITIVE:
			if (!sim_ld_duration(ld, v, what, &us))
				return false;
			if (k->type == SIM_CFG_DURATION_POSITIVE && us == 0)
				return sim_ld_fail(ld, v, "%s: got 0; expected a duration above 0", what);
			memcpy(dst, &us, sizeof us);
			isr_given = isr_given || strcmp(k->name, "isr_check_interval") == 0;
			if (strcmp(k->name, "replica_lag_time_max") == 0)
				lag_node = v;
			break;
		case SIM_CFG_U32:
			if (!sim_ld_u32(ld, v, what, k->min, k->max, NULL, &u))
				return false;
			memcpy(dst, &u, sizeof u);
			break;
		case SIM_CFG_BOOL:
			if (!sim_ld_bool(ld, v, what, &b))
				return false;
			memcpy(dst, &b, sizeof b);
			break;
		case SIM_CFG_ZK_MODE: {
			char got[96];
			if (sim_ld_is_word(ld, v, "sync"))
				c->zk_mode = SIM_ZK_SYNC;
			else if (sim_ld_is_word(ld, v, "pipelined"))
				c->zk_mode = SIM_ZK_PIPELINED;
			else
				return sim_ld_fail(ld, v, "%s: got %s; expected sync or pipelined", what,
						   sim_ld_got(ld, v, got, sizeof got));
			break;
		}
		}
	}
	if (!isr_given) {
		/* 0.8.2 checks every replica.lag.time.max.ms unless told otherwise. */
		if (c->replica_lag_time_max_us == 0)
			return sim_ld_fail(ld, lag_node,
					   "config.replica_lag_time_max: 0 would make the ISR check interval "
					   "(which defaults to it) 0; expected a duration above 0, or "
					   "config.isr_check_interval");
		c->isr_check_interval_us = c->replica_lag_time_max_us;
	}
	return true;
}
