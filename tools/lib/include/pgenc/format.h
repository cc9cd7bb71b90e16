/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libpgenc: the three bitmap file formats (raw, ranges, JSON).
 * Part of <pgenc/pgenc.h>, which includes every topic header and states
 * the library's conventions; each header also stands alone.
 */
#ifndef PGENC_FORMAT_H
#define PGENC_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <pgenc/bitmap.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Formats
 * =======
 *
 * PGENC_FORMAT_RAW: a 32-byte header, all integers little-endian:
 *	offset  0  magic "PGENCBM\0" (8 bytes)
 *	offset  8  u32 version, 1
 *	offset 12  u32 header size, 32 (a version 1 reader requires 32)
 *	offset 16  u64 start_gfn
 *	offset 24  u64 num_pages
 * then exactly ceil(num_pages / 8) bytes of bits as in struct
 * pgenc_bitmap; the bits past num_pages in the last byte must be 0.
 *
 * PGENC_FORMAT_RANGES: text, one run per line,
 *	0x00000-0x0009f encrypted
 *	0x000a0-0x000bf shared
 * Accepted grammar, per line (LF ends a line; CR LF is accepted too):
 *	[blanks] [first "-" last blanks state [blanks]] ["#" comment]
 * where blanks are spaces and tabs, first and last are "0x" (or "0X")
 * and 1 or more hex digits (either case; any number of leading zeros),
 * inclusive, and state is "encrypted" or "shared". Blank and comment
 * lines are ignored. The ranges must be in ascending order, each
 * starting right after the previous one (no gap, no overlap); adjacent
 * ranges may have the same state. The bitmap is exactly their union:
 * start_gfn is the first range's first gfn. At least one range is
 * required; NUL bytes, and CR other than before LF, are rejected
 * anywhere, comments included. The writer emits maximal runs, in
 * lowercase, zero-padded to the width of the largest gfn.
 *
 * PGENC_FORMAT_JSON (RFC 8259, strict):
 *	{"version":1,"start_gfn":0,"num_pages":256,"ranges":[
 *	{"first":0,"last":159,"state":"encrypted"},
 *	{"first":160,"last":255,"state":"shared"}
 *	]}
 * Objects must have exactly these keys, in any order (duplicate or
 * unknown keys are errors); numbers are non-negative integers that fit
 * in 64 bits (no sign, fraction or exponent); version is 1. The ranges
 * follow the rules of the ranges format and must cover exactly
 * [start_gfn, start_gfn + num_pages). Only whitespace may follow the
 * object. Strings must be valid UTF-8 and escapes valid. Errors are
 * reported in reading order, except for what depends on other keys
 * (start_gfn + num_pages overflowing, the ranges' coverage), which is
 * checked once the whole object has been read, in document order.
 *
 * Auto-detection: raw if the data begins with the 8-byte magic; else JSON
 * if the first byte that is not JSON whitespace is '{'; else ranges.
 */
enum pgenc_format {
	PGENC_FORMAT_AUTO = 0, /* for parsing only */
	PGENC_FORMAT_RAW,
	PGENC_FORMAT_RANGES,
	PGENC_FORMAT_JSON,
};

#define PGENC_RAW_MAGIC "PGENCBM" /* 8 bytes with its NUL */
#define PGENC_RAW_VERSION 1
#define PGENC_RAW_HEADER_SIZE 32
#define PGENC_JSON_VERSION 1

/* "auto", "raw", "ranges", "json"; NULL for an unknown value. */
const char *pgenc_format_name(enum pgenc_format fmt);
/* The reverse (exact, lowercase names). -EINVAL for an unknown name. */
int pgenc_format_from_name(const char *name, enum pgenc_format *fmt);
/* RAW, JSON or RANGES, by the rule above. */
enum pgenc_format pgenc_format_detect(const void *data, size_t len);

/*
 * Where the input is wrong. line and column are 1-based; column counts
 * bytes. For the raw (binary) format line is 0 and column is the 1-based
 * byte offset of the offending field or byte (len + 1 for a truncated
 * input). msg is a NUL-terminated English sentence fragment.
 */
struct pgenc_parse_error {
	unsigned int line;
	unsigned int column;
	char msg[128];
};

/*
 * Parse len bytes of data in format fmt (PGENC_FORMAT_AUTO detects it).
 * max_pages limits num_pages (0 means PGENC_MAX_PAGES; a larger value is
 * clamped to it), so that a small input cannot make the library allocate
 * a huge bitmap. -EBADMSG for malformed input, with *err filled when err
 * is not NULL (it is cleared on success); -EINVAL, -ENOMEM.
 */
int pgenc_parse(const void *data, size_t len, enum pgenc_format fmt,
		uint64_t max_pages, struct pgenc_bitmap **out,
		struct pgenc_parse_error *err);
/*
 * The same on the rest of a stream, read to its end; also -errno (or
 * -EIO) for a read error.
 */
int pgenc_read(FILE *f, enum pgenc_format fmt, uint64_t max_pages,
	       struct pgenc_bitmap **out, struct pgenc_parse_error *err);

/*
 * Write b in format fmt (not AUTO: -EINVAL). The FILE is flushed; a write
 * error is -errno (or -EIO).
 */
int pgenc_write(FILE *f, const struct pgenc_bitmap *b, enum pgenc_format fmt);
/*
 * The same into a new malloc()ed buffer (free it with free()), NUL
 * terminated for convenience; *len excludes the NUL.
 */
int pgenc_write_mem(const struct pgenc_bitmap *b, enum pgenc_format fmt,
		    void **buf, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* PGENC_FORMAT_H */
