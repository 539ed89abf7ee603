/* kc_teststore.h — test doubles for the core's unit tests, never part of libkc.a: an in-memory
 * metadata store that really implements struct kc_store (znode versions, conditional writes,
 * watches, a log of every call), a recording struct kc_sink with query helpers, and a fixture
 * that ties both to one controller. Lists in helper arguments are strings ("1,2,3"; "" = empty;
 * topic assignments "1,2,3;2,3,1" = partition 0, partition 1). */
#ifndef KC_TESTSTORE_H
#define KC_TESTSTORE_H

#include "kc.h"

#define KC_TS_ANY UINT32_MAX /* wildcard for pid/topic/broker filters */

/* ---- the store ------------------------------------------------------------------------------ */
struct kc_ts;

/* Every data call the core makes, in the shape of struct kc_store (bulk and watch excluded). */
enum kc_ts_op {
	KC_TS_READ_EPOCH,
	KC_TS_SET_EPOCH,
	KC_TS_CREATE_EPOCH,
	KC_TS_LIST_BROKERS,
	KC_TS_BROKER_EXISTS,
	KC_TS_LIST_TOPICS,
	KC_TS_READ_TOPIC,
	KC_TS_WRITE_TOPIC,
	KC_TS_READ_UNCLEAN,
	KC_TS_READ_STATE,
	KC_TS_CREATE_STATE,
	KC_TS_UPDATE_STATE,
	KC_TS_LIST_DELETE,
	KC_TS_DELETE_ADMIN_DELETE,
	KC_TS_DELETE_TOPIC_PATHS,
	KC_TS_READ_REASSIGN,
	KC_TS_WRITE_REASSIGN,
	KC_TS_READ_PREFERRED,
	KC_TS_DELETE_PREFERRED,
	KC_TS_OP_COUNT
};

struct kc_ts *kc_ts_new(void);
void kc_ts_free(struct kc_ts *ts);
const struct kc_store *kc_ts_store(struct kc_ts *ts);

/* /controller_epoch: set it outright; read it; make "another controller" write `epoch` right
 * after the next read_controller_epoch returns, or (at_create) just before the next
 * create_controller_epoch runs: the races of spec §6.1 step 3. */
void kc_ts_put_controller_epoch(struct kc_ts *ts, int32_t epoch, int32_t version);
bool kc_ts_controller_epoch(const struct kc_ts *ts, int32_t *epoch, int32_t *version);
void kc_ts_race_controller_epoch(struct kc_ts *ts, int32_t epoch, bool at_create);

/* /brokers/ids */
void kc_ts_register(struct kc_ts *ts, int32_t broker);
void kc_ts_register_ids(struct kc_ts *ts, const char *brokers); /* each of a list: "1,2,3" */
void kc_ts_unregister(struct kc_ts *ts, int32_t broker);
uint32_t kc_ts_brokers(const struct kc_ts *ts, const int32_t **ids);

/* Topics. A name keeps its id forever; pids are stable per (topic, partition number). */
uint32_t kc_ts_topic_id(struct kc_ts *ts, const char *name);
uint32_t kc_ts_create_topic(struct kc_ts *ts, const char *name, const char *assignment);
uint32_t kc_ts_add_partition(struct kc_ts *ts, uint32_t topic, const char *replicas);
void kc_ts_set_replicas(struct kc_ts *ts, uint32_t pid, const char *replicas);
bool kc_ts_topic_exists(const struct kc_ts *ts, uint32_t topic);
uint32_t kc_ts_pid(const struct kc_ts *ts, uint32_t topic, uint32_t partition);
uint32_t kc_ts_partition_count(const struct kc_ts *ts, uint32_t topic);
/* The topic znode's replica list for pid (false if the partition is not in the znode). */
bool kc_ts_replicas(const struct kc_ts *ts, uint32_t pid, const int32_t **r, uint32_t *n);
/* unclean.leader.election.enable override: -1 none, 0 false, 1 true. */
void kc_ts_set_unclean(struct kc_ts *ts, uint32_t topic, int override);

/* Partition state znodes. */
struct kc_lisr kc_ts_lisr(int32_t leader, int32_t leader_epoch, const char *isr,
			  int32_t controller_epoch, int32_t zk_version);
void kc_ts_put_state(struct kc_ts *ts, uint32_t pid, const struct kc_lisr *v); /* exact version */
/* kc_ts_put_state of kc_ts_lisr(leader, leader_epoch, isr, controller_epoch, zk_version). */
void kc_ts_put_lisr(struct kc_ts *ts, uint32_t pid, int32_t leader, int32_t leader_epoch,
		    const char *isr, int32_t controller_epoch, int32_t zk_version);
