/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/sevsim: the software SEV firmware of kvm_amd sevsim=1 (testing
 * only: it does not encrypt guest memory). Its fd is what KVM's SEV
 * commands take as sev_fd. It accepts SEV_ISSUE_CMD (<linux/psp-sev.h>)
 * with SEV_PLATFORM_STATUS, and the platform commands below, which the
 * real /dev/sev runs only internally, and for tests the guest lifecycle
 * commands that KVM alone issues otherwise. See Documentation/sevsim.rst.
 */
#ifndef _UAPI_LINUX_SEVSIM_H
#define _UAPI_LINUX_SEVSIM_H

#include <linux/types.h>

#define SEVSIM_DEVICE "/dev/sevsim"

/* struct sev_issue_cmd.cmd values beyond enum sev_cmd; data unused. */
#define SEVSIM_USER_INIT 0x100
#define SEVSIM_USER_SHUTDOWN 0x101
#define SEVSIM_USER_DF_FLUSH 0x102

/*
 * Tests only: ACTIVATE, DEACTIVATE, DECOMMISSION of any guest, KVM's
 * included, so that their status codes can be reached (KVM never issues
 * them out of order), and GUEST_STATUS with the ASID, which KVM's
 * GUEST_STATUS leaves out. data points to a struct sevsim_user_guest:
 * handle in; asid in for ACTIVATE, out for GUEST_STATUS; policy and
 * state out for GUEST_STATUS.
 */
#define SEVSIM_USER_ACTIVATE 0x103
#define SEVSIM_USER_DEACTIVATE 0x104
#define SEVSIM_USER_DECOMMISSION 0x105
#define SEVSIM_USER_GUEST_STATUS 0x106

struct sevsim_user_guest {
	__u32 handle;
	__u32 asid;
	__u32 policy;
	__u32 state;
};

#endif /* _UAPI_LINUX_SEVSIM_H */
