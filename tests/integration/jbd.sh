#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A JBD-family battery (wattcycle-sim --family jbd: FFF0 without FFFA, no
# unlock, DD … 77 frames) read by `wattcycle read` and by the plugin in the
# real collectd: the family is detected from the GATT database, the values
# are those served, injected alarms and faults show as for a WATT battery,
# only the JBD family's codes are dispatched, and nothing but JBD read
# requests is ever written to the battery.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
. tests/lib/sim.sh
. tests/lib/collectd.sh
BUILD=${BUILD:-build}
W=$BUILD/wattcycle
TMP=$(mktemp -d)
trap 'collectd_stop_all; sim_stop_all; rm -rf "$TMP"' EXIT

# served CMD FILTER: the last logged reply to JBD command CMD.
served() { jq -c "select(.battery == \"${3:-j}\" and .dp == \"$1\") | $2" "$TMP/j.log" | tail -n 1; }

# ---- wattcycle read ----------------------------------------------------------
sim_start j --socket "$TMP/j.sock" --name j --family jbd --cells 4 --current -12.5 \
	--soc 55 --log "$TMP/j.log" || exit 1
out=$($W read "unix:$TMP/j.sock" --json --verbose 2>"$TMP/err"); rc=$?
eq "read exits 0" "$rc" "0"
eq "family jbd" "$(jq -c '[.family, .protocol, has("head")]' <<<"$out")" '["jbd","jbd",false]'
check "detected from GATT (FFF0 without FFFA)" grep -q "GATT has FFF0 without FFFA: JBD protocol on FFF2/FFF1" "$TMP/err"
eq "hardware string as firmware" "$(jq -r .firmware <<<"$out")" "DH04SC02-200A"
eq "cells are those served (0x04)" "$(jq -c .cells_v <<<"$out")" "$(served 0x04 .cells_v)"
eq "values are those served (0x03)" \
	"$(jq -c '[.voltage_v, .current_a, .soc_pct, .remaining_ah, .full_ah, .design_ah]' <<<"$out")" \
	"$(served 0x03 '[.voltage_v, .current_a, .soc_pct, .remaining_ah, .full_ah, .design_ah]')"
eq "the NTCs are MOS, ambient, probes as served (2731 zero)" \
	"$(jq -c '.temps_c.probes' <<<"$out")" "$(served 0x03 '[.temp_mos_c, .temp_env_c] + .probes_c')"
eq "discharging, MOSFETs on" "$(jq -c '[.mode, .charge_mos, .discharge_mos, .active]' <<<"$out")" '["discharging",true,true,[]]'
eq "WattCycle tail" "$(jq -c '.jbd | [.humidity_pct, .heating, .protocol_version, .warning]' <<<"$out")" '[50,false,25,0]'
le "first poll round trips" "$(jq .att_round_trips <<<"$out")" 10
txt=$($W read "unix:$TMP/j.sock" 2>&1)
check "text output names the protocol" grep -q "JBD protocol" <<<"$txt"
chk=$($W check "unix:$TMP/j.sock" --metric soc -w 30: -c 15: --metric short_circuit -c 0 2>&1); rc=$?
eq "check works on a JBD battery" "$rc/${chk%%|*}" "0/WATTCYCLE OK - soc 55 %, short_circuit 0 "

# Alarms, injected as for WATT batteries: a shared code and a JBD-only one.
sim_ctl j alarm j cell_ovp on
sim_ctl j alarm j short_circuit on
out=$($W read "unix:$TMP/j.sock" --json 2>/dev/null)
eq "active codes" "$(jq -c '[.active[].id] | sort' <<<"$out")" '["cell_ovp","short_circuit"]'
eq "protection word bits 0 and 10" "$(jq .jbd.protection <<<"$out")" "1025"
check "a WATT-only code is refused for a JBD battery" bash -c \
	'"$1" ctl "$2" alarm j env_otp on 2>&1 | grep -q "\"env_otp\" is not a code of a JBD-family battery"' _ "$BUILD/wattcycle-sim" "$TMP/j.ctl"
sim_ctl j alarm j cell_ovp off
sim_ctl j alarm j short_circuit off

