// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit tests of kernel/pgenc_bits.h, the pure helpers behind the
 * hypercall and the GET/SET ioctls, against naive models: one byte per
 * bit, 128-bit arithmetic for ranges, the ABI text of
 * Documentation/api.rst ("2. Hypercall KVM_HC_PAGE_ENC_STATUS") for the
 * hypercall's a2 decoding. Randomized cases are biased towards edges and
 * reproducible: the seed is printed, PGENC_TEST_SEED=N repeats a run,
 * PGENC_TEST_SEED=random picks a new one, PGENC_TEST_ITERS=N scales it.
 *
 * Every map and buffer is allocated with its exact size, so that ASan
 * reports any access past what a helper may touch.
 */
#include "pgenc_test_shim.h"
/* Small and not a word multiple: pgenc_bits_fill()'s loop runs here. */
#define PGENC_FILL_CHUNK 97
/* Small: pgenc_bits_copy()'s staging loop runs here. */
#define PGENC_COPY_BITS 128
#include "pgenc_bits.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"

typedef unsigned __int128 u128;

#define W BITS_PER_LONG
#define U64_MAX (~0ULL)

static unsigned long long seed;
static unsigned long iters = 20000;

/*
 * splitmix64: small, good enough, and the same everywhere. Under
 * libFuzzer (tests/fuzz/fuzz_kbits.c) the input's bytes are the first
 * choices, so that coverage steers them; the state, seeded from the
 * input, takes over when they run out.
 */
