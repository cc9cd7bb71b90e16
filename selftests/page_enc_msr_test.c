// SPDX-License-Identifier: GPL-2.0-only
/*
 * page_enc_msr_test: KVM_GET_SUPPORTED_CPUID reports
 * KVM_FEATURE_MIGRATION_CONTROL, and MSR_KVM_MIGRATION_CONTROL is one
 * value per VM when tracking is on (any vCPU writes, all read it; the
 * reserved bits #GP) and unknown to the guest, as in stock KVM, when it
 * is off; the host then reads 0 and may write 0, as for a listed MSR.
 * With KVM_CAP_ENFORCE_PV_FEATURE_CPUID the vCPU must also have the CPUID
 * bit: without it guest accesses on that vCPU #GP, and host accesses get
 * what MSR_KVM_POLL_CONTROL without its bit gets (6.1 refuses them, 6.12
 * reads 0 and takes only 0), and nothing lands.
 * KVM_GET_MSR_INDEX_LIST lists the MSR, and an MSR filter denying it
 * applies to guest accesses exactly as to MSR_KVM_POLL_CONTROL.
 */
#define _GNU_SOURCE
#include "pgenc_util.h"

#define STAGE_WROTE 1
#define STAGE_READ 2
#define STAGE_FILTERED 3

static void guest_writer(void)
{
	uint8_t set =
		wrmsr_safe(MSR_KVM_MIGRATION_CONTROL, KVM_MIGRATION_READY);
	uint8_t reserved = wrmsr_safe(MSR_KVM_MIGRATION_CONTROL, 2);
	uint64_t v = ~0ULL;
	uint8_t get = rdmsr_safe(MSR_KVM_MIGRATION_CONTROL, &v);

	GUEST_SYNC_ARGS(STAGE_WROTE, set, reserved, get, v);
	GUEST_DONE();
}

static void guest_reader(void)
{
	uint64_t v = ~0ULL;
	uint8_t vec = rdmsr_safe(MSR_KVM_MIGRATION_CONTROL, &v);

	GUEST_SYNC_ARGS(STAGE_READ, vec, v, 0, 0);
	GUEST_DONE();
}

static void guest_code(uint64_t reader)
{
	if (reader)
		guest_reader();
	else
		guest_writer();
}

static struct kvm_vm *make_vm(bool track, struct kvm_vcpu **w,
			      struct kvm_vcpu **r)
{
	struct kvm_vcpu *vcpus[2];
	struct kvm_vm *vm = vm_create_with_vcpus(2, guest_code, vcpus);

	if (track)
		pgenc_enable(vm);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpus[0]);
	vcpu_init_descriptor_tables(vcpus[1]);
	vcpu_args_set(vcpus[0], 1, 0);
	vcpu_args_set(vcpus[1], 1, 1);
	*w = vcpus[0];
	*r = vcpus[1];
	return vm;
}

static struct ucall run_to_sync(struct kvm_vcpu *vcpu, uint64_t stage)
{
	struct ucall uc;

	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[1] == stage,
		    "expected SYNC %lu", stage);
	return uc;
}

/* KVM_GET_MSRS/KVM_SET_MSRS of one MSR; returns how many went through. */
static int host_msr_of(struct kvm_vcpu *vcpu, unsigned long cmd, uint32_t index,
		       uint64_t *v)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = index, .e.data = *v };
	int n = ioctl(vcpu->fd, cmd, &m);

	*v = m.e.data;
	return n;
}

static int host_msr(struct kvm_vcpu *vcpu, unsigned long cmd, uint64_t *v)
{
	return host_msr_of(vcpu, cmd, MSR_KVM_MIGRATION_CONTROL, v);
}

static void test_tracked(void)
{
	struct kvm_vcpu *w, *r;
	struct kvm_vm *vm = make_vm(true, &w, &r);
	struct ucall uc;
	uint64_t v = 0;

	uc = run_to_sync(w, STAGE_WROTE);
	ksft_test_result(uc.args[2] == 0 && uc.args[3] == GP_VECTOR &&
				 uc.args[4] == 0 && uc.args[5] == 1,
			 "guest writes 1 (vector %lu), a reserved bit #GPs (%lu), reads back 1 (vector %lu, value %lu)\n",
			 uc.args[2], uc.args[3], uc.args[4], uc.args[5]);

	uc = run_to_sync(r, STAGE_READ);
	ksft_test_result(uc.args[2] == 0 && uc.args[3] == 1,
			 "another vCPU reads the VM's value 1\n");

	ksft_test_result(host_msr(r, KVM_GET_MSRS, &v) == 1 && v == 1,
			 "KVM_GET_MSRS on another vCPU: 1\n");

	v = 4;
	ksft_test_result(host_msr(w, KVM_SET_MSRS, &v) == 0,
			 "KVM_SET_MSRS with a reserved bit is refused\n");
	v = 0;
	ksft_test_result(host_msr(w, KVM_SET_MSRS, &v) == 1 &&
				 host_msr(r, KVM_GET_MSRS, &v) == 1 && v == 0,
			 "KVM_SET_MSRS 0 on one vCPU is seen on the other\n");
	kvm_vm_free(vm);
}

