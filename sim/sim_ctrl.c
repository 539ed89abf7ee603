/* sim_ctrl.c — hosting the controller core in a simulated broker: one kc_controller per broker
 * that ever won an election, its event queue (architecture S3, S5: one event at a time, FIFO,
 * charged by its ZooKeeper calls, touched partitions and request entries), the core's sink
 * (requests become payloads on channels; records go to the observers), and resignation. */
#include <stdlib.h>
#include <string.h>

#include "sim_observe.h"
#include "sim_world.h"

/* The controller module of broker b, made on first use. */
struct kc_controller *sim_ctrl_module(struct sim_world *w, uint32_t b)
{
	struct sim_bk *k = &w->bk[b];
	if (!k->kc) {
		const struct sim_config *cfg = w->cfg;
		struct kc_config kc = {.profile = KC_PROFILE_0_8_2,
				       .broker_id = k->id,
				       .delete_topic_enable = cfg->delete_topic_enable,
				       .unclean_leader_election = cfg->unclean_leader_election,
				       .auto_leader_rebalance = cfg->auto_leader_rebalance,
				       .leader_imbalance_per_broker_percentage = cfg->leader_imbalance_per_broker_percentage,
				       .inject = w->inject};
		k->kc = kc_controller_new(&kc, &w->store, &w->sink);
		if (!k->kc) {
			fprintf(stderr, "kcsim: out of memory\n");
			exit(3);
		}
	}
	return k->kc;
}

/* Cost of the running event so far: ZooKeeper, touched partitions, request entries. */
static uint64_t cost_so_far(const struct sim_world *w, uint32_t b)
{
	if (w->startup_phase)
		return 0;
	return sim_zk_cost_now(&w->zk) + w->cfg->controller_op_cost_us * kc_touched_partitions(w->bk[b].kc) +
	       w->event_entry_cost_us;
}

static uint32_t new_payload(struct sim_world *w, const struct kc_request *r)
{
	if (w->n_payloads == w->cap_payloads) {
		w->cap_payloads = w->cap_payloads ? w->cap_payloads * 2 : 256;
		w->payloads = sim_xrealloc(w->payloads, (size_t)w->cap_payloads * sizeof *w->payloads);
	}
	struct sim_payload *p = &w->payloads[w->n_payloads];
	memset(p, 0, sizeof *p);
	p->type = (uint8_t)r->type;
	p->controller_id = r->controller_id;
	p->controller_epoch = r->controller_epoch;
	p->n_entries = r->n_entries;
	p->unfinished = 1; /* the sink's own hold while it enqueues the messages */
	p->entries = r->n_entries ? sim_xrealloc(NULL, (size_t)r->n_entries * sizeof *p->entries) : NULL;
	p->leaders = sim_lists_intern(&w->lists, r->leaders, r->n_leaders);
	p->live = sim_lists_intern(&w->lists, r->live, r->n_live);
	p->stop_pid = r->stop_pid;
	p->stop_delete = r->stop_delete;
	p->stop_response = r->stop_wants_response;
	if (r->type == KC_REQ_UPDATE_METADATA && w->n_meta + r->n_entries > w->cap_meta) {
		while (w->n_meta + r->n_entries > w->cap_meta)
			w->cap_meta *= 2;
		w->meta = sim_xrealloc(w->meta, (size_t)w->cap_meta * sizeof *w->meta);
	}
	p->meta_first = (uint32_t)w->n_meta;
	if (!w->entry_ar)
		w->entry_ar = calloc(w->n_parts ? w->n_parts : 1, sizeof *w->entry_ar);
	if (!w->entry_ar) {
		fprintf(stderr, "kcsim: out of memory\n");
		exit(3);
	}
	for (uint32_t i = 0; i < r->n_entries; i++) {
		/* the hints are read in pid order, which a large batch scatters over the table: ask
		 * for one well ahead and the misses overlap (nothing observable changes) */
		if (i + SIM_REP_PREFETCH_AHEAD < r->n_entries)
			__builtin_prefetch(&w->entry_ar[r->entries[i + SIM_REP_PREFETCH_AHEAD].pid], 1);
		const struct kc_partition_info *in = &r->entries[i];
		struct sim_entry *e = &p->entries[i];
		e->pid = in->pid;
		e->leader = in->leader;
		e->leader_epoch = in->leader_epoch;
		e->ctrl_epoch = in->controller_epoch;
		e->zk_version = in->zk_version;
		e->ar = sim_lists_intern_hint(&w->lists, in->ar, in->ar_len, &w->entry_ar[in->pid]);
		/* a full ISR is usually the AR in the same order: the same list, interned once */
		bool same = in->isr_len == in->ar_len;
		for (uint32_t k = 0; same && k < in->isr_len; k++)
			same = in->isr[k] == in->ar[k];
		e->isr = same ? e->ar : sim_lists_intern(&w->lists, in->isr, in->isr_len);
		if (r->type == KC_REQ_UPDATE_METADATA)
			w->meta[w->n_meta++] = (struct sim_meta){in->leader, in->leader_epoch, e->isr};
	}
	return w->n_payloads++;
}

