#!/bin/sh
# Runs the bats suites and ends with one line "tests: N passed, N failed",
# keeping bats's exit status.  FT_BIN names the directory of the tools under
# test; FT_VALGRIND=1 runs each tool under valgrind.
#
# The files run side by side, FT_TEST_JOBS at a time (by default one more
# than the cores: a test spends part of its time waiting, on fsync and on
# its tools' threads; with 3 jobs on 2 cores the suite kept them about 60%
# busy), each file's tests one after another;
# FT_TEST_JOBS=1 runs the files one by one.  Side by side needs GNU parallel
# (Debian package parallel, which make check installs); without it the files
# run one by one, with a message.  The TAP lines come out as one run's, in
# the files' order.  Not the tests of a file side by side: bats 1.8 then
# looks for a free slot once a second, slower than one by one.
# Usage: tests/run.sh [FILE.bats...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${FT_BIN:=$here/../bin}"
export FT_BIN
# Every file, the slowest first (as measured: ft-update and ft-vote after
# their set-up moved to setup_file), so that the files that start last are
# short ones and the jobs end together; then the others, in name order.
# A file not in the list runs with the others.
slow="corpus ft-ingest ft-vote ft-dispatch ft-update ft-vote-corpus"
if [ "$#" -eq 0 ]; then
	for n in $slow; do
		[ -f "$here/$n.bats" ] && set -- "$@" "$here/$n.bats"
	done
	for f in "$here"/*.bats; do
		case " $slow " in
		*" $(basename "$f" .bats) "*) ;;
		*) set -- "$@" "$f" ;;
		esac
	done
fi
jobs=${FT_TEST_JOBS:-$(($(nproc 2>/dev/null || echo 1) + 1))}
case $jobs in
'' | *[!0-9]* | 0)
	echo "tests: FT_TEST_JOBS: not a number of jobs: \"$jobs\"" >&2
	exit 64
	;;
esac
if [ "$jobs" -gt 1 ] && [ "$#" -gt 1 ]; then
	if command -v parallel >/dev/null 2>&1; then
		set -- --jobs "$jobs" --no-parallelize-within-files "$@"
	else
		echo "tests: no GNU parallel (Debian package parallel): the files run one by one" >&2
	fi
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
