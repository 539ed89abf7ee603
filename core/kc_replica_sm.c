/* kc_replica_sm.c — ReplicaStateMachine of 0.8.2 (spec §2, the seed's class):
 * handleStateChanges over a set of (partition, replica) pairs with the per-target actions,
 * startup(), and the controller's removeReplicaFromIsr (§6.9) that OfflineReplica relies on. */
#include <string.h>

#include "kc_internal.h"

void kc_log_state(struct kc_controller *c, bool is_partition, bool applied, uint32_t pid,
		  int32_t broker, int from, int to, enum kc_reason why, int32_t leader)
{
	struct kc_state_change sc = {.is_partition = is_partition,
				     .applied = applied,
				     .pid = pid,
				     .broker = broker,
				     .from = (uint8_t)from,
				     .to = (uint8_t)to,
				     .reason = why,
				     .leader = leader,
				     .controller_id = c->cfg.broker_id,
				     .controller_epoch = c->epoch};
	c->sink.state_change(c->sink.self, &sc);
}

/* removeReplicaFromIsr: shrink the ISR in ZooKeeper (leader -1 if it was the leader; the last
 * member kept when the topic disallows unclean election), epoch + 1, conditional on the version
 * just read, retried on conflict. The value is cached with our epoch even when no write was
 * needed. */
bool kc_remove_replica_from_isr(struct kc_controller *c, uint32_t pid, int32_t replica,
				struct kc_lisr *out, enum kc_reason *why)
{
	for (;;) {
		struct kc_lisr cur;
		if (c->st.read_state(c->st.self, pid, &cur) != KC_ZK_OK) {
			*why = KC_FAIL_NO_LEADERSHIP; /* "leader and isr path in zookeeper is empty" */
			return false;
		}
		if (cur.controller_epoch > c->epoch) {
			*why = KC_FAIL_NEWER_CONTROLLER;
			return false;
		}
		if (!kc_list_has(cur.isr, cur.isr_len, replica)) {
			kc_cache_lead(c, pid, &cur, c->epoch);
			cur.controller_epoch = c->epoch;
			*out = cur;
			return true;
		}
		struct kc_lisr next = cur;
		next.leader = replica == cur.leader ? KC_NO_LEADER : cur.leader;
		next.isr_len = 0;
		for (uint32_t i = 0; i < cur.isr_len; i++)
			if (cur.isr[i] != replica)
				next.isr[next.isr_len++] = cur.isr[i];
		if (next.isr_len == 0 && !kc_store_topic_unclean(c, c->parts[pid].topic))
			memcpy(next.isr, cur.isr, (next.isr_len = cur.isr_len) * sizeof(int32_t));
		next.leader_epoch = cur.leader_epoch + 1;
		next.controller_epoch = c->epoch;
		int32_t version = -1;
		enum kc_zk_rc rc = c->st.update_state(c->st.self, pid, &next, cur.zk_version, &version);
		next.zk_version = rc == KC_ZK_OK ? version : -1;
		kc_cache_lead(c, pid, &next, c->epoch);
		if (rc == KC_ZK_OK) {
			*out = next;
			return true;
		}
	}
}

/* The transitions below write the replica's state through `e`, its map entry, and read the
 * AR through `ar`, the context's own slice: nothing they call adds a map entry, and the one
 * call that may move the slice pool (the ISR cache in to_offline) is followed by a re-read. */
static void to_offline(struct kc_controller *c, uint32_t pid, struct kc_rs *e, int cur)
{
	struct kc_batch *b = &c->replica_batch;
	int32_t broker = e->broker;
	enum kc_reason why = KC_FAIL_NO_LEADERSHIP;
	struct kc_lisr v;
	/* the broker may be dead: the channel drops what it cannot deliver */
	kc_batch_add_stop(c, b, broker, pid, false, false);
	if (!c->parts[pid].has_lead || !kc_remove_replica_from_isr(c, pid, broker, &v, &why)) {
		kc_log_state(c, false, false, pid, broker, cur, KC_OFFLINE_REPLICA, why, 0);
		return;
	}
	if (!kc_part_deleting(c, pid)) {
		const struct kc_part *p = &c->parts[pid];
		const int32_t *ar = kc_slice_ptr(c, p->ar);
		int32_t to[KC_MAX_REPLICAS];
		uint32_t n = 0;
		if (c->cfg.inject & KC_INJECT_KAFKA_1188)
			to[n++] = v.leader;
		else
			for (uint32_t i = 0; i < p->ar.len; i++)
				if (ar[i] != broker)
					to[n++] = ar[i];
		kc_batch_add_lair(c, b, to, n, pid, &v, c->epoch, ar, p->ar.len);
	}
	e->state = KC_OFFLINE_REPLICA;
	kc_log_state(c, false, true, pid, broker, cur, KC_OFFLINE_REPLICA, KC_OK, 0);
}

