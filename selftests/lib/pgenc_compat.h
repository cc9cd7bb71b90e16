/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs between the KVM selftest libraries of the kernel series
 * pgenc builds for (Documentation/testing.rst, "Linux 6.12"), in one
 * place: our tests use the 6.1 names, and this maps them onto 6.12's.
 *
 * 6.12's library (since 6.6-6.10) formats guest assert values in the
 * guest, sets up the IDT, GDT and TSS of every VM and vCPU it creates,
 * keeps them in vm->arch, and takes a struct vm_shape to create a VM.
 */
#ifndef PGENC_COMPAT_H
#define PGENC_COMPAT_H

#include <errno.h>
#include <stdint.h>
#include <linux/version.h>

#include "kvm_util.h"
#include "processor.h"

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)

#define PGENC_VM_GDT(vm) ((vm)->gdt)
#define PGENC_VM_TSS(vm) ((vm)->tss)

/* A second LAUNCH_UPDATE_VMSA reaches the firmware, which refuses it. */
#define PGENC_VMSA_AGAIN_ERR (-EIO)

/*
 * Slot 0 of @pages pages, the test binary loaded, an irqchip: what
 * __vm_create() does, with a slot 0 of our size.
 */
static inline struct kvm_vm *pgenc_vm_create_shell(uint64_t pages)
{
	struct kvm_vm *vm = ____vm_create(VM_MODE_DEFAULT, pages);

	kvm_vm_elf_load(vm, program_invocation_name);
	vm_create_irqchip(vm);
	return vm;
}

#else /* 6.12 */

#define PGENC_VM_GDT(vm) ((vm)->arch.gdt)
#define PGENC_VM_TSS(vm) ((vm)->arch.tss)

/* KVM refuses an encrypted VMSA itself (sev_es_sync_vmsa()). */
#define PGENC_VMSA_AGAIN_ERR (-EINVAL)

/*
 * 6.12 sizes slot 0 by the vCPU count alone (extra pages go to slots of
 * the test's own): ask for enough vCPUs' stacks to hold @pages. They are
 * only counted, never created; slot 0 also gets the descriptor tables.
 */
static inline struct kvm_vm *pgenc_vm_create_shell(uint64_t pages)
{
	return __vm_create(VM_SHAPE_DEFAULT,
			   (pages + DEFAULT_STACK_PGS - 1) / DEFAULT_STACK_PGS,
			   0);
}

/* Done by vm_create() and vm_vcpu_add() themselves. */
static inline void vm_init_descriptor_tables(struct kvm_vm *vm)
{
	(void)vm;
}

static inline void vcpu_init_descriptor_tables(struct kvm_vcpu *vcpu)
{
	(void)vcpu;
}

#define GUEST_ASSERT_1(cond, a1) __GUEST_ASSERT(cond, "0x%lx", (uint64_t)(a1))
#define GUEST_ASSERT_2(cond, a1, a2) \
	__GUEST_ASSERT(cond, "0x%lx, 0x%lx", (uint64_t)(a1), (uint64_t)(a2))
/* The guest formatted the values into the message already. */
#define REPORT_GUEST_ASSERT_1(uc, fmt) REPORT_GUEST_ASSERT(uc)
#define REPORT_GUEST_ASSERT_2(uc, fmt) REPORT_GUEST_ASSERT(uc)

#endif

#endif /* PGENC_COMPAT_H */
