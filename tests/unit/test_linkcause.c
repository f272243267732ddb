/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/linkcause.[ch]: one cause reads the same whichever
 * way it was learnt (the socket's errno, an HCI reason, a mgmt reason or
 * status), a timeout reads differently while connecting and on a live
 * link, the EBUSY sentence says what to do, and EBUSY never tries another
 * address type. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "linkcause.h"

static void test_same_sentence_every_way(void **state)
{
	(void)state;
	/* supervision timeout: HCI 0x08, mgmt reason 1, ETIMEDOUT live */
	assert_non_null(strstr(wc_linkcause_hci(0x08), "supervision timeout"));
	assert_string_equal(wc_linkcause_hci(0x08), wc_linkcause_mgmt_reason(1));
	assert_string_equal(wc_linkcause_hci(0x08),
			    wc_linkcause_errno(ETIMEDOUT, WC_PHASE_LIVE));
	/* the battery ended it: HCI 0x13, mgmt reason 3, ECONNRESET */
	assert_non_null(strstr(wc_linkcause_hci(0x13), "the battery ended the link"));
	assert_string_equal(wc_linkcause_hci(0x13), wc_linkcause_mgmt_reason(3));
	assert_string_equal(wc_linkcause_hci(0x13),
			    wc_linkcause_errno(ECONNRESET, WC_PHASE_LIVE));
	assert_string_equal(wc_linkcause_hci(0x13),
			    wc_linkcause_errno(ECONNRESET, WC_PHASE_CONNECT));
	/* local host: HCI 0x16, mgmt reason 2, ECONNABORTED */
	assert_non_null(strstr(wc_linkcause_hci(0x16), "local host terminated"));
	assert_string_equal(wc_linkcause_hci(0x16), wc_linkcause_mgmt_reason(2));
	assert_string_equal(wc_linkcause_hci(0x16),
			    wc_linkcause_errno(ECONNABORTED, WC_PHASE_LIVE));
	/* establishment: HCI 0x3E, mgmt Connect Failed 0x04, the kernel's
	 * ENOSYS for it while connecting */
	assert_non_null(strstr(wc_linkcause_hci(0x3E),
			       "connection-establishment failure"));
	assert_string_equal(wc_linkcause_hci(0x3E), wc_linkcause_mgmt_status(0x04));
	assert_string_equal(wc_linkcause_hci(0x3E),
			    wc_linkcause_errno(ENOSYS, WC_PHASE_CONNECT));
	/* busy: EBUSY, mgmt Busy */
	assert_string_equal(wc_linkcause_errno(EBUSY, WC_PHASE_CONNECT),
			    wc_linkcause_mgmt_status(0x0A));
}

static void test_busy_sentence(void **state)
{
	(void)state;
	assert_string_equal(wc_linkcause_errno(EBUSY, WC_PHASE_CONNECT),
			    "held by another program on this host (EBUSY): "
			    "close the phone app or disconnect it in "
			    "bluetoothctl");
	assert_false(wc_linkcause_try_other_type(EBUSY));
	assert_true(wc_linkcause_try_other_type(ETIMEDOUT));
	assert_false(wc_linkcause_try_other_type(EPERM));
}

static void test_phases(void **state)
{
	(void)state;
	/* a timeout while connecting is a battery that never answered */
	assert_null(strstr(wc_linkcause_errno(ETIMEDOUT, WC_PHASE_CONNECT),
			   "supervision"));
	assert_non_null(strstr(wc_linkcause_errno(ETIMEDOUT, WC_PHASE_CONNECT),
			       "did not answer"));
	/* adapter down and permission, both phases */
	static const int down[] = { ENETDOWN, EHOSTDOWN, ENODEV, ERFKILL };
	for (size_t i = 0; i < sizeof(down) / sizeof(down[0]); i++) {
		assert_non_null(strstr(wc_linkcause_errno(down[i], WC_PHASE_CONNECT),
				       "adapter is down"));
		assert_non_null(strstr(wc_linkcause_errno(down[i], WC_PHASE_LIVE),
				       "adapter is down"));
	}
	assert_non_null(strstr(wc_linkcause_errno(EPERM, WC_PHASE_LIVE),
			       "permission denied"));
	assert_string_equal(wc_linkcause_errno(EACCES, WC_PHASE_CONNECT),
			    wc_linkcause_errno(EPERM, WC_PHASE_CONNECT));
	/* no sentence: the caller says strerror() */
	assert_null(wc_linkcause_errno(EINVAL, WC_PHASE_CONNECT));
	assert_null(wc_linkcause_errno(0, WC_PHASE_LIVE));
	assert_null(wc_linkcause_hci(0x00));
	assert_null(wc_linkcause_mgmt_reason(0x77));
	assert_null(wc_linkcause_mgmt_status(0x00));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_sentence_every_way),
		cmocka_unit_test(test_busy_sentence),
		cmocka_unit_test(test_phases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
