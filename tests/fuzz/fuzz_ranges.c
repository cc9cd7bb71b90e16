// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: the ranges parser and the round-trip property. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one(PGENC_FORMAT_RANGES, data, size);
	return 0;
}
