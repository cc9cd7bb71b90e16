// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpgenc unit tests: the SEV migration wrappers against a fake KVM.
 * Linked with -Wl,--wrap=ioctl: __wrap_ioctl() below answers as KVM 6.1
 * and a firmware do (a length query is INVALID_LENGTH, -EIO, with the
 * length written back) and records what each command got. The tests
 * check the length queries, the fields passed, the lengths returned, a
 * firmware failure, and that invalid arguments issue no command. The
 * real path runs in the test VM (tests/cli/migrate/basic.sh).
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

#define SESSION_LEN 128
#define HDR_LEN 52

static struct {
	unsigned int calls;
	uint32_t last_id;
	int fail_fw; /* firmware status to fail the next command with */
	struct kvm_sev_send_start ss;
	struct kvm_sev_send_update_data su;
	struct kvm_sev_receive_start rs;
	struct kvm_sev_receive_update_data ru;
	int sev_fd;
} fk;

static int fw_fail(struct kvm_sev_cmd *c, uint32_t status)
{
	c->error = status;
	errno = EIO;
	return -1;
}

static int fake_kvm(struct kvm_sev_cmd *c)
{
	fk.last_id = c->id;
	fk.sev_fd = (int)c->sev_fd;
	if (fk.fail_fw)
		return fw_fail(c, (uint32_t)fk.fail_fw);
	switch (c->id) {
	case KVM_SEV_SEND_START: {
		struct kvm_sev_send_start *s = (void *)(uintptr_t)c->data;

		fk.ss = *s;
		if (s->session_len < SESSION_LEN) {
			s->session_len = SESSION_LEN;
			return fw_fail(c, SEV_RET_INVALID_LEN);
		}
		memset((void *)(uintptr_t)s->session_uaddr, 0x5e, SESSION_LEN);
		s->session_len = SESSION_LEN;
		return 0;
	}
	case KVM_SEV_SEND_UPDATE_DATA: {
		struct kvm_sev_send_update_data *u = (void *)(uintptr_t)c->data;

		fk.su = *u;
		if (!u->hdr_len || !u->trans_len) {
			u->hdr_len = HDR_LEN;
			u->trans_len = 4096;
			return fw_fail(c, SEV_RET_INVALID_LEN);
		}
		memset((void *)(uintptr_t)u->hdr_uaddr, 0x4d, HDR_LEN);
		memcpy((void *)(uintptr_t)u->trans_uaddr,
		       (void *)(uintptr_t)u->guest_uaddr, u->guest_len);
		u->hdr_len = HDR_LEN;
		u->trans_len = u->guest_len;
		return 0;
	}
	case KVM_SEV_RECEIVE_START: {
		struct kvm_sev_receive_start *s = (void *)(uintptr_t)c->data;

		fk.rs = *s;
		s->handle = 7;
		return 0;
	}
	case KVM_SEV_RECEIVE_UPDATE_DATA:
		fk.ru = *(struct kvm_sev_receive_update_data *)(uintptr_t)
				 c->data;
		return 0;
	case KVM_SEV_SEND_FINISH:
	case KVM_SEV_SEND_CANCEL:
	case KVM_SEV_RECEIVE_FINISH:
		return c->data ? fw_fail(c, SEV_RET_INVALID_PARAM) : 0;
	}
	errno = EINVAL;
	return -1;
}

static int fake_pdh(struct sev_issue_cmd *c)
{
	struct sev_user_data_pdh_cert_export *e = (void *)(uintptr_t)c->data;

	fk.last_id = 0x1000 + c->cmd;
	if (c->cmd != SEV_PDH_CERT_EXPORT) {
		errno = EINVAL;
		return -1;
	}
	if (!e->pdh_cert_address || e->pdh_cert_len < 16 ||
	    !e->cert_chain_address || e->cert_chain_len < 48) {
		e->pdh_cert_len = 16;
		e->cert_chain_len = 48;
		c->error = SEV_RET_INVALID_LEN;
		errno = EIO;
		return -1;
	}
	memset((void *)(uintptr_t)e->pdh_cert_address, 'P', 16);
	memset((void *)(uintptr_t)e->cert_chain_address, 'C', 48);
	e->pdh_cert_len = 16;
	e->cert_chain_len = 48;
	c->error = 0;
	return 0;
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	fk.calls++;
	if (fd == 3 && req == KVM_MEMORY_ENCRYPT_OP)
		return fake_kvm(arg);
	if (fd == 4 && req == SEV_ISSUE_CMD)
		return fake_pdh(arg);
	errno = ENOTTY;
	return -1;
}

