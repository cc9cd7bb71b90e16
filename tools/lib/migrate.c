// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The live migration stream (<pgenc/migrate.h>): encoder and strict
 * decoder. Documentation/migration.rst, "The stream", is the format.
 */
#include "internal.h"

#include <stdlib.h>
#include <linux/kvm.h>

/*
 * CRC-32C, reflected polynomial 0x82f63b78, a nibble at a time: small
 * enough to check by eye, fast enough for a page per record.
 */
static const uint32_t crc_nibble[16] = {
	0x00000000, 0x105ec76f, 0x20bd8ede, 0x30e349b1, 0x417b1dbc, 0x5125dad3,
	0x61c69362, 0x7198540d, 0x82f63b78, 0x92a8fc17, 0xa24bb5a6, 0xb21572c9,
	0xc38d26c4, 0xd3d3e1ab, 0xe330a81a, 0xf36e6f75,
};

uint32_t pgenc_mig_crc32c(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
	}
	return ~crc;
}

static const char *const type_names[] = {
	[PGENC_MIG_DESC] = "DESC", [PGENC_MIG_SESSION] = "SESSION",
	[PGENC_MIG_PAGE] = "PAGE", [PGENC_MIG_ZERO] = "ZERO",
	[PGENC_MIG_FW] = "FW",	   [PGENC_MIG_BITMAP] = "BITMAP",
	[PGENC_MIG_VCPU] = "VCPU", [PGENC_MIG_END] = "END",
	[PGENC_MIG_PDH] = "PDH",   [PGENC_MIG_ACK] = "ACK",
};

const char *pgenc_mig_type_name(unsigned int type)
{
	if (type == 0 || type > PGENC_MIG_TYPE_MAX)
		return "?";
	return type_names[type];
}

