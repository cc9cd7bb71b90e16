// SPDX-License-Identifier: GPL-2.0-only
/*
 * pgenc per-VM state: a side table keyed by struct kvm (whose layout we
 * must not change), the bitmap's life cycle and its sizing from memslots.
 */
#include <linux/debugfs.h>
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/rbtree.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "pgenc.h"
#include "pgenc_bits.h"

MODULE_VERSION(PGENC_VERSION);

/* Writers hold pgenc_vms_mutex; readers walk a bucket under RCU. */
static DEFINE_HASHTABLE(pgenc_vms, 6);
static DEFINE_MUTEX(pgenc_vms_mutex);

static const struct file_operations pgenc_stats_fops;

static struct pgenc_vm *__pgenc_vm_find(struct kvm *kvm)
{
	struct pgenc_vm *pv;

	hash_for_each_possible_rcu(pgenc_vms, pv, node, (unsigned long)kvm)
		if (pv->kvm == kvm)
			return pv;
	return NULL;
}

/*
 * The state lives until kvm_arch_destroy_vm(), which runs when no ioctl
 * and no vCPU of the VM can run, so the pointer stays valid for callers
 * that act on behalf of the VM.
 */
struct pgenc_vm *pgenc_vm_find(struct kvm *kvm)
{
	struct pgenc_vm *pv;

	rcu_read_lock();
	pv = __pgenc_vm_find(kvm);
	rcu_read_unlock();
	return pv;
}
EXPORT_SYMBOL_GPL(pgenc_vm_find); /* pgenc_enabled() in sev.c */

/*
 * Whole pages, and all of them usable: kvmalloc() would round a large
 * bitmap up to 2 MiB huge pages (or a power of two via kmalloc) and
 * charge the VMM for bits it cannot use.
 */
static unsigned long *pgenc_alloc_bits(u64 nbits, u64 *cap_bits)
{
	u64 bytes = BITS_TO_LONGS(nbits) * sizeof(unsigned long);
	unsigned long *bits;

	if (!bytes || bytes > INT_MAX)
		return NULL;
	if (bytes <= PAGE_SIZE) {
		bits = kmalloc(bytes, GFP_KERNEL_ACCOUNT);
	} else {
		bytes = PAGE_ALIGN(bytes);
		bits = __vmalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	}
	if (bits) {
		memset(bits, 0xff, bytes);
		*cap_bits = bytes * BITS_PER_BYTE;
	}
	return bits;
}

/* End gfn of the highest memslot in any address space; slots_lock held. */
static u64 pgenc_memslots_end(struct kvm *kvm)
{
	struct kvm_memory_slot *slot;
	struct kvm_memslots *slots;
	struct rb_node *last;
	u64 end = 0;
	int as;

	lockdep_assert_held(&kvm->slots_lock);
	for (as = 0; as < KVM_ADDRESS_SPACE_NUM; as++) {
		slots = __kvm_memslots(kvm, as);
		last = rb_last(&slots->gfn_tree);
		if (!last)
			continue;
		slot = container_of(last, struct kvm_memory_slot,
				    gfn_node[slots->node_idx]);
		end = max(end, slot->base_gfn + slot->npages);
	}
	return end;
}

/*
 * Turn tracking on; idempotent. *newly tells the caller whether this call
 * did it, so that a caller failing later can undo exactly its own change.
 * kvm->lock is held from here to any undo, so no other enabler can see
 * and report tracking that is then undone.
 */
int pgenc_enable(struct kvm *kvm, bool *newly)
{
	struct pgenc_vm *pv;
	int r = 0;

	lockdep_assert_held(&kvm->lock);
	*newly = false;
	mutex_lock(&kvm->slots_lock);
	if (pgenc_vm_find(kvm))
		goto out;

	r = -ENOMEM;
	pv = kzalloc(sizeof(*pv), GFP_KERNEL_ACCOUNT);
	if (!pv)
		goto out;
	pv->kvm = kvm;
	spin_lock_init(&pv->lock);
	pv->nbits = pgenc_memslots_end(kvm);
	if (pv->nbits) {
		pv->bits = pgenc_alloc_bits(pv->nbits, &pv->cap_bits);
		if (!pv->bits) {
			kfree(pv);
			goto out;
		}
	}

	mutex_lock(&pgenc_vms_mutex);
	hash_add_rcu(pgenc_vms, &pv->node, (unsigned long)kvm);
	mutex_unlock(&pgenc_vms_mutex);
	*newly = true;
	r = 0;
	/* Fails harmlessly (-EEXIST) if an undone enable made it before. */
	if (!IS_ERR_OR_NULL(kvm->debugfs_dentry))
		debugfs_create_file("pgenc_stats", 0444, kvm->debugfs_dentry,
				    kvm, &pgenc_stats_fops);
out:
	mutex_unlock(&kvm->slots_lock);
	return r;
}
EXPORT_SYMBOL_GPL(pgenc_enable);

