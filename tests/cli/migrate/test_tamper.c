// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the tamper proxy's transformation (tamper.c) on an SEV
 * stream built with libpgenc's encoder, fed in chunks of 1, 7, 4096
 * bytes and whole: each action changes exactly what it says, and
 * libpgenc's decoder refuses the result where the stream's checks must
 * (or accepts it where --fix leaves the catch to the firmware or to the
 * END counts). So the VM tests' faults are the faults they claim.
 * With --write FILE it only writes the stream to FILE.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>

#include <pgenc/pgenc.h>

#include "../../tap.h"
#include "tamper.h"

#define MEM (64 * 4096ULL)
#define NFW 3

/* The stream, and where each record starts (rec[nrec] = its length). */
static uint8_t *sbuf;
static size_t slen, rec[32], nrec;
static unsigned int fw0; /* the index of the first FW record */

static void build(void)
{
	struct pgenc_mig_desc d = { MEM, 1, PGENC_MIG_F_SEV, 0 };
	struct pgenc_mig_section sec[PGENC_MIG_SEC_MAX + 1] = { { 0 } };
	static struct kvm_regs regs;
	static struct kvm_sregs sregs;
	static struct kvm_mp_state mp;
	static struct kvm_msr_entry msrs[1];
	static uint8_t page[4096], hdr[52], trans[4096];
	struct pgenc_bitmap *b = NULL;
	struct pgenc_mig_enc e;
	unsigned int i;

	for (i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)(i * 13 + 5);
	pgenc_mig_enc_init(&e, PGENC_MIG_FORWARD);
#define NOTE() (rec[nrec++] = e.len)
	NOTE();
	pgenc_mig_put_desc(&e, &d);
	NOTE();
	pgenc_mig_put_session(&e, 0, "pdh", 3, "session", 7);
	NOTE();
	pgenc_mig_put_page(&e, 0x1000, page);
	NOTE();
	pgenc_mig_put_zero(&e, 0x2000, 4);
	fw0 = (unsigned int)nrec;
	for (i = 0; i < NFW; i++) {
		memset(hdr, 0x10 + i, sizeof(hdr));
		memset(trans, 0x20 + i, sizeof(trans));
		NOTE();
		pgenc_mig_put_fw(&e, 0x10000 + i * 0x1000, hdr, sizeof(hdr),
				 trans, sizeof(trans));
	}
	pgenc_bitmap_new(0, MEM / 4096, true, &b);
	pgenc_bitmap_set(b, 1, false);
	NOTE();
	pgenc_mig_put_bitmap(&e, b);
	pgenc_bitmap_free(b);
	msrs[0].index = 0x4b564d08;
	msrs[0].data = 1;
	sec[PGENC_MIG_SEC_REGS] =
		(struct pgenc_mig_section){ &regs, sizeof(regs) };
	sec[PGENC_MIG_SEC_SREGS] =
		(struct pgenc_mig_section){ &sregs, sizeof(sregs) };
	sec[PGENC_MIG_SEC_MP_STATE] =
		(struct pgenc_mig_section){ &mp, sizeof(mp) };
	sec[PGENC_MIG_SEC_MSRS] =
		(struct pgenc_mig_section){ msrs, sizeof(msrs) };
	NOTE();
	pgenc_mig_put_vcpu(&e, 0, sec);
	NOTE();
	pgenc_mig_put_end(&e);
#undef NOTE
	rec[nrec] = e.len;
	sbuf = e.buf;
	slen = e.len;
}

struct result {
	uint8_t *buf;
	size_t len;
	bool applied, close;
	char log[320];
	int dec; /* 0: the decoder took all of it, else -EBADMSG */
	uint32_t bad_seq; /* the record it refused */
	char msg[256];
};

