/* sim_zk.c — the simulated ZooKeeper's znodes, sessions and watches (architecture S6). Costs
 * and the controller's kc_store view live in sim_zk_store.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_alloc.h"
#include "sim_zk.h"

void sim_zk_init(struct sim_zk *zk, const struct sim_scenario *sc, struct sim_lists *lists,
		 const uint32_t *first_pid, uint32_t n_parts, sim_zk_fire_fn fire, void *fire_ctx)
{
	memset(zk, 0, sizeof *zk);
	zk->lists = lists;
	zk->next_session = 1;
	zk->controller = -1;
	zk->n_brokers = sc->n_brokers;
	int32_t *ids = sim_xcalloc(sc->n_brokers, sizeof *ids);
	for (uint32_t i = 0; i < sc->n_brokers; i++)
		ids[i] = sc->brokers[i].id;
	zk->broker_ids = ids;
	zk->registered = sim_xcalloc(sc->n_brokers, sizeof(bool));
	zk->reg_session = sim_xcalloc(sc->n_brokers, sizeof(uint64_t));
	zk->reg_czxid = sim_xcalloc(sc->n_brokers, sizeof(uint64_t));
	zk->session = sim_xcalloc(sc->n_brokers, sizeof(uint64_t));
	zk->controller_subs = sim_xcalloc(sc->n_brokers, sizeof(struct sim_zk_sub));
	for (uint32_t i = 0; i < sc->n_brokers; i++)
		zk->controller_subs[i].watcher = -1;
	zk->n_topics = sc->n_topics;
	/* topics, states and their watches: not zeroed, each element is written whole below (one
	 * pass over the memory, not a clearing pass and then one for the field that is not 0) */
	zk->topics = sim_xrealloc(NULL, sc->n_topics * sizeof *zk->topics);
	zk->topic_subs = sim_xrealloc(NULL, sc->n_topics * sizeof *zk->topic_subs);
	zk->topic_written = sim_xcalloc(sc->n_topics, sizeof(uint32_t));
	zk->delete_queued = sim_xcalloc(sc->n_topics, sizeof(bool));
	for (uint32_t t = 0; t < sc->n_topics; t++) {
		zk->topics[t] = (struct sim_zk_topic){.unclean = -1};
		zk->topic_subs[t] = (struct sim_zk_sub){.watcher = -1};
	}
	zk->first_pid = first_pid;
	zk->n_parts = n_parts;
	zk->states = sim_xrealloc(NULL, n_parts * sizeof *zk->states);
	zk->state_subs = sim_xrealloc(NULL, n_parts * sizeof *zk->state_subs);
	zk->state_written = sim_xcalloc(n_parts, sizeof(uint32_t));
	for (uint32_t i = 0; i < n_parts; i++) {
		zk->states[i] = (struct sim_zk_state){.leader = KC_NO_LEADER};
		zk->state_subs[i] = (struct sim_zk_sub){.watcher = -1};
	}
	for (int k = 0; k < 5; k++)
		for (int j = 0; j < 4; j++)
			zk->global[k][j].watcher = -1;
	zk->fire = fire;
	zk->fire_ctx = fire_ctx;
	zk->scratch_ids = sim_xcalloc(sc->n_brokers, sizeof(int32_t));
	zk->scratch_topics = sim_xcalloc(sc->n_topics, sizeof(uint32_t));
}

void sim_zk_free(struct sim_zk *zk)
{
	for (uint32_t t = 0; t < zk->n_topics; t++)
		free(zk->topics[t].view);
	free((void *)zk->broker_ids);
	free(zk->registered);
	free(zk->reg_session);
	free(zk->reg_czxid);
	free(zk->session);
	free(zk->controller_subs);
	free(zk->topics);
	free(zk->topic_subs);
	free(zk->topic_written);
	free(zk->delete_queued);
	free(zk->states);
	free(zk->state_subs);
	free(zk->state_written);
	free(zk->reassign);
	free(zk->preferred);
	free(zk->scratch_ids);
	free(zk->scratch_topics);
	free(zk->scratch_admin);
	free(zk->scratch_ints);
	memset(zk, 0, sizeof *zk);
}

uint32_t sim_zk_pid(const struct sim_zk *zk, uint32_t topic, uint32_t number)
{
	return zk->first_pid[topic] + number;
}

