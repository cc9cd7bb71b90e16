/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SEV helpers for pgenc's selftests, against sevsim (/dev/sevsim): the
 * KVM_MEMORY_ENCRYPT_OP commands as errno-returning calls that report
 * the firmware status, and a VM whose launched data lives in its own
 * memslot so that the guest's code (loaded in plaintext by the library)
 * still runs: sevsim does not encrypt a guest's own accesses.
 */
#ifndef PGENC_SEV_UTIL_H
#define PGENC_SEV_UTIL_H

#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <linux/psp-sev.h>
#include <linux/sevsim.h>

#include "pgenc_util.h"

#define SEV_DATA_GPA (32ULL << 20) /* the launched region's slot */
#define SEV_DATA_SLOT 1
#define SEV_POLICY_NODBG 0x1
#define SEV_POLICY_ES 0x4
#define SEV_POLICY_NOSEND 0x8
#define SEV_POLICY_DOMAIN 0x10
#define SEV_POLICY_SEV 0x20

/* Guest states of GUEST_STATUS. */
#define SEV_GSTATE_LUPDATE 1
#define SEV_GSTATE_LSECRET 2
#define SEV_GSTATE_RUNNING 3
#define SEV_GSTATE_SUPDATE 4
#define SEV_GSTATE_RUPDATE 5
#define SEV_GSTATE_SENT 6

/* Migration: SEV API sections 6.11 (session) and 6.12 (packet header). */
#define SEV_SESSION_LEN 128
#define SEV_PKT_HDR_LEN 52
#define SEV_CERT_LEN 0x824

struct sev_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	int sev_fd;
	uint32_t handle;
	uint8_t *data; /* host view of the launched region */
	uint64_t data_pages;
};

static inline int sevsim_fd(void)
{
	int fd = open(SEVSIM_DEVICE, O_RDWR);
	char p = 'N';
	FILE *f;

	if (fd >= 0)
		return fd;
	f = fopen("/sys/module/kvm_amd/parameters/sevsim", "r");
	if (f) {
		if (fscanf(f, "%c", &p) != 1)
			p = 'N';
		fclose(f);
	}
	if (p != 'Y')
		ksft_exit_skip("kvm_amd loaded without sevsim=1: no SEV firmware\n");
	ksft_exit_fail_msg("sevsim=1 but %s cannot be opened\n", SEVSIM_DEVICE);
	return -1;
}

/* A KVM_MEMORY_ENCRYPT_OP command: 0 or -errno; *fw gets the status. */
static inline int sev_cmd(struct sev_vm *s, uint32_t id, void *data,
			  uint32_t *fw)
{
	struct kvm_sev_cmd cmd = {
		.id = id,
		.data = (uint64_t)(uintptr_t)data,
		.sev_fd = s->sev_fd,
	};
	int r = ioctl(s->vm->fd, KVM_MEMORY_ENCRYPT_OP, &cmd);

	if (fw)
		*fw = cmd.error;
	return r ? -errno : 0;
}

/* A platform command on /dev/sevsim; returns the firmware status. */
static inline int sevsim_platform(int sev_fd, uint32_t cmd_id, void *data)
{
	struct sev_issue_cmd cmd = {
		.cmd = cmd_id,
		.data = (uint64_t)(uintptr_t)data,
	};

	if (ioctl(sev_fd, SEV_ISSUE_CMD, &cmd) && errno != EIO)
		return -errno;
	return cmd.error;
}

/* A test-only lifecycle command of /dev/sevsim; the firmware status. */
static inline int sevsim_user_guest(int sev_fd, uint32_t cmd_id,
				    uint32_t handle, uint32_t asid)
{
	struct sevsim_user_guest ug = { .handle = handle, .asid = asid };

	return sevsim_platform(sev_fd, cmd_id, &ug);
}

/*
 * A test-only stall command of /dev/sevsim (SEVSIM_USER_STALL_*): 0 or
 * -errno; *us gets the stall's state after the command.
 */
static inline int sevsim_stall(int sev_fd, uint32_t cmd_id, uint32_t timeout_ms,
			       struct sevsim_user_stall *us)
{
	memset(us, 0, sizeof(*us));
	us->timeout_ms = timeout_ms;
	return sevsim_platform(sev_fd, cmd_id, us);
}

static inline uint32_t sevsim_guest_count(int sev_fd)
{
	struct sev_user_data_status st;

	TEST_ASSERT(!sevsim_platform(sev_fd, SEV_PLATFORM_STATUS, &st),
		    "PLATFORM_STATUS");
	return st.guest_count;
}

/* Pages for slot 0: the ELF, stacks and page tables, with room to spare. */
static inline uint64_t sev_slot0_pages(void)
{
	struct stat st;

	TEST_ASSERT(!stat(program_invocation_name, &st), "stat self");
	return 1024 + 2 * (st.st_size / PGENC_PAGE);
}

/*
 * Slot 0 sized for this binary, with the binary loaded, and an irqchip,
 * since the library loads the whole test ELF into the guest and its
 * default 2 MiB does not hold a test linked with libcrypto.
 */
