// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the control protocol's JSON subset, writer and base64
 * (tools/pgenc/ctl_proto.c: jansson and OpenSSL underneath, the subset's
 * checks ours), run on the host under ASan and UBSan by
 * tests/cli/vmm/run.sh. Prints TAP; exits 1 on a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl_proto.h"
#include "../lib/utf8.h" /* tools/lib/utf8.h, through -I tools/pgenc */
#include "../../tap.h"

/* Parses, or fails with the error at column col (0: don't check). */
static int parses(const char *s)
{
	struct ctl_msg m;
	int r = ctl_parse(s, strlen(s), &m, NULL);

	if (!r)
		ctl_msg_free(&m);
	return !r;
}

static int fails_at(const char *s, unsigned int col, const char *msg)
{
	struct ctl_error e;
	struct ctl_msg m;
	int r = ctl_parse(s, strlen(s), &m, &e);

	if (!r) {
		ctl_msg_free(&m);
		return 0;
	}
	if (r != -EBADMSG || (col && e.column != col) ||
	    (msg && !strstr(e.msg, msg))) {
		printf("#   %.80s: column %u: %s\n", s, e.column, e.msg);
		return 0;
	}
	return 1;
}

static void test_parse(void)
{
	struct ctl_msg m;
	const char *s;
	uint64_t u;
	size_t len;
	bool b;
	static const char doc[] =
		" {\"cmd\" : \"dump\", \"gpa\":9223372036854775807,\t\"neg\":-9223372036854775808,"
		"\"t\":true,\"f\":false,\"z\":null,\"s\":\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}\r\n";

	tap_ok(!ctl_parse(doc, sizeof(doc) - 1, &m, NULL),
	       "a full object parses");
	tap_ok(json_object_size(m.obj) == 7, "7 members");
	tap_ok(!ctl_get_str(&m, "cmd", &s, NULL) && !strcmp(s, "dump"),
	       "string member");
	tap_ok(!ctl_get_u64(&m, "gpa", &u) && u == INT64_MAX, "2^63-1");
	tap_ok(ctl_get_u64(&m, "neg", &u) == -EINVAL &&
		       ctl_type_of(&m, "neg") == CTL_T_INT,
	       "-2^63 is an integer, not a u64");
	tap_ok(!ctl_get_bool(&m, "t", &b) && b && !ctl_get_bool(&m, "f", &b) &&
		       !b,
	       "booleans");
	tap_ok(ctl_type_of(&m, "z") == CTL_T_NULL &&
		       ctl_type_of(&m, "nope") == CTL_T_NONE,
	       "null, and an absent member");
	tap_ok(!ctl_get_str(&m, "s", &s, &len) &&
		       len == strlen("a\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80") &&
		       !strcmp(s, "a\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80"),
	       "escapes, \\u and a surrogate pair decode to UTF-8");
	tap_ok(ctl_get_str(&m, "gpa", &s, NULL) == -EINVAL &&
		       ctl_get_u64(&m, "nope", &u) == -ENOENT,
	       "wrong type -EINVAL, absent -ENOENT");
	{
		static const char *const allowed[] = { "cmd", "gpa", "neg", "t",
						       "f",   "z",   NULL };

		tap_ok(!strcmp(ctl_unknown_key(&m, allowed), "s"),
		       "ctl_unknown_key names the first unknown key");
	}
	ctl_msg_free(&m);

	tap_ok(parses("{}") && parses(" { } ") && parses("{\"a\":0}") &&
		       parses("{\"a\":-0}") &&
		       parses("{\"\xf4\x8f\xbf\xbf\":1}"),
	       "small valid objects");
	/*
	 * Bad messages, in groups: syntax errors carry jansson's message and
	 * the byte where it stopped (col; 0: not checked), the subset's own
	 * refusals name the member. A line a group.
	 */
	static const struct {
		unsigned int group, col;
		const char *in, *msg;
	} bad[] = {
		/* clang-format off */
		{ 0, 1, "", "expected" }, { 0, 1, "[]", "object" }, { 0, 1, "{", NULL }, { 0, 5, "{\"a\"}", "':'" }, { 0, 6, "{\"a\":}", "unexpected" }, { 0, 8, "{\"a\":1,}", "string" }, { 0, 9, "{\"a\":1} x", "end of file expected" }, { 0, 8, "{\"a\":1}{}", "end of file expected" },
		{ 1, 0, "{\"a\":{}}", "\"a\": nested objects" }, { 1, 0, "{\"a\":[1]}", "\"a\": nested arrays" },
		{ 2, 6, "{\"a\":01}", "invalid token" }, { 2, 0, "{\"a\":1.5}", "integers" }, { 2, 0, "{\"a\":1e3}", "integers" }, { 2, 0, "{\"a\":9223372036854775808}", "-2^63 .. 2^63-1" }, { 2, 0, "{\"a\":-9223372036854775809}", "-2^63 .. 2^63-1" }, { 2, 6, "{\"a\":-}", "invalid token" }, { 2, 6, "{\"a\":+1}", "invalid token" },
		{ 3, 0, "{\"a\":tru}", NULL }, { 3, 0, "{\"a\":nul}", NULL }, { 3, 0, "{\"a\":True}", NULL },
		{ 4, 0, "{\"a\":\"x}", "premature end" }, { 4, 0, "{\"a\":\"\x01\"}", "control" }, { 4, 0, "{\"a\":\"\\x\"}", "escape" }, { 4, 0, "{\"a\":\"\\u12\"}", "escape" }, { 4, 0, "{\"a\":\"\\u0000\"}", "\\u0000 is not allowed in a string" }, { 4, 0, "{\"a\":\"\\ud800\"}", "Unicode" }, { 4, 0, "{\"a\":\"\\udc00\"}", "Unicode" }, { 4, 0, "{\"a\":\"\\ud800\\u0041\"}", "Unicode" }, { 4, 0, "{\"a\":\"\xc0\xaf\"}", "invalid UTF-8" }, { 4, 0, "{\"a\":\"\xed\xa0\x80\"}", "invalid UTF-8" }, { 4, 0, "{\"a\":\"\xf4\x90\x80\x80\"}", "invalid UTF-8" }, { 4, 0, "{\"a\":\"\xe2\x82\"}", "invalid UTF-8" },
		{ 5, 0, "{\"a\":1,\"a\":2}", "duplicate" }, { 5, 0, "{\"\":1}", "key length" }, { 5, 0, "{1:2}", "string" },
		/* clang-format on */
	};
	static const char *const groups[] = {
		"structure errors, with their columns",
		"nesting is refused, naming the member",
		"number errors",
		"literal errors",
		"string errors: control bytes, escapes, surrogates, bad UTF-8",
		"key errors",
	};
	unsigned int g;
	size_t k;

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		int all = 1;

		for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
			if (bad[k].group == g)
				all &= fails_at(bad[k].in, bad[k].col,
						bad[k].msg);
		tap_ok(all, groups[g]);
	}
	{
		char big[2048];
		size_t p = 0;
		int i;

		p += (size_t)sprintf(big + p, "{");
		for (i = 0; i < CTL_MAX_FIELDS + 1; i++)
			p += (size_t)sprintf(big + p, "%s\"k%d\":%d",
					     i ? "," : "", i, i);
		sprintf(big + p, "}");
		tap_ok(fails_at(big, 0, "members"), "too many members");
		memset(big, 'k', sizeof(big));
		big[0] = '{';
		big[1] = '"';
		memcpy(big + 2 + CTL_MAX_KEY + 1, "\":1}", 5);
		tap_ok(fails_at(big, 0, "key length"), "a key too long");
	}
	{
		/* No NUL terminator needed: len bounds every read. */
		char *p = malloc(8);

		memcpy(p, "{\"a\":12", 7);
		tap_ok(fails_at("{\"a\":12", 0, NULL) &&
			       ctl_parse(p, 7, &m, NULL),
		       "a truncated buffer is refused without reading past it");
		free(p);
	}
}

