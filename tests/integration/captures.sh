#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The published WATT captures served over the simulator's socket: each
# battery of conf/sim/captures.cfg read by `wattcycle read` gives exactly
# what `wattcycle decode` makes of the captured frames, and the served-
# sample log shows the captured bytes.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
. tests/lib/sim.sh
W=${BUILD:-build}/wattcycle
TMP=$(mktemp -d)
trap 'sim_stop_all; rm -rf "$TMP"' EXIT

# Sockets in $TMP: the scenario's relative paths are relative to its file.
mkdir -p "$TMP/run"
cp conf/sim/captures.cfg "$TMP/captures.cfg"
sim_start c --scenario "$TMP/captures.cfg" --log "$TMP/c.log" || exit 1

keys='[.cells_v, .voltage_v, .current_a, .remaining_ah, .full_ah, .cycles, .design_ah, .soc_pct, .temps_c, .charge_mos, .discharge_mos, .mode, .registers, .firmware, .manufacturer, .serial]'
for b in ef2f 49a1 tdt16; do
	got=$($W read "unix:$TMP/run/$b.sock" --json 2>"$TMP/err" | jq -c "$keys")
	want=$($W decode "$(vector "$b-8c")" "$(vector "$b-8d")" "$(vector "$b-92")" | jq -s -c "add | $keys")
	eq "$b: read = decode of the capture" "$got" "$want"
	for dp in 8c 8d 92; do
		eq "$b: served 0x$dp is the captured frame" \
			"$(jq -r --arg b "$b" --arg dp "0x$dp" 'select(.battery == $b and .dp == $dp) | .frame' "$TMP/c.log" | tail -n 1)" \
			"$(vector "$b-$dp" | tr -d ' ' | tr 'A-F' 'a-f')"
	done
done
eq "49a1 answers head 1E only" "$($W read "unix:$TMP/run/49a1.sock" --json 2>/dev/null | jq -r .head)" "0x1e"
eq "addr41: address byte 0x41" "$($W read "unix:$TMP/run/addr41.sock" --json 2>/dev/null | jq -c '[.family, .version]')" '["watt",0]'
eq "v4ext: version 4, extension read" "$($W read "unix:$TMP/run/v4ext.sock" --json 2>/dev/null | jq -c '[.version, .soh_pct, .lifetime_ah, .time_left_min]')" '[4,98,12345.6,400]'
eq "wholeamp: 12 A" "$($W read "unix:$TMP/run/wholeamp.sock" --json 2>/dev/null | jq -c .current_a)" "12"
sim_stop c

tap_done
