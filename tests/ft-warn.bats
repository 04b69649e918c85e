#!/usr/bin/env bats
# ft-warn: warning rules over events and readings (issue 13).  Each rule
# type at the edges of its windows and thresholds, the level rising, the
# same record twice, self-resolution, ack/resolve/list, escalation chains
# and silences (their edges, the history and its verification), the same
# warnings however the input is split into runs, the back-test over stored
# events and readings, bad rules and bad records.
# shellcheck disable=SC2154
bats_require_minimum_version 1.5.0
load helpers/common

setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# rules: standard input becomes rules.json.
rules() {
	cat > rules.json
}

# got FILTER: FILTER on each line of $output, joined by spaces.
got() {
	jq -rn "[inputs | $1 | if type == \"string\" then . else tojson end] | join(\" \")" <<< "$output"
}

# ev ID MINUTE [FIELDS]: an event of category x in area g1 at 08:MINUTE.
ev() {
	printf '{"id":"%s","category":"x","area":"g1","reported_at":"2026-12-01T08:%02d:00Z"%s}\n' "$1" "$2" "${3:-}"
}

# splits_equal: in.ndjson split into two runs after every line, each into
# a new database, prints what whole.ndjson holds (the single run's output).
splits_equal() {
	local i n
	n=$(wc -l < in.ndjson)
	for i in $(seq 0 "$n"); do
		rm -f split.db*
		head -n "$i" in.ndjson > a.ndjson
		tail -n "+$((i + 1))" in.ndjson > b.ndjson
		{ FT_DB=split.db ft-warn -q --rules rules.json a.ndjson
		  FT_DB=split.db ft-warn -q --rules rules.json b.ndjson; } > split.ndjson
		cmp whole.ndjson split.ndjson || { echo "split after line $i differs"; return 1; }
	done
}

# old_db_setup: two rules (a threshold per id, one over all), a.ndjson and
# b.ndjson (three events each), whole.ndjson (their two warnings in one
# run into whole.db), and old.db after a.ndjson alone (its output in
# split.ndjson), for a test to take back to an older schema.
old_db_setup() {
	echo '[{"name":"t","type":"threshold","key":"id","count":2,"window":60},{"name":"all","type":"threshold","count":4,"window":60}]' | rules
	{ ev a 0; ev b 1; ev c 2; } > a.ndjson
	{ ev a 3; ev d 4; ev e 5; } > b.ndjson
	cat a.ndjson b.ndjson > in.ndjson
	FT_DB=whole.db ft-warn -q --rules rules.json in.ndjson > whole.ndjson
	[ "$(wc -l < whole.ndjson)" = 2 ]
	FT_DB=old.db ft-warn -q --rules rules.json a.ndjson > split.ndjson
}

# rd MINUTE VALUE: a reading of sensor s1 at 09:MINUTE.
rd() {
	printf '{"sensor":"s1","at":"2026-12-01T09:%02d:00Z","value":%s}\n' "$1" "$2"
}

@test "ft-warn ids: w, the time raised in 10 hexadecimal digits, then 12 of the SHA-256 of the rule, the key and that time; they sort by the time raised" {
	echo '[{"name":"surge","type":"threshold","count":2,"window":30}]' | rules
	{ ev a 0; ev b 1 | sed 's/"g1"/"g2"/'; ev c 5; ev d 9 | sed 's/"g1"/"g2"/'; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	local t1 t2 want
	t1=$(date -u -d 2026-12-01T08:05:00Z +%s)
	t2=$(date -u -d 2026-12-01T08:09:00Z +%s)
	want="$(printf 'w%010x%s' "$t1" "$(printf 'surge\0g1\0%s' "$t1" | sha256sum | cut -c1-12)") $(printf 'w%010x%s' "$t2" "$(printf 'surge\0g2\0%s' "$t2" | sha256sum | cut -c1-12)")"
	[ "$(got .warning)" = "$want" ]
	[ "$(sql "SELECT group_concat(warning, ' ') FROM (SELECT warning FROM warnings ORDER BY warning)")" = "$want" ]
	[ "$(sql "SELECT group_concat(id, ' ') FROM (SELECT id FROM history WHERE kind = 'warning' ORDER BY seq)")" = "$want" ]
}

@test "ft-warn threshold: count-1 events in the window raise nothing, count raise one warning at the last, count+1 update it" {
	echo '[{"name":"surge","type":"threshold","count":3,"window":30}]' | rules
	{ ev a 0; ev b 10; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
	[ "$stderr" = "ft-warn: 2 records (2 events, 0 readings): 0 raised, 0 resolved, 0 rejected (${stderr##*rejected (}" ]
	ev c 20 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.key) \(.count) \(.first_at) \(.raised_at) \(.events)"')" = 'raised g1 3 2026-12-01T08:00:00Z 2026-12-01T08:20:00Z ["a","b","c"]' ]
	ev d 25 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
	[ "$(sql "SELECT status, count, last_at, events FROM warnings")" = 'open|4|2026-12-01T08:25:00Z|["a","b","c","d"]' ]
}

@test "ft-warn threshold: an event at the window's length after the first is outside it (the window is (t - window, t])" {
	echo '[{"name":"surge","type":"threshold","count":3,"window":20}]' | rules
	{ ev a 0; ev b 10; ev c 20; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
	{ ev a 0; ev b 10; ev c 19; } > in2.ndjson
	rm -f "$FT_DB"
	run -0 --separate-stderr ft-warn --rules rules.json in2.ndjson
	[ "$(got .change)" = raised ]
}

@test "ft-warn threshold: the level rises with the count, once per level; major from its level" {
	echo '[{"name":"surge","type":"threshold","count":2,"window":60,"level":"blue","levels":{"orange":4,"red":5},"major":"red"}]' | rules
	for i in 1 2 3 4 5 6; do ev "e$i" "$i"; done > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change):\(.level):\(.major):\(.count)"')" = "raised:blue:false:2 level:orange:false:4 level:red:true:5" ]
	[ "$(got .warning | tr ' ' '\n' | sort -u | wc -l)" = 1 ]
	[ "$(sql "SELECT action, detail FROM history WHERE kind = 'warning' ORDER BY seq")" = 'raise|{"rule":"surge","key":"g1","level":"blue","count":2}
level|{"rule":"surge","key":"g1","level":"orange","count":4}
level|{"rule":"surge","key":"g1","level":"red","count":5}' ]
}

@test "ft-warn threshold: the same event twice counts once, in one run or two" {
	echo '[{"name":"surge","type":"threshold","count":2,"window":60}]' | rules
	{ ev a 0; ev a 0; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
	ev b 1 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.count)"')" = "raised 2" ]
}

@test "ft-warn threshold: resolves itself once fewer than count have been in the window for the quiet period, at that time; the next surge is a new warning" {
	echo '[{"name":"surge","type":"threshold","count":2,"window":10,"quiet":5}]' | rules
	# a at 0 and b at 4: the window holds 2 until 0+10 = 08:10, quiet to 08:15.
	{ ev a 0; ev b 4; ev c 14 '' ; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.status)"')" = "raised open" ]
	ev d 15 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.resolved_at // "-") \(.duration // "-") \(.count)"')" = "resolved 2026-12-01T08:15:00Z 660 2 raised - - 2" ]
	# d at 15 and c at 14: a new surge, a new warning.
	[ "$(sql "SELECT count(*), count(DISTINCT warning) FROM warnings")" = "2|2" ]
	[ "$(sql "SELECT status FROM warnings ORDER BY raised_at")" = "resolved
open" ]
}

@test "ft-warn threshold: a key is the rule's field: area, category, facility...; a record without it is not counted" {
	echo '[{"name":"c","type":"threshold","key":"category","count":2,"window":60}]' | rules
	{ ev a 0; printf '{"id":"b","category":"x","reported_at":"2026-12-01T08:01:00Z"}\n'; printf '{"id":"c","reported_at":"2026-12-01T08:02:00Z"}\n'; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.key) \(.count)"')" = "x 2" ]
}

@test "ft-warn when: the conditions of ft-dispatch (category, source, words, jq) pick the events a rule counts" {
	echo '[{"name":"w","type":"threshold","when":{"source":"app","words":"fire","jq":".severity >= 2"},"count":2,"window":60}]' | rules
	{ ev a 0 ',"source":"app","title":"Fire!","severity":3'
	  ev b 1 ',"source":"hotline","title":"fire","severity":3'
	  ev c 2 ',"source":"app","title":"smoke","severity":3'
	  ev d 3 ',"source":"app","text":"a FIRE here","severity":1'
	  ev e 4 ',"source":"app","text":"fire","severity":2'; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '.events')" = '["a","e"]' ]
}

@test "ft-warn repeat: the same facility count times in the window; other facilities apart; address as key" {
	echo '[{"name":"lamp","type":"repeat","count":2,"window":"1d"},{"name":"addr","type":"repeat","key":"address","count":3,"window":"1d"}]' | rules
	{ ev a 0 ',"facility":"L1","address":"1 Main St"'
	  ev b 1 ',"facility":"L2","address":"1 Main St"'
	  ev c 2 ',"facility":"L1","address":"1 Main St"'; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.rule) \(.key) \(.count)"')" = "lamp L1 2 addr 1 Main St 3" ]
}

@test "ft-warn keyword: the weights of the distinct terms found, summed: below min nothing, at min the level, at a level's score that level" {
	echo '[{"name":"fire","type":"keyword","terms":{"火灾":3,"冒烟":2,"gas":1},"min":3,"levels":{"red":5}}]' | rules
	{ ev a 0 ',"title":"冒烟 冒烟"'
	  ev b 1 ',"title":"小区冒烟","text":"GAS"'
	  ev c 2 ',"title":"疑似火灾","text":"冒烟"'; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.key):\(.level):\(.value)"')" = "b:yellow:3 c:red:5" ]
}

@test "ft-warn keyword: a key shared by several items updates one warning, which resolves the quiet period after the last" {
	echo '[{"name":"kw","type":"keyword","key":"category","terms":{"leak":1},"quiet":"10m"}]' | rules
	{ ev a 0 ',"title":"leak"'; ev b 5 ',"title":"leak"'; ev c 15 ',"title":"none"'; ev d 16; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.count) \(.resolved_at // "-")"')" = "raised 1 - resolved 2 2026-12-01T08:15:00Z" ]
}

@test "ft-warn value: above is strict; for holds the raise; hysteresis holds the clearing; levels by value" {
	echo '[{"name":"w","type":"value","above":5,"for":"10m","hysteresis":1,"levels":{"red":9},"quiet":0}]' | rules
	{ rd 0 5; rd 1 6; rd 5 7; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
	{ rd 11 9.5; rd 12 4.5; rd 13 6; rd 14 4; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.level) \(.count) \(.value) \(.first_at) \(.resolved_at // "-")"')" = "raised red 3 9.5 2026-12-01T09:01:00Z - resolved red 4 9.5 2026-12-01T09:01:00Z 2026-12-01T09:14:00Z" ]
}

@test "ft-warn value: below, and the sensor and metric a rule reads" {
	echo '[{"name":"low","type":"value","sensor":"s1","metric":"level","below":2}]' | rules
	printf '%s\n' '{"sensor":"s1","metric":"level","at":"2026-12-01T09:00:00Z","value":1}' \
		'{"sensor":"s1","at":"2026-12-01T09:00:00Z","value":1}' \
		'{"sensor":"s2","metric":"level","at":"2026-12-01T09:00:00Z","value":1}' > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.key) \(.value)"')" = "s1:level 1" ]
}

@test "ft-warn value: a reading of -0 is 0: its warning's value is 0 in the stream, after a restart and in the back-test over the stored readings" {
	echo '[{"name":"low","type":"value","below":1,"quiet":"2m"}]' | rules
	{ rd 0 -0.0; rd 1 -0; rd 5 3; rd 8 3; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	printf '%s\n' "$output" > whole.ndjson
	[ "$(got '"\(.change) \(.count) \(.value)"')" = "raised 1 0 resolved 2 0" ]
	splits_equal
	ft-ingest -q --no-output --kind readings in.ndjson
	run -0 --separate-stderr ft-warn -n --rules rules.json --since 2026-12-01T09:00:00Z --until 2026-12-01T09:08:01Z
	printf '%s\n' "$output" > back.ndjson
	cmp whole.ndjson back.ndjson
}

@test "ft-warn value: sensor \"a:b\" shares the key of sensor \"a\" metric \"b\", not the rules that name a sensor or a metric" {
	echo '[{"name":"few","type":"value","sensor":"a:b","above":5},{"name":"lvl","type":"value","metric":"b","above":5}]' | rules
	printf '%s\n' '{"sensor":"a:b","at":"2026-12-01T09:00:00Z","value":9}' \
		'{"sensor":"a","metric":"b","at":"2026-12-01T09:01:00Z","value":8}' \
		'{"sensor":"a:b","at":"2026-12-01T09:02:00Z","value":7}' \
		'{"sensor":"a","metric":"b","at":"2026-12-01T09:03:00Z","value":6}' > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.rule) \(.key) \(.first_at)"')" = "few a:b 2026-12-01T09:00:00Z lvl a:b 2026-12-01T09:01:00Z" ]
	run -0 --separate-stderr ft-warn list
	[ "$(got '"\(.rule) \(.count) \(.last_at)"')" = "few 2 2026-12-01T09:02:00Z lvl 2 2026-12-01T09:03:00Z" ]
}

# rs DAY HH:MM VALUE: a reading of sensor s1 at 2026-12-DAY HH:MM UTC.
rs() {
	printf '{"sensor":"s1","at":"2026-12-%02dT%s:00Z","value":%s}\n' "$1" "$2" "$3"
}

# dev_base: five readings of s1 at 09:00-09:04 whose median is 11 and MAD 1
# (10 10 11 11 12: deviations 1 1 0 0 1), so that a floor of 2 is the
# spread (1.4826 x 1 is less).
dev_base() {
	for m in 0:10 1:11 2:12 3:10 4:11; do rd "${m%%:*}" "${m#*:}"; done
}

