/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgenc CLI: the subcommands implemented outside main.c, and the exit
 * codes every subcommand uses.
 */
#ifndef PGENC_COMMANDS_H
#define PGENC_COMMANDS_H

/* Exit codes of every pgenc subcommand. */
#define PGENC_EXIT_OK 0 /* done */
#define PGENC_EXIT_FAILED 1 /* the operation failed */
#define PGENC_EXIT_USAGE 2 /* bad command line */
#define PGENC_EXIT_UNSUPPORTED 3 /* this host cannot do it */

/*
 * Each takes the arguments after "pgenc": argv[0] is the subcommand name
 * ("run", "ctl", "dump"); each handles its own --help. Returns one of the
 * exit codes above.
 */
int cmd_run(int argc, char **argv); /* run.c: the minimal VMM */
int cmd_ctl(int argc, char **argv); /* ctl.c: control socket client */
int cmd_dump(int argc, char **argv); /* dump.c: chunked memory dump */
int cmd_migrate(int argc, char **argv); /* migrate.c: live migration */
int cmd_vms(int argc, char **argv); /* vms.c: tracked VMs, from debugfs */

#endif /* PGENC_COMMANDS_H */
