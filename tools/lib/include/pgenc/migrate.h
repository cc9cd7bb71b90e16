/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libpgenc: the live migration stream (Documentation/migration.rst,
 * "The stream"). Part of <pgenc/pgenc.h>; this header also stands alone.
 *
 * A stream is a 16-byte header (magic "PGENCMIG", version, direction)
 * followed by records: a 16-byte record header (type, flags, payload
 * length, sequence number, CRC-32C of the header and payload) and the
 * payload. All integers are little-endian. The source sends the forward
 * stream (VM description, SEV session, pages, bitmap, vCPUs, end); the
 * target answers on the reverse stream (its PDH certificate, then an
 * acknowledgement).
 *
 * The encoder appends records to a growing buffer and checks sizes only,
 * so that tests can build bad streams. The decoder checks everything:
 * the header, each record's type, flags, length, sequence number and
 * checksum, its payload, and the order of records; the first problem is
 * -EBADMSG with a message naming the record and its stream offset.
 * Both are pure functions of their inputs (no I/O, no global state).
 */
#ifndef PGENC_MIGRATE_H
#define PGENC_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pgenc/bitmap.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PGENC_MIG_MAGIC "PGENCMIG" /* 8 bytes, no NUL */
#define PGENC_MIG_VERSION 1
#define PGENC_MIG_HDR_SIZE 16 /* the stream header */
#define PGENC_MIG_REC_HDR_SIZE 16 /* a record header */
#define PGENC_MIG_PAGE_SIZE 4096
#define PGENC_MIG_MAX_BLOB 65536 /* a certificate, session or chain */
#define PGENC_MIG_MAX_FW_HDR 1024 /* a firmware packet header */
#define PGENC_MIG_MAX_MSG 256 /* an acknowledgement's message */
#define PGENC_MIG_MAX_MSRS 1024
#define PGENC_MIG_MAX_VCPUS 1024
/* The largest payload of any record (a bitmap of 2^40 pages is not). */
#define PGENC_MIG_MAX_PAYLOAD (64U << 20)

enum pgenc_mig_dir {
	PGENC_MIG_FORWARD = 0, /* source -> target */
	PGENC_MIG_REVERSE = 1, /* target -> source */
};

enum pgenc_mig_type {
	PGENC_MIG_DESC = 1, /* the VM: memory, vCPUs, SEV, policy */
	PGENC_MIG_SESSION = 2, /* SEV: source PDH, session blob, policy */
	PGENC_MIG_PAGE = 3, /* a plain page */
	PGENC_MIG_ZERO = 4, /* a run of all-zero plain pages */
	PGENC_MIG_FW = 5, /* SEV packet: header + transport ciphertext */
	PGENC_MIG_BITMAP = 6, /* the final page encryption bitmap */
	PGENC_MIG_VCPU = 7, /* one vCPU's state, in sections */
	PGENC_MIG_END = 8, /* counts of what came before */
	PGENC_MIG_PDH = 9, /* reverse: the target's PDH cert and chain */
	PGENC_MIG_ACK = 10, /* reverse: the target's verdict */
};
#define PGENC_MIG_TYPE_MAX 10

/* DESC flags. */
#define PGENC_MIG_F_SEV 0x1 /* an SEV guest: a SESSION record follows */
#define PGENC_MIG_F_NO_BITMAP 0x2 /* every page went through the firmware */
#define PGENC_MIG_F_ALL 0x3

struct pgenc_mig_desc {
	uint64_t mem_size; /* bytes from GPA 0, whole pages */
	uint32_t nr_vcpus; /* 1..PGENC_MIG_MAX_VCPUS */
	uint32_t flags; /* PGENC_MIG_F_* */
	uint32_t policy; /* SEV guest policy (0 without SEV) */
};

/*
 * The sections of a VCPU record, each at most once. Their contents are
 * the KVM structures of <linux/kvm.h> on x86-64 (the decoder checks
 * their exact sizes): REGS, SREGS, MP_STATE and MSRS are required.
 */
