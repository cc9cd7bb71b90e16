// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel/pgenc_bits.h compiled in userspace, alone in its translation
 * unit (it needs the kernel's u64 and bool), so that test_hypercall.c
 * can check libpgenc's decoder against the kernel's own. Built by
 * run.sh with -I kernel -I uapi.
 */
#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u64 u64;

#include "pgenc_bits.h"
#include "kref.h"

bool kref_decode(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t tracked,
		 uint64_t *gfn, uint64_t *npages, bool *encrypted)
{
	struct pgenc_hc_req req;

	if (!pgenc_hc_decode(a0, a1, a2, tracked, &req))
		return false;
	*gfn = req.gfn;
	*npages = req.npages;
	*encrypted = req.encrypted;
	return true;
}
