// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpgenc unit tests: the raw, ranges and JSON formats. Round trips of
 * random bitmaps through memory and FILEs, with and without detection;
 * exact writer output; what the parsers accept beyond the writers'
 * output; the page limit; write errors.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pgenc/pgenc.h>

#include "../tap.h"
#include "testutil.h"

static const enum pgenc_format fmts[] = { PGENC_FORMAT_RAW, PGENC_FORMAT_RANGES,
					  PGENC_FORMAT_JSON };

/* Write b in fmt, read it back every way, compare. */
static void round_trip(const struct pgenc_bitmap *b, enum pgenc_format fmt)
{
	struct pgenc_parse_error pe;
	struct pgenc_bitmap *c = NULL;
	const char *name = pgenc_format_name(fmt);
	void *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	r = pgenc_write_mem(b, fmt, &buf, &len);
	if (!TAP_CHECK(!r, "%s: write_mem %d", name, r))
		return;
	TAP_CHECK(((char *)buf)[len] == '\0', "%s: NUL terminated", name);
	TAP_CHECK(pgenc_format_detect(buf, len) == fmt, "%s: detected as %s",
		  name, pgenc_format_name(pgenc_format_detect(buf, len)));
	r = pgenc_parse(buf, len, fmt, 0, &c, &pe);
	TAP_CHECK(!r, "%s: parse %d at %u:%u %s (start %llu num %llu)", name, r,
		  pe.line, pe.column, pe.msg, (unsigned long long)b->start_gfn,
		  (unsigned long long)b->num_pages);
	TAP_CHECK(!r && pgenc_bitmap_equal(b, c), "%s: differs", name);
	TAP_CHECK(!pe.line && !pe.column && !pe.msg[0], "%s: error not cleared",
		  name);
	pgenc_bitmap_free(c);
	c = NULL;
	r = pgenc_parse(buf, len, PGENC_FORMAT_AUTO, b->num_pages, &c, NULL);
	TAP_CHECK(!r && pgenc_bitmap_equal(b, c), "%s: auto %d", name, r);
	pgenc_bitmap_free(c);
	c = NULL;

	/* Through a FILE, after some leading bytes that are not read. */
	f = tmpfile();
	if (!TAP_CHECK(f, "tmpfile"))
		goto out;
	fputs("skip", f);
	r = pgenc_write(f, b, fmt);
	TAP_CHECK(!r, "%s: write %d", name, r);
	TAP_CHECK(ftell(f) == (long)(len + 4),
		  "%s: FILE has %ld bytes, mem %zu", name, ftell(f), len);
	fseek(f, 4, SEEK_SET);
	r = pgenc_read(f, PGENC_FORMAT_AUTO, 0, &c, &pe);
	TAP_CHECK(!r && pgenc_bitmap_equal(b, c), "%s: read %d %s", name, r,
		  pe.msg);
	pgenc_bitmap_free(c);
	fclose(f);
out:
	free(buf);
}

static void test_round_trip(void)
{
	unsigned long it;
	unsigned int i, k;

	for (it = 0; it < tu_iters / 4 + 1; it++) {
		for (i = 0; i < TU_NSIZES; i++) {
			uint64_t n = tu_sizes[i];
			struct pgenc_bitmap *b =
				rnd_bitmap(rnd_start(n), n, NULL);

			for (k = 0; k < 3; k++)
				round_trip(b, fmts[k]);
			pgenc_bitmap_free(b);
		}
	}
}

/* 2^24 + 5 pages in runs, and one at the top of the gfn space. */
static void test_round_trip_large(void)
{
	static const uint64_t starts[] = { 0, 0x100000, UINT64_MAX - 1 };
	uint64_t n = (1ULL << 24) + 5;
	unsigned int i, k;

	for (i = 0; i < 3; i++) {
		uint64_t num = i == 2 ? 1 : n;
		struct pgenc_bitmap *b;
		uint64_t g;

		pgenc_bitmap_new(starts[i], num, true, &b);
		for (g = 0; g + 4096 < num; g += 1 + rnd_below(1 << 20))
			pgenc_bitmap_fill(b, starts[i] + g, 1 + rnd_below(4096),
					  false);
		for (k = 0; k < 3; k++)
			round_trip(b, fmts[k]);
		pgenc_bitmap_free(b);
	}
}

