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

#include <pgenc/migrate.h>

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
	bool restored_halted; /* incoming: it had halted on the source */
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
	atomic_bool pause; /* vCPU threads: leave KVM_RUN and wait */
	unsigned int paused; /* threads waiting in a pause */

	/* One DBG request at a time, so counter deltas are exact. */
	pthread_mutex_t dump_lock;

	/* The control socket (vmm_ctl.c). */
	int ctl_fd;
	char *ctl_path;
	pthread_t ctl_thread;
	bool ctl_started;
	atomic_bool ctl_closing;
	atomic_uint ctl_clients;

	/* Migration (vmm_migrate_*.c). */
	atomic_bool migrating; /* one outgoing migration at a time */
	int mig_fd; /* incoming: the connection, until acknowledged */
	uint64_t fw_cmds; /* incoming: RECEIVE_UPDATE_DATA commands */
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
	const char *incoming; /* --incoming URI (--from-file PATH: file:) */
	bool mem_set, vcpus_set; /* given: checked against the stream */
};

/* Set up and run the VM until it is over (vmm_run.c): a PGENC_EXIT_*. */
int vmm_run(struct vmm *vm, const struct vmm_run_opts *o);

int vmm_ctl_start(struct vmm *vm, const char *path);
void vmm_ctl_stop(struct vmm *vm);

/* vmm_run.c, for the incoming migration */
/*
 * Open KVM and create the VM: SEV_INIT (o->sev) or tracking on, memory.
 * vm->mem_size and nr_vcpus are set. A PGENC_EXIT_* code.
 */
int vmm_create(struct vmm *vm, const struct vmm_run_opts *o);
int vmm_create_vcpus(struct vmm *vm);
/* Park every running vCPU outside KVM_RUN (and wait), or let them go. */
void vmm_pause(struct vmm *vm);
void vmm_resume(struct vmm *vm);

/* vmm_vcpu_state.c: one vCPU's state as VCPU record sections. */
struct vmm_vcpu_state;
int vmm_vcpu_save(struct vmm_vcpu *v, struct vmm_vcpu_state **out,
		  struct pgenc_mig_section *sec);
void vmm_vcpu_state_free(struct vmm_vcpu_state *st);
/* Restore from a decoded VCPU record's sections: 0 or -errno, *what. */
int vmm_vcpu_restore(struct vmm_vcpu *v, const struct pgenc_mig_section *sec,
		     const char **what);
/* MSR_KVM_MIGRATION_CONTROL of vCPU 0 (vCPUs paused): 0 or -errno. */
int vmm_migration_control(struct vmm *vm, uint64_t *val);

/* vmm_migrate_io.c: URIs and connections. */
enum vmm_uri_kind {
	VMM_URI_TCP,
	VMM_URI_UNIX,
	VMM_URI_FILE
};
struct vmm_uri {
	enum vmm_uri_kind kind;
	char host[256];
	char port[16];
	char path[4096];
};
/* tcp:HOST:PORT, unix:PATH, file:PATH: 0, or -EINVAL with *why. */
int vmm_uri_parse(const char *s, struct vmm_uri *u, const char **why);
/* Source: connect (retrying for up to 10 s) or create the file. */
int vmm_uri_open_out(const struct vmm_uri *u, char *err, size_t errlen);
/* Target: accept one connection, or open the file. */
int vmm_uri_open_in(const struct vmm_uri *u, char *err, size_t errlen);
/* Read exactly len bytes: 0, -EPIPE at a clean end before any, -errno. */
int vmm_read_full(int fd, void *buf, size_t len);
/*
 * Read and decode one record of d from fd into *buf (grown): 0 with
 * *rec, or -errno / -EBADMSG with the reason in err.
 */
int vmm_mig_read(int fd, struct pgenc_mig_dec *d, uint8_t **buf, size_t *cap,
		 struct pgenc_mig_rec *rec, char *err, size_t errlen);

/* vmm_migrate_send.c: the "migrate" control command. */
struct vmm_mig_opts {
	const char *uri;
	bool force;
	bool no_bitmap;
	uint64_t max_iterations;
	/* Called with progress (may be NULL). */
	void (*progress)(void *opaque, unsigned int iteration,
			 uint64_t pages_sent, uint64_t dirty, uint64_t rate);
	void *opaque;
};
struct vmm_mig_result {
	unsigned int iterations;
	uint64_t pages_plain, pages_zero, pages_fw, fw_commands;
	uint64_t stream_bytes, total_ms, downtime_ms, final_pass_pages;
	char error[512];
	int err; /* positive errno on failure */
};
/* Migrate out: 0 (the VMM must quit now) or -errno (res->error). */
int vmm_migrate_out(struct vmm *vm, const struct vmm_mig_opts *o,
		    struct vmm_mig_result *res);

/* vmm_migrate_recv.c: `pgenc run --incoming URI`. */
/*
 * Receive the VM: create it from the stream, restore memory, bitmap and
 * vCPUs (RECEIVE_FINISH for SEV). A PGENC_EXIT_* code.
 */
int vmm_incoming(struct vmm *vm, const struct vmm_run_opts *o);
/* After the vCPUs started: acknowledge to the source. */
void vmm_incoming_ack(struct vmm *vm);

#endif /* PGENC_VMM_H */
