/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libpgenc: SEV commands, the launch sequence and its measurement.
 * Part of <pgenc/pgenc.h>, which includes every topic header and states
 * the library's conventions; each header also stands alone.
 */
#ifndef PGENC_SEV_H
#define PGENC_SEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * SEV
 * ===
 *
 * Thin wrappers of KVM_MEMORY_ENCRYPT_OP (struct kvm_sev_cmd): vmfd is
 * the VM, sev_fd an open /dev/sev. Each returns 0 or -errno and, when
 * fw_error is not NULL, stores the firmware status code there (0 when
 * the command succeeded; see pgenc_sev_fw_strerror()). Lengths above
 * UINT32_MAX are -EINVAL without a call.
 */
struct pgenc_sev_platform_status {
	uint8_t api_major;
	uint8_t api_minor;
	uint8_t build;
	uint8_t state; /* 0 UNINIT, 1 INIT, 2 WORKING */
	uint32_t flags;
	uint32_t guest_count;
};

struct pgenc_sev_guest_status {
	uint32_t handle;
	uint32_t policy;
	uint32_t state; /* see pgenc_sev_guest_state_name() */
};

/* SEV_ISSUE_CMD(SEV_PLATFORM_STATUS) on sev_fd (/dev/sev). */
int pgenc_sev_platform_status(int sev_fd, struct pgenc_sev_platform_status *st,
			      int *fw_error);
/* KVM_SEV_INIT, or KVM_SEV_ES_INIT when es (turns tracking on, too). */
int pgenc_sev_init(int vmfd, int sev_fd, bool es, int *fw_error);
/* KVM_SEV_LAUNCH_START with no DH certificate or session; *handle out. */
int pgenc_sev_launch_start(int vmfd, int sev_fd, uint32_t policy,
			   uint32_t *handle, int *fw_error);
/*
 * The same with the guest owner's DH certificate and session blobs, and
 * an input handle (0 for a new guest context).
 */
int pgenc_sev_launch_start_ex(int vmfd, int sev_fd, uint32_t policy,
			      const void *dh_cert, size_t dh_len,
			      const void *session, size_t session_len,
			      uint32_t *handle, int *fw_error);
/* KVM_SEV_LAUNCH_UPDATE_DATA: encrypt [addr, addr + len) in place. */
int pgenc_sev_launch_update_data(int vmfd, int sev_fd, void *addr, size_t len,
				 int *fw_error);
/* KVM_SEV_LAUNCH_UPDATE_VMSA (SEV-ES): the vCPUs' register state. */
int pgenc_sev_launch_update_vmsa(int vmfd, int sev_fd, int *fw_error);

#define PGENC_SEV_TIK_SIZE 16
#define PGENC_SEV_DIGEST_SIZE 32
#define PGENC_SEV_MNONCE_SIZE 16
#define PGENC_SEV_MEASURE_SIZE 32
/* What LAUNCH_MEASURE returns: the measurement, then the mnonce. */
#define PGENC_SEV_MEASURE_BLOB_SIZE 48

/* KVM_SEV_LAUNCH_MEASURE into out (PGENC_SEV_MEASURE_BLOB_SIZE bytes). */
int pgenc_sev_launch_measure(int vmfd, int sev_fd, uint8_t *out, int *fw_error);
int pgenc_sev_launch_finish(int vmfd, int sev_fd, int *fw_error);
int pgenc_sev_guest_status(int vmfd, int sev_fd,
			   struct pgenc_sev_guest_status *st, int *fw_error);
/*
 * KVM_SEV_DBG_DECRYPT / KVM_SEV_DBG_ENCRYPT of len bytes. src and dst are
 * addresses in this process: for decrypt src is guest memory, for encrypt
 * dst is. With pgenc, pages the guest reported shared are copied without
 * the firmware (only as true as the guest's reports).
 */
int pgenc_sev_dbg_decrypt(int vmfd, int sev_fd, const void *src, void *dst,
			  size_t len, int *fw_error);
int pgenc_sev_dbg_encrypt(int vmfd, int sev_fd, const void *src, void *dst,
			  size_t len, int *fw_error);

/*
 * Migration
 * ---------
 *
 * The SEND and RECEIVE commands (SEV API 6.12-6.19), as KVM 6.1 passes
 * them (Documentation/migration.rst, "SEV"). The *_len functions are
 * the length queries: the firmware writes the lengths it needs back.
 */
#define PGENC_SEV_MAX_CERTS (16U << 10) /* bytes of a cert or chain */

struct pgenc_sev_send_start {
	uint32_t policy;
	const void *pdh; /* the target platform's PDH certificate */
	size_t pdh_len;
	const void *plat; /* its PEK, OCA (and CEK) certificates */
	size_t plat_len;
	const void *amd; /* the AMD chain (ASK, ARK) */
	size_t amd_len;
};

/* KVM_SEV_SEND_START with session_len 0: the session blob's size. */
int pgenc_sev_send_start_len(int vmfd, int sev_fd, size_t *session_len,
			     int *fw_error);
