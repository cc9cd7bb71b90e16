// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpgenc unit tests: pgenc_sev_launch(), the launch sequence, without
 * KVM. Linked with -Wl,--wrap=ioctl: __wrap_ioctl() below plays a small
 * SEV firmware that logs every command, can fail any one of them, and
 * "encrypts" LAUNCH_UPDATE_DATA in place (so a digest taken after the
 * command is wrong) and measures with a TIK of its own. The tests check
 * the order of the commands, what each gets, that the sequence stops at
 * the first failure and reports where, and the verification. The real
 * kernel path runs in the test VM (tests/lib/vm.sh).
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

#define PLATFORM_CMD 0x1000 /* SEV_ISSUE_CMD in the log */
#define MAX_LOG 32

static const uint8_t fw_tik[16] = { 0x10, 0x32, 0x54, 0x76, 0x98, 0xba,
				    0xdc, 0xfe, 1,    2,    3,	  4,
				    5,	  6,	7,    8 };
static const char vmsa_bytes[] = "VMSA of vCPU 0, 32 bytes long!!";

static struct {
	uint32_t log[MAX_LOG]; /* command ids, in order */
	unsigned int n;
	uint32_t fail_id; /* fail this command (0: none) ... */
	unsigned int fail_nth; /* ... its nth occurrence, from 0 */
	unsigned int seen_of_fail;
	struct kvm_sev_launch_start ls;
	struct kvm_sev_launch_update_data ud[MAX_LOG];
	unsigned int nud;
	uint8_t plain[8192]; /* the plaintext measured, in order */
	size_t plain_len;
	int vmfd, sev_fd;
} fk;

static void fk_reset(void)
{
	memset(&fk, 0, sizeof(fk));
}

static uint32_t fk_policy;

static void fk_measure(uint8_t *blob)
{
	struct iovec iov = { fk.plain, fk.plain_len };
	uint8_t ld[32];

	memset(blob + 32, 0x6e, 16);
	if (pgenc_sev_launch_digest(&iov, 1, ld) ||
	    pgenc_sev_measure(fw_tik, 1, 52, 4, fk_policy, ld, blob + 32, blob))
		abort();
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	struct kvm_sev_cmd *c;
	uint32_t id;
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (req == SEV_ISSUE_CMD) {
		struct sev_issue_cmd *sc = arg;
		struct sev_user_data_status *st = (void *)(uintptr_t)sc->data;

		id = PLATFORM_CMD;
		fk.sev_fd = fd;
		if (fk.n < MAX_LOG)
			fk.log[fk.n++] = id;
		if (fk.fail_id == id) {
			sc->error = SEV_RET_INVALID_PLATFORM_STATE;
			errno = EIO;
			return -1;
		}
		memset(st, 0, sizeof(*st));
		st->api_major = 1;
		st->api_minor = 52;
		st->build = 4;
		return 0;
	}
	if (req != KVM_MEMORY_ENCRYPT_OP)
		abort();
	c = arg;
	id = c->id;
	fk.vmfd = fd;
	if (c->sev_fd != 8)
		abort();
	if (fk.n < MAX_LOG)
		fk.log[fk.n++] = id;
	if (fk.fail_id == id && fk.seen_of_fail++ == fk.fail_nth) {
		c->error = SEV_RET_INVALID_GUEST_STATE + id; /* tells which */
		errno = EIO;
		return -1;
	}
	c->error = 0;
	switch (id) {
	case KVM_SEV_LAUNCH_START: {
		struct kvm_sev_launch_start *ls = (void *)(uintptr_t)c->data;

		fk.ls = *ls;
		fk_policy = ls->policy;
		ls->handle = 0x42;
		break;
	}
	case KVM_SEV_LAUNCH_UPDATE_DATA: {
		struct kvm_sev_launch_update_data *ud =
			(void *)(uintptr_t)c->data;
		uint8_t *p = (void *)(uintptr_t)ud->uaddr;
		uint32_t i;

		fk.ud[fk.nud++] = *ud;
		if (fk.plain_len + ud->len > sizeof(fk.plain))
			abort();
		memcpy(fk.plain + fk.plain_len, p, ud->len);
		fk.plain_len += ud->len;
		for (i = 0; i < ud->len; i++)
			p[i] ^= 0xff; /* "ciphertext" */
		break;
	}
	case KVM_SEV_LAUNCH_UPDATE_VMSA:
		memcpy(fk.plain + fk.plain_len, vmsa_bytes, 32);
		fk.plain_len += 32;
		break;
	case KVM_SEV_LAUNCH_MEASURE: {
		struct kvm_sev_launch_measure *m = (void *)(uintptr_t)c->data;

		if (m->len < 48)
			abort();
		fk_measure((void *)(uintptr_t)m->uaddr);
		break;
	}
	case KVM_SEV_LAUNCH_FINISH:
		break;
	default:
		abort();
	}
	return 0;
}

