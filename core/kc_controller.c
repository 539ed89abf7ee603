/* kc_controller.c — KafkaController's callbacks of 0.8.2 (spec §6.1–6.6, 6.12): failover and
 * resignation, the broker-change listener with onBrokerStartup / onBrokerFailure, the topic
 * and add-partitions listeners with onNewPartitionCreation, the delete-topics listener,
 * controlled shutdown, `initial:` loading, instant start-up's direct topic creation and direct
 * state-machine transitions. */
#include <string.h>

#include "kc_internal.h"

static const uint32_t *pids_of(const struct kc_vec *v) { return v->data; }

static void set_channel(struct kc_controller *c, int32_t b, bool open)
{
	if (c->sink.channel)
		c->sink.channel(c->sink.self, b, open);
}

/* replicasOnBrokers(set): every assigned replica on a broker of `in`, canonical order. */
static void replicas_on_brokers(struct kc_controller *c, const int32_t *in, uint32_t n_in, struct kc_vec *out)
{
	kc_all_partitions(c, &c->tmp_pids);
	kc_replicas_of_partitions(c, pids_of(&c->tmp_pids), c->tmp_pids.len, in, n_in, out);
}

static void watch_topic(struct kc_controller *c, uint32_t topic)
{
	struct kc_topic *t = kc_topic(c, topic);
	if (!t->watched) {
		c->st.watch(c->st.self, KC_WATCH_TOPIC, topic, true);
		t->watched = true;
	}
}

/* getAllBrokersInCluster: children, then each broker's registration (dropped if gone). */
static void read_live_brokers(struct kc_controller *c, const int32_t *ids, uint32_t n)
{
	struct kc_vec live;
	kc_vec_init(&live, sizeof(int32_t));
	c->st.bulk_begin(c->st.self); /* independent reads, one per broker (S4) */
	for (uint32_t i = 0; i < n; i++)
		if (!c->st.broker_exists || c->st.broker_exists(c->st.self, ids[i]))
			*(int32_t *)kc_vec_push(&live) = ids[i];
	c->st.bulk_end(c->st.self);
	kc_load_brokers(c, live.data, live.len);
	kc_vec_free(&live);
}

static void register_listeners(struct kc_controller *c, bool on)
{
	c->st.watch(c->st.self, KC_WATCH_REASSIGN, 0, on);
	c->st.watch(c->st.self, KC_WATCH_PREFERRED, 0, on);
	c->st.watch(c->st.self, KC_WATCH_TOPICS, 0, on);
	if (kc_deletion_enabled(c))
		c->st.watch(c->st.self, KC_WATCH_DELETE_TOPICS, 0, on);
	c->st.watch(c->st.self, KC_WATCH_BROKERS, 0, on);
}

/* initializeControllerContext (failover step 5). */
static void initialize_context(struct kc_controller *c)
{
	const int32_t *ids;
	const uint32_t *topics;
	uint32_t n;
	c->st.list_brokers(c->st.self, &ids, &n);
	/* the store's array lives only until its next call, and reading each broker is one */
	struct kc_vec children;
	kc_vec_init(&children, sizeof(int32_t));
	for (uint32_t i = 0; i < n; i++)
		*(int32_t *)kc_vec_push(&children) = ids[i];
	read_live_brokers(c, children.data, children.len);
	kc_vec_free(&children);
	for (uint32_t t = 0; t < c->n_topics; t++)
		c->topics[t].exists = false;
	for (uint32_t i = 0; i < c->n_parts; i++) {
		kc_set_known(c, &c->parts[i], false);
		c->parts[i].has_lead = false;
	}
	for (int32_t b = 0; b <= KC_MAX_BROKER_ID; b += 64)
		c->shutting[b >> 6] = 0;
	c->st.list_topics(c->st.self, &topics, &n);
	struct kc_vec all;
	kc_vec_init(&all, sizeof(uint32_t));
	for (uint32_t i = 0; i < n; i++) {
		kc_topic(c, topics[i])->exists = true;
		*(uint32_t *)kc_vec_push(&all) = topics[i];
	}
	kc_load_topics(c, all.data, all.len, NULL);
	kc_vec_free(&all);
	/* updateLeaderAndIsrCache: every state znode, cached with the epoch that wrote it */
	kc_all_partitions(c, &c->tmp_pids);
	c->st.bulk_begin(c->st.self);
	for (uint32_t i = 0; i < c->tmp_pids.len; i++) {
		uint32_t pid = pids_of(&c->tmp_pids)[i];
		struct kc_lisr v;
		if (c->st.read_state(c->st.self, pid, &v) == KC_ZK_OK)
			kc_cache_lead(c, pid, &v, v.controller_epoch);
	}
	c->st.bulk_end(c->st.self);
	/* startChannelManager */
	uint32_t n_reg;
	const int32_t *reg = kc_registered_list(c, &n_reg);
	for (uint32_t i = 0; i < n_reg; i++)
		set_channel(c, reg[i], true);
	c->active = true;
	kc_initialize_reassignment_and_preferred(c);
	kc_deletion_init(c);
}

