/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Systematic fault injection for pgenc's selftests, with the kernel's
 * per-task /proc/thread-self/fail-nth (Documentation/fault-injection/):
 * writing N makes the N-th fault point this thread reaches fail, whatever
 * its kind (a slab or page allocation, a copy_{from,to}_user). Reading it
 * back gives 0 once that fault was injected, else what was left of N.
 *
 * A sweep runs one operation with N = 1, 2, 3, ... until a run ends
 * without reaching the N-th fault point, so that every fault point the
 * operation passes fails once, and checks after each run that the
 * operation failed cleanly (or tolerated the failure) and changed nothing
 * it should not have. One fault at a time never reaches a fallback's own
 * failure (kvmalloc()'s vmalloc after its kmalloc, xarray's allocation
 * outside its lock): a last run fails every allocation of the thread
 * (failslab and fail_page_alloc at probability 100 with task-filter, the
 * thread's make-it-fail set), and counts them with the knobs' "times".
 *
 * GFP_KERNEL allocations are only failed with the debugfs knobs
 * ignore-gfp-wait=N (failslab, fail_page_alloc); fail_page_alloc also
 * wants ignore-gfp-highmem=N and min-order=0. verbose=0 keeps the console
 * quiet: the default prints a stack trace for every injected fault.
 * pgenc_fault_setup() sets them and restores them at exit.
 *
 * Stock KVM code on these paths allocates without __GFP_NOWARN (e.g. the
 * memslot metadata's __vcalloc()), so a failure injected there prints an
 * allocation warning with a stack trace, which the test VM's verdict
 * would take for a splat. So during a sweep the console shows only
 * KERN_ERR and worse (console_loglevel 4; KASAN, BUG and panics still
 * show), and the test reads the whole kernel log itself (/dev/kmsg) after
 * every run instead: anything the verdict would flag fails the run, and
 * so does an allocation warning whose stack has pgenc or sevsim code in
 * it (our allocations that may fail must not warn); allocation warnings
 * from stock code alone are counted and tolerated. The full log stays in
 * the run's dmesg.log.
 */
#ifndef PGENC_FAULT_H
#define PGENC_FAULT_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pgenc_util.h"

#define PGENC_FAIL_NTH "/proc/thread-self/fail-nth"
#define PGENC_FAULT_DEBUGFS "/sys/kernel/debug/"

/* A sweep stops with a failure when an operation passes more points. */
#define PGENC_FAULT_MAX_NTH 400

struct pgenc_fault_knob {
	const char *path; /* under PGENC_FAULT_DEBUGFS */
	const char *value;
	char saved[32];
	bool changed;
};

/*
 * Set in this order, restored in the reverse one: task-filter before
 * probability, or every task's allocations would fail in between.
 */
static struct pgenc_fault_knob pgenc_fault_knobs[] = {
	{ "failslab/ignore-gfp-wait", "N" },
	{ "failslab/verbose", "0" },
	{ "failslab/task-filter", "Y" },
	{ "failslab/interval", "1" },
	{ "failslab/space", "0" },
	{ "failslab/times", "1000000" },
	{ "failslab/probability", "100" },
	{ "fail_page_alloc/ignore-gfp-wait", "N" },
	{ "fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "fail_page_alloc/min-order", "0" },
	{ "fail_page_alloc/verbose", "0" },
	{ "fail_page_alloc/task-filter", "Y" },
	{ "fail_page_alloc/interval", "1" },
	{ "fail_page_alloc/space", "0" },
	{ "fail_page_alloc/times", "1000000" },
	{ "fail_page_alloc/probability", "100" },
	{ "fail_usercopy/verbose", "0" },
};

/* The capabilities the every-allocation run uses, if built in. */
static const char *const pgenc_fault_alloc_caps[] = { "failslab",
						      "fail_page_alloc" };
static bool pgenc_fault_alloc_cap[2];

static int pgenc_fault_fd = -1;
static int pgenc_make_it_fail_fd = -1;
static int pgenc_kmsg_fd = -1;
static char pgenc_printk_saved[64];

static inline bool pgenc_file_write(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fputs(value, f) >= 0;
	ok &= !fclose(f);
	return ok;
}

static inline const char *pgenc_fault_knob_path(const char *knob)
{
	static char path[128];

	snprintf(path, sizeof(path), PGENC_FAULT_DEBUGFS "%s", knob);
	return path;
}

static inline bool pgenc_fault_knob_read(const char *knob, char *buf,
					 size_t len)
{
	FILE *f = fopen(pgenc_fault_knob_path(knob), "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, len, f);
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = 0;
	return ok;
}

static inline bool pgenc_fault_knob_write(const char *knob, const char *value)
{
	return pgenc_file_write(pgenc_fault_knob_path(knob), value);
}

#define PGENC_PRINTK "/proc/sys/kernel/printk"

/* Console log level 4 (KERN_ERR and worse) or back as it was. */
static inline void pgenc_fault_quiet(bool quiet)
{
	if (pgenc_kmsg_fd < 0 || !*pgenc_printk_saved)
		return;
	pgenc_file_write(PGENC_PRINTK, quiet ? "4" : pgenc_printk_saved);
}

static inline void pgenc_fault_restore(void)
{
	struct pgenc_fault_knob *k;
	size_t i;

	pgenc_fault_quiet(false);
	for (i = ARRAY_SIZE(pgenc_fault_knobs); i-- > 0;) {
		k = &pgenc_fault_knobs[i];
		if (k->changed)
			pgenc_fault_knob_write(k->path, k->saved);
	}
}

/*
 * Skip the test (exit 4) unless the kernel has per-task fault injection
 * with its debugfs knobs; then set the knobs (restored at exit).
 */
static inline void pgenc_fault_setup(void)
{
	static const char *const caps[] = { "failslab", "fail_page_alloc",
					    "fail_usercopy" };
	char path[64], used[64] = "";
	struct pgenc_fault_knob *k;
	size_t i;

	if (access(PGENC_FAIL_NTH, R_OK | W_OK))
		ksft_exit_skip("no " PGENC_FAIL_NTH
			       ": the kernel has no CONFIG_FAULT_INJECTION (use make check-debug)\n");
	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		snprintf(path, sizeof(path), PGENC_FAULT_DEBUGFS "%s", caps[i]);
		if (access(path, F_OK))
			continue;
		snprintf(used + strlen(used), sizeof(used) - strlen(used),
			 "%s%s", *used ? " " : "", caps[i]);
	}
	if (!*used)
		ksft_exit_skip("fail-nth without the debugfs knobs of failslab, fail_page_alloc or fail_usercopy (CONFIG_FAULT_INJECTION_DEBUG_FS, debugfs mounted?): GFP_KERNEL allocations cannot be failed nor the reports silenced\n");

	atexit(pgenc_fault_restore);
	for (i = 0; i < ARRAY_SIZE(pgenc_fault_knobs); i++) {
		k = &pgenc_fault_knobs[i];
		if (!pgenc_fault_knob_read(k->path, k->saved, sizeof(k->saved)))
			continue; /* that capability is not built in */
		TEST_ASSERT(pgenc_fault_knob_write(k->path, k->value),
			    "cannot set %s%s to %s", PGENC_FAULT_DEBUGFS,
			    k->path, k->value);
		k->changed = true;
	}
	pgenc_fault_fd = open(PGENC_FAIL_NTH, O_RDWR);
	TEST_ASSERT(pgenc_fault_fd >= 0, "open " PGENC_FAIL_NTH);
	pgenc_make_it_fail_fd = open("/proc/thread-self/make-it-fail", O_RDWR);
	for (i = 0; i < ARRAY_SIZE(pgenc_fault_alloc_caps); i++) {
		snprintf(path, sizeof(path), "%s/times",
			 pgenc_fault_alloc_caps[i]);
		pgenc_fault_alloc_cap[i] =
			pgenc_make_it_fail_fd >= 0 &&
			!access(pgenc_fault_knob_path(path), W_OK);
	}

	/* The kernel log from now on; without it, the console stays loud. */
	pgenc_kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (pgenc_kmsg_fd >= 0 &&
	    lseek(pgenc_kmsg_fd, 0, SEEK_END) == (off_t)-1) {
		close(pgenc_kmsg_fd);
		pgenc_kmsg_fd = -1;
	}
	if (pgenc_kmsg_fd >= 0) {
		FILE *f = fopen(PGENC_PRINTK, "r");

		if (f &&
		    !fgets(pgenc_printk_saved, sizeof(pgenc_printk_saved), f))
			*pgenc_printk_saved = 0;
		if (f)
			fclose(f);
	}
	ksft_print_msg("fault injection: fail-nth with %s; kernel log %s\n",
		       used,
		       pgenc_kmsg_fd >= 0 ? "checked after each run" :
					    "not readable (the console only)");
}

/*
 * The kernel log since the last call, all of it: NULL if it holds no
 * trouble, else the first line that shows some. *alloc_warnings counts
 * the stock allocation warnings seen (see the top of this file).
 */
static inline const char *pgenc_fault_kmsg_scan(unsigned int *alloc_warnings)
{
	static const char *const bad[] = {
		"Kernel panic", "BUG:",	 "WARNING:", "Oops",
		"Call Trace",	"UBSAN", "KASAN",    "lockdep"
	};
	static char rec[2048], line[600];
	static bool in_alloc;
	const char *found = NULL;
	char *msg;
	ssize_t n;
	size_t i;

	if (pgenc_kmsg_fd < 0)
		return NULL;
	for (;;) {
		n = read(pgenc_kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue; /* records overwritten before we read them */
		if (n <= 0)
			return found;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = 0;
		if (strstr(msg, "vmalloc error:") ||
		    strstr(msg, "page allocation failure:")) {
			in_alloc = true;
			(*alloc_warnings)++;
			continue;
		}
		if (in_alloc) {
			/* Its stack: our code must not warn. */
			if (strstr(msg, "</TASK>")) {
				in_alloc = false;
			} else if (!found && !strstr(msg, " ? ") &&
				   (strstr(msg, "pgenc_") ||
				    strstr(msg, "sevsim_"))) {
				snprintf(line, sizeof(line),
					 "allocation warning from our code, in %.500s",
					 msg);
				found = line;
			}
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(bad) && !found; i++)
			if (strstr(msg, bad[i])) {
				snprintf(line, sizeof(line),
					 "kernel log: %.500s", msg);
				found = line;
			}
	}
}

/* Fail the nth fault point of this thread from now on (0: none). */
static inline void pgenc_fault_arm(unsigned int nth)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", nth);

	if (pwrite(pgenc_fault_fd, buf, len, 0) != len)
		ksft_exit_fail_msg("arming fail-nth: %s\n", strerror(errno));
}

/*
 * Stop injecting; returns what was left of the count at the end of the
 * operation: 0 if the fault was injected. Reading the file is a fault
 * point of its own (the copy_to_user of the answer, after the value was
 * taken): with 1 left, the read fails with EFAULT, so that is 1 left.
 * Writing 0 then disarms: its copy_from_user may take the last count
 * down to 0 and fail instead, which disarms just as well.
 */
static inline unsigned int pgenc_fault_disarm(void)
{
	char buf[16] = { 0 };
	unsigned int left;
	ssize_t n;

	n = pread(pgenc_fault_fd, buf, sizeof(buf) - 1, 0);
	if (n < 0 && errno != EFAULT)
		ksft_exit_fail_msg("reading fail-nth: %s\n", strerror(errno));
	left = n < 0 ? 1 : strtoul(buf, NULL, 10);
	if (pwrite(pgenc_fault_fd, "0", 1, 0) != 1 && errno != EFAULT)
		ksft_exit_fail_msg("disarming fail-nth: %s\n", strerror(errno));
	memset(buf, 0, sizeof(buf));
	n = pread(pgenc_fault_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0 || strtoul(buf, NULL, 10))
		ksft_exit_fail_msg("fail-nth still armed after writing 0\n");
	return left;
}

/* Fault points of the thread in an operation: arm far ahead, count. */
#define PGENC_FAULT_FAR 1000000u

static inline bool pgenc_fault_all_available(void)
{
	return pgenc_fault_alloc_cap[0] || pgenc_fault_alloc_cap[1];
}

static inline void pgenc_fault_make_it_fail(bool on)
{
	if (pwrite(pgenc_make_it_fail_fd, on ? "1" : "0", 1, 0) != 1)
		ksft_exit_fail_msg("make-it-fail: %s\n", strerror(errno));
}

/* From now on every allocation of this thread fails. */
static inline void pgenc_fault_all_arm(void)
{
	char path[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pgenc_fault_alloc_caps); i++) {
		if (!pgenc_fault_alloc_cap[i])
			continue;
		snprintf(path, sizeof(path), "%s/times",
			 pgenc_fault_alloc_caps[i]);
		TEST_ASSERT(pgenc_fault_knob_write(path, "1000000"),
			    "resetting %s", path);
	}
	pgenc_fault_make_it_fail(true);
}

/* Stop; returns how many allocations failed. */
static inline unsigned int pgenc_fault_all_disarm(void)
{
	unsigned int failed = 0;
	char path[64], val[32];
	size_t i;

	pgenc_fault_make_it_fail(false);
	for (i = 0; i < ARRAY_SIZE(pgenc_fault_alloc_caps); i++) {
		if (!pgenc_fault_alloc_cap[i])
			continue;
		snprintf(path, sizeof(path), "%s/times",
			 pgenc_fault_alloc_caps[i]);
		TEST_ASSERT(pgenc_fault_knob_read(path, val, sizeof(val)),
			    "reading %s", path);
		failed += 1000000 - strtoul(val, NULL, 10);
	}
	return failed;
}

/* What a sweep saw. */
struct pgenc_fault_stats {
	unsigned int injected; /* runs whose fault was injected */
	unsigned int failed; /* of those, runs that returned an error */
	unsigned int enomem, efault;
	unsigned int alloc_warnings; /* stock code's, tolerated */
	bool all_run; /* the every-allocation run happened: */
	unsigned int all_failed; /* allocations it failed */
	int all_r; /* and what the operation returned */
};

/*
 * One operation under a sweep. run() is the operation itself: it must
 * neither allocate in userspace nor touch memory it has not touched
 * before (a page fault of the test would take the injected fault), and
 * returns 0 or -errno. check() runs after each run, outside the window:
 * it gets run()'s result and whether the fault was injected, and returns
 * NULL when all is well, else what is wrong. setup() and teardown() (may
 * be NULL) bracket each run, e.g. to make a fresh VM.
 */
struct pgenc_fault_op {
	const char *name;
	void (*setup)(void *ctx);
	int (*run)(void *ctx);
	const char *(*check)(void *ctx, int r, bool injected);
	void (*teardown)(void *ctx);
};

/* nth 0: no fault; PGENC_FAULT_ALL: every allocation fails. */
#define PGENC_FAULT_ALL (~0u)

static inline const char *pgenc_fault_once(const struct pgenc_fault_op *op,
					   void *ctx, unsigned int nth,
					   bool *injected, int *r,
					   struct pgenc_fault_stats *st)
{
	const char *why, *log;

	if (op->setup)
		op->setup(ctx);
	if (nth == PGENC_FAULT_ALL) {
		pgenc_fault_all_arm();
		*r = op->run(ctx);
		st->all_failed = pgenc_fault_all_disarm();
		st->all_r = *r;
		st->all_run = true;
		*injected = st->all_failed;
	} else {
		if (nth)
			pgenc_fault_arm(nth);
		*r = op->run(ctx);
		*injected = nth && !pgenc_fault_disarm();
	}
	if (!*injected && *r)
		why = "failed without an injected fault";
	else if (*r && *r != -ENOMEM && *r != -EFAULT)
		why = "an error other than ENOMEM or EFAULT";
	else
		why = op->check(ctx, *r, *injected);
	if (op->teardown)
		op->teardown(ctx);
	log = pgenc_fault_kmsg_scan(&st->alloc_warnings);
	return why ? why : log;
}

/*
 * Run op once without a fault (it must succeed: this also maps every page
 * the run touches), then with fail-nth = 1, 2, ... until a run does not
 * reach its nth fault point, then once with every allocation failing.
 * Prints the first problem and returns false.
 */
static inline bool pgenc_fault_sweep(const struct pgenc_fault_op *op, void *ctx,
				     struct pgenc_fault_stats *st)
{
	unsigned int nth;
	const char *why;
	bool injected;
	int r;

	memset(st, 0, sizeof(*st));
	pgenc_fault_kmsg_scan(&st->alloc_warnings);
	st->alloc_warnings = 0;
	pgenc_fault_quiet(true);
	for (nth = 0; nth <= PGENC_FAULT_MAX_NTH; nth++) {
		why = pgenc_fault_once(op, ctx, nth, &injected, &r, st);
		if (why) {
			pgenc_fault_quiet(false);
			ksft_print_msg("%s: fail-nth %u%s: %s (returned %d, %s)\n",
				       op->name, nth,
				       injected ? " (injected)" : "", why, r,
				       r ? strerror(-r) : "success");
			return false;
		}
		if (nth && !injected)
			break;
		if (!injected)
			continue;
		st->injected++;
		st->failed += !!r;
		st->enomem += r == -ENOMEM;
		st->efault += r == -EFAULT;
	}
	if (nth > PGENC_FAULT_MAX_NTH) {
		pgenc_fault_quiet(false);
		ksft_print_msg("%s: still injecting at fail-nth %u: runaway\n",
			       op->name, PGENC_FAULT_MAX_NTH);
		return false;
	}
	if (pgenc_fault_all_available()) {
		why = pgenc_fault_once(op, ctx, PGENC_FAULT_ALL, &injected, &r,
				       st);
		if (why) {
			pgenc_fault_quiet(false);
			ksft_print_msg("%s: every allocation failing (%u failed): %s (returned %d, %s)\n",
				       op->name, st->all_failed, why, r,
				       r ? strerror(-r) : "success");
			return false;
		}
	}
	pgenc_fault_quiet(false);
	return true;
}

#endif /* PGENC_FAULT_H */
