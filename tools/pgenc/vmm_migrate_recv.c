// SPDX-License-Identifier: GPL-2.0
/*
 * The target of a live migration, `pgenc run --incoming URI`
 * (Documentation/migration.rst, "The target"): the VM is created from
 * the stream's description; plain pages are written, zero markers
 * cleared, firmware packets go to RECEIVE_UPDATE_DATA after
 * RECEIVE_START with the source's PDH and session; the final bitmap is
 * installed before any vCPU runs, then RECEIVE_FINISH. Any bad record
 * ends the target: a clear error, a refusal to the source, exit 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pgenc/pgenc.h>

#include "commands.h"
#include "ctl_proto.h"
#include "vmm.h"

#define MAX_MEM (16ULL << 30)

struct in {
	struct vmm *vm;
	const struct vmm_run_opts *o;
	struct vmm_uri uri;
	int fd;
	bool sock;
	struct pgenc_mig_dec dec;
	uint8_t *buf;
	size_t cap;
	struct pgenc_bitmap *bits;
	uint64_t plain, zero, fw;
	char error[600];
};

/* The reverse stream: its header, the PDH, the ACK, in one sequence. */
static struct pgenc_mig_enc rev;

static int fail(struct in *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct in *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	return -1;
}

static int send_rev(struct in *s)
{
	int r;

	if (!s->sock)
		return 0;
	if (rev.err)
		return fail(s, "encoding a reply: %s", strerror(-rev.err));
	r = ctl_write_all(s->fd, rev.buf, rev.len);
	pgenc_mig_enc_clear(&rev);
	if (r)
		return fail(s, "sending to the source: %s", strerror(-r));
	return 0;
}

static int on_desc(struct in *s, const struct pgenc_mig_desc *d)
{
	struct vmm_run_opts o = *s->o;
	struct vmm *vm = s->vm;
	void *pdh = NULL, *chain = NULL;
	size_t pl, cl;
	bool sev = d->flags & PGENC_MIG_F_SEV;
	int fw = 0, r;

	if (d->mem_size > MAX_MEM || d->nr_vcpus > PGENC_MAX_VCPUS)
		return fail(s,
			    "the stream's VM (%" PRIu64
			    " bytes, %u vCPUs) is larger than pgenc run supports (16G, %d vCPUs)",
			    d->mem_size, d->nr_vcpus, PGENC_MAX_VCPUS);
	if (o.mem_set && o.mem != d->mem_size)
		return fail(s,
			    "--mem %" PRIu64
			    " MiB, but the stream's VM has %" PRIu64 " MiB",
			    o.mem >> 20, d->mem_size >> 20);
	if (o.vcpus_set && o.vcpus != d->nr_vcpus)
		return fail(s, "--vcpus %u, but the stream's VM has %u",
			    o.vcpus, d->nr_vcpus);
	if (o.sev && !sev)
		return fail(s,
			    "--sev, but the stream's VM is not an SEV guest");
	vmm_log("incoming migration: %" PRIu64 " MiB, %u vCPU(s), %s guest%s",
		d->mem_size >> 20, d->nr_vcpus, sev ? "SEV" : "plain",
		d->flags & PGENC_MIG_F_NO_BITMAP ?
			", every page through the firmware" :
			"");
	o.sev = sev;
	vm->mem_size = d->mem_size;
	vm->nr_vcpus = d->nr_vcpus;
	r = vmm_create(vm, &o);
	if (!r)
		r = vmm_create_vcpus(vm);
	if (r)
		return fail(s, "creating the VM failed (see above)");
	if (!sev)
		return 0;
	vm->sev_policy = d->policy;
	if (!s->sock)
		return 0;
	/* The source encrypts the transport keys for this platform's PDH. */
	r = pgenc_sev_pdh_export(vm->sev_fd, &pdh, &pl, &chain, &cl, &fw);
	if (r)
		return fail(s, "SEV_PDH_CERT_EXPORT: %s (firmware: %s)",
			    pgenc_strerror(r), pgenc_sev_fw_strerror(fw));
	pgenc_mig_put_pdh(&rev, pdh, pl, chain, cl);
	free(pdh);
	free(chain);
	return send_rev(s);
}

