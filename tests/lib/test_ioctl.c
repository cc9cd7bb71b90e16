// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpgenc unit tests: the ioctl wrappers, without KVM. Linked with
 * -Wl,--wrap=ioctl, so the library's ioctl() calls land in
 * __wrap_ioctl() below, which records the request and its argument and
 * plays the kernel's part: the tests check the request numbers, the
 * structs the library packs, how it unpacks results, and errno and
 * firmware error propagation. The real paths run in the test VM.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>
#include <linux/psp-sev.h>

#include <pgenc/pgenc.h>

#include "../tap.h"

int __wrap_ioctl(int fd, unsigned long req, ...);

static struct {
	int calls;
	int fd;
	unsigned long req;
	unsigned long arg;
	/* What the fake kernel does. */
	int ret; /* -1: fail with err */
	int err;
	uint32_t fw_error; /* written to kvm_sev_cmd.error */
	int (*fn)(unsigned long req, void *arg);
} k;

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;

	va_start(ap, req);
	k.arg = va_arg(ap, unsigned long);
	va_end(ap);
	k.calls++;
	k.fd = fd;
	k.req = req;
	if (k.fn && k.fn(req, (void *)k.arg) < 0)
		return -1;
	if (req == KVM_MEMORY_ENCRYPT_OP)
		((struct kvm_sev_cmd *)k.arg)->error = k.fw_error;
	if (req == SEV_ISSUE_CMD)
		((struct sev_issue_cmd *)k.arg)->error = k.fw_error;
	if (k.ret < 0) {
		errno = k.err;
		return -1;
	}
	return k.ret;
}

static void reset(void)
{
	memset(&k, 0, sizeof(k));
}

static void test_numbers(void)
{
	/* The ABI's numbers: _IOW(0xAE, 0xd9 / 0xda, 24 bytes). */
	TAP_CHECK(KVM_GET_PAGE_ENC_BITMAP == 0x4018aed9, "GET %#lx",
		  (unsigned long)KVM_GET_PAGE_ENC_BITMAP);
	TAP_CHECK(KVM_SET_PAGE_ENC_BITMAP == 0x4018aeda, "SET %#lx",
		  (unsigned long)KVM_SET_PAGE_ENC_BITMAP);
	TAP_CHECK(KVM_CAP_PAGE_ENC_BITMAP == 0x1000, "cap");
}

static void test_check_enable(void)
{
	reset();
	k.ret = 7;
	TAP_CHECK(pgenc_vm_check(5) == 7, "flags");
	TAP_CHECK(k.calls == 1 && k.fd == 5 && k.req == KVM_CHECK_EXTENSION &&
			  k.arg == KVM_CAP_PAGE_ENC_BITMAP,
		  "req %#lx arg %#lx", k.req, k.arg);
	k.ret = 0;
	TAP_CHECK(pgenc_vm_check(5) == 0, "stock KVM");
	k.ret = -1;
	k.err = EBADF;
	TAP_CHECK(pgenc_vm_check(5) == -EBADF, "EBADF");

	reset();
	TAP_CHECK(!pgenc_vm_enable(9), "enable");
	TAP_CHECK(k.fd == 9 && k.req == KVM_ENABLE_CAP, "req");
	k.ret = -1;
	k.err = EINVAL;
	TAP_CHECK(pgenc_vm_enable(9) == -EINVAL, "EINVAL");
}

static struct kvm_page_enc_bitmap seen_peb;
static struct kvm_enable_cap seen_cap;
static struct kvm_sev_cmd seen_cmd;
static uint8_t seen_data[64];
static int fill_tail; /* GET: write all-ones, tail bits included */

