// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpgenc unit tests: every parser rejects malformed input with
 * -EBADMSG, the line and column of the first problem and a message, and
 * writes no bitmap. Each case states the position it expects.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pgenc/pgenc.h>

#include "../tap.h"

/* The tables leave max_pages and len out where they are 0. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct bad {
	const char *in;
	unsigned int line;
	unsigned int column;
	const char *msg; /* a substring of the message */
	uint64_t max_pages; /* 0: the default */
	size_t len; /* 0: strlen(in) */
};

static void expect_bad(enum pgenc_format fmt, const struct bad *c,
		       unsigned int idx)
{
	struct pgenc_bitmap *b = NULL;
	struct pgenc_parse_error pe;
	size_t len = c->len ? c->len : strlen(c->in);
	int r;

	memset(&pe, 0x55, sizeof(pe));
	r = pgenc_parse(c->in, len, fmt, c->max_pages, &b, &pe);
	TAP_CHECK(r == -EBADMSG && !b, "%s case %u: returned %d",
		  pgenc_format_name(fmt), idx, r);
	TAP_CHECK(pe.line == c->line && pe.column == c->column &&
			  memchr(pe.msg, '\0', sizeof(pe.msg)) &&
			  strstr(pe.msg, c->msg),
		  "%s case %u: got %u:%u \"%.128s\", want %u:%u \"%s\"",
		  pgenc_format_name(fmt), idx, pe.line, pe.column, pe.msg,
		  c->line, c->column, c->msg);
	pgenc_bitmap_free(b);
}

static const struct bad ranges_cases[] = {
	{ "", 1, 1, "no ranges" },
	{ "# only a comment\n\n   \n", 4, 1, "no ranges" },
	{ "0x0-0x9 encrypted\n0x5-0xf shared\n", 2, 1, "overlaps" },
	{ "0x0-0x9 encrypted\n0xb-0xf shared\n", 2, 1, "gap: 0xa-0xa" },
	{ "0x10-0x1f shared\n0x0-0xf encrypted\n", 2, 1, "out of order" },
	{ "0x0-0x1 shared\n   0x3-0x4 shared", 2, 4, "gap: 0x2-0x2" },
	{ "0x9-0x0 shared", 1, 5, "below the first" },
	{ "0x0-0x9 secret", 1, 9,
	  "expected 'encrypted' or 'shared', found 's'" },
	{ "0x0-0x9 Encrypted", 1, 9, "expected 'encrypted'" },
	{ "0x0-0x9 encryptedx", 1, 9, "expected 'encrypted'" },
	{ "0x0-0x9 shared,x", 1, 9, "expected 'encrypted'" },
	{ "0x0-0x9", 1, 8,
	  "expected a blank after the range, found the end of the input" },
	{ "0x0-0x9\n", 1, 8, "found the end of the line" },
	{ "0x0-0x9 ", 1, 9, "found the end of the input" },
	{ "0x0-0x9 \t\n", 1, 10, "found the end of the line" },
	{ "0x0 0x9 shared", 1, 4, "expected '-' after the first gfn" },
	{ "0x0--0x9 shared", 1, 5, "expected a gfn" },
	{ "0-0x9 shared", 1, 1, "expected a gfn such as 0x1f, found '0'" },
	{ "x0-0x9 shared", 1, 1, "expected a gfn" },
	{ "0x-0x9 shared", 1, 3, "expected hex digits after 0x, found '-'" },
	{ "0xg-0x9 shared", 1, 3, "expected hex digits" },
	{ "0x0-9 shared", 1, 5, "expected a gfn" },
	{ "0x0-0x9g shared", 1, 8,
	  "expected a blank after the range, found 'g'" },
	{ "0x0-0x10000000000000000 shared", 1, 5, "does not fit in 64 bits" },
	{ "0x0-0xffffffffffffffff shared", 1, 5,
	  "must be below 0xffffffffffffffff" },
	{ "0x0-0x0000000000000000000000ffff shared", 0, 0, NULL },
	{ "0x0-0x63 shared\n0x64-0x64 shared", 2, 6, "more than 100 pages",
	  100 },
	{ "0x0-0x9 shared x", 1, 16,
	  "expected the end of the line, found 'x'" },
	{ "0x0-0x9 shared\r", 1, 15, "found byte 0x0d" },
	{ "0x0-0x9 shared\rx\n", 1, 15, "found byte 0x0d" },
	{ "0x0-0x1 shared\r\n0x2-0x3 shared x\r\n", 2, 16, "found 'x'" },
	{ "0x0-0x9 shared\0", 1, 15, "found byte 0x00", 0, 15 },
	{ "\0", 1, 1, "found byte 0x00", 0, 1 },
	{ "# com\0ment\n", 1, 6, "NUL byte in a comment", 0, 11 },
	{ "# c\n\n  0x0-0x1 foo\n", 3, 11, "expected 'encrypted'" },
	{ "\t0x0-0x1\tfoo", 1, 10, "expected 'encrypted'" },
	{ "0x0-0x1 shared\n\xff", 2, 1, "found byte 0xff" },
	{ "{", 1, 1, "expected a gfn" },
};