static void test_untracked(void)
{
	struct kvm_vcpu *w, *r;
	struct kvm_vm *vm = make_vm(false, &w, &r);
	struct ucall uc;
	uint64_t v = 0;

	int get, set0, set1;

	uc = run_to_sync(w, STAGE_WROTE);
	ksft_test_result(uc.args[2] == GP_VECTOR && uc.args[4] == GP_VECTOR,
			 "untracked VM: the MSR is unknown to the guest (#GP %lu, %lu)\n",
			 uc.args[2], uc.args[4]);

	/* Listed by KVM_GET_MSR_INDEX_LIST, so the host can save/restore it. */
	v = ~0ULL;
	get = host_msr(r, KVM_GET_MSRS, &v);
	set0 = host_msr(w, KVM_SET_MSRS, &(uint64_t){ 0 });
	set1 = host_msr(w, KVM_SET_MSRS, &(uint64_t){ 1 });
	ksft_test_result(get == 1 && v == 0 && set0 == 1 && set1 == 0,
			 "untracked VM: KVM_GET_MSRS reads 0 (%d MSRs, %lu), KVM_SET_MSRS takes 0 (%d) and refuses 1 (%d)\n",
			 get, v, set0, set1);
	kvm_vm_free(vm);
}

/*
 * Enforced PV CPUID on the writer vCPU, with or without bit 17 in its
 * CPUID; the reader vCPU enforces nothing and sees what landed.
 */
static void test_enforced(bool has_bit)
{
	struct kvm_vcpu *w, *r;
	struct kvm_vm *vm = make_vm(true, &w, &r);
	uint64_t v = ~0ULL, cv = ~0ULL, seen = ~0ULL;
	int get, set1, cget, cset1;
	struct ucall uc;

	vcpu_enable_cap(w, KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 1);
	if (!has_bit) {
		vcpu_clear_cpuid_feature(w, X86_FEATURE_KVM_MIGRATION_CONTROL);
		/* The control: a PV MSR of KVM's own, also without its bit. */
		vcpu_clear_cpuid_feature(w, X86_FEATURE_KVM_POLL_CONTROL);
	}
	uc = run_to_sync(w, STAGE_WROTE);
	if (has_bit) {
		ksft_test_result(uc.args[2] == 0 && uc.args[3] == GP_VECTOR &&
					 uc.args[4] == 0 && uc.args[5] == 1,
				 "enforced PV CPUID with bit 17: the guest writes and reads 1, reserved bit #GPs\n");
		kvm_vm_free(vm);
		return;
	}
	get = host_msr(w, KVM_GET_MSRS, &v);
	set1 = host_msr(w, KVM_SET_MSRS, &(uint64_t){ 1 });
	cget = host_msr_of(w, KVM_GET_MSRS, MSR_KVM_POLL_CONTROL, &cv);
	cset1 = host_msr_of(w, KVM_SET_MSRS, MSR_KVM_POLL_CONTROL,
			    &(uint64_t){ 1 });
	/* Neither the guest's nor the host's write may have landed. */
	ksft_test_result(uc.args[2] == GP_VECTOR && uc.args[4] == GP_VECTOR &&
				 get == cget && (!get || v == 0) &&
				 set1 == cset1 && set1 == 0 &&
				 host_msr(r, KVM_GET_MSRS, &seen) == 1 &&
				 seen == 0,
			 "enforced PV CPUID without bit 17: guest #GP (%lu, %lu), KVM_GET_MSRS %d (value %lu) and KVM_SET_MSRS of 1 %d as MSR_KVM_POLL_CONTROL's (%d, %d), the value stays 0 (%lu)\n",
			 uc.args[2], uc.args[4], get, v, set1, cget, cset1,
			 seen);
	kvm_vm_free(vm);
}

static void guest_filtered(uint64_t msr, uint64_t val)
{
	uint8_t wvec = wrmsr_safe(msr, val);
	uint64_t v = ~0ULL;
	uint8_t rvec = rdmsr_safe(msr, &v);

	GUEST_SYNC_ARGS(STAGE_FILTERED, wvec, rvec, v, 0);
	GUEST_DONE();
}

/* Runs the vCPU to an MSR exit of the filter; false on anything else. */
static bool filter_exit(struct kvm_vcpu *vcpu, uint32_t exit, uint32_t msr)
{
	struct kvm_run *run = vcpu->run;

	vcpu_run(vcpu);
	return run->exit_reason == exit &&
	       run->msr.reason == KVM_MSR_EXIT_REASON_FILTER &&
	       run->msr.index == msr;
}

