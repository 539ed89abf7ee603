/* sim_queue.c — the event queue: an implicit 4-ary min-heap of struct sim_event ordered by
 * (t_us, cls, seq) (architecture S2), grown by doubling. A 4-ary heap halves the depth of a
 * binary one and keeps a node's children in one or two cache lines, which is what the pop
 * path (the hot one) spends its time on. The plain branchy loops are deliberate: on PHOLD
 * (scripts/bench/phold.sh) branch-free 128-bit keys, unrolled or tournament child selection,
 * Floyd's bottom-up pop, binary and 8-ary heaps, and a parallel array of 16-byte keys were
 * all 10-70% slower. A heap of 24-byte (key, slot) nodes over a slot table of events was no
 * faster up to 10^4 pending events and 8-20% faster at 10^5-10^6; not worth a free list and
 * a heap[] that no longer lists the pending events, unless profiles of huge runs say so.
 *
 * Lanes: kcsim schedules bursts of events at one time (a start-up's two million follower
 * catch-ups, all replica_catch_up after the LeaderAndIsr; a broadcast's sends). Once a burst
 * is under way (SIM_QUEUE_BURST pushes in a row at one time and class), a push at the same
 * time and class as some lane's last event is
 * appended to that lane in O(1) (its sequence is larger, so the lane stays sorted) and popped
 * from its head in O(1); the heap takes the rest. A pop takes the least of the heap's root and
 * the lanes' heads, so the order is the one the heap alone would give. */
#include "sim_queue.h"

#include <stdio.h>
#include <stdlib.h>

enum { SIM_QUEUE_ARITY = 4, SIM_QUEUE_MIN_CAP = 64, SIM_QUEUE_BURST = 16 };

void sim_queue_init(struct sim_queue *q)
{
	q->heap = NULL;
	q->len = 0;
	q->cap = 0;
	for (int i = 0; i < SIM_QUEUE_LANES; i++)
		q->lane[i] = (struct sim_queue_lane){0};
	q->lane_len = 0;
	q->popped_lane = -1;
	q->last_lane = 0;
	q->last_t = UINT64_MAX;
	q->last_cls = 0;
	q->burst = 0;
	q->next_seq = 0;
}

