// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PNG map of "pgenc bitmap show --png": one pixel per page (or per
 * group of pages when the image would be too large), rows of --width
 * pixels, page start_gfn at the top left. A 4-colour palette image, 2
 * bits a pixel: 1 TiB of guest memory at one pixel per page would be
 * 2^28 pixels, so the image is downscaled past max_pixels.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "map.h"

int map_png_geometry(const struct pgenc_bitmap *b, unsigned int width,
		     uint64_t max_pixels, struct map_png_info *info)
{
	uint64_t ppp = 1, pixels, height;

	if (!width || width > MAP_PNG_MAX_WIDTH || !max_pixels)
		return -EINVAL;
	while ((pixels = (b->num_pages + ppp - 1) / ppp) > max_pixels)
		ppp *= 2;
	if (pixels < width)
		width = (unsigned int)pixels;
	height = (pixels + width - 1) / width;
	if (height > 0x7fffffff)
		return -EINVAL;
	info->width = width;
	info->height = (unsigned int)height;
	info->pages_per_pixel = ppp;
	return 0;
}

struct png_ctx {
	jmp_buf jmp;
	char *msg;
	size_t msg_size;
};

static void on_error(png_structp png, png_const_charp text)
{
	struct png_ctx *ctx = png_get_error_ptr(png);

	snprintf(ctx->msg, ctx->msg_size, "libpng: %s", text);
	longjmp(ctx->jmp, 1);
}

static void on_warning(png_structp png, png_const_charp text)
{
	(void)png;
	(void)text;
}

static void fill_row(const struct pgenc_bitmap *b,
		     const struct map_png_info *info, unsigned int y,
		     uint8_t *row)
{
	uint64_t ppp = info->pages_per_pixel;
	uint64_t p = (uint64_t)y * info->width;
	unsigned int x;

	memset(row, 0, (info->width + 3) / 4);
	for (x = 0; x < info->width; x++, p++) {
		enum map_cell s = map_cell_state(b, p * ppp, ppp);
		/* Palette index; the leftmost pixel in the high bits. */
		unsigned int idx = s == MAP_ENCRYPTED ? 0 :
				   s == MAP_SHARED    ? 1 :
				   s == MAP_MIXED     ? 2 :
							3;

		row[x / 4] |= (uint8_t)(idx << (6 - 2 * (x % 4)));
	}
}

static void set_rgb(png_color *c, unsigned int rgb)
{
	c->red = (rgb >> 16) & 0xff;
	c->green = (rgb >> 8) & 0xff;
	c->blue = rgb & 0xff;
}

int map_png_write(const char *path, const struct pgenc_bitmap *b,
		  const struct map_png_info *info, char *msg, size_t msg_size)
{
	struct png_ctx ctx = { .msg = msg, .msg_size = msg_size };
	png_structp png = NULL;
	png_infop pinfo = NULL;
	png_color pal[4];
	png_text text;
	char comment[160];
	uint8_t *volatile row = NULL;
	FILE *volatile f = NULL;
	unsigned int y;
	volatile int r = 0;

	msg[0] = '\0';
	row = malloc((info->width + 3) / 4);
	if (!row) {
		snprintf(msg, msg_size, "out of memory");
		return -ENOMEM;
	}
	f = fopen(path, "wb");
	if (!f) {
		r = -errno;
		snprintf(msg, msg_size, "%s: %s", path, strerror(errno));
		free(row);
		return r;
	}
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error,
				      on_warning);
	if (png)
		pinfo = png_create_info_struct(png);
	if (!png || !pinfo) {
		snprintf(msg, msg_size, "libpng: cannot initialise");
		r = -ENOMEM;
		goto out;
	}
	if (setjmp(ctx.jmp)) {
		r = -EIO;
		goto out;
	}
	png_init_io(png, f);
	png_set_IHDR(png, pinfo, info->width, info->height, 2,
		     PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	set_rgb(&pal[0], MAP_RGB_ENCRYPTED);
	set_rgb(&pal[1], MAP_RGB_SHARED);
	set_rgb(&pal[2], MAP_RGB_MIXED);
	set_rgb(&pal[3], MAP_RGB_NONE);
	png_set_PLTE(png, pinfo, pal, 4);
	snprintf(comment, sizeof(comment),
		 "pgenc page map: start_gfn 0x%llx, %llu pages, %llu pages a pixel, rows of %u pixels",
		 (unsigned long long)b->start_gfn,
		 (unsigned long long)b->num_pages,
		 (unsigned long long)info->pages_per_pixel, info->width);
	memset(&text, 0, sizeof(text));
	text.compression = PNG_TEXT_COMPRESSION_NONE;
	text.key = "Comment";
	text.text = comment;
	png_set_text(png, pinfo, &text, 1);
	png_set_filter(png, 0, PNG_FILTER_NONE);
	png_write_info(png, pinfo);
	for (y = 0; y < info->height; y++) {
		fill_row(b, info, y, row);
		png_write_row(png, row);
	}
	png_write_end(png, pinfo);
out:
	png_destroy_write_struct(png ? &png : NULL, pinfo ? &pinfo : NULL);
	if (fclose(f) && !r) {
		r = -errno;
		snprintf(msg, msg_size, "%s: %s", path, strerror(errno));
	}
	free(row);
	return r;
}
