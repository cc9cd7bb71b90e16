/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Lets kernel/pgenc_bits.h compile in userspace: it is written for the
 * kernel, where <linux/types.h> gives it u64 and bool and <linux/bitmap.h>
 * its bitmap helpers. Include this first, then "pgenc_bits.h", with
 * -I kernel -I uapi so that <linux/kvm_pgenc.h> is our uapi header and
 * not an installed copy.
 *
 * The helpers below are naive host versions of the kernel's, written from
 * their documented meaning (a bit at a time, no shortcuts), so a test
 * checks pgenc's use of the API, not a second copy of its tricks.
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

/* <linux/bits.h>, <linux/bitops.h>, <linux/minmax.h> */
#define BIT(nr) (1UL << (nr))
#define BITS_PER_LONG ((int)(8 * sizeof(long)))
#define BITS_TO_LONGS(nr) (((nr) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define min_t(type, a, b) ((type)(a) < (type)(b) ? (type)(a) : (type)(b))

/*
 * <linux/bitmap.h>: the mask of the valid bits of a bitmap's last word
 * when it holds nbits bits: the low nbits % BITS_PER_LONG, or all.
 */
#define BITMAP_LAST_WORD_MASK(nbits)                                        \
	((nbits) % BITS_PER_LONG ? (1UL << ((nbits) % BITS_PER_LONG)) - 1 : \
				   ~0UL)

/* <linux/bitmap.h>: set or clear bits [start, start + nbits) of map. */
static inline void __set_bit(unsigned long nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}

static inline void __clear_bit(unsigned long nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] &= ~(1UL << (nr % BITS_PER_LONG));
}

static inline void bitmap_set(unsigned long *map, unsigned int start,
			      unsigned int nbits)
{
	for (; nbits; nbits--, start++)
		map[start / BITS_PER_LONG] |= 1UL << (start % BITS_PER_LONG);
}

static inline void bitmap_clear(unsigned long *map, unsigned int start,
				unsigned int nbits)
{
	for (; nbits; nbits--, start++)
		map[start / BITS_PER_LONG] &= ~(1UL << (start % BITS_PER_LONG));
}

#endif /* PGENC_TEST_SHIM_H */
