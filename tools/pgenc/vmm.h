/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `pgenc run`, the minimal VMM: state shared by run.c (options, vCPU
 * threads), vmm_setup.c (memory, page tables, images, vCPU registers),
 * vmm_sev.c (SEV launch) and vmm_ctl.c (the control socket server).
 */
#ifndef PGENC_VMM_H
#define PGENC_VMM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "guest/boot.h"

enum vmm_state {
	VMM_RUNNING, /* some vCPU runs */
	VMM_HALTED, /* every vCPU executed HLT */
	VMM_SHUTDOWN, /* a vCPU shut down (triple fault, system event) */
	VMM_STOPPED, /* stopped on request (quit, signal) */
	VMM_ERROR, /* a vCPU failed (KVM_RUN error, unexpected exit) */
};

struct vmm;

struct vmm_vcpu {
	struct vmm *vm;
	unsigned int index;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool started;
	enum vmm_state end; /* how it stopped */
	char line[160]; /* console output not yet printed */
	size_t line_len;
};

/* A guest physical range written by the VMM before the launch. */
struct vmm_region {
	uint64_t gpa;
	uint64_t len;
	const char *what;
};

#define VMM_MAX_REGIONS 16

struct vmm {
	int kvm_fd;
	int vm_fd;
	uint8_t *mem;
	uint64_t mem_size;
	unsigned int nr_vcpus;
	struct vmm_vcpu *vcpus;
	uint64_t entry;

	/* What the VMM loaded, in order (for the launch on real SEV). */
	struct vmm_region regions[VMM_MAX_REGIONS];
	unsigned int nr_regions;
	uint64_t pt_end; /* end of the page tables written */
	uint64_t data_gpa, data_len; /* the measured data region */
	uint64_t guest_arg; /* boot info guest_arg (boot.h) */

	bool sev;
	bool sevsim;
	int sev_fd;
	uint32_t sev_handle;
	uint32_t sev_policy;
	unsigned int cbit; /* C-bit position, 0 if none (sevsim, non-SEV) */
	bool trace_hypercalls;

	/* vCPU lifecycle, under lock; cond is signalled on every change. */
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	unsigned int running;
	enum vmm_state state;
	bool quit; /* a client or a signal asked to stop */
	int quit_signal;
	atomic_bool stop; /* vCPU threads: leave KVM_RUN and return */

	/* One DBG request at a time, so counter deltas are exact. */
	pthread_mutex_t dump_lock;

	/* The control socket (vmm_ctl.c). */
	int ctl_fd;
	char *ctl_path;
	pthread_t ctl_thread;
	bool ctl_started;
	atomic_bool ctl_closing;
	atomic_uint ctl_clients;
};

/* Bytes of guest memory as pages (the tracked range, [0, pages)). */
static inline uint64_t vmm_pages(const struct vmm *vm)
{
	return vm->mem_size / PGENC_PAGE_SIZE;
}

const char *vmm_state_name(enum vmm_state s);

/*
 * "pgenc run: <message>\n" on stdout, and guest console lines, never
 * interleaved within a line.
 */
void vmm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same on stderr, "pgenc run: error: ..." */
void vmm_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vmm_print_lock(void);
void vmm_print_unlock(void);

/* vmm_setup.c */
int vmm_load_file(const char *path, void **data, size_t *len);
/*
 * Write the GDT, boot info and page tables (and record them as regions).
 * flags: PGENC_BOOT_*.
 */
int vmm_setup_boot(struct vmm *vm, uint64_t flags);
/* Load an image: ELF64 (detected by its magic) or flat at gpa. */
int vmm_load_image(struct vmm *vm, const void *data, size_t len, bool at_set,
		   uint64_t gpa, const char *what);
/* Copy len bytes to gpa, recording the region. 0 or -ERANGE/-EEXIST. */
int vmm_put(struct vmm *vm, uint64_t gpa, const void *data, size_t len,
	    const char *what);
int vmm_setup_vcpu(struct vmm *vm, struct vmm_vcpu *v,
		   const struct kvm_cpuid2 *cpuid);
/* KVM_GET_SUPPORTED_CPUID; free() the result. */
struct kvm_cpuid2 *vmm_supported_cpuid(int kvm_fd);
/* The demo's measured secret (boot.h): pages * 4 KiB bytes. */
void vmm_demo_secret(uint8_t *buf, unsigned int pages);

/* The VM's counters from debugfs pgenc_stats; -errno when unavailable. */
struct vmm_kstats {
	uint64_t tracked_pages;
	uint64_t shared_pages;
	uint64_t hypercalls;
	uint64_t hypercall_errors;
	uint64_t migration_control;
	uint64_t dbg_fw_cmds;
	uint64_t dbg_bypassed_pages;
};
int vmm_kstats(const struct vmm *vm, struct vmm_kstats *ks);

/* vmm_sev.c */
struct vmm_sev_opts {
	const char *device; /* NULL: /dev/sev, else /dev/sevsim */
	uint32_t policy;
	bool verify;
	bool have_tik;
	uint8_t tik[16];
	const char *tik_file; /* "%h" is replaced by the handle */
};
/*
 * Open the SEV device and KVM_SEV_INIT (before any vCPU exists). Returns
 * a PGENC_EXIT_* code.
 */
int vmm_sev_init(struct vmm *vm, const struct vmm_sev_opts *o);
/*
 * LAUNCH_START, LAUNCH_UPDATE_DATA of the measured regions, LAUNCH_MEASURE
 * (printed, and verified when asked), LAUNCH_FINISH. A PGENC_EXIT_* code.
 */
int vmm_sev_launch(struct vmm *vm, const struct vmm_sev_opts *o);
/* Parse 32 hex digits (whitespace around allowed). 0 or -EINVAL. */
int vmm_parse_tik(const char *s, uint8_t tik[16]);

/* vmm_ctl.c */
/* What `pgenc run`'s options ask for (run.c parses them). */
struct vmm_run_opts {
	uint64_t mem;
	unsigned int vcpus;
	bool demo;
	bool churn; /* --churn; churn_rate: its pages per round */
	uint64_t churn_rate;
	const char *image; /* --image FILE[@GPA]: FILE, and GPA if at_set */
	bool image_at_set;
	uint64_t image_gpa;
	const char *sev_data; /* --sev-data FILE[@GPA], likewise */
	bool sev_data_at_set;
	uint64_t sev_data_gpa;
	bool entry_set;
	uint64_t entry;
	bool sev;
	struct vmm_sev_opts so;
	const char *ctl;
	bool trace;
};

/* Set up and run the VM until it is over (vmm_run.c): a PGENC_EXIT_*. */
int vmm_run(struct vmm *vm, const struct vmm_run_opts *o);

int vmm_ctl_start(struct vmm *vm, const char *path);
void vmm_ctl_stop(struct vmm *vm);

#endif /* PGENC_VMM_H */
