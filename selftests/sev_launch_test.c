// SPDX-License-Identifier: GPL-2.0-only
/*
 * sev_launch_test: the SEV launch flow against sevsim. In order it
 * succeeds, leaves in the host's view the ciphertext that OpenSSL
 * recomputes from the VEK and the pages' physical addresses, and a
 * measurement that OpenSSL recomputes from the TIK for several policies;
 * out of order every command fails with the SEV API's status and changes
 * nothing (the lifecycle codes that KVM never provokes through
 * /dev/sevsim's test-only commands). Also the platform state machine, key
 * sharing and NOKS, ASID kinds, KVM_SEV_INIT/ES_INIT enabling page
 * tracking, SEV-ES measurement of the VMSA, ASID exhaustion and recycling,
 * handles freed with their VMs, and the kernel's warning that sevsim is
 * active.
 *
 * The ASID tests assume the default sevsim_asids=16, sevsim_es_asids=4.
 */
#define _GNU_SOURCE
#include <sys/klog.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "sev_crypto.h"

#define DATA_PAGES 4ULL

static void guest_code(void)
{
	GUEST_DONE();
}

/*
 * HMAC-SHA256(TIK, 0x04 || 0 || 24 || 1 || policy || LD || MNONCE). The
 * launch digest is SHA-256 of the launched plaintext, or (vmsa) of more
 * than that: the VMSA, which userspace cannot read, is measured too.
 */
static bool measurement_matches(uint32_t handle, uint32_t policy,
				const uint8_t *plain, size_t len, bool vmsa,
				const uint8_t blob[48])
{
	uint8_t msg[1 + 3 + 4 + 32 + 16], tik[16], mac[32], ld[32];
	unsigned int mac_len = sizeof(mac);
	int i;

	read_hex(handle, "tik", tik, sizeof(tik));
	read_hex(handle, "launch_digest", ld, sizeof(ld));
	msg[0] = 0x04;
	msg[1] = 0; /* API major */
	msg[2] = 24; /* API minor */
	msg[3] = 1; /* build */
	/* Little endian, spelled out so a host's byte order cannot hide it. */
	for (i = 0; i < 4; i++)
		msg[4 + i] = policy >> (8 * i);
	SHA256(plain, len, msg + 8);
	if (!memcmp(ld, msg + 8, 32) == vmsa) {
		ksft_print_msg("launch digest %02x%02x..., SHA-256 of the data %02x%02x...%s\n",
			       ld[0], ld[1], msg[8], msg[9],
			       vmsa ? " (the VMSA is not in it)" : "");
		return false;
	}
	memcpy(msg + 8, ld, 32);
	memcpy(msg + 40, blob + 32, 16);
	if (!HMAC(EVP_sha256(), tik, sizeof(tik), msg, sizeof(msg), mac,
		  &mac_len))
		return false;
	if (mac_len == 32 && !memcmp(mac, blob, 32))
		return true;
	ksft_print_msg("measurement %02x%02x%02x%02x..., recomputed %02x%02x%02x%02x...\n",
		       blob[0], blob[1], blob[2], blob[3], mac[0], mac[1],
		       mac[2], mac[3]);
	return false;
}

/* Whether every bit of the first n pages' bitmap says encrypted. */
static bool all_encrypted(struct kvm_vm *vm, uint64_t n)
{
	uint8_t bm[8];
	uint64_t i;

	if (n > 64 || pgenc_get(vm, 0, n, bm))
		return false;
	for (i = 0; i < n; i++)
		if (!pgenc_bit(bm, i))
			return false;
	return true;
}

