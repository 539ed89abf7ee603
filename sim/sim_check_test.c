/* sim_check_test.c — tests of the invariant checker: for every invariant of invariants.md a
 * world state (or hook call) that breaks it and one where it holds. Each test builds a small
 * world by hand — a 3-broker scenario, ZooKeeper written directly, a controller loaded from it
 * — and drives the checker's hooks the way the world does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_check.h"
#include "sim_testkit.h"

static const char *const BASE_YAML = "cluster: {brokers: 3}\n"
				     "topics:\n"
				     "  t: {assignment: {0: [0, 1, 2], 1: [1, 2, 0]}}\n"
				     "  u: {assignment: {0: [0, 1]}, unclean_leader_election: true}\n";
enum { T = 0, U = 1 };          /* topic indexes */
enum { T0 = 0, T1 = 1, U0 = 2 }; /* pids */

struct fx {
	struct sim_scenario sc;
	struct sim_world w;
	struct sim_observer o;
	struct sim_check *c;
};

/* ---- the fixture ---- */

static void on_zk(void *ctx, int what, uint32_t id)
{
	struct sim_world *w = ctx;
	sim_check_zk(w, w->obs->check, (enum sim_zk_change)what, id);
}

/* The controller's records go straight to the checker (no metrics, no trace). */
static void sink_request(void *self, const struct kc_request *r)
{
	(void)self;
	(void)r;
}

static void sink_state_change(void *self, const struct kc_state_change *sc)
{
	struct sim_world *w = self;
	sim_check_state_change(w, w->obs->check, 0, sc);
}

static void sink_election(void *self, const struct kc_election *e)
{
	struct sim_world *w = self;
	sim_check_election(w, w->obs->check, 0, e);
}

static uint32_t list(struct fx *f, const int32_t *v, uint32_t n) { return sim_lists_intern(&f->w.lists, v, n); }
#define LIST(f, ...) list(f, (const int32_t[]){__VA_ARGS__}, sizeof((const int32_t[]){__VA_ARGS__}) / sizeof(int32_t))

static void broker_up(struct fx *f, uint32_t b)
{
	struct sim_bk *k = &f->w.bk[b];
	k->up = true;
	k->incarnation++;
	sim_mc_reset(&f->w.mc, &k->mc);
	sim_zk_new_session(&f->w.zk, b);
	assert_true(sim_zk_register_broker(&f->w.zk, b));
	k->registered_once = true;
	sim_check_broker_process(&f->w, f->c, b, true);
}

static void broker_gone(struct fx *f, uint32_t b) { sim_zk_expire(&f->w.zk, b); }

/* ZooKeeper's state znode for pid: created the first time, then a conditional write. */
static void zk_state(struct fx *f, uint32_t pid, int32_t leader, int32_t epoch, uint32_t isr)
{
	struct sim_zk_state *s = &f->w.zk.states[pid];
	if (!s->exists) {
		assert_int_equal(sim_zk_create_state(&f->w.zk, pid, leader, epoch, 1, isr), KC_ZK_OK);
		return;
	}
	int32_t v;
	assert_int_equal(sim_zk_update_state(&f->w.zk, pid, leader, epoch, 1, isr, s->version, &v), KC_ZK_OK);
}

static uint32_t add_meta(struct fx *f, int32_t leader, int32_t epoch, uint32_t isr)
{
	struct sim_world *w = &f->w;
	w->meta = sim_xrealloc(w->meta, (size_t)(w->n_meta + 1) * sizeof *w->meta);
	w->meta[w->n_meta] = (struct sim_meta){leader, epoch, isr};
	w->cap_meta = w->n_meta + 1;
	return (uint32_t)w->n_meta++;
}

/* Broker b's cache for pid says what ZooKeeper says now. */
static void cache_zk(struct fx *f, uint32_t b, uint32_t pid)
{
	const struct sim_zk_state *s = &f->w.zk.states[pid];
	sim_broker_set_meta(&f->w, b, pid, add_meta(f, s->leader, s->leader_epoch, s->isr));
	sim_check_meta(&f->w, f->c, b, pid);
}

/* Every live broker's cache catches up with ZooKeeper (the UpdateMetadata that would follow). */
static void sync_caches(struct fx *f)
{
	for (uint32_t b = 0; b < f->w.n_brokers; b++)
		for (uint32_t pid = 0; f->w.zk.registered[b] && pid < f->w.n_parts; pid++)
			cache_zk(f, b, pid);
}

static void load_controller(struct fx *f, uint32_t b)
{
	struct sim_world *w = &f->w;
	assert_true(sim_zk_create_controller(&w->zk, b));
	w->running_ctrl = (int32_t)b;
	struct kc_controller *kc = sim_ctrl_module(w, b);
	kc_load_initial(kc);
	w->running_ctrl = -1;
	w->bk[b].failover_started = true;
	sim_check_controller(w, f->c, b, true, kc_epoch(kc));
	assert_int_equal(sim_active_controller(w), (int32_t)b);
}

static void fx_load(struct fx *f, const char *yaml)
{
	memset(f, 0, sizeof *f);
	sim_test_load("s.yaml", yaml, &f->sc);
	sim_world_init(&f->w, &f->sc);
	f->w.obs = &f->o;
	f->w.current = (struct sim_event){.kind = EV_ISR_CHECK}; /* what violation reports name */
	f->c = sim_check_new(&f->w);
	f->o.check = f->c;
	f->w.zk.observe = on_zk;
	f->w.sink = (struct kc_sink){.self = &f->w,
				     .request = sink_request,
				     .state_change = sink_state_change,
				     .election = sink_election};
	f->w.zk.epoch_exists = true;
	f->w.zk.epoch = 1;
	for (uint32_t b = 0; b < f->w.n_brokers; b++)
		broker_up(f, b);
	sim_check_begin(&f->w, f->c);
}

