/* kc_reassign.c — the admin-path operations of 0.8.2: partition reassignment with the RAR/OAR
 * algorithm (spec §6.7), preferred replica election (§6.10), auto leader rebalance (§6.11),
 * and their state at failover (initializePreferredReplicaElection / PartitionReassignment). */
#include <stdlib.h>
#include <string.h>

#include "kc_internal.h"

static uint32_t lookup_pid(const struct kc_controller *c, uint32_t topic, uint32_t number)
{
	if (topic >= c->n_topics || number >= c->topics[topic].parts_len)
		return KC_NONE;
	uint32_t pid = ((const uint32_t *)c->pids.data)[c->topics[topic].parts_off + number];
	return pid != KC_NONE && c->parts[pid].known ? pid : KC_NONE;
}

static bool same_list(const int32_t *a, uint32_t na, const int32_t *b, uint32_t nb)
{
	return na == nb && memcmp(a, b, na * sizeof *a) == 0;
}

/* A private copy of admin entries: the store's array lives only until its next call, and
 * handling them rewrites the znode. Each entry's replicas point into the copy's ints. */
struct admin_copy {
	struct kc_vec list, ints;
};

static void admin_copy(struct admin_copy *a, const struct kc_admin_entry *e, uint32_t n)
{
	kc_vec_init(&a->list, sizeof(struct kc_admin_entry));
	kc_vec_init(&a->ints, sizeof(int32_t));
	for (uint32_t i = 0; i < n; i++) {
		*(struct kc_admin_entry *)kc_vec_push(&a->list) = e[i];
		for (uint32_t k = 0; k < e[i].n_replicas; k++)
			*(int32_t *)kc_vec_push(&a->ints) = e[i].replicas[k];
	}
	uint32_t off = 0;
	for (uint32_t i = 0; i < a->list.len; i++) {
		struct kc_admin_entry *x = kc_vec_at(&a->list, i);
		x->replicas = (const int32_t *)a->ints.data + off;
		off += x->n_replicas;
	}
}

static void admin_copy_free(struct admin_copy *a)
{
	kc_vec_free(&a->list);
	kc_vec_free(&a->ints);
}

/* removePartitionFromReassignedPartitions: stop watching the ISR, drop the partition from the
 * admin znode (read-modify-write; deleted when empty) and from the in-memory map. */
static void remove_admin_entry(struct kc_controller *c, uint32_t topic, uint32_t number, uint32_t pid)
{
	if (pid != KC_NONE && c->parts[pid].reassigning && c->parts[pid].isr_watched) {
		c->st.watch(c->st.self, KC_WATCH_PARTITION_STATE, pid, false);
		c->parts[pid].isr_watched = false;
	}
	const struct kc_admin_entry *e;
	uint32_t n = 0;
	if (c->st.read_reassign(c->st.self, &e, &n) != KC_ZK_OK)
		n = 0;
	struct admin_copy copy;
	admin_copy(&copy, e, n);
	struct kc_admin_entry *v = copy.list.data;
	uint32_t kept = 0;
	for (uint32_t i = 0; i < copy.list.len; i++)
		if (!(v[i].topic == topic && v[i].partition == number))
			v[kept++] = v[i];
	c->st.write_reassign(c->st.self, v, kept);
	admin_copy_free(&copy);
	if (pid != KC_NONE)
		kc_set_reassigning(c, &c->parts[pid], false);
}

void kc_remove_from_reassignment(struct kc_controller *c, uint32_t pid)
{
	remove_admin_entry(c, c->parts[pid].topic, c->parts[pid].number, pid);
}

/* updateAssignedReplicasForPartition: the topic's map from the cache with this partition
 * replaced, written whole; cached after the write. */
