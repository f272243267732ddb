#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz.sh BINARY SEED_DIR SECONDS [--tap]
# Runs a libFuzzer target for SECONDS on a scratch copy of the seed corpus
# (the committed seeds are never modified).  Exit 0 when it ran clean.
set -uo pipefail
bin=$1 seeds=$2 secs=$3 tap=${4:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
[[ -d $seeds ]] && cp -r "$seeds"/. "$work/corpus/" 2>/dev/null
"$bin" -max_total_time="$secs" -max_len=1024 -timeout=10 \
	-artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1
rc=$?
tail -n 3 "$work/log"
if [[ $rc -eq 0 ]]; then
	[[ -n $tap ]] && echo "ok 1 - $(basename "$bin") ran ${secs}s clean"
	exit 0
fi
grep -E 'ERROR|SUMMARY|runtime error|^ *#[0-9]+ ' "$work/log" | head -n 30
# keep what it found (the scratch directory goes): build/fuzz-artifacts/
keep=${FUZZ_ARTIFACTS:-${BUILD:-build}/fuzz-artifacts}/$(basename "$bin")
mkdir -p "$keep" && cp "$work/artifacts"/* "$keep"/ 2>/dev/null &&
	echo "artifacts kept in $keep:" && ls "$keep"
[[ -n $tap ]] && echo "not ok 1 - $(basename "$bin") found a failure (rc $rc)"
exit 1
