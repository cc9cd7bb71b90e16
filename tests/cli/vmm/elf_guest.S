/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test image for `pgenc run --image`: a static ELF64 whose code (at
 * 2 MiB) prints a string from its data segment (at 3 MiB) on port 0xe9
 * and halts: two PT_LOAD segments, entry at e_entry.
 */
	.text
	.globl _start
	.code64
_start:
	lea msg(%rip), %rsi
1:	lodsb
	test %al, %al
	jz 2f
	outb %al, $0xe9
	jmp 1b
2:	hlt
	jmp 2b

	.data
msg:	.asciz "elf guest: code at 2 MiB, data at 3 MiB\n"

	.section .note.GNU-stack, "", @progbits