static void test_launch_flow(int sev_fd)
{
	uint8_t plain[DATA_PAGES * PGENC_PAGE], host[sizeof(plain)], blob[48];
	uint32_t fw = 0, len = 0, policy = 0;
	struct sev_vm s;
	bool ok;
	int r;

	TEST_ASSERT(!sev_vm_create(&s, sev_fd, false, guest_code, DATA_PAGES,
				   &fw),
		    "KVM_SEV_INIT: fw %u", fw);
	ksft_test_result(all_encrypted(s.vm, 64),
			 "KVM_SEV_INIT enables page tracking without KVM_ENABLE_CAP, all pages encrypted\n");

	/* KVM learns the VM's firmware fd from LAUNCH_START. */
	r = sev_cmd(&s, KVM_SEV_LAUNCH_FINISH, NULL, &fw);
	ksft_test_result(r == -EBADF,
			 "LAUNCH_FINISH before LAUNCH_START: EBADF, no firmware fd yet (%d)\n",
			 r);

	r = sev_launch_start(&s, 0, 0xdead, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_GUEST && !s.handle,
			 "LAUNCH_START sharing an unknown handle: INVALID_GUEST\n");
	r = sev_launch_start(&s, 0xff << 16, 0, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_POLICY_FAILURE,
			 "LAUNCH_START with a policy needing API 255.x: POLICY_FAILURE\n");
	r = sev_launch_start(&s, 1u << 6, 0, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_POLICY_FAILURE && !s.handle,
			 "LAUNCH_START with reserved policy bit 6: POLICY_FAILURE\n");

	r = sev_launch_start(&s, policy, 0, &fw);
	ksft_test_result(!r && s.handle &&
				 sev_guest_state(&s, &fw) == SEV_GSTATE_LUPDATE,
			 "LAUNCH_START: handle %u, state LUPDATE\n", s.handle);

	r = sev_cmd(&s, KVM_SEV_LAUNCH_FINISH, NULL, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_GUEST_STATE &&
				 sev_guest_state(&s, &fw) == SEV_GSTATE_LUPDATE,
			 "LAUNCH_FINISH in LUPDATE: INVALID_GUEST_STATE, state kept\n");

	/* Pages 2 and 3 hold the same plaintext. */
	sev_fill_pattern(s.data, DATA_PAGES);
	memcpy(s.data + 3 * PGENC_PAGE, s.data + 2 * PGENC_PAGE, PGENC_PAGE);
	memcpy(plain, s.data, sizeof(plain));
	r = sev_launch_update(&s, 0, 2 * PGENC_PAGE, &fw) ||
	    sev_launch_update(&s, 2 * PGENC_PAGE, 2 * PGENC_PAGE, &fw);
	memcpy(host, s.data, sizeof(host));
	ok = !r && memcmp(host, plain, PGENC_PAGE) &&
	     memcmp(host + 3 * PGENC_PAGE, plain + 3 * PGENC_PAGE, PGENC_PAGE);
	ksft_test_result(ok,
			 "LAUNCH_UPDATE_DATA leaves ciphertext in the host's view\n");
	ksft_test_result(!r && ciphertext_matches(s.handle, s.data, plain,
						  sizeof(plain)),
			 "the ciphertext is AES-128 with the PA tweak under the VEK, recomputed with OpenSSL\n");
	ksft_test_result(!r && memcmp(host + 2 * PGENC_PAGE,
				      host + 3 * PGENC_PAGE, PGENC_PAGE),
			 "two pages of identical plaintext differ in ciphertext\n");

	r = sev_launch_measure(&s, NULL, &len, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_LEN && len == 48 &&
				 sev_guest_state(&s, &fw) == SEV_GSTATE_LUPDATE,
			 "LAUNCH_MEASURE length query: INVALID_LEN, 48 bytes, state kept\n");

	len = sizeof(blob);
	r = sev_launch_measure(&s, blob, &len, &fw);
	ksft_test_result(!r && sev_guest_state(&s, &fw) == SEV_GSTATE_LSECRET,
			 "LAUNCH_MEASURE: state LSECRET\n");
	ksft_test_result(measurement_matches(s.handle, policy, plain,
					     sizeof(plain), false, blob),
			 "measurement equals HMAC-SHA256 recomputed with OpenSSL\n");

	r = sev_launch_update(&s, 0, PGENC_PAGE, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_GUEST_STATE &&
				 !memcmp(s.data, host, sizeof(host)),
			 "LAUNCH_UPDATE_DATA in LSECRET: INVALID_GUEST_STATE, memory untouched\n");
	len = sizeof(blob);
	r = sev_launch_measure(&s, blob, &len, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_GUEST_STATE,
			 "second LAUNCH_MEASURE: INVALID_GUEST_STATE\n");

	r = sev_cmd(&s, KVM_SEV_LAUNCH_FINISH, NULL, &fw);
	ksft_test_result(!r && sev_guest_state(&s, &fw) == SEV_GSTATE_RUNNING,
			 "LAUNCH_FINISH: state RUNNING\n");
	r = sev_cmd(&s, KVM_SEV_LAUNCH_FINISH, NULL, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_GUEST_STATE,
			 "second LAUNCH_FINISH: INVALID_GUEST_STATE\n");

	/* A second guest on the same VM cannot take the VM's ASID. */
	{
		uint32_t old = s.handle;

		r = sev_launch_start(&s, 0, 0, &fw);
		ksft_test_result(r == -EIO && fw == SEV_RET_ASID_OWNED &&
					 sev_guest_state(&s, &fw) ==
						 SEV_GSTATE_RUNNING &&
					 sevsim_guest_count(sev_fd) == 1,
				 "second LAUNCH_START: ASID_OWNED, the first guest (%u) untouched\n",
				 old);
	}

	vcpu_run(s.vcpu);
	ksft_test_result(get_ucall(s.vcpu, NULL) == UCALL_DONE,
			 "the launched guest runs (unencrypted under sevsim)\n");
	sev_vm_free(&s);
	ksft_test_result(sevsim_guest_count(sev_fd) == 0,
			 "VM destroy decommissions its guest\n");
}

