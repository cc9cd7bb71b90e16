// SPDX-License-Identifier: GPL-2.0-only
/*
 * pgenc per-VM state: a side table keyed by struct kvm (whose layout we
 * must not change), holding the bits of each memslot (Documentation/
 * api.rst, "Tracked memory"), their life cycle and the chunked walks.
 */
#include <linux/debugfs.h>
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "pgenc.h"
#include "pgenc_bits.h"

MODULE_VERSION(PGENC_VERSION);

/* Writers hold pgenc_vms_mutex; readers walk a bucket under RCU. */
static DEFINE_HASHTABLE(pgenc_vms, 6);
static DEFINE_MUTEX(pgenc_vms_mutex);

static const struct file_operations pgenc_stats_fops;
static const struct file_operations pgenc_bitmap_fops;

/* The files of pgenc in KVM's per-VM debugfs directory. */
static const struct {
	const char *name;
	umode_t mode;
	const struct file_operations *fops;
} pgenc_debugfs_files[] = {
	{ "pgenc_stats", 0444, &pgenc_stats_fops },
	{ "pgenc_bitmap", 0400, &pgenc_bitmap_fops },
};

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
 * Test-only: record the longest hold of each VM's pgenc lock, shown in
 * pgenc_stats (Documentation/api.rst, "10. Per-VM statistics (debugfs)").
 */
static bool pgenc_hold_stats;
module_param(pgenc_hold_stats, bool, 0644);

void pgenc_lock(struct pgenc_vm *pv) __acquires(&pv->lock)
{
	spin_lock(&pv->lock);
	if (unlikely(READ_ONCE(pgenc_hold_stats)))
		pv->hold_start = local_clock();
}

void pgenc_unlock(struct pgenc_vm *pv) __releases(&pv->lock)
{
	if (unlikely(READ_ONCE(pgenc_hold_stats)) && pv->hold_start) {
		pv->max_hold_ns =
			max(pv->max_hold_ns, local_clock() - pv->hold_start);
		pv->hold_start = 0;
	}
	spin_unlock(&pv->lock);
}

static void pgenc_slot_free(struct pgenc_slot *s)
{
	if (s)
		kvfree(s->bits);
	kfree(s);
}

/*
 * The bits of a slot, all 1. Whole pages, and all of them usable, past a
 * page: kvmalloc() would round a large bitmap up to 2 MiB huge pages (or a
 * power of two via kmalloc) and charge the VMM for bits it cannot use.
 */
static struct pgenc_slot *pgenc_slot_alloc(u64 npages)
{
	u64 bytes = BITS_TO_LONGS(npages) * sizeof(unsigned long);
	struct pgenc_slot *s;

	if (bytes > INT_MAX)
		return NULL;
	s = kmalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return NULL;
	if (bytes <= PAGE_SIZE) {
		s->bits = kmalloc(bytes, GFP_KERNEL_ACCOUNT);
	} else {
		bytes = PAGE_ALIGN(bytes);
		s->bits = __vmalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	}
	if (!s->bits) {
		kfree(s);
		return NULL;
	}
	s->npages = npages;
	s->bytes = bytes + sizeof(*s);
	memset(s->bits, 0xff, bytes);
	return s;
}

static void pgenc_slots_free(struct xarray *xa)
{
	struct pgenc_slot *s;
	unsigned long id;

	xa_for_each(xa, id, s)
		pgenc_slot_free(s);
	xa_destroy(xa);
}

/*
 * Only address space 0 is tracked: it is the guest's memory; the SMM
 * address space aliases it, and SEV-ES guests have no SMM
 * (Documentation/api.rst, "Tracked memory").
 */
static bool pgenc_tracked_slot(const struct kvm_memory_slot *slot)
{
	return slot->as_id == 0;
}

struct pgenc_slot *pgenc_slot_of(struct pgenc_vm *pv,
				 const struct kvm_memory_slot *slot)
{
	struct pgenc_slot *s = xa_load(&pv->slots, slot->id);

	if (WARN_ON_ONCE(!s || s->npages != slot->npages))
		return NULL;
	return s;
}

