// SPDX-License-Identifier: GPL-2.0-only
/*
 * page_enc_memslot_test: the bits belong to memslots (Documentation/
 * api.rst, "Tracked memory"). A new slot's pages start encrypted; holes
 * read as encrypted and cannot be changed by SET or the hypercall, which
 * refuse any range that is not wholly in memslots and change nothing; a
 * moved slot takes its bits along; a deleted slot's bits are freed. A
 * slot near the top of the guest-physical space costs a few bytes, not a
 * bitmap up to it. The bits are charged to the VMM's memory cgroup, and
 * hundreds of tracked VMs created and destroyed leave not even a small
 * object per VM charged.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdio.h>

#include "pgenc_util.h"

#define GIB (1ULL << 30)
#define SLOT_PAGES 64ULL
#define GFN(gpa) ((gpa) / PGENC_PAGE)
#define KVM_EINVAL_RET ((uint64_t)-KVM_EINVAL)

/* c, or false after a diagnostic line naming the check that failed. */
#define CHECK(c) ((c) || (ksft_print_msg("failed: %s\n", #c), false))

static uint64_t guest_gpa, guest_npages, guest_attrs;

static void guest_code(void)
{
	for (;;)
		GUEST_SYNC(pgenc_guest_hc(guest_gpa, guest_npages,
					  guest_attrs));
}

/* The guest's hypercall 12; its RAX. */
static uint64_t guest_hc(struct kvm_vcpu *vcpu, uint64_t gpa, uint64_t n,
			 bool enc)
{
	struct ucall uc;

	guest_gpa = gpa;
	guest_npages = n;
	guest_attrs = enc ? KVM_PAGE_ENC_ATTR_ENCRYPTED : 0;
	sync_global_to_guest(vcpu->vm, guest_gpa);
	sync_global_to_guest(vcpu->vm, guest_npages);
	sync_global_to_guest(vcpu->vm, guest_attrs);
	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC, "guest sync");
	return uc.args[1];
}

/*
 * Memslots cover gfn end - 1 and not gfn end: probed with SET NULL, which
 * makes end - 1 encrypted (in the model too, if m).
 */
static bool ends_at(struct kvm_vm *vm, struct pgenc_model *m, uint64_t end)
{
	if (m && end - 1 < m->npages)
		m->enc[end - 1] = 1;
	return !pgenc_set(vm, end - 1, 1, NULL) &&
	       pgenc_set(vm, end, 1, NULL) == -EINVAL;
}

