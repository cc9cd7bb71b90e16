// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpgenc unit tests: hypercall 12 decoding against a table written
 * from the ABI text (Documentation/api.rst, "2. Hypercall
 * KVM_HC_PAGE_ENC_STATUS"), then
 * against the kernel's own decoder (kernel/pgenc_bits.h, via kref.c) on
 * random and edge inputs; applying requests to a bitmap.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pgenc/pgenc.h>

#include "kref.h"
#include "../tap.h"
#include "testutil.h"

#define PG 4096ULL
#define NO 0 /* -EINVAL expected */
#define SH 1 /* decoded, shared */
#define EN 2 /* decoded, encrypted */

struct hc_case {
	uint64_t a0, a1, a2, tracked;
	int want;
	const char *what;
};

static const struct hc_case cases[] = {
	{ 0, 1, 0x0, 16, SH, "upstream 4K shared" },
	{ 1 * PG, 2, 0x10, 16, EN, "upstream 4K encrypted" },
	{ 2 * PG, 1, 0x11, 16, EN, "upstream 2M hint encrypted" },
	{ 2 * PG, 1, 0x12, 16, EN, "upstream 1G hint encrypted" },
	{ 2 * PG, 1, 0x2, 16, SH, "upstream 1G hint shared" },
	{ 2 * PG, 1, 0x1, 16, EN, "seed encrypted (a2 == 1, not 2M shared)" },
	{ 2 * PG, 1, 0x0, 16, SH, "seed shared" },
	{ 2 * PG, 1, 0x3, 16, NO, "page-size hint 3" },
	{ 2 * PG, 1, 0xf, 16, NO, "page-size hint 15" },
	{ 2 * PG, 1, 0x13, 16, NO, "hint 3, encrypted" },
	{ 2 * PG, 1, 0x20, 16, NO, "reserved bit 5" },
	{ 2 * PG, 1, 0x30, 16, NO, "reserved bit 5, encrypted" },
	{ 2 * PG, 1, 1ULL << 63, 16, NO, "reserved bit 63" },
	{ 2 * PG, 1, ~0ULL, 16, NO, "all bits" },
	{ PG + 1, 1, 0, 16, NO, "gpa not page aligned" },
	{ 0x800, 1, 0, 16, NO, "gpa half a page" },
	{ PG - 1, 1, 0, 16, NO, "gpa 0xfff" },
	{ 0, 0, 0, 16, NO, "npages 0" },
	{ 15 * PG, 1, 0, 16, SH, "last tracked page" },
	{ 0, 16, 0x10, 16, EN, "all of tracked memory" },
	{ 15 * PG, 2, 0, 16, NO, "one page past tracked memory" },
	{ 0, 17, 0, 16, NO, "one page too many" },
	{ 16 * PG, 1, 0, 16, NO, "first page outside" },
	{ 0, 1, 0, 0, NO, "nothing tracked" },
	{ PG, ~0ULL, 0, ~0ULL, NO, "npages wraps the gfn space" },
	{ PG, ~0ULL - 1, 0, ~0ULL, SH, "up to the last gfn below 2^64" },
	{ ~0xfffULL, 1, 0, ~0ULL, SH, "highest gpa, everything tracked" },
	{ ~0xfffULL, 1, 0, ~0ULL >> 12, NO, "highest gpa, outside" },
};

static void test_table(void)
{
	struct pgenc_hypercall req;
	unsigned int i;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hc_case *c = &cases[i];

		memset(&req, 0x5a, sizeof(req));
		r = pgenc_hypercall_decode(c->a0, c->a1, c->a2, c->tracked,
					   &req);
		if (c->want == NO) {
			TAP_CHECK(r == -EINVAL, "%s: %d", c->what, r);
			continue;
		}
		TAP_CHECK(!r && req.gfn == c->a0 >> 12 && req.npages == c->a1 &&
				  req.encrypted == (c->want == EN),
			  "%s: %d gfn %llu n %llu enc %d", c->what, r,
			  (unsigned long long)req.gfn,
			  (unsigned long long)req.npages, req.encrypted);
	}
	TAP_CHECK(pgenc_hypercall_decode(0, 1, 0, 16, NULL) == -EINVAL, "NULL");
}