/* What jansson allocated: its allocator counts (json_set_alloc_funcs). */
static size_t jansson_bytes;

static void *counting_malloc(size_t n)
{
	jansson_bytes += n;
	return malloc(n);
}

/*
 * A line of up to CTL_MAX_LINE bytes the protocol refuses is refused
 * before jansson builds a tree of it: a large array, many members, deep
 * nesting (each 8 MiB here) cost jansson nothing.
 */
static void test_parse_bounded(void)
{
	static const struct {
		const char *head, *rep, *tail, *msg;
	} big[] = {
		{ "{\"cmd\":[", "0,", "0]}", "\"cmd\": nested arrays" },
		{ "[", "0,", "0]", "object" },
		{ "{", "\"k\\\"[{\":0,", "\"z\":0}", "too many members" },
		{ "{\"a\":", "{\"a\":", "1}", "\"a\": nested objects" },
	};
	const size_t size = 8U << 20;
	char *p = malloc(size + 16), name[80];
	size_t k, n;

	for (k = 0; p && k < sizeof(big) / sizeof(big[0]); k++) {
		n = (size_t)sprintf(p, "%s", big[k].head);
		while (n + strlen(big[k].rep) < size)
			n += (size_t)sprintf(p + n, "%s", big[k].rep);
		n += (size_t)sprintf(p + n, "%s", big[k].tail);
		jansson_bytes = 0;
		snprintf(name, sizeof(name),
			 "8 MiB refused before jansson builds it: %s...",
			 big[k].head);
		tap_ok(fails_at(p, 0, big[k].msg) && jansson_bytes < 4096,
		       name);
		if (jansson_bytes >= 4096)
			printf("#   jansson allocated %zu bytes\n",
			       jansson_bytes);
	}
	free(p);
}

