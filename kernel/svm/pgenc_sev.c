// SPDX-License-Identifier: GPL-2.0-only
/*
 * pgenc, kvm-amd side.
 *
 * Firmware calls: sev.c's calls arrive here (sev_route.h). They go to the
 * PSP driver, or to sevsim when it is active; each guest's policy is
 * noted on the way. (DBG commands are counted per VM where sev.c issues
 * them, in __sev_issue_dbg_cmd(), which knows the VM: hook patch 0007.)
 *
 * DBG bypass: sev_dbg_crypt() asks pgenc_sev_dbg_bypass() first for each
 * page. A guest page that the bitmap marks shared holds plaintext, so it
 * is copied directly and no firmware command is spent on it; anything
 * else goes to the firmware as before. The result is only as true as the
 * guest's reports. A guest whose policy forbids debugging (NODBG), or
 * whose policy is unknown, gets stock behaviour: the firmware refuses the
 * first step, so the whole command fails and nothing is copied.
 */
#include <linux/highmem.h>
#include <linux/interval_tree.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "pgenc.h"
#include "pgenc_sev.h"
#include "sevsim.h"

MODULE_VERSION(PGENC_VERSION);

static bool pgenc_dbg_bypass = true;
module_param(pgenc_dbg_bypass, bool, 0644);
MODULE_PARM_DESC(pgenc_dbg_bypass,
		 "Copy shared pages directly in SEV DBG_DECRYPT/ENCRYPT (testing: N sends them to the firmware)");

/* SEV API, guest policy bit 0: debugging is disabled. */
#define PGENC_SEV_POLICY_NODBG BIT(0)

/*
 * Firmware handle -> the guest's policy (an xarray value, never a
 * pointer, so an entry cannot outlive anything it refers to). Stored when
 * LAUNCH_START or RECEIVE_START creates the handle, erased by
 * DECOMMISSION, read by the bypass. Locking: the xarray's own lock for
 * stores and erases, RCU (inside xa_load()) for reads. A handle is
 * created and decommissioned under the owning VM's kvm->lock, or in its
 * destruction, so a read made for a live VM (or its mirror, which holds a
 * reference on the owner, or the VM an intra-host migration moved the
 * handle to) sees that guest's entry. Empty at module unload.
 */
static DEFINE_XARRAY(pgenc_sev_policies);

/* Note the policy of the guest a successful command has just created. */
static void pgenc_sev_note_policy(unsigned int id, void *data)
{
	u32 handle, policy;

	if (id == SEV_CMD_LAUNCH_START) {
		handle = ((struct sev_data_launch_start *)data)->handle;
		policy = ((struct sev_data_launch_start *)data)->policy;
	} else if (id == SEV_CMD_RECEIVE_START) {
		handle = ((struct sev_data_receive_start *)data)->handle;
		policy = ((struct sev_data_receive_start *)data)->policy;
	} else {
		return;
	}
	/*
	 * The handle exists now and the command cannot be failed without
	 * leaking it; without an entry the bypass leaves this guest to the
	 * firmware, which is stock behaviour.
	 */
	xa_store(&pgenc_sev_policies, handle, xa_mk_value(policy),
		 GFP_KERNEL_ACCOUNT);
}

void pgenc_sev_exit(void)
{
	/* Every VM, hence every handle, is gone before kvm-amd unloads. */
	WARN_ON(!xa_empty(&pgenc_sev_policies));
	xa_destroy(&pgenc_sev_policies);
}

/* The PSP driver's convention: -EIO and *error = status on failure. */
static int pgenc_sevsim(unsigned int id, void *data, int *error)
{
	int fw = sevsim_cmd(id, data);

	if (error)
		*error = fw;
	return fw ? -EIO : 0;
}

int pgenc_sev_issue_cmd_external_user(struct file *filep, unsigned int id,
				      void *data, int *error)
{
	int r;

	if (!sevsim_active())
		r = sev_issue_cmd_external_user(filep, id, data, error);
	else if (!sevsim_is_dev(filep))
		r = -EBADF;
	else
		r = pgenc_sevsim(id, data, error);
	if (!r)
		pgenc_sev_note_policy(id, data);
	return r;
}

