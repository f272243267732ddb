/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wattcycle-sim's BLE peripheral: one battery advertising on its own
 * Bluetooth controller (hciN) and accepting the central's L2CAP LE ATT
 * connection (fixed channel 4).  That socket is SOCK_SEQPACKET, one read =
 * one ATT PDU, like the unix one, so sim_server.c serves it unchanged; this
 * file only sets up the controller and the listening socket.
 *
 * What a real XDZN unit advertises, and so what this one does: connectable
 * undirected advertising with the flags (LE General Discoverable, BR/EDR
 * not supported), the complete 16-bit service list FFF0, manufacturer data
 * = the device address (6 bytes, most significant first) + FF (read as
 * company 0xD6C0 when the address starts C0:D6), and the complete local
 * name (in the advertising data when it fits, always in the scan
 * response).  The address is random static (C0:D6:3C:xx:yy:zz, yy:zz = the
 * name's last four hex digits, as on the real units) where the controller
 * takes LE Set Random Address, the controller's public address otherwise.
 * A controller stops advertising when a central connects; sim_ble_advertise
 * turns it on again once the link is gone.
 *
 * A JBD-family battery advertises as a DISCOVER does: the flags, the
 * incomplete 16-bit list FFF0 and manufacturer data = the address + 10 12
 * <SoC> 11 03 00 0D 00 (SoC when it starts advertising), its name in the
 * scan response, from a random static EE:C2:37:xx:yy:zz address. */
#ifndef SIM_BLE_H
#define SIM_BLE_H

#include <stdbool.h>
#include <stddef.h>

struct sim_ble;

/* Advertise name on adapter ("hciN") and listen for the ATT channel.
 * battery names the battery in messages; jbd: advertise the JBD-family
 * record (soc_pct in its manufacturer data) instead of the XDZN one.  Prints
 * "wattcycle-sim: ble NAME ADDRESS public|random hciN" on stdout once
 * advertising.  NULL with err filled ("no Bluetooth adapter hci9", ...). */
struct sim_ble *sim_ble_open(const char *adapter, const char *name,
			     const char *battery, bool jbd, unsigned soc_pct,
			     char *err, size_t errlen);

/* The listening L2CAP socket (accept4() gives SOCK_SEQPACKET links). */
int sim_ble_listen_fd(const struct sim_ble *ble);

/* Advertising on (again) or off; a controller that refuses (already on,
 * or a link up) is not an error here: the caller retries on its tick. */
void sim_ble_advertise(struct sim_ble *ble, bool on);

/* The battery ends the link on the accepted socket fd (the caller closes
 * fd afterwards): HCI Disconnect of its connection, as a real battery
 * hangs up.  Closing an ATT socket alone leaves the LE link up (a fixed
 * channel has no disconnect of its own), and the central's next connect
 * would then ride that link to no ATT channel at all.  Nothing is done
 * when the central has already gone. */
void sim_ble_hang_up(struct sim_ble *ble, int fd);

/* Stop advertising, close the socket and the controller.  NULL is fine. */
void sim_ble_close(struct sim_ble *ble);

/* Whether s is a controller name the simulator takes ("hci0".."hci65535"). */
bool sim_ble_adapter_ok(const char *s);

#endif