/*
 * KVM_SEV_INIT on a bare VM: 0 or -errno. The VM's fd goes to *vm_fd.
 */
static int bare_sev_vm(int sev_fd, int *vm_fd)
{
	struct kvm_sev_cmd cmd = { .id = KVM_SEV_INIT, .sev_fd = sev_fd };
	int kvm = open_kvm_dev_path_or_exit();
	int r;

	*vm_fd = ioctl(kvm, KVM_CREATE_VM, 0);
	close(kvm);
	TEST_ASSERT(*vm_fd >= 0, "KVM_CREATE_VM");
	r = ioctl(*vm_fd, KVM_MEMORY_ENCRYPT_OP, &cmd) ? -errno : 0;
	if (r)
		close(*vm_fd);
	return r;
}

/*
 * KVM frees a VM's ASID into a reclaim pool and recycles that pool with
 * DF_FLUSH only when no free ASID is left; after SHUTDOWN, DF_FLUSH is
 * refused, so whether KVM_SEV_INIT then works depends on how many VMs
 * earlier tests made. Holding every SEV ASID at once and then making one
 * more VM forces the recycle now: afterwards all ASIDs but one are free.
 */
static void recycle_asids(int sev_fd)
{
	int fds[1024], n = 0, r = 0, i;

	while (n < 1024 && !(r = bare_sev_vm(sev_fd, &fds[n])))
		n++;
	TEST_ASSERT(r == -EBUSY && n, "hold every ASID: %d VMs, then %d", n, r);
	for (i = 0; i < n; i++)
		close(fds[i]);
	TEST_ASSERT(!bare_sev_vm(sev_fd, &fds[0]), "recycle the ASIDs");
	close(fds[0]);
}

static void test_platform(int sev_fd)
{
	struct sev_user_data_status st;
	struct sev_vm s;
	uint32_t fw = 0;

	recycle_asids(sev_fd);
	TEST_ASSERT(!sev_vm_create(&s, sev_fd, false, guest_code, 1, &fw),
		    "KVM_SEV_INIT");
	TEST_ASSERT(!sev_launch_start(&s, 0, 0, &fw), "LAUNCH_START");
	ksft_test_result(sevsim_platform(sev_fd, SEVSIM_USER_INIT, NULL) ==
				 SEV_RET_INVALID_PLATFORM_STATE,
			 "INIT when initialised: INVALID_PLATFORM_STATE\n");
	ksft_test_result(sevsim_platform(sev_fd, SEVSIM_USER_SHUTDOWN, NULL) ==
					 SEV_RET_INVALID_PLATFORM_STATE &&
				 !sevsim_platform(sev_fd, SEV_PLATFORM_STATUS,
						  &st) &&
				 st.state == 2 && st.guest_count == 1,
			 "SHUTDOWN with a guest: INVALID_PLATFORM_STATE, still WORKING\n");
	sev_vm_free(&s);
	ksft_test_result(!sevsim_platform(sev_fd, SEV_PLATFORM_STATUS, &st) &&
				 st.state == 1 && !st.guest_count &&
				 st.api_major == 0 && st.api_minor == 24,
			 "last guest gone: platform back to INIT, API 0.24\n");
	ksft_test_result(!sevsim_platform(sev_fd, SEVSIM_USER_SHUTDOWN, NULL) &&
				 !sevsim_platform(sev_fd, SEV_PLATFORM_STATUS,
						  &st) &&
				 st.state == 0 &&
				 sevsim_platform(sev_fd, SEVSIM_USER_DF_FLUSH,
						 NULL) ==
					 SEV_RET_INVALID_PLATFORM_STATE,
			 "SHUTDOWN: UNINIT, where DF_FLUSH is refused\n");
	TEST_ASSERT(!sev_vm_create(&s, sev_fd, false, guest_code, 1, &fw),
		    "KVM_SEV_INIT after SHUTDOWN");
	ksft_test_result(!sevsim_platform(sev_fd, SEV_PLATFORM_STATUS, &st) &&
				 st.state == 1,
			 "KVM_SEV_INIT initialises the platform again\n");
	sev_vm_free(&s);
}

