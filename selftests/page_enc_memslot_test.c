// SPDX-License-Identifier: GPL-2.0-only
/*
 * page_enc_memslot_test: the bitmap follows the memslots. Adding a higher
 * slot grows it and keeps every bit; deleting or moving the highest slot
 * shrinks the tracked range and a page that becomes tracked again starts
 * encrypted; the hypercall sees the new size. The bitmap is charged to the
 * VMM's memory cgroup, and hundreds of tracked VMs created and destroyed
 * leave not even a small object per VM charged.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* The cgroup this process started in, as a directory under cgroupfs. */
static void own_cgroup(char *dir, size_t len)
{
	char line[200] = "";
	FILE *f = fopen("/proc/self/cgroup", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	line[strcspn(line, "\n")] = 0;
	/* cgroup v2: "0::/path". */
	snprintf(dir, len, "/sys/fs/cgroup%s",
		 strncmp(line, "0::", 3) ? "" : line + 3);
}

static bool join(const char *cg)
{
	char path[512], pid[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return write_file(path, pid);
}

#define CYCLES 256
/*
 * What may stay charged after CYCLES VMs: the per-cpu byte stocks and the
 * sub-page remainder of the cgroup's slab charges, under a page each, not
 * per-VM state. A leak of 64 bytes per VM (16 KiB over CYCLES) fails.
 */
#define LEAK_BUDGET (16 << 10)

/* One tracked VM through each bitmap allocation and free path. */
static void churn_vm(int i)
{
	struct kvm_vm *vm = vm_create_barebones();

	if (i % 2) /* enable with a slot: the bitmap is allocated at once */
		vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, 0, 1, 16,
					    0);
	pgenc_enable(vm);
	if (!(i % 2)) /* enable first: the first slot installs the bitmap */
		vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, 0, 1, 16,
					    0);
	/* Growth into a vmalloc()ed bitmap frees the kmalloc()ed one. */
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, GIB, 2, 16, 0);
	if (i % 3 == 0) /* shrink: the bitmap keeps its size */
		vm_mem_region_delete(vm, 2);
	if (i % 4 == 0) /* a third, larger bitmap */
		vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, 4 * GIB,
					    3, 16, 0);
	kvm_vm_free(vm);
}

/* Run n churn cycles in a child inside cg; false if the child failed. */
static bool churn_in_child(const char *cg, int n)
{
	int i, status;
	pid_t pid = fork();

	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		if (!join(cg))
			_exit(2);
		for (i = 0; i < n; i++)
			churn_vm(i);
		_exit(0);
	}
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       !WEXITSTATUS(status);
}

/* A field of cg's memory.stat, in bytes; -1 if absent. */
static long long memcg_stat(const char *cg, const char *field)
{
	char path[512], name[64];
	long long v, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", cg);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (found < 0 && fscanf(f, "%63s %lld", name, &v) == 2)
		if (!strcmp(name, field))
			found = v;
	fclose(f);
	return found;
}

/*
 * Kernel memory charged to cg (which has no tasks) once it is at most
 * limit (limit < 0: once it stops changing), or after 10 s. memory.stat's
 * "kernel" counts the kmem pages charged (slab, vmalloc, percpu, page
 * tables, stacks) and not the per-cpu stock of precharged pages that
 * blurs memory.current; only the per-cpu byte stocks of slab charges stay
 * in it, under a page each. The kernel folds the per-cpu counters into it
 * at least every 2 s, and objects freed after an RCU grace period arrive
 * later: hence the polling.
 */
static long long memcg_kernel_settled(const char *cg, long long limit)
{
	long long cur = -1, prev;
	int i;

	for (i = 0; i < 20; i++) {
		usleep(500 * 1000);
		prev = cur;
		cur = memcg_stat(cg, "kernel");
		if (i < 5 || cur < 0) /* not yet flushed for sure */
			continue;
		if (limit >= 0 ? cur <= limit : cur == prev)
			break;
	}
	return cur;
}

static void test_accounting(void)
{
	const char *cg = "/sys/fs/cgroup/pgenc-memslot-test";
	long long base, with, without, after;
	struct kvm_vm *keep;
	char home[256];
	bool ok;

	own_cgroup(home, sizeof(home));
	mkdir(cg, 0755);
	if (!write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory") ||
	    !join(cg) || memcg_current(cg) < 0) {
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

	/*
	 * The leak check runs in children, so that the cgroup holds no task
	 * when it is read: whatever kernel memory stays charged after a
	 * child exits is memory nobody freed. A first child warms up what
	 * the kernel allocates once.
	 */
	TEST_ASSERT(join(home), "cannot move back to %s", home);
	/*
	 * With no VM left, each create and destroy would turn SVM on and
	 * off on every CPU by IPI, which crawls under emulation: keep one.
	 */
	keep = vm_create_barebones();
	ok = churn_in_child(cg, 8);
	base = memcg_kernel_settled(cg, -1);
	ok = churn_in_child(cg, CYCLES) && ok;
	after = memcg_kernel_settled(cg, base + LEAK_BUDGET);
	ksft_test_result(ok && base >= 0 && after >= 0 &&
				 after - base <= LEAK_BUDGET,
			 "%d tracked VMs created and destroyed: %lld bytes left charged (%lld per VM), budget %d\n",
			 CYCLES, after - base, (after - base) / CYCLES,
			 LEAK_BUDGET);
	kvm_vm_free(keep);
	rmdir(cg);
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
