/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel's hypercall 12 decoder, for comparison (kref.c). */
#ifndef PGENC_TESTS_LIB_KREF_H
#define PGENC_TESTS_LIB_KREF_H

#include <stdbool.h>
#include <stdint.h>

/* pgenc_hc_decode() of kernel/pgenc_bits.h, with plain C types. */
bool kref_decode(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t tracked,
		 uint64_t *gfn, uint64_t *npages, bool *encrypted);

#endif /* PGENC_TESTS_LIB_KREF_H */