static void to_new(struct kc_controller *c, uint32_t pid, struct kc_rs *e, int cur, const int32_t *ar,
		   uint32_t n_ar)
{
	int32_t broker = e->broker;
	struct kc_lisr v;
	if (c->st.read_state(c->st.self, pid, &v) == KC_ZK_OK) {
		if (v.leader == broker && !(c->cfg.inject & KC_INJECT_SELFTEST_NEW_REPLICA_FOR_LEADER)) {
			kc_log_state(c, false, false, pid, broker, cur, KC_NEW_REPLICA, KC_FAIL_REPLICA_IS_LEADER, 0);
			return;
		}
		kc_batch_add_lair(c, &c->replica_batch, &broker, 1, pid, &v, v.controller_epoch, ar, n_ar);
	}
	e->state = KC_NEW_REPLICA;
	kc_log_state(c, false, true, pid, broker, cur, KC_NEW_REPLICA, KC_OK, 0);
}

/* OnlineReplica from a state other than New sends the replica's broker its partition's cached
 * leadership (addLeaderAndIsrRequestForBrokers(List(replicaId), ...)). The brokers of a
 * partition's consecutive replicas are gathered here and added in one call: the batch then holds
 * what one call per replica leaves (the same entries in the same order, one value, the
 * partition's UpdateMetadata entry once), with the per-partition work done once, as nothing
 * between the replicas writes the cache. */
struct told {
	uint32_t pid, n;
	int32_t to[KC_MAX_REPLICAS];
};

static void tell(struct kc_controller *c, struct told *t)
{
	if (t->n > 0)
		kc_batch_add_lair_cached(c, &c->replica_batch, t->to, t->n, t->pid);
	t->n = 0;
}

static void to_online(struct kc_controller *c, uint32_t pid, struct kc_rs *e, int cur, const int32_t *ar,
		      uint32_t n_ar, struct told *t)
{
	int32_t broker = e->broker;
	if (cur == KC_NEW_REPLICA) {
		if (!kc_list_has(ar, n_ar, broker)) {
			int32_t grown[KC_MAX_REPLICAS];
			memcpy(grown, ar, n_ar * sizeof *ar);
			grown[n_ar] = broker;
			tell(c, t); /* before the cache changes */
			kc_set_ar(c, pid, grown, n_ar + 1);
		}
	} else if (c->parts[pid].has_lead) {
		if (t->n == KC_MAX_REPLICAS || (t->n > 0 && t->pid != pid))
			tell(c, t);
		t->pid = pid;
		t->to[t->n++] = broker;
	}
	/* else: the partition never had a leader, so there is nothing to tell the broker yet */
	e->state = KC_ONLINE_REPLICA;
	kc_log_state(c, false, true, pid, broker, cur, KC_ONLINE_REPLICA, KC_OK, 0);
}

static void handle_change(struct kc_controller *c, uint32_t pid, int32_t broker,
			  enum kc_replica_state target, bool deletion_callback, struct told *t)
{
	if (!c->replica_sm_started) {
		kc_log_state(c, false, false, pid, broker, KC_NON_EXISTENT_REPLICA, target, KC_FAIL_NOT_STARTED, 0);
		return;
	}
	kc_touch(c, pid);
	struct kc_rs *e = kc_rstate_slot(c, pid, broker);
	int cur = e->state;
	const struct kc_part *p = &c->parts[pid];
	if (!p->known) {
		kc_log_state(c, false, false, pid, broker, cur, target, KC_FAIL_UNKNOWN_PARTITION, 0);
		return;
	}
	/* kc_replica_edge_valid(cur, target), read from the controller's masks */
	bool valid = (unsigned)target < 8 && cur < 8 && (c->replica_valid_from[target] >> cur & 1);
	if (!valid && !(c->cfg.inject & KC_INJECT_SELFTEST_SKIP_REPLICA_GUARD)) {
		kc_log_state(c, false, false, pid, broker, cur, target, KC_FAIL_INVALID_EDGE, 0);
		return;
	}
	const int32_t *ar = kc_slice_ptr(c, p->ar);
	uint32_t n_ar = p->ar.len;
	switch (target) {
	case KC_NEW_REPLICA:
		to_new(c, pid, e, cur, ar, n_ar);
		return;
	case KC_ONLINE_REPLICA:
		to_online(c, pid, e, cur, ar, n_ar, t);
		return;
	case KC_OFFLINE_REPLICA:
		to_offline(c, pid, e, cur);
		return;
	case KC_REPLICA_DELETION_STARTED:
		e->state = KC_REPLICA_DELETION_STARTED;
		kc_batch_add_stop(c, &c->replica_batch, broker, pid, true, deletion_callback);
		break;
	case KC_REPLICA_DELETION_INELIGIBLE:
	case KC_REPLICA_DELETION_SUCCESSFUL:
		e->state = (uint8_t)target;
		break;
	case KC_NON_EXISTENT_REPLICA: {
		int32_t rest[KC_MAX_REPLICAS];
		uint32_t n = 0;
		for (uint32_t i = 0; i < n_ar; i++)
			if (ar[i] != broker)
				rest[n++] = ar[i];
		kc_set_ar(c, pid, rest, n);
		kc_rstate_remove(c, pid, broker);
		break;
	}
	}
	kc_log_state(c, false, true, pid, broker, cur, target, KC_OK, 0);
}

