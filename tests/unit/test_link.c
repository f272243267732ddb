/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/link.[ch], link_unix.c, the BLE failure path of
 * ble.c on a host without AF_BLUETOOTH, and clock.[ch]. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ble.h"
#include "clock.h"
#include "wc_link.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- clock -------------------------------------------------------------- */

static void test_clock(void **state)
{
	uint64_t a = wc_now_ms(), b;
	int left;

	(void)state;
	assert_int_equal(wc_ms_left(0), 0);
	assert_int_equal(wc_ms_left(a - 5), 0);
	left = wc_ms_left(a + 1000);
	assert_true(left > 900 && left <= 1000);
	assert_int_equal(wc_ms_left(UINT64_MAX), INT_MAX);
	b = wc_deadline_in(250);
	assert_true(b >= a + 250 && b < a + 350);
	assert_true(wc_deadline_in(-5) <= wc_now_ms());
	assert_true(wc_now_ms() >= a);
}

/* ---- address parsing ---------------------------------------------------- */

static const struct {
	const char *text;
	enum wc_err rc;
	enum wc_link_kind kind;
	uint8_t bd[6];
	const char *path;
} addrs[] = {
	{ "unix:/tmp/wc.sock", WC_OK, WC_LINK_UNIX, { 0 }, "/tmp/wc.sock" },
	{ "unix:rel.sock", WC_OK, WC_LINK_UNIX, { 0 }, "rel.sock" },
	{ "C0:D6:3C:52:E4:D9", WC_OK, WC_LINK_BLE,
	  { 0xC0, 0xD6, 0x3C, 0x52, 0xE4, 0xD9 }, NULL },
	{ "c0:d6:3c:52:e4:d9", WC_OK, WC_LINK_BLE,
	  { 0xC0, 0xD6, 0x3C, 0x52, 0xE4, 0xD9 }, NULL },
	{ "", WC_E_ARG, WC_LINK_UNIX, { 0 }, NULL },
	{ "unix:", WC_E_ARG, WC_LINK_UNIX, { 0 }, NULL },
	{ "/tmp/wc.sock", WC_E_ARG, WC_LINK_UNIX, { 0 }, NULL },
	{ "UNIX:/tmp/wc.sock", WC_E_ARG, WC_LINK_UNIX, { 0 }, NULL },
	{ "C0:D6:3C:52:E4", WC_E_ARG, WC_LINK_UNIX, { 0 }, NULL },
	{ "C0:D6:3C:52:E4:D9:00", WC_E_ARG, WC_LINK_UNIX, { 0 }, NULL },
	{ "C0-D6-3C-52-E4-D9", WC_E_ARG, WC_LINK_UNIX, { 0 }, NULL },
	{ "G0:D6:3C:52:E4:D9", WC_E_ARG, WC_LINK_UNIX, { 0 }, NULL },
	{ "C0:D6:3C:52:E4:D", WC_E_ARG, WC_LINK_UNIX, { 0 }, NULL },
	{ " C0:D6:3C:52:E4:D9", WC_E_ARG, WC_LINK_UNIX, { 0 }, NULL },
	{ "XDZN_001_E4D9", WC_E_ARG, WC_LINK_UNIX, { 0 }, NULL },
};

static void test_parse(void **state)
{
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < ARRAY_LEN(addrs); i++) {
		struct wc_link_addr a;
		char msg[256];
		enum wc_err rc = wc_link_parse_address(addrs[i].text, &a, msg,
						       sizeof(msg));

		if (rc != addrs[i].rc) {
			print_error("case %zu \"%s\": %s, want %s\n", i,
				    addrs[i].text, wc_strerror(rc),
				    wc_strerror(addrs[i].rc));
			bad++;
			continue;
		}
		if (rc != WC_OK) {
			/* the message names both accepted forms */
			if (!strstr(msg, "unix:/path") ||
			    !strstr(msg, "C0:D6:3C:52:E4:D9")) {
				print_error("case %zu: message \"%s\"\n", i,
					    msg);
				bad++;
			}
			continue;
		}
		if (a.kind != addrs[i].kind ||
		    (a.kind == WC_LINK_BLE &&
		     memcmp(a.bdaddr, addrs[i].bd, 6) != 0) ||
		    (a.kind == WC_LINK_UNIX &&
		     strcmp(a.path, addrs[i].path) != 0)) {
			print_error("case %zu \"%s\": wrong result\n", i,
				    addrs[i].text);
			bad++;
		}
	}
	if (bad)
		fail_msg("%d bad cases", bad);
}

