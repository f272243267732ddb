/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/hci_raw.[ch], what stays hand-written beside
 * libbluetooth: the LE Set Scan Enable packet byte for byte, Command
 * Complete / Command Status matching (good, other opcode, truncated,
 * garbage; every input in a buffer of exactly its size, so a read past it
 * shows under ASan and valgrind), the event filter, and the loop that
 * reads the scan's answer and its reports together, and the raw scan that
 * never disables a scan it did not enable (legacy and extended reports),
 * over a SOCK_SEQPACKET socketpair fed with recorded packets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>

#include "clock.h"
#include "hci_raw.h"
#include "exact_copy.h"
#include "unhex.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* call returns -1 with errno err (errno cleared first) */
#define assert_fails(call, err)                                        \
	do {                                                           \
		errno = 0;                                             \
		assert_int_equal((call), -1);                          \
		assert_int_equal(errno, (err));                        \
	} while (0)

/* ---- command packets ---- */

static void expect_bytes(const char *id, const uint8_t *got, size_t n,
			 const char *want_hex)
{
	uint8_t want[WC_HCI_MAX_PKT];
	size_t wn = unhex(want_hex, want, sizeof(want));

	if (n != wn || memcmp(got, want, wn) != 0) {
		print_error("%s: packet differs (got %zu bytes, want %zu)\n",
			    id, n, wn);
		fail();
	}
}

static void test_cmd_packets(void **state)
{
	uint8_t buf[WC_HCI_MAX_PKT];
	size_t n;

	(void)state;
	/* opcode: 0x08 << 10 | 0x000C = 0x200C, sent low byte first */
	assert_int_equal(WC_HCI_OP_LE_SET_SCAN_ENABLE, 0x200C);
	/* and BlueZ's header agrees */
	assert_int_equal(WC_HCI_OP_LE_SET_SCAN_ENABLE,
			 cmd_opcode_pack(OGF_LE_CTL, OCF_LE_SET_SCAN_ENABLE));
	/* any opcode, with its parameters */
	{
		static const uint8_t p[2] = { 0x40, 0x00 };

		n = wc_hci_cmd_build(buf, sizeof(buf), 0x1405, p, 2);
		expect_bytes("read rssi 0x0040", buf, n, "01 05 14 02 40 00");
	}

	n = wc_hci_cmd_le_scan_enable(buf, sizeof(buf), true, false);
	expect_bytes("scan enable", buf, n, "01 0c 20 02 01 00");
	/* active, interval = window = 0x0010, public, accept all */
	assert_int_equal(WC_HCI_OP_LE_SET_SCAN_PARAMS,
			 cmd_opcode_pack(OGF_LE_CTL, OCF_LE_SET_SCAN_PARAMETERS));
	n = wc_hci_cmd_le_scan_params(buf, sizeof(buf));
	expect_bytes("scan params", buf, n, "01 0b 20 07 01 10 00 10 00 00 00");
	n = wc_hci_cmd_le_scan_enable(buf, sizeof(buf), false, false);
	expect_bytes("scan disable", buf, n, "01 0c 20 02 00 00");
	n = wc_hci_cmd_le_scan_enable(buf, sizeof(buf), true, true);
	expect_bytes("scan enable, filter dup", buf, n, "01 0c 20 02 01 01");
}

static void test_cmd_build_limits(void **state)
{
	uint8_t params[256], buf[WC_HCI_MAX_PKT + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(params); i++)
		params[i] = (uint8_t)i;
	/* no parameters */
	assert_int_equal(wc_hci_cmd_build(buf, 4, 0x0C03, NULL, 0), 4);
	expect_bytes("reset", buf, 4, "01 03 0c 00");
	/* 255 is the most; the buffer must hold all of it */
	assert_int_equal(wc_hci_cmd_build(buf, sizeof(buf), 0x1234, params,
					  255), 259);
	assert_int_equal(buf[3], 255);
	assert_memory_equal(buf + 4, params, 255);
	assert_int_equal(wc_hci_cmd_build(buf, sizeof(buf), 0x1234, params,
					  256), 0);
	memset(buf, 0xAA, sizeof(buf));
	assert_int_equal(wc_hci_cmd_build(buf, 5, 0x1234, params, 2), 0);
	assert_int_equal(buf[0], 0xAA); /* left alone */
	assert_int_equal(wc_hci_cmd_build(buf, sizeof(buf), 0x1234, NULL, 1),
			 0);
	assert_int_equal(wc_hci_cmd_build(NULL, 100, 0x1234, params, 1), 0);
	/* each builder refuses a short buffer too */
	assert_int_equal(wc_hci_cmd_le_scan_enable(buf, 5, true, false), 0);
}