static const struct bad json_cases[] = {
	{ "", 1, 1, "expected '{', found the end of the input" },
	{ "[]", 1, 1, "expected '{', found '['" },
	{ "{}", 1, 2, "the object is missing \"version\"" },
	{ "{\"version\":2}", 1, 12, "unsupported version 2" },
	{ "{\"version\":1,\"version\":1}", 1, 14, "duplicate key \"version\"" },
	{ "{\"version\":1,\"foo\":1}", 1, 14, "unknown key \"foo\"" },
	{ "{\"version\":1,\"Version\":1}", 1, 14, "unknown key \"Version\"" },
	{ "{\"versio\\u006e\":1,\"version\":1}", 1, 19, "duplicate key" },
	{ "{\"\xc3\xbc\":1}", 1, 2, "unknown key \"??\"" },
	{ "{\"version\":1.0}", 1, 12, "without fraction or exponent" },
	{ "{\"version\":1e0}", 1, 12, "without fraction or exponent" },
	{ "{\"version\":-1}", 1, 12, "negative" },
	{ "{\"version\":01}", 1, 12, "leading zeros" },
	{ "{\"version\":true}", 1, 12,
	  "expected a non-negative integer, found 't'" },
	{ "{\"version\":\"1\"}", 1, 12, "expected a non-negative integer" },
	{ "{\"version\" 1}", 1, 12, "expected ':' after the key, found '1'" },
	{ "{\"version\":1,}", 1, 14, "expected a key (a string), found '}'" },
	{ "{\"version\":1 \"start_gfn\":0}", 1, 14, "expected ',' or '}'" },
	{ "{version:1}", 1, 2, "expected a key" },
	{ "{\"start_gfn\":18446744073709551616}", 1, 14,
	  "does not fit in 64 bits" },
	{ "{\"start_gfn\":18446744073709551615}", 1, 34,
	  "missing \"version\"" },
	{ "{\"num_pages\":0}", 1, 14, "num_pages is 0" },
	{ "{\"num_pages\":1099511627777}", 1, 14,
	  "exceeds the limit 1099511627776" },
	{ "{\"num_pages\":11}", 1, 14, "exceeds the limit 10", 10 },
	{ "{\"ranges\":{}}", 1, 11,
	  "expected '[' (the array of ranges), found '{'" },
	{ "{\"ranges\":[1]}", 1, 12, "expected a range object '{', found '1'" },
	{ "{\"ranges\":[{}]}", 1, 13, "range is missing \"first\"" },
	{ "{\"ranges\":[{\"first\":0,\"last\":0}]}", 1, 31,
	  "range is missing \"state\"" },
	{ "{\"ranges\":[{\"first\":0,\"first\":0}]}", 1, 23,
	  "duplicate key \"first\"" },
	{ "{\"ranges\":[{\"frist\":0}]}", 1, 13, "unknown key \"frist\"" },
	{ "{\"ranges\":[{\"state\":\"private\"}]}", 1, 21, "state must be" },
	{ "{\"ranges\":[{\"state\":1}]}", 1, 21,
	  "expected \"encrypted\" or \"shared\"" },
	{ "{\"ranges\":[{\"first\":0,\"last\":0,\"state\":\"shared\"},]}", 1,
	  50, "expected a range object" },
	{ "{\"ranges\":[{\"first\":0,\"last\":0,\"state\":\"shared\"} {", 1, 50,
	  "expected ',' or ']'" },
	{ "{\"ranges\":[", 1, 12,
	  "expected a range object '{', found the end" },
	{ "{\"vers", 1, 2, "unterminated string" },
	{ "{\"ver\nsion\":1}", 1, 6, "control characters must be escaped" },
	{ "{\"ver\\xsion\":1}", 1, 7, "invalid escape" },
	{ "{\"ver\\u12g4\":1}", 1, 10, "expected 4 hex digits" },
	{ "{\"\\udc00\":1}", 1, 4, "unpaired low surrogate" },
	{ "{\"\\ud800\":1}", 1, 4, "unpaired high surrogate" },
	{ "{\"\\ud800\\u0041\":1}", 1, 4, "unpaired high surrogate" },
	{ "{\"\\ud83d\\ude00\":1}", 1, 2, "unknown key \"????\"" },
	{ "{\"\xff\":1}", 1, 3, "invalid UTF-8" },
	{ "{\"\xc0\xaf\":1}", 1, 3, "invalid UTF-8" },
	{ "{\"\xed\xa0\x80\":1}", 1, 3, "invalid UTF-8" },
	{ "{\"\xf4\x90\x80\x80\":1}", 1, 3, "invalid UTF-8" },
	{ "{\"\xe2\x82\":1}", 1, 3, "invalid UTF-8" },
	{ "{\"a\0\":1}", 1, 4, "control characters", 0, 7 },
	/* Values that depend on each other, checked after the syntax. */
	{ "{\"version\":1,\"start_gfn\":18446744073709551615,\"num_pages\":1,"
	  "\"ranges\":[]}",
	  1, 26, "overflows" },
	{ "{\"version\":1,\"start_gfn\":1,\"num_pages\":2,\"ranges\":[]}", 1,
	  52, "the ranges end before gfn 2" },
	{ "{\"version\":1,\"start_gfn\":1,\"num_pages\":2,\"ranges\":[\n"
	  "{\"first\":1,\"last\":1,\"state\":\"shared\"}\n]}",
	  3, 1, "the ranges end before gfn 2" },
	{ "{\"version\":1,\"start_gfn\":1,\"num_pages\":2,\"ranges\":[\n"
	  "{\"first\":0,\"last\":2,\"state\":\"shared\"}]}",
	  2, 10, "the first range must start at start_gfn 1" },
	{ "{\"version\":1,\"start_gfn\":1,\"num_pages\":9,\"ranges\":[\n"
	  "{\"first\":1,\"last\":2,\"state\":\"shared\"},\n"
	  "{\"first\":4,\"last\":9,\"state\":\"shared\"}]}",
	  3, 10, "gap: 3..3 is not covered" },
	{ "{\"version\":1,\"start_gfn\":1,\"num_pages\":9,\"ranges\":[\n"
	  "{\"first\":1,\"last\":2,\"state\":\"shared\"},\n"
	  "{\"first\":2,\"last\":9,\"state\":\"shared\"}]}",
	  3, 10, "overlaps or is out of order" },
	{ "{\"version\":1,\"start_gfn\":1,\"num_pages\":9,\"ranges\":[\n"
	  "{\"first\":1,\"last\":0,\"state\":\"shared\"}]}",
	  2, 19, "last 0 is below first 1" },
	{ "{\"version\":1,\"start_gfn\":1,\"num_pages\":9,\"ranges\":[\n"
	  "{\"first\":1,\"last\":10,\"state\":\"shared\"}]}",
	  2, 19, "past start_gfn + num_pages - 1 = 9" },
	{ "{\"ranges\":[{\"first\":1,\"last\":0,\"state\":\"shared\"}],"
	  "\"version\":1,\"num_pages\":1,\"start_gfn\":1}",
	  1, 30, "last 0 is below first 1" },
	{ "{\"version\":1,\"start_gfn\":0,\"num_pages\":1,\"ranges\":["
	  "{\"first\":0,\"last\":0,\"state\":\"shared\"}]} x",
	  1, 92, "expected nothing after the object, found 'x'" },
	{ "{\"version\":1,\"start_gfn\":0,\"num_pages\":1,\"ranges\":["
	  "{\"first\":0,\"last\":0,\"state\":\"shared\"}]}\n\n{}",
	  3, 1, "expected nothing after the object, found '{'" },
	{ "{\"version\":1,\"start_gfn\":0,\"num_pages\":1,\"ranges\":["
	  "{\"first\":0,\"last\":0,\"state\":\"shared\"}]\n",
	  2, 1, "expected ',' or '}', found the end of the input" },
	{ "\xef\xbb\xbf{}", 1, 1, "expected '{', found byte 0xef" },
};

