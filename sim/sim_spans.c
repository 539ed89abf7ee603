/* sim_spans.c — operation spans (summary.json "operations"). The open spans of each (kind,
 * key) form a queue, oldest first, found through an open-addressing table that is only ever
 * looked up, never iterated, so output does not depend on hashing. Elections are not pushed
 * to every open span: a span remembers the run's election count when it began and when it
 * ended, and the first and last election times are read back from the run-length list of
 * election times. */
#include "sim_spans.h"

#include <stdlib.h>
#include <string.h>

#include "sim_alloc.h"
#include "sim_json.h"

#define NO_SPAN UINT32_MAX

struct span {
	int64_t key;
	uint64_t start_us, end_us;     /* end SIM_NEVER: still open */
	uint64_t elections_at_begin;   /* the run's election count when it began */
	uint64_t elections_at_end;     /* ... and when it ended (open: the count now) */
	uint32_t seq;                  /* begin order: the last tie-break */
	uint32_t next_open;            /* the next younger open span of its (kind, key) */
	int32_t broker;
	uint8_t op;
	bool startup;                  /* part of a simulated start-up */
};

/* The open spans of one (kind, key): a queue threaded through next_open. */
struct slot {
	int64_t key;
	uint32_t head, tail;
	uint8_t op;
	bool used;
};

/* Election times, run-length encoded: elections first .. (next run's first - 1) were at t. */
struct election_run {
	uint64_t t_us, first;
};

struct sim_spans {
	struct span *spans;
	uint32_t n_spans, cap_spans;
	struct slot *slots;
	uint32_t n_slots_used, cap_slots; /* cap a power of two */
	struct election_run *runs;
	uint32_t n_runs, cap_runs;
	uint64_t elections;
};

struct sim_spans *sim_spans_new(void)
{
	return sim_xcalloc(1, sizeof(struct sim_spans));
}

void sim_spans_free(struct sim_spans *s)
{
	if (!s)
		return;
	free(s->spans);
	free(s->slots);
	free(s->runs);
	free(s);
}

static uint64_t slot_hash(enum sim_op op, int64_t key)
{
	uint64_t z = (uint64_t)key * OP_COUNT + (uint64_t)op + 0x9e3779b97f4a7c15u;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Keys come in runs (start-up creates topics 0, 1, 2, ... and they finish in about that
 * order): runs of SLOT_RUN consecutive keys hash to consecutive slots, so that a run of begins
 * or ends touches each cache line once rather than missing it for every key of a table
 * larger than the cache. The runs themselves are scattered by the hash. */
enum { SLOT_RUN = 16 };

/* The slot of (op, key), or the empty slot where it would go. */
static struct slot *slot_find(struct slot *slots, uint32_t cap, enum sim_op op, int64_t key)
{
	uint64_t h = slot_hash(op, key / SLOT_RUN) * SLOT_RUN + (uint64_t)(key % SLOT_RUN);
	uint32_t i = (uint32_t)h & (cap - 1);
	while (slots[i].used && (slots[i].op != op || slots[i].key != key))
		/* A key whose slot another run holds tries the next block's slot one along, rather
		 * than its own run's next slot, so colliding runs do not pile up behind each other;
		 * the step is odd, so the probe reaches every slot. */
		i = (i + SLOT_RUN + 1) & (cap - 1);
	return &slots[i];
}

static void grow_slots(struct sim_spans *s)
{
	uint32_t cap = s->cap_slots ? s->cap_slots * 2 : 64;
	struct slot *slots = sim_xcalloc(cap, sizeof *slots);
	for (uint32_t i = 0; i < s->cap_slots; i++)
		if (s->slots[i].used)
			*slot_find(slots, cap, (enum sim_op)s->slots[i].op, s->slots[i].key) = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->cap_slots = cap;
}

void sim_spans_begin(struct sim_spans *s, enum sim_op op, int64_t key, int32_t broker, uint64_t t, bool startup)
{
	if (s->n_spans == s->cap_spans) {
		s->cap_spans = s->cap_spans ? s->cap_spans * 2 : 64;
		s->spans = sim_xrealloc(s->spans, (size_t)s->cap_spans * sizeof *s->spans);
	}
	uint32_t id = s->n_spans++;
	s->spans[id] = (struct span){.key = key,
				     .start_us = t,
				     .end_us = SIM_NEVER,
				     .elections_at_begin = s->elections,
				     .seq = id,
				     .next_open = NO_SPAN,
				     .broker = broker,
				     .op = (uint8_t)op,
				     .startup = startup};
	if (2 * (s->n_slots_used + 1) > s->cap_slots)
		grow_slots(s);
	struct slot *q = slot_find(s->slots, s->cap_slots, op, key);
	if (!q->used) {
		*q = (struct slot){.key = key, .head = NO_SPAN, .tail = NO_SPAN, .op = (uint8_t)op, .used = true};
		s->n_slots_used++;
	}
	if (q->head == NO_SPAN)
		q->head = id;
	else
		s->spans[q->tail].next_open = id;
	q->tail = id;
}

bool sim_spans_end(struct sim_spans *s, enum sim_op op, int64_t key, uint64_t t)
{
	if (!s->cap_slots)
		return false;
	struct slot *q = slot_find(s->slots, s->cap_slots, op, key);
	if (!q->used || q->head == NO_SPAN)
		return false;
	struct span *sp = &s->spans[q->head];
	q->head = sp->next_open;
	sp->end_us = t < sp->start_us ? sp->start_us : t;
	sp->elections_at_end = s->elections;
	return true;
}

void sim_spans_election(struct sim_spans *s, uint64_t t)
{
	if (s->n_runs == 0 || s->runs[s->n_runs - 1].t_us != t) {
		if (s->n_runs == s->cap_runs) {
			s->cap_runs = s->cap_runs ? s->cap_runs * 2 : 64;
			s->runs = sim_xrealloc(s->runs, (size_t)s->cap_runs * sizeof *s->runs);
		}
		s->runs[s->n_runs++] = (struct election_run){.t_us = t, .first = s->elections};
	}
	s->elections++;
}

/* The time of election number k (0-based, k < s->elections). */
static uint64_t election_time(const struct sim_spans *s, uint64_t k)
{
	uint32_t lo = 0, hi = s->n_runs; /* the answer is the last run with first <= k */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->runs[mid].first <= k)
			lo = mid;
		else
			hi = mid;
	}
	return s->runs[lo].t_us;
}