/* readControllerEpochFromZookeeper + incrementControllerEpoch. False: ControllerMoved. */
static bool increment_epoch(struct kc_controller *c)
{
	int32_t epoch, version;
	if (c->st.read_controller_epoch(c->st.self, &epoch, &version) == KC_ZK_OK) {
		c->epoch = epoch;
		c->epoch_zk_version = version;
	}
	int32_t new_version;
	switch (c->st.set_controller_epoch(c->st.self, c->epoch + 1, c->epoch_zk_version, &new_version)) {
	case KC_ZK_OK:
		c->epoch++;
		c->epoch_zk_version = new_version;
		return true;
	case KC_ZK_NONODE:
		if (c->st.create_controller_epoch(c->st.self, 1) != KC_ZK_OK)
			return false;
		c->epoch = 1;
		c->epoch_zk_version = 1; /* InitialControllerEpochZkVersion (the real one is 0) */
		return true;
	default:
		/* 0.8.2 quirk: ControllerMovedException thrown inside a catch-all that only logs; the
		 * failover continues with the epoch just read (spec §6.1 step 3). */
		return true;
	}
}

/* The partitions being reassigned and those awaiting a preferred election (either list may be
 * NULL), canonical order: one pass over every partition for both. */
static void list_flagged(struct kc_controller *c, struct kc_vec *reassigning, struct kc_vec *preferred)
{
	if ((!reassigning || c->n_reassigning == 0) && (!preferred || c->n_preferred == 0))
		return; /* none flagged: no walk over every partition */
	kc_all_partitions(c, &c->tmp_pids);
	for (uint32_t i = 0; i < c->tmp_pids.len; i++) {
		uint32_t pid = pids_of(&c->tmp_pids)[i];
		const struct kc_part *p = &c->parts[pid];
		if (reassigning && p->reassigning)
			*(uint32_t *)kc_vec_push(reassigning) = pid;
		if (preferred && p->preferred)
			*(uint32_t *)kc_vec_push(preferred) = pid;
	}
}

bool kc_on_controller_failover(struct kc_controller *c)
{
	kc_event_begin(c);
	if (!increment_epoch(c))
		return false;
	register_listeners(c, true);
	initialize_context(c);
	kc_replica_sm_startup(c);
	kc_partition_sm_startup(c);
	for (uint32_t t = 0; t < c->n_topics; t++)
		if (c->topics[t].exists)
			watch_topic(c, t);
	/* maybeTriggerPartitionReassignment, then maybeTriggerPreferredReplicaElection */
	struct kc_vec todo, pref;
	kc_vec_init(&todo, sizeof(uint32_t));
	kc_vec_init(&pref, sizeof(uint32_t));
	list_flagged(c, &todo, &pref);
	for (uint32_t i = 0; i < todo.len; i++) {
		uint32_t pid = pids_of(&todo)[i];
		int32_t rar[KC_MAX_REPLICAS];
		uint32_t n = c->parts[pid].rar.len;
		memcpy(rar, kc_slice_ptr(c, c->parts[pid].rar), n * sizeof *rar);
		kc_initiate_reassignment(c, pid, rar, n);
	}
	/* a reassignment may change which partitions await a preferred election */
	if (todo.len > 0) {
		pref.len = 0;
		list_flagged(c, NULL, &pref);
	}
	kc_on_preferred_election(c, pref.data, pref.len, false);
	kc_vec_free(&todo);
	kc_vec_free(&pref);
	uint32_t n_reg;
	const int32_t *reg = kc_registered_list(c, &n_reg);
	kc_send_update_metadata(c, reg, n_reg, NULL, 0);
	kc_deletion_start(c);
	return true;
}

