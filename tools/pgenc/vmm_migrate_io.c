// SPDX-License-Identifier: GPL-2.0
/*
 * Migration transports (Documentation/migration.rst, "Transports"):
 * tcp:HOST:PORT, unix:PATH and file:PATH; reading whole records of the
 * stream from a connection.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"

#define CONNECT_RETRY_MS 10000

int vmm_uri_parse(const char *s, struct vmm_uri *u, const char **why)
{
	const char *colon;

	memset(u, 0, sizeof(*u));
	if (!strncmp(s, "tcp:", 4)) {
		u->kind = VMM_URI_TCP;
		s += 4;
		colon = strrchr(s, ':');
		if (!colon || colon == s || !colon[1] ||
		    (size_t)(colon - s) >= sizeof(u->host) ||
		    strlen(colon + 1) >= sizeof(u->port) ||
		    strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
			*why = "want tcp:HOST:PORT (e.g. tcp:127.0.0.1:4444)";
			return -EINVAL;
		}
		memcpy(u->host, s, (size_t)(colon - s));
		strcpy(u->port, colon + 1);
		return 0;
	}
	if (!strncmp(s, "unix:", 5) || !strncmp(s, "file:", 5)) {
		u->kind = s[0] == 'u' ? VMM_URI_UNIX : VMM_URI_FILE;
		s += 5;
		if (!*s || strlen(s) >= sizeof(u->path) ||
		    (u->kind == VMM_URI_UNIX &&
		     strlen(s) >=
			     sizeof(((struct sockaddr_un *)0)->sun_path))) {
			*why = u->kind == VMM_URI_UNIX ?
				       "want unix:PATH (at most 107 bytes)" :
				       "want file:PATH";
			return -EINVAL;
		}
		strcpy(u->path, s);
		return 0;
	}
	*why = "want tcp:HOST:PORT, unix:PATH or file:PATH";
	return -EINVAL;
}

static void set_err(char *err, size_t n, const char *what, int e)
{
	snprintf(err, n, "%s: %s", what, strerror(e));
}

/* A socket for u, connected (out) or listening (in): fd or -errno. */
static int sock_for(const struct vmm_uri *u, bool listen_, char *err,
		    size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const struct sockaddr *sa;
	socklen_t salen;
	int fd, r, one = 1;

	if (u->kind == VMM_URI_TCP) {
		if (listen_)
			hints.ai_flags = AI_PASSIVE;
		r = getaddrinfo(u->host, u->port, &hints, &ai);
		if (r) {
			snprintf(err, errlen, "tcp:%s:%s: %s", u->host, u->port,
				 gai_strerror(r));
			return -EHOSTUNREACH;
		}
		sa = ai->ai_addr;
		salen = ai->ai_addrlen;
	} else {
		strcpy(sun.sun_path, u->path);
		sa = (const struct sockaddr *)&sun;
		salen = sizeof(sun);
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		set_err(err, errlen, "socket", -r);
		goto out;
	}
	if (listen_) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (u->kind == VMM_URI_UNIX)
			unlink(u->path);
		r = bind(fd, sa, salen) || listen(fd, 1) ? -errno : 0;
		if (r)
			set_err(err, errlen, "bind/listen", -r);
	} else {
		r = connect(fd, sa, salen) ? -errno : 0;
		if (r)
			set_err(err, errlen, "connect", -r);
	}
	if (r) {
		close(fd);
		fd = r;
	}
out:
	if (ai)
		freeaddrinfo(ai);
	return fd;
}

int vmm_uri_open_out(const struct vmm_uri *u, char *err, size_t errlen)
{
	struct timespec ts = { 0, 100 * 1000000L };
	int fd, waited = 0;

	if (u->kind == VMM_URI_FILE) {
		fd = open(u->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0600);
		if (fd < 0) {
			fd = -errno;
			set_err(err, errlen, u->path, -fd);
		}
		return fd;
	}
	/* The target may still be starting: retry a refused connection. */
	for (;;) {
		fd = sock_for(u, false, err, errlen);
		if (fd >= 0 || (fd != -ECONNREFUSED && fd != -ENOENT) ||
		    waited >= CONNECT_RETRY_MS)
			return fd;
		nanosleep(&ts, NULL);
		waited += 100;
	}
}

int vmm_uri_open_in(const struct vmm_uri *u, char *err, size_t errlen)
{
	int lfd, fd;

	if (u->kind == VMM_URI_FILE) {
		fd = open(u->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fd = -errno;
			set_err(err, errlen, u->path, -fd);
		}
		return fd;
	}
	lfd = sock_for(u, true, err, errlen);
	if (lfd < 0)
		return lfd;
	vmm_log("incoming migration: waiting on %s%s%s%s",
		u->kind == VMM_URI_TCP ? "tcp:" : "unix:",
		u->kind == VMM_URI_TCP ? u->host : u->path,
		u->kind == VMM_URI_TCP ? ":" : "",
		u->kind == VMM_URI_TCP ? u->port : "");
	do
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		fd = -errno;
		set_err(err, errlen, "accept", -fd);
	}
	close(lfd);
	if (u->kind == VMM_URI_UNIX)
		unlink(u->path);
	return fd;
}

int vmm_read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return got ? -EPROTO : -EPIPE;
		got += (size_t)n;
	}
	return 0;
}

int vmm_mig_read(int fd, struct pgenc_mig_dec *d, uint8_t **buf, size_t *cap,
		 struct pgenc_mig_rec *rec, char *err, size_t errlen)
{
	struct pgenc_mig_error e;
	uint32_t len;
	uint8_t *p;
	int r;

	if (*cap < PGENC_MIG_REC_HDR_SIZE + PGENC_MIG_PAGE_SIZE + 64) {
		p = realloc(*buf, 65536);
		if (!p)
			return -ENOMEM;
		*buf = p;
		*cap = 65536;
	}
	r = vmm_read_full(fd, *buf, PGENC_MIG_REC_HDR_SIZE);
	if (r == -EPIPE || r == -EPROTO) {
		pgenc_mig_dec_finish(d, &e);
		snprintf(err, errlen, "%s", e.msg);
		return -EBADMSG;
	}
	if (r) {
		set_err(err, errlen, "read", -r);
		return r;
	}
	r = pgenc_mig_dec_rec_len(d, *buf, &len, &e);
	if (r) {
		snprintf(err, errlen, "%s", e.msg);
		return r;
	}
	if (*cap < PGENC_MIG_REC_HDR_SIZE + (size_t)len) {
		p = realloc(*buf, PGENC_MIG_REC_HDR_SIZE + (size_t)len);
		if (!p)
			return -ENOMEM;
		*buf = p;
		*cap = PGENC_MIG_REC_HDR_SIZE + (size_t)len;
	}
	r = vmm_read_full(fd, *buf + PGENC_MIG_REC_HDR_SIZE, len);
	if (r == -EPIPE || r == -EPROTO) {
		pgenc_mig_dec_finish(d, &e);
		snprintf(err, errlen, "%s", e.msg);
		return -EBADMSG;
	}
	if (r) {
		set_err(err, errlen, "read", -r);
		return r;
	}
	r = pgenc_mig_dec_record(d, *buf, PGENC_MIG_REC_HDR_SIZE + len, rec,
				 &e);
	if (r)
		snprintf(err, errlen, "%s", e.msg);
	return r;
}
