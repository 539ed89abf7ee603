/* sim_cli_check.c — `kcsim check`: every scenario under the given files and folders, in
 * sorted order, each into results/ plus its path relative to the argument; a failing scenario
 * is run again with --trace; `--jobs N` spreads the runs over N processes without changing a
 * byte of output. The last line is "N passed, M failed". */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim_cli.h"

static const char check_usage[] =
	"usage: kcsim check FILE_OR_DIR... [--jobs N] [--out DIR]\n"
	"\n"
	"Runs every scenario (*.yaml; folders recursively) in sorted order and prints one line\n"
	"each, then \"N passed, M failed\". Results go to DIR/<path relative to the argument>\n"
	"(DIR defaults to results); a failing scenario is rerun with --trace.\n"
	"  --jobs N   run N scenarios at a time (output is identical for any N)\n"
	"Exit status: 0 all passed; 1 some failed and every one could be loaded; 2 some could\n"
	"not be loaded (unusable input), whether or not others failed.\n";

struct item {
	char *path; /* the scenario file */
	char *rel;  /* its results sub-folder */
	int rc;
	char verdict[1024];
};

struct list {
	struct item *v;
	size_t n, cap;
};

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* a + sep + b in a new string (sep may be empty) */
static char *join(const char *a, const char *sep, const char *b)
{
	size_t n = strlen(a) + strlen(sep) + strlen(b) + 1;
	char *s = malloc(n);
	if (!s)
		exit(3);
	snprintf(s, n, "%s%s%s", a, sep, b);
	return s;
}

static void add(struct list *l, const char *path, const char *rel)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		if (!l->v)
			exit(3);
	}
	struct item *it = &l->v[l->n++];
	memset(it, 0, sizeof *it);
	it->path = join(path, "", "");
	it->rel = join(rel, "", "");
	it->rel[strlen(it->rel) - strlen(".yaml")] = '\0';
}

/* Folders are walked recursively; only *.yaml files are scenarios. */
static void walk(struct list *l, const char *dir, const char *rel)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *path = join(dir, "/", e->d_name);
		char *r = rel[0] ? join(rel, "/", e->d_name) : join(e->d_name, "", "");
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			walk(l, path, r);
		else if (has_suffix(e->d_name, ".yaml"))
			add(l, path, r);
		free(path);
		free(r);
	}
	closedir(d);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->path, ((const struct item *)b)->path);
}

static void run_item(struct item *it, const char *root)
{
	char *out = join(root, "/", it->rel);
	struct sim_cli_job job = {.path = it->path, .out_dir = out, .quiet = true};
	it->rc = sim_cli_run_one(&job, it->verdict, sizeof it->verdict);
	if (it->rc == 1) {
		/* leave a trace behind for the failure */
		char again[1024];
		job.trace = true;
		sim_cli_run_one(&job, again, sizeof again);
	}
	free(out);
}

/* Children take every jobs-th scenario and report "index rc verdict" lines on a pipe. */
static void run_parallel(struct list *l, const char *root, int jobs)
{
	int *fds = calloc((size_t)jobs, sizeof *fds);
	pid_t *pids = calloc((size_t)jobs, sizeof *pids);
	if (!fds || !pids)
		exit(3);
	for (int k = 0; k < jobs; k++) {
		int p[2];
		if (pipe(p) != 0)
			exit(3);
		fflush(NULL);
		pids[k] = fork();
		if (pids[k] == 0) {
			close(p[0]);
			FILE *f = fdopen(p[1], "w");
			for (size_t i = (size_t)k; i < l->n; i += (size_t)jobs) {
				run_item(&l->v[i], root);
				for (char *c = l->v[i].verdict; *c; c++)
					if (*c == '\n')
						*c = ' ';
				fprintf(f, "%zu %d %s\n", i, l->v[i].rc, l->v[i].verdict);
				fflush(f);
			}
			fclose(f);
			_exit(0);
		}
		close(p[1]);
		fds[k] = p[0];
	}
	FILE **in = calloc((size_t)jobs, sizeof *in);
	if (!in)
		exit(3);
	for (int k = 0; k < jobs; k++)
		in[k] = fdopen(fds[k], "r");
	char line[1200];
	for (int k = 0; k < jobs; k++) {
		while (fgets(line, sizeof line, in[k])) {
			size_t i;
			int rc, off = 0;
			if (sscanf(line, "%zu %d %n", &i, &rc, &off) < 2 || i >= l->n)
				continue;
			l->v[i].rc = rc;
			line[strcspn(line, "\n")] = '\0';
			snprintf(l->v[i].verdict, sizeof l->v[i].verdict, "%s", line + off);
		}
		fclose(in[k]);
		waitpid(pids[k], NULL, 0);
	}
	free(in);
	free(fds);
	free(pids);
}

int sim_cli_check(int argc, char **argv)
{
	struct list l = {0};
	const char *root = "results";
	long jobs = 1;
	bool any_arg = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(check_usage, stdout);
			return 0;
		}
		if (strcmp(a, "--jobs") == 0) {
			char *end = NULL;
			jobs = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : 0;
			if (!end || *end || jobs < 1 || jobs > 256) {
				fprintf(stderr, "kcsim: --jobs: expected a number from 1 to 256\n");
				return 2;
			}
			i++;
			continue;
		}
		if (strcmp(a, "--out") == 0 && i + 1 < argc) {
			root = argv[++i];
			continue;
		}
		struct stat st;
		if (stat(a, &st) != 0) {
			fprintf(stderr, "kcsim: check: %s: %s\n", a, strerror(errno));
			return 2;
		}
		any_arg = true;
		if (S_ISDIR(st.st_mode)) {
			char *dir = join(a, "", "");
			for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
				dir[n - 1] = '\0'; /* "scenarios/" names files scenarios/x, not scenarios//x */
			walk(&l, dir, "");
			free(dir);
		} else {
			const char *base = strrchr(a, '/');
			add(&l, a, base ? base + 1 : a);
		}
	}
	if (!any_arg) {
		fputs(check_usage, stderr);
		return 2;
	}
	qsort(l.v, l.n, sizeof *l.v, by_path);
	if (jobs > 1 && l.n > 1)
		run_parallel(&l, root, (int)(jobs < (long)l.n ? jobs : (long)l.n));
	else
		for (size_t i = 0; i < l.n; i++)
			run_item(&l.v[i], root);
	size_t passed = 0, failed = 0, unusable = 0;
	for (size_t i = 0; i < l.n; i++) {
		const struct item *it = &l.v[i];
		if (it->rc == 0) {
			passed++;
			printf("ok    %s\n", it->path);
		} else {
			failed++;
			unusable += it->rc == 2;
			printf("FAIL  %s: %s\n", it->path, it->verdict);
		}
	}
	printf("%zu passed, %zu failed\n", passed, failed);
	for (size_t i = 0; i < l.n; i++) {
		free(l.v[i].path);
		free(l.v[i].rel);
	}
	free(l.v);
	/* Unusable input outranks a failure: 2 says some scenario was not run at all. */
	return unusable ? 2 : failed ? 1 : 0;
}
