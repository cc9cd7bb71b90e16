// SPDX-License-Identifier: GPL-2.0
/*
 * `pgenc ctl SOCK COMMAND [ARGS]`: the control socket's client, for a
 * `pgenc run --ctl SOCK` running elsewhere (ctl_proto.h: the protocol).
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
#include <unistd.h>

#include "commands.h"
#include "ctl_client.h"
#include "ctl_proto.h"

#define PROG "pgenc ctl"

static void usage(FILE *f)
{
	fputs("Usage: pgenc ctl SOCK COMMAND [ARGS]\n"
	      "\n"
	      "Talk to `pgenc run --ctl SOCK` (a UNIX socket, JSON lines).\n"
	      "\n"
	      "Commands:\n"
	      "  stats [--json]          state, tracked/shared/encrypted pages,\n"
	      "                          hypercall and DBG counters\n"
	      "  wait [--timeout SECONDS]\n"
	      "                          until no vCPU runs (default 30 s)\n"
	      "  export [--format raw|ranges|json] [--start-gfn N]\n"
	      "         [--num-pages N] [-o FILE]\n"
	      "                          the page encryption bitmap (default\n"
	      "                          json, all guest memory) to FILE or stdout\n"
	      "  import FILE             install a bitmap file (raw, ranges or\n"
	      "                          json, detected; - for stdin)\n"
	      "  dump --gpa A --len N [-o FILE] [--chunk SIZE] [--json]\n"
	      "                          read guest memory: `pgenc dump --help`\n"
	      "  version                 the server's protocol and version\n"
	      "  send JSON               send one raw request, print the response\n"
	      "  quit                    stop the VMM\n"
	      "\n"
	      "Exit: 0 ok, 1 the command failed (or the socket is absent),\n"
	      "2 usage error.\n",
	      f);
}

static int usage_err(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_err(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'pgenc ctl --help'.\n", stderr);
	return PGENC_EXIT_USAGE;
}

int ctl_parse_num(const char *s, bool suffix, uint64_t *out)
{
	unsigned int shift = 0;
	char *end;
	uint64_t v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	if (suffix && *end) {
		switch (*end++) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		default:
			return -EINVAL;
		}
	}
	if (*end || (shift && v > UINT64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

int ctl_client_connect(const char *prog, const char *sock)
{
	int fd = ctl_connect(sock);

	if (fd >= 0)
		return fd;
	fprintf(stderr, "%s: cannot connect to %s: %s%s\n", prog, sock,
		strerror(-fd),
		fd == -ENOENT || fd == -ECONNREFUSED ?
			" (is `pgenc run --ctl SOCK` running?)" :
			"");
	return fd;
}

int ctl_client_call(const char *prog, const char *sock, int fd,
		    struct ctl_reader *r, struct ctl_writer *w,
		    struct ctl_msg *resp, char **raw)
{
	int ret;

	if (ctl_w_finish(w)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -ENOMEM;
	}
	ret = ctl_call(fd, r, w, resp, raw);
	if (ret == -EPROTO)
		fprintf(stderr,
			"%s: %s: no valid response (connection closed, or not a pgenc control socket)\n",
			prog, sock);
	else if (ret)
		fprintf(stderr, "%s: %s: %s\n", prog, sock, strerror(-ret));
	return ret;
}

/* Options of a subcommand: getopt_long from argv[0] = the subcommand. */
static int sub_getopt(int argc, char **argv, const struct option *lo)
{
	return getopt_long(argc, argv, "+:ho:", lo, NULL);
}

static int sub_bad_opt(int c, char **argv)
{
	if (c == ':')
		return usage_err("%s: option %s needs an argument", argv[0],
				 argv[optind - 1]);
	return usage_err("%s: unknown option '%s'", argv[0], argv[optind - 1]);
}

/* An option no case of the subcommand took: --help, or a bad one. */
static int sub_other_opt(int c, char **argv)
{
	if (c == 'h')
		return usage(stdout), PGENC_EXIT_OK;
	return sub_bad_opt(c, argv);
}

