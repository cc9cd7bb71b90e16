/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between `pgenc run` and the guests it starts (the
 * built-in demo guest, or a user image): guest physical layout, entry
 * state and the boot information page. Included by the VMM and by the
 * freestanding built-in guests, so it uses only fixed-width types.
 *
 * Every vCPU enters the image directly in 64-bit long mode (no real-mode
 * or firmware step):
 *   - paging on, identity mapping of guest memory [0, 512 GiB) with 2 MiB
 *     pages (PML4 slot 0), and the same memory again at
 *     PGENC_SHARED_ALIAS (PML4 slot 1). On SEV hardware the identity
 *     mapping has the C-bit set (private) and the alias has it clear
 *     (shared): a guest writes the pages it shared through the alias.
 *     Under sevsim, and for non-SEV guests, both are plain mappings.
 *   - CS = 0x08 (64-bit code), DS/ES/SS/FS/GS = 0x10 (flat data), GDT
 *     at PGENC_GDT_GPA; no IDT (any exception shuts the VM down), IF = 0;
 *   - RIP = the image entry, RSP = the top of the vCPU's own 8 KiB stack,
 *     RDI = the vCPU index (0..n-1), RSI = PGENC_BOOT_INFO_GPA.
 * There is no interrupt controller: HLT stops the vCPU for good.
 *
 * Console: bytes written with OUT to port PGENC_CONSOLE_PORT (0xe9) or
 * to the COM1 data register (0x3f8) appear on the VMM's stdout, a line
 * at a time per vCPU; reading the COM1 line status (0x3fd) says "ready".
 */
#ifndef PGENC_GUEST_BOOT_H
#define PGENC_GUEST_BOOT_H

#include <stdint.h>

#define PGENC_PAGE_SIZE 0x1000ULL

/* Guest physical layout; [0, PGENC_IMAGE_MIN) belongs to the VMM. */
#define PGENC_GDT_GPA 0x1000ULL
#define PGENC_BOOT_INFO_GPA 0x2000ULL
#define PGENC_PT_GPA 0x10000ULL /* page tables, up to 0x40000 */
#define PGENC_PT_END 0x40000ULL
#define PGENC_STACK_TOP 0x80000ULL /* vCPU i: below top - i * 8 KiB */
#define PGENC_STACK_SIZE 0x2000ULL
#define PGENC_MAX_VCPUS 32
#define PGENC_IMAGE_MIN 0x100000ULL /* images load at or above 1 MiB */
#define PGENC_IMAGE_GPA 0x100000ULL /* default load address, demo's too */

/* Virtual address of the shared (C-bit clear) alias of guest memory. */
#define PGENC_SHARED_ALIAS (1ULL << 39)

#define PGENC_CONSOLE_PORT 0xe9
#define PGENC_COM1_PORT 0x3f8

/* The demo's measured region: launched with LAUNCH_UPDATE_DATA. */
#define PGENC_DEMO_SECRET_GPA 0x200000ULL
#define PGENC_DEMO_SECRET_PAGES 2
/* The demo's per-vCPU pages (vCPU i > 0 shares this + i pages). */
#define PGENC_DEMO_PERCPU_GPA 0x300000ULL
/* The demo needs memory up to here (it converts pages up to 16 MiB). */
#define PGENC_DEMO_MIN_MEM (32ULL << 20)

#define PGENC_BOOT_MAGIC 0x544f4f42434e4750ULL /* "PGNCBOOT" */
#define PGENC_BOOT_SEV (1ULL << 0) /* launched as an SEV guest */
#define PGENC_BOOT_SEVSIM (1ULL << 1) /* ... by the simulated firmware */

struct pgenc_boot_info {
	uint64_t magic; /* PGENC_BOOT_MAGIC */
	uint64_t mem_size; /* bytes of guest memory, from GPA 0 */
	uint64_t nr_vcpus;
	uint64_t flags; /* PGENC_BOOT_* */
	uint64_t shared_alias; /* PGENC_SHARED_ALIAS */
	uint64_t data_gpa; /* the measured data region (0: none) */
	uint64_t data_len;
	uint64_t guest_arg; /* built-in guests: --churn's pages per round */
};

/*
 * The demo guest fills every page it leaves shared with 64 lines of 64
 * bytes: printf("%-63s\n", "shared page 0x%08x line %02u: guest
 * plaintext") of the page's GPA and the line 0..63. The VMM fills the
 * measured secret (before LAUNCH_UPDATE_DATA) with 64 lines per page:
 * "pgenc demo secret page %u line %02u: measured at launch", padded the
 * same way. Tests rebuild both to check dumps byte for byte.
 */
#define PGENC_DEMO_LINE 64

/*
 * The churn guest (pgenc run --churn), for migration tests and the
 * migration benchmark. vCPU 0 owns an area of PGENC_CHURN_PAGES pages at
 * PGENC_CHURN_GPA (other vCPUs halt at once):
 *   - round 0: hypercall 12 sets the lower half private and the upper
 *     half shared, every page of the area is written, then the guest
 *     writes MSR_KVM_MIGRATION_CONTROL (0x4b564d08) = 1
 *     (KVM_MIGRATION_READY): its page status reports are complete;
 *   - every round r >= 1: two twin ranges of PGENC_CHURN_CONV_PAGES
 *     pages (offset o = (r % 32) * 16 in each half) swap status with
 *     hypercall 12 and are rewritten; then guest_arg pages (--churn-rate,
 *     default PGENC_CHURN_RATE) are written round-robin over the area.
 *     So a round dirties at most guest_arg + 32 pages and half of the
 *     area is private at every round's end;
 *   - a page is written through the mapping of its status (private:
 *     identity, shared: PGENC_SHARED_ALIAS) with 512 words derived from
 *     (GPA, round written); the guest keeps a checksum per page in its
 *     own memory and, at the end of every round, reads every page of the
 *     area back and prints "churn: round N verify ok", or
 *     "churn: verify FAIL page 0xGPA ..." and halts: it never halts
 *     otherwise. A hypercall that fails prints "churn: hypercall 12 FAIL
 *     ..." and halts too;
 *   - before every round, while the u64 at PGENC_CHURN_HOLD_GPA is
 *     PGENC_CHURN_HOLD, the guest holds: it prints "churn: holding after
 *     round N" once and spins, writing and converting nothing, until the
 *     value changes ("churn: resumed"). Tests set and clear it from the
 *     host (under sevsim or without SEV, where that page is plain) to
 *     compare both ends of a migration page for page.
 */
#define PGENC_CHURN_GPA 0x400000ULL
#define PGENC_CHURN_PAGES 1024
#define PGENC_CHURN_CONV_PAGES 16
#define PGENC_CHURN_RATE 64
#define PGENC_CHURN_MIN_MEM (16ULL << 20)
#define PGENC_CHURN_HOLD_GPA 0x3ff000ULL
#define PGENC_CHURN_HOLD 0x444c4f48ULL /* "HOLD" */

#endif /* PGENC_GUEST_BOOT_H */
