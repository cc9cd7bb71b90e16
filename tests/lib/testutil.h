/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the libpgenc unit tests: a reproducible random generator
 * and a naive model of a bitmap (one byte per page), against which the
 * library is checked.
 *
 * PGENC_TEST_SEED=N repeats a run (the seed is printed), "random" picks
 * a new one; PGENC_TEST_ITERS=N scales the randomized tests.
 */
#ifndef PGENC_TESTS_LIB_TESTUTIL_H
#define PGENC_TESTS_LIB_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pgenc/pgenc.h>

#include "../tap.h"

static uint64_t tu_state;
static unsigned long tu_iters = 200;

/* splitmix64 */
static inline uint64_t rnd(void)
{
	uint64_t z = (tu_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform enough in [0, n), n > 0. */
static inline uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

static inline void tu_init(void)
{
	const char *s = getenv("PGENC_TEST_SEED");
	const char *it = getenv("PGENC_TEST_ITERS");
	uint64_t seed = 0x5eed0f9e7cULL;

	if (s && !strcmp(s, "random"))
		seed = (uint64_t)time(NULL) ^ (uint64_t)clock();
	else if (s)
		seed = strtoull(s, NULL, 0);
	if (it)
		tu_iters = strtoul(it, NULL, 0);
	tu_state = seed;
	printf("# seed %llu (PGENC_TEST_SEED=%llu repeats this run)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
}

/* Page counts where byte and word logic goes wrong. */
static const uint64_t tu_sizes[] = { 1,	  2,   7,   8,	 9,    15,   16,
				     17,  31,  63,  64,	 65,   127,  128,
				     129, 255, 511, 513, 1000, 4099, 65537 };
#define TU_NSIZES (sizeof(tu_sizes) / sizeof(tu_sizes[0]))

/* A start gfn for num pages: small, random, or near the top. */
static inline uint64_t rnd_start(uint64_t num)
{
	switch (rnd_below(5)) {
	case 0:
		return 0;
	case 1:
		return rnd_below(1000);
	case 2:
		return UINT64_MAX - num; /* the highest allowed */
	case 3:
		return rnd_below(UINT64_MAX - num + 1);
	default:
		return (rnd_below(1ULL << 40)) & ~7ULL;
	}
}

/*
 * Fill model m (num bytes of 0/1) with a pattern: all one state, random
 * bits, alternating, or runs of varied lengths (short, about a word, and
 * long, to exercise the word-skipping paths).
 */
static inline void rnd_pattern(uint8_t *m, uint64_t num)
{
	uint64_t i, len;
	int kind = (int)rnd_below(6), v;

	switch (kind) {
	case 0:
	case 1:
		memset(m, kind, num);
		return;
	case 2:
		for (i = 0; i < num; i++)
			m[i] = rnd() & 1;
		return;
	case 3:
		for (i = 0; i < num; i++)
			m[i] = i & 1;
		return;
	default:
		v = rnd() & 1;
		for (i = 0; i < num; i += len) {
			static const uint64_t lens[] = { 1,  3,	  8,   60,  64,
							 70, 200, 600, 5000 };

			len = lens[rnd_below(9)] + rnd_below(3);
			if (len > num - i)
				len = num - i;
			memset(m + i, v, len);
			v ^= 1;
		}
		return;
	}
}

/* A library bitmap with the states of model m. */
static inline struct pgenc_bitmap *from_model(uint64_t start, uint64_t num,
					      const uint8_t *m)
{
	struct pgenc_bitmap *b = NULL;
	uint64_t i;

	if (pgenc_bitmap_new(start, num, false, &b)) {
		printf("# pgenc_bitmap_new(%llu, %llu) failed\n",
		       (unsigned long long)start, (unsigned long long)num);
		abort();
	}
	for (i = 0; i < num; i++)
		if (m[i])
			b->bits[i / 8] |= (uint8_t)(1u << (i % 8));
	return b;
}

/* A random bitmap of num pages from start, and its model (malloc()ed). */
static inline struct pgenc_bitmap *rnd_bitmap(uint64_t start, uint64_t num,
					      uint8_t **model)
{
	uint8_t *m = malloc(num);
	struct pgenc_bitmap *b;

	if (!m)
		abort();
	rnd_pattern(m, num);
	b = from_model(start, num, m);
	if (model)
		*model = m;
	else
		free(m);
	return b;
}

#endif /* PGENC_TESTS_LIB_TESTUTIL_H */
