// SPDX-License-Identifier: GPL-2.0
/*
 * `pgenc dump --socket SOCK --gpa A --len N [-o FILE]`: read guest memory
 * of a running `pgenc run --ctl SOCK`, in chunks over the control socket.
 * For an SEV guest the VMM uses KVM_SEV_DBG_DECRYPT, where pgenc's kernel
 * copies the pages the guest reported shared without the firmware; the
 * report says how many pages went each way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmdutil.h"
#include "ctl_client.h"

#define DEFAULT_CHUNK (1U << 20)
#define PAGE 4096ULL

static void usage(FILE *f)
{
	fputs("Usage: pgenc dump --socket SOCK --gpa A --len N [-o FILE]\n"
	      "                  [--chunk SIZE] [--json]\n"
	      "       pgenc ctl SOCK dump --gpa A --len N [...] (an alias)\n"
	      "\n"
	      "Read guest memory [A, A + N) from `pgenc run --ctl SOCK`. For an\n"
	      "SEV guest the VMM uses KVM_SEV_DBG_DECRYPT: pages the guest\n"
	      "reported shared are copied by the kernel without a firmware\n"
	      "command, private pages are decrypted by the firmware. Those\n"
	      "bypassed pages are only as trustworthy as the guest's reports.\n"
	      "\n"
	      "  --socket SOCK   the control socket\n"
	      "  --gpa A         guest physical address (0x... or decimal)\n"
	      "  --len N         bytes (K, M, G suffixes allowed)\n"
	      "  -o, --output FILE  write the bytes to FILE; without it a\n"
	      "                  hexdump goes to stdout\n"
	      "  --chunk SIZE    bytes per request, whole pages (default 1M, at\n"
	      "                  most 16M); requests end at page boundaries\n"
	      "  --json          the final report as one JSON line on stdout\n"
	      "                  (needs -o FILE: the hexdump would share stdout)\n"
	      "\n"
	      "The report (firmware commands issued, pages bypassed) goes to\n"
	      "stdout with -o FILE, else to stderr. With -o FILE, a dump that\n"
	      "takes more than half a second draws a progress bar on stderr\n"
	      "when it is a terminal.\n"
	      "\n"
	      "Exit: 0 ok, 1 failed (socket absent, range outside guest\n"
	      "memory, firmware error, ...), 2 usage error, 3 the VMM speaks\n"
	      "another control protocol.\n",
	      f);
}

/* hexdump -C style, with guest physical addresses; "*" for repeats. */
struct hexdump {
	uint64_t addr; /* of the next byte */
	uint8_t line[16];
	unsigned int fill;
	uint8_t prev[16];
	bool have_prev;
	bool starred;
};

static void hex_line(struct hexdump *h, uint64_t addr, const uint8_t *b,
		     unsigned int n)
{
	unsigned int i;

	if (n == 16 && h->have_prev && !memcmp(b, h->prev, 16)) {
		if (!h->starred)
			puts("*");
		h->starred = true;
		return;
	}
	h->starred = false;
	printf("%08" PRIx64 " ", addr);
	for (i = 0; i < 16; i++) {
		if (i == 8)
			putchar(' ');
		if (i < n)
			printf(" %02x", b[i]);
		else
			fputs("   ", stdout);
	}
	fputs("  |", stdout);
	for (i = 0; i < n; i++)
		putchar(b[i] >= 0x20 && b[i] < 0x7f ? b[i] : '.');
	puts("|");
	memcpy(h->prev, b, n);
	h->have_prev = n == 16;
}

static void hex_feed(struct hexdump *h, const uint8_t *p, size_t n)
{
	while (n) {
		unsigned int take = 16 - h->fill;

		if (take > n)
			take = (unsigned int)n;
		memcpy(h->line + h->fill, p, take);
		h->fill += take;
		p += take;
		n -= take;
		if (h->fill == 16) {
			hex_line(h, h->addr, h->line, 16);
			h->addr += 16;
			h->fill = 0;
		}
	}
}

static void hex_end(struct hexdump *h)
{
	if (h->fill) {
		hex_line(h, h->addr, h->line, h->fill);
		h->addr += h->fill;
	}
	printf("%08" PRIx64 "\n", h->addr);
}

