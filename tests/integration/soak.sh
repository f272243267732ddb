#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The 3-minute soak with faults (scripts/soak.sh: collectd, 64 simulated
# batteries, every fault of the simulator cycled over random batteries),
# twice: with the plugin as built, then with build/san/wattcycle.so
# (ASan+UBSan) in a collectd that has the sanitizer runtimes preloaded.
# SOAK_TEST_SECONDS sets the length of each run (180; both runs together
# stay under 7 minutes).  One TAP stream, numbered across both runs.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
export BUILD
secs=${SOAK_TEST_SECONDS:-180}
rc=0
n=0
for mode in plain sanitized; do
	san=0
	[[ $mode == sanitized ]] && san=1
	if [[ $san == 1 && ! -f $BUILD/san/wattcycle.so ]]; then
		n=$((n + 1)); echo "not ok $n - $BUILD/san/wattcycle.so missing (make $BUILD/san/wattcycle.so)"
		rc=1; continue
	fi
	out=$(SOAK_SECONDS=$secs SOAK_SANITIZE=$san SOAK_SEED=${SOAK_SEED:-1} \
		timeout $((secs + 120)) scripts/soak.sh --tap 2>&1) || rc=1
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ ok|ok)\ [0-9]+\ -\ (.*)$ ]]; then
			n=$((n + 1)); echo "${BASH_REMATCH[1]} $n - $mode: ${BASH_REMATCH[2]}"
		elif [[ $line != 1..* ]]; then
			echo "# $mode: ${line#\# }"
		fi
	done <<<"$out"
done
echo "1..$n"
exit $rc
