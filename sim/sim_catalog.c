/* sim_catalog.c — the static name tables of sim_catalog.h and their lookups. */
#include "sim_catalog.h"

#include <string.h>

#define SIM_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct sim_invariant_info sim_invariant_table[SIM_INVARIANT_COUNT] = {
#define SIM_INVARIANT_ROW(id, name, kind, on, summary) {name, kind, on, summary},
	SIM_INVARIANTS(SIM_INVARIANT_ROW)
#undef SIM_INVARIANT_ROW
};

static const struct sim_inject_info sim_inject_table[SIM_INJECT_COUNT] = {
#define SIM_INJECT_ROW(id, name, selftest, kc_bit, summary) {name, selftest, kc_bit, summary},
	SIM_INJECTS(SIM_INJECT_ROW)
#undef SIM_INJECT_ROW
};

struct sim_named {
	const char *name;
	int value;
};

static const struct sim_named sim_replica_states[] = {
	{"NonExistentReplica", KC_NON_EXISTENT_REPLICA},
	{"NewReplica", KC_NEW_REPLICA},
	{"OnlineReplica", KC_ONLINE_REPLICA},
	{"OfflineReplica", KC_OFFLINE_REPLICA},
	{"ReplicaDeletionStarted", KC_REPLICA_DELETION_STARTED},
	{"ReplicaDeletionSuccessful", KC_REPLICA_DELETION_SUCCESSFUL},
	{"ReplicaDeletionIneligible", KC_REPLICA_DELETION_INELIGIBLE},
};

static const struct sim_named sim_partition_states[] = {
	{"NonExistentPartition", KC_NON_EXISTENT_PARTITION},
	{"NewPartition", KC_NEW_PARTITION},
	{"OnlinePartition", KC_ONLINE_PARTITION},
	{"OfflinePartition", KC_OFFLINE_PARTITION},
};

static const struct sim_named sim_selectors[] = {
	{"offline", KC_SEL_OFFLINE},
	{"reassigned", KC_SEL_REASSIGNED},
	{"preferred", KC_SEL_PREFERRED},
	{"controlled_shutdown", KC_SEL_CONTROLLED_SHUTDOWN},
	{"noop", KC_SEL_NOOP},
};

static const struct sim_named sim_request_types[] = {
	{"LeaderAndIsr", KC_REQ_LEADER_AND_ISR},
	{"StopReplica", KC_REQ_STOP_REPLICA},
	{"UpdateMetadata", KC_REQ_UPDATE_METADATA},
};

static bool sim_name_is(const char *want, const char *name, size_t len)
{
	return strlen(want) == len && memcmp(want, name, len) == 0;
}

static bool sim_name_is_nocase(const char *want, const char *name, size_t len)
{
	if (strlen(want) != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char a = want[i], b = name[i];
		/* ASCII folding only: locale-dependent tolower() has no place in a deterministic tool. */
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

static int sim_named_find(const struct sim_named *t, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (sim_name_is(t[i].name, name, len))
			return t[i].value;
	return -1;
}

const struct sim_invariant_info *sim_invariant_info(enum sim_invariant inv)
{
	return &sim_invariant_table[inv];
}

int sim_invariant_find(const char *name, size_t len)
{
	for (size_t i = 0; i < SIM_INVARIANT_COUNT; i++)
		if (sim_name_is(sim_invariant_table[i].name, name, len))
			return (int)i;
	return -1;
}

const struct sim_inject_info *sim_inject_info(enum sim_inject inj)
{
	return &sim_inject_table[inj];
}

int sim_inject_find(const char *name, size_t len)
{
	for (size_t i = 0; i < SIM_INJECT_COUNT; i++)
		if (sim_name_is_nocase(sim_inject_table[i].name, name, len))
			return (int)i;
	return -1;
}

int sim_replica_state_parse(const char *name, size_t len)
{
	return sim_named_find(sim_replica_states, SIM_COUNT(sim_replica_states), name, len);
}

int sim_partition_state_parse(const char *name, size_t len)
{
	return sim_named_find(sim_partition_states, SIM_COUNT(sim_partition_states), name, len);
}

int sim_selector_parse(const char *name, size_t len)
{
	return sim_named_find(sim_selectors, SIM_COUNT(sim_selectors), name, len);
}

int sim_request_type_parse(const char *name, size_t len)
{
	return sim_named_find(sim_request_types, SIM_COUNT(sim_request_types), name, len);
}