bool kc_ts_state(const struct kc_ts *ts, uint32_t pid, struct kc_lisr *out);
void kc_ts_drop_state(struct kc_ts *ts, uint32_t pid);
/* What a partition leader does (spec §5): new ISR, same epochs, data version + 1. */
void kc_ts_leader_sets_isr(struct kc_ts *ts, uint32_t pid, const char *isr);
/* Another writer replaces the znode (version + 1) right after the next read_state(pid). */
void kc_ts_race_state(struct kc_ts *ts, uint32_t pid, const struct kc_lisr *v);

/* /admin paths */
void kc_ts_add_delete_topic(struct kc_ts *ts, uint32_t topic);
bool kc_ts_delete_topic_listed(const struct kc_ts *ts, uint32_t topic);
void kc_ts_put_reassign(struct kc_ts *ts, const struct kc_admin_entry *e, uint32_t n);
/* False when the znode is absent; entries stay valid until the next kc_ts_ call. */
bool kc_ts_reassign(struct kc_ts *ts, const struct kc_admin_entry **e, uint32_t *n);
void kc_ts_put_preferred(struct kc_ts *ts, const struct kc_admin_entry *e, uint32_t n);
bool kc_ts_preferred(struct kc_ts *ts, const struct kc_admin_entry **e, uint32_t *n);

/* Watch registrations: on now (id KC_TS_ANY: any id of that kind); how many are on now. */
bool kc_ts_watch_on(const struct kc_ts *ts, enum kc_watch kind, uint32_t id);
uint32_t kc_ts_watches_on(const struct kc_ts *ts);

/* The call log since the last reset: counts (id = pid, topic or KC_TS_ANY), position of the
 * nth matching call (-1 if none), totals; and whether bulk brackets are balanced. */
uint32_t kc_ts_ops(const struct kc_ts *ts, enum kc_ts_op op, uint32_t id);
int kc_ts_op_index(const struct kc_ts *ts, enum kc_ts_op op, uint32_t id, uint32_t nth);
uint32_t kc_ts_reads(const struct kc_ts *ts);
uint32_t kc_ts_writes(const struct kc_ts *ts);
void kc_ts_reset_ops(struct kc_ts *ts);
bool kc_ts_bulk_balanced(const struct kc_ts *ts);

/* ---- the recording sink ------------------------------------------------------------------- */
struct kc_ts_entry {
	uint32_t pid;
	int32_t leader, leader_epoch, controller_epoch, zk_version;
	uint32_t isr_len, ar_len;
	int32_t isr[KC_MAX_REPLICAS];
	int32_t ar[KC_MAX_REPLICAS];
};

struct kc_ts_req {
	enum kc_request_type type;
	int32_t controller_id, controller_epoch;
	uint32_t correlation_id;
	uint32_t n_to, n_entries, n_leaders, n_live;
	int32_t *to, *leaders, *live;
	struct kc_ts_entry *entries;
	uint32_t stop_pid;
	bool stop_delete, stop_wants_response;
};

struct kc_ts_election {
	uint32_t pid;
	enum kc_selector selector;
	bool has_before;
	struct kc_lisr before;
	uint32_t ar_len, isr_len;
	int32_t ar[KC_MAX_REPLICAS];
	bool ok, unclean;
	int32_t leader;
	int32_t isr[KC_MAX_REPLICAS];
};

struct kc_ts_channel_event {
	int32_t broker;
	bool open;
};

struct kc_ts_rec {
	struct kc_sink sink;
	struct kc_ts_req *req;
	uint32_t n_req, cap_req;
	struct kc_state_change *chg;
	uint32_t n_chg, cap_chg;
	struct kc_ts_election *el;
	uint32_t n_el, cap_el;
	struct kc_ts_channel_event *ch;
	uint32_t n_ch, cap_ch;
	uint32_t malformed;     /* requests that break kc.h's shape rules */
	char malformed_why[200];
};

void kc_ts_rec_init(struct kc_ts_rec *r);
void kc_ts_rec_free(struct kc_ts_rec *r);
void kc_ts_rec_clear(struct kc_ts_rec *r);

/* Requests of a type to a broker (KC_TS_ANY: any), counting each recipient once. */
uint32_t kc_ts_count(const struct kc_ts_rec *r, enum kc_request_type type, uint32_t broker);
/* LeaderAndIsr / UpdateMetadata requests to broker that carry pid; the last such entry. */
uint32_t kc_ts_lair_count(const struct kc_ts_rec *r, uint32_t broker, uint32_t pid);
const struct kc_ts_entry *kc_ts_lair(const struct kc_ts_rec *r, uint32_t broker, uint32_t pid);
uint32_t kc_ts_umr_count(const struct kc_ts_rec *r, uint32_t broker, uint32_t pid);
const struct kc_ts_entry *kc_ts_umr(const struct kc_ts_rec *r, uint32_t broker, uint32_t pid);
/* StopReplica(pid) to broker; del: 0 no-delete, 1 delete, -1 either. */
uint32_t kc_ts_stop_count(const struct kc_ts_rec *r, uint32_t broker, uint32_t pid, int del);
/* Index in r->req of the nth request of type to broker carrying pid (-1 if none). */
int kc_ts_req_index(const struct kc_ts_rec *r, enum kc_request_type type, uint32_t broker,
		    uint32_t pid, uint32_t nth);
