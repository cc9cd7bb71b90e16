// SPDX-License-Identifier: GPL-2.0-only
/*
 * pgenc bitmap export/import --socket: the bitmap of a running VM through
 * the control socket of "pgenc run --ctl SOCK" (ctl_proto.h).
 *
 * Export asks for the raw format in chunks of EXPORT_CHUNK pages (a 1 TiB
 * guest is 32 MiB of bitmap, more than one protocol line holds once in
 * base64), parses each chunk strictly and checks that it is the range
 * asked for. Chunks are separate KVM_GET_PAGE_ENC_BITMAP calls: like
 * one GET over more than 32768 pages, the result is a snapshot only when
 * the vCPUs are stopped.
 *
 * Import sends the bitmap in one request (so the VM installs it all or
 * nothing), in the smaller of the raw and ranges formats.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pgenc/pgenc.h>

#include "cmdutil.h"
#include "ctl_proto.h"

#define EXPORT_CHUNK (1ULL << 25) /* pages: 4 MiB raw, 5.6 MiB base64 */

struct conn {
	const char *cmd;
	const char *sock;
	int fd;
	struct ctl_reader rd;
};

static int conn_open(struct conn *c, const char *cmd, const char *sock)
{
	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->sock = sock;
	c->fd = ctl_connect(sock);
	if (c->fd < 0) {
		pg_error(cmd,
			 "%s: cannot connect: %s (is 'pgenc run --ctl %s' running?)",
			 sock, strerror(-c->fd), sock);
		return PGENC_EXIT_FAILED;
	}
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	ctl_reader_free(&c->rd);
}

/*
 * Send w (finished by this function) and read the response into *resp,
 * which must then be freed with ctl_msg_free(). A transport error or an
 * error response prints its message: PGENC_EXIT_FAILED.
 */
static int conn_call(struct conn *c, struct ctl_writer *w, struct ctl_msg *resp)
{
	const char *msg;
	int r, e;

	if (ctl_w_finish(w)) {
		pg_error(c->cmd, "%s: out of memory", c->sock);
		return PGENC_EXIT_FAILED;
	}
	r = ctl_call(c->fd, &c->rd, w, resp, NULL);
	if (r) {
		pg_error(c->cmd, "%s: %s", c->sock,
			 r == -EPROTO ?
				 "no valid response (not a pgenc control socket?)" :
				 strerror(-r));
		return PGENC_EXIT_FAILED;
	}
	if (!ctl_resp_ok(resp, &msg, &e)) {
		pg_error(c->cmd, "%s: the VM refused: %s (%s)", c->sock, msg,
			 strerror(e));
		ctl_msg_free(resp);
		return PGENC_EXIT_FAILED;
	}
	return 0;
}

static int bad_response(struct conn *c, const char *what)
{
	pg_error(c->cmd, "%s: bad response: %s", c->sock, what);
	return PGENC_EXIT_FAILED;
}

static int tracked_pages(struct conn *c, uint64_t *pages)
{
	struct ctl_writer w;
	struct ctl_msg resp;
	int r;

	ctl_w_init(&w);
	ctl_w_str(&w, "cmd", "stats");
	r = conn_call(c, &w, &resp);
	ctl_w_free(&w);
	if (r)
		return r;
	if (ctl_get_u64(&resp, "tracked_pages", pages) || !*pages)
		r = bad_response(c, "stats has no tracked_pages");
	ctl_msg_free(&resp);
	return r;
}

/* One chunk, as raw, checked, into *out. */
static int export_chunk(struct conn *c, uint64_t start, uint64_t pages,
			struct pgenc_bitmap **out)
{
	struct pgenc_parse_error perr;
	struct ctl_writer w;
	struct ctl_msg resp;
	const char *b64;
	size_t len, n;
	void *raw;
	int r;

	ctl_w_init(&w);
	ctl_w_str(&w, "cmd", "export");
	ctl_w_str(&w, "format", "raw");
	ctl_w_u64(&w, "start_gfn", start);
	ctl_w_u64(&w, "num_pages", pages);
	r = conn_call(c, &w, &resp);
	ctl_w_free(&w);
	if (r)
		return r;
	if (ctl_get_str(&resp, "data", &b64, &len)) {
		ctl_msg_free(&resp);
		return bad_response(c, "export has no data");
	}
	raw = malloc(len / 4 * 3 + 1);
	if (!raw) {
		ctl_msg_free(&resp);
		pg_error(c->cmd, "out of memory");
		return PGENC_EXIT_FAILED;
	}
	r = ctl_b64_decode(b64, len, raw, &n);
	ctl_msg_free(&resp);
	if (r) {
		free(raw);
		return bad_response(c, "export data is not base64");
	}
	r = pgenc_parse(raw, n, PGENC_FORMAT_RAW, pages, out, &perr);
	free(raw);
	if (r) {
		pg_error(c->cmd, "%s: bad bitmap from the VM: byte %u: %s",
			 c->sock, perr.column,
			 r == -EBADMSG ? perr.msg : pgenc_strerror(r));
		return PGENC_EXIT_FAILED;
	}
	if ((*out)->start_gfn != start || (*out)->num_pages != pages) {
		pgenc_bitmap_free(*out);
		*out = NULL;
		return bad_response(c, "the bitmap is not the range asked for");
	}
	return 0;
}

