// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest-facing side of pgenc: hypercall 12 and MSR_KVM_MIGRATION_CONTROL.
 * For the guest both act only when tracking is enabled on the VM (the
 * hooks call in only then); otherwise the stock code runs unchanged.
 */
#include <linux/kvm_host.h>
#include <linux/kvm_para.h>

#include "cpuid.h"
#include "x86.h"
#include "trace.h"
#include "pgenc.h"
#include "pgenc_bits.h"

/*
 * The common call, a range inside one memslot and one chunk: KVM's
 * last-used-slot lookup, then one lock hold that finds the slot's bits
 * (usually cached), marks the pages that flip dirty, and counts the call.
 * 1 done, 0 for the general path, -EAGAIN if the marks filled the vCPU's
 * dirty ring after a prefix of the range.
 */
static int pgenc_hc_one_slot(struct pgenc_vm *pv, struct kvm_memslots *slots,
			     const struct pgenc_hc_req *req)
{
	struct kvm_memory_slot *slot = __gfn_to_memslot(slots, req->gfn);
	struct pgenc_slot *s;
	u64 off, room, len;

	if (!slot || req->npages > PGENC_CHUNK_BITS)
		return 0;
	off = req->gfn - slot->base_gfn;
	if (req->npages > slot->npages - off)
		return 0;
	room = pgenc_ring_room(pv->kvm);
	pgenc_lock(pv);
	s = pgenc_slot_cached(pv, slot);
	if (!s) {
		pgenc_unlock(pv);
		return 0;
	}
	len = pgenc_mark_flips(pv->kvm, slot, s->bits, off, req->npages,
			       req->encrypted, &room);
	pgenc_bits_fill(s->bits, off, len, req->encrypted);
	if (len == req->npages)
		pv->hypercalls++;
	pgenc_unlock(pv);
	return len == req->npages ? 1 : -EAGAIN;
}

/*
 * Returns 1 when the call is complete with *ret as the guest's RAX, 0 to
 * let the stock KVM_HC_MAP_GPA_RANGE code run: tracking is off (stock
 * behaviour), or the VMM asked for the userspace exit, which it then gets
 * after the bitmap is updated. -EAGAIN when the dirty marks of the pages
 * that flip filled the vCPU's dirty ring after a prefix of the range: the
 * guest resumes at VMMCALL, so KVM exits with KVM_EXIT_DIRTY_RING_FULL
 * and, once the VMM has harvested the ring, the call runs again and goes
 * on where it stopped, its prefix having nothing left to flip
 * (Documentation/api.rst, "Dirty pages on a status change").
 *
 * The vCPU holds kvm->srcu here, so the memslots and their bits stay put;
 * the bits change a chunk per lock hold, with scheduling points between
 * (Documentation/api.rst, "Concurrency (GET and SET)").
 */
int pgenc_hypercall(struct kvm_vcpu *vcpu, unsigned long a0, unsigned long a1,
		    unsigned long a2, unsigned long *ret)
{
	struct kvm *kvm = vcpu->kvm;
	struct kvm_memslots *slots;
	struct pgenc_hc_req req;
	struct pgenc_vm *pv;
	int r;

	pv = pgenc_vm_find(kvm);
	if (!pv)
		return 0;
	/*
	 * A nested guest's call carries its own addresses, not L1's: it is
	 * refused (Documentation/api.rst, "Nested guests").
	 */
	if (is_guest_mode(vcpu)) {
		*ret = -KVM_EPERM;
		return 1;
	}

	/* Decoded against all of gfn space; the memslots then bound it. */
	slots = __kvm_memslots(kvm, 0);
	if (!pgenc_hc_decode(a0, a1, a2, U64_MAX, &req))
		goto refuse;
	r = pgenc_hc_one_slot(pv, slots, &req);
	if (!r) {
		if (!pgenc_covered(pv, slots, req.gfn, req.npages))
			goto refuse;
		r = pgenc_fill(pv, slots, req.gfn, req.npages, req.encrypted) ?
			    1 :
			    -EAGAIN;
		if (r > 0) {
			pgenc_lock(pv);
			pv->hypercalls++;
			pgenc_unlock(pv);
		}
	}
	if (r < 0)
		goto ring_full;
	*ret = 0;
	return !(kvm->arch.hypercall_exit_enabled &
		 BIT(KVM_HC_PAGE_ENC_STATUS));
refuse:
	pgenc_lock(pv);
	pv->hypercall_errors++;
	pgenc_unlock(pv);
	*ret = -KVM_EINVAL;
	return 1;
ring_full:
	if (!vcpu->arch.guest_state_protected)
		return -EAGAIN;
	/*
	 * An SEV-ES guest's call came through the GHCB, which a resumed
	 * guest does not reissue: it gets -KVM_E2BIG, its prefix done.
	 */
	pgenc_lock(pv);
	pv->hypercall_errors++;
	pgenc_unlock(pv);
	*ret = -KVM_E2BIG;
	return 1;
}

