// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpgenc unit tests: the migration stream. A full SEV and non-SEV
 * stream round trip; the CRC-32C check value; every single byte flipped,
 * every record dropped, duplicated or swapped with the next, every
 * truncation: each refused with a message naming the record; order and
 * payload checks; the reverse stream.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>

#include <pgenc/pgenc.h>

#include "../tap.h"
#include "testutil.h"

#define MEM (16 * 4096ULL)

/* A stream of records, with where each record starts. */
struct stream {
	uint8_t *buf;
	size_t len;
	size_t rec[64]; /* offsets of the records */
	size_t nrec;
};

static struct kvm_regs regs;
static struct kvm_sregs sregs;
static struct kvm_mp_state mp;
static struct kvm_msr_entry msrs[3];
static uint8_t page[4096], hdr[52], trans[4096];

static void note(struct stream *s, struct pgenc_mig_enc *e)
{
	s->rec[s->nrec++] = e->len;
}

/* DESC [SESSION] PAGE ZERO [FW] BITMAP VCPU x2 END. */
static void build(struct stream *s, bool sev)
{
	struct pgenc_mig_desc d = { MEM, 2, sev ? PGENC_MIG_F_SEV : 0,
				    sev ? 0x5u : 0 };
	struct pgenc_mig_section sec[PGENC_MIG_SEC_MAX + 1] = { { 0 } };
	struct pgenc_bitmap *b = NULL;
	struct pgenc_mig_enc e;
	uint32_t vmm = PGENC_MIG_VMM_HALTED;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)(i * 7 + 1);
	memset(hdr, 0xab, sizeof(hdr));
	memset(trans, 0xcd, sizeof(trans));
	regs.rip = 0x100000;
	msrs[0].index = 0x4b564d08;
	msrs[0].data = 1;
	TAP_CHECK(!pgenc_mig_enc_init(&e, PGENC_MIG_FORWARD), "init");
	note(s, &e);
	pgenc_mig_put_desc(&e, &d);
	if (sev) {
		note(s, &e);
		pgenc_mig_put_session(&e, 0x5, "pdh", 3, "session", 7);
	}
	note(s, &e);
	pgenc_mig_put_page(&e, 0x1000, page);
	note(s, &e);
	pgenc_mig_put_zero(&e, 0x2000, 3);
	if (sev) {
		note(s, &e);
		pgenc_mig_put_fw(&e, 0x8000, hdr, sizeof(hdr), trans,
				 sizeof(trans));
	}
	pgenc_bitmap_new(0, MEM / 4096, true, &b);
	pgenc_bitmap_set(b, 1, false);
	note(s, &e);
	pgenc_mig_put_bitmap(&e, b);
	pgenc_bitmap_free(b);
	sec[PGENC_MIG_SEC_REGS] =
		(struct pgenc_mig_section){ &regs, sizeof(regs) };
	sec[PGENC_MIG_SEC_SREGS] =
		(struct pgenc_mig_section){ &sregs, sizeof(sregs) };
	sec[PGENC_MIG_SEC_MP_STATE] =
		(struct pgenc_mig_section){ &mp, sizeof(mp) };
	sec[PGENC_MIG_SEC_MSRS] =
		(struct pgenc_mig_section){ msrs, sizeof(msrs) };
	note(s, &e);
	pgenc_mig_put_vcpu(&e, 0, sec);
	sec[PGENC_MIG_SEC_VMM] = (struct pgenc_mig_section){ &vmm, 4 };
	note(s, &e);
	pgenc_mig_put_vcpu(&e, 1, sec);
	note(s, &e);
	pgenc_mig_put_end(&e);
	TAP_CHECK(!e.err, "encoder error %d", e.err);
	s->buf = e.buf;
	s->len = e.len;
	s->rec[s->nrec] = e.len;
}

/*
 * Decode buf as a socket reader would: 0 when it decoded to the END,
 * else -EBADMSG with err. types/n: the records seen.
 */
static int decode(const uint8_t *buf, size_t len, struct pgenc_mig_error *err,
		  struct pgenc_mig_rec *recs, size_t *n)
{
	struct pgenc_mig_dec d;
	struct pgenc_mig_rec rec;
	size_t off = PGENC_MIG_HDR_SIZE, cnt = 0;
	uint32_t plen;
	int r;