/*
 * gfn 0x10..0x23: 0x10-0x14 encrypted, 0x15-0x1b shared, 0x1c-0x23
 * encrypted; bytes 0x1f 0xf0 0x0f.
 */
static struct pgenc_bitmap *golden_bitmap(void)
{
	struct pgenc_bitmap *b;

	pgenc_bitmap_new(0x10, 20, true, &b);
	pgenc_bitmap_fill(b, 0x15, 7, false);
	return b;
}

static void check_output(const struct pgenc_bitmap *b, enum pgenc_format fmt,
			 const void *want, size_t want_len)
{
	void *buf;
	size_t len;

	if (!TAP_CHECK(!pgenc_write_mem(b, fmt, &buf, &len), "write"))
		return;
	TAP_CHECK(len == want_len && !memcmp(buf, want, len),
		  "%s: got %zu:\n%s", pgenc_format_name(fmt), len,
		  fmt == PGENC_FORMAT_RAW ? "(binary)" : (char *)buf);
	free(buf);
}

static void check_text(const struct pgenc_bitmap *b, enum pgenc_format fmt,
		       const char *want)
{
	check_output(b, fmt, want, strlen(want));
}

static void test_golden(void)
{
	static const uint8_t raw[] = {
		'P', 'G', 'E', 'N', 'C',  'B', 'M', 0, 1,    0,	   0,	 0,
		32,  0,	  0,   0,   0x10, 0,   0,   0, 0,    0,	   0,	 0,
		20,  0,	  0,   0,   0,	  0,   0,   0, 0x1f, 0xf0, 0x0f,
	};
	static const char ranges[] = "0x10-0x14 encrypted\n"
				     "0x15-0x1b shared\n"
				     "0x1c-0x23 encrypted\n";
	static const char json[] =
		"{\"version\":1,\"start_gfn\":16,\"num_pages\":20,\"ranges\":[\n"
		"{\"first\":16,\"last\":20,\"state\":\"encrypted\"},\n"
		"{\"first\":21,\"last\":27,\"state\":\"shared\"},\n"
		"{\"first\":28,\"last\":35,\"state\":\"encrypted\"}\n"
		"]}\n";
	struct pgenc_bitmap *b = golden_bitmap();

	/* Garbage past num_pages must not reach the output. */
	b->bits[2] |= 0xf0;
	check_output(b, PGENC_FORMAT_RAW, raw, sizeof(raw));
	check_text(b, PGENC_FORMAT_RANGES, ranges);
	check_text(b, PGENC_FORMAT_JSON, json);
	pgenc_bitmap_free(b);

	/* Padding: to the width of the largest gfn. */
	pgenc_bitmap_new(0, 0xa0, true, &b);
	pgenc_bitmap_fill(b, 0x10, 0x10, false);
	check_text(b, PGENC_FORMAT_RANGES,
		   "0x00-0x0f encrypted\n0x10-0x1f shared\n"
		   "0x20-0x9f encrypted\n");
	pgenc_bitmap_free(b);
	pgenc_bitmap_new(0xfffff, 1, false, &b);
	check_text(b, PGENC_FORMAT_RANGES, "0xfffff-0xfffff shared\n");
	pgenc_bitmap_free(b);
	pgenc_bitmap_new(UINT64_MAX - 2, 2, false, &b);
	check_text(b, PGENC_FORMAT_RANGES,
		   "0xfffffffffffffffd-0xfffffffffffffffe shared\n");
	check_text(b, PGENC_FORMAT_JSON,
		   "{\"version\":1,\"start_gfn\":18446744073709551613,"
		   "\"num_pages\":2,\"ranges\":[\n"
		   "{\"first\":18446744073709551613,"
		   "\"last\":18446744073709551614,\"state\":\"shared\"}\n"
		   "]}\n");
	pgenc_bitmap_free(b);
}

