/* WATT/TDT response encoders for the simulator: a struct wc_sample (what the
 * model shows) becomes the 0x8C, 0x8D and 0x92 payloads and frames of
 * protocol.md §6, byte for byte as the real batteries send them (the §14
 * captures are the proof, see tests/unit/test_sim_model.c).  Frames are
 * built by watt_build_frame, so CRC order and terminator live in watt.c
 * only.  Pure: no I/O, no allocation, no globals. */
#ifndef SIM_ENCODE_H
#define SIM_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "sample.h"

/* 0x8C data: N | N x mV | M | M x (°C x 10 + 2730) | current | V x 100 |
 * remaining x 10 | full x 10 | cycles | design x 10 | SoC, M = 2 + n_probes.
 * The app's 18-byte extension follows only when s has WC_F_SOH (no real
 * battery has been seen sending it).  Returns the data length, 0 when cap is
 * too small or the counts are out of range. */
size_t sim_encode_analog_data(uint8_t *out, size_t cap,
			      const struct wc_sample *s);

/* 0x8D data from the raw registers (protocol.md §6.2): N | N states | M |
 * M states | S .. S+12 | ceil(N/8) balancing bytes. */
size_t sim_encode_warning_data(uint8_t *out, size_t cap,
			       const struct wc_status_regs *r);

/* 0x92 data: three 20-byte fields, each string copied as is (spaces kept)
 * and padded with NULs; longer strings are cut at 20 bytes. */
size_t sim_encode_product_data(uint8_t *out, size_t cap, const char *firmware,
			       const char *manufacturer, const char *serial);

/* A whole response frame (head 7E, given version byte, address 01, function
 * 03, dp) for 0x8C, 0x8D or 0x92 from s (s->regs for 0x8D; s->firmware,
 * manufacturer, serial for 0x92).  Returns the frame length, 0 for another
 * DP, bad counts or a too small cap. */
size_t sim_encode_response(uint8_t *out, size_t cap, uint8_t version,
			   uint16_t dp, const struct wc_sample *s);

/* The same with the address byte and the current's encoding chosen
 * (whole_amps: bit 14 clear, whole amperes), for the fidelity overrides
 * (fidelity.h). */
size_t sim_encode_response_ex(uint8_t *out, size_t cap, uint8_t version,
			      uint8_t address, bool whole_amps, uint16_t dp,
			      const struct wc_sample *s);

#endif