/* ---- event matching ---- */

static const struct evt_case {
	const char *id;
	const char *hex;
	uint16_t opcode;
	enum wc_hci_evt want;
	uint8_t status;
	const char *rparam; /* hex of the return parameters, COMPLETE only */
} evt_cases[] = {
	/* Read RSSI answered: status 0, handle 0x0040, RSSI -60 dBm */
	{ "CC read rssi", "04 0e 07 01 05 14 00 40 00 c4", 0x1405,
	  WC_HCI_EVT_COMPLETE, 0x00, "00 40 00 c4" },
	{ "CC scan enable", "04 0e 04 01 0c 20 00", 0x200C,
	  WC_HCI_EVT_COMPLETE, 0x00, "00" },
	/* Command Disallowed (0x0C) as a Command Complete */
	{ "CC scan params refused", "04 0e 04 02 0b 20 0c", 0x200B,
	  WC_HCI_EVT_COMPLETE, 0x0C, "0c" },
	/* bytes after the declared length are not the event's */
	{ "CC trailing bytes", "04 0e 04 01 0c 20 00 ff ff", 0x200C,
	  WC_HCI_EVT_COMPLETE, 0x00, "00" },
	{ "CC no return params", "04 0e 03 01 0c 20", 0x200C,
	  WC_HCI_EVT_COMPLETE, 0x00, "" },
	/* Unknown HCI Command (0x01) as a Command Status */
	{ "CS refused", "04 0f 04 01 01 0b 20", 0x200B, WC_HCI_EVT_STATUS,
	  0x01, NULL },
	{ "CS pending", "04 0f 04 00 01 0c 20", 0x200C, WC_HCI_EVT_STATUS,
	  0x00, NULL },
	/* answers to another command */
	{ "CC other opcode", "04 0e 04 01 0b 20 00", 0x200C,
	  WC_HCI_EVT_OTHER, 0, NULL },
	{ "CC byte-swapped opcode", "04 0e 04 01 20 0c 00", 0x200C,
	  WC_HCI_EVT_OTHER, 0, NULL },
	{ "CS other opcode", "04 0f 04 0c 01 0b 20", 0x200C,
	  WC_HCI_EVT_OTHER, 0, NULL },
	{ "CC NOP (flow control only)", "04 0e 03 01 00 00", 0x200C,
	  WC_HCI_EVT_OTHER, 0, NULL },
	/* other events and packets */
	{ "LE advertising report", "04 3e 0c 02 01 00 01 11 22 33 44 55 66 00 c4",
	  0x200C, WC_HCI_EVT_OTHER, 0, NULL },
	{ "disconnection complete", "04 05 04 00 40 00 13", 0x1405,
	  WC_HCI_EVT_OTHER, 0, NULL },
	{ "ACL data", "02 40 20 04 00 00 00 04 00", 0x1405, WC_HCI_EVT_OTHER,
	  0, NULL },
	{ "command packet", "01 0c 20 02 01 00", 0x200C, WC_HCI_EVT_OTHER, 0,
	  NULL },
	/* truncated and garbage */
	{ "empty", "", 0x200C, WC_HCI_EVT_MALFORMED, 0, NULL },
	{ "type only", "04", 0x200C, WC_HCI_EVT_MALFORMED, 0, NULL },
	{ "no length", "04 0e", 0x200C, WC_HCI_EVT_MALFORMED, 0, NULL },
	{ "CC cut short", "04 0e 07 01 05 14 00 40", 0x1405,
	  WC_HCI_EVT_MALFORMED, 0, NULL },
	{ "CC length 255, 4 bytes", "04 0e ff 01 0c 20 00", 0x200C,
	  WC_HCI_EVT_MALFORMED, 0, NULL },
	{ "CC without opcode", "04 0e 02 01 0c", 0x200C,
	  WC_HCI_EVT_MALFORMED, 0, NULL },
	{ "CC empty", "04 0e 00", 0x200C, WC_HCI_EVT_MALFORMED, 0, NULL },
	{ "CS without opcode", "04 0f 03 00 01 0c", 0x200C,
	  WC_HCI_EVT_MALFORMED, 0, NULL },
	/* a short declared length hides the opcode that follows */
	{ "CC declared 2, opcode after", "04 0e 02 01 0c 20 00", 0x200C,
	  WC_HCI_EVT_MALFORMED, 0, NULL },
	{ "CS cut short", "04 0f 04 00 01 0c", 0x200C, WC_HCI_EVT_MALFORMED,
	  0, NULL },
};

