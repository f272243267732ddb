/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of plugin/session.c, the session that lives across polls: the
 * link, the cached handles, the request head, the family and the product
 * info, driven through the `unix:` transport against a scripted peer.
 *
 * The peer is a thread that accepts on a SOCK_SEQPACKET socket in a temp
 * dir and answers from a small GATT table (FFF0 with FFF1 + CCCD, FFF2 and,
 * for WATT, FFFA); its knobs say where it deviates (a head it ignores, an
 * ATT Error Response, silence, a hang-up).  It records every PDU it gets,
 * per connection, so the tests assert what the session sent and in which
 * order: discovery only when the handles are unknown, the unlock as a
 * Write Command before the CCCD write, 0x92 once, and nothing written but
 * the unlock, the CCCD and read requests.  Every wait of the peer is
 * bounded (PEER_TICK_MS polls of a stop flag). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "jbd.h"
#include "session.h"
#include "unhex.h"
#include "watt.h"
#include "watt_vectors.h"

#define PEER_TICK_MS 20
#define LOG_MAX 256
#define PDU_MAX 600
#define VAL_MAX 32

/* The peer's attribute handles. */
#define H_SVC 0x0010
#define H_FFF1_DECL 0x0011
#define H_FFF1 0x0012
#define H_CCCD 0x0013
#define H_FFF2_DECL 0x0014
#define H_FFF2 0x0015
#define H_FFFA_DECL 0x0016
#define H_FFFA 0x0017

#define HEAD_7E 1u
#define HEAD_1E 2u

struct rec {
	int conn;           /* 1-based connection number */
	uint8_t op;
	uint16_t handle;    /* writes and reads */
	uint8_t v[VAL_MAX]; /* written value (truncated) */
	size_t vlen;
};

struct peer {
	/* knobs, set before peer_start */
	bool jbd;            /* no FFFA; JBD replies */
	unsigned heads;      /* WATT request heads answered */
	int refuse_cccd;     /* connection whose first CCCD write is refused */
	int mute_conn;       /* connection on which nothing is answered */
	int silent_conn;     /* connection on which silent_dp gets no frame */
	uint8_t silent_dp;
	int close_conn;      /* connection hung up at the write of close_dp */
	uint8_t close_dp;
	int idle_close_conn; /* connection hung up after its 0x8D frame */

	char dir[64];
	char path[128];
	int lfd;
	pthread_t th;
	atomic_bool stop;
	pthread_mutex_t mu;
	struct rec log[LOG_MAX];
	size_t n;
	int conns;
	atomic_bool open;    /* a connection is accepted and not hung up */
	bool refused;
};

/* How late a deadline may be met: 100 ms, or what the runner allows for a
 * slow harness (valgrind sets WC_TEST_TIME_SLACK_MS). */
static uint64_t slack_ms(void)
{
	const char *e = getenv("WC_TEST_TIME_SLACK_MS");

	return e ? strtoull(e, NULL, 10) : 100;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v & 0xFF);
	p[1] = (uint8_t)(v >> 8);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static void record(struct peer *pr, const uint8_t *b, size_t n)
{
	struct rec r = { .conn = pr->conns, .op = b[0] };

	if (n >= 3 && (b[0] == 0x12 || b[0] == 0x52 || b[0] == 0x0A))
		r.handle = get16(b + 1);
	if (n > 3 && (b[0] == 0x12 || b[0] == 0x52)) {
		r.vlen = n - 3 < VAL_MAX ? n - 3 : VAL_MAX;
		memcpy(r.v, b + 3, r.vlen);
	}
	pthread_mutex_lock(&pr->mu);
	if (pr->n < LOG_MAX)
		pr->log[pr->n++] = r;
	pthread_mutex_unlock(&pr->mu);
}

static void send_pdu(int fd, const uint8_t *b, size_t n)
{
	ssize_t w = send(fd, b, n, MSG_NOSIGNAL);

	(void)w; /* a client that left is the test's business, not ours */
}

static void send_err(int fd, uint8_t op, uint16_t handle, uint8_t ecode)
{
	uint8_t b[5] = { 0x01, op, 0, 0, ecode };

	put16(b + 2, handle);
	send_pdu(fd, b, sizeof(b));
}