	memset(err, 0, sizeof(*err));
	pgenc_mig_dec_init(&d, PGENC_MIG_FORWARD);
	if (len < PGENC_MIG_HDR_SIZE)
		return pgenc_mig_dec_finish(&d, err);
	r = pgenc_mig_dec_header(&d, buf, err);
	while (!r && !pgenc_mig_dec_done(&d)) {
		if (len - off < PGENC_MIG_REC_HDR_SIZE)
			return pgenc_mig_dec_finish(&d, err);
		r = pgenc_mig_dec_rec_len(&d, buf + off, &plen, err);
		if (r)
			break;
		if (len - off - PGENC_MIG_REC_HDR_SIZE < plen)
			return pgenc_mig_dec_finish(&d, err);
		r = pgenc_mig_dec_record(&d, buf + off,
					 PGENC_MIG_REC_HDR_SIZE + plen, &rec,
					 err);
		if (!r && recs)
			recs[cnt++] = rec;
		off += PGENC_MIG_REC_HDR_SIZE + plen;
	}
	if (n)
		*n = cnt;
	if (!r && off != len)
		return -EEXIST; /* bytes after END */
	return r;
}

static void test_crc(void)
{
	TAP_CHECK(pgenc_mig_crc32c(0, "123456789", 9) == 0xe3069283,
		  "check value 0x%08x", pgenc_mig_crc32c(0, "123456789", 9));
	TAP_CHECK(pgenc_mig_crc32c(pgenc_mig_crc32c(0, "1234", 4), "56789",
				   5) == 0xe3069283,
		  "incremental");
}

static void test_round_trip(void)
{
	struct pgenc_mig_rec recs[16];
	struct pgenc_mig_error err;
	struct stream s;
	size_t n = 0;
	int sev, r;

	for (sev = 0; sev < 2; sev++) {
		build(&s, sev);
		r = decode(s.buf, s.len, &err, recs, &n);
		if (!TAP_CHECK(!r && n == s.nrec,
			       "sev %d: %d %s, %zu records of %zu", sev, r,
			       err.msg, n, s.nrec)) {
			free(s.buf);
			continue;
		}
		TAP_CHECK(recs[0].type == PGENC_MIG_DESC &&
				  recs[0].u.desc.mem_size == MEM &&
				  recs[0].u.desc.nr_vcpus == 2,
			  "desc");
		if (sev) {
			TAP_CHECK(recs[1].type == PGENC_MIG_SESSION &&
					  recs[1].u.session.pdh_len == 3 &&
					  !memcmp(recs[1].u.session.session,
						  "session", 7),
				  "session");
			TAP_CHECK(recs[4].type == PGENC_MIG_FW &&
					  recs[4].u.fw.gpa == 0x8000 &&
					  recs[4].u.fw.hdr_len == sizeof(hdr) &&
					  !memcmp(recs[4].u.fw.trans, trans,
						  4096),
				  "fw");
		}
		TAP_CHECK(recs[1 + sev].type == PGENC_MIG_PAGE &&
				  recs[1 + sev].u.page.gpa == 0x1000 &&
				  !memcmp(recs[1 + sev].u.page.data, page,
					  4096),
			  "page");
		TAP_CHECK(recs[2 + sev].u.zero.npages == 3, "zero");
		TAP_CHECK(recs[n - 4].type == PGENC_MIG_BITMAP &&
				  recs[n - 4].u.bitmap.bits[0] == 0xfd,
			  "bitmap %02x", recs[n - 4].u.bitmap.bits[0]);
		TAP_CHECK(recs[n - 2].type == PGENC_MIG_VCPU &&
				  recs[n - 2].u.vcpu.index == 1 &&
				  recs[n - 2].u.vcpu.sec[PGENC_MIG_SEC_REGS]
						  .len == sizeof(regs) &&
				  !memcmp(recs[n - 2]
						  .u.vcpu
						  .sec[PGENC_MIG_SEC_REGS]
						  .data,
					  &regs, sizeof(regs)) &&
				  recs[n - 2].u.vcpu.sec[PGENC_MIG_SEC_VMM].data,
			  "vcpu");
		TAP_CHECK(recs[n - 1].type == PGENC_MIG_END &&
				  recs[n - 1].u.end.pages_plain == 1 &&
				  recs[n - 1].u.end.pages_zero == 3 &&
				  recs[n - 1].u.end.pages_fw == (uint64_t)sev,
			  "end");
		free(s.buf);
	}
}

