/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one client of the control socket of `pgenc run --ctl SOCK`
 * (ctl_proto.h: the protocol), for `pgenc ctl`, `pgenc dump` and `pgenc
 * bitmap export|import --socket`. Every message it prints starts with
 * "pgenc CMD: SOCK: ".
 */
#ifndef PGENC_CTL_CLIENT_H
#define PGENC_CTL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl_proto.h"

struct pgenc_bitmap;

struct ctl_conn {
	const char *cmd; /* for messages: "bitmap export", "ctl", ... */
	const char *sock;
	int fd; /* -1 until the first request: usage errors come first */
	struct ctl_reader rd;
	bool bar; /* a progress bar is on stderr: end its line first */
	char where[48]; /* "at gpa 0x...": said after SOCK, when not "" */
};

void ctl_conn_init(struct ctl_conn *c, const char *cmd, const char *sock);

/*
 * Connect unless connected, and check the server's protocol ("version"):
 * 0, PGENC_EXIT_UNSUPPORTED for a protocol other than CTL_PROTO_VERSION,
 * or PGENC_EXIT_FAILED (reported).
 */
int ctl_conn_open(struct ctl_conn *c);

void ctl_conn_close(struct ctl_conn *c);

/*
 * Send the request line req (len bytes, "\n" included) and read the
 * response into *resp (and the line into *raw, when raw is not NULL):
 * 0 with the response, whatever its "ok" says, to ctl_msg_free(), or
 * the exit code of ctl_conn_open(), or PGENC_EXIT_FAILED after reporting
 * the transport error (no valid response among them).
 */
int ctl_conn_call(struct ctl_conn *c, const char *req, size_t len,
		  struct ctl_msg *resp, char **raw);

/*
 * Send w (finished and freed here) and read the response into *resp (and
 * the line itself into *raw, when raw is not NULL; free() it): 0 with an
 * "ok":true response to use and ctl_msg_free(), or PGENC_EXIT_FAILED
 * after reporting the transport error or the server's refusal.
 */
int ctl_conn_request(struct ctl_conn *c, struct ctl_writer *w,
		     struct ctl_msg *resp, char **raw);

/*
 * After ctl_conn_call(): the next line the server sent for the same
 * request (the "progress" lines of "migrate"), like ctl_conn_call().
 */
int ctl_conn_next(struct ctl_conn *c, struct ctl_msg *resp, char **raw);

/* "bad response: WHAT"; returns PGENC_EXIT_FAILED. */
int ctl_conn_bad_response(struct ctl_conn *c, const char *what);

/*
 * The base64 "data" of a response, decoded into a new buffer (free()):
 * 0, or PGENC_EXIT_FAILED (reported).
 */
int ctl_conn_data(struct ctl_conn *c, const struct ctl_msg *m, void **data,
		  size_t *len);

/*
 * The bitmap of the VM: [start, start + pages) of its tracked memory, or
 * from start to the end of it when pages is 0. A PGENC_EXIT_* code.
 */
int ctl_conn_export(struct ctl_conn *c, uint64_t start, uint64_t pages,
		    struct pgenc_bitmap **out);

/*
 * Install b in the VM, all or nothing, and print what the VM installed.
 * A PGENC_EXIT_* code.
 */
int ctl_conn_import(struct ctl_conn *c, const struct pgenc_bitmap *b);

#endif /* PGENC_CTL_CLIENT_H */
