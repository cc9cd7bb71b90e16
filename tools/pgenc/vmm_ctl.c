// SPDX-License-Identifier: GPL-2.0
/*
 * `pgenc run --ctl SOCK`: the control socket server (ctl_proto.h has
 * the protocol). An accept thread, and one thread per client connection
 * (at most CTL_MAX_CLIENTS at once), all running beside the vCPUs: the
 * bitmap ioctls and DBG_DECRYPT are safe while vCPUs run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <pgenc/pgenc.h>

#include "ctl_proto.h"
#include "vmm.h"

#ifndef PGENC_VERSION_STRING
#define PGENC_VERSION_STRING "unknown"
#endif

#define CTL_MAX_CLIENTS 16
#define CTL_WAIT_DEFAULT_MS 30000
#define CTL_WAIT_MAX_MS 3600000

/* Keys every request may carry. */
#define COMMON_KEYS "cmd", "id"

struct client {
	struct vmm *vm;
	int fd;
};

/* A response under construction; "ok" first, "id" echoed. */
static void resp_begin(struct ctl_writer *w, const struct ctl_msg *req, bool ok)
{
	enum ctl_type id = req ? ctl_type_of(req, "id") : CTL_T_NONE;

	ctl_w_init(w);
	ctl_w_bool(w, "ok", ok);
	if (id == CTL_T_INT || id == CTL_T_STRING)
		ctl_w_copy(w, req, "id");
}

