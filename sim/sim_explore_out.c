/* sim_explore_out.c — an exploration's results folder: failures.tsv (the parameters, then
 * one row per failing seed), examples.tsv (one row per shrunk example) and buckets.json, all
 * written from struct sim_xresults; and `kcsim explore --merge`, which reads the shards'
 * TSV files back, checks that they cover the seed range exactly once, and writes the folder
 * one unsharded run would have written. The TSV files are the merge's input because their
 * free-text fields round-trip exactly (tabs, newlines and backslashes escaped). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_explore.h"
#include "sim_explore_int.h"
#include "sim_json.h"
#include "sim_report.h"
#include "sim_sweep.h"
#include "sim_world.h"

/* How many of a bucket's first seeds buckets.json lists. */
#define BUCKET_SEEDS_LISTED 10

void sim_xresults_add_fail(struct sim_xresults *r, const struct sim_xfail *f)
{
	if (r->n_fails == r->cap_fails) {
		r->cap_fails = r->cap_fails ? 2 * r->cap_fails : 64;
		r->fails = sim_xrealloc(r->fails, r->cap_fails * sizeof *r->fails);
	}
	r->fails[r->n_fails++] = *f;
}

void sim_xresults_add_example(struct sim_xresults *r, const struct sim_explore_example *e)
{
	if (r->n_examples == r->cap_examples) {
		r->cap_examples = r->cap_examples ? 2 * r->cap_examples : 16;
		r->examples = sim_xrealloc(r->examples, r->cap_examples * sizeof *r->examples);
	}
	r->examples[r->n_examples++] = *e;
}

void sim_xresults_free(struct sim_xresults *r)
{
	free(r->fails);
	free(r->examples);
	memset(r, 0, sizeof *r);
}

/* Seeds are unique within results, so ordering by seed is total. */
/* qsort that accepts an empty array without a pointer (C says qsort needs a valid one) */
static void sort(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(v, n, size, cmp);
}

static int fail_by_seed(const void *a, const void *b)
{
	uint64_t x = ((const struct sim_xfail *)a)->seed, y = ((const struct sim_xfail *)b)->seed;
	return x < y ? -1 : x > y;
}

static int example_by_seed(const void *a, const void *b)
{
	uint64_t x = ((const struct sim_explore_example *)a)->seed, y = ((const struct sim_explore_example *)b)->seed;
	return x < y ? -1 : x > y;
}

uint32_t sim_xresults_mark(struct sim_xresults *r)
{
	sort(r->fails, r->n_fails, sizeof *r->fails, fail_by_seed);
	sort(r->examples, r->n_examples, sizeof *r->examples, example_by_seed);
	/* buckets numbered as first met in seed order; firsts[k] is bucket k's first fail */
	size_t *firsts = sim_xrealloc(NULL, (r->n_fails + 1) * sizeof *firsts);
	uint64_t *count = sim_xrealloc(NULL, (r->n_fails + 1) * sizeof *count);
	uint32_t n = 0;
	for (size_t i = 0; i < r->n_fails; i++) {
		struct sim_xfail *f = &r->fails[i];
		uint32_t b = 0;
		while (b < n && (strcmp(r->fails[firsts[b]].invariant, f->invariant) != 0 ||
				 strcmp(r->fails[firsts[b]].event, f->event) != 0 ||
				 r->fails[firsts[b]].needs_inject != f->needs_inject))
			b++;
		if (b == n) {
			firsts[n] = i;
			count[n++] = 0;
		}
		f->bucket = b;
		/* with --inject, the buckets that do not need it are those a run without it shrinks */
		f->representative = f->needs_inject != 0 && count[b]++ < r->shrink;
	}
	free(firsts);
	free(count);
	return n;
}

static const struct sim_explore_example *find_example(const struct sim_xresults *r, uint64_t seed)
{
	struct sim_explore_example key = {.seed = seed};
	if (r->n_examples == 0)
		return NULL;
	return bsearch(&key, r->examples, r->n_examples, sizeof *r->examples, example_by_seed);
}

void sim_xresults_inject_list(const bool *inject_on, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < SIM_INJECT_COUNT && n < size; i++)
		if (inject_on[i])
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "", sim_inject_info((enum sim_inject)i)->name);
	if (n == 0)
		snprintf(buf, size, "-");
}

