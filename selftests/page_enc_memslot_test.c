// SPDX-License-Identifier: GPL-2.0-only
/*
 * page_enc_memslot_test: the bitmap follows the memslots. Adding a higher
 * slot grows it and keeps every bit; deleting or moving the highest slot
 * shrinks the tracked range and a page that becomes tracked again starts
 * encrypted; the hypercall sees the new size. The bitmap is charged to the
 * VMM's memory cgroup and returned when the VM is destroyed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>

#include "pgenc_util.h"

#define GIB (1ULL << 30)
#define SLOT_PAGES 64ULL
#define GFN(gpa) ((gpa) / PGENC_PAGE)

static uint64_t guest_gpa;

static void guest_code(void)
{
	for (;;)
		GUEST_SYNC(pgenc_guest_hc(guest_gpa, 1, 0x00));
}

/* Tracking ends exactly at gfn end: probed where the bits are fresh. */
static bool ends_at(struct kvm_vm *vm, uint64_t end)
{
	return !pgenc_set(vm, end - 1, 1, NULL) &&
	       pgenc_set(vm, end, 1, NULL) == -EINVAL;
}

static void set_random(struct kvm_vm *vm, struct pgenc_model *m, uint64_t start,
		       uint64_t n)
{
	uint8_t *buf = malloc((n + 7) / 8);
	uint64_t i;

	TEST_ASSERT(buf, "buffer");
	for (i = 0; i < (n + 7) / 8; i++)
		buf[i] = random();
	TEST_ASSERT(!pgenc_set(vm, start, n, buf), "SET");
	for (i = 0; i < n; i++)
		m->enc[start + i] = pgenc_bit(buf, i);
	free(buf);
}

static void model_resize(struct pgenc_model *m, uint64_t npages)
{
	m->enc = realloc(m->enc, npages);
	TEST_ASSERT(m->enc, "model");
	if (npages > m->npages)
		memset(m->enc + m->npages, 1, npages - m->npages);
	m->npages = npages;
}

static uint64_t model_count(const struct pgenc_model *m)
{
	uint64_t i, n = 0;

	for (i = 0; i < m->npages; i++)
		n += m->enc[i];
	return n;
}

static bool guest_hc_ok(struct kvm_vcpu *vcpu, uint64_t gpa)
{
	struct ucall uc;

	guest_gpa = gpa;
	sync_global_to_guest(vcpu->vm, guest_gpa);
	vcpu_run(vcpu);
	return get_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[1] == 0;
}

static void test_slots(void)
{
	uint64_t end0, end1, end2, end3;
	struct kvm_vcpu *vcpu;
	struct pgenc_model m;
	struct kvm_vm *vm;
	bool ok;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	pgenc_enable(vm);
	/* The library's slot 0 starts at gpa 0; find its end. */
	end0 = GFN(memslot2region(vm, 0)->region.guest_phys_addr +
		   memslot2region(vm, 0)->region.memory_size);
	ksft_test_result(ends_at(vm, end0),
			 "tracking enabled after slot 0 covers [0, %lu)\n",
			 end0);

	pgenc_model_init(&m, end0);
	set_random(vm, &m, 0, end0);

	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, GIB, 1,
				    SLOT_PAGES, 0);
	end1 = GFN(GIB) + SLOT_PAGES;
	model_resize(&m, end1);
	ok = pgenc_model_diff(vm, &m) < 0 && ends_at(vm, end1);
	set_random(vm, &m, end0 - 5, 300);
	set_random(vm, &m, end1 - 100, 100);
	ksft_test_result(ok && pgenc_model_diff(vm, &m) < 0,
			 "a higher slot grows the bitmap, keeps its bits, new pages encrypted\n");
	ksft_test_result(pgenc_stat(vm, "tracked_pages") == (long long)end1 &&
				 pgenc_stat(vm, "shared_pages") ==
					 (long long)(end1 - model_count(&m)) &&
				 pgenc_stat(vm, "bitmap_bytes") >=
					 (long long)end1 / 8,
			 "debugfs pgenc_stats: tracked %lld, shared %lld, %lld bytes\n",
			 pgenc_stat(vm, "tracked_pages"),
			 pgenc_stat(vm, "shared_pages"),
			 pgenc_stat(vm, "bitmap_bytes"));

	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, 2 * GIB, 2,
				    SLOT_PAGES, 0);
	end2 = GFN(2 * GIB) + SLOT_PAGES;
	model_resize(&m, end2);
	ok = ends_at(vm, end2) && guest_hc_ok(vcpu, 2 * GIB + 0x3000);
	m.enc[GFN(2 * GIB) + 3] = 0;
	set_random(vm, &m, end2 - 50, 50);
	ksft_test_result(ok && pgenc_model_diff(vm, &m) < 0,
			 "a second growth keeps all bits; the hypercall reaches the new slot\n");

	vm_mem_region_delete(vm, 2);
	model_resize(&m, end1);
	ok = ends_at(vm, end1) && pgenc_model_diff(vm, &m) < 0;
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, 2 * GIB, 2,
				    SLOT_PAGES, 0);
	model_resize(&m, end2);
	ksft_test_result(ok && pgenc_model_diff(vm, &m) < 0,
			 "deleting the top slot shrinks tracking; re-added pages start encrypted\n");

	/* Bits belong to gfns: a move leaves them behind. */
	vm_mem_region_move(vm, 1, 3 * GIB);
	end3 = GFN(3 * GIB) + SLOT_PAGES;
	model_resize(&m, end3);
	ok = ends_at(vm, end3) && pgenc_model_diff(vm, &m) < 0;
	set_random(vm, &m, end3 - 64, 64);
	vm_mem_region_move(vm, 1, GIB / 2);
	model_resize(&m, end2);
	ksft_test_result(ok && ends_at(vm, end2) &&
				 pgenc_model_diff(vm, &m) < 0,
			 "moving a slot up grows, moving the top slot down shrinks\n");

	free(m.enc);
	kvm_vm_free(vm);
}