/*
 * The 6.12 hook, called by kvm_emulate_hypercall() ahead of
 * __kvm_emulate_hypercall(), whose result cannot tell its caller to
 * resume the guest at VMMCALL: hypercall 12 from CPL 0 goes to
 * pgenc_hypercall() with the stock checks, tracing and accounting.
 * Returns what kvm_emulate_hypercall() returns, or -1 for the stock path
 * (every other hypercall, any VM without tracking, and the
 * KVM_HC_MAP_GPA_RANGE exit the VMM asked for).
 */
int pgenc_emulate_hypercall(struct kvm_vcpu *vcpu, unsigned long nr,
			    unsigned long a0, unsigned long a1,
			    unsigned long a2, unsigned long a3, int op_64_bit,
			    int cpl)
{
	unsigned long ret;
	int r;

	if (!op_64_bit) {
		nr = (u32)nr;
		a0 = (u32)a0;
		a1 = (u32)a1;
		a2 = (u32)a2;
		a3 = (u32)a3;
	}
	if (nr != KVM_HC_PAGE_ENC_STATUS || cpl)
		return -1;
	r = pgenc_hypercall(vcpu, a0, a1, a2, &ret);
	if (!r)
		return -1;
	/* The dirty ring is soft-full: VMMCALL runs again after. */
	if (r < 0)
		return 1;
	trace_kvm_hypercall(nr, a0, a1, a2, a3);
	++vcpu->stat.hypercalls;
	kvm_rax_write(vcpu, op_64_bit ? ret : (u32)ret);
	return kvm_skip_emulated_instruction(vcpu);
}

/*
 * The hooks call in for guest accesses only when tracking is on, for host
 * accesses always: KVM_GET_MSR_INDEX_LIST lists the MSR, so on an
 * untracked VM it reads 0 and takes only 0, as KVM's to-be-saved MSRs do
 * (Documentation/api.rst, section 3).
 */
int pgenc_set_msr(struct kvm_vcpu *vcpu, struct msr_data *msr_info)
{
	struct pgenc_vm *pv = pgenc_vm_find(vcpu->kvm);

	if (!guest_pv_has(vcpu, KVM_FEATURE_MIGRATION_CONTROL))
		return KVM_MSR_RET_UNSUPPORTED;
	if (!pv && msr_info->host_initiated && !msr_info->data)
		return 0;
	if (!pv)
		return KVM_MSR_RET_UNSUPPORTED;
	if (msr_info->data & ~(u64)KVM_MIGRATION_READY)
		return 1;
	WRITE_ONCE(pv->migration_control, msr_info->data);
	return 0;
}

int pgenc_get_msr(struct kvm_vcpu *vcpu, struct msr_data *msr_info)
{
	struct pgenc_vm *pv = pgenc_vm_find(vcpu->kvm);

	if (!guest_pv_has(vcpu, KVM_FEATURE_MIGRATION_CONTROL))
		return KVM_MSR_RET_UNSUPPORTED;
	if (!pv && !msr_info->host_initiated)
		return KVM_MSR_RET_UNSUPPORTED;
	msr_info->data = pv ? READ_ONCE(pv->migration_control) : 0;
	return 0;
}
