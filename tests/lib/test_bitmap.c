// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpgenc unit tests: struct pgenc_bitmap, range iteration and diff,
 * each against a naive one-byte-per-page model; errors and version.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pgenc/pgenc.h>

#include "../tap.h"
#include "testutil.h"

#ifndef EXPECTED_VERSION
#error "build with -DEXPECTED_VERSION=\"x.y.z\" (tests/lib/run.sh)"
#endif

/* Every page of b against model m, and the bits past num_pages. */
static int same_as_model(const struct pgenc_bitmap *b, const uint8_t *m)
{
	uint64_t i, n = b->num_pages;
	size_t nbytes = pgenc_bitmap_bytes(b);

	if (nbytes != (n + 7) / 8)
		return 0;
	for (i = 0; i < n; i++)
		if (pgenc_bitmap_get(b, b->start_gfn + i) != m[i])
			return 0;
	if (n % 8 && (b->bits[nbytes - 1] >> (n % 8)))
		return 0;
	return 1;
}

static uint64_t model_count(const uint8_t *m, uint64_t n, int v)
{
	uint64_t i, c = 0;

	for (i = 0; i < n; i++)
		c += m[i] == v;
	return c;
}

static void test_new(void)
{
	struct pgenc_bitmap *b;
	unsigned int i;
	uint8_t *m;
	int enc;

	for (i = 0; i < TU_NSIZES; i++) {
		uint64_t n = tu_sizes[i], start = rnd_start(n);

		for (enc = 0; enc < 2; enc++) {
			int r = pgenc_bitmap_new(start, n, enc, &b);

			if (!TAP_CHECK(!r, "new(%llu, %llu): %d",
				       (unsigned long long)start,
				       (unsigned long long)n, r))
				continue;
			m = malloc(n);
			memset(m, enc, n);
			TAP_CHECK(b->start_gfn == start && b->num_pages == n,
				  "shape");
			TAP_CHECK(same_as_model(b, m), "n %llu enc %d",
				  (unsigned long long)n, enc);
			TAP_CHECK(pgenc_bitmap_count(b, true) == (enc ? n : 0),
				  "count");
			TAP_CHECK(pgenc_bitmap_count(b, false) == (enc ? 0 : n),
				  "count shared");
			free(m);
			pgenc_bitmap_free(b);
		}
	}
	pgenc_bitmap_free(NULL);
}

static void test_new_invalid(void)
{
	struct pgenc_bitmap *b = (struct pgenc_bitmap *)&b;

	TAP_CHECK(pgenc_bitmap_new(0, 0, true, &b) == -EINVAL, "num 0");
	TAP_CHECK(pgenc_bitmap_new(0, PGENC_MAX_PAGES + 1, true, &b) == -EINVAL,
		  "num > 2^40");
	TAP_CHECK(pgenc_bitmap_new(UINT64_MAX, 1, true, &b) == -EINVAL,
		  "end 2^64 wraps");
	TAP_CHECK(pgenc_bitmap_new(UINT64_MAX - 9, 10, true, &b) == -EINVAL,
		  "end 2^64 wraps");
	TAP_CHECK(pgenc_bitmap_new(UINT64_MAX - 10, 11, true, &b) == -EINVAL,
		  "end 2^64 wraps");
	TAP_CHECK(pgenc_bitmap_new(0, 1, true, NULL) == -EINVAL, "NULL out");
	TAP_CHECK(b == (struct pgenc_bitmap *)&b, "out written on failure");
	TAP_CHECK(!pgenc_bitmap_new(UINT64_MAX - 10, 10, true, &b), "top fits");
	pgenc_bitmap_free(b);
	TAP_CHECK(pgenc_bitmap_dup(NULL, &b) == -EINVAL, "dup NULL");
	TAP_CHECK(pgenc_bitmap_get(NULL, 0) == -EINVAL, "get NULL");
	TAP_CHECK(pgenc_bitmap_set(NULL, 0, 1) == -EINVAL, "set NULL");
	TAP_CHECK(pgenc_bitmap_fill(NULL, 0, 1, 1) == -EINVAL, "fill NULL");
	TAP_CHECK(pgenc_bitmap_count(NULL, 1) == 0, "count NULL");
	TAP_CHECK(pgenc_bitmap_bytes(NULL) == 0, "bytes NULL");
}

