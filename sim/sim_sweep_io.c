/* sim_sweep_io.c — the small I/O that sweeps and plots share: reading back the JSON kcsim
 * writes (summary.json, trace.jsonl lines: find a member, walk an array, take an integer or a
 * string; no tree is built, every call scans the text it is given and never past its end),
 * whole files, growing arrays, and gnuplot string literals. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim_sweep.h"

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

/* The end of the string literal starting at p (a '"'), after its closing quote; NULL if it
 * does not close before end. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* The end of the value starting at p; NULL if it is cut off. Nesting is counted, strings
 * skipped whole, so brackets inside strings do not count. */
static const char *skip_value(const char *p, const char *end)
{
	if (p >= end)
		return NULL;
	if (*p == '"')
		return skip_string(p, end);
	if (*p != '{' && *p != '[') {
		while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\r' &&
		       *p != '\t')
			p++;
		return p;
	}
	int depth = 0;
	while (p < end) {
		if (*p == '"') {
			p = skip_string(p, end);
			if (!p)
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if ((*p == '}' || *p == ']') && --depth == 0)
			return p + 1;
		p++;
	}
	return NULL;
}

bool sim_sweep_json_member(struct sim_jv v, const char *key, struct sim_jv *out)
{
	const char *p = skip_ws(v.p, v.end);
	if (p >= v.end || *p != '{')
		return false;
	size_t klen = strlen(key);
	p++;
	for (;;) {
		p = skip_ws(p, v.end);
		if (p >= v.end || *p != '"')
			return false;
		const char *k = p + 1, *kend = skip_string(p, v.end);
		if (!kend)
			return false;
		p = skip_ws(kend, v.end);
		if (p >= v.end || *p != ':')
			return false;
		p = skip_ws(p + 1, v.end);
		const char *vend = skip_value(p, v.end);
		if (!vend)
			return false;
		if ((size_t)(kend - 1 - k) == klen && memcmp(k, key, klen) == 0) {
			out->p = p;
			out->end = vend;
			return true;
		}
		p = skip_ws(vend, v.end);
		if (p >= v.end || *p != ',')
			return false;
		p++;
	}
}

bool sim_sweep_json_path(struct sim_jv v, const char *path, struct sim_jv *out)
{
	char seg[128];
	struct sim_jv cur = v;
	while (*path) {
		size_t n = strcspn(path, ".");
		if (n == 0 || n >= sizeof seg)
			return false;
		memcpy(seg, path, n);
		seg[n] = '\0';
		if (!sim_sweep_json_member(cur, seg, &cur))
			return false;
		path += n + (path[n] == '.');
	}
	*out = cur;
	return true;
}

bool sim_sweep_json_next(struct sim_jv array, struct sim_jv *it)
{
	const char *p;
	if (!it->p) {
		p = skip_ws(array.p, array.end);
		if (p >= array.end || *p != '[')
			return false;
		p = skip_ws(p + 1, array.end);
	} else {
		p = skip_ws(it->end, array.end);
		if (p >= array.end || *p != ',')
			return false;
		p = skip_ws(p + 1, array.end);
	}
	if (p >= array.end || *p == ']')
		return false;
	const char *e = skip_value(p, array.end);
	if (!e)
		return false;
	it->p = p;
	it->end = e;
	return true;
}

bool sim_sweep_json_int(struct sim_jv v, int64_t *out)
{
	const char *p = skip_ws(v.p, v.end);
	bool neg = p < v.end && *p == '-';
	p += neg;
	if (p >= v.end || *p < '0' || *p > '9')
		return false;
	uint64_t x = 0;
	for (; p < v.end && *p >= '0' && *p <= '9'; p++) {
		if (x > (UINT64_C(9223372036854775807) - (uint64_t)(*p - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	if (skip_ws(p, v.end) != v.end)
		return false;
	*out = neg ? -(int64_t)x : (int64_t)x;
	return true;
}

bool sim_sweep_json_str(struct sim_jv v, char *buf, size_t size)
{
	const char *p = skip_ws(v.p, v.end);
	if (p >= v.end || *p != '"' || size == 0)
		return false;
	size_t n = 0;
	for (p++; p < v.end && *p != '"'; p++) {
		char c = *p;
		if (c == '\\' && p + 1 < v.end && (p[1] == '"' || p[1] == '\\' || p[1] == '/'))
			c = *++p;
		if (n + 1 >= size)
			return false;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return p < v.end;
}

bool sim_sweep_json_bool(struct sim_jv v, bool *out)
{
	const char *p = skip_ws(v.p, v.end);
	size_t n = (size_t)(v.end - p);
	if (n >= 4 && memcmp(p, "true", 4) == 0)
		*out = true;
	else if (n >= 5 && memcmp(p, "false", 5) == 0)
		*out = false;
	else
		return false;
	return true;
}

char *sim_sweep_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n + 1 >= cap) {
			char *b = realloc(buf, cap * 2);
			if (!b) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = b;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
				errno = EIO;
			}
			break;
		}
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

void *sim_sweep_grow(void *p, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 64;
	void *q = realloc(p, *cap * size);
	if (!q) {
		fprintf(stderr, "kcsim: out of memory\n");
		exit(3);
	}
	return q;
}

void sim_sweep_gp_string(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

void sim_sweep_path(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= size)
		buf[0] = '\0';
}
