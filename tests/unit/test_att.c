/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/att.[ch]: scripted PDU conversations over
 * socketpair(AF_UNIX, SOCK_SEQPACKET), BlueZ unit/test-gatt.c style.
 *
 * A peer thread plays the server.  Its script is a list of steps: EXPECT
 * reads one PDU from the client and compares it byte for byte, SEND writes
 * one, CLOSE hangs up.  The thread records the first mismatch; the test
 * joins it and asserts (cmocka asserts stay on the main thread).  Every
 * wait of the peer is bounded by PEER_WAIT_MS. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "att.h"
#include "clock.h"
#include "uuid_text.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PEER_WAIT_MS 2000
#define STEP_MAX 96
#define DEADLINE_MS 2000

enum step_kind { S_EXPECT, S_SEND, S_CLOSE };

struct step {
	enum step_kind kind;
	uint8_t b[STEP_MAX];
	size_t len;
};

#define BYTES(...) { __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
#define EXPECT(...) { S_EXPECT, BYTES(__VA_ARGS__) }
#define SEND(...) { S_SEND, BYTES(__VA_ARGS__) }
#define CLOSE() { S_CLOSE, { 0 }, 0 }

struct peer {
	int fd;
	const struct step *steps;
	size_t n;
	pthread_t th;
	bool failed;
	char why[512];
};

struct ctx {
	int cfd, sfd;
	struct att *att;
	struct peer peer;
	bool peer_running;
	/* notifications seen by the callback */
	unsigned n_notify;
	uint16_t last_handle;
	uint8_t last_value[STEP_MAX];
	size_t last_len;
};


/* How late a deadline may be met: 100 ms, or what the runner allows for a
 * slow harness (valgrind sets WC_TEST_TIME_SLACK_MS). */
static uint64_t slack_ms(void)
{
	const char *e = getenv("WC_TEST_TIME_SLACK_MS");

	return e ? strtoull(e, NULL, 10) : 100;
}

static void hex(char *out, size_t cap, const uint8_t *p, size_t n)
{
	size_t i, off = 0;

	out[0] = '\0';
	for (i = 0; i < n && off + 4 < cap; i++)
		off += (size_t)snprintf(out + off, cap - off, "%02x ", p[i]);
}

static void *peer_main(void *arg)
{
	struct peer *p = arg;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct step *s = &p->steps[i];
		struct pollfd pf = { .fd = p->fd, .events = POLLIN };
		uint8_t buf[1024];
		char got[200], want[200];
		ssize_t n;

		switch (s->kind) {
		case S_EXPECT:
			if (poll(&pf, 1, PEER_WAIT_MS) != 1) {
				snprintf(p->why, sizeof(p->why),
					 "step %zu: no PDU from the client", i);
				p->failed = true;
				return NULL;
			}
			n = recv(p->fd, buf, sizeof(buf), 0);
			if (n < 0 || (size_t)n != s->len ||
			    memcmp(buf, s->b, s->len) != 0) {
				hex(got, sizeof(got), buf, n > 0 ? (size_t)n : 0);
				hex(want, sizeof(want), s->b, s->len);
				snprintf(p->why, sizeof(p->why),
					 "step %zu: client sent [%s], script "
					 "expects [%s]", i, got, want);
				p->failed = true;
				return NULL;
			}
			break;
		case S_SEND:
			if (send(p->fd, s->b, s->len, MSG_NOSIGNAL) !=
			    (ssize_t)s->len) {
				snprintf(p->why, sizeof(p->why),
					 "step %zu: send: %s", i,
					 strerror(errno));
				p->failed = true;
				return NULL;
			}
			break;
		case S_CLOSE:
			shutdown(p->fd, SHUT_RDWR);
			return NULL;
		default:
			break;
		}
	}
	return NULL;
}

static void on_att_notify(void *user, uint16_t handle, const uint8_t *value,
		      size_t len)
{
	struct ctx *c = user;

	c->n_notify++;
	c->last_handle = handle;
	c->last_len = len < sizeof(c->last_value) ? len : sizeof(c->last_value);
	memcpy(c->last_value, value, c->last_len);
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	int sv[2];

	assert_non_null(c);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	c->cfd = sv[0];
	c->sfd = sv[1];
	c->att = att_new(c->cfd);
	assert_non_null(c->att);
	att_set_notify_cb(c->att, on_att_notify, c);
	*state = c;
	return 0;
}

static void peer_start(struct ctx *c, const struct step *steps, size_t n)
{
	c->peer.fd = c->sfd;
	c->peer.steps = steps;
	c->peer.n = n;
	c->peer.failed = false;
	assert_int_equal(pthread_create(&c->peer.th, NULL, peer_main, &c->peer),
			 0);
	c->peer_running = true;
}

