#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Banks with the real collectd: four simulated batteries wired 2S2P by an
# inventory (Inventory "FILE" in <Plugin wattcycle>).  Asserts
#   - the bank's values (unixsock GETVAL) against figures computed by hand
#     from the currents and SoCs the simulators are set to, and the bank
#     voltage against the members' own pack voltages;
#   - the bank notifications (logfile): SoC spread WARNING and OKAY, a
#     string that stops carrying current FAILURE (with the member, MOSFET
#     and protection in the text) and OKAY, the share WARNING and OKAY;
#   - a member that stops answering is left out (members_online 3), and the
#     shipped thresholds (per-bank block switched on) warn about it, while
#     the bank's and strings' voltages get no cell limits;
#   - every notify_nagios result for the bank lands on a service of
#     conf/nagios/wattcycle-bank-passive-services.sh, and nagios4 -v takes
#     the shipped bank services;
#   - bad inventories make `collectd -T` exit 1 with FILE:LINE: reason.
set -u
KEEP_LOG=${KEEP_LOG:-}
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
. tests/lib/sim.sh
. tests/lib/house.sh
. tests/lib/collectd.sh
BUILD=${BUILD:-build}
TMP=$(mktemp -d)
trap 'collectd_stop_all; sim_stop_all; rm -rf "$TMP"' EXIT

# string 1 = b1 + b2, string 2 = b3 + b4; SoC 80/70 and 78/76 %
house_sims || { tap_not_ok "simulators started"; tap_done; exit 1; }

cat >"$TMP/inventory.conf" <<INV
batteries = (
  { name = "b1"; address = "unix:$TMP/b1.sock"; timeout = 0.4; },
  { name = "b2"; address = "unix:$TMP/b2.sock"; timeout = 0.4; },
  { name = "b3"; address = "unix:$TMP/b3.sock"; timeout = 0.4; }
);
INV
house_bank >>"$TMP/inventory.conf"
# The shipped thresholds (the commented per-battery/per-bank blocks on:
# "house" is the bank here) and notify_nagios writing to a file.
sed 's/^  #@ /  /' conf/thresholds.conf >"$TMP/thresholds.conf"
sed "s|/var/lib/nagios4/rw/nagios.cmd|$TMP/nagios.cmd|" conf/nagios/collectd-notify_nagios.conf >"$TMP/notify_nagios.conf"
: >"$TMP/nagios.cmd"
# b4 comes from a <Battery> block before the Inventory line: mixed.
conf() {
	collectd_conf host=ci interval=0.5 base="$TMP" log="$TMP/collectd.log" \
		unixsock="$TMP/collectd.sock" include="$TMP/thresholds.conf" include="$TMP/notify_nagios.conf" \
		wattcycle="$(collectd_battery b4 "unix:$TMP/b4.sock" Timeout 0.4)
  Inventory \"$1\""
}
conf "$TMP/inventory.conf" >"$TMP/collectd.conf"
collectd_start cd "$TMP/collectd.conf" "$TMP/collectd.out"

# val ID: the value collectd holds for ci/ID ("" when none).
val() {
	collectdctl -s "$TMP/collectd.sock" getval "ci/$1" 2>/dev/null |
		sed -n 's/^value=//p' | awk '{ printf "%.4f", $1 }'
}
# near ID WANT TOL
near() {
	local v
	v=$(val "$1")
	[[ -n $v ]] && awk -v v="$v" -v w="$2" -v t="$3" 'BEGIN { d = v - w; if (d < 0) d = -d; exit !(d <= t) }'
}
check_near() {
	if wait_until 8 near "$2" "$3" "$4"; then
		tap_ok "$1: $2 = $(val "$2") (want $3 ± $4)"
	else
		tap_not_ok "$1: $2 = '$(val "$2")', want $3 ± $4"
	fi
}
lines() { wc -l <"$1"; }
has_after() { tail -n +"$(($2 + 1))" "$1" | grep -qE -- "$3"; }
notif() { # DESC MARK SEVERITY TYPE_INSTANCE MESSAGE_RE
	check "$1" wait_until 8 has_after "$TMP/collectd.log" "$2" \
		"Notification: severity = $3, host = ci, plugin = wattcycle, plugin_instance = house, type = bool, type_instance = $4, message = $5"
}

