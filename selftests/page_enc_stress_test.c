// SPDX-License-Identifier: GPL-2.0-only
/*
 * page_enc_stress_test: two vCPUs flip pages through hypercall 12 while a
 * host thread runs GET and SET in a loop.
 *
 * edges: each party owns a range whose edges share bitmap words with a
 * neighbour's, so a lost update from a racing read-modify-write would
 * show: at the end every vCPU range must equal a replay of that vCPU's
 * calls, and the host range its last SET.
 *
 * interleaved: the three parties (vCPU 0, vCPU 1, the host) own stripes
 * of WIDTH pages in turn over one range, so they write inside the same
 * bitmap words all the time: WIDTH 1 (every word holds pages of all
 * three, single-page calls), 5 (calls crossing word boundaries), 32
 * (32-bit halves). Nobody writes another's pages, so the final bitmap is
 * still the replay of each vCPU's calls plus the host's SETs, whatever
 * the interleaving.
 *
 * A vCPU that exits other than by a ucall (e.g. KVM_EXIT_SHUTDOWN) fails
 * the test with its registers (rsp shows a stack overrun); a guest exception
 * is reported by vector instead of becoming a triple fault.
 */
#define _GNU_SOURCE
#include <pthread.h>

#include "pgenc_util.h"

#define NR_VCPUS 2
#define ITERS 1500
#define RANGE 200ULL
/* vCPU 0: [1000, 1200), host: [1200, 1400), vCPU 1: [1400, 1600). */
#define VCPU_BASE(i) (1000ULL + 2 * RANGE * (i))
#define HOST_BASE (1000ULL + RANGE)
#define MAP_PAGES 2048ULL

/* interleaved: 960 pages = 15 words, a multiple of 3 * each width. */
#define IL_BASE 4096ULL
#define IL_PAGES 960ULL
#define IL_PARTIES 3 /* vCPU 0, vCPU 1, the host (HOST_PARTY) */
#define HOST_PARTY 2
#define IL_ITERS 20000
#define IL_MAP_PAGES (IL_BASE + IL_PAGES + 128)

static const uint64_t widths[] = { 1, 5, 32 };

/* The i-th call of a vCPU: deterministic, so the host can replay it. */
static void vcpu_call(uint64_t id, uint64_t i, uint64_t *gfn, uint64_t *n,
		      bool *enc)
{
	uint64_t off = (i * 37 + id * 11) % RANGE;

	*n = 1 + (i * 13) % 70;
	if (off + *n > RANGE)
		*n = RANGE - off;
	*gfn = VCPU_BASE(id) + off;
	*enc = (i ^ id) & 1;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ULL;
	return x ^ x >> 29;
}

/* The first page of party p's k-th stripe of width w. */
static uint64_t stripe_gfn(uint64_t w, uint64_t p, uint64_t k)
{
	return IL_BASE + (k * IL_PARTIES + p) * w;
}

/* The i-th call of vCPU id when stripes are w pages wide. */
static void il_call(uint64_t w, uint64_t id, uint64_t i, uint64_t *gfn,
		    uint64_t *n, bool *enc)
{
	uint64_t h = mix(i * 4 + id + w * 65536), off;

	off = (h >> 8) % w;
	*n = 1 + (h >> 16) % (w - off);
	*gfn = stripe_gfn(w, id, (h >> 24) % (IL_PAGES / w / IL_PARTIES)) + off;
	*enc = h & 1;
}

static void guest_code(uint64_t id)
{
	uint64_t i, gfn, n;
	bool enc;

	for (i = 0; i < ITERS; i++) {
		vcpu_call(id, i, &gfn, &n, &enc);
		GUEST_ASSERT_1(!pgenc_guest_hc(gfn * PGENC_PAGE, n,
					       enc ? 0x10 : 0x00),
			       i);
	}
	GUEST_DONE();
}

