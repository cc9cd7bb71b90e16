// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tamper proxy's transformation (tamper.h). Records are cut and
 * named by libpgenc's decoder; a record is changed only on its way out,
 * so the decoder always sees the stream the sender wrote. When that
 * stream itself does not decode, the rest passes byte for byte.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tamper.h"

static const char *const field_names[] = {
	[TAMPER_F_HEADER] = "header", [TAMPER_F_PAYLOAD] = "payload",
	[TAMPER_F_FWHDR] = "fwhdr",   [TAMPER_F_IV] = "iv",
	[TAMPER_F_MAC] = "mac",	      [TAMPER_F_PACKET] = "packet",
};

#define FW_FIXED 16 /* an FW payload: gpa, hdr_len, trans_len */
#define FW_IV_OFF 4 /* the SEV packet header: FLAGS, IV, MAC */
#define FW_IV_LEN 16
#define FW_MAC_OFF 20
#define FW_MAC_LEN 32

int tamper_field_parse(const char *s, enum tamper_field *f)
{
	unsigned int i;

	for (i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++) {
		if (!strcmp(s, field_names[i])) {
			*f = (enum tamper_field)i;
			return 0;
		}
	}
	return -1;
}

int tamper_type_parse(const char *s, unsigned int *type)
{
	unsigned int i;

	for (i = 1; i <= PGENC_MIG_TYPE_MAX; i++) {
		if (!strcasecmp(s, pgenc_mig_type_name(i))) {
			*type = i;
			return 0;
		}
	}
	return -1;
}

void tamper_init(struct tamper *t, const struct tamper_spec *s,
		 enum pgenc_mig_dir dir)
{
	memset(t, 0, sizeof(*t));
	t->spec = *s;
	t->dir = dir;
	pgenc_mig_dec_init(&t->dec, dir);
}

void tamper_free(struct tamper *t)
{
	free(t->in);
	free(t->out);
	free(t->held);
	t->in = t->out = t->held = NULL;
}

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 65536;
	uint8_t *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

