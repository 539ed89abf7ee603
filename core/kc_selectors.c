/* kc_selectors.c — the partition leader selectors of 0.8.2 (spec §4): offline (clean and
 * unclean), reassigned, preferred replica, controlled shutdown and no-op. Each turns the state
 * znode just read into the new LeaderAndIsr (epoch + 1) and the brokers to tell. */
#include <string.h>

#include "kc_internal.h"

static void copy_isr(struct kc_lisr *dst, const int32_t *isr, uint32_t n)
{
	kc_copy_ints(dst->isr, isr, n);
	dst->isr_len = n;
}

/* The next value keeps the controller's conventions: epoch + 1, zkVersion pre-set to + 1
 * (overwritten by the version the write returns). */
static void next_value(struct kc_select_out *out, const struct kc_lisr *cur, int32_t leader)
{
	out->lisr.leader = leader;
	out->lisr.leader_epoch = cur->leader_epoch + 1;
	out->lisr.controller_epoch = cur->controller_epoch;
	out->lisr.zk_version = cur->zk_version + 1;
}

/* OfflinePartitionLeaderSelector (KAFKA-1503 fix: first AR member in the live ISR). */
static enum kc_reason select_offline(struct kc_controller *c, uint32_t pid, const struct kc_lisr *cur,
				     struct kc_select_out *out)
{
	int32_t ar[KC_MAX_REPLICAS], live_isr[KC_MAX_REPLICAS];
	uint32_t n_ar = kc_get_ar(c, pid, ar), n_live_isr = 0;
	if (!c->parts[pid].known)
		return KC_FAIL_NO_REPLICA_ALIVE; /* "doesn't have replicas assigned to it" */
	out->n_recipients = 0;
	for (uint32_t i = 0; i < n_ar; i++)
		if (kc_live(c, ar[i]))
			out->recipients[out->n_recipients++] = ar[i];
	for (uint32_t i = 0; i < cur->isr_len; i++)
		if (kc_live(c, cur->isr[i]))
			live_isr[n_live_isr++] = cur->isr[i];
	if (n_live_isr == 0) {
		if (!kc_store_topic_unclean(c, c->parts[pid].topic))
			return KC_FAIL_NO_REPLICA_ONLINE;
		if (out->n_recipients == 0)
			return KC_FAIL_NO_REPLICA_ALIVE;
		int32_t leader = out->recipients[0];
		next_value(out, cur, leader);
		copy_isr(&out->lisr, &leader, 1);
		out->unclean_used = true;
		return KC_OK;
	}
	int32_t leader = KC_NO_LEADER;
	if (c->cfg.inject & KC_INJECT_KAFKA_1503)
		leader = live_isr[0];
	else if (c->cfg.inject & KC_INJECT_SELFTEST_LEADER_OUTSIDE_ISR)
		leader = out->n_recipients ? out->recipients[0] : KC_NO_LEADER;
	else
		for (uint32_t i = 0; i < out->n_recipients && leader == KC_NO_LEADER; i++)
			if (kc_list_has(live_isr, n_live_isr, out->recipients[i]))
				leader = out->recipients[i];
	if (leader == KC_NO_LEADER)
		return KC_FAIL_NO_REPLICA_ONLINE; /* live ISR members outside the AR */
	next_value(out, cur, leader);
	copy_isr(&out->lisr, live_isr, n_live_isr);
	return KC_OK;
}

/* ReassignedPartitionLeaderSelector: first RAR member that is live and in the ISR. */
static enum kc_reason select_reassigned(struct kc_controller *c, uint32_t pid, const struct kc_lisr *cur,
					struct kc_select_out *out)
{
	const struct kc_part *p = &c->parts[pid];
	if (!p->reassigning)
		return KC_FAIL_NO_RAR; /* partitionsBeingReassigned(p) throws */
	const int32_t *rar = kc_slice_ptr(c, p->rar);
	uint32_t n = p->rar.len;
	memcpy(out->recipients, rar, n * sizeof *rar);
	out->n_recipients = n;
	for (uint32_t i = 0; i < n; i++)
		if (kc_live(c, rar[i]) && kc_list_has(cur->isr, cur->isr_len, rar[i])) {
			next_value(out, cur, rar[i]);
			copy_isr(&out->lisr, cur->isr, cur->isr_len);
			return KC_OK;
		}
	return n == 0 ? KC_FAIL_NO_RAR : KC_FAIL_RAR_NOT_IN_ISR;
}

/* PreferredReplicaPartitionLeaderSelector: AR.head, unless it already leads (by the cache). */
static enum kc_reason select_preferred(struct kc_controller *c, uint32_t pid, const struct kc_lisr *cur,
				       struct kc_select_out *out)
{
	struct kc_lisr cached;
	out->n_recipients = kc_get_ar(c, pid, out->recipients);
	if (out->n_recipients == 0 || !kc_get_lead(c, pid, &cached))
		return KC_FAIL_NO_LEADERSHIP;
	int32_t preferred = out->recipients[0];
	if (cached.leader == preferred) {
		out->not_needed = true;
		return KC_OK;
	}
	if (!kc_live(c, preferred) || !kc_list_has(cur->isr, cur->isr_len, preferred))
		return KC_FAIL_PREFERRED_NOT_ELIGIBLE;
	next_value(out, cur, preferred);
	copy_isr(&out->lisr, cur->isr, cur->isr_len);
	return KC_OK;
}

/* ControlledShutdownLeaderSelector (0.8.2): head of the ISR without shutting-down brokers. */
static enum kc_reason select_controlled_shutdown(struct kc_controller *c, uint32_t pid,
						 const struct kc_lisr *cur, struct kc_select_out *out)
{
	int32_t ar[KC_MAX_REPLICAS], isr[KC_MAX_REPLICAS];
	uint32_t n_ar = kc_get_ar(c, pid, ar), n_isr = 0;
	out->n_recipients = 0;
	for (uint32_t i = 0; i < n_ar; i++)
		if (kc_registered(c, ar[i]))
			out->recipients[out->n_recipients++] = ar[i];
	for (uint32_t i = 0; i < cur->isr_len; i++)
		if (!kc_broker_shutting_down(c, cur->isr[i]))
			isr[n_isr++] = cur->isr[i];
	if (n_isr == 0)
		return KC_FAIL_SHUTDOWN_NO_ISR;
	next_value(out, cur, isr[0]);
	copy_isr(&out->lisr, isr, n_isr);
	return KC_OK;
}

enum kc_reason kc_select_leader(struct kc_controller *c, enum kc_selector sel, uint32_t pid,
				const struct kc_lisr *cur, struct kc_select_out *out)
{
	memset(out, 0, sizeof *out);
	switch (sel) {
	case KC_SEL_OFFLINE:
		return select_offline(c, pid, cur, out);
	case KC_SEL_REASSIGNED:
		return select_reassigned(c, pid, cur, out);
	case KC_SEL_PREFERRED:
		return select_preferred(c, pid, cur, out);
	case KC_SEL_CONTROLLED_SHUTDOWN:
		return select_controlled_shutdown(c, pid, cur, out);
	case KC_SEL_NOOP:
		/* NoOpLeaderSelector: the current value, to the whole AR */
		out->lisr = *cur;
		out->n_recipients = kc_get_ar(c, pid, out->recipients);
		return KC_OK;
	}
	return KC_FAIL_INVALID_EDGE;
}
