#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Write the fuzz_frames seed corpus: one binary file per doc/PROTOCOL.md §14 WATT
# response frame, taken from tests/unit/watt_vectors.h (the one copy of the
# hex in the tree), named after its enum (WV_EF2F_8C -> ef2f-8c.bin).
# Usage: tests/fuzz/mkseeds.sh [OUTDIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../unit/watt_vectors.h
out=${1:-$here/corpus/fuzz_frames}
mkdir -p "$out"
n=0
# An entry is "[WV_X_Y] = { "NAME"," then the quoted hex on the next line.
while IFS=' ' read -r tag hex; do
	name=$(echo "${tag#WV_}" | tr 'A-Z_' 'a-z-')
	bytes=''
	for b in $hex; do
		[[ $b =~ ^[0-9A-Fa-f]{2}$ ]] || { echo "bad byte $b in $tag" >&2; exit 1; }
		bytes+="\\x$b"
	done
	printf '%b' "$bytes" >"$out/$name.bin"
	n=$((n + 1))
done < <(awk '
	/^\t\[WV_[A-Z0-9_]+\] = \{/ { tag = $1; gsub(/[\[\]]/, "", tag); next }
	tag != "" { line = $0; gsub(/^[ \t]*"|" *\},?$/, "", line); print tag, line; tag = "" }
' "$src")
echo "wrote $n seeds to $out"
