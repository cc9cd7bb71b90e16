// SPDX-License-Identifier: GPL-2.0
/*
 * The pgenc control protocol (ctl_proto.h): its flat JSON objects read
 * and written with jansson, base64 with OpenSSL, and the client's socket
 * I/O.
 *
 * The parser reads untrusted bytes (any local client of the socket, and
 * the fuzzer): a linear pre-scan refuses arrays, nesting and too many
 * members before jansson allocates anything, jansson parses the rest
 * strictly (no duplicate keys, no U+0000, valid UTF-8), then ctl_parse()
 * refuses what the protocol does not take, naming the member.
 */
#define _GNU_SOURCE
#include "ctl_proto.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "../lib/utf8.h"

/*
 * Parser
 * ======
 */
static int perr(struct ctl_error *err, unsigned int column, const char *key,
		const char *msg)
{
	if (err) {
		err->column = column;
		if (key)
			snprintf(err->msg, sizeof(err->msg), "\"%.*s\": %s",
				 CTL_MAX_KEY, key, msg);
		else
			snprintf(err->msg, sizeof(err->msg), "%s", msg);
	}
	return -EBADMSG;
}

/* The protocol's limits on a message jansson parsed. */
static int check(json_t *obj, struct ctl_error *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return perr(err, 1, NULL, "a JSON object ('{') expected");
	if (json_object_size(obj) > CTL_MAX_FIELDS)
		return perr(err, 0, NULL, "too many members");
	json_object_foreach(obj, key, v)
	{
		size_t n = strlen(key);

		if (!n || n > CTL_MAX_KEY)
			return perr(err, 0, NULL,
				    "a key of 1 to 64 bytes expected (key length)");
		switch (json_typeof(v)) {
		case JSON_OBJECT:
			return perr(err, 0, key,
				    "nested objects are not supported");
		case JSON_ARRAY:
			return perr(err, 0, key,
				    "nested arrays are not supported");
		case JSON_REAL:
			return perr(err, 0, key, "only integers are allowed");
		default:
			break;
		}
	}
	return 0;
}

/*
 * Before jansson: one linear pass over the line that refuses what would
 * make jansson build a large tree the protocol refuses anyway (a line
 * is up to CTL_MAX_LINE bytes): anything but an object, an array or a
 * nested object anywhere, more than CTL_MAX_FIELDS members. Strings
 * (with their escapes) are skipped; what follows the object, and syntax
 * errors, are left to jansson, which then parses a bounded object.
 */
static int prescan(const char *text, size_t len, struct ctl_error *err)
{
	const char *key = NULL, *str = NULL;
	char name[CTL_MAX_KEY + 1];
	size_t i = 0, klen = 0, slen = 0;
	unsigned int members = 0;

	while (i < len && strchr(" \t\r\n", text[i]) && text[i])
		i++;
	if (i == len || text[i] != '{')
		return perr(err, (unsigned int)i + 1, NULL,
			    "a JSON object ('{') expected");
	for (i++; i < len; i++) {
		switch (text[i]) {
		case '"':
			str = text + ++i;
			while (i < len && text[i] != '"')
				i += text[i] == '\\' ? 2 : 1;
			slen = (size_t)(text + (i < len ? i : len) - str);
			break;
		case ':':
			key = str;
			klen = slen;
			if (++members > CTL_MAX_FIELDS)
				return perr(err, 0, NULL, "too many members");
			break;
		case '{':
		case '[':
			if (!key)
				return perr(err, (unsigned int)i + 1, NULL,
					    "a string (a key) expected");
			snprintf(name, sizeof(name), "%.*s",
				 (int)(klen < CTL_MAX_KEY ? klen : CTL_MAX_KEY),
				 key);
			return perr(err, 0, name,
				    text[i] == '{' ?
					    "nested objects are not supported" :
					    "nested arrays are not supported");
		case '}':
			return 0;
		default:
			break;
		}
	}
	return 0;
}

/*
 * jansson's message, in the protocol's words where jansson's name its
 * own flags or limits ("... without JSON_ALLOW_NUL").
 */
static const char *jansson_msg(const json_error_t *je)
{
	switch (json_error_code(je)) {
	case json_error_null_character:
		return "\\u0000 is not allowed in a string";
	case json_error_numeric_overflow:
		return "an integer outside -2^63 .. 2^63-1";
	case json_error_invalid_utf8:
		return "invalid UTF-8";
	default:
		return je->text;
	}
}

int ctl_parse(const char *text, size_t len, struct ctl_msg *m,
	      struct ctl_error *err)
{
	json_error_t je;
	json_t *obj;
	int r;