# ---- values by hand -----------------------------------------------------
# string currents are the members' means: -12.5 and -11.9 A; bank -24.4 A
check_near "bank current (parallel strings add)" wattcycle-house/current-bank -24.4 0.02
check_near "string 1 current (series members' mean)" wattcycle-house/current-string1 -12.5 0.02
check_near "string 2 current" wattcycle-house/current-string2 -11.9 0.02
check_near "string 1 share 12.5/24.4" wattcycle-house/percent-string1_share 51.2295 0.05
check_near "string 2 share 11.9/24.4" wattcycle-house/percent-string2_share 48.7705 0.05
check_near "share imbalance" wattcycle-house/percent-share_imbalance 1.2295 0.05
check_near "SoC spread (80 - 70 in string 1)" wattcycle-house/percent-soc_spread 10 0.1
check_near "string 2 spread (78 - 76)" wattcycle-house/percent-string2_spread 2 0.1
check_near "members online" wattcycle-house/count-members_online 4 0
# bank SoC: the weakest of each string, remaining over full: (70 + 76) / 200
check_near "bank SoC (weakest member per string)" wattcycle-house/percent-soc 73 0.1
check_near "bank full charge" wattcycle-house/charge-full 200 0.01
# series voltages add, strings average: from the members' own readings
# (each at rest-ish on its own SoC; they move slowly, so a tolerance)
vsum=$(for b in b1 b2 b3 b4; do val "wattcycle-$b/voltage-pack"; echo; done | awk 'NF { s += $1; n++ } END { if (n == 4) printf "%.4f", s / 2 }')
if [[ -n $vsum ]]; then
	check_near "bank voltage = (b1 + b2 + b3 + b4) / 2" wattcycle-house/voltage-bank "$vsum" 0.05
else
	tap_not_ok "members' pack voltages missing"
fi
check "bank power = sum of string V x I (negative: discharging)" \
	bash -c '[[ $(collectdctl -s "$1" getval ci/wattcycle-house/power-bank | sed -n "s/^value=//p" | awk "{ print (\$1 < -600 && \$1 > -700) }") == 1 ]]' _ "$TMP/collectd.sock"
notif "SoC spread 10 % > 5 %: WARNING" 0 WARNING soc_spread \
	"house: SoC spread 10\.[0-9] % in string 1 exceeds 5\.0 %"
check "the inventory was read (INFO line)" grep -q "wattcycle plugin: $TMP/inventory.conf: 3 batteries, 1 bank" "$TMP/collectd.log"

# ---- string 2 opens: b4's DSG MOSFET off (DSG OCP), string 1 takes it ---
# (the simulators change one after the other, so the plugin may see steps
# in between: the texts are checked for the final state where it matters)
m=$(lines "$TMP/collectd.log")
sim_ctl b4 alarm b4 dsg_ocp on
sim_ctl b3 set b3 current 0
sim_ctl b1 set b1 current -25.1
sim_ctl b2 set b2 current -25.1
notif "string 2 carries no current: FAILURE with the cause" "$m" FAILURE string-2 \
	"house: string 2 carries 0\.0 A of -[0-9.]+ A: b4 discharge MOSFET off \(DSG OCP\(A\)\)"
notif "string 2's share 0 %: WARNING" "$m" WARNING share-2 \
	"house: string 2 carries [0-9.]+ % of the bank current \(-?[0-9.]+ A of -[0-9.]+ A\), more than 25\.0 points from the even share 50\.0 %"
check_near "string 1 carries the whole bank current" wattcycle-house/current-string1 -25.1 0.02
m=$(lines "$TMP/collectd.log")
sim_ctl b4 alarm b4 dsg_ocp off
sim_ctl b1 set b1 current -12.6
sim_ctl b2 set b2 current -12.4
sim_ctl b3 set b3 current -12.0
notif "string 2 carries again: OKAY" "$m" OKAY string-2 "house: string 2 carries -[0-9.]+ A of -[0-9.]+ A again"
notif "share back: OKAY" "$m" OKAY share-2 "house: string 2 carries its share of the bank current again"

m=$(lines "$TMP/collectd.log")
sim_ctl b2 set b2 soc 79
notif "SoC spread back within 5 %: OKAY" "$m" OKAY soc_spread "house: SoC spread [0-4]\.[0-9] % is within 5\.0 % again"

eb=$(val wattcycle-house/energy_wh-discharged)
check "bank energy: Wh discharged counted ($eb), none charged" \
	awk -v d="$eb" -v c="$(val wattcycle-house/energy_wh-charged)" 'BEGIN { exit !(d > 0.05 && c == 0) }'

# ---- a member stops answering -------------------------------------------
mk=$(lines "$TMP/collectd.log")
sim_ctl b3 kill b3
check_near "b3 silent: members online 3" wattcycle-house/count-members_online 3 0
check "thresholds: members_online 3 < 3.5: WARNING (per-bank block)" wait_until 8 has_after "$TMP/collectd.log" "$mk" \
	"severity = WARNING, host = ci, plugin = wattcycle, plugin_instance = house, type = count, type_instance = members_online, message = .*is currently 3\.0+\. That is below the warning threshold of 3\.50*\."
ebefore=$(val wattcycle-b1/energy_wh-discharged)
collectd_stop cd
[[ -n $KEEP_LOG ]] && cp "$TMP/collectd.log" "$KEEP_LOG"
check "no ERROR besides b3's failed polls" bash -c '! grep -v "b3: poll failed" "$1" | grep -q "\[error\]"' _ "$TMP/collectd.log"

check "thresholds: no cell limits on the bank's and strings' voltages" bash -c \
	'! grep -E "severity = (WARNING|FAILURE), .*plugin_instance = house, type = voltage, type_instance = (bank|string[0-9])," "$1"' _ "$TMP/collectd.log"
check "thresholds: the bank voltage has the per-bank 24 V block" grep -qE \
	"severity = OKAY, host = ci, plugin = wattcycle, plugin_instance = house, type = voltage, type_instance = bank," "$TMP/collectd.log"

