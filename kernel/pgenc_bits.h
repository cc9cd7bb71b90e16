/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pure bitmap and argument helpers for pgenc: no locks, no allocation, no
 * kernel state. They are shared with the host unit tests (tests/), which
 * include this file without __KERNEL__ and check it against a naive model.
 * Only what <linux/bitmap.h> does not do lives here: the shifted copies
 * between the caller's bytes and a memslot's bits (GET's image of one
 * slot, copies at any offsets), and u64 ranges over the kernel's
 * unsigned int bitmap helpers.
 *
 * Bitmaps are arrays of unsigned long; on x86 (little endian) their memory
 * image is the uapi format: bit i of byte i / 8 is page i, LSB first.
 */
#ifndef PGENC_BITS_H
#define PGENC_BITS_H

#ifdef __KERNEL__
#include <linux/bitmap.h>
#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <string.h>
#endif
#include <linux/kvm_pgenc.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "pgenc assumes a little-endian bitmap layout"
#endif

#define PGENC_HC_PAGE_SHIFT 12

/* A decoded, validated KVM_HC_PAGE_ENC_STATUS request. */
struct pgenc_hc_req {
	u64 gfn;
	u64 npages;
	bool encrypted;
};

/* True iff [start, start + n) is non-empty and lies inside [0, limit). */
static inline bool pgenc_range_inside(u64 start, u64 n, u64 limit)
{
	return n && n <= limit && start <= limit - n;
}

/* True iff start + n neither wraps nor is empty. */
static inline bool pgenc_range_valid(u64 start, u64 n)
{
	return n && start + n > start;
}

/*
 * Decode hypercall 12's arguments against the tracked range [0, tracked).
 * Accepts the upstream a2 encoding (bits 3:0 page-size hint <= 1G, bit 4
 * encrypted, the rest reserved) and the seed's (1 encrypted, 0 shared),
 * which is a subset of it bit-wise. Returns false for any invalid call.
 */
static inline bool pgenc_hc_decode(u64 gpa, u64 npages, u64 attrs, u64 tracked,
				   struct pgenc_hc_req *req)
{
	u64 gfn = gpa >> PGENC_HC_PAGE_SHIFT;

	if (gpa & ((1ULL << PGENC_HC_PAGE_SHIFT) - 1))
		return false;
	if (attrs & KVM_PAGE_ENC_ATTR_RESERVED)
		return false;
	if ((attrs & KVM_PAGE_ENC_ATTR_PAGE_SZ_MASK) >
	    KVM_PAGE_ENC_ATTR_PAGE_SZ_1G)
		return false;
	if (!pgenc_range_inside(gfn, npages, tracked))
		return false;

	req->gfn = gfn;
	req->npages = npages;
	req->encrypted = (attrs & KVM_PAGE_ENC_ATTR_ENCRYPTED) ||
			 attrs == KVM_PAGE_ENC_SEED_ENCRYPTED;
	return true;
}

/* Bytes of a user buffer of n bits: ceil(n / 8), without overflow. */
static inline u64 pgenc_user_bytes(u64 n)
{
	return n / 8 + !!(n % 8);
}

/*
 * The last byte GET writes for n bits: our bits below n % 8, the caller's
 * own bits above (unchanged when n is a multiple of 8).
 */
static inline u8 pgenc_user_last_byte(u8 ours, u8 callers, u64 n)
{
	u8 keep = n % 8 ? (u8)(0xff << (n % 8)) : 0;

	return (ours & ~keep) | (callers & keep);
}

/*
 * The word of bits [pos, pos + BITS_PER_LONG) of map; bits at or past
 * nbits read as 1 (never reported = encrypted), so map is only read
 * below nbits.
 */
static inline unsigned long pgenc_word_at(const unsigned long *map, u64 nbits,
					  u64 pos)
{
	u64 idx = pos / BITS_PER_LONG;
	unsigned int off = pos % BITS_PER_LONG;
	unsigned long v;

	if (pos >= nbits)
		return ~0UL;
	v = map[idx] >> off;
	if (off && (idx + 1) * BITS_PER_LONG < nbits)
		v |= map[idx + 1] << (BITS_PER_LONG - off);
	if (nbits - pos < BITS_PER_LONG)
		v |= ~BITMAP_LAST_WORD_MASK(nbits - pos);
	return v;
}

/*
 * GET's image: byte i of dst gets bits [pos + 8 * i, pos + 8 * i + 8) of
 * map, for i < len; bits at or past nbits read as 1. A plain copy where
 * pos is byte aligned and the bytes lie below nbits, else assembled a
 * word at a time. Exactly len bytes of dst are written.
 */
