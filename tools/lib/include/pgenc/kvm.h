/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libpgenc: the KVM_CAP_PAGE_ENC_BITMAP ioctls and hypercall 12.
 * Part of <pgenc/pgenc.h>, which includes every topic header and states
 * the library's conventions; each header also stands alone.
 */
#ifndef PGENC_KVM_H
#define PGENC_KVM_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/kvm_pgenc.h>
#include <pgenc/bitmap.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * KVM ioctls
 * ==========
 *
 * All return -errno from the ioctl: -ENOTTY when the pgenc modules are
 * not loaded, -ENXIO when tracking is not enabled on the VM, -EINVAL for
 * a range outside tracked memory (SET), ...
 */

/*
 * KVM_CHECK_EXTENSION(KVM_CAP_PAGE_ENC_BITMAP) on /dev/kvm or a VM fd:
 * the mask of KVM_PAGE_ENC_CAP_* flags (0 on stock KVM), or -errno.
 */
int pgenc_vm_check(int fd);
/* KVM_ENABLE_CAP(KVM_CAP_PAGE_ENC_BITMAP): turn tracking on (non-SEV). */
int pgenc_vm_enable(int vmfd);
/* KVM_GET_PAGE_ENC_BITMAP of [start_gfn, start_gfn + num_pages). */
int pgenc_vm_get_bitmap(int vmfd, uint64_t start_gfn, uint64_t num_pages,
			struct pgenc_bitmap **out);
/* The same into an existing bitmap, over its own range. */
int pgenc_vm_get_bitmap_into(int vmfd, struct pgenc_bitmap *b);
/* KVM_SET_PAGE_ENC_BITMAP: install b's range (all or nothing). */
int pgenc_vm_set_bitmap(int vmfd, const struct pgenc_bitmap *b);
/* KVM_SET_PAGE_ENC_BITMAP with a NULL buffer: the range to encrypted. */
int pgenc_vm_reset(int vmfd, uint64_t start_gfn, uint64_t num_pages);

/*
 * Hypercall 12
 * ============
 *
 * For a VMM that takes KVM_EXIT_HYPERCALL for nr 12 (run->hypercall.args
 * [0..2] = a0..a2). Decoding is the kernel's (kernel/pgenc_bits.h):
 * a0 = gpa, 4 KiB aligned; a1 = number of 4 KiB pages, >= 1, and the
 * range [a0 >> 12, (a0 >> 12) + a1) must lie inside tracked memory (so
 * it cannot wrap); a2 = attributes: bits 3:0 a page-size hint of 0..2,
 * bit 4 encrypted, bits 63:5 reserved (0); encrypted = (a2 & 0x10) ||
 * a2 == 1 (the seed encoding, 1 encrypted / 0 shared).
 *
 * On -EINVAL the guest should get -KVM_EINVAL (-22) in RAX.
 */
struct pgenc_hypercall {
	uint64_t gfn;
	uint64_t npages;
	bool encrypted;
};

/*
 * Decode against tracked memory [0, tracked_pages). 0 with *req filled,
 * or -EINVAL.
 */
int pgenc_hypercall_decode(uint64_t a0, uint64_t a1, uint64_t a2,
			   uint64_t tracked_pages, struct pgenc_hypercall *req);
/*
 * Decode against tracked memory = b's range [start_gfn, start_gfn +
 * num_pages) and apply the request to b. 0 or -EINVAL (b unchanged).
 */
int pgenc_hypercall_apply(struct pgenc_bitmap *b, uint64_t a0, uint64_t a1,
			  uint64_t a2);

#ifdef __cplusplus
}
#endif

#endif /* PGENC_KVM_H */
