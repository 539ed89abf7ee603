/* sim_check_int.h — the invariant checker's private state, shared by its two halves:
 * sim_check.c (life cycle, hooks, safety, the end of the run) and sim_check_live.c (liveness at
 * quiescent points). No other module includes it.
 *
 * What is kept, and why (spec/invariants.md, architecture S12): safety is judged after every
 * event on the partitions the event changed (a dirty list); liveness on counters and candidate
 * lists that the hooks maintain, so that a quiescent point costs what changed since the last
 * one, not the number of partitions. Candidates may be false alarms (they are re-checked
 * exactly before anything is reported); a partition that can be bad must never be missing from
 * them. The end of the run recomputes everything from scratch; -DSIM_DEBUG_CHECK builds compare
 * the two at every quiescent point and at the end, and abort on a difference. */
#ifndef SIM_CHECK_INT_H
#define SIM_CHECK_INT_H

#include <stdarg.h>

#include "sim_check.h"

#define SIM_CHK_MSG 480 /* fits sim_observer.violation_detail with room to spare */

/* Per-partition flags. */
enum {
	CHK_SAFE_DIRTY = 1u << 0, /* ZooKeeper changed it in this event: safety re-check */
	CHK_LIVE_DIRTY = 1u << 1, /* its counted leader / ISR need a refresh */
	CHK_AVAIL_CAND = 1u << 2, /* may break available_when_possible */
	CHK_META_CAND = 1u << 3,  /* a broker's cache may disagree with ZooKeeper */
	CHK_LEADERLESS = 1u << 4, /* on the leaderless list */
	CHK_LISTED = 1u << 5,     /* in /admin/reassign_partitions */
	CHK_WATCHED = 1u << 6,    /* an admitted reassignment followed to its completion */
};

/* Per-broker flags. */
enum {
	CHK_BK_DIRTY = 1u << 0,   /* registration or process changed: refresh at quiescence */
	CHK_BK_SUSPECT = 1u << 1, /* on the suspect list (unregistered, counted somewhere) */
	CHK_BK_SCAN = 1u << 2,    /* its whole metadata cache is to be compared */
};

struct sim_chk_part {
	/* epochs_monotonic: the state znode as last seen (czxid 0: none) */
	uint64_t czxid;
	int32_t version, epoch;
	/* single_leader_per_epoch: the two latest leader epochs acted on, and by whom (index) */
	int32_t lead_epoch[2], lead_broker[2];
	/* what the per-broker counters hold for this partition */
	int32_t counted_leader;   /* broker index, -1 none */
	uint32_t counted_isr;     /* ISR list id, 0 none */
	uint8_t flags;
};

struct sim_chk_bk {
	/* epochs_monotonic, no_stale_request_applied: per broker incarnation */
	uint32_t inc;
	int32_t accepted_epoch;   /* highest controller epoch it applied in inc, -1 none */
	/* single_controller_per_epoch */
	bool active;
	int32_t active_epoch;
	/* liveness */
	bool registered;          /* as last seen by the ZooKeeper hook */
	uint64_t gone_since;      /* registration gone since (SIM_NEVER while registered) */
	bool meta_live;           /* registered in this incarnation and up, as last refreshed */
	uint32_t lead_count;      /* partitions ZooKeeper names it the leader of (counted) */
	uint32_t isr_count;       /* ISRs it is counted in (exempt ones left out) */
	uint8_t flags;
};

struct sim_u32v {
	uint32_t *v;
	uint32_t n, cap;
};

/* An admitted reassignment being followed: the partition and its target replicas. */
struct sim_chk_reassign {
	uint32_t pid;
	uint32_t rar; /* sim_lists id, Kafka ids */
};

/* One evaluation of the liveness invariants: which are violated, and the first message. */
struct sim_chk_verdict {
	bool bad[SIM_INVARIANT_COUNT];
	char msg[SIM_INVARIANT_COUNT][SIM_CHK_MSG];
};

struct sim_check {
	bool synced;              /* the baseline was taken after start-up */
	uint32_t n_parts, n_brokers, n_topics;
	struct sim_chk_part *part;
	struct sim_chk_bk *bk;
	bool *del_queued;         /* /admin/delete_topics as last seen, per topic */

	/* safety violations found during this event, reported after it in catalog order */
	bool pend[SIM_INVARIANT_COUNT];
	bool any_pend;            /* some pend[] is set: most events have nothing to report */
	char pend_msg[SIM_INVARIANT_COUNT][SIM_CHK_MSG];

