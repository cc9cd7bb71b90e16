/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by pgenc's selftests: the ioctls as errno-returning
 * calls, the guest's hypercall, and a plain byte-per-page model of the
 * bitmap that tests compare the kernel's view against.
 */
#ifndef PGENC_UTIL_H
#define PGENC_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm_para.h>
#include <linux/kvm_pgenc.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "pgenc_compat.h"

#define PGENC_PAGE 4096ULL

/* Guest: hypercall 12 with AMD's instruction (kvm_amd handles it natively). */
static inline uint64_t pgenc_guest_hc(uint64_t gpa, uint64_t npages,
				      uint64_t attrs)
{
	uint64_t ret;

	asm volatile("vmmcall"
		     : "=a"(ret)
		     : "a"((uint64_t)KVM_HC_PAGE_ENC_STATUS), "b"(gpa),
		       "c"(npages), "d"(attrs)
		     : "memory");
	return ret;
}

/* Host: exit with a clear failure when the modules under test are absent. */
static inline void pgenc_require(void)
{
	if (access("/dev/kvm", R_OK | W_OK))
		ksft_exit_skip("/dev/kvm not usable (kvm module not loaded?)\n");
	if (kvm_check_cap(KVM_CAP_PAGE_ENC_BITMAP) <= 0)
		ksft_exit_fail_msg("KVM_CAP_PAGE_ENC_BITMAP missing: pgenc's kvm.ko is not loaded\n");
}

static inline void pgenc_enable(struct kvm_vm *vm)
{
	vm_enable_cap(vm, KVM_CAP_PAGE_ENC_BITMAP, 0);
}

static inline int pgenc_ioctl(struct kvm_vm *vm, unsigned long cmd,
			      uint64_t start, uint64_t n, void *buf)
{
	struct kvm_page_enc_bitmap b = {
		.start_gfn = start,
		.num_pages = n,
		.enc_bitmap = buf,
	};

	/* Plain ioctl(): the library's wrapper wants a constant cmd. */
	return ioctl(vm->fd, cmd, &b) ? -errno : 0;
}

static inline int pgenc_get(struct kvm_vm *vm, uint64_t start, uint64_t n,
			    void *buf)
{
	return pgenc_ioctl(vm, KVM_GET_PAGE_ENC_BITMAP, start, n, buf);
}

static inline int pgenc_set(struct kvm_vm *vm, uint64_t start, uint64_t n,
			    const void *buf)
{
	return pgenc_ioctl(vm, KVM_SET_PAGE_ENC_BITMAP, start, n, (void *)buf);
}

static inline bool pgenc_bit(const uint8_t *map, uint64_t i)
{
	return map[i / 8] >> (i % 8) & 1;
}

static inline void pgenc_put_bit(uint8_t *map, uint64_t i, bool v)
{
	if (v)
		map[i / 8] |= 1u << (i % 8);
	else
		map[i / 8] &= ~(1u << (i % 8));
}

/* A byte-per-page model: model[gfn] = 1 encrypted, 0 shared. */
struct pgenc_model {
	uint64_t npages;
	uint8_t *enc;
};

static inline void pgenc_model_init(struct pgenc_model *m, uint64_t npages)
{
	m->npages = npages;
	m->enc = malloc(npages);
	TEST_ASSERT(m->enc, "model allocation");
	memset(m->enc, 1, npages);
}

static inline void pgenc_model_fill(struct pgenc_model *m, uint64_t start,
				    uint64_t n, bool enc)
{
	TEST_ASSERT(start + n <= m->npages, "model range");
	memset(m->enc + start, enc, n);
}

/*
 * GET [0, npages + slack) and compare with the model; pages past the
 * model read as encrypted. Returns the first differing gfn, or -1.
 */
static inline int64_t pgenc_model_diff(struct kvm_vm *vm,
				       const struct pgenc_model *m)
{
	uint64_t n = m->npages + 77, i;
	uint8_t *buf = calloc(1, n / 8 + 1);
	int64_t bad = -1;
	int r;

	TEST_ASSERT(buf, "GET buffer");
	r = pgenc_get(vm, 0, n, buf);
	TEST_ASSERT(!r, "KVM_GET_PAGE_ENC_BITMAP: %s", strerror(-r));
	for (i = 0; i < n && bad < 0; i++)
		if (pgenc_bit(buf, i) != (i < m->npages ? m->enc[i] : 1))
			bad = i;
	free(buf);
	return bad;
}

/*
 * Memslot slot over npages pages at gpa, backed by MAP_NORESERVE memory
 * that is never touched: tracked memory (bits are kept per memslot,
 * Documentation/api.rst, "Tracked memory") with no RAM behind it. The raw
 * ioctl, because the library refuses gpas in AMD's HyperTransport hole,
 * which matters only to a running vCPU. munmap(npages * 4096) after the
 * VM is freed.
 */
static inline void *pgenc_sparse_slot(struct kvm_vm *vm, uint32_t slot,
				      uint64_t gpa, uint64_t npages)
{
	size_t bytes = npages * PGENC_PAGE;
	void *hva = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int r;

	TEST_ASSERT(hva != MAP_FAILED, "mmap slot");
	r = __vm_set_user_memory_region(vm, slot, 0, gpa, bytes, hva);
	TEST_ASSERT(!r, "KVM_SET_USER_MEMORY_REGION at 0x%lx: %s",
		    (unsigned long)gpa, strerror(errno));
	return hva;
}

/*
 * A sparse slot from the end of the library's slot 0 up to end_gfn, so
 * that [0, end_gfn) is tracked with no hole; *npages gets its size.
 */
static inline void *pgenc_track_to(struct kvm_vm *vm, uint32_t slot,
				   uint64_t end_gfn, uint64_t *npages)
{
	uint64_t end0 = (memslot2region(vm, 0)->region.guest_phys_addr +
			 memslot2region(vm, 0)->region.memory_size) /
			PGENC_PAGE;

	TEST_ASSERT(end_gfn > end0, "end_gfn %#lx inside slot 0",
		    (unsigned long)end_gfn);
	*npages = end_gfn - end0;
	return pgenc_sparse_slot(vm, slot, end0 * PGENC_PAGE, *npages);
}

/* A numeric field of the VM's debugfs pgenc_stats; -1 if absent. */
static inline long long pgenc_stat(struct kvm_vm *vm, const char *field)
{
	char path[128], line[128], name[64];
	long long v, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/pgenc_stats",
		 getpid(), vm->fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %lld", name, &v) == 2 &&
		    !strcmp(name, field))
			found = v;
	fclose(f);
	return found;
}

/*
 * A figure for the end-of-run summary of make check / check-debug
 * (scripts/figures.sh sums every "FIGURE <name> <n>" line of a run):
 * calls_fuzzed, stress_iterations, faults_injected.
 */
static inline void pgenc_figure(const char *name, unsigned long long n)
{
	ksft_print_msg("FIGURE %s %llu\n", name, n);
}

#endif /* PGENC_UTIL_H */