/* KVM_SEV_SEND_START: the session blob into session (*session_len). */
int pgenc_sev_send_start(int vmfd, int sev_fd,
			 const struct pgenc_sev_send_start *p, void *session,
			 size_t *session_len, int *fw_error);
/*
 * KVM_SEV_SEND_UPDATE_DATA with no lengths: the sizes of the packet
 * header and of the transport buffer.
 */
int pgenc_sev_send_update_data_len(int vmfd, int sev_fd, size_t *hdr_len,
				   size_t *trans_len, int *fw_error);
/*
 * KVM_SEV_SEND_UPDATE_DATA of [guest, guest + len) (inside one page of
 * guest memory as mapped here): the packet header into hdr and the
 * transport ciphertext into trans; their lengths in and out.
 */
int pgenc_sev_send_update_data(int vmfd, int sev_fd, const void *guest,
			       size_t len, void *hdr, size_t *hdr_len,
			       void *trans, size_t *trans_len, int *fw_error);
int pgenc_sev_send_finish(int vmfd, int sev_fd, int *fw_error);
int pgenc_sev_send_cancel(int vmfd, int sev_fd, int *fw_error);
/*
 * KVM_SEV_RECEIVE_START with the source's PDH certificate and session
 * blob; *handle in (0: a new context) and out.
 */
int pgenc_sev_receive_start(int vmfd, int sev_fd, uint32_t policy,
			    const void *pdh, size_t pdh_len,
			    const void *session, size_t session_len,
			    uint32_t *handle, int *fw_error);
/* KVM_SEV_RECEIVE_UPDATE_DATA: one packet into [guest, guest + len). */
int pgenc_sev_receive_update_data(int vmfd, int sev_fd, void *guest, size_t len,
				  const void *hdr, size_t hdr_len,
				  const void *trans, size_t trans_len,
				  int *fw_error);
int pgenc_sev_receive_finish(int vmfd, int sev_fd, int *fw_error);
/*
 * SEV_ISSUE_CMD(SEV_PDH_CERT_EXPORT) on /dev/sev: the platform's PDH
 * certificate and its chain, in new buffers (free()).
 */
int pgenc_sev_pdh_export(int sev_fd, void **pdh, size_t *pdh_len, void **chain,
			 size_t *chain_len, int *fw_error);

/*
 * The name and meaning of an SEV firmware status code (enum sev_ret_code
 * in <linux/psp-sev.h>), e.g. "INVALID_GUEST_STATE: ...". Never NULL.
 */
const char *pgenc_sev_fw_strerror(int code);
/* "UNINIT", "LUPDATE", "LSECRET", "RUNNING", ...; never NULL. */
const char *pgenc_sev_guest_state_name(uint32_t state);

/*
 * The launch measurement (SEV API 6.5.2, LAUNCH_MEASURE):
 *	HMAC-SHA256(key = TIK, 0x04 || API_MAJOR || API_MINOR || BUILD ||
 *		    POLICY (u32 LE) || LD (32 bytes) || MNONCE (16 bytes))
 * LD is the launch digest (below). api_* and build are the firmware's,
 * from SEV_PLATFORM_STATUS. 0, or -EINVAL/-ENOMEM/-EIO (libcrypto).
 */
int pgenc_sev_measure(const uint8_t *tik, uint8_t api_major, uint8_t api_minor,
		      uint8_t build, uint32_t policy, const uint8_t *digest,
		      const uint8_t *mnonce, uint8_t *out);
/*
 * Check a LAUNCH_MEASURE blob (48 bytes: measurement, mnonce) against
 * the expected inputs, comparing in constant time. 0 on a match,
 * -EKEYREJECTED on a mismatch, or an error of pgenc_sev_measure().
 */
int pgenc_sev_verify(const uint8_t *tik, uint8_t api_major, uint8_t api_minor,
		     uint8_t build, uint32_t policy, const uint8_t *digest,
		     const uint8_t *blob);

/*
 * The launch digest: SHA-256 over the concatenation, in order, of the
 * plaintext passed to every LAUNCH_UPDATE_DATA (and, for SEV-ES, of the
 * VMSAs, in the order the firmware saw them).
 */
struct pgenc_sev_digest;
int pgenc_sev_digest_new(struct pgenc_sev_digest **out);
int pgenc_sev_digest_update(struct pgenc_sev_digest *d, const void *data,
			    size_t len);
/* The digest so far; the object may not be updated afterwards. */
int pgenc_sev_digest_final(struct pgenc_sev_digest *d, uint8_t *out);
void pgenc_sev_digest_free(struct pgenc_sev_digest *d); /* NULL: no-op */
/* One shot over iovcnt buffers. */
int pgenc_sev_launch_digest(const struct iovec *iov, size_t iovcnt,
			    uint8_t *out);

