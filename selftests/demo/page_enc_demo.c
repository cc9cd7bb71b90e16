// SPDX-License-Identifier: GPL-2.0-only
/*
 * page_enc_demo: what a VMM sees while a guest shares memory. The guest
 * (below, in the same file) converts ranges the way a Linux SEV guest
 * does at boot: a swiotlb bounce buffer, per-CPU shared pages, a page
 * converted back. After each step the host exports the bitmap with
 * KVM_GET_PAGE_ENC_BITMAP and prints its ranges and a map.
 *
 * Run by scripts/demo.sh in the test VM; exits non-zero if the exported
 * state differs from what the guest reported.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "pgenc_util.h"

#define MIB (1ULL << 20)
#define MEM_GPA (16 * MIB)
#define MEM_PAGES (48 * MIB / PGENC_PAGE)
#define END_GFN ((MEM_GPA + 48 * MIB) / PGENC_PAGE)

struct step {
	uint64_t gpa, npages, attrs;
	const char *what;
};

static const struct step steps[] = {
	{ 32 * MIB, 1024, 0x00, "swiotlb: 4 MiB bounce buffer made shared" },
	{ 0x9f000, 1, 0x00, "per-CPU page for vCPU 0 shared" },
	{ 0xa0000, 16, 0x00, "16 pages of a virtio ring shared" },
	{ 0xa4000, 4, 0x10, "4 of them converted back to private" },
	{ 60 * MIB, 3, 0x00, "3 pages near the top shared (seed a2=0)" },
	{ 60 * MIB + 0x1000, 1, 0x01,
	  "the middle one private again (seed a2=1)" },
};

#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

static void guest_code(void)
{
	uint64_t i;

	for (i = 0; i < NSTEPS; i++)
		GUEST_SYNC_ARGS(i,
				pgenc_guest_hc(steps[i].gpa, steps[i].npages,
					       steps[i].attrs),
				0, 0, 0);
	GUEST_DONE();
}

/* Print "0x00000-0x0009e encrypted" style ranges and return the count. */
static unsigned int print_ranges(const uint8_t *map, uint64_t n)
{
	unsigned int ranges = 0;
	uint64_t start = 0, i;

	for (i = 1; i <= n; i++) {
		if (i < n && pgenc_bit(map, i) == pgenc_bit(map, start))
			continue;
		printf("    %#07lx-%#07lx %s\n", start, i - 1,
		       pgenc_bit(map, start) ? "encrypted" : "shared");
		ranges++;
		start = i;
	}
	return ranges;
}

/* One character per 256 KiB: '#' all private, '.' all shared, '+' mixed. */
static void print_map(const uint8_t *map, uint64_t n)
{
	uint64_t per = 64, i, j;

	printf("    map (1 char = %lu pages, # private, . shared, + mixed):\n    ",
	       per);
	for (i = 0; i < n; i += per) {
		unsigned int enc = 0;

		for (j = i; j < i + per && j < n; j++)
			enc += pgenc_bit(map, j);
		putchar(enc == j - i ? '#' : enc ? '+' : '.');
		if ((i / per) % 64 == 63)
			printf("\n    ");
	}
	putchar('\n');
}

int main(void)
{
	uint8_t map[END_GFN / 8];
	struct pgenc_model m;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	int errors = 0;
	uint64_t i;

	pgenc_require();
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, MEM_GPA, 1,
				    MEM_PAGES, 0);
	pgenc_enable(vm);
	pgenc_model_init(&m, END_GFN);
	printf("pgenc demo: a guest with %llu MiB of tracked memory, kvm.ko %#x\n",
	       END_GFN * PGENC_PAGE / MIB,
	       kvm_check_cap(KVM_CAP_PAGE_ENC_BITMAP));

	for (i = 0; i < NSTEPS; i++) {
		const struct step *s = &steps[i];

		vcpu_run(vcpu);
		TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC,
			    "guest stopped");
		pgenc_model_fill(&m, s->gpa / PGENC_PAGE, s->npages,
				 s->attrs & 0x10 || s->attrs == 1);
		TEST_ASSERT(!pgenc_get(vm, 0, END_GFN, map), "GET");
		printf("\nstep %lu: guest: hypercall 12 (gpa %#lx, %lu pages, a2 %#lx) = %ld\n  %s\n  host: KVM_GET_PAGE_ENC_BITMAP:\n",
		       i + 1, s->gpa, s->npages, s->attrs, (long)uc.args[2],
		       s->what);
		print_ranges(map, END_GFN);
		if (uc.args[2] || pgenc_model_diff(vm, &m) >= 0) {
			printf("  MISMATCH with the guest's reports\n");
			errors++;
		}
	}
	print_map(map, END_GFN);

	/* A VMM restoring state on a migration target: SET, then GET. */
	TEST_ASSERT(!pgenc_set(vm, 0, END_GFN, NULL), "SET reset");
	TEST_ASSERT(!pgenc_set(vm, 0, END_GFN, map), "SET import");
	errors += pgenc_model_diff(vm, &m) >= 0;
	printf("\nexported %zu bytes, reset, imported them back: %s\n",
	       sizeof(map), errors ? "MISMATCH" : "identical");
	kvm_vm_free(vm);
	free(m.enc);
	printf("pgenc demo: %s\n", errors ? "FAILED" : "ok");
	return errors ? 1 : 0;
}
