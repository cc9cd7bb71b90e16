// SPDX-License-Identifier: GPL-2.0-only
/*
 * page_enc_fuzz_test: seeded, bounded fuzzing of pgenc against a model.
 *
 * - ioctls: random and boundary start_gfn/num_pages with NULL, unmapped,
 *   partly mapped, read-only and ordinary buffers, while memslots are
 *   added, moved (bits follow) and deleted; every result and the whole
 *   bitmap after it must match the model (holes read encrypted and a SET
 *   over one fails), and a failed call changes nothing;
 * - hypercalls: a guest sends random and boundary a0/a1/a2 (reserved
 *   bits, wrap, npages 0 and huge, GPAs outside memory), each checked
 *   against the model;
 * - hypercalls from CPL3: the guest makes the same kind of calls from
 *   ring 3, half of them with valid arguments that would change the
 *   bitmap; KVM must refuse each with -KVM_EPERM and leave the bitmap as
 *   the model says. Some calls are then repeated at CPL0, on the same
 *   vCPU, and must work as usual.
 *
 * PGENC_FUZZ_SEED and PGENC_FUZZ_ITERS override the seed (printed) and
 * the number of operations, so a failure is reproducible.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

#include "pgenc_fuzz.h"
#include "pgenc_user_mode.h"

#define MAX_GFN (1ULL << 21) /* slots stay below 8 GiB */
#define NR_SLOTS 4
#define SLOT_PAGES 16ULL

/* A value near the interesting edges of [0, end], or anything. */
static uint64_t edgy(uint64_t end)
{
	static const uint64_t odd[] = { 0,  1,	7,     8,	  63,
					64, 65, ~0ULL, ~0ULL - 7, 1ULL << 63 };

	switch (rnd() % 6) {
	case 0:
		return odd[rnd() % ARRAY_SIZE(odd)];
	case 1:
		return end + (rnd() % 5) - 2;
	case 2:
		return rnd();
	default:
		return rnd() % (end + 100);
	}
}

struct fuzz {
	struct kvm_vm *vm;
	struct pgenc_model m; /* npages = end of the highest slot; holes 1 */
	uint64_t slot_gfn[NR_SLOTS]; /* 0 = no slot */
	uint64_t end0; /* end of the library's slot 0 */
	uint8_t *ro, *hole, *half; /* read-only, unmapped, half-mapped */
	uint64_t calls, failures;
};

static uint64_t tracked_end(struct fuzz *f)
{
	uint64_t end = f->end0;
	int i;

	for (i = 0; i < NR_SLOTS; i++)
		if (f->slot_gfn[i] && f->slot_gfn[i] + SLOT_PAGES > end)
			end = f->slot_gfn[i] + SLOT_PAGES;
	return end;
}

/*
 * Whether every page of [start, start + n) is in a memslot: only those
 * ranges may be SET (Documentation/api.rst, "Tracked memory").
 */
static bool covered(struct fuzz *f, uint64_t start, uint64_t n)
{
	uint64_t gfn = start, end = start + n;
	int i;

	if (!n || end < start || n > f->m.npages)
		return false;
	while (gfn < end) {
		if (gfn < f->end0) {
			gfn = f->end0;
			continue;
		}
		for (i = 0; i < NR_SLOTS; i++)
			if (f->slot_gfn[i] && gfn >= f->slot_gfn[i] &&
			    gfn < f->slot_gfn[i] + SLOT_PAGES)
				break;
		if (i == NR_SLOTS)
			return false;
		gfn = f->slot_gfn[i] + SLOT_PAGES;
	}
	return true;
}

/* The model grows with encrypted pages (holes read 1) to the top slot. */
static void model_resize(struct fuzz *f)
{
	uint64_t end = tracked_end(f);

	if (end > f->m.npages) {
		f->m.enc = realloc(f->m.enc, end);
		TEST_ASSERT(f->m.enc, "model");
		memset(f->m.enc + f->m.npages, 1, end - f->m.npages);
	}
	f->m.npages = end;
}

/*
 * Add, move or delete a slot. A new slot starts encrypted, a moved one
 * takes its bits along, and a deleted one's gfns read encrypted again.
 */