static uint16_t svc_end(const struct peer *pr)
{
	return pr->jbd ? H_FFF2 : H_FFFA;
}

/* Characteristic declarations: declaration, properties, value, UUID. */
static const struct {
	uint16_t decl, value, uuid;
	uint8_t props;
	bool watt_only;
} chars[] = {
	{ H_FFF1_DECL, H_FFF1, 0xFFF1, 0x10, false },
	{ H_FFF2_DECL, H_FFF2, 0xFFF2, 0x0C, false },
	{ H_FFFA_DECL, H_FFFA, 0xFFFA, 0x06, true },
};

/* Every attribute's type, for Find Information. */
static const struct {
	uint16_t handle, type;
} attrs[] = {
	{ H_SVC, 0x2800 },  { H_FFF1_DECL, 0x2803 }, { H_FFF1, 0xFFF1 },
	{ H_CCCD, 0x2902 }, { H_FFF2_DECL, 0x2803 }, { H_FFF2, 0xFFF2 },
	{ H_FFFA_DECL, 0x2803 }, { H_FFFA, 0xFFFA },
};

/* The frame that answers a read request on FFF2, or 0 bytes when the
 * request is not one this battery answers.  *dp says which it was. */
static size_t reply_for(const struct peer *pr, const uint8_t *req, size_t n,
			uint8_t *out, size_t cap, uint8_t *dp)
{
	static const uint8_t watt_dps[] = { WATT_DP_ANALOG, WATT_DP_STATUS,
					    WATT_DP_PRODUCT };
	static const enum wv_resp watt_vec[] = { WV_EF2F_8C, WV_EF2F_8D,
						 WV_EF2F_92 };
	static const uint8_t heads[] = { WATT_HEAD_7E, WATT_HEAD_1E };
	uint8_t want[32];

	*dp = 0;
	if (pr->jbd) {
		/* 15S, 2 NTCs (the standard basic info of test_jbd.c) */
		static const char basic[] =
			"17 00 00 00 02 D0 03 E8 00 00 20 78 00 00 00 00 00 00 "
			"10 48 03 0F 02 0B 76 0B 82";
		static const char hw[] = "DH04SC02-200A";
		uint8_t data[64];
		size_t dn = 0;

		for (uint8_t cmd = 3; cmd <= 5; cmd++) {
			size_t wn = jbd_build_read(want, sizeof(want), cmd);

			if (wn != n || memcmp(want, req, n) != 0)
				continue;
			*dp = cmd;
			if (cmd == 3) {
				dn = unhex(basic, data, sizeof(data));
			} else if (cmd == 4) {
				for (dn = 0; dn < 30; dn += 2) { /* 3.300 V */
					data[dn] = 0x0C;
					data[dn + 1] = 0xE4;
				}
			} else {
				dn = sizeof(hw) - 1;
				memcpy(data, hw, dn);
			}
			return jbd_build_reply(out, cap, cmd, JBD_ST_OK, data, dn);
		}
		return 0;
	}
	for (size_t h = 0; h < sizeof(heads); h++) {
		for (size_t i = 0; i < sizeof(watt_dps); i++) {
			size_t wn = watt_build_read(want, sizeof(want), heads[h],
						    watt_dps[i]);

			if (wn != n || memcmp(want, req, n) != 0)
				continue;
			*dp = watt_dps[i];
			if (!(pr->heads & (h == 0 ? HEAD_7E : HEAD_1E)))
				return 0;
			return unhex(wv_resp[watt_vec[i]].hex, out, cap);
		}
	}
	return 0;
}

