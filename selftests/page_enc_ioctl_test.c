// SPDX-License-Identifier: GPL-2.0-only
/*
 * page_enc_ioctl_test: KVM_CAP_PAGE_ENC_BITMAP and the GET/SET ioctls
 * from the VMM's side: unaligned round trips that keep the caller's
 * trailing bits, resets, reads past memory, ranges across the kernel's
 * internal chunks, and every bad argument with its errno and no change.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "pgenc_util.h"

/* A tiny slot at 8 GiB: 2M+ tracked pages, several kernel chunks. */
#define HIGH_GPA (8ULL << 30)
#define HIGH_PAGES 16ULL
#define END_GFN (HIGH_GPA / PGENC_PAGE + HIGH_PAGES)
#define CHUNK_BITS (64ULL * 1024 * 8)

static void guest_code(void)
{
	GUEST_DONE();
}

static struct kvm_vm *make_vm(bool track)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_code);

	uint64_t gap;

	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, HIGH_GPA, 1,
				    HIGH_PAGES, 0);
	/* Tracked memory is the memslots: no hole in [0, END_GFN). */
	pgenc_track_to(vm, 2, HIGH_GPA / PGENC_PAGE, &gap);
	if (track)
		pgenc_enable(vm);
	return vm;
}

static void fill_random(uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = random();
}

static void test_capability(void)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_PAGE_ENC_BITMAP };
	struct kvm_vm *vm = make_vm(false);
	int sys = kvm_check_cap(KVM_CAP_PAGE_ENC_BITMAP);
	int on_vm = __vm_ioctl(vm, KVM_CHECK_EXTENSION,
			       (void *)(long)KVM_CAP_PAGE_ENC_BITMAP);
	int bad_arg, bad_flags, first, second;

	ksft_test_result(sys == KVM_PAGE_ENC_CAP_ALL && on_vm == sys,
			 "KVM_CHECK_EXTENSION: %#x on /dev/kvm, %#x on the VM\n",
			 sys, on_vm);

	cap.args[3] = 1;
	bad_arg = __vm_ioctl(vm, KVM_ENABLE_CAP, &cap) ? errno : 0;
	cap.args[3] = 0;
	cap.flags = 1;
	bad_flags = __vm_ioctl(vm, KVM_ENABLE_CAP, &cap) ? errno : 0;
	ksft_test_result(bad_arg == EINVAL && bad_flags == EINVAL &&
				 pgenc_get(vm, 0, 8, &cap) == -ENXIO,
			 "KVM_ENABLE_CAP with args or flags: EINVAL, tracking stays off\n");

	/* Untracked: -ENXIO before any check of the range. */
	ksft_test_result(pgenc_get(vm, 0, 0, &cap) == -ENXIO &&
				 pgenc_set(vm, 0, 0, &cap) == -ENXIO &&
				 pgenc_get(vm, ~0ULL - 3, 10, &cap) == -ENXIO &&
				 pgenc_set(vm, 1, ~0ULL, NULL) == -ENXIO,
			 "untracked VM: GET and SET of an invalid range: ENXIO\n");

	cap.flags = 0;
	first = __vm_ioctl(vm, KVM_ENABLE_CAP, &cap);
	second = __vm_ioctl(vm, KVM_ENABLE_CAP, &cap);
	ksft_test_result(!first && !second, "KVM_ENABLE_CAP twice: 0, 0\n");
	kvm_vm_free(vm);
}

/* SET a random pattern at [start, start + n), then GET it back. */
static bool round_trip(struct kvm_vm *vm, struct pgenc_model *m, uint64_t start,
		       uint64_t n)
{
	size_t len = (n + 7) / 8;
	uint8_t *in = malloc(len), *out = malloc(len);
	uint8_t trailer = 0xa5;
	bool ok = true;
	uint64_t i;

	TEST_ASSERT(in && out, "buffers");
	fill_random(in, len);
	memset(out, 0x5a, len);
	out[len - 1] = trailer;
	ok &= !pgenc_set(vm, start, n, in);
	ok &= !pgenc_get(vm, start, n, out);
	for (i = 0; i < n; i++) {
		m->enc[start + i] = pgenc_bit(in, i);
		ok &= pgenc_bit(out, i) == pgenc_bit(in, i);
	}
	/* The caller's bits past num_pages in the last byte survive. */
	for (i = n; i < len * 8; i++)
		ok &= pgenc_bit(out, i) == pgenc_bit(&trailer, i % 8);
	free(in);
	free(out);
	return ok;
}