static bool update_assigned(struct kc_controller *c, uint32_t pid, const int32_t *rep, uint32_t n)
{
	uint32_t topic = c->parts[pid].topic;
	struct kc_vec parts, ints;
	kc_vec_init(&parts, sizeof(struct kc_assigned));
	kc_vec_init(&ints, sizeof(int32_t));
	kc_topic_partitions(c, topic, &c->tmp_pids2);
	for (uint32_t i = 0; i < c->tmp_pids2.len; i++) {
		uint32_t q = ((uint32_t *)c->tmp_pids2.data)[i];
		int32_t ar[KC_MAX_REPLICAS];
		uint32_t na = q == pid ? n : kc_get_ar(c, q, ar);
		for (uint32_t k = 0; k < na; k++)
			*(int32_t *)kc_vec_push(&ints) = q == pid ? rep[k] : ar[k];
		struct kc_assigned *a = kc_vec_push(&parts);
		a->partition = c->parts[q].number;
		a->pid = q;
		a->n_replicas = na;
	}
	uint32_t off = 0;
	for (uint32_t i = 0; i < parts.len; i++) {
		struct kc_assigned *a = kc_vec_at(&parts, i);
		a->replicas = (const int32_t *)ints.data + off;
		off += a->n_replicas;
	}
	bool ok = c->st.write_topic(c->st.self, topic, parts.data, parts.len) == KC_ZK_OK;
	if (ok)
		kc_set_ar(c, pid, rep, n);
	kc_vec_free(&parts);
	kc_vec_free(&ints);
	return ok;
}

/* updateLeaderEpochAndSendRequest: bump the leader epoch in ZooKeeper (leader and ISR
 * unchanged) and send it with the given AR. The cache keeps the old value, so the
 * UpdateMetadata that goes with the LeaderAndIsr carries the pre-bump epoch. */
static bool bump_epoch_and_send(struct kc_controller *c, uint32_t pid, const int32_t *to, uint32_t n_to,
				const int32_t *ar, uint32_t n_ar)
{
	struct kc_batch *b = &c->controller_batch;
	if (!kc_batch_new(c, b))
		return false;
	struct kc_lisr cur, next;
	for (;;) {
		if (c->st.read_state(c->st.self, pid, &cur) != KC_ZK_OK || cur.controller_epoch > c->epoch)
			return false;
		next = cur;
		next.leader_epoch = cur.leader_epoch + 1;
		next.controller_epoch = c->epoch;
		int32_t version;
		if (c->st.update_state(c->st.self, pid, &next, cur.zk_version, &version) == KC_ZK_OK) {
			next.zk_version = version;
			break;
		}
	}
	kc_touch(c, pid);
	kc_batch_add_lair(c, b, to, n_to, pid, &next, c->epoch, ar, n_ar);
	kc_batch_flush(c, b);
	return true;
}

static void one_replica(struct kc_controller *c, uint32_t pid, int32_t broker, enum kc_replica_state s)
{
	struct kc_replica r = {.pid = pid, .broker = broker};
	kc_replica_changes(c, &r, 1, s, false);
}