void sim_queue_free(struct sim_queue *q)
{
	free(q->heap);
	for (int i = 0; i < SIM_QUEUE_LANES; i++)
		free(q->lane[i].ev);
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

/* A lane's ring made larger (a power of two). realloc, not a fresh copy: a burst of millions
 * grows its lane while nothing is popped, and a large block then moves without being copied or
 * faulted in again. The part of a wrapped ring before its head moves to the new space. */
static void lane_grow(struct sim_queue_lane *l, size_t need)
{
	size_t cap = l->cap ? l->cap : SIM_QUEUE_MIN_CAP;
	while (cap < need) {
		if (cap > SIZE_MAX / 2 / sizeof *l->ev) {
			fprintf(stderr, "sim_queue: cannot grow a lane past %zu events\n", l->cap);
			abort();
		}
		cap *= 2;
	}
	struct sim_event *ev = realloc(l->ev, cap * sizeof *ev);
	if (!ev) {
		fprintf(stderr, "sim_queue: out of memory growing a lane to %zu events\n", cap);
		abort();
	}
	size_t wrapped = l->head + l->len > l->cap ? l->head + l->len - l->cap : 0;
	for (size_t i = 0; i < wrapped; i++)
		ev[(l->cap + i) & (cap - 1)] = ev[i];
	l->ev = ev;
	l->cap = cap;
}

/* Every push lands in the heap or in one lane, so each must hold n on its own. */
void sim_queue_reserve(struct sim_queue *q, size_t n)
{
	if (n > q->cap)
		sim_queue_grow(q, n);
	for (int i = 0; i < SIM_QUEUE_LANES; i++)
		if (n > q->lane[i].cap)
			lane_grow(&q->lane[i], n);
}

static bool lane_takes(const struct sim_queue_lane *l, const struct sim_event *e)
{
	if (l->len == 0)
		return false;
	const struct sim_event *tail = &l->ev[(l->head + l->len - 1) & (l->cap - 1)];
	return tail->t_us == e->t_us && tail->cls == e->cls;
}

/* A lane whose last event has e's time and class, else an empty one once a burst is under
 * way; NULL: the heap takes e. At most one lane's last event has a given time and class, and
 * a burst's pushes go to the one the previous push went to: that lane is asked first. Out of
 * line: PHOLD's pushes never come here. */
static __attribute__((noinline)) struct sim_queue_lane *lane_find(struct sim_queue *q, const struct sim_event *e)
{
	if (lane_takes(&q->lane[q->last_lane], e))
		return &q->lane[q->last_lane];
	struct sim_queue_lane *empty = NULL;
	for (int i = 0; i < SIM_QUEUE_LANES; i++) {
		struct sim_queue_lane *l = &q->lane[i];
		if (l->len == 0) {
			if (!empty)
				empty = l;
			continue;
		}
		if (lane_takes(l, e)) {
			q->last_lane = (uint8_t)i;
			return l;
		}
	}
	if (q->burst < SIM_QUEUE_BURST || !empty)
		return NULL;
	q->last_lane = (uint8_t)(empty - q->lane);
	return empty;
}

/* The lane event e goes to, or NULL (the heap). Pushes at times of their own (PHOLD's) cost a
 * comparison and never make a lane. */
static inline struct sim_queue_lane *lane_for(struct sim_queue *q, const struct sim_event *e)
{
	if (e->t_us == q->last_t && e->cls == q->last_cls) {
		q->burst++;
	} else {
		q->last_t = e->t_us;
		q->last_cls = e->cls;
		q->burst = 1;
	}
	if (__builtin_expect(q->lane_len == 0 && q->burst < SIM_QUEUE_BURST, 1))
		return NULL;
	return lane_find(q, e);
}

/* Where the least event is: the heap's root (NULL) or a lane's head. */
static struct sim_queue_lane *least_lane(const struct sim_queue *q)
{
	const struct sim_event *best = q->len ? &q->heap[0] : NULL;
	struct sim_queue_lane *from = NULL;
	for (int i = 0; i < SIM_QUEUE_LANES; i++) {
		const struct sim_queue_lane *l = &q->lane[i];
		if (l->len && (!best || sim_queue_less(&l->ev[l->head], best))) {
			best = &l->ev[l->head];
			from = (struct sim_queue_lane *)l;
		}
	}
	return from;
}

/* Sift-up with a hole: parents move down one level and the new event is written once. */
uint64_t sim_queue_push(struct sim_queue *q, uint64_t t_us, enum sim_class cls, uint32_t kind,
			int64_t a, int64_t b, int64_t c)
{
	if (q->next_seq >> SIM_QUEUE_SEQ_BITS || kind >= SIM_QUEUE_KIND_NONE) {
		fprintf(stderr, "sim_queue: %s\n",
			kind >= SIM_QUEUE_KIND_NONE ? "event kind too large" : "sequence numbers exhausted");
		abort();
	}
	const struct sim_event e = {
		.t_us = t_us, .seq = q->next_seq++, .cls = (uint8_t)cls, .kind = kind,
		.a = a, .b = b, .c = c,
	};
	struct sim_queue_lane *l = lane_for(q, &e);
	if (l) {
		if (l->len == l->cap)
			lane_grow(l, l->len + 1);
		l->ev[(l->head + l->len++) & (l->cap - 1)] = e;
		q->lane_len++;
		return e.seq;
	}
	if (q->len == q->cap)
		sim_queue_grow(q, q->len + 1);
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

static void lane_pop(struct sim_queue *q, struct sim_queue_lane *l, struct sim_event *out)
{
	*out = l->ev[l->head];
	l->head = (l->head + 1) & (l->cap - 1);
	l->len--;
	q->lane_len--;
	q->popped_lane = (int)(l - q->lane);
}

/* Sift-down with a hole: the last event is re-inserted from the root, each level promoting
 * its least child while that child is less than it. Inlined into both pops: PHOLD's pop is all
 * heap. */
static inline __attribute__((always_inline)) void heap_pop(struct sim_queue *q, struct sim_event *out)
{
	q->popped_lane = -1;
	struct sim_event *h = q->heap;
	*out = h[0];
	size_t n = --q->len;
	if (n == 0)
		return;
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
}

bool sim_queue_pop(struct sim_queue *q, struct sim_event *out)
{
	if (__builtin_expect(q->lane_len != 0, 0)) {
		struct sim_queue_lane *l = least_lane(q);
		if (l) {
			lane_pop(q, l, out);
			return true;
		}
	}
	if (q->len == 0)
		return false;
	heap_pop(q, out);
	return true;
}

void sim_queue_take(struct sim_queue *q, const struct sim_event *top, struct sim_event *out)
{
	for (int i = 0; q->lane_len && i < SIM_QUEUE_LANES; i++) {
		struct sim_queue_lane *l = &q->lane[i];
		if (l->len && top == &l->ev[l->head]) {
			lane_pop(q, l, out);
			return;
		}
	}
	heap_pop(q, out);
}

const struct sim_event *sim_queue_peek(const struct sim_queue *q)
{
	const struct sim_queue_lane *l = q->lane_len ? least_lane(q) : NULL;
	if (l)
		return &l->ev[l->head];
	return q->len ? &q->heap[0] : NULL;
}

const struct sim_event *sim_queue_ahead(const struct sim_queue *q, size_t k)
{
	const struct sim_queue_lane *l = q->popped_lane >= 0 ? &q->lane[q->popped_lane] : NULL;
	return l && k < l->len ? &l->ev[(l->head + k) & (l->cap - 1)] : NULL;
}
