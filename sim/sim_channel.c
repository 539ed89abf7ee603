/* sim_channel.c — the controller's per-broker channels (architecture S8): a FIFO carrying one
 * request at a time, delivered rpc_latency (+ jitter) after it leaves, answered rpc_latency
 * after the broker handled it; the next request leaves only then. A channel whose broker is
 * cut off from the controller, down or unreachable retries the head every 300 ms, as 0.8.2's
 * send thread does. Removing a channel drops what it had not sent. A payload's entries are
 * freed when the last message carrying them is handled or dropped (sim_payload_release). */
#include <stdlib.h>
#include <string.h>

#include "sim_observe.h"
#include "sim_world.h"

static struct sim_chan *chan(struct sim_world *w, uint32_t ctrl, uint32_t target)
{
	struct sim_bk *k = &w->bk[ctrl];
	if (!k->chan) {
		k->chan = calloc(w->n_brokers, sizeof *k->chan);
		if (!k->chan) {
			fprintf(stderr, "kcsim: out of memory\n");
			exit(3);
		}
	}
	return &k->chan[target];
}

void sim_payload_release(struct sim_world *w, uint32_t payload)
{
	struct sim_payload *p = &w->payloads[payload];
	if (--p->unfinished == 0) {
		free(p->entries);
		p->entries = NULL;
	}
}

static void drop_queue(struct sim_world *w, struct sim_chan *c)
{
	for (uint32_t i = 0; i < c->len; i++)
		sim_payload_release(w, w->reqs[c->q[c->head + i]].payload);
	w->in_flight -= c->len;
	c->head = c->len = 0;
}

void sim_chan_set(struct sim_world *w, uint32_t ctrl, uint32_t target, bool open)
{
	struct sim_chan *c = chan(w, ctrl, target);
	drop_queue(w, c);
	if (c->busy)
		w->in_flight--;
	c->busy = false;
	c->send_scheduled = false;
	c->gen++;
	c->open = open;
}

void sim_chan_close_all(struct sim_world *w, uint32_t ctrl)
{
	if (!w->bk[ctrl].chan)
		return;
	for (uint32_t t = 0; t < w->n_brokers; t++)
		if (w->bk[ctrl].chan[t].open || w->bk[ctrl].chan[t].len)
			sim_chan_set(w, ctrl, t, false);
}

static void schedule_send(struct sim_world *w, uint32_t ctrl, uint32_t target, uint64_t at)
{
	struct sim_chan *c = chan(w, ctrl, target);
	if (c->send_scheduled)
		return;
	c->send_scheduled = true;
	sim_schedule(w, at, SIM_CLASS_DELIVERY, EV_SEND, ctrl, target, (int64_t)c->gen);
}

void sim_chan_enqueue(struct sim_world *w, uint32_t ctrl, uint32_t target, uint32_t payload, uint32_t first,
		      uint32_t count, uint64_t depart_us)
{
	struct sim_chan *c = chan(w, ctrl, target);
	if (w->n_reqs == w->cap_reqs) {
		w->cap_reqs = w->cap_reqs ? w->cap_reqs * 2 : 1024;
		w->reqs = sim_xrealloc(w->reqs, (size_t)w->cap_reqs * sizeof *w->reqs);
	}
	uint32_t id = w->n_reqs++;
	w->reqs[id] = (struct sim_req){.payload = payload,
				       .first = first,
				       .count = count,
				       .from = (int32_t)ctrl,
				       .to = (int32_t)target,
				       .chan_gen = c->gen,
				       .depart_us = depart_us};
	w->payloads[payload].unfinished++;
	if (!c->open) {
		sim_obs_request(w, id, true);
		sim_payload_release(w, payload);
		return;
	}
	sim_obs_request(w, id, false);
	if (c->head + c->len == c->cap) {
		if (c->head) {
			memmove(c->q, c->q + c->head, c->len * sizeof *c->q);
			c->head = 0;
		}
		if (c->len == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 16;
			c->q = sim_xrealloc(c->q, c->cap * sizeof *c->q);
		}
	}
	c->q[c->head + c->len++] = id;
	w->in_flight++;
	if (!c->busy)
		schedule_send(w, ctrl, target, depart_us);
}

uint32_t sim_chan_in_flight(const struct sim_world *w) { return (uint32_t)w->in_flight; }

static bool cut(const struct sim_world *w, uint32_t ctrl, uint32_t target)
{
	return !w->bk[target].up || sim_bk_ctrl_cut(w, target) || sim_bk_ctrl_cut(w, ctrl);
}

