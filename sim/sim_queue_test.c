/* sim_queue_test.c — tests of sim_queue: order by (time, class, insertion) under random
 * pushes and pops, and under bursts that fill the lanes, against a reference model; payload
 * round trip, peek/len, looking ahead in a lane, and growth to a million events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "sim_queue.h"
#include "sim_rng.h"

static int cmp_event(const void *x, const void *y)
{
	const struct sim_event *a = x, *b = y;
	if (a->t_us != b->t_us)
		return a->t_us < b->t_us ? -1 : 1;
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void assert_same_event(const struct sim_event *x, const struct sim_event *y)
{
	assert_true(x->t_us == y->t_us);
	assert_true(x->seq == y->seq);
	assert_int_equal(x->cls, y->cls);
	assert_int_equal(x->kind, y->kind);
	assert_true(x->a == y->a && x->b == y->b && x->c == y->c);
}

static void test_empty(void **state)
{
	(void)state;
	struct sim_queue q;
	sim_queue_init(&q);
	struct sim_event e;
	assert_false(sim_queue_pop(&q, &e));
	assert_null(sim_queue_peek(&q));
	assert_int_equal(sim_queue_len(&q), 0);
	sim_queue_free(&q);
	sim_queue_free(&q); /* free leaves an empty queue, so twice is harmless */
}

/* Time first, then class, then insertion order; the payload comes back untouched. */
static void test_order_small(void **state)
{
	(void)state;
	struct sim_queue q;
	sim_queue_init(&q);
	assert_true(sim_queue_push(&q, 10, SIM_CLASS_CONTROLLER, 1, -1, INT64_MIN, INT64_MAX) == 0);
	assert_true(sim_queue_push(&q, 10, SIM_CLASS_TIMELINE, 2, 0, 0, 0) == 1);
	assert_true(sim_queue_push(&q, 5, SIM_CLASS_CONTROLLER, 3, 0, 0, 0) == 2);
	assert_true(sim_queue_push(&q, 10, SIM_CLASS_CONTROLLER, 4, 0, 0, 0) == 3);
	assert_true(sim_queue_push(&q, 10, SIM_CLASS_ZK_WATCH, 5, 0, 0, 0) == 4);
	assert_true(sim_queue_push(&q, UINT64_MAX, SIM_CLASS_TIMELINE, 6, 0, 0, 0) == 5);
	assert_true(sim_queue_push(&q, 0, SIM_CLASS_DELIVERY, 7, 0, 0, 0) == 6);
	static const uint32_t want_kind[] = { 7, 3, 2, 5, 1, 4, 6 };
	assert_int_equal(sim_queue_len(&q), 7);
	for (size_t i = 0; i < 7; i++) {
		const struct sim_event *p = sim_queue_peek(&q);
		assert_non_null(p);
		assert_int_equal(p->kind, want_kind[i]);
		struct sim_event e;
		assert_true(sim_queue_pop(&q, &e));
		assert_int_equal(e.kind, want_kind[i]);
		assert_int_equal(sim_queue_len(&q), 6 - i);
		if (e.kind == 1)
			assert_true(e.a == -1 && e.b == INT64_MIN && e.c == INT64_MAX &&
				    e.t_us == 10 && e.seq == 0 && e.cls == SIM_CLASS_CONTROLLER);
	}
	assert_null(sim_queue_peek(&q));
	sim_queue_free(&q);
}

/* Random interleaving against a model that finds the least pending event by linear scan.
 * Times are drawn from a narrow window so that equal times and equal classes are common. */
