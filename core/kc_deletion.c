/* kc_deletion.c — TopicDeletionManager of 0.8.2 (spec §7): the queued / ineligible topic
 * sets, partitionsToBeDeleted, the delete-topics thread as a wake-up flag plus one pass per
 * event (architecture S5), and the StopReplica(delete) response callback. */
#include <string.h>

#include "kc_internal.h"

static bool topic_ineligible(const struct kc_controller *c, uint32_t topic)
{
	return !kc_deletion_enabled(c) || c->topics[topic].ineligible;
}

static void set_partitions_deleting(struct kc_controller *c, uint32_t topic, bool on)
{
	kc_topic_partitions(c, topic, &c->tmp_pids2);
	for (uint32_t i = 0; i < c->tmp_pids2.len; i++) {
		struct kc_part *p = &c->parts[((uint32_t *)c->tmp_pids2.data)[i]];
		if (p->deleting && !on)
			c->n_deleting--;
		else if (!p->deleting && on)
			c->n_deleting++;
		p->deleting = on;
	}
}

static void signal_thread(struct kc_controller *c) { c->deletion_signal = true; }

/* A fresh TopicDeletionManager (failover): topics listed under /admin/delete_topics are queued;
 * those with a replica on a dead broker, a reassignment or a preferred election in progress are
 * ineligible. */
void kc_deletion_init(struct kc_controller *c)
{
	for (uint32_t t = 0; t < c->n_topics; t++) {
		c->topics[t].queued = c->topics[t].ineligible = false;
		if (c->n_deleting > 0) /* it counts the flags set: none, nothing to clear */
			set_partitions_deleting(c, t, false);
	}
	const uint32_t *topics;
	uint32_t n;
	c->st.list_delete_topics(c->st.self, &topics, &n);
	struct kc_vec queued;
	kc_vec_init(&queued, sizeof(uint32_t));
	for (uint32_t i = 0; i < n; i++)
		*(uint32_t *)kc_vec_push(&queued) = topics[i];
	for (uint32_t i = 0; i < queued.len; i++) {
		uint32_t t = ((uint32_t *)queued.data)[i];
		kc_topic(c, t)->queued = true;
		set_partitions_deleting(c, t, true);
		kc_topic_partitions(c, t, &c->tmp_pids2);
		for (uint32_t j = 0; j < c->tmp_pids2.len; j++) {
			const struct kc_part *p = &c->parts[((uint32_t *)c->tmp_pids2.data)[j]];
			const int32_t *ar = kc_slice_ptr(c, p->ar);
			bool dead = false;
			for (uint32_t k = 0; k < p->ar.len; k++)
				dead |= !kc_live(c, ar[k]);
			if (dead || p->reassigning || p->preferred)
				c->topics[t].ineligible = true;
		}
	}
	kc_vec_free(&queued);
}

void kc_deletion_start(struct kc_controller *c)
{
	if (!kc_deletion_enabled(c))
		return;
	c->deletion_started = true;
	bool any = false;
	for (uint32_t t = 0; t < c->n_topics; t++)
		any |= c->topics[t].queued;
	/* KAFKA-1681's fix: wake the thread at start when topics are already queued */
	if (any && !(c->cfg.inject & KC_INJECT_KAFKA_1681))
		signal_thread(c);
}

void kc_deletion_shutdown(struct kc_controller *c)
{
	if (!kc_deletion_enabled(c) || !c->deletion_started)
		return;
	c->deletion_started = false;
	c->deletion_signal = false;
	for (uint32_t t = 0; t < c->n_topics; t++) {
		c->topics[t].queued = c->topics[t].ineligible = false;
		if (c->n_deleting > 0) /* it counts the flags set: none, nothing to clear */
			set_partitions_deleting(c, t, false);
	}
}

void kc_deletion_enqueue(struct kc_controller *c, const uint32_t *topics, uint32_t n)
{
	if (!kc_deletion_enabled(c))
		return;
	for (uint32_t i = 0; i < n; i++) {
		kc_topic(c, topics[i])->queued = true;
		set_partitions_deleting(c, topics[i], true);
	}
	signal_thread(c);
}

void kc_deletion_resume(struct kc_controller *c, const uint32_t *topics, uint32_t n)
{
	if (!kc_deletion_enabled(c))
		return;
	bool any = false;
	for (uint32_t i = 0; i < n; i++)
		if (kc_topic_queued(c, topics[i])) {
			c->topics[topics[i]].ineligible = false;
			any = true;
		}
	if (any)
		signal_thread(c);
}