static void memslot_op(struct fuzz *f)
{
	int i = rnd() % NR_SLOTS;
	uint64_t gfn = (rnd() % (MAX_GFN / SLOT_PAGES - 1) + 1) * SLOT_PAGES;
	uint8_t bits[SLOT_PAGES];
	int j;

	/* Keep slots apart from slot 0 and from each other. */
	if (gfn < f->end0 + SLOT_PAGES)
		return;
	for (j = 0; j < NR_SLOTS; j++)
		if (f->slot_gfn[j] && gfn + SLOT_PAGES > f->slot_gfn[j] &&
		    gfn < f->slot_gfn[j] + SLOT_PAGES)
			return;

	if (!f->slot_gfn[i]) {
		vm_userspace_mem_region_add(f->vm, VM_MEM_SRC_ANONYMOUS,
					    gfn * PGENC_PAGE, 10 + i,
					    SLOT_PAGES, 0);
		f->slot_gfn[i] = gfn;
		model_resize(f);
	} else if (rnd() % 2) {
		vm_mem_region_move(f->vm, 10 + i, gfn * PGENC_PAGE);
		memcpy(bits, f->m.enc + f->slot_gfn[i], SLOT_PAGES);
		memset(f->m.enc + f->slot_gfn[i], 1, SLOT_PAGES);
		f->slot_gfn[i] = gfn;
		model_resize(f);
		memcpy(f->m.enc + gfn, bits, SLOT_PAGES);
	} else {
		vm_mem_region_delete(f->vm, 10 + i);
		memset(f->m.enc + f->slot_gfn[i], 1, SLOT_PAGES);
		f->slot_gfn[i] = 0;
	}
}

static uint8_t *pick_buffer(struct fuzz *f, uint64_t bytes, int *kind)
{
	static uint8_t buf[MAX_GFN / 8 + 64];

	*kind = rnd() % 8;
	switch (*kind) {
	case 0:
		return NULL;
	case 1:
		return f->hole;
	case 2:
		return f->half;
	case 3:
		return f->ro;
	default:
		TEST_ASSERT(bytes <= sizeof(buf), "buffer");
		return buf;
	}
}

/* The errno the model expects; 0 when the call must succeed. */
static int expected(struct fuzz *f, bool set, uint64_t start, uint64_t n,
		    uint64_t bytes, int kind)
{
	uint64_t page = getpagesize();

	if (!n || start + n < start)
		return -EINVAL;
	if (set && !covered(f, start, n))
		return -EINVAL;
	if (set && kind == 0)
		return 0; /* NULL: reset */
	if (kind == 0 || kind == 1)
		return -EFAULT;
	if ((kind == 2 || kind == 3) && bytes > page)
		return -EFAULT;
	if (kind == 3 && !set)
		return -EFAULT; /* GET writes */
	return 0;
}

static void ioctl_op(struct fuzz *f)
{
	bool set = rnd() % 2;
	uint64_t start = edgy(f->m.npages);
	uint64_t n = rnd() % 4 ? rnd() % 3000 : edgy(f->m.npages);
	uint64_t bytes, i;
	uint8_t *buf;
	int kind, want, got;

	/* Ordinary buffers must hold the call: keep those calls small. */
	bytes = n / 8 + !!(n % 8);
	buf = pick_buffer(f, bytes > MAX_GFN / 8 ? 0 : bytes, &kind);
	if (kind >= 4 && bytes > MAX_GFN / 8) {
		n = rnd() % 3000;
		bytes = n / 8 + !!(n % 8);
	}
	want = expected(f, set, start, n, bytes, kind);
	if (set && kind >= 3)
		for (i = 0; i < bytes && kind >= 4; i++)
			buf[i] = rnd();
	got = set ? pgenc_set(f->vm, start, n, buf) :
		    pgenc_get(f->vm, start, n, buf);
	f->calls++;
	f->failures += !!got;
	TEST_ASSERT(got == want,
		    "%s(start %#lx, n %#lx, buffer kind %d): %d, model wants %d",
		    set ? "SET" : "GET", start, n, kind, got, want);
	if (got)
		return;
	if (set)
		for (i = 0; i < n; i++)
			f->m.enc[start + i] = kind ? pgenc_bit(buf, i) : 1;
	else
		for (i = 0; i < n; i++)
			TEST_ASSERT(pgenc_bit(buf, i) ==
					    (start + i < f->m.npages ?
						     f->m.enc[start + i] :
						     1),
				    "GET(%#lx, %#lx): bit %lu", start, n, i);
}

