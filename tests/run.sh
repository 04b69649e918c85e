#!/bin/sh
# Runs the bats suites and ends with one line "tests: N passed, N failed",
# keeping bats's exit status.  FT_BIN names the directory of the tools under
# test; FT_VALGRIND=1 runs each tool under valgrind.
# Usage: tests/run.sh [FILE.bats...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${FT_BIN:=$here/../bin}"
export FT_BIN
if [ "$#" -eq 0 ]; then
	set -- "$here"/*.bats
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
bats --tap "$@" | tee "$out"
status=$?
passed=$(grep -c '^ok ' "$out")
failed=$(grep -c '^not ok ' "$out")
echo "tests: $passed passed, $failed failed"
exit "$status"