void kc_replica_changes(struct kc_controller *c, const struct kc_replica *r, uint32_t n,
			enum kc_replica_state target, bool deletion_callback)
{
	if (n == 0)
		return;
	if (!kc_batch_new(c, &c->replica_batch))
		return; /* 0.8.2 logs "Error while moving some replicas" and does nothing */
	struct told t = {.n = 0};
	c->st.bulk_begin(c->st.self);
	for (uint32_t i = 0; i < n; i++)
		handle_change(c, r[i].pid, r[i].broker, target, deletion_callback, &t);
	tell(c, &t);
	c->st.bulk_end(c->st.self);
	kc_batch_flush(c, &c->replica_batch);
}

/* Append partition p's replicas to out, brokers by id; with `on`, only those on one of its n_on
 * brokers. The number appended. */
static inline uint32_t append_replicas(struct kc_controller *c, uint32_t pid, const int32_t *on, uint32_t n_on,
				struct kc_vec *out)
{
	const struct kc_part *p = &c->parts[pid];
	if (!p->known || p->ar.len == 0)
		return 0;
	const int32_t *ar = kc_slice_ptr(c, p->ar);
	kc_vec_reserve(out, out->len + p->ar.len);
	struct kc_replica *r = (struct kc_replica *)out->data + out->len;
	uint32_t m = 0;
	for (uint32_t j = 0; j < p->ar.len; j++) {
		if (on && !kc_list_has(on, n_on, ar[j]))
			continue;
		uint32_t k = m++;
		for (; k > 0 && r[k - 1].broker > ar[j]; k--)
			r[k] = r[k - 1];
		r[k].pid = pid;
		r[k].broker = ar[j];
	}
	out->len += m;
	return m;
}

/* The replicas of the given partitions, brokers by id within each partition; with `on`, only
 * those on one of its n_on brokers (replicasOnBrokers). Written in place: a failover lists
 * every replica of the cluster. */
void kc_replicas_of_partitions(struct kc_controller *c, const uint32_t *pids, uint32_t n, const int32_t *on,
			       uint32_t n_on, struct kc_vec *out)
{
	out->len = 0;
	for (uint32_t i = 0; i < n; i++)
		if (pids[i] < c->n_parts)
			append_replicas(c, pids[i], on, n_on, out);
}

/* startup(): replicas on live brokers Online, the rest ReplicaDeletionIneligible (direct
 * writes, not transitions), then every live replica → OnlineReplica. Each partition's replicas
 * are listed and written in one pass over the partitions. */
void kc_replica_sm_startup(struct kc_controller *c)
{
	kc_all_partitions(c, &c->tmp_pids);
	struct kc_vec reps;
	kc_vec_init(&reps, sizeof(struct kc_replica));
	for (uint32_t i = 0; i < c->tmp_pids.len; i++) {
		uint32_t pid = ((uint32_t *)c->tmp_pids.data)[i];
		uint32_t first = reps.len; /* only the live ones kept, in order, at the list's end */
		uint32_t m = append_replicas(c, pid, NULL, 0, &reps);
		struct kc_replica *r = (struct kc_replica *)reps.data + first;
		reps.len = first;
		for (uint32_t j = 0; j < m; j++) {
			bool up = kc_live(c, r[j].broker);
			kc_rstate_put(c, pid, r[j].broker, up ? KC_ONLINE_REPLICA : KC_REPLICA_DELETION_INELIGIBLE);
			if (up)
				((struct kc_replica *)reps.data)[reps.len++] = r[j];
		}
	}
	c->replica_sm_started = true;
	kc_replica_changes(c, reps.data, reps.len, KC_ONLINE_REPLICA, false);
	kc_vec_free(&reps);
}
