/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "wc_error.h"

#include <stdio.h>
#include <string.h>

#include "jbd.h"

struct err_text {
	const char *text;
	/* printf format for the detail, taking (a, b); NULL: no detail */
	const char *detail;
};

static const struct err_text err_texts[WC_E__COUNT] = {
	[WC_OK] = { "success", NULL },
	[WC_E_ARG] = { "invalid argument", NULL },
	[WC_E_NOSPACE] = { "output buffer too small",
			   "need %u bytes, have %u" },
	[WC_E_SHORT] = { "frame too short",
			 "%u bytes, a frame has at least %u" },
	[WC_E_TRUNCATED] = { "frame truncated",
			     "length field says %u bytes, got %u" },
	[WC_E_OVERLONG] = { "frame longer than its length field",
			    "length field says %u bytes, got %u" },
	[WC_E_TOO_BIG] = { "frame too big",
			   "length field says %u bytes, limit is %u" },
	[WC_E_HEAD] = { "bad frame head",
			"first byte is 0x%02X, expected 0x%02X" },
	[WC_E_TERMINATOR] = { "bad terminator",
			      "last byte is 0x%02X, expected 0x%02X" },
	[WC_E_CRC] = { "crc mismatch",
		       "frame says 0x%04X, computed 0x%04X" },
	[WC_E_FUNCTION] = { "unexpected function",
			    "function byte is 0x%02X, expected 0x%02X" },
	[WC_E_BMS_ERROR] = { "battery reported an error",
			     "function byte 0x%02X for data point 0x%02X" },
	[WC_E_DP] = { "unknown data point", "data point 0x%02X" },
	[WC_E_CELL_COUNT] = { "bad cell count",
			      "%u cells, allowed 1..%u" },
	[WC_E_TEMP_COUNT] = { "bad temperature sensor count",
			      "%u sensors, allowed 0..%u" },
	[WC_E_LENGTH] = { "data length disagrees with the counts",
			  "data is %u bytes, the counts need %u" },
	[WC_E_INFO_LENGTH] = { "bad product info length",
			       "data is %u bytes, expected %u" },
	[WC_E_STRAY] = { "stray fragment dropped",
			 "fragment of %u bytes starts with 0x%02X, not 0x7E" },
	[WC_E_STALE] = { "stale partial frame dropped",
			 "had %u of %u bytes" },
	[WC_E_INCOMPLETE] = { "incomplete frame",
			      "have %u of %u bytes" },
	[WC_E_TIMEOUT] = { "timed out", "after %u ms" },
	[WC_E_IO] = { "I/O error", NULL },
	[WC_E_CLOSED] = { "link closed by the peer", NULL },
	[WC_E_NOBT] = { "no Bluetooth support", NULL },
	[WC_E_ATT] = { "ATT error response",
		       "request 0x%02X, error 0x%02X" },
	[WC_E_PROTO] = { "protocol violation",
			 "unexpected PDU 0x%02X" },
	[WC_E_NOT_FOUND] = { "not found", NULL },
	[WC_E_LOCKED] = { "battery did not accept the unlock", NULL },
	[WC_E_NO_ANSWER] = { "no answer to either request head",
			     NULL },
	[WC_E_CHECKSUM] = { "checksum mismatch",
			    "frame says 0x%04X, computed 0x%04X" },
	[WC_E_JBD_STATUS] = { "battery answered with an error status",
			      NULL },
};

static const struct err_text *text_of(enum wc_err code)
{
	if ((unsigned)code >= WC_E__COUNT || !err_texts[code].text)
		return NULL;
	return &err_texts[code];
}

const char *wc_strerror(enum wc_err code)
{
	const struct err_text *t = text_of(code);

	return t ? t->text : "unknown error";
}

char *wc_diag_format(const struct wc_diag *d, char *buf, size_t len)
{
	const struct err_text *t;
	char detail[96];

	if (!buf || len == 0)
		return buf;
	t = d ? text_of(d->code) : NULL;
	if (!t) {
		snprintf(buf, len, "unknown error");
		return buf;
	}
	if (d->code == WC_E_IO) {
		snprintf(buf, len, "%s: %s", t->text, strerror((int)d->a));
		return buf;
	}
	if (d->code == WC_E_JBD_STATUS) {
		snprintf(buf, len, "%s: status 0x%02X (%s) to command 0x%02X",
			 t->text, (unsigned)d->a,
			 jbd_status_text((uint8_t)d->a)
				 ? jbd_status_text((uint8_t)d->a) : "ok",
			 (unsigned)d->b);
		return buf;
	}
	if (!t->detail) {
		snprintf(buf, len, "%s", t->text);
		return buf;
	}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(detail, sizeof(detail), t->detail, (unsigned)d->a,
		 (unsigned)d->b);
#pragma GCC diagnostic pop
	snprintf(buf, len, "%s: %s", t->text, detail);
	return buf;
}

enum wc_err wc_fail(struct wc_diag *d, enum wc_err code, uint32_t a, uint32_t b)
{
	if (d) {
		d->code = code;
		d->a = a;
		d->b = b;
	}
	return code;
}
