/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pgenc: per-page encryption status tracking for KVM SEV guests.
 *
 * Self-contained: needs only <linux/types.h> and <linux/ioctl.h>, and
 * compiles as C and as C++. See Documentation/api.rst.
 */
#ifndef _UAPI_LINUX_KVM_PGENC_H
#define _UAPI_LINUX_KVM_PGENC_H

#include <linux/types.h>
#include <linux/ioctl.h>

#ifndef KVMIO
#define KVMIO 0xAE
#endif

/*
 * Hypercall: a0 = gpa (page aligned), a1 = number of 4 KiB pages,
 * a2 = attributes. Same number and a0/a1 meaning as upstream's
 * KVM_HC_MAP_GPA_RANGE.
 */
#define KVM_HC_PAGE_ENC_STATUS 12

/* a2, upstream encoding: bits 3:0 page-size hint, bit 4 encrypted. */
#define KVM_PAGE_ENC_ATTR_PAGE_SZ_MASK 0xfULL
#define KVM_PAGE_ENC_ATTR_PAGE_SZ_4K 0x0ULL
#define KVM_PAGE_ENC_ATTR_PAGE_SZ_2M 0x1ULL
#define KVM_PAGE_ENC_ATTR_PAGE_SZ_1G 0x2ULL
#define KVM_PAGE_ENC_ATTR_ENCRYPTED (1ULL << 4)
#define KVM_PAGE_ENC_ATTR_RESERVED (~0x1fULL)
/* a2, seed encoding: exactly 1 = encrypted, exactly 0 = shared. */
#define KVM_PAGE_ENC_SEED_ENCRYPTED 1ULL
#define KVM_PAGE_ENC_SEED_SHARED 0ULL

/* Capability; KVM_CHECK_EXTENSION returns a mask of these flags. */
#define KVM_CAP_PAGE_ENC_BITMAP 0x1000
#define KVM_PAGE_ENC_CAP_BITMAP (1U << 0) /* GET/SET ioctls */
#define KVM_PAGE_ENC_CAP_HYPERCALL (1U << 1) /* hypercall 12 in kernel */
#define KVM_PAGE_ENC_CAP_MIGRATION_CONTROL (1U << 2) /* the PV MSR */
#define KVM_PAGE_ENC_CAP_ALL                                    \
	(KVM_PAGE_ENC_CAP_BITMAP | KVM_PAGE_ENC_CAP_HYPERCALL | \
	 KVM_PAGE_ENC_CAP_MIGRATION_CONTROL)

/*
 * Bit i of the buffer at enc_bitmap describes gfn start_gfn + i, least
 * significant bit first in each byte; 1 = encrypted, 0 = shared.
 *
 * enc_bitmap carries no __user annotation so that this header stands
 * alone in userspace; the kernel reads the address through padding2.
 */
struct kvm_page_enc_bitmap {
	__u64 start_gfn;
	__u64 num_pages;
	union {
		void *enc_bitmap;
		__u64 padding2;
	};
};

#define KVM_GET_PAGE_ENC_BITMAP _IOW(KVMIO, 0xd9, struct kvm_page_enc_bitmap)
#define KVM_SET_PAGE_ENC_BITMAP _IOW(KVMIO, 0xda, struct kvm_page_enc_bitmap)

#ifdef __cplusplus
#define __KVM_PGENC_ASSERT(e, m) static_assert(e, m)
#else
#define __KVM_PGENC_ASSERT(e, m) _Static_assert(e, m)
#endif
__KVM_PGENC_ASSERT(sizeof(struct kvm_page_enc_bitmap) == 24,
		   "struct kvm_page_enc_bitmap must be 24 bytes");
__KVM_PGENC_ASSERT(__builtin_offsetof(struct kvm_page_enc_bitmap, num_pages) ==
			   8,
		   "num_pages at offset 8");
__KVM_PGENC_ASSERT(__builtin_offsetof(struct kvm_page_enc_bitmap, padding2) ==
			   16,
		   "enc_bitmap at offset 16");
#undef __KVM_PGENC_ASSERT

#endif /* _UAPI_LINUX_KVM_PGENC_H */