/* One PDU from the client.  false: hang up now. */
static bool answer(struct peer *pr, int fd, const uint8_t *b, size_t n)
{
	uint8_t r[PDU_MAX];
	size_t rn = 0;
	uint16_t s = n >= 5 ? get16(b + 1) : 0, e = n >= 5 ? get16(b + 3) : 0;

	record(pr, b, n);
	if (pr->conns == pr->mute_conn)
		return true;
	switch (b[0]) {
	case 0x02: /* Exchange MTU */
		r[0] = 0x03;
		put16(r + 1, 247);
		send_pdu(fd, r, 3);
		return true;
	case 0x10: /* Read By Group Type: the one service */
		if (s > H_SVC) {
			send_err(fd, b[0], s, 0x0A);
			return true;
		}
		r[0] = 0x11;
		r[1] = 6;
		put16(r + 2, H_SVC);
		put16(r + 4, svc_end(pr));
		put16(r + 6, 0xFFF0);
		send_pdu(fd, r, 8);
		return true;
	case 0x08: /* Read By Type: characteristic declarations */
		r[0] = 0x09;
		r[1] = 7;
		rn = 2;
		for (size_t i = 0; i < sizeof(chars) / sizeof(chars[0]); i++) {
			if (chars[i].decl < s || chars[i].decl > e ||
			    (chars[i].watt_only && pr->jbd))
				continue;
			put16(r + rn, chars[i].decl);
			r[rn + 2] = chars[i].props;
			put16(r + rn + 3, chars[i].value);
			put16(r + rn + 5, chars[i].uuid);
			rn += 7;
		}
		if (rn == 2)
			send_err(fd, b[0], s, 0x0A);
		else
			send_pdu(fd, r, rn);
		return true;
	case 0x04: /* Find Information */
		r[0] = 0x05;
		r[1] = 1;
		rn = 2;
		for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
			if (attrs[i].handle < s || attrs[i].handle > e ||
			    attrs[i].handle > svc_end(pr))
				continue;
			put16(r + rn, attrs[i].handle);
			put16(r + rn + 2, attrs[i].type);
			rn += 4;
		}
		if (rn == 2)
			send_err(fd, b[0], s, 0x0A);
		else
			send_pdu(fd, r, rn);
		return true;
	case 0x0A: /* Read: FFFA says "unlocked" */
		if (n >= 3 && get16(b + 1) == H_FFFA && !pr->jbd) {
			r[0] = 0x0B;
			r[1] = 0x01;
			send_pdu(fd, r, 2);
		} else {
			send_err(fd, b[0], n >= 3 ? get16(b + 1) : 0, 0x02);
		}
		return true;
	case 0x52: /* Write Command: no answer, whatever it is */
		return true;
	case 0x12: { /* Write Request */
		uint16_t h = n >= 3 ? get16(b + 1) : 0;
		uint8_t dp = 0;
		uint8_t frame[PDU_MAX];
		size_t fn;

		if (h == H_CCCD) {
			if (pr->conns == pr->refuse_cccd && !pr->refused) {
				pr->refused = true;
				send_err(fd, b[0], h, 0x03);
				return true;
			}
			r[0] = 0x13;
			send_pdu(fd, r, 1);
			return true;
		}
		if (h != H_FFF2) {
			send_err(fd, b[0], h, 0x03);
			return true;
		}
		fn = reply_for(pr, b + 3, n - 3, frame + 3, sizeof(frame) - 3, &dp);
		if (pr->conns == pr->close_conn && dp == pr->close_dp)
			return false;
		r[0] = 0x13;
		send_pdu(fd, r, 1);
		if (fn && !(pr->conns == pr->silent_conn && dp == pr->silent_dp)) {
			frame[0] = 0x1B;
			put16(frame + 1, H_FFF1);
			send_pdu(fd, frame, fn + 3);
		}
		return !(pr->conns == pr->idle_close_conn &&
			 dp == WATT_DP_STATUS);
	}
	default:
		send_err(fd, b[0], 0, 0x06);
		return true;
	}
}

static void serve(struct peer *pr, int fd)
{
	while (!atomic_load(&pr->stop)) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		uint8_t b[PDU_MAX];
		ssize_t n;

		if (poll(&pf, 1, PEER_TICK_MS) <= 0)
			continue;
		n = recv(fd, b, sizeof(b), 0);
		if (n <= 0)
			return;
		if (!answer(pr, fd, b, (size_t)n))
			return;
	}
}

