// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The difference of two bitmaps over the union of their spans, pages
 * outside a bitmap reading as encrypted.
 *
 * Both bitmaps are walked as piecewise-constant functions of the gfn: a
 * run of the bitmap, or the encrypted stretch before or after it. The
 * current run of each is kept until the walk passes its end, so the cost
 * is linear in the runs (found a word at a time), not in the gfns of the
 * union.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdlib.h>

/* The run of b's extended state that starts at gfn g, clipped to hi. */
static void ext_run(const struct pgenc_bitmap *b, uint64_t g, uint64_t hi,
		    struct pgenc_range *r)
{
	uint64_t last = b->start_gfn + b->num_pages - 1;
	uint64_t pos, end;
	int val;

	r->first = g;
	r->encrypted = true;
	if (g < b->start_gfn) {
		r->last = b->start_gfn - 1 < hi ? b->start_gfn - 1 : hi;
		return;
	}
	if (g > last) {
		r->last = hi;
		return;
	}
	pos = g - b->start_gfn;
	val = pgenc_bit(b->bits, pos);
	end = pgenc_find_change(b, pos + 1, val);
	r->last = b->start_gfn + end - 1;
	r->encrypted = val;
}

static int push_run(struct pgenc_diff *d, size_t *cap, uint64_t first,
		    uint64_t last, bool encrypted)
{
	struct pgenc_range *runs;

	if (d->nr_runs) {
		struct pgenc_range *p = &d->runs[d->nr_runs - 1];

		if (p->last + 1 == first && p->encrypted == encrypted) {
			p->last = last;
			return 0;
		}
	}
	if (d->nr_runs == *cap) {
		size_t n = *cap ? *cap * 2 : 16;

		if (n > SIZE_MAX / sizeof(*runs))
			return -ENOMEM;
		runs = realloc(d->runs, n * sizeof(*runs));
		if (!runs)
			return -ENOMEM;
		d->runs = runs;
		*cap = n;
	}
	d->runs[d->nr_runs].first = first;
	d->runs[d->nr_runs].last = last;
	d->runs[d->nr_runs].encrypted = encrypted;
	d->nr_runs++;
	return 0;
}

int pgenc_diff(const struct pgenc_bitmap *a, const struct pgenc_bitmap *b,
	       struct pgenc_diff **out)
{
	uint64_t a_last, b_last, g, end;
	struct pgenc_range ra, rb;
	struct pgenc_diff *d;
	size_t cap = 0;
	int r;

	if (!a || !b || !out)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	a_last = a->start_gfn + a->num_pages - 1;
	b_last = b->start_gfn + b->num_pages - 1;
	d->first_gfn = a->start_gfn < b->start_gfn ? a->start_gfn :
						     b->start_gfn;
	d->last_gfn = a_last > b_last ? a_last : b_last;

	g = d->first_gfn;
	ext_run(a, g, d->last_gfn, &ra);
	ext_run(b, g, d->last_gfn, &rb);
	for (;;) {
		end = ra.last < rb.last ? ra.last : rb.last;
		if (ra.encrypted != rb.encrypted) {
			if (rb.encrypted)
				d->became_encrypted += end - g + 1;
			else
				d->became_shared += end - g + 1;
			r = push_run(d, &cap, g, end, rb.encrypted);
			if (r) {
				pgenc_diff_free(d);
				return r;
			}
		}
		if (end == d->last_gfn)
			break;
		g = end + 1;
		if (ra.last < g)
			ext_run(a, g, d->last_gfn, &ra);
		if (rb.last < g)
			ext_run(b, g, d->last_gfn, &rb);
	}
	*out = d;
	return 0;
}

void pgenc_diff_free(struct pgenc_diff *d)
{
	if (!d)
		return;
	free(d->runs);
	free(d);
}

int pgenc_diff_write(FILE *f, const struct pgenc_diff *d)
{
	struct pgenc_sink s = { .f = f };
	int w;
	size_t i;

	if (!f || !d)
		return -EINVAL;
	w = pgenc_hex_width(d->last_gfn);
	for (i = 0; i < d->nr_runs && !s.err; i++) {
		const struct pgenc_range *r = &d->runs[i];

		pgenc_sink_printf(&s, "0x%0*" PRIx64 "-0x%0*" PRIx64 " %s\n", w,
				  r->first, w, r->last,
				  r->encrypted ? "shared -> encrypted" :
						 "encrypted -> shared");
	}
	if (!s.err && fflush(f))
		s.err = errno ? -errno : -EIO;
	return s.err;
}