/* The one UTF-8 checker (libpgenc's JSON parser and the CLI use it). */
static void test_utf8(void)
{
	static const struct {
		const char *s;
		size_t avail, want;
	} t[] = {
		{ "a", 1, 1 },
		{ "", 1, 1 },
		{ "\xc2\x80", 2, 2 },
		{ "\xdf\xbf", 2, 2 },
		{ "\xe0\xa0\x80", 3, 3 },
		{ "\xef\xbf\xbf", 3, 3 },
		{ "\xf0\x90\x80\x80", 4, 4 },
		{ "\xf4\x8f\xbf\xbf", 4, 4 },
		{ "\xc0\xaf", 2, 0 },
		{ "\xc1\xbf", 2, 0 },
		{ "\xe0\x9f\xbf", 3, 0 },
		{ "\xed\xa0\x80", 3, 0 },
		{ "\xf0\x8f\xbf\xbf", 4, 0 },
		{ "\xf4\x90\x80\x80", 4, 0 },
		{ "\xf5\x80\x80\x80", 4, 0 },
		{ "\x80", 1, 0 },
		{ "\xe2\x82\xac", 2, 0 },
		{ "\xe2\x28\xac", 3, 0 },
		{ "a", 0, 0 },
	};
	size_t k, got;
	int all = 1;

	for (k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		got = pgenc_utf8_len(t[k].s, t[k].avail);
		if (got != t[k].want) {
			printf("#   case %zu: %zu, expected %zu\n", k, got,
			       t[k].want);
			all = 0;
		}
	}
	tap_ok(all,
	       "pgenc_utf8_len: the bounds of each length, overlong forms, surrogates, past U+10FFFF, truncated");
}

static void test_writer(void)
{
	struct ctl_writer w;
	struct ctl_msg m;
	const char *s;
	uint64_t u;
	size_t len;

	ctl_w_init(&w);
	ctl_w_u64(&w, "huge", (uint64_t)INT64_MAX + 1);
	tap_ok(ctl_w_finish(&w) == -ERANGE,
	       "a u64 past 2^63-1 fails the message (-ERANGE)");
	ctl_w_free(&w);

	ctl_w_init(&w);
	ctl_w_bool(&w, "ok", true);
	ctl_w_u64(&w, "big", INT64_MAX);
	ctl_w_i64(&w, "min", INT64_MIN);
	ctl_w_str(&w, "esc", "q\"b\\n\n\x01\x7f\xc3\xa9");
	ctl_w_strn(&w, "bad", "a\xff\xc3z\0y", 6);
	ctl_w_null(&w, "nothing");
	ctl_w_base64(&w, "data", "hello", 5);
	tap_ok(!ctl_w_finish(&w), "writer finishes");
	tap_ok(w.len && w.buf[w.len - 1] == '\n' &&
		       !memchr(w.buf, '\n', w.len - 1),
	       "one line ending with \\n");
	s = "{\"ok\":true,\"big\":9223372036854775807,\"min\":-9223372036854775808,";
	tap_ok(!strncmp(w.buf, s, strlen(s)), "integers written exactly");
	tap_ok(!ctl_parse(w.buf, w.len, &m, NULL), "the output parses");
	tap_ok(!ctl_get_str(&m, "esc", &s, NULL) &&
		       !strcmp(s, "q\"b\\n\n\x01\x7f\xc3\xa9"),
	       "escaped string round-trips");
	tap_ok(!ctl_get_str(&m, "bad", &s, &len) &&
		       !strcmp(s, "a\xef\xbf\xbd\xef\xbf\xbdz\xef\xbf\xbdy"),
	       "invalid UTF-8 and NUL become U+FFFD");
	tap_ok(!ctl_get_str(&m, "data", &s, NULL) && !strcmp(s, "aGVsbG8="),
	       "base64 member");
	tap_ok(!ctl_get_u64(&m, "big", &u) && u == INT64_MAX,
	       "u64 round-trips");
	tap_ok(json_integer_value(json_object_get(m.obj, "min")) == INT64_MIN,
	       "i64 round-trips");

	/* ctl_w_copy copies members of a parsed message. */
	{
		struct ctl_writer w2;
		struct ctl_msg m2;
		const char *key;
		json_t *v;

		ctl_w_init(&w2);
		json_object_foreach(m.obj, key, v) ctl_w_copy(&w2, &m, key);
		ctl_w_copy(&w2, &m, "absent");
		if (!ctl_w_finish(&w2) &&
		    !ctl_parse(w2.buf, w2.len, &m2, NULL)) {
			struct ctl_writer w3;

			tap_ok(json_equal(m2.obj, m.obj),
			       "ctl_w_copy copies every member, and only those");
			/* Writing what was read is a fixed point. */
			ctl_w_init(&w3);
			json_object_foreach(m2.obj, key, v)
				ctl_w_copy(&w3, &m2, key);
			tap_ok(!ctl_w_finish(&w3) && !strcmp(w2.buf, w3.buf),
			       "write(parse(write(x))) is write(x) again");
			ctl_w_free(&w3);
			ctl_msg_free(&m2);
		} else {
			tap_ok(0,
			       "ctl_w_copy copies every member, and only those");
		}
		ctl_w_free(&w2);
	}
	ctl_msg_free(&m);
	ctl_w_free(&w);
}

