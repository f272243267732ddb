#!/usr/bin/env bash
# identifiers.sh [SIM OPTIONS...]
# Print the identifiers (type-type_instance, one per line, sorted) that the
# real plugin dispatches for one simulated battery, by running the real
# daemon once (collectd -T) with csv to stdout.  The one source of the
# identifier list for tests and dashboard checks: nothing is typed by hand.
# Default battery: 16S with 4 probes and every alarm code reported.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
TMP=$(mktemp -d)
. tests/lib/sim.sh
trap 'sim_stop_all; rm -rf "$TMP"' EXIT
[[ $# -gt 0 ]] || set -- --cells 16
sim_start ids --socket "$TMP/ids.sock" "$@" >&2
cat >"$TMP/collectd.conf" <<CONF
Hostname "ids"
FQDNLookup false
BaseDir "$TMP"
PIDFile "$TMP/collectd.pid"
Interval 1
PluginDir "/usr/lib/collectd"
LoadPlugin csv
<Plugin csv>
  DataDir "stdout"
</Plugin>
PluginDir "$(cd "$BUILD" && pwd)"
LoadPlugin wattcycle
<Plugin wattcycle>
  <Battery "ids">
    Address "unix:$TMP/ids.sock"
    Timeout 0.8
    ReportCells true
    ReportAlarmValues true
  </Battery>
</Plugin>
CONF
# Foreground daemon until one whole poll is written: -T may leave values in
# the write queue at shutdown ("N value lists were left ...").
/usr/sbin/collectd -f -C "$TMP/collectd.conf" >"$TMP/out" 2>"$TMP/log" &
pid=$!
deadline=$((SECONDS + 20))
until [[ $(grep -c 'wattcycle-ids/duration-poll' "$TMP/out") -ge 2 ]]; do
	if ((SECONDS > deadline)) || ! kill -0 "$pid" 2>/dev/null; then
		echo "identifiers.sh: no complete poll from the plugin:" >&2
		cat "$TMP/log" >&2
		kill "$pid" 2>/dev/null
		exit 1
	fi
	sleep 0.1
done
kill "$pid"
wait "$pid" 2>/dev/null || true
sed -n 's|^PUTVAL "\{0,1\}ids/wattcycle-ids/\([^ "]*\)"\{0,1\} .*|\1|p' "$TMP/out" | sort -u
