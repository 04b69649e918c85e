#!/usr/bin/env bats
# The ft-report section of the benchmarks (bench/run.sh report): the
# hand-written SQL it times against each report (bench/report-sql/*.sql)
# must give the same figures as ft-report, checked here on a small
# database built the bench's own way (bench/run.sh report-check, with
# BENCH_REPORT_N events), and bench/report-cmp.sh, which compares them.

bats_require_minimum_version 1.5.0
load helpers/common

setup() {
	common_setup
	ROOT="$BATS_TEST_DIRNAME/.."
	cd "$BATS_TEST_TMPDIR" || exit 1
}

@test "bench report-check: each report's SQL gives ft-report's figures on 3,000 events" {
	BENCH_REPORT_N=3000 BENCH_DATA="$BATS_TEST_TMPDIR/data" \
		run -0 --separate-stderr sh "$ROOT/bench/run.sh" report-check
	[ "$stderr" = "" ]
	# One line a report, each the same figures; 3,000 events in the base.
	[ "$(printf '%s\n' "$output" | grep -c ': the same figures (')" = 8 ]
	for r in events-day events-category events-community sla warnings \
		facilities collectors services; do
		printf '%s\n' "$output" | grep -q "^bench:   $r: the same figures ([1-9]"
	done
	[ "$(sqlite3 data/report/base.db 'SELECT count(*) FROM events')" = 3000 ]
	[ "$(cat data/report/base.n)" = "3000 1" ]
}

@test "bench report-cmp: the same figures in another order, CRLF, rank and small taken out" {
	printf 'unit,rank,cases,small\r\nb,1,5,false\r\na,,2,true\r\n' >ft.csv
	printf 'unit,cases\na,2\nb,5\n' >sql.csv
	run -0 --separate-stderr sh "$ROOT/bench/report-cmp.sh" ft.csv sql.csv
	[ "$output" = "" ]
	[ "$stderr" = "" ]
}

@test "bench report-cmp: one figure different fails, and says which rows" {
	printf 'unit,rank,cases,small\r\nb,1,5,false\r\na,,2,true\r\n' >ft.csv
	printf 'unit,cases\na,3\nb,5\n' >sql.csv
	run -1 --separate-stderr sh "$ROOT/bench/report-cmp.sh" ft.csv sql.csv
	[ "$output" = "" ]
	[ "$stderr" = "$(printf '%s\n' \
		'report-cmp: ft.csv and sql.csv differ (< ft-report, > SQL):' \
		'2c2' '< 1 a,2' '---' '> 1 a,3')" ]
}

@test "bench report-check: warnings answered (acknowledged 4 minutes after) give the SQL's figures too" {
	# 20,000 events: the fewest of bench/gen.c's that leave a warning live.
	BENCH_REPORT_N=20000 BENCH_DATA="$BATS_TEST_TMPDIR/data" \
		run -0 --separate-stderr sh "$ROOT/bench/run.sh" report-base
	db=data/report/base.db
	# The bench's warnings resolve themselves, unanswered: acknowledge the
	# live ones, so that the times to answer are compared as well.
	sqlite3 -separator ' ' "$db" "SELECT warning, strftime('%Y-%m-%dT%H:%M:%SZ',
		raised_at, '+4 minutes') FROM warnings WHERE status = 'open'" >live
	[ -s live ]
	while read -r w at; do
		"$FT_BIN/ft-warn" ack "$w" --by bench --now "$at" --db "$db" >/dev/null
	done <live
	[ "$(sqlite3 "$db" "SELECT count(*) FROM warnings WHERE acked_at IS NOT NULL")" = "$(wc -l <live)" ]
	"$FT_BIN/ft-report" warnings --since 2024-06-01 --until 2024-09-01 \
		--tz Asia/Shanghai --now 2024-09-01T00:00:00+08:00 --db "$db" \
		--format csv >ft.csv
	sqlite3 -readonly -csv -header "$db" \
		".parameter set @since '2024-05-31T16:00:00Z'" \
		".parameter set @until '2024-08-31T16:00:00Z'" \
		".parameter set @now '2024-08-31T16:00:00Z'" \
		".read '$ROOT/bench/report-sql/warnings.sql'" >sql.csv
	grep -q ',240,240,' sql.csv
	run -0 --separate-stderr sh "$ROOT/bench/report-cmp.sh" ft.csv sql.csv
}
