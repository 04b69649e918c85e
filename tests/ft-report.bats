#!/usr/bin/env bats
# ft-report events (issue 14, its first slice): the events counted by local
# period (every period of the range, the empty ones as 0) and by key (area
# at any level through the units' parents), --compare, the four formats
# exactly (Chinese text two columns wide), the local-day edges (23:59:59
# and 00:00:00 at +08:00), empty ranges, bad options, the database only
# read, and NYC 311's records counted by local day and hour against awk.
# shellcheck disable=SC2154
bats_require_minimum_version 1.5.0
load helpers/common

F="$BATS_TEST_DIRNAME/fixtures/ft-report"

setup_file() {
	# The district (units with parents, two teams) and eleven events at
	# +08:00, dispatched by category where a rule matches (the others stay
	# new, without a unit: ft-dispatch exits 1 for them).
	local base="$BATS_FILE_TMPDIR/base.db"
	export FT_NOW="2026-12-08T04:00:00Z" FT_USER=tester
	FT_DB="$base" "$FT_BIN/ft-ingest" -q -k units "$F/units.ndjson" > /dev/null
	FT_DB="$base" "$FT_BIN/ft-ingest" -q "$F/events.ndjson" |
		{ FT_DB="$base" "$FT_BIN/ft-dispatch" -q --rules "$F/rules.json" 2> /dev/null > /dev/null || [ $? = 1 ]; }
	[ "$(sqlite3 "$base" 'SELECT count(*), count(unit) FROM events')" = "11|6" ]
}

setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR" || exit 1
	cp "$BATS_FILE_TMPDIR/base.db" "$FT_DB"
	# Noon of Tuesday 2026-12-08 in Shanghai.
	export FT_NOW="2026-12-08T04:00:00Z"
}

# rep ARGS...: ft-report events in Shanghai's zone.
rep() {
	ft-report events --tz Asia/Shanghai "$@"
}

# is: $output is standard input exactly (a diff on standard error if not).
is() {
	local want
	want=$(cat)
	[ "$output" = "$want" ] && return 0
	diff <(printf '%s\n' "$want") <(printf '%s\n' "$output") >&2
	return 1
}

# crlf: standard input with each line ended by CR LF.
crlf() {
	sed 's/$/\r/'
}

# usage MESSAGE ARGS...: ft-report ARGS exits 64 with MESSAGE and the hint.
usage() {
	local msg=$1
	shift
	run -64 --separate-stderr ft-report "$@"
	[ "$output" = "" ]
	[ "${stderr_lines[0]}" = "ft-report: $msg" ]
	[ "${stderr_lines[1]}" = "Try 'ft-report --help' for more information." ]
	[ "${#stderr_lines[@]}" = 2 ]
}

# ---- periods ----

@test "ft-report events: by local day in +08:00, every day listed, the empty one as 0" {
	run -0 --separate-stderr rep --since 2026-11-30 --until 2026-12-08
	[ "$stderr" = "" ]
	is <<-'EOF'
	day         events
	----------  ------
	2026-11-30       1
	2026-12-01       1
	2026-12-02       2
	2026-12-03       1
	2026-12-04       1
	2026-12-05       0
	2026-12-06       1
	2026-12-07       1
	total            8
	EOF
	# The same events by UTC day: an evening after 16:00 UTC is the next
	# local day, so the counts move (e2 and e6 are 00:00:00 local).
	run -0 --separate-stderr ft-report events --since 2026-11-30 --until 2026-12-08
	is <<-'EOF'
	day         events
	----------  ------
	2026-11-30       1
	2026-12-01       2
	2026-12-02       1
	2026-12-03       1
	2026-12-04       1
	2026-12-05       0
	2026-12-06       2
	2026-12-07       0
	total            8
	EOF
}

