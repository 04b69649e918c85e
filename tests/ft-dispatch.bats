#!/usr/bin/env bats
# ft-dispatch: areas, rules, deadlines, duplicates, escalation and every
# error path, on a small district (tests/fixtures/ft-dispatch):
#
#   lat 22.7 +---------+---------+-------------+
#            |   g3    |   g4    |    s2  [g5] |   d1 district: all of it
#            | [hole]  |         |             |   s1 street = c1 community:
#   lat 22.6 +---------+---------+             |     114.0-114.1
#            |   g1    |   g2    |             |   s2 street: 114.1-114.3
#            | team t1 |         | [g5]        |   c2 community: 114.1-114.2
#   lat 22.5 +---------+---------+-------------+   g5: a MultiPolygon of two
#         114.0     114.1     114.2         114.3    parts, in s2, no community
#
# g6 (114.4-114.5) lies in no other area and has a hole; t1 is g1's team.
# g4's ring runs clockwise, the others counter-clockwise.
# Cells are 0.1 degree (about 10 km): a point in the middle of one is far
# from every other, a point 0.005 degree from an edge is about 514 m from it.

# stderr_lines is set by bats's run.
# shellcheck disable=SC2154
bats_require_minimum_version 1.5.0
load helpers/common

setup_file() {
	# The district is loaded once; each test starts from a copy.
	local base="$BATS_FILE_TMPDIR/base.db"
	FT_DB="$base" FT_NOW="2026-11-25T12:00:00Z" FT_USER=tester \
		"$FT_BIN/ft-ingest" -q -k units "$FIXTURES/ft-dispatch/units.ndjson"
	FT_DB="$base" FT_NOW="2026-11-25T12:00:00Z" FT_USER=tester \
		"$FT_BIN/ft-ingest" -q -k facilities \
		"$FIXTURES/ft-dispatch/facilities.ndjson"
	[ ! -e "$base-wal" ]
}

setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR" || exit 1
	cp "$BATS_FILE_TMPDIR/base.db" "$FT_DB"
}

# events: the NDJSON on standard input becomes ev.ndjson, loaded.
events() {
	cat > ev.ndjson
	ft-ingest -q ev.ndjson
}

# rules: standard input becomes rules.json.
rules() {
	cat > rules.json
}

# got FILTER: FILTER on each line of $output, the results (strings raw)
# joined by spaces.
got() {
	jq -rn "[inputs | $1 | if type == \"string\" then . else tojson end] | join(\" \")" <<< "$output"
}

# summary N A B C D E [F]: the summary line of a run, without its time.
summary() {
	local s=s
	[ "$1" = 1 ] && s=
	printf 'ft-dispatch: %s event%s: %s dispatched, %s duplicates, %s unchanged, %s not new, %s rejected; %s near a boundary' \
		"$1" "$s" "$2" "$3" "$4" "$5" "$6" "${7:-0}"
}

# refused MESSAGE: ft-dispatch refuses rules.json (78) with MESSAGE alone on
# stderr, before touching any event.
refused() {
	local before
	before=$(sql 'select count(*) from history')
	run -78 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ -z "$output" ]
	[ "$stderr" = "ft-dispatch: $1" ]
	[ "$(sql "select count(*) from events where status <> 'new' or dispatched_at is not null or unit is not null")" = 0 ]
	[ "$(sql 'select count(*) from history')" = "$before" ]
}

# Rules that name the area and its unit, whatever the event.
area_rules() {
	rules <<- 'EOF'
	[{"name": "area", "unit": "@area"}, {"name": "rest", "unit": "cc"}]
	EOF
}

# ---- the command line ----

@test "ft-dispatch cli: no --rules (and no --escalate) is a usage error (64)" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' | events
	run -64 --separate-stderr ft-dispatch ev.ndjson
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "ft-dispatch: --rules FILE is needed (or --escalate)" ]
	[ "${stderr_lines[1]}" = "Try 'ft-dispatch --help' for more information." ]
	[ "$(sql 'select status from events')" = new ]
}

@test "ft-dispatch cli: --escalate with --rules, --pending or --explain is a usage error (64)" {
	area_rules
	for extra in "--rules rules.json" --pending --explain; do
		# shellcheck disable=SC2086
		run -64 --separate-stderr ft-dispatch --escalate $extra
		[ -z "$output" ]
		[ "${stderr_lines[0]}" = "ft-dispatch: --escalate works on the stored cases alone: no --rules, --pending or --explain" ]
	done
}

@test "ft-dispatch cli: --pending or --escalate with FILEs is a usage error (64)" {
	area_rules
	run -64 --separate-stderr ft-dispatch --rules rules.json --pending x.ndjson
	[ "${stderr_lines[0]}" = "ft-dispatch: --pending reads the database, not files" ]
	run -64 --separate-stderr ft-dispatch --escalate x.ndjson
	[ "${stderr_lines[0]}" = "ft-dispatch: --escalate reads the database, not files" ]
}

@test "ft-dispatch cli: a rules file that cannot be opened is 66, nothing dispatched" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' | events
	run -66 --separate-stderr ft-dispatch --rules nothere.json ev.ndjson
	[ -z "$output" ]
	[ "$stderr" = "ft-dispatch: nothere.json: cannot open the rules: No such file or directory" ]
	[ "$(sql 'select status || count(*) from events')" = new1 ]
}

# ---- the area, by point ----

@test "ft-dispatch area: a point inside a cell gets that grid; @area is the grid's team, else the grid" {
	events <<- 'EOF'
	{"id":"p1","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"p2","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.65,"lon":114.15}
	{"id":"p3","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.685,"lon":114.015}
	EOF
	area_rules
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "${lines[0]}" = '{"id":"p1","category":"garbage","lat":22.55,"lon":114.05,"reported_at":"2026-11-25T01:00:00Z","status":"dispatched","area":"g1","unit":"t1","rule":"area","priority":3,"respond_by":null,"resolve_by":null}' ]
	[ "$(got '"\(.id)=\(.area)/\(.unit)"')" = "p1=g1/t1 p2=g4/g4 p3=g3/g3" ]
	[ "${#lines[@]}" = 3 ]
	[[ "$stderr" == "$(summary 3 3 0 0 0 0) ("*" s)" ]]
	[ "$(sql "select group_concat(id || ':' || area || ':' || unit || ':' || status, ' ') from events")" = "p1:g1:t1:dispatched p2:g4:g4:dispatched p3:g3:g3:dispatched" ]
}

