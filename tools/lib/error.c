// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * Version and error messages. The messages are static strings: no
 * buffer, so pgenc_strerror() is thread-safe.
 */
#include "internal.h"

#ifndef PGENC_VERSION_STRING
#error "build with -DPGENC_VERSION_STRING=\"x.y.z\" (tools/lib/Makefile)"
#endif

const char *pgenc_version(void)
{
	return PGENC_VERSION_STRING;
}

const char *pgenc_strerror(int err)
{
	const char *s;

	if (err < 0)
		err = -err;
	/* Where the library gives an errno a more precise meaning. */
	switch (err) {
	case 0:
		return "Success";
	case EBADMSG:
		return "Malformed input (see the parse error's line and column)";
	case ENOTTY:
		return "Inappropriate ioctl (not a KVM fd, or pgenc modules not loaded)";
	case ENXIO:
		return "Page encryption tracking is not enabled on this VM";
	case EKEYREJECTED:
		return "SEV launch measurement does not match";
	case ERANGE:
		return "Page outside the bitmap";
	default:
		break;
	}
	s = strerrordesc_np(err);
	return s ? s : "Unknown error";
}
