// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the migration stream decoder (<pgenc/migrate.h>),
 * fed as a socket reader feeds it, in both directions (the first byte
 * picks one). Property: no input crashes it, every refusal names the
 * record or the header, and a stream it accepts re-encodes from the
 * decoded records into one it accepts again with the same records.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pgenc/pgenc.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECS 64

static void reencode(struct pgenc_mig_enc *e, const struct pgenc_mig_rec *r)
{
	struct pgenc_bitmap b;

	switch (r->type) {
	case PGENC_MIG_DESC:
		pgenc_mig_put_desc(e, &r->u.desc);
		break;
	case PGENC_MIG_SESSION:
		pgenc_mig_put_session(e, r->u.session.policy, r->u.session.pdh,
				      r->u.session.pdh_len,
				      r->u.session.session,
				      r->u.session.session_len);
		break;
	case PGENC_MIG_PAGE:
		pgenc_mig_put_page(e, r->u.page.gpa, r->u.page.data);
		break;
	case PGENC_MIG_ZERO:
		pgenc_mig_put_zero(e, r->u.zero.gpa, r->u.zero.npages);
		break;
	case PGENC_MIG_FW:
		pgenc_mig_put_fw(e, r->u.fw.gpa, r->u.fw.hdr, r->u.fw.hdr_len,
				 r->u.fw.trans, r->u.fw.trans_len);
		break;
	case PGENC_MIG_BITMAP:
		b.start_gfn = r->u.bitmap.start_gfn;
		b.num_pages = r->u.bitmap.num_pages;
		b.bits = (uint8_t *)(uintptr_t)r->u.bitmap.bits;
		pgenc_mig_put_bitmap(e, &b);
		break;
	case PGENC_MIG_VCPU:
		pgenc_mig_put_vcpu(e, r->u.vcpu.index, r->u.vcpu.sec);
		break;
	case PGENC_MIG_END:
		pgenc_mig_put_end(e);
		break;
	case PGENC_MIG_PDH:
		pgenc_mig_put_pdh(e, r->u.pdh.pdh, r->u.pdh.pdh_len,
				  r->u.pdh.chain, r->u.pdh.chain_len);
		break;
	case PGENC_MIG_ACK:
		pgenc_mig_put_ack(e, r->u.ack.status, r->u.ack.msg);
		break;
	}
}

/* Decode; the types of the records into types[]. 0 when accepted. */
static int decode(enum pgenc_mig_dir dir, const uint8_t *p, size_t n,
		  struct pgenc_mig_enc *e, int *types, size_t *nrec)
{
	struct pgenc_mig_error err;
	struct pgenc_mig_dec d;
	struct pgenc_mig_rec rec;
	size_t off = PGENC_MIG_HDR_SIZE;
	uint32_t len;
	int r;

	*nrec = 0;
	memset(&err, 0, sizeof(err));
	pgenc_mig_dec_init(&d, dir);
	if (n < PGENC_MIG_HDR_SIZE)
		r = pgenc_mig_dec_finish(&d, &err);
	else
		r = pgenc_mig_dec_header(&d, p, &err);
	while (!r && !pgenc_mig_dec_done(&d)) {
		if (n - off < PGENC_MIG_REC_HDR_SIZE) {
			r = pgenc_mig_dec_finish(&d, &err);
			break;
		}
		r = pgenc_mig_dec_rec_len(&d, p + off, &len, &err);
		if (r)
			break;
		if (n - off - PGENC_MIG_REC_HDR_SIZE < len) {
			r = pgenc_mig_dec_finish(&d, &err);
			break;
		}
		r = pgenc_mig_dec_record(&d, p + off,
					 PGENC_MIG_REC_HDR_SIZE + len, &rec,
					 &err);
		if (r)
			break;
		if (*nrec < MAX_RECS)
			types[(*nrec)++] = rec.type;
		if (e)
			reencode(e, &rec);
		off += PGENC_MIG_REC_HDR_SIZE + len;
	}
	if (r && (r != -EBADMSG || (!strstr(err.msg, "record ") &&
				    !strstr(err.msg, "stream header"))))
		abort();
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int types[MAX_RECS], again[MAX_RECS];
	enum pgenc_mig_dir dir;
	struct pgenc_mig_enc e;
	size_t n = 0, m = 0;

	if (!size)
		return 0;
	dir = data[0] & 1 ? PGENC_MIG_REVERSE : PGENC_MIG_FORWARD;
	if (pgenc_mig_enc_init(&e, dir))
		return 0;
	if (!decode(dir, data + 1, size - 1, &e, types, &n)) {
		if (e.err || decode(dir, e.buf, e.len, NULL, again, &m) ||
		    m != n || memcmp(types, again, n * sizeof(types[0])))
			abort();
	}
	pgenc_mig_enc_free(&e);
	return 0;
}
