/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wattcycle decode HEX... — reassemble notification fragments given as hex
 * and print each decoded frame as one JSON object per line.  Both protocol
 * families: WATT/TDT frames (7E … 0D) and JBD frames (DD … 77); the family
 * is taken from the first byte of each frame.  A whole captured session
 * decodes: the client's requests (WATT 7E/1E reads, the 18-byte infoData
 * read, writes; JBD DD A5 reads, DD 5A writes) are shown as requests, a
 * WATT write frame as a write (request or the battery's echo). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "cli.h"
#include "family.h"
#include "jbd.h"
#include "sample_json.h"
#include "watt.h"

struct decode_state {
	int frames;
	int errors;
};

static void hex_field(struct jw *w, const char *key, const uint8_t *p,
		      size_t n)
{
	char buf[3 * 255 + 1];
	size_t o = 0;

	if (n > 255)
		n = 255;
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%02X",
				      i ? " " : "", p[i]);
	buf[o] = '\0';
	jw_str(w, key, buf);
}

static void fail(struct decode_state *st, const char *what,
		 const struct wc_diag *d)
{
	char msg[160];

	cli_err("decode: %s%s", what, wc_diag_format(d, msg, sizeof(msg)));
	st->errors++;
}

/* ---- WATT ---------------------------------------------------------------- */

/* A WATT request as the client writes it: head 7E or 1E, function 03 or
 * 06, N data bytes after the header (N from bytes 6-7) or the 7 infoData
 * bytes of the version-4 read (length field 0, byte 1 = 01), CRC, 0D. */
static bool watt_request(const uint8_t *b, size_t n)
{
	size_t body;

	if (n < WATT_OVERHEAD || (b[0] != WATT_HEAD_7E && b[0] != WATT_HEAD_1E) ||
	    (b[3] != WATT_FN_READ && b[3] != WATT_FN_WRITE) ||
	    b[n - 1] != WATT_TERMINATOR)
		return false;
	body = (size_t)get_be16(b + 6);
	if (n != body + WATT_OVERHEAD &&
	    !(n == WATT_INFODATA_READ_LEN && b[1] == 0x01 && body == 0 &&
	      b[3] == WATT_FN_READ))
		return false;
	return get_be16(b + n - 3) == watt_crc16(b, n - 3) &&
	       (b[0] == WATT_HEAD_1E || b[3] == WATT_FN_WRITE || body == 0 ||
		n == WATT_INFODATA_READ_LEN);
}

static void print_watt_request(const uint8_t *b, size_t n,
			       struct decode_state *st)
{
	char hd[8], dpname[8];
	struct jw w;
	size_t body = get_be16(b + 6);

	jw_init(&w, stdout);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "family", "watt");
	if (b[3] == WATT_FN_WRITE)
		/* The battery's echo of a write has the same bytes as a write
		 * sent with head 7E. */
		jw_str(&w, "kind", b[0] == WATT_HEAD_7E ? "write" : "write_request");
	else
		jw_str(&w, "kind", n == WATT_INFODATA_READ_LEN
					   ? "infodata_read_request"
					   : "read_request");
	snprintf(hd, sizeof(hd), "0x%02x", b[0]);
	jw_str(&w, "head", hd);
	jw_str(&w, "dp", sample_json_dp_name(get_be16(b + 4), dpname,
					     sizeof(dpname)));
	if (b[3] == WATT_FN_WRITE)
		hex_field(&w, "data", b + WATT_HEADER_LEN, body);
	if (n == WATT_INFODATA_READ_LEN)
		hex_field(&w, "info_data", b + WATT_HEADER_LEN, 7);
	jw_obj_end(&w);
	fputc('\n', stdout);
	st->frames++;
}

static void print_watt(const uint8_t *frame, size_t len,
		       struct decode_state *st)
{
	struct wc_sample s;
	struct wc_diag d = { WC_OK, 0, 0 };
	uint16_t dp = 0;
	char dpname[8];
	struct jw w;