static inline void pgenc_get_bytes(u8 *dst, const unsigned long *map, u64 nbits,
				   u64 pos, size_t len)
{
	unsigned long w;
	size_t i = 0;

	if (!(pos % 8) && pos + 8ULL * len <= nbits) {
		memcpy(dst, (const u8 *)map + pos / 8, len);
		return;
	}
	for (; i + sizeof(w) <= len; i += sizeof(w)) {
		w = pgenc_word_at(map, nbits, pos + 8ULL * i);
		memcpy(dst + i, &w, sizeof(w));
	}
	if (i < len) {
		w = pgenc_word_at(map, nbits, pos + 8ULL * i);
		memcpy(dst + i, &w, len - i);
	}
}

/*
 * Byte i of dst, the image of gfns [g + 8 * i, g + 8 * i + 8), takes
 * map's bits for the gfns of [lo, hi) in it; map holds the npages bits of
 * the slot at gfn base, and [lo, hi) lies inside the slot and meets the
 * byte. The byte's other bits are kept.
 */
static inline void pgenc_get_merge(u8 *dst, u64 g, u64 i,
				   const unsigned long *map, u64 base,
				   u64 npages, u64 lo, u64 hi)
{
	u64 b = g + 8 * i, from = lo > b ? lo : b, to = hi < b + 8 ? hi : b + 8;
	u8 mask = (u8)(((1U << (to - from)) - 1) << (from - b));
	u8 v = (u8)(pgenc_word_at(map, npages, from - base) << (from - b));

	dst[i] = (dst[i] & ~mask) | (v & mask);
}

/*
 * GET's image of one memslot: dst is len bytes describing gfns
 * [g, g + 8 * len); the bits of the gfns that lie in the slot [base,
 * base + npages), whose bits are map, are written, and every other bit of
 * dst is kept (the caller fills holes with 1 first). Partial bytes at the
 * slot's edges are merged, the bytes between are copied whole.
 */
static inline void pgenc_get_slot(u8 *dst, u64 g, u64 len,
				  const unsigned long *map, u64 base,
				  u64 npages)
{
	u64 end = g + 8 * len, lo = g > base ? g : base,
	    hi = end < base + npages ? end : base + npages, i0, i1;

	if (lo >= hi)
		return;
	i0 = (lo - g) / 8;
	i1 = (hi - g + 7) / 8;
	if ((lo - g) % 8) {
		pgenc_get_merge(dst, g, i0, map, base, npages, lo, hi);
		i0++;
	}
	if (i0 < i1 && (hi - g) % 8) {
		i1--;
		pgenc_get_merge(dst, g, i1, map, base, npages, lo, hi);
	}
	if (i0 < i1)
		pgenc_get_bytes(dst + i0, map, npages, g + 8 * i0 - base,
				i1 - i0);
}

/* The word of src bits [pos, pos + BITS_PER_LONG), src being n bits. */
static inline unsigned long pgenc_src_word(const unsigned long *src, u64 n,
					   u64 pos)
{
	u64 idx = pos / BITS_PER_LONG;
	unsigned int off = pos % BITS_PER_LONG;
	unsigned long v = src[idx] >> off;

	if (off && idx + 1 < BITS_TO_LONGS(n))
		v |= src[idx + 1] << (BITS_PER_LONG - off);
	return v;
}

/*
 * Store the low len bits of v at map bit pos, inside one word of map
 * (len <= BITS_PER_LONG - pos % BITS_PER_LONG).
 */
static inline void pgenc_put_bits(unsigned long *map, u64 pos, unsigned long v,
				  u64 len)
{
	unsigned int off = pos % BITS_PER_LONG;
	unsigned long mask = BITMAP_LAST_WORD_MASK(len) << off;

	map[pos / BITS_PER_LONG] = (map[pos / BITS_PER_LONG] & ~mask) |
				   ((v << off) & mask);
}

/*
 * (lo >> s) | (hi << (BITS_PER_LONG - s)), 0 < s < BITS_PER_LONG. On
 * 64-bit, as the high word of lo * 2^(64 - s) plus the low word of
 * hi * 2^(64 - s): one factor instead of two variable shift counts,
 * which x86 must juggle through CL and an emulator runs slowly
 * (Documentation/benchmarks.rst, "3. GET/SET throughput").
 */
static inline unsigned long pgenc_shift_pair(unsigned long lo, unsigned long hi,
					     unsigned int s)
{
#if defined(__SIZEOF_INT128__) && __SIZEOF_LONG__ == 8
	unsigned long m = 1UL << (BITS_PER_LONG - s);

	return (unsigned long)(((__uint128_t)lo * m) >> 64) | (hi * m);
#else
	return (lo >> s) | (hi << (BITS_PER_LONG - s));
#endif
}

/*
 * Copy src bits [0, n) into map bits [start, start + n). The caller has
 * checked that the range lies inside the map's allocation. The head up
 * to a word boundary of map is merged; then every whole word of map is
 * written once (a plain copy when src is word aligned there too, else
 * two source words shifted together); then the tail is merged. Only
 * src words below BITS_TO_LONGS(n) are read.
 */