/* A flushed request: one payload, one message per recipient (or per entry when the channel
 * splits batches). S3: the whole flush leaves at t0 plus the cost accumulated before it, so
 * building its requests delays only what the event does after the flush. */
static void sink_request(void *self, const struct kc_request *r)
{
	struct sim_world *w = self;
	uint32_t ctrl = (uint32_t)w->running_ctrl;
	if (w->flush_corr != (int64_t)r->correlation_id) {
		w->flush_corr = (int64_t)r->correlation_id;
		w->flush_depart_us = w->now + cost_so_far(w, ctrl);
	}
	uint64_t depart = w->flush_depart_us;
	if (!w->startup_phase)
		w->event_entry_cost_us += w->cfg->controller_request_entry_cost_us * r->n_entries * r->n_to;
	uint32_t payload = new_payload(w, r);
	/* KAFKA-1096 (injected): every broker's /controller_epoch watch copied the newest epoch into
	 * its controller context, so a zombie controller stamps its requests with the new epoch */
	if (w->inject_on[SIM_INJECT_KAFKA_1096] && w->zk.controller != (int32_t)ctrl && w->zk.epoch_exists)
		w->payloads[payload].controller_epoch = w->zk.epoch;
	bool split = !w->cfg->batch_requests && r->type != KC_REQ_STOP_REPLICA && r->n_entries > 1;
	for (uint32_t i = 0; i < r->n_to; i++) {
		int32_t to = sim_bidx(w, r->to[i]);
		if (to < 0)
			continue;
		uint32_t parts = split ? r->n_entries : 1;
		for (uint32_t m = 0; m < parts; m++)
			sim_chan_enqueue(w, ctrl, (uint32_t)to, payload, split ? m : 0, split ? 1 : r->n_entries, depart);
	}
	sim_payload_release(w, payload);
}

static void sink_state_change(void *self, const struct kc_state_change *c)
{
	struct sim_world *w = self;
	sim_obs_state_change(w, (uint32_t)w->running_ctrl, c);
}

static void sink_election(void *self, const struct kc_election *e)
{
	struct sim_world *w = self;
	sim_obs_election(w, (uint32_t)w->running_ctrl, e);
}

static void sink_channel(void *self, int32_t broker, bool open)
{
	struct sim_world *w = self;
	int32_t to = sim_bidx(w, broker);
	if (to >= 0)
		sim_chan_set(w, (uint32_t)w->running_ctrl, (uint32_t)to, open);
}

void sim_ctrl_init_sink(struct sim_world *w)
{
	w->sink = (struct kc_sink){.self = w,
				   .request = sink_request,
				   .state_change = sink_state_change,
				   .election = sink_election,
				   .channel = sink_channel};
}

static void kick(struct sim_world *w, uint32_t b)
{
	struct sim_bk *k = &w->bk[b];
	if (k->fifo_len == 0 || k->ctrl_run_scheduled)
		return;
	k->ctrl_run_scheduled = true;
	sim_schedule(w, k->busy_until > w->now ? k->busy_until : w->now, SIM_CLASS_CONTROLLER, EV_CTRL_RUN, b, 0, 0);
}