/* The fake kernel's side of each request. */
static int kernel(unsigned long req, void *arg)
{
	if (req == KVM_ENABLE_CAP)
		seen_cap = *(struct kvm_enable_cap *)arg;
	if (req == KVM_GET_PAGE_ENC_BITMAP || req == KVM_SET_PAGE_ENC_BITMAP) {
		struct kvm_page_enc_bitmap *p = arg;
		uint8_t *buf = p->enc_bitmap;
		uint64_t i, nbytes = (p->num_pages + 7) / 8;

		seen_peb = *p;
		if (req == KVM_GET_PAGE_ENC_BITMAP && !k.ret) {
			/* Every third page shared; ASan checks the size. */
			for (i = 0; i < nbytes; i++)
				buf[i] = fill_tail ? 0xff : 0;
			for (i = 0; i < p->num_pages; i++)
				if (i % 3)
					buf[i / 8] |= (uint8_t)(1 << (i % 8));
				else
					buf[i / 8] &= (uint8_t) ~(1 << (i % 8));
		}
		if (req == KVM_SET_PAGE_ENC_BITMAP && buf)
			memcpy(seen_data, buf,
			       nbytes < sizeof(seen_data) ? nbytes :
							    sizeof(seen_data));
	}
	if (req == KVM_MEMORY_ENCRYPT_OP) {
		struct kvm_sev_cmd *c = arg;

		seen_cmd = *c;
		switch (c->id) {
		case KVM_SEV_LAUNCH_START: {
			struct kvm_sev_launch_start *ls = (void *)c->data;

			memcpy(seen_data, ls, sizeof(*ls));
			ls->handle = 0x1234;
			break;
		}
		case KVM_SEV_LAUNCH_UPDATE_DATA:
			memcpy(seen_data, (void *)c->data,
			       sizeof(struct kvm_sev_launch_update_data));
			break;
		case KVM_SEV_LAUNCH_MEASURE: {
			struct kvm_sev_launch_measure *m = (void *)c->data;

			memcpy(seen_data, m, sizeof(*m));
			memset((void *)m->uaddr, 0xab, m->len);
			break;
		}
		case KVM_SEV_GUEST_STATUS: {
			struct kvm_sev_guest_status *gs = (void *)c->data;

			gs->handle = 11;
			gs->policy = 22;
			gs->state = 3;
			break;
		}
		case KVM_SEV_DBG_DECRYPT:
		case KVM_SEV_DBG_ENCRYPT:
			memcpy(seen_data, (void *)c->data,
			       sizeof(struct kvm_sev_dbg));
			break;
		}
	}
	if (req == SEV_ISSUE_CMD) {
		struct sev_issue_cmd *c = arg;
		struct sev_user_data_status *st = (void *)c->data;

		if (c->cmd != SEV_PLATFORM_STATUS)
			return 0;
		st->api_major = 1;
		st->api_minor = 52;
		st->state = 2;
		st->flags = 0x100;
		st->build = 4;
		st->guest_count = 9;
	}
	return 0;
}

static void test_enable_struct(void)
{
	reset();
	k.fn = kernel;
	memset(&seen_cap, 0xff, sizeof(seen_cap));
	TAP_CHECK(!pgenc_vm_enable(3), "enable");
	TAP_CHECK(seen_cap.cap == KVM_CAP_PAGE_ENC_BITMAP && !seen_cap.flags &&
			  !seen_cap.args[0] && !seen_cap.args[1] &&
			  !seen_cap.args[2] && !seen_cap.args[3],
		  "cap %#x flags %#x", seen_cap.cap, seen_cap.flags);
}

static void test_get_set(void)
{
	static const uint64_t sizes[] = { 1, 7, 8, 9, 100, 4097 };
	struct pgenc_bitmap *b = NULL;
	unsigned int s;
	uint64_t i;

	for (s = 0; s < 6; s++) {
		uint64_t n = sizes[s];

		for (fill_tail = 0; fill_tail < 2; fill_tail++) {
			reset();
			k.fn = kernel;
			TAP_CHECK(!pgenc_vm_get_bitmap(4, 0x100, n, &b), "get");
			TAP_CHECK(k.req == KVM_GET_PAGE_ENC_BITMAP && k.fd == 4,
				  "req");
			TAP_CHECK(seen_peb.start_gfn == 0x100 &&
					  seen_peb.num_pages == n &&
					  seen_peb.enc_bitmap == b->bits,
				  "struct");
			for (i = 0; i < n; i++)
				TAP_CHECK(pgenc_bitmap_get(b, 0x100 + i) ==
						  !!(i % 3),
					  "page %llu", (unsigned long long)i);
			if (n % 8)
				TAP_CHECK(!(b->bits[n / 8] >> (n % 8)),
					  "tail bits cleared");

			/* SET passes the bitmap's own buffer. */
			reset();
			k.fn = kernel;
			TAP_CHECK(!pgenc_vm_set_bitmap(4, b), "set");
			TAP_CHECK(k.req == KVM_SET_PAGE_ENC_BITMAP &&
					  seen_peb.enc_bitmap == b->bits &&
					  seen_peb.start_gfn == 0x100 &&
					  seen_peb.num_pages == n,
				  "set struct");
			TAP_CHECK(!memcmp(seen_data, b->bits,
					  n / 8 + 1 < 64 ? (n + 7) / 8 : 64),
				  "set data");

			/* Refresh in place. */
			reset();
			k.fn = kernel;
			memset(b->bits, 0, pgenc_bitmap_bytes(b));
			TAP_CHECK(!pgenc_vm_get_bitmap_into(4, b), "into");
			TAP_CHECK(pgenc_bitmap_count(b, false) == (n + 2) / 3,
				  "into count");
			pgenc_bitmap_free(b);
			b = NULL;
		}
	}

	reset();
	k.fn = kernel;
	TAP_CHECK(!pgenc_vm_reset(4, 0, 1ULL << 30), "reset");
	TAP_CHECK(k.req == KVM_SET_PAGE_ENC_BITMAP && !seen_peb.enc_bitmap &&
			  seen_peb.start_gfn == 0 &&
			  seen_peb.num_pages == 1ULL << 30,
		  "reset struct");

	/* Errors come back as -errno; nothing is returned or leaked. */
	reset();
	k.ret = -1;
	k.err = ENXIO;
	b = (struct pgenc_bitmap *)&b;
	TAP_CHECK(pgenc_vm_get_bitmap(4, 0, 100, &b) == -ENXIO, "ENXIO");
	TAP_CHECK(b == (struct pgenc_bitmap *)&b, "out written on failure");
	k.err = ENOTTY;
	TAP_CHECK(pgenc_vm_reset(4, 0, 1) == -ENOTTY, "ENOTTY");
	reset();
	TAP_CHECK(pgenc_vm_get_bitmap(4, 0, 0, &b) == -EINVAL && !k.calls,
		  "0 pages: no call");
	TAP_CHECK(pgenc_vm_get_bitmap(4, UINT64_MAX, 1, &b) == -EINVAL &&
			  !k.calls,
		  "wrap: no call");
	TAP_CHECK(pgenc_vm_set_bitmap(4, NULL) == -EINVAL && !k.calls, "NULL");
}

