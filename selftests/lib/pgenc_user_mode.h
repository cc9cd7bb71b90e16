/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest ring 3 for pgenc's selftests. The 6.1 selftest library runs guest
 * code at CPL0 only; these helpers let a guest make one hypercall from
 * CPL3 and come back to CPL0 with its result.
 *
 * Host: pgenc_user_mode_init() adds DPL 3 code and data descriptors to the
 * guest's GDT, makes the pages of the ring-3 code (section pgenc_user_text)
 * and nothing else user-accessible, enables SYSCALL for the way back and
 * installs the library's exception handlers with a ring-0 stack, so that a
 * fault at CPL3 reaches the host as UCALL_UNHANDLED, not a triple fault.
 *
 * Guest: pgenc_guest_user_hc() iretq's to CPL3 with IOPL 0, where the code
 * runs vmmcall and then SYSCALL back to CPL0. Ring 3 gets no stack or data
 * of its own: every register it needs is loaded at ring 0, and its RSP is
 * the caller's supervisor-only stack, so any memory access it makes faults.
 */
#ifndef PGENC_USER_MODE_H
#define PGENC_USER_MODE_H

#include <stdint.h>

#include "kvm_util.h"
#include "processor.h"
#include "pgenc_compat.h"

/* After the library's code 0x08, data 0x10 and 16-byte TSS 0x18. */
#define PGENC_USER_DS (0x28 | 3)
#define PGENC_USER_CS (0x30 | 3)
/* SYSCALL loads CS from STAR[47:32] and SS from it + 8: the library's. */
#define PGENC_KERNEL_CS 0x08

#define PGENC_RFLAGS_IOPL (3ULL << 12)

/* Set by the linker around every copy of the ring-3 code. */
extern char __start_pgenc_user_text[] __weak;
extern char __stop_pgenc_user_text[] __weak;

/* A flat DPL 3 segment descriptor; @code: 64-bit code, else data. */
static inline uint64_t pgenc_user_desc(bool code)
{
	uint64_t type = code ? 0xb :
			       0x3; /* exec/read or read/write, accessed */
	uint64_t d = 0xffff | 0xfULL << 48; /* limit, with G: 4 GiB */

	d |= type << 40 | 1ULL << 44 /* S */ | 3ULL << 45 /* DPL */ |
	     1ULL << 47 /* P */ | 1ULL << 55 /* G */;
	return d | (code ? 1ULL << 53 /* L */ : 1ULL << 54 /* D/B */);
}

/* Set U/S at every level of the guest page tables that maps @gva. */
static inline void pgenc_user_page(struct kvm_vm *vm, uint64_t gva)
{
	uint64_t *table = addr_gpa2hva(vm, vm->pgd);
	int level;

	for (level = 3; level >= 0; level--) {
		uint64_t *e = &table[gva >> (12 + 9 * level) & 0x1ff];

		TEST_ASSERT(*e & PTE_PRESENT_MASK,
			    "gva %#lx not mapped at level %d", gva, level);
		*e |= PTE_USER_MASK;
		if (!level || (*e & PTE_LARGE_MASK))
			return;
		table = addr_gpa2hva(vm, PTE_GET_PFN(*e) * vm->page_size);
	}
}

static inline void pgenc_user_mode_init(struct kvm_vm *vm,
					struct kvm_vcpu *vcpu)
{
	uint64_t start = (uint64_t)__start_pgenc_user_text;
	uint64_t end = (uint64_t)__stop_pgenc_user_text;
	uint64_t *gdt, gva, stack;
	struct kvm_sregs sregs;

	TEST_ASSERT(start && end > start,
		    "no ring-3 code: nothing calls pgenc_guest_user_hc()");

	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);

	gdt = addr_gva2hva(vm, PGENC_VM_GDT(vm));
	gdt[PGENC_USER_DS >> 3] = pgenc_user_desc(false);
	gdt[PGENC_USER_CS >> 3] = pgenc_user_desc(true);

	/* A fault at CPL3 switches to the TSS's RSP0 (at byte 4). */
	stack = vm_vaddr_alloc_page(vm) + vm->page_size;
	memcpy((char *)addr_gva2hva(vm, PGENC_VM_TSS(vm)) + 4, &stack,
	       sizeof(stack));

	for (gva = start & ~(uint64_t)(vm->page_size - 1); gva < end;
	     gva += vm->page_size)
		pgenc_user_page(vm, gva);

	vcpu_sregs_get(vcpu, &sregs);
	sregs.efer |= EFER_SCE;
	vcpu_sregs_set(vcpu, &sregs);
	vcpu_set_msr(vcpu, MSR_STAR, (uint64_t)PGENC_KERNEL_CS << 32);
}

/*
 * Guest, at CPL0: hypercall @nr from CPL3; returns its RAX and stores the
 * CS selector ring 3 ran with in @cs (its low two bits are the CPL).
 *
 * LSTAR is pointed at this very copy's landing label on each call, so the
 * helper needs no global symbol and may be inlined any number of times.
 * The red zone below RSP belongs to the caller: the iretq frame and the
 * saved DS/ES go below it.
 */
static inline uint64_t pgenc_guest_user_hc(uint64_t nr, uint64_t a0,
					   uint64_t a1, uint64_t a2,
					   uint64_t *cs)
{
	uint64_t ret, sel;

	asm volatile("sub $128, %%rsp\n\t"
		     /* iretq to CPL3 nulls DS and ES (DPL 0); restored below. */
		     "mov %%ds, %%eax\n\t"
		     "push %%rax\n\t"
		     "mov %%es, %%eax\n\t"
		     "push %%rax\n\t"
		     "lea 2f(%%rip), %%rax\n\t"
		     "mov %%rax, %%rdx\n\t"
		     "shr $32, %%rdx\n\t"
		     "mov %[lstar], %%ecx\n\t"
		     "wrmsr\n\t"
		     "mov %%rsp, %%rax\n\t"
		     "push %[uds]\n\t"
		     "push %%rax\n\t"
		     "pushfq\n\t"
		     "andq %[no_iopl], (%%rsp)\n\t"
		     "push %[ucs]\n\t"
		     "lea 1f(%%rip), %%rax\n\t"
		     "push %%rax\n\t"
		     "mov %[nr], %%rax\n\t"
		     "mov %[a0], %%rbx\n\t"
		     "mov %[a1], %%rcx\n\t"
		     "mov %[a2], %%rdx\n\t"
		     "iretq\n\t"
		     ".pushsection pgenc_user_text, \"ax\", @progbits\n"
		     "1:\n\t"
		     "mov %%cs, %k[sel]\n\t"
		     "vmmcall\n\t"
		     "syscall\n\t"
		     "ud2\n\t" /* SYSCALL never falls through */
		     ".popsection\n"
		     "2:\n\t"
		     "pop %%rbx\n\t"
		     "mov %%ebx, %%es\n\t"
		     "pop %%rbx\n\t"
		     "mov %%ebx, %%ds\n\t"
		     "add $128, %%rsp\n\t"
		     : "=&a"(ret), [sel] "=&r"(sel)
		     : [nr] "r"(nr), [a0] "r"(a0), [a1] "r"(a1), [a2] "r"(a2),
		       [lstar] "i"(MSR_LSTAR), [uds] "i"(PGENC_USER_DS),
		       [ucs] "i"(PGENC_USER_CS), [no_iopl] "i"(~PGENC_RFLAGS_IOPL)
		     : "rbx", "rcx", "rdx", "r11", "memory", "cc");
	*cs = sel & 0xffff;
	return ret;
}

#endif /* PGENC_USER_MODE_H */