static void test_evt_match(void **state)
{
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < ARRAY_LEN(evt_cases); i++) {
		const struct evt_case *c = &evt_cases[i];
		uint8_t raw[WC_HCI_MAX_PKT], want_rp[WC_HCI_MAX_PKT];
		struct wc_hci_reply r;
		size_t n = unhex(c->hex, raw, sizeof(raw)), wn = 0;
		uint8_t *in = exact_copy(raw, n);
		enum wc_hci_evt got;

		memset(&r, 0x5A, sizeof(r));
		got = wc_hci_evt_match(in, n, c->opcode, &r);
		if (got != c->want) {
			print_error("case %zu (%s): got %d, want %d\n", i,
				    c->id, (int)got, (int)c->want);
			bad++;
		} else if (got == WC_HCI_EVT_COMPLETE) {
			wn = unhex(c->rparam, want_rp, sizeof(want_rp));
			if (r.event != WC_HCI_EVT_CMD_COMPLETE ||
			    r.status != c->status || r.rlen != wn ||
			    (wn && memcmp(r.rparam, want_rp, wn) != 0) ||
			    (!wn && r.rparam != NULL)) {
				print_error("case %zu (%s): bad reply\n", i,
					    c->id);
				bad++;
			} else if (wn && (r.rparam < in ||
					  r.rparam + r.rlen > in + n)) {
				print_error("case %zu (%s): rparam outside "
					    "the buffer\n", i, c->id);
				bad++;
			}
		} else if (got == WC_HCI_EVT_STATUS) {
			if (r.event != WC_HCI_EVT_CMD_STATUS ||
			    r.status != c->status || r.rlen != 0 ||
			    r.rparam != NULL) {
				print_error("case %zu (%s): bad reply\n", i,
					    c->id);
				bad++;
			}
		}
		/* the reply is optional */
		if (wc_hci_evt_match(in, n, c->opcode, NULL) != c->want) {
			print_error("case %zu (%s): differs without reply\n",
				    i, c->id);
			bad++;
		}
		free(in);
	}
	assert_int_equal(bad, 0);
	assert_int_equal(wc_hci_evt_match(NULL, 10, 0x200C, NULL),
			 WC_HCI_EVT_MALFORMED);
}

/* Every proper prefix of a good answer is rejected, read in a buffer of
 * exactly that size. */
static void test_evt_prefixes(void **state)
{
	static const char *const good[] = {
		"04 0e 07 01 05 14 00 40 00 c4",
		"04 0f 04 0c 01 0b 20",
	};
	static const uint16_t op[] = { 0x1405, 0x200B };
	size_t g, len;

	(void)state;
	for (g = 0; g < ARRAY_LEN(good); g++) {
		uint8_t raw[32];
		size_t n = unhex(good[g], raw, sizeof(raw));

		for (len = 0; len < n; len++) {
			uint8_t *in = exact_copy(raw, len);
			enum wc_hci_evt got = wc_hci_evt_match(in, len, op[g],
							       NULL);

			if (got != WC_HCI_EVT_MALFORMED)
				print_error("%s, first %zu bytes: got %d\n",
					    good[g], len, (int)got);
			assert_int_equal(got, WC_HCI_EVT_MALFORMED);
			free(in);
		}
	}
}

