/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libpgenc: the userspace side of pgenc, page encryption status tracking
 * for KVM SEV guests.
 *
 *  - struct pgenc_bitmap: one bit per guest page (gfn), 1 = encrypted;
 *    range iteration, diff;
 *  - three file formats (raw binary, "ranges" text, JSON), each with a
 *    writer and a strict parser that reports the line and column of the
 *    first problem;
 *  - wrappers of the KVM_CAP_PAGE_ENC_BITMAP capability and the
 *    KVM_{GET,SET}_PAGE_ENC_BITMAP VM ioctls;
 *  - hypercall 12 (KVM_HC_PAGE_ENC_STATUS) decoding, for VMMs that take
 *    the KVM_EXIT_HYPERCALL path themselves;
 *  - SEV launch, guest status and DBG_{DE,EN}CRYPT commands over
 *    KVM_MEMORY_ENCRYPT_OP, the whole launch sequence in one call
 *    (pgenc_sev_launch()), and the launch measurement (HMAC-SHA256).
 *
 * Conventions: functions that can fail return 0 (or a documented
 * non-negative value) on success and a negative errno on failure;
 * pgenc_strerror() turns it into a message. Out-parameters are written
 * only on success. The library keeps no global state: distinct objects
 * may be used from distinct threads at once; one object (a bitmap, a
 * digest) must not be modified by two threads at once.
 *
 * The ABI constants come from <linux/kvm_pgenc.h> (uapi/ in the source
 * tree). See Documentation/api.rst for the kernel side.
 */
#ifndef PGENC_PGENC_H
#define PGENC_PGENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>

#include <linux/kvm_pgenc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library version ("0.1.0"); the soname is libpgenc.so.0. */
const char *pgenc_version(void);

/*
 * A message for a return value of this library: err may be negative (as
 * returned) or positive. Never NULL; the string is static.
 */
const char *pgenc_strerror(int err);

/*
 * Bitmaps
 * =======
 *
 * Bit i of bits describes gfn start_gfn + i: bit (i % 8) of byte (i / 8),
 * least significant bit first, 1 = encrypted, 0 = shared. This is the
 * memory image KVM_{GET,SET}_PAGE_ENC_BITMAP use.
 *
 * Every bitmap has 1 <= num_pages <= PGENC_MAX_PAGES, and
 * start_gfn + num_pages does not overflow 64 bits (the kernel's rule: the
 * exclusive end gfn must be representable). Bitmaps made by the library
 * keep the bits past num_pages in the last byte at 0; the library ignores
 * them on input. The fields may be read freely, and the bytes of bits
 * written; start_gfn and num_pages must not be changed.
 */
struct pgenc_bitmap {
	uint64_t start_gfn;
	uint64_t num_pages;
	uint8_t *bits; /* ceil(num_pages / 8) bytes */
};

#define PGENC_MAX_PAGES (1ULL << 40)

/*
 * A new bitmap of num_pages pages from start_gfn, every page encrypted
 * (encrypted true, like KVM's initial state) or shared. -EINVAL for a
 * num_pages of 0 or above PGENC_MAX_PAGES or a range that overflows,
 * -ENOMEM. Free with pgenc_bitmap_free().
 */
int pgenc_bitmap_new(uint64_t start_gfn, uint64_t num_pages, bool encrypted,
		     struct pgenc_bitmap **out);
int pgenc_bitmap_dup(const struct pgenc_bitmap *b, struct pgenc_bitmap **out);
void pgenc_bitmap_free(struct pgenc_bitmap *b); /* NULL is a no-op */

/* ceil(num_pages / 8): the size of bits. */
size_t pgenc_bitmap_bytes(const struct pgenc_bitmap *b);

