/* sim_out.h — a block writer for the result files: bytes and decimal numbers are copied into a
 * caller-owned buffer that goes to the FILE with one fwrite when full and on sim_out_flush.
 * A result file of a million rows made of a dozen stdio calls each spends more time in stdio's
 * per-call locking and dispatch than the run spent on its last events. */
#ifndef SIM_OUT_H
#define SIM_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct sim_out {
	FILE *f;
	char *buf; /* caller-owned, cap bytes */
	size_t used, cap;
};

/* The writer does not own f or buf (cap >= 20: one number must fit); nothing reaches f before
 * sim_out_flush or a full buffer. */
struct sim_out sim_out_new(FILE *f, char *buf, size_t cap);
void sim_out_flush(struct sim_out *o);
/* What sim_out_bytes does when the bytes do not fit. */
void sim_out_bytes_spill(struct sim_out *o, const void *p, size_t n);
/* v in decimal, as "%" PRIu64 writes it. */
void sim_out_u64(struct sim_out *o, uint64_t v);

/* Inline, so that a literal's length is a constant and the common case is a short copy. */
static inline void sim_out_bytes(struct sim_out *o, const void *p, size_t n)
{
	if (n > o->cap - o->used) {
		sim_out_bytes_spill(o, p, n);
		return;
	}
	memcpy(o->buf + o->used, p, n);
	o->used += n;
}

static inline void sim_out_str(struct sim_out *o, const char *s)
{
	sim_out_bytes(o, s, strlen(s));
}

static inline void sim_out_char(struct sim_out *o, char c)
{
	if (o->used == o->cap)
		sim_out_flush(o);
	o->buf[o->used++] = c;
}

#endif
