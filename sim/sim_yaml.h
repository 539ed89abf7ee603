/* sim_yaml.h — kcsim's YAML reader: libyaml's event parser turned into a compact tree of
 * scalars, lists and maps whose nodes keep their 1-based line and column, so that every later
 * error can point at the offending text. It enforces the scenario format's YAML-level limits
 * (file size, UTF-8, no anchors/aliases/tags, no duplicate or non-scalar keys, depth, scalar
 * size, one document) and knows nothing of scenarios.
 *
 * Nodes are dense indices into one growing array (no per-node malloc); a document can hold
 * several sources (the file, then each `--set` value), and sim_yaml_source() tells which one a
 * node came from so that errors can be attributed. */
#ifndef SIM_YAML_H
#define SIM_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_YAML_MAX_FILE (64u << 20)  /* bytes */
#define SIM_YAML_MAX_DEPTH 32          /* nested lists and maps, the top-level map included */
#define SIM_YAML_MAX_SCALAR 4096       /* bytes of one scalar's value */
#define SIM_YNONE UINT32_MAX           /* "no node" */

enum sim_ykind { SIM_YSCALAR, SIM_YSEQ, SIM_YMAP };

struct sim_ynode {
	uint32_t line;   /* 1-based; 0 for nodes made by sim_yaml_new_* */
	uint32_t col;    /* 1-based, in characters (libyaml's count) */
	uint8_t kind;    /* enum sim_ykind */
	bool quoted;     /* scalar written quoted or as a block scalar: text, never a number */
	uint32_t n;      /* scalar: bytes of text; list: items; map: key/value pairs */
	uint32_t off;    /* scalar: into text (NUL-terminated); list/map: into kids */
};

/* Owns everything; zero-initialise or sim_yaml_init, then sim_yaml_free. */
struct sim_ydoc {
	struct sim_ynode *nodes;
	uint32_t n_nodes, cap_nodes;
	uint32_t *kids;    /* a list's items; a map's key, value, key, value... */
	uint32_t n_kids, cap_kids;
	char *text;        /* scalar bytes, each NUL-terminated */
	uint32_t n_text, cap_text;
	uint32_t *src_first; /* src_first[k] = first node index of source k */
	uint32_t n_src, cap_src;
};

/* Where and why reading failed; the caller adds the file name or option. */
struct sim_yerr {
	uint32_t line, col; /* 1-based */
	char msg[768];      /* "what is wrong; what was expected" */
};

void sim_yaml_init(struct sim_ydoc *d);
void sim_yaml_free(struct sim_ydoc *d);

/* Parses len bytes as one YAML document appended to d as a new source. *root is its top node,
 * or SIM_YNONE when the text holds no document (empty, or only comments). On failure d stays
 * valid for sim_yaml_free and e says why. */
bool sim_yaml_parse(struct sim_ydoc *d, const char *buf, size_t len, uint32_t *root,
		    struct sim_yerr *e);
/* Reads path (at most SIM_YAML_MAX_FILE bytes) and parses it as sim_yaml_parse does. */
bool sim_yaml_load_file(struct sim_ydoc *d, const char *path, uint32_t *root,
			struct sim_yerr *e);

/* Which parse made node id: 0 for the first, 1 for the second, ... */
uint32_t sim_yaml_source(const struct sim_ydoc *d, uint32_t id);

/* A plain empty, `~` or `null` scalar: YAML's null. */
bool sim_yaml_is_null(const struct sim_ydoc *d, uint32_t id);
/* The map's value for key (exact bytes), or SIM_YNONE. Linear: meant for small maps. */
uint32_t sim_yaml_map_get(const struct sim_ydoc *d, uint32_t map, const char *key);

/* Editing, for `--set`. New nodes belong to the latest source. Each returns SIM_YNONE / false
 * only when out of memory. */
uint32_t sim_yaml_new_scalar(struct sim_ydoc *d, const char *s, size_t len);
uint32_t sim_yaml_new_map(struct sim_ydoc *d);
bool sim_yaml_map_append(struct sim_ydoc *d, uint32_t map, uint32_t key, uint32_t value);
/* Turns a null scalar into an empty map (a `--set` path going through an empty value). */
void sim_yaml_null_to_map(struct sim_ydoc *d, uint32_t id);
/* Replaces child i (a list item, or a map's i-th value) of a list or map. */
void sim_yaml_set_child(struct sim_ydoc *d, uint32_t node, uint32_t i, uint32_t value);

/* ---- read access ---------------------------------------------------------------------------- */
static inline const struct sim_ynode *sim_ynode(const struct sim_ydoc *d, uint32_t id)
{
	return &d->nodes[id];
}
static inline const char *sim_ystr(const struct sim_ydoc *d, uint32_t id)
{
	return d->text + d->nodes[id].off;
}
static inline uint32_t sim_yitem(const struct sim_ydoc *d, uint32_t seq, uint32_t i)
{
	return d->kids[d->nodes[seq].off + i];
}
static inline uint32_t sim_ykey(const struct sim_ydoc *d, uint32_t map, uint32_t i)
{
	return d->kids[d->nodes[map].off + 2 * i];
}
static inline uint32_t sim_yval(const struct sim_ydoc *d, uint32_t map, uint32_t i)
{
	return d->kids[d->nodes[map].off + 2 * i + 1];
}

/* Grows *p (of elem-byte items, capacity *cap) to hold need items; false when out of memory or
 * beyond what a uint32_t index can name. Shared by the YAML tree and the scenario's pools. */
bool sim_reserve(void **p, uint32_t *cap, uint64_t need, size_t elem);

#endif