void sim_ctrl_enqueue(struct sim_world *w, uint32_t b, enum sim_cev kind, int64_t a, int64_t bb,
		      const int64_t *payload, uint32_t len)
{
	struct sim_bk *k = &w->bk[b];
	if (k->fifo_head + k->fifo_len == k->fifo_cap) {
		if (k->fifo_head > 0) {
			memmove(k->fifo, k->fifo + k->fifo_head, k->fifo_len * sizeof *k->fifo);
			k->fifo_head = 0;
		}
		if (k->fifo_len == k->fifo_cap) {
			k->fifo_cap = k->fifo_cap ? k->fifo_cap * 2 : 16;
			k->fifo = sim_xrealloc(k->fifo, k->fifo_cap * sizeof *k->fifo);
		}
	}
	if (w->n_payload + len > w->cap_payload) {
		while (w->n_payload + len > w->cap_payload)
			w->cap_payload = w->cap_payload ? w->cap_payload * 2 : 1024;
		w->payload = sim_xrealloc(w->payload, w->cap_payload * sizeof *w->payload);
	}
	struct sim_cevent *e = &k->fifo[k->fifo_head + k->fifo_len++];
	*e = (struct sim_cevent){.kind = (uint8_t)kind, .a = a, .b = bb, .off = (uint32_t)w->n_payload, .len = len,
				 .enqueued_us = w->now};
	if (len)
		memcpy(w->payload + w->n_payload, payload, len * sizeof *payload);
	w->n_payload += len;
	sim_bk_settle(w);
	kick(w, b);
}

uint32_t sim_ctrl_queue_len(const struct sim_world *w, int32_t active)
{
	return active < 0 ? 0 : w->bk[active].fifo_len;
}

void sim_ctrl_schedule_rebalance(struct sim_world *w, uint32_t b, uint64_t at)
{
	sim_schedule(w, at, SIM_CLASS_BROKER_TIMER, EV_REBALANCE, b, (int64_t)w->bk[b].rebalance_gen, 0);
}

/* Widen int64 payload slots into the core's array types. */
static int32_t *ids_of(struct sim_world *w, const struct sim_cevent *ev)
{
	int32_t *v = malloc((ev->len ? ev->len : 1) * sizeof *v);
	if (!v) {
		fprintf(stderr, "kcsim: out of memory\n");
		exit(3);
	}
	for (uint32_t i = 0; i < ev->len; i++)
		v[i] = (int32_t)w->payload[ev->off + i];
	return v;
}

static void run_admin(struct sim_world *w, struct kc_controller *kc, const struct sim_cevent *ev, bool reassign)
{
	uint32_t n = ev->len / 3;
	struct kc_admin_entry *e = calloc(n ? n : 1, sizeof *e);
	if (!e) {
		fprintf(stderr, "kcsim: out of memory\n");
		exit(3);
	}
	for (uint32_t i = 0; i < n; i++) {
		const int64_t *v = w->payload + ev->off + 3 * i;
		uint32_t len;
		const int32_t *r = sim_lists_get(&w->lists, (uint32_t)v[2], &len);
		e[i] = (struct kc_admin_entry){.topic = (uint32_t)v[0], .partition = (uint32_t)v[1], .n_replicas = len,
					       .replicas = r};
	}
	if (reassign)
		kc_on_reassign_change(kc, e, n);
	else
		kc_on_preferred_change(kc, e, n);
	free(e);
}

/* Broker change: spans for the brokers this handler sees come and go. */
static void run_broker_change(struct sim_world *w, uint32_t b, struct kc_controller *kc, const struct sim_cevent *ev)
{
	int32_t *ids = ids_of(w, ev);
	for (uint32_t i = 0; i < ev->len; i++)
		if (!kc_broker_live(kc, ids[i]) && !kc_broker_shutting_down(kc, ids[i]))
			sim_obs_op_begin(w, OP_BROKER_STARTUP, ids[i], ids[i], w->now);
	for (uint32_t x = 0; x < w->n_brokers; x++) {
		int32_t id = w->bk[x].id;
		bool listed = false;
		for (uint32_t i = 0; i < ev->len && !listed; i++)
			listed = ids[i] == id;
		if (!listed && (kc_broker_live(kc, id) || kc_broker_shutting_down(kc, id)))
			sim_obs_op_begin(w, OP_BROKER_FAILURE, id, id, w->now);
	}
	(void)b;
	kc_on_broker_change(kc, ids, ev->len);
	free(ids);
}

