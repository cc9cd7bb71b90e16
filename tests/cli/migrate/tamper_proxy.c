// SPDX-License-Identifier: GPL-2.0-only
/*
 * tamper_proxy: a man in the middle of one migration, for the tests of
 * tests/cli/migrate/vm.sh. It listens on LISTEN, takes one connection
 * (the source's `pgenc migrate SOCK URI`), connects to TARGET (`pgenc
 * run --incoming URI`), and forwards both ways, changing one stream as
 * asked (tamper.h): a byte flipped at an offset or in a field of the
 * Nth record, the Nth record reordered, duplicated or dropped, the
 * stream truncated, or the connection closed after the Nth record.
 *
 *   tamper_proxy [--reverse] [--type TYPE] [--fix] ACTION LISTEN TARGET
 *
 * LISTEN, TARGET: unix:PATH or tcp:HOST:PORT (numeric IPv4). ACTION:
 *   --none | --flip-offset OFF | --flip N:FIELD[:AT] | --reorder N |
 *   --dup N | --drop N | --truncate OFF | --close N
 * FIELD: header, payload, fwhdr, iv, mac, packet (iv, mac, fwhdr and
 * packet: FW records). N counts from 0, among records of TYPE (DESC,
 * PAGE, FW, ...) when given. --fix rewrites sequence numbers and
 * checksums of what goes out (the stream's own checks then pass).
 * --reverse changes the target's replies instead of the source's stream.
 *
 * Prints "tamper_proxy: listening on LISTEN" when it is ready, and at
 * the end what it did and the records of the stream it watched, by type
 * ("forward records: DESC 1 SESSION 1 PAGE 0 ..."). Exit: 0 the action was applied (or --none), 1 it was not (the
 * stream was too short) or an I/O error, 2 usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tamper.h"

static void usage(void)
{
	fputs("usage: tamper_proxy [--reverse] [--type TYPE] [--fix] ACTION LISTEN TARGET\n"
	      "  ACTION: --none | --flip-offset OFF | --flip N:FIELD[:AT] |\n"
	      "          --reorder N | --dup N | --drop N | --truncate OFF | --close N\n"
	      "  FIELD: header payload fwhdr iv mac packet\n"
	      "  LISTEN, TARGET: unix:PATH | tcp:HOST:PORT\n",
	      stderr);
	exit(2);
}

static uint64_t num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		usage();
	return v;
}

/* A socket address from "unix:PATH" or "tcp:A.B.C.D:PORT". */
static int addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (!strncmp(s, "unix:", 5)) {
		struct sockaddr_un *un = (struct sockaddr_un *)ss;

		if (strlen(s + 5) >= sizeof(un->sun_path))
			return -1;
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, s + 5);
		*len = sizeof(*un);
		return AF_UNIX;
	}
	if (!strncmp(s, "tcp:", 4)) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		char host[64];
		const char *colon = strrchr(s + 4, ':');

		if (!colon || (size_t)(colon - s - 4) >= sizeof(host))
			return -1;
		memcpy(host, s + 4, (size_t)(colon - s - 4));
		host[colon - s - 4] = '\0';
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)num(colon + 1));
		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			return -1;
		*len = sizeof(*in);
		return AF_INET;
	}
	return -1;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One direction: from -> (tamper t, when set) -> to. */
struct pipe_dir {
	int from, to;
	struct tamper *t;
	bool eof;
};