/* join the peer; fail with its reason if the script was not followed */
static void peer_done(struct ctx *c)
{
	assert_true(c->peer_running);
	pthread_join(c->peer.th, NULL);
	c->peer_running = false;
	if (c->peer.failed)
		fail_msg("peer: %s", c->peer.why);
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	if (c->peer_running) {
		shutdown(c->cfd, SHUT_RDWR); /* unblocks the peer */
		pthread_join(c->peer.th, NULL);
	}
	att_free(c->att);
	close(c->cfd);
	close(c->sfd);
	free(c);
	return 0;
}

#define RUN(c, script) peer_start((c), (script), ARRAY_LEN(script))

static uint64_t dl(void)
{
	return wc_deadline_in(DEADLINE_MS);
}

/* ---- the GATT database of doc/PROTOCOL.md §2.1 ------------------------------
 *   0x0001-0x0007 1800 GAP
 *   0x0008-0x000B 1801 GATT
 *   0x000C-0x0013 FFF0: 0x000D FFF1 (read|notify) value 0x000E, CCCD 0x000F
 *                       0x0010 FFF2 (read|write-nr|write) value 0x0011
 *                       0x0012 FFFA (read|write-nr|write) value 0x0013
 *   0x0014-0x0020 02f00000-0000-0000-0000-00000000fe00 (Telink vendor)
 *                       0x0015 FF00-like 128-bit characteristic, value 0x0016
 */
#define GROUP_REQ(lo, hi) EXPECT(0x10, lo, hi, 0xFF, 0xFF, 0x00, 0x28)
#define GROUP_RSP_16                                                        \
	SEND(0x11, 0x06, 0x01, 0x00, 0x07, 0x00, 0x00, 0x18, 0x08, 0x00,   \
	     0x0B, 0x00, 0x01, 0x18, 0x0C, 0x00, 0x13, 0x00, 0xF0, 0xFF)
/* 02f00000-0000-0000-0000-00000000fe00 little-endian */
#define VENDOR_LE                                                           \
	0x00, 0xFE, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,   \
		0x00, 0x00, 0x00, 0xF0, 0x02
#define GROUP_RSP_128 SEND(0x11, 0x14, 0x14, 0x00, 0x20, 0x00, VENDOR_LE)
#define NOT_FOUND(op, lo, hi) SEND(0x01, op, lo, hi, 0x0A)

/* ---- MTU ---------------------------------------------------------------- */

static void mtu_case(void **state, uint8_t lo, uint8_t hi, uint16_t want)
{
	struct ctx *c = *state;
	const struct step script[] = {
		EXPECT(0x02, 0xF7, 0x00),
		SEND(0x03, lo, hi),
	};
	uint16_t mtu = 0;
	struct wc_diag d;

	RUN(c, script);
	assert_int_equal(att_mtu(c->att), 23);
	assert_int_equal(att_exchange_mtu(c->att, 247, &mtu, dl(), &d), WC_OK);
	peer_done(c);
	assert_int_equal(mtu, want);
	assert_int_equal(att_mtu(c->att), want);
	assert_int_equal(att_round_trips(c->att), 1);
}

static void test_mtu_247(void **state)
{
	mtu_case(state, 0xF7, 0x00, 247);
}

static void test_mtu_23(void **state)
{
	mtu_case(state, 0x17, 0x00, 23);
}

static void test_mtu_server_bigger(void **state)
{
	mtu_case(state, 0x00, 0x02, 247); /* server 512: ours is the limit */
}

static void test_mtu_server_below_23(void **state)
{
	mtu_case(state, 0x10, 0x00, 23); /* broken server: keep 23 */
}

static void test_mtu_not_supported(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = {
		EXPECT(0x02, 0xF7, 0x00),
		SEND(0x01, 0x02, 0x00, 0x00, 0x06),
	};
	uint16_t mtu = 0;

	RUN(c, script);
	assert_int_equal(att_exchange_mtu(c->att, 247, &mtu, dl(), NULL),
			 WC_OK);
	peer_done(c);
	assert_int_equal(mtu, 23);
	assert_true(att_alive(c->att));
}

/* After MTU 247, a 74-byte notification (a whole 71-byte frame) passes. */
static void test_mtu_large_notification(void **state)
{
	struct ctx *c = *state;
	struct step script[3] = {
		EXPECT(0x02, 0xF7, 0x00),
		SEND(0x03, 0xF7, 0x00),
		{ S_SEND, { 0x1B, 0x0E, 0x00 }, 74 },
	};
	size_t i;

	for (i = 3; i < 74; i++)
		script[2].b[i] = (uint8_t)i;
	RUN(c, script);
	assert_int_equal(att_exchange_mtu(c->att, 247, NULL, dl(), NULL),
			 WC_OK);
	assert_int_equal(att_wait(c->att, dl(), NULL), WC_OK);
	peer_done(c);
	assert_int_equal(c->n_notify, 1);
	assert_int_equal(c->last_len, 71);
	assert_memory_equal(c->last_value, script[2].b + 3, 71);
}