void kc_on_controller_resignation(struct kc_controller *c)
{
	kc_event_begin(c);
	c->st.watch(c->st.self, KC_WATCH_REASSIGN, 0, false);
	c->st.watch(c->st.self, KC_WATCH_PREFERRED, 0, false);
	kc_deletion_shutdown(c);
	/* the ISR-change listeners deregistered, then partitionStateMachine.shutdown() and
	 * replicaStateMachine.shutdown(): one pass over the partitions, as the state machines'
	 * part makes no call */
	c->partition_sm_started = c->replica_sm_started = false;
	for (uint32_t pid = 0; pid < c->n_parts; pid++) {
		struct kc_part *p = &c->parts[pid];
		if (p->isr_watched) {
			c->st.watch(c->st.self, KC_WATCH_PARTITION_STATE, pid, false);
			p->isr_watched = false;
		}
		p->pstate = KC_NO_STATE;
		p->rs.len = 0;
	}
	c->st.watch(c->st.self, KC_WATCH_TOPICS, 0, false);
	for (uint32_t t = 0; t < c->n_topics; t++)
		if (c->topics[t].watched) {
			c->st.watch(c->st.self, KC_WATCH_TOPIC, t, false);
			c->topics[t].watched = false;
		}
	if (kc_deletion_enabled(c))
		c->st.watch(c->st.self, KC_WATCH_DELETE_TOPICS, 0, false);
	c->st.watch(c->st.self, KC_WATCH_BROKERS, 0, false);
	if (c->active) {
		uint32_t n_reg;
		const int32_t *reg = kc_registered_list(c, &n_reg);
		for (uint32_t i = 0; i < n_reg; i++)
			set_channel(c, reg[i], false);
	}
	c->active = false;
	c->epoch = c->epoch_zk_version = 0;
}

static void on_new_partition_creation(struct kc_controller *c, const uint32_t *pids, uint32_t n)
{
	struct kc_vec reps;
	kc_vec_init(&reps, sizeof(struct kc_replica));
	kc_partition_changes(c, pids, n, KC_NEW_PARTITION, KC_SEL_NOOP);
	kc_replicas_of_partitions(c, pids, n, NULL, 0, &reps);
	kc_replica_changes(c, reps.data, reps.len, KC_NEW_REPLICA, false);
	kc_partition_changes(c, pids, n, KC_ONLINE_PARTITION, KC_SEL_OFFLINE);
	/* 0.8.2 lists replicasForPartition again here; the list is the same, as neither NewReplica
	 * nor a partition's first leader changes an assignment */
	kc_replica_changes(c, reps.data, reps.len, KC_ONLINE_REPLICA, false);
	kc_vec_free(&reps);
}

/* The partitions being reassigned with a new replica on one of the n brokers, canonical order. */
static void list_reassigned_onto(struct kc_controller *c, const int32_t *brokers, uint32_t n, struct kc_vec *out)
{
	if (c->n_reassigning == 0)
		return; /* none: no walk over every partition */
	kc_all_partitions(c, &c->tmp_pids);
	for (uint32_t i = 0; i < c->tmp_pids.len; i++) {
		const struct kc_part *p = &c->parts[pids_of(&c->tmp_pids)[i]];
		const int32_t *rar = kc_slice_ptr(c, p->rar);
		bool hit = false;
		for (uint32_t k = 0; p->reassigning && k < p->rar.len; k++)
			hit |= kc_list_has(brokers, n, rar[k]);
		if (hit)
			*(uint32_t *)kc_vec_push(out) = pids_of(&c->tmp_pids)[i];
	}
}