/* Decode buf as the target would: header, records, then finish. */
static void decode(struct result *r)
{
	struct pgenc_mig_error err = { 0 };
	struct pgenc_mig_dec d;
	struct pgenc_mig_rec m;
	size_t off = PGENC_MIG_HDR_SIZE;
	uint32_t n;

	pgenc_mig_dec_init(&d, PGENC_MIG_FORWARD);
	r->dec = r->len < PGENC_MIG_HDR_SIZE ?
			 -EBADMSG :
			 pgenc_mig_dec_header(&d, r->buf, &err);
	while (!r->dec && !pgenc_mig_dec_done(&d) &&
	       off + PGENC_MIG_REC_HDR_SIZE <= r->len) {
		r->dec = pgenc_mig_dec_rec_len(&d, r->buf + off, &n, &err);
		if (r->dec)
			break;
		if (off + PGENC_MIG_REC_HDR_SIZE + n > r->len)
			break;
		r->dec = pgenc_mig_dec_record(&d, r->buf + off,
					      PGENC_MIG_REC_HDR_SIZE + n, &m,
					      &err);
		off += PGENC_MIG_REC_HDR_SIZE + n;
	}
	if (!r->dec)
		r->dec = pgenc_mig_dec_finish(&d, &err);
	if (!r->dec && off != r->len) {
		r->dec = -EBADMSG;
		snprintf(err.msg, sizeof(err.msg), "trailing bytes");
	}
	r->bad_seq = err.seq;
	memcpy(r->msg, err.msg, sizeof(r->msg));
}

/* The stream through the transformation, in chunks of chunk bytes. */
static void run(const struct tamper_spec *s, size_t chunk, struct result *r)
{
	struct tamper t;
	size_t off;

	memset(r, 0, sizeof(*r));
	tamper_init(&t, s, PGENC_MIG_FORWARD);
	for (off = 0; off < slen && !t.close; off += chunk) {
		size_t n = slen - off < chunk ? slen - off : chunk;

		TAP_CHECK(!tamper_feed(&t, sbuf + off, n), "feed");
	}
	if (!t.close)
		TAP_CHECK(!tamper_eof(&t), "eof");
	r->buf = t.out;
	r->len = t.out_len;
	r->applied = t.applied;
	r->close = t.close;
	memcpy(r->log, t.log, sizeof(r->log));
	t.out = NULL;
	tamper_free(&t);
	decode(r);
}

static const size_t chunks[] = { 1, 7, 4096, 1 << 30 };
#define NCHUNKS (sizeof(chunks) / sizeof(chunks[0]))

/*
 * Bytes that differ between the result and the stream (same length),
 * except in [skip, skip + 4) (a checksum --fix rewrote): their number
 * and the first one's offset.
 */
static size_t ndiff_skip(const struct result *r, size_t *first, size_t skip)
{
	size_t i, n = 0;

	*first = SIZE_MAX;
	for (i = 0; i < r->len && i < slen; i++) {
		if (r->buf[i] == sbuf[i] || (i >= skip && i < skip + 4))
			continue;
		if (!n)
			*first = i;
		n++;
	}
	return n;
}

static size_t ndiff(const struct result *r, size_t *first)
{
	return ndiff_skip(r, first, SIZE_MAX - 4);
}

static void test_none(void)
{
	struct tamper_spec s = { .op = TAMPER_NONE };
	struct result r;
	unsigned int c;

	for (c = 0; c < NCHUNKS; c++) {
		run(&s, chunks[c], &r);
		TAP_CHECK(r.len == slen && !memcmp(r.buf, sbuf, slen) &&
				  !r.dec && !r.applied,
			  "chunk %zu: len %zu of %zu, dec %d %s", chunks[c],
			  r.len, slen, r.dec, r.msg);
		free(r.buf);
	}
}