/* A healthy cluster: topics, leaders, ISRs, caches as ZooKeeper says, controller 0. */
static void fx_healthy(struct fx *f, const char *yaml)
{
	fx_load(f, yaml);
	const struct sim_topic *t = &f->sc.topics[T];
	sim_zk_create_topic(&f->w.zk, T, t->partitions, f->sc.ints + t->assignment, t->replication_factor, -1);
	t = &f->sc.topics[U];
	sim_zk_create_topic(&f->w.zk, U, t->partitions, f->sc.ints + t->assignment, t->replication_factor, 1);
	zk_state(f, T0, 0, 0, LIST(f, 0, 1, 2));
	zk_state(f, T1, 1, 0, LIST(f, 1, 2, 0));
	zk_state(f, U0, 0, 0, LIST(f, 0, 1));
	for (uint32_t b = 0; b < 3; b++)
		for (uint32_t pid = 0; pid < 3; pid++)
			cache_zk(f, b, pid);
	load_controller(f, 0);
	sim_check_after_event(&f->w, f->c);
	sim_check_quiescent(&f->w, f->c);
	assert_false(f->o.violated);
}

static void fx_free(struct fx *f)
{
	sim_check_free(f->c);
	sim_world_free(&f->w);
	sim_scenario_free(&f->sc);
}

static void assert_violation(struct fx *f, enum sim_invariant inv, const char *detail)
{
	if (!f->o.violated)
		fail_msg("expected %s, nothing was reported", sim_invariant_info(inv)->name);
	if (f->o.violation != (int)inv || !strstr(f->o.violation_detail, detail))
		fail_msg("expected %s with \"%s\", got %s: %s", sim_invariant_info(inv)->name, detail,
			 sim_invariant_info((enum sim_invariant)f->o.violation)->name, f->o.violation_detail);
}

static void assert_held(struct fx *f)
{
	if (f->o.violated)
		fail_msg("unexpected %s: %s", sim_invariant_info((enum sim_invariant)f->o.violation)->name,
			 f->o.violation_detail);
}

static void after_event(struct fx *f)
{
	f->w.events++;
	sim_check_after_event(&f->w, f->c);
}

static void quiescent(struct fx *f)
{
	f->w.events++;
	sim_check_after_event(&f->w, f->c);
	sim_check_quiescent(&f->w, f->c);
}

/* A request message from controller ctrl_id (epoch ctrl_epoch) to broker index `to`. */
static uint32_t add_request(struct fx *f, uint32_t to, int32_t ctrl_id, int32_t ctrl_epoch)
{
	struct sim_world *w = &f->w;
	w->payloads = sim_xrealloc(w->payloads, (w->n_payloads + 1) * sizeof *w->payloads);
	w->payloads[w->n_payloads] = (struct sim_payload){.type = KC_REQ_LEADER_AND_ISR,
							  .controller_id = ctrl_id,
							  .controller_epoch = ctrl_epoch};
	w->reqs = sim_xrealloc(w->reqs, (w->n_reqs + 1) * sizeof *w->reqs);
	w->reqs[w->n_reqs] = (struct sim_req){.payload = w->n_payloads, .from = 0, .to = (int32_t)to};
	w->cap_payloads = ++w->n_payloads;
	w->cap_reqs = w->n_reqs + 1;
	return w->n_reqs++;
}

/* ---- safety ---- */

static void test_healthy_cluster_holds(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	quiescent(&f);
	sim_check_end(&f.w, f.c);
	assert_held(&f);
	fx_free(&f);
}

static void test_leader_in_isr(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	zk_state(&f, T0, 1, 1, LIST(&f, 0, 1));
	after_event(&f);
	assert_held(&f);
	zk_state(&f, T0, 2, 2, LIST(&f, 0, 1));
	after_event(&f);
	assert_violation(&f, SIM_INV_LEADER_IN_ISR, "t-0: leader 2 not in ISR [0,1] (zkVersion 2, leader epoch 2)");
	fx_free(&f);
}

static void test_isr_subset_of_replicas(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	zk_state(&f, U0, 0, 1, LIST(&f, 0, 1));
	after_event(&f);
	assert_held(&f);
	zk_state(&f, U0, 0, 1, LIST(&f, 0, 2));
	after_event(&f);
	assert_violation(&f, SIM_INV_ISR_SUBSET_OF_REPLICAS, "u-0: ISR member 2 is not an assigned replica [0,1]");
	fx_free(&f);
}

/* A reassignment's topic znode lists old + new: the new replicas may join the ISR. */
static void test_isr_subset_during_reassignment(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	const int32_t wide[] = {1, 2, 0};
	struct kc_assigned a = {.partition = 0, .n_replicas = 3, .replicas = wide};
	sim_zk_write_topic(&f.w.zk, U, &a, 1);
	zk_state(&f, U0, 0, 1, LIST(&f, 0, 1, 2));
	after_event(&f);
	assert_held(&f);
	fx_free(&f);
}

