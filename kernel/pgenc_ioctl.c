// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace side of pgenc: KVM_CAP_PAGE_ENC_BITMAP and the
 * KVM_{GET,SET}_PAGE_ENC_BITMAP VM ioctls.
 *
 * Both ioctls hold kvm->slots_lock throughout, which keeps the bitmap's
 * size fixed, and take the per-VM spinlock one chunk at a time, so that a
 * vCPU's hypercall never waits for more than one chunk or for userspace
 * memory (copies to and from userspace happen outside the spinlock).
 */
#include <linux/compat.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "pgenc.h"
#include "pgenc_bits.h"

/* Bits handled per spinlock hold: 64 KiB of bitmap, 2 GiB of guest. */
#define PGENC_CHUNK_BYTES SZ_64K
#define PGENC_CHUNK_BITS (PGENC_CHUNK_BYTES * 8ULL)

int pgenc_check_extension(void)
{
	return KVM_PAGE_ENC_CAP_ALL;
}

int pgenc_enable_cap(struct kvm *kvm, struct kvm_enable_cap *cap)
{
	bool newly;
	int i;

	for (i = 0; i < ARRAY_SIZE(cap->args); i++)
		if (cap->args[i])
			return -EINVAL;
	return pgenc_enable(kvm, &newly);
}

static u8 __user *pgenc_user_buf(const struct kvm_page_enc_bitmap *b)
{
	if (in_compat_syscall())
		return compat_ptr((u32)b->padding2);
	return u64_to_user_ptr(b->padding2);
}

static int pgenc_get_bitmap(struct pgenc_vm *pv,
			    const struct kvm_page_enc_bitmap *b)
{
	u8 __user *ubuf = pgenc_user_buf(b);
	u64 n = b->num_pages, done, chunk;
	unsigned long *bounce;
	u8 last = 0;
	int r = 0;

	if (!access_ok(ubuf, pgenc_user_bytes(n)))
		return -EFAULT;
	/* The caller's bits past num_pages in the last byte are kept. */
	if (n % 8 && get_user(last, ubuf + n / 8))
		return -EFAULT;

	bounce = kmalloc(PGENC_CHUNK_BYTES, GFP_KERNEL_ACCOUNT);
	if (!bounce)
		return -ENOMEM;

	for (done = 0; done < n; done += chunk) {
		chunk = min(n - done, PGENC_CHUNK_BITS);
		spin_lock(&pv->lock);
		pgenc_bits_read(bounce, pv->bits, pv->nbits,
				b->start_gfn + done, chunk);
		spin_unlock(&pv->lock);
		if (done + chunk == n && n % 8) {
			u8 *p = (u8 *)bounce + chunk / 8;

			*p = pgenc_user_last_byte(*p, last, n);
		}
		/* chunk <= PGENC_CHUNK_BITS: no overflow here. */
		if (copy_to_user(ubuf + done / 8, bounce,
				 DIV_ROUND_UP(chunk, 8))) {
			r = -EFAULT;
			break;
		}
		if (fatal_signal_pending(current)) {
			r = -EINTR;
			break;
		}
		cond_resched();
	}
	kfree(bounce);
	return r;
}

/* Everything that can fail happens before the first bit changes. */
static int pgenc_set_bitmap(struct pgenc_vm *pv,
			    const struct kvm_page_enc_bitmap *b)
{
	u8 __user *ubuf = pgenc_user_buf(b);
	u64 n = b->num_pages, done, chunk;
	unsigned long *src = NULL;

	if (!pgenc_range_inside(b->start_gfn, n, pv->nbits))
		return -EINVAL;

	if (ubuf) {
		/* n <= nbits, whose own allocation fit under INT_MAX bytes. */
		src = kvmalloc_array(PGENC_WORDS(n), sizeof(unsigned long),
				     GFP_KERNEL_ACCOUNT);
		if (!src)
			return -ENOMEM;
		src[PGENC_WORDS(n) - 1] = 0;
		if (copy_from_user(src, ubuf, pgenc_user_bytes(n))) {
			kvfree(src);
			return -EFAULT;
		}
	}

	for (done = 0; done < n; done += chunk) {
		chunk = min(n - done, PGENC_CHUNK_BITS);
		spin_lock(&pv->lock);
		if (src)
			pgenc_bits_write(pv->bits, b->start_gfn + done,
					 src + done / PGENC_WORD_BITS, chunk);
		else
			pgenc_bits_fill(pv->bits, b->start_gfn + done, chunk,
					true);
		spin_unlock(&pv->lock);
		cond_resched();
	}
	kvfree(src);
	return 0;
}

long pgenc_vm_ioctl(struct kvm *kvm, unsigned int ioctl, void __user *argp)
{
	struct kvm_page_enc_bitmap b;
	struct pgenc_vm *pv;
	long r;

	if (copy_from_user(&b, argp, sizeof(b)))
		return -EFAULT;
	if (!pgenc_range_valid(b.start_gfn, b.num_pages))
		return -EINVAL;

	mutex_lock(&kvm->slots_lock);
	pv = pgenc_vm_find(kvm);
	if (!pv)
		r = -ENXIO;
	else if (ioctl == KVM_GET_PAGE_ENC_BITMAP)
		r = pgenc_get_bitmap(pv, &b);
	else
		r = pgenc_set_bitmap(pv, &b);
	mutex_unlock(&kvm->slots_lock);
	return r;
}
