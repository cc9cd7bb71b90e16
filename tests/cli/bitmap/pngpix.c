// SPDX-License-Identifier: GPL-2.0-only
/*
 * Decode a PNG with libpng (any colour type, expanded to 8-bit RGB) and
 * print its size, then its pixels run-length encoded, one line per run
 * of identical rows:
 *
 *	512x2
 *	rows 0-0: 2e7d32*160 f9a825*32 2e7d32*320
 *
 * With X Y arguments, print only that pixel's colour ("rrggbb").
 * Exit 1 if the file is not a valid PNG.
 */
#define _GNU_SOURCE
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rle(const unsigned char *row, unsigned int w, char **out,
		size_t *len)
{
	FILE *f = open_memstream(out, len);
	unsigned int x = 0, n;

	while (x < w) {
		const unsigned char *p = row + 3 * x;

		for (n = 1; x + n < w && !memcmp(p, row + 3 * (x + n), 3); n++)
			;
		fprintf(f, "%s%02x%02x%02x*%u", x ? " " : "", p[0], p[1], p[2],
			n);
		x += n;
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	png_image img;
	unsigned char *buf;
	char *prev = NULL, *cur;
	size_t len;
	unsigned int y, first = 0;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: pngpix FILE [X Y]\n");
		return 2;
	}
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, argv[1])) {
		fprintf(stderr, "pngpix: %s: %s\n", argv[1], img.message);
		return 1;
	}
	img.format = PNG_FORMAT_RGB;
	buf = malloc(PNG_IMAGE_SIZE(img));
	if (!buf || !png_image_finish_read(&img, NULL, buf, 0, NULL)) {
		fprintf(stderr, "pngpix: %s: %s\n", argv[1], img.message);
		return 1;
	}
	if (argc == 4) {
		unsigned long x = strtoul(argv[2], NULL, 0);
		unsigned long yy = strtoul(argv[3], NULL, 0);
		const unsigned char *p;

		if (x >= img.width || yy >= img.height) {
			fprintf(stderr, "pngpix: %lu,%lu outside %ux%u\n", x,
				yy, img.width, img.height);
			return 1;
		}
		p = buf + 3 * (yy * img.width + x);
		printf("%02x%02x%02x\n", p[0], p[1], p[2]);
		return 0;
	}
	printf("%ux%u\n", img.width, img.height);
	for (y = 0; y < img.height; y++) {
		rle(buf + 3 * (size_t)y * img.width, img.width, &cur, &len);
		if (prev && strcmp(prev, cur)) {
			printf("rows %u-%u: %s\n", first, y - 1, prev);
			first = y;
		}
		if (prev && strcmp(prev, cur) == 0) {
			free(cur);
			continue;
		}
		free(prev);
		prev = cur;
	}
	printf("rows %u-%u: %s\n", first, img.height - 1, prev);
	free(prev);
	free(buf);
	return 0;
}
