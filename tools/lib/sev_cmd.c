// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * SEV: the launch, status and debug commands of KVM_MEMORY_ENCRYPT_OP,
 * SEV_PLATFORM_STATUS on /dev/sev, firmware status names, and the launch
 * digest and measurement (OpenSSL libcrypto).
 */
#include "internal.h"

#include <stdlib.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include <linux/psp-sev.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

int pgenc_sev_ioctl(int vmfd, int sev_fd, uint32_t id, void *data,
		    int *fw_error)
{
	struct kvm_sev_cmd cmd;
	int r;

	memset(&cmd, 0, sizeof(cmd));
	cmd.id = id;
	cmd.data = (uint64_t)(uintptr_t)data;
	cmd.sev_fd = (uint32_t)sev_fd;
	r = ioctl(vmfd, KVM_MEMORY_ENCRYPT_OP, &cmd);
	if (r < 0)
		r = errno ? -errno : -EIO;
	else
		r = 0;
	pgenc_set_fw(fw_error, (int)cmd.error);
	return r;
}

/* A length that does not fit the commands' u32: no call is made. */
static int too_long(size_t len, int *fw_error)
{
	if (len <= UINT32_MAX)
		return 0;
	pgenc_set_fw(fw_error, SEV_RET_NO_FW_CALL);
	return -EINVAL;
}

int pgenc_sev_platform_status(int sev_fd, struct pgenc_sev_platform_status *st,
			      int *fw_error)
{
	struct sev_user_data_status data;
	struct sev_issue_cmd cmd;
	int r;

	if (!st) {
		pgenc_set_fw(fw_error, SEV_RET_NO_FW_CALL);
		return -EINVAL;
	}
	memset(&data, 0, sizeof(data));
	memset(&cmd, 0, sizeof(cmd));
	cmd.cmd = SEV_PLATFORM_STATUS;
	cmd.data = (uint64_t)(uintptr_t)&data;
	r = ioctl(sev_fd, SEV_ISSUE_CMD, &cmd);
	pgenc_set_fw(fw_error, (int)cmd.error);
	if (r < 0)
		return errno ? -errno : -EIO;
	st->api_major = data.api_major;
	st->api_minor = data.api_minor;
	st->build = data.build;
	st->state = data.state;
	st->flags = data.flags;
	st->guest_count = data.guest_count;
	return 0;
}

int pgenc_sev_init(int vmfd, int sev_fd, bool es, int *fw_error)
{
	return pgenc_sev_ioctl(vmfd, sev_fd,
			       es ? KVM_SEV_ES_INIT : KVM_SEV_INIT, NULL,
			       fw_error);
}

int pgenc_sev_launch_start_ex(int vmfd, int sev_fd, uint32_t policy,
			      const void *dh_cert, size_t dh_len,
			      const void *session, size_t session_len,
			      uint32_t *handle, int *fw_error)
{
	struct kvm_sev_launch_start ls;
	int r;

	if (!handle || dh_len > UINT32_MAX || session_len > UINT32_MAX) {
		pgenc_set_fw(fw_error, SEV_RET_NO_FW_CALL);
		return -EINVAL;
	}
	memset(&ls, 0, sizeof(ls));
	ls.handle = *handle;
	ls.policy = policy;
	ls.dh_uaddr = (uint64_t)(uintptr_t)dh_cert;
	ls.dh_len = (uint32_t)dh_len;
	ls.session_uaddr = (uint64_t)(uintptr_t)session;
	ls.session_len = (uint32_t)session_len;
	r = pgenc_sev_ioctl(vmfd, sev_fd, KVM_SEV_LAUNCH_START, &ls, fw_error);
	if (!r)
		*handle = ls.handle;
	return r;
}

int pgenc_sev_launch_start(int vmfd, int sev_fd, uint32_t policy,
			   uint32_t *handle, int *fw_error)
{
	uint32_t h = 0;
	int r;

	r = pgenc_sev_launch_start_ex(vmfd, sev_fd, policy, NULL, 0, NULL, 0,
				      &h, fw_error);
	if (!r && handle)
		*handle = h;
	return r;
}

int pgenc_sev_launch_update_data(int vmfd, int sev_fd, void *addr, size_t len,
				 int *fw_error)
{
	struct kvm_sev_launch_update_data ud;

	if (too_long(len, fw_error))
		return -EINVAL;
	memset(&ud, 0, sizeof(ud));
	ud.uaddr = (uint64_t)(uintptr_t)addr;
	ud.len = (uint32_t)len;
	return pgenc_sev_ioctl(vmfd, sev_fd, KVM_SEV_LAUNCH_UPDATE_DATA, &ud,
			       fw_error);
}

int pgenc_sev_launch_update_vmsa(int vmfd, int sev_fd, int *fw_error)
{
	return pgenc_sev_ioctl(vmfd, sev_fd, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL,
			       fw_error);
}