static void on_broker_startup(struct kc_controller *c, const int32_t *brokers, uint32_t n)
{
	struct kc_vec reps;
	kc_vec_init(&reps, sizeof(struct kc_replica));
	kc_send_update_metadata(c, brokers, n, NULL, 0);
	replicas_on_brokers(c, brokers, n, &reps);
	kc_replica_changes(c, reps.data, reps.len, KC_ONLINE_REPLICA, false);
	kc_trigger_online_partitions(c);
	struct kc_vec todo;
	kc_vec_init(&todo, sizeof(uint32_t));
	list_reassigned_onto(c, brokers, n, &todo);
	for (uint32_t i = 0; i < todo.len; i++)
		kc_on_partition_reassignment(c, pids_of(&todo)[i]);
	for (uint32_t i = 0; i < reps.len; i++) {
		uint32_t t = c->parts[((struct kc_replica *)reps.data)[i].pid].topic;
		if (kc_topic_queued(c, t))
			kc_deletion_resume(c, &t, 1);
	}
	kc_vec_free(&todo);
	kc_vec_free(&reps);
}

static void on_broker_failure(struct kc_controller *c, const int32_t *dead, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		kc_set_shutting_down(c, dead[i], false);
	struct kc_vec leaderless, reps, active, deleting;
	kc_vec_init(&leaderless, sizeof(uint32_t));
	kc_vec_init(&reps, sizeof(struct kc_replica));
	kc_vec_init(&active, sizeof(struct kc_replica));
	kc_vec_init(&deleting, sizeof(struct kc_replica));
	kc_all_partitions(c, &c->tmp_pids);
	for (uint32_t i = 0; i < c->tmp_pids.len; i++) {
		uint32_t pid = pids_of(&c->tmp_pids)[i];
		const struct kc_part *p = &c->parts[pid];
		if (p->has_lead && kc_list_has(dead, n, p->leader) && !kc_topic_queued(c, p->topic))
			*(uint32_t *)kc_vec_push(&leaderless) = pid;
	}
	kc_partition_changes(c, leaderless.data, leaderless.len, KC_OFFLINE_PARTITION, KC_SEL_NOOP);
	kc_trigger_online_partitions(c);
	replicas_on_brokers(c, dead, n, &reps);
	for (uint32_t i = 0; i < reps.len; i++) {
		const struct kc_replica *r = kc_vec_at(&reps, i);
		bool queued = kc_topic_queued(c, c->parts[r->pid].topic);
		*(struct kc_replica *)kc_vec_push(queued ? &deleting : &active) = *r;
	}
	kc_replica_changes(c, active.data, active.len, KC_OFFLINE_REPLICA, false);
	if (deleting.len > 0)
		kc_deletion_fail_replicas(c, deleting.data, deleting.len);
	kc_vec_free(&leaderless);
	kc_vec_free(&reps);
	kc_vec_free(&active);
	kc_vec_free(&deleting);
}

/* BrokerChangeListener.handleChildChange. */
void kc_on_broker_change(struct kc_controller *c, const int32_t *children, uint32_t n)
{
	kc_event_begin(c);
	if (!c->replica_sm_started)
		return;
	struct kc_vec added, dead;
	kc_vec_init(&added, sizeof(int32_t));
	kc_vec_init(&dead, sizeof(int32_t));
	uint32_t n_reg;
	const int32_t *reg = kc_registered_list(c, &n_reg);
	for (uint32_t i = 0; i < n_reg; i++)
		if (!kc_list_has(children, n, reg[i]))
			*(int32_t *)kc_vec_push(&dead) = reg[i];
	for (uint32_t i = 0; i < n; i++)
		if (!kc_registered(c, children[i]) && !kc_list_has(added.data, added.len, children[i]))
			*(int32_t *)kc_vec_push(&added) = children[i];
	/* new brokers' registrations are read first, then every current one */
	struct kc_vec exists;
	kc_vec_init(&exists, sizeof(bool));
	c->st.bulk_begin(c->st.self);
	for (uint32_t i = 0; i < added.len; i++)
		*(bool *)kc_vec_push(&exists) =
			!c->st.broker_exists || c->st.broker_exists(c->st.self, ((int32_t *)added.data)[i]);
	c->st.bulk_end(c->st.self);
	read_live_brokers(c, children, n);
	for (uint32_t i = 0; i < added.len; i++)
		if (((bool *)exists.data)[i])
			set_channel(c, ((int32_t *)added.data)[i], true);
	for (uint32_t i = 0; i < dead.len; i++)
		set_channel(c, ((int32_t *)dead.data)[i], false);
	kc_vec_free(&exists);
	/* ids ascending (toSeq.sorted) */
	int32_t *a = added.data;
	for (uint32_t i = 1; i < added.len; i++)
		for (uint32_t j = i; j > 0 && a[j - 1] > a[j]; j--) {
			int32_t t = a[j];
			a[j] = a[j - 1];
			a[j - 1] = t;
		}
	if (added.len)
		on_broker_startup(c, added.data, added.len);
	if (dead.len)
		on_broker_failure(c, dead.data, dead.len);
	kc_vec_free(&added);
	kc_vec_free(&dead);
}