static void pgenc_vm_remove(struct pgenc_vm *pv)
{
	mutex_lock(&pgenc_vms_mutex);
	hash_del_rcu(&pv->node);
	mutex_unlock(&pgenc_vms_mutex);
	kvfree(pv->bits);
	kvfree(pv->pending);
	kfree_rcu(pv, rcu);
}

/*
 * Undo a pgenc_enable() of this caller (newly == true) that a later step
 * of the same command failed. The caller guarantees no vCPU exists yet;
 * slots_lock keeps out the GET/SET ioctls, the only other users.
 */
void pgenc_undo_enable(struct kvm *kvm, bool newly)
{
	struct pgenc_vm *pv;

	lockdep_assert_held(&kvm->lock);
	if (!newly)
		return;
	mutex_lock(&kvm->slots_lock);
	pv = pgenc_vm_find(kvm);
	if (pv)
		pgenc_vm_remove(pv);
	mutex_unlock(&kvm->slots_lock);
}
EXPORT_SYMBOL_GPL(pgenc_undo_enable);

void pgenc_vm_destroy(struct kvm *kvm)
{
	struct pgenc_vm *pv = pgenc_vm_find(kvm);

	if (pv)
		pgenc_vm_remove(pv);
}

/*
 * Allocate a larger bitmap now, where failure can still fail the memslot
 * ioctl cleanly; kvm_arch_commit_memory_region() cannot fail.
 */
int pgenc_prepare_memory_region(struct kvm *kvm,
				const struct kvm_memory_slot *new,
				enum kvm_mr_change change)
{
	struct pgenc_vm *pv;
	u64 end;

	if (change != KVM_MR_CREATE && change != KVM_MR_MOVE)
		return 0;
	pv = pgenc_vm_find(kvm);
	if (!pv)
		return 0;

	end = new->base_gfn + new->npages;
	if (end <= pv->cap_bits)
		return 0;

	kvfree(pv->pending);
	pv->pending = pgenc_alloc_bits(end, &pv->pending_bits);
	return pv->pending ? 0 : -ENOMEM;
}

/* The new memslots are live: set the tracked range to their extent. */
void pgenc_commit_memory_region(struct kvm *kvm, enum kvm_mr_change change)
{
	unsigned long *old = NULL, *pending;
	struct pgenc_vm *pv;
	u64 end;

	if (change == KVM_MR_FLAGS_ONLY)
		return;
	pv = pgenc_vm_find(kvm);
	if (!pv)
		return;

	end = pgenc_memslots_end(kvm);
	pending = pv->pending;
	pv->pending = NULL;
	if (WARN_ON_ONCE(end > pv->cap_bits &&
			 (!pending || end > pv->pending_bits)))
		end = pv->cap_bits;

	spin_lock(&pv->lock);
	if (end > pv->cap_bits) {
		/*
		 * Bits past nbits are already 1 in both maps. Not
		 * bitmap_copy(): its unsigned int length is too short.
		 */
		if (pv->bits)
			memcpy(pending, pv->bits,
			       BITS_TO_LONGS(pv->nbits) *
				       sizeof(unsigned long));
		old = pv->bits;
		pv->bits = pending;
		pv->cap_bits = pv->pending_bits;
		pending = NULL;
	} else if (end < pv->nbits) {
		pgenc_bits_fill(pv->bits, end, pv->nbits - end, true);
	}
	pv->nbits = end;
	spin_unlock(&pv->lock);

	kvfree(old);
	kvfree(pending);
}

/*
 * For the DBG bypass: how many pages from gfn on, at most max, the guest reported shared in
 * a row: 0 if gfn is encrypted, untracked or tracking is off.
 */
u64 pgenc_shared_run(struct kvm *kvm, gfn_t gfn, u64 max)
{
	struct pgenc_vm *pv = pgenc_vm_find(kvm);
	u64 run = 0, end;

	if (!pv)
		return 0;
	spin_lock(&pv->lock);
	if (gfn < pv->nbits) {
		end = gfn + min(max, pv->nbits - gfn);
		run = find_next_bit(pv->bits, end, gfn) - gfn;
	}
	spin_unlock(&pv->lock);
	return run;
}
EXPORT_SYMBOL_GPL(pgenc_shared_run);

void pgenc_count_dbg(struct kvm *kvm, u64 fw_cmds, u64 bypassed)
{
	struct pgenc_vm *pv = pgenc_vm_find(kvm);

	if (!pv)
		return;
	spin_lock(&pv->lock);
	pv->dbg_fw_cmds += fw_cmds;
	pv->dbg_bypassed_pages += bypassed;
	spin_unlock(&pv->lock);
}
EXPORT_SYMBOL_GPL(pgenc_count_dbg);

/*
 * debugfs: <kvm debugfs dir>/pgenc_stats. The file holds the kvm, not our
 * state, and looks the state up under slots_lock, so it stays valid
 * whatever happens to tracking; KVM removes the directory before the VM
 * is freed.
 */