static void test_round_trips(void)
{
	static const uint64_t starts[] = { 0, 1, 7, 8, 9, 63, 64, 65, 1000 };
	static const uint64_t lens[] = { 1, 7, 8, 9, 63, 64, 65, 129, 4099 };
	struct kvm_vm *vm = make_vm(true);
	struct pgenc_model m;
	bool ok = true;
	size_t s, l;

	pgenc_model_init(&m, END_GFN);
	for (s = 0; s < ARRAY_SIZE(starts); s++)
		for (l = 0; l < ARRAY_SIZE(lens); l++)
			ok &= round_trip(vm, &m, starts[s], lens[l]);
	ksft_test_result(ok && pgenc_model_diff(vm, &m) < 0,
			 "GET/SET round trip at unaligned start_gfn and odd lengths, trailing bits kept\n");

	ok = round_trip(vm, &m, CHUNK_BITS - 1000 + 3, 3000) &&
	     round_trip(vm, &m, 3 * CHUNK_BITS - 5, CHUNK_BITS + 11) &&
	     round_trip(vm, &m, END_GFN - 77, 77);
	ksft_test_result(ok && pgenc_model_diff(vm, &m) < 0,
			 "round trips across the kernel's chunks and at the end of memory\n");

	ok = !pgenc_set(vm, 5, 3000, NULL);
	pgenc_model_fill(&m, 5, 3000, true);
	ksft_test_result(ok && pgenc_model_diff(vm, &m) < 0,
			 "SET with a NULL buffer resets the range to encrypted\n");

	ok = !pgenc_set(vm, 0, END_GFN, NULL);
	pgenc_model_fill(&m, 0, END_GFN, true);
	ok &= !pgenc_set(vm, END_GFN - 3, 3, (uint8_t[]){ 0 });
	pgenc_model_fill(&m, END_GFN - 3, 3, false);
	ksft_test_result(ok && pgenc_model_diff(vm, &m) < 0,
			 "GET past the end of memory reads encrypted\n");
	free(m.enc);
	kvm_vm_free(vm);
}

static void test_bad_arguments(void)
{
	long page = getpagesize();
	struct kvm_vm *vm = make_vm(true);
	struct pgenc_model m;
	uint8_t buf[64], *two;
	bool ok;

	pgenc_model_init(&m, END_GFN);
	fill_random(buf, sizeof(buf));
	TEST_ASSERT(!pgenc_set(vm, 100, 512, buf), "seed a pattern");
	for (uint64_t i = 0; i < 512; i++)
		m.enc[100 + i] = pgenc_bit(buf, i);

	ok = pgenc_get(vm, 0, 0, buf) == -EINVAL &&
	     pgenc_set(vm, 0, 0, buf) == -EINVAL;
	ksft_test_result(ok, "num_pages 0: EINVAL\n");

	ok = pgenc_get(vm, ~0ULL - 3, 10, buf) == -EINVAL &&
	     pgenc_set(vm, ~0ULL - 3, 10, buf) == -EINVAL &&
	     pgenc_get(vm, 1, ~0ULL, buf) == -EINVAL;
	ksft_test_result(ok && pgenc_model_diff(vm, &m) < 0,
			 "start_gfn + num_pages overflow: EINVAL, no change\n");

	ok = pgenc_set(vm, END_GFN - 8, 9, buf) == -EINVAL &&
	     pgenc_set(vm, END_GFN, 1, NULL) == -EINVAL &&
	     pgenc_set(vm, 1ULL << 40, 8, buf) == -EINVAL;
	ksft_test_result(ok && pgenc_model_diff(vm, &m) < 0,
			 "SET beyond tracked memory: EINVAL, no change\n");

	ok = pgenc_get(vm, 0, 64, NULL) == -EFAULT &&
	     pgenc_set(vm, 0, 64, (void *)8) == -EFAULT &&
	     ioctl(vm->fd, KVM_GET_PAGE_ENC_BITMAP, NULL) && errno == EFAULT &&
	     ioctl(vm->fd, KVM_SET_PAGE_ENC_BITMAP, NULL) && errno == EFAULT;
	ksft_test_result(ok && pgenc_model_diff(vm, &m) < 0,
			 "NULL or bad buffer and NULL struct: EFAULT, no change\n");

	/* A buffer whose second page is unmapped: fails half way. */
	two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(two != MAP_FAILED, "mmap");
	munmap(two + page, page);
	memset(two, 0, page);
	ok = pgenc_set(vm, 0, (page + 16) * 8, two) == -EFAULT &&
	     pgenc_get(vm, 0, (page + 16) * 8, two) == -EFAULT;
	ksft_test_result(ok && pgenc_model_diff(vm, &m) < 0,
			 "buffer unmapped part way: EFAULT, bitmap unchanged\n");
	munmap(two, page);
	free(m.enc);
	kvm_vm_free(vm);
}

int main(void)
{
	ksft_print_header();
	pgenc_require();
	ksft_set_plan(4 + 4 + 5);
	srandom(1);

	test_capability();
	test_round_trips();
	test_bad_arguments();
	ksft_finished();
}