/* Drawn only once a dump has taken half a second: short ones stay quiet. */
static void progress(uint64_t done, uint64_t total, const struct timespec *t0)
{
	unsigned int width = 40, full = (unsigned int)(done * width / total), i;
	bool kib = total >= 65536;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - t0->tv_sec) * 1000 +
		    (now.tv_nsec - t0->tv_nsec) / 1000000 <
	    500)
		return;
	fputs("\r[", stderr);
	for (i = 0; i < width; i++)
		fputc(i < full ? '#' : '.', stderr);
	fprintf(stderr, "] %3u%% %" PRIu64 "/%" PRIu64 " %s",
		(unsigned int)(done * 100 / total), kib ? done >> 10 : done,
		kib ? total >> 10 : total, kib ? "KiB" : "bytes");
	if (done == total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

/* Pages [gpa, gpa + len) touches. */
static uint64_t pages_of(uint64_t gpa, uint64_t len)
{
	return (gpa + len - 1) / PAGE - gpa / PAGE + 1;
}

struct totals {
	uint64_t fw_cmds, bypassed;
	bool counters; /* every response had debugfs counters */
	char method[16];
};

static void report(FILE *f, bool json, uint64_t gpa, uint64_t len,
		   const struct totals *t)
{
	bool dbg = !strcmp(t->method, "dbg_decrypt");

	if (json) {
		struct ctl_writer w;

		ctl_w_init(&w);
		ctl_w_u64(&w, "gpa", gpa);
		ctl_w_u64(&w, "len", len);
		ctl_w_u64(&w, "pages", pages_of(gpa, len));
		ctl_w_str(&w, "method", t->method);
		ctl_w_u64(&w, "fw_cmds", t->fw_cmds);
		ctl_w_u64(&w, "bypassed_pages", t->bypassed);
		ctl_w_str(&w, "counters", t->counters ? "debugfs" : "none");
		if (!ctl_w_finish(&w))
			fputs(w.buf, f);
		ctl_w_free(&w);
		return;
	}
	fprintf(f,
		"dumped %" PRIu64 " bytes, gpa 0x%" PRIx64 "-0x%" PRIx64
		" (%" PRIu64 " page%s), %s\n",
		len, gpa, gpa + len - 1, pages_of(gpa, len),
		pg_plural(pages_of(gpa, len)),
		dbg ? "with KVM_SEV_DBG_DECRYPT" :
		      "by a plain read (not an SEV guest: no firmware)");
	if (!dbg)
		return;
	if (!t->counters) {
		fputs("counters: unavailable (debugfs not mounted in the VMM's system)\n",
		      f);
	} else {
		fprintf(f,
			"firmware commands issued (DBG_DECRYPT): %" PRIu64 "\n",
			t->fw_cmds);
		fprintf(f,
			"pages bypassed (shared: copied without the firmware): %" PRIu64
			"\n",
			t->bypassed);
	}
	fputs("note: bypassed pages are read as the guest left them because the guest\n"
	      "reported them shared; they are only as trustworthy as the guest's reports.\n",
	      f);
}

int cmd_dump(int argc, char **argv)
{
	static const char prog[] = "dump";
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "gpa", required_argument, NULL, 'g' },
		{ "len", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t gpa = 0, len = 0, chunk = DEFAULT_CHUNK, done = 0;
	bool has_gpa = false, has_len = false, json = false, tty;
	struct totals t = { .counters = true };
	struct hexdump hd = { 0 };
	struct timespec t0;
	const char *outp = NULL, *sock = NULL, *why;
	int ch, r, out = -1, rc = PGENC_EXIT_FAILED;
	struct ctl_conn c;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:ho:", lo, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (pg_alias_socket)
				return pg_alias_refuse("dump", "socket");
			sock = optarg;
			break;
		case 'g':
			r = pg_parse_u64(optarg, &gpa);
			if (r == -ERANGE || (!r && gpa > INT64_MAX))
				return pg_usage_error(prog,
						      "--gpa %s: too large (at most 2^63-1, the control protocol's integers)",
						      optarg);
			if (r)
				return pg_usage_error(prog,
						      "--gpa %s: not a number (decimal or 0x hex)",
						      optarg);
			has_gpa = true;
			break;
		case 'l':
			why = pg_parse_size(optarg, &len);
			if (why || !len)
				return pg_usage_error(prog, "--len %s: %s",
						      optarg,
						      why ? why :
							    "want a size >= 1");
			has_len = true;
			break;
		case 'o':
			outp = optarg;
			break;
		case 'c':
			why = pg_parse_size(optarg, &chunk);
			if (why)
				return pg_usage_error(prog, "--chunk %s: %s",
						      optarg, why);
			if (!chunk || chunk > CTL_DUMP_MAX || chunk % PAGE)
				return pg_usage_error(prog,
						      "--chunk %s: want whole pages, 4K..16M",
						      optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return PGENC_EXIT_OK;
		default:
			return pg_getopt_error(prog, ch, argv);
		}
	}
	if (optind < argc)
		return pg_usage_error(prog, "unexpected argument '%s'",
				      argv[optind]);
	if (pg_alias_socket)
		sock = pg_alias_socket;
	if (!sock)
		return pg_usage_error(prog, "--socket SOCK is required");
	if (!has_gpa || !has_len)
		return pg_usage_error(prog, "--gpa and --len are required");
	if (json && !outp)
		return pg_usage_error(prog,
				      "--json needs -o FILE: without it the hexdump is on stdout");
	if (len - 1 > (uint64_t)INT64_MAX - gpa)
		return pg_usage_error(prog,
				      "--gpa + --len: past 2^63-1 (the control protocol's integers)");

	ctl_conn_init(&c, prog, sock);
	r = ctl_conn_open(&c);
	if (r)
		return r;
	if (outp) {
		out = open(outp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			   0644);
		if (out < 0) {
			pg_error(prog, "%s: %s", outp, strerror(errno));
			goto done;
		}
	}
	/* A hexdump on the terminal is progress enough. */
	tty = out >= 0 && isatty(2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	hd.addr = gpa;
	while (done < len) {
		/* Requests end at page boundaries: a page is in one request. */
		uint64_t n = chunk - (gpa + done) % PAGE, v;
		const char *method;
		struct ctl_writer w;
		struct ctl_msg m;
		size_t got;
		void *buf;
		int e;

		if (n > len - done)
			n = len - done;
		ctl_w_init(&w);
		ctl_w_str(&w, "cmd", "dump");
		ctl_w_u64(&w, "gpa", gpa + done);
		ctl_w_u64(&w, "len", n);
		c.bar = tty;
		snprintf(c.where, sizeof(c.where), "at gpa 0x%" PRIx64,
			 gpa + done);
		if (ctl_conn_request(&c, &w, &m, NULL))
			goto done;
		e = ctl_conn_data(&c, &m, &buf, &got);
		if (!e && got != n) {
			free(buf);
			e = ctl_conn_bad_response(&c,
						  "\"data\" is not the length asked for");
		}
		if (e) {
			ctl_msg_free(&m);
			goto done;
		}
		if (!ctl_get_str(&m, "method", &method, NULL))
			snprintf(t.method, sizeof(t.method), "%s", method);
		if (!ctl_get_u64(&m, "fw_cmds", &v))
			t.fw_cmds += v;
		if (!ctl_get_u64(&m, "bypassed_pages", &v))
			t.bypassed += v;
		if (ctl_get_str(&m, "counters", &method, NULL) ||
		    strcmp(method, "debugfs"))
			t.counters = false;
		ctl_msg_free(&m);
		if (out >= 0) {
			e = ctl_write_all(out, buf, n);
			if (e) {
				pg_error(prog, "%s: %s", outp, strerror(-e));
				free(buf);
				goto done;
			}
		} else {
			hex_feed(&hd, buf, n);
		}
		free(buf);
		done += n;
		if (tty)
			progress(done, len, &t0);
	}
	if (out < 0)
		hex_end(&hd);
	fflush(stdout);
	report(out >= 0 ? stdout : stderr, json, gpa, len, &t);
	rc = PGENC_EXIT_OK;
done:
	if (out >= 0 && close(out) && rc == PGENC_EXIT_OK) {
		pg_error(prog, "%s: %s", outp, strerror(errno));
		rc = PGENC_EXIT_FAILED;
	}
	if (rc != PGENC_EXIT_OK && out >= 0)
		unlink(outp);
	ctl_conn_close(&c);
	return rc;
}