/* ---- discovery ---------------------------------------------------------- */

static void test_find_primary_16(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = { GROUP_REQ(0x01, 0x00), GROUP_RSP_16 };
	struct att_uuid fff0 = att_uuid16(0xFFF0);
	uint16_t s = 0, e = 0;

	RUN(c, script);
	assert_int_equal(att_find_primary(c->att, &fff0, &s, &e, dl(), NULL),
			 WC_OK);
	peer_done(c);
	assert_int_equal(s, 0x000C);
	assert_int_equal(e, 0x0013);
	assert_int_equal(att_round_trips(c->att), 1); /* stopped early */
}

static void test_find_primary_128(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = {
		GROUP_REQ(0x01, 0x00), GROUP_RSP_16,
		GROUP_REQ(0x14, 0x00), GROUP_RSP_128,
	};
	struct att_uuid vendor;
	uint16_t s = 0, e = 0;

	assert_true(uuid_parse("02f00000-0000-0000-0000-00000000FE00",
				   &vendor));
	RUN(c, script);
	assert_int_equal(att_find_primary(c->att, &vendor, &s, &e, dl(), NULL),
			 WC_OK);
	peer_done(c);
	assert_int_equal(s, 0x0014);
	assert_int_equal(e, 0x0020);
	assert_int_equal(att_round_trips(c->att), 2);
}

static const struct step full_walk[] = {
	GROUP_REQ(0x01, 0x00), GROUP_RSP_16,
	GROUP_REQ(0x14, 0x00), GROUP_RSP_128,
	GROUP_REQ(0x21, 0x00), NOT_FOUND(0x10, 0x21, 0x00),
};

static void test_discover_services_mixed(void **state)
{
	struct ctx *c = *state;
	static const char *const want[] = {
		"00001800-0000-1000-8000-00805f9b34fb",
		"00001801-0000-1000-8000-00805f9b34fb",
		"0000fff0-0000-1000-8000-00805f9b34fb",
		"02f00000-0000-0000-0000-00000000fe00",
	};
	static const uint16_t ranges[][2] = {
		{ 0x01, 0x07 }, { 0x08, 0x0B }, { 0x0C, 0x13 }, { 0x14, 0x20 },
	};
	struct att_service sv[8];
	char buf[40];
	size_t n = 0, i;
	struct wc_diag d = { WC_E_ARG, 7, 7 };

	RUN(c, full_walk);
	assert_int_equal(att_discover_services(c->att, sv, ARRAY_LEN(sv), &n,
					       dl(), &d),
			 WC_OK);
	peer_done(c);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		assert_string_equal(uuid_format(&sv[i].uuid, buf,
						    sizeof(buf)),
				    want[i]);
		assert_int_equal(sv[i].start, ranges[i][0]);
		assert_int_equal(sv[i].end, ranges[i][1]);
	}
	assert_int_equal(att_round_trips(c->att), 3);
	assert_true(att_alive(c->att));
}

static void test_discover_services_nospace(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = { GROUP_REQ(0x01, 0x00), GROUP_RSP_16 };
	struct att_service sv[2];
	size_t n = 0;
	struct wc_diag d;

	RUN(c, script);
	assert_int_equal(att_discover_services(c->att, sv, ARRAY_LEN(sv), &n,
					       dl(), &d),
			 WC_E_NOSPACE);
	peer_done(c);
	assert_int_equal(n, 2);
	assert_int_equal(d.code, WC_E_NOSPACE);
}

static void test_find_primary_missing(void **state)
{
	struct ctx *c = *state;
	struct att_uuid ffe0 = att_uuid16(0xFFE0);
	uint16_t s = 0, e = 0;
	struct wc_diag d;

	RUN(c, full_walk);
	assert_int_equal(att_find_primary(c->att, &ffe0, &s, &e, dl(), &d),
			 WC_E_NOT_FOUND);
	peer_done(c);
	assert_int_equal(d.code, WC_E_NOT_FOUND);
	assert_true(att_alive(c->att));
}