/* The launch digest as debugfs shows it (after LAUNCH_MEASURE). */
static void read_ld(uint32_t handle, uint8_t ld[32])
{
	read_hex(handle, "launch_digest", ld, 32);
}

/*
 * SEV-ES: ES_INIT turns tracking on, the VMSA is part of the launch
 * digest, and LAUNCH_UPDATE_VMSA after LAUNCH_MEASURE is refused without
 * touching it. The policy carries the API version and other bits.
 */
static void test_es(int sev_fd)
{
	uint32_t fw = 0, len = 48, policy = 24u << 24 | 0x8 | SEV_POLICY_ES;
	uint8_t blob[48], plain[PGENC_PAGE], ld[32], ld2[32];
	uint32_t vmsa_fw;
	struct sev_vm s;
	int r;

	TEST_ASSERT(!sev_vm_create(&s, sev_fd, true, guest_code, 1, &fw),
		    "KVM_SEV_ES_INIT: fw %u", fw);
	ksft_test_result(all_encrypted(s.vm, 64),
			 "KVM_SEV_ES_INIT enables page tracking, all pages encrypted\n");
	r = sev_launch_start(&s, policy, 0, &fw);
	sev_fill_pattern(s.data, 1);
	memcpy(plain, s.data, sizeof(plain));
	r = r ?: sev_launch_update(&s, 0, PGENC_PAGE, &fw);
	r = r ?: sev_cmd(&s, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, &fw);
	r = r ?: sev_launch_measure(&s, blob, &len, &fw);
	ksft_test_result(!r && sev_guest_state(&s, &fw) == SEV_GSTATE_LSECRET &&
				 measurement_matches(s.handle, policy, plain,
						     sizeof(plain), true, blob),
			 "SEV-ES: the VMSA is in the launch digest, measurement recomputed (fw %u)\n",
			 fw);
	read_ld(s.handle, ld);
	fw = 0;
	r = sev_cmd(&s, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, &fw);
	read_ld(s.handle, ld2);
	vmsa_fw = fw;
	/* The firmware's INVALID_GUEST_STATE, or KVM's own refusal (6.12). */
	ksft_test_result(r == PGENC_VMSA_AGAIN_ERR &&
				 vmsa_fw ==
					 (r == -EIO ?
						  SEV_RET_INVALID_GUEST_STATE :
						  0) &&
				 sev_guest_state(&s, &fw) ==
					 SEV_GSTATE_LSECRET &&
				 !memcmp(ld, ld2, 32),
			 "LAUNCH_UPDATE_VMSA in LSECRET: refused as stock KVM and the firmware do (%d, fw %u), digest and state kept\n",
			 r, vmsa_fw);
	sev_vm_free(&s);
}

/*
 * The measurement with policies other than 0, so that the POLICY field's
 * value and byte order in the HMAC message are checked: NOKS, NOSEND,
 * DOMAIN, SEV, NODBG and API version fields.
 */
static void test_policies(int sev_fd)
{
	static const uint32_t policies[] = { 0x2, 0x1800003b, 0x0a000010 };
	uint8_t blob[48], plain[PGENC_PAGE];
	struct kvm_sev_guest_status st;
	uint32_t fw = 0, len;
	struct sev_vm s;
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(policies); i++) {
		TEST_ASSERT(!sev_vm_create(&s, sev_fd, false, guest_code, 1,
					   &fw),
			    "KVM_SEV_INIT");
		sev_fill_pattern(s.data, 1);
		memcpy(plain, s.data, sizeof(plain));
		len = sizeof(blob);
		r = sev_launch_start(&s, policies[i], 0, &fw);
		r = r ?: sev_launch_update(&s, 0, PGENC_PAGE, &fw);
		r = r ?: sev_launch_measure(&s, blob, &len, &fw);
		r = r ?: sev_cmd(&s, KVM_SEV_GUEST_STATUS, &st, &fw);
		ksft_test_result(!r && st.policy == policies[i] &&
					 measurement_matches(s.handle,
							     policies[i], plain,
							     sizeof(plain),
							     false, blob),
				 "policy %#x: GUEST_STATUS has it, measurement recomputed\n",
				 policies[i]);
		sev_vm_free(&s);
	}
}