/* Random garbage: never a crash, never a read past the buffer (ASan,
 * valgrind), and a claimed answer always fits in it. */
static void test_evt_garbage(void **state)
{
	uint32_t x = 0x12345678u;
	size_t round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		uint8_t raw[40];
		struct wc_hci_reply r;
		size_t len, i;
		uint8_t *in;
		uint16_t op;
		enum wc_hci_evt got;

		x = x * 1103515245u + 12345u;
		len = (x >> 16) % sizeof(raw);
		for (i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			raw[i] = (uint8_t)(x >> 16);
		}
		/* steer a third of the rounds onto the two events */
		if (len > 1 && round % 3 == 0) {
			raw[0] = WC_HCI_PKT_EVENT;
			raw[1] = round % 2 ? WC_HCI_EVT_CMD_COMPLETE :
					     WC_HCI_EVT_CMD_STATUS;
		}
		in = exact_copy(raw, len);
		/* ask for the opcode where a Command Complete has it, so
		 * some rounds match */
		op = len >= 6 ? (uint16_t)(in[4] | in[5] << 8) : 0;
		got = wc_hci_evt_match(in, len, op, &r);
		if (got == WC_HCI_EVT_COMPLETE && r.rlen)
			assert_true(r.rparam >= in &&
				    r.rparam + r.rlen <= in + len);
		free(in);
	}
}

/* ---- small pure helpers ---- */