static void test_epochs_monotonic_zookeeper(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	zk_state(&f, T0, 0, 1, LIST(&f, 0, 1)); /* a controller write: epoch + 1, version + 1 */
	zk_state(&f, T0, 0, 1, LIST(&f, 0, 1, 2)); /* a leader's ISR write: same epoch */
	after_event(&f);
	assert_held(&f);
	/* deleted and created again: a new incarnation starts from epoch 0 */
	struct sim_zk_state *s = &f.w.zk.states[T0];
	s->exists = false;
	sim_check_zk(&f.w, f.c, ZKC_STATE, T0);
	zk_state(&f, T0, 0, 0, LIST(&f, 0));
	after_event(&f);
	assert_held(&f);
	/* the epoch goes back within one incarnation */
	zk_state(&f, T0, 0, 3, LIST(&f, 0));
	zk_state(&f, T0, 0, 2, LIST(&f, 0));
	after_event(&f);
	assert_violation(&f, SIM_INV_EPOCHS_MONOTONIC, "t-0: leader epoch went back from 3 to 2 (zkVersion 1 -> 2)");
	fx_free(&f);

	fx_healthy(&f, BASE_YAML);
	s = &f.w.zk.states[T1];
	s->version += 2; /* two versions in one write */
	s->leader_epoch++;
	sim_check_zk(&f.w, f.c, ZKC_STATE, T1);
	after_event(&f);
	assert_violation(&f, SIM_INV_EPOCHS_MONOTONIC, "t-1: zkVersion went from 0 to 2 in one write");
	fx_free(&f);
}

static void test_epochs_monotonic_broker(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	sim_check_request_handled(&f.w, f.c, 1, add_request(&f, 1, 0, 1), true);
	sim_check_request_handled(&f.w, f.c, 1, add_request(&f, 1, 0, 1), true);
	sim_check_request_handled(&f.w, f.c, 1, add_request(&f, 1, 2, 2), true);
	sim_check_request_handled(&f.w, f.c, 1, add_request(&f, 1, 0, 1), false); /* rejected: fine */
	after_event(&f);
	assert_held(&f);
	/* a restarted broker starts again from nothing */
	f.w.bk[1].incarnation++;
	sim_check_request_handled(&f.w, f.c, 1, add_request(&f, 1, 0, 1), true);
	after_event(&f);
	assert_held(&f);
	sim_check_request_handled(&f.w, f.c, 1, add_request(&f, 1, 2, 2), true);
	sim_check_request_handled(&f.w, f.c, 1, add_request(&f, 1, 0, 1), true);
	after_event(&f);
	assert_violation(&f, SIM_INV_EPOCHS_MONOTONIC, "broker 1 accepted controller epoch 1 after accepting 2");
	fx_free(&f);
}

static void test_single_controller_per_epoch(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML); /* broker 0 active with epoch 1 */
	sim_check_controller(&f.w, f.c, 0, false, 0);
	sim_check_controller(&f.w, f.c, 1, true, 2);
	sim_check_request_handled(&f.w, f.c, 2, add_request(&f, 2, 1, 2), true);
	after_event(&f);
	assert_held(&f);
	/* a zombie stamping the new epoch: two controllers act with epoch 2 */
	sim_check_request_handled(&f.w, f.c, 2, add_request(&f, 2, 0, 2), true);
	after_event(&f);
	assert_violation(&f, SIM_INV_SINGLE_CONTROLLER_PER_EPOCH,
			 "controller epoch 2 is used by broker 1 and by broker 0");
	fx_free(&f);

	fx_healthy(&f, BASE_YAML);
	sim_check_controller(&f.w, f.c, 1, true, 1);
	after_event(&f);
	assert_violation(&f, SIM_INV_SINGLE_CONTROLLER_PER_EPOCH, "brokers 0 and 1 both act as controller with epoch 1");
	fx_free(&f);

	fx_healthy(&f, BASE_YAML);
	sim_check_controller(&f.w, f.c, 0, false, 0);
	sim_check_controller(&f.w, f.c, 2, true, 1);
	after_event(&f);
	assert_violation(&f, SIM_INV_SINGLE_CONTROLLER_PER_EPOCH,
			 "broker 2 became controller with epoch 1, not above the earlier epoch 1");
	fx_free(&f);
}

static void test_no_stale_request_applied(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	struct sim_entry e = {.pid = T0, .leader = 0, .leader_epoch = 5};
	sim_check_request_handled(&f.w, f.c, 1, add_request(&f, 1, 0, 1), true);
	sim_check_lair_accepted(&f.w, f.c, 1, &e, 4, 1);
	after_event(&f);
	assert_held(&f);
	sim_check_lair_accepted(&f.w, f.c, 1, &e, 5, 1);
	after_event(&f);
	assert_violation(&f, SIM_INV_NO_STALE_REQUEST_APPLIED,
			 "broker 1 applied t-0 with leader epoch 5 while holding leader epoch 5");
	fx_free(&f);

	fx_healthy(&f, BASE_YAML);
	sim_check_request_handled(&f.w, f.c, 1, add_request(&f, 1, 2, 3), true);
	sim_check_lair_accepted(&f.w, f.c, 1, &e, 4, 2);
	after_event(&f);
	assert_violation(&f, SIM_INV_NO_STALE_REQUEST_APPLIED,
			 "broker 1 applied a LeaderAndIsr for t-0 from controller epoch 2 after accepting controller epoch 3");
	fx_free(&f);
}

