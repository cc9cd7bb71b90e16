/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pgenc control protocol: what `pgenc run --ctl SOCK` serves and
 * `pgenc ctl`, `pgenc dump` (and any other client) speak.
 *
 * Transport: a UNIX stream socket, created by `pgenc run` with mode 0600
 * (only its owner may connect). Several clients may be connected at
 * once; each is served in order, one response per request.
 *
 * Framing: JSON lines. A request is one JSON object on one line ended by
 * "\n"; the response is one JSON object on one line ended by "\n". A
 * line is at most CTL_MAX_LINE bytes, "\n" included; a longer request is
 * answered with an error (E2BIG) and the connection is closed.
 *
 * JSON subset (RFC 8259, parsed by jansson, then checked by
 * ctl_parse()): one object, whose values are strings, integers, true,
 * false or null: no nested objects or arrays, no fractions or exponents,
 * no duplicate keys, at most CTL_MAX_FIELDS members, keys of 1 to
 * CTL_MAX_KEY bytes. Integers are signed 64-bit: -2^63 .. 2^63-1.
 * (Protocol 1 first allowed 0 .. 2^64-1; no request a server accepted
 * and no response differs, as every gpa, gfn and length is inside guest
 * memory, so the version stays 1: a number past 2^63-1 is now EBADMSG
 * rather than ERANGE. The CLI refuses such numbers as usage errors.)
 * Strings are valid UTF-8 with valid escapes and no U+0000. Whitespace
 * may surround any token. A request with a key its command does not take
 * is refused.
 * Binary data travels as standard base64 with padding (RFC 4648 section
 * 4), no line breaks.
 *
 * Every request has "cmd". It may carry "id" (an integer or a string),
 * which the response repeats. Responses start with "ok":
 *
 *   {"ok":true, ...}
 *   {"ok":false,"error":"<message>","errno":<positive errno>}
 *
 * Commands (N: an integer, gpa/gfn/len in bytes or pages as named):
 *
 *   {"cmd":"version"}
 *     -> {"ok":true,"proto":1,"pgenc":"0.1.0"}
 *     "proto" is the protocol's version, CTL_PROTO_VERSION: a change
 *     that an old client could misread gets a new one. The CLI's client
 *     sends "version" first on every connection and refuses a server
 *     with another "proto" (exit status 3, naming both versions).
 *
 *   {"cmd":"stats"}
 *     -> {"ok":true,"state":"running|halted|shutdown|stopped|error",
 *         "sev":true|false,"sev_handle":N,"sev_policy":N,"sevsim":bool,
 *         "mem_bytes":N,"vcpus":N,"tracked_pages":N,"shared_pages":N,
 *         "encrypted_pages":N,"hypercalls":N,"hypercall_errors":N,
 *         "migration_control":N,"dbg_fw_cmds":N,"dbg_bypassed_pages":N,
 *         "counters":"debugfs"|"none"}
 *     tracked/shared/encrypted pages come from KVM_GET_PAGE_ENC_BITMAP
 *     over the guest's memory; hypercalls .. dbg_bypassed_pages from the
 *     VM's debugfs pgenc_stats (0, with "counters":"none", when debugfs
 *     is not mounted). sev_handle/sev_policy only for SEV guests.
 *     state: running (a vCPU runs), halted (every vCPU executed HLT),
 *     shutdown (a vCPU shut down: triple fault), stopped (quit), error
 *     (a vCPU failed).
 *
 *   {"cmd":"wait","timeout_ms":N}
 *     Wait until no vCPU runs (timeout_ms optional, default 30000, at
 *     most 3600000). -> {"ok":true,"state":"halted"} (or shutdown,
 *     error); ETIMEDOUT if the vCPUs still run.
 *
 *   {"cmd":"export","format":"raw|ranges|json","start_gfn":N,"num_pages":N}
 *     KVM_GET_PAGE_ENC_BITMAP, written in a libpgenc file format (see
 *     <pgenc/pgenc.h>). format defaults to "json"; start_gfn and
 *     num_pages default to the whole tracked memory, [0, mem pages).
 *     -> {"ok":true,"format":"json","start_gfn":N,"num_pages":N,
 *         "shared_pages":N,"data":"<base64 of the file's bytes>"}
 *
 *   {"cmd":"import","data":"<base64>"}
 *     The file's format is detected (raw, ranges or JSON), parsed
 *     strictly (at most the guest's pages), and installed with
 *     KVM_SET_PAGE_ENC_BITMAP (all or nothing).
 *     -> {"ok":true,"format":"ranges","start_gfn":N,"num_pages":N,
 *         "shared_pages":N}
 *     A parse error is EBADMSG with "line L column C: what" in "error".
 *
 *   {"cmd":"dump","gpa":N,"len":N}
 *     Read guest memory [gpa, gpa + len), 1 <= len <= CTL_DUMP_MAX,
 *     inside guest memory. SEV guest: KVM_SEV_DBG_DECRYPT, where pgenc's
 *     kernel copies pages the guest reported shared without the
 *     firmware; other guests: a plain read.
 *     -> {"ok":true,"gpa":N,"len":N,"method":"dbg_decrypt"|"read",
 *         "fw_cmds":N,"bypassed_pages":N,"counters":"debugfs"|"none",
 *         "data":"<base64>"}
 *     fw_cmds and bypassed_pages are the changes of the VM's debugfs
 *     counters across the request (0 with "counters":"none" when debugfs
 *     is absent, and for a plain read): each guest page the request
 *     touches counts once, as a firmware command (private) or a bypassed
 *     page (shared). Dumps are serialised, so the deltas are exact.
 *     Bypassed pages are only as trustworthy as the guest's reports.
 *     SEV firmware failures add "fw_error":N to the error response.
 *
 *   {"cmd":"migrate","uri":"tcp:HOST:PORT|unix:PATH|file:PATH",
 *    "force":bool,"no_bitmap":bool,"max_iterations":N,"progress":bool}
 *     Live-migrate the VM to `pgenc run --incoming URI` (file: save it;
 *     Documentation/migration.rst). force: migrate an SEV guest that
 *     has not written KVM_MIGRATION_READY; no_bitmap: every page of an
 *     SEV guest through the firmware; max_iterations: pre-copy passes
 *     after the first, 1..CTL_MIGRATE_ITERATIONS_MAX (default
 *     CTL_MIGRATE_ITERATIONS). With progress, lines
 *       {"ok":true,"progress":true,"iteration":N,"pages_sent":N,
 *        "dirty_pages":N,"dirty_rate":N}
 *     come before the response (the one exception to one line per
 *     request); dirty_rate is in pages per second.
 *     -> {"ok":true,"result":"migrated","iterations":N,"pages_plain":N,
 *         "pages_zero":N,"pages_fw":N,"fw_commands":N,"stream_bytes":N,
 *         "total_ms":N,"downtime_ms":N,"final_pass_pages":N}
 *     then `pgenc run` stops as after "quit". A failure is an error
 *     response with the same counters; the guest keeps running here
 *     (SEND_CANCEL done) and may be migrated again. EPERM: an SEV guest
 *     without KVM_MIGRATION_READY; EBUSY: a migration runs already.
 *
 *   {"cmd":"quit"}
 *     -> {"ok":true}, then `pgenc run` stops its vCPUs (if any still
 *     run), removes the socket and exits.
 *
 * Errno values in error responses (Linux numbering): EINVAL (bad or
 * missing argument, unknown key), ENOSYS (unknown command), EBADMSG
 * (malformed JSON, or a malformed bitmap file in import), E2BIG (line
 * too long, or a response that would be), ERANGE (outside guest
 * memory), ETIMEDOUT (wait), EBUSY (more than 16 clients at once: sent
 * on connect, then the connection is closed), and the errno of a failing
 * ioctl.
 */
#ifndef PGENC_CTL_PROTO_H
#define PGENC_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_PROTO_VERSION 1
#define CTL_MAX_LINE (32U << 20) /* bytes in a line, "\n" included */
#define CTL_DUMP_MAX (16U << 20) /* bytes one dump request returns */
#define CTL_MAX_FIELDS 32
#define CTL_MAX_KEY 64
#define CTL_MIGRATE_ITERATIONS 30 /* pre-copy passes after the first */
#define CTL_MIGRATE_ITERATIONS_MAX 1000

/*
 * Parsing
 * =======
 */
struct json_t;

/* A parsed message: a jansson object that passed the checks above. */
struct ctl_msg {
	struct json_t *obj;
};

struct ctl_error {
	unsigned int column; /* 1-based byte offset of a syntax error, or 0 */
	char msg[192];
};

/*
 * Parse len bytes of text (one line; a trailing "\n" or "\r\n" is
 * allowed) into *m. 0, -EBADMSG (with *err filled when err is not NULL)
 * or -ENOMEM. *m needs ctl_msg_free() after success only.
 */
int ctl_parse(const char *text, size_t len, struct ctl_msg *m,
	      struct ctl_error *err);
void ctl_msg_free(struct ctl_msg *m);

enum ctl_type {
	CTL_T_NONE, /* no such member */
	CTL_T_STRING,
	CTL_T_INT,
	CTL_T_BOOL,
	CTL_T_NULL,
};

/* The type of the member named key. */
enum ctl_type ctl_type_of(const struct ctl_msg *m, const char *key);
/*
 * Typed getters: 0 with *out set, -ENOENT if the key is absent, -EINVAL
 * if it has another type (or, for u64, a negative value). A string stays
 * valid until ctl_msg_free().
 */
int ctl_get_str(const struct ctl_msg *m, const char *key, const char **out,
		size_t *len);
int ctl_get_u64(const struct ctl_msg *m, const char *key, uint64_t *out);
int ctl_get_bool(const struct ctl_msg *m, const char *key, bool *out);
/*
 * The first key of m not in the NULL-terminated list allowed, or NULL
 * when every key is allowed.
 */
const char *ctl_unknown_key(const struct ctl_msg *m,
			    const char *const *allowed);

/*
 * Writing
 * =======
 *
 * A response or request is built as a jansson object, then written as one
 * compact line, members in the order they were set:
 *
 *	struct ctl_writer w;
 *
 *	ctl_w_init(&w);
 *	ctl_w_bool(&w, "ok", true);
 *	ctl_w_u64(&w, "shared_pages", n);
 *	if (ctl_w_finish(&w))	// w.buf: the line and "\n"
 *		...;		// -ENOMEM, or -ERANGE: a u64 past 2^63-1
 *	write(fd, w.buf, w.len);
 *	ctl_w_free(&w);
 *
 * Bytes of a string that are not valid UTF-8, and NULs, become U+FFFD, so
 * the output always parses.
 */
struct ctl_writer {
	struct json_t *obj;
	char *buf; /* after ctl_w_finish() */
	size_t len;
	int err; /* the first failure */
};

void ctl_w_init(struct ctl_writer *w);
void ctl_w_str(struct ctl_writer *w, const char *key, const char *s);
void ctl_w_strn(struct ctl_writer *w, const char *key, const char *s,
		size_t len);
void ctl_w_u64(struct ctl_writer *w, const char *key, uint64_t v);
void ctl_w_i64(struct ctl_writer *w, const char *key, int64_t v);
void ctl_w_bool(struct ctl_writer *w, const char *key, bool v);
void ctl_w_null(struct ctl_writer *w, const char *key);
/* The member key of a parsed message, copied when it is there. */
void ctl_w_copy(struct ctl_writer *w, const struct ctl_msg *m, const char *key);
void ctl_w_base64(struct ctl_writer *w, const char *key, const void *data,
		  size_t len);
int ctl_w_finish(struct ctl_writer *w);
void ctl_w_free(struct ctl_writer *w);

/*
 * Base64
 * ======
 *
 * OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock: standard alphabet, "="
 * padding, no line breaks. Decoding is strict: only the canonical
 * encoding of some bytes is accepted (a length that is not a multiple of
 * 4, a byte outside the alphabet, misplaced padding or non-zero unused
 * bits are -EBADMSG).
 */
size_t ctl_b64_encoded_len(size_t n); /* without the NUL */
/* out: ctl_b64_encoded_len(n) + 1 bytes; NUL-terminated. */
void ctl_b64_encode(const void *in, size_t n, char *out);
/* out: at least n / 4 * 3 bytes. 0 with *out_len set, or -EBADMSG. */
int ctl_b64_decode(const char *in, size_t n, void *out, size_t *out_len);

/*
 * Client
 * ======
 */

/* Connect to the socket at path: an fd, or -errno (-ENAMETOOLONG). */
int ctl_connect(const char *path);

/* Buffered line reading from a stream fd. */
struct ctl_reader {
	char *buf;
	size_t len; /* bytes held */
	size_t cap;
	size_t consumed; /* bytes of the last line returned */
};

/*
 * The next line (without "\n"; NUL-terminated) in *line, valid until the
 * next call: 1, 0 at end of stream (a partial last line is -EPROTO),
 * -E2BIG for a line longer than CTL_MAX_LINE, -ENOMEM or -errno.
 */
int ctl_read_line(int fd, struct ctl_reader *r, char **line, size_t *len);
void ctl_reader_free(struct ctl_reader *r);

/* Write all of buf: 0 or -errno (EPIPE does not raise SIGPIPE). */
int ctl_write_all(int fd, const void *buf, size_t len);

/*
 * Send the request line req (len bytes, "\n" included: a finished
 * writer's buf and len), read the response and parse it into *resp: 0
 * (whatever "ok" says), -EPROTO (no response, or not a valid message),
 * or -errno. When raw is not NULL, *raw gets a malloc()ed copy of the
 * response line (without "\n").
 */
int ctl_call(int fd, struct ctl_reader *r, const char *req, size_t len,
	     struct ctl_msg *resp, char **raw);

/*
 * For a response: true if "ok" is true. Otherwise *msg (if not NULL)
 * gets its "error" (or a placeholder) and *err its "errno" (or EPROTO).
 */
bool ctl_resp_ok(const struct ctl_msg *resp, const char **msg, int *err);

#endif /* PGENC_CTL_PROTO_H */