/* Read once and pass on. 1: this direction ended; -1: close all. */
static int pump(struct pipe_dir *d)
{
	uint8_t buf[65536];
	ssize_t n = read(d->from, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0) {
		if (d->t && tamper_eof(d->t))
			return -1;
		if (d->t && write_all(d->to, d->t->out, d->t->out_len))
			return -1;
		shutdown(d->to, SHUT_WR);
		d->eof = true;
		return 1;
	}
	if (!d->t)
		return write_all(d->to, buf, (size_t)n) ? -1 : 0;
	if (tamper_feed(d->t, buf, (size_t)n))
		return -1;
	if (write_all(d->to, d->t->out, d->t->out_len))
		return -1;
	d->t->out_len = 0;
	return d->t->close ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct tamper_spec spec = { .op = TAMPER_NONE };
	struct sockaddr_storage ls, ts;
	socklen_t llen, tlen;
	struct pipe_dir fwd, rev;
	struct tamper t;
	bool reverse = false, action = false;
	int i, lfd, sfd, tfd, one = 1, lfam, tfam;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i], *a = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--reverse")) {
			reverse = true;
			continue;
		}
		if (!strcmp(o, "--fix")) {
			spec.fix = true;
			continue;
		}
		if (!strcmp(o, "--none")) {
			action = true;
			continue;
		}
		if (!a)
			usage();
		i++;
		if (!strcmp(o, "--type")) {
			if (tamper_type_parse(a, &spec.type))
				usage();
			continue;
		}
		if (action)
			usage();
		action = true;
		if (!strcmp(o, "--flip-offset")) {
			spec.op = TAMPER_FLIP_OFFSET;
			spec.offset = num(a);
		} else if (!strcmp(o, "--truncate")) {
			spec.op = TAMPER_TRUNCATE;
			spec.offset = num(a);
		} else if (!strcmp(o, "--flip")) {
			char *s = strdup(a), *f, *at;

			if (!s || !(f = strchr(s, ':')))
				usage();
			*f++ = '\0';
			at = strchr(f, ':');
			if (at)
				*at++ = '\0';
			spec.op = TAMPER_FLIP;
			spec.nth = (uint32_t)num(s);
			spec.at = at ? (uint32_t)num(at) : 0;
			if (tamper_field_parse(f, &spec.field))
				usage();
			free(s);
		} else {
			static const struct {
				const char *name;
				enum tamper_op op;
			} ops[] = {
				{ "--reorder", TAMPER_REORDER },
				{ "--dup", TAMPER_DUP },
				{ "--drop", TAMPER_DROP },
				{ "--close", TAMPER_CLOSE },
			};
			unsigned int k;

			for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
				if (!strcmp(o, ops[k].name))
					break;
			if (k == sizeof(ops) / sizeof(ops[0]))
				usage();
			spec.op = ops[k].op;
			spec.nth = (uint32_t)num(a);
		}
	}
	if (!action || argc - i != 2 ||
	    (spec.fix && spec.op == TAMPER_FLIP_OFFSET))
		usage();
	lfam = addr(argv[i], &ls, &llen);
	tfam = addr(argv[i + 1], &ts, &tlen);
	if (lfam < 0 || tfam < 0)
		usage();
	signal(SIGPIPE, SIG_IGN);

	lfd = socket(lfam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfam == AF_UNIX)
		unlink(((struct sockaddr_un *)&ls)->sun_path);
	else
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&ls, llen) ||
	    listen(lfd, 1)) {
		fprintf(stderr, "tamper_proxy: listen %s: %s\n", argv[i],
			strerror(errno));
		return 1;
	}
	printf("tamper_proxy: listening on %s\n", argv[i]);
	fflush(stdout);
	sfd = accept(lfd, NULL, NULL);
	if (sfd < 0) {
		perror("tamper_proxy: accept");
		return 1;
	}
	close(lfd);
	if (lfam == AF_UNIX)
		unlink(((struct sockaddr_un *)&ls)->sun_path);
	tfd = socket(tfam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (tfd < 0 || connect(tfd, (struct sockaddr *)&ts, tlen)) {
		fprintf(stderr, "tamper_proxy: connect %s: %s\n", argv[i + 1],
			strerror(errno));
		return 1;
	}

	tamper_init(&t, &spec, reverse ? PGENC_MIG_REVERSE : PGENC_MIG_FORWARD);
	fwd = (struct pipe_dir){ sfd, tfd, reverse ? NULL : &t, false };
	rev = (struct pipe_dir){ tfd, sfd, reverse ? &t : NULL, false };
	while (!fwd.eof || !rev.eof) {
		struct pollfd p[2] = { { sfd, fwd.eof ? 0 : POLLIN, 0 },
				       { tfd, rev.eof ? 0 : POLLIN, 0 } };
		int r = 0;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			r = pump(&fwd);
		if (r >= 0 && p[1].revents)
			r = pump(&rev);
		if (r < 0)
			break;
	}
	close(sfd);
	close(tfd);
	if (t.log[0])
		fprintf(stderr, "tamper_proxy: %s\n", t.log);
	fprintf(stderr,
		"tamper_proxy: %s records:", reverse ? "reverse" : "forward");
	for (i = 1; i <= PGENC_MIG_TYPE_MAX; i++)
		fprintf(stderr, " %s %u", pgenc_mig_type_name((unsigned int)i),
			t.seen[i]);
	fputc('\n', stderr);
	if (spec.op != TAMPER_NONE && !t.applied) {
		fprintf(stderr,
			"tamper_proxy: the action was not applied (%u matching records)\n",
			t.matched);
		tamper_free(&t);
		return 1;
	}
	tamper_free(&t);
	return 0;
}
