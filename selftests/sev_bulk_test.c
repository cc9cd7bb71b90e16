// SPDX-License-Identifier: GPL-2.0-only
/*
 * sev_bulk_test: sevsim commands over many physically contiguous pages,
 * which sev.c merges into one firmware command (Documentation/sevsim.rst,
 * "Locking"). A 2 MiB hugetlb page launches as one LAUNCH_UPDATE_DATA
 * whose ciphertext and launch digest OpenSSL recomputes across all its
 * pages. Where the kernel has a free 1 GiB hugetlb page (the debug lane
 * boots with one), a 1 GiB LAUNCH_UPDATE_DATA runs with the soft-lockup
 * detector on at a short threshold: the command must reschedule between
 * pages, so no soft lockup may be reported while it runs.
 */
#define _GNU_SOURCE
#include <sys/klog.h>
#include <sys/mman.h>
#include <time.h>
#include <openssl/sha.h>

#include "sev_crypto.h"

#define HUGE_2M (2ULL << 20)
#define HUGE_1G (1ULL << 30)
#define HUGE_1G_FREE \
	"/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages"
#define HUGE_2M_FREE "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
#define HUGE_2M_NR "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
/*
 * Soft lockups are reported after 2 * watchdog_thresh seconds: 20 s,
 * well inside the command's run time under TCG, and longer than most
 * jumps of the guest's clock on a busy host, which the detector would
 * also report.
 */
#define WATCHDOG_THRESH "10"

#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30 << 26)
#endif

static void guest_code(void)
{
	GUEST_DONE();
}

static long read_long(const char *path)
{
	long v = -1;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static bool write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fputs(s, f) >= 0;
	return !fclose(f) && ok;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* How many soft-lockup reports the kernel log holds. */
static int soft_lockups(void)
{
	static char buf[1 << 20];
	int n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), count = 0;
	char *p;

	TEST_ASSERT(n > 0, "klogctl size");
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, n);
	TEST_ASSERT(n >= 0, "klogctl read");
	buf[n] = 0;
	for (p = buf; (p = strstr(p, "soft lockup")); p++)
		count++;
	return count;
}

static int launch_range(struct sev_vm *s, void *va, uint64_t len, uint32_t *fw)
{
	struct kvm_sev_launch_update_data upd = {
		.uaddr = (uint64_t)(uintptr_t)va,
		.len = len,
	};

	return sev_cmd(s, KVM_SEV_LAUNCH_UPDATE_DATA, &upd, fw);
}

/* A VM in LUPDATE, for launches of memory outside its memslots. */
static void launch_vm(struct sev_vm *s, int sev_fd)
{
	uint32_t fw = 0;

	TEST_ASSERT(!sev_vm_create(s, sev_fd, false, guest_code, 1, &fw),
		    "KVM_SEV_INIT: fw %u", fw);
	TEST_ASSERT(!sev_launch_start(s, 0, 0, &fw), "LAUNCH_START: fw %u", fw);
}

