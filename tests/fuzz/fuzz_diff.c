// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: pgenc_diff() on two bitmaps read from one input.
 * data[0] says where the first (auto-detected) input ends; the rest is
 * the second. The runs must be sorted, maximal, inside the union, agree
 * with the counts and with page-by-page reads (outside a bitmap =
 * encrypted), and diff(b, a) must mirror diff(a, b).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The state of gfn g in b, encrypted outside it. */
static int ext(const struct pgenc_bitmap *b, uint64_t g)
{
	int v = pgenc_bitmap_get(b, g);

	return v < 0 ? 1 : v;
}

static void check_runs(const struct pgenc_bitmap *a,
		       const struct pgenc_bitmap *b, const struct pgenc_diff *d)
{
	uint64_t sh = 0, en = 0;
	size_t i;

	for (i = 0; i < d->nr_runs; i++) {
		const struct pgenc_range *r = &d->runs[i];

		FUZZ_ASSERT(r->first <= r->last);
		FUZZ_ASSERT(r->first >= d->first_gfn && r->last <= d->last_gfn);
		if (i)
			FUZZ_ASSERT(d->runs[i - 1].last < r->first &&
				    (d->runs[i - 1].last + 1 < r->first ||
				     d->runs[i - 1].encrypted != r->encrypted));
		FUZZ_ASSERT(ext(b, r->first) == r->encrypted &&
			    ext(a, r->first) != r->encrypted);
		FUZZ_ASSERT(ext(b, r->last) == r->encrypted &&
			    ext(a, r->last) != r->encrypted);
		if (r->encrypted)
			en += r->last - r->first + 1;
		else
			sh += r->last - r->first + 1;
	}
	FUZZ_ASSERT(en == d->became_encrypted && sh == d->became_shared);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgenc_bitmap *a = NULL, *b = NULL;
	struct pgenc_diff *d = NULL, *r = NULL, *s = NULL;
	uint64_t lo, hi, g;
	size_t k, i;

	if (size < 1)
		return 0;
	k = data[0] < size - 1 ? data[0] : size - 1;
	if (pgenc_parse(data + 1, k, PGENC_FORMAT_AUTO, FUZZ_MAX_PAGES, &a,
			NULL) ||
	    pgenc_parse(data + 1 + k, size - 1 - k, PGENC_FORMAT_AUTO,
			FUZZ_MAX_PAGES, &b, NULL))
		goto out;

	FUZZ_ASSERT(!pgenc_diff(a, b, &d));
	FUZZ_ASSERT(!pgenc_diff(b, a, &r));
	FUZZ_ASSERT(!pgenc_diff(a, a, &s));
	lo = a->start_gfn < b->start_gfn ? a->start_gfn : b->start_gfn;
	hi = a->start_gfn + a->num_pages > b->start_gfn + b->num_pages ?
		     a->start_gfn + a->num_pages - 1 :
		     b->start_gfn + b->num_pages - 1;
	FUZZ_ASSERT(d->first_gfn == lo && d->last_gfn == hi);
	FUZZ_ASSERT(!s->nr_runs && !s->became_shared && !s->became_encrypted);
	check_runs(a, b, d);
	check_runs(b, a, r);
	FUZZ_ASSERT(d->nr_runs == r->nr_runs);
	FUZZ_ASSERT(d->became_shared == r->became_encrypted &&
		    d->became_encrypted == r->became_shared);
	for (i = 0; i < d->nr_runs; i++)
		FUZZ_ASSERT(d->runs[i].first == r->runs[i].first &&
			    d->runs[i].last == r->runs[i].last &&
			    d->runs[i].encrypted != r->runs[i].encrypted);

	/* Page by page when the union is small. */
	if (hi - lo < (1u << 16)) {
		for (i = 0, g = lo;; g++) {
			int differs = ext(a, g) != ext(b, g);

			while (i < d->nr_runs && d->runs[i].last < g)
				i++;
			FUZZ_ASSERT(differs ==
				    (i < d->nr_runs && d->runs[i].first <= g));
			if (g == hi)
				break;
		}
	}
out:
	pgenc_diff_free(d);
	pgenc_diff_free(r);
	pgenc_diff_free(s);
	pgenc_bitmap_free(a);
	pgenc_bitmap_free(b);
	return 0;
}
