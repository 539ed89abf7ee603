/* sim_yaml.c — builds the sim_yaml.h tree from libyaml events and enforces the YAML-level
 * limits of the scenario format. Text is checked for UTF-8 before libyaml sees it, so that a
 * bad byte is reported at its own line and column. */
#include "sim_yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#if defined(__GNUC__)
#define SIM_YAML_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SIM_YAML_PRINTF(f, a)
#endif

static bool sim_yaml_fail(struct sim_yerr *e, uint32_t line, uint32_t col, const char *fmt, ...)
	SIM_YAML_PRINTF(4, 5);

static bool sim_yaml_fail(struct sim_yerr *e, uint32_t line, uint32_t col, const char *fmt, ...)
{
	va_list ap;
	e->line = line ? line : 1;
	e->col = col ? col : 1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return false;
}

bool sim_reserve(void **p, uint32_t *cap, uint64_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	if (need > UINT32_MAX - 1)
		return false;
	uint64_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	if (n > UINT32_MAX - 1)
		n = UINT32_MAX - 1;
	void *q = realloc(*p, (size_t)n * elem);
	if (!q)
		return false;
	*p = q;
	*cap = (uint32_t)n;
	return true;
}

void sim_yaml_init(struct sim_ydoc *d)
{
	memset(d, 0, sizeof *d);
}

void sim_yaml_free(struct sim_ydoc *d)
{
	free(d->nodes);
	free(d->kids);
	free(d->text);
	free(d->src_first);
	memset(d, 0, sizeof *d);
}

static uint32_t sim_yaml_node(struct sim_ydoc *d, enum sim_ykind kind, uint32_t line, uint32_t col)
{
	if (!sim_reserve((void **)&d->nodes, &d->cap_nodes, (uint64_t)d->n_nodes + 1,
			      sizeof *d->nodes))
		return SIM_YNONE;
	uint32_t id = d->n_nodes++;
	struct sim_ynode *n = &d->nodes[id];
	memset(n, 0, sizeof *n);
	n->kind = (uint8_t)kind;
	n->line = line;
	n->col = col;
	n->off = kind == SIM_YSCALAR ? d->n_text : d->n_kids;
	return id;
}

static bool sim_yaml_text(struct sim_ydoc *d, uint32_t id, const char *s, size_t len)
{
	if (!sim_reserve((void **)&d->text, &d->cap_text, (uint64_t)d->n_text + len + 1, 1))
		return false;
	memcpy(d->text + d->n_text, s, len);
	d->text[d->n_text + len] = '\0';
	d->nodes[id].off = d->n_text;
	d->nodes[id].n = (uint32_t)len;
	d->n_text += (uint32_t)len + 1;
	return true;
}

uint32_t sim_yaml_source(const struct sim_ydoc *d, uint32_t id)
{
	uint32_t k = 0;
	while (k + 1 < d->n_src && d->src_first[k + 1] <= id)
		k++;
	return k;
}