/* The MSR's value as the host sees it (not subject to the filter). */
static uint64_t host_get(struct kvm_vcpu *vcpu, uint32_t msr)
{
	uint64_t v = ~0ULL;

	if (msr != MSR_KVM_MIGRATION_CONTROL)
		return vcpu_get_msr(vcpu, msr);
	TEST_ASSERT(host_msr(vcpu, KVM_GET_MSRS, &v) == 1,
		    "KVM_GET_MSRS of a tracked VM's MSR_KVM_MIGRATION_CONTROL");
	return v;
}

/*
 * A tracked VM whose MSR filter denies msr to the guest, which writes
 * the opposite of bit 0's reset value: with KVM_MSR_EXIT_REASON_FILTER
 * exits the guest's WRMSR and RDMSR exit to userspace (which completes
 * them), without them they #GP. Either way the handler never ran: the
 * value KVM holds is unchanged.
 */
static void test_filtered(uint32_t msr, const char *name, bool exits)
{
	uint64_t deny = 0;
	struct kvm_msr_filter filter = {
		.flags = KVM_MSR_FILTER_DEFAULT_ALLOW,
		.ranges[0] = { .flags = KVM_MSR_FILTER_READ |
					KVM_MSR_FILTER_WRITE,
			       .nmsrs = 1,
			       .base = msr,
			       .bitmap = (uint8_t *)&deny },
	};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_filtered);
	bool exited;
	uint64_t before, v, val;
	struct ucall uc;

	pgenc_enable(vm);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	before = host_get(vcpu, msr);
	val = before ^ 1;
	vcpu_args_set(vcpu, 2, (uint64_t)msr, val);
	vm_ioctl(vm, KVM_X86_SET_MSR_FILTER, &filter);
	if (exits) {
		vm_enable_cap(vm, KVM_CAP_X86_USER_SPACE_MSR,
			      KVM_MSR_EXIT_REASON_FILTER);
		exited = filter_exit(vcpu, KVM_EXIT_X86_WRMSR, msr) &&
			 vcpu->run->msr.data == val;
		if (exited) {
			vcpu->run->msr.error = 0;
			exited = filter_exit(vcpu, KVM_EXIT_X86_RDMSR, msr);
		}
		if (!exited) {
			/* The guest is elsewhere now: no run->msr to complete. */
			ksft_test_result_fail("%s denied by a filter: no userspace exit of the filter (exit reason %u)\n",
					      name, vcpu->run->exit_reason);
			kvm_vm_free(vm);
			return;
		}
		vcpu->run->msr.error = 0;
		vcpu->run->msr.data = 0x5a;
	}
	uc = run_to_sync(vcpu, STAGE_FILTERED);
	v = host_get(vcpu, msr);
	if (exits)
		ksft_test_result(uc.args[2] == 0 && uc.args[3] == 0 &&
					 uc.args[4] == 0x5a && v == before,
				 "%s denied by a filter: WRMSR and RDMSR exit to userspace, which completes them (%lu, %lu, %#lx); the value stays %lu (%lu)\n",
				 name, uc.args[2], uc.args[3], uc.args[4],
				 before, v);
	else
		ksft_test_result(uc.args[2] == GP_VECTOR &&
					 uc.args[3] == GP_VECTOR && v == before,
				 "%s denied by a filter, no userspace exits: WRMSR and RDMSR #GP (%lu, %lu); the value stays %lu (%lu)\n",
				 name, uc.args[2], uc.args[3], before, v);
	kvm_vm_free(vm);
}

int main(void)
{
	ksft_print_header();
	pgenc_require();
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ENFORCE_PV_FEATURE_CPUID));
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_X86_USER_SPACE_MSR));
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_X86_MSR_FILTER));
	ksft_set_plan(2 + 5 + 2 + 2 + 4);

	ksft_test_result(kvm_cpu_has(X86_FEATURE_KVM_MIGRATION_CONTROL),
			 "KVM_GET_SUPPORTED_CPUID: KVM_FEATURE_MIGRATION_CONTROL (0x40000001 EAX bit 17)\n");
	ksft_test_result(kvm_msr_is_in_save_restore_list(MSR_KVM_MIGRATION_CONTROL),
			 "KVM_GET_MSR_INDEX_LIST lists MSR_KVM_MIGRATION_CONTROL\n");
	test_tracked();
	test_untracked();
	test_enforced(true);
	test_enforced(false);
	test_filtered(MSR_KVM_POLL_CONTROL, "MSR_KVM_POLL_CONTROL", true);
	test_filtered(MSR_KVM_MIGRATION_CONTROL, "MSR_KVM_MIGRATION_CONTROL",
		      true);
	test_filtered(MSR_KVM_POLL_CONTROL, "MSR_KVM_POLL_CONTROL", false);
	test_filtered(MSR_KVM_MIGRATION_CONTROL, "MSR_KVM_MIGRATION_CONTROL",
		      false);
	ksft_finished();
}