/*
 * pgenc_slot_of() through a one-entry cache, for the hypercall; pv->lock
 * held, slot found under kvm->srcu. A cached pointer cannot name a slot
 * KVM has freed and reallocated: a slot is freed only after a commit,
 * which clears the cache first, or, marked INVALID, after a failed
 * change, and INVALID slots are never cached.
 */
struct pgenc_slot *pgenc_slot_cached(struct pgenc_vm *pv,
				     const struct kvm_memory_slot *slot)
{
	struct pgenc_slot *s;

	lockdep_assert_held(&pv->lock);
	if (pv->last_slot == slot)
		return pv->last_bits;
	s = pgenc_slot_of(pv, slot);
	if (s && !(slot->flags & KVM_MEMSLOT_INVALID)) {
		pv->last_slot = slot;
		pv->last_bits = s;
	}
	return s;
}

/* A bits entry for every memslot of address space 0; slots_lock held. */
static int pgenc_slots_alloc(struct kvm *kvm, struct xarray *xa)
{
	struct kvm_memory_slot *slot;
	struct pgenc_slot *s;
	int bkt, r;

	lockdep_assert_held(&kvm->slots_lock);
	kvm_for_each_memslot(slot, bkt, __kvm_memslots(kvm, 0)) {
		s = pgenc_slot_alloc(slot->npages);
		if (!s)
			return -ENOMEM;
		r = xa_insert(xa, slot->id, s, GFP_KERNEL_ACCOUNT);
		if (r) {
			pgenc_slot_free(s);
			return r;
		}
		cond_resched();
	}
	return 0;
}

static struct pgenc_vm *pgenc_vm_new(struct kvm *kvm)
{
	struct pgenc_vm *pv = kzalloc(sizeof(*pv), GFP_KERNEL_ACCOUNT);

	if (!pv)
		return NULL;
	pv->kvm = kvm;
	spin_lock_init(&pv->lock);
	xa_init(&pv->slots);
	if (pgenc_slots_alloc(kvm, &pv->slots)) {
		pgenc_slots_free(&pv->slots);
		kfree(pv);
		return NULL;
	}
	return pv;
}

/* slots_lock held: publishers of one VM are serialised. */
static void pgenc_vm_publish(struct pgenc_vm *pv)
{
	struct kvm *kvm = pv->kvm;
	struct dentry *d;
	int i;

	lockdep_assert_held(&kvm->slots_lock);
	mutex_lock(&pgenc_vms_mutex);
	hash_add_rcu(pgenc_vms, &pv->node, (unsigned long)kvm);
	mutex_unlock(&pgenc_vms_mutex);
	if (IS_ERR_OR_NULL(kvm->debugfs_dentry))
		return;
	for (i = 0; i < ARRAY_SIZE(pgenc_debugfs_files); i++) {
		/* An earlier state (undone, or replaced by a move) made it. */
		d = debugfs_lookup(pgenc_debugfs_files[i].name,
				   kvm->debugfs_dentry);
		if (d)
			dput(d);
		else
			debugfs_create_file(pgenc_debugfs_files[i].name,
					    pgenc_debugfs_files[i].mode,
					    kvm->debugfs_dentry, kvm,
					    pgenc_debugfs_files[i].fops);
	}
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
	/* Its page state is guest_memfd's: see pgenc_private_mem(). */
	if (pgenc_private_mem(kvm))
		return -EOPNOTSUPP;
	mutex_lock(&kvm->slots_lock);
	if (pgenc_vm_find(kvm))
		goto out;

	r = -ENOMEM;
	pv = pgenc_vm_new(kvm);
	if (!pv)
		goto out;
	pgenc_vm_publish(pv);
	*newly = true;
	r = 0;
out:
	mutex_unlock(&kvm->slots_lock);
	return r;
}
EXPORT_SYMBOL_GPL(pgenc_enable);