static void test_single_leader_per_epoch(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	sim_check_leader_role(&f.w, f.c, 0, T0, true, 3);
	sim_check_leader_role(&f.w, f.c, 0, T0, false, 3);
	sim_check_leader_role(&f.w, f.c, 0, T0, true, 3); /* resumes after a pause */
	sim_check_leader_role(&f.w, f.c, 1, T0, true, 4);
	sim_check_leader_role(&f.w, f.c, 0, T0, true, 2); /* a stale leader: older epochs are not news */
	after_event(&f);
	assert_held(&f);
	/* a new incarnation of the state znode starts its epochs again */
	f.w.zk.states[T0].exists = false;
	sim_check_zk(&f.w, f.c, ZKC_STATE, T0);
	zk_state(&f, T0, 2, 0, LIST(&f, 2));
	sim_check_leader_role(&f.w, f.c, 2, T0, true, 4);
	after_event(&f);
	assert_held(&f);
	sim_check_leader_role(&f.w, f.c, 1, T0, true, 4);
	after_event(&f);
	assert_violation(&f, SIM_INV_SINGLE_LEADER_PER_EPOCH, "t-0: brokers 2 and 1 both act as leader with leader epoch 4");
	fx_free(&f);
}

static struct kc_election election(enum kc_selector sel, const struct kc_lisr *before, const int32_t *ar,
				   uint32_t n_ar, int32_t leader)
{
	return (struct kc_election){.pid = T0,
				    .selector = sel,
				    .before = before,
				    .ar_len = n_ar,
				    .ar = ar,
				    .ok = leader >= 0,
				    .leader = leader};
}

/* controller.md §4 for each selector, with broker 1 dead (the controller's live set is {0, 2}). */
static void test_election_rule(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, BASE_YAML);
	const struct sim_topic *tp = &f.sc.topics[T];
	sim_zk_create_topic(&f.w.zk, T, tp->partitions, f.sc.ints + tp->assignment, tp->replication_factor, -1);
	zk_state(&f, T0, 1, 3, LIST(&f, 1, 2, 0));
	broker_gone(&f, 1);
	load_controller(&f, 0);
	const int32_t ar[] = {0, 1, 2}, rar[] = {2, 0};
	struct kc_lisr isr_120 = {.leader = 1, .leader_epoch = 3, .isr_len = 3, .isr = {1, 2, 0}};
	struct kc_lisr isr_1 = {.leader = 1, .leader_epoch = 3, .isr_len = 1, .isr = {1}};
	struct kc_lisr isr_20 = {.leader = 2, .leader_epoch = 3, .isr_len = 2, .isr = {2, 0}};
	struct {
		enum kc_selector sel;
		const struct kc_lisr *before;
		const int32_t *ar;
		uint32_t n_ar;
		int32_t leader;
	} good[] = {
		{KC_SEL_OFFLINE, &isr_120, ar, 3, 0},      /* first AR member in the live ISR */
		{KC_SEL_OFFLINE, &isr_1, ar, 3, -1},       /* no live ISR member, unclean off */
		{KC_SEL_REASSIGNED, &isr_120, rar, 2, -1}, /* no reassignment in progress: 0.8.2 throws */
		{KC_SEL_PREFERRED, &isr_120, ar, 3, 0},    /* AR head, live and in the ISR */
		{KC_SEL_PREFERRED, &isr_20, rar + 1, 1, 0}, /* ... */
		{KC_SEL_CONTROLLED_SHUTDOWN, &isr_120, ar, 3, 1}, /* ISR head, none shutting down */
		{KC_SEL_NOOP, &isr_120, ar, 3, 1},         /* the current leader */
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct kc_election e = election(good[i].sel, good[i].before, good[i].ar, good[i].n_ar, good[i].leader);
		sim_check_election(&f.w, f.c, 0, &e);
		after_event(&f);
		assert_held(&f);
	}
	struct kc_election e = election(KC_SEL_OFFLINE, &isr_120, ar, 3, 2); /* KAFKA-1503: head of the live ISR */
	sim_check_election(&f.w, f.c, 0, &e);
	after_event(&f);
	assert_violation(&f, SIM_INV_ELECTION_RULE,
			 "t-0: offline election chose broker 2; controller.md section 4 picks broker 0 (AR [0,1,2], ISR read [1,2,0]");
	fx_free(&f);

	struct {
		enum kc_selector sel;
		const struct kc_lisr *before;
		const int32_t *ar;
		uint32_t n_ar;
		int32_t leader;
		const char *detail;
	} bad[] = {
		{KC_SEL_OFFLINE, &isr_1, ar, 3, 0, "offline election chose broker 0; controller.md section 4 picks no leader"},
		{KC_SEL_REASSIGNED, &isr_120, rar, 2, 2, "reassigned election chose broker 2; controller.md section 4 picks no leader"},
		{KC_SEL_PREFERRED, &isr_120, ar, 3, -1, "preferred election failed; controller.md section 4 picks broker 0"},
		{KC_SEL_CONTROLLED_SHUTDOWN, &isr_120, ar, 3, 2, "picks broker 1"},
		{KC_SEL_NOOP, &isr_120, ar, 3, 0, "noop election chose broker 0"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fx_load(&f, BASE_YAML);
		sim_zk_create_topic(&f.w.zk, T, f.sc.topics[T].partitions, f.sc.ints + f.sc.topics[T].assignment, 3, -1);
		zk_state(&f, T0, 1, 3, LIST(&f, 1, 2, 0)); /* the preferred selector needs a cached leader */
		broker_gone(&f, 1);
		load_controller(&f, 0);
		e = election(bad[i].sel, bad[i].before, bad[i].ar, bad[i].n_ar, bad[i].leader);
		sim_check_election(&f.w, f.c, 0, &e);
		after_event(&f);
		assert_violation(&f, SIM_INV_ELECTION_RULE, bad[i].detail);
		fx_free(&f);
	}
}