static void guest_noop(void)
{
	GUEST_DONE();
}

static void fuzz_ioctls(uint64_t iters)
{
	long page = getpagesize();
	struct fuzz f = {};
	struct kvm_vcpu *vcpu;
	uint64_t it;
	int64_t bad;

	f.vm = vm_create_with_one_vcpu(&vcpu, guest_noop);
	pgenc_enable(f.vm);
	f.end0 = (memslot2region(f.vm, 0)->region.guest_phys_addr +
		  memslot2region(f.vm, 0)->region.memory_size) /
		 PGENC_PAGE;
	pgenc_model_init(&f.m, f.end0);

	/* Guard pages (PROT_NONE, kept mapped) so nothing else moves in. */
	f.ro = mmap(NULL, 2 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	f.hole =
		mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f.half = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(f.ro != MAP_FAILED && f.hole != MAP_FAILED &&
			    f.half != MAP_FAILED,
		    "mmap");
	mprotect(f.ro + page, page, PROT_NONE);
	mprotect(f.half + page, page, PROT_NONE);

	for (it = 0; it < iters; it++) {
		if (rnd() % 16 == 0)
			memslot_op(&f);
		else
			ioctl_op(&f);
		if (it % 64 == 0) {
			bad = pgenc_model_diff(f.vm, &f.m);
			TEST_ASSERT(bad < 0, "after op %lu: gfn %ld differs",
				    it, (long)bad);
		}
	}
	bad = pgenc_model_diff(f.vm, &f.m);
	ksft_test_result(bad < 0,
			 "ioctl fuzzer: %lu calls (%lu failed as the model said), memslot churn, bitmap equals the model\n",
			 f.calls, f.failures);
	pgenc_figure("calls_fuzzed", f.calls);
	free(f.m.enc);
	kvm_vm_free(f.vm);
}

/* The guest makes whatever call the host put here, then reports. */
static uint64_t hc_args[3];
static bool hc_user; /* from CPL3 */

static void guest_hc(void)
{
	for (;;)
		GUEST_SYNC(pgenc_guest_hc(READ_ONCE(hc_args[0]),
					  READ_ONCE(hc_args[1]),
					  READ_ONCE(hc_args[2])));
}

/* Like guest_hc(), from CPL0 or CPL3, and with the CS it ran with. */
static void guest_hc_cpl(void)
{
	uint64_t ret, cs;

	for (;;) {
		if (READ_ONCE(hc_user)) {
			ret = pgenc_guest_user_hc(KVM_HC_PAGE_ENC_STATUS,
						  READ_ONCE(hc_args[0]),
						  READ_ONCE(hc_args[1]),
						  READ_ONCE(hc_args[2]), &cs);
		} else {
			ret = pgenc_guest_hc(READ_ONCE(hc_args[0]),
					     READ_ONCE(hc_args[1]),
					     READ_ONCE(hc_args[2]));
			asm volatile("mov %%cs, %k0" : "=r"(cs));
			cs &= 0xffff;
		}
		GUEST_SYNC_ARGS(ret, cs, 0, 0, 0);
	}
}

static const uint64_t hc_attrs[] = { 0,	   1,	 2,    3,    0x10, 0x11,
				     0x12, 0x13, 0x1f, 0x20, 0x30, 1ULL << 63 };

struct hc {
	uint64_t a0, n, a2;
	bool valid;
};

static bool hc_valid(const struct pgenc_model *m, const struct hc *hc)
{
	return !(hc->a0 % PGENC_PAGE) && hc->n && !(hc->a2 & ~0x1fULL) &&
	       (hc->a2 & 0xf) <= 2 && hc->a0 / PGENC_PAGE < m->npages &&
	       hc->n <= m->npages - hc->a0 / PGENC_PAGE;
}

/* The attributes a valid call sets: encrypted or not. */
static bool hc_enc(uint64_t a2)
{
	return (a2 & 0x10) || a2 == 1;
}

/* Random and boundary arguments. */
static void hc_pick(const struct pgenc_model *m, struct hc *hc)
{
	uint64_t gfn = edgy(m->npages);

	hc->n = edgy(m->npages);
	hc->a0 = rnd() % 8 ? gfn * PGENC_PAGE : edgy(m->npages * PGENC_PAGE);
	hc->a2 = rnd() % 4 ? hc_attrs[rnd() % ARRAY_SIZE(hc_attrs)] : rnd();
	hc->valid = hc_valid(m, hc);
}

/*
 * Valid arguments that would change the bitmap: the first page flips, so
 * a call that was not refused shows in the bitmap.
 */
static void hc_pick_valid(const struct pgenc_model *m, struct hc *hc)
{
	static const uint64_t enc[] = { 1, 0x10, 0x11, 0x12 };
	static const uint64_t shared[] = { 0, 2 };
	uint64_t gfn = rnd() % m->npages;
	uint64_t max = m->npages - gfn;

	/* Mostly short ranges, sometimes up to the end of memory. */
	if (rnd() % 4 && max > 64)
		max = 64;
	hc->a0 = gfn * PGENC_PAGE;
	hc->n = 1 + rnd() % max;
	hc->a2 = m->enc[gfn] ? shared[rnd() % ARRAY_SIZE(shared)] :
			       enc[rnd() % ARRAY_SIZE(enc)];
	hc->valid = hc_valid(m, hc);
	TEST_ASSERT(hc->valid && hc_enc(hc->a2) != m->enc[gfn],
		    "hc_pick_valid(%#lx, %#lx, %#lx)", hc->a0, hc->n, hc->a2);
}

/* Slots up to 64 MiB + 64 KiB, so that GPAs past slot 0 are tracked too. */
static struct kvm_vm *hc_vm(struct kvm_vcpu **vcpu, void *guest,
			    struct pgenc_model *m)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest);
	uint64_t gap;

	pgenc_track_to(vm, 1, (64ULL << 20) / PGENC_PAGE + SLOT_PAGES, &gap);
	pgenc_enable(vm);
	pgenc_model_init(m, (64ULL << 20) / PGENC_PAGE + SLOT_PAGES);
	return vm;
}

