// SPDX-License-Identifier: GPL-2.0-only
/*
 * pgenc bitmap export/import --socket: the control socket side.
 */
#define _GNU_SOURCE
#include <pgenc/pgenc.h>

#include "cmdutil.h"

int bitmap_sock_export(const char *cmd, const char *sock, uint64_t start,
		       uint64_t pages, struct pgenc_bitmap **out)
{
	(void)start;
	(void)pages;
	(void)out;
	pg_error(cmd, "%s: the control socket client is not built in yet",
		 sock);
	return PGENC_EXIT_FAILED;
}

int bitmap_sock_import(const char *cmd, const char *sock,
		       const struct pgenc_bitmap *b)
{
	(void)b;
	pg_error(cmd, "%s: the control socket client is not built in yet",
		 sock);
	return PGENC_EXIT_FAILED;
}
