#!/usr/bin/env bash
# The BLE suite over real kernel Bluetooth: one boot of scripts/blevm
# (sixteen btvirt LE controllers, dbus and bluetoothd running as on an
# owner's machine) runs tests/vm/suite.sh inside, which prints the TAP
# lines.  A VM that cannot boot, or a suite that does not finish, is a
# failure here, never a skip.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
export BUILD
out=$(scripts/blevm --controllers 16 --bluetoothd --timeout "${BLE_VM_TIMEOUT:-1200}" -- bash tests/vm/suite.sh 2>&1)
rc=$?
printf '%s\n' "$out"
if [[ $rc -eq 125 ]]; then
	echo "not ok 1 - the Bluetooth VM did not boot: $(grep '^blevm:' <<<"$out" | tail -n 1)"
elif [[ $rc -eq 124 ]]; then
	echo "not ok 1 - the VM suite did not finish within ${BLE_VM_TIMEOUT:-1200} s"
elif ! grep -q '^1\.\.[0-9]' <<<"$out"; then
	echo "not ok 1 - the VM suite ended without its plan (exit $rc)"
fi
exit "$rc"
