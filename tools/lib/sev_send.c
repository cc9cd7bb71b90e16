// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * SEV migration commands of KVM_MEMORY_ENCRYPT_OP (SEND_*, RECEIVE_*)
 * with their length queries, and SEV_PDH_CERT_EXPORT on /dev/sev; the
 * structures are exactly Linux 6.1's (<linux/kvm.h>, <linux/psp-sev.h>).
 */
#include "internal.h"

#include <stdlib.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include <linux/psp-sev.h>

/*
 * A length query succeeded when the kernel wrote the length back: the
 * firmware answers INVALID_LENGTH (KVM: -EIO), or success.
 */
static int query_done(int r, int fw)
{
	return !r || (r == -EIO && fw == SEV_RET_INVALID_LEN) ? 0 : r;
}

static bool bad_len(size_t a, size_t b, size_t c, int *fw_error)
{
	if (a <= UINT32_MAX && b <= UINT32_MAX && c <= UINT32_MAX)
		return false;
	pgenc_set_fw(fw_error, SEV_RET_NO_FW_CALL);
	return true;
}

int pgenc_sev_send_start_len(int vmfd, int sev_fd, size_t *session_len,
			     int *fw_error)
{
	struct kvm_sev_send_start s;
	int fw = 0, r;

	memset(&s, 0, sizeof(s));
	r = pgenc_sev_ioctl(vmfd, sev_fd, KVM_SEV_SEND_START, &s, &fw);
	r = query_done(r, fw);
	pgenc_set_fw(fw_error, fw);
	if (!r && !s.session_len)
		r = -EPROTO;
	if (!r)
		*session_len = s.session_len;
	return r;
}

int pgenc_sev_send_start(int vmfd, int sev_fd,
			 const struct pgenc_sev_send_start *p, void *session,
			 size_t *session_len, int *fw_error)
{
	struct kvm_sev_send_start s;
	int r;

	if (!p || !session || !session_len || !*session_len ||
	    bad_len(p->pdh_len, p->plat_len, p->amd_len, fw_error) ||
	    *session_len > UINT32_MAX) {
		pgenc_set_fw(fw_error, SEV_RET_NO_FW_CALL);
		return -EINVAL;
	}
	memset(&s, 0, sizeof(s));
	s.policy = p->policy;
	s.pdh_cert_uaddr = (uint64_t)(uintptr_t)p->pdh;
	s.pdh_cert_len = (uint32_t)p->pdh_len;
	s.plat_certs_uaddr = (uint64_t)(uintptr_t)p->plat;
	s.plat_certs_len = (uint32_t)p->plat_len;
	s.amd_certs_uaddr = (uint64_t)(uintptr_t)p->amd;
	s.amd_certs_len = (uint32_t)p->amd_len;
	s.session_uaddr = (uint64_t)(uintptr_t)session;
	s.session_len = (uint32_t)*session_len;
	r = pgenc_sev_ioctl(vmfd, sev_fd, KVM_SEV_SEND_START, &s, fw_error);
	if (!r)
		*session_len = s.session_len;
	return r;
}

int pgenc_sev_send_update_data_len(int vmfd, int sev_fd, size_t *hdr_len,
				   size_t *trans_len, int *fw_error)
{
	struct kvm_sev_send_update_data u;
	int fw = 0, r;

	memset(&u, 0, sizeof(u));
	r = pgenc_sev_ioctl(vmfd, sev_fd, KVM_SEV_SEND_UPDATE_DATA, &u, &fw);
	r = query_done(r, fw);
	pgenc_set_fw(fw_error, fw);
	if (!r && !u.hdr_len)
		r = -EPROTO;
	if (!r) {
		*hdr_len = u.hdr_len;
		/* AMD's firmware answers the header only: a page is the most. */
		*trans_len = u.trans_len ? u.trans_len : 1u << PGENC_PAGE_SHIFT;
	}
	return r;
}

int pgenc_sev_send_update_data(int vmfd, int sev_fd, const void *guest,
			       size_t len, void *hdr, size_t *hdr_len,
			       void *trans, size_t *trans_len, int *fw_error)
{
	struct kvm_sev_send_update_data u;
	int r;

	if (!guest || !len || !hdr || !trans || !hdr_len || !trans_len ||
	    !*hdr_len || !*trans_len ||
	    bad_len(len, *hdr_len, *trans_len, fw_error)) {
		pgenc_set_fw(fw_error, SEV_RET_NO_FW_CALL);
		return -EINVAL;
	}
	memset(&u, 0, sizeof(u));
	u.guest_uaddr = (uint64_t)(uintptr_t)guest;
	u.guest_len = (uint32_t)len;
	u.hdr_uaddr = (uint64_t)(uintptr_t)hdr;
	u.hdr_len = (uint32_t)*hdr_len;
	u.trans_uaddr = (uint64_t)(uintptr_t)trans;
	u.trans_len = (uint32_t)*trans_len;
	r = pgenc_sev_ioctl(vmfd, sev_fd, KVM_SEV_SEND_UPDATE_DATA, &u,
			    fw_error);
	if (!r) {
		*hdr_len = u.hdr_len;
		*trans_len = u.trans_len;
	}
	return r;
}