static u64 rnd_state;
#ifdef PGENC_FUZZ
static const u8 *fuzz_in;
static size_t fuzz_left;
#endif
static u64 rnd(void)
{
	u64 z;

#ifdef PGENC_FUZZ
	if (fuzz_left >= sizeof(z)) {
		memcpy(&z, fuzz_in, sizeof(z));
		fuzz_in += sizeof(z);
		fuzz_left -= sizeof(z);
		return z;
	}
#endif
	z = (rnd_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (the bias of % is irrelevant here). */
static u64 rnd_below(u64 n)
{
	return rnd() % n;
}

/* A u64 biased towards the values where range arithmetic goes wrong. */
static u64 rnd_edge(void)
{
	/* clang-format off: a table, not a list of arguments */
	static const u64 edges[] = { 0,
				     1,
				     2,
				     3,
				     7,
				     8,
				     63,
				     64,
				     65,
				     127,
				     128,
				     4095,
				     4096,
				     4097,
				     1ULL << 31,
				     1ULL << 32,
				     (1ULL << 52) - 1,
				     1ULL << 52,
				     (1ULL << 63) - 1,
				     1ULL << 63,
				     (1ULL << 63) + 1,
				     U64_MAX - 4096,
				     U64_MAX - 64,
				     U64_MAX - 1,
				     U64_MAX };
	/* clang-format on */
	u64 r = rnd();

	switch (r % 4) {
	case 0:
		return edges[rnd_below(sizeof(edges) / sizeof(edges[0]))];
	case 1: /* near an edge */
		return edges[rnd_below(sizeof(edges) / sizeof(edges[0]))] +
		       (rnd_below(5) - 2);
	case 2: /* a random magnitude */
		return rnd() >> rnd_below(64);
	default:
		return rnd();
	}
}

/* ---- ranges ------------------------------------------------------------ */

static bool ref_range_inside(u64 start, u64 n, u64 limit)
{
	return n != 0 && (u128)start + n <= limit;
}

/* "start + n neither wraps nor is empty": the end must fit in a u64. */
static bool ref_range_valid(u64 start, u64 n)
{
	return n != 0 && (u128)start + n <= U64_MAX;
}

static void check_range(u64 start, u64 n, u64 limit)
{
	TAP_CHECK(pgenc_range_inside(start, n, limit) ==
			  ref_range_inside(start, n, limit),
		  "pgenc_range_inside(%#llx, %#llx, %#llx) = %d",
		  (unsigned long long)start, (unsigned long long)n,
		  (unsigned long long)limit,
		  pgenc_range_inside(start, n, limit));
	TAP_CHECK(pgenc_range_valid(start, n) == ref_range_valid(start, n),
		  "pgenc_range_valid(%#llx, %#llx) = %d",
		  (unsigned long long)start, (unsigned long long)n,
		  pgenc_range_valid(start, n));
}

static void test_range_edges(void)
{
	static const struct {
		u64 start, n, limit;
		bool inside, valid;
	} t[] = {
		{ 0, 0, 0, false, false },
		{ 0, 0, 10, false, false }, /* empty is never inside */
		{ 5, 0, 10, false, false },
		{ 0, 1, 0, false, true }, /* nothing is inside [0, 0) */
		{ 0, 1, 1, true, true },
		{ 0, 10, 10, true, true }, /* ends exactly at the limit */
		{ 0, 11, 10, false, true },
		{ 9, 1, 10, true, true },
		{ 10, 1, 10, false, true }, /* starts at the limit */
		{ 9, 2, 10, false, true },
		{ 11, 0, 10, false, false },
		{ U64_MAX, 1, U64_MAX, false, false }, /* end 2^64 wraps */
		{ U64_MAX - 1, 1, U64_MAX, true, true },
		{ 0, U64_MAX, U64_MAX, true, true },
		{ 1, U64_MAX, U64_MAX, false, false },
		{ U64_MAX, U64_MAX, U64_MAX, false, false },
		{ 1ULL << 63, 1ULL << 63, U64_MAX, false, false },
		{ (1ULL << 63) - 1, 1ULL << 63, U64_MAX, true, true },
		{ 2, U64_MAX - 1, U64_MAX, false, false }, /* wraps to 0 */
		{ U64_MAX - 4, 8, 10, false, false }, /* wraps below limit */
	};
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		TAP_CHECK(pgenc_range_inside(t[i].start, t[i].n, t[i].limit) ==
				  t[i].inside,
			  "case %u: inside(%#llx, %#llx, %#llx) want %d", i,
			  (unsigned long long)t[i].start,
			  (unsigned long long)t[i].n,
			  (unsigned long long)t[i].limit, t[i].inside);
		TAP_CHECK(pgenc_range_valid(t[i].start, t[i].n) == t[i].valid,
			  "case %u: valid(%#llx, %#llx) want %d", i,
			  (unsigned long long)t[i].start,
			  (unsigned long long)t[i].n, t[i].valid);
		check_range(t[i].start, t[i].n, t[i].limit);
	}
}

static void one_range(void)
{
	u64 start = rnd_edge(), n = rnd_edge(), limit = rnd_edge();

	check_range(start, n, limit);
	/* Around the limit: the end at limit - 1, limit, limit + 1. */
	if (limit >= 2) {
		n = 1 + rnd_below(limit);
		check_range(limit - n - 1, n, limit);
		check_range(limit - n, n, limit);
		check_range(limit - n + 1, n, limit);
	}
}

static void test_range_random(void)
{
	unsigned long i;

	for (i = 0; i < 5 * iters; i++)
		one_range();
}

/* ---- hypercall 12 decoding --------------------------------------------- */

/* api.rst's ABI, written out independently of the helper. */
static bool ref_hc_decode(u64 gpa, u64 npages, u64 attrs, u64 tracked,
			  struct pgenc_hc_req *req)
{
	u64 hint = attrs & 0xf;

	if (gpa % 4096)
		return false; /* a0 page aligned */
	if (attrs >> 5)
		return false; /* bits 63:5 reserved */
	if (hint != 0 && hint != 1 && hint != 2)
		return false; /* 4K, 2M, 1G */
	if (npages == 0 || (u128)(gpa / 4096) + npages > tracked)
		return false; /* >= 1 page, no wrap, inside tracked memory */
	req->gfn = gpa / 4096;
	req->npages = npages;
	req->encrypted = (attrs & 0x10) || attrs == 1;
	return true;
}

static void check_hc(u64 gpa, u64 npages, u64 attrs, u64 tracked)
{
	struct pgenc_hc_req got = { 0 }, want = { 0 };
	bool g = pgenc_hc_decode(gpa, npages, attrs, tracked, &got);
	bool w = ref_hc_decode(gpa, npages, attrs, tracked, &want);

	TAP_CHECK(g == w && (!g || (got.gfn == want.gfn &&
				    got.npages == want.npages &&
				    got.encrypted == want.encrypted)),
		  "hc(%#llx, %#llx, %#llx) tracked %#llx: got %d {%#llx, %#llx, %d} want %d {%#llx, %#llx, %d}",
		  (unsigned long long)gpa, (unsigned long long)npages,
		  (unsigned long long)attrs, (unsigned long long)tracked, g,
		  (unsigned long long)got.gfn, (unsigned long long)got.npages,
		  got.encrypted, w, (unsigned long long)want.gfn,
		  (unsigned long long)want.npages, want.encrypted);
}

enum {
	REJ = -1,
	SHARED = 0,
	ENC = 1
};

static void test_hc_edges(void)
{
	static const struct {
		u64 gpa, npages, attrs, tracked;
		int want; /* REJ, SHARED or ENC */
	} t[] = {
		/* a2: seed encoding */
		{ 0x1000, 1, 0, 16, SHARED },
		{ 0x1000, 1, 1, 16, ENC },
		/* a2: upstream encoding, hint 4K/2M/1G, bit 4 */
		{ 0x1000, 1, 0x10, 16, ENC },
		{ 0x1000, 1, 0x11, 16, ENC },
		{ 0x1000, 1, 0x12, 16, ENC },
		{ 0x1000, 1, 0x02, 16, SHARED },
		{ 0x1000, 1, 0x13, 16, REJ }, /* hint 3 */
		{ 0x1000, 1, 0x03, 16, REJ },
		{ 0x1000, 1, 0x0f, 16, REJ },
		{ 0x1000, 1, 0x1f, 16, REJ },
		/* a2: reserved bits 63:5 */
		{ 0x1000, 1, 0x20, 16, REJ },
		{ 0x1000, 1, 0x30, 16, REJ },
		{ 0x1000, 1, 0x21, 16, REJ },
		{ 0x1000, 1, 1ULL << 63, 16, REJ },
		{ 0x1000, 1, U64_MAX, 16, REJ },
		/* a0: alignment */
		{ 0x1001, 1, 0, 16, REJ },
		{ 0x1800, 1, 0, 16, REJ },
		{ 0x1fff, 1, 0x10, 16, REJ },
		{ 0x0fff, 1, 0, 16, REJ },
		{ 0, 1, 0, 16, SHARED },
		/* a1: npages */
		{ 0, 0, 0, 16, REJ },
		{ 0, 0, 0x10, 16, REJ },
		{ 0, 16, 0, 16, SHARED }, /* exactly the tracked range */
		{ 0, 17, 0, 16, REJ },
		{ 0xf000, 1, 1, 16, ENC }, /* the last tracked page */
		{ 0xf000, 2, 1, 16, REJ },
		{ 0x10000, 1, 1, 16, REJ }, /* just past it */
		{ 0, 1, 0, 0, REJ }, /* nothing tracked */
		/* wrap: gfn + npages past 2^64 */
		{ 0xfffffffffffff000ULL, 1, 0, U64_MAX, SHARED },
		{ 0xfffffffffffff000ULL, U64_MAX, 0, U64_MAX, REJ },
		{ 0x1000, U64_MAX, 0, U64_MAX, REJ },
		{ 0, U64_MAX, 0, U64_MAX, SHARED },
		{ 0x2000, U64_MAX - 1, 0, U64_MAX, REJ },
	};
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pgenc_hc_req req = { 0 };
		bool ok = pgenc_hc_decode(t[i].gpa, t[i].npages, t[i].attrs,
					  t[i].tracked, &req);

		if (t[i].want == REJ)
			TAP_CHECK(!ok,
				  "case %u: hc(%#llx, %#llx, %#llx) tracked %#llx accepted",
				  i, (unsigned long long)t[i].gpa,
				  (unsigned long long)t[i].npages,
				  (unsigned long long)t[i].attrs,
				  (unsigned long long)t[i].tracked);
		else
			TAP_CHECK(ok && req.gfn == t[i].gpa >> 12 &&
					  req.npages == t[i].npages &&
					  req.encrypted == (t[i].want == ENC),
				  "case %u: hc(%#llx, %#llx, %#llx) tracked %#llx: ok %d gfn %#llx npages %#llx encrypted %d, want encrypted %d",
				  i, (unsigned long long)t[i].gpa,
				  (unsigned long long)t[i].npages,
				  (unsigned long long)t[i].attrs,
				  (unsigned long long)t[i].tracked, ok,
				  (unsigned long long)req.gfn,
				  (unsigned long long)req.npages, req.encrypted,
				  t[i].want == ENC);
		check_hc(t[i].gpa, t[i].npages, t[i].attrs, t[i].tracked);
	}
}

