/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/ble_mgmt.[ch] over a SOCK_SEQPACKET socketpair
 * standing in for the kernel's management socket (btvirt's emulated
 * controllers run no real link parameters, so the bytes are checked
 * here): the Load Connection Parameters command sent for a supervision
 * timeout, byte for byte, and what its answers mean; Get Connection
 * Information's RSSI and its refusals; the Device Disconnected reason a
 * watch finds among other events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ble_mgmt.h"
#include "clock.h"
#include "mgmt.h"
#include "unhex.h"

static const uint8_t addr[6] = { 0xC0, 0xD6, 0x3C, 0x01, 0xA8, 0x90 };

struct pair {
	struct wc_mgmt *m;
	int peer;
};

static int setup(void **state)
{
	static struct pair p;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(wc_mgmt_adopt(&p.m, sv[0]), WC_OK);
	p.peer = sv[1];
	*state = &p;
	return 0;
}

static int teardown(void **state)
{
	struct pair *p = *state;

	wc_mgmt_close(p->m);
	close(p->peer);
	return 0;
}

/* The kernel's side: one packet, written as hex. */
static void feed(int fd, const char *hex)
{
	uint8_t b[256];
	size_t n = unhex(hex, b, sizeof(b));

	assert_true(n > 0);
	assert_int_equal(write(fd, b, n), (ssize_t)n);
}

/* What the code under test sent, compared with hex. */
static void expect_sent(int fd, const char *hex)
{
	uint8_t got[256], want[256];
	ssize_t n = read(fd, got, sizeof(got));
	size_t wn = unhex(hex, want, sizeof(want));

	assert_int_equal(n, (ssize_t)wn);
	assert_memory_equal(got, want, wn);
}

static void test_supervision_bytes(void **state)
{
	struct pair *p = *state;
	char msg[256] = "x";

	/* Command Complete for Load Connection Parameters on index 3, queued
	 * first: the command is read after the call */
	feed(p->peer, "0100 0300 0300 3500 00");
	assert_int_equal(wc_ble_mgmt_supervision_on(p->m, 3, addr, 2, 2000,
						    wc_deadline_in(1000), msg,
						    sizeof(msg)),
			 WC_OK);
	/* opcode 0x0035, index 3, 17 bytes: one entry, the address LSB
	 * first, LE random, 30..50 ms, latency 0, 200 x 10 ms */
	expect_sent(p->peer, "3500 0300 1100 0100 90A8013CD6C0 02 1800 2800 "
			     "0000 C800");
}

static void test_supervision_refused(void **state)
{
	struct pair *p = *state;
	char msg[256] = "";

	/* Command Status: Permission Denied (not root, no CAP_NET_ADMIN) */
	feed(p->peer, "0200 0000 0300 3500 14");
	assert_int_equal(wc_ble_mgmt_supervision_on(p->m, 0, addr, 1, 6000,
						    wc_deadline_in(1000), msg,
						    sizeof(msg)),
			 WC_E_IO);
	assert_non_null(strstr(msg, "SupervisionTimeout 6000 ms not set"));
	assert_non_null(strstr(msg, "CAP_NET_ADMIN"));
	expect_sent(p->peer, "3500 0000 1100 0100 90A8013CD6C0 01 1800 2800 "
			     "0000 5802");
	/* no answer: bounded by the deadline */
	msg[0] = '\0';
	assert_int_equal(wc_ble_mgmt_supervision_on(p->m, 0, addr, 1, 6000,
						    wc_deadline_in(100), msg,
						    sizeof(msg)),
			 WC_E_TIMEOUT);
	assert_non_null(strstr(msg, "did not answer"));
}

static void test_rssi(void **state)
{
	struct pair *p = *state;
	int8_t rssi = 0;

	/* a Device Found on the way is skipped; then the answer: RSSI -58 */
	feed(p->peer, "1200 0000 0E00 90A8013CD6C0 02 C6 00000000 0000");
	feed(p->peer, "0100 0000 0D00 3100 00 90A8013CD6C0 02 C6 00 09");
	assert_int_equal(wc_ble_mgmt_rssi_on(p->m, 0, addr, 2, &rssi,
					     wc_deadline_in(1000)), 0);
	assert_int_equal(rssi, -58);
	expect_sent(p->peer, "3100 0000 0700 90A8013CD6C0 02");
	/* RSSI not available (127), then Not Connected, then Failed (what
	 * the kernel says when the controller cannot read RSSI) */
	feed(p->peer, "0100 0000 0D00 3100 00 90A8013CD6C0 02 7F 7F 7F");
	assert_int_equal(wc_ble_mgmt_rssi_on(p->m, 0, addr, 2, &rssi,
					     wc_deadline_in(1000)), -1);
	feed(p->peer, "0100 0000 0D00 3100 02 90A8013CD6C0 02 7F 7F 7F");
	assert_int_equal(wc_ble_mgmt_rssi_on(p->m, 0, addr, 2, &rssi,
					     wc_deadline_in(1000)), -1);
	feed(p->peer, "0100 0000 0D00 3100 03 90A8013CD6C0 02 00 00 00");
	assert_int_equal(wc_ble_mgmt_rssi_on(p->m, 0, addr, 2, &rssi,
					     wc_deadline_in(1000)), -1);
	/* no answer: -1 by the deadline */
	assert_int_equal(wc_ble_mgmt_rssi_on(p->m, 0, addr, 2, &rssi,
					     wc_deadline_in(100)), -1);
	assert_int_equal(rssi, -58);
}

static void test_watch(void **state)
{
	struct wc_ble_watch *w;
	struct wc_mgmt *m = NULL;
	uint8_t reason = 0xFF;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(wc_mgmt_adopt(&m, sv[0]), WC_OK);
	w = wc_ble_watch_on(m, 0, addr);
	assert_non_null(w);
	/* nothing queued: nothing found, at once */
	assert_false(wc_ble_watch_reason(w, wc_now_ms(), &reason));
	/* another battery's disconnect, another adapter's, then ours:
	 * reason 1 (supervision timeout) */
	feed(sv[1], "0C00 0000 0800 90A8013CD6C1 02 03");
	feed(sv[1], "0C00 0100 0800 90A8013CD6C0 02 03");
	feed(sv[1], "0C00 0000 0800 90A8013CD6C0 02 01");
	assert_true(wc_ble_watch_reason(w, wc_now_ms(), &reason));
	assert_int_equal(reason, 1);
	/* it stays found */
	assert_true(wc_ble_watch_reason(w, wc_now_ms(), &reason));
	wc_ble_watch_free(w);
	close(sv[1]);
	wc_ble_watch_free(NULL);
	assert_false(wc_ble_watch_reason(NULL, wc_now_ms(), &reason));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_supervision_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_supervision_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rssi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
