// SPDX-License-Identifier: GPL-2.0
/*
 * The churn guest built into `pgenc run --churn`: a guest that keeps
 * its memory changing, for migration tests and the migration benchmark
 * (boot.h, "The churn guest", has the layout and the rates). vCPU 0
 * shares half of its area, fills every page of the area, writes
 * MSR_KVM_MIGRATION_CONTROL = KVM_MIGRATION_READY, then loops over
 * rounds: it swaps the status of two ranges with hypercall 12 and
 * rewrites them, writes guest_arg pages round-robin, and verifies every
 * page of the area against the checksums it keeps in its own memory.
 * Other vCPUs halt at once. The host can hold it between rounds.
 *
 * A page is written and read through the mapping of its status:
 * private pages through the identity mapping, shared ones through
 * PGENC_SHARED_ALIAS (the same bytes under sevsim and for non-SEV
 * guests). Its content is a function of (GPA, generation), the round
 * it was last written in, so a page migrated from an older round, a
 * lost page or a flipped byte changes its checksum.
 */
#include "guest.h"

#define HALF (PGENC_CHURN_PAGES / 2)
#define PAIRS (HALF / PGENC_CHURN_CONV_PAGES)
#define WORDS (PGENC_PAGE_SIZE / 8)

/* a2 of hypercall 12 (the upstream encoding, 4K pages). */
#define A2_SHARED 0x00
#define A2_PRIVATE 0x10

/* Per page of the area: the checksum of what was written, and status. */
static uint64_t sums[PGENC_CHURN_PAGES];
static uint8_t shared[PGENC_CHURN_PAGES];

static const struct pgenc_boot_info *bi;

static uint64_t page_gpa(unsigned int page)
{
	return PGENC_CHURN_GPA + (uint64_t)page * PGENC_PAGE_SIZE;
}

/* The page as the guest sees it under its current status. */
static volatile uint64_t *page_va(unsigned int page)
{
	return (volatile uint64_t *)(page_gpa(page) +
				     (shared[page] ? bi->shared_alias : 0));
}

/* A splitmix64 step: a different well-mixed word for each (seed, i). */
static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * The checksum step: a bijection of h for a fixed word, so any change
 * to one word of a page changes the page's sum.
 */
static uint64_t sum_step(uint64_t h, uint64_t w)
{
	return (h ^ w) * 0x100000001b3ULL;
}

#define SUM_INIT 0xcbf29ce484222325ULL

static void write_page(unsigned int page, uint64_t gen)
{
	volatile uint64_t *v = page_va(page);
	uint64_t seed = (page_gpa(page) << 20) ^ (gen * 0x9e3779b97f4a7c15ULL);
	uint64_t h = SUM_INIT, w;
	unsigned int i;

	for (i = 0; i < WORDS; i++) {
		w = mix(seed + i);
		v[i] = w;
		h = sum_step(h, w);
	}
	sums[page] = h;
}

static uint64_t read_sum(unsigned int page)
{
	volatile uint64_t *v = page_va(page);
	uint64_t h = SUM_INIT;
	unsigned int i;

	for (i = 0; i < WORDS; i++)
		h = sum_step(h, v[i]);
	return h;
}

static void fail_stop(char *buf, char *p)
{
	put_line(buf, p);
	puts_raw("churn: halting\n");
	halt_forever();
}

/* Set pages [first, first + n) to private or shared, then rewrite them. */
static void convert(unsigned int first, unsigned int n, int to_shared,
		    uint64_t gen)
{
	char buf[160], *p;
	unsigned int i;
	long r;

	r = hypercall(page_gpa(first), n, to_shared ? A2_SHARED : A2_PRIVATE);
	if (r) {
		p = fmt_s(buf, "churn: hypercall 12 FAIL gpa=");
		p = fmt_x(p, page_gpa(first), 1);
		p = fmt_s(p, " npages=");
		p = fmt_u(p, n, 10, 1);
		p = fmt_s(p, " -> ");
		p = fmt_l(p, r);
		fail_stop(buf, p);
	}
	for (i = first; i < first + n; i++) {
		shared[i] = to_shared ? 1 : 0;
		write_page(i, gen);
	}
}

