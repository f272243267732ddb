/* SPDX-License-Identifier: GPL-2.0-or-later */
/* See msgbuf.h. */
#include "msgbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void wc_msgf(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	if (!msg || msglen == 0)
		return;
	if (strcmp(fmt, "%s") == 0) {
		/* a plain string (the empty one after every success): no
		 * formatting needed */
		const char *s;
		size_t n;

		va_start(ap, fmt);
		s = va_arg(ap, const char *);
		va_end(ap);
		if (!s)
			s = "";
		n = strnlen(s, msglen - 1);
		memcpy(msg, s, n);
		msg[n] = '\0';
		return;
	}
	va_start(ap, fmt);
	/* truncation is acceptable for a message; vsnprintf NUL-terminates */
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
}