/* Unclean election on for the topic: with no live ISR member, the first live AR member. */
static void test_election_rule_unclean(void **state)
{
	(void)state;
	struct fx f;
	fx_load(&f, BASE_YAML);
	const struct sim_topic *tp = &f.sc.topics[U];
	sim_zk_create_topic(&f.w.zk, U, 1, f.sc.ints + tp->assignment, 2, 1);
	broker_gone(&f, 0);
	load_controller(&f, 1);
	const int32_t ar[] = {0, 1};
	struct kc_lisr before = {.leader = 0, .isr_len = 1, .isr = {0}};
	struct kc_election e = election(KC_SEL_OFFLINE, &before, ar, 2, 1);
	e.pid = U0;
	sim_check_election(&f.w, f.c, 1, &e);
	after_event(&f);
	assert_held(&f);
	e.ok = false;
	sim_check_election(&f.w, f.c, 1, &e);
	after_event(&f);
	assert_violation(&f, SIM_INV_ELECTION_RULE, "u-0: offline election failed; controller.md section 4 picks broker 1");
	fx_free(&f);
}

static struct kc_state_change change(bool partition, uint32_t pid, int32_t broker, int from, int to, bool applied)
{
	return (struct kc_state_change){.is_partition = partition,
					.applied = applied,
					.pid = pid,
					.broker = broker,
					.from = (uint8_t)from,
					.to = (uint8_t)to,
					.controller_id = 0,
					.controller_epoch = 1};
}

static void test_valid_replica_transition(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	static const int edges[][2] = {
		{KC_NON_EXISTENT_REPLICA, KC_NEW_REPLICA},
		{KC_NEW_REPLICA, KC_ONLINE_REPLICA},
		{KC_REPLICA_DELETION_INELIGIBLE, KC_ONLINE_REPLICA},
		{KC_OFFLINE_REPLICA, KC_OFFLINE_REPLICA},
		{KC_OFFLINE_REPLICA, KC_REPLICA_DELETION_STARTED},
		{KC_REPLICA_DELETION_STARTED, KC_REPLICA_DELETION_INELIGIBLE},
		{KC_REPLICA_DELETION_STARTED, KC_REPLICA_DELETION_SUCCESSFUL},
		{KC_REPLICA_DELETION_SUCCESSFUL, KC_NON_EXISTENT_REPLICA},
	};
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		struct kc_state_change sc = change(false, T0, 1, edges[i][0], edges[i][1], true);
		sim_check_state_change(&f.w, f.c, 0, &sc);
	}
	/* refused: a logged failure, not a change */
	struct kc_state_change sc = change(false, T0, 1, KC_ONLINE_REPLICA, KC_REPLICA_DELETION_STARTED, false);
	sim_check_state_change(&f.w, f.c, 0, &sc);
	after_event(&f);
	assert_held(&f);
	sc = change(false, T0, 1, KC_ONLINE_REPLICA, KC_REPLICA_DELETION_STARTED, true);
	sim_check_state_change(&f.w, f.c, 0, &sc);
	after_event(&f);
	assert_violation(&f, SIM_INV_VALID_REPLICA_TRANSITION,
			 "t-0: replica 1 moved from OnlineReplica to ReplicaDeletionStarted, not a valid previous state");
	fx_free(&f);
}

static void test_valid_partition_transition(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	static const int edges[][2] = {
		{KC_NON_EXISTENT_PARTITION, KC_NEW_PARTITION}, {KC_NEW_PARTITION, KC_ONLINE_PARTITION},
		{KC_ONLINE_PARTITION, KC_ONLINE_PARTITION},    {KC_ONLINE_PARTITION, KC_OFFLINE_PARTITION},
		{KC_OFFLINE_PARTITION, KC_NON_EXISTENT_PARTITION},
	};
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		struct kc_state_change sc = change(true, T1, -1, edges[i][0], edges[i][1], true);
		sim_check_state_change(&f.w, f.c, 0, &sc);
	}
	struct kc_state_change sc = change(true, T1, -1, KC_ONLINE_PARTITION, KC_NEW_PARTITION, false);
	sim_check_state_change(&f.w, f.c, 0, &sc);
	after_event(&f);
	assert_held(&f);
	sc = change(true, T1, -1, KC_ONLINE_PARTITION, KC_NON_EXISTENT_PARTITION, true);
	sim_check_state_change(&f.w, f.c, 0, &sc);
	after_event(&f);
	assert_violation(&f, SIM_INV_VALID_PARTITION_TRANSITION,
			 "t-1: partition moved from OnlinePartition to NonExistentPartition, not a valid previous state");
	fx_free(&f);
}

static void test_no_leader_to_new_replica(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	struct kc_state_change sc = change(false, T1, 2, KC_NON_EXISTENT_REPLICA, KC_NEW_REPLICA, true);
	sim_check_state_change(&f.w, f.c, 0, &sc);
	sc = change(false, T1, 1, KC_NON_EXISTENT_REPLICA, KC_NEW_REPLICA, false); /* Kafka refuses it */
	sim_check_state_change(&f.w, f.c, 0, &sc);
	after_event(&f);
	assert_held(&f);
	sc = change(false, T1, 1, KC_NON_EXISTENT_REPLICA, KC_NEW_REPLICA, true);
	sim_check_state_change(&f.w, f.c, 0, &sc);
	after_event(&f);
	assert_violation(&f, SIM_INV_NO_LEADER_TO_NEW_REPLICA,
			 "t-1: replica 1 entered NewReplica from NonExistentReplica while ZooKeeper names it the leader");
	fx_free(&f);
}

