/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target over the ATT client's response handling (plugin/att.c).
 *
 * The input is a list of server PDUs, each prefixed by its length byte.
 * They are queued on a socketpair(AF_UNIX, SOCK_SEQPACKET) before the
 * client runs a fixed session (MTU exchange, service walk, characteristic
 * discovery, CCCD search, read, write, wait) with deadlines of "now": the
 * client sees exactly the queued PDUs and never waits.  Whatever the peer
 * says, the client must not crash, must keep its own invariants (MTU in
 * 23..517, counts within the arrays) and, once dead, must stay dead. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "att.h"
#include "clock.h"

static void on_att_notify(void *user, uint16_t handle, const uint8_t *value,
		      size_t len)
{
	size_t *total = user;

	(void)handle;
	if (len)
		CHECK(value != NULL);
	*total += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_service sv[8];
	struct att_char ch[8];
	struct att_uuid fff0 = att_uuid16(0xFFF0);
	uint8_t buf[600];
	size_t off = 0, n = 0, total = 0;
	uint16_t mtu = 0, s = 0, e = 0, h = 0;
	struct att *a;
	int sv_fd[2];
	bool was_dead = false;
	enum wc_err rc;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv_fd) != 0)
		return 0;
	while (off < size) {
		size_t len = data[off++];

		if (len == 0 || len > size - off)
			break;
		if (send(sv_fd[1], data + off, len, MSG_DONTWAIT) < 0)
			break;
		off += len;
	}
	a = att_new(sv_fd[0]);
	if (!a)
		goto out;
	att_set_notify_cb(a, on_att_notify, &total);

#define STEP(call)                                                   \
	do {                                                         \
		rc = (call);                                         \
		CHECK(att_mtu(a) >= 23 && att_mtu(a) <= 517);        \
		if (was_dead)                                        \
			CHECK(rc == WC_E_CLOSED || rc == WC_E_ARG);  \
		was_dead = !att_alive(a);                            \
	} while (0)

	STEP(att_exchange_mtu(a, 247, &mtu, wc_now_ms(), NULL));
	STEP(att_discover_services(a, sv, 8, &n, wc_now_ms(), NULL));
	CHECK(n <= 8);
	STEP(att_find_primary(a, &fff0, &s, &e, wc_now_ms(), NULL));
	STEP(att_discover_chars(a, 1, 0xFFFF, ch, 8, &n, wc_now_ms(), NULL));
	CHECK(n <= 8);
	STEP(att_find_cccd(a, 1, 0xFFFF, &h, wc_now_ms(), NULL));
	STEP(att_read(a, 3, buf, sizeof(buf), &n, wc_now_ms(), NULL));
	if (rc == WC_OK)
		CHECK(n < att_mtu(a));
	STEP(att_write_req(a, 3, buf, 4, wc_now_ms(), NULL));
	STEP(att_write_cmd(a, 3, buf, 4, NULL));
	STEP(att_wait(a, wc_now_ms(), NULL));
	att_free(a);
out:
	close(sv_fd[0]);
	close(sv_fd[1]);
	return 0;
}