/* Random set/fill/get against the model, including out-of-range calls. */
static void test_ops(void)
{
	unsigned long it;

	for (it = 0; it < tu_iters; it++) {
		uint64_t n = tu_sizes[rnd_below(TU_NSIZES)];
		uint64_t start = rnd_start(n), first, k, j;
		struct pgenc_bitmap *b;
		uint8_t *m;
		int op, v, r;

		b = rnd_bitmap(start, n, &m);
		for (op = 0; op < 40; op++) {
			v = rnd() & 1;
			switch (rnd_below(4)) {
			case 0:
				j = rnd_below(n);
				r = pgenc_bitmap_set(b, start + j, v);
				TAP_CHECK(!r, "set %d", r);
				m[j] = v;
				break;
			case 1:
				first = rnd_below(n);
				k = 1 + rnd_below(n - first);
				r = pgenc_bitmap_fill(b, start + first, k, v);
				TAP_CHECK(!r, "fill %d", r);
				memset(m + first, v, k);
				break;
			case 2:
				/* Out of range: nothing may change. */
				if (start)
					TAP_CHECK(pgenc_bitmap_set(b, start - 1,
								   v) ==
							  -ERANGE,
						  "set below");
				TAP_CHECK(pgenc_bitmap_set(b, start + n, v) ==
						  -ERANGE,
					  "set above");
				TAP_CHECK(pgenc_bitmap_get(b, start + n) ==
						  -ERANGE,
					  "get above");
				first = rnd_below(n);
				TAP_CHECK(pgenc_bitmap_fill(b, start + first,
							    n - first + 1,
							    v) == -ERANGE,
					  "fill past the end");
				TAP_CHECK(pgenc_bitmap_fill(b, start + first,
							    UINT64_MAX,
							    v) == -ERANGE,
					  "fill huge");
				if (start)
					TAP_CHECK(pgenc_bitmap_fill(b,
								    start - 1,
								    2, v) ==
							  -ERANGE,
						  "fill from below");
				TAP_CHECK(pgenc_bitmap_fill(b, start, 0, v) ==
						  -EINVAL,
					  "fill 0 pages");
				break;
			default:
				j = rnd_below(n);
				TAP_CHECK(pgenc_bitmap_get(b, start + j) ==
						  m[j],
					  "get");
				break;
			}
		}
		TAP_CHECK(same_as_model(b, m), "n %llu start %llu",
			  (unsigned long long)n, (unsigned long long)start);
		TAP_CHECK(pgenc_bitmap_count(b, true) == model_count(m, n, 1),
			  "count encrypted");
		TAP_CHECK(pgenc_bitmap_count(b, false) == model_count(m, n, 0),
			  "count shared");
		free(m);
		pgenc_bitmap_free(b);
	}
}

static void test_equal_dup(void)
{
	unsigned long it;

	for (it = 0; it < tu_iters; it++) {
		uint64_t n = tu_sizes[rnd_below(TU_NSIZES)];
		uint64_t start = rnd_start(n), j;
		struct pgenc_bitmap *a, *b, *c;

		a = rnd_bitmap(start, n, NULL);
		TAP_CHECK(!pgenc_bitmap_dup(a, &b), "dup");
		TAP_CHECK(b->bits != a->bits, "dup shares bits");
		TAP_CHECK(pgenc_bitmap_equal(a, b), "dup differs");
		TAP_CHECK(pgenc_bitmap_equal(a, a), "self");
		/* Garbage past num_pages is not a difference. */
		if (n % 8) {
			b->bits[n / 8] |= (uint8_t)(0xff << (n % 8));
			TAP_CHECK(pgenc_bitmap_equal(a, b), "tail garbage");
			TAP_CHECK(pgenc_bitmap_count(b, true) ==
					  pgenc_bitmap_count(a, true),
				  "tail garbage counted");
			TAP_CHECK(!pgenc_bitmap_dup(b, &c), "dup");
			TAP_CHECK(pgenc_bitmap_equal(a, c), "dup of garbage");
			TAP_CHECK(!(c->bits[n / 8] >> (n % 8)),
				  "dup keeps garbage");
			pgenc_bitmap_free(c);
		}
		j = rnd_below(n);
		pgenc_bitmap_set(b, start + j, !pgenc_bitmap_get(a, start + j));
		TAP_CHECK(!pgenc_bitmap_equal(a, b), "one bit at %llu",
			  (unsigned long long)j);
		pgenc_bitmap_free(b);

		/* Same bits, other shape. */
		if (start && !pgenc_bitmap_new(start - 1, n, true, &b)) {
			memcpy(b->bits, a->bits, pgenc_bitmap_bytes(a));
			TAP_CHECK(!pgenc_bitmap_equal(a, b), "other start");
			pgenc_bitmap_free(b);
		}
		if (n > 1 && !pgenc_bitmap_new(start, n - 1, true, &b)) {
			memcpy(b->bits, a->bits, pgenc_bitmap_bytes(b));
			b->bits[pgenc_bitmap_bytes(b) - 1] &=
				(uint8_t)((n - 1) % 8 ?
						  (1u << ((n - 1) % 8)) - 1 :
						  0xff);
			TAP_CHECK(!pgenc_bitmap_equal(a, b), "other num");
			pgenc_bitmap_free(b);
		}
		pgenc_bitmap_free(a);
	}
	TAP_CHECK(pgenc_bitmap_equal(NULL, NULL), "NULL NULL");
}

