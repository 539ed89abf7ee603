/* sim_scenario.c — turns a scenario file plus `--set` overrides into a validated struct
 * sim_scenario (sim_scenario.h). Every input error of spec/scenario-format.md is found here,
 * before anything runs, and reported at the line and column of the text at fault.
 *
 * The tree is read in passes, because references may point forward in the file: brokers are
 * declared by cluster.brokers and by any add_broker, topics by topics, topic_sets, initial and
 * any create_topic. So: top-level scalars and config; brokers (cluster + a first look at the
 * timeline); topic names; then initial, the timeline and expect in full. Every count is checked
 * against its limit before anything of that size is allocated. */
#include "sim_scenario.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_duration.h"
#include "sim_yaml.h"

#if defined(__GNUC__)
#define SIM_SCN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SIM_SCN_PRINTF(f, a)
#endif

#define SIM_N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- vocabularies ------------------------------------------------------------------------- */
enum {
	SIM_K_NAME, SIM_K_DESCRIPTION, SIM_K_SEED, SIM_K_PROFILE, SIM_K_CONFIG, SIM_K_CLUSTER,
	SIM_K_TOPICS, SIM_K_TOPIC_SETS, SIM_K_STARTUP, SIM_K_INITIAL, SIM_K_TIMELINE, SIM_K_EXPECT,
	SIM_K_INVARIANTS, SIM_K_INJECT, SIM_K_RUN_UNTIL, SIM_K_MAX_TIME, SIM_K_COUNT
};
static const char *const sim_top_keys[SIM_K_COUNT] = {
	"name", "description", "seed", "profile", "config", "cluster", "topics", "topic_sets",
	"startup", "initial", "timeline", "expect", "invariants", "inject", "run_until", "max_time",
};

static const char *const sim_action_names[SIM_ACTION_COUNT] = {
	"crash", "restart", "add_broker", "shutdown", "expire_session", "controller_failover",
	"pause", "isolate", "rolling_restart", "create_topic", "delete_topic", "add_partitions",
	"reassign", "preferred_election", "replica_transition", "partition_transition",
};

static const char *const sim_expect_kind_names[SIM_EXPECT_KIND_COUNT] = {
	"leader", "isr", "assignment", "replica_state", "partition_state", "leader_epoch",
	"controller", "controller_epoch", "topic_exists", "topic_absent", "requests", "violation",
};

enum sim_cfg_type { SIM_CFG_DURATION, SIM_CFG_DURATION_POSITIVE, SIM_CFG_U32, SIM_CFG_BOOL,
		    SIM_CFG_ZK_MODE };
struct sim_cfg_key {
	const char *name;
	enum sim_cfg_type type;
	size_t offset;          /* in struct sim_config */
	uint32_t min, max;      /* SIM_CFG_U32 */
};
#define SIM_CFG(name, type, min, max) {#name, type, offsetof(struct sim_config, name), min, max}
static const struct sim_cfg_key sim_cfg_keys[] = {
	{"zk_session_timeout", SIM_CFG_DURATION_POSITIVE, offsetof(struct sim_config, zk_session_timeout_us), 0, 0},
	{"zk_read_latency", SIM_CFG_DURATION, offsetof(struct sim_config, zk_read_latency_us), 0, 0},
	{"zk_write_latency", SIM_CFG_DURATION, offsetof(struct sim_config, zk_write_latency_us), 0, 0},
	SIM_CFG(zk_mode, SIM_CFG_ZK_MODE, 0, 0),
	SIM_CFG(zk_max_in_flight, SIM_CFG_U32, 1, 1000000),
	{"rpc_latency", SIM_CFG_DURATION, offsetof(struct sim_config, rpc_latency_us), 0, 0},
	{"controller_op_cost", SIM_CFG_DURATION, offsetof(struct sim_config, controller_op_cost_us), 0, 0},
	{"controller_request_entry_cost", SIM_CFG_DURATION,
	 offsetof(struct sim_config, controller_request_entry_cost_us), 0, 0},
	{"broker_op_cost", SIM_CFG_DURATION, offsetof(struct sim_config, broker_op_cost_us), 0, 0},
	SIM_CFG(batch_requests, SIM_CFG_BOOL, 0, 0),
	SIM_CFG(unclean_leader_election, SIM_CFG_BOOL, 0, 0),
	{"replica_lag_time_max", SIM_CFG_DURATION, offsetof(struct sim_config, replica_lag_time_max_us), 0, 0},
	{"isr_check_interval", SIM_CFG_DURATION_POSITIVE,
	 offsetof(struct sim_config, isr_check_interval_us), 0, 0},
	{"replica_catch_up", SIM_CFG_DURATION, offsetof(struct sim_config, replica_catch_up_us), 0, 0},
	SIM_CFG(controlled_shutdown_max_retries, SIM_CFG_U32, 0, 1000),
	{"controlled_shutdown_retry_backoff", SIM_CFG_DURATION,
	 offsetof(struct sim_config, controlled_shutdown_retry_backoff_us), 0, 0},
	{"controller_socket_timeout", SIM_CFG_DURATION_POSITIVE,
	 offsetof(struct sim_config, controller_socket_timeout_us), 0, 0},
	SIM_CFG(delete_topic_enable, SIM_CFG_BOOL, 0, 0),
	SIM_CFG(auto_leader_rebalance, SIM_CFG_BOOL, 0, 0),
	{"leader_imbalance_check_interval", SIM_CFG_DURATION_POSITIVE,
	 offsetof(struct sim_config, leader_imbalance_check_interval_us), 0, 0},
	SIM_CFG(leader_imbalance_per_broker_percentage, SIM_CFG_U32, 0, 100),
	{"latency_jitter", SIM_CFG_DURATION, offsetof(struct sim_config, latency_jitter_us), 0, 0},
};
#undef SIM_CFG

/* ---- loader state ------------------------------------------------------------------------- */
struct sim_added {
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
	struct sim_added *added;       /* add_broker ids, from the first look at the timeline */
	uint32_t n_added, cap_added;
	uint32_t isr_check_node;       /* config.isr_check_interval, if given */
};

/* ---- errors ------------------------------------------------------------------------------- */
static bool sim_ld_failv(struct sim_ld *ld, uint32_t node, const char *fmt, va_list ap)
	SIM_SCN_PRINTF(3, 0);
static bool sim_ld_fail(struct sim_ld *ld, uint32_t node, const char *fmt, ...) SIM_SCN_PRINTF(3, 4);
static bool sim_ld_fail_set(struct sim_ld *ld, size_t k, const char *fmt, ...) SIM_SCN_PRINTF(3, 4);

static bool sim_ld_prefixed(struct sim_ld *ld, uint32_t src, uint32_t line, uint32_t col,
			    const char *fmt, va_list ap) SIM_SCN_PRINTF(5, 0);
static bool sim_ld_prefixed(struct sim_ld *ld, uint32_t src, uint32_t line, uint32_t col,
			    const char *fmt, va_list ap)
{
	char *m = ld->err->msg;
	size_t size = sizeof ld->err->msg;
	int n;
	if (src == 0)
		n = snprintf(m, size, "%s:%u:%u: ", ld->path, line ? line : 1, col ? col : 1);
	else
		n = snprintf(m, size, "kcsim: --set: %.200s: ", ld->ovr[src - 1]);
	if (n < 0)
		n = 0;
	if ((size_t)n >= size)
		n = (int)size - 1;
	vsnprintf(m + n, size - (size_t)n, fmt, ap);
	return false;
}

/* Reports at node's position, or at 1:1 of the file when node is SIM_YNONE. A node that a
 * `--set` made or replaced is reported against that option. */
static bool sim_ld_failv(struct sim_ld *ld, uint32_t node, const char *fmt, va_list ap)
{
	if (node == SIM_YNONE)
		return sim_ld_prefixed(ld, 0, 1, 1, fmt, ap);
	const struct sim_ynode *n = sim_ynode(&ld->doc, node);
	return sim_ld_prefixed(ld, sim_yaml_source(&ld->doc, node), n->line, n->col, fmt, ap);
}

static bool sim_ld_fail(struct sim_ld *ld, uint32_t node, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sim_ld_failv(ld, node, fmt, ap);
	va_end(ap);
	return false;
}

static bool sim_ld_fail_set(struct sim_ld *ld, size_t k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sim_ld_prefixed(ld, (uint32_t)k + 1, 0, 0, fmt, ap);
	va_end(ap);
	return false;
}

static bool sim_ld_oom(struct sim_ld *ld, uint32_t node)
{
	return sim_ld_fail(ld, node, "out of memory; expected a smaller scenario");
}

/* A short, printable excerpt of a scalar for messages: at most 60 bytes, cut on a character
 * boundary, control characters shown as '?'. */
