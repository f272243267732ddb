/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/mgmt.[ch], the kernel's Bluetooth management
 * interface: the pure parsers (header, Command Complete/Status, Device
 * Found and its advertising record, Discovering, Device Disconnected,
 * Connect Failed) on recorded and hostile packets, each in a buffer of
 * exactly its size (a read past it shows under ASan); and the command /
 * event loop over a SOCK_SEQPACKET socketpair standing in for the control
 * socket: the answer matched by opcode and index among interleaved
 * events, the deadline, a signal, a closed peer, and the controller
 * lookup (wc_mgmt_index_of) fed the kernel's recorded answers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "clock.h"
#include "mgmt.h"
#include "exact_copy.h"
#include "unhex.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A Device Found in the kernel's layout, as hci0 sees btvirt's hci1
 * advertising a battery (advertisement and scan response in one event):
 * 00:AA:01:01:00:01, LE public, RSSI -60 (0xc4), flags 0, 23 bytes of AD:
 * flags, complete name "XDZN001", manufacturer data c0 d6 ... ff. */
#define FOUND_PARAMS                                                   \
	"01 00 01 01 aa 00 01 c4 00 00 00 00 17 00"                    \
	"02 01 06"                                                     \
	"08 09 58 44 5a 4e 30 30 31"                                   \
	"0a ff c0 d6 3c 52 e4 d9 ff 01 02"

/* ---- header and build ---- */

