/* sim_out.c — the result files' block writer (see sim_out.h). */
#include "sim_out.h"

struct sim_out sim_out_new(FILE *f, char *buf, size_t cap)
{
	return (struct sim_out){.f = f, .buf = buf, .cap = cap};
}

void sim_out_flush(struct sim_out *o)
{
	fwrite(o->buf, 1, o->used, o->f);
	o->used = 0;
}

void sim_out_bytes_spill(struct sim_out *o, const void *p, size_t n)
{
	sim_out_flush(o);
	if (n > o->cap) { /* larger than the whole buffer: straight through */
		fwrite(p, 1, n, o->f);
		return;
	}
	memcpy(o->buf, p, n);
	o->used = n;
}

void sim_out_u64(struct sim_out *o, uint64_t v)
{
	enum { MAX_DIGITS = 20 }; /* UINT64_MAX has 20 */
	/* The digits end mid-array so that a fixed-size copy of MAX_DIGITS bytes from the first
	 * one stays inside it: a constant-size memcpy is a few moves, not a call. */
	char digits[2 * MAX_DIGITS];
	char *end = digits + MAX_DIGITS, *p = end;
	/* two digits per division: half the multiply-and-shift steps of one at a time */
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				   "25262728293031323334353637383940414243444546474849"
				   "50515253545556575859606162636465666768697071727374"
				   "75767778798081828384858687888990919293949596979899";
	while (v >= 100) {
		p -= 2;
		memcpy(p, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, pairs + 2 * v, 2);
	} else
		*--p = (char)('0' + v);
	if (o->cap - o->used < MAX_DIGITS)
		sim_out_flush(o);
	memcpy(o->buf + o->used, p, MAX_DIGITS);
	o->used += (size_t)(end - p);
}