/* Inputs the parsers accept that the writers never produce. */
static void test_accepted(void)
{
	static const struct {
		enum pgenc_format fmt;
		const char *in;
	} cases[] = {
		{ PGENC_FORMAT_RANGES, "0x10-0x14 encrypted\n0x15-0x1b shared\n"
				       "0x1c-0x23 encrypted" },
		{ PGENC_FORMAT_RANGES, "# pgenc\n\n  0x10-0x14\tencrypted  \n"
				       "\t# comment\n0x15-0x1b shared # x\n"
				       "0x1c-0x20 encrypted\n\n"
				       "0x21-0x23 encrypted\n# end\n" },
		{ PGENC_FORMAT_RANGES, "0X10-0x014 encrypted\r\n"
				       "0x15-0x1B shared\r\n"
				       "0x00000000001c-0x23 encrypted\r\n" },
		{ PGENC_FORMAT_RANGES,
		  "0x10-0x10 encrypted\n0x11-0x14 encrypted\n"
		  "0x15-0x15 shared\n0x16-0x1b shared\n"
		  "0x1c-0x23 encrypted\n" },
		{ PGENC_FORMAT_JSON,
		  " \r\n\t{ \"ranges\" : [ {\"state\":\"encrypted\",\"last\":20,"
		  "\"first\":16} , {\"last\":27,\"first\":21,\"state\":"
		  "\"shared\"},{\"first\":28,\"last\":30,\"state\":\"encrypted\"},"
		  "{\"first\":31,\"last\":35,\"state\":\"encrypted\"}],"
		  "\"num_pages\" :20 ,\"start_gfn\":16, \"version\":1 } \n\n" },
		{ PGENC_FORMAT_JSON,
		  "{\"\\u0076ersion\":1,\"start\\u005fgfn\":16,\"num_pages\":20,"
		  "\"ranges\":[{\"first\":16,\"last\":20,\"st\\u0061te\":"
		  "\"encrypted\"},{\"first\":21,\"last\":27,\"state\":\"shar\\u0065d\"},"
		  "{\"first\":28,\"last\":35,\"state\":\"encrypted\"}]}" },
	};
	struct pgenc_bitmap *want = golden_bitmap(), *b;
	struct pgenc_parse_error pe;
	unsigned int i;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].in);

		b = NULL;
		TAP_CHECK(pgenc_format_detect(cases[i].in, len) == cases[i].fmt,
			  "case %u detected", i);
		r = pgenc_parse(cases[i].in, len, PGENC_FORMAT_AUTO, 0, &b,
				&pe);
		TAP_CHECK(!r, "case %u: %d at %u:%u: %s", i, r, pe.line,
			  pe.column, pe.msg);
		TAP_CHECK(!r && pgenc_bitmap_equal(b, want), "case %u differs",
			  i);
		pgenc_bitmap_free(b);
	}
	pgenc_bitmap_free(want);
}

/* max_pages: num_pages == limit passes, limit + 1 does not. */
static void test_limit(void)
{
	struct pgenc_bitmap *b, *c;
	struct pgenc_parse_error pe;
	unsigned int k;
	void *buf;
	size_t len;
	int r;

	pgenc_bitmap_new(5, 100, true, &b);
	pgenc_bitmap_fill(b, 50, 3, false);
	for (k = 0; k < 3; k++) {
		const char *name = pgenc_format_name(fmts[k]);

		pgenc_write_mem(b, fmts[k], &buf, &len);
		c = NULL;
		r = pgenc_parse(buf, len, fmts[k], 100, &c, &pe);
		TAP_CHECK(!r && pgenc_bitmap_equal(b, c),
			  "%s: limit 100: %d %s", name, r, pe.msg);
		pgenc_bitmap_free(c);
		c = NULL;
		r = pgenc_parse(buf, len, fmts[k], 99, &c, &pe);
		TAP_CHECK(r == -EBADMSG && !c, "%s: limit 99: %d", name, r);
		TAP_CHECK(strstr(pe.msg, fmts[k] == PGENC_FORMAT_RANGES ?
						 "more than 99 pages" :
						 "exceeds the limit 99"),
			  "%s: %s", name, pe.msg);
		/* A limit above PGENC_MAX_PAGES is PGENC_MAX_PAGES. */
		r = pgenc_parse(buf, len, fmts[k], UINT64_MAX, &c, &pe);
		TAP_CHECK(!r, "%s: limit max %d", name, r);
		pgenc_bitmap_free(c);
		free(buf);
	}
	pgenc_bitmap_free(b);
}