# Faults, as for WATT batteries.
sim_ctl j fault j crc on
err=$($W read "unix:$TMP/j.sock" --timeout 3 2>&1 >/dev/null); rc=$?
eq "crc fault: exit 1" "$rc" "1"
check "crc fault: the JBD checksum is named" grep -q "JBD 0x03: checksum mismatch" <<<"$err"
sim_ctl j fault j crc off
sim_ctl j fault j length on
err=$($W read "unix:$TMP/j.sock" --timeout 3 2>&1 >/dev/null); rc=$?
eq "length fault: exit 1" "$rc" "1"
check "length fault: the length is named" grep -q "data length disagrees with the counts" <<<"$err"
sim_ctl j fault j length off
sim_ctl j fault j silence on
t0=$(now_ms)
err=$($W read "unix:$TMP/j.sock" --timeout 3 2>&1 >/dev/null); rc=$?
t1=$(now_ms)
eq "silence: exit 1" "$rc" "1"
check "silence: both protocols tried, both named" grep -q "no answer to either protocol: jbd: .*; watt: " <<<"$err"
le "silence: within the 3 s timeout (+1 s)" "$((t1 - t0))" 4000
sim_ctl j fault j silence off
sim_ctl j fault j garbage on
out=$($W read "unix:$TMP/j.sock" --json 2>/dev/null); rc=$?
eq "garbage before each reply is ignored" "$rc/$(jq -c .family <<<"$out")" '0/"jbd"'
sim_ctl j fault j garbage off
sim_stop j

# A JBD battery at ATT MTU 23: 54-byte basic info in three notifications.
sim_start j --socket "$TMP/j.sock" --name j --family jbd --cells 16 --mtu 23 --log "$TMP/j.log" || exit 1
out=$($W read "unix:$TMP/j.sock" --json 2>/dev/null); rc=$?
eq "MTU 23, 16S: read exits 0" "$rc" "0"
eq "MTU 23, 16S: 16 cells as served" "$(jq -c .cells_v <<<"$out")" "$(served 0x04 .cells_v)"
sim_stop j

# A classic JBD module (--jbd-service ff00: FF00 with FF01/FF02, no FFF0).
sim_start j --socket "$TMP/j.sock" --name j --family jbd --jbd-service ff00 --cells 8 \
	--log "$TMP/j.log" || exit 1
out=$($W read "unix:$TMP/j.sock" --json --verbose 2>"$TMP/err"); rc=$?
eq "FF00 module: read exits 0, family jbd" "$rc/$(jq -c .family <<<"$out")" '0/"jbd"'
check "FF00 module: detected from GATT (FF00 without FFFA)" grep -q "GATT has FF00 without FFFA: JBD protocol on FF02/FF01" "$TMP/err"
eq "FF00 module: 8 cells as served" "$(jq -c .cells_v <<<"$out")" "$(served 0x04 .cells_v)"
sim_stop j
"$BUILD/wattcycle-sim" --socket "$TMP/x.sock" --jbd-service ff00 2>"$TMP/err" >/dev/null
eq "--jbd-service on a WATT battery: exit 2" "$?/$(grep -c -- '--jbd-service is for --family jbd' "$TMP/err")" "2/1"
printf 'batteries = ( { name = "x"; socket = "%s/x.sock"; jbd_service = "ff00"; } );\n' "$TMP" >"$TMP/bad.cfg"
check "jbd_service on a WATT battery in a scenario: refused, the key named" bash -c \
	'"$1" --scenario "$2" 2>&1 >/dev/null | grep -q "jbd_service.*is for a battery of family jbd"' _ "$BUILD/wattcycle-sim" "$TMP/bad.cfg"

# ---- a scenario: family = "jbd" next to a WATT battery -------------------------
cat >"$TMP/two.cfg" <<EOF
batteries = (
  { name = "disc"; socket = "$TMP/disc.sock"; family = "jbd"; cells = 4; probes = 2;
    capacity_ah = 314.0; soc = 40.0; temp_c = -5.0;
    alarms = ( { id = "mos_sw_lock"; at = 0.0; on = true; } ); },
  { name = "xdzn"; socket = "$TMP/xdzn.sock"; cells = 4; }
);
EOF
sim_start s --scenario "$TMP/two.cfg" --log "$TMP/j.log" || exit 1
out=$($W read "unix:$TMP/disc.sock" --json 2>/dev/null); rc=$?
eq "scenario jbd battery: read exits 0" "$rc" "0"
eq "scenario jbd battery: 314 Ah, the scheduled code, heater on below 0 °C" \
	"$(jq -c '[.family, .design_ah, [.active[].id], .jbd.heating]' <<<"$out")" '["jbd",314,["mos_sw_lock"],true]'
