// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM's per-VM debugfs directories (kvm_debugfs.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cmdutil.h"
#include "kvm_debugfs.h"

#define DEBUGFS "/sys/kernel/debug"

int kvmfs_open(const char *cmd, struct kvmfs *fs)
{
	char debugfs[PATH_MAX];
	struct statfs sfs;
	struct stat st;
	const char *root;
	int r;

	r = pg_sysroot(cmd, &root);
	if (r)
		return r;
	snprintf(debugfs, sizeof(debugfs), "%s%s", root, DEBUGFS);
	snprintf(fs->kvm_dir, sizeof(fs->kvm_dir), "%s/kvm", debugfs);
	snprintf(fs->proc, sizeof(fs->proc), "%s/proc", root);

	if (*root ? stat(debugfs, &st) || !S_ISDIR(st.st_mode) :
		    statfs(debugfs, &sfs) || sfs.f_type != DEBUGFS_MAGIC) {
		pg_error(cmd,
			 "debugfs is not mounted on %s (mount -t debugfs none %s)",
			 debugfs, DEBUGFS);
		return PGENC_EXIT_UNSUPPORTED;
	}
	if (!stat(fs->kvm_dir, &st)) {
		if (!S_ISDIR(st.st_mode))
			errno = ENOTDIR;
		else if (!access(fs->kvm_dir, R_OK | X_OK))
			return 0;
	}
	if (errno == EACCES) {
		pg_error(cmd, "%s: %s: KVM's debugfs files are root's",
			 fs->kvm_dir, strerror(errno));
		return PGENC_EXIT_UNSUPPORTED;
	}
	if (errno == ENOENT) {
		pg_error(cmd, "%s: no such directory: kvm is not loaded",
			 fs->kvm_dir);
		return PGENC_EXIT_UNSUPPORTED;
	}
	pg_error(cmd, "%s: %s", fs->kvm_dir, strerror(errno));
	return PGENC_EXIT_FAILED;
}

void kvmfs_path(const struct kvmfs *fs, const struct kvmfs_vm *vm,
		const char *file, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s/%s", fs->kvm_dir, vm->id, file);
}

/* "PID-FD" (want_fd) or "PID", decimal digits only. */
static bool parse_id(const char *s, bool want_fd, uint64_t *pid, uint64_t *fd)
{
	size_t a = strspn(s, "0123456789"), b;

	if (!a || a > 10)
		return false;
	*pid = strtoull(s, NULL, 10);
	if (!s[a])
		return !want_fd;
	if (s[a] != '-')
		return false;
	b = strspn(s + a + 1, "0123456789");
	if (!b || b > 10 || s[a + 1 + b])
		return false;
	*fd = strtoull(s + a + 1, NULL, 10);
	return true;
}

static const struct {
	const char *key;
	size_t off;
} stat_keys[] = {
#define K(f)                                     \
	{                                        \
#f, offsetof(struct kvmfs_vm, f) \
	}
	K(tracked_pages),     K(shared_pages), K(bitmap_bytes),
	K(bitmap_slots),      K(hypercalls),   K(hypercall_errors),
	K(migration_control), K(dbg_fw_cmds),  K(dbg_bypassed_pages),
#undef K
};

#define NR_STAT_KEYS (sizeof(stat_keys) / sizeof(stat_keys[0]))

int kvmfs_read_stats(const char *path, struct kvmfs_vm *vm,
		     const char **missing)
{
	char line[256], key[64];
	unsigned long long v;
	unsigned int seen = 0;
	bool on = false;
	size_t i;
	FILE *f;
	int r = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strcmp(line, "tracking: on\n")) {
			on = true;
			continue;
		}
		if (sscanf(line, "%63[^:]: %llu", key, &v) != 2)
			continue;
		for (i = 0; i < NR_STAT_KEYS; i++)
			if (!strcmp(key, stat_keys[i].key)) {
				*(uint64_t *)((char *)vm + stat_keys[i].off) =
					v;
				seen |= 1u << i;
			}
	}
	if (ferror(f))
		r = -EIO;
	fclose(f);
	if (r || !on)
		return r;
	for (i = 0; i < NR_STAT_KEYS; i++)
		if (!(seen & 1u << i)) {
			*missing = stat_keys[i].key;
			return -ENODATA;
		}
	return 1;
}

/*
 * Fill vm (id, pid, fd set) from its pgenc_stats and the comm of its
 * pid. Returns 1 when tracking is on, 0 when the VM is not tracked (no
 * pgenc_stats, "tracking: off", or the VM went away), or an exit code
 * (> 1 never; PGENC_EXIT_FAILED is 1, so -1 stands for it), said.
 */
