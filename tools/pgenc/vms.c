// SPDX-License-Identifier: GPL-2.0-only
/*
 * pgenc vms: the VMs with pgenc tracking, of any process, from KVM's
 * debugfs (kvm_debugfs.h); --watch refreshes the table as kvm_stat does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmdutil.h"
#include "kvm_debugfs.h"

#define DEFAULT_WATCH_SECS 3

static const char vms_usage[] =
	"Usage: pgenc vms [--json]\n"
	"       pgenc vms --watch [SECS] [--count N]\n"
	"\n"
	"List the VMs with pgenc tracking, of any process (QEMU, pgenc run,\n"
	"...), from KVM's debugfs: one line a VM, its directory PID-FD, the\n"
	"VMM's pid and name, tracked and shared pages, hypercalls, SEV DBG\n"
	"firmware commands and pages the DBG bypass copied. Root only.\n"
	"\n"
	"Options:\n"
	"  --json               a JSON array, one object a VM\n"
	"  --watch [SECS]       redraw the table every SECS seconds (default 3)\n"
	"                       until interrupted (Ctrl-C)\n"
	"  --count N            with --watch: stop after N tables\n"
	"  -h, --help           this help\n"
	"\n"
	"Environment: PGENC_SYSROOT=DIR reads DIR/sys/kernel/debug and\n"
	"DIR/proc (tests).\n"
	"Exit status: 0 listed (none is not an error), 3 debugfs is not\n"
	"mounted, kvm is not loaded or its debugfs is not readable (not root),\n"
	"1 another error, 2 a usage error.\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int digits(uint64_t v)
{
	int w = 1;

	while (v >= 10) {
		v /= 10;
		w++;
	}
	return w;
}

enum {
	C_VM,
	C_PID,
	C_NAME,
	C_PAGES,
	C_SHARED,
	C_HC,
	C_DBG,
	C_BYP,
	NR_COLS
};

static const char *const heads[NR_COLS] = {
	"VM",	  "PID",	"NAME",	    "PAGES",
	"SHARED", "HYPERCALLS", "DBG_CMDS", "BYPASSED",
};

static uint64_t col_num(const struct kvmfs_vm *v, int c)
{
	switch (c) {
	case C_PID:
		return v->pid;
	case C_PAGES:
		return v->tracked_pages;
	case C_SHARED:
		return v->shared_pages;
	case C_HC:
		return v->hypercalls;
	case C_DBG:
		return v->dbg_fw_cmds;
	default:
		return v->dbg_bypassed_pages;
	}
}

static const char *col_str(const struct kvmfs_vm *v, int c)
{
	if (c == C_VM)
		return v->id;
	return *v->name ? v->name : "?";
}

static void print_table(const struct kvmfs_vm *vms, size_t n)
{
	int w[NR_COLS], c;
	size_t i;
	int len;

	for (c = 0; c < NR_COLS; c++)
		w[c] = (int)strlen(heads[c]);
	for (i = 0; i < n; i++)
		for (c = 0; c < NR_COLS; c++) {
			len = c == C_VM || c == C_NAME ?
				      (int)strlen(col_str(&vms[i], c)) :
				      digits(col_num(&vms[i], c));
			if (len > w[c])
				w[c] = len;
		}
	for (c = 0; c < NR_COLS; c++)
		printf(c == C_VM || c == C_NAME ? "%s%-*s" : "%s%*s",
		       c ? "  " : "", w[c], heads[c]);
	putchar('\n');
	for (i = 0; i < n; i++) {
		for (c = 0; c < NR_COLS; c++) {
			if (c == C_VM || c == C_NAME)
				printf("%s%-*s", c ? "  " : "", w[c],
				       col_str(&vms[i], c));
			else
				printf("  %*llu", w[c],
				       (unsigned long long)col_num(&vms[i], c));
		}
		putchar('\n');
	}
	if (!n)
		printf("(no VM with pgenc tracking)\n");
}

static void print_json(const struct kvmfs_vm *vms, size_t n)
{
	size_t i;

	printf("[");
	for (i = 0; i < n; i++) {
		const struct kvmfs_vm *v = &vms[i];

		printf("%s\n  {\"vm\": \"%s\", \"pid\": %llu, \"fd\": %llu, \"name\": ",
		       i ? "," : "", v->id, (unsigned long long)v->pid,
		       (unsigned long long)v->fd);
		if (*v->name)
			pg_json_str(stdout, v->name);
		else
			printf("null");
		printf(", \"tracked_pages\": %llu, \"shared_pages\": %llu, \"hypercalls\": %llu, \"hypercall_errors\": %llu, \"dbg_fw_cmds\": %llu, \"dbg_bypassed_pages\": %llu, \"migration_control\": %llu, \"bitmap_bytes\": %llu, \"bitmap_slots\": %llu}",
		       (unsigned long long)v->tracked_pages,
		       (unsigned long long)v->shared_pages,
		       (unsigned long long)v->hypercalls,
		       (unsigned long long)v->hypercall_errors,
		       (unsigned long long)v->dbg_fw_cmds,
		       (unsigned long long)v->dbg_bypassed_pages,
		       (unsigned long long)v->migration_control,
		       (unsigned long long)v->bitmap_bytes,
		       (unsigned long long)v->bitmap_slots);
	}
	printf("%s]\n", n ? "\n" : "");
}

/* One listing; an exit code. */
static int show_once(const struct kvmfs *fs, bool json)
{
	struct kvmfs_vm *vms = NULL;
	size_t n = 0;
	int r;

	r = kvmfs_list("vms", fs, &vms, &n);
	if (r)
		return r;
	if (json)
		print_json(vms, n);
	else
		print_table(vms, n);
	free(vms);
	if (fflush(stdout) || ferror(stdout)) {
		pg_error("vms", "write error: %s", strerror(errno));
		return PGENC_EXIT_FAILED;
	}
	return 0;
}

