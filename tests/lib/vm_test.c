// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpgenc against the real kernel path, in the test VM (our kvm.ko and
 * kvm-amd.ko, kvm_amd sevsim=1); tests/lib/vm.sh builds it statically
 * and runs it there. The VM is made with plain ioctls; everything SEV
 * and pgenc goes through the library:
 *   - pgenc_sev_launch() of an SEV guest, its measurement verified with
 *     the TIK from sevsim's debugfs and its digest equal to sevsim's;
 *   - a failing UPDATE_DATA, a wrong TIK: the sequence stops, reports the
 *     step and the firmware status, and the guest state proves no later
 *     command ran;
 *   - LAUNCH_START sharing another guest's keys, and an unknown handle
 *     (pgenc_sev_launch_start_ex);
 *   - SEV-ES: UPDATE_VMSA measured, verified against the expected digest;
 *   - DBG write then read (pgenc_sev_dbg_encrypt/decrypt) at odd offsets
 *     across private and shared pages, the bypass seen in the host view
 *     and the counters; pgenc_vm_reset() sends a page back to the
 *     firmware.
 * Prints TAP (tests/tap.h); exits 0 unless a test
 * failed (4 when every test skipped: no pgenc modules or sevsim).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/psp-sev.h>
#include <linux/sevsim.h>

#include <pgenc/pgenc.h>

#include "../tap.h"

#define PAGE 4096u
#define NPAGES 16u
#define POLICY_NODBG 0x1u
#define POLICY_ES 0x4u

static int kvm_fd = -1, sev_fd = -1;
static struct pgenc_sev_platform_status plat; /* sevsim's version */

struct vm {
	int fd;
	uint8_t *mem;
	int vcpu;
	bool own_mem;
};

/* A VM over mem (another VM's memory, not freed here) or its own. */
static int vm_new_on(struct vm *v, bool es, uint8_t *mem)
{
	struct kvm_userspace_memory_region slot = { 0 };
	struct kvm_enc_region reg;
	int fw = 0, r;

	memset(v, 0, sizeof(*v));
	v->vcpu = -1;
	v->fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (v->fd < 0)
		return -errno;
	v->mem = mem;
	if (!mem) {
		v->mem = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (v->mem == MAP_FAILED)
			return -errno;
		v->own_mem = true;
		memset(v->mem, 0, NPAGES * PAGE);
	}
	slot.memory_size = NPAGES * PAGE;
	slot.userspace_addr = (uintptr_t)v->mem;
	if (ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &slot))
		return -errno;
	r = pgenc_sev_init(v->fd, sev_fd, es, &fw);
	if (r)
		return r;
	/* Pin, as VMMs do: sevsim's tweak is the host physical address. */
	reg.addr = (uintptr_t)v->mem;
	reg.size = NPAGES * PAGE;
	if (ioctl(v->fd, KVM_MEMORY_ENCRYPT_REG_REGION, &reg))
		return -errno;
	if (es) {
		v->vcpu = ioctl(v->fd, KVM_CREATE_VCPU, 0);
		if (v->vcpu < 0)
			return -errno;
	}
	return 0;
}

static int vm_new(struct vm *v, bool es)
{
	return vm_new_on(v, es, NULL);
}

static void vm_free(struct vm *v)
{
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->own_mem && v->mem != MAP_FAILED)
		munmap(v->mem, NPAGES * PAGE);
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

static uint8_t pattern(unsigned int page, unsigned int off)
{
	return (uint8_t)(page * 37 + off * 7 + (off >> 8));
}

static void fill(struct vm *v, unsigned int first, unsigned int n)
{
	unsigned int p, i;

	for (p = first; p < first + n; p++)
		for (i = 0; i < PAGE; i++)
			v->mem[p * PAGE + i] = pattern(p, i);
}

