#!/usr/bin/env bats
# ft-report --as-of for sla and warnings (issue 14): the report as it
# would have looked at a time, rebuilt from the history: a second before
# each change and at it, and --as-of now the same as the report without it.
# shellcheck disable=SC2154
bats_require_minimum_version 1.5.0
load helpers/common

S="$BATS_TEST_DIRNAME/fixtures/ft-report-sla"

setup() {
	CR=$(printf "\r")
	common_setup
	cd "$BATS_TEST_TMPDIR" || exit 1
	export FT_USER=tester FT_NOW="2026-12-25T00:00:00Z"
}

# is: $output is standard input exactly (a diff on standard error if not).
is() {
	local want
	want=$(cat)
	[ "$output" = "$want" ] && return 0
	diff <(printf '%s\n' "$want") <(printf '%s\n' "$output") >&2
	return 1
}

# cases_db: two cases of lights (respond 30 minutes, resolve 4 hours,
# escalated to d1 60 minutes after a missed deadline), reported and
# dispatched on 2026-12-01 at 00:00 (UTC).  C1 is accepted at 00:04,
# resolved at 00:20, reopened at 00:25, resolved at 00:40, closed at 00:50
# and rated 5 at 01:00; C2 is never accepted, and escalated at 02:00.
cases_db() {
	ft-ingest -q --now 2026-12-01T00:00:00Z -k units "$S/units.ndjson" > /dev/null
	ft-ingest -q --now 2026-12-01T00:00:00Z <<-'EOF' |
	{"id":"C1","category":"路灯","source":"app","area":"g1","reported_at":"2026-12-01T00:00:00Z"}
	{"id":"C2","category":"路灯","source":"app","area":"g2","reported_at":"2026-12-01T00:00:00Z"}
	EOF
		ft-dispatch -q --now 2026-12-01T00:00:00Z --rules "$S/rules.json" > /dev/null
	ft-update -q > /dev/null <<-'EOF'
	{"id":"C1","status":"accepted","at":"2026-12-01T00:04:00Z"}
	{"id":"C1","status":"resolved","at":"2026-12-01T00:20:00Z"}
	{"id":"C1","status":"reopened","at":"2026-12-01T00:25:00Z"}
	{"id":"C1","status":"resolved","at":"2026-12-01T00:40:00Z"}
	{"id":"C1","status":"closed","at":"2026-12-01T00:50:00Z"}
	{"id":"C1","rating":5,"at":"2026-12-01T01:00:00Z"}
	EOF
	ft-dispatch -q --escalate --now 2026-12-01T02:00:00Z > /dev/null
	[ "$(sqlite3 "$FT_DB" "SELECT group_concat(status || ' ' || unit || ' ' || escalation || ' ' || ifnull(rating, '-'), ', ') FROM events")" = "closed lights 0 5, dispatched d1 1 -" ]
}

# sla_at TIME...: for each TIME, the sla report by unit as of TIME in
# CSV, its rows on one line after the time ("TIME: [row|row]").
sla_at() {
	local t
	for t in "$@"; do
		printf '%s: [%s]\n' "$t" "$(ft-report sla --tz UTC --since 2026-11-30 --until 2026-12-02 --as-of "$t" --min-group 0 --format csv | tr -d '\r' | tail -n +2 | paste -sd '|')"
	done
}

