// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace side of pgenc: KVM_CAP_PAGE_ENC_BITMAP and the
 * KVM_{GET,SET}_PAGE_ENC_BITMAP VM ioctls.
 *
 * Both ioctls hold kvm->slots_lock throughout, which keeps the memslots
 * and their bits in place, and take the per-VM spinlock one chunk at a
 * time, so that a vCPU's hypercall never waits for more than one chunk
 * or for a page fault: the caller's buffer is pinned before the spinlock
 * is taken (a chunk at a time for GET, all of it first for SET, which
 * must fail before changing anything), and the bits then move between
 * the memslots' bits and the pinned pages in one pass, without a bounce
 * buffer.
 */
#include <linux/compat.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "pgenc.h"
#include "pgenc_bits.h"

int pgenc_check_extension(void)
{
	return KVM_PAGE_ENC_CAP_ALL;
}

/*
 * The vendor module's veto on KVM_ENABLE_CAP, called under kvm->lock:
 * kvm-amd refuses a mirror VM, which has no bitmap of its own
 * (Documentation/api.rst, "Moved and mirrored SEV contexts"). Set while
 * kvm-amd is loaded, so constant while any VM exists (each VM holds a
 * reference on kvm-amd).
 */
static int (*pgenc_enable_check)(struct kvm *kvm);

void pgenc_set_enable_check(int (*check)(struct kvm *kvm))
{
	pgenc_enable_check = check;
}
EXPORT_SYMBOL_GPL(pgenc_set_enable_check);

int pgenc_enable_cap(struct kvm *kvm, struct kvm_enable_cap *cap)
{
	bool newly;
	int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(cap->args); i++)
		if (cap->args[i])
			return -EINVAL;
	/*
	 * KVM_SEV_INIT enables and, on failure, undoes under kvm->lock; so
	 * must we, or we could report tracking that is about to be undone.
	 * A VM becomes a mirror under its kvm->lock too.
	 */
	mutex_lock(&kvm->lock);
	r = pgenc_enable_check ? pgenc_enable_check(kvm) : 0;
	if (!r)
		r = pgenc_enable(kvm, &newly);
	mutex_unlock(&kvm->lock);
	return r;
}

static u8 __user *pgenc_user_buf(const struct kvm_page_enc_bitmap *b)
{
	if (in_compat_syscall())
		return compat_ptr((u32)b->padding2);
	return u64_to_user_ptr(b->padding2);
}

/*
 * GET's image of gfns [g, g + 8 * len) into dst: holes read as 1, each
 * memslot's bits over them. Each byte is written once, but for the
 * edge bytes a slot merges into: they start as 1s, and a byte two slots
 * share keeps the first one's bits. Slots come in gfn order. The lock is
 * held. Also the debugfs pgenc_bitmap's (pgenc_vm.c).
 */
void pgenc_get_range(struct pgenc_vm *pv, struct kvm_memslots *slots, u8 *dst,
		     u64 g, u64 len)
{
	u64 end = g + 8 * len, done = 0, lo, hi, a, b;
	struct kvm_memslot_iter iter;
	struct pgenc_slot *s;

	kvm_for_each_memslot_in_gfn_range(&iter, slots, g, end) {
		s = pgenc_slot_of(pv, iter.slot);
		if (!s)
			continue;
		lo = max_t(u64, g, iter.slot->base_gfn);
		hi = min_t(u64, end, iter.slot->base_gfn + s->npages);
		a = (lo - g) / 8;
		b = DIV_ROUND_UP(hi - g, 8);
		if (a >= done)
			memset(dst + done, 0xff, a + 1 - done);
		if (b - 1 > a)
			dst[b - 1] = 0xff;
		pgenc_get_slot(dst, g, len, s->bits, iter.slot->base_gfn,
			       s->npages);
		done = b;
	}
	if (len > done)
		memset(dst + done, 0xff, len - done);
}

/*
 * GET: the caller's buffer is pinned one chunk at a time and the chunk's
 * bytes are stored straight into it under the spinlock (one pass over
 * the data; a chunk is still seen atomically). The last, partial byte
 * keeps the caller's bits past num_pages.
 */