	m->obj = NULL;
	r = prescan(text, len, err);
	if (r)
		return r;
	obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!obj) {
		if (json_error_code(&je) == json_error_out_of_memory)
			return -ENOMEM;
		return perr(err,
			    je.position > 1 ? (unsigned int)je.position : 1,
			    NULL, jansson_msg(&je));
	}
	r = check(obj, err);
	if (r) {
		json_decref(obj);
		return r;
	}
	m->obj = obj;
	return 0;
}

void ctl_msg_free(struct ctl_msg *m)
{
	json_decref(m->obj);
	m->obj = NULL;
}

enum ctl_type ctl_type_of(const struct ctl_msg *m, const char *key)
{
	json_t *v = json_object_get(m->obj, key);

	switch (v ? json_typeof(v) : JSON_OBJECT) {
	case JSON_STRING:
		return CTL_T_STRING;
	case JSON_INTEGER:
		return CTL_T_INT;
	case JSON_TRUE:
	case JSON_FALSE:
		return CTL_T_BOOL;
	case JSON_NULL:
		return CTL_T_NULL;
	default:
		return CTL_T_NONE;
	}
}

int ctl_get_str(const struct ctl_msg *m, const char *key, const char **out,
		size_t *len)
{
	json_t *v = json_object_get(m->obj, key);

	if (!v)
		return -ENOENT;
	if (!json_is_string(v))
		return -EINVAL;
	*out = json_string_value(v);
	if (len)
		*len = json_string_length(v);
	return 0;
}

