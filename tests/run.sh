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
st=$(mktemp)
trap 'rm -f "$out" "$st"' EXIT
# bats's own status, not tee's: sh has no pipefail.
{ bats --tap "$@"; echo $? > "$st"; } | tee "$out"
status=$(cat "$st")
passed=$(grep -c '^ok ' "$out")
failed=$(grep -c '^not ok ' "$out")
echo "tests: $passed passed, $failed failed"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
	echo "tests: no test ran" >&2
	exit 1
fi
exit "$status"
