// SPDX-License-Identifier: GPL-2.0
/*
 * The source of a live migration (Documentation/migration.rst, "The
 * source"): pre-copy with KVM's dirty log, pages routed by the page
 * encryption bitmap (shared: plain or a zero marker; private: SEV
 * SEND_UPDATE_DATA), then the vCPUs paused, a final pass, the final
 * bitmap, the vCPU state, END, and the target's acknowledgement. On any
 * failure: SEND_CANCEL, dirty logging off, vCPUs resumed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <pgenc/pgenc.h>

#include "ctl_proto.h"
#include "vmm.h"

/*
 * The dirty-set bound: stop iterating when the dirty pages can be sent
 * within DOWNTIME_MS at the rate the last pass achieved (never below
 * MIN_BOUND pages).
 */
#define DOWNTIME_MS 50
#define MIN_BOUND 64
#define FLUSH_BYTES (1U << 20)

struct out {
	struct vmm *vm;
	const struct vmm_mig_opts *o;
	struct vmm_mig_result *res;
	struct vmm_uri uri;
	int fd;
	struct pgenc_mig_enc enc;
	struct pgenc_mig_dec rdec; /* the target's replies */
	uint8_t *rbuf;
	size_t rcap;
	bool sev; /* pages through the firmware */
	bool send_started; /* SEND_START done: SEND_CANCEL on failure */
	bool dirty_log;
	unsigned long *dirty; /* KVM_GET_DIRTY_LOG's bitmap */
	struct pgenc_bitmap *enc_bits; /* the latest page encryption bitmap */
	uint8_t *hdr, *trans;
	size_t hdr_len, trans_len;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int fail(struct out *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct out *s, int err, const char *fmt, ...)
{
	va_list ap;

	if (!s->res->err) {
		va_start(ap, fmt);
		vsnprintf(s->res->error, sizeof(s->res->error), fmt, ap);
		va_end(ap);
		s->res->err = err < 0 ? -err : err;
	}
	return err < 0 ? err : -err;
}

static int flush(struct out *s, bool force)
{
	struct pgenc_mig_rec rec;
	char why[300];
	int r;

	if (s->enc.err)
		return fail(s, s->enc.err, "encoding the stream: %s",
			    strerror(-s->enc.err));
	if (!s->enc.len || (!force && s->enc.len < FLUSH_BYTES))
		return 0;
	r = ctl_write_all(s->fd, s->enc.buf, s->enc.len);
	/* A target that refused the stream said why before it closed. */
	if (r && s->uri.kind != VMM_URI_FILE &&
	    !vmm_mig_read(s->fd, &s->rdec, &s->rbuf, &s->rcap, &rec, why,
			  sizeof(why)) &&
	    rec.type == PGENC_MIG_ACK && rec.u.ack.status)
		return fail(s, (int)rec.u.ack.status, "the target refused: %s",
			    rec.u.ack.msg);
	if (r)
		return fail(s, r,
			    "sending the stream: %s (the target closed the connection: see its error)",
			    strerror(-r));
	s->res->stream_bytes += s->enc.len;
	pgenc_mig_enc_clear(&s->enc);
	return 0;
}

/* The next record from the target. */
static int reply(struct out *s, struct pgenc_mig_rec *rec)
{
	char why[300];
	int r;

	r = vmm_mig_read(s->fd, &s->rdec, &s->rbuf, &s->rcap, rec, why,
			 sizeof(why));
	if (r)
		return fail(s, r == -EBADMSG ? EPROTO : r,
			    "the target's reply: %s (the target failed: see its error)",
			    why);
	return 0;
}

static int set_dirty_log(struct out *s, bool on)
{
	struct kvm_userspace_memory_region slot = {
		.slot = 0,
		.flags = on ? KVM_MEM_LOG_DIRTY_PAGES : 0,
		.guest_phys_addr = 0,
		.memory_size = s->vm->mem_size,
		.userspace_addr = (uintptr_t)s->vm->mem,
	};

	if (ioctl(s->vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot))
		return fail(s, -errno,
			    "KVM_SET_USER_MEMORY_REGION (dirty log %s): %s",
			    on ? "on" : "off", strerror(errno));
	s->dirty_log = on;
	return 0;
}

/* KVM_GET_DIRTY_LOG: the pages written since the last call; *n of them. */
static int get_dirty(struct out *s, uint64_t *n)
{
	struct kvm_dirty_log log = { .slot = 0 };
	uint64_t pages = vmm_pages(s->vm), i, cnt = 0;
	size_t words = (pages + 63) / 64;

	memset(s->dirty, 0, words * sizeof(unsigned long));
	log.dirty_bitmap = s->dirty;
	if (ioctl(s->vm->vm_fd, KVM_GET_DIRTY_LOG, &log))
		return fail(s, -errno, "KVM_GET_DIRTY_LOG: %s",
			    strerror(errno));
	for (i = 0; i < words; i++)
		cnt += (uint64_t)__builtin_popcountl(s->dirty[i]);
	*n = cnt;
	return 0;
}

static int read_bitmap(struct out *s)
{
	int r = pgenc_vm_get_bitmap_into(s->vm->vm_fd, s->enc_bits);

	if (r)
		return fail(s, r, "KVM_GET_PAGE_ENC_BITMAP: %s",
			    pgenc_strerror(r));
	return 0;
}

static bool page_zero(const uint8_t *p)
{
	static const uint8_t zero[PGENC_PAGE_SIZE];

	return !memcmp(p, zero, sizeof(zero));
}

static int send_fw(struct out *s, uint64_t gfn)
{
	size_t hl = s->hdr_len, tl = s->trans_len;
	int fw = 0, r;

	r = pgenc_sev_send_update_data(s->vm->vm_fd, s->vm->sev_fd,
				       s->vm->mem + gfn * PGENC_PAGE_SIZE,
				       PGENC_PAGE_SIZE, s->hdr, &hl, s->trans,
				       &tl, &fw);
	s->res->fw_commands++;
	if (r)
		return fail(s, r,
			    "SEND_UPDATE_DATA of gfn 0x%" PRIx64
			    ": %s (firmware: %s)",
			    gfn, pgenc_strerror(r), pgenc_sev_fw_strerror(fw));
	s->res->pages_fw++;
	pgenc_mig_put_fw(&s->enc, gfn * PGENC_PAGE_SIZE, s->hdr, hl, s->trans,
			 tl);
	return flush(s, false);
}

/*
 * Send the pages of one pass: every page (all) or the dirty ones.
 * Shared (or non-SEV) pages go plain, runs of zero pages as one marker;
 * private pages of an SEV guest through the firmware.
 */
static int send_pass(struct out *s, bool all, uint64_t *sent)
{
	uint64_t pages = vmm_pages(s->vm), gfn, zrun = 0, zstart = 0;
	const uint8_t *p;
	int r;

	*sent = 0;
	for (gfn = 0; gfn <= pages; gfn++) {
		bool want = gfn < pages &&
			    (all || (s->dirty[gfn / 64] >> (gfn % 64)) & 1);
		bool priv = false, zero = false;

		if (want) {
			p = s->vm->mem + gfn * PGENC_PAGE_SIZE;
			priv = s->sev &&
			       (s->o->no_bitmap ||
				pgenc_bitmap_get(s->enc_bits, gfn) == 1);
			zero = !priv && page_zero(p);
		}
		if (zrun && !(want && zero)) {
			pgenc_mig_put_zero(&s->enc, zstart * PGENC_PAGE_SIZE,
					   zrun);
			s->res->pages_zero += zrun;
			zrun = 0;
		}
		if (!want)
			continue;
		++*sent;
		if (zero) {
			if (!zrun++)
				zstart = gfn;
			continue;
		}
		if (priv) {
			r = send_fw(s, gfn);
		} else {
			pgenc_mig_put_page(&s->enc, gfn * PGENC_PAGE_SIZE, p);
			s->res->pages_plain++;
			r = flush(s, false);
		}
		if (r)
			return r;
	}
	return flush(s, false);
}

/* SEV: the target's PDH (or this platform's), SEND_START, SESSION. */
static int sev_start(struct out *s)
{
	struct pgenc_sev_send_start p = { .policy = s->vm->sev_policy };
	void *my_pdh = NULL, *my_chain = NULL, *pdh = NULL, *chain = NULL;
	size_t my_pdh_len, my_chain_len, slen = 0;
	struct pgenc_mig_rec rec;
	uint8_t *session = NULL;
	int fw = 0, r;

	r = pgenc_sev_pdh_export(s->vm->sev_fd, &my_pdh, &my_pdh_len, &my_chain,
				 &my_chain_len, &fw);
	if (r)
		return fail(s, r, "SEV_PDH_CERT_EXPORT: %s (firmware: %s)",
			    pgenc_strerror(r), pgenc_sev_fw_strerror(fw));
	if (s->uri.kind == VMM_URI_FILE) {
		/* Restored on this host: the target is this platform. */
		p.pdh = my_pdh;
		p.pdh_len = my_pdh_len;
		p.plat = p.amd = my_chain;
		p.plat_len = p.amd_len = my_chain_len;
	} else {
		r = reply(s, &rec);
		if (!r && rec.type != PGENC_MIG_PDH)
			r = fail(s, EPROTO,
				 "the target did not send its PDH certificate: %s%s",
				 rec.type == PGENC_MIG_ACK ? "it refused: " :
							     "",
				 rec.type == PGENC_MIG_ACK ? rec.u.ack.msg :
							     "");
		if (r)
			goto out;
		pdh = malloc(rec.u.pdh.pdh_len);
		chain = malloc(rec.u.pdh.chain_len + 1);
		if (!pdh || !chain) {
			r = fail(s, ENOMEM, "out of memory");
			goto out;
		}
		memcpy(pdh, rec.u.pdh.pdh, rec.u.pdh.pdh_len);
		if (rec.u.pdh.chain_len)
			memcpy(chain, rec.u.pdh.chain, rec.u.pdh.chain_len);
		p.pdh = pdh;
		p.pdh_len = rec.u.pdh.pdh_len;
		/* KVM 6.1 needs both chains: the platform's stands for both. */
		p.plat = p.amd = chain;
		p.plat_len = p.amd_len = rec.u.pdh.chain_len;
	}
	r = pgenc_sev_send_start_len(s->vm->vm_fd, s->vm->sev_fd, &slen, &fw);
	if (!r) {
		session = malloc(slen);
		if (!session)
			r = -ENOMEM;
	}
	if (!r)
		r = pgenc_sev_send_start(s->vm->vm_fd, s->vm->sev_fd, &p,
					 session, &slen, &fw);
	if (r) {
		r = fail(s, r, "SEND_START: %s (firmware: %s)",
			 pgenc_strerror(r), pgenc_sev_fw_strerror(fw));
		goto out;
	}
	s->send_started = true;
	pgenc_mig_put_session(&s->enc, s->vm->sev_policy, my_pdh, my_pdh_len,
			      session, slen);
	r = pgenc_sev_send_update_data_len(s->vm->vm_fd, s->vm->sev_fd,
					   &s->hdr_len, &s->trans_len, &fw);
	if (!r && (s->hdr_len > PGENC_MIG_MAX_FW_HDR ||
		   s->trans_len < PGENC_PAGE_SIZE))
		r = -EPROTO;
	if (r) {
		r = fail(s, r,
			 "SEND_UPDATE_DATA length query: %s (firmware: %s)",
			 pgenc_strerror(r), pgenc_sev_fw_strerror(fw));
		goto out;
	}
	s->hdr = malloc(s->hdr_len);
	s->trans = malloc(s->trans_len);
	if (!s->hdr || !s->trans)
		r = fail(s, ENOMEM, "out of memory");
	else
		r = flush(s, false);
out:
	free(my_pdh);
	free(my_chain);
	free(pdh);
	free(chain);
	free(session);
	return r;
}

static int send_vcpus(struct out *s)
{
	struct pgenc_mig_section sec[PGENC_MIG_SEC_MAX + 1];
	struct vmm_vcpu_state *st;
	unsigned int i;
	int r;

	for (i = 0; i < s->vm->nr_vcpus; i++) {
		r = vmm_vcpu_save(&s->vm->vcpus[i], &st, sec);
		if (r)
			return fail(s, r, "vCPU %u state: %s", i, strerror(-r));
		pgenc_mig_put_vcpu(&s->enc, i, sec);
		vmm_vcpu_state_free(st);
		r = flush(s, false);
		if (r)
			return r;
	}
	return 0;
}

/* The guest must have said its page status reports are complete. */
static int check_ready(struct out *s)
{
	uint64_t mc = 0;
	int r;

	if (!s->vm->sev || s->o->force)
		return 0;
	vmm_pause(s->vm);
	r = vmm_migration_control(s->vm, &mc);
	vmm_resume(s->vm);
	if (r)
		return fail(s, r,
			    "reading MSR_KVM_MIGRATION_CONTROL: %s (--force migrates anyway)",
			    strerror(-r));
	if (!(mc & 1))
		return fail(s, EPERM,
			    "the SEV guest has not written KVM_MIGRATION_READY to MSR_KVM_MIGRATION_CONTROL (0x4b564d08): its page status reports may be incomplete, so shared pages could be sent as private or private as shared; --force migrates anyway");
	return 0;
}

static int precopy(struct out *s)
{
	uint64_t sent = 0, dirty = 0, t0, ms, bound, rate = 0;
	unsigned int it = 0;
	int r;

	r = read_bitmap(s);
	if (!r)
		r = get_dirty(s, &dirty); /* starts the log afresh */
	if (!r) {
		t0 = now_ms();
		r = send_pass(s, true, &sent);
		ms = now_ms() - t0;
	}
	while (!r) {
		it++;
		rate = sent * 1000 / (ms ? ms : 1); /* pages per second */
		bound = rate * DOWNTIME_MS / 1000;
		if (bound < MIN_BOUND)
			bound = MIN_BOUND;
		r = get_dirty(s, &dirty);
		if (r)
			break;
		if (s->o->progress)
			s->o->progress(s->o->opaque, it,
				       s->res->pages_plain +
					       s->res->pages_zero +
					       s->res->pages_fw,
				       dirty, ms ? dirty * 1000 / ms : dirty);
		if (dirty <= bound || it >= s->o->max_iterations)
			break;
		r = read_bitmap(s);
		if (r)
			break;
		t0 = now_ms();
		r = send_pass(s, false, &sent);
		ms = now_ms() - t0;
	}
	s->res->iterations = it;
	return r;
}

/* The final pass with the vCPUs paused: dirty pages, bitmap, vCPUs, END. */
static int final_pass(struct out *s)
{
	uint64_t dirty = 0, sent = 0;
	int r;

	r = get_dirty(s, &dirty);
	if (!r)
		r = read_bitmap(s);
	if (!r)
		r = send_pass(s, false, &sent);
	s->res->final_pass_pages = sent;
	if (r)
		return r;
	pgenc_mig_put_bitmap(&s->enc, s->enc_bits);
	r = send_vcpus(s);
	if (r)
		return r;
	pgenc_mig_put_end(&s->enc);
	return flush(s, true);
}

static int wait_ack(struct out *s)
{
	struct pgenc_mig_rec rec;
	int r;

	if (s->uri.kind == VMM_URI_FILE)
		return fsync(s->fd) ? fail(s, -errno, "fsync %s: %s",
					   s->uri.path, strerror(errno)) :
				      0;
	r = reply(s, &rec);
	if (r)
		return r;
	if (rec.type != PGENC_MIG_ACK)
		return fail(s, EPROTO, "the target sent %s, not ACK",
			    pgenc_mig_type_name(rec.type));
	if (rec.u.ack.status)
		return fail(s, (int)rec.u.ack.status, "the target refused: %s",
			    rec.u.ack.msg);
	return 0;
}

static int start(struct out *s)
{
	struct pgenc_mig_desc d = { 0 };
	char why[300];
	uint8_t hdr[PGENC_MIG_HDR_SIZE];
	struct pgenc_mig_error e;
	int r;

	s->fd = vmm_uri_open_out(&s->uri, why, sizeof(why));
	if (s->fd < 0)
		return fail(s, s->fd, "%s: %s", s->o->uri, why);
	if (s->uri.kind != VMM_URI_FILE) {
		r = vmm_read_full(s->fd, hdr, sizeof(hdr));
		if (r)
			return fail(s, r == -EPIPE ? EPROTO : r,
				    "%s: no stream header from the target: %s",
				    s->o->uri, strerror(-r));
		pgenc_mig_dec_init(&s->rdec, PGENC_MIG_REVERSE);
		if (pgenc_mig_dec_header(&s->rdec, hdr, &e))
			return fail(s, EPROTO, "%s: the target: %s", s->o->uri,
				    e.msg);
	}
	r = pgenc_mig_enc_init(&s->enc, PGENC_MIG_FORWARD);
	if (r)
		return fail(s, r, "out of memory");
	d.mem_size = s->vm->mem_size;
	d.nr_vcpus = s->vm->nr_vcpus;
	if (s->vm->sev) {
		d.flags = PGENC_MIG_F_SEV |
			  (s->o->no_bitmap ? PGENC_MIG_F_NO_BITMAP : 0);
		d.policy = s->vm->sev_policy;
	}
	pgenc_mig_put_desc(&s->enc, &d);
	r = flush(s, true);
	if (!r && s->sev)
		r = sev_start(s);
	return r;
}

int vmm_migrate_out(struct vmm *vm, const struct vmm_mig_opts *o,
		    struct vmm_mig_result *res)
{
	struct out s = { .vm = vm, .o = o, .res = res, .fd = -1 };
	uint64_t t0 = now_ms(), t1 = 0;
	const char *why;
	bool paused = false;
	int fw, r;