static int emit(struct tamper *t, const void *data, size_t len)
{
	if (grow(&t->out, &t->out_cap, t->out_len + len))
		return -ENOMEM;
	memcpy(t->out + t->out_len, data, len);
	t->out_len += len;
	return 0;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The record's checksum over its header's first 12 bytes and payload. */
static void fix_crc(uint8_t *rec, size_t len)
{
	uint32_t crc = pgenc_mig_crc32c(0, rec, 12);

	crc = pgenc_mig_crc32c(crc, rec + PGENC_MIG_REC_HDR_SIZE,
			       len - PGENC_MIG_REC_HDR_SIZE);
	put_le32(rec + 12, crc);
}

/* A whole record out; with fix, renumbered and re-checksummed. */
static int emit_rec(struct tamper *t, uint8_t *rec, size_t len)
{
	if (t->spec.fix) {
		put_le32(rec + 8, t->out_seq++);
		fix_crc(rec, len);
	}
	return emit(t, rec, len);
}

/* [*start, *end) of field f in record rec; -1 if it has none. */
static int field_range(const struct pgenc_mig_rec *r, size_t len,
		       enum tamper_field f, size_t *start, size_t *end)
{
	size_t hdr = PGENC_MIG_REC_HDR_SIZE + FW_FIXED;

	*start = PGENC_MIG_REC_HDR_SIZE;
	*end = len;
	if (f == TAMPER_F_HEADER) {
		*start = 0;
		*end = PGENC_MIG_REC_HDR_SIZE;
		return 0;
	}
	if (f == TAMPER_F_PAYLOAD)
		return 0;
	if (r->type != PGENC_MIG_FW)
		return -1;
	switch (f) {
	case TAMPER_F_FWHDR:
		*start = hdr;
		*end = hdr + r->u.fw.hdr_len;
		break;
	case TAMPER_F_IV:
		*start = hdr + FW_IV_OFF;
		*end = *start + FW_IV_LEN;
		break;
	case TAMPER_F_MAC:
		*start = hdr + FW_MAC_OFF;
		*end = *start + FW_MAC_LEN;
		break;
	default:
		*start = hdr + r->u.fw.hdr_len;
		*end = *start + r->u.fw.trans_len;
		break;
	}
	return *end <= hdr + r->u.fw.hdr_len + r->u.fw.trans_len ? 0 : -1;
}

static int flip(struct tamper *t, uint8_t *rec, size_t len,
		const struct pgenc_mig_rec *r)
{
	size_t s, e;

	if (field_range(r, len, t->spec.field, &s, &e) || t->spec.at >= e - s) {
		snprintf(t->log, sizeof(t->log),
			 "record %u (%s) has no %s byte %u", r->seq,
			 pgenc_mig_type_name(r->type),
			 field_names[t->spec.field], t->spec.at);
		return emit_rec(t, rec, len);
	}
	rec[s + t->spec.at] ^= 0xff;
	t->applied = true;
	snprintf(t->log, sizeof(t->log),
		 "flipped %s byte %u of record %u (%s) at stream offset 0x%llx%s",
		 field_names[t->spec.field], t->spec.at, r->seq,
		 pgenc_mig_type_name(r->type),
		 (unsigned long long)(r->offset + s + t->spec.at),
		 t->spec.fix ? " (checksum fixed)" : "");
	return emit_rec(t, rec, len);
}

/* One decoded record of the sender's stream, on its way out. */
static int record(struct tamper *t, uint8_t *rec, size_t len,
		  const struct pgenc_mig_rec *r)
{
	const struct tamper_spec *s = &t->spec;
	bool match = !s->type || r->type == s->type;
	const char *what = NULL;
	int e;

	if (t->held) {
		/* REORDER: this one first, then the one held. */
		e = emit_rec(t, rec, len);
		if (!e)
			e = emit_rec(t, t->held, t->held_len);
		free(t->held);
		t->held = NULL;
		t->applied = true;
		return e;
	}
	if (!match || t->applied || t->matched++ != s->nth ||
	    s->op == TAMPER_FLIP_OFFSET || s->op == TAMPER_TRUNCATE)
		return emit_rec(t, rec, len);

	switch (s->op) {
	case TAMPER_FLIP:
		return flip(t, rec, len, r);
	case TAMPER_REORDER:
		t->held = malloc(len);
		if (!t->held)
			return -ENOMEM;
		memcpy(t->held, rec, len);
		t->held_len = len;
		what = "sent after the next record";
		e = 0;
		break;
	case TAMPER_DUP:
		e = emit_rec(t, rec, len);
		if (!e)
			e = emit_rec(t, rec, len);
		t->applied = true;
		what = "duplicated";
		break;
	case TAMPER_DROP:
		t->applied = true;
		what = "dropped";
		e = 0;
		break;
	case TAMPER_CLOSE:
		e = emit_rec(t, rec, len);
		t->applied = t->close = true;
		what = "sent, then the connection closed";
		break;
	default:
		return emit_rec(t, rec, len);
	}
	snprintf(t->log, sizeof(t->log),
		 "record %u (%s) at stream offset 0x%llx %s%s", r->seq,
		 pgenc_mig_type_name(r->type), (unsigned long long)r->offset,
		 what, s->fix ? " (sequence numbers rewritten)" : "");
	return e;
}

static void consume(struct tamper *t, size_t n)
{
	memmove(t->in, t->in + n, t->in_len - n);
	t->in_len -= n;
	t->in_off += n;
}

/* Cut whole records off the input while there are any. */
static int cut(struct tamper *t)
{
	struct pgenc_mig_error err;
	struct pgenc_mig_rec r;
	uint32_t plen;
	size_t len;
	int e;

	while (!t->raw && !t->close) {
		if (t->dec.state == PGENC_MIG_S_HEADER) {
			if (t->in_len < PGENC_MIG_HDR_SIZE)
				return 0;
			if (pgenc_mig_dec_header(&t->dec, t->in, &err)) {
				t->raw = true;
				break;
			}
			e = emit(t, t->in, PGENC_MIG_HDR_SIZE);
			if (e)
				return e;
			consume(t, PGENC_MIG_HDR_SIZE);
			continue;
		}
		if (t->in_len < PGENC_MIG_REC_HDR_SIZE)
			return 0;
		if (pgenc_mig_dec_rec_len(&t->dec, t->in, &plen, &err)) {
			t->raw = true;
			break;
		}
		len = PGENC_MIG_REC_HDR_SIZE + (size_t)plen;
		if (t->in_len < len)
			return 0;
		if (pgenc_mig_dec_record(&t->dec, t->in, len, &r, &err)) {
			t->raw = true;
			break;
		}
		t->seen[r.type]++;
		e = record(t, t->in, len, &r);
		if (e)
			return e;
		consume(t, len);
	}
	if (t->raw && !t->close && t->in_len) {
		e = emit(t, t->in, t->in_len);
		if (e)
			return e;
		consume(t, t->in_len);
	}
	return 0;
}

int tamper_feed(struct tamper *t, const void *data, size_t len)
{
	const struct tamper_spec *s = &t->spec;
	uint64_t end = t->in_off + t->in_len + len;
	size_t keep = len;

	if (t->close)
		return 0;
	if (s->op == TAMPER_TRUNCATE && end > s->offset) {
		keep = s->offset > t->in_off + t->in_len ?
			       (size_t)(s->offset - t->in_off - t->in_len) :
			       0;
		t->applied = t->close = true;
		snprintf(t->log, sizeof(t->log),
			 "stream truncated at offset 0x%llx, then closed",
			 (unsigned long long)s->offset);
	}
	if (grow(&t->in, &t->in_cap, t->in_len + keep))
		return -ENOMEM;
	memcpy(t->in + t->in_len, data, keep);
	if (s->op == TAMPER_FLIP_OFFSET && !t->applied && s->offset < end &&
	    s->offset >= t->in_off + t->in_len &&
	    s->offset - (t->in_off + t->in_len) < keep) {
		/* Flipped on the way in: what the decoder sees is changed. */
		t->in[s->offset - t->in_off] ^= 0xff;
		t->applied = true;
		t->raw = true;
		snprintf(t->log, sizeof(t->log),
			 "flipped the byte at stream offset 0x%llx",
			 (unsigned long long)s->offset);
	}
	t->in_len += keep;
	if (t->close && s->op == TAMPER_TRUNCATE) {
		/* Whole records still go through the decoder; the rest raw. */
		t->close = false;
		if (cut(t))
			return -ENOMEM;
		t->raw = true;
		if (cut(t))
			return -ENOMEM;
		t->close = true;
		return 0;
	}
	return cut(t);
}

int tamper_eof(struct tamper *t)
{
	if (t->held) {
		/* The record held was the last: it goes out after all. */
		int e = emit_rec(t, t->held, t->held_len);

		free(t->held);
		t->held = NULL;
		return e;
	}
	if (t->in_len && !t->close)
		return emit(t, t->in, t->in_len);
	return 0;
}