bool sim_xfile_hash(const char *path, char out[17])
{
	size_t len;
	char *text = sim_sweep_read_file(path, &len);
	if (!text)
		return false;
	uint64_t h = UINT64_C(14695981039346656037);
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)text[i];
		h *= UINT64_C(1099511628211);
	}
	free(text);
	snprintf(out, 17, "%016" PRIx64, h);
	return true;
}

/* ---- writing ---------------------------------------------------------------------------------- */

/* A free-text field: tab, newline, carriage return and backslash escaped. */
static void put_field(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\r')
			fputs("\\r", f);
		else if (*s == '\\')
			fputs("\\\\", f);
		else
			fputc(*s, f);
	}
}

static void put_header(FILE *f, const struct sim_xresults *r)
{
	char inject[512];
	sim_xresults_inject_list(r->inject_on, inject, sizeof inject);
	fprintf(f, "# kcsim explore results\n# scenario\t%s\n# base_fnv1a64\t%s\n# seeds\t%" PRIu64 "..%" PRIu64 "\n",
		r->scenario, r->base_hash, r->first_seed, r->last_seed);
	if (r->shards > 1)
		fprintf(f, "# shard\t%" PRIu64 "/%" PRIu64 "\n", r->shard, r->shards);
	fprintf(f, "# inject\t%s\n# shrink\t%u\n# stop_after\t%" PRIu64 "\n# seeds_run\t%" PRIu64 "\n", inject,
		r->shrink, r->stop_after, r->seeds_run);
}

static void write_failures(FILE *f, const struct sim_xresults *r)
{
	put_header(f, r);
	fputs("seed\tinvariant\tevent\tt_us\tjitter_zero\tneeds_inject\n", f);
	for (size_t i = 0; i < r->n_fails; i++) {
		const struct sim_xfail *x = &r->fails[i];
		fprintf(f, "%" PRIu64 "\t%s\t", x->seed, x->invariant);
		put_field(f, x->event);
		fprintf(f, "\t%" PRIu64 "\t%d\t%d\n", x->t_us, x->jitter_zero, x->needs_inject);
	}
}

static void write_examples(FILE *f, const struct sim_xresults *r)
{
	fputs("seed\tshrunk\tentries\truns\tt_us\tevent\tdetail\n", f);
	for (size_t i = 0; i < r->n_examples; i++) {
		const struct sim_explore_example *e = &r->examples[i];
		fprintf(f, "%" PRIu64 "\t%d\t%" PRIu32 "\t%" PRIu64 "\t%" PRIu64 "\t", e->seed, e->shrunk, e->entries,
			e->runs, e->t_us);
		put_field(f, e->event);
		fputc('\t', f);
		put_field(f, e->detail);
		fputc('\n', f);
	}
}

static void write_example_json(FILE *f, const struct sim_explore_example *e)
{
	char file[64];
	fprintf(f, "        {\"seed\": %" PRIu64 ", \"materialised\": ", e->seed);
	snprintf(file, sizeof file, SIM_XSEED_FILE, (unsigned long long)e->seed);
	sim_json_string(f, file);
	fputs(", \"shrunk\": ", f);
	snprintf(file, sizeof file, SIM_XMIN_FILE, (unsigned long long)e->seed);
	sim_json_string(f, e->shrunk ? file : NULL);
	fprintf(f, ", \"entries\": %" PRIu32 ", \"shrink_runs\": %" PRIu64 ", \"t_us\": %" PRIu64 ", \"event\": ",
		e->entries, e->runs, e->t_us);
	sim_json_string(f, e->event);
	fputs(", \"detail\": ", f);
	sim_json_string(f, e->detail);
	fputc('}', f);
}