/* Hex file of sevsim's debugfs for a handle: 0 or -errno. */
static int sevsim_hex(uint32_t handle, const char *name, uint8_t *out, size_t n)
{
	char path[96];
	unsigned int b;
	size_t i;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/sevsim/%u/%s", handle,
		 name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	for (i = 0; i < n; i++)
		if (fscanf(f, "%2x", &b) != 1)
			break;
		else
			out[i] = (uint8_t)b;
	fclose(f);
	return i == n ? 0 : -EINVAL;
}

static int tik_calls;

static int get_tik(void *opaque, uint32_t handle, uint8_t *tik)
{
	(void)opaque;
	tik_calls++;
	return sevsim_hex(handle, "tik", tik, PGENC_SEV_TIK_SIZE);
}

static uint32_t guest_state(struct vm *v)
{
	struct pgenc_sev_guest_status gs;
	int fw;

	if (pgenc_sev_guest_status(v->fd, sev_fd, &gs, &fw))
		return 99;
	return gs.state;
}

/* A field of the VM's debugfs pgenc_stats; -1 if absent. */
static long long stat_of(struct vm *v, const char *field)
{
	char path[96], line[128], name[64];
	long long val, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/pgenc_stats",
		 getpid(), v->fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %lld", name, &val) == 2 &&
		    !strcmp(name, field))
			found = val;
	fclose(f);
	return found;
}

enum {
	S_UNINIT,
	S_LUPDATE,
	S_LSECRET,
	S_RUNNING
};

/* The SEV guest of the launch and DBG tests: pages 2-5 and 9 launched. */
static struct vm sev;
static uint32_t sev_handle;

static void test_launch(void)
{
	struct pgenc_sev_region rg[2];
	struct pgenc_sev_launch_params p;
	struct pgenc_sev_launch_result res;
	uint8_t ld[32], plain[5 * PAGE];
	int r;

	r = vm_new(&sev, false);
	TAP_CHECK(!r, "VM with KVM_SEV_INIT: %s", pgenc_strerror(r));
	if (r)
		return;
	fill(&sev, 0, NPAGES);
	memcpy(plain, sev.mem + 2 * PAGE, 4 * PAGE);
	memcpy(plain + 4 * PAGE, sev.mem + 9 * PAGE, PAGE);
	rg[0].addr = sev.mem + 2 * PAGE;
	rg[0].len = 4 * PAGE;
	rg[1].addr = sev.mem + 9 * PAGE;
	rg[1].len = PAGE;
	memset(&p, 0, sizeof(p));
	p.regions = rg;
	p.nr_regions = 2;
	p.verify = true;
	p.get_tik = get_tik;
	tik_calls = 0;
	r = pgenc_sev_launch(sev.fd, sev_fd, &p, &res);
	TAP_CHECK(!r && res.verified, "launch: %s at %s, fw %d (%s)",
		  pgenc_strerror(r),
		  pgenc_sev_launch_step_name(res.failed_step), res.fw_error,
		  pgenc_sev_fw_strerror(res.fw_error));
	TAP_CHECK(tik_calls == 1, "get_tik() called %d times", tik_calls);
	TAP_CHECK(res.handle && guest_state(&sev) == S_RUNNING,
		  "handle %u, state %u", res.handle, guest_state(&sev));
	sev_handle = res.handle;
	r = sevsim_hex(res.handle, "launch_digest", ld, 32);
	TAP_CHECK(!r && !memcmp(ld, res.digest, 32),
		  "the library's digest is sevsim's (%d)", r);
	TAP_CHECK(memcmp(sev.mem + 2 * PAGE, plain, 4 * PAGE) &&
			  memcmp(sev.mem + 9 * PAGE, plain + 4 * PAGE, PAGE),
		  "the launched pages are ciphertext in the host's view");
	TAP_CHECK(sev.mem[PAGE + 5] == pattern(1, 5) &&
			  sev.mem[6 * PAGE + 5] == pattern(6, 5),
		  "pages outside the regions untouched");
}

