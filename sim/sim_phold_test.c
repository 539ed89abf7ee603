/* sim_phold_test.c — tests of the PHOLD model: pinned checksums (the same values the ns-3,
 * SimGrid and SimPy-xoshiro peers in scripts/bench/ produce), exact event counts, repeat
 * determinism, population density, and rejected parameters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_phold.h"

static const struct sim_phold_params base = {
	.lps = 1000, .population = 1, .events = 1000,
	.lookahead_us = 1000, .spread_us = 2000, .seed = 1,
};

static void test_pinned(void **state)
{
	(void)state;
	struct sim_phold_params p = base;
	struct sim_phold_result r;
	assert_true(sim_phold_run(&p, &r));
	assert_true(r.events == 1000);
	assert_true(r.end_t_us == 2810);
	assert_true(r.checksum == UINT64_C(0x6db7921b200639fd));
	p.events = 100000;
	assert_true(sim_phold_run(&p, &r));
	assert_true(r.events == 100000);
	assert_true(r.end_t_us == 200993);
	assert_true(r.checksum == UINT64_C(0xcb46a1e0e50cb616));
}

static void test_repeat_and_seed(void **state)
{
	(void)state;
	struct sim_phold_params p = base;
	p.lps = 17;
	p.population = 8;
	p.events = 50000;
	p.lookahead_us = 0; /* zero-delay events: same-time ties on every step */
	p.spread_us = 3;
	struct sim_phold_result a, b, c;
	assert_true(sim_phold_run(&p, &a));
	assert_true(sim_phold_run(&p, &b));
	assert_true(a.events == 50000);
	assert_true(a.checksum == b.checksum && a.end_t_us == b.end_t_us);
	p.seed = 2;
	assert_true(sim_phold_run(&p, &c));
	assert_true(c.checksum != a.checksum);
}

/* With lps * population events pending and mean delay D = lookahead + spread / 2, time
 * advances about events * D / (lps * population): here 200000 * 2000 / 1000. */
static void test_density(void **state)
{
	(void)state;
	struct sim_phold_params p = base;
	p.lps = 100;
	p.population = 10;
	p.events = 200000;
	struct sim_phold_result r;
	assert_true(sim_phold_run(&p, &r));
	assert_in_range(r.end_t_us, 380000, 420000);
	p.events = 0;
	assert_true(sim_phold_run(&p, &r));
	assert_true(r.events == 0 && r.end_t_us == 0);
}

static void test_rejects(void **state)
{
	(void)state;
	struct sim_phold_result r = { .events = 7 };
	struct sim_phold_params p = base;
	p.lps = 0;
	assert_false(sim_phold_run(&p, &r));
	p = base;
	p.population = 0;
	assert_false(sim_phold_run(&p, &r));
	p = base;
	p.lookahead_us = 2;
	p.spread_us = UINT64_MAX - 1;
	assert_false(sim_phold_run(&p, &r));
	assert_true(r.events == 7); /* untouched */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pinned),
		cmocka_unit_test(test_repeat_and_seed),
		cmocka_unit_test(test_density),
		cmocka_unit_test(test_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