struct collect {
	struct pgenc_range r[70000];
	size_t n;
	size_t stop_at;
};

static int collect_fn(const struct pgenc_range *r, void *arg)
{
	struct collect *c = arg;

	c->r[c->n++] = *r;
	return c->n == c->stop_at ? 42 : 0;
}

/* The ranges of b must be exactly the maximal runs of model m. */
static void test_ranges(void)
{
	static struct collect c;
	unsigned long it;

	for (it = 0; it < tu_iters; it++) {
		uint64_t n = tu_sizes[rnd_below(TU_NSIZES)];
		uint64_t start = rnd_start(n), cur = PGENC_RANGE_CURSOR_INIT;
		uint64_t i, expect_first = start;
		struct pgenc_bitmap *b;
		struct pgenc_range r;
		size_t k = 0;
		uint8_t *m;
		int ret, prev = -1, ok = 1;

		b = rnd_bitmap(start, n, &m);
		c.n = 0;
		c.stop_at = 0;
		TAP_CHECK(!pgenc_range_foreach(b, collect_fn, &c), "foreach");
		while ((ret = pgenc_range_next(b, &cur, &r)) > 0) {
			ok &= r.first == expect_first && r.last >= r.first;
			ok &= r.encrypted != prev; /* maximal */
			for (i = r.first; ok && i <= r.last; i++)
				ok &= m[i - start] == r.encrypted;
			ok &= k < c.n && c.r[k].first == r.first &&
			      c.r[k].last == r.last &&
			      c.r[k].encrypted == r.encrypted;
			k++;
			prev = r.encrypted;
			expect_first = r.last + 1;
			if (r.last == start + n - 1)
				TAP_CHECK(cur == n, "cursor at the end");
		}
		TAP_CHECK(ret == 0, "end %d", ret);
		TAP_CHECK(ok, "runs of n %llu start %llu",
			  (unsigned long long)n, (unsigned long long)start);
		TAP_CHECK(expect_first == start + n, "coverage");
		TAP_CHECK(k == c.n, "foreach saw %zu, next %zu", c.n, k);
		TAP_CHECK(pgenc_range_next(b, &cur, &r) == 0, "after the end");

		/* A cursor set by hand starts a run there. */
		cur = rnd_below(n);
		i = cur;
		TAP_CHECK(pgenc_range_next(b, &cur, &r) == 1, "mid");
		TAP_CHECK(r.first == start + i && r.encrypted == m[i],
			  "mid run");
		TAP_CHECK(r.last == start + n - 1 ||
				  m[r.last + 1 - start] != m[i],
			  "mid run maximal");

		/* A callback's non-zero return stops the walk. */
		if (c.n >= 2) {
			c.n = 0;
			c.stop_at = 2;
			TAP_CHECK(pgenc_range_foreach(b, collect_fn, &c) == 42,
				  "stop");
			TAP_CHECK(c.n == 2, "stopped after %zu", c.n);
		}
		free(m);
		pgenc_bitmap_free(b);
	}
	TAP_CHECK(pgenc_range_next(NULL, NULL, NULL) == -EINVAL, "NULL");
	TAP_CHECK(pgenc_range_foreach(NULL, collect_fn, NULL) == -EINVAL,
		  "NULL");
}

/* The state of gfn g in a bitmap, outside = encrypted (model). */
static int ext_state(uint64_t start, uint64_t n, const uint8_t *m, uint64_t g)
{
	return g >= start && g - start < n ? m[g - start] : 1;
}

