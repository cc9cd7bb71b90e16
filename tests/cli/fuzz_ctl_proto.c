// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the control protocol's parser and base64
 * (tools/pgenc/ctl_proto.c), the code that reads what any local client
 * of `pgenc run --ctl` sends. Properties checked on every input:
 *   - ctl_parse() never reads past len, never leaks, and either fails
 *     with -EBADMSG and a column inside [1, len + 1], or succeeds;
 *   - a parsed message written back (ctl_w_value) parses to the same
 *     members (keys, types, values), and writing that again gives the
 *     same bytes;
 *   - base64: the strict decoder accepts exactly the canonical encodings
 *     (decode then encode gives the input back), and any bytes round-trip.
 * Built and run for a bounded time by tests/cli/vmm/run.sh:
 *   clang -fsanitize=fuzzer,address,undefined -I tools/pgenc \
 *	tests/cli/fuzz_ctl_proto.c tools/pgenc/ctl_proto.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "property failed: %s (line %d)\n", #c, \
				__LINE__);                                     \
			abort();                                               \
		}                                                              \
	} while (0)

static int same_value(const struct ctl_value *a, const struct ctl_value *b)
{
	if (strcmp(a->key, b->key) || a->type != b->type)
		return 0;
	switch (a->type) {
	case CTL_T_STRING:
		return a->len == b->len && !memcmp(a->str, b->str, a->len);
	case CTL_T_INT:
		return a->neg == b->neg && a->u == b->u;
	case CTL_T_BOOL:
		return a->b == b->b;
	case CTL_T_NULL:
		return 1;
	}
	return 0;
}

static void json(const uint8_t *data, size_t size)
{
	struct ctl_writer w, w2;
	struct ctl_msg m, m2;
	struct ctl_error e;
	unsigned int i;
	int r;

	r = ctl_parse((const char *)data, size, &m, &e);
	if (r) {
		CHECK(r == -EBADMSG || r == -ENOMEM);
		if (r == -EBADMSG)
			CHECK(e.column >= 1 && e.column <= size + 1 &&
			      e.msg[0]);
		return;
	}
	CHECK(m.n <= CTL_MAX_FIELDS);
	ctl_w_init(&w);
	for (i = 0; i < m.n; i++) {
		CHECK(m.v[i].key[0] && strlen(m.v[i].key) <= CTL_MAX_KEY);
		if (m.v[i].type == CTL_T_STRING)
			CHECK(strlen(m.v[i].str) == m.v[i].len);
		ctl_w_value(&w, &m.v[i]);
	}
	CHECK(!ctl_w_finish(&w));
	CHECK(!ctl_parse(w.buf, w.len, &m2, NULL));
	CHECK(m2.n == m.n);
	for (i = 0; i < m.n; i++)
		CHECK(same_value(&m.v[i], &m2.v[i]));
	ctl_w_init(&w2);
	for (i = 0; i < m2.n; i++)
		ctl_w_value(&w2, &m2.v[i]);
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
	dec = malloc(size + 1);
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