static void test_hdr(void **state)
{
	static const struct {
		const char *id, *hex;
		enum wc_err want;
		uint16_t code, index, len;
	} cases[] = {
		{ "CC read info hci0", "01 00 00 00 04 00 04 00 00 00", WC_OK,
		  0x0001, 0x0000, 4 },
		{ "no params", "13 00 ff ff 00 00", WC_OK, 0x0013, 0xFFFF, 0 },
		{ "trailing ignored", "13 00 00 00 02 00 06 01 ee ee", WC_OK,
		  0x0013, 0, 2 },
		{ "empty", "", WC_E_SHORT, 0, 0, 0 },
		{ "5 bytes", "13 00 00 00 02", WC_E_SHORT, 0, 0, 0 },
		{ "length beyond", "13 00 00 00 03 00 06 01", WC_E_TRUNCATED,
		  0, 0, 0 },
		{ "length 0xffff", "12 00 00 00 ff ff 00", WC_E_TRUNCATED, 0,
		  0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		uint8_t raw[32];
		size_t n = unhex(cases[i].hex, raw, sizeof(raw));
		uint8_t *in = exact_copy(raw, n);
		struct wc_mgmt_hdr h;
		const uint8_t *p = NULL;
		enum wc_err rc = wc_mgmt_parse_hdr(in, n, &h, &p);

		if (rc != cases[i].want)
			print_error("case %s: got %d\n", cases[i].id, rc);
		assert_int_equal(rc, cases[i].want);
		if (rc == WC_OK) {
			assert_int_equal(h.code, cases[i].code);
			assert_int_equal(h.index, cases[i].index);
			assert_int_equal(h.len, cases[i].len);
			assert_ptr_equal(p, in + 6);
		}
		free(in);
	}
	assert_int_equal(wc_mgmt_parse_hdr(NULL, 6, NULL, NULL), WC_E_ARG);
}

static void test_build(void **state)
{
	uint8_t buf[16], want[16];
	static const uint8_t le = WC_MGMT_DISCOVER_LE;
	size_t n;

	(void)state;
	/* Start Discovery on hci0 for LE public and random */
	n = wc_mgmt_build(buf, sizeof(buf), WC_MGMT_OP_START_DISCOVERY, 0,
			  &le, 1);
	assert_int_equal(n, 7);
	assert_int_equal(unhex("23 00 00 00 01 00 06", want, sizeof(want)), 7);
	assert_memory_equal(buf, want, 7);
	/* Read Controller Index List: no controller, no parameters */
	n = wc_mgmt_build(buf, 6, WC_MGMT_OP_READ_INDEX_LIST,
			  WC_MGMT_INDEX_NONE, NULL, 0);
	assert_int_equal(n, 6);
	assert_int_equal(unhex("03 00 ff ff 00 00", want, sizeof(want)), 6);
	assert_memory_equal(buf, want, 6);
	/* refusals leave the buffer alone */
	memset(buf, 0xAA, sizeof(buf));
	assert_int_equal(wc_mgmt_build(buf, 6, 0x23, 0, &le, 1), 0);
	assert_int_equal(wc_mgmt_build(buf, sizeof(buf), 0x23, 0, NULL, 1), 0);
	assert_int_equal(wc_mgmt_build(NULL, 100, 0x23, 0, &le, 1), 0);
	assert_int_equal(buf[0], 0xAA);
}

/* ---- event parameters ---- */

static void test_reply(void **state)
{
	uint8_t raw[16], *in;
	struct wc_mgmt_reply r;
	size_t n;

	(void)state;
	/* Command Complete for Stop Discovery: status 0, returns type 06 */
	n = unhex("24 00 00 06", raw, sizeof(raw));
	in = exact_copy(raw, n);
	assert_int_equal(wc_mgmt_parse_reply(WC_MGMT_EV_CMD_COMPLETE, in, n,
					     &r), WC_OK);
	assert_int_equal(r.opcode, WC_MGMT_OP_STOP_DISCOVERY);
	assert_int_equal(r.status, 0);
	assert_true(r.complete);
	assert_int_equal(r.rlen, 1);
	assert_ptr_equal(r.rparam, in + 3);
	free(in);

	/* Command Status: Start Discovery refused, Busy */
	n = unhex("23 00 0a", raw, sizeof(raw));
	in = exact_copy(raw, n);
	assert_int_equal(wc_mgmt_parse_reply(WC_MGMT_EV_CMD_STATUS, in, n,
					     &r), WC_OK);
	assert_int_equal(r.opcode, WC_MGMT_OP_START_DISCOVERY);
	assert_int_equal(r.status, WC_MGMT_STATUS_BUSY);
	assert_false(r.complete);
	assert_null(r.rparam);
	assert_int_equal(r.rlen, 0);
	/* a Command Status's extra bytes are not return parameters */
	assert_int_equal(wc_mgmt_parse_reply(WC_MGMT_EV_CMD_STATUS, in, 2,
					     &r), WC_E_TRUNCATED);
	/* not an answer at all */
	assert_int_equal(wc_mgmt_parse_reply(WC_MGMT_EV_DEVICE_FOUND, in, n,
					     &r), WC_E_ARG);
	free(in);
	assert_int_equal(wc_mgmt_parse_reply(WC_MGMT_EV_CMD_COMPLETE, NULL, 0,
					     &r), WC_E_TRUNCATED);
}

static void test_found(void **state)
{
	uint8_t raw[128], *in;
	struct wc_mgmt_found f;
	struct wc_adv adv;
	size_t n, len;

	(void)state;
	n = unhex(FOUND_PARAMS, raw, sizeof(raw));
	assert_int_equal(n, 14 + 23);
	in = exact_copy(raw, n);
	assert_int_equal(wc_mgmt_parse_found(in, n, &f), WC_OK);
	assert_int_equal(f.bdaddr[0], 0x00);
	assert_int_equal(f.bdaddr[1], 0xAA);
	assert_int_equal(f.bdaddr[5], 0x01);
	assert_int_equal(f.addr_type, WC_MGMT_ADDR_LE_PUBLIC);
	assert_int_equal(f.rssi, -60);
	assert_int_equal(f.flags, 0);
	assert_int_equal(f.eir_len, 23);
	assert_ptr_equal(f.eir, in + 14);

	memset(&adv, 0, sizeof(adv));
	assert_true(wc_mgmt_found_to_adv(&f, &adv));
	assert_string_equal(adv.address, "00:AA:01:01:00:01");
	assert_int_equal(adv.addr_type, WC_ADDR_PUBLIC);
	assert_true(adv.has_rssi);
	assert_int_equal(adv.rssi, -60);
	assert_true(adv.has_name);
	assert_string_equal(adv.name, "XDZN001");
	assert_int_equal(adv.mfr_len, 9);
	assert_int_equal(adv.mfr[6], 0xFF);
	assert_string_equal(adv.family, "watt");

	/* every proper prefix is refused, never read past */
	for (len = 0; len < n; len++) {
		uint8_t *cut = exact_copy(raw, len);

		assert_int_equal(wc_mgmt_parse_found(cut, len, &f),
				 WC_E_TRUNCATED);
		free(cut);
	}
	free(in);

	/* random address, RSSI unknown, flags le32, no AD at all */
	n = unhex("d9 e4 52 3c d6 c0 02 7f 24 00 00 00 00 00", raw,
		  sizeof(raw));
	in = exact_copy(raw, n);
	assert_int_equal(wc_mgmt_parse_found(in, n, &f), WC_OK);
	assert_int_equal(f.flags, WC_MGMT_FOUND_SCAN_RSP |
					  WC_MGMT_FOUND_NOT_CONNECTABLE);
	assert_null(f.eir);
	assert_true(wc_mgmt_found_to_adv(&f, &adv));
	assert_string_equal(adv.address, "C0:D6:3C:52:E4:D9");
	assert_int_equal(adv.addr_type, WC_ADDR_RANDOM);
	assert_false(adv.has_rssi);
	assert_false(adv.has_name);
	free(in);

	/* a BR/EDR device is not turned into a record */
	raw[6] = WC_MGMT_ADDR_BREDR;
	assert_int_equal(wc_mgmt_parse_found(raw, n, &f), WC_OK);
	memset(&adv, 0x5A, sizeof(adv));
	assert_false(wc_mgmt_found_to_adv(&f, &adv));
	assert_int_equal(((uint8_t *)&adv)[0], 0x5A);

	/* a bad AD structure keeps the address and what came before */
	n = unhex("01 00 01 01 aa 00 02 c4 00 00 00 00 0a 00"
		  "05 09 57 54 31 32"  /* "WT12" */
		  "09 ff c0 d6", raw, sizeof(raw));
	in = exact_copy(raw, n);
	assert_int_equal(wc_mgmt_parse_found(in, n, &f), WC_OK);
	assert_true(wc_mgmt_found_to_adv(&f, &adv));
	assert_string_equal(adv.name, "WT12");
	assert_int_equal(adv.mfr_len, 0);
	free(in);
}

static void test_small_events(void **state)
{
	struct wc_mgmt_discovering v;
	struct wc_mgmt_dev_event e;
	uint8_t raw[16], *in;
	size_t n;

	(void)state;
	n = unhex("06 01", raw, sizeof(raw));
	in = exact_copy(raw, n);
	assert_int_equal(wc_mgmt_parse_discovering(in, n, &v), WC_OK);
	assert_int_equal(v.type, WC_MGMT_DISCOVER_LE);
	assert_true(v.discovering);
	assert_int_equal(wc_mgmt_parse_discovering(in, 1, &v), WC_E_TRUNCATED);
	free(in);

	/* Device Disconnected: C0:D6:3C:52:E4:D9 random, reason 2 (remote) */
	n = unhex("d9 e4 52 3c d6 c0 02 02", raw, sizeof(raw));
	in = exact_copy(raw, n);
	assert_int_equal(wc_mgmt_parse_disconnected(in, n, &e), WC_OK);
	assert_int_equal(e.bdaddr[0], 0xC0);
	assert_int_equal(e.bdaddr[5], 0xD9);
	assert_int_equal(e.addr_type, WC_MGMT_ADDR_LE_RANDOM);
	assert_int_equal(e.code, 2);
	assert_int_equal(wc_mgmt_parse_disconnected(in, 7, &e),
			 WC_E_TRUNCATED);
	/* Connect Failed, status 0x04 */
	in[7] = 0x04;
	assert_int_equal(wc_mgmt_parse_connect_failed(in, n, &e), WC_OK);
	assert_int_equal(e.code, 0x04);
	assert_int_equal(wc_mgmt_parse_connect_failed(in, 0, &e),
			 WC_E_TRUNCATED);
	free(in);
}

static void test_status_str(void **state)
{
	(void)state;
	assert_string_equal(wc_mgmt_status_str(0x00), "success");
	assert_string_equal(wc_mgmt_status_str(0x0A), "busy");
	assert_string_equal(wc_mgmt_status_str(0x0D), "invalid parameters");
	assert_string_equal(wc_mgmt_status_str(0x0F), "not powered");
	assert_string_equal(wc_mgmt_status_str(0x11), "invalid index");
	assert_string_equal(wc_mgmt_status_str(0x14), "permission denied");
	assert_string_equal(wc_mgmt_status_str(0x15), "unknown status");
	assert_string_equal(wc_mgmt_status_str(0xFF), "unknown status");
}

/* ---- the socket loop, over a socketpair ---- */

/* queue one packet: code, index, parameters in hex */
static void put_pkt(int fd, uint16_t code, uint16_t index, const char *hex)
{
	uint8_t params[512], pkt[600];
	size_t n = unhex(hex, params, sizeof(params));
	size_t len = wc_mgmt_build(pkt, sizeof(pkt), code, index, params, n);

	assert_true(len >= 6);
	assert_int_equal(write(fd, pkt, len), (ssize_t)len);
}

static void put_raw(int fd, const char *hex)
{
	uint8_t raw[64];
	size_t n = unhex(hex, raw, sizeof(raw));

	assert_int_equal(write(fd, raw, n), (ssize_t)n);
}

/* the command the code under test wrote, as hex-comparable bytes */
static void expect_sent(int fd, const char *hex)
{
	uint8_t got[600], want[600];
	ssize_t n = read(fd, got, sizeof(got));
	size_t wn = unhex(hex, want, sizeof(want));

	if (n != (ssize_t)wn || memcmp(got, want, wn) != 0) {
		print_error("sent %zd bytes, want %s\n", n, hex);
		fail();
	}
}

struct seen {
	unsigned n;
	uint16_t codes[16];
	unsigned stop_after; /* 0: never stop */
};

static bool on_event(void *user, const struct wc_mgmt_hdr *h,
		     const uint8_t *p)
{
	struct seen *s = user;

	(void)p;
	if (s->n < ARRAY_LEN(s->codes))
		s->codes[s->n] = h->code;
	s->n++;
	return s->stop_after == 0 || s->n < s->stop_after;
}

static void pair(int sv[2], struct wc_mgmt **m)
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(wc_mgmt_adopt(m, sv[0]), WC_OK);
}

