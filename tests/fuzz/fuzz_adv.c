/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target over the advertising-data parser (plugin/adv.c).
 *
 * The whole input is parsed twice: as AD structures (advertising data or
 * scan response) and as the parameters of an HCI LE Meta event; every
 * report is merged into one record as the scanner does.  Record invariants
 * are checked with __builtin_trap().  Seeds: ADV-5, ADV-6 raw
 * (doc/PROTOCOL.md §14.7), a two-report LE Meta event and a three-report
 * extended one (subevent 0x0D). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "adv.h"

static void check_record(const struct wc_adv *a)
{
	size_t i;

	CHECK(a->mfr_len <= WC_ADV_MFR_MAX);
	CHECK(a->n_uuids <= WC_ADV_UUIDS_MAX);
	CHECK(memchr(a->name, '\0', sizeof(a->name)) != NULL);
	CHECK(memchr(a->address, '\0', sizeof(a->address)) != NULL);
	for (i = 0; i < a->n_uuids; i++)
		CHECK(strlen(a->uuids[i]) == WC_ADV_UUID_STRLEN - 1);
	CHECK(a->family && strcmp(a->family, wc_adv_family(a)) == 0);
	CHECK(!strcmp(a->family, "watt") || !strcmp(a->family, "jbd") ||
	      !strcmp(a->family, "unknown"));
}

static void on_report(void *user, const struct wc_adv *adv)
{
	struct wc_adv *merged = user;

	check_record(adv);
	wc_adv_merge(merged, adv);
	check_record(merged);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t bd[6] = { 0xAA, 0xC2, 0x37, 0x0D, 0x21, 0x7E };
	struct wc_adv a, merged;
	struct wc_diag d;

	wc_adv_init(&a, bd, WC_ADDR_RANDOM);
	(void)wc_adv_parse_ad(&a, data, size, &d);
	check_record(&a);

	wc_adv_init(&merged, bd, WC_ADDR_RANDOM);
	(void)wc_adv_parse_le_meta(data, size, on_report, &merged, &d);
	check_record(&merged);
	return 0;
}