static int on_record(struct in *s, const struct pgenc_mig_rec *rec)
{
	struct vmm *vm = s->vm;
	const char *what = "";
	uint32_t h = 0;
	int fw = 0, r;

	switch (rec->type) {
	case PGENC_MIG_DESC:
		return on_desc(s, &rec->u.desc);
	case PGENC_MIG_SESSION:
		r = pgenc_sev_receive_start(vm->vm_fd, vm->sev_fd,
					    rec->u.session.policy,
					    rec->u.session.pdh,
					    rec->u.session.pdh_len,
					    rec->u.session.session,
					    rec->u.session.session_len, &h,
					    &fw);
		if (r)
			return fail(s,
				    "RECEIVE_START (record %u): %s (firmware: %s)",
				    rec->seq, pgenc_strerror(r),
				    pgenc_sev_fw_strerror(fw));
		vm->sev_handle = h;
		vm->sev_policy = rec->u.session.policy;
		vmm_log("incoming migration: RECEIVE_START: handle %u, policy 0x%x",
			h, vm->sev_policy);
		return 0;
	case PGENC_MIG_PAGE:
		memcpy(vm->mem + rec->u.page.gpa, rec->u.page.data,
		       PGENC_PAGE_SIZE);
		s->plain++;
		return 0;
	case PGENC_MIG_ZERO:
		memset(vm->mem + rec->u.zero.gpa, 0,
		       rec->u.zero.npages * PGENC_PAGE_SIZE);
		s->zero += rec->u.zero.npages;
		return 0;
	case PGENC_MIG_FW:
		r = pgenc_sev_receive_update_data(vm->vm_fd, vm->sev_fd,
						  vm->mem + rec->u.fw.gpa,
						  PGENC_PAGE_SIZE,
						  rec->u.fw.hdr,
						  rec->u.fw.hdr_len,
						  rec->u.fw.trans,
						  rec->u.fw.trans_len, &fw);
		vm->fw_cmds++;
		if (r)
			return fail(s,
				    "RECEIVE_UPDATE_DATA of record %u (FW) at offset 0x%" PRIx64
				    ", gpa 0x%" PRIx64 ": %s (firmware: %s)",
				    rec->seq, rec->offset, rec->u.fw.gpa,
				    pgenc_strerror(r),
				    pgenc_sev_fw_strerror(fw));
		s->fw++;
		return 0;
	case PGENC_MIG_BITMAP:
		memcpy(s->bits->bits, rec->u.bitmap.bits,
		       pgenc_bitmap_bytes(s->bits));
		return 0;
	case PGENC_MIG_VCPU:
		r = vmm_vcpu_restore(&vm->vcpus[rec->u.vcpu.index],
				     rec->u.vcpu.sec, &what);
		if (r)
			return fail(s, "record %u (VCPU): vCPU %u: %s: %s",
				    rec->seq, rec->u.vcpu.index, what,
				    strerror(-r));
		return 0;
	default:
		return 0;
	}
}