/* Every byte flipped, every truncation: refused, never accepted. */
static void test_corruption(void)
{
	struct pgenc_mig_error err;
	struct stream s;
	size_t i, bad_flip = 0, bad_trunc = 0, unnamed = 0;
	int r;

	build(&s, true);
	for (i = 0; i < s.len; i++) {
		s.buf[i] ^= 0x5a;
		r = decode(s.buf, s.len, &err, NULL, NULL);
		if (r != -EBADMSG)
			bad_flip++;
		else if (i >= PGENC_MIG_HDR_SIZE && !strstr(err.msg, "record "))
			unnamed++;
		s.buf[i] ^= 0x5a;
	}
	TAP_CHECK(!bad_flip, "%zu flipped bytes accepted", bad_flip);
	TAP_CHECK(!unnamed, "%zu errors without the record", unnamed);
	for (i = 0; i < s.len; i++) {
		r = decode(s.buf, i, &err, NULL, NULL);
		if (r != -EBADMSG || !strstr(err.msg, "truncated"))
			bad_trunc++;
	}
	TAP_CHECK(!bad_trunc, "%zu truncations accepted", bad_trunc);
	free(s.buf);
}

/* Records dropped, duplicated or swapped: a sequence error. */
static void test_reorder(void)
{
	struct pgenc_mig_error err;
	struct stream s;
	uint8_t *t;
	size_t i, a, b, c, bad = 0;
	int r;

	build(&s, true);
	t = malloc(2 * s.len);
	for (i = 0; i < s.nrec; i++) {
		a = s.rec[i];
		b = s.rec[i + 1];
		/* Dropped. */
		memcpy(t, s.buf, a);
		memcpy(t + a, s.buf + b, s.len - b);
		r = decode(t, s.len - (b - a), &err, NULL, NULL);
		if (r != -EBADMSG ||
		    !strstr(err.msg,
			    i + 1 < s.nrec ? "sequence number" : "truncated"))
			bad++;
		/* Duplicated: after the END, bytes that must not be. */
		memcpy(t, s.buf, b);
		memcpy(t + b, s.buf + a, s.len - a);
		r = decode(t, s.len + (b - a), &err, NULL, NULL);
		if (i + 1 < s.nrec ?
			    r != -EBADMSG ||
				    !strstr(err.msg, "sequence number") :
			    r != -EEXIST)
			bad++;
		/* Swapped with the next. */
		if (i + 1 == s.nrec)
			continue;
		c = s.rec[i + 2];
		memcpy(t, s.buf, a);
		memcpy(t + a, s.buf + b, c - b);
		memcpy(t + a + (c - b), s.buf + a, b - a);
		memcpy(t + c, s.buf + c, s.len - c);
		r = decode(t, s.len, &err, NULL, NULL);
		if (r != -EBADMSG || !strstr(err.msg, "sequence number"))
			bad++;
	}
	TAP_CHECK(!bad, "%zu tampered streams accepted or misreported", bad);
	r = decode(s.buf, s.len, &err, NULL, NULL);
	TAP_CHECK(!r, "intact: %s", err.msg);
	free(t);
	free(s.buf);
}

/* A stream of a few records built here, decoded: the error message. */
static const char *one(void (*fn)(struct pgenc_mig_enc *e))
{
	static struct pgenc_mig_error err;
	struct pgenc_mig_enc e;
	int r;

	pgenc_mig_enc_init(&e, PGENC_MIG_FORWARD);
	fn(&e);
	r = decode(e.buf, e.len, &err, NULL, NULL);
	pgenc_mig_enc_free(&e);
	if (!r)
		return "accepted";
	return err.msg;
}

static void desc_plain(struct pgenc_mig_enc *e)
{
	struct pgenc_mig_desc d = { MEM, 1, 0, 0 };

	pgenc_mig_put_desc(e, &d);
}

static void s_page_first(struct pgenc_mig_enc *e)
{
	pgenc_mig_put_page(e, 0, page);
}