	if (watt_request(frame, len)) {
		print_watt_request(frame, len, st);
		return;
	}
	memset(&s, 0, sizeof(s));
	if (watt_decode(frame, len, &s, &dp, &d) != WC_OK) {
		fail(st, "", &d);
		return;
	}
	jw_init(&w, stdout);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "dp", sample_json_dp_name(dp, dpname, sizeof(dpname)));
	jw_int(&w, "version", s.version);
	jw_int(&w, "address", s.address);
	sample_json_analog(&w, &s);
	sample_json_status(&w, &s);
	sample_json_product(&w, &s);
	jw_str(&w, "family", "watt");
	jw_obj_end(&w);
	fputc('\n', stdout);
	st->frames++;
}

/* ---- JBD ------------------------------------------------------------------ */

static void jbd_head(struct jw *w, const char *kind, uint8_t cmd)
{
	char c[8];
	const char *name = jbd_cmd_name(cmd);

	jw_str(w, "family", "jbd");
	jw_str(w, "kind", kind);
	snprintf(c, sizeof(c), "0x%02x", cmd);
	jw_str(w, "cmd", c);
	if (name)
		jw_str(w, "name", name);
}

static void print_jbd(const uint8_t *frame, size_t len,
		      struct decode_state *st)
{
	struct jbd_frame f;
	struct wc_sample s;
	struct wc_diag d = { WC_OK, 0, 0 };
	struct jw w;

	if (jbd_parse_frame(frame, len, &f, &d) != WC_OK) {
		fail(st, "JBD ", &d);
		return;
	}
	if (f.kind == JBD_KIND_REPLY && f.status != JBD_ST_OK) {
		wc_fail(&d, WC_E_JBD_STATUS, f.status, f.cmd);
		fail(st, "JBD ", &d);
		return;
	}
	memset(&s, 0, sizeof(s));
	if (f.kind == JBD_KIND_REPLY &&
	    (f.cmd == JBD_CMD_BASIC || f.cmd == JBD_CMD_CELLS ||
	     f.cmd == JBD_CMD_HW) &&
	    jbd_decode(frame, len, &s, NULL, &d) != WC_OK) {
		fail(st, "JBD ", &d);
		return;
	}
	jw_init(&w, stdout);
	jw_obj_begin(&w, NULL);
	if (f.kind == JBD_KIND_READ) {
		jbd_head(&w, "read_request", f.cmd);
	} else if (f.kind == JBD_KIND_WRITE) {
		jbd_head(&w, "write_request", f.cmd);
		hex_field(&w, "data", f.data, f.data_len);
	} else {
		struct jbd_clock c;
		struct jbd_log_index li;

		jbd_head(&w, "reply", f.cmd);
		if (f.cmd == 0x06 &&
		    jbd_decode_clock(f.data, f.data_len, &c, &d) == WC_OK) {
			jw_int(&w, "uptime_s", c.uptime_s);
			jw_int(&w, "days", c.days);
			jw_int(&w, "yy", c.yy);
		} else if (f.cmd == 0x07 &&
			   jbd_decode_log_index(f.data, f.data_len, &li, &d) ==
				   WC_OK) {
			jw_int(&w, "log_index", li.index);
			jw_int(&w, "log_size", li.size);
		} else if (f.cmd == JBD_CMD_BASIC || f.cmd == JBD_CMD_CELLS ||
			   f.cmd == JBD_CMD_HW) {
			sample_json_analog(&w, &s);
			sample_json_status(&w, &s);
			sample_json_product(&w, &s);
			sample_json_jbd(&w, &s);
		} else {
			/* not decoded (e.g. the 0x08 snapshot record) */
			hex_field(&w, "data", f.data, f.data_len);
		}
	}
	jw_obj_end(&w);
	fputc('\n', stdout);
	st->frames++;
}

static void on_frame(void *user, enum wc_err err, const uint8_t *frame,
		     size_t len, const struct wc_diag *d)
{
	struct decode_state *st = user;

	if (err == WC_OK) {
		if (frame[0] == JBD_START)
			print_jbd(frame, len, st);
		else
			print_watt(frame, len, st);
		return;
	}
	fail(st, frame && len && frame[0] == JBD_START ? "JBD " : "", d);
}