@test "ft-dispatch area: a point in a hole falls to the coarser area containing it, or to none" {
	events <<- 'EOF'
	{"id":"h1","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.65,"lon":114.05}
	{"id":"h2","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.45}
	{"id":"h3","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.52,"lon":114.45}
	EOF
	area_rules
	run -0 --separate-stderr ft-dispatch -x --rules rules.json ev.ndjson
	# g3's hole is in community c1; g6's hole is in nothing.
	[ "$(got '"\(.id)=\(.area)/\(.unit)"')" = "h1=c1/c1 h2=null/cc h3=g6/g6" ]
	[ "$(got '.explain.area.within | join(",")')" = "c1,s1,d1  g6" ]
}

@test "ft-dispatch area: the edges of a hole: its west edge is in the hole, its east edge in the grid" {
	events <<- 'EOF'
	{"id":"w","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.65,"lon":114.03}
	{"id":"e","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.65,"lon":114.07}
	{"id":"s","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.63,"lon":114.05}
	{"id":"n","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.67,"lon":114.05}
	EOF
	area_rules
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.area)"')" = "w=c1 e=g3 s=c1 n=g3" ]
}

@test "ft-dispatch area: a point in the second part of a MultiPolygon is in it; between the parts it is not" {
	events <<- 'EOF'
	{"id":"m1","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.67,"lon":114.275}
	{"id":"m2","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.52,"lon":114.23}
	{"id":"m3","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.6,"lon":114.255}
	EOF
	area_rules
	run -0 --separate-stderr ft-dispatch -x --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.area)"')" = "m1=g5 m2=g5 m3=s2" ]
	[ "$(got 'select(.id == "m1") | .explain.area.within | join(",")')" = "g5,s2,d1" ]
}

@test "ft-dispatch area: a point on a shared vertical edge goes east, on a horizontal edge north" {
	events <<- 'EOF'
	{"id":"v","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.1}
	{"id":"h","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.6,"lon":114.05}
	{"id":"h2","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.6,"lon":114.15}
	{"id":"corner","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.6,"lon":114.1}
	{"id":"west","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.0999999}
	{"id":"g2east","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.2}
	{"id":"d1west","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.0}
	{"id":"d1east","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.3}
	EOF
	area_rules
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	# 1e-7 degree west of the edge is west; the district's own east edge
	# has nothing to its east.
	[ "$(got '"\(.id)=\(.area)"')" = "v=g2 h=g3 h2=g4 corner=g4 west=g1 g2east=s2 d1west=g1 d1east=null" ]
}

@test "ft-dispatch area: the test is exact at 1e-7 degree: a point that rounds onto an edge is on it" {
	# 114.09999999 is 114.1000000 at 1e-7 degree: on the edge between g1
	# and g2, so in g2; 22.59999999 is on the edge between g1 and g3, so in
	# g3; 113.99999999 is on the district's west edge, so in g1.
	events <<- 'EOF'
	{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.09999999}
	{"id":"b","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.10000001}
	{"id":"c","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.59999999,"lon":114.05}
	{"id":"d","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":113.99999999}
	{"id":"e","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.09999994}
	EOF
	area_rules
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.area)"')" = "a=g2 b=g2 c=g3 d=g1 e=g1" ]
}

@test "ft-dispatch area: a point outside every area has none; the @area rule is passed over" {
	events <<- 'EOF'
	{"id":"o1","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.8,"lon":114.15}
	EOF
	area_rules
	run -0 --separate-stderr ft-dispatch -x --rules rules.json ev.ndjson
	[ "$output" = '{"id":"o1","category":"garbage","lat":22.8,"lon":114.15,"reported_at":"2026-11-25T01:00:00Z","status":"dispatched","area":null,"unit":"cc","rule":"rest","priority":3,"respond_by":null,"resolve_by":null,"explain":{"area":{"how":"point","area":null,"tested":0,"within":[],"near":[]},"rules":[{"rule":"area","failed":"unit @area: the event has no area"},{"rule":"rest","matched":true}],"unit":"the rule'"'"'s"}}' ]
	[ "$(sql "select quote(area) || ' ' || unit from events")" = "NULL cc" ]
}

@test "ft-dispatch area: no point and no facility: no area, and rules still route by category" {
	events <<- 'EOF'
	{"id":"n1","category":"noise","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"n2","category":"water","reported_at":"2026-11-25T01:00:00Z","lat":0,"lon":0}
	{"id":"n3","category":"water","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	EOF
	rules <<- 'EOF'
	[{"name": "noise", "when": {"category": "noise"}, "unit": "h"},
	 {"name": "water", "when": {"category": "water"}, "unit": "w"}]
	EOF
	run -0 --separate-stderr ft-dispatch -x --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.area)/\(.unit)/\(.explain.area.how)"')" = "n1=null/h/none n2=null/w/none n3=g1/w/point" ]
	[ "$(got '.explain.area | tojson' | cut -d' ' -f1-2)" = '{"how":"none","area":null} {"how":"none","area":null}' ]
}

# ---- boundaries change ----

@test "ft-dispatch boundary: an event is placed by the boundary in force when it was reported" {
	# g1 shrinks to its west half from 1 June 2026.
	cat > g1.ndjson <<- 'EOF'
	{"id":"g1","name":"西南网格","kind":"grid","parent":"c1","valid_from":"2026-06-01T00:00:00Z","boundary":{"type":"Polygon","coordinates":[[[114.0,22.5],[114.05,22.5],[114.05,22.6],[114.0,22.6],[114.0,22.5]]]}}
	EOF
	run -0 --separate-stderr ft-ingest -q --kind units --upsert g1.ndjson
	[ "$(sql "select count(*) from boundaries where unit = 'g1'")" = 2 ]
	events <<- 'EOF'
	{"id":"before","category":"garbage","reported_at":"2026-05-31T23:59:59Z","lat":22.55,"lon":114.075}
	{"id":"after","category":"garbage","reported_at":"2026-06-01T00:00:00Z","lat":22.55,"lon":114.075}
	{"id":"west","category":"garbage","reported_at":"2026-07-01T00:00:00Z","lat":22.55,"lon":114.025}
	EOF
	area_rules
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.area)"')" = "before=g1 after=c1 west=g1" ]
}

# ---- facilities ----

@test "ft-dispatch facility: an event at a registered facility takes its area and goes to its owner" {
	# The event's own point is in g1; the facility is in g2, owned by h.
	events <<- 'EOF'
	{"id":"f1","category":"garbage","facility":"bin-1","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	EOF
	area_rules
	run -0 --separate-stderr ft-dispatch -x --rules rules.json ev.ndjson
	[ "$output" = '{"id":"f1","category":"garbage","lat":22.55,"lon":114.05,"facility":"bin-1","reported_at":"2026-11-25T01:00:00Z","status":"dispatched","area":"g2","unit":"h","rule":"area","priority":3,"respond_by":null,"resolve_by":null,"explain":{"area":{"how":"facility","area":"g2"},"rules":[{"rule":"area","matched":true}],"unit":"the facility'"'"'s owner"}}' ]
	[ "$(sql "select area || ' ' || unit from events")" = "g2 h" ]
}

@test "ft-dispatch facility: one without an area is placed by its point; one without owner leaves the rule's unit" {
	events <<- 'EOF'
	{"id":"f1","category":"light","facility":"pole-1","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"f2","category":"garbage","facility":"bin-2","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"f3","category":"garbage","facility":"bin-404","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	EOF
	area_rules
	run -0 --separate-stderr ft-dispatch -x --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.area)/\(.unit)/\(.explain.area.how)/\(.explain.unit)"')" = "f1=g4/g4/facility/the rule's f2=g4/g4/facility/the rule's f3=g1/t1/point/the rule's" ]
	[ "$(got 'select(.id == "f1") | .explain.area | tojson')" = '{"how":"facility","area":"g4","tested":4,"within":["g4","c2","s2","d1"],"near":[]}' ]
}

@test "ft-dispatch facility: a rule with ignore_owner beats the facility's owner" {
	events <<- 'EOF'
	{"id":"f1","category":"garbage","facility":"bin-1","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"f2","category":"light","facility":"bin-1","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	# (Two events at one facility would be duplicates: not here.)
	rules <<- 'EOF'
	{"duplicates": {"distance": 1, "within": 1, "facility": false},
	 "rules": [{"name": "command", "when": {"category": "garbage"}, "unit": "cc", "ignore_owner": true},
	           {"name": "area", "unit": "@area"}]}
	EOF
	run -0 --separate-stderr ft-dispatch -x --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.area)/\(.unit)/\(.rule)/\(.explain.unit)"')" = "f1=g2/cc/command/the rule's f2=g2/h/area/the facility's owner" ]
}

# ---- rule conditions ----
# Each: rule "hit" with the condition sends to w, "rest" catches the others.

@test "ft-dispatch when: category, a string and an array" {
	events <<- 'EOF'
	{"id":"a","category":"water","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"b","category":"road","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"c","category":"noise","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '[{"name":"hit","when":{"category":"water"},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n -x --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "a=w b=cc c=cc" ]
	[ "$(got 'select(.id == "b") | .explain.rules[0].failed')" = category ]
	echo '[{"name":"hit","when":{"category":["water","road"]},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "a=w b=w c=cc" ]
}

@test "ft-dispatch when: source, a string and an array; an event without one does not match" {
	events <<- 'EOF'
	{"id":"a","source":"hotline","category":"x","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"b","source":"web","category":"x","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"c","source":"app","category":"x","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"d","category":"x","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '[{"name":"hit","when":{"source":"hotline"},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n -x --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "a=w b=cc c=cc d=cc" ]
	[ "$(got 'select(.id == "d") | .explain.rules[0].failed')" = source ]
	echo '[{"name":"hit","when":{"source":["hotline","web"]},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "a=w b=w c=cc d=cc" ]
}

@test "ft-dispatch when: severity, a number, an array and {min, max}" {
	events <<- 'EOF'
	{"id":"s1","category":"x","severity":1,"reported_at":"2026-11-25T01:00:00Z"}
	{"id":"s2","category":"x","severity":2,"reported_at":"2026-11-25T01:00:00Z"}
	{"id":"s3","category":"x","severity":3,"reported_at":"2026-11-25T01:00:00Z"}
	{"id":"s4","category":"x","severity":4,"reported_at":"2026-11-25T01:00:00Z"}
	{"id":"s0","category":"x","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	for when in '3' '[1,4]' '{"min":3}' '{"max":2}' '{"min":2,"max":3}'; do
		echo "[{\"name\":\"hit\",\"when\":{\"severity\":$when},\"unit\":\"w\"},{\"name\":\"rest\",\"unit\":\"cc\"}]" | rules
		run -0 --separate-stderr ft-dispatch -n -x --rules rules.json ev.ndjson
		echo "$when: $(got '"\(.id)=\(.unit)"')" >> got.txt
		[ "$(got 'select(.id == "s0") | .explain.rules[0].failed')" = severity ]
	done
	[ "$(cat got.txt)" = '3: s1=cc s2=cc s3=w s4=cc s0=cc
[1,4]: s1=w s2=cc s3=cc s4=w s0=cc
{"min":3}: s1=cc s2=cc s3=w s4=w s0=cc
{"max":2}: s1=w s2=w s3=cc s4=cc s0=cc
{"min":2,"max":3}: s1=cc s2=w s3=w s4=cc s0=cc' ]
}

@test "ft-dispatch when: area matches the event's area or any ancestor of it" {
	events <<- 'EOF'
	{"id":"in-g1","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"in-hole","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.65,"lon":114.05}
	{"id":"in-g2","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.15}
	{"id":"nowhere","category":"x","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '[{"name":"hit","when":{"area":"s1"},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n -x --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "in-g1=w in-hole=w in-g2=cc nowhere=cc" ]
	[ "$(got '.explain.rules[0].failed // "-"')" = "- - area area (the event has none)" ]
	echo '[{"name":"hit","when":{"area":["g2","g3"]},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "in-g1=cc in-hole=cc in-g2=w nowhere=cc" ]
}

@test "ft-dispatch when: words, in title or text, ASCII case-insensitive, and Chinese" {
	events <<- 'EOF'
	{"id":"t","category":"x","title":"Huge POTHOLE on Main St","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"x","category":"x","title":"road","text":"a Burst Pipe under it","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"no","category":"x","title":"pot hole","text":"burst","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"zh","category":"x","title":"楼道漏水","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"zhno","category":"x","title":"楼道漏电","text":"水","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '[{"name":"hit","when":{"words":["pothole","BURST PIPE","漏水"]},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n -x --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "t=w x=w no=cc zh=w zhno=cc" ]
	[ "$(got 'select(.id == "no") | .explain.rules[0].failed')" = words ]
	echo '[{"name":"hit","when":{"words":"漏电"},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "t=cc x=cc no=cc zh=cc zhno=w" ]
}

@test "ft-dispatch when: words: found at every place of a long text, 16 places a test and the last few one by one; a place that holds only a word's first and last bytes is no match" {
	# A title and text of 60 to 100 bytes; the word at each place of it.
	for i in $(seq 0 48); do
		printf '{"id":"a%d","category":"x","title":"%s","text":"%s","reported_at":"2026-11-25T01:00:00Z"}\n' \
			"$i" "$(printf '%*s' "$i" '' | tr ' ' t)burst pipe$(printf '%*s' $((48 - i)) '' | tr ' ' u)" \
			"$(printf '%*s' $((48 - i)) '' | tr ' ' v)"
		printf '{"id":"z%d","category":"x","title":"%s漏水%s","reported_at":"2026-11-25T01:00:00Z"}\n' \
			"$i" "$(printf '%*s' "$i" '' | tr ' ' t)" "$(printf '%*s' $((48 - i)) '' | tr ' ' u)"
		# At the very end of texts of every length (the title and
		# the text are searched as one, title first).
		printf '{"id":"e%d","category":"x","title":"x","text":"%s漏水","reported_at":"2026-11-25T01:00:00Z"}\n' \
			"$i" "$(printf '%*s' "$i" '' | tr ' ' t)"
	done > in.ndjson
	# Near misses: "burst_pipe" and "burstpipe" (first and last bytes
	# in place), 漏 and 水 apart, at the same places.
	sed 's/"id":"a/"id":"na/; s/burst pipe/burst_pipe/' in.ndjson | grep '"id":"na' > near.ndjson
	sed 's/"id":"\([ze]\)/"id":"n\1/; s/漏水/漏x水/' in.ndjson | grep '"id":"n[ze]' >> near.ndjson
	cat in.ndjson near.ndjson | events
	echo '[{"name":"hit","when":{"words":["BURST PIPE","漏水"]},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got 'select(.unit == "w") | .id' | wc -w)" = 147 ]
	[ "$(got 'select(.unit == "w" and (.id | startswith("n"))) | .id')" = "" ]
	[ "$(got 'select(.unit == "cc") | .id' | wc -w)" = 147 ]
}

@test "ft-dispatch when: words: ASCII folded at any place of a title, other bytes not; a rule of few words and one of many alike" {
	# The title is folded eight bytes at a time, then byte by byte: the
	# word across the blocks, at the end, alone; É (C3 89) is not é.
	events <<- 'EOF'
	{"id":"cut","category":"x","title":"abcdePOTHOLE here","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"end","category":"x","title":"0123456789abcdefPotHole","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"alone","category":"x","title":"POTHOLE","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"text","category":"x","title":"x","text":"@[`{ POTHOLE","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"no","category":"x","title":"POT HOLE","text":"Z","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"acute","category":"x","title":"\u00c9COLE","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"small","category":"x","title":"\u00e9COLE","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '[{"name":"hit","when":{"words":["pothole","école"]},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "cut=w end=w alone=w text=w no=cc acute=cc small=w" ]
	# Many words: the text's byte pairs sift them first.
	echo '[{"name":"hit","when":{"words":["a1","b2","c3","d4","pothole","école"]},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "cut=w end=w alone=w text=w no=cc acute=cc small=w" ]
}

@test "ft-dispatch when: pattern, an extended regex, case-insensitive, counting Chinese characters" {
	events <<- 'EOF'
	{"id":"a","category":"x","title":"BURST Main","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"b","category":"x","title":"burst mains","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"c","category":"x","title":"other","text":"burst pipe","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"zh","category":"x","title":"路灯不亮","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"zhno","category":"x","title":"灯不亮了","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '[{"name":"hit","when":{"pattern":"^burst (pipe|main)$"},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n -x --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "a=w b=cc c=w zh=cc zhno=cc" ]
	[ "$(got 'select(.id == "b") | .explain.rules[0].failed')" = pattern ]
	# Two characters (six bytes) before 不亮.
	echo '[{"name":"hit","when":{"pattern":"^.{2}不亮$"},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "a=cc b=cc c=cc zh=w zhno=cc" ]
}

@test "ft-dispatch when: hours, in the --tz zone, a range over midnight" {
	# 22:00-07:00 in Shanghai (UTC+8) is 14:00-23:00 UTC.
	events <<- 'EOF'
	{"id":"at2200","category":"x","reported_at":"2026-11-24T14:00:00Z"}
	{"id":"at2159","category":"x","reported_at":"2026-11-24T13:59:00Z"}
	{"id":"at0659","category":"x","reported_at":"2026-11-24T22:59:00Z"}
	{"id":"at0700","category":"x","reported_at":"2026-11-24T23:00:00Z"}
	{"id":"at0100","category":"x","reported_at":"2026-11-24T17:00:00Z"}
	EOF
	echo '[{"name":"hit","when":{"hours":"22:00-07:00"},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n -x --tz Asia/Shanghai --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "at2200=w at2159=cc at0659=w at0700=cc at0100=w" ]
	[ "$(got 'select(.id == "at0700") | .explain.rules[0].failed')" = hours ]
	# Without a zone, UTC.
	run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "at2200=cc at2159=cc at0659=w at0700=w at0100=cc" ]
	# TZ does as --tz.
	TZ=Asia/Shanghai run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "at2200=w at2159=cc at0659=w at0700=cc at0100=w" ]
}

@test "ft-dispatch when: days, in the --tz zone" {
	# Friday 17:00 UTC is Saturday 01:00 in Shanghai; Sunday 17:00 UTC is
	# Monday there.
	events <<- 'EOF'
	{"id":"fri","category":"x","reported_at":"2026-11-20T17:00:00Z"}
	{"id":"sun","category":"x","reported_at":"2026-11-22T17:00:00Z"}
	{"id":"wed","category":"x","reported_at":"2026-11-25T02:00:00Z"}
	EOF
	echo '[{"name":"hit","when":{"days":["sat","sun"]},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n -x --tz Asia/Shanghai --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "fri=w sun=cc wed=cc" ]
	[ "$(got 'select(.id == "sun") | .explain.rules[0].failed')" = days ]
	run -0 --separate-stderr ft-dispatch -n --tz UTC --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "fri=cc sun=w wed=cc" ]
}

@test "ft-dispatch when: jq, true unless false or null; a runtime error is no match, shown by --explain" {
	events <<- 'EOF'
	{"id":"a","category":"x","title":"水","reported_at":"2026-11-25T01:00:00Z","channel":"wechat"}
	{"id":"b","category":"x","title":"火","reported_at":"2026-11-25T01:00:00Z","channel":"phone"}
	{"id":"c","category":"x","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '[{"name":"hit","when":{"jq":".channel == \"wechat\""},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n -x --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "a=w b=cc c=cc" ]
	[ "$(got 'select(.id == "b") | .explain.rules[0].failed')" = jq ]
	# null is no match, any other value a match
	echo '[{"name":"hit","when":{"jq":".channel"},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "a=w b=w c=cc" ]
	# c has no title: test() fails on null.
	echo '[{"name":"hit","when":{"jq":".title | test(\"水\")"},"unit":"w"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n -x --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "a=w b=cc c=cc" ]
	[ "$(got 'select(.id == "c") | .explain.rules | tojson')" = '[{"rule":"hit","failed":"jq: null (null) cannot be matched, as it is not a string"},{"rule":"rest","matched":true}]' ]
}

@test "ft-dispatch rules: a rule without conditions (or with an empty when) matches every event" {
	events <<- 'EOF'
	{"id":"a","category":"water","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"b","category":"noise","severity":4,"reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '[{"unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)/\(.rule)"')" = "a=cc/rule 1 b=cc/rule 1" ]
	echo '[{"name":"all","when":{},"unit":"h"}]' | rules
	run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)/\(.rule)"')" = "a=h/all b=h/all" ]
}

@test "ft-dispatch rules: the first matching rule wins" {
	events <<- 'EOF'
	{"id":"a","category":"water","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	rules <<- 'EOF'
	[{"name": "road", "when": {"category": "road"}, "unit": "r"},
	 {"name": "first", "when": {"category": "water"}, "unit": "w", "priority": 1},
	 {"name": "second", "when": {"category": "water"}, "unit": "h", "priority": 2},
	 {"name": "rest", "unit": "cc"}]
	EOF
	run -0 --separate-stderr ft-dispatch -x --rules rules.json ev.ndjson
	[ "$(got '"\(.unit) \(.rule) \(.priority)"')" = "w first 1" ]
	[ "$(got '.explain.rules | tojson')" = '[{"rule":"road","failed":"category"},{"rule":"first","matched":true}]' ]
	[ "$(sql 'select unit, rule, priority from events')" = "w|first|1" ]
}

@test "ft-dispatch rules: @area, @area:street, @area:community, @area:district and @area:grid" {
	events <<- 'EOF'
	{"id":"a1","category":"a","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"a2","category":"a","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.15}
	{"id":"s1","category":"s","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"s2","category":"s","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.15}
	{"id":"c1","category":"c","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"c2","category":"c","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.15}
	{"id":"c5","category":"c","reported_at":"2026-11-25T01:00:00Z","lat":22.52,"lon":114.23}
	{"id":"d1","category":"d","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.15}
	{"id":"g1","category":"g","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"gh","category":"g","reported_at":"2026-11-25T01:00:00Z","lat":22.65,"lon":114.05}
	EOF
	rules <<- 'EOF'
	[{"when": {"category": "a"}, "unit": "@area"},
	 {"when": {"category": "s"}, "unit": "@area:street"},
	 {"when": {"category": "c"}, "unit": "@area:community"},
	 {"when": {"category": "d"}, "unit": "@area:district"},
	 {"when": {"category": "g"}, "unit": "@area:grid"},
	 {"name": "rest", "unit": "cc"}]
	EOF
	run -0 --separate-stderr ft-dispatch -x --rules rules.json ev.ndjson
	# g1 has a team (t1); a point in g5 has no community; one in g3's hole
	# has no grid: those rules pass to the next.
	[ "$(got '"\(.id)=\(.unit)"')" = "a1=t1 a2=g2 s1=s1 s2=s2 c1=c1 c2=c2 c5=cc d1=d1 g1=t1 gh=cc" ]
	[ "$(got 'select(.id == "gh") | .explain.rules[4] | "\(.rule): \(.failed | startswith("unit @area"))"')" = "rule 5: true" ]
}

@test "ft-dispatch rules: @area with no area falls to the next rule, or to none" {
	events <<- 'EOF'
	{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '[{"name":"local","unit":"@area"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -n -x --rules rules.json ev.ndjson
	[ "$(got '.unit + " " + (.explain.rules | tojson)')" = 'cc [{"rule":"local","failed":"unit @area: the event has no area"},{"rule":"rest","matched":true}]' ]
	echo '[{"name":"local","unit":"@area"}]' | rules
	run -1 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = 'ft-dispatch: ev.ndjson:1: id "a": no rule matches it (add a last rule without conditions to catch every event)' ]
}

# ---- deadlines ----

@test "ft-dispatch deadlines: respond_by and resolve_by are reported_at plus the minutes" {
	events <<- 'EOF'
	{"id":"a","category":"water","reported_at":"2026-11-24T23:50:00Z"}
	{"id":"b","category":"noise","reported_at":"2026-11-25T02:00:00+08:00"}
	EOF
	rules <<- 'EOF'
	[{"name": "water", "when": {"category": "water"}, "unit": "w", "respond": 30, "resolve": 1440},
	 {"name": "rest", "unit": "cc", "resolve": 90}]
	EOF
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.respond_by)/\(.resolve_by)"')" = "a=2026-11-25T00:20:00Z/2026-11-25T23:50:00Z b=null/2026-11-24T19:30:00Z" ]
	[ "$(sql "select id || '=' || respond_by || '/' || resolve_by from events where id = 'a'")" = "a=2026-11-25T00:20:00Z/2026-11-25T23:50:00Z" ]
	[ "$(sql "select quote(respond_by) from events where id = 'b'")" = NULL ]
}

@test "ft-dispatch deadlines: calendar minutes count working hours only, in the --tz zone" {
	# Working hours 09:00-18:00 Monday to Friday, Shanghai.  Friday 17:30
	# plus 60 working minutes is Monday 09:30; plus 600, Tuesday 09:30.
	events <<- 'EOF'
	{"id":"fri1730","category":"x","reported_at":"2026-11-20T09:30:00Z"}
	{"id":"sat","category":"x","reported_at":"2026-11-21T04:00:00Z"}
	{"id":"mon0700","category":"x","reported_at":"2026-11-22T23:00:00Z"}
	{"id":"wed1000","category":"x","reported_at":"2026-11-25T02:00:00Z"}
	EOF
	rules <<- 'EOF'
	{"calendar": {"days": ["mon", "tue", "wed", "thu", "fri"], "hours": "09:00-18:00"},
	 "rules": [{"name": "office", "unit": "cc", "respond": 60, "resolve": 600, "calendar": true}]}
	EOF
	run -0 --separate-stderr ft-dispatch -n --tz Asia/Shanghai --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.respond_by)/\(.resolve_by)"')" = "fri1730=2026-11-23T01:30:00Z/2026-11-24T01:30:00Z sat=2026-11-23T02:00:00Z/2026-11-24T02:00:00Z mon0700=2026-11-23T02:00:00Z/2026-11-24T02:00:00Z wed1000=2026-11-25T03:00:00Z/2026-11-26T03:00:00Z" ]
	# A rule without "calendar" counts every minute.
	sed -i 's/, "calendar": true//' rules.json
	run -0 --separate-stderr ft-dispatch -n --tz Asia/Shanghai --rules rules.json ev.ndjson
	[ "$(got 'select(.id == "fri1730") | "\(.respond_by)/\(.resolve_by)"')" = "2026-11-20T10:30:00Z/2026-11-20T19:30:00Z" ]
}

# ---- no rule ----

@test "ft-dispatch rejects: no rule matches -> exit 1, the event stays new, --rejects keeps it" {
	events <<- 'EOF'
	{"id":"ok","category":"water","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"lost","category":"noise","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '[{"name":"water","when":{"category":"water"},"unit":"w"}]' | rules
	run -1 --separate-stderr ft-dispatch --rules rules.json -r rej.ndjson ev.ndjson
	[ "$output" = '{"id":"ok","category":"water","reported_at":"2026-11-25T01:00:00Z","status":"dispatched","area":null,"unit":"w","rule":"water","priority":3,"respond_by":null,"resolve_by":null}' ]
	[ "${stderr_lines[0]}" = 'ft-dispatch: ev.ndjson:2: id "lost": no rule matches it (add a last rule without conditions to catch every event)' ]
	[[ "${stderr_lines[1]}" == "$(summary 2 1 0 0 0 1) ("* ]]
	[ "$(sql "select status || ' ' || quote(dispatched_at) || ' ' || quote(unit) from events where id = 'lost'")" = "new NULL NULL" ]
	# It has no location: the history says it was reported (see below).
	[ "$(sql "select group_concat(action) from history where id = 'lost' and tool = 'ft-dispatch'")" = unplaced ]
	[ "$(jq -c '[.file, .line, .reason, .raw, .record.id]' rej.ndjson)" = '["ev.ndjson",2,"no rule matches it (add a last rule without conditions to catch every event)","{\"id\":\"lost\",\"category\":\"noise\",\"reported_at\":\"2026-11-25T01:00:00Z\"}","lost"]' ]
	# With --pending, the file is "pending" and the line the event's seq
	# (an event with a location; one with none was reported once already).
	echo '{"id":"lost-here","category":"noise","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}' | ft-ingest -q
	run -1 --separate-stderr ft-dispatch --rules rules.json --pending
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = 'ft-dispatch: pending:3: id "lost-here": no rule matches it (add a last rule without conditions to catch every event)' ]
	[[ "${stderr_lines[1]}" == "$(summary 1 0 0 0 0 1) ("* ]]
	# Still pending: a later run with a catch-all rule dispatches it.
	echo '[{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch --rules rules.json --pending
	[ "$(got '"\(.id)=\(.unit)"')" = "lost=cc lost-here=cc" ]
}

@test "ft-dispatch rejects: with --explain the message lists the rules tried" {
	events <<- 'EOF'
	{"id":"lost","category":"noise","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '[{"name":"water","when":{"category":"water"},"unit":"w"}]' | rules
	run -1 --separate-stderr ft-dispatch -x --rules rules.json ev.ndjson
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = 'ft-dispatch: ev.ndjson:1: id "lost": no rule matches it (add a last rule without conditions to catch every event); rules tried: [{"rule":"water","failed":"category"}]' ]
}

# ---- bad rules files: 78, nothing touched ----

@test "ft-dispatch rules file: not JSON" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' | events
	echo '[{"unit": "cc"}' | rules
	run -78 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ -z "$output" ]
	[[ "$stderr" == "ft-dispatch: rules.json: not JSON: "* ]]
	[ "$(sql 'select status from events')" = new ]
}

@test "ft-dispatch rules file: an unknown top-level field" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' | events
	echo '{"rules": [{"unit": "cc"}], "near_boundry": 100}' | rules
	refused 'rules.json: field "near_boundry": not a field of the rules file (a typo?)'
}

@test "ft-dispatch rules file: an unknown rule field (a typo)" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' | events
	echo '[{"name": "ok", "unit": "cc"}, {"name": "typo", "unit": "cc", "priorty": 2}]' | rules
	refused 'rules.json: rule 2 ("typo"): field "priorty": not a field of a rule (a typo?)'
}

@test "ft-dispatch rules file: an unknown condition" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' | events
	echo '[{"name": "a", "when": {"categroy": "x"}, "unit": "cc"}]' | rules
	refused 'rules.json: rule 1 ("a"): field "when.categroy": not a field of this object (a typo?)'
}

@test "ft-dispatch rules file: a bad severity" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' | events
	echo '[{"unit": "cc"}, {"name": "sev", "when": {"severity": 5}, "unit": "cc"}]' | rules
	refused 'rules.json: rule 2 ("sev"): field "when.severity": not 1 to 4'
	echo '[{"name": "sev", "when": {"severity": [2, 0]}, "unit": "cc"}]' | rules
	refused 'rules.json: rule 1 ("sev"): field "when.severity": element 2 is not 1 to 4'
	echo '[{"name": "sev", "when": {"severity": {"min": 3, "max": 2}}, "unit": "cc"}]' | rules
	refused 'rules.json: rule 1 ("sev"): field "when.severity": min and max must be 1 to 4, min not above max'
}

@test "ft-dispatch rules file: bad hours" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' | events
	echo '[{"name": "night", "when": {"hours": "22:00-25:00"}, "unit": "cc"}]' | rules
	refused 'rules.json: rule 1 ("night"): field "when.hours": not a time range "HH:MM-HH:MM"'
	echo '[{"name": "night", "when": {"hours": "9-17"}, "unit": "cc"}]' | rules
	refused 'rules.json: rule 1 ("night"): field "when.hours": not a time range "HH:MM-HH:MM"'
	echo '[{"name": "night", "when": {"hours": "08:00-08:00"}, "unit": "cc"}]' | rules
	refused 'rules.json: rule 1 ("night"): field "when.hours": an empty time range'
}

@test "ft-dispatch rules file: a bad regex" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' | events
	echo '[{"name": "re", "when": {"pattern": "(burst"}, "unit": "cc"}]' | rules
	refused 'rules.json: rule 1 ("re"): field "when.pattern": Unmatched ( or \('
}

@test "ft-dispatch rules file: jq that does not compile" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' | events
	echo '[{"unit": "cc"}, {"name": "jq", "when": {"jq": ".severity >"}, "unit": "cc"}]' | rules
	run -78 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ -z "$output" ]
	[[ "${stderr_lines[0]}" == 'ft-dispatch: rules.json: rule 2 ("jq"): field "when.jq": jq: error: syntax error'* ]]
	[ "${stderr_lines[-1]}" = 'ft-dispatch: rules.json: rule 2 ("jq"): field "when.jq": jq: 1 compile error' ]
	[ "$(sql 'select status from events')" = new ]
}

@test "ft-dispatch rules file: a unit not in the database" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' | events
	echo '[{"name": "x", "unit": "nobody"}]' | rules
	refused 'rules.json: rule 1 ("x"): field "unit": no unit "nobody" in the database (load it with ft-ingest --kind units)'
	echo '[{"name": "x", "when": {"area": ["g1", "g9"]}, "unit": "cc"}]' | rules
	refused 'rules.json: rule 1 ("x"): field "when.area": no unit "g9" in the database'
	echo '[{"name": "x", "unit": "cc", "respond": 10, "escalate": [{"after": 0, "to": "ghost"}]}]' | rules
	refused 'rules.json: rule 1 ("x"): field "escalate[1].to": no unit "ghost" in the database (load it with ft-ingest --kind units)'
}

@test "ft-dispatch rules file: @area:bogus" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' | events
	echo '[{"name": "x", "unit": "@area:bogus"}]' | rules
	refused 'rules.json: rule 1 ("x"): field "unit": "@area:bogus": the level is one of grid, community, street, district'
}

@test "ft-dispatch rules file: escalation steps out of order" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' | events
	echo '[{"name": "x", "unit": "cc", "respond": 30, "escalate": [{"after": 60, "to": "w"}, {"after": 30, "to": "boss"}]}]' | rules
	refused 'rules.json: rule 1 ("x"): field "escalate[2].after": earlier than the step before it'
	echo '[{"name": "x", "unit": "cc", "escalate": [{"after": 60, "to": "w"}]}]' | rules
	refused 'rules.json: rule 1 ("x"): field "escalate": a chain needs a deadline (respond or resolve) to run from'
}

@test "ft-dispatch rules file: a rule without \"unit\"" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' | events
	echo '[{"name": "ok", "unit": "cc"}, {"name": "orphan", "when": {"category": "x"}}]' | rules
	refused 'rules.json: rule 2 ("orphan"): field "unit": missing: every rule names the responsible unit (a unit id or @area)'
	echo '[{"when": {"category": "x"}}]' | rules
	refused 'rules.json: rule 1: field "unit": missing: every rule names the responsible unit (a unit id or @area)'
}

# ---- --explain ----

@test "ft-dispatch explain: how the area was found (point, facility, given, none) and the rules tried" {
	events <<- 'EOF'
	{"id":"pt","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.095}
	{"id":"fac","category":"garbage","facility":"bin-1","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"given","category":"garbage","area":"g4","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"none","category":"garbage","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	rules <<- 'EOF'
	{"near_boundary": 1000,
	 "rules": [{"name": "water", "when": {"category": "water"}, "unit": "w"},
	           {"name": "severe", "when": {"severity": {"min": 3}}, "unit": "r"},
	           {"name": "garbage", "when": {"category": "garbage"}, "unit": "@area"},
	           {"name": "rest", "unit": "cc"}]}
	EOF
	run -0 --separate-stderr ft-dispatch --explain --rules rules.json ev.ndjson
	[ "$(jq -c 'select(.id == "pt") | .explain' <<< "$output")" = '{"area":{"how":"point","area":"g1","tested":4,"within":["g1","c1","s1","d1"],"near":[{"area":"g2","metres":514}]},"rules":[{"rule":"water","failed":"category"},{"rule":"severe","failed":"severity"},{"rule":"garbage","matched":true}],"unit":"the rule'"'"'s"}' ]
	[ "$(got '"\(.id)=\(.area) \(.explain.area | tojson) \(.explain.unit)"')" = "pt=g1 {\"how\":\"point\",\"area\":\"g1\",\"tested\":4,\"within\":[\"g1\",\"c1\",\"s1\",\"d1\"],\"near\":[{\"area\":\"g2\",\"metres\":514}]} the rule's fac=g2 {\"how\":\"facility\",\"area\":\"g2\"} the facility's owner given=g4 {\"how\":\"given\",\"area\":\"g4\"} the rule's none=null {\"how\":\"none\",\"area\":null} the rule's" ]
	[ "$(got '"\(.id)=\(.unit)"')" = "pt=t1 fac=h given=g4 none=cc" ]
	# The explanation is printed, not stored.
	[ "$(sql "select count(*) from events where extra like '%explain%' or raw like '%explain%'")" = 0 ]
}

@test "ft-dispatch explain: without --explain there is no explain member" {
	events <<- 'EOF'
	{"id":"pt","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	EOF
	area_rules
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$(got 'has("explain")')" = false ]
}

# ---- --dry-run ----

@test "ft-dispatch dry-run: prints what a real run prints and stores nothing" {
	events <<- 'EOF'
	{"id":"a","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.095}
	{"id":"b","category":"garbage","reported_at":"2026-11-25T01:30:00Z","lat":22.5503,"lon":114.095}
	{"id":"c","category":"noise","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"d","category":"noise","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	EOF
	rules <<- 'EOF'
	{"near_boundary": 1000, "duplicates": {"distance": 100, "within": 60},
	 "rules": [{"name": "garbage", "when": {"category": "garbage"}, "unit": "@area", "respond": 60}]}
	EOF
	sqlite3 "$FT_DB" .dump > before.sql
	run -1 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	dry=$output
	[[ "${stderr_lines[-1]}" == "$(summary 4 1 1 0 0 2 2); dry run: nothing stored ("* ]]
	sqlite3 "$FT_DB" .dump > after.sql
	cmp before.sql after.sql
	[ "$(sql "select group_concat(status) || ' ' || count(dispatched_at) from events")" = "new,new,new,new 0" ]
	run -1 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$output" = "$dry" ]
	[ "$(got '"\(.id)=\(.status)"')" = "a=dispatched b=duplicate" ]
	[[ "${stderr_lines[-1]}" == "$(summary 4 1 1 0 0 2 2) ("* ]]
}

# ---- never twice ----

@test "ft-dispatch again: the same input again prints nothing and changes nothing" {
	events <<- 'EOF'
	{"id":"a","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"b","category":"noise","reported_at":"2026-11-25T02:00:00Z"}
	EOF
	area_rules
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "${#lines[@]}" = 2 ]
	sqlite3 "$FT_DB" .dump > before.sql
	FT_NOW=2026-11-25T13:00:00Z run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ -z "$output" ]
	[[ "$stderr" == "$(summary 2 0 0 2 0 0) ("*" s)" ]]
	sqlite3 "$FT_DB" .dump > after.sql
	cmp before.sql after.sql
	[ "$(sql "select count(*) from history where tool = 'ft-dispatch'")" = 2 ]
}

@test "ft-dispatch again: --pending dispatches only the events not yet dispatched, oldest first" {
	events <<- 'EOF'
	{"id":"late","source":"app","category":"garbage","title":"垃圾","reported_at":"2026-11-25T03:00:00Z","lat":22.55,"lon":114.05,"channel":"wechat"}
	{"id":"done","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"early","category":"noise","reported_at":"2026-11-25T02:00:00Z"}
	EOF
	grep '"done"' ev.ndjson > one.ndjson
	area_rules
	run -0 --separate-stderr ft-dispatch -q --rules rules.json one.ndjson
	[ "$(got .id)" = done ]
	[ -z "$stderr" ]
	run -0 --separate-stderr ft-dispatch --rules rules.json --pending
	[ "${lines[0]}" = '{"id":"early","category":"noise","reported_at":"2026-11-25T02:00:00Z","status":"dispatched","area":null,"unit":"cc","rule":"rest","priority":3,"respond_by":null,"resolve_by":null}' ]
	[ "${lines[1]}" = '{"id":"late","source":"app","category":"garbage","title":"垃圾","lat":22.55,"lon":114.05,"reported_at":"2026-11-25T03:00:00Z","channel":"wechat","status":"dispatched","area":"g1","unit":"t1","rule":"area","priority":3,"respond_by":null,"resolve_by":null}' ]
	[ "${#lines[@]}" = 2 ]
	[[ "$stderr" == "$(summary 2 2 0 0 0 0) ("* ]]
	run -0 --separate-stderr ft-dispatch --rules rules.json --pending --batch 1
	[ -z "$output" ]
	[[ "$stderr" == "$(summary 0 0 0 0 0 0) ("* ]]
}

@test "ft-dispatch pending: a stored record read whole as before: extra members after the columns, and a damaged extra rejected, not merged" {
	events <<- 'EOF'
	{"id":"ok","category":"garbage","title":"垃圾 \"桶\"","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05,"channel":"wechat","n":[1,{"a":2}]}
	{"id":"dup","category":"garbage","reported_at":"2026-11-25T02:00:00Z"}
	{"id":"esc","category":"garbage","reported_at":"2026-11-25T03:00:00Z"}
	{"id":"ws","category":"garbage","reported_at":"2026-11-25T04:00:00Z"}
	EOF
	area_rules
	# Damage no tool makes: extra repeating a column (also when written
	# with an escape), and extra with nothing but white space inside.
	sql "update events set extra = '{\"category\":\"noise\"}' where id = 'dup'"
	sql "update events set extra = '{\"\\u0063ategory\":\"noise\"}' where id = 'esc'"
	sql "update events set extra = '{ }' where id = 'ws'"
	cp "$FT_DB" fresh.db
	run -1 --separate-stderr ft-dispatch --rules rules.json --pending
	[ "${lines[0]}" = '{"id":"ok","category":"garbage","title":"垃圾 \"桶\"","lat":22.55,"lon":114.05,"reported_at":"2026-11-25T01:00:00Z","channel":"wechat","n":[1,{"a":2}],"status":"dispatched","area":"g1","unit":"t1","rule":"area","priority":3,"respond_by":null,"resolve_by":null}' ]
	[ "${#lines[@]}" = 1 ]
	[ "${stderr_lines[0]}" = 'ft-dispatch: pending:2: key "category" given twice' ]
	[ "${stderr_lines[1]}" = 'ft-dispatch: pending:3: key "category" given twice' ]
	[ "${stderr_lines[2]}" = 'ft-dispatch: pending:4: expected a key' ]
	[[ "${stderr_lines[3]}" == "$(summary 4 1 0 0 0 3) ("* ]]
	# The same events named on the input: each looked up by its id.
	cp fresh.db "$FT_DB"
	printf '{"id":"%s"}\n' ok dup esc ws > ids.ndjson
	run -1 --separate-stderr ft-dispatch --rules rules.json ids.ndjson
	[ "$(got .id)" = ok ]
	[ "${stderr_lines[0]}" = 'ft-dispatch: ids.ndjson:2: id "dup": key "category" given twice' ]
	[ "${stderr_lines[1]}" = 'ft-dispatch: ids.ndjson:3: id "esc": key "category" given twice' ]
	[ "${stderr_lines[2]}" = 'ft-dispatch: ids.ndjson:4: id "ws": expected a key' ]
}

@test "ft-dispatch again: --pending pages with --batch and misses none" {
	for i in 1 2 3 4 5; do
		echo "{\"id\":\"e$i\",\"category\":\"x\",\"reported_at\":\"2026-11-25T0$i:00:00Z\"}"
	done | events
	area_rules
	run -0 --separate-stderr ft-dispatch --rules rules.json --pending --batch 2
	[ "$(got .id)" = "e1 e2 e3 e4 e5" ]
	[ "$(sql "select count(*) from events where status = 'dispatched'")" = 5 ]
}

@test "ft-dispatch batch: events from a file or standard input go --batch to a transaction (default 2000), as the summary counts" {
	for i in 1 2 3; do
		echo "{\"id\":\"e$i\",\"category\":\"x\",\"reported_at\":\"2026-11-25T0$i:00:00Z\"}"
	done | events
	area_rules
	cp "$FT_DB" fresh.db
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "${#lines[@]}" = 3 ]
	[[ "$stderr" == "$(summary 3 3 0 0 0 0) (1 transaction, "*" s)" ]]
	cp fresh.db "$FT_DB"
	run -0 --separate-stderr ft-dispatch --rules rules.json < ev.ndjson
	[ "${#lines[@]}" = 3 ]
	[[ "$stderr" == "$(summary 3 3 0 0 0 0) (1 transaction, "*" s)" ]]
	cp fresh.db "$FT_DB"
	run -0 --separate-stderr ft-dispatch --batch 2 --rules rules.json ev.ndjson
	[[ "$stderr" == "$(summary 3 3 0 0 0 0) (2 transactions, "*" s)" ]]
	cp fresh.db "$FT_DB"
	run -0 --separate-stderr ft-dispatch --batch 1 --rules rules.json < ev.ndjson
	[ "$(got .id)" = "e1 e2 e3" ]
	[[ "$stderr" == "$(summary 3 3 0 0 0 0) (3 transactions, "*" s)" ]]
	# A dry run commits nothing.
	cp fresh.db "$FT_DB"
	run -0 --separate-stderr ft-dispatch --dry-run --rules rules.json ev.ndjson
	[[ "$stderr" == "$(summary 3 3 0 0 0 0); dry run: nothing stored (0 transactions, "*" s)" ]]
}

@test "ft-dispatch again: an event whose status is not new is counted as not new, not printed" {
	events <<- 'EOF'
	{"id":"shut","category":"x","status":"closed","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"open","category":"x","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	area_rules
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$(got .id)" = open ]
	[[ "$stderr" == "$(summary 2 1 0 0 1 0) ("* ]]
	[ "$(sql "select status || ' ' || quote(unit) from events where id = 'shut'")" = "closed NULL" ]
}

@test "ft-dispatch again: an event not in the database is rejected" {
	events <<- 'EOF'
	{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '{"id":"ghost","category":"x","reported_at":"2026-11-25T01:00:00Z"}' > ghost.ndjson
	area_rules
	run -1 --separate-stderr ft-dispatch --rules rules.json -r rej.ndjson ghost.ndjson
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = 'ft-dispatch: ghost.ndjson:1: id "ghost": not in the database (load it with ft-ingest first)' ]
	[[ "${stderr_lines[1]}" == "$(summary 1 0 0 0 0 1) ("* ]]
	[ "$(jq -r .reason rej.ndjson)" = 'not in the database (load it with ft-ingest first)' ]
	[ "$(sql "select count(*) from events where id = 'ghost'")" = 0 ]
	[ "$(sql "select status from events where id = 'a'")" = new ]
}

# ---- near a boundary ----

@test "ft-dispatch near_boundary: a point close to a shared edge names the other cell" {
	events <<- 'EOF'
	{"id":"near","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.095}
	{"id":"far","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"corner","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.595,"lon":114.095}
	EOF
	rules <<- 'EOF'
	{"near_boundary": 1000, "rules": [{"name": "all", "unit": "@area"}]}
	EOF
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "${lines[0]}" = '{"id":"near","category":"x","lat":22.55,"lon":114.095,"reported_at":"2026-11-25T01:00:00Z","status":"dispatched","area":"g1","unit":"t1","rule":"all","priority":3,"respond_by":null,"resolve_by":null,"near_boundary":["g2"]}' ]
	[ "$(got 'select(.id == "far") | has("near_boundary")')" = false ]
	# Only cells (areas of the point's own kind): not s2, c2.
	[ "$(got 'select(.id == "corner") | .near_boundary | sort | join(",")')" = "g2,g3,g4" ]
	[[ "$stderr" == "$(summary 3 3 0 0 0 0 2) ("* ]]
	[ "$(sql "select id || '=' || quote(near_boundary) from events where id in ('near', 'far') order by id")" = "far=NULL
near='[\"g2\"]'" ]
	[ "$(sql "select json_extract(detail, '$.near_boundary') from history where id = 'near' and tool = 'ft-dispatch'")" = '["g2"]' ]
	# 400 m: the edge 514 m away is not near.
	echo '{"near_boundary": 400, "rules": [{"name": "all", "unit": "@area"}]}' | rules
	sql "update events set status = 'new', dispatched_at = null"
	run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got 'has("near_boundary")')" = "false false false" ]
}

@test "ft-dispatch near_boundary: absent or 0, nothing is flagged" {
	events <<- 'EOF'
	{"id":"near","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.0999}
	EOF
	echo '{"near_boundary": 0, "rules": [{"name": "all", "unit": "@area"}]}' | rules
	run -0 --separate-stderr ft-dispatch -n -x --rules rules.json ev.ndjson
	[ "$(got '"\(.area) \(has("near_boundary")) \(.explain.area.near | length)"')" = "g1 false 0" ]
	area_rules
	run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got 'has("near_boundary")')" = false ]
}

# ---- duplicates ----

@test "ft-dispatch duplicates: same category, near and soon after an open event" {
	# b is 50 m from a, 30 minutes later; c 221 m away; d 90 minutes after
	# a (and near b, itself a duplicate); e another category.
	events <<- 'EOF'
	{"id":"a","category":"garbage","reported_at":"2026-11-25T02:00:00Z","lat":22.55,"lon":114.05}
	{"id":"b","category":"garbage","reported_at":"2026-11-25T02:30:00Z","lat":22.55045,"lon":114.05}
	{"id":"c","category":"garbage","reported_at":"2026-11-25T02:30:00Z","lat":22.552,"lon":114.05}
	{"id":"d","category":"garbage","reported_at":"2026-11-25T03:30:00Z","lat":22.55045,"lon":114.05}
	{"id":"e","category":"noise","reported_at":"2026-11-25T02:30:00Z","lat":22.55045,"lon":114.05}
	EOF
	rules <<- 'EOF'
	{"duplicates": {"distance": 100, "within": 60},
	 "rules": [{"name": "noise", "when": {"category": "noise"}, "unit": "h"},
	           {"name": "all", "unit": "@area", "respond": 30}]}
	EOF
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "${lines[1]}" = '{"id":"b","category":"garbage","lat":22.55045,"lon":114.05,"reported_at":"2026-11-25T02:30:00Z","status":"duplicate","area":"g1","unit":"t1","duplicate_of":"a"}' ]
	[ "$(got '"\(.id)=\(.status)/\(.unit)"')" = "a=dispatched/t1 b=duplicate/t1 c=dispatched/t1 d=dispatched/t1 e=dispatched/h" ]
	[[ "$stderr" == "$(summary 5 4 1 0 0 0) ("* ]]
	[ "$(sql "select id || ':' || status || ':' || coalesce(duplicate_of, '-') || ':' || unit from events order by id" | paste -sd ' ' -)" = "a:dispatched:-:t1 b:duplicate:a:t1 c:dispatched:-:t1 d:dispatched:-:t1 e:dispatched:-:h" ]
	[ "$(sql "select action, from_status, to_status, detail from history where id = 'b'  and tool = 'ft-dispatch'")" = 'duplicate|new|duplicate|{"area":"g1","unit":"t1","duplicate_of":"a"}' ]
}

@test "ft-dispatch duplicates: the time window holds whatever offset the input's times are written with" {
	# b and c are both 02:30Z, 50 m from a (02:00Z), written with offsets.
	events <<- 'EOF'
	{"id":"a","category":"garbage","reported_at":"2026-11-25T02:00:00Z","lat":22.55,"lon":114.05}
	{"id":"b","category":"garbage","reported_at":"2026-11-24T21:30:00-05:00","lat":22.55045,"lon":114.05}
	{"id":"c","category":"garbage","reported_at":"2026-11-25T10:30:00+08:00","lat":22.55045,"lon":114.05}
	{"id":"late","category":"garbage","reported_at":"2026-11-25T11:30:00+08:00","lat":22.55045,"lon":114.05}
	EOF
	echo '{"duplicates": {"distance": 100, "within": 60}, "rules": [{"name": "all", "unit": "cc"}]}' | rules
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.status)/\(.duplicate_of)"')" = "a=dispatched/null b=duplicate/a c=duplicate/a late=dispatched/null" ]
}

@test "ft-dispatch duplicates: the same facility as an open event, however late or far" {
	events <<- 'EOF'
	{"id":"f1","category":"garbage","facility":"bin-1","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"f2","category":"smell","facility":"bin-1","reported_at":"2026-11-25T09:00:00Z","lat":22.65,"lon":114.05}
	EOF
	# No "duplicates" member: events at one facility are linked all the same.
	echo '[{"name": "all", "unit": "cc", "ignore_owner": true}]' | rules
	run -0 --separate-stderr ft-dispatch -x --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.status)/\(.duplicate_of)/\(.unit)"')" = "f1=dispatched/null/cc f2=duplicate/f1/cc" ]
	[ "$(got 'select(.id == "f2") | .explain.duplicate | tojson')" = '{"of":"f1","by":"facility"}' ]
	# "facility": false turns this off.
	echo '{"id":"f3","category":"smell","facility":"bin-1","reported_at":"2026-11-25T10:00:00Z"}' > f3.ndjson
	ft-ingest -q f3.ndjson
	echo '{"duplicates": {"distance": 100, "within": 60, "facility": false}, "rules": [{"name": "all", "unit": "cc"}]}' | rules
	run -0 --separate-stderr ft-dispatch --rules rules.json f3.ndjson
	[ "$(got '"\(.id)=\(.status)/\(.unit)"')" = "f3=dispatched/h" ]
}

@test "ft-dispatch duplicates: the original may come from an earlier run, with its id and unit" {
	events <<- 'EOF'
	{"id":"a","category":"garbage","reported_at":"2026-11-25T02:00:00Z","lat":22.55,"lon":114.05}
	{"id":"f1","category":"smell","facility":"bin-1","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '{"duplicates": {"distance": 100, "within": 60}, "rules": [{"name": "all", "unit": "@area", "ignore_owner": true}]}' | rules
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "a=t1 f1=g2" ]
	cat > more.ndjson <<- 'EOF'
	{"id":"b","category":"garbage","reported_at":"2026-11-25T02:30:00Z","lat":22.55045,"lon":114.05}
	{"id":"f2","category":"noise","facility":"bin-1","reported_at":"2026-11-26T09:00:00Z","lat":22.65,"lon":114.15}
	EOF
	ft-ingest -q more.ndjson
	run -0 --separate-stderr ft-dispatch -x --rules rules.json more.ndjson
	[ "$(got '"\(.id)=\(.status)/\(.duplicate_of)/\(.unit)/\(.explain.duplicate.by)"')" = "b=duplicate/a/t1/nearby f2=duplicate/f1/g2/facility" ]
}

@test "ft-dispatch duplicates: after the first is closed, a repeat is not a duplicate" {
	events <<- 'EOF'
	{"id":"a","category":"garbage","facility":"bin-1","reported_at":"2026-11-25T02:00:00Z","lat":22.55,"lon":114.15}
	EOF
	rules <<- 'EOF'
	{"duplicates": {"distance": 100, "within": 60}, "rules": [{"name": "all", "unit": "@area"}]}
	EOF
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	sql "update events set status = 'closed' where id = 'a'"
	cat > more.ndjson <<- 'EOF'
	{"id":"same-place","category":"garbage","reported_at":"2026-11-25T02:10:00Z","lat":22.55,"lon":114.15}
	{"id":"same-bin","category":"garbage","facility":"bin-1","reported_at":"2026-11-25T02:20:00Z"}
	EOF
	ft-ingest -q more.ndjson
	run -0 --separate-stderr ft-dispatch --rules rules.json more.ndjson
	[ "$(got '"\(.id)=\(.status)/\(.duplicate_of)"')" = "same-place=dispatched/null same-bin=dispatched/null" ]
}

# ---- escalation ----

@test "ft-dispatch escalate: steps fire as the missed deadline ages, each once" {
	events <<- 'EOF'
	{"id":"x","category":"road","reported_at":"2026-11-25T10:00:00Z","lat":22.55,"lon":114.05}
	EOF
	rules <<- 'EOF'
	[{"name": "roads", "unit": "r", "respond": 30, "resolve": 240,
	  "escalate": [{"after": 0, "to": "w"}, {"after": 60, "to": "boss"}]}]
	EOF
	FT_NOW=2026-11-25T10:05:00Z run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$(got '"\(.unit) \(.respond_by) \(.resolve_by)"')" = "r 2026-11-25T10:30:00Z 2026-11-25T14:00:00Z" ]
	[ "$(sql 'select chain from events')" = '[{"after":0,"to":"w"},{"after":60,"to":"boss"}]' ]
	# Before respond_by: nothing.
	run -0 --separate-stderr ft-dispatch --escalate --now 2026-11-25T10:29:00Z
	[ -z "$output" ]
	[[ "$stderr" == "ft-dispatch: 0 escalation steps ("* ]]
	# Just past it: step 1; a dry run prints it and stores nothing.
	run -0 --separate-stderr ft-dispatch --escalate -n --now 2026-11-25T10:31:00Z
	dry=$output
	[[ "$stderr" == "ft-dispatch: 1 escalation step, dry run: nothing stored ("* ]]
	[ "$(sql "select unit || escalation || ' ' || (select count(*) from history where action = 'escalate') from events")" = "r0 0" ]
	run -0 --separate-stderr ft-dispatch --escalate --now 2026-11-25T10:31:00Z
	[ "$output" = '{"id":"x","category":"road","lat":22.55,"lon":114.05,"reported_at":"2026-11-25T10:00:00Z","status":"dispatched","area":"g1","unit":"w","escalation":1,"escalated_from":"r","missed":"respond_by"}' ]
	[ "$output" = "$dry" ]
	[[ "$stderr" == "ft-dispatch: 1 escalation step ("* ]]
	[ "$(sql 'select unit, escalation, status from events')" = "w|1|dispatched" ]
	[ "$(sql "select at, tool, action, from_status, to_status, detail from history where action = 'escalate'")" = '2026-11-25T10:31:00Z|ft-dispatch|escalate|dispatched|dispatched|{"step":1,"from_unit":"r","to_unit":"w","missed":"respond_by","deadline":"2026-11-25T10:30:00Z","after":0}' ]
	# Again at the same time: never repeated.
	run -0 --separate-stderr ft-dispatch --escalate --now 2026-11-25T10:31:00Z
	[ -z "$output" ]
	[[ "$stderr" == "ft-dispatch: 0 escalation steps ("* ]]
	# 60 minutes after respond_by, not yet; 61, step 2.
	run -0 --separate-stderr ft-dispatch --escalate --now 2026-11-25T11:29:59Z
	[ -z "$output" ]
	run -0 --separate-stderr ft-dispatch --escalate --now 2026-11-25T11:31:00Z
	[ "$(got '"\(.unit) \(.escalation) \(.escalated_from) \(.missed)"')" = "boss 2 w respond_by" ]
	[ "$(sql "select json_extract(detail, '$.step') || json_extract(detail, '$.from_unit') || '>' || json_extract(detail, '$.to_unit') from history where action = 'escalate' order by seq" | paste -sd ' ' -)" = "1r>w 2w>boss" ]
	# The chain is done.
	run -0 --separate-stderr ft-dispatch --escalate --now 2026-11-26T12:00:00Z
	[ -z "$output" ]
	[ "$(sql 'select unit, escalation from events')" = "boss|2" ]
	run -0 --separate-stderr ft-update --verify
}

@test "ft-dispatch escalate: the open cases with a chain are found through events_open, not by reading every event" {
	events <<- 'EOF'
	{"id":"chained","category":"road","reported_at":"2026-11-25T10:00:00Z"}
	{"id":"plain","category":"noise","reported_at":"2026-11-25T10:00:00Z"}
	{"id":"closed","category":"road","reported_at":"2026-11-25T10:00:00Z"}
	EOF
	rules <<- 'EOF'
	[{"name": "noise", "when": {"category": "noise"}, "unit": "h", "respond": 30},
	 {"name": "roads", "unit": "r", "respond": 30, "escalate": [{"after": 0, "to": "w"}]}]
	EOF
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	echo '{"id":"closed","status":"closed","at":"2026-11-25T12:00:00Z"}' | ft-update -q
	[ "$(sql "select id from events indexed by events_open where case status when 'dispatched' then 1 when 'accepted' then 1 when 'reopened' then 1 else 0 end and chain is not null order by seq")" = chained ]
	# The query of --escalate (esc in lib/ft_dispatch.c), as SQLite plans it.
	run -0 sql "EXPLAIN QUERY PLAN SELECT seq FROM events WHERE CASE status WHEN 'dispatched' THEN 1 WHEN 'accepted' THEN 1 WHEN 'reopened' THEN 1 ELSE 0 END AND chain IS NOT NULL AND seq > 0 AND escalation < json_array_length(chain) AND ((status <> 'accepted' AND respond_by <= '2026-11-25T11:00:00Z') OR resolve_by <= '2026-11-25T11:00:00Z') ORDER BY seq LIMIT 500"
	[[ "$output" == *"SEARCH events USING INDEX events_open (seq>?)"* ]]
	run -0 --separate-stderr ft-dispatch --escalate --now 2026-11-25T11:00:00Z
	[ "$(got .id)" = chained ]
}

@test "ft-dispatch escalate: all the steps due fire at once, in order; @area steps resolved at dispatch" {
	# x is in g1 (team t1, community c1, street s1); y in g5, which has no
	# community: that step is left out of its chain.
	events <<- 'EOF'
	{"id":"x","category":"garbage","reported_at":"2026-11-25T10:00:00Z","lat":22.55,"lon":114.05}
	{"id":"y","category":"garbage","reported_at":"2026-11-25T10:00:00Z","lat":22.52,"lon":114.23}
	EOF
	rules <<- 'EOF'
	[{"name": "garbage", "unit": "@area", "respond": 30,
	  "escalate": [{"after": 0, "to": "@area:community"}, {"after": 30, "to": "@area:street"},
	               {"after": 60, "to": "boss"}]}]
	EOF
	FT_NOW=2026-11-25T10:05:00Z run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$(sql 'select id || chain from events order by id' | paste -sd ' ' -)" = 'x[{"after":0,"to":"c1"},{"after":30,"to":"s1"},{"after":60,"to":"boss"}] y[{"after":30,"to":"s2"},{"after":60,"to":"boss"}]' ]
	run -0 --separate-stderr ft-dispatch --escalate --now 2026-11-25T11:30:00Z
	[ "$(got '"\(.id)\(.escalation):\(.escalated_from)>\(.unit)"')" = "x1:t1>c1 x2:c1>s1 x3:s1>boss y1:g5>s2 y2:s2>boss" ]
	[[ "$stderr" == "ft-dispatch: 5 escalation steps ("* ]]
	[ "$(sql 'select id || escalation || unit from events order by id' | paste -sd ' ' -)" = "x3boss y2boss" ]
}

@test "ft-dispatch escalate: once accepted, the resolve deadline is the one counted" {
	events <<- 'EOF'
	{"id":"x","category":"road","reported_at":"2026-11-25T10:00:00Z"}
	EOF
	rules <<- 'EOF'
	[{"name": "roads", "unit": "r", "respond": 30, "resolve": 120,
	  "escalate": [{"after": 0, "to": "w"}, {"after": 60, "to": "boss"}]}]
	EOF
	FT_NOW=2026-11-25T10:05:00Z run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	sql "update events set status = 'accepted'"
	# respond_by (10:30) has passed, but the case is accepted.
	run -0 --separate-stderr ft-dispatch --escalate --now 2026-11-25T11:59:00Z
	[ -z "$output" ]
	run -0 --separate-stderr ft-dispatch --escalate --now 2026-11-25T12:01:00Z
	[ "$output" = '{"id":"x","category":"road","reported_at":"2026-11-25T10:00:00Z","status":"accepted","area":null,"unit":"w","escalation":1,"escalated_from":"r","missed":"resolve_by"}' ]
	[ "$(sql "select from_status, to_status, json_extract(detail, '$.deadline') from history where action = 'escalate'")" = "accepted|accepted|2026-11-25T12:00:00Z" ]
	# Closed: no more steps.
	sql "update events set status = 'closed'"
	run -0 --separate-stderr ft-dispatch --escalate --now 2026-11-26T12:00:00Z
	[ -z "$output" ]
}

@test "ft-dispatch escalate: a case without a chain, or not open, is left alone" {
	events <<- 'EOF'
	{"id":"plain","category":"x","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"lost","category":"y","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	rules <<- 'EOF'
	[{"name": "chained", "when": {"category": "y"}, "unit": "r", "respond": 10, "escalate": [{"after": 0, "to": "boss"}]},
	 {"name": "plain", "unit": "cc", "respond": 10}]
	EOF
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	sql "update events set status = 'rejected' where id = 'lost'"
	run -0 --separate-stderr ft-dispatch --escalate
	[ -z "$output" ]
	[ "$(sql "select count(*) from history where action = 'escalate'")" = 0 ]
}

# ---- history ----

@test "ft-dispatch history: each dispatch is one entry, and the chain verifies" {
	events <<- 'EOF'
	{"id":"a","category":"water","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"b","category":"noise","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	rules <<- 'EOF'
	[{"name": "水", "when": {"category": "water"}, "unit": "w", "priority": 1, "respond": 30, "resolve": 240},
	 {"name": "rest", "unit": "cc"}]
	EOF
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$(sql "select id, at, tool, by, action, from_status, to_status, detail from history where tool = 'ft-dispatch' order by seq")" = 'a|2026-11-25T12:00:00Z|ft-dispatch|tester|dispatch|new|dispatched|{"area":"g1","unit":"w","rule":"水","priority":1,"respond_by":"2026-11-25T01:30:00Z","resolve_by":"2026-11-25T05:00:00Z"}
b|2026-11-25T12:00:00Z|ft-dispatch|tester|dispatch|new|dispatched|{"area":null,"unit":"cc","rule":"rest","priority":3,"respond_by":null,"resolve_by":null}' ]
	[ "$(sql "select id || '=' || dispatched_at || '/' || status_at from events order by id" | paste -sd ' ' -)" = "a=2026-11-25T12:00:00Z/2026-11-25T12:00:00Z b=2026-11-25T12:00:00Z/2026-11-25T12:00:00Z" ]
	# 17 units, 3 facilities, one for the 2 events, 2 dispatches.
	run -0 --separate-stderr ft-update --verify
	[ "$output" = "{\"entries\":23,\"head\":\"$(sql 'select hash from history order by seq desc limit 1')\"}" ]
}

@test "ft-dispatch history: a dry run and a repeated run add no entry" {
	events <<- 'EOF'
	{"id":"a","category":"water","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	area_rules
	run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(sql "select count(*) from history where tool = 'ft-dispatch'")" = 0 ]
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$(sql "select count(*) from history where tool = 'ft-dispatch'")" = 1 ]
	run -0 --separate-stderr ft-update --verify
}

# ---- safety ----

@test "ft-dispatch safety: killed with SIGKILL halfway, then run again: each event dispatched once" {
	awk 'BEGIN { for (i = 1; i <= 30000; i++)
		printf "{\"id\":\"k%d\",\"category\":\"x\",\"reported_at\":\"2026-11-25T08:00:00Z\",\"lat\":22.55,\"lon\":114.05}\n", i }' > big.ndjson
	ft-ingest -q big.ndjson
	echo '[{"unit": "@area"}]' > rules.json
	ft-dispatch -q --batch 200 --rules rules.json --pending &
	kill_when_past 'select count(*) from events where dispatched_at is not null' 2000 200 0.02 $!
	n=$(sql 'select count(*) from events where dispatched_at is not null')
	[ "$n" -gt 0 ] && [ "$n" -lt 30000 ]
	# What was committed is whole: a decision and its history entry together.
	[ "$(sql "select count(*) from history where action = 'dispatch'")" = "$n" ]
	run -0 --separate-stderr ft-dispatch -q --rules rules.json --pending
	[ "$(sql "select count(*), count(distinct area) from events where dispatched_at is not null")" = "30000|1" ]
	[ "$(sql "select count(*), count(distinct id) from history where action = 'dispatch'")" = "30000|30000" ]
	[ "$(sql 'pragma integrity_check')" = ok ]
	run -0 --separate-stderr ft-update --verify
}

@test "ft-dispatch safety: a reader that goes away ends nothing: quiet, all dispatched" {
	awk 'BEGIN { for (i = 1; i <= 5000; i++)
		printf "{\"id\":\"p%d\",\"category\":\"x\",\"reported_at\":\"2026-11-25T08:00:00Z\"}\n", i }' > big.ndjson
	ft-ingest -q big.ndjson
	echo '[{"unit": "d1"}]' > rules.json
	run -0 --separate-stderr bash -c 'set -o pipefail; ft-dispatch --batch 100 --rules rules.json big.ndjson 2>err.txt | head -1; echo "status=${PIPESTATUS[0]}"'
	[ "${lines[0]}" = '{"id":"p1","category":"x","reported_at":"2026-11-25T08:00:00Z","status":"dispatched","area":null,"unit":"d1","rule":"rule 1","priority":3,"respond_by":null,"resolve_by":null}' ]
	[ "${lines[1]}" = "status=0" ]
	[[ "$(cat err.txt)" != *"error"* ]]
	[ "$(sql "select count(*) from events where status = 'dispatched'")" = 5000 ]
}

@test "ft-dispatch safety: a dispatch and an ingest at once: no lock error, nothing lost" {
	awk 'BEGIN { for (i = 1; i <= 20000; i++)
		printf "{\"id\":\"a%d\",\"category\":\"x\",\"reported_at\":\"2026-11-25T08:00:00Z\"}\n", i }' > a.ndjson
	awk 'BEGIN { for (i = 1; i <= 20000; i++)
		printf "{\"id\":\"b%d\",\"category\":\"x\",\"reported_at\":\"2026-11-25T08:00:00Z\"}\n", i }' > b.ndjson
	ft-ingest -q a.ndjson
	echo '[{"unit": "d1"}]' > rules.json
	ft-dispatch -q --batch 100 --rules rules.json --pending 2>d.err &
	p1=$!
	ft-ingest -q --batch 100 b.ndjson 2>i.err &
	p2=$!
	wait "$p1"
	wait "$p2"
	[ ! -s d.err ] && [ ! -s i.err ]
	[ "$(sql "select count(*) from events where id like 'a%' and status = 'dispatched'")" = 20000 ]
	[ "$(sql "select count(*) from events where id like 'b%'")" = 20000 ]
	run -0 --separate-stderr ft-update --verify
	[[ "$output" == '{"entries":'* ]]
}

@test "ft-dispatch pipeline: each event is stored and printed as it comes, with no lock held while the input waits" {
	events <<- 'EOF'
	{"id":"a","category":"garbage","reported_at":"2026-11-25T02:00:00Z","lat":22.55,"lon":114.05}
	{"id":"b","category":"garbage","reported_at":"2026-11-25T02:10:00Z","lat":22.55,"lon":114.05}
	{"id":"c","category":"garbage","reported_at":"2026-11-25T02:20:00Z","lat":22.55,"lon":114.05}
	EOF
	echo '{"duplicates": {"distance": 100, "within": 60}, "rules": [{"name": "all", "unit": "cc"}]}' | rules
	feed_start ft-dispatch --rules rules.json
	sed -n 1p ev.ndjson >&7
	lines_within out.ndjson 1
	[ "$(sql "select status from events where id = 'a'")" = dispatched ]
	sed -n 2p ev.ndjson >&7
	lines_within out.ndjson 2
	# While ft-dispatch waits for c, another tool closes a at once: no
	# wait for the lock.  c is then no duplicate: its original is closed,
	# and what ft-dispatch remembered of the open cases is forgotten.
	FT_BUSY_TIMEOUT=2000 run -0 --separate-stderr ft-update <<< '{"id":"a","status":"closed","at":"2026-11-25T12:00:00Z","by":"x"}'
	sed -n 3p ev.ndjson >&7
	feed_end
	run jq -c '[.id, .status, .duplicate_of]' out.ndjson
	[ "$output" = '["a","dispatched",null]
["b","duplicate","a"]
["c","dispatched",null]' ]
	[[ "$(cat err.txt)" == "$(summary 3 2 1 0 0 0) ("* ]]
}

@test "ft-dispatch duplicates: events in any order of time, days apart, find the same originals as one at a time" {
	# From standard input the events come in any order: the open cases
	# remembered for the search reach back, forward, and start afresh.
	events <<- 'EOF'
	{"id":"d10","category":"garbage","reported_at":"2026-11-10T10:00:00Z","lat":22.55,"lon":114.05}
	{"id":"d10-early","category":"garbage","reported_at":"2026-11-10T09:30:00Z","lat":22.55,"lon":114.05}
	{"id":"d10-late","category":"garbage","reported_at":"2026-11-10T10:40:00Z","lat":22.55,"lon":114.05}
	{"id":"d1","category":"garbage","reported_at":"2026-11-01T10:00:00Z","lat":22.55,"lon":114.05}
	{"id":"d20","category":"garbage","reported_at":"2026-11-20T10:00:00Z","lat":22.55,"lon":114.05}
	{"id":"d1-late","category":"garbage","reported_at":"2026-11-01T10:59:59Z","lat":22.55,"lon":114.05}
	{"id":"d10-again","category":"garbage","reported_at":"2026-11-10T10:20:00Z","lat":22.5504,"lon":114.05}
	{"id":"d10-after","category":"garbage","reported_at":"2026-11-10T11:00:01Z","lat":22.55,"lon":114.05}
	{"id":"d20-far","category":"garbage","reported_at":"2026-11-20T10:30:00Z","lat":22.552,"lon":114.05}
	EOF
	echo '{"duplicates": {"distance": 100, "within": 60}, "rules": [{"name": "all", "unit": "cc"}]}' | rules
	run -0 --separate-stderr ft-dispatch --batch 2 --rules rules.json ev.ndjson
	# d10-early is 30 minutes before d10: the window looks back only.
	# d10-again is a duplicate of d10-early, the earliest open case within
	# the hour before it.  d10-after is 61 minutes after d10-early and 60
	# minutes and 1 second after d10: its own case.
	[ "$(got '"\(.id)=\(.duplicate_of)"')" = "d10=null d10-early=null d10-late=d10 d1=null d20=null d1-late=d1 d10-again=d10-early d10-after=null d20-far=null" ]
	# One at a time, each from its own run, the answers are the same.
	cp "$BATS_FILE_TMPDIR/base.db" "$FT_DB"
	ft-ingest -q ev.ndjson
	while read -r line; do
		echo "$line" > one.ndjson
		ft-dispatch -q --rules rules.json one.ndjson
	done < ev.ndjson
	[ "$(sql "select group_concat(id || '=' || coalesce(duplicate_of, 'null'), ' ') from (select id, duplicate_of from events order by seq)")" = "d10=null d10-early=null d10-late=d10 d1=null d20=null d1-late=d1 d10-again=d10-early d10-after=null d20-far=null" ]
}

@test "ft-dispatch rules: the file's \"tz\" is the zone of its calendar under cron (no TZ); --tz overrides it, TZ does not" {
	# Friday 17:30 in Shanghai plus 60 working minutes is Monday 09:30
	# there; read as UTC, Friday 09:30 plus 60 is Friday 10:30.
	events <<- 'EOF'
	{"id":"fri1730","category":"x","reported_at":"2026-11-20T09:30:00Z"}
	EOF
	rules <<- 'EOF'
	{"tz": "Asia/Shanghai",
	 "calendar": {"days": ["mon", "tue", "wed", "thu", "fri"], "hours": "09:00-18:00"},
	 "rules": [{"name": "office", "unit": "cc", "respond": 60, "calendar": true}]}
	EOF
	run -0 --separate-stderr env -u TZ ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got .respond_by)" = 2026-11-23T01:30:00Z ]
	TZ=UTC run -0 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$(got .respond_by)" = 2026-11-23T01:30:00Z ]
	run -0 --separate-stderr env -u TZ ft-dispatch -n --tz UTC --rules rules.json ev.ndjson
	[ "$(got .respond_by)" = 2026-11-20T10:30:00Z ]
}

@test "ft-dispatch rules: a \"tz\" that is not a zone is a bad rules file (78)" {
	events <<- 'EOF'
	{"id":"a","category":"x","reported_at":"2026-11-20T09:30:00Z"}
	EOF
	echo '{"tz": "Mars/Olympus", "rules": [{"name": "all", "unit": "cc"}]}' | rules
	run -78 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$output" = "" ]
	[ "$stderr" = 'ft-dispatch: rules.json: field "tz": unknown time zone "Mars/Olympus"' ]
	echo '{"tz": 8, "rules": [{"name": "all", "unit": "cc"}]}' | rules
	run -78 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$stderr" = 'ft-dispatch: rules.json: field "tz": not a time zone name such as "Asia/Shanghai"' ]
	# --tz does not make a bad file good.
	run -78 --separate-stderr ft-dispatch -n --tz UTC --rules rules.json ev.ndjson
	[ "$stderr" = 'ft-dispatch: rules.json: field "tz": not a time zone name such as "Asia/Shanghai"' ]
}

# ---- the stored event decides ----

@test "ft-dispatch stored: a piped point that differs from the stored one does not move the event" {
	events <<- 'EOF'
	{"id":"p1","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	EOF
	area_rules
	# The stream says g4 (another cell, another unit): the stored event is in g1.
	echo '{"id":"p1","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.65,"lon":114.15}' > moved.ndjson
	run -0 --separate-stderr ft-dispatch --rules rules.json moved.ndjson
	[ "$output" = '{"id":"p1","category":"garbage","lat":22.55,"lon":114.05,"reported_at":"2026-11-25T01:00:00Z","status":"dispatched","area":"g1","unit":"t1","rule":"area","priority":3,"respond_by":null,"resolve_by":null}' ]
	[[ "$stderr" == "$(summary 1 1 0 0 0 0) ("*" s)" ]]
	[ "$(sql "select area || ' ' || unit || ' ' || lat || ' ' || lon from events")" = "g1 t1 22.55 114.05" ]
}

@test "ft-dispatch stored: a piped record that only names the event is decided on the stored event" {
	events <<- 'EOF'
	{"id":"p1","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"p2","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.65,"lon":114.15}
	EOF
	area_rules
	printf '%s\n' '{"id":"p1","reported_at":"2026-11-25T01:00:00Z"}' '{"id":"p2"}' > ids.ndjson
	run -0 --separate-stderr ft-dispatch --rules rules.json ids.ndjson
	[ "$(got '"\(.id)=\(.area)/\(.unit)/\(.category)/\(.lat)"')" = "p1=g1/t1/garbage/22.55 p2=g4/g4/garbage/22.65" ]
	[[ "$stderr" == "$(summary 2 2 0 0 0 0) ("*" s)" ]]
	[ "$(sql "select group_concat(id || ':' || area || ':' || unit, ' ') from events")" = "p1:g1:t1 p2:g4:g4" ]
}

# ---- a batch that does not commit ----

# trap_commit WHEN: from now on, a COMMIT of an update of an event's status
# for which WHEN holds fails: the trigger breaks a deferred foreign key,
# which SQLite checks only at COMMIT.
trap_commit() {
	sql "CREATE TABLE trap(x TEXT REFERENCES units(id) DEFERRABLE INITIALLY DEFERRED);
	     CREATE TRIGGER trap_events AFTER UPDATE OF status ON events WHEN $1 BEGIN INSERT INTO trap VALUES ('no such unit'); END;"
}

@test "ft-dispatch batch: a batch whose COMMIT fails prints and counts none of its decisions (70); without the trap a rerun stores and prints them" {
	events <<- 'EOF'
	{"id":"a","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"b","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.65,"lon":114.15}
	{"id":"c","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.685,"lon":114.015}
	EOF
	area_rules
	trap_commit "NEW.id = 'c'"
	# Two batches: the first commits and is printed, the second does not.
	run -70 --separate-stderr ft-dispatch --batch 2 --rules rules.json ev.ndjson
	[ "$(got .id)" = "a b" ]
	[ "${stderr_lines[0]}" = "ft-dispatch: $FT_DB: committing: FOREIGN KEY constraint failed" ]
	[[ "${stderr_lines[1]}" == "$(summary 3 2 0 0 0 0) ("*" s)" ]]
	[ "${#stderr_lines[@]}" = 2 ]
	[ "$(sql "select group_concat(id || ':' || status, ' ') from events")" = "a:dispatched b:dispatched c:new" ]
	sql "DROP TRIGGER trap_events"
	run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.area)"')" = "c=g3" ]
	[[ "$stderr" == "$(summary 3 1 0 2 0 0) ("*" s)" ]]
}

@test "ft-dispatch batch: --pending with more output than is held in memory prints none of a batch that does not commit (70)" {
	# 1500 events of a 1000-character title: 1.5 MB of output, past the
	# 1 MB held in memory (the rest waits in a temporary file).
	long=$(printf 'T%.0s' $(seq 1000))
	awk -v long="$long" 'BEGIN { for (i = 1001; i <= 2500; i++)
		printf "{\"id\":\"e%d\",\"category\":\"garbage\",\"title\":\"%s\",\"reported_at\":\"2026-11-25T01:00:00Z\",\"lat\":22.55,\"lon\":114.05}\n", i, long }' | events
	echo '{"rules": [{"name": "all", "unit": "cc"}]}' | rules
	trap_commit "NEW.id = 'e2500'"
	run -70 --separate-stderr ft-dispatch --pending --rules rules.json
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "ft-dispatch: $FT_DB: committing: FOREIGN KEY constraint failed" ]
	[[ "${stderr_lines[1]}" == "$(summary 1500 0 0 0 0 0) ("*" s)" ]]
	[ "$(sql "select count(*) from events where status = 'new' and dispatched_at is null")" = 1500 ]
	sql "DROP TRIGGER trap_events"
	run -0 --separate-stderr ft-dispatch --pending --rules rules.json
	[ "${#lines[@]}" = 1500 ]
	[ "$(printf '%s\n' "${lines[@]}" | wc -c)" -gt 1500000 ]
	[ "$(printf '%s\n' "${lines[@]}" | jq -rs 'map(.id) == [range(1001; 2501) | "e\(.)"]')" = true ]
	[[ "$stderr" == "$(summary 1500 1500 0 0 0 0) ("*" s)" ]]
}

# ---- input text in messages ----

@test "ft-dispatch messages: a rule's name and unit are named escaped, never as a terminal escape (78)" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' | events
	echo '[{"name": "\u001b]0;pwn\u0007", "unit": "no\u001b[31mbody"}]' | rules
	refused 'rules.json: rule 1 ("\x1b]0;pwn\x07"): field "unit": no unit "no\x1b[31mbody" in the database (load it with ft-ingest --kind units)'
}

# ---- JSON keys: decoded text, never twice ----

@test "ft-dispatch json keys: a piped key written with escapes is that key; one given twice is rejected (1)" {
	printf '%s\n' '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.6,"lon":114.05}' \
		'{"id":"b","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.6,"lon":114.05}' | events
	echo '[{"name": "all", "unit": "cc"}]' | rules
	printf '%s\n' '{"\u0069d":"a","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.6,"lon":114.05,"st\u0061tus":"new"}' \
		'{"id":"b","\u0069d":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}' > in.ndjson
	run -1 --separate-stderr ft-dispatch --rules rules.json in.ndjson
	[ "${#lines[@]}" = 1 ]
	# One status in the line, ours: not the piped "st\u0061tus" as well.
	[ "$(grep -o '"st[^"]*tus":"[a-z]*"' <<< "$output" | tr '\n' ' ')" = '"status":"dispatched" ' ]
	[ "${stderr_lines[0]}" = 'ft-dispatch: in.ndjson:2: invalid JSON: key "id" given twice (column 11)' ]
	[ "$(sql "select group_concat(id || ':' || status, ' ') from (select * from events order by id)")" = "a:dispatched b:new" ]
}

@test "ft-dispatch rules file: a key written with escapes is that key; one given twice is refused (78)" {
	echo '{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z","lat":22.6,"lon":114.05}' | events
	echo '[{"name": "x", "unit": "cc", "\u0075nit": "t1"}]' | rules
	refused 'rules.json:1: not JSON: key "unit" given twice'
	printf '[{"name": "x",\n  "when": {"category": "x", "c\\u0061tegory": "y"}, "unit": "cc"}]\n' > rules.json
	refused 'rules.json:2: not JSON: key "category" given twice'
	echo '[{"n\u0061me": "x", "\u0075nit": "cc"}]' | rules
	run -0 --separate-stderr ft-dispatch -q --rules rules.json ev.ndjson
	[ "$(sql "select unit || ':' || rule from events")" = cc:x ]
}

@test "ft-dispatch rejects: the id is a member of its own, and the reason a fixed text that names no id" {
	events <<- 'EOF'
	{"id":"lost-1","category":"noise","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"lost-2","category":"noise","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '[{"name":"water","when":{"category":"water"},"unit":"w"}]' | rules
	printf '%s\n' '{"id":"lost-1"}' '{"id":"ghost-1"}' '{"id":"lost-2"}' '{"id":"ghost-2"}' > in.ndjson
	run -1 --separate-stderr ft-dispatch --rules rules.json -r rej.ndjson in.ndjson
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = 'ft-dispatch: in.ndjson:1: id "lost-1": no rule matches it (add a last rule without conditions to catch every event)' ]
	[ "${stderr_lines[1]}" = 'ft-dispatch: in.ndjson:2: id "ghost-1": not in the database (load it with ft-ingest first)' ]
	[ "$(jq -c '[.line, .id]' rej.ndjson | paste -sd ' ')" = '[1,"lost-1"] [2,"ghost-1"] [3,"lost-2"] [4,"ghost-2"]' ]
	run -0 sh -c 'jq -r .reason rej.ndjson | sort | uniq -c'
	[ "$output" = '      2 no rule matches it (add a last rule without conditions to catch every event)
      2 not in the database (load it with ft-ingest first)' ]
}

@test "ft-dispatch pending: an event with no location that no rule matches is reported once, not on every --pending run" {
	events <<- 'EOF'
	{"id":"nowhere","category":"garbage","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"outside","category":"garbage","reported_at":"2026-11-25T02:00:00Z","lat":22.8,"lon":114.15}
	EOF
	echo '[{"name":"area","unit":"@area"}]' | rules
	run -1 --separate-stderr ft-dispatch --rules rules.json --pending
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = 'ft-dispatch: pending:1: id "nowhere": no rule matches it (add a last rule without conditions to catch every event)' ]
	[ "${stderr_lines[1]}" = 'ft-dispatch: pending:2: id "outside": no rule matches it (add a last rule without conditions to catch every event)' ]
	[[ "${stderr_lines[2]}" == "$(summary 2 0 0 0 0 2) ("*" s)" ]]
	[ "$(sql "select id || ' ' || from_status || ' ' || to_status || ' ' || json_extract(detail, '$.reason') from history where action = 'unplaced'")" = "nowhere new new no location and no rule matches it" ]
	# The next run from cron, with the same rules, passes over the event
	# with no location; one with a point is tried again (its area may come).
	run -1 --separate-stderr ft-dispatch --rules rules.json --pending
	[ "${stderr_lines[0]}" = 'ft-dispatch: pending:2: id "outside": no rule matches it (add a last rule without conditions to catch every event)' ]
	[[ "${stderr_lines[1]}" == "$(summary 1 0 0 0 0 1) ("*" s)" ]]
	[ "${#stderr_lines[@]}" = 2 ]
	[ "$(sql "select count(*) from history where action = 'unplaced'")" = 1 ]
	[ "$(sql "select status from events where id = 'nowhere'")" = new ]
	# Once the event changes (a corrected record with its point), it is
	# pending again, and placed.
	echo '{"id":"nowhere","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}' > fixed.ndjson
	ft-ingest -q --upsert fixed.ndjson
	run -1 --separate-stderr ft-dispatch --rules rules.json --pending
	[ "$(got '"\(.id)=\(.area)/\(.unit)"')" = "nowhere=g1/t1" ]
	[[ "${stderr_lines[1]}" == "$(summary 2 1 0 0 0 1) ("*" s)" ]]
}

@test "ft-dispatch pending: an event with no location passed over is tried again once the rules file changes" {
	events <<- 'EOF'
	{"id":"nowhere","category":"garbage","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '[{"name":"area","unit":"@area"}]' | rules
	run -1 --separate-stderr ft-dispatch --rules rules.json --pending
	run -0 --separate-stderr ft-dispatch --rules rules.json --pending
	[ -z "$output" ]
	[[ "$stderr" == "$(summary 0 0 0 0 0 0) ("*" s)" ]]
	echo '[{"name":"area","unit":"@area"},{"name":"rest","unit":"cc"}]' | rules
	run -0 --separate-stderr ft-dispatch --rules rules.json --pending
	[ "$(got '"\(.id)=\(.unit)"')" = "nowhere=cc" ]
}

# ---- files that are not text files ----

@test "ft-dispatch files: a directory is 66 and a binary file 65, with one message" {
	echo '[{"name": "all", "unit": "cc"}]' | rules
	mkdir adir
	run -66 --separate-stderr ft-dispatch --rules rules.json adir
	[ "${stderr_lines[0]}" = 'ft-dispatch: adir: cannot open: Is a directory' ]
	[[ "${stderr_lines[1]}" == 'ft-dispatch: 0 events: '* ]]
	[ "${#stderr_lines[@]}" = 2 ]
	run -65 --separate-stderr ft-dispatch --rules rules.json /bin/ls
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = 'ft-dispatch: /bin/ls: a binary file, not text' ]
	[[ "${stderr_lines[1]}" == 'ft-dispatch: 0 events: '* ]]
	[ "${#stderr_lines[@]}" = 2 ]
	run -66 --separate-stderr ft-dispatch --rules adir --pending
	[ "$stderr" = 'ft-dispatch: adir: cannot open the rules: Is a directory' ]
}

@test "ft-dispatch db: a --db that does not exist is 66 \"no such database\" and is not created" {
	rules <<< '[{"unit":"d1"}]'
	echo '{"id":"x","category":"c","reported_at":"2026-11-01T00:00:00Z"}' > ev.ndjson
	run -66 --separate-stderr ft-dispatch --db typo.db --escalate
	[ -z "$output" ]
	[ "$stderr" = "ft-dispatch: typo.db: no such database" ]
	run -66 --separate-stderr ft-dispatch --db typo.db -n --escalate
	[ "$stderr" = "ft-dispatch: typo.db: no such database" ]
	FT_DB=typo.db run -66 --separate-stderr ft-dispatch --rules rules.json --pending
	[ "$stderr" = "ft-dispatch: typo.db: no such database" ]
	run -66 --separate-stderr ft-dispatch --db typo.db --rules rules.json ev.ndjson
	[ "$stderr" = "ft-dispatch: typo.db: no such database" ]
	[ ! -e typo.db ]
	# In a directory that does not exist: 66 as well, it would not create it.
	run -66 --separate-stderr ft-dispatch --db nodir/ft.db --escalate
	[ "$stderr" = "ft-dispatch: nodir/ft.db: no such database" ]
	[ ! -e nodir ]
}

@test "ft-dispatch db: a dry run works on a read-only database file and changes nothing" {
	events <<- 'EOF'
	{"id":"x","category":"road","reported_at":"2026-11-25T10:00:00Z","lat":22.55,"lon":114.05}
	EOF
	rules <<- 'EOF'
	[{"name": "roads", "unit": "r", "respond": 30, "resolve": 240,
	  "escalate": [{"after": 0, "to": "w"}]}]
	EOF
	FT_NOW=2026-11-25T10:05:00Z ft-dispatch -q --rules rules.json ev.ndjson
	ro_dir
	cp "$FT_DB" "$RO/ft.db"
	chmod 444 "$RO/ft.db"
	chmod 777 "$RO"
	before=$(sha256sum < "$RO/ft.db")
	FT_DB="$RO/ft.db" run -0 --separate-stderr as_reader "$FT_BIN/ft-dispatch" --escalate -n --now 2026-11-25T10:31:00Z
	[ "$(got '"\(.id) \(.unit) \(.escalation)"')" = "x w 1" ]
	[[ "$stderr" == "ft-dispatch: 1 escalation step, dry run: nothing stored ("* ]]
	[ "$(sha256sum < "$RO/ft.db")" = "$before" ]
	[ "$(sqlite3 -readonly "$RO/ft.db" 'select unit, escalation from events')" = "r|0" ]
	rm_ro
}

@test "ft-dispatch when: a jq condition that never ends or grows without bound is halted and its event rejected with the reason; no later rule takes it (1)" {
	events <<- 'EOF'
	{"id":"loop","category":"x","reported_at":"2026-11-25T01:00:00Z","channel":"loop"}
	{"id":"grow","category":"x","reported_at":"2026-11-25T01:00:00Z","channel":"grow"}
	{"id":"ok","category":"x","reported_at":"2026-11-25T01:00:00Z","channel":"ok"}
	EOF
	rules <<- 'EOF'
	[{"name": "heavy", "unit": "w",
	  "when": {"jq": "def f: f; if .channel == \"loop\" then f elif .channel == \"grow\" then [repeat(1)] else false end"}},
	 {"name": "rest", "unit": "cc"}]
	EOF
	# timeout: without the bounds the first event never ends.
	# The memory bound is small and the time bound not: under the
	# sanitizers [repeat(1)] took 0.25 s of work to reach 16 MiB.
	FT_JQ_TIME=0.5 FT_JQ_MEMORY=4 run -1 --separate-stderr timeout 60 ft-dispatch --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "ok=cc" ]
	[ "${stderr_lines[0]}" = 'ft-dispatch: ev.ndjson:1: id "loop": rule "heavy": jq: stopped after 0.5 s of work (FT_JQ_TIME)' ]
	[ "${stderr_lines[1]}" = 'ft-dispatch: ev.ndjson:2: id "grow": rule "heavy": jq: stopped at 4 MiB of memory (FT_JQ_MEMORY)' ]
	[[ "${stderr_lines[2]}" == "$(summary 3 1 0 0 0 2)"* ]]
	[ "${#stderr_lines[@]}" = 3 ]
	[ "$(sql "select group_concat(id || ':' || status || ':' || coalesce(unit, '-'), ' ') from (select * from events order by id)")" = "grow:new:- loop:new:- ok:dispatched:cc" ]
	# The default bound is one second of work.
	sed -n 1p ev.ndjson > loop.ndjson
	run -1 --separate-stderr timeout 60 ft-dispatch -n --rules rules.json loop.ndjson
	[ "${stderr_lines[0]}" = 'ft-dispatch: loop.ndjson:1: id "loop": rule "heavy": jq: stopped after 1 s of work (FT_JQ_TIME)' ]
}

@test "ft-dispatch when: FT_JQ_TIME and FT_JQ_MEMORY must be numbers from 0 (78, nothing done)" {
	events <<- 'EOF'
	{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '[{"name": "rest", "unit": "cc"}]' | rules
	FT_JQ_TIME=1s run -78 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ -z "$output" ]
	[ "$stderr" = 'ft-dispatch: FT_JQ_TIME: not a number from 0 to 86400: "1s"' ]
	FT_JQ_MEMORY=-1 run -78 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$stderr" = 'ft-dispatch: FT_JQ_MEMORY: not a number from 0 to 1048576: "-1"' ]
	[ "$(sql "select status from events")" = new ]
	# 0 is no bound.
	FT_JQ_TIME=0 FT_JQ_MEMORY=0 run -0 --separate-stderr ft-dispatch --rules rules.json ev.ndjson
	[ "$(got .unit)" = cc ]
}

@test "ft-dispatch when: the time bound counts the work, not the time the process was stopped (^Z) (0)" {
	events <<- 'EOF'
	{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	# About a second of work, stopped for four in the middle of it.
	echo '[{"name": "slow", "unit": "w", "when": {"jq": "[range(2e6)] | length > 0"}}]' | rules
	FT_JQ_TIME=3 ft-dispatch --rules rules.json ev.ndjson > out 2> err &
	pid=$!
	sleep 0.3
	kill -STOP "$pid"
	sleep 4
	kill -CONT "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" = 0 ] || { cat err; false; }
	output=$(cat out)
	[ "$(got '"\(.id)=\(.unit)"')" = "a=w" ]
	[[ "$(cat err)" == "$(summary 1 1 0 0 0 0)"* ]]
}

# ---- -q and --no-output ----

# two_events: p1 (in g1, team t1) and p2 (no place) loaded, ghost not;
# in.ndjson names all three.
two_events() {
	events <<- 'EOF'
	{"id":"p1","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"p2","category":"noise","reported_at":"2026-11-25T02:00:00Z"}
	EOF
	{ cat ev.ndjson; echo '{"id":"ghost","category":"x","reported_at":"2026-11-25T01:00:00Z"}'; } > in.ndjson
	area_rules
}

@test "ft-dispatch output: -q prints the events and no summary, so ft-ingest -q | ft-dispatch -q | jq sees every one" {
	two_events
	run -1 --separate-stderr ft-dispatch -q --rules rules.json in.ndjson
	[ "$(got '.id + ":" + .unit')" = "p1:t1 p2:cc" ]
	[ "$stderr" = 'ft-dispatch: in.ndjson:3: id "ghost": not in the database (load it with ft-ingest first)' ]
	echo '{"id":"p3","category":"garbage","reported_at":"2026-11-25T03:00:00Z","lat":22.55,"lon":114.15}' > new.ndjson
	run -0 --separate-stderr bash -o pipefail -c 'ft-ingest -q new.ndjson |
		ft-dispatch -q --rules rules.json | jq -r ".id + \":\" + .unit"'
	[ "$output" = "p3:g2" ]
	[ -z "$stderr" ]
	[ "$(sql "select group_concat(id || ':' || status || ':' || unit, ' ') from (select * from events order by id)")" = "p1:dispatched:t1 p2:dispatched:cc p3:dispatched:g2" ]
}

@test "ft-dispatch output: --no-output prints no events; the summary is still printed, the decisions stored" {
	two_events
	run -1 --separate-stderr ft-dispatch --no-output --rules rules.json in.ndjson
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" = 2 ]
	[ "${stderr_lines[0]}" = 'ft-dispatch: in.ndjson:3: id "ghost": not in the database (load it with ft-ingest first)' ]
	[[ "${stderr_lines[1]}" == "$(summary 3 2 0 0 0 1) ("* ]]
	[ "$(sql "select group_concat(id || ':' || status || ':' || unit, ' ') from (select * from events order by id)")" = "p1:dispatched:t1 p2:dispatched:cc" ]
	[ "$(sql "select count(*) from history where action = 'dispatch'")" = 2 ]
}

@test "ft-dispatch output: -q --no-output prints nothing but the rejections, the decisions stored" {
	two_events
	run -1 --separate-stderr ft-dispatch -q --no-output --rules rules.json in.ndjson
	[ -z "$output" ]
	[ "$stderr" = 'ft-dispatch: in.ndjson:3: id "ghost": not in the database (load it with ft-ingest first)' ]
	[ "$(sql "select group_concat(id || ':' || status || ':' || unit, ' ') from (select * from events order by id)")" = "p1:dispatched:t1 p2:dispatched:cc" ]
	echo '{"id":"p3","category":"garbage","reported_at":"2026-11-25T03:00:00Z","lat":22.55,"lon":114.15}' | ft-ingest -q --no-output
	run -0 --separate-stderr ft-dispatch -q --no-output --rules rules.json --pending
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(sql "select status || ':' || unit from events where id = 'p3'")" = "dispatched:g2" ]
}

@test "ft-dispatch options: a rules file with a mistake is refused (78) before the database is opened: an older one is not brought up to date" {
	sqlite3 old.db < "$FIXTURES/ft-ingest/schema-v1.sql"
	before=$(sha256sum < old.db)
	printf '[{"name":"x","when":{"bogus":1},"unit":"u"}]\n' > bad.json
	run -78 --separate-stderr ft-dispatch --db old.db --rules bad.json --pending
	[ "$stderr" = 'ft-dispatch: bad.json: rule 1 ("x"): field "when.bogus": not a field of this object (a typo?)' ]
	[ "$(sha256sum < old.db)" = "$before" ]
	[ "$(sqlite3 old.db 'pragma user_version')" = 1 ]
	# A rules file that cannot be read: 66, and nothing changed either.
	run -66 --separate-stderr ft-dispatch --db old.db --rules missing.json --pending
	[ "$(sha256sum < old.db)" = "$before" ]
	# A unit the rules name is looked up in the database, once it is open.
	printf '[{"name":"x","unit":"nosuch"}]\n' > unit.json
	run -78 --separate-stderr ft-dispatch --db old.db --rules unit.json --pending
	[ "$stderr" = 'ft-dispatch: unit.json: rule 1 ("x"): field "unit": no unit "nosuch" in the database (load it with ft-ingest --kind units)' ]
}

@test "ft-dispatch when: a jq condition that stops with halt_error fails with its message, shown by --explain; the next rule takes the event" {
	events <<- 'EOF'
	{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z","channel":"none"}
	{"id":"c","category":"x","reported_at":"2026-11-25T01:00:00Z","channel":"wechat"}
	{"id":"b","category":"x","reported_at":"2026-11-25T01:00:00Z","channel":"obj"}
	EOF
	rules <<- 'EOF'
	[{"name": "hit", "unit": "w",
	  "when": {"jq": "if .channel == \"none\" then \"no channel\\n\" | halt_error elif .channel == \"obj\" then {channel} | halt_error else .channel == \"wechat\" end"}},
	 {"name": "rest", "unit": "cc"}]
	EOF
	# c runs between two halt_errors: libjq 1.6 would free the first message twice.
	run -0 --separate-stderr ft-dispatch -x --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "a=cc c=w b=cc" ]
	[ "$(got 'select(.id == "a") | .explain.rules[0].failed')" = 'jq: no channel' ]
	[ "$(got 'select(.id == "b") | .explain.rules[0].failed')" = 'jq: {"channel":"obj"}' ]
	[[ "$stderr" == "$(summary 3 3 0 0 0 0)"* ]]
	[ "$(sql "select group_concat(id || ':' || status || ':' || unit, ' ') from (select * from events order by id)")" = "a:dispatched:cc b:dispatched:cc c:dispatched:w" ]
}

@test "ft-dispatch when: a process stopped (^Z) before the watchdog's first look is not charged the stop either (0)" {
	events <<- 'EOF'
	{"id":"a","category":"x","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo '[{"name": "slow", "unit": "w", "when": {"jq": "[range(1e6)] | length > 0"}}]' | rules
	# Stopped for 3.2 s at a few moments early in the run: before the fix
	# one of them fell before the watchdog first saw the call, and the
	# stop was counted as work (exit 1, "stopped after 3 s of work").
	for at in 0.05 0.1 0.15 0.2 0.25; do
		FT_JQ_TIME=3 ft-dispatch --rules rules.json --dry-run ev.ndjson > out 2> err &
		pid=$!
		sleep "$at"
		kill -STOP "$pid"
		sleep 3.2
		kill -CONT "$pid"
		st=0
		wait "$pid" || st=$?
		[ "$st" = 0 ] || { echo "stopped at $at s: $st"; cat err; false; }
		output=$(cat out)
		[ "$(got '"\(.id)=\(.unit)"')" = "a=w" ]
	done
}

@test "ft-dispatch when: facility, a string and an array; an event without one does not match (the condition ft-warn shares)" {
	fac=$(head -1 "$FIXTURES/ft-dispatch/facilities.ndjson" | jq -r .id)
	events <<- EOF
	{"id":"a","category":"x","facility":"$fac","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"b","category":"x","facility":"QR-none","reported_at":"2026-11-25T01:00:00Z"}
	{"id":"c","category":"x","reported_at":"2026-11-25T01:00:00Z"}
	EOF
	echo "[{\"name\":\"hit\",\"when\":{\"facility\":\"$fac\"},\"unit\":\"w\",\"ignore_owner\":true},{\"name\":\"rest\",\"unit\":\"cc\",\"ignore_owner\":true}]" | rules
	run -0 --separate-stderr ft-dispatch -n -x --rules rules.json ev.ndjson
	[ "$(got '"\(.id)=\(.unit)"')" = "a=w b=cc c=cc" ]
	[ "$(got 'select(.id != "a") | .explain.rules[0].failed')" = 'facility facility (the event has none)' ]
	echo '[{"name":"hit","when":{"facility":[]},"unit":"w"}]' | rules
	run -78 --separate-stderr ft-dispatch -n --rules rules.json ev.ndjson
	[ "$stderr" = 'ft-dispatch: rules.json: rule 1 ("hit"): field "when.facility": not a string or a non-empty array of strings' ]
}

# ---- --pending: the next page read ahead ----

# pending_run NAME ARGS...: ft-dispatch --pending ARGS on a copy of
# fresh.db, twice (the second run passes over what the first left); its
# output, messages (the summary without its transactions and time) and
# rows (events, then the history with its hashes) into NAME.*.
pending_run() {
	local name=$1
	shift
	cp fresh.db "$name.db"
	for k in 1 2; do
		FT_DB="$name.db" ft-dispatch --rules rules.json --pending "$@" \
			> "$name.out$k" 2> "$name.err$k" || echo "status $?" >> "$name.err$k"
		sed -i 's/ ([0-9]* transactions*, .* s)$//' "$name.err$k"
	done
	sqlite3 -batch "$name.db" 'select * from events order by seq; select * from history order by seq' > "$name.rows"
}

@test "ft-dispatch pending: pages of any --batch, read ahead or not, give the output, messages and rows of one page" {
	events <<- 'EOF'
	{"id":"a","category":"garbage","reported_at":"2026-11-25T01:00:00Z","lat":22.55,"lon":114.05}
	{"id":"nowhere","category":"garbage","reported_at":"2026-11-25T01:05:00Z"}
	{"id":"b","category":"garbage","reported_at":"2026-11-25T01:10:00Z","lat":22.5501,"lon":114.0501}
	{"id":"dmg","category":"garbage","reported_at":"2026-11-25T01:15:00Z","lat":22.55,"lon":114.05}
	{"id":"c","category":"garbage","reported_at":"2026-11-25T01:20:00Z","lat":22.65,"lon":114.15}
	{"id":"d","category":"noise","reported_at":"2026-11-25T01:20:00Z","lat":22.55,"lon":114.1005,"channel":"wechat"}
	{"id":"e","category":"garbage","reported_at":"2026-11-25T01:30:00Z","lat":22.6501,"lon":114.1501}
	EOF
	# dmg's record is read as text and refused (see "a stored record read
	# whole as before").
	sql "update events set extra = '{\"category\":\"noise\"}' where id = 'dmg'"
	echo '{"duplicates": {"distance": 100, "within": 60}, "near_boundary": 100, "rules": [{"name": "area", "unit": "@area"}]}' | rules
	cp "$FT_DB" fresh.db
	pending_run one
	# What one page does, to begin with.
	[ "$(jq -r '"\(.id)=\(.status)"' one.out1 | paste -sd' ')" = "a=dispatched b=duplicate c=dispatched d=dispatched e=duplicate" ]
	[ "$(cat one.err1)" = 'ft-dispatch: pending:2: id "nowhere": no rule matches it (add a last rule without conditions to catch every event)
ft-dispatch: pending:4: key "category" given twice
ft-dispatch: 7 events: 3 dispatched, 2 duplicates, 0 unchanged, 0 not new, 2 rejected; 1 near a boundary
status 1' ]
	[ "$(cat one.err2)" = 'ft-dispatch: pending:4: key "category" given twice
ft-dispatch: 1 event: 0 dispatched, 0 duplicates, 0 unchanged, 0 not new, 1 rejected; 0 near a boundary
status 1' ]
	[ ! -s one.out2 ]
	# Pages of 1 to 7 (4: the last page ends the events; 7: one page,
	# then an empty one), and of 20001 (past what is read ahead).
	for b in 1 2 3 4 7 20001; do
		pending_run "b$b" --batch "$b"
		for f in out1 err1 out2 err2 rows; do
			cmp "one.$f" "b$b.$f"
		done
	done
	# A dry run reads its pages itself: it prints what a real run prints.
	cp fresh.db dry.db
	FT_DB=dry.db run -1 --separate-stderr ft-dispatch --rules rules.json --pending --dry-run --batch 2
	[ "$output" = "$(cat one.out1)" ]
	[ "$(sqlite3 -batch dry.db 'select * from events order by seq; select * from history order by seq')" = "$(sqlite3 -batch fresh.db 'select * from events order by seq; select * from history order by seq')" ]
}

@test "ft-dispatch pending: an event another tool changes after the next page was read ahead is taken as it is then: a closed one is not dispatched" {
	# Page 1 (--batch 3) prints more than a pipe holds: once it has
	# committed, ft-dispatch waits to print it, the next page read ahead
	# (the reader starts on it as soon as page 1 is taken).  Meanwhile
	# ft-update closes e5, of page 2.
	long=$(printf 'T%.0s' $(seq 40000))
	awk -v long="$long" 'BEGIN { for (i = 1; i <= 6; i++)
		printf "{\"id\":\"e%d\",\"category\":\"x\",\"title\":\"%s\",\"reported_at\":\"2026-11-25T0%d:00:00Z\"}\n", i, (i <= 3 ? long : "t"), i }' | events
	echo '[{"unit": "d1"}]' > rules.json
	mkfifo out.fifo
	ft-dispatch --batch 3 --rules rules.json --pending > out.fifo 2> err.txt &
	pid=$!
	exec 8< out.fifo
	for _ in $(seq 500); do
		[ "$(sql 'select count(*) from events where dispatched_at is not null')" = 3 ] && break
		sleep 0.02
	done
	[ "$(sql 'select count(*) from events where dispatched_at is not null')" = 3 ]
	run -0 --separate-stderr ft-update <<< '{"id":"e5","status":"closed","at":"2026-11-25T12:00:00Z","by":"x"}'
	cat <&8 > out.ndjson
	exec 8<&-
	wait "$pid"
	[ "$(jq -r .id out.ndjson | paste -sd' ')" = "e1 e2 e3 e4 e6" ]
	[[ "$(cat err.txt)" == "$(summary 5 5 0 0 0 0) ("* ]]
	[ "$(sql "select status || ' ' || coalesce(dispatched_at, '-') from events where id = 'e5'")" = "closed -" ]
	[ "$(sql "select count(*) from history where id = 'e5' and tool = 'ft-dispatch'")" = 0 ]
	run -0 --separate-stderr ft-update --verify
}

@test "ft-dispatch pending: a page the reader ahead cannot read is read by the run itself, which says what is wrong once, as before (70)" {
	for i in 1 2 3 4 5; do
		echo "{\"id\":\"e$i\",\"category\":\"x\",\"reported_at\":\"2026-11-25T0$i:00:00Z\"}"
	done | events
	echo '[{"unit": "d1"}]' > rules.json
	# Damage no tool makes: e4's last history entry an "unplaced" one
	# whose detail is no JSON, which the page query reads.
	sql "insert into history (kind, id, at, tool, action, from_status, to_status, detail) values ('event', 'e4', '2026-11-25T10:00:00Z', 'x', 'unplaced', 'new', 'new', 'not json')"
	run -70 --separate-stderr ft-dispatch --rules rules.json --pending --batch 2
	[ "$(got .id)" = "e1 e2" ]
	[ "${stderr_lines[0]}" = "ft-dispatch: $FT_DB: reading pending events: malformed JSON" ]
	# e3 was read (and counted) before the error; its page rolled back.
	[[ "${stderr_lines[1]}" == "$(summary 3 2 0 0 0 0) ("* ]]
	[ "${#stderr_lines[@]}" = 2 ]
	[ "$(sql "select group_concat(id, ' ') from events where dispatched_at is not null")" = "e1 e2" ]
}
