/* sim_explore_run.c — one run of a plan: written as a scenario file, loaded and run by the
 * same code as `kcsim run`, judged from the summary.json it leaves (scenario-format Results).
 * Going through the file is deliberate: it is what guarantees that a materialised failure
 * replays exactly. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim_cli.h"
#include "sim_explore_int.h"
#include "sim_report.h"
#include "sim_sweep.h"

bool sim_xplan_save(const struct sim_xplan *p, const struct sim_xfile_note *note, const char *dir,
		    const char *file)
{
	if (!sim_report_mkdirs(dir)) {
		fprintf(stderr, "kcsim: %s: %s\n", dir, strerror(errno));
		return false;
	}
	FILE *f = sim_report_open(dir, file);
	if (!f) {
		fprintf(stderr, "kcsim: %s/%s.tmp: %s\n", dir, file, strerror(errno));
		return false;
	}
	if (!sim_xplan_write_yaml(p, note, f)) {
		fclose(f);
		sim_report_discard(dir, file);
		fprintf(stderr, "kcsim: %s/%s: %s\n", dir, file, strerror(errno));
		return false;
	}
	if (!sim_report_commit(f, dir, file)) {
		fprintf(stderr, "kcsim: %s/%s: %s\n", dir, file, strerror(errno));
		return false;
	}
	return true;
}

bool sim_xoutcome_failed(const struct sim_xoutcome *o) { return o->invariant[0] != '\0'; }


/* When the simulator does not name the event that was running, the failure is pinned on the
 * last timeline action at or before it: the fault it most plausibly follows. */
static void event_after(const struct sim_xplan *p, uint64_t t_us, struct sim_xoutcome *out)
{
	const char *what = NULL;
	for (uint32_t i = 0; i < p->n_entries && p->entries[i].at_us <= t_us; i++)
		what = sim_action_name(p->entries[i].action);
	snprintf(out->event, sizeof out->event, "after %s", what ? what : "start-up");
}

/* Buckets go by the kind of event, not by where it happened: the number after "broker " or
 * "line " becomes a letter ("ISR check on broker B", "timeline entry at line L"). */
static void event_kind(char *s)
{
	static const char *const keys[] = {"broker ", "line "};
	char *d = s;
	for (const char *p = s; *p;) {
		size_t k = 0, len = 0;
		for (; k < 2; k++) {
			len = strlen(keys[k]);
			if (strncmp(p, keys[k], len) == 0 && p[len] >= '0' && p[len] <= '9')
				break;
		}
		if (k == 2) {
			*d++ = *p++;
			continue;
		}
		/* the number is read past before its letter is written over it */
		for (p += len; *p >= '0' && *p <= '9'; p++)
			;
		memmove(d, keys[k], len);
		d += len;
		*d++ = k == 0 ? 'B' : 'L';
	}
	*d = '\0';
}

/* The verdict of DIR/summary.json. */
static void judge(const struct sim_xplan *p, const char *dir, struct sim_xoutcome *out)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/summary.json", dir);
	size_t len;
	char *text = sim_sweep_read_file(path, &len);
	struct sim_jv root = {text, text + (text ? len : 0)}, v, first = {0};
	char outcome[16], reason[64];
	int64_t n;
	if (!text || !sim_sweep_json_member(root, "outcome", &v) || !sim_sweep_json_str(v, outcome, sizeof outcome)) {
		snprintf(out->invariant, sizeof out->invariant, "unusable");
		snprintf(out->detail, sizeof out->detail, "%.400s: unreadable", path);
	} else if (strcmp(outcome, "pass") == 0) {
		out->invariant[0] = '\0';
	} else if (sim_sweep_json_member(root, "reason", &v) && sim_sweep_json_str(v, reason, sizeof reason) &&
		   strcmp(reason, "max_time") == 0) {
		snprintf(out->invariant, sizeof out->invariant, "no_convergence");
		if (sim_sweep_json_member(root, "end_us", &v) && sim_sweep_json_int(v, &n))
			out->t_us = (uint64_t)n;
		snprintf(out->detail, sizeof out->detail,
			 "no quiescent point with the liveness invariants holding by max_time (%" PRIu64 " us)",
			 out->t_us);
		event_after(p, out->t_us, out);
	} else if (sim_sweep_json_member(root, "violations", &v) && sim_sweep_json_next(v, &first) &&
		   sim_sweep_json_member(first, "invariant", &v) &&
		   sim_sweep_json_str(v, out->invariant, sizeof out->invariant)) {
		if (sim_sweep_json_member(first, "t_us", &v) && sim_sweep_json_int(v, &n))
			out->t_us = (uint64_t)n;
		if (!sim_sweep_json_member(first, "detail", &v) || !sim_sweep_json_str(v, out->detail, sizeof out->detail))
			out->detail[0] = '\0';
		if (sim_sweep_json_member(first, "event", &v) && sim_sweep_json_str(v, out->event, sizeof out->event))
			event_kind(out->event);
		else
			event_after(p, out->t_us, out);
	} else {
		snprintf(out->invariant, sizeof out->invariant, "unusable");
		snprintf(out->detail, sizeof out->detail, "%.400s: a failed run without a violation", path);
	}
	free(text);
}

/* The scratch files of the previous run go first: renaming a new file over an old one makes
 * ext4 (auto_da_alloc) write the data back at once, which made a run wait on the disk. */
static void clear_scratch(const char *dir)
{
	static const char *const names[] = {"scenario.yaml", "summary.json", "timeline.csv", "partitions.csv"};
	char path[4200];
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		remove(path);
	}
}

void sim_xrun(const struct sim_xplan *p, const char *dir, struct sim_xoutcome *out)
{
	memset(out, 0, sizeof *out);
	char path[4096], verdict[1024];
	clear_scratch(dir);
	snprintf(path, sizeof path, "%s/scenario.yaml", dir);
	if (!sim_xplan_save(p, NULL, dir, "scenario.yaml")) {
		snprintf(out->invariant, sizeof out->invariant, "unusable");
		snprintf(out->detail, sizeof out->detail, "%.400s: cannot be written", path);
		return;
	}
	struct sim_cli_job job = {.path = path, .out_dir = dir, .quiet = true};
	if (sim_cli_run_one(&job, verdict, sizeof verdict) == 2) {
		/* the plan did not load: explore wrote something the loader refuses */
		snprintf(out->invariant, sizeof out->invariant, "unusable");
		snprintf(out->detail, sizeof out->detail, "%.500s", verdict);
		return;
	}
	judge(p, dir, out);
}

void sim_xrun_forked(const struct sim_xplan *p, const char *dir, struct sim_xoutcome *out)
{
	int fd[2];
	if (pipe(fd) != 0) {
		fprintf(stderr, "kcsim: explore: pipe: %s\n", strerror(errno));
		exit(3);
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "kcsim: explore: fork: %s\n", strerror(errno));
		exit(3);
	}
	if (pid == 0) {
		close(fd[0]);
		sim_xrun(p, dir, out);
		_exit(sim_xwrite_all(fd[1], out, sizeof *out) ? 0 : 3);
	}
	close(fd[1]);
	bool got = sim_xread_all(fd[0], out, sizeof *out);
	close(fd[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!got)
		sim_xoutcome_crash(out, status);
}