static void test_parse_name(void **state)
{
	static const struct {
		const char *s;
		bool ok;
		int id;
	} cases[] = {
		{ "hci0", true, 0 },      { "hci1", true, 1 },
		{ "hci12", true, 12 },    { "hci65535", true, 65535 },
		{ "hci65536", false, 0 }, { "hci99999999999", false, 0 },
		{ "hci", false, 0 },      { "hci-1", false, 0 },
		{ "hci 0", false, 0 },    { "hci0 ", false, 0 },
		{ "hcix", false, 0 },     { "HCI0", false, 0 },
		{ "bt0", false, 0 },      { "", false, 0 },
		{ "00:1A:7D:DA:71:13", false, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		int id = -7;
		bool ok = wc_hci_parse_name(cases[i].s, &id);

		if (ok != cases[i].ok || (ok && id != cases[i].id) ||
		    (!ok && id != -7)) {
			print_error("case %zu (\"%s\"): got %d/%d\n", i,
				    cases[i].s, ok, id);
			fail();
		}
	}
	assert_false(wc_hci_parse_name(NULL, NULL));
}

static void test_filter(void **state)
{
	static const uint8_t cmd_evts[] = { WC_HCI_EVT_CMD_COMPLETE,
					    WC_HCI_EVT_CMD_STATUS };
	static const uint8_t le_meta = EVT_LE_META_EVENT;
	struct hci_filter f;
	uint8_t op[2];

	(void)state;
	memset(&f, 0xFF, sizeof(f));
	wc_hci_filter_events(&f, cmd_evts, ARRAY_LEN(cmd_evts), 0x200C);
	assert_int_equal(f.type_mask, 1u << HCI_EVENT_PKT);
	assert_int_equal(f.event_mask[0], 1u << 0x0E | 1u << 0x0F);
	assert_int_equal(f.event_mask[1], 0);
	memcpy(op, &f.opcode, 2); /* wire order, as in the event */
	assert_int_equal(op[0], 0x0C);
	assert_int_equal(op[1], 0x20);

	/* LE Meta (0x3E) lives in the first word too; no opcode */
	wc_hci_filter_events(&f, &le_meta, 1, 0);
	assert_int_equal(f.type_mask, 1u << HCI_EVENT_PKT);
	assert_int_equal(f.event_mask[0], 0);
	assert_int_equal(f.event_mask[1], 1u << (0x3E - 32));
	assert_int_equal(f.opcode, 0);

	wc_hci_filter_events(&f, NULL, 0, 0);
	assert_int_equal(f.event_mask[0] | f.event_mask[1], 0);
}

/* ---- the listen loop, over a socketpair standing in for the HCI socket ---- */

static void put_hex(int fd, const char *hex)
{
	uint8_t raw[WC_HCI_MAX_PKT];
	size_t n = unhex(hex, raw, sizeof(raw));

	assert_int_equal(write(fd, raw, n), (ssize_t)n);
}

/* What on_meta was given. */
struct metas {
	unsigned n;
	uint8_t first[8];  /* subevent of each */
	size_t len[8];
};

static void on_meta(void *user, const uint8_t *p, size_t n)
{
	struct metas *m = user;

	if (m->n < 8) {
		m->first[m->n] = n ? p[0] : 0xFF;
		m->len[m->n] = n;
	}
	m->n++;
}

/* an advertising report and a scan response of 11:22:33:44:55:66 */
#define ADV_REPORT "04 3e 0c 02 01 00 01 11 22 33 44 55 66 00 c4"
#define SCAN_RSP "04 3e 0c 02 01 04 01 11 22 33 44 55 66 00 c4"

static void test_listen(void **state)
{
	struct wc_hci_reply r;
	struct metas m;
	uint64_t t0;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);

	/* The scan's answer among the reports (some even before it), another
	 * command's answer, garbage and a report cut short: every report is
	 * delivered, the answer is taken once, and the loop runs to the
	 * deadline. */
	put_hex(sv[1], ADV_REPORT);
	put_hex(sv[1], "04 0e 04 01 0b 20 00");
	put_hex(sv[1], "04 0e 04 01 0c 20 00");
	put_hex(sv[1], SCAN_RSP);
	put_hex(sv[1], "ff ff ff");
	put_hex(sv[1], "04 3e 09 02 01");
	put_hex(sv[1], "04 0e 04 01 0c 20 0c"); /* a second answer: ignored */
	put_hex(sv[1], ADV_REPORT);
	memset(&m, 0, sizeof(m));
	memset(&r, 0xAA, sizeof(r));
	t0 = wc_now_ms();
	assert_int_equal(wc_hci_listen(sv[0], WC_HCI_OP_LE_SET_SCAN_ENABLE,
				       wc_deadline_in(2000), wc_deadline_in(100),
				       on_meta, &m, &r),
			 0);
	assert_true(wc_now_ms() - t0 >= 90);
	assert_int_equal(r.event, WC_HCI_EVT_CMD_COMPLETE);
	assert_int_equal(r.status, 0);
	assert_null(r.rparam);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.first[0], 0x02);
	assert_int_equal(m.len[0], 12);
	assert_int_equal(m.len[1], 12);

	/* refused (Command Status 0x0C, Command Disallowed): EIO at once,
	 * the status kept */
	put_hex(sv[1], "04 0f 04 0c 01 0c 20");
	t0 = wc_now_ms();
	assert_fails(wc_hci_listen(sv[0], WC_HCI_OP_LE_SET_SCAN_ENABLE,
				   wc_deadline_in(2000), wc_deadline_in(5000),
				   on_meta, &m, &r),
		     EIO);
	assert_int_equal(r.event, WC_HCI_EVT_CMD_STATUS);
	assert_int_equal(r.status, 0x0C);
	assert_true(wc_now_ms() - t0 < 2000);

	/* no answer by answer_by: ETIMEDOUT then, not at the later deadline;
	 * the reports that came are still delivered */
	memset(&m, 0, sizeof(m));
	put_hex(sv[1], ADV_REPORT);
	put_hex(sv[1], "04 0e 04 01 0b 20 00");
	t0 = wc_now_ms();
	assert_fails(wc_hci_listen(sv[0], WC_HCI_OP_LE_SET_SCAN_ENABLE,
				   wc_deadline_in(50), wc_deadline_in(5000),
				   on_meta, &m, &r),
		     ETIMEDOUT);
	assert_true(wc_now_ms() - t0 >= 40);
	assert_true(wc_now_ms() - t0 < 2000);
	assert_int_equal(m.n, 1);

	/* no on_meta: reports are read and dropped */
	put_hex(sv[1], "04 0e 04 01 0c 20 00");
	put_hex(sv[1], ADV_REPORT);
	assert_int_equal(wc_hci_listen(sv[0], WC_HCI_OP_LE_SET_SCAN_ENABLE,
				       wc_deadline_in(2000), wc_deadline_in(30),
				       NULL, NULL, &r),
			 0);

	/* a socket that stays readable cannot hold the loop past its
	 * deadline: with none left, one packet is read and it ends */
	put_hex(sv[1], ADV_REPORT);
	put_hex(sv[1], ADV_REPORT);
	put_hex(sv[1], "04 0e 04 01 0c 20 00");
	memset(&m, 0, sizeof(m));
	assert_fails(wc_hci_listen(sv[0], WC_HCI_OP_LE_SET_SCAN_ENABLE,
				   wc_now_ms(), wc_now_ms(), on_meta, &m, &r),
		     ETIMEDOUT);
	assert_int_equal(m.n, 1);
	/* the rest is still queued, the answer behind one report */
	assert_int_equal(wc_hci_listen(sv[0], WC_HCI_OP_LE_SET_SCAN_ENABLE,
				       wc_deadline_in(2000), wc_deadline_in(30),
				       on_meta, &m, &r),
			 0);
	assert_int_equal(m.n, 2);

	/* the other end gone: EPIPE, not a spin until the deadline */
	close(sv[1]);
	t0 = wc_now_ms();
	assert_fails(wc_hci_listen(sv[0], WC_HCI_OP_LE_SET_SCAN_ENABLE,
				   wc_deadline_in(5000), wc_deadline_in(5000),
				   on_meta, &m, &r),
		     EPIPE);
	assert_true(wc_now_ms() - t0 < 2000);
	close(sv[0]);

	/* bad arguments */
	assert_fails(wc_hci_listen(-1, 0x200C, wc_deadline_in(10),
				   wc_deadline_in(10), NULL, NULL, &r),
		     EBADF);
	assert_fails(wc_hci_listen(0, 0x200C, wc_deadline_in(10),
				   wc_deadline_in(10), NULL, NULL, NULL),
		     EINVAL);
}

