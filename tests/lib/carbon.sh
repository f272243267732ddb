# SPDX-License-Identifier: GPL-2.0-or-later
# carbon-cache and carbon-relay in a temp dir on free loopback ports, for
# shell tests (sourced).  Every path of a daemon comes from its own
# DIR/carbon.conf, so nothing under /etc or /var is touched.
#
#   free_ports N [udp]        N distinct free loopback ports (TCP by default)
#   tcp_up PORT               something listens on 127.0.0.1:PORT
#   carbon_cache_conf DIR     carbon.conf of a cache whose storage is
#                             DIR/storage/whisper; prints its LINE PICKLE
#                             QUERY ports.  DIR/conf/ is its CONF_DIR (the
#                             caller puts storage-schemas.conf there)
#   carbon_relay_conf DIR DESTINATIONS
#                             carbon.conf of a consistent-hashing relay to
#                             DESTINATIONS ("HOST:PORT:INSTANCE, ..."); prints
#                             its LINE PICKLE ports
#   carbon_start cache|relay DIR [PORT...]
#                             start it, wait (<= 15 s) until every PORT
#                             listens; on failure print its logs as comments
#   carbon_stop cache|relay DIR
#                             stop it by its PID file, wait (<= 10 s)
PY=${PY:-/usr/bin/python3}

free_ports() {
	"$PY" -c '
import socket, sys
n, kind = int(sys.argv[1]), sys.argv[2]
t = socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM
ss = [socket.socket(socket.AF_INET, t) for _ in range(n)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])' "$1" "${2:-tcp}"
}

tcp_up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

_carbon_common() { # DIR: the paths every carbon daemon needs
	cat <<EOF
STORAGE_DIR = $1/storage
LOCAL_DATA_DIR = $1/storage/whisper
WHITELISTS_DIR = $1/storage/lists
CONF_DIR = $1/conf
LOG_DIR = $1/log
PID_DIR = $1
ENABLE_LOGROTATION = False
USER =
LOG_LISTENER_CONN_SUCCESS = False
EOF
}

carbon_cache_conf() {
	local dir=$1 line pickle query
	read -r line pickle query < <(free_ports 3)
	mkdir -p "$dir/storage/whisper" "$dir/log" "$dir/conf"
	{
		echo "[cache]"
		_carbon_common "$dir"
		cat <<EOF
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = inf
MAX_CREATES_PER_MINUTE = inf
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = $line
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = $pickle
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = $query
ENABLE_UDP_LISTENER = False
LOG_UPDATES = False
LOG_CREATES = False
EOF
	} >"$dir/carbon.conf"
	echo "$line $pickle $query"
}

carbon_relay_conf() {
	local dir=$1 dests=$2 line pickle
	read -r line pickle < <(free_ports 2)
	mkdir -p "$dir/storage" "$dir/log" "$dir/conf"
	# carbon reads a schema file at start even when it stores nothing
	printf '[default]\npattern = .*\nretentions = 60s:1d\n' >"$dir/conf/storage-schemas.conf"
	{
		echo "[relay]"
		_carbon_common "$dir"
		cat <<EOF
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = $line
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = $pickle
RELAY_METHOD = consistent-hashing
REPLICATION_FACTOR = 1
DESTINATIONS = $dests
DESTINATION_PROTOCOL = pickle
MAX_QUEUE_SIZE = 100000
USE_FLOW_CONTROL = True
EOF
	} >"$dir/carbon.conf"
	echo "$line $pickle"
}

carbon_start() {
	local kind=$1 dir=$2 p ok deadline
	shift 2
	"carbon-$kind" --config="$dir/carbon.conf" --pidfile="$dir/carbon.pid" \
		start >"$dir/start.out" 2>&1
	deadline=$((SECONDS + 15))
	while :; do
		ok=1
		for p in "$@"; do tcp_up "$p" || ok=0; done
		((ok)) && return 0
		((SECONDS > deadline)) && break
		sleep 0.05
	done
	echo "# carbon-$kind in $dir did not come up:"
	sed 's/^/#   /' "$dir/start.out" "$dir"/log/*/console.log 2>/dev/null | tail -20
	return 1
}

carbon_stop() {
	local kind=$1 dir=$2 pid deadline
	pid=$(cat "$dir/carbon.pid" 2>/dev/null) || return 0
	"carbon-$kind" --config="$dir/carbon.conf" --pidfile="$dir/carbon.pid" \
		stop >/dev/null 2>&1
	deadline=$((SECONDS + 10))
	while kill -0 "$pid" 2>/dev/null && ((SECONDS <= deadline)); do sleep 0.05; done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$dir/carbon.pid"
}
