#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The BLE suite, run INSIDE the VM (scripts/blevm --controllers 12): every
# check goes through the kernel's HCI and L2CAP code with btvirt's emulated
# LE controllers.  hci1..hci5 carry one simulated battery each.  hci0 is
# the central of the scans and reads and of b1..b3 in collectd (three
# batteries through one adapter); b4 and b5 get centrals of their own
# (hci8, hci9).  The plugin gives a polling battery its adapter from the
# connect until the link is gone, which btvirt needs: it cannot carry two
# LE links of one controller at once.  Its controllers number connection
# handles each on its own (the first free one from 42), and an ACL packet
# reaches the peer's host with the SENDER's handle unchanged: a central's
# second link is 43 while a fresh peripheral calls it 42, so that side's
# data lands on an unknown handle or on the other link.  In the VM, two
# reads at once through hci0 (links 42 and 43 there): one went through,
# the other got no answer to its first ATT request; without the turns, one
# collectd battery of three through hci0 got data and the others timed out
# every poll.  Links one after another all work.
# hci10 scans while collectd holds b5.  hci11 carries j1, a JBD-family
# battery (a DISCOVER), scanned and read through hci0 before collectd
# starts.
#
# The batteries b1..b5 have twins u1..u5 on unix sockets (same model, same
# settings): what the unix transport gives is the reference for what BLE
# must give.  b4 refuses the HiLink unlock; b5 is kept connected.
#
# Prints TAP; run by tests/integration/ble_vm.sh on the host.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
BUILD=${BUILD:-build}
TMP=$(mktemp -d)
. tests/lib/sim.sh
. tests/lib/collectd.sh
CLI=$BUILD/wattcycle
HCIDUMP_PID=

stop_pid() {
	local pid=$1
	[[ -n $pid ]] || return 0
	kill -TERM "$pid" 2>/dev/null
	local deadline=$((SECONDS + 10))
	while kill -0 "$pid" 2>/dev/null && ((SECONDS <= deadline)); do sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
cleanup() {
	collectd_stop_all
	stop_pid "$HCIDUMP_PID"; HCIDUMP_PID=
	sim_stop_all
	rm -rf "$TMP"
}
trap cleanup EXIT

# wait_until SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_until() {
	local deadline=$((SECONDS + $1)); shift
	until "$@"; do
		((SECONDS > deadline)) && return 1
		sleep 0.2
	done
}
bail() { tap_not_ok "$*"; tap_done; exit 1; }