static inline struct kvm_vm *sev_vm_shell(void)
{
	return pgenc_vm_create_shell(sev_slot0_pages());
}

/* s's vCPU running guest_code, and data_pages at SEV_DATA_GPA. */
static inline void sev_vm_add_data(struct sev_vm *s, void *guest_code,
				   uint64_t data_pages)
{
	s->vcpu = vm_vcpu_add(s->vm, 0, guest_code);
	s->data_pages = data_pages;
	vm_userspace_mem_region_add(s->vm, VM_MEM_SRC_ANONYMOUS, SEV_DATA_GPA,
				    SEV_DATA_SLOT, data_pages, 0);
	virt_map(s->vm, SEV_DATA_GPA, SEV_DATA_GPA, data_pages);
	s->data = addr_gpa2hva(s->vm, SEV_DATA_GPA);
}

/*
 * A VM after KVM_SEV_INIT (or ES_INIT) with a vCPU running guest_code and
 * data_pages of launch data at SEV_DATA_GPA, registered (pinned) as SEV
 * memory like a VMM does. No LAUNCH_START yet.
 */
static inline int sev_vm_create(struct sev_vm *s, int sev_fd, bool es,
				void *guest_code, uint64_t data_pages,
				uint32_t *fw)
{
	struct kvm_enc_region region;
	int r;

	memset(s, 0, sizeof(*s));
	s->sev_fd = sev_fd;
	s->vm = sev_vm_shell();
	r = sev_cmd(s, es ? KVM_SEV_ES_INIT : KVM_SEV_INIT, NULL, fw);
	if (r) {
		kvm_vm_free(s->vm);
		s->vm = NULL;
		return r;
	}
	sev_vm_add_data(s, guest_code, data_pages);
	region.addr = (uint64_t)(uintptr_t)s->data;
	region.size = data_pages * PGENC_PAGE;
	vm_ioctl(s->vm, KVM_MEMORY_ENCRYPT_REG_REGION, &region);
	return 0;
}

/*
 * The same layout with no SEV context: the target of an intra-host move
 * (KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM), which brings the context.
 */
static inline void sev_vm_create_plain(struct sev_vm *s, int sev_fd,
				       void *guest_code, uint64_t data_pages)
{
	memset(s, 0, sizeof(*s));
	s->sev_fd = sev_fd;
	s->vm = sev_vm_shell();
	sev_vm_add_data(s, guest_code, data_pages);
}

static inline int sev_launch_start(struct sev_vm *s, uint32_t policy,
				   uint32_t handle, uint32_t *fw)
{
	struct kvm_sev_launch_start start = {
		.handle = handle,
		.policy = policy,
	};
	int r = sev_cmd(s, KVM_SEV_LAUNCH_START, &start, fw);

	if (!r)
		s->handle = start.handle;
	return r;
}

static inline int sev_launch_update(struct sev_vm *s, uint64_t off,
				    uint64_t len, uint32_t *fw)
{
	struct kvm_sev_launch_update_data upd = {
		.uaddr = (uint64_t)(uintptr_t)(s->data + off),
		.len = len,
	};

	return sev_cmd(s, KVM_SEV_LAUNCH_UPDATE_DATA, &upd, fw);
}

static inline int sev_launch_measure(struct sev_vm *s, uint8_t out[48],
				     uint32_t *len, uint32_t *fw)
{
	struct kvm_sev_launch_measure m = {
		.uaddr = (uint64_t)(uintptr_t)out,
		.len = *len,
	};
	int r = sev_cmd(s, KVM_SEV_LAUNCH_MEASURE, &m, fw);

	*len = m.len;
	return r;
}

static inline int sev_guest_state(struct sev_vm *s, uint32_t *fw)
{
	struct kvm_sev_guest_status st;
	int r = sev_cmd(s, KVM_SEV_GUEST_STATUS, &st, fw);

	return r ? r : (int)st.state;
}

/* The guest's ASID (0: inactive), from /dev/sevsim's GUEST_STATUS. */
static inline int64_t sev_guest_asid(struct sev_vm *s)
{
	struct sevsim_user_guest ug = { .handle = s->handle };
	int r = sevsim_platform(s->sev_fd, SEVSIM_USER_GUEST_STATUS, &ug);

	return r ? -1 : (int64_t)ug.asid;
}

/* DBG_DECRYPT (dec) or DBG_ENCRYPT of len bytes between two user buffers. */
static inline int sev_dbg(struct sev_vm *s, bool dec, void *src, void *dst,
			  uint32_t len, uint32_t *fw)
{
	struct kvm_sev_dbg d = {
		.src_uaddr = (uint64_t)(uintptr_t)src,
		.dst_uaddr = (uint64_t)(uintptr_t)dst,
		.len = len,
	};

	return sev_cmd(s, dec ? KVM_SEV_DBG_DECRYPT : KVM_SEV_DBG_ENCRYPT, &d,
		       fw);
}

/*
 * The platform's PDH certificate and its chain (PEK, OCA, CEK) from
 * PDH_CERT_EXPORT: the firmware status.
 */
