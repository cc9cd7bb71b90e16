/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pgenc: per-page encryption status tracking, kvm.ko side.
 *
 * The hook patches in patches/<series>/ call the functions below from
 * x86.c, cpuid.c and sev.c; everything else is private to our files.
 */
#ifndef PGENC_H
#define PGENC_H

#include <linux/kvm_host.h>
#include <linux/kvm_pgenc.h>

struct msr_data;

/* Per-VM tracking state; exists iff tracking is enabled on the VM. */
struct pgenc_vm {
	struct hlist_node node; /* in pgenc_vms, RCU; writers pgenc_vms_mutex */
	struct kvm *kvm;
	struct rcu_head rcu;

	/*
	 * Lock order: kvm->lock -> kvm->slots_lock -> pgenc_vms_mutex -> lock.
	 *
	 * @lock protects @bits (pointer and contents), @nbits and @cap_bits.
	 * It is held only for bounded bit operations: the hypercall path
	 * takes nothing else (never kvm->lock, which SEV commands hold
	 * across firmware calls) and never allocates. Every other path that
	 * changes @bits or @nbits also holds kvm->slots_lock, so a holder of
	 * slots_lock may read @nbits and @cap_bits without @lock.
	 *
	 * Invariant: every bit in [@nbits, @cap_bits) is 1, so a page that
	 * becomes tracked starts encrypted.
	 */
	spinlock_t lock;
	unsigned long *bits;
	u64 nbits; /* tracked gfns: [0, nbits) */
	u64 cap_bits; /* allocated bits, a multiple of BITS_PER_LONG */

	/* Under kvm->slots_lock: made by prepare, installed by commit. */
	unsigned long *pending;
	u64 pending_bits;

	/* MSR_KVM_MIGRATION_CONTROL; guest writes race only with each other. */
	u64 migration_control;

	/* Statistics for debugfs; updated under @lock. */
	u64 hypercalls;
	u64 hypercall_errors;
	u64 dbg_fw_cmds; /* SEV DBG commands sent to the firmware */
	u64 dbg_bypassed_pages; /* DBG steps copied without firmware */
};

/* pgenc_vm.c */
struct pgenc_vm *pgenc_vm_find(struct kvm *kvm);

static inline bool pgenc_enabled(struct kvm *kvm)
{
	return pgenc_vm_find(kvm);
}

int pgenc_enable(struct kvm *kvm, bool *newly);
void pgenc_undo_enable(struct kvm *kvm, bool newly);
void pgenc_vm_destroy(struct kvm *kvm);
int pgenc_prepare_memory_region(struct kvm *kvm,
				const struct kvm_memory_slot *new,
				enum kvm_mr_change change);
void pgenc_commit_memory_region(struct kvm *kvm, enum kvm_mr_change change);
u64 pgenc_shared_run(struct kvm *kvm, gfn_t gfn, u64 max);
void pgenc_count_dbg(struct kvm *kvm, u64 fw_cmds, u64 bypassed);
int pgenc_vm_move(struct kvm *dst, struct kvm *src);

/* pgenc_hypercall.c */
bool pgenc_hypercall(struct kvm_vcpu *vcpu, unsigned long a0, unsigned long a1,
		     unsigned long a2, unsigned long *ret);
int pgenc_set_msr(struct kvm_vcpu *vcpu, struct msr_data *msr_info);
int pgenc_get_msr(struct kvm_vcpu *vcpu, struct msr_data *msr_info);

/* pgenc_ioctl.c */
int pgenc_check_extension(void);
int pgenc_enable_cap(struct kvm *kvm, struct kvm_enable_cap *cap);
void pgenc_set_enable_check(int (*check)(struct kvm *kvm));
long pgenc_vm_ioctl(struct kvm *kvm, unsigned int ioctl, void __user *argp);

#endif /* PGENC_H */
