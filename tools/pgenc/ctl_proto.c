// SPDX-License-Identifier: GPL-2.0
/*
 * The pgenc control protocol: a strict parser and a writer for the flat
 * JSON objects of ctl_proto.h, base64, and the client's socket I/O.
 *
 * The parser reads untrusted bytes (any local client of the socket, and
 * the fuzzer): it never reads past len, bounds every count, and reports
 * the first problem with its column.
 */
#define _GNU_SOURCE
#include "ctl_proto.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * Parser
 * ======
 */
struct parser {
	const unsigned char *p;
	size_t len;
	size_t pos;
	struct ctl_error *err;
	bool failed;
};

static int perr(struct parser *ps, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct parser *ps, size_t at, const char *fmt, ...)
{
	va_list ap;

	if (ps->failed)
		return -EBADMSG;
	ps->failed = true;
	if (ps->err) {
		ps->err->column = at + 1 > UINT32_MAX ? UINT32_MAX :
							(unsigned int)(at + 1);
		va_start(ap, fmt);
		vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

static void skip_ws(struct parser *ps)
{
	while (ps->pos < ps->len) {
		unsigned char c = ps->p[ps->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		ps->pos++;
	}
}

static int peek(struct parser *ps)
{
	return ps->pos < ps->len ? ps->p[ps->pos] : -1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at pos: the value, or -1. */
static long hex4(struct parser *ps, size_t pos)
{
	long v = 0;
	int i, h;

	if (ps->len - pos < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		h = hexval(ps->p[pos + i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/*
 * The length of the valid UTF-8 sequence at s (n bytes available), or 0
 * (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return need;
}

static size_t utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * A string at pos (its opening quote). Two passes: validate and measure,
 * then decode into a new buffer (decoded text is never longer).
 */
static int parse_string(struct parser *ps, char **out, size_t *out_len)
{
	size_t start = ++ps->pos, pos = start, n = 0;
	char *buf;

	for (;;) {
		unsigned char c;
		size_t l;

		if (pos >= ps->len)
			return perr(ps, start - 1, "unterminated string");
		c = ps->p[pos];
		if (c == '"')
			break;
		if (c < 0x20)
			return perr(ps, pos,
				    "control character 0x%02x in a string", c);
		if (c == '\\') {
			long u, lo;

			if (pos + 1 >= ps->len)
				return perr(ps, start - 1,
					    "unterminated string");
			c = ps->p[pos + 1];
			if (c && strchr("\"\\/bfnrt", c)) {
				pos += 2;
				n++;
				continue;
			}
			if (c != 'u')
				return perr(ps, pos, "invalid escape \\%c",
					    c >= 0x20 && c < 0x7f ? c : '?');
			u = hex4(ps, pos + 2);
			if (u < 0)
				return perr(ps, pos, "invalid \\u escape");
			if (u == 0)
				return perr(ps, pos, "\\u0000 is not allowed");
			if (u >= 0xdc00 && u <= 0xdfff)
				return perr(ps, pos, "lone low surrogate");
			if (u >= 0xd800 && u <= 0xdbff) {
				if (ps->len - pos < 12 ||
				    ps->p[pos + 6] != '\\' ||
				    ps->p[pos + 7] != 'u')
					return perr(ps, pos,
						    "lone high surrogate");
				lo = hex4(ps, pos + 8);
				if (lo < 0xdc00 || lo > 0xdfff)
					return perr(ps, pos,
						    "high surrogate without a low one");
				pos += 12;
				n += 4;
				continue;
			}
			pos += 6;
			n += u < 0x80 ? 1 : u < 0x800 ? 2 : 3;
			continue;
		}
		l = utf8_len(ps->p + pos, ps->len - pos);
		if (!l)
			return perr(ps, pos, "invalid UTF-8 in a string");
		pos += l;
		n += l;
	}

	buf = malloc(n + 1);
	if (!buf)
		return -ENOMEM;
	n = 0;
	for (pos = start; ps->p[pos] != '"';) {
		unsigned char c = ps->p[pos];
		uint32_t cp;

		if (c != '\\') {
			buf[n++] = (char)c;
			pos++;
			continue;
		}
		c = ps->p[pos + 1];
		if (c != 'u') {
			static const char from[] = "\"\\/bfnrt";
			static const char to[] = "\"\\/\b\f\n\r\t";

			buf[n++] = to[strchr(from, c) - from];
			pos += 2;
			continue;
		}
		cp = (uint32_t)hex4(ps, pos + 2);
		pos += 6;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) +
			     ((uint32_t)hex4(ps, pos + 2) - 0xdc00);
			pos += 6;
		}
		n += utf8_put(buf + n, cp);
	}
	buf[n] = '\0';
	ps->pos = pos + 1;
	*out = buf;
	*out_len = n;
	return 0;
}

static int parse_number(struct parser *ps, struct ctl_value *v)
{
	size_t start = ps->pos;
	uint64_t u = 0;
	bool neg = false;
	int c;

	if (peek(ps) == '-') {
		neg = true;
		ps->pos++;
	}
	c = peek(ps);
	if (c < '0' || c > '9')
		return perr(ps, ps->pos, "invalid number");
	if (c == '0') {
		ps->pos++;
		c = peek(ps);
		if (c >= '0' && c <= '9')
			return perr(ps, start, "leading zero in a number");
	} else {
		while ((c = peek(ps)) >= '0' && c <= '9') {
			if (u > (UINT64_MAX - (uint64_t)(c - '0')) / 10)
				return perr(ps, start,
					    "integer does not fit in 64 bits");
			u = u * 10 + (uint64_t)(c - '0');
			ps->pos++;
		}
	}
	if (c == '.' || c == 'e' || c == 'E')
		return perr(ps, ps->pos, "only integers are allowed");
	if (neg && u > (uint64_t)INT64_MAX + 1)
		return perr(ps, start, "integer does not fit in 64 bits");
	v->type = CTL_T_INT;
	v->neg = neg && u;
	v->u = u;
	return 0;
}

static int parse_literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if (ps->len - ps->pos < n || memcmp(ps->p + ps->pos, word, n))
		return perr(ps, ps->pos, "invalid value");
	ps->pos += n;
	return 0;
}

static int parse_value(struct parser *ps, struct ctl_value *v)
{
	int c = peek(ps);

	switch (c) {
	case '"':
		v->type = CTL_T_STRING;
		return parse_string(ps, &v->str, &v->len);
	case 't':
	case 'f':
		v->type = CTL_T_BOOL;
		v->b = c == 't';
		return parse_literal(ps, c == 't' ? "true" : "false");
	case 'n':
		v->type = CTL_T_NULL;
		return parse_literal(ps, "null");
	case '{':
	case '[':
		return perr(ps, ps->pos, "nested %s are not supported",
			    c == '{' ? "objects" : "arrays");
	case -1:
		return perr(ps, ps->pos, "value expected, end of input");
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return parse_number(ps, v);
		return perr(ps, ps->pos, "invalid value");
	}
}

void ctl_msg_free(struct ctl_msg *m)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		free(m->v[i].str);
		m->v[i].str = NULL;
	}
	m->n = 0;
}

static int parse_object(struct parser *ps, struct ctl_msg *m)
{
	int r;

	skip_ws(ps);
	if (peek(ps) != '{')
		return perr(ps, ps->pos, "a JSON object ('{') expected");
	ps->pos++;
	skip_ws(ps);
	if (peek(ps) == '}') {
		ps->pos++;
		return 0;
	}
	for (;;) {
		struct ctl_value *v;
		size_t kpos = ps->pos, klen;
		char *key;
		unsigned int i;

		if (peek(ps) != '"')
			return perr(ps, ps->pos, "a key (string) expected");
		if (m->n == CTL_MAX_FIELDS)
			return perr(ps, kpos, "more than %d members",
				    CTL_MAX_FIELDS);
		r = parse_string(ps, &key, &klen);
		if (r)
			return r;
		if (klen == 0 || klen > CTL_MAX_KEY) {
			free(key);
			return perr(ps, kpos, "key length must be 1..%d",
				    CTL_MAX_KEY);
		}
		for (i = 0; i < m->n; i++) {
			if (!strcmp(m->v[i].key, key)) {
				free(key);
				return perr(ps, kpos, "duplicate key \"%s\"",
					    m->v[i].key);
			}
		}
		v = &m->v[m->n];
		memset(v, 0, sizeof(*v));
		memcpy(v->key, key, klen + 1);
		free(key);
		skip_ws(ps);
		if (peek(ps) != ':')
			return perr(ps, ps->pos, "':' expected");
		ps->pos++;
		skip_ws(ps);
		r = parse_value(ps, v);
		if (r)
			return r;
		m->n++;
		skip_ws(ps);
		if (peek(ps) == ',') {
			ps->pos++;
			skip_ws(ps);
			continue;
		}
		if (peek(ps) == '}') {
			ps->pos++;
			return 0;
		}
		return perr(ps, ps->pos, "',' or '}' expected");
	}
}

int ctl_parse(const char *text, size_t len, struct ctl_msg *m,
	      struct ctl_error *err)
{
	struct parser ps = {
		.p = (const unsigned char *)text,
		.len = len,
		.err = err,
	};
	int r;

	m->n = 0;
	if (err) {
		err->column = 0;
		err->msg[0] = '\0';
	}
	if (!text) {
		ps.len = 0;
		ps.p = (const unsigned char *)"";
	}
	r = parse_object(&ps, m);
	if (!r) {
		skip_ws(&ps);
		if (ps.pos != ps.len)
			r = perr(&ps, ps.pos,
				 "unexpected data after the object");
	}
	if (r)
		ctl_msg_free(m);
	return r;
}

const struct ctl_value *ctl_find(const struct ctl_msg *m, const char *key)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].key, key))
			return &m->v[i];
	return NULL;
}

