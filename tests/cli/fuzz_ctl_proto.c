// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the control protocol's parser and base64
 * (tools/pgenc/ctl_proto.c: jansson and OpenSSL, and our checks), the
 * code that reads what any local client of `pgenc run --ctl` sends.
 * Properties checked on every input:
 *   - ctl_parse() never reads past len, never leaks, and either fails
 *     with -EBADMSG, a message and a column inside [0, len + 1] (0: the
 *     problem is a member, named in the message), or succeeds with an
 *     object the protocol takes (flat, integers, keys of 1 to 64 bytes);
 *   - a parsed message written back (ctl_w_copy) parses to an equal
 *     object, and writing that again gives the same bytes;
 *   - base64: the strict decoder accepts exactly the canonical encodings
 *     (decode then encode gives the input back), and any bytes round-trip.
 * Built and run for a bounded time by tests/cli/vmm/run.sh:
 *   clang -fsanitize=fuzzer,address,undefined -I tools/pgenc \
 *	tests/cli/fuzz_ctl_proto.c tools/pgenc/ctl_proto.c \
 *	-ljansson -lcrypto
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl_proto.h"

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "property failed: %s (line %d)\n", #c, \
				__LINE__);                                     \
			abort();                                               \
		}                                                              \
	} while (0)

static void json(const uint8_t *data, size_t size)
{
	struct ctl_writer w, w2;
	struct ctl_msg m, m2;
	struct ctl_error e;
	const char *key;
	json_t *v;
	int r;

	r = ctl_parse((const char *)data, size, &m, &e);
	if (r) {
		CHECK(r == -EBADMSG || r == -ENOMEM);
		if (r == -EBADMSG)
			CHECK(e.column <= size + 1 && e.msg[0]);
		return;
	}
	CHECK(json_object_size(m.obj) <= CTL_MAX_FIELDS);
	ctl_w_init(&w);
	json_object_foreach(m.obj, key, v)
	{
		CHECK(key[0] && strlen(key) <= CTL_MAX_KEY);
		CHECK(json_is_string(v) || json_is_integer(v) ||
		      json_is_boolean(v) || json_is_null(v));
		ctl_w_copy(&w, &m, key);
	}
	CHECK(!ctl_w_finish(&w));
	CHECK(!ctl_parse(w.buf, w.len, &m2, NULL));
	CHECK(json_equal(m.obj, m2.obj));
	ctl_w_init(&w2);
	json_object_foreach(m2.obj, key, v) ctl_w_copy(&w2, &m2, key);
	CHECK(!ctl_w_finish(&w2));
	CHECK(w2.len == w.len && !memcmp(w.buf, w2.buf, w.len));
	ctl_w_free(&w2);
	ctl_msg_free(&m2);
	ctl_w_free(&w);
	ctl_msg_free(&m);
}

static void base64(const uint8_t *data, size_t size)
{
	uint8_t *dec = malloc(size / 4 * 3 + 1);
	char *enc = malloc(size / 3 * 4 + 8);
	size_t len;

	CHECK(dec && enc);
	if (!ctl_b64_decode((const char *)data, size, dec, &len)) {
		CHECK(len <= size / 4 * 3);
		ctl_b64_encode(dec, len, enc);
		CHECK(strlen(enc) == size && !memcmp(enc, data, size));
	}
	free(dec);
	free(enc);
	enc = malloc(ctl_b64_encoded_len(size) + 1);
	/* The decoder writes n / 4 * 3 bytes, padding included. */
	dec = malloc(ctl_b64_encoded_len(size) / 4 * 3 + 1);
	CHECK(enc && dec);
	ctl_b64_encode(data, size, enc);
	CHECK(strlen(enc) == ctl_b64_encoded_len(size));
	CHECK(!ctl_b64_decode(enc, strlen(enc), dec, &len) && len == size &&
	      !memcmp(dec, data, size));
	free(dec);
	free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json(data, size);
	base64(data, size);
	return 0;
}