static void s_outside(struct pgenc_mig_enc *e)
{
	desc_plain(e);
	pgenc_mig_put_page(e, MEM, page);
}

static void s_unaligned(struct pgenc_mig_enc *e)
{
	desc_plain(e);
	pgenc_mig_put_zero(e, 0x10, 1);
}

static void s_zero_wrap(struct pgenc_mig_enc *e)
{
	desc_plain(e);
	pgenc_mig_put_zero(e, 0x1000, UINT64_MAX);
}

static void s_fw_plain(struct pgenc_mig_enc *e)
{
	desc_plain(e);
	pgenc_mig_put_fw(e, 0, hdr, sizeof(hdr), trans, sizeof(trans));
}

static void s_no_session(struct pgenc_mig_enc *e)
{
	struct pgenc_mig_desc d = { MEM, 1, PGENC_MIG_F_SEV, 0 };

	pgenc_mig_put_desc(e, &d);
	pgenc_mig_put_page(e, 0, page);
}

static void s_bad_bitmap(struct pgenc_mig_enc *e)
{
	struct pgenc_bitmap *b = NULL;

	desc_plain(e);
	pgenc_bitmap_new(0, MEM / 4096 + 1, true, &b);
	pgenc_mig_put_bitmap(e, b);
	pgenc_bitmap_free(b);
}

static void s_vcpu_missing(struct pgenc_mig_enc *e)
{
	struct pgenc_mig_section sec[PGENC_MIG_SEC_MAX + 1] = { { 0 } };
	struct pgenc_bitmap *b = NULL;

	desc_plain(e);
	pgenc_bitmap_new(0, MEM / 4096, true, &b);
	pgenc_mig_put_bitmap(e, b);
	pgenc_bitmap_free(b);
	sec[PGENC_MIG_SEC_REGS] =
		(struct pgenc_mig_section){ &regs, sizeof(regs) };
	pgenc_mig_put_vcpu(e, 0, sec);
}

static void s_vcpu_size(struct pgenc_mig_enc *e)
{
	struct pgenc_mig_section sec[PGENC_MIG_SEC_MAX + 1] = { { 0 } };
	struct pgenc_bitmap *b = NULL;

	desc_plain(e);
	pgenc_bitmap_new(0, MEM / 4096, true, &b);
	pgenc_mig_put_bitmap(e, b);
	pgenc_bitmap_free(b);
	sec[PGENC_MIG_SEC_REGS] = (struct pgenc_mig_section){ &regs, 8 };
	pgenc_mig_put_vcpu(e, 0, sec);
}

/* A whole plain stream whose END claims one PAGE more than was sent. */
static void s_end_counts(struct pgenc_mig_enc *e)
{
	struct pgenc_mig_section sec[PGENC_MIG_SEC_MAX + 1] = { { 0 } };
	struct pgenc_bitmap *b = NULL;

	desc_plain(e);
	pgenc_mig_put_page(e, 0, page);
	pgenc_bitmap_new(0, MEM / 4096, true, &b);
	pgenc_mig_put_bitmap(e, b);
	pgenc_bitmap_free(b);
	sec[PGENC_MIG_SEC_REGS] =
		(struct pgenc_mig_section){ &regs, sizeof(regs) };
	sec[PGENC_MIG_SEC_SREGS] =
		(struct pgenc_mig_section){ &sregs, sizeof(sregs) };
	sec[PGENC_MIG_SEC_MP_STATE] =
		(struct pgenc_mig_section){ &mp, sizeof(mp) };
	sec[PGENC_MIG_SEC_MSRS] =
		(struct pgenc_mig_section){ msrs, sizeof(msrs) };
	pgenc_mig_put_vcpu(e, 0, sec);
	e->pages_plain++;
	pgenc_mig_put_end(e);
}

static void s_end_early(struct pgenc_mig_enc *e)
{
	desc_plain(e);
	pgenc_mig_put_end(e);
}

static void s_bad_version(struct pgenc_mig_enc *e)
{
	e->buf[8] = 2;
}

