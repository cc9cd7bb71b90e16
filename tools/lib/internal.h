/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libpgenc internals, shared by its source files only. Every symbol
 * here is hidden: the shared library exports the public API alone.
 */
#ifndef PGENC_INTERNAL_H
#define PGENC_INTERNAL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrordesc_np() */
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pgenc/pgenc.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "libpgenc assumes a little-endian host"
#endif

#define PGENC_HIDDEN __attribute__((visibility("hidden")))
#define PGENC_PRINTF(f, a) __attribute__((format(printf, f, a)))

#define PGENC_PAGE_SHIFT 12

static inline uint64_t pgenc_bytes_for(uint64_t num_pages)
{
	return num_pages / 8 + !!(num_pages % 8);
}

static inline int pgenc_bit(const uint8_t *bits, uint64_t i)
{
	return (bits[i / 8] >> (i % 8)) & 1;
}

/* The valid bits of the last byte, e.g. 0x07 for 3; 0xff for none. */
static inline uint8_t pgenc_tail_mask(uint64_t num_pages)
{
	return num_pages % 8 ? (uint8_t)((1u << (num_pages % 8)) - 1) : 0xff;
}

/* True iff a bitmap may have this shape (see struct pgenc_bitmap). */
static inline bool pgenc_shape_ok(uint64_t start_gfn, uint64_t num_pages)
{
	return num_pages && num_pages <= PGENC_MAX_PAGES &&
	       start_gfn <= UINT64_MAX - num_pages;
}

/* The effective max_pages of a parse. */
static inline uint64_t pgenc_page_limit(uint64_t max_pages)
{
	return !max_pages || max_pages > PGENC_MAX_PAGES ? PGENC_MAX_PAGES :
							   max_pages;
}

/*
 * The first index in [pos, num_pages) whose bit is not val, or
 * num_pages if there is none.
 */
PGENC_HIDDEN uint64_t pgenc_find_change(const struct pgenc_bitmap *b,
					uint64_t pos, int val);

/*
 * One KVM_MEMORY_ENCRYPT_OP (sev_cmd.c): data is the command's struct,
 * or NULL. 0 or -errno; the firmware status into *fw_error if not NULL.
 */
PGENC_HIDDEN int pgenc_sev_ioctl(int vmfd, int sev_fd, uint32_t id, void *data,
				 int *fw_error);
/* *fw_error = v, if fw_error is not NULL. */
static inline void pgenc_set_fw(int *fw_error, int v)
{
	if (fw_error)
		*fw_error = v;
}

/*
 * Output to a FILE or to a growing memory buffer. Errors are sticky:
 * after the first, puts do nothing and err holds it (a negative errno).
 */
struct pgenc_sink {
	FILE *f;
	char *buf;
	size_t len;
	size_t cap;
	int err;
};

PGENC_HIDDEN void pgenc_sink_put(struct pgenc_sink *s, const void *p, size_t n);
PGENC_HIDDEN void pgenc_sink_printf(struct pgenc_sink *s, const char *fmt, ...)
	PGENC_PRINTF(2, 3);

/* Fill *e (if not NULL) and return -EBADMSG. */
PGENC_HIDDEN int pgenc_perr(struct pgenc_parse_error *e, unsigned long line,
			    unsigned long column, const char *fmt, ...)
	PGENC_PRINTF(4, 5);

/* Hex digits needed for v, at least 1. */
PGENC_HIDDEN int pgenc_hex_width(uint64_t v);

/* Per format; data and len already checked, *out written on success. */
PGENC_HIDDEN void pgenc_write_raw(struct pgenc_sink *s,
				  const struct pgenc_bitmap *b);
PGENC_HIDDEN void pgenc_write_ranges(struct pgenc_sink *s,
				     const struct pgenc_bitmap *b);
PGENC_HIDDEN void pgenc_write_json(struct pgenc_sink *s,
				   const struct pgenc_bitmap *b);
PGENC_HIDDEN int pgenc_parse_raw(const uint8_t *p, size_t len,
				 uint64_t max_pages, struct pgenc_bitmap **out,
				 struct pgenc_parse_error *e);
PGENC_HIDDEN int pgenc_parse_ranges(const char *p, size_t len,
				    uint64_t max_pages,
				    struct pgenc_bitmap **out,
				    struct pgenc_parse_error *e);
PGENC_HIDDEN int pgenc_parse_json(const char *p, size_t len, uint64_t max_pages,
				  struct pgenc_bitmap **out,
				  struct pgenc_parse_error *e);

/* Hypercall decoding against tracked memory [lo, hi). */
PGENC_HIDDEN int pgenc_hc_decode_in(uint64_t a0, uint64_t a1, uint64_t a2,
				    uint64_t lo, uint64_t hi,
				    struct pgenc_hypercall *req);

#endif /* PGENC_INTERNAL_H */