static void test_api_errors(void)
{
	struct pgenc_bitmap *b, *c = NULL, bad;
	enum pgenc_format f;
	void *buf = NULL;
	size_t len = 0;
	FILE *full;

	pgenc_bitmap_new(0, 9, true, &b);
	TAP_CHECK(pgenc_write_mem(b, PGENC_FORMAT_AUTO, &buf, &len) == -EINVAL,
		  "write auto");
	TAP_CHECK(pgenc_write_mem(b, (enum pgenc_format)7, &buf, &len) ==
			  -EINVAL,
		  "write 7");
	TAP_CHECK(pgenc_write_mem(NULL, PGENC_FORMAT_RAW, &buf, &len) ==
			  -EINVAL,
		  "write NULL");
	TAP_CHECK(pgenc_write(NULL, b, PGENC_FORMAT_RAW) == -EINVAL,
		  "NULL FILE");
	bad = *b;
	bad.num_pages = 0;
	TAP_CHECK(pgenc_write_mem(&bad, PGENC_FORMAT_RAW, &buf, &len) ==
			  -EINVAL,
		  "write bad shape");
	TAP_CHECK(!buf && !len, "outputs written on failure");
	TAP_CHECK(pgenc_parse(NULL, 1, PGENC_FORMAT_AUTO, 0, &c, NULL) ==
			  -EINVAL,
		  "parse NULL data");
	TAP_CHECK(pgenc_parse("x", 1, (enum pgenc_format)9, 0, &c, NULL) ==
			  -EINVAL,
		  "parse format 9");
	TAP_CHECK(pgenc_parse("x", 1, PGENC_FORMAT_AUTO, 0, NULL, NULL) ==
			  -EINVAL,
		  "parse NULL out");
	TAP_CHECK(pgenc_parse(NULL, 0, PGENC_FORMAT_AUTO, 0, &c, NULL) ==
			  -EBADMSG,
		  "parse empty");
	TAP_CHECK(!c, "out written on failure");

	full = fopen("/dev/full", "w");
	if (TAP_CHECK(full, "/dev/full")) {
		TAP_CHECK(pgenc_write(full, b, PGENC_FORMAT_JSON) == -ENOSPC,
			  "ENOSPC");
		fclose(full);
	}

	TAP_CHECK(!strcmp(pgenc_format_name(PGENC_FORMAT_RANGES), "ranges"),
		  "n");
	TAP_CHECK(!pgenc_format_name((enum pgenc_format)4), "name 4");
	TAP_CHECK(!pgenc_format_from_name("json", &f) && f == PGENC_FORMAT_JSON,
		  "json");
	TAP_CHECK(!pgenc_format_from_name("auto", &f) && f == PGENC_FORMAT_AUTO,
		  "auto");
	TAP_CHECK(pgenc_format_from_name("JSON", &f) == -EINVAL, "case");
	TAP_CHECK(pgenc_format_from_name(NULL, &f) == -EINVAL, "NULL");
	TAP_CHECK(pgenc_format_detect(NULL, 0) == PGENC_FORMAT_RANGES, "NULL");
	TAP_CHECK(pgenc_format_detect("PGENCBM", 7) == PGENC_FORMAT_RANGES,
		  "7 bytes of magic");
	TAP_CHECK(pgenc_format_detect("PGENCBM\0", 8) == PGENC_FORMAT_RAW,
		  "magic");
	TAP_CHECK(pgenc_format_detect(" \n\t\r{", 5) == PGENC_FORMAT_JSON, "{");
	TAP_CHECK(pgenc_format_detect(" \n\t\r", 4) == PGENC_FORMAT_RANGES,
		  "ws");
	pgenc_bitmap_free(b);
}

int main(void)
{
	tu_init();
	tap_run("formats: round trip, every size, memory and FILE",
		test_round_trip);
	tap_run("formats: round trip, 2^24 + 5 pages and the top gfn",
		test_round_trip_large);
	tap_run("formats: exact writer output", test_golden);
	tap_run("formats: accepted variants (comments, CRLF, key order, escapes)",
		test_accepted);
	tap_run("formats: max_pages limit", test_limit);
	tap_run("formats: invalid arguments, write errors, names, detection",
		test_api_errors);
	return tap_done();
}
