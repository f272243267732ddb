#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# wattcycle-passive-services.sh HOST BATTERY CELLS PROBES [--soh]
#
# Print the Nagios passive services that collectd's notify_nagios results
# for one battery land on (conf/nagios/collectd-notify_nagios.conf).  Nagios
# drops a passive result whose host_name/service_description pair is not
# defined, and the pair is fixed by collectd:
#   host_name            collectd's Hostname (HOST)
#   service_description  wattcycle-BATTERY/<type>-<type_instance>
# so this writes one service per identifier that can carry a notification:
#   - the series conf/thresholds.conf limits: voltage-pack, voltage-cell01 ..
#     voltage-cellCELLS, voltage-cell_min/_max/_delta, percent-soc
#     (percent-soh with --soh: batteries whose frame carries it),
#     temperature-mos, temperature-env, temperature-probe1 .. probePROBES,
#     bool-online, count-protections, count-alarms, count-faults;
#   - the plugin's own notifications: bool-<id> for every code of
#     `wattcycle alarms` (protections, alarms, faults, and chg_on/dsg_on for
#     the MOSFETs).
# CELLS: the battery's cell count unless its <Battery> block has ReportCells
# false (the default is true), else 0 (no voltage-cellNN series, so no
# services for them).
# PROBES: see `wattcycle read ADDRESS`.  The code list comes from
# the wattcycle binary ($WATTCYCLE, default: wattcycle on PATH).
#
# Example:
#   wattcycle-passive-services.sh boat house1 4 2 > /etc/nagios4/conf.d/house1-passive.cfg
set -eu

usage() {
	echo "usage: $0 HOST BATTERY CELLS PROBES [--soh]" >&2
	exit 2
}
[ $# -ge 4 ] && [ $# -le 5 ] || usage
host=$1 battery=$2 cells=$3 probes=$4 soh=${5:-}
case $cells in '' | *[!0-9]*) usage ;; esac
case $probes in '' | *[!0-9]*) usage ;; esac
[ "$cells" -le 32 ] || usage
[ "$probes" -le 30 ] || usage
[ -z "$soh" ] || [ "$soh" = --soh ] || usage
WATTCYCLE=${WATTCYCLE:-wattcycle}
codes=$("$WATTCYCLE" alarms | awk 'NR > 1 { print $1 }')
[ -n "$codes" ] || { echo "$0: '$WATTCYCLE alarms' listed no codes" >&2; exit 1; }

service() {
	printf 'define service {\n'
	printf '    use                     wattcycle-passive-service\n'
	printf '    host_name               %s\n' "$host"
	printf '    service_description     wattcycle-%s/%s\n' "$battery" "$1"
	printf '    display_name            %s %s\n' "$battery" "$1"
	printf '}\n\n'
}

printf '# Passive services for battery %s on host %s (%s cells, %s probes),\n' \
	"$battery" "$host" "$cells" "$probes"
printf '# written by wattcycle-passive-services.sh.\n\n'
service voltage-pack
i=1
while [ "$i" -le "$cells" ]; do
	service "$(printf 'voltage-cell%02d' "$i")"
	i=$((i + 1))
done
service voltage-cell_min
service voltage-cell_max
service voltage-cell_delta
service percent-soc
[ -z "$soh" ] || service percent-soh
service temperature-mos
service temperature-env
i=1
while [ "$i" -le "$probes" ]; do
	service "temperature-probe$i"
	i=$((i + 1))
done
service bool-online
service count-protections
service count-alarms
service count-faults
for id in $codes; do
	service "bool-$id"
done
