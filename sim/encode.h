/* SPDX-License-Identifier: GPL-2.0-or-later */
/* WATT/TDT response encoders for the simulator: a struct wc_sample (what the
 * model shows) becomes the 0x8C, 0x8D and 0x92 payloads and frames of
 * doc/PROTOCOL.md §6, byte for byte as the real batteries send them (the §14
 * captures are the proof, see tests/unit/test_sim_model.c).  Frames are
 * built by watt_build_frame, so CRC order and terminator live in watt.c
 * only.  Pure: no I/O, no allocation, no globals. */
#ifndef SIM_ENCODE_H
#define SIM_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "sample.h"

/* 0x8D data from the raw registers (doc/PROTOCOL.md §6.2): N | N states | M |
 * M states | S .. S+12 | ceil(N/8) balancing bytes. */
size_t sim_encode_status_data(uint8_t *out, size_t cap,
			      const struct wc_status_regs *r);

/* 0x92 data: three 20-byte fields, each string copied as is (spaces kept)
 * and padded with NULs; longer strings are cut at 20 bytes. */
size_t sim_encode_product_data(uint8_t *out, size_t cap, const char *firmware,
			       const char *manufacturer, const char *serial);

/* A whole response frame (head 7E, given version byte, address, function
 * 03, dp) for 0x8C, 0x8D or 0x92 from s (s->regs for 0x8D; s->firmware,
 * manufacturer, serial for 0x92); whole_amps: the 0x8C current in whole
 * amperes, bit 14 clear (the fidelity overrides, fidelity.h).  Returns the
 * frame length, 0 for another DP, bad counts or a too small cap. */
size_t sim_encode_response(uint8_t *out, size_t cap, uint8_t version,
			   uint8_t address, bool whole_amps, uint16_t dp,
			   const struct wc_sample *s);

#endif