static void on_send(struct sim_world *w, uint32_t ctrl, uint32_t target, uint64_t gen)
{
	struct sim_chan *c = chan(w, ctrl, target);
	if (gen != c->gen)
		return;
	c->send_scheduled = false;
	if (c->busy || c->len == 0)
		return;
	if (sim_bk_paused(w, ctrl)) {
		/* the send thread is frozen with its process */
		struct sim_event e = {.cls = SIM_CLASS_DELIVERY, .kind = EV_SEND, .a = ctrl, .b = target, .c = (int64_t)gen};
		c->send_scheduled = true;
		sim_defer(w, ctrl, &e);
		return;
	}
	struct sim_req *r = &w->reqs[c->q[c->head]];
	if (r->depart_us > w->now) {
		schedule_send(w, ctrl, target, r->depart_us);
		return;
	}
	if (cut(w, ctrl, target)) {
		schedule_send(w, ctrl, target, w->now + SIM_SEND_RETRY_US);
		return;
	}
	uint32_t id = c->q[c->head++];
	c->len--;
	c->busy = true;
	w->reqs[id].to_incarnation = w->bk[target].incarnation;
	sim_schedule(w, w->now + sim_lat(w, w->cfg->rpc_latency_us) + sim_jitter(w), SIM_CLASS_DELIVERY, EV_DELIVER, id,
		     0, 0);
}

static void on_deliver(struct sim_world *w, const struct sim_event *e)
{
	uint32_t id = (uint32_t)e->a;
	struct sim_req *r = &w->reqs[id];
	uint32_t ctrl = (uint32_t)r->from, target = (uint32_t)r->to;
	struct sim_chan *c = chan(w, ctrl, target);
	if (!w->bk[target].up || w->bk[target].incarnation != r->to_incarnation || sim_bk_ctrl_cut(w, target)) {
		/* the send failed (a restarted process never reads the dead one's socket): 0.8.2's send
		 * thread retries the same request after reconnecting, unless its channel was removed */
		if (r->chan_gen == c->gen && c->busy) {
			c->busy = false;
			if (c->head == 0) {
				if (c->len == c->cap) {
					c->cap = c->cap ? c->cap * 2 : 16;
					c->q = sim_xrealloc(c->q, c->cap * sizeof *c->q);
				}
				memmove(c->q + 1, c->q, c->len * sizeof *c->q);
				c->head = 1;
			}
			c->q[--c->head] = id;
			c->len++;
			schedule_send(w, ctrl, target, w->now + SIM_SEND_RETRY_US);
		} else {
			sim_payload_release(w, r->payload);
		}
		return;
	}
	if (sim_bk_paused(w, target)) {
		sim_defer(w, target, e);
		return;
	}
	r->handled_us = w->now;
	sim_broker_apply(w, target, r);
	sim_payload_release(w, r->payload);
	uint64_t handle = sim_lat(w, w->cfg->broker_op_cost_us * r->count + w->cfg->rpc_latency_us);
	sim_schedule(w, w->now + handle + sim_jitter(w), SIM_CLASS_DELIVERY, EV_RESPONSE, id, 0, 0);
}

static void on_response(struct sim_world *w, uint32_t id)
{
	struct sim_req *r = &w->reqs[id];
	uint32_t ctrl = (uint32_t)r->from, target = (uint32_t)r->to;
	struct sim_chan *c = chan(w, ctrl, target);
	if (r->chan_gen != c->gen || !c->busy)
		return; /* the channel was removed: nobody reads the answer */
	c->busy = false;
	w->in_flight--;
	const struct sim_payload *p = &w->payloads[r->payload];
	if (p->type == KC_REQ_STOP_REPLICA && p->stop_response && w->bk[ctrl].failover_started) {
		int64_t error = r->rejected;
		if (!error)
			sim_ctrl_enqueue(w, ctrl, CE_STOP_REPLICA_RESPONSE, w->bk[target].id, p->stop_pid, NULL, 0);
		else
			sim_ctrl_enqueue(w, ctrl, CE_STOP_REPLICA_RESPONSE, w->bk[target].id, p->stop_pid, &error, 1);
	}
	if (c->len)
		schedule_send(w, ctrl, target, w->now);
}

void sim_chan_event(struct sim_world *w, const struct sim_event *e)
{
	switch ((enum sim_ev)e->kind) {
	case EV_SEND:
		on_send(w, (uint32_t)e->a, (uint32_t)e->b, (uint64_t)e->c);
		break;
	case EV_DELIVER:
		on_deliver(w, e);
		break;
	case EV_RESPONSE:
		on_response(w, (uint32_t)e->a);
		break;
	default:
		break;
	}
}