static void test_launch_failures(void)
{
	struct pgenc_sev_region rg[2];
	struct pgenc_sev_launch_params p;
	struct pgenc_sev_launch_result res;
	uint8_t tik[16];
	struct vm v;
	int r;

	/* Region 1 is not 16-byte aligned: the firmware refuses it. */
	r = vm_new(&v, false);
	TAP_CHECK(!r, "VM: %s", pgenc_strerror(r));
	if (r)
		return;
	fill(&v, 0, NPAGES);
	rg[0].addr = v.mem;
	rg[0].len = PAGE;
	rg[1].addr = v.mem + 2 * PAGE + 8;
	rg[1].len = 64;
	memset(&p, 0, sizeof(p));
	p.regions = rg;
	p.nr_regions = 2;
	r = pgenc_sev_launch(v.fd, sev_fd, &p, &res);
	TAP_CHECK(r == -EIO && res.failed_step == PGENC_SEV_STEP_UPDATE_DATA &&
			  res.failed_index == 1 &&
			  res.fw_error == SEV_RET_INVALID_ADDRESS,
		  "unaligned region: %s at %s [%zu], fw %d", pgenc_strerror(r),
		  pgenc_sev_launch_step_name(res.failed_step), res.failed_index,
		  res.fw_error);
	TAP_CHECK(guest_state(&v) == S_LUPDATE,
		  "no MEASURE or FINISH ran: state %u", guest_state(&v));
	vm_free(&v);

	/* A wrong TIK: measured, not verified, not finished. */
	r = vm_new(&v, false);
	TAP_CHECK(!r, "VM: %s", pgenc_strerror(r));
	if (r)
		return;
	rg[1].addr = v.mem + 2 * PAGE;
	rg[0].addr = v.mem;
	memset(tik, 0x5a, sizeof(tik));
	p.tik = tik;
	p.verify = true;
	r = pgenc_sev_launch(v.fd, sev_fd, &p, &res);
	TAP_CHECK(r == -EKEYREJECTED &&
			  res.failed_step == PGENC_SEV_STEP_VERIFY &&
			  !res.verified,
		  "wrong TIK: %s at %s", pgenc_strerror(r),
		  pgenc_sev_launch_step_name(res.failed_step));
	TAP_CHECK(guest_state(&v) == S_LSECRET,
		  "no LAUNCH_FINISH after the mismatch: state %u",
		  guest_state(&v));
	vm_free(&v);
}

