/* sim_scenario_read.c — the scenario loader's reading of typed values from the YAML tree, and
 * its error reporting: FILE:LINE:COLUMN (or `kcsim: --set: OPTION`) and "what is wrong;
 * what was expected". Scalars (integers, booleans, durations, names, state names), maps
 * checked against a list of known keys, and the entries of timeline and expect (one time key
 * and one named key, in the words of the caller's form). The callers name what is read. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim_duration.h"
#include "sim_scenario_int.h"

/* ---- errors ------------------------------------------------------------------------------- */
static bool sim_ld_failv(struct sim_ld *ld, uint32_t node, const char *fmt, va_list ap)
	SIM_SCN_PRINTF(3, 0);
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

bool sim_ld_fail(struct sim_ld *ld, uint32_t node, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sim_ld_failv(ld, node, fmt, ap);
	va_end(ap);
	return false;
}

bool sim_ld_fail_set(struct sim_ld *ld, size_t k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sim_ld_prefixed(ld, (uint32_t)k + 1, 0, 0, fmt, ap);
	va_end(ap);
	return false;
}

bool sim_ld_oom(struct sim_ld *ld, uint32_t node)
{
	return sim_ld_fail(ld, node, "out of memory; expected a smaller scenario");
}

/* A short, printable excerpt of a scalar for messages: at most 60 bytes, cut on a character
 * boundary, control characters shown as '?'. */
const char *sim_ld_excerpt(const char *s, size_t len, char *buf, size_t size)
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
const char *sim_ld_got(struct sim_ld *ld, uint32_t node, char *buf, size_t size)
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

const char *sim_ld_join(const char *const *names, size_t n, char *buf, size_t size)
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

/* ---- scalars ------------------------------------------------------------------------------ */
/* A scalar whose text is exactly word, plain or quoted: YAML reads `sync`, "sync" and 'sync'
 * as the same string, so a keyword is accepted in any of them (as names and durations are). */
bool sim_ld_is_word(struct sim_ld *ld, uint32_t id, const char *word)
{
	const struct sim_ynode *n = sim_ld_node(ld, id);
	size_t len = strlen(word);
	return n->kind == SIM_YSCALAR && n->n == len && memcmp(sim_ystr(&ld->doc, id), word, len) == 0;
}

/* The same, written plain only: a quoted "true" or "3" is a string, not a boolean or a number. */
static bool sim_ld_is_plain_word(struct sim_ld *ld, uint32_t id, const char *word)
{
	return !sim_ld_node(ld, id)->quoted && sim_ld_is_word(ld, id, word);
}

/* After "got '3'": " (quoted, so a string, not a number)" when the value is a number or a
 * boolean written in quotes, the reason it is refused, so that the message does not seem to
 * contradict itself. Empty otherwise. */
const char *sim_ld_quoted_note(struct sim_ld *ld, uint32_t id)
{
	static const char *const words[] = {"true", "True", "TRUE", "false", "False", "FALSE"};
	const struct sim_ynode *n = id == SIM_YNONE ? NULL : sim_ld_node(ld, id);
	int64_t v;
	if (!n || n->kind != SIM_YSCALAR || !n->quoted)
		return "";
	if (sim_ld_parse_int(sim_ystr(&ld->doc, id), n->n, &v))
		return " (quoted, so a string, not a number)";
	for (size_t i = 0; i < SIM_N(words); i++)
		if (sim_ld_is_word(ld, id, words[i]))
			return " (quoted, so a string, not a boolean)";
	return "";
}

static bool sim_ld_need(struct sim_ld *ld, uint32_t id, enum sim_ykind kind, const char *what,
			const char *expected)
{
	char got[96];
	if (id != SIM_YNONE && sim_ld_node(ld, id)->kind == kind)
		return true;
	return sim_ld_fail(ld, id, "%s: got %s; expected %s", what, sim_ld_got(ld, id, got, sizeof got),
			   expected);
}

bool sim_ld_need_map(struct sim_ld *ld, uint32_t id, const char *what, const char *expected)
{
	return sim_ld_need(ld, id, SIM_YMAP, what, expected);
}

bool sim_ld_need_seq(struct sim_ld *ld, uint32_t id, const char *what, const char *expected)
{
	return sim_ld_need(ld, id, SIM_YSEQ, what, expected);
}