static void test_cmd(void **state)
{
	static const uint8_t le = WC_MGMT_DISCOVER_LE;
	struct wc_mgmt *m;
	struct seen s;
	uint8_t rsp[8], status = 0xEE;
	size_t got = 99;
	uint64_t t0;
	int sv[2];

	(void)state;
	pair(sv, &m);
	/* Before the answer: a Device Found, the Discovering event, the
	 * same opcode answered for another controller, another opcode's
	 * answer, a packet whose length runs past its end, a zero-length
	 * packet, a header-only Command Complete.  Only the right one is the
	 * answer; the well-formed others reach the callback. */
	put_pkt(sv[1], WC_MGMT_EV_DEVICE_FOUND, 0, FOUND_PARAMS);
	put_pkt(sv[1], WC_MGMT_EV_DISCOVERING, 0, "06 01");
	put_pkt(sv[1], WC_MGMT_EV_CMD_COMPLETE, 1, "23 00 00 06");
	put_pkt(sv[1], WC_MGMT_EV_CMD_COMPLETE, 0, "24 00 00 06");
	put_raw(sv[1], "01 00 00 00 09 00 23 00 00 06");
	put_raw(sv[1], "");
	put_pkt(sv[1], WC_MGMT_EV_CMD_COMPLETE, 0, "");
	put_pkt(sv[1], WC_MGMT_EV_CMD_COMPLETE, 0, "23 00 00 06");
	put_pkt(sv[1], WC_MGMT_EV_DISCOVERING, 0, "06 00"); /* after it */
	memset(&s, 0, sizeof(s));
	s.stop_after = 1; /* ignored by wc_mgmt_cmd */
	assert_int_equal(wc_mgmt_cmd(m, WC_MGMT_OP_START_DISCOVERY, 0, &le, 1,
				     rsp, sizeof(rsp), &got, &status,
				     wc_deadline_in(2000), on_event, &s),
			 WC_OK);
	expect_sent(sv[1], "23 00 00 00 01 00 06");
	assert_int_equal(status, 0);
	assert_int_equal(got, 1);
	assert_int_equal(rsp[0], 0x06);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.codes[0], WC_MGMT_EV_DEVICE_FOUND);
	assert_int_equal(s.codes[1], WC_MGMT_EV_DISCOVERING);
	assert_int_equal(s.codes[2], WC_MGMT_EV_CMD_COMPLETE);
	assert_int_equal(s.codes[3], WC_MGMT_EV_CMD_COMPLETE);
	assert_int_equal(s.codes[4], WC_MGMT_EV_CMD_COMPLETE);

	/* the event after the answer is still queued: wait_events gets it */
	memset(&s, 0, sizeof(s));
	assert_int_equal(wc_mgmt_wait_events(m, wc_deadline_in(50), on_event,
					     &s), WC_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.codes[0], WC_MGMT_EV_DISCOVERING);

	/* Command Status, Busy: WC_OK, the status says it; a short rsp
	 * buffer gets what fits */
	put_pkt(sv[1], WC_MGMT_EV_CMD_STATUS, 0, "23 00 0a");
	assert_int_equal(wc_mgmt_cmd(m, WC_MGMT_OP_START_DISCOVERY, 0, &le, 1,
				     NULL, 0, &got, &status,
				     wc_deadline_in(2000), NULL, NULL),
			 WC_OK);
	expect_sent(sv[1], "23 00 00 00 01 00 06");
	assert_int_equal(status, WC_MGMT_STATUS_BUSY);
	assert_int_equal(got, 0);

	/* no answer: WC_E_TIMEOUT at the deadline, not before, not long
	 * after; events meanwhile still delivered */
	put_pkt(sv[1], WC_MGMT_EV_DISCOVERING, 0, "06 01");
	memset(&s, 0, sizeof(s));
	t0 = wc_now_ms();
	assert_int_equal(wc_mgmt_cmd(m, WC_MGMT_OP_STOP_DISCOVERY, 0, &le, 1,
				     rsp, sizeof(rsp), &got, &status,
				     wc_deadline_in(80), on_event, &s),
			 WC_E_TIMEOUT);
	assert_true(wc_now_ms() - t0 >= 75);
	assert_true(wc_now_ms() - t0 < 2000);
	assert_int_equal(s.n, 1);
	expect_sent(sv[1], "24 00 00 00 01 00 06");

	/* a deadline already past still sends, and reads one queued packet */
	put_pkt(sv[1], WC_MGMT_EV_CMD_COMPLETE, 0, "24 00 00 06");
	assert_int_equal(wc_mgmt_cmd(m, WC_MGMT_OP_STOP_DISCOVERY, 0, &le, 1,
				     NULL, 0, NULL, &status, wc_now_ms(),
				     NULL, NULL),
			 WC_OK);
	expect_sent(sv[1], "24 00 00 00 01 00 06");

	/* the peer gone: WC_E_CLOSED at once */
	close(sv[1]);
	t0 = wc_now_ms();
	assert_int_equal(wc_mgmt_cmd(m, WC_MGMT_OP_STOP_DISCOVERY, 0, &le, 1,
				     NULL, 0, NULL, &status,
				     wc_deadline_in(3000), NULL, NULL),
			 WC_E_IO); /* the write already fails (EPIPE) */
	assert_true(wc_now_ms() - t0 < 2000);
	wc_mgmt_close(m);

	/* bad arguments */
	assert_int_equal(wc_mgmt_cmd(NULL, 1, 0, NULL, 0, NULL, 0, NULL, NULL,
				     0, NULL, NULL), WC_E_ARG);
	assert_int_equal(wc_mgmt_adopt(&m, -1), WC_E_ARG);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_wait(void **state)
{
	struct sigaction sa, old;
	struct itimerval it;
	struct wc_mgmt *m;
	struct seen s;
	uint64_t t0;
	int sv[2];

	(void)state;
	pair(sv, &m);
	/* to the deadline, every well-formed packet delivered */
	put_pkt(sv[1], WC_MGMT_EV_DEVICE_FOUND, 0, FOUND_PARAMS);
	put_raw(sv[1], "12 00 00 00 40 00 01 02");
	put_pkt(sv[1], WC_MGMT_EV_DEVICE_FOUND, 0, FOUND_PARAMS);
	memset(&s, 0, sizeof(s));
	t0 = wc_now_ms();
	assert_int_equal(wc_mgmt_wait_events(m, wc_deadline_in(100), on_event,
					     &s), WC_OK);
	assert_true(wc_now_ms() - t0 >= 95);
	assert_int_equal(s.n, 2);

	/* the callback ends it early */
	put_pkt(sv[1], WC_MGMT_EV_DEVICE_FOUND, 0, FOUND_PARAMS);
	put_pkt(sv[1], WC_MGMT_EV_DISCOVERING, 0, "06 00");
	put_pkt(sv[1], WC_MGMT_EV_DEVICE_FOUND, 0, FOUND_PARAMS);
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	t0 = wc_now_ms();
	assert_int_equal(wc_mgmt_wait_events(m, wc_deadline_in(3000),
					     on_event, &s), WC_OK);
	assert_true(wc_now_ms() - t0 < 2000);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.codes[1], WC_MGMT_EV_DISCOVERING);

	/* a signal (handler without SA_RESTART) ends it early too */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 50000;
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	memset(&s, 0, sizeof(s));
	t0 = wc_now_ms();
	assert_int_equal(wc_mgmt_wait_events(m, wc_deadline_in(3000),
					     on_event, &s), WC_OK);
	assert_true(wc_now_ms() - t0 < 2000);
	assert_int_equal(s.n, 1); /* the packet left queued above */
	sigaction(SIGALRM, &old, NULL);

	/* the peer gone */
	close(sv[1]);
	assert_int_equal(wc_mgmt_wait_events(m, wc_deadline_in(3000),
					     on_event, &s), WC_E_CLOSED);
	wc_mgmt_close(m);
}