/* memory.current of our own cgroup; -1 without a memory controller. */
static long long memcg_current(const char *cg)
{
	char path[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.current", cg);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static bool write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	bool ok = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s);

	if (fd >= 0)
		close(fd);
	return ok;
}

/* A VM whose only extra slot sits at 256 GiB: an 8 MiB bitmap. */
#define BIG_GPA (256 * GIB)
#define BIG_BITMAP (GFN(BIG_GPA) / 8)

static struct kvm_vm *big_vm(bool track)
{
	struct kvm_vm *vm = vm_create_barebones();

	if (track)
		pgenc_enable(vm);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, BIG_GPA, 1, 16,
				    0);
	return vm;
}

static void test_accounting(void)
{
	const char *cg = "/sys/fs/cgroup/pgenc-memslot-test";
	long long base, with, without, after;
	char pid[32];
	int i;

	snprintf(pid, sizeof(pid), "%d", getpid());
	mkdir(cg, 0755);
	if (!write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory") ||
	    !write_file("/sys/fs/cgroup/pgenc-memslot-test/cgroup.procs",
			pid) ||
	    memcg_current(cg) < 0) {
		ksft_test_result_skip("no cgroup v2 memory controller\n");
		ksft_test_result_skip("no cgroup v2 memory controller\n");
		return;
	}

	kvm_vm_free(big_vm(true)); /* warm up caches and the per-cpu stock */
	base = memcg_current(cg);
	{
		struct kvm_vm *a = big_vm(false);

		without = memcg_current(cg) - base;
		kvm_vm_free(a);
	}
	{
		struct kvm_vm *b = big_vm(true);

		with = memcg_current(cg) - base;
		kvm_vm_free(b);
	}
	/* Per-cpu charge batching blurs each reading by up to ~0.5 MiB. */
	ksft_test_result(with - without > BIG_BITMAP - (1 << 20) &&
				 with - without < BIG_BITMAP + (1 << 20),
			 "bitmap charged to the VMM's memcg: %lld bytes for %llu expected\n",
			 with - without, BIG_BITMAP);

	for (i = 0; i < 8; i++)
		kvm_vm_free(big_vm(true));
	after = memcg_current(cg);
	ksft_test_result(after - base < (1 << 20),
			 "9 tracked VMs created and destroyed: %lld bytes left charged\n",
			 after - base);
}

int main(void)
{
	ksft_print_header();
	pgenc_require();
	ksft_set_plan(6 + 2);
	srandom(2);

	test_slots();
	test_accounting();
	ksft_finished();
}