/* The exact size of each fixed-size VCPU section, 0 for variable. */
static uint32_t sec_size(unsigned int id)
{
	switch (id) {
	case PGENC_MIG_SEC_REGS:
		return sizeof(struct kvm_regs);
	case PGENC_MIG_SEC_SREGS:
		return sizeof(struct kvm_sregs);
	case PGENC_MIG_SEC_FPU:
		return sizeof(struct kvm_fpu);
	case PGENC_MIG_SEC_XSAVE:
		return sizeof(struct kvm_xsave);
	case PGENC_MIG_SEC_XCRS:
		return sizeof(struct kvm_xcrs);
	case PGENC_MIG_SEC_EVENTS:
		return sizeof(struct kvm_vcpu_events);
	case PGENC_MIG_SEC_MP_STATE:
		return sizeof(struct kvm_mp_state);
	case PGENC_MIG_SEC_VMM:
		return 4;
	default:
		return 0;
	}
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/*
 * Encoder
 * =======
 */

/* Room for n more bytes: a pointer to them, or NULL (e->err set). */
static uint8_t *enc_grow(struct pgenc_mig_enc *e, size_t n)
{
	uint8_t *p;
	size_t cap;

	if (e->err)
		return NULL;
	if (e->cap - e->len < n) {
		cap = e->cap ? e->cap : 65536;
		while (cap - e->len < n)
			cap *= 2;
		p = realloc(e->buf, cap);
		if (!p) {
			e->err = -ENOMEM;
			return NULL;
		}
		e->buf = p;
		e->cap = cap;
	}
	p = e->buf + e->len;
	e->len += n;
	e->offset += n;
	return p;
}

int pgenc_mig_enc_init(struct pgenc_mig_enc *e, enum pgenc_mig_dir dir)
{
	uint8_t *p;

	memset(e, 0, sizeof(*e));
	p = enc_grow(e, PGENC_MIG_HDR_SIZE);
	if (!p)
		return e->err;
	memcpy(p, PGENC_MIG_MAGIC, 8);
	put_le16(p + 8, PGENC_MIG_VERSION);
	put_le16(p + 10, (uint16_t)dir);
	put_le32(p + 12, 0);
	return 0;
}

void pgenc_mig_enc_free(struct pgenc_mig_enc *e)
{
	free(e->buf);
	e->buf = NULL;
	e->len = e->cap = 0;
}

void pgenc_mig_enc_clear(struct pgenc_mig_enc *e)
{
	e->len = 0;
}

/*
 * A record of type with a payload of the n parts (NULL data: zeros).
 * The first part is the fixed fields, built by the caller.
 */
struct part {
	const void *data;
	size_t len;
};

static int put_rec(struct pgenc_mig_enc *e, enum pgenc_mig_type type,
		   const struct part *parts, size_t n)
{
	size_t i, len = 0, start;
	uint8_t *p, *q;
	uint32_t crc;

	for (i = 0; i < n; i++)
		len += parts[i].len;
	if (e->err)
		return e->err;
	if (len > PGENC_MIG_MAX_PAYLOAD)
		return -EINVAL;
	start = e->len;
	p = enc_grow(e, PGENC_MIG_REC_HDR_SIZE + len);
	if (!p)
		return e->err;
	put_le16(p, (uint16_t)type);
	put_le16(p + 2, 0);
	put_le32(p + 4, (uint32_t)len);
	put_le32(p + 8, e->seq++);
	q = p + PGENC_MIG_REC_HDR_SIZE;
	for (i = 0; i < n; i++) {
		if (parts[i].data)
			memcpy(q, parts[i].data, parts[i].len);
		else
			memset(q, 0, parts[i].len);
		q += parts[i].len;
	}
	p = e->buf + start;
	crc = pgenc_mig_crc32c(0, p, 12);
	crc = pgenc_mig_crc32c(crc, p + PGENC_MIG_REC_HDR_SIZE, len);
	put_le32(p + 12, crc);
	return 0;
}

int pgenc_mig_put_desc(struct pgenc_mig_enc *e, const struct pgenc_mig_desc *d)
{
	uint8_t f[24];
	struct part pt = { f, sizeof(f) };

	put_le64(f, d->mem_size);
	put_le32(f + 8, d->nr_vcpus);
	put_le32(f + 12, d->flags);
	put_le32(f + 16, d->policy);
	put_le32(f + 20, 0);
	return put_rec(e, PGENC_MIG_DESC, &pt, 1);
}

int pgenc_mig_put_session(struct pgenc_mig_enc *e, uint32_t policy,
			  const void *pdh, size_t pdh_len, const void *session,
			  size_t session_len)
{
	uint8_t f[16];
	struct part pt[3] = { { f, sizeof(f) },
			      { pdh, pdh_len },
			      { session, session_len } };

	if (pdh_len > PGENC_MIG_MAX_BLOB || session_len > PGENC_MIG_MAX_BLOB)
		return -EINVAL;
	put_le32(f, policy);
	put_le32(f + 4, (uint32_t)pdh_len);
	put_le32(f + 8, (uint32_t)session_len);
	put_le32(f + 12, 0);
	return put_rec(e, PGENC_MIG_SESSION, pt, 3);
}

int pgenc_mig_put_page(struct pgenc_mig_enc *e, uint64_t gpa, const void *data)
{
	uint8_t f[8];
	struct part pt[2] = { { f, sizeof(f) }, { data, PGENC_MIG_PAGE_SIZE } };
	int r;

	put_le64(f, gpa);
	r = put_rec(e, PGENC_MIG_PAGE, pt, 2);
	if (!r)
		e->pages_plain++;
	return r;
}

int pgenc_mig_put_zero(struct pgenc_mig_enc *e, uint64_t gpa, uint64_t npages)
{
	uint8_t f[16];
	struct part pt = { f, sizeof(f) };
	int r;

	put_le64(f, gpa);
	put_le64(f + 8, npages);
	r = put_rec(e, PGENC_MIG_ZERO, &pt, 1);
	if (!r)
		e->pages_zero += npages;
	return r;
}

int pgenc_mig_put_fw(struct pgenc_mig_enc *e, uint64_t gpa, const void *hdr,
		     size_t hdr_len, const void *trans, size_t trans_len)
{
	uint8_t f[16];
	struct part pt[3] = { { f, sizeof(f) },
			      { hdr, hdr_len },
			      { trans, trans_len } };
	int r;

	if (hdr_len > PGENC_MIG_MAX_FW_HDR || trans_len > PGENC_MIG_MAX_PAYLOAD)
		return -EINVAL;
	put_le64(f, gpa);
	put_le32(f + 8, (uint32_t)hdr_len);
	put_le32(f + 12, (uint32_t)trans_len);
	r = put_rec(e, PGENC_MIG_FW, pt, 3);
	if (!r)
		e->pages_fw++;
	return r;
}

int pgenc_mig_put_bitmap(struct pgenc_mig_enc *e, const struct pgenc_bitmap *b)
{
	uint8_t f[16];
	struct part pt[2] = { { f, sizeof(f) },
			      { b->bits, pgenc_bitmap_bytes(b) } };

	put_le64(f, b->start_gfn);
	put_le64(f + 8, b->num_pages);
	return put_rec(e, PGENC_MIG_BITMAP, pt, 2);
}

int pgenc_mig_put_vcpu(struct pgenc_mig_enc *e, uint32_t index,
		       const struct pgenc_mig_section *sec)
{
	struct part pt[1 + 2 * PGENC_MIG_SEC_MAX];
	uint8_t f[8], sh[PGENC_MIG_SEC_MAX][8];
	size_t n = 0;
	unsigned int i, count = 0;

	for (i = 1; i <= PGENC_MIG_SEC_MAX; i++)
		count += sec[i].data != NULL;
	put_le32(f, index);
	put_le32(f + 4, count);
	pt[n++] = (struct part){ f, sizeof(f) };
	for (i = 1; i <= PGENC_MIG_SEC_MAX; i++) {
		if (!sec[i].data)
			continue;
		put_le32(sh[i - 1], i);
		put_le32(sh[i - 1] + 4, sec[i].len);
		pt[n++] = (struct part){ sh[i - 1], 8 };
		pt[n++] = (struct part){ sec[i].data, sec[i].len };
	}
	return put_rec(e, PGENC_MIG_VCPU, pt, n);
}

int pgenc_mig_put_end(struct pgenc_mig_enc *e)
{
	uint8_t f[32];
	struct part pt = { f, sizeof(f) };

	put_le64(f, e->pages_plain);
	put_le64(f + 8, e->pages_zero);
	put_le64(f + 16, e->pages_fw);
	put_le64(f + 24, e->seq);
	return put_rec(e, PGENC_MIG_END, &pt, 1);
}

int pgenc_mig_put_pdh(struct pgenc_mig_enc *e, const void *pdh, size_t pdh_len,
		      const void *chain, size_t chain_len)
{
	uint8_t f[8];
	struct part pt[3] = { { f, sizeof(f) },
			      { pdh, pdh_len },
			      { chain, chain_len } };

	if (pdh_len > PGENC_MIG_MAX_BLOB || chain_len > PGENC_MIG_MAX_BLOB)
		return -EINVAL;
	put_le32(f, (uint32_t)pdh_len);
	put_le32(f + 4, (uint32_t)chain_len);
	return put_rec(e, PGENC_MIG_PDH, pt, 3);
}

int pgenc_mig_put_ack(struct pgenc_mig_enc *e, uint32_t status, const char *msg)
{
	size_t n = msg ? strlen(msg) : 0;
	uint8_t f[8];
	struct part pt[2] = { { f, sizeof(f) }, { msg, 0 } };

	if (n > PGENC_MIG_MAX_MSG)
		n = PGENC_MIG_MAX_MSG;
	pt[1].len = n;
	put_le32(f, status);
	put_le32(f + 4, (uint32_t)n);
	return put_rec(e, PGENC_MIG_ACK, pt, 2);
}

/*
 * Decoder
 * =======
 */
static int dec_fail(struct pgenc_mig_dec *d, struct pgenc_mig_error *err,
		    unsigned int type, const char *fmt, ...) PGENC_PRINTF(4, 5);

static int dec_fail(struct pgenc_mig_dec *d, struct pgenc_mig_error *err,
		    unsigned int type, const char *fmt, ...)
{
	char what[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (err) {
		err->offset = d->offset;
		err->seq = d->seq;
		if (d->state == PGENC_MIG_S_HEADER)
			snprintf(err->msg, sizeof(err->msg),
				 "stream header at offset 0: %s", what);
		else if (type)
			snprintf(err->msg, sizeof(err->msg),
				 "record %u (%s) at offset 0x%llx: %s", d->seq,
				 pgenc_mig_type_name(type),
				 (unsigned long long)d->offset, what);
		else
			snprintf(err->msg, sizeof(err->msg),
				 "record %u at offset 0x%llx: %s", d->seq,
				 (unsigned long long)d->offset, what);
	}
	d->state = PGENC_MIG_S_FAILED;
	return -EBADMSG;
}

void pgenc_mig_dec_init(struct pgenc_mig_dec *d, enum pgenc_mig_dir dir)
{
	memset(d, 0, sizeof(*d));
	d->dir = dir;
	d->state = PGENC_MIG_S_HEADER;
}

bool pgenc_mig_dec_done(const struct pgenc_mig_dec *d)
{
	return d->state == PGENC_MIG_S_DONE;
}

int pgenc_mig_dec_header(struct pgenc_mig_dec *d, const void *hdr,
			 struct pgenc_mig_error *err)
{
	const uint8_t *p = hdr;

	if (d->state != PGENC_MIG_S_HEADER)
		return dec_fail(d, err, 0, "a second stream header");
	if (memcmp(p, PGENC_MIG_MAGIC, 8))
		return dec_fail(d, err, 0,
				"bad magic (not a pgenc migration stream)");
	if (le16(p + 8) != PGENC_MIG_VERSION)
		return dec_fail(d, err, 0,
				"version %u, this pgenc reads version %u",
				le16(p + 8), PGENC_MIG_VERSION);
	if (le16(p + 10) != d->dir)
		return dec_fail(d, err, 0, "direction %u, expected %u (%s)",
				le16(p + 10), d->dir,
				d->dir ? "target to source" :
					 "source to target");
	if (le32(p + 12))
		return dec_fail(d, err, 0, "reserved bytes are not zero");
	d->offset = PGENC_MIG_HDR_SIZE;
	d->state = d->dir == PGENC_MIG_FORWARD ? PGENC_MIG_S_DESC :
						 PGENC_MIG_S_REVERSE;
	return 0;
}

/* Whether type may come now (the order of the stream). */
static const char *order_error(const struct pgenc_mig_dec *d, unsigned int t)
{
	bool sev = d->desc.flags & PGENC_MIG_F_SEV;

	switch (d->state) {
	case PGENC_MIG_S_DESC:
		return t == PGENC_MIG_DESC ? NULL : "expected DESC first";
	case PGENC_MIG_S_SESSION:
		return t == PGENC_MIG_SESSION ?
			       NULL :
			       "expected SESSION after an SEV DESC";
	case PGENC_MIG_S_PAGES:
		if (t == PGENC_MIG_FW)
			return sev ? NULL : "FW record for a guest without SEV";
		if (t == PGENC_MIG_PAGE || t == PGENC_MIG_ZERO)
			return d->desc.flags & PGENC_MIG_F_NO_BITMAP ?
				       "plain page in a NO_BITMAP stream" :
				       NULL;
		return t == PGENC_MIG_BITMAP ?
			       NULL :
			       "expected PAGE, ZERO, FW or BITMAP";
	case PGENC_MIG_S_VCPUS:
		return t == PGENC_MIG_VCPU ? NULL : "expected VCPU";
	case PGENC_MIG_S_END:
		return t == PGENC_MIG_END ? NULL : "expected END";
	case PGENC_MIG_S_REVERSE:
		if (t == PGENC_MIG_PDH)
			return d->pdh_seen ? "a second PDH" : NULL;
		return t == PGENC_MIG_ACK ? NULL : "expected PDH or ACK";
	case PGENC_MIG_S_DONE:
		return "a record after the last one";
	default:
		return "the decoder has failed already";
	}
}

/* The payload length a type allows: [min, max]. */
static void len_bounds(unsigned int t, uint32_t *min, uint32_t *max)
{
	*min = *max = 0;
	switch (t) {
	case PGENC_MIG_DESC:
		*min = *max = 24;
		break;
	case PGENC_MIG_SESSION:
		*min = 16 + 2;
		*max = 16 + 2 * PGENC_MIG_MAX_BLOB;
		break;
	case PGENC_MIG_PAGE:
		*min = *max = 8 + PGENC_MIG_PAGE_SIZE;
		break;
	case PGENC_MIG_ZERO:
		*min = *max = 16;
		break;
	case PGENC_MIG_FW:
		*min = 16 + 1 + PGENC_MIG_PAGE_SIZE;
		*max = 16 + PGENC_MIG_MAX_FW_HDR + PGENC_MIG_PAGE_SIZE;
		break;
	case PGENC_MIG_BITMAP:
		*min = 16 + 1;
		*max = PGENC_MIG_MAX_PAYLOAD;
		break;
	case PGENC_MIG_VCPU:
		*min = 8;
		*max = PGENC_MIG_MAX_PAYLOAD;
		break;
	case PGENC_MIG_END:
		*min = *max = 32;
		break;
	case PGENC_MIG_PDH:
		*min = 8 + 1;
		*max = 8 + 2 * PGENC_MIG_MAX_BLOB;
		break;
	case PGENC_MIG_ACK:
		*min = 8;
		*max = 8 + PGENC_MIG_MAX_MSG;
		break;
	}
}

int pgenc_mig_dec_rec_len(struct pgenc_mig_dec *d, const void *hdr,
			  uint32_t *len, struct pgenc_mig_error *err)
{
	const uint8_t *p = hdr;
	unsigned int t = le16(p);
	uint32_t n = le32(p + 4), seq = le32(p + 8), min, max;
	const char *why;

	if (d->state == PGENC_MIG_S_HEADER)
		return dec_fail(d, err, 0, "no stream header decoded");
	if (d->state == PGENC_MIG_S_FAILED)
		return dec_fail(d, err, 0, "the decoder has failed already");
	if (!t || t > PGENC_MIG_TYPE_MAX)
		return dec_fail(d, err, 0, "unknown record type %u", t);
	if ((t >= PGENC_MIG_PDH) != (d->dir == PGENC_MIG_REVERSE))
		return dec_fail(d, err, t, "not a record of this direction");
	if (le16(p + 2))
		return dec_fail(d, err, t, "flags 0x%x are not zero",
				le16(p + 2));
	if (seq != d->seq)
		return dec_fail(d, err, t,
				"sequence number %u, expected %u (a record was dropped, duplicated or reordered)",
				seq, d->seq);
	why = order_error(d, t);
	if (why)
		return dec_fail(d, err, t, "out of order: %s", why);
	len_bounds(t, &min, &max);
	if (n < min || n > max)
		return dec_fail(d, err, t, "payload length %u outside %u..%u",
				n, min, max);
	*len = n;
	return 0;
}

/* [gpa, gpa + npages pages) inside guest memory, gpa page-aligned. */
static const char *gpa_error(const struct pgenc_mig_dec *d, uint64_t gpa,
			     uint64_t npages)
{
	uint64_t pages = d->desc.mem_size / PGENC_MIG_PAGE_SIZE;

	if (gpa % PGENC_MIG_PAGE_SIZE)
		return "gpa not page-aligned";
	if (!npages)
		return "no pages";
	if (gpa / PGENC_MIG_PAGE_SIZE >= pages ||
	    npages > pages - gpa / PGENC_MIG_PAGE_SIZE)
		return "outside guest memory";
	return NULL;
}

static int dec_desc(struct pgenc_mig_dec *d, const uint8_t *p,
		    struct pgenc_mig_rec *rec, struct pgenc_mig_error *err)
{
	struct pgenc_mig_desc *x = &rec->u.desc;

	x->mem_size = le64(p);
	x->nr_vcpus = le32(p + 8);
	x->flags = le32(p + 12);
	x->policy = le32(p + 16);
	if (!x->mem_size || x->mem_size % PGENC_MIG_PAGE_SIZE ||
	    x->mem_size / PGENC_MIG_PAGE_SIZE > PGENC_MAX_PAGES)
		return dec_fail(d, err, PGENC_MIG_DESC,
				"memory size 0x%llx is not whole pages (at most 2^40)",
				(unsigned long long)x->mem_size);
	if (!x->nr_vcpus || x->nr_vcpus > PGENC_MIG_MAX_VCPUS)
		return dec_fail(d, err, PGENC_MIG_DESC, "%u vCPUs (want 1..%u)",
				x->nr_vcpus, PGENC_MIG_MAX_VCPUS);
	if (x->flags & ~PGENC_MIG_F_ALL)
		return dec_fail(d, err, PGENC_MIG_DESC, "unknown flags 0x%x",
				x->flags & ~PGENC_MIG_F_ALL);
	if (!(x->flags & PGENC_MIG_F_SEV) &&
	    (x->policy || x->flags & PGENC_MIG_F_NO_BITMAP))
		return dec_fail(d, err, PGENC_MIG_DESC,
				"a policy or NO_BITMAP without SEV");
	if (le32(p + 20))
		return dec_fail(d, err, PGENC_MIG_DESC,
				"reserved bytes are not zero");
	d->desc = *x;
	d->state = x->flags & PGENC_MIG_F_SEV ? PGENC_MIG_S_SESSION :
						PGENC_MIG_S_PAGES;
	return 0;
}

/* Two blobs after a fixed part of f bytes: a then b, n bytes in all. */
static int dec_blobs(struct pgenc_mig_dec *d, unsigned int t, const uint8_t *p,
		     uint32_t n, uint32_t f, uint32_t la, uint32_t lb,
		     struct pgenc_mig_error *err)
{
	if (la > PGENC_MIG_MAX_BLOB || lb > PGENC_MIG_MAX_BLOB ||
	    (uint64_t)f + la + lb != n)
		return dec_fail(d, err, t,
				"blob lengths %u + %u do not fill the payload of %u bytes",
				la, lb, n);
	(void)p;
	return 0;
}

static int dec_vcpu(struct pgenc_mig_dec *d, const uint8_t *p, uint32_t n,
		    struct pgenc_mig_rec *rec, struct pgenc_mig_error *err)
{
	static const unsigned int required[] = { PGENC_MIG_SEC_REGS,
						 PGENC_MIG_SEC_SREGS,
						 PGENC_MIG_SEC_MP_STATE,
						 PGENC_MIG_SEC_MSRS };
	uint32_t count = le32(p + 4), off = 8, i, id, len, want;

	rec->u.vcpu.index = le32(p);
	if (rec->u.vcpu.index != d->vcpus)
		return dec_fail(d, err, PGENC_MIG_VCPU,
				"vCPU %u, expected vCPU %u", rec->u.vcpu.index,
				d->vcpus);
	for (i = 0; i < count; i++) {
		if (n - off < 8)
			return dec_fail(d, err, PGENC_MIG_VCPU,
					"section %u: truncated header", i);
		id = le32(p + off);
		len = le32(p + off + 4);
		off += 8;
		if (!id || id > PGENC_MIG_SEC_MAX)
			return dec_fail(d, err, PGENC_MIG_VCPU,
					"section %u: unknown id %u", i, id);
		if (rec->u.vcpu.sec[id].data)
			return dec_fail(d, err, PGENC_MIG_VCPU,
					"section id %u twice", id);
		want = sec_size(id);
		if (id == PGENC_MIG_SEC_MSRS ?
			    !len || len % sizeof(struct kvm_msr_entry) ||
				    len / sizeof(struct kvm_msr_entry) >
					    PGENC_MIG_MAX_MSRS :
			    len != want)
			return dec_fail(d, err, PGENC_MIG_VCPU,
					"section id %u: length %u is wrong", id,
					len);
		if (len > n - off)
			return dec_fail(d, err, PGENC_MIG_VCPU,
					"section id %u: past the payload", id);
		rec->u.vcpu.sec[id].data = p + off;
		rec->u.vcpu.sec[id].len = len;
		off += len;
	}
	if (off != n)
		return dec_fail(d, err, PGENC_MIG_VCPU,
				"%u bytes after the last section", n - off);
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!rec->u.vcpu.sec[required[i]].data)
			return dec_fail(d, err, PGENC_MIG_VCPU,
					"section id %u is missing",
					required[i]);
	if (rec->u.vcpu.sec[PGENC_MIG_SEC_VMM].data &&
	    le32(rec->u.vcpu.sec[PGENC_MIG_SEC_VMM].data) &
		    ~(uint32_t)PGENC_MIG_VMM_HALTED)
		return dec_fail(d, err, PGENC_MIG_VCPU,
				"unknown VMM state bits");
	if (++d->vcpus == d->desc.nr_vcpus)
		d->state = PGENC_MIG_S_END;
	return 0;
}

static int dec_bitmap(struct pgenc_mig_dec *d, const uint8_t *p, uint32_t n,
		      struct pgenc_mig_rec *rec, struct pgenc_mig_error *err)
{
	uint64_t pages = d->desc.mem_size / PGENC_MIG_PAGE_SIZE;
	uint64_t bytes = pgenc_bytes_for(pages);

	rec->u.bitmap.start_gfn = le64(p);
	rec->u.bitmap.num_pages = le64(p + 8);
	rec->u.bitmap.bits = p + 16;
	if (rec->u.bitmap.start_gfn || rec->u.bitmap.num_pages != pages)
		return dec_fail(d, err, PGENC_MIG_BITMAP,
				"covers [%llu, +%llu), not the guest's %llu pages from 0",
				(unsigned long long)rec->u.bitmap.start_gfn,
				(unsigned long long)rec->u.bitmap.num_pages,
				(unsigned long long)pages);
	if (n - 16 != bytes)
		return dec_fail(d, err, PGENC_MIG_BITMAP,
				"%u bytes of bits for %llu pages", n - 16,
				(unsigned long long)pages);
	if (p[16 + bytes - 1] & ~pgenc_tail_mask(pages))
		return dec_fail(d, err, PGENC_MIG_BITMAP,
				"bits set past the last page");
	d->state = PGENC_MIG_S_VCPUS;
	return 0;
}

static int dec_end(struct pgenc_mig_dec *d, const uint8_t *p,
		   struct pgenc_mig_rec *rec, struct pgenc_mig_error *err)
{
	rec->u.end.pages_plain = le64(p);
	rec->u.end.pages_zero = le64(p + 8);
	rec->u.end.pages_fw = le64(p + 16);
	rec->u.end.records = le64(p + 24);
	if (rec->u.end.pages_plain != d->pages_plain ||
	    rec->u.end.pages_zero != d->pages_zero ||
	    rec->u.end.pages_fw != d->pages_fw || rec->u.end.records != d->seq)
		return dec_fail(d, err, PGENC_MIG_END,
				"counts %llu plain, %llu zero, %llu firmware pages in %llu records; received %llu, %llu, %llu in %u",
				(unsigned long long)rec->u.end.pages_plain,
				(unsigned long long)rec->u.end.pages_zero,
				(unsigned long long)rec->u.end.pages_fw,
				(unsigned long long)rec->u.end.records,
				(unsigned long long)d->pages_plain,
				(unsigned long long)d->pages_zero,
				(unsigned long long)d->pages_fw, d->seq);
	d->state = PGENC_MIG_S_DONE;
	return 0;
}

static int dec_payload(struct pgenc_mig_dec *d, unsigned int t,
		       const uint8_t *p, uint32_t n, struct pgenc_mig_rec *rec,
		       struct pgenc_mig_error *err)
{
	const char *why;
	uint32_t a, b;

	switch (t) {
	case PGENC_MIG_DESC:
		return dec_desc(d, p, rec, err);
	case PGENC_MIG_SESSION:
		rec->u.session.policy = le32(p);
		a = le32(p + 4);
		b = le32(p + 8);
		if (dec_blobs(d, t, p, n, 16, a, b, err))
			return -EBADMSG;
		if (!a || !b || le32(p + 12))
			return dec_fail(d, err, t,
					"empty PDH or session, or reserved bytes set");
		if (rec->u.session.policy != d->desc.policy)
			return dec_fail(d, err, t,
					"policy 0x%x differs from the DESC's 0x%x",
					rec->u.session.policy, d->desc.policy);
		rec->u.session.pdh = p + 16;
		rec->u.session.pdh_len = a;
		rec->u.session.session = p + 16 + a;
		rec->u.session.session_len = b;
		d->state = PGENC_MIG_S_PAGES;
		return 0;
	case PGENC_MIG_PAGE:
		rec->u.page.gpa = le64(p);
		rec->u.page.data = p + 8;
		why = gpa_error(d, rec->u.page.gpa, 1);
		if (why)
			return dec_fail(d, err, t, "gpa 0x%llx: %s",
					(unsigned long long)rec->u.page.gpa,
					why);
		d->pages_plain++;
		return 0;
	case PGENC_MIG_ZERO:
		rec->u.zero.gpa = le64(p);
		rec->u.zero.npages = le64(p + 8);
		why = gpa_error(d, rec->u.zero.gpa, rec->u.zero.npages);
		if (why)
			return dec_fail(d, err, t, "gpa 0x%llx +%llu pages: %s",
					(unsigned long long)rec->u.zero.gpa,
					(unsigned long long)rec->u.zero.npages,
					why);
		d->pages_zero += rec->u.zero.npages;
		return 0;
	case PGENC_MIG_FW:
		rec->u.fw.gpa = le64(p);
		a = le32(p + 8);
		b = le32(p + 12);
		if (!a || a > PGENC_MIG_MAX_FW_HDR ||
		    b != PGENC_MIG_PAGE_SIZE || 16ULL + a + b != n)
			return dec_fail(d, err, t,
					"header %u + data %u bytes: want 1..%u + %u filling the payload",
					a, b, PGENC_MIG_MAX_FW_HDR,
					PGENC_MIG_PAGE_SIZE);
		why = gpa_error(d, rec->u.fw.gpa, 1);
		if (why)
			return dec_fail(d, err, t, "gpa 0x%llx: %s",
					(unsigned long long)rec->u.fw.gpa, why);
		rec->u.fw.hdr = p + 16;
		rec->u.fw.hdr_len = a;
		rec->u.fw.trans = p + 16 + a;
		rec->u.fw.trans_len = b;
		d->pages_fw++;
		return 0;
	case PGENC_MIG_BITMAP:
		return dec_bitmap(d, p, n, rec, err);
	case PGENC_MIG_VCPU:
		return dec_vcpu(d, p, n, rec, err);
	case PGENC_MIG_END:
		return dec_end(d, p, rec, err);
	case PGENC_MIG_PDH:
		a = le32(p);
		b = le32(p + 4);
		if (dec_blobs(d, t, p, n, 8, a, b, err))
			return -EBADMSG;
		if (!a)
			return dec_fail(d, err, t, "empty PDH certificate");
		rec->u.pdh.pdh = p + 8;
		rec->u.pdh.pdh_len = a;
		rec->u.pdh.chain = b ? p + 8 + a : NULL;
		rec->u.pdh.chain_len = b;
		d->pdh_seen = true;
		return 0;
	case PGENC_MIG_ACK:
		rec->u.ack.status = le32(p);
		a = le32(p + 4);
		if (a != n - 8)
			return dec_fail(d, err, t,
					"message length %u, payload holds %u",
					a, n - 8);
		memcpy(rec->u.ack.msg, p + 8, a);
		rec->u.ack.msg[a] = '\0';
		if (strlen(rec->u.ack.msg) != a)
			return dec_fail(d, err, t, "NUL in the message");
		d->state = PGENC_MIG_S_DONE;
		return 0;
	}
	return dec_fail(d, err, t, "unknown record type");
}

int pgenc_mig_dec_record(struct pgenc_mig_dec *d, const void *buf, size_t len,
			 struct pgenc_mig_rec *rec, struct pgenc_mig_error *err)
{
	const uint8_t *p = buf;
	uint32_t n, crc;
	unsigned int t;
	int r;

	if (len < PGENC_MIG_REC_HDR_SIZE)
		return dec_fail(d, err, 0, "truncated record header");
	r = pgenc_mig_dec_rec_len(d, p, &n, err);
	if (r)
		return r;
	t = le16(p);
	if (len - PGENC_MIG_REC_HDR_SIZE != n)
		return dec_fail(d, err, t, "truncated: %zu payload bytes of %u",
				len - PGENC_MIG_REC_HDR_SIZE, n);
	crc = pgenc_mig_crc32c(0, p, 12);
	crc = pgenc_mig_crc32c(crc, p + PGENC_MIG_REC_HDR_SIZE, n);
	if (crc != le32(p + 12))
		return dec_fail(d, err, t,
				"checksum 0x%08x, computed 0x%08x (corrupted)",
				le32(p + 12), crc);
	memset(rec, 0, sizeof(*rec));
	rec->type = (enum pgenc_mig_type)t;
	rec->seq = d->seq;
	rec->offset = d->offset;
	r = dec_payload(d, t, p + PGENC_MIG_REC_HDR_SIZE, n, rec, err);
	if (r)
		return r;
	d->seq++;
	d->offset += len;
	return 0;
}

int pgenc_mig_dec_finish(struct pgenc_mig_dec *d, struct pgenc_mig_error *err)
{
	if (d->state == PGENC_MIG_S_DONE)
		return 0;
	if (d->state == PGENC_MIG_S_FAILED)
		return -EBADMSG;
	return dec_fail(d, err, 0, "truncated: the stream ends before its %s",
			d->dir == PGENC_MIG_FORWARD ? "END record" :
						      "ACK record");
}
