#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# wattcycle-bank-passive-services.sh HOST BANK STRINGS MEMBER...
#
# Print the Nagios passive services that collectd's notify_nagios results
# for one bank land on (conf/nagios/collectd-notify_nagios.conf): Nagios
# drops a result whose host_name/service_description pair it does not
# know, and collectd fixes the pair as
#   host_name            collectd's Hostname (HOST)
#   service_description  wattcycle-BANK/<type>-<type_instance>
# One service per identifier that can carry a notification:
#   - the series conf/thresholds.conf limits for a bank: percent-soc,
#     percent-soc_spread, percent-share_imbalance, voltage-bank,
#     voltage-cell_min/_max (the cell block), voltage-stringN (a block
#     without limits: collectd still sends its first OKAY),
#     count-members_online;
#   - the plugin's bank notifications (collectd-wattcycle(5), "Bank
#     notifications"): bool-soc_spread, bool-share-N and bool-string-N for
#     each of the STRINGS strings, bool-turns-MEMBER for each member named.
#
# Example (the 2S2P bank of conf/inventory.conf):
#   wattcycle-bank-passive-services.sh boat house 2 bank1 bank2 bank3 bank4
set -eu

usage() {
	echo "usage: $0 HOST BANK STRINGS MEMBER..." >&2
	exit 2
}
[ $# -ge 4 ] || usage
host=$1 bank=$2 strings=$3
shift 3
case $strings in '' | *[!0-9]*) usage ;; esac
[ "$strings" -ge 1 ] && [ "$strings" -le 8 ] || usage

service() {
	printf 'define service {\n'
	printf '    use                     wattcycle-passive-service\n'
	printf '    host_name               %s\n' "$host"
	printf '    service_description     wattcycle-%s/%s\n' "$bank" "$1"
	printf '}\n\n'
}

for id in percent-soc percent-soc_spread percent-share_imbalance \
	voltage-bank voltage-cell_min voltage-cell_max count-members_online \
	bool-soc_spread; do
	service "$id"
done
n=1
while [ "$n" -le "$strings" ]; do
	service "voltage-string$n"
	service "bool-share-$n"
	service "bool-string-$n"
	n=$((n + 1))
done
for m in "$@"; do
	service "bool-turns-$m"
done
