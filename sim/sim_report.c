/* sim_report.c — writes one run's result folder: timeline.csv, partitions.csv and
 * summary.json, and commits the trace's files. Every file is written to NAME.tmp in the folder
 * and renamed to NAME only after it was fully written and closed without error, so a reader
 * never sees a half-written file; on error the temporary file is removed. A run without
 * --trace removes trace.jsonl and state-change.log left by an earlier run, so that the folder
 * describes one run only.
 *
 * summary.json (2-space indent, keys in this order): scenario, seed, profile, outcome
 * ("pass"/"fail"), reason (only when "fail": the violated invariant's name, "max_time" or
 * "expectation"), end_us, violations [{invariant, t_us, detail, event?}], expectations
 * {passed, failed, not_evaluated}, failures [one string per failed expectation], figures
 * (sim_metrics_write_figures), repro (the command that reproduces the run). */
#include "sim_report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim_expect.h"
#include "sim_json.h"
#include "sim_metrics.h"
#include "sim_trace.h"

/* DIR/NAME plus suffix into buf; false (ENAMETOOLONG) if it does not fit. */
static bool path_of(char *buf, size_t size, const char *dir, const char *name, const char *suffix)
{
	int n = snprintf(buf, size, "%s/%s%s", dir, name, suffix);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return false;
	}
	return true;
}

bool sim_report_mkdirs(const char *dir)
{
	char path[4096];
	size_t len = strlen(dir);
	if (len == 0 || len >= sizeof path) {
		errno = len ? ENAMETOOLONG : ENOENT;
		return false;
	}
	memcpy(path, dir, len + 1);
	/* each prefix ending before a '/', then the whole path */
	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		char c = path[i];
		path[i] = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return false;
		path[i] = c;
	}
	struct stat st;
	if (stat(dir, &st) != 0)
		return false;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return false;
	}
	return true;
}

FILE *sim_report_open(const char *dir, const char *name)
{
	char path[4096];
	if (!path_of(path, sizeof path, dir, name, ".tmp"))
		return NULL;
	return fopen(path, "w");
}

void sim_report_discard(const char *dir, const char *name)
{
	char path[4096];
	if (path_of(path, sizeof path, dir, name, ".tmp"))
		remove(path);
}

bool sim_report_rename(const char *dir, const char *name)
{
	char from[4096], to[4096];
	if (!path_of(from, sizeof from, dir, name, ".tmp") || !path_of(to, sizeof to, dir, name, ""))
		return false;
	if (rename(from, to) == 0)
		return true;
	int saved = errno;
	remove(from);
	errno = saved;
	return false;
}

bool sim_report_commit(FILE *f, const char *dir, const char *name)
{
	bool ok = fflush(f) == 0 && !ferror(f);
	int saved = errno;
	if (fclose(f) != 0) {
		saved = errno;
		ok = false;
	}
	if (!ok) {
		sim_report_discard(dir, name);
		errno = saved ? saved : EIO;
		return false;
	}
	return sim_report_rename(dir, name);
}

/* ---- the files ---- */

static bool fail(const char *dir, const char *name)
{
	fprintf(stderr, "kcsim: %s/%s: %s\n", dir, name, strerror(errno));
	return false;
}

static bool write_timeline(const struct sim_observer *o, const char *dir)
{
	FILE *f = sim_report_open(dir, "timeline.csv");
	if (!f)
		return fail(dir, "timeline.csv.tmp");
	sim_metrics_write_timeline(o->metrics, f);
	return sim_report_commit(f, dir, "timeline.csv") || fail(dir, "timeline.csv");
}

static bool write_partitions(const struct sim_world *w, const struct sim_observer *o, const char *dir)
{
	FILE *f = sim_report_open(dir, "partitions.csv");
	if (!f)
		return fail(dir, "partitions.csv.tmp");
	sim_metrics_write_partitions(w, o->metrics, f);
	return sim_report_commit(f, dir, "partitions.csv") || fail(dir, "partitions.csv");
}