int bitmap_sock_export(const char *cmd, const char *sock, uint64_t start,
		       uint64_t pages, struct pgenc_bitmap **out)
{
	struct pgenc_bitmap *all = NULL, *part = NULL;
	struct conn c;
	uint64_t done, n;
	int r;

	r = conn_open(&c, cmd, sock);
	if (r)
		return r;
	if (!pages) {
		r = tracked_pages(&c, &pages);
		if (r)
			goto out;
		if (start >= pages) {
			pg_error(cmd,
				 "--start-gfn 0x%llx: the VM tracks gfns 0x0-0x%llx",
				 (unsigned long long)start,
				 (unsigned long long)(pages - 1));
			r = PGENC_EXIT_FAILED;
			goto out;
		}
		pages -= start;
	}
	if (pages <= EXPORT_CHUNK) {
		r = export_chunk(&c, start, pages, &all);
		goto out;
	}
	r = pgenc_bitmap_new(start, pages, true, &all);
	if (r) {
		pg_error(cmd, "%s", pgenc_strerror(r));
		r = PGENC_EXIT_FAILED;
		goto out;
	}
	/* EXPORT_CHUNK is a multiple of 8: every chunk starts on a byte. */
	for (done = 0; done < pages; done += n) {
		n = pages - done < EXPORT_CHUNK ? pages - done : EXPORT_CHUNK;
		r = export_chunk(&c, start + done, n, &part);
		if (r)
			goto out;
		memcpy(all->bits + done / 8, part->bits,
		       pgenc_bitmap_bytes(part));
		pgenc_bitmap_free(part);
		part = NULL;
	}
out:
	conn_close(&c);
	if (r) {
		pgenc_bitmap_free(all);
		return r;
	}
	*out = all;
	return PGENC_EXIT_OK;
}

int bitmap_sock_import(const char *cmd, const char *sock,
		       const struct pgenc_bitmap *b)
{
	void *raw = NULL, *ranges = NULL, *data;
	size_t raw_len, ranges_len, len;
	uint64_t start, num, shared;
	struct ctl_writer w;
	struct ctl_msg resp;
	struct conn c;
	int r;

	r = pgenc_write_mem(b, PGENC_FORMAT_RAW, &raw, &raw_len);
	if (!r)
		r = pgenc_write_mem(b, PGENC_FORMAT_RANGES, &ranges,
				    &ranges_len);
	if (r) {
		pg_error(cmd, "%s", pgenc_strerror(r));
		free(raw);
		return PGENC_EXIT_FAILED;
	}
	data = ranges_len < raw_len ? ranges : raw;
	len = ranges_len < raw_len ? ranges_len : raw_len;
	/* Leave room for the rest of the request line. */
	if (ctl_b64_encoded_len(len) > CTL_MAX_LINE - 4096) {
		pg_error(cmd,
			 "the bitmap is too large for one control request (%zu bytes, %zu in base64; at most %u a line)",
			 len, ctl_b64_encoded_len(len), CTL_MAX_LINE);
		free(raw);
		free(ranges);
		return PGENC_EXIT_FAILED;
	}
	r = conn_open(&c, cmd, sock);
	if (r) {
		free(raw);
		free(ranges);
		return r;
	}
	ctl_w_init(&w);
	ctl_w_str(&w, "cmd", "import");
	ctl_w_base64(&w, "data", data, len);
	free(raw);
	free(ranges);
	r = conn_call(&c, &w, &resp);
	ctl_w_free(&w);
	conn_close(&c);
	if (r)
		return r;
	if (ctl_get_u64(&resp, "start_gfn", &start) ||
	    ctl_get_u64(&resp, "num_pages", &num) ||
	    ctl_get_u64(&resp, "shared_pages", &shared)) {
		ctl_msg_free(&resp);
		return bad_response(&c,
				    "import has no start_gfn, num_pages or shared_pages");
	}
	ctl_msg_free(&resp);
	if (start != b->start_gfn || num != b->num_pages) {
		pg_error(cmd,
			 "%s: the VM reports gfn 0x%llx +%llu installed, not what was sent",
			 sock, (unsigned long long)start,
			 (unsigned long long)num);
		return PGENC_EXIT_FAILED;
	}
	printf("installed: gfn 0x%llx-0x%llx, %llu pages, %llu shared\n",
	       (unsigned long long)start, (unsigned long long)(start + num - 1),
	       (unsigned long long)num, (unsigned long long)shared);
	return PGENC_EXIT_OK;
}