/* 1 if gfn is encrypted, 0 if shared, -ERANGE if outside the bitmap. */
int pgenc_bitmap_get(const struct pgenc_bitmap *b, uint64_t gfn);
/* 0, or -ERANGE if gfn is outside the bitmap. */
int pgenc_bitmap_set(struct pgenc_bitmap *b, uint64_t gfn, bool encrypted);
/*
 * Set npages pages from first_gfn. -EINVAL if npages is 0, -ERANGE if
 * the range is not entirely inside the bitmap (nothing changes).
 */
int pgenc_bitmap_fill(struct pgenc_bitmap *b, uint64_t first_gfn,
		      uint64_t npages, bool encrypted);
/* The number of encrypted (or shared) pages. */
uint64_t pgenc_bitmap_count(const struct pgenc_bitmap *b, bool encrypted);
/* Same start_gfn, num_pages and page states. */
bool pgenc_bitmap_equal(const struct pgenc_bitmap *a,
			const struct pgenc_bitmap *b);

/*
 * Ranges
 * ======
 *
 * A run of pages in the same state: gfns first..last, inclusive.
 */
struct pgenc_range {
	uint64_t first;
	uint64_t last;
	bool encrypted;
};

#define PGENC_RANGE_CURSOR_INIT 0

/*
 * Iterate the maximal runs of equal bits in ascending order:
 *
 *	uint64_t cur = PGENC_RANGE_CURSOR_INIT;
 *	struct pgenc_range r;
 *
 *	while (pgenc_range_next(b, &cur, &r) > 0)
 *		...;
 *
 * Returns 1 with *r filled, 0 at the end, -EINVAL for NULL arguments.
 * The cursor is the index (from start_gfn) of the next page to report;
 * a cursor set by hand starts a run there. Runs of equal bits are found
 * a machine word at a time.
 */
int pgenc_range_next(const struct pgenc_bitmap *b, uint64_t *cursor,
		     struct pgenc_range *r);

/*
 * The same as a callback: fn is called for each run; a non-zero return
 * stops the walk and is returned. 0 when every run was visited.
 */
typedef int (*pgenc_range_fn)(const struct pgenc_range *r, void *arg);
int pgenc_range_foreach(const struct pgenc_bitmap *b, pgenc_range_fn fn,
			void *arg);

/*
 * Diff
 * ====
 *
 * From a (old) to b (new), over the union of their spans: from the lower
 * start_gfn to the higher last gfn. A page outside a bitmap reads as
 * encrypted there (as KVM reads untracked pages). runs[] lists, in
 * ascending order, the maximal runs of pages whose state differs, with
 * the same new state: r.encrypted is the state in b, a has the other.
 * Counting is linear in the pages the bitmaps cover, not in the span of
 * the union (two bitmaps far apart are cheap to compare).
 */
struct pgenc_diff {
	uint64_t first_gfn; /* the union compared, inclusive */
	uint64_t last_gfn;
	uint64_t became_shared; /* pages encrypted in a, shared in b */
	uint64_t became_encrypted; /* pages shared in a, encrypted in b */
	size_t nr_runs;
	struct pgenc_range *runs;
};

/* Free with pgenc_diff_free(). -EINVAL, -ENOMEM. */
int pgenc_diff(const struct pgenc_bitmap *a, const struct pgenc_bitmap *b,
	       struct pgenc_diff **out);
void pgenc_diff_free(struct pgenc_diff *d); /* NULL is a no-op */

/*
 * One line per run, "0x00010-0x0001f encrypted -> shared", gfns padded
 * as in the ranges format. 0 or a negative errno (write error).
 */
int pgenc_diff_write(FILE *f, const struct pgenc_diff *d);

