// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dump throughput: SEV DBG_DECRYPT of guest memory with libpgenc's
 * pgenc_sev_dbg_decrypt(), against sevsim (kvm_amd sevsim=1), in three
 * cases and against a memcpy() of the same bytes:
 *
 *   shared     pages the bitmap marks shared, pgenc's bypass on: copied by
 *              KVM without a firmware command
 *   private    pages marked encrypted: one DBG_DECRYPT firmware command
 *              per page (sevsim: AES-128-XEX in software)
 *   nobypass   the shared pages again with the bypass off
 *              (pgenc_dbg_bypass=N): the firmware for every page
 *
 * and, for contrast, 8-byte reads (one DBG_DECRYPT of 8 bytes per
 * guest word), the pattern QEMU's monitor used for SEV guests.
 *
 * The memslot lookup of each bypassed step, side by side: page-sized
 * calls (one step each) of the shared pages with the VM's few memslots,
 * then with SLOTS more one-page memslots elsewhere; the lookup walks
 * KVM's interval tree of host addresses, so the second costs the same
 * (Documentation/benchmarks.rst, "5. Dump throughput").
 *
 * Firmware commands and bypassed pages per page come from the VM's
 * pgenc_stats (dbg_fw_cmds, dbg_bypassed_pages), as deltas around each
 * series. The guest never runs: DBG works from LAUNCH_START on.
 */
#define _GNU_SOURCE
#include <pgenc/pgenc.h>

#include "bench.h"
#include "sev_util.h"

#define DATA_PAGES 1024ULL /* 4 MiB at SEV_DATA_GPA */
#define SHARED_PAGES DATA_PAGES
#define PRIV_PAGES 256ULL /* the firmware path is slower: 1 MiB */
#define READ8_PAGES 2ULL
#define SLOTS 8192ULL
#define SLOTS_GPA (1ULL << 32) /* far from the data region */
#define BYPASS_PARAM "/sys/module/kvm_amd/parameters/pgenc_dbg_bypass"

static void guest_idle(void)
{
	for (;;)
		asm volatile("hlt");
}

static bool set_bypass(bool on)
{
	FILE *f = fopen(BYPASS_PARAM, "w");
	bool ok;

	if (!f)
		return false;
	ok = fputs(on ? "Y" : "N", f) >= 0;
	return !fclose(f) && ok;
}

struct dump_ctx {
	struct sev_vm s;
	uint8_t *out, *copy;
	struct series *series;
	long long fw, bypassed; /* counters over this series' samples */
	uint64_t pages; /* pages over this series' samples */
	uint64_t slots; /* memslots added by add_slots() */
};

static long long stat_of(struct dump_ctx *d, const char *name)
{
	long long v = pgenc_stat(d->s.vm, name);

	TEST_ASSERT(v >= 0, "pgenc_stats %s missing", name);
	return v;
}

/* The data region's pages [0, n) shared (true) or encrypted. */
static void mark(struct dump_ctx *d, uint64_t n, bool shared)
{
	uint8_t *zero = calloc(1, n / 8 + 1);
	int r;

	TEST_ASSERT(zero, "calloc");
	r = pgenc_set(d->s.vm, SEV_DATA_GPA / PGENC_PAGE, n,
		      shared ? zero : NULL);
	TEST_ASSERT(!r, "SET: %s", strerror(-r));
	free(zero);
}

/* DBG_DECRYPT of pages [0, n), as one call of len bytes each. */
static double time_decrypt(struct dump_ctx *d, uint64_t n, uint32_t len)
{
	long long fw0 = stat_of(d, "dbg_fw_cmds");
	long long by0 = stat_of(d, "dbg_bypassed_pages");
	uint64_t t0, off, bytes = n * PGENC_PAGE;
	int r, fw = 0;

	t0 = bench_now_ns();
	for (off = 0; off < bytes; off += len) {
		r = pgenc_sev_dbg_decrypt(d->s.vm->fd, d->s.sev_fd,
					  d->s.data + off, d->out + off, len,
					  &fw);
		TEST_ASSERT(!r, "DBG_DECRYPT at %lu: %s (fw %d)",
			    (unsigned long)off, strerror(-r), fw);
	}
	t0 = bench_now_ns() - t0;
	d->fw += stat_of(d, "dbg_fw_cmds") - fw0;
	d->bypassed += stat_of(d, "dbg_bypassed_pages") - by0;
	d->pages += n;
	return t0 / 1e6;
}

