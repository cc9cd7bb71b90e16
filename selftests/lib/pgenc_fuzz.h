/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fuzzers' seeded generator: xorshift64*, so that a run is
 * reproducible from the seed it prints. PGENC_FUZZ_SEED and
 * PGENC_FUZZ_ITERS override the seed and the number of operations.
 */
#ifndef PGENC_FUZZ_H
#define PGENC_FUZZ_H

#include <time.h>

#include "pgenc_util.h"

static uint64_t pgenc_rng_state;

static inline uint64_t rnd(void)
{
	pgenc_rng_state ^= pgenc_rng_state >> 12;
	pgenc_rng_state ^= pgenc_rng_state << 25;
	pgenc_rng_state ^= pgenc_rng_state >> 27;
	return pgenc_rng_state * 0x2545f4914f6cdd1dULL;
}

/* Seed the generator, print the seed; returns the operations to run. */
static inline uint64_t pgenc_fuzz_init(uint64_t default_iters)
{
	const char *s = getenv("PGENC_FUZZ_SEED");
	const char *i = getenv("PGENC_FUZZ_ITERS");
	uint64_t seed = s ? strtoull(s, NULL, 0) : 0;
	uint64_t iters = i ? strtoull(i, NULL, 0) : default_iters;

	if (!seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = ts.tv_nsec ^ ts.tv_sec ^ getpid();
	}
	ksft_print_msg("PGENC_FUZZ_SEED=%#lx PGENC_FUZZ_ITERS=%lu\n", seed,
		       iters);
	pgenc_rng_state = seed | 1;
	return iters;
}

#endif /* PGENC_FUZZ_H */