	/* single_controller_per_epoch */
	int32_t max_active_epoch;
	int32_t *epoch_owner;     /* Kafka id of the controller acting with each epoch, -1 none */
	uint32_t n_epoch_owner;

	/* work lists (each entry's flag says it is on the list) */
	struct sim_u32v safe_dirty, live_dirty, avail_cand, meta_cand, leaderless;
	struct sim_u32v bk_dirty, suspects, meta_scan; /* broker indexes */
	struct sim_u32v meta_reps; /* live brokers, one per shared cache (sim_check_live.c) */
	struct sim_u32v queued;   /* topics queued for deletion (may hold stale ones) */
	/* moves on whenever metadata candidates are cleared: entries judged under the same value
	 * need no second look (sim_check_meta_entries) */
	uint64_t meta_epoch;
	struct sim_u32v listed;   /* pids in /admin/reassign_partitions as last seen */
	struct sim_chk_reassign *watched;
	uint32_t n_watched, cap_watched;
	bool walk_leaderless;     /* a broker became live: every leaderless partition is a candidate */
	bool del_dirty, rs_dirty; /* deletion / reassignment inputs changed */

	/* the last quiescent point (the end judges liveness only if nothing ran since) */
	bool quiescent_seen;
	uint64_t quiescent_events;

	struct sim_chk_verdict inc, scratch;
};

/* ---- sim_check.c: shared helpers ---- */
void sim_chk_push(struct sim_u32v *v, uint32_t x);
/* Put pid on list v unless its flag says it is there. */
void sim_chk_mark(struct sim_check *c, uint32_t pid, uint8_t flag, struct sim_u32v *v);
static inline bool sim_chk_on(const struct sim_world *w, enum sim_invariant inv) { return w->sc->invariant_on[inv]; }
/* "orders-0" */
const char *sim_chk_pname(const struct sim_world *w, uint32_t pid, char *buf, size_t n);
/* "[0,1,2]" of a sim_lists id or of an array of Kafka ids */
const char *sim_chk_lname(const struct sim_world *w, uint32_t list, char *buf, size_t n);
const char *sim_chk_aname(const int32_t *v, uint32_t len, char *buf, size_t n);
/* "7.000200s" */
const char *sim_chk_time(uint64_t t_us, char *buf, size_t n);
/* The partition's assignment in its topic znode, or NULL when it does not exist. */
static inline const struct kc_assigned *sim_chk_assigned(const struct sim_world *w, uint32_t pid)
{
	if (!sim_partition_exists(w, pid))
		return NULL;
	return &w->zk.topics[w->pid_topic[pid]].view[w->pid_number[pid]];
}
static inline bool sim_chk_has(const int32_t *v, uint32_t n, int32_t x)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}
/* unclean.leader.election.enable for the topic: its override, else the config default. */
static inline bool sim_chk_unclean(const struct sim_world *w, uint32_t topic)
{
	int8_t o = w->zk.topics[topic].unclean;
	return o >= 0 ? o != 0 : w->cfg->unclean_leader_election;
}
/* The topic is being deleted (queued, and deletion is enabled). */
static inline bool sim_chk_deleting(const struct sim_world *w, uint32_t topic)
{
	return w->cfg->delete_topic_enable && w->zk.delete_queued[topic];
}
static inline bool sim_chk_registered(const struct sim_world *w, int32_t id)
{
	int32_t b = sim_bidx(w, id);
	return b >= 0 && w->zk.registered[b];
}
/* Put broker b on the suspect list (unregistered, yet counted as a leader or ISR member). */
void sim_chk_suspect(struct sim_check *c, uint32_t b);

/* ---- sim_check_live.c ---- */
/* Bring counters and candidate lists up to date with what the hooks marked. */
void sim_chk_live_refresh(struct sim_world *w, struct sim_check *c);
/* Judge liveness now from counters and candidates (end: the end of the run's stricter rule). */
void sim_chk_live_eval(struct sim_world *w, struct sim_check *c, bool end, struct sim_chk_verdict *v);
/* The same from scratch, over every partition, broker and topic. */
void sim_chk_live_scratch(struct sim_world *w, struct sim_check *c, bool end, struct sim_chk_verdict *v);
/* Broker b's cached leader and epoch (isr: its ISR) for pid differ from ZooKeeper's. */
bool sim_chk_meta_mismatch(const struct sim_world *w, uint32_t b, uint32_t pid, bool isr);
#ifdef SIM_DEBUG_CHECK
/* Recount the per-broker counters from scratch and compare (aborts on a difference). */
void sim_chk_live_audit(struct sim_world *w, struct sim_check *c);
#endif

#endif
