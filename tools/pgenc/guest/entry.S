/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The demo guest's entry: `pgenc run` starts every vCPU here in 64-bit
 * mode with its stack set, RDI = vCPU index, RSI = boot info (boot.h).
 */
	.section .text.entry, "ax"
	.globl _start
	.code64
_start:
	cld
	call demo_main
1:	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
