// SPDX-License-Identifier: GPL-2.0-only
/*
 * smoke_test: proves the test VM and the selftest build work end to end:
 * one VM, one vCPU, ucalls in both directions, and the stock hypercall
 * path answering an unknown hypercall number with -KVM_ENOSYS.
 *
 * Exit: 0 pass, 4 (KSFT_SKIP) without /dev/kvm, anything else = failure.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/kvm_para.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "pgenc_compat.h"

/* Not a hypercall any KVM (stock or ours) implements. */
#define UNKNOWN_HC_NR 0x7e57f00dULL

#define STAGE_HELLO 1
#define STAGE_VMMCALL 2
#define STAGE_VMCALL 3

static uint64_t amd_hypercall(uint64_t nr, uint64_t a0, uint64_t a1,
			      uint64_t a2, uint64_t a3)
{
	uint64_t ret;

	/* AMD's instruction, which kvm_amd handles directly. */
	asm volatile("vmmcall"
		     : "=a"(ret)
		     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
		     : "memory");
	return ret;
}

static void guest_code(void)
{
	GUEST_SYNC(STAGE_HELLO);
	GUEST_SYNC_ARGS(STAGE_VMMCALL, amd_hypercall(UNKNOWN_HC_NR, 1, 2, 3, 4),
			0, 0, 0);
	/*
	 * The library's kvm_hypercall() uses Intel's vmcall: on AMD it traps
	 * as #UD and KVM's emulator turns it into a hypercall (and patches
	 * it), so this covers the emulated path too.
	 */
	GUEST_SYNC_ARGS(STAGE_VMCALL, kvm_hypercall(UNKNOWN_HC_NR, 1, 2, 3, 4),
			0, 0, 0);
	GUEST_DONE();
}

/* Run until the next ucall; returns its command, filling *uc. */
static uint64_t run_to_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	uint64_t cmd;

	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO,
		    "unexpected exit reason %u (%s)", vcpu->run->exit_reason,
		    exit_reason_str(vcpu->run->exit_reason));
	cmd = get_ucall(vcpu, uc);
	if (cmd == UCALL_ABORT)
		REPORT_GUEST_ASSERT_2(*uc, "values: %#lx, %#lx");
	return cmd;
}

static void expect_sync(struct kvm_vcpu *vcpu, struct ucall *uc, uint64_t stage)
{
	uint64_t cmd = run_to_ucall(vcpu, uc);

	TEST_ASSERT(cmd == UCALL_SYNC && uc->args[1] == stage,
		    "expected UCALL_SYNC stage %lu, got cmd %lu arg %lu", stage,
		    cmd, uc->args[1]);
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	uint64_t ret;

	ksft_print_header();
	if (access("/dev/kvm", R_OK | W_OK))
		ksft_exit_skip("/dev/kvm not usable (kvm module not loaded?)\n");
	ksft_set_plan(4);

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);

	expect_sync(vcpu, &uc, STAGE_HELLO);
	ksft_test_result_pass("guest ucall SYNC reaches the host\n");

	expect_sync(vcpu, &uc, STAGE_VMMCALL);
	ret = uc.args[2];
	if (ret == (uint64_t)-KVM_ENOSYS)
		ksft_test_result_pass("vmmcall of unknown nr returns -KVM_ENOSYS\n");
	else
		ksft_test_result_fail("vmmcall of unknown nr returned %ld, want %d\n",
				      (long)ret, -KVM_ENOSYS);

	expect_sync(vcpu, &uc, STAGE_VMCALL);
	ret = uc.args[2];
	if (ret == (uint64_t)-KVM_ENOSYS)
		ksft_test_result_pass("vmcall (emulated) of unknown nr returns -KVM_ENOSYS\n");
	else
		ksft_test_result_fail("vmcall of unknown nr returned %ld, want %d\n",
				      (long)ret, -KVM_ENOSYS);

	ret = run_to_ucall(vcpu, &uc);
	if (ret == UCALL_DONE)
		ksft_test_result_pass("guest reaches GUEST_DONE\n");
	else
		ksft_test_result_fail("expected UCALL_DONE, got %lu\n", ret);

	kvm_vm_free(vm);
	ksft_finished();
}
