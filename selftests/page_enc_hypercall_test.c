// SPDX-License-Identifier: GPL-2.0-only
/*
 * page_enc_hypercall_test: a guest reports ranges through hypercall 12 in
 * both a2 encodings; after every call the host's GET must equal a model
 * exactly, and every invalid call must return -KVM_EINVAL and change
 * nothing. An invalid call runs twice, over a random pattern and then
 * over its complement (both set with SET), so a kernel that wrote any
 * tracked bit, whatever value and wherever, before rejecting the call
 * would show in one of the two; none of them exits to the VMM. Then the
 * untracked VM (stock -KVM_ENOSYS), and KVM_CAP_EXIT_HYPERCALL: stock
 * exits on an untracked VM, and the same exits alongside tracking.
 */
#define _GNU_SOURCE
#include "pgenc_util.h"

#define SLOT1_GPA 0x4000000ULL /* 64 MiB: slot 2 fills the gap below it */
#define SLOT1_PAGES 1024ULL
#define END_GPA (SLOT1_GPA + SLOT1_PAGES * PGENC_PAGE)
#define END_GFN (END_GPA / PGENC_PAGE)
#define M2 0x200000ULL

struct hc_case {
	uint64_t gpa, npages, attrs;
	bool valid;
	const char *what;
};

static const struct hc_case cases[] = {
	{ 0, 1, 0x00, true, "{0,4K} shared (4K hint / seed 0)" },
	{ 0, 512, 0x10, true, "{0,2M} encrypted (upstream)" },
	{ 0, 512, 0x00, true, "{0,2M} shared" },
	{ 0x1000, 1, 0x01, true, "{4K,4K} encrypted (seed 1)" },
	{ 0x1000, 512, 0x00, true, "{4K,2M} shared" },
	{ M2, 1, 0x10, true, "{2M,4K} encrypted (upstream)" },
	{ M2, 1, 0x00, true, "{2M,4K} shared (seed 0)" },
	{ M2, 1, 0x01, true, "{2M,4K} encrypted (seed 1)" },
	{ 0x3000, 7, 0x12, true, "7 odd pages encrypted (1G hint)" },
	{ 0x5000, 3, 0x02, true, "3 odd pages shared (1G hint)" },
	{ 0x9000, 5, 0x11, true, "5 odd pages encrypted (2M hint)" },
	{ 0x300000, SLOT1_GPA / PGENC_PAGE - 0x300, 0x00, true,
	  "slot 0 tail and slot 2 shared (adjacent slots)" },
	{ SLOT1_GPA - 0x2000, 5, 0x10, true,
	  "slot 2/slot 1 straddle encrypted" },
	{ END_GPA - 0x1000, 1, 0x00, true, "last tracked page shared" },
	{ END_GPA - 0x3000, 2, 0x11, true, "pages before the last encrypted" },
	/* Invalid: each must return -KVM_EINVAL with the bitmap unchanged. */
	{ 0x1001, 1, 0x00, false, "gpa not page aligned" },
	{ 0x1001, 1, 0x01, false, "gpa not page aligned (seed 1)" },
	{ 0x0800, 1, 0x10, false, "gpa half-page aligned" },
	{ 0x1000, 0, 0x10, false, "npages 0" },
	{ 0x1000, 0, 0x01, false, "npages 0 (seed 1)" },
	{ 0xfffffffffffff000ULL, 2, 0x00, false, "gfn + npages wraps" },
	{ 0xfffffffffffff000ULL, 2, 0x01, false,
	  "gfn + npages wraps (seed 1)" },
	{ 0x1000, ~0ULL, 0x00, false, "npages ~0 wraps" },
	{ END_GPA - 0x1000, 2, 0x00, false, "range runs past memory" },
	{ END_GPA - 0x1000, 2, 0x01, false, "range runs past memory (seed 1)" },
	{ END_GPA - 0x1000, 2, 0x10, false,
	  "range runs past memory (upstream)" },
	{ END_GPA, 1, 0x10, false, "range starts at the end of memory" },
	{ 1ULL << 44, 1, 0x00, false, "range far beyond memory" },
	{ 0x1000, 1, 0x20, false, "reserved a2 bit 5" },
	{ 0x1000, 1, 0x30, false, "reserved a2 bit 5, encrypted" },
	{ 0x1000, 1, 0x21, false, "reserved a2 bit 5 with seed 1" },
	{ 0x1000, 1, 1ULL << 63, false, "reserved a2 bit 63" },
	{ 0x1000, 1, 1ULL << 63 | 0x10, false,
	  "reserved a2 bit 63, encrypted" },
	{ 0x1000, 1, 0x03, false, "page-size hint 3" },
	{ 0x1000, 1, 0x13, false, "page-size hint 3, encrypted" },
	{ 0x1000, 1, 0x1f, false, "page-size hint 15, encrypted" },
	/* Valid again after the rejects: everything, then back to mixed. */
	{ 0, END_GFN, 0x00, true, "all tracked memory shared" },
	{ 0, END_GFN, 0x10, true, "all tracked memory encrypted" },
	{ 0x7000, 9, 0x00, true, "9 pages shared again" },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))