static void fuzz_hypercalls(uint64_t iters)
{
	struct pgenc_model m;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint64_t it, ok = 0;
	struct ucall uc;
	struct hc hc;

	vm = hc_vm(&vcpu, guest_hc, &m);

	for (it = 0; it < iters; it++) {
		hc_pick(&m, &hc);
		hc_args[0] = hc.a0;
		hc_args[1] = hc.n;
		hc_args[2] = hc.a2;
		sync_global_to_guest(vm, hc_args);
		vcpu_run(vcpu);
		TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC, "guest died");
		TEST_ASSERT(uc.args[1] ==
				    (hc.valid ? 0 : (uint64_t)-KVM_EINVAL),
			    "hc(%#lx, %#lx, %#lx) = %ld, model wants %s", hc.a0,
			    hc.n, hc.a2, (long)uc.args[1],
			    hc.valid ? "0" : "-KVM_EINVAL");
		if (hc.valid) {
			pgenc_model_fill(&m, hc.a0 / PGENC_PAGE, hc.n,
					 hc_enc(hc.a2));
			ok++;
		}
		if (it % 32 == 0)
			TEST_ASSERT(pgenc_model_diff(vm, &m) < 0,
				    "after call %lu", it);
	}
	ksft_test_result(pgenc_model_diff(vm, &m) < 0,
			 "hypercall fuzzer: %lu calls, %lu valid, bitmap equals the model\n",
			 iters, ok);
	pgenc_figure("calls_fuzzed", iters);
	free(m.enc);
	kvm_vm_free(vm);
}

