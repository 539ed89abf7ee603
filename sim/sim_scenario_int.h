/* sim_scenario_int.h — what the scenario loader's files share: the loader state (struct
 * sim_ld), error reporting, and the readers of typed values and of references. No other module
 * includes it.
 *
 * The files, one job each (the order of the passes is in sim_scenario.c):
 *   sim_scenario.c          entry points, the passes, top-level scalars, invariants, inject
 *   sim_scenario_read.c     errors at FILE:LINE:COLUMN; scalars, names, states, maps of keys,
 *                           the shape of timeline and expect entries
 *   sim_scenario_refs.c     references: brokers, the topic table, partitions, assignments
 *   sim_scenario_config.c   config: defaults and the settings table
 *   sim_scenario_set.c      `--set` overrides applied to the tree
 *   sim_scenario_cluster.c  cluster and the brokers add_broker declares
 *   sim_scenario_topics.c   topics, topic_sets and the names initial and create_topic imply
 *   sim_scenario_initial.c  initial (a cluster's state written out instead of a start-up)
 *   sim_scenario_timeline.c timeline entries
 *   sim_scenario_expect.c   expect entries
 *
 * Every reader returns false after writing the message to ld->err; its caller returns false
 * at once, so the first error in reading order is the one reported. */
#ifndef SIM_SCENARIO_INT_H
#define SIM_SCENARIO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_scenario.h"
#include "sim_yaml.h"

#if defined(__GNUC__)
#define SIM_SCN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SIM_SCN_PRINTF(f, a)
#endif

#define SIM_N(a) (sizeof(a) / sizeof((a)[0]))

#define SIM_NAME_EXPECTED "1-200 characters from [A-Za-z0-9._-], not starting with '.'"
#define SIM_PREF_EXPECTED "a partition named TOPIC-N, such as orders-0"

/* ---- loader state ------------------------------------------------------------------------- */
enum {
	SIM_K_NAME, SIM_K_DESCRIPTION, SIM_K_SEED, SIM_K_PROFILE, SIM_K_CONFIG, SIM_K_CLUSTER,
	SIM_K_TOPICS, SIM_K_TOPIC_SETS, SIM_K_STARTUP, SIM_K_INITIAL, SIM_K_TIMELINE, SIM_K_EXPECT,
	SIM_K_INVARIANTS, SIM_K_INJECT, SIM_K_RUN_UNTIL, SIM_K_MAX_TIME, SIM_K_COUNT
};
extern const char *const sim_ld_top_keys[SIM_K_COUNT];

struct sim_ld_added {
	int32_t id;
	uint32_t node;
};

struct sim_ld {
	const char *path;
	const char *const *ovr;
	struct sim_ydoc doc;
	struct sim_scenario *sc;
	struct sim_error *err;
	uint32_t root;
	uint32_t top[SIM_K_COUNT];     /* value nodes, SIM_YNONE when absent */
	uint32_t top_key[SIM_K_COUNT]; /* key nodes */
	uint32_t *name_off;            /* per topic: its name in sc->names_ */
	uint32_t cap_topics;
	uint32_t *tl_args;             /* per timeline entry: the action's value node */
	uint32_t *stamp;               /* per broker index: the last list that named it */
	uint32_t stamp_gen;
	struct sim_ld_added *added;    /* add_broker ids, from the first look at the timeline */
	uint32_t n_added, cap_added;
};

/* ---- errors (sim_scenario_read.c) --------------------------------------------------------- */
/* Reports at node's position, or at 1:1 of the file when node is SIM_YNONE; always false. */
bool sim_ld_fail(struct sim_ld *ld, uint32_t node, const char *fmt, ...) SIM_SCN_PRINTF(3, 4);
/* Reports against the k-th `--set` option; always false. */
bool sim_ld_fail_set(struct sim_ld *ld, size_t k, const char *fmt, ...) SIM_SCN_PRINTF(3, 4);
bool sim_ld_oom(struct sim_ld *ld, uint32_t node);
const char *sim_ld_excerpt(const char *s, size_t len, char *buf, size_t size);
const char *sim_ld_got(struct sim_ld *ld, uint32_t node, char *buf, size_t size);
const char *sim_ld_join(const char *const *names, size_t n, char *buf, size_t size);

