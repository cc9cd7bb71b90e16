// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory footprint: the kernel memory charged to the VMM for tracking, at
 * guest sizes 1 GiB, 64 GiB and 1 TiB (one untouched memslot of that size,
 * as in getset.c), and for a sparse layout: 1 GiB of RAM at the bottom
 * plus a 64 KiB slot at 2^46, as a 64-bit PCI window puts it, whose
 * charge must be RAM pages / 8 plus a small constant per slot, not the
 * highest gfn / 8 (Documentation/api.rst, "Allocation"). Measured from
 * the memory cgroup's accounting: memory.current of a child cgroup
 * around the creation of a tracked VM, minus the same for an identical
 * untracked VM, in adjacent pairs.
 *
 * memory.current counts charges in per-CPU batches (up to 64 pages, plus
 * up to a page of slab bytes, held in a per-CPU stock). To read it exactly
 * this process runs on CPU 0 only and, before each reading, moves to a
 * second cgroup and makes one page and one slab charge there: a charge
 * for another cgroup on the same CPU flushes the stock back to ours.
 * Then memory.current is exact to the page, and the slab part to a
 * fraction of one.
 *
 * pgenc_stats' bitmap_bytes is read beside it as a cross-check, and the
 * VM's radix_tree_node slab geometry is reported for the xarray model
 * (bench/report.py; Documentation/benchmarks.rst).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "bench.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CG_MAIN CG_ROOT "/pgenc-bench"
#define CG_DRAIN CG_ROOT "/pgenc-bench-drain"
#define SLOT_PAGES 16ULL

/* RAM at gpa 0; top: a SLOT_PAGES slot there too, if not 0. */
static const struct {
	const char *name;
	uint64_t bytes, top;
} sizes[] = { { "1GiB", GIB, 0 },
	      { "64GiB", 64 * GIB, 0 },
	      { "1TiB", TIB, 0 },
	      { "1GiB+2^46", GIB, 1ULL << 46 } };

#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static bool write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	bool ok = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s);

	if (fd >= 0)
		close(fd);
	return ok;
}

static long long read_ll(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void join_cgroup(const char *cg)
{
	char path[128], pid[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	TEST_ASSERT(write_str(path, pid), "join %s", cg);
}

/* memory.current of CG_MAIN with this CPU's charge stock flushed. */
static long long charged_now(void)
{
	char *p;
	int fd;

	join_cgroup(CG_DRAIN);
	p = mmap(NULL, PGENC_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(p != MAP_FAILED, "mmap");
	p[0] = 1; /* a page charge */
	fd = open("/dev/null", O_RDONLY); /* struct file: a slab charge */
	if (fd >= 0)
		close(fd);
	munmap(p, PGENC_PAGE);
	join_cgroup(CG_MAIN);
	return read_ll(CG_MAIN "/memory.current");
}

struct fp_vm {
	struct kvm_vm *vm;
	void *ram, *top;
	uint64_t size;
};

static void fp_vm_create(struct fp_vm *v, uint64_t size, uint64_t top,
			 bool track)
{
	v->vm = vm_create_barebones();
	v->size = size;
	if (track)
		pgenc_enable(v->vm);
	v->ram = pgenc_sparse_slot(v->vm, 1, 0, size / PGENC_PAGE);
	v->top = top ? pgenc_sparse_slot(v->vm, 2, top, SLOT_PAGES) : NULL;
}

static void fp_vm_free(struct fp_vm *v)
{
	kvm_vm_free(v->vm);
	bench_free(v->ram, v->size);
	bench_free(v->top, SLOT_PAGES * PGENC_PAGE);
}

/* Bytes charged while a VM of this layout exists. */
static long long charge_of(uint64_t size, uint64_t top, bool track,
			   long long *bitmap_bytes)
{
	struct fp_vm v;
	long long c0, c1;

	c0 = charged_now();
	fp_vm_create(&v, size, top, track);
	c1 = charged_now();
	if (bitmap_bytes)
		*bitmap_bytes = pgenc_stat(v.vm, "bitmap_bytes");
	fp_vm_free(&v);
	return c1 - c0;
}

static void slab_geometry(void)
{
	char line[512], name[64];
	unsigned long active, num, objsize, perslab, pages;
	FILE *f = fopen("/proc/slabinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lu %lu %lu %lu %lu", name, &active,
			   &num, &objsize, &perslab, &pages) == 6 &&
		    !strcmp(name, "radix_tree_node")) {
			bench_info("xa.slab",
				   "\"objsize\": %lu, \"objperslab\": %lu, \"pagesperslab\": %lu",
				   objsize, perslab, pages);
			break;
		}
	}
	if (f)
		fclose(f);
}

int bench_footprint(void)
{
	struct series tracked, untracked, delta;
	char names[NSIZES][3][48];
	long long bb = -1, t, u;
	cpu_set_t cpus, saved;
	size_t si;
	int rep;

	mkdir(CG_MAIN, 0755);
	mkdir(CG_DRAIN, 0755);
	if (!write_str(CG_ROOT "/cgroup.subtree_control", "+memory") ||
	    read_ll(CG_MAIN "/memory.current") < 0) {
		bench_info("footprint.skipped",
			   "\"reason\": \"no cgroup v2 memory controller\"");
		return 0;
	}
	TEST_ASSERT(!sched_getaffinity(0, sizeof(saved), &saved), "affinity");
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(cpus), &cpus), "pin to CPU 0");
	join_cgroup(CG_MAIN);
	slab_geometry();

	/* Warm caches and slabs once for each kind of VM. */
	charge_of(GIB, 0, true, NULL);
	charge_of(GIB, 0, false, NULL);

	for (si = 0; si < NSIZES; si++) {
		snprintf(names[si][0], 48, "footprint.%s.tracked",
			 sizes[si].name);
		snprintf(names[si][1], 48, "footprint.%s.untracked",
			 sizes[si].name);
		snprintf(names[si][2], 48, "footprint.%s.charged",
			 sizes[si].name);
		series_init(&tracked, names[si][0], "bytes");
		series_init(&untracked, names[si][1], "bytes");
		series_init(&delta, names[si][2], "bytes");
		for (rep = 0; rep < bench_reps; rep++) {
			u = charge_of(sizes[si].bytes, sizes[si].top, false,
				      NULL);
			t = charge_of(sizes[si].bytes, sizes[si].top, true,
				      &bb);
			series_add(&untracked, u);
			series_add(&tracked, t);
			series_add(&delta, t - u);
		}
		bench_emit(&tracked, "\"size\": \"%s\"", sizes[si].name);
		bench_emit(&untracked, "\"size\": \"%s\"", sizes[si].name);
		bench_emit(&delta,
			   "\"size\": \"%s\", \"guest_bytes\": %lu, \"pages\": %lu, \"top_gpa\": %lu, \"bitmap_bytes\": %lld",
			   sizes[si].name, (unsigned long)sizes[si].bytes,
			   (unsigned long)(sizes[si].bytes / PGENC_PAGE),
			   (unsigned long)sizes[si].top, bb);
	}

	join_cgroup(CG_ROOT);
	sched_setaffinity(0, sizeof(saved), &saved);
	return 0;
}