/*
 * sevsim initialises its platform at the first guest's init, as 6.1's
 * KVM does the PSP's: kvm-amd's setup on later series only probes.
 */
int pgenc_sev_platform_init(PGENC_SEV_INIT_ARGS *args)
{
	int *error = pgenc_sev_init_error(args);
	int r = 0;

	if (!sevsim_active())
		return sev_platform_init(args);
	if (pgenc_sev_init_probe(args))
		return 0;
	mutex_lock(&sevsim_lock);
	if (sevsim_pstate == SEVSIM_PSTATE_UNINIT)
		r = sevsim_platform_cmd(SEV_CMD_INIT, NULL);
	mutex_unlock(&sevsim_lock);
	if (error)
		*error = r;
	return r ? -EIO : 0;
}

int pgenc_sev_guest_activate(struct sev_data_activate *data, int *error)
{
	if (!sevsim_active())
		return sev_guest_activate(data, error);
	return pgenc_sevsim(SEV_CMD_ACTIVATE, data, error);
}

int pgenc_sev_guest_deactivate(struct sev_data_deactivate *data, int *error)
{
	if (!sevsim_active())
		return sev_guest_deactivate(data, error);
	return pgenc_sevsim(SEV_CMD_DEACTIVATE, data, error);
}

int pgenc_sev_guest_decommission(struct sev_data_decommission *data, int *error)
{
	xa_erase(&pgenc_sev_policies, data->handle);
	if (!sevsim_active())
		return sev_guest_decommission(data, error);
	return pgenc_sevsim(SEV_CMD_DECOMMISSION, data, error);
}

int pgenc_sev_guest_df_flush(int *error)
{
	if (!sevsim_active())
		return sev_guest_df_flush(error);
	return pgenc_sevsim(SEV_CMD_DF_FLUSH, NULL, error);
}

/* Whole pages the bypass copies per step: one lookup and one pin each. */
#define PGENC_DBG_BATCH 16

/*
 * How many pages from the page at hva on, at most max, the bypass may
 * copy: every memslot that maps that page must have it reported shared
 * (Documentation/api.rst, "Memslots and aliases"), and the run stops
 * where the set of memslots mapping the pages changes, so one answer
 * covers it. 0: the firmware takes the page (no memslot maps it, or one
 * has it private).
 *
 * Memslots of address space 0 (an SEV guest has no SMM), found through
 * KVM's interval tree of host addresses, as kvm_main.c's
 * kvm_for_each_memslot_in_hva_range() does (that macro is private to
 * kvm.ko): O(log n + aliases) per step rather than a walk of up to
 * KVM_USER_MEM_SLOTS slots. A slot being deleted or moved
 * (KVM_MEMSLOT_INVALID) is skipped, as KVM's own lookups do.
 */
static u64 pgenc_hva_shared_run(struct kvm *kvm, unsigned long hva, u64 max)
{
	unsigned long start = hva & PAGE_MASK;
	unsigned long last = start + (max << PAGE_SHIFT) - 1;
	struct interval_tree_node *node;
	struct kvm_memory_slot *slot;
	struct kvm_memslots *slots;
	bool mapped = false;
	u64 n = max, pg;
	int idx;

	idx = srcu_read_lock(&kvm->srcu);
	/* One snapshot: a memslot update may swap the active set meanwhile. */
	slots = kvm_memslots(kvm);
	for (node = interval_tree_iter_first(&slots->hva_tree, start, last);
	     node && n; node = interval_tree_iter_next(node, start, last)) {
		slot = container_of(node, struct kvm_memory_slot,
				    hva_node[slots->node_idx]);
		if (slot->flags & KVM_MEMSLOT_INVALID)
			continue;
		if (slot->userspace_addr > start) {
			/* Starts within the run: the run ends before it. */
			n = min_t(u64, n,
				  (slot->userspace_addr - start) >> PAGE_SHIFT);
			continue;
		}
		mapped = true;
		pg = (start - slot->userspace_addr) >> PAGE_SHIFT;
		n = pgenc_shared_run(kvm, slot->base_gfn + pg,
				     min(n, slot->npages - pg));
	}
	srcu_read_unlock(&kvm->srcu, idx);
	return mapped ? n : 0;
}