static void resp_error(struct ctl_writer *w, const struct ctl_msg *req, int err,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void resp_error(struct ctl_writer *w, const struct ctl_msg *req, int err,
		       const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	resp_begin(w, req, false);
	ctl_w_str(w, "error", msg);
	ctl_w_i64(w, "errno", err < 0 ? -err : err);
}

/*
 * Check the request's keys; on a problem, write the error response and
 * return false.
 */
static bool check_keys(struct ctl_writer *w, const struct ctl_msg *req,
		       const char *const *allowed)
{
	const char *bad = ctl_unknown_key(req, allowed);

	if (!bad)
		return true;
	resp_error(w, req, EINVAL, "unknown key \"%s\" for this command", bad);
	return false;
}

/* An optional non-negative integer argument: 0, or false after an error. */
static bool opt_u64(struct ctl_writer *w, const struct ctl_msg *req,
		    const char *key, uint64_t *out, bool *present)
{
	int r = ctl_get_u64(req, key, out);

	*present = !r;
	if (r == -EINVAL) {
		resp_error(w, req, EINVAL,
			   "\"%s\" must be a non-negative integer", key);
		return false;
	}
	return true;
}

static void serve_version(struct ctl_writer *w, const struct ctl_msg *req)
{
	static const char *const keys[] = { COMMON_KEYS, NULL };

	if (!check_keys(w, req, keys))
		return;
	resp_begin(w, req, true);
	ctl_w_u64(w, "proto", CTL_PROTO_VERSION);
	ctl_w_str(w, "pgenc", PGENC_VERSION_STRING);
}

static void serve_stats(struct vmm *vm, struct ctl_writer *w,
			const struct ctl_msg *req)
{
	static const char *const keys[] = { COMMON_KEYS, NULL };
	struct pgenc_bitmap *b = NULL;
	struct vmm_kstats ks;
	enum vmm_state state;
	uint64_t shared;
	bool have_ks;
	int r;

	if (!check_keys(w, req, keys))
		return;
	r = pgenc_vm_get_bitmap(vm->vm_fd, 0, vmm_pages(vm), &b);
	if (r) {
		resp_error(w, req, r, "KVM_GET_PAGE_ENC_BITMAP: %s",
			   pgenc_strerror(r));
		return;
	}
	shared = pgenc_bitmap_count(b, false);
	pgenc_bitmap_free(b);
	have_ks = !vmm_kstats(vm, &ks);
	if (!have_ks)
		memset(&ks, 0, sizeof(ks));
	pthread_mutex_lock(&vm->lock);
	state = vm->state;
	pthread_mutex_unlock(&vm->lock);

	resp_begin(w, req, true);
	ctl_w_str(w, "state", vmm_state_name(state));
	ctl_w_bool(w, "sev", vm->sev);
	if (vm->sev) {
		ctl_w_u64(w, "sev_handle", vm->sev_handle);
		ctl_w_u64(w, "sev_policy", vm->sev_policy);
	}
	ctl_w_bool(w, "sevsim", vm->sevsim);
	ctl_w_u64(w, "mem_bytes", vm->mem_size);
	ctl_w_u64(w, "vcpus", vm->nr_vcpus);
	ctl_w_u64(w, "tracked_pages", vmm_pages(vm));
	ctl_w_u64(w, "shared_pages", shared);
	ctl_w_u64(w, "encrypted_pages", vmm_pages(vm) - shared);
	ctl_w_u64(w, "hypercalls", ks.hypercalls);
	ctl_w_u64(w, "hypercall_errors", ks.hypercall_errors);
	ctl_w_u64(w, "migration_control", ks.migration_control);
	ctl_w_u64(w, "dbg_fw_cmds", ks.dbg_fw_cmds);
	ctl_w_u64(w, "dbg_bypassed_pages", ks.dbg_bypassed_pages);
	ctl_w_str(w, "counters", have_ks ? "debugfs" : "none");
}

static void serve_wait(struct vmm *vm, struct ctl_writer *w,
		       const struct ctl_msg *req)
{
	static const char *const keys[] = { COMMON_KEYS, "timeout_ms", NULL };
	uint64_t ms = CTL_WAIT_DEFAULT_MS;
	enum vmm_state state;
	struct timespec ts;
	bool present;
	int r = 0;

	if (!check_keys(w, req, keys) ||
	    !opt_u64(w, req, "timeout_ms", &ms, &present))
		return;
	if (ms > CTL_WAIT_MAX_MS) {
		resp_error(w, req, EINVAL, "\"timeout_ms\" is at most %d",
			   CTL_WAIT_MAX_MS);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&vm->lock);
	while (vm->running && !vm->quit && r != ETIMEDOUT)
		r = pthread_cond_timedwait(&vm->cond, &vm->lock, &ts);
	state = vm->state;
	r = vm->running ? ETIMEDOUT : 0;
	pthread_mutex_unlock(&vm->lock);
	if (r) {
		resp_error(w, req, ETIMEDOUT,
			   "the guest still runs after %" PRIu64 " ms", ms);
		return;
	}
	resp_begin(w, req, true);
	ctl_w_str(w, "state", vmm_state_name(state));
}

static void serve_export(struct vmm *vm, struct ctl_writer *w,
			 const struct ctl_msg *req)
{
	static const char *const keys[] = { COMMON_KEYS, "format", "start_gfn",
					    "num_pages", NULL };
	uint64_t start = 0, num = 0, pages = vmm_pages(vm);
	enum pgenc_format fmt = PGENC_FORMAT_JSON;
	struct pgenc_bitmap *b = NULL;
	bool has_start, has_num;
	const char *name;
	size_t len;
	void *buf;
	int r;

	if (!check_keys(w, req, keys) ||
	    !opt_u64(w, req, "start_gfn", &start, &has_start) ||
	    !opt_u64(w, req, "num_pages", &num, &has_num))
		return;
	r = ctl_get_str(req, "format", &name, NULL);
	if (r == -EINVAL || (!r && (pgenc_format_from_name(name, &fmt) ||
				    fmt == PGENC_FORMAT_AUTO))) {
		resp_error(w, req, EINVAL,
			   "\"format\" must be \"raw\", \"ranges\" or \"json\"");
		return;
	}
	if (!has_num) {
		if (start >= pages) {
			resp_error(w, req, ERANGE,
				   "start_gfn %" PRIu64
				   " is past the guest's %" PRIu64
				   " pages: give num_pages",
				   start, pages);
			return;
		}
		num = pages - start;
	}
	if (!num || num > PGENC_MAX_PAGES || start > UINT64_MAX - num) {
		resp_error(w, req, EINVAL,
			   "num_pages must be 1..2^40 and the range must not wrap");
		return;
	}
	r = pgenc_vm_get_bitmap(vm->vm_fd, start, num, &b);
	if (r) {
		resp_error(w, req, r, "KVM_GET_PAGE_ENC_BITMAP: %s",
			   pgenc_strerror(r));
		return;
	}
	r = pgenc_write_mem(b, fmt, &buf, &len);
	if (r) {
		pgenc_bitmap_free(b);
		resp_error(w, req, r, "writing the bitmap: %s",
			   pgenc_strerror(r));
		return;
	}
	resp_begin(w, req, true);
	ctl_w_str(w, "format", pgenc_format_name(fmt));
	ctl_w_u64(w, "start_gfn", start);
	ctl_w_u64(w, "num_pages", num);
	ctl_w_u64(w, "shared_pages", pgenc_bitmap_count(b, false));
	ctl_w_base64(w, "data", buf, len);
	free(buf);
	pgenc_bitmap_free(b);
}

static void serve_import(struct vmm *vm, struct ctl_writer *w,
			 const struct ctl_msg *req)
{
	static const char *const keys[] = { COMMON_KEYS, "data", NULL };
	struct pgenc_parse_error perr;
	struct pgenc_bitmap *b = NULL;
	enum pgenc_format fmt;
	const char *b64;
	size_t n, len;
	void *data;
	int r;

	if (!check_keys(w, req, keys))
		return;
	if (ctl_get_str(req, "data", &b64, &n)) {
		resp_error(w, req, EINVAL,
			   "\"data\" (the bitmap file in base64) is required");
		return;
	}
	data = malloc(n / 4 * 3 + 1);
	if (!data) {
		resp_error(w, req, ENOMEM, "out of memory");
		return;
	}
	if (ctl_b64_decode(b64, n, data, &len)) {
		free(data);
		resp_error(w, req, EBADMSG, "\"data\" is not valid base64");
		return;
	}
	fmt = pgenc_format_detect(data, len);
	r = pgenc_parse(data, len, PGENC_FORMAT_AUTO, vmm_pages(vm), &b, &perr);
	free(data);
	if (r == -EBADMSG) {
		resp_error(w, req, EBADMSG, "%s bitmap: line %u column %u: %s",
			   pgenc_format_name(fmt), perr.line, perr.column,
			   perr.msg);
		return;
	}
	if (r) {
		resp_error(w, req, r, "parsing the bitmap: %s",
			   pgenc_strerror(r));
		return;
	}
	r = pgenc_vm_set_bitmap(vm->vm_fd, b);
	if (r) {
		resp_error(w, req, r,
			   "KVM_SET_PAGE_ENC_BITMAP of gfns [0x%" PRIx64
			   ", +%" PRIu64 ") (guest: %" PRIu64 " pages): %s",
			   b->start_gfn, b->num_pages, vmm_pages(vm),
			   pgenc_strerror(r));
		pgenc_bitmap_free(b);
		return;
	}
	resp_begin(w, req, true);
	ctl_w_str(w, "format", pgenc_format_name(fmt));
	ctl_w_u64(w, "start_gfn", b->start_gfn);
	ctl_w_u64(w, "num_pages", b->num_pages);
	ctl_w_u64(w, "shared_pages", pgenc_bitmap_count(b, false));
	pgenc_bitmap_free(b);
}

static void serve_dump(struct vmm *vm, struct ctl_writer *w,
		       const struct ctl_msg *req)
{
	static const char *const keys[] = { COMMON_KEYS, "gpa", "len", NULL };
	struct vmm_kstats before, after;
	uint64_t gpa, len;
	bool counters = false;
	int fw = 0, r = 0;
	uint8_t *mem, *buf;
	size_t off;

	if (!check_keys(w, req, keys))
		return;
	if (ctl_get_u64(req, "gpa", &gpa) || ctl_get_u64(req, "len", &len)) {
		resp_error(w, req, EINVAL,
			   "\"gpa\" and \"len\" (non-negative integers) are required");
		return;
	}
	if (!len || len > CTL_DUMP_MAX) {
		resp_error(w, req, EINVAL, "\"len\" must be 1..%u",
			   CTL_DUMP_MAX);
		return;
	}
	if (gpa >= vm->mem_size || len > vm->mem_size - gpa) {
		resp_error(w, req, ERANGE,
			   "[0x%" PRIx64 ", +%" PRIu64
			   ") is not inside guest memory [0, 0x%" PRIx64 ")",
			   gpa, len, vm->mem_size);
		return;
	}
	/*
	 * The destination at the same offset in its page as the source:
	 * then each guest page is one step of sev_dbg_crypt(), one firmware
	 * command or one bypassed copy, and the counters count pages.
	 */
	off = gpa % PGENC_PAGE_SIZE;
	mem = aligned_alloc(PGENC_PAGE_SIZE, (off + len + PGENC_PAGE_SIZE - 1) &
						     ~(PGENC_PAGE_SIZE - 1));
	buf = mem ? mem + off : NULL;
	if (!buf) {
		resp_error(w, req, ENOMEM, "out of memory");
		return;
	}
	if (!vm->sev) {
		memcpy(buf, vm->mem + gpa, len);
	} else {
		pthread_mutex_lock(&vm->dump_lock);
		counters = !vmm_kstats(vm, &before);
		r = pgenc_sev_dbg_decrypt(vm->vm_fd, vm->sev_fd, vm->mem + gpa,
					  buf, len, &fw);
		if (counters)
			counters = !vmm_kstats(vm, &after);
		pthread_mutex_unlock(&vm->dump_lock);
	}
	if (r) {
		free(mem);
		resp_error(w, req, r, "KVM_SEV_DBG_DECRYPT: %s (firmware: %s)",
			   pgenc_strerror(r),
			   fw ? pgenc_sev_fw_strerror(fw) : "no error");
		if (fw)
			ctl_w_i64(w, "fw_error", fw);
		return;
	}
	resp_begin(w, req, true);
	ctl_w_u64(w, "gpa", gpa);
	ctl_w_u64(w, "len", len);
	ctl_w_str(w, "method", vm->sev ? "dbg_decrypt" : "read");
	ctl_w_u64(w, "fw_cmds",
		  counters ? after.dbg_fw_cmds - before.dbg_fw_cmds : 0);
	ctl_w_u64(w, "bypassed_pages",
		  counters ?
			  after.dbg_bypassed_pages - before.dbg_bypassed_pages :
			  0);
	ctl_w_str(w, "counters", counters ? "debugfs" : "none");
	ctl_w_base64(w, "data", buf, len);
	free(mem);
}

static void serve_quit(struct vmm *vm, struct ctl_writer *w,
		       const struct ctl_msg *req, bool *quit)
{
	static const char *const keys[] = { COMMON_KEYS, NULL };

	(void)vm;
	if (!check_keys(w, req, keys))
		return;
	resp_begin(w, req, true);
	*quit = true;
}

struct progress_ctx {
	int fd;
	const struct ctl_msg *req;
};

/* A progress line of a migration, before its response. */
static void migrate_progress(void *opaque, unsigned int iteration,
			     uint64_t pages_sent, uint64_t dirty, uint64_t rate)
{
	struct progress_ctx *p = opaque;
	struct ctl_writer w;

	resp_begin(&w, p->req, true);
	ctl_w_bool(&w, "progress", true);
	ctl_w_u64(&w, "iteration", iteration);
	ctl_w_u64(&w, "pages_sent", pages_sent);
	ctl_w_u64(&w, "dirty_pages", dirty);
	ctl_w_u64(&w, "dirty_rate", rate);
	if (!ctl_w_finish(&w))
		ctl_write_all(p->fd, w.buf, w.len);
	ctl_w_free(&w);
}

static void mig_fields(struct ctl_writer *w, const struct vmm_mig_result *r)
{
	ctl_w_u64(w, "iterations", r->iterations);
	ctl_w_u64(w, "pages_plain", r->pages_plain);
	ctl_w_u64(w, "pages_zero", r->pages_zero);
	ctl_w_u64(w, "pages_fw", r->pages_fw);
	ctl_w_u64(w, "fw_commands", r->fw_commands);
	ctl_w_u64(w, "stream_bytes", r->stream_bytes);
	ctl_w_u64(w, "total_ms", r->total_ms);
	ctl_w_u64(w, "downtime_ms", r->downtime_ms);
	ctl_w_u64(w, "final_pass_pages", r->final_pass_pages);
}

static void serve_migrate(struct vmm *vm, int fd, struct ctl_writer *w,
			  const struct ctl_msg *req, bool *quit)
{
	static const char *const keys[] = {
		COMMON_KEYS,	  "uri",      "force", "no_bitmap",
		"max_iterations", "progress", NULL
	};
	struct vmm_mig_opts o = { .max_iterations = CTL_MIGRATE_ITERATIONS };
	struct progress_ctx pc = { fd, req };
	struct vmm_mig_result res;
	bool present, progress = false;

	if (!check_keys(w, req, keys) ||
	    !opt_u64(w, req, "max_iterations", &o.max_iterations, &present))
		return;
	if (ctl_get_str(req, "uri", &o.uri, NULL)) {
		resp_error(w, req, EINVAL,
			   "\"uri\" (tcp:HOST:PORT, unix:PATH or file:PATH) is required");
		return;
	}
	if (!o.max_iterations ||
	    o.max_iterations > CTL_MIGRATE_ITERATIONS_MAX ||
	    ctl_get_bool(req, "force", &o.force) == -EINVAL ||
	    ctl_get_bool(req, "no_bitmap", &o.no_bitmap) == -EINVAL ||
	    ctl_get_bool(req, "progress", &progress) == -EINVAL) {
		resp_error(w, req, EINVAL,
			   "\"max_iterations\" is 1..%d; \"force\", \"no_bitmap\" and \"progress\" are booleans",
			   CTL_MIGRATE_ITERATIONS_MAX);
		return;
	}
	if (progress) {
		o.progress = migrate_progress;
		o.opaque = &pc;
	}
	vmm_log("migration to %s: starting", o.uri);
	if (vmm_migrate_out(vm, &o, &res)) {
		vmm_err("migration to %s failed: %s; the guest keeps running here",
			o.uri, res.error);
		resp_error(w, req, res.err, "%s", res.error);
		mig_fields(w, &res);
		return;
	}
	vmm_log("migrated to %s: %" PRIu64 " plain, %" PRIu64 " zero, %" PRIu64
		" firmware pages in %u iteration(s), %" PRIu64
		" ms down; this VMM stops",
		o.uri, res.pages_plain, res.pages_zero, res.pages_fw,
		res.iterations, res.downtime_ms);
	resp_begin(w, req, true);
	ctl_w_str(w, "result", "migrated");
	mig_fields(w, &res);
	*quit = true;
}

/* One request line: the response in *w (finished). */
static void handle(struct vmm *vm, int fd, const char *line, size_t len,
		   struct ctl_writer *w, bool *quit)
{
	struct ctl_error perr;
	struct ctl_msg req;
	const char *cmd;

	if (len && line[len - 1] == '\r')
		len--;
	if (ctl_parse(line, len, &req, &perr)) {
		if (perr.column)
			resp_error(w, NULL, EBADMSG,
				   "bad request: column %u: %s", perr.column,
				   perr.msg);
		else
			resp_error(w, NULL, EBADMSG, "bad request: %s",
				   perr.msg);
		return;
	}
	if (ctl_get_str(&req, "cmd", &cmd, NULL)) {
		resp_error(w, &req, EINVAL, "\"cmd\" (a string) is required");
	} else if (!strcmp(cmd, "version")) {
		serve_version(w, &req);
	} else if (!strcmp(cmd, "stats")) {
		serve_stats(vm, w, &req);
	} else if (!strcmp(cmd, "wait")) {
		serve_wait(vm, w, &req);
	} else if (!strcmp(cmd, "export")) {
		serve_export(vm, w, &req);
	} else if (!strcmp(cmd, "import")) {
		serve_import(vm, w, &req);
	} else if (!strcmp(cmd, "dump")) {
		serve_dump(vm, w, &req);
	} else if (!strcmp(cmd, "migrate")) {
		serve_migrate(vm, fd, w, &req, quit);
	} else if (!strcmp(cmd, "quit")) {
		serve_quit(vm, w, &req, quit);
	} else {
		resp_error(w, &req, ENOSYS,
			   "unknown command \"%s\" (version, stats, wait, export, import, dump, migrate, quit)",
			   cmd);
	}
	ctl_msg_free(&req);
}

static int send_resp(int fd, struct ctl_writer *w)
{
	if (!ctl_w_finish(w) && w->len > CTL_MAX_LINE) {
		ctl_w_free(w);
		resp_error(w, NULL, E2BIG,
			   "the response would exceed %u bytes: ask for less",
			   CTL_MAX_LINE);
		ctl_w_finish(w);
	}
	if (w->err) {
		static const char oom[] =
			"{\"ok\":false,\"error\":\"out of memory\",\"errno\":12}\n";

		return ctl_write_all(fd, oom, sizeof(oom) - 1);
	}
	return ctl_write_all(fd, w->buf, w->len);
}

static void *client_thread(void *arg)
{
	struct client *c = arg;
	struct vmm *vm = c->vm;
	struct ctl_reader rd = { 0 };
	struct ctl_writer w;
	bool quit = false;
	size_t len;
	char *line;
	int r;

	for (;;) {
		r = ctl_read_line(c->fd, &rd, &line, &len);
		if (r == -E2BIG) {
			resp_error(&w, NULL, E2BIG,
				   "request longer than %u bytes",
				   CTL_MAX_LINE);
			send_resp(c->fd, &w);
			ctl_w_free(&w);
			break;
		}
		if (r <= 0)
			break;
		handle(vm, c->fd, line, len, &w, &quit);
		r = send_resp(c->fd, &w);
		ctl_w_free(&w);
		if (quit) {
			pthread_mutex_lock(&vm->lock);
			vm->quit = true;
			pthread_cond_broadcast(&vm->cond);
			pthread_mutex_unlock(&vm->lock);
		}
		if (r)
			break;
	}
	ctl_reader_free(&rd);
	close(c->fd);
	free(c);
	atomic_fetch_sub(&vm->ctl_clients, 1);
	return NULL;
}

static void *accept_thread(void *arg)
{
	struct vmm *vm = arg;
	struct ctl_writer w;
	struct client *c;
	pthread_t t;
	int fd;

	for (;;) {
		fd = accept4(vm->ctl_fd, NULL, NULL, SOCK_CLOEXEC);
		if (atomic_load(&vm->ctl_closing)) {
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EMFILE || errno == ENFILE ||
			    errno == ENOMEM || errno == ENOBUFS) {
				if (errno != EINTR && errno != ECONNABORTED)
					usleep(100000);
				continue;
			}
			vmm_err("control socket: accept: %s", strerror(errno));
			return NULL;
		}
		if (atomic_fetch_add(&vm->ctl_clients, 1) >= CTL_MAX_CLIENTS) {
			atomic_fetch_sub(&vm->ctl_clients, 1);
			resp_error(&w, NULL, EBUSY,
				   "too many clients (%d) connected",
				   CTL_MAX_CLIENTS);
			send_resp(fd, &w);
			ctl_w_free(&w);
			close(fd);
			continue;
		}
		c = malloc(sizeof(*c));
		if (c) {
			c->vm = vm;
			c->fd = fd;
		}
		if (!c || pthread_create(&t, NULL, client_thread, c)) {
			free(c);
			close(fd);
			atomic_fetch_sub(&vm->ctl_clients, 1);
			continue;
		}
		pthread_detach(t);
	}
}