static void test_flip_offset(void)
{
	struct tamper_spec s = { .op = TAMPER_FLIP_OFFSET };
	struct result r;
	size_t first;
	unsigned int c;

	s.offset = rec[fw0] + 100;
	for (c = 0; c < NCHUNKS; c++) {
		run(&s, chunks[c], &r);
		TAP_CHECK(r.len == slen && ndiff(&r, &first) == 1 &&
				  first == s.offset &&
				  (r.buf[first] ^ sbuf[first]) == 0xff,
			  "chunk %zu: len %zu, first diff %zu", chunks[c],
			  r.len, first);
		TAP_CHECK(r.applied && r.dec && r.bad_seq == fw0 &&
				  strstr(r.msg, "checksum"),
			  "chunk %zu: applied %d, refused at %u: %s", chunks[c],
			  r.applied, r.bad_seq, r.msg);
		free(r.buf);
	}
}

/* FLIP of field f of the 2nd FW record, byte at; where it must land. */
static void flip_case(enum tamper_field f, uint32_t at, bool fix,
		      size_t want_off)
{
	struct tamper_spec s = { .op = TAMPER_FLIP,
				 .nth = 1,
				 .type = PGENC_MIG_FW,
				 .field = f,
				 .at = at,
				 .fix = fix };
	struct result r;
	size_t first, n;
	unsigned int c;

	for (c = 0; c < NCHUNKS; c++) {
		run(&s, chunks[c], &r);
		n = ndiff_skip(&r, &first, rec[fw0 + 1] + 12);
		TAP_CHECK(r.applied && r.len == slen && n == 1 &&
				  first == want_off &&
				  (r.buf[first] ^ sbuf[first]) == 0xff,
			  "field %d chunk %zu: %zu bytes differ, the first at %zu, want %zu (%s)",
			  f, chunks[c], n, first, want_off, r.log);
		/* --fix: the container is valid; else its checksum refuses. */
		if (fix)
			TAP_CHECK(!r.dec, "field %d: refused at %u: %s", f,
				  r.bad_seq, r.msg);
		else
			TAP_CHECK(r.dec && r.bad_seq == fw0 + 1 &&
					  !memcmp(r.buf + rec[fw0 + 1] + 12,
						  sbuf + rec[fw0 + 1] + 12, 4),
				  "field %d: refused at %u: %s", f, r.bad_seq,
				  r.msg);
		free(r.buf);
	}
}

static void test_flip_fields(void)
{
	size_t r1 = rec[fw0 + 1], hdr = r1 + 16 + 16;

	flip_case(TAMPER_F_HEADER, 5, false, r1 + 5);
	flip_case(TAMPER_F_PAYLOAD, 3, false, r1 + 16 + 3);
	flip_case(TAMPER_F_FWHDR, 0, true, hdr);
	flip_case(TAMPER_F_IV, 2, true, hdr + 4 + 2);
	flip_case(TAMPER_F_MAC, 31, true, hdr + 20 + 31);
	flip_case(TAMPER_F_PACKET, 4095, true, hdr + 52 + 4095);
	flip_case(TAMPER_F_MAC, 0, false, hdr + 20);
}

/* Record i of buf, as the list of the original's records (by bytes). */
static bool same_rec(const uint8_t *p, unsigned int i)
{
	/* Compare without the sequence number and checksum. */
	size_t len = rec[i + 1] - rec[i];

	return !memcmp(p, sbuf + rec[i], 8) &&
	       !memcmp(p + 16, sbuf + rec[i] + 16, len - 16);
}