static void test_send(void)
{
	static uint8_t page[4096], hdr[64], trans[4096], session[256];
	struct pgenc_sev_send_start p = { .policy = 0x5,
					  .pdh = "pdh",
					  .pdh_len = 3,
					  .plat = "plat!",
					  .plat_len = 5,
					  .amd = "am",
					  .amd_len = 2 };
	size_t slen = 0, hl = 0, tl = 0;
	int fw = -5, r;

	memset(&fk, 0, sizeof(fk));
	r = pgenc_sev_send_start_len(3, 4, &slen, &fw);
	TAP_CHECK(!r && slen == SESSION_LEN && fw == SEV_RET_INVALID_LEN,
		  "query: %d %zu fw %d", r, slen, fw);
	TAP_CHECK(fk.ss.session_len == 0 && fk.sev_fd == 4, "query passes 0");
	slen = sizeof(session);
	r = pgenc_sev_send_start(3, 4, &p, session, &slen, &fw);
	TAP_CHECK(!r && !fw && slen == SESSION_LEN && session[0] == 0x5e,
		  "start: %d %zu fw %d", r, slen, fw);
	TAP_CHECK(fk.ss.policy == 5 && fk.ss.pdh_cert_len == 3 &&
			  fk.ss.plat_certs_len == 5 &&
			  fk.ss.amd_certs_len == 2 &&
			  fk.ss.session_len == sizeof(session) &&
			  !memcmp((void *)(uintptr_t)fk.ss.plat_certs_uaddr,
				  "plat!", 5),
		  "start fields");
	r = pgenc_sev_send_update_data_len(3, 4, &hl, &tl, &fw);
	TAP_CHECK(!r && hl == HDR_LEN && tl == 4096, "update query %d %zu %zu",
		  r, hl, tl);
	page[7] = 0x77;
	hl = sizeof(hdr);
	tl = sizeof(trans);
	r = pgenc_sev_send_update_data(3, 4, page, sizeof(page), hdr, &hl,
				       trans, &tl, &fw);
	TAP_CHECK(!r && hl == HDR_LEN && tl == 4096 && trans[7] == 0x77 &&
			  hdr[0] == 0x4d,
		  "update %d %zu %zu", r, hl, tl);
	TAP_CHECK(fk.su.guest_uaddr == (uintptr_t)page &&
			  fk.su.guest_len == 4096 &&
			  fk.su.hdr_len == sizeof(hdr),
		  "update fields");
	TAP_CHECK(!pgenc_sev_send_finish(3, 4, &fw) &&
			  fk.last_id == KVM_SEV_SEND_FINISH,
		  "finish");
	TAP_CHECK(!pgenc_sev_send_cancel(3, 4, &fw) &&
			  fk.last_id == KVM_SEV_SEND_CANCEL,
		  "cancel");
	/* A firmware failure: -EIO and its status. */
	fk.fail_fw = SEV_RET_INVALID_GUEST_STATE;
	slen = sizeof(session);
	r = pgenc_sev_send_start(3, 4, &p, session, &slen, &fw);
	TAP_CHECK(r == -EIO && fw == SEV_RET_INVALID_GUEST_STATE,
		  "failure %d fw %d", r, fw);
	r = pgenc_sev_send_start_len(3, 4, &slen, &fw);
	TAP_CHECK(r == -EIO && fw == SEV_RET_INVALID_GUEST_STATE,
		  "a query that fails otherwise: %d", r);
}

static void test_receive(void)
{
	static uint8_t page[4096], trans[4096];
	uint32_t h = 3; /* a handle to share keys with */
	int fw = -5, r;

	memset(&fk, 0, sizeof(fk));
	trans[1] = 9;
	r = pgenc_sev_receive_start(3, 4, 0x1, "PDH", 3, "SESS", 4, &h, &fw);
	TAP_CHECK(!r && h == 7 && !fw, "start %d handle %u", r, h);
	TAP_CHECK(fk.rs.policy == 1 && fk.rs.pdh_len == 3 &&
			  fk.rs.session_len == 4 && fk.rs.handle == 3,
		  "start fields");
	r = pgenc_sev_receive_update_data(3, 4, page, 4096, "H", 1, trans, 4096,
					  &fw);
	TAP_CHECK(!r && fk.ru.guest_uaddr == (uintptr_t)page &&
			  fk.ru.hdr_len == 1 && fk.ru.trans_len == 4096 &&
			  fk.ru.guest_len == 4096,
		  "update %d", r);
	TAP_CHECK(!pgenc_sev_receive_finish(3, 4, &fw) &&
			  fk.last_id == KVM_SEV_RECEIVE_FINISH,
		  "finish");
}