enum pgenc_mig_sec {
	PGENC_MIG_SEC_REGS = 1, /* struct kvm_regs */
	PGENC_MIG_SEC_SREGS = 2, /* struct kvm_sregs */
	PGENC_MIG_SEC_FPU = 3, /* struct kvm_fpu */
	PGENC_MIG_SEC_XSAVE = 4, /* struct kvm_xsave (4096 bytes) */
	PGENC_MIG_SEC_XCRS = 5, /* struct kvm_xcrs */
	PGENC_MIG_SEC_EVENTS = 6, /* struct kvm_vcpu_events */
	PGENC_MIG_SEC_MP_STATE = 7, /* struct kvm_mp_state */
	PGENC_MIG_SEC_MSRS = 8, /* struct kvm_msr_entry[N], N >= 1 */
	PGENC_MIG_SEC_VMM = 9, /* u32 PGENC_MIG_VMM_*: the VMM's own state */
};
#define PGENC_MIG_SEC_MAX 9
#define PGENC_MIG_VMM_HALTED 0x1 /* the vCPU executed HLT: do not run it */

struct pgenc_mig_section {
	const void *data; /* NULL when absent */
	uint32_t len;
};

/* A decoded record; pointers point into the buffer decoded. */
struct pgenc_mig_rec {
	enum pgenc_mig_type type;
	uint32_t seq;
	uint64_t offset; /* of the record header in the stream */
	union {
		struct pgenc_mig_desc desc;
		struct {
			uint32_t policy;
			const uint8_t *pdh;
			uint32_t pdh_len;
			const uint8_t *session;
			uint32_t session_len;
		} session;
		struct {
			uint64_t gpa;
			const uint8_t *data; /* PGENC_MIG_PAGE_SIZE bytes */
		} page;
		struct {
			uint64_t gpa;
			uint64_t npages;
		} zero;
		struct {
			uint64_t gpa;
			const uint8_t *hdr;
			uint32_t hdr_len;
			const uint8_t *trans;
			uint32_t trans_len; /* PGENC_MIG_PAGE_SIZE */
		} fw;
		struct {
			uint64_t start_gfn; /* 0 */
			uint64_t num_pages; /* the guest's pages */
			const uint8_t *bits; /* 1 = encrypted, like bitmap.h */
		} bitmap;
		struct {
			uint32_t index;
			struct pgenc_mig_section sec[PGENC_MIG_SEC_MAX + 1];
		} vcpu;
		struct {
			uint64_t pages_plain, pages_zero, pages_fw, records;
		} end;
		struct {
			const uint8_t *pdh;
			uint32_t pdh_len;
			const uint8_t *chain;
			uint32_t chain_len;
		} pdh;
		struct {
			uint32_t status; /* 0: migrated; else a positive errno */
			char msg[PGENC_MIG_MAX_MSG + 1]; /* NUL-terminated */
		} ack;
	} u;
};

struct pgenc_mig_error {
	uint64_t offset; /* in the stream, of the record (or header) */
	uint32_t seq; /* the record's position (0: the first record) */
	char msg[256]; /* "record 5 (PAGE) at offset 0x2010: ..." */
};

/*
 * Encoder
 * =======
 */
struct pgenc_mig_enc {
	uint8_t *buf; /* the bytes not yet taken */
	size_t len, cap;
	uint32_t seq; /* the next record's */
	uint64_t offset; /* stream bytes encoded so far */
	uint64_t pages_plain, pages_zero, pages_fw; /* for END */
	int err; /* sticky: the first failure (-ENOMEM, -EINVAL) */
};

/* Start a stream: its header goes into the buffer. 0 or -ENOMEM. */
int pgenc_mig_enc_init(struct pgenc_mig_enc *e, enum pgenc_mig_dir dir);
void pgenc_mig_enc_free(struct pgenc_mig_enc *e);
/* After the caller wrote out buf[0..len): empty the buffer. */
void pgenc_mig_enc_clear(struct pgenc_mig_enc *e);

/* Each appends one record: 0, or -EINVAL (a size) / -ENOMEM. */
int pgenc_mig_put_desc(struct pgenc_mig_enc *e, const struct pgenc_mig_desc *d);
int pgenc_mig_put_session(struct pgenc_mig_enc *e, uint32_t policy,
			  const void *pdh, size_t pdh_len, const void *session,
			  size_t session_len);
int pgenc_mig_put_page(struct pgenc_mig_enc *e, uint64_t gpa, const void *data);
int pgenc_mig_put_zero(struct pgenc_mig_enc *e, uint64_t gpa, uint64_t npages);
int pgenc_mig_put_fw(struct pgenc_mig_enc *e, uint64_t gpa, const void *hdr,
		     size_t hdr_len, const void *trans, size_t trans_len);