static void *peer_main(void *arg)
{
	struct peer *pr = arg;

	while (!atomic_load(&pr->stop)) {
		struct pollfd pf = { .fd = pr->lfd, .events = POLLIN };
		int fd;

		if (poll(&pf, 1, PEER_TICK_MS) <= 0)
			continue;
		fd = accept(pr->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&pr->mu);
		pr->conns++;
		pthread_mutex_unlock(&pr->mu);
		atomic_store(&pr->open, true);
		serve(pr, fd);
		atomic_store(&pr->open, false);
		close(fd);
	}
	return NULL;
}

static int setup(void **state)
{
	struct peer *pr = calloc(1, sizeof(*pr));

	assert_non_null(pr);
	snprintf(pr->dir, sizeof(pr->dir), "/tmp/wc-test-poll.XXXXXX");
	assert_non_null(mkdtemp(pr->dir));
	snprintf(pr->path, sizeof(pr->path), "%s/b.sock", pr->dir);
	pr->heads = HEAD_7E | HEAD_1E;
	pr->lfd = -1;
	pthread_mutex_init(&pr->mu, NULL);
	*state = pr;
	return 0;
}

static int teardown(void **state)
{
	struct peer *pr = *state;

	if (pr->lfd >= 0) {
		atomic_store(&pr->stop, true);
		pthread_join(pr->th, NULL);
		close(pr->lfd);
	}
	unlink(pr->path);
	rmdir(pr->dir);
	pthread_mutex_destroy(&pr->mu);
	free(pr);
	return 0;
}

