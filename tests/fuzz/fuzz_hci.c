/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target over the HCI event classification of plugin/hci_raw.c (the
 * answers read from the kernel's raw HCI socket: Command Complete and
 * Command Status for RSSI and LE scan commands) and the adapter name
 * parser ("hciN").  LE advertising reports are fuzz_adv's.
 *
 * Input: two bytes of the opcode to match (little-endian), then one
 * packet as read from the socket.  The same bytes are also parsed as an
 * adapter name (up to the first NUL).  Checks: a reply's return
 * parameters lie inside the packet's declared parameters; a parsed
 * adapter id is 0..65535 and is what the digits after "hci" say. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hci_raw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wc_hci_reply r;
	enum wc_hci_evt e;
	uint16_t opcode;
	char *name;
	int id = -1;

	if (size >= 2) {
		const uint8_t *pkt = data + 2;
		size_t len = size - 2;

		opcode = (uint16_t)(data[0] | data[1] << 8);
		memset(&r, 0xA5, sizeof(r));
		e = wc_hci_evt_match(pkt, len, opcode, &r);
		CHECK(e == WC_HCI_EVT_OTHER || e == WC_HCI_EVT_MALFORMED ||
		      e == WC_HCI_EVT_COMPLETE || e == WC_HCI_EVT_STATUS);
		if (e == WC_HCI_EVT_COMPLETE || e == WC_HCI_EVT_STATUS) {
			size_t plen = pkt[2];

			CHECK(len >= 3 + plen);
			CHECK(r.event == pkt[1]);
			CHECK((r.rparam == NULL) == (r.rlen == 0));
			if (r.rparam) {
				CHECK(r.rparam >= pkt + 3);
				CHECK(r.rparam + r.rlen <= pkt + 3 + plen);
				CHECK(r.status == r.rparam[0]);
			}
		}
		/* the same packet without a reply record */
		CHECK(wc_hci_evt_match(pkt, len, opcode, NULL) == e);
	}

	name = malloc(size + 1);
	if (!name)
		abort();
	memcpy(name, data, size);
	name[size] = '\0';
	if (wc_hci_parse_name(name, &id)) {
		CHECK(id >= 0 && id <= 0xFFFF);
		/* leading zeros are accepted: compare the values */
		CHECK(strncmp(name, "hci", 3) == 0 &&
		      strtol(name + 3, NULL, 10) == id);
	}
	free(name);
	return 0;
}