/* An invalid case runs over a pattern, then over its complement. */
#define REPS(c) ((c)->valid ? 1 : 2)

/* What the guest runs; set per VM by the host. */
static const struct hc_case *guest_cases;
static uint64_t guest_ncases;

static void guest_code(void)
{
	uint64_t i, rep;

	for (i = 0; i < guest_ncases; i++)
		for (rep = 0; rep < REPS(&guest_cases[i]); rep++)
			GUEST_SYNC_ARGS(i,
					pgenc_guest_hc(guest_cases[i].gpa,
						       guest_cases[i].npages,
						       guest_cases[i].attrs),
					rep, 0, 0);
	GUEST_DONE();
}

static struct kvm_vm *make_vm(struct kvm_vcpu **vcpu, bool track,
			      const struct hc_case *c, uint64_t n)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_code);

	uint64_t gap;

	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, SLOT1_GPA, 1,
				    SLOT1_PAGES, 0);
	/* Tracked memory is the memslots: no hole in [0, END_GFN). */
	pgenc_track_to(vm, 2, SLOT1_GPA / PGENC_PAGE, &gap);
	if (track)
		pgenc_enable(vm);
	guest_cases = c;
	guest_ncases = n;
	sync_global_to_guest(vm, guest_cases);
	sync_global_to_guest(vm, guest_ncases);
	return vm;
}

/* Run to the next ucall; returns the command and fills *uc. */
static uint64_t next_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	uint64_t cmd;

	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO, "unexpected exit %s",
		    exit_reason_str(vcpu->run->exit_reason));
	cmd = get_ucall(vcpu, uc);
	if (cmd == UCALL_ABORT)
		REPORT_GUEST_ASSERT(*uc);
	return cmd;
}

/*
 * SET all tracked memory to a random pattern (rep 0) or to the complement
 * of the previous one (rep 1), and record it in the model.
 */
static void set_pattern(struct kvm_vm *vm, struct pgenc_model *m, uint8_t *pat,
			uint64_t rep)
{
	uint64_t i;
	int r;

	for (i = 0; i < (m->npages + 7) / 8; i++)
		pat[i] = rep ? ~pat[i] : (uint8_t)random();
	r = pgenc_set(vm, 0, m->npages, pat);
	TEST_ASSERT(!r, "SET pattern: %s", strerror(-r));
	for (i = 0; i < m->npages; i++)
		m->enc[i] = pgenc_bit(pat, i);
}