/*
 * The launch sequence
 * -------------------
 *
 * pgenc_sev_launch() runs, on a VM after pgenc_sev_init():
 *
 *	LAUNCH_START -> LAUNCH_UPDATE_DATA of each region, in order ->
 *	[LAUNCH_UPDATE_VMSA] -> LAUNCH_MEASURE -> [verify] -> LAUNCH_FINISH
 *
 * and stops at the first failure: no later command is issued (in
 * particular no LAUNCH_FINISH after a failed MEASURE or a measurement
 * that does not verify), and res says which step failed and why. The
 * guest context then stays as the firmware left it; closing the VM
 * frees it.
 *
 * Verification (verify = true) recomputes the measurement from the TIK,
 * the firmware's API version and build, the policy and the launch
 * digest, and compares it with the one LAUNCH_MEASURE returned. The TIK
 * is tik, or else what get_tik() provides once LAUNCH_START has named
 * the handle (sevsim keeps it in debugfs under the handle). The digest
 * is expected_digest when given, else the SHA-256 of the regions'
 * plaintext as this function passed them; VMSAs are measured too, and
 * their plaintext is the kernel's, so with update_vmsa verification
 * needs expected_digest.
 */
enum pgenc_sev_launch_step {
	PGENC_SEV_STEP_NONE, /* nothing failed */
	PGENC_SEV_STEP_ARGS, /* invalid parameters: no command issued */
	PGENC_SEV_STEP_PLATFORM_STATUS, /* only when verifying, no platform */
	PGENC_SEV_STEP_START,
	PGENC_SEV_STEP_TIK, /* get_tik() */
	PGENC_SEV_STEP_DIGEST, /* libcrypto */
	PGENC_SEV_STEP_UPDATE_DATA, /* region failed_index */
	PGENC_SEV_STEP_UPDATE_VMSA,
	PGENC_SEV_STEP_MEASURE,
	PGENC_SEV_STEP_VERIFY, /* -EKEYREJECTED: the measurement differs */
	PGENC_SEV_STEP_FINISH,
};

/* Guest memory to launch, as mapped in this process (16-byte aligned). */
struct pgenc_sev_region {
	void *addr;
	size_t len;
};

struct pgenc_sev_launch_result;

struct pgenc_sev_launch_params {
	uint32_t policy;
	uint32_t handle; /* non-zero: LAUNCH_START shares this guest's keys */
	/* The guest owner's DH certificate and session blobs, or NULL/0. */
	const void *dh_cert;
	size_t dh_len;
	const void *session;
	size_t session_len;
	const struct pgenc_sev_region *regions;
	size_t nr_regions;
	bool update_vmsa; /* SEV-ES: measure and encrypt the vCPUs' state */

	bool verify;
	const uint8_t *tik; /* PGENC_SEV_TIK_SIZE bytes, or NULL: get_tik */
	/* 0 with tik filled, or -errno (the launch stops: STEP_TIK). */
	int (*get_tik)(void *opaque, uint32_t handle, uint8_t *tik);
	const uint8_t *expected_digest; /* PGENC_SEV_DIGEST_SIZE, or NULL */
	/* The firmware's version; NULL: SEV_PLATFORM_STATUS on sev_fd. */
	const struct pgenc_sev_platform_status *platform;

	/*
	 * Called after each step that succeeded (index: the region for
	 * UPDATE_DATA, else 0), with the result so far. May be NULL.
	 */
	void (*progress)(void *opaque, enum pgenc_sev_launch_step step,
			 size_t index,
			 const struct pgenc_sev_launch_result *res);
	void *opaque; /* for get_tik() and progress() */
};

struct pgenc_sev_launch_result {
	uint32_t handle; /* from LAUNCH_START */
	/* LAUNCH_MEASURE: the measurement, then the mnonce. */
	uint8_t blob[PGENC_SEV_MEASURE_BLOB_SIZE];
	/* SHA-256 of the regions' plaintext, in order (VMSAs excluded). */
	uint8_t digest[PGENC_SEV_DIGEST_SIZE];
	bool verified;
	/* On failure: where, the -errno returned and the firmware status. */
	enum pgenc_sev_launch_step failed_step;
	size_t failed_index; /* the region, for STEP_UPDATE_DATA */
	int error;
	int fw_error; /* SEV_RET_*, SEV_RET_NO_FW_CALL (-1) if none issued */
};

/*
 * Run the launch sequence. 0, or the -errno of the failed step. res is
 * always written (reset first), on failure too: this is the exception
 * to the rule that out-parameters are written only on success.
 */
int pgenc_sev_launch(int vmfd, int sev_fd,
		     const struct pgenc_sev_launch_params *p,
		     struct pgenc_sev_launch_result *res);
/* "LAUNCH_START", "LAUNCH_UPDATE_DATA", ...; never NULL. */
const char *pgenc_sev_launch_step_name(enum pgenc_sev_launch_step step);

#ifdef __cplusplus
}
#endif

#endif /* PGENC_SEV_H */