/* One event breaking two rules names the first in catalog order, whatever the hook order. */
static void test_catalog_order(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	const int32_t ar[] = {0, 1, 2};
	struct kc_lisr before = {.leader = 0, .isr_len = 3, .isr = {0, 1, 2}};
	struct kc_election e = election(KC_SEL_OFFLINE, &before, ar, 3, 1);
	sim_check_election(&f.w, f.c, 0, &e);
	zk_state(&f, T0, 1, 1, LIST(&f, 0, 2));
	after_event(&f);
	assert_violation(&f, SIM_INV_LEADER_IN_ISR, "t-0: leader 1 not in ISR [0,2]");
	fx_free(&f);
}

static void test_disabled_invariant_is_silent(void **state)
{
	(void)state;
	char yaml[512];
	snprintf(yaml, sizeof yaml, "%sinvariants: {disable: [leader_in_isr]}\n", BASE_YAML);
	struct fx f;
	fx_healthy(&f, yaml);
	zk_state(&f, T0, 2, 1, LIST(&f, 0, 1));
	after_event(&f);
	sim_check_end(&f.w, f.c);
	assert_held(&f);
	fx_free(&f);
}

/* ---- liveness ---- */

static void test_leader_alive(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	broker_gone(&f, 1); /* leads t-1 */
	zk_state(&f, T1, -1, 1, LIST(&f, 1)); /* the controller's ISR shrink: no leader */
	zk_state(&f, T0, 0, 1, LIST(&f, 0, 2));
	zk_state(&f, U0, 0, 1, LIST(&f, 0));
	sync_caches(&f);
	quiescent(&f);
	assert_held(&f);
	zk_state(&f, T1, 1, 2, LIST(&f, 1));
	quiescent(&f);
	assert_violation(&f, SIM_INV_LEADER_ALIVE, "t-1: leader 1 is not registered (leader epoch 2, ISR [1])");
	fx_free(&f);

	/* the registration goes while ZooKeeper still names the broker */
	fx_healthy(&f, BASE_YAML);
	broker_gone(&f, 1);
	quiescent(&f);
	assert_violation(&f, SIM_INV_LEADER_ALIVE, "t-1: leader 1 is not registered");
	fx_free(&f);
}

static void test_dead_replicas_leave_isr(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	f.w.now = 5000000;
	broker_gone(&f, 2); /* in t-0's and t-1's ISR */
	f.w.now += 20000000; /* replica_lag_time_max + isr_check_interval */
	quiescent(&f);
	assert_held(&f);
	f.w.now++;
	quiescent(&f);
	assert_violation(&f, SIM_INV_DEAD_REPLICAS_LEAVE_ISR,
			 "t-0: broker 2, unregistered since 5.000000s, is still in the ISR [0,1,2] at 25.000001s");
	fx_free(&f);

	/* kept as the last member (unclean off), or out of the ISR: held */
	fx_healthy(&f, BASE_YAML);
	broker_gone(&f, 2);
	zk_state(&f, T0, -1, 1, LIST(&f, 2));
	zk_state(&f, T1, 1, 1, LIST(&f, 1, 0));
	sync_caches(&f);
	f.w.now += 60000000;
	quiescent(&f);
	assert_held(&f);
	fx_free(&f);

	/* with unclean election on the last member must go too */
	fx_healthy(&f, BASE_YAML);
	broker_gone(&f, 1);
	zk_state(&f, T0, 0, 1, LIST(&f, 0, 2));
	zk_state(&f, T1, 2, 1, LIST(&f, 2, 0));
	zk_state(&f, U0, -1, 1, LIST(&f, 1));
	f.w.now += 60000000;
	quiescent(&f);
	assert_violation(&f, SIM_INV_DEAD_REPLICAS_LEAVE_ISR, "u-0: broker 1, unregistered since 0.000000s");
	fx_free(&f);
}

static void test_available_when_possible(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	zk_state(&f, T0, -1, 1, LIST(&f, 0, 1, 2));
	quiescent(&f);
	assert_violation(&f, SIM_INV_AVAILABLE_WHEN_POSSIBLE,
			 "t-0 has no leader (ISR [0,1,2], leader epoch 1) though broker 0 is live and in the ISR");
	fx_free(&f);

	/* no live ISR member, unclean off: nothing to elect */
	fx_healthy(&f, BASE_YAML);
	broker_gone(&f, 2);
	zk_state(&f, T0, -1, 1, LIST(&f, 2));
	zk_state(&f, T1, 1, 1, LIST(&f, 1, 0));
	sync_caches(&f);
	quiescent(&f);
	assert_held(&f);
	/* ... until the broker comes back */
	broker_up(&f, 2);
	for (uint32_t pid = 0; pid < 3; pid++)
		cache_zk(&f, 2, pid);
	quiescent(&f);
	assert_violation(&f, SIM_INV_AVAILABLE_WHEN_POSSIBLE, "t-0 has no leader (ISR [2], leader epoch 1) though broker 2");
	fx_free(&f);

	/* unclean on: any live assigned replica will do */
	fx_healthy(&f, BASE_YAML);
	broker_gone(&f, 1);
	zk_state(&f, T1, 2, 1, LIST(&f, 2, 0));
	zk_state(&f, U0, -1, 1, LIST(&f));
	quiescent(&f);
	assert_violation(&f, SIM_INV_AVAILABLE_WHEN_POSSIBLE,
			 "u-0 has no leader (ISR [], leader epoch 1) though broker 0 is live and an assigned replica, with unclean election on");
	fx_free(&f);
}