static void peer_start(struct peer *pr)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	pr->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(pr->lfd >= 0);
	assert_true(strlen(pr->path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, pr->path, strlen(pr->path) + 1);
	assert_int_equal(bind(pr->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(pr->lfd, 4), 0);
	assert_int_equal(pthread_create(&pr->th, NULL, peer_main, pr), 0);
}

static struct wc_session *session(struct peer *pr, bool keep, uint32_t timeout_ms)
{
	char addr[160];
	struct wc_session_opts o = { 0 };
	struct wc_session *p;

	snprintf(addr, sizeof(addr), "unix:%s", pr->path);
	o.name = "b1";
	o.link.address = addr; /* copied by wc_session_new */
	o.keep_connected = keep;
	o.timeout_ms = timeout_ms;
	p = wc_session_new(&o);
	assert_non_null(p);
	return p;
}

/* One poll; its wall time in *ms. */
static enum wc_err run(struct wc_session *p, struct wc_poll_result *res,
		       char *msg, size_t len, uint64_t *ms)
{
	uint64_t t0 = wc_now_ms();
	struct wc_diag d = { WC_OK, 0, 0 };
	enum wc_err e = wc_session_poll(p, res, &d, msg, len);

	if (ms)
		*ms = wc_now_ms() - t0;
	if (e != WC_OK)
		print_message("# poll: %s\n", msg);
	return e;
}

/* ---- reading the peer's record --------------------------------------- */

static struct rec rec_at(struct peer *pr, size_t i)
{
	struct rec r;

	pthread_mutex_lock(&pr->mu);
	r = pr->log[i];
	pthread_mutex_unlock(&pr->mu);
	return r;
}

static size_t rec_count(struct peer *pr)
{
	size_t n;

	pthread_mutex_lock(&pr->mu);
	n = pr->n;
	pthread_mutex_unlock(&pr->mu);
	return n;
}

/* Whether the session still holds its link, as the peer sees it: a
 * hang-up reaches the peer within a tick, so an open link is one still
 * open after a few ticks. */
static bool link_held(struct peer *pr)
{
	uint64_t until = wc_now_ms() + 10 * PEER_TICK_MS;

	while (atomic_load(&pr->open) && wc_now_ms() < until) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	return atomic_load(&pr->open);
}

static int conns(struct peer *pr)
{
	int n;

	pthread_mutex_lock(&pr->mu);
	n = pr->conns;
	pthread_mutex_unlock(&pr->mu);
	return n;
}

static bool is_request(uint8_t op)
{
	return op == 0x02 || op == 0x04 || op == 0x08 || op == 0x0A ||
	       op == 0x10 || op == 0x12;
}

/* ATT requests (those that wait for an answer) of connection c. */
static unsigned requests(struct peer *pr, int c)
{
	unsigned k = 0;

	for (size_t i = 0; i < rec_count(pr); i++) {
		struct rec r = rec_at(pr, i);

		k += r.conn == c && is_request(r.op);
	}
	return k;
}

static unsigned ops(struct peer *pr, int c, uint8_t op)
{
	unsigned k = 0;

	for (size_t i = 0; i < rec_count(pr); i++) {
		struct rec r = rec_at(pr, i);

		k += r.conn == c && r.op == op;
	}
	return k;
}

/* Index of the first record at or after from on connection c with this
 * opcode, handle and value (v NULL: any value); -1 when none. */
static long find(struct peer *pr, size_t from, int c, uint8_t op,
		 uint16_t handle, const uint8_t *v, size_t vlen)
{
	for (size_t i = from; i < rec_count(pr); i++) {
		struct rec r = rec_at(pr, i);

		if (r.conn == c && r.op == op && r.handle == handle &&
		    (!v || (r.vlen == vlen && memcmp(r.v, v, vlen) == 0)))
			return (long)i;
	}
	return -1;
}

static long find_watt_read(struct peer *pr, size_t from, int c, uint8_t head,
			   uint8_t dp)
{
	uint8_t req[32];
	size_t n = watt_build_read(req, sizeof(req), head, dp);

	return find(pr, from, c, 0x12, H_FFF2, req, n);
}

static long find_jbd_read(struct peer *pr, size_t from, int c, uint8_t cmd)
{
	uint8_t req[32];
	size_t n = jbd_build_read(req, sizeof(req), cmd);

	return find(pr, from, c, 0x12, H_FFF2, req, n);
}

static const uint8_t hilink[] = { 'H', 'i', 'L', 'i', 'n', 'k' };
static const uint8_t cccd_on[] = { 0x01, 0x00 };

/* Everything written on connection c is the unlock, the CCCD or a read
 * request of the family (read-only by construction). */
static void assert_only_reads_written(struct peer *pr, int c)
{
	for (size_t i = 0; i < rec_count(pr); i++) {
		struct rec r = rec_at(pr, i);
		uint8_t req[32];
		bool ok = false;

		if (r.conn != c || (r.op != 0x12 && r.op != 0x52))
			continue;
		if (r.op == 0x52)
			ok = r.handle == H_FFFA && r.vlen == sizeof(hilink) &&
			     memcmp(r.v, hilink, sizeof(hilink)) == 0;
		else if (r.handle == H_CCCD)
			ok = r.vlen == 2 && memcmp(r.v, cccd_on, 2) == 0;
		else if (r.handle == H_FFF2 && pr->jbd)
			for (uint8_t cmd = 3; cmd <= 5 && !ok; cmd++)
				ok = jbd_build_read(req, sizeof(req), cmd) == r.vlen &&
				     memcmp(req, r.v, r.vlen) == 0;
		else if (r.handle == H_FFF2)
			for (uint8_t dp = 0x8C; dp <= 0x92 && !ok; dp++)
				ok = (watt_build_read(req, sizeof(req), 0x7E, dp) == r.vlen &&
				      memcmp(req, r.v, r.vlen) == 0) ||
				     (watt_build_read(req, sizeof(req), 0x1E, dp) == r.vlen &&
				      memcmp(req, r.v, r.vlen) == 0);
		if (!ok)
			print_message("# write %zu: op 0x%02X to 0x%04X\n", i, r.op,
				      r.handle);
		assert_true(ok);
	}
}

/* ---- the tests --------------------------------------------------------- */

/* First poll: discovery, unlock command before the CCCD write, FFFA read
 * back, head detection on 0x92, then 0x8C and 0x8D.  Second poll (a new
 * connection): the cached handles, head and info; no discovery, no 0x92. */
static void test_first_and_later_poll(void **state)
{
	struct peer *pr = *state;
	struct wc_poll_result res;
	char msg[WC_POLL_MSG_MAX];
	struct wc_session *p;
	long unlock, readback, cccd, p92, p8c, p8d;

	peer_start(pr);
	p = session(pr, false, 3000);

	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_OK);
	assert_int_equal(conns(pr), 1);
	assert_true(res.rediscovered);
	assert_int_equal(res.head, 0x7E);
	assert_int_equal(res.family, WC_FAMILY_WATT);
	assert_int_equal(res.mtu, 247);
	assert_string_equal(res.link_kind, "unix");
	assert_int_equal(res.sample.n_cells, 4);
	assert_true(res.sample.cell_v[0] > 3.29 && res.sample.cell_v[0] < 3.30);
	assert_string_equal(res.sample.firmware, "WT12_20004SW10_L447");
	assert_int_equal(rec_at(pr, 0).op, 0x02); /* MTU first */
	assert_true(ops(pr, 1, 0x10) >= 1);
	assert_true(ops(pr, 1, 0x08) >= 1);
	assert_true(ops(pr, 1, 0x04) >= 1);
	unlock = find(pr, 0, 1, 0x52, H_FFFA, hilink, sizeof(hilink));
	readback = find(pr, 0, 1, 0x0A, H_FFFA, NULL, 0);
	cccd = find(pr, 0, 1, 0x12, H_CCCD, cccd_on, sizeof(cccd_on));
	p92 = find_watt_read(pr, 0, 1, 0x7E, WATT_DP_PRODUCT);
	p8c = find_watt_read(pr, 0, 1, 0x7E, WATT_DP_ANALOG);
	p8d = find_watt_read(pr, 0, 1, 0x7E, WATT_DP_STATUS);
	assert_true(unlock >= 0);
	assert_true(unlock < readback && readback < cccd);
	assert_true(cccd < p92 && p92 < p8c && p8c < p8d);
	assert_int_equal(ops(pr, 1, 0x52), 1);
	assert_only_reads_written(pr, 1);
	assert_int_equal(res.att_round_trips, requests(pr, 1));
	assert_false(link_held(pr));

	/* later poll: cached handles, head and info */
	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_OK);
	assert_int_equal(conns(pr), 2);
	assert_false(res.rediscovered);
	assert_int_equal(ops(pr, 2, 0x10) + ops(pr, 2, 0x08) + ops(pr, 2, 0x04), 0);
	assert_int_equal(ops(pr, 2, 0x0A), 0); /* no read-back */
	assert_true(find(pr, 0, 2, 0x52, H_FFFA, hilink, sizeof(hilink)) >= 0);
	assert_true(find_watt_read(pr, 0, 2, 0x7E, WATT_DP_PRODUCT) < 0);
	assert_true(find_watt_read(pr, 0, 2, 0x7E, WATT_DP_ANALOG) >= 0);
	assert_only_reads_written(pr, 2);
	/* MTU, CCCD, 0x8C, 0x8D */
	assert_int_equal(requests(pr, 2), 4);
	assert_int_equal(res.att_round_trips, 4);
	assert_string_equal(res.sample.firmware, "WT12_20004SW10_L447");
	assert_true(wc_has(&res.sample, WC_F_INFO));
	wc_session_free(p);
}

