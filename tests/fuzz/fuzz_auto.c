// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the auto-detecting reader, and the round trip through
 * every format.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one(PGENC_FORMAT_AUTO, data, size);
	return 0;
}