static void test_start_ex(void)
{
	struct pgenc_sev_launch_params p;
	struct pgenc_sev_launch_result res;
	static uint8_t page[PAGE] __attribute__((aligned(4096)));
	uint8_t dh[64], session[64];
	uint32_t h;
	struct vm v;
	int fw = 0, r;

	if (!sev_handle) {
		TAP_CHECK(0, "no launched guest to share keys with");
		return;
	}
	/*
	 * Through pgenc_sev_launch(): keys shared, blobs passed. The VM maps
	 * the launched guest's memory, so with the same key it decrypts
	 * that guest's page 9 (the tweak is the host physical address).
	 */
	r = vm_new_on(&v, false, sev.mem);
	TAP_CHECK(!r, "VM: %s", pgenc_strerror(r));
	if (r)
		return;
	memset(dh, 0x11, sizeof(dh));
	memset(session, 0x22, sizeof(session));
	memset(&p, 0, sizeof(p));
	p.handle = sev_handle;
	p.dh_cert = dh;
	p.dh_len = sizeof(dh);
	p.session = session;
	p.session_len = sizeof(session);
	r = pgenc_sev_launch(v.fd, sev_fd, &p, &res);
	TAP_CHECK(!r && res.handle && res.handle != sev_handle &&
			  guest_state(&v) == S_RUNNING,
		  "sharing handle %u's keys: %s, fw %d, new handle %u",
		  sev_handle, pgenc_strerror(r), res.fw_error, res.handle);
	r = pgenc_sev_dbg_decrypt(v.fd, sev_fd, sev.mem + 9 * PAGE, page, PAGE,
				  &fw);
	TAP_CHECK(!r && page[0] == pattern(9, 0) &&
			  page[PAGE - 1] == pattern(9, PAGE - 1),
		  "the shared key decrypts the other guest's page: %s",
		  pgenc_strerror(r));
	vm_free(&v);

	/* Its own key (handle 0) turns the same page into noise. */
	r = vm_new_on(&v, false, sev.mem);
	TAP_CHECK(!r, "VM: %s", pgenc_strerror(r));
	if (r)
		return;
	p.handle = 0;
	r = pgenc_sev_launch(v.fd, sev_fd, &p, &res);
	if (!r)
		r = pgenc_sev_dbg_decrypt(v.fd, sev_fd, sev.mem + 9 * PAGE,
					  page, PAGE, &fw);
	TAP_CHECK(!r && (page[0] != pattern(9, 0) || page[1] != pattern(9, 1)),
		  "another key does not decrypt it: %s", pgenc_strerror(r));
	vm_free(&v);

	/* An unknown handle, through pgenc_sev_launch(): step START. */
	r = vm_new(&v, false);
	TAP_CHECK(!r, "VM: %s", pgenc_strerror(r));
	if (r)
		return;
	p.handle = 0xdead;
	r = pgenc_sev_launch(v.fd, sev_fd, &p, &res);
	TAP_CHECK(r == -EIO && res.failed_step == PGENC_SEV_STEP_START &&
			  res.fw_error == SEV_RET_INVALID_GUEST && !res.handle,
		  "unknown handle: %s at %s fw %d", pgenc_strerror(r),
		  pgenc_sev_launch_step_name(res.failed_step), res.fw_error);
	vm_free(&v);

	/* The wrapper alone, an unknown handle: INVALID_GUEST, h kept. */
	r = vm_new(&v, false);
	TAP_CHECK(!r, "VM: %s", pgenc_strerror(r));
	if (r)
		return;
	h = 0xdead;
	r = pgenc_sev_launch_start_ex(v.fd, sev_fd, 0, dh, sizeof(dh), NULL, 0,
				      &h, &fw);
	TAP_CHECK(r == -EIO && fw == SEV_RET_INVALID_GUEST && h == 0xdead,
		  "unknown handle: %s fw %d h %#x", pgenc_strerror(r), fw, h);
	TAP_CHECK(guest_state(&v) == 99, "no guest context was created");
	h = 0;
	r = pgenc_sev_launch_start_ex(v.fd, sev_fd, 0, NULL, 0, session,
				      sizeof(session), &h, &fw);
	TAP_CHECK(!r && h && fw == 0 && guest_state(&v) == S_LUPDATE,
		  "new context with a session blob: %s fw %d h %u",
		  pgenc_strerror(r), fw, h);
	vm_free(&v);
}

