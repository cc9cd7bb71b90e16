// SPDX-License-Identifier: GPL-2.0
/*
 * `pgenc ctl SOCK COMMAND [ARGS]`: talk to a `pgenc run --ctl SOCK`
 * running elsewhere (ctl_client.h). export, import, dump and migrate are
 * aliases of `pgenc bitmap export|import --socket SOCK`, `pgenc dump
 * --socket SOCK` and `pgenc migrate SOCK`, which they run.
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

#include "cmdutil.h"
#include "ctl_client.h"

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
	      "  export [ARGS]           `pgenc bitmap export --socket SOCK ARGS`\n"
	      "  import FILE [ARGS]      `pgenc bitmap import FILE --socket SOCK`\n"
	      "  dump ARGS               `pgenc dump --socket SOCK ARGS`\n"
	      "  migrate URI [ARGS]      `pgenc migrate SOCK URI ARGS`\n"
	      "  version                 the server's protocol and version\n"
	      "  send JSON               send one raw request, print the response\n"
	      "  quit                    stop the VMM\n"
	      "\n"
	      "Exit: 0 ok, 1 the command failed (or the socket is absent),\n"
	      "2 usage error, 3 the VMM speaks another control protocol.\n",
	      f);
}

/* Options of a subcommand: getopt_long from argv[0] = the subcommand. */
static int sub_getopt(int argc, char **argv, const struct option *lo)
{
	return getopt_long(argc, argv, "+:h", lo, NULL);
}

/* An option no case of the subcommand took: --help, or a bad one. */
static int sub_other_opt(int c, char **argv)
{
	if (c == 'h')
		return usage(stdout), PGENC_EXIT_OK;
	return pg_getopt_error("ctl", c, argv);
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
		return pg_usage_error("ctl", "%s: unexpected argument '%s'",
				      argv[0], argv[optind]);
	return 0;
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

static int do_stats(struct ctl_conn *c, int argc, char **argv)
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
	ch = ctl_conn_request(c, &w, &m, &raw);
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

static int do_wait(struct ctl_conn *c, int argc, char **argv)
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
		if (pg_parse_u64(optarg, &secs) || secs > 3600)
			return pg_usage_error("ctl",
					      "wait: --timeout %s: want 0..3600 seconds",
					      optarg);
	}
	ch = sub_no_operands(argc, argv);
	if (ch)
		return ch;
	ctl_w_init(&w);
	ctl_w_str(&w, "cmd", "wait");
	ctl_w_u64(&w, "timeout_ms", secs * 1000);
	ch = ctl_conn_request(c, &w, &m, NULL);
	if (ch)
		return ch;
	printf("guest %s\n", str_of(&m, "state"));
	ctl_msg_free(&m);
	return PGENC_EXIT_OK;
}

/* version, quit: no arguments. */
static int do_simple(struct ctl_conn *c, int argc, char **argv)
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
	ch = ctl_conn_request(c, &w, &m, NULL);
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

/*
 * send JSON: one raw line, not checked here (the server's own errors are
 * what it shows); the response is printed as it came. Exit 1 when it
 * says "ok":false.
 */
static int do_send(struct ctl_conn *c, int argc, char **argv)
{
	struct ctl_msg m;
	char *req, *raw = NULL;
	size_t len;
	int r;

	r = sub_help_only(argc, argv);
	if (r >= 0)
		return r;
	if (argc - optind != 1)
		return pg_usage_error("ctl", "send: want one JSON request");
	if (strchr(argv[optind], '\n'))
		return pg_usage_error("ctl",
				      "send: the request must be one line");
	len = strlen(argv[optind]);
	req = malloc(len + 2);
	if (!req) {
		pg_error("ctl", "out of memory");
		return PGENC_EXIT_FAILED;
	}
	memcpy(req, argv[optind], len);
	memcpy(req + len, "\n", 2);
	r = ctl_conn_call(c, req, len + 1, &m, &raw);
	free(req);
	if (r)
		return r;
	puts(raw);
	free(raw);
	r = ctl_resp_ok(&m, NULL, NULL) ? PGENC_EXIT_OK : PGENC_EXIT_FAILED;
	ctl_msg_free(&m);
	return r;
}

