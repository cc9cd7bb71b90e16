// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvm-anchor: runs in the test VM beside the tests and keeps two idle VMs
 * alive, one vCPU each, one with an in-kernel irqchip (its APIC hardware-
 * and software-disabled) and one without. Then creating and destroying the
 * tests' VMs never moves the counts of preempt_notifier_key,
 * apic_hw_disabled, apic_sw_disabled or kvm_has_noapic_vcpu between 0 and
 * 1, so it never patches kernel text: text_poke_bp() waits for every CPU
 * to take an IPI, and under QEMU's TCG a CPU busy running a nested guest
 * has been seen not to, freezing the whole test VM (testing.rst).
 *
 * Usage: kvm-anchor READY_FILE. Creates READY_FILE once the VMs exist,
 * then sleeps until killed; init.sh kills it before each rmmod. Exit 1 if
 * KVM refuses any step.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MSR_IA32_APICBASE 0x1b
#define APIC_DEFAULT_BASE 0xfee00000ULL

static int fail(const char *what)
{
	fprintf(stderr, "kvm-anchor: %s: %s\n", what, strerror(errno));
	return 1;
}

/* xAPIC enabled -> disabled is a legal transition; it holds apic_hw_disabled. */
static int disable_apic(int vcpu)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1,
		.e = { .index = MSR_IA32_APICBASE,
		       .data = APIC_DEFAULT_BASE } };

	return ioctl(vcpu, KVM_SET_MSRS, &m) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int irqchip;

	if (kvm < 0)
		return fail("open /dev/kvm");
	for (irqchip = 0; irqchip < 2; irqchip++) {
		int vm = ioctl(kvm, KVM_CREATE_VM, 0), vcpu;

		if (vm < 0)
			return fail("KVM_CREATE_VM");
		if (irqchip && ioctl(vm, KVM_CREATE_IRQCHIP, 0))
			return fail("KVM_CREATE_IRQCHIP");
		vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
		if (vcpu < 0)
			return fail("KVM_CREATE_VCPU");
		if (irqchip && disable_apic(vcpu))
			return fail("KVM_SET_MSRS(APIC_BASE)");
	}
	if (argc > 1 && close(open(argv[1], O_CREAT | O_WRONLY, 0644)))
		return fail(argv[1]);
	for (;;)
		pause();
}