static void test_discover_chars(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = {
		EXPECT(0x08, 0x0C, 0x00, 0x13, 0x00, 0x03, 0x28),
		SEND(0x09, 0x07,
		     0x0D, 0x00, 0x12, 0x0E, 0x00, 0xF1, 0xFF,
		     0x10, 0x00, 0x0E, 0x11, 0x00, 0xF2, 0xFF,
		     0x12, 0x00, 0x0E, 0x13, 0x00, 0xFA, 0xFF),
		/* FFFA's value is the range's last handle: no room for
		 * another characteristic, so no second request. */
	};
	static const struct {
		uint16_t decl, value, end, uuid;
		uint8_t props;
	} want[] = {
		{ 0x0D, 0x0E, 0x0F, 0xFFF1, ATT_PROP_READ | ATT_PROP_NOTIFY },
		{ 0x10, 0x11, 0x11, 0xFFF2,
		  ATT_PROP_READ | ATT_PROP_WRITE_NR | ATT_PROP_WRITE },
		{ 0x12, 0x13, 0x13, 0xFFFA,
		  ATT_PROP_READ | ATT_PROP_WRITE_NR | ATT_PROP_WRITE },
	};
	struct att_char ch[8];
	size_t n = 0, i;

	RUN(c, script);
	assert_int_equal(att_discover_chars(c->att, 0x0C, 0x13, ch,
					    ARRAY_LEN(ch), &n, dl(), NULL),
			 WC_OK);
	peer_done(c);
	assert_int_equal(n, ARRAY_LEN(want));
	for (i = 0; i < n; i++) {
		uint16_t u = 0;

		assert_int_equal(ch[i].decl_handle, want[i].decl);
		assert_int_equal(ch[i].value_handle, want[i].value);
		assert_int_equal(ch[i].end_handle, want[i].end);
		assert_int_equal(ch[i].props, want[i].props);
		assert_true(att_uuid_to16(&ch[i].uuid, &u));
		assert_int_equal(u, want[i].uuid);
	}
	assert_int_equal(att_round_trips(c->att), 1);
}

static void test_discover_chars_128(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = {
		EXPECT(0x08, 0x14, 0x00, 0x20, 0x00, 0x03, 0x28),
		SEND(0x09, 0x15, 0x15, 0x00, 0x0A, 0x16, 0x00, VENDOR_LE),
		EXPECT(0x08, 0x16, 0x00, 0x20, 0x00, 0x03, 0x28),
		NOT_FOUND(0x08, 0x16, 0x00),
	};
	struct att_char ch[2];
	char buf[40];
	size_t n = 0;

	RUN(c, script);
	assert_int_equal(att_discover_chars(c->att, 0x14, 0x20, ch,
					    ARRAY_LEN(ch), &n, dl(), NULL),
			 WC_OK);
	peer_done(c);
	assert_int_equal(n, 1);
	assert_int_equal(ch[0].value_handle, 0x16);
	assert_int_equal(ch[0].end_handle, 0x20);
	assert_false(att_uuid_to16(&ch[0].uuid, NULL));
	assert_string_equal(uuid_format(&ch[0].uuid, buf, sizeof(buf)),
			    "02f00000-0000-0000-0000-00000000fe00");
}

static void test_find_cccd(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = {
		/* 0x000E..0x0013: the value first, then the CCCD */
		EXPECT(0x04, 0x0E, 0x00, 0x13, 0x00),
		SEND(0x05, 0x01, 0x0E, 0x00, 0xF1, 0xFF, 0x0F, 0x00, 0x02,
		     0x29),
		EXPECT(0x04, 0x0F, 0x00, 0x0F, 0x00),
		SEND(0x05, 0x01, 0x0F, 0x00, 0x02, 0x29),
		/* FFF2 has no CCCD */
		EXPECT(0x04, 0x11, 0x00, 0x11, 0x00),
		NOT_FOUND(0x04, 0x11, 0x00),
	};
	uint16_t h = 0;
	struct wc_diag d;

	RUN(c, script);
	assert_int_equal(att_find_cccd(c->att, 0x0E, 0x13, &h, dl(), NULL),
			 WC_OK);
	assert_int_equal(h, 0x0F);
	h = 0;
	assert_int_equal(att_find_cccd(c->att, 0x0F, 0x0F, &h, dl(), NULL),
			 WC_OK);
	assert_int_equal(h, 0x0F);
	assert_int_equal(att_find_cccd(c->att, 0x11, 0x11, &h, dl(), &d),
			 WC_E_NOT_FOUND);
	peer_done(c);
	assert_int_equal(att_round_trips(c->att), 3);
	assert_true(att_alive(c->att));
}

/* ---- read and write ----------------------------------------------------- */

static void test_read(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = {
		EXPECT(0x0A, 0x13, 0x00),
		SEND(0x0B, 0x01),
		EXPECT(0x0A, 0x13, 0x00),
		SEND(0x0B, 0x48, 0x4F, 0x50, 0x45, 0x52, 0x46),
	};
	uint8_t buf[8];
	size_t len = 0;
	struct wc_diag d;

	RUN(c, script);
	assert_int_equal(att_read(c->att, 0x13, buf, sizeof(buf), &len, dl(),
				  NULL),
			 WC_OK);
	assert_int_equal(len, 1);
	assert_int_equal(buf[0], 0x01);
	/* "HOPERF" does not fit in 4 bytes: reported, not truncated */
	assert_int_equal(att_read(c->att, 0x13, buf, 4, &len, dl(), &d),
			 WC_E_NOSPACE);
	assert_int_equal(d.a, 6);
	assert_int_equal(d.b, 4);
	peer_done(c);
	assert_true(att_alive(c->att));
}