static void run_event(struct sim_world *w, uint32_t b, const struct sim_cevent *ev)
{
	struct sim_bk *k = &w->bk[b];
	struct kc_controller *kc = sim_ctrl_module(w, b);
	w->running_ctrl = (int32_t)b;
	w->zk.store_owner = (int32_t)b;
	w->event_t0 = w->now;
	w->event_entry_cost_us = 0;
	w->flush_corr = -1;
	sim_zk_cost_begin(&w->zk);
	switch ((enum sim_cev)ev->kind) {
	case CE_FAILOVER:
		k->failover_started = true;
		if (!kc_on_controller_failover(kc)) {
			/* ControllerMovedException escaped: the elector resigns, deleting /controller */
			k->failover_started = false;
			sim_zk_delete_controller(&w->zk, b);
		} else {
			sim_obs_controller(w, b, true, kc_epoch(kc));
		}
		break;
	case CE_BROKER_CHANGE:
		run_broker_change(w, b, kc, ev);
		break;
	case CE_TOPIC_CHANGE: {
		uint32_t *t = malloc((ev->len ? ev->len : 1) * sizeof *t);
		if (!t)
			exit(3);
		for (uint32_t i = 0; i < ev->len; i++)
			t[i] = (uint32_t)w->payload[ev->off + i];
		if (w->startup_direct)
			kc_initial_topics_created(kc, t, ev->len);
		else
			kc_on_topic_change(kc, t, ev->len);
		free(t);
		break;
	}
	case CE_DELETE_TOPICS: {
		uint32_t *t = malloc((ev->len ? ev->len : 1) * sizeof *t);
		if (!t)
			exit(3);
		for (uint32_t i = 0; i < ev->len; i++)
			t[i] = (uint32_t)w->payload[ev->off + i];
		kc_on_delete_topics_change(kc, t, ev->len);
		free(t);
		break;
	}
	case CE_TOPIC_DATA:
		kc_on_topic_data_change(kc, (uint32_t)ev->a);
		break;
	case CE_REASSIGN:
		run_admin(w, kc, ev, true);
		break;
	case CE_PREFERRED:
		run_admin(w, kc, ev, false);
		break;
	case CE_PARTITION_STATE:
		kc_on_partition_state_change(kc, (uint32_t)ev->a);
		break;
	case CE_DELETION_PASS:
		k->pass_queued = false;
		kc_deletion_pass(kc);
		break;
	case CE_STOP_REPLICA_RESPONSE:
		kc_on_stop_replica_response(kc, (int32_t)ev->a, (uint32_t)ev->b,
					    ev->len ? (int)w->payload[ev->off] : 0);
		break;
	case CE_REBALANCE:
		kc_on_rebalance_check(kc);
		break;
	case CE_CONTROLLED_SHUTDOWN: {
		uint32_t remaining = 0;
		enum kc_shutdown_rc rc = kc_on_controlled_shutdown(kc, w->bk[ev->a].id, &remaining);
		w->event_t0 = w->now; /* the answer leaves when the event ends, below */
		k->cs_reply_to = ev->a;
		k->cs_reply_gen = ev->b;
		k->cs_reply = rc == KC_SHUTDOWN_OK ? (int64_t)remaining : -1;
		break;
	}
	case CE_REPLICA_TRANSITION: {
		int32_t *ids = ids_of(w, ev);
		kc_replica_transition(kc, (uint32_t)ev->b, ids, ev->len, (enum kc_replica_state)ev->a);
		free(ids);
		break;
	}
	case CE_PARTITION_TRANSITION: {
		uint32_t *p = malloc((ev->len ? ev->len : 1) * sizeof *p);
		if (!p)
			exit(3);
		for (uint32_t i = 0; i < ev->len; i++)
			p[i] = (uint32_t)w->payload[ev->off + i];
		kc_partition_transition(kc, p, ev->len, (enum kc_partition_state)(ev->a & 0xFF),
					(enum kc_selector)ev->b);
		free(p);
		break;
	}
	case CE_COUNT:
		break;
	}
	uint64_t end = w->now + cost_so_far(w, b);
	sim_zk_cost_end(&w->zk);
	k->busy_until = end;
	/* the moment the controller is idle again is a possible quiescent point: make it an event */
	if (end > w->now)
		sim_schedule(w, end, SIM_CLASS_CONTROLLER, EV_CTRL_DONE, b, 0, 0);
	if (ev->kind == CE_CONTROLLED_SHUTDOWN) {
		uint64_t at = end + sim_lat(w, w->cfg->rpc_latency_us) + sim_jitter(w);
		sim_schedule(w, at, SIM_CLASS_DELIVERY, EV_CS_RESPONSE, k->cs_reply_to, k->cs_reply_gen, k->cs_reply);
	}
	if (ev->kind == CE_FAILOVER && k->failover_started) {
		sim_obs_op_end(w, OP_CONTROLLER_FAILOVER, k->id, end);
		if (w->startup_topics_pending) {
			w->startup_topics_pending = false;
			sim_schedule(w, end, SIM_CLASS_TIMELINE, EV_STARTUP_TOPICS, 0, 0, 0);
		}
		if (w->cfg->auto_leader_rebalance)
			sim_ctrl_schedule_rebalance(w, b, end + 5000000u);
	}
	if (ev->kind == CE_BROKER_CHANGE)
		for (uint32_t x = 0; x < w->n_brokers; x++) {
			sim_obs_op_end(w, OP_BROKER_STARTUP, w->bk[x].id, end);
			sim_obs_op_end(w, OP_BROKER_FAILURE, w->bk[x].id, end);
		}
	if (k->kc && kc_take_deletion_signal(k->kc) && !k->pass_queued) {
		k->pass_queued = true;
		sim_ctrl_enqueue(w, b, CE_DELETION_PASS, 0, 0, NULL, 0);
	}
	sim_end_spans_of_event(w, end);
	sim_obs_ctrl_event(w, b, ev, w->now, end);
	w->running_ctrl = -1;
}

