/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tamper proxy's transformation of one migration stream
 * (Documentation/migration.rst, "The stream"), apart from its sockets so
 * that test_tamper.c can check it on streams built with libpgenc's
 * encoder. Record boundaries and fields come from libpgenc's decoder
 * (<pgenc/migrate.h>), run on the stream as the sender wrote it.
 */
#ifndef PGENC_TESTS_TAMPER_H
#define PGENC_TESTS_TAMPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pgenc/migrate.h>

enum tamper_op {
	TAMPER_NONE,
	TAMPER_FLIP_OFFSET, /* XOR 0xff into the byte at a stream offset */
	TAMPER_FLIP, /* ... into a field of the Nth record */
	TAMPER_REORDER, /* the Nth record after the one that follows it */
	TAMPER_DUP, /* the Nth record twice */
	TAMPER_DROP, /* the Nth record not at all */
	TAMPER_TRUNCATE, /* the stream's first OFFSET bytes, then close */
	TAMPER_CLOSE, /* close after the Nth record */
};

/*
 * Fields of a record: its 16-byte header or its payload; of an FW
 * record, the SEV packet header (FLAGS 4 bytes, IV 16, MAC 32, as the
 * SEV API lays it out), its IV or MAC, or the packet (the ciphertext).
 */
enum tamper_field {
	TAMPER_F_HEADER,
	TAMPER_F_PAYLOAD,
	TAMPER_F_FWHDR,
	TAMPER_F_IV,
	TAMPER_F_MAC,
	TAMPER_F_PACKET,
};

struct tamper_spec {
	enum tamper_op op;
	uint64_t offset; /* FLIP_OFFSET, TRUNCATE */
	uint32_t nth; /* the record: 0 = the first (of type, if set) */
	unsigned int type; /* 0: any record, else PGENC_MIG_* */
	enum tamper_field field; /* FLIP */
	uint32_t at; /* FLIP: the byte within the field */
	/*
	 * Rewrite sequence numbers and checksums of what goes out, so
	 * that the stream's own checks pass and a later one (the
	 * firmware's MAC, the END counts, the guest) must catch it.
	 */
	bool fix;
};

struct tamper {
	struct tamper_spec spec;
	enum pgenc_mig_dir dir;
	struct pgenc_mig_dec dec;
	bool raw; /* not decodable (any more): bytes pass as they are */
	uint8_t *in; /* input not consumed yet */
	size_t in_len, in_cap;
	uint64_t in_off; /* stream offset of in[0] */
	uint8_t *out; /* output for the caller to send and clear */
	size_t out_len, out_cap;
	uint8_t *held; /* REORDER: the record held back */
	size_t held_len;
	uint32_t matched; /* records of the type seen */
	uint32_t seen[PGENC_MIG_TYPE_MAX + 1]; /* records decoded, by type */
	uint32_t out_seq; /* fix: the next sequence number out */
	bool applied; /* the action happened */
	bool close; /* the caller must close both sides now */
	char log[320]; /* what was done */
};

/* Parse "N:FIELD[:AT]"-style names: 0 or -1. */
int tamper_field_parse(const char *s, enum tamper_field *f);
int tamper_type_parse(const char *s, unsigned int *type);

void tamper_init(struct tamper *t, const struct tamper_spec *s,
		 enum pgenc_mig_dir dir);
void tamper_free(struct tamper *t);
/* Input bytes; output appends to t->out. 0 or -ENOMEM. */
int tamper_feed(struct tamper *t, const void *data, size_t len);
/* The input ended: what is held goes out. 0 or -ENOMEM. */
int tamper_eof(struct tamper *t);

#endif /* PGENC_TESTS_TAMPER_H */