int ctl_get_str(const struct ctl_msg *m, const char *key, const char **out,
		size_t *len)
{
	const struct ctl_value *v = ctl_find(m, key);

	if (!v)
		return -ENOENT;
	if (v->type != CTL_T_STRING)
		return -EINVAL;
	*out = v->str;
	if (len)
		*len = v->len;
	return 0;
}

int ctl_get_u64(const struct ctl_msg *m, const char *key, uint64_t *out)
{
	const struct ctl_value *v = ctl_find(m, key);

	if (!v)
		return -ENOENT;
	if (v->type != CTL_T_INT || v->neg)
		return -EINVAL;
	*out = v->u;
	return 0;
}

int ctl_get_bool(const struct ctl_msg *m, const char *key, bool *out)
{
	const struct ctl_value *v = ctl_find(m, key);

	if (!v)
		return -ENOENT;
	if (v->type != CTL_T_BOOL)
		return -EINVAL;
	*out = v->b;
	return 0;
}

const char *ctl_unknown_key(const struct ctl_msg *m, const char *const *allowed)
{
	unsigned int i;
	size_t j;

	for (i = 0; i < m->n; i++) {
		for (j = 0; allowed[j]; j++)
			if (!strcmp(m->v[i].key, allowed[j]))
				break;
		if (!allowed[j])
			return m->v[i].key;
	}
	return NULL;
}