/* Kept connected: the second poll is 0x8C and 0x8D on the same link. */
static void test_keep_connected(void **state)
{
	struct peer *pr = *state;
	struct wc_poll_result res;
	char msg[WC_POLL_MSG_MAX];
	struct wc_session *p;

	peer_start(pr);
	p = session(pr, true, 3000);
	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_OK);
	assert_true(link_held(pr));
	size_t before = rec_count(pr);

	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_OK);
	assert_int_equal(conns(pr), 1);
	assert_int_equal(res.att_round_trips, 2);
	assert_int_equal(rec_count(pr) - before, 2);
	assert_true(find_watt_read(pr, before, 1, 0x7E, WATT_DP_ANALOG) >= 0);
	assert_true(find_watt_read(pr, before, 1, 0x7E, WATT_DP_STATUS) >= 0);
	assert_only_reads_written(pr, 1);
	wc_session_disconnect(p);
	assert_false(link_held(pr));
	wc_session_free(p);
}

/* A battery that answers head 0x1E only: 0x92 with 0x7E gets nothing, 0x1E
 * answers, and later polls use 0x1E straight away. */
static void test_head_1e(void **state)
{
	struct peer *pr = *state;
	struct wc_poll_result res;
	char msg[WC_POLL_MSG_MAX];
	struct wc_session *p;
	uint64_t ms;

	pr->heads = HEAD_1E;
	peer_start(pr);
	p = session(pr, false, 2000);
	assert_int_equal(run(p, &res, msg, sizeof(msg), &ms), WC_OK);
	assert_int_equal(res.head, 0x1E);
	assert_true(find_watt_read(pr, 0, 1, 0x7E, WATT_DP_PRODUCT) <
		    find_watt_read(pr, 0, 1, 0x1E, WATT_DP_PRODUCT));
	assert_true(find_watt_read(pr, 0, 1, 0x7E, WATT_DP_PRODUCT) >= 0);
	assert_true(ms <= 2000 + slack_ms());

	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_OK);
	assert_int_equal(res.head, 0x1E);
	assert_true(find_watt_read(pr, 0, 2, 0x1E, WATT_DP_ANALOG) >= 0);
	assert_true(find_watt_read(pr, 0, 2, 0x1E, WATT_DP_STATUS) >= 0);
	assert_true(find_watt_read(pr, 0, 2, 0x7E, WATT_DP_ANALOG) < 0);
	assert_int_equal(res.att_round_trips, 4);
	wc_session_free(p);
}

