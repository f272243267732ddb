#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every test suite and print one summary line "N passed, N failed".
#
# Suites speak TAP ("ok N - name" / "not ok N - name"):
#   - unit tests (cmocka, CMOCKA_MESSAGE_OUTPUT=TAP), plain, under
#     ASan+UBSan, and once under valgrind;
#   - tests/cli/*.sh and tests/integration/*.sh (shell, TAP by hand);
#   - a short libFuzzer smoke run of every fuzz target.
# A suite that exits non-zero without reporting a failure (a crash, a
# sanitizer abort) counts as one failure of its own.
set -uo pipefail

BUILD=${BUILD:-build}
FUZZ_SMOKE_SECONDS=${FUZZ_SMOKE_SECONDS:-5}
export BUILD
export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0
failed=0
failures=()
logdir=$BUILD/test-logs
mkdir -p "$logdir"

# run_suite NAME CMD...: run, count TAP lines, keep the log.
run_suite() {
	local name=$1; shift
	local log=$logdir/$(echo "$name" | tr '/ ' '__').log
	local rc p f
	"$@" >"$log" 2>&1 </dev/null
	rc=$?
	p=$(grep -cE '^ok [0-9]+' "$log")
	f=$(grep -cE '^not ok [0-9]+' "$log")
	if [[ $rc -ne 0 && $f -eq 0 ]]; then
		f=1
		failures+=("$name: exited $rc without reporting a failure (see $log)")
	fi
	if [[ $p -eq 0 && $f -eq 0 ]]; then
		f=1
		failures+=("$name: reported no test (see $log)")
	fi
	while IFS= read -r line; do
		failures+=("$name: $line")
	done < <(grep -E '^not ok [0-9]+' "$log")
	passed=$((passed + p))
	failed=$((failed + f))
	printf '%-44s %4d passed, %d failed\n' "$name" "$p" "$f"
}

for t in "$BUILD"/tests/test_*; do
	[[ -x $t ]] || continue
	run_suite "unit/$(basename "$t")" "$t"
done
for t in "$BUILD"/tests-san/test_*; do
	[[ -x $t ]] || continue
	run_suite "asan+ubsan/$(basename "$t")" "$t"
done
if command -v valgrind >/dev/null; then
	for t in "$BUILD"/tests/test_*; do
		[[ -x $t ]] || continue
		WC_TEST_TIME_SLACK_MS=3000 run_suite "valgrind/$(basename "$t")" \
			valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite "$t"
	done
fi
for t in tests/cli/*.sh tests/integration/*.sh; do
	[[ -f $t ]] || continue
	run_suite "${t#tests/}" bash "$t"
done
for f in "$BUILD"/fuzz/fuzz_*; do
	[[ -x $f ]] || continue
	n=$(basename "$f")
	run_suite "fuzz-smoke/$n" scripts/fuzz.sh "$f" "tests/fuzz/corpus/$n" \
		"$FUZZ_SMOKE_SECONDS" --tap
done

if [[ ${#failures[@]} -gt 0 ]]; then
	echo
	echo "Failures:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