/* SET random bits; the model follows only if the kernel took them. */
static int set_random(struct kvm_vm *vm, struct pgenc_model *m, uint64_t start,
		      uint64_t n)
{
	uint8_t *buf = malloc((n + 7) / 8);
	uint64_t i;
	int r;

	TEST_ASSERT(buf, "buffer");
	for (i = 0; i < (n + 7) / 8; i++)
		buf[i] = random();
	r = pgenc_set(vm, start, n, buf);
	for (i = 0; !r && i < n; i++)
		m->enc[start + i] = pgenc_bit(buf, i);
	free(buf);
	return r;
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

/* GET of [start, start + n) from an unaligned start equals the model. */
static bool get_matches(struct kvm_vm *vm, const struct pgenc_model *m,
			uint64_t start, uint64_t n)
{
	uint8_t *buf = calloc(1, n / 8 + 1);
	bool ok = buf && !pgenc_get(vm, start, n, buf);
	uint64_t i;

	for (i = 0; ok && i < n; i++)
		ok = pgenc_bit(buf, i) ==
		     (start + i < m->npages ? m->enc[start + i] : 1);
	free(buf);
	return ok;
}

static void test_slots(void)
{
	uint64_t end0, s1, s2, s3, tracked;
	long long bytes_before;
	struct kvm_vcpu *vcpu;
	struct pgenc_model m;
	struct kvm_vm *vm;
	bool ok;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	pgenc_enable(vm);
	/* The library's slot 0 starts at gpa 0; find its end. */
	end0 = GFN(memslot2region(vm, 0)->region.guest_phys_addr +
		   memslot2region(vm, 0)->region.memory_size);
	ksft_test_result(ends_at(vm, NULL, end0),
			 "tracking enabled after slot 0 covers [0, %lu)\n",
			 end0);

	pgenc_model_init(&m, end0);
	TEST_ASSERT(!set_random(vm, &m, 0, end0), "SET slot 0");

	/* Slot 1 at 1 GiB, slot 2 right after it. */
	s1 = GFN(GIB);
	s2 = s1 + SLOT_PAGES;
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, GIB, 1,
				    SLOT_PAGES, 0);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, s2 * PGENC_PAGE,
				    2, SLOT_PAGES, 0);
	model_resize(&m, s2 + SLOT_PAGES);
	ok = pgenc_model_diff(vm, &m) < 0 && ends_at(vm, &m, s2 + SLOT_PAGES);
	ksft_test_result(ok && !set_random(vm, &m, s1 + 3, 2 * SLOT_PAGES - 5) &&
				 pgenc_model_diff(vm, &m) < 0 &&
				 get_matches(vm, &m, s2 - 11, 29),
			 "new slots start encrypted; SET and GET cross adjacent slots unaligned\n");

	/* Holes: refused by SET and the hypercall, nothing changes. */
	ok = set_random(vm, &m, end0 - 5, 300) == -EINVAL &&
	     set_random(vm, &m, s1 - 1, 2) == -EINVAL &&
	     set_random(vm, &m, s2 + SLOT_PAGES - 1, 2) == -EINVAL &&
	     pgenc_set(vm, end0, 1, NULL) == -EINVAL &&
	     guest_hc(vcpu, end0 * PGENC_PAGE, 1, false) == KVM_EINVAL_RET &&
	     guest_hc(vcpu, (s1 - 1) * PGENC_PAGE, 2, false) ==
		     KVM_EINVAL_RET &&
	     guest_hc(vcpu, (s2 + 1) * PGENC_PAGE, SLOT_PAGES, false) ==
		     KVM_EINVAL_RET &&
	     guest_hc(vcpu, (end0 - 2) * PGENC_PAGE, 4, false) ==
		     KVM_EINVAL_RET;
	ksft_test_result(ok && pgenc_model_diff(vm, &m) < 0 &&
				 pgenc_stat(vm, "hypercall_errors") == 4,
			 "SET and hypercall 12 over a hole are refused and change nothing\n");

	ok = !guest_hc(vcpu, (s2 - 3) * PGENC_PAGE, 7, false);
	pgenc_model_fill(&m, s2 - 3, 7, false);
	ok = ok && !guest_hc(vcpu, (s1 + 1) * PGENC_PAGE, 1, true);
	m.enc[s1 + 1] = 1;
	tracked = end0 + 2 * SLOT_PAGES;
	ksft_test_result(ok && pgenc_model_diff(vm, &m) < 0 &&
				 pgenc_stat(vm, "tracked_pages") ==
					 (long long)tracked &&
				 pgenc_stat(vm, "shared_pages") ==
					 (long long)(m.npages -
						     model_count(&m)) &&
				 pgenc_stat(vm, "bitmap_slots") == 3,
			 "the hypercall crosses adjacent slots; pgenc_stats: tracked %lld, shared %lld, %lld slots, %lld bytes\n",
			 pgenc_stat(vm, "tracked_pages"),
			 pgenc_stat(vm, "shared_pages"),
			 pgenc_stat(vm, "bitmap_slots"),
			 pgenc_stat(vm, "bitmap_bytes"));

	/*
	 * Delete slot 2: its bits go, the gfns read encrypted, re-add fresh.
	 * A one-page call into slot 2 first, so that the hypercall's cache
	 * holds it; one into the re-added slot must reach the new bits.
	 */
	ok = CHECK(!guest_hc(vcpu, (s2 + 4) * PGENC_PAGE, 1, false));
	bytes_before = pgenc_stat(vm, "bitmap_bytes");
	vm_mem_region_delete(vm, 2);
	pgenc_model_fill(&m, s2, SLOT_PAGES, true);
	ok = ok && CHECK(pgenc_model_diff(vm, &m) < 0) &&
	     CHECK(ends_at(vm, &m, s2)) &&
	     CHECK(pgenc_stat(vm, "bitmap_slots") == 2) &&
	     CHECK(pgenc_stat(vm, "bitmap_bytes") < bytes_before) &&
	     CHECK(guest_hc(vcpu, s2 * PGENC_PAGE, 1, false) == KVM_EINVAL_RET);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, s2 * PGENC_PAGE,
				    2, SLOT_PAGES, 0);
	ok = ok && CHECK(pgenc_model_diff(vm, &m) < 0) &&
	     CHECK(!guest_hc(vcpu, (s2 + 6) * PGENC_PAGE, 1, false));
	m.enc[s2 + 6] = 0;
	ksft_test_result(ok && CHECK(pgenc_model_diff(vm, &m) < 0) &&
				 CHECK(pgenc_stat(vm, "bitmap_bytes") ==
				       bytes_before),
			 "deleting a slot frees its bits; re-added pages start encrypted, and a call reaches them\n");

	/* Move slot 1 to 3 GiB: its bits go with it (KVM_MR_MOVE). */
	TEST_ASSERT(!set_random(vm, &m, s1, SLOT_PAGES), "SET slot 1");
	s3 = GFN(3 * GIB);
	vm_mem_region_move(vm, 1, 3 * GIB);
	model_resize(&m, s3 + SLOT_PAGES);
	memcpy(m.enc + s3, m.enc + s1, SLOT_PAGES);
	memset(m.enc + s1, 1, SLOT_PAGES);
	ok = CHECK(pgenc_model_diff(vm, &m) < 0) &&
	     CHECK(ends_at(vm, &m, s3 + SLOT_PAGES)) &&
	     CHECK(guest_hc(vcpu, s1 * PGENC_PAGE, 1, false) ==
		   KVM_EINVAL_RET) &&
	     CHECK(!guest_hc(vcpu, (s3 + 5) * PGENC_PAGE, 1, false));
	m.enc[s3 + 5] = 0;
	vm_mem_region_move(vm, 1, GIB);
	memcpy(m.enc + s1, m.enc + s3, SLOT_PAGES);
	model_resize(&m, s2 + SLOT_PAGES);
	ksft_test_result(ok && CHECK(pgenc_model_diff(vm, &m) < 0) &&
				 CHECK(ends_at(vm, &m, s2 + SLOT_PAGES)),
			 "a moved slot keeps its bits, up and back down\n");

	free(m.enc);
	kvm_vm_free(vm);
}

