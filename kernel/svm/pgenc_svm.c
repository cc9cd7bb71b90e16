// SPDX-License-Identifier: GPL-2.0-only
/*
 * pgenc, kvm-amd.ko side. The SEV hooks call into kvm.ko's pgenc
 * functions; this file tags the module with our version.
 */
#include <linux/module.h>

MODULE_VERSION(PGENC_VERSION);
