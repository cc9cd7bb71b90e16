// SPDX-License-Identifier: GPL-2.0-only
/*
 * page_enc_migrate_race_test: a bit that hypercall 12 flips marks its page
 * dirty in KVM's dirty log; see
 * Documentation/api.rst, "Dirty pages on a status change".
 *
 * The race: a guest flips a page's C-bit, writes the page, and only then
 * makes the hypercall. A pre-copy iteration that runs in between syncs the
 * dirty log and sends the page under its old status, clearing its dirty
 * bit; without the mark, the status change that lands next never makes
 * the page dirty again and the target keeps the old status. The test is
 * that migration in miniature: each stop of the guest is an iteration
 * that "sends" every dirty page with its current status; at the end what
 * was sent must equal the final bitmap. Also: only flips mark (a call
 * that changes nothing, or pages already in the new state, stay clean),
 * ranges across memslots mark the pages of the slots that log, and a slot
 * without logging is never touched. All of it twice: with the dirty
 * bitmap (KVM_GET_DIRTY_LOG) and with the vCPU's dirty ring. Last, a
 * small ring: a call with more marks than it has room for stops, exits,
 * and runs again once the ring is harvested, until it is done.
 */
#define _GNU_SOURCE
#include "pgenc_util.h"

#define SLOT_LOG 1 /* dirty logging on */
#define SLOT_QUIET 2 /* right after SLOT_LOG, no dirty logging */
#define GPA_LOG (1ULL << 30)
#define NPAGES 64
#define GPA_QUIET (GPA_LOG + NPAGES * PGENC_PAGE)

/*
 * What each guest step does, and the pages of SLOT_LOG (NPAGES = 64: one
 * bit each) that the dirty log must report after it.
 */
enum step {
	WRITE_P, /* write page 3: the C-bit flip and the write */
	SHARE_P, /* then the hypercall: page 3 shared */
	SHARE_P_AGAIN, /* no change: nothing dirty */
	SHARE_RANGE, /* pages 0..7 shared: 3 already is */
	ENCRYPT_RANGE, /* pages 4..11 encrypted: only 4..7 flip back */
	ACROSS_SLOTS, /* pages 60..67: 60..63 in SLOT_LOG, 64..67 quiet */
	NR_STEPS,
};

static const uint64_t expect[NR_STEPS] = {
	[WRITE_P] = 1ULL << 3,	   [SHARE_P] = 1ULL << 3,
	[SHARE_P_AGAIN] = 0,	   [SHARE_RANGE] = 0xffULL & ~(1ULL << 3),
	[ENCRYPT_RANGE] = 0xf0ULL, [ACROSS_SLOTS] = 0xfULL << 60,
};

static void guest_code(void)
{
	volatile uint64_t *p3 = (volatile uint64_t *)(GPA_LOG + 3 * PGENC_PAGE);
	uint64_t r;

	*p3 = 0x5eed;
	GUEST_SYNC(WRITE_P);
	r = pgenc_guest_hc(GPA_LOG + 3 * PGENC_PAGE, 1, 0);
	GUEST_SYNC_ARGS(SHARE_P, r, 0, 0, 0);
	r = pgenc_guest_hc(GPA_LOG + 3 * PGENC_PAGE, 1, 0);
	GUEST_SYNC_ARGS(SHARE_P_AGAIN, r, 0, 0, 0);
	r = pgenc_guest_hc(GPA_LOG, 8, 0);
	GUEST_SYNC_ARGS(SHARE_RANGE, r, 0, 0, 0);
	r = pgenc_guest_hc(GPA_LOG + 4 * PGENC_PAGE, 8, 1);
	GUEST_SYNC_ARGS(ENCRYPT_RANGE, r, 0, 0, 0);
	r = pgenc_guest_hc(GPA_LOG + 60 * PGENC_PAGE, 8, 0);
	GUEST_SYNC_ARGS(ACROSS_SLOTS, r, 0, 0, 0);
	GUEST_DONE();
}

