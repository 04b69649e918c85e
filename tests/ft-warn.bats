#!/usr/bin/env bats
# ft-warn: warning rules over events and readings (issue 13).  Each rule
# type at the edges of its windows and thresholds, the level rising, the
# same record twice, self-resolution, ack/resolve/list, the same warnings
# however the input is split into runs, bad rules and bad records.
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

# rd MINUTE VALUE: a reading of sensor s1 at 09:MINUTE.
rd() {
	printf '{"sensor":"s1","at":"2026-12-01T09:%02d:00Z","value":%s}\n' "$1" "$2"
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

@test "ft-warn value deviation: the baselines (last readings, hour of the day) go to the next run: any split into two runs gives the same warnings" {
	rules <<- 'EOF2'
	[{"name":"recent","type":"value","deviation":2,"record":3,"baseline":{"readings":4,"min":3},"quiet":"10m"},
	 {"name":"daily","type":"value","deviation":2,"direction":"above","baseline":{"season":"day","periods":1,"min":2},"quiet":0}]
	EOF2
	{ for d in 1 2; do
		for m in 00:10 10:11 20:12 30:10 40:30 50:11; do
			rs "$d" "09:${m%%:*}" "$(( ${m#*:} + (d - 1) * 2 ))"
		done
	  done
	  rs 2 10:00 40; rs 2 10:10 11; } > in.ndjson
	run -0 --separate-stderr ft-warn --rules rules.json in.ndjson
	printf '%s\n' "$output" > whole.ndjson
	[ "$(got '"\(.rule) \(.change)"')" = "recent raised recent resolved daily raised daily resolved recent raised daily raised daily resolved recent resolved" ] || { got '"\(.rule) \(.change) \(.raised_at)"'; false; }
	splits_equal
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
	check '[{"name":"a","type":"value","deviation":3,"record":0}]' 'rules.json: rule 1 ("a"): field "record": not a whole number of readings from 1 to 100000'
	check '[{"name":"a","type":"value","below":3,"record":5}]' 'rules.json: rule 1 ("a"): field "record": only with "deviation"'
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
	check '[{"name":"a","type":"thresh"}]' 'rules.json: rule 1 ("a"): field "type": missing, or not a type (threshold, repeat, keyword, value, flatline, spike)'
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
	jq -e '.rules == [{"name":"sensor-unusual","type":"value","deviation":6,"direction":"both","baseline":{"season":"day","periods":21,"readings":300,"min":24,"floor":1},"record":864,"level":"yellow","levels":{"orange":12,"red":24},"major":"red","quiet":"12h"}]' "$rules"
	tail -n +2 "$CORPUS/nab/data/realTraffic/speed_7578.csv" |
		awk -F, '{ t = $1; sub(/ /, "T", t); printf "{\"sensor\":\"speed_7578\",\"at\":\"%sZ\",\"value\":%s}\n", t, $2 }' > in.ndjson
	[ "$(wc -l < in.ndjson)" = 1127 ]
	run -0 --separate-stderr ft-warn --tz UTC --rules "$rules" in.ndjson
	[ "$(got 'select(.change == "raised") | "\(.raised_at) \(.level) \(.value)"')" = "2015-09-11T16:44:00Z orange 19.785062277980124 2015-09-15T14:34:00Z orange 19.89747740455956 2015-09-16T14:09:00Z orange 20.234722784297855" ]
	[ "$(got 'select(.change == "resolved") | "\(.resolved_at) \(.count)"')" = "2015-09-12T04:54:00Z 2 2015-09-16T02:44:00Z 2 2015-09-17T02:50:00Z 9" ]
	# The same rule counted by jq from the readings alone: each reading's
	# deviation from the same UTC hour of the 21 days before (this hour
	# today left out), a run out starting only above the last 864
	# deviations, one warning a run, resolved 12 h after it cleared.
	cat > indep.jq <<- 'EOF'
	def med: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	[inputs | {t: (.at | fromdateiso8601), v: .value}] as $r
	| [ range(0; $r | length) as $i | $r[$i] as $x
	    | ($x.t - ($x.t % 3600)) as $H | ($H - $periods * 86400) as $from
	    | ($x.t % 86400 / 3600 | floor) as $h
	    | [ $r[0:$i][] | select(.t >= $from and .t < $H and (.t % 86400 / 3600 | floor) == $h) | .v ] as $b
	    | if ($b | length) < $min then {t: $x.t, m: null}
	      else ($b | med) as $m | ([$b[] | . - $m | fabs] | med) as $mad
	        | {t: $x.t, m: (($x.v - $m | fabs) / ([1.4826 * $mad, $floor] | max))} end ]
	| reduce .[] as $p ({hist: [], out: false, live: false, cleared: null, raises: []};
	    if $p.m == null then .
	    else (if .live and .cleared != null and $p.t >= .cleared + $quiet then .live = false | .cleared = null else . end)
	      | ($p.m > $dev and (.out or ([.hist[-$record:][] | select(. >= $p.m)] | length) == 0)) as $o
	      | .hist += [$p.m]
	      | if $o then .out = true | if .live then .cleared = null else .live = true | .raises += [[$p.t, $p.m]] end
	        elif $p.m <= $dev then .out = false | (if .live and .cleared == null then .cleared = $p.t else . end)
	        else . end
	    end)
	| .raises[] | "\(.[0] | todate) \(.[1])"
	EOF
	want=$(jq -nr --argjson periods 21 --argjson min 24 --argjson floor 1 --argjson dev 6 \
		--argjson record 864 --argjson quiet 43200 -f indep.jq in.ndjson | tr '\n' ' ')
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
	[ "${stderr%%$'\n'*}" = "ft-warn: --since and --until read the stored events, not files" ]
	run -64 --separate-stderr ft-warn --rules rules.json --until 24h
	[ "${stderr%%$'\n'*}" = "ft-warn: --until needs --since" ]
	run -64 --separate-stderr ft-warn --rules rules.json --since yesterday-ish
	[[ "${stderr%%$'\n'*}" == 'ft-warn: --since: "yesterday-ish": '* ]]
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
	check '[{"name":"s","type":"spike","window":5,"baseline":0}]' 'rules.json: rule 1 ("s"): field "baseline": not a whole number of windows from 1 to 1000'
	check '[{"name":"s","type":"spike","window":5,"factor":1}]' 'rules.json: rule 1 ("s"): field "factor": a ratio above 1 to the usual count'
	check '[{"name":"s","type":"spike","window":5,"min":0}]' 'rules.json: rule 1 ("s"): field "min": not a whole number of events from 1'
}