@test "ft-warn value deviation: one below, at, one above the deviation (median 11, spread the floor 2); the level rises with it" {
	echo '[{"name":"d","type":"value","deviation":2,"levels":{"red":3},"baseline":{"readings":5,"min":5,"floor":2},"quiet":0}]' | rules
	for v in 14.98 15 15.02 17.02; do
		rm -f "$FT_DB"
		{ dev_base; rd 5 "$v"; } > in.ndjson
		run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
		printf '%s=%s\n' "$v" "$(got '"\(.change) \(.level) \(.value)"')"
	done > got.txt
	[ "$(cat got.txt)" = "14.98=
15=
15.02=raised yellow 2.01
17.02=raised red 3.01" ] || { cat got.txt; false; }
}

@test "ft-warn value deviation: the directions: above counts only readings above the median, below only those below, both either" {
	for dir in above below both; do
		echo '[{"name":"d","type":"value","deviation":2,"direction":"'$dir'","baseline":{"readings":5,"min":5,"floor":2},"quiet":"1h"}]' | rules
		for v in 6 7 15 16; do
			rm -f "$FT_DB"
			{ dev_base; rd 5 "$v"; } > in.ndjson
			run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
			printf '%s:%s=%s ' "$dir" "$v" "$(got .value)"
		done
	done > got.txt
	[ "$(cat got.txt)" = "above:6= above:7= above:15= above:16=2.5 below:6=2.5 below:7= below:15= below:16= both:6=2.5 both:7= both:15= both:16=2.5 " ] || { cat got.txt; false; }
}

@test "ft-warn value deviation: the measure is |x - median| / (1.4826 MAD) of the last readings, as jq computes it, odd and even counts; too few readings judge nothing" {
	echo '[{"name":"d","type":"value","deviation":3,"baseline":{"readings":6,"min":5,"floor":0.001},"quiet":"1h"}]' | rules
	# med: the median of an array; dev(x): x's deviation from the array.
	jqdev='def med: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
		def dev(x): med as $m | (x - $m | fabs) / (1.4826 * (map(. - $m | fabs) | med));'
	for vals in "10 20 30 40 50" "10 20 30 40 50 70" "10 20 30 40 50 70 99"; do
		rm -f "$FT_DB"
		i=0
		for v in $vals; do rd "$i" "$v"; i=$((i + 1)); done > in.ndjson
		rd "$i" 200 >> in.ndjson
		run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
		# The last six readings before 200 (the baseline holds six); the
		# readings before are less than 3 out.
		want=$(echo "$vals" | jq -R "$jqdev"' split(" ") | map(tonumber) | .[-6:] | dev(200)')
		[ "$(got .change)" = raised ]
		jq -en --argjson g "$(got .value)" --argjson w "$want" '($g - $w | fabs) < 1e-12'
	done
	rm -f "$FT_DB"
	{ rd 0 10; rd 1 20; rd 2 30; rd 3 40; rd 4 1000; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
}

@test "ft-warn value deviation: seasonal, the same local hour (--tz Asia/Kolkata, +05:30) of the last periods days, not this hour today" {
	echo '[{"name":"d","type":"value","deviation":3,"baseline":{"season":"day","periods":2,"min":4},"quiet":0}]' | rules
	# 15:00-16:00 in Kolkata is 09:30-10:30 UTC.  Days 2 and 3: 10 and
	# 12 in it (median 11, MAD 1), 100 at 14:50 local (another hour); day
	# 1 (three days before day 4): 500 in it.
	{ rs 1 09:40 500; for d in 2 3; do rs "$d" 09:20 100; rs "$d" 09:40 10; rs "$d" 09:50 12; done
	  rs 4 10:05 200; rs 4 10:20 16; } > in.ndjson
	run -0 --separate-stderr ft-warn --tz Asia/Kolkata --rules rules.json in.ndjson
	# 200 at 10:05 raises; at 10:20, 16 is (16 - 11) / 1.4826 = 3.37 from
	# the days before (200, this hour today, is not in it): still out.
	[ "$(got '"\(.change) \(.raised_at)"')" = "raised 2026-12-04T10:05:00Z" ]
	[ "$(sql "SELECT status, count, last_at FROM warnings")" = "open|2|2026-12-04T10:20:00Z" ]
	# In UTC the hour is 10:00-11:00: nothing of the days before in it.
	rm -f "$FT_DB"
	run -0 --separate-stderr ft-warn --tz UTC --rules rules.json in.ndjson
	[ "$output" = "" ]
}

@test "ft-warn value deviation: seasonal by week: the same hour of the same weekday, a week before, not the day before" {
	echo '[{"name":"d","type":"value","deviation":3,"baseline":{"season":"week","periods":1,"min":2},"quiet":0}]' | rules
	# 2026-12-01 and 12-08 are Tuesdays: 10 and 12 at 09:00-10:00 (median
	# 11, MAD 1); Wednesday 12-02 at that hour, 100 and 102.
	{ rs 1 09:10 10; rs 1 09:40 12; rs 2 09:10 100; rs 2 09:40 102
	  rs 8 09:20 16; rs 9 09:20 101; rs 9 09:30 16; } > in.ndjson
	run -0 --separate-stderr ft-warn --tz UTC --rules rules.json in.ndjson
	# 16 on Tuesday is 3.37 from Tuesday's 11; 101 on Wednesday 0; 16 on
	# Wednesday 57 from Wednesday's 101 (the Tuesday reading at 09:20 of
	# the day before is not in it).
	[ "$(got '"\(.change) \(.raised_at) \(.resolved_at // "-")"')" = "raised 2026-12-08T09:20:00Z - resolved 2026-12-08T09:20:00Z 2026-12-09T09:20:00Z raised 2026-12-09T09:30:00Z -" ]
}

@test "ft-warn value deviation: fallback: while the hour of the days before has fewer than min readings, every reading of the day (week) before, from exactly a period back" {
	# 2026-12-02 09:00: its hour of the day before holds one reading (10 at
	# 09:00 the day before, exactly a day back); the day before it also
	# holds 11 and 12 (median 11, MAD 1), not 1000 at 08:59 (a minute more).
	{ rs 1 08:59 1000; rs 1 09:00 10; rs 1 10:00 11; rs 1 11:00 12; rs 2 09:00 100; } > day.ndjson
	# 2026-12-08 09:00: nothing of the day before; the week before holds
	# 10, 11 and 12 (days 1, 3, 5).
	{ rs 1 10:00 10; rs 3 11:00 11; rs 5 12:00 12; rs 8 09:00 100; } > week.ndjson
	for c in day:true:day day:false:day week:true:week day:true:week; do
		IFS=: read -r season fb input <<< "$c"
		echo '[{"name":"d","type":"value","deviation":3,"baseline":{"season":"'$season'","periods":1,"min":3,"fallback":'$fb'},"quiet":0}]' | rules
		rm -f "$FT_DB"
		run -0 --separate-stderr ft-warn --tz UTC --rules rules.json "$input.ndjson"
		printf '%s: %s\n' "$c" "$(got '"\(.raised_at) \(.value)"')"
	done > got.txt
	want=$(awk 'BEGIN { printf "%.17g", (100 - 11) / 1.4826 }')
	[ "$(cat got.txt)" = "day:true:day: 2026-12-02T09:00:00Z $want
day:false:day: 
week:true:week: 2026-12-08T09:00:00Z $want
day:true:week: " ] || { cat got.txt; false; }
}

@test "ft-warn value deviation: for holds the raise, hysteresis (in deviations) holds the clearing" {
	# Out from 16 (2.5 from median 11, spread the floor 2) at 09:05; 14 at
	# 09:20 is 1.12 out (median 11.5, spread 1.4826 x 1.5), 11 at 09:25
	# is 0.34 (median 12, spread 1.4826 x 2).
	for y in 0 1; do
		echo '[{"name":"d","type":"value","deviation":2,"for":"10m","hysteresis":'$y',"baseline":{"readings":20,"min":5,"floor":2},"quiet":0}]' | rules
		rm -f "$FT_DB"
		{ dev_base; rd 5 16; rd 10 16; rd 15 16; rd 20 14; rd 25 11; } > in.ndjson
		run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
		printf '%s: %s\n' "$y" "$(got '"\(.change) \(.count) \(.first_at) \(.raised_at) \(.resolved_at // "-")"')"
	done > got.txt
	[ "$(cat got.txt)" = "0: raised 3 2026-12-01T09:05:00Z 2026-12-01T09:15:00Z - resolved 3 2026-12-01T09:05:00Z 2026-12-01T09:15:00Z 2026-12-01T09:20:00Z
1: raised 3 2026-12-01T09:05:00Z 2026-12-01T09:15:00Z - resolved 3 2026-12-01T09:05:00Z 2026-12-01T09:15:00Z 2026-12-01T09:25:00Z" ] || { cat got.txt; false; }
	# One reading short of the hold: nothing.
	rm -f "$FT_DB"
	{ dev_base; rd 5 16; rd 10 16; rd 14 11; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
}

@test "ft-warn value deviation: record: a run starts only further out than the last record readings judged went (equal is not further)" {
	# Median 11 throughout, spread the floor 10: 40 is 2.9 out, 35 2.4, 36 2.5.
	for rec in 0 3; do
		if [ "$rec" = 0 ]; then r=; else r=',"record":'$rec; fi
		echo '[{"name":"d","type":"value","deviation":1'"$r"',"baseline":{"readings":20,"min":5,"floor":10},"quiet":0}]' | rules
		for last in 35 36; do
			rm -f "$FT_DB"
			i=0
			for v in 11 11 11 11 11 40 11 35 11 "$last"; do rd "$i" "$v"; i=$((i + 1)); done > in.ndjson
			run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
			printf '%s/%s: %s\n' "$rec" "$last" "$(got 'select(.change == "raised") | .raised_at[14:16]')"
		done
	done > got.txt
	[ "$(cat got.txt)" = "0/35: 05 07 09
0/36: 05 07 09
3/35: 05
3/36: 05 09" ] || { cat got.txt; false; }
}

# lik_in VALUES...: five readings of 10 at 09:00-09:04 (the baseline: median
# 10, MAD 0, so that with floor 1 a reading's deviation is |x - 10| while at
# most two of the last five differ from 10), then VALUES from 09:05 on.
lik_in() {
	local i=0 v
	for v in 10 10 10 10 10 "$@"; do rd "$i" "$v"; i=$((i + 1)); done
}

@test "ft-warn value likelihood: one below, at, one above the deviation in standard deviations of the means (deviations 0 2: mean 1, sd 1); the level rises with it" {
	echo '[{"name":"l","type":"value","deviation":2,"levels":{"red":3},"baseline":{"readings":5,"min":5,"floor":1},"record":2,"likelihood":{"average":1,"min":2},"quiet":0}]' | rules
	for v in 12.98 13 13.02 14.02; do
		rm -f "$FT_DB"
		lik_in 10 12 "$v" > in.ndjson
		run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
		printf '%s=%s\n' "$v" "$(got '"\(.change) \(.level) \(.value)"')"
	done > got.txt
	[ "$(cat got.txt)" = "12.98=
13=
13.02=raised yellow 2.0199999999999996
14.02=raised red 3.0199999999999996" ] || { cat got.txt; false; }
}

@test "ft-warn value likelihood: the mean of the last average deviations against the means of as many in a row in the record, as awk computes it; fewer than min means judge nothing" {
	# Deviations 0 2 0 (|x - 10|), then 10: the means of 2 in the record
	# are 1 1, their standard deviation 0 (the floor 0.01): (10 + 0) / 2
	# is 400 of them above.  With min 3 (two means only) nothing.
	for m in 2 3; do
		echo '[{"name":"l","type":"value","deviation":1,"baseline":{"readings":5,"min":5,"floor":1},"record":6,"likelihood":{"average":2,"min":'$m'},"quiet":0}]' | rules
		rm -f "$FT_DB"
		lik_in 10 12 10 20 > in.ndjson
		run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
		printf '%s: %s\n' "$m" "$(got '"\(.change) \(.raised_at[11:16]) \(.value)"')"
	done > got.txt
	[ "$(cat got.txt)" = "2: raised 09:08 400
3: " ] || { cat got.txt; false; }
	# Deviations 0 2 1 0 3 0 1 (record 6 keeps the last six), then 4 (a
	# baseline of 9 readings: at most four differ from 10, MAD 0): awk,
	# two passes over the means of 3 (not the C's running sums).
	echo '[{"name":"l","type":"value","deviation":2,"baseline":{"readings":9,"min":5,"floor":1},"record":6,"likelihood":{"average":3},"quiet":0}]' | rules
	rm -f "$FT_DB"
	lik_in 10 12 11 10 13 10 11 14 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.raised_at[11:16])"')" = "raised 09:12" ]
	want=$(echo "0 2 1 0 3 0 1 4" | awk -v w=3 -v r=6 '{
		n = 0; for (i = NF - r; i < NF; i++) h[n++] = $i
		k = 0; for (i = w - 1; i < n; i++) { s = 0; for (j = i - w + 1; j <= i; j++) s += h[j]; a[k++] = s / w }
		mu = 0; for (i = 0; i < k; i++) mu += a[i]; mu /= k
		v = 0; for (i = 0; i < k; i++) v += (a[i] - mu) ^ 2; sd = sqrt(v / k); if (sd < 0.01) sd = 0.01
		printf "%.17g\n", (($(NF - 2) + $(NF - 1) + $NF) / w - mu) / sd }')
	jq -en --argjson g "$(got .value)" --argjson w "$want" '($g - $w | fabs) < 1e-12'
}

@test "ft-warn value likelihood: the record holds the last record deviations: one further back no longer counts" {
	# Deviations 8 0 0 0, then 4: with record 4 the 8 is in it (mean 2,
	# sd 3.46: 0.58 above), with record 3 it is not (sd 0, the floor).
	for rec in 4 3; do
		echo '[{"name":"l","type":"value","deviation":1,"baseline":{"readings":5,"min":5,"floor":1},"record":'$rec',"likelihood":{"average":1,"min":3},"quiet":0}]' | rules
		rm -f "$FT_DB"
		lik_in 18 10 10 10 14 > in.ndjson
		run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
		printf '%s: %s\n' "$rec" "$(got '"\(.change) \(.raised_at[11:16]) \(.value)"')"
	done > got.txt
	[ "$(cat got.txt)" = "4: 
3: raised 09:09 400" ] || { cat got.txt; false; }
}

@test "ft-warn value likelihood: with direction above, a reading below the median counts as deviation 0, and so it joins the record" {
	# 6 is 4 below: above takes it as 0 (nothing raised at 09:08), both as
	# 4 (raised).  Then 10.5 (0.5 above): against the record 0 0 0 it is
	# 50 out; had -4 joined the record it would be 0.97.
	for dir in above both; do
		echo '[{"name":"l","type":"value","deviation":1,"direction":"'$dir'","baseline":{"readings":5,"min":5,"floor":1},"record":3,"likelihood":{"average":1,"min":3},"quiet":0}]' | rules
		rm -f "$FT_DB"
		lik_in 10 10 10 6 10.5 > in.ndjson
		run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
		printf '%s: %s\n' "$dir" "$(got 'select(.change == "raised") | "\(.raised_at[11:16]) \(.value)"')"
	done > got.txt
	[ "$(cat got.txt)" = "above: 09:09 50
both: 09:08 400" ] || { cat got.txt; false; }
}

@test "ft-warn value likelihood: the record of deviations goes to the next run: any split into two runs gives the same warnings" {
	echo '[{"name":"l","type":"value","deviation":1.5,"hysteresis":0.5,"baseline":{"readings":5,"min":3},"record":8,"likelihood":{"average":2,"min":3},"quiet":"3m"}]' | rules
	i=0
	for v in 10 11 10 12 10 11 10 15 16 10 11 10 12 11 18 10 10 11 10 25 10 11; do
		rd "$i" "$v"; i=$((i + 1))
	done > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	printf '%s\n' "$output" > whole.ndjson
	[ "$(got '"\(.change) \(.raised_at[11:16]) \(.resolved_at[11:16] // "-")"')" = "raised 09:07 - resolved 09:07 09:12 raised 09:19 -" ] || { got '"\(.change) \(.raised_at[11:16]) \(.resolved_at[11:16] // "-")"'; false; }
	splits_equal
}

@test "ft-warn value deviation: the baselines (last readings, hour of the day) go to the next run: any split into two runs gives the same warnings" {
	rules <<- 'EOF2'
	[{"name":"recent","type":"value","deviation":2,"record":3,"baseline":{"readings":4,"min":3},"quiet":"10m"},
	 {"name":"daily","type":"value","deviation":2,"direction":"above","baseline":{"season":"day","periods":1,"min":2},"quiet":0},
	 {"name":"early","type":"value","deviation":2,"direction":"above","baseline":{"season":"day","periods":1,"min":3,"fallback":true},"quiet":0}]
	EOF2
	{ for d in 1 2; do
		for m in 00:10 10:11 20:12 30:10 40:30 50:11; do
			rs "$d" "09:${m%%:*}" "$(( ${m#*:} + (d - 1) * 2 ))"
		done
	  done
	  rs 2 10:00 40; rs 2 10:10 11; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	printf '%s\n' "$output" > whole.ndjson
	[ "$(got '"\(.rule) \(.change)"')" = "recent raised early raised early resolved recent resolved daily raised early raised daily resolved early resolved recent raised daily raised early raised daily resolved early resolved recent resolved early raised early resolved" ] || { got '"\(.rule) \(.change) \(.raised_at)"'; false; }
	splits_equal
}

@test "ft-warn value: a sensor's key with and without a metric has one state across runs (the hash the reader thread makes is the one a restart reads back): any split gives the same warnings, one row a key" {
	echo '[{"name":"hold","type":"value","key":"sensor","above":5,"for":"3m","hysteresis":1,"quiet":"2m"}]' | rules
	local i
	for i in 0 1 2 3 4 5 6 7 8 9; do
		printf '{"sensor":"s1","metric":"level","at":"2026-12-01T09:%02d:00Z","value":%s}\n' "$i" "$(( i >= 2 && i <= 6 ? 7 : 1 ))"
		printf '{"sensor":"s2","at":"2026-12-01T09:%02d:30Z","value":%s}\n' "$i" "$(( i >= 1 && i <= 7 ? 8 : 2 ))"
	done > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	printf '%s\n' "$output" > whole.ndjson
	[ "$(got '"\(.key) \(.change) \(.raised_at[11:16])"')" = "s2 raised 09:04 s1:level raised 09:05 s1:level resolved 09:05" ] || { got '"\(.key) \(.change) \(.raised_at[11:16])"'; false; }
	splits_equal
	[ "$(FT_DB=split.db ft-warn -q --rules rules.json /dev/null; sqlite3 split.db "SELECT rule, key FROM warn_windows ORDER BY key")" = 'hold|s1:level
hold|s2' ]
}

@test "ft-warn value deviation: each mistake in a deviation rule is refused (78) naming the rule and field" {
	check() {
		echo "$1" | rules
		run -78 --separate-stderr ft-warn --rules rules.json /dev/null
		[ "$stderr" = "ft-warn: $2" ] || { echo "got: $stderr"; return 1; }
	}
	check '[{"name":"a","type":"value","deviation":3,"above":1}]' 'rules.json: rule 1 ("a"): field "deviation": a value rule has limits ("above" or "below") or a "deviation", not both'
	check '[{"name":"a","type":"value","deviation":-1}]' 'rules.json: rule 1 ("a"): field "deviation": below 0: the robust deviations (of 1.4826 MAD) from which the reading is out'
	check '[{"name":"a","type":"value","deviation":"3"}]' 'rules.json: rule 1 ("a"): field "deviation": not a number'
	check '[{"name":"a","type":"value","deviation":3,"direction":"up"}]' 'rules.json: rule 1 ("a"): field "direction": not above, below or both'
	check '[{"name":"a","type":"value","above":3,"direction":"above"}]' 'rules.json: rule 1 ("a"): field "direction": only with "deviation"'
	check '[{"name":"a","type":"value","above":3,"baseline":{}}]' 'rules.json: rule 1 ("a"): field "baseline": only with "deviation"'
	check '[{"name":"a","type":"value","deviation":3,"baseline":5}]' 'rules.json: rule 1 ("a"): field "baseline": not an object such as {"readings": 100} or {"season": "day", "periods": 7}'
	check '[{"name":"a","type":"value","deviation":3,"baseline":{"window":5}}]' 'rules.json: rule 1 ("a"): field "baseline.window": not a field of this object (a typo?)'
	check '[{"name":"a","type":"value","deviation":3,"baseline":{"season":"month"}}]' 'rules.json: rule 1 ("a"): field "baseline.season": not "day" (the same hour of the day) or "week" (of the week)'
	check '[{"name":"a","type":"value","deviation":3,"baseline":{"periods":2}}]' 'rules.json: rule 1 ("a"): field "baseline.periods": only with "season"'
	check '[{"name":"a","type":"value","deviation":3,"baseline":{"season":"week","periods":0}}]' 'rules.json: rule 1 ("a"): field "baseline.periods": not a whole number of days or weeks from 1 to 520'
	check '[{"name":"a","type":"value","deviation":3,"baseline":{"readings":1}}]' 'rules.json: rule 1 ("a"): field "baseline.readings": not a whole number of readings from 2 to 100000'
	check '[{"name":"a","type":"value","deviation":3,"baseline":{"readings":5,"min":6}}]' 'rules.json: rule 1 ("a"): field "baseline.min": not a whole number of readings from 1 to "readings"'
	check '[{"name":"a","type":"value","deviation":3,"baseline":{"floor":0}}]' 'rules.json: rule 1 ("a"): field "baseline.floor": not above 0: the least spread, in the readings'"'"' unit'
	check '[{"name":"a","type":"value","deviation":3,"baseline":{"fallback":true}}]' 'rules.json: rule 1 ("a"): field "baseline.fallback": only with "season"'
	check '[{"name":"a","type":"value","deviation":3,"baseline":{"season":"day","fallback":"yes"}}]' 'rules.json: rule 1 ("a"): field "baseline.fallback": not true or false'
	check '[{"name":"a","type":"value","deviation":3,"record":0}]' 'rules.json: rule 1 ("a"): field "record": not a whole number of readings from 1 to 100000'
	check '[{"name":"a","type":"value","below":3,"record":5}]' 'rules.json: rule 1 ("a"): field "record": only with "deviation"'
	check '[{"name":"a","type":"value","deviation":3,"likelihood":{}}]' 'rules.json: rule 1 ("a"): field "likelihood": needs "record": the readings judged that give the long-run spread'
	check '[{"name":"a","type":"value","deviation":3,"record":10,"likelihood":10}]' 'rules.json: rule 1 ("a"): field "likelihood": not an object such as {"average": 10}'
	check '[{"name":"a","type":"value","deviation":3,"record":10,"likelihood":{"window":3}}]' 'rules.json: rule 1 ("a"): field "likelihood.window": not a field of this object (a typo?)'
	check '[{"name":"a","type":"value","deviation":3,"record":10,"likelihood":{"average":0}}]' 'rules.json: rule 1 ("a"): field "likelihood.average": not a whole number of readings from 1 to "record"'
	check '[{"name":"a","type":"value","deviation":3,"record":10,"likelihood":{"average":11}}]' 'rules.json: rule 1 ("a"): field "likelihood.average": not a whole number of readings from 1 to "record"'
	check '[{"name":"a","type":"value","deviation":3,"record":10,"likelihood":{"average":2.5}}]' 'rules.json: rule 1 ("a"): field "likelihood.average": not a whole number of readings from 1 to "record"'
	check '[{"name":"a","type":"value","deviation":3,"record":10,"likelihood":{"average":4,"min":0}}]' 'rules.json: rule 1 ("a"): field "likelihood.min": not a whole number of means from 1 to "record" - "average" + 1'
	check '[{"name":"a","type":"value","deviation":3,"record":10,"likelihood":{"average":4,"min":8}}]' 'rules.json: rule 1 ("a"): field "likelihood.min": not a whole number of means from 1 to "record" - "average" + 1'
	check '[{"name":"a","type":"value","above":3,"likelihood":{}}]' 'rules.json: rule 1 ("a"): field "likelihood": only with "deviation"'
	# At the edges: average = record, min = record - average + 1.
	echo '[{"name":"a","type":"value","deviation":3,"record":10,"likelihood":{"average":10}},{"name":"b","type":"value","deviation":3,"record":10,"likelihood":{"average":4,"min":7}}]' | rules
	run -0 --separate-stderr ft-warn --rules rules.json /dev/null
	check '[{"name":"a","type":"value","deviation":3,"levels":{"red":2}}]' 'rules.json: rule 1 ("a"): field "levels.red": not above 3: each level starts above the one below it'
}

@test "ft-warn runs: the same records split into two runs at every point give the same warnings as one run" {
	rules <<- 'EOF'
	[{"name":"surge","type":"threshold","count":3,"window":30,"levels":{"red":4}},
	 {"name":"lamp","type":"repeat","count":2,"window":"1h"},
	 {"name":"kw","type":"keyword","key":"category","terms":{"fire":2},"quiet":"5m"},
	 {"name":"w","type":"value","above":5,"for":"5m","hysteresis":1}]
	EOF
	{ ev a 0 ',"facility":"L1"'; ev b 10 ',"title":"fire"'; ev c 15 ',"facility":"L1"'
	  ev d 20 ',"title":"fire"'; ev e 25; ev f 59; rd 0 6; rd 5 7; rd 7 4.5; rd 9 3
	  rd 30 8; rd 40 8; rd 41 1; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	printf '%s\n' "$output" > whole.ndjson
	[ "$(wc -l < whole.ndjson)" -ge 8 ]
	splits_equal
}

@test "ft-warn ack: acknowledges an open warning with who, when and a note; the response time is raise to ack; in the history" {
	echo '[{"name":"surge","type":"threshold","count":1,"window":60}]' | rules
	ev a 0 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	id=$(got .warning)
	run -0 --separate-stderr ft-warn ack "$id" --by alice --note "on my way" --now 2026-12-01T08:04:30Z
	[ "$(got '"\(.status) \(.acked_by) \(.ack_note) \(.acked_at) \(.response)"')" = "acked alice on my way 2026-12-01T08:04:30Z 270" ]
	[ "$(sql "SELECT by, action, from_status, to_status FROM history WHERE kind = 'warning' ORDER BY seq")" = "tester|raise||open
alice|ack|open|acked" ]
	run -65 --separate-stderr ft-warn ack "$id"
	[ "$stderr" = "ft-warn: warning \"$id\" is acknowledged already (at 2026-12-01T08:04:30Z, by \"alice\")" ]
	run -0 ft-update --verify -q
}

@test "ft-warn resolve: by hand, with how; then the condition raises a new warning; resolving twice is refused" {
	echo '[{"name":"surge","type":"threshold","count":1,"window":60}]' | rules
	ev a 0 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	id=$(got .warning)
	run -0 --separate-stderr ft-warn resolve "$id" --note "bins emptied" --now 2026-12-01T08:30:00Z
	[ "$(got '"\(.status) \(.resolved_by) \(.resolution) \(.duration)"')" = "resolved tester bins emptied 1800" ]
	run -65 --separate-stderr ft-warn resolve "$id"
	[ "$stderr" = "ft-warn: warning \"$id\" is resolved already (at 2026-12-01T08:30:00Z, by \"tester\")" ]
	ev b 31 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got .change)" = raised ]
	[ "$(got .warning)" != "$id" ]
}

@test "ft-warn ack: no such warning is 66; before it was raised is 65; no database is 66 and none is made" {
	run -66 --separate-stderr ft-warn ack w1
	[ ! -e "$FT_DB" ]
	echo '[{"name":"surge","type":"threshold","count":1,"window":60}]' | rules
	ev a 0 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	id=$(got .warning)
	run -66 --separate-stderr ft-warn ack nope
	[ "$stderr" = 'ft-warn: no such warning: "nope"' ]
	run -65 --separate-stderr ft-warn ack "$id" --now 2026-12-01T07:00:00Z
	[ "$stderr" = "ft-warn: warning \"$id\" was raised at 2026-12-01T08:00:00Z, after 2026-12-01T07:00:00Z: it cannot be acknowledged before it was raised" ]
	run -0 --separate-stderr ft-warn ack "$id" -n --now 2026-12-01T08:01:00Z
	[ "$(got .status)" = acked ]
	[ "$(sql "SELECT status FROM warnings")" = open ]
}

# A database larger than the run may write (ulimit -f, 1 MiB): list and
# silences read it where it is; a private copy of it (as before, at every
# run) died of SIGXFSZ, 153.
@test "ft-warn list, silences: read a large database in place, writing no copy of it" {
	echo '[{"name":"a","type":"threshold","count":1,"window":60}]' | rules
	ev e1 0 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	run -0 --separate-stderr ft-warn silence --rule a --for 1h --note drill --now 2026-12-01T08:00:00Z
	awk 'BEGIN { t = sprintf("%400s", ""); gsub(/ /, "x", t)
		for (i = 1; i <= 10000; i++)
			printf "{\"id\":\"big%d\",\"category\":\"noise\",\"text\":\"%s\",\"reported_at\":\"2026-11-20T00:00:00Z\"}\n", i, t }' > big.ndjson
	ft-ingest -q --no-output big.ndjson
	[ "$(stat -c %s "$FT_DB")" -gt 8000000 ]
	run -0 --separate-stderr bash -c 'ulimit -f 1024 && exec ft-warn list'
	[ "$(got '"\(.rule)/\(.key)/\(.level)"')" = "a/g1/yellow" ]
	run -0 --separate-stderr bash -c 'ulimit -f 1024 && exec ft-warn silences --all'
	[ "$(got .rule)" = a ]
}

@test "ft-warn list: by status, level and above, rule, key, time and major" {
	echo '[{"name":"a","type":"threshold","count":1,"window":60,"levels":{"red":2},"major":"red"},{"name":"b","type":"threshold","key":"category","count":1,"window":60}]' | rules
	{ ev e1 0; printf '{"id":"e2","category":"y","area":"g2","reported_at":"2026-12-01T09:00:00Z"}\n'; ev e3 1; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	run -0 --separate-stderr ft-warn list
	[ "$(got '"\(.rule)/\(.key)/\(.level)"')" = "a/g1/red b/x/yellow a/g2/yellow b/y/yellow" ]
	run -0 --separate-stderr ft-warn list --level red
	[ "$(got '"\(.rule)/\(.key)"')" = "a/g1" ]
	run -0 --separate-stderr ft-warn list --major --rule a
	[ "$(got '"\(.rule)/\(.key)"')" = "a/g1" ]
	run -0 --separate-stderr ft-warn list --key y --since 2026-12-01T08:30:00Z
	[ "$(got '"\(.rule)/\(.key)"')" = "b/y" ]
	run -0 --separate-stderr ft-warn list --until 2026-12-01T08:30:00Z --status open
	[ "$(got '"\(.rule)/\(.key)"')" = "a/g1 b/x" ]
	run -64 --separate-stderr ft-warn list --status done
	[ "$stderr" = "ft-warn: --status: \"done\" is not open, acked, resolved or live
Try 'ft-warn --help' for more information." ] || [ "${stderr%%$'\n'*}" = "ft-warn: --status: \"done\" is not open, acked, resolved or live" ]
}

@test "ft-warn records: a bad record is rejected with file, line and reason (1); the others are evaluated" {
	echo '[{"name":"surge","type":"threshold","count":2,"window":60}]' | rules
	{ ev a 0; echo '{"category":"x","reported_at":"2026-12-01T08:01:00Z"}'; echo '{"id":"c","reported_at":"yesterday-ish"}'
	  echo '{"sensor":"s1","at":"2026-12-01T08:01:00Z","value":"high"}'; echo '[1]'; echo '{bad'; ev b 2; } > in.ndjson
	run -1 --separate-stderr ft-warn --rules rules.json -r rej.ndjson in.ndjson
	[ "$(got .count)" = 2 ]
	[ "$(jq -r '"\(.line) \(.reason)"' rej.ndjson)" = '2 field "id": missing (an event has an id; a reading, a sensor)
3 field "reported_at": not an ISO 8601 time or epoch seconds
4 field "value": not a number
5 not a JSON object
6 invalid JSON: expected a key or '"'}'"' (column 2)' ]
	[ "${stderr%%$'\n'*}" = 'ft-warn: in.ndjson:2: field "id": missing (an event has an id; a reading, a sensor)' ]
	[ "$(wc -l < rej.ndjson)" = 5 ]
}

@test "ft-warn records: a field's name written with escapes is that field; null, empty and a number as text; an object rejects the record" {
	echo '[{"name":"c","type":"threshold","when":{"category":"x","severity":3},"key":"address","count":3,"window":60}]' | rules
	{ ev a 0 ',"\u0061ddress":"d1","severity":3'
	  echo '{"id":"b","c\u0061tegory":"x","address":"d1","sever\u0069ty":"3","reported_at":"2026-12-01T08:01:00Z"}'
	  ev n 2 ',"address":null,"severity":3'
	  ev e 2 ',"address":"","severity":3'
	  ev o 2 ',"address":"d1","severity":3,"title":{"a":1}'
	  ev c 3 ',"address":"d1","severity":3'; } > in.ndjson
	run -1 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.key) \(.count) \(.events)"')" = 'd1 3 ["a","b","c"]' ]
	[ "${stderr%%$'\n'*}" = 'ft-warn: in.ndjson:5: a field of the event (category, source, title, text, facility, address, unit, area) is not a string' ]
}

@test "ft-warn records: a big file, read ahead by a thread, gives the rejects, lines and warnings of a pipe; one unusable at its end stops at its line, after the rejects before it" {
	echo '[{"name":"surge","type":"threshold","count":20,"window":10}]' | rules
	awk 'BEGIN { for (i = 1; i <= 2000; i++) {
		if (i == 1024) print "{\"id\":\"bad\",\"category\":"
		else if (i == 1025) print "{\"category\":\"x\",\"reported_at\":1796025600}"
		else if (i == 1500) print "[1]"
		else printf "{\"id\":\"e%d\",\"category\":\"x\",\"area\":\"g%d\",\"reported_at\":%d}\n", i, i % 3, 1796025600 + i * 10 } }' > big.ndjson
	run -1 --separate-stderr ft-warn --db file.db --rules rules.json -r rej-file.ndjson big.ndjson
	local out=$output err=${stderr% (*}
	[ "$err" = 'ft-warn: big.ndjson:1024: invalid JSON: expected a value (column 24)
ft-warn: big.ndjson:1025: field "id": missing (an event has an id; a reading, a sensor)
ft-warn: big.ndjson:1500: not a JSON object
ft-warn: 2000 records (1997 events, 0 readings): 6 raised, 3 resolved, 3 rejected' ]
	[ "$(jq -c '[.line, .raw]' rej-file.ndjson)" = '[1024,"{\"id\":\"bad\",\"category\":"]
[1025,"{\"category\":\"x\",\"reported_at\":1796025600}"]
[1500,"[1]"]' ]
	[ "$(got '"\(.change) \(.key)"' | cut -d' ' -f1-8)" = "raised g1 raised g2 raised g0 resolved g1" ]
	run -1 --separate-stderr ft-warn --db pipe.db --rules rules.json -r rej-pipe.ndjson - < <(cat big.ndjson)
	[ "$output" = "$out" ]
	[ "${stderr% (*}" = "${err//big.ndjson/stdin}" ]
	[ "$(jq -c 'del(.file)' rej-file.ndjson)" = "$(jq -c 'del(.file)' rej-pipe.ndjson)" ]
	# The same records as an array cut short: the rejects, then the end.
	{ echo '['; sed '$d; 1024s/.*/{"id":"bad","category":}/; s/$/,/' big.ndjson; echo '{"id":"cut",'; } > cut.json
	run -65 --separate-stderr ft-warn --db cut.db --rules rules.json cut.json
	[ "$output" = "" ]
	[ "${stderr% (*}" = 'ft-warn: cut.json:1025: invalid JSON: not a JSON value (line 1025, column 24)
ft-warn: cut.json:1026: field "id": missing (an event has an id; a reading, a sensor)
ft-warn: cut.json:1501: not a JSON object
ft-warn: cut.json:2001: invalid JSON: unterminated array
ft-warn: 0 records (0 events, 0 readings): 0 raised, 0 resolved, 3 rejected' ]
}

@test "ft-warn records: the conditions, keywords and keys decided in the reader thread (a file) give the warnings of a pipe (decided in this thread) and of rules with a jq condition (in this thread too)" {
	cat > rules.json <<'EOF'
[{"name":"cat","type":"threshold","count":3,"window":"30m","when":{"category":["noise","water"]}},
 {"name":"src","type":"threshold","key":"source","count":4,"window":"1h","when":{"source":"app","severity":3}},
 {"name":"fac","type":"repeat","key":"facility","count":2,"window":"1d","when":{"facility":["f1","f2","f3"]}},
 {"name":"addr","type":"repeat","key":"address","count":3,"window":"1d"},
 {"name":"unit","type":"threshold","key":"unit","count":5,"window":"2h","when":{"words":["leak","漏水"]}},
 {"name":"pat","type":"threshold","key":"id","count":1,"window":"1h","when":{"pattern":"^burst (pipe|main)$"}},
 {"name":"night","type":"threshold","count":4,"window":"1h","when":{"hours":"22:00-07:00","days":["mon","wed"]}},
 {"name":"kw","type":"keyword","key":"category","terms":{"火灾":3,"冒烟":2,"gas":1},"min":3,"levels":{"red":5}},
 {"name":"late","type":"sla","deadline":"respond","key":"id"},
 {"name":"hot","type":"value","key":"sensor","above":50}]
EOF
	awk 'BEGIN { split("noise water road gas fire", c, " "); split("app hotline qr", s, " ")
		for (i = 1; i <= 3000; i++) {
			t = 1796025600 + i * 97
			if (i % 7 == 0) { printf "{\"sensor\":\"s%d\",\"at\":%d,\"value\":%d}\n", i % 5, t, i % 90; continue }
			printf "{\"id\":\"e%d\",\"category\":\"%s\",\"source\":\"%s\",\"severity\":%d,\"facility\":\"f%d\",\"address\":\"a%d\",\"unit\":\"u%d\",\"area\":\"g%d\",", i, c[i % 5 + 1], s[i % 3 + 1], i % 4 + 1, i % 11, i % 37, i % 6, i % 3
			printf "\"title\":\"%s\",\"text\":\"%s\",\"status\":\"dispatched\",\"respond_by\":%d,\"reported_at\":%d}\n", i % 13 == 0 ? "burst pipe" : "t" i, i % 9 == 0 ? "Leak 火灾 冒烟" : (i % 10 == 0 ? "gas 漏水" : "x"), t + 600, t } }' > in.ndjson
	TZ=Asia/Shanghai run -0 --separate-stderr ft-warn --db file.db --rules rules.json in.ndjson
	local out=$output
	[ "$(got .rule | tr ' ' '\n' | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')" = "addr:37 cat:172 fac:3 hot:329 kw:568 late:2566 night:18 pat:391 src:69 unit:46 " ]
	TZ=Asia/Shanghai run -0 --separate-stderr ft-warn --db pipe.db --rules rules.json - < <(cat in.ndjson)
	[ "$output" = "$out" ]
	jq -c '. + [{"name":"jq","type":"threshold","key":"id","count":1,"window":"1h","when":{"jq":".severity == 9"}}]' rules.json > jq.json
	TZ=Asia/Shanghai run -0 --separate-stderr ft-warn --db jq.db --rules jq.json in.ndjson
	[ "$output" = "$out" ]
	# A jq key reads the record itself, which a file's reader then keeps
	# with the work it did on it (the others, that work alone).
	jq -c '. + [{"name":"jqk","type":"threshold","key":{"jq":".unit + \"/\" + .area"},"count":6,"window":"1h"}]' rules.json > jqk.json
	TZ=Asia/Shanghai run -0 --separate-stderr ft-warn --db jqk-file.db --rules jqk.json in.ndjson
	local kout=$output
	[ "$(got 'select(.rule == "jqk") | .key' | tr ' ' '\n' | sort -u | wc -l)" = 6 ]
	[ "$(grep -v '"rule":"jqk"' <<< "$kout")" = "$out" ]
	TZ=Asia/Shanghai run -0 --separate-stderr ft-warn --db jqk-pipe.db --rules jqk.json - < <(cat in.ndjson)
	[ "$output" = "$kout" ]
}

@test "ft-warn rules: each kind of mistake is refused (78) naming the rule and field, before the database is touched" {
	check() {
		echo "$1" | rules
		run -78 --separate-stderr ft-warn --rules rules.json /dev/null
		[ "$stderr" = "ft-warn: $2" ] || { echo "got: $stderr"; return 1; }
		[ ! -e "$FT_DB" ]
	}
	check '[]' 'rules.json: field "rules": no rules'
	check '{"rule":[]}' 'rules.json: field "rule": not a field of the rules file (a typo?)'
	check '[{"type":"threshold"}]' 'rules.json: rule 1: field "name": missing, or not a non-empty string: a warning is known by its rule'"'"'s name'
	check '[{"name":"a","type":"thresh"}]' 'rules.json: rule 1 ("a"): field "type": missing, or not a type (threshold, repeat, keyword, value, flatline, spike, sla, drop)'
	check '[{"name":"a","type":"threshold","count":2,"window":5},{"name":"a","type":"threshold","count":2,"window":5}]' 'rules.json: rule 2 ("a"): field "name": rule 1 has the same name'
	check '[{"name":"a","type":"threshold","window":5}]' 'rules.json: rule 1 ("a"): field "count": missing, or not a whole number of events from 1'
	check '[{"name":"a","type":"threshold","count":2}]' 'rules.json: rule 1 ("a"): field "window": missing'
	check '[{"name":"a","type":"threshold","count":2,"window":"5x"}]' 'rules.json: rule 1 ("a"): field "window": not a duration: minutes, or a string such as "90s", "15m", "2h", "7d"'
	check '[{"name":"a","type":"threshold","count":2,"window":5,"levels":{"red":1}}]' 'rules.json: rule 1 ("a"): field "levels.red": not above 2: each level starts above the one below it'
	check '[{"name":"a","type":"threshold","count":2,"window":5,"level":"red","levels":{"orange":9}}]' 'rules.json: rule 1 ("a"): field "levels.orange": not above the rule'"'"'s level (red)'
	check '[{"name":"a","type":"threshold","count":2,"window":5,"major":"pink"}]' 'rules.json: rule 1 ("a"): field "major": not true, false or the level from which a warning is major'
	check '[{"name":"a","type":"threshold","count":2,"window":5,"key":"sensor"}]' 'rules.json: rule 1 ("a"): field "key": "sensor" groups readings: this rule reads events'
	check '[{"name":"a","type":"repeat","count":2,"window":5,"key":"area"}]' 'rules.json: rule 1 ("a"): field "key": a repeat rule groups by "facility" or "address"'
	check '[{"name":"a","type":"keyword","terms":{}}]' 'rules.json: rule 1 ("a"): field "terms": missing, or not an object of terms and their weights, such as {"fire": 3}'
	check '[{"name":"a","type":"keyword","terms":{"x":0}}]' 'rules.json: rule 1 ("a"): field "terms.x": a weight above 0'
	check '[{"name":"a","type":"value","above":1,"below":0}]' 'rules.json: rule 1 ("a"): field "above": a value rule has one limit: "above" or "below"'
	check '[{"name":"a","type":"value","above":1,"when":{}}]' 'rules.json: rule 1 ("a"): field "when": not a field of a rule (a typo?)'
	check '[{"name":"a","type":"value","below":1,"levels":{"red":2}}]' 'rules.json: rule 1 ("a"): field "levels.red": not below 1: each level starts below the one below it'
	check '[{"name":"a","type":"threshold","count":2,"window":5,"when":{"colour":"red"}}]' 'rules.json: rule 1 ("a"): field "when.colour": not a field of this object (a typo?)'
	check '[{"name":"a","type":"threshold","count":2,"window":5,"key":{"jq":1}}]' 'rules.json: rule 1 ("a"): field "key.jq": not a jq program (a string)'
	check '[{"name":"a","type":"threshold","count":2,"window":5,"key":"colour"}]' 'rules.json: rule 1 ("a"): field "key": not a key (area, facility, category, source, address, unit, id, sensor, *, or {"jq": PROGRAM})'
	echo '[{"name":"a","type":"threshold","count":2,"window":5,"when":{"jq":"..."}}]' | rules
	run -78 --separate-stderr ft-warn --rules rules.json /dev/null
	[[ "${stderr%%$'\n'*}" == 'ft-warn: rules.json: rule 1 ("a"): field "when.jq": jq: error: '* ]]
}

@test "ft-warn rules: an area condition names units of the database; check reads the file alone" {
	echo '[{"name":"a","type":"threshold","count":2,"window":5,"when":{"area":"nowhere"}}]' | rules
	run -0 --separate-stderr ft-warn check --rules rules.json
	[ "$stderr" = "ft-warn: rules.json: the rules are good" ]
	[ ! -e "$FT_DB" ]
	run -78 --separate-stderr ft-warn --rules rules.json /dev/null
	[ "$stderr" = 'ft-warn: rules.json: rule 1 ("a"): field "when.area": no unit "nowhere" in the database' ]
}

@test "ft-warn options: usage errors are 64 and touch no database" {
	run -64 --separate-stderr ft-warn /dev/null
	[ "${stderr%%$'\n'*}" = "ft-warn: watch: --rules FILE is needed" ]
	run -64 --separate-stderr ft-warn ack
	[ "${stderr%%$'\n'*}" = "ft-warn: ack: no WARNING named" ]
	run -64 --separate-stderr ft-warn list extra
	[ "${stderr%%$'\n'*}" = 'ft-warn: list: unexpected argument "extra"' ]
	run -64 --separate-stderr ft-warn list --rules x.json
	[ "${stderr%%$'\n'*}" = "ft-warn: list: --rules is not an option of list" ] || [[ "$stderr" == *"--rules"* ]]
	run -64 --separate-stderr ft-warn list --level pink
	[ ! -e "$FT_DB" ]
}

@test "ft-warn dry run: warnings printed, nothing stored" {
	echo '[{"name":"surge","type":"threshold","count":1,"window":60}]' | rules
	ev a 0 > in.ndjson
	run -0 --separate-stderr ft-warn -n --rules rules.json in.ndjson
	[ "$(got .change)" = raised ]
	[[ "$stderr" == *"dry run: nothing stored"* ]]
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got .change)" = raised ]
}

@test "ft-warn corpus: nyc311: a repeat rule on addresses and a threshold rule on community districts (a jq key) raise exactly the warnings a count made apart finds" {
	corpus_or_skip
	ft-ingest -q --map @nyc311 "$CORPUS/nyc311/nyc311_2023-02_export_4999.csv" |
		jq -c -s 'sort_by(.reported_at)[]' > nyc.ndjson
	[ "$(wc -l < nyc.ndjson)" = 4999 ]
	rules <<- 'EOF'
	[{"name":"same-address","type":"repeat","key":"address","count":5,"window":"1h","quiet":"3650d"},
	 {"name":"district-surge","type":"threshold","key":{"jq":".community_board"},"count":15,"window":"1h","quiet":"3650d"}]
	EOF
	run -0 --separate-stderr ft-warn --rules rules.json nyc.ndjson
	printf '%s\n' "$output" | jq -r '"\(.rule) \(.key) \(.raised_at | fromdate) \(.count)"' | sort > got.txt
	# The same rules counted apart: per key, the first event at which the
	# hour before it (t - 3600, t] holds N events of the key.
	apart() {
		jq -r --arg f "$2" 'select(.[$f] != null) | "\(.[$f])\t\(.reported_at | fromdate)"' nyc.ndjson |
			awk -F'\t' -v R="$1" -v N="$3" '{
				k = $1; t = $2; n[k]++; T[k, n[k]] = t; c = 0
				for (i = 1; i <= n[k]; i++) if (T[k, i] > t - 3600) c++
				if (c >= N && !f[k]) { f[k] = 1; print R " " k " " t " " c }
			}'
	}
	{ apart same-address address 5; apart district-surge community_board 15; } | sort > want.txt
	[ "$(wc -l < want.txt)" -gt 100 ]
	diff got.txt want.txt
	[ "$(grep -c '^same-address ' got.txt)" -gt 10 ]
	# The back-test over the stored events gives the same warnings.
	run -0 --separate-stderr ft-warn -n --rules rules.json --since 2023-01-01 --until 2024-01-01
	printf '%s\n' "$output" | jq -r '"\(.rule) \(.key) \(.raised_at | fromdate) \(.count)"' | sort > stored.txt
	diff stored.txt want.txt
}

@test "ft-warn corpus: nab speed_7578: the shipped sensor rules raise where a jq count of the same rule raises, and the output is pinned" {
	corpus_or_skip
	rules="$BATS_TEST_DIRNAME/../rules/warn-sensors.json"
	# The rule the jq program below counts; a change to the file must
	# change both.
	jq -e '.rules == [{"name":"sensor-unusual","type":"value","deviation":4.265,"direction":"both","baseline":{"season":"day","periods":21,"readings":300,"min":24,"floor":1,"fallback":true},"record":8640,"likelihood":{"average":10},"level":"yellow","levels":{"orange":5.199,"red":5.998},"major":"red","quiet":"12h"}]' "$rules"
	tail -n +2 "$CORPUS/nab/data/realTraffic/speed_7578.csv" |
		awk -F, '{ t = $1; sub(/ /, "T", t); printf "{\"sensor\":\"speed_7578\",\"at\":\"%sZ\",\"value\":%s}\n", t, $2 }' > in.ndjson
	[ "$(wc -l < in.ndjson)" = 1127 ]
	run -0 --separate-stderr ft-warn --tz UTC --rules "$rules" in.ndjson
	[ "$(got 'select(.change == "raised") | "\(.raised_at) \(.level) \(.value)"')" = "2015-09-11T16:44:00Z yellow 5.0777960740877575 2015-09-15T14:19:00Z yellow 5.045355471851613 2015-09-16T13:59:00Z yellow 5.137361744358035" ]
	[ "$(got 'select(.change != "raised") | "\(.change) \(.level) \(.resolved_at // "-") \(.count)"')" = "level orange - 2 level red - 3 resolved red 2015-09-12T05:19:00Z 7 level red - 2 resolved red 2015-09-16T03:14:00Z 11 level red - 2 resolved red 2015-09-17T05:30:00Z 18" ]
	# The same rule counted by jq from the readings alone: each reading's
	# deviation from the same UTC hour of the 21 days before (this hour
	# today left out), or while that has fewer than 24 readings from every
	# reading of the 24 hours before; its likelihood: the mean of the last 10 deviations
	# against the mean and standard deviation of the means of 10 in a row
	# over the last 8640 readings judged (from 100 such means on), computed
	# in the C's order (a running sum of 10 in a row, the mean of those
	# sums, the squares of their distances to it in four sums); one warning
	# a run above 4.265, resolved 12 h after it cleared.
	cat > indep.jq <<- 'EOF'
	def med: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def lik(z): . as $h | ($h | length) as $n | ($n - $avg + 1) as $w
	  | if $w < $lmin then null
	    else (reduce range(0; $avg - 1) as $i (0; . + $h[$i])) as $s0
	      | [foreach range($avg - 1; $n) as $i ($s0; . + (if $i >= $avg then $h[$i] - $h[$i - $avg] else $h[$i] end))] as $a
	      | ((reduce $a[] as $x (0; . + $x)) / $w) as $mean
	      | ($w - $w % 4) as $full
	      | (reduce range(0; $full) as $k ([0, 0, 0, 0]; .[$k % 4] += ($a[$k] - $mean) * ($a[$k] - $mean))) as $q
	      | (reduce range($full; $w) as $k ($q; .[0] += ($a[$k] - $mean) * ($a[$k] - $mean))) as $q
	      | (((($q[0] + $q[1]) + $q[2]) + $q[3]) / $w | sqrt / $avg) as $sd
	      | (if $sd >= 0.01 then $sd else 0.01 end) as $sd
	      | (reduce range($n - $avg + 1; $n) as $i (z; . + $h[$i])) as $now
	      | ($now / $avg - $mean / $avg) / $sd end;
	[inputs | {t: (.at | fromdateiso8601), v: .value}] as $r
	| [ range(0; $r | length) as $i | $r[$i] as $x
	    | ($x.t - ($x.t % 3600)) as $H | ($H - $periods * 86400) as $from
	    | ($x.t % 86400 / 3600 | floor) as $h
	    | [ $r[0:$i][] | select(.t >= $from and .t < $H and (.t % 86400 / 3600 | floor) == $h) | .v ] as $b
	    | (if ($b | length) < $min then [ $r[0:$i][] | select(.t >= $x.t - 86400 and .t < $x.t) | .v ] else $b end) as $b
	    | select(($b | length) >= $min)
	    | ($b | med) as $m | ([$b[] | . - $m | fabs] | med) as $mad
	    | {t: $x.t, z: (($x.v - $m | fabs) / ([1.4826 * $mad, $floor] | max))} ]
	| reduce .[] as $p ({hist: [], live: false, cleared: null, raises: []};
	    (.hist | lik($p.z)) as $l
	    | .hist = (.hist + [$p.z])[-$record:]
	    | if $l == null then .
	      else (if .live and .cleared != null and $p.t >= .cleared + $quiet then .live = false | .cleared = null else . end)
	        | if $l > $dev then (if .live then .cleared = null else .live = true | .raises += [[$p.t, $l]] end)
	          elif .live and .cleared == null then .cleared = $p.t else . end
	      end)
	| .raises[] | "\(.[0] | todate) \(.[1])"
	EOF
	want=$(jq -nr --argjson periods 21 --argjson min 24 --argjson floor 1 --argjson dev 4.265 \
		--argjson record 8640 --argjson avg 10 --argjson lmin 100 --argjson quiet 43200 -f indep.jq in.ndjson | tr '\n' ' ')
	[ "$(got 'select(.change == "raised") | "\(.raised_at) \(.value)"') " = "$want" ]
}

@test "ft-warn corpus: waimai_10k: the shipped Chinese keyword rules give, per level, the counts a naive count of the same terms gives" {
	corpus_or_skip
	tail -n +2 "$CORPUS/chinese_text/waimai_10k.csv" |
		jq -R -c 'capture("^(?<label>[01]),(?<review>.*)$") | {id: "w\(input_line_number)", source: "opinion", category: "opinion", title: .review, reported_at: "2026-12-01T08:00:00Z"}' > waimai.ndjson
	[ "$(wc -l < waimai.ndjson)" = 11987 ]
	run -0 --separate-stderr ft-warn --rules "$BATS_TEST_DIRNAME/../rules/warn-opinion.json" waimai.ndjson
	got=$(printf '%s\n' "$output" | jq -r .level | sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ')
	# Apart: every term looked for in every line with awk's index().
	jq -r '.rules[0].terms | to_entries[] | "\(.key)\t\(.value)"' "$BATS_TEST_DIRNAME/../rules/warn-opinion.json" > terms.tsv
	want=$(jq -r .title waimai.ndjson | awk -F'\t' 'NR == FNR { t[NR] = $1; w[NR] = $2; n = NR; next }
		{ s = 0; for (i = 1; i <= n; i++) if (index($0, t[i])) s += w[i]
		  if (s >= 6) r++; else if (s >= 4) o++; else if (s >= 2) y++ }
		END { printf "orange=%d red=%d yellow=%d ", o, r, y }' terms.tsv -)
	[ "$got" = "$want" ]
	[ "$got" = "orange=204 red=90 yellow=1166 " ]
}

@test "ft-warn runs: a file unusable as a whole (65) is dropped, its records forgotten: they count for no later file" {
	echo '[{"name":"s","type":"threshold","count":3,"window":60}]' | rules
	printf '[%s,%s,' "$(ev 1 0)" "$(ev 2 1)" > broken.json
	ev 3 2 > ok.ndjson
	run -65 --separate-stderr ft-warn --rules rules.json broken.json ok.ndjson
	[ "$output" = "" ]
	[ "${stderr%%$'\n'*}" = "ft-warn: broken.json:1: invalid JSON: unterminated array" ]
	[ "$(sql "SELECT count(*) FROM warnings")" = 0 ]
	{ ev 4 3; ev 5 4; } > more.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json more.ndjson
	[ "$(got .events)" = '["3","4","5"]' ]
}

@test "ft-warn threshold: an event that comes late, older than its key's window, counts for nothing" {
	echo '[{"name":"s","type":"threshold","count":2,"window":10}]' | rules
	{ ev a 20; ev b 25; ev c 5; ev d 26; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.count)"')" = "raised 2" ]
	[ "$(sql "SELECT count, events FROM warnings")" = '3|["a","b","d"]' ]
}

@test "ft-warn ack: an ack made while a watch runs stands when the watch updates the warning" {
	echo '[{"name":"s","type":"threshold","count":1,"window":60}]' | rules
	feed_start ft-warn --rules rules.json
	ev a 0 >&7
	lines_within out.ndjson 1
	id=$(jq -r .warning out.ndjson)
	run -0 --separate-stderr ft-warn ack "$id" --by alice --now 2026-12-01T08:01:00Z
	ev b 2 >&7
	feed_end
	[ "$(sql "SELECT status, count, acked_by FROM warnings")" = "acked|2|alice" ]
}

# g2 ID MINUTE, g3 ..., g4 ...: ev ID MINUTE in area g2, g3, g4.
g2() { ev "$1" "$2" | sed 's/"g1"/"g2"/'; }
g3() { ev "$1" "$2" | sed 's/"g1"/"g3"/'; }
g4() { ev "$1" "$2" | sed 's/"g1"/"g4"/'; }

@test "ft-warn runs: the rows of live warnings deleted while a watch runs are stored again, whole, when the watch updates one and resolves the other" {
	echo '[{"name":"s","type":"threshold","key":"area","count":1,"window":10,"quiet":0}]' | rules
	# g1 raised at 0, updated at 9; g2 raised at 1, resolved at 08:11
	# (g3 at 11 moves the clock on); g3 raised.
	{ ev a 0; g2 b 1; ev c 9; g3 d 11; } > in.ndjson
	FT_DB=whole.db run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.key) \(.change)"')" = "g1 raised g2 raised g2 resolved g3 raised" ]
	feed_start ft-warn --rules rules.json
	head -2 in.ndjson >&7
	lines_within out.ndjson 2
	sql "DELETE FROM warnings"
	tail -n +3 in.ndjson >&7
	feed_end
	[ "$(sql "SELECT key, status, count, events, resolution FROM warnings ORDER BY key")" = 'g1|open|2|["a","c"]|
g2|resolved|1|["b"]|cleared
g3|open|1|["d"]|' ]
	[ "$(sql "SELECT * FROM warnings ORDER BY warning")" = "$(FT_DB=whole.db sql "SELECT * FROM warnings ORDER BY warning")" ]
}

@test "ft-warn resolve: resolutions and acks made while a watch runs stand when the watch updates the warnings and when their conditions clear" {
	echo '[{"name":"s","type":"threshold","key":"area","count":1,"window":10,"quiet":0}]' | rules
	feed_start ft-warn --rules rules.json
	{ ev a 0; g2 b 1; g4 c 1; } >&7
	lines_within out.ndjson 3
	for k in g1 g2; do
		run -0 --separate-stderr ft-warn resolve "$(jq -r "select(.key == \"$k\") | .warning" out.ndjson)" --by bob --note fixed --now 2026-12-01T08:05:00Z
	done
	run -0 --separate-stderr ft-warn ack "$(jq -r 'select(.key == "g4") | .warning' out.ndjson)" --by alice --now 2026-12-01T08:06:00Z
	# g1 updated at 9 (and live when the run ends); g2 and g4 clear at
	# 08:11 (g3 at 12 moves the clock on).
	{ ev d 9; g3 e 12; } >&7
	feed_end
	[ "$(sql "SELECT key, status, count, events, acked_at, acked_by, resolved_at, resolved_by, resolution FROM warnings ORDER BY key")" = 'g1|resolved|2|["a","d"]|||2026-12-01T08:05:00Z|bob|fixed
g2|resolved|1|["b"]|||2026-12-01T08:05:00Z|bob|fixed
g3|open|1|["e"]|||||
g4|resolved|1|["c"]|2026-12-01T08:06:00Z|alice|2026-12-01T08:11:00Z||cleared' ]
}

@test "ft-warn ack: a warning acknowledged between two runs is updated and resolved by the next: the ack stands" {
	echo '[{"name":"s","type":"threshold","key":"area","count":1,"window":10,"quiet":0}]' | rules
	ev a 0 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	id=$(got .warning)
	run -0 --separate-stderr ft-warn ack "$id" --by alice --note seen --now 2026-12-01T08:02:00Z
	{ ev c 9; g3 d 20; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.key) \(.change) \(.status)"')" = "g1 resolved resolved g3 raised open" ]
	[ "$(sql "SELECT status, count, events, acked_at, acked_by, ack_note, resolved_at, resolved_by, resolution FROM warnings WHERE warning = '$id'")" = 'resolved|2|["a","c"]|2026-12-01T08:02:00Z|alice|seen|2026-12-01T08:19:00Z||cleared' ]
}

@test "ft-warn runs: the same input sent again changes nothing: no warning printed, raised or counted twice, no history entry" {
	rules <<- 'EOF'
	[{"name":"surge","type":"threshold","count":3,"window":30,"levels":{"red":4}},
	 {"name":"lamp","type":"repeat","count":2,"window":"1h"},
	 {"name":"kw","type":"keyword","key":"category","terms":{"fire":2},"quiet":"5m"},
	 {"name":"kwid","type":"keyword","terms":{"fire":2},"quiet":0},
	 {"name":"w","type":"value","above":5,"for":"5m","hysteresis":1}]
	EOF
	{ ev a 0 ',"facility":"L1"'; ev b 10 ',"title":"fire"'; ev c 15 ',"facility":"L1"'
	  ev d 20 ',"title":"fire"'; ev e 25; ev f 59; rd 0 6; rd 5 7; rd 7 4.5; rd 9 3
	  rd 30 8; rd 40 8; rd 41 1; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(printf '%s\n' "$output" | wc -l)" = 16 ]
	sql "SELECT * FROM warnings ORDER BY warning" > before.txt
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
	[ "$stderr" = "ft-warn: 13 records (6 events, 7 readings): 0 raised, 0 resolved, 0 rejected (${stderr##*rejected (}" ]
	sql "SELECT * FROM warnings ORDER BY warning" > after.txt
	cmp before.txt after.txt
	[ "$(sql "SELECT count(*) FROM history")" = 16 ]
}

@test "ft-warn runs: records older than all a rule remembers (window + quiet, back from the clock) pass it by" {
	echo '[{"name":"s","type":"threshold","count":2,"window":10,"quiet":5}]' | rules
	{ ev a 0; ev b 30; ev c 5 | sed 's/g1/g2/'; ev d 6 | sed 's/g1/g2/'; ev e 15 | sed 's/g1/g3/'; ev f 16 | sed 's/g1/g3/'; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	# c and d (08:05, 08:06) are older than 08:30 - 16 min; e and f are
	# not: they raise a warning, due already (08:15 + 10 + 5 = 08:30).
	[ "$(got '"\(.key) \(.change) \(.events)"')" = 'g3 raised ["e","f"] g3 resolved ["e","f"]' ]
}

@test "ft-warn --fail-on: exit 3 while an unacknowledged warning at the level or above is open; 0 once it is acknowledged; below the level 0; errors outrank it" {
	echo '[{"name":"s","type":"threshold","count":1,"window":60,"levels":{"orange":2}}]' | rules
	ev a 0 > in.ndjson
	run -0 --separate-stderr ft-warn --fail-on orange --rules rules.json in.ndjson
	[ "$(got .level)" = yellow ]
	run -3 --separate-stderr ft-warn --fail-on yellow list --no-output
	[ "$output" = "" ]
	ev b 1 > in.ndjson
	run -3 --separate-stderr ft-warn --fail-on orange --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.level)"')" = "level orange" ]
	run -0 --separate-stderr ft-warn list --fail-on red --no-output
	run -0 --separate-stderr ft-warn ack "$(ft-warn list | jq -r .warning)" --now 2026-12-01T08:02:00Z
	run -0 --separate-stderr ft-warn list --fail-on blue --no-output
	echo '{"id":"x"}' > bad.ndjson
	run -1 --separate-stderr ft-warn --fail-on blue --rules rules.json bad.ndjson
	run -64 --separate-stderr ft-warn --fail-on pink list
	[ "${stderr%%$'\n'*}" = 'ft-warn: --fail-on: "pink" is not blue, yellow, orange or red' ]
	run -64 --separate-stderr ft-warn --fail-on red -n --rules rules.json in.ndjson
	[ "${stderr%%$'\n'*}" = "ft-warn: --fail-on reads the stored warnings: a dry run stores none" ]
	run -64 --separate-stderr ft-warn ack w1 --fail-on red
}

@test "ft-warn --fail-on: a rejected record and an open warning: 3 outranks 1" {
	echo '[{"name":"s","type":"threshold","count":1,"window":60}]' | rules
	{ ev a 0; echo '{"id":"x"}'; } > in.ndjson
	run -3 --separate-stderr ft-warn --fail-on yellow --rules rules.json in.ndjson
	[ "$(got .change)" = raised ]
}

@test "ft-warn back-test: --since/--until read the stored events in the order reported; with -n from nothing and nothing stored; without, it goes on from the last run and twice changes nothing" {
	echo '[{"name":"s","type":"threshold","count":2,"window":60}]' | rules
	{ ev b 10; ev a 0; ev c 50 | sed 's/g1/g2/'; ev d 5 | sed 's/T08/T09/'; } > in.ndjson
	ft-ingest -q --no-output in.ndjson
	run -0 --separate-stderr ft-warn -n --rules rules.json --since 2026-12-01T08:00:00Z --until 2026-12-01T09:00:00Z
	[ "$(got '"\(.key) \(.events)"')" = 'g1 ["a","b"]' ]
	[[ "$stderr" == "ft-warn: 3 records (3 events, 0 readings): 1 raised, 0 resolved, 0 rejected; dry run: nothing stored ("* ]]
	[ "$(sql "SELECT count(*) FROM warnings")" = 0 ]
	run -0 --separate-stderr ft-warn --rules rules.json --since 2026-11-30 --now 2026-12-02T00:00:00Z
	[ "$(got '"\(.change) \(.key)"')" = "raised g1 resolved g1" ]
	run -0 --separate-stderr ft-warn --rules rules.json --since 30d --now 2026-12-02T00:00:00Z
	[ "$output" = "" ]
	[ "$(sql "SELECT count(*) FROM history WHERE kind = 'warning'")" = 2 ]
}

@test "ft-warn back-test: --since with files, or --until alone, is a usage error (64)" {
	echo '[{"name":"s","type":"threshold","count":2,"window":60}]' | rules
	run -64 --separate-stderr ft-warn --rules rules.json --since 24h in.ndjson
	[ "${stderr%%$'\n'*}" = "ft-warn: --since and --until read the stored events and readings, not files" ]
	run -64 --separate-stderr ft-warn --rules rules.json --until 24h
	[ "${stderr%%$'\n'*}" = "ft-warn: --until needs --since" ]
	run -64 --separate-stderr ft-warn --rules rules.json --since yesterday-ish
	[[ "${stderr%%$'\n'*}" == 'ft-warn: --since: "yesterday-ish": '* ]]
}

# srd SENSOR MINUTE VALUE [METRIC]: a reading at 09:MINUTE.
srd() {
	printf '{"sensor":"%s",%s"at":"2026-12-01T09:%02d:00Z","value":%s}\n' "$1" "${4:+\"metric\":\"$4\",}" "$2" "$3"
}

# mixed: rules.json (value, flatline and threshold rules) and in.ndjson,
# events and readings in time order, at the same minute the events first,
# then the readings by sensor; stored into $FT_DB (events, then readings).
mixed() {
	rules <<- 'EOF'
	[{"name":"hot","type":"value","above":5,"for":"5m","hysteresis":1},
	 {"name":"gone","type":"flatline","key":"sensor","gap":"10m"},
	 {"name":"usual","type":"flatline","key":"sensor","usual":2,"reports":3},
	 {"name":"s","type":"threshold","count":2,"window":60}]
	EOF
	{ ev a 0; srd s1 0 6; srd s2 0 1 level; ev b 5; srd s1 5 7; srd s2 5 9 level
	  srd s1 7 4.5; srd s2 9 3 level; srd s1 10 3; srd s1 12 3; ev c 30; srd s1 30 8
	  srd s1 40 8; srd s2 40 8 level; srd s1 41 1; } | sed 's/T08:/T09:/' > in.ndjson
	grep -v '"sensor"' in.ndjson | ft-ingest -q --no-output
	grep '"sensor"' in.ndjson | ft-ingest -q --no-output --kind readings
}

@test "ft-warn back-test over readings: the stored readings and events give the stream's warnings, and -n stores nothing" {
	mixed
	FT_DB=stream.db run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	printf '%s\n' "$output" > stream.ndjson
	[ "$(jq -r '"\(.rule) \(.change)"' stream.ndjson | sort -u | tr '\n' ,)" = "gone raised,gone resolved,hot raised,hot resolved,s raised,usual raised,usual resolved," ]
	# Until a second after the last record: its end moves the clock no
	# further than the stream's last record did, in effect.
	run -0 --separate-stderr ft-warn -n --rules rules.json --since 2026-12-01T09:00:00Z --until 2026-12-01T09:41:01Z
	printf '%s\n' "$output" > back.ndjson
	cmp stream.ndjson back.ndjson
	[[ "$stderr" == "ft-warn: 15 records (3 events, 12 readings): 7 raised, 6 resolved, 0 rejected; dry run: nothing stored ("* ]]
	[ "$(sql "SELECT (SELECT count(*) FROM warnings) || ' ' || (SELECT count(*) FROM warn_windows) || ' ' || (SELECT count(*) FROM history WHERE kind = 'warning')")" = "0 0 0" ]
}

@test "ft-warn back-test over readings: 12,000 readings of 40 sensors with events among them, more than a page (5,000) and read ahead across the events: the stream's warnings" {
	mixed
	awk 'BEGIN {
		for (m = 0; m < 300; m++) {
			t = sprintf("2026-12-02T%02d:%02d:00Z", 10 + int(m / 60), m % 60)
			if (m % 7 == 0)
				printf "{\"id\":\"e%d\",\"category\":\"x\",\"reported_at\":\"%s\"}\n", m, t
			for (s = 0; s < 40; s++)
				if (s != 39 || m < 150)
					printf "{\"sensor\":\"S%02d\",\"at\":\"%s\",\"value\":%.2f}\n", s, t, 3 + 3 * sin((m + s * 13) / 17)
		}
	}' > big.ndjson
	[ "$(grep -c sensor big.ndjson)" = 11850 ]
	grep -v '"sensor"' big.ndjson | ft-ingest -q --no-output
	grep '"sensor"' big.ndjson | ft-ingest -q --no-output --kind readings
	FT_DB=stream.db run -0 --separate-stderr ft-warn --rules rules.json in.ndjson big.ndjson
	printf '%s\n' "$output" > stream.ndjson
	[ "$(grep -c '"rule":"hot"' stream.ndjson)" -gt 100 ]
	grep -q '"rule":"gone","type":"flatline","key":"S39"' stream.ndjson
	run -0 --separate-stderr ft-warn -n --rules rules.json --since 2026-12-01T09:00:00Z --until 2026-12-02T15:00:00Z
	printf '%s\n' "$output" > back.ndjson
	cmp stream.ndjson back.ndjson
	[[ "$stderr" == "ft-warn: 11908 records (46 events, 11862 readings): "* ]]
}

@test "ft-warn back-test over readings: stopped and started again at any record's minute, the same warnings as one run, and the same state stored" {
	mixed
	cp "$FT_DB" base.db
	cp base.db whole.db
	FT_DB=whole.db run -0 --separate-stderr ft-warn --rules rules.json --since 2026-12-01T09:00:00Z --until 2026-12-01T09:41:01Z
	printf '%s\n' "$output" > whole.ndjson
	[ "$(wc -l < whole.ndjson)" = 13 ]
	state() {
		sqlite3 "$1" "SELECT warning, status, count, last_at, resolved_at FROM warnings ORDER BY warning; SELECT rule, key, state FROM warn_windows ORDER BY rule, key"
	}
	state whole.db > whole.state
	for m in 00 05 07 09 10 12 30 40 41; do
		cp base.db split.db
		{ FT_DB=split.db ft-warn -q --rules rules.json --since 2026-12-01T09:00:00Z --until "2026-12-01T09:$m:00Z"
		  FT_DB=split.db ft-warn -q --rules rules.json --since "2026-12-01T09:$m:00Z" --until 2026-12-01T09:41:01Z; } > split.ndjson
		cmp whole.ndjson split.ndjson || { echo "split at 09:$m differs"; return 1; }
		state split.db > split.state
		cmp whole.state split.state || { echo "state split at 09:$m differs"; return 1; }
	done
}

@test "ft-warn back-test over readings: a reading exactly at --since is read, a second before it not; a second before --until is read, at --until not; as the events" {
	echo '[{"name":"hot","type":"value","above":5},{"name":"s","type":"threshold","count":1,"window":60}]' | rules
	printf '%s\n' '{"sensor":"a","at":"2026-12-01T09:09:59Z","value":9}' '{"sensor":"b","at":"2026-12-01T09:10:00Z","value":9}' \
		'{"sensor":"c","at":"2026-12-01T09:19:59Z","value":9}' '{"sensor":"d","at":"2026-12-01T09:20:00Z","value":9}' |
		ft-ingest -q --no-output --kind readings
	{ ev w 0 ',"area":"w"'; ev x 10 ',"area":"x"'; ev y 19 ',"area":"y"'; ev z 20 ',"area":"z"'; } |
		sed 's/T08:/T09:/; s/"area":"g1",//' > ev.ndjson
	sed -i 's/09:00:00Z/09:09:59Z/; s/09:19:00Z/09:19:59Z/' ev.ndjson
	ft-ingest -q --no-output ev.ndjson
	run -0 --separate-stderr ft-warn -n --rules rules.json --since 2026-12-01T09:10:00Z --until 2026-12-01T09:20:00Z
	[ "$(got '"\(.key)"')" = "x b y c" ]
	[[ "$stderr" == "ft-warn: 4 records (2 events, 2 readings): 4 raised, 0 resolved, 0 rejected; dry run: nothing stored ("* ]]
}

@test "ft-warn back-test over readings: series in step (a round a minute) and series out of step (random times) come in time order, then series order, as the stream sorted so gives them" {
	echo '[{"name":"hot","type":"value","above":5,"quiet":0},{"name":"gone","type":"flatline","gap":"3m"}]' | rules
	# Six sensors a round a minute for an hour, four at random seconds
	# beside them, all ten at 10:00:00 last; a value above 5 one time in
	# three.
	awk 'BEGIN { srand(7)
		for (m = 0; m < 60; m++) for (s = 0; s < 6; s++)
			printf "%d s%d %d\n", m * 60, s, int(rand() * 9)
		for (i = 0; i < 300; i++)
			printf "%d r%d %d\n", int(rand() * 3600), i % 4, int(rand() * 9)
		for (s = 0; s < 6; s++) printf "3600 s%d 1\n", s
		for (s = 0; s < 4; s++) printf "3600 r%d 1\n", s }' |
		sort -k1,1n -k2,2 -u |
		awk '{ printf "{\"sensor\":\"%s\",\"at\":\"2026-12-01T%02d:%02d:%02dZ\",\"value\":%s}\n", $2, 9 + int($1 / 3600), int($1 % 3600 / 60), $1 % 60, $3 }' > in.ndjson
	[ "$(wc -l < in.ndjson)" -ge 650 ]
	FT_DB=stream.db run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	printf '%s\n' "$output" > stream.ndjson
	[ "$(wc -l < stream.ndjson)" -ge 200 ]
	ft-ingest -q --no-output --kind readings in.ndjson
	run -0 --separate-stderr ft-warn -n --rules rules.json --since 2026-12-01T09:00:00Z --until 2026-12-01T10:00:01Z
	printf '%s\n' "$output" > back.ndjson
	cmp stream.ndjson back.ndjson
}

# fe ID SOURCE HH:MM: an event of SOURCE at that time.
fe() {
	printf '{"id":"%s","category":"x","source":"%s","reported_at":"2026-12-01T%s:00Z"}\n' "$1" "$2" "$3"
}

@test "ft-warn flatline: a key silent for exactly the gap is on time; a second more is silent: a warning raised at the gap's end, resolved when it reports again" {
	echo '[{"name":"q","type":"flatline","key":"source","gap":"30m"}]' | rules
	{ fe a app 08:00; fe b app 08:30; fe h other 09:00; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
	printf '{"id":"h2","category":"x","source":"other","reported_at":"2026-12-01T09:00:01Z"}\n' > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.key) \(.change) \(.first_at) \(.raised_at) \(.value)"')" = "app raised 2026-12-01T08:30:00Z 2026-12-01T09:00:00Z 1800" ]
	fe c app 09:20 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.key) \(.change) \(.resolved_at) \(.duration)"')" = "app resolved 2026-12-01T09:20:00Z 1200" ]
}

@test "ft-warn flatline: usual times the median of the last intervals; not judged before it has that many; readings keyed by sensor" {
	echo '[{"name":"u","type":"flatline","key":"sensor","usual":2,"reports":3}]' | rules
	for m in 00 05 10; do printf '{"sensor":"s1","at":"2026-12-01T09:%s:00Z","value":1}\n' "$m"; done > in.ndjson
	printf '{"sensor":"s2","at":"2026-12-01T10:00:00Z","value":1}\n' >> in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	# Two intervals of s1: not judged yet.
	[ "$output" = "" ]
	for m in 15 20; do printf '{"sensor":"s3","at":"2026-12-01T10:%s:00Z","value":1}\n' "$m"; done > in.ndjson
	printf '{"sensor":"s1","at":"2026-12-01T10:30:00Z","value":1}\n' >> in.ndjson
	for m in 35 40 45 56; do printf '{"sensor":"s1","at":"2026-12-01T10:%s:00Z","value":1}\n' "$m"; done >> in.ndjson
	printf '{"sensor":"s9","at":"2026-12-01T11:30:00Z","value":1}\n' >> in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	# s1 at 10:30, 35, 40, 45: intervals 5, 5, 5 (the 80 min before 10:30
	# was dropped for the last three), so 10 min of silence counts: 10:55;
	# 10:56 is late by a minute.  Then 11:30 finds it silent again at 11:06
	# (intervals 5, 5, 11: median 5).
	[ "$(got '"\(.key) \(.change) \(.raised_at) \(.resolved_at // "-")"')" = "s1 raised 2026-12-01T10:55:00Z - s1 resolved 2026-12-01T10:55:00Z 2026-12-01T10:56:00Z s1 raised 2026-12-01T11:06:00Z -" ]
}

@test "ft-warn flatline: the same records split into two runs at every point give the same warnings; the rules' mistakes are refused (78)" {
	echo '[{"name":"q","type":"flatline","key":"source","gap":"30m"},{"name":"u","type":"flatline","usual":3,"reports":3,"level":"orange"}]' | rules
	{ fe a app 08:00; fe b app 08:10; fe c app 08:20; fe d app 08:30; fe h1 hot 08:35
	  fe h2 hot 09:00; fe h3 hot 09:05; fe e app 09:10; fe f app 09:20; fe g hot 10:00; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	printf '%s\n' "$output" > whole.ndjson
	[ "$(wc -l < whole.ndjson)" = 8 ]
	splits_equal
	check() {
		echo "$1" | rules
		run -78 --separate-stderr ft-warn check --rules rules.json
		[ "$stderr" = "ft-warn: $2" ] || { echo "got: $stderr"; return 1; }
	}
	check '[{"name":"f","type":"flatline"}]' 'rules.json: rule 1 ("f"): field "gap": a flatline rule has "gap" (a duration) or "usual" (times the usual interval), one of them'
	check '[{"name":"f","type":"flatline","gap":5,"usual":2}]' 'rules.json: rule 1 ("f"): field "gap": a flatline rule has "gap" (a duration) or "usual" (times the usual interval), one of them'
	check '[{"name":"f","type":"flatline","usual":1}]' 'rules.json: rule 1 ("f"): field "usual": a factor above 1 of the key'"'"'s usual interval'
	check '[{"name":"f","type":"flatline","gap":5,"reports":3}]' 'rules.json: rule 1 ("f"): field "reports": only with "usual"'
	check '[{"name":"f","type":"flatline","key":"sensor","gap":5,"when":{}}]' 'rules.json: rule 1 ("f"): field "when": a flatline rule keyed by sensor reads readings: no "when"'
	check '[{"name":"f","type":"flatline","gap":5,"sensor":"s1"}]' 'rules.json: rule 1 ("f"): field "sensor": "sensor" and "metric" pick readings: key the rule by "sensor"'
}

# se ID MM: an event of area g1 at 08:MM.
se() {
	printf '{"id":"%s","category":"x","area":"g1","reported_at":"2026-12-01T08:%s:00Z"}\n' "$1" "$2"
}

@test "ft-warn spike: the window's count against the median of the baseline windows: one below the factor nothing, at it raised, a level by ratio; below min nothing; over with its window" {
	echo '[{"name":"sp","type":"spike","window":10,"baseline":3,"factor":3,"min":5,"levels":{"red":5}}]' | rules
	# Baseline 2, 1, 2: median 2; the fifth event of 08:30-08:40 is 2.5x,
	# the sixth 3x (raised), the tenth 5x (red); resolved at 08:40.
	{ se a1 01; se a2 05; se b1 12; se c1 21; se c2 25
	  for i in 0 1 2 3 4 5 6 7 8 9; do se "d$i" "3$i"; done; se x 41; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.level) \(.count) \(.value) \(.first_at) \(.raised_at) \(.resolved_at // "-")"')" = "raised yellow 6 3 2026-12-01T08:30:00Z 2026-12-01T08:35:00Z - level red 10 5 2026-12-01T08:30:00Z 2026-12-01T08:35:00Z - resolved red 10 5 2026-12-01T08:30:00Z 2026-12-01T08:35:00Z 2026-12-01T08:40:00Z" ]
	# A quiet key (baseline 0, counted as 1): min decides.
	rm -f "$FT_DB"
	for i in 0 1 2 3; do se "q$i" "5$i"; done > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
	se q4 54 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.count) \(.value)"')" = "raised 5 5" ]
}

@test "ft-warn spike: split runs give the same warnings; its mistakes are refused (78)" {
	echo '[{"name":"sp","type":"spike","window":10,"baseline":3,"factor":2,"min":3}]' | rules
	{ se a1 01; se a2 05; se b1 12; se c1 21; se d1 31; se d2 33; se d3 35; se d4 36; se e1 44; se f1 51; se f2 52; se f3 53; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	printf '%s\n' "$output" > whole.ndjson
	[ "$(wc -l < whole.ndjson)" -ge 3 ]
	splits_equal
	check() {
		echo "$1" | rules
		run -78 --separate-stderr ft-warn check --rules rules.json
		[ "$stderr" = "ft-warn: $2" ] || { echo "got: $stderr"; return 1; }
	}
	check '[{"name":"s","type":"spike"}]' 'rules.json: rule 1 ("s"): field "window": missing'
	check '[{"name":"s","type":"spike","window":5,"baseline":0}]' 'rules.json: rule 1 ("s"): field "baseline": not a whole number of windows from 1 to 1000, or {"weeks": K}'
	check '[{"name":"s","type":"spike","window":5,"factor":1}]' 'rules.json: rule 1 ("s"): field "factor": a ratio above 1 to the usual count'
	check '[{"name":"s","type":"spike","window":5,"min":0}]' 'rules.json: rule 1 ("s"): field "min": not a whole number of events from 1'
}

# es TIME: escalate at TIME (the current time, --now).
es() {
	run -0 --separate-stderr ft-warn escalate --rules rules.json --now "2026-12-01T$1Z" "${@:2}"
}

# A rule whose warnings escalate 15 minutes, then 30, after their raise.
esc_rules() {
	echo '[{"name":"surge","type":"threshold","count":1,"window":60,"escalate":[{"after":"15m","notify":"district-duty"},{"after":30,"notify":"mayor-office"}]},{"name":"calm","type":"threshold","key":"category","count":1,"window":60}]' | rules
}

@test "ft-warn escalate: a step fires at raise + after, not a second before; each once, in order; run twice, once; stored, in the history, verified" {
	esc_rules
	ev a 0 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	id=$(got 'select(.rule == "surge") | .warning')
	es 08:14:59
	[ "$output" = "" ]
	[ "$stderr" = "ft-warn: 0 escalation steps" ]
	es 08:15:00
	[ "$(got '"\(.warning) \(.change) \(.status) \(.escalation) \(.notify) \(.after) \(.due_at)"')" = "$id escalated open 1 district-duty 900 2026-12-01T08:15:00Z" ]
	[ "$stderr" = "ft-warn: 1 escalation step" ]
	es 08:15:00
	[ "$output" = "" ]
	es 08:29:59
	[ "$output" = "" ]
	es 08:30:00
	[ "$(got '"\(.escalation) \(.notify) \(.due_at)"')" = "2 mayor-office 2026-12-01T08:30:00Z" ]
	[ "$(jq -c 'keys_unsorted' <<< "$output")" = '["warning","rule","type","key","level","major","status","count","first_at","last_at","raised_at","events","change","escalation","after","due_at","notify"]' ]
	es 08:30:01
	[ "$output" = "" ]
	es 23:00:00
	[ "$output" = "" ]
	[ "$(sql "SELECT rule, escalation FROM warnings ORDER BY rule")" = "calm|0
surge|2" ]
	[ "$(sql "SELECT at, by, action, from_status, to_status, detail FROM history WHERE kind = 'warning' AND action = 'escalate' ORDER BY seq")" = '2026-12-01T08:15:00Z|tester|escalate|open|open|{"rule":"surge","key":"g1","level":"yellow","step":1,"after":900,"notify":"district-duty"}
2026-12-01T08:30:00Z|tester|escalate|open|open|{"rule":"surge","key":"g1","level":"yellow","step":2,"after":1800,"notify":"mayor-office"}' ]
	run -0 --separate-stderr ft-warn list --rule surge
	[ "$(got .escalation)" = 2 ]
	run -0 --separate-stderr ft-update --verify
	[[ "$stderr" == *"the history is intact: 4 entries chained" ]]
}

@test "ft-warn escalate: a second after a step, that step alone; late, every step due at once, in order" {
	esc_rules
	ev a 0 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	cp "$FT_DB" late.db
	es 08:15:01
	[ "$(got .escalation)" = 1 ]
	FT_DB=late.db es 09:00:00
	[ "$(got '"\(.escalation):\(.notify)"')" = "1:district-duty 2:mayor-office" ]
	[ "$stderr" = "ft-warn: 2 escalation steps" ]
}

@test "ft-warn escalate: an acknowledged or resolved warning escalates no more; a dry run prints and stores nothing" {
	esc_rules
	{ ev a 0; printf '{"id":"b","category":"x","area":"g2","reported_at":"2026-12-01T08:00:00Z"}\n'
	  printf '{"id":"c","category":"x","area":"g3","reported_at":"2026-12-01T08:00:00Z"}\n'; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	es 08:15:00 -n
	[ "$(got .key)" = "g1 g2 g3" ]
	[ "$stderr" = "ft-warn: 3 escalation steps; dry run: nothing stored" ]
	[ "$(sql "SELECT count(*) FROM warnings WHERE escalation > 0")" = 0 ]
	[ "$(sql "SELECT count(*) FROM history WHERE action = 'escalate'")" = 0 ]
	run -0 --separate-stderr ft-warn ack "$(ft-warn list --key g1 | jq -r .warning)" --now 2026-12-01T08:10:00Z
	run -0 --separate-stderr ft-warn resolve "$(ft-warn list --key g2 | jq -r .warning)" --now 2026-12-01T08:10:00Z
	es 08:15:00
	[ "$(got .key)" = g3 ]
	es 09:00:00
	[ "$(got '"\(.key):\(.escalation)"')" = g3:2 ]
}

@test "ft-warn escalate: an entry of the history altered after the steps fails ft-update --verify (65), the entry named" {
	esc_rules
	ev a 0 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	es 08:30:00
	run -0 --separate-stderr ft-update --verify
	seq=$(sql "SELECT min(seq) FROM history WHERE action = 'escalate'")
	sql "DROP TRIGGER history_no_update; UPDATE history SET detail = replace(detail, 'district-duty', 'nobody') WHERE seq = $seq"
	run -65 --separate-stderr ft-update --verify
	[ "$output" = "" ]
	[[ "$stderr" == *"ft-update: $FT_DB: history entry $seq: hash does not match: the chain breaks here"* ]]
}

@test "ft-warn rules: the mistakes of an escalation chain are refused (78) naming the rule and field" {
	check() {
		echo "[{\"name\":\"a\",\"type\":\"threshold\",\"count\":1,\"window\":5,\"escalate\":$1}]" | rules
		run -78 --separate-stderr ft-warn escalate --rules rules.json
		[ "$stderr" = "ft-warn: rules.json: rule 1 (\"a\"): field $2" ] || { echo "got: $stderr"; return 1; }
		run -78 --separate-stderr ft-warn check --rules rules.json
		[ "$stderr" = "ft-warn: rules.json: rule 1 (\"a\"): field $2" ]
		[ ! -e "$FT_DB" ]
	}
	check '{}' '"escalate": not an array of 1 to 16 steps, such as [{"after": "15m", "notify": "duty"}]'
	check '[]' '"escalate": not an array of 1 to 16 steps, such as [{"after": "15m", "notify": "duty"}]'
	check '["15m"]' '"escalate[1]": not an object {"after", "notify"}'
	check '[{"after":"15m","notify":"a","to":"b"}]' '"escalate[1].to": not a field of this object (a typo?)'
	check '[{"notify":"a"}]' '"escalate[1].after": missing'
	check '[{"after":"soon","notify":"a"}]' '"escalate[1].after": not a duration: minutes, or a string such as "90s", "15m", "2h", "7d"'
	check '[{"after":-1,"notify":"a"}]' '"escalate[1].after": a duration of whole seconds from 0 s to ten years'
	check '[{"after":"15m","notify":"a"},{"after":"900s","notify":"b"}]' '"escalate[2].after": not after the step before it (900 s): the steps come in order'
	check '[{"after":"15m","notify":"a"},{"after":"10m","notify":"b"}]' '"escalate[2].after": not after the step before it (900 s): the steps come in order'
	check '[{"after":"15m"}]' '"escalate[1].notify": missing, or not a non-empty string: whom the step notifies'
	check '[{"after":"15m","notify":""}]' '"escalate[1].notify": missing, or not a non-empty string: whom the step notifies'
	check '[{"after":"15m","notify":3}]' '"escalate[1].notify": missing, or not a non-empty string: whom the step notifies'
	echo '[{"name":"a","type":"threshold","count":1,"window":5,"escalate":[{"after":0,"notify":"a"},{"after":"1s","notify":"b"}]}]' | rules
	run -0 --separate-stderr ft-warn check --rules rules.json
}

# sl ARGS...: ft-warn silence at 08:10 (the current time, --now).
sl() {
	run -0 --separate-stderr ft-warn silence --now 2026-12-01T08:10:00Z "$@"
}

# evs ID HH:MM:SS [AREA]: an event of category x at that time.
evs() {
	printf '{"id":"%s","category":"x","area":"%s","reported_at":"2026-12-01T%sZ"}\n' "$1" "${3:-g1}" "$2"
}

@test "ft-warn silence: covers the records from its making to before its end: a second before, printed; at its start and a second before its end, stored and not printed; at its end, printed" {
	echo '[{"name":"each","type":"threshold","key":"id","count":1,"window":60}]' | rules
	run -0 --separate-stderr ft-warn --rules rules.json /dev/null
	sl --rule each --for 10m --by bob --note "drill"
	[ "$output" = '{"silence":"s1","rule":"each","from_at":"2026-12-01T08:10:00Z","until_at":"2026-12-01T08:20:00Z","status":"active","by":"bob","note":"drill"}' ]
	{ evs a 08:09:59; evs b 08:10:00; evs c 08:19:59; evs d 08:20:00; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.key):\(.change)"')" = "a:raised d:raised" ]
	[ "$stderr" = "ft-warn: 4 records (4 events, 0 readings): 4 raised, 0 resolved, 0 rejected; 2 not printed: silenced (${stderr##*silenced (}" ]
	[ "$(sql "SELECT key, status FROM warnings ORDER BY key")" = "a|open
b|open
c|open
d|open" ]
	[ "$(sql "SELECT id, by, action, from_status, to_status, detail FROM history WHERE kind = 'warning' AND action <> 'raise'")" = 's1|bob|silence||active|{"rule":"each","key":null,"from_at":"2026-12-01T08:10:00Z","until_at":"2026-12-01T08:20:00Z","note":"drill"}' ]
	[ "$(sql "SELECT group_concat(id, ' ') FROM (SELECT w.key AS id FROM history h JOIN warnings w ON w.warning = h.id WHERE h.action = 'raise' ORDER BY w.key)")" = "a b c d" ]
	run -0 --separate-stderr ft-update --verify
}

@test "ft-warn silence: a key of one rule mutes that key alone; a key alone mutes it in every rule; a rise of level is muted too" {
	echo '[{"name":"a","type":"threshold","count":1,"window":60,"levels":{"red":2}},{"name":"b","type":"threshold","count":1,"window":60}]' | rules
	run -0 --separate-stderr ft-warn --rules rules.json /dev/null
	sl --rule a --key g1 --for 1h --note "known"
	{ evs e1 08:30:00 g1; evs e2 08:31:00 g2; evs e3 08:32:00 g1; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.rule)/\(.key):\(.change):\(.level)"')" = "b/g1:raised:yellow a/g2:raised:yellow b/g2:raised:yellow" ]
	[ "$(sql "SELECT rule, key, level FROM warnings WHERE rule = 'a' ORDER BY key")" = "a|g1|red
a|g2|yellow" ]
	[ "$(sql "SELECT count(*) FROM history WHERE action = 'level'")" = 1 ]
	rm -f "$FT_DB"*
	run -0 --separate-stderr ft-warn --rules rules.json /dev/null
	sl --key g1 --for 1h --note "known"
	[ "$(got '"\(.rule) \(.key)"')" = "null g1" ]
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.rule)/\(.key)"')" = "a/g2 b/g2" ]
}

@test "ft-warn silence: expires: a silence that ended, or a record after it, is printed; silences lists those in force, --all every one with its status" {
	echo '[{"name":"surge","type":"threshold","count":1,"window":60}]' | rules
	run -0 --separate-stderr ft-warn --rules rules.json /dev/null
	sl --rule surge --until 2026-12-01T08:40:00Z --note "a"
	sl --rule other --for 1m --note "b"
	run -0 --separate-stderr ft-warn silences --now 2026-12-01T08:10:59Z
	[ "$(got '"\(.silence):\(.status)"')" = "s1:active s2:active" ]
	run -0 --separate-stderr ft-warn silences --now 2026-12-01T08:11:00Z
	[ "$(got '"\(.silence):\(.status)"')" = "s1:active" ]
	run -0 --separate-stderr ft-warn silences --all --now 2026-12-01T08:11:00Z
	[ "$(got '"\(.silence):\(.status)"')" = "s1:active s2:expired" ]
	run -0 --separate-stderr ft-warn silences --all --now 2026-12-01T08:09:59Z
	[ "$(got '"\(.silence):\(.status)"')" = "s1:pending s2:pending" ]
	evs a 08:39:59 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
	rm -f "$FT_DB"*
	run -0 --separate-stderr ft-warn --rules rules.json /dev/null
	sl --rule surge --until 2026-12-01T08:40:00Z --note "a"
	evs a 08:40:00 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got .change)" = raised ]
}

@test "ft-warn unsilence: the next run prints again; the removal in the history, who and why; removed twice 65; no such silence 66; verified" {
	echo '[{"name":"each","type":"threshold","key":"id","count":1,"window":60}]' | rules
	run -0 --separate-stderr ft-warn --rules rules.json /dev/null
	sl --rule each --for 1h --note "drill"
	evs a 08:20:00 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
	run -0 --separate-stderr ft-warn unsilence s1 --by carol --note "drill over" --now 2026-12-01T08:21:00Z
	[ "$(got '"\(.status) \(.removed_at) \(.removed_by) \(.removed_note)"')" = "removed 2026-12-01T08:21:00Z carol drill over" ]
	evs b 08:22:00 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.key):\(.change)"')" = "b:raised" ]
	[ "$(sql "SELECT id, by, action, from_status, to_status, detail FROM history WHERE action LIKE '%silence'")" = 's1|tester|silence||active|{"rule":"each","key":null,"from_at":"2026-12-01T08:10:00Z","until_at":"2026-12-01T09:10:00Z","note":"drill"}
s1|carol|unsilence|active|removed|{"rule":"each","key":null,"from_at":"2026-12-01T08:10:00Z","until_at":"2026-12-01T09:10:00Z","note":"drill over"}' ]
	run -65 --separate-stderr ft-warn unsilence s1
	[ "$stderr" = 'ft-warn: silence "s1" is removed already (at 2026-12-01T08:21:00Z, by "carol")' ]
	run -66 --separate-stderr ft-warn unsilence s7
	[ "$stderr" = 'ft-warn: no such silence: "s7"' ]
	run -66 --separate-stderr ft-warn unsilence 1
	[ "$stderr" = 'ft-warn: no such silence: "1"' ]
	run -0 --separate-stderr ft-warn silences
	[ "$output" = "" ]
	run -0 --separate-stderr ft-update --verify
	[[ "$stderr" == *"the history is intact: 4 entries chained" ]]
	seq=$(sql "SELECT seq FROM history WHERE action = 'unsilence'")
	sql "DROP TRIGGER history_no_update; UPDATE history SET by = 'mallory' WHERE seq = $seq"
	run -65 --separate-stderr ft-update --verify
	[[ "$stderr" == *"history entry $seq: hash does not match: the chain breaks here"* ]]
}

@test "ft-warn silence: a dry run prints the silence, stores nothing; an unsilence dry run removes nothing" {
	echo '[{"name":"surge","type":"threshold","count":1,"window":60}]' | rules
	run -0 --separate-stderr ft-warn --rules rules.json /dev/null
	sl --rule surge --for 1h --note "x" -n
	[ "$(got .silence)" = s1 ]
	sl --rule surge --for 522w --note "x" -n
	[ "$(got .until_at)" = 2036-12-02T08:10:00Z ]
	[ "$(sql "SELECT count(*) FROM warn_silences")" = 0 ]
	sl --rule surge --for 1h --note "x"
	run -0 --separate-stderr ft-warn unsilence s1 -n
	[ "$(got .status)" = removed ]
	[ "$(sql "SELECT count(*) FROM warn_silences WHERE removed_at IS NULL")" = 1 ]
	[ "$(sql "SELECT count(*) FROM history WHERE action LIKE '%silence'")" = 1 ]
}

@test "ft-warn silence: --fail-on passes silenced warnings by while the silence holds; escalate too, and fires the steps due once it ends" {
	esc_rules
	run -0 --separate-stderr ft-warn --rules rules.json /dev/null
	sl --rule surge --for 1h --note "x"
	evs a 08:20:00 > in.ndjson
	run -3 --separate-stderr ft-warn --rules rules.json --fail-on yellow in.ndjson --now 2026-12-01T08:20:00Z
	[ "$(got '"\(.rule):\(.change)"')" = "calm:raised" ]
	run -3 --separate-stderr ft-warn list --fail-on yellow --no-output --now 2026-12-01T08:20:00Z
	run -0 --separate-stderr ft-warn ack "$(ft-warn list --rule calm | jq -r .warning)" --now 2026-12-01T08:21:00Z
	run -0 --separate-stderr ft-warn list --fail-on yellow --no-output --now 2026-12-01T09:09:59Z
	run -3 --separate-stderr ft-warn list --fail-on yellow --no-output --now 2026-12-01T09:10:00Z
	es 09:09:59
	[ "$output" = "" ]
	[ "$stderr" = "ft-warn: 0 escalation steps; 1 silenced warning passed by" ]
	es 09:10:00
	[ "$(got '"\(.key):\(.escalation)"')" = "g1:1 g1:2" ]
}

@test "ft-warn silence: usage errors are 64 with the message, and store nothing" {
	echo '[{"name":"surge","type":"threshold","count":1,"window":60}]' | rules
	run -0 --separate-stderr ft-warn --rules rules.json /dev/null
	bad() {
		run -64 --separate-stderr ft-warn "$@" --now 2026-12-01T08:10:00Z
		[ "${stderr%%$'\n'*}" = "ft-warn: $msg" ] || { echo "got: $stderr"; return 1; }
	}
	msg='silence: --rule NAME or --key KEY is needed: what it mutes' bad silence --for 1h --note x
	msg='silence: --for DURATION or --until TIME is needed, not both' bad silence --rule surge --note x
	msg='silence: --for DURATION or --until TIME is needed, not both' bad silence --rule surge --note x --for 1h --until 2026-12-01T09:00:00Z
	msg='silence: --note TEXT is needed: why' bad silence --rule surge --for 1h
	msg='silence: --note TEXT is needed: why' bad silence --rule surge --for 1h --note ''
	msg='--for: "0h" is not a duration of up to ten years, such as 30m, 2h, 7d' bad silence --rule surge --for 0h --note x
	msg='--for: "1y" is not a duration of up to ten years, such as 30m, 2h, 7d' bad silence --rule surge --for 1y --note x
	msg='--for: "523w" is not a duration of up to ten years, such as 30m, 2h, 7d' bad silence --rule surge --for 523w --note x
	msg='--until: "2026-12-01T08:10:00Z" is not after the current time (2026-12-01T08:10:00Z)' bad silence --rule surge --until 2026-12-01T08:10:00Z --note x
	msg='--until: "2h": not an ISO 8601 time or epoch seconds' bad silence --rule surge --until 2h --note x
	msg='unsilence: no SILENCE named' bad unsilence
	msg='silences: unexpected argument "s1"' bad silences s1
	msg='escalate: --rules FILE is needed' bad escalate
	[ "$(sql "SELECT count(*) FROM warn_silences")" = 0 ]
	run -66 --separate-stderr ft-warn silences --db nowhere.db
	[ ! -e nowhere.db ]
}

@test "ft-warn silence: a reraise is muted; a resolution is printed all the same (it is not new)" {
	echo '[{"name":"r","type":"threshold","count":1,"window":60,"reraise":"1h"}]' | rules
	run -0 --separate-stderr ft-warn --rules rules.json /dev/null
	sl --rule r --for 3h --note "x"
	{ evs a 08:20:00; evs b 09:25:00; evs c 11:30:00; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change):\(.events):\(.resolved_at)"')" = 'resolved:["a","b"]:2026-12-01T11:25:00Z raised:["c"]:null' ]
	[ "$stderr" = "ft-warn: 3 records (3 events, 0 readings): 2 raised, 1 resolved, 0 rejected; 2 not printed: silenced (${stderr##*silenced (}" ]
	rm -f "$FT_DB"*
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got .change)" = "raised reraised resolved raised" ]
}

# dc ID UNIT RESPOND RESOLVE [REPORTED]: ft-dispatch's record of case ID,
# reported at 08:00 (or REPORTED) on 2026-12-01, with its deadlines (HH:MM:SS
# that day; "-" for none).
dc() {
	local r=null s=null
	[ "$3" = - ] || r="\"2026-12-01T$3Z\""
	[ "$4" = - ] || s="\"2026-12-01T$4Z\""
	printf '{"id":"%s","category":"x","reported_at":"2026-12-01T%sZ","status":"dispatched","unit":"%s","respond_by":%s,"resolve_by":%s}\n' "$1" "${5:-08:00:00}" "$2" "$r" "$s"
}

# cs ID STATUS HH:MM:SS: ft-update's record of a status change of case ID.
cs() {
	printf '{"id":"%s","at":"2026-12-01T%sZ","status":"%s","from":"dispatched"}\n' "$1" "$3" "$2"
}

# tk HH:MM:SS: an event nobody dispatched, which moves the clock.
tk() {
	printf '{"id":"tick-%s","category":"y","reported_at":"2026-12-01T%sZ"}\n' "$1" "$1"
}

@test "ft-warn sla: respond: accepted a second before or at respond_by is on time; a second after, a warning raised at the deadline, resolved at the acceptance" {
	echo '[{"name":"resp","type":"sla","deadline":"respond","key":"id"}]' | rules
	{ dc a u 09:00:00 -; dc b u 09:00:00 -; dc c u 09:00:00 -
	  cs a accepted 08:59:59; cs b accepted 09:00:00; cs c accepted 09:00:01; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.key) \(.level) \(.count) \(.raised_at) \(.last_at) \(.resolved_at) \(.events)"')" = 'raised c yellow 1 2026-12-01T09:00:00Z 2026-12-01T09:00:00Z null ["c"] resolved c yellow 1 2026-12-01T09:00:00Z 2026-12-01T09:00:01Z 2026-12-01T09:00:01Z ["c"]' ]
	[ "$stderr" = "ft-warn: 6 records (6 events, 0 readings): 1 raised, 1 resolved, 0 rejected (${stderr##*rejected (}" ]
}

@test "ft-warn sla: a case waiting when the clock is at its deadline is on time, a second later late; the cases waiting survive a restart" {
	echo '[{"name":"resp","type":"sla","deadline":"respond"}]' | rules
	{ dc x u1 09:00:00 -; tk 09:00:00; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
	[ "$(sql "SELECT rule, key, state FROM warn_windows")" = 'resp|u1|{"w":[[1796115600,"x"]]}' ]
	tk 09:00:01 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.key) \(.raised_at) \(.events)"')" = 'raised u1 2026-12-01T09:00:00Z ["x"]' ]
}

@test "ft-warn sla: resolve: accepted does not stop it, resolved does; the level rises with how late, at each level's time and not before; after: how late before it counts" {
	echo '[{"name":"fix","type":"sla","deadline":"resolve","key":"id","after":"10m","levels":{"orange":"1h","red":"4h"},"major":"red"}]' | rules
	step() {
		printf '%s\n' "$@" > in.ndjson
		run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
		got '"\(.change):\(.level):\(.major):\(.last_at)"'
	}
	[ "$(step "$(dc a u - 10:00:00)" "$(cs a accepted 09:30:00)" "$(tk 10:10:00)")" = "" ]
	[ "$(step "$(tk 10:10:01)")" = "raised:yellow:false:2026-12-01T10:10:00Z" ]
	[ "$(step "$(tk 11:00:00)")" = "" ]
	[ "$(step "$(tk 11:00:01)")" = "level:orange:false:2026-12-01T11:00:00Z" ]
	[ "$(step "$(tk 14:00:00)")" = "" ]
	[ "$(step "$(cs a resolved 14:00:01)")" = "level:red:true:2026-12-01T14:00:00Z resolved:red:true:2026-12-01T14:00:01Z" ]
}

@test "ft-warn sla: by unit, one warning counts the unit's late cases; it clears when the last is accepted and resolves after quiet; late again within quiet updates it, at its end a new warning" {
	echo '[{"name":"resp","type":"sla","deadline":"respond","quiet":"10m"}]' | rules
	{ dc a u1 09:00:00 -; dc b u1 09:30:00 -; dc c u2 09:10:00 -
	  dc d u1 10:14:59 - 09:00:00; dc f u2 09:30:00 - 09:00:00
	  cs c accepted 09:20:00; tk 09:45:00; cs a accepted 10:00:00
	  cs b accepted 10:05:00; cs d accepted 10:20:00; cs f accepted 10:25:00
	  tk 11:00:00; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	printf '%s\n' "$output" > whole.ndjson
	[ "$(got '"\(.change) \(.key) \(.count) \(.raised_at) \(.last_at) \(.resolved_at) \(.events)"')" = 'raised u1 1 2026-12-01T09:00:00Z 2026-12-01T09:00:00Z null ["a"] raised u2 1 2026-12-01T09:10:00Z 2026-12-01T09:10:00Z null ["c"] resolved u2 1 2026-12-01T09:10:00Z 2026-12-01T09:20:00Z 2026-12-01T09:30:00Z ["c"] raised u2 1 2026-12-01T09:30:00Z 2026-12-01T09:30:00Z null ["f"] resolved u1 3 2026-12-01T09:00:00Z 2026-12-01T10:20:00Z 2026-12-01T10:30:00Z ["a","b","d"] resolved u2 1 2026-12-01T09:30:00Z 2026-12-01T10:25:00Z 2026-12-01T10:35:00Z ["f"]' ]
	# The same records split into two runs at every point.
	splits_equal
}

@test "ft-warn sla: the back-test reads the stored cases as ft-dispatch printed them and their status changes at their times: the same warnings as the stream of ft-dispatch and ft-update, and as it split" {
	ft-ingest -q --no-output -k units "$FIXTURES/ft-dispatch/units.ndjson"
	echo '[{"name":"water","when":{"category":"water"},"unit":"w","respond":60,"resolve":240},{"name":"rest","unit":"cc","respond":30}]' > dispatch.json
	{ ev a 0; ev b 10; ev c 20; } | sed 's/"x"/"water"/; s/"c","category":"water"/"c","category":"noise"/' > ev1.ndjson
	ev d 50 | sed 's/"x"/"water"/; s/T08:50/T10:00/' > ev2.ndjson
	FT_NOW=2026-12-01T08:20:00Z ft-ingest -q ev1.ndjson | FT_NOW=2026-12-01T08:20:00Z ft-dispatch -q --rules dispatch.json > d.ndjson
	FT_NOW=2026-12-01T10:00:00Z ft-ingest -q ev2.ndjson | FT_NOW=2026-12-01T10:00:00Z ft-dispatch -q --rules dispatch.json >> d.ndjson
	[ "$(jq -r '"\(.id) \(.unit) \(.respond_by) \(.resolve_by)"' d.ndjson | tr '\n' ,)" = "a w 2026-12-01T09:00:00Z 2026-12-01T12:00:00Z,b w 2026-12-01T09:10:00Z 2026-12-01T12:10:00Z,c cc 2026-12-01T08:50:00Z null,d w 2026-12-01T11:00:00Z 2026-12-01T14:00:00Z," ]
	printf '%s\n' '{"id":"a","status":"accepted","at":"2026-12-01T09:00:00Z"}' \
		'{"id":"b","status":"accepted","at":"2026-12-01T09:10:01Z"}' \
		'{"id":"a","status":"resolved","at":"2026-12-01T12:30:00Z"}' \
		'{"id":"d","status":"closed","at":"2026-12-01T13:00:00Z"}' > up.ndjson
	FT_NOW=2026-12-02T00:00:00Z ft-update -q up.ndjson > u.ndjson
	# The stream: both outputs in time order, then a record at the end
	# of the back-test's period.
	jq -c -s 'sort_by(.reported_at // .at)[]' d.ndjson u.ndjson > in.ndjson
	echo '{"id":"end","reported_at":"2026-12-02T00:00:00Z"}' >> in.ndjson
	echo '[{"name":"resp","type":"sla","deadline":"respond","levels":{"orange":"1h"}},{"name":"res","type":"sla","deadline":"resolve","key":"id","quiet":"10m"}]' | rules
	run -0 --separate-stderr ft-warn -n --rules rules.json in.ndjson
	printf '%s\n' "$output" > whole.ndjson
	[ "$(got '"\(.rule) \(.key) \(.change) \(.level) \(.last_at) \(.events)"')" = 'resp cc raised yellow 2026-12-01T08:50:00Z ["c"] resp w raised yellow 2026-12-01T09:10:00Z ["b"] resp w resolved yellow 2026-12-01T09:10:01Z ["b"] resp cc level orange 2026-12-01T09:50:00Z ["c"] resp w raised yellow 2026-12-01T11:00:00Z ["d"] resp w level orange 2026-12-01T12:00:00Z ["d"] res a raised yellow 2026-12-01T12:00:00Z ["a"] res b raised yellow 2026-12-01T12:10:00Z ["b"] res a resolved yellow 2026-12-01T12:30:00Z ["a"] resp w resolved orange 2026-12-01T13:00:00Z ["d"]' ]
	run -0 --separate-stderr ft-warn -n --rules rules.json --since 2026-12-01T00:00:00Z --until 2026-12-02T00:00:00Z
	printf '%s\n' "$output" > back.ndjson
	cmp whole.ndjson back.ndjson
	[[ "$stderr" == "ft-warn: 8 records (8 events, 0 readings): 5 raised, 3 resolved, 0 rejected; dry run: nothing stored ("* ]]
	splits_equal
}

@test "ft-warn sla: a case dispatched after its deadline passed on the clock is judged at once; the same dispatch twice counts once; a new deadline clears it and starts it again" {
	echo '[{"name":"resp","type":"sla","deadline":"respond","levels":{"red":"1h"}}]' | rules
	{ tk 10:00:00; dc a u1 09:30:00 -; dc a u1 09:30:00 -; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.level) \(.count) \(.raised_at)"')" = "raised yellow 1 2026-12-01T09:30:00Z" ]
	# Its deadline moved: late no more from the clock (10:00), late
	# again at the new one.
	{ dc a u1 11:00:00 -; tk 11:00:01; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.raised_at) \(.last_at)"')" = "resolved 2026-12-01T09:30:00Z 2026-12-01T10:00:00Z raised 2026-12-01T11:00:00Z 2026-12-01T11:00:00Z" ]
}

@test "ft-warn sla: the rules' mistakes are refused (78); a case's bad deadline or status is rejected (1); a status change without an sla rule is rejected as before" {
	check() {
		echo "$1" | rules
		run -78 --separate-stderr ft-warn check --rules rules.json
		[ "$stderr" = "ft-warn: $2" ] || { echo "got: $stderr"; return 1; }
	}
	check '[{"name":"s","type":"sla"}]' 'rules.json: rule 1 ("s"): field "deadline": missing, or not "respond" (the case not accepted by its respond_by) or "resolve" (not resolved by its resolve_by)'
	check '[{"name":"s","type":"sla","deadline":"accept"}]' 'rules.json: rule 1 ("s"): field "deadline": missing, or not "respond" (the case not accepted by its respond_by) or "resolve" (not resolved by its resolve_by)'
	check '[{"name":"s","type":"sla","deadline":"respond","after":"-5m"}]' 'rules.json: rule 1 ("s"): field "after": a duration of whole seconds from 0 s to ten years'
	check '[{"name":"s","type":"sla","deadline":"respond","levels":{"red":"soon"}}]' 'rules.json: rule 1 ("s"): field "levels.red": not a duration: minutes, or a string such as "90s", "15m", "2h", "7d"'
	check '[{"name":"s","type":"sla","deadline":"respond","after":"1h","levels":{"red":"30m"}}]' 'rules.json: rule 1 ("s"): field "levels.red": not above 3600: each level starts above the one below it'
	check '[{"name":"s","type":"sla","deadline":"respond","key":"sensor"}]' 'rules.json: rule 1 ("s"): field "key": "sensor" groups readings: this rule reads events'
	check '[{"name":"s","type":"sla","deadline":"respond","window":5}]' 'rules.json: rule 1 ("s"): field "window": not a field of a rule (a typo?)'
	echo '[{"name":"s","type":"sla","deadline":"respond","key":"id"}]' | rules
	{ dc a u 09:00:00 - | sed 's/"2026-12-01T09:00:00Z"/"9 o'"'"'clock"/'; dc b u 09:00:00 - | sed 's/"dispatched"/true/'
	  dc c u - - | sed 's/"resolve_by":null/"resolve_by":{}/'; dc d u 09:00:00 -; cs d accepted 09:30:00 | sed 's/"at"/"when"/'; tk 10:00:00; } > in.ndjson
	run -1 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.key)"')" = "raised d" ]
	[ "${stderr_lines[0]}" = 'ft-warn: in.ndjson:1: field "respond_by": not a time' ]
	[ "${stderr_lines[1]}" = 'ft-warn: in.ndjson:2: field "status": not a string' ]
	[ "${stderr_lines[2]}" = 'ft-warn: in.ndjson:3: field "resolve_by": not a time' ]
	[ "${stderr_lines[3]}" = 'ft-warn: in.ndjson:5: field "reported_at": missing' ]
	echo '[{"name":"t","type":"threshold","count":1,"window":5}]' | rules
	cs d accepted 09:30:00 > in.ndjson
	run -1 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "${stderr_lines[0]}" = 'ft-warn: in.ndjson:1: field "reported_at": missing' ]
}

@test "ft-warn sla: a case that ended is remembered a week after its deadline: its dispatch read again (the input twice, back-tests that overlap) counts nothing; a dispatch due more than a week before the clock passes the rule by" {
	echo '[{"name":"resp","type":"sla","deadline":"respond","key":"id"}]' | rules
	{ dc a u 09:00:00 -; cs a accepted 09:30:00; dc b u 09:10:00 -; tk 10:00:00; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.key)"')" = "raised a resolved a raised b" ]
	[ "$(sql "SELECT key, state FROM warn_windows ORDER BY key")" = 'a|{"w":[],"done":[[1796115600,"a"]]}
b|{"w":[[1796116200,"b"]]}' ]
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
	[ "$(sql "SELECT count(*) FROM warnings")" = 2 ]
	# A week after a's deadline it is forgotten, and a dispatch due
	# before that passes by.
	{ tk 09:00:00 | sed 's/12-01/12-08/'; dc a u 09:00:00 -; dc c u 08:59:59 -; } > in2.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in2.ndjson
	[ "$output" = "" ]
	{ tk 09:00:01 | sed 's/12-01/12-08/'; dc a u 09:00:00 -; dc c u 08:59:59 -; } > in2.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in2.ndjson
	[ "$output" = "" ]
	[ "$(sql "SELECT key FROM warn_windows ORDER BY key")" = b ]
}

@test "ft-warn sla: back-tests that overlap (a cron job's --since 2h every hour) count each late case once, and read the status changes of the cases waiting from before their period" {
	ft-ingest -q --no-output -k units "$FIXTURES/ft-dispatch/units.ndjson"
	echo '[{"name":"rest","unit":"cc","respond":60}]' > dispatch.json
	{ ev a 0; ev b 10; } > ev.ndjson
	FT_NOW=2026-12-01T08:10:00Z ft-ingest -q ev.ndjson | FT_NOW=2026-12-01T08:10:00Z ft-dispatch -q --no-output --rules dispatch.json
	printf '%s\n' '{"id":"a","status":"accepted","at":"2026-12-01T09:30:00Z"}' \
		'{"id":"b","status":"accepted","at":"2026-12-01T10:30:00Z"}' | FT_NOW=2026-12-02T00:00:00Z ft-update -q --no-output -
	echo '[{"name":"resp","type":"sla","deadline":"respond"}]' | rules
	run -0 --separate-stderr ft-warn --rules rules.json --since 2026-12-01T08:00:00Z --until 2026-12-01T10:00:00Z
	[ "$(got '"\(.change) \(.count) \(.events)"')" = 'raised 1 ["a"]' ]
	[ "$(sql "SELECT status, count, events FROM warnings")" = 'open|2|["a","b"]' ]
	run -0 --separate-stderr ft-warn --rules rules.json --since 2026-12-01T08:00:00Z --until 2026-12-01T10:20:00Z
	[ "$output" = "" ]
	[ "$(sql "SELECT status, count, events FROM warnings")" = 'open|2|["a","b"]' ]
	# b, reported before this period, waits from the runs before: its
	# acceptance in the period is read all the same.
	run -0 --separate-stderr ft-warn --rules rules.json --since 2026-12-01T09:20:00Z --until 2026-12-01T11:00:00Z
	[ "$(got '"\(.change) \(.count) \(.last_at) \(.resolved_at)"')" = 'resolved 2 2026-12-01T10:30:00Z 2026-12-01T10:30:00Z' ]
	[[ "$stderr" == "ft-warn: 1 record (1 event, 0 readings): 0 raised, 1 resolved, 0 rejected ("* ]]
}

# de ID HH:MM [AREA] [DAY]: an event of AREA (g1) at that time of DAY
# (2026-12-01, a Tuesday).
de() {
	printf '{"id":"%s","category":"x","area":"%s","reported_at":"%sT%s:00Z"}\n' "$1" "${3:-g1}" "${4:-2026-12-01}" "$2"
}

# win AREA HH:M N [DAY]: N events of AREA in the ten minutes from HH:M0,
# one a minute.
win() {
	local i
	for ((i = 0; i < $3; i++)); do de "$1-${4:-}$2$i" "$2$i" "$1" "${4:-}"; done
}

@test "ft-warn drop: a window's count against the median of the windows before, judged as it ends: one below the fall nothing, at it raised, a level by fall; a key that sent nothing counts 0; a baseline one below min not judged" {
	echo '[{"name":"dr","type":"drop","window":10,"baseline":3,"fall":0.5,"min":4,"levels":{"orange":0.75,"red":1}}]' | rules
	# Usual counts 4 (a to d), 3 (e: one below min), 5 (f: one above);
	# then 3, 2, 1, 0, 0 and 2 in 08:30-08:40.
	{ for m in 08:0 08:1 08:2; do
		for a in a b c d; do win "$a" "$m" 4; done; win e "$m" 3; win f "$m" 5
	  done
	  win a 08:3 3; win b 08:3 2; win c 08:3 1; win f 08:3 2; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	# The window is not over before 08:40, whatever came in it.
	[ "$output" = "" ]
	# Any record moves the clock: here a reading at 08:40.
	printf '{"sensor":"s1","at":"2026-12-01T08:40:00Z","value":1}\n' > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.key) \(.change) \(.level) \(.count) \(.value) \(.first_at) \(.raised_at)"')" = "b raised yellow 1 0.5 2026-12-01T08:30:00Z 2026-12-01T08:40:00Z c raised orange 1 0.75 2026-12-01T08:30:00Z 2026-12-01T08:40:00Z d raised red 1 1 2026-12-01T08:30:00Z 2026-12-01T08:40:00Z f raised yellow 1 0.6 2026-12-01T08:30:00Z 2026-12-01T08:40:00Z" ]
	[ "$(sql "SELECT key, type, level, value, events FROM warnings ORDER BY key")" = "b|drop|yellow|0.5|[]
c|drop|orange|0.75|[]
d|drop|red|1.0|[]
f|drop|yellow|0.6|[]" ]
	# 08:39:59 does not end the window.
	rm -f "$FT_DB"
	{ win d 08:0 4; win d 08:1 4; win d 08:2 4; printf '{"sensor":"s1","at":"2026-12-01T08:39:59Z","value":1}\n'; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
}

# The drop of g: five windows of 4, then 2 (yellow at 09:00), 0 (red at
# 09:10), 4 (back: cleared at 09:20, resolved after 10 min of quiet).
drop_g() {
	echo '[{"name":"dr","type":"drop","window":10,"baseline":5,"fall":0.5,"min":4,"levels":{"red":1},"quiet":10}]' | rules
	{ for m in 08:0 08:1 08:2 08:3 08:4; do win g "$m" 4; done
	  win g 08:5 2; de o1 09:05 o; win g 09:1 4; win g 09:2 4
	  printf '{"sensor":"s1","at":"2026-12-01T09:29:00Z","value":1}\n'
	  printf '{"sensor":"s1","at":"2026-12-01T09:30:00Z","value":1}\n'; } > in.ndjson
}

@test "ft-warn drop: the level rises with the fall; a window back to its usual count clears it, resolved after the quiet period" {
	drop_g
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.level) \(.count) \(.value) \(.last_at) \(.resolved_at // "-") \(.duration // "-")"')" = "raised yellow 1 0.5 2026-12-01T09:00:00Z - - level red 2 1 2026-12-01T09:10:00Z - - resolved red 2 1 2026-12-01T09:10:00Z 2026-12-01T09:30:00Z 1800" ]
	[ "$(sql "SELECT by, action, from_status, to_status FROM history WHERE kind = 'warning' ORDER BY seq")" = "tester|raise||open
tester|level|open|open
tester|resolve|open|resolved" ]
	# A drop again after it resolved: a new warning.
	{ win g 09:3 0; printf '{"sensor":"s1","at":"2026-12-01T09:40:00Z","value":1}\n'; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.level) \(.raised_at)"')" = "raised red 2026-12-01T09:40:00Z" ]
	[ "$(sql "SELECT count(DISTINCT warning) FROM warnings")" = 2 ]
}

@test "ft-warn drop: a restart in the middle of a window neither floods nor forgets; any split into two runs and the back-test give the same warnings" {
	drop_g
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	printf '%s\n' "$output" > whole.ndjson
	[ "$(wc -l < whole.ndjson)" = 3 ]
	# Stopped after two of the four events of 09:10-09:20.
	n=$(grep -n '"g-09:11"' in.ndjson | cut -d: -f1)
	rm -f "$FT_DB"
	head -n "$n" in.ndjson > a.ndjson
	tail -n "+$((n + 1))" in.ndjson > b.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json a.ndjson
	[ "$(got .change)" = "raised level" ]
	# What it keeps of g: the counts of the windows its baseline reaches
	# (08:20 to 08:50, and 09:10), the events of the newest window.
	[ "$(sql "SELECT json_array_length(state, '$.c'), json_array_length(state, '$.w') FROM warn_windows WHERE key = 'g'")" = "5|2" ]
	run -0 --separate-stderr ft-warn --rules rules.json b.ndjson
	[ "$(got '"\(.change) \(.resolved_at)"')" = "resolved 2026-12-01T09:30:00Z" ]
	splits_equal
	# The back-test over the same events, stored.
	rm -f "$FT_DB"
	grep -v sensor in.ndjson > ev.ndjson
	ft-ingest -q --no-output ev.ndjson
	run -0 --separate-stderr ft-warn -n --rules rules.json --since 2026-12-01T08:00:00Z --until 2026-12-01T09:30:00Z
	[ "$output" = "$(cat whole.ndjson)" ]
}

@test "ft-warn spike: {\"weeks\": K}, the same window of the week in the K weeks before; their median (an odd week does not move it); one below, at, above the factor; min" {
	echo '[{"name":"sp","type":"spike","window":"1h","baseline":{"weeks":3},"factor":2,"min":3,"levels":{"red":4}},
	       {"name":"dr","type":"drop","window":"1h","baseline":{"weeks":3},"min":3}]' | rules
	# Tuesdays 08:00-09:00: g1 2, 10, 2 (median 2); g3 5, 5, 5.
	{ win g1 08:0 2 2026-11-10; win g3 08:3 5 2026-11-10
	  win g1 08:1 10 2026-11-17; win g3 08:3 5 2026-11-17
	  win g1 08:0 2 2026-11-24; win g3 08:3 5 2026-11-24; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	# 2026-12-01, one every 5 min: g1 3 (1.5x), 4 (2x: raised), 5
	# (2.5x), ... 8 (4x: red); g2, new, counts from 1: 2 (below min), 3
	# (raised); g3 2 (a fall of 0.6: a drop at 09:00, when the window is
	# over).  The hours before (none) are not its baseline: with them g1
	# would have raised at 3.
	{ for i in 0 1 2 3 4 5 6 7; do de "g1-$i" "$(printf '08:%02d' $((i * 5)))"; done
	  win g2 08:4 3; win g3 08:5 2; de z 09:00 z; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.rule) \(.key) \(.change) \(.level) \(.count) \(.value) \(.last_at)"')" = "sp g1 raised yellow 4 2 2026-12-01T08:15:00Z sp g1 level red 8 4 2026-12-01T08:35:00Z sp g2 raised yellow 3 3 2026-12-01T08:42:00Z dr g3 raised yellow 1 0.6 2026-12-01T09:00:00Z sp g1 resolved red 8 4 2026-12-01T08:35:00Z sp g2 resolved yellow 3 3 2026-12-01T08:42:00Z" ]
}

@test "ft-warn spike: {\"weeks\": K} windows are the zone's local time: the same hour of the week across a change of summer time" {
	echo '[{"name":"sp","type":"spike","window":"1h","baseline":{"weeks":2},"factor":2,"min":3}]' | rules
	# Tuesdays 08:00-09:00 in New York: 12:00Z in summer time (October
	# 27), 13:00Z after it ended (November 3 and 10); 4 events each.
	# November 10 then has 8 at 13:00Z, the 8th at 2x.
	{ win g1 12:0 4 2026-10-27; win g1 13:0 4 2026-11-03; win g1 13:1 8 2026-11-10; } > in.ndjson
	TZ=America/New_York run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got 'select(.raised_at > "2026-11-10") | "\(.change) \(.count) \(.value) \(.raised_at)"')" = "raised 8 2 2026-11-10T13:17:00Z" ]
	# In UTC the hour of October 27 is another: the baseline is 0 and 4,
	# a median of 2, and the 4th event is 2x.
	rm -f "$FT_DB"
	TZ=UTC run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got 'select(.raised_at > "2026-11-10") | "\(.change) \(.count) \(.value) \(.raised_at)"')" = "raised 4 2 2026-11-10T13:13:00Z" ]
}

@test "ft-warn spike, drop: with {\"weeks\": K}, any split into two runs and the back-test give the same warnings" {
	echo '[{"name":"sp","type":"spike","window":"1h","baseline":{"weeks":2},"factor":2,"min":3},
	       {"name":"dr","type":"drop","window":"1h","baseline":{"weeks":2},"fall":0.5,"min":2}]' | rules
	{ win g1 08:0 3 2026-11-17; win g2 09:0 4 2026-11-17
	  win g1 08:0 3 2026-11-24; win g2 09:0 4 2026-11-24
	  win g1 08:0 6 2026-12-01; win g2 09:0 1 2026-12-01; win g1 10:0 1 2026-12-01
	  win g1 08:0 3 2026-12-08; win g2 09:0 4 2026-12-08; win g1 10:0 1 2026-12-08; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	printf '%s\n' "$output" > whole.ndjson
	# g2 falls from 4 to 1 on December 1 (raised as 10:00 begins) and is
	# back a week later (2.5 usual: not a fall), resolved as 10:00 begins.
	[ "$(got 'select(.rule == "dr") | "\(.key) \(.change) \(.value) \(.raised_at) \(.resolved_at // "-")"')" = "g2 raised 0.75 2026-12-01T10:00:00Z - g2 resolved 0.75 2026-12-01T10:00:00Z 2026-12-08T10:00:00Z" ]
	[ "$(wc -l < whole.ndjson)" = 12 ]
	splits_equal
	rm -f "$FT_DB"
	ft-ingest -q --no-output in.ndjson
	run -0 --separate-stderr ft-warn -n --rules rules.json --since 2026-11-01 --until 2026-12-08T10:00:00Z
	[ "$output" = "$(cat whole.ndjson)" ]
}

@test "ft-warn drop, spike: the mistakes of a drop rule and of a baseline of weeks are refused (78) naming the rule and field" {
	check() {
		echo "$1" | rules
		run -78 --separate-stderr ft-warn check --rules rules.json
		[ "$stderr" = "ft-warn: $2" ] || { echo "got: $stderr"; return 1; }
	}
	check '[{"name":"d","type":"drop"}]' 'rules.json: rule 1 ("d"): field "window": missing'
	check '[{"name":"d","type":"drop","window":5,"fall":0}]' 'rules.json: rule 1 ("d"): field "fall": a fraction of the usual count, above 0 and at most 1'
	check '[{"name":"d","type":"drop","window":5,"fall":1.01}]' 'rules.json: rule 1 ("d"): field "fall": a fraction of the usual count, above 0 and at most 1'
	check '[{"name":"d","type":"drop","window":5,"fall":"half"}]' 'rules.json: rule 1 ("d"): field "fall": not a number'
	check '[{"name":"d","type":"drop","window":5,"factor":2}]' 'rules.json: rule 1 ("d"): field "factor": not a field of a rule (a typo?)'
	check '[{"name":"d","type":"drop","window":5,"min":0}]' 'rules.json: rule 1 ("d"): field "min": not a whole number of events from 1 (the least usual count judged)'
	check '[{"name":"d","type":"drop","window":5,"levels":{"red":1.5}}]' 'rules.json: rule 1 ("d"): field "levels.red": a drop'"'"'s fall is a fraction at most 1'
	check '[{"name":"d","type":"drop","window":5,"fall":0.8,"levels":{"red":0.8}}]' 'rules.json: rule 1 ("d"): field "levels.red": not above 0.8: each level starts above the one below it'
	check '[{"name":"d","type":"drop","key":"sensor","window":5}]' 'rules.json: rule 1 ("d"): field "key": "sensor" groups readings: this rule reads events'
	check '[{"name":"d","type":"drop","window":5,"baseline":"2w"}]' 'rules.json: rule 1 ("d"): field "baseline": not a whole number of windows from 1 to 1000, or {"weeks": K}'
	check '[{"name":"s","type":"spike","window":5,"baseline":{}}]' 'rules.json: rule 1 ("s"): field "baseline.weeks": missing, or not a whole number of weeks from 1 to 52'
	check '[{"name":"s","type":"spike","window":5,"baseline":{"weeks":0}}]' 'rules.json: rule 1 ("s"): field "baseline.weeks": missing, or not a whole number of weeks from 1 to 52'
	check '[{"name":"s","type":"spike","window":5,"baseline":{"weeks":53}}]' 'rules.json: rule 1 ("s"): field "baseline.weeks": missing, or not a whole number of weeks from 1 to 52'
	check '[{"name":"s","type":"spike","window":5,"baseline":{"week":2}}]' 'rules.json: rule 1 ("s"): field "baseline.week": not a field of this object (a typo?)'
	check '[{"name":"d","type":"drop","window":"11m","baseline":{"weeks":2}}]' 'rules.json: rule 1 ("d"): field "window": a baseline of weeks needs a window that divides a week (such as "15m", "1h", "1d")'
	check '[{"name":"d","type":"drop","window":"1m","baseline":{"weeks":3}}]' 'rules.json: rule 1 ("d"): field "baseline.weeks": 3 weeks of 10080 windows: at most 20160 windows (two weeks of minutes); a longer window, or fewer weeks'
	echo '[{"name":"d","type":"drop","window":"1h","baseline":{"weeks":52}},{"name":"s","type":"spike","window":"7d","baseline":{"weeks":1}},{"name":"m","type":"spike","window":"1m","baseline":{"weeks":2}}]' | rules
	run -0 --separate-stderr ft-warn check --rules rules.json
}

@test "ft-warn spike: the state of a version that kept every event of the baseline is read as counts; an event sent again in the newest window counts once" {
	echo '[{"name":"sp","type":"spike","window":10,"baseline":3,"factor":2,"min":3}]' | rules
	ft-warn -q --rules rules.json /dev/null
	t() { date -u -d "2026-12-01T08:$1:00Z" +%s; }
	sql "INSERT INTO warn_windows VALUES ('sp', 'g1', '{\"w\":[[$(t 01),\"a01\"],[$(t 02),\"a02\"],[$(t 12),\"a12\"],[$(t 13),\"a13\"],[$(t 21),\"a21\"],[$(t 22),\"a22\"]],\"out\":0,\"since\":0,\"n\":0}')"
	# Usual 2: the 4th event of 08:30 is 2x (with no baseline, the 3rd
	# would be 3x).
	{ se a22 22; se b1 31; se b2 32; se b3 33; se b4 34; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.count) \(.value) \(.raised_at) \(.events)"')" = 'raised 4 2 2026-12-01T08:34:00Z ["b1","b2","b3","b4"]' ]
	[ "$(sql "SELECT json_extract(state, '$.c'), json_array_length(state, '$.w') FROM warn_windows WHERE key = 'g1'")" = "[[2993520,2],[2993521,2],[2993522,2],[2993523,4]]|4" ]
}

@test "ft-warn spike, drop: the same file read again (a cron job that rereads the day's file) changes nothing; an event older than its key's newest window is not counted, sent again or come late" {
	echo '[{"name":"sp","type":"spike","window":10,"baseline":3,"factor":3,"min":5,"levels":{"red":5}},
	       {"name":"dr","type":"drop","window":10,"baseline":3,"min":2}]' | rules
	{ se a1 01; se a2 05; se b1 12; se c1 21; se c2 25
	  for i in 0 1 2 3 4 5 6 7 8 9; do se "d$i" "3$i"; done; se x 41; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.rule) \(.change) \(.level) \(.count)"')" = "sp raised yellow 6 sp level red 10 sp resolved red 10" ]
	local state warns
	state=$(sql "SELECT rule, key, state FROM warn_windows ORDER BY 1, 2")
	warns=$(sql "SELECT warning, status, level, count FROM warnings ORDER BY 1")
	[ -n "$state" ] && [ -n "$warns" ]
	# Read again: the windows before 08:40 would count twice, and 08:30
	# would spike again.
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$output" = "" ]
	[ "$(sql "SELECT rule, key, state FROM warn_windows ORDER BY 1, 2")" = "$state" ]
	[ "$(sql "SELECT warning, status, level, count FROM warnings ORDER BY 1")" = "$warns" ]
	# Come late into 08:30 (a new id): not counted either.
	se late 33 > late.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json late.ndjson
	[ "$output" = "" ]
	[ "$(sql "SELECT rule, key, state FROM warn_windows ORDER BY 1, 2")" = "$state" ]
	# The newest window still takes a new event, and not one sent again.
	{ se x 41; se y 42; } > new.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json new.ndjson
	[ "$(sql "SELECT json_extract(state, '$.c[#-1][1]') FROM warn_windows WHERE rule = 'sp'")" = 2 ]
}

@test "ft-warn spike, drop: {\"weeks\": K} in local time: an hour the clocks repeat is one window, an hour they skip is not judged" {
	echo '[{"name":"sp","type":"spike","window":"1h","baseline":{"weeks":1},"factor":2,"min":1},
	       {"name":"dr","type":"drop","window":"1h","baseline":{"weeks":1},"min":1}]' | rules
	# New York, 01:00-02:00 on Sunday: 3 events on October 25; November
	# 1 repeats that hour (05:00-07:00Z): 3 in each, the 6th is 2x.
	{ for m in 10 20 30; do de "o$m" "05:$m" g1 2026-10-25; done
	  for m in 10 20 30; do de "a$m" "05:$m" g1 2026-11-01; done
	  for m in 10 20 30; do de "b$m" "06:$m" g1 2026-11-01; done
	  de c 07:00 g9 2026-11-01; } > in.ndjson
	TZ=America/New_York run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got 'select(.first_at > "2026-11") | "\(.rule) \(.change) \(.count) \(.value) \(.first_at) \(.raised_at) \(.resolved_at // "-")"')" = "sp raised 6 2 2026-11-01T05:10:00Z 2026-11-01T06:30:00Z - sp resolved 6 2 2026-11-01T05:10:00Z 2026-11-01T06:30:00Z 2026-11-01T07:00:00Z" ]
	# 02:00-03:00 on Sunday March 8 does not happen: its events of March 1
	# are no usual count for it.
	rm -f "$FT_DB"
	{ for m in 10 20 30; do de "p$m" "07:$m" g1 2026-03-01; done
	  de q 12:00 g9 2026-03-08; } > in.ndjson
	TZ=America/New_York run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got 'select(.rule == "dr") | .first_at')" = "" ]
}

