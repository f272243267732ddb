#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Read-only by construction: every way a poll can go — WATT with head 7E
# and 1E, reconnecting and keep-connected, the first poll's 0x92 read, MTU
# 23 (fragmented answers), a refused unlock, a silent battery, JBD with and
# without the WATT fallback — sends the battery nothing but the unlock, the
# FFF1 CCCD and read requests.  wattcycle-sim holds every client write
# against that list (sim/write_guard.c): anything else is logged as
# "unexpected write" and counted in `state NAME` (unexpected_writes), and
# this test wants zero of both.  The CLI's polls run the plugin's session
# code (plugin/session.c); the last case runs the plugin in collectd itself.
# A deliberately wrong write (a MOSFET write, the Service Changed CCCD)
# shows that the check does count.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
. tests/lib/sim.sh
. tests/lib/collectd.sh
W=${BUILD:-build}/wattcycle
TMP=$(mktemp -d)
trap 'sim_stop_all; [[ -n ${KEEP_TMP:-} ]] || rm -rf "$TMP"' EXIT

# unexpected NAME: the count the simulator NAME reports for its battery
unexpected() {
	"$SIM" ctl "$TMP/$1.ctl" state "${2:-sim}" 2>/dev/null | jq -r '.unexpected_writes // "none"'
}
# writes_clean WHAT NAME [BATTERY]: zero counted, no "unexpected write" line
writes_clean() {
	eq "$1: no unexpected write counted" "$(unexpected "$2" "${3:-sim}")" 0
	check "$1: no unexpected write logged" bash -c "! grep -q 'unexpected write' '$TMP/$2.out'"
}

# case NAME "SIM OPTIONS" "CLI ARGS" EXPECT(ok|fail) WHAT
run_case() {
	local name=$1 simopts=$2 cliargs=$3 expect=$4 what=$5 rc
	# shellcheck disable=SC2086
	if ! sim_start "$name" --socket "$TMP/$name.sock" $simopts; then
		tap_not_ok "$what: simulator started"; return
	fi
	# shellcheck disable=SC2086
	timeout 60 $W $cliargs "unix:$TMP/$name.sock" >"$TMP/$name.cli" 2>&1
	rc=$?
	if [[ $expect == ok ]]; then
		eq "$what: polls succeed" "$rc" 0
	else
		check "$what: the poll fails (exit $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
	fi
	writes_clean "$what" "$name"
	sim_stop "$name"
}

run_case h7e "--head 7e" "watch --count 3 --interval 0.5 --timeout 0.45 --json" ok \
	"WATT head 7E, reconnect, 0x92 at first contact"
run_case h1e "--head 1e --mtu 23" "watch --count 3 --interval 0.5 --timeout 0.45 --json" ok \
	"WATT head 1E, MTU 23, reconnect"
run_case k7e "--head 7e" "watch --count 3 --interval 0.2 --keep --json" ok \
	"WATT head 7E, keep-connected"
run_case k1e "--head 1e --version 4" "watch --count 3 --interval 0.2 --keep --json" ok \
	"WATT head 1E, version 4, keep-connected"
run_case both "--head both --cells 16" "read --json" ok \
	"WATT, both heads, 16S, one read"
run_case refused "--unlock-key NotHiLink --unlock-timeout-ms 500" "read --timeout 3" fail \
	"WATT, unlock refused"
run_case silent "--fault silence" "read --timeout 2" fail \
	"WATT, silent battery"
run_case jbd "--family jbd" "watch --count 3 --interval 0.5 --timeout 0.45 --json" ok \
	"JBD, reconnect"
run_case jbdk "--family jbd" "watch --count 3 --interval 0.2 --keep --json" ok \
	"JBD, keep-connected"
run_case jbdfb "--family jbd --fault silence" "read --timeout 3 --verbose" fail \
	"JBD silent, WATT fallback tried"
