/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM's per-VM debugfs directories, <debugfs>/kvm/PID-FD/, and pgenc's
 * files in them: pgenc_stats and pgenc_bitmap (Documentation/api.rst,
 * "10. Per-VM statistics (debugfs)"). Read by `pgenc vms` and by
 * `pgenc bitmap show|export --vm`, for a VM of any process.
 *
 * Paths are read under $PGENC_SYSROOT when it is set, as `pgenc probe`
 * reads them (tests fake the tree there); debugfs is then the directory
 * sys/kernel/debug, and no file system type is checked.
 */
#ifndef PGENC_KVM_DEBUGFS_H
#define PGENC_KVM_DEBUGFS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The size of a path kvmfs_path() writes. */
#define KVMFS_PATH_MAX (PATH_MAX + 128)

struct kvmfs {
	char kvm_dir[PATH_MAX + 16]; /* <debugfs>/kvm */
	char proc[PATH_MAX + 16]; /* /proc, under the sysroot */
};

/* A tracked VM and its pgenc_stats. */
struct kvmfs_vm {
	char id[32]; /* its directory, "PID-FD" */
	uint64_t pid, fd;
	char name[64]; /* the comm of pid; "" when it cannot be read */
	uint64_t tracked_pages, shared_pages, bitmap_bytes, bitmap_slots;
	uint64_t hypercalls, hypercall_errors, migration_control;
	uint64_t dbg_fw_cmds, dbg_bypassed_pages;
};

/*
 * Find KVM's debugfs directory. On failure prints why ("pgenc CMD: ...")
 * and returns the exit code: PGENC_EXIT_UNSUPPORTED when debugfs is not
 * mounted, KVM's directory is absent (kvm not loaded) or not readable
 * (not root), PGENC_EXIT_USAGE for a bad PGENC_SYSROOT, else
 * PGENC_EXIT_FAILED. 0 on success.
 */
int kvmfs_open(const char *cmd, struct kvmfs *fs);

/*
 * Parse a pgenc_stats file (Documentation/api.rst, "10. Per-VM statistics
 * (debugfs)") into vm's counters: 1 when tracking is on, 0 when off,
 * -errno when it cannot be read, -ENODATA when a counter line is missing
 * (*missing names it). Also pgenc run's own counters (vmm_kstats()).
 */
int kvmfs_read_stats(const char *path, struct kvmfs_vm *vm,
		     const char **missing);

/*
 * The VMs with tracking on, by pid then fd, in *vms (free() it). A VM
 * that goes away meanwhile is left out. Returns an exit code, having
 * said why on failure.
 */
int kvmfs_list(const char *cmd, const struct kvmfs *fs, struct kvmfs_vm **vms,
	       size_t *n);

/* 0 when SPEC is "PID" or "PID-FD", else a usage error (said). */
int kvmfs_check_spec(const char *cmd, const char *spec);

/*
 * The tracked VM that --vm SPEC names: "PID-FD", or "PID" when that
 * process has exactly one (else the error lists its VMs). Returns an
 * exit code, having said why on failure (PGENC_EXIT_USAGE for a SPEC
 * that is neither form).
 */
int kvmfs_find(const char *cmd, const struct kvmfs *fs, const char *spec,
	       struct kvmfs_vm *vm);

/* The path of FILE ("pgenc_bitmap") in vm's directory. */
void kvmfs_path(const struct kvmfs *fs, const struct kvmfs_vm *vm,
		const char *file, char *buf, size_t size);

#endif /* PGENC_KVM_DEBUGFS_H */
