// SPDX-License-Identifier: GPL-2.0
/*
 * `pgenc run`: guest memory contents and vCPU state. The layout and the
 * entry state are boot.h's: 64-bit long mode with identity page tables
 * built here, so a guest needs no boot code of its own.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvm_debugfs.h"
#include "vmm.h"

#define GIB (1ULL << 30)

/* x86 page table bits */
#define PTE_P (1ULL << 0)
#define PTE_RW (1ULL << 1)
#define PTE_PS (1ULL << 7)

int vmm_load_file(const char *path, void **data, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = NULL, *p;
	ssize_t got;
	int fd, e;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return -errno;
	for (;;) {
		if (!buf || n == cap) {
			if (buf)
				cap *= 2;
			if (cap > (1ULL << 32)) {
				e = EFBIG;
				goto fail;
			}
			p = realloc(buf, cap);
			if (!p) {
				e = ENOMEM;
				goto fail;
			}
			buf = p;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			e = errno;
			goto fail;
		}
		if (!got)
			break;
		n += (size_t)got;
	}
	if (fd)
		close(fd);
	*data = buf;
	*len = n;
	return 0;
fail:
	if (fd)
		close(fd);
	free(buf);
	return -e;
}

int vmm_put(struct vmm *vm, uint64_t gpa, const void *data, size_t len,
	    const char *what)
{
	struct vmm_region *r;
	unsigned int i;

	if (gpa >= vm->mem_size || len > vm->mem_size - gpa)
		return -ERANGE;
	for (i = 0; i < vm->nr_regions; i++) {
		r = &vm->regions[i];
		if (gpa < r->gpa + r->len && r->gpa < gpa + len)
			return -EEXIST;
	}
	if (vm->nr_regions == VMM_MAX_REGIONS)
		return -ENOSPC;
	if (data)
		memcpy(vm->mem + gpa, data, len);
	else
		memset(vm->mem + gpa, 0, len);
	r = &vm->regions[vm->nr_regions++];
	r->gpa = gpa;
	r->len = len;
	r->what = what;
	return 0;
}

static uint64_t *pt_page(struct vmm *vm, uint64_t gpa)
{
	return (uint64_t *)(vm->mem + gpa);
}

int vmm_setup_boot(struct vmm *vm, uint64_t flags)
{
	/* null, 64-bit code (0x08), flat data (0x10) */
	static const uint64_t gdt[3] = { 0, 0x00af9a000000ffffULL,
					 0x00cf92000000ffffULL };
	uint64_t ngb = (vm->mem_size + GIB - 1) / GIB, i, j;
	uint64_t c = vm->cbit ? 1ULL << vm->cbit : 0;
	uint64_t pml4 = PGENC_PT_GPA, pdpt = pml4 + PGENC_PAGE_SIZE;
	uint64_t pdpt_alias = pdpt + PGENC_PAGE_SIZE;
	uint64_t pd = pdpt_alias + PGENC_PAGE_SIZE;
	uint64_t pd_alias = pd + ngb * PGENC_PAGE_SIZE;
	struct pgenc_boot_info bi = {
		.magic = PGENC_BOOT_MAGIC,
		.mem_size = vm->mem_size,
		.nr_vcpus = vm->nr_vcpus,
		.flags = flags,
		.shared_alias = PGENC_SHARED_ALIAS,
		.data_gpa = vm->data_gpa,
		.data_len = vm->data_len,
		.guest_arg = vm->guest_arg,
	};
	int r;

	vm->pt_end = pd_alias + ngb * PGENC_PAGE_SIZE;
	if (vm->pt_end > PGENC_PT_END)
		return -E2BIG;
	r = vmm_put(vm, PGENC_GDT_GPA, gdt, sizeof(gdt), "GDT");
	if (!r)
		r = vmm_put(vm, PGENC_BOOT_INFO_GPA, &bi, sizeof(bi),
			    "boot info");
	if (!r)
		r = vmm_put(vm, PGENC_PT_GPA, NULL, vm->pt_end - PGENC_PT_GPA,
			    "page tables");
	if (r)
		return r;

	/*
	 * PML4[0]: identity, private on SEV hardware (C-bit in every entry);
	 * PML4[1]: the shared alias, whose leaves lack the C-bit (its tables
	 * are private memory like all the others).
	 */
	pt_page(vm, pml4)[0] = pdpt | PTE_P | PTE_RW | c;
	pt_page(vm, pml4)[1] = pdpt_alias | PTE_P | PTE_RW | c;
	for (i = 0; i < ngb; i++) {
		uint64_t *d = pt_page(vm, pd + i * PGENC_PAGE_SIZE);
		uint64_t *da = pt_page(vm, pd_alias + i * PGENC_PAGE_SIZE);

		pt_page(vm, pdpt)[i] = (pd + i * PGENC_PAGE_SIZE) | PTE_P |
				       PTE_RW | c;
		pt_page(vm, pdpt_alias)[i] = (pd_alias + i * PGENC_PAGE_SIZE) |
					     PTE_P | PTE_RW | c;
		for (j = 0; j < 512; j++) {
			uint64_t pa = i * GIB + (j << 21);

			d[j] = pa | PTE_P | PTE_RW | PTE_PS | c;
			da[j] = pa | PTE_P | PTE_RW | PTE_PS;
		}
	}
	return 0;
}

