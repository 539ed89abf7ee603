/* sim_scenario.c — turns a scenario file plus `--set` overrides into a validated struct
 * sim_scenario (sim_scenario.h). Every input error of spec/scenario-format.md is found by the
 * loader, before anything runs, and reported at the line and column of the text at fault. This
 * file owns the entry points, the order of the passes, the top-level scalars (name, profile,
 * seed, startup, run_until, max_time), invariants and inject; sim_scenario_int.h lists the
 * files that read the rest.
 *
 * The tree is read in passes, because references may point forward in the file: brokers are
 * declared by cluster.brokers and by any add_broker, topics by topics, topic_sets, initial and
 * any create_topic. So: top-level scalars and config; brokers (cluster + a first look at the
 * timeline); topic names; then initial, the timeline and expect in full. Every count is checked
 * against its limit before anything of that size is allocated. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_duration.h"
#include "sim_scenario_int.h"

const char *const sim_ld_top_keys[SIM_K_COUNT] = {
	"name", "description", "seed", "profile", "config", "cluster", "topics", "topic_sets",
	"startup", "initial", "timeline", "expect", "invariants", "inject", "run_until", "max_time",
};

/* ---- top-level scalars --------------------------------------------------------------------- */
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
		return sim_ld_fail(ld, id, "%s: got %s%s; expected an integer in 0..%" PRIu64, what,
				   sim_ld_got(ld, id, got, sizeof got), sim_ld_quoted_note(ld, id), UINT64_MAX);
	*out = v;
	return true;
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
	if (!(sc->name = strndup(s, len)))
		return sim_ld_oom(ld, v[SIM_K_NAME]);

	uint32_t d = v[SIM_K_DESCRIPTION];
	if (d != SIM_YNONE && !sim_yaml_is_null(&ld->doc, d)) {
		if (!sim_ld_text(ld, d, "description", "free text", &s, &len))
			return false;
		if (!(sc->description = strndup(s, len)))
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

/* scenario-format run_until: with a duration T, an `at:` or `within:` time beyond T (in the
 * timeline or in expect) is an input error, since the run ends at T. */
bool sim_ld_before_run_end(struct sim_ld *ld, uint32_t id, const char *what, uint64_t t_us)
{
	const struct sim_scenario *sc = ld->sc;
	if (sc->run_until_quiescent || t_us <= sc->run_until_us)
		return true;
	char a[24], b[24];
	return sim_ld_fail(ld, id, "%s: %s is beyond run_until %s, where the run ends; expected a time <= run_until",
			   what, sim_duration_format(t_us, a, sizeof a),
			   sim_duration_format(sc->run_until_us, b, sizeof b));
}

/* ---- invariants and injections -------------------------------------------------------------- */
bool sim_ld_invariant_name(struct sim_ld *ld, uint32_t id, const char *what, int *out)
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
	sim_ld_config_defaults(&sc->config);

	uint32_t disabled_by[SIM_INVARIANT_COUNT];
	if (!sim_ld_fields(ld, ld->root, "the top level", sim_ld_top_keys, SIM_K_COUNT, ld->top, ld->top_key) ||
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
