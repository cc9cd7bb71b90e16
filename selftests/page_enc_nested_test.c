// SPDX-License-Identifier: GPL-2.0-only
/*
 * page_enc_nested_test: hypercall 12 from a nested (L2) guest, which L1
 * runs without intercepting VMMCALL, so that the call could reach our
 * kvm.ko as if it were L1's, with an address of L2's. It must change no
 * bit of L1's bitmap and never count as L1's call; where the kernel
 * delivers it, L2 gets -KVM_EPERM. Not on 6.1, where L2 spins, nor on
 * 6.12, where KVM gives L2 a #UD (Documentation/api.rst, "Nested
 * guests"). L1's own call works.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/time.h>

#include "pgenc_util.h"
#include "svm_util.h"

#define L2_STACK 256
/* Pages L1 and L2 report shared, both in slot 0 (identity mapped). */
#define L1_GPA 0x100000ULL
#define L2_GPA 0x101000ULL

/* What L1 reports when L2's VMMCALL raised #UD in L2 (6.12). */
#define L2_GOT_UD 0x5544ULL

static volatile uint64_t l2_ret;
static volatile bool l2_ud;

/* L2's #UD: skip the 3-byte VMMCALL and go on to the HLT. */
static void l2_ud_handler(struct ex_regs *regs)
{
	l2_ud = true;
	regs->rip += 3;
}

static void l2_guest_code(void)
{
	l2_ret = pgenc_guest_hc(L2_GPA, 1, 0x00);
	/* Back to L1: the one exit L1 intercepts. */
	__asm__ __volatile__("hlt");
}

static void l1_guest_code(struct svm_test_data *svm)
{
	unsigned long l2_stack[L2_STACK];
	struct vmcb *vmcb = svm->vmcb;

	GUEST_SYNC(pgenc_guest_hc(L1_GPA, 1, 0x00));
	l2_ret = ~0ULL;
	generic_svm_setup(svm, l2_guest_code, &l2_stack[L2_STACK]);
	vmcb->control.intercept &= ~(1ULL << INTERCEPT_VMMCALL);
	vmcb->control.intercept |= 1ULL << INTERCEPT_HLT;
	run_guest(vmcb, svm->vmcb_gpa);
	GUEST_ASSERT(vmcb->control.exit_code == SVM_EXIT_HLT);
	GUEST_SYNC(l2_ud ? L2_GOT_UD : l2_ret);
	GUEST_DONE();
}

/*
 * KVM_RUN until the next ucall, or until a signal interrupts it (-1):
 * the library's vcpu_run() would retry on EINTR.
 */
static int64_t run_to_sync(struct kvm_vcpu *vcpu, uint64_t *val)
{
	struct ucall uc;

	if (ioctl(vcpu->fd, KVM_RUN, NULL)) {
		TEST_ASSERT(errno == EINTR, "KVM_RUN: %s", strerror(errno));
		return -1;
	}
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	case UCALL_SYNC:
		*val = uc.args[1];
		return 0;
	default:
		TEST_FAIL("unexpected exit %s, ucall %lu",
			  exit_reason_str(vcpu->run->exit_reason), uc.cmd);
	}
	return -1;
}

/* The bit of gfn: 1 encrypted, 0 shared. */
static int bit(struct kvm_vm *vm, uint64_t gfn)
{
	uint8_t b = 0;

	TEST_ASSERT(!pgenc_get(vm, gfn, 1, &b), "GET");
	return b & 1;
}

static void on_alarm(int sig)
{
	(void)sig;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval t = { .it_value = { .tv_sec = 3 } };
	long long calls, errors;
	struct kvm_vcpu *vcpu;
	vm_vaddr_t svm_gva;
	uint64_t l1 = ~0ULL, l2 = ~0ULL;
	struct kvm_vm *vm;
	bool delivered;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	pgenc_require();
	TEST_REQUIRE(kvm_cpu_has(X86_FEATURE_SVM));
	ksft_set_plan(3);

	vm = vm_create_with_one_vcpu(&vcpu, l1_guest_code);
	/* L2 runs on L1's IDT (generic_svm_setup()). */
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_exception_handler(vm, UD_VECTOR, l2_ud_handler);
	vcpu_alloc_svm(vm, &svm_gva);
	vcpu_args_set(vcpu, 1, svm_gva);
	pgenc_enable(vm);

	TEST_ASSERT(!run_to_sync(vcpu, &l1), "L1's hypercall");
	calls = pgenc_stat(vm, "hypercalls");
	errors = pgenc_stat(vm, "hypercall_errors");
	ksft_test_result(l1 == 0 && calls == 1 &&
				 bit(vm, L1_GPA / PGENC_PAGE) == 0,
			 "L1's hypercall 12 returns 0 and marks its page shared (%ld)\n",
			 (long)l1);

	/* No SA_RESTART: the alarm ends a KVM_RUN that L2 never leaves. */
	TEST_ASSERT(!sigaction(SIGALRM, &sa, NULL), "sigaction");
	TEST_ASSERT(!setitimer(ITIMER_REAL, &t, NULL), "setitimer");
	delivered = !run_to_sync(vcpu, &l2);
	if (!delivered)
		ksft_print_msg("L2's VMMCALL did not return in 3 s (6.1: #UD re-executed, never a hypercall)\n");
	ksft_test_result(!delivered || l2 == (uint64_t)-KVM_EPERM ||
				 l2 == L2_GOT_UD,
			 "L2's hypercall 12 (VMMCALL not intercepted by L1): %s (%ld)\n",
			 !delivered	 ? "never returned" :
			 l2 == L2_GOT_UD ? "#UD in L2" :
					   "returned",
			 (long)l2);
	ksft_test_result(bit(vm, L2_GPA / PGENC_PAGE) == 1 &&
				 bit(vm, L1_GPA / PGENC_PAGE) == 0 &&
				 pgenc_stat(vm, "hypercalls") == calls &&
				 pgenc_stat(vm, "hypercall_errors") == errors,
			 "L2's hypercall 12 changes no bit of L1's bitmap and does not count as L1's\n");
	kvm_vm_free(vm);
	ksft_finished();
}
