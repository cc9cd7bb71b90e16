/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/sevsim: the software SEV firmware of kvm_amd sevsim=1 (testing
 * only: it does not encrypt guest memory). Its fd is what KVM's SEV
 * commands take as sev_fd. It accepts SEV_ISSUE_CMD (<linux/psp-sev.h>)
 * with SEV_PLATFORM_STATUS, and the platform commands below, which the
 * real /dev/sev runs only internally. See Documentation/sevsim.rst.
 */
#ifndef _UAPI_LINUX_SEVSIM_H
#define _UAPI_LINUX_SEVSIM_H

#define SEVSIM_DEVICE "/dev/sevsim"

/* struct sev_issue_cmd.cmd values beyond enum sev_cmd; data unused. */
#define SEVSIM_USER_INIT 0x100
#define SEVSIM_USER_SHUTDOWN 0x101
#define SEVSIM_USER_DF_FLUSH 0x102

#endif /* _UAPI_LINUX_SEVSIM_H */
