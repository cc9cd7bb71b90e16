/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The KVM and PSP interfaces that differ between the kernel series pgenc
 * builds for (Documentation/admin-guide.rst, "Adding a kernel series"):
 * each difference is adapted here, once, so that the rest of our code
 * reads the same on every series.
 */
#ifndef PGENC_COMPAT_H
#define PGENC_COMPAT_H

#include <linux/kvm_host.h>
#include <linux/psp-sev.h>

/*
 * The PGENC_* feature macros come from Kbuild, which looks for each
 * interface in the target kernel's headers.
 *
 * get_unaligned_*(): <asm/unaligned.h> became <linux/unaligned.h> in 6.12.
 */
#ifdef PGENC_LINUX_UNALIGNED
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * Whether the VM can have private memory (KVM_X86_SW_PROTECTED_VM, SNP):
 * then guest_memfd and KVM_SET_MEMORY_ATTRIBUTES hold its page state, and
 * tracking is refused with -EOPNOTSUPP (Documentation/api.rst,
 * "4. KVM_CAP_PAGE_ENC_BITMAP"). 6.1 has no private memory.
 */
#ifdef kvm_arch_has_private_mem
#define pgenc_private_mem(kvm) kvm_arch_has_private_mem(kvm)
#else
#define pgenc_private_mem(kvm) false
#endif

/*
 * sev_platform_init()'s argument: since 6.9 a struct that carries the
 * firmware error and whether the call only probes (kvm-amd's setup, which
 * need not initialise the platform); before, the error alone.
 */
#ifdef PGENC_SEV_INIT_ARGS_STRUCT
#define PGENC_SEV_INIT_ARGS struct sev_platform_init_args
#define pgenc_sev_init_error(args) (&(args)->error)
#define pgenc_sev_init_probe(args) ((args)->probe)
#else
#define PGENC_SEV_INIT_ARGS int
#define pgenc_sev_init_error(args) (args)
#define pgenc_sev_init_probe(args) false
#endif

/*
 * The private key ecc_make_pub_key() takes: native digits since 6.10,
 * which added ecc_digits_from_bytes() to make them from big-endian bytes;
 * before, the big-endian bytes themselves (as ECDH keys are encoded).
 */
#ifdef PGENC_ECC_FROM_BYTES
#define pgenc_ecc_privkey(digits, nd, be, len) \
	ecc_digits_from_bytes(be, len, digits, nd)
#else
#define pgenc_ecc_privkey(digits, nd, be, len) memcpy(digits, be, len)
#endif

#endif /* PGENC_COMPAT_H */