/* TopicChangeListener.handleChildChange up to onNewTopicCreation: the topics the children
 * list no longer names leave the context, the new ones (into `added`) are loaded (their
 * partitions into `parts`, canonical order) and watched. The caller frees both after
 * onNewTopicCreation, as the listener did: an earlier free of a large `added` raises glibc's
 * mmap threshold sooner (to a freed mmapped block's size), which cost a million-partition
 * start-up 110 MB of peak memory. */
static void take_topic_list(struct kc_controller *c, const uint32_t *topics, uint32_t n, struct kc_vec *added,
			    struct kc_vec *parts)
{
	for (uint32_t i = 0; i < n; i++) {
		struct kc_topic *t = kc_topic(c, topics[i]);
		if (!t->exists)
			*(uint32_t *)kc_vec_push(added) = topics[i];
		t->listed_stamp = c->event_stamp;
	}
	for (uint32_t t = 0; t < c->n_topics; t++) {
		bool listed = c->topics[t].listed_stamp == c->event_stamp;
		if (c->topics[t].exists && !listed) {
			/* a deleted topic's assignment leaves the cache (its leadership stays) */
			kc_topic_partitions(c, t, &c->tmp_pids2);
			for (uint32_t k = 0; k < c->tmp_pids2.len; k++)
				kc_set_known(c, &c->parts[pids_of(&c->tmp_pids2)[k]], false);
		}
		c->topics[t].exists = listed;
	}
	/* onNewTopicCreation gets the partitions just read from ZooKeeper, not whatever the cache
	 * still holds for the name (KAFKA-1742 leaves such entries behind) */
	kc_load_topics(c, added->data, added->len, parts);
	for (uint32_t i = 0; i < added->len; i++)
		watch_topic(c, pids_of(added)[i]);
}

/* TopicChangeListener.handleChildChange → onNewTopicCreation. */
void kc_on_topic_change(struct kc_controller *c, const uint32_t *topics, uint32_t n)
{
	kc_event_begin(c);
	if (!c->partition_sm_started)
		return;
	struct kc_vec added, parts;
	kc_vec_init(&added, sizeof(uint32_t));
	kc_vec_init(&parts, sizeof(uint32_t));
	take_topic_list(c, topics, n, &added, &parts);
	if (added.len)
		on_new_partition_creation(c, parts.data, parts.len);
	kc_vec_free(&added);
	kc_vec_free(&parts);
}

/* onNewPartitionCreation's four passes end with every partition NewPartition or Online and
 * every replica OnlineReplica; of them only the Online pass writes the store and sends
 * requests. The other three are set here directly: NewPartition's assignReplicasToPartitions
 * reads the assignment kc_load_topics has just cached, and NewReplica's reads find no state
 * znode, so that it adds no request. */