/* EV_CTRL_RUN: the controller takes the next event from its queue. */
void sim_ctrl_run(struct sim_world *w, uint32_t b)
{
	struct sim_bk *k = &w->bk[b];
	k->ctrl_run_scheduled = false;
	if (!k->up) {
		k->fifo_len = 0;
		return; /* not running: not in the summary (sim_bk_settle) */
	}
	if (sim_bk_paused(w, b)) {
		struct sim_event e = {.t_us = w->now, .cls = SIM_CLASS_CONTROLLER, .kind = EV_CTRL_RUN, .a = b};
		k->ctrl_run_scheduled = true;
		sim_defer(w, b, &e);
		return;
	}
	if (sim_bk_zk_cut(w, b)) {
		/* an isolated controller starts no new event until it reaches ZooKeeper again */
		k->ctrl_run_scheduled = true;
		sim_schedule(w, k->iso_zk_until, SIM_CLASS_CONTROLLER, EV_CTRL_RUN, b, 0, 0);
		return;
	}
	if (k->busy_until > w->now) {
		kick(w, b);
		return;
	}
	if (k->fifo_len == 0)
		return;
	struct sim_cevent ev = k->fifo[k->fifo_head++];
	k->fifo_len--;
	if (k->fifo_len == 0)
		k->fifo_head = 0;
	run_event(w, b, &ev);
	sim_bk_settle(w);
	kick(w, b);
	if (k->fifo_len == 0 && k->notice_after_drain) {
		k->notice_after_drain = false;
		sim_schedule(w, k->busy_until, SIM_CLASS_CONTROLLER, EV_NOTICE_EXPIRY, b, k->incarnation, 0);
	}
}

/* onControllerResignation: queued events and any pending pass are dropped. */
void sim_ctrl_resign(struct sim_world *w, uint32_t b)
{
	struct sim_bk *k = &w->bk[b];
	if (k->kc) {
		int32_t prev = w->running_ctrl;
		w->running_ctrl = (int32_t)b;
		w->zk.store_owner = (int32_t)b;
		kc_on_controller_resignation(k->kc);
		w->running_ctrl = prev;
	}
	sim_chan_close_all(w, b);
	k->fifo_len = k->fifo_head = 0;
	k->pass_queued = false;
	k->rebalance_gen++;
	sim_bk_settle(w);
	if (k->failover_started)
		sim_obs_controller(w, b, false, 0);
	k->failover_started = false;
}
