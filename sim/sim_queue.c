/* sim_queue.c — the event queue: an implicit 4-ary min-heap of struct sim_event ordered by
 * (t_us, cls, seq) (architecture S2), grown by doubling. A 4-ary heap halves the depth of a
 * binary one and keeps a node's children in one or two cache lines, which is what the pop
 * path (the hot one) spends its time on. The plain branchy loops are deliberate: on PHOLD
 * (scripts/bench/phold.sh) branch-free 128-bit keys, unrolled or tournament child selection,
 * Floyd's bottom-up pop, binary and 8-ary heaps, and a parallel array of 16-byte keys were
 * all 10-70% slower. A heap of 24-byte (key, slot) nodes over a slot table of events was no
 * faster up to 10^4 pending events and 8-20% faster at 10^5-10^6; not worth a free list and
 * a heap[] that no longer lists the pending events, unless profiles of huge runs say so. */
#include "sim_queue.h"

#include <stdio.h>
#include <stdlib.h>

enum { SIM_QUEUE_ARITY = 4, SIM_QUEUE_MIN_CAP = 64 };

void sim_queue_init(struct sim_queue *q)
{
	q->heap = NULL;
	q->len = 0;
	q->cap = 0;
	q->next_seq = 0;
}

void sim_queue_free(struct sim_queue *q)
{
	free(q->heap);
	sim_queue_init(q);
}

/* Strict (time, class, sequence) order. Sequences are unique, so no two events compare
 * equal and the pop order is a pure function of the pushes. */
static inline bool sim_queue_less(const struct sim_event *x, const struct sim_event *y)
{
	if (x->t_us != y->t_us)
		return x->t_us < y->t_us;
	if (x->cls != y->cls)
		return x->cls < y->cls;
	return x->seq < y->seq;
}

/* Running out of memory mid-run leaves nothing to recover: the run's result would be
 * wrong, so stop loudly rather than return an error every caller must thread through. */
static void sim_queue_grow(struct sim_queue *q, size_t need)
{
	size_t cap = q->cap ? q->cap : SIM_QUEUE_MIN_CAP;
	while (cap < need) {
		if (cap > SIZE_MAX / 2 / sizeof *q->heap) {
			fprintf(stderr, "sim_queue: cannot grow past %zu events\n", q->cap);
			abort();
		}
		cap *= 2;
	}
	struct sim_event *heap = realloc(q->heap, cap * sizeof *heap);
	if (!heap) {
		fprintf(stderr, "sim_queue: out of memory growing to %zu events (%zu bytes)\n",
			cap, cap * sizeof *heap);
		abort();
	}
	q->heap = heap;
	q->cap = cap;
}

void sim_queue_reserve(struct sim_queue *q, size_t n)
{
	if (n > q->cap)
		sim_queue_grow(q, n);
}

/* Sift-up with a hole: parents move down one level and the new event is written once. */
uint64_t sim_queue_push(struct sim_queue *q, uint64_t t_us, enum sim_class cls, uint32_t kind,
			int64_t a, int64_t b, int64_t c)
{
	if (q->len == q->cap)
		sim_queue_grow(q, q->len + 1);
	const struct sim_event e = {
		.t_us = t_us, .seq = q->next_seq++, .cls = (uint8_t)cls, .kind = kind,
		.a = a, .b = b, .c = c,
	};
	struct sim_event *h = q->heap;
	size_t i = q->len++;
	while (i > 0) {
		size_t parent = (i - 1) / SIM_QUEUE_ARITY;
		if (!sim_queue_less(&e, &h[parent]))
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = e;
	return e.seq;
}

/* Sift-down with a hole: the last event is re-inserted from the root, each level promoting
 * its least child while that child is less than it. */
bool sim_queue_pop(struct sim_queue *q, struct sim_event *out)
{
	if (q->len == 0)
		return false;
	struct sim_event *h = q->heap;
	*out = h[0];
	size_t n = --q->len;
	if (n == 0)
		return true;
	const struct sim_event last = h[n];
	size_t i = 0;
	for (;;) {
		size_t first = i * SIM_QUEUE_ARITY + 1;
		if (first >= n)
			break;
		size_t end = first + SIM_QUEUE_ARITY < n ? first + SIM_QUEUE_ARITY : n;
		size_t least = first;
		for (size_t k = first + 1; k < end; k++)
			if (sim_queue_less(&h[k], &h[least]))
				least = k;
		if (!sim_queue_less(&h[least], &last))
			break;
		h[i] = h[least];
		i = least;
	}
	h[i] = last;
	return true;
}

const struct sim_event *sim_queue_peek(const struct sim_queue *q)
{
	return q->len ? &q->heap[0] : NULL;
}