int ctl_get_u64(const struct ctl_msg *m, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(m->obj, key);

	if (!v)
		return -ENOENT;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -EINVAL;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

int ctl_get_bool(const struct ctl_msg *m, const char *key, bool *out)
{
	json_t *v = json_object_get(m->obj, key);

	if (!v)
		return -ENOENT;
	if (!json_is_boolean(v))
		return -EINVAL;
	*out = json_is_true(v);
	return 0;
}

const char *ctl_unknown_key(const struct ctl_msg *m, const char *const *allowed)
{
	const char *key;
	json_t *v;
	size_t j;

	json_object_foreach(m->obj, key, v)
	{
		for (j = 0; allowed[j]; j++)
			if (!strcmp(key, allowed[j]))
				break;
		if (!allowed[j])
			return key;
	}
	return NULL;
}

/*
 * Writer
 * ======
 */
void ctl_w_init(struct ctl_writer *w)
{
	memset(w, 0, sizeof(*w));
	w->obj = json_object();
	if (!w->obj)
		w->err = -ENOMEM;
}

/* Set key to v (a new reference, NULL when it could not be made). */
static void w_set(struct ctl_writer *w, const char *key, json_t *v)
{
	if (w->err) {
		json_decref(v);
		return;
	}
	if (!v || json_object_set_new(w->obj, key, v))
		w->err = -ENOMEM;
}

void ctl_w_strn(struct ctl_writer *w, const char *key, const char *s,
		size_t len)
{
	char *buf = malloc(len * 3 + 1); /* U+FFFD: 3 bytes for each byte */
	size_t i = 0, n = 0, l;

	if (!buf) {
		w_set(w, key, NULL);
		return;
	}
	while (i < len) {
		l = s[i] ? pgenc_utf8_len(s + i, len - i) : 0;
		if (l) {
			memcpy(buf + n, s + i, l);
			n += l;
			i += l;
		} else {
			memcpy(buf + n, "\xef\xbf\xbd", 3);
			n += 3;
			i++;
		}
	}
	w_set(w, key, json_stringn_nocheck(buf, n));
	free(buf);
}

void ctl_w_str(struct ctl_writer *w, const char *key, const char *s)
{
	ctl_w_strn(w, key, s, strlen(s));
}

void ctl_w_u64(struct ctl_writer *w, const char *key, uint64_t v)
{
	if (v > INT64_MAX) {
		if (!w->err)
			w->err = -ERANGE;
		return;
	}
	w_set(w, key, json_integer((json_int_t)v));
}

void ctl_w_i64(struct ctl_writer *w, const char *key, int64_t v)
{
	w_set(w, key, json_integer(v));
}

void ctl_w_bool(struct ctl_writer *w, const char *key, bool v)
{
	w_set(w, key, json_boolean(v));
}

void ctl_w_null(struct ctl_writer *w, const char *key)
{
	w_set(w, key, json_null());
}

void ctl_w_copy(struct ctl_writer *w, const struct ctl_msg *m, const char *key)
{
	json_t *v = json_object_get(m->obj, key);

	if (v)
		w_set(w, key, json_incref(v));
}

void ctl_w_base64(struct ctl_writer *w, const char *key, const void *data,
		  size_t len)
{
	char *b64 = malloc(ctl_b64_encoded_len(len) + 1);

	if (!b64 || len > INT_MAX / 4 * 3) {
		free(b64);
		w_set(w, key, NULL);
		return;
	}
	ctl_b64_encode(data, len, b64);
	w_set(w, key, json_stringn_nocheck(b64, ctl_b64_encoded_len(len)));
	free(b64);
}

int ctl_w_finish(struct ctl_writer *w)
{
	size_t n;
	char *s;

	if (w->err)
		return w->err;
	s = json_dumps(w->obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	n = s ? strlen(s) : 0;
	free(w->buf);
	w->buf = s ? realloc(s, n + 2) : NULL;
	if (!w->buf) {
		free(s);
		w->err = -ENOMEM;
		return w->err;
	}
	memcpy(w->buf + n, "\n", 2);
	w->len = n + 1;
	return 0;
}

void ctl_w_free(struct ctl_writer *w)
{
	json_decref(w->obj);
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

/*
 * Base64
 * ======
 */
size_t ctl_b64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

void ctl_b64_encode(const void *in, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

int ctl_b64_decode(const char *in, size_t n, void *out, size_t *out_len)
{
	size_t pad = 0, len;
	char *again;
	int r;

	if (n % 4 || n > INT_MAX)
		return -EBADMSG;
	if (!n) {
		*out_len = 0;
		return 0;
	}
	r = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	if (r < 0 || (size_t)r != n / 4 * 3)
		return -EBADMSG;
	while (pad < 2 && in[n - 1 - pad] == '=')
		pad++;
	len = (size_t)r - pad;
	/* Only the canonical encoding: encoding the bytes gives in back. */
	again = malloc(n + 1);
	if (!again)
		return -EBADMSG;
	ctl_b64_encode(out, len, again);
	r = memcmp(again, in, n);
	free(again);
	if (r)
		return -EBADMSG;
	*out_len = len;
	return 0;
}

/*
 * Client I/O
 * ==========
 */
int ctl_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, e;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int ctl_read_line(int fd, struct ctl_reader *r, char **line, size_t *len)
{
	size_t scan = 0;
	char *nl;
	ssize_t got;

	if (r->consumed) {
		memmove(r->buf, r->buf + r->consumed, r->len - r->consumed);
		r->len -= r->consumed;
		r->consumed = 0;
	}
	for (;;) {
		nl = r->len ? memchr(r->buf + scan, '\n', r->len - scan) : NULL;
		if (nl) {
			*nl = '\0';
			*line = r->buf;
			*len = (size_t)(nl - r->buf);
			r->consumed = *len + 1;
			return 1;
		}
		scan = r->len;
		if (r->len >= CTL_MAX_LINE)
			return -E2BIG;
		if (r->cap - r->len < 65536 + 1) {
			size_t cap = r->cap ? r->cap * 2 : 131072;
			char *p;

			if (cap > CTL_MAX_LINE + 65536 + 1)
				cap = CTL_MAX_LINE + 65536 + 1;
			p = realloc(r->buf, cap);
			if (!p)
				return -ENOMEM;
			r->buf = p;
			r->cap = cap;
		}
		got = read(fd, r->buf + r->len, r->cap - r->len - 1);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (got == 0)
			return r->len ? -EPROTO : 0;
		r->len += (size_t)got;
	}
}

void ctl_reader_free(struct ctl_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

int ctl_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOTSOCK) {
				n = write(fd, p, len);
				if (n < 0 && errno == EINTR)
					continue;
				if (n < 0)
					return -errno;
			} else {
				return -errno;
			}
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int ctl_call(int fd, struct ctl_reader *r, const char *req, size_t reqlen,
	     struct ctl_msg *resp, char **raw)
{
	size_t len;
	char *line;
	int ret;

	ret = ctl_write_all(fd, req, reqlen);
	if (ret)
		return ret;
	ret = ctl_read_line(fd, r, &line, &len);
	if (ret < 0)
		return ret;
	if (ret == 0)
		return -EPROTO;
	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (ctl_parse(line, len, resp, NULL))
		return -EPROTO;
	if (ctl_type_of(resp, "ok") != CTL_T_BOOL) {
		ctl_msg_free(resp);
		return -EPROTO;
	}
	if (raw) {
		*raw = strndup(line, len);
		if (!*raw) {
			ctl_msg_free(resp);
			return -ENOMEM;
		}
	}
	return 0;
}

bool ctl_resp_ok(const struct ctl_msg *resp, const char **msg, int *err)
{
	uint64_t e = EPROTO;
	const char *s = "no error message in the response";
	bool ok = false;

	if (!ctl_get_bool(resp, "ok", &ok) && ok)
		return true;
	ctl_get_str(resp, "error", &s, NULL);
	if (ctl_get_u64(resp, "errno", &e) || !e || e > 4095)
		e = EPROTO;
	if (msg)
		*msg = s;
	if (err)
		*err = (int)e;
	return false;
}
