/* kc_partition_sm.c — PartitionStateMachine of 0.8.2 (spec §3): handleStateChanges with
 * initializeLeaderAndIsrForPartition (New → Online) and electLeaderForPartition (Offline or
 * Online → Online, through a selector), startup() and triggerOnlinePartitionStateChange(). */
#include <string.h>

#include "kc_internal.h"

static void report_election(struct kc_controller *c, uint32_t pid, enum kc_selector sel,
			    const struct kc_lisr *before, enum kc_reason why, const struct kc_select_out *out)
{
	if (!c->sink.election)
		return;
	int32_t ar[KC_MAX_REPLICAS];
	uint32_t n_ar;
	const struct kc_part *p = &c->parts[pid];
	if (sel == KC_SEL_REASSIGNED && p->reassigning) {
		n_ar = p->rar.len;
		memcpy(ar, kc_slice_ptr(c, p->rar), n_ar * sizeof *ar);
	} else {
		n_ar = kc_get_ar(c, pid, ar);
	}
	struct kc_election e = {.pid = pid,
				.selector = sel,
				.before = before,
				.ar_len = n_ar,
				.ar = ar,
				.ok = why == KC_OK,
				.leader = why == KC_OK ? out->lisr.leader : KC_NO_LEADER,
				.isr_len = why == KC_OK ? out->lisr.isr_len : 0,
				.isr = out->lisr.isr,
				.unclean = why == KC_OK && out->unclean_used};
	c->sink.election(c->sink.self, &e);
}

/* New → Online: the first live AR member leads, the live AR is the ISR, epoch 0. */
static enum kc_reason initialize_leader(struct kc_controller *c, uint32_t pid)
{
	const struct kc_part *p = &c->parts[pid];
	const int32_t *ar = kc_slice_ptr(c, p->ar);
	/* field by field: an initializer would zero the whole ISR array, for each new partition */
	struct kc_lisr v;
	v.leader = KC_NO_LEADER;
	v.leader_epoch = 0;
	v.controller_epoch = c->epoch;
	v.zk_version = 0;
	v.isr_len = 0;
	for (uint32_t i = 0; p->known && i < p->ar.len; i++)
		if (kc_live(c, ar[i]))
			v.isr[v.isr_len++] = ar[i];
	if (v.isr_len == 0)
		return KC_FAIL_NO_REPLICA_ALIVE;
	v.leader = v.isr[0];
	if (c->st.create_state(c->st.self, pid, &v) != KC_ZK_OK) {
		struct kc_lisr other; /* read for the failure message, as 0.8.2 does */
		c->st.read_state(c->st.self, pid, &other);
		return KC_FAIL_STATE_EXISTS;
	}
	kc_cache_lead(c, pid, &v, c->epoch);
	kc_batch_add_lair_cached(c, &c->partition_batch, v.isr, v.isr_len, pid);
	return KC_OK;
}

/* electLeaderForPartition: read the state znode, refuse if a newer controller wrote it, let
 * the selector decide, write conditionally on the version read, retry on conflict. */
static enum kc_reason elect_leader(struct kc_controller *c, uint32_t pid, enum kc_selector sel)
{
	struct kc_select_out out;
	struct kc_lisr cur;
	for (;;) {
		if (c->st.read_state(c->st.self, pid, &cur) != KC_ZK_OK)
			return KC_FAIL_NO_STATE_ZNODE;
		if (cur.controller_epoch > c->epoch)
			return KC_FAIL_NEWER_CONTROLLER;
		enum kc_reason why = kc_select_leader(c, sel, pid, &cur, &out);
		if (why == KC_OK && out.not_needed)
			return KC_OK; /* LeaderElectionNotNeededException is swallowed */
		report_election(c, pid, sel, &cur, why, &out);
		if (why != KC_OK)
			return why;
		out.lisr.controller_epoch = c->epoch;
		int32_t version;
		if (c->st.update_state(c->st.self, pid, &out.lisr, cur.zk_version, &version) == KC_ZK_OK) {
			out.lisr.zk_version = version;
			break;
		}
	}
	kc_cache_lead(c, pid, &out.lisr, c->epoch);
	kc_batch_add_lair_cached(c, &c->partition_batch, out.recipients, out.n_recipients, pid);
	return KC_OK;
}

