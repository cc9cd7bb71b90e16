// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The JSON format, with a strict hand-written parser for exactly its
 * schema (see <pgenc/pgenc.h>): no generic JSON values are accepted, so
 * the parser needs no recursion and no value skipping.
 *
 * Lines are counted at LF; columns are 1-based byte offsets in the line.
 */
#include "internal.h"
#include "utf8.h"

#include <inttypes.h>
#include <stdlib.h>

struct where {
	unsigned long line;
	unsigned long col;
};

struct jrange {
	uint64_t first;
	uint64_t last;
	bool encrypted;
	struct where at_first;
	struct where at_last;
};

struct jp {
	const char *p;
	size_t len;
	size_t pos;
	unsigned long line;
	size_t bol;
	struct pgenc_parse_error *e;

	struct jrange *ranges;
	size_t nr;
	size_t cap;
	struct where at_close; /* the ']' of "ranges" */
};

static struct where here(const struct jp *jp)
{
	struct where w = { jp->line, (unsigned long)(jp->pos - jp->bol + 1) };

	return w;
}

static int peek(const struct jp *jp)
{
	return jp->pos < jp->len ? (unsigned char)jp->p[jp->pos] : -1;
}

static int err_at(struct jp *jp, struct where w, const char *fmt, ...)
	PGENC_PRINTF(3, 4);