static void test_random_against_model(void **state)
{
	(void)state;
	enum { OPS = 200000, MAXPEND = 4096 };
	struct sim_event *model = malloc(MAXPEND * sizeof *model);
	assert_non_null(model);
	size_t pending = 0;
	struct sim_queue q;
	sim_queue_init(&q);
	struct sim_rng r;
	sim_rng_seed(&r, 1, SIM_STREAM_EXPLORE);
	uint64_t now = 0, pops = 0;
	for (int op = 0; op < OPS; op++) {
		/* Phases of net growth and net shrinkage so the heap depth varies. */
		uint64_t push_pct = (op / 5000) % 2 ? 35 : 65;
		bool push = pending == 0 || (pending < MAXPEND && sim_rng_below(&r, 100) < push_pct);
		if (push) {
			uint64_t t = now + sim_rng_below(&r, 8);
			enum sim_class cls = (enum sim_class)sim_rng_range(&r, 1, 6);
			int64_t a = (int64_t)sim_rng_next(&r);
			uint64_t seq = sim_queue_push(&q, t, cls, (uint32_t)(op % SIM_QUEUE_KIND_NONE), a, -a, op);
			model[pending++] = (struct sim_event){ .t_us = t, .seq = seq, .cls = (uint8_t)cls,
				.kind = (uint32_t)(op % SIM_QUEUE_KIND_NONE), .a = a, .b = -a, .c = op };
		} else {
			size_t least = 0;
			for (size_t i = 1; i < pending; i++)
				if (cmp_event(&model[i], &model[least]) < 0)
					least = i;
			struct sim_event e;
			assert_true(sim_queue_pop(&q, &e));
			assert_same_event(&e, &model[least]);
			assert_true(e.t_us >= now); /* the simulation clock never runs backwards */
			now = e.t_us;
			model[least] = model[--pending];
			pops++;
		}
		assert_int_equal(sim_queue_len(&q), pending);
	}
	assert_true(pops > OPS / 4);
	sim_queue_free(&q);
	free(model);
}

/* Bursts (many pushes at one time and class, which go to lanes) mixed with single pushes and
 * pops (sim_queue_pop, or sim_queue_peek then sim_queue_take), against the same model: the
 * lanes and the heap together pop in the one total order, through lane growth and ring
 * wrap-around. */
static void test_bursts_against_model(void **state)
{
	(void)state;
	enum { OPS = 100000, MAXPEND = 4096 };
	struct sim_event *model = malloc(MAXPEND * sizeof *model);
	assert_non_null(model);
	size_t pending = 0, most_in_lanes = 0;
	struct sim_queue q;
	sim_queue_init(&q);
	struct sim_rng r;
	sim_rng_seed(&r, 4, SIM_STREAM_EXPLORE);
	uint64_t now = 0;
	for (int op = 0; op < OPS;) {
		uint64_t what = sim_rng_below(&r, 100);
		if (pending > 0 && (what < 55 || pending + 300 > MAXPEND)) {
			size_t least = 0;
			for (size_t i = 1; i < pending; i++)
				if (cmp_event(&model[i], &model[least]) < 0)
					least = i;
			struct sim_event e;
			if (op % 2) { /* the run loop's way: look, then take what was seen */
				const struct sim_event *top = sim_queue_peek(&q);
				assert_non_null(top);
				assert_same_event(top, &model[least]);
				sim_queue_take(&q, top, &e);
			} else {
				assert_true(sim_queue_pop(&q, &e));
			}
			assert_same_event(&e, &model[least]);
			now = e.t_us;
			model[least] = model[--pending];
			op++;
		} else {
			/* a burst of 1..300 at one time and class, or a single push */
			uint64_t n = what < 80 ? sim_rng_range(&r, 1, 300) : 1;
			uint64_t t = now + sim_rng_below(&r, 50);
			enum sim_class cls = (enum sim_class)sim_rng_range(&r, 1, 6);
			for (uint64_t k = 0; k < n; k++, op++) {
				uint64_t seq = sim_queue_push(&q, t, cls, (uint32_t)(op % SIM_QUEUE_KIND_NONE), op, 0, 0);
				model[pending++] = (struct sim_event){ .t_us = t, .seq = seq, .cls = (uint8_t)cls,
					.kind = (uint32_t)(op % SIM_QUEUE_KIND_NONE), .a = op };
			}
		}
		assert_int_equal(sim_queue_len(&q), pending);
		if (q.lane_len > most_in_lanes)
			most_in_lanes = q.lane_len;
	}
	assert_true(most_in_lanes > 500); /* the lanes were used, and grew */
	sim_queue_free(&q);
	free(model);
}

/* Looking ahead in the lane of the last pop finds the events popped later; after a pop from
 * the heap, nothing. */