/*
 * Formats
 * =======
 *
 * PGENC_FORMAT_RAW: a 32-byte header, all integers little-endian:
 *	offset  0  magic "PGENCBM\0" (8 bytes)
 *	offset  8  u32 version, 1
 *	offset 12  u32 header size, 32 (a version 1 reader requires 32)
 *	offset 16  u64 start_gfn
 *	offset 24  u64 num_pages
 * then exactly ceil(num_pages / 8) bytes of bits as in struct
 * pgenc_bitmap; the bits past num_pages in the last byte must be 0.
 *
 * PGENC_FORMAT_RANGES: text, one run per line,
 *	0x00000-0x0009f encrypted
 *	0x000a0-0x000bf shared
 * Accepted grammar, per line (LF ends a line; CR LF is accepted too):
 *	[blanks] [first "-" last blanks state [blanks]] ["#" comment]
 * where blanks are spaces and tabs, first and last are "0x" (or "0X")
 * and 1 or more hex digits (either case; any number of leading zeros),
 * inclusive, and state is "encrypted" or "shared". Blank and comment
 * lines are ignored. The ranges must be in ascending order, each
 * starting right after the previous one (no gap, no overlap); adjacent
 * ranges may have the same state. The bitmap is exactly their union:
 * start_gfn is the first range's first gfn. At least one range is
 * required; NUL bytes, and CR other than before LF, are rejected
 * anywhere, comments included. The writer emits maximal runs, in
 * lowercase, zero-padded to the width of the largest gfn.
 *
 * PGENC_FORMAT_JSON (RFC 8259, strict):
 *	{"version":1,"start_gfn":0,"num_pages":256,"ranges":[
 *	{"first":0,"last":159,"state":"encrypted"},
 *	{"first":160,"last":255,"state":"shared"}
 *	]}
 * Objects must have exactly these keys, in any order (duplicate or
 * unknown keys are errors); numbers are non-negative integers that fit
 * in 64 bits (no sign, fraction or exponent); version is 1. The ranges
 * follow the rules of the ranges format and must cover exactly
 * [start_gfn, start_gfn + num_pages). Only whitespace may follow the
 * object. Strings must be valid UTF-8 and escapes valid. Errors are
 * reported in reading order, except for what depends on other keys
 * (start_gfn + num_pages overflowing, the ranges' coverage), which is
 * checked once the whole object has been read, in document order.
 *
 * Auto-detection: raw if the data begins with the 8-byte magic; else JSON
 * if the first byte that is not JSON whitespace is '{'; else ranges.
 */
enum pgenc_format {
	PGENC_FORMAT_AUTO = 0, /* for parsing only */
	PGENC_FORMAT_RAW,
	PGENC_FORMAT_RANGES,
	PGENC_FORMAT_JSON,
};

#define PGENC_RAW_MAGIC "PGENCBM" /* 8 bytes with its NUL */
#define PGENC_RAW_VERSION 1
#define PGENC_RAW_HEADER_SIZE 32
#define PGENC_JSON_VERSION 1

/* "auto", "raw", "ranges", "json"; NULL for an unknown value. */
const char *pgenc_format_name(enum pgenc_format fmt);
/* The reverse (exact, lowercase names). -EINVAL for an unknown name. */
int pgenc_format_from_name(const char *name, enum pgenc_format *fmt);
/* RAW, JSON or RANGES, by the rule above. */
enum pgenc_format pgenc_format_detect(const void *data, size_t len);

/*
 * Where the input is wrong. line and column are 1-based; column counts
 * bytes. For the raw (binary) format line is 0 and column is the 1-based
 * byte offset of the offending field or byte (len + 1 for a truncated
 * input). msg is a NUL-terminated English sentence fragment.
 */
struct pgenc_parse_error {
	unsigned int line;
	unsigned int column;
	char msg[128];
};

/*
 * Parse len bytes of data in format fmt (PGENC_FORMAT_AUTO detects it).
 * max_pages limits num_pages (0 means PGENC_MAX_PAGES; a larger value is
 * clamped to it), so that a small input cannot make the library allocate
 * a huge bitmap. -EBADMSG for malformed input, with *err filled when err
 * is not NULL (it is cleared on success); -EINVAL, -ENOMEM.
 */
