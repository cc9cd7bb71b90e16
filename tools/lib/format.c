// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The format-independent part of reading and writing bitmaps: output
 * sinks, parse errors, format names and detection, and the public read
 * and write entry points that dispatch to fmt_*.c.
 */
#include "internal.h"

#include <limits.h>
#include <stdlib.h>

void pgenc_sink_put(struct pgenc_sink *s, const void *p, size_t n)
{
	if (s->err || !n)
		return;
	if (s->f) {
		if (fwrite(p, 1, n, s->f) != n)
			s->err = errno ? -errno : -EIO;
		return;
	}
	/* Memory: keep room for a terminating NUL. */
	if (n >= s->cap - s->len || !s->buf) {
		size_t cap = s->cap ? s->cap : 256;
		char *nb;

		while (n >= cap - s->len) {
			if (cap > SIZE_MAX / 2) {
				s->err = -ENOMEM;
				return;
			}
			cap *= 2;
		}
		nb = realloc(s->buf, cap);
		if (!nb) {
			s->err = -ENOMEM;
			return;
		}
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

void pgenc_sink_printf(struct pgenc_sink *s, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		/* Only short, fixed-size lines are printed. */
		if (!s->err)
			s->err = -EOVERFLOW;
		return;
	}
	pgenc_sink_put(s, tmp, (size_t)n);
}

int pgenc_perr(struct pgenc_parse_error *e, unsigned long line,
	       unsigned long column, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -EBADMSG;
	e->line = line > UINT_MAX ? UINT_MAX : (unsigned int)line;
	e->column = column > UINT_MAX ? UINT_MAX : (unsigned int)column;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

int pgenc_hex_width(uint64_t v)
{
	int w = 1;

	while (v >>= 4)
		w++;
	return w;
}

static const char *const format_names[] = {
	[PGENC_FORMAT_AUTO] = "auto",
	[PGENC_FORMAT_RAW] = "raw",
	[PGENC_FORMAT_RANGES] = "ranges",
	[PGENC_FORMAT_JSON] = "json",
};

const char *pgenc_format_name(enum pgenc_format fmt)
{
	if ((unsigned int)fmt >= sizeof(format_names) / sizeof(format_names[0]))
		return NULL;
	return format_names[fmt];
}

int pgenc_format_from_name(const char *name, enum pgenc_format *fmt)
{
	unsigned int i;

	if (!name || !fmt)
		return -EINVAL;
	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (!strcmp(name, format_names[i])) {
			*fmt = (enum pgenc_format)i;
			return 0;
		}
	}
	return -EINVAL;
}

enum pgenc_format pgenc_format_detect(const void *data, size_t len)
{
	const char *p = data;
	size_t i;

	if (!p)
		return PGENC_FORMAT_RANGES;
	if (len >= sizeof(PGENC_RAW_MAGIC) &&
	    !memcmp(p, PGENC_RAW_MAGIC, sizeof(PGENC_RAW_MAGIC)))
		return PGENC_FORMAT_RAW;
	for (i = 0; i < len; i++) {
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')
			continue;
		return p[i] == '{' ? PGENC_FORMAT_JSON : PGENC_FORMAT_RANGES;
	}
	return PGENC_FORMAT_RANGES;
}

int pgenc_parse(const void *data, size_t len, enum pgenc_format fmt,
		uint64_t max_pages, struct pgenc_bitmap **out,
		struct pgenc_parse_error *err)
{
	uint64_t limit = pgenc_page_limit(max_pages);

	if (err)
		memset(err, 0, sizeof(*err));
	if (!out || (!data && len))
		return -EINVAL;
	if (!data)
		data = "";
	if (fmt == PGENC_FORMAT_AUTO)
		fmt = pgenc_format_detect(data, len);
	switch (fmt) {
	case PGENC_FORMAT_RAW:
		return pgenc_parse_raw(data, len, limit, out, err);
	case PGENC_FORMAT_RANGES:
		return pgenc_parse_ranges(data, len, limit, out, err);
	case PGENC_FORMAT_JSON:
		return pgenc_parse_json(data, len, limit, out, err);
	default:
		return -EINVAL;
	}
}

int pgenc_read(FILE *f, enum pgenc_format fmt, uint64_t max_pages,
	       struct pgenc_bitmap **out, struct pgenc_parse_error *err)
{
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *nb;
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!f || !out)
		return -EINVAL;
	errno = 0;
	for (;;) {
		if (cap - len < 65536) {
			if (cap > SIZE_MAX / 2 - 65536) {
				free(buf);
				return -ENOMEM;
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0 || feof(f))
			break;
	}
	if (ferror(f)) {
		r = errno ? -errno : -EIO;
		free(buf);
		return r;
	}
	r = pgenc_parse(buf, len, fmt, max_pages, out, err);
	free(buf);
	return r;
}

static int write_sink(struct pgenc_sink *s, const struct pgenc_bitmap *b,
		      enum pgenc_format fmt)
{
	if (!b || !pgenc_shape_ok(b->start_gfn, b->num_pages) || !b->bits)
		return -EINVAL;
	switch (fmt) {
	case PGENC_FORMAT_RAW:
		pgenc_write_raw(s, b);
		break;
	case PGENC_FORMAT_RANGES:
		pgenc_write_ranges(s, b);
		break;
	case PGENC_FORMAT_JSON:
		pgenc_write_json(s, b);
		break;
	default:
		return -EINVAL;
	}
	return s->err;
}

int pgenc_write(FILE *f, const struct pgenc_bitmap *b, enum pgenc_format fmt)
{
	struct pgenc_sink s = { .f = f };
	int r;

	if (!f)
		return -EINVAL;
	errno = 0;
	r = write_sink(&s, b, fmt);
	if (!r && fflush(f))
		r = errno ? -errno : -EIO;
	return r;
}

int pgenc_write_mem(const struct pgenc_bitmap *b, enum pgenc_format fmt,
		    void **buf, size_t *len)
{
	struct pgenc_sink s = { 0 };
	int r;

	if (!buf || !len)
		return -EINVAL;
	r = write_sink(&s, b, fmt);
	if (!r && !s.buf) {
		/* Nothing written (cannot happen for a valid bitmap). */
		s.buf = calloc(1, 1);
		if (!s.buf)
			r = -ENOMEM;
	}
	if (r) {
		free(s.buf);
		return r;
	}
	*buf = s.buf;
	*len = s.len;
	return 0;
}
