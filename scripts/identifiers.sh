#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# identifiers.sh [SIM OPTIONS...]
# identifiers.sh --bank
# Print the identifiers (type-type_instance, one per line, sorted) that the
# real plugin dispatches for one simulated battery, by running the real
# daemon with csv to stdout.  The one source of the identifier list for
# tests and dashboard checks: nothing is typed by hand.
# Default battery: 16S with 4 probes and every alarm code reported.
# --bank: those of a bank instead: two simulated batteries wired as two
# parallel strings by an inventory, both discharging (so shares are sent).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
TMP=$(mktemp -d)
. tests/lib/sim.sh
. tests/lib/collectd.sh
trap 'sim_stop_all; rm -rf "$TMP"' EXIT
if [[ ${1:-} == --bank ]]; then
	sim_start s1 --socket "$TMP/s1.sock" --name s1 --current -10 >&2
	sim_start s2 --socket "$TMP/s2.sock" --name s2 --current -12 >&2
	cat >"$TMP/inventory.conf" <<INV
batteries = ( { name = "s1"; address = "unix:$TMP/s1.sock"; timeout = 0.8; },
              { name = "s2"; address = "unix:$TMP/s2.sock"; timeout = 0.8; } );
banks = ( { name = "ids"; strings = ( ["s1"], ["s2"] ); } );
INV
	wiring="  Inventory \"$TMP/inventory.conf\""
	# until the bank's share rows have come twice (both members polled)
	done_row=percent-share_imbalance
	what="bank"
else
	[[ $# -gt 0 ]] || set -- --cells 16
	sim_start ids --socket "$TMP/ids.sock" "$@" >&2
	wiring=$(collectd_battery ids "unix:$TMP/ids.sock" Timeout 0.8 ReportCells true ReportAlarmValues true)
	done_row=duration-poll
	what="poll"
fi
collectd_conf host=ids base="$TMP" interval=1 csv=stdout wattcycle="$wiring" >"$TMP/collectd.conf"
# Foreground daemon until one whole poll is written: -T may leave values in
# the write queue at shutdown ("N value lists were left ...").
/usr/sbin/collectd -f -C "$TMP/collectd.conf" >"$TMP/out" 2>"$TMP/log" &
pid=$!
deadline=$((SECONDS + 20))
until [[ $(grep -c "wattcycle-ids/$done_row" "$TMP/out") -ge 2 ]]; do
	if ((SECONDS > deadline)) || ! kill -0 "$pid" 2>/dev/null; then
		echo "identifiers.sh: no complete $what from the plugin:" >&2
		cat "$TMP/log" >&2
		kill "$pid" 2>/dev/null
		exit 1
	fi
	sleep 0.1
done
kill "$pid"
wait "$pid" 2>/dev/null || true
sed -n 's|^PUTVAL "\{0,1\}ids/wattcycle-ids/\([^ "]*\)"\{0,1\} .*|\1|p' "$TMP/out" | sort -u
