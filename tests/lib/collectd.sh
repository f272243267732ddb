# The real collectd in shell tests (sourced; run from the repository root).
#   collectd_head HOST INTERVAL BASEDIR LOGFILE [timestamp]
#                                the lines a test's collectd.conf starts
#                                with: Hostname, no FQDN lookup, BaseDir and
#                                PIDFile BASEDIR/collectd.pid, Interval,
#                                collectd's own PluginDir, logfile at level
#                                info into LOGFILE (Timestamp true with a
#                                fifth argument "timestamp")
#   collectd_csv DIR             the csv plugin writing under DIR
#   collectd_start NAME CONF [OUT]
#                                collectd -f in the background (stdout and
#                                stderr in OUT, default CONF.out); PID in
#                                CD_PID[NAME]
#   collectd_stop NAME           SIGTERM, wait (<= 10 s), then SIGKILL
#   collectd_stop_all
# The stop functions survive set -e.
declare -A CD_PID

collectd_head() {
	cat <<CONF
Hostname "$1"
FQDNLookup false
BaseDir "$3"
PIDFile "$3/collectd.pid"
Interval $2
PluginDir "/usr/lib/collectd"
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$4"
CONF
	if [[ ${5:-} == timestamp ]]; then echo "  Timestamp true"; fi
	echo "</Plugin>"
}

collectd_csv() {
	cat <<CONF
LoadPlugin csv
<Plugin csv>
  DataDir "$1"
</Plugin>
CONF
}

collectd_start() {
	/usr/sbin/collectd -f -C "$2" >"${3:-$2.out}" 2>&1 &
	CD_PID[$1]=$!
}

collectd_stop() {
	local pid=${CD_PID[$1]:-} deadline
	[[ -n $pid ]] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	deadline=$((SECONDS + 10))
	while kill -0 "$pid" 2>/dev/null && ((SECONDS <= deadline)); do sleep 0.05; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	unset "CD_PID[$1]"
}

collectd_stop_all() {
	local n
	for n in "${!CD_PID[@]}"; do collectd_stop "$n"; done
}