/* ---- watches ---- */
static struct sim_zk_sub *sub_slot(struct sim_zk *zk, int kind, uint32_t id, int32_t watcher, bool create)
{
	switch (kind) {
	case KC_WATCH_TOPIC:
		return &zk->topic_subs[id];
	case KC_WATCH_PARTITION_STATE:
		return &zk->state_subs[id];
	case SIM_WATCH_CONTROLLER:
		return &zk->controller_subs[watcher];
	default: {
		struct sim_zk_sub *s = zk->global[kind];
		for (int j = 0; j < 4; j++)
			if (s[j].watcher == watcher)
				return &s[j];
		for (int j = 0; create && j < 4; j++)
			if (s[j].watcher < 0)
				return &s[j];
		return NULL;
	}
	}
}

void sim_zk_subscribe(struct sim_zk *zk, int kind, uint32_t id, int32_t watcher, bool on)
{
	struct sim_zk_sub *s = sub_slot(zk, kind, id, watcher, on);
	if (!s)
		return;
	if (on) {
		s->watcher = watcher;
		s->armed = true;
	} else if (s->watcher == watcher) {
		s->watcher = -1;
		s->armed = false;
	}
}

bool sim_zk_rearm(struct sim_zk *zk, int kind, uint32_t id, int32_t watcher)
{
	struct sim_zk_sub *s = sub_slot(zk, kind, id, watcher, false);
	if (!s || s->watcher != watcher)
		return false;
	s->armed = true;
	return true;
}

static void fire_sub(struct sim_zk *zk, struct sim_zk_sub *s, int kind, uint32_t id)
{
	if (s->watcher >= 0 && s->armed && zk->session[s->watcher]) {
		s->armed = false;
		zk->fire(zk->fire_ctx, kind, id, s->watcher);
	}
}

static void fire(struct sim_zk *zk, int kind, uint32_t id)
{
	if (kind == SIM_WATCH_CONTROLLER) {
		for (uint32_t b = 0; b < zk->n_brokers; b++)
			fire_sub(zk, &zk->controller_subs[b], kind, 0);
	} else if (kind == KC_WATCH_TOPIC) {
		fire_sub(zk, &zk->topic_subs[id], kind, id);
	} else if (kind == KC_WATCH_PARTITION_STATE) {
		fire_sub(zk, &zk->state_subs[id], kind, id);
	} else {
		/* watchers in ascending broker index (architecture S2); none armed is the common case
		 * (a watch fires once, then waits to be read again: the topics a start-up creates) */
		struct sim_zk_sub *s = zk->global[kind];
		if (!(s[0].armed || s[1].armed || s[2].armed || s[3].armed))
			return;
		int order[4] = {0, 1, 2, 3};
		for (int i = 1; i < 4; i++)
			for (int j = i; j > 0 && (uint32_t)s[order[j - 1]].watcher > (uint32_t)s[order[j]].watcher; j--) {
				int t = order[j];
				order[j] = order[j - 1];
				order[j - 1] = t;
			}
		for (int j = 0; j < 4; j++)
			fire_sub(zk, &s[order[j]], kind, 0);
	}
}

/* what: 0 state, 1 topic, 2 broker, 3 controller, 4 epoch, 5 admin (enum sim_zk_change) */
static void observe(struct sim_zk *zk, int what, uint32_t id)
{
	if (zk->observe)
		zk->observe(zk->fire_ctx, what, id);
}

/* ---- sessions ---- */
uint64_t sim_zk_new_session(struct sim_zk *zk, uint32_t broker)
{
	zk->session[broker] = zk->next_session++;
	return zk->session[broker];
}

static void drop_ephemerals(struct sim_zk *zk, uint64_t session, bool *broker_gone, bool *ctrl_gone)
{
	for (uint32_t b = 0; b < zk->n_brokers; b++)
		if (zk->registered[b] && zk->reg_session[b] == session) {
			zk->registered[b] = false;
			observe(zk, 2, b);
			*broker_gone = true;
		}
	if (zk->controller >= 0 && zk->controller_session == session) {
		zk->controller = -1;
		observe(zk, 3, 0);
		*ctrl_gone = true;
	}
}

