// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Hypercall 12 (KVM_HC_PAGE_ENC_STATUS) for VMMs that handle
 * KVM_EXIT_HYPERCALL themselves. The checks and their order are those of
 * pgenc_hc_decode() in kernel/pgenc_bits.h; tests/lib compares the two.
 */
#include "internal.h"

int pgenc_hc_decode_in(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t lo,
		       uint64_t hi, struct pgenc_hypercall *req)
{
	uint64_t gfn = a0 >> PGENC_PAGE_SHIFT;

	if (a0 & ((1ULL << PGENC_PAGE_SHIFT) - 1))
		return -EINVAL;
	if (a2 & KVM_PAGE_ENC_ATTR_RESERVED)
		return -EINVAL;
	if ((a2 & KVM_PAGE_ENC_ATTR_PAGE_SZ_MASK) >
	    KVM_PAGE_ENC_ATTR_PAGE_SZ_1G)
		return -EINVAL;
	/* Non-empty, and inside [lo, hi): so it cannot wrap either. */
	if (!a1 || gfn < lo || gfn >= hi || a1 > hi - gfn)
		return -EINVAL;
	req->gfn = gfn;
	req->npages = a1;
	req->encrypted = (a2 & KVM_PAGE_ENC_ATTR_ENCRYPTED) ||
			 a2 == KVM_PAGE_ENC_SEED_ENCRYPTED;
	return 0;
}

int pgenc_hypercall_decode(uint64_t a0, uint64_t a1, uint64_t a2,
			   uint64_t tracked_pages, struct pgenc_hypercall *req)
{
	if (!req)
		return -EINVAL;
	return pgenc_hc_decode_in(a0, a1, a2, 0, tracked_pages, req);
}

int pgenc_hypercall_apply(struct pgenc_bitmap *b, uint64_t a0, uint64_t a1,
			  uint64_t a2)
{
	struct pgenc_hypercall req;
	int r;

	if (!b)
		return -EINVAL;
	r = pgenc_hc_decode_in(a0, a1, a2, b->start_gfn,
			       b->start_gfn + b->num_pages, &req);
	if (r)
		return r;
	return pgenc_bitmap_fill(b, req.gfn, req.npages, req.encrypted);
}
