/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A heap copy of exactly len bytes (len 0 still gives a valid pointer), so
 * that ASan sees a parser read one byte past a recorded packet.  Include
 * after <cmocka.h>. */
#ifndef WC_TEST_EXACT_COPY_H
#define WC_TEST_EXACT_COPY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *exact_copy(const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	assert_non_null(c);
	if (len)
		memcpy(c, p, len);
	return c;
}

#endif