int vmm_ctl_start(struct vmm *vm, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		vmm_err("--ctl %s: path too long for a UNIX socket (max %zu bytes)",
			path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			vmm_err("--ctl %s: exists and is not a socket", path);
			return -EEXIST;
		}
		fd = ctl_connect(path);
		if (fd >= 0) {
			close(fd);
			vmm_err("--ctl %s: another process serves it", path);
			return -EADDRINUSE;
		}
		if (fd != -ECONNREFUSED) {
			vmm_err("--ctl %s: %s", path, strerror(-fd));
			return fd;
		}
		unlink(path); /* stale, from a VMM that died */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		vmm_err("--ctl: socket: %s", strerror(-r));
		return r;
	}
	/* Mode 0600 from the start: no window where others may connect. */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	if (!r && chmod(path, 0600))
		r = -errno;
	if (!r && listen(fd, 8))
		r = -errno;
	if (r) {
		vmm_err("--ctl %s: %s", path, strerror(-r));
		close(fd);
		return r;
	}
	vm->ctl_fd = fd;
	vm->ctl_path = strdup(path);
	if (!vm->ctl_path ||
	    pthread_create(&vm->ctl_thread, NULL, accept_thread, vm)) {
		vmm_err("--ctl %s: cannot start its thread", path);
		close(fd);
		unlink(path);
		vm->ctl_fd = -1;
		return -ENOMEM;
	}
	vm->ctl_started = true;
	return 0;
}

void vmm_ctl_stop(struct vmm *vm)
{
	if (!vm->ctl_started)
		return;
	atomic_store(&vm->ctl_closing, true);
	/* Wakes accept() up; new connections are refused from now on. */
	shutdown(vm->ctl_fd, SHUT_RDWR);
	unlink(vm->ctl_path);
	pthread_join(vm->ctl_thread, NULL);
	close(vm->ctl_fd);
	vm->ctl_fd = -1;
	vm->ctl_started = false;
}