/* Sleep secs, or less when a signal asks to stop. */
static void pause_for(uint64_t secs)
{
	struct timespec ts = { .tv_sec = (time_t)secs };

	while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int watch(const struct kvmfs *fs, uint64_t secs, uint64_t count)
{
	bool tty = isatty(STDOUT_FILENO);
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t i;
	int r = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (i = 0; !stop && (!count || i < count); i++) {
		if (i)
			pause_for(secs);
		if (stop)
			break;
		/* A plain redraw on a terminal; tables one after another else. */
		if (tty)
			printf("\033[H\033[2J");
		else if (i)
			putchar('\n');
		printf("Every %llus: pgenc vms%s\n\n", (unsigned long long)secs,
		       tty ? " (Ctrl-C quits)" : "");
		r = show_once(fs, false);
		if (r)
			break;
	}
	return r;
}

int cmd_vms(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "watch", optional_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t secs = DEFAULT_WATCH_SECS, count = 0;
	bool json = false, watching = false, counted = false;
	const char *secs_arg = NULL;
	struct kvmfs fs;
	int c, r;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'w':
			watching = true;
			secs_arg = optarg;
			break;
		case 'c':
			r = pg_parse_u64(optarg, &count);
			if (r || !count)
				return pg_usage_error("vms",
						      "--count: '%s' is not a number from 1",
						      optarg);
			counted = true;
			break;
		case 'h':
			fputs(vms_usage, stdout);
			return PGENC_EXIT_OK;
		default:
			return pg_getopt_error("vms", c, argv);
		}
	}
	/* --watch SECS as well as --watch=SECS. */
	if (watching && !secs_arg && optind < argc)
		secs_arg = argv[optind++];
	if (optind < argc)
		return pg_usage_error("vms", "unexpected argument '%s'",
				      argv[optind]);
	if (secs_arg &&
	    (pg_parse_u64(secs_arg, &secs) || !secs || secs > 86400))
		return pg_usage_error("vms",
				      "--watch: '%s' is not a number of seconds from 1 to 86400",
				      secs_arg);
	if (json && watching)
		return pg_usage_error("vms",
				      "--json and --watch exclude each other");
	if (counted && !watching)
		return pg_usage_error("vms", "--count applies to --watch only");

	r = kvmfs_open("vms", &fs);
	if (r)
		return r;
	return watching ? watch(&fs, secs, count) : show_once(&fs, json);
}
