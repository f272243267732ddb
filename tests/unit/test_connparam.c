/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/connparam.[ch]: which supervision timeouts are
 * taken, the connection parameters made for each (checked against the
 * kernel's validity rules and the Bluetooth Core spec's minimum for every
 * accepted value), the Load Connection Parameters block byte for byte
 * (one entry), and Get Connection Information's parameters and reply. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "connparam.h"
#include "unhex.h"

static const uint8_t addr[6] = { 0xC0, 0xD6, 0x3C, 0x52, 0xE4, 0xD9 };

static void test_valid(void **state)
{
	static const double good[] = { 100, 110, 420, 2000, 31990, 32000 };
	static const double bad[] = { 0, 90, 99.9, 105, 2000.5, 32010, -100,
				      1e9 };
	char why[128];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(wc_supervision_valid(good[i], NULL, 0));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_false(wc_supervision_valid(bad[i], why, sizeof(why)));
		assert_string_equal(why, "expects milliseconds from 100 to 32000 "
					 "in steps of 10 (the kernel's unit)");
	}
	assert_false(wc_supervision_valid(NAN, why, sizeof(why)));
	assert_false(wc_supervision_valid(INFINITY, NULL, 0));
}

/* The kernel's hci_check_conn_params(): min <= max, 6 <= min, max <= 3200,
 * 10 <= timeout <= 3200, max < timeout * 8, latency <= 499 and <=
 * timeout * 4 / max - 1.  And the spec: timeout * 10 ms > (1 + latency) *
 * max * 1.25 ms * 2. */
static void test_params_every_value(void **state)
{
	(void)state;
	for (uint32_t ms = 100; ms <= 32000; ms += 10) {
		struct wc_connparam p;

		wc_connparam_for(ms, &p);
		assert_int_equal(p.timeout * 10u, ms);
		assert_int_equal(p.min_interval, 0x0018);
		assert_true(p.min_interval <= p.max_interval);
		assert_true(p.max_interval <= 0x0028);
		assert_true(p.max_interval < (uint32_t)p.timeout * 8u);
		assert_int_equal(p.latency, 0);
		assert_true(p.latency <= (uint32_t)p.timeout * 4u / p.max_interval - 1u);
		/* in 1/8 ms: timeout * 80 > max * 10 * 2 */
		assert_true((uint32_t)p.timeout * 80u >
			    (1u + p.latency) * p.max_interval * 20u);
	}
}

static void test_load_bytes(void **state)
{
	struct wc_connparam p;
	uint8_t buf[32], want[32];
	size_t n, wn;

	(void)state;
	wc_connparam_for(2000, &p);
	n = wc_connparam_load_build(buf, sizeof(buf), addr, 2, &p);
	/* count 1; address LSB first; LE random; 30 ms; 50 ms; 0; 2000 ms */
	wn = unhex("0100 D9E4523CD6C0 02 1800 2800 0000 C800", want, sizeof(want));
	assert_int_equal(n, WC_CONNPARAM_LOAD_LEN);
	assert_int_equal(n, wn);
	assert_memory_equal(buf, want, wn);

	/* 100 ms: the max interval narrows to 48.75 ms */
	wc_connparam_for(100, &p);
	n = wc_connparam_load_build(buf, sizeof(buf), addr, 1, &p);
	wn = unhex("0100 D9E4523CD6C0 01 1800 2700 0000 0A00", want, sizeof(want));
	assert_int_equal(n, wn);
	assert_memory_equal(buf, want, wn);

	assert_int_equal(wc_connparam_load_build(buf, WC_CONNPARAM_LOAD_LEN - 1,
						 addr, 1, &p), 0);
	assert_int_equal(wc_connparam_load_build(NULL, 64, addr, 1, &p), 0);
}

static void test_conninfo(void **state)
{
	uint8_t buf[16], rp[16];
	int8_t rssi = 0;
	size_t n;

	(void)state;
	n = wc_conninfo_build(buf, sizeof(buf), addr, 2);
	assert_int_equal(n, 7);
	unhex("D9E4523CD6C0 02", rp, sizeof(rp));
	assert_memory_equal(buf, rp, 7);
	assert_int_equal(wc_conninfo_build(buf, 6, addr, 2), 0);

	/* address, type, RSSI -67 (0xBD), TX power 0, max TX power 9 */
	n = unhex("D9E4523CD6C0 02 BD 00 09", rp, sizeof(rp));
	assert_true(wc_conninfo_rssi(rp, n, addr, 2, &rssi));
	assert_int_equal(rssi, -67);
	/* another address type, a short reply, "not available" */
	assert_false(wc_conninfo_rssi(rp, n, addr, 1, &rssi));
	assert_false(wc_conninfo_rssi(rp, n - 1, addr, 2, &rssi));
	n = unhex("D9E4523CD6C0 02 7F 7F 7F", rp, sizeof(rp));
	rssi = 5;
	assert_false(wc_conninfo_rssi(rp, n, addr, 2, &rssi));
	assert_int_equal(rssi, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_params_every_value),
		cmocka_unit_test(test_load_bytes),
		cmocka_unit_test(test_conninfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
