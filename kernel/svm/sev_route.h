/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Force-included into sev.c only (Kbuild): routes sev.c's firmware calls
 * through pgenc_sev.c, which counts them and, with sevsim=1, sends them
 * to the simulator, and gives sev.c the simulated CPU's SEV features.
 * The headers are included first so their own declarations keep the real
 * names; sev.c's later #includes of them are then no-ops.
 */
#ifndef PGENC_SEV_ROUTE_H
#define PGENC_SEV_ROUTE_H

#include <linux/fs.h>
#include <linux/psp-sev.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>
#include <asm/svm.h>

#include "svm/svm.h"
#include "sevsim.h"
#include "pgenc_sev.h"

#define sev_issue_cmd_external_user pgenc_sev_issue_cmd_external_user
#define sev_platform_init pgenc_sev_platform_init
#define sev_guest_activate pgenc_sev_guest_activate
#define sev_guest_deactivate pgenc_sev_guest_deactivate
#define sev_guest_decommission pgenc_sev_guest_decommission
#define sev_guest_df_flush pgenc_sev_guest_df_flush

#undef boot_cpu_has
#define boot_cpu_has(bit) sevsim_boot_cpu_has(bit)
#define cpuid(op, a, b, c, d) sevsim_cpuid(op, a, b, c, d)

/*
 * 6.12's SEV needs next-RIP saving and SEV-ES needs LBR virtualisation,
 * which TCG lacks; KVM decodes a simulated guest's instructions, and
 * sevsim runs no SEV-ES vCPU (Documentation/sevsim.rst, "SEV-ES").
 */
#define nrips (nrips || sevsim_active())
#define lbrv (lbrv || sevsim_active())

/* A simulated guest runs as a plain SVM guest: no SEV bits in its VMCB. */
#undef SVM_NESTED_CTL_SEV_ENABLE
#define SVM_NESTED_CTL_SEV_ENABLE (sevsim_active() ? 0 : BIT(1))
#undef SVM_NESTED_CTL_SEV_ES_ENABLE
#define SVM_NESTED_CTL_SEV_ES_ENABLE (sevsim_active() ? 0 : BIT(2))

#endif /* PGENC_SEV_ROUTE_H */