check "JBD silent: the client did try the WATT family" grep -qi "trying watt" "$TMP/jbdfb.cli"

# The plugin itself in collectd: three batteries (WATT 7E, WATT 1E kept
# connected, JBD), a few polls each.
if [[ -x /usr/sbin/collectd ]]; then
	cat >"$TMP/three.cfg" <<CFG
batteries = (
  { name = "w7"; socket = "w7.sock"; head = "7e"; },
  { name = "w1"; socket = "w1.sock"; head = "1e"; },
  { name = "jb"; socket = "jb.sock"; family = "jbd"; }
);
CFG
	if sim_start three --scenario "$TMP/three.cfg" --log "$TMP/three.log"; then
		collectd_conf interval=1 base="$TMP" pid="$TMP/cd.pid" log="$TMP/cd.log" \
			wattcycle="$(collectd_battery w7 "unix:$TMP/w7.sock"
				collectd_battery w1 "unix:$TMP/w1.sock" KeepConnected true
				collectd_battery jb "unix:$TMP/jb.sock")" >"$TMP/cd.conf"
		/usr/sbin/collectd -f -C "$TMP/cd.conf" >/dev/null 2>&1 &
		cd_pid=$!
		deadline=$((SECONDS + 20))
		# three polls of each battery (one served 0x8C / 0x03 line each)
		until (($(jq -r .battery "$TMP/three.log" 2>/dev/null | sort | uniq -c | awk '$1 >= 3' | wc -l) >= 3)) ||
			((SECONDS > deadline)); do sleep 0.2; done
		kill -TERM "$cd_pid" 2>/dev/null; wait "$cd_pid" 2>/dev/null
		eq "collectd: every battery polled at least three times" \
			"$(jq -r .battery "$TMP/three.log" | sort | uniq -c | awk '$1 >= 3' | wc -l)" 3
		for b in w7 w1 jb; do
			eq "collectd, battery $b: no unexpected write counted" "$(unexpected three "$b")" 0
		done
		check "collectd: no unexpected write logged" bash -c "! grep -q 'unexpected write' '$TMP/three.out'"
		sim_stop three
	else
		tap_not_ok "collectd: simulator started"
	fi
else
	tap_ok "# SKIP collectd is not installed"
fi

# The check itself: a client that writes what a reader must not.
sim_start neg --socket "$TMP/neg.sock" >/dev/null
/usr/bin/python3 - "$TMP/neg.sock" <<'PY'
import socket, sys, struct
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.settimeout(2)
def req(pdu):
    s.send(pdu)
    return s.recv(600)
# find FFF2's value handle: Read By Type of characteristic declarations
h, fff2, sc = 1, None, None
while h < 0xFFFF:
    r = req(bytes([0x08]) + struct.pack("<HHH", h, 0xFFFF, 0x2803))
    if r[0] != 0x09:
        break
    n = r[1]
    for off in range(2, len(r), n):
        decl, props, val = struct.unpack("<HBH", r[off:off + 5])
        uuid = r[off + 5:off + n]
        if uuid == b"\xf2\xff":
            fff2 = val
        h = decl + 1
# a charge-MOSFET-off frame (function 06, DP 0x82) on FFF2
frame = bytes.fromhex("7E 00 01 06 00 82 00 01 00")
crc = 0xFFFF
for b in frame:
    crc ^= b
    for _ in range(8):
        crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
frame += struct.pack(">H", crc) + b"\x0d"
req(bytes([0x12]) + struct.pack("<H", fff2) + frame)
# a write to a declaration (handle 1)
req(bytes([0x12]) + struct.pack("<H", 1) + b"\x01\x00")
PY
eq "a MOSFET write and a declaration write are counted" "$(unexpected neg)" 2
check "… and logged as unexpected writes naming them" \
	grep -q "unexpected write: write request to handle 0x[0-9A-F]*: WATT function 0x06, DP 0x82" "$TMP/neg.out"
sim_stop neg

tap_done
