/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The round-trip property shared by the libFuzzer targets: if an input
 * parses, then writing the bitmap (in the input's format, and for the
 * auto-detecting target in every format) and parsing that gives the same
 * bitmap; the writers' output is canonical (writing the re-parsed bitmap
 * gives the same bytes), and a raw input that parses is already
 * canonical. A rejected input must come with -EBADMSG and a plausible
 * position and message. Any violation aborts, which libFuzzer reports.
 */
#ifndef PGENC_FUZZ_COMMON_H
#define PGENC_FUZZ_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pgenc/pgenc.h>

/* Small enough that a short input cannot ask for much memory. */
#define FUZZ_MAX_PAGES (1ULL << 22)

#define FUZZ_ASSERT(cond)                                               \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: property failed: %s\n", \
				__FILE__, __LINE__, #cond);             \
			abort();                                        \
		}                                                       \
	} while (0)

static inline void fuzz_check_error(enum pgenc_format fmt, size_t size, int r,
				    const struct pgenc_parse_error *e)
{
	FUZZ_ASSERT(r == -EBADMSG);
	FUZZ_ASSERT(memchr(e->msg, '\0', sizeof(e->msg)) && e->msg[0]);
	FUZZ_ASSERT(e->column >= 1);
	if (fmt == PGENC_FORMAT_RAW) {
		FUZZ_ASSERT(e->line == 0 && e->column <= size + 1);
	} else {
		FUZZ_ASSERT(e->line >= 1 && e->line <= size + 1);
		FUZZ_ASSERT(e->column <= size + 1);
	}
}

static inline void fuzz_check_shape(const struct pgenc_bitmap *b)
{
	uint64_t n = b->num_pages;

	FUZZ_ASSERT(n >= 1 && n <= FUZZ_MAX_PAGES);
	FUZZ_ASSERT(b->start_gfn <= UINT64_MAX - n);
	FUZZ_ASSERT(!(n % 8) || !(b->bits[n / 8] >> (n % 8)));
	FUZZ_ASSERT(pgenc_bitmap_count(b, true) +
			    pgenc_bitmap_count(b, false) ==
		    n);
}

/* Write b in fmt, parse it back (as fmt and detected), compare. */
static inline void fuzz_rewrite(const struct pgenc_bitmap *b,
				enum pgenc_format fmt)
{
	struct pgenc_bitmap *c = NULL, *d = NULL;
	void *buf = NULL, *buf2 = NULL;
	size_t len = 0, len2 = 0;

	FUZZ_ASSERT(!pgenc_write_mem(b, fmt, &buf, &len));
	FUZZ_ASSERT(pgenc_format_detect(buf, len) == fmt);
	FUZZ_ASSERT(!pgenc_parse(buf, len, fmt, FUZZ_MAX_PAGES, &c, NULL));
	FUZZ_ASSERT(pgenc_bitmap_equal(b, c));
	FUZZ_ASSERT(!pgenc_parse(buf, len, PGENC_FORMAT_AUTO, FUZZ_MAX_PAGES,
				 &d, NULL));
	FUZZ_ASSERT(pgenc_bitmap_equal(b, d));
	FUZZ_ASSERT(!pgenc_write_mem(c, fmt, &buf2, &len2));
	FUZZ_ASSERT(len == len2 && !memcmp(buf, buf2, len));
	pgenc_bitmap_free(c);
	pgenc_bitmap_free(d);
	free(buf);
	free(buf2);
}

/* The whole property for one input read as fmt (AUTO: detected). */
static inline void fuzz_one(enum pgenc_format fmt, const uint8_t *data,
			    size_t size)
{
	enum pgenc_format real = fmt;
	struct pgenc_parse_error e;
	struct pgenc_bitmap *b = NULL;
	void *buf;
	size_t len;
	int r;

	if (fmt == PGENC_FORMAT_AUTO)
		real = pgenc_format_detect(data, size);
	r = pgenc_parse(data, size, fmt, FUZZ_MAX_PAGES, &b, &e);
	if (r) {
		FUZZ_ASSERT(!b);
		fuzz_check_error(real, size, r, &e);
		return;
	}
	fuzz_check_shape(b);
	fuzz_rewrite(b, real);
	if (fmt == PGENC_FORMAT_AUTO) {
		fuzz_rewrite(b, PGENC_FORMAT_RAW);
		fuzz_rewrite(b, PGENC_FORMAT_RANGES);
		fuzz_rewrite(b, PGENC_FORMAT_JSON);
	}
	if (real == PGENC_FORMAT_RAW) {
		/* Raw is canonical: the input is the writer's output. */
		FUZZ_ASSERT(!pgenc_write_mem(b, PGENC_FORMAT_RAW, &buf, &len));
		FUZZ_ASSERT(len == size && !memcmp(buf, data, size));
		free(buf);
	}
	pgenc_bitmap_free(b);
}

#endif /* PGENC_FUZZ_COMMON_H */