static uint8_t mem[3][256];
static struct pgenc_sev_region regions[3];

static void fill_mem(void)
{
	int i, j;

	for (i = 0; i < 3; i++) {
		for (j = 0; j < 256; j++)
			mem[i][j] = (uint8_t)(i * 31 + j);
		regions[i].addr = mem[i];
		regions[i].len = 64 * (size_t)(i + 1); /* 64, 128, 192 */
	}
}

/* The plaintext digest of the regions, as filled by fill_mem(). */
static void want_digest(uint8_t *out, bool vmsa)
{
	uint8_t buf[512];
	struct iovec iov = { buf, 0 };
	int i;

	for (i = 0; i < 3; i++) {
		memcpy(buf + iov.iov_len, mem[i], regions[i].len);
		iov.iov_len += regions[i].len;
	}
	if (vmsa) {
		memcpy(buf + iov.iov_len, vmsa_bytes, 32);
		iov.iov_len += 32;
	}
	if (pgenc_sev_launch_digest(&iov, 1, out))
		abort();
}

/* What progress() saw: "S", "U0", ..., as one string. */
static char steps[128];

static void progress(void *opaque, enum pgenc_sev_launch_step step,
		     size_t index, const struct pgenc_sev_launch_result *res)
{
	static const char *const tag[] = {
		[PGENC_SEV_STEP_START] = "S",
		[PGENC_SEV_STEP_UPDATE_DATA] = "U",
		[PGENC_SEV_STEP_UPDATE_VMSA] = "V",
		[PGENC_SEV_STEP_MEASURE] = "M",
		[PGENC_SEV_STEP_VERIFY] = "C",
		[PGENC_SEV_STEP_FINISH] = "F",
	};
	size_t n = strlen(steps);

	(void)opaque;
	if (res->handle != 0x42 || !tag[step])
		abort();
	snprintf(steps + n, sizeof(steps) - n, "%s%s", tag[step],
		 step == PGENC_SEV_STEP_UPDATE_DATA ? (index == 0 ? "0" :
						       index == 1 ? "1" :
								    "2") :
						      "");
}

static int tik_calls;
static unsigned int tik_at; /* commands issued when get_tik() ran */
static int tik_ret;

static int get_tik(void *opaque, uint32_t handle, uint8_t *tik)
{
	(void)opaque;
	tik_calls++;
	tik_at = fk.n;
	if (handle != 0x42)
		return -ESRCH;
	if (tik_ret)
		return tik_ret;
	memcpy(tik, fw_tik, 16);
	return 0;
}

static void base(struct pgenc_sev_launch_params *p)
{
	fk_reset();
	fill_mem();
	steps[0] = '\0';
	tik_calls = 0;
	tik_ret = 0;
	memset(p, 0, sizeof(*p));
	p->policy = 0x5;
	p->regions = regions;
	p->nr_regions = 3;
	p->progress = progress;
}