# ==== with bluetoothd: scan beside its discovery ==============================
# The second boot (tests/integration/ble_vm.sh: scripts/blevm --bluetoothd
# --controllers 3) runs `suite.sh --bluetoothd`: only the parts in this
# section, each a function named btd_*.  hci0 is the central, hci1 and
# hci2 carry a battery each.  Owners run bluetoothd, often scanning; the
# scan must see the batteries beside it and leave its discovery alone.
btd_scan() {
	local monlog=$TMP/mgmt.btsnoop mon a1 a2 want seq
	btmon -w "$monlog" >/dev/null 2>&1 &
	mon=$!
	cat >"$TMP/btd.cfg" <<-'CFG'
	batteries = (
	  { name = "b1"; adapter = "hci1"; cells = 4; soc = 80.0; },
	  { name = "b2"; adapter = "hci2"; cells = 4; soc = 60.0; }
	);
	CFG
	sim_start sim --scenario "$TMP/btd.cfg" || bail "simulator with two BLE batteries started"
	a1=$(awk '$2 == "ble" && $6 == "hci1" { print $4 }' "$TMP/sim.out")
	a2=$(awk '$2 == "ble" && $6 == "hci2" { print $4 }' "$TMP/sim.out")
	want=$(printf '%s\n' "$a1" "$a2" | sort | tr '\n' ' ')
	found() { jq -r '.[] | .address' "$1" 2>/dev/null | sort | tr '\n' ' '; }
	discovering() { bluetoothctl show 2>/dev/null | grep -q 'Discovering: yes'; }
	check "bluetoothd runs and hci0 is powered (bluetoothctl show)" \
		bash -c 'bluetoothctl show 2>/dev/null | grep -q "Powered: yes"'
	sleep 2 # the simulator's "ready" comes just before its advertising starts

	# bluetoothd idle: the scan runs its own discovery, and stops it
	"$CLI" scan --adapter hci0 --timeout 4 --json >"$TMP/own.json" 2>"$TMP/own.err"
	eq "bluetoothd idle: scan exit 0" "$?" 0
	eq "bluetoothd idle: scan lists both batteries" "$(found "$TMP/own.json")" "$want"
	[[ $(found "$TMP/own.json") == "$want" ]] || sed 's/^/#   /' "$TMP/own.json" "$TMP/own.err"

	# not root: the sentence, not a silent empty list
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CLI" scan --adapter hci0 --timeout 2 \
		>/dev/null 2>"$TMP/nobody.err"
	eq "scan as nobody: exit 1" "$?" 1
	check "scan as nobody: permission denied, with the fix" \
		grep -q 'permission denied for LE discovery on hci0: run as root or grant CAP_NET_ADMIN' "$TMP/nobody.err"

	# bluetoothctl scan on in the background: bluetoothd discovers
	bluetoothctl --timeout 120 scan on >"$TMP/btctl.out" 2>&1 &
	BTCTL_PID=$!
	check "bluetoothctl scan on: bluetoothd discovering" wait_until 20 discovering
	sleep 2
	# 20 s spans a round of bluetoothd's discovery (the kernel ends a
	# round after ~10 s, bluetoothd starts the next ~5 s later): a device
	# reported before the scan began is reported again in the next round
	"$CLI" scan --adapter hci0 --timeout 20 --json >"$TMP/joined.json" 2>"$TMP/joined.err"
	eq "beside bluetoothd's discovery: scan exit 0" "$?" 0
	eq "beside bluetoothd's discovery: scan lists both batteries" "$(found "$TMP/joined.json")" "$want"
	[[ $(found "$TMP/joined.json") == "$want" ]] || sed 's/^/#   /' "$TMP/joined.json"
	sed 's/^/# scan stderr: /' "$TMP/joined.err"
	check "after the scan: bluetoothd still discovering (bluetoothctl show)" discovering
	check "bluetoothd found the batteries too (bluetoothctl devices)" \
		bash -c 'd=$(bluetoothctl devices); grep -qi "$1" <<<"$d" && grep -qi "$2" <<<"$d"' _ "$a1" "$a2"
	# The kernel's view, btmon's record of the management commands: our
	# own discovery started and stopped; then bluetoothd's start, our
	# scan's start (answered Busy), bluetoothd's next rounds, and no Stop
	# Discovery from anybody while bluetoothctl still runs.
	sleep 1
	kill "$mon" 2>/dev/null; wait "$mon" 2>/dev/null
	btmon -r "$monlog" >"$TMP/mgmt.txt" 2>/dev/null
	seq=$(awk '/^@ MGMT Command: Start (Service |Limited )?Discovery/ { print "start" }
		/^@ MGMT Command: Stop Discovery/ { print "stop" }' "$TMP/mgmt.txt" | tr '\n' ' ')
	check "mgmt: own discovery started and stopped; beside bluetoothd's, only starts, never a stop ($seq)" \
		bash -c '[[ $1 =~ ^start\ stop\ start\ start\ (start\ )*$ ]]' _ "$seq"
	check "mgmt: the scan's Start Discovery beside bluetoothd's was answered Busy" \
		grep -q 'Status: Busy (0x0a)' "$TMP/mgmt.txt"
	kill "$BTCTL_PID" 2>/dev/null; wait "$BTCTL_PID" 2>/dev/null; BTCTL_PID=
	sim_stop_all
	# a failure above: the management traffic and hci0's commands, as TAP comments
	((_tap_failed > 0)) && grep -E '^(@|< HCI Command|> HCI Event: Command)' "$TMP/mgmt.txt" | grep -v 'hci[12]\]' | sed 's/^/# /' | head -80
}

# ==== with bluetoothd: links beside it (tests/vm/links.sh) =====================
# Its own simulator on hci3..hci6; hci0 (bluetoothd's default adapter,
# where it discovers; idle after btd_scan) and hci7 as centrals.
btd_links() {
	local LINKS_C1=hci0 LINKS_C2=hci7 LINKS_BATS="hci3 hci4 hci5 hci6"
	. tests/vm/links.sh
	links_main
}

if [[ ${1:-} == --bluetoothd ]]; then
	BTCTL_PID=
	trap 'kill "$BTCTL_PID" 2>/dev/null; cleanup' EXIT
	btd_scan
	btd_links
	tap_done
	exit
fi

# ---- the kernel and the controllers ----------------------------------------
check "the kernel has AF_BLUETOOTH (L2CAP socket)" \
	python3 -c 'import socket; socket.socket(socket.AF_BLUETOOTH, socket.SOCK_SEQPACKET, socket.BTPROTO_L2CAP)'
up=$(hciconfig | grep -c 'UP RUNNING')
eq "twelve LE controllers from btvirt, all powered" "$up" 12

# ---- the simulators: four BLE batteries and their unix twins ----------------
battery() { # NAME WHERE EXTRA
	printf '  { name = "%s"; %s cells = %s; soc = %s; %s },\n' "$1" "$2" "$3" "$4" "$5"
}
{
	echo 'batteries = ('
	battery b1 'adapter = "hci1";' 4 80.0 ''
	battery b2 'adapter = "hci2";' 8 55.0 ''
	battery b3 'adapter = "hci3";' 4 90.0 ''
	battery b4 'adapter = "hci4";' 4 70.0 'unlock_key = "NotHiLink";'
	battery b5 'adapter = "hci5";' 4 65.0 ''
	battery u1 "socket = \"$TMP/u1.sock\";" 4 80.0 ''
	battery u2 "socket = \"$TMP/u2.sock\";" 8 55.0 ''
	battery u3 "socket = \"$TMP/u3.sock\";" 4 90.0 ''
	battery u4 "socket = \"$TMP/u4.sock\";" 4 70.0 'unlock_key = "NotHiLink";'
	battery u5 "socket = \"$TMP/u5.sock\";" 4 65.0 ''
	battery j1 'adapter = "hci11";' 4 75.0 'family = "jbd";'
	battery uj1 "socket = \"$TMP/uj1.sock\";" 4 75.0 'family = "jbd";'
	echo ');'
} | sed '$!N; s/},\n);/}\n);/; P; D' >"$TMP/bank.cfg"
sim_start sim --scenario "$TMP/bank.cfg" || bail "simulator with five BLE batteries started"
tap_ok "simulator with five BLE batteries and five unix twins started"
declare -A ADDR
for i in 1 2 3 4 5; do
	ADDR[b$i]=$(awk -v a="hci$i" '$2 == "ble" && $6 == a { print $4 }' "$TMP/sim.out")
done
ADDR[j1]=$(awk '$2 == "ble" && $6 == "hci11" { print $4 }' "$TMP/sim.out")
check "the JBD battery prints its ble line (WTaHdB1 name, random static EE:C2:37 address)" \
	grep -qE "^wattcycle-sim: ble WTaHdB1[0-9]{10} EE:C2:37:0B:[0-9A-F]{2}:[0-9A-F]{2} random hci11$" "$TMP/sim.out"
check "each battery prints its ble line (name, random static address, controller)" \
	bash -c '[[ $(grep -cE "^wattcycle-sim: ble XDZN_001_[0-9A-F]{4} C0:D6:3C:0[1-5]:[0-9A-F]{2}:[0-9A-F]{2} random hci[1-5]$" "$1") == 5 ]]' _ "$TMP/sim.out"
ctl() { sim_ctl sim "$@"; }
state() { "$SIM" ctl "$TMP/sim.ctl" state "$1" | jq -r "$2"; }
conns() { grep -c "^wattcycle-sim: $1: central connected" "$TMP/sim.out"; }

# ---- a controller that does not exist ---------------------------------------
out=$(timeout 20 "$SIM" --ble hci15 2>&1); rc=$?
eq "--ble hci15 (no such controller): exit 1" "$rc" 1
eq "--ble hci15: the sentence" "$out" "wattcycle-sim: no Bluetooth adapter hci15"

# ---- scan: three batteries (b3, b4, b5 stop advertising when killed) --------
ctl kill b3; ctl kill b4; ctl kill b5
"$CLI" scan --adapter hci0 --timeout 4 --json >"$TMP/scan.json" 2>"$TMP/scan.err"
eq "scan --adapter hci0: exit 0" "$?" 0
eq "scan lists exactly the three advertising batteries, with their families" \
	"$(jq -r '[.[] | .address + "=" + .family] | sort | join(" ")' "$TMP/scan.json")" \
	"$(printf '%s\n' "${ADDR[b1]}=watt" "${ADDR[b2]}=watt" "${ADDR[j1]}=jbd" | sort | tr '\n' ' ' | sed 's/ $//')"
for b in b1 b2; do
	eq "scan: $b's record (address type, name = XDZN_001_ + its address, family, FFF0, manufacturer data = address + ff)" \
		"$(jq -c --arg a "${ADDR[$b]}" '.[] | select(.address == $a) | [.address_type, .name, .family, .services, .manufacturer_data]' "$TMP/scan.json")" \
		"$(jq -nc --arg a "${ADDR[$b]}" '["random", ("XDZN_001_" + ($a | split(":") | .[4:] | join(""))), "watt",
			["0000fff0-0000-1000-8000-00805f9b34fb"], (($a | split(":") | join("") | ascii_downcase) + "ff")]')"