/* Every a2 with bits 63:6 clear, and every hint, both bit 4 values. */
static void test_hc_attrs(void)
{
	u64 attrs;

	for (attrs = 0; attrs < 0x40; attrs++) {
		check_hc(0x5000, 3, attrs, 8);
		check_hc(0x5000, 4, attrs, 8); /* one page too many */
		check_hc(0x5001, 3, attrs, 8);
	}
	for (attrs = 5; attrs < 64; attrs++)
		check_hc(0, 1, 1ULL << attrs, 8);
}

static void one_hc(void)
{
	u64 gpa = rnd_edge(), npages = rnd_edge(), tracked = rnd_edge();
	u64 attrs = rnd_below(4) ? rnd_below(0x40) : rnd_edge();

	if (rnd_below(2))
		gpa &= ~0xfffULL;
	check_hc(gpa, npages, attrs, tracked);
	/* A range that ends just before, at and after tracked. */
	if (tracked >= 2 && tracked < (1ULL << 52)) {
		npages = 1 + rnd_below(tracked < 64 ? tracked : 64);
		check_hc((tracked - npages - 1) << 12, npages, attrs, tracked);
		check_hc((tracked - npages) << 12, npages, attrs, tracked);
		check_hc((tracked - npages + 1) << 12, npages, attrs, tracked);
	}
}

static void test_hc_random(void)
{
	unsigned long i;

	for (i = 0; i < 5 * iters; i++)
		one_hc();
}

