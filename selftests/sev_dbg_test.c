// SPDX-License-Identifier: GPL-2.0-only
/*
 * sev_dbg_test: SEV DBG_DECRYPT/DBG_ENCRYPT with pgenc's bypass, against
 * sevsim. Launched (private) pages decrypt to what was loaded; pages the
 * guest reported shared are copied without a firmware command; requests
 * at odd offsets and lengths that straddle both kinds are exact; the
 * counters say 0 commands for N shared pages and N for N private pages,
 * and the exact cost of unaligned fragments; without the bypass a shared
 * page comes back as garbage. NODBG refuses every DBG command, shared
 * pages included; one VM's ciphertext means nothing to another at the
 * same host address; a mirror VM neither charges nor outlives its owner's
 * accounting. Memslots: a host page several memslots map is bypassed only
 * if every one has it shared, among thousands of memslots too; a memslot
 * being deleted (KVM_MEMSLOT_INVALID) is not used.
 */
#define _GNU_SOURCE
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>

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

/*
 * share: the handle of a guest whose keys to use, or 0 for new keys. The
 * vCPU runs code up to its first GUEST_DONE.
 */
static void launch_code(struct sev_vm *s, int sev_fd, uint32_t policy,
			uint32_t share, void *code)
{
	uint32_t fw = 0, len = 48;
	uint8_t blob[48];
	struct ucall uc;

	TEST_ASSERT(!sev_vm_create(s, sev_fd, false, code, DATA_PAGES, &fw),
		    "KVM_SEV_INIT");
	TEST_ASSERT(!sev_launch_start(s, policy, share, &fw), "LAUNCH_START %u",
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

static void launch(struct sev_vm *s, int sev_fd, uint32_t policy,
		   uint32_t share)
{
	launch_code(s, sev_fd, policy, share, guest_code);
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

/*
 * A range whose every page is shared: every step of sev_dbg_crypt() is
 * bypassed, none reaches the firmware, and both commands still return 0
 * (an unset result comes back as stack garbage where the compiler keeps
 * a pattern init, Documentation/testing.rst, "Debug-kernel lane").
 */
static void test_all_shared(struct sev_vm *s)
{
	static uint8_t in[2 * PGENC_PAGE] __attribute__((aligned(4096)));
	static uint8_t out[2 * PGENC_PAGE] __attribute__((aligned(4096)));
	uint8_t *mem = s->data + 2 * PGENC_PAGE; /* shared pages 2 and 3 */
	int enc, dec, restore;
	uint32_t fw = 0, i;
	bool data_ok;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 5 + 17);
	enc = sev_dbg(s, false, in, mem, sizeof(in), &fw);
	dec = sev_dbg(s, true, mem, out, sizeof(out), &fw);
	data_ok = !memcmp(mem, in, sizeof(in)) && !memcmp(out, in, sizeof(in));
	/* Put back what the guest wrote, for the tests after this one. */
	for (i = 0; i < sizeof(in); i++)
		in[i] = expected(2 * PGENC_PAGE + i);
	restore = sev_dbg(s, false, in, mem, sizeof(in), &fw);
	ksft_test_result(!enc && !dec && !restore && data_ok,
			 "all-shared range: DBG_ENCRYPT and DBG_DECRYPT return 0 (%d, %d, %d) and copy the data\n",
			 enc, dec, restore);
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

/*
 * Exact firmware cost of each kind of fragment: DBG_DECRYPT [off, off +
 * len) into a buffer at in-page offset buf, then DBG_ENCRYPT it back
 * (the content stays). A private fragment costs 1 command to decrypt and
 * 1 to encrypt, or 2 (KVM's read-modify-write) when the guest side's
 * address or length is not 16-byte aligned; a shared one costs none.
 */
static void test_costs(struct sev_vm *s)
{
	static const struct {
		uint64_t off;
		uint32_t len, buf;
		long long dec, enc, bypassed;
	} c[] = {
		{ 0, 2 * PGENC_PAGE, 0, 2, 2, 0 }, /* private 0-1, aligned */
		{ 4 * PGENC_PAGE + 16, 32, 16, 1, 1, 0 },
		{ 4 * PGENC_PAGE + 16, 32, 3, 1, 1, 0 }, /* odd buffer only */
		{ 4 * PGENC_PAGE, 17, 0, 1, 2, 0 }, /* odd length */
		{ 5 * PGENC_PAGE + 3, 29, 3, 1, 2, 0 },
		{ 4 * PGENC_PAGE + 5, 2 * PGENC_PAGE - 10, 5, 2, 4, 0 },
		/* private page 1, then shared page 2 */
		{ 2 * PGENC_PAGE - 40, 80, 4056, 1, 2, 1 },
		{ 2 * PGENC_PAGE, 2 * PGENC_PAGE, 0, 0, 0, 2 }, /* shared 2-3 */
	};
	static uint8_t buf[3 * PGENC_PAGE] __attribute__((aligned(4096)));
	static uint8_t before[DATA_PAGES * PGENC_PAGE]
		__attribute__((aligned(4096)));
	static uint8_t after[DATA_PAGES * PGENC_PAGE]
		__attribute__((aligned(4096)));
	struct counters a, b, d;
	bool ok;
	uint32_t fw;
	size_t i;

	ok = !sev_dbg(s, true, s->data, before, sizeof(before), &fw);
	for (i = 0; ok && i < ARRAY_SIZE(c); i++) {
		a = counters(s);
		ok = !sev_dbg(s, true, s->data + c[i].off, buf + c[i].buf,
			      c[i].len, &fw);
		b = counters(s);
		ok = ok && !sev_dbg(s, false, buf + c[i].buf,
				    s->data + c[i].off, c[i].len, &fw);
		d = counters(s);
		ok = ok && b.fw - a.fw == c[i].dec && d.fw - b.fw == c[i].enc &&
		     b.bypassed - a.bypassed == c[i].bypassed &&
		     d.bypassed - b.bypassed == c[i].bypassed;
		if (!ok)
			ksft_print_msg("case %zu: decrypt %lld (%lld) encrypt %lld (%lld) bypassed %lld %lld (%lld)\n",
				       i, b.fw - a.fw, c[i].dec, d.fw - b.fw,
				       c[i].enc, b.bypassed - a.bypassed,
				       d.bypassed - b.bypassed, c[i].bypassed);
	}
	ok = ok && !sev_dbg(s, true, s->data, after, sizeof(after), &fw) &&
	     !memcmp(before, after, sizeof(after));
	ksft_test_result(ok,
			 "firmware commands per fragment: decrypt 1, aligned encrypt 1, unaligned encrypt 2, shared 0\n");
}

/*
 * NODBG: every DBG command is refused as by the firmware alone, on
 * private and shared pages (which are plain in host memory, but stock
 * KVM refuses them too), and nothing is copied either way.
 */
static void test_nodbg(int sev_fd)
{
	static const struct {
		bool dec;
		uint64_t off;
		uint32_t len;
	} c[] = {
		{ true, 0, PGENC_PAGE }, /* private */
		{ true, 2 * PGENC_PAGE, 2 * PGENC_PAGE }, /* shared */
		{ true, 3 * PGENC_PAGE + 100, PGENC_PAGE }, /* shared|private */
		{ false, 0, PGENC_PAGE },
		{ false, 2 * PGENC_PAGE, 2 * PGENC_PAGE },
		{ false, 3 * PGENC_PAGE + 100, PGENC_PAGE },
	};
	static uint8_t buf[2 * PGENC_PAGE], mem[DATA_PAGES * PGENC_PAGE];
	struct counters a, b;
	uint32_t fw = 0;
	struct sev_vm n;
	bool ok[2] = { true, true };
	size_t i, j;
	int r;

	launch(&n, sev_fd, SEV_POLICY_NODBG, 0);
	a = counters(&n);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		memset(buf, 0x5a, sizeof(buf));
		memcpy(mem, n.data, sizeof(mem));
		r = c[i].dec ? sev_dbg(&n, true, n.data + c[i].off, buf,
				       c[i].len, &fw) :
			       sev_dbg(&n, false, buf, n.data + c[i].off,
				       c[i].len, &fw);
		for (j = 0; j < sizeof(buf) && buf[j] == 0x5a; j++)
			;
		if (r != -EIO || fw != SEV_RET_POLICY_FAILURE ||
		    j != sizeof(buf) || memcmp(mem, n.data, sizeof(mem))) {
			ok[!c[i].dec] = false;
			ksft_print_msg("NODBG case %zu: %d, status %u\n", i, r,
				       fw);
		}
	}
	b = counters(&n);
	sev_vm_free(&n);
	ksft_test_result(ok[0],
			 "NODBG: DBG_DECRYPT of private, shared and straddling ranges refused (POLICY_FAILURE), nothing copied\n");
	ksft_test_result(ok[1] && b.fw - a.fw == 6 && b.bypassed == a.bypassed,
			 "NODBG: DBG_ENCRYPT refused likewise, memory unchanged; one firmware command each, none bypassed (%lld, %lld)\n",
			 b.fw - a.fw, b.bypassed - a.bypassed);
}

#define ALIAS_SLOT (SEV_DATA_SLOT + 1)
#define ALIAS_GPA (SEV_DATA_GPA + (16ULL << 20))

/*
 * DBG_DECRYPT by v of a's private page 0, which v maps at a gfn of its
 * own (the same host page, hence the same address tweak, so only the key
 * can differ; v's bitmap has it private, so it goes to the firmware).
 * Returns how many 16-byte blocks come out as a's plaintext, or -1 if
 * the command failed or was not exactly one firmware command.
 */
static int alias_plain_blocks(struct sev_vm *v, struct sev_vm *a)
{
	static uint8_t page[PGENC_PAGE] __attribute__((aligned(4096)));
	struct counters c0, c1;
	int blocks = 0, i, j;
	uint32_t fw;
	bool same;

	vm_set_user_memory_region(v->vm, ALIAS_SLOT, 0, ALIAS_GPA, PGENC_PAGE,
				  a->data);
	c0 = counters(v);
	if (sev_dbg(v, true, a->data, page, PGENC_PAGE, &fw))
		return -1;
	c1 = counters(v);
	if (c1.fw != c0.fw + 1 || c1.bypassed != c0.bypassed)
		return -1;
	for (i = 0; i < PGENC_PAGE; i += 16) {
		for (same = true, j = i; j < i + 16; j++)
			same &= page[j] == sev_pattern(0, j);
		blocks += same;
	}
	return blocks;
}

static void test_isolation(int sev_fd, struct sev_vm *a)
{
	struct sev_vm v;
	int own, shared;

	/* Control: a guest launched with a's keys reads the page. */
	launch(&v, sev_fd, 0, a->handle);
	shared = alias_plain_blocks(&v, a);
	sev_vm_free(&v);
	launch(&v, sev_fd, 0, 0);
	own = alias_plain_blocks(&v, a);
	sev_vm_free(&v);
	ksft_test_result(decrypt_ok(a, 0, PGENC_PAGE) &&
				 shared == PGENC_PAGE / 16 && own == 0,
			 "same host page in two VMs: the owner and a guest sharing its keys decrypt it, a guest with its own keys gets no block of it (%d, %d)\n",
			 shared, own);
}

/* A mirror of o (KVM_CAP_VM_COPY_ENC_CONTEXT_FROM), or skip. */
static bool mirror_of(struct sev_vm *m, struct sev_vm *o)
{
	memset(m, 0, sizeof(*m));
	m->vm = vm_create_barebones();
	m->sev_fd = o->sev_fd;
	if (!__vm_enable_cap(m->vm, KVM_CAP_VM_COPY_ENC_CONTEXT_FROM,
			     o->vm->fd))
		return true;
	ksft_print_msg("COPY_ENC_CONTEXT_FROM: %s\n", strerror(errno));
	sev_vm_free(m);
	return false;
}

/*
 * A mirror shares its owner's handle. Its DBG commands go to the firmware
 * (it tracks nothing) and are not charged to the owner; once it is gone
 * the owner's commands are still charged to the owner. The owner closed
 * first lives on, with its firmware guest, until the mirror goes.
 */
static void test_mirror(int sev_fd)
{
	static uint8_t page[PGENC_PAGE] __attribute__((aligned(4096)));
	struct counters a, b, c;
	struct sev_vm o, m;
	uint32_t fw = 0, guests;
	bool ok = true;
	int i;

	launch(&o, sev_fd, 0, 0);
	if (!mirror_of(&m, &o)) {
		sev_vm_free(&o);
		ksft_test_result_skip("mirror VMs: not supported\n");
		ksft_test_result_skip("mirror VMs: not supported\n");
		return;
	}
	a = counters(&o);
	ok = !sev_dbg(&m, true, o.data, page, PGENC_PAGE, &fw);
	for (i = 0; ok && i < PGENC_PAGE; i++)
		ok = page[i] == sev_pattern(0, i);
	ok &= pgenc_stat(m.vm, "dbg_fw_cmds") == -1;
	sev_vm_free(&m);
	b = counters(&o);
	ok &= decrypt_ok(&o, 0, PGENC_PAGE) &&
	      decrypt_ok(&o, 0, 3 * PGENC_PAGE);
	c = counters(&o);
	ksft_test_result(ok && b.fw == a.fw && c.fw == b.fw + 1 + 2 &&
				 c.bypassed == b.bypassed + 1,
			 "mirror VM: decrypts its owner's pages, not charged to the owner; after it is destroyed the owner's commands are (%lld, %lld)\n",
			 b.fw - a.fw, c.fw - b.fw);

	guests = sevsim_guest_count(sev_fd);
	TEST_ASSERT(mirror_of(&m, &o), "second mirror");
	sev_vm_free(&o);
	ok = sevsim_guest_count(sev_fd) == guests &&
	     sev_guest_state(&m, &fw) == SEV_GSTATE_RUNNING;
	sev_vm_free(&m);
	ksft_test_result(ok && sevsim_guest_count(sev_fd) == guests - 1,
			 "owner closed before its mirror: its guest lives until the mirror is destroyed, then is freed\n");
}

/* Extra memslots of the tests below, far above the launched region. */
#define XTRA_SLOT 10
#define XTRA_GPA (1ULL << 30)
#define XTRA_ALIAS_GPA (XTRA_GPA + (256ULL << 20))

/* Plaintext that extra memslots map: what the bypass copies. */
static uint8_t xtra_pattern(uint64_t page, uint64_t off)
{
	return (uint8_t)(0x3c ^ (page * 17 + off * 5));
}

static uint8_t *xtra_map(uint64_t pages)
{
	uint8_t *p = mmap(NULL, pages * PGENC_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t i;

	TEST_ASSERT(p != MAP_FAILED, "mmap %llu pages",
		    (unsigned long long)pages);
	for (i = 0; i < pages * PGENC_PAGE; i++)
		p[i] = xtra_pattern(i / PGENC_PAGE, i % PGENC_PAGE);
	return p;
}

/* Mark n pages from gfn shared or encrypted, by KVM_SET_PAGE_ENC_BITMAP. */
static void set_shared(struct sev_vm *s, uint64_t gfn, uint64_t n,
		       const bool *shared)
{
	uint8_t *map = calloc((n + 7) / 8, 1);
	uint64_t i;

	TEST_ASSERT(map, "bitmap");
	for (i = 0; i < n; i++)
		pgenc_put_bit(map, i, !shared[i]);
	TEST_ASSERT(!pgenc_set(s->vm, gfn, n, map), "SET_PAGE_ENC_BITMAP");
	free(map);
}

/*
 * DBG_DECRYPT of the n pages at mem (the extra memslots' plaintext,
 * xtra_map()) in one command: each page must be bypassed exactly when
 * want[page] says so, and a bypassed page is the plaintext (a page the
 * firmware takes comes back as garbage, this memory never having been
 * encrypted). Returns false and says why otherwise.
 */
static bool decrypt_bypasses(struct sev_vm *s, uint8_t *mem, uint64_t n,
			     const bool *want, const char *what)
{
	uint8_t *out = aligned_alloc(PGENC_PAGE, n * PGENC_PAGE);
	long long want_b = 0;
	struct counters a, b;
	uint64_t p, bad = n;
	uint32_t fw = 0;
	int r;

	TEST_ASSERT(out, "buffer");
	a = counters(s);
	r = sev_dbg(s, true, mem, out, n * PGENC_PAGE, &fw);
	b = counters(s);
	for (p = 0; p < n; p++) {
		bool plain = !memcmp(out + p * PGENC_PAGE, mem + p * PGENC_PAGE,
				     PGENC_PAGE);

		want_b += want[p];
		if (plain != want[p] && bad == n)
			bad = p;
	}
	free(out);
	if (!r && bad == n && b.bypassed - a.bypassed == want_b &&
	    b.fw - a.fw == (long long)n - want_b)
		return true;
	ksft_print_msg("%s: DBG_DECRYPT %d (fw %u), bypassed %lld of %lld wanted, %lld firmware commands, first wrong page %llu\n",
		       what, r, fw, b.bypassed - a.bypassed, want_b,
		       b.fw - a.fw, (unsigned long long)bad);
	return false;
}

/*
 * Two memslots map one host page, at two gfns: the bypass copies it only
 * if both have it shared, and a run of pages stops where the memslots
 * mapping them change (Documentation/api.rst, "Memslots and aliases").
 * Slot X maps 4 host pages, slot Y the third of them again.
 */
static void test_aliases(int sev_fd)
{
	static const struct {
		bool x[4], y;
		const char *what;
	} c[] = {
		{ { 1, 1, 1, 1 }, 1, "X and Y shared" },
		{ { 1, 1, 1, 1 }, 0, "X shared, Y private" },
		{ { 1, 1, 0, 1 }, 1, "X private at the alias, Y shared" },
		{ { 0, 0, 0, 0 }, 1, "X private, Y shared" },
		{ { 1, 0, 1, 1 }, 1, "X private before the alias" },
	};
	uint8_t *mem = xtra_map(4);
	struct sev_vm v;
	bool ok = true, want[4];
	size_t i, p;

	launch(&v, sev_fd, 0, 0);
	vm_set_user_memory_region(v.vm, XTRA_SLOT, 0, XTRA_GPA, 4 * PGENC_PAGE,
				  mem);
	vm_set_user_memory_region(v.vm, XTRA_SLOT + 1, 0, XTRA_ALIAS_GPA,
				  PGENC_PAGE, mem + 2 * PGENC_PAGE);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		set_shared(&v, XTRA_GPA / PGENC_PAGE, 4, c[i].x);
		set_shared(&v, XTRA_ALIAS_GPA / PGENC_PAGE, 1, &c[i].y);
		for (p = 0; p < 4; p++)
			want[p] = c[i].x[p] && (p != 2 || c[i].y);
		ok &= decrypt_bypasses(&v, mem, 4, want, c[i].what);
	}
	sev_vm_free(&v);
	munmap(mem, 4 * PGENC_PAGE);
	ksft_test_result(ok,
			 "a host page two memslots map is bypassed only if both have it shared; a batch stops at the second memslot\n");
}

#define MANY_SLOTS 4096
#define MANY_ALIASES 64

/*
 * Thousands of one-page memslots, one DBG_DECRYPT over all of them: each
 * page is bypassed exactly when its memslot (and its alias's, for every
 * 64th page) has it shared. Host page i is shared at its own gfn unless
 * i % 3 == 0; alias j maps host page 64j + 5 and disagrees with it for
 * even j, agrees for odd j.
 */
static void test_many_slots(int sev_fd)
{
	static bool shared[MANY_SLOTS], alias[MANY_ALIASES], want[MANY_SLOTS];
	uint8_t *mem;
	struct sev_vm v;
	uint64_t i, k;
	bool ok;

	if (kvm_check_cap(KVM_CAP_NR_MEMSLOTS) <
	    MANY_SLOTS + MANY_ALIASES + XTRA_SLOT) {
		ksft_test_result_skip("%d memslots: KVM allows %d\n",
				      MANY_SLOTS + MANY_ALIASES,
				      kvm_check_cap(KVM_CAP_NR_MEMSLOTS));
		return;
	}
	mem = xtra_map(MANY_SLOTS);
	launch(&v, sev_fd, 0, 0);
	for (i = 0; i < MANY_SLOTS; i++) {
		vm_set_user_memory_region(v.vm, XTRA_SLOT + i, 0,
					  XTRA_GPA + i * PGENC_PAGE, PGENC_PAGE,
					  mem + i * PGENC_PAGE);
		shared[i] = want[i] = i % 3;
	}
	for (i = 0; i < MANY_ALIASES; i++) {
		k = 64 * i + 5;
		vm_set_user_memory_region(v.vm, XTRA_SLOT + MANY_SLOTS + i, 0,
					  XTRA_ALIAS_GPA + i * PGENC_PAGE,
					  PGENC_PAGE, mem + k * PGENC_PAGE);
		alias[i] = i % 2 ? shared[k] : !shared[k];
		want[k] = shared[k] && alias[i];
	}
	set_shared(&v, XTRA_GPA / PGENC_PAGE, MANY_SLOTS, shared);
	set_shared(&v, XTRA_ALIAS_GPA / PGENC_PAGE, MANY_ALIASES, alias);
	ok = decrypt_bypasses(&v, mem, MANY_SLOTS, want, "many memslots");
	sev_vm_free(&v);
	munmap(mem, MANY_SLOTS * PGENC_PAGE);
	ksft_test_result(ok,
			 "%d one-page memslots and %d aliases: one DBG_DECRYPT bypasses exactly the pages every memslot has shared\n",
			 MANY_SLOTS, MANY_ALIASES);
}

#define UFFD_SLOT (XTRA_SLOT + 1)
#define UFFD_GPA (XTRA_GPA + (512ULL << 20))

/* Returns to the host, then touches a page the host serves late. */
static void uffd_guest_code(void)
{
	GUEST_DONE();
	(void)*(volatile uint64_t *)UFFD_GPA;
	GUEST_DONE();
}

struct slot_delete {
	struct kvm_vm *vm;
	void *mem;
	volatile pid_t tid;
	volatile bool done;
};

static void *vcpu_thread(void *arg)
{
	vcpu_run(arg);
	return NULL;
}

/*
 * Whether the deleting thread waits in kvm_swap_active_memslots(), i.e.
 * has published the invalid memslot and waits for SRCU readers; polled
 * for up to 60 s. Without a readable kernel stack, a pause instead.
 */
static bool deletion_waits(struct slot_delete *d)
{
	char path[64], stack[4096];
	int i, fd;
	ssize_t n;

	for (i = 0; i < 600; i++) {
		usleep(100 * 1000);
		if (!d->tid)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%d/stack",
			 (int)d->tid);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			ksft_print_msg("%s: %s; pausing 1 s instead\n", path,
				       strerror(errno));
			usleep(1000 * 1000);
			return !d->done;
		}
		n = read(fd, stack, sizeof(stack) - 1);
		close(fd);
		stack[n > 0 ? n : 0] = 0;
		if (strstr(stack, "kvm_swap_active_memslots"))
			return !d->done;
	}
	return false;
}

