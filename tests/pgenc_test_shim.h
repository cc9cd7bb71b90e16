/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Lets kernel/pgenc_bits.h compile in userspace: it is written for the
 * kernel, where <linux/types.h> gives it u64 and bool. Include this first,
 * then "pgenc_bits.h", with -I kernel -I uapi so that <linux/kvm_pgenc.h>
 * is our uapi header and not an installed copy.
 */
#ifndef PGENC_TEST_SHIM_H
#define PGENC_TEST_SHIM_H

#ifdef __KERNEL__
#error "pgenc_test_shim.h is for userspace tests only"
#endif

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

/*
 * The kernel's own definitions (include/asm-generic/int-ll64.h): u64 is
 * __u64, i.e. unsigned long long on x86-64, not uint64_t (unsigned long),
 * so conversions and format checks behave as in the kernel build.
 */
typedef __u8 u8;
typedef __u64 u64;

#endif /* PGENC_TEST_SHIM_H */