static void test_write_req(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = {
		EXPECT(0x12, 0x13, 0x00, 'H', 'i', 'L', 'i', 'n', 'k'),
		SEND(0x13),
	};
	static const uint8_t hilink[] = { 'H', 'i', 'L', 'i', 'n', 'k' };

	RUN(c, script);
	assert_int_equal(att_write_req(c->att, 0x13, hilink, sizeof(hilink),
				       dl(), NULL),
			 WC_OK);
	peer_done(c);
	assert_int_equal(att_round_trips(c->att), 1);
}

static void test_write_cmd(void **state)
{
	struct ctx *c = *state;
	/* the 0x8C read request of doc/PROTOCOL.md §5.1, head 7E */
	const struct step script[] = {
		EXPECT(0x52, 0x11, 0x00, 0x7E, 0x00, 0x01, 0x03, 0x00, 0x8C,
		       0x00, 0x00, 0x99, 0x5F, 0x0D),
	};
	static const uint8_t frame[] = { 0x7E, 0x00, 0x01, 0x03, 0x00, 0x8C,
					 0x00, 0x00, 0x99, 0x5F, 0x0D };

	RUN(c, script);
	assert_int_equal(att_write_cmd(c->att, 0x11, frame, sizeof(frame),
				       NULL),
			 WC_OK);
	peer_done(c);
	assert_int_equal(att_round_trips(c->att), 0); /* no answer awaited */
}

static void test_notify_during_write(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = {
		EXPECT(0x12, 0x11, 0x00, 0x01, 0x02),
		SEND(0x1B, 0x0E, 0x00, 0x7E, 0x00, 0x01, 0x03),
		SEND(0x13),
	};
	static const uint8_t data[] = { 0x01, 0x02 };
	static const uint8_t value[] = { 0x7E, 0x00, 0x01, 0x03 };

	RUN(c, script);
	assert_int_equal(att_write_req(c->att, 0x11, data, sizeof(data), dl(),
				       NULL),
			 WC_OK);
	peer_done(c);
	assert_int_equal(c->n_notify, 1);
	assert_int_equal(c->last_handle, 0x0E);
	assert_int_equal(c->last_len, sizeof(value));
	assert_memory_equal(c->last_value, value, sizeof(value));
	assert_int_equal(att_round_trips(c->att), 1);
}

static void test_indication_confirmed(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = {
		SEND(0x1D, 0x0E, 0x00, 0xAA, 0xBB),
		EXPECT(0x1E),
	};

	RUN(c, script);
	assert_int_equal(att_wait(c->att, dl(), NULL), WC_OK);
	peer_done(c);
	assert_int_equal(c->n_notify, 1);
	assert_int_equal(c->last_len, 2);
	assert_int_equal(c->last_value[0], 0xAA);
	assert_int_equal(att_round_trips(c->att), 0);
}

/* The peripheral may start the MTU exchange itself. */
static void test_peer_mtu_request(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = {
		SEND(0x02, 0xF7, 0x00),
		EXPECT(0x03, 0x05, 0x02), /* we can take 517 */
		SEND(0x0A, 0x03, 0x00),   /* a read of "our database" */
		EXPECT(0x01, 0x0A, 0x03, 0x00, 0x06),
		SEND(0x1B, 0x0E, 0x00, 0x01),
	};

	RUN(c, script);
	assert_int_equal(att_wait(c->att, dl(), NULL), WC_OK);
	peer_done(c);
	assert_int_equal(att_mtu(c->att), 247);
	assert_int_equal(c->n_notify, 1);
}

/* ---- errors ------------------------------------------------------------- */

static void test_error_response(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = {
		EXPECT(0x12, 0x13, 0x00, 0x01),
		SEND(0x01, 0x12, 0x13, 0x00, 0x03),
		EXPECT(0x0A, 0x13, 0x00),
		SEND(0x0B, 0x01),
	};
	static const uint8_t one = 0x01;
	uint8_t buf[4];
	size_t len;
	struct wc_diag d;
	char msg[128];

	RUN(c, script);
	assert_int_equal(att_write_req(c->att, 0x13, &one, 1, dl(), &d),
			 WC_E_ATT);
	assert_int_equal(d.code, WC_E_ATT);
	assert_int_equal(d.a, 0x12);
	assert_int_equal(d.b, 0x03);
	assert_string_equal(wc_diag_format(&d, msg, sizeof(msg)),
			    "ATT error response: request 0x12, error 0x03");
	assert_string_equal(att_ecode_name((uint8_t)d.b),
			    "write not permitted");
	/* an Error Response is an answer: the link carries on */
	assert_true(att_alive(c->att));
	assert_int_equal(att_read(c->att, 0x13, buf, sizeof(buf), &len, dl(),
				  NULL),
			 WC_OK);
	peer_done(c);
	assert_int_equal(att_round_trips(c->att), 2);
}