int pgenc_parse(const void *data, size_t len, enum pgenc_format fmt,
		uint64_t max_pages, struct pgenc_bitmap **out,
		struct pgenc_parse_error *err);
/*
 * The same on the rest of a stream, read to its end; also -errno (or
 * -EIO) for a read error.
 */
int pgenc_read(FILE *f, enum pgenc_format fmt, uint64_t max_pages,
	       struct pgenc_bitmap **out, struct pgenc_parse_error *err);

/*
 * Write b in format fmt (not AUTO: -EINVAL). The FILE is flushed; a write
 * error is -errno (or -EIO).
 */
int pgenc_write(FILE *f, const struct pgenc_bitmap *b, enum pgenc_format fmt);
/*
 * The same into a new malloc()ed buffer (free it with free()), NUL
 * terminated for convenience; *len excludes the NUL.
 */
int pgenc_write_mem(const struct pgenc_bitmap *b, enum pgenc_format fmt,
		    void **buf, size_t *len);

/*
 * KVM ioctls
 * ==========
 *
 * All return -errno from the ioctl: -ENOTTY when the pgenc modules are
 * not loaded, -ENXIO when tracking is not enabled on the VM, -EINVAL for
 * a range outside tracked memory (SET), ...
 */

/*
 * KVM_CHECK_EXTENSION(KVM_CAP_PAGE_ENC_BITMAP) on /dev/kvm or a VM fd:
 * the mask of KVM_PAGE_ENC_CAP_* flags (0 on stock KVM), or -errno.
 */
int pgenc_vm_check(int fd);
/* KVM_ENABLE_CAP(KVM_CAP_PAGE_ENC_BITMAP): turn tracking on (non-SEV). */
int pgenc_vm_enable(int vmfd);
/* KVM_GET_PAGE_ENC_BITMAP of [start_gfn, start_gfn + num_pages). */
int pgenc_vm_get_bitmap(int vmfd, uint64_t start_gfn, uint64_t num_pages,
			struct pgenc_bitmap **out);
/* The same into an existing bitmap, over its own range. */
int pgenc_vm_get_bitmap_into(int vmfd, struct pgenc_bitmap *b);
/* KVM_SET_PAGE_ENC_BITMAP: install b's range (all or nothing). */
int pgenc_vm_set_bitmap(int vmfd, const struct pgenc_bitmap *b);
/* KVM_SET_PAGE_ENC_BITMAP with a NULL buffer: the range to encrypted. */
int pgenc_vm_reset(int vmfd, uint64_t start_gfn, uint64_t num_pages);

/*
 * Hypercall 12
 * ============
 *
 * For a VMM that takes KVM_EXIT_HYPERCALL for nr 12 (run->hypercall.args
 * [0..2] = a0..a2). Decoding is the kernel's (kernel/pgenc_bits.h):
 * a0 = gpa, 4 KiB aligned; a1 = number of 4 KiB pages, >= 1, and the
 * range [a0 >> 12, (a0 >> 12) + a1) must lie inside tracked memory (so
 * it cannot wrap); a2 = attributes: bits 3:0 a page-size hint of 0..2,
 * bit 4 encrypted, bits 63:5 reserved (0); encrypted = (a2 & 0x10) ||
 * a2 == 1 (the seed encoding, 1 encrypted / 0 shared).
 *
 * On -EINVAL the guest should get -KVM_EINVAL (-22) in RAX.
 */
struct pgenc_hypercall {
	uint64_t gfn;
	uint64_t npages;
	bool encrypted;
};

/*
 * Decode against tracked memory [0, tracked_pages). 0 with *req filled,
 * or -EINVAL.
 */
int pgenc_hypercall_decode(uint64_t a0, uint64_t a1, uint64_t a2,
			   uint64_t tracked_pages, struct pgenc_hypercall *req);