void kc_deletion_mark_ineligible(struct kc_controller *c, const uint32_t *topics, uint32_t n)
{
	if (!kc_deletion_enabled(c))
		return;
	for (uint32_t i = 0; i < n; i++)
		if (kc_topic_queued(c, topics[i]))
			c->topics[topics[i]].ineligible = true;
}

static void filter_queued(struct kc_controller *c, const struct kc_replica *r, uint32_t n, struct kc_vec *out)
{
	out->len = 0;
	for (uint32_t i = 0; i < n; i++)
		if (kc_topic_queued(c, c->parts[r[i].pid].topic))
			*(struct kc_replica *)kc_vec_push(out) = r[i];
}

void kc_deletion_fail_replicas(struct kc_controller *c, const struct kc_replica *r, uint32_t n)
{
	if (!kc_deletion_enabled(c))
		return;
	struct kc_vec failed;
	kc_vec_init(&failed, sizeof(struct kc_replica));
	filter_queued(c, r, n, &failed);
	if (failed.len > 0) {
		kc_replica_changes(c, failed.data, failed.len, KC_REPLICA_DELETION_INELIGIBLE, false);
		for (uint32_t i = 0; i < failed.len; i++) {
			uint32_t t = c->parts[((struct kc_replica *)failed.data)[i].pid].topic;
			kc_deletion_mark_ineligible(c, &t, 1);
		}
		signal_thread(c);
	}
	kc_vec_free(&failed);
}

static void complete_replicas(struct kc_controller *c, const struct kc_replica *r, uint32_t n)
{
	struct kc_vec done;
	kc_vec_init(&done, sizeof(struct kc_replica));
	filter_queued(c, r, n, &done);
	kc_replica_changes(c, done.data, done.len, KC_REPLICA_DELETION_SUCCESSFUL, false);
	signal_thread(c);
	kc_vec_free(&done);
}

/* replicasInState(topic, s): entries of the replica state map, canonical order. */
static void replicas_in_state(struct kc_controller *c, uint32_t topic, int s, struct kc_vec *out)
{
	out->len = 0;
	const struct kc_topic *t = kc_topic(c, topic);
	for (uint32_t i = 0; i < t->parts_len; i++) {
		uint32_t pid = ((uint32_t *)c->pids.data)[t->parts_off + i];
		if (pid == KC_NONE)
			continue;
		const struct kc_part *p = &c->parts[pid];
		const struct kc_rs *rs = (const struct kc_rs *)c->rs_pool.data + p->rs.off;
		for (uint32_t k = 0; k < p->rs.len; k++)
			if (rs[k].state == s) {
				struct kc_replica *r = kc_vec_push(out);
				r->pid = pid;
				r->broker = rs[k].broker;
			}
	}
}

/* Over the topic's assigned replicas: do all (any) have state s? A replica without an entry
 * has none of the deletion states. */
static bool assigned_replicas_in_state(struct kc_controller *c, uint32_t topic, int s, bool all)
{
	kc_topic_partitions(c, topic, &c->tmp_pids2);
	for (uint32_t i = 0; i < c->tmp_pids2.len; i++) {
		uint32_t pid = ((uint32_t *)c->tmp_pids2.data)[i];
		const struct kc_part *p = &c->parts[pid];
		const int32_t *ar = kc_slice_ptr(c, p->ar);
		for (uint32_t k = 0; k < p->ar.len; k++) {
			bool in = kc_rstate(c, pid, ar[k]) == s;
			if (in != all)
				return !all;
		}
	}
	return all;
}

static bool any_in_deletion_started(struct kc_controller *c, uint32_t topic)
{
	return assigned_replicas_in_state(c, topic, KC_REPLICA_DELETION_STARTED, false);
}

/* completeDeleteTopic: replicas → NonExistent, partitions → Offline → NonExistent, znodes
 * deleted, the topic removed from the context. */
static void complete_delete_topic(struct kc_controller *c, uint32_t topic)
{
	struct kc_vec reps;
	kc_vec_init(&reps, sizeof(struct kc_replica));
	if (c->topics[topic].watched) {
		c->st.watch(c->st.self, KC_WATCH_TOPIC, topic, false);
		c->topics[topic].watched = false;
	}
	replicas_in_state(c, topic, KC_REPLICA_DELETION_SUCCESSFUL, &reps);
	kc_replica_changes(c, reps.data, reps.len, KC_NON_EXISTENT_REPLICA, false);
	struct kc_vec parts;
	kc_vec_init(&parts, sizeof(uint32_t));
	kc_topic_partitions(c, topic, &parts);
	kc_partition_changes(c, parts.data, parts.len, KC_OFFLINE_PARTITION, KC_SEL_NOOP);
	kc_partition_changes(c, parts.data, parts.len, KC_NON_EXISTENT_PARTITION, KC_SEL_NOOP);
	c->topics[topic].queued = false;
	set_partitions_deleting(c, topic, false);
	c->st.delete_topic_paths(c->st.self, topic);
	kc_remove_topic(c, topic);
	kc_vec_free(&parts);
	kc_vec_free(&reps);
}

