/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the control socket's clients in the CLI: `pgenc ctl`
 * (ctl.c) and `pgenc dump` (dump.c).
 */
#ifndef PGENC_CTL_CLIENT_H
#define PGENC_CTL_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "ctl_proto.h"

/*
 * Connect to the control socket; on failure print "PROG: cannot connect
 * to SOCK: ..." with a hint and return -errno.
 */
int ctl_client_connect(const char *prog, const char *sock);

/*
 * Send the request in w (finished) and read the response into *resp. On
 * a transport problem print "PROG: SOCK: ..." and return -errno; a
 * response with "ok":false is returned as 0 (check ctl_resp_ok()).
 */
int ctl_client_call(const char *prog, const char *sock, int fd,
		    struct ctl_reader *r, struct ctl_writer *w,
		    struct ctl_msg *resp, char **raw);

/* A number: decimal or 0x hex, with an optional K/M/G suffix. */
int ctl_parse_num(const char *s, bool suffix, uint64_t *out);

/* Read a whole file ("-": stdin) into a malloc()ed buffer (vmm_setup.c). */
int vmm_load_file(const char *path, void **data, size_t *len);

/*
 * `pgenc dump` proper, also run by `pgenc ctl SOCK dump ...`: argv[0] is
 * the command's name (for messages), sock may be NULL (then --socket is
 * required). Returns a PGENC_EXIT_* code.
 */
int dump_main(const char *prog, const char *sock, int argc, char **argv);

#endif /* PGENC_CTL_CLIENT_H */