/* ---- bitmaps ------------------------------------------------------------ */

static bool get_bit(const unsigned long *map, u64 i)
{
	return (map[i / W] >> (i % W)) & 1;
}

/* A map of exactly BITS_TO_LONGS(nbits) words; NULL when that is 0. */
static unsigned long *map_alloc(u64 nbits)
{
	size_t words = BITS_TO_LONGS(nbits);
	unsigned long *m = words ? malloc(words * sizeof(*m)) : NULL;
	size_t i;

	if (words && !m) {
		perror("malloc");
		exit(2);
	}
	for (i = 0; i < words; i++)
		m[i] = rnd();
	return m;
}

/* The model of a map: one byte per bit, read from the map itself. */
static unsigned char *model_of(const unsigned long *map, u64 nbits)
{
	unsigned char *m = malloc(nbits + 1);
	u64 i;

	if (!m) {
		perror("malloc");
		exit(2);
	}
	for (i = 0; i < nbits; i++)
		m[i] = get_bit(map, i);
	return m;
}

/*
 * Map sizes around word boundaries; a length n with start + n inside
 * [0, limit]; a start anywhere, mostly near the map.
 */
static u64 rnd_nbits(void)
{
	/* clang-format off */
	static const u64 sizes[] = {
		0, 1, 2, 7, 8, 63, 64, 65, 127, 128, 129, 191, 192, 193, 640, 1000
	};
	/* clang-format on */

	return rnd_below(2) ?
		       sizes[rnd_below(sizeof(sizes) / sizeof(sizes[0]))] :
		       rnd_below(1100);
}

static u64 rnd_len(u64 max)
{
	u64 n;

	switch (rnd_below(4)) {
	case 0:
		n = 1 + rnd_below(3 * W);
		break;
	case 1:
		n = W * (1 + rnd_below(4)) + rnd_below(3) - 1;
		break;
	default:
		n = 1 + rnd_below(1100);
	}
	return n > max ? max : n;
}

/* What GET must report for page start + i: the bit, or 1 past nbits. */
static bool want_read(const unsigned char *model, u64 nbits, u64 start, u64 i)
{
	return start + i >= nbits || model[start + i];
}

/*
 * GET's image of n bits from start, len = ceil(n / 8) bytes, with one
 * canary byte after it: the bits below n match the model, the bytes past
 * len are not written, and the map is not changed.
 */
static void check_read(u64 nbits, u64 start, u64 n, const char *what)
{
	unsigned long *map = map_alloc(nbits);
	unsigned char *model = model_of(map, nbits);
	u64 len = pgenc_user_bytes(n), i, bad = U64_MAX;
	unsigned char *dst = malloc(len + 1), canary = rnd();
	unsigned long *copy = map_alloc(nbits);

	for (i = 0; i < len; i++)
		dst[i] = rnd();
	dst[len] = canary;
	if (nbits)
		memcpy(copy, map, BITS_TO_LONGS(nbits) * sizeof(*map));
	pgenc_get_bytes(dst, map, nbits, start, len);
	for (i = 0; i < n && bad == U64_MAX; i++)
		if (((dst[i / 8] >> (i % 8)) & 1) !=
		    want_read(model, nbits, start, i))
			bad = i;
	TAP_CHECK(bad == U64_MAX,
		  "%s: get_bytes(nbits %llu, start %#llx, n %llu): bit %llu wrong, want %d",
		  what, (unsigned long long)nbits, (unsigned long long)start,
		  (unsigned long long)n, (unsigned long long)bad,
		  bad == U64_MAX ? -1 : want_read(model, nbits, start, bad));
	TAP_CHECK(dst[len] == canary,
		  "%s: get_bytes(nbits %llu, start %#llx, %llu bytes) wrote past them",
		  what, (unsigned long long)nbits, (unsigned long long)start,
		  (unsigned long long)len);
	TAP_CHECK(!nbits || !memcmp(copy, map,
				    BITS_TO_LONGS(nbits) * sizeof(*map)),
		  "%s: get_bytes(nbits %llu, start %#llx, n %llu) changed the map",
		  what, (unsigned long long)nbits, (unsigned long long)start,
		  (unsigned long long)n);
	free(map);
	free(model);
	free(dst);
	free(copy);
}

static void test_read_edges(void)
{
	static const u64 nbits[] = { 0, 1, 63, 64, 65, 128, 130, 200 };
	unsigned int a;
	u64 start, n;

	for (a = 0; a < sizeof(nbits) / sizeof(nbits[0]); a++)
		for (start = 0; start <= nbits[a] + W + 1; start++)
			for (n = 1; n <= 2 * W + 2; n++)
				check_read(nbits[a], start, n, "edge");
	/* Far past the map, up to the last u64. */
	check_read(100, 1ULL << 40, 130, "far");
	check_read(100, U64_MAX - 130, 130, "far");
	check_read(100, U64_MAX - 1, 1, "far");
	check_read(0, U64_MAX - 64, 64, "far");
}