/*
 * LAUNCH_START with another guest's handle shares its VEK, unless either
 * policy has NOKS: POLICY_FAILURE, and no guest is made.
 */
static void test_sharing(int sev_fd)
{
	uint8_t vek_a[32], vek_b[32], vek_c[32];
	struct sev_vm a, b, c;
	uint32_t fw = 0, n;
	int r;

	TEST_ASSERT(!sev_vm_create(&a, sev_fd, false, guest_code, 1, &fw) &&
			    !sev_vm_create(&b, sev_fd, false, guest_code, 1,
					   &fw) &&
			    !sev_vm_create(&c, sev_fd, false, guest_code, 1,
					   &fw),
		    "KVM_SEV_INIT x3");
	TEST_ASSERT(!sev_launch_start(&a, 0x2, 0, &fw), "LAUNCH_START NOKS");
	n = sevsim_guest_count(sev_fd);
	r = sev_launch_start(&b, 0, a.handle, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_POLICY_FAILURE &&
				 !b.handle && sevsim_guest_count(sev_fd) == n &&
				 sev_guest_state(&a, &fw) == SEV_GSTATE_LUPDATE,
			 "LAUNCH_START sharing a NOKS guest's key: POLICY_FAILURE, no guest made\n");

	sev_vm_free(&a);
	TEST_ASSERT(!sev_vm_create(&a, sev_fd, false, guest_code, 1, &fw) &&
			    !sev_launch_start(&a, 0, 0, &fw),
		    "LAUNCH_START");
	n = sevsim_guest_count(sev_fd);
	r = sev_launch_start(&b, 0x2, a.handle, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_POLICY_FAILURE &&
				 !b.handle && sevsim_guest_count(sev_fd) == n,
			 "LAUNCH_START asking NOKS while sharing a key: POLICY_FAILURE\n");

	r = sev_launch_start(&b, 0, a.handle, &fw);
	read_hex(a.handle, "vek", vek_a, 32);
	if (!r)
		read_hex(b.handle, "vek", vek_b, 32);
	TEST_ASSERT(!sev_launch_start(&c, 0, 0, &fw), "LAUNCH_START");
	read_hex(c.handle, "vek", vek_c, 32);
	ksft_test_result(!r && b.handle && b.handle != a.handle &&
				 sevsim_guest_count(sev_fd) == n + 2 &&
				 sev_guest_state(&b, &fw) ==
					 SEV_GSTATE_LUPDATE &&
				 !memcmp(vek_a, vek_b, 32) &&
				 memcmp(vek_a, vek_c, 32),
			 "LAUNCH_START with a handle: a new guest with that guest's VEK; others differ\n");
	sev_vm_free(&a);
	sev_vm_free(&b);
	sev_vm_free(&c);
}

/*
 * Firmware status codes reachable through KVM: a policy that does not
 * fit the VM's ASID kind (INVALID_ASID on ACTIVATE; KVM decommissions
 * the new guest), and a guest command with the platform shut down.
 */