static void expect_dead(struct ctx *c)
{
	uint8_t buf[4];
	size_t len;
	uint64_t t0 = wc_now_ms();
	struct wc_diag d;

	assert_false(att_alive(c->att));
	assert_int_equal(att_read(c->att, 0x13, buf, sizeof(buf), &len,
				  wc_deadline_in(1000), &d),
			 WC_E_CLOSED);
	assert_int_equal(att_wait(c->att, wc_deadline_in(1000), NULL),
			 WC_E_CLOSED);
	assert_int_equal(att_write_cmd(c->att, 0x13, buf, 1, NULL),
			 WC_E_CLOSED);
	assert_true(wc_now_ms() - t0 < 50); /* fast, nothing waited for */
}

/* Scripts in which the peer answers the read of 0x0013 wrongly. */
static const struct {
	const char *name;
	struct step rsp;
	uint8_t opcode; /* d.a */
} bad_answers[] = {
	{ "write response to a read", SEND(0x13), 0x13 },
	{ "error response for another request",
	  SEND(0x01, 0x12, 0x13, 0x00, 0x03), 0x01 },
	{ "short error response", SEND(0x01, 0x0A, 0x13, 0x00), 0x01 },
	{ "notification of 2 bytes", SEND(0x1B, 0x0E), 0x1B },
	{ "confirmation from the server", SEND(0x1E), 0x1E },
	{ "unknown opcode", SEND(0x3F, 0x00), 0x3F },
	{ "PDU longer than the MTU",
	  SEND(0x0B, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	       17, 18, 19, 20, 21, 22, 23),
	  0x0B },
};

static void test_bad_answers(void **state)
{
	size_t i;

	teardown(state); /* each case gets a fresh pair below */
	for (i = 0; i < ARRAY_LEN(bad_answers); i++) {
		struct ctx *c;
		struct step script[2] = { EXPECT(0x0A, 0x13, 0x00) };
		uint8_t buf[32];
		size_t len;
		struct wc_diag d = { WC_OK, 0, 0 };
		enum wc_err rc;

		setup(state);
		c = *state;
		script[1] = bad_answers[i].rsp;
		RUN(c, script);
		rc = att_read(c->att, 0x13, buf, sizeof(buf), &len, dl(), &d);
		peer_done(c);
		if (rc != WC_E_PROTO || d.a != bad_answers[i].opcode) {
			print_error("case %zu (%s): rc %s, d.a 0x%02x\n", i,
				    bad_answers[i].name, wc_strerror(rc),
				    (unsigned)d.a);
			fail();
		}
		expect_dead(c);
		teardown(state);
	}
	setup(state); /* the runner's teardown wants a context */
}

/* Malformed discovery responses: bad entry lengths, handles going back. */
static const struct {
	const char *name;
	struct step req;
	struct step rsp;
	int call; /* 0 find_primary, 1 discover_chars, 2 find_cccd */
} bad_discovery[] = {
	{ "group entry length 5", GROUP_REQ(0x01, 0x00),
	  SEND(0x11, 0x05, 0x01, 0x00, 0x07, 0x00, 0x00), 0 },
	{ "group response cut mid-entry", GROUP_REQ(0x01, 0x00),
	  SEND(0x11, 0x06, 0x01, 0x00, 0x07, 0x00, 0x00, 0x18, 0x08), 0 },
	{ "group end before start", GROUP_REQ(0x01, 0x00),
	  SEND(0x11, 0x06, 0x05, 0x00, 0x04, 0x00, 0x00, 0x18), 0 },
	{ "group response of 1 byte", GROUP_REQ(0x01, 0x00), SEND(0x11), 0 },
	{ "char entry length 8",
	  EXPECT(0x08, 0x0C, 0x00, 0x13, 0x00, 0x03, 0x28),
	  SEND(0x09, 0x08, 0x0D, 0x00, 0x12, 0x0E, 0x00, 0xF1, 0xFF, 0x00), 1 },
	{ "char outside the range",
	  EXPECT(0x08, 0x0C, 0x00, 0x13, 0x00, 0x03, 0x28),
	  SEND(0x09, 0x07, 0x30, 0x00, 0x12, 0x31, 0x00, 0xF1, 0xFF), 1 },
	{ "char value before its declaration",
	  EXPECT(0x08, 0x0C, 0x00, 0x13, 0x00, 0x03, 0x28),
	  SEND(0x09, 0x07, 0x0D, 0x00, 0x12, 0x0C, 0x00, 0xF1, 0xFF), 1 },
	{ "find info format 3", EXPECT(0x04, 0x0E, 0x00, 0x13, 0x00),
	  SEND(0x05, 0x03, 0x0F, 0x00, 0x02, 0x29), 2 },
	{ "find info handles going back", EXPECT(0x04, 0x0E, 0x00, 0x13, 0x00),
	  SEND(0x05, 0x01, 0x10, 0x00, 0xF1, 0xFF, 0x0F, 0x00, 0x02, 0x29), 2 },
};