static void test_base64(void)
{
	static const struct {
		const char *plain, *enc;
	} v[] = {
		{ "", "" },
		{ "f", "Zg==" },
		{ "fo", "Zm8=" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	static const char *const bad[] = { "Zg=",  "Zg=a",    "Z===", "====",
					   "Zh==", "Zm9=",    "Zm 9", "Zm9v\n",
					   "=Zm9", "Zg==Zg==" };
	unsigned char buf[256], out[512];
	char enc[512];
	size_t i, len;
	int good = 1;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ctl_b64_encode(v[i].plain, strlen(v[i].plain), enc);
		good &= !strcmp(enc, v[i].enc);
		good &= !ctl_b64_decode(v[i].enc, strlen(v[i].enc), out,
					&len) &&
			len == strlen(v[i].plain) &&
			!memcmp(out, v[i].plain, len);
	}
	tap_ok(good, "RFC 4648 test vectors both ways");
	good = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		good &= ctl_b64_decode(bad[i], strlen(bad[i]), out, &len) ==
			-EBADMSG;
	tap_ok(good,
	       "malformed base64 is refused (padding, alphabet, unused bits)");
	good = 1;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 37 + 11);
	for (i = 0; i <= sizeof(buf); i++) {
		ctl_b64_encode(buf, i, enc);
		good &= strlen(enc) == ctl_b64_encoded_len(i);
		good &= !ctl_b64_decode(enc, strlen(enc), out, &len) &&
			len == i && !memcmp(out, buf, i);
	}
	tap_ok(good, "every length 0..256 round-trips");
}

static void test_reader(void)
{
	struct ctl_reader r = { 0 };
	char *line, *big;
	size_t len;
	int sv[2], a, b, c, d;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		tap_ok(0, "socketpair");
		return;
	}
	ctl_write_all(sv[0], "one\ntwo\n\nthree", 14);
	shutdown(sv[0], SHUT_WR);
	a = ctl_read_line(sv[1], &r, &line, &len) == 1 && !strcmp(line, "one");
	b = ctl_read_line(sv[1], &r, &line, &len) == 1 && !strcmp(line, "two");
	c = ctl_read_line(sv[1], &r, &line, &len) == 1 && len == 0;
	d = ctl_read_line(sv[1], &r, &line, &len) == -EPROTO;
	tap_ok(a && b && c && d,
	       "lines, an empty line, a partial last line is -EPROTO");
	ctl_reader_free(&r);
	close(sv[0]);
	close(sv[1]);

	/* A line longer than CTL_MAX_LINE is -E2BIG, from a writer thread. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		tap_ok(0, "socketpair");
		return;
	}
	big = malloc(CTL_MAX_LINE + 16);
	if (!big || !fork()) {
		if (big) {
			memset(big, 'x', CTL_MAX_LINE + 16);
			close(sv[1]);
			ctl_write_all(sv[0], big, CTL_MAX_LINE + 16);
		}
		_exit(0);
	}
	close(sv[0]);
	tap_ok(ctl_read_line(sv[1], &r, &line, &len) == -E2BIG,
	       "a line past CTL_MAX_LINE is -E2BIG");
	ctl_reader_free(&r);
	close(sv[1]);
	free(big);
}

int main(void)
{
	json_set_alloc_funcs(counting_malloc, free);
	test_parse();
	test_parse_bounded();
	test_utf8();
	test_writer();
	test_base64();
	test_reader();
	return tap_done();
}