static bool log_is(const uint32_t *want, unsigned int n)
{
	return fk.n == n && !memcmp(fk.log, want, n * sizeof(*want));
}

static void test_order(void)
{
	static const uint32_t want[] = {
		PLATFORM_CMD,
		KVM_SEV_LAUNCH_START,
		KVM_SEV_LAUNCH_UPDATE_DATA,
		KVM_SEV_LAUNCH_UPDATE_DATA,
		KVM_SEV_LAUNCH_UPDATE_DATA,
		KVM_SEV_LAUNCH_MEASURE,
		KVM_SEV_LAUNCH_FINISH,
	};
	struct pgenc_sev_launch_params p;
	struct pgenc_sev_launch_result res;
	uint8_t ld[32], blob[48];
	int i;

	base(&p);
	want_digest(ld, false);
	p.verify = true;
	p.tik = fw_tik;
	TAP_CHECK(!pgenc_sev_launch(6, 8, &p, &res), "launch: %s %d fw %d",
		  pgenc_sev_launch_step_name(res.failed_step), res.error,
		  res.fw_error);
	TAP_CHECK(log_is(want, 7), "%u commands", fk.n);
	TAP_CHECK(fk.vmfd == 6 && fk.sev_fd == 8, "fds");
	TAP_CHECK(!strcmp(steps, "SU0U1U2MCF"), "progress %s", steps);
	for (i = 0; i < 3; i++)
		TAP_CHECK(fk.ud[i].uaddr == (uintptr_t)mem[i] &&
				  fk.ud[i].len == regions[i].len,
			  "region %d in order", i);
	TAP_CHECK(mem[0][0] == (uint8_t)~0 &&
			  mem[2][191] == (uint8_t) ~(62 + 191),
		  "updated in place");
	TAP_CHECK(fk.ls.policy == 5 && !fk.ls.handle && !fk.ls.dh_uaddr &&
			  !fk.ls.session_uaddr,
		  "start struct");
	fk_measure(blob);
	TAP_CHECK(res.handle == 0x42 && res.verified &&
			  !memcmp(res.blob, blob, 48),
		  "result");
	TAP_CHECK(!memcmp(res.digest, ld, 32), "digest of the plaintext");
	TAP_CHECK(res.failed_step == PGENC_SEV_STEP_NONE && !res.error &&
			  !res.fw_error,
		  "no failure recorded");

	/* Not verifying: no platform status, no verify step. */
	base(&p);
	TAP_CHECK(!pgenc_sev_launch(6, 8, &p, &res), "no verify");
	TAP_CHECK(log_is(want + 1, 6), "no SEV_PLATFORM_STATUS");
	TAP_CHECK(!strcmp(steps, "SU0U1U2MF") && !res.verified, "progress %s",
		  steps);

	/* The platform given: not queried. No regions at all. */
	{
		struct pgenc_sev_platform_status ps = { .api_major = 1,
							.api_minor = 52,
							.build = 4 };
		static const uint32_t w2[] = { KVM_SEV_LAUNCH_START,
					       KVM_SEV_LAUNCH_MEASURE,
					       KVM_SEV_LAUNCH_FINISH };

		base(&p);
		p.regions = NULL;
		p.nr_regions = 0;
		p.verify = true;
		p.tik = fw_tik;
		p.platform = &ps;
		TAP_CHECK(!pgenc_sev_launch(6, 8, &p, &res) && res.verified,
			  "empty launch verifies");
		TAP_CHECK(log_is(w2, 3), "%u commands", fk.n);
		ps.build = 5;
		base(&p);
		p.verify = true;
		p.tik = fw_tik;
		p.platform = &ps;
		TAP_CHECK(pgenc_sev_launch(6, 8, &p, &res) == -EKEYREJECTED,
			  "the platform's build is measured");
	}
}

