#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# wattcycle bank / read NAME / check --bank against four simulators wired
# 2S2P by an inventory: the JSON figures computed by hand from the currents
# and SoCs the simulators are set to (series voltages add, parallel
# currents add, the spread and the shares); the cause of a string that
# carries no current; a member that cannot be read; the exit codes and the
# inventory's error sentences.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
. tests/lib/sim.sh
. tests/lib/house.sh
BUILD=${BUILD:-build}
W=$BUILD/wattcycle
TMP=$(mktemp -d)
trap 'sim_stop_all; rm -rf "$TMP"' EXIT

house_sims || { tap_not_ok "simulators started"; tap_done; exit 1; }
INV=$TMP/inventory.conf
cat >"$INV" <<INV
batteries = (
  { name = "b1"; address = "unix:$TMP/b1.sock"; },
  { name = "b2"; address = "unix:$TMP/b2.sock"; },
  { name = "b3"; address = "unix:$TMP/b3.sock"; },
  { name = "b4"; address = "unix:$TMP/b4.sock"; timeout = 1; }
);
INV
house_bank >>"$INV"

# ---- JSON by hand ---------------------------------------------------------
J=$("$W" bank --inventory "$INV" --json house); RC=$?
eq "bank --json: exit 0" "$RC" 0
eq "exactly the documented keys" "$(jq -c 'keys' <<<"$J")" \
	'["bank","current_a","members_online","power_w","share_imbalance_pct","soc_pct","soc_spread_pct","strings","voltage_v","warnings"]'
eq "string keys" "$(jq -c '.strings[0] | keys' <<<"$J")" '["current_a","members","share_pct","soc_pct","voltage_v"]'
eq "bank name" "$(jq -r .bank <<<"$J")" house
eq "members" "$(jq -c '[.strings[].members]' <<<"$J")" '[["b1","b2"],["b3","b4"]]'
eq "string currents: series members' mean (-12.5, -11.9 A)" "$(jq -c '[.strings[].current_a]' <<<"$J")" '[-12.5,-11.9]'
eq "bank current: parallel strings add (-24.4 A)" "$(jq .current_a <<<"$J")" -24.4
eq "shares 12.5/24.4 and 11.9/24.4" "$(jq -c '[.strings[].share_pct]' <<<"$J")" '[51.23,48.77]'
eq "share imbalance 51.23 - 50" "$(jq .share_imbalance_pct <<<"$J")" 1.23
eq "SoC spread 80 - 70" "$(jq .soc_spread_pct <<<"$J")" 10
eq "string SoC: its weakest member (70, 76)" "$(jq -c '[.strings[].soc_pct]' <<<"$J")" '[70,76]'
eq "bank SoC: weakest members, (70 + 76) Ah of 200 Ah" "$(jq .soc_pct <<<"$J")" 73
eq "members online" "$(jq .members_online <<<"$J")" 4
# voltages: series members add, the strings average; each member read by
# its inventory name
declare -A V
for b in b1 b2 b3 b4; do V[$b]=$("$W" read --inventory "$INV" --json "$b" | jq .voltage_v); done
check "read NAME: each member read by its inventory name" test -n "${V[b1]}${V[b4]}"
s1=$(awk -v a="${V[b1]}" -v b="${V[b2]}" 'BEGIN { printf "%.3f", a + b }')
s2=$(awk -v a="${V[b3]}" -v b="${V[b4]}" 'BEGIN { printf "%.3f", a + b }')
close() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.011) }'; }
check "string 1 voltage = b1 + b2 ($s1)" close "$(jq '.strings[0].voltage_v' <<<"$J")" "$s1"
check "string 2 voltage = b3 + b4 ($s2)" close "$(jq '.strings[1].voltage_v' <<<"$J")" "$s2"
check "bank voltage = the strings' mean" close "$(jq .voltage_v <<<"$J")" "$(awk -v a="$s1" -v b="$s2" 'BEGIN { print (a + b) / 2 }')"
check "power = sum of string V x I" close "$(jq .power_w <<<"$J")" \
	"$(jq '.strings | map(.voltage_v * .current_a) | add' <<<"$J")"
eq "the active warning" "$(jq -c '.warnings' <<<"$J")" \
	'[{"severity":"WARNING","message":"house: SoC spread 10.0 % in string 1 exceeds 5.0 %"}]'
T=$("$W" bank --inventory "$INV" house)
check "text: one line per string and member, totals, warnings" bash -c '
	grep -q "^String 1 .*-12.50 A  share  51.2 %" <<<"$1" && grep -q "^  b4 " <<<"$1" &&
	grep -q "^Total .*-24.40 A .*4 of 4 members online" <<<"$1" &&
	grep -q "^Warnings   WARNING house: SoC spread 10.0 %" <<<"$1"' _ "$T"
WATTCYCLE_INVENTORY=$INV "$W" bank house --json >/dev/null
eq "\$WATTCYCLE_INVENTORY names the inventory" "$?" 0
J2=$("$W" bank -I "$INV" -j house); RC=$?
eq "bank -I FILE (the letter of read and check): exit 0" "$RC" 0
eq "bank -I FILE: that inventory's bank" "$(jq -c '[.bank, [.strings[].members]]' <<<"$J2")" '["house",[["b1","b2"],["b3","b4"]]]'
"$W" bank -i "$INV" house >/dev/null 2>"$TMP/err"; RC=$?
eq "bank -i (the old letter): refused as unknown, exit 2" "$RC $(head -n 1 "$TMP/err")" \
	"2 wattcycle: bank: unknown option '-i'"