static int span_cmp(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;
	if (a->start_us != b->start_us)
		return a->start_us < b->start_us ? -1 : 1;
	if (a->op != b->op)
		return a->op < b->op ? -1 : 1;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void write_span(const struct sim_world *w, const struct sim_spans *s, const struct span *sp,
		       struct sim_out *o)
{
	sim_out_str(o, "{\"kind\": ");
	sim_json_put_string(o, sim_op_name((enum sim_op)sp->op));
	if (sp->broker >= 0) {
		sim_out_str(o, ", \"broker\": ");
		sim_out_u64(o, (uint64_t)sp->broker);
	}
	switch ((enum sim_op)sp->op) {
	case OP_TOPIC_DELETION:
	case OP_TOPIC_CREATION:
		if (sp->key >= 0 && sp->key < w->n_topics) {
			sim_out_str(o, ", \"topic\": ");
			sim_json_put_string(o, w->sc->topics[sp->key].name);
		}
		break;
	case OP_REASSIGNMENT:
		if (sp->key >= 0 && sp->key < w->n_parts) {
			sim_out_str(o, ", \"partition\": \"");
			sim_out_str(o, w->sc->topics[w->pid_topic[sp->key]].name);
			sim_out_char(o, '-');
			sim_out_u64(o, w->pid_number[sp->key]);
			sim_out_char(o, '"');
		}
		break;
	default:
		break;
	}
	if (sp->startup)
		sim_out_str(o, ", \"startup\": true");
	sim_out_str(o, ", \"start_us\": ");
	sim_out_u64(o, sp->start_us);
	sim_out_str(o, ", \"end_us\": ");
	sim_json_put_time(o, sp->end_us);
	sim_out_str(o, ", \"duration_us\": ");
	sim_json_put_time(o, sp->end_us == SIM_NEVER ? SIM_NEVER : sp->end_us - sp->start_us);
	uint64_t first = sp->elections_at_begin;
	uint64_t end = sp->end_us == SIM_NEVER ? s->elections : sp->elections_at_end;
	sim_out_str(o, ", \"leader_elections\": ");
	sim_out_u64(o, end - first);
	sim_out_str(o, ", \"first_election_us\": ");
	sim_json_put_time(o, end > first ? election_time(s, first) : SIM_NEVER);
	sim_out_str(o, ", \"last_election_us\": ");
	sim_json_put_time(o, end > first ? election_time(s, end - 1) : SIM_NEVER);
	sim_out_char(o, '}');
}

void sim_spans_write(const struct sim_world *w, const struct sim_spans *s, FILE *f, int indent)
{
	sim_json_indent(f, indent);
	fputs("\"operations\": ", f);
	if (s->n_spans == 0) {
		fputs("[]\n", f);
		return;
	}
	/* Spans begin in time order, and start-up begins its topics' in key order too: sort only
	 * when they are out of order (a full order, so skipping changes nothing). */
	const struct span *sorted = s->spans;
	struct span *copy = NULL;
	uint32_t in_order = 1;
	while (in_order < s->n_spans && span_cmp(&s->spans[in_order - 1], &s->spans[in_order]) < 0)
		in_order++;
	if (in_order < s->n_spans) {
		copy = sim_xrealloc(NULL, (size_t)s->n_spans * sizeof *copy);
		memcpy(copy, s->spans, (size_t)s->n_spans * sizeof *copy);
		qsort(copy, s->n_spans, sizeof *copy, span_cmp);
		sorted = copy;
	}
	enum { BLOCK = 1 << 16 };
	char *block = sim_xcalloc(BLOCK, 1);
	struct sim_out o = sim_out_new(f, block, BLOCK);
	sim_out_str(&o, "[\n");
	for (uint32_t i = 0; i < s->n_spans; i++) {
		sim_json_put_indent(&o, indent + 2);
		write_span(w, s, &sorted[i], &o);
		sim_out_str(&o, i + 1 < s->n_spans ? ",\n" : "\n");
	}
	sim_json_put_indent(&o, indent);
	sim_out_str(&o, "]\n");
	sim_out_flush(&o);
	free(block);
	free(copy);
}
