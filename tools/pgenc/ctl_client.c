// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control socket's client (ctl_client.h), and the bitmap of a running
 * VM through it (pgenc bitmap export|import --socket).
 *
 * Export asks for the raw format in chunks of EXPORT_CHUNK pages (a 1 TiB
 * guest is 32 MiB of bitmap, more than one protocol line holds once in
 * base64), parses each chunk strictly and checks that it is the range
 * asked for. Chunks are separate KVM_GET_PAGE_ENC_BITMAP calls: like
 * one GET over more than 524288 pages (the kernel's chunk), the result
 * is a snapshot only when the vCPUs are stopped.
 *
 * Import sends the bitmap in one request (so the VM installs it all or
 * nothing), in the smaller of the raw and ranges formats.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pgenc/pgenc.h>

#include "cmdutil.h"
#include "ctl_client.h"

#define EXPORT_CHUNK (1ULL << 25) /* pages: 4 MiB raw, 5.6 MiB base64 */

void ctl_conn_init(struct ctl_conn *c, const char *cmd, const char *sock)
{
	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->sock = sock;
	c->fd = -1;
}

void ctl_conn_close(struct ctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	ctl_reader_free(&c->rd);
}

/* "pgenc CMD: SOCK: MESSAGE"; returns PGENC_EXIT_FAILED. */
static int conn_error(struct ctl_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int conn_error(struct ctl_conn *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->bar)
		fputc('\n', stderr);
	pg_error(c->cmd, "%s: %s%s%s", c->sock, c->where, *c->where ? ": " : "",
		 msg);
	return PGENC_EXIT_FAILED;
}

/*
 * The first request of every connection: the server's protocol must be
 * the one this client speaks (Documentation/cli.rst, "Control protocol").
 */
static int check_proto(struct ctl_conn *c)
{
	static const char req[] = "{\"cmd\":\"version\"}\n";
	const char *msg, *ver = "?";
	struct ctl_msg m;
	uint64_t proto;
	int r, e;

	r = ctl_call(c->fd, &c->rd, req, sizeof(req) - 1, &m, NULL);
	if (r)
		return conn_error(c, "%s",
				  r == -EPROTO ?
					  "no valid response (connection closed, or not a pgenc control socket)" :
					  strerror(-r));
	if (!ctl_resp_ok(&m, &msg, &e)) {
		conn_error(c, "the VM refused: %s (%s)", msg, strerror(e));
		ctl_msg_free(&m);
		return PGENC_EXIT_FAILED;
	}
	if (ctl_get_u64(&m, "proto", &proto)) {
		ctl_msg_free(&m);
		return ctl_conn_bad_response(c, "version has no \"proto\"");
	}
	ctl_get_str(&m, "pgenc", &ver, NULL);
	r = PGENC_EXIT_OK;
	if (proto != CTL_PROTO_VERSION) {
		conn_error(c,
			   "the VMM (pgenc %s) speaks control protocol %llu, this pgenc %s speaks %d: use a pgenc of the VMM's version",
			   ver, (unsigned long long)proto, pgenc_version(),
			   CTL_PROTO_VERSION);
		r = PGENC_EXIT_UNSUPPORTED;
	}
	ctl_msg_free(&m);
	return r;
}

int ctl_conn_open(struct ctl_conn *c)
{
	int r;

	if (c->fd >= 0)
		return 0;
	c->fd = ctl_connect(c->sock);
	if (c->fd >= 0) {
		r = check_proto(c);
		if (r)
			ctl_conn_close(c);
		return r;
	}
	conn_error(c, "cannot connect: %s%s%s%s", strerror(-c->fd),
		   c->fd == -ENOENT || c->fd == -ECONNREFUSED ?
			   " (is 'pgenc run --ctl " :
			   "",
		   c->fd == -ENOENT || c->fd == -ECONNREFUSED ? c->sock : "",
		   c->fd == -ENOENT || c->fd == -ECONNREFUSED ? "' running?)" :
								"");
	return PGENC_EXIT_FAILED;
}

int ctl_conn_call(struct ctl_conn *c, const char *req, size_t len,
		  struct ctl_msg *resp, char **raw)
{
	int r;

	r = ctl_conn_open(c);
	if (r)
		return r;
	r = ctl_call(c->fd, &c->rd, req, len, resp, raw);
	if (r)
		return conn_error(c, "%s",
				  r == -EPROTO ?
					  "no valid response (connection closed, or not a pgenc control socket)" :
					  strerror(-r));
	return 0;
}

int ctl_conn_next(struct ctl_conn *c, struct ctl_msg *resp, char **raw)
{
	struct ctl_error perr;
	size_t len;
	char *line;
	int r;

	r = ctl_read_line(c->fd, &c->rd, &line, &len);
	if (r <= 0)
		return conn_error(c, "%s",
				  r ? strerror(-r) :
				      "the connection closed before the response");
	if (ctl_parse(line, len, resp, &perr))
		return conn_error(c, "bad response: %s", perr.msg);
	if (raw) {
		*raw = strdup(line);
		if (!*raw) {
			ctl_msg_free(resp);
			return conn_error(c, "out of memory");
		}
	}
	return 0;
}

int ctl_conn_request(struct ctl_conn *c, struct ctl_writer *w,
		     struct ctl_msg *resp, char **raw)
{
	const char *msg;
	int r, e;

	r = ctl_w_finish(w);
	if (r == -ERANGE) {
		ctl_w_free(w);
		return conn_error(c,
				  "a number past 2^63-1 cannot be sent (the protocol's integers are signed 64-bit)");
	}
	if (r) {
		ctl_w_free(w);
		return conn_error(c, "%s", strerror(-r));
	}
	r = ctl_conn_call(c, w->buf, w->len, resp, raw);
	ctl_w_free(w);
	if (r)
		return r;
	if (ctl_resp_ok(resp, &msg, &e))
		return 0;
	conn_error(c, "the VM refused: %s (%s)", msg, strerror(e));
	ctl_msg_free(resp);
	if (raw) {
		free(*raw);
		*raw = NULL;
	}
	return PGENC_EXIT_FAILED;
}

int ctl_conn_bad_response(struct ctl_conn *c, const char *what)
{
	return conn_error(c, "bad response: %s", what);
}

int ctl_conn_data(struct ctl_conn *c, const struct ctl_msg *m, void **data,
		  size_t *len)
{
	const char *b64;
	size_t n;

	if (ctl_get_str(m, "data", &b64, &n))
		return ctl_conn_bad_response(c, "no \"data\"");
	*data = malloc(n / 4 * 3 + 1);
	if (!*data)
		return conn_error(c, "out of memory");
	if (ctl_b64_decode(b64, n, *data, len)) {
		free(*data);
		*data = NULL;
		return ctl_conn_bad_response(c, "\"data\" is not base64");
	}
	return 0;
}

static int tracked_pages(struct ctl_conn *c, uint64_t *pages)
{
	struct ctl_writer w;
	struct ctl_msg resp;
	int r;

	ctl_w_init(&w);
	ctl_w_str(&w, "cmd", "stats");
	r = ctl_conn_request(c, &w, &resp, NULL);
	if (r)
		return r;
	if (ctl_get_u64(&resp, "tracked_pages", pages) || !*pages)
		r = ctl_conn_bad_response(c, "stats has no tracked_pages");
	ctl_msg_free(&resp);
	return r;
}

/* One chunk, as raw, checked, into *out. */
static int export_chunk(struct ctl_conn *c, uint64_t start, uint64_t pages,
			struct pgenc_bitmap **out)
{
	struct pgenc_parse_error perr;
	struct ctl_writer w;
	struct ctl_msg resp;
	size_t n;
	void *raw;
	int r;

	ctl_w_init(&w);
	ctl_w_str(&w, "cmd", "export");
	ctl_w_str(&w, "format", "raw");
	ctl_w_u64(&w, "start_gfn", start);
	ctl_w_u64(&w, "num_pages", pages);
	r = ctl_conn_request(c, &w, &resp, NULL);
	if (r)
		return r;
	r = ctl_conn_data(c, &resp, &raw, &n);
	ctl_msg_free(&resp);
	if (r)
		return r;
	r = pgenc_parse(raw, n, PGENC_FORMAT_RAW, pages, out, &perr);
	free(raw);
	if (r)
		return conn_error(c, "bad bitmap from the VM: byte %u: %s",
				  perr.column,
				  r == -EBADMSG ? perr.msg : pgenc_strerror(r));
	if ((*out)->start_gfn != start || (*out)->num_pages != pages) {
		pgenc_bitmap_free(*out);
		*out = NULL;
		return ctl_conn_bad_response(c,
					     "the bitmap is not the range asked for");
	}
	return 0;
}

int ctl_conn_export(struct ctl_conn *c, uint64_t start, uint64_t pages,
		    struct pgenc_bitmap **out)
{
	struct pgenc_bitmap *all = NULL, *part = NULL;
	uint64_t done, n, tracked;
	int r;

	if (!pages) {
		r = tracked_pages(c, &pages);
		if (r)
			return r;
		if (start >= pages)
			return conn_error(c,
					  "--start-gfn 0x%llx: the VM tracks gfns 0x0-0x%llx",
					  (unsigned long long)start,
					  (unsigned long long)(pages - 1));
		pages -= start;
	} else if (pages > EXPORT_CHUNK) {
		/* The VM's size before a bitmap of up to 2^40 bits. */
		r = tracked_pages(c, &tracked);
		if (r)
			return r;
		if (start >= tracked || pages > tracked - start)
			return conn_error(c,
					  "--start-gfn 0x%llx --num-pages 0x%llx: outside guest memory (the VM tracks gfns 0x0-0x%llx)",
					  (unsigned long long)start,
					  (unsigned long long)pages,
					  (unsigned long long)(tracked - 1));
	}
	if (pages <= EXPORT_CHUNK)
		return export_chunk(c, start, pages, out);
	r = pgenc_bitmap_new(start, pages, true, &all);
	if (r)
		return conn_error(c, "%s", pgenc_strerror(r));
	/* EXPORT_CHUNK is a multiple of 8: every chunk starts on a byte. */
	for (done = 0; done < pages; done += n) {
		n = pages - done < EXPORT_CHUNK ? pages - done : EXPORT_CHUNK;
		r = export_chunk(c, start + done, n, &part);
		if (r) {
			pgenc_bitmap_free(all);
			return r;
		}
		memcpy(all->bits + done / 8, part->bits,
		       pgenc_bitmap_bytes(part));
		pgenc_bitmap_free(part);
		part = NULL;
	}
	*out = all;
	return PGENC_EXIT_OK;
}

int ctl_conn_import(struct ctl_conn *c, const struct pgenc_bitmap *b)
{
	void *raw = NULL, *ranges = NULL, *data;
	size_t raw_len, ranges_len, len;
	uint64_t start, num, shared;
	struct ctl_writer w;
	struct ctl_msg resp;
	int r;

	r = pgenc_write_mem(b, PGENC_FORMAT_RAW, &raw, &raw_len);
	if (!r)
		r = pgenc_write_mem(b, PGENC_FORMAT_RANGES, &ranges,
				    &ranges_len);
	if (r) {
		free(raw);
		return conn_error(c, "%s", pgenc_strerror(r));
	}
	data = ranges_len < raw_len ? ranges : raw;
	len = ranges_len < raw_len ? ranges_len : raw_len;
	/* Leave room for the rest of the request line. */
	if (ctl_b64_encoded_len(len) > CTL_MAX_LINE - 4096) {
		free(raw);
		free(ranges);
		return conn_error(c,
				  "the bitmap is too large for one control request (%zu bytes, %zu in base64; at most %u a line)",
				  len, ctl_b64_encoded_len(len), CTL_MAX_LINE);
	}
	ctl_w_init(&w);
	ctl_w_str(&w, "cmd", "import");
	ctl_w_base64(&w, "data", data, len);
	free(raw);
	free(ranges);
	r = ctl_conn_request(c, &w, &resp, NULL);
	if (r)
		return r;
	if (ctl_get_u64(&resp, "start_gfn", &start) ||
	    ctl_get_u64(&resp, "num_pages", &num) ||
	    ctl_get_u64(&resp, "shared_pages", &shared)) {
		ctl_msg_free(&resp);
		return ctl_conn_bad_response(c,
					     "import has no start_gfn, num_pages or shared_pages");
	}
	ctl_msg_free(&resp);
	if (start != b->start_gfn || num != b->num_pages)
		return conn_error(c,
				  "the VM reports gfn 0x%llx +%llu installed, not what was sent",
				  (unsigned long long)start,
				  (unsigned long long)num);
	printf("installed: gfn 0x%llx-0x%llx, %llu page%s, %llu shared\n",
	       (unsigned long long)start, (unsigned long long)(start + num - 1),
	       (unsigned long long)num, pg_plural(num),
	       (unsigned long long)shared);
	return PGENC_EXIT_OK;
}