static int run_decode(int argc, char **argv)
{
	struct decode_state st = { 0, 0 };
	struct wc_reasm r;
	uint8_t buf[WC_FRAME_MAX];
	struct cli_common o;
	char err[128];
	int c;

	c = cli_opts_common_only(&cli_cmd_decode, argc, argv, &o);
	if (c != CLI_OPTS_DONE)
		return c;
	if (optind >= argc)
		return cli_usage_error(&cli_cmd_decode,
				       "no frame given (one hex argument per notification)");

	/* Parse every argument before decoding, so bad input prints no
	 * partial output. */
	for (int i = optind; i < argc; i++)
		if (cli_parse_hex(argv[i], buf, sizeof(buf), err, sizeof(err)) < 0)
			return cli_usage_error(&cli_cmd_decode,
					       "argument %d: %s", i - optind + 1,
					       err);

	/* All fragments arrive "at once": the stale deadline plays no part. */
	wc_reasm_init(&r, WC_FAMILY_WATT, WATT_REASM_STALE_MS, on_frame, &st);
	for (int i = optind; i < argc; i++) {
		long n = cli_parse_hex(argv[i], buf, sizeof(buf), err,
				       sizeof(err));

		if (n <= 0)
			continue;
		if (!wc_reasm_busy(&r)) {
			/* A client request is one ATT write: one argument.
			 * 1E-headed ones never pass the response framing. */
			if (buf[0] == WATT_HEAD_1E && watt_request(buf, (size_t)n)) {
				print_watt_request(buf, (size_t)n, &st);
				continue;
			}
			if (buf[0] == WATT_HEAD_7E && (size_t)n == WATT_INFODATA_READ_LEN &&
			    watt_request(buf, (size_t)n)) {
				print_watt_request(buf, (size_t)n, &st);
				continue;
			}
			/* A frame's first byte picks its family. */
			if (buf[0] == JBD_START)
				wc_reasm_set_family(&r, WC_FAMILY_JBD);
			else
				wc_reasm_set_family(&r, WC_FAMILY_WATT);
		}
		wc_reasm_push(&r, buf, (size_t)n, 0);
	}
	if (wc_reasm_busy(&r)) {
		struct wc_diag d = { WC_E_INCOMPLETE,
				     (uint32_t)wc_reasm_have(&r),
				     (uint32_t)wc_reasm_need(&r) };

		if (d.b == 0)
			d.b = (uint32_t)r.fmt->header_len;
		fail(&st, r.fmt == &jbd_frame_fmt ? "JBD " : "", &d);
	}
	return st.errors ? EXIT_FAIL : EXIT_OK;
}

const struct cli_cmd cli_cmd_decode = {
	.name = "decode",
	.summary = "decode WATT/TDT and JBD frames given as hex notification fragments",
	.usage =
	"Usage: wattcycle decode HEX...\n"
	"\n"
	"Reassemble one or more BLE notification fragments (one argument each)\n"
	"into frames and print every frame as one JSON object per line. WATT/TDT\n"
	"frames (7E ... 0D: 0x8C live data, 0x8D status and alarms, 0x92 product\n"
	"info) and JBD frames (DD ... 77: 0x03 basic info, 0x04 cells, 0x05\n"
	"hardware string, 0x06 clock, 0x07 log index; \"family\": \"jbd\") may be\n"
	"mixed. Requests are shown as such (\"kind\": \"read_request\",\n"
	"\"write_request\", \"infodata_read_request\"; a 7E write frame, which is\n"
	"also what the battery echoes, as \"write\"), so a whole captured session\n"
	"decodes. Bytes are two hex digits each; spaces and colons may separate\n"
	"them.\n",
	.footer =
	"Examples:\n"
	"  wattcycle decode '7E 00 01 03 00 8D 00 18 04 00 00 00 00 04 00 00 00 00'\\\n"
	"                   '00 00 00 00 00 00 06 01 00 00 18 00 00 00 1F 91 0D'\n"
	"  wattcycle decode 'DD 07 00 04 00 E2 01 2C FE ED 77'\n"
	"  wattcycle decode 7e:00:01:03:00:92:00:3c:...\n"
	"\n"
	"Exit status: 0 every frame decoded; 1 a frame is bad (CRC or checksum,\n"
	"length, terminator, counts, a JBD reply with a non-zero status...) or\n"
	"incomplete, with one line on stderr naming the first thing that is\n"
	"wrong; 2 usage error (including text that is not hex).\n",
	.run = run_decode,
};
