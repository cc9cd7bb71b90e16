// SPDX-License-Identifier: GPL-2.0-only
/*
 * sev_dbg_test: SEV DBG_DECRYPT/DBG_ENCRYPT with pgenc's bypass, against
 * sevsim. Launched (private) pages decrypt to what was loaded; pages the
 * guest reported shared are copied without a firmware command; requests
 * at odd offsets and lengths that straddle both kinds are exact; the
 * counters say 0 commands for N shared pages and N for N private pages;
 * without the bypass a shared page comes back as garbage. NODBG refuses,
 * and one VM's ciphertext means nothing to another.
 */
#define _GNU_SOURCE
#include "sev_util.h"

#define DATA_PAGES 8ULL
/* The guest shares pages 2, 3 and 6 of the data region and fills them. */
#define SHARED_MASK ((1u << 2) | (1u << 3) | (1u << 6))

static uint8_t shared_pattern(uint64_t page, uint64_t off)
{
	return (uint8_t)(0xa0 ^ (page * 13 + off * 3));
}

static void guest_code(void)
{
	uint64_t p, i;

	for (p = 0; p < DATA_PAGES; p++) {
		uint8_t *va = (uint8_t *)(SEV_DATA_GPA + p * PGENC_PAGE);

		if (!(SHARED_MASK & (1u << p)))
			continue;
		GUEST_ASSERT(!pgenc_guest_hc(SEV_DATA_GPA + p * PGENC_PAGE, 1,
					     0x00));
		for (i = 0; i < PGENC_PAGE; i++)
			va[i] = shared_pattern(p, i);
	}
	GUEST_DONE();
}

/* The plaintext of byte off of the data region, as the guest sees it. */
static uint8_t expected(uint64_t off)
{
	uint64_t page = off / PGENC_PAGE;

	if (SHARED_MASK & (1u << page))
		return shared_pattern(page, off % PGENC_PAGE);
	return sev_pattern(page, off % PGENC_PAGE);
}