/* Read Controller Information's answer: address (wire order), version,
 * manufacturer, supported and current settings, class, names. */
static void put_info(int fd, uint16_t index, const char *addr_wire,
		     const char *current)
{
	char hex[2048];
	size_t i;
	int k;

	k = snprintf(hex, sizeof(hex), "04 00 00 %s 09 3f 00 ff fe 01 00 %s "
		     "00 00 00", addr_wire, current);
	for (i = 0; i < 249 + 11; i++)
		k += snprintf(hex + k, sizeof(hex) - (size_t)k, "00");
	put_pkt(fd, WC_MGMT_EV_CMD_COMPLETE, index, hex);
}

#define POWERED_LE "01 02 00 00"
#define OFF_LE "00 02 00 00"
#define POWERED_NOLE "01 00 00 00"

static void test_index_of(void **state)
{
	struct wc_mgmt_ctrl c;
	struct wc_mgmt *m;
	struct wc_diag d;
	char msg[256];
	int sv[2];

	(void)state;
	pair(sv, &m);

	/* NULL: the first powered LE controller (hci0 is off) */
	put_pkt(sv[1], WC_MGMT_EV_CMD_COMPLETE, WC_MGMT_INDEX_NONE,
		"03 00 00 02 00 00 00 01 00");
	put_info(sv[1], 0, "00 00 00 aa 00 00", OFF_LE);
	put_info(sv[1], 1, "01 00 01 01 aa 00", POWERED_LE);
	assert_int_equal(wc_mgmt_index_of(m, NULL, wc_deadline_in(2000), &c,
					  &d, msg, sizeof(msg)), WC_OK);
	assert_int_equal(c.index, 1);
	assert_int_equal(c.bdaddr[0], 0x00);
	assert_int_equal(c.bdaddr[1], 0xAA);
	assert_int_equal(c.bdaddr[5], 0x01);
	expect_sent(sv[1], "03 00 ff ff 00 00");
	expect_sent(sv[1], "04 00 00 00 00 00");
	expect_sent(sv[1], "04 00 01 00 00 00");

	/* NULL, none usable: the first one's reason */
	put_pkt(sv[1], WC_MGMT_EV_CMD_COMPLETE, WC_MGMT_INDEX_NONE,
		"03 00 00 01 00 00 00");
	put_info(sv[1], 0, "00 00 00 aa 00 00", OFF_LE);
	assert_int_equal(wc_mgmt_index_of(m, NULL, wc_deadline_in(2000), &c,
					  &d, msg, sizeof(msg)), WC_E_NOBT);
	assert_non_null(strstr(msg, "hci0 is powered off"));
	expect_sent(sv[1], "03 00 ff ff 00 00");
	expect_sent(sv[1], "04 00 00 00 00 00");

	/* NULL, no controller */
	put_pkt(sv[1], WC_MGMT_EV_CMD_COMPLETE, WC_MGMT_INDEX_NONE,
		"03 00 00 00 00");
	assert_int_equal(wc_mgmt_index_of(m, NULL, wc_deadline_in(2000), &c,
					  &d, msg, sizeof(msg)), WC_E_NOBT);
	assert_non_null(strstr(msg, "no Bluetooth adapter"));
	expect_sent(sv[1], "03 00 ff ff 00 00");

	/* by name: index straight away */
	put_info(sv[1], 7, "01 00 01 01 aa 00", POWERED_LE);
	assert_int_equal(wc_mgmt_index_of(m, "hci7", wc_deadline_in(2000), &c,
					  &d, msg, sizeof(msg)), WC_OK);
	assert_int_equal(c.index, 7);
	expect_sent(sv[1], "04 00 07 00 00 00");
	put_info(sv[1], 2, "01 00 01 01 aa 00", POWERED_NOLE);
	assert_int_equal(wc_mgmt_index_of(m, "hci2", wc_deadline_in(2000), &c,
					  &d, msg, sizeof(msg)), WC_E_NOBT);
	assert_non_null(strstr(msg, "Low Energy"));
	expect_sent(sv[1], "04 00 02 00 00 00");
	put_pkt(sv[1], WC_MGMT_EV_CMD_STATUS, 9, "04 00 11");
	assert_int_equal(wc_mgmt_index_of(m, "hci9", wc_deadline_in(2000), &c,
					  &d, msg, sizeof(msg)), WC_E_NOBT);
	assert_non_null(strstr(msg, "no adapter hci9"));
	expect_sent(sv[1], "04 00 09 00 00 00");

	/* by address (either case) */
	put_pkt(sv[1], WC_MGMT_EV_CMD_COMPLETE, WC_MGMT_INDEX_NONE,
		"03 00 00 02 00 00 00 01 00");
	put_info(sv[1], 0, "00 00 00 aa 00 00", POWERED_LE);
	put_info(sv[1], 1, "01 00 01 01 aa 00", POWERED_LE);
	assert_int_equal(wc_mgmt_index_of(m, "00:aa:01:01:00:01",
					  wc_deadline_in(2000), &c, &d, msg,
					  sizeof(msg)), WC_OK);
	assert_int_equal(c.index, 1);
	expect_sent(sv[1], "03 00 ff ff 00 00");
	expect_sent(sv[1], "04 00 00 00 00 00");
	expect_sent(sv[1], "04 00 01 00 00 00");

	/* a bad string asks nothing */
	assert_int_equal(wc_mgmt_index_of(m, "bluetooth0",
					  wc_deadline_in(2000), &c, &d, msg,
					  sizeof(msg)), WC_E_ARG);
	assert_non_null(strstr(msg, "expected hciN"));

	/* the kernel silent: a timeout, with the sentence */
	assert_int_equal(wc_mgmt_index_of(m, "hci0", wc_deadline_in(50), &c,
					  &d, msg, sizeof(msg)), WC_E_TIMEOUT);
	assert_non_null(strstr(msg, "did not answer"));
	expect_sent(sv[1], "04 00 00 00 00 00");

	close(sv[1]);
	wc_mgmt_close(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_small_events),
		cmocka_unit_test(test_status_str),
		cmocka_unit_test(test_cmd),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_index_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
