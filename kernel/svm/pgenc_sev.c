// SPDX-License-Identifier: GPL-2.0-only
/*
 * pgenc, kvm-amd side.
 *
 * Firmware calls: sev.c's calls arrive here (sev_route.h). They go to the
 * PSP driver, or to sevsim when it is active; DBG commands are counted
 * per VM on the way.
 *
 * DBG bypass: sev_dbg_crypt() asks pgenc_sev_dbg_bypass() first for each
 * page. A guest page that the bitmap marks shared holds plaintext, so it
 * is copied directly and no firmware command is spent on it; anything
 * else goes to the firmware as before. The result is only as true as the
 * guest's reports.
 */
#include <linux/highmem.h>
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

/*
 * Firmware handle -> struct kvm, for counting DBG commands, which carry
 * only a handle. Set by the bypass hook, which runs under kvm->lock
 * before every DBG command of that VM; erased by DECOMMISSION.
 */
static DEFINE_XARRAY(pgenc_sev_handles);

static void pgenc_sev_count_cmd(unsigned int id, void *data)
{
	struct sev_data_dbg *dbg = data;
	struct kvm *kvm;

	if (id != SEV_CMD_DBG_DECRYPT && id != SEV_CMD_DBG_ENCRYPT)
		return;
	kvm = xa_load(&pgenc_sev_handles, dbg->handle);
	if (kvm)
		pgenc_count_dbg(kvm, 1, 0);
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
	pgenc_sev_count_cmd(id, data);
	if (!sevsim_active())
		return sev_issue_cmd_external_user(filep, id, data, error);
	if (!sevsim_is_dev(filep))
		return -EBADF;
	return pgenc_sevsim(id, data, error);
}

int pgenc_sev_platform_init(int *error)
{
	int r = 0;

	if (!sevsim_active())
		return sev_platform_init(error);
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
	xa_erase(&pgenc_sev_handles, data->handle);
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

/* The gfn whose memory is at hva, or -1; memslots of address space 0. */
static s64 pgenc_hva_to_gfn(struct kvm *kvm, unsigned long hva)
{
	struct kvm_memslots *slots;
	struct kvm_memory_slot *slot;
	s64 gfn = -1;
	int idx, bkt;

	idx = srcu_read_lock(&kvm->srcu);
	/*
	 * One snapshot: the macro evaluates its argument on every step, and
	 * a memslot update swapping the active set in between would mix two
	 * sets' hash chains and node_idx.
	 */
	slots = kvm_memslots(kvm);
	kvm_for_each_memslot(slot, bkt, slots) {
		if (hva >= slot->userspace_addr &&
		    hva - slot->userspace_addr < (slot->npages << PAGE_SHIFT)) {
			gfn = slot->base_gfn +
			      ((hva - slot->userspace_addr) >> PAGE_SHIFT);
			break;
		}
	}
	srcu_read_unlock(&kvm->srcu, idx);
	return gfn;
}

/*
 * A whole page both ways: pin the guest page and the caller's page and
 * copy_page() between them, the kernel's fastest page copy, with no user
 * access or fault handling on the copy itself.
 */
static int pgenc_copy_whole_page(unsigned long src, unsigned long dst)
{
	struct page *from, *to;
	int r = -EFAULT;

	if (pin_user_pages_fast(src, 1, 0, &from) != 1)
		return -EFAULT;
	if (pin_user_pages_fast(dst, 1, FOLL_WRITE, &to) == 1) {
		void *d = kmap_local_page(to), *s = kmap_local_page(from);

		copy_page(d, s);
		kunmap_local(s);
		kunmap_local(d);
		unpin_user_pages_dirty_lock(&to, 1, true);
		r = 0;
	}
	unpin_user_page(from);
	return r;
}

/* Part of a page: one copy between the pinned guest page and the caller. */
static int pgenc_copy_part(unsigned long src, unsigned long dst,
			   unsigned int len, bool dec)
{
	unsigned long guest = dec ? src : dst, left;
	struct page *page;
	u8 *p;

	if (pin_user_pages_fast(guest & PAGE_MASK, 1, dec ? 0 : FOLL_WRITE,
				&page) != 1)
		return -EFAULT;
	p = kmap_local_page(page);
	if (dec)
		left = copy_to_user((void __user *)dst, p + offset_in_page(src),
				    len);
	else
		left = copy_from_user(p + offset_in_page(dst),
				      (void __user *)src, len);
	kunmap_local(p);
	unpin_user_pages_dirty_lock(&page, 1, !dec && !left);
	return left ? -EFAULT : 0;
}

/*
 * One step of sev_dbg_crypt(): src/dst are userspace addresses, the guest
 * page is src for DBG_DECRYPT and dst for DBG_ENCRYPT. Returns the bytes
 * copied (up to the next page boundary of either side), 0 to let the
 * firmware do this step, or -errno.
 */
int pgenc_sev_dbg_bypass(struct kvm *kvm, u32 handle, unsigned long src,
			 unsigned long dst, unsigned int size, bool dec)
{
	unsigned int len;
	s64 gfn;
	int r;

	if (handle && !xa_load(&pgenc_sev_handles, handle)) {
		r = xa_err(xa_store(&pgenc_sev_handles, handle, kvm,
				    GFP_KERNEL_ACCOUNT));
		if (r)
			return r;
	}
	if (!pgenc_dbg_bypass)
		return 0;
	gfn = pgenc_hva_to_gfn(kvm, dec ? src : dst);
	if (gfn < 0 || !pgenc_gfn_is_shared(kvm, gfn))
		return 0;

	len = min3((unsigned long)size, PAGE_SIZE - offset_in_page(src),
		   PAGE_SIZE - offset_in_page(dst));
	r = len == PAGE_SIZE ? pgenc_copy_whole_page(src, dst) :
			       pgenc_copy_part(src, dst, len, dec);
	if (r)
		return r;
	pgenc_count_dbg(kvm, 0, 1);
	return len;
}