static void test_pdh(void)
{
	void *pdh = NULL, *chain = NULL;
	size_t pl = 0, cl = 0;
	int fw = -5, r;

	memset(&fk, 0, sizeof(fk));
	r = pgenc_sev_pdh_export(4, &pdh, &pl, &chain, &cl, &fw);
	TAP_CHECK(!r && pl == 16 && cl == 48 && !fw && pdh && chain &&
			  ((char *)pdh)[15] == 'P' &&
			  ((char *)chain)[47] == 'C',
		  "export %d %zu %zu fw %d", r, pl, cl, fw);
	TAP_CHECK(fk.calls == 2, "a query, then the export: %u calls",
		  fk.calls);
	free(pdh);
	free(chain);
	r = pgenc_sev_pdh_export(5, &pdh, &pl, &chain, &cl, &fw);
	TAP_CHECK(r == -ENOTTY, "not a SEV device: %d", r);
}

/* Invalid arguments: -EINVAL, SEV_RET_NO_FW_CALL, no ioctl. */
static void test_args(void)
{
	static uint8_t buf[4096];
	struct pgenc_sev_send_start p = { .pdh = "x", .pdh_len = 1 };
	size_t z = 0, big = (size_t)UINT32_MAX + 1, one = 1;
	void *a, *b;
	uint32_t h = 0;
	int fw = 0, bad = 0;

	memset(&fk, 0, sizeof(fk));
#define NOCALL(expr)                                               \
	do {                                                       \
		fw = 0;                                            \
		if ((expr) != -EINVAL || fw != SEV_RET_NO_FW_CALL) \
			bad++;                                     \
	} while (0)
	NOCALL(pgenc_sev_send_start(3, 4, NULL, buf, &one, &fw));
	NOCALL(pgenc_sev_send_start(3, 4, &p, buf, &z, &fw));
	NOCALL(pgenc_sev_send_start(3, 4, &p, NULL, &one, &fw));
	p.pdh_len = big;
	NOCALL(pgenc_sev_send_start(3, 4, &p, buf, &one, &fw));
	NOCALL(pgenc_sev_send_update_data(3, 4, buf, 0, buf, &one, buf, &one,
					  &fw));
	NOCALL(pgenc_sev_send_update_data(3, 4, buf, 16, buf, &z, buf, &one,
					  &fw));
	NOCALL(pgenc_sev_send_update_data(3, 4, buf, big, buf, &one, buf, &one,
					  &fw));
	NOCALL(pgenc_sev_receive_start(3, 4, 0, NULL, 1, buf, 1, &h, &fw));
	NOCALL(pgenc_sev_receive_start(3, 4, 0, buf, 1, buf, 0, &h, &fw));
	NOCALL(pgenc_sev_receive_start(3, 4, 0, buf, 1, buf, 1, NULL, &fw));
	NOCALL(pgenc_sev_receive_update_data(3, 4, buf, 16, buf, 0, buf, 16,
					     &fw));
	NOCALL(pgenc_sev_receive_update_data(3, 4, buf, 16, buf, 1, NULL, 16,
					     &fw));
	NOCALL(pgenc_sev_pdh_export(4, NULL, &z, &b, &z, &fw));
	NOCALL(pgenc_sev_pdh_export(4, &a, &z, &b, NULL, &fw));
#undef NOCALL
	TAP_CHECK(!bad, "%d invalid calls accepted", bad);
	TAP_CHECK(!fk.calls, "%u ioctls issued", fk.calls);
}

int main(void)
{
	tap_run("sev send: SEND_* with length queries", test_send);
	tap_run("sev send: RECEIVE_*", test_receive);
	tap_run("sev send: PDH_CERT_EXPORT, queried then exported", test_pdh);
	tap_run("sev send: invalid arguments issue no command", test_args);
	return tap_done();
}