int pgenc_mig_put_bitmap(struct pgenc_mig_enc *e, const struct pgenc_bitmap *b);
/* sec[1..PGENC_MIG_SEC_MAX]: the sections present (data != NULL). */
int pgenc_mig_put_vcpu(struct pgenc_mig_enc *e, uint32_t index,
		       const struct pgenc_mig_section *sec);
/* END with the encoder's counts of PAGE, ZERO and FW pages and records. */
int pgenc_mig_put_end(struct pgenc_mig_enc *e);
int pgenc_mig_put_pdh(struct pgenc_mig_enc *e, const void *pdh, size_t pdh_len,
		      const void *chain, size_t chain_len);
int pgenc_mig_put_ack(struct pgenc_mig_enc *e, uint32_t status,
		      const char *msg);

/*
 * Decoder
 * =======
 *
 *	pgenc_mig_dec_init(&d, PGENC_MIG_FORWARD);
 *	pgenc_mig_dec_header(&d, first 16 bytes, &err);
 *	loop:
 *		pgenc_mig_dec_rec_len(&d, next 16 bytes, &len, &err);
 *		read len more bytes after them;
 *		pgenc_mig_dec_record(&d, the 16 + len bytes, &rec, &err);
 *		until rec.type is END (forward) or ACK (reverse)
 *	at the end of the stream: pgenc_mig_dec_finish(&d, &err)
 *
 * Each returns 0 or -EBADMSG (err filled; the decoder then refuses
 * everything). Forward order: DESC; SESSION if and only if the DESC
 * says SEV; PAGE, ZERO, FW in any number (FW only for SEV, PAGE and
 * ZERO not with NO_BITMAP; inside guest memory); BITMAP once; one VCPU
 * per vCPU in index order; END, whose counts must match. Reverse order:
 * at most one PDH, then ACK. Nothing may follow END or ACK.
 */
enum pgenc_mig_dec_state {
	PGENC_MIG_S_HEADER,
	PGENC_MIG_S_DESC,
	PGENC_MIG_S_SESSION,
	PGENC_MIG_S_PAGES,
	PGENC_MIG_S_VCPUS,
	PGENC_MIG_S_END,
	PGENC_MIG_S_REVERSE,
	PGENC_MIG_S_DONE,
	PGENC_MIG_S_FAILED,
};

struct pgenc_mig_dec {
	enum pgenc_mig_dir dir;
	enum pgenc_mig_dec_state state;
	uint64_t offset; /* of the next record header */
	uint32_t seq; /* expected next */
	struct pgenc_mig_desc desc;
	uint64_t pages_plain, pages_zero, pages_fw;
	uint32_t vcpus; /* VCPU records seen */
	bool pdh_seen;
};

void pgenc_mig_dec_init(struct pgenc_mig_dec *d, enum pgenc_mig_dir dir);
int pgenc_mig_dec_header(struct pgenc_mig_dec *d, const void *hdr,
			 struct pgenc_mig_error *err);
/* Check a record header; *len: the payload bytes that follow it. */
int pgenc_mig_dec_rec_len(struct pgenc_mig_dec *d, const void *hdr,
			  uint32_t *len, struct pgenc_mig_error *err);
/* One whole record (header + payload, len bytes). */
int pgenc_mig_dec_record(struct pgenc_mig_dec *d, const void *buf, size_t len,
			 struct pgenc_mig_rec *rec,
			 struct pgenc_mig_error *err);
/* The stream ended: 0 after END/ACK, else -EBADMSG ("truncated"). */
int pgenc_mig_dec_finish(struct pgenc_mig_dec *d, struct pgenc_mig_error *err);
/* True once END (forward) or ACK (reverse) was decoded. */
bool pgenc_mig_dec_done(const struct pgenc_mig_dec *d);

/* "DESC", "PAGE", ...; "?" for an unknown type. Never NULL. */
const char *pgenc_mig_type_name(unsigned int type);
/* CRC-32C (Castagnoli), as the records use it; crc: 0 to start. */
uint32_t pgenc_mig_crc32c(uint32_t crc, const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PGENC_MIGRATE_H */