bool sim_yaml_is_null(const struct sim_ydoc *d, uint32_t id)
{
	const struct sim_ynode *n = sim_ynode(d, id);
	if (n->kind != SIM_YSCALAR || n->quoted)
		return false;
	const char *s = sim_ystr(d, id);
	return n->n == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

uint32_t sim_yaml_map_get(const struct sim_ydoc *d, uint32_t map, const char *key)
{
	const struct sim_ynode *m = sim_ynode(d, map);
	if (m->kind != SIM_YMAP)
		return SIM_YNONE;
	for (uint32_t i = 0; i < m->n; i++)
		if (strcmp(sim_ystr(d, sim_ykey(d, map, i)), key) == 0)
			return sim_yval(d, map, i);
	return SIM_YNONE;
}

uint32_t sim_yaml_new_scalar(struct sim_ydoc *d, const char *s, size_t len)
{
	uint32_t id = sim_yaml_node(d, SIM_YSCALAR, 0, 0);
	if (id == SIM_YNONE || !sim_yaml_text(d, id, s, len))
		return SIM_YNONE;
	return id;
}

uint32_t sim_yaml_new_map(struct sim_ydoc *d)
{
	return sim_yaml_node(d, SIM_YMAP, 0, 0);
}

bool sim_yaml_map_append(struct sim_ydoc *d, uint32_t map, uint32_t key, uint32_t value)
{
	uint32_t n = d->nodes[map].n;
	/* Maps are contiguous in kids: copy this one to the end with room for one more pair. The
	 * old slots become garbage, which is fine for the few edits `--set` makes. */
	if (!sim_reserve((void **)&d->kids, &d->cap_kids, (uint64_t)d->n_kids + 2 * n + 2,
			      sizeof *d->kids))
		return false;
	uint32_t off = d->n_kids;
	memmove(d->kids + off, d->kids + d->nodes[map].off, (size_t)2 * n * sizeof *d->kids);
	d->kids[off + 2 * n] = key;
	d->kids[off + 2 * n + 1] = value;
	d->n_kids += 2 * n + 2;
	d->nodes[map].off = off;
	d->nodes[map].n = n + 1;
	return true;
}

void sim_yaml_null_to_map(struct sim_ydoc *d, uint32_t id)
{
	struct sim_ynode *n = &d->nodes[id];
	n->kind = SIM_YMAP;
	n->quoted = false;
	n->n = 0;
	n->off = d->n_kids;
}

void sim_yaml_set_child(struct sim_ydoc *d, uint32_t node, uint32_t i, uint32_t value)
{
	const struct sim_ynode *n = &d->nodes[node];
	d->kids[n->off + (n->kind == SIM_YMAP ? 2 * i + 1 : i)] = value;
}

/* ---- text checks -------------------------------------------------------------------------- */

/* Line and column of byte off, counted as libyaml counts: characters, with CR LF, CR, LF, NEL,
 * LS and PS as line breaks, and a leading UTF-8 BOM not counted. Only called on text already
 * known to be valid UTF-8 up to off. */
static void sim_yaml_pos(const unsigned char *s, size_t off, uint32_t *line, uint32_t *col)
{
	size_t i = 0;
	uint32_t l = 1, c = 1;
	if (off >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		i = 3;
	while (i < off) {
		unsigned char b = s[i];
		size_t w = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
		bool brk = b == '\n' || (b == '\r' && !(i + 1 < off && s[i + 1] == '\n')) ||
			   (b == 0xC2 && s[i + 1] == 0x85) ||
			   (b == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9));
		if (brk) {
			l++;
			c = 1;
		} else if (b != '\r') {
			c++;
		}
		i += w;
	}
	*line = l;
	*col = c;
}

/* Checks that s is UTF-8 made of characters YAML allows (its "printable" set, as libyaml's
 * reader does). */
static bool sim_yaml_check_text(const unsigned char *s, size_t len, struct sim_yerr *e)
{
	size_t i = 0;
	while (i < len) {
		unsigned char b = s[i];
		uint32_t cp;
		size_t w;
		if (b < 0x80) {
			cp = b;
			w = 1;
		} else if (b >= 0xC2 && b <= 0xDF) {
			cp = b & 0x1Fu;
			w = 2;
		} else if (b >= 0xE0 && b <= 0xEF) {
			cp = b & 0x0Fu;
			w = 3;
		} else if (b >= 0xF0 && b <= 0xF4) {
			cp = b & 0x07u;
			w = 4;
		} else {
			w = 0;
			cp = 0;
		}
		bool ok = w != 0 && i + w <= len;
		for (size_t k = 1; ok && k < w; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				ok = false;
			else
				cp = (cp << 6) | (s[i + k] & 0x3Fu);
		}
		/* Overlong forms, UTF-16 surrogates and code points above U+10FFFF. */
		if (ok && ((w == 3 && cp < 0x800) || (w == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
			   (cp >= 0xD800 && cp <= 0xDFFF)))
			ok = false;
		uint32_t line, col;
		if (!ok) {
			sim_yaml_pos(s, i, &line, &col);
			return sim_yaml_fail(e, line, col,
					     "byte 0x%02X is not valid UTF-8; expected a UTF-8 text file", b);
		}
		bool printable = cp == 0x09 || cp == 0x0A || cp == 0x0D || (cp >= 0x20 && cp <= 0x7E) ||
				 cp == 0x85 || (cp >= 0xA0 && cp <= 0xD7FF) ||
				 (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
		if (!printable) {
			sim_yaml_pos(s, i, &line, &col);
			return sim_yaml_fail(e, line, col,
					     "control character U+%04X is not allowed; expected printable "
					     "UTF-8 text",
					     (unsigned)cp);
		}
		i += w;
	}
	return true;
}

/* ---- events to tree --------------------------------------------------------------------------- */

struct sim_yframe {
	uint32_t node;
	uint32_t base; /* index in pending where its children start */
};

struct sim_ybuild {
	struct sim_ydoc *d;
	struct sim_yerr *e;
	uint32_t *pending; /* children of the open containers, innermost last */
	uint32_t n_pending, cap_pending;
	struct sim_yframe stack[SIM_YAML_MAX_DEPTH];
	uint32_t depth;
	uint32_t root;
};

struct sim_ykey_ref {
	const char *s;
	uint32_t len;
	uint32_t i; /* pair index: position in the file */
};

static int sim_ykey_cmp(const void *a, const void *b)
{
	const struct sim_ykey_ref *x = a, *y = b;
	uint32_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);
	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static bool sim_yaml_oom(struct sim_ybuild *b, uint32_t line, uint32_t col)
{
	return sim_yaml_fail(b->e, line, col, "out of memory while reading YAML; expected a smaller file");
}

/* Keys must be scalars, each once. Reports the first repeated key in file order. */
static bool sim_yaml_check_keys(struct sim_ybuild *b, uint32_t map)
{
	struct sim_ydoc *d = b->d;
	uint32_t n = d->nodes[map].n;
	for (uint32_t i = 0; i < n; i++) {
		const struct sim_ynode *k = sim_ynode(d, sim_ykey(d, map, i));
		if (k->kind != SIM_YSCALAR)
			return sim_yaml_fail(b->e, k->line, k->col,
					     "a %s used as a map key; expected a plain key such as name:",
					     k->kind == SIM_YSEQ ? "list" : "map");
	}
	if (n < 2)
		return true;
	struct sim_ykey_ref *r = malloc((size_t)n * sizeof *r);
	if (!r)
		return sim_yaml_oom(b, d->nodes[map].line, d->nodes[map].col);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = sim_ykey(d, map, i);
		r[i] = (struct sim_ykey_ref){sim_ystr(d, k), d->nodes[k].n, i};
	}
	qsort(r, n, sizeof *r, sim_ykey_cmp);
	uint32_t dup = UINT32_MAX, first = 0, run = 0;
	for (uint32_t i = 1; i < n; i++) {
		if (r[i].len != r[run].len || memcmp(r[i].s, r[run].s, r[i].len) != 0) {
			run = i;
			continue;
		}
		if (dup == UINT32_MAX || r[i].i < dup) {
			dup = r[i].i;
			first = r[run].i;
		}
	}
	free(r);
	if (dup == UINT32_MAX)
		return true;
	const struct sim_ynode *k = sim_ynode(d, sim_ykey(d, map, dup));
	const struct sim_ynode *f = sim_ynode(d, sim_ykey(d, map, first));
	return sim_yaml_fail(b->e, k->line, k->col,
			     "duplicate key '%.80s' (first at line %u column %u); expected each key "
			     "once per map",
			     sim_ystr(d, sim_ykey(d, map, dup)), f->line, f->col);
}

static bool sim_yaml_attach(struct sim_ybuild *b, uint32_t id)
{
	if (b->depth == 0) {
		b->root = id;
		return true;
	}
	if (!sim_reserve((void **)&b->pending, &b->cap_pending, (uint64_t)b->n_pending + 1,
			      sizeof *b->pending))
		return sim_yaml_oom(b, b->d->nodes[id].line, b->d->nodes[id].col);
	b->pending[b->n_pending++] = id;
	return true;
}

static bool sim_yaml_no_anchor_or_tag(struct sim_ybuild *b, const yaml_char_t *anchor,
				      const yaml_char_t *tag, uint32_t line, uint32_t col)
{
	if (anchor)
		return sim_yaml_fail(b->e, line, col,
				     "YAML anchor '&%.60s' is not allowed; expected plain values (the "
				     "scenario format forbids anchors and aliases)",
				     (const char *)anchor);
	if (tag)
		return sim_yaml_fail(b->e, line, col,
				     "YAML tag '%.60s' is not allowed; expected an untagged value",
				     (const char *)tag);
	return true;
}

static bool sim_yaml_event(struct sim_ybuild *b, const yaml_event_t *ev, bool *done)
{
	struct sim_ydoc *d = b->d;
	uint32_t line = (uint32_t)ev->start_mark.line + 1, col = (uint32_t)ev->start_mark.column + 1;
	uint32_t id;
	switch (ev->type) {
	case YAML_STREAM_START_EVENT:
	case YAML_DOCUMENT_END_EVENT:
	case YAML_NO_EVENT:
		return true;
	case YAML_STREAM_END_EVENT:
		*done = true;
		return true;
	case YAML_DOCUMENT_START_EVENT:
		if (b->root != SIM_YNONE)
			return sim_yaml_fail(b->e, line, col,
					     "a second YAML document; expected one document per file");
		return true;
	case YAML_ALIAS_EVENT:
		return sim_yaml_fail(b->e, line, col,
				     "YAML alias '*%.60s' is not allowed; expected plain values (the "
				     "scenario format forbids anchors and aliases)",
				     (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT: {
		if (!sim_yaml_no_anchor_or_tag(b, ev->data.scalar.anchor, ev->data.scalar.tag, line, col))
			return false;
		size_t len = ev->data.scalar.length;
		if (len > SIM_YAML_MAX_SCALAR)
			return sim_yaml_fail(b->e, line, col,
					     "a value of %zu bytes; expected at most %u bytes (limit: one "
					     "scalar, 4 KiB)",
					     len, SIM_YAML_MAX_SCALAR);
		const char *s = (const char *)ev->data.scalar.value;
		if (memchr(s, '\0', len))
			return sim_yaml_fail(b->e, line, col,
					     "a NUL character inside a value; expected text without NUL");
		id = sim_yaml_node(d, SIM_YSCALAR, line, col);
		if (id == SIM_YNONE || !sim_yaml_text(d, id, s, len))
			return sim_yaml_oom(b, line, col);
		d->nodes[id].quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		return sim_yaml_attach(b, id);
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool map = ev->type == YAML_MAPPING_START_EVENT;
		if (!sim_yaml_no_anchor_or_tag(b, map ? ev->data.mapping_start.anchor
						      : ev->data.sequence_start.anchor,
					       map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag,
					       line, col))
			return false;
		if (b->depth == SIM_YAML_MAX_DEPTH)
			return sim_yaml_fail(b->e, line, col,
					     "lists and maps nested more than %u deep; expected at most %u "
					     "levels (limit: nesting depth)",
					     SIM_YAML_MAX_DEPTH, SIM_YAML_MAX_DEPTH);
		id = sim_yaml_node(d, map ? SIM_YMAP : SIM_YSEQ, line, col);
		if (id == SIM_YNONE)
			return sim_yaml_oom(b, line, col);
		b->stack[b->depth++] = (struct sim_yframe){id, b->n_pending};
		return true;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		struct sim_yframe f = b->stack[--b->depth];
		uint32_t n = b->n_pending - f.base;
		if (!sim_reserve((void **)&d->kids, &d->cap_kids, (uint64_t)d->n_kids + n,
				      sizeof *d->kids))
			return sim_yaml_oom(b, line, col);
		if (n)
			memcpy(d->kids + d->n_kids, b->pending + f.base, (size_t)n * sizeof *d->kids);
		struct sim_ynode *node = &d->nodes[f.node];
		node->off = d->n_kids;
		node->n = node->kind == SIM_YMAP ? n / 2 : n;
		d->n_kids += n;
		b->n_pending = f.base;
		if (node->kind == SIM_YMAP && !sim_yaml_check_keys(b, f.node))
			return false;
		return sim_yaml_attach(b, f.node);
	}
	}
	return true;
}

static bool sim_yaml_parser_error(const yaml_parser_t *p, const unsigned char *buf, size_t len,
				  struct sim_yerr *e)
{
	uint32_t line = (uint32_t)p->problem_mark.line + 1, col = (uint32_t)p->problem_mark.column + 1;
	if (p->error == YAML_MEMORY_ERROR)
		return sim_yaml_fail(e, 1, 1, "out of memory while reading YAML; expected a smaller file");
	if (p->error == YAML_READER_ERROR) {
		sim_yaml_pos(buf, p->problem_offset < len ? p->problem_offset : len, &line, &col);
		return sim_yaml_fail(e, line, col, "unreadable text: %s; expected UTF-8 YAML",
				     p->problem ? p->problem : "unknown problem");
	}
	if (p->context)
		return sim_yaml_fail(e, line, col,
				     "YAML syntax error: %s %s at line %u column %u; expected "
				     "well-formed YAML",
				     p->problem ? p->problem : "unknown problem", p->context,
				     (unsigned)p->context_mark.line + 1, (unsigned)p->context_mark.column + 1);
	return sim_yaml_fail(e, line, col, "YAML syntax error: %s; expected well-formed YAML",
			     p->problem ? p->problem : "unknown problem");
}

bool sim_yaml_parse(struct sim_ydoc *d, const char *buf, size_t len, uint32_t *root,
		    struct sim_yerr *e)
{
	const unsigned char *u = (const unsigned char *)buf;
	*root = SIM_YNONE;
	if (!sim_reserve((void **)&d->src_first, &d->cap_src, (uint64_t)d->n_src + 1,
			      sizeof *d->src_first))
		return sim_yaml_fail(e, 1, 1, "out of memory while reading YAML; expected a smaller file");
	d->src_first[d->n_src++] = d->n_nodes;
	if (!sim_yaml_check_text(u, len, e))
		return false;
	/* A byte order mark may start a stream (YAML 1.2 §5.2). With the encoding set, libyaml
	 * would read it as content, so it is skipped here; libyaml's lines and columns do not
	 * count it either way. */
	if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		u += 3;
		len -= 3;
	}

	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return sim_yaml_fail(e, 1, 1, "out of memory while reading YAML; expected a smaller file");
	yaml_parser_set_input_string(&p, u, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);

	struct sim_ybuild b = {.d = d, .e = e, .root = SIM_YNONE};
	bool ok = true, done = false;
	while (ok && !done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			ok = sim_yaml_parser_error(&p, u, len, e);
			break;
		}
		ok = sim_yaml_event(&b, &ev, &done);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	free(b.pending);
	if (ok)
		*root = b.root;
	return ok;
}

bool sim_yaml_load_file(struct sim_ydoc *d, const char *path, uint32_t *root, struct sim_yerr *e)
{
	*root = SIM_YNONE;
	FILE *f = fopen(path, "rb");
	if (!f)
		return sim_yaml_fail(e, 1, 1, "cannot open the file (%s); expected a readable YAML file",
				     strerror(errno));
	char *buf = NULL;
	size_t len = 0, cap = 0;
	bool ok = true;
	for (;;) {
		if (len == cap) {
			/* One byte past the limit is enough to know the file is too large. */
			size_t ncap = cap ? cap * 2 : 65536;
			if (ncap > (size_t)SIM_YAML_MAX_FILE + 1)
				ncap = (size_t)SIM_YAML_MAX_FILE + 1;
			if (ncap == cap) {
				ok = sim_yaml_fail(e, 1, 1,
						   "the file is larger than 64 MiB; expected at most "
						   "67108864 bytes (limit: file size)");
				break;
			}
			char *nb = realloc(buf, ncap);
			if (!nb) {
				ok = sim_yaml_fail(e, 1, 1, "out of memory reading the file; expected a "
							    "smaller file");
				break;
			}
			buf = nb;
			cap = ncap;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f))
				ok = sim_yaml_fail(e, 1, 1,
						   "cannot read the file (%s); expected a readable YAML file",
						   strerror(errno));
			break;
		}
	}
	fclose(f);
	if (ok)
		ok = sim_yaml_parse(d, buf ? buf : "", len, root, e);
	free(buf);
	return ok;
}
