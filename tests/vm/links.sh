#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Links beside bluetoothd, run INSIDE the VM with bluetoothd up
# (scripts/blevm --bluetoothd).  Sourced by tests/vm/suite.sh, which calls
# links_main after its own checks (it owns the TAP plan); run alone it
# prints its own plan:
#   scripts/blevm --controllers 6 --bluetoothd -- bash tests/vm/links.sh
#
# Its own simulator with four batteries l1..l4 on LINKS_BATS (controllers
# nobody else uses), read through LINKS_C1 (the adapter bluetoothd's
# `bluetoothctl scan on` discovers on: its default one) and LINKS_C2:
#   - collectd polls l1..l3 through LINKS_C1 while bluetoothd discovers
#     there; l1 with SupervisionTimeout 2000, which the LE Create
#     Connection must carry (btmon), l2 with the kernel's 420 ms;
#   - bluetoothd holds l4 (`bluetoothctl connect` through LINKS_C2):
#     `wattcycle read` of l4 ends at once with the "held by another
#     program" sentence while collectd goes on reading l1..l3;
#   - a link dropped by the battery mid-poll (the simulator's drop fault):
#     the message names the step and the cause;
#   - RSSI: what the kernel's Get Connection Information gives here;
#   - MaxLinks 2 with l1..l3 KeepConnected through LINKS_C1: the INFO line
#     names l3, never more than two links held, l3 reconnects per poll.
# btvirt's controllers carry no data on a second simultaneous LE link of
# one controller (tests/vm/suite.sh, top): the MaxLinks run can show the
# cap, the INFO line and l3 reconnecting, and values of the first held
# link; the others are reported, not required.
set -u

links_standalone=0
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	links_standalone=1
	cd "$(dirname "$0")/../.."
	. tests/lib/tap.sh
	BUILD=${BUILD:-build}
fi
declare -F collectd_conf >/dev/null || . tests/lib/collectd.sh
LINKS_TMP=$(mktemp -d)
LINKS_CLI=${BUILD:-build}/wattcycle
LINKS_SIMBIN=${BUILD:-build}/wattcycle-sim
LINKS_C1=${LINKS_C1:-hci0}
LINKS_C2=${LINKS_C2:-hci5}
LINKS_BATS=${LINKS_BATS:-hci1 hci2 hci3 hci4}
LINKS_SIM_PID= LINKS_CD_PID= LINKS_MON_PID= LINKS_SCAN_PID=
declare -A LADDR