/*
 * Decode against tracked memory = b's range [start_gfn, start_gfn +
 * num_pages) and apply the request to b. 0 or -EINVAL (b unchanged).
 */
int pgenc_hypercall_apply(struct pgenc_bitmap *b, uint64_t a0, uint64_t a1,
			  uint64_t a2);

/*
 * SEV
 * ===
 *
 * Thin wrappers of KVM_MEMORY_ENCRYPT_OP (struct kvm_sev_cmd): vmfd is
 * the VM, sev_fd an open /dev/sev. Each returns 0 or -errno and, when
 * fw_error is not NULL, stores the firmware status code there (0 when
 * the command succeeded; see pgenc_sev_fw_strerror()). Lengths above
 * UINT32_MAX are -EINVAL without a call.
 */
struct pgenc_sev_platform_status {
	uint8_t api_major;
	uint8_t api_minor;
	uint8_t build;
	uint8_t state; /* 0 UNINIT, 1 INIT, 2 WORKING */
	uint32_t flags;
	uint32_t guest_count;
};

struct pgenc_sev_guest_status {
	uint32_t handle;
	uint32_t policy;
	uint32_t state; /* see pgenc_sev_guest_state_name() */
};

/* SEV_ISSUE_CMD(SEV_PLATFORM_STATUS) on sev_fd (/dev/sev). */
int pgenc_sev_platform_status(int sev_fd, struct pgenc_sev_platform_status *st,
			      int *fw_error);
/* KVM_SEV_INIT, or KVM_SEV_ES_INIT when es (turns tracking on, too). */
int pgenc_sev_init(int vmfd, int sev_fd, bool es, int *fw_error);
/* KVM_SEV_LAUNCH_START with no DH certificate or session; *handle out. */
int pgenc_sev_launch_start(int vmfd, int sev_fd, uint32_t policy,
			   uint32_t *handle, int *fw_error);
/*
 * The same with the guest owner's DH certificate and session blobs, and
 * an input handle (0 for a new guest context).
 */
int pgenc_sev_launch_start_ex(int vmfd, int sev_fd, uint32_t policy,
			      const void *dh_cert, size_t dh_len,
			      const void *session, size_t session_len,
			      uint32_t *handle, int *fw_error);
/* KVM_SEV_LAUNCH_UPDATE_DATA: encrypt [addr, addr + len) in place. */
int pgenc_sev_launch_update_data(int vmfd, int sev_fd, void *addr, size_t len,
				 int *fw_error);
/* KVM_SEV_LAUNCH_UPDATE_VMSA (SEV-ES): the vCPUs' register state. */
int pgenc_sev_launch_update_vmsa(int vmfd, int sev_fd, int *fw_error);

#define PGENC_SEV_TIK_SIZE 16
#define PGENC_SEV_DIGEST_SIZE 32
#define PGENC_SEV_MNONCE_SIZE 16
#define PGENC_SEV_MEASURE_SIZE 32
/* What LAUNCH_MEASURE returns: the measurement, then the mnonce. */
#define PGENC_SEV_MEASURE_BLOB_SIZE 48

/* KVM_SEV_LAUNCH_MEASURE into out (PGENC_SEV_MEASURE_BLOB_SIZE bytes). */
int pgenc_sev_launch_measure(int vmfd, int sev_fd, uint8_t *out, int *fw_error);
int pgenc_sev_launch_finish(int vmfd, int sev_fd, int *fw_error);
int pgenc_sev_guest_status(int vmfd, int sev_fd,
			   struct pgenc_sev_guest_status *st, int *fw_error);
/*
 * KVM_SEV_DBG_DECRYPT / KVM_SEV_DBG_ENCRYPT of len bytes. src and dst are
 * addresses in this process: for decrypt src is guest memory, for encrypt
 * dst is. With pgenc, pages the guest reported shared are copied without
 * the firmware (only as true as the guest's reports).
 */