/*
 * Writer
 * ======
 */
static bool w_reserve(struct ctl_writer *w, size_t more)
{
	size_t cap;
	char *p;

	if (w->failed)
		return false;
	if (more <= w->cap - w->len)
		return true;
	if (more > SIZE_MAX / 2 - w->len) {
		w->failed = true;
		return false;
	}
	cap = w->cap ? w->cap : 256;
	while (cap - w->len < more)
		cap *= 2;
	p = realloc(w->buf, cap);
	if (!p) {
		w->failed = true;
		return false;
	}
	w->buf = p;
	w->cap = cap;
	return true;
}

static void w_put(struct ctl_writer *w, const char *s, size_t n)
{
	if (!w_reserve(w, n + 1))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void w_escaped(struct ctl_writer *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, l;
	char tmp[8];

	w_put(w, "\"", 1);
	while (i < n && !w->failed) {
		unsigned char c = p[i];

		switch (c) {
		case '"':
			w_put(w, "\\\"", 2);
			break;
		case '\\':
			w_put(w, "\\\\", 2);
			break;
		case '\n':
			w_put(w, "\\n", 2);
			break;
		case '\r':
			w_put(w, "\\r", 2);
			break;
		case '\t':
			w_put(w, "\\t", 2);
			break;
		case '\0': /* valid UTF-8, but not in our strings */
			w_put(w, "\\ufffd", 6);
			break;
		default:
			if (c < 0x20) {
				snprintf(tmp, sizeof(tmp), "\\u%04x", c);
				w_put(w, tmp, 6);
				break;
			}
			l = utf8_len(p + i, n - i);
			if (!l) {
				w_put(w, "\\ufffd", 6);
				break;
			}
			w_put(w, s + i, l);
			i += l;
			continue;
		}
		i++;
	}
	w_put(w, "\"", 1);
}

static void w_key(struct ctl_writer *w, const char *key)
{
	if (w->n++)
		w_put(w, ",", 1);
	w_escaped(w, key, strlen(key));
	w_put(w, ":", 1);
}

void ctl_w_init(struct ctl_writer *w)
{
	memset(w, 0, sizeof(*w));
	w_put(w, "{", 1);
}

void ctl_w_strn(struct ctl_writer *w, const char *key, const char *s,
		size_t len)
{
	w_key(w, key);
	w_escaped(w, s, len);
}

void ctl_w_str(struct ctl_writer *w, const char *key, const char *s)
{
	ctl_w_strn(w, key, s, strlen(s));
}

void ctl_w_u64(struct ctl_writer *w, const char *key, uint64_t v)
{
	char tmp[24];

	w_key(w, key);
	w_put(w, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%" PRIu64, v));
}

void ctl_w_i64(struct ctl_writer *w, const char *key, int64_t v)
{
	char tmp[24];

	w_key(w, key);
	w_put(w, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%" PRId64, v));
}

void ctl_w_bool(struct ctl_writer *w, const char *key, bool v)
{
	w_key(w, key);
	w_put(w, v ? "true" : "false", v ? 4 : 5);
}

void ctl_w_null(struct ctl_writer *w, const char *key)
{
	w_key(w, key);
	w_put(w, "null", 4);
}

void ctl_w_value(struct ctl_writer *w, const struct ctl_value *v)
{
	char tmp[24];

	switch (v->type) {
	case CTL_T_STRING:
		ctl_w_strn(w, v->key, v->str, v->len);
		break;
	case CTL_T_INT:
		w_key(w, v->key);
		w_put(w, tmp,
		      (size_t)snprintf(tmp, sizeof(tmp), "%s%" PRIu64,
				       v->neg ? "-" : "", v->u));
		break;
	case CTL_T_BOOL:
		ctl_w_bool(w, v->key, v->b);
		break;
	case CTL_T_NULL:
		ctl_w_null(w, v->key);
		break;
	}
}

void ctl_w_base64(struct ctl_writer *w, const char *key, const void *data,
		  size_t len)
{
	size_t n = ctl_b64_encoded_len(len);

	w_key(w, key);
	if (n == SIZE_MAX || !w_reserve(w, n + 3)) {
		w->failed = true;
		return;
	}
	w->buf[w->len++] = '"';
	ctl_b64_encode(data, len, w->buf + w->len);
	w->len += n;
	w_put(w, "\"", 1);
}

int ctl_w_finish(struct ctl_writer *w)
{
	w_put(w, "}\n", 2);
	return w->failed ? -ENOMEM : 0;
}

void ctl_w_free(struct ctl_writer *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

/*
 * Base64
 * ======
 */
static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t ctl_b64_encoded_len(size_t n)
{
	if (n / 3 >= SIZE_MAX / 4 - 1)
		return SIZE_MAX;
	return (n + 2) / 3 * 4;
}

void ctl_b64_encode(const void *in, size_t n, char *out)
{
	const unsigned char *p = in;
	size_t i, o = 0;

	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 |
			     p[i + 2];

		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;

		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;

		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

static int b64_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int ctl_b64_decode(const char *in, size_t n, void *out, size_t *out_len)
{
	const unsigned char *p = (const unsigned char *)in;
	unsigned char *o = out;
	size_t i, k = 0;

	if (n % 4)
		return -EBADMSG;
	for (i = 0; i < n; i += 4) {
		int a = b64_val(p[i]), b = b64_val(p[i + 1]);
		int c = b64_val(p[i + 2]), d = b64_val(p[i + 3]);
		bool last = i + 4 == n;

		if (a < 0 || b < 0)
			return -EBADMSG;
		if (last && p[i + 2] == '=' && p[i + 3] == '=') {
			if (b & 15)
				return -EBADMSG;
			o[k++] = (unsigned char)(a << 2 | b >> 4);
			break;
		}
		if (c < 0)
			return -EBADMSG;
		if (last && p[i + 3] == '=') {
			if (c & 3)
				return -EBADMSG;
			o[k++] = (unsigned char)(a << 2 | b >> 4);
			o[k++] = (unsigned char)((b & 15) << 4 | c >> 2);
			break;
		}
		if (d < 0)
			return -EBADMSG;
		o[k++] = (unsigned char)(a << 2 | b >> 4);
		o[k++] = (unsigned char)((b & 15) << 4 | c >> 2);
		o[k++] = (unsigned char)((c & 3) << 6 | d);
	}
	*out_len = k;
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

int ctl_call(int fd, struct ctl_reader *r, const struct ctl_writer *w,
	     struct ctl_msg *resp, char **raw)
{
	size_t len;
	char *line;
	int ret;

	ret = ctl_write_all(fd, w->buf, w->len);
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
	if (!ctl_find(resp, "ok") || ctl_find(resp, "ok")->type != CTL_T_BOOL) {
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