/* ---- nodes and scalars (sim_scenario_read.c) ---------------------------------------------- */
static inline const struct sim_ynode *sim_ld_node(struct sim_ld *ld, uint32_t id)
{
	return sim_ynode(&ld->doc, id);
}

static inline bool sim_ld_is_map(struct sim_ld *ld, uint32_t id)
{
	return id != SIM_YNONE && sim_ld_node(ld, id)->kind == SIM_YMAP;
}

static inline bool sim_ld_is_seq(struct sim_ld *ld, uint32_t id)
{
	return id != SIM_YNONE && sim_ld_node(ld, id)->kind == SIM_YSEQ;
}

/* An absent or null value of an optional list or map means "none". */
static inline uint32_t sim_ld_opt(struct sim_ld *ld, uint32_t id)
{
	return id == SIM_YNONE || sim_yaml_is_null(&ld->doc, id) ? SIM_YNONE : id;
}

bool sim_ld_is_word(struct sim_ld *ld, uint32_t id, const char *word);
const char *sim_ld_quoted_note(struct sim_ld *ld, uint32_t id);
bool sim_ld_need_map(struct sim_ld *ld, uint32_t id, const char *what, const char *expected);
bool sim_ld_need_seq(struct sim_ld *ld, uint32_t id, const char *what, const char *expected);
bool sim_ld_text(struct sim_ld *ld, uint32_t id, const char *what, const char *expected,
		 const char **s, uint32_t *len);
bool sim_ld_parse_int(const char *s, uint32_t len, int64_t *v);
bool sim_ld_int(struct sim_ld *ld, uint32_t id, const char *what, int64_t min, int64_t max,
		const char *limit, int64_t *out);
bool sim_ld_u32(struct sim_ld *ld, uint32_t id, const char *what, uint32_t min, uint32_t max,
		const char *limit, uint32_t *out);
bool sim_ld_bool(struct sim_ld *ld, uint32_t id, const char *what, bool *out);
bool sim_ld_duration(struct sim_ld *ld, uint32_t id, const char *what, uint64_t *us);
bool sim_ld_name_ok(const char *s, size_t len);
bool sim_ld_name(struct sim_ld *ld, uint32_t id, const char *what, const char **s, uint32_t *len);
bool sim_ld_state(struct sim_ld *ld, uint32_t id, const char *what, bool replica, int *out);
bool sim_ld_fields(struct sim_ld *ld, uint32_t map, const char *where, const char *const *keys,
		   size_t n, uint32_t *vals, uint32_t *key_nodes);
bool sim_ld_required(struct sim_ld *ld, uint32_t map, uint32_t val, const char *where,
		     const char *key, const char *expected);
bool sim_ld_args(struct sim_ld *ld, uint32_t a, const char *action, const char *shape,
		 const char *const *keys, size_t n, unsigned required, uint32_t *vals);

/* ---- timeline and expect entries (sim_scenario_read.c) ------------------------------------ */
/* Both lists hold entries of one time key and one named key ({at: 5s, crash: 1}, {within: 2s,
 * leader: ...}); a form gives one list's words, which make its messages. */
struct sim_ld_entry_form {
	int top;                    /* SIM_K_TIMELINE or SIM_K_EXPECT */
	const char *list_shape;     /* "a list of entries such as {at: 5s, crash: 1}" */
	uint32_t max;               /* entries at most */
	const char *limit;          /* the limit's name: "timeline entries" */
	const char *entry;          /* "timeline entry" */
	const char *an_entry;       /* "a timeline entry" */
	const char *entry_shape;    /* "a map such as {at: 5s, crash: 1}" */
	const char *const *whens;   /* the time keys */
	int n_whens;
	const char *whens_or;       /* "at, within or at_end" */
	const char *whens_and;      /* "at, within and at_end" */
	const char *const *names;   /* the named keys: actions or checks */
	int n_names;
	const char *name;           /* "action" */
	const char *a_name;         /* "an action" */
	const char *one_name;       /* "exactly one action" */
};

/* What one entry holds: indexes into the form's whens and names (-1: none) and their values. */
struct sim_ld_entry {
	int when;
	uint32_t when_val;
	int name;
	uint32_t arg;
};