/* expect: 0 with tracking on, -KVM_ENOSYS for the control (off). */
static void guest_il(uint64_t id, uint64_t w, uint64_t expect)
{
	uint64_t i, gfn, n;
	bool enc;

	for (i = 0; i < IL_ITERS; i++) {
		il_call(w, id, i, &gfn, &n, &enc);
		GUEST_ASSERT_1(pgenc_guest_hc(gfn * PGENC_PAGE, n,
					      enc ? 0x10 : 0x00) == expect,
			       i);
	}
	GUEST_DONE();
}

struct host_loop {
	struct kvm_vm *vm;
	volatile bool stop;
	uint64_t width; /* interleaved: stripe width; 0 for edges */
	uint8_t last[RANGE / 8]; /* edges: the last SET */
	uint8_t mine[IL_PAGES]; /* interleaved: byte per page, host's pages */
	uint64_t rounds, host_errors;
};

static void *host_thread(void *arg)
{
	struct host_loop *h = arg;
	uint8_t buf[MAP_PAGES / 8], mine[RANGE / 8];
	uint64_t i;

	while (!h->stop) {
		for (i = 0; i < sizeof(mine); i++)
			mine[i] = random();
		if (pgenc_set(h->vm, HOST_BASE, RANGE, mine))
			h->host_errors++;
		memcpy(h->last, mine, sizeof(mine));
		if (pgenc_get(h->vm, 0, MAP_PAGES, buf))
			h->host_errors++;
		/* Nobody else writes the host's range: it must read back. */
		for (i = 0; i < RANGE; i++)
			if (pgenc_bit(buf, HOST_BASE + i) != pgenc_bit(mine, i))
				h->host_errors++;
		h->rounds++;
	}
	return NULL;
}

/*
 * interleaved: SET a random run inside one of the host's stripes, then
 * GET the range (at an unaligned start every other round) and check
 * that every host page reads back what the host last set.
 */
static void *host_il_thread(void *arg)
{
	struct host_loop *h = arg;
	uint64_t w = h->width, k, off, n, i, start;
	uint8_t set[8], buf[IL_PAGES / 8 + 8];

	while (!h->stop) {
		k = random() % (IL_PAGES / w / IL_PARTIES);
		off = random() % w;
		n = 1 + random() % (w - off);
		for (i = 0; i < sizeof(set); i++)
			set[i] = random();
		start = stripe_gfn(w, HOST_PARTY, k) + off;
		if (pgenc_set(h->vm, start, n, set))
			h->host_errors++;
		for (i = 0; i < n; i++)
			h->mine[start - IL_BASE + i] = pgenc_bit(set, i);

		off = h->rounds & 1 ? 1 + random() % 63 : 0;
		if (pgenc_get(h->vm, IL_BASE + off, IL_PAGES - off, buf))
			h->host_errors++;
		for (i = off; i < IL_PAGES; i++)
			if ((i / w) % IL_PARTIES == HOST_PARTY &&
			    pgenc_bit(buf, i - off) != h->mine[i])
				h->host_errors++;
		h->rounds++;
	}
	return NULL;
}

/* Dump a vCPU that stopped other than by a ucall, then fail. */
static void vcpu_dump_fail(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	vcpu_regs_get(vcpu, &regs);
	vcpu_sregs_get(vcpu, &sregs);
	ksft_print_msg("vCPU %u: exit %u (%s): rip %llx rsp %llx rbp %llx rflags %llx\n",
		       vcpu->id, run->exit_reason,
		       exit_reason_str(run->exit_reason), regs.rip, regs.rsp,
		       regs.rbp, regs.rflags);
	ksft_print_msg("vCPU %u: rax %llx rbx %llx rcx %llx rdx %llx rsi %llx rdi %llx\n",
		       vcpu->id, regs.rax, regs.rbx, regs.rcx, regs.rdx,
		       regs.rsi, regs.rdi);
	ksft_print_msg("vCPU %u: cr0 %llx cr2 %llx cr3 %llx cr4 %llx efer %llx idt %llx/%x\n",
		       vcpu->id, sregs.cr0, sregs.cr2, sregs.cr3, sregs.cr4,
		       sregs.efer, sregs.idt.base, sregs.idt.limit);
	TEST_FAIL("vCPU %u stopped with exit reason %u (%s)", vcpu->id,
		  run->exit_reason, exit_reason_str(run->exit_reason));
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct ucall uc;

	vcpu_run(vcpu);
	if (vcpu->run->exit_reason != KVM_EXIT_IO)
		vcpu_dump_fail(vcpu);
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_DONE:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT_1(uc, "call %lu");
		break;
	case UCALL_UNHANDLED:
		TEST_FAIL("vCPU %u: guest exception, vector %lu", vcpu->id,
			  uc.args[0]);
		break;
	default:
		TEST_FAIL("vCPU %u: unexpected ucall %lu", vcpu->id, uc.cmd);
	}
	return NULL;
}

