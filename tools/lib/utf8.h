/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * The one UTF-8 checker of libpgenc and the pgenc CLI: static inline, so
 * that both use it without libpgenc exporting it. Internal: not
 * installed; the CLI includes it as "../lib/utf8.h".
 */
#ifndef PGENC_UTF8_H
#define PGENC_UTF8_H

#include <stddef.h>

/*
 * The length of the valid UTF-8 sequence at s (avail bytes there), or 0
 * (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
 * An ASCII byte, NUL included, is a sequence of 1.
 */
static inline size_t pgenc_utf8_len(const char *s, size_t avail)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (!avail)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* The second byte's range rules out the overlong and the rest. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (avail < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

#endif /* PGENC_UTF8_H */
