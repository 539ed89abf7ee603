/* kc_names.c — Kafka's state names, the valid-previous-states tables of both state machines
 * (spec §2.2, §3.1: the one place the guards live), selector names and failure reasons. */
#include <string.h>

#include "kc_internal.h"

static const char *const replica_names[] = {
	[KC_NEW_REPLICA] = "NewReplica",
	[KC_ONLINE_REPLICA] = "OnlineReplica",
	[KC_OFFLINE_REPLICA] = "OfflineReplica",
	[KC_REPLICA_DELETION_STARTED] = "ReplicaDeletionStarted",
	[KC_REPLICA_DELETION_SUCCESSFUL] = "ReplicaDeletionSuccessful",
	[KC_REPLICA_DELETION_INELIGIBLE] = "ReplicaDeletionIneligible",
	[KC_NON_EXISTENT_REPLICA] = "NonExistentReplica",
};
static const char *const partition_names[] = {
	[KC_NEW_PARTITION] = "NewPartition",
	[KC_ONLINE_PARTITION] = "OnlinePartition",
	[KC_OFFLINE_PARTITION] = "OfflinePartition",
	[KC_NON_EXISTENT_PARTITION] = "NonExistentPartition",
};
static const char *const selector_names[] = {
	[KC_SEL_OFFLINE] = "offline",
	[KC_SEL_REASSIGNED] = "reassigned",
	[KC_SEL_PREFERRED] = "preferred",
	[KC_SEL_CONTROLLED_SHUTDOWN] = "controlled_shutdown",
	[KC_SEL_NOOP] = "noop",
};
static const char *const reason_texts[] = {
#define KC_REASON_TEXT(name, text) [name] = text,
	KC_REASONS(KC_REASON_TEXT)
#undef KC_REASON_TEXT
};

#define BIT(s) (1u << (s))
/* 0.8.2 assertValidPreviousStates, per target replica state. */
static const unsigned replica_prev[8] = {
	[KC_NEW_REPLICA] = BIT(KC_NON_EXISTENT_REPLICA),
	[KC_ONLINE_REPLICA] = BIT(KC_NEW_REPLICA) | BIT(KC_ONLINE_REPLICA) | BIT(KC_OFFLINE_REPLICA) |
			      BIT(KC_REPLICA_DELETION_INELIGIBLE),
	[KC_OFFLINE_REPLICA] = BIT(KC_NEW_REPLICA) | BIT(KC_ONLINE_REPLICA) | BIT(KC_OFFLINE_REPLICA) |
			       BIT(KC_REPLICA_DELETION_INELIGIBLE),
	[KC_REPLICA_DELETION_STARTED] = BIT(KC_OFFLINE_REPLICA),
	[KC_REPLICA_DELETION_SUCCESSFUL] = BIT(KC_REPLICA_DELETION_STARTED),
	[KC_REPLICA_DELETION_INELIGIBLE] = BIT(KC_REPLICA_DELETION_STARTED),
	[KC_NON_EXISTENT_REPLICA] = BIT(KC_REPLICA_DELETION_SUCCESSFUL),
};
static const unsigned partition_prev[4] = {
	[KC_NEW_PARTITION] = BIT(KC_NON_EXISTENT_PARTITION),
	[KC_ONLINE_PARTITION] = BIT(KC_NEW_PARTITION) | BIT(KC_ONLINE_PARTITION) | BIT(KC_OFFLINE_PARTITION),
	[KC_OFFLINE_PARTITION] = BIT(KC_NEW_PARTITION) | BIT(KC_ONLINE_PARTITION) | BIT(KC_OFFLINE_PARTITION),
	[KC_NON_EXISTENT_PARTITION] = BIT(KC_OFFLINE_PARTITION),
};

static bool is_replica_state(int s) { return s >= KC_NEW_REPLICA && s <= KC_NON_EXISTENT_REPLICA; }
static bool is_partition_state(int s) { return s >= KC_NEW_PARTITION && s <= KC_NON_EXISTENT_PARTITION; }

const char *kc_replica_state_name(int state)
{
	return is_replica_state(state) ? replica_names[state] : NULL;
}

const char *kc_partition_state_name(int state)
{
	return is_partition_state(state) ? partition_names[state] : NULL;
}

const char *kc_selector_name(enum kc_selector sel)
{
	return (unsigned)sel <= KC_SEL_NOOP ? selector_names[sel] : "unknown";
}

const char *kc_reason_text(enum kc_reason r)
{
	return (unsigned)r < sizeof reason_texts / sizeof reason_texts[0] ? reason_texts[r] : "";
}

int kc_replica_state_parse(const char *name)
{
	for (int s = KC_NEW_REPLICA; s <= KC_NON_EXISTENT_REPLICA; s++)
		if (strcmp(name, replica_names[s]) == 0)
			return s;
	return -1;
}

int kc_partition_state_parse(const char *name)
{
	for (int s = KC_NEW_PARTITION; s <= KC_NON_EXISTENT_PARTITION; s++)
		if (strcmp(name, partition_names[s]) == 0)
			return s;
	return -1;
}

bool kc_replica_edge_valid(int from, int to)
{
	return is_replica_state(from) && is_replica_state(to) && (replica_prev[to] & BIT(from));
}

bool kc_partition_edge_valid(int from, int to)
{
	return is_partition_state(from) && is_partition_state(to) && (partition_prev[to] & BIT(from));
}
