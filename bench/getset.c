// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_GET/SET_PAGE_ENC_BITMAP throughput for guests of 1 GiB, 64 GiB and
 * 1 TiB, against a userspace memcpy() (glibc's) of the same number of
 * bytes in the same run.
 *
 * Each guest is one memslot of the guest's size at gpa 0, over
 * MAP_NORESERVE memory that is never touched, so tracked memory, and the
 * bits, span the whole size (32 MiB at 1 TiB) with no RAM behind it. Each call moves all of tracked memory from
 * start_gfn 0 (word aligned), 1 and 3 (the unaligned paths) to its end:
 * the same ceil(n / 8) bytes as the memcpy. User buffers are faulted in
 * beforehand, as a VMM's migration buffers are.
 *
 * For the profile of a miss, the two kernel copy primitives alone over
 * the same bytes: read(2) from a tmpfs file (copy_to_user) and pwrite(2)
 * into one (copy_from_user), both page-cache hot.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "bench.h"

static const struct {
	const char *name;
	uint64_t bytes;
} sizes[] = { { "1GiB", GIB }, { "64GiB", 64 * GIB }, { "1TiB", TIB } };

static const uint64_t starts[] = { 0, 1, 3 };
#define NSTARTS 3

static double ms_since(uint64_t t0)
{
	return (bench_now_ns() - t0) / 1e6;
}

static double time_get(struct kvm_vm *vm, uint64_t start, uint64_t n, void *buf)
{
	uint64_t t0 = bench_now_ns();
	int r = pgenc_get(vm, start, n, buf);

	TEST_ASSERT(!r, "GET: %s", strerror(-r));
	return ms_since(t0);
}

static double time_set(struct kvm_vm *vm, uint64_t start, uint64_t n,
		       const void *buf)
{
	uint64_t t0 = bench_now_ns();
	int r = pgenc_set(vm, start, n, buf);

	TEST_ASSERT(!r, "SET: %s", strerror(-r));
	return ms_since(t0);
}

static double time_memcpy(void *dst, const void *src, size_t bytes)
{
	uint64_t t0 = bench_now_ns();

	memcpy(dst, src, bytes);
	bench_clobber(dst);
	return ms_since(t0);
}

static double time_read(int fd, void *buf, size_t bytes)
{
	uint64_t t0 = bench_now_ns();

	TEST_ASSERT(pread(fd, buf, bytes, 0) == (ssize_t)bytes, "pread");
	return ms_since(t0);
}

static double time_write(int fd, const void *buf, size_t bytes)
{
	uint64_t t0 = bench_now_ns();

	TEST_ASSERT(pwrite(fd, buf, bytes, 0) == (ssize_t)bytes, "pwrite");
	return ms_since(t0);
}

static void profile_ops(struct kvm_vm *vm, uint64_t pages, size_t bytes,
			void *gbuf, const void *sbuf, int fd)
{
	static const char *const gname[NSTARTS] = { "get.1TiB.s0",
						    "get.1TiB.s1",
						    "get.1TiB.s3" };
	static const char *const sname[NSTARTS] = { "set.1TiB.s0",
						    "set.1TiB.s1",
						    "set.1TiB.s3" };
	struct prof *p;
	int s, i;

	for (s = 0; s < 2; s++) {
		p = prof_start();
		for (i = 0; i < 3; i++)
			time_get(vm, starts[s], pages - starts[s], gbuf);
		prof_stop(p, gname[s]);
		p = prof_start();
		for (i = 0; i < 3; i++)
			time_set(vm, starts[s], pages - starts[s], sbuf);
		prof_stop(p, sname[s]);
	}
	p = prof_start();
	for (i = 0; i < 3; i++)
		time_read(fd, gbuf, bytes);
	prof_stop(p, "copy_to_user.1TiB");
	p = prof_start();
	for (i = 0; i < 3; i++)
		time_write(fd, sbuf, bytes);
	prof_stop(p, "copy_from_user.1TiB");
}

static void bench_size(int si)
{
	uint64_t pages = sizes[si].bytes / PGENC_PAGE;
	size_t bytes = pages / 8, i;
	struct series mc, get[NSTARTS], set[NSTARTS], k2u, u2k;
	char names[2 * NSTARTS + 3][48];
	uint8_t *gbuf, *sbuf, *src, *dst;
	struct kvm_vm *vm;
	void *slot;
	int rep, s, fd;

	snprintf(names[0], sizeof(names[0]), "getset.%s.memcpy",
		 sizes[si].name);
	series_init(&mc, names[0], "ms");
	for (s = 0; s < NSTARTS; s++) {
		snprintf(names[1 + s], sizeof(names[1 + s]),
			 "getset.%s.get.s%lu", sizes[si].name,
			 (unsigned long)starts[s]);
		series_init(&get[s], names[1 + s], "ms");
		snprintf(names[1 + NSTARTS + s], sizeof(names[1 + NSTARTS + s]),
			 "getset.%s.set.s%lu", sizes[si].name,
			 (unsigned long)starts[s]);
		series_init(&set[s], names[1 + NSTARTS + s], "ms");
	}
	snprintf(names[1 + 2 * NSTARTS], sizeof(names[0]),
		 "getset.%s.copy_to_user", sizes[si].name);
	series_init(&k2u, names[1 + 2 * NSTARTS], "ms");
	snprintf(names[2 + 2 * NSTARTS], sizeof(names[0]),
		 "getset.%s.copy_from_user", sizes[si].name);
	series_init(&u2k, names[2 + 2 * NSTARTS], "ms");

	vm = vm_create_barebones();
	pgenc_enable(vm);
	slot = pgenc_sparse_slot(vm, 1, 0, pages);
	TEST_ASSERT(pgenc_stat(vm, "tracked_pages") == (long long)pages,
		    "tracked_pages %lld, expected %lu",
		    pgenc_stat(vm, "tracked_pages"), (unsigned long)pages);

	gbuf = bench_alloc(bytes);
	sbuf = bench_alloc(bytes);
	src = bench_alloc(bytes);
	dst = bench_alloc(bytes);
	for (i = 0; i < bytes; i++)
		sbuf[i] = (uint8_t)(i * 0x9e3779b1u >> 13);
	fd = memfd_create("pgenc-bench", 0);
	TEST_ASSERT(fd >= 0, "memfd_create");
	TEST_ASSERT(pwrite(fd, src, bytes, 0) == (ssize_t)bytes, "fill memfd");

	/* Correctness once, untimed: SET from 1, GET from 1 reads it back. */
	TEST_ASSERT(!pgenc_set(vm, 1, pages - 1, sbuf), "SET check");
	TEST_ASSERT(!pgenc_get(vm, 1, pages - 1, gbuf), "GET check");
	TEST_ASSERT(!memcmp(gbuf, sbuf, bytes - 1) &&
			    !((gbuf[bytes - 1] ^ sbuf[bytes - 1]) & 0x7f),
		    "GET after SET differs");

	/* Warm-up of every operation, then interleaved repetitions. */
	time_memcpy(dst, src, bytes);
	for (s = 0; s < NSTARTS; s++) {
		time_get(vm, starts[s], pages - starts[s], gbuf);
		time_set(vm, starts[s], pages - starts[s], sbuf);
	}
	for (rep = 0; rep < bench_reps; rep++) {
		series_add(&mc, time_memcpy(dst, src, bytes));
		for (s = 0; s < NSTARTS; s++)
			series_add(&get[s], time_get(vm, starts[s],
						     pages - starts[s], gbuf));
		for (s = 0; s < NSTARTS; s++)
			series_add(&set[s], time_set(vm, starts[s],
						     pages - starts[s], sbuf));
		series_add(&k2u, time_read(fd, dst, bytes));
		series_add(&u2k, time_write(fd, src, bytes));
	}

	/* The profile of each operation, at the largest size only. */
	if (si == sizeof(sizes) / sizeof(sizes[0]) - 1)
		profile_ops(vm, pages, bytes, gbuf, sbuf, fd);

	bench_emit(&mc,
		   "\"size\": \"%s\", \"guest_bytes\": %lu, \"bytes\": %zu",
		   sizes[si].name, (unsigned long)sizes[si].bytes, bytes);
	for (s = 0; s < NSTARTS; s++) {
		bench_emit(&get[s],
			   "\"size\": \"%s\", \"guest_bytes\": %lu, \"bytes\": %zu, \"start_gfn\": %lu",
			   sizes[si].name, (unsigned long)sizes[si].bytes,
			   bytes, (unsigned long)starts[s]);
		bench_emit(&set[s],
			   "\"size\": \"%s\", \"guest_bytes\": %lu, \"bytes\": %zu, \"start_gfn\": %lu",
			   sizes[si].name, (unsigned long)sizes[si].bytes,
			   bytes, (unsigned long)starts[s]);
	}
	bench_emit(&k2u, "\"size\": \"%s\", \"bytes\": %zu", sizes[si].name,
		   bytes);
	bench_emit(&u2k, "\"size\": \"%s\", \"bytes\": %zu", sizes[si].name,
		   bytes);

	close(fd);
	bench_free(gbuf, bytes);
	bench_free(sbuf, bytes);
	bench_free(src, bytes);
	bench_free(dst, bytes);
	kvm_vm_free(vm);
	bench_free(slot, pages * PGENC_PAGE);
}

int bench_getset(void)
{
	size_t si;

	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
		bench_size(si);
	return 0;
}