static void test_status(int sev_fd)
{
	struct sev_user_data_status st;
	uint32_t fw = 0;
	struct sev_vm s;
	int r;

	TEST_ASSERT(!sevsim_guest_count(sev_fd), "no guests left");
	TEST_ASSERT(!sev_vm_create(&s, sev_fd, false, guest_code, 1, &fw),
		    "KVM_SEV_INIT");
	r = sev_launch_start(&s, SEV_POLICY_ES, 0, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_ASID && !s.handle &&
				 !sevsim_guest_count(sev_fd),
			 "SEV-ES policy on an SEV ASID: INVALID_ASID, no guest left\n");
	r = sev_launch_start(&s, 0, 0, &fw);
	ksft_test_result(!r && sev_guest_state(&s, &fw) == SEV_GSTATE_LUPDATE,
			 "the VM then launches with an SEV policy\n");
	sev_vm_free(&s);

	TEST_ASSERT(!sev_vm_create(&s, sev_fd, true, guest_code, 1, &fw),
		    "KVM_SEV_ES_INIT");
	r = sev_launch_start(&s, 0, 0, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_ASID && !s.handle &&
				 !sevsim_guest_count(sev_fd),
			 "SEV policy on an SEV-ES ASID: INVALID_ASID, no guest left\n");
	sev_vm_free(&s);

	/* KVM_SEV_INIT initialises the platform; shut it down under KVM. */
	TEST_ASSERT(!sev_vm_create(&s, sev_fd, false, guest_code, 1, &fw),
		    "KVM_SEV_INIT");
	TEST_ASSERT(!sevsim_platform(sev_fd, SEVSIM_USER_SHUTDOWN, NULL),
		    "SHUTDOWN");
	r = sev_launch_start(&s, 0, 0, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_PLATFORM_STATE &&
				 !s.handle &&
				 !sevsim_platform(sev_fd, SEV_PLATFORM_STATUS,
						  &st) &&
				 st.state == 0 && !st.guest_count,
			 "LAUNCH_START in UNINIT: INVALID_PLATFORM_STATE, still UNINIT, no guest\n");
	r = sevsim_platform(sev_fd, SEVSIM_USER_INIT, NULL) ?:
		    sev_launch_start(&s, 0, 0, &fw);
	ksft_test_result(!r && sev_guest_state(&s, &fw) == SEV_GSTATE_LUPDATE,
			 "after INIT the same VM launches\n");
	sev_vm_free(&s);
}

/*
 * The guest lifecycle codes KVM never provokes, through /dev/sevsim's
 * test-only commands on a KVM guest: ACTIVE, INACTIVE, DFFLUSH_REQUIRED,
 * INVALID_ASID, INVALID_GUEST. Each changes nothing: GUEST_STATUS is
 * kept, and a LAUNCH_UPDATE_DATA refused while inactive neither touches
 * memory nor enters the measurement.
 */
static void test_lifecycle(int sev_fd)
{
	uint8_t plain[PGENC_PAGE], blob[48];
	uint32_t fw = 0, len = sizeof(blob), h, n;
	struct sev_vm s;
	int64_t asid;
	int r;

	TEST_ASSERT(!sev_vm_create(&s, sev_fd, false, guest_code, 1, &fw) &&
			    !sev_launch_start(&s, 0, 0, &fw),
		    "LAUNCH_START");
	h = s.handle;
	asid = sev_guest_asid(&s);
	n = sevsim_guest_count(sev_fd);
	TEST_ASSERT(asid > 0, "GUEST_STATUS asid %lld", (long long)asid);
	sev_fill_pattern(s.data, 1);
	memcpy(plain, s.data, sizeof(plain));

	r = sevsim_user_guest(sev_fd, SEVSIM_USER_ACTIVATE, h, asid);
	ksft_test_result(r == SEV_RET_ACTIVE && sev_guest_asid(&s) == asid,
			 "ACTIVATE an active guest: ACTIVE, ASID kept (%d)\n",
			 r);
	r = sevsim_user_guest(sev_fd, SEVSIM_USER_DECOMMISSION, h, 0);
	ksft_test_result(r == SEV_RET_ACTIVE &&
				 sevsim_guest_count(sev_fd) == n &&
				 sev_guest_state(&s, &fw) == SEV_GSTATE_LUPDATE,
			 "DECOMMISSION an active guest: ACTIVE, guest kept (%d)\n",
			 r);
	r = sevsim_user_guest(sev_fd, SEVSIM_USER_DEACTIVATE, 0xdead, 0);
	ksft_test_result(r == SEV_RET_INVALID_GUEST,
			 "DEACTIVATE an unknown handle: INVALID_GUEST (%d)\n",
			 r);
	r = sevsim_user_guest(sev_fd, SEVSIM_USER_DEACTIVATE, h, 0);
	TEST_ASSERT(!r && !sev_guest_asid(&s), "DEACTIVATE: %d", r);
	r = sevsim_user_guest(sev_fd, SEVSIM_USER_DEACTIVATE, h, 0);
	ksft_test_result(r == SEV_RET_INACTIVE && !sev_guest_asid(&s),
			 "DEACTIVATE an inactive guest: INACTIVE (%d)\n", r);
	r = sev_launch_update(&s, 0, PGENC_PAGE, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INACTIVE &&
				 !memcmp(s.data, plain, sizeof(plain)) &&
				 sev_guest_state(&s, &fw) == SEV_GSTATE_LUPDATE,
			 "LAUNCH_UPDATE_DATA on an inactive guest: INACTIVE, memory untouched\n");
	r = sevsim_user_guest(sev_fd, SEVSIM_USER_ACTIVATE, h, asid);
	ksft_test_result(r == SEV_RET_DFFLUSH_REQUIRED && !sev_guest_asid(&s),
			 "ACTIVATE on a deactivated, unflushed ASID: DFFLUSH_REQUIRED (%d)\n",
			 r);
	ksft_test_result(sevsim_user_guest(sev_fd, SEVSIM_USER_ACTIVATE, h,
					   0) == SEV_RET_INVALID_ASID &&
				 sevsim_user_guest(sev_fd, SEVSIM_USER_ACTIVATE,
						   h, 17) ==
					 SEV_RET_INVALID_ASID &&
				 sevsim_user_guest(sev_fd, SEVSIM_USER_ACTIVATE,
						   h,
						   1) == SEV_RET_INVALID_ASID &&
				 !sev_guest_asid(&s),
			 "ACTIVATE with ASID 0, 17 or an SEV-ES ASID: INVALID_ASID\n");
	r = sevsim_platform(sev_fd, SEVSIM_USER_DF_FLUSH, NULL) ?:
		    sevsim_user_guest(sev_fd, SEVSIM_USER_ACTIVATE, h, asid);
	r = r ?: sev_launch_update(&s, 0, PGENC_PAGE, &fw);
	r = r ?: sev_launch_measure(&s, blob, &len, &fw);
	ksft_test_result(!r && sev_guest_asid(&s) == asid &&
				 measurement_matches(h, 0, plain, sizeof(plain),
						     false, blob),
			 "after DF_FLUSH it activates; the refused update is not in the measurement\n");
	sev_vm_free(&s);
}

