# SPDX-License-Identifier: GPL-2.0-or-later
# Edge and central collectd daemons built from the shipped conf/fleet/
# snippets, for the fleet test, scripts/fleet-outage.sh and the fleet bench
# (sourced; needs $TMP and $BUILD).  Only addresses, ports, names and paths
# are changed in the snippets; everything else runs as shipped.
#
#   fleet_scenario DIR N         DIR/sim.cfg: N 4S batteries b1..bN (sockets
#                                DIR/bK.sock), each with its own current
#   fleet_edge_conf OUT NAME DIR PORT USER PASSWORD N
#                                collectd.conf of edge NAME: conf/fleet/edge.conf
#                                with Hostname NAME, batteries b1..bN served in
#                                DIR, RRD files in DIR/rrd, sending to
#                                127.0.0.1:PORT as USER/PASSWORD; Interval
#                                $FLEET_INTERVAL (default 1); log DIR/log
#   fleet_central_conf OUT DIR PORT AUTHFILE RELAY_PORT CMDFILE
#                                collectd.conf of the central:
#                                conf/fleet/central.conf listening on
#                                127.0.0.1:PORT (UDP), AuthFile AUTHFILE,
#                                write_graphite to 127.0.0.1:RELAY_PORT,
#                                notify_nagios into CMDFILE (created); log DIR/log
#   fleet_graphite RETENTION [aggregation]
#                                two carbon-caches $TMP/cache-a and cache-b
#                                (collectd.* every $FLEET_INTERVAL s kept for
#                                RETENTION; "aggregation": the shipped
#                                storage-aggregation.conf) behind a
#                                consistent-hashing carbon-relay $TMP/relay;
#                                sets RELAY_LINE, FLEET_DESTS and
#                                FLEET_QUERY[a|b]; returns 1 with FLEET_FAILED
#                                ("carbon-cache a", "carbon-relay") when one
#                                did not start
#   fleet_stop_all               every daemon and simulator stopped, $TMP gone
# and the daemons' start and stop of tests/lib/collectd.sh (needs
# tests/lib/sim.sh and tests/lib/carbon.sh).
. tests/lib/collectd.sh
declare -A FLEET_QUERY
FLEET_CONF=${FLEET_CONF:-conf/fleet}
FLEET_INTERVAL=${FLEET_INTERVAL:-1}

fleet_scenario() {
	local dir=$1 n=$2 k
	mkdir -p "$dir"
	{
		echo "batteries = ("
		for ((k = 1; k <= n; k++)); do
			printf '  { name = "b%d"; socket = "b%d.sock"; cells = 4; head = "7e";\n' "$k" "$k"
			printf '    soc = %d.0; profile = ( { t = 0.0; current = -%d.0; } ); }%s\n' \
				$((40 + k * 5 % 50)) "$k" "$([[ $k -lt $n ]] && echo ,)"
		done
		echo ");"
	} >"$dir/sim.cfg"
}

_collectd_globals() { # DIR
	collectd_conf base="$1" interval="$FLEET_INTERVAL" readthreads=4 writethreads=2 log="$1/log"
}

fleet_edge_conf() {
	local out=$1 name=$2 dir=$3 port=$4 user=$5 pass=$6 n=$7 k build
	build=$(cd "$BUILD" && pwd)
	mkdir -p "$dir/rrd"
	{
		_collectd_globals "$dir"
		awk -v name="$name" -v dir="$dir" -v port="$port" -v user="$user" \
			-v pass="$pass" -v n="$n" -v build="$build" '
		/^Hostname / { print "Hostname \"" name "\""; next }
		/^LoadPlugin wattcycle/ { print "PluginDir \"" build "\""; print; print "PluginDir \"/usr/lib/collectd\""; next }
		/^<Plugin wattcycle>/ {
			print
			for (k = 1; k <= n; k++)
				printf "  <Battery \"b%d\">\n    Address \"unix:%s/b%d.sock\"\n  </Battery>\n", k, dir, k
			skip = 1; next
		}
		skip && /^<\/Plugin>/ { skip = 0; print; next }
		skip { next }
		/^[ \t]*DataDir / { print "  DataDir \"" dir "/rrd\""; next }
		/^[ \t]*<Server / { print "  <Server \"127.0.0.1\" \"" port "\">"; next }
		/^[ \t]*Username / { print "    Username \"" user "\""; next }
		/^[ \t]*Password / { print "    Password \"" pass "\""; next }
		{ print }' "$FLEET_CONF/edge.conf"
	} >"$out"
}

fleet_central_conf() {
	local out=$1 dir=$2 port=$3 auth=$4 relay=$5 cmd=$6
	mkdir -p "$dir"
	: >"$cmd"
	{
		_collectd_globals "$dir"
		sed -e "s|<Listen \"0.0.0.0\" \"25826\">|<Listen \"127.0.0.1\" \"$port\">|" \
			-e "s|AuthFile \"/etc/collectd/fleet-passwd\"|AuthFile \"$auth\"|" \
			-e "s|Port \"2013\"|Port \"$relay\"|" \
			-e "s|/var/lib/nagios4/rw/nagios.cmd|$cmd|" "$FLEET_CONF/central.conf"
	} >"$out"
}

fleet_graphite() {
	local c line pickle query
	FLEET_DESTS=
	for c in a b; do
		read -r line pickle query < <(carbon_cache_conf "$TMP/cache-$c")
		FLEET_QUERY[$c]=$query
		printf '[collectd]\npattern = ^collectd\\.\nretentions = %ss:%s\n' \
			"$FLEET_INTERVAL" "$1" >"$TMP/cache-$c/conf/storage-schemas.conf"
		if [[ ${2:-} == aggregation ]]; then
			cp conf/graphite/storage-aggregation.conf "$TMP/cache-$c/conf/"
		fi
		if ! carbon_start cache "$TMP/cache-$c" "$pickle" "$query"; then
			FLEET_FAILED="carbon-cache $c"
			return 1
		fi
		FLEET_DESTS+="${FLEET_DESTS:+, }127.0.0.1:$pickle:$c"
	done
	read -r RELAY_LINE _ < <(carbon_relay_conf "$TMP/relay" "$FLEET_DESTS")
	if ! carbon_start relay "$TMP/relay" "$RELAY_LINE"; then
		FLEET_FAILED=carbon-relay
		return 1
	fi
}

fleet_stop_all() {
	collectd_stop_all; sim_stop_all
	carbon_stop relay "$TMP/relay"; carbon_stop cache "$TMP/cache-a"; carbon_stop cache "$TMP/cache-b"
	rm -rf "$TMP"
}