static int load_elf(struct vmm *vm, const uint8_t *data, size_t len,
		    const char *what)
{
	const Elf64_Ehdr *eh = (const void *)data;
	unsigned int i, loaded = 0;
	int r;

	if (len < sizeof(*eh) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64) {
		vmm_err("%s: not a little-endian x86-64 ELF64 file", what);
		return -EINVAL;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > len ||
	    (len - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum) {
		vmm_err("%s: bad program header table", what);
		return -EINVAL;
	}
	for (i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, data + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > len ||
		    ph.p_filesz > len - ph.p_offset) {
			vmm_err("%s: segment %u lies outside the file", what,
				i);
			return -EINVAL;
		}
		if (ph.p_paddr < PGENC_IMAGE_MIN) {
			vmm_err("%s: segment %u at 0x%" PRIx64
				" is below 1 MiB (the VMM's area)",
				what, i, (uint64_t)ph.p_paddr);
			return -EINVAL;
		}
		r = vmm_put(vm, ph.p_paddr, NULL, ph.p_memsz, what);
		if (r) {
			vmm_err("%s: segment %u [0x%" PRIx64 ", +0x%" PRIx64
				"): %s",
				what, i, (uint64_t)ph.p_paddr,
				(uint64_t)ph.p_memsz,
				r == -ERANGE ? "outside guest memory" :
					       "overlaps another region");
			return r;
		}
		memcpy(vm->mem + ph.p_paddr, data + ph.p_offset, ph.p_filesz);
		loaded++;
	}
	if (!loaded) {
		vmm_err("%s: no PT_LOAD segment", what);
		return -EINVAL;
	}
	vm->entry = eh->e_entry;
	return 0;
}

int vmm_load_image(struct vmm *vm, const void *data, size_t len, bool at_set,
		   uint64_t gpa, const char *what)
{
	int r;

	if (len >= SELFMAG && !memcmp(data, ELFMAG, SELFMAG)) {
		if (at_set) {
			vmm_err("%s: an ELF file loads at its own addresses; drop @GPA",
				what);
			return -EINVAL;
		}
		return load_elf(vm, data, len, what);
	}
	if (!len) {
		vmm_err("%s: empty image", what);
		return -EINVAL;
	}
	if (!at_set)
		gpa = PGENC_IMAGE_GPA;
	if (gpa < PGENC_IMAGE_MIN) {
		vmm_err("%s: 0x%" PRIx64
			" is below 1 MiB (the VMM's area): load at 0x100000 or above",
			what, gpa);
		return -EINVAL;
	}
	r = vmm_put(vm, gpa, data, len, what);
	if (r) {
		vmm_err("%s: [0x%" PRIx64 ", +0x%zx): %s", what, gpa, len,
			r == -ERANGE ? "outside guest memory" :
				       "overlaps another region");
		return r;
	}
	vm->entry = gpa;
	return 0;
}