/* The list (SIM_YNONE and n 0 when absent or null), checked to be a list within its limit. */
bool sim_ld_entry_list(struct sim_ld *ld, const struct sim_ld_entry_form *f, uint32_t *list,
		       uint32_t *n);
/* Entry e, checked to be a map of at most one time key and exactly one named key. */
bool sim_ld_entry_keys(struct sim_ld *ld, uint32_t e, const struct sim_ld_entry_form *f,
		       struct sim_ld_entry *out);

/* ---- references (sim_scenario_refs.c) ----------------------------------------------------- */
bool sim_ld_broker(struct sim_ld *ld, uint32_t id, const char *what, int32_t *out);
bool sim_ld_broker_or_none(struct sim_ld *ld, uint32_t id, const char *what, int32_t *out);
bool sim_ld_brokers(struct sim_ld *ld, uint32_t id, const char *what, bool single_ok,
		    bool empty_ok, uint32_t max_len, struct sim_span *out);
const char *sim_ld_topic_name(struct sim_ld *ld, uint32_t t);
uint32_t sim_ld_topic_lookup(struct sim_ld *ld, const char *s, size_t len);
bool sim_ld_hash_room(struct sim_ld *ld, uint64_t n);
uint32_t sim_ld_topic_intern(struct sim_ld *ld, const char *s, size_t len, enum sim_topic_origin origin,
			     uint32_t node);
bool sim_ld_topic_grow(struct sim_ld *ld, uint32_t t, uint64_t count, uint32_t node);
const char *sim_ld_origin_text(enum sim_topic_origin o);
bool sim_ld_topic_ref(struct sim_ld *ld, uint32_t id, const char *what, uint32_t *out);
bool sim_ld_split_pref(const char *s, uint32_t len, uint32_t *name_len, int64_t *number);
bool sim_ld_pref(struct sim_ld *ld, uint32_t id, const char *what, struct sim_pref *out);

struct sim_ld_pref_at {
	struct sim_pref p;
	uint32_t i; /* position in the list */
};
int sim_ld_pref_at_cmp(const void *a, const void *b);
bool sim_ld_prefs_distinct(struct sim_ld *ld, const struct sim_pref *p, uint32_t n, uint32_t list,
			   bool in_maps, const char *what);
bool sim_ld_prefs(struct sim_ld *ld, uint32_t id, const char *what, bool single_ok,
		  struct sim_span *out);
bool sim_ld_assignment(struct sim_ld *ld, uint32_t id, const char *what, uint32_t want_end,
		       uint32_t *first, uint32_t *n_out, uint32_t *rf, uint32_t *off);

/* ---- the passes, in the order sim_scenario.c runs them ------------------------------------ */
bool sim_ld_override(struct sim_ld *ld, size_t k);                  /* sim_scenario_set.c */
void sim_ld_config_defaults(struct sim_config *c);                   /* sim_scenario_config.c */
bool sim_ld_config(struct sim_ld *ld);
bool sim_ld_invariant_name(struct sim_ld *ld, uint32_t id, const char *what, int *out);
bool sim_ld_before_run_end(struct sim_ld *ld, uint32_t id, const char *what, uint64_t t_us);
bool sim_ld_timeline_scan(struct sim_ld *ld);                        /* sim_scenario_timeline.c */
bool sim_ld_note_added(struct sim_ld *ld, uint32_t a);               /* sim_scenario_cluster.c */
bool sim_ld_cluster(struct sim_ld *ld);
bool sim_ld_all_topics(struct sim_ld *ld);                           /* sim_scenario_topics.c */
uint32_t sim_ld_rf_limit(struct sim_ld *ld);
bool sim_ld_unclean(struct sim_ld *ld, uint32_t id, const char *what, int8_t *out);
bool sim_ld_placement(struct sim_ld *ld, uint32_t map, const char *where, const uint32_t vals[3],
		      struct sim_topic_spec *spec);
bool sim_ld_initial(struct sim_ld *ld);                              /* sim_scenario_initial.c */
bool sim_ld_timeline(struct sim_ld *ld);                             /* sim_scenario_timeline.c */
bool sim_ld_expect(struct sim_ld *ld, const uint32_t disabled_by[SIM_INVARIANT_COUNT]);

#endif