static void test_es(void)
{
	struct pgenc_sev_region rg = { NULL, 2 * PAGE };
	struct pgenc_sev_launch_params p;
	struct pgenc_sev_launch_result res;
	uint8_t ld[32], tik[16];
	struct vm v;
	int r;

	r = vm_new(&v, true);
	TAP_CHECK(!r, "VM with KVM_SEV_ES_INIT and a vCPU: %s",
		  pgenc_strerror(r));
	if (r)
		return;
	fill(&v, 0, NPAGES);
	rg.addr = v.mem + 4 * PAGE;
	memset(&p, 0, sizeof(p));
	p.policy = POLICY_ES;
	p.regions = &rg;
	p.nr_regions = 1;
	p.update_vmsa = true;
	r = pgenc_sev_launch(v.fd, sev_fd, &p, &res);
	TAP_CHECK(!r, "SEV-ES launch: %s at %s, fw %d", pgenc_strerror(r),
		  pgenc_sev_launch_step_name(res.failed_step), res.fw_error);
	r = sevsim_hex(res.handle, "launch_digest", ld, 32) ||
	    sevsim_hex(res.handle, "tik", tik, 16);
	TAP_CHECK(!r && memcmp(ld, res.digest, 32),
		  "the firmware's digest covers more than the data (the VMSA)");
	TAP_CHECK(!r && !pgenc_sev_verify(tik, plat.api_major, plat.api_minor,
					  plat.build, POLICY_ES, ld, res.blob),
		  "the measurement verifies over sevsim's digest");
	vm_free(&v);

	/* The same launch again: the VMSA is the same, so is the digest. */
	r = vm_new(&v, true);
	TAP_CHECK(!r, "VM: %s", pgenc_strerror(r));
	if (r)
		return;
	fill(&v, 0, NPAGES);
	rg.addr = v.mem + 4 * PAGE;
	p.verify = true;
	p.get_tik = get_tik;
	p.expected_digest = ld;
	r = pgenc_sev_launch(v.fd, sev_fd, &p, &res);
	TAP_CHECK(!r && res.verified && guest_state(&v) == S_RUNNING,
		  "SEV-ES verified against the expected digest: %s at %s",
		  pgenc_strerror(r),
		  pgenc_sev_launch_step_name(res.failed_step));
	vm_free(&v);

	/* Another expected digest: rejected before LAUNCH_FINISH. */
	r = vm_new(&v, true);
	TAP_CHECK(!r, "VM: %s", pgenc_strerror(r));
	if (r)
		return;
	fill(&v, 0, NPAGES);
	rg.addr = v.mem + 4 * PAGE;
	ld[0] ^= 1;
	r = pgenc_sev_launch(v.fd, sev_fd, &p, &res);
	TAP_CHECK(r == -EKEYREJECTED &&
			  res.failed_step == PGENC_SEV_STEP_VERIFY &&
			  guest_state(&v) == S_LSECRET,
		  "wrong expected digest: %s at %s, state %u",
		  pgenc_strerror(r),
		  pgenc_sev_launch_step_name(res.failed_step), guest_state(&v));
	vm_free(&v);
}

/* Mark pages [first, first + n) shared in the VM's bitmap. */
static int share(struct vm *v, unsigned int first, unsigned int n)
{
	struct pgenc_bitmap *b;
	unsigned int i;
	int r;

	r = pgenc_vm_get_bitmap(v->fd, 0, NPAGES, &b);
	if (r)
		return r;
	for (i = first; i < first + n; i++)
		pgenc_bitmap_set(b, i, false);
	r = pgenc_vm_set_bitmap(v->fd, b);
	pgenc_bitmap_free(b);
	return r;
}