static void test_parse_edges(void **state)
{
	struct wc_link_addr a;
	char msg[256], text[300], buf[18];
	uint8_t bd[6];

	(void)state;
	/* NULL text, NULL message buffer */
	assert_int_equal(wc_link_parse_address(NULL, &a, msg, sizeof(msg)),
			 WC_E_ARG);
	assert_non_null(strstr(msg, "unix:/path"));
	assert_int_equal(wc_link_parse_address("nope", &a, NULL, 0), WC_E_ARG);
	/* a path that does not fit sun_path */
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memcpy(text, "unix:/", 6);
	assert_int_equal(wc_link_parse_address(text, &a, msg, sizeof(msg)),
			 WC_E_ARG);
	assert_non_null(strstr(msg, "limit is 107"));
	/* the longest path that fits */
	text[5 + 107] = '\0';
	assert_int_equal(wc_link_parse_address(text, &a, msg, sizeof(msg)),
			 WC_OK);
	assert_int_equal(strlen(a.path), 107);
	/* format is the inverse of parse */
	assert_true(wc_bdaddr_parse("c0:d6:3c:52:e4:d9", bd));
	assert_string_equal(wc_bdaddr_format(bd, buf, sizeof(buf)),
			    "C0:D6:3C:52:E4:D9");
	assert_string_equal(wc_addr_type_name(WC_ADDR_RANDOM), "random");
	assert_string_equal(wc_addr_type_name(WC_ADDR_PUBLIC), "public");
	assert_string_equal(wc_addr_type_name(WC_ADDR_AUTO), "auto");
}

/* ---- unix transport ----------------------------------------------------- */

struct tmp {
	char dir[64];
	char path[128];
	char addr[140];
	int lfd;
};

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_link.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/sim.sock", t->dir);
	snprintf(t->addr, sizeof(t->addr), "unix:%s", t->path);
	t->lfd = -1;
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;

	if (t->lfd >= 0)
		close(t->lfd);
	unlink(t->path);
	rmdir(t->dir);
	free(t);
	return 0;
}

static int bound_socket(const char *path, int type, bool do_listen)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, type, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (do_listen)
		assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static void test_unix_connect(void **state)
{
	struct tmp *t = *state;
	struct wc_link_opts o = { t->addr, NULL, WC_ADDR_AUTO, false, 0 };
	struct wc_link *l = NULL;
	struct wc_diag d = { WC_E_ARG, 0, 0 };
	char msg[256] = "x";
	static const uint8_t pdu1[] = { 0x1B, 0x0E, 0x00, 0x7E };
	static const uint8_t pdu2[] = { 0x13 };
	uint8_t buf[64];
	struct pollfd p;
	int8_t rssi = 5;
	int sfd;

	t->lfd = bound_socket(t->path, SOCK_SEQPACKET, true);
	assert_int_equal(wc_link_open(&o, wc_deadline_in(1000), &l, &d, msg,
				      sizeof(msg)),
			 WC_OK);
	assert_non_null(l);
	assert_string_equal(msg, "");
	assert_string_equal(wc_link_kind(l), "unix");
	assert_true(wc_link_fd(l) >= 0);
	assert_int_equal(wc_link_rssi(l, &rssi, wc_deadline_in(1000)), -1);
	assert_int_equal(rssi, 5); /* untouched when unknown */

	sfd = accept(t->lfd, NULL, NULL);
	assert_true(sfd >= 0);
	/* message boundaries survive: two sends, two reads */
	assert_int_equal(send(sfd, pdu1, sizeof(pdu1), 0), sizeof(pdu1));
	assert_int_equal(send(sfd, pdu2, sizeof(pdu2), 0), sizeof(pdu2));
	p.fd = wc_link_fd(l);
	p.events = POLLIN;
	assert_int_equal(poll(&p, 1, 1000), 1);
	assert_int_equal(recv(wc_link_fd(l), buf, sizeof(buf), 0), sizeof(pdu1));
	assert_int_equal(recv(wc_link_fd(l), buf, sizeof(buf), 0), sizeof(pdu2));
	close(sfd);
	wc_link_close(l);
	wc_link_close(NULL);
}

static void test_unix_missing(void **state)
{
	struct tmp *t = *state;
	struct wc_link_opts o = { t->addr, NULL, WC_ADDR_AUTO, false, 0 };
	struct wc_link *l = (struct wc_link *)&o; /* must become NULL */
	struct wc_diag d;
	char msg[256];

	assert_int_equal(wc_link_open(&o, wc_deadline_in(1000), &l, &d, msg,
				      sizeof(msg)),
			 WC_E_IO);
	assert_null(l);
	assert_int_equal(d.code, WC_E_IO);
	assert_int_equal(d.a, ENOENT);
	assert_non_null(strstr(msg, "no simulator socket at"));
	assert_non_null(strstr(msg, t->path));
	assert_non_null(strstr(msg, "wattcycle-sim"));
}