static void write_buckets(FILE *f, const struct sim_xresults *r)
{
	uint32_t n_buckets = 0;
	for (size_t i = 0; i < r->n_fails; i++)
		if (r->fails[i].bucket + 1 > n_buckets)
			n_buckets = r->fails[i].bucket + 1;
	fputs("{\n  \"scenario\": ", f);
	sim_json_string(f, r->scenario);
	fprintf(f, ",\n  \"base_fnv1a64\": \"%s\",\n  \"seeds\": \"%" PRIu64 "..%" PRIu64 "\"", r->base_hash,
		r->first_seed, r->last_seed);
	if (r->shards > 1)
		fprintf(f, ",\n  \"shard\": \"%" PRIu64 "/%" PRIu64 "\"", r->shard, r->shards);
	fputs(",\n  \"inject\": [", f);
	bool any = false;
	for (int i = 0; i < SIM_INJECT_COUNT; i++)
		if (r->inject_on[i]) {
			fprintf(f, "%s\"%s\"", any ? ", " : "", sim_inject_info((enum sim_inject)i)->name);
			any = true;
		}
	fputs("]", f);
	if (r->stop_after)
		fprintf(f, ",\n  \"stop_after\": %" PRIu64, r->stop_after);
	fprintf(f, ",\n  \"seeds_run\": %" PRIu64 ",\n  \"failing_seeds\": %zu,\n  \"buckets\": [", r->seeds_run,
		r->n_fails);
	for (uint32_t b = 0; b < n_buckets; b++) {
		const struct sim_xfail *first = NULL;
		uint64_t count = 0;
		for (size_t i = 0; i < r->n_fails; i++)
			if (r->fails[i].bucket == b) {
				first = first ? first : &r->fails[i];
				count++;
			}
		fputs(b ? ",\n    {\"invariant\": " : "\n    {\"invariant\": ", f);
		sim_json_string(f, first->invariant);
		fputs(", \"event\": ", f);
		sim_json_string(f, first->event);
		if (first->needs_inject >= 0)
			fprintf(f, ", \"needs_inject\": %s", first->needs_inject ? "true" : "false");
		fprintf(f, ", \"count\": %" PRIu64 ",\n      \"first_seeds\": [", count);
		uint32_t listed = 0;
		for (size_t i = 0; i < r->n_fails && listed < BUCKET_SEEDS_LISTED; i++)
			if (r->fails[i].bucket == b)
				fprintf(f, "%s%" PRIu64, listed++ ? ", " : "", r->fails[i].seed);
		fputs("],\n      \"examples\": [", f);
		bool first_example = true;
		for (size_t i = 0; i < r->n_fails; i++) {
			const struct sim_explore_example *e = find_example(r, r->fails[i].seed);
			if (r->fails[i].bucket != b || !r->fails[i].representative || !e)
				continue;
			fputs(first_example ? "\n" : ",\n", f);
			write_example_json(f, e);
			first_example = false;
		}
		fputs(first_example ? "]}" : "\n      ]}", f);
	}
	fputs(n_buckets ? "\n  ]\n}\n" : "]\n}\n", f);
}

static bool write_one(const char *dir, const char *name, void (*body)(FILE *, const struct sim_xresults *),
		      const struct sim_xresults *r)
{
	FILE *f = sim_report_open(dir, name);
	if (f) {
		body(f, r);
		if (sim_report_commit(f, dir, name))
			return true;
	}
	fprintf(stderr, "kcsim: %s/%s: %s\n", dir, name, strerror(errno));
	return false;
}

bool sim_xresults_write(const struct sim_xresults *r, const char *dir)
{
	return write_one(dir, "failures.tsv", write_failures, r) && write_one(dir, "examples.tsv", write_examples, r) &&
	       write_one(dir, "buckets.json", write_buckets, r);
}

void sim_xresults_report(const struct sim_xresults *r, uint32_t n_buckets, const char *dir,
			 struct sim_explore_report *rep)
{
	memset(rep, 0, sizeof *rep);
	snprintf(rep->out_dir, sizeof rep->out_dir, "%s", dir);
	rep->seeds_run = r->seeds_run;
	rep->failing = r->n_fails;
	rep->n_buckets = n_buckets;
	rep->buckets = calloc(n_buckets + 1, sizeof *rep->buckets);
	if (!rep->buckets)
		exit(3);
	for (size_t i = 0; i < r->n_fails; i++) {
		const struct sim_xfail *f = &r->fails[i];
		struct sim_explore_bucket *b = &rep->buckets[f->bucket];
		if (b->count++ == 0) {
			snprintf(b->invariant, sizeof b->invariant, "%s", f->invariant);
			snprintf(b->event, sizeof b->event, "%s", f->event);
			b->needs_inject = f->needs_inject;
			b->first_seed = f->seed;
			b->examples = calloc(r->shrink + 1, sizeof *b->examples);
			if (!b->examples)
				exit(3);
		}
		const struct sim_explore_example *e = find_example(r, f->seed);
		if (f->representative && e)
			b->examples[b->n_examples++] = *e;
	}
}