static void end_session(struct sim_zk *zk, uint32_t broker, uint64_t s)
{
	if (!s)
		return;
	if (zk->session[broker] == s)
		zk->session[broker] = 0;
	bool broker_gone = false, ctrl_gone = false;
	drop_ephemerals(zk, s, &broker_gone, &ctrl_gone);
	zk->zxid++;
	if (broker_gone)
		fire(zk, KC_WATCH_BROKERS, 0);
	if (ctrl_gone)
		fire(zk, SIM_WATCH_CONTROLLER, 0);
}

void sim_zk_expire(struct sim_zk *zk, uint32_t broker) { end_session(zk, broker, zk->session[broker]); }
void sim_zk_expire_session(struct sim_zk *zk, uint32_t broker, uint64_t session)
{
	end_session(zk, broker, session);
}
void sim_zk_close_session(struct sim_zk *zk, uint32_t broker) { end_session(zk, broker, zk->session[broker]); }

bool sim_zk_register_broker(struct sim_zk *zk, uint32_t broker)
{
	zk->total_writes++;
	if (zk->registered[broker])
		return false;
	zk->registered[broker] = true;
	zk->reg_session[broker] = zk->session[broker];
	zk->reg_czxid[broker] = ++zk->zxid;
	observe(zk, 2, broker);
	fire(zk, KC_WATCH_BROKERS, 0);
	return true;
}

bool sim_zk_create_controller(struct sim_zk *zk, uint32_t broker)
{
	zk->total_writes++;
	if (zk->controller >= 0)
		return false;
	zk->controller = (int32_t)broker;
	zk->controller_session = zk->session[broker];
	zk->zxid++;
	observe(zk, 3, 0);
	fire(zk, SIM_WATCH_CONTROLLER, 0);
	return true;
}

void sim_zk_delete_controller(struct sim_zk *zk, uint32_t broker)
{
	if (zk->controller != (int32_t)broker)
		return;
	zk->total_writes++;
	zk->controller = -1;
	zk->zxid++;
	observe(zk, 3, 0);
	fire(zk, SIM_WATCH_CONTROLLER, 0);
}

/* ---- topics ---- */
/* The topic's partition map: partition p has lens[p] replicas (lens NULL: rf each), in order
 * in reps. */
static void set_topic(struct sim_zk *zk, uint32_t topic, uint32_t n, const uint32_t *lens, uint32_t rf,
		      const int32_t *reps, uint32_t total_reps)
{
	struct sim_zk_topic *t = &zk->topics[topic];
	free(t->view);
	/* not zeroed: each entry and replica is written below */
	t->view = sim_xrealloc(NULL, n * sizeof *t->view + total_reps * sizeof *reps);
	int32_t *copy = (int32_t *)(t->view + n);
	if (total_reps)
		memcpy(copy, reps, total_reps * sizeof *reps);
	uint32_t off = 0;
	for (uint32_t p = 0; p < n; p++) {
		uint32_t len = lens ? lens[p] : rf;
		t->view[p] = (struct kc_assigned){
			.partition = p, .pid = sim_zk_pid(zk, topic, p), .n_replicas = len, .replicas = copy + off};
		off += len;
	}
	t->n = n;
}

void sim_zk_create_topic(struct sim_zk *zk, uint32_t topic, uint32_t n, const int32_t *reps, uint32_t rf,
			 int8_t unclean)
{
	struct sim_zk_topic *t = &zk->topics[topic];
	set_topic(zk, topic, n, NULL, rf, reps, n * rf);
	t->exists = true;
	t->version = 0;
	t->czxid = ++zk->zxid;
	t->unclean = unclean;
	zk->total_writes++;
	observe(zk, 1, topic);
	fire(zk, KC_WATCH_TOPICS, 0);
}