/* A partition whose topic is queued for deletion is exempt. */
static void test_available_exempts_deleting_topics(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	sim_zk_queue_delete(&f.w.zk, T);
	broker_gone(&f, 2); /* the deletion cannot complete */
	zk_state(&f, T0, -1, 1, LIST(&f, 0, 1));
	quiescent(&f);
	assert_held(&f);
	fx_free(&f);
}

static void test_metadata_converges(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	zk_state(&f, T0, 0, 1, LIST(&f, 0, 1, 2));
	for (uint32_t b = 0; b < 2; b++)
		cache_zk(&f, b, T0);
	quiescent(&f);
	assert_violation(&f, SIM_INV_METADATA_CONVERGES,
			 "t-0: broker 2 caches leader 0, leader epoch 0; ZooKeeper has leader 0, leader epoch 1");
	fx_free(&f);

	/* a reassignment in progress is exempt; its end is not */
	fx_healthy(&f, BASE_YAML);
	struct sim_zk_admin_entry a = {.topic = T, .partition = 0, .replicas = LIST(&f, 0, 1, 2)};
	assert_true(sim_zk_write_reassign(&f.w.zk, &a, 1));
	zk_state(&f, T0, 0, 1, LIST(&f, 0, 1, 2));
	quiescent(&f);
	assert_held(&f);
	sim_zk_controller_write_reassign(&f.w.zk, NULL, 0);
	quiescent(&f);
	assert_violation(&f, SIM_INV_METADATA_CONVERGES, "t-0: broker 0 caches leader 0, leader epoch 0");
	fx_free(&f);

	/* a broker that joins with an empty cache */
	fx_healthy(&f, BASE_YAML);
	broker_gone(&f, 2);
	quiescent(&f);
	assert_held(&f);
	broker_up(&f, 2);
	quiescent(&f);
	assert_violation(&f, SIM_INV_METADATA_CONVERGES, "t-0: broker 2 caches nothing; ZooKeeper has leader 0");
	fx_free(&f);

	/* ... or restarts between two quiescent points, live at both */
	fx_healthy(&f, BASE_YAML);
	broker_gone(&f, 2);
	broker_up(&f, 2);
	quiescent(&f);
	assert_violation(&f, SIM_INV_METADATA_CONVERGES, "t-0: broker 2 caches nothing; ZooKeeper has leader 0");
	fx_free(&f);
}

static void test_metadata_isr_converges(void **state)
{
	(void)state;
	char yaml[512];
	snprintf(yaml, sizeof yaml, "%sinvariants: {enable: [metadata_isr_converges]}\n", BASE_YAML);
	struct fx f;
	fx_healthy(&f, yaml);
	zk_state(&f, T1, 1, 0, LIST(&f, 1, 2)); /* the leader shrinks the ISR; nobody tells the brokers */
	cache_zk(&f, 1, T1);
	quiescent(&f);
	assert_violation(&f, SIM_INV_METADATA_ISR_CONVERGES, "t-1: broker 0 caches ISR [1,2,0]; ZooKeeper has ISR [1,2]");
	fx_free(&f);

	fx_healthy(&f, yaml);
	zk_state(&f, T1, 1, 0, LIST(&f, 2, 1, 0)); /* ISRs compare as sets */
	quiescent(&f);
	assert_held(&f);
	fx_free(&f);
}

static void test_deletion_completes(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	sim_zk_queue_delete(&f.w.zk, U);
	quiescent(&f);
	assert_violation(&f, SIM_INV_DELETION_COMPLETES,
			 "topic u is queued for deletion with every replica on a live broker, yet still has its topic znode and 1 state znodes");
	fx_free(&f);

	/* a replica on a dead broker: 0.8.2 waits */
	fx_healthy(&f, BASE_YAML);
	zk_state(&f, U0, 0, 1, LIST(&f, 0));
	broker_gone(&f, 1);
	zk_state(&f, T0, 0, 1, LIST(&f, 0, 2));
	zk_state(&f, T1, 2, 1, LIST(&f, 2, 0));
	sync_caches(&f);
	sim_zk_queue_delete(&f.w.zk, U);
	quiescent(&f);
	assert_held(&f);
	/* deleted: held */
	broker_up(&f, 1);
	for (uint32_t pid = 0; pid < 3; pid++)
		cache_zk(&f, 1, pid);
	sim_zk_delete_topic(&f.w.zk, U);
	quiescent(&f);
	assert_held(&f);
	fx_free(&f);

	/* delete_topic_enable off: nothing is being deleted */
	fx_healthy(&f, BASE_YAML);
	f.sc.config.delete_topic_enable = false;
	sim_zk_queue_delete(&f.w.zk, U);
	quiescent(&f);
	sim_check_end(&f.w, f.c);
	assert_held(&f);
	fx_free(&f);
}

