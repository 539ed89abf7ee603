/* sim_cli_run.c — `kcsim run`: one scenario, its options, the reproduce command, the verdict;
 * and the loader + runner that `check` shares. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_cli.h"

static const char run_usage[] =
	"usage: kcsim run SCENARIO.yaml [--seed N] [--out DIR] [--trace] [--quiet] [--inject NAME]...\n"
	"                           [--prefault auto|on|off] [--instant-build auto|real|direct]\n"
	"\n"
	"Replays one scenario against the controller core and checks every invariant and\n"
	"expectation. Results go to results/NAME/ (or --out DIR): summary.json, timeline.csv,\n"
	"partitions.csv, and with --trace also trace.jsonl and state-change.log.\n"
	"\n"
	"  --seed N       override the scenario's seed (every random choice derives from it)\n"
	"  --out DIR      write the results to DIR\n"
	"  --trace        also write trace.jsonl and state-change.log\n"
	"  --quiet        print nothing but errors (else, on a terminal, a progress line on stderr)\n"
	"  --prefault M   auto (default), on or off: a second thread maps memory in ahead of the\n"
	"                 run, taking the kernel's page faults off its path; auto for scenarios of\n"
	"                 50,000 partitions or more. Results are the same bytes either way\n"
	"  --instant-build B  auto (default), real or direct: how instant start-up creates the\n"
	"                 start-up topics, with the controller's real onNewTopicCreation or by\n"
	"                 building the state it leaves directly (faster); auto is direct for\n"
	"                 scenarios of 50,000 partitions or more. Results are the same bytes either way\n"
	"  --inject NAME  switch on a historical bug or a checker self-test (repeatable; off by\n"
	"                 default, and each changes nothing else):\n";

static void print_injects(FILE *f)
{
	for (int selftest = 0; selftest <= 1; selftest++) {
		fputs(selftest ? "\n  checker self-tests (each disables one check, to see an invariant fire):\n"
			       : "\n  historical Kafka bugs (controller.md section 13, fixed by 0.8.2):\n",
		      f);
		for (int i = 0; i < SIM_INJECT_COUNT; i++) {
			const struct sim_inject_info *in = sim_inject_info((enum sim_inject)i);
			if (in->selftest == (selftest == 1))
				fprintf(f, "    %-32s %s\n", in->name, in->summary);
		}
	}
	fputs("\nExit status: 0 pass, 1 an expectation or invariant failed, 2 unusable input.\n", f);
}

/* Digits only, and in range: strtoull would skip blanks and saturate an overflow. */
static bool parse_u64(const char *s, unsigned long long *out)
{
	if (!s || *s < '0' || *s > '9')
		return false;
	char *end;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return *end == '\0' && errno == 0;
}

/* A three-way option's value: its index in `names`, else -1 with the message printed. */
static int parse_mode(const char *option, const char *value, const char *const names[3])
{
	for (int i = 0; i < 3; i++)
		if (strcmp(value, names[i]) == 0)
			return i;
	fprintf(stderr, "kcsim: %s: got '%s'; expected %s, %s or %s\n", option, value, names[0], names[1], names[2]);
	return -1;
}

int sim_cli_run_one(const struct sim_cli_job *job, char *verdict, size_t verdict_len)
{
	struct sim_scenario sc;
	struct sim_error err;
	if (!sim_scenario_load(job->path, NULL, 0, &sc, &err)) {
		snprintf(verdict, verdict_len, "%s", err.msg);
		return 2;
	}
	if (job->seed_given)
		sc.seed = job->seed;
	struct sim_run_opts opts = {.scenario_path = job->path, .trace = job->trace, .quiet = job->quiet,
				    .progress = job->progress,
				    .seed_given = job->seed_given, .seed = sc.seed, .instant_build = job->instant_build};
	int n = snprintf(opts.repro, sizeof opts.repro, "kcsim run %s --seed %llu", job->path,
			 (unsigned long long)sc.seed);
	for (size_t i = 0; i < job->n_injects; i++) {
		int x = sim_inject_find(job->injects[i], strlen(job->injects[i]));
		if (x < 0) {
			snprintf(verdict, verdict_len, "kcsim: --inject: unknown name '%s'; see kcsim run --help",
				 job->injects[i]);
			sim_scenario_free(&sc);
			return 2;
		}
		sc.inject_on[x] = true;
		if (n > 0 && (size_t)n < sizeof opts.repro)
			n += snprintf(opts.repro + n, sizeof opts.repro - (size_t)n, " --inject %s",
				      sim_inject_info((enum sim_inject)x)->name);
	}
	char dir[4096];
	if (job->out_dir)
		snprintf(dir, sizeof dir, "%s", job->out_dir);
	else
		snprintf(dir, sizeof dir, "results/%s", sc.name);
	opts.out_dir = dir;
	struct sim_prefault *pf = sim_prefault_start(job->prefault, sc.n_partitions_max);
	int rc = sim_run(&sc, &opts, verdict, verdict_len);
	sim_prefault_stop(pf);
	sim_scenario_free(&sc);
	return rc;
}

int sim_cli_run(int argc, char **argv)
{
	struct sim_cli_job job = {0};
	const char **injects = calloc((size_t)argc + 1, sizeof *injects);
	if (!injects)
		return 3;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(run_usage, stdout);
			print_injects(stdout);
			free(injects);
			return 0;
		} else if (strcmp(a, "--seed") == 0) {
			if (!parse_u64(i + 1 < argc ? argv[i + 1] : NULL, &job.seed)) {
				fprintf(stderr, "kcsim: --seed: got '%s'; expected an integer in 0..18446744073709551615\n",
					i + 1 < argc ? argv[i + 1] : "");
				free(injects);
				return 2;
			}
			job.seed_given = true;
			i++;
		} else if (strcmp(a, "--out") == 0 && i + 1 < argc) {
			job.out_dir = argv[++i];
		} else if (strcmp(a, "--inject") == 0 && i + 1 < argc) {
			injects[job.n_injects++] = argv[++i];
		} else if (strcmp(a, "--prefault") == 0) {
			static const char *const modes[] = {"auto", "on", "off"}; /* enum sim_prefault_mode */
			int m = parse_mode(a, i + 1 < argc ? argv[++i] : "", modes);
			if (m < 0) {
				free(injects);
				return 2;
			}
			job.prefault = (enum sim_prefault_mode)m;
		} else if (strcmp(a, "--instant-build") == 0) {
			static const char *const builds[] = {"auto", "real", "direct"}; /* enum sim_instant_build */
			int m = parse_mode(a, i + 1 < argc ? argv[++i] : "", builds);
			if (m < 0) {
				free(injects);
				return 2;
			}
			job.instant_build = (enum sim_instant_build)m;
		} else if (strcmp(a, "--trace") == 0) {
			job.trace = true;
		} else if (strcmp(a, "--quiet") == 0) {
			job.quiet = true;
		} else if (a[0] == '-' || job.path) {
			fprintf(stderr, "kcsim: run: unexpected argument '%s'; see kcsim run --help\n", a);
			free(injects);
			return 2;
		} else {
			job.path = a;
		}
	}
	if (!job.path) {
		fputs(run_usage, stderr);
		free(injects);
		return 2;
	}
	job.injects = injects;
	job.progress = !job.quiet && isatty(STDERR_FILENO);
	char verdict[1024];
	int rc = sim_cli_run_one(&job, verdict, sizeof verdict);
	if (rc == 2)
		fprintf(stderr, "%s\n", verdict);
	else if (!job.quiet || rc != 0)
		printf("%s: %s\n", job.path, verdict);
	free(injects);
	return rc;
}