static void sort_ids(int32_t *v, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int32_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/* moveReassignedPartitionLeaderIfRequired (AR := RAR in memory first). */
static bool move_leader_if_required(struct kc_controller *c, uint32_t pid, const int32_t *rar, uint32_t n_rar)
{
	int32_t old_and_new[KC_MAX_REPLICAS];
	uint32_t n_all = kc_get_ar(c, pid, old_and_new);
	int32_t leader = c->parts[pid].has_lead ? c->parts[pid].leader : KC_NO_LEADER;
	kc_set_ar(c, pid, rar, n_rar);
	if (kc_list_has(rar, n_rar, leader) && kc_live(c, leader))
		return bump_epoch_and_send(c, pid, old_and_new, n_all, rar, n_rar);
	kc_partition_changes(c, &pid, 1, KC_ONLINE_PARTITION, KC_SEL_REASSIGNED);
	return true;
}

/* onPartitionReassignment: first pass while RAR is not all in the ISR (read from ZooKeeper),
 * completion pass once it is. False where 0.8.2 throws. */
static bool reassignment_step(struct kc_controller *c, uint32_t pid)
{
	struct kc_part *p = &c->parts[pid];
	int32_t rar[KC_MAX_REPLICAS], ar[KC_MAX_REPLICAS];
	uint32_t n_rar = p->rar.len, n_ar = kc_get_ar(c, pid, ar);
	memcpy(rar, kc_slice_ptr(c, p->rar), n_rar * sizeof *rar);
	struct kc_lisr zk;
	bool all_in_isr = c->st.read_state(c->st.self, pid, &zk) == KC_ZK_OK;
	kc_touch(c, pid);
	for (uint32_t i = 0; all_in_isr && i < n_rar; i++)
		all_in_isr = kc_list_has(zk.isr, zk.isr_len, rar[i]);
	if (!all_in_isr) {
		/* AR' = RAR followed by the old replicas not in RAR (0.8.2's small-set order) */
		int32_t both[KC_MAX_REPLICAS], fresh[KC_MAX_REPLICAS];
		uint32_t n_both = 0, n_fresh = 0;
		for (uint32_t i = 0; i < n_rar; i++) {
			both[n_both++] = rar[i];
			if (!kc_list_has(ar, n_ar, rar[i]))
				fresh[n_fresh++] = rar[i];
		}
		for (uint32_t i = 0; i < n_ar && n_both < KC_MAX_REPLICAS; i++)
			if (!kc_list_has(rar, n_rar, ar[i]))
				both[n_both++] = ar[i];
		if (!update_assigned(c, pid, both, n_both) || !bump_epoch_and_send(c, pid, both, n_both, both, n_both))
			return false;
		for (uint32_t i = 0; i < n_fresh; i++)
			one_replica(c, pid, fresh[i], KC_NEW_REPLICA);
		return true;
	}
	int32_t old[KC_MAX_REPLICAS];
	uint32_t n_old = 0;
	for (uint32_t i = 0; i < n_ar; i++)
		if (!kc_list_has(rar, n_rar, ar[i]))
			old[n_old++] = ar[i];
	sort_ids(old, n_old);
	for (uint32_t i = 0; i < n_rar; i++)
		one_replica(c, pid, rar[i], KC_ONLINE_REPLICA);
	if (!move_leader_if_required(c, pid, rar, n_rar))
		return false;
	struct kc_replica reps[KC_MAX_REPLICAS];
	for (uint32_t i = 0; i < n_old; i++) {
		reps[i].pid = pid;
		reps[i].broker = old[i];
	}
	kc_replica_changes(c, reps, n_old, KC_OFFLINE_REPLICA, false);
	kc_replica_changes(c, reps, n_old, KC_REPLICA_DELETION_STARTED, false);
	kc_replica_changes(c, reps, n_old, KC_REPLICA_DELETION_SUCCESSFUL, false);
	kc_replica_changes(c, reps, n_old, KC_NON_EXISTENT_REPLICA, false);
	if (!update_assigned(c, pid, rar, n_rar))
		return false;
	kc_remove_from_reassignment(c, pid);
	uint32_t n_reg, topic = c->parts[pid].topic;
	const int32_t *reg = kc_registered_list(c, &n_reg);
	kc_send_update_metadata(c, reg, n_reg, &pid, 1);
	kc_deletion_resume(c, &topic, 1);
	return true;
}

void kc_on_partition_reassignment(struct kc_controller *c, uint32_t pid)
{
	reassignment_step(c, pid);
}

/* initiateReassignReplicasForTopicPartition: 0.8.2 rejects a target with a dead replica. */
void kc_initiate_reassignment(struct kc_controller *c, uint32_t pid, const int32_t *rar, uint32_t n)
{
	bool ok = pid != KC_NONE;
	int32_t ar[KC_MAX_REPLICAS];
	uint32_t n_ar = ok ? kc_get_ar(c, pid, ar) : 0;
	ok = ok && !same_list(ar, n_ar, rar, n);
	for (uint32_t i = 0; ok && i < n; i++)
		ok = kc_live(c, rar[i]);
	if (ok) {
		struct kc_part *p = &c->parts[pid];
		if (!p->isr_watched) {
			c->st.watch(c->st.self, KC_WATCH_PARTITION_STATE, pid, true);
			p->isr_watched = true;
		}
		kc_slice_set(c, &p->rar, rar, n);
		kc_set_reassigning(c, p, true);
		uint32_t topic = p->topic;
		kc_deletion_mark_ineligible(c, &topic, 1);
		ok = reassignment_step(c, pid);
	}
	if (!ok && pid != KC_NONE)
		kc_remove_from_reassignment(c, pid);
}

/* PartitionsReassignedListener.handleDataChange. */
void kc_on_reassign_change(struct kc_controller *c, const struct kc_admin_entry *e, uint32_t n)
{
	kc_event_begin(c);
	if (!c->active)
		return;
	struct admin_copy copy;
	admin_copy(&copy, e, n);
	for (uint32_t i = 0; i < copy.list.len; i++) {
		const struct kc_admin_entry *a = kc_vec_at(&copy.list, i);
		uint32_t pid = lookup_pid(c, a->topic, a->partition);
		if (pid != KC_NONE && c->parts[pid].reassigning)
			continue;
		if (kc_topic_queued(c, a->topic) || pid == KC_NONE)
			remove_admin_entry(c, a->topic, a->partition, pid);
		else
			kc_initiate_reassignment(c, pid, a->replicas, a->n_replicas);
	}
	admin_copy_free(&copy);
}

/* ReassignedPartitionsIsrChangeListener.handleDataChange. */
void kc_on_partition_state_change(struct kc_controller *c, uint32_t pid)
{
	kc_event_begin(c);
	if (!c->active || pid >= c->n_parts || !c->parts[pid].reassigning)
		return;
	struct kc_lisr zk;
	if (c->st.read_state(c->st.self, pid, &zk) != KC_ZK_OK)
		return;
	kc_touch(c, pid);
	const struct kc_part *p = &c->parts[pid];
	const int32_t *rar = kc_slice_ptr(c, p->rar);
	for (uint32_t i = 0; i < p->rar.len; i++)
		if (!kc_list_has(zk.isr, zk.isr_len, rar[i]))
			return;
	reassignment_step(c, pid);
}

/* onPreferredReplicaElection; the admin znode goes unless triggered by auto rebalance. */
void kc_on_preferred_election(struct kc_controller *c, const uint32_t *pids, uint32_t n, bool automatic)
{
	struct kc_vec topics;
	kc_vec_init(&topics, sizeof(uint32_t));
	for (uint32_t i = 0; i < n; i++) {
		kc_set_preferred(c, &c->parts[pids[i]], true);
		*(uint32_t *)kc_vec_push(&topics) = c->parts[pids[i]].topic;
	}
	kc_deletion_mark_ineligible(c, topics.data, topics.len);
	kc_partition_changes(c, pids, n, KC_ONLINE_PARTITION, KC_SEL_PREFERRED);
	if (!automatic)
		c->st.delete_preferred(c->st.self);
	for (uint32_t i = 0; i < n; i++)
		kc_set_preferred(c, &c->parts[pids[i]], false);
	kc_deletion_resume(c, topics.data, topics.len);
	kc_vec_free(&topics);
}

/* PreferredReplicaElectionListener.handleDataChange. */
void kc_on_preferred_change(struct kc_controller *c, const struct kc_admin_entry *e, uint32_t n)
{
	kc_event_begin(c);
	if (!c->active)
		return;
	struct kc_vec pids;
	kc_vec_init(&pids, sizeof(uint32_t));
	bool any_deleting = false;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t pid = lookup_pid(c, e[i].topic, e[i].partition);
		if (pid == KC_NONE || c->parts[pid].preferred || kc_list_has((int32_t *)pids.data, pids.len, (int32_t)pid))
			continue;
		if (kc_topic_queued(c, e[i].topic)) {
			any_deleting = true; /* "Skipping preferred replica election ... being deleted" */
			continue;
		}
		*(uint32_t *)kc_vec_push(&pids) = pid;
	}
	/* KAFKA-1558 (injected): the whole request was skipped if any partition was deleting */
	if (any_deleting && (c->cfg.inject & KC_INJECT_KAFKA_1558))
		pids.len = 0;
	kc_on_preferred_election(c, pids.data, pids.len, false);
	kc_vec_free(&pids);
}

