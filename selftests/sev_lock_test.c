// SPDX-License-Identifier: GPL-2.0-only
/*
 * sev_lock_test: hypercall 12 never waits for kvm->lock. KVM holds
 * kvm->lock across each SEV command while the firmware works on it, so a
 * hypercall path that took it would stall the guest behind the firmware.
 * sevsim's test-only stall (SEVSIM_USER_STALL_*) holds an SEV command
 * inside the firmware; meanwhile the same VM's vCPU makes HCALLS
 * hypercalls, GET (slots_lock, not kvm->lock) reads back what they wrote,
 * and a KVM_MEMORY_ENCRYPT_REG_REGION, which takes kvm->lock, shows that
 * the lock really is held. Only then is the stall released, and the
 * command must succeed. A hypercall path taking kvm->lock waits for the
 * stall's timeout instead (SEVSIM_STALL_MAX_MS): the stall then reports
 * EXPIRED and every check of the round fails, with no hang. The stalled
 * commands: GUEST_STATUS, and DBG_DECRYPT of a launched (private) page.
 * First, the stall control itself: argument checks, the timeout, and a
 * stall disarmed when the file that armed it is closed. Last, a
 * KVM_SEV_INIT held up after enabling tracking (its platform init waits
 * for the stalled firmware) may still fail and undo that: a concurrent
 * KVM_ENABLE_CAP must wait for it rather than report tracking enabled.
 * Then a reader of a guest's launch_digest while DECOMMISSION, stalled,
 * is about to remove that file: neither may wait for the other.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "sev_util.h"

#define DATA_PAGES 2ULL
#define HCALLS 500
#define NR_ROUNDS 2
/* The hypercalls' range: gfns [HC_BASE, HC_BASE + HC_RANGE) of slot 0. */
#define HC_BASE 256ULL
#define HC_RANGE 256ULL
/* How long DECOMMISSION and a debugfs reader may take once released. */
#define HANG_S 10

/* Firmware command ids (enum sev_cmd, <linux/psp-sev.h> in the kernel). */
#define SEV_CMD_DECOMMISSION 0x020
#define SEV_CMD_GUEST_STATUS 0x023
#define SEV_CMD_DBG_DECRYPT 0x060
/* struct op's other kinds, not firmware commands. */
#define OP_REG_REGION 0
#define OP_SEV_INIT 0x10000 /* KVM_SEV_INIT */
#define OP_ENABLE_CAP 0x10001 /* KVM_ENABLE_CAP(KVM_CAP_PAGE_ENC_BITMAP) */

/* The i-th call of a round: deterministic, so the host can replay it. */
static void hc_call(uint64_t round, uint64_t i, uint64_t *gfn, uint64_t *n,
		    bool *enc)
{
	uint64_t off = (i * 37 + round * 11) % HC_RANGE;

	*n = 1 + (i * 13) % 32;
	if (off + *n > HC_RANGE)
		*n = HC_RANGE - off;
	*gfn = HC_BASE + off;
	*enc = (i + round) & 1;
}

static void guest_code(void)
{
	uint64_t round, i, gfn, n;
	bool enc;

	/* The first run, with no stall: KVM's first-run work is done. */
	GUEST_SYNC(0);
	for (round = 1; round <= NR_ROUNDS; round++) {
		for (i = 0; i < HCALLS; i++) {
			hc_call(round, i, &gfn, &n, &enc);
			GUEST_ASSERT_2(!pgenc_guest_hc(gfn * PGENC_PAGE, n,
						       enc ? 0x10 : 0x00),
				       round, i);
		}
		GUEST_SYNC(round);
	}
	GUEST_DONE();
}

static const char *stall_name(uint32_t state)
{
	static const char *const names[] = { "OFF", "ARMED", "STALLED",
					     "RELEASED", "EXPIRED" };

	return state < ARRAY_SIZE(names) ? names[state] : "?";
}

