// SPDX-License-Identifier: GPL-2.0-only
/*
 * pgenc: the command line tool of pgenc, page encryption status tracking
 * for KVM SEV guests. main() only dispatches: "pgenc COMMAND ARGS..."
 * calls the command's cmd_*() with argv[0] = COMMAND.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include <pgenc/pgenc.h>

#include "cmdutil.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} commands[] = {
	{ "probe", cmd_probe,
	  "what this host can do (KVM, pgenc, SEV, sevsim)" },
	{ "run", cmd_run,
	  "a minimal VMM: launch a guest, optionally under SEV" },
	{ "ctl", cmd_ctl,
	  "talk to a running 'pgenc run' over its control socket" },
	{ "dump", cmd_dump, "read guest memory through SEV DBG_DECRYPT" },
	{ "migrate", cmd_migrate,
	  "live-migrate a 'pgenc run' guest to another, or save it" },
	{ "bitmap", cmd_bitmap, "export, import, show and diff page bitmaps" },
	{ "vms", cmd_vms, "the VMs with tracking, of any VMM (debugfs)" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fputs("Usage: pgenc COMMAND [OPTION]...\n"
	      "       pgenc --help | --version\n"
	      "\n"
	      "Page encryption status tracking for KVM SEV guests: which guest\n"
	      "pages are encrypted (private) and which are shared.\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].what);
	fputs("  help     'pgenc help CMD [SUB]' is 'pgenc CMD [SUB] --help'\n"
	      "\n"
	      "Every command takes --help. Exit status: 0 success, 1 the\n"
	      "operation failed, 2 usage error, 3 unsupported on this host\n"
	      "('bitmap diff': 0 same, 1 different, 2 trouble). See pgenc(1).\n"
	      "\n"
	      "The bitmap, and so every shared page, is only as true as the\n"
	      "guest's reports. sevsim (kvm_amd sevsim=1) encrypts nothing.\n",
	      f);
}

static const struct command *find(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

/* The list comes from the table, so that a new command is never missing. */
static int unknown(const char *name)
{
	char list[128] = "";
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++) {
		if (i)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, commands[i].name,
			sizeof(list) - strlen(list) - 1);
	}
	return pg_usage_error("", "unknown command '%s' (%s)", name, list);
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		return pg_usage_error("", "missing command");
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return PGENC_EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("pgenc %s\n", pgenc_version());
		return PGENC_EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		/* "pgenc help CMD [SUB]" is "pgenc CMD [SUB] --help". */
		char help[] = "--help";
		char *args[4] = { NULL };

		if (argc == 2) {
			usage(stdout);
			return PGENC_EXIT_OK;
		}
		if (argc > 4)
			return pg_usage_error("",
					      "help: unexpected argument '%s'",
					      argv[4]);
		c = find(argv[2]);
		if (!c)
			return unknown(argv[2]);
		args[0] = argv[2];
		args[1] = argc == 4 ? argv[3] : help;
		args[2] = argc == 4 ? help : NULL;
		return c->fn(argc - 1, args);
	}
	if (argv[1][0] == '-') {
		return pg_usage_error("",
				      "unknown option '%s' (a command comes first)",
				      argv[1]);
	}
	c = find(argv[1]);
	if (!c)
		return unknown(argv[1]);
	return c->fn(argc - 1, argv + 1);
}