done
eq "scan: j1's record (address type, WTaHd name, family jbd, FFF0, manufacturer data = address + 10 12 SoC 11 03 00 0D 00)" \
	"$(jq -c --arg a "${ADDR[j1]}" '.[] | select(.address == $a) | [.address_type, (.name | test("^WTaHdB1[0-9]{10}$")), .family, .services, .manufacturer_data]' "$TMP/scan.json")" \
	"$(jq -nc --arg a "${ADDR[j1]}" '["random", true, "jbd",
		["0000fff0-0000-1000-8000-00805f9b34fb"], (($a | split(":") | join("") | ascii_downcase) + "10124b1103000d00")]')"
"$CLI" scan --adapter hci0 --timeout 3 >"$TMP/scan.txt" 2>&1
check "scan table: address, type, RSSI column, family, name" \
	grep -qE "^${ADDR[b1]} random +(-?[0-9]+|\?) +watt +XDZN_001_" "$TMP/scan.txt"
# btvirt's controllers report RSSI 127 ("not available") in every report
if jq -e '.[] | select(.rssi_dbm != null)' "$TMP/scan.json" >/dev/null; then
	tap_ok "scan: RSSI reported by the controller"
else
	check "scan: RSSI column present; btvirt reports 127 (not available), shown as ?" \
		grep -qE "^${ADDR[b1]} random +\? " "$TMP/scan.txt"
