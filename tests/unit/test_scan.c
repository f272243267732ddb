/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the discovery in plugin/ble.c (its static scan_* functions,
 * reached by including the file) over a socketpair standing in for the
 * kernel's management socket, fed the kernel's answers and events: a
 * discovery of our own is started, started again when the kernel ends it
 * early, and stopped at the end; beside another program's discovery
 * (Start Discovery answered Busy) the scan listens, never sends Stop
 * Discovery, and says when that discovery ended early or began no new
 * round.  The VM suite runs the same against the real kernel and
 * bluetoothd. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ble.c"

#include "unhex.h"

/* a battery's Device Found: C0:D6:3C:01:A8:90 random, name XDZN_001_A890 */
#define FOUND1                                                          \
	"90 a8 01 3c d6 c0 02 7f 00 00 00 00 0f 00"                     \
	"0e 09 58 44 5a 4e 5f 30 30 31 5f 41 38 39 30"
#define FOUND2                                                          \
	"59 a6 02 3c d6 c0 02 c4 00 00 00 00 00 00"

static void put_pkt(int fd, uint16_t code, const char *hex)
{
	uint8_t params[256], pkt[300];
	size_t n = unhex(hex, params, sizeof(params));
	size_t len = wc_mgmt_build(pkt, sizeof(pkt), code, 0, params, n);

	assert_true(len >= 6);
	assert_int_equal(write(fd, pkt, len), (ssize_t)len);
}

/* The commands the scan sent, as "start"/"stop" words. */
static void sent(int fd, char *out, size_t cap)
{
	uint8_t pkt[64];
	ssize_t n;

	out[0] = '\0';
	while ((n = recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT)) >= 6) {
		uint16_t op = get_le16(pkt);

		strncat(out, op == WC_MGMT_OP_START_DISCOVERY ? "start " :
			     op == WC_MGMT_OP_STOP_DISCOVERY ? "stop " : "? ",
			cap - strlen(out) - 1);
	}
}

struct fixture {
	int sv[2];
	struct wc_mgmt *m;
	struct scan_state st;
	char msg[512];
};

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, f->sv), 0);
	assert_int_equal(wc_mgmt_adopt(&f->m, f->sv[0]), WC_OK);
	f->st.raw = -1;
	f->st.index = 0;
	snprintf(f->st.hci, sizeof(f->st.hci), "hci0");
	f->st.devs = calloc(WC_BLE_SCAN_MAX, sizeof(*f->st.devs));
	assert_non_null(f->st.devs);
}

static void teardown(struct fixture *f)
{
	wc_mgmt_close(f->m);
	close(f->sv[1]);
	free(f->st.devs);
}

static void test_own(void **state)
{
	struct fixture f;
	char words[64];

	(void)state;
	setup(&f);
	/* started; a device; the kernel ends the round early: started again
	 * (the answer queued behind); another device; the end: stopped
	 * (its answer is not queued: the scan gives up waiting) */
	put_pkt(f.sv[1], WC_MGMT_EV_CMD_COMPLETE, "23 00 00 06");
	put_pkt(f.sv[1], WC_MGMT_EV_DISCOVERING, "06 01");
	put_pkt(f.sv[1], WC_MGMT_EV_DEVICE_FOUND, FOUND1);
	put_pkt(f.sv[1], WC_MGMT_EV_DISCOVERING, "06 00");
	put_pkt(f.sv[1], WC_MGMT_EV_CMD_COMPLETE, "23 00 00 06");
	put_pkt(f.sv[1], WC_MGMT_EV_DISCOVERING, "06 01");
	put_pkt(f.sv[1], WC_MGMT_EV_DEVICE_FOUND, FOUND2);
	put_pkt(f.sv[1], WC_MGMT_EV_DEVICE_FOUND, FOUND1); /* merged */
	assert_int_equal(scan_mgmt(f.m, &f.st, wc_deadline_in(300), f.msg,
				   sizeof(f.msg)), WC_OK);
	sent(f.sv[1], words, sizeof(words));
	assert_string_equal(words, "start start stop ");
	assert_string_equal(f.msg, "");
	assert_int_equal(f.st.n, 2);
	assert_string_equal(f.st.devs[0].address, "C0:D6:3C:01:A8:90");
	assert_string_equal(f.st.devs[0].name, "XDZN_001_A890");
	assert_false(f.st.devs[0].has_rssi);
	assert_string_equal(f.st.devs[1].address, "C0:D6:3C:02:A6:59");
	assert_int_equal(f.st.devs[1].rssi, -60);
	teardown(&f);
}