static void test_bad_discovery(void **state)
{
	size_t i;

	teardown(state);
	for (i = 0; i < ARRAY_LEN(bad_discovery); i++) {
		struct ctx *c;
		struct step script[2];
		struct att_uuid fff0 = att_uuid16(0xFFF0);
		struct att_char ch[4];
		uint16_t s, e;
		size_t n;
		struct wc_diag d = { WC_OK, 0, 0 };
		enum wc_err rc = WC_OK;

		setup(state);
		c = *state;
		script[0] = bad_discovery[i].req;
		script[1] = bad_discovery[i].rsp;
		RUN(c, script);
		switch (bad_discovery[i].call) {
		case 0:
			rc = att_find_primary(c->att, &fff0, &s, &e, dl(), &d);
			break;
		case 1:
			rc = att_discover_chars(c->att, 0x0C, 0x13, ch,
						ARRAY_LEN(ch), &n, dl(), &d);
			break;
		default:
			rc = att_find_cccd(c->att, 0x0E, 0x13, &s, dl(), &d);
			break;
		}
		peer_done(c);
		if (rc != WC_E_PROTO || d.code != WC_E_PROTO) {
			print_error("case %zu (%s): rc %s\n", i,
				    bad_discovery[i].name, wc_strerror(rc));
			fail();
		}
		expect_dead(c);
		teardown(state);
	}
	setup(state);
}

static void test_peer_closes(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = { EXPECT(0x0A, 0x13, 0x00), CLOSE() };
	uint8_t buf[4];
	size_t len;
	struct wc_diag d;

	RUN(c, script);
	assert_int_equal(att_read(c->att, 0x13, buf, sizeof(buf), &len, dl(),
				  &d),
			 WC_E_CLOSED);
	peer_done(c);
	expect_dead(c);
}

static void test_silent_peer(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = { EXPECT(0x0A, 0x13, 0x00) };
	uint8_t buf[4];
	size_t len;
	struct wc_diag d;
	uint64_t t0 = wc_now_ms(), deadline = t0 + 200, t1;

	RUN(c, script);
	assert_int_equal(att_read(c->att, 0x13, buf, sizeof(buf), &len,
				  deadline, &d),
			 WC_E_TIMEOUT);
	t1 = wc_now_ms();
	peer_done(c);
	assert_true(t1 >= deadline);
	assert_true(t1 <= deadline + slack_ms());
	/* ms waited, in the diag (counted from att's own start, just after t0) */
	assert_true(d.a + slack_ms() >= 200 && d.a <= 200 + slack_ms());
	/* a request that timed out ends the bearer (ATT transaction rule) */
	expect_dead(c);
}

static void test_wait_timeout_keeps_link(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = {
		EXPECT(0x0A, 0x13, 0x00),
		SEND(0x0B, 0x01),
	};
	uint64_t deadline = wc_now_ms() + 100;
	uint8_t buf[4];
	size_t len;

	assert_int_equal(att_wait(c->att, deadline, NULL), WC_E_TIMEOUT);
	assert_true(wc_now_ms() <= deadline + slack_ms());
	assert_true(att_alive(c->att));
	RUN(c, script);
	assert_int_equal(att_read(c->att, 0x13, buf, sizeof(buf), &len, dl(),
				  NULL),
			 WC_OK);
	peer_done(c);
}

static void test_wait_unsolicited_response(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = { SEND(0x0B, 0x01) };
	struct wc_diag d;

	RUN(c, script);
	assert_int_equal(att_wait(c->att, dl(), &d), WC_E_PROTO);
	peer_done(c);
	assert_int_equal(d.a, 0x0B);
	expect_dead(c);
}

static void test_outgoing_too_long(void **state)
{
	struct ctx *c = *state;
	uint8_t data[21] = { 0 }; /* 3 + 21 > 23 */
	struct pollfd p = { .fd = c->sfd, .events = POLLIN };
	struct wc_diag d;

	assert_int_equal(att_write_req(c->att, 0x11, data, sizeof(data), dl(),
				       &d),
			 WC_E_ARG);
	assert_int_equal(d.a, 24);
	assert_int_equal(d.b, 23);
	assert_int_equal(att_write_cmd(c->att, 0x11, data, sizeof(data), &d),
			 WC_E_ARG);
	assert_int_equal(poll(&p, 1, 0), 0); /* nothing was sent */
	assert_true(att_alive(c->att));
	/* 20 bytes fit exactly */
	{
		struct step script[1] = { { S_EXPECT, { 0x52, 0x11, 0x00 }, 23 } };

		RUN(c, script);
		assert_int_equal(att_write_cmd(c->att, 0x11, data, 20, NULL),
				 WC_OK);
		peer_done(c);
	}
}