static struct kvm_vm *stress_vm(void *code, struct kvm_vcpu **vcpus, bool track)
{
	struct kvm_vm *vm = vm_create_with_vcpus(NR_VCPUS, code, vcpus);
	uint64_t gap;
	int id;

	if (track)
		pgenc_enable(vm);
	/* Guest memory is ~2 MiB: make sure our ranges are tracked. */
	pgenc_track_to(vm, 1, ((64 << 20) + (16 << 12)) / PGENC_PAGE, &gap);
	vm_init_descriptor_tables(vm);
	for (id = 0; id < NR_VCPUS; id++)
		vcpu_init_descriptor_tables(vcpus[id]);
	return vm;
}

static void run_parties(struct host_loop *h, struct kvm_vcpu **vcpus,
			void *(*host)(void *))
{
	pthread_t vt[NR_VCPUS], ht;
	int id;

	pthread_create(&ht, NULL, host, h);
	for (id = 0; id < NR_VCPUS; id++)
		pthread_create(&vt[id], NULL, vcpu_thread, vcpus[id]);
	for (id = 0; id < NR_VCPUS; id++)
		pthread_join(vt[id], NULL);
	h->stop = true;
	pthread_join(ht, NULL);
}

static void test_edges(void)
{
	struct kvm_vcpu *vcpus[NR_VCPUS];
	static struct host_loop h;
	struct pgenc_model m;
	uint64_t id, i, gfn, n;
	bool enc;
	int64_t bad;

	h.vm = stress_vm(guest_code, vcpus, true);
	for (id = 0; id < NR_VCPUS; id++)
		vcpu_args_set(vcpus[id], 1, id);
	run_parties(&h, vcpus, host_thread);

	ksft_test_result(!h.host_errors && h.rounds > 0,
			 "edges: host GET/SET loop: %lu rounds, %lu errors or lost host bits\n",
			 h.rounds, h.host_errors);
	pgenc_figure("stress_iterations",
		     h.rounds + (uint64_t)NR_VCPUS * ITERS);

	pgenc_model_init(&m, MAP_PAGES);
	for (id = 0; id < NR_VCPUS; id++)
		for (i = 0; i < ITERS; i++) {
			vcpu_call(id, i, &gfn, &n, &enc);
			pgenc_model_fill(&m, gfn, n, enc);
		}
	for (i = 0; i < RANGE; i++)
		m.enc[HOST_BASE + i] = pgenc_bit(h.last, i);
	/* Pages past MAP_PAGES are tracked too and must still read 1. */
	bad = pgenc_model_diff(h.vm, &m);
	ksft_test_result(bad < 0,
			 "edges: after %d calls per vCPU the bitmap equals the replay (first wrong gfn %ld)\n",
			 ITERS, (long)bad);
	free(m.enc);
	kvm_vm_free(h.vm);
}

