/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A caller's message buffer: library calls that can fail take (char *msg,
 * size_t msglen) and write one sentence there.  The one helper they all
 * use, so that a NULL or empty buffer is never written. */
#ifndef WC_MSGBUF_H
#define WC_MSGBUF_H

#include <stddef.h>

/* printf into msg (NULL or 0-length: nothing); never overruns. */
void wc_msgf(char *msg, size_t msglen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
