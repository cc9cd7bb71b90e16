/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A built-in guest's entry: `pgenc run` starts every vCPU here in 64-bit
 * mode with its stack set, RDI = vCPU index, RSI = boot info (boot.h).
 */
	.section .text.entry, "ax"
	.globl _start
	.code64
_start:
	cld
	call guest_main
1:	hlt
	jmp 1b

/*
 * Exception stubs, 16 bytes apart (guest.c points the IDT at them): each
 * pushes the vector (and a 0 where the CPU pushes no error code), then
 * guest_exception() reports the frame and shuts the VM down.
 */
	.text
	.globl guest_vectors
	.balign 16
guest_vectors:
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	.balign 16
	.if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	pushq $\n
	.else
	pushq $0
	pushq $\n
	.endif
	jmp exception_common
	.endr
exception_common:
	mov %rsp, %rdi
	and $-16, %rsp
	call guest_exception
2:	hlt
	jmp 2b

	.section .note.GNU-stack, "", @progbits