int pgenc_sev_launch_measure(int vmfd, int sev_fd, uint8_t *out, int *fw_error)
{
	struct kvm_sev_launch_measure m;

	if (!out) {
		pgenc_set_fw(fw_error, SEV_RET_NO_FW_CALL);
		return -EINVAL;
	}
	memset(&m, 0, sizeof(m));
	m.uaddr = (uint64_t)(uintptr_t)out;
	m.len = PGENC_SEV_MEASURE_BLOB_SIZE;
	return pgenc_sev_ioctl(vmfd, sev_fd, KVM_SEV_LAUNCH_MEASURE, &m,
			       fw_error);
}

int pgenc_sev_launch_finish(int vmfd, int sev_fd, int *fw_error)
{
	return pgenc_sev_ioctl(vmfd, sev_fd, KVM_SEV_LAUNCH_FINISH, NULL,
			       fw_error);
}

int pgenc_sev_guest_status(int vmfd, int sev_fd,
			   struct pgenc_sev_guest_status *st, int *fw_error)
{
	struct kvm_sev_guest_status gs;
	int r;

	if (!st) {
		pgenc_set_fw(fw_error, SEV_RET_NO_FW_CALL);
		return -EINVAL;
	}
	memset(&gs, 0, sizeof(gs));
	r = pgenc_sev_ioctl(vmfd, sev_fd, KVM_SEV_GUEST_STATUS, &gs, fw_error);
	if (r)
		return r;
	st->handle = gs.handle;
	st->policy = gs.policy;
	st->state = gs.state;
	return 0;
}

static int sev_dbg(int vmfd, int sev_fd, uint32_t id, const void *src,
		   void *dst, size_t len, int *fw_error)
{
	struct kvm_sev_dbg d;

	if (too_long(len, fw_error))
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	d.src_uaddr = (uint64_t)(uintptr_t)src;
	d.dst_uaddr = (uint64_t)(uintptr_t)dst;
	d.len = (uint32_t)len;
	return pgenc_sev_ioctl(vmfd, sev_fd, id, &d, fw_error);
}

int pgenc_sev_dbg_decrypt(int vmfd, int sev_fd, const void *src, void *dst,
			  size_t len, int *fw_error)
{
	return sev_dbg(vmfd, sev_fd, KVM_SEV_DBG_DECRYPT, src, dst, len,
		       fw_error);
}

int pgenc_sev_dbg_encrypt(int vmfd, int sev_fd, const void *src, void *dst,
			  size_t len, int *fw_error)
{
	return sev_dbg(vmfd, sev_fd, KVM_SEV_DBG_ENCRYPT, src, dst, len,
		       fw_error);
}

/* The SEV API's names for the status codes of enum sev_ret_code. */
static const char *const fw_status[] = {
	[SEV_RET_SUCCESS] = "SUCCESS: the command completed",
	[SEV_RET_INVALID_PLATFORM_STATE] =
		"INVALID_PLATFORM_STATE: the platform state does not allow the command",
	[SEV_RET_INVALID_GUEST_STATE] =
		"INVALID_GUEST_STATE: the guest state does not allow the command",
	[SEV_RET_INAVLID_CONFIG] =
		"INVALID_CONFIG: the platform configuration is invalid",
	[SEV_RET_INVALID_LEN] = "INVALID_LENGTH: a buffer is too small",
	[SEV_RET_ALREADY_OWNED] =
		"ALREADY_OWNED: the platform is already owned",
	[SEV_RET_INVALID_CERTIFICATE] =
		"INVALID_CERTIFICATE: a certificate is invalid",
	[SEV_RET_POLICY_FAILURE] =
		"POLICY_FAILURE: the guest policy does not allow the command",
	[SEV_RET_INACTIVE] = "INACTIVE: the guest is not active",
	[SEV_RET_INVALID_ADDRESS] = "INVALID_ADDRESS: an address is invalid",
	[SEV_RET_BAD_SIGNATURE] = "BAD_SIGNATURE: a signature is invalid",
	[SEV_RET_BAD_MEASUREMENT] =
		"BAD_MEASUREMENT: a measurement does not match",
	[SEV_RET_ASID_OWNED] = "ASID_OWNED: the ASID is already in use",
	[SEV_RET_INVALID_ASID] = "INVALID_ASID: the ASID is invalid",
	[SEV_RET_WBINVD_REQUIRED] =
		"WBINVD_REQUIRED: WBINVD must be run on every core first",
	[SEV_RET_DFFLUSH_REQUIRED] =
		"DF_FLUSH_REQUIRED: DF_FLUSH must be issued first",
	[SEV_RET_INVALID_GUEST] = "INVALID_GUEST: the guest handle is invalid",
	[SEV_RET_INVALID_COMMAND] = "INVALID_COMMAND: the command is invalid",
	[SEV_RET_ACTIVE] = "ACTIVE: the guest is active",
	[SEV_RET_HWSEV_RET_PLATFORM] =
		"HWERROR_PLATFORM: hardware error, the platform must be reset",
	[SEV_RET_HWSEV_RET_UNSAFE] =
		"HWERROR_UNSAFE: hardware error, the platform is unsafe",
	[SEV_RET_UNSUPPORTED] = "UNSUPPORTED: the feature is not supported",
	[SEV_RET_INVALID_PARAM] = "INVALID_PARAM: a parameter is invalid",
	[SEV_RET_RESOURCE_LIMIT] =
		"RESOURCE_LIMIT: a firmware resource is exhausted",
	[SEV_RET_SECURE_DATA_INVALID] =
		"SECURE_DATA_INVALID: the part-specific integrity check failed",
};