/* Run one call from CPL3 (@user) or CPL0; returns RAX, checks the CPL. */
static uint64_t hc_run(struct kvm_vm *vm, struct kvm_vcpu *vcpu,
		       const struct hc *hc, bool user)
{
	struct ucall uc;
	uint64_t cmd;
	int r;

	hc_args[0] = hc->a0;
	hc_args[1] = hc->n;
	hc_args[2] = hc->a2;
	hc_user = user;
	sync_global_to_guest(vm, hc_args);
	sync_global_to_guest(vm, hc_user);
	/* Not vcpu_run(): a guest exception should name the call. */
	do
		r = __vcpu_run(vcpu);
	while (r == -1 && errno == EINTR);
	TEST_ASSERT(!r, "KVM_RUN: %s", strerror(errno));
	cmd = get_ucall(vcpu, &uc);
	TEST_ASSERT(cmd != UCALL_UNHANDLED,
		    "CPL%d hc(%#lx, %#lx, %#lx): guest exception, vector %lu (14 = #PF: is the ring-3 code user-accessible?)",
		    user ? 3 : 0, hc->a0, hc->n, hc->a2, uc.args[0]);
	TEST_ASSERT(cmd == UCALL_SYNC,
		    "CPL%d hc(%#lx, %#lx, %#lx): guest died, exit reason %u (%s)",
		    user ? 3 : 0, hc->a0, hc->n, hc->a2, vcpu->run->exit_reason,
		    exit_reason_str(vcpu->run->exit_reason));
	TEST_ASSERT((uc.args[2] & 3) == (user ? 3 : 0),
		    "hc(%#lx, %#lx, %#lx) ran with CS %#lx, not at CPL%d",
		    hc->a0, hc->n, hc->a2, uc.args[2], user ? 3 : 0);
	return uc.args[1];
}

/*
 * Stock KVM refuses hypercalls from CPL > 0 before pgenc sees them: each
 * call from ring 3, valid or not, must return -KVM_EPERM and change no
 * bit. Repeating some at CPL0 shows the arguments and the vCPU were fine.
 */
static void fuzz_cpl3_hypercalls(uint64_t iters)
{
	uint64_t it, ret, calls = 0, valid = 0, kernel = 0;
	struct pgenc_model m;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int64_t bad;
	struct hc hc;

	vm = hc_vm(&vcpu, guest_hc_cpl, &m);
	pgenc_user_mode_init(vm, vcpu);

	for (it = 0; it < iters; it++) {
		if (rnd() % 2)
			hc_pick_valid(&m, &hc);
		else
			hc_pick(&m, &hc);
		ret = hc_run(vm, vcpu, &hc, true);
		calls++;
		valid += hc.valid;
		TEST_ASSERT(ret == (uint64_t)-KVM_EPERM,
			    "CPL3 hc(%#lx, %#lx, %#lx) = %ld, KVM must refuse it with -KVM_EPERM",
			    hc.a0, hc.n, hc.a2, (long)ret);
		bad = pgenc_model_diff(vm, &m);
		TEST_ASSERT(bad < 0,
			    "CPL3 hc(%#lx, %#lx, %#lx) changed gfn %ld (%svalid arguments)",
			    hc.a0, hc.n, hc.a2, (long)bad,
			    hc.valid ? "" : "in");

		if (!hc.valid && rnd() % 4)
			continue;
		ret = hc_run(vm, vcpu, &hc, false);
		calls++;
		kernel++;
		TEST_ASSERT(ret == (hc.valid ? 0 : (uint64_t)-KVM_EINVAL),
			    "CPL0 hc(%#lx, %#lx, %#lx) = %ld, model wants %s",
			    hc.a0, hc.n, hc.a2, (long)ret,
			    hc.valid ? "0" : "-KVM_EINVAL");
		if (hc.valid)
			pgenc_model_fill(&m, hc.a0 / PGENC_PAGE, hc.n,
					 hc_enc(hc.a2));
	}
	bad = pgenc_model_diff(vm, &m);
	ksft_test_result(bad < 0,
			 "CPL3 hypercalls: %lu refused with -KVM_EPERM (%lu with valid arguments), %lu at CPL0 in between, bitmap equals the model\n",
			 iters, valid, kernel);
	pgenc_figure("calls_fuzzed", calls);
	free(m.enc);
	kvm_vm_free(vm);
}

int main(void)
{
	uint64_t iters;

	ksft_print_header();
	pgenc_require();
	iters = pgenc_fuzz_init(3000);
	ksft_set_plan(3);
	fuzz_ioctls(iters);
	fuzz_hypercalls(iters / 3);
	fuzz_cpl3_hypercalls(iters / 3);
	ksft_finished();
}
