// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * struct pgenc_bitmap: creation, bit access, counting, comparison and
 * iteration over runs of equal bits.
 */
#include "internal.h"

#include <stdlib.h>

int pgenc_bitmap_new(uint64_t start_gfn, uint64_t num_pages, bool encrypted,
		     struct pgenc_bitmap **out)
{
	struct pgenc_bitmap *b;
	uint64_t nbytes;

	if (!out || !pgenc_shape_ok(start_gfn, num_pages))
		return -EINVAL;
	nbytes = pgenc_bytes_for(num_pages);
	if (nbytes > SIZE_MAX)
		return -ENOMEM;
	b = malloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->bits = encrypted ? malloc(nbytes) : calloc(nbytes, 1);
	if (!b->bits) {
		free(b);
		return -ENOMEM;
	}
	if (encrypted) {
		memset(b->bits, 0xff, nbytes);
		b->bits[nbytes - 1] = pgenc_tail_mask(num_pages);
	}
	b->start_gfn = start_gfn;
	b->num_pages = num_pages;
	*out = b;
	return 0;
}

int pgenc_bitmap_dup(const struct pgenc_bitmap *b, struct pgenc_bitmap **out)
{
	struct pgenc_bitmap *n;
	size_t nbytes;
	int r;

	if (!b || !out)
		return -EINVAL;
	r = pgenc_bitmap_new(b->start_gfn, b->num_pages, false, &n);
	if (r)
		return r;
	nbytes = pgenc_bitmap_bytes(b);
	memcpy(n->bits, b->bits, nbytes);
	n->bits[nbytes - 1] &= pgenc_tail_mask(b->num_pages);
	*out = n;
	return 0;
}

void pgenc_bitmap_free(struct pgenc_bitmap *b)
{
	if (!b)
		return;
	free(b->bits);
	free(b);
}

size_t pgenc_bitmap_bytes(const struct pgenc_bitmap *b)
{
	return b ? (size_t)pgenc_bytes_for(b->num_pages) : 0;
}

/* Whether gfn lies inside b; if so, its index goes to *i. */
static bool index_of(const struct pgenc_bitmap *b, uint64_t gfn, uint64_t *i)
{
	if (gfn < b->start_gfn || gfn - b->start_gfn >= b->num_pages)
		return false;
	*i = gfn - b->start_gfn;
	return true;
}

int pgenc_bitmap_get(const struct pgenc_bitmap *b, uint64_t gfn)
{
	uint64_t i;

	if (!b)
		return -EINVAL;
	if (!index_of(b, gfn, &i))
		return -ERANGE;
	return pgenc_bit(b->bits, i);
}

int pgenc_bitmap_set(struct pgenc_bitmap *b, uint64_t gfn, bool encrypted)
{
	uint8_t m;
	uint64_t i;

	if (!b)
		return -EINVAL;
	if (!index_of(b, gfn, &i))
		return -ERANGE;
	m = (uint8_t)(1u << (i % 8));
	if (encrypted)
		b->bits[i / 8] |= m;
	else
		b->bits[i / 8] &= (uint8_t)~m;
	return 0;
}

int pgenc_bitmap_fill(struct pgenc_bitmap *b, uint64_t first_gfn,
		      uint64_t npages, bool encrypted)
{
	uint64_t i, end;

	if (!b || !npages)
		return -EINVAL;
	if (!index_of(b, first_gfn, &i) || npages > b->num_pages - i)
		return -ERANGE;
	end = i + npages;
	/* Head bits up to a byte boundary, whole bytes, tail bits. */
	for (; i < end && i % 8; i++)
		pgenc_bitmap_set(b, b->start_gfn + i, encrypted);
	if (end - i >= 8) {
		memset(b->bits + i / 8, encrypted ? 0xff : 0, (end - i) / 8);
		i += (end - i) / 8 * 8;
	}
	for (; i < end; i++)
		pgenc_bitmap_set(b, b->start_gfn + i, encrypted);
	return 0;
}

uint64_t pgenc_bitmap_count(const struct pgenc_bitmap *b, bool encrypted)
{
	uint64_t nbytes, i, ones = 0;
	uint64_t w;

	if (!b)
		return 0;
	nbytes = pgenc_bytes_for(b->num_pages);
	for (i = 0; i + 8 < nbytes; i += 8) {
		memcpy(&w, b->bits + i, 8);
		ones += (uint64_t)__builtin_popcountll(w);
	}
	for (; i + 1 < nbytes; i++)
		ones += (uint64_t)__builtin_popcount(b->bits[i]);
	ones += (uint64_t)__builtin_popcount(b->bits[nbytes - 1] &
					     pgenc_tail_mask(b->num_pages));
	return encrypted ? ones : b->num_pages - ones;
}

bool pgenc_bitmap_equal(const struct pgenc_bitmap *a,
			const struct pgenc_bitmap *b)
{
	uint64_t nbytes;
	uint8_t m;

	if (!a || !b)
		return a == b;
	if (a->start_gfn != b->start_gfn || a->num_pages != b->num_pages)
		return false;
	nbytes = pgenc_bytes_for(a->num_pages);
	m = pgenc_tail_mask(a->num_pages);
	return !memcmp(a->bits, b->bits, nbytes - 1) &&
	       !((a->bits[nbytes - 1] ^ b->bits[nbytes - 1]) & m);
}

uint64_t pgenc_find_change(const struct pgenc_bitmap *b, uint64_t pos, int val)
{
	const uint64_t n = b->num_pages;
	const uint64_t same = val ? UINT64_MAX : 0;
	uint64_t w;

	for (; pos < n && pos % 8; pos++)
		if (pgenc_bit(b->bits, pos) != val)
			return pos;
	/* Byte aligned now: skip whole words, then whole bytes. */
	while (pos < n && n - pos >= 64) {
		memcpy(&w, b->bits + pos / 8, 8);
		if (w != same)
			break;
		pos += 64;
	}
	while (pos < n && n - pos >= 8 && b->bits[pos / 8] == (uint8_t)same)
		pos += 8;
	for (; pos < n; pos++)
		if (pgenc_bit(b->bits, pos) != val)
			return pos;
	return n;
}

int pgenc_range_next(const struct pgenc_bitmap *b, uint64_t *cursor,
		     struct pgenc_range *r)
{
	uint64_t pos, end;
	int val;

	if (!b || !cursor || !r)
		return -EINVAL;
	pos = *cursor;
	if (pos >= b->num_pages)
		return 0;
	val = pgenc_bit(b->bits, pos);
	end = pgenc_find_change(b, pos + 1, val);
	r->first = b->start_gfn + pos;
	r->last = b->start_gfn + end - 1;
	r->encrypted = val;
	*cursor = end;
	return 1;
}

int pgenc_range_foreach(const struct pgenc_bitmap *b, pgenc_range_fn fn,
			void *arg)
{
	uint64_t cur = PGENC_RANGE_CURSOR_INIT;
	struct pgenc_range r;
	int ret;

	if (!b || !fn)
		return -EINVAL;
	while (pgenc_range_next(b, &cur, &r) > 0) {
		ret = fn(&r, arg);
		if (ret)
			return ret;
	}
	return 0;
}
