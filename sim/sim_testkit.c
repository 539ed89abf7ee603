/* sim_testkit.c — the simulator tests' shared helpers (see sim_testkit.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_testkit.h"

void sim_test_load(const char *name, const char *yaml, struct sim_scenario *sc)
{
	char dir[64], path[192];
	snprintf(dir, sizeof dir, "/tmp/kcsim-test-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(yaml, 1, strlen(yaml), fp), strlen(yaml));
	assert_int_equal(fclose(fp), 0);
	struct sim_error err;
	bool ok = sim_scenario_load(path, NULL, 0, sc, &err);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	if (!ok)
		fail_msg("%s", err.msg);
}
