/* sim_queue.h — the event queue: small POD events totally ordered by (time, class, insertion
 * sequence) (architecture S2), in a 4-ary min-heap plus a few FIFO lanes for bursts of
 * events at one time. Events carry a kind and three integer arguments; larger payloads live in side tables
 * the handler indexes. Never allocates per event beyond amortised array growth. */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Classes at equal times, first to last (architecture S2). */
enum sim_class {
	SIM_CLASS_TIMELINE = 1,
	SIM_CLASS_ZK_EXPIRY = 2,
	SIM_CLASS_ZK_WATCH = 3,
	SIM_CLASS_DELIVERY = 4,
	SIM_CLASS_BROKER_TIMER = 5,
	SIM_CLASS_CONTROLLER = 6,
};

/* Sequence, class and kind share one word: an event is 40 bytes, not 48 (a burst of millions
 * of events at one time fills a lane 17% smaller). */
#define SIM_QUEUE_SEQ_BITS 48
#define SIM_QUEUE_KIND_NONE 255 /* no pushed event has it (handlers' marker); kinds stay below */
struct sim_event {
	uint64_t t_us;
	uint64_t seq : SIM_QUEUE_SEQ_BITS; /* assigned by sim_queue_push: global insertion order */
	uint64_t cls : 8;                  /* enum sim_class */
	uint64_t kind : 8;                 /* the handler's own event kind */
	int64_t a, b, c;
};
_Static_assert(sizeof(struct sim_event) == 40, "an event is five words");

#define SIM_QUEUE_LANES 4

/* A ring of events in queue order: each was pushed no earlier than the one before it. */
struct sim_queue_lane {
	struct sim_event *ev;
	size_t head, len, cap; /* cap: 0 or a power of two */
};

struct sim_queue {
	struct sim_event *heap;
	size_t len, cap;
	struct sim_queue_lane lane[SIM_QUEUE_LANES];
	size_t lane_len;       /* events in all lanes */
	int popped_lane;       /* the lane the last pop took from, -1: the heap */
	uint64_t last_t;       /* time and class of the last push, and how many in a row had them */
	uint8_t last_cls;
	uint32_t burst;
	uint64_t next_seq;
	uint8_t last_lane;     /* the lane the last lane push went to */
};

void sim_queue_init(struct sim_queue *q);
void sim_queue_free(struct sim_queue *q);
/* Makes room for n events in all, so that pushes up to n never reallocate; aborts (with a
 * message) if memory runs out. */
void sim_queue_reserve(struct sim_queue *q, size_t n);
/* Returns the event's sequence number; aborts (with a message) if memory runs out. */
uint64_t sim_queue_push(struct sim_queue *q, uint64_t t_us, enum sim_class cls, uint32_t kind,
			int64_t a, int64_t b, int64_t c);
/* Removes the least event into *out; false when empty. */
bool sim_queue_pop(struct sim_queue *q, struct sim_event *out);
/* The least event without removing it, or NULL. */
const struct sim_event *sim_queue_peek(const struct sim_queue *q);
/* The event k + 1 places after the one popped last, in the lane of a burst it came from; NULL
 * when it came from the heap or the lane ends before. Events of the heap or other lanes may
 * come between: a look ahead for handlers that prefetch what their next events touch. */
const struct sim_event *sim_queue_ahead(const struct sim_queue *q, size_t k);
/* Removes into *out the event top that sim_queue_peek returned, nothing pushed or popped since:
 * the pop without looking for the least event again. */
void sim_queue_take(struct sim_queue *q, const struct sim_event *top, struct sim_event *out);
static inline size_t sim_queue_len(const struct sim_queue *q) { return q->len + q->lane_len; }

#endif
