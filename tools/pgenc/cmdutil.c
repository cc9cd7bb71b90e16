// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers shared by the subcommands (cmdutil.h).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include <sys/stat.h>

#include "../lib/utf8.h"
#include "cmdutil.h"

int pg_parse_color(const char *cmd, const char *arg, int *when)
{
	if (!strcmp(arg, "auto"))
		*when = -1;
	else if (!strcmp(arg, "always"))
		*when = 1;
	else if (!strcmp(arg, "never"))
		*when = 0;
	else
		return pg_usage_error(cmd,
				      "--color: '%s' is not auto, always or never",
				      arg);
	return 0;
}

bool pg_want_color(int when)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (when >= 0)
		return when;
	return isatty(STDOUT_FILENO) && !(nc && *nc) &&
	       !(term && !strcmp(term, "dumb"));
}

int pg_usage_error(const char *cmd, const char *fmt, ...)
{
	const char *sp = *cmd ? " " : "";
	va_list ap;

	fprintf(stderr, "pgenc%s%s: ", sp, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'pgenc%s%s --help'.\n", sp, cmd);
	return PGENC_EXIT_USAGE;
}

void pg_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pgenc %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int pg_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int base = 10;

	if (!s || !*s || !isxdigit((unsigned char)*s))
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)s[2]))
			return -EINVAL;
	} else if (!isdigit((unsigned char)*s)) {
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end)
		return -EINVAL;
	if (errno)
		return -ERANGE;
	*out = v;
	return 0;
}

const char *pg_parse_size(const char *s, uint64_t *out)
{
	static char why[96];
	size_t digits = strspn(s, "0123456789");
	unsigned int shift = 0;
	const char *end;
	char num[32];
	uint64_t v;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		digits = 2 + strspn(s + 2, "0123456789abcdefABCDEF");
	if (!*s)
		return "empty";
	if (!digits || digits >= sizeof(num))
		return digits ? "too large" : "not a number";
	memcpy(num, s, digits);
	num[digits] = '\0';
	switch (pg_parse_u64(num, &v)) {
	case 0:
		break;
	case -ERANGE:
		return "too large";
	default:
		return "not a number";
	}
	end = s + digits;
	if (*end == '.')
		return "not a whole number";
	if (*end) {
		const char *u = strchr("KMG", toupper((unsigned char)*end));

		if (!u || end[1]) {
			snprintf(why, sizeof(why),
				 "unknown suffix '%.16s' (K, M or G)", end);
			return why;
		}
		shift = 10 * (unsigned int)(u - "KMG" + 1);
	}
	if (shift && v > UINT64_MAX >> shift)
		return "too large";
	*out = v << shift;
	return NULL;
}

int pg_getopt_error(const char *cmd, int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";
	char name[64];
	size_t n;

	/* A long option as written, without its "=value". */
	n = strcspn(arg, "=");
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, arg, n);
	name[n] = '\0';

	if (c == ':') {
		if (optopt && optopt < 256 && strncmp(name, "--", 2))
			return pg_usage_error(cmd, "option '-%c' needs a value",
					      optopt);
		return pg_usage_error(cmd, "option '%s' needs a value", name);
	}
	if (optopt && optopt < 256 && strncmp(name, "--", 2))
		return pg_usage_error(cmd, "unknown option '-%c'", optopt);
	if (!strncmp(name, "--", 2) && strchr(arg, '=') && optopt)
		return pg_usage_error(cmd, "option '%s' takes no value", name);
	return pg_usage_error(cmd, "unknown option '%s'", name);
}

const char *pg_fmt_pages(uint64_t npages, char *buf, size_t size)
{
	static const char *const units[] = { "KiB", "MiB", "GiB",
					     "TiB", "PiB", "EiB" };
	/* In KiB: 2^64 pages of 4 KiB fit in 2^66 KiB > UINT64_MAX, so cap. */
	uint64_t kib = npages > UINT64_MAX / 4 ? UINT64_MAX : npages * 4;
	unsigned int u = 0;
	uint64_t rem = 0;

	while (kib >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		rem = kib % 1024;
		kib /= 1024;
		u++;
	}
	if (rem)
		snprintf(buf, size, "%llu.%llu %s", (unsigned long long)kib,
			 (unsigned long long)(rem * 10 / 1024), units[u]);
	else
		snprintf(buf, size, "%llu %s", (unsigned long long)kib,
			 units[u]);
	return buf;
}

void pg_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);
	size_t n;

	fputc('"', f);
	while (*p) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fprintf(f, "\\u%04x", *p);
				break;
			}
			n = pgenc_utf8_len((const char *)p, (size_t)(end - p));
			if (!n) {
				/* Not UTF-8 (a file name can be anything). */
				fputs("\\ufffd", f);
				break;
			}
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		p++;
	}
	fputc('"', f);
}

int pg_sysroot(const char *cmd, const char **root)
{
	const char *r = getenv("PGENC_SYSROOT");
	struct stat st;

	*root = r && strcmp(r, "/") ? r : "";
	if (**root && (strlen(*root) >= PATH_MAX / 2 || stat(*root, &st) ||
		       !S_ISDIR(st.st_mode)))
		return pg_usage_error(cmd, "PGENC_SYSROOT=%s: not a directory",
				      *root);
	return 0;
}