static void test_start_ex(void)
{
	struct pgenc_sev_launch_params p;
	struct pgenc_sev_launch_result res;
	uint8_t dh[12], sess[20];

	base(&p);
	p.handle = 0x17;
	p.dh_cert = dh;
	p.dh_len = sizeof(dh);
	p.session = sess;
	p.session_len = sizeof(sess);
	TAP_CHECK(!pgenc_sev_launch(6, 8, &p, &res), "launch");
	TAP_CHECK(fk.ls.handle == 0x17 && fk.ls.dh_uaddr == (uintptr_t)dh &&
			  fk.ls.dh_len == 12 &&
			  fk.ls.session_uaddr == (uintptr_t)sess &&
			  fk.ls.session_len == 20 && fk.ls.policy == 5,
		  "LAUNCH_START gets the handle, DH and session blobs");
	TAP_CHECK(res.handle == 0x42, "handle out");
}

static void test_vmsa(void)
{
	static const uint32_t want[] = {
		PLATFORM_CMD,
		KVM_SEV_LAUNCH_START,
		KVM_SEV_LAUNCH_UPDATE_DATA,
		KVM_SEV_LAUNCH_UPDATE_DATA,
		KVM_SEV_LAUNCH_UPDATE_DATA,
		KVM_SEV_LAUNCH_UPDATE_VMSA,
		KVM_SEV_LAUNCH_MEASURE,
		KVM_SEV_LAUNCH_FINISH,
	};
	struct pgenc_sev_launch_params p;
	struct pgenc_sev_launch_result res;
	uint8_t ld[32], plain_ld[32];

	base(&p);
	want_digest(ld, true);
	want_digest(plain_ld, false);
	p.update_vmsa = true;
	p.verify = true;
	p.tik = fw_tik;
	p.expected_digest = ld;
	TAP_CHECK(!pgenc_sev_launch(6, 8, &p, &res) && res.verified,
		  "SEV-ES launch verifies against the expected digest: %s %d",
		  pgenc_sev_launch_step_name(res.failed_step), res.error);
	TAP_CHECK(log_is(want, 8),
		  "UPDATE_VMSA after the data, before MEASURE");
	TAP_CHECK(!strcmp(steps, "SU0U1U2VMCF"), "progress %s", steps);
	TAP_CHECK(!memcmp(res.digest, plain_ld, 32),
		  "res.digest: regions only");

	/* A wrong expected digest: rejected, and no LAUNCH_FINISH. */
	base(&p);
	ld[31] ^= 1;
	p.update_vmsa = true;
	p.verify = true;
	p.tik = fw_tik;
	p.expected_digest = ld;
	TAP_CHECK(pgenc_sev_launch(6, 8, &p, &res) == -EKEYREJECTED,
		  "mismatch");
	TAP_CHECK(res.failed_step == PGENC_SEV_STEP_VERIFY && !res.verified &&
			  res.error == -EKEYREJECTED &&
			  res.fw_error == SEV_RET_NO_FW_CALL,
		  "reported as the measurement check");
	TAP_CHECK(log_is(want, 7), "no LAUNCH_FINISH");
}

/* Fail command id (its nth occurrence) and check the sequence stops. */
static void fail_one(uint32_t id, unsigned int nth,
		     enum pgenc_sev_launch_step step, unsigned int issued)
{
	static const uint32_t all[] = {
		PLATFORM_CMD,
		KVM_SEV_LAUNCH_START,
		KVM_SEV_LAUNCH_UPDATE_DATA,
		KVM_SEV_LAUNCH_UPDATE_DATA,
		KVM_SEV_LAUNCH_UPDATE_DATA,
		KVM_SEV_LAUNCH_UPDATE_VMSA,
		KVM_SEV_LAUNCH_MEASURE,
		KVM_SEV_LAUNCH_FINISH,
	};
	struct pgenc_sev_launch_params p;
	struct pgenc_sev_launch_result res;
	uint8_t ld[32];
	int want_fw = id == PLATFORM_CMD ?
			      SEV_RET_INVALID_PLATFORM_STATE :
			      SEV_RET_INVALID_GUEST_STATE + (int)id;