/* initializePreferredReplicaElection + initializePartitionReassignment (failover step 5). */
void kc_initialize_reassignment_and_preferred(struct kc_controller *c)
{
	const struct kc_admin_entry *e;
	uint32_t n = 0;
	if (c->st.read_preferred(c->st.self, &e, &n) != KC_ZK_OK)
		n = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t pid = lookup_pid(c, e[i].topic, e[i].partition);
		if (pid == KC_NONE)
			continue; /* topic deleted: done */
		const struct kc_part *p = &c->parts[pid];
		bool done = p->has_lead && p->ar.len && p->leader == kc_slice_ptr(c, p->ar)[0];
		kc_set_preferred(c, &c->parts[pid], !done);
	}
	if (c->st.read_reassign(c->st.self, &e, &n) != KC_ZK_OK)
		n = 0;
	struct admin_copy copy;
	admin_copy(&copy, e, n);
	for (uint32_t i = 0; i < copy.list.len; i++) {
		const struct kc_admin_entry *a = kc_vec_at(&copy.list, i);
		const int32_t *rar = a->replicas;
		uint32_t pid = lookup_pid(c, a->topic, a->partition);
		int32_t ar[KC_MAX_REPLICAS];
		if (pid == KC_NONE || same_list(ar, kc_get_ar(c, pid, ar), rar, a->n_replicas)) {
			remove_admin_entry(c, a->topic, a->partition, pid);
			continue;
		}
		kc_slice_set(c, &c->parts[pid].rar, rar, a->n_replicas);
		kc_set_reassigning(c, &c->parts[pid], true);
	}
	admin_copy_free(&copy);
}