static void test_dbg(void)
{
	/* Odd offsets and lengths, across private (2, 3, 5) and shared (4). */
	static const struct {
		unsigned int off, len;
	} cases[] = {
		{ 2 * PAGE + 0x123, 0x1f01 }, /* 2 -> 3 */
		{ 3 * PAGE + 0xff5, 0x1011 }, /* 3 -> 4 -> 5 */
		{ 4 * PAGE + 0x7, 0x333 }, /* inside 4 */
		{ 4 * PAGE + 0xf01, 0x1105 }, /* 4 -> 5 */
		{ 5 * PAGE + 0x11, 0x1 }, /* one byte */
	};
	/* Page aligned: the kernel then copies whole pages in one step. */
	static uint8_t out[0x2000] __attribute__((aligned(4096)));
	uint8_t in[0x2000];
	long long fw0, by0;
	unsigned int c, i;
	int fw = 0, r;

	if (!sev_handle) {
		TAP_CHECK(0, "no launched guest");
		return;
	}
	r = share(&sev, 4, 1);
	TAP_CHECK(!r, "page 4 shared: %s", pgenc_strerror(r));
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint8_t *g = sev.mem + cases[c].off;
		size_t n = cases[c].len;

		for (i = 0; i < n; i++)
			in[i] = (uint8_t)(0xc3 ^ (c * 29 + i * 11));
		r = pgenc_sev_dbg_encrypt(sev.fd, sev_fd, in, g, n, &fw);
		TAP_CHECK(!r, "DBG write %#x +%#zx: %s fw %d", cases[c].off, n,
			  pgenc_strerror(r), fw);
		memset(out, 0, sizeof(out));
		r = pgenc_sev_dbg_decrypt(sev.fd, sev_fd, g, out, n, &fw);
		TAP_CHECK(!r && !memcmp(in, out, n),
			  "DBG read back %#x +%#zx: %s fw %d", cases[c].off, n,
			  pgenc_strerror(r), fw);
	}
	/* Case 3 (inside shared page 4) is plaintext in the host's view. */
	for (i = 0; i < 0x333; i++)
		in[i] = (uint8_t)(0xc3 ^ (2 * 29 + i * 11));
	TAP_CHECK(!memcmp(sev.mem + 4 * PAGE + 0x7, in, 0x333),
		  "a shared page is written through the bypass, as plaintext");
	for (i = 0; i < 0x10; i++)
		in[i] = (uint8_t)(0xc3 ^ (0 * 29 + i * 11));
	TAP_CHECK(memcmp(sev.mem + 2 * PAGE + 0x123, in, 0x10),
		  "a private page is written through the firmware, ciphertext");

	/* One private and one shared page: 1 firmware command, 1 bypass. */
	fw0 = stat_of(&sev, "dbg_fw_cmds");
	by0 = stat_of(&sev, "dbg_bypassed_pages");
	r = pgenc_sev_dbg_decrypt(sev.fd, sev_fd, sev.mem + 3 * PAGE, out,
				  2 * PAGE, &fw);
	TAP_CHECK(!r && fw0 >= 0 && stat_of(&sev, "dbg_fw_cmds") == fw0 + 1 &&
			  stat_of(&sev, "dbg_bypassed_pages") == by0 + 1,
		  "pages 3-4: fw_cmds %lld -> %lld, bypassed %lld -> %lld", fw0,
		  stat_of(&sev, "dbg_fw_cmds"), by0,
		  stat_of(&sev, "dbg_bypassed_pages"));

	/*
	 * pgenc_vm_reset(): page 4 encrypted again, so the next read goes
	 * to the firmware, which decrypts the plaintext there to noise.
	 */
	r = pgenc_vm_reset(sev.fd, 4, 1);
	TAP_CHECK(!r, "reset page 4: %s", pgenc_strerror(r));
	fw0 = stat_of(&sev, "dbg_fw_cmds");
	by0 = stat_of(&sev, "dbg_bypassed_pages");
	r = pgenc_sev_dbg_decrypt(sev.fd, sev_fd, sev.mem + 4 * PAGE + 0x7, out,
				  0x333, &fw);
	for (i = 0; i < 0x333; i++)
		in[i] = (uint8_t)(0xc3 ^ (2 * 29 + i * 11));
	TAP_CHECK(!r && stat_of(&sev, "dbg_fw_cmds") == fw0 + 1 &&
			  stat_of(&sev, "dbg_bypassed_pages") == by0 &&
			  memcmp(out, in, 0x333),
		  "after reset page 4 goes to the firmware: fw_cmds %lld -> %lld, bypassed %lld -> %lld",
		  fw0, stat_of(&sev, "dbg_fw_cmds"), by0,
		  stat_of(&sev, "dbg_bypassed_pages"));
	TAP_CHECK(pgenc_vm_reset(sev.fd, NPAGES - 1, 2) == -EINVAL,
		  "reset past tracked memory: -EINVAL");
	TAP_CHECK(stat_of(&sev, "shared_pages") == 0, "no shared page left");
}

