// SPDX-License-Identifier: GPL-2.0-only
/*
 * sev_es_run_test: sevsim launches SEV-ES guests but cannot run them
 * (Documentation/sevsim.rst, "SEV-ES"). KVM_RUN of a vCPU of a
 * KVM_SEV_ES_INIT VM fails with EOPNOTSUPP before the guest runs, before
 * and after LAUNCH_UPDATE_VMSA, so the guest's XSETBV cannot reach the
 * host's XCR0; freeing the launched vCPU writes no MSR_AMD64_VM_PAGE_FLUSH,
 * which a CPU without SEV lacks (seen through the msr:write_msr
 * tracepoint; the VM's verdict fails on the WARN a faulting write gives).
 * An SEV (not ES) guest running the same code is the control: it runs,
 * and KVM gives the host its XCR0 back.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/mount.h>

#include "sev_util.h"

#define XFEATURE_SSE (1ull << 1)
#define XFEATURE_AVX (1ull << 2)
#define XFEATURE_AVX512 (7ull << 5)
#define XFEATURE_PKRU (1ull << 9)

static uint64_t guest_xcr0;
static uint64_t guest_ran;

static inline uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

/* What an SEV-ES guest must not do to its host: change XCR0. */
static void guest_code(void)
{
	uint64_t v = guest_xcr0;

	guest_ran = 1;
	set_cr4(get_cr4() | X86_CR4_OSXSAVE);
	asm volatile("xsetbv" ::"a"((uint32_t)v), "d"((uint32_t)(v >> 32)),
		     "c"(0)
		     : "memory");
	GUEST_DONE();
}

/*
 * A valid XCR0 other than the host's, changing as little as possible
 * (the test process keeps running with it if the guest gets through).
 */
static uint64_t other_xcr0(uint64_t host)
{
	if (host & XFEATURE_PKRU)
		return host & ~XFEATURE_PKRU;
	if (host & XFEATURE_AVX)
		return host & ~(XFEATURE_AVX | XFEATURE_AVX512);
	return host & ~XFEATURE_SSE;
}

/* The msr:write_msr tracepoint, filtered on VM_PAGE_FLUSH. */
static const char *const tracing_dirs[] = { "/sys/kernel/tracing",
					    "/sys/kernel/debug/tracing" };
static char tracing[64];

static bool tracing_write(const char *file, const char *s)
{
	char path[160];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", tracing, file);
	f = fopen(path, "w");
	if (!f)
		return false;
	ok = fputs(s, f) >= 0;
	return !fclose(f) && ok;
}

static bool trace_flush_start(void)
{
	char filter[40], path[160];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tracing_dirs) && !tracing[0]; i++) {
		snprintf(path, sizeof(path), "%s/events/msr/write_msr",
			 tracing_dirs[i]);
		if (!access(path, W_OK))
			snprintf(tracing, sizeof(tracing), "%s",
				 tracing_dirs[i]);
	}
	if (!tracing[0] &&
	    !mount("tracefs", tracing_dirs[0], "tracefs", 0, NULL)) {
		snprintf(path, sizeof(path), "%s/events/msr/write_msr",
			 tracing_dirs[0]);
		if (!access(path, W_OK))
			snprintf(tracing, sizeof(tracing), "%s",
				 tracing_dirs[0]);
	}
	if (!tracing[0])
		return false;
	snprintf(filter, sizeof(filter), "msr == %#x\n",
		 MSR_AMD64_VM_PAGE_FLUSH);
	return tracing_write("events/msr/write_msr/filter", filter) &&
	       tracing_write("trace", "") &&
	       tracing_write("events/msr/write_msr/enable", "1\n");
}

/* The VM_PAGE_FLUSH writes traced since trace_flush_start(). */
static int trace_flush_stop(void)
{
	char path[160], line[256];
	int n = 0;
	FILE *f;

	tracing_write("events/msr/write_msr/enable", "0\n");
	snprintf(path, sizeof(path), "%s/trace", tracing);
	f = fopen(path, "r");
	TEST_ASSERT(f, "open %s", path);
	while (fgets(line, sizeof(line), f))
		if (line[0] != '#' && strstr(line, "write_msr"))
			n++;
	fclose(f);
	tracing_write("events/msr/write_msr/filter", "0\n");
	return n;
}

