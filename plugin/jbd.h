/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JBD ("Xiaoxiang") frames as the JBD-family WattCycles speak them over
 * FFF2 (write) / FFF1 (notify): the DISCOVER 12V 314Ah and the 314Ah
 * Super / Super Mini (names WTaHd…, no FFFA characteristic).
 *
 *   read request   DD A5 cmd 00          chk_hi chk_lo 77
 *   write request  DD 5A cmd len data    chk_hi chk_lo 77
 *   reply          DD cmd status len data chk_hi chk_lo 77
 *
 * The checksum is 0x10000 minus the byte sum of the two bytes before the
 * data (cmd/status and len) and the data, sent high byte first.  A frame
 * is len + 7 bytes; len is one byte.  Status 0 is OK.
 *
 * This project is read-only: there is a builder for read requests and
 * none for writes (restore defaults 0x0A, restart 0x0E, MOSFET 0xFB,
 * heating 0xFD are never sent).  The parser recognises write requests
 * only so that `wattcycle decode` can name them in a captured session.
 *
 * Pure: no I/O, no allocation, no globals. */
#ifndef WC_JBD_H
#define WC_JBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sample.h"
#include "wc_error.h"

#define JBD_START 0xDD
#define JBD_END 0x77
#define JBD_MARK_READ 0xA5
#define JBD_MARK_WRITE 0x5A

#define JBD_CMD_BASIC 0x03   /* basic info */
#define JBD_CMD_CELLS 0x04   /* cell voltages */
#define JBD_CMD_HW 0x05      /* hardware string */

#define JBD_HEADER_LEN 4     /* DD, cmd/mark, status/cmd, len */
#define JBD_TRAILER_LEN 3    /* chk hi, chk lo, 77 */
#define JBD_OVERHEAD (JBD_HEADER_LEN + JBD_TRAILER_LEN)
#define JBD_READ_LEN 7
#define JBD_FRAME_MAX (JBD_OVERHEAD + 255)

/* Basic info (0x03): the standard block is 23 bytes + 2 per NTC; the
 * WattCycle tail after the NTCs is 16 bytes. */
#define JBD_BASIC_FIXED 23
#define JBD_BASIC_TAIL 16
/* FET byte bits 0 and 1, the MOSFETs, are codes of the alarm table
 * (chg_on, dsg_on); the other bits are not codes. */
#define JBD_FET_HEAT 0x04    /* heater on (self-heating models; see jbd.c) */
#define JBD_FET_100MA 0x80   /* current and capacities count 100 mA(h) */
#define JBD_WARN_MASK 0x7FFF /* bit 15 is always set on the DISCOVER */
#define JBD_TEMP_ZERO 2731   /* 0.1 K: °C = (raw - 2731) / 10 */

/* Status byte of a reply. */
#define JBD_ST_OK 0x00
#define JBD_ST_UNKNOWN_CMD 0x80
#define JBD_ST_INVALID 0x81
#define JBD_ST_CHECKSUM 0x82
#define JBD_ST_PASSWORD 0x83

/* 0x10000 - sum of the n bytes, as a u16. */
uint16_t jbd_checksum(const uint8_t *p, size_t n);

/* "DD A5 cmd 00 chk chk 77" (7 bytes).  0 when cap is too small. */
size_t jbd_build_read(uint8_t *out, size_t cap, uint8_t cmd);

/* A reply "DD cmd status len data chk chk 77" (the simulator's encoder
 * and the tests use it).  0 when cap is too small or n > 255. */
size_t jbd_build_reply(uint8_t *out, size_t cap, uint8_t cmd, uint8_t status,
		       const uint8_t *data, size_t n);

enum jbd_kind {
	JBD_KIND_REPLY,
	JBD_KIND_READ,   /* DD A5 … (a request, as the client sends it) */
	JBD_KIND_WRITE,  /* DD 5A … (a write request; never sent by us) */
};

/* A validated frame; data points into the caller's buffer. */
struct jbd_frame {
	enum jbd_kind kind;
	uint8_t cmd;
	uint8_t status;    /* replies only */
	const uint8_t *data;
	uint8_t data_len;
};

/* Check one complete frame: start byte, length byte against the bytes
 * given, end byte, checksum.  The status byte is not checked here. */
enum wc_err jbd_parse_frame(const uint8_t *buf, size_t len,
			    struct jbd_frame *f, struct wc_diag *d);

/* Payload decoders into s (s->family becomes WC_FAMILY_JBD).  Basic info
 * fills pack voltage, current, power, remaining/full/design capacity,
 * cycles, SoC, MOSFETs, balancing, temperatures, codes (alarms.c) and the
 * JBD extras; cell voltages fill the cells; the hardware string becomes
 * the firmware/model string of product info. */
enum wc_err jbd_decode_basic(const uint8_t *data, size_t len,
			     struct wc_sample *s, struct wc_diag *d);
enum wc_err jbd_decode_cells(const uint8_t *data, size_t len,
			     struct wc_sample *s, struct wc_diag *d);
enum wc_err jbd_decode_hw(const uint8_t *data, size_t len,
			  struct wc_sample *s, struct wc_diag *d);

/* Validate a reply (jbd_parse_frame; a request gives WC_E_FUNCTION, a
 * non-zero status WC_E_JBD_STATUS) and decode it by its command into s.
 * *cmd_out (may be NULL) receives the command. */
enum wc_err jbd_decode(const uint8_t *buf, size_t len, struct wc_sample *s,
		       uint8_t *cmd_out, struct wc_diag *d);

/* 0x06 "clock": six BCD bytes ss mm hh dd MM yy.  hh:mm:ss run from the
 * last BMS restart; dd/MM read as a day counter that survives restarts,
 * (MM - 1) x 30 + dd (34 for 04/02); yy is kept but has no known meaning. */
struct jbd_clock {
	unsigned uptime_s;
	unsigned days;
	uint8_t yy;
};
enum wc_err jbd_decode_clock(const uint8_t *data, size_t len,
			     struct jbd_clock *c, struct wc_diag *d);

/* 0x07 log index: two u16, the index of the newest 0x08 record and the
 * ring size. */
struct jbd_log_index {
	uint16_t index;
	uint16_t size;
};
enum wc_err jbd_decode_log_index(const uint8_t *data, size_t len,
				 struct jbd_log_index *li, struct wc_diag *d);

/* The status byte in words ("unknown command"); NULL for 0x00. */
const char *jbd_status_text(uint8_t status);

/* A command's name ("basic info", "restart"), or NULL if unknown. */
const char *jbd_cmd_name(uint8_t cmd);

/* Temperature of a raw 0.1 K value with the JBD 2731 zero. */
double jbd_temp_c(uint16_t raw);

#endif
