#!/usr/bin/env bats
# make demo: tools/demo.sh, the nightly job on a generated district, runs to
# its end with the tools under test.  The script checks each stage's exit
# status and counts itself and stops (1) naming what went wrong; here it
# runs on a copy of tools/ so that the tree's demo/ is left alone.

bats_require_minimum_version 1.5.0
load helpers/common

setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR" || exit 1
	mkdir root
	cp -r "$BATS_TEST_DIRNAME/../tools" root/
}

@test "make demo: the whole job runs to its end; the early warnings find the typhoon, the lamp that keeps breaking and the sensor gone quiet, and reading the day again raises nothing" {
	run -0 --separate-stderr sh root/tools/demo.sh
	[[ "$output" == *"demo: done in "* ]]
	grep -qx '  2026-07-21T06:33:23Z  storm-surge  \*  level red  469 events  MAJOR' <<< "$output"
	grep -qx '  2026-06-20T14:54:34Z  lamp-again  QR-SL-00007  raised yellow  7 events' <<< "$output"
	grep -qx '  2026-08-09T01:44:52Z  sensor-silent  QR-SW-00003  raised orange  1 event' <<< "$output"
	[[ "$stderr" == *"ft-warn: 20120 records (20120 events, 0 readings): 0 raised, 0 resolved, 0 rejected"* ]]
	[ ! -s root/demo/warnings-again.ndjson ]
	FT_DB=root/demo/ft.db run -0 ft-update --verify
}
