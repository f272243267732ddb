/* SPDX-License-Identifier: GPL-2.0-or-later */
/* WATT/TDT frames (doc/PROTOCOL.md §4–§6): CRC, request builders, frame
 * validation and the decoders of 0x8C, 0x8D and 0x92.  Pure: no I/O, no
 * allocation, no globals. */
#ifndef WC_WATT_H
#define WC_WATT_H

#include <stddef.h>
#include <stdint.h>

#include "sample.h"
#include "wc_error.h"

#define WATT_HEAD_7E 0x7E      /* request head of most firmware; every response */
#define WATT_HEAD_1E 0x1E      /* request head of e.g. WT30_10004SW14_L_01 */
#define WATT_TERMINATOR 0x0D
#define WATT_ADDRESS 0x01
#define WATT_FN_READ 0x03
#define WATT_FN_WRITE 0x06
#define WATT_FN_ERROR_BIT 0x80 /* 0x86: the app's "write error" */

#define WATT_DP_CHG_MOS 0x82
#define WATT_DP_DSG_MOS 0x83
#define WATT_DP_ANALOG 0x8C
#define WATT_DP_STATUS 0x8D
#define WATT_DP_PRODUCT 0x92
#define WATT_DP_CLOCK 0x95

#define WATT_HEADER_LEN 8      /* head .. length field */
#define WATT_TRAILER_LEN 3     /* CRC hi, CRC lo, 0x0D */
#define WATT_OVERHEAD (WATT_HEADER_LEN + WATT_TRAILER_LEN)
#define WATT_READ_LEN 11
#define WATT_INFODATA_READ_LEN 18
#define WATT_INFO_DATA_LEN 60
#define WATT_ANALOG_EXT_LEN 18
/* Largest frame we accept: 0x8C for 32 cells and 32 sensors with the
 * extension is 173 bytes; the ceiling leaves room for unknown DPs while
 * keeping the reassembly buffer small and fixed. */
#define WATT_FRAME_MAX 512

/* CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF) over n bytes. */
uint16_t watt_crc16(const uint8_t *p, size_t n);

/* Append the CRC high byte first (the one difference from Modbus RTU,
 * doc/PROTOCOL.md §4.5) and the 0x0D terminator after n bytes of buf. */
void watt_put_trailer(uint8_t *buf, size_t n);

/* Build any frame: head, version, address, function, DP, data.  Returns the
 * frame length, or 0 when cap is too small or n exceeds 0xFFFF. */
size_t watt_build_frame(uint8_t *out, size_t cap, uint8_t head,
			uint8_t version, uint8_t address, uint8_t function,
			uint16_t dp, const uint8_t *data, size_t n);

/* The 11-byte read request "HH 00 01 03 00 DP 00 00 CRC CRC 0D". */
size_t watt_build_read(uint8_t *out, size_t cap, uint8_t head, uint8_t dp);

/* The app's version-4 "infoData" read of 0x8C (doc/PROTOCOL.md §4.1, 18 bytes):
 * asks for up to 32 cells and 32 sensors. */
size_t watt_build_infodata_read(uint8_t *out, size_t cap, uint8_t head);

/* The data of a 0x95 clock write (year, month 1-12, day 1-31, hour,
 * minute, second): the simulator keeps what the app would set.  The
 * plugin builds no write request; the tests that check the simulator and
 * the write guard build theirs in tests/unit/write_requests.h. */
struct watt_clock {
	uint16_t year;
	uint8_t month, day, hour, minute, second;
};

/* A validated response frame; data points into the caller's buffer. */
struct watt_frame {
	uint8_t head;
	uint8_t version;
	uint8_t address;
	uint8_t function;
	uint16_t dp;
	const uint8_t *data;
	uint16_t data_len;
};

/* Check one complete frame: length >= 11, head 0x7E, declared length equals
 * the bytes given, terminator, CRC.  Any version and address byte is
 * accepted.  The function byte is not checked here (see watt_decode). */
enum wc_err watt_parse_frame(const uint8_t *buf, size_t len,
			     struct watt_frame *f, struct wc_diag *d);

/* Payload decoders: fill s with what the data carries and mark it present.
 * Fields of other data points in s are left as they are, so one sample can
 * collect 0x8C, 0x8D and 0x92 of the same poll. */
enum wc_err watt_decode_analog(const uint8_t *data, size_t len,
			       struct wc_sample *s, struct wc_diag *d);
enum wc_err watt_decode_status(const uint8_t *data, size_t len,
			       struct wc_sample *s, struct wc_diag *d);
enum wc_err watt_decode_product(const uint8_t *data, size_t len,
				struct wc_sample *s, struct wc_diag *d);

/* Validate a frame (watt_parse_frame), require a read echo (function 0x03;
 * an error function such as 0x83/0x86 gives WC_E_BMS_ERROR) and decode it
 * by its DP into s.  *dp_out (may be NULL) receives the DP. */
enum wc_err watt_decode(const uint8_t *buf, size_t len, struct wc_sample *s,
			uint16_t *dp_out, struct wc_diag *d);

/* The sign-magnitude current of doc/PROTOCOL.md §6.1, in amperes. */
double watt_current_a(uint16_t raw);

/* Encode amperes the way every real frame does (decimal flag set). */
uint16_t watt_current_raw(double amps);

/* The temperature of a raw 0.1 K value with the app's 2730 zero. */
double watt_temp_c(uint16_t raw);

#endif