/* sim_expect_failures' lines as JSON strings, one per line of the array. */
static void write_failures(FILE *f, const char *text)
{
	bool any = false;
	const char *p = text ? text : "";
	fputs("[", f);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > 0) {
			char *line = malloc(len + 1);
			if (!line) {
				fprintf(stderr, "kcsim: out of memory\n");
				exit(3);
			}
			memcpy(line, p, len);
			line[len] = '\0';
			fputs(any ? ",\n    " : "\n    ", f);
			sim_json_string(f, line);
			free(line);
			any = true;
		}
		p += len + (nl ? 1 : 0);
	}
	fputs(any ? "\n  ]" : "]", f);
}

static const char *profile_name(enum kc_profile p)
{
	switch (p) {
	case KC_PROFILE_0_8_2:
		return "0.8.2";
	}
	return "unknown";
}

static void write_summary_body(FILE *f, const struct sim_world *w, const struct sim_observer *o, bool pass,
			       bool max_time)
{
	const char *inv = o->violated ? sim_invariant_info((enum sim_invariant)o->violation)->name : NULL;
	fputs("{\n  \"scenario\": ", f);
	sim_json_string(f, w->sc->name);
	fprintf(f, ",\n  \"seed\": %" PRIu64 ",\n  \"profile\": \"%s\",\n  \"outcome\": \"%s\"", w->sc->seed,
		profile_name(w->sc->profile), pass ? "pass" : "fail");
	if (!pass) {
		const char *reason = "expectation";
		if (o->violated && !sim_expect_violation_expected(o->expect, o->violation))
			reason = inv;
		else if (max_time)
			reason = "max_time";
		fputs(",\n  \"reason\": ", f);
		sim_json_string(f, reason);
	}
	fprintf(f, ",\n  \"end_us\": %" PRIu64 ",\n  \"violations\": ", w->now);
	if (o->violated) {
		fprintf(f, "[\n    {\"invariant\": \"%s\", \"t_us\": %" PRIu64 ", \"detail\": ", inv, o->violation_t_us);
		sim_json_string(f, o->violation_detail);
		if (o->violation_event[0]) {
			fputs(", \"event\": ", f);
			sim_json_string(f, o->violation_event);
		}
		fputs("}\n  ]", f);
	} else {
		fputs("[]", f);
	}
	uint32_t passed, failed, not_evaluated;
	sim_expect_counts(o->expect, &passed, &failed, &not_evaluated);
	fprintf(f,
		",\n  \"expectations\": {\"passed\": %" PRIu32 ", \"failed\": %" PRIu32 ", \"not_evaluated\": %" PRIu32
		"},\n  \"failures\": ",
		passed, failed, not_evaluated);
	write_failures(f, sim_expect_failures(o->expect));
	fputs(",\n  \"figures\": ", f);
	sim_metrics_write_figures(w, o->metrics, f, 2);
	fputs(",\n  \"repro\": ", f);
	sim_json_string(f, o->opts.repro);
	fputs("\n}\n", f);
}

static bool write_summary(const struct sim_world *w, const struct sim_observer *o, const char *dir, bool pass,
			  bool max_time)
{
	FILE *f = sim_report_open(dir, "summary.json");
	if (!f)
		return fail(dir, "summary.json.tmp");
	write_summary_body(f, w, o, pass, max_time);
	return sim_report_commit(f, dir, "summary.json") || fail(dir, "summary.json");
}

/* Trace files of an earlier run with --trace do not describe this one. */
static void remove_stale_trace(const char *dir)
{
	static const char *const names[] = {"trace.jsonl", "state-change.log"};
	char path[4096];
	for (int i = 0; i < 2; i++)
		if (path_of(path, sizeof path, dir, names[i], ""))
			remove(path);
}

bool sim_report_write(struct sim_world *w, struct sim_observer *o, bool pass, bool max_time)
{
	const char *dir = o->opts.out_dir;
	if (!sim_trace_finish(o->trace))
		return false; /* the trace has said why */
	if (!sim_report_mkdirs(dir)) {
		fprintf(stderr, "kcsim: %s: %s\n", dir, strerror(errno));
		return false;
	}
	bool ok = write_timeline(o, dir);
	ok = ok && write_partitions(w, o, dir);
	ok = ok && write_summary(w, o, dir, pass, max_time);
	if (!ok)
		return false;
	if (!o->trace) {
		remove_stale_trace(dir);
		return true;
	}
	return sim_trace_commit(o->trace);
}
