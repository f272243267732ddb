#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# wattcycle read/watch against wattcycle-sim: every head mode, MTU 23 and
# 247, version 0 and 4, 4S/8S/16S; the values printed are the values the
# simulator served; round-trip counts with cached handles; every fault
# reported clearly within its deadline; BLE fails clearly without Bluetooth.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
. tests/lib/sim.sh
W=${BUILD:-build}/wattcycle
TMP=$(mktemp -d)
trap 'sim_stop_all; rm -rf "$TMP"' EXIT

# served FILTER: the last 0x8C entry of the simulator's served-sample log.
served() { jq -c "select(.dp == \"0x8c\") | $1" "$TMP/b.log" | tail -n 1; }

for spec in "7e 23 0 4" "7e 247 0 4" "1e 23 0 4" "1e 247 4 4" \
	    "both 23 4 8" "both 247 0 16" "both 23 4 16" "both 247 0 8"; do
	read -r head mtu ver cells <<<"$spec"
	what="head $head, MTU $mtu, version $ver, ${cells}S"
	rm -f "$TMP/b.log"
	if ! sim_start b --socket "$TMP/b.sock" --head "$head" --mtu "$mtu" \
		--version "$ver" --cells "$cells" --current -7.5 --log "$TMP/b.log"; then
		tap_not_ok "$what: simulator started"; continue
	fi
	out=$($W read "unix:$TMP/b.sock" --json 2>"$TMP/err")
	eq "$what: read exits 0" "$?" "0"
	eq "$what: cell count" "$(jq '.cells_v | length' <<<"$out")" "$cells"
	eq "$what: values are those served" \
		"$(jq -c '[.cells_v, .voltage_v, .current_a, .soc_pct, .remaining_ah, .temps_c.mos, .temps_c.env, .temps_c.probes]' <<<"$out")" \
		"$(served '[.cells_v, .voltage_v, .current_a, .soc_pct, .remaining_ah, .temp_mos_c, .temp_env_c, .probes_c]')"
	want_head=0x7e; [[ $head == 1e ]] && want_head=0x1e
	eq "$what: head" "$(jq -r .head <<<"$out")" "$want_head"
	eq "$what: version byte" "$(jq .version <<<"$out")" "$ver"
	want_mtu=$mtu; ((want_mtu > 247)) && want_mtu=247
	eq "$what: negotiated MTU" "$(jq .mtu <<<"$out")" "$want_mtu"
	eq "$what: discharging, MOSFETs on" "$(jq -c '[.mode, .charge_mos, .discharge_mos]' <<<"$out")" '["discharging",true,true]'
	le "$what: first poll round trips" "$(jq .att_round_trips <<<"$out")" 10
	sim_stop b
done

# Round trips: first poll with discovery, later polls with cached handles.
sim_start b --socket "$TMP/b.sock" --log "$TMP/b.log"
trips=$($W watch "unix:$TMP/b.sock" --interval 0.3 --timeout 0.25 --count 3 --json | jq -s -c 'map(.att_round_trips)')
eq "reconnect mode: first poll 9 round trips, then 4 (cached handles)" "$trips" "[9,4,4]"
trips=$($W watch "unix:$TMP/b.sock" --keep --interval 0.2 --count 3 --json | jq -s -c 'map(.att_round_trips)')
eq "keep-connected: 9, then 2 round trips" "$trips" "[9,2,2]"
text=$($W read "unix:$TMP/b.sock")
check "readable output names firmware, SoC and link" bash -c \
	"grep -q '^Battery .*firmware' <<<\"\$1\" && grep -q '% SoC' <<<\"\$1\" && grep -q '^Link .*ATT round trips' <<<\"\$1\"" _ "$text"

# An alarm injected in the simulator shows up by id, and its MOSFET reaction.
sim_ctl b alarm sim dsg_ocp on
out=$($W read "unix:$TMP/b.sock" --json)
eq "injected dsg_ocp is active" "$(jq -c '[.active[].id]' <<<"$out")" '["dsg_ocp"]'
eq "dsg_ocp switched the discharge MOSFET off" "$(jq .discharge_mos <<<"$out")" "false"
sim_ctl b alarm sim dsg_ocp off

# Faults: each gives its own clear error, within the deadline.
fault_case() { # KIND TIMEOUT_S PATTERN
	local kind=$1 t=$2 pat=$3 t0 t1 err rc
	sim_ctl b fault sim "$kind" on
	t0=$(now_ms)
	err=$($W read "unix:$TMP/b.sock" --timeout "$t" 2>&1 >/dev/null); rc=$?
	t1=$(now_ms)
	sim_ctl b fault sim "$kind" off
	eq "fault $kind: exit 1" "$rc" "1"
	check "fault $kind: message '$pat' (got: $err)" grep -q -- "$pat" <<<"$err"
	le "fault $kind: elapsed ms within deadline + 300" "$((t1 - t0))" "$(awk -v t="$t" 'BEGIN { print t * 1000 + 300 }')"
}
fault_case silence 1.5 "no answer to 0x92 with head 0x7E or 0x1E although the battery reports itself unlocked"
fault_case drop 2 "the battery closed the link"
fault_case crc 2 "crc mismatch: frame says"
fault_case length 2 "length"
fault_case refuse 2 "closed the link at once"
# Garbage notifications and duplicated fragments at MTU 247 cost nothing.
for kind in garbage duplicate; do
	sim_ctl b fault sim "$kind" on
	$W read "unix:$TMP/b.sock" >/dev/null 2>&1
	eq "fault $kind: tolerated, read succeeds" "$?" "0"
	sim_ctl b fault sim "$kind" off