static int pgenc_stats_show(struct seq_file *m, void *unused)
{
	struct kvm *kvm = m->private;
	u64 shared = 0, hypercalls, errors, fw_cmds, bypassed, pos, end;
	struct pgenc_vm *pv;

	mutex_lock(&kvm->slots_lock);
	pv = pgenc_vm_find(kvm);
	if (!pv) {
		mutex_unlock(&kvm->slots_lock);
		seq_puts(m, "tracking: off\n");
		return 0;
	}
	/* A chunk starts at a word: bitmap_weight() from that word. */
	for (pos = 0; pos < pv->nbits; pos = end) {
		end = min(pv->nbits, pos + SZ_512K);
		spin_lock(&pv->lock);
		shared += end - pos -
			  bitmap_weight(pv->bits + pos / BITS_PER_LONG,
					end - pos);
		spin_unlock(&pv->lock);
		cond_resched();
	}
	spin_lock(&pv->lock);
	hypercalls = pv->hypercalls;
	errors = pv->hypercall_errors;
	fw_cmds = pv->dbg_fw_cmds;
	bypassed = pv->dbg_bypassed_pages;
	spin_unlock(&pv->lock);
	seq_printf(m, "tracking: on\ntracked_pages: %llu\nshared_pages: %llu\n",
		   pv->nbits, shared);
	seq_printf(m,
		   "bitmap_bytes: %llu\nhypercalls: %llu\nhypercall_errors: %llu\n",
		   pv->cap_bits / BITS_PER_BYTE, hypercalls, errors);
	seq_printf(m,
		   "migration_control: %llu\ndbg_fw_cmds: %llu\ndbg_bypassed_pages: %llu\n",
		   READ_ONCE(pv->migration_control), fw_cmds, bypassed);
	mutex_unlock(&kvm->slots_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pgenc_stats);

/*
 * Intra-host migration (KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM): the state
 * belongs to the SEV context and moves with it, see
 * Documentation/api.rst, "Moved and mirrored SEV contexts".
 *
 * Called by sev.c with both VMs' kvm->lock held and every vCPU of both
 * stopped (their mutexes held), where the move can still fail: nothing
 * changes unless this returns 0. src untracked: 0, nothing changes.
 * Otherwise dst gets the bits of its memslots' gfns, the counters and
 * the MSR value, replacing any state of its own, and src is left
 * untracked (its pgenc_stats reads "off").
 *
 * No user of either state can run meanwhile: the hypercall and MSRs need
 * a vCPU, GET/SET and debugfs take slots_lock, the DBG bypass kvm->lock.
 * So the copy needs no spinlock.
 */
int pgenc_vm_move(struct kvm *dst, struct kvm *src)
{
	struct pgenc_vm *from, *to, *old;
	u64 n, words;
	int r = 0;

	lockdep_assert_held(&dst->lock);
	lockdep_assert_held(&src->lock);
	mutex_lock(&dst->slots_lock);
	mutex_lock_nested(&src->slots_lock, SINGLE_DEPTH_NESTING);
	from = pgenc_vm_find(src);
	if (!from)
		goto out;

	r = -ENOMEM;
	to = kzalloc(sizeof(*to), GFP_KERNEL_ACCOUNT);
	if (!to)
		goto out;
	to->kvm = dst;
	spin_lock_init(&to->lock);
	to->nbits = pgenc_memslots_end(dst);
	if (to->nbits) {
		to->bits = pgenc_alloc_bits(to->nbits, &to->cap_bits);
		if (!to->bits) {
			kfree(to);
			goto out;
		}
	}
	r = 0;

	/* Bits past either end stay 1: to's tail is 1 from the allocation. */
	n = min(to->nbits, from->nbits);
	words = n / BITS_PER_LONG;
	if (words)
		memcpy(to->bits, from->bits, words * sizeof(unsigned long));
	if (n % BITS_PER_LONG)
		to->bits[words] = from->bits[words] | ~BITMAP_LAST_WORD_MASK(n);
	to->migration_control = from->migration_control;
	to->hypercalls = from->hypercalls;
	to->hypercall_errors = from->hypercall_errors;
	to->dbg_fw_cmds = from->dbg_fw_cmds;
	to->dbg_bypassed_pages = from->dbg_bypassed_pages;

	old = pgenc_vm_find(dst);
	if (old)
		pgenc_vm_remove(old);
	mutex_lock(&pgenc_vms_mutex);
	hash_add_rcu(pgenc_vms, &to->node, (unsigned long)dst);
	mutex_unlock(&pgenc_vms_mutex);
	pgenc_vm_remove(from);
	if (!old && !IS_ERR_OR_NULL(dst->debugfs_dentry))
		debugfs_create_file("pgenc_stats", 0444, dst->debugfs_dentry,
				    dst, &pgenc_stats_fops);
out:
	mutex_unlock(&src->slots_lock);
	mutex_unlock(&dst->slots_lock);
	return r;
}
EXPORT_SYMBOL_GPL(pgenc_vm_move);