#define RING_ENTRIES 4096

/* The dirty log in use: the slot's bitmap, or the vCPU's dirty ring. */
struct log {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	struct kvm_dirty_gfn *ring; /* NULL: the bitmap */
	uint32_t fetch;
};

/* The pages of SLOT_LOG that the log reports (and so clears). */
static uint64_t sync_log(struct log *l)
{
	struct kvm_dirty_gfn *e;
	uint64_t dirty = 0;

	if (!l->ring) {
		kvm_vm_get_dirty_log(l->vm, SLOT_LOG, &dirty);
		return dirty;
	}
	for (;; l->fetch++) {
		e = &l->ring[l->fetch % RING_ENTRIES];
		if (__atomic_load_n(&e->flags, __ATOMIC_ACQUIRE) !=
		    KVM_DIRTY_GFN_F_DIRTY)
			break;
		TEST_ASSERT(e->slot == SLOT_LOG && e->offset < NPAGES,
			    "ring entry slot %u offset %llu", e->slot,
			    (unsigned long long)e->offset);
		dirty |= 1ULL << e->offset;
		__atomic_store_n(&e->flags, KVM_DIRTY_GFN_F_RESET,
				 __ATOMIC_RELEASE);
	}
	kvm_vm_reset_dirty_ring(l->vm);
	return dirty;
}

static void make_vm(struct log *l, bool ring)
{
	memset(l, 0, sizeof(*l));
	if (!ring) {
		l->vm = vm_create_with_one_vcpu(&l->vcpu, guest_code);
	} else {
		l->vm = vm_create(1);
		vm_enable_dirty_ring(l->vm,
				     RING_ENTRIES *
					     sizeof(struct kvm_dirty_gfn));
		l->vcpu = vm_vcpu_add(l->vm, 0, guest_code);
	}
	pgenc_enable(l->vm);
	vm_userspace_mem_region_add(l->vm, VM_MEM_SRC_ANONYMOUS, GPA_LOG,
				    SLOT_LOG, NPAGES, KVM_MEM_LOG_DIRTY_PAGES);
	vm_userspace_mem_region_add(l->vm, VM_MEM_SRC_ANONYMOUS, GPA_QUIET,
				    SLOT_QUIET, 8, 0);
	virt_map(l->vm, GPA_LOG, GPA_LOG, NPAGES + 8);
	if (ring)
		l->ring = vcpu_map_dirty_ring(l->vcpu);
}

static void run(bool ring)
{
	const char *mode = ring ? "ring" : "bitmap";
	uint8_t map[NPAGES / 8], quiet = 0;
	/* The "target": the status each page was last sent with (1 = enc). */
	bool sent[NPAGES];
	struct ucall uc;
	uint64_t dirty;
	struct log l;
	int step, i;

	make_vm(&l, ring);
	/* Iteration 0: every page sent, all encrypted. */
	sync_log(&l);
	for (i = 0; i < NPAGES; i++)
		sent[i] = true;

	for (step = 0; step < NR_STEPS; step++) {
		vcpu_run(l.vcpu);
		TEST_ASSERT(get_ucall(l.vcpu, &uc) == UCALL_SYNC &&
				    uc.args[1] == (uint64_t)step,
			    "%s: expected SYNC %d", mode, step);
		TEST_ASSERT(!uc.args[2], "%s: step %d: hypercall returned %ld",
			    mode, step, (long)uc.args[2]);
		/* An iteration: sync, then send each dirty page as it is now. */
		dirty = sync_log(&l);
		TEST_ASSERT(!pgenc_get(l.vm, GPA_LOG / PGENC_PAGE, NPAGES, map),
			    "GET");
		for (i = 0; i < NPAGES; i++)
			if (dirty >> i & 1)
				sent[i] = pgenc_bit(map, i);
		ksft_test_result(dirty == expect[step],
				 "%s: step %d: dirty pages 0x%016lx, expected 0x%016lx\n",
				 mode, step, (unsigned long)dirty,
				 (unsigned long)expect[step]);
	}
	vcpu_run(l.vcpu);
	TEST_ASSERT(get_ucall(l.vcpu, &uc) == UCALL_DONE, "guest done");

	/* The final pass finds nothing more: the target must agree. */
	dirty = sync_log(&l);
	TEST_ASSERT(!pgenc_get(l.vm, GPA_LOG / PGENC_PAGE, NPAGES, map), "GET");
	for (i = 0; i < NPAGES; i++)
		if (sent[i] != pgenc_bit(map, i))
			break;
	ksft_test_result(!dirty && i == NPAGES,
			 "%s: the pages sent carry the final bitmap (final dirty %#lx, first mismatch: page %d)\n",
			 mode, (unsigned long)dirty, i == NPAGES ? -1 : i);

	/* The slot without logging changed its bits all the same. */
	TEST_ASSERT(!pgenc_get(l.vm, GPA_QUIET / PGENC_PAGE, 8, &quiet), "GET");
	ksft_test_result(quiet == 0xf0,
			 "%s: the slot without logging: pages 0..3 shared (%#04x)\n",
			 mode, quiet);
	kvm_vm_free(l.vm);
}