static void test_ahead(void **state)
{
	(void)state;
	struct sim_queue q;
	sim_queue_init(&q);
	sim_queue_push(&q, 5, SIM_CLASS_BROKER_TIMER, 0, -1, 0, 0);
	assert_null(sim_queue_ahead(&q, 0)); /* nothing popped yet */
	for (int i = 0; i < 100; i++)
		sim_queue_push(&q, 7, SIM_CLASS_BROKER_TIMER, 1, i, 0, 0);
	struct sim_event e;
	assert_true(sim_queue_pop(&q, &e) && e.a == -1);
	int seen = 0; /* the burst's first events go to the heap, the rest to a lane */
	for (int i = 0; i < 100; i++) {
		const struct sim_event *a = sim_queue_ahead(&q, 8);
		if (a) {
			assert_true(a->a == i + 8);
			seen++;
		}
		assert_true(sim_queue_pop(&q, &e));
		assert_true(e.a == i);
	}
	assert_true(seen > 50);
	assert_null(sim_queue_ahead(&q, 0));
	sim_queue_free(&q);
}

/* A bulk load drains in exactly the order qsort gives under the same total order. */
static void test_drain_matches_sort(void **state)
{
	(void)state;
	enum { N = 100000 };
	struct sim_event *ref = malloc(N * sizeof *ref);
	assert_non_null(ref);
	struct sim_queue q;
	sim_queue_init(&q);
	struct sim_rng r;
	sim_rng_seed(&r, 2, SIM_STREAM_EXPLORE);
	for (int i = 0; i < N; i++) {
		uint64_t t = sim_rng_below(&r, 1000);
		enum sim_class cls = (enum sim_class)sim_rng_range(&r, 1, 6);
		uint64_t seq = sim_queue_push(&q, t, cls, (uint32_t)(i % SIM_QUEUE_KIND_NONE), i, 0, 0);
		ref[i] = (struct sim_event){ .t_us = t, .seq = seq, .cls = (uint8_t)cls,
			.kind = (uint32_t)(i % SIM_QUEUE_KIND_NONE), .a = i };
	}
	qsort(ref, N, sizeof *ref, cmp_event);
	for (int i = 0; i < N; i++) {
		struct sim_event e;
		assert_true(sim_queue_pop(&q, &e));
		assert_same_event(&e, &ref[i]);
	}
	assert_int_equal(sim_queue_len(&q), 0);
	sim_queue_free(&q);
	free(ref);
}

/* A million events grow the array from empty (no reserve) and still drain in order. */
static void test_growth_to_million(void **state)
{
	(void)state;
	enum { N = 1000000 };
	struct sim_queue q;
	sim_queue_init(&q);
	struct sim_rng r;
	sim_rng_seed(&r, 3, SIM_STREAM_EXPLORE);
	for (int i = 0; i < N; i++)
		sim_queue_push(&q, sim_rng_below(&r, UINT64_C(1) << 40), SIM_CLASS_DELIVERY, 0, i, 0,
			       0);
	assert_int_equal(sim_queue_len(&q), N);
	assert_true(q.cap >= N);
	assert_true(q.next_seq == N);
	struct sim_event prev, e;
	assert_true(sim_queue_pop(&q, &prev));
	for (int i = 1; i < N; i++) {
		assert_true(sim_queue_pop(&q, &e));
		assert_true(cmp_event(&prev, &e) < 0);
		prev = e;
	}
	assert_false(sim_queue_pop(&q, &e));
	sim_queue_free(&q);
}

static void test_reserve(void **state)
{
	(void)state;
	struct sim_queue q;
	sim_queue_init(&q);
	sim_queue_reserve(&q, 1000);
	assert_true(q.cap >= 1000);
	const struct sim_event *base = q.heap;
	for (int i = 0; i < 1000; i++)
		sim_queue_push(&q, (uint64_t)(1000 - i), SIM_CLASS_TIMELINE, 0, 0, 0, 0);
	assert_ptr_equal(q.heap, base); /* no reallocation up to the reserved size */
	sim_queue_reserve(&q, 10); /* never shrinks */
	assert_true(q.cap >= 1000);
	assert_true(sim_queue_peek(&q)->t_us == 1);
	sim_queue_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_order_small),
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_bursts_against_model),
		cmocka_unit_test(test_ahead),
		cmocka_unit_test(test_drain_matches_sort),
		cmocka_unit_test(test_growth_to_million),
		cmocka_unit_test(test_reserve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