	memset(res, 0, sizeof(*res));
	if (vmm_uri_parse(o->uri, &s.uri, &why))
		return fail(&s, EINVAL, "%s: %s", o->uri, why);
	if (o->no_bitmap && !vm->sev)
		return fail(&s, EINVAL,
			    "no_bitmap: only an SEV guest sends pages through the firmware");
	if (atomic_exchange(&vm->migrating, true))
		return fail(&s, EBUSY, "a migration is in progress already");
	s.sev = vm->sev;
	s.dirty = calloc((vmm_pages(vm) + 63) / 64, sizeof(unsigned long));
	r = s.dirty ? pgenc_bitmap_new(0, vmm_pages(vm), true, &s.enc_bits) :
		      -ENOMEM;
	if (r)
		r = fail(&s, r, "out of memory");
	if (!r)
		r = check_ready(&s);
	if (!r)
		r = set_dirty_log(&s, true);
	if (!r)
		r = start(&s);
	if (!r)
		r = precopy(&s);
	if (!r) {
		vmm_pause(vm);
		paused = true;
		t1 = now_ms();
		r = final_pass(&s);
	}
	if (!r)
		r = wait_ack(&s);
	if (!r && s.send_started) {
		fw = 0;
		r = pgenc_sev_send_finish(vm->vm_fd, vm->sev_fd, &fw);
		if (r)
			r = fail(&s, r,
				 "SEND_FINISH: %s (firmware: %s); the target runs the guest now",
				 pgenc_strerror(r), pgenc_sev_fw_strerror(fw));
		else
			s.send_started = false;
	}
	if (r && s.send_started) {
		fw = 0;
		if (pgenc_sev_send_cancel(vm->vm_fd, vm->sev_fd, &fw))
			vmm_err("migration: SEND_CANCEL: firmware: %s",
				pgenc_sev_fw_strerror(fw));
	}
	if (s.dirty_log && r)
		set_dirty_log(&s, false);
	if (paused && r)
		vmm_resume(vm);
	res->total_ms = now_ms() - t0;
	res->downtime_ms = paused ? now_ms() - t1 : 0;
	if (s.fd >= 0)
		close(s.fd);
	if (r && s.uri.kind == VMM_URI_FILE && s.fd >= 0)
		unlink(s.uri.path);
	pgenc_mig_enc_free(&s.enc);
	free(s.rbuf);
	free(s.dirty);
	free(s.hdr);
	free(s.trans);
	pgenc_bitmap_free(s.enc_bits);
	if (r)
		atomic_store(&vm->migrating, false);
	return r;
}
