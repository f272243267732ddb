/* SPDX-License-Identifier: GPL-2.0-or-later */
/* See link_addr.h. */
#include "link_addr.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bytes.h"
#include "msgbuf.h"

#define UNIX_PREFIX "unix:"

bool wc_bdaddr_parse(const char *text, uint8_t out[6])
{
	uint8_t b[6];
	int i;

	if (!text || strlen(text) != 17)
		return false;
	for (i = 0; i < 6; i++) {
		int hi = hex_digit(text[3 * i]);
		int lo = hex_digit(text[3 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		if (i < 5 && text[3 * i + 2] != ':')
			return false;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(out, b, sizeof(b));
	return true;
}

char *wc_bdaddr_format(const uint8_t bdaddr[6], char *buf, size_t len)
{
	if (!buf || len == 0)
		return buf;
	snprintf(buf, len, "%02X:%02X:%02X:%02X:%02X:%02X", bdaddr[0],
		 bdaddr[1], bdaddr[2], bdaddr[3], bdaddr[4], bdaddr[5]);
	return buf;
}

const char *wc_addr_type_name(enum wc_addr_type t)
{
	switch (t) {
	case WC_ADDR_AUTO:
		return "auto";
	case WC_ADDR_PUBLIC:
		return "public";
	case WC_ADDR_RANDOM:
		return "random";
	default:
		break;
	}
	return "invalid";
}

bool wc_addr_type_parse(const char *text, enum wc_addr_type *out)
{
	static const enum wc_addr_type all[] = { WC_ADDR_AUTO, WC_ADDR_PUBLIC,
						 WC_ADDR_RANDOM };

	for (size_t i = 0; text && i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcasecmp(text, wc_addr_type_name(all[i])) == 0) {
			*out = all[i];
			return true;
		}
	}
	return false;
}

enum wc_err wc_link_parse_address(const char *text, struct wc_link_addr *out,
				  char *msg, size_t msglen)
{
	static const char expected[] =
		"expected unix:/path/to.sock (simulator) or a Bluetooth "
		"address like C0:D6:3C:52:E4:D9";

	wc_msgf(msg, msglen, "%s", "");
	if (!out) {
		wc_msgf(msg, msglen, "no address output given");
		return WC_E_ARG;
	}
	memset(out, 0, sizeof(*out));
	if (!text || !*text) {
		wc_msgf(msg, msglen, "empty address: %s", expected);
		return WC_E_ARG;
	}
	if (strncmp(text, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0) {
		const char *path = text + strlen(UNIX_PREFIX);
		size_t n = strlen(path);

		if (n == 0) {
			wc_msgf(msg, msglen,
				    "bad address \"%s\": the socket path is "
				    "empty; %s", text, expected);
			return WC_E_ARG;
		}
		if (n >= sizeof(out->path)) {
			wc_msgf(msg, msglen,
				    "bad address \"%.40s...\": the socket path "
				    "is %zu bytes, the limit is %zu",
				    text, n, sizeof(out->path) - 1);
			return WC_E_ARG;
		}
		out->kind = WC_LINK_UNIX;
		memcpy(out->path, path, n + 1);
		return WC_OK;
	}
	if (wc_bdaddr_parse(text, out->bdaddr)) {
		out->kind = WC_LINK_BLE;
		return WC_OK;
	}
	wc_msgf(msg, msglen, "bad address \"%s\": %s", text, expected);
	return WC_E_ARG;
}