static int err_at(struct jp *jp, struct where w, const char *fmt, ...)
{
	char msg[sizeof(jp->e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pgenc_perr(jp->e, w.line, w.col, "%s", msg);
}

static int unexpected(struct jp *jp, const char *what)
{
	int c = peek(jp);

	if (c < 0)
		return err_at(jp, here(jp), "%s, found the end of the input",
			      what);
	if (c > ' ' && c < 0x7f)
		return err_at(jp, here(jp), "%s, found '%c'", what, c);
	return err_at(jp, here(jp), "%s, found byte 0x%02x", what, c);
}

static void ws(struct jp *jp)
{
	int c;

	while ((c = peek(jp)) == ' ' || c == '\t' || c == '\r' || c == '\n') {
		jp->pos++;
		if (c == '\n') {
			jp->line++;
			jp->bol = jp->pos;
		}
	}
}

static int expect(struct jp *jp, char ch, const char *what)
{
	ws(jp);
	if (peek(jp) != ch)
		return unexpected(jp, what);
	jp->pos++;
	return 0;
}

static int hex4(struct jp *jp, unsigned int *v)
{
	unsigned int x = 0;
	int i, c;

	for (i = 0; i < 4; i++) {
		c = peek(jp);
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return unexpected(jp, "expected 4 hex digits in \\u");
		x = x << 4 | (unsigned int)c;
		jp->pos++;
	}
	*v = x;
	return 0;
}

static void put_byte(char *buf, size_t cap, size_t *n, unsigned int c)
{
	if (*n < cap)
		buf[*n] = (char)c;
	(*n)++;
}

static void put_utf8(char *buf, size_t cap, size_t *n, unsigned int cp)
{
	if (cp < 0x80) {
		put_byte(buf, cap, n, cp);
	} else if (cp < 0x800) {
		put_byte(buf, cap, n, 0xc0 | cp >> 6);
		put_byte(buf, cap, n, 0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		put_byte(buf, cap, n, 0xe0 | cp >> 12);
		put_byte(buf, cap, n, 0x80 | (cp >> 6 & 0x3f));
		put_byte(buf, cap, n, 0x80 | (cp & 0x3f));
	} else {
		put_byte(buf, cap, n, 0xf0 | cp >> 18);
		put_byte(buf, cap, n, 0x80 | (cp >> 12 & 0x3f));
		put_byte(buf, cap, n, 0x80 | (cp >> 6 & 0x3f));
		put_byte(buf, cap, n, 0x80 | (cp & 0x3f));
	}
}

/*
 * A string at pos (which is '"'), decoded into buf; *n is its full
 * decoded length, which may exceed cap (the rest is dropped).
 */
static int parse_string(struct jp *jp, char *buf, size_t cap, size_t *n)
{
	struct where open = here(jp);
	unsigned int cp, lo;
	size_t u;
	int c;

	*n = 0;
	jp->pos++;
	for (;;) {
		c = peek(jp);
		if (c < 0)
			return err_at(jp, open, "unterminated string");
		if (c == '"') {
			jp->pos++;
			return 0;
		}
		if (c < 0x20)
			return unexpected(jp,
					  "control characters must be escaped in strings");
		if (c >= 0x80) {
			u = pgenc_utf8_len(jp->p + jp->pos, jp->len - jp->pos);
			if (!u)
				return err_at(jp, here(jp),
					      "invalid UTF-8 in a string");
			while (u--)
				put_byte(buf, cap, n,
					 (unsigned char)jp->p[jp->pos++]);
			continue;
		}
		jp->pos++;
		if (c != '\\') {
			put_byte(buf, cap, n, (unsigned int)c);
			continue;
		}
		c = peek(jp);
		switch (c) {
		case '"':
		case '\\':
		case '/':
			break;
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		case 't':
			c = '\t';
			break;
		case 'u': {
			struct where at = here(jp);

			jp->pos++;
			if (hex4(jp, &cp))
				return -EBADMSG;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return err_at(jp, at, "unpaired low surrogate");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (jp->len - jp->pos < 2 ||
				    jp->p[jp->pos] != '\\' ||
				    jp->p[jp->pos + 1] != 'u')
					return err_at(jp, at,
						      "unpaired high surrogate");
				jp->pos += 2;
				if (hex4(jp, &lo))
					return -EBADMSG;
				if (lo < 0xdc00 || lo > 0xdfff)
					return err_at(jp, at,
						      "unpaired high surrogate");
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
			}
			put_utf8(buf, cap, n, cp);
			continue;
		}
		default:
			return unexpected(jp, "invalid escape in a string");
		}
		jp->pos++;
		put_byte(buf, cap, n, (unsigned int)c);
	}
}

static int parse_uint(struct jp *jp, uint64_t *v, struct where *at)
{
	uint64_t x = 0;
	unsigned int d;
	int c;

	ws(jp);
	*at = here(jp);
	c = peek(jp);
	if (c == '-')
		return err_at(jp, *at, "negative numbers are not allowed here");
	if (c < '0' || c > '9')
		return unexpected(jp, "expected a non-negative integer");
	if (c == '0' && jp->pos + 1 < jp->len && jp->p[jp->pos + 1] >= '0' &&
	    jp->p[jp->pos + 1] <= '9')
		return err_at(jp, *at, "leading zeros are not allowed");
	while ((c = peek(jp)) >= '0' && c <= '9') {
		d = (unsigned int)(c - '0');
		if (x > (UINT64_MAX - d) / 10)
			return err_at(jp, *at,
				      "number does not fit in 64 bits");
		x = x * 10 + d;
		jp->pos++;
	}
	if (c == '.' || c == 'e' || c == 'E')
		return err_at(jp, *at,
			      "expected an integer, without fraction or exponent");
	*v = x;
	return 0;
}

/*
 * The key at pos: the index of its name in keys[], or an error for an
 * unknown key or one already seen (bit i of *seen).
 */
static int parse_key(struct jp *jp, const char *const *keys, int nkeys,
		     unsigned int *seen, int *idx)
{
	struct where at;
	char buf[32];
	size_t n, i;
	int k, r;

	ws(jp);
	if (peek(jp) != '"')
		return unexpected(jp, "expected a key (a string)");
	at = here(jp);
	r = parse_string(jp, buf, sizeof(buf), &n);
	if (r)
		return r;
	for (k = 0; k < nkeys; k++) {
		if (n == strlen(keys[k]) && !memcmp(buf, keys[k], n)) {
			if (*seen & (1u << k))
				return err_at(jp, at, "duplicate key \"%s\"",
					      keys[k]);
			*seen |= 1u << k;
			*idx = k;
			return expect(jp, ':', "expected ':' after the key");
		}
	}
	if (n > sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	for (i = 0; i < n; i++)
		if ((unsigned char)buf[i] < ' ' ||
		    (unsigned char)buf[i] >= 0x7f)
			buf[i] = '?';
	buf[n] = '\0';
	return err_at(jp, at, "unknown key \"%s\"", buf);
}

/* After a member: ',' (returns 0, more follow) or the closing char (1). */
static int next_member(struct jp *jp, char close, const char *what)
{
	ws(jp);
	if (peek(jp) == ',') {
		jp->pos++;
		return 0;
	}
	if (peek(jp) == close) {
		jp->pos++;
		return 1;
	}
	return unexpected(jp, what);
}

static int missing(struct jp *jp, struct where at, const char *const *keys,
		   int nkeys, unsigned int seen, const char *obj)
{
	int k;

	for (k = 0; k < nkeys; k++)
		if (!(seen & (1u << k)))
			return err_at(jp, at, "%s is missing \"%s\"", obj,
				      keys[k]);
	return 0;
}

/*
 * An object of exactly these keys, in any order: '{' (open names it in
 * the error when it is not there), then member() reads the value of each
 * key, k its index in keys[]. obj names the object when a key is missing.
 */
static int parse_object(struct jp *jp, const char *open,
			const char *const *keys, int nkeys, const char *obj,
			int (*member)(struct jp *jp, int k, void *ctx),
			void *ctx)
{
	unsigned int seen = 0;
	struct where at;
	int k = 0, r; /* k: set by parse_key(), which gcc cannot see */

	r = expect(jp, '{', open);
	if (r)
		return r;
	ws(jp);
	if (peek(jp) != '}') {
		do {
			r = parse_key(jp, keys, nkeys, &seen, &k);
			if (r)
				return r;
			r = member(jp, k, ctx);
			if (r)
				return r;
			ws(jp);
			at = here(jp);
			r = next_member(jp, '}', "expected ',' or '}'");
		} while (!r);
		if (r < 0)
			return r;
	} else {
		at = here(jp);
		jp->pos++;
	}
	return missing(jp, at, keys, nkeys, seen, obj);
}

static int push_range(struct jp *jp, const struct jrange *r)
{
	struct jrange *n;

	if (jp->nr == jp->cap) {
		size_t cap = jp->cap ? jp->cap * 2 : 16;

		if (cap > SIZE_MAX / sizeof(*n))
			return -ENOMEM;
		n = realloc(jp->ranges, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		jp->ranges = n;
		jp->cap = cap;
	}
	jp->ranges[jp->nr++] = *r;
	return 0;
}

static int range_member(struct jp *jp, int k, void *ctx)
{
	struct jrange *rg = ctx;
	struct where at;
	char buf[16];
	size_t n;
	int r;

	if (k == 0)
		return parse_uint(jp, &rg->first, &rg->at_first);
	if (k == 1)
		return parse_uint(jp, &rg->last, &rg->at_last);
	ws(jp);
	at = here(jp);
	if (peek(jp) != '"')
		return unexpected(jp, "expected \"encrypted\" or \"shared\"");
	r = parse_string(jp, buf, sizeof(buf), &n);
	if (r)
		return r;
	if (n == 9 && !memcmp(buf, "encrypted", 9))
		rg->encrypted = true;
	else if (n != 6 || memcmp(buf, "shared", 6))
		return err_at(jp, at,
			      "state must be \"encrypted\" or \"shared\"");
	return 0;
}

static int parse_range(struct jp *jp)
{
	static const char *const keys[] = { "first", "last", "state" };
	struct jrange rg = { 0 };
	int r;

	r = parse_object(jp, "expected a range object '{'", keys, 3, "range",
			 range_member, &rg);
	if (r)
		return r;
	return push_range(jp, &rg);
}

static int parse_ranges(struct jp *jp)
{
	int r;

	r = expect(jp, '[', "expected '[' (the array of ranges)");
	if (r)
		return r;
	ws(jp);
	if (peek(jp) == ']') {
		jp->at_close = here(jp);
		jp->pos++;
		return 0;
	}
	do {
		r = parse_range(jp);
		if (r)
			return r;
		ws(jp);
		jp->at_close = here(jp);
		r = next_member(jp, ']', "expected ',' or ']'");
	} while (!r);
	return r < 0 ? r : 0;
}

struct doc {
	uint64_t max_pages; /* the limit on num */
	uint64_t start;
	uint64_t num;
	struct where at_start;
	struct where at_num;
};

static int doc_member(struct jp *jp, int k, void *ctx)
{
	struct doc *d = ctx;
	struct where at;
	uint64_t v;
	int r;

	switch (k) {
	case 0:
		r = parse_uint(jp, &v, &at);
		if (!r && v != PGENC_JSON_VERSION)
			r = err_at(jp, at,
				   "unsupported version %" PRIu64
				   " (expected %d)",
				   v, PGENC_JSON_VERSION);
		return r;
	case 1:
		return parse_uint(jp, &d->start, &d->at_start);
	case 2:
		r = parse_uint(jp, &d->num, &d->at_num);
		if (!r && !d->num)
			r = err_at(jp, d->at_num, "num_pages is 0");
		else if (!r && d->num > d->max_pages)
			r = err_at(jp, d->at_num,
				   "num_pages %" PRIu64
				   " exceeds the limit %" PRIu64,
				   d->num, d->max_pages);
		return r;
	default:
		return parse_ranges(jp);
	}
}

static int parse_doc(struct jp *jp, struct doc *d)
{
	static const char *const keys[] = { "version", "start_gfn", "num_pages",
					    "ranges" };
	int r;

	r = parse_object(jp, "expected '{'", keys, 4, "the object", doc_member,
			 d);
	if (r)
		return r;
	ws(jp);
	if (jp->pos < jp->len)
		return unexpected(jp, "expected nothing after the object");
	return 0;
}

/* The values that depend on each other, in document order. */
static int check_doc(struct jp *jp, const struct doc *d)
{
	uint64_t next = d->start, last_gfn;
	size_t i;

	if (d->start > UINT64_MAX - d->num)
		return err_at(jp, d->at_start,
			      "start_gfn + num_pages overflows 64 bits");
	last_gfn = d->start + d->num - 1;
	for (i = 0; i < jp->nr; i++) {
		const struct jrange *r = &jp->ranges[i];

		if (r->first != next && !i)
			return err_at(jp, r->at_first,
				      "the first range must start at start_gfn %" PRIu64,
				      d->start);
		if (r->first < next)
			return err_at(jp, r->at_first,
				      "range overlaps or is out of order: the previous one ends at %" PRIu64,
				      next - 1);
		if (r->first > next)
			return err_at(jp, r->at_first,
				      "gap: %" PRIu64 "..%" PRIu64
				      " is not covered",
				      next, r->first - 1);
		if (r->last < r->first)
			return err_at(jp, r->at_last,
				      "last %" PRIu64
				      " is below first %" PRIu64,
				      r->last, r->first);
		if (r->last > last_gfn)
			return err_at(jp, r->at_last,
				      "range ends past start_gfn + num_pages - 1 = %" PRIu64,
				      last_gfn);
		next = r->last + 1;
	}
	if (next - 1 != last_gfn || !jp->nr)
		return err_at(jp, jp->at_close,
			      "the ranges end before gfn %" PRIu64
			      " (start_gfn + num_pages - 1)",
			      last_gfn);
	return 0;
}

int pgenc_parse_json(const char *p, size_t len, uint64_t max_pages,
		     struct pgenc_bitmap **out, struct pgenc_parse_error *e)
{
	struct jp jp = { .p = p, .len = len, .line = 1, .e = e };
	struct pgenc_bitmap *b = NULL;
	struct doc d = { .max_pages = max_pages };
	size_t i;
	int r;

	r = parse_doc(&jp, &d);
	if (!r)
		r = check_doc(&jp, &d);
	if (!r)
		r = pgenc_bitmap_new(d.start, d.num, true, &b);
	for (i = 0; !r && i < jp.nr; i++)
		if (!jp.ranges[i].encrypted)
			pgenc_bitmap_fill(b, jp.ranges[i].first,
					  jp.ranges[i].last -
						  jp.ranges[i].first + 1,
					  false);
	free(jp.ranges);
	if (!r)
		*out = b;
	return r;
}

void pgenc_write_json(struct pgenc_sink *s, const struct pgenc_bitmap *b)
{
	uint64_t cur = PGENC_RANGE_CURSOR_INIT;
	struct pgenc_range r;
	bool first = true;

	pgenc_sink_printf(s,
			  "{\"version\":%d,\"start_gfn\":%" PRIu64
			  ",\"num_pages\":%" PRIu64 ",\"ranges\":[\n",
			  PGENC_JSON_VERSION, b->start_gfn, b->num_pages);
	while (!s->err && pgenc_range_next(b, &cur, &r) > 0) {
		pgenc_sink_printf(s,
				  "%s{\"first\":%" PRIu64 ",\"last\":%" PRIu64
				  ",\"state\":\"%s\"}",
				  first ? "" : ",\n", r.first, r.last,
				  r.encrypted ? "encrypted" : "shared");
		first = false;
	}
	pgenc_sink_printf(s, "\n]}\n");
}