static int pgenc_get_bitmap(struct pgenc_vm *pv,
			    const struct kvm_page_enc_bitmap *b)
{
	struct kvm_memslots *slots = __kvm_memslots(pv->kvm, 0);
	struct page *pages[PGENC_CHUNK_BYTES / PAGE_SIZE + 1];
	u8 __user *ubuf = pgenc_user_buf(b);
	u64 n = b->num_pages, whole = n & ~7ULL, done = 0, chunk;
	u8 last = 0;

	if (!access_ok(ubuf, pgenc_user_bytes(n)))
		return -EFAULT;
	/* The caller's bits past num_pages in the last byte are kept. */
	if (n % 8 && get_user(last, ubuf + n / 8))
		return -EFAULT;

	while (done < whole) {
		unsigned long ua = (unsigned long)ubuf + done / 8;
		size_t bytes, off = offset_in_page(ua), k, po, seg;
		int np, got;
		u8 *dst;

		chunk = min(whole - done, PGENC_CHUNK_BITS);
		bytes = chunk / 8;
		np = DIV_ROUND_UP(off + bytes, PAGE_SIZE);
		got = pin_user_pages_fast(ua & PAGE_MASK, np, FOLL_WRITE,
					  pages);
		if (got != np) {
			if (got > 0)
				unpin_user_pages(pages, got);
			return got < 0 ? got : -EFAULT;
		}
		pgenc_lock(pv);
		for (k = 0; k < bytes; k += seg) {
			po = (off + k) % PAGE_SIZE;
			seg = min(bytes - k, PAGE_SIZE - po);
			dst = kmap_local_page(pages[(off + k) / PAGE_SIZE]);
			pgenc_get_range(pv, slots, dst + po,
					b->start_gfn + done + 8ULL * k, seg);
			kunmap_local(dst);
		}
		pgenc_unlock(pv);
		unpin_user_pages_dirty_lock(pages, np, true);
		done += chunk;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	if (n % 8) {
		u8 ours;

		pgenc_lock(pv);
		pgenc_get_range(pv, slots, &ours, b->start_gfn + whole, 1);
		pgenc_unlock(pv);
		last = pgenc_user_last_byte(ours, last, n);
		if (put_user(last, ubuf + n / 8))
			return -EFAULT;
	}
	return 0;
}

/*
 * Copy bits [upos, upos + n) of a user buffer, pinned as pages[] from
 * byte offset off of pages[0], into map bits [mpos, mpos + n), a page of
 * the buffer at a time: each page is a map of PAGE_SIZE * 8 bits.
 */
static void pgenc_bits_from_pages(unsigned long *map, u64 mpos,
				  struct page **pages, size_t off, u64 upos,
				  u64 n)
{
	const u64 page_bits = PAGE_SIZE * 8ULL;
	u64 done = 0, ub, k;
	unsigned long *src;

	while (done < n) {
		ub = off * 8ULL + upos + done;
		k = min(n - done, page_bits - ub % page_bits);
		src = kmap_local_page(pages[ub / page_bits]);
		pgenc_bits_copy(map, mpos + done, src, page_bits,
				ub % page_bits, k);
		kunmap_local(src);
		done += k;
	}
}

/*
 * Everything that can fail happens before the first bit changes: the
 * range is checked against the memslots and the user buffer pinned
 * first, then copied from without faults, a chunk per lock hold.
 */
static int pgenc_set_bitmap(struct pgenc_vm *pv,
			    const struct kvm_page_enc_bitmap *b)
{
	struct kvm_memslots *slots = __kvm_memslots(pv->kvm, 0);
	u64 n = b->num_pages, start = b->start_gfn, done, chunk, lo, hi;
	u8 __user *ubuf = pgenc_user_buf(b);
	struct kvm_memslot_iter iter;
	struct page **pages = NULL;
	struct pgenc_slot *s;
	size_t off = 0;
	long npages = 0, got;

	if (!pgenc_covered(pv, slots, start, n))
		return -EINVAL;

	if (ubuf) {
		off = offset_in_page(ubuf);
		npages = DIV_ROUND_UP(off + pgenc_user_bytes(n), PAGE_SIZE);
		/* Sized by the caller: failing is -ENOMEM, not a warning. */
		pages = kvmalloc_array(npages, sizeof(*pages),
				       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!pages)
			return -ENOMEM;
		got = pin_user_pages_fast((unsigned long)ubuf & PAGE_MASK,
					  npages, 0, pages);
		if (got != npages) {
			if (got > 0)
				unpin_user_pages(pages, got);
			kvfree(pages);
			return got < 0 ? got : -EFAULT;
		}
	}

	for (done = 0; done < n; done += chunk) {
		chunk = min(n - done, PGENC_CHUNK_BITS);
		pgenc_lock(pv);
		kvm_for_each_memslot_in_gfn_range(&iter, slots, start + done,
						  start + done + chunk) {
			s = pgenc_slot_of(pv, iter.slot);
			if (!s)
				continue;
			lo = max_t(u64, start + done, iter.slot->base_gfn);
			hi = min_t(u64, start + done + chunk,
				   iter.slot->base_gfn + s->npages);
			if (pages)
				pgenc_bits_from_pages(s->bits,
						      lo - iter.slot->base_gfn,
						      pages, off, lo - start,
						      hi - lo);
			else
				pgenc_bits_fill(s->bits,
						lo - iter.slot->base_gfn,
						hi - lo, true);
		}
		pgenc_unlock(pv);
		cond_resched();
	}
	if (pages) {
		unpin_user_pages(pages, npages);
		kvfree(pages);
	}
	return 0;
}

long pgenc_vm_ioctl(struct kvm *kvm, unsigned int ioctl, void __user *argp)
{
	struct kvm_page_enc_bitmap b;
	struct pgenc_vm *pv;
	long r;

	if (copy_from_user(&b, argp, sizeof(b)))
		return -EFAULT;

	/* An untracked VM is -ENXIO whatever the range (api.rst, errors). */
	mutex_lock(&kvm->slots_lock);
	pv = pgenc_vm_find(kvm);
	if (!pv)
		r = -ENXIO;
	else if (!pgenc_range_valid(b.start_gfn, b.num_pages))
		r = -EINVAL;
	else if (ioctl == KVM_GET_PAGE_ENC_BITMAP)
		r = pgenc_get_bitmap(pv, &b);
	else
		r = pgenc_set_bitmap(pv, &b);
	mutex_unlock(&kvm->slots_lock);
	return r;
}