const char *pgenc_sev_fw_strerror(int code)
{
	if (code == SEV_RET_NO_FW_CALL)
		return "NO_FW_CALL: the firmware was not called";
	if (code >= 0 &&
	    (size_t)code < sizeof(fw_status) / sizeof(fw_status[0]) &&
	    fw_status[code])
		return fw_status[code];
	return "unknown SEV firmware status";
}

const char *pgenc_sev_guest_state_name(uint32_t state)
{
	static const char *const names[] = { "UNINIT",	"LUPDATE", "LSECRET",
					     "RUNNING", "SUPDATE", "RUPDATE",
					     "SENT" };

	if (state < sizeof(names) / sizeof(names[0]))
		return names[state];
	return "unknown";
}

int pgenc_sev_measure(const uint8_t *tik, uint8_t api_major, uint8_t api_minor,
		      uint8_t build, uint32_t policy, const uint8_t *digest,
		      const uint8_t *mnonce, uint8_t *out)
{
	uint8_t msg[1 + 3 + 4 + PGENC_SEV_DIGEST_SIZE + PGENC_SEV_MNONCE_SIZE];
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!tik || !digest || !mnonce || !out)
		return -EINVAL;
	msg[0] = 0x04; /* the LAUNCH_MEASURE context */
	msg[1] = api_major;
	msg[2] = api_minor;
	msg[3] = build;
	msg[4] = (uint8_t)policy;
	msg[5] = (uint8_t)(policy >> 8);
	msg[6] = (uint8_t)(policy >> 16);
	msg[7] = (uint8_t)(policy >> 24);
	memcpy(msg + 8, digest, PGENC_SEV_DIGEST_SIZE);
	memcpy(msg + 8 + PGENC_SEV_DIGEST_SIZE, mnonce, PGENC_SEV_MNONCE_SIZE);
	if (!HMAC(EVP_sha256(), tik, PGENC_SEV_TIK_SIZE, msg, sizeof(msg), mac,
		  &len) ||
	    len != PGENC_SEV_MEASURE_SIZE)
		return -EIO;
	memcpy(out, mac, PGENC_SEV_MEASURE_SIZE);
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

int pgenc_sev_verify(const uint8_t *tik, uint8_t api_major, uint8_t api_minor,
		     uint8_t build, uint32_t policy, const uint8_t *digest,
		     const uint8_t *blob)
{
	uint8_t want[PGENC_SEV_MEASURE_SIZE];
	int r;

	if (!blob)
		return -EINVAL;
	r = pgenc_sev_measure(tik, api_major, api_minor, build, policy, digest,
			      blob + PGENC_SEV_MEASURE_SIZE, want);
	if (r)
		return r;
	r = CRYPTO_memcmp(want, blob, PGENC_SEV_MEASURE_SIZE) ? -EKEYREJECTED :
								0;
	OPENSSL_cleanse(want, sizeof(want));
	return r;
}

struct pgenc_sev_digest {
	EVP_MD_CTX *ctx;
	bool done;
};

int pgenc_sev_digest_new(struct pgenc_sev_digest **out)
{
	struct pgenc_sev_digest *d;

	if (!out)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->ctx = EVP_MD_CTX_new();
	if (!d->ctx) {
		free(d);
		return -ENOMEM;
	}
	if (!EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL)) {
		pgenc_sev_digest_free(d);
		return -EIO;
	}
	*out = d;
	return 0;
}

int pgenc_sev_digest_update(struct pgenc_sev_digest *d, const void *data,
			    size_t len)
{
	if (!d || d->done || (!data && len))
		return -EINVAL;
	if (len && !EVP_DigestUpdate(d->ctx, data, len))
		return -EIO;
	return 0;
}

int pgenc_sev_digest_final(struct pgenc_sev_digest *d, uint8_t *out)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!d || d->done || !out)
		return -EINVAL;
	d->done = true;
	if (!EVP_DigestFinal_ex(d->ctx, md, &len) ||
	    len != PGENC_SEV_DIGEST_SIZE)
		return -EIO;
	memcpy(out, md, PGENC_SEV_DIGEST_SIZE);
	return 0;
}

void pgenc_sev_digest_free(struct pgenc_sev_digest *d)
{
	if (!d)
		return;
	EVP_MD_CTX_free(d->ctx);
	free(d);
}

int pgenc_sev_launch_digest(const struct iovec *iov, size_t iovcnt,
			    uint8_t *out)
{
	struct pgenc_sev_digest *d = NULL;
	size_t i;
	int r;

	if ((!iov && iovcnt) || !out)
		return -EINVAL;
	r = pgenc_sev_digest_new(&d);
	for (i = 0; !r && i < iovcnt; i++)
		r = pgenc_sev_digest_update(d, iov[i].iov_base, iov[i].iov_len);
	if (!r)
		r = pgenc_sev_digest_final(d, out);
	pgenc_sev_digest_free(d);
	return r;
}
