// SPDX-License-Identifier: GPL-2.0
/*
 * The demo guest built into `pgenc run --demo`: freestanding, 64-bit,
 * started by the VMM as boot.h describes. vCPU 0 converts ranges of its
 * memory between private and shared with hypercall 12 (both a2
 * encodings, and two calls the kernel must refuse), writes a known text
 * into every page it leaves shared, tells KVM its tracking is complete
 * (MSR_KVM_MIGRATION_CONTROL) and halts. Every other vCPU shares its own
 * per-CPU page, fills it, and halts. Progress goes to the console port.
 *
 * Under sevsim guest memory is not encrypted, so the guest writes its
 * shared pages through the C-bit-clear alias only for the sake of real
 * hardware; the text lands in plaintext either way.
 */
#include "guest.h"

struct step {
	uint64_t gpa;
	uint64_t npages;
	uint64_t a2;
	const char *what;
	long expect; /* the return value the kernel must give */
};

/*
 * Final state: shared gfns 0x202-0x203, 0x400-0x403, 0x408-0x40f,
 * 0x800-0x8ff, 0x1000 and 0x1002 (272 pages).
 */
static const struct step steps[] = {
	{ 0x202000, 2, 0x00,
	  "2 pages right after the measured data shared (a2=0x00)", 0 },
	{ 0x400000, 16, 0x00, "bounce buffer shared (a2=0x00: shared)", 0 },
	{ 0x404000, 4, 0x10,
	  "4 of them private again (a2=0x10: upstream encrypted, 4K hint)", 0 },
	{ 0x800000, 512, 0x00, "2 MiB ring area shared (a2=0x00)", 0 },
	{ 0x900000, 256, 0x11,
	  "its upper 1 MiB private again (a2=0x11: upstream encrypted, 2M hint)",
	  0 },
	{ 0x1000000, 3, 0x00, "3 pages at 16 MiB shared (seed a2=0)", 0 },
	{ 0x1001000, 1, 0x01, "the middle one private again (seed a2=1)", 0 },
	{ 0x400000, 1, 0x20, "reserved bit 5 in a2: must be refused",
	  -KVM_EINVAL },
};

/* The shared pages at the end, for vCPU 0: gpa, pages. */
static const uint64_t shared_final[][2] = {
	{ 0x202000, 2 },   { 0x400000, 4 },  { 0x408000, 8 },
	{ 0x800000, 256 }, { 0x1000000, 1 }, { 0x1002000, 1 },
};

/* The known text of a shared page (boot.h), written through the alias. */
static void fill_shared(const struct pgenc_boot_info *bi, uint64_t gpa)
{
	char *page = (char *)(bi->shared_alias + gpa);
	unsigned int line;

	for (line = 0; line < PGENC_PAGE_SIZE / PGENC_DEMO_LINE; line++) {
		char *rec = page + line * PGENC_DEMO_LINE, *p = rec;

		p = fmt_s(p, "shared page ");
		p = fmt_x(p, gpa, 8);
		p = fmt_s(p, " line ");
		p = fmt_u(p, line, 10, 2);
		p = fmt_s(p, ": guest plaintext");
		while (p < rec + PGENC_DEMO_LINE - 1)
			*p++ = ' ';
		*p = '\n';
	}
}

static int shared_pages(const struct pgenc_boot_info *bi, uint64_t gpa,
			uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		fill_shared(bi, gpa + i * PGENC_PAGE_SIZE);
	return (int)n;
}