/* u-0 [0,1] -> [1,2]: the controller admits it and runs the first pass (2 is not in the ISR). */
static void admit_reassignment(struct fx *f)
{
	const int32_t rar[] = {1, 2};
	struct sim_zk_admin_entry a = {.topic = U, .partition = 0, .replicas = list(f, rar, 2)};
	assert_true(sim_zk_write_reassign(&f->w.zk, &a, 1));
	struct kc_admin_entry e = {.topic = U, .partition = 0, .n_replicas = 2, .replicas = rar};
	f->w.running_ctrl = 0;
	kc_on_reassign_change(f->w.bk[0].kc, &e, 1);
	f->w.running_ctrl = -1;
	assert_true(kc_partition_being_reassigned(f->w.bk[0].kc, U0));
	after_event(f);
}

static void test_reassignment_completes(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	admit_reassignment(&f);
	quiescent(&f); /* broker 2 is catching up */
	assert_held(&f);
	const struct sim_zk_state *s = &f.w.zk.states[U0];
	zk_state(&f, U0, s->leader, s->leader_epoch, LIST(&f, 0, 1, 2)); /* ... and joins the ISR */
	quiescent(&f);
	assert_violation(&f, SIM_INV_REASSIGNMENT_COMPLETES,
			 "reassignment of u-0 to [1,2] was admitted and every new replica is live and in the ISR, yet the assignment is [1,2,0]");
	fx_free(&f);

	/* at the end of the run nothing is left to wait for */
	fx_healthy(&f, BASE_YAML);
	admit_reassignment(&f);
	quiescent(&f);
	assert_held(&f);
	sim_check_end(&f.w, f.c);
	assert_violation(&f, SIM_INV_REASSIGNMENT_COMPLETES, "reassignment of u-0 to [1,2] was admitted and every new replica is live, yet");
	fx_free(&f);

	/* a new replica dead: no promise */
	fx_healthy(&f, BASE_YAML);
	admit_reassignment(&f);
	broker_gone(&f, 2);
	quiescent(&f);
	sim_check_end(&f.w, f.c);
	assert_held(&f);
	fx_free(&f);
}

/* The reassigned selector during a reassignment: the first RAR member live and in the ISR. */
static void test_election_rule_reassigned(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	admit_reassignment(&f); /* u-0 -> [1, 2]; the ISR is [0, 1] */
	const int32_t rar[] = {1, 2};
	struct kc_lisr before = {.leader = 0, .leader_epoch = 1, .isr_len = 2, .isr = {0, 1}};
	struct kc_election e = election(KC_SEL_REASSIGNED, &before, rar, 2, 1);
	e.pid = U0;
	sim_check_election(&f.w, f.c, 0, &e);
	after_event(&f);
	assert_held(&f);
	e.leader = 2;
	sim_check_election(&f.w, f.c, 0, &e);
	after_event(&f);
	assert_violation(&f, SIM_INV_ELECTION_RULE,
			 "u-0: reassigned election chose broker 2; controller.md section 4 picks broker 1 (RAR [1,2], ISR read [0,1]");
	fx_free(&f);
}

/* The end recomputes from scratch: a state no hook reported is still judged. */
static void test_end_from_scratch(void **state)
{
	(void)state;
	struct fx f;
	fx_healthy(&f, BASE_YAML);
	quiescent(&f);
	f.w.zk.observe = NULL;
	zk_state(&f, T1, 0, 0, LIST(&f, 1, 2));
	f.w.zk.states[T1].version = 0; /* as if the write never happened, for the baseline */
	f.w.events++;                   /* not at a quiescent point: safety only */
	sim_check_end(&f.w, f.c);
	assert_violation(&f, SIM_INV_LEADER_IN_ISR, "t-1: leader 0 not in ISR [1,2]");
	fx_free(&f);

	/* liveness at the end only where the run ends at a quiescent point */
	fx_healthy(&f, BASE_YAML);
	quiescent(&f);
	broker_gone(&f, 1);
	f.w.events++;
	sim_check_end(&f.w, f.c);
	assert_held(&f);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_cluster_holds),
		cmocka_unit_test(test_leader_in_isr),
		cmocka_unit_test(test_isr_subset_of_replicas),
		cmocka_unit_test(test_isr_subset_during_reassignment),
		cmocka_unit_test(test_epochs_monotonic_zookeeper),
		cmocka_unit_test(test_epochs_monotonic_broker),
		cmocka_unit_test(test_single_controller_per_epoch),
		cmocka_unit_test(test_no_stale_request_applied),
		cmocka_unit_test(test_single_leader_per_epoch),
		cmocka_unit_test(test_election_rule),
		cmocka_unit_test(test_election_rule_unclean),
		cmocka_unit_test(test_valid_replica_transition),
		cmocka_unit_test(test_valid_partition_transition),
		cmocka_unit_test(test_no_leader_to_new_replica),
		cmocka_unit_test(test_catalog_order),
		cmocka_unit_test(test_disabled_invariant_is_silent),
		cmocka_unit_test(test_leader_alive),
		cmocka_unit_test(test_dead_replicas_leave_isr),
		cmocka_unit_test(test_available_when_possible),
		cmocka_unit_test(test_available_exempts_deleting_topics),
		cmocka_unit_test(test_metadata_converges),
		cmocka_unit_test(test_metadata_isr_converges),
		cmocka_unit_test(test_deletion_completes),
		cmocka_unit_test(test_reassignment_completes),
		cmocka_unit_test(test_election_rule_reassigned),
		cmocka_unit_test(test_end_from_scratch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