@test "ft-warn conditions: a rule naming no category counts events of a category no rule names; one naming categories, only those" {
	echo '[{"name":"any","type":"threshold","key":"category","count":2,"window":60},{"name":"y","type":"threshold","when":{"category":["y","z"]},"key":"category","count":2,"window":60},{"name":"qr","type":"threshold","when":{"source":"qr"},"key":"source","count":2,"window":60}]' | rules
	{ ev a 0; ev b 1; ev c 2 ',"source":"qr"'; ev d 3 ',"category":"z"'; } | sed 's/"category":"x",\(.*\),"category":"z"/"category":"z",\1/' > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.rule) \(.key) \(.count)"')" = 'any x 2' ]
	{ ev e 4 ',"source":"qr"'; ev f 5 ',"category":"z"'; } | sed 's/"category":"x",\(.*\),"category":"z"/"category":"z",\1/' > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	# (any x rises to 3 with e: an update, not printed)
	[ "$(got '"\(.rule) \(.key) \(.count) \(.events)"')" = 'qr qr 2 ["c","e"] any z 2 ["d","f"] y z 2 ["d","f"]' ]
	[ "$(sql "SELECT count FROM warnings WHERE rule = 'any' AND key = 'x'")" = 4 ]
}

@test "ft-warn windows: a batch writes the states it changed into new pages of 32 keys and leaves the older pages as they are; a key's state is its newest page's; a page whose keys all changed is written again in place" {
	echo '[{"name":"t","type":"threshold","key":"id","count":2,"window":60}]' | rules
	for i in $(seq 1 34); do ev "a$i" 0; done > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(sql "SELECT page, json_array_length(state) FROM warn_pages ORDER BY page" | tr '\n' ' ')" = "1|32 2|2 " ]
	[ "$(sql "SELECT count(*) FROM warn_windows")" = 34 ]
	sql "CREATE TABLE written(page); CREATE TRIGGER log AFTER INSERT ON warn_pages BEGIN INSERT INTO written VALUES (NEW.page); END"
	# A new key goes into a new page; no other page is written.
	ev b 1 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(sql "SELECT group_concat(page) FROM written")" = 3 ]
	# A key counts again: its new state (and its warning) into a new page;
	# the old one stays in its page, stale, and the view shows the new.
	sql "DELETE FROM written"
	ev a7 2 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.key) \(.count)"')" = "raised a7 2" ]
	[ "$(sql "SELECT group_concat(page) FROM written")" = 4 ]
	[ "$(sql "SELECT sum(json_array_length(state)) FROM warn_pages")" = 36 ]
	[ "$(sql "SELECT count(*) FROM warn_windows")" = 35 ]
	[ "$(sql "SELECT state FROM warn_windows WHERE key = 'a7'")" = "{\"w\":[[$(date -u -d 2026-12-01T08:00:00Z +%s),\"a7\"],[$(date -u -d 2026-12-01T08:02:00Z +%s),\"a7\"]]}" ]
	# The next run reads the newest state: a7's third event makes three;
	# page 4, whose only key changed, is written again in place.
	sql "DELETE FROM written"
	ev a7 3 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(sql "SELECT json_array_length(state, '$.w') FROM warn_windows WHERE key = 'a7'")" = 3 ]
	[ "$(sql "SELECT count FROM warnings WHERE key = 'a7'")" = 3 ]
	[ "$(sql "SELECT group_concat(page) FROM written")" = 4 ]
	[ "$(sql "SELECT group_concat(page) FROM (SELECT page FROM warn_pages ORDER BY page)")" = 1,2,3,4 ]
	[ "$(sql "SELECT sum(json_array_length(state)) FROM warn_pages")" = 36 ]
	# Past every key's horizon: all are forgotten and their pages deleted;
	# the new key is in a new page.
	ev z 59 | sed 's/T08:/T11:/' > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(sql "SELECT page || ' ' || json_array_length(state) FROM warn_pages")" = "5 1" ]
	[ "$(sql "SELECT key FROM warn_windows")" = z ]
}