/* An ATT Error Response to the CCCD write fails the poll with its code;
 * the next poll discovers again. */
static void test_att_error(void **state)
{
	struct peer *pr = *state;
	struct wc_poll_result res;
	char msg[WC_POLL_MSG_MAX];
	struct wc_diag d = { WC_OK, 0, 0 };
	struct wc_session *p;

	pr->refuse_cccd = 1;
	peer_start(pr);
	p = session(pr, false, 3000);
	assert_int_equal(wc_session_poll(p, &res, &d, msg, sizeof(msg)), WC_E_ATT);
	assert_string_equal(msg, "enabling notifications: ATT error 0x03 "
				 "(write not permitted) to request 0x12");
	assert_false(link_held(pr));

	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_OK);
	assert_true(res.rediscovered);
	assert_true(ops(pr, 2, 0x10) >= 1);
	wc_session_free(p);
}

/* Cached handles refused (firmware update?): the same poll discovers
 * again and subscribes on the new handles. */
static void test_stale_handles(void **state)
{
	struct peer *pr = *state;
	struct wc_poll_result res;
	char msg[WC_POLL_MSG_MAX];
	struct wc_session *p;
	long first, disc, second;

	pr->refuse_cccd = 2;
	peer_start(pr);
	p = session(pr, false, 3000);
	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_OK);
	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_OK);
	assert_true(res.rediscovered);
	first = find(pr, 0, 2, 0x12, H_CCCD, cccd_on, sizeof(cccd_on));
	disc = find(pr, (size_t)first, 2, 0x10, 0, NULL, 0);
	second = find(pr, (size_t)first + 1, 2, 0x12, H_CCCD, cccd_on,
		      sizeof(cccd_on));
	assert_true(first >= 0 && first < disc && disc < second);
	assert_int_equal(res.att_round_trips, requests(pr, 2));
	wc_session_free(p);
}

/* A battery that never answers: the poll ends by its deadline. */
static void test_silent_peer(void **state)
{
	struct peer *pr = *state;
	struct wc_poll_result res;
	char msg[WC_POLL_MSG_MAX];
	struct wc_session *p;
	uint64_t ms;

	pr->mute_conn = 1;
	peer_start(pr);
	p = session(pr, false, 500);
	assert_int_equal(run(p, &res, msg, sizeof(msg), &ms), WC_E_TIMEOUT);
	assert_true(ms <= 500 + slack_ms());
	assert_non_null(strstr(msg, "MTU exchange"));
	assert_false(link_held(pr));
	wc_session_free(p);
}

/* Silence to 0x8C on a later poll: the deadline holds, the message names
 * the request, and the next poll detects the head again. */
static void test_silent_data(void **state)
{
	struct peer *pr = *state;
	struct wc_poll_result res;
	char msg[WC_POLL_MSG_MAX];
	struct wc_session *p;
	uint64_t ms;

	pr->silent_conn = 2;
	pr->silent_dp = WATT_DP_ANALOG;
	peer_start(pr);
	p = session(pr, false, 600);
	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_OK);
	assert_int_equal(run(p, &res, msg, sizeof(msg), &ms), WC_E_TIMEOUT);
	assert_true(ms <= 600 + slack_ms());
	assert_string_equal(msg, "0x8C: no answer before the poll deadline (600 ms)");

	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_OK);
	assert_true(find_watt_read(pr, 0, 3, 0x7E, WATT_DP_PRODUCT) >= 0);
	wc_session_free(p);
}