fi
ctl revive b3; ctl revive b4; ctl revive b5
check "revived batteries advertise again (ble line printed again)" \
	bash -c '[[ $(grep -c "^wattcycle-sim: ble .* hci[345]$" "$1") == 6 ]]' _ "$TMP/sim.out"

# ---- read over BLE = read over unix -----------------------------------------
# Twins share settings, not their noise: exact fields must match, cell
# voltages within 5 mV and temperatures within 0.5 °C.
exact='{current_a, soc_pct, remaining_ah, full_ah, design_ah, cycles, charge_mos, discharge_mos, mode, active, balancing, registers, firmware, manufacturer}'
same_reading() { # BLE_JSON UNIX_JSON
	[[ $(jq -cS "$exact" "$1") == "$(jq -cS "$exact" "$2")" ]] &&
	[[ $(jq -c '[paths | map(tostring) | join(".")] | sort' "$1" | sed 's/"link",//; s/"rssi_dbm",//') == \
	   "$(jq -c '[paths | map(tostring) | join(".")] | sort' "$2" | sed 's/"link",//; s/"rssi_dbm",//')" ]] &&
	jq -e --slurpfile u "$2" '. as $b | $u[0] as $u |
		([$b.cells_v, $u.cells_v] | transpose | all(.[0] - .[1] | fabs <= 0.005)) and
		(($b.voltage_v - $u.voltage_v) | fabs <= 0.05) and
		((($b.temps_c.mos // 0) - ($u.temps_c.mos // 0)) | fabs <= 0.5) and
		((($b.temps_c.env // 0) - ($u.temps_c.env // 0)) | fabs <= 0.5) and
		([$b.temps_c.probes, $u.temps_c.probes] | transpose | all(.[0] - .[1] | fabs <= 0.5))' "$1" >/dev/null
}
# btvirt carries one LE link per controller at a time (see the top): each
# read waits for hci0 to have no link left.
hci0_idle() { wait_until 15 bash -c '[[ $(hcitool -i hci0 con | grep -c "LE ") == 0 ]]'; }
hci0_idle
"$CLI" read "${ADDR[b1]}" --adapter hci0 --json --timeout 20 >"$TMP/b1.json" 2>"$TMP/b1.err"
eq "read ${ADDR[b1]} --adapter hci0 --json: exit 0" "$?" 0
"$CLI" read "unix:$TMP/u1.sock" --json >"$TMP/u1.json" 2>"$TMP/u1.err"
eq "read over BLE: link \"ble\" (unix: \"unix\")" "$(jq -r .link "$TMP/b1.json") $(jq -r .link "$TMP/u1.json")" "ble unix"
check "read over BLE: the same fields as over unix (cells, current, SoC, temperatures, codes, registers, info)" \
	same_reading "$TMP/b1.json" "$TMP/u1.json"
four_cells() { jq -e '(.cells_v | length) == 4 and .soc_pct == 80' "$TMP/b1.json" >/dev/null; }
check "read over BLE: 4 cells and SoC 80 %" four_cells
hci0_idle
"$CLI" read "${ADDR[b2]}" --adapter hci0 --json --timeout 20 >"$TMP/b2.json" 2>/dev/null
"$CLI" read "unix:$TMP/u2.sock" --json >"$TMP/u2.json" 2>/dev/null
check "read over BLE, 8S battery: the same fields as over unix" same_reading "$TMP/b2.json" "$TMP/u2.json"
# the JBD battery: the same reading over BLE as from its unix twin
hci0_idle
"$CLI" read "${ADDR[j1]}" --adapter hci0 --json --timeout 20 >"$TMP/j1.json" 2>"$TMP/j1.err"
eq "read ${ADDR[j1]} (JBD) --adapter hci0 --json: exit 0" "$?" 0
"$CLI" read "unix:$TMP/uj1.sock" --json >"$TMP/uj1.json" 2>/dev/null
eq "read over BLE, JBD battery: family jbd, link ble" "$(jq -r '.family + " " + .link' "$TMP/j1.json")" "jbd ble"
check "read over BLE, JBD battery: the same fields as over unix (cells, current, SoC, temperatures, info)" \
	same_reading "$TMP/j1.json" "$TMP/uj1.json"
jbd_cells() { jq -e '(.cells_v | length) == 4 and .soc_pct == 75' "$TMP/j1.json" >/dev/null; }
check "read over BLE, JBD battery: 4 cells and SoC 75 %" jbd_cells
# the battery that refuses the unlock: the same sentence over both links
hci0_idle
"$CLI" read "${ADDR[b4]}" --adapter hci0 --timeout 20 >/dev/null 2>"$TMP/b4.err"; rc_b=$?
"$CLI" read "unix:$TMP/u4.sock" --timeout 20 >/dev/null 2>"$TMP/u4.err"; rc_u=$?
eq "read, unlock refused: exit 1 over BLE as over unix" "$rc_b $rc_u" "1 1"
eq "read, unlock refused: the same message as over unix" \
	"$(sed "s|${ADDR[b4]}|ADDR|g" "$TMP/b4.err")" "$(sed "s|unix:$TMP/u4.sock|ADDR|g" "$TMP/u4.err")"

# ---- collectd: three BLE batteries through hci0, their twins over unix ------
hcidump -i hci0 -R >"$TMP/hci0.dump" 2>/dev/null &
HCIDUMP_PID=$!
mkdir -p "$TMP/csv"
body=
for i in 1 2 3 4 5; do
	# b1..b3 through hci0, taking turns; b4, b5 on hci8, hci9
	keep=false hci=hci0
	((i > 3)) && hci=hci$((i + 4))
	[[ $i == 5 ]] && keep=true
	opts=(Timeout 5.5 KeepConnected "$keep" OfflineAfter 2)
	body+=$(collectd_battery "b$i" "${ADDR[b$i]}" Adapter "\"$hci\"" "${opts[@]}")$'\n'
	body+=$(collectd_battery "u$i" "unix:$TMP/u$i.sock" "${opts[@]}")$'\n'
done
collectd_conf host=vm base="$TMP" interval=6 log="$TMP/collectd.log" \
	csv="$TMP/csv" wattcycle="$body" >"$TMP/collectd.conf"
collectd_start vm "$TMP/collectd.conf" "$TMP/collectd.out"

rows() { # BATTERY SERIES: rows in its csv file(s)
	cat "$TMP/csv/vm/wattcycle-$1/$2"-* 2>/dev/null | grep -c '^[0-9]'
}
last() { # BATTERY SERIES: the last value
	cat "$TMP/csv/vm/wattcycle-$1/$2"-* 2>/dev/null | grep '^[0-9]' | tail -n 1 | cut -d, -f2
}
series() { # BATTERY: its series names
	ls "$TMP/csv/vm/wattcycle-$1" 2>/dev/null | sed 's/-[0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}$//' | sort -u
}
polls_at_least() { local b; for b in b1 b2 b3 b5 u1; do (($(rows "$b" percent-soc) >= $1)) || return 1; done; }
if wait_until 90 polls_at_least 6; then
	tap_ok "collectd: six polls of every BLE battery (Interval 6, b1..b3 through hci0)"
else
	tap_not_ok "collectd: fewer than six polls: b1 $(rows b1 percent-soc), b2 $(rows b2 percent-soc), b3 $(rows b3 percent-soc)"
	sed 's/^/#   /' "$TMP/collectd.log" | tail -n 30
fi
for i in 1 2 3 5; do
	eq "collectd: b$i (BLE) sends every series u$i (unix) sends" "$(series "b$i" | grep -v '^signal_power-rssi$')" \
		"$(series "u$i" | grep -v '^signal_power-rssi$')"
done
check "collectd: duration-poll for every BLE battery" bash -c \
	'for b in b1 b2 b3 b5; do ls "$1"/csv/vm/wattcycle-$b/duration-poll-* >/dev/null 2>&1 || exit 1; done' _ "$TMP"
if [[ -n $(series b1 | grep '^signal_power-rssi$') ]]; then
	tap_ok "collectd: signal_power-rssi for the BLE batteries"
else
	# btvirt answers HCI Read RSSI with "Unknown HCI Command": no reading,
	# no series, and no error logged for it
	check "collectd: no signal_power-rssi where the controller gives no RSSI (btvirt), and no error for it" \
		bash -c '! grep -qi "rssi" "$1"' _ "$TMP/collectd.log"
fi
eq "collectd: b4 and u4 (refuse the unlock) have no values" "$(rows b4 percent-soc) $(rows u4 percent-soc)" "0 0"
norm() { # FILE NAME ADDR: the plugin's messages about NAME, names and addresses replaced
	grep -E "(plugin_instance = $2,|wattcycle plugin: $2: )" "$1" | sed -e 's/^\[[^]]*\] //' \
		-e "s|$2|BAT|g" -e "s|$3|ADDR|g" | sort -u
}
m_b4=$(norm "$TMP/collectd.log" b4 "${ADDR[b4]}")
m_u4=$(norm "$TMP/collectd.log" u4 "unix:$TMP/u4.sock")
check "collectd, unlock refused: a message naming the HiLink unlock" grep -q 'HiLink unlock' <<<"$m_b4"
eq "collectd, unlock refused: the same messages as over unix" "$m_b4" "$m_u4"

# KeepConnected true: b5 connected once for all its polls; b1 once a poll
# polls counted before connections: a poll that ends between the two counts
# is then in neither
n5=$(conns b5); p5=$(rows b5 percent-soc); p1=$(rows b1 percent-soc); n1=$(conns b1)
eq "KeepConnected true: one connection across $p5 polls (counted at the simulator)" "$n5" 1
# the CLI's reads connected b1 twice before collectd started
check "KeepConnected false: a connection per poll ($((n1 - 1)) connections, $p1 polls)" test $((n1 - 1)) -ge "$p1"

# a scan from hci6 while collectd holds b5: the battery that has a
# central does not advertise
"$CLI" scan --adapter hci10 --timeout 3 --json >"$TMP/scan2.json" 2>/dev/null
b5_hidden() { jq -e --arg a "${ADDR[b5]}" --arg b "${ADDR[b1]}" 'all(.[]; .address != $a) and any(.[]; .address == $b)' "$TMP/scan2.json" >/dev/null; }
check "advertising stops while a central holds the link (b5 kept: not in a scan; b1 is)" b5_hidden

# ---- alarm injected through the control socket ------------------------------
mark=$(wc -l <"$TMP/collectd.log")
ctl alarm b2 dsg_ocp on; ctl alarm u2 dsg_ocp on
alarm_seen() { tail -n +"$((mark + 1))" "$TMP/collectd.log" | grep -q "plugin_instance = $1, type = bool, type_instance = dsg_ocp"; }
check "alarm dsg_ocp on b2: FAILURE notification over BLE" wait_until 30 alarm_seen b2
wait_until 30 alarm_seen u2
notes() { # NAME: its notifications since the mark, name replaced
	tail -n +"$((mark + 1))" "$TMP/collectd.log" | grep "Notification: .*plugin_instance = $1," |
		sed -e 's/^\[[^]]*\] //' -e "s/$1/BAT/g" | sort -u
}
check "alarm dsg_ocp: the message names the code" grep -q 'BAT: DSG OCP(A)' <<<"$(notes b2)"
eq "alarm dsg_ocp: the same notifications as over unix" "$(notes b2)" "$(notes u2)"
ctl alarm b2 dsg_ocp off; ctl alarm u2 dsg_ocp off

# ---- b1 killed mid-poll and revived ------------------------------------------
# The latency fault holds every answer 200 ms: a poll takes a few seconds,
# so the battery vanishes while collectd is linked and waiting.
ctl set b1 latency_ms 200; ctl fault b1 latency on
connected() { [[ $(state b1 .connected) == true ]]; }
# killed at once when seen linked (a second look could fall between polls)
check "b1 killed while collectd polls it (linked)" wait_until 30 connected
ctl kill b1
kill_t=$SECONDS
mark=$(wc -l <"$TMP/collectd.log")
# b5 (its own adapter): b1's connect attempts keep hci0 busy until their
# deadline, so b2 and b3 get fewer turns while b1 is gone; the window is
# about two intervals
b5_before=$(rows b5 percent-soc)
offline() { [[ $(last b1 bool-online) == 0* ]]; }
check "b1 gone: bool-online 0" wait_until 40 offline
unreach() { tail -n +"$((mark + 1))" "$TMP/collectd.log" | grep -q "severity = FAILURE.*plugin_instance = b1, type = bool, type_instance = online, message = b1: unreachable for 2 polls (last error: "; }
check "b1 gone: the unreachable FAILURE after OfflineAfter (2 polls)" wait_until 40 unreach
# b1 stays gone until revived below: b5 must go on being polled meanwhile
b5_polled() { (($(rows b5 percent-soc) - b5_before >= 2)); }
wait_until 20 b5_polled
b5_after=$(rows b5 percent-soc)
check "collectd never blocked: b5 polled $((b5_after - b5_before)) times while b1 was gone ($((SECONDS - kill_t)) s)" \
	test $((b5_after - b5_before)) -ge 2
mark=$(wc -l <"$TMP/collectd.log")
rows_gone=$(rows b1 percent-soc)
ctl fault b1 latency off; ctl revive b1
okay() { tail -n +"$((mark + 1))" "$TMP/collectd.log" | grep -q "severity = OKAY.*plugin_instance = b1, type = bool, type_instance = online, message = b1: reachable again"; }
check "b1 revived: OKAY notification" wait_until 40 okay
more_values() { (($(rows b1 percent-soc) > rows_gone)) && [[ $(last b1 bool-online) == 1* ]]; }
check "b1 revived: values again, bool-online 1" wait_until 40 more_values

# ---- the adapter's connects never overlap ------------------------------------
collectd_stop vm
check "collectd stopped cleanly (no crash in its log)" bash -c '! grep -qiE "segfault|abort|assert" "$1"' _ "$TMP/collectd.out"
sleep 1
stop_pid "$HCIDUMP_PID"; HCIDUMP_PID=
# hcidump -R: "< 01 0D 20" LE Create Connection, "> 04 3E LL 01" LE
# Connection Complete (0x0A enhanced); 0x43 0x20 the extended create.
seq=$(awk '
	/^< 01 0D 20/ || /^< 01 43 20/ { print "C"; next }
	/^> 04 3E [0-9A-F][0-9A-F] 01 / || /^> 04 3E [0-9A-F][0-9A-F] 0A / { print "D" }
' "$TMP/hci0.dump" | tr -d '\n')
creates=$(tr -cd C <<<"$seq" | wc -c)
check "hci0: $creates LE connects during the collectd run, each completed before the next started" \
	bash -c '[[ $1 -ge 6 && ! $2 =~ CC ]]' _ "$creates" "$seq"
# links up ("U": LE Connection Complete, status 0) and down ("X":
# Disconnection Complete, status 0): b1..b3 took turns, one link at a time
links=$(awk '
	/^> 04 3E [0-9A-F][0-9A-F] (01|0A) 00 / { print "U"; next }
	/^> 04 05 04 00 / { print "X" }
' "$TMP/hci0.dump" | tr -d '\n')
ups=$(tr -cd U <<<"$links" | wc -c)
check "hci0: $ups links during the collectd run, each gone before the next came up (polls never overlap)" \
	bash -c '[[ $1 -ge 6 && ! $2 =~ UU ]]' _ "$ups" "$links"


tap_done