static int read_vm(const char *cmd, const struct kvmfs *fs, struct kvmfs_vm *vm)
{
	char path[KVMFS_PATH_MAX];
	const char *missing = "";
	size_t len;
	FILE *f;
	int r;

	kvmfs_path(fs, vm, "pgenc_stats", path, sizeof(path));
	r = kvmfs_read_stats(path, vm, &missing);
	if (r == 0 || r == -ENOENT)
		return 0;
	if (r == -ENODATA) {
		pg_error(cmd, "%s: no '%s' line", path, missing);
		return -1;
	}
	if (r < 0) {
		pg_error(cmd, "%s: %s", path, strerror(-r));
		return -1;
	}

	vm->name[0] = 0;
	snprintf(path, sizeof(path), "%s/%llu/comm", fs->proc,
		 (unsigned long long)vm->pid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(vm->name, sizeof(vm->name), f)) {
			len = strcspn(vm->name, "\n");
			vm->name[len] = 0;
		} else {
			vm->name[0] = 0;
		}
		fclose(f);
	}
	return 1;
}

static int cmp_vm(const void *a, const void *b)
{
	const struct kvmfs_vm *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

int kvmfs_list(const char *cmd, const struct kvmfs *fs, struct kvmfs_vm **vms,
	       size_t *n)
{
	struct kvmfs_vm *v = NULL, *nv, vm;
	size_t cap = 0, count = 0;
	struct dirent *de;
	DIR *d;
	int r;

	d = opendir(fs->kvm_dir);
	if (!d) {
		pg_error(cmd, "%s: %s", fs->kvm_dir, strerror(errno));
		return errno == EACCES ? PGENC_EXIT_UNSUPPORTED :
					 PGENC_EXIT_FAILED;
	}
	while ((errno = 0, de = readdir(d))) {
		memset(&vm, 0, sizeof(vm));
		if (strlen(de->d_name) >= sizeof(vm.id) ||
		    !parse_id(de->d_name, true, &vm.pid, &vm.fd))
			continue;
		strcpy(vm.id, de->d_name);
		r = read_vm(cmd, fs, &vm);
		if (r < 0)
			goto fail;
		if (!r)
			continue;
		if (count == cap) {
			cap = cap ? 2 * cap : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				pg_error(cmd, "%s", strerror(ENOMEM));
				goto fail;
			}
			v = nv;
		}
		v[count++] = vm;
	}
	if (errno) {
		pg_error(cmd, "%s: %s", fs->kvm_dir, strerror(errno));
		goto fail;
	}
	closedir(d);
	if (count)
		qsort(v, count, sizeof(*v), cmp_vm);
	*vms = v;
	*n = count;
	return 0;
fail:
	closedir(d);
	free(v);
	return PGENC_EXIT_FAILED;
}

int kvmfs_check_spec(const char *cmd, const char *spec)
{
	uint64_t pid, fd;

	if (parse_id(spec, false, &pid, &fd) || parse_id(spec, true, &pid, &fd))
		return 0;
	return pg_usage_error(cmd, "--vm: '%s' is not PID or PID-FD", spec);
}

int kvmfs_find(const char *cmd, const struct kvmfs *fs, const char *spec,
	       struct kvmfs_vm *vm)
{
	struct kvmfs_vm *vms;
	uint64_t pid, fd;
	size_t n, i, mine = 0;
	int r;

	memset(vm, 0, sizeof(*vm));
	r = kvmfs_check_spec(cmd, spec);
	if (r)
		return r;
	if (!parse_id(spec, false, &pid, &fd))
		parse_id(spec, true, &pid, &fd);
	r = kvmfs_list(cmd, fs, &vms, &n);
	if (r)
		return r;
	for (i = 0; i < n; i++) {
		if (strchr(spec, '-') ? strcmp(vms[i].id, spec) :
					vms[i].pid != pid)
			continue;
		if (!mine++)
			*vm = vms[i];
	}
	if (mine == 1) {
		free(vms);
		return 0;
	}
	if (!mine) {
		pg_error(cmd,
			 "no VM %s with pgenc tracking in %s ('pgenc vms' lists them)",
			 spec, fs->kvm_dir);
	} else {
		fprintf(stderr,
			"pgenc %s: pid %s has %zu VMs with pgenc tracking; give --vm PID-FD:",
			cmd, spec, mine);
		for (i = 0; i < n; i++)
			if (vms[i].pid == pid)
				fprintf(stderr, " %s", vms[i].id);
		fputc('\n', stderr);
	}
	free(vms);
	return PGENC_EXIT_FAILED;
}