static void test_2m(int sev_fd)
{
	uint8_t *huge, *plain, ld[32], want[32], blob[48];
	uint32_t fw = 0, len = sizeof(blob);
	struct sev_vm s;
	double t;
	int r;

	if (read_long(HUGE_2M_FREE) < 1)
		write_str(HUGE_2M_NR, "1\n");
	huge = mmap(NULL, HUGE_2M, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (huge == MAP_FAILED) {
		ksft_test_result_skip("2 MiB launch: no 2 MiB hugetlb page\n");
		ksft_test_result_skip("2 MiB launch: digest\n");
		return;
	}
	plain = malloc(HUGE_2M);
	TEST_ASSERT(plain, "malloc");
	sev_fill_pattern(huge, HUGE_2M / PGENC_PAGE);
	memcpy(plain, huge, HUGE_2M);
	TEST_ASSERT(host_pa(huge + HUGE_2M - PGENC_PAGE) ==
			    host_pa(huge) + HUGE_2M - PGENC_PAGE,
		    "a hugetlb page is physically contiguous");

	launch_vm(&s, sev_fd);
	t = now();
	r = launch_range(&s, huge, HUGE_2M, &fw);
	t = now() - t;
	ksft_print_msg("2 MiB LAUNCH_UPDATE_DATA: %.2f s\n", t);
	ksft_test_result(!r && ciphertext_matches(s.handle, huge, plain,
						  HUGE_2M),
			 "2 MiB contiguous LAUNCH_UPDATE_DATA: ciphertext of its 512 pages recomputed (%d, fw %u)\n",
			 r, fw);

	r = sev_launch_measure(&s, blob, &len, &fw);
	read_hex(s.handle, "launch_digest", ld, sizeof(ld));
	SHA256(plain, HUGE_2M, want);
	ksft_test_result(!r && !memcmp(ld, want, sizeof(ld)),
			 "2 MiB contiguous LAUNCH_UPDATE_DATA: launch digest is SHA-256 of its plaintext\n");
	sev_vm_free(&s);
	free(plain);
	munmap(huge, HUGE_2M);
}

static void test_1g(int sev_fd)
{
	uint8_t *huge, plain[2][PGENC_PAGE];
	int lockups, r = -1;
	uint32_t fw = 0;
	char old[24];
	long thresh;
	struct sev_vm s;
	bool watchdog;
	double t;

	huge = read_long(HUGE_1G_FREE) < 1 ?
		       MAP_FAILED :
		       mmap(NULL, HUGE_1G, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
				    MAP_HUGE_1GB,
			    -1, 0);
	if (huge == MAP_FAILED) {
		ksft_test_result_skip("1 GiB launch: no free 1 GiB hugetlb page (the debug lane has one)\n");
		ksft_test_result_skip("1 GiB launch: soft lockups\n");
		return;
	}
	/* The first and last pages are checked; the rest is zeros. */
	sev_fill_pattern(huge, 1);
	sev_fill_pattern(huge + HUGE_1G - PGENC_PAGE, 1);
	memcpy(plain[0], huge, PGENC_PAGE);
	memcpy(plain[1], huge + HUGE_1G - PGENC_PAGE, PGENC_PAGE);
	TEST_ASSERT(host_pa(huge + HUGE_1G - PGENC_PAGE) ==
			    host_pa(huge) + HUGE_1G - PGENC_PAGE,
		    "a hugetlb page is physically contiguous");

	launch_vm(&s, sev_fd);
	/* run.sh boots with nosoftlockup: on for this command only. */
	thresh = read_long("/proc/sys/kernel/watchdog_thresh");
	watchdog = write_str("/proc/sys/kernel/watchdog_thresh",
			     WATCHDOG_THRESH "\n") &&
		   write_str("/proc/sys/kernel/soft_watchdog", "1\n");
	lockups = soft_lockups();
	t = now();
	if (watchdog)
		r = launch_range(&s, huge, HUGE_1G, &fw);
	t = now() - t;
	write_str("/proc/sys/kernel/soft_watchdog", "0\n");
	if (thresh > 0) {
		snprintf(old, sizeof(old), "%ld\n", thresh);
		write_str("/proc/sys/kernel/watchdog_thresh", old);
	}
	lockups = soft_lockups() - lockups;
	ksft_print_msg("1 GiB LAUNCH_UPDATE_DATA: %.1f s\n", t);
	ksft_test_result(!r &&
				 ciphertext_matches(s.handle, huge, plain[0],
						    PGENC_PAGE) &&
				 ciphertext_matches(s.handle,
						    huge + HUGE_1G - PGENC_PAGE,
						    plain[1], PGENC_PAGE),
			 "1 GiB contiguous LAUNCH_UPDATE_DATA: first and last pages' ciphertext recomputed (%d, fw %u)\n",
			 r, fw);
	ksft_test_result(watchdog && !lockups,
			 "1 GiB contiguous LAUNCH_UPDATE_DATA: no soft lockup (watchdog_thresh " WATCHDOG_THRESH
			 ", %d reports)\n",
			 lockups);
	sev_vm_free(&s);
	munmap(huge, HUGE_1G);
}

int main(void)
{
	int sev_fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	pgenc_require();
	sev_fd = sevsim_fd();
	ksft_set_plan(2 + 2);

	test_2m(sev_fd);
	test_1g(sev_fd);
	close(sev_fd);
	ksft_finished();
}
