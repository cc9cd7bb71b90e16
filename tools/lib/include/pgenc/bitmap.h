/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libpgenc: the library version and messages, bitmaps, ranges, diff.
 * Part of <pgenc/pgenc.h>, which includes every topic header and states
 * the library's conventions; each header also stands alone.
 */
#ifndef PGENC_BITMAP_H
#define PGENC_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library version ("0.1.0"); the soname is libpgenc.so.0. */
const char *pgenc_version(void);

/*
 * A message for a return value of this library: err may be negative (as
 * returned) or positive. Never NULL; the string is static.
 */
const char *pgenc_strerror(int err);

/*
 * Bitmaps
 * =======
 *
 * Bit i of bits describes gfn start_gfn + i: bit (i % 8) of byte (i / 8),
 * least significant bit first, 1 = encrypted, 0 = shared. This is the
 * memory image KVM_{GET,SET}_PAGE_ENC_BITMAP use.
 *
 * Every bitmap has 1 <= num_pages <= PGENC_MAX_PAGES, and
 * start_gfn + num_pages does not overflow 64 bits (the kernel's rule: the
 * exclusive end gfn must be representable). Bitmaps made by the library
 * keep the bits past num_pages in the last byte at 0; the library ignores
 * them on input. The fields may be read freely, and the bytes of bits
 * written; start_gfn and num_pages must not be changed.
 */
struct pgenc_bitmap {
	uint64_t start_gfn;
	uint64_t num_pages;
	uint8_t *bits; /* ceil(num_pages / 8) bytes */
};

#define PGENC_MAX_PAGES (1ULL << 40)

/*
 * A new bitmap of num_pages pages from start_gfn, every page encrypted
 * (encrypted true, like KVM's initial state) or shared. -EINVAL for a
 * num_pages of 0 or above PGENC_MAX_PAGES or a range that overflows,
 * -ENOMEM. Free with pgenc_bitmap_free().
 */
int pgenc_bitmap_new(uint64_t start_gfn, uint64_t num_pages, bool encrypted,
		     struct pgenc_bitmap **out);
int pgenc_bitmap_dup(const struct pgenc_bitmap *b, struct pgenc_bitmap **out);
void pgenc_bitmap_free(struct pgenc_bitmap *b); /* NULL is a no-op */

/* ceil(num_pages / 8): the size of bits. */
size_t pgenc_bitmap_bytes(const struct pgenc_bitmap *b);

/* 1 if gfn is encrypted, 0 if shared, -ERANGE if outside the bitmap. */
int pgenc_bitmap_get(const struct pgenc_bitmap *b, uint64_t gfn);
/* 0, or -ERANGE if gfn is outside the bitmap. */
int pgenc_bitmap_set(struct pgenc_bitmap *b, uint64_t gfn, bool encrypted);
/*
 * Set npages pages from first_gfn. -EINVAL if npages is 0, -ERANGE if
 * the range is not entirely inside the bitmap (nothing changes).
 */
int pgenc_bitmap_fill(struct pgenc_bitmap *b, uint64_t first_gfn,
		      uint64_t npages, bool encrypted);
/* The number of encrypted (or shared) pages. */
uint64_t pgenc_bitmap_count(const struct pgenc_bitmap *b, bool encrypted);
/* Same start_gfn, num_pages and page states. */
bool pgenc_bitmap_equal(const struct pgenc_bitmap *a,
			const struct pgenc_bitmap *b);

/*
 * Ranges
 * ======
 *
 * A run of pages in the same state: gfns first..last, inclusive.
 */
struct pgenc_range {
	uint64_t first;
	uint64_t last;
	bool encrypted;
};

#define PGENC_RANGE_CURSOR_INIT 0

/*
 * Iterate the maximal runs of equal bits in ascending order:
 *
 *	uint64_t cur = PGENC_RANGE_CURSOR_INIT;
 *	struct pgenc_range r;
 *
 *	while (pgenc_range_next(b, &cur, &r) > 0)
 *		...;
 *
 * Returns 1 with *r filled, 0 at the end, -EINVAL for NULL arguments.
 * The cursor is the index (from start_gfn) of the next page to report;
 * a cursor set by hand starts a run there. Runs of equal bits are found
 * a machine word at a time.
 */
int pgenc_range_next(const struct pgenc_bitmap *b, uint64_t *cursor,
		     struct pgenc_range *r);

/*
 * The same as a callback: fn is called for each run; a non-zero return
 * stops the walk and is returned. 0 when every run was visited.
 */
typedef int (*pgenc_range_fn)(const struct pgenc_range *r, void *arg);
int pgenc_range_foreach(const struct pgenc_bitmap *b, pgenc_range_fn fn,
			void *arg);

/*
 * Diff
 * ====
 *
 * From a (old) to b (new), over the union of their spans: from the lower
 * start_gfn to the higher last gfn. A page outside a bitmap reads as
 * encrypted there (as KVM reads untracked pages). runs[] lists, in
 * ascending order, the maximal runs of pages whose state differs, with
 * the same new state: r.encrypted is the state in b, a has the other.
 * Counting is linear in the pages the bitmaps cover, not in the span of
 * the union (two bitmaps far apart are cheap to compare).
 */
struct pgenc_diff {
	uint64_t first_gfn; /* the union compared, inclusive */
	uint64_t last_gfn;
	uint64_t became_shared; /* pages encrypted in a, shared in b */
	uint64_t became_encrypted; /* pages shared in a, encrypted in b */
	size_t nr_runs;
	struct pgenc_range *runs;
};

/* Free with pgenc_diff_free(). -EINVAL, -ENOMEM. */
int pgenc_diff(const struct pgenc_bitmap *a, const struct pgenc_bitmap *b,
	       struct pgenc_diff **out);
void pgenc_diff_free(struct pgenc_diff *d); /* NULL is a no-op */

/*
 * One line per run, "0x00010-0x0001f encrypted -> shared", gfns padded
 * as in the ranges format. 0 or a negative errno (write error).
 */
int pgenc_diff_write(FILE *f, const struct pgenc_diff *d);

#ifdef __cplusplus
}
#endif

#endif /* PGENC_BITMAP_H */