const char *pg_alias_socket;

int pg_alias_refuse(const char *cmd, const char *opt)
{
	if (!strcmp(opt, "socket"))
		return pg_usage_error("ctl",
				      "%s: --socket is not an option of `pgenc ctl SOCK %s`: SOCK is the socket",
				      cmd, cmd);
	return pg_usage_error("ctl",
			      "%s: --%s is not an option of `pgenc ctl SOCK %s`: without a socket, use `pgenc bitmap %s --%s`",
			      cmd, opt, cmd, cmd, opt);
}

/*
 * `pgenc ctl SOCK CMD ARGS` runs `pgenc [bitmap] CMD ARGS` with SOCK as
 * pg_alias_socket (bitmap's getopt permutes: import's FILE may be
 * anywhere in ARGS).
 */
static int alias(const char *sock, int argc, char **argv)
{
	bool bitmap = strcmp(argv[0], "dump") && strcmp(argv[0], "migrate");
	char **av;
	int n = 0, i, r;

	av = calloc(argc + 2, sizeof(*av));
	if (!av) {
		pg_error("ctl", "out of memory");
		return PGENC_EXIT_FAILED;
	}
	if (bitmap)
		av[n++] = "bitmap";
	for (i = 0; i < argc; i++)
		av[n++] = argv[i];
	pg_alias_socket = sock;
	if (bitmap)
		r = cmd_bitmap(n, av);
	else if (!strcmp(argv[0], "migrate"))
		r = cmd_migrate(n, av);
	else
		r = cmd_dump(n, av);
	pg_alias_socket = NULL;
	free(av);
	return r;
}

static bool is_command(const char *s)
{
	static const char *const cmds[] = { "stats",  "wait", "version",
					    "send",   "quit", "export",
					    "import", "dump", "migrate" };
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(s, cmds[i]))
			return true;
	return false;
}

int cmd_ctl(int argc, char **argv)
{
	struct ctl_conn c;
	const char *cmd;
	int i, r;

	for (i = 1; i < argc && i < 3; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return PGENC_EXIT_OK;
		}
	}
	if (argc < 2)
		return pg_usage_error("ctl", "missing SOCK and COMMAND");
	/* `pgenc ctl stats SOCK`: the socket comes first (unless so named). */
	if (is_command(argv[1]) && (argc < 3 || !is_command(argv[2])) &&
	    access(argv[1], F_OK))
		return pg_usage_error("ctl",
				      "'%s' is a command: SOCK comes first: pgenc ctl %s %s",
				      argv[1], argc < 3 ? "SOCK" : argv[2],
				      argv[1]);
	if (argc < 3)
		return pg_usage_error("ctl", "missing COMMAND after %s",
				      argv[1]);
	cmd = argv[2];
	if (!strcmp(cmd, "export") || !strcmp(cmd, "import") ||
	    !strcmp(cmd, "dump") || !strcmp(cmd, "migrate"))
		return alias(argv[1], argc - 2, argv + 2);
	if (strcmp(cmd, "stats") && strcmp(cmd, "wait") &&
	    strcmp(cmd, "version") && strcmp(cmd, "send") &&
	    strcmp(cmd, "quit"))
		return pg_usage_error("ctl", "unknown command '%s'", cmd);

	ctl_conn_init(&c, "ctl", argv[1]);
	optind = 0;
	opterr = 0;
	argc -= 2;
	argv += 2;
	if (!strcmp(cmd, "stats"))
		r = do_stats(&c, argc, argv);
	else if (!strcmp(cmd, "wait"))
		r = do_wait(&c, argc, argv);
	else if (!strcmp(cmd, "send"))
		r = do_send(&c, argc, argv);
	else
		r = do_simple(&c, argc, argv);
	ctl_conn_close(&c);
	return r;
}
