# SPDX-License-Identifier: GPL-2.0-or-later
# Start and stop wattcycle-sim for shell tests (sourced; needs $TMP).
#   sim_start NAME ARGS...   start a simulator, wait (≤ 5 s) for its ready
#                            line; its PID is in SIM_PID[NAME]
#   sim_stop NAME            SIGTERM by PID, wait (≤ 5 s)
#   sim_ctl NAME WORDS...    a control command (control socket $TMP/NAME.ctl)
#   now_ms                   milliseconds since the epoch
#   wait_until SECONDS CMD...
#                            run CMD every 50 ms until it succeeds; 1 when
#                            SECONDS pass first
declare -A SIM_PID
SIM=${BUILD:-build}/wattcycle-sim

sim_start() {
	local name=$1; shift
	# The previous run's "ready" line must not be taken for this one's: the
	# redirection below truncates the file only once the child runs.
	rm -f "$TMP/$name.out"
	"$SIM" --control "$TMP/$name.ctl" "$@" >"$TMP/$name.out" 2>&1 &
	SIM_PID[$name]=$!
	local deadline=$((SECONDS + 5))
	until grep -q 'wattcycle-sim: ready' "$TMP/$name.out" 2>/dev/null; do
		if ! kill -0 "${SIM_PID[$name]}" 2>/dev/null || ((SECONDS > deadline)); then
			echo "# sim $name did not start:" >&2
			sed 's/^/#   /' "$TMP/$name.out" >&2
			return 1
		fi
		sleep 0.02
	done
}

sim_stop() {
	local pid=${SIM_PID[$1]:-}
	[[ -n $pid ]] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	local deadline=$((SECONDS + 5))
	while kill -0 "$pid" 2>/dev/null && ((SECONDS <= deadline)); do sleep 0.02; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	unset "SIM_PID[$1]"
}

sim_stop_all() {
	local n
	for n in "${!SIM_PID[@]}"; do sim_stop "$n"; done
}

sim_ctl() {
	local name=$1; shift
	"$SIM" ctl "$TMP/$name.ctl" "$@" >/dev/null
}

# Milliseconds since the epoch, for elapsed-time bounds.
now_ms() { date +%s%3N; }

# wait_until SECONDS CMD...: poll CMD every 50 ms until it succeeds.
wait_until() {
	local deadline=$(($(now_ms) + $1 * 1000)); shift
	until "$@"; do
		(($(now_ms) > deadline)) && return 1
		sleep 0.05
	done
}