static void test_sev_cmds(void)
{
	struct kvm_sev_launch_start ls;
	struct kvm_sev_launch_update_data ud;
	struct kvm_sev_launch_measure lm;
	struct kvm_sev_dbg dbg;
	struct pgenc_sev_guest_status gs;
	struct pgenc_sev_platform_status ps;
	uint8_t blob[48], page[32], dh[8], sess[4];
	uint32_t handle = 0;
	int fw = 77;

	reset();
	k.fn = kernel;
	TAP_CHECK(!pgenc_sev_init(6, 8, false, &fw), "init");
	TAP_CHECK(k.fd == 6 && k.req == KVM_MEMORY_ENCRYPT_OP &&
			  seen_cmd.id == KVM_SEV_INIT && seen_cmd.sev_fd == 8 &&
			  !seen_cmd.data && fw == 0,
		  "init cmd id %u fd %u fw %d", seen_cmd.id, seen_cmd.sev_fd,
		  fw);
	TAP_CHECK(!pgenc_sev_init(6, 8, true, NULL) &&
			  seen_cmd.id == KVM_SEV_ES_INIT,
		  "es init");

	TAP_CHECK(!pgenc_sev_launch_start(6, 8, 0x5, &handle, &fw), "start");
	memcpy(&ls, seen_data, sizeof(ls));
	TAP_CHECK(seen_cmd.id == KVM_SEV_LAUNCH_START && ls.policy == 5 &&
			  !ls.handle && !ls.dh_uaddr && !ls.dh_len &&
			  !ls.session_uaddr && !ls.session_len &&
			  handle == 0x1234,
		  "start struct");
	handle = 0x77;
	TAP_CHECK(!pgenc_sev_launch_start_ex(6, 8, 1, dh, sizeof(dh), sess,
					     sizeof(sess), &handle, &fw),
		  "start ex");
	memcpy(&ls, seen_data, sizeof(ls));
	TAP_CHECK(ls.handle == 0x77 && ls.dh_uaddr == (uintptr_t)dh &&
			  ls.dh_len == 8 &&
			  ls.session_uaddr == (uintptr_t)sess &&
			  ls.session_len == 4 && handle == 0x1234,
		  "start ex struct");

	TAP_CHECK(!pgenc_sev_launch_update_data(6, 8, page, sizeof(page), &fw),
		  "update");
	memcpy(&ud, seen_data, sizeof(ud));
	TAP_CHECK(seen_cmd.id == KVM_SEV_LAUNCH_UPDATE_DATA &&
			  ud.uaddr == (uintptr_t)page && ud.len == 32,
		  "update struct");
	TAP_CHECK(!pgenc_sev_launch_update_vmsa(6, 8, &fw) &&
			  seen_cmd.id == KVM_SEV_LAUNCH_UPDATE_VMSA,
		  "vmsa");

	TAP_CHECK(!pgenc_sev_launch_measure(6, 8, blob, &fw), "measure");
	memcpy(&lm, seen_data, sizeof(lm));
	TAP_CHECK(seen_cmd.id == KVM_SEV_LAUNCH_MEASURE &&
			  lm.uaddr == (uintptr_t)blob && lm.len == 48 &&
			  blob[0] == 0xab && blob[47] == 0xab,
		  "measure struct");
	TAP_CHECK(!pgenc_sev_launch_finish(6, 8, &fw) &&
			  seen_cmd.id == KVM_SEV_LAUNCH_FINISH,
		  "finish");
	TAP_CHECK(!pgenc_sev_guest_status(6, 8, &gs, &fw) &&
			  seen_cmd.id == KVM_SEV_GUEST_STATUS &&
			  gs.handle == 11 && gs.policy == 22 && gs.state == 3,
		  "status");

	TAP_CHECK(!pgenc_sev_dbg_decrypt(6, 8, page, blob, 16, &fw), "decrypt");
	memcpy(&dbg, seen_data, sizeof(dbg));
	TAP_CHECK(seen_cmd.id == KVM_SEV_DBG_DECRYPT &&
			  dbg.src_uaddr == (uintptr_t)page &&
			  dbg.dst_uaddr == (uintptr_t)blob && dbg.len == 16,
		  "decrypt struct");
	TAP_CHECK(!pgenc_sev_dbg_encrypt(6, 8, blob, page, 32, &fw), "encrypt");
	memcpy(&dbg, seen_data, sizeof(dbg));
	TAP_CHECK(seen_cmd.id == KVM_SEV_DBG_ENCRYPT &&
			  dbg.src_uaddr == (uintptr_t)blob &&
			  dbg.dst_uaddr == (uintptr_t)page && dbg.len == 32,
		  "encrypt struct");

	TAP_CHECK(!pgenc_sev_platform_status(8, &ps, &fw), "platform status");
	TAP_CHECK(k.fd == 8 && k.req == SEV_ISSUE_CMD && ps.api_major == 1 &&
			  ps.api_minor == 52 && ps.build == 4 &&
			  ps.state == 2 && ps.flags == 0x100 &&
			  ps.guest_count == 9,
		  "platform status fields");

	/* A firmware failure: -errno and the status code. */
	reset();
	k.fn = kernel;
	k.ret = -1;
	k.err = EIO;
	k.fw_error = SEV_RET_INVALID_GUEST_STATE;
	handle = 0x99;
	TAP_CHECK(pgenc_sev_launch_start(6, 8, 0, &handle, &fw) == -EIO, "EIO");
	TAP_CHECK(fw == SEV_RET_INVALID_GUEST_STATE && handle == 0x99,
		  "fw %d handle %#x", fw, handle);
	k.fw_error = (uint32_t)SEV_RET_NO_FW_CALL;
	TAP_CHECK(pgenc_sev_guest_status(6, 8, &gs, &fw) == -EIO && fw == -1,
		  "no fw call");
	k.fw_error = SEV_RET_INVALID_PLATFORM_STATE;
	TAP_CHECK(pgenc_sev_platform_status(8, &ps, &fw) == -EIO && fw == 1,
		  "platform status fw %d", fw);

	/* Lengths beyond u32: no call, NO_FW_CALL. */
	reset();
	fw = 0;
	if (sizeof(size_t) > 4) {
		TAP_CHECK(pgenc_sev_dbg_decrypt(6, 8, page, blob,
						(size_t)UINT32_MAX + 1,
						&fw) == -EINVAL &&
				  fw == -1 && !k.calls,
			  "decrypt 4 GiB");
		TAP_CHECK(pgenc_sev_launch_update_data(6, 8, page,
						       (size_t)UINT32_MAX + 1,
						       &fw) == -EINVAL &&
				  !k.calls,
			  "update 4 GiB");
	}
	TAP_CHECK(pgenc_sev_launch_measure(6, 8, NULL, &fw) == -EINVAL &&
			  !k.calls,
		  "measure NULL");
	TAP_CHECK(pgenc_sev_launch_start_ex(6, 8, 0, NULL, 0, NULL, 0, NULL,
					    &fw) == -EINVAL &&
			  !k.calls,
		  "start NULL handle");
}

int main(void)
{
	tap_run("ioctl: ABI numbers", test_numbers);
	tap_run("ioctl: check and enable the capability", test_check_enable);
	tap_run("ioctl: enable packs struct kvm_enable_cap",
		test_enable_struct);
	tap_run("ioctl: get, get_into, set, reset; errors", test_get_set);
	tap_run("ioctl: SEV commands pack kvm_sev_cmd; fw errors",
		test_sev_cmds);
	return tap_done();
}
