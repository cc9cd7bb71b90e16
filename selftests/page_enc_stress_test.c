// SPDX-License-Identifier: GPL-2.0-only
/*
 * page_enc_stress_test: two vCPUs flip pages through hypercall 12 while a
 * host thread runs GET and SET in a loop. Each party owns a range whose
 * edges share bitmap words with a neighbour's, so a lost update from a
 * racing read-modify-write would show: at the end every vCPU range must
 * equal a replay of that vCPU's calls, and the host range its last SET.
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

struct host_loop {
	struct kvm_vm *vm;
	volatile bool stop;
	uint8_t last[RANGE / 8];
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

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct ucall uc;

	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT_1(uc, "call %lu");
	TEST_ASSERT(uc.cmd == UCALL_DONE, "vCPU did not finish");
	return NULL;
}

int main(void)
{
	struct kvm_vcpu *vcpus[NR_VCPUS];
	pthread_t vt[NR_VCPUS], ht;
	struct host_loop h = {};
	struct pgenc_model m;
	uint64_t id, i, gfn, n;
	bool enc;
	int64_t bad;

	ksft_print_header();
	pgenc_require();
	ksft_set_plan(2);
	srandom(3);

	h.vm = vm_create_with_vcpus(NR_VCPUS, guest_code, vcpus);
	pgenc_enable(h.vm);
	/* Guest memory is ~2 MiB: make sure our ranges are tracked. */
	vm_userspace_mem_region_add(h.vm, VM_MEM_SRC_ANONYMOUS, 64 << 20, 1, 16,
				    0);
	for (id = 0; id < NR_VCPUS; id++)
		vcpu_args_set(vcpus[id], 1, id);

	pthread_create(&ht, NULL, host_thread, &h);
	for (id = 0; id < NR_VCPUS; id++)
		pthread_create(&vt[id], NULL, vcpu_thread, vcpus[id]);
	for (id = 0; id < NR_VCPUS; id++)
		pthread_join(vt[id], NULL);
	h.stop = true;
	pthread_join(ht, NULL);

	ksft_test_result(!h.host_errors && h.rounds > 0,
			 "host GET/SET loop: %lu rounds, %lu errors or lost host bits\n",
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
	m.npages = MAP_PAGES;
	bad = pgenc_model_diff(h.vm, &m);
	ksft_test_result(bad < 0,
			 "after %d calls per vCPU the bitmap equals the replay (first wrong gfn %ld)\n",
			 ITERS, (long)bad);
	free(m.enc);
	kvm_vm_free(h.vm);
	ksft_finished();
}
