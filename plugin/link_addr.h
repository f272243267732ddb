/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The addresses a link goes to: a BD address (the battery's radio) or
 * unix:/path (the simulator), and the LE address types.  Pure text and
 * bytes: the inventory, the CLI, the scan and the transports all read
 * addresses through here, below the link itself. */
#ifndef WC_LINK_ADDR_H
#define WC_LINK_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wc_error.h"

/* LE address type for the connect.  XDZN batteries use random static
 * addresses (top two bits 11), doc/PROTOCOL.md §3.2. */
enum wc_addr_type {
	WC_ADDR_AUTO = 0, /* try random, then public (half the time each) */
	WC_ADDR_PUBLIC,
	WC_ADDR_RANDOM,
};

enum wc_link_kind {
	WC_LINK_UNIX,
	WC_LINK_BLE,
};

/* sizeof(((struct sockaddr_un *)0)->sun_path) on Linux */
#define WC_UNIX_PATH_MAX 108

/* A parsed address. */
struct wc_link_addr {
	enum wc_link_kind kind;
	char path[WC_UNIX_PATH_MAX]; /* WC_LINK_UNIX: NUL-terminated path */
	uint8_t bdaddr[6];           /* WC_LINK_BLE: display order, [0] = "C0" */
};

/* Parse "unix:/path/to.sock" or a BD address "C0:D6:3C:52:E4:D9" (either
 * case).  Anything else is WC_E_ARG, and msg says which forms are
 * expected.  msg may be NULL. */
enum wc_err wc_link_parse_address(const char *text, struct wc_link_addr *out,
				  char *msg, size_t msglen);

/* Strict "XX:XX:XX:XX:XX:XX" (hex, either case) into display order. */
bool wc_bdaddr_parse(const char *text, uint8_t out[6]);

/* "C0:D6:3C:52:E4:D9" into buf (at least 18 bytes). Returns buf. */
char *wc_bdaddr_format(const uint8_t bdaddr[6], char *buf, size_t len);

/* "auto", "public", "random". */
const char *wc_addr_type_name(enum wc_addr_type t);

/* The inverse, case-insensitive; false for anything else. */
bool wc_addr_type_parse(const char *text, enum wc_addr_type *out);

#endif