void sim_zk_add_partitions(struct sim_zk *zk, uint32_t topic, uint32_t total, const int32_t *reps, uint32_t rf)
{
	struct sim_zk_topic *t = &zk->topics[topic];
	uint32_t old = t->n, n_old_reps = 0;
	for (uint32_t p = 0; p < old; p++)
		n_old_reps += t->view[p].n_replicas;
	uint32_t *lens = sim_xcalloc(total, sizeof *lens);
	int32_t *all = sim_xcalloc(n_old_reps + (total - old) * rf, sizeof *all);
	for (uint32_t p = 0; p < old; p++)
		lens[p] = t->view[p].n_replicas;
	if (old)
		memcpy(all, t->view[0].replicas, n_old_reps * sizeof *all);
	memcpy(all + n_old_reps, reps, (total - old) * rf * sizeof *all);
	for (uint32_t p = old; p < total; p++)
		lens[p] = rf;
	set_topic(zk, topic, total, lens, 0, all, n_old_reps + (total - old) * rf);
	free(lens);
	free(all);
	t->version++;
	zk->zxid++;
	zk->total_writes++;
	observe(zk, 1, topic);
	fire(zk, KC_WATCH_TOPIC, topic);
}

/* The controller rewrites a topic's whole map (reassignment). */
void sim_zk_write_topic(struct sim_zk *zk, uint32_t topic, const struct kc_assigned *parts, uint32_t n)
{
	uint32_t total = 0, max_p = 0;
	for (uint32_t i = 0; i < n; i++) {
		total += parts[i].n_replicas;
		if (parts[i].partition + 1 > max_p)
			max_p = parts[i].partition + 1;
	}
	uint32_t *lens = sim_xcalloc(max_p, sizeof *lens);
	int32_t *all = sim_xcalloc(total, sizeof *all);
	uint32_t off = 0;
	/* parts arrive by partition number */
	for (uint32_t i = 0; i < n; i++) {
		lens[parts[i].partition] = parts[i].n_replicas;
		memcpy(all + off, parts[i].replicas, parts[i].n_replicas * sizeof *all);
		off += parts[i].n_replicas;
	}
	set_topic(zk, topic, max_p, lens, 0, all, total);
	free(lens);
	free(all);
	zk->topics[topic].version++;
	zk->zxid++;
	observe(zk, 1, topic);
	fire(zk, KC_WATCH_TOPIC, topic);
}

/* completeDeleteTopic's recursive delete: topic znode, its state znodes, config, admin entry. */
void sim_zk_delete_topic(struct sim_zk *zk, uint32_t topic)
{
	struct sim_zk_topic *t = &zk->topics[topic];
	for (uint32_t p = 0; p < t->n; p++) {
		struct sim_zk_state *s = &zk->states[sim_zk_pid(zk, topic, p)];
		if (s->exists) {
			s->exists = false;
			s->leader = KC_NO_LEADER;
			observe(zk, 0, sim_zk_pid(zk, topic, p));
		}
	}
	t->exists = false;
	t->unclean = -1;
	t->n = 0;
	zk->zxid++;
	observe(zk, 1, topic);
	fire(zk, KC_WATCH_TOPICS, 0);
	if (zk->delete_queued[topic]) {
		zk->delete_queued[topic] = false;
		observe(zk, 5, 0);
		fire(zk, KC_WATCH_DELETE_TOPICS, 0);
	}
}

void sim_zk_delete_admin_delete(struct sim_zk *zk, uint32_t topic)
{
	if (!zk->delete_queued[topic])
		return;
	zk->delete_queued[topic] = false;
	zk->zxid++;
	observe(zk, 5, 0);
	fire(zk, KC_WATCH_DELETE_TOPICS, 0);
}

bool sim_zk_queue_delete(struct sim_zk *zk, uint32_t topic)
{
	zk->total_writes++;
	if (zk->delete_queued[topic])
		return false;
	zk->delete_queued[topic] = true;
	zk->zxid++;
	observe(zk, 5, 0);
	fire(zk, KC_WATCH_DELETE_TOPICS, 0);
	return true;
}

static bool write_admin(struct sim_zk *zk, bool *exists, struct sim_zk_admin_entry **dst, uint32_t *n,
			uint32_t *cap, const struct sim_zk_admin_entry *e, uint32_t count, int kind, bool tool)
{
	/* the admin tools refuse while a previous request is pending */
	if (tool) {
		zk->total_writes++;
		if (*exists)
			return false;
	}
	uint32_t which = kind == KC_WATCH_REASSIGN ? 1 : 2;
	if (count == 0) {
		*exists = false;
		*n = 0;
		zk->zxid++;
		observe(zk, 5, which);
		return true;
	}
	if (count > *cap) {
		free(*dst);
		*dst = sim_xcalloc(count, sizeof **dst);
		*cap = count;
	}
	memmove(*dst, e, count * sizeof *e);
	*n = count;
	*exists = true;
	zk->zxid++;
	observe(zk, 5, which);
	fire(zk, kind, 0);
	return true;
}