void kc_initial_topics_created(struct kc_controller *c, const uint32_t *topics, uint32_t n)
{
	kc_event_begin(c);
	if (!c->partition_sm_started)
		return;
	struct kc_vec added, parts, reps;
	kc_vec_init(&added, sizeof(uint32_t));
	kc_vec_init(&parts, sizeof(uint32_t));
	kc_vec_init(&reps, sizeof(struct kc_replica));
	take_topic_list(c, topics, n, &added, &parts);
	if (added.len) {
		const uint32_t *pids = pids_of(&parts);
		for (uint32_t i = 0; i < parts.len; i++)
			kc_part(c, pids[i])->pstate = KC_NEW_PARTITION;
		/* the replica states in the order the NewReplica pass adds them */
		kc_replicas_of_partitions(c, pids, parts.len, NULL, 0, &reps);
		for (uint32_t i = 0; i < reps.len; i++) {
			const struct kc_replica *r = kc_vec_at(&reps, i);
			kc_rstate_put(c, r->pid, r->broker, KC_ONLINE_REPLICA);
		}
		kc_partition_changes(c, pids, parts.len, KC_ONLINE_PARTITION, KC_SEL_OFFLINE);
	}
	kc_vec_free(&added);
	kc_vec_free(&parts);
	kc_vec_free(&reps);
}

/* AddPartitionsListener.handleDataChange: partitions the cache does not know yet. */
void kc_on_topic_data_change(struct kc_controller *c, uint32_t topic)
{
	kc_event_begin(c);
	if (!c->active)
		return;
	const struct kc_assigned *parts;
	uint32_t n;
	if (c->st.read_topic(c->st.self, topic, &parts, &n) != KC_ZK_OK)
		return;
	struct kc_vec added;
	kc_vec_init(&added, sizeof(uint32_t));
	for (uint32_t i = 0; i < n; i++) {
		uint32_t pid = parts[i].pid;
		if (pid < c->n_parts && c->parts[pid].known)
			continue;
		kc_note_partition(c, topic, parts[i].partition, pid);
		*(uint32_t *)kc_vec_push(&added) = pid;
	}
	/* 0.8.2 logs "Skipping adding partitions" for a topic being deleted */
	if (added.len && !kc_topic_queued(c, topic))
		on_new_partition_creation(c, added.data, added.len);
	kc_vec_free(&added);
}

/* DeleteTopicsListener.handleChildChange. */
void kc_on_delete_topics_change(struct kc_controller *c, const uint32_t *topics, uint32_t n)
{
	kc_event_begin(c);
	if (!c->active)
		return;
	struct kc_vec queue;
	kc_vec_init(&queue, sizeof(uint32_t));
	for (uint32_t i = 0; i < n; i++) {
		if (!kc_topic(c, topics[i])->exists) {
			c->st.delete_admin_delete_topic(c->st.self, topics[i]);
			continue;
		}
		*(uint32_t *)kc_vec_push(&queue) = topics[i];
	}
	for (uint32_t i = 0; i < queue.len; i++) {
		uint32_t t = pids_of(&queue)[i];
		kc_topic_partitions(c, t, &c->tmp_pids2);
		bool busy = false;
		for (uint32_t k = 0; k < c->tmp_pids2.len; k++) {
			const struct kc_part *p = &c->parts[pids_of(&c->tmp_pids2)[k]];
			busy |= p->preferred || p->reassigning;
		}
		/* marked before enqueueing (KAFKA-1558's fix), so a topic not yet queued is unaffected;
		 * the injected pre-fix order enqueues first */
		if (busy && !(c->cfg.inject & KC_INJECT_KAFKA_1558))
			kc_deletion_mark_ineligible(c, &t, 1);
	}
	if (queue.len)
		kc_deletion_enqueue(c, queue.data, queue.len);
	for (uint32_t i = 0; i < queue.len && (c->cfg.inject & KC_INJECT_KAFKA_1558); i++) {
		uint32_t t = pids_of(&queue)[i];
		kc_topic_partitions(c, t, &c->tmp_pids2);
		for (uint32_t k = 0; k < c->tmp_pids2.len; k++) {
			const struct kc_part *p = &c->parts[pids_of(&c->tmp_pids2)[k]];
			if (p->preferred || p->reassigning) {
				kc_deletion_mark_ineligible(c, &t, 1);
				break;
			}
		}
	}
	kc_vec_free(&queue);
}

