/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The project's one error enum and its one string table.
 *
 * Library code returns these codes and never prints.  Where a bare code is
 * not enough (which CRC, how many bytes), a struct wc_diag carries the two
 * numbers the message needs, and wc_diag_format() writes the sentence; the
 * edge (CLI, collectd glue) prefixes it with the battery's name. */
#ifndef WC_ERROR_H
#define WC_ERROR_H

#include <stddef.h>
#include <stdint.h>

enum wc_err {
	WC_OK = 0,
	/* arguments and buffers */
	WC_E_ARG,          /* invalid argument to a library call */
	WC_E_NOSPACE,      /* caller's output buffer too small */
	/* frame structure */
	WC_E_SHORT,        /* fewer bytes than a frame header + trailer */
	WC_E_TRUNCATED,    /* fewer bytes than the length field declares */
	WC_E_OVERLONG,     /* more bytes than the length field declares */
	WC_E_TOO_BIG,      /* declared length beyond the reassembly ceiling */
	WC_E_HEAD,         /* response does not start with 0x7E */
	WC_E_TERMINATOR,   /* last byte is not 0x0D */
	WC_E_CRC,          /* CRC-16/MODBUS mismatch */
	WC_E_FUNCTION,     /* function byte is not a read echo (0x03) */
	WC_E_BMS_ERROR,    /* BMS answered with an error function (0x80 set) */
	WC_E_DP,           /* data point the decoder does not know */
	/* payload */
	WC_E_CELL_COUNT,   /* cell count 0 or above 32 */
	WC_E_TEMP_COUNT,   /* temperature sensor count above 32 */
	WC_E_LENGTH,       /* data length disagrees with the counts in it */
	WC_E_INFO_LENGTH,  /* 0x92 data is not exactly 60 bytes */
	/* reassembly */
	WC_E_STRAY,        /* fragment that cannot start a frame, dropped */
	WC_E_STALE,        /* partial frame dropped after the stale deadline */
	WC_E_INCOMPLETE,   /* input ended inside a frame */
	/* link and session (transport, ATT, poll) */
	WC_E_TIMEOUT,      /* a deadline passed */
	WC_E_IO,           /* system call failed; errno in diag.a */
	WC_E_CLOSED,       /* peer closed the link */
	WC_E_NOBT,         /* no Bluetooth support in this kernel/host */
	WC_E_ATT,          /* ATT Error Response; diag.a = opcode, diag.b = ecode */
	WC_E_PROTO,        /* malformed or unexpected ATT PDU */
	WC_E_NOT_FOUND,    /* a service or characteristic is missing */
	WC_E_LOCKED,       /* battery did not accept the unlock */
	WC_E_NO_ANSWER,    /* no request head got an answer */
	/* JBD family (jbd.c) */
	WC_E_CHECKSUM,     /* JBD checksum (0x10000 - byte sum) mismatch */
	WC_E_JBD_STATUS,   /* JBD reply with a non-zero status byte; a = status,
			      b = command */
	WC_E__COUNT
};

/* Details for one error: a and b are the two numbers the message quotes
 * (e.g. CRC in the frame, CRC computed).  Meaning per code in wc_error.c. */
struct wc_diag {
	enum wc_err code;
	uint32_t a;
	uint32_t b;
};

/* Short fixed description of a code ("crc mismatch"). Never NULL. */
const char *wc_strerror(enum wc_err code);

/* One sentence with the numbers: "crc mismatch: frame says 0x1F90,
 * computed 0x1F91".  Always NUL-terminates; returns buf. */
char *wc_diag_format(const struct wc_diag *d, char *buf, size_t len);

/* Record an error in d (may be NULL) and return code, so callers can write
 * return wc_fail(d, WC_E_CRC, got, want); */
enum wc_err wc_fail(struct wc_diag *d, enum wc_err code, uint32_t a, uint32_t b);

#endif
