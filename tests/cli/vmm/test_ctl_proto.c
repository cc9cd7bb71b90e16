// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the control protocol's JSON subset, writer and base64
 * (tools/pgenc/ctl_proto.c), run on the host under ASan and UBSan by
 * tests/cli/vmm/run.sh. Prints TAP; exits 1 on a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl_proto.h"
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
		printf("#   %s: column %u: %s\n", s, e.column, e.msg);
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
		" {\"cmd\" : \"dump\", \"gpa\":18446744073709551615,\t\"neg\":-9223372036854775808,"
		"\"t\":true,\"f\":false,\"z\":null,\"s\":\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}\r\n";

	tap_ok(!ctl_parse(doc, sizeof(doc) - 1, &m, NULL),
	       "a full object parses");
	tap_ok(m.n == 7, "7 members");
	tap_ok(!ctl_get_str(&m, "cmd", &s, NULL) && !strcmp(s, "dump"),
	       "string member");
	tap_ok(!ctl_get_u64(&m, "gpa", &u) && u == UINT64_MAX, "2^64-1");
	tap_ok(ctl_get_u64(&m, "neg", &u) == -EINVAL &&
		       ctl_find(&m, "neg")->neg &&
		       ctl_find(&m, "neg")->u == 1ULL << 63,
	       "-2^63 is an integer, not a u64");
	tap_ok(!ctl_get_bool(&m, "t", &b) && b && !ctl_get_bool(&m, "f", &b) &&
		       !b,
	       "booleans");
	tap_ok(ctl_find(&m, "z")->type == CTL_T_NULL, "null");
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
	tap_ok(fails_at("", 1, "object") && fails_at("[]", 1, "object") &&
		       fails_at("{", 2, NULL) &&
		       fails_at("{\"a\"}", 5, "':'") &&
		       fails_at("{\"a\":}", 6, "invalid value") &&
		       fails_at("{\"a\":1,}", 8, "key") &&
		       fails_at("{\"a\":1} x", 9, "after the object") &&
		       fails_at("{\"a\":1}{}", 8, "after"),
	       "structure errors, with their columns");
	tap_ok(fails_at("{\"a\":{}}", 6, "nested objects") &&
		       fails_at("{\"a\":[1]}", 6, "nested arrays"),
	       "nesting is refused");
	tap_ok(fails_at("{\"a\":01}", 6, "leading zero") &&
		       fails_at("{\"a\":1.5}", 7, "integers") &&
		       fails_at("{\"a\":1e3}", 7, "integers") &&
		       fails_at("{\"a\":18446744073709551616}", 6, "64 bits") &&
		       fails_at("{\"a\":-9223372036854775809}", 6, "64 bits") &&
		       fails_at("{\"a\":-}", 7, "number") &&
		       fails_at("{\"a\":+1}", 6, "value"),
	       "number errors");
	tap_ok(fails_at("{\"a\":tru}", 6, NULL) &&
		       fails_at("{\"a\":nul}", 6, NULL) &&
		       fails_at("{\"a\":True}", 6, NULL),
	       "literal errors");
	tap_ok(fails_at("{\"a\":\"x}", 6, "unterminated") &&
		       fails_at("{\"a\":\"\x01\"}", 7, "control") &&
		       fails_at("{\"a\":\"\\x\"}", 7, "escape") &&
		       fails_at("{\"a\":\"\\u12\"}", 7, "\\u") &&
		       fails_at("{\"a\":\"\\u0000\"}", 7, "\\u0000") &&
		       fails_at("{\"a\":\"\\ud800\"}", 7, "surrogate") &&
		       fails_at("{\"a\":\"\\udc00\"}", 7, "surrogate") &&
		       fails_at("{\"a\":\"\\ud800\\u0041\"}", 7, "surrogate") &&
		       fails_at("{\"a\":\"\xc0\xaf\"}", 7, "UTF-8") &&
		       fails_at("{\"a\":\"\xed\xa0\x80\"}", 7, "UTF-8") &&
		       fails_at("{\"a\":\"\xf4\x90\x80\x80\"}", 7, "UTF-8") &&
		       fails_at("{\"a\":\"\xe2\x82\"}", 7, "UTF-8"),
	       "string errors: control bytes, escapes, surrogates, bad UTF-8");
	tap_ok(fails_at("{\"a\":1,\"a\":2}", 8, "duplicate") &&
		       fails_at("{\"\":1}", 2, "key length") &&
		       fails_at("{1:2}", 2, "key"),
	       "key errors");
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
		tap_ok(fails_at(big, 2, "key length"), "a key too long");
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

static void test_writer(void)
{
	const struct ctl_value *v;
	struct ctl_writer w;
	struct ctl_msg m;
	const char *s;
	uint64_t u;
	size_t len;

	ctl_w_init(&w);
	ctl_w_bool(&w, "ok", true);
	ctl_w_u64(&w, "big", UINT64_MAX);
	ctl_w_i64(&w, "min", INT64_MIN);
	ctl_w_str(&w, "esc", "q\"b\\n\n\x01\x7f\xc3\xa9");
	ctl_w_strn(&w, "bad", "a\xff\xc3z\0y", 6);
	ctl_w_null(&w, "nothing");
	ctl_w_base64(&w, "data", "hello", 5);
	tap_ok(!ctl_w_finish(&w), "writer finishes");
	tap_ok(w.len && w.buf[w.len - 1] == '\n' &&
		       !memchr(w.buf, '\n', w.len - 1),
	       "one line ending with \\n");
	s = "{\"ok\":true,\"big\":18446744073709551615,\"min\":-9223372036854775808,";
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
	tap_ok(!ctl_get_u64(&m, "big", &u) && u == UINT64_MAX,
	       "u64 round-trips");
	v = ctl_find(&m, "min");
	tap_ok(v && v->neg && v->u == 1ULL << 63, "i64 round-trips");

	/* ctl_w_value copies members of a parsed message. */
	{
		struct ctl_writer w2;
		struct ctl_msg m2;
		unsigned int i;

		ctl_w_init(&w2);
		for (i = 0; i < m.n; i++)
			ctl_w_value(&w2, &m.v[i]);
		if (!ctl_w_finish(&w2) &&
		    !ctl_parse(w2.buf, w2.len, &m2, NULL)) {
			struct ctl_writer w3;

			tap_ok(m2.n == m.n, "ctl_w_value copies every member");
			/* Writing what was read is a fixed point. */
			ctl_w_init(&w3);
			for (i = 0; i < m2.n; i++)
				ctl_w_value(&w3, &m2.v[i]);
			tap_ok(!ctl_w_finish(&w3) && !strcmp(w2.buf, w3.buf),
			       "write(parse(write(x))) is write(x) again");
			ctl_w_free(&w3);
			ctl_msg_free(&m2);
		} else {
			tap_ok(0, "ctl_w_value copies every member");
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
	test_parse();
	test_writer();
	test_base64();
	test_reader();
	return tap_done();
}
