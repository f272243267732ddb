# SPDX-License-Identifier: GPL-2.0-or-later
# The real collectd in shell tests (sourced; run from the repository root).
#   collectd_conf [KEY=VALUE | WORD]...
#                                a test's collectd.conf on stdout: globals
#                                (FQDNLookup false always), the logfile
#                                plugin, then what the middle words ask for
#                                in their order, then the wattcycle plugin
#                                loaded from the build dir (collectd refuses
#                                symlinked plugins: PluginDir is switched for
#                                it and back) and its block.
#       globals    host=NAME  interval=S  base=DIR (BaseDir, PIDFile
#                  DIR/collectd.pid unless pid=FILE)  readthreads=N
#                  writethreads=N  stock=DIR (collectd's own PluginDir,
#                  default /usr/lib/collectd)
#       logfile    log=FILE|stderr|stdout  loglevel=LEVEL (default info)
#                  timestamp (Timestamp true)
#       middle     csv=DIR (csvrates=false: StoreRates false)  rrd=DIR
#                  unixsock=PATH  load=PLUGIN  include=FILE  raw=TEXT
#       wattcycle  wattcycle=BODY: the plugin and <Plugin wattcycle> BODY
#                  </Plugin> (BODY empty: loaded, no block; the caller
#                  appends its own); plugindir=DIR (default $BUILD)
#   collectd_battery NAME ADDRESS [KEY VALUE]...
#                                a <Battery> block for a wattcycle BODY
#   collectd_start NAME CONF [OUT]
#                                collectd -f in the background (stdout and
#                                stderr in OUT, default CONF.out); PID in
#                                CD_PID[NAME]
#   collectd_stop NAME           SIGTERM, wait (<= 10 s), then SIGKILL
#   collectd_stop_all
# The stop functions survive set -e.
declare -A CD_PID

collectd_conf() {
	local a k v host='' interval='' base='' pid='' rt='' wt='' stock=/usr/lib/collectd
	local log='' level=info stamp='' rates='' watt='' have_watt='' pdir=${BUILD:-build}
	local middle=()
	for a in "$@"; do
		k=${a%%=*} v=${a#*=}
		case $k in
		host) host=$v ;;
		interval) interval=$v ;;
		base) base=$v ;;
		pid) pid=$v ;;
		readthreads) rt=$v ;;
		writethreads) wt=$v ;;
		stock) stock=$v ;;
		log) log=$v ;;
		loglevel) level=$v ;;
		timestamp) stamp=1 ;;
		csvrates) rates=$v ;;
		wattcycle) watt=$v have_watt=1 ;;
		plugindir) pdir=$v ;;
		csv | rrd | unixsock | load | include | raw) middle+=("$a") ;;
		*) echo "collectd_conf: unknown word '$a'" >&2; return 2 ;;
		esac
	done
	[[ -n $host ]] && echo "Hostname \"$host\""
	echo "FQDNLookup false"
	if [[ -n $base ]]; then
		echo "BaseDir \"$base\""
		echo "PIDFile \"${pid:-$base/collectd.pid}\""
	fi
	[[ -n $interval ]] && echo "Interval $interval"
	[[ -n $rt ]] && echo "ReadThreads $rt"
	[[ -n $wt ]] && echo "WriteThreads $wt"
	echo "PluginDir \"$stock\""
	if [[ -n $log ]]; then
		[[ $log == stderr || $log == stdout ]] || log="\"$log\""
		printf 'LoadPlugin logfile\n<Plugin logfile>\n  LogLevel %s\n  File %s\n' "$level" "$log"
		[[ -n $stamp ]] && echo "  Timestamp true"
		echo "</Plugin>"
	fi
	for a in "${middle[@]}"; do
		k=${a%%=*} v=${a#*=}
		case $k in
		csv)
			printf 'LoadPlugin csv\n<Plugin csv>\n  DataDir "%s"\n' "$v"
			[[ -n $rates ]] && echo "  StoreRates $rates"
			echo "</Plugin>" ;;
		rrd) printf 'LoadPlugin rrdtool\n<Plugin rrdtool>\n  DataDir "%s"\n</Plugin>\n' "$v" ;;
		unixsock) printf 'LoadPlugin unixsock\n<Plugin unixsock>\n  SocketFile "%s"\n</Plugin>\n' "$v" ;;
		load) echo "LoadPlugin $v" ;;
		include) echo "Include \"$v\"" ;;
		raw) printf '%s\n' "$v" ;;
		esac
	done
	[[ -n $have_watt ]] || return 0
	[[ $pdir == /* ]] || pdir=$(cd "$pdir" && pwd)
	printf 'PluginDir "%s"\nLoadPlugin wattcycle\nPluginDir "%s"\n' "$pdir" "$stock"
	[[ -n $watt ]] && printf '<Plugin wattcycle>\n%s\n</Plugin>\n' "$watt"
	return 0
}

collectd_battery() {
	printf '  <Battery "%s">\n    Address "%s"\n' "$1" "$2"
	shift 2
	while (($# >= 2)); do
		printf '    %s %s\n' "$1" "$2"
		shift 2
	done
	echo "  </Battery>"
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