/* A partition and its preferred broker; seq is its canonical position. */
struct pref_item {
	int32_t broker;
	uint32_t seq, pid;
};

static int cmp_pref(const void *a, const void *b)
{
	const struct pref_item *x = a, *y = b;
	if (x->broker != y->broker)
		return x->broker < y->broker ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* checkAndTriggerPartitionRebalance: per preferred broker, if more than the allowed share of
 * its partitions is led elsewhere, run a preferred election for each of them. */
void kc_on_rebalance_check(struct kc_controller *c)
{
	kc_event_begin(c);
	if (!c->active)
		return;
	struct kc_vec by_pref;
	kc_vec_init(&by_pref, sizeof(struct pref_item));
	bool reassigning = false, preferring = false;
	kc_all_partitions(c, &c->tmp_pids);
	for (uint32_t i = 0; i < c->tmp_pids.len; i++) {
		uint32_t pid = ((uint32_t *)c->tmp_pids.data)[i];
		const struct kc_part *p = &c->parts[pid];
		reassigning |= p->reassigning;
		preferring |= p->preferred;
		if (p->ar.len == 0 || kc_topic_queued(c, p->topic))
			continue;
		struct pref_item *r = kc_vec_push(&by_pref);
		r->pid = pid;
		r->seq = by_pref.len;
		r->broker = kc_slice_ptr(c, p->ar)[0];
	}
	/* grouped by preferred broker, partitions in canonical order within a group: (broker, seq)
	 * is a total order, so the result does not depend on the sort */
	struct pref_item *v = by_pref.data;
	if (by_pref.len > 1)
		qsort(v, by_pref.len, sizeof *v, cmp_pref);
	for (uint32_t lo = 0, hi; lo < by_pref.len; lo = hi) {
		int32_t pref = v[lo].broker;
		uint32_t not_led = 0;
		for (hi = lo; hi < by_pref.len && v[hi].broker == pref; hi++) {
			const struct kc_part *p = &c->parts[v[hi].pid];
			not_led += p->has_lead && p->leader != pref;
		}
		if ((uint64_t)not_led * 100 <= (uint64_t)c->cfg.leader_imbalance_per_broker_percentage * (hi - lo))
			continue;
		for (uint32_t i = lo; i < hi; i++) {
			const struct kc_part *p = &c->parts[v[i].pid];
			if (!p->has_lead || p->leader == pref)
				continue;
			uint32_t topic = p->topic;
			if (kc_live(c, pref) && !reassigning && !preferring && !kc_topic_queued(c, topic) &&
			    c->topics[topic].exists)
				kc_on_preferred_election(c, &v[i].pid, 1, true);
		}
	}
	kc_vec_free(&by_pref);
}