static void one_read(void)
{
	u64 nbits = rnd_nbits();
	u64 start = rnd_below(8) ? rnd_below(nbits + 2 * W) : rnd_edge() / 2;
	u64 n = rnd_len(U64_MAX - start);

	check_read(nbits, start, n, "random");
}

static void test_read_random(void)
{
	unsigned long i;

	for (i = 0; i < iters; i++)
		one_read();
}

/* Bits [0, n) of src go to [start, start + n) of map; nothing else moves. */
static void check_write(u64 start, u64 n, u64 slack, const char *what)
{
	u64 nbits = start + n + slack;
	unsigned long *map = map_alloc(nbits);
	unsigned char *model = model_of(map, nbits);
	unsigned long *src = map_alloc(n); /* random past n too */
	u64 i, bad = U64_MAX;
	int want = -1;

	pgenc_bits_write(map, start, src, n);
	for (i = 0; i < nbits && bad == U64_MAX; i++) {
		want = i >= start && i < start + n ? get_bit(src, i - start) :
						     model[i];
		if (get_bit(map, i) != want)
			bad = i;
	}
	/* Bits of the last word past nbits are not the map's: not checked. */
	TAP_CHECK(bad == U64_MAX,
		  "%s: write(start %llu, n %llu) into %llu bits: bit %llu is %d, want %d (%s)",
		  what, (unsigned long long)start, (unsigned long long)n,
		  (unsigned long long)nbits, (unsigned long long)bad,
		  bad == U64_MAX ? -1 : get_bit(map, bad), want,
		  bad >= start && bad < start + n ? "written" : "neighbour");
	free(map);
	free(model);
	free(src);
}

static void test_write_edges(void)
{
	u64 start, n, slack;

	for (start = 0; start <= 2 * W + 1; start++)
		for (n = 1; n <= 3 * W + 1; n++)
			for (slack = 0; slack <= W + 1; slack += 1 + slack / 2)
				check_write(start, n, slack, "edge");
}

static void one_write(void)
{
	check_write(rnd_below(4 * W), rnd_len(2000), rnd_below(2 * W),
		    "random");
}

static void test_write_random(void)
{
	unsigned long i;

	for (i = 0; i < iters; i++)
		one_write();
}

static void check_fill(u64 start, u64 n, u64 slack, bool value,
		       const char *what)
{
	u64 nbits = start + n + slack;
	unsigned long *map = map_alloc(nbits);
	unsigned char *model = model_of(map, nbits);
	u64 i, bad = U64_MAX;
	int want = -1;

	pgenc_bits_fill(map, start, n, value);
	for (i = 0; i < nbits && bad == U64_MAX; i++) {
		want = i >= start && i < start + n ? value : model[i];
		if (get_bit(map, i) != want)
			bad = i;
	}
	TAP_CHECK(bad == U64_MAX,
		  "%s: fill(start %llu, n %llu, %d) in %llu bits: bit %llu is %d, want %d",
		  what, (unsigned long long)start, (unsigned long long)n, value,
		  (unsigned long long)nbits, (unsigned long long)bad,
		  bad == U64_MAX ? -1 : get_bit(map, bad), want);
	free(map);
	free(model);
}

static void one_fill(void)
{
	check_fill(rnd_below(4 * W), rnd_below(2000), rnd_below(2 * W),
		   rnd_below(2), "random");
}

static void test_fill(void)
{
	unsigned long i;
	u64 start, n;

	for (start = 0; start <= 2 * W + 1; start++)
		for (n = 0; n <= 3 * W + 1; n++) {
			check_fill(start, n, 0, true, "edge");
			check_fill(start, n, 3, false, "edge");
		}
	for (i = 0; i < iters; i++)
		one_fill();
}

/*
 * The ioctls work in pieces: GET stores bytes a pinned page (an arbitrary
 * byte count) at a time, SET writes chunks of PGENC_CHUNK_BITS (a multiple
 * of the word size). Piece by piece must equal one call.
 */
