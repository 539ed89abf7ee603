/* sim_sweep.c — the `--set KEY=V1,V2,...` grammar of `kcsim sweep` and the grid of runs it
 * spans. The grammar only splits: whether KEY names a scenario field and VALUE fits it is the
 * scenario loader's judgement (sim_scenario_load), made for every run before any run starts. */
#include <stdlib.h>
#include <string.h>

#include "sim_sweep.h"

static bool fail(struct sim_error *err, const char *arg, const char *what)
{
	snprintf(err->msg, sizeof err->msg, "kcsim: --set: %.200s: %s", arg ? arg : "(missing)", what);
	return false;
}

/* A key is a dotted path of names and indexes: the characters topic names may hold. */
static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	       c == '.';
}

static void free_axis(struct sim_sweep_axis *a)
{
	free(a->key);
	for (size_t i = 0; i < a->n_values; i++)
		free(a->values[i]);
	free(a->values);
	memset(a, 0, sizeof *a);
}

/* Splits list at top-level commas into a->values; false (with err) on an empty value, an
 * unbalanced bracket or a repeated value. */
static bool split_values(struct sim_sweep_axis *a, const char *arg, const char *list, struct sim_error *err)
{
	size_t cap = 0;
	const char *start = list;
	int depth = 0;
	for (const char *p = list;; p++) {
		if (*p == '[' || *p == '{')
			depth++;
		else if ((*p == ']' || *p == '}') && --depth < 0)
			return fail(err, arg, "an unmatched closing bracket; expected values such as [0,1,2],[0,1,2,3]");
		if (*p != '\0' && (*p != ',' || depth > 0))
			continue;
		if (*p == '\0' && depth > 0)
			return fail(err, arg, "an unclosed bracket; expected values such as [0,1,2],[0,1,2,3]");
		if (p == start)
			return fail(err, arg, "an empty value; expected KEY=V1,V2,... with no empty value");
		if (a->n_values == SIM_SWEEP_MAX_VALUES)
			return fail(err, arg, "more than 1000 values; expected at most 1000 per --set");
		if (a->n_values == cap) {
			cap = cap ? cap * 2 : 8;
			char **v = realloc(a->values, cap * sizeof *v);
			if (!v)
				return fail(err, arg, "out of memory; expected fewer values");
			a->values = v;
		}
		char *v = strndup(start, (size_t)(p - start));
		if (!v)
			return fail(err, arg, "out of memory; expected fewer values");
		for (size_t i = 0; i < a->n_values; i++)
			if (strcmp(a->values[i], v) == 0) {
				free(v);
				return fail(err, arg, "a value given twice; expected distinct values");
			}
		a->values[a->n_values++] = v;
		if (*p == '\0')
			return true;
		start = p + 1;
	}
}

bool sim_sweep_grid_add(struct sim_sweep_grid *g, const char *arg, struct sim_error *err)
{
	if (!arg || !*arg)
		return fail(err, arg, "nothing given; expected KEY=V1,V2,... such as config.zk_mode=sync,pipelined");
	const char *eq = strchr(arg, '=');
	if (!eq)
		return fail(err, arg, "no '='; expected KEY=V1,V2,... such as config.zk_mode=sync,pipelined");
	if (eq == arg)
		return fail(err, arg, "an empty KEY; expected KEY=V1,V2,... such as topics.t.partitions=100,1000");
	for (const char *p = arg; p < eq; p++)
		if (!key_char(*p))
			return fail(err, arg, "a KEY with a character other than letters, digits, '_', '-' and '.'; "
					      "expected a dotted path such as topic_sets.0.count");
	const char *dots = strstr(arg, "..");
	if (arg[0] == '.' || eq[-1] == '.' || (dots && dots < eq))
		return fail(err, arg, "an empty segment in KEY; expected a dotted path such as topic_sets.0.count");
	if (!eq[1])
		return fail(err, arg, "no values; expected KEY=V1,V2,... with at least one value");
	size_t klen = (size_t)(eq - arg);
	for (size_t i = 0; i < g->n_axes; i++)
		if (strlen(g->axes[i].key) == klen && memcmp(g->axes[i].key, arg, klen) == 0)
			return fail(err, arg, "this KEY is already swept; expected each KEY in one --set only");
	if (g->n_axes == SIM_SWEEP_MAX_AXES)
		return fail(err, arg, "more than 16 --set options; expected at most 16");

	struct sim_sweep_axis a = {0};
	a.key = strndup(arg, klen);
	if (!a.key)
		return fail(err, arg, "out of memory; expected a shorter KEY");
	if (!split_values(&a, arg, eq + 1, err)) {
		free_axis(&a);
		return false;
	}
	size_t runs = (g->n_axes ? g->n_runs : 1) * a.n_values;
	if (runs > SIM_SWEEP_MAX_RUNS) {
		free_axis(&a);
		return fail(err, arg, "the grid would exceed 10000 runs; expected fewer values");
	}
	g->axes[g->n_axes++] = a;
	g->n_runs = runs;
	return true;
}

void sim_sweep_grid_free(struct sim_sweep_grid *g)
{
	for (size_t i = 0; i < g->n_axes; i++)
		free_axis(&g->axes[i]);
	memset(g, 0, sizeof *g);
}

size_t sim_sweep_grid_value(const struct sim_sweep_grid *g, size_t run, size_t a)
{
	for (size_t i = g->n_axes; i-- > a + 1;)
		run /= g->axes[i].n_values;
	return run % g->axes[a].n_values;
}

size_t sim_sweep_grid_overrides_size(const struct sim_sweep_grid *g)
{
	size_t n = 0;
	for (size_t a = 0; a < g->n_axes; a++) {
		size_t longest = 0;
		for (size_t v = 0; v < g->axes[a].n_values; v++)
			if (strlen(g->axes[a].values[v]) > longest)
				longest = strlen(g->axes[a].values[v]);
		n += strlen(g->axes[a].key) + 1 + longest + 1;
	}
	return n ? n : 1;
}

void sim_sweep_grid_overrides(const struct sim_sweep_grid *g, size_t run, const char **buf, char *storage)
{
	for (size_t a = 0; a < g->n_axes; a++) {
		const char *key = g->axes[a].key, *val = g->axes[a].values[sim_sweep_grid_value(g, run, a)];
		size_t kl = strlen(key), vl = strlen(val);
		buf[a] = storage;
		memcpy(storage, key, kl);
		storage[kl] = '=';
		memcpy(storage + kl + 1, val, vl + 1);
		storage += kl + vl + 2;
	}
}
