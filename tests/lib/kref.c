// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel/pgenc_bits.h compiled in userspace, alone in its translation
 * unit (it needs the kernel's types and bitmap helpers, which the host
 * unit tests' shim provides), so that test_hypercall.c can check
 * libpgenc's decoder against the kernel's own. Built by
 * tests/lib/Makefile with -I tests -I kernel -I uapi.
 */
#include "pgenc_test_shim.h"

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