static void check_chunked(u64 nbits, u64 start, u64 n, u64 chunk)
{
	unsigned long *map = map_alloc(nbits ? nbits : 1);
	unsigned long *one = map_alloc(n), *parts = map_alloc(n);
	unsigned long *m1 = map_alloc(start + n), *m2 = map_alloc(start + n);
	u64 len = pgenc_user_bytes(n), done, c, i, bad = U64_MAX;

	pgenc_get_bytes((u8 *)one, map, nbits, start, len);
	for (done = 0; done < len; done += c) {
		c = 1 + rnd_below(chunk / 4);
		if (c > len - done)
			c = len - done;
		pgenc_get_bytes((u8 *)parts + done, map, nbits,
				start + 8 * done, c);
	}
	for (i = 0; i < n && bad == U64_MAX; i++)
		if (get_bit(one, i) != get_bit(parts, i))
			bad = i;
	TAP_CHECK(bad == U64_MAX,
		  "chunked read(nbits %llu, start %llu, n %llu, chunk %llu) differs at bit %llu",
		  (unsigned long long)nbits, (unsigned long long)start,
		  (unsigned long long)n, (unsigned long long)chunk,
		  (unsigned long long)bad);

	memcpy(m2, m1, BITS_TO_LONGS(start + n) * sizeof(*m1));
	pgenc_bits_write(m1, start, one, n);
	for (done = 0; done < n; done += c) {
		c = n - done < chunk ? n - done : chunk;
		pgenc_bits_write(m2, start + done, one + done / W, c);
	}
	for (i = 0, bad = U64_MAX; i < start + n && bad == U64_MAX; i++)
		if (get_bit(m1, i) != get_bit(m2, i))
			bad = i;
	TAP_CHECK(bad == U64_MAX,
		  "chunked write(start %llu, n %llu, chunk %llu) differs at bit %llu",
		  (unsigned long long)start, (unsigned long long)n,
		  (unsigned long long)chunk, (unsigned long long)bad);
	free(map);
	free(one);
	free(parts);
	free(m1);
	free(m2);
}

static void one_chunked(void)
{
	u64 nbits = rnd_nbits();

	check_chunked(nbits, rnd_below(nbits + W), 1 + rnd_below(1500),
		      W * (1 + rnd_below(5)));
}

static void test_chunked(void)
{
	unsigned long i;

	for (i = 0; i < iters / 4; i++)
		one_chunked();
}

/* ---- the ioctls' user byte images ---------------------------------------- */

static void test_user_bytes(void)
{
	static const struct {
		u64 n, bytes;
	} t[] = {
		{ 0, 0 },
		{ 1, 1 },
		{ 7, 1 },
		{ 8, 1 },
		{ 9, 2 },
		{ 16, 2 },
		{ 17, 3 },
		{ 64, 8 },
		{ 65, 9 },
		{ U64_MAX - 7, (1ULL << 61) - 1 },
		{ U64_MAX - 6, 1ULL << 61 }, /* DIV_ROUND_UP() gives 0 */
		{ U64_MAX, 1ULL << 61 },
	};
	unsigned int i, n, b, c;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		TAP_CHECK(pgenc_user_bytes(t[i].n) == t[i].bytes,
			  "user_bytes(%#llx) = %#llx, want %#llx",
			  (unsigned long long)t[i].n,
			  (unsigned long long)pgenc_user_bytes(t[i].n),
			  (unsigned long long)t[i].bytes);
	for (n = 0; n < 40; n++)
		for (b = 0; b < 256; b++)
			for (c = 0; c < 256; c += 17) {
				u8 got = pgenc_user_last_byte(b, c, n);
				unsigned int bit, bad = 8;

				for (bit = 0; bit < 8 && bad == 8; bit++) {
					/* Below n % 8 ours, else the caller's. */
					bool mine = n % 8 == 0 || bit < n % 8;
					u8 want = mine ? b : c;

					if (((got ^ want) >> bit) & 1)
						bad = bit;
				}
				TAP_CHECK(bad == 8,
					  "last_byte(ours %#x, callers %#x, n %u) = %#x: bit %u",
					  b, c, n, got, bad);
			}
}

/*
 * GET end to end on the bytes the caller sees, as pgenc_get_bitmap()
 * builds them for a map that is one memslot at gfn 0: the whole bytes
 * from pgenc_get_bytes(), the last partial one from pgenc_get_slot() over
 * a byte of 1s (a hole past the slot), merged into the caller's byte. SET the same way
 * back: bytes into zeroed words, then pgenc_bits_write().
 */