static void test_interleaved(uint64_t w)
{
	struct kvm_vcpu *vcpus[NR_VCPUS];
	static struct host_loop h;
	struct pgenc_model m;
	uint64_t id, i, gfn, n, first, last;
	bool enc;
	int64_t bad;

	memset(&h, 0, sizeof(h));
	memset(h.mine, 1, sizeof(h.mine));
	h.width = w;
	h.vm = stress_vm(guest_il, vcpus, true);
	for (id = 0; id < NR_VCPUS; id++)
		vcpu_args_set(vcpus[id], 3, id, w, (uint64_t)0);
	run_parties(&h, vcpus, host_il_thread);

	ksft_test_result(!h.host_errors && h.rounds > 0,
			 "interleaved %lu: host GET/SET loop: %lu rounds, %lu errors or lost host bits\n",
			 w, h.rounds, h.host_errors);
	pgenc_figure("stress_iterations",
		     h.rounds + (uint64_t)NR_VCPUS * IL_ITERS);

	pgenc_model_init(&m, IL_MAP_PAGES);
	for (id = 0; id < NR_VCPUS; id++)
		for (i = 0; i < IL_ITERS; i++) {
			il_call(w, id, i, &gfn, &n, &enc);
			first = (gfn - IL_BASE) / w;
			last = (gfn + n - 1 - IL_BASE) / w;
			TEST_ASSERT(first == last && first % IL_PARTIES == id,
				    "call %lu of vCPU %lu leaves its stripe", i,
				    id);
			pgenc_model_fill(&m, gfn, n, enc);
		}
	for (i = 0; i < IL_PAGES; i++)
		if ((i / w) % IL_PARTIES == HOST_PARTY)
			m.enc[IL_BASE + i] = h.mine[i];
	bad = pgenc_model_diff(h.vm, &m);
	ksft_test_result(bad < 0,
			 "interleaved %lu: after %d calls per vCPU the bitmap equals the replay (first wrong gfn %ld)\n",
			 w, IL_ITERS, (long)bad);
	free(m.enc);
	kvm_vm_free(h.vm);
}

/*
 * The control (argument "control", not part of the default run): the
 * same vCPUs making the same vmmcalls on a VM without tracking, each
 * answered -KVM_ENOSYS by the stock code, while a host thread loops a
 * VM ioctl. It runs on stock kvm.ko too, and tells QEMU's nested SVM
 * under load apart from pgenc.
 */
static void *host_control_thread(void *arg)
{
	struct host_loop *h = arg;

	while (!h->stop) {
		if (__vm_ioctl(h->vm, KVM_CHECK_EXTENSION,
			       (void *)KVM_CAP_NR_MEMSLOTS) <= 0)
			h->host_errors++;
		h->rounds++;
	}
	return NULL;
}

static void test_control(uint64_t w)
{
	struct kvm_vcpu *vcpus[NR_VCPUS];
	static struct host_loop h;
	uint64_t id;

	memset(&h, 0, sizeof(h));
	h.vm = stress_vm(guest_il, vcpus, false);
	for (id = 0; id < NR_VCPUS; id++)
		vcpu_args_set(vcpus[id], 3, id, w, (uint64_t)-KVM_ENOSYS);
	run_parties(&h, vcpus, host_control_thread);
	ksft_test_result(!h.host_errors,
			 "control %lu: %d vmmcalls per vCPU without tracking, %lu host ioctls\n",
			 w, IL_ITERS, h.rounds);
	kvm_vm_free(h.vm);
}

int main(int argc, char **argv)
{
	unsigned int i;

	ksft_print_header();
	if (argc > 1 && !strcmp(argv[1], "control")) {
		ksft_set_plan(ARRAY_SIZE(widths));
		for (i = 0; i < ARRAY_SIZE(widths); i++)
			test_control(widths[i]);
		ksft_finished();
	}
	pgenc_require();
	ksft_set_plan(2 + 2 * ARRAY_SIZE(widths));
	srandom(3);

	test_edges();
	for (i = 0; i < ARRAY_SIZE(widths); i++)
		test_interleaved(widths[i]);
	ksft_finished();
}