bool sim_zk_write_reassign(struct sim_zk *zk, const struct sim_zk_admin_entry *e, uint32_t n)
{
	return write_admin(zk, &zk->reassign_exists, &zk->reassign, &zk->n_reassign, &zk->cap_reassign, e, n,
			   KC_WATCH_REASSIGN, true);
}

bool sim_zk_write_preferred(struct sim_zk *zk, const struct sim_zk_admin_entry *e, uint32_t n)
{
	return write_admin(zk, &zk->preferred_exists, &zk->preferred, &zk->n_preferred, &zk->cap_preferred, e, n,
			   KC_WATCH_PREFERRED, true);
}

/* The controller's own rewrites (no refusal; zero entries deletes). */
void sim_zk_controller_write_reassign(struct sim_zk *zk, const struct sim_zk_admin_entry *e, uint32_t n)
{
	write_admin(zk, &zk->reassign_exists, &zk->reassign, &zk->n_reassign, &zk->cap_reassign, e, n,
		    KC_WATCH_REASSIGN, false);
}

void sim_zk_controller_delete_preferred(struct sim_zk *zk)
{
	write_admin(zk, &zk->preferred_exists, &zk->preferred, &zk->n_preferred, &zk->cap_preferred, NULL, 0,
		    KC_WATCH_PREFERRED, false);
}

/* ---- partition state znodes ---- */
static void write_state(struct sim_zk *zk, uint32_t pid, int32_t leader, int32_t epoch, int32_t ctrl_epoch,
			uint32_t isr, bool create)
{
	struct sim_zk_state *s = &zk->states[pid];
	if (create) {
		s->exists = true;
		s->version = 0;
		s->czxid = ++zk->zxid;
	} else {
		s->version++;
		zk->zxid++;
	}
	s->leader = leader;
	s->leader_epoch = epoch;
	s->ctrl_epoch = ctrl_epoch;
	s->isr = isr;
	observe(zk, 0, pid);
	fire(zk, KC_WATCH_PARTITION_STATE, pid);
}

void sim_zk_set_state(struct sim_zk *zk, uint32_t pid, int32_t leader, int32_t epoch, int32_t ctrl_epoch,
		      uint32_t isr)
{
	write_state(zk, pid, leader, epoch, ctrl_epoch, isr, true);
}

void sim_zk_set_controller_epoch(struct sim_zk *zk, int32_t epoch)
{
	zk->epoch_exists = true;
	zk->epoch = epoch;
	zk->epoch_version = 0;
	observe(zk, 4, 0);
}

enum kc_zk_rc sim_zk_create_state(struct sim_zk *zk, uint32_t pid, int32_t leader, int32_t epoch,
				  int32_t ctrl_epoch, uint32_t isr)
{
	if (zk->states[pid].exists)
		return KC_ZK_NODEEXISTS;
	write_state(zk, pid, leader, epoch, ctrl_epoch, isr, true);
	return KC_ZK_OK;
}

enum kc_zk_rc sim_zk_update_isr(struct sim_zk *zk, uint32_t pid, int32_t leader, int32_t epoch,
				int32_t ctrl_epoch, uint32_t isr, int32_t expected, int32_t *new_version)
{
	zk->total_writes++;
	return sim_zk_update_state(zk, pid, leader, epoch, ctrl_epoch, isr, expected, new_version);
}

enum kc_zk_rc sim_zk_update_state(struct sim_zk *zk, uint32_t pid, int32_t leader, int32_t epoch,
				  int32_t ctrl_epoch, uint32_t isr, int32_t expected, int32_t *new_version)
{
	struct sim_zk_state *s = &zk->states[pid];
	if (!s->exists)
		return KC_ZK_NONODE;
	if (s->version != expected && !zk->skip_version_check)
		return KC_ZK_BADVERSION;
	write_state(zk, pid, leader, epoch, ctrl_epoch, isr, false);
	*new_version = s->version;
	return KC_ZK_OK;
}
