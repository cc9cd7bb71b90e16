/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the subcommands of the pgenc CLI: usage errors with a
 * --help hint, strict number and size parsing, JSON strings, and the
 * entry points main.c dispatches to.
 */
#ifndef PGENC_CMDUTIL_H
#define PGENC_CMDUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "commands.h"

/* Entry points: argv[0] is the subcommand's name ("probe", "bitmap"). */
int cmd_probe(int argc, char **argv);
int cmd_bitmap(int argc, char **argv);

/*
 * "pgenc CMD: MESSAGE" and "Try 'pgenc CMD --help'." on stderr; returns
 * PGENC_EXIT_USAGE. cmd is e.g. "bitmap show", or "" for pgenc itself.
 * The CLI's one usage-error helper.
 */
/*
 * $PGENC_SYSROOT, under which probe and vms read /proc, /sys and /dev
 * (tests fake a host there): *root is "" when unset or "/". A value that
 * is not a directory, or too long to prefix a path, is a usage error.
 */
int pg_sysroot(const char *cmd, const char **root);
int pg_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * `pgenc ctl SOCK export|import|dump|migrate` runs the command with
 * pg_alias_socket = SOCK (NULL otherwise). The command's parser takes
 * its socket from there and refuses, with pg_alias_refuse(CMD, OPT), an
 * option that names another source: --socket, export's --from,
 * import's --check (migrate has none)
 * (Documentation/cli.rst, "The pgenc CLI and its control protocol").
 */
extern const char *pg_alias_socket;
int pg_alias_refuse(const char *cmd, const char *opt);

/*
 * The CLI's one colour convention (--color WHEN): pg_parse_color() reads
 * WHEN, auto (-1), always (1) or never (0), into *when, or returns the
 * usage error's exit code; pg_want_color() decides: auto is colour when
 * stdout is a terminal, NO_COLOR is unset or empty and TERM is not dumb.
 */
int pg_parse_color(const char *cmd, const char *arg, int *when);
bool pg_want_color(int when);

/* "s" unless n is 1: "%llu page%s". */
static inline const char *pg_plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* "pgenc CMD: MESSAGE" on stderr. */
void pg_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The CLI's one number parser. A whole-string unsigned number: decimal,
 * or hex with 0x; a leading 0 is decimal, never octal. Returns 0,
 * -EINVAL (empty, sign, junk: "not a number") or -ERANGE (past 2^64-1:
 * "too large").
 */
int pg_parse_u64(const char *s, uint64_t *out);

/*
 * The CLI's one size parser: a number as pg_parse_u64() reads it, with an
 * optional K, M or G suffix (powers of 1024). Returns NULL, or what is
 * wrong with s ("unknown suffix 'T' (K, M or G)", ...).
 */
const char *pg_parse_size(const char *s, uint64_t *out);

/*
 * The message for an option getopt_long() rejected (opterr = 0, and an
 * optstring that starts with ':'): c is its return value.
 */
int pg_getopt_error(const char *cmd, int c, char **argv);

/*
 * The size of npages 4 KiB pages for people: "4 KiB", "1 MiB", "1.5 GiB"
 * (one decimal when not a whole unit). Returns buf.
 */
const char *pg_fmt_pages(uint64_t npages, char *buf, size_t size);

/*
 * s as a JSON string, quotes included; bytes that are not valid UTF-8
 * become U+FFFD, so that the output always parses.
 */
void pg_json_str(FILE *f, const char *s);

#endif /* PGENC_CMDUTIL_H */
