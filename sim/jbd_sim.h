/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator's JBD-family battery (a DISCOVER-like WattCycle): the
 * replies to JBD read requests built from the model's snapshot, and the
 * configuration a JBD battery differs in (no FFFA, no unlock, its
 * hardware string and advertised name).  Pure: no I/O, no allocation. */
#ifndef SIM_JBD_SIM_H
#define SIM_JBD_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sample.h"

struct sim_battery_cfg;

/* The hardware string a simulated DISCOVER answers 0x05 with. */
#define SIM_JBD_HW "DH04SC02-200A"

/* "watt" / "jbd" -> family; -1 if neither. */
int sim_family_parse(const char *s, enum wc_family *out);

/* Make cfg a JBD battery: family, no unlock, and unless the firmware was
 * given explicitly, the DISCOVER's hardware string (no manufacturer or
 * serial: JBD has no such fields). */
void sim_jbd_cfg(struct sim_battery_cfg *cfg, bool firmware_given);

/* The advertised (GAP) name of a JBD battery: the name itself when it
 * starts with "WT", else "WTaHdB1" and ten digits derived from it. */
void sim_jbd_device_name(const char *battery_name, char *out, size_t cap);

/* The AD structures of a JBD-family battery, as a real DISCOVER's were
 * published (advertisement and scan response together): incomplete 16-bit
 * UUID list FFF0, complete local name, manufacturer data = the MAC in
 * display order + 10 12 <SoC> 11 03 00 0D 00 (the byte after 10 12 tracked
 * the SoC on the real unit).  A BLE peripheral sends the UUID list and the
 * manufacturer data (20 bytes) in the advertisement and the name record in
 * the scan response: the three records are in that order, the name second.
 * A name is cut at 29 characters.  Returns the length, 0 when cap is too
 * small (49 bytes always suffice). */
size_t sim_jbd_adv_data(uint8_t *out, size_t cap, const uint8_t mac[6],
			const char *name, unsigned soc_pct);

/* 0x03 basic info data from a snapshot: the standard 23-byte block, the
 * temperatures as NTCs (MOS, ambient, then the probes; 0.1 K with the 2731
 * zero) and WattCycle's 16-byte tail.  Current and capacities in 10 mA(h)
 * units, or 100 mA(h) (FET byte bit 7) when they would not fit.  Codes
 * come from the snapshot's registers through the alarm table; the heater
 * (FET bit 2) is on while the coldest sensor is below 0 °C. */
size_t sim_jbd_basic_data(uint8_t *out, size_t cap, const struct wc_sample *s);

/* 0x04: N x u16 mV. */
size_t sim_jbd_cells_data(uint8_t *out, size_t cap, const struct wc_sample *s);

/* Answer one frame written to FFF2: a JBD read request of 0x03, 0x04 or
 * 0x05 gets its reply, another read command a status-0x80 reply ("unknown
 * command"); writes (DD 5A …), bad checksums and anything that is not a
 * JBD request get no answer (0). */
size_t sim_jbd_answer(const struct wc_sample *s, const uint8_t *req,
		      size_t len, uint8_t *out, size_t cap);

#endif
