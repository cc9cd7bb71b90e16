/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * libpgenc: the userspace side of pgenc, page encryption status tracking
 * for KVM SEV guests.
 *
 *  - <pgenc/bitmap.h>: struct pgenc_bitmap, one bit per guest page (gfn),
 *    1 = encrypted; range iteration, diff; version and messages;
 *  - <pgenc/format.h>: three file formats (raw binary, "ranges" text,
 *    JSON), each with a writer and a strict parser that reports the line
 *    and column of the first problem;
 *  - <pgenc/kvm.h>: wrappers of the KVM_CAP_PAGE_ENC_BITMAP capability
 *    and the KVM_{GET,SET}_PAGE_ENC_BITMAP VM ioctls; hypercall 12
 *    (KVM_HC_PAGE_ENC_STATUS) decoding, for VMMs that take the
 *    KVM_EXIT_HYPERCALL path themselves;
 *  - <pgenc/sev.h>: SEV launch, guest status and DBG_{DE,EN}CRYPT
 *    commands over KVM_MEMORY_ENCRYPT_OP, the whole launch sequence in
 *    one call (pgenc_sev_launch()), and the launch measurement
 *    (HMAC-SHA256); the SEND and RECEIVE migration commands and the
 *    platform's PDH certificate;
 *  - <pgenc/migrate.h>: the live migration stream, its encoder and
 *    its strict decoder.
 *
 * Conventions: functions that can fail return 0 (or a documented
 * non-negative value) on success and a negative errno on failure;
 * pgenc_strerror() turns it into a message. Out-parameters are written
 * only on success. The library keeps no global state: distinct objects
 * may be used from distinct threads at once; one object (a bitmap, a
 * digest) must not be modified by two threads at once.
 *
 * The ABI constants come from <linux/kvm_pgenc.h> (uapi/ in the source
 * tree). See Documentation/api.rst for the kernel side.
 */
#ifndef PGENC_PGENC_H
#define PGENC_PGENC_H

/* The topic headers; each may also be included alone. */
#include <pgenc/bitmap.h>
#include <pgenc/format.h>
#include <pgenc/kvm.h>
#include <pgenc/migrate.h>
#include <pgenc/sev.h>

#endif /* PGENC_PGENC_H */