/* KafkaController.shutdownBroker: leaders first (one election batch), then followers. */
enum kc_shutdown_rc kc_on_controlled_shutdown(struct kc_controller *c, int32_t broker, uint32_t *remaining)
{
	kc_event_begin(c);
	*remaining = 0;
	if (!c->active)
		return KC_SHUTDOWN_NOT_CONTROLLER;
	if (!kc_registered(c, broker))
		return KC_SHUTDOWN_BROKER_NOT_AVAILABLE;
	kc_set_shutting_down(c, broker, true);
	struct kc_vec led, followed;
	kc_vec_init(&led, sizeof(uint32_t));
	kc_vec_init(&followed, sizeof(struct kc_replica));
	kc_all_partitions(c, &c->tmp_pids);
	for (uint32_t i = 0; i < c->tmp_pids.len; i++) {
		uint32_t pid = pids_of(&c->tmp_pids)[i];
		const struct kc_part *p = &c->parts[pid];
		if (!p->has_lead || p->ar.len <= 1 || !kc_list_has(kc_slice_ptr(c, p->ar), p->ar.len, broker))
			continue;
		if (p->leader == broker) {
			*(uint32_t *)kc_vec_push(&led) = pid;
		} else {
			struct kc_replica *r = kc_vec_push(&followed);
			r->pid = pid;
			r->broker = broker;
		}
	}
	kc_partition_changes(c, led.data, led.len, KC_ONLINE_PARTITION, KC_SEL_CONTROLLED_SHUTDOWN);
	if (followed.len && kc_batch_new(c, &c->controller_batch)) {
		for (uint32_t i = 0; i < followed.len; i++)
			kc_batch_add_stop(c, &c->controller_batch, broker,
					  ((struct kc_replica *)followed.data)[i].pid, false, false);
		kc_batch_flush(c, &c->controller_batch);
	}
	kc_replica_changes(c, followed.data, followed.len, KC_OFFLINE_REPLICA, false);
	kc_all_partitions(c, &c->tmp_pids);
	for (uint32_t i = 0; i < c->tmp_pids.len; i++) {
		const struct kc_part *p = &c->parts[pids_of(&c->tmp_pids)[i]];
		if (p->has_lead && p->leader == broker && p->ar.len > 1)
			(*remaining)++;
	}
	kc_vec_free(&led);
	kc_vec_free(&followed);
	return KC_SHUTDOWN_OK;
}

void kc_load_initial(struct kc_controller *c)
{
	kc_event_begin(c);
	int32_t epoch, version;
	if (c->st.read_controller_epoch(c->st.self, &epoch, &version) == KC_ZK_OK) {
		c->epoch = epoch;
		c->epoch_zk_version = version;
	}
	register_listeners(c, true);
	initialize_context(c);
	c->replica_sm_started = c->partition_sm_started = true;
	for (uint32_t t = 0; t < c->n_topics; t++)
		if (c->topics[t].exists)
			watch_topic(c, t);
	kc_deletion_start(c);
}

void kc_initial_set_partition_state(struct kc_controller *c, uint32_t pid, enum kc_partition_state s)
{
	kc_part(c, pid)->pstate = (uint8_t)s;
}

void kc_initial_set_replica_state(struct kc_controller *c, uint32_t pid, int32_t broker, int s)
{
	kc_rstate_put(c, pid, broker, (uint8_t)s);
}

void kc_replica_transition(struct kc_controller *c, uint32_t pid, const int32_t *brokers, uint32_t n,
			   enum kc_replica_state target)
{
	kc_event_begin(c);
	struct kc_vec reps;
	kc_vec_init(&reps, sizeof(struct kc_replica));
	kc_part(c, pid);
	for (uint32_t i = 0; i < n; i++) {
		struct kc_replica *r = kc_vec_push(&reps);
		r->pid = pid;
		r->broker = brokers[i];
	}
	kc_replica_changes(c, reps.data, reps.len, target, false);
	kc_vec_free(&reps);
}

void kc_partition_transition(struct kc_controller *c, const uint32_t *pids, uint32_t n,
			     enum kc_partition_state target, enum kc_selector sel)
{
	kc_event_begin(c);
	for (uint32_t i = 0; i < n; i++)
		kc_part(c, pids[i]);
	kc_partition_changes(c, pids, n, target, sel);
}