static void test_nodbg(void)
{
	struct pgenc_sev_region rg;
	struct pgenc_sev_launch_params p;
	struct pgenc_sev_launch_result res;
	uint8_t buf[64];
	struct vm v;
	int fw = 0, r;

	r = vm_new(&v, false);
	TAP_CHECK(!r, "VM: %s", pgenc_strerror(r));
	if (r)
		return;
	fill(&v, 0, NPAGES);
	rg.addr = v.mem + PAGE;
	rg.len = PAGE;
	memset(&p, 0, sizeof(p));
	p.policy = POLICY_NODBG;
	p.regions = &rg;
	p.nr_regions = 1;
	r = pgenc_sev_launch(v.fd, sev_fd, &p, &res);
	TAP_CHECK(!r, "NODBG launch: %s", pgenc_strerror(r));
	r = pgenc_sev_dbg_encrypt(v.fd, sev_fd, buf, v.mem + PAGE + 0x30, 16,
				  &fw);
	TAP_CHECK(r == -EIO && fw == SEV_RET_POLICY_FAILURE,
		  "DBG write refused by the policy: %s fw %d",
		  pgenc_strerror(r), fw);
	/* NODBG means no bypass either: the guest's reports do not widen it. */
	r = share(&v, 3, 1);
	TAP_CHECK(!r, "share page 3: %s", pgenc_strerror(r));
	memset(buf, 0x77, sizeof(buf));
	fw = 0;
	r = pgenc_sev_dbg_encrypt(v.fd, sev_fd, buf, v.mem + 3 * PAGE + 1, 33,
				  &fw);
	TAP_CHECK(r == -EIO && fw == SEV_RET_POLICY_FAILURE &&
			  v.mem[3 * PAGE + 1] == pattern(3, 1) &&
			  v.mem[3 * PAGE + 33] == pattern(3, 33),
		  "a shared page is refused too, memory untouched: %s fw %d",
		  pgenc_strerror(r), fw);
	fw = 0;
	r = pgenc_sev_dbg_decrypt(v.fd, sev_fd, v.mem + 3 * PAGE, buf, 64, &fw);
	TAP_CHECK(r == -EIO && fw == SEV_RET_POLICY_FAILURE,
		  "DBG read of a shared page refused: %s fw %d",
		  pgenc_strerror(r), fw);
	vm_free(&v);
}

int main(void)
{
	int fw = 0, r;

	printf("TAP version 13\n");
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	r = kvm_fd < 0 ? -errno : pgenc_vm_check(kvm_fd);
	if (r <= 0) {
		printf("1..0 # SKIP no KVM with KVM_CAP_PAGE_ENC_BITMAP (%s)\n",
		       r ? pgenc_strerror(r) : "stock KVM");
		return 4;
	}
	sev_fd = open(SEVSIM_DEVICE, O_RDWR | O_CLOEXEC);
	if (sev_fd < 0 || pgenc_sev_platform_status(sev_fd, &plat, &fw)) {
		printf("1..0 # SKIP no %s (kvm_amd sevsim=1)\n", SEVSIM_DEVICE);
		return 4;
	}
	printf("# sevsim API %u.%u build %u\n", plat.api_major, plat.api_minor,
	       plat.build);
	tap_run("pgenc_sev_launch: SEV, measurement verified with sevsim's TIK, digest = sevsim's",
		test_launch);
	tap_run("pgenc_sev_launch: a refused UPDATE_DATA and a wrong TIK stop the sequence",
		test_launch_failures);
	tap_run("LAUNCH_START sharing keys, with DH/session blobs; unknown handle",
		test_start_ex);
	tap_run("pgenc_sev_launch: SEV-ES with UPDATE_VMSA, verified against the expected digest",
		test_es);
	tap_run("DBG write then read at odd offsets across private and shared pages; pgenc_vm_reset",
		test_dbg);
	tap_run("NODBG: DBG reads and writes refused, shared pages included",
		test_nodbg);
	vm_free(&sev);
	return tap_done();
}