@test "ft-report events: the local-day edges: 23:59:59 and 00:00:00 at +08:00" {
	# e1 at 2026-12-01T23:59:59+08:00, e2 at 2026-12-02T00:00:00+08:00.
	run -0 --separate-stderr rep --by hour --since 2026-12-01T23:00:00+08:00 --until 2026-12-02T01:00:00+08:00
	is <<-'EOF'
	hour              events
	----------------  ------
	2026-12-01 23:00       1
	2026-12-02 00:00       1
	total                  2
	EOF
	# One second below, at, and one above the local midnight.
	run -0 --separate-stderr rep --format ndjson --since 2026-12-01T23:59:58+08:00 --until 2026-12-01T23:59:59+08:00
	is <<< '{"day":"2026-12-01","from":"2026-11-30T16:00:00Z","until":"2026-12-01T16:00:00Z","events":1}'
	run -0 --separate-stderr rep --format ndjson --by category --since 2026-12-01T23:59:58+08:00 --until 2026-12-01T23:59:59+08:00
	is < /dev/null
	run -0 --separate-stderr rep --format ndjson --by source --since 2026-12-01T23:59:59+08:00 --until 2026-12-02T00:00:00+08:00
	is <<< '{"source":"app","events":1}'
	run -0 --separate-stderr rep --format ndjson --by source --since 2026-12-02T00:00:00+08:00 --until 2026-12-02T00:00:01+08:00
	is <<< '{"source":"hotline","events":1}'
	# A day's row counts the whole local day: the range is widened to it.
	run -0 --separate-stderr rep --format csv --since 2026-12-01T23:59:59+08:00 --until 2026-12-02T00:00:01+08:00
	crlf <<-'EOF' | is
	day,events
	2026-12-01,1
	2026-12-02,2
	EOF
}

@test "ft-report events: weeks from Monday and months, local, with --compare" {
	# e6 at Monday 2026-12-07T00:00:00+08:00 opens the second week.
	run -0 --separate-stderr rep --by week --compare --since 2026-11-30 --until 2026-12-14
	is <<-'EOF'
	week        events  previous  change  change_pct
	----------  ------  --------  ------  ----------
	2026-11-30       7         0      +7           -
	2026-12-07       1         7      -6      -85.7%
	total            8         7      +1      +14.3%
	EOF
	# e10 at 2026-10-31T23:59:59+08:00, e11 at 2026-11-01T00:00:00+08:00.
	run -0 --separate-stderr rep --by month --compare --since 2026-10-01 --until 2026-12-01
	is <<-'EOF'
	month    events  previous  change  change_pct
	-------  ------  --------  ------  ----------
	2026-10       1         0      +1           -
	2026-11       3         1      +2     +200.0%
	total         4         1      +3     +300.0%
	EOF
}

@test "ft-report events: days and hours across New York's DST changes" {
	rm -f "$FT_DB"
	ft-ingest -q > /dev/null <<-'EOF'
	{"id":"a","category":"x","reported_at":"2026-11-01T01:30:00-04:00"}
	{"id":"b","category":"x","reported_at":"2026-11-01T01:30:00-05:00"}
	{"id":"c","category":"x","reported_at":"2026-11-01T23:59:59-05:00"}
	{"id":"d","category":"x","reported_at":"2026-03-08T03:30:00-04:00"}
	EOF
	# The day of the fall back is 25 hours long; its 01:00 comes twice.
	run -0 --separate-stderr ft-report events --tz America/New_York --since 2026-10-31 --until 2026-11-03 --format ndjson
	is <<-'EOF'
	{"day":"2026-10-31","from":"2026-10-31T04:00:00Z","until":"2026-11-01T04:00:00Z","events":0}
	{"day":"2026-11-01","from":"2026-11-01T04:00:00Z","until":"2026-11-02T05:00:00Z","events":3}
	{"day":"2026-11-02","from":"2026-11-02T05:00:00Z","until":"2026-11-03T05:00:00Z","events":0}
	EOF
	run -0 --separate-stderr ft-report events --tz America/New_York --by hour --since 2026-11-01T00:00:00-04:00 --until 2026-11-01T02:00:00-05:00 --format ndjson
	is <<-'EOF'
	{"hour":"2026-11-01 00:00","from":"2026-11-01T04:00:00Z","until":"2026-11-01T05:00:00Z","events":0}
	{"hour":"2026-11-01 01:00","from":"2026-11-01T05:00:00Z","until":"2026-11-01T06:00:00Z","events":1}
	{"hour":"2026-11-01 01:00","from":"2026-11-01T06:00:00Z","until":"2026-11-01T07:00:00Z","events":1}
	EOF
	# The spring forward has no 02:00.
	run -0 --separate-stderr ft-report events --tz America/New_York --by hour --since 2026-03-08 --until 2026-03-08T05:00:00
	is <<-'EOF'
	hour              events
	----------------  ------
	2026-03-08 00:00       0
	2026-03-08 01:00       0
	2026-03-08 03:00       1
	2026-03-08 04:00       0
	total                  1
	EOF
}