/* Callers make sure that nothing uses the state any more but RCU finds. */
static void pgenc_vm_remove(struct pgenc_vm *pv)
{
	mutex_lock(&pgenc_vms_mutex);
	hash_del_rcu(&pv->node);
	mutex_unlock(&pgenc_vms_mutex);
	pgenc_slots_free(&pv->slots);
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
 * A new slot's bits are allocated here, where failure can still fail
 * the memslot ioctl cleanly: the hook runs last in
 * kvm_arch_prepare_memory_region(), after which nothing can fail, and
 * kvm_arch_commit_memory_region() cannot fail. A moved slot keeps its id
 * and size, so its bits follow it; a flags change keeps them too.
 */
int pgenc_prepare_memory_region(struct kvm *kvm,
				const struct kvm_memory_slot *new,
				enum kvm_mr_change change)
{
	struct pgenc_slot *s;
	struct pgenc_vm *pv;
	int r;

	if (change != KVM_MR_CREATE || !pgenc_tracked_slot(new))
		return 0;
	pv = pgenc_vm_find(kvm);
	if (!pv)
		return 0;

	s = pgenc_slot_alloc(new->npages);
	if (!s)
		return -ENOMEM;
	r = xa_insert(&pv->slots, new->id, s, GFP_KERNEL_ACCOUNT);
	if (r)
		pgenc_slot_free(s);
	return WARN_ON_ONCE(r == -EBUSY) ? -EIO : r;
}

/*
 * The new memslots are live. A deleted slot's bits go: KVM has waited
 * for its SRCU readers (hypercalls) already, and GET/SET hold slots_lock.
 */
void pgenc_commit_memory_region(struct kvm *kvm,
				const struct kvm_memory_slot *old,
				enum kvm_mr_change change)
{
	struct pgenc_vm *pv = pgenc_vm_find(kvm);

	if (!pv)
		return;
	/* KVM frees the old slot after this (pgenc_slot_cached()). */
	pgenc_lock(pv);
	pv->last_slot = NULL;
	pv->last_bits = NULL;
	pgenc_unlock(pv);
	if (change == KVM_MR_DELETE && pgenc_tracked_slot(old))
		pgenc_slot_free(xa_erase(&pv->slots, old->id));
}

/*
 * Whether memslots cover every gfn of [start, start + n), n > 0, with no
 * hole; under kvm->srcu or slots_lock. O(slots in the range), no lock.
 */
bool pgenc_covered(struct pgenc_vm *pv, struct kvm_memslots *slots, gfn_t start,
		   u64 n)
{
	struct kvm_memslot_iter iter;
	u64 pos = start, end = start + n;

	kvm_for_each_memslot_in_gfn_range(&iter, slots, start, end) {
		if (iter.slot->base_gfn > pos || !pgenc_slot_of(pv, iter.slot))
			return false;
		pos = iter.slot->base_gfn + iter.slot->npages;
		if (pos >= end)
			return true;
	}
	return false;
}

/*
 * A walk's callback fn, its arg and kvm; for each call, the piece: bits
 * [off, off + k) of s, the bits of gfns [gfn, gfn + k) of KVM's slot.
 */
struct pgenc_piece {
	void (*fn)(const struct pgenc_piece *p);
	void *arg;
	struct kvm *kvm;
	const struct kvm_memory_slot *slot;
	struct pgenc_slot *s;
	u64 off, gfn, k;
};

/*
 * Call p->fn for each piece of [start, end) that lies in a memslot of
 * slots that pv tracks, at most PGENC_CHUNK_BITS a piece, under pv's
 * lock, with a scheduling point between pieces.
 */
static void pgenc_walk_pieces(struct pgenc_piece *p, struct pgenc_vm *pv,
			      struct kvm_memslots *slots, u64 start, u64 end)
{
	struct kvm_memslot_iter iter;
	bool first = true;
	u64 hi;

	kvm_for_each_memslot_in_gfn_range(&iter, slots, start, end) {
		p->s = pgenc_slot_of(pv, iter.slot);
		if (!p->s)
			continue;
		p->slot = iter.slot;
		p->gfn = max_t(u64, start, iter.slot->base_gfn);
		hi = min_t(u64, end, iter.slot->base_gfn + p->s->npages);
		for (; p->gfn < hi; p->gfn += p->k) {
			p->k = min(hi - p->gfn, PGENC_CHUNK_BITS);
			p->off = p->gfn - iter.slot->base_gfn;
			if (!first)
				cond_resched();
			first = false;
			pgenc_lock(pv);
			p->fn(p);
			if (unlikely(READ_ONCE(pgenc_hold_stats)))
				pv->max_hold_bits =
					max(pv->max_hold_bits, p->k);
			pgenc_unlock(pv);
		}
	}
}

/*
 * The entries the running vCPU's dirty ring can take below KVM's soft
 * limit, or U64_MAX when the VM logs to the slots' bitmaps. KVM keeps
 * the entries above the soft limit for its own marks until the vCPU
 * exits to have the ring harvested; a push into a full ring warns and
 * overwrites entries (Documentation/api.rst, "Dirty pages on a status
 * change").
 */
u64 pgenc_ring_room(struct kvm *kvm)
{
	struct kvm_vcpu *vcpu = kvm_get_running_vcpu();
	struct kvm_dirty_ring *ring;
	u32 used;

	if (!kvm->dirty_ring_size)
		return U64_MAX;
	if (WARN_ON_ONCE(!vcpu || vcpu->kvm != kvm))
		return 0;
	ring = &vcpu->dirty_ring;
	used = ring->dirty_index - ring->reset_index;
	return used < ring->soft_limit ? ring->soft_limit - used : 0;
}

/*
 * Mark dirty in KVM's dirty log, if slot logs, the pages of bits [off,
 * off + n) whose bit is about to change, at most *room of them: a
 * pre-copy iteration that sent a page under its old status sends it
 * again (Documentation/api.rst, "Dirty pages on a status change").
 * Returns the prefix of the range whose flips are all marked (n unless
 * *room ran out first); *room loses the marks. Under pv's lock, before
 * the bits of that prefix change.
 */
u64 pgenc_mark_flips(struct kvm *kvm, const struct kvm_memory_slot *slot,
		     const unsigned long *bits, u64 off, u64 n, bool encrypted,
		     u64 *room)
{
	u64 end = off + n, i;

	if (!kvm_slot_dirty_track_enabled(slot))
		return n;
	for (i = off;; i++) {
		i = encrypted ? find_next_zero_bit(bits, end, i) :
				find_next_bit(bits, end, i);
		if (i >= end)
			return n;
		if (!*room)
			return i - off;
		(*room)--;
		mark_page_dirty_in_slot(kvm, slot, slot->base_gfn + i);
	}
}

/* A fill's arg: the status, the ring's room; fit false stops the walk. */
struct pgenc_fill_arg {
	bool encrypted, fit;
	u64 room;
};

static void pgenc_fill_piece(const struct pgenc_piece *p)
{
	struct pgenc_fill_arg *a = p->arg;
	u64 len;

	if (!a->fit)
		return;
	len = pgenc_mark_flips(p->kvm, p->slot, p->s->bits, p->off, p->k,
			       a->encrypted, &a->room);
	pgenc_bits_fill(p->s->bits, p->off, len, a->encrypted);
	a->fit = len == p->k;
}

/*
 * Set (encrypted) or clear the bits of [start, start + n), which the
 * caller found covered, PGENC_CHUNK_BITS per hold of the lock; the pages
 * that flip are marked dirty. Only from a vCPU: the dirty ring needs one.
 * False if the marks filled the vCPU's dirty ring first: then a prefix
 * of the range changed, with its marks, and the rest did not.
 */
bool pgenc_fill(struct pgenc_vm *pv, struct kvm_memslots *slots, gfn_t start,
		u64 n, bool encrypted)
{
	struct pgenc_fill_arg a = {
		.encrypted = encrypted,
		.fit = true,
		.room = pgenc_ring_room(pv->kvm),
	};
	struct pgenc_piece p = {
		.fn = pgenc_fill_piece,
		.arg = &a,
		.kvm = pv->kvm,
	};

	pgenc_walk_pieces(&p, pv, slots, start, start + n);
	return a.fit;
}

/*
 * For the DBG bypass: how many pages from gfn on, at most max, the guest
 * reported shared in a row (across adjacent memslots): 0 if gfn is
 * encrypted, untracked or tracking is off.
 */
u64 pgenc_shared_run(struct kvm *kvm, gfn_t gfn, u64 max)
{
	struct pgenc_vm *pv = pgenc_vm_find(kvm);
	struct kvm_memory_slot *slot;
	u64 run = 0, pos, end, got;
	struct pgenc_slot *s;
	int idx;

	if (!pv)
		return 0;
	idx = srcu_read_lock(&kvm->srcu);
	while (run < max) {
		slot = __gfn_to_memslot(__kvm_memslots(kvm, 0), gfn + run);
		s = slot ? pgenc_slot_of(pv, slot) : NULL;
		if (!s)
			break;
		pos = gfn + run - slot->base_gfn;
		end = pos + min3(max - run, s->npages - pos, PGENC_CHUNK_BITS);
		pgenc_lock(pv);
		got = find_next_bit(s->bits, end, pos) - pos;
		pgenc_unlock(pv);
		run += got;
		if (pos + got < end)
			break; /* an encrypted page */
		if (run < max)
			cond_resched();
	}
	srcu_read_unlock(&kvm->srcu, idx);
	return run;
}
EXPORT_SYMBOL_GPL(pgenc_shared_run);

void pgenc_count_dbg(struct kvm *kvm, u64 fw_cmds, u64 bypassed)
{
	struct pgenc_vm *pv = pgenc_vm_find(kvm);

	if (!pv)
		return;
	pgenc_lock(pv);
	pv->dbg_fw_cmds += fw_cmds;
	pv->dbg_bypassed_pages += bypassed;
	pgenc_unlock(pv);
}
EXPORT_SYMBOL_GPL(pgenc_count_dbg);

/* pgenc_copy_piece() copies into d, the bits of a slot at gfn base. */
struct pgenc_copy_to {
	struct pgenc_slot *d;
	u64 base;
};

static void pgenc_copy_piece(const struct pgenc_piece *p)
{
	struct pgenc_copy_to *to = p->arg;

	pgenc_bits_copy(to->d->bits, p->gfn - to->base, p->s->bits,
			p->s->npages, p->off, p->k);
}

/*
 * Copy src's bits for the gfns of dst's slot into its bits d (fresh, all
 * 1), chunk by chunk; gfns that src has no slot for stay encrypted.
 */
static void pgenc_copy_slot(struct pgenc_vm *spv, struct kvm_memslots *sslots,
			    const struct kvm_memory_slot *dslot,
			    struct pgenc_slot *d)
{
	struct pgenc_copy_to to = { .d = d, .base = dslot->base_gfn };
	struct pgenc_piece p = { .fn = pgenc_copy_piece, .arg = &to };

	pgenc_walk_pieces(&p, spv, sslots, to.base, to.base + d->npages);
}

/*
 * KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM: the tracking state moves with the SEV
 * context (Documentation/api.rst, "Moved and mirrored SEV contexts").
 * Both kvm->locks are held and neither VM's vCPUs run. Everything is
 * allocated first: on failure nothing changes.
 */
int pgenc_vm_move(struct kvm *dst, struct kvm *src)
{
	struct pgenc_vm *spv, *dpv, *old;
	struct kvm_memory_slot *slot;
	int bkt, r = 0;

	lockdep_assert_held(&dst->lock);
	lockdep_assert_held(&src->lock);
	mutex_lock(&dst->slots_lock);
	mutex_lock_nested(&src->slots_lock, SINGLE_DEPTH_NESTING);
	spv = pgenc_vm_find(src);
	if (!spv)
		goto out;
	dpv = pgenc_vm_new(dst);
	if (!dpv) {
		r = -ENOMEM;
		goto out;
	}
	kvm_for_each_memslot(slot, bkt, __kvm_memslots(dst, 0)) {
		struct pgenc_slot *d = pgenc_slot_of(dpv, slot);

		if (d)
			pgenc_copy_slot(spv, __kvm_memslots(src, 0), slot, d);
	}
	dpv->migration_control = READ_ONCE(spv->migration_control);
	dpv->hypercalls = spv->hypercalls;
	dpv->hypercall_errors = spv->hypercall_errors;
	dpv->dbg_fw_cmds = spv->dbg_fw_cmds;
	dpv->dbg_bypassed_pages = spv->dbg_bypassed_pages;

	old = pgenc_vm_find(dst);
	if (old)
		pgenc_vm_remove(old);
	pgenc_vm_publish(dpv);
	pgenc_vm_remove(spv);
out:
	mutex_unlock(&src->slots_lock);
	mutex_unlock(&dst->slots_lock);
	return r;
}
EXPORT_SYMBOL_GPL(pgenc_vm_move);

/*
 * debugfs: <kvm debugfs dir>/pgenc_stats. The file holds the kvm, not our
 * state, and looks the state up under slots_lock, so it stays valid
 * whatever happens to tracking; KVM removes the directory before the VM
 * is freed.
 */
static int pgenc_stats_show(struct seq_file *m, void *unused)
{
	struct kvm *kvm = m->private;
	u64 shared = 0, tracked = 0, bytes = 0, nslots = 0, pos, k, w;
	u64 hypercalls, errors, fw_cmds, bypassed, max_hold, max_bits;
	struct pgenc_slot *s;
	struct pgenc_vm *pv;
	unsigned long id;

	mutex_lock(&kvm->slots_lock);
	pv = pgenc_vm_find(kvm);
	if (!pv) {
		mutex_unlock(&kvm->slots_lock);
		seq_puts(m, "tracking: off\n");
		return 0;
	}
	xa_for_each(&pv->slots, id, s) {
		tracked += s->npages;
		bytes += s->bytes;
		nslots++;
		/* A chunk starts at a word: bitmap_weight() from that word. */
		for (pos = 0; pos < s->npages; pos += k) {
			k = min(s->npages - pos, PGENC_CHUNK_BITS);
			pgenc_lock(pv);
			w = bitmap_weight(s->bits + pos / BITS_PER_LONG, k);
			pgenc_unlock(pv);
			shared += k - w;
			cond_resched();
		}
	}
	pgenc_lock(pv);
	hypercalls = pv->hypercalls;
	errors = pv->hypercall_errors;
	fw_cmds = pv->dbg_fw_cmds;
	bypassed = pv->dbg_bypassed_pages;
	max_hold = pv->max_hold_ns;
	max_bits = pv->max_hold_bits;
	pgenc_unlock(pv);
	seq_printf(m, "tracking: on\ntracked_pages: %llu\nshared_pages: %llu\n",
		   tracked, shared);
	seq_printf(m, "bitmap_bytes: %llu\nbitmap_slots: %llu\n", bytes,
		   nslots);
	seq_printf(m, "hypercalls: %llu\nhypercall_errors: %llu\n", hypercalls,
		   errors);
	seq_printf(m,
		   "migration_control: %llu\ndbg_fw_cmds: %llu\ndbg_bypassed_pages: %llu\n",
		   READ_ONCE(pv->migration_control), fw_cmds, bypassed);
	seq_printf(m, "max_hold_ns: %llu\nmax_hold_bits: %llu\n", max_hold,
		   max_bits);
	mutex_unlock(&kvm->slots_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pgenc_stats);

/*
 * debugfs: <kvm debugfs dir>/pgenc_bitmap, root only: the bits of gfns
 * [0, end of the highest tracked memslot) in libpgenc's raw format, what
 * GET returns for that range after a 32-byte header (Documentation/
 * api.rst, "Bitmap file (debugfs)"). Its size is fixed at open. Like
 * pgenc_stats, the file holds the kvm and looks the state up under
 * slots_lock, which KVM's removal of the directory (before the VM is
 * freed) does not hold; never kvm->lock, which SEV commands hold across
 * firmware calls. Each 64 KiB chunk of bits is read in one hold of the
 * pgenc lock into the open file's buffer, as GET stores a chunk, and
 * served from there while the reader goes on in order: a chunk is
 * consistent whatever the size of the reads. User memory is written
 * with no lock of KVM held.
 */
struct pgenc_raw_header {
	char magic[8]; /* "PGENCBM" and its NUL */
	__le32 version; /* 1 */
	__le32 size; /* of this header, 32 */
	__le64 start_gfn;
	__le64 num_pages;
};

#define PGENC_RAW_HEADER ((loff_t)sizeof(struct pgenc_raw_header))
static_assert(sizeof(struct pgenc_raw_header) == 32);

struct pgenc_bitmap_file {
	struct kvm *kvm;
	struct mutex lock; /* one read of this open file at a time */
	u64 num_pages;
	loff_t size; /* header and bits */
	loff_t next; /* where the last read ended, -1 before any */
	u64 chunk; /* the chunk in @buf, U64_MAX for none */
	size_t chunk_len;
	struct pgenc_raw_header hdr;
	u8 *buf; /* min(size of the bits, PGENC_CHUNK_BYTES) */
};

/* The end of the highest memslot that pv tracks; slots_lock held. */
static u64 pgenc_tracked_end(struct pgenc_vm *pv)
{
	struct kvm_memory_slot *slot;
	u64 end = 0;
	int bkt;

	lockdep_assert_held(&pv->kvm->slots_lock);
	kvm_for_each_memslot(slot, bkt, __kvm_memslots(pv->kvm, 0))
		if (pgenc_slot_of(pv, slot))
			end = max(end, slot->base_gfn + slot->npages);
	return end;
}

static int pgenc_bitmap_open(struct inode *inode, struct file *file)
{
	struct pgenc_bitmap_file *bf;
	struct kvm *kvm = inode->i_private;
	struct pgenc_vm *pv;
	u64 n = 0, bytes;
	int r;

	bf = kzalloc(sizeof(*bf), GFP_KERNEL_ACCOUNT);
	if (!bf)
		return -ENOMEM;
	r = mutex_lock_killable(&kvm->slots_lock);
	if (r)
		goto fail;
	pv = pgenc_vm_find(kvm);
	if (pv)
		n = pgenc_tracked_end(pv);
	mutex_unlock(&kvm->slots_lock);
	r = -ENXIO;
	if (!pv)
		goto fail;

	bytes = pgenc_user_bytes(n);
	if (bytes) {
		r = -ENOMEM;
		bf->buf = kvmalloc(min_t(u64, bytes, PGENC_CHUNK_BYTES),
				   GFP_KERNEL_ACCOUNT);
		if (!bf->buf)
			goto fail;
		/* The raw format has no empty bitmap: no memory, no bytes. */
		bf->size = PGENC_RAW_HEADER + bytes;
	}
	bf->kvm = kvm;
	mutex_init(&bf->lock);
	bf->num_pages = n;
	bf->next = -1;
	bf->chunk = U64_MAX;
	memcpy(bf->hdr.magic, "PGENCBM", sizeof(bf->hdr.magic));
	bf->hdr.version = cpu_to_le32(1);
	bf->hdr.size = cpu_to_le32(PGENC_RAW_HEADER);
	bf->hdr.start_gfn = cpu_to_le64(0);
	bf->hdr.num_pages = cpu_to_le64(n);
	file->private_data = bf;
	return 0;
fail:
	kfree(bf);
	return r;
}

/* Read chunk c of the bits into bf->buf, in one hold of the pgenc lock. */
static int pgenc_bitmap_fill(struct pgenc_bitmap_file *bf, u64 c)
{
	u64 bytes = pgenc_user_bytes(bf->num_pages);
	u64 pos = c * PGENC_CHUNK_BYTES;
	size_t len = min_t(u64, bytes - pos, PGENC_CHUNK_BYTES);
	struct kvm *kvm = bf->kvm;
	struct pgenc_vm *pv;

	if (mutex_lock_killable(&kvm->slots_lock))
		return -EINTR;
	pv = pgenc_vm_find(kvm);
	if (!pv) {
		mutex_unlock(&kvm->slots_lock);
		return -ENXIO;
	}
	pgenc_lock(pv);
	pgenc_get_range(pv, __kvm_memslots(kvm, 0), bf->buf, pos * 8, len);
	pgenc_unlock(pv);
	mutex_unlock(&kvm->slots_lock);
	/* The raw format's bits past num_pages are 0. */
	if (pos + len == bytes)
		bf->buf[len - 1] = pgenc_user_last_byte(bf->buf[len - 1], 0,
							bf->num_pages);
	bf->chunk = c;
	bf->chunk_len = len;
	return 0;
}

static ssize_t pgenc_bitmap_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct pgenc_bitmap_file *bf = file->private_data;
	loff_t pos = *ppos, p;
	size_t done = 0, k, avail;
	const u8 *src;
	u64 off;
	int r = 0;

	if (pos < 0)
		return -EINVAL;
	if (pos >= bf->size || !count)
		return 0;
	count = min_t(u64, count, bf->size - pos);
	if (mutex_lock_killable(&bf->lock))
		return -EINTR;
	/* A reader that starts anew (seeks) gets fresh bits. */
	if (pos != bf->next)
		bf->chunk = U64_MAX;
	while (done < count) {
		p = pos + done;
		if (p < PGENC_RAW_HEADER) {
			src = (const u8 *)&bf->hdr + p;
			avail = PGENC_RAW_HEADER - p;
		} else {
			off = p - PGENC_RAW_HEADER;
			if (off / PGENC_CHUNK_BYTES != bf->chunk) {
				if (done && fatal_signal_pending(current)) {
					r = -EINTR;
					break;
				}
				cond_resched();
				r = pgenc_bitmap_fill(bf,
						      off / PGENC_CHUNK_BYTES);
				if (r)
					break;
			}
			src = bf->buf + off % PGENC_CHUNK_BYTES;
			avail = bf->chunk_len - off % PGENC_CHUNK_BYTES;
		}
		k = min(count - done, avail);
		if (copy_to_user(ubuf + done, src, k)) {
			r = -EFAULT;
			break;
		}
		done += k;
	}
	if (done) {
		*ppos = pos + done;
		bf->next = *ppos;
	}
	mutex_unlock(&bf->lock);
	return done ? done : r;
}

static loff_t pgenc_bitmap_llseek(struct file *file, loff_t offset, int whence)
{
	struct pgenc_bitmap_file *bf = file->private_data;

	return fixed_size_llseek(file, offset, whence, bf->size);
}

/* No kvm here: KVM may have freed it (the proxy calls us regardless). */
static int pgenc_bitmap_release(struct inode *inode, struct file *file)
{
	struct pgenc_bitmap_file *bf = file->private_data;

	mutex_destroy(&bf->lock);
	kvfree(bf->buf);
	kfree(bf);
	return 0;
}

static const struct file_operations pgenc_bitmap_fops = {
	.owner = THIS_MODULE,
	.open = pgenc_bitmap_open,
	.read = pgenc_bitmap_read,
	.llseek = pgenc_bitmap_llseek,
	.release = pgenc_bitmap_release,
};