/* assignReplicasToPartitions: the AR comes from the topic znode. */
static void assign_replicas(struct kc_controller *c, uint32_t pid)
{
	const struct kc_assigned *parts;
	uint32_t n = 0;
	const struct kc_part *p = &c->parts[pid];
	if (c->st.read_topic(c->st.self, p->topic, &parts, &n) != KC_ZK_OK)
		n = 0;
	/* the store lists a topic's partitions by number, so partition k is usually at k: a scan
	 * for each partition of a new topic would be quadratic in its partitions */
	if (p->number < n && parts[p->number].partition == p->number) {
		kc_set_ar(c, pid, parts[p->number].replicas, parts[p->number].n_replicas);
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		if (parts[i].partition == p->number) {
			kc_set_ar(c, pid, parts[i].replicas, parts[i].n_replicas);
			return;
		}
	kc_set_ar(c, pid, NULL, 0);
}

static void handle_change(struct kc_controller *c, uint32_t pid, enum kc_partition_state target,
			  enum kc_selector sel)
{
	struct kc_part *p = kc_part(c, pid);
	if (!c->partition_sm_started) {
		kc_log_state(c, true, false, pid, -1, KC_NON_EXISTENT_PARTITION, target, KC_FAIL_NOT_STARTED, 0);
		return;
	}
	kc_touch(c, pid);
	if (p->pstate == KC_NO_STATE)
		p->pstate = KC_NON_EXISTENT_PARTITION;
	int cur = p->pstate;
	if (!kc_partition_edge_valid(cur, target) && !(c->cfg.inject & KC_INJECT_SELFTEST_SKIP_PARTITION_GUARD)) {
		kc_log_state(c, true, false, pid, -1, cur, target, KC_FAIL_INVALID_EDGE, 0);
		return;
	}
	enum kc_reason why = KC_OK;
	switch (target) {
	case KC_NEW_PARTITION:
		assign_replicas(c, pid);
		break;
	case KC_ONLINE_PARTITION:
		if (cur == KC_NEW_PARTITION)
			why = initialize_leader(c, pid);
		else if (cur == KC_ONLINE_PARTITION || cur == KC_OFFLINE_PARTITION)
			why = elect_leader(c, pid, sel);
		break;
	case KC_OFFLINE_PARTITION:
	case KC_NON_EXISTENT_PARTITION:
		break;
	}
	if (why != KC_OK) {
		kc_log_state(c, true, false, pid, -1, cur, target, why, 0);
		return;
	}
	c->parts[pid].pstate = (uint8_t)target;
	kc_log_state(c, true, true, pid, -1, cur, target, KC_OK,
		     c->parts[pid].has_lead ? c->parts[pid].leader : KC_NO_LEADER);
}

void kc_partition_changes(struct kc_controller *c, const uint32_t *pids, uint32_t n,
			  enum kc_partition_state target, enum kc_selector sel)
{
	if (!kc_batch_new(c, &c->partition_batch))
		return; /* 0.8.2 logs "Error while moving some partitions" and does nothing */
	c->st.bulk_begin(c->st.self);
	for (uint32_t i = 0; i < n; i++)
		handle_change(c, pids[i], target, sel);
	c->st.bulk_end(c->st.self);
	kc_batch_flush(c, &c->partition_batch);
}

/* Partitions → Online (through the offline selector), one batch. */
static void make_online(struct kc_controller *c, const struct kc_vec *todo)
{
	if (!kc_batch_new(c, &c->partition_batch))
		return;
	c->st.bulk_begin(c->st.self);
	for (uint32_t i = 0; i < todo->len; i++)
		handle_change(c, ((const uint32_t *)todo->data)[i], KC_ONLINE_PARTITION, KC_SEL_OFFLINE);
	c->st.bulk_end(c->st.self);
	kc_batch_flush(c, &c->partition_batch);
}

/* A partition that triggerOnlinePartitionStateChange moves: New or Offline, not of a topic
 * queued for deletion. */
static bool wants_online(const struct kc_controller *c, const struct kc_part *p)
{
	return (p->pstate == KC_NEW_PARTITION || p->pstate == KC_OFFLINE_PARTITION) && !kc_topic_queued(c, p->topic);
}

void kc_trigger_online_partitions(struct kc_controller *c)
{
	kc_all_partitions(c, &c->tmp_pids);
	struct kc_vec todo;
	kc_vec_init(&todo, sizeof(uint32_t));
	for (uint32_t i = 0; i < c->tmp_pids.len; i++) {
		uint32_t pid = ((uint32_t *)c->tmp_pids.data)[i];
		if (wants_online(c, &c->parts[pid]))
			*(uint32_t *)kc_vec_push(&todo) = pid;
	}
	make_online(c, &todo);
	kc_vec_free(&todo);
}

/* startup(): states from the leadership cache (direct writes), then trigger Online — whose
 * partitions are listed in the same pass, as nothing between reads what it writes. */
void kc_partition_sm_startup(struct kc_controller *c)
{
	kc_all_partitions(c, &c->tmp_pids);
	struct kc_vec todo;
	kc_vec_init(&todo, sizeof(uint32_t));
	for (uint32_t i = 0; i < c->tmp_pids.len; i++) {
		uint32_t pid = ((uint32_t *)c->tmp_pids.data)[i];
		struct kc_part *p = &c->parts[pid];
		if (!p->has_lead)
			p->pstate = KC_NEW_PARTITION;
		else
			p->pstate = kc_live(c, p->leader) ? KC_ONLINE_PARTITION : KC_OFFLINE_PARTITION;
		if (wants_online(c, p))
			*(uint32_t *)kc_vec_push(&todo) = pid;
	}
	c->partition_sm_started = true;
	make_online(c, &todo);
	kc_vec_free(&todo);
}
