// SPDX-License-Identifier: GPL-2.0-only
/*
 * The text map of "pgenc bitmap show": one character per cell of K
 * pages, '#' encrypted, '.' shared, '+' mixed; with colour, the same
 * characters on a coloured background (so the map still reads without
 * colour vision, and in a log).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "cmdutil.h"
#include "map.h"

enum map_cell map_cell_state(const struct pgenc_bitmap *b, uint64_t idx,
			     uint64_t n)
{
	const uint8_t *bits = b->bits;
	bool enc = false, sh = false;

	if (idx >= b->num_pages)
		return MAP_NONE;
	if (n > b->num_pages - idx)
		n = b->num_pages - idx;
	while (n) {
		if (!(idx % 8) && n >= 8) {
			/* Whole bytes. */
			const uint8_t *p = bits + idx / 8;
			uint64_t nb = n / 8, i;

			for (i = 0; i < nb; i++) {
				if (p[i] == 0xff)
					enc = true;
				else if (!p[i])
					sh = true;
				else
					return MAP_MIXED;
				if (enc && sh)
					return MAP_MIXED;
			}
			idx += nb * 8;
			n -= nb * 8;
			continue;
		}
		if ((bits[idx / 8] >> (idx % 8)) & 1)
			enc = true;
		else
			sh = true;
		if (enc && sh)
			return MAP_MIXED;
		idx++;
		n--;
	}
	return enc ? MAP_ENCRYPTED : MAP_SHARED;
}

static const char cell_char[] = { '.', '#', '+', ' ' };
/* Black text on green, yellow, magenta backgrounds. */
static const char *const cell_sgr[] = { "\033[30;43m", "\033[30;42m",
					"\033[30;45m", "\033[0m" };

static int hex_width(uint64_t v)
{
	int w = 1;

	while (v >>= 4)
		w++;
	return w;
}

int map_text_write(FILE *f, const struct pgenc_bitmap *b,
		   const struct map_text_opts *o)
{
	uint64_t last = b->start_gfn + b->num_pages - 1;
	int lw = hex_width(last);
	unsigned int label = 2 + (unsigned int)lw + 1; /* "0x...." + ' ' */
	unsigned int avail, cols = 8, rows = o->max_rows ? o->max_rows : 1;
	uint64_t k = 1, ncells, cell, row_pages;
	char size[32];
	int i;

	avail = o->columns > label ? o->columns - label : 0;
	while (cols * 2 <= avail && cols < 256)
		cols *= 2;
	/* The smallest power of two that fits the map into rows rows. */
	while ((b->num_pages + k - 1) / k > (uint64_t)cols * rows)
		k *= 2;
	ncells = (b->num_pages + k - 1) / k;
	row_pages = k * cols;

	for (cell = 0; cell < ncells; cell += cols) {
		enum map_cell prev = MAP_NONE;
		uint64_t c;

		fprintf(f, "0x%0*llx ", lw,
			(unsigned long long)(b->start_gfn + cell * k));
		for (c = cell; c < ncells && c < cell + cols; c++) {
			enum map_cell s = map_cell_state(b, c * k, k);

			if (o->color && s != prev)
				fputs(cell_sgr[s], f);
			prev = s;
			fputc(cell_char[s], f);
		}
		if (o->color)
			fputs("\033[0m", f);
		fputc('\n', f);
	}

	fprintf(f, "map: 1 cell = %llu page%s (%s), %llu pages a row; ",
		(unsigned long long)k, k == 1 ? "" : "s",
		pg_fmt_pages(k, size, sizeof(size)),
		(unsigned long long)row_pages);
	for (i = 0; i < 3; i++) {
		static const char *const name[] = { "shared", "encrypted",
						    "mixed" };
		static const int order[] = { MAP_ENCRYPTED, MAP_SHARED,
					     MAP_MIXED };
		int s = order[i];

		if (o->color)
			fprintf(f, "%s%c\033[0m %s%s", cell_sgr[s],
				cell_char[s], name[s], i < 2 ? ", " : "\n");
		else
			fprintf(f, "%c %s%s", cell_char[s], name[s],
				i < 2 ? ", " : "\n");
	}
	if (ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}
