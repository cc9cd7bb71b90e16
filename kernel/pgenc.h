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
#include <linux/sizes.h>
#include <linux/xarray.h>
#include <linux/kvm_pgenc.h>

#include "pgenc_compat.h"

struct msr_data;

/*
 * Bits handled per hold of pgenc_vm.lock: 64 KiB of bitmap, 2 GiB of
 * guest (Documentation/api.rst, "7. Locking").
 */
#define PGENC_CHUNK_BYTES SZ_64K
#define PGENC_CHUNK_BITS (PGENC_CHUNK_BYTES * 8ULL)

/*
 * The bits of one memslot of address space 0: bit i is gfn base_gfn + i.
 * Bits past npages in the last word are 1. Allocated apart from this
 * header, so that a slot's bits take whole pages and no more.
 */
struct pgenc_slot {
	u64 npages;
	u64 bytes; /* allocated, this header included */
	unsigned long *bits;
};

/* Per-VM tracking state; exists iff tracking is enabled on the VM. */
struct pgenc_vm {
	struct hlist_node node; /* in pgenc_vms, RCU; writers pgenc_vms_mutex */
	struct kvm *kvm;
	struct rcu_head rcu;

	/*
	 * Lock order: kvm->lock -> kvm->slots_lock -> pgenc_vms_mutex -> lock.
	 *
	 * @slots maps the id of each memslot of address space 0 to its
	 * struct pgenc_slot. Entries are added and removed only under
	 * kvm->slots_lock, by the memslot hooks, which remove one only after
	 * KVM's SRCU grace period for the slot: a holder of slots_lock, or of
	 * kvm->srcu with the slot in hand, may use the entry.
	 *
	 * @lock protects the contents of the bits and the counters. It is
	 * held for at most PGENC_CHUNK_BITS bits of work: the hypercall path
	 * takes nothing else (never kvm->lock, which SEV commands hold across
	 * firmware calls) and never allocates.
	 */
	struct xarray slots;
	spinlock_t lock; /* see above */

	/* MSR_KVM_MIGRATION_CONTROL; guest writes race only with each other. */
	u64 migration_control;

	/* Statistics for debugfs; updated under @lock. */
	u64 hypercalls;
	u64 hypercall_errors;
	u64 dbg_fw_cmds; /* SEV DBG commands sent to the firmware */
	u64 dbg_bypassed_pages; /* DBG steps copied without firmware */
	/*
	 * Under @lock: the memslot of the last one-slot hypercall and its
	 * bits (pgenc_slot_cached()). Never an INVALID slot; cleared by every
	 * memslot commit, before KVM frees the old slot.
	 */
	const struct kvm_memory_slot *last_slot;
	struct pgenc_slot *last_bits;

	u64 hold_start; /* local_clock() at the last pgenc_lock() */
	u64 max_hold_ns; /* longest hold of @lock, with pgenc_hold_stats */
	u64 max_hold_bits; /* most bits a walk filled or copied in one hold */
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
void pgenc_commit_memory_region(struct kvm *kvm,
				const struct kvm_memory_slot *old,
				enum kvm_mr_change change);
int pgenc_vm_move(struct kvm *dst, struct kvm *src);
void pgenc_lock(struct pgenc_vm *pv);
void pgenc_unlock(struct pgenc_vm *pv);
struct pgenc_slot *pgenc_slot_of(struct pgenc_vm *pv,
				 const struct kvm_memory_slot *slot);
struct pgenc_slot *pgenc_slot_cached(struct pgenc_vm *pv,
				     const struct kvm_memory_slot *slot);
bool pgenc_covered(struct pgenc_vm *pv, struct kvm_memslots *slots, gfn_t start,
		   u64 n);
u64 pgenc_ring_room(struct kvm *kvm);
u64 pgenc_mark_flips(struct kvm *kvm, const struct kvm_memory_slot *slot,
		     const unsigned long *bits, u64 off, u64 n, bool encrypted,
		     u64 *room);
bool pgenc_fill(struct pgenc_vm *pv, struct kvm_memslots *slots, gfn_t start,
		u64 n, bool encrypted);
u64 pgenc_shared_run(struct kvm *kvm, gfn_t gfn, u64 max);
void pgenc_count_dbg(struct kvm *kvm, u64 fw_cmds, u64 bypassed);

/* pgenc_hypercall.c */
int pgenc_hypercall(struct kvm_vcpu *vcpu, unsigned long a0, unsigned long a1,
		    unsigned long a2, unsigned long *ret);
int pgenc_emulate_hypercall(struct kvm_vcpu *vcpu, unsigned long nr,
			    unsigned long a0, unsigned long a1,
			    unsigned long a2, unsigned long a3, int op_64_bit,
			    int cpl);
int pgenc_set_msr(struct kvm_vcpu *vcpu, struct msr_data *msr_info);
int pgenc_get_msr(struct kvm_vcpu *vcpu, struct msr_data *msr_info);

/* pgenc_ioctl.c */
int pgenc_check_extension(void);
int pgenc_enable_cap(struct kvm *kvm, struct kvm_enable_cap *cap);
void pgenc_set_enable_check(int (*check)(struct kvm *kvm));
long pgenc_vm_ioctl(struct kvm *kvm, unsigned int ioctl, void __user *argp);
void pgenc_get_range(struct pgenc_vm *pv, struct kvm_memslots *slots, u8 *dst,
		     u64 g, u64 len);

#endif /* PGENC_H */