/*
 * The options of a subcommand that has none but --help: -1 to go on,
 * else the exit code.
 */
static int sub_help_only(int argc, char **argv)
{
	static const struct option lo[] = { { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	int ch = sub_getopt(argc, argv, lo);

	return ch == -1 ? -1 : sub_other_opt(ch, argv);
}

/* A subcommand with no operands: 0, or the exit code of a usage error. */
static int sub_no_operands(int argc, char **argv)
{
	if (optind < argc)
		return usage_err("%s: unexpected argument '%s'", argv[0],
				 argv[optind]);
	return 0;
}

/* Print the error of a failed response and return PGENC_EXIT_FAILED. */
static int resp_failed(const char *what, const struct ctl_msg *resp)
{
	const char *msg;
	int e;

	ctl_resp_ok(resp, &msg, &e);
	fprintf(stderr, PROG ": %s: %s (errno %d)\n", what, msg, e);
	return PGENC_EXIT_FAILED;
}

struct conn {
	const char *sock;
	int fd;
	struct ctl_reader rd;
};

/* Connect on first use, so that usage errors come first. */
static int conn_open(struct conn *c)
{
	if (c->fd < 0)
		c->fd = ctl_client_connect(PROG, c->sock);
	return c->fd < 0 ? c->fd : 0;
}

/* One request/response; 0 with *resp parsed (whatever "ok" says). */
static int call(struct conn *c, struct ctl_writer *w, struct ctl_msg *resp,
		char **raw)
{
	int r = conn_open(c);

	if (!r)
		r = ctl_client_call(PROG, c->sock, c->fd, &c->rd, w, resp, raw);
	ctl_w_free(w);
	return r;
}

/*
 * call() and check the answer: 0 with *resp to use and free, or the exit
 * code after reporting the server's error (*resp and *raw then freed).
 */
static int request(struct conn *c, struct ctl_writer *w, struct ctl_msg *resp,
		   char **raw, const char *what)
{
	int r;

	if (call(c, w, resp, raw))
		return PGENC_EXIT_FAILED;
	if (ctl_resp_ok(resp, NULL, NULL))
		return 0;
	if (raw) {
		free(*raw);
		*raw = NULL;
	}
	r = resp_failed(what, resp);
	ctl_msg_free(resp);
	return r;
}

static uint64_t u64_of(const struct ctl_msg *m, const char *key)
{
	uint64_t v = 0;

	ctl_get_u64(m, key, &v);
	return v;
}

static const char *str_of(const struct ctl_msg *m, const char *key)
{
	const char *s = "?";

	ctl_get_str(m, key, &s, NULL);
	return s;
}

static int do_stats(struct conn *c, int argc, char **argv)
{
	static const struct option lo[] = { { "json", no_argument, NULL, 'j' },
					    { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	struct ctl_writer w;
	struct ctl_msg m;
	bool json = false, sev = false, sim = false;
	char *raw = NULL;
	uint64_t mc;
	int ch;

	while ((ch = sub_getopt(argc, argv, lo)) != -1) {
		if (ch != 'j')
			return sub_other_opt(ch, argv);
		json = true;
	}
	ch = sub_no_operands(argc, argv);
	if (ch)
		return ch;
	ctl_w_init(&w);
	ctl_w_str(&w, "cmd", "stats");
	ch = request(c, &w, &m, &raw, "stats");
	if (ch)
		return ch;
	if (json) {
		puts(raw);
	} else {
		ctl_get_bool(&m, "sev", &sev);
		ctl_get_bool(&m, "sevsim", &sim);
		mc = u64_of(&m, "migration_control");
		printf("state:               %s\n", str_of(&m, "state"));
		if (sev)
			printf("sev:                 yes, handle %" PRIu64
			       ", policy 0x%" PRIx64 "%s\n",
			       u64_of(&m, "sev_handle"),
			       u64_of(&m, "sev_policy"),
			       sim ? " (sevsim: simulated, memory NOT encrypted)" :
				     "");
		else
			printf("sev:                 no\n");
		printf("memory:              %" PRIu64 " MiB, %" PRIu64
		       " vCPU(s)\n",
		       u64_of(&m, "mem_bytes") >> 20, u64_of(&m, "vcpus"));
		printf("tracked pages:       %" PRIu64 "\n",
		       u64_of(&m, "tracked_pages"));
		printf("shared pages:        %" PRIu64 "\n",
		       u64_of(&m, "shared_pages"));
		printf("encrypted pages:     %" PRIu64 "\n",
		       u64_of(&m, "encrypted_pages"));
		if (strcmp(str_of(&m, "counters"), "debugfs")) {
			printf("counters:            unavailable (debugfs not mounted)\n");
		} else {
			printf("hypercalls:          %" PRIu64
			       " applied, %" PRIu64 " refused\n",
			       u64_of(&m, "hypercalls"),
			       u64_of(&m, "hypercall_errors"));
			printf("migration control:   %" PRIu64 "%s\n", mc,
			       mc & 1 ?
				       " (guest: page status reports complete)" :
				       "");
			printf("DBG firmware cmds:   %" PRIu64 "\n",
			       u64_of(&m, "dbg_fw_cmds"));
			printf("DBG bypassed pages:  %" PRIu64 "\n",
			       u64_of(&m, "dbg_bypassed_pages"));
		}
	}
	free(raw);
	ctl_msg_free(&m);
	return PGENC_EXIT_OK;
}

static int do_wait(struct conn *c, int argc, char **argv)
{
	static const struct option lo[] = { { "timeout", required_argument,
					      NULL, 't' },
					    { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	uint64_t secs = 30;
	struct ctl_writer w;
	struct ctl_msg m;
	int ch;

	while ((ch = sub_getopt(argc, argv, lo)) != -1) {
		if (ch != 't')
			return sub_other_opt(ch, argv);
		if (ctl_parse_num(optarg, false, &secs) || secs > 3600)
			return usage_err("wait: --timeout %s: want 0..3600 seconds",
					 optarg);
	}
	ch = sub_no_operands(argc, argv);
	if (ch)
		return ch;
	ctl_w_init(&w);
	ctl_w_str(&w, "cmd", "wait");
	ctl_w_u64(&w, "timeout_ms", secs * 1000);
	ch = request(c, &w, &m, NULL, "wait");
	if (ch)
		return ch;
	printf("guest %s\n", str_of(&m, "state"));
	ctl_msg_free(&m);
	return PGENC_EXIT_OK;
}

/* Write len bytes to path ("-" or NULL: stdout). 0 or -errno. */
static int write_out(const char *path, const void *data, size_t len)
{
	int fd = 1, r;

	if (path && strcmp(path, "-")) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			return -errno;
	}
	r = ctl_write_all(fd, data, len);
	if (fd != 1 && close(fd) && !r)
		r = -errno;
	return r;
}

/* The base64 "data" of a response, decoded into a new buffer. */
static int resp_data(const struct ctl_msg *m, void **data, size_t *len)
{
	const char *b64;
	size_t n;

	if (ctl_get_str(m, "data", &b64, &n))
		return -EPROTO;
	*data = malloc(n / 4 * 3 + 1);
	if (!*data)
		return -ENOMEM;
	if (ctl_b64_decode(b64, n, *data, len)) {
		free(*data);
		return -EPROTO;
	}
	return 0;
}

static int do_export(struct conn *c, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "start-gfn", required_argument, NULL, 's' },
		{ "num-pages", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *fmt = "json", *outp = NULL;
	uint64_t start = 0, num = 0;
	bool has_start = false, has_num = false;
	struct ctl_writer w;
	struct ctl_msg m;
	size_t len;
	void *data;
	int ch, r;

	while ((ch = sub_getopt(argc, argv, lo)) != -1) {
		switch (ch) {
		case 'f':
			fmt = optarg;
			if (strcmp(fmt, "raw") && strcmp(fmt, "ranges") &&
			    strcmp(fmt, "json"))
				return usage_err("export: --format %s: want raw, ranges or json",
						 fmt);
			break;
		case 's':
			if (ctl_parse_num(optarg, false, &start))
				return usage_err("export: --start-gfn %s: not a number",
						 optarg);
			has_start = true;
			break;
		case 'n':
			if (ctl_parse_num(optarg, false, &num) || !num)
				return usage_err("export: --num-pages %s: want a number >= 1",
						 optarg);
			has_num = true;
			break;
		case 'o':
			outp = optarg;
			break;
		default:
			return sub_other_opt(ch, argv);
		}
	}
	r = sub_no_operands(argc, argv);
	if (r)
		return r;
	if (!strcmp(fmt, "raw") && (!outp || !strcmp(outp, "-")) && isatty(1))
		return usage_err("export: the raw format is binary: use -o FILE");
	ctl_w_init(&w);
	ctl_w_str(&w, "cmd", "export");
	ctl_w_str(&w, "format", fmt);
	if (has_start)
		ctl_w_u64(&w, "start_gfn", start);
	if (has_num)
		ctl_w_u64(&w, "num_pages", num);
	r = request(c, &w, &m, NULL, "export");
	if (r)
		return r;
	r = resp_data(&m, &data, &len);
	if (r) {
		fprintf(stderr,
			PROG ": export: bad \"data\" in the response\n");
		ctl_msg_free(&m);
		return PGENC_EXIT_FAILED;
	}
	r = write_out(outp, data, len);
	free(data);
	if (r) {
		fprintf(stderr, PROG ": export: %s: %s\n",
			outp ? outp : "stdout", strerror(-r));
		ctl_msg_free(&m);
		return PGENC_EXIT_FAILED;
	}
	fprintf(outp && strcmp(outp, "-") ? stdout : stderr,
		"exported %" PRIu64 " pages from gfn 0x%" PRIx64 " (%" PRIu64
		" shared) as %s, %zu bytes%s%s\n",
		u64_of(&m, "num_pages"), u64_of(&m, "start_gfn"),
		u64_of(&m, "shared_pages"), str_of(&m, "format"), len,
		outp && strcmp(outp, "-") ? " to " : "",
		outp && strcmp(outp, "-") ? outp : "");
	ctl_msg_free(&m);
	return PGENC_EXIT_OK;
}

static int do_import(struct conn *c, int argc, char **argv)
{
	struct ctl_writer w;
	struct ctl_msg m;
	size_t len;
	void *data;
	int r;

	r = sub_help_only(argc, argv);
	if (r >= 0)
		return r;
	if (optind != argc - 1)
		return usage_err("import: want one FILE (- for stdin)");
	r = vmm_load_file(argv[optind], &data, &len);
	if (r) {
		fprintf(stderr, PROG ": import: %s: %s\n", argv[optind],
			strerror(-r));
		return PGENC_EXIT_FAILED;
	}
	if (len > (size_t)CTL_MAX_LINE / 4 * 3 - 4096) {
		free(data);
		fprintf(stderr,
			PROG ": import: %s: too large for one request\n",
			argv[optind]);
		return PGENC_EXIT_FAILED;
	}
	ctl_w_init(&w);
	ctl_w_str(&w, "cmd", "import");
	ctl_w_base64(&w, "data", data, len);
	free(data);
	r = request(c, &w, &m, NULL, "import");
	if (r)
		return r;
	printf("imported %s bitmap: %" PRIu64 " pages from gfn 0x%" PRIx64
	       " (%" PRIu64 " shared)\n",
	       str_of(&m, "format"), u64_of(&m, "num_pages"),
	       u64_of(&m, "start_gfn"), u64_of(&m, "shared_pages"));
	ctl_msg_free(&m);
	return PGENC_EXIT_OK;
}

/* version, quit: no arguments. */
static int do_simple(struct conn *c, int argc, char **argv)
{
	struct ctl_writer w;
	struct ctl_msg m;
	int ch;

	ch = sub_help_only(argc, argv);
	if (ch >= 0)
		return ch;
	ch = sub_no_operands(argc, argv);
	if (ch)
		return ch;
	ctl_w_init(&w);
	ctl_w_str(&w, "cmd", argv[0]);
	ch = request(c, &w, &m, NULL, argv[0]);
	if (ch)
		return ch;
	if (!strcmp(argv[0], "version"))
		printf("pgenc %s, control protocol %" PRIu64 "\n",
		       str_of(&m, "pgenc"), u64_of(&m, "proto"));
	else
		printf("quit: the VMM is stopping\n");
	ctl_msg_free(&m);
	return PGENC_EXIT_OK;
}

/* send JSON: one raw line; the response is printed as it came. */
static int do_send(struct conn *c, int argc, char **argv)
{
	struct ctl_msg m;
	char *line = NULL;
	size_t len;
	int r;

	if (argc != 2)
		return usage_err("send: want one JSON request");
	if (strchr(argv[1], '\n'))
		return usage_err("send: the request must be one line");
	len = strlen(argv[1]);
	r = conn_open(c);
	if (r)
		return PGENC_EXIT_FAILED;
	r = ctl_write_all(c->fd, argv[1], len);
	if (!r)
		r = ctl_write_all(c->fd, "\n", 1);
	if (!r) {
		r = ctl_read_line(c->fd, &c->rd, &line, &len);
		r = r < 0 ? r : r == 0 ? -EPROTO : 0;
	}
	if (r) {
		fprintf(stderr, PROG ": %s: %s\n", c->sock,
			r == -EPROTO ? "no response" : strerror(-r));
		return PGENC_EXIT_FAILED;
	}
	puts(line);
	if (ctl_parse(line, len, &m, NULL))
		return PGENC_EXIT_FAILED;
	r = ctl_resp_ok(&m, NULL, NULL) ? PGENC_EXIT_OK : PGENC_EXIT_FAILED;
	ctl_msg_free(&m);
	return r;
}

int cmd_ctl(int argc, char **argv)
{
	struct conn c = { 0 };
	const char *cmd;
	int i, r;

	for (i = 1; i < argc && i < 3; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return PGENC_EXIT_OK;
		}
	}
	if (argc < 2)
		return usage_err("missing SOCK and COMMAND");
	if (argc < 3)
		return usage_err("missing COMMAND after %s", argv[1]);
	c.sock = argv[1];
	cmd = argv[2];
	if (strcmp(cmd, "stats") && strcmp(cmd, "wait") &&
	    strcmp(cmd, "export") && strcmp(cmd, "import") &&
	    strcmp(cmd, "dump") && strcmp(cmd, "version") &&
	    strcmp(cmd, "send") && strcmp(cmd, "quit"))
		return usage_err("unknown command '%s'", cmd);
	/* Usage errors of the subcommand come before connecting. */
	if (!strcmp(cmd, "dump"))
		return dump_main(PROG " dump", c.sock, argc - 2, argv + 2);

	c.fd = -1;
	optind = 0;
	opterr = 0;
	argc -= 2;
	argv += 2;
	if (!strcmp(cmd, "stats"))
		r = do_stats(&c, argc, argv);
	else if (!strcmp(cmd, "wait"))
		r = do_wait(&c, argc, argv);
	else if (!strcmp(cmd, "export"))
		r = do_export(&c, argc, argv);
	else if (!strcmp(cmd, "import"))
		r = do_import(&c, argc, argv);
	else if (!strcmp(cmd, "send"))
		r = do_send(&c, argc, argv);
	else
		r = do_simple(&c, argc, argv);
	ctl_reader_free(&c.rd);
	if (c.fd >= 0)
		close(c.fd);
	return r;
}