int pgenc_sev_send_finish(int vmfd, int sev_fd, int *fw_error)
{
	return pgenc_sev_ioctl(vmfd, sev_fd, KVM_SEV_SEND_FINISH, NULL,
			       fw_error);
}

int pgenc_sev_send_cancel(int vmfd, int sev_fd, int *fw_error)
{
	return pgenc_sev_ioctl(vmfd, sev_fd, KVM_SEV_SEND_CANCEL, NULL,
			       fw_error);
}

int pgenc_sev_receive_start(int vmfd, int sev_fd, uint32_t policy,
			    const void *pdh, size_t pdh_len,
			    const void *session, size_t session_len,
			    uint32_t *handle, int *fw_error)
{
	struct kvm_sev_receive_start s;
	int r;

	if (!handle || !pdh || !session || !pdh_len || !session_len ||
	    bad_len(pdh_len, session_len, 0, fw_error)) {
		pgenc_set_fw(fw_error, SEV_RET_NO_FW_CALL);
		return -EINVAL;
	}
	memset(&s, 0, sizeof(s));
	s.handle = *handle;
	s.policy = policy;
	s.pdh_uaddr = (uint64_t)(uintptr_t)pdh;
	s.pdh_len = (uint32_t)pdh_len;
	s.session_uaddr = (uint64_t)(uintptr_t)session;
	s.session_len = (uint32_t)session_len;
	r = pgenc_sev_ioctl(vmfd, sev_fd, KVM_SEV_RECEIVE_START, &s, fw_error);
	if (!r)
		*handle = s.handle;
	return r;
}

int pgenc_sev_receive_update_data(int vmfd, int sev_fd, void *guest, size_t len,
				  const void *hdr, size_t hdr_len,
				  const void *trans, size_t trans_len,
				  int *fw_error)
{
	struct kvm_sev_receive_update_data u;

	if (!guest || !len || !hdr || !hdr_len || !trans || !trans_len ||
	    bad_len(len, hdr_len, trans_len, fw_error)) {
		pgenc_set_fw(fw_error, SEV_RET_NO_FW_CALL);
		return -EINVAL;
	}
	memset(&u, 0, sizeof(u));
	u.guest_uaddr = (uint64_t)(uintptr_t)guest;
	u.guest_len = (uint32_t)len;
	u.hdr_uaddr = (uint64_t)(uintptr_t)hdr;
	u.hdr_len = (uint32_t)hdr_len;
	u.trans_uaddr = (uint64_t)(uintptr_t)trans;
	u.trans_len = (uint32_t)trans_len;
	return pgenc_sev_ioctl(vmfd, sev_fd, KVM_SEV_RECEIVE_UPDATE_DATA, &u,
			       fw_error);
}

int pgenc_sev_receive_finish(int vmfd, int sev_fd, int *fw_error)
{
	return pgenc_sev_ioctl(vmfd, sev_fd, KVM_SEV_RECEIVE_FINISH, NULL,
			       fw_error);
}

/* One SEV_PDH_CERT_EXPORT: 0 or -errno, e's lengths written back. */
static int pdh_export(int sev_fd, struct sev_user_data_pdh_cert_export *e,
		      int *fw_error)
{
	struct sev_issue_cmd cmd;
	int r;

	memset(&cmd, 0, sizeof(cmd));
	cmd.cmd = SEV_PDH_CERT_EXPORT;
	cmd.data = (uint64_t)(uintptr_t)e;
	r = ioctl(sev_fd, SEV_ISSUE_CMD, &cmd);
	pgenc_set_fw(fw_error, (int)cmd.error);
	return r < 0 ? (errno ? -errno : -EIO) : 0;
}

int pgenc_sev_pdh_export(int sev_fd, void **pdh, size_t *pdh_len, void **chain,
			 size_t *chain_len, int *fw_error)
{
	struct sev_user_data_pdh_cert_export e;
	void *a = NULL, *b = NULL;
	int fw = 0, r;

	if (!pdh || !pdh_len || !chain || !chain_len) {
		pgenc_set_fw(fw_error, SEV_RET_NO_FW_CALL);
		return -EINVAL;
	}
	/* With no buffers, the firmware says how long they must be. */
	memset(&e, 0, sizeof(e));
	r = pdh_export(sev_fd, &e, &fw);
	r = query_done(r, fw);
	if (!r && (!e.pdh_cert_len || !e.cert_chain_len ||
		   e.pdh_cert_len > PGENC_SEV_MAX_CERTS ||
		   e.cert_chain_len > PGENC_SEV_MAX_CERTS))
		r = -EPROTO;
	if (!r) {
		a = malloc(e.pdh_cert_len);
		b = malloc(e.cert_chain_len);
		r = a && b ? 0 : -ENOMEM;
	}
	if (!r) {
		e.pdh_cert_address = (uint64_t)(uintptr_t)a;
		e.cert_chain_address = (uint64_t)(uintptr_t)b;
		r = pdh_export(sev_fd, &e, &fw);
	}
	pgenc_set_fw(fw_error, fw);
	if (r) {
		free(a);
		free(b);
		return r;
	}
	*pdh = a;
	*pdh_len = e.pdh_cert_len;
	*chain = b;
	*chain_len = e.cert_chain_len;
	return 0;
}
