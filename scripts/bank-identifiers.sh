#!/usr/bin/env bash
# bank-identifiers.sh
# Print the identifiers (type-type_instance, one per line, sorted) that the
# real plugin dispatches for a bank: two simulated batteries wired as two
# parallel strings by an inventory, both discharging (so shares are sent),
# read by the real daemon with csv to stdout.  The bank dashboard's checks
# match against this list (scripts/identifiers.sh is the batteries' one).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
TMP=$(mktemp -d)
. tests/lib/sim.sh
trap 'sim_stop_all; rm -rf "$TMP"' EXIT
sim_start s1 --socket "$TMP/s1.sock" --name s1 --current -10 >&2
sim_start s2 --socket "$TMP/s2.sock" --name s2 --current -12 >&2
cat >"$TMP/inventory.conf" <<INV
batteries = ( { name = "s1"; address = "unix:$TMP/s1.sock"; timeout = 0.8; },
              { name = "s2"; address = "unix:$TMP/s2.sock"; timeout = 0.8; } );
banks = ( { name = "ids"; strings = ( ["s1"], ["s2"] ); } );
INV
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
  Inventory "$TMP/inventory.conf"
</Plugin>
CONF
/usr/sbin/collectd -f -C "$TMP/collectd.conf" >"$TMP/out" 2>"$TMP/log" &
pid=$!
# until the bank's share rows have come twice (both members polled)
deadline=$((SECONDS + 20))
until [[ $(grep -c 'wattcycle-ids/percent-share_imbalance' "$TMP/out") -ge 2 ]]; do
	if ((SECONDS > deadline)) || ! kill -0 "$pid" 2>/dev/null; then
		echo "bank-identifiers.sh: no complete bank from the plugin:" >&2
		cat "$TMP/log" >&2
		kill "$pid" 2>/dev/null
		exit 1
	fi
	sleep 0.1
done
kill "$pid"
wait "$pid" 2>/dev/null || true
sed -n 's|^PUTVAL "\{0,1\}ids/wattcycle-ids/\([^ "]*\)"\{0,1\} .*|\1|p' "$TMP/out" | sort -u