int pgenc_sev_dbg_decrypt(int vmfd, int sev_fd, const void *src, void *dst,
			  size_t len, int *fw_error);
int pgenc_sev_dbg_encrypt(int vmfd, int sev_fd, const void *src, void *dst,
			  size_t len, int *fw_error);

/*
 * The name and meaning of an SEV firmware status code (enum sev_ret_code
 * in <linux/psp-sev.h>), e.g. "INVALID_GUEST_STATE: ...". Never NULL.
 */
const char *pgenc_sev_fw_strerror(int code);
/* "UNINIT", "LUPDATE", "LSECRET", "RUNNING", ...; never NULL. */
const char *pgenc_sev_guest_state_name(uint32_t state);

/*
 * The launch measurement (SEV API 6.5.2, LAUNCH_MEASURE):
 *	HMAC-SHA256(key = TIK, 0x04 || API_MAJOR || API_MINOR || BUILD ||
 *		    POLICY (u32 LE) || LD (32 bytes) || MNONCE (16 bytes))
 * LD is the launch digest (below). api_* and build are the firmware's,
 * from SEV_PLATFORM_STATUS. 0, or -EINVAL/-ENOMEM/-EIO (libcrypto).
 */
int pgenc_sev_measure(const uint8_t *tik, uint8_t api_major, uint8_t api_minor,
		      uint8_t build, uint32_t policy, const uint8_t *digest,
		      const uint8_t *mnonce, uint8_t *out);
/*
 * Check a LAUNCH_MEASURE blob (48 bytes: measurement, mnonce) against
 * the expected inputs, comparing in constant time. 0 on a match,
 * -EKEYREJECTED on a mismatch, or an error of pgenc_sev_measure().
 */
int pgenc_sev_verify(const uint8_t *tik, uint8_t api_major, uint8_t api_minor,
		     uint8_t build, uint32_t policy, const uint8_t *digest,
		     const uint8_t *blob);

/*
 * The launch digest: SHA-256 over the concatenation, in order, of the
 * plaintext passed to every LAUNCH_UPDATE_DATA (and, for SEV-ES, of the
 * VMSAs, in the order the firmware saw them).
 */
struct pgenc_sev_digest;
int pgenc_sev_digest_new(struct pgenc_sev_digest **out);
int pgenc_sev_digest_update(struct pgenc_sev_digest *d, const void *data,
			    size_t len);
/* The digest so far; the object may not be updated afterwards. */
int pgenc_sev_digest_final(struct pgenc_sev_digest *d, uint8_t *out);
void pgenc_sev_digest_free(struct pgenc_sev_digest *d); /* NULL: no-op */
/* One shot over iovcnt buffers. */
int pgenc_sev_launch_digest(const struct iovec *iov, size_t iovcnt,
			    uint8_t *out);

/*
 * The launch sequence
 * -------------------
 *
 * pgenc_sev_launch() runs, on a VM after pgenc_sev_init():
 *
 *	LAUNCH_START -> LAUNCH_UPDATE_DATA of each region, in order ->
 *	[LAUNCH_UPDATE_VMSA] -> LAUNCH_MEASURE -> [verify] -> LAUNCH_FINISH
 *
 * and stops at the first failure: no later command is issued (in
 * particular no LAUNCH_FINISH after a failed MEASURE or a measurement
 * that does not verify), and res says which step failed and why. The
 * guest context then stays as the firmware left it; closing the VM
 * frees it.
 *
 * Verification (verify = true) recomputes the measurement from the TIK,
 * the firmware's API version and build, the policy and the launch
 * digest, and compares it with the one LAUNCH_MEASURE returned. The TIK
 * is tik, or else what get_tik() provides once LAUNCH_START has named
 * the handle (sevsim keeps it in debugfs under the handle). The digest
 * is expected_digest when given, else the SHA-256 of the regions'
 * plaintext as this function passed them; VMSAs are measured too, and
 * their plaintext is the kernel's, so with update_vmsa verification
 * needs expected_digest.
 */