static void test_tracked_ranges(void)
{
	uint8_t pat[(END_GFN + 7) / 8];
	struct pgenc_model model;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	uint64_t i, rep;

	vm = make_vm(&vcpu, true, cases, NCASES);
	pgenc_model_init(&model, END_GFN);

	/* The tracked range is exactly [0, END_GFN): probe its edge. */
	ksft_test_result(!pgenc_set(vm, END_GFN - 1, 1, NULL) &&
				 pgenc_set(vm, END_GFN, 1, NULL) == -EINVAL,
			 "tracked memory ends at the last memslot (gfn %llu)\n",
			 END_GFN);

	for (i = 0; i < NCASES; i++) {
		const struct hc_case *c = &cases[i];
		uint64_t want = c->valid ? 0 : (uint64_t)-KVM_EINVAL;
		uint64_t got = want, cmd;
		int64_t bad = -1, b;

		for (rep = 0; rep < REPS(c); rep++) {
			if (!c->valid)
				set_pattern(vm, &model, pat, rep);
			cmd = next_ucall(vcpu, &uc);
			TEST_ASSERT(cmd == UCALL_SYNC && uc.args[1] == i &&
					    uc.args[3] == rep,
				    "case %lu/%lu: expected its SYNC, got cmd %lu",
				    i, rep, cmd);
			if (c->valid)
				pgenc_model_fill(&model, c->gpa / PGENC_PAGE,
						 c->npages,
						 c->attrs & 0x10 ||
							 c->attrs == 1);
			if (uc.args[2] != want)
				got = uc.args[2];
			b = pgenc_model_diff(vm, &model);
			if (bad < 0)
				bad = b;
		}
		ksft_test_result(got == want && bad < 0,
				 "hc(%#lx, %lu, %#lx): %s -> %ld (want %ld), first wrong gfn %ld\n",
				 c->gpa, c->npages, c->attrs, c->what,
				 (long)got, (long)want, (long)bad);
	}
	TEST_ASSERT(next_ucall(vcpu, &uc) == UCALL_DONE, "guest not done");
	free(model.enc);
	kvm_vm_free(vm);
}

static const struct hc_case one_shared[] = {
	{ 0x2000, 2, 0x00, true, "2 pages shared" },
	{ 0x2001, 1, 0x00, false, "unaligned" },
};

/* Without tracking hypercall 12 is stock 6.1: -KVM_ENOSYS, no ioctls. */
static void test_untracked(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	uint8_t buf[8];

	vm = make_vm(&vcpu, false, one_shared, 1);
	TEST_ASSERT(next_ucall(vcpu, &uc) == UCALL_SYNC, "no SYNC");
	ksft_test_result(uc.args[2] == (uint64_t)-KVM_ENOSYS,
			 "untracked VM: hypercall 12 returns -KVM_ENOSYS (got %ld)\n",
			 (long)uc.args[2]);
	ksft_test_result(pgenc_get(vm, 0, 8, buf) == -ENXIO &&
				 pgenc_set(vm, 0, 8, buf) == -ENXIO,
			 "untracked VM: GET and SET fail with ENXIO\n");
	kvm_vm_free(vm);
}

/*
 * What an SNP guest's page-state changes look like (KVM_MAP_GPA_RANGE_*
 * attributes), and calls tracking would refuse: on an untracked VM with
 * KVM_CAP_EXIT_HYPERCALL each reaches the VMM verbatim, as stock KVM
 * delivers it (Documentation/api.rst, "Private memory (6.12)"); only
 * stock's own checks (alignment, npages, wrap) answer in the kernel.
 */
static const struct hc_case stock_exits[] = {
	{ 0x2000, 2, 0x00, true, "2 pages shared" },
	{ M2, 512, 0x11, true, "2M encrypted, 2M page size" },
	{ 0x3000, 1, 0x20, true, "reserved a2 bit 5" },
	{ 0x3000, 1, 1ULL << 63 | 0x10, true, "reserved a2 bit 63" },
	{ END_GPA, 1, 0x10, true, "beyond memory" },
	{ 0x2001, 1, 0x00, false, "unaligned" },
};

#define NSTOCK (sizeof(stock_exits) / sizeof(stock_exits[0]))