static void check_user_image(u64 nbits, u64 start, u64 n)
{
	unsigned long *map = map_alloc(nbits);
	unsigned char *model = model_of(map, nbits);
	unsigned long *words = map_alloc(n);
	u64 len = pgenc_user_bytes(n), i, bad = U64_MAX;
	unsigned char *user = malloc(len), *callers = malloc(len);
	unsigned long *m2;

	for (i = 0; i < len; i++)
		user[i] = callers[i] = rnd();
	/* As pgenc_get_bitmap(): no call for no whole byte (map may be NULL). */
	if (n / 8)
		pgenc_get_bytes(user, map, nbits, start, n / 8);
	if (n % 8) {
		u8 ours = 0xff;

		pgenc_get_slot(&ours, start + (n & ~7ULL), 1, map, 0, nbits);
		user[len - 1] = pgenc_user_last_byte(ours, callers[len - 1], n);
	}
	for (i = 0; i < 8 * len && bad == U64_MAX; i++) {
		bool got = (user[i / 8] >> (i % 8)) & 1;
		bool want = i < n ? want_read(model, nbits, start, i) :
				    (callers[i / 8] >> (i % 8)) & 1;

		if (got != want)
			bad = i;
	}
	TAP_CHECK(bad == U64_MAX,
		  "GET bytes(nbits %llu, start %llu, n %llu): bit %llu wrong (%s)",
		  (unsigned long long)nbits, (unsigned long long)start,
		  (unsigned long long)n, (unsigned long long)bad,
		  bad < n ? "page" : "caller's trailing bit");

	/* SET the bytes back at start in a fresh map of start + n bits. */
	m2 = map_alloc(start + n);
	free(model);
	model = model_of(m2, start + n);
	memset(words, 0, BITS_TO_LONGS(n) * sizeof(*words));
	memcpy(words, user, len);
	pgenc_bits_write(m2, start, words, n);
	for (i = 0, bad = U64_MAX; i < start + n && bad == U64_MAX; i++) {
		u64 j = i - start;
		bool want = i < start ? model[i] : (user[j / 8] >> (j % 8)) & 1;

		if (get_bit(m2, i) != want)
			bad = i;
	}
	TAP_CHECK(bad == U64_MAX,
		  "SET bytes(start %llu, n %llu): bit %llu wrong",
		  (unsigned long long)start, (unsigned long long)n,
		  (unsigned long long)bad);
	free(map);
	free(model);
	free(words);
	free(user);
	free(callers);
	free(m2);
}

static void one_user_image(void)
{
	u64 nbits = rnd_nbits();

	check_user_image(nbits, rnd_below(nbits + W), 1 + rnd_below(1500));
}

static void test_user_image(void)
{
	unsigned long i;
	u64 start, n;

	for (start = 0; start < W + 2; start++)
		for (n = 1; n <= 2 * W + 9; n++)
			check_user_image(2 * W + 3, start, n);
	for (i = 0; i < iters / 4; i++)
		one_user_image();
}

/* ---- memslots: GET's image of one slot, copies between maps ------------- */

/*
 * pgenc_get_slot() over len bytes for gfns [g, g + 8 * len), with a slot
 * of npages bits at gfn base: the slot's gfns take its bits, every other
 * bit of dst keeps its value, and the byte after dst is not written.
 */
static void check_get_slot(u64 g, u64 len, u64 base, u64 npages,
			   const char *what)
{
	unsigned long *map = map_alloc(npages);
	unsigned char *model = model_of(map, npages);
	unsigned char *dst = malloc(len + 1), *orig = malloc(len + 1);
	u64 i, bad = U64_MAX;
	int want = -1;

	for (i = 0; i <= len; i++)
		dst[i] = orig[i] = rnd();
	pgenc_get_slot(dst, g, len, map, base, npages);
	for (i = 0; i < 8 * len && bad == U64_MAX; i++) {
		u64 gfn = g + i;

		want = gfn >= base && gfn - base < npages ?
			       model[gfn - base] :
			       (orig[i / 8] >> (i % 8)) & 1;
		if (((dst[i / 8] >> (i % 8)) & 1) != want)
			bad = i;
	}
	TAP_CHECK(bad == U64_MAX && dst[len] == orig[len],
		  "%s: get_slot(g %llu, %llu bytes, slot %llu +%llu): bit %llu wrong (want %d)%s",
		  what, (unsigned long long)g, (unsigned long long)len,
		  (unsigned long long)base, (unsigned long long)npages,
		  (unsigned long long)bad, want,
		  dst[len] == orig[len] ? "" : ", wrote past dst");
	free(map);
	free(model);
	free(dst);
	free(orig);
}

static void one_get_slot(void)
{
	u64 g = rnd_below(4) ? rnd_below(4 * W) : rnd_edge() / 2;
	u64 n = 1 + rnd_below(1100);
	u64 b = g + rnd_below(8 * 160) - rnd_below(n + 8);

	check_get_slot(g, 1 + rnd_below(150), b, n, "random");
}

static void test_get_slot(void)
{
	unsigned long i;
	u64 base, npages, len;

	/* A window at gfn 1000 against slots starting around and in it. */
	for (base = 990; base <= 1000 + 8 * 3 + 2; base++)
		for (npages = 1; npages <= 2 * W + 2; npages += 1 + npages / 8)
			for (len = 1; len <= 3; len++)
				check_get_slot(1000, len, base, npages, "edge");
	for (i = 0; i < iters; i++)
		one_get_slot();
}

/*
 * pgenc_bits_copy(): bits [spos, spos + n) of a map of snbits bits (1
 * past snbits) land at [dpos, dpos + n) of dst; dst's other bits stay.
 */