/*
 * A call whose marks do not fit in the vCPU's dirty ring (below KVM's
 * soft limit) changes the prefix that fits and leaves the vCPU at its
 * VMMCALL: KVM exits with KVM_EXIT_DIRTY_RING_FULL, and after the harvest
 * the guest makes the same call again, which goes on where it stopped.
 * Without the limit KVM pushes into a full ring, which warns and
 * overwrites entries the VMM has not read. Two adjacent logging slots of
 * HALF pages each, a ring of SMALL_RING entries, of which KVM keeps 64
 * for itself on AMD: SOFT marks between harvests.
 */
#define SMALL_RING 256
#define SOFT (SMALL_RING - 64)
#define HALF 512
#define SLOT_B 3
#define GPA_B (GPA_LOG + HALF * PGENC_PAGE)

static const struct {
	uint64_t first, npages, attrs; /* the call, in pages of GPA_LOG */
	int flips; /* pages whose bit it flips: the marks */
	int shared[2][2]; /* then shared: two ranges [a, b) */
} ring_steps[] = {
	{ 0, 2 * HALF, 0, 2 * HALF, { { 0, 2 * HALF }, { 0, 0 } } },
	{ 0, HALF, 1, HALF, { { HALF, 2 * HALF }, { 0, 0 } } },
	{ 0, 100, 0, 100, { { 0, 100 }, { HALF, 2 * HALF } } },
	{ 50, 950, 1, 50 + 1000 - HALF, { { 0, 50 }, { 1000, 2 * HALF } } },
};

#define NR_RING_STEPS ((int)(sizeof(ring_steps) / sizeof(ring_steps[0])))

static void guest_ring(void)
{
	int i;

	for (i = 0; i < NR_RING_STEPS; i++)
		GUEST_SYNC_ARGS(i,
				pgenc_guest_hc(GPA_LOG + ring_steps[i].first *
								 PGENC_PAGE,
					       ring_steps[i].npages,
					       ring_steps[i].attrs),
				0, 0, 0);
	GUEST_DONE();
}

/* Harvest the ring: the entries, each checked to be a page of the slots. */
static int harvest(struct kvm_vm *vm, struct kvm_dirty_gfn *ring,
		   uint32_t *fetch)
{
	struct kvm_dirty_gfn *e;
	int n = 0;

	for (;; (*fetch)++, n++) {
		e = &ring[*fetch % SMALL_RING];
		if (__atomic_load_n(&e->flags, __ATOMIC_ACQUIRE) !=
		    KVM_DIRTY_GFN_F_DIRTY)
			break;
		TEST_ASSERT((e->slot == SLOT_LOG || e->slot == SLOT_B) &&
				    e->offset < HALF,
			    "ring entry slot %u offset %llu", e->slot,
			    (unsigned long long)e->offset);
		__atomic_store_n(&e->flags, KVM_DIRTY_GFN_F_RESET,
				 __ATOMIC_RELEASE);
	}
	kvm_vm_reset_dirty_ring(vm);
	return n;
}