/* State-change records; to/applied -1 = any, broker ignored for partitions. */
uint32_t kc_ts_changes(const struct kc_ts_rec *r, bool is_partition, uint32_t pid, uint32_t broker,
		       int to, int applied);
const struct kc_state_change *kc_ts_change(const struct kc_ts_rec *r, bool is_partition,
					   uint32_t pid, uint32_t broker, int to, int applied);
uint32_t kc_ts_refusals(const struct kc_ts_rec *r, enum kc_reason reason);
uint32_t kc_ts_elections(const struct kc_ts_rec *r, uint32_t pid);
const struct kc_ts_election *kc_ts_election(const struct kc_ts_rec *r, uint32_t pid);
uint32_t kc_ts_channel_events(const struct kc_ts_rec *r, int32_t broker, bool open);
/* Spec §8.3 within each flush (one correlation id): LeaderAndIsr (brokers ascending), then
 * UpdateMetadata, then StopReplica; correlation ids increase from flush to flush. */
bool kc_ts_flush_order_ok(const struct kc_ts_rec *r);

/* ---- fixture -------------------------------------------------------------------------------- */
struct kc_ts_fx {
	struct kc_ts *ts;
	struct kc_ts_rec rec;
	struct kc_config cfg;
	struct kc_controller *c;
};

/* Store, recorder and a 0.8.2 config (controller broker 1, delete enabled, unclean off,
 * auto rebalance off, 10 %). No controller yet. */
struct kc_ts_fx *kc_ts_fx_new(void);
void kc_ts_fx_free(struct kc_ts_fx *fx);
/* Create the controller from fx->cfg (once). */
struct kc_controller *kc_ts_fx_controller(struct kc_ts_fx *fx);
/* Put /controller_epoch = epoch, kc_load_initial, then give every entry failover's initial
 * state (§2.5, §3.5), then forget what the set-up recorded. */
void kc_ts_fx_load(struct kc_ts_fx *fx, int32_t epoch);
/* Forget recorded requests/changes/elections and the call log. */
void kc_ts_fx_mark(struct kc_ts_fx *fx);
/* Watch handlers fed with what the store holds now (what the watcher's client read). */
void kc_ts_fx_brokers_changed(struct kc_ts_fx *fx);
void kc_ts_fx_topics_changed(struct kc_ts_fx *fx);
void kc_ts_fx_delete_topics_changed(struct kc_ts_fx *fx);
void kc_ts_fx_reassign_changed(struct kc_ts_fx *fx);
void kc_ts_fx_preferred_changed(struct kc_ts_fx *fx);
/* Harness invariants after every test: bulk brackets balanced, every state write conditional,
 * every request well formed. */
void kc_ts_fx_check(struct kc_ts_fx *fx);
/* cmocka set-up and tear-down for tests whose state is a bare fixture: kc_ts_fx_new, then
 * kc_ts_fx_check and kc_ts_fx_free; kc_ts_fx_test(f) is test f between the two. */
int kc_ts_fx_setup(void **state);
int kc_ts_fx_teardown(void **state);
#define kc_ts_fx_test(f) cmocka_unit_test_setup_teardown(f, kc_ts_fx_setup, kc_ts_fx_teardown)

/* ---- assertions with readable failures ------------------------------------------------------- */
uint32_t kc_ts_parse_ids(const char *s, int32_t *out, uint32_t cap);
void kc_ts_check_ids(const int32_t *a, uint32_t n, const char *want, bool as_set,
		     const char *file, int line);
void kc_ts_check_entry(const struct kc_ts_entry *e, int32_t leader, int32_t leader_epoch,
		       const char *isr, int32_t controller_epoch, int32_t zk_version,
		       const char *file, int line);
void kc_ts_check_state(const struct kc_ts *ts, uint32_t pid, int32_t leader, int32_t leader_epoch,
		       const char *isr, int32_t controller_epoch, int32_t zk_version,
		       const char *file, int line);

#define kc_ts_assert_ids(a, n, want) kc_ts_check_ids((a), (n), (want), false, __FILE__, __LINE__)
#define kc_ts_assert_idset(a, n, want) kc_ts_check_ids((a), (n), (want), true, __FILE__, __LINE__)
/* An entry's leader, leader epoch, ISR (in order), controller epoch and zkVersion. */
#define kc_ts_assert_entry(e, leader, epoch, isr, cepoch, zkv) \
	kc_ts_check_entry((e), (leader), (epoch), (isr), (cepoch), (zkv), __FILE__, __LINE__)
/* The state znode of pid holds exactly these values. */
#define kc_ts_assert_state(ts, pid, leader, epoch, isr, cepoch, zkv) \
	kc_ts_check_state((ts), (pid), (leader), (epoch), (isr), (cepoch), (zkv), __FILE__, __LINE__)

#endif