static void test_ranges(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(ranges_cases) / sizeof(ranges_cases[0]); i++) {
		if (!ranges_cases[i].msg) {
			/* Leading zeros beyond 16 digits are fine. */
			struct pgenc_bitmap *b = NULL;

			TAP_CHECK(!pgenc_parse(ranges_cases[i].in,
					       strlen(ranges_cases[i].in),
					       PGENC_FORMAT_RANGES, 0, &b,
					       NULL) &&
					  b->num_pages == 0x10000,
				  "case %u accepted", i);
			pgenc_bitmap_free(b);
			continue;
		}
		expect_bad(PGENC_FORMAT_RANGES, &ranges_cases[i], i);
	}
}

static void test_json(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++)
		expect_bad(PGENC_FORMAT_JSON, &json_cases[i], i);
}

/* A raw header: magic, version, header size, start, num. */
static size_t raw(uint8_t *p, uint32_t version, uint32_t hsz, uint64_t start,
		  uint64_t num)
{
	int i;

	memcpy(p, "PGENCBM", 8);
	for (i = 0; i < 4; i++) {
		p[8 + i] = (uint8_t)(version >> (8 * i));
		p[12 + i] = (uint8_t)(hsz >> (8 * i));
	}
	for (i = 0; i < 8; i++) {
		p[16 + i] = (uint8_t)(start >> (8 * i));
		p[24 + i] = (uint8_t)(num >> (8 * i));
	}
	return 32;
}

