#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The BLE suite over real kernel Bluetooth, in two boots of scripts/blevm:
# twelve btvirt LE controllers without bluetoothd run tests/vm/suite.sh
# inside; then eight controllers with bluetoothd (--bluetoothd) run
# `suite.sh --bluetoothd`, the parts that need it (scanning beside its
# discovery; links beside it, tests/vm/links.sh).  The suite prints the TAP lines.  A VM that cannot boot, or a
# suite that does not finish, is a failure here, never a skip.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
export BUILD
# boot NAME TIMEOUT BLEVM-ARGS... -- SUITE-ARGS...: one boot, its TAP lines
# printed; a boot failure or a missing plan is a "not ok" of its own
boot() {
	local name=$1 limit=$2 out rc; shift 2
	local vmargs=()
	while [[ $1 != -- ]]; do vmargs+=("$1"); shift; done
	shift
	out=$(scripts/blevm "${vmargs[@]}" --timeout "$limit" -- bash tests/vm/suite.sh "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	if [[ $rc -eq 125 ]]; then
		echo "not ok 1 - $name: the Bluetooth VM did not boot: $(grep '^blevm:' <<<"$out" | tail -n 1)"
	elif [[ $rc -eq 124 ]]; then
		echo "not ok 1 - $name: the VM suite did not finish within $limit s"
	elif ! grep -q '^1\.\.[0-9]' <<<"$out"; then
		echo "not ok 1 - $name: the VM suite ended without its plan (exit $rc)"
	fi
	return "$rc"
}
boot "VM suite" "${BLE_VM_TIMEOUT:-540}" --controllers 12 --
rc=$?
boot "VM suite with bluetoothd" "${BLE_VM_BTD_TIMEOUT:-900}" --controllers 8 --bluetoothd -- --bluetoothd
rc2=$?
((rc != 0)) && exit "$rc"
exit "$rc2"