static void test_checks(void)
{
	static const struct {
		void (*fn)(struct pgenc_mig_enc *e);
		const char *want;
	} cases[] = {
		{ s_page_first,
		  "record 0 (PAGE) at offset 0x10: out of order: expected DESC first" },
		{ s_outside,
		  "record 1 (PAGE) at offset 0x38: gpa 0x10000: outside guest memory" },
		{ s_unaligned, "gpa 0x10 +1 pages: gpa not page-aligned" },
		{ s_zero_wrap, "outside guest memory" },
		{ s_fw_plain, "FW record for a guest without SEV" },
		{ s_no_session, "expected SESSION after an SEV DESC" },
		{ s_bad_bitmap, "not the guest's 16 pages from 0" },
		{ s_vcpu_missing, "section id 2 is missing" },
		{ s_vcpu_size, "section id 1: length 8 is wrong" },
		{ s_end_counts,
		  "record 4 (END) at offset 0x12a6: counts 2 plain, 0 zero, 0 firmware pages in 4 records; received 1, 0, 0 in 4" },
		{ s_end_early,
		  "record 1 (END) at offset 0x38: out of order: expected PAGE, ZERO, FW or BITMAP" },
		{ s_bad_version,
		  "stream header at offset 0: version 2, this pgenc reads version 1" },
		{ desc_plain,
		  "truncated: the stream ends before its END record" },
	};
	const char *got;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = one(cases[i].fn);
		TAP_CHECK(strstr(got, cases[i].want), "case %zu: got \"%s\"", i,
			  got);
	}
}

static void test_reverse(void)
{
	struct pgenc_mig_error err;
	struct pgenc_mig_rec rec;
	struct pgenc_mig_enc e;
	struct pgenc_mig_dec d;
	size_t off;
	uint32_t n = 0;
	int r;

	pgenc_mig_enc_init(&e, PGENC_MIG_REVERSE);
	pgenc_mig_put_pdh(&e, "P", 1, "CHAIN", 5);
	pgenc_mig_put_ack(&e, 0, "migrated");
	pgenc_mig_dec_init(&d, PGENC_MIG_REVERSE);
	r = pgenc_mig_dec_header(&d, e.buf, &err);
	off = PGENC_MIG_HDR_SIZE;
	if (!r)
		r = pgenc_mig_dec_rec_len(&d, e.buf + off, &n, &err);
	if (!r)
		r = pgenc_mig_dec_record(&d, e.buf + off, 16 + n, &rec, &err);
	TAP_CHECK(!r && rec.type == PGENC_MIG_PDH && rec.u.pdh.chain_len == 5,
		  "pdh %d %s", r, err.msg);
	off += 16 + n;
	if (!r)
		r = pgenc_mig_dec_rec_len(&d, e.buf + off, &n, &err);
	if (!r)
		r = pgenc_mig_dec_record(&d, e.buf + off, 16 + n, &rec, &err);
	TAP_CHECK(!r && rec.type == PGENC_MIG_ACK && !rec.u.ack.status &&
			  !strcmp(rec.u.ack.msg, "migrated"),
		  "ack %d %s", r, err.msg);
	TAP_CHECK(pgenc_mig_dec_done(&d) && !pgenc_mig_dec_finish(&d, &err),
		  "done");
	/* A forward decoder refuses the reverse stream. */
	pgenc_mig_dec_init(&d, PGENC_MIG_FORWARD);
	r = pgenc_mig_dec_header(&d, e.buf, &err);
	TAP_CHECK(r == -EBADMSG && strstr(err.msg, "direction 1"), "dir: %s",
		  err.msg);
	pgenc_mig_enc_free(&e);
	TAP_CHECK(!strcmp(pgenc_mig_type_name(PGENC_MIG_VCPU), "VCPU") &&
			  !strcmp(pgenc_mig_type_name(0), "?") &&
			  !strcmp(pgenc_mig_type_name(99), "?"),
		  "names");
}

int main(void)
{
	tu_init();
	tap_run("migrate: CRC-32C check value", test_crc);
	tap_run("migrate: SEV and plain streams round trip", test_round_trip);
	tap_run("migrate: every flipped byte and truncation refused",
		test_corruption);
	tap_run("migrate: dropped, duplicated, swapped records refused",
		test_reorder);
	tap_run("migrate: order and payload checks, with their messages",
		test_checks);
	tap_run("migrate: the reverse stream (PDH, ACK)", test_reverse);
	return tap_done();
}
