/* sim_json.c — JSON string escaping and indentation for the result writers (summary.json,
 * trace.jsonl). Output depends only on the input bytes. */
#include "sim_json.h"

#include <stddef.h>
#include <stdint.h>

/* Length of the well-formed UTF-8 sequence at s (Unicode 15, table 3-7), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0; /* no overlong forms */
		else if (c == 0xed)
			hi = 0x9f; /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f; /* nothing above U+10FFFF */
	} else
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* Bytes written as they are: printable ASCII other than '"' and '\\', or a whole valid UTF-8
 * sequence; 0 if the byte at p needs escaping. */
static size_t plain_len(const unsigned char *p)
{
	if (*p < 0x20 || *p == '"' || *p == '\\')
		return 0;
	return utf8_len(p);
}

void sim_json_put_string(struct sim_out *o, const char *s)
{
	if (!s) {
		sim_out_str(o, "null");
		return;
	}
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *run = p;
	sim_out_char(o, '"');
	while (*p) {
		size_t n = plain_len(p);
		if (n) { /* plain bytes go out as one run */
			p += n;
			continue;
		}
		sim_out_bytes(o, run, (size_t)(p - run));
		unsigned char c = *p++;
		run = p;
		switch (c) {
		case '"': sim_out_str(o, "\\\""); continue;
		case '\\': sim_out_str(o, "\\\\"); continue;
		case '\b': sim_out_str(o, "\\b"); continue;
		case '\f': sim_out_str(o, "\\f"); continue;
		case '\n': sim_out_str(o, "\\n"); continue;
		case '\r': sim_out_str(o, "\\r"); continue;
		case '\t': sim_out_str(o, "\\t"); continue;
		default: break;
		}
		if (c < 0x20) {
			char u[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			sim_out_bytes(o, u, sizeof u);
		} else
			sim_out_str(o, "\\ufffd");
	}
	sim_out_bytes(o, run, (size_t)(p - run));
	sim_out_char(o, '"');
}

void sim_json_put_time(struct sim_out *o, uint64_t t_us)
{
	if (t_us == UINT64_MAX)
		sim_out_str(o, "null");
	else
		sim_out_u64(o, t_us);
}

void sim_json_put_indent(struct sim_out *o, int n)
{
	for (int i = 0; i < n; i++)
		sim_out_char(o, ' ');
}

/* The FILE forms: the same bytes through a small buffer on the stack. */
void sim_json_string(FILE *f, const char *s)
{
	char buf[256];
	struct sim_out o = sim_out_new(f, buf, sizeof buf);
	sim_json_put_string(&o, s);
	sim_out_flush(&o);
}

void sim_json_time(FILE *f, uint64_t t_us)
{
	char buf[24];
	struct sim_out o = sim_out_new(f, buf, sizeof buf);
	sim_json_put_time(&o, t_us);
	sim_out_flush(&o);
}

void sim_json_indent(FILE *f, int n)
{
	char buf[64];
	struct sim_out o = sim_out_new(f, buf, sizeof buf);
	sim_json_put_indent(&o, n);
	sim_out_flush(&o);
}