eq "scenario WATT battery next to it" "$($W read "unix:$TMP/xdzn.sock" --json 2>/dev/null | jq -c '[.family, .head]')" '["watt","0x7e"]'
eq "bad family in a scenario" "$(printf 'batteries = ( { name = "x"; socket = "%s/x.sock"; family = "jk"; } );\n' "$TMP" >"$TMP/bad.cfg";
	"$BUILD/wattcycle-sim" --scenario "$TMP/bad.cfg" 2>&1 >/dev/null | grep -c '"jk" is not one of "watt", "jbd"')" "1"
"$BUILD/wattcycle-sim" --socket "$TMP/x.sock" --family jk >/dev/null 2>&1
eq "bad --family: exit 2" "$?" "2"
sim_stop s

# ---- the plugin in the real collectd -------------------------------------------
sim_start j --socket "$TMP/j.sock" --name j --family jbd --cells 4 --current 6.0 \
	--alarm mos_sw_lock --log "$TMP/j.log" || exit 1
mkdir -p "$TMP/base" "$TMP/csv"
collectd_conf host=ci interval=1 base="$TMP/base" log="$TMP/collectd.log" timestamp csv="$TMP/csv" \
	wattcycle="$(collectd_battery disc "unix:$TMP/j.sock" Interval 1 ReportCells true ReportAlarmValues true)" \
	>"$TMP/collectd.conf"
collectd_start cd "$TMP/collectd.conf" "$TMP/collectd.out"
D="$TMP/csv/ci/wattcycle-disc"
for _ in $(seq 1 100); do
	[[ -f $(echo "$D"/voltage-cell04-*) && -f $(echo "$D"/bool-heating-*) ]] && break
	sleep 0.1
done
sleep 1.2
collectd_stop cd
ids=$(ls "$D" 2>/dev/null | sed -E 's/-[0-9]{4}-[0-9]{2}-[0-9]{2}$//' | sort -u)
for id in voltage-pack voltage-cell01 voltage-cell04 current-pack percent-soc charge-full charge-design \
	temperature-probe1 temperature-probe4 bool-chg_on bool-dsg_on bool-heating humidity-pack \
	bool-short_circuit bool-afe_error bool-mos_sw_lock bool-cell_ovp bool-mos_otp count-protections bool-online; do
	check "collectd: $id dispatched" grep -qx "$id" <<<"$ids"
done
for id in bool-env_otp bool-hw_protect bool-temp_fault temperature-mos temperature-env; do
	check "collectd: $id not dispatched for a JBD battery" bash -c '! grep -qx "$1" <<<"$2"' _ "$id" "$ids"
done
eq "collectd: the JBD codes dispatched are the table's JBD family" \
	"$(grep '^bool-' <<<"$ids" | grep -vxE 'bool-(chg_on|dsg_on|balancing|heating|online)' | sed 's/^bool-//' | tr '\n' ' ')" \
	"$($W alarms --json | jq -r '.[] | select(.class != "state" and (.family | test("jbd"))) | .id' | sort | tr '\n' ' ')"
eq "collectd: current as served" "$(tail -n 1 "$D"/current-pack-* | cut -d, -f2 | xargs printf '%.1f')" "6.0"
check "collectd: no poll failure in the log" bash -c '! grep -q "poll failed" "$1"' _ "$TMP/collectd.log"
check "collectd: the JBD-only protection raised a FAILURE notification" \
	grep -q "severity = FAILURE.*plugin_instance = disc, type = bool, type_instance = mos_sw_lock" "$TMP/collectd.log"
eq "collectd: count-protections 1" "$(tail -n 1 "$D"/count-protections-* | cut -d, -f2 | xargs printf '%.0f')" "1"
sim_stop j

tap_done
