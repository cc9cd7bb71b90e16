// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU's state for migration (Documentation/migration.rst, "vCPU
 * state"): registers, special registers, FPU and XSAVE, XCRs, events,
 * MP state and every MSR of KVM_GET_MSR_INDEX_LIST (with
 * MSR_KVM_MIGRATION_CONTROL), as the sections of a VCPU record. The VMM
 * creates no in-kernel irqchip or PIT, so there is no LAPIC, IOAPIC or
 * PIT state to carry.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm.h"

#define MSR_KVM_MIGRATION_CONTROL 0x4b564d08

struct vmm_vcpu_state {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	struct kvm_xsave xsave;
	struct kvm_xcrs xcrs;
	struct kvm_vcpu_events events;
	struct kvm_mp_state mp;
	uint32_t vmm;
	uint32_t nmsrs;
	struct kvm_msr_entry msrs[PGENC_MIG_MAX_MSRS];
};

/* The MSR indices to save: KVM's list, MIGRATION_CONTROL included. */
static int msr_list(int kvm_fd, uint32_t *idx, uint32_t *n)
{
	struct kvm_msr_list *l;
	uint32_t i, cnt;
	bool mc = false;

	l = calloc(1, sizeof(*l) + PGENC_MIG_MAX_MSRS * sizeof(uint32_t));
	if (!l)
		return -ENOMEM;
	l->nmsrs = PGENC_MIG_MAX_MSRS - 1;
	if (ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, l)) {
		free(l);
		return -errno;
	}
	cnt = l->nmsrs;
	for (i = 0; i < cnt; i++) {
		idx[i] = l->indices[i];
		mc |= idx[i] == MSR_KVM_MIGRATION_CONTROL;
	}
	if (!mc)
		idx[cnt++] = MSR_KVM_MIGRATION_CONTROL;
	free(l);
	*n = cnt;
	return 0;
}

/*
 * KVM_GET_MSRS stops at the first MSR it cannot read: read what it can,
 * skip that one, go on.
 */
static int get_msrs(struct vmm_vcpu *v, struct vmm_vcpu_state *st)
{
	static uint32_t idx[PGENC_MIG_MAX_MSRS];
	struct kvm_msrs *m;
	uint32_t n = 0, i = 0, j;
	int r;

	r = msr_list(v->vm->kvm_fd, idx, &n);
	if (r)
		return r;
	m = calloc(1, sizeof(*m) + n * sizeof(m->entries[0]));
	if (!m)
		return -ENOMEM;
	st->nmsrs = 0;
	while (i < n) {
		m->nmsrs = n - i;
		for (j = 0; j < n - i; j++)
			m->entries[j] =
				(struct kvm_msr_entry){ .index = idx[i + j] };
		r = ioctl(v->fd, KVM_GET_MSRS, m);
		if (r < 0) {
			r = -errno;
			free(m);
			return r;
		}
		memcpy(st->msrs + st->nmsrs, m->entries,
		       (size_t)r * sizeof(m->entries[0]));
		st->nmsrs += (uint32_t)r;
		i += (uint32_t)r + 1; /* skip the one that failed */
	}
	free(m);
	return 0;
}

int vmm_vcpu_save(struct vmm_vcpu *v, struct vmm_vcpu_state **out,
		  struct pgenc_mig_section *sec)
{
	struct vmm_vcpu_state *st = calloc(1, sizeof(*st));
	int kvm = v->vm->kvm_fd, r;

	if (!st)
		return -ENOMEM;
	memset(sec, 0, sizeof(*sec) * (PGENC_MIG_SEC_MAX + 1));
#define SEC(id, field) \
	(sec[id] = (struct pgenc_mig_section){ &st->field, sizeof(st->field) })
	if (ioctl(v->fd, KVM_GET_REGS, &st->regs) ||
	    ioctl(v->fd, KVM_GET_SREGS, &st->sregs) ||
	    ioctl(v->fd, KVM_GET_VCPU_EVENTS, &st->events) ||
	    ioctl(v->fd, KVM_GET_MP_STATE, &st->mp))
		goto fail;
	SEC(PGENC_MIG_SEC_REGS, regs);
	SEC(PGENC_MIG_SEC_SREGS, sregs);
	SEC(PGENC_MIG_SEC_EVENTS, events);
	SEC(PGENC_MIG_SEC_MP_STATE, mp);
	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) > 0) {
		if (ioctl(v->fd, KVM_GET_XSAVE, &st->xsave))
			goto fail;
		SEC(PGENC_MIG_SEC_XSAVE, xsave);
	} else {
		if (ioctl(v->fd, KVM_GET_FPU, &st->fpu))
			goto fail;
		SEC(PGENC_MIG_SEC_FPU, fpu);
	}
	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) > 0) {
		if (ioctl(v->fd, KVM_GET_XCRS, &st->xcrs))
			goto fail;
		SEC(PGENC_MIG_SEC_XCRS, xcrs);
	}
	r = get_msrs(v, st);
	if (r) {
		free(st);
		return r;
	}
	sec[PGENC_MIG_SEC_MSRS] = (struct pgenc_mig_section){
		st->msrs, st->nmsrs * (uint32_t)sizeof(st->msrs[0])
	};
	st->vmm = v->end == VMM_HALTED ? PGENC_MIG_VMM_HALTED : 0;
	SEC(PGENC_MIG_SEC_VMM, vmm);