void sim_explore_report_free(struct sim_explore_report *rep)
{
	for (uint32_t b = 0; b < rep->n_buckets; b++)
		free(rep->buckets[b].examples);
	free(rep->buckets);
	memset(rep, 0, sizeof *rep);
}

/* ---- reading back ----------------------------------------------------------------------------- */

/* Undoes put_field in place. */
static void unescape(char *s)
{
	char *d = s;
	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*d++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* Splits line at tabs into at most max fields; returns how many. */
static size_t split(char *line, char **field, size_t max)
{
	size_t n = 0;
	while (n < max) {
		field[n++] = line;
		char *tab = strchr(line, '\t');
		if (!tab)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	if (!*s || *s < '0' || *s > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	*out = v;
	return *end == '\0' && errno == 0;
}

static bool copy_str(char *dst, size_t size, const char *src)
{
	return (size_t)snprintf(dst, size, "%s", src) < size;
}

static bool read_header_line(struct sim_xresults *r, char *key, char *value)
{
	uint64_t shrink;
	if (strcmp(key, "scenario") == 0)
		return copy_str(r->scenario, sizeof r->scenario, value);
	if (strcmp(key, "base_fnv1a64") == 0)
		return copy_str(r->base_hash, sizeof r->base_hash, value);
	if (strcmp(key, "seeds") == 0) {
		char *dots = strstr(value, "..");
		if (!dots)
			return false;
		*dots = '\0';
		return parse_u64(value, &r->first_seed) && parse_u64(dots + 2, &r->last_seed);
	}
	if (strcmp(key, "shard") == 0) {
		char *slash = strchr(value, '/');
		if (!slash)
			return false;
		*slash = '\0';
		return parse_u64(value, &r->shard) && parse_u64(slash + 1, &r->shards);
	}
	if (strcmp(key, "inject") == 0) {
		for (char *name = strtok(value, ","); name; name = strtok(NULL, ",")) {
			int x = sim_inject_find(name, strlen(name));
			if (strcmp(name, "-") != 0 && x < 0)
				return false;
			if (x >= 0)
				r->inject_on[x] = true;
		}
		return true;
	}
	if (strcmp(key, "shrink") == 0) {
		bool ok = parse_u64(value, &shrink) && shrink <= 1000000;
		r->shrink = (unsigned)shrink;
		return ok;
	}
	if (strcmp(key, "stop_after") == 0)
		return parse_u64(value, &r->stop_after);
	if (strcmp(key, "seeds_run") == 0)
		return parse_u64(value, &r->seeds_run);
	return true;
}

/* Each line of dir/name without its newline to fn; false (err set) if fn refuses one. */
static bool read_lines(const char *dir, const char *name, bool (*fn)(struct sim_xresults *, char *, uint32_t),
		       struct sim_xresults *r, uint32_t origin, struct sim_error *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	size_t len;
	char *text = sim_sweep_read_file(path, &len);
	if (!text) {
		snprintf(err->msg, sizeof err->msg, "kcsim: --merge: %.900s: %s; expected the folder of a kcsim explore run",
			 path, strerror(errno));
		return false;
	}
	uint32_t line_no = 0;
	bool ok = true;
	for (char *line = text; ok && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		line_no++;
		ok = fn(r, line, origin);
		if (!ok)
			snprintf(err->msg, sizeof err->msg, "kcsim: --merge: %.900s:%u: cannot read this line", path,
				 (unsigned)line_no);
		line = nl ? nl + 1 : line + strlen(line);
	}
	free(text);
	return ok;
}

static bool read_failure_line(struct sim_xresults *r, char *line, uint32_t origin)
{
	char *f[7];
	if (strncmp(line, "# ", 2) == 0) {
		size_t n = split(line + 2, f, 2);
		return n < 2 || read_header_line(r, f[0], f[1]);
	}
	if (line[0] == '\0' || strncmp(line, "seed\t", 5) == 0)
		return true;
	if (split(line, f, 7) != 6)
		return false;
	struct sim_xfail x = {.origin = origin};
	uint64_t jitter_zero;
	unescape(f[2]);
	if (!parse_u64(f[0], &x.seed) || !copy_str(x.invariant, sizeof x.invariant, f[1]) ||
	    !copy_str(x.event, sizeof x.event, f[2]) || !parse_u64(f[3], &x.t_us) || !parse_u64(f[4], &jitter_zero))
		return false;
	if (strcmp(f[5], "-1") != 0 && strcmp(f[5], "0") != 0 && strcmp(f[5], "1") != 0)
		return false;
	x.jitter_zero = jitter_zero != 0;
	x.needs_inject = (int8_t)atoi(f[5]);
	sim_xresults_add_fail(r, &x);
	return true;
}

static bool read_example_line(struct sim_xresults *r, char *line, uint32_t origin)
{
	(void)origin;
	char *f[8];
	if (line[0] == '\0' || strncmp(line, "seed\t", 5) == 0)
		return true;
	if (split(line, f, 8) != 7)
		return false;
	struct sim_explore_example e = {0};
	uint64_t shrunk, entries;
	unescape(f[5]);
	unescape(f[6]);
	if (!parse_u64(f[0], &e.seed) || !parse_u64(f[1], &shrunk) || !parse_u64(f[2], &entries) ||
	    !parse_u64(f[3], &e.runs) || !parse_u64(f[4], &e.t_us) || !copy_str(e.event, sizeof e.event, f[5]) ||
	    !copy_str(e.detail, sizeof e.detail, f[6]) || entries > UINT32_MAX)
		return false;
	e.shrunk = shrunk != 0;
	e.entries = (uint32_t)entries;
	sim_xresults_add_example(r, &e);
	return true;
}

/* ---- merge -------------------------------------------------------------------------------------- */

/* dst_dir/name from src_dir/name, through name.tmp. */
static bool copy_file(const char *src_dir, const char *dst_dir, const char *name, struct sim_error *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", src_dir, name);
	size_t len;
	char *text = sim_sweep_read_file(path, &len);
	FILE *f = text ? sim_report_open(dst_dir, name) : NULL;
	bool ok = f && fwrite(text, 1, len, f) == len;
	ok = f && sim_report_commit(f, dst_dir, name) && ok;
	if (!ok)
		snprintf(err->msg, sizeof err->msg, "kcsim: --merge: %.400s -> %.400s/%s: %s", path, dst_dir, name,
			 strerror(errno ? errno : EIO));
	free(text);
	return ok;
}

/* The shards must be one exploration's K shards, each once. */
static bool check_shards(const struct sim_xresults *shard, size_t n, const char *const *dirs, struct sim_error *err)
{
	const struct sim_xresults *a = &shard[0];
	bool *seen = calloc(n + 1, sizeof *seen);
	if (!seen)
		exit(3);
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		const struct sim_xresults *s = &shard[i];
		const char *why = NULL;
		if (strcmp(s->scenario, a->scenario) != 0 || strcmp(s->base_hash, a->base_hash) != 0)
			why = "another base scenario than the first folder's";
		else if (s->first_seed != a->first_seed || s->last_seed != a->last_seed)
			why = "another seed range than the first folder's";
		else if (memcmp(s->inject_on, a->inject_on, sizeof s->inject_on) != 0 || s->shrink != a->shrink)
			why = "other --inject or shrink settings than the first folder's";
		else if (s->stop_after != 0)
			why = "a run stopped early (--stop-after), which covers no whole shard";
		else if (s->shards != n || s->shard < 1 || s->shard > n)
			why = "a shard of another split (merge needs all K shards of one --shard I/K split)";
		else if (seen[s->shard])
			why = "a shard that another folder already gives";
		if (why) {
			snprintf(err->msg, sizeof err->msg, "kcsim: --merge: %.800s: %s", dirs[i], why);
			ok = false;
		} else {
			seen[s->shard] = true;
		}
	}
	free(seen);
	return ok;
}

int sim_explore_merge(const char *const *dirs, size_t n_dirs, const char *out_dir, struct sim_explore_report *rep,
		      struct sim_error *err)
{
	memset(rep, 0, sizeof *rep);
	struct sim_xresults *shard = calloc(n_dirs + 1, sizeof *shard);
	struct sim_xresults all = {0};
	if (!shard)
		exit(3);
	int rc = 2;
	bool ok = n_dirs > 0;
	if (!ok)
		snprintf(err->msg, sizeof err->msg, "kcsim: --merge: expected the folders of every shard");
	for (size_t i = 0; i < n_dirs && ok; i++) {
		shard[i].shard = shard[i].shards = 1; /* an unsharded folder has no shard line */
		ok = read_lines(dirs[i], "failures.tsv", read_failure_line, &shard[i], (uint32_t)i, err) &&
		     read_lines(dirs[i], "examples.tsv", read_example_line, &shard[i], (uint32_t)i, err);
	}
	ok = ok && check_shards(shard, n_dirs, dirs, err);
	char out[4096];
	if (ok) {
		all = shard[0];
		all.fails = NULL;
		all.examples = NULL;
		all.n_fails = all.cap_fails = all.n_examples = all.cap_examples = 0;
		all.shard = all.shards = 1;
		all.seeds_run = 0;
		for (size_t i = 0; i < n_dirs; i++) {
			all.seeds_run += shard[i].seeds_run;
			for (size_t j = 0; j < shard[i].n_fails; j++)
				sim_xresults_add_fail(&all, &shard[i].fails[j]);
			sort(shard[i].examples, shard[i].n_examples, sizeof *shard[i].examples, example_by_seed);
		}
		if (out_dir)
			snprintf(out, sizeof out, "%s", out_dir);
		else
			snprintf(out, sizeof out, "results/explore-%s", all.scenario);
		if (!sim_report_mkdirs(out)) {
			snprintf(err->msg, sizeof err->msg, "kcsim: --merge: %.900s: %s", out, strerror(errno));
			ok = false;
		}
	}
	uint32_t n_buckets = ok ? sim_xresults_mark(&all) : 0;
	for (size_t i = 0; ok && i < all.n_fails; i++) {
		const struct sim_xfail *f = &all.fails[i];
		if (i > 0 && all.fails[i - 1].seed == f->seed) {
			snprintf(err->msg, sizeof err->msg, "kcsim: --merge: seed %" PRIu64 " is in two folders", f->seed);
			ok = false;
			break;
		}
		const char *src = dirs[f->origin];
		char name[64];
		snprintf(name, sizeof name, SIM_XSEED_FILE, (unsigned long long)f->seed);
		ok = strcmp(src, out) == 0 || copy_file(src, out, name, err);
		if (!ok || !f->representative)
			continue;
		/* a seed among its bucket's first overall is among them in its own shard too */
		const struct sim_explore_example *e = find_example(&shard[f->origin], f->seed);
		if (!e) {
			snprintf(err->msg, sizeof err->msg, "kcsim: --merge: %.900s: no shrunk example for seed %" PRIu64, src,
				 f->seed);
			ok = false;
			break;
		}
		sim_xresults_add_example(&all, e);
		snprintf(name, sizeof name, SIM_XMIN_FILE, (unsigned long long)f->seed);
		ok = !e->shrunk || strcmp(src, out) == 0 || copy_file(src, out, name, err);
	}
	if (ok) {
		sort(all.examples, all.n_examples, sizeof *all.examples, example_by_seed);
		ok = sim_xresults_write(&all, out);
		if (!ok)
			snprintf(err->msg, sizeof err->msg, "kcsim: --merge: %.900s: cannot write the results", out);
	}
	if (ok) {
		sim_xresults_report(&all, n_buckets, out, rep);
		rc = all.n_fails > 0;
	}
	for (size_t i = 0; i < n_dirs; i++)
		sim_xresults_free(&shard[i]);
	free(shard);
	sim_xresults_free(&all);
	return rc;
}