/* The battery hangs up mid-poll: the error names the request, what was
 * read before is kept, and the next poll reconnects on the cached
 * handles. */
static void test_dropped_link(void **state)
{
	struct peer *pr = *state;
	struct wc_poll_result res;
	char msg[WC_POLL_MSG_MAX];
	struct wc_session *p;

	pr->close_conn = 1;
	pr->close_dp = WATT_DP_STATUS;
	peer_start(pr);
	p = session(pr, false, 3000);
	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_E_CLOSED);
	assert_string_equal(msg, "0x8D: the battery closed the link");
	assert_true(wc_has(&res.sample, WC_F_CELLS)); /* 0x8C got through */
	assert_false(link_held(pr));

	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_OK);
	assert_int_equal(conns(pr), 2);
	assert_false(res.rediscovered);
	wc_session_free(p);
}

/* A held link that the battery dropped between polls: the next poll
 * reconnects once within its own budget. */
static void test_held_link_dropped(void **state)
{
	struct peer *pr = *state;
	struct wc_poll_result res;
	char msg[WC_POLL_MSG_MAX];
	struct wc_session *p;

	pr->idle_close_conn = 1;
	peer_start(pr);
	p = session(pr, true, 3000);
	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_OK);
	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_OK);
	assert_int_equal(conns(pr), 2);
	assert_true(find_watt_read(pr, 0, 2, 0x7E, WATT_DP_ANALOG) >= 0);
	assert_true(link_held(pr));
	wc_session_free(p);
}

/* JBD on FFF0 without FFFA: no unlock, 0x03 and 0x04 then 0x05 once; kept
 * connected, the next poll is 0x03 and 0x04 alone. */
static void test_jbd(void **state)
{
	struct peer *pr = *state;
	struct wc_poll_result res;
	char msg[WC_POLL_MSG_MAX];
	struct wc_session *p;
	long r3, r4, r5;

	pr->jbd = true;
	peer_start(pr);
	p = session(pr, true, 3000);
	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_OK);
	assert_int_equal(res.family, WC_FAMILY_JBD);
	assert_int_equal(res.head, 0);
	assert_int_equal(res.sample.n_cells, 15);
	assert_string_equal(res.sample.firmware, "DH04SC02-200A");
	assert_int_equal(ops(pr, 1, 0x52), 0); /* no unlock */
	assert_int_equal(ops(pr, 1, 0x0A), 0);
	r3 = find_jbd_read(pr, 0, 1, 3);
	r4 = find_jbd_read(pr, 0, 1, 4);
	r5 = find_jbd_read(pr, 0, 1, 5);
	assert_true(find(pr, 0, 1, 0x12, H_CCCD, cccd_on, sizeof(cccd_on)) < r3);
	assert_true(r3 >= 0 && r3 < r4 && r4 < r5);
	assert_only_reads_written(pr, 1);
	assert_int_equal(res.att_round_trips, requests(pr, 1));
	size_t before = rec_count(pr);

	assert_int_equal(run(p, &res, msg, sizeof(msg), NULL), WC_OK);
	assert_int_equal(res.family, WC_FAMILY_JBD);
	assert_int_equal(rec_count(pr) - before, 2);
	assert_true(find_jbd_read(pr, before, 1, 3) >= 0);
	assert_true(find_jbd_read(pr, before, 1, 4) >= 0);
	assert_int_equal(res.att_round_trips, 2);
	assert_string_equal(res.sample.firmware, "DH04SC02-200A");
	wc_session_free(p);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_first_and_later_poll),
		T(test_keep_connected),
		T(test_head_1e),
		T(test_att_error),
		T(test_stale_handles),
		T(test_silent_peer),
		T(test_silent_data),
		T(test_dropped_link),
		T(test_held_link_dropped),
		T(test_jbd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