/* A callback may not start a request on the att that is calling it. */
static void nested_cb(void *user, uint16_t handle, const uint8_t *value,
		      size_t len)
{
	struct ctx *c = user;
	uint8_t buf[4] = { 0 };
	size_t n;

	(void)handle;
	(void)value;
	(void)len;
	c->n_notify++;
	c->last_len = att_read(c->att, 0x13, buf, sizeof(buf), &n, dl(),
			       NULL) == WC_E_ARG;
	/* a command is fine */
	c->last_handle = att_write_cmd(c->att, 0x11, buf, 1, NULL) == WC_OK;
}

static void test_callback_nesting(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = {
		SEND(0x1B, 0x0E, 0x00, 0x01),
		EXPECT(0x52, 0x11, 0x00, 0x00),
	};

	att_set_notify_cb(c->att, nested_cb, c);
	memset(c->last_value, 0, sizeof(c->last_value));
	RUN(c, script);
	assert_int_equal(att_wait(c->att, dl(), NULL), WC_OK);
	peer_done(c);
	assert_int_equal(c->n_notify, 1);
	assert_int_equal(c->last_len, 1);    /* nested request refused */
	assert_int_equal(c->last_handle, 1); /* command sent */
}

static void test_round_trips(void **state)
{
	struct ctx *c = *state;
	const struct step script[] = {
		EXPECT(0x02, 0xF7, 0x00), SEND(0x03, 0xF7, 0x00),
		EXPECT(0x52, 0x11, 0x00, 0x01),
		SEND(0x1B, 0x0E, 0x00, 0x01),
		EXPECT(0x0A, 0x13, 0x00), SEND(0x01, 0x0A, 0x13, 0x00, 0x02),
		EXPECT(0x12, 0x0F, 0x00, 0x01, 0x00), SEND(0x13),
	};
	static const uint8_t on[] = { 0x01, 0x00 };
	uint8_t buf[4];
	size_t len;

	RUN(c, script);
	assert_int_equal(att_exchange_mtu(c->att, 247, NULL, dl(), NULL), WC_OK);
	assert_int_equal(att_round_trips(c->att), 1);
	assert_int_equal(att_write_cmd(c->att, 0x11, on, 1, NULL), WC_OK);
	assert_int_equal(att_wait(c->att, dl(), NULL), WC_OK);
	assert_int_equal(att_round_trips(c->att), 1);
	att_reset_round_trips(c->att);
	assert_int_equal(att_round_trips(c->att), 0);
	assert_int_equal(att_read(c->att, 0x13, buf, sizeof(buf), &len, dl(),
				  NULL),
			 WC_E_ATT);
	assert_int_equal(att_write_req(c->att, 0x0F, on, sizeof(on), dl(),
				       NULL),
			 WC_OK);
	peer_done(c);
	assert_int_equal(att_round_trips(c->att), 2);
}

/* ---- UUIDs --------------------------------------------------- */

static void test_uuid_helpers(void **state)
{
	struct att_uuid u, v;
	uint16_t s = 0;
	char buf[40];

	(void)state;
	u = att_uuid16(0xFFF0);
	assert_string_equal(uuid_format(&u, buf, sizeof(buf)),
			    "0000fff0-0000-1000-8000-00805f9b34fb");
	assert_true(uuid_parse("0000FFF0-0000-1000-8000-00805F9B34FB", &v));
	assert_true(att_uuid_eq(&u, &v));
	assert_true(uuid_parse("fff0", &v));
	assert_true(att_uuid_eq(&u, &v));
	assert_true(att_uuid_to16(&v, &s));
	assert_int_equal(s, 0xFFF0);
	assert_false(uuid_parse("fff", &v));
	assert_false(uuid_parse("0000fff0-0000-1000-8000-00805f9b34fg", &v));
	assert_false(uuid_parse("0000fff0+0000-1000-8000-00805f9b34fb", &v));
	assert_false(uuid_parse(NULL, &v));
	assert_null(att_new(-1));
	assert_string_equal(att_ecode_name(0x0A), "attribute not found");
	assert_string_equal(att_ecode_name(0x80), "application error");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mtu_247),
		T(test_mtu_23),
		T(test_mtu_server_bigger),
		T(test_mtu_server_below_23),
		T(test_mtu_not_supported),
		T(test_mtu_large_notification),
		T(test_find_primary_16),
		T(test_find_primary_128),
		T(test_discover_services_mixed),
		T(test_discover_services_nospace),
		T(test_find_primary_missing),
		T(test_discover_chars),
		T(test_discover_chars_128),
		T(test_find_cccd),
		T(test_read),
		T(test_write_req),
		T(test_write_cmd),
		T(test_notify_during_write),
		T(test_indication_confirmed),
		T(test_peer_mtu_request),
		T(test_error_response),
		T(test_bad_answers),
		T(test_bad_discovery),
		T(test_peer_closes),
		T(test_silent_peer),
		T(test_wait_timeout_keeps_link),
		T(test_wait_unsolicited_response),
		T(test_outgoing_too_long),
		T(test_callback_nesting),
		T(test_round_trips),
		cmocka_unit_test(test_uuid_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