static void test_diff(void)
{
	unsigned long it;

	for (it = 0; it < tu_iters * 2; it++) {
		uint64_t na = 1 + rnd_below(rnd() & 1 ? 70 : 3000);
		uint64_t nb = 1 + rnd_below(rnd() & 1 ? 70 : 3000);
		uint64_t sa = 1000 + rnd_below(4000), sb;
		uint64_t lo, hi, g, to_sh = 0, to_enc = 0;
		struct pgenc_bitmap *a, *b;
		struct pgenc_diff *d = NULL;
		uint8_t *ma, *mb;
		size_t k = 0;
		int ok = 1, in_run = 0;

		switch (rnd_below(4)) {
		case 0:
			sb = sa; /* same start */
			break;
		case 1:
			sb = sa + rnd_below(na); /* overlapping */
			break;
		case 2:
			sb = sa + na + rnd_below(50); /* touching or apart */
			break;
		default:
			sb = sa - rnd_below(sa); /* anywhere below */
			break;
		}
		a = rnd_bitmap(sa, na, &ma);
		b = rnd_bitmap(sb, nb, &mb);
		if (rnd_below(4) == 0)
			memcpy(mb, ma, na < nb ? na : nb);
		pgenc_bitmap_free(b);
		b = from_model(sb, nb, mb);

		if (!TAP_CHECK(!pgenc_diff(a, b, &d), "diff"))
			goto next;
		lo = sa < sb ? sa : sb;
		hi = sa + na > sb + nb ? sa + na - 1 : sb + nb - 1;
		TAP_CHECK(d->first_gfn == lo && d->last_gfn == hi, "union");
		/* Walk the union: every differing page in exactly one run. */
		for (g = lo; g <= hi; g++) {
			int va = ext_state(sa, na, ma, g);
			int vb = ext_state(sb, nb, mb, g);

			if (va != vb) {
				to_sh += va;
				to_enc += vb;
				if (!in_run) {
					ok &= k < d->nr_runs &&
					      d->runs[k].first == g;
					in_run = 1;
				}
				ok &= k < d->nr_runs &&
				      d->runs[k].encrypted == vb;
				if (k < d->nr_runs && d->runs[k].last == g) {
					k++;
					in_run = 0;
				}
			} else {
				ok &= !in_run;
			}
		}
		TAP_CHECK(ok && !in_run && k == d->nr_runs,
			  "runs: a %llu+%llu b %llu+%llu k %zu nr %zu",
			  (unsigned long long)sa, (unsigned long long)na,
			  (unsigned long long)sb, (unsigned long long)nb, k,
			  d->nr_runs);
		/* Maximal: adjacent runs have other new states. */
		for (k = 1; k < d->nr_runs; k++)
			TAP_CHECK(d->runs[k - 1].last + 1 < d->runs[k].first ||
					  d->runs[k - 1].encrypted !=
						  d->runs[k].encrypted,
				  "run %zu not maximal", k);
		TAP_CHECK(d->became_shared == to_sh &&
				  d->became_encrypted == to_enc,
			  "counts %llu/%llu, model %llu/%llu",
			  (unsigned long long)d->became_shared,
			  (unsigned long long)d->became_encrypted,
			  (unsigned long long)to_sh,
			  (unsigned long long)to_enc);
next:
		pgenc_diff_free(d);
		pgenc_bitmap_free(a);
		pgenc_bitmap_free(b);
		free(ma);
		free(mb);
	}
}