/* onTopicDeletion → onPartitionDeletion → startReplicaDeletion for one topic. */
static void on_topic_deletion(struct kc_controller *c, uint32_t topic)
{
	struct kc_vec parts, all, dead, retry;
	kc_vec_init(&parts, sizeof(uint32_t));
	kc_vec_init(&all, sizeof(struct kc_replica));
	kc_vec_init(&dead, sizeof(struct kc_replica));
	kc_vec_init(&retry, sizeof(struct kc_replica));
	kc_topic_partitions(c, topic, &parts);
	uint32_t n_reg;
	const int32_t *reg = kc_registered_list(c, &n_reg);
	kc_send_update_metadata(c, reg, n_reg, parts.data, parts.len);
	kc_replicas_of_partitions(c, parts.data, parts.len, NULL, 0, &all);
	for (uint32_t i = 0; i < all.len; i++) {
		const struct kc_replica *r = kc_vec_at(&all, i);
		if (!kc_live(c, r->broker)) {
			*(struct kc_replica *)kc_vec_push(&dead) = *r;
			continue;
		}
		if (kc_rstate(c, r->pid, r->broker) != KC_REPLICA_DELETION_SUCCESSFUL)
			*(struct kc_replica *)kc_vec_push(&retry) = *r;
	}
	kc_replica_changes(c, dead.data, dead.len, KC_REPLICA_DELETION_INELIGIBLE, false);
	kc_replica_changes(c, retry.data, retry.len, KC_OFFLINE_REPLICA, false);
	kc_replica_changes(c, retry.data, retry.len, KC_REPLICA_DELETION_STARTED, true);
	if (dead.len > 0)
		kc_deletion_mark_ineligible(c, &topic, 1);
	kc_vec_free(&parts);
	kc_vec_free(&all);
	kc_vec_free(&dead);
	kc_vec_free(&retry);
}

bool kc_take_deletion_signal(struct kc_controller *c)
{
	bool s = c->deletion_signal && c->deletion_started;
	c->deletion_signal = false;
	return s;
}

/* One pass of the delete-topics thread over every queued topic. */
void kc_deletion_pass(struct kc_controller *c)
{
	kc_event_begin(c);
	if (!c->deletion_started || !c->active)
		return;
	struct kc_vec queued, reps;
	kc_vec_init(&queued, sizeof(uint32_t));
	kc_vec_init(&reps, sizeof(struct kc_replica));
	for (uint32_t t = 0; t < c->n_topics; t++)
		if (c->topics[t].queued)
			*(uint32_t *)kc_vec_push(&queued) = t;
	for (uint32_t i = 0; i < queued.len; i++) {
		uint32_t t = ((uint32_t *)queued.data)[i];
		if (assigned_replicas_in_state(c, t, KC_REPLICA_DELETION_SUCCESSFUL, true)) {
			complete_delete_topic(c, t);
		} else if (!any_in_deletion_started(c, t)) {
			replicas_in_state(c, t, KC_REPLICA_DELETION_INELIGIBLE, &reps);
			/* markTopicForDeletionRetry: failed replicas back to Offline */
			kc_replica_changes(c, reps.data, reps.len, KC_OFFLINE_REPLICA, false);
		}
		if (c->topics[t].queued && !any_in_deletion_started(c, t) && !topic_ineligible(c, t))
			on_topic_deletion(c, t);
	}
	kc_vec_free(&queued);
	kc_vec_free(&reps);
}

/* deleteTopicStopReplicaCallback for a single-partition StopReplica(delete=true). */
void kc_on_stop_replica_response(struct kc_controller *c, int32_t broker, uint32_t pid, int error)
{
	kc_event_begin(c);
	if (!c->active)
		return;
	struct kc_replica r = {.pid = pid, .broker = broker};
	if (error)
		kc_deletion_fail_replicas(c, &r, 1);
	else
		complete_replicas(c, &r, 1);
}
