// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer over the kernel's pure logic (kernel/pgenc_bits.h, compiled
 * for the host as the unit tests compile it): the unit tests' randomized
 * cases and naive models, with the input's bytes as the random choices.
 * One case per input; see LLVMFuzzerTestOneInput() in the unit test.
 */
#define PGENC_FUZZ 1
/* The unit test's fixed cases and main() are not used here. */
#pragma clang diagnostic ignored "-Wunused-function"
#include "../test_pgenc_bits.c"
