#!/usr/bin/env bats
# bench/run.sh's command line (the sections themselves run in make bench;
# the ft-report section's check is in bench-report.bats).

bats_require_minimum_version 1.5.0
load helpers/common

setup() {
	common_setup
	ROOT="$BATS_TEST_DIRNAME/.."
	cd "$BATS_TEST_TMPDIR" || exit 1
}

@test "bench run.sh: an unknown section is 64 and the usage names every section, main first" {
	BENCH_DATA="$BATS_TEST_TMPDIR/data" run -64 --separate-stderr \
		sh "$ROOT/bench/run.sh" nope
	[ "$output" = "" ]
	[ "$stderr" = "usage: sh bench/run.sh [main | vote | kw | readings | warn | warnreadings | nab | report | report-base | report-check | --table]" ]
	[ ! -e data ]
}

@test "bench run.sh: BENCH_N must be a positive integer, for main as for the whole run" {
	BENCH_N=0 BENCH_DATA="$BATS_TEST_TMPDIR/data" run -64 --separate-stderr \
		sh "$ROOT/bench/run.sh" main
	[ "$stderr" = "bench: BENCH_N must be positive" ]
	BENCH_N=x BENCH_DATA="$BATS_TEST_TMPDIR/data" run -64 --separate-stderr \
		sh "$ROOT/bench/run.sh" main
	[ "$stderr" = "bench: BENCH_N must be a positive integer: x" ]
}