@test "ft-report sla --as-of: dispatched, accepted, resolved, reopened, closed, rated, escalated: a second before each change and at it" {
	cases_db
	run -0 sla_at 2026-11-30T23:59:59Z 2026-12-01T00:00:00Z 2026-12-01T00:03:59Z 2026-12-01T00:04:00Z 2026-12-01T00:05:00Z 2026-12-01T00:05:01Z \
		2026-12-01T00:19:59Z 2026-12-01T00:20:00Z 2026-12-01T00:24:59Z 2026-12-01T00:25:00Z 2026-12-01T00:30:00Z 2026-12-01T00:30:01Z \
		2026-12-01T00:39:59Z 2026-12-01T00:40:00Z 2026-12-01T00:49:59Z 2026-12-01T00:50:00Z 2026-12-01T00:59:59Z 2026-12-01T01:00:00Z \
		2026-12-01T01:59:59Z 2026-12-01T02:00:00Z
	is <<-'EOF'
	2026-11-30T23:59:59Z: []
	2026-12-01T00:00:00Z: [lights,1,2,,,,,,,,,0,0,0,0,0,0,,]
	2026-12-01T00:03:59Z: [lights,1,2,,,,,,,,,0,0,0,0,0,0,,]
	2026-12-01T00:04:00Z: [lights,1,2,240,240,100.0,100.0,100.0,,,,0,0,0,0,0,0,,]
	2026-12-01T00:05:00Z: [lights,1,2,240,240,100.0,100.0,100.0,,,,0,0,0,0,0,0,,]
	2026-12-01T00:05:01Z: [lights,1,2,240,240,100.0,50.0,100.0,,,,0,0,0,0,0,0,,]
	2026-12-01T00:19:59Z: [lights,1,2,240,240,100.0,50.0,100.0,,,,0,0,0,0,0,0,,]
	2026-12-01T00:20:00Z: [lights,1,2,240,240,100.0,50.0,100.0,1200,1200,100.0,0,0,0,0,0,0,,]
	2026-12-01T00:24:59Z: [lights,1,2,240,240,100.0,50.0,100.0,1200,1200,100.0,0,0,0,0,0,0,,]
	2026-12-01T00:25:00Z: [lights,1,2,240,240,100.0,50.0,100.0,,,,0,0,1,0,0,0,,]
	2026-12-01T00:30:00Z: [lights,1,2,240,240,100.0,50.0,100.0,,,,0,0,1,0,0,0,,]
	2026-12-01T00:30:01Z: [lights,1,2,240,240,50.0,50.0,50.0,,,,1,0,1,0,0,0,,]
	2026-12-01T00:39:59Z: [lights,1,2,240,240,50.0,50.0,50.0,,,,1,0,1,0,0,0,,]
	2026-12-01T00:40:00Z: [lights,1,2,240,240,50.0,50.0,50.0,2400,2400,100.0,1,0,1,0,0,0,,]
	2026-12-01T00:49:59Z: [lights,1,2,240,240,50.0,50.0,50.0,2400,2400,100.0,1,0,1,0,0,0,,]
	2026-12-01T00:50:00Z: [lights,1,2,240,240,50.0,50.0,50.0,2400,2400,100.0,1,0,1,1,0,0,,]
	2026-12-01T00:59:59Z: [lights,1,2,240,240,50.0,50.0,50.0,2400,2400,100.0,1,0,1,1,0,0,,]
	2026-12-01T01:00:00Z: [lights,1,2,240,240,50.0,50.0,50.0,2400,2400,100.0,1,0,1,1,0,1,5.00,100.0]
	2026-12-01T01:59:59Z: [lights,1,2,240,240,50.0,50.0,50.0,2400,2400,100.0,1,0,1,1,0,1,5.00,100.0]
	2026-12-01T02:00:00Z: [lights,1,1,240,240,100.0,100.0,100.0,2400,2400,100.0,0,0,1,1,0,1,5.00,100.0|d1,2,1,,,0.0,0.0,0.0,,,,1,1,0,0,0,0,,]
	EOF
	# As of now, the report as it is.
	a=$(ft-report sla --tz UTC --since 2026-11-30 --min-group 0 --format csv)
	b=$(ft-report sla --tz UTC --since 2026-11-30 --min-group 0 --format csv --as-of "$FT_NOW")
	[ "$a" = "$b" ]
	[ "$(tr -d '\r' <<< "$a" | tail -n 1)" = "d1,2,1,,,0.0,0.0,0.0,,,0.0,1,1,0,0,0,0,," ]
}

# warn_db: the threshold rule of fixtures/ft-report-asof (a warning for
# each area with an event in the hour, red and major from 2 events,
# escalated 15 minutes after its raise) over four events of 2026-12-01
# (UTC): g1's warning raised at 00:00, red at 00:10 and acknowledged at
# 00:20; g2's raised at 00:05, escalated at 00:30 and resolved by hand at
# 00:40; g3's raised at 00:15, escalated at 00:30, never answered.
warn_db() {
	local rules="$BATS_TEST_DIRNAME/fixtures/ft-report-asof/warn-rules.json"
	ft-ingest -q --now 2026-12-01T00:00:00Z -k units "$S/units.ndjson" > /dev/null
	ft-ingest -q --now 2026-12-01T00:00:00Z <<-'EOF' | ft-warn -q --rules "$rules" > /dev/null
	{"id":"E1","category":"路灯","source":"app","area":"g1","reported_at":"2026-12-01T00:00:00Z"}
	{"id":"E3","category":"路灯","source":"app","area":"g2","reported_at":"2026-12-01T00:05:00Z"}
	{"id":"E2","category":"垃圾清运","source":"app","area":"g1","reported_at":"2026-12-01T00:10:00Z"}
	{"id":"E4","category":"路灯","source":"app","area":"g3","reported_at":"2026-12-01T00:15:00Z"}
	EOF
	ft-warn ack -q "$(sqlite3 "$FT_DB" "SELECT warning FROM warnings WHERE key = 'g1'")" --now 2026-12-01T00:20:00Z > /dev/null
	ft-warn escalate -q --rules "$rules" --now 2026-12-01T00:30:00Z > /dev/null
	ft-warn resolve -q "$(sqlite3 "$FT_DB" "SELECT warning FROM warnings WHERE key = 'g2'")" --now 2026-12-01T00:40:00Z > /dev/null
	[ "$(sqlite3 "$FT_DB" "SELECT group_concat(key || ' ' || level || ' ' || major || ' ' || status || ' ' || escalation, ', ') FROM (SELECT * FROM warnings ORDER BY key)")" = "g1 red 1 acked 0, g2 yellow 0 resolved 1, g3 yellow 0 open 1" ]
}