/*
 * Copy between the n pages at src and the n pages at dst, pinned first
 * (one call per side) so that the copy itself takes no fault: n whole,
 * page-aligned pages with copy_page(), or (n = 1) len bytes within one
 * page on each side. Nothing is written unless every page is pinned: a
 * failing copy_from_user() straight into a guest page would zero the
 * rest of the range there.
 */
static int pgenc_copy_pinned(unsigned long src, unsigned long dst, int n,
			     unsigned int len)
{
	struct page *from[PGENC_DBG_BATCH], *to[PGENC_DBG_BATCH];
	int got_from, got_to = 0, i, r = -EFAULT;

	got_from = pin_user_pages_fast(src & PAGE_MASK, n, 0, from);
	if (got_from == n)
		got_to =
			pin_user_pages_fast(dst & PAGE_MASK, n, FOLL_WRITE, to);
	if (got_to == n) {
		for (i = 0; i < n; i++) {
			u8 *d = kmap_local_page(to[i]);
			u8 *s = kmap_local_page(from[i]);

			if (len == n * PAGE_SIZE)
				copy_page(d, s);
			else
				memcpy(d + offset_in_page(dst),
				       s + offset_in_page(src), len);
			kunmap_local(s);
			kunmap_local(d);
		}
		r = 0;
	}
	if (got_to > 0)
		unpin_user_pages_dirty_lock(to, got_to, !r);
	if (got_from > 0)
		unpin_user_pages(from, got_from);
	return r;
}

/*
 * One step of sev_dbg_crypt(): src/dst are userspace addresses, the guest
 * page is src for DBG_DECRYPT and dst for DBG_ENCRYPT. Returns the bytes
 * copied (up to PGENC_DBG_BATCH whole pages when both sides are page
 * aligned, else up to the next page boundary of either side), 0 to let
 * the firmware do this step, or -errno. Every step of a guest whose
 * policy has NODBG goes to the firmware, as without pgenc: it refuses the
 * first, so the command fails before copying anything, shared pages
 * included. The bitmap is read when the step starts: a page the guest
 * converts meanwhile is copied as it was reported, as with any report the
 * guest makes after the read.
 */
int pgenc_sev_dbg_bypass(struct kvm *kvm, u32 handle, unsigned long src,
			 unsigned long dst, unsigned int size, bool dec)
{
	void *policy = xa_load(&pgenc_sev_policies, handle);
	unsigned long hva;
	unsigned int len;
	int r;
	u64 n;

	if (!pgenc_dbg_bypass || !xa_is_value(policy) ||
	    (xa_to_value(policy) & PGENC_SEV_POLICY_NODBG))
		return 0;
	hva = dec ? src : dst;

	/* Whole pages: the run the guest reported shared, in one batch. */
	if (!offset_in_page(src) && !offset_in_page(dst) && size >= PAGE_SIZE) {
		n = pgenc_hva_shared_run(kvm, hva,
					 min_t(u64, size >> PAGE_SHIFT,
					       PGENC_DBG_BATCH));
		len = n << PAGE_SHIFT;
	} else {
		n = pgenc_hva_shared_run(kvm, hva, 1);
		len = min3((unsigned long)size, PAGE_SIZE - offset_in_page(src),
			   PAGE_SIZE - offset_in_page(dst));
	}
	if (!n)
		return 0;
	r = pgenc_copy_pinned(src, dst, n, len);
	if (r)
		return r;
	pgenc_count_dbg(kvm, 0, n);
	return len;
}