struct kvm_cpuid2 *vmm_supported_cpuid(int kvm_fd)
{
	unsigned int n = 64;
	struct kvm_cpuid2 *c;

	for (;;) {
		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			return NULL;
		c->nent = n;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c))
			return c;
		free(c);
		if (errno != E2BIG || n >= 4096)
			return NULL;
		n *= 2;
	}
}

static void set_seg(struct kvm_segment *s, uint16_t sel, uint8_t type,
		    bool code)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

int vmm_setup_vcpu(struct vmm *vm, struct vmm_vcpu *v,
		   const struct kvm_cpuid2 *cpuid)
{
	size_t sz = sizeof(*cpuid) + cpuid->nent * sizeof(cpuid->entries[0]);
	struct kvm_cpuid2 *c = malloc(sz);
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	uint64_t cr3 = PGENC_PT_GPA;
	unsigned int i;

	if (!c)
		return -ENOMEM;
	memcpy(c, cpuid, sz);
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) | v->index << 24;
		if (e->function == 0xb || e->function == 0x1f)
			e->edx = v->index;
	}
	if (ioctl(v->fd, KVM_SET_CPUID2, c)) {
		free(c);
		return -errno;
	}
	free(c);

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs))
		return -errno;
	set_seg(&sregs.cs, 0x08, 11, true);
	set_seg(&sregs.ds, 0x10, 3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.limit = 0x67;
	sregs.tr.type = 11; /* 64-bit TSS, busy */
	sregs.tr.present = 1;
	memset(&sregs.ldt, 0, sizeof(sregs.ldt));
	sregs.ldt.type = 2;
	sregs.ldt.unusable = 1;
	sregs.gdt.base = PGENC_GDT_GPA;
	sregs.gdt.limit = 3 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	if (vm->cbit)
		cr3 |= 1ULL << vm->cbit;
	sregs.cr3 = cr3;
	/* PG | AM | WP | NE | ET | MP | PE; PAE | OSFXSR | OSXMMEXCPT */
	sregs.cr0 = 0x80050033;
	sregs.cr4 = 0x620;
	sregs.efer = 0x500; /* LMA | LME */
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs))
		return -errno;

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;
	regs.rip = vm->entry;
	regs.rsp = PGENC_STACK_TOP - v->index * PGENC_STACK_SIZE;
	regs.rdi = v->index;
	regs.rsi = PGENC_BOOT_INFO_GPA;
	if (ioctl(v->fd, KVM_SET_REGS, &regs))
		return -errno;
	return 0;
}

void vmm_demo_secret(uint8_t *buf, unsigned int pages)
{
	unsigned int p, l;
	char text[PGENC_DEMO_LINE + 1], line[PGENC_DEMO_LINE + 1];

	for (p = 0; p < pages; p++) {
		for (l = 0; l < PGENC_PAGE_SIZE / PGENC_DEMO_LINE; l++) {
			snprintf(text, sizeof(text),
				 "pgenc demo secret page %u line %02u: measured at launch",
				 p, l);
			snprintf(line, sizeof(line), "%-63.63s\n", text);
			memcpy(buf + p * PGENC_PAGE_SIZE + l * PGENC_DEMO_LINE,
			       line, PGENC_DEMO_LINE);
		}
	}
}

int vmm_kstats(const struct vmm *vm, struct vmm_kstats *ks)
{
	struct kvmfs_vm v = { 0 };
	const char *missing;
	char path[96];
	int r;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/pgenc_stats",
		 (int)getpid(), vm->vm_fd);
	r = kvmfs_read_stats(path, &v, &missing);
	if (r < 0)
		return r;
	if (!r)
		return -ENODATA;
	*ks = (struct vmm_kstats){
		.tracked_pages = v.tracked_pages,
		.shared_pages = v.shared_pages,
		.hypercalls = v.hypercalls,
		.hypercall_errors = v.hypercall_errors,
		.migration_control = v.migration_control,
		.dbg_fw_cmds = v.dbg_fw_cmds,
		.dbg_bypassed_pages = v.dbg_bypassed_pages,
	};
	return 0;
}