# warn_at TIME...: the warnings report (ARGS after --) as of each TIME, as
# sla_at prints it.
warn_at() {
	local t args=()
	while [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	for t in "$@"; do
		printf '%s: [%s]\n' "$t" "$(ft-report warnings --tz UTC --since 2026-11-30 --until 2026-12-02 --as-of "$t" --min-group 0 "${args[@]}" --format csv | tr -d '\r' | tail -n +2 | paste -sd '|')"
	done
}

@test "ft-report warnings --as-of: raised, risen to major, acknowledged, escalated, resolved by hand: a second before each change and at it" {
	warn_db
	run -0 warn_at -- 2026-11-30T23:59:59Z 2026-12-01T00:00:00Z 2026-12-01T00:04:59Z 2026-12-01T00:05:00Z 2026-12-01T00:09:59Z 2026-12-01T00:10:00Z \
		2026-12-01T00:14:59Z 2026-12-01T00:15:00Z 2026-12-01T00:19:59Z 2026-12-01T00:20:00Z 2026-12-01T00:29:59Z 2026-12-01T00:30:00Z \
		2026-12-01T00:39:59Z 2026-12-01T00:40:00Z
	is <<-'EOF'
	2026-11-30T23:59:59Z: []
	2026-12-01T00:00:00Z: [yellow,1,1,0,,,,,100.0,0]
	2026-12-01T00:04:59Z: [yellow,1,1,0,,,,,100.0,0]
	2026-12-01T00:05:00Z: [yellow,1,2,0,,,,,100.0,0]
	2026-12-01T00:09:59Z: [yellow,1,2,0,,,0.0,,100.0,0]
	2026-12-01T00:10:00Z: [red,1,1,1,,,0.0,,100.0,0|yellow,2,1,0,,,,,100.0,0]
	2026-12-01T00:14:59Z: [red,1,1,1,,,0.0,,100.0,0|yellow,1,1,0,,,0.0,,100.0,0]
	2026-12-01T00:15:00Z: [yellow,1,2,0,,,0.0,,100.0,0|red,1,1,1,,,0.0,,100.0,0]
	2026-12-01T00:19:59Z: [yellow,1,2,0,,,0.0,,100.0,0|red,1,1,1,,,0.0,,100.0,0]
	2026-12-01T00:20:00Z: [red,1,1,1,1200,1200,0.0,100.0,0.0,0|yellow,2,2,0,,,0.0,,100.0,0]
	2026-12-01T00:29:59Z: [red,1,1,1,1200,1200,0.0,100.0,0.0,0|yellow,2,2,0,,,0.0,,100.0,0]
	2026-12-01T00:30:00Z: [red,1,1,1,1200,1200,0.0,100.0,0.0,0|yellow,2,2,0,,,0.0,,100.0,2]
	2026-12-01T00:39:59Z: [red,1,1,1,1200,1200,0.0,100.0,0.0,0|yellow,2,2,0,,,0.0,0.0,100.0,2]
	2026-12-01T00:40:00Z: [red,1,1,1,1200,1200,0.0,100.0,0.0,0|yellow,2,2,0,2100,2100,0.0,0.0,50.0,2]
	EOF
	# Major from its rise to red; behind g1's warning, E2 (垃圾清运) from
	# its report at 00:10.
	run -0 warn_at --major -- 2026-12-01T00:09:59Z 2026-12-01T00:10:00Z
	is <<-'EOF'
	2026-12-01T00:09:59Z: []
	2026-12-01T00:10:00Z: [red,1,1,1,,,0.0,,100.0,0]
	EOF
	run -0 warn_at --category 垃圾清运 --by key -- 2026-12-01T00:09:59Z 2026-12-01T00:10:00Z
	is <<-'EOF'
	2026-12-01T00:09:59Z: []
	2026-12-01T00:10:00Z: [g1,1,1,1,,,0.0,,100.0,0]
	EOF
	# As of now, the report as it is, for every grouping and filter.
	for args in "--by level" "--by rule" "--by key" "--major" "--category 路灯" "--area s1"; do
		# shellcheck disable=SC2086
		a=$(ft-report warnings --tz UTC --since 2026-11-30 --min-group 0 $args --format csv)
		# shellcheck disable=SC2086
		b=$(ft-report warnings --tz UTC --since 2026-11-30 --min-group 0 $args --format csv --as-of "$FT_NOW")
		[ "$a" = "$b" ] || { echo "$args: $a / $b"; false; }
	done
}

# more_db: the district, facilities and events of ft-report-more.bats,
# each event stored and dispatched at its reported_at (as a pipeline
# running all along would), then the units' updates at their times.
more_db() {
	local m="$BATS_TEST_DIRNAME/fixtures/ft-report-more" line at
	ft-ingest -q --now 2026-10-01T00:00:00Z -k units "$BATS_TEST_DIRNAME/fixtures/ft-report/units.ndjson" > /dev/null
	ft-ingest -q --now 2026-10-01T00:00:00Z -k facilities "$m/facilities.ndjson" > /dev/null
	while IFS= read -r line; do
		at=$(jq -r .reported_at <<< "$line")
		ft-ingest -q --now "$at" <<< "$line" |
			ft-dispatch -q --now "$at" --rules "$m/rules.json" > /dev/null
	done < "$m/events.ndjson"
	ft-update -q "$m/updates.ndjson" > /dev/null
	[ "$(sqlite3 "$FT_DB" "SELECT group_concat(status, ' ') FROM events WHERE id IN ('f1', 'p3', 'p4', 'p6')")" = "resolved duplicate rejected closed" ]
}

# more_at REPORT ARGS -- TIME...: REPORT as of each TIME, as sla_at
# prints it.
more_at() {
	local r=$1 t args=()
	shift
	while [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	for t in "$@"; do
		printf '%s: [%s]\n' "$t" "$(ft-report "$r" --tz UTC --since 2026-10-01 --until 2027-01-01 --as-of "$t" --min-group 0 "${args[@]}" --format csv | tr -d '\r' | tail -n +2 | paste -sd '|')"
	done
}

@test "ft-report facilities --as-of: reported, fixed, came back: a second before each change and at it" {
	more_db
	run -0 more_at facilities -- 2026-11-01T07:59:59Z 2026-11-01T08:00:00Z 2026-11-02T07:59:59Z 2026-11-02T08:00:00Z 2026-11-20T07:59:59Z 2026-11-20T08:00:00Z
	is <<-'EOF'
	2026-11-01T07:59:59Z: []
	2026-11-01T08:00:00Z: [1,qr-1,streetlight,路灯 1号,g1,1,0,0,,false]
	2026-11-02T07:59:59Z: [1,qr-1,streetlight,路灯 1号,g1,1,0,0,,false]
	2026-11-02T08:00:00Z: [1,qr-1,streetlight,路灯 1号,g1,1,1,0,0.0,false]
	2026-11-20T07:59:59Z: [1,qr-3,bench,"Bench, east gate",g4,3,0,0,,false|2,qr-2,bin,Bin 2,g2,2,1,0,0.0,false|3,qr-1,streetlight,路灯 1号,g1,1,1,0,0.0,false|3,qr-x,,,,1,0,0,,false]
	2026-11-20T08:00:00Z: [1,qr-3,bench,"Bench, east gate",g4,3,0,0,,false|2,qr-1,streetlight,路灯 1号,g1,2,1,1,100.0,false|2,qr-2,bin,Bin 2,g2,2,1,0,0.0,false|4,qr-x,,,,1,0,0,,false]
	EOF
}

@test "ft-report collectors --as-of: submitted, accepted, resolved, linked as a duplicate, rejected: a second before each change and at it" {
	more_db
	# The pseudonyms are those of the database now, whatever the time.
	run -0 more_at collectors -- 2026-11-02T07:59:59Z 2026-11-02T08:00:00Z 2026-11-02T08:59:59Z 2026-11-02T09:00:00Z 2026-11-05T08:59:59Z 2026-11-05T09:00:00Z 2026-11-08T08:59:59Z 2026-11-08T09:00:00Z 2026-11-14T07:59:59Z 2026-11-14T08:00:00Z
	is <<-'EOF'
	2026-11-02T07:59:59Z: [1,C1,万科物业,1,0,0,0,0,0.0,false]
	2026-11-02T08:00:00Z: [1,C1,万科物业,1,0,0,0,0,0.0,false|1,C2,万科物业,1,0,0,0,0,0.0,false]
	2026-11-02T08:59:59Z: [1,C1,万科物业,1,0,0,0,0,0.0,false|1,C2,万科物业,1,0,0,0,0,0.0,false]
	2026-11-02T09:00:00Z: [1,C1,万科物业,1,0,0,0,0,0.0,false|1,C2,万科物业,1,1,0,0,0,0.0,false]
	2026-11-05T08:59:59Z: [1,C2,万科物业,1,1,0,0,1,100.0,false|2,C1,万科物业,1,0,0,0,0,0.0,false|2,C3,Green Co,1,1,0,0,0,0.0,false]
	2026-11-05T09:00:00Z: [1,C2,万科物业,2,1,1,0,1,50.0,false|2,C1,万科物业,1,0,0,0,0,0.0,false|2,C3,Green Co,1,1,0,0,0,0.0,false]
	2026-11-08T08:59:59Z: [1,C2,万科物业,3,1,1,0,1,33.3,false|2,C1,万科物业,1,0,0,0,0,0.0,false|2,C3,Green Co,1,1,0,0,0,0.0,false]
	2026-11-08T09:00:00Z: [1,C2,万科物业,3,1,1,1,1,33.3,false|2,C1,万科物业,1,0,0,0,0,0.0,false|2,C3,Green Co,1,1,0,0,0,0.0,false]
	2026-11-14T07:59:59Z: [1,C1,万科物业,2,1,0,0,1,50.0,false|2,C2,万科物业,3,1,1,1,1,33.3,false|3,C3,Green Co,2,1,0,0,0,0.0,false]
	2026-11-14T08:00:00Z: [1,C1,万科物业,2,1,0,0,1,50.0,false|2,C2,万科物业,3,1,1,1,1,33.3,false|3,,,1,0,0,0,0,0.0,false|3,C3,Green Co,2,1,0,0,0,0.0,false]
	EOF
	run -0 more_at collectors --per firm -- 2026-11-05T08:59:59Z 2026-11-05T09:00:00Z
	is <<-'EOF'
	2026-11-05T08:59:59Z: [1,万科物业,2,1,0,0,1,50.0,false|2,Green Co,1,1,0,0,0,0.0,false]
	2026-11-05T09:00:00Z: [1,万科物业,3,1,1,0,1,33.3,false|2,Green Co,1,1,0,0,0,0.0,false]
	EOF
}

@test "ft-report services --as-of: requested, completed, rated: a second before each change and at it" {
	more_db
	run -0 more_at services -- 2026-11-03T08:59:59Z 2026-11-03T09:00:00Z 2026-11-03T10:59:59Z 2026-11-03T11:00:00Z 2026-11-04T09:59:59Z 2026-11-04T10:00:00Z
	is <<-'EOF'
	2026-11-03T08:59:59Z: []
	2026-11-03T09:00:00Z: [1,po-1,物业服务中心 A,社保卡,1,0,,,0,,,false]
	2026-11-03T10:59:59Z: [1,po-1,物业服务中心 A,社保卡,2,0,,,0,,,false]
	2026-11-03T11:00:00Z: [1,po-1,物业服务中心 A,社保卡,2,1,2.0,2.0,1,5.00,100.0,false]
	2026-11-04T09:59:59Z: [1,po-1,物业服务中心 A,社保卡,2,1,2.0,2.0,1,5.00,100.0,false]
	2026-11-04T10:00:00Z: [1,po-1,物业服务中心 A,社保卡,2,2,2.0,24.0,2,4.00,50.0,false]
	EOF
}

@test "ft-report --as-of now is each report without it, for every grouping and filter" {
	more_db
	local r args a b
	for r in "facilities" "facilities --back-days 3" "collectors" "collectors --per firm" "services" \
		"sla" "sla --by category" "sla --by area --area-level community"; do
		for args in "" "--category garbage" "--area s1" "--unit sanitation"; do
			# shellcheck disable=SC2086
			a=$(ft-report $r --tz UTC --since 2026-10-01 --min-group 2 $args --format ndjson)
			# shellcheck disable=SC2086
			b=$(ft-report $r --tz UTC --since 2026-10-01 --min-group 2 $args --format ndjson --as-of "$FT_NOW")
			[ "$a" = "$b" ] || { echo "$r $args: $a / $b"; false; }
		done
	done
}

# ---- events --min-group ----

# golden NAME: $output is the file fixtures/ft-report-asof/NAME exactly.
golden() {
	local g="$BATS_TEST_DIRNAME/fixtures/ft-report-asof/$1"
	[ "$output" = "$(cat "$g")" ] && return 0
	diff "$g" <(printf '%s\n' "$output") >&2
	return 1
}

# fac FORMAT ARGS...: the events of more_db by facility, in FORMAT.
fac() {
	local f=$1
	shift
	ft-report events --tz UTC --since 2026-10-01 --until 2027-01-01 --by facility --format "$f" "$@"
}

@test "ft-report events --min-group: groups of fewer events marked small, not ranked; the others ranked by count, equals sharing a rank (golden table, CSV, Markdown)" {
	more_db
	# 7 (none), 4 po-1, 3 qr-1, 3 qr-3 are at or above 3; 1 po-2, 2 qr-2,
	# 1 qr-x below it, in the order of their key.
	run -0 --separate-stderr fac table --min-group 3
	golden events-min-group.table
	run -0 --separate-stderr fac csv --min-group 3
	golden events-min-group.csv
	run -0 --separate-stderr fac markdown --min-group 3
	golden events-min-group.md
	run -0 --separate-stderr fac ndjson --min-group 3
	is <<-'EOF'
	{"facility":null,"events":7,"rank":1,"small":false}
	{"facility":"po-1","events":4,"rank":2,"small":false}
	{"facility":"qr-1","events":3,"rank":3,"small":false}
	{"facility":"qr-3","events":3,"rank":3,"small":false}
	{"facility":"po-2","events":1,"rank":null,"small":true}
	{"facility":"qr-2","events":2,"rank":null,"small":true}
	{"facility":"qr-x","events":1,"rank":null,"small":true}
	EOF
	# One above: the groups of 3 are small too.
	run -0 --separate-stderr fac csv --min-group 4
	[ "$(tr -d '\r' <<< "$output" | cut -d, -f1,3,4 | paste -sd ' ')" = "facility,rank,small ,1,false po-1,2,false po-2,,true qr-1,,true qr-2,,true qr-3,,true qr-x,,true" ]
	# 0 marks none; without --min-group, no columns (as before).
	run -0 --separate-stderr fac csv --min-group 0
	[ "$(tr -d '\r' <<< "$output" | cut -d, -f3,4 | paste -sd ' ')" = "rank,small 1,false 2,false 3,false 3,false 5,false 6,false 6,false" ]
	run -0 --separate-stderr fac csv
	[ "$(tr -d '\r' <<< "$output" | head -n 1)" = "facility,events" ]
}

@test "ft-report events --min-group: with --compare and --as-of; a period grouping is refused" {
	more_db
	# patrol 7, qr 6 and proxy 5 (at 5) are ranked, app 1 is small.
	run -0 --separate-stderr ft-report events --tz UTC --since 2026-11-01 --until 2026-12-01 --by source --compare --min-group 5 --format csv
	is <<-EOF
	source,events,previous,change,change_pct,rank,small$CR
	patrol,7,1,6,600.0,1,false$CR
	qr,6,0,6,,2,false$CR
	proxy,5,0,5,,3,false$CR
	app,1,0,1,,,true$CR
	EOF
	# As of 2026-11-10T08:00:00Z (f5 stored then counts), patrol and
	# proxy had 5 (equal ranks), app 1 and qr 2 are below 4.
	run -0 --separate-stderr ft-report events --tz UTC --since 2026-11-01 --until 2026-12-01 --by source --min-group 4 --as-of 2026-11-10T08:00:00Z --format csv
	is <<-EOF
	source,events,rank,small$CR
	patrol,5,1,false$CR
	proxy,5,1,false$CR
	app,1,,true$CR
	qr,2,,true$CR
	EOF
	run -64 --separate-stderr ft-report events --by week --min-group 5
	[ "$stderr" = "ft-report: events: --min-group needs --by category, source, unit, area or facility
Try 'ft-report --help' for more information." ]
}