static inline int sev_pdh_export(int sev_fd, uint8_t pdh[SEV_CERT_LEN],
				 uint8_t *chain, uint32_t *chain_len)
{
	struct sev_user_data_pdh_cert_export e = {
		.pdh_cert_address = (uint64_t)(uintptr_t)pdh,
		.pdh_cert_len = SEV_CERT_LEN,
		.cert_chain_address = (uint64_t)(uintptr_t)chain,
		.cert_chain_len = *chain_len,
	};
	int r = sevsim_platform(sev_fd, SEV_PDH_CERT_EXPORT, &e);

	*chain_len = e.cert_chain_len;
	return r;
}

/*
 * SEND_START to the holder of pdh (chain: its PEK, OCA, CEK; amd: the
 * AMD chain, which KVM 6.1 requires even where the policy does not): *len
 * in, the session's length out (0 in: the length query); *policy out.
 */
static inline int sev_send_start(struct sev_vm *s, const uint8_t *pdh,
				 const uint8_t *chain, uint32_t chain_len,
				 const uint8_t *amd, uint32_t amd_len,
				 uint8_t *session, uint32_t *len,
				 uint32_t *policy, uint32_t *fw)
{
	struct kvm_sev_send_start st = {
		.pdh_cert_uaddr = (uint64_t)(uintptr_t)pdh,
		.pdh_cert_len = SEV_CERT_LEN,
		.plat_certs_uaddr = (uint64_t)(uintptr_t)chain,
		.plat_certs_len = chain_len,
		.amd_certs_uaddr = (uint64_t)(uintptr_t)amd,
		.amd_certs_len = amd_len,
		.session_uaddr = (uint64_t)(uintptr_t)session,
		.session_len = *len,
	};
	int r = sev_cmd(s, KVM_SEV_SEND_START, &st, fw);

	*len = st.session_len;
	if (policy)
		*policy = st.policy;
	return r;
}

/*
 * SEND_UPDATE_DATA of len bytes at off in the launched region into a
 * packet header and transport buffer: *hdr_len and *trans_len in and out
 * (either 0: the length query).
 */
static inline int sev_send_update(struct sev_vm *s, uint64_t off, uint32_t len,
				  uint8_t *hdr, uint32_t *hdr_len,
				  uint8_t *trans, uint32_t *trans_len,
				  uint32_t *fw)
{
	struct kvm_sev_send_update_data u = {
		.hdr_uaddr = (uint64_t)(uintptr_t)hdr,
		.hdr_len = *hdr_len,
		.guest_uaddr = (uint64_t)(uintptr_t)(s->data + off),
		.guest_len = len,
		.trans_uaddr = (uint64_t)(uintptr_t)trans,
		.trans_len = *trans_len,
	};
	int r = sev_cmd(s, KVM_SEV_SEND_UPDATE_DATA, &u, fw);

	*hdr_len = u.hdr_len;
	*trans_len = u.trans_len;
	return r;
}

/* RECEIVE_START into s (after KVM_SEV_INIT): sets s->handle. */
static inline int sev_receive_start(struct sev_vm *s, uint32_t policy,
				    const uint8_t *pdh, const uint8_t *session,
				    uint32_t *fw)
{
	struct kvm_sev_receive_start st = {
		.policy = policy,
		.pdh_uaddr = (uint64_t)(uintptr_t)pdh,
		.pdh_len = SEV_CERT_LEN,
		.session_uaddr = (uint64_t)(uintptr_t)session,
		.session_len = SEV_SESSION_LEN,
	};
	int r = sev_cmd(s, KVM_SEV_RECEIVE_START, &st, fw);

	if (!r)
		s->handle = st.handle;
	return r;
}

/* RECEIVE_UPDATE_DATA of a packet of len bytes to off in the region. */
static inline int sev_receive_update(struct sev_vm *s, uint64_t off,
				     uint32_t len, const uint8_t *hdr,
				     const uint8_t *trans, uint32_t *fw)
{
	struct kvm_sev_receive_update_data u = {
		.hdr_uaddr = (uint64_t)(uintptr_t)hdr,
		.hdr_len = SEV_PKT_HDR_LEN,
		.guest_uaddr = (uint64_t)(uintptr_t)(s->data + off),
		.guest_len = len,
		.trans_uaddr = (uint64_t)(uintptr_t)trans,
		.trans_len = len,
	};

	return sev_cmd(s, KVM_SEV_RECEIVE_UPDATE_DATA, &u, fw);
}

/* Launch data: a recognisable pattern per page and offset. */
static inline uint8_t sev_pattern(uint64_t page, uint64_t off)
{
	return (uint8_t)(page * 31 + off * 7 + 1);
}

static inline void sev_fill_pattern(uint8_t *p, uint64_t pages)
{
	uint64_t i;

	for (i = 0; i < pages * PGENC_PAGE; i++)
		p[i] = sev_pattern(i / PGENC_PAGE, i % PGENC_PAGE);
}

static inline void sev_vm_free(struct sev_vm *s)
{
	if (s->vm)
		kvm_vm_free(s->vm);
	s->vm = NULL;
}

#endif /* PGENC_SEV_UTIL_H */