@test "ft-report events: --compare by day in each format" {
	run -0 --separate-stderr rep --compare --since 2026-12-01 --until 2026-12-04 --format markdown
	is <<-'EOF'
	| day | events | previous | change | change_pct |
	| --- | --: | --: | --: | --: |
	| 2026-12-01 | 1 | 1 | 0 | 0.0% |
	| 2026-12-02 | 2 | 1 | +1 | +100.0% |
	| 2026-12-03 | 1 | 2 | -1 | -50.0% |
	| **total** | 4 | 4 | 0 | 0.0% |
	EOF
	run -0 --separate-stderr rep --compare --since 2026-12-01 --until 2026-12-04 --format csv
	crlf <<-'EOF' | is
	day,events,previous,change,change_pct
	2026-12-01,1,1,0,0.0
	2026-12-02,2,1,1,100.0
	2026-12-03,1,2,-1,-50.0
	EOF
	run -0 --separate-stderr rep --compare --since 2026-12-01 --until 2026-12-04 --format ndjson
	is <<-'EOF'
	{"day":"2026-12-01","from":"2026-11-30T16:00:00Z","until":"2026-12-01T16:00:00Z","events":1,"previous":1,"change":0,"change_pct":0.0}
	{"day":"2026-12-02","from":"2026-12-01T16:00:00Z","until":"2026-12-02T16:00:00Z","events":2,"previous":1,"change":1,"change_pct":100.0}
	{"day":"2026-12-03","from":"2026-12-02T16:00:00Z","until":"2026-12-03T16:00:00Z","events":1,"previous":2,"change":-1,"change_pct":-50.0}
	EOF
	run -0 jq -s length <<< "$output"
	[ "$output" = 3 ]
}

# ---- keys ----

@test "ft-report events: by category, Chinese names two columns wide, the columns lined up" {
	run -0 --separate-stderr rep --by category --since 2026-12-01 --until 2026-12-08
	is <<-'EOF'
	category  events
	--------  ------
	路灯           3
	noise          2
	垃圾清运       2
	total          7
	EOF
	# Every line is as wide on a terminal, by Python's East Asian widths.
	run -0 --separate-stderr rep --by category --compare --since 2026-11-01
	run -0 python3 -c 'import sys, unicodedata
print(sorted({sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l) for l in sys.stdin.read().splitlines()}))' <<< "$output"
	[ "$output" = "[53]" ]
}

@test "ft-report events: by category, --compare: the previous range of the same length" {
	# 2026-11-24 to 2026-12-01 holds e5 (路灯) alone.
	run -0 --separate-stderr rep --by category --compare --since 2026-12-01 --until 2026-12-08
	is <<-'EOF'
	category  events  previous  change  change_pct
	--------  ------  --------  ------  ----------
	路灯           3         1      +2     +200.0%
	noise          2         0      +2           -
	垃圾清运       2         0      +2           -
	total          7         1      +6     +600.0%
	EOF
	# A key of the previous range alone is listed with 0 now.
	run -0 --separate-stderr rep --by category --compare --since 2026-12-07 --until 2026-12-08 --format csv
	crlf <<-'EOF' | is
	category,events,previous,change,change_pct
	垃圾清运,1,0,1,
	路灯,0,1,-1,-100.0
	EOF
}

@test "ft-report events: CSV quotes as RFC 4180 says; Markdown and NDJSON" {
	run -0 --separate-stderr rep --by category --since 2026-11-01 --format csv
	crlf <<-'EOF' | is
	category,events
	路灯,4
	noise,3
	垃圾清运,2
	"a, ""quoted"" one",1
	EOF
	run -0 --separate-stderr rep --by category --since 2026-11-01 --format markdown
	is <<-'EOF'
	| category | events |
	| --- | --: |
	| 路灯 | 4 |
	| noise | 3 |
	| 垃圾清运 | 2 |
	| a, "quoted" one | 1 |
	| **total** | 10 |
	EOF
	run -0 --separate-stderr rep --by category --since 2026-11-01 --format ndjson
	is <<-'EOF'
	{"category":"路灯","events":4}
	{"category":"noise","events":3}
	{"category":"垃圾清运","events":2}
	{"category":"a, \"quoted\" one","events":1}
	EOF
}

