/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pgenc, kvm-amd side: the firmware entry points sev.c is routed to
 * (sev_route.h) and the DBG_DECRYPT/DBG_ENCRYPT bypass hook.
 */
#ifndef PGENC_SEV_H
#define PGENC_SEV_H

#include <linux/kvm_host.h>
#include <linux/psp-sev.h>

#include "pgenc_compat.h"

int pgenc_sev_issue_cmd_external_user(struct file *filep, unsigned int id,
				      void *data, int *error);
int pgenc_sev_platform_init(PGENC_SEV_INIT_ARGS *args);
int pgenc_sev_guest_activate(struct sev_data_activate *data, int *error);
int pgenc_sev_guest_deactivate(struct sev_data_deactivate *data, int *error);
int pgenc_sev_guest_decommission(struct sev_data_decommission *data,
				 int *error);
int pgenc_sev_guest_df_flush(int *error);

void pgenc_sev_exit(void);
int pgenc_sev_dbg_bypass(struct kvm *kvm, u32 handle, unsigned long src,
			 unsigned long dst, unsigned int size, bool dec);

#endif /* PGENC_SEV_H */
