/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/sevsim: the software SEV firmware of kvm_amd sevsim=1 (testing
 * only: it does not encrypt guest memory). Its fd is what KVM's SEV
 * commands take as sev_fd. It accepts SEV_ISSUE_CMD (<linux/psp-sev.h>)
 * with SEV_PLATFORM_STATUS and the certificate commands (SEV_PEK_GEN to
 * SEV_GET_ID2, SEV_FACTORY_RESET) as /dev/sev does, and the platform
 * commands below, which the real /dev/sev runs only internally, and for
 * tests the guest lifecycle commands that KVM alone issues otherwise, a
 * stall of the firmware and the peer checks of SEND_START. See
 * Documentation/sevsim.rst.
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

/*
 * Tests only: stall the next firmware command, so that a test can show
 * what does and does not wait for a command in progress (KVM holds
 * kvm->lock across its SEV commands). data points to a struct
 * sevsim_user_stall; each command reports state (and cmd) after it acts.
 *
 * STALL_ARM: the next command to reach the firmware, KVM's or
 * /dev/sevsim's, waits there, holding the firmware, until STALL_RELEASE,
 * timeout_ms (1 to SEVSIM_STALL_MAX_MS, else -EINVAL), a fatal signal to
 * its caller, or the close of the file that armed it; then it runs as
 * usual. -EBUSY if a stall is already armed or in progress.
 * STALL_STATUS: state, and in cmd the stalled (or last stalled) command's
 * id (enum sev_cmd of <linux/psp-sev.h>).
 * STALL_RELEASE: ends a stall in progress (RELEASED), or disarms (OFF).
 */
#define SEVSIM_USER_STALL_ARM 0x107
#define SEVSIM_USER_STALL_STATUS 0x108
#define SEVSIM_USER_STALL_RELEASE 0x109

#define SEVSIM_STALL_MAX_MS 10000

/* sevsim_user_stall.state */
#define SEVSIM_STALL_OFF 0 /* not armed */
#define SEVSIM_STALL_ARMED 1 /* armed, no command has come yet */
#define SEVSIM_STALL_STALLED 2 /* a command waits in the firmware */
#define SEVSIM_STALL_RELEASED 3 /* it waited until STALL_RELEASE */
#define SEVSIM_STALL_EXPIRED 4 /* it waited until its timeout or a signal */

struct sevsim_user_stall {
	__u32 timeout_ms;
	__u32 state;
	__u32 cmd;
	__u32 pad;
};

/*
 * Tests only: the checks SEND_START makes of a target's certificates
 * (its PDH, and as policy asks, its chain PEK, OCA, CEK of plat_len
 * bytes), then the ECDH secret between the platform's PDH and that PDH,
 * so that a test can recompute it. data points to a struct
 * sevsim_user_pki_peer; the status is the command's; secret is written
 * only on success: the shared x coordinate, big-endian, as the SEV KDF
 * takes it (Documentation/sevsim.rst, "Platform keys and certificates").
 */
#define SEVSIM_USER_PKI_PEER 0x110

struct sevsim_user_pki_peer {
	__u64 pdh_address; /* 0x824 bytes */
	__u64 plat_address;
	__u32 plat_len;
	__u32 policy;
	__u8 secret[48];
};

#endif /* _UAPI_LINUX_SEVSIM_H */