enum pgenc_sev_launch_step {
	PGENC_SEV_STEP_NONE, /* nothing failed */
	PGENC_SEV_STEP_ARGS, /* invalid parameters: no command issued */
	PGENC_SEV_STEP_PLATFORM_STATUS, /* only when verifying, no platform */
	PGENC_SEV_STEP_START,
	PGENC_SEV_STEP_TIK, /* get_tik() */
	PGENC_SEV_STEP_DIGEST, /* libcrypto */
	PGENC_SEV_STEP_UPDATE_DATA, /* region failed_index */
	PGENC_SEV_STEP_UPDATE_VMSA,
	PGENC_SEV_STEP_MEASURE,
	PGENC_SEV_STEP_VERIFY, /* -EKEYREJECTED: the measurement differs */
	PGENC_SEV_STEP_FINISH,
};

/* Guest memory to launch, as mapped in this process (16-byte aligned). */
struct pgenc_sev_region {
	void *addr;
	size_t len;
};

struct pgenc_sev_launch_result;

struct pgenc_sev_launch_params {
	uint32_t policy;
	uint32_t handle; /* non-zero: LAUNCH_START shares this guest's keys */
	/* The guest owner's DH certificate and session blobs, or NULL/0. */
	const void *dh_cert;
	size_t dh_len;
	const void *session;
	size_t session_len;
	const struct pgenc_sev_region *regions;
	size_t nr_regions;
	bool update_vmsa; /* SEV-ES: measure and encrypt the vCPUs' state */

	bool verify;
	const uint8_t *tik; /* PGENC_SEV_TIK_SIZE bytes, or NULL: get_tik */
	/* 0 with tik filled, or -errno (the launch stops: STEP_TIK). */
	int (*get_tik)(void *opaque, uint32_t handle, uint8_t *tik);
	const uint8_t *expected_digest; /* PGENC_SEV_DIGEST_SIZE, or NULL */
	/* The firmware's version; NULL: SEV_PLATFORM_STATUS on sev_fd. */
	const struct pgenc_sev_platform_status *platform;

	/*
	 * Called after each step that succeeded (index: the region for
	 * UPDATE_DATA, else 0), with the result so far. May be NULL.
	 */
	void (*progress)(void *opaque, enum pgenc_sev_launch_step step,
			 size_t index,
			 const struct pgenc_sev_launch_result *res);
	void *opaque; /* for get_tik() and progress() */
};

struct pgenc_sev_launch_result {
	uint32_t handle; /* from LAUNCH_START */
	/* LAUNCH_MEASURE: the measurement, then the mnonce. */
	uint8_t blob[PGENC_SEV_MEASURE_BLOB_SIZE];
	/* SHA-256 of the regions' plaintext, in order (VMSAs excluded). */
	uint8_t digest[PGENC_SEV_DIGEST_SIZE];
	bool verified;
	/* On failure: where, the -errno returned and the firmware status. */
	enum pgenc_sev_launch_step failed_step;
	size_t failed_index; /* the region, for STEP_UPDATE_DATA */
	int error;
	int fw_error; /* SEV_RET_*, SEV_RET_NO_FW_CALL (-1) if none issued */
};

/*
 * Run the launch sequence. 0, or the -errno of the failed step. res is
 * always written (reset first), on failure too: this is the exception
 * to the rule that out-parameters are written only on success.
 */
int pgenc_sev_launch(int vmfd, int sev_fd,
		     const struct pgenc_sev_launch_params *p,
		     struct pgenc_sev_launch_result *res);
/* "LAUNCH_START", "LAUNCH_UPDATE_DATA", ...; never NULL. */
const char *pgenc_sev_launch_step_name(enum pgenc_sev_launch_step step);

#ifdef __cplusplus
}
#endif

#endif /* PGENC_PGENC_H */