	base(&p);
	want_digest(ld, true);
	p.update_vmsa = true;
	p.verify = true;
	p.tik = fw_tik;
	p.expected_digest = ld;
	fk.fail_id = id;
	fk.fail_nth = nth;
	TAP_CHECK(pgenc_sev_launch(6, 8, &p, &res) == -EIO, "%s fails",
		  pgenc_sev_launch_step_name(step));
	TAP_CHECK(res.failed_step == step && res.error == -EIO &&
			  res.fw_error == want_fw &&
			  res.verified == (step == PGENC_SEV_STEP_FINISH),
		  "%s: reported step %s error %d fw %d",
		  pgenc_sev_launch_step_name(step),
		  pgenc_sev_launch_step_name(res.failed_step), res.error,
		  res.fw_error);
	TAP_CHECK(step != PGENC_SEV_STEP_UPDATE_DATA || res.failed_index == nth,
		  "failed region %zu", res.failed_index);
	TAP_CHECK(log_is(all, issued), "%s: %u commands issued, want %u",
		  pgenc_sev_launch_step_name(step), fk.n, issued);
	TAP_CHECK(step > PGENC_SEV_STEP_START || !res.handle, "no handle");
}

static void test_failures(void)
{
	fail_one(PLATFORM_CMD, 0, PGENC_SEV_STEP_PLATFORM_STATUS, 1);
	fail_one(KVM_SEV_LAUNCH_START, 0, PGENC_SEV_STEP_START, 2);
	fail_one(KVM_SEV_LAUNCH_UPDATE_DATA, 0, PGENC_SEV_STEP_UPDATE_DATA, 3);
	fail_one(KVM_SEV_LAUNCH_UPDATE_DATA, 2, PGENC_SEV_STEP_UPDATE_DATA, 5);
	fail_one(KVM_SEV_LAUNCH_UPDATE_VMSA, 0, PGENC_SEV_STEP_UPDATE_VMSA, 6);
	/* No LAUNCH_FINISH after a failed MEASURE. */
	fail_one(KVM_SEV_LAUNCH_MEASURE, 0, PGENC_SEV_STEP_MEASURE, 7);
	fail_one(KVM_SEV_LAUNCH_FINISH, 0, PGENC_SEV_STEP_FINISH, 8);
}

static void test_tik(void)
{
	static const uint32_t want[] = {
		PLATFORM_CMD,
		KVM_SEV_LAUNCH_START,
		KVM_SEV_LAUNCH_UPDATE_DATA,
		KVM_SEV_LAUNCH_UPDATE_DATA,
		KVM_SEV_LAUNCH_UPDATE_DATA,
		KVM_SEV_LAUNCH_MEASURE,
		KVM_SEV_LAUNCH_FINISH,
	};
	struct pgenc_sev_launch_params p;
	struct pgenc_sev_launch_result res;
	uint8_t bad[16];

	/* get_tik() once, right after LAUNCH_START, with its handle. */
	base(&p);
	p.verify = true;
	p.get_tik = get_tik;
	TAP_CHECK(!pgenc_sev_launch(6, 8, &p, &res) && res.verified,
		  "verified with get_tik()");
	TAP_CHECK(tik_calls == 1 && tik_at == 2, "calls %d after %u commands",
		  tik_calls, tik_at);
	TAP_CHECK(log_is(want, 7), "commands");

	/* get_tik() fails: nothing more is issued. */
	base(&p);
	p.verify = true;
	p.get_tik = get_tik;
	tik_ret = -ENOENT;
	TAP_CHECK(pgenc_sev_launch(6, 8, &p, &res) == -ENOENT, "ENOENT");
	TAP_CHECK(res.failed_step == PGENC_SEV_STEP_TIK &&
			  res.error == -ENOENT && res.handle == 0x42,
		  "step TIK, handle kept");
	TAP_CHECK(log_is(want, 2) && !strcmp(steps, "S"), "stops after START");

	/* tik wins over get_tik(). A wrong TIK: rejected, no FINISH. */
	base(&p);
	memcpy(bad, fw_tik, 16);
	bad[7] ^= 0x80;
	p.verify = true;
	p.tik = bad;
	p.get_tik = get_tik;
	TAP_CHECK(pgenc_sev_launch(6, 8, &p, &res) == -EKEYREJECTED &&
			  !tik_calls,
		  "wrong TIK");
	TAP_CHECK(res.failed_step == PGENC_SEV_STEP_VERIFY && !res.verified,
		  "step VERIFY");
	TAP_CHECK(log_is(want, 6) && !strcmp(steps, "SU0U1U2M"),
		  "no LAUNCH_FINISH (%s)", steps);
}