static int run_steps(const struct pgenc_boot_info *bi)
{
	char buf[200], *p;
	unsigned int i, bad = 0;
	long r;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		const struct step *s = &steps[i];

		r = hypercall(s->gpa, s->npages, s->a2);
		p = fmt_s(buf, "hypercall 12 gpa=");
		p = fmt_x(p, s->gpa, 1);
		p = fmt_s(p, " npages=");
		p = fmt_u(p, s->npages, 10, 1);
		p = fmt_s(p, " a2=");
		p = fmt_x(p, s->a2, 2);
		p = fmt_s(p, " -> ");
		p = fmt_l(p, r);
		p = fmt_s(p, r == s->expect ? " ok: " : " UNEXPECTED: ");
		p = fmt_s(p, s->what);
		put_line(buf, p);
		bad += r != s->expect;
	}
	/* A range past the end of memory is refused as well. */
	r = hypercall(bi->mem_size, 1, 0);
	p = fmt_s(buf, "hypercall 12 gpa=");
	p = fmt_x(p, bi->mem_size, 1);
	p = fmt_s(p, " npages=1 a2=0x00 -> ");
	p = fmt_l(p, r);
	p = fmt_s(p, r == -KVM_EINVAL ? " ok: " : " UNEXPECTED: ");
	p = fmt_s(p, "past the end of memory: must be refused");
	put_line(buf, p);
	return (int)(bad + (r != -KVM_EINVAL));
}

static void vcpu0(const struct pgenc_boot_info *bi)
{
	char buf[200], *p;
	unsigned int i;
	int bad, n = 0;

	p = fmt_s(buf, "pgenc demo guest: ");
	p = fmt_u(p, bi->nr_vcpus, 10, 1);
	p = fmt_s(p, " vCPU(s), ");
	p = fmt_u(p, bi->mem_size >> 20, 10, 1);
	p = fmt_s(p, " MiB, ");
	p = fmt_s(p, !(bi->flags & PGENC_BOOT_SEV)   ? "not SEV" :
		     (bi->flags & PGENC_BOOT_SEVSIM) ? "SEV (sevsim)" :
						       "SEV");
	put_line(buf, p);
	if (bi->data_len) {
		p = fmt_s(buf, "measured data: ");
		p = fmt_u(p, bi->data_len, 10, 1);
		p = fmt_s(p, " bytes at ");
		p = fmt_x(p, bi->data_gpa, 1);
		p = fmt_s(p, ", private (loaded before launch)");
		put_line(buf, p);
	}

	bad = run_steps(bi);

	for (i = 0; i < ARRAY_SIZE(shared_final); i++)
		n += shared_pages(bi, shared_final[i][0], shared_final[i][1]);
	p = fmt_s(buf, "wrote the known text into the ");
	p = fmt_u(p, (uint64_t)n, 10, 1);
	p = fmt_s(p, " pages left shared");
	put_line(buf, p);

	wrmsr(MSR_KVM_MIGRATION_CONTROL, 1);
	puts_raw("MSR_KVM_MIGRATION_CONTROL = 1: page status reports complete\n");
	if (bad) {
		p = fmt_s(buf, "FAILED: ");
		p = fmt_u(p, (uint64_t)bad, 10, 1);
		p = fmt_s(p, " hypercall(s) returned an unexpected value");
		put_line(buf, p);
	}
	puts_raw(bad ? "halting (with errors)\n" : "done, halting\n");
}

static void vcpu_n(const struct pgenc_boot_info *bi, uint64_t cpu)
{
	uint64_t gpa = PGENC_DEMO_PERCPU_GPA + cpu * PGENC_PAGE_SIZE;
	char buf[120], *p;
	long r;

	r = hypercall(gpa, 1, 0);
	if (!r)
		fill_shared(bi, gpa);
	p = fmt_s(buf, "vCPU ");
	p = fmt_u(p, cpu, 10, 1);
	p = fmt_s(p, ": per-CPU page ");
	p = fmt_x(p, gpa, 1);
	p = fmt_s(p, r ? " NOT shared: " : " shared and filled: ");
	p = fmt_l(p, r);
	put_line(buf, p);
}

void guest_main(uint64_t cpu, const struct pgenc_boot_info *bi)
{
	guest_setup_idt();
	if (bi->magic != PGENC_BOOT_MAGIC) {
		puts_raw("pgenc demo guest: bad boot info\n");
		return;
	}
	if (cpu == 0)
		vcpu0(bi);
	else
		vcpu_n(bi, cpu);
}
