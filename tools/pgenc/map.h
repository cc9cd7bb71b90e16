/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Maps of guest memory for "pgenc bitmap show": a text map (ANSI colour
 * or plain characters) and a PNG, one cell or pixel per group of pages.
 */
#ifndef PGENC_MAP_H
#define PGENC_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pgenc/pgenc.h>

/* The state of a group of pages. */
enum map_cell {
	MAP_SHARED = 0, /* every page shared */
	MAP_ENCRYPTED = 1, /* every page encrypted */
	MAP_MIXED = 2, /* some of each */
	MAP_NONE = 3, /* past the last page (PNG padding) */
};

/*
 * The state of pages [idx, idx + n) of b (indexes from start_gfn,
 * clamped to num_pages; MAP_NONE when nothing is left).
 */
enum map_cell map_cell_state(const struct pgenc_bitmap *b, uint64_t idx,
			     uint64_t n);

/* The text map. */
struct map_text_opts {
	unsigned int columns; /* terminal width */
	unsigned int max_rows; /* the map is at most this tall */
	bool color; /* ANSI escapes */
};

/*
 * The map and its legend line on f. Cells per row: the largest power of
 * two that fits the width beside the row label (8 to 256); pages per
 * cell: the smallest power of two that keeps the map within max_rows.
 */
int map_text_write(FILE *f, const struct pgenc_bitmap *b,
		   const struct map_text_opts *o);

/* The PNG. */
struct map_png_info {
	unsigned int width; /* pixels */
	unsigned int height;
	uint64_t pages_per_pixel; /* 1 unless downscaled */
};

#define MAP_PNG_DEFAULT_WIDTH 512
#define MAP_PNG_MAX_WIDTH 65536
#define MAP_PNG_DEFAULT_MAX_PIXELS (1ULL << 24)

/* Pixel colours (RGB), also in the summary's legend. */
#define MAP_RGB_ENCRYPTED 0x2e7d32 /* green */
#define MAP_RGB_SHARED 0xf9a825 /* amber */
#define MAP_RGB_MIXED 0x8e24aa /* purple */
#define MAP_RGB_NONE 0x000000 /* padding after the last page */

/*
 * The geometry of the PNG of b: width pixels a row (wrapping), one pixel
 * per page, or per pages_per_pixel pages (the smallest power of two) when
 * the image would exceed max_pixels. The width shrinks to the number of
 * pixels when there are fewer. 0 or -EINVAL (no room: max_pixels too
 * small for one row, or a height above INT32_MAX).
 */
int map_png_geometry(const struct pgenc_bitmap *b, unsigned int width,
		     uint64_t max_pixels, struct map_png_info *info);

/*
 * Write the PNG (palette, 2 bits a pixel) to path. 0, or -errno
 * (-EIO for a libpng error) with the message in msg.
 */
int map_png_write(const char *path, const struct pgenc_bitmap *b,
		  const struct map_png_info *info, char *msg, size_t msg_size);

#endif /* PGENC_MAP_H */
