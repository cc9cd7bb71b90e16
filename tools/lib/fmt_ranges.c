// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The ranges text format: one run per line, "0x000a0-0x000bf shared".
 * The grammar and the coverage rules are in <pgenc/pgenc.h>.
 *
 * The parser reads the text twice: once to check it and find the span,
 * then, with the bitmap allocated, to clear the shared runs. The second
 * pass cannot fail.
 */
#include "internal.h"

#include <inttypes.h>

struct rp {
	const char *p;
	size_t len;
	size_t pos;
	unsigned long line;
	size_t bol; /* offset of the current line's first byte */
	uint64_t max_pages;
	struct pgenc_parse_error *e;
};

static unsigned long col(const struct rp *rp, size_t off)
{
	return (unsigned long)(off - rp->bol + 1);
}

/* The byte at pos, or -1 at the end of the input. */
static int peek(const struct rp *rp)
{
	return rp->pos < rp->len ? (unsigned char)rp->p[rp->pos] : -1;
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static void skip_blanks(struct rp *rp)
{
	while (is_blank(peek(rp)))
		rp->pos++;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int unexpected(struct rp *rp, const char *what)
{
	int c = peek(rp);

	if (c < 0)
		return pgenc_perr(rp->e, rp->line, col(rp, rp->pos),
				  "%s, found the end of the input", what);
	if (c == '\n' ||
	    (c == '\r' && rp->pos + 1 < rp->len && rp->p[rp->pos + 1] == '\n'))
		return pgenc_perr(rp->e, rp->line, col(rp, rp->pos),
				  "%s, found the end of the line", what);
	if (c > ' ' && c < 0x7f)
		return pgenc_perr(rp->e, rp->line, col(rp, rp->pos),
				  "%s, found '%c'", what, c);
	return pgenc_perr(rp->e, rp->line, col(rp, rp->pos),
			  "%s, found byte 0x%02x", what, c);
}

static int parse_gfn(struct rp *rp, uint64_t *v)
{
	size_t at = rp->pos;
	uint64_t x = 0;
	int d;

	if (peek(rp) != '0' || rp->pos + 1 >= rp->len ||
	    (rp->p[rp->pos + 1] != 'x' && rp->p[rp->pos + 1] != 'X'))
		return unexpected(rp, "expected a gfn such as 0x1f");
	rp->pos += 2;
	if (hexval(peek(rp)) < 0)
		return unexpected(rp, "expected hex digits after 0x");
	while ((d = hexval(peek(rp))) >= 0) {
		if (x >> 60)
			return pgenc_perr(rp->e, rp->line, col(rp, at),
					  "gfn does not fit in 64 bits");
		x = x << 4 | (uint64_t)d;
		rp->pos++;
	}
	*v = x;
	return 0;
}

/* "encrypted" or "shared", ended by a blank, '#', a line end or EOF. */
static int parse_state(struct rp *rp, bool *encrypted)
{
	static const char *const words[] = { "shared", "encrypted" };
	size_t at = rp->pos, n;
	int c, i;

	while ((c = peek(rp)) >= 0 && !is_blank(c) && c != '#' && c != '\n' &&
	       c != '\r' && c != '\0')
		rp->pos++;
	n = rp->pos - at;
	for (i = 0; i < 2; i++) {
		if (n == strlen(words[i]) && !memcmp(rp->p + at, words[i], n)) {
			*encrypted = i;
			return 0;
		}
	}
	rp->pos = at;
	return unexpected(rp, "expected 'encrypted' or 'shared'");
}

/* After a range or at a blank line: blanks, a comment, the line's end. */
static int end_line(struct rp *rp)
{
	int c;

	skip_blanks(rp);
	if (peek(rp) == '#') {
		while ((c = peek(rp)) >= 0 && c != '\n' && c != '\r') {
			if (!c)
				return unexpected(rp, "NUL byte in a comment");
			rp->pos++;
		}
	}
	c = peek(rp);
	if (c < 0)
		return 0;
	if (c == '\r' && rp->pos + 1 < rp->len && rp->p[rp->pos + 1] == '\n')
		rp->pos++;
	else if (c != '\n')
		return unexpected(rp, "expected the end of the line");
	rp->pos++;
	rp->line++;
	rp->bol = rp->pos;
	return 0;
}

/* What the lines read so far cover: [s0, next) once have is set. */
struct span {
	bool have;
	uint64_t s0;
	uint64_t next;
};

/* A line that holds a range; b as for scan(). */
static int range_line(struct rp *rp, struct span *sp, struct pgenc_bitmap *b)
{
	size_t at_first = rp->pos, at_last;
	uint64_t first, last;
	bool enc = false;
	int r;

	r = parse_gfn(rp, &first);
	if (r)
		return r;
	if (peek(rp) != '-')
		return unexpected(rp, "expected '-' after the first gfn");
	rp->pos++;
	at_last = rp->pos;
	r = parse_gfn(rp, &last);
	if (r)
		return r;
	if (!is_blank(peek(rp)))
		return unexpected(rp, "expected a blank after the range");
	skip_blanks(rp);
	r = parse_state(rp, &enc);
	if (r)
		return r;

	if (first > last)
		return pgenc_perr(rp->e, rp->line, col(rp, at_last),
				  "last gfn 0x%" PRIx64
				  " is below the first, 0x%" PRIx64,
				  last, first);
	if (last == UINT64_MAX)
		return pgenc_perr(rp->e, rp->line, col(rp, at_last),
				  "last gfn must be below 0x%" PRIx64,
				  UINT64_MAX);
	if (!sp->have) {
		sp->s0 = first;
		sp->have = true;
	} else if (first < sp->next) {
		return pgenc_perr(rp->e, rp->line, col(rp, at_first),
				  "range overlaps or is out of order: the previous one ends at 0x%" PRIx64,
				  sp->next - 1);
	} else if (first > sp->next) {
		return pgenc_perr(rp->e, rp->line, col(rp, at_first),
				  "gap: 0x%" PRIx64 "-0x%" PRIx64
				  " is not covered",
				  sp->next, first - 1);
	}
	if (last - sp->s0 >= rp->max_pages)
		return pgenc_perr(rp->e, rp->line, col(rp, at_last),
				  "the ranges cover more than %" PRIu64
				  " pages",
				  rp->max_pages);
	sp->next = last + 1;
	if (b && !enc)
		pgenc_bitmap_fill(b, first, last - first + 1, false);
	return 0;
}

/*
 * One pass over the text. Without b, check it and find the span; with
 * b (allocated from that span, all encrypted), clear the shared runs.
 */
static int scan(struct rp *rp, struct pgenc_bitmap *b, uint64_t *start,
		uint64_t *num)
{
	struct span sp = { 0 };
	int c, r;

	rp->pos = 0;
	rp->bol = 0;
	rp->line = 1;
	while (rp->pos < rp->len) {
		skip_blanks(rp);
		c = peek(rp);
		if (c >= 0 && c != '#' && c != '\n' && c != '\r') {
			r = range_line(rp, &sp, b);
			if (r)
				return r;
		}
		r = end_line(rp);
		if (r)
			return r;
	}
	if (!sp.have)
		return pgenc_perr(rp->e, rp->line, col(rp, rp->pos),
				  "no ranges: the input describes no pages");
	*start = sp.s0;
	*num = sp.next - sp.s0;
	return 0;
}

int pgenc_parse_ranges(const char *p, size_t len, uint64_t max_pages,
		       struct pgenc_bitmap **out, struct pgenc_parse_error *e)
{
	struct rp rp = { .p = p, .len = len, .max_pages = max_pages, .e = e };
	struct pgenc_bitmap *b;
	uint64_t start, num;
	int r;

	r = scan(&rp, NULL, &start, &num);
	if (r)
		return r;
	r = pgenc_bitmap_new(start, num, true, &b);
	if (r)
		return r;
	r = scan(&rp, b, &start, &num);
	if (r) {
		/* Cannot happen: the same text passed the first scan. */
		pgenc_bitmap_free(b);
		return r;
	}
	*out = b;
	return 0;
}

void pgenc_write_ranges(struct pgenc_sink *s, const struct pgenc_bitmap *b)
{
	int w = pgenc_hex_width(b->start_gfn + b->num_pages - 1);
	uint64_t cur = PGENC_RANGE_CURSOR_INIT;
	struct pgenc_range r;

	while (!s->err && pgenc_range_next(b, &cur, &r) > 0)
		pgenc_sink_printf(s, "0x%0*" PRIx64 "-0x%0*" PRIx64 " %s\n", w,
				  r.first, w, r.last,
				  r.encrypted ? "encrypted" : "shared");
}