# ---- Nagios: passive services for the bank, the shipped bank services ----
conf/nagios/wattcycle-bank-passive-services.sh ci house 2 b1 b2 b3 b4 >"$TMP/bank-passive.cfg"
missing=$(comm -23 <(cut -d';' -f3 "$TMP/nagios.cmd" | grep '^wattcycle-house/' | sort -u) \
	<(sed -n 's/^ *service_description *//p' "$TMP/bank-passive.cfg" | sort -u))
check "notify_nagios wrote bank results" grep -q ';wattcycle-house/bool-string-2;2;' "$TMP/nagios.cmd"
eq "every bank service notify_nagios wrote to has a generated passive service" "$missing" ""
mkdir -p "$TMP/ng/checkresults"
echo '$USER1$=/usr/lib/nagios/plugins' >"$TMP/ng/resource.cfg"
{
	echo "log_file=$TMP/ng/nagios.log"
	echo "resource_file=$TMP/ng/resource.cfg"
	for f in commands contacts timeperiods templates; do echo "cfg_file=/etc/nagios4/objects/$f.cfg"; done
	for f in wattcycle-commands wattcycle-templates wattcycle-host wattcycle-bank-services; do
		echo "cfg_file=$PWD/conf/nagios/$f.cfg"
	done
	echo "cfg_file=$TMP/bank-passive.cfg"
	for k in object_cache_file:objects.cache precached_object_file:objects.precache status_file:status.dat \
		lock_file:nagios.lock temp_file:nagios.tmp command_file:nagios.cmd check_result_path:checkresults; do
		echo "${k%%:*}=$TMP/ng/${k#*:}"
	done
	echo "nagios_user=$(id -un)"
	echo "nagios_group=$(id -gn)"
	echo 'illegal_macro_output_chars=`~$&|'"'"'"<>'
} >"$TMP/ng/nagios.cfg"
sed -i "s/host_name               ci$/host_name               boat/" "$TMP/bank-passive.cfg"
nagios4 -v "$TMP/ng/nagios.cfg" >"$TMP/ng/verify.out" 2>&1
eq "nagios4 -v accepts the shipped bank services and the generated passive ones" "$?" 0
check "nagios4 -v: 0 errors, 0 warnings" bash -c 'grep -q "^Total Errors: *0$" "$1" && grep -q "^Total Warnings: *0$" "$1"' _ "$TMP/ng/verify.out"

# ---- energy totals kept across a restart (BaseDir state files) ----------
energy() { sed -n "s/^$2 //p" "$TMP/wattcycle-$1.energy" 2>/dev/null; }
e1=$(energy b1 discharged_wh)
check "b1's state file holds its discharged Wh ($e1, collectd said $ebefore)" \
	awk -v a="$e1" -v b="$ebefore" 'BEGIN { exit !(a > 0 && a >= b - 0.001) }'
check "the bank's state file too" test -n "$(energy house discharged_wh)"
check "state files replaced atomically: no .tmp left" bash -c '! ls "$1"/*.energy.tmp 2>/dev/null | grep -q .' _ "$TMP"
sim_ctl b3 revive b3
timeout 30 /usr/sbin/collectd -T -C "$TMP/collectd.conf" >/dev/null 2>&1
e2=$(energy b1 discharged_wh)
check "after a restart b1's total goes on from $e1 ($e2)" \
	awk -v a="$e1" -v b="$e2" 'BEGIN { exit !(b >= a && a > 0) }'

# ---- bad inventories: collectd -T refuses with FILE:LINE: reason ---------
bad() { # DESC INVENTORY_TEXT REASON_RE
	printf '%s\n' "$2" >"$TMP/bad.conf"
	conf "$TMP/bad.conf" >"$TMP/bad-collectd.conf"
	rm -f "$TMP/collectd.log"
	timeout 20 /usr/sbin/collectd -T -C "$TMP/bad-collectd.conf" >"$TMP/bad.out" 2>&1
	local rc=$?
	if [[ $rc == 1 ]] && grep -qE -- "wattcycle plugin: $TMP/bad.conf:$3" "$TMP/collectd.log" "$TMP/bad.out"; then
		tap_ok "$1: collectd -T exits 1 and says why"
	else
		tap_not_ok "$1: rc $rc"; sed 's/^/#   /' "$TMP/collectd.log" "$TMP/bad.out" 2>/dev/null | grep -i wattcycle | head -5
	fi
}
bad "libconfig syntax error" 'batteries = ( { name = "x"; address = ; } );' \
	'1: syntax error'
bad "member that is no battery" 'banks = (
  { name = "h"; strings = ( ["b4", "ghost"] ); }
);' '2: bank h: "ghost" is no battery'
bad "battery in two banks" 'banks = (
  { name = "h"; strings = ( ["b4"] ); },
  { name = "v"; strings = ( ["b4"] ); }
);' '3: bank v: battery "b4" is already in bank h'
bad "duplicate of a <Battery> block" 'batteries = (
  { name = "B4"; address = "unix:/x"; }
);' '2: battery "B4": the name is already taken by a <Battery "b4"> block'
tap_done