static int vcpu_run_errno(struct kvm_vcpu *vcpu)
{
	return ioctl(vcpu->fd, KVM_RUN, NULL) ? errno : 0;
}

static void test_es(int sev_fd, uint64_t host)
{
	uint32_t fw = 0, policy = SEV_POLICY_ES;
	bool traced;
	struct sev_vm s;
	int e, r, flushes;

	TEST_ASSERT(!sev_vm_create(&s, sev_fd, true, guest_code, 1, &fw),
		    "KVM_SEV_ES_INIT: fw %u", fw);
	guest_xcr0 = other_xcr0(host);
	sync_global_to_guest(s.vm, guest_xcr0);

	e = vcpu_run_errno(s.vcpu);
	sync_global_from_guest(s.vm, guest_ran);
	ksft_test_result(e == EOPNOTSUPP && !guest_ran,
			 "SEV-ES, not launched: KVM_RUN fails with EOPNOTSUPP, the guest never ran (errno %d, ran %lu)\n",
			 e, guest_ran);
	ksft_test_result(xgetbv0() == host,
			 "SEV-ES, not launched: the host's XCR0 is unchanged (%#lx, was %#lx)\n",
			 xgetbv0(), host);

	r = sev_launch_start(&s, policy, 0, &fw);
	r = r ?: sev_launch_update(&s, 0, PGENC_PAGE, &fw);
	r = r ?: sev_cmd(&s, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, &fw);
	TEST_ASSERT(!r, "SEV-ES launch: %d, fw %u", r, fw);
	e = vcpu_run_errno(s.vcpu);
	sync_global_from_guest(s.vm, guest_ran);
	ksft_test_result(e == EOPNOTSUPP && !guest_ran && xgetbv0() == host,
			 "SEV-ES, VMSA launched: KVM_RUN fails with EOPNOTSUPP, the guest never ran, host XCR0 unchanged (errno %d)\n",
			 e);

	traced = trace_flush_start();
	sev_vm_free(&s);
	if (!traced) {
		ksft_test_result_skip("freeing the launched SEV-ES vCPU: no msr:write_msr tracepoint to watch VM_PAGE_FLUSH\n");
		return;
	}
	flushes = trace_flush_stop();
	ksft_test_result(!flushes,
			 "freeing the launched SEV-ES vCPU writes no MSR_AMD64_VM_PAGE_FLUSH (%d writes)\n",
			 flushes);
}

/* The control: an SEV guest's XSETBV is KVM's to handle. */
static void test_sev(int sev_fd, uint64_t host)
{
	struct sev_vm s;
	struct ucall uc;
	uint32_t fw = 0;

	TEST_ASSERT(!sev_vm_create(&s, sev_fd, false, guest_code, 1, &fw),
		    "KVM_SEV_INIT: fw %u", fw);
	guest_xcr0 = other_xcr0(host);
	sync_global_to_guest(s.vm, guest_xcr0);
	vcpu_run(s.vcpu);
	sync_global_from_guest(s.vm, guest_ran);
	ksft_test_result(get_ucall(s.vcpu, &uc) == UCALL_DONE && guest_ran &&
				 xgetbv0() == host,
			 "SEV (control): the guest runs its XSETBV, the host's XCR0 is restored (%#lx)\n",
			 xgetbv0());
	guest_ran = 0;
	sev_vm_free(&s);
}

int main(void)
{
	cpu_set_t cpus;
	uint64_t host;
	int sev_fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	pgenc_require();
	sev_fd = sevsim_fd();
	ksft_set_plan(4 + 1);

	/* XCR0 is per CPU: the vCPU and every xgetbv here run on one. */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(cpus), &cpus), "pin");
	host = xgetbv0();
	ksft_print_msg("host XCR0 %#lx, the guest writes %#lx\n", host,
		       other_xcr0(host));

	test_es(sev_fd, host);
	test_sev(sev_fd, host);
	close(sev_fd);
	ksft_finished();
}