static const char *sim_ld_excerpt(const char *s, size_t len, char *buf, size_t size)
{
	size_t cut = len > 60 ? 60 : len;
	while (cut < len && cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	if (cut + 4 > size)
		cut = size > 4 ? size - 4 : 0;
	size_t o = 0;
	for (size_t i = 0; i < cut; i++)
		buf[o++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7F ? '?' : s[i];
	if (cut < len) {
		buf[o++] = '.';
		buf[o++] = '.';
		buf[o++] = '.';
	}
	buf[o] = '\0';
	return buf;
}

/* What a node holds, for "got ..." in messages. */
static const char *sim_ld_got(struct sim_ld *ld, uint32_t node, char *buf, size_t size)
{
	if (node == SIM_YNONE || sim_yaml_is_null(&ld->doc, node))
		return "nothing";
	const struct sim_ynode *n = sim_ynode(&ld->doc, node);
	if (n->kind == SIM_YMAP)
		return "a map";
	if (n->kind == SIM_YSEQ)
		return "a list";
	char ex[80];
	snprintf(buf, size, "'%s'", sim_ld_excerpt(sim_ystr(&ld->doc, node), n->n, ex, sizeof ex));
	return buf;
}

static const char *sim_ld_join(const char *const *names, size_t n, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && o + 1 < size; i++) {
		int w = snprintf(buf + o, size - o, "%s%s", i ? ", " : "", names[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return buf;
}

/* ---- pools -------------------------------------------------------------------------------- */

/* Room for n more ints; returns their offset, or UINT32_MAX when out of memory. */
static uint32_t sim_ld_ints(struct sim_ld *ld, uint64_t n, uint32_t node)
{
	struct sim_scenario *sc = ld->sc;
	if (!sim_reserve((void **)&sc->ints, &sc->cap_ints, sc->n_ints + n, sizeof *sc->ints)) {
		sim_ld_oom(ld, node);
		return UINT32_MAX;
	}
	uint32_t off = sc->n_ints;
	sc->n_ints += (uint32_t)n;
	return off;
}

/* ---- scalars ------------------------------------------------------------------------------ */
static const struct sim_ynode *sim_ld_node(struct sim_ld *ld, uint32_t id)
{
	return sim_ynode(&ld->doc, id);
}

static bool sim_ld_is_map(struct sim_ld *ld, uint32_t id)
{
	return id != SIM_YNONE && sim_ld_node(ld, id)->kind == SIM_YMAP;
}

static bool sim_ld_is_seq(struct sim_ld *ld, uint32_t id)
{
	return id != SIM_YNONE && sim_ld_node(ld, id)->kind == SIM_YSEQ;
}

/* A scalar whose text is exactly word, written plain. */
static bool sim_ld_is_word(struct sim_ld *ld, uint32_t id, const char *word)
{
	const struct sim_ynode *n = sim_ld_node(ld, id);
	return n->kind == SIM_YSCALAR && !n->quoted && strcmp(sim_ystr(&ld->doc, id), word) == 0;
}

/* An absent or null value of an optional list or map means "none". */
static uint32_t sim_ld_opt(struct sim_ld *ld, uint32_t id)
{
	return id == SIM_YNONE || sim_yaml_is_null(&ld->doc, id) ? SIM_YNONE : id;
}

static bool sim_ld_need_map(struct sim_ld *ld, uint32_t id, const char *what, const char *expected)
{
	char got[96];
	if (sim_ld_is_map(ld, id))
		return true;
	return sim_ld_fail(ld, id, "%s: got %s; expected %s", what, sim_ld_got(ld, id, got, sizeof got),
			   expected);
}

static bool sim_ld_need_seq(struct sim_ld *ld, uint32_t id, const char *what, const char *expected)
{
	char got[96];
	if (sim_ld_is_seq(ld, id))
		return true;
	return sim_ld_fail(ld, id, "%s: got %s; expected %s", what, sim_ld_got(ld, id, got, sizeof got),
			   expected);
}

/* Any non-null scalar, quoted or not, as text. */
static bool sim_ld_text(struct sim_ld *ld, uint32_t id, const char *what, const char *expected,
			const char **s, uint32_t *len)
{
	char got[96];
	const struct sim_ynode *n = sim_ld_node(ld, id);
	*s = "";
	*len = 0;
	if (n->kind != SIM_YSCALAR || sim_yaml_is_null(&ld->doc, id))
		return sim_ld_fail(ld, id, "%s: got %s; expected %s", what,
				   sim_ld_got(ld, id, got, sizeof got), expected);
	*s = sim_ystr(&ld->doc, id);
	*len = n->n;
	return true;
}

/* Parses `-?[0-9]+` with saturation; false if not that shape. */
static bool sim_ld_parse_int(const char *s, uint32_t len, int64_t *v)
{
	uint32_t i = 0;
	bool neg = len > 0 && s[0] == '-';
	if (neg)
		i = 1;
	if (i == len)
		return false;
	uint64_t x = 0;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (x <= (uint64_t)INT64_MAX)
			x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (x > (uint64_t)INT64_MAX)
		x = (uint64_t)INT64_MAX;
	*v = neg ? -(int64_t)x : (int64_t)x;
	return true;
}

static bool sim_ld_int(struct sim_ld *ld, uint32_t id, const char *what, int64_t min, int64_t max,
		       const char *limit, int64_t *out)
{
	char got[96];
	const struct sim_ynode *n = sim_ld_node(ld, id);
	int64_t v;
	if (n->kind != SIM_YSCALAR || n->quoted || !sim_ld_parse_int(sim_ystr(&ld->doc, id), n->n, &v))
		return sim_ld_fail(ld, id, "%s: got %s; expected an integer in %" PRId64 "..%" PRId64,
				   what, sim_ld_got(ld, id, got, sizeof got), min, max);
	if (v < min || v > max)
		return sim_ld_fail(ld, id,
				   "%s: %s is out of range; expected an integer in %" PRId64 "..%" PRId64
				   "%s%s%s",
				   what, sim_ld_got(ld, id, got, sizeof got), min, max,
				   limit ? " (limit: " : "", limit ? limit : "", limit ? ")" : "");
	*out = v;
	return true;
}

static bool sim_ld_u32(struct sim_ld *ld, uint32_t id, const char *what, uint32_t min, uint32_t max,
		       const char *limit, uint32_t *out)
{
	int64_t v;
	if (!sim_ld_int(ld, id, what, min, max, limit, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool sim_ld_bool(struct sim_ld *ld, uint32_t id, const char *what, bool *out)
{
	char got[96];
	static const char *const yes[] = {"true", "True", "TRUE"}, *const no[] = {"false", "False", "FALSE"};
	for (size_t i = 0; i < SIM_N(yes); i++) {
		if (sim_ld_is_word(ld, id, yes[i])) {
			*out = true;
			return true;
		}
		if (sim_ld_is_word(ld, id, no[i])) {
			*out = false;
			return true;
		}
	}
	return sim_ld_fail(ld, id, "%s: got %s; expected true or false", what,
			   sim_ld_got(ld, id, got, sizeof got));
}

static bool sim_ld_duration(struct sim_ld *ld, uint32_t id, const char *what, uint64_t *us)
{
	char got[96];
	const char *s;
	uint32_t len;
	if (!sim_ld_text(ld, id, what, "a duration: " SIM_DURATION_EXPECTED, &s, &len))
		return false;
	switch (sim_duration_parse(s, len, us)) {
	case SIM_DURATION_OK:
		return true;
	case SIM_DURATION_TOO_LONG:
		return sim_ld_fail(ld, id,
				   "%s: %s is longer than 720h; expected at most 720h (limit: times and "
				   "durations)",
				   what, sim_ld_got(ld, id, got, sizeof got));
	case SIM_DURATION_SYNTAX:
		break;
	}
	return sim_ld_fail(ld, id, "%s: %s is not a duration; expected %s", what,
			   sim_ld_got(ld, id, got, sizeof got), SIM_DURATION_EXPECTED);
}

static bool sim_ld_name_ok(const char *s, size_t len)
{
	if (len < 1 || len > SIM_MAX_NAME || s[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

#define SIM_NAME_EXPECTED "1-200 characters from [A-Za-z0-9._-], not starting with '.'"

/* A topic or scenario name. */
static bool sim_ld_name(struct sim_ld *ld, uint32_t id, const char *what, const char **s,
			uint32_t *len)
{
	char got[96];
	if (!sim_ld_text(ld, id, what, "a name of " SIM_NAME_EXPECTED, s, len))
		return false;
	if (!sim_ld_name_ok(*s, *len))
		return sim_ld_fail(ld, id, "%s: %s is not a valid name; expected %s", what,
				   sim_ld_got(ld, id, got, sizeof got), SIM_NAME_EXPECTED);
	return true;
}

/* Checks map's keys against keys[0..n) and sets vals[i] (and key_nodes[i] if given) to the
 * value (key) of keys[i], or SIM_YNONE. Unknown keys are errors. */
static bool sim_ld_fields(struct sim_ld *ld, uint32_t map, const char *where, const char *const *keys,
			  size_t n, uint32_t *vals, uint32_t *key_nodes)
{
	for (size_t i = 0; i < n; i++) {
		vals[i] = SIM_YNONE;
		if (key_nodes)
			key_nodes[i] = SIM_YNONE;
	}
	const struct sim_ynode *m = sim_ld_node(ld, map);
	for (uint32_t p = 0; p < m->n; p++) {
		uint32_t k = sim_ykey(&ld->doc, map, p);
		const char *ks = sim_ystr(&ld->doc, k);
		size_t i = 0;
		while (i < n && strcmp(keys[i], ks) != 0)
			i++;
		if (i == n) {
			char ex[80], list[700];
			return sim_ld_fail(ld, k, "unknown key '%s' in %s; expected one of: %s",
					   sim_ld_excerpt(ks, sim_ld_node(ld, k)->n, ex, sizeof ex), where,
					   sim_ld_join(keys, n, list, sizeof list));
		}
		vals[i] = sim_yval(&ld->doc, map, p);
		if (key_nodes)
			key_nodes[i] = k;
	}
	return true;
}

static bool sim_ld_required(struct sim_ld *ld, uint32_t map, uint32_t val, const char *where,
			    const char *key, const char *expected)
{
	if (val != SIM_YNONE)
		return true;
	return sim_ld_fail(ld, map, "%s: missing key '%s'; expected %s", where, key, expected);
}

/* ---- brokers ------------------------------------------------------------------------------ */
int32_t sim_scenario_broker_index(const struct sim_scenario *sc, int32_t id)
{
	uint32_t lo = 0, hi = sc->n_brokers;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (sc->brokers[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sc->n_brokers && sc->brokers[lo].id == id ? (int32_t)lo : -1;
}

static const char *sim_ld_declared(struct sim_ld *ld, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (uint32_t i = 0; i < ld->sc->n_brokers && o + 24 < size; i++) {
		if (i == 12) {
			snprintf(buf + o, size - o, ", ... (%u in all)", ld->sc->n_brokers);
			break;
		}
		int w = snprintf(buf + o, size - o, "%s%" PRId32, i ? ", " : "", ld->sc->brokers[i].id);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return buf;
}

/* A declared broker id. */
static bool sim_ld_broker(struct sim_ld *ld, uint32_t id, const char *what, int32_t *out)
{
	int64_t v;
	if (!sim_ld_int(ld, id, what, 0, SIM_MAX_BROKER_ID, "broker ids", &v))
		return false;
	if (sim_scenario_broker_index(ld->sc, (int32_t)v) < 0) {
		char list[256];
		return sim_ld_fail(ld, id,
				   "%s: unknown broker %" PRId64 "; expected a broker declared by "
				   "cluster.brokers or add_broker (%s)",
				   what, v, sim_ld_declared(ld, list, sizeof list));
	}
	*out = (int32_t)v;
	return true;
}

static bool sim_ld_broker_or_none(struct sim_ld *ld, uint32_t id, const char *what, int32_t *out)
{
	if (sim_ld_is_word(ld, id, "none")) {
		*out = -1;
		return true;
	}
	return sim_ld_broker(ld, id, what, out);
}

/* A list of distinct declared brokers (or a single id when single_ok) appended to ints.
 * max_len bounds the list (replication factor); 0 means no bound beyond distinctness. */
static bool sim_ld_brokers(struct sim_ld *ld, uint32_t id, const char *what, bool single_ok,
			   bool empty_ok, uint32_t max_len, struct sim_span *out)
{
	const char *expected = single_ok ? "a broker id or a list of broker ids" : "a list of broker ids";
	if (single_ok && sim_ld_node(ld, id)->kind == SIM_YSCALAR) {
		int32_t b;
		if (!sim_ld_broker(ld, id, what, &b))
			return false;
		uint32_t off = sim_ld_ints(ld, 1, id);
		if (off == UINT32_MAX)
			return false;
		ld->sc->ints[off] = b;
		*out = (struct sim_span){off, 1};
		return true;
	}
	if (!sim_ld_need_seq(ld, id, what, expected))
		return false;
	uint32_t n = sim_ld_node(ld, id)->n;
	if (n == 0 && !empty_ok)
		return sim_ld_fail(ld, id, "%s: got an empty list; expected at least one broker id", what);
	if (max_len && n > max_len)
		return sim_ld_fail(ld, id,
				   "%s: %u replicas; expected at most %u (limit: replication factor <= "
				   "brokers declared, <= %u)",
				   what, n, max_len, SIM_MAX_RF);
	/* Distinct declared ids can never outnumber the declared brokers. */
	if (n > ld->sc->n_brokers)
		return sim_ld_fail(ld, id, "%s: %u brokers but only %u are declared; expected distinct "
					   "declared brokers",
				   what, n, ld->sc->n_brokers);
	uint32_t off = sim_ld_ints(ld, n, id);
	if (off == UINT32_MAX)
		return false;
	uint32_t gen = ++ld->stamp_gen;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t item = sim_yitem(&ld->doc, id, i);
		int32_t b;
		if (!sim_ld_broker(ld, item, what, &b))
			return false;
		uint32_t bi = (uint32_t)sim_scenario_broker_index(ld->sc, b);
		if (ld->stamp[bi] == gen)
			return sim_ld_fail(ld, item, "%s: broker %" PRId32 " is listed twice; expected "
						     "distinct brokers",
					   what, b);
		ld->stamp[bi] = gen;
		ld->sc->ints[off + i] = b;
	}
	*out = (struct sim_span){off, n};
	return true;
}

/* ---- topics ------------------------------------------------------------------------------- */
static uint32_t sim_name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static const char *sim_ld_topic_name(struct sim_ld *ld, uint32_t t)
{
	return ld->sc->names_ + ld->name_off[t];
}

static uint32_t sim_ld_topic_lookup(struct sim_ld *ld, const char *s, size_t len)
{
	struct sim_scenario *sc = ld->sc;
	if (!sc->topic_hash_)
		return UINT32_MAX;
	for (uint32_t h = sim_name_hash(s, len) & sc->topic_hash_mask_;; h = (h + 1) & sc->topic_hash_mask_) {
		uint32_t t = sc->topic_hash_[h];
		if (t == UINT32_MAX)
			return UINT32_MAX;
		const char *name = sim_ld_topic_name(ld, t);
		if (strncmp(name, s, len) == 0 && name[len] == '\0')
			return t;
	}
}

static bool sim_ld_hash_insert(struct sim_ld *ld, uint32_t t)
{
	struct sim_scenario *sc = ld->sc;
	if (!sc->topic_hash_ || (uint64_t)(sc->n_topics + 1) * 2 > (uint64_t)sc->topic_hash_mask_ + 1) {
		uint32_t size = sc->topic_hash_ ? (sc->topic_hash_mask_ + 1) * 2 : 1024;
		uint32_t *h = malloc((size_t)size * sizeof *h);
		if (!h)
			return false;
		memset(h, 0xFF, (size_t)size * sizeof *h);
		free(sc->topic_hash_);
		sc->topic_hash_ = h;
		sc->topic_hash_mask_ = size - 1;
		for (uint32_t i = 0; i < t; i++) {
			const char *name = sim_ld_topic_name(ld, i);
			uint32_t p = sim_name_hash(name, strlen(name)) & sc->topic_hash_mask_;
			while (h[p] != UINT32_MAX)
				p = (p + 1) & sc->topic_hash_mask_;
			h[p] = i;
		}
	}
	const char *name = sim_ld_topic_name(ld, t);
	uint32_t p = sim_name_hash(name, strlen(name)) & sc->topic_hash_mask_;
	while (sc->topic_hash_[p] != UINT32_MAX)
		p = (p + 1) & sc->topic_hash_mask_;
	sc->topic_hash_[p] = t;
	return true;
}

/* Adds a new topic name (checked valid by the caller) and returns its index, or UINT32_MAX. */
static uint32_t sim_ld_topic_add(struct sim_ld *ld, const char *s, size_t len,
				 enum sim_topic_origin origin, uint32_t node)
{
	struct sim_scenario *sc = ld->sc;
	if (sc->n_topics >= SIM_MAX_TOPICS) {
		sim_ld_fail(ld, node, "topic '%.*s' would be topic number %u; expected at most %u "
				      "topics (limit: topics, with topic_sets)",
			    (int)len, s, sc->n_topics + 1, SIM_MAX_TOPICS);
		return UINT32_MAX;
	}
	uint32_t cap = ld->cap_topics;
	if (!sim_reserve((void **)&sc->topics, &cap, (uint64_t)sc->n_topics + 1, sizeof *sc->topics) ||
	    !sim_reserve((void **)&ld->name_off, &ld->cap_topics, (uint64_t)sc->n_topics + 1,
			    sizeof *ld->name_off) ||
	    !sim_reserve((void **)&sc->names_, &sc->cap_names_, (uint64_t)sc->n_names_ + len + 1, 1)) {
		sim_ld_oom(ld, node);
		return UINT32_MAX;
	}
	uint32_t t = sc->n_topics;
	ld->name_off[t] = sc->n_names_;
	memcpy(sc->names_ + sc->n_names_, s, len);
	sc->names_[sc->n_names_ + len] = '\0';
	sc->n_names_ += (uint32_t)len + 1;
	const struct sim_ynode *n = node != SIM_YNONE ? sim_ld_node(ld, node) : NULL;
	sc->topics[t] = (struct sim_topic){
		.origin = origin,
		.unclean_leader_election = -1,
		.line = n ? n->line : 0,
		.col = n ? n->col : 0,
	};
	if (!sim_ld_hash_insert(ld, t)) {
		sim_ld_oom(ld, node);
		return UINT32_MAX;
	}
	sc->n_topics++;
	return t;
}

/* Records that topic t has `count` partitions somewhere in the file. */
static bool sim_ld_topic_grow(struct sim_ld *ld, uint32_t t, uint64_t count, uint32_t node)
{
	struct sim_scenario *sc = ld->sc;
	struct sim_topic *tp = &sc->topics[t];
	if (count <= tp->max_partitions)
		return true;
	uint64_t total = sc->n_partitions_max + (count - tp->max_partitions);
	if (total > SIM_MAX_PARTITIONS)
		return sim_ld_fail(ld, node,
				   "topic %s: %" PRIu64 " partitions bring the scenario to %" PRIu64
				   " partitions; expected at most %u in all (limit: partitions in all)",
				   sim_ld_topic_name(ld, t), count, total, SIM_MAX_PARTITIONS);
	sc->n_partitions_max = total;
	tp->max_partitions = (uint32_t)count;
	return true;
}

static const char *sim_origin_text(enum sim_topic_origin o)
{
	switch (o) {
	case SIM_TOPIC_TOPICS:
		return "topics";
	case SIM_TOPIC_SET:
		return "topic_sets";
	case SIM_TOPIC_INITIAL:
		return "initial";
	case SIM_TOPIC_TIMELINE:
		return "create_topic";
	}
	return "?";
}

/* A reference to a topic declared or created somewhere in the file. */
static bool sim_ld_topic_ref(struct sim_ld *ld, uint32_t id, const char *what, uint32_t *out)
{
	const char *s;
	uint32_t len;
	char got[96];
	if (!sim_ld_text(ld, id, what, "a topic name", &s, &len))
		return false;
	uint32_t t = sim_ld_topic_lookup(ld, s, len);
	if (t == UINT32_MAX)
		return sim_ld_fail(ld, id,
				   "%s: unknown topic %s; expected a topic from topics, topic_sets or "
				   "initial, or one a create_topic creates",
				   what, sim_ld_got(ld, id, got, sizeof got));
	*out = t;
	return true;
}

/* Splits "TOPIC-N" at the last '-'. */
static bool sim_ld_split_pref(const char *s, uint32_t len, uint32_t *name_len, int64_t *number)
{
	uint32_t dash = len;
	while (dash > 0 && s[dash - 1] != '-')
		dash--;
	if (dash < 2 || dash == len)
		return false;
	const char *num = s + dash;
	uint32_t num_len = len - dash;
	/* No sign and no leading zero, so that each partition has one spelling. */
	if (num[0] < '0' || num[0] > '9' || (num[0] == '0' && num_len > 1))
		return false;
	if (!sim_ld_parse_int(num, num_len, number))
		return false;
	*name_len = dash - 1;
	return true;
}

#define SIM_PREF_EXPECTED "a partition named TOPIC-N, such as orders-0"

static bool sim_ld_pref(struct sim_ld *ld, uint32_t id, const char *what, struct sim_pref *out)
{
	const char *s;
	uint32_t len, name_len;
	int64_t number;
	char got[96];
	if (!sim_ld_text(ld, id, what, SIM_PREF_EXPECTED, &s, &len))
		return false;
	if (!sim_ld_split_pref(s, len, &name_len, &number))
		return sim_ld_fail(ld, id, "%s: %s is not a partition name; expected %s", what,
				   sim_ld_got(ld, id, got, sizeof got), SIM_PREF_EXPECTED);
	uint32_t t = sim_ld_topic_lookup(ld, s, name_len);
	if (t == UINT32_MAX)
		return sim_ld_fail(ld, id,
				   "%s: unknown topic '%.*s' in partition %s; expected a topic from "
				   "topics, topic_sets or initial, or one a create_topic creates",
				   what, (int)(name_len > 60 ? 60 : name_len), s, sim_ld_got(ld, id, got, sizeof got));
	uint32_t max = ld->sc->topics[t].max_partitions;
	if (number >= (int64_t)max)
		return sim_ld_fail(ld, id,
				   "%s: partition %s does not exist: topic %s never has more than %u "
				   "partitions in this scenario; expected %s-0..%s-%u",
				   what, sim_ld_got(ld, id, got, sizeof got), sim_ld_topic_name(ld, t), max,
				   sim_ld_topic_name(ld, t), sim_ld_topic_name(ld, t), max ? max - 1 : 0);
	*out = (struct sim_pref){t, (uint32_t)number};
	return true;
}

struct sim_pref_at {
	struct sim_pref p;
	uint32_t i; /* position in the list */
};

static int sim_pref_at_cmp(const void *a, const void *b)
{
	const struct sim_pref_at *x = a, *y = b;
	if (x->p.topic != y->p.topic)
		return x->p.topic < y->p.topic ? -1 : 1;
	if (x->p.partition != y->p.partition)
		return x->p.partition < y->p.partition ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Reports the first repeated partition (in list order) of p[0..n), whose nodes are node(i). */
static bool sim_ld_prefs_distinct(struct sim_ld *ld, const struct sim_pref *p, uint32_t n,
				  uint32_t list, bool in_maps, const char *what)
{
	if (n < 2)
		return true;
	struct sim_pref_at *a = malloc((size_t)n * sizeof *a);
	if (!a)
		return sim_ld_oom(ld, list);
	for (uint32_t i = 0; i < n; i++)
		a[i] = (struct sim_pref_at){p[i], i};
	qsort(a, n, sizeof *a, sim_pref_at_cmp);
	uint32_t dup = UINT32_MAX;
	for (uint32_t i = 1; i < n; i++)
		if (a[i].p.topic == a[i - 1].p.topic && a[i].p.partition == a[i - 1].p.partition &&
		    a[i].i < dup)
			dup = a[i].i;
	free(a);
	if (dup == UINT32_MAX)
		return true;
	uint32_t node = sim_yitem(&ld->doc, list, dup);
	if (in_maps) /* a list of maps: point at the repeated partition value */
		node = sim_yaml_map_get(&ld->doc, node, "partition");
	return sim_ld_fail(ld, node, "%s: partition %s-%u is listed twice; expected distinct partitions",
			   what, sim_ld_topic_name(ld, p[dup].topic), p[dup].partition);
}

/* A list of distinct partitions (or one partition when single_ok) appended to prefs. */
static bool sim_ld_prefs(struct sim_ld *ld, uint32_t id, const char *what, bool single_ok,
			 struct sim_span *out)
{
	struct sim_scenario *sc = ld->sc;
	bool single = single_ok && sim_ld_node(ld, id)->kind == SIM_YSCALAR;
	if (!single && !sim_ld_need_seq(ld, id, what,
					single_ok ? "a partition or a list of partitions" : "a list of partitions"))
		return false;
	uint32_t n = single ? 1 : sim_ld_node(ld, id)->n;
	if (n == 0)
		return sim_ld_fail(ld, id, "%s: got an empty list; expected at least one partition", what);
	if (n > SIM_MAX_PARTITIONS)
		return sim_ld_fail(ld, id, "%s: %u partitions; expected at most %u (limit: partitions in all)",
				   what, n, SIM_MAX_PARTITIONS);
	if (!sim_reserve((void **)&sc->prefs, &sc->cap_prefs, (uint64_t)sc->n_prefs + n, sizeof *sc->prefs))
		return sim_ld_oom(ld, id);
	uint32_t off = sc->n_prefs;
	for (uint32_t i = 0; i < n; i++)
		if (!sim_ld_pref(ld, single ? id : sim_yitem(&ld->doc, id, i), what, &sc->prefs[off + i]))
			return false;
	if (!single && !sim_ld_prefs_distinct(ld, sc->prefs + off, n, id, false, what))
		return false;
	sc->n_prefs += n;
	*out = (struct sim_span){off, n};
	return true;
}

/* ---- assignments --------------------------------------------------------------------------- */
/* An explicit assignment {N: [brokers], ...}: the keys must be exactly lo..lo+n-1, where lo is
 * 0 (want_end 0) or want_end - n (add_partitions: the new partitions up to the total want_end).
 * Every list has the same length and holds distinct declared brokers. Stored partition-major
 * in ints at *off. The lists are appended in file order as they are checked (so memory stays
 * bounded by what the file spells out) and put in partition order at the end. */
static bool sim_ld_assignment(struct sim_ld *ld, uint32_t id, const char *what, uint32_t want_end,
			      uint32_t *first, uint32_t *n_out, uint32_t *rf, uint32_t *off)
{
	struct sim_scenario *sc = ld->sc;
	if (!sim_ld_need_map(ld, id, what, "a map of partition number to broker list, such as {0: [1, 2]}"))
		return false;
	uint32_t n = sim_ld_node(ld, id)->n;
	if (n == 0)
		return sim_ld_fail(ld, id, "%s: got an empty map; expected at least one partition", what);
	if (n > SIM_MAX_PARTITIONS)
		return sim_ld_fail(ld, id, "%s: %u partitions; expected at most %u (limit: partitions in all)",
				   what, n, SIM_MAX_PARTITIONS);
	uint32_t lo = 0;
	if (want_end) {
		if (n > want_end)
			return sim_ld_fail(ld, id, "%s: lists %u partitions, more than the %u the topic is to "
						   "have; expected the new partitions only",
					   what, n, want_end);
		lo = want_end - n;
	}
	uint32_t *pos = malloc((size_t)n * sizeof *pos); /* pos[p - lo]: the list's file index */
	if (!pos)
		return sim_ld_oom(ld, id);
	memset(pos, 0xFF, (size_t)n * sizeof *pos);
	uint32_t limit = sc->n_brokers < SIM_MAX_RF ? sc->n_brokers : SIM_MAX_RF;
	uint32_t width = 0, base = sc->n_ints;
	bool ok = true, in_order = true;
	for (uint32_t i = 0; ok && i < n; i++) {
		uint32_t k = sim_ykey(&ld->doc, id, i), v = sim_yval(&ld->doc, id, i);
		int64_t p = 0;
		struct sim_span s = {0, 0};
		if (!sim_ld_int(ld, k, what, 0, SIM_MAX_PARTITIONS - 1, NULL, &p))
			ok = false;
		else if (p < lo || p >= (int64_t)lo + n)
			ok = sim_ld_fail(ld, k, "%s: partition %" PRId64 " in an assignment of %u partitions; "
						"expected partition numbers %u..%u, each once",
					 what, p, n, lo, lo + n - 1);
		else if (pos[p - lo] != UINT32_MAX)
			ok = sim_ld_fail(ld, k, "%s: partition %" PRId64 " is listed twice; expected each "
						"partition once",
					 what, p);
		else if (!sim_ld_brokers(ld, v, what, false, false, limit, &s))
			ok = false;
		else if (i > 0 && s.n != width)
			ok = sim_ld_fail(ld, v, "%s: partition %" PRId64 " has %u replicas, partition %s has "
						"%u; expected the same number for every partition of a topic",
					 what, p, s.n, sim_ystr(&ld->doc, sim_ykey(&ld->doc, id, 0)), width);
		if (!ok)
			break;
		width = s.n;
		pos[p - lo] = i;
		in_order = in_order && p - lo == i;
	}
	if (ok && !in_order) {
		size_t bytes = (size_t)n * width * sizeof(int32_t);
		int32_t *tmp = malloc(bytes);
		if (!tmp) {
			ok = sim_ld_oom(ld, id);
		} else {
			for (uint32_t j = 0; j < n; j++)
				memcpy(tmp + (size_t)j * width, sc->ints + base + (size_t)pos[j] * width,
				       (size_t)width * sizeof *tmp);
			memcpy(sc->ints + base, tmp, bytes);
			free(tmp);
		}
	}
	free(pos);
	if (!ok)
		return false;
	*first = lo;
	*n_out = n;
	*rf = width;
	*off = base;
	return true;
}

/* ---- top level and config ------------------------------------------------------------------ */
static void sim_config_defaults(struct sim_config *c)
{
	*c = (struct sim_config){
		.zk_session_timeout_us = 6 * SIM_US_PER_S,
		.zk_read_latency_us = 200,
		.zk_write_latency_us = 1500,
		.zk_mode = SIM_ZK_SYNC,
		.zk_max_in_flight = 10,
		.rpc_latency_us = SIM_US_PER_MS,
		.controller_op_cost_us = 50,
		.controller_request_entry_cost_us = 0,
		.broker_op_cost_us = 0,
		.batch_requests = true,
		.unclean_leader_election = false,
		.replica_lag_time_max_us = 10 * SIM_US_PER_S,
		.isr_check_interval_us = 10 * SIM_US_PER_S,
		.replica_catch_up_us = 2 * SIM_US_PER_MS,
		.controlled_shutdown_max_retries = 3,
		.controlled_shutdown_retry_backoff_us = 5 * SIM_US_PER_S,
		.controller_socket_timeout_us = 30 * SIM_US_PER_S,
		.delete_topic_enable = true,
		.auto_leader_rebalance = false,
		.leader_imbalance_check_interval_us = 300 * SIM_US_PER_S,
		.leader_imbalance_per_broker_percentage = 10,
		.latency_jitter_us = 0,
	};
}

static bool sim_ld_config(struct sim_ld *ld)
{
	struct sim_config *c = &ld->sc->config;
	uint32_t cfg = sim_ld_opt(ld, ld->top[SIM_K_CONFIG]);
	if (cfg == SIM_YNONE)
		return true;
	if (!sim_ld_need_map(ld, cfg, "config", "a map of settings such as {zk_mode: pipelined}"))
		return false;
	const char *names[SIM_N(sim_cfg_keys)];
	uint32_t vals[SIM_N(sim_cfg_keys)];
	for (size_t i = 0; i < SIM_N(sim_cfg_keys); i++)
		names[i] = sim_cfg_keys[i].name;
	if (!sim_ld_fields(ld, cfg, "config", names, SIM_N(sim_cfg_keys), vals, NULL))
		return false;
	bool isr_given = false;
	uint32_t lag_node = SIM_YNONE;
	for (size_t i = 0; i < SIM_N(sim_cfg_keys); i++) {
		const struct sim_cfg_key *k = &sim_cfg_keys[i];
		uint32_t v = vals[i];
		if (v == SIM_YNONE)
			continue;
		char what[80];
		snprintf(what, sizeof what, "config.%s", k->name);
		char *dst = (char *)c + k->offset;
		uint64_t us;
		uint32_t u;
		bool b;
		switch (k->type) {
		case SIM_CFG_DURATION:
		case SIM_CFG_DURATION_POSITIVE:
			if (!sim_ld_duration(ld, v, what, &us))
				return false;
			if (k->type == SIM_CFG_DURATION_POSITIVE && us == 0)
				return sim_ld_fail(ld, v, "%s: got 0; expected a duration above 0", what);
			memcpy(dst, &us, sizeof us);
			isr_given = isr_given || strcmp(k->name, "isr_check_interval") == 0;
			if (strcmp(k->name, "replica_lag_time_max") == 0)
				lag_node = v;
			break;
		case SIM_CFG_U32:
			if (!sim_ld_u32(ld, v, what, k->min, k->max, NULL, &u))
				return false;
			memcpy(dst, &u, sizeof u);
			break;
		case SIM_CFG_BOOL:
			if (!sim_ld_bool(ld, v, what, &b))
				return false;
			memcpy(dst, &b, sizeof b);
			break;
		case SIM_CFG_ZK_MODE: {
			char got[96];
			if (sim_ld_is_word(ld, v, "sync"))
				c->zk_mode = SIM_ZK_SYNC;
			else if (sim_ld_is_word(ld, v, "pipelined"))
				c->zk_mode = SIM_ZK_PIPELINED;
			else
				return sim_ld_fail(ld, v, "%s: got %s; expected sync or pipelined", what,
						   sim_ld_got(ld, v, got, sizeof got));
			break;
		}
		}
	}
	if (!isr_given) {
		/* 0.8.2 checks every replica.lag.time.max.ms unless told otherwise. */
		if (c->replica_lag_time_max_us == 0)
			return sim_ld_fail(ld, lag_node,
					   "config.replica_lag_time_max: 0 would make the ISR check interval "
					   "(which defaults to it) 0; expected a duration above 0, or "
					   "config.isr_check_interval");
		c->isr_check_interval_us = c->replica_lag_time_max_us;
	}
	return true;
}

static bool sim_ld_u64(struct sim_ld *ld, uint32_t id, const char *what, uint64_t *out)
{
	char got[96];
	const struct sim_ynode *n = sim_ld_node(ld, id);
	const char *s = sim_ystr(&ld->doc, id);
	bool ok = n->kind == SIM_YSCALAR && !n->quoted && n->n > 0;
	uint64_t v = 0;
	for (uint32_t i = 0; ok && i < n->n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			ok = false;
		else
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (!ok)
		return sim_ld_fail(ld, id, "%s: got %s; expected an integer in 0..%" PRIu64, what,
				   sim_ld_got(ld, id, got, sizeof got), UINT64_MAX);
	*out = v;
	return true;
}

static char *sim_strndup(const char *s, size_t len)
{
	char *d = malloc(len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

static bool sim_ld_top(struct sim_ld *ld)
{
	struct sim_scenario *sc = ld->sc;
	const uint32_t *v = ld->top;
	char got[96];
	const char *s;
	uint32_t len;
	if (v[SIM_K_PROFILE] != SIM_YNONE) {
		if (!sim_ld_text(ld, v[SIM_K_PROFILE], "profile", "0.8.2", &s, &len))
			return false;
		if (strcmp(s, "0.8.2") != 0)
			return sim_ld_fail(ld, v[SIM_K_PROFILE],
					   "profile %s is not supported; expected one of the supported "
					   "profiles: 0.8.2",
					   sim_ld_got(ld, v[SIM_K_PROFILE], got, sizeof got));
	}
	sc->profile = KC_PROFILE_0_8_2;

	if (v[SIM_K_NAME] != SIM_YNONE) {
		if (!sim_ld_name(ld, v[SIM_K_NAME], "name", &s, &len))
			return false;
	} else {
		/* The file name, without directories and without .yaml / .yml. */
		s = strrchr(ld->path, '/') ? strrchr(ld->path, '/') + 1 : ld->path;
		len = (uint32_t)strnlen(s, 4096);
		if (len > 5 && strcmp(s + len - 5, ".yaml") == 0)
			len -= 5;
		else if (len > 4 && strcmp(s + len - 4, ".yml") == 0)
			len -= 4;
		if (!sim_ld_name_ok(s, len)) {
			char ex[80];
			return sim_ld_fail(ld, SIM_YNONE,
					   "the scenario is named after its file, and '%s' is not a valid "
					   "name; expected a file name or a name: of %s",
					   sim_ld_excerpt(s, len, ex, sizeof ex), SIM_NAME_EXPECTED);
		}
	}
	if (!(sc->name = sim_strndup(s, len)))
		return sim_ld_oom(ld, v[SIM_K_NAME]);

	uint32_t d = v[SIM_K_DESCRIPTION];
	if (d != SIM_YNONE && !sim_yaml_is_null(&ld->doc, d)) {
		if (!sim_ld_text(ld, d, "description", "free text", &s, &len))
			return false;
		if (!(sc->description = sim_strndup(s, len)))
			return sim_ld_oom(ld, d);
	}

	if (v[SIM_K_SEED] != SIM_YNONE && !sim_ld_u64(ld, v[SIM_K_SEED], "seed", &sc->seed))
		return false;

	if (v[SIM_K_STARTUP] != SIM_YNONE) {
		if (sim_ld_is_word(ld, v[SIM_K_STARTUP], "instant"))
			sc->startup = SIM_STARTUP_INSTANT;
		else if (sim_ld_is_word(ld, v[SIM_K_STARTUP], "simulated"))
			sc->startup = SIM_STARTUP_SIMULATED;
		else
			return sim_ld_fail(ld, v[SIM_K_STARTUP], "startup: got %s; expected instant or simulated",
					   sim_ld_got(ld, v[SIM_K_STARTUP], got, sizeof got));
	}

	if (v[SIM_K_MAX_TIME] != SIM_YNONE &&
	    !sim_ld_duration(ld, v[SIM_K_MAX_TIME], "max_time", &sc->max_time_us))
		return false;
	uint32_t ru = v[SIM_K_RUN_UNTIL];
	if (ru != SIM_YNONE && !sim_ld_is_word(ld, ru, "quiescent")) {
		const struct sim_ynode *n = sim_ld_node(ld, ru);
		uint64_t us;
		if (n->kind != SIM_YSCALAR || sim_duration_parse(sim_ystr(&ld->doc, ru), n->n, &us) ==
						      SIM_DURATION_SYNTAX)
			return sim_ld_fail(ld, ru, "run_until: got %s; expected quiescent or a duration (%s)",
					   sim_ld_got(ld, ru, got, sizeof got), SIM_DURATION_EXPECTED);
		if (!sim_ld_duration(ld, ru, "run_until", &sc->run_until_us))
			return false;
		sc->run_until_quiescent = false;
		if (sc->run_until_us > sc->max_time_us) {
			char a[24], b[24];
			return sim_ld_fail(ld, ru, "run_until %s is beyond max_time %s; expected run_until <= "
						   "max_time",
					   sim_duration_format(sc->run_until_us, a, sizeof a),
					   sim_duration_format(sc->max_time_us, b, sizeof b));
		}
	}
	return true;
}

/* ---- invariants and injections -------------------------------------------------------------- */
static bool sim_ld_invariant_name(struct sim_ld *ld, uint32_t id, const char *what, int *out)
{
	const char *s;
	uint32_t len;
	char list[640], got[96];
	const char *names[SIM_INVARIANT_COUNT];
	for (size_t i = 0; i < SIM_INVARIANT_COUNT; i++)
		names[i] = sim_invariant_info((enum sim_invariant)i)->name;
	if (!sim_ld_text(ld, id, what, "an invariant name", &s, &len))
		return false;
	*out = sim_invariant_find(s, len);
	if (*out < 0)
		return sim_ld_fail(ld, id, "%s: unknown invariant %s; expected one of: %s", what,
				   sim_ld_got(ld, id, got, sizeof got),
				   sim_ld_join(names, SIM_INVARIANT_COUNT, list, sizeof list));
	return true;
}

static bool sim_ld_invariant_list(struct sim_ld *ld, uint32_t id, const char *what, uint8_t *list,
				  uint32_t *n, uint32_t *nodes)
{
	id = sim_ld_opt(ld, id);
	if (id == SIM_YNONE)
		return true;
	if (!sim_ld_need_seq(ld, id, what, "a list of invariant names"))
		return false;
	for (uint32_t i = 0; i < sim_ld_node(ld, id)->n; i++) {
		uint32_t item = sim_yitem(&ld->doc, id, i);
		int inv;
		if (!sim_ld_invariant_name(ld, item, what, &inv))
			return false;
		if (nodes[inv] != SIM_YNONE)
			continue; /* named twice: once is enough */
		nodes[inv] = item;
		list[(*n)++] = (uint8_t)inv;
	}
	return true;
}

static bool sim_ld_invariants(struct sim_ld *ld, uint32_t disabled_by[SIM_INVARIANT_COUNT])
{
	struct sim_scenario *sc = ld->sc;
	uint32_t enabled_by[SIM_INVARIANT_COUNT];
	for (size_t i = 0; i < SIM_INVARIANT_COUNT; i++) {
		sc->invariant_on[i] = sim_invariant_info((enum sim_invariant)i)->on_by_default;
		enabled_by[i] = disabled_by[i] = SIM_YNONE;
	}
	uint32_t inv = sim_ld_opt(ld, ld->top[SIM_K_INVARIANTS]);
	if (inv != SIM_YNONE) {
		static const char *const keys[] = {"enable", "disable"};
		uint32_t v[2];
		if (!sim_ld_need_map(ld, inv, "invariants", "a map {enable: [names], disable: [names]}") ||
		    !sim_ld_fields(ld, inv, "invariants", keys, 2, v, NULL) ||
		    !sim_ld_invariant_list(ld, v[0], "invariants.enable", sc->enable, &sc->n_enable, enabled_by) ||
		    !sim_ld_invariant_list(ld, v[1], "invariants.disable", sc->disable, &sc->n_disable,
					   disabled_by))
			return false;
	}
	for (uint32_t i = 0; i < sc->n_enable; i++) {
		uint8_t e = sc->enable[i];
		if (disabled_by[e] != SIM_YNONE)
			return sim_ld_fail(ld, enabled_by[e], "invariant %s is both enabled and disabled; "
							      "expected it in one list only",
					   sim_invariant_info((enum sim_invariant)e)->name);
		sc->invariant_on[e] = true;
	}
	for (uint32_t i = 0; i < sc->n_disable; i++)
		sc->invariant_on[sc->disable[i]] = false;

	uint32_t inj = sim_ld_opt(ld, ld->top[SIM_K_INJECT]);
	if (inj == SIM_YNONE)
		return true;
	if (!sim_ld_need_seq(ld, inj, "inject", "a list of bug or self-test names such as [KAFKA-1503]"))
		return false;
	for (uint32_t i = 0; i < sim_ld_node(ld, inj)->n; i++) {
		uint32_t item = sim_yitem(&ld->doc, inj, i);
		const char *s;
		uint32_t len;
		char got[96], bugs[400], tests[400];
		const char *b[SIM_INJECT_COUNT], *t[SIM_INJECT_COUNT];
		size_t nb = 0, nt = 0;
		if (!sim_ld_text(ld, item, "inject", "a bug or self-test name", &s, &len))
			return false;
		int k = sim_inject_find(s, len);
		if (k >= 0) {
			sc->inject_on[k] = true;
			continue;
		}
		for (size_t j = 0; j < SIM_INJECT_COUNT; j++) {
			const struct sim_inject_info *info = sim_inject_info((enum sim_inject)j);
			if (info->selftest)
				t[nt++] = info->name;
			else
				b[nb++] = info->name;
		}
		return sim_ld_fail(ld, item, "inject: unknown name %s; expected a historical bug (%s) or a "
					     "checker self-test (%s)",
				   sim_ld_got(ld, item, got, sizeof got), sim_ld_join(b, nb, bugs, sizeof bugs),
				   sim_ld_join(t, nt, tests, sizeof tests));
	}
	return true;
}

/* ---- brokers ------------------------------------------------------------------------------ */
static int sim_added_cmp(const void *a, const void *b)
{
	const struct sim_added *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

/* Reads add_broker ids (range only) from one timeline entry's argument. */
static bool sim_ld_note_added(struct sim_ld *ld, uint32_t a)
{
	bool single = sim_ld_node(ld, a)->kind == SIM_YSCALAR;
	if (!single && !sim_ld_need_seq(ld, a, "add_broker", "a broker id or a list of broker ids"))
		return false;
	uint32_t n = single ? 1 : sim_ld_node(ld, a)->n;
	if (n == 0)
		return sim_ld_fail(ld, a, "add_broker: got an empty list; expected at least one broker id");
	if (n > SIM_MAX_BROKERS)
		return sim_ld_fail(ld, a, "add_broker: %u brokers; expected at most %u (limit: brokers)", n,
				   SIM_MAX_BROKERS);
	if (!sim_reserve((void **)&ld->added, &ld->cap_added, (uint64_t)ld->n_added + n, sizeof *ld->added))
		return sim_ld_oom(ld, a);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t item = single ? a : sim_yitem(&ld->doc, a, i);
		int64_t id;
		if (!sim_ld_int(ld, item, "add_broker", 0, SIM_MAX_BROKER_ID, "broker ids", &id))
			return false;
		ld->added[ld->n_added++] = (struct sim_added){(int32_t)id, item};
	}
	/* A hostile file cannot grow this past the limit by repeating entries. */
	if (ld->n_added > 4 * SIM_MAX_BROKERS) {
		qsort(ld->added, ld->n_added, sizeof *ld->added, sim_added_cmp);
		uint32_t m = 0;
		for (uint32_t i = 0; i < ld->n_added; i++)
			if (m == 0 || ld->added[m - 1].id != ld->added[i].id)
				ld->added[m++] = ld->added[i];
		ld->n_added = m;
		if (m > SIM_MAX_BROKERS)
			return sim_ld_fail(ld, a, "add_broker: more than %u distinct brokers; expected at "
						  "most %u (limit: brokers)",
					   SIM_MAX_BROKERS, SIM_MAX_BROKERS);
	}
	return true;
}

/* First look at the timeline: entry shape, `at`, the action, and add_broker ids. */
static bool sim_ld_timeline_scan(struct sim_ld *ld)
{
	struct sim_scenario *sc = ld->sc;
	uint32_t tl = sim_ld_opt(ld, ld->top[SIM_K_TIMELINE]);
	char list[400];
	if (tl == SIM_YNONE)
		return true;
	if (!sim_ld_need_seq(ld, tl, "timeline", "a list of entries such as {at: 5s, crash: 1}"))
		return false;
	uint32_t n = sim_ld_node(ld, tl)->n;
	if (n > SIM_MAX_TIMELINE)
		return sim_ld_fail(ld, tl, "timeline: %u entries; expected at most %u (limit: timeline entries)",
				   n, SIM_MAX_TIMELINE);
	if (n == 0)
		return true;
	sc->timeline = calloc(n, sizeof *sc->timeline);
	ld->tl_args = calloc(n, sizeof *ld->tl_args);
	if (!sc->timeline || !ld->tl_args)
		return sim_ld_oom(ld, tl);
	sc->n_timeline = n;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t e = sim_yitem(&ld->doc, tl, i);
		if (!sim_ld_need_map(ld, e, "timeline entry", "a map such as {at: 5s, crash: 1}"))
			return false;
		uint32_t at = SIM_YNONE, arg = SIM_YNONE;
		int action = -1;
		for (uint32_t p = 0; p < sim_ld_node(ld, e)->n; p++) {
			uint32_t k = sim_ykey(&ld->doc, e, p);
			const char *ks = sim_ystr(&ld->doc, k);
			if (strcmp(ks, "at") == 0) {
				at = sim_yval(&ld->doc, e, p);
				continue;
			}
			int a = 0;
			while (a < SIM_ACTION_COUNT && strcmp(sim_action_names[a], ks) != 0)
				a++;
			char ex[80];
			if (a == SIM_ACTION_COUNT)
				return sim_ld_fail(ld, k, "unknown action '%s' in a timeline entry; expected at "
							  "and one of: %s",
						   sim_ld_excerpt(ks, sim_ld_node(ld, k)->n, ex, sizeof ex),
						   sim_ld_join(sim_action_names, SIM_ACTION_COUNT, list, sizeof list));
			if (action >= 0)
				return sim_ld_fail(ld, k, "a second action '%s' in a timeline entry that already "
							  "has '%s'; expected exactly one action per entry",
						   sim_action_names[a], sim_action_names[action]);
			action = a;
			arg = sim_yval(&ld->doc, e, p);
		}
		if (action < 0)
			return sim_ld_fail(ld, e, "a timeline entry without an action; expected one of: %s",
					   sim_ld_join(sim_action_names, SIM_ACTION_COUNT, list, sizeof list));
		if (at == SIM_YNONE)
			return sim_ld_fail(ld, e, "timeline entry '%s' has no at:; expected at: DURATION, the "
						  "simulated time it runs",
					   sim_action_names[action]);
		struct sim_timeline_entry *te = &sc->timeline[i];
		if (!sim_ld_duration(ld, at, "at", &te->at_us))
			return false;
		te->action = (enum sim_action)action;
		te->line = sim_ld_node(ld, e)->line;
		te->col = sim_ld_node(ld, e)->col;
		ld->tl_args[i] = arg;
		if (action == SIM_ACT_ADD_BROKER && !sim_ld_note_added(ld, arg))
			return false;
	}
	return true;
}

static bool sim_ld_cluster(struct sim_ld *ld)
{
	struct sim_scenario *sc = ld->sc;
	uint32_t cl = ld->top[SIM_K_CLUSTER];
	if (cl == SIM_YNONE)
		return sim_ld_fail(ld, ld->root, "missing key 'cluster'; expected cluster: {brokers: N} or "
						 "{brokers: [ids]}");
	if (!sim_ld_need_map(ld, cl, "cluster", "a map such as {brokers: 3}"))
		return false;
	static const char *const keys[] = {"brokers", "down", "controller"};
	uint32_t v[3];
	if (!sim_ld_fields(ld, cl, "cluster", keys, 3, v, NULL) ||
	    !sim_ld_required(ld, cl, v[0], "cluster", "brokers", "brokers: N or brokers: [ids]"))
		return false;

	/* cluster.brokers, as (id, node) sorted by id. */
	uint32_t bn = v[0], n;
	struct sim_added *ids;
	if (sim_ld_node(ld, bn)->kind == SIM_YSCALAR) {
		if (!sim_ld_u32(ld, bn, "cluster.brokers", 1, SIM_MAX_BROKERS, "brokers", &n))
			return false;
		if (!(ids = malloc((size_t)n * sizeof *ids)))
			return sim_ld_oom(ld, bn);
		for (uint32_t i = 0; i < n; i++)
			ids[i] = (struct sim_added){(int32_t)i, bn};
	} else {
		if (!sim_ld_need_seq(ld, bn, "cluster.brokers", "a broker count or a list of broker ids"))
			return false;
		n = sim_ld_node(ld, bn)->n;
		if (n == 0)
			return sim_ld_fail(ld, bn, "cluster.brokers: got an empty list; expected at least one "
						   "broker id");
		if (n > SIM_MAX_BROKERS)
			return sim_ld_fail(ld, bn, "cluster.brokers: %u brokers; expected at most %u (limit: "
						   "brokers)",
					   n, SIM_MAX_BROKERS);
		if (!(ids = malloc((size_t)n * sizeof *ids)))
			return sim_ld_oom(ld, bn);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t item = sim_yitem(&ld->doc, bn, i);
			int64_t id;
			if (!sim_ld_int(ld, item, "cluster.brokers", 0, SIM_MAX_BROKER_ID, "broker ids", &id)) {
				free(ids);
				return false;
			}
			ids[i] = (struct sim_added){(int32_t)id, item};
		}
		qsort(ids, n, sizeof *ids, sim_added_cmp);
		uint32_t dup = SIM_YNONE;
		for (uint32_t i = 1; i < n; i++)
			if (ids[i].id == ids[i - 1].id && ids[i].node < dup)
				dup = ids[i].node;
		if (dup != SIM_YNONE) {
			free(ids);
			return sim_ld_fail(ld, dup, "cluster.brokers: broker %s is listed twice; expected "
						    "distinct broker ids",
					   sim_ystr(&ld->doc, dup));
		}
	}

	/* add_broker ids: not in cluster.brokers; repeats across entries are one broker. */
	if (ld->n_added)
		qsort(ld->added, ld->n_added, sizeof *ld->added, sim_added_cmp);
	uint32_t n_new = 0;
	for (uint32_t i = 0; i < ld->n_added; i++) {
		struct sim_added *a = &ld->added[i];
		uint32_t lo = 0, hi = n;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (ids[mid].id < a->id)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && ids[lo].id == a->id) {
			free(ids);
			return sim_ld_fail(ld, a->node, "add_broker: broker %" PRId32 " is already in "
							"cluster.brokers; expected a broker not listed there "
							"(restart starts a listed one)",
					   a->id);
		}
		if (i == 0 || ld->added[i - 1].id != a->id)
			ld->added[n_new++] = *a;
	}
	if ((uint64_t)n + n_new > SIM_MAX_BROKERS) {
		free(ids);
		return sim_ld_fail(ld, ld->added[0].node, "add_broker: %u brokers declared in all; expected at "
							  "most %u (limit: brokers)",
				   n + n_new, SIM_MAX_BROKERS);
	}
	sc->brokers = calloc((size_t)n + n_new, sizeof *sc->brokers);
	ld->stamp = calloc((size_t)n + n_new, sizeof *ld->stamp);
	if (!sc->brokers || !ld->stamp) {
		free(ids);
		return sim_ld_oom(ld, bn);
	}
	uint32_t i = 0, j = 0;
	while (i < n || j < n_new) {
		bool from_cluster = j == n_new || (i < n && ids[i].id < ld->added[j].id);
		struct sim_broker *b = &sc->brokers[sc->n_brokers++];
		b->id = from_cluster ? ids[i++].id : ld->added[j++].id;
		b->in_cluster = from_cluster;
	}
	free(ids);

	uint32_t down = sim_ld_opt(ld, v[1]);
	if (down != SIM_YNONE) {
		struct sim_span s;
		if (!sim_ld_brokers(ld, down, "cluster.down", true, true, 0, &s))
			return false;
		for (uint32_t k = 0; k < s.n; k++) {
			struct sim_broker *b = &sc->brokers[sim_scenario_broker_index(sc, sc->ints[s.off + k])];
			if (!b->in_cluster)
				return sim_ld_fail(ld, sim_ld_is_seq(ld, down) ? sim_yitem(&ld->doc, down, k) : down,
						   "cluster.down: broker %" PRId32 " is not in cluster.brokers; "
						   "expected brokers of cluster.brokers (add_broker ones start "
						   "when added)",
						   b->id);
			b->down = true;
		}
		sc->n_ints = s.off; /* the flags hold it all */
	}
	if (v[2] != SIM_YNONE) {
		int32_t c;
		if (!sim_ld_broker(ld, v[2], "cluster.controller", &c))
			return false;
		const struct sim_broker *b = &sc->brokers[sim_scenario_broker_index(sc, c)];
		if (!b->in_cluster || b->down)
			return sim_ld_fail(ld, v[2], "cluster.controller: broker %" PRId32 " is %s at the start; "
						     "expected a running broker of cluster.brokers",
					   c, b->in_cluster ? "down" : "not running");
		sc->controller = c;
	}
	return true;
}

/* ---- topics ------------------------------------------------------------------------------- */
static uint32_t sim_ld_rf_limit(struct sim_ld *ld)
{
	return ld->sc->n_brokers < SIM_MAX_RF ? ld->sc->n_brokers : SIM_MAX_RF;
}

static bool sim_ld_rf(struct sim_ld *ld, uint32_t id, const char *what, uint32_t *rf)
{
	char limit[96];
	snprintf(limit, sizeof limit, "replication factor <= the %u brokers declared, <= %u",
		 ld->sc->n_brokers, SIM_MAX_RF);
	return sim_ld_u32(ld, id, what, 1, sim_ld_rf_limit(ld), limit, rf);
}

static bool sim_ld_unclean(struct sim_ld *ld, uint32_t id, const char *what, int8_t *out)
{
	bool b;
	if (id == SIM_YNONE)
		return true;
	if (!sim_ld_bool(ld, id, what, &b))
		return false;
	*out = b ? 1 : 0;
	return true;
}

/* The placement of a topic created by `topics` or create_topic: {partitions, replication_factor}
 * or {assignment}; vals are partitions, replication_factor, assignment. */
static bool sim_ld_placement(struct sim_ld *ld, uint32_t map, const char *where, const uint32_t vals[3],
			     struct sim_topic_spec *spec)
{
	char what[64];
	if (vals[2] != SIM_YNONE) {
		if (vals[0] != SIM_YNONE || vals[1] != SIM_YNONE)
			return sim_ld_fail(ld, vals[0] != SIM_YNONE ? vals[0] : vals[1],
					   "%s: both assignment and %s; expected either partitions and "
					   "replication_factor, or assignment",
					   where, vals[0] != SIM_YNONE ? "partitions" : "replication_factor");
		snprintf(what, sizeof what, "%s.assignment", where);
		spec->explicit_assignment = true;
		if (!sim_ld_assignment(ld, vals[2], what, 0, &spec->first_partition, &spec->n_assigned,
				       &spec->replication_factor, &spec->assignment))
			return false;
		spec->partitions = spec->n_assigned;
		return true;
	}
	if (!sim_ld_required(ld, map, vals[0], where, "partitions",
			     "partitions and replication_factor, or assignment") ||
	    !sim_ld_required(ld, map, vals[1], where, "replication_factor",
			     "partitions and replication_factor, or assignment"))
		return false;
	snprintf(what, sizeof what, "%s.partitions", where);
	if (!sim_ld_u32(ld, vals[0], what, 1, SIM_MAX_PARTITIONS, "partitions in all", &spec->partitions))
		return false;
	snprintf(what, sizeof what, "%s.replication_factor", where);
	return sim_ld_rf(ld, vals[1], what, &spec->replication_factor);
}

static bool sim_ld_topics_map(struct sim_ld *ld, uint32_t topics)
{
	struct sim_scenario *sc = ld->sc;
	if (!sim_ld_need_map(ld, topics, "topics", "a map of topic name to {partitions, replication_factor}"))
		return false;
	static const char *const keys[] = {"partitions", "replication_factor", "assignment",
					   "unclean_leader_election"};
	for (uint32_t i = 0; i < sim_ld_node(ld, topics)->n; i++) {
		uint32_t k = sim_ykey(&ld->doc, topics, i), v = sim_yval(&ld->doc, topics, i);
		const char *s;
		uint32_t len, vals[4];
		if (!sim_ld_name(ld, k, "topic name", &s, &len))
			return false;
		char where[240];
		snprintf(where, sizeof where, "topics.%s", s);
		if (!sim_ld_need_map(ld, v, where, "{partitions: N, replication_factor: R} or {assignment: ...}") ||
		    !sim_ld_fields(ld, v, where, keys, SIM_N(keys), vals, NULL))
			return false;
		uint32_t t = sim_ld_topic_add(ld, s, len, SIM_TOPIC_TOPICS, k);
		struct sim_topic_spec spec = {.topic = t};
		if (t == UINT32_MAX || !sim_ld_placement(ld, v, where, vals, &spec))
			return false;
		struct sim_topic *tp = &sc->topics[t];
		tp->partitions = spec.partitions;
		tp->replication_factor = spec.replication_factor;
		tp->explicit_assignment = spec.explicit_assignment;
		tp->assignment = spec.assignment;
		if (!sim_ld_unclean(ld, vals[3], where, &tp->unclean_leader_election) ||
		    !sim_ld_topic_grow(ld, t, spec.partitions, spec.explicit_assignment ? vals[2] : vals[0]))
			return false;
	}
	return true;
}

static uint32_t sim_digits(uint32_t x)
{
	uint32_t d = 1;
	while (x >= 10) {
		x /= 10;
		d++;
	}
	return d;
}

static bool sim_ld_topic_sets(struct sim_ld *ld, uint32_t sets)
{
	struct sim_scenario *sc = ld->sc;
	if (!sim_ld_need_seq(ld, sets, "topic_sets", "a list such as [{prefix: f, count: 100, partitions: "
						    "1, replication_factor: 1}]"))
		return false;
	static const char *const keys[] = {"prefix", "count", "partitions", "replication_factor",
					   "unclean_leader_election"};
	for (uint32_t i = 0; i < sim_ld_node(ld, sets)->n; i++) {
		uint32_t set = sim_yitem(&ld->doc, sets, i), v[5];
		char where[48];
		snprintf(where, sizeof where, "topic_sets[%u]", i);
		if (!sim_ld_need_map(ld, set, where, "{prefix, count, partitions, replication_factor}") ||
		    !sim_ld_fields(ld, set, where, keys, SIM_N(keys), v, NULL))
			return false;
		for (size_t k = 0; k < 4; k++)
			if (!sim_ld_required(ld, set, v[k], where, keys[k],
					     "prefix, count, partitions and replication_factor"))
				return false;
		const char *prefix;
		uint32_t plen, count, partitions, rf;
		int8_t unclean = -1;
		char what[96], got[96];
		snprintf(what, sizeof what, "%s.prefix", where);
		const struct sim_ynode *pn = sim_ld_node(ld, v[0]);
		if (pn->kind != SIM_YSCALAR || (pn->n == 0 && !pn->quoted))
			return sim_ld_fail(ld, v[0], "%s: got %s; expected the start of the topic names", what,
					   sim_ld_got(ld, v[0], got, sizeof got));
		prefix = sim_ystr(&ld->doc, v[0]);
		plen = pn->n;
		snprintf(what, sizeof what, "%s.count", where);
		if (!sim_ld_u32(ld, v[1], what, 0, SIM_MAX_TOPICS, "topics, with topic_sets", &count))
			return false;
		snprintf(what, sizeof what, "%s.partitions", where);
		if (!sim_ld_u32(ld, v[2], what, 1, SIM_MAX_PARTITIONS, "partitions in all", &partitions))
			return false;
		snprintf(what, sizeof what, "%s.replication_factor", where);
		if (!sim_ld_rf(ld, v[3], what, &rf) || !sim_ld_unclean(ld, v[4], where, &unclean))
			return false;
		if (count == 0)
			continue;
		/* Every generated name must be valid: check the longest one. */
		char last[SIM_MAX_NAME + 16];
		int ll = snprintf(last, sizeof last, "%.*s%u", (int)(plen > SIM_MAX_NAME ? SIM_MAX_NAME + 1 : plen),
				  prefix, count - 1);
		if (plen + sim_digits(count - 1) > SIM_MAX_NAME || !sim_ld_name_ok(last, (size_t)ll))
			return sim_ld_fail(ld, v[0], "%s: prefix %s makes names such as '%.60s'; expected "
						     "names of %s",
					   where, sim_ld_got(ld, v[0], got, sizeof got), last, SIM_NAME_EXPECTED);
		if ((uint64_t)sc->n_topics + count > SIM_MAX_TOPICS)
			return sim_ld_fail(ld, v[1], "%s: %u more topics make %" PRIu64 "; expected at most %u "
						     "(limit: topics, with topic_sets)",
					   where, count, (uint64_t)sc->n_topics + count, SIM_MAX_TOPICS);
		uint64_t more = (uint64_t)count * partitions;
		if (sc->n_partitions_max + more > SIM_MAX_PARTITIONS)
			return sim_ld_fail(ld, v[1], "%s: %u topics of %u partitions make %" PRIu64 " partitions "
						     "in all; expected at most %u (limit: partitions in all)",
					   where, count, partitions, sc->n_partitions_max + more, SIM_MAX_PARTITIONS);
		for (uint32_t j = 0; j < count; j++) {
			char name[SIM_MAX_NAME + 16];
			int len = snprintf(name, sizeof name, "%.*s%u", (int)plen, prefix, j);
			uint32_t old = sim_ld_topic_lookup(ld, name, (size_t)len);
			if (old != UINT32_MAX)
				return sim_ld_fail(ld, v[0], "%s makes topic '%s', which %s already %s; expected "
							     "distinct topic names",
						   where, name, sim_origin_text(sc->topics[old].origin),
						   sc->topics[old].origin == SIM_TOPIC_TOPICS ? "declares"
											      : "makes");
			uint32_t t = sim_ld_topic_add(ld, name, (size_t)len, SIM_TOPIC_SET, set);
			if (t == UINT32_MAX)
				return false;
			struct sim_topic *tp = &sc->topics[t];
			tp->partitions = partitions;
			tp->replication_factor = rf;
			tp->unclean_leader_election = unclean;
			tp->max_partitions = partitions;
		}
		sc->n_partitions_max += more;
	}
	return true;
}

/* Topic names that `initial.partitions` implies, with their partition counts. */
static bool sim_ld_initial_topics(struct sim_ld *ld, uint32_t parts)
{
	if (!sim_ld_need_map(ld, parts, "initial.partitions",
			     "a map of partition to state, such as {t-0: {replicas: [0, 1]}}"))
		return false;
	for (uint32_t i = 0; i < sim_ld_node(ld, parts)->n; i++) {
		uint32_t k = sim_ykey(&ld->doc, parts, i);
		const char *s = sim_ystr(&ld->doc, k);
		uint32_t len = sim_ld_node(ld, k)->n, name_len;
		int64_t number;
		char got[96];
		if (!sim_ld_split_pref(s, len, &name_len, &number) || !sim_ld_name_ok(s, name_len))
			return sim_ld_fail(ld, k, "initial.partitions: %s is not a partition name; expected %s "
						  "with a valid topic name",
					   sim_ld_got(ld, k, got, sizeof got), SIM_PREF_EXPECTED);
		if (number >= SIM_MAX_PARTITIONS)
			return sim_ld_fail(ld, k, "initial.partitions: partition number %" PRId64 " is out of "
						  "range; expected 0..%u (limit: partitions in all)",
					   number, SIM_MAX_PARTITIONS - 1);
		uint32_t t = sim_ld_topic_lookup(ld, s, name_len);
		if (t == UINT32_MAX && (t = sim_ld_topic_add(ld, s, name_len, SIM_TOPIC_INITIAL, k)) == UINT32_MAX)
			return false;
		if (!sim_ld_topic_grow(ld, t, (uint64_t)number + 1, k))
			return false;
	}
	return true;
}

struct sim_at_index {
	uint64_t at_us;
	uint32_t i;
};

static int sim_at_index_cmp(const void *a, const void *b)
{
	const struct sim_at_index *x = a, *y = b;
	if (x->at_us != y->at_us)
		return x->at_us < y->at_us ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Names that create_topic creates, in the order the run creates them, and the partition counts
 * that create_topic and add_partitions give. */
static bool sim_ld_timeline_topics(struct sim_ld *ld)
{
	struct sim_scenario *sc = ld->sc;
	uint32_t n = 0;
	for (uint32_t i = 0; i < sc->n_timeline; i++)
		n += sc->timeline[i].action == SIM_ACT_CREATE_TOPIC;
	struct sim_at_index *order = n ? malloc((size_t)n * sizeof *order) : NULL;
	if (n && !order)
		return sim_ld_oom(ld, ld->top[SIM_K_TIMELINE]);
	n = 0;
	for (uint32_t i = 0; i < sc->n_timeline; i++)
		if (sc->timeline[i].action == SIM_ACT_CREATE_TOPIC)
			order[n++] = (struct sim_at_index){sc->timeline[i].at_us, i};
	if (n)
		qsort(order, n, sizeof *order, sim_at_index_cmp);
	bool ok = true;
	for (uint32_t j = 0; ok && j < n; j++) {
		uint32_t a = ld->tl_args[order[j].i], name, parts, asg;
		const char *s;
		uint32_t len;
		if (!sim_ld_need_map(ld, a, "create_topic", "{name, partitions, replication_factor} or "
							    "{name, assignment}")) {
			ok = false;
			break;
		}
		name = sim_yaml_map_get(&ld->doc, a, "name");
		parts = sim_yaml_map_get(&ld->doc, a, "partitions");
		asg = sim_yaml_map_get(&ld->doc, a, "assignment");
		if (!sim_ld_required(ld, a, name, "create_topic", "name", "name: TOPIC") ||
		    !sim_ld_name(ld, name, "create_topic.name", &s, &len)) {
			ok = false;
			break;
		}
		uint32_t t = sim_ld_topic_lookup(ld, s, len);
		if (t == UINT32_MAX && (t = sim_ld_topic_add(ld, s, len, SIM_TOPIC_TIMELINE, name)) == UINT32_MAX) {
			ok = false;
			break;
		}
		uint32_t count = 0;
		if (parts != SIM_YNONE)
			ok = sim_ld_u32(ld, parts, "create_topic.partitions", 1, SIM_MAX_PARTITIONS,
					"partitions in all", &count);
		else if (sim_ld_is_map(ld, asg))
			count = sim_ld_node(ld, asg)->n;
		ok = ok && sim_ld_topic_grow(ld, t, count, parts != SIM_YNONE ? parts : asg);
	}
	free(order);
	for (uint32_t i = 0; ok && i < sc->n_timeline; i++) {
		uint32_t a = ld->tl_args[i], topic, parts;
		if (sc->timeline[i].action != SIM_ACT_ADD_PARTITIONS || !sim_ld_is_map(ld, a))
			continue; /* the full pass reports what is wrong */
		topic = sim_yaml_map_get(&ld->doc, a, "topic");
		parts = sim_yaml_map_get(&ld->doc, a, "partitions");
		if (topic == SIM_YNONE || parts == SIM_YNONE || sim_ld_node(ld, topic)->kind != SIM_YSCALAR)
			continue;
		uint32_t t = sim_ld_topic_lookup(ld, sim_ystr(&ld->doc, topic), sim_ld_node(ld, topic)->n);
		uint32_t count;
		if (t == UINT32_MAX)
			continue;
		ok = sim_ld_u32(ld, parts, "add_partitions.partitions", 1, SIM_MAX_PARTITIONS,
				"partitions in all", &count) &&
		     sim_ld_topic_grow(ld, t, count, parts);
	}
	return ok;
}

static bool sim_ld_all_topics(struct sim_ld *ld)
{
	uint32_t topics = sim_ld_opt(ld, ld->top[SIM_K_TOPICS]);
	uint32_t sets = sim_ld_opt(ld, ld->top[SIM_K_TOPIC_SETS]);
	uint32_t init = sim_ld_opt(ld, ld->top[SIM_K_INITIAL]);
	if (init != SIM_YNONE) {
		uint32_t bad = topics != SIM_YNONE ? SIM_K_TOPICS : sets != SIM_YNONE ? SIM_K_TOPIC_SETS : SIM_K_COUNT;
		if (bad != SIM_K_COUNT)
			return sim_ld_fail(ld, ld->top_key[bad], "%s cannot be used with initial; expected the "
								 "topics to be implied by initial.partitions "
								 "(initial replaces start-up)",
					   sim_top_keys[bad]);
		if (ld->top[SIM_K_STARTUP] != SIM_YNONE)
			return sim_ld_fail(ld, ld->top_key[SIM_K_STARTUP], "startup cannot be used with initial; "
									   "expected no startup key (initial "
									   "replaces start-up)");
	}
	if (topics != SIM_YNONE && !sim_ld_topics_map(ld, topics))
		return false;
	if (sets != SIM_YNONE && !sim_ld_topic_sets(ld, sets))
		return false;
	if (init != SIM_YNONE) {
		if (!sim_ld_need_map(ld, init, "initial", "a map {partitions, replicas, controller_epoch}"))
			return false;
		uint32_t parts = sim_ld_opt(ld, sim_yaml_map_get(&ld->doc, init, "partitions"));
		if (parts != SIM_YNONE && !sim_ld_initial_topics(ld, parts))
			return false;
	}
	return sim_ld_timeline_topics(ld);
}

/* ---- initial ------------------------------------------------------------------------------ */
struct sim_replica_at {
	struct sim_pref p;
	int32_t broker;
	uint32_t i;
};

static int sim_replica_at_cmp(const void *a, const void *b)
{
	const struct sim_replica_at *x = a, *y = b;
	int c = sim_pref_at_cmp(&(struct sim_pref_at){x->p, 0}, &(struct sim_pref_at){y->p, 0});
	if (c != 0)
		return c;
	if (x->broker != y->broker)
		return x->broker < y->broker ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static bool sim_ld_state(struct sim_ld *ld, uint32_t id, const char *what, bool replica, int *out)
{
	const char *s;
	uint32_t len;
	char got[96];
	const char *expected = replica ? SIM_REPLICA_STATES_EXPECTED : SIM_PARTITION_STATES_EXPECTED;
	if (!sim_ld_text(ld, id, what, expected, &s, &len))
		return false;
	*out = replica ? sim_replica_state_parse(s, len) : sim_partition_state_parse(s, len);
	if (*out < 0)
		return sim_ld_fail(ld, id, "%s: unknown %s state %s; expected %s", what,
				   replica ? "replica" : "partition", sim_ld_got(ld, id, got, sizeof got), expected);
	return true;
}

static bool sim_ld_initial_partition(struct sim_ld *ld, uint32_t key, uint32_t v,
				     struct sim_initial_partition *ip)
{
	static const char *const keys[] = {"replicas", "state", "leader", "isr", "leader_epoch"};
	uint32_t f[5], fk[5];
	char where[240];
	if (!sim_ld_pref(ld, key, "initial.partitions", &ip->partition))
		return false;
	snprintf(where, sizeof where, "initial.partitions.%s", sim_ystr(&ld->doc, key));
	if (!sim_ld_need_map(ld, v, where, "{replicas: [ids], state?, leader?, isr?, leader_epoch?}") ||
	    !sim_ld_fields(ld, v, where, keys, SIM_N(keys), f, fk) ||
	    !sim_ld_required(ld, v, f[0], where, "replicas", "replicas: [broker ids]") ||
	    !sim_ld_brokers(ld, f[0], "replicas", false, false, sim_ld_rf_limit(ld), &ip->replicas))
		return false;
	ip->line = sim_ld_node(ld, key)->line;
	ip->col = sim_ld_node(ld, key)->col;
	ip->has_leader = f[2] != SIM_YNONE;
	ip->leader = -1;
	ip->isr = ip->replicas;
	ip->state = ip->has_leader ? SIM_STATE_UNSET : KC_NEW_PARTITION;
	if (f[1] != SIM_YNONE && !sim_ld_state(ld, f[1], "state", false, &ip->state))
		return false;
	if (!ip->has_leader) {
		uint32_t bad = f[3] != SIM_YNONE ? 3 : f[4] != SIM_YNONE ? 4 : 0;
		if (bad)
			return sim_ld_fail(ld, fk[bad], "%s: %s without leader; expected leader: ID or "
							"leader: none with it (only a partition with a leader "
							"has a state znode)",
					   where, keys[bad]);
		return true;
	}
	if (!sim_ld_broker_or_none(ld, f[2], "leader", &ip->leader))
		return false;
	if (f[3] != SIM_YNONE && !sim_ld_brokers(ld, f[3], "isr", false, true, 0, &ip->isr))
		return false;
	int64_t e = 0;
	if (f[4] != SIM_YNONE && !sim_ld_int(ld, f[4], "leader_epoch", 0, INT32_MAX, NULL, &e))
		return false;
	ip->leader_epoch = (int32_t)e;
	return true;
}

static bool sim_ld_initial(struct sim_ld *ld)
{
	struct sim_scenario *sc = ld->sc;
	struct sim_initial *in = &sc->initial;
	uint32_t init = sim_ld_opt(ld, ld->top[SIM_K_INITIAL]);
	if (init == SIM_YNONE)
		return true;
	sc->has_initial = true;
	static const char *const keys[] = {"partitions", "replicas", "controller_epoch"};
	uint32_t v[3];
	if (!sim_ld_fields(ld, init, "initial", keys, 3, v, NULL))
		return false;
	if (v[2] != SIM_YNONE) {
		int64_t e;
		if (!sim_ld_int(ld, v[2], "initial.controller_epoch", 0, INT32_MAX, NULL, &e))
			return false;
		in->controller_epoch = (int32_t)e;
	}

	uint32_t parts = sim_ld_opt(ld, v[0]);
	uint32_t n = parts == SIM_YNONE ? 0 : sim_ld_node(ld, parts)->n;
	if (n) {
		in->partitions = calloc(n, sizeof *in->partitions);
		struct sim_pref_at *order = malloc((size_t)n * sizeof *order);
		struct sim_initial_partition *sorted = malloc((size_t)n * sizeof *sorted);
		bool ok = in->partitions && order && sorted;
		if (!ok)
			sim_ld_oom(ld, parts);
		for (uint32_t i = 0; ok && i < n; i++) {
			ok = sim_ld_initial_partition(ld, sim_ykey(&ld->doc, parts, i), sim_yval(&ld->doc, parts, i),
						      &in->partitions[i]);
			order[i] = (struct sim_pref_at){in->partitions[i].partition, i};
		}
		if (ok)
			qsort(order, n, sizeof *order, sim_pref_at_cmp);
		/* Sorted, each topic's run must read 0, 1, 2, ... */
		for (uint32_t j = 0, run = 0; ok && j < n; j++) {
			if (j > 0 && order[j].p.topic != order[j - 1].p.topic)
				run = j;
			struct sim_pref p = order[j].p;
			if (p.partition != j - run) {
				const char *t = sim_ld_topic_name(ld, p.topic);
				ok = sim_ld_fail(ld, sim_ykey(&ld->doc, parts, order[j].i),
						 "initial.partitions lists %s-%u but not %s-%u; expected every "
						 "partition of topic %s, from %s-0 up",
						 t, p.partition, t, j - run, t, t);
			}
			sorted[j] = in->partitions[order[j].i];
			sc->topics[p.topic].partitions = p.partition + 1;
		}
		free(order);
		if (ok) {
			free(in->partitions);
			in->partitions = sorted;
			in->n_partitions = n;
		} else {
			free(sorted);
			return false;
		}
	}

	uint32_t reps = sim_ld_opt(ld, v[1]);
	if (reps == SIM_YNONE)
		return true;
	if (!sim_ld_need_seq(ld, reps, "initial.replicas", "a list of {partition, broker, state}"))
		return false;
	uint32_t m = sim_ld_node(ld, reps)->n;
	if (m == 0)
		return true;
	in->replicas = calloc(m, sizeof *in->replicas);
	struct sim_replica_at *order = malloc((size_t)m * sizeof *order);
	bool ok = in->replicas && order;
	if (!ok)
		sim_ld_oom(ld, reps);
	static const char *const rkeys[] = {"partition", "broker", "state"};
	for (uint32_t i = 0; ok && i < m; i++) {
		uint32_t r = sim_yitem(&ld->doc, reps, i), f[3];
		struct sim_initial_replica *ir = &in->replicas[i];
		ok = sim_ld_need_map(ld, r, "initial.replicas", "{partition, broker, state}") &&
		     sim_ld_fields(ld, r, "initial.replicas", rkeys, 3, f, NULL);
		for (size_t k = 0; ok && k < 3; k++)
			ok = sim_ld_required(ld, r, f[k], "initial.replicas", rkeys[k], "partition, broker and state");
		ok = ok && sim_ld_pref(ld, f[0], "initial.replicas.partition", &ir->partition) &&
		     sim_ld_broker(ld, f[1], "initial.replicas.broker", &ir->broker) &&
		     sim_ld_state(ld, f[2], "initial.replicas.state", true, &ir->state);
		if (ok && (sc->topics[ir->partition.topic].origin != SIM_TOPIC_INITIAL ||
			   ir->partition.partition >= sc->topics[ir->partition.topic].partitions))
			ok = sim_ld_fail(ld, f[0], "initial.replicas: partition %s-%u is not in "
						   "initial.partitions; expected one of its partitions",
					 sim_ld_topic_name(ld, ir->partition.topic), ir->partition.partition);
		if (ok) {
			ir->line = sim_ld_node(ld, r)->line;
			ir->col = sim_ld_node(ld, r)->col;
			order[i] = (struct sim_replica_at){ir->partition, ir->broker, i};
		}
	}
	if (ok) {
		qsort(order, m, sizeof *order, sim_replica_at_cmp);
		uint32_t dup = UINT32_MAX;
		for (uint32_t j = 1; j < m; j++)
			if (sim_replica_at_cmp(&(struct sim_replica_at){order[j].p, order[j].broker, 0},
					       &(struct sim_replica_at){order[j - 1].p, order[j - 1].broker, 0}) == 0 &&
			    order[j].i < dup)
				dup = order[j].i;
		if (dup != UINT32_MAX)
			ok = sim_ld_fail(ld, sim_yitem(&ld->doc, reps, dup),
					 "initial.replicas: replica %" PRId32 " of %s-%u is listed twice; "
					 "expected each replica once",
					 in->replicas[dup].broker, sim_ld_topic_name(ld, in->replicas[dup].partition.topic),
					 in->replicas[dup].partition.partition);
	}
	free(order);
	if (ok)
		in->n_replicas = m;
	return ok;
}

/* ---- timeline ----------------------------------------------------------------------------- */
/* Checks an action's argument map and sets vals per keys (required ones by `required`, a bit
 * per key). */
static bool sim_ld_args(struct sim_ld *ld, uint32_t a, const char *action, const char *shape,
			const char *const *keys, size_t n, unsigned required, uint32_t *vals)
{
	if (!sim_ld_need_map(ld, a, action, shape) || !sim_ld_fields(ld, a, action, keys, n, vals, NULL))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((required >> i & 1u) && !sim_ld_required(ld, a, vals[i], action, keys[i], shape))
			return false;
	return true;
}

static bool sim_ld_reassign_item(struct sim_ld *ld, uint32_t item, struct sim_reassign *r)
{
	static const char *const keys[] = {"partition", "replicas"};
	uint32_t v[2];
	return sim_ld_args(ld, item, "reassign", "{partition: TOPIC-N, replicas: [ids]}", keys, 2, 3u, v) &&
	       sim_ld_pref(ld, v[0], "reassign.partition", &r->partition) &&
	       sim_ld_brokers(ld, v[1], "reassign.replicas", false, false, sim_ld_rf_limit(ld), &r->replicas);
}

static bool sim_ld_reassign(struct sim_ld *ld, uint32_t a, struct sim_span *out)
{
	struct sim_scenario *sc = ld->sc;
	bool one = sim_ld_is_map(ld, a);
	if (!one && !sim_ld_need_seq(ld, a, "reassign", "{partition, replicas} or a list of them"))
		return false;
	uint32_t n = one ? 1 : sim_ld_node(ld, a)->n;
	if (n == 0)
		return sim_ld_fail(ld, a, "reassign: got an empty list; expected at least one {partition, replicas}");
	if (!sim_reserve((void **)&sc->reassigns, &sc->cap_reassigns, (uint64_t)sc->n_reassigns + n,
			    sizeof *sc->reassigns))
		return sim_ld_oom(ld, a);
	uint32_t off = sc->n_reassigns;
	struct sim_pref *p = malloc((size_t)n * sizeof *p);
	if (!p)
		return sim_ld_oom(ld, a);
	bool ok = true;
	for (uint32_t i = 0; ok && i < n; i++) {
		ok = sim_ld_reassign_item(ld, one ? a : sim_yitem(&ld->doc, a, i), &sc->reassigns[off + i]);
		p[i] = sc->reassigns[off + i].partition;
	}
	ok = ok && (one || sim_ld_prefs_distinct(ld, p, n, a, true, "reassign"));
	free(p);
	if (!ok)
		return false;
	sc->n_reassigns += n;
	*out = (struct sim_span){off, n};
	return true;
}

static bool sim_ld_entry(struct sim_ld *ld, struct sim_timeline_entry *e, uint32_t a)
{
	const char *name = sim_action_names[e->action];
	char got[96];
	uint32_t v[5];
	switch (e->action) {
	case SIM_ACT_CRASH:
	case SIM_ACT_RESTART:
	case SIM_ACT_ADD_BROKER:
		return sim_ld_brokers(ld, a, name, true, false, 0, &e->u.brokers);
	case SIM_ACT_SHUTDOWN:
	case SIM_ACT_EXPIRE_SESSION:
		return sim_ld_broker(ld, a, name, &e->u.broker);
	case SIM_ACT_CONTROLLER_FAILOVER: {
		bool b;
		if (!sim_ld_bool(ld, a, name, &b))
			return false;
		if (!b)
			return sim_ld_fail(ld, a, "controller_failover: got false; expected true");
		return true;
	}
	case SIM_ACT_PAUSE: {
		static const char *const keys[] = {"broker", "for"};
		return sim_ld_args(ld, a, name, "{broker: ID, for: DURATION}", keys, 2, 3u, v) &&
		       sim_ld_broker(ld, v[0], "pause.broker", &e->u.pause.broker) &&
		       sim_ld_duration(ld, v[1], "pause.for", &e->u.pause.for_us);
	}
	case SIM_ACT_ISOLATE: {
		static const char *const keys[] = {"broker", "from", "for"};
		static const char *const froms[] = {"zookeeper", "controller", "brokers", "all"};
		if (!sim_ld_args(ld, a, name, "{broker: ID, from: zookeeper|controller|brokers|all, for: DURATION}",
				 keys, 3, 7u, v) ||
		    !sim_ld_broker(ld, v[0], "isolate.broker", &e->u.isolate.broker) ||
		    !sim_ld_duration(ld, v[2], "isolate.for", &e->u.isolate.for_us))
			return false;
		for (size_t i = 0; i < SIM_N(froms); i++) {
			if (sim_ld_is_word(ld, v[1], froms[i])) {
				e->u.isolate.from = (enum sim_isolate_from)i;
				return true;
			}
		}
		return sim_ld_fail(ld, v[1], "isolate.from: got %s; expected zookeeper, controller, brokers "
					     "or all",
				   sim_ld_got(ld, v[1], got, sizeof got));
	}
	case SIM_ACT_ROLLING_RESTART: {
		static const char *const keys[] = {"brokers", "settle"};
		if (!sim_ld_args(ld, a, name, "{brokers: all or [ids], settle?: DURATION}", keys, 2, 1u, v))
			return false;
		e->u.rolling_restart.all = sim_ld_is_word(ld, v[0], "all");
		if (!e->u.rolling_restart.all &&
		    !sim_ld_brokers(ld, v[0], "rolling_restart.brokers", false, false, 0, &e->u.rolling_restart.brokers))
			return false;
		e->u.rolling_restart.has_settle = v[1] != SIM_YNONE;
		return v[1] == SIM_YNONE || sim_ld_duration(ld, v[1], "rolling_restart.settle",
							    &e->u.rolling_restart.settle_us);
	}
	case SIM_ACT_CREATE_TOPIC: {
		static const char *const keys[] = {"name", "partitions", "replication_factor", "assignment",
						   "unclean_leader_election"};
		struct sim_topic_spec *spec = &e->u.create_topic;
		spec->unclean_leader_election = -1;
		if (!sim_ld_args(ld, a, name, "{name, partitions, replication_factor} or {name, assignment}",
				 keys, 5, 1u, v))
			return false;
		/* The name was read and registered by the first pass. */
		spec->topic = sim_ld_topic_lookup(ld, sim_ystr(&ld->doc, v[0]), sim_ld_node(ld, v[0])->n);
		return sim_ld_placement(ld, a, "create_topic", (const uint32_t[3]){v[1], v[2], v[3]}, spec) &&
		       sim_ld_unclean(ld, v[4], "create_topic.unclean_leader_election",
				      &spec->unclean_leader_election);
	}
	case SIM_ACT_DELETE_TOPIC:
		return sim_ld_topic_ref(ld, a, name, &e->u.delete_topic);
	case SIM_ACT_ADD_PARTITIONS: {
		static const char *const keys[] = {"topic", "partitions", "assignment"};
		struct sim_topic_spec *spec = &e->u.add_partitions;
		spec->unclean_leader_election = -1;
		if (!sim_ld_args(ld, a, name, "{topic, partitions, assignment?}", keys, 3, 3u, v) ||
		    !sim_ld_topic_ref(ld, v[0], "add_partitions.topic", &spec->topic) ||
		    !sim_ld_u32(ld, v[1], "add_partitions.partitions", 1, SIM_MAX_PARTITIONS, "partitions in all",
				&spec->partitions))
			return false;
		if (v[2] == SIM_YNONE)
			return true;
		spec->explicit_assignment = true;
		return sim_ld_assignment(ld, v[2], "add_partitions.assignment", spec->partitions,
					 &spec->first_partition, &spec->n_assigned, &spec->replication_factor,
					 &spec->assignment);
	}
	case SIM_ACT_REASSIGN:
		return sim_ld_reassign(ld, a, &e->u.reassign);
	case SIM_ACT_PREFERRED_ELECTION:
		e->u.preferred_election.all = sim_ld_is_word(ld, a, "all");
		return e->u.preferred_election.all ||
		       sim_ld_prefs(ld, a, name, false, &e->u.preferred_election.partitions);
	case SIM_ACT_REPLICA_TRANSITION: {
		static const char *const keys[] = {"partition", "brokers", "to"};
		return sim_ld_args(ld, a, name, "{partition, brokers, to}", keys, 3, 7u, v) &&
		       sim_ld_pref(ld, v[0], "replica_transition.partition", &e->u.replica_transition.partition) &&
		       sim_ld_brokers(ld, v[1], "replica_transition.brokers", true, false, 0,
				      &e->u.replica_transition.brokers) &&
		       sim_ld_state(ld, v[2], "replica_transition.to", true, &e->u.replica_transition.to);
	}
	case SIM_ACT_PARTITION_TRANSITION: {
		static const char *const keys[] = {"partitions", "to", "election"};
		e->u.partition_transition.election = KC_SEL_OFFLINE;
		if (!sim_ld_args(ld, a, name, "{partitions, to, election?}", keys, 3, 3u, v) ||
		    !sim_ld_prefs(ld, v[0], "partition_transition.partitions", true,
				  &e->u.partition_transition.partitions) ||
		    !sim_ld_state(ld, v[1], "partition_transition.to", false, &e->u.partition_transition.to))
			return false;
		if (v[2] == SIM_YNONE)
			return true;
		const char *s;
		uint32_t len;
		if (!sim_ld_text(ld, v[2], "partition_transition.election", SIM_SELECTORS_EXPECTED, &s, &len))
			return false;
		int sel = sim_selector_parse(s, len);
		if (sel < 0)
			return sim_ld_fail(ld, v[2], "partition_transition.election: got %s; expected %s",
					   sim_ld_got(ld, v[2], got, sizeof got), SIM_SELECTORS_EXPECTED);
		e->u.partition_transition.election = (enum kc_selector)sel;
		return true;
	}
	case SIM_ACTION_COUNT:
		break;
	}
	return true;
}

static bool sim_ld_timeline(struct sim_ld *ld)
{
	for (uint32_t i = 0; i < ld->sc->n_timeline; i++)
		if (!sim_ld_entry(ld, &ld->sc->timeline[i], ld->tl_args[i]))
			return false;
	return true;
}

/* ---- expect ------------------------------------------------------------------------------- */
static bool sim_ld_expect_args(struct sim_ld *ld, struct sim_expect *x, uint32_t a)
{
	const char *name = sim_expect_kind_names[x->kind];
	char got[96], where[64];
	uint32_t v[5];
	snprintf(where, sizeof where, "expect %s", name);
	switch (x->kind) {
	case SIM_EXPECT_LEADER: {
		static const char *const keys[] = {"partition", "broker"};
		return sim_ld_args(ld, a, where, "{partition: TOPIC-N, broker: ID or none}", keys, 2, 3u, v) &&
		       sim_ld_pref(ld, v[0], "leader.partition", &x->u.leader.partition) &&
		       sim_ld_broker_or_none(ld, v[1], "leader.broker", &x->u.leader.broker);
	}
	case SIM_EXPECT_ISR:
	case SIM_EXPECT_ASSIGNMENT: {
		static const char *const keys[] = {"partition", "brokers"};
		bool isr = x->kind == SIM_EXPECT_ISR;
		return sim_ld_args(ld, a, where, "{partition: TOPIC-N, brokers: [ids]}", keys, 2, 3u, v) &&
		       sim_ld_pref(ld, v[0], isr ? "isr.partition" : "assignment.partition",
				   &x->u.brokers.partition) &&
		       sim_ld_brokers(ld, v[1], isr ? "isr.brokers" : "assignment.brokers", false, isr, 0,
				      &x->u.brokers.brokers);
	}
	case SIM_EXPECT_REPLICA_STATE: {
		static const char *const keys[] = {"partition", "broker", "state"};
		return sim_ld_args(ld, a, where, "{partition, broker, state}", keys, 3, 7u, v) &&
		       sim_ld_pref(ld, v[0], "replica_state.partition", &x->u.replica_state.partition) &&
		       sim_ld_broker(ld, v[1], "replica_state.broker", &x->u.replica_state.broker) &&
		       sim_ld_state(ld, v[2], "replica_state.state", true, &x->u.replica_state.state);
	}
	case SIM_EXPECT_PARTITION_STATE: {
		static const char *const keys[] = {"partition", "state"};
		return sim_ld_args(ld, a, where, "{partition, state}", keys, 2, 3u, v) &&
		       sim_ld_pref(ld, v[0], "partition_state.partition", &x->u.partition_state.partition) &&
		       sim_ld_state(ld, v[1], "partition_state.state", false, &x->u.partition_state.state);
	}
	case SIM_EXPECT_LEADER_EPOCH: {
		static const char *const keys[] = {"partition", "epoch"};
		int64_t e;
		if (!sim_ld_args(ld, a, where, "{partition, epoch}", keys, 2, 3u, v) ||
		    !sim_ld_pref(ld, v[0], "leader_epoch.partition", &x->u.leader_epoch.partition) ||
		    !sim_ld_int(ld, v[1], "leader_epoch.epoch", 0, INT32_MAX, NULL, &e))
			return false;
		x->u.leader_epoch.epoch = (int32_t)e;
		return true;
	}
	case SIM_EXPECT_CONTROLLER:
		return sim_ld_broker_or_none(ld, a, "controller", &x->u.controller);
	case SIM_EXPECT_CONTROLLER_EPOCH: {
		int64_t e;
		if (!sim_ld_int(ld, a, "controller_epoch", 0, INT32_MAX, NULL, &e))
			return false;
		x->u.controller_epoch = (int32_t)e;
		return true;
	}
	case SIM_EXPECT_TOPIC_EXISTS:
	case SIM_EXPECT_TOPIC_ABSENT:
		return sim_ld_topic_ref(ld, a, name, &x->u.topic);
	case SIM_EXPECT_REQUESTS: {
		static const char *const keys[] = {"to", "type", "partition", "delete", "count"};
		const char *s;
		uint32_t len;
		int64_t count;
		if (!sim_ld_args(ld, a, where, "{to, type, partition?, delete?, count}", keys, 5, 0x13u, v) ||
		    !sim_ld_broker(ld, v[0], "requests.to", &x->u.requests.to) ||
		    !sim_ld_text(ld, v[1], "requests.type", SIM_REQUEST_TYPES_EXPECTED, &s, &len))
			return false;
		int type = sim_request_type_parse(s, len);
		if (type < 0)
			return sim_ld_fail(ld, v[1], "requests.type: got %s; expected %s",
					   sim_ld_got(ld, v[1], got, sizeof got), SIM_REQUEST_TYPES_EXPECTED);
		x->u.requests.type = (enum kc_request_type)type;
		x->u.requests.has_partition = v[2] != SIM_YNONE;
		if (v[2] != SIM_YNONE && !sim_ld_pref(ld, v[2], "requests.partition", &x->u.requests.partition))
			return false;
		x->u.requests.has_delete = v[3] != SIM_YNONE;
		if (v[3] != SIM_YNONE) {
			if (type != KC_REQ_STOP_REPLICA)
				return sim_ld_fail(ld, v[3], "requests.delete: only StopReplica carries a delete "
							     "flag; expected no delete with type %s",
						   s);
			if (!sim_ld_bool(ld, v[3], "requests.delete", &x->u.requests.delete_flag))
				return false;
		}
		if (!sim_ld_int(ld, v[4], "requests.count", 0, INT64_MAX, NULL, &count))
			return false;
		x->u.requests.count = (uint64_t)count;
		return true;
	}
	case SIM_EXPECT_VIOLATION: {
		int inv;
		if (!sim_ld_invariant_name(ld, a, "violation", &inv))
			return false;
		x->u.violation = (enum sim_invariant)inv;
		return true;
	}
	case SIM_EXPECT_KIND_COUNT:
		break;
	}
	return true;
}

static bool sim_ld_expect(struct sim_ld *ld, const uint32_t disabled_by[SIM_INVARIANT_COUNT])
{
	struct sim_scenario *sc = ld->sc;
	uint32_t ex = sim_ld_opt(ld, ld->top[SIM_K_EXPECT]);
	char list[300];
	if (ex == SIM_YNONE)
		return true;
	if (!sim_ld_need_seq(ld, ex, "expect", "a list of checks such as {at: 10s, controller: 1}"))
		return false;
	uint32_t n = sim_ld_node(ld, ex)->n;
	if (n > SIM_MAX_EXPECT)
		return sim_ld_fail(ld, ex, "expect: %u entries; expected at most %u (limit: expectations)", n,
				   SIM_MAX_EXPECT);
	if (n == 0)
		return true;
	if (!(sc->expect = calloc(n, sizeof *sc->expect)))
		return sim_ld_oom(ld, ex);
	sc->n_expect = n;
	static const char *const whens[] = {"at", "within", "at_end"};
	for (uint32_t i = 0; i < n; i++) {
		uint32_t e = sim_yitem(&ld->doc, ex, i), when = SIM_YNONE, arg = SIM_YNONE;
		struct sim_expect *x = &sc->expect[i];
		int check = -1, w = -1;
		if (!sim_ld_need_map(ld, e, "expect entry", "a map such as {at: 10s, controller: 1}"))
			return false;
		for (uint32_t p = 0; p < sim_ld_node(ld, e)->n; p++) {
			uint32_t k = sim_ykey(&ld->doc, e, p);
			const char *ks = sim_ystr(&ld->doc, k);
			int kw = 0, kc = 0;
			while (kw < 3 && strcmp(whens[kw], ks) != 0)
				kw++;
			if (kw < 3) {
				if (w >= 0)
					return sim_ld_fail(ld, k, "expect entry has both %s and %s; expected exactly "
								  "one of at, within and at_end",
							   whens[w], whens[kw]);
				w = kw;
				when = sim_yval(&ld->doc, e, p);
				continue;
			}
			while (kc < SIM_EXPECT_KIND_COUNT && strcmp(sim_expect_kind_names[kc], ks) != 0)
				kc++;
			char exc[80];
			if (kc == SIM_EXPECT_KIND_COUNT)
				return sim_ld_fail(ld, k, "unknown check '%s' in an expect entry; expected at, "
							  "within or at_end and one of: %s",
						   sim_ld_excerpt(ks, sim_ld_node(ld, k)->n, exc, sizeof exc),
						   sim_ld_join(sim_expect_kind_names, SIM_EXPECT_KIND_COUNT, list, sizeof list));
			if (check >= 0)
				return sim_ld_fail(ld, k, "a second check '%s' in an expect entry that already has "
							  "'%s'; expected one check per entry",
						   sim_expect_kind_names[kc], sim_expect_kind_names[check]);
			check = kc;
			arg = sim_yval(&ld->doc, e, p);
		}
		if (check < 0)
			return sim_ld_fail(ld, e, "an expect entry without a check; expected one of: %s",
					   sim_ld_join(sim_expect_kind_names, SIM_EXPECT_KIND_COUNT, list, sizeof list));
		x->kind = (enum sim_expect_kind)check;
		x->line = sim_ld_node(ld, e)->line;
		x->col = sim_ld_node(ld, e)->col;
		x->when = SIM_WHEN_AT_END;
		if (w < 0 && check != SIM_EXPECT_VIOLATION)
			return sim_ld_fail(ld, e, "expect %s has no time; expected at: T, within: T or at_end: true",
					   sim_expect_kind_names[check]);
		if (w == 2) {
			bool b;
			if (!sim_ld_bool(ld, when, "at_end", &b))
				return false;
			if (!b)
				return sim_ld_fail(ld, when, "at_end: got false; expected at_end: true (or at: / "
							     "within:)");
		} else if (w >= 0) {
			x->when = w == 0 ? SIM_WHEN_AT : SIM_WHEN_WITHIN;
			if (!sim_ld_duration(ld, when, whens[w], &x->t_us))
				return false;
			if (!sc->run_until_quiescent && x->t_us > sc->run_until_us) {
				char a[24], b[24];
				return sim_ld_fail(ld, when, "%s: %s is beyond run_until %s, where the run ends; "
							     "expected a time <= run_until",
						   whens[w], sim_duration_format(x->t_us, a, sizeof a),
						   sim_duration_format(sc->run_until_us, b, sizeof b));
			}
		}
		if (!sim_ld_expect_args(ld, x, arg))
			return false;
		if (x->kind == SIM_EXPECT_VIOLATION) {
			if (disabled_by[x->u.violation] != SIM_YNONE)
				return sim_ld_fail(ld, arg, "violation: %s is in invariants.disable; expected an "
							    "invariant that is not disabled (naming it here "
							    "enables it)",
						   sim_invariant_info(x->u.violation)->name);
			sc->invariant_on[x->u.violation] = true;
		}
	}
	return true;
}

/* ---- --set -------------------------------------------------------------------------------- */
/* Applies overrides[k] = "KEY=VALUE" to the tree: VALUE is parsed as YAML and replaces (or
 * adds) the node at the dotted KEY. A map segment matches the longest existing key, so that
 * topic names with dots work (topics.my.topic.partitions); a list segment is an index. */
static bool sim_ld_override(struct sim_ld *ld, size_t k)
{
	const char *o = ld->ovr[k];
	const char *eq = strchr(o, '=');
	if (!eq || eq == o)
		return sim_ld_fail_set(ld, k, "missing KEY=; expected KEY=VALUE such as config.zk_mode=pipelined");
	const char *key = o, *val = eq + 1;
	size_t rem = (size_t)(eq - o);
	struct sim_yerr ye;
	uint32_t v;
	if (!sim_yaml_parse(&ld->doc, val, strlen(val), &v, &ye))
		return sim_ld_fail_set(ld, k, "VALUE at column %u: %s", ye.col, ye.msg);
	if (v == SIM_YNONE && (v = sim_yaml_new_scalar(&ld->doc, "", 0)) == SIM_YNONE)
		return sim_ld_fail_set(ld, k, "out of memory; expected a smaller value");

	uint32_t cur = ld->root;
	for (;;) {
		size_t seg = 0;
		while (seg < rem && key[seg] != '.')
			seg++;
		if (seg == 0 || (seg < rem && seg + 1 == rem))
			return sim_ld_fail_set(ld, k, "an empty segment in KEY; expected a dotted path such as "
						      "topics.orders.partitions");
		if (sim_yaml_is_null(&ld->doc, cur))
			sim_yaml_null_to_map(&ld->doc, cur);
		const struct sim_ynode *n = sim_ld_node(ld, cur);
		size_t done = (size_t)(key - o);
		if (n->kind == SIM_YSCALAR)
			return sim_ld_fail_set(ld, k, "%.*s holds a single value, not a map or list; expected a "
						      "KEY that ends there",
					       (int)(done - 1), o);
		if (n->kind == SIM_YSEQ) {
			int64_t idx;
			if (!sim_ld_parse_int(key, (uint32_t)seg, &idx) || key[0] == '-' || idx >= n->n)
				return sim_ld_fail_set(ld, k, "%.*s is a list of %u; expected an index 0..%u after "
							      "it, got '%.*s'",
						       (int)(done - 1), o, n->n, n->n ? n->n - 1 : 0,
						       (int)(seg > 60 ? 60 : seg), key);
			if (seg == rem) {
				sim_yaml_set_child(&ld->doc, cur, (uint32_t)idx, v);
				return true;
			}
			cur = sim_yitem(&ld->doc, cur, (uint32_t)idx);
			key += seg + 1;
			rem -= seg + 1;
			continue;
		}
		uint32_t best = UINT32_MAX;
		size_t best_len = 0;
		for (uint32_t i = 0; i < n->n; i++) {
			uint32_t kn = sim_ykey(&ld->doc, cur, i);
			size_t kl = sim_ld_node(ld, kn)->n;
			if (kl > best_len && kl <= rem && memcmp(sim_ystr(&ld->doc, kn), key, kl) == 0 &&
			    (kl == rem || key[kl] == '.')) {
				best = i;
				best_len = kl;
			}
		}
		if (best != UINT32_MAX) {
			if (best_len == rem) {
				sim_yaml_set_child(&ld->doc, cur, best, v);
				return true;
			}
			cur = sim_yval(&ld->doc, cur, best);
			key += best_len + 1;
			rem -= best_len + 1;
			continue;
		}
		/* A new key: the conversion below judges whether it belongs there. */
		uint32_t kn = sim_yaml_new_scalar(&ld->doc, key, seg);
		uint32_t child = seg == rem ? v : sim_yaml_new_map(&ld->doc);
		if (kn == SIM_YNONE || child == SIM_YNONE || !sim_yaml_map_append(&ld->doc, cur, kn, child))
			return sim_ld_fail_set(ld, k, "out of memory; expected a smaller value");
		if (seg == rem)
			return true;
		cur = child;
		key += seg + 1;
		rem -= seg + 1;
	}
}

/* ---- entry points ------------------------------------------------------------------------- */
static bool sim_ld_run(struct sim_ld *ld, size_t n_overrides)
{
	struct sim_scenario *sc = ld->sc;
	struct sim_yerr ye;
	if (!sim_yaml_load_file(&ld->doc, ld->path, &ld->root, &ye)) {
		snprintf(ld->err->msg, sizeof ld->err->msg, "%s:%u:%u: %s", ld->path, ye.line, ye.col, ye.msg);
		return false;
	}
	if (ld->root == SIM_YNONE)
		return sim_ld_fail(ld, SIM_YNONE, "the file is empty; expected a YAML map of scenario keys "
						  "(at least cluster:)");
	if (!sim_ld_is_map(ld, ld->root)) {
		char got[96];
		if (sim_yaml_is_null(&ld->doc, ld->root))
			return sim_ld_fail(ld, SIM_YNONE, "the file holds an empty document; expected a YAML map "
							  "of scenario keys (at least cluster:)");
		return sim_ld_fail(ld, ld->root, "the top level is %s; expected a map of scenario keys such as "
						 "cluster:, topics:, timeline:",
				   sim_ld_got(ld, ld->root, got, sizeof got));
	}
	for (size_t k = 0; k < n_overrides; k++)
		if (!sim_ld_override(ld, k))
			return false;

	sc->seed = 1;
	sc->controller = -1;
	sc->startup = SIM_STARTUP_INSTANT;
	sc->run_until_quiescent = true;
	sc->max_time_us = SIM_US_PER_H;
	sc->initial.controller_epoch = 1;
	sim_config_defaults(&sc->config);

	uint32_t disabled_by[SIM_INVARIANT_COUNT];
	if (!sim_ld_fields(ld, ld->root, "the top level", sim_top_keys, SIM_K_COUNT, ld->top, ld->top_key) ||
	    !sim_ld_top(ld) || !sim_ld_config(ld) || !sim_ld_invariants(ld, disabled_by) ||
	    !sim_ld_timeline_scan(ld) || !sim_ld_cluster(ld) || !sim_ld_all_topics(ld) ||
	    !sim_ld_initial(ld) || !sim_ld_timeline(ld) || !sim_ld_expect(ld, disabled_by))
		return false;

	for (uint32_t t = 0; t < sc->n_topics; t++)
		sc->topics[t].name = sim_ld_topic_name(ld, t);
	return true;
}

bool sim_scenario_load(const char *path, const char *const *overrides, size_t n_overrides,
		       struct sim_scenario *out, struct sim_error *err)
{
	memset(out, 0, sizeof *out);
	err->msg[0] = '\0';
	struct sim_ld ld = {.path = path, .ovr = overrides, .sc = out, .err = err, .root = SIM_YNONE};
	sim_yaml_init(&ld.doc);
	bool ok = sim_ld_run(&ld, n_overrides);
	sim_yaml_free(&ld.doc);
	free(ld.name_off);
	free(ld.tl_args);
	free(ld.stamp);
	free(ld.added);
	if (!ok)
		sim_scenario_free(out);
	return ok;
}

void sim_scenario_free(struct sim_scenario *sc)
{
	free(sc->name);
	free(sc->description);
	free(sc->brokers);
	free(sc->topics);
	free(sc->timeline);
	free(sc->expect);
	free(sc->initial.partitions);
	free(sc->initial.replicas);
	free(sc->ints);
	free(sc->prefs);
	free(sc->reassigns);
	free(sc->names_);
	free(sc->topic_hash_);
	memset(sc, 0, sizeof *sc);
}

int64_t sim_scenario_topic_find(const struct sim_scenario *sc, const char *name)
{
	if (!sc->topic_hash_)
		return -1;
	size_t len = strlen(name);
	for (uint32_t h = sim_name_hash(name, len) & sc->topic_hash_mask_;; h = (h + 1) & sc->topic_hash_mask_) {
		uint32_t t = sc->topic_hash_[h];
		if (t == UINT32_MAX)
			return -1;
		if (strcmp(sc->topics[t].name, name) == 0)
			return t;
	}
}

const char *sim_action_name(enum sim_action a)
{
	return a < SIM_ACTION_COUNT ? sim_action_names[a] : "?";
}

const char *sim_expect_kind_name(enum sim_expect_kind c)
{
	return c < SIM_EXPECT_KIND_COUNT ? sim_expect_kind_names[c] : "?";
}
