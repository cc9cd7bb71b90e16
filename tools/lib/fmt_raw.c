// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * The raw format: a 32-byte little-endian header, then the bits exactly
 * as KVM_GET_PAGE_ENC_BITMAP returns them. See <pgenc/pgenc.h>.
 *
 * Parse errors have line 0 and the 1-based byte offset as column.
 */
#include "internal.h"

#include <inttypes.h>

#define OFF_VERSION 8
#define OFF_HDR_SIZE 12
#define OFF_START 16
#define OFF_NUM 24

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

void pgenc_write_raw(struct pgenc_sink *s, const struct pgenc_bitmap *b)
{
	uint8_t hdr[PGENC_RAW_HEADER_SIZE] = { 0 };
	uint64_t nbytes = pgenc_bytes_for(b->num_pages);
	uint8_t last = b->bits[nbytes - 1] & pgenc_tail_mask(b->num_pages);

	memcpy(hdr, PGENC_RAW_MAGIC, sizeof(PGENC_RAW_MAGIC));
	put_le32(hdr + OFF_VERSION, PGENC_RAW_VERSION);
	put_le32(hdr + OFF_HDR_SIZE, PGENC_RAW_HEADER_SIZE);
	put_le64(hdr + OFF_START, b->start_gfn);
	put_le64(hdr + OFF_NUM, b->num_pages);
	pgenc_sink_put(s, hdr, sizeof(hdr));
	pgenc_sink_put(s, b->bits, nbytes - 1);
	pgenc_sink_put(s, &last, 1);
}

int pgenc_parse_raw(const uint8_t *p, size_t len, uint64_t max_pages,
		    struct pgenc_bitmap **out, struct pgenc_parse_error *e)
{
	const size_t hsz = PGENC_RAW_HEADER_SIZE;
	uint64_t start, num, nbytes;
	struct pgenc_bitmap *b;
	uint32_t v;
	size_t i;
	int r;

	for (i = 0; i < sizeof(PGENC_RAW_MAGIC); i++) {
		if (i == len)
			return pgenc_perr(e, 0, len + 1,
					  "truncated header: %zu bytes, need %zu",
					  len, hsz);
		if (p[i] != (uint8_t)PGENC_RAW_MAGIC[i])
			return pgenc_perr(e, 0, i + 1,
					  "bad magic: not a raw pgenc bitmap");
	}
	if (len < hsz)
		return pgenc_perr(e, 0, len + 1,
				  "truncated header: %zu bytes, need %zu", len,
				  hsz);
	v = get_le32(p + OFF_VERSION);
	if (v != PGENC_RAW_VERSION)
		return pgenc_perr(e, 0, OFF_VERSION + 1,
				  "unsupported version %" PRIu32
				  " (expected %d)",
				  v, PGENC_RAW_VERSION);
	v = get_le32(p + OFF_HDR_SIZE);
	if (v != hsz)
		return pgenc_perr(e, 0, OFF_HDR_SIZE + 1,
				  "header size %" PRIu32 " (version 1 has %zu)",
				  v, hsz);
	start = get_le64(p + OFF_START);
	num = get_le64(p + OFF_NUM);
	if (!num)
		return pgenc_perr(e, 0, OFF_NUM + 1, "num_pages is 0");
	if (num > max_pages)
		return pgenc_perr(e, 0, OFF_NUM + 1,
				  "num_pages %" PRIu64
				  " exceeds the limit %" PRIu64,
				  num, max_pages);
	if (start > UINT64_MAX - num)
		return pgenc_perr(e, 0, OFF_START + 1,
				  "start_gfn + num_pages overflows 64 bits");
	nbytes = pgenc_bytes_for(num);
	if (len - hsz < nbytes)
		return pgenc_perr(e, 0, len + 1,
				  "truncated: %zu bytes of bits, need %" PRIu64,
				  len - hsz, nbytes);
	if (len - hsz > nbytes)
		return pgenc_perr(e, 0, hsz + nbytes + 1,
				  "%" PRIu64
				  " bytes of trailing data after the bits",
				  (uint64_t)(len - hsz - nbytes));
	if (p[hsz + nbytes - 1] & ~pgenc_tail_mask(num))
		return pgenc_perr(e, 0, hsz + nbytes,
				  "bits set past num_pages in the last byte");
	r = pgenc_bitmap_new(start, num, false, &b);
	if (r)
		return r;
	memcpy(b->bits, p + hsz, nbytes);
	*out = b;
	return 0;
}