static void check_copy(u64 dpos, u64 spos, u64 n, u64 snbits, u64 slack,
		       const char *what)
{
	u64 dnbits = dpos + n + slack, i, bad = U64_MAX;
	unsigned long *dst = map_alloc(dnbits);
	unsigned char *dmodel = model_of(dst, dnbits);
	unsigned long *src = map_alloc(snbits);
	unsigned char *smodel = model_of(src, snbits);
	int want = -1;

	pgenc_bits_copy(dst, dpos, src, snbits, spos, n);
	for (i = 0; i < dnbits && bad == U64_MAX; i++) {
		if (i >= dpos && i < dpos + n)
			want = spos + (i - dpos) >= snbits ||
			       smodel[spos + (i - dpos)];
		else
			want = dmodel[i];
		if (get_bit(dst, i) != want)
			bad = i;
	}
	TAP_CHECK(bad == U64_MAX,
		  "%s: copy(dpos %llu, spos %llu, n %llu, snbits %llu): bit %llu is %d, want %d",
		  what, (unsigned long long)dpos, (unsigned long long)spos,
		  (unsigned long long)n, (unsigned long long)snbits,
		  (unsigned long long)bad,
		  bad == U64_MAX ? -1 : get_bit(dst, bad), want);
	free(dst);
	free(dmodel);
	free(src);
	free(smodel);
}

static void one_copy(void)
{
	u64 sp = rnd_below(3 * W), k = rnd_len(1500);
	u64 sn = rnd_below(4) ? sp + k + rnd_below(W) : rnd_below(sp + k);

	check_copy(rnd_below(3 * W), sp, k, sn, rnd_below(W), "random");
}

static void test_copy(void)
{
	unsigned long i;
	u64 dpos, spos, n;

	for (dpos = 0; dpos <= W + 1; dpos += 1 + dpos / 16)
		for (spos = 0; spos <= W + 1; spos += 1 + spos / 16)
			for (n = 1; n <= 3 * W + 9; n += 1 + n / 16) {
				check_copy(dpos, spos, n, spos + n, 3, "edge");
				check_copy(dpos, spos, n, spos + n / 2, 0,
					   "edge, past snbits");
			}
	for (i = 0; i < iters; i++)
		one_copy();
}

/* ---- entry points ------------------------------------------------------- */

#ifdef PGENC_FUZZ
/*
 * One randomized case per input, its values chosen by the input's bytes
 * (rnd()); a failed check aborts, which libFuzzer reports with the input.
 */
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static void (*const one[])(void) = {
		one_range,   one_hc,	     one_read,	   one_write, one_fill,
		one_chunked, one_user_image, one_get_slot, one_copy,
	};
	size_t i;

	fuzz_in = data;
	fuzz_left = size;
	rnd_state = size; /* FNV-1a of the input: runs reproduce */
	for (i = 0; i < size; i++)
		rnd_state = (rnd_state ^ data[i]) * 0x100000001b3ULL;
	tap_cur_fails = 0;
	one[rnd_below(sizeof(one) / sizeof(one[0]))]();
	if (tap_cur_fails)
		abort();
	return 0;
}
#else
int main(void)
{
	const char *s = getenv("PGENC_TEST_SEED");
	const char *it = getenv("PGENC_TEST_ITERS");

	if (s && !strcmp(s, "random"))
		seed = (unsigned long long)time(NULL) ^
		       ((unsigned long long)clock() << 32);
	else
		seed = s ? strtoull(s, NULL, 0) : 20241122;
	if (it)
		iters = strtoul(it, NULL, 0);
	rnd_state = seed;
	printf("# seed %llu (PGENC_TEST_SEED=%llu repeats this run), %lu iterations\n",
	       seed, seed, iters);

	tap_run("range_inside/range_valid: hand-picked edges",
		test_range_edges);
	tap_run("range_inside/range_valid: random vs 128-bit model",
		test_range_random);
	tap_run("hc_decode: hand-picked a0/a1/a2/tracked edges", test_hc_edges);
	tap_run("hc_decode: every a2 below 0x40, every reserved bit",
		test_hc_attrs);
	tap_run("hc_decode: random vs the ABI model", test_hc_random);
	tap_run("get_bytes: every start/n around word edges vs model",
		test_read_edges);
	tap_run("get_bytes: random vs model (past nbits reads 1)",
		test_read_random);
	tap_run("bits_write: every start/n around word edges, neighbours kept",
		test_write_edges);
	tap_run("bits_write: random vs model", test_write_random);
	tap_run("bits_fill: set and clear vs model", test_fill);
	tap_run("chunked read/write equal one call", test_chunked);
	tap_run("user bytes: ceil(n/8) and the last byte's merge",
		test_user_bytes);
	tap_run("GET/SET user byte image vs model", test_user_image);
	tap_run("get_slot: a slot's bits into GET's bytes, the rest kept",
		test_get_slot);
	tap_run("bits_copy: any source and destination offsets vs model",
		test_copy);
	return tap_done();
}
#endif