static void test_reorder_dup_drop(void)
{
	struct tamper_spec s = { .type = PGENC_MIG_FW, .nth = 0 };
	size_t l0 = rec[fw0 + 1] - rec[fw0];
	struct result r;
	unsigned int c, fix;

	for (fix = 0; fix < 2; fix++) {
		s.fix = fix;
		for (c = 0; c < NCHUNKS; c++) {
			s.op = TAMPER_REORDER;
			run(&s, chunks[c], &r);
			TAP_CHECK(r.applied && r.len == slen &&
					  same_rec(r.buf + rec[fw0], fw0 + 1) &&
					  same_rec(r.buf + rec[fw0] + l0, fw0),
				  "reorder: the two FW records swapped (%s)",
				  r.log);
			/* FW records go in any order: only the numbers tell. */
			TAP_CHECK(fix ? !r.dec : r.dec && r.bad_seq == fw0,
				  "reorder fix %u: dec %d at %u %s", fix, r.dec,
				  r.bad_seq, r.msg);
			free(r.buf);

			s.op = TAMPER_DUP;
			run(&s, chunks[c], &r);
			TAP_CHECK(r.applied && r.len == slen + l0 &&
					  same_rec(r.buf + rec[fw0], fw0) &&
					  same_rec(r.buf + rec[fw0] + l0, fw0),
				  "dup: the FW record twice (%s)", r.log);
			/* With fix, END's counts catch it. */
			TAP_CHECK(r.dec && r.bad_seq == (fix ? nrec : fw0 + 1),
				  "dup fix %u: refused at %u %s", fix,
				  r.bad_seq, r.msg);
			free(r.buf);

			s.op = TAMPER_DROP;
			run(&s, chunks[c], &r);
			TAP_CHECK(r.applied && r.len == slen - l0 &&
					  same_rec(r.buf + rec[fw0], fw0 + 1),
				  "drop: the FW record gone (%s)", r.log);
			TAP_CHECK(r.dec && r.bad_seq == (fix ? nrec - 2 : fw0),
				  "drop fix %u: refused at %u %s", fix,
				  r.bad_seq, r.msg);
			free(r.buf);
		}
	}
}

static void test_truncate_close(void)
{
	struct tamper_spec s = { .op = TAMPER_TRUNCATE };
	struct result r;
	unsigned int c;

	s.offset = rec[fw0 + 1] + 1000;
	for (c = 0; c < NCHUNKS; c++) {
		run(&s, chunks[c], &r);
		TAP_CHECK(r.applied && r.close && r.len == s.offset &&
				  !memcmp(r.buf, sbuf, r.len) && r.dec,
			  "truncate chunk %zu: len %zu, dec %d %s", chunks[c],
			  r.len, r.dec, r.msg);
		free(r.buf);
	}
	s = (struct tamper_spec){ .op = TAMPER_CLOSE,
				  .type = PGENC_MIG_FW,
				  .nth = 2 };
	for (c = 0; c < NCHUNKS; c++) {
		run(&s, chunks[c], &r);
		TAP_CHECK(r.applied && r.close && r.len == rec[fw0 + 3] &&
				  !memcmp(r.buf, sbuf, r.len) && r.dec,
			  "close chunk %zu: len %zu want %zu, dec %d %s",
			  chunks[c], r.len, rec[fw0 + 3], r.dec, r.msg);
		free(r.buf);
	}
	/* An action past the end of the stream is not applied. */
	s.nth = NFW;
	run(&s, 4096, &r);
	TAP_CHECK(!r.applied && !r.close && r.len == slen && !r.dec,
		  "close after the 4th FW record of 3: applied %d", r.applied);
	free(r.buf);
}

/* --write FILE: only write the stream to FILE (run.sh's socket tests). */
int main(int argc, char **argv)
{
	build();
	if (argc == 3 && !strcmp(argv[1], "--write")) {
		FILE *f = fopen(argv[2], "wb");

		if (!f || fwrite(sbuf, 1, slen, f) != slen || fclose(f))
			return 1;
		printf("%zu bytes, FW records at offsets %zu %zu %zu\n", slen,
		       rec[fw0], rec[fw0 + 1], rec[fw0 + 2]);
		free(sbuf);
		return 0;
	}
	tap_run("no action: the stream passes unchanged", test_none);
	tap_run("--flip-offset: one byte changed, the checksum refuses it",
		test_flip_offset);
	tap_run("--flip N:FIELD: the byte of the field; --fix leaves the container valid",
		test_flip_fields);
	tap_run("--reorder, --dup, --drop: records moved; refused by sequence, or with --fix by END",
		test_reorder_dup_drop);
	tap_run("--truncate, --close: the stream cut where asked",
		test_truncate_close);
	free(sbuf);
	return tap_done();
}