static void test_foreign(void **state)
{
	struct fixture f;
	char words[64];

	(void)state;
	/* Busy: another program discovers.  Its devices are listened to; it
	 * ends and does not start again: a note, and no Stop Discovery */
	setup(&f);
	put_pkt(f.sv[1], WC_MGMT_EV_DEVICE_FOUND, FOUND2); /* before the answer */
	put_pkt(f.sv[1], WC_MGMT_EV_CMD_COMPLETE, "23 00 0a 06");
	put_pkt(f.sv[1], WC_MGMT_EV_DEVICE_FOUND, FOUND1);
	put_pkt(f.sv[1], WC_MGMT_EV_DISCOVERING, "06 00");
	assert_int_equal(scan_mgmt(f.m, &f.st, wc_deadline_in(200), f.msg,
				   sizeof(f.msg)), WC_OK);
	sent(f.sv[1], words, sizeof(words));
	assert_string_equal(words, "start ");
	assert_true(f.st.foreign);
	assert_int_equal(f.st.n, 2);
	assert_non_null(strstr(f.msg, "note: another program's discovery on "
				      "hci0"));
	assert_non_null(strstr(f.msg, "did not start again"));
	teardown(&f);

	/* it ends and begins a new round: nothing to note */
	setup(&f);
	put_pkt(f.sv[1], WC_MGMT_EV_CMD_COMPLETE, "23 00 0a 06");
	put_pkt(f.sv[1], WC_MGMT_EV_DISCOVERING, "06 00");
	put_pkt(f.sv[1], WC_MGMT_EV_DISCOVERING, "06 01");
	put_pkt(f.sv[1], WC_MGMT_EV_DEVICE_FOUND, FOUND1);
	assert_int_equal(scan_mgmt(f.m, &f.st, wc_deadline_in(200), f.msg,
				   sizeof(f.msg)), WC_OK);
	sent(f.sv[1], words, sizeof(words));
	assert_string_equal(words, "start ");
	assert_string_equal(f.msg, "");
	assert_int_equal(f.st.n, 1);
	teardown(&f);

	/* no new round during the scan: the note says batteries it heard
	 * before may be missing */
	setup(&f);
	put_pkt(f.sv[1], WC_MGMT_EV_CMD_COMPLETE, "23 00 0a 06");
	assert_int_equal(scan_mgmt(f.m, &f.st, wc_deadline_in(100), f.msg,
				   sizeof(f.msg)), WC_OK);
	sent(f.sv[1], words, sizeof(words));
	assert_string_equal(words, "start ");
	assert_non_null(strstr(f.msg, "no new round began"));
	teardown(&f);
}

static void test_refused(void **state)
{
	static const struct {
		const char *answer;
		enum wc_err rc;
		const char *words;
	} cases[] = {
		{ "23 00 14 06", WC_E_IO, "permission denied for LE discovery "
		  "on hci0: run as root or grant CAP_NET_ADMIN" },
		{ "23 00 0f 06", WC_E_NOBT, "adapter hci0 is powered off" },
		{ "23 00 0d 06", WC_E_IO, "LE discovery on hci0 refused "
		  "(invalid parameters)" },
	};
	struct fixture f;
	char words[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup(&f);
		put_pkt(f.sv[1], WC_MGMT_EV_CMD_COMPLETE, cases[i].answer);
		assert_int_equal(scan_mgmt(f.m, &f.st, wc_deadline_in(100),
					   f.msg, sizeof(f.msg)), cases[i].rc);
		assert_non_null(strstr(f.msg, cases[i].words));
		sent(f.sv[1], words, sizeof(words));
		assert_string_equal(words, "start "); /* never a stop */
		teardown(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own),
		cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