@test "ft-report events: a name's control characters are shown as ?, its | escaped in Markdown" {
	rm -f "$FT_DB"
	ft-ingest -q > /dev/null <<-'EOF'
	{"id":"a","category":"red\u001b[31mtext","reported_at":"2026-12-01T08:00:00Z"}
	{"id":"b","category":"a|b","reported_at":"2026-12-01T09:00:00Z"}
	{"id":"c","category":"ｆｕｌｌ","reported_at":"2026-12-01T10:00:00Z"}
	EOF
	run -0 --separate-stderr ft-report events --by category --since 2026-12-01 --until 2026-12-02
	is <<-'EOF'
	category      events
	------------  ------
	a|b                1
	red?[31mtext       1
	ｆｕｌｌ           1
	total              3
	EOF
	run -0 --separate-stderr ft-report events --by category --since 2026-12-01 --until 2026-12-02 --format markdown
	is <<-'EOF'
	| category | events |
	| --- | --: |
	| a\|b | 1 |
	| red?[31mtext | 1 |
	| ｆｕｌｌ | 1 |
	| **total** | 3 |
	EOF
	run -0 --separate-stderr ft-report events --by category --since 2026-12-01 --until 2026-12-02 --format ndjson
	[ "${lines[1]}" = '{"category":"red\u001b[31mtext","events":1}' ]
}

@test "ft-report events: by source, unit (none for the undispatched) and facility" {
	run -0 --separate-stderr rep --by source --since 2026-12-01 --until 2026-12-08 --format ndjson
	is <<-'EOF'
	{"source":"app","events":3}
	{"source":"hotline","events":2}
	{"source":"patrol","events":1}
	{"source":"qr","events":1}
	EOF
	run -0 --separate-stderr rep --by unit --compare --since 2026-12-01 --until 2026-12-08 --format markdown
	is <<-'EOF'
	| unit | events | previous | change | change_pct |
	| --- | --: | --: | --: | --: |
	| lights | 3 | 1 | +2 | +200.0% |
	| (none) | 2 | 0 | +2 | - |
	| sanitation | 2 | 0 | +2 | - |
	| **total** | 7 | 1 | +6 | +600.0% |
	EOF
	run -0 --separate-stderr rep --by unit --since 2026-12-01 --until 2026-12-08 --format ndjson
	is <<-'EOF'
	{"unit":"lights","events":3}
	{"unit":null,"events":2}
	{"unit":"sanitation","events":2}
	EOF
	run -0 --separate-stderr rep --by facility --since 2026-11-01
	is <<-'EOF'
	facility  events
	--------  ------
	(none)         8
	qr-17          2
	total         10
	EOF
}

@test "ft-report events: by area at each level, through the units' parents" {
	run -0 --separate-stderr rep --by area --since 2026-11-01
	is <<-'EOF'
	area    events
	------  ------
	g1           3
	g2           2
	g3           2
	g4           2
	(none)       1
	total       10
	EOF
	run -0 --separate-stderr rep --by area --area-level community --since 2026-11-01
	is <<-'EOF'
	community  events
	---------  ------
	c1              5
	c2              2
	c3              2
	(none)          1
	total          10
	EOF
	run -0 --separate-stderr rep --by area --area-level street --since 2026-11-01 --format csv
	crlf <<-'EOF' | is
	street,events
	s1,7
	s2,2
	,1
	EOF
	run -0 --separate-stderr rep --by area --area-level district --since 2026-11-01 --format ndjson
	is <<-'EOF'
	{"district":"d1","events":9}
	{"district":null,"events":1}
	EOF
	run -0 --separate-stderr rep --by area --area-level grid --since 2026-11-01 --format ndjson
	[ "$(jq -c '[.grid, .events]' <<< "$output" | paste -sd ' ')" = '["g1",3] ["g2",2] ["g3",2] ["g4",2] [null,1]' ]
}

@test "ft-report events: --area (and the areas below it), --unit, --category" {
	run -0 --separate-stderr rep --by category --area c1 --since 2026-11-01 --format csv
	crlf <<-'EOF' | is
	category,events
	noise,2
	路灯,2
	垃圾清运,1
	EOF
	run -0 --separate-stderr rep --by area --area-level street --unit lights --since 2026-11-01 --format csv
	crlf <<-'EOF' | is
	street,events
	s1,2
	s2,2
	EOF
	run -0 --separate-stderr rep --by area --area s2 --category 路灯 --since 2026-11-01 --format csv
	crlf <<-'EOF' | is
	area,events
	g4,2
	EOF
	run -0 --separate-stderr rep --area d1 --category noise --by month --since 2026-10-01 --until 2026-12-31 --format csv
	crlf <<-'EOF' | is
	month,events
	2026-10,1
	2026-11,1
	2026-12,1
	EOF
}

@test "ft-report events: relative ranges: 7d, 24h, yesterday, last-month, the default" {
	# Now is 2026-12-08 12:00 in Shanghai.
	run -0 --separate-stderr rep --by category --since yesterday --format csv
	crlf <<-'EOF' | is
	category,events
	垃圾清运,1
	EOF
	run -0 --separate-stderr rep --by source --since 7d --format csv
	crlf <<-'EOF' | is
	source,events
	app,3
	hotline,2
	patrol,1
	qr,1
	EOF
	# The default range is the 7 days before now, widened to local days.
	run -0 --separate-stderr rep --format csv
	crlf <<-'EOF' | is
	day,events
	2026-12-01,1
	2026-12-02,2
	2026-12-03,1
	2026-12-04,1
	2026-12-05,0
	2026-12-06,1
	2026-12-07,1
	2026-12-08,0
	EOF
	run -0 --separate-stderr rep --by month --since last-month --format csv
	crlf <<-'EOF' | is
	month,events
	2026-11,3
	EOF
	# From 2026-12-06T12:00Z: e7 at 23:59:59 and e6 at 00:00:00 local.
	run -0 --separate-stderr rep --by category --now 2026-12-07T12:00:00Z --since 24h --format csv
	crlf <<-'EOF' | is
	category,events
	垃圾清运,1
	路灯,1
	EOF
	run -0 --separate-stderr rep --by category --since 2026-12-07 --until yesterday --format csv
	crlf <<-'EOF' | is
	category,events
	垃圾清运,1
	EOF
}

@test "ft-report events: an empty range: zeros by period, the header alone by key" {
	run -0 --separate-stderr rep --since 2025-01-01 --until 2025-01-03 --compare
	is <<-'EOF'
	day         events  previous  change  change_pct
	----------  ------  --------  ------  ----------
	2025-01-01       0         0       0           -
	2025-01-02       0         0       0           -
	total            0         0       0           -
	EOF
	run -0 --separate-stderr rep --by category --since 2025-01-01 --until 2025-01-03
	is <<-'EOF'
	category  events
	--------  ------
	total          0
	EOF
	run -0 --separate-stderr rep --by category --since 2025-01-01 --until 2025-01-03 --format csv
	crlf <<< 'category,events' | is
	run -0 --separate-stderr rep --by category --since 2025-01-01 --until 2025-01-03 --format ndjson
	[ "$output" = "" ]
	run -0 --separate-stderr rep --by unit --since 2025-01-01 --until 2025-01-03 --format markdown
	is <<-'EOF'
	| unit | events |
	| --- | --: |
	| **total** | 0 |
	EOF
	# An empty database reports zeros too.
	rm -f "$FT_DB"
	ft-ingest -q -k units "$F/units.ndjson" > /dev/null
	run -0 --separate-stderr rep --since 2026-12-01 --until 2026-12-02 --format csv
	crlf <<-'EOF' | is
	day,events
	2026-12-01,0
	EOF
}

@test "ft-report events: a reader that goes away ends the run quietly" {
	run -0 --separate-stderr bash -c 'ft-report events --by hour --since 2020-01-01 | head -1; echo "${PIPESTATUS[0]}"'
	[ "${lines[0]}" = "hour              events" ]
	[ "${lines[1]}" = 0 ]
	[ "$stderr" = "" ]
}

# ---- errors ----

@test "ft-report: bad options exit 64 with a message naming the option" {
	usage '--by: "weekly" is not hour, day, week, month, category, source, unit, area or facility' events --by weekly
	usage '--format: "pdf" is not table, csv, ndjson, markdown or html' events --format pdf
	usage '--area-level: "ward" is not grid, community, street or district' events --by area --area-level ward
	usage '--area-level needs --by area' events --area-level grid
	usage '--since: "soon": not an ISO 8601 time or epoch seconds' events --since soon
	usage '--until: "2026-13-01": no such date' events --until 2026-13-01
	usage '--since (2026-12-05T00:00:00Z) is not before --until (2026-12-01T00:00:00Z)' events --since 2026-12-05 --until 2026-12-01
	usage '--since (2026-12-01T00:00:00Z) is not before --until (2026-12-01T00:00:00Z)' events --since 2026-12-01 --until 2026-12-01
	usage 'no report named: events, sla, warnings, facilities, collectors, services, vote, site' --by day
	usage 'unknown report "event"; the reports are: events, sla, warnings, facilities, collectors, services, vote, site' event
	usage 'events: unexpected argument "extra"' events extra
	usage '--tz: unknown time zone "Mars/Olympus"' events --tz Mars/Olympus
	usage "unknown option '--bogus'" events --bogus
	usage "option '--by' needs a value" events --by
	# 100,000 periods at most (found while counting: the message alone);
	# now is 2026-12-08T04:00Z.
	run -64 --separate-stderr ft-report events --by hour --since 2015-07-12T11:00:00Z
	[ "$output" = "" ]
	[ "$stderr" = 'ft-report: more than 100000 periods: a wider --by, or a shorter range' ]
	run -0 --separate-stderr ft-report events --by hour --since 2015-07-12T12:00:00Z --format ndjson
	[ "${#lines[@]}" = 100000 ]
}

@test "ft-report: no database is 66 and creates none; a unit or area not stored is 66" {
	run -66 --separate-stderr ft-report events --db nothere.db
	[ "$output" = "" ]
	[ "$stderr" = "ft-report: nothere.db: no such database" ]
	[ ! -e nothere.db ] && [ ! -e nothere.db-wal ] && [ ! -e nothere.db-shm ]
	rm -f "$FT_DB"
	run -66 --separate-stderr ft-report events
	[ "$stderr" = "ft-report: $FT_DB: no such database" ]
	[ ! -e "$FT_DB" ]
	cp "$BATS_FILE_TMPDIR/base.db" "$FT_DB"
	run -66 --separate-stderr ft-report events --area g9
	[ "$stderr" = 'ft-report: --area: no unit "g9" in the database' ]
	run -66 --separate-stderr ft-report events --unit nobody
	[ "$stderr" = 'ft-report: --unit: no unit "nobody" in the database' ]
}

@test "ft-report: the database is only read: nothing changes, a read-only copy is enough" {
	mkdir ro
	cp "$FT_DB" ro/ft.db
	stat -c '%n %s %Y %a' ro/ft.db > before
	sha256sum ro/ft.db >> before
	run -0 --separate-stderr ft-report events --db ro/ft.db --by category --since 2026-11-01 --format csv
	[ "${lines[1]}" = $'路灯,4\r' ]
	stat -c '%n %s %Y %a' ro/ft.db > after
	sha256sum ro/ft.db >> after
	cmp before after
	# SQLite leaves an empty -wal (and a -shm) beside it: ft_db's
	# read-only mode, as for ft-warn list and ft-vote export.
	[ ! -s ro/ft.db-wal ]
	# A file and a directory that cannot be written are enough (root
	# writes anyway: not tested as root).
	[ "$(id -u)" != 0 ] || return 0
	rm -f ro/ft.db-wal ro/ft.db-shm
	chmod a-w ro/ft.db ro
	run -0 --separate-stderr ft-report events --db ro/ft.db --by category --since 2026-11-01 --format csv
	[ "${lines[1]}" = $'路灯,4\r' ]
	chmod u+w ro
	[ "$(ls ro)" = ft.db ]
}

@test "ft-report: a database from a newer version is 78" {
	sql 'PRAGMA user_version = 99'
	run -78 --separate-stderr ft-report events
	[ "$output" = "" ]
	[ "$stderr" = "ft-report: $FT_DB: database schema version 99 is newer than this ft understands (13); use a newer ft" ]
}

@test "ft-report: reads the database in place, not a private copy (runs under a file size limit smaller than it)" {
	# 20,000 events of bench/gen.c: a database of tens of MB, more than
	# SQLite's cache of a copy holds.  Under "ulimit -f 4096" (4 MB) a
	# copy of it into a temporary file is killed by SIGXFSZ (153); it was,
	# at each run, before FT_DB_NO_COPY.
	cc -O2 -o gen "$BATS_TEST_DIRNAME/../bench/gen.c"
	./gen -n 20000 .
	rm -f "$FT_DB"
	ft-ingest -q --no-output events.ndjson
	[ "$(stat -c %s "$FT_DB")" -gt 16000000 ]
	run -0 --separate-stderr bash -c 'set -o pipefail; ulimit -f 4096; "$FT_BIN/ft-report" events --by category --since 2024-06-01 --until 2024-09-01 --tz Asia/Shanghai --format csv | head -n 2'
	[ "$output" = "category,events"$'\r\n'"garbage,1740"$'\r' ]
	[ "$stderr" = "" ]
}

# ---- real data ----

@test "ft-report corpus: nyc311: 10,000 records by local day and hour, as awk counts them" {
	corpus_or_skip
	f="$CORPUS/nyc311/nyc311_2026-06_soda_10000.csv"
	rm -f "$FT_DB"
	ft-ingest -q --no-output --map @nyc311 "$f"
	# created_date, the second column, is New York's local time.
	want=$(tail -n +2 "$f" | cut -d, -f2 | cut -c1-10 | sort | uniq -c | awk '{ printf "%s,%s\r\n", $2, $1 }')
	run -0 --separate-stderr ft-report events --tz America/New_York --since 2026-06-27 --until 2026-06-29 --format csv
	[ "$output" = "day,events"$'\r\n'"${want%$'\n'}" ]
	[ "${#lines[@]}" = 3 ]
	# By hour, the hours with events.
	want=$(tail -n +2 "$f" | cut -d, -f2 | cut -c1-13 | sort | uniq -c | awk '{ sub("T", " ", $2); printf "%s:00 %s\n", $2, $1 }')
	run -0 --separate-stderr ft-report events --tz America/New_York --by hour --since 2026-06-27 --until 2026-06-29 --format ndjson
	[ "${#lines[@]}" = 48 ]
	[ "$(jq -r 'select(.events > 0) | "\(.hour) \(.events)"' <<< "$output")" = "$want" ]
	[ "$(jq -s 'map(.events) | add' <<< "$output")" = 10000 ]
	# In UTC the days split elsewhere, and the count is the same.
	run -0 --separate-stderr ft-report events --since 2026-06-27 --until 2026-06-29 --format ndjson
	[ "$(jq -s 'map(.events) | add' <<< "$output")" = 10000 ]
	[ "$(jq -r '.day' <<< "$output" | paste -sd ' ')" = "2026-06-27 2026-06-28" ]
}

@test "ft-report corpus: nyc311: by category over all, two thirds and one more, an hour and none of the records, as SQL's GROUP BY counts them" {
	corpus_or_skip
	rm -f "$FT_DB"
	ft-ingest -q --no-output --map @nyc311 "$CORPUS/nyc311/nyc311_2026-06_soda_10000.csv"
	# The 3,334th record in time is the first at 16:45:47: from it, 3,333
	# of the 10,000 are before the range (it is read with the table
	# whole: fewer than a third outside); from the next time, 3,334 (read
	# through the index); an hour and an empty range are read through
	# the index too.  95 categories, many of them the same size.
	[ "$(sqlite3 "$FT_DB" "SELECT count(*) FROM events WHERE reported_at < '2026-06-27T16:45:47Z'; SELECT count(*) FROM events WHERE reported_at < '2026-06-27T16:46:02Z'; SELECT count(DISTINCT category) FROM events" | paste -sd ' ')" = "3333 3334 95" ]
	for r in 2026-06-27T00:00:00Z,2026-06-29T00:00:00Z \
		2026-06-27T16:45:47Z,2026-06-29T00:00:00Z \
		2026-06-27T16:46:02Z,2026-06-29T00:00:00Z \
		2026-06-27T16:00:00Z,2026-06-27T17:00:00Z \
		2026-07-01T00:00:00Z,2026-07-02T00:00:00Z; do
		for k in category source; do
			want=$(echo "$k,events"
				sqlite3 -csv "$FT_DB" "SELECT $k, count(*) FROM events WHERE reported_at >= '${r%,*}' AND reported_at < '${r#*,}' GROUP BY 1 ORDER BY 2 DESC, 1 IS NOT NULL, 1")
			run -0 --separate-stderr ft-report events --by "$k" --tz UTC --since "${r%,*}" --until "${r#*,}" --format csv
			[ "$stderr" = "" ]
			[ "$(tr -d '\r' <<< "$output")" = "$want" ]
		done
		n[${#n[@]}]=$(tr -d '\r' <<< "${lines[1]:-}")
	done
	# One source: the records of each range.
	[ "${n[*]}" = "nyc311,10000 nyc311,6667 nyc311,6666 nyc311,439 " ]
}
