/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/energy.[ch]: integration by hand, gaps, the state
 * file's text and its atomic replacement. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "energy.h"

#define EPS 1e-9

/* 10 s at -2000 W, then 10 s ramping to +1000 W (trapezoid: crossing
 * zero inside the stretch counts its mean, -500 W), then 10 s at
 * +1000 W:  -2000 x 10 / 3600 = -5.5556 Wh, -500 x 10 / 3600 = -1.3889 Wh,
 * +1000 x 10 / 3600 = +2.7778 Wh. */
static void test_integration_by_hand(void **state)
{
	struct wc_energy e;

	(void)state;
	memset(&e, 0, sizeof(e));
	wc_energy_add(&e, -2000, 0, 20000);
	assert_float_equal(e.discharged_wh, 0, EPS);  /* one reading: nothing */
	wc_energy_add(&e, -2000, 10000, 20000);
	assert_float_equal(e.discharged_wh, 20000.0 / 3600, EPS);
	wc_energy_add(&e, 1000, 20000, 20000);
	assert_float_equal(e.discharged_wh, 25000.0 / 3600, EPS);
	wc_energy_add(&e, 1000, 30000, 20000);
	assert_float_equal(e.charged_wh, 10000.0 / 3600, EPS);
	assert_float_equal(e.discharged_wh, 25000.0 / 3600, EPS);
}

/* A stretch longer than max_gap, one going back, a failed poll: not
 * counted; counting resumes from the next reading. */
static void test_gaps(void **state)
{
	struct wc_energy e;

	(void)state;
	memset(&e, 0, sizeof(e));
	wc_energy_add(&e, 3600, 0, 20000);
	wc_energy_add(&e, 3600, 30000, 20000);      /* 30 s > 20 s */
	assert_float_equal(e.charged_wh, 0, EPS);
	wc_energy_add(&e, 3600, 20000, 20000);      /* back in time */
	assert_float_equal(e.charged_wh, 0, EPS);
	wc_energy_add(&e, 3600, 30000, 20000);      /* 10 s at 3600 W */
	assert_float_equal(e.charged_wh, 10, EPS);
	wc_energy_gap(&e);
	wc_energy_add(&e, 3600, 40000, 20000);
	assert_float_equal(e.charged_wh, 10, EPS);
	wc_energy_add(&e, NAN, 50000, 20000);       /* NaN: ignored */
	wc_energy_add(&e, 3600, 50000, 20000);
	assert_float_equal(e.charged_wh, 20, EPS);
}

static void test_text(void **state)
{
	struct wc_energy e = { .charged_wh = 1234.5678, .discharged_wh = 0.25 };
	struct wc_energy back;
	char buf[256], err[256];
	static const char *const bad[] = {
		"",
		"wattcycle-energy 2\ncharged_wh 1\ndischarged_wh 2\n",
		"wattcycle-energy 1\ncharged_wh -1\ndischarged_wh 2\n",
		"wattcycle-energy 1\ncharged_wh x\ndischarged_wh 2\n",
		"wattcycle-energy 1\ndischarged_wh 2\ncharged_wh 1\n",
		"wattcycle-energy 1\ncharged_wh 1\ndischarged_wh 2\nmore\n",
		"wattcycle-energy 1\ncharged_wh nan\ndischarged_wh 2\n",
		"wattcycle-energy 1\ncharged_wh 1e300\ndischarged_wh 2\n",
	};
	int n;

	(void)state;
	n = wc_energy_format(&e, buf, sizeof(buf));
	assert_true(n > 0);
	assert_string_equal(buf, "wattcycle-energy 1\ncharged_wh 1234.567800\n"
			    "discharged_wh 0.250000\n");
	assert_int_equal(wc_energy_parse(buf, (size_t)n, &back, err, sizeof(err)), 0);
	assert_float_equal(back.charged_wh, 1234.5678, 1e-6);
	assert_float_equal(back.discharged_wh, 0.25, 1e-6);
	/* no final newline is fine */
	assert_int_equal(wc_energy_parse(buf, (size_t)n - 1, &back, err,
					 sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		back.charged_wh = 7;
		if (wc_energy_parse(bad[i], strlen(bad[i]), &back, err,
				    sizeof(err)) == 0)
			fail_msg("case %zu parsed", i);
		assert_float_equal(back.charged_wh, 0, EPS);
		assert_true(err[0] != '\0');
	}
}

static void test_file(void **state)
{
	char dir[] = "/tmp/wc_energy_XXXXXX", path[128], tmp[160], err[512];
	struct wc_energy e = { .charged_wh = 10.5, .discharged_wh = 3 };
	struct wc_energy back;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/wattcycle-b1.energy", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* missing: a fresh start */
	back.charged_wh = 9;
	assert_int_equal(wc_energy_load(&back, path, err, sizeof(err)), 0);
	assert_float_equal(back.charged_wh, 0, EPS);
	assert_int_equal(wc_energy_save(&e, path, err, sizeof(err)), 0);
	assert_int_equal(access(tmp, F_OK), -1);     /* renamed away */
	assert_int_equal(wc_energy_load(&back, path, err, sizeof(err)), 0);
	assert_float_equal(back.charged_wh, 10.5, 1e-6);
	assert_float_equal(back.discharged_wh, 3, 1e-6);
	/* corrupt: an error naming the file, zeros */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("garbage\n", f);
	fclose(f);
	assert_int_equal(wc_energy_load(&back, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "not an energy state file"));
	assert_float_equal(back.charged_wh, 0, EPS);
	/* an unwritable directory: the error names the file */
	snprintf(path, sizeof(path), "%s/nosuchdir/x.energy", dir);
	assert_int_equal(wc_energy_save(&e, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot write"));
	snprintf(path, sizeof(path), "%s/wattcycle-b1.energy", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integration_by_hand),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