/* Far apart: the union spans ~2^62 pages, the work must not. */
static void test_diff_far(void)
{
	struct pgenc_bitmap *a, *b;
	struct pgenc_diff *d;
	clock_t t0 = clock();

	pgenc_bitmap_new(0, 100, true, &a);
	pgenc_bitmap_new(1ULL << 62, 100, true, &b);
	pgenc_bitmap_fill(a, 10, 5, false); /* became encrypted */
	pgenc_bitmap_fill(b, (1ULL << 62) + 99, 1, false); /* became shared */
	TAP_CHECK(!pgenc_diff(a, b, &d), "diff");
	TAP_CHECK(d->first_gfn == 0 && d->last_gfn == (1ULL << 62) + 99,
		  "union");
	TAP_CHECK(d->nr_runs == 2, "nr %zu", d->nr_runs);
	TAP_CHECK(d->became_encrypted == 5 && d->became_shared == 1, "counts");
	TAP_CHECK(d->runs[0].first == 10 && d->runs[0].last == 14 &&
			  d->runs[0].encrypted,
		  "run 0");
	TAP_CHECK(d->runs[1].first == (1ULL << 62) + 99 &&
			  !d->runs[1].encrypted,
		  "run 1");
	TAP_CHECK(clock() - t0 < CLOCKS_PER_SEC, "took %ld clocks",
		  (long)(clock() - t0));
	pgenc_diff_free(d);

	/* Identical bitmaps: no runs. */
	TAP_CHECK(!pgenc_diff(a, a, &d), "diff");
	TAP_CHECK(d->nr_runs == 0 && !d->became_shared && !d->became_encrypted,
		  "self diff");
	pgenc_diff_free(d);
	TAP_CHECK(pgenc_diff(NULL, a, &d) == -EINVAL, "NULL");
	pgenc_bitmap_free(a);
	pgenc_bitmap_free(b);
}

static void test_diff_write(void)
{
	/* Padded to the width of the union's last gfn, 0x201. */
	static const char want[] = "0x110-0x113 encrypted -> shared\n"
				   "0x114-0x114 shared -> encrypted\n"
				   "0x200-0x201 encrypted -> shared\n";
	struct pgenc_bitmap *a, *b;
	struct pgenc_diff *d;
	char got[512] = "";
	FILE *f = tmpfile();
	size_t n;

	pgenc_bitmap_new(0x100, 0x20, true, &a);
	pgenc_bitmap_fill(a, 0x114, 1, false);
	pgenc_bitmap_new(0x110, 0xf2, true, &b);
	pgenc_bitmap_fill(b, 0x110, 4, false);
	pgenc_bitmap_fill(b, 0x200, 2, false);
	TAP_CHECK(!pgenc_diff(a, b, &d), "diff");
	TAP_CHECK(f && !pgenc_diff_write(f, d), "write");
	rewind(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = '\0';
	TAP_CHECK(!strcmp(got, want), "got:\n%s", got);
	fclose(f);
	f = fopen("/dev/full", "w");
	if (f) {
		TAP_CHECK(pgenc_diff_write(f, d) == -ENOSPC, "/dev/full");
		fclose(f);
	}
	pgenc_diff_free(d);
	pgenc_bitmap_free(a);
	pgenc_bitmap_free(b);
}

static void test_errors(void)
{
	int e;

	for (e = -300; e <= 300; e++)
		TAP_CHECK(pgenc_strerror(e) && *pgenc_strerror(e), "errno %d",
			  e);
	TAP_CHECK(!strcmp(pgenc_strerror(-ENOMEM), pgenc_strerror(ENOMEM)),
		  "sign");
	TAP_CHECK(strstr(pgenc_strerror(-EBADMSG), "line and column"),
		  "EBADMSG");
	TAP_CHECK(strstr(pgenc_strerror(-ENOTTY), "pgenc modules"), "ENOTTY");
	TAP_CHECK(strstr(pgenc_strerror(-ENXIO), "not enabled"), "ENXIO");
	TAP_CHECK(strstr(pgenc_strerror(-EKEYREJECTED), "measurement"),
		  "mism.");
	TAP_CHECK(!strcmp(pgenc_strerror(-ENOMEM), "Cannot allocate memory"),
		  "ENOMEM: %s", pgenc_strerror(-ENOMEM));
	TAP_CHECK(!strcmp(pgenc_strerror(100000), "Unknown error"), "unknown");
	TAP_CHECK(!strcmp(pgenc_version(), EXPECTED_VERSION), "version %s",
		  pgenc_version());
}

int main(void)
{
	tu_init();
	tap_run("bitmap: new, every size, both initial states", test_new);
	tap_run("bitmap: invalid shapes and NULL arguments", test_new_invalid);
	tap_run("bitmap: set, fill, get, count against a model", test_ops);
	tap_run("bitmap: equal and dup, tail bits ignored", test_equal_dup);
	tap_run("ranges: next and foreach give the maximal runs", test_ranges);
	tap_run("diff: runs and counts over the union, model", test_diff);
	tap_run("diff: far-apart bitmaps, identical bitmaps", test_diff_far);
	tap_run("diff: text output", test_diff_write);
	tap_run("errors: pgenc_strerror, pgenc_version", test_errors);
	return tap_done();
}