static void run_small_ring(void)
{
	long long calls0, errors0;
	uint8_t map[2 * HALF / 8];
	struct kvm_dirty_gfn *ring;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	uint32_t fetch = 0;
	int step, i, marks, exits, bad, want_exits;

	vm = vm_create(1);
	vm_enable_dirty_ring(vm, SMALL_RING * sizeof(struct kvm_dirty_gfn));
	vcpu = vm_vcpu_add(vm, 0, guest_ring);
	pgenc_enable(vm);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, GPA_LOG, SLOT_LOG,
				    HALF, KVM_MEM_LOG_DIRTY_PAGES);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, GPA_B, SLOT_B,
				    HALF, KVM_MEM_LOG_DIRTY_PAGES);
	virt_map(vm, GPA_LOG, GPA_LOG, 2 * HALF);
	ring = vcpu_map_dirty_ring(vcpu);
	harvest(vm, ring, &fetch);

	for (step = 0; step < NR_RING_STEPS; step++) {
		calls0 = pgenc_stat(vm, "hypercalls");
		errors0 = pgenc_stat(vm, "hypercall_errors");
		/* Run, harvesting at each KVM_EXIT_DIRTY_RING_FULL. */
		for (marks = 0, exits = 0;; exits++) {
			vcpu_run(vcpu);
			marks += harvest(vm, ring, &fetch);
			if (vcpu->run->exit_reason != KVM_EXIT_DIRTY_RING_FULL)
				break;
		}
		TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC &&
				    uc.args[1] == (uint64_t)step,
			    "small ring: expected SYNC %d (exit reason %u)",
			    step, vcpu->run->exit_reason);
		TEST_ASSERT(!pgenc_get(vm, GPA_LOG / PGENC_PAGE, 2 * HALF, map),
			    "GET");
		for (bad = -1, i = 0; i < 2 * HALF && bad < 0; i++)
			if (pgenc_bit(map, i) ==
			    ((i >= ring_steps[step].shared[0][0] &&
			      i < ring_steps[step].shared[0][1]) ||
			     (i >= ring_steps[step].shared[1][0] &&
			      i < ring_steps[step].shared[1][1])))
				bad = i;
		/* Each exit after SOFT marks; the last run does the rest. */
		want_exits = (ring_steps[step].flips - 1) / SOFT;
		ksft_test_result(!uc.args[2] &&
					 marks == ring_steps[step].flips &&
					 exits == want_exits && bad < 0 &&
					 pgenc_stat(vm, "hypercalls") ==
						 calls0 + 1 &&
					 pgenc_stat(vm, "hypercall_errors") ==
						 errors0,
				 "small ring: call %d: returned %ld, %d marks (want %d) over %d ring-full exits (want %d), bitmap %s (first wrong bit %d), counted once\n",
				 step, (long)uc.args[2], marks,
				 ring_steps[step].flips, exits, want_exits,
				 bad < 0 ? "right" : "WRONG", bad);
	}
	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_DONE, "guest done");
	kvm_vm_free(vm);
}

int main(void)
{
	pgenc_require();
	/* x86 KVM has had the ring since 5.11: its absence is a failure. */
	TEST_ASSERT(kvm_has_cap(KVM_CAP_DIRTY_LOG_RING),
		    "KVM_CAP_DIRTY_LOG_RING missing");
	ksft_print_header();
	ksft_set_plan((NR_STEPS + 2) * 2 + NR_RING_STEPS);
	run(false);
	run(true);
	run_small_ring();
	ksft_finished();
}