static uint64_t rnd_u64_edge(void)
{
	static const uint64_t e[] = { 0,	  1,	      2,
				      15,	  16,	      17,
				      4095,	  4096,	      1ULL << 20,
				      1ULL << 40, 1ULL << 52, (1ULL << 52) - 1,
				      1ULL << 63, ~0ULL - 1,  ~0ULL };

	switch (rnd_below(3)) {
	case 0:
		return e[rnd_below(sizeof(e) / sizeof(e[0]))] +
		       (rnd_below(3) - 1);
	case 1:
		return rnd_below(64);
	default:
		return rnd() >> rnd_below(64);
	}
}

/* libpgenc and the kernel agree on random and edge arguments. */
static void test_against_kernel(void)
{
	static const uint64_t a2s[] = { 0,    1,    2,	  3,	0xf,
					0x10, 0x11, 0x12, 0x13, 0x1f,
					0x20, 0x21, 0x30, 0x31, 1ULL << 63 };
	unsigned long it, n = tu_iters * 1000, agree = 0;

	for (it = 0; it < n; it++) {
		uint64_t a0 = rnd_u64_edge(), a1 = rnd_u64_edge(), a2, tracked;
		struct pgenc_hypercall req;
		uint64_t gfn = 0, np = 0;
		bool enc = false, kok;
		int r;

		if (rnd() & 1)
			a0 &= ~0xfffULL; /* mostly aligned */
		if (rnd() & 1)
			a0 = rnd_below(64) << 12;
		a2 = rnd() & 3 ? a2s[rnd_below(15)] : rnd_u64_edge();
		tracked = rnd_u64_edge();
		kok = kref_decode(a0, a1, a2, tracked, &gfn, &np, &enc);
		r = pgenc_hypercall_decode(a0, a1, a2, tracked, &req);
		if (TAP_CHECK(kok == !r,
			      "a0 %#llx a1 %#llx a2 %#llx tracked %#llx: kernel %d, lib %d",
			      (unsigned long long)a0, (unsigned long long)a1,
			      (unsigned long long)a2,
			      (unsigned long long)tracked, kok, r) &&
		    kok &&
		    TAP_CHECK(req.gfn == gfn && req.npages == np &&
				      req.encrypted == enc,
			      "a0 %#llx a1 %#llx a2 %#llx: fields differ",
			      (unsigned long long)a0, (unsigned long long)a1,
			      (unsigned long long)a2))
			agree++;
	}
	printf("# %lu random calls, %lu valid ones decoded alike\n", n, agree);
}

/* Apply: tracked memory is the bitmap's range; bad calls change nothing. */
static void test_apply(void)
{
	const uint64_t start = 100, num = 50;
	struct pgenc_bitmap *b, *before;
	unsigned long it;
	uint8_t m[50];

	pgenc_bitmap_new(start, num, true, &b);
	memset(m, 1, sizeof(m));
	for (it = 0; it < tu_iters * 50; it++) {
		uint64_t gfn = start - 5 + rnd_below(num + 10);
		uint64_t n = rnd_below(12);
		uint64_t a0 = gfn << 12 | (rnd_below(8) ? 0 : 0x800);
		uint64_t a2 = rnd_below(4) ? rnd_below(2) * 0x10 :
					     rnd_below(0x40);
		bool valid = !(a0 & 0xfff) && !(a2 >> 5) && (a2 & 0xf) <= 2 &&
			     n && gfn >= start && gfn + n <= start + num;
		bool enc = (a2 & 0x10) || a2 == 1;
		int r;

		pgenc_bitmap_dup(b, &before);
		r = pgenc_hypercall_apply(b, a0, n, a2);
		if (valid) {
			TAP_CHECK(!r, "apply gfn %llu n %llu a2 %#llx: %d",
				  (unsigned long long)gfn,
				  (unsigned long long)n, (unsigned long long)a2,
				  r);
			memset(m + (gfn - start), enc, n);
		} else {
			TAP_CHECK(r == -EINVAL, "invalid applied: %d", r);
			TAP_CHECK(pgenc_bitmap_equal(b, before), "changed");
		}
		pgenc_bitmap_free(before);
	}
	for (it = 0; it < num; it++)
		TAP_CHECK(pgenc_bitmap_get(b, start + it) == m[it], "page %lu",
			  it);
	TAP_CHECK(pgenc_hypercall_apply(NULL, 0, 1, 0) == -EINVAL, "NULL");
	pgenc_bitmap_free(b);
}

int main(void)
{
	tu_init();
	tap_run("hypercall: decode table from the ABI text", test_table);
	tap_run("hypercall: decode agrees with kernel/pgenc_bits.h",
		test_against_kernel);
	tap_run("hypercall: apply to a bitmap, bad calls change nothing",
		test_apply);
	return tap_done();
}