static int receive(struct in *s)
{
	struct pgenc_mig_error e;
	struct pgenc_mig_rec rec;
	uint8_t hdr[PGENC_MIG_HDR_SIZE];
	char why[300], c;
	ssize_t n;
	int r, fw = 0;

	if (s->sock) {
		if (pgenc_mig_enc_init(&rev, PGENC_MIG_REVERSE))
			return fail(s, "out of memory");
		if (send_rev(s))
			return -1;
	}
	pgenc_mig_dec_init(&s->dec, PGENC_MIG_FORWARD);
	r = vmm_read_full(s->fd, hdr, sizeof(hdr));
	if (r)
		return fail(s, "no stream header: %s",
			    r == -EPIPE || r == -EPROTO ? "the stream ends" :
							  strerror(-r));
	if (pgenc_mig_dec_header(&s->dec, hdr, &e))
		return fail(s, "%s", e.msg);
	while (!pgenc_mig_dec_done(&s->dec)) {
		r = vmm_mig_read(s->fd, &s->dec, &s->buf, &s->cap, &rec, why,
				 sizeof(why));
		if (r)
			return fail(s, "%s", why);
		if (rec.type == PGENC_MIG_DESC && !s->bits &&
		    pgenc_bitmap_new(0, rec.u.desc.mem_size / PGENC_PAGE_SIZE,
				     true, &s->bits))
			return fail(s, "out of memory");
		if (on_record(s, &rec))
			return -1;
	}
	if (!s->sock) {
		n = read(s->fd, &c, 1);
		if (n)
			return fail(s, "%s after the END record",
				    n > 0 ? "bytes" : "a read error");
	}
	r = pgenc_vm_set_bitmap(s->vm->vm_fd, s->bits);
	if (r)
		return fail(s,
			    "KVM_SET_PAGE_ENC_BITMAP of the final bitmap: %s",
			    pgenc_strerror(r));
	if (s->vm->sev) {
		r = pgenc_sev_receive_finish(s->vm->vm_fd, s->vm->sev_fd, &fw);
		if (r)
			return fail(s, "RECEIVE_FINISH: %s (firmware: %s)",
				    pgenc_strerror(r),
				    pgenc_sev_fw_strerror(fw));
	}
	vmm_log("incoming migration: received %" PRIu64 " plain, %" PRIu64
		" zero and %" PRIu64 " firmware pages, %" PRIu64
		" shared pages in the bitmap, %u vCPU(s); resuming",
		s->plain, s->zero, s->fw, pgenc_bitmap_count(s->bits, false),
		s->vm->nr_vcpus);
	return 0;
}

int vmm_incoming(struct vmm *vm, const struct vmm_run_opts *o)
{
	struct in s = { .vm = vm, .o = o, .fd = -1 };
	char why[300];
	const char *w;
	int r;

	if (vmm_uri_parse(o->incoming, &s.uri, &w)) {
		vmm_err("--incoming %s: %s", o->incoming, w);
		return PGENC_EXIT_USAGE;
	}
	s.sock = s.uri.kind != VMM_URI_FILE;
	s.fd = vmm_uri_open_in(&s.uri, why, sizeof(why));
	if (s.fd < 0) {
		vmm_err("--incoming %s: %s", o->incoming, why);
		return PGENC_EXIT_FAILED;
	}
	r = receive(&s);
	free(s.buf);
	pgenc_bitmap_free(s.bits);
	if (!r) {
		vm->mig_fd = s.fd;
		return PGENC_EXIT_OK;
	}
	vmm_err("incoming migration failed: %s; the target VM is destroyed",
		s.error);
	if (s.sock) {
		pgenc_mig_put_ack(&rev, EPROTO, s.error);
		ctl_write_all(s.fd, rev.buf, rev.len);
	}
	pgenc_mig_enc_free(&rev);
	close(s.fd);
	return PGENC_EXIT_FAILED;
}

void vmm_incoming_ack(struct vmm *vm)
{
	int r;

	if (vm->mig_fd < 0)
		return;
	if (rev.buf) {
		pgenc_mig_put_ack(&rev, 0, "migrated");
		r = rev.err ? rev.err :
			      ctl_write_all(vm->mig_fd, rev.buf, rev.len);
		if (r)
			vmm_err("incoming migration: the acknowledgement was not sent: %s",
				strerror(-r));
		pgenc_mig_enc_free(&rev);
	}
	close(vm->mig_fd);
	vm->mig_fd = -1;
	vmm_log("incoming migration: done, guest running");
}