static void launch(struct sev_vm *s, int sev_fd, uint32_t policy)
{
	uint32_t fw = 0, len = 48;
	uint8_t blob[48];
	struct ucall uc;

	TEST_ASSERT(!sev_vm_create(s, sev_fd, false, guest_code, DATA_PAGES,
				   &fw),
		    "KVM_SEV_INIT");
	TEST_ASSERT(!sev_launch_start(s, policy, 0, &fw), "LAUNCH_START %u",
		    fw);
	sev_fill_pattern(s->data, DATA_PAGES);
	TEST_ASSERT(!sev_launch_update(s, 0, DATA_PAGES * PGENC_PAGE, &fw),
		    "LAUNCH_UPDATE_DATA %u", fw);
	TEST_ASSERT(!sev_launch_measure(s, blob, &len, &fw), "MEASURE %u", fw);
	TEST_ASSERT(!sev_cmd(s, KVM_SEV_LAUNCH_FINISH, NULL, &fw), "FINISH");
	vcpu_run(s->vcpu);
	if (get_ucall(s->vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT(uc);
	TEST_ASSERT(uc.cmd == UCALL_DONE, "guest did not finish: exit %s",
		    exit_reason_str(s->vcpu->run->exit_reason));
}

struct counters {
	long long fw, bypassed;
};

static struct counters counters(struct sev_vm *s)
{
	return (struct counters){ pgenc_stat(s->vm, "dbg_fw_cmds"),
				  pgenc_stat(s->vm, "dbg_bypassed_pages") };
}

/* DBG_DECRYPT [off, off + len) of the data region and check every byte. */
static bool decrypt_ok(struct sev_vm *s, uint64_t off, uint32_t len)
{
	/* Page-aligned, so each guest page is one step of sev_dbg_crypt(). */
	uint8_t *out = aligned_alloc(PGENC_PAGE, (len + PGENC_PAGE - 1) &
							 ~(PGENC_PAGE - 1));
	bool ok;
	uint32_t fw, i;

	TEST_ASSERT(out, "buffer");
	ok = !sev_dbg(s, true, s->data + off, out, len, &fw);
	for (i = 0; ok && i < len; i++)
		ok = out[i] == expected(off + i);
	free(out);
	return ok;
}

static void set_bypass(bool on)
{
	FILE *f = fopen("/sys/module/kvm_amd/parameters/pgenc_dbg_bypass", "w");

	TEST_ASSERT(f, "pgenc_dbg_bypass parameter");
	fputs(on ? "Y" : "N", f);
	fclose(f);
}

static void test_decrypt(struct sev_vm *s)
{
	static uint8_t page[PGENC_PAGE] __attribute__((aligned(4096)));
	struct counters a, b;
	uint32_t fw = 0;

	ksft_test_result(decrypt_ok(s, 0, DATA_PAGES * PGENC_PAGE),
			 "DBG_DECRYPT of the whole region: launched plaintext and the guest's shared data\n");
	ksft_test_result(decrypt_ok(s, 2 * PGENC_PAGE - 37,
				    2 * PGENC_PAGE + 75) &&
				 decrypt_ok(s, 5 * PGENC_PAGE + 1,
					    2 * PGENC_PAGE - 3) &&
				 decrypt_ok(s, 7, 5) &&
				 decrypt_ok(s, 3 * PGENC_PAGE + 9, 1),
			 "odd offsets and lengths straddling private and shared pages\n");

	a = counters(s);
	TEST_ASSERT(decrypt_ok(s, 2 * PGENC_PAGE, 2 * PGENC_PAGE), "shared");
	b = counters(s);
	ksft_test_result(b.fw == a.fw && b.bypassed == a.bypassed + 2,
			 "2 shared pages: 0 firmware commands, 2 bypassed (%lld, %lld)\n",
			 b.fw - a.fw, b.bypassed - a.bypassed);

	a = b;
	TEST_ASSERT(decrypt_ok(s, 4 * PGENC_PAGE, 2 * PGENC_PAGE), "private");
	TEST_ASSERT(decrypt_ok(s, 0, PGENC_PAGE), "private");
	b = counters(s);
	ksft_test_result(b.fw == a.fw + 3 && b.bypassed == a.bypassed,
			 "3 private pages: exactly 3 firmware commands (%lld)\n",
			 b.fw - a.fw);

	set_bypass(false);
	a = counters(s);
	sev_dbg(s, true, s->data + 6 * PGENC_PAGE, page, PGENC_PAGE, &fw);
	b = counters(s);
	set_bypass(true);
	ksft_test_result(b.fw == a.fw + 1 && page[0] != shared_pattern(6, 0) &&
				 memcmp(page + 16,
					s->data + 6 * PGENC_PAGE + 16, 64),
			 "bypass off: a shared page read through the firmware is garbage\n");
}

/*
 * DBG_ENCRYPT then DBG_DECRYPT of [off, off + len) of the data region,
 * with the user buffers at the given offsets into their pages, so that
 * sev_dbg_crypt()'s steps split at every kind of boundary.
 */
static int64_t round_trip(struct sev_vm *s, uint64_t off, uint32_t len,
			  unsigned int in_off, unsigned int out_off)
{
	static uint8_t in_buf[4 * PGENC_PAGE] __attribute__((aligned(4096)));
	static uint8_t out_buf[4 * PGENC_PAGE] __attribute__((aligned(4096)));
	uint8_t *in = in_buf + in_off, *out = out_buf + out_off;
	uint32_t fw, i;

	for (i = 0; i < len; i++)
		in[i] = (uint8_t)(i * 11 + 5 + in_off);
	memset(out, 0, len);
	if (sev_dbg(s, false, in, s->data + off, len, &fw) ||
	    sev_dbg(s, true, s->data + off, out, len, &fw))
		return -2;
	for (i = 0; i < len; i++)
		if (in[i] != out[i])
			return i;
	return -1;
}

static void test_encrypt(struct sev_vm *s)
{
	static const unsigned int offs[] = { 0, 3, 16, 0x1e4, 4000 };
	uint64_t off = PGENC_PAGE + 100; /* private 1, shared 2 and 3 */
	uint32_t len = 2 * PGENC_PAGE + 333, fw, i, j;
	uint8_t out[PGENC_PAGE], small[29];
	int64_t bad = -1;
	bool ok;

	for (i = 0; i < ARRAY_SIZE(offs) && bad == -1; i++)
		for (j = 0; j < ARRAY_SIZE(offs) && bad == -1; j++)
			bad = round_trip(s, off, len, offs[i], offs[j]);
	ksft_test_result(bad == -1,
			 "DBG_ENCRYPT then DBG_DECRYPT round-trip across private and shared pages, any buffer alignment (in +%#x, out +%#x: byte %ld)\n",
			 offs[i - 1], offs[j - 1], (long)bad);
	ksft_test_result(round_trip(s, off, len, 0, 0) == -1 &&
				 s->data[2 * PGENC_PAGE] ==
					 (uint8_t)((PGENC_PAGE - 100) * 11 +
						   5) &&
				 s->data[off] != 5,
			 "the shared part is plaintext in memory, the private part ciphertext\n");

	for (i = 0; i < sizeof(small); i++)
		small[i] = 0x80 + i;
	ok = !sev_dbg(s, false, small, s->data + 5 * PGENC_PAGE + 3,
		      sizeof(small), &fw) &&
	     !sev_dbg(s, true, s->data + 5 * PGENC_PAGE, out, PGENC_PAGE, &fw);
	for (i = 0; ok && i < PGENC_PAGE; i++)
		ok = out[i] ==
		     (i >= 3 && i < 32 ? small[i - 3] : sev_pattern(5, i));
	ksft_test_result(ok,
			 "a 29-byte DBG_ENCRYPT at offset 3 keeps its neighbours\n");
}

static void test_policy_and_isolation(int sev_fd, struct sev_vm *a)
{
	uint8_t page[PGENC_PAGE];
	struct sev_vm b;
	uint32_t fw = 0;
	bool ok = true;
	int r, i;

	launch(&b, sev_fd, SEV_POLICY_NODBG);
	r = sev_dbg(&b, true, b.data, page, PGENC_PAGE, &fw);
	ksft_test_result(r == -EIO && fw == SEV_RET_POLICY_FAILURE,
			 "NODBG policy: DBG_DECRYPT of a private page refused (POLICY_FAILURE)\n");
	sev_vm_free(&b);

	/* B holds A's ciphertext of page 0 at the same offset. */
	launch(&b, sev_fd, 0);
	memcpy(b.data, a->data, PGENC_PAGE);
	r = sev_dbg(&b, true, b.data, page, PGENC_PAGE, &fw);
	for (i = 0; i < 64; i++)
		ok &= page[i] == sev_pattern(0, i);
	ksft_test_result(!r && !ok,
			 "another VM cannot decrypt this VM's ciphertext\n");
	sev_vm_free(&b);
}

int main(void)
{
	struct sev_vm s;
	int sev_fd;

	ksft_print_header();
	pgenc_require();
	sev_fd = sevsim_fd();
	ksft_set_plan(5 + 3 + 2);

	launch(&s, sev_fd, 0);
	test_decrypt(&s);
	test_encrypt(&s);
	test_policy_and_isolation(sev_fd, &s);
	sev_vm_free(&s);
	ksft_finished();
}