links_stop() { # PID
	[[ -n ${1:-} ]] || return 0
	kill -TERM "$1" 2>/dev/null
	local deadline=$((SECONDS + 10))
	while kill -0 "$1" 2>/dev/null && ((SECONDS <= deadline)); do sleep 0.1; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
links_cleanup() {
	if [[ ${LINKS_KEEP:-0} == 1 && -n ${BLEVM_SCRATCH:-} && -d $LINKS_TMP ]]; then
		btmon -r "$LINKS_TMP/c1.btsnoop" >"$LINKS_TMP/c1.txt" 2>/dev/null
		cp -r "$LINKS_TMP" "$BLEVM_SCRATCH/links" 2>/dev/null
	fi
	links_stop "$LINKS_CD_PID"; LINKS_CD_PID=
	links_stop "$LINKS_SCAN_PID"; LINKS_SCAN_PID=
	links_stop "$LINKS_MON_PID"; LINKS_MON_PID=
	links_stop "$LINKS_SIM_PID"; LINKS_SIM_PID=
	rm -rf "$LINKS_TMP"
}
links_wait() { # SECONDS CMD...
	local deadline=$((SECONDS + $1)); shift
	until "$@"; do
		((SECONDS > deadline)) && return 1
		sleep 0.2
	done
}
links_ctl() { "$LINKS_SIMBIN" ctl "$LINKS_TMP/sim.ctl" "$@" >/dev/null; }
links_conns() { grep -c "^wattcycle-sim: $1: central connected" "$LINKS_TMP/sim.out"; }
links_addr_of() { hciconfig "$1" | awk '/BD Address/ { print $3 }'; }
links_held() { hcitool -i "$1" con | grep -c "LE "; }
links_rows() { # DIR BATTERY SERIES
	cat "$1/vm/wattcycle-$2/$3"-* 2>/dev/null | grep -c '^[0-9]'
}

links_sim() {
	local i=1 hci
	{
		echo 'batteries = ('
		for hci in $LINKS_BATS; do
			# l4 lets bluetoothd hold it: no unlock needed, never
			# dropped for want of one
			printf '  { name = "l%d"; adapter = "%s"; cells = 4; soc = %d.0;%s }%s\n' \
				"$i" "$hci" $((60 + 5 * i)) \
				"$([[ $i == 4 ]] && echo ' unlock = false;')" \
				"$([[ $i == 4 ]] || echo ,)"
			i=$((i + 1))
		done
		echo ');'
	} >"$LINKS_TMP/bank.cfg"
	"$LINKS_SIMBIN" --control "$LINKS_TMP/sim.ctl" --scenario "$LINKS_TMP/bank.cfg" \
		>"$LINKS_TMP/sim.out" 2>&1 &
	LINKS_SIM_PID=$!
	links_wait 20 grep -q 'wattcycle-sim: ready' "$LINKS_TMP/sim.out" || return 1
	i=1
	for hci in $LINKS_BATS; do
		LADDR[l$i]=$(awk -v a="$hci" '$2 == "ble" && $6 == a { print $4 }' "$LINKS_TMP/sim.out")
		i=$((i + 1))
	done
	[[ -n ${LADDR[l4]} ]]
}

# links_collectd NAME PLUGIN-LINES BATTERY-BLOCKS: start collectd.
links_collectd() {
	mkdir -p "$LINKS_TMP/$1/csv"
	collectd_conf host=vm base="$LINKS_TMP/$1" interval=10 readthreads=5 \
		log="$LINKS_TMP/$1/collectd.log" csv="$LINKS_TMP/$1/csv" \
		wattcycle="$2"$'\n'"$3" >"$LINKS_TMP/$1/collectd.conf"
	/usr/sbin/collectd -f -C "$LINKS_TMP/$1/collectd.conf" >"$LINKS_TMP/$1/collectd.out" 2>&1 &
	LINKS_CD_PID=$!
}

links_block() { # NAME ADAPTER [KEY VALUE]...
	local name=$1 adapter=$2; shift 2
	collectd_battery "$name" "${LADDR[$name]}" Adapter "\"$adapter\"" Timeout 9 "$@"
}

# ---- collectd polls three batteries while bluetoothd discovers -------------
links_scan_while_polling() {
	local b
	LINKS_D=$LINKS_TMP/scan
	# all adapters: mgmt traffic (Get Connection Information) has no index filter
	btmon -w "$LINKS_TMP/c1.btsnoop" >/dev/null 2>&1 &
	LINKS_MON_PID=$!
	# bluetoothctl discovers on its default adapter (the first, C1) as
	# long as it runs
	{ echo "scan on"; sleep 300; } | timeout 300 bluetoothctl >"$LINKS_TMP/scan.out" 2>&1 &
	LINKS_SCAN_PID=$!
	discovering() { timeout 10 bluetoothctl show "$(links_addr_of "$LINKS_C1")" | grep -q 'Discovering: yes'; }
	check "bluetoothd discovers on $LINKS_C1 (bluetoothctl scan on)" links_wait 20 discovering
	links_collectd scan "" "$(links_block l1 "$LINKS_C1" SupervisionTimeout 2000)"$'\n'"$(links_block l2 "$LINKS_C1")"$'\n'"$(links_block l3 "$LINKS_C1")"
	five() { for b in l1 l2 l3; do (($(links_rows "$LINKS_D/csv" $b percent-soc) >= 5)) || return 1; done; }
	if links_wait 150 five; then
		tap_ok "collectd while bluetoothd discovers on $LINKS_C1: five polls of each of l1..l3 through it"
	else
		tap_not_ok "collectd while bluetoothd discovers: polls l1 $(links_rows "$LINKS_D/csv" l1 percent-soc), l2 $(links_rows "$LINKS_D/csv" l2 percent-soc), l3 $(links_rows "$LINKS_D/csv" l3 percent-soc)"
		grep 'wattcycle' "$LINKS_D/collectd.log" | sed 's/^/#   /' | tail -n 15
	fi
	check "bluetoothd still discovering after the polls" discovering
	for b in l1 l2 l3; do
		check "collectd: $b sent every value of a poll (cells, SoC, online 1)" bash -c \
			'ls "$1"/csv/vm/wattcycle-$2/voltage-cell04-* "$1"/csv/vm/wattcycle-$2/percent-soc-* >/dev/null 2>&1 &&
			 grep -q "^[0-9.]*,1" "$1"/csv/vm/wattcycle-$2/bool-online-*' _ "$LINKS_D" "$b"
	done
	# While bluetoothd discovers, the kernel connects only when the
	# battery is reported again (btvirt reports each advertiser once per
	# scan start, and discovery filters duplicates): a connect may wait
	# for the discovery's next round, and the batteries behind it in the
	# adapter's turns time out.  Counted and shown, not required to be 0.
	echo "# polls that failed while bluetoothd discovered: $(grep -c 'poll failed' "$LINKS_D/collectd.log")"
	grep 'poll failed' "$LINKS_D/collectd.log" | sed 's/^\[[^]]*\] //' | sort | uniq -c | sed 's/^/#   /' | head -n 10
	# discovery ends here: the next checks use the adapters alone
	links_stop "$LINKS_SCAN_PID"; LINKS_SCAN_PID=
	timeout 10 bluetoothctl scan off >/dev/null 2>&1
}

# ---- bluetoothd holds l4: EBUSY, at once, in words --------------------------
links_ebusy() {
	local c2 before after t0 rc msg
	LINKS_D=$LINKS_TMP/scan
	c2=$(links_addr_of "$LINKS_C2")
	{
		# a second connect if the first came before the battery was
		# reported ("not available")
		sleep 2; echo "select $c2"; sleep 1; echo "scan on"; sleep 10
		echo "connect ${LADDR[l4]}"; sleep 8; echo "connect ${LADDR[l4]}"; sleep 20
	} | timeout 70 bluetoothctl >"$LINKS_TMP/hold.out" 2>&1 &
	held() { hcitool -i "$LINKS_C2" con | grep -q "${LADDR[l4]}"; }
	if links_wait 50 held; then
		tap_ok "bluetoothctl connect ${LADDR[l4]} through $LINKS_C2: bluetoothd holds l4"
	else
		tap_not_ok "bluetoothctl connect ${LADDR[l4]} through $LINKS_C2: bluetoothd holds l4"
		sed 's/^/#   /' "$LINKS_TMP/hold.out" | tail -n 15
	fi
	before=$(links_rows "$LINKS_D/csv" l1 percent-soc)
	t0=$SECONDS
	"$LINKS_CLI" read "${LADDR[l4]}" --adapter "$LINKS_C2" --timeout 8 >/dev/null 2>"$LINKS_TMP/l4.err"
	rc=$?
	msg=$(cat "$LINKS_TMP/l4.err")
	eq "wattcycle read of the held battery: exit 1" "$rc" 1
	check "wattcycle read of the held battery: the EBUSY sentence ($msg)" grep -q \
		"connect: connect to ${LADDR[l4]} via $LINKS_C2 failed: held by another program on this host (EBUSY): close the phone app or disconnect it in bluetoothctl" \
		"$LINKS_TMP/l4.err"
	le "wattcycle read of the held battery: ends well within its 8 s timeout (s)" $((SECONDS - t0)) 4
	more() { (($(links_rows "$LINKS_D/csv" l1 percent-soc) > before)); }
	check "the other batteries keep being read meanwhile (l1 in collectd)" links_wait 30 more
	{ sleep 2; echo "select $c2"; sleep 1; echo "disconnect ${LADDR[l4]}"; sleep 3; } |
		timeout 20 bluetoothctl >>"$LINKS_TMP/hold.out" 2>&1
}

# ---- the battery drops the link mid-poll --------------------------------------
links_drop() {
	local rc
	links_ctl fault l2 drop on
	"$LINKS_CLI" read "${LADDR[l2]}" --adapter "$LINKS_C2" --timeout 15 >/dev/null 2>"$LINKS_TMP/l2.err"
	rc=$?
	links_ctl fault l2 drop off
	eq "a link dropped by the battery mid-poll: exit 1" "$rc" 1
	check "a link dropped by the battery mid-poll: the step and the cause ($(cat "$LINKS_TMP/l2.err"))" \
		grep -qE "read: (0x[0-9A-F]{2}|MTU exchange|discovery[^:]*|unlock[^:]*|enabling notifications): the battery ended the link \(HCI 0x13, remote terminated\)$" \
		"$LINKS_TMP/l2.err"
}

# ---- after the collectd run: what btmon saw on C1 -----------------------------
links_btmon_checks() {
	links_stop "$LINKS_MON_PID"; LINKS_MON_PID=
	btmon -r "$LINKS_TMP/c1.btsnoop" >"$LINKS_TMP/c1.txt" 2>/dev/null
	# LE Create Connection (or its extended form) and its timeout, per peer
	awk '/HCI Command: LE (Extended )?Create Conn/ { c = 1; next }
	     c && /Peer address:/ { peer = $3 }
	     c && /Supervision timeout:/ { print peer, $3; c = 0 }' "$LINKS_TMP/c1.txt" | sort -u >"$LINKS_TMP/supv.txt"
	eq "SupervisionTimeout 2000: every LE Create Connection to l1 carries 2000 ms" \
		"$(awk -v a="${LADDR[l1]}" '$1 == a { print $2 }' "$LINKS_TMP/supv.txt" | sort -u | tr '\n' ' ')" "2000 "
	eq "no SupervisionTimeout: l2's connects carry the kernel's 420 ms" \
		"$(awk -v a="${LADDR[l2]}" '$1 == a { print $2 }' "$LINKS_TMP/supv.txt" | sort -u | tr '\n' ' ')" "420 "
	# RSSI: what the kernel answers here, recorded in the output
	local ci
	ci=$(grep -A1 'Get Connection Information (0x0031) plen 10' "$LINKS_TMP/c1.txt" | grep -m1 'Status:' | sed 's/^ *//')
	echo "# btvirt: mgmt Get Connection Information answers '$ci'; HCI Read RSSI: $(grep -A3 'Read RSSI (0x05|0x0005) ncmd' "$LINKS_TMP/c1.txt" | grep -m1 'Status:' | sed 's/^ *//')"
	if grep -q '^[0-9.]*,' "$LINKS_TMP/scan/csv/vm/wattcycle-l1/signal_power-rssi-"* 2>/dev/null; then
		tap_ok "RSSI of the live link reported as signal_power-rssi"
	else
		check "RSSI: the kernel gives none here ($ci), so no signal_power-rssi and no error about it" \
			bash -c '! ls "$1"/csv/vm/wattcycle-l1/signal_power-rssi-* >/dev/null 2>&1 && ! grep -qi rssi "$1/collectd.log"' _ "$LINKS_TMP/scan"
	fi
}

# ---- MaxLinks: the cap, the INFO line, reconnecting ---------------------------
# MaxLinks 0 turns l1..l3 (KeepConnected, through C1) to reconnecting:
# every poll connects and hangs up, one link at a time, all values arrive.
# MaxLinks 2 then: the INFO line names l3.  Its data is not checked:
# btvirt carries no data on the second held link (see the top), and such
# a link leaves its controllers' handle numbering off for later links, so
# this runs last.
links_max_links() {
	local n max_seen=0 k b c0 p
	local blocks
	blocks="$(links_block l1 "$LINKS_C1" KeepConnected true)"$'\n'"$(links_block l2 "$LINKS_C1" KeepConnected true)"$'\n'"$(links_block l3 "$LINKS_C1" KeepConnected true)"
	gone() { [[ $(links_held "$LINKS_C1") == 0 ]]; }
	links_wait 15 gone
	declare -A before
	for b in l1 l2 l3; do before[$b]=$(links_conns $b); done
	LINKS_D=$LINKS_TMP/max0
	links_collectd max0 "  MaxLinks 0" "$blocks"
	info0() { grep -q "wattcycle plugin: MaxLinks 0: $LINKS_C1 holds at most 0 links; polled by reconnecting instead of KeepConnected: l1, l2, l3$" "$LINKS_TMP/max0/collectd.log"; }
	check "MaxLinks 0: one INFO line names l1, l2, l3" links_wait 20 info0
	for ((k = 0; k < 20; k++)); do
		n=$(links_held "$LINKS_C1")
		((n > max_seen)) && max_seen=$n
		sleep 1
	done
	three() { for b in l1 l2 l3; do (($(links_rows "$LINKS_TMP/max0/csv" $b percent-soc) >= 3)) || return 1; done; }
	check "MaxLinks 0: three polls with values of each of l1..l3" links_wait 90 three
	links_stop "$LINKS_CD_PID"; LINKS_CD_PID=
	check "MaxLinks 0: never more than one link through $LINKS_C1 ($max_seen seen in 20 samples)" test "$max_seen" -le 1
	for b in l1 l2 l3; do
		c0=$(($(links_conns $b) - before[$b]))
		p=$(links_rows "$LINKS_TMP/max0/csv" $b percent-soc)
		check "MaxLinks 0: $b reconnects for every poll ($c0 connections, $p polls with values)" test "$c0" -ge "$p" -a "$p" -ge 3
	done
	links_wait 15 gone
	LINKS_D=$LINKS_TMP/max2
	links_collectd max2 "  MaxLinks 2" "$blocks"
	info2() { grep -q "wattcycle plugin: MaxLinks 2: $LINKS_C1 holds at most 2 links; polled by reconnecting instead of KeepConnected: l3$" "$LINKS_TMP/max2/collectd.log"; }
	check "MaxLinks 2, three KeepConnected batteries through $LINKS_C1: one INFO line names l3" links_wait 20 info2
	eq "MaxLinks 2: exactly one MaxLinks line" "$(grep -c 'MaxLinks' "$LINKS_TMP/max2/collectd.log")" 1
	links_stop "$LINKS_CD_PID"; LINKS_CD_PID=
}

links_main() {
	if ! dbus-send --system --print-reply --dest=org.bluez / \
		org.freedesktop.DBus.Introspectable.Introspect >/dev/null 2>&1; then
		tap_not_ok "links: bluetoothd is not running (scripts/blevm --bluetoothd)"
		return
	fi
	tap_ok "links: bluetoothd answers on D-Bus"
	if ! links_sim; then
		tap_not_ok "links: simulator with l1..l4 on $LINKS_BATS"
		sed 's/^/#   /' "$LINKS_TMP/sim.out"
		return
	fi
	tap_ok "links: simulator with l1..l4 on $LINKS_BATS"
	links_scan_while_polling
	links_ebusy
	links_stop "$LINKS_CD_PID"; LINKS_CD_PID=
	links_btmon_checks
	links_drop
	links_max_links
	links_cleanup
}

if [[ $links_standalone == 1 ]]; then
	trap links_cleanup EXIT
	links_main
	tap_done
fi