static void test_args(void)
{
	struct pgenc_sev_launch_params p;
	struct pgenc_sev_launch_result res;
	struct pgenc_sev_region empty = { mem[0], 0 };
	uint8_t ld[32] = { 0 };

	base(&p);
	TAP_CHECK(pgenc_sev_launch(6, 8, &p, NULL) == -EINVAL && !fk.n,
		  "NULL res");
	TAP_CHECK(pgenc_sev_launch(6, 8, NULL, &res) == -EINVAL &&
			  res.failed_step == PGENC_SEV_STEP_ARGS && !fk.n,
		  "NULL params");
	p.verify = true;
	TAP_CHECK(pgenc_sev_launch(6, 8, &p, &res) == -EINVAL &&
			  res.failed_step == PGENC_SEV_STEP_ARGS &&
			  res.fw_error == SEV_RET_NO_FW_CALL && !fk.n,
		  "verify without a TIK");
	p.tik = fw_tik;
	p.update_vmsa = true;
	TAP_CHECK(pgenc_sev_launch(6, 8, &p, &res) == -EINVAL && !fk.n,
		  "verify SEV-ES without an expected digest");
	p.expected_digest = ld;
	p.regions = NULL;
	TAP_CHECK(pgenc_sev_launch(6, 8, &p, &res) == -EINVAL && !fk.n,
		  "NULL regions");
	p.regions = &empty;
	p.nr_regions = 1;
	TAP_CHECK(pgenc_sev_launch(6, 8, &p, &res) == -EINVAL && !fk.n,
		  "empty region");
	p.regions = regions;
	p.dh_len = 4;
	TAP_CHECK(pgenc_sev_launch(6, 8, &p, &res) == -EINVAL && !fk.n,
		  "dh_len without dh_cert");
}

static void test_names(void)
{
	TAP_CHECK(!strcmp(pgenc_sev_launch_step_name(PGENC_SEV_STEP_START),
			  "LAUNCH_START"),
		  "START");
	TAP_CHECK(!strcmp(pgenc_sev_launch_step_name(PGENC_SEV_STEP_UPDATE_VMSA),
			  "LAUNCH_UPDATE_VMSA"),
		  "VMSA");
	TAP_CHECK(!strcmp(pgenc_sev_launch_step_name(PGENC_SEV_STEP_FINISH),
			  "LAUNCH_FINISH"),
		  "FINISH");
	TAP_CHECK(!strcmp(pgenc_sev_launch_step_name((enum pgenc_sev_launch_step)99),
			  "unknown step"),
		  "out of range");
}

int main(void)
{
	tap_run("launch: command order, regions, digest, verification",
		test_order);
	tap_run("launch: handle, DH and session reach LAUNCH_START",
		test_start_ex);
	tap_run("launch: SEV-ES, UPDATE_VMSA and the expected digest",
		test_vmsa);
	tap_run("launch: a failure at each step stops the sequence",
		test_failures);
	tap_run("launch: get_tik() after START; wrong TIK: no FINISH",
		test_tik);
	tap_run("launch: invalid parameters issue nothing", test_args);
	tap_run("launch: step names", test_names);
	return tap_done();
}