static double time_memcpy(struct dump_ctx *d, uint64_t n)
{
	uint64_t t0 = bench_now_ns();

	memcpy(d->copy, d->s.data, n * PGENC_PAGE);
	bench_clobber(d->copy);
	return (bench_now_ns() - t0) / 1e6;
}

static void emit(struct dump_ctx *d, struct series *s, uint64_t pages,
		 uint32_t len)
{
	bench_emit(s,
		   "\"pages\": %lu, \"bytes\": %lu, \"call_len\": %u, \"fw_cmds_per_page\": %.4f, \"bypassed_per_page\": %.4f, \"calls_per_page\": %.1f, \"slots\": %lu",
		   (unsigned long)pages, (unsigned long)(pages * PGENC_PAGE),
		   len, d->pages ? (double)d->fw / d->pages : 0.0,
		   d->pages ? (double)d->bypassed / d->pages : 0.0,
		   (double)PGENC_PAGE / len, (unsigned long)d->slots);
	d->fw = d->bypassed = 0;
	d->pages = 0;
}

/* SLOTS one-page memslots of an unused mapping, none of the data's. */
static uint8_t *add_slots(struct dump_ctx *d)
{
	uint8_t *m = mmap(NULL, SLOTS * PGENC_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint64_t i;

	TEST_ASSERT(m != MAP_FAILED, "mmap");
	TEST_ASSERT(kvm_check_cap(KVM_CAP_NR_MEMSLOTS) >= (int)SLOTS + 16,
		    "KVM allows fewer than %llu memslots", SLOTS + 16);
	for (i = 0; i < SLOTS; i++)
		vm_set_user_memory_region(d->s.vm, 10 + i, 0,
					  SLOTS_GPA + i * PGENC_PAGE,
					  PGENC_PAGE, m + i * PGENC_PAGE);
	d->slots = SLOTS;
	return m;
}

int bench_dump(void)
{
	struct series shared, mc, priv, mc_priv, nobypass, r8s, r8p, pg,
		pg_slots;
	uint8_t *slots;
	struct dump_ctx d = { 0 };
	struct prof *prof;
	uint32_t fw = 0;
	int rep, sev_fd;

	if (access(SEVSIM_DEVICE, R_OK | W_OK)) {
		bench_info("dump.skipped",
			   "\"reason\": \"no %s (kvm_amd sevsim=1)\"",
			   SEVSIM_DEVICE);
		return 0;
	}
	sev_fd = sevsim_fd();
	TEST_ASSERT(!sev_vm_create(&d.s, sev_fd, false, guest_idle, DATA_PAGES,
				   &fw),
		    "KVM_SEV_INIT: fw %u", fw);
	TEST_ASSERT(!sev_launch_start(&d.s, 0, 0, &fw), "LAUNCH_START: fw %u",
		    fw);
	d.out = bench_alloc(DATA_PAGES * PGENC_PAGE);
	d.copy = bench_alloc(DATA_PAGES * PGENC_PAGE);
	TEST_ASSERT(set_bypass(true), "cannot write %s", BYPASS_PARAM);

	series_init(&shared, "dump.shared", "ms");
	series_init(&mc, "dump.memcpy", "ms");
	series_init(&priv, "dump.private", "ms");
	series_init(&mc_priv, "dump.memcpy.private", "ms");
	series_init(&nobypass, "dump.nobypass", "ms");
	series_init(&r8s, "dump.read8.shared", "ms");
	series_init(&r8p, "dump.read8.private", "ms");
	series_init(&pg, "dump.shared.page", "ms");
	series_init(&pg_slots, "dump.shared.page.slots", "ms");

	/* Shared pages through the bypass, and memcpy. */
	mark(&d, SHARED_PAGES, true);
	time_decrypt(&d, SHARED_PAGES, SHARED_PAGES * PGENC_PAGE); /* warm */
	time_memcpy(&d, SHARED_PAGES);
	d.fw = d.bypassed = 0;
	d.pages = 0;
	for (rep = 0; rep < bench_reps; rep++) {
		series_add(&mc, time_memcpy(&d, SHARED_PAGES));
		series_add(&shared, time_decrypt(&d, SHARED_PAGES,
						 SHARED_PAGES * PGENC_PAGE));
	}
	emit(&d, &shared, SHARED_PAGES, SHARED_PAGES * PGENC_PAGE);
	bench_emit(&mc, "\"bytes\": %llu", SHARED_PAGES * PGENC_PAGE);
	prof = prof_start();
	for (rep = 0; rep < 3; rep++)
		time_decrypt(&d, SHARED_PAGES, SHARED_PAGES * PGENC_PAGE);
	prof_stop(prof, "dump.shared");
	d.fw = d.bypassed = 0;
	d.pages = 0;

	/* 8-byte reads of shared pages (bypass, one ioctl per 8 bytes). */
	for (rep = 0; rep < bench_reps; rep++)
		series_add(&r8s, time_decrypt(&d, READ8_PAGES, 8));
	emit(&d, &r8s, READ8_PAGES, 8);

	/* Page-sized calls of shared pages: few memslots, then many. */
	for (rep = 0; rep < bench_reps; rep++)
		series_add(&pg, time_decrypt(&d, SHARED_PAGES, PGENC_PAGE));
	emit(&d, &pg, SHARED_PAGES, PGENC_PAGE);
	slots = add_slots(&d);
	for (rep = 0; rep < bench_reps; rep++)
		series_add(&pg_slots,
			   time_decrypt(&d, SHARED_PAGES, PGENC_PAGE));
	emit(&d, &pg_slots, SHARED_PAGES, PGENC_PAGE);

	/* The same shared pages with the bypass off: the firmware for all. */
	TEST_ASSERT(set_bypass(false), "bypass off");
	for (rep = 0; rep < bench_reps; rep++)
		series_add(&nobypass, time_decrypt(&d, PRIV_PAGES,
						   PRIV_PAGES * PGENC_PAGE));
	emit(&d, &nobypass, PRIV_PAGES, PRIV_PAGES * PGENC_PAGE);
	TEST_ASSERT(set_bypass(true), "bypass on");

	/* Private pages: one firmware command each. */
	mark(&d, DATA_PAGES, false);
	for (rep = 0; rep < bench_reps; rep++) {
		series_add(&mc_priv, time_memcpy(&d, PRIV_PAGES));
		series_add(&priv, time_decrypt(&d, PRIV_PAGES,
					       PRIV_PAGES * PGENC_PAGE));
	}
	emit(&d, &priv, PRIV_PAGES, PRIV_PAGES * PGENC_PAGE);
	bench_emit(&mc_priv, "\"bytes\": %llu", PRIV_PAGES * PGENC_PAGE);

	/* 8-byte reads of private pages: a firmware command per 8 bytes. */
	for (rep = 0; rep < bench_reps; rep++)
		series_add(&r8p, time_decrypt(&d, READ8_PAGES, 8));
	emit(&d, &r8p, READ8_PAGES, 8);

	bench_free(d.out, DATA_PAGES * PGENC_PAGE);
	bench_free(d.copy, DATA_PAGES * PGENC_PAGE);
	sev_vm_free(&d.s);
	munmap(slots, SLOTS * PGENC_PAGE);
	close(sev_fd);
	return 0;
}
