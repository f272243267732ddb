#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# wattcycle scan on this host: its help describes scanning beside
# bluetoothd (and never says to stop it), usage errors exit 2, and without
# Bluetooth in the kernel the scan fails at once with the sentence.  The
# scan itself runs against the kernel in the VM suite (tests/vm/suite.sh).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
W=${BUILD:-build}/wattcycle

help=$($W scan --help); rc=$?
eq "scan --help: exit 0" "$rc" 0
check "scan --help: runs beside bluetoothd, listens to another program's discovery" \
	bash -c 'grep -q "beside bluetoothd" <<<"$1" && grep -q "listens to that discovery" <<<"$1"' _ "$help"
check "scan --help: never tells to stop bluetoothd or its scan" \
	bash -c '! grep -qiE "scan off|stop bluetoothd|systemctl stop" <<<"$1"' _ "$help"
check "wattcycle.1 and README: nothing tells to stop bluetoothd or its scan" \
	bash -c '! grep -qiE "scan off|stop bluetoothd|systemctl stop bluetooth" doc/wattcycle.1 README.md'

$W scan --timeout 0.1 >/dev/null 2>&1
eq "scan --timeout 0.1: usage error (exit 2)" "$?" 2
$W scan --adapter >/dev/null 2>&1
eq "scan --adapter without a value: usage error (exit 2)" "$?" 2

if python3 -c 'import socket; socket.socket(socket.AF_BLUETOOTH, socket.SOCK_SEQPACKET, socket.BTPROTO_L2CAP)' 2>/dev/null; then
	tap_ok "# SKIP this kernel has Bluetooth: the no-Bluetooth sentence is not reachable here"
else
	start=$SECONDS
	err=$($W scan --timeout 5 2>&1 >/dev/null); rc=$?
	eq "scan without kernel Bluetooth: exit 1" "$rc" 1
	check "scan without kernel Bluetooth: the sentence, at once" \
		bash -c '[[ $1 == "wattcycle: scan: this kernel has no Bluetooth support"* && $2 -lt 3 ]]' _ "$err" $((SECONDS - start))
fi
tap_done