/* ---- the raw scan: never disable a scan we did not enable ---- */

/* Every packet the code under test wrote, as hex lines, in order. */
static void written(int fd, char *out, size_t cap)
{
	uint8_t pkt[WC_HCI_MAX_PKT];
	size_t k = 0;
	ssize_t n;
	int i;

	out[0] = '\0';
	while ((n = recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT)) > 0) {
		for (i = 0; i < n && k + 4 < cap; i++)
			k += (size_t)snprintf(out + k, cap - k, "%s%02x",
					      i ? " " : "", pkt[i]);
		if (k + 2 < cap)
			k += (size_t)snprintf(out + k, cap - k, "|");
	}
}

#define PARAMS_CMD "01 0b 20 07 01 10 00 10 00 00 00|"
#define ENABLE_CMD "01 0c 20 02 01 00|"
#define DISABLE_CMD "01 0c 20 02 00 00|"
/* an extended advertising report (0x0D) of C0:D6:3C:4F:AC:50 */
#define EXT_REPORT                                                      \
	"04 3e 23 0d 01 1300 01 50ac4f3cd6c0 01 00 ff 7f b3 0000 00"    \
	" 000000000000 09 08ffc0d63c4fac50ff"

static void test_scan_foreign(void **state)
{
	struct wc_hci_scan_result res;
	char out[512];
	struct metas m;
	int sv[2];

	(void)state;
	assert_int_equal(unhex(EXT_REPORT, (uint8_t[64]){ 0 }, 64), 38);

	/* A scan runs already (the kernel's, bluetoothd's): the parameters
	 * are refused with Command Disallowed.  Its reports, legacy and
	 * extended, are listened to; nothing else is sent, above all no
	 * LE Set Scan Enable of 0 at the end. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	put_hex(sv[1], "04 0e 04 01 0b 20 0c");
	put_hex(sv[1], EXT_REPORT);
	put_hex(sv[1], ADV_REPORT);
	memset(&m, 0, sizeof(m));
	assert_int_equal(wc_hci_scan(sv[0], wc_deadline_in(150), 1000,
				     on_meta, &m, &res), 0);
	assert_true(res.joined);
	assert_false(res.started);
	assert_false(res.interrupted);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.first[0], 0x0D);
	assert_int_equal(m.first[1], 0x02);
	written(sv[1], out, sizeof(out));
	assert_string_equal(out, PARAMS_CMD);
	close(sv[0]);
	close(sv[1]);

	/* The parameters pass but the enable is refused (Command
	 * Disallowed): listened to, still never disabled. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	put_hex(sv[1], "04 0e 04 01 0b 20 00");
	put_hex(sv[1], "04 0e 04 01 0c 20 0c");
	put_hex(sv[1], ADV_REPORT);
	memset(&m, 0, sizeof(m));
	assert_int_equal(wc_hci_scan(sv[0], wc_deadline_in(150), 1000,
				     on_meta, &m, &res), 0);
	assert_true(res.joined);
	assert_false(res.started);
	assert_int_equal(m.n, 1);
	written(sv[1], out, sizeof(out));
	assert_string_equal(out, PARAMS_CMD ENABLE_CMD);
	close(sv[0]);
	close(sv[1]);
}

static void test_scan_ours(void **state)
{
	struct wc_hci_scan_result res;
	char out[512];
	struct metas m;
	uint64_t t0;
	int sv[2];

	(void)state;
	/* Our scan: parameters and enable accepted, the reports read, and
	 * at the deadline the scan we enabled is disabled (its answer is
	 * not queued: waited for 50 ms, then given up). */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	put_hex(sv[1], "04 0e 04 01 0b 20 00");
	put_hex(sv[1], ADV_REPORT); /* before the enable's answer */
	put_hex(sv[1], "04 0e 04 01 0c 20 00");
	put_hex(sv[1], SCAN_RSP);
	put_hex(sv[1], EXT_REPORT);
	memset(&m, 0, sizeof(m));
	t0 = wc_now_ms();
	assert_int_equal(wc_hci_scan(sv[0], wc_deadline_in(150), 50, on_meta,
				     &m, &res), 0);
	assert_true(wc_now_ms() - t0 >= 145);
	assert_true(res.started);
	assert_false(res.joined);
	assert_int_equal(m.n, 3);
	written(sv[1], out, sizeof(out));
	assert_string_equal(out, PARAMS_CMD ENABLE_CMD DISABLE_CMD);
	close(sv[0]);
	close(sv[1]);

	/* refused for another reason (Unknown HCI Command): -1 EIO with the
	 * status, no enable sent */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	put_hex(sv[1], "04 0f 04 01 01 0b 20");
	errno = 0;
	assert_int_equal(wc_hci_scan(sv[0], wc_deadline_in(150), 1000,
				     on_meta, &m, &res), -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(res.status, 0x01);
	assert_false(res.started || res.joined);
	written(sv[1], out, sizeof(out));
	assert_string_equal(out, PARAMS_CMD);
	close(sv[0]);
	close(sv[1]);

	/* the enable never answered: ETIMEDOUT, and the scan it may have
	 * started (nobody else was scanning: the parameters passed) is
	 * disabled */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	put_hex(sv[1], "04 0e 04 01 0b 20 00");
	errno = 0;
	assert_int_equal(wc_hci_scan(sv[0], wc_deadline_in(2000), 50,
				     on_meta, &m, &res), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(res.started);
	written(sv[1], out, sizeof(out));
	assert_string_equal(out, PARAMS_CMD ENABLE_CMD DISABLE_CMD);
	close(sv[0]);
	close(sv[1]);

	assert_int_equal(wc_hci_scan(0, 0, 10, NULL, NULL, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_packets),
		cmocka_unit_test(test_cmd_build_limits),
		cmocka_unit_test(test_evt_match),
		cmocka_unit_test(test_evt_prefixes),
		cmocka_unit_test(test_evt_garbage),
		cmocka_unit_test(test_parse_name),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_scan_foreign),
		cmocka_unit_test(test_scan_ours),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
