// SPDX-License-Identifier: GPL-2.0-only
/*
 * sev_launch_test: the SEV launch flow against sevsim. In order it
 * succeeds, leaves ciphertext in the host's view and a measurement that
 * OpenSSL recomputes from the TIK; out of order every command fails with
 * the SEV API's status and changes nothing. Also the platform state
 * machine, KVM_SEV_INIT enabling page tracking, SEV-ES measurement, ASID
 * exhaustion and recycling, and handles freed with their VMs.
 */
#define _GNU_SOURCE
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "sev_util.h"

#define DATA_PAGES 4ULL

static void guest_code(void)
{
	GUEST_DONE();
}

/* A hex file of sevsim's debugfs directory for this guest (tests only). */
static void read_hex(uint32_t handle, const char *name, uint8_t *out, int n)
{
	char path[80];
	unsigned int b;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/sys/kernel/debug/sevsim/%u/%s", handle,
		 name);
	f = fopen(path, "r");
	TEST_ASSERT(f, "open %s", path);
	for (i = 0; i < n; i++) {
		TEST_ASSERT(fscanf(f, "%2x", &b) == 1, "%s: hex", path);
		out[i] = b;
	}
	fclose(f);
}

/* HMAC-SHA256(TIK, 0x04 || 0 || 24 || 1 || policy || LD || MNONCE). */
static bool measurement_matches(uint32_t handle, uint32_t policy,
				const uint8_t *plain, size_t len,
				const uint8_t blob[48])
{
	uint8_t msg[1 + 3 + 4 + 32 + 16], tik[16], mac[32], ld[32];
	unsigned int mac_len = sizeof(mac);

	read_hex(handle, "tik", tik, sizeof(tik));
	read_hex(handle, "launch_digest", ld, sizeof(ld));
	msg[0] = 0x04;
	msg[1] = 0; /* API major */
	msg[2] = 24; /* API minor */
	msg[3] = 1; /* build */
	memcpy(msg + 4, &policy, 4); /* little endian */
	SHA256(plain, len, msg + 8);
	if (memcmp(ld, msg + 8, 32)) {
		ksft_print_msg("launch digest %02x%02x..., SHA-256 of the data %02x%02x...\n",
			       ld[0], ld[1], msg[8], msg[9]);
		return false;
	}
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

static void test_launch_flow(int sev_fd)
{
	uint8_t plain[DATA_PAGES * PGENC_PAGE], host[sizeof(plain)], blob[48];
	uint32_t fw = 0, len = 0, policy = 0;
	struct sev_vm s;
	uint8_t bm[1];
	bool ok;
	int r;

	TEST_ASSERT(!sev_vm_create(&s, sev_fd, false, guest_code, DATA_PAGES,
				   &fw),
		    "KVM_SEV_INIT: fw %u", fw);
	ksft_test_result(!pgenc_get(s.vm, 0, 8, bm),
			 "KVM_SEV_INIT enables page tracking without KVM_ENABLE_CAP\n");

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

	r = sev_launch_start(&s, policy, 0, &fw);
	ksft_test_result(!r && s.handle &&
				 sev_guest_state(&s, &fw) == SEV_GSTATE_LUPDATE,
			 "LAUNCH_START: handle %u, state LUPDATE\n", s.handle);

	r = sev_cmd(&s, KVM_SEV_LAUNCH_FINISH, NULL, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_GUEST_STATE &&
				 sev_guest_state(&s, &fw) == SEV_GSTATE_LUPDATE,
			 "LAUNCH_FINISH in LUPDATE: INVALID_GUEST_STATE, state kept\n");

	sev_fill_pattern(s.data, DATA_PAGES);
	memcpy(plain, s.data, sizeof(plain));
	r = sev_launch_update(&s, 0, 2 * PGENC_PAGE, &fw) ||
	    sev_launch_update(&s, 2 * PGENC_PAGE, 2 * PGENC_PAGE, &fw);
	memcpy(host, s.data, sizeof(host));
	ok = !r && memcmp(host, plain, PGENC_PAGE) &&
	     memcmp(host + 3 * PGENC_PAGE, plain + 3 * PGENC_PAGE, PGENC_PAGE);
	ksft_test_result(ok,
			 "LAUNCH_UPDATE_DATA leaves ciphertext in the host's view\n");

	r = sev_launch_measure(&s, NULL, &len, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_INVALID_LEN && len == 48 &&
				 sev_guest_state(&s, &fw) == SEV_GSTATE_LUPDATE,
			 "LAUNCH_MEASURE length query: INVALID_LEN, 48 bytes, state kept\n");

	len = sizeof(blob);
	r = sev_launch_measure(&s, blob, &len, &fw);
	ksft_test_result(!r && sev_guest_state(&s, &fw) == SEV_GSTATE_LSECRET,
			 "LAUNCH_MEASURE: state LSECRET\n");
	ksft_test_result(measurement_matches(s.handle, policy, plain,
					     sizeof(plain), blob),
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

static void test_platform(int sev_fd)
{
	struct sev_user_data_status st;
	struct sev_vm s;
	uint32_t fw = 0;

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

static void test_es(int sev_fd)
{
	uint32_t fw = 0, len = 48;
	uint8_t blob[48];
	struct sev_vm s;
	int r;

	TEST_ASSERT(!sev_vm_create(&s, sev_fd, true, guest_code, 1, &fw),
		    "KVM_SEV_ES_INIT: fw %u", fw);
	r = sev_launch_start(&s, SEV_POLICY_ES, 0, &fw);
	sev_fill_pattern(s.data, 1);
	r = r ?: sev_launch_update(&s, 0, PGENC_PAGE, &fw);
	r = r ?: sev_cmd(&s, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, &fw);
	r = r ?: sev_launch_measure(&s, blob, &len, &fw);
	ksft_test_result(!r && sev_guest_state(&s, &fw) == SEV_GSTATE_LSECRET,
			 "SEV-ES: LAUNCH_UPDATE_VMSA is measured (fw %u)\n",
			 fw);
	sev_vm_free(&s);
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
	ksft_set_plan(17 + 5 + 1 + 3 + 3);

	test_launch_flow(sev_fd);
	test_platform(sev_fd);
	test_es(sev_fd);
	test_asids(sev_fd, false, 12);
	test_asids(sev_fd, true, 4);
	ksft_finished();
}