/* sevsim says loudly that it runs; only then is /dev/sevsim there. */
static void test_warning(void)
{
	static const char msg[] =
		"sevsim: SIMULATED SEV firmware on /dev/sevsim: guests are NOT encrypted";
	int n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf = n > 0 ? calloc(1, n + 1) : NULL;
	bool found;

	TEST_ASSERT(buf, "log buffer size %d", n);
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, n);
	found = n > 0 && strstr(buf, msg);
	free(buf);
	ksft_test_result(found && !access(SEVSIM_DEVICE, F_OK),
			 "the kernel log has sevsim's warning, and /dev/sevsim exists\n");
}

/* Each kind of guest has its own ASID range; running out is clean. */
static void test_asids(int sev_fd, bool es, unsigned int n)
{
	struct sev_vm vms[32];
	unsigned int i, made = 0;
	uint32_t fw = 0;
	int r = 0;

	for (i = 0; i < n && i < 32; i++) {
		r = sev_vm_create(&vms[i], sev_fd, es, guest_code, 1, &fw);
		if (r)
			break;
		made++;
	}
	ksft_test_result(made == n && !r, "%u %s VMs fit the simulated ASIDs\n",
			 n, es ? "SEV-ES" : "SEV");
	r = sev_vm_create(&vms[31], sev_fd, es, guest_code, 1, &fw);
	ksft_test_result(r == -EBUSY,
			 "one more %s VM: KVM_SEV_INIT fails with EBUSY (%d)\n",
			 es ? "SEV-ES" : "SEV", r);
	/* Freed ASIDs come back through DF_FLUSH. */
	sev_vm_free(&vms[0]);
	r = sev_vm_create(&vms[0], sev_fd, es, guest_code, 1, &fw);
	ksft_test_result(!r && !sev_launch_start(&vms[0],
						 es ? SEV_POLICY_ES : 0, 0,
						 &fw),
			 "after a VM is destroyed its ASID is recycled and activates\n");
	for (i = 0; i < made; i++)
		sev_vm_free(&vms[i]);
}

int main(void)
{
	int sev_fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	pgenc_require();
	sev_fd = sevsim_fd();
	ksft_set_plan(20 + 5 + 3 + 3 + 3 + 5 + 8 + 1 + 3 + 3);

	test_launch_flow(sev_fd);
	test_platform(sev_fd);
	test_es(sev_fd);
	test_policies(sev_fd);
	test_sharing(sev_fd);
	test_status(sev_fd);
	test_lifecycle(sev_fd);
	test_warning();
	test_asids(sev_fd, false, 12);
	test_asids(sev_fd, true, 4);
	ksft_finished();
}