@test "ft-warn windows: a page that a key left with no newer state while others stay, or whose states are more stale than not, is deleted and its keys written into the new page" {
	# s's keys are forgotten 20 minutes and a second after their event,
	# t's after 120.
	echo '[{"name":"t","type":"threshold","key":"id","count":2,"window":60},{"name":"s","type":"threshold","key":"id","count":2,"window":10}]' | rules
	{ ev a 0; ev b 1; ev c 2; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(sql "SELECT page || ' ' || json_array_length(state) FROM warn_pages")" = "1 6" ]
	# At 08:23 s's keys are forgotten; t's go into page 2 with d's.
	ev d 23 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(sql "SELECT page || ' ' || json_array_length(state) FROM warn_pages")" = "2 5" ]
	[ "$(sql "SELECT rule || key FROM warn_windows ORDER BY rule, key" | tr '\n' ,)" = "sd,ta,tb,tc,td," ]
	# Two of page 2's five states move to page 3: page 2 stays.
	{ ev a 24; ev b 25; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(sql "SELECT page || ' ' || json_array_length(state) FROM warn_pages ORDER BY page" | tr '\n' ,)" = "2 5,3 4," ]
	# A third: page 2's last two go into page 4 with c's.
	ev c 26 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(sql "SELECT page || ' ' || json_array_length(state) FROM warn_pages ORDER BY page" | tr '\n' ,)" = "3 4,4 4," ]
	[ "$(sql "SELECT rule || key FROM warn_windows ORDER BY rule, key" | tr '\n' ,)" = "sa,sb,sc,sd,ta,tb,tc,td," ]
	[ "$(sql "SELECT json_array_length(state, '$.w') FROM warn_windows WHERE rule = 't' ORDER BY key" | tr '\n' ,)" = "2,2,2,1," ]
}

@test "ft-warn state: page numbers near their end (2^32 - 1) are numbered again from 1 in their order, the stale entries left out; the runs go on as one run would" {
	echo '[{"name":"t","type":"threshold","key":"id","count":2,"window":60}]' | rules
	for i in $(seq 1 34); do ev "a$i" 0; done > in.ndjson
	{ ev a7 2; ev b 3; ev a7 4; } > more.ndjson
	FT_DB=whole.db ft-warn -q --rules rules.json in.ndjson more.ndjson > whole.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(sql "SELECT page, json_array_length(state) FROM warn_pages ORDER BY page" | tr '\n' ' ')" = "1|32 2|2 " ]
	# The last two numbers before 2^32 - 1: the next page would pass it.
	sql "UPDATE warn_pages SET page = page + 4294967292"
	head -1 more.ndjson > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.key) \(.count)"')" = "raised a7 2" ]
	[ "$(sql "SELECT page, json_array_length(state) FROM warn_pages ORDER BY page" | tr '\n' ' ')" = "1|31 2|2 3|1 " ]
	[ "$(sql "SELECT count(*) FROM warn_windows")" = 34 ]
	tail -n +2 more.ndjson > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(sql "SELECT count FROM warnings WHERE key = 'a7'")" = 3 ]
	[ "$(sql "SELECT max(page) < 10 FROM warn_pages")" = 1 ]
	[ "$(sql "SELECT * FROM warn_windows ORDER BY 1, 2")" = "$(sqlite3 whole.db "SELECT * FROM warn_windows ORDER BY 1, 2")" ]
	[ "$(sql "SELECT * FROM warnings ORDER BY 1")" = "$(sqlite3 whole.db "SELECT * FROM warnings ORDER BY 1")" ]
}