static void test_raw(void)
{
	uint8_t buf[64];
	struct bad c = { (const char *)buf, 0, 0, NULL, 0, 0 };
	struct pgenc_bitmap *b = NULL;
	unsigned int i = 0;

#define BAD(n, col, m)                                 \
	do {                                           \
		c.len = (n);                           \
		c.column = (col);                      \
		c.msg = (m);                           \
		expect_bad(PGENC_FORMAT_RAW, &c, i++); \
	} while (0)

	memset(buf, 0, sizeof(buf));
	c.in = "";
	BAD(0, 1, "truncated header: 0 bytes, need 32");
	c.in = (const char *)buf;
	c.len = 0;
	/* Truncated inside and after the magic. */
	raw(buf, 1, 32, 0, 8);
	BAD(5, 6, "truncated header: 5 bytes");
	BAD(8, 9, "truncated header: 8 bytes");
	BAD(31, 32, "truncated header: 31 bytes");
	buf[6] = 'X';
	BAD(33, 7, "bad magic");
	buf[6] = 'M';
	buf[7] = '\n';
	BAD(33, 8, "bad magic");
	raw(buf, 2, 32, 0, 8);
	BAD(33, 9, "unsupported version 2");
	raw(buf, 1, 33, 0, 8);
	BAD(33, 13, "header size 33");
	raw(buf, 1, 16, 0, 8);
	BAD(33, 13, "header size 16");
	raw(buf, 1, 32, 0, 0);
	BAD(32, 25, "num_pages is 0");
	raw(buf, 1, 32, 0, PGENC_MAX_PAGES + 1);
	BAD(40, 25, "exceeds the limit 1099511627776");
	/* 2^40 itself is allowed: the input is then merely truncated. */
	raw(buf, 1, 32, 0, PGENC_MAX_PAGES);
	BAD(40, 41, "truncated: 8 bytes of bits, need 137438953472");
	c.max_pages = 20;
	raw(buf, 1, 32, 0, 21);
	BAD(35, 25, "exceeds the limit 20");
	c.max_pages = 0;
	raw(buf, 1, 32, UINT64_MAX - 3, 4);
	BAD(33, 17, "overflows");
	raw(buf, 1, 32, UINT64_MAX, 1);
	BAD(33, 17, "overflows");
	/* 20 pages: 3 bytes of bits. */
	raw(buf, 1, 32, 7, 20);
	BAD(32, 33, "truncated: 0 bytes of bits, need 3");
	BAD(34, 35, "truncated: 2 bytes of bits, need 3");
	BAD(36, 36, "1 bytes of trailing data");
	BAD(64, 36, "29 bytes of trailing data");
	buf[34] = 0x10;
	BAD(35, 35, "bits set past num_pages");
	buf[34] = 0x80;
	BAD(35, 35, "bits set past num_pages");
	buf[34] = 0x0f;
	TAP_CHECK(!pgenc_parse(buf, 35, PGENC_FORMAT_RAW, 0, &b, NULL) &&
			  b->start_gfn == 7 && b->num_pages == 20 &&
			  pgenc_bitmap_count(b, true) == 4,
		  "valid");
	pgenc_bitmap_free(b);
	/* No tail: any last byte is fine. */
	raw(buf, 1, 32, UINT64_MAX - 17, 16);
	buf[32] = buf[33] = 0xff;
	TAP_CHECK(!pgenc_parse(buf, 34, PGENC_FORMAT_AUTO, 0, &b, NULL) &&
			  pgenc_bitmap_count(b, true) == 16,
		  "valid, highest start");
	pgenc_bitmap_free(b);
#undef BAD
}

int main(void)
{
	tap_run("ranges: malformed inputs, with line and column", test_ranges);
	tap_run("json: malformed inputs, with line and column", test_json);
	tap_run("raw: malformed inputs, with byte offset", test_raw);
	return tap_done();
}
