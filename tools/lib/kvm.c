// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * KVM_CAP_PAGE_ENC_BITMAP and the KVM_{GET,SET}_PAGE_ENC_BITMAP VM
 * ioctls (Documentation/api.rst, sections 4 to 6).
 */
#include "internal.h"

#include <sys/ioctl.h>
#include <linux/kvm.h>

/* ioctl() with the result as 0 / -errno (or the non-negative value). */
static int xioctl(int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);

	if (r < 0)
		return errno ? -errno : -EIO;
	return r;
}

int pgenc_vm_check(int fd)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION,
		      (unsigned long)KVM_CAP_PAGE_ENC_BITMAP);

	if (r < 0)
		return errno ? -errno : -EIO;
	return r;
}

int pgenc_vm_enable(int vmfd)
{
	struct kvm_enable_cap cap;
	int r;

	memset(&cap, 0, sizeof(cap));
	cap.cap = KVM_CAP_PAGE_ENC_BITMAP;
	r = xioctl(vmfd, KVM_ENABLE_CAP, &cap);
	return r < 0 ? r : 0;
}

static int page_enc_ioctl(int vmfd, unsigned long req, uint64_t start,
			  uint64_t num, void *bits)
{
	struct kvm_page_enc_bitmap arg;
	int r;

	memset(&arg, 0, sizeof(arg));
	arg.start_gfn = start;
	arg.num_pages = num;
	arg.enc_bitmap = bits;
	r = xioctl(vmfd, req, &arg);
	return r < 0 ? r : 0;
}

int pgenc_vm_get_bitmap_into(int vmfd, struct pgenc_bitmap *b)
{
	size_t nbytes;
	int r;

	if (!b || !b->bits || !pgenc_shape_ok(b->start_gfn, b->num_pages))
		return -EINVAL;
	nbytes = pgenc_bitmap_bytes(b);
	/* The kernel keeps the bits past num_pages: make them 0. */
	b->bits[nbytes - 1] &= pgenc_tail_mask(b->num_pages);
	r = page_enc_ioctl(vmfd, KVM_GET_PAGE_ENC_BITMAP, b->start_gfn,
			   b->num_pages, b->bits);
	b->bits[nbytes - 1] &= pgenc_tail_mask(b->num_pages);
	return r;
}

int pgenc_vm_get_bitmap(int vmfd, uint64_t start_gfn, uint64_t num_pages,
			struct pgenc_bitmap **out)
{
	struct pgenc_bitmap *b;
	int r;

	if (!out)
		return -EINVAL;
	r = pgenc_bitmap_new(start_gfn, num_pages, false, &b);
	if (r)
		return r;
	r = pgenc_vm_get_bitmap_into(vmfd, b);
	if (r) {
		pgenc_bitmap_free(b);
		return r;
	}
	*out = b;
	return 0;
}

int pgenc_vm_set_bitmap(int vmfd, const struct pgenc_bitmap *b)
{
	if (!b || !b->bits || !pgenc_shape_ok(b->start_gfn, b->num_pages))
		return -EINVAL;
	/* The kernel only reads the buffer (and ignores the tail bits). */
	return page_enc_ioctl(vmfd, KVM_SET_PAGE_ENC_BITMAP, b->start_gfn,
			      b->num_pages, b->bits);
}

int pgenc_vm_reset(int vmfd, uint64_t start_gfn, uint64_t num_pages)
{
	return page_enc_ioctl(vmfd, KVM_SET_PAGE_ENC_BITMAP, start_gfn,
			      num_pages, NULL);
}