#undef SEC
	*out = st;
	return 0;
fail:
	r = -errno;
	free(st);
	return r;
}

void vmm_vcpu_state_free(struct vmm_vcpu_state *st)
{
	free(st);
}

/* Copy a section (not aligned in the stream) and set it with req. */
static int set_sec(struct vmm_vcpu *v, const struct pgenc_mig_section *sec,
		   unsigned int id, unsigned long req, void *buf, size_t len)
{
	if (!sec[id].data)
		return 0;
	memcpy(buf, sec[id].data, len);
	return ioctl(v->fd, req, buf) ? -errno : 0;
}

int vmm_vcpu_restore(struct vmm_vcpu *v, const struct pgenc_mig_section *sec,
		     const char **what)
{
	struct vmm_vcpu_state *st = calloc(1, sizeof(*st));
	const struct pgenc_mig_section *ms = &sec[PGENC_MIG_SEC_MSRS];
	struct kvm_msrs *m = NULL;
	uint32_t vmm = 0, n, i;
	int r;

	if (!st)
		return -ENOMEM;
		/* XCR0 before XSAVE; MSRs before events and the MP state. */
#define SET(id, req, field, name)                                            \
	do {                                                                 \
		*what = name;                                                \
		r = set_sec(v, sec, id, req, &st->field, sizeof(st->field)); \
		if (r)                                                       \
			goto out;                                            \
	} while (0)
	SET(PGENC_MIG_SEC_SREGS, KVM_SET_SREGS, sregs, "KVM_SET_SREGS");
	SET(PGENC_MIG_SEC_REGS, KVM_SET_REGS, regs, "KVM_SET_REGS");
	SET(PGENC_MIG_SEC_XCRS, KVM_SET_XCRS, xcrs, "KVM_SET_XCRS");
	SET(PGENC_MIG_SEC_XSAVE, KVM_SET_XSAVE, xsave, "KVM_SET_XSAVE");
	SET(PGENC_MIG_SEC_FPU, KVM_SET_FPU, fpu, "KVM_SET_FPU");
	*what = "KVM_SET_MSRS";
	n = ms->len / (uint32_t)sizeof(struct kvm_msr_entry);
	m = calloc(1, sizeof(*m) + n * sizeof(m->entries[0]));
	if (!m) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(st->msrs, ms->data, ms->len);
	/* Like GET, SET stops at an MSR it refuses: skip it, go on. */
	for (i = 0; i < n;) {
		m->nmsrs = n - i;
		memcpy(m->entries, st->msrs + i, (n - i) * sizeof(st->msrs[0]));
		r = ioctl(v->fd, KVM_SET_MSRS, m);
		if (r < 0) {
			r = -errno;
			goto out;
		}
		if ((uint32_t)r < n - i && st->msrs[i + (uint32_t)r].index ==
						   MSR_KVM_MIGRATION_CONTROL) {
			*what = "KVM_SET_MSRS of MSR_KVM_MIGRATION_CONTROL";
			r = -EINVAL;
			goto out;
		}
		i += (uint32_t)r + 1;
	}
	SET(PGENC_MIG_SEC_EVENTS, KVM_SET_VCPU_EVENTS, events,
	    "KVM_SET_VCPU_EVENTS");
	SET(PGENC_MIG_SEC_MP_STATE, KVM_SET_MP_STATE, mp, "KVM_SET_MP_STATE");
#undef SET
	if (sec[PGENC_MIG_SEC_VMM].data)
		memcpy(&vmm, sec[PGENC_MIG_SEC_VMM].data, 4);
	v->restored_halted = vmm & PGENC_MIG_VMM_HALTED;
	r = 0;
out:
	free(m);
	free(st);
	return r;
}

int vmm_migration_control(struct vmm *vm, uint64_t *val)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = { .h.nmsrs = 1, .e.index = MSR_KVM_MIGRATION_CONTROL };
	int r = ioctl(vm->vcpus[0].fd, KVM_GET_MSRS, &m);

	if (r < 0)
		return -errno;
	if (r != 1)
		return -EOPNOTSUPP;
	*val = m.e.data;
	return 0;
}
