/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the built-in guests share (guest.c): the console, line
 * formatting, hypercall 12, WRMSR and the exception report. Each guest
 * (demo.c, churn.c) links entry.S, guest.c and itself into one flat
 * image, and defines guest_main(), which entry.S calls on every vCPU.
 */
#ifndef PGENC_GUEST_GUEST_H
#define PGENC_GUEST_GUEST_H

#include "boot.h"

#define KVM_HC_PAGE_ENC_STATUS 12
#define MSR_KVM_MIGRATION_CONTROL 0x4b564d08
#define KVM_MIGRATION_READY 1
#define KVM_EINVAL 22

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The entry of a guest: cpu = vCPU index, bi = the boot info page. */
void guest_main(uint64_t cpu, const struct pgenc_boot_info *bi);

/* Called by entry.S's exception stubs; reports and shuts the VM down. */
void guest_exception(const uint64_t *frame);
/* Point the IDT at entry.S's stubs (an exception is reported). */
void guest_setup_idt(void);

void puts_raw(const char *s);
/* Formatters: write at p, return the end (no terminating NUL). */
char *fmt_u(char *p, uint64_t v, unsigned int base, unsigned int width);
char *fmt_s(char *p, const char *s);
char *fmt_x(char *p, uint64_t v, unsigned int width); /* "0x" + hex */
char *fmt_l(char *p, long v);
/* Terminate [start, end) with "\n" and print it (end must have room). */
void put_line(char *start, char *end);

/* Hypercall 12: set npages from gpa to the status a2 encodes. */
long hypercall(uint64_t gpa, uint64_t npages, uint64_t a2);
void wrmsr(uint32_t msr, uint64_t v);
void halt_forever(void) __attribute__((noreturn));

#endif /* PGENC_GUEST_GUEST_H */