/*
 * One 4 KiB slot at 2^45 and one of 16 pages at 2^46 + 4 KiB: the
 * memslot ioctls succeed and cost a few hundred bytes of bits, and the
 * hypercall, SET and GET reach them.
 */
static void test_high_slots(void)
{
	uint64_t g45 = GFN(1ULL << 45), g46 = GFN(1ULL << 46) + 1;
	uint8_t buf[3] = { 0 }, want[3] = { 0xff, 0xff, 0x0f };
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	void *h45, *h46;
	int r45, r46;
	bool ok;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	/*
	 * KVM's limit, not vm->max_gfn: the library keeps below 1 TiB on
	 * AMD CPUs older than family 17h (HyperTransport), as TCG's are.
	 */
	if (vm->pa_bits < 47) {
		ksft_test_result_skip("guest-physical space below 2^47 (%u bits)\n",
				      vm->pa_bits);
		ksft_test_result_skip("no high slots\n");
		kvm_vm_free(vm);
		return;
	}
	pgenc_enable(vm);
	h45 = mmap(NULL, 17 * PGENC_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(h45 != MAP_FAILED, "mmap");
	h46 = (char *)h45 + PGENC_PAGE;
	r45 = __vm_set_user_memory_region(vm, 5, 0, g45 * PGENC_PAGE,
					  PGENC_PAGE, h45);
	r46 = __vm_set_user_memory_region(vm, 6, 0, g46 * PGENC_PAGE,
					  16 * PGENC_PAGE, h46);
	ksft_test_result(!r45 && !r46 &&
				 pgenc_stat(vm, "bitmap_bytes") < 16 * 1024,
			 "slots at 2^45 and 2^46 created (%d, %d); bits of every slot: %lld bytes\n",
			 r45 ? -errno : 0, r46 ? -errno : 0,
			 pgenc_stat(vm, "bitmap_bytes"));

	ok = !r45 && !r46 &&
	     CHECK(!guest_hc(vcpu, (g46 + 2) * PGENC_PAGE, 3, false)) &&
	     CHECK(!guest_hc(vcpu, g45 * PGENC_PAGE, 1, false)) &&
	     CHECK(guest_hc(vcpu, (g45 + 1) * PGENC_PAGE, 1, false) ==
		   KVM_EINVAL_RET) &&
	     CHECK(guest_hc(vcpu, (g46 - 1) * PGENC_PAGE, 2, false) ==
		   KVM_EINVAL_RET) &&
	     CHECK(pgenc_set(vm, g46 + 15, 2, NULL) == -EINVAL) &&
	     CHECK(!pgenc_get(vm, g46 - 4, 20, buf));
	/* gfn g46 - 4 + i is bit i: the shared ones are g46 + 2 .. g46 + 4. */
	want[0] = 0xff & ~(0x7 << 6);
	want[1] = 0xff & ~0x1;
	ok = ok && CHECK(!memcmp(buf, want, 3)) &&
	     CHECK(!pgenc_get(vm, g45 - 1, 3, buf)) && CHECK((buf[0] & 7) == 5);
	ksft_test_result(ok,
			 "the hypercall and GET reach the high slots; the holes around them are refused\n");
	kvm_vm_free(vm);
	munmap(h45, 17 * PGENC_PAGE);
}

#define HOLD_PARAM "/sys/module/kvm/parameters/pgenc_hold_stats"
#define HOLD_GPA (4 * GIB)
/* Pages per hold of the pgenc lock (Documentation/api.rst, "7. Locking"). */
#define PGENC_CHUNK_PAGES (64 * 1024 * 8)

static bool write_file(const char *path, const char *s);

/*
 * The longest hold of the pgenc lock (test-only kvm.pgenc_hold_stats)
 * over one hypercall that shares a slot of slot_bytes and one that
 * encrypts it again, in a fresh VM; -1 if it cannot be read.
 */
static long long hold_over(uint64_t slot_bytes, long long *bits)
{
	uint64_t pages = slot_bytes / PGENC_PAGE;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	long long ns = -1;
	void *hva;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	pgenc_enable(vm);
	hva = pgenc_sparse_slot(vm, 1, HOLD_GPA, pages);
	if (!guest_hc(vcpu, HOLD_GPA, pages, false) &&
	    pgenc_stat(vm, "shared_pages") == (long long)pages &&
	    !guest_hc(vcpu, HOLD_GPA, pages, true)) {
		ns = pgenc_stat(vm, "max_hold_ns");
		*bits = pgenc_stat(vm, "max_hold_bits");
	}
	kvm_vm_free(vm);
	munmap(hva, slot_bytes);
	return ns;
}

/* The smallest of rounds longest holds: one preemption cannot lift it. */
static long long hold_min(uint64_t slot_bytes, int rounds, long long *max,
			  long long *bits)
{
	long long ns, min = -1;
	int i;

	for (i = 0; i < rounds; i++) {
		ns = hold_over(slot_bytes, bits);
		if (ns < 0)
			return -1;
		min = min < 0 || ns < min ? ns : min;
		*max = ns > *max ? ns : *max;
	}
	return min;
}

/*
 * A hypercall over 64 GiB fills its bits one chunk (2 GiB of guest) per
 * hold of the lock: the work per hold is bounded, not the guest's to
 * choose. Checked by the work (max_hold_bits), not by time; the longest
 * holds in ns, the smallest over 5 VMs of the longest hold in each and
 * the largest, are printed as figures (Documentation/benchmarks.rst,
 * "7. Longest hold of the pgenc lock").
 */
static void test_hold(void)
{
	long long one, big, one_max = 0, big_max = 0, one_bits = 0,
			    big_bits = 0;

	if (!write_file(HOLD_PARAM, "Y")) {
		ksft_test_result_fail("cannot enable %s\n", HOLD_PARAM);
		return;
	}
	one = hold_min(2 * GIB, 5, &one_max, &one_bits);
	big = hold_min(64 * GIB, 5, &big_max, &big_bits);
	write_file(HOLD_PARAM, "N");
	ksft_print_msg("longest pgenc lock hold per VM, min/max of 5: 2 GiB hypercalls %lld/%lld ns, 64 GiB %lld/%lld ns\n",
		       one, one_max, big, big_max);
	ksft_test_result(one > 0 && big > 0 && big_bits == PGENC_CHUNK_PAGES,
			 "a hypercall over 64 GiB fills at most %lld bits per lock hold (one chunk: %d)\n",
			 big_bits, PGENC_CHUNK_PAGES);
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

/*
 * A VM whose only slot is 16 pages at 2^45: its bits are 16 bits, where a
 * bitmap up to the slot would take 1 GiB.
 */
#define BIG_GPA (1ULL << 45)
#define SMALL_CHARGE (1 << 20)

static void *big_hva;

static struct kvm_vm *big_vm(bool track)
{
	struct kvm_vm *vm = vm_create_barebones();

	if (track)
		pgenc_enable(vm);
	TEST_ASSERT(!__vm_set_user_memory_region(vm, 1, 0, BIG_GPA,
						 16 * PGENC_PAGE, big_hva),
		    "slot at 2^45: %s", strerror(errno));
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

/* 40960 pages: 5 KiB of bits. */
#define BIG_SLOT (160ULL << 20)

/* One tracked VM through each allocation and free path of the bits. */
static void churn_vm(int i, void *hva)
{
	struct kvm_vm *vm = vm_create_barebones();

	if (i % 2) /* enable with a slot: its bits are allocated at once */
		vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, 0, 1, 16,
					    0);
	pgenc_enable(vm);
	if (!(i % 2)) /* enable first: the slot's creation allocates */
		vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, 0, 1, 16,
					    0);
	/* A slot whose bits are vmalloc()ed (more than a page of them). */
	TEST_ASSERT(!__vm_set_user_memory_region(vm, 2, 0, GIB, BIG_SLOT, hva),
		    "big slot");
	if (i % 3 == 0) /* delete: its bits are freed at once */
		TEST_ASSERT(!__vm_set_user_memory_region(vm, 2, 0, GIB, 0, hva),
			    "delete");
	if (i % 4 == 0) /* a move keeps them */
		vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, 4 * GIB,
					    3, 16, 0);
	if (i % 4 == 0)
		vm_mem_region_move(vm, 3, 8 * GIB);
	kvm_vm_free(vm);
}

/* Run n churn cycles in a child inside cg; false if the child failed. */
static bool churn_in_child(const char *cg, int n)
{
	int i, status;
	pid_t pid = fork();
	void *hva;

	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		if (!join(cg))
			_exit(2);
		hva = mmap(NULL, BIG_SLOT, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (hva == MAP_FAILED)
			_exit(3);
		for (i = 0; i < n; i++)
			churn_vm(i, hva);
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

	keep = vm_create_barebones();
	ok = keep->pa_bits > 45;
	kvm_vm_free(keep);
	big_hva = mmap(NULL, 16 * PGENC_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(big_hva != MAP_FAILED, "mmap");
	if (!ok) {
		ksft_test_result_skip("guest-physical space below 2^46\n");
		ksft_test_result_skip("guest-physical space below 2^46\n");
		return;
	}
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
	ksft_test_result(with - without < SMALL_CHARGE,
			 "a slot at 2^45 charges the VMM's memcg %lld bytes for tracking (under %d)\n",
			 with - without, SMALL_CHARGE);

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
	ksft_set_plan(6 + 2 + 2 + 1);
	srandom(2);

	test_slots();
	test_high_slots();
	test_hold();
	test_accounting();
	ksft_finished();
}