static void test_exit_untracked(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	struct ucall uc;
	uint8_t buf[8];
	uint64_t i;

	vm = make_vm(&vcpu, false, stock_exits, NSTOCK);
	vm_enable_cap(vm, KVM_CAP_EXIT_HYPERCALL,
		      1ULL << KVM_HC_PAGE_ENC_STATUS);
	run = vcpu->run;
	for (i = 0; i < NSTOCK; i++) {
		const struct hc_case *c = &stock_exits[i];
		bool exit_ok = true;
		uint64_t want = (uint64_t)-KVM_EINVAL;

		if (c->valid) {
			vcpu_run(vcpu);
			/* longmode: 6.12's flags, KVM_EXIT_HYPERCALL_LONG_MODE. */
			exit_ok = run->exit_reason == KVM_EXIT_HYPERCALL &&
				  run->hypercall.nr == KVM_HC_PAGE_ENC_STATUS &&
				  run->hypercall.args[0] == c->gpa &&
				  run->hypercall.args[1] == c->npages &&
				  run->hypercall.args[2] == c->attrs &&
				  run->hypercall.longmode == 1;
			want = 0x100 + i;
			run->hypercall.ret = want;
		}
		TEST_ASSERT(next_ucall(vcpu, &uc) == UCALL_SYNC &&
				    uc.args[1] == i,
			    "case %lu: no SYNC", i);
		ksft_test_result(exit_ok && uc.args[2] == want,
				 "untracked VM: hc(%#lx, %lu, %#lx): %s: %s, guest gets %#lx (want %#lx)\n",
				 c->gpa, c->npages, c->attrs, c->what,
				 !c->valid ? "no exit" :
				 exit_ok   ? "stock exit" :
					     "no stock exit",
				 uc.args[2], want);
	}
	ksft_test_result(pgenc_get(vm, 0, 8, buf) == -ENXIO,
			 "untracked VM: still no bitmap\n");
	kvm_vm_free(vm);
}

/*
 * Tracked, with KVM_CAP_EXIT_HYPERCALL for nr 12: the VMM still sees
 * every valid call, after the bitmap already reflects it; an invalid
 * call is answered in the kernel.
 */
static void test_exit_tracked(void)
{
	struct pgenc_model model;
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	struct ucall uc;
	bool exit_ok;

	vm = make_vm(&vcpu, true, one_shared, 2);
	vm_enable_cap(vm, KVM_CAP_EXIT_HYPERCALL,
		      1ULL << KVM_HC_PAGE_ENC_STATUS);
	run = vcpu->run;
	pgenc_model_init(&model, END_GFN);
	pgenc_model_fill(&model, 2, 2, false);

	vcpu_run(vcpu);
	exit_ok = run->exit_reason == KVM_EXIT_HYPERCALL &&
		  run->hypercall.nr == KVM_HC_PAGE_ENC_STATUS &&
		  run->hypercall.args[0] == 0x2000 &&
		  run->hypercall.args[1] == 2 && run->hypercall.args[2] == 0 &&
		  run->hypercall.longmode;
	ksft_test_result(exit_ok,
			 "tracked VM: KVM_EXIT_HYPERCALL with the guest's arguments\n");
	ksft_test_result(pgenc_model_diff(vm, &model) < 0,
			 "tracked VM: bitmap updated before the exit\n");
	run->hypercall.ret = 0;

	TEST_ASSERT(next_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[1] == 0,
		    "no SYNC after the exit");
	ksft_test_result(uc.args[2] == 0,
			 "tracked VM: guest sees the VMM's ret 0\n");

	TEST_ASSERT(next_ucall(vcpu, &uc) == UCALL_SYNC, "no SYNC");
	ksft_test_result(uc.args[2] == (uint64_t)-KVM_EINVAL &&
				 pgenc_model_diff(vm, &model) < 0,
			 "tracked VM: invalid call gets -KVM_EINVAL without an exit\n");
	free(model.enc);
	kvm_vm_free(vm);
}

int main(void)
{
	ksft_print_header();
	pgenc_require();
	TEST_REQUIRE(kvm_check_cap(KVM_CAP_EXIT_HYPERCALL) &
		     (1ULL << KVM_HC_PAGE_ENC_STATUS));
	ksft_set_plan(1 + NCASES + 2 + NSTOCK + 1 + 4);
	srandom(12);

	test_tracked_ranges();
	test_untracked();
	test_exit_untracked();
	test_exit_tracked();
	ksft_finished();
}