# ---- check --bank --------------------------------------------------------
OUT=$("$W" check --bank house --inventory "$INV" --metric soc_spread -w 5 -c 20 --metric share_imbalance -w 10); RC=$?
eq "check --bank: WARNING on the spread" "$RC" 1
check "check --bank: status line and perfdata" grep -qE '^WATTCYCLE WARNING - soc_spread 10 % \(warning\), share_imbalance 1\.2[0-9]* % \| soc_spread=10%;5;20;0;100 share_imbalance=1\.2' <<<"$OUT"
OUT=$("$W" check --bank house --inventory "$INV" --metric current -c -30:-20 --metric members_online -c 4:); RC=$?
eq "check --bank: current and members within range: OK" "$RC" 0
OUT=$("$W" check --bank house --inventory "$INV" --metric nosuch); RC=$?
eq "check --bank: unknown bank metric: UNKNOWN" "$RC" 3

# ---- string 2 opens ------------------------------------------------------
sim_ctl b4 alarm b4 dsg_ocp on
sim_ctl b3 set b3 current 0
sim_ctl b1 set b1 current -25.1
sim_ctl b2 set b2 current -25.1
J=$("$W" bank --inventory "$INV" --json house)
eq "string 2 at 0 A, string 1 carries -25.1 A" "$(jq -c '[.strings[].current_a]' <<<"$J")" '[-25.1,0]'
check "FAILURE with the member, MOSFET and protection" bash -c 'jq -e ".warnings[] | select(.severity == \"FAILURE\" and .message == \"house: string 2 carries 0.0 A of -25.1 A: b4 discharge MOSFET off (DSG OCP(A))\")" <<<"$1" >/dev/null' _ "$J"
check "share WARNING for string 2" bash -c 'jq -e ".warnings[] | select(.message | startswith(\"house: string 2 carries 0.0 % of the bank current\"))" <<<"$1" >/dev/null' _ "$J"
sim_ctl b4 alarm b4 dsg_ocp off

# ---- --timeout on the command line beats the inventory's timeout ----------
# b4's inventory timeout is 1 s; a silent b4 polled with --timeout 0.3
# ends its poll at 0.3 s, so the whole bank well before 1 s.
sim_ctl b4 fault b4 silence on
t0=$(now_ms)
"$W" bank --inventory "$INV" --json --timeout 0.3 house >/dev/null 2>&1; RC=$?
t1=$(now_ms)
eq "silent b4, --timeout 0.3: exit 1" "$RC" 1
le "silent b4, --timeout 0.3 wins over its inventory timeout 1: bank done (ms)" "$((t1 - t0))" 900
sim_ctl b4 fault b4 silence off

# ---- a member that cannot be read ----------------------------------------
sim_stop b4
J=$("$W" bank --inventory "$INV" --json house); RC=$?
eq "a member not read: exit 1" "$RC" 1
eq "members online 3" "$(jq .members_online <<<"$J")" 3
eq "bank current needs every string: null" "$(jq .current_a <<<"$J")" null
eq "string 2 incomplete: null voltage" "$(jq .strings[1].voltage_v <<<"$J")" null
check "string 1 still computed" test "$(jq .strings[0].current_a <<<"$J")" != null
check "the unread member is a FAILURE warning" bash -c 'jq -e ".warnings[] | select(.severity == \"FAILURE\" and (.message | startswith(\"house: b4 cannot be read: \")))" <<<"$1" >/dev/null' _ "$J"

# ---- usage and inventory errors: exit 2 with the sentence ----------------
"$W" bank --inventory "$INV" nosuch 2>"$TMP/err"; RC=$?
eq "unknown bank: exit 2" "$RC" 2
eq "unknown bank: message" "$(cat "$TMP/err")" "wattcycle: $INV: no bank named 'nosuch'"
printf 'banks = (\n  { name = "h"; strings = ( ["ghost"] ); }\n);\n' >"$TMP/bad.conf"
"$W" bank --inventory "$TMP/bad.conf" h 2>"$TMP/err"; RC=$?
eq "member that is no battery: exit 2" "$RC" 2
eq "member that is no battery: FILE:LINE: reason" "$(cat "$TMP/err")" \
	"wattcycle: $TMP/bad.conf:2: bank h: \"ghost\" is no battery (not in batteries nor configured before)"
printf 'batteries = ( { name = "a"; address = ; } );\n' >"$TMP/bad.conf"
"$W" read --inventory "$TMP/bad.conf" a 2>"$TMP/err"; RC=$?
eq "read NAME with a broken inventory: exit 2" "$RC" 2
check "read NAME: the libconfig error with file and line" grep -q "the inventory that might name it cannot be read: $TMP/bad.conf:1: syntax error" "$TMP/err"
"$W" read --inventory "$INV" nosuch 2>"$TMP/err"; RC=$?
eq "read NAME not in the inventory: exit 2" "$RC" 2
check "read NAME not in the inventory: says so" grep -q "'nosuch' is neither an address .* nor a battery of $INV" "$TMP/err"
tap_done