static void *delete_thread(void *arg)
{
	struct slot_delete *d = arg;

	d->tid = syscall(__NR_gettid);
	vm_set_user_memory_region(d->vm, XTRA_SLOT, 0, XTRA_GPA, 0, d->mem);
	d->done = true;
	return NULL;
}

/*
 * A memslot being deleted stays in KVM's active set, flagged
 * KVM_MEMSLOT_INVALID, until every SRCU reader of the old set is gone. A
 * vCPU faulting on a page that userfaultfd serves late stays such a
 * reader, so the deletion of a shared page's memslot waits, and a
 * DBG_DECRYPT of that page meanwhile must not use the memslot: it goes
 * to the firmware, as once the memslot is gone.
 */
static void test_invalid_slot(int sev_fd)
{
	struct uffdio_register reg = { 0 };
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_zeropage zero = { 0 };
	struct slot_delete d = { 0 };
	struct counters a = { 0 }, b = { 0 };
	bool shared = true, window = false, plain = false;
	pthread_t vt, dt;
	struct pollfd pfd;
	struct uffd_msg msg;
	uint8_t *lazy, *out;
	struct sev_vm v;
	struct ucall uc;
	uint32_t fw = 0; /* gcc false positive -Wmaybe-uninitialized */
	int uffd;

	uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api)) {
		ksft_test_result_skip("memslot being deleted: no userfaultfd (%s)\n",
				      strerror(errno));
		return;
	}
	d.mem = xtra_map(1);
	out = aligned_alloc(PGENC_PAGE, PGENC_PAGE);
	lazy = mmap(NULL, PGENC_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(out && lazy != MAP_FAILED, "buffers");
	reg.range.start = (uint64_t)(uintptr_t)lazy;
	reg.range.len = PGENC_PAGE;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	TEST_ASSERT(!ioctl(uffd, UFFDIO_REGISTER, &reg), "UFFDIO_REGISTER");

	launch_code(&v, sev_fd, 0, 0, uffd_guest_code);
	d.vm = v.vm;
	vm_set_user_memory_region(v.vm, XTRA_SLOT, 0, XTRA_GPA, PGENC_PAGE,
				  d.mem);
	vm_set_user_memory_region(v.vm, UFFD_SLOT, 0, UFFD_GPA, PGENC_PAGE,
				  lazy);
	virt_map(v.vm, UFFD_GPA, UFFD_GPA, 1);
	set_shared(&v, XTRA_GPA / PGENC_PAGE, 1, &shared);

	/* The control: the live memslot's shared page is bypassed. */
	TEST_ASSERT(decrypt_bypasses(&v, d.mem, 1, &shared, "live memslot"),
		    "a shared page of a live memslot is bypassed");

	/*
	 * The statistics file waits for slots_lock, which the deletion holds:
	 * read it before and after, with one DBG command in between.
	 */
	a = counters(&v);
	TEST_ASSERT(!pthread_create(&vt, NULL, vcpu_thread, v.vcpu), "vCPU");
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	TEST_ASSERT(poll(&pfd, 1, 60000) == 1 &&
			    read(uffd, &msg, sizeof(msg)) == sizeof(msg) &&
			    msg.event == UFFD_EVENT_PAGEFAULT,
		    "the vCPU's fault on the lazy page");
	TEST_ASSERT(!pthread_create(&dt, NULL, delete_thread, &d), "delete");
	if (deletion_waits(&d)) {
		TEST_ASSERT(!sev_dbg(&v, true, d.mem, out, PGENC_PAGE, &fw),
			    "DBG_DECRYPT during the deletion: %u", fw);
		plain = !memcmp(out, d.mem, PGENC_PAGE);
		window = !d.done;
	}
	zero.range = reg.range;
	TEST_ASSERT(!ioctl(uffd, UFFDIO_ZEROPAGE, &zero), "UFFDIO_ZEROPAGE");
	pthread_join(vt, NULL);
	pthread_join(dt, NULL);
	TEST_ASSERT(get_ucall(v.vcpu, &uc) == UCALL_DONE, "guest");
	b = counters(&v);
	sev_vm_free(&v);
	close(uffd);
	munmap(lazy, PGENC_PAGE);
	munmap(d.mem, PGENC_PAGE);
	free(out);
	if (!window)
		ksft_print_msg("the deletion did not wait for the vCPU's SRCU read section\n");
	ksft_test_result(window && b.bypassed == a.bypassed &&
				 b.fw == a.fw + 1 && !plain,
			 "a memslot being deleted (KVM_MEMSLOT_INVALID) is not used: its shared page goes to the firmware (bypassed %lld, firmware %lld)\n",
			 b.bypassed - a.bypassed, b.fw - a.fw);
}

int main(void)
{
	struct sev_vm s;
	int sev_fd;

	ksft_print_header();
	pgenc_require();
	sev_fd = sevsim_fd();
	ksft_set_plan(1 + 5 + 3 + 1 + 2 + 1 + 2 + 3);

	launch(&s, sev_fd, 0, 0);
	test_all_shared(&s);
	test_decrypt(&s);
	test_encrypt(&s);
	test_costs(&s);
	test_nodbg(sev_fd);
	test_isolation(sev_fd, &s);
	test_mirror(sev_fd);
	test_aliases(sev_fd);
	test_invalid_slot(sev_fd);
	test_many_slots(sev_fd);
	sev_vm_free(&s);
	ksft_finished();
}
