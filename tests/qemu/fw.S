/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A -bios image for stock QEMU's SEV launch (tests/qemu/vm.sh): 64 KiB,
 * the reset vector at its top. It runs in real mode (CPL 0) and reports
 * on QEMU's debugcon (port 0xe9), one line a step:
 *   - CPUID 0x40000000's signature and 0x40000001 EAX, the KVM feature
 *     bits: bit 17 is KVM_FEATURE_MIGRATION_CONTROL;
 *   - hypercall 12: 4 pages at 1 MiB shared, the second of them
 *     encrypted again, and one call on an address outside guest memory
 *     (refused), with RAX; its ABI:
 *     Documentation/api.rst, "2. Hypercall KVM_HC_PAGE_ENC_STATUS";
 *   - KVM_MIGRATION_READY written to MSR_KVM_MIGRATION_CONTROL;
 * then "done" and it halts with interrupts off.
 */
#define KVM_HC_PAGE_ENC_STATUS 12
#define ATTR_ENCRYPTED 0x10 /* bit 4, upstream's KVM_MAP_GPA_RANGE_ENCRYPTED */
#define MSR_KVM_MIGRATION_CONTROL 0x4b564d08
#define DEBUGCON 0xe9

	.code16
	.text
	.globl start
start:
	cli
	cld
	/* The low alias of the image's last 64 KiB, at 0xf0000 (segment 0xf000). */
	mov %cs, %ax
	mov %ax, %ds
	xor %ax, %ax
	mov %ax, %ss
	mov $0x7000, %sp

	mov $msg_start, %si
	call puts

	/* KVM's CPUID leaves: the signature, then the feature bits. */
	mov $0x40000000, %eax
	cpuid
	push %edx
	push %ecx
	push %ebx
	mov $msg_sig, %si
	call puts
	pop %eax
	call put4
	pop %eax
	call put4
	pop %eax
	call put4
	call newline
	mov $0x40000001, %eax
	cpuid
	mov %eax, %edi
	mov $msg_features, %si
	call puts
	mov %edi, %eax
	call puthex
	mov $msg_bit17, %si
	call puts
	mov %edi, %eax
	shr $17, %eax
	and $1, %eax
	add $'0', %al
	call putc
	call newline

	/* 4 pages at 1 MiB shared; the second encrypted again; one refused. */
	mov $0x100000, %ebx
	mov $4, %ecx
	xor %edx, %edx
	call hc12
	mov $0x101000, %ebx
	mov $1, %ecx
	mov $ATTR_ENCRYPTED, %edx
	call hc12
	mov $0xfff00000, %ebx
	mov $1, %ecx
	xor %edx, %edx
	call hc12

	mov $MSR_KVM_MIGRATION_CONTROL, %ecx
	mov $1, %eax
	xor %edx, %edx
	wrmsr
	mov $msg_ready, %si
	call puts

	mov $msg_done, %si
	call puts
1:	hlt
	jmp 1b

/* Hypercall 12 with a0 = EBX, a1 = ECX, a2 = EDX; prints them and RAX. */
hc12:
	push %edx
	push %ecx
	push %ebx
	mov $msg_hc, %si
	call puts
	pop %eax
	push %eax
	call puthex
	mov $' ', %al
	call putc
	pop %ebx
	pop %eax
	push %eax
	push %ebx
	call puthex
	mov $' ', %al
	call putc
	pop %ebx
	pop %ecx
	pop %eax
	push %eax
	push %ecx
	push %ebx
	call puthex
	pop %ebx
	pop %ecx
	pop %edx
	mov $KVM_HC_PAGE_ENC_STATUS, %eax
	vmmcall
	mov %eax, %edi
	mov $msg_rax, %si
	call puts
	mov %edi, %eax
	call puthex
	call newline
	ret

/* The NUL-terminated string at DS:SI. */
puts:
	lodsb
	test %al, %al
	jz 1f
	outb %al, $DEBUGCON
	jmp puts
1:	ret

putc:
	outb %al, $DEBUGCON
	ret

newline:
	mov $'\n', %al
	jmp putc

/* EAX as 8 hex digits. */
puthex:
	mov %eax, %edx
	mov $8, %cx
1:	rol $4, %edx
	mov %dl, %al
	and $0xf, %al
	add $'0', %al
	cmp $'9', %al
	jbe 2f
	add $('a' - '0' - 10), %al
2:	call putc
	loop 1b
	ret

/* EAX as up to 4 characters, low byte first, NULs left out (CPUID). */
put4:
	mov $4, %cx
1:	test %al, %al
	jz 2f
	call putc
2:	shr $8, %eax
	loop 1b
	ret

msg_start:	.asciz "pgenc-fw: start\n"
msg_sig:	.asciz "pgenc-fw: cpuid 0x40000000 signature "
msg_features:	.asciz "pgenc-fw: cpuid 0x40000001 eax "
msg_bit17:	.asciz " migration-control "
msg_hc:		.asciz "pgenc-fw: hc12 "
msg_rax:	.asciz " rax "
msg_ready:	.asciz "pgenc-fw: wrmsr migration-control 1\n"
msg_done:	.asciz "pgenc-fw: done\n"

	/* The reset vector, 16 bytes below 4 GiB: CS base 0xffff0000. */
	.org 0xfff0
	ljmp $0xf000, $start
	.org 0x10000

	.section .note.GNU-stack, "", @progbits
