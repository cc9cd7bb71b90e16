// SPDX-License-Identifier: GPL-2.0
/*
 * `pgenc migrate SOCK URI`, also `pgenc ctl SOCK migrate URI`: ask the
 * `pgenc run --ctl SOCK` VMM to live-migrate its guest to `pgenc run
 * --incoming URI` (or save it to a file), show its progress on a
 * terminal, and report (Documentation/migration.rst, "Reporting").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdutil.h"
#include "ctl_client.h"
#include "vmm.h"

static void usage(FILE *f)
{
	fputs("Usage: pgenc migrate SOCK URI [OPTIONS]\n"
	      "       pgenc migrate SOCK --to-file PATH [OPTIONS]\n"
	      "       pgenc ctl SOCK migrate URI [OPTIONS]\n"
	      "\n"
	      "Live-migrate the guest of `pgenc run --ctl SOCK` to `pgenc run\n"
	      "--incoming URI`: pre-copy with KVM's dirty log, shared pages in\n"
	      "plain, private pages of an SEV guest through SEND_UPDATE_DATA,\n"
	      "then the final bitmap and the vCPUs. Once the target confirms,\n"
	      "the source VMM stops. URI: tcp:HOST:PORT, unix:PATH, or\n"
	      "file:PATH (save; `pgenc run --from-file PATH` restores).\n"
	      "\n"
	      "  --to-file PATH        URI file:PATH\n"
	      "  --force               migrate an SEV guest that has not written\n"
	      "                        KVM_MIGRATION_READY\n"
	      "  --no-bitmap           every page of an SEV guest through the\n"
	      "                        firmware (the baseline without pgenc)\n"
	      "  --max-iterations N    pre-copy passes after the first (1..1000,\n"
	      "                        default 30)\n"
	      "  --json                the report as one JSON object\n"
	      "  -h, --help            this text\n"
	      "\n"
	      "Exit: 0 migrated (the source VMM stops), 1 failed (the guest\n"
	      "keeps running on the source), 2 usage error, 3 unsupported.\n",
	      f);
}

static uint64_t u64_of(const struct ctl_msg *m, const char *key)
{
	uint64_t v = 0;

	ctl_get_u64(m, key, &v);
	return v;
}

static const char *const fields[] = {
	"iterations", "pages_plain", "pages_zero",
	"pages_fw",   "fw_commands", "stream_bytes",
	"total_ms",   "downtime_ms", "final_pass_pages",
};

static void report_json(const struct ctl_msg *m, bool ok, const char *err)
{
	size_t i;

	printf("{\"result\":\"%s\"", ok ? "migrated" : "failed");
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		printf(",\"%s\":%" PRIu64, fields[i], u64_of(m, fields[i]));
	if (!ok) {
		fputs(",\"error\":", stdout);
		pg_json_str(stdout, err);
	}
	puts("}");
}

static void report_line(const struct ctl_msg *m, const char *uri)
{
	printf("migrated to %s: %" PRIu64 " iteration(s), %" PRIu64
	       " plain + %" PRIu64 " zero + %" PRIu64
	       " firmware pages (%" PRIu64 " firmware commands), %" PRIu64
	       " stream bytes, %" PRIu64 " ms total, %" PRIu64
	       " ms downtime (%" PRIu64 " pages in the final pass)\n",
	       uri, u64_of(m, "iterations"), u64_of(m, "pages_plain"),
	       u64_of(m, "pages_zero"), u64_of(m, "pages_fw"),
	       u64_of(m, "fw_commands"), u64_of(m, "stream_bytes"),
	       u64_of(m, "total_ms"), u64_of(m, "downtime_ms"),
	       u64_of(m, "final_pass_pages"));
}

static int run(const char *sock, const char *uri, struct ctl_writer *w,
	       bool json, bool tty)
{
	struct ctl_conn c;
	struct ctl_msg m;
	const char *msg = "";
	bool progress = false;
	int r, e = 0;

	ctl_conn_init(&c, "migrate", sock);
	if (ctl_w_finish(w)) {
		ctl_w_free(w);
		pg_error("migrate", "out of memory");
		return PGENC_EXIT_FAILED;
	}
	r = ctl_conn_call(&c, w->buf, w->len, &m, NULL);
	ctl_w_free(w);
	while (!r && !ctl_get_bool(&m, "progress", &progress) && progress) {
		if (tty)
			fprintf(stderr,
				"\rmigrate: iteration %" PRIu64 ": %" PRIu64
				" pages sent, %" PRIu64 " dirty (%" PRIu64
				" pages/s)   ",
				u64_of(&m, "iteration"),
				u64_of(&m, "pages_sent"),
				u64_of(&m, "dirty_pages"),
				u64_of(&m, "dirty_rate"));
		c.bar = tty;
		ctl_msg_free(&m);
		r = ctl_conn_next(&c, &m, NULL);
	}
	if (c.bar)
		fputc('\n', stderr);
	if (r) {
		ctl_conn_close(&c);
		return r;
	}
	r = ctl_resp_ok(&m, &msg, &e) ? PGENC_EXIT_OK : PGENC_EXIT_FAILED;
	if (json)
		report_json(&m, !r, msg);
	else if (!r)
		report_line(&m, uri);
	if (r) {
		pg_error("migrate", "%s: migration to %s failed: %s", sock, uri,
			 msg);
		if (e == ENOTTY || e == EOPNOTSUPP)
			r = PGENC_EXIT_UNSUPPORTED;
	}
	ctl_msg_free(&m);
	ctl_conn_close(&c);
	return r;
}

int cmd_migrate(int argc, char **argv)
{
	enum {
		O_TO_FILE = 256,
		O_FORCE,
		O_NO_BITMAP,
		O_MAX_IT,
		O_JSON
	};
	static const struct option lo[] = {
		{ "to-file", required_argument, NULL, O_TO_FILE },
		{ "force", no_argument, NULL, O_FORCE },
		{ "no-bitmap", no_argument, NULL, O_NO_BITMAP },
		{ "max-iterations", required_argument, NULL, O_MAX_IT },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char file_uri[4096 + 8];
	const char *sock = pg_alias_socket, *uri = NULL, *why;
	bool force = false, no_bitmap = false, json = false, tty;
	uint64_t it = 0;
	struct vmm_uri u;
	struct ctl_writer w;
	int c, nops;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case O_TO_FILE:
			snprintf(file_uri, sizeof(file_uri), "file:%s", optarg);
			uri = file_uri;
			break;
		case O_FORCE:
			force = true;
			break;
		case O_NO_BITMAP:
			no_bitmap = true;
			break;
		case O_MAX_IT:
			if (pg_parse_u64(optarg, &it) || !it ||
			    it > CTL_MIGRATE_ITERATIONS_MAX)
				return pg_usage_error("migrate",
						      "--max-iterations %s: want 1..%d",
						      optarg,
						      CTL_MIGRATE_ITERATIONS_MAX);
			break;
		case O_JSON:
			json = true;
			break;
		case 'h':
			usage(stdout);
			return PGENC_EXIT_OK;
		default:
			return pg_getopt_error("migrate", c, argv);
		}
	}
	nops = argc - optind;
	if (!sock) {
		if (!nops)
			return pg_usage_error("migrate",
					      "missing SOCK and URI");
		sock = argv[optind++];
		nops--;
	}
	if (nops && uri)
		return pg_usage_error("migrate",
				      "give URI or --to-file PATH, not both");
	if (nops > 1)
		return pg_usage_error("migrate", "unexpected argument '%s'",
				      argv[optind + 1]);
	if (nops)
		uri = argv[optind];
	if (!uri)
		return pg_usage_error("migrate",
				      "missing URI (tcp:HOST:PORT, unix:PATH, file:PATH) or --to-file PATH");
	if (vmm_uri_parse(uri, &u, &why))
		return pg_usage_error("migrate", "%s: %s", uri, why);

	ctl_w_init(&w);
	ctl_w_str(&w, "cmd", "migrate");
	ctl_w_str(&w, "uri", uri);
	if (force)
		ctl_w_bool(&w, "force", true);
	if (no_bitmap)
		ctl_w_bool(&w, "no_bitmap", true);
	if (it)
		ctl_w_u64(&w, "max_iterations", it);
	tty = !json && isatty(STDERR_FILENO);
	if (tty)
		ctl_w_bool(&w, "progress", true);
	return run(sock, uri, &w, json, tty);
}