static void verify(uint64_t round)
{
	char buf[200], *p;
	unsigned int i;
	uint64_t h;

	for (i = 0; i < PGENC_CHURN_PAGES; i++) {
		h = read_sum(i);
		if (h == sums[i])
			continue;
		p = fmt_s(buf, "churn: verify FAIL page ");
		p = fmt_x(p, page_gpa(i), 1);
		p = fmt_s(p, shared[i] ? " (shared)" : " (private)");
		p = fmt_s(p, " round ");
		p = fmt_u(p, round, 10, 1);
		p = fmt_s(p, ": checksum ");
		p = fmt_x(p, h, 16);
		p = fmt_s(p, ", wrote ");
		p = fmt_x(p, sums[i], 16);
		fail_stop(buf, p);
	}
	p = fmt_s(buf, "churn: round ");
	p = fmt_u(p, round, 10, 1);
	p = fmt_s(p, " verify ok");
	put_line(buf, p);
}

/* Spin while the host holds the guest (boot.h). */
static void hold(uint64_t round)
{
	volatile const uint64_t *flag =
		(volatile const uint64_t *)PGENC_CHURN_HOLD_GPA;
	char buf[80], *p;

	if (*flag != PGENC_CHURN_HOLD)
		return;
	p = fmt_s(buf, "churn: holding after round ");
	p = fmt_u(p, round, 10, 1);
	put_line(buf, p);
	while (*flag == PGENC_CHURN_HOLD)
		__asm__ __volatile__("pause" : : : "memory");
	puts_raw("churn: resumed\n");
}

static void banner(uint64_t rate)
{
	char buf[240], *p;

	p = fmt_s(buf, "churn guest: ");
	p = fmt_u(p, bi->nr_vcpus, 10, 1);
	p = fmt_s(p, " vCPU(s), ");
	p = fmt_u(p, bi->mem_size >> 20, 10, 1);
	p = fmt_s(p, " MiB, ");
	p = fmt_s(p, !(bi->flags & PGENC_BOOT_SEV)   ? "not SEV" :
		     (bi->flags & PGENC_BOOT_SEVSIM) ? "SEV (sevsim)" :
						       "SEV");
	p = fmt_s(p, "; area ");
	p = fmt_x(p, PGENC_CHURN_GPA, 1);
	p = fmt_s(p, ", ");
	p = fmt_u(p, PGENC_CHURN_PAGES, 10, 1);
	p = fmt_s(p, " pages (half shared); per round ");
	p = fmt_u(p, rate, 10, 1);
	p = fmt_s(p, " pages written + 2 ranges of ");
	p = fmt_u(p, PGENC_CHURN_CONV_PAGES, 10, 1);
	p = fmt_s(p, " converted");
	put_line(buf, p);
}

static void churn(void)
{
	uint64_t rate = bi->guest_arg, round, k;
	unsigned int pair, cursor = 0;

	if (rate > PGENC_CHURN_PAGES)
		rate = PGENC_CHURN_PAGES;
	banner(rate);

	/* Round 0: the lower half private, the upper half shared. */
	convert(0, HALF, 0, 0);
	convert(HALF, HALF, 1, 0);
	wrmsr(MSR_KVM_MIGRATION_CONTROL, KVM_MIGRATION_READY);
	puts_raw("churn: MSR_KVM_MIGRATION_CONTROL = 1 (KVM_MIGRATION_READY)\n");
	verify(0);

	for (round = 1;; round++) {
		hold(round - 1);
		/*
		 * Swap a range of the lower half with its twin in the upper
		 * half, so that half the area stays private at every round.
		 */
		pair = (unsigned int)(round % PAIRS) * PGENC_CHURN_CONV_PAGES;
		convert(pair, PGENC_CHURN_CONV_PAGES, !shared[pair], round);
		convert(HALF + pair, PGENC_CHURN_CONV_PAGES,
			!shared[HALF + pair], round);
		for (k = 0; k < rate; k++) {
			write_page(cursor, round);
			cursor = (cursor + 1) % PGENC_CHURN_PAGES;
		}
		verify(round);
	}
}

void guest_main(uint64_t cpu, const struct pgenc_boot_info *boot)
{
	guest_setup_idt();
	if (boot->magic != PGENC_BOOT_MAGIC) {
		puts_raw("pgenc churn guest: bad boot info\n");
		return;
	}
	bi = boot;
	if (cpu == 0)
		churn();
}