static inline void pgenc_bits_write(unsigned long *map, u64 start,
				    const unsigned long *src, u64 n)
{
	u64 done = 0,
	    head = (BITS_PER_LONG - start % BITS_PER_LONG) % BITS_PER_LONG;
	unsigned int s;

	if (!n)
		return;
	if (head) {
		done = head < n ? head : n;
		pgenc_put_bits(map, start, src[0], done);
	}
	s = done % BITS_PER_LONG;
	if (!s && n - done >= BITS_PER_LONG) {
		u64 w = (n - done) / BITS_PER_LONG;

		memcpy(map + (start + done) / BITS_PER_LONG,
		       src + done / BITS_PER_LONG, w * sizeof(*map));
		done += w * BITS_PER_LONG;
	}
	if (n - done >= BITS_PER_LONG) {
		/* Each source word is loaded once, carried to the next. */
		const unsigned long *p = src + done / BITS_PER_LONG;
		unsigned long *d = map + (start + done) / BITS_PER_LONG;
		u64 i, w = (n - done) / BITS_PER_LONG;
		unsigned long lo = p[0], mid, hi;

		/* Two words a turn: half the loop's own instructions. */
		for (i = 0; i + 2 <= w; i += 2) {
			mid = p[i + 1];
			hi = p[i + 2];
			d[i] = pgenc_shift_pair(lo, mid, s);
			d[i + 1] = pgenc_shift_pair(mid, hi, s);
			lo = hi;
		}
		if (i < w)
			d[i] = pgenc_shift_pair(lo, p[i + 1], s);
		done += w * BITS_PER_LONG;
	}
	if (done < n)
		pgenc_put_bits(map, start + done, pgenc_src_word(src, n, done),
			       n - done);
}

/* Bits of the staging buffer of pgenc_bits_copy(), on the stack. */
#ifndef PGENC_COPY_BITS
#define PGENC_COPY_BITS 2048
#endif

/*
 * Copy bits [spos, spos + n) of src, a map of snbits bits (bits at or
 * past snbits read as 1), into dst bits [dpos, dpos + n); the caller has
 * checked that the range lies inside dst. A word-aligned source inside
 * snbits is written in one pass; whole bytes are copied directly when
 * both positions are byte aligned; otherwise the bits are staged,
 * PGENC_COPY_BITS at a time, as GET's byte image and then written as SET
 * writes them.
 */
static inline void pgenc_bits_copy(unsigned long *dst, u64 dpos,
				   const unsigned long *src, u64 snbits,
				   u64 spos, u64 n)
{
	unsigned long tmp[PGENC_COPY_BITS / BITS_PER_LONG];
	u64 k;

	/* A word-aligned source (SET from a page of the caller's buffer). */
	if (!(spos % BITS_PER_LONG) && spos + n <= snbits) {
		pgenc_bits_write(dst, dpos, src + spos / BITS_PER_LONG, n);
		return;
	}
	if (!(dpos % 8) && !(spos % 8) && n >= 8 && spos + n <= snbits) {
		k = n & ~7ULL;
		memcpy((u8 *)dst + dpos / 8, (const u8 *)src + spos / 8, k / 8);
		dpos += k;
		spos += k;
		n -= k;
	}
	while (n) {
		k = n < PGENC_COPY_BITS ? n : PGENC_COPY_BITS;
		tmp[BITS_TO_LONGS(k) - 1] = 0;
		pgenc_get_bytes((u8 *)tmp, src, snbits, spos,
				pgenc_user_bytes(k));
		pgenc_bits_write(dst, dpos, tmp, k);
		dpos += k;
		spos += k;
		n -= k;
	}
}

/*
 * bitmap_set() and bitmap_clear() take an unsigned int position and
 * length; a map here can hold more bits (up to 2^34). pgenc_bits_fill()
 * hands them the word of start and at most PGENC_FILL_CHUNK bits a call.
 * The host unit tests define a small chunk to run the loop.
 */
#ifndef PGENC_FILL_CHUNK
#define PGENC_FILL_CHUNK BIT(30)
#endif

/* Set (value true) or clear bits [start, start + n) of map. */
static inline void pgenc_bits_fill(unsigned long *map, u64 start, u64 n,
				   bool value)
{
	/* One page, the common hypercall: no bitmap_set() loop setup. */
	if (n == 1) {
		if (value)
			__set_bit(start, map);
		else
			__clear_bit(start, map);
		return;
	}
	while (n) {
		unsigned long *w = map + start / BITS_PER_LONG;
		unsigned int off = start % BITS_PER_LONG;
		unsigned int k = min_t(u64, n, PGENC_FILL_CHUNK);

		if (value)
			bitmap_set(w, off, k);
		else
			bitmap_clear(w, off, k);
		start += k;
		n -= k;
	}
}

#endif /* PGENC_BITS_H */
