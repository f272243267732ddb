/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every fuzz target shares: libFuzzer's entry point and CHECK, which
 * stops the run (a crash libFuzzer reports with its input) when an
 * invariant does not hold. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

#endif