done
# A battery that vanishes: connection refused / missing socket.
sim_stop b
err=$($W read "unix:$TMP/b.sock" 2>&1 >/dev/null); rc=$?
eq "stopped simulator: exit 1" "$rc" "1"
check "stopped simulator: message names the socket" grep -q "$TMP/b.sock" <<<"$err"

# RSSI: the simulator publishes a link RSSI beside its socket, the unix
# transport reads it, read reports it (and not when there is none).
sim_start b --socket "$TMP/b.sock" --rssi -73
eq "RSSI reported when the link has one" "$($W read "unix:$TMP/b.sock" --json | jq .rssi_dbm)" "-73"
check "readable output shows the RSSI" bash -c "$W read unix:$TMP/b.sock | grep -q 'RSSI -73 dBm'"
sim_stop b
check "no RSSI file left after the simulator stops" test ! -e "$TMP/b.sock.rssi"
sim_start b --socket "$TMP/b.sock"
eq "no RSSI key without one" "$($W read "unix:$TMP/b.sock" --json | jq 'has("rssi_dbm")')" "false"
sim_stop b

# A 0x1E-only battery with a short Timeout: the 0x7E probe leaves time for
# the 0x1E one.
sim_start b --socket "$TMP/b.sock" --head 1e
eq "1E-only battery read within a 2 s Timeout" \
	"$($W read "unix:$TMP/b.sock" --timeout 2 --json | jq -r .head)" "0x1e"
sim_stop b

# A battery that refuses our unlock (it wants another key): ignored
# requests, the link dropped after its unlock timeout, reported as such.
sim_start b --socket "$TMP/b.sock" --unlock-key NotHiLink --unlock-timeout-ms 1000
t0=$(now_ms)
err=$($W read "unix:$TMP/b.sock" --timeout 5 2>&1 >/dev/null); rc=$?
t1=$(now_ms)
eq "missing unlock: exit 1" "$rc" "1"
check "missing unlock: reported (got: $err)" grep -q "did not accept the HiLink unlock (FFFA reads 00)" <<<"$err"
le "missing unlock: within the deadline (ms)" "$((t1 - t0))" 5300
sim_stop b

# Keep-connected: a held link that drops between polls is re-opened within
# the next poll.
sim_start b --socket "$TMP/b.sock"
$W watch "unix:$TMP/b.sock" --keep --interval 0.5 --count 3 --json >"$TMP/keep.json" 2>"$TMP/keep.err" &
wpid=$!
deadline=$((SECONDS + 5))
until [[ -s $TMP/keep.json ]] || ((SECONDS > deadline)); do sleep 0.02; done
sim_ctl b kill sim
sim_ctl b revive sim
wait "$wpid"; rc=$?
eq "keep-connected: watch ran 3 polls through a dropped link" "$(jq -s length "$TMP/keep.json")" "3"
eq "keep-connected: exit 0" "$rc" "0"
eq "keep-connected: the poll after the drop reconnected (round trips)" \
	"$(jq -s -c 'map(.att_round_trips)' "$TMP/keep.json")" "[9,4,2]"
sim_stop b

# Latency 30 ms per PDU (a BLE connection interval): a bound on the deadline.
sim_start b --socket "$TMP/b.sock" --latency-ms 30
lat=$($W watch "unix:$TMP/b.sock" --interval 1 --timeout 0.9 --count 2 --json | jq -s -c 'map(.att_round_trips)')
eq "latency 30 ms: reconnect polls complete" "$lat" "[9,4]"
sim_stop b

# BLE on a host without Bluetooth: one clear line, fast, exit 1.
t0=$(now_ms)
err=$($W read C0:D6:3C:52:E4:D9 --timeout 5 2>&1 >/dev/null); rc=$?
t1=$(now_ms)
if [[ -e /proc/net/bluetooth ]] || grep -q bluetooth /proc/net/protocols 2>/dev/null; then
	tap_ok "# SKIP host has Bluetooth"
else
	eq "BLE read without Bluetooth: exit 1" "$rc" "1"
	check "BLE read without Bluetooth: says so" grep -q "no Bluetooth support" <<<"$err"
	le "BLE read without Bluetooth: fails fast (ms)" "$((t1 - t0))" 1000
	err=$($W scan --timeout 1 2>&1 >/dev/null); rc=$?
	eq "scan without Bluetooth: exit 1" "$rc" "1"
	check "scan without Bluetooth: says so" grep -q "no Bluetooth support" <<<"$err"
fi

# Usage.
$W read >/dev/null 2>&1; eq "read without address: exit 2" "$?" "2"
$W read nonsense >/dev/null 2>&1; eq "read with a bad address: exit 2" "$?" "2"
$W read "unix:$TMP/b.sock" --timeout abc >/dev/null 2>&1; eq "read --timeout abc: exit 2" "$?" "2"
$W watch "unix:$TMP/b.sock" --interval 1 --timeout 2 >/dev/null 2>&1; eq "watch timeout >= interval: exit 2" "$?" "2"
check "help read" bash -c "$W help read | grep -q '^Usage: wattcycle read ADDRESS'"

tap_done