static void test_unix_refused(void **state)
{
	struct tmp *t = *state;
	struct wc_link_opts o = { t->addr, NULL, WC_ADDR_AUTO, false, 0 };
	struct wc_link *l = NULL;
	struct wc_diag d;
	char msg[256];

	/* bound, never listening: the socket file exists, nobody accepts */
	t->lfd = bound_socket(t->path, SOCK_SEQPACKET, false);
	assert_int_equal(wc_link_open(&o, wc_deadline_in(1000), &l, &d, msg,
				      sizeof(msg)),
			 WC_E_IO);
	assert_null(l);
	assert_int_equal(d.a, ECONNREFUSED);
	assert_non_null(strstr(msg, "connection refused by the simulator at"));
	assert_non_null(strstr(msg, t->path));
}

static void test_unix_wrong_type(void **state)
{
	struct tmp *t = *state;
	struct wc_link_opts o = { t->addr, NULL, WC_ADDR_AUTO, false, 0 };
	struct wc_link *l = NULL;
	struct wc_diag d;
	char msg[256];

	t->lfd = bound_socket(t->path, SOCK_STREAM, true);
	assert_int_equal(wc_link_open(&o, wc_deadline_in(1000), &l, &d, msg,
				      sizeof(msg)),
			 WC_E_IO);
	assert_null(l);
	assert_non_null(strstr(msg, "SOCK_SEQPACKET"));
}

static void test_open_bad_address(void **state)
{
	struct wc_link_opts o = { "hci0", NULL, WC_ADDR_AUTO, false, 0 };
	struct wc_link *l = NULL;
	struct wc_diag d;
	char msg[256];

	(void)state;
	assert_int_equal(wc_link_open(&o, wc_deadline_in(1000), &l, &d, msg,
				      sizeof(msg)),
			 WC_E_ARG);
	assert_int_equal(d.code, WC_E_ARG);
	assert_non_null(strstr(msg, "bad address \"hci0\""));
	assert_int_equal(wc_link_open(NULL, 0, &l, &d, NULL, 0), WC_E_ARG);
}

/* ---- BLE on a host without Bluetooth ----------------------------------- */

static bool host_has_bluetooth(void)
{
	int fd = socket(AF_BLUETOOTH, SOCK_SEQPACKET, 0);

	if (fd >= 0) {
		close(fd);
		return true;
	}
	return errno != EAFNOSUPPORT;
}

static void test_ble_nobt(void **state)
{
	static const char *const adapters[] = { NULL, "hci0",
						"00:1A:7D:DA:71:13", "bogus" };
	size_t i;

	(void)state;
	if (host_has_bluetooth())
		skip();
	for (i = 0; i < ARRAY_LEN(adapters); i++) {
		struct wc_link_opts o = { "C0:D6:3C:52:E4:D9", adapters[i],
					  WC_ADDR_AUTO, false, 0 };
		struct wc_link *l = NULL;
		struct wc_diag d = { WC_OK, 0, 0 };
		char msg[256] = "";
		uint64_t t0 = wc_now_ms();

		/* a generous deadline: the failure must not wait for it */
		assert_int_equal(wc_link_open(&o, wc_deadline_in(10000), &l,
					      &d, msg, sizeof(msg)),
				 WC_E_NOBT);
		assert_true(wc_now_ms() - t0 < 1000);
		assert_null(l);
		assert_int_equal(d.code, WC_E_NOBT);
		assert_int_equal(d.a, EAFNOSUPPORT);
		assert_non_null(strstr(msg, "no Bluetooth support"));
		assert_non_null(strstr(msg, "unix:/path"));
	}
}

static void never(void *user, const struct wc_adv *adv)
{
	(void)adv;
	++*(int *)user;
}

static void test_ble_scan_nobt(void **state)
{
	char msg[256] = "";
	int calls = 0;
	uint64_t t0 = wc_now_ms();

	(void)state;
	if (host_has_bluetooth())
		skip();
	assert_int_equal(wc_ble_scan("hci0", 5000, never, &calls, msg,
				     sizeof(msg)),
			 WC_E_NOBT);
	assert_true(wc_now_ms() - t0 < 1000);
	assert_int_equal(calls, 0);
	assert_non_null(strstr(msg, "Bluetooth"));
	assert_int_equal(wc_ble_scan(NULL, 5000, NULL, NULL, msg, sizeof(msg)),
			 WC_E_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_edges),
		cmocka_unit_test_setup_teardown(test_unix_connect, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_unix_missing, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_unix_refused, tmp_setup,
						tmp_teardown),
		cmocka_unit_test_setup_teardown(test_unix_wrong_type, tmp_setup,
						tmp_teardown),
		cmocka_unit_test(test_open_bad_address),
		cmocka_unit_test(test_ble_nobt),
		cmocka_unit_test(test_ble_scan_nobt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
