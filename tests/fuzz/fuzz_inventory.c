/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target over the inventory reader (plugin/inventory.c): the
 * input is the inventory file, handed over as a memfd.  Either the load
 * succeeds and the result obeys the reader's promises (valid names, every
 * bank member a battery, a battery in at most one bank), or it fails with
 * a "FILE:LINE: reason" sentence.  Seeds: the example inventory and a few
 * broken ones. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "inventory.h"

const char *__lsan_default_suppressions(void);

/* libconfig 1.5 (Debian 12) loses string tokens on some syntax errors
 * (a literal the file ends inside, a string where the grammar wants
 * none): allocated and lost inside its scanner, even after
 * config_destroy().  That is the library's; every leak of ours (allocated
 * outside libconfig) still fails. */
const char *__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

static void check(const struct wc_inventory *inv)
{
	for (size_t i = 0; i < inv->n_batteries; i++) {
		CHECK(wc_inventory_name_valid(inv->batteries[i].name));
		CHECK(inv->batteries[i].address != NULL);
	}
	for (size_t k = 0; k < inv->n_banks; k++) {
		const struct wc_bank_def *d = &inv->banks[k];

		CHECK(wc_inventory_name_valid(d->name));
		CHECK(d->n_strings >= 1 && d->n_strings <= WC_BANK_MAX_STRINGS);
		for (unsigned i = 0; i < d->n_strings; i++) {
			CHECK(d->n_series[i] >= 1 &&
			      d->n_series[i] <= WC_BANK_MAX_SERIES);
			for (unsigned j = 0; j < d->n_series[i]; j++)
				CHECK(wc_inventory_battery(inv, d->member[i][j]));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[WC_INVENTORY_ERR_MAX];
	struct wc_inventory *inv;
	int fd = memfd_create("inventory", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	inv = wc_inventory_load(path, NULL, 0, err, sizeof(err));
	if (inv)
		check(inv);
	else
		CHECK(strncmp(err, path, strlen(path)) == 0);
	wc_inventory_free(inv);
	close(fd);
	return 0;
}
