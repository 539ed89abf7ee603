/* sim_out_test.c — tests of the block writer: numbers as printf writes them, and the same bytes
 * whatever the buffer's size (full buffers, a write larger than the buffer). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim_out.h"

static void test_u64_like_printf(void **state)
{
	(void)state;
	static const uint64_t v[] = {0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 4294967295u,
				     UINT64_C(10000000000000000000), UINT64_MAX};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char buf[32], want[32];
		FILE *f = fmemopen(buf, sizeof buf, "w");
		assert_non_null(f);
		char block[20];
		struct sim_out o = sim_out_new(f, block, sizeof block);
		sim_out_u64(&o, v[i]);
		sim_out_flush(&o);
		assert_int_equal(fclose(f), 0);
		snprintf(want, sizeof want, "%" PRIu64, v[i]);
		assert_string_equal(buf, want);
	}
}

/* Writes a mix of pieces through a buffer of cap bytes; returns what reached the file. */
static char *write_mix(size_t cap)
{
	char *got = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&got, &len);
	assert_non_null(f);
	char *block = malloc(cap);
	assert_non_null(block);
	struct sim_out o = sim_out_new(f, block, cap);
	char big[100];
	memset(big, 'x', sizeof big);
	for (int i = 0; i < 50; i++) {
		sim_out_str(&o, "topic-");
		sim_out_u64(&o, (uint64_t)i * 123456789u);
		sim_out_char(&o, i % 7 ? ',' : '\n');
		if (i % 10 == 3)
			sim_out_bytes(&o, big, sizeof big);
	}
	sim_out_flush(&o);
	assert_int_equal(fclose(f), 0);
	free(block);
	return got;
}

static void test_same_bytes_any_cap(void **state)
{
	(void)state;
	char *want = write_mix(1 << 16);
	static const size_t caps[] = {20, 21, 64, 99, 100, 101, 4096};
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		char *got = write_mix(caps[i]);
		assert_string_equal(got, want);
		free(got);
	}
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64_like_printf),
		cmocka_unit_test(test_same_bytes_any_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