/* Any non-null scalar, quoted or not, as text. */
bool sim_ld_text(struct sim_ld *ld, uint32_t id, const char *what, const char *expected,
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
bool sim_ld_parse_int(const char *s, uint32_t len, int64_t *v)
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

bool sim_ld_int(struct sim_ld *ld, uint32_t id, const char *what, int64_t min, int64_t max,
		const char *limit, int64_t *out)
{
	char got[96];
	const struct sim_ynode *n = sim_ld_node(ld, id);
	int64_t v;
	if (n->kind != SIM_YSCALAR || n->quoted || !sim_ld_parse_int(sim_ystr(&ld->doc, id), n->n, &v))
		return sim_ld_fail(ld, id, "%s: got %s%s; expected an integer in %" PRId64 "..%" PRId64,
				   what, sim_ld_got(ld, id, got, sizeof got), sim_ld_quoted_note(ld, id), min,
				   max);
	if (v < min || v > max)
		return sim_ld_fail(ld, id,
				   "%s: %s is out of range; expected an integer in %" PRId64 "..%" PRId64
				   "%s%s%s",
				   what, sim_ld_got(ld, id, got, sizeof got), min, max,
				   limit ? " (limit: " : "", limit ? limit : "", limit ? ")" : "");
	*out = v;
	return true;
}

bool sim_ld_u32(struct sim_ld *ld, uint32_t id, const char *what, uint32_t min, uint32_t max,
		const char *limit, uint32_t *out)
{
	int64_t v;
	if (!sim_ld_int(ld, id, what, min, max, limit, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool sim_ld_bool(struct sim_ld *ld, uint32_t id, const char *what, bool *out)
{
	char got[96];
	static const char *const yes[] = {"true", "True", "TRUE"}, *const no[] = {"false", "False", "FALSE"};
	for (size_t i = 0; i < SIM_N(yes); i++) {
		if (sim_ld_is_plain_word(ld, id, yes[i])) {
			*out = true;
			return true;
		}
		if (sim_ld_is_plain_word(ld, id, no[i])) {
			*out = false;
			return true;
		}
	}
	return sim_ld_fail(ld, id, "%s: got %s%s; expected true or false", what,
			   sim_ld_got(ld, id, got, sizeof got), sim_ld_quoted_note(ld, id));
}

bool sim_ld_duration(struct sim_ld *ld, uint32_t id, const char *what, uint64_t *us)
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

bool sim_ld_name_ok(const char *s, size_t len)
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

/* A topic or scenario name. */
bool sim_ld_name(struct sim_ld *ld, uint32_t id, const char *what, const char **s, uint32_t *len)
{
	char got[96];
	if (!sim_ld_text(ld, id, what, "a name of " SIM_NAME_EXPECTED, s, len))
		return false;
	if (!sim_ld_name_ok(*s, *len))
		return sim_ld_fail(ld, id, "%s: %s is not a valid name; expected %s", what,
				   sim_ld_got(ld, id, got, sizeof got), SIM_NAME_EXPECTED);
	return true;
}

bool sim_ld_state(struct sim_ld *ld, uint32_t id, const char *what, bool replica, int *out)
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

/* ---- maps of known keys -------------------------------------------------------------------- */
/* Checks map's keys against keys[0..n) and sets vals[i] (and key_nodes[i] if given) to the
 * value (key) of keys[i], or SIM_YNONE. Unknown keys are errors. */
bool sim_ld_fields(struct sim_ld *ld, uint32_t map, const char *where, const char *const *keys,
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

bool sim_ld_required(struct sim_ld *ld, uint32_t map, uint32_t val, const char *where,
		     const char *key, const char *expected)
{
	if (val != SIM_YNONE)
		return true;
	return sim_ld_fail(ld, map, "%s: missing key '%s'; expected %s", where, key, expected);
}

/* Checks the argument map of an action or a check and sets vals per keys (required ones by `required`, a bit
 * per key). */
bool sim_ld_args(struct sim_ld *ld, uint32_t a, const char *action, const char *shape,
		 const char *const *keys, size_t n, unsigned required, uint32_t *vals)
{
	if (!sim_ld_need_map(ld, a, action, shape) || !sim_ld_fields(ld, a, action, keys, n, vals, NULL))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((required >> i & 1u) && !sim_ld_required(ld, a, vals[i], action, keys[i], shape))
			return false;
	return true;
}

/* ---- timeline and expect entries ---------------------------------------------------------- */
bool sim_ld_entry_list(struct sim_ld *ld, const struct sim_ld_entry_form *f, uint32_t *list,
		       uint32_t *n)
{
	const char *what = sim_ld_top_keys[f->top];
	*n = 0;
	*list = sim_ld_opt(ld, ld->top[f->top]);
	if (*list == SIM_YNONE)
		return true;
	if (!sim_ld_need_seq(ld, *list, what, f->list_shape))
		return false;
	*n = sim_ld_node(ld, *list)->n;
	if (*n > f->max)
		return sim_ld_fail(ld, *list, "%s: %u entries; expected at most %u (limit: %s)", what, *n,
				   f->max, f->limit);
	return true;
}

bool sim_ld_entry_keys(struct sim_ld *ld, uint32_t e, const struct sim_ld_entry_form *f,
		       struct sim_ld_entry *out)
{
	char ex[80], list[400];
	*out = (struct sim_ld_entry){-1, SIM_YNONE, -1, SIM_YNONE};
	if (!sim_ld_need_map(ld, e, f->entry, f->entry_shape))
		return false;
	for (uint32_t p = 0; p < sim_ld_node(ld, e)->n; p++) {
		uint32_t k = sim_ykey(&ld->doc, e, p);
		const char *ks = sim_ystr(&ld->doc, k);
		int w = 0, c = 0;
		while (w < f->n_whens && strcmp(f->whens[w], ks) != 0)
			w++;
		if (w < f->n_whens) {
			if (out->when >= 0)
				return sim_ld_fail(ld, k, "%s has both %s and %s; expected exactly one of %s",
						   f->entry, f->whens[out->when], f->whens[w], f->whens_and);
			out->when = w;
			out->when_val = sim_yval(&ld->doc, e, p);
			continue;
		}
		while (c < f->n_names && strcmp(f->names[c], ks) != 0)
			c++;
		if (c == f->n_names)
			return sim_ld_fail(ld, k, "unknown %s '%s' in %s; expected %s and one of: %s", f->name,
					   sim_ld_excerpt(ks, sim_ld_node(ld, k)->n, ex, sizeof ex), f->an_entry,
					   f->whens_or, sim_ld_join(f->names, (size_t)f->n_names, list, sizeof list));
		if (out->name >= 0)
			return sim_ld_fail(ld, k, "a second %s '%s' in %s that already has '%s'; expected %s "
						  "per entry",
					   f->name, f->names[c], f->an_entry, f->names[out->name], f->one_name);
		out->name = c;
		out->arg = sim_yval(&ld->doc, e, p);
	}
	if (out->name < 0)
		return sim_ld_fail(ld, e, "%s without %s; expected one of: %s", f->an_entry, f->a_name,
				   sim_ld_join(f->names, (size_t)f->n_names, list, sizeof list));
	return true;
}