@test "ft-warn state: a page written again keeps the keys of a rule no longer in the rules file, which count on once it is back; a page that is not [rule, key, state] arrays is refused (65)" {
	echo '[{"name":"t","type":"threshold","key":"id","count":2,"window":60},{"name":"u","type":"threshold","key":"id","count":2,"window":60}]' > both.json
	echo '[{"name":"t","type":"threshold","key":"id","count":2,"window":60}]' > t.json
	{ ev a 0; ev b 1; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules both.json in.ndjson
	[ "$output" = "" ]
	[ "$(sql "SELECT rule || ' ' || key FROM warn_windows ORDER BY rule, key" | tr '\n' ,)" = "t a,t b,u a,u b," ]
	# Without rule u: a's new state goes into page 2, and page 1 is
	# written again without a's old one, u's keys in it.
	ev a 2 > in.ndjson
	run -0 --separate-stderr ft-warn --rules t.json in.ndjson
	[ "$(got '"\(.rule) \(.key) \(.count)"')" = "t a 2" ]
	[ "$(sql "SELECT rule || ' ' || key FROM warn_windows ORDER BY rule, key" | tr '\n' ,)" = "t a,t b,u a,u b," ]
	[ "$(sql "SELECT page || ' ' || json_array_length(state) FROM warn_pages ORDER BY page" | tr '\n' ,)" = "1 3,2 1," ]
	ev a 3 > in.ndjson
	run -0 --separate-stderr ft-warn --rules both.json in.ndjson
	[ "$(got '"\(.rule) \(.key) \(.count)"')" = "u a 2" ]
	[ "$(sql "SELECT count FROM warnings WHERE rule = 't'")" = 3 ]
	cp "$FT_DB" bad.db
	sqlite3 bad.db "INSERT INTO warn_pages(state) VALUES ('[1]')"
	FT_DB=bad.db run -65 --separate-stderr ft-warn --rules both.json /dev/null
	[ "$stderr" = "ft-warn: bad.db: warn_pages: page 4: a key's state without its rule and key" ]
}

@test "ft-warn state: a database of schema 11 has its rows of warn_windows put into pages; the view shows the same rows; the next run goes on as one run would" {
	old_db_setup
	# old.db as schema 11 would have left it: a row a rule and key, and
	# one whose state is no JSON, refused when read.
	sqlite3 old.db "CREATE TABLE w11 AS SELECT rule, key, state FROM warn_windows; DROP VIEW warn_windows; DROP TABLE warn_pages;
		CREATE TABLE warn_windows (rule TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (rule, key)) WITHOUT ROWID;
		INSERT INTO warn_windows SELECT * FROM w11; DROP TABLE w11; PRAGMA user_version = 11"
	rows=$(sqlite3 old.db "SELECT rule, key, state FROM warn_windows ORDER BY rule, key")
	[ "$(wc -l <<< "$rows")" = 4 ]
	cp old.db bad.db
	sqlite3 bad.db "INSERT INTO warn_windows VALUES ('t', 'z', 'x')"
	FT_DB=old.db run -0 --separate-stderr ft-warn --rules rules.json /dev/null
	[ "$(sqlite3 old.db 'PRAGMA user_version')" = 13 ]
	[ "$(sqlite3 old.db "SELECT rule, key, state FROM warn_windows ORDER BY rule, key")" = "$rows" ]
	[ "$(sqlite3 old.db "SELECT page || ' ' || json_array_length(state) FROM warn_pages")" = "1 4" ]
	FT_DB=old.db ft-warn -q --rules rules.json b.ndjson >> split.ndjson
	cmp whole.ndjson split.ndjson
	FT_DB=bad.db run -65 --separate-stderr ft-warn --rules rules.json /dev/null
	[ "$stderr" = "ft-warn: bad.db: warn_windows: rule \"t\", key \"z\": the state is not JSON" ]
}

@test "ft-warn state: a database of schema 12 is read as it was; its view shows each key's newest state, and a row inserted into it is the key's new state; the next run goes on as one run would" {
	old_db_setup
	# old.db as schema 12 left it: pages of up to 32 keys in the order
	# they were first stored, each key in one page, and its view.
	t() { date -u -d "2026-12-01T08:$1:00Z" +%s; }
	sqlite3 old.db "DELETE FROM warn_pages; DROP VIEW warn_windows;
		INSERT INTO warn_pages VALUES (7, '[[\"t\",\"a\",{\"w\":[[$(t 00),\"a\"]]}],[\"all\",\"g1\",{\"w\":[[$(t 00),\"a\"],[$(t 01),\"b\"],[$(t 02),\"c\"]]}]]'),
			(9, '[[\"t\",\"b\",{\"w\":[[$(t 01),\"b\"]]}],[\"t\",\"c\",{\"w\":[[$(t 02),\"c\"]]}]]');
		CREATE VIEW warn_windows(rule, key, state) AS SELECT json_extract(e.value, '\$[0]'), json_extract(e.value, '\$[1]'), json_extract(e.value, '\$[2]') FROM warn_pages, json_each(warn_pages.state) e;
		CREATE TRIGGER warn_windows_insert INSTEAD OF INSERT ON warn_windows BEGIN INSERT INTO warn_pages(state) VALUES (json_array(json_array(NEW.rule, NEW.key, CASE WHEN json_valid(NEW.state) THEN json(NEW.state) ELSE NEW.state END))); END;
		PRAGMA user_version = 12"
	rows=$(sqlite3 old.db "SELECT rule, key, state FROM warn_windows ORDER BY rule, key")
	[ "$(wc -l <<< "$rows")" = 4 ]
	FT_DB=old.db run -0 --separate-stderr ft-warn --rules rules.json /dev/null
	[ "$(sqlite3 old.db 'PRAGMA user_version')" = 13 ]
	[ "$(sqlite3 old.db "SELECT rule, key, state FROM warn_windows ORDER BY rule, key")" = "$rows" ]
	[ "$(sqlite3 old.db "SELECT page || ' ' || json_array_length(state) FROM warn_pages ORDER BY page" | tr '\n' ,)" = "7 2,9 2," ]
	# A row inserted into the view is a page of one, the newest: the key's
	# state, in the view and for the next run.
	cp old.db hand.db
	sqlite3 hand.db "INSERT INTO warn_windows VALUES ('t', 'b', '{\"w\":[[$(t 02),\"b2\"]]}')"
	[ "$(sqlite3 hand.db "SELECT state FROM warn_windows WHERE key = 'b'")" = "{\"w\":[[$(t 02),\"b2\"]]}" ]
	[ "$(sqlite3 hand.db "SELECT count(*) FROM warn_windows")" = 4 ]
	ev b 3 > hand.ndjson
	FT_DB=hand.db run -0 --separate-stderr ft-warn --rules rules.json hand.ndjson
	[ "$(got 'select(.rule == "t") | "\(.key) \(.count) \(.events)"')" = 'b 2 ["b2","b"]' ]
	FT_DB=old.db ft-warn -q --rules rules.json b.ndjson >> split.ndjson
	cmp whole.ndjson split.ndjson
}

@test "ft-warn windows: a key forgotten in the batch that counted it leaves no row; one stored by an earlier run is deleted once forgotten" {
	echo '[{"name":"t","type":"threshold","key":"id","count":2,"window":10}]' | rules
	# Kept 10 + 10 minutes (the window, the quiet period) and a second.
	{ ev a 0; ev b 38; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(sql "SELECT key FROM warn_windows ORDER BY key")" = b ]
	ev c 58 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(sql "SELECT key FROM warn_windows ORDER BY key")" = 'b
c' ]
	ev c 59 > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(sql "SELECT key FROM warn_windows ORDER BY key")" = c ]
}

@test "ft-warn windows: keys and ids that JSON escapes (a quote, a backslash, a tab) first, last and across each 8 bytes are stored as they are and read back by the next run" {
	echo '[{"name":"t","type":"threshold","key":"id","count":2,"window":120}]' | rules
	# As JSON text: q", abcdefg" (at byte 8), abcdefgh" (9: in the last
	# 8 only), a 16-byte one ending in \, one starting with \, a<TAB>b,
	# a quote in the 4th 8 bytes; with none: 16 bytes, Chinese.
	ids=('q\"' 'abcdefg\"' 'abcdefgh\"' 'abcdefghijklmno\\' '\\abcdefghijklmnopqrstuvw' 'a\tb' 'abcdefghijklmnopqrstuvwxyz\"0123' 'abcdefghijklmnop' '深圳市福田区沙头街道景田路59号')
	for i in "${ids[@]}"; do ev "$i" 0; done > a.ndjson
	for i in "${ids[@]}"; do ev "$i" 1; done > b.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json a.ndjson
	[ "$output" = "" ]
	[ "$(sql "SELECT count(*) FROM warn_windows WHERE key = json_extract(state, '\$.w[0][1]')")" = 9 ]
	[ "$(sql "SELECT json_quote(key) FROM warn_windows WHERE key LIKE '%ijk%' ORDER BY key" | tr '\n' ' ')" = '"\\abcdefghijklmnopqrstuvw" "abcdefghijklmno\\" "abcdefghijklmnop" "abcdefghijklmnopqrstuvwxyz\"0123" ' ]
	run -0 --separate-stderr ft-warn --rules rules.json b.ndjson
	[ "$(got '"\(.key | tojson) \(.count) \(.events | tojson)"' | sed 's/ "/\n"/g' | wc -l)" = 9 ]
	[ "$(got '.key | tojson')" = "$(printf '"%s" ' "${ids[@]}" | sed 's/ $//')" ]
	[ "$(got '.count')" = "2 2 2 2 2 2 2 2 2" ]
	[ "$(got '.events == [.key, .key]' | tr ' ' '\n' | sort -u)" = true ]
}

@test "ft-warn windows: a batch's keys go into its pages in the order they expire, days apart, and those that wait on a live warning last" {
	echo '[{"name":"t","type":"threshold","key":"id","count":3,"window":"7d"}]' | rules
	e() { printf '{"id":"%s","category":"x","reported_at":"2026-12-%sZ"}\n' "$1" "$2"; }
	{ e a 01T08:00:00; e b 01T09:00:00; e d 01T10:00:00; e d 01T10:01:00
	  e d 01T10:02:00; e c 02T08:00:00; e a 03T08:00:00; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.key)"')" = "raised d" ]
	[ "$(sql "SELECT group_concat(k, ' ') FROM (SELECT json_extract(e.value, '\$[1]') AS k FROM warn_pages, json_each(warn_pages.state) e ORDER BY page, e.key)")" = "b c a d" ]
}

@test "ft-warn resolve: a warning whose quiet period moves past another's resolves after it, at its own time" {
	echo '[{"name":"t","type":"threshold","key":"id","count":2,"window":"10m","quiet":0}]' | rules
	# a due 08:10, b 08:12; a's fifth event moves a to 08:14 (08:04 + 10m).
	{ ev a 0; ev a 1; ev b 2; ev b 3; ev a 4; ev a 6; ev z 11; ev z 13; ev z 20; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(got '"\(.change) \(.key) \(.resolved_at)"')" = 'raised a null raised b null resolved b 2026-12-01T08:12:00Z raised z null resolved a 2026-12-01T08:14:00Z' ]
}

@test "ft-warn windows: a key that leaves its page while the page's last key moved to a new page leaves each key's state in one page" {
	echo '[{"name":"t","type":"threshold","key":"id","count":3,"window":"10m"}]' | rules
	for i in $(seq 1 34); do ev "a$i" 0; done > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(sql "SELECT group_concat(json_extract(e.value, '\$[1]'), ' ') FROM warn_pages, json_each(warn_pages.state) e WHERE page = 1 AND e.key >= 30")" = "a31 a32" ]
	# a32, the last of page 1, changes first; then a5, forgotten at the
	# end of the batch (the clock is past its window then), leaves page
	# 1 and a32 takes its place there; the rest of page 1 is forgotten.
	{ ev a32 5; ev a5 0 | sed 's/08:00:00/08:00:10/'; ev a32 59; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	[ "$(sql "SELECT page, state FROM warn_pages")" = "3|[[\"t\",\"a32\",{\"w\":[[$(date -u -d 2026-12-01T08:59:00Z +%s),\"a32\"]]}]]" ]
}

@test "ft-warn keys: a key longer than 65,535 bytes (a facility of 70,000) is kept whole: in the warnings, in the state a restart reads back, in the history; and one of 65,534 beside it" {
	echo '[{"name":"rep","type":"repeat","count":2,"window":"5m","quiet":"10m"}]' | rules
	long=$(head -c 70000 /dev/zero | tr '\0' x)
	edge=$(head -c 65534 /dev/zero | tr '\0' y)
	{ ev a 0 ",\"facility\":\"$long\""; ev b 1 ",\"facility\":\"$edge\""
	  ev c 2 ",\"facility\":\"$long\""; ev d 3 ",\"facility\":\"$edge\""
	  ev e 30; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	printf '%s\n' "$output" > whole.ndjson
	[ "$(got '"\(.change) \(.key | length) \(.count)"')" = "raised 70000 2 raised 65534 2 resolved 70000 2 resolved 65534 2" ]
	splits_equal
	[ "$(sql "SELECT group_concat(length(key), ' ') FROM (SELECT key FROM warnings ORDER BY warning)")" = "70000 65534" ]
	run -0 ft-update --verify -q
}

@test "ft-warn keys: 100,000 keys made and forgotten over batches (the table of keys grown, and filled again where keys were forgotten) count as one key at a time would: at the window's edge, one below, at, one above; two runs the same" {
	echo '[{"name":"t","type":"threshold","key":"facility","count":2,"window":"1h"}]' | rules
	# Facility k: at 2k seconds, then 3500 + k % 200 seconds later: in the
	# hour when k % 200 < 100.
	awk 'BEGIN { for (k = 0; k < 100000; k++) { t = 2 * k; print t, k; print t + 3500 + k % 200, k } }' |
		sort -n -k1,1 -k2,2 |
		awk '{ t = $1; r = t % 86400
			printf "{\"id\":\"e%d\",\"category\":\"x\",\"facility\":\"f%d\",\"reported_at\":\"2026-12-%02dT%02d:%02d:%02dZ\"}\n",
				NR, $2, 1 + int(t / 86400), int(r / 3600), int(r % 3600 / 60), r % 60 }' > in.ndjson
	FT_DB=whole.db run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	printf '%s\n' "$output" > whole.ndjson
	[ "$(jq -r 'select(.change == "raised") | .key' whole.ndjson | wc -l)" = 50000 ]
	[ "$(jq -r 'select(.change == "raised") | .key | ltrimstr("f") | tonumber % 200 < 100' whole.ndjson | sort -u)" = true ]
	# f99: 3599 s apart (in); f100: 3600 (out); f101: 3601 (out); f200: in.
	[ "$(jq -r 'select(.change == "raised" and (.key == "f99" or .key == "f100" or .key == "f101" or .key == "f200")) | "\(.key) \(.count)"' whole.ndjson | tr '\n' ,)" = 'f99 2,f200 2,' ]
	head -n 120000 in.ndjson > a.ndjson
	tail -n +120001 in.ndjson > b.ndjson
	{ FT_DB=split.db ft-warn -q --rules rules.json a.ndjson
	  FT_DB=split.db ft-warn -q --rules rules.json b.ndjson; } > split.ndjson
	cmp whole.ndjson split.ndjson
}

@test "ft-warn state: a value rule's state read back with a window (a row put in by hand) drops it: a series has none" {
	echo '[{"name":"v","type":"value","key":"sensor","above":5}]' | rules
	t() { date -u -d "2026-12-01T09:$1:00Z" +%s; }
	rd 0 1 > a.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json a.ndjson
	sql "INSERT INTO warn_windows VALUES ('v', 's1', '{\"w\":[[$(t 00),\"x\"]],\"out\":0,\"since\":0,\"n\":0,\"last\":$(t 00)}')"
	rd 1 2 > b.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json b.ndjson
	[ "$(sql "SELECT state FROM warn_windows WHERE rule = 'v' AND key = 's1'")" = "{\"w\":[],\"out\":0,\"since\":0,\"n\":0,\"last\":$(t 01)}" ]
}

@test "ft-warn writes: a write that fails in the writer thread (a trigger refuses the history entry of key c) stops the run with 70 after the file that committed; nothing of the failed batch is printed or stored" {
	echo '[{"name":"t","type":"threshold","key":"id","count":2,"window":60}]' | rules
	{ ev a 0; ev a 1; } > a.ndjson
	{ ev x 2; ev x 3; } > x.ndjson
	# b raises first, then c, whose entry the trigger refuses; d after it
	{ ev b 4; ev b 5; ev c 6; ev c 7; ev d 8; ev d 9; } > b.ndjson
	run -0 --separate-stderr ft-warn -q --rules rules.json a.ndjson
	[ "$(got .key)" = a ]
	sql "CREATE TRIGGER boom BEFORE INSERT ON history WHEN json_extract(NEW.detail, '\$.key') = 'c' BEGIN SELECT RAISE(ABORT, 'boom'); END"
	run -70 --separate-stderr ft-warn --rules rules.json x.ndjson b.ndjson
	[ "$(got '[.key, .change]')" = '["x","raised"]' ]
	[ "$stderr" = "ft-warn: $FT_DB: logging a change: boom
ft-warn: 2 records (2 events, 0 readings): 1 raised, 0 resolved, 0 rejected$(sed -n 's/.*rejected\( (.*)\)$/\1/p' <<< "$stderr")" ]
	[ "$(sql "SELECT group_concat(key, ' ') FROM (SELECT key FROM warnings ORDER BY key)")" = "a x" ]
	[ "$(sql "SELECT count(*) FROM history WHERE kind = 'warning'")" = 2 ]
	# Without the trigger, the same file goes on from what committed.
	sql "DROP TRIGGER boom"
	run -0 --separate-stderr ft-warn -q --rules rules.json b.ndjson
	[ "$(got .key)" = "b c d" ]
	run -0 ft-update --verify
}

# pairs N: 2N events, two a facility (f1..fN), one a second from 08:00:02.
pairs() {
	awk -v n="$1" 'BEGIN { t = 1764576000
		for (i = 1; i <= n; i++) for (j = 0; j < 2; j++)
			printf "{\"id\":\"e%d\",\"category\":\"x\",\"area\":\"g1\",\"facility\":\"f%d\",\"reported_at\":\"%s\"}\n", 2 * i + j, i, strftime("%Y-%m-%dT%H:%M:%SZ", t + 2 * i + j, 1) }'
}

@test "ft-warn writes: a full batch (50,000 records) commits in the writer while the next is decided; a commit that fails there (a deferred foreign key a trigger breaks) stops the run with 70, the batch before it stored and printed, nothing after" {
	echo '[{"name":"t","type":"threshold","key":"facility","count":2,"window":60}]' | rules
	pairs 60000 > in.ndjson
	run -0 --separate-stderr ft-warn -q --rules rules.json in.ndjson
	[ "$(jq -r 'select(.change == "raised") | .key' <<< "$output" | tr '\n' ' ')" = "$(seq -f 'f%g ' 1 60000 | tr -d '\n')" ]
	# The same through a pipe (no reader thread), into another database.
	printf '%s\n' "$output" > whole.ndjson
	run -0 --separate-stderr bash -c 'cat in.ndjson | FT_DB=pipe.db ft-warn -q --rules rules.json'
	printf '%s\n' "$output" | cmp - whole.ndjson
	# f40000's warning is in the second batch (records 50,001 to 100,000).
	FT_DB=f.db ft-warn -q --rules rules.json /dev/null
	sqlite3 f.db "CREATE TABLE boom_p(id INTEGER PRIMARY KEY); CREATE TABLE boom_c(x INTEGER REFERENCES boom_p(id) DEFERRABLE INITIALLY DEFERRED); CREATE TRIGGER boom AFTER INSERT ON warnings WHEN NEW.key = 'f40000' BEGIN INSERT INTO boom_c VALUES (1); END"
	run -70 --separate-stderr env FT_DB=f.db ft-warn --rules rules.json in.ndjson
	[ "${stderr%%$'\n'*}" = "ft-warn: f.db: committing: FOREIGN KEY constraint failed" ]
	# The counts of the first batch: the record that ended it is not one.
	[ "$(sed -n '2s/ ([0-9.]* s)$//p' <<< "$stderr")" = "ft-warn: 50000 records (50000 events, 0 readings): 25000 raised, 21400 resolved, 0 rejected" ]
	[ "$(jq -r 'select(.change == "raised") | .key' <<< "$output" | tr '\n' ' ')" = "$(seq -f 'f%g ' 1 25000 | tr -d '\n')" ]
	[ "$(sqlite3 f.db "SELECT count(*), min(key), max(key) FROM warnings")" = "25000|f1|f9999" ]
	[ "$(sqlite3 f.db "SELECT count(*) FROM history WHERE kind = 'warning'")" = "$(wc -l < <(printf '%s\n' "$output"))" ]
	# Without the trigger, the next run goes on from the first batch.
	sqlite3 f.db "DROP TRIGGER boom"
	run -0 --separate-stderr env FT_DB=f.db ft-warn -q --rules rules.json in.ndjson
	[ "$(sqlite3 f.db "SELECT count(*) FROM warnings WHERE key = 'f40000'")" = 1 ]
	[ "$(sqlite3 f.db "SELECT count(*) FROM warnings")" = 60000 ]
	FT_DB=f.db run -0 ft-update --verify
}

@test "ft-warn writes: while the same keys come again and again (4,000 sensors, a round a minute), a batch holds 16 records a key (64,000), not 50,000; a commit that fails there keeps the first batch only" {
	echo '[{"name":"hi","type":"value","above":5}]' | rules
	# 30 rounds of 4,000 sensors: s2 out of limits in round 20 (readings
	# 76,001 to 80,000), s1 in round 28 (108,001 to 112,000).
	awk 'BEGIN { for (r = 1; r <= 30; r++) for (s = 1; s <= 4000; s++)
		printf "{\"sensor\":\"s%d\",\"at\":\"2026-12-01T09:%02d:00Z\",\"value\":%d}\n", s, r, (s == 2 && r == 20) || (s == 1 && r == 28) ? 9 : 1 }' > in.ndjson
	run -0 --separate-stderr ft-warn -q --rules rules.json in.ndjson
	[ "$(got '.key + ":" + .change')" = "s2:raised s2:resolved s1:raised s1:resolved" ]
	FT_DB=f.db ft-warn -q --rules rules.json /dev/null
	sqlite3 f.db "CREATE TABLE boom_p(id INTEGER PRIMARY KEY); CREATE TABLE boom_c(x INTEGER REFERENCES boom_p(id) DEFERRABLE INITIALLY DEFERRED); CREATE TRIGGER boom AFTER INSERT ON warnings WHEN NEW.key = 's1' BEGIN INSERT INTO boom_c VALUES (1); END"
	run -70 --separate-stderr env FT_DB=f.db ft-warn --rules rules.json in.ndjson
	[ "${stderr%%$'\n'*}" = "ft-warn: f.db: committing: FOREIGN KEY constraint failed" ]
	# The first batch, 50,000 readings (its 4,000 keys were not known when
	# it began), committed; the second, readings 50,001 to 114,000, held
	# s2's warning and s1's, and failed whole (in batches of 50,000, s2's
	# would have been stored with the second).
	[ "$(sed -n '2s/ ([0-9.]* s)$//p' <<< "$stderr")" = "ft-warn: 50000 records (0 events, 50000 readings): 0 raised, 0 resolved, 0 rejected" ]
	[ "$output" = "" ]
	[ "$(sqlite3 f.db "SELECT count(*) FROM warnings")" = 0 ]
	sqlite3 f.db "DROP TRIGGER boom"
	run -0 --separate-stderr env FT_DB=f.db ft-warn -q --rules rules.json in.ndjson
	[ "$(got '.key + ":" + .change')" = "s2:raised s2:resolved s1:raised s1:resolved" ]
	FT_DB=f.db run -0 ft-update --verify
}

@test "ft-warn writes: standard output that fails (/dev/full), first at a file's end, then while full batches commit in the writer, is reported once, 74; every batch is stored" {
	[ -w /dev/full ] || skip "no /dev/full"
	echo '[{"name":"t","type":"threshold","key":"facility","count":2,"window":60}]' | rules
	# Two events a day before in.ndjson's: one warning, printed at its end.
	{ ev a 0 ',"facility":"s1"'; ev b 0 ',"facility":"s1"'; } | sed 's/2026-12-01/2025-11-30/' > small.ndjson
	pairs 60000 > in.ndjson
	run -74 --separate-stderr bash -c 'ft-warn --rules rules.json small.ndjson in.ndjson > /dev/full'
	[ "$(sed 's/ ([0-9.]* s)$//' <<< "$stderr")" = "ft-warn: standard output: write error: No space left on device
ft-warn: 120002 records (120002 events, 0 readings): 60001 raised, 56401 resolved, 0 rejected" ]
	[ "$(sql "SELECT count(*) FROM warnings")" = 60001 ]
}