static struct sevsim_user_stall stall(int sev_fd, uint32_t cmd_id,
				      uint32_t timeout_ms)
{
	struct sevsim_user_stall us;
	int r = sevsim_stall(sev_fd, cmd_id, timeout_ms, &us);

	TEST_ASSERT(!r, "stall command %#x: %d", cmd_id, r);
	return us;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Run the guest to its next ucall, which must be GUEST_SYNC(want). */
static bool run_to_sync(struct sev_vm *s, uint64_t want)
{
	struct ucall uc;
	uint64_t cmd;

	vcpu_run(s->vcpu);
	cmd = get_ucall(s->vcpu, &uc);
	if (cmd == UCALL_ABORT)
		REPORT_GUEST_ASSERT_2(uc, "round %lu, call %lu");
	return cmd == UCALL_SYNC && uc.args[1] == want;
}

/* An SEV command, or the control's REG_REGION, on a thread of its own. */
struct op {
	struct sev_vm *s;
	uint32_t fw_id; /* what the firmware sees, or an OP_* */
	const uint8_t *plain; /* DBG_DECRYPT: what page 0 decrypts to */
	pthread_t t;
	int r;
	uint32_t fw;
	bool ok; /* r == 0 and the command's output is right */
	volatile bool done;
};

static void *op_thread(void *arg)
{
	static uint8_t out[PGENC_PAGE] __attribute__((aligned(4096)));
	struct kvm_enable_cap cap = { .cap = KVM_CAP_PAGE_ENC_BITMAP };
	struct kvm_sev_guest_status st = {};
	struct kvm_enc_region region;
	struct op *o = arg;
	void *mem;

	switch (o->fw_id) {
	case SEV_CMD_GUEST_STATUS:
		o->r = sev_cmd(o->s, KVM_SEV_GUEST_STATUS, &st, &o->fw);
		o->ok = !o->r && st.state == SEV_GSTATE_RUNNING && !st.policy;
		break;
	case SEV_CMD_DBG_DECRYPT:
		o->r = sev_dbg(o->s, true, o->s->data, out, PGENC_PAGE, &o->fw);
		o->ok = !o->r && !memcmp(out, o->plain, PGENC_PAGE);
		break;
	case OP_SEV_INIT:
		o->r = sev_cmd(o->s, KVM_SEV_INIT, NULL, &o->fw);
		o->ok = !o->r;
		break;
	case OP_ENABLE_CAP:
		o->r = ioctl(o->s->vm->fd, KVM_ENABLE_CAP, &cap) ? -errno : 0;
		o->ok = !o->r;
		break;
	default:
		mem = mmap(NULL, PGENC_PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		TEST_ASSERT(mem != MAP_FAILED, "mmap");
		region.addr = (uint64_t)(uintptr_t)mem;
		region.size = PGENC_PAGE;
		/* Raw ioctl: 0 or -errno, no assertion on this thread. */
		o->r = ioctl(o->s->vm->fd, KVM_MEMORY_ENCRYPT_REG_REGION,
			     &region) ?
			       -errno :
			       0;
		o->ok = !o->r;
		break;
	}
	__atomic_store_n(&o->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void op_start(struct op *o, struct sev_vm *s, uint32_t fw_id,
		     const uint8_t *plain)
{
	memset(o, 0, sizeof(*o));
	o->s = s;
	o->fw_id = fw_id;
	o->plain = plain;
	TEST_ASSERT(!pthread_create(&o->t, NULL, op_thread, o),
		    "pthread_create");
}

static bool op_done(struct op *o)
{
	return __atomic_load_n(&o->done, __ATOMIC_ACQUIRE);
}

/* Poll until a command waits in the firmware; give up after 10 s. */
static struct sevsim_user_stall wait_stalled(int sev_fd, struct op *o)
{
	double t0 = now();
	struct sevsim_user_stall us;

	for (;;) {
		us = stall(sev_fd, SEVSIM_USER_STALL_STATUS, 0);
		if (us.state != SEVSIM_STALL_ARMED || op_done(o) ||
		    now() - t0 > 10)
			return us;
		usleep(1000);
	}
}

/*
 * One round: stall fw_id, then while it waits in the firmware with
 * kvm->lock held, the guest's hypercalls, GET, and the control.
 */
static void stalled_round(struct sev_vm *s, int sev_fd, uint64_t round,
			  uint32_t fw_id, const char *name,
			  const uint8_t *plain, struct pgenc_model *m)
{
	struct sevsim_user_stall us;
	struct op cmd, reg;
	uint64_t i, gfn, n;
	bool ok, enc;
	int64_t bad;

	us = stall(sev_fd, SEVSIM_USER_STALL_ARM, SEVSIM_STALL_MAX_MS);
	TEST_ASSERT(us.state == SEVSIM_STALL_ARMED, "ARM: state %s",
		    stall_name(us.state));
	op_start(&cmd, s, fw_id, plain);
	us = wait_stalled(sev_fd, &cmd);
	ksft_test_result(us.state == SEVSIM_STALL_STALLED && us.cmd == fw_id &&
				 !op_done(&cmd),
			 "%s waits in the firmware, under kvm->lock (stall %s, command %#x)\n",
			 name, stall_name(us.state), us.cmd);

	ok = run_to_sync(s, round);
	us = stall(sev_fd, SEVSIM_USER_STALL_STATUS, 0);
	ksft_test_result(ok && us.state == SEVSIM_STALL_STALLED &&
				 !op_done(&cmd),
			 "%d hypercalls completed while %s was in the firmware (stall %s)\n",
			 HCALLS, name, stall_name(us.state));

	for (i = 0; i < HCALLS; i++) {
		hc_call(round, i, &gfn, &n, &enc);
		pgenc_model_fill(m, gfn, n, enc);
	}
	bad = pgenc_model_diff(s->vm, m);
	us = stall(sev_fd, SEVSIM_USER_STALL_STATUS, 0);
	ksft_test_result(bad < 0 && us.state == SEVSIM_STALL_STALLED &&
				 !op_done(&cmd),
			 "GET meanwhile equals the replay of the calls (first wrong gfn %ld, stall %s)\n",
			 (long)bad, stall_name(us.state));

	/* The control: kvm->lock is held, so REG_REGION must wait. */
	op_start(&reg, s, OP_REG_REGION, NULL);
	usleep(200 * 1000);
	us = stall(sev_fd, SEVSIM_USER_STALL_STATUS, 0);
	ksft_test_result(!op_done(&reg) && us.state == SEVSIM_STALL_STALLED &&
				 !op_done(&cmd),
			 "KVM_MEMORY_ENCRYPT_REG_REGION, which takes kvm->lock, waits meanwhile (stall %s)\n",
			 stall_name(us.state));

	us = stall(sev_fd, SEVSIM_USER_STALL_RELEASE, 0);
	pthread_join(cmd.t, NULL);
	pthread_join(reg.t, NULL);
	ksft_test_result(us.state == SEVSIM_STALL_RELEASED && cmd.ok && reg.ok,
			 "released (stall %s), %s succeeds (%d, fw %u), then REG_REGION (%d)\n",
			 stall_name(us.state), name, cmd.r, cmd.fw, reg.r);
}

/*
 * KVM_SEV_INIT of a fresh VM enables tracking, then its platform init
 * waits for sevsim, held by a stalled command of s. Until it returns it
 * may still fail and undo the tracking, so a KVM_ENABLE_CAP of the same
 * VM meanwhile must wait, not report tracking enabled.
 */
static void test_enable_during_init(struct sev_vm *s, int sev_fd)
{
	struct sev_vm v = { .sev_fd = sev_fd };
	struct op cmd, init, cap;
	struct sevsim_user_stall us;
	uint8_t buf[1];
	double t0;
	bool tracked = false, cap_waited;

	v.vm = vm_create_barebones();
	us = stall(sev_fd, SEVSIM_USER_STALL_ARM, SEVSIM_STALL_MAX_MS);
	TEST_ASSERT(us.state == SEVSIM_STALL_ARMED, "ARM: state %s",
		    stall_name(us.state));
	op_start(&cmd, s, SEV_CMD_GUEST_STATUS, NULL);
	us = wait_stalled(sev_fd, &cmd);
	TEST_ASSERT(us.state == SEVSIM_STALL_STALLED, "stall: state %s",
		    stall_name(us.state));

	/* GET takes slots_lock only: it shows when INIT has enabled. */
	op_start(&init, &v, OP_SEV_INIT, NULL);
	for (t0 = now(); !tracked && !op_done(&init) && now() - t0 < 5;
	     usleep(1000))
		tracked = pgenc_get(v.vm, 0, 8, buf) != -ENXIO;

	op_start(&cap, &v, OP_ENABLE_CAP, NULL);
	usleep(300 * 1000);
	cap_waited = !op_done(&cap) && !op_done(&init);

	us = stall(sev_fd, SEVSIM_USER_STALL_RELEASE, 0);
	pthread_join(cmd.t, NULL);
	pthread_join(init.t, NULL);
	pthread_join(cap.t, NULL);
	ksft_test_result(tracked && cap_waited && cmd.ok && init.ok && cap.ok &&
				 pgenc_get(v.vm, 0, 8, buf) == 0,
			 "KVM_ENABLE_CAP waits for a KVM_SEV_INIT that may still undo tracking (tracked %d, waited %d; init %d, cap %d)\n",
			 tracked, cap_waited, init.r, cap.r);
	kvm_vm_free(v.vm);
}

/* Reap pid into *status if it has ended; false while it runs. */
static bool reaped(pid_t pid, int *status)
{
	return *status >= 0 || waitpid(pid, status, WNOHANG) == pid;
}

/*
 * A child process, without the test's stdout and stderr: a child stuck
 * in the kernel must not keep the TAP output open once the test ends.
 */
static pid_t child(void)
{
	pid_t pid = fork();

	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		close(STDOUT_FILENO);
		close(STDERR_FILENO);
	}
	return pid;
}

/* A child's whole read of path, written to out; exit 0 if it read. */
static pid_t reader_start(const char *path, int out)
{
	char buf[128];
	ssize_t n;
	pid_t pid;
	int fd;

	pid = child();
	if (pid)
		return pid;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		_exit(2);
	n = read(fd, buf, sizeof(buf));
	if (n < 0 || write(out, buf, n) != n)
		_exit(3);
	_exit(0);
}

/*
 * DECOMMISSION removes the guest's debugfs files, and debugfs_remove()
 * waits for their readers: a reader waiting for the firmware's lock,
 * which DECOMMISSION holds, would deadlock with it (sevsim.rst,
 * "Locking"). DECOMMISSION is stalled in the firmware, a reader of the
 * guest's launch_digest starts, the stall is released: both must end.
 * Both run in child processes and are waited for at most HANG_S, so a
 * deadlock fails here instead of hanging; it holds the firmware for
 * good, so the test then ends at once.
 */
static void test_decommission_reader(int sev_fd)
{
	struct sev_vm v = {};
	struct sevsim_user_stall us;
	uint32_t fw = 0, len = 48;
	uint8_t blob[48];
	char path[80], buf[128];
	int st_decom = -1, st_read = -1, out[2];
	pid_t decom, rd;
	ssize_t n;
	double t0;

	TEST_ASSERT(!sev_vm_create(&v, sev_fd, false, guest_code, 1, &fw) &&
			    !sev_launch_start(&v, 0, 0, &fw) &&
			    !sev_launch_update(&v, 0, PGENC_PAGE, &fw) &&
			    !sev_launch_measure(&v, blob, &len, &fw),
		    "launch: fw %u", fw);
	TEST_ASSERT(!sevsim_user_guest(sev_fd, SEVSIM_USER_DEACTIVATE, v.handle,
				       0),
		    "DEACTIVATE");
	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/sevsim/%u/launch_digest", v.handle);
	TEST_ASSERT(pipe(out) == 0, "pipe");

	us = stall(sev_fd, SEVSIM_USER_STALL_ARM, SEVSIM_STALL_MAX_MS);
	TEST_ASSERT(us.state == SEVSIM_STALL_ARMED, "ARM: state %s",
		    stall_name(us.state));
	decom = child();
	if (!decom)
		_exit(sevsim_user_guest(sev_fd, SEVSIM_USER_DECOMMISSION,
					v.handle, 0) ?
			      1 :
			      0);
	for (t0 = now(); now() - t0 < 10 && !reaped(decom, &st_decom);
	     usleep(1000)) {
		us = stall(sev_fd, SEVSIM_USER_STALL_STATUS, 0);
		if (us.state != SEVSIM_STALL_ARMED)
			break;
	}
	TEST_ASSERT(us.state == SEVSIM_STALL_STALLED &&
			    us.cmd == SEV_CMD_DECOMMISSION,
		    "DECOMMISSION stalled: state %s, command %#x",
		    stall_name(us.state), us.cmd);

	/* The reader gets into its read, or is done, within a second. */
	rd = reader_start(path, out[1]);
	close(out[1]);
	for (t0 = now(); now() - t0 < 1 && !reaped(rd, &st_read); usleep(1000))
		;
	us = stall(sev_fd, SEVSIM_USER_STALL_RELEASE, 0);
	for (t0 = now(); now() - t0 < HANG_S &&
			 !(reaped(decom, &st_decom) && reaped(rd, &st_read));
	     usleep(10 * 1000))
		;
	if (st_decom < 0 || st_read < 0) {
		ksft_test_result_fail("DECOMMISSION and a reader of its launch_digest end (after %d s: DECOMMISSION %s, reader %s)\n",
				      HANG_S, st_decom < 0 ? "hung" : "done",
				      st_read < 0 ? "hung" : "done");
		ksft_exit_fail_msg("sevsim deadlocked: nothing else can run\n");
	}
	n = read(out[0], buf, sizeof(buf));
	close(out[0]);
	ksft_test_result(us.state == SEVSIM_STALL_RELEASED &&
				 WIFEXITED(st_decom) &&
				 !WEXITSTATUS(st_decom) && WIFEXITED(st_read) &&
				 !WEXITSTATUS(st_read) && n == 65 &&
				 access(path, F_OK) && errno == ENOENT,
			 "DECOMMISSION and a reader of its launch_digest end, the digest read whole, the file gone (decommission %#x, reader %#x, %zd bytes)\n",
			 st_decom, st_read, n);
	/* KVM's own DEACTIVATE and DECOMMISSION fail: the guest is gone. */
	sev_vm_free(&v);
}

/*
 * The control itself: bad timeouts, one stall at a time, release of an
 * armed stall, the timeout, and the close of the arming file.
 */
static void test_stall_control(struct sev_vm *s, int sev_fd)
{
	struct sevsim_user_stall us, a, b;
	int r0, r1, r2, fd2;
	double t0, took;
	uint32_t fw = 0;

	r0 = sevsim_stall(sev_fd, SEVSIM_USER_STALL_ARM, 0, &us);
	r1 = sevsim_stall(sev_fd, SEVSIM_USER_STALL_ARM,
			  SEVSIM_STALL_MAX_MS + 1, &us);
	a = stall(sev_fd, SEVSIM_USER_STALL_ARM, 1000);
	r2 = sevsim_stall(sev_fd, SEVSIM_USER_STALL_ARM, 1000, &us);
	b = stall(sev_fd, SEVSIM_USER_STALL_RELEASE, 0);
	ksft_test_result(r0 == -EINVAL && r1 == -EINVAL &&
				 a.state == SEVSIM_STALL_ARMED &&
				 r2 == -EBUSY && b.state == SEVSIM_STALL_OFF &&
				 sev_guest_state(s, &fw) == SEV_GSTATE_RUNNING,
			 "stall: timeouts 0 and max+1 EINVAL, a second ARM EBUSY, RELEASE disarms (%d %d %d, %s)\n",
			 r0, r1, r2, stall_name(b.state));

	stall(sev_fd, SEVSIM_USER_STALL_ARM, 100);
	t0 = now();
	r0 = sev_guest_state(s, &fw);
	took = now() - t0;
	us = stall(sev_fd, SEVSIM_USER_STALL_STATUS, 0);
	ksft_test_result(r0 == SEV_GSTATE_RUNNING &&
				 us.state == SEVSIM_STALL_EXPIRED &&
				 us.cmd == SEV_CMD_GUEST_STATUS && took >= 0.05,
			 "an unreleased stall expires after its timeout, then the command runs (%.3f s, %s)\n",
			 took, stall_name(us.state));

	fd2 = open(SEVSIM_DEVICE, O_RDWR);
	TEST_ASSERT(fd2 >= 0, "open %s", SEVSIM_DEVICE);
	a = stall(fd2, SEVSIM_USER_STALL_ARM, SEVSIM_STALL_MAX_MS);
	close(fd2);
	us = stall(sev_fd, SEVSIM_USER_STALL_STATUS, 0);
	t0 = now();
	r0 = sev_guest_state(s, &fw);
	took = now() - t0;
	ksft_test_result(a.state == SEVSIM_STALL_ARMED &&
				 us.state == SEVSIM_STALL_OFF &&
				 r0 == SEV_GSTATE_RUNNING && took < 5,
			 "closing the file that armed a stall disarms it (%s, next command %.3f s)\n",
			 stall_name(us.state), took);
}

int main(void)
{
	uint8_t plain[PGENC_PAGE], blob[48];
	uint32_t fw = 0, len = sizeof(blob);
	struct pgenc_model m;
	struct sev_vm s;
	struct ucall uc;
	int sev_fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	pgenc_require();
	sev_fd = sevsim_fd();
	ksft_set_plan(3 + 5 * NR_ROUNDS + 1 + 1 + 1);

	TEST_ASSERT(!sev_vm_create(&s, sev_fd, false, guest_code, DATA_PAGES,
				   &fw),
		    "KVM_SEV_INIT: fw %u", fw);
	sev_fill_pattern(s.data, DATA_PAGES);
	memcpy(plain, s.data, sizeof(plain));
	TEST_ASSERT(!sev_launch_start(&s, 0, 0, &fw) &&
			    !sev_launch_update(&s, 0, DATA_PAGES * PGENC_PAGE,
					       &fw) &&
			    !sev_launch_measure(&s, blob, &len, &fw) &&
			    !sev_cmd(&s, KVM_SEV_LAUNCH_FINISH, NULL, &fw),
		    "launch: fw %u", fw);
	TEST_ASSERT(run_to_sync(&s, 0), "first run");

	test_stall_control(&s, sev_fd);

	pgenc_model_init(&m, HC_BASE + HC_RANGE);
	stalled_round(&s, sev_fd, 1, SEV_CMD_GUEST_STATUS, "GUEST_STATUS", NULL,
		      &m);
	stalled_round(&s, sev_fd, 2, SEV_CMD_DBG_DECRYPT,
		      "DBG_DECRYPT of a private page", plain, &m);

	test_enable_during_init(&s, sev_fd);

	vcpu_run(s.vcpu);
	ksft_test_result(get_ucall(s.vcpu, &uc) == UCALL_DONE &&
				 pgenc_stat(s.vm, "hypercalls") ==
					 NR_ROUNDS * HCALLS &&
				 !pgenc_stat(s.vm, "hypercall_errors"),
			 "the guest finishes; %d hypercalls counted, none failed\n",
			 NR_ROUNDS * HCALLS);
	free(m.enc);
	sev_vm_free(&s);
	test_decommission_reader(sev_fd);
	ksft_finished();
}
