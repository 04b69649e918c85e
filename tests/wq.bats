#!/usr/bin/env bats
# lib/ft_wq: a run's writer thread (ft-warn's writes), through
# tests/unit/wq.c (ft-wq, built by make check beside the tools): the jobs
# run in the order they were added, however many blocks they fill; a job
# that fails drops those after it until the next sync, which reports the
# first failure; the strings a job carries come back as they went.

bats_require_minimum_version 1.5.0
load helpers/common

setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR" || exit 1
	WQ="$(dirname "$(readlink -f "$FT_BIN/ft-ingest")")/../test/ft-wq"
}

@test "wq: 30,000 jobs and jobs bigger than a block (256 KiB) run in the order they were added" {
	{ seq -f 'job %g' 1 10000; echo 'big 300000'; seq -f 'job %g' 10001 20000
	  echo 'big 1000000'; echo 'big 262144'; seq -f 'job %g' 20001 30000; } > in
	run -0 --separate-stderr "$WQ" < in
	{ seq 1 10000; echo 'big 300000'; seq 10001 20000; echo 'big 1000000'
	  echo 'big 262144'; seq 20001 30000; echo 'sync 0'; } > want
	printf '%s\n' "$output" | cmp - want
	[ "$stderr" = "" ]
}

@test "wq: a job that fails drops the jobs after it until the sync, which reports the first failure; then jobs run again" {
	printf 'job a\nfail 74\njob b\nfail 75\nbig 300000\nsync\njob c\nsync\nsync\nfail 73\n' > in
	run -0 --separate-stderr "$WQ" < in
	[ "$output" = "a
fail 74
sync 74
c
sync 0
sync 0
fail 73
sync 73" ]
}

@test "wq: the strings of a job come back as they went: NULL, empty, short and long, and none" {
	long=$(printf 'x%.0s' $(seq 1 3000))
	printf 'strs - = a bc\nstrs %s - =\nstrs\nsync\n' "$long" > in
	run -0 --separate-stderr "$WQ" < in
	[ "$output" = "NULL []0 [a]1 [bc]2
[$long]3000 NULL []0

sync 0
sync 0" ]
}

@test "wq: a command it does not know is a usage error (64)" {
	printf 'job a\nnope\njob b\n' > in
	run -64 --separate-stderr "$WQ" < in
	[ "$output" = "" ]
	[ "$stderr" = "ft-wq: nope: no such command" ]
}
