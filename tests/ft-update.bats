#!/usr/bin/env bats
# ft-update: the lifecycle, ratings, "at", idempotency, the rejects, the
# history it writes and --verify of the history's hash chain.

bats_require_minimum_version 1.5.0
load helpers/common

# Every test starts from the same five events, reported on 2026-11-20 and
# dispatched (--now 2026-11-21T00:00:00Z) by the rules fixture:
#   e1 streetlight in g1 -> dispatched to g1
#   e2 garbage in g1     -> dispatched to g1
#   e3 garbage beside e2 -> duplicate of e2
#   e4 noise, no point   -> dispatched to dep1
#   e5 other             -> no rule: stays new
# 9 history entries so far: 4 units, one for the 5 events ingested (one
# transaction), 3 dispatches and a duplicate.  FT_NOW is 2026-11-25T12:00:00Z.
# They are loaded and dispatched once, as a test would (its set-up, under
# valgrind too), in $BATS_FILE_TMPDIR/base; each test starts from a copy of
# what that left (the database comes out the same byte for byte).
setup_file() {
	(
		BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR/base"
		mkdir "$BATS_TEST_TMPDIR" || exit 1
		common_setup
		F="$FIXTURES/ft-update"
		cd "$BATS_TEST_TMPDIR" || exit 1
		ft-ingest -q -k units "$F/units.ndjson"
		ft-ingest -q "$F/events.ndjson"
		grep -v '"id":"e5"' "$F/events.ndjson" > dispatch.ndjson
		ft-dispatch -q --rules "$F/rules.json" --now 2026-11-21T00:00:00Z \
			dispatch.ndjson
		[ ! -e "$FT_DB-wal" ]
	)
}

setup() {
	local base="$BATS_FILE_TMPDIR/base"

	common_setup
	F="$FIXTURES/ft-update"
	cd "$BATS_TEST_TMPDIR" || exit 1
	cp "$base/ft.db" "$base/ft.db-ingests.lock" "$base/dispatch.ndjson" .
	[ "$(states)" = "e1:dispatched e2:dispatched e3:duplicate e4:dispatched e5:new" ]
	[ "$(hist_count)" = 9 ]
}

# states: every event as id:status, by id.
states() {
	sql "select group_concat(id || ':' || status, ' ') from (select id, status from events order by id)"
}

hist_count() {
	sql 'select count(*) from history'
}

# upd_hist: the entries ft-update wrote, oldest first.
upd_hist() {
	sql "select id, at, by, action, from_status, to_status, detail from history where tool = 'ft-update' order by seq"
}

dump() {
	sqlite3 -batch "$FT_DB" .dump
}

# ---- the command line ----

@test "ft-update cli: --help prints the usage on stdout" {
	run -0 --separate-stderr ft-update --help
	[ "${lines[0]}" = "Usage: ft-update [OPTION]... [FILE]..." ]
	[ "${lines[1]}" = "       ft-update --verify [OPTION]..." ]
	[[ "$output" == *"--rejects FILE"* ]]
	[[ "$output" == *"--dry-run"* ]]
	[ -z "$stderr" ]
}

@test "ft-update cli: --version" {
	run -0 --separate-stderr ft-update --version
	[[ "$output" =~ ^ft-update\ \(ft\)\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "ft-update cli: an unknown option is a usage error (64), nothing stored" {
	before=$(dump)
	run -64 --separate-stderr ft-update --bogus "$F/fixed.ndjson"
	[ -z "$output" ]
	[[ "$stderr" == *"ft-update: unknown option '--bogus'"* ]]
	[[ "$stderr" == *"Try 'ft-update --help'"* ]]
	run -64 --separate-stderr ft-update -Z "$F/fixed.ndjson"
	[[ "$stderr" == *"ft-update: unknown option '-Z'"* ]]
	[ "$(dump)" = "$before" ]
}

@test "ft-update cli: an option without its value is a usage error (64)" {
	run -64 --separate-stderr ft-update --rejects
	[ -z "$output" ]
	[[ "$stderr" == *"ft-update: option '--rejects' needs a value"* ]]
	run -64 --separate-stderr ft-update --now
	[[ "$stderr" == *"option '--now' needs a value"* ]]
}

@test "ft-update cli: a bad --now or FT_NOW is a usage error (64)" {
	run -64 --separate-stderr ft-update --now soon "$F/fixed.ndjson"
	[[ "$stderr" == *'ft-update: --now: not a time: "soon"'* ]]
	FT_NOW=soon run -64 --separate-stderr ft-update "$F/fixed.ndjson"
	[[ "$stderr" == *'FT_NOW: not a time: "soon"'* ]]
	[ "$(hist_count)" = 9 ]
}

@test "ft-update cli: an input that cannot be opened is 66, the other files still applied" {
	run -66 --separate-stderr ft-update nothere.ndjson "$F/fixed.ndjson"
	[[ "$stderr" == *"ft-update: nothere.ndjson: cannot open: No such file or directory"* ]]
	[ "${#lines[@]}" = 3 ]
	[ "$(sql "select status, outcome from events where id = 'e1'")" = "closed|fixed" ]
}

@test "ft-update cli: standard input when no file or -" {
	run -0 --separate-stderr ft-update < <(echo '{"id":"e1","status":"accepted","at":"2026-11-25T09:00:00Z"}')
	[ "$output" = '{"id":"e1","at":"2026-11-25T09:00:00Z","status":"accepted","from":"dispatched"}' ]
	[[ "$stderr" == *"ft-update: 1 record: 1 status changes, 0 ratings, 0 unchanged, 0 rejected ("* ]]
	echo '{"id":"e2","status":"accepted","at":"2026-11-25T09:00:00Z"}' | ft-update -q -
	[ "$(states)" = "e1:accepted e2:accepted e3:duplicate e4:dispatched e5:new" ]
}

@test "ft-update cli: -q prints the changes and no summary, still applies" {
	run -0 --separate-stderr ft-update -q "$F/fixed.ndjson"
	[ "$(printf '%s\n' "$output" | jq -r '.id + ":" + .status' | tr '\n' ' ')" = "e1:accepted e1:resolved e1:closed " ]
	[ -z "$stderr" ]
	[ "$(sql "select status from events where id = 'e1'")" = closed ]
}

# ---- the database ----

@test "ft-update db: a newer schema is refused (78) and left alone" {
	sqlite3 new.db 'pragma application_id = 1718878209; pragma user_version = 99; create table t(x)'
	run -78 --separate-stderr ft-update --db new.db "$F/fixed.ndjson"
	[ -z "$output" ]
	[[ "$stderr" == *"database schema version 99 is newer than this ft understands (13)"* ]]
	[ "$(sqlite3 new.db 'pragma user_version')" = 99 ]
	[ "$(sqlite3 new.db "select count(*) from sqlite_schema where name = 'history'")" = 0 ]
	run -78 --separate-stderr ft-update --db new.db --verify
	[[ "$stderr" == *"database schema version 99 is newer than this ft understands (13)"* ]]
}

@test "ft-update db: another program's database is refused (78)" {
	sqlite3 other.db 'create table customers(id)'
	run -78 --separate-stderr ft-update --db other.db "$F/fixed.ndjson"
	[[ "$stderr" == *"not an ft database"* ]]
}

# ---- the lifecycle: the valid paths ----

@test "ft-update lifecycle: dispatched -> accepted -> resolved -> closed, outcome fixed" {
	run -0 --separate-stderr ft-update "$F/fixed.ndjson"
	[ "${lines[0]}" = '{"id":"e1","by":"王工","note":"到场","at":"2026-11-25T09:00:00Z","status":"accepted","from":"dispatched"}' ]
	[ "${lines[1]}" = '{"id":"e1","note":"换了灯泡","at":"2026-11-25T10:00:00Z","status":"resolved","from":"accepted"}' ]
	[ "${lines[2]}" = '{"id":"e1","at":"2026-11-25T11:00:00Z","status":"closed","from":"resolved","outcome":"fixed"}' ]
	[ "${#lines[@]}" = 3 ]
	[[ "$stderr" == *"ft-update: 3 records: 3 status changes, 0 ratings, 0 unchanged, 0 rejected ("* ]]
	[ "$(sql "select status, status_at, outcome, unit from events where id = 'e1'")" = "closed|2026-11-25T11:00:00Z|fixed|g1" ]
	[ "$(states)" = "e1:closed e2:dispatched e3:duplicate e4:dispatched e5:new" ]
}

@test "ft-update lifecycle: closed without a fix from dispatched, accepted or new is 'not fixed'" {
	cat > u.ndjson <<-'EOF'
	{"id":"e2","status":"closed","at":"2026-11-25T09:00:00Z","note":"no access"}
	{"id":"e1","status":"accepted","at":"2026-11-25T09:00:00Z"}
	{"id":"e1","status":"closed","at":"2026-11-25T09:30:00Z"}
	{"id":"e5","status":"closed","at":"2026-11-25T09:00:00Z"}
	EOF
	run -0 --separate-stderr ft-update u.ndjson
	[ "${lines[0]}" = '{"id":"e2","note":"no access","at":"2026-11-25T09:00:00Z","status":"closed","from":"dispatched","outcome":"not fixed"}' ]
	[ "${lines[2]}" = '{"id":"e1","at":"2026-11-25T09:30:00Z","status":"closed","from":"accepted","outcome":"not fixed"}' ]
	[ "${lines[3]}" = '{"id":"e5","at":"2026-11-25T09:00:00Z","status":"closed","from":"new","outcome":"not fixed"}' ]
	[ "$(sql "select group_concat(id || ':' || status || ':' || outcome, ' ') from (select * from events where outcome is not null order by id)")" = "e1:closed:not fixed e2:closed:not fixed e5:closed:not fixed" ]
	[ "$(sql "select count(*) from events where outcome = 'fixed'")" = 0 ]
	[ "$(sql "select detail from history where tool = 'ft-update' and id = 'e2'")" = '{"note":"no access","outcome":"not fixed"}' ]
}

@test "ft-update lifecycle: rejected -> dispatched with a unit sends it to that unit" {
	cat > u.ndjson <<-'EOF'
	{"id":"e4","status":"rejected","at":"2026-11-25T09:00:00Z","note":"不归我们管"}
	{"id":"e4","status":"dispatched","unit":"g1","at":"2026-11-25T09:10:00Z","note":"转网格"}
	EOF
	run -0 --separate-stderr ft-update u.ndjson
	[ "${lines[0]}" = '{"id":"e4","note":"不归我们管","at":"2026-11-25T09:00:00Z","status":"rejected","from":"dispatched"}' ]
	[ "${lines[1]}" = '{"id":"e4","unit":"g1","note":"转网格","at":"2026-11-25T09:10:00Z","status":"dispatched","from":"rejected"}' ]
	[ "$(sql "select status, unit, status_at, dispatched_at from events where id = 'e4'")" = "dispatched|g1|2026-11-25T09:10:00Z|2026-11-21T00:00:00Z" ]
	[ "$(sql "select detail from history where tool = 'ft-update' and to_status = 'dispatched'")" = '{"note":"转网格","unit":"g1"}' ]
}

@test "ft-update lifecycle: rejected -> dispatched without a unit is refused" {
	cat > u.ndjson <<-'EOF'
	{"id":"e4","status":"rejected","at":"2026-11-25T09:00:00Z"}
	{"id":"e4","status":"dispatched","at":"2026-11-25T09:10:00Z"}
	EOF
	run -1 --separate-stderr ft-update u.ndjson
	[ "$output" = '{"id":"e4","at":"2026-11-25T09:00:00Z","status":"rejected","from":"dispatched"}' ]
	[[ "$stderr" == *'ft-update: u.ndjson:2: a dispatch names the unit (field "unit")'* ]]
	[[ "$stderr" == *"2 records: 1 status changes, 0 ratings, 0 unchanged, 1 rejected"* ]]
	[ "$(sql "select status, unit from events where id = 'e4'")" = "rejected|dep1" ]
}

@test "ft-update lifecycle: rejected -> dispatched to an unknown unit is refused" {
	cat > u.ndjson <<-'EOF'
	{"id":"e4","status":"rejected","at":"2026-11-25T09:00:00Z"}
	{"id":"e4","status":"dispatched","unit":"g9","at":"2026-11-25T09:10:00Z"}
	EOF
	run -1 --separate-stderr ft-update u.ndjson
	[ "${#lines[@]}" = 1 ]
	[[ "$stderr" == *'ft-update: u.ndjson:2: field "unit": no unit "g9" in the database'* ]]
	[ "$(sql "select status, unit from events where id = 'e4'")" = "rejected|dep1" ]
	[ "$(sql "select count(*) from history where tool = 'ft-update'")" = 1 ]
}

@test "ft-update lifecycle: resolved -> reopened -> accepted" {
	cat > u.ndjson <<-'EOF'
	{"id":"e1","status":"accepted","at":"2026-11-25T09:00:00Z"}
	{"id":"e1","status":"resolved","at":"2026-11-25T09:30:00Z"}
	{"id":"e1","status":"reopened","at":"2026-11-25T10:00:00Z","note":"又坏了"}
	{"id":"e1","status":"accepted","at":"2026-11-25T10:10:00Z"}
	EOF
	run -0 --separate-stderr ft-update u.ndjson
	[ "${lines[2]}" = '{"id":"e1","note":"又坏了","at":"2026-11-25T10:00:00Z","status":"reopened","from":"resolved"}' ]
	[ "${lines[3]}" = '{"id":"e1","at":"2026-11-25T10:10:00Z","status":"accepted","from":"reopened"}' ]
	[ "$(sql "select status, status_at, outcome is null from events where id = 'e1'")" = "accepted|2026-11-25T10:10:00Z|1" ]
}

@test "ft-update lifecycle: closed -> reopened clears the outcome, a new closing sets it again" {
	run -0 --separate-stderr ft-update -q "$F/fixed.ndjson"
	[ "$(sql "select outcome from events where id = 'e1'")" = fixed ]
	echo '{"id":"e1","status":"reopened","at":"2026-11-25T11:30:00Z","note":"又坏了"}' > u.ndjson
	run -0 --separate-stderr ft-update u.ndjson
	[ "$output" = '{"id":"e1","note":"又坏了","at":"2026-11-25T11:30:00Z","status":"reopened","from":"closed"}' ]
	[ "$(sql "select status, outcome is null from events where id = 'e1'")" = "reopened|1" ]
	echo '{"id":"e1","status":"closed","at":"2026-11-25T11:40:00Z"}' > u2.ndjson
	run -0 --separate-stderr ft-update u2.ndjson
	[ "$output" = '{"id":"e1","at":"2026-11-25T11:40:00Z","status":"closed","from":"reopened","outcome":"not fixed"}' ]
	[ "$(sql "select status, outcome from events where id = 'e1'")" = "closed|not fixed" ]
}

@test "ft-update lifecycle: duplicate -> closed, outcome duplicate" {
	[ "$(sql "select duplicate_of from events where id = 'e3'")" = e2 ]
	echo '{"id":"e3","status":"closed","at":"2026-11-25T09:00:00Z"}' > u.ndjson
	run -0 --separate-stderr ft-update u.ndjson
	[ "$output" = '{"id":"e3","at":"2026-11-25T09:00:00Z","status":"closed","from":"duplicate","outcome":"duplicate"}' ]
	[ "$(sql "select status, outcome, duplicate_of from events where id = 'e3'")" = "closed|duplicate|e2" ]
	[ "$(sql "select status from events where id = 'e2'")" = dispatched ]
	[ "$(upd_hist)" = 'e3|2026-11-25T09:00:00Z|tester|status|duplicate|closed|{"outcome":"duplicate"}' ]
}

@test "ft-update lifecycle: the other allowed transitions" {
	cat > u.ndjson <<-'EOF'
	{"id":"e5","status":"rejected","at":"2026-11-25T09:00:00Z"}
	{"id":"e5","status":"dispatched","unit":"dep1","at":"2026-11-25T09:10:00Z"}
	{"id":"e2","status":"rejected","at":"2026-11-25T09:00:00Z"}
	{"id":"e2","status":"closed","at":"2026-11-25T09:10:00Z"}
	{"id":"e1","status":"accepted","at":"2026-11-25T09:00:00Z"}
	{"id":"e1","status":"rejected","at":"2026-11-25T09:10:00Z"}
	{"id":"e3","status":"reopened","at":"2026-11-25T09:00:00Z"}
	{"id":"e3","status":"dispatched","unit":"s1","at":"2026-11-25T09:10:00Z"}
	{"id":"e4","status":"accepted","at":"2026-11-25T09:00:00Z"}
	{"id":"e4","status":"resolved","at":"2026-11-25T09:10:00Z"}
	{"id":"e4","status":"reopened","at":"2026-11-25T09:20:00Z"}
	{"id":"e4","status":"resolved","at":"2026-11-25T09:30:00Z"}
	{"id":"e4","status":"reopened","at":"2026-11-25T09:40:00Z"}
	{"id":"e4","status":"closed","at":"2026-11-25T09:50:00Z"}
	EOF
	run -0 --separate-stderr ft-update u.ndjson
	[ "${#lines[@]}" = 14 ]
	[[ "$stderr" == *"14 records: 14 status changes, 0 ratings, 0 unchanged, 0 rejected"* ]]
	[ "$(sql "select group_concat(from_status || '>' || to_status, ' ') from (select * from history where tool = 'ft-update' order by seq)")" = "new>rejected rejected>dispatched dispatched>rejected rejected>closed dispatched>accepted accepted>rejected duplicate>reopened reopened>dispatched dispatched>accepted accepted>resolved resolved>reopened reopened>resolved resolved>reopened reopened>closed" ]
	[ "$(states)" = "e1:rejected e2:closed e3:dispatched e4:closed e5:dispatched" ]
	# A dispatch by hand of an event never dispatched: its unit and time.
	[ "$(sql "select unit, dispatched_at from events where id = 'e5'")" = "dep1|2026-11-25T09:10:00Z" ]
	[ "$(sql "select unit from events where id = 'e3'")" = s1 ]
	[ "$(sql "select group_concat(id || ':' || outcome, ' ') from (select * from events where outcome is not null order by id)")" = "e2:not fixed e4:not fixed" ]
}

# ---- the lifecycle: what is refused ----

@test "ft-update transitions: an invalid transition is refused (1) with the allowed ones; the valid records are applied" {
	run -1 --separate-stderr ft-update "$F/mixed.ndjson"
	[ "${lines[0]}" = '{"id":"e1","at":"2026-11-25T09:00:00Z","status":"accepted","from":"dispatched"}' ]
	[ "${lines[1]}" = '{"id":"e1","at":"2026-11-25T09:30:00Z","status":"resolved","from":"accepted"}' ]
	[ "${#lines[@]}" = 2 ]
	[[ "$stderr" == *"mixed.ndjson:1: cannot go from new to resolved (allowed: rejected,closed)"* ]]
	[[ "$stderr" == *"mixed.ndjson:3: cannot go from dispatched to resolved (allowed: accepted,rejected,closed)"* ]]
	[[ "$stderr" == *"mixed.ndjson:5: cannot go from resolved to accepted (allowed: closed,reopened)"* ]]
	[[ "$stderr" == *"mixed.ndjson:6: cannot go from duplicate to accepted (allowed: closed,reopened)"* ]]
	[[ "$stderr" == *"6 records: 2 status changes, 0 ratings, 0 unchanged, 4 rejected"* ]]
	[ "$(states)" = "e1:resolved e2:dispatched e3:duplicate e4:dispatched e5:new" ]
	[ "$(hist_count)" = 11 ]
}

@test "ft-update transitions: every pair of states, allowed or refused as the lifecycle says" {
	declare -A allowed=(
		[new]="rejected,closed"
		[dispatched]="accepted,rejected,closed"
		[accepted]="resolved,rejected,closed"
		[resolved]="closed,reopened"
		[closed]="reopened"
		[rejected]="dispatched,closed"
		[reopened]="accepted,resolved,dispatched,closed"
		[duplicate]="closed,reopened"
	)
	all="new dispatched accepted resolved closed rejected reopened duplicate"
	for from in $all; do
		sql "update events set status = '$from' where id = 'e2'"
		for to in $all; do
			echo "{\"id\":\"e2\",\"status\":\"$to\",\"unit\":\"dep1\",\"at\":\"2026-11-25T09:00:00Z\"}" > u.ndjson
			if [ "$to" = "$from" ]; then
				run -1 --separate-stderr ft-update -n u.ndjson
				[[ "$stderr" == *"u.ndjson:1: event is $from already"* ]]
			elif [[ ",${allowed[$from]}," == *",$to,"* ]]; then
				run -0 --separate-stderr ft-update -n u.ndjson
				[[ "$output" == *"\"status\":\"$to\",\"from\":\"$from\""* ]]
			else
				run -1 --separate-stderr ft-update -n u.ndjson
				[ -z "$output" ]
				[[ "$stderr" == *"u.ndjson:1: cannot go from $from to $to (allowed: ${allowed[$from]})"* ]]
			fi
		done
	done
	[ "$(hist_count)" = 9 ]
}

@test "ft-update transitions: new -> dispatched and new -> duplicate are ft-dispatch's" {
	printf '%s\n' '{"id":"e5","status":"dispatched","unit":"dep1","at":"2026-11-25T09:00:00Z"}' \
		'{"id":"e5","status":"duplicate","at":"2026-11-25T09:00:00Z"}' > u.ndjson
	run -1 --separate-stderr ft-update u.ndjson
	[ -z "$output" ]
	[[ "$stderr" == *"u.ndjson:1: cannot go from new to dispatched (allowed: rejected,closed)"* ]]
	[[ "$stderr" == *"u.ndjson:2: cannot go from new to duplicate (allowed: rejected,closed)"* ]]
	[ "$(sql "select status, dispatched_at is null from events where id = 'e5'")" = "new|1" ]
}

@test "ft-update transitions: the status it has already is refused" {
	echo '{"id":"e1","status":"dispatched","unit":"g1","at":"2026-11-25T09:00:00Z"}' > u.ndjson
	run -1 --separate-stderr ft-update u.ndjson
	[ -z "$output" ]
	[[ "$stderr" == *"u.ndjson:1: event is dispatched already"* ]]
	[ "$(hist_count)" = 9 ]
}

@test "ft-update transitions: a status that is not a state, or no status and no rating, is refused" {
	printf '%s\n' '{"id":"e1","status":"done","at":"2026-11-25T09:00:00Z"}' \
		'{"id":"e1","note":"nothing","at":"2026-11-25T09:00:00Z"}' > u.ndjson
	run -1 --separate-stderr ft-update u.ndjson
	[ -z "$output" ]
	[[ "$stderr" == *'u.ndjson:1: field "status": not a state (new, dispatched, accepted, resolved, closed, rejected, reopened, duplicate)'* ]]
	[[ "$stderr" == *'u.ndjson:2: neither "status" nor "rating": nothing to apply'* ]]
	[ "$(hist_count)" = 9 ]
}

# ---- ratings ----

@test "ft-update ratings: a resolved case is rated: rating, rating_comment, rated_at and a 'rate' entry" {
	cat > u.ndjson <<-'EOF'
	{"id":"e1","status":"accepted","at":"2026-11-25T09:00:00Z"}
	{"id":"e1","status":"resolved","at":"2026-11-25T09:30:00Z"}
	{"id":"e1","rating":5,"comment":"很快就修好了","at":"2026-11-25T10:00:00Z","by":"居民"}
	EOF
	run -0 --separate-stderr ft-update u.ndjson
	[ "${lines[2]}" = '{"id":"e1","rating":5,"comment":"很快就修好了","by":"居民","at":"2026-11-25T10:00:00Z","status":"resolved"}' ]
	[[ "$stderr" == *"3 records: 2 status changes, 1 ratings, 0 unchanged, 0 rejected"* ]]
	[ "$(sql "select status, rating, rating_comment, rated_at from events where id = 'e1'")" = "resolved|5|很快就修好了|2026-11-25T10:00:00Z" ]
	[ "$(sql "select id, at, by, action, from_status, to_status, detail from history where action = 'rate'")" = 'e1|2026-11-25T10:00:00Z|居民|rate|resolved|resolved|{"rating":5,"comment":"很快就修好了"}' ]
}

@test "ft-update ratings: a closed case is rated, its outcome kept" {
	ft-update -q "$F/fixed.ndjson"
	echo '{"id":"e1","rating":2,"at":"2026-11-25T11:30:00Z"}' > u.ndjson
	run -0 --separate-stderr ft-update u.ndjson
	[ "$output" = '{"id":"e1","rating":2,"at":"2026-11-25T11:30:00Z","status":"closed"}' ]
	[ "$(sql "select status, outcome, rating, rating_comment is null, rated_at from events where id = 'e1'")" = "closed|fixed|2|1|2026-11-25T11:30:00Z" ]
	[ "$(sql "select detail from history where action = 'rate'")" = '{"rating":2}' ]
}

@test "ft-update ratings: a case not resolved or closed is refused (not handled yet)" {
	cat > u.ndjson <<-'EOF'
	{"id":"e2","rating":1,"at":"2026-11-25T09:00:00Z"}
	{"id":"e5","rating":1,"at":"2026-11-25T09:00:00Z"}
	{"id":"e3","rating":1,"at":"2026-11-25T09:00:00Z"}
	{"id":"e1","status":"accepted","at":"2026-11-25T09:00:00Z"}
	{"id":"e1","rating":1,"at":"2026-11-25T09:10:00Z"}
	EOF
	run -1 --separate-stderr ft-update u.ndjson
	[ "$output" = '{"id":"e1","at":"2026-11-25T09:00:00Z","status":"accepted","from":"dispatched"}' ]
	[[ "$stderr" == *"u.ndjson:1: a rating needs a resolved or closed case; this one is dispatched (not handled yet)"* ]]
	[[ "$stderr" == *"u.ndjson:2: a rating needs a resolved or closed case; this one is new (not handled yet)"* ]]
	[[ "$stderr" == *"u.ndjson:3: a rating needs a resolved or closed case; this one is duplicate (not handled yet)"* ]]
	[[ "$stderr" == *"u.ndjson:5: a rating needs a resolved or closed case; this one is accepted (not handled yet)"* ]]
	[[ "$stderr" == *"5 records: 1 status changes, 0 ratings, 0 unchanged, 4 rejected"* ]]
	[ "$(sql 'select count(*) from events where rating is not null or rated_at is not null')" = 0 ]
	[ "$(sql "select count(*) from history where action = 'rate'")" = 0 ]
}

@test "ft-update ratings: out of range or not a whole number is refused" {
	cat > u.ndjson <<-'EOF'
	{"id":"e1","status":"accepted","at":"2026-11-25T09:00:00Z"}
	{"id":"e1","status":"resolved","at":"2026-11-25T09:30:00Z"}
	{"id":"e1","rating":0,"at":"2026-11-25T10:00:00Z"}
	{"id":"e1","rating":6,"at":"2026-11-25T10:00:00Z"}
	{"id":"e1","rating":-1,"at":"2026-11-25T10:00:00Z"}
	{"id":"e1","rating":4.5,"at":"2026-11-25T10:00:00Z"}
	{"id":"e1","rating":"five","at":"2026-11-25T10:00:00Z"}
	{"id":"e1","rating":true,"at":"2026-11-25T10:00:00Z"}
	{"id":"e1","rating":[3],"at":"2026-11-25T10:00:00Z"}
	EOF
	run -1 --separate-stderr ft-update u.ndjson
	[ "${#lines[@]}" = 2 ]
	for n in 3 4 5 6 7 8 9; do
		[[ "$stderr" == *"u.ndjson:$n: field \"rating\": not a whole number from 1 to 5"* ]]
	done
	[[ "$stderr" == *"9 records: 2 status changes, 0 ratings, 0 unchanged, 7 rejected"* ]]
	[ "$(sql "select rating is null, rated_at is null from events where id = 'e1'")" = "1|1" ]
	[ "$(sql "select count(*) from history where action = 'rate'")" = 0 ]
}

@test "ft-update ratings: a status change and a rating in one record" {
	printf '%s\n' '{"id":"e1","status":"accepted","at":"2026-11-25T09:00:00Z"}' \
		'{"id":"e1","status":"resolved","rating":3,"comment":"一般","at":"2026-11-25T09:30:00Z"}' > u.ndjson
	run -0 --separate-stderr ft-update u.ndjson
	[ "${lines[1]}" = '{"id":"e1","rating":3,"comment":"一般","at":"2026-11-25T09:30:00Z","status":"resolved","from":"accepted"}' ]
	[[ "$stderr" == *"2 records: 2 status changes, 1 ratings, 0 unchanged, 0 rejected"* ]]
	[ "$(sql "select status, rating, rating_comment, rated_at from events where id = 'e1'")" = "resolved|3|一般|2026-11-25T09:30:00Z" ]
	[ "$(sql "select group_concat(action, ' ') from (select * from history where tool = 'ft-update' order by seq)")" = "status status rate" ]
}

# ---- idempotency ----

@test "ft-update idempotency: the same file twice: 0 then 0, all unchanged, nothing printed, the database identical" {
	run -0 --separate-stderr ft-update "$F/twice.ndjson"
	[ "${#lines[@]}" = 10 ]
	[[ "$stderr" == *"10 records: 9 status changes, 1 ratings, 0 unchanged, 0 rejected"* ]]
	before=$(dump)
	run -0 --separate-stderr ft-update "$F/twice.ndjson"
	[ -z "$output" ]
	[[ "$stderr" == *"ft-update: 10 records: 0 status changes, 0 ratings, 10 unchanged, 0 rejected ("* ]]
	[ "$(dump)" = "$before" ]
	[ "$(hist_count)" = 19 ]
	[ "$(states)" = "e1:closed e2:dispatched e3:closed e4:dispatched e5:closed" ]
}

@test "ft-update idempotency: a file with rejects twice: 1 both times, the applied records unchanged" {
	run -1 --separate-stderr ft-update "$F/mixed.ndjson"
	before=$(dump)
	run -1 --separate-stderr ft-update "$F/mixed.ndjson"
	[ -z "$output" ]
	[[ "$stderr" == *"6 records: 0 status changes, 0 ratings, 2 unchanged, 4 rejected"* ]]
	[ "$(dump)" = "$before" ]
}

@test "ft-update idempotency: changes at the same instant are each applied, none taken for a repeat" {
	cat > u.ndjson <<-'EOF'
	{"id":"e2","status":"accepted","at":"2026-11-25T10:00"}
	{"id":"e2","status":"resolved","at":"2026-11-25T10:00"}
	{"id":"e2","status":"reopened","at":"2026-11-25T10:00"}
	{"id":"e2","status":"resolved","at":"2026-11-25T10:00"}
	EOF
	run -0 --separate-stderr ft-update u.ndjson
	[ "${#lines[@]}" = 4 ]
	[ "${lines[3]}" = '{"id":"e2","at":"2026-11-25T10:00:00Z","status":"resolved","from":"reopened"}' ]
	[[ "$stderr" == *"4 records: 4 status changes, 0 ratings, 0 unchanged, 0 rejected"* ]]
	[ "$(sql "select status from events where id = 'e2'")" = resolved ]
	[ "$(hist_count)" = 13 ]
}

# ---- "at" ----

@test "ft-update at: a missing at is --now, else FT_NOW" {
	echo '{"id":"e1","status":"accepted"}' > u.ndjson
	run -0 --separate-stderr ft-update --now 2026-11-25T11:00:00Z u.ndjson
	[ "$output" = '{"id":"e1","at":"2026-11-25T11:00:00Z","status":"accepted","from":"dispatched"}' ]
	echo '{"id":"e2","status":"accepted"}' > u2.ndjson
	run -0 --separate-stderr ft-update u2.ndjson
	[ "$output" = '{"id":"e2","at":"2026-11-25T12:00:00Z","status":"accepted","from":"dispatched"}' ]
	[ "$(sql "select group_concat(id || '@' || status_at, ' ') from (select * from events where id in ('e1', 'e2') order by id)")" = "e1@2026-11-25T11:00:00Z e2@2026-11-25T12:00:00Z" ]
	[ "$(sql "select group_concat(at, ' ') from (select * from history where tool = 'ft-update' order by seq)")" = "2026-11-25T11:00:00Z 2026-11-25T12:00:00Z" ]
}

@test "ft-update at: before the event was reported is refused" {
	echo '{"id":"e1","status":"accepted","at":"2026-11-20T07:59:59Z"}' > u.ndjson
	run -1 --separate-stderr ft-update u.ndjson
	[ -z "$output" ]
	[[ "$stderr" == *'ft-update: u.ndjson:1: field "at": before the event was reported'* ]]
	[ "$(sql "select status from events where id = 'e1'")" = dispatched ]
}

@test "ft-update at: before the event's last change is refused, at the same instant accepted" {
	echo '{"id":"e1","status":"accepted","at":"2026-11-20T23:59:59Z"}' > u.ndjson
	run -1 --separate-stderr ft-update u.ndjson
	[ -z "$output" ]
	[[ "$stderr" == *"u.ndjson:1: field \"at\": before the event's last change (2026-11-21T00:00:00Z)"* ]]
	echo '{"id":"e1","status":"accepted","at":"2026-11-21T00:00:00Z"}' > u2.ndjson
	run -0 --separate-stderr ft-update u2.ndjson
	[ "$output" = '{"id":"e1","at":"2026-11-21T00:00:00Z","status":"accepted","from":"dispatched"}' ]
	# The last change is now that acceptance.
	echo '{"id":"e1","status":"resolved","at":"2026-11-20T23:00:00Z"}' > u3.ndjson
	run -1 --separate-stderr ft-update u3.ndjson
	[[ "$stderr" == *"u3.ndjson:1: field \"at\": before the event's last change (2026-11-21T00:00:00Z)"* ]]
	[ "$(sql "select status from events where id = 'e1'")" = accepted ]
}

@test "ft-update at: more than 5 minutes after now is refused, 5 minutes is accepted" {
	printf '%s\n' '{"id":"e1","status":"accepted","at":"2026-11-25T12:05:01Z"}' \
		'{"id":"e2","status":"accepted","at":"2026-11-25T12:05:00Z"}' > u.ndjson
	run -1 --separate-stderr ft-update u.ndjson
	[ "$output" = '{"id":"e2","at":"2026-11-25T12:05:00Z","status":"accepted","from":"dispatched"}' ]
	[[ "$stderr" == *'ft-update: u.ndjson:1: field "at": in the future'* ]]
	echo '{"id":"e4","status":"accepted","at":"2026-11-25T09:00:00Z"}' > u2.ndjson
	run -1 --separate-stderr ft-update --now 2026-11-25T08:00:00Z u2.ndjson
	[[ "$stderr" == *'u2.ndjson:1: field "at": in the future'* ]]
	[ "$(states)" = "e1:dispatched e2:accepted e3:duplicate e4:dispatched e5:new" ]
}

@test "ft-update at: an unparsable at is refused, the field named" {
	printf '%s\n' '{"id":"e1","status":"accepted","at":"yesterday"}' \
		'{"id":"e2","status":"accepted","at":"2026-13-45T00:00:00Z"}' > u.ndjson
	run -1 --separate-stderr ft-update u.ndjson
	[ -z "$output" ]
	[[ "$stderr" == *'ft-update: u.ndjson:1: field "at": not an ISO 8601 time or epoch seconds'* ]]
	[[ "$stderr" == *'ft-update: u.ndjson:2: field "at": '* ]]
	[ "$(hist_count)" = 9 ]
}

@test "ft-update at: a time without an offset is read in --tz" {
	echo '{"id":"e1","status":"accepted","at":"2026-11-25T17:00"}' > u.ndjson
	run -0 --separate-stderr ft-update --tz Asia/Shanghai u.ndjson
	[ "$output" = '{"id":"e1","at":"2026-11-25T09:00:00Z","status":"accepted","from":"dispatched"}' ]
	echo '{"id":"e2","status":"accepted","at":"2026-11-25T09:00"}' > u2.ndjson
	run -0 --separate-stderr ft-update u2.ndjson
	[ "$output" = '{"id":"e2","at":"2026-11-25T09:00:00Z","status":"accepted","from":"dispatched"}' ]
}

# ---- records that cannot be applied ----

@test "ft-update records: a missing id is refused" {
	printf '%s\n' '{"status":"closed","at":"2026-11-25T09:00:00Z"}' '{"id":"","status":"closed"}' > u.ndjson
	run -1 --separate-stderr ft-update u.ndjson
	[ -z "$output" ]
	[[ "$stderr" == *'ft-update: u.ndjson:1: field "id": missing'* ]]
	[[ "$stderr" == *'ft-update: u.ndjson:2: field "id": missing'* ]]
	[ "$(hist_count)" = 9 ]
}

@test "ft-update records: an unknown id is refused" {
	echo '{"id":"e99","status":"closed","at":"2026-11-25T09:00:00Z"}' > u.ndjson
	run -1 --separate-stderr ft-update u.ndjson
	[ -z "$output" ]
	[[ "$stderr" == *'ft-update: u.ndjson:1: id "e99": not in the database'* ]]
	[ "$(sql "select count(*) from events where id = 'e99'")" = 0 ]
	[ "$(hist_count)" = 9 ]
}

@test "ft-update records: a line that is not an object is refused" {
	printf '%s\n' '["e1","closed"]' '"e1"' '42' > u.ndjson
	run -1 --separate-stderr ft-update u.ndjson
	[ -z "$output" ]
	[[ "$stderr" == *'u.ndjson:1: not a JSON object'* ]]
	[[ "$stderr" == *'u.ndjson:2: not a JSON object'* ]]
	[[ "$stderr" == *'u.ndjson:3: not a JSON object'* ]]
	[[ "$stderr" == *"3 records: 0 status changes, 0 ratings, 0 unchanged, 3 rejected"* ]]
}

@test "ft-update records: by, note and unit must be text" {
	printf '%s\n' '{"id":"e1","status":"accepted","by":["x"]}' '{"id":"e1","status":"accepted","note":{"a":1}}' > u.ndjson
	run -1 --separate-stderr ft-update u.ndjson
	[ -z "$output" ]
	[[ "$stderr" == *'u.ndjson:1: fields "by", "note" and "unit" are text'* ]]
	[[ "$stderr" == *'u.ndjson:2: fields "by", "note" and "unit" are text'* ]]
}

@test "ft-update records: a bad JSON line is refused, the good lines still applied" {
	run -1 --separate-stderr ft-update "$F/bad.ndjson"
	[ "${lines[0]}" = '{"id":"e1","at":"2026-11-25T09:00:00Z","status":"accepted","from":"dispatched"}' ]
	[ "${lines[1]}" = '{"id":"e2","at":"2026-11-25T09:00:00Z","status":"closed","from":"dispatched","outcome":"not fixed"}' ]
	[ "${#lines[@]}" = 2 ]
	[[ "$stderr" == *'bad.ndjson:1: field "id": missing'* ]]
	[[ "$stderr" == *'bad.ndjson:3: id "nope": not in the database'* ]]
	[[ "$stderr" == *'bad.ndjson:4: not a JSON object'* ]]
	[[ "$stderr" == *"bad.ndjson:5: invalid JSON: expected ',' or '}' (column 12)"* ]]
	[[ "$stderr" == *"6 records: 2 status changes, 0 ratings, 0 unchanged, 4 rejected"* ]]
	[ "$(states)" = "e1:accepted e2:closed e3:duplicate e4:dispatched e5:new" ]
}

# ---- --dry-run ----

@test "ft-update dry-run: prints what a real run prints, stores nothing" {
	before=$(dump)
	run -0 --separate-stderr ft-update --dry-run "$F/twice.ndjson"
	dry=$output
	[ "${#lines[@]}" = 10 ]
	[[ "$stderr" == *"10 records: 9 status changes, 1 ratings, 0 unchanged, 0 rejected; dry run: nothing stored ("* ]]
	[ "$(dump)" = "$before" ]
	[ "$(hist_count)" = 9 ]
	run -1 --separate-stderr ft-update -n "$F/mixed.ndjson"
	[ "${#lines[@]}" = 2 ]
	[[ "$stderr" == *"mixed.ndjson:1: cannot go from new to resolved (allowed: rejected,closed)"* ]]
	[ "$(dump)" = "$before" ]
	run -0 --separate-stderr ft-update "$F/twice.ndjson"
	[ "$output" = "$dry" ]
}

@test "ft-update dry-run: a later file sees the changes of the files before it, as in a real run" {
	head -n 1 "$F/fixed.ndjson" > a.ndjson
	tail -n 2 "$F/fixed.ndjson" > b.ndjson
	before=$(dump)
	run -0 --separate-stderr ft-update -n a.ndjson b.ndjson
	dry=$output
	[ "${#lines[@]}" = 3 ]
	[ "${lines[2]}" = '{"id":"e1","at":"2026-11-25T11:00:00Z","status":"closed","from":"resolved","outcome":"fixed"}' ]
	[[ "$stderr" == *"3 records: 3 status changes, 0 ratings, 0 unchanged, 0 rejected; dry run: nothing stored"* ]]
	[ "$(dump)" = "$before" ]
	run -0 --separate-stderr ft-update a.ndjson b.ndjson
	[ "$output" = "$dry" ]
}

# ---- --rejects ----

@test "ft-update rejects: --rejects FILE gets each rejected record with file, line and reason (mode 0600)" {
	cp "$F/mixed.ndjson" .
	run -1 --separate-stderr ft-update --rejects rej.ndjson mixed.ndjson
	[ "$(stat -c %a rej.ndjson)" = 600 ]
	[ "$(wc -l < rej.ndjson)" = 4 ]
	[ "$(sed -n 1p rej.ndjson)" = '{"file":"mixed.ndjson","line":1,"reason":"cannot go from new to resolved (allowed: rejected,closed)","raw":"{\"id\":\"e5\",\"status\":\"resolved\",\"at\":\"2026-11-25T09:00:00Z\"}","record":{"id":"e5","status":"resolved","at":"2026-11-25T09:00:00Z"}}' ]
	[ "$(sed -n 2p rej.ndjson)" = '{"file":"mixed.ndjson","line":3,"reason":"cannot go from dispatched to resolved (allowed: accepted,rejected,closed)","raw":"{\"id\":\"e2\",\"status\":\"resolved\",\"at\":\"2026-11-25T09:00:00Z\"}","record":{"id":"e2","status":"resolved","at":"2026-11-25T09:00:00Z"}}' ]
	[[ "$(sed -n 3p rej.ndjson)" == '{"file":"mixed.ndjson","line":5,"reason":"cannot go from resolved to accepted (allowed: closed,reopened)",'* ]]
	[[ "$(sed -n 4p rej.ndjson)" == '{"file":"mixed.ndjson","line":6,"reason":"cannot go from duplicate to accepted (allowed: closed,reopened)",'* ]]
	cp "$F/bad.ndjson" .
	run -1 --separate-stderr ft-update -r rej2.ndjson bad.ndjson
	[ "$(sed -n 4p rej2.ndjson)" = '{"file":"bad.ndjson","line":5,"reason":"invalid JSON: expected '"','"' or '"'}'"' (column 12)","raw":"{\"id\":\"e2\" \"status\":\"closed\"}"}' ]
	[ "$(wc -l < rej2.ndjson)" = 4 ]
}

@test "ft-update rejects: an unwritable --rejects path is 73, nothing stored" {
	before=$(dump)
	run -73 --separate-stderr ft-update -r /nonexistent/dir/rej.ndjson "$F/fixed.ndjson"
	[ -z "$output" ]
	[[ "$stderr" == *"ft-update: /nonexistent/dir/rej.ndjson: cannot create: No such file or directory"* ]]
	[ "$(dump)" = "$before" ]
}

# ---- the history ----

@test "ft-update history: each change is one entry: tool, by, action, from/to, detail with the note" {
	run -0 --separate-stderr ft-update "$F/fixed.ndjson"
	[ "$(upd_hist)" = 'e1|2026-11-25T09:00:00Z|王工|status|dispatched|accepted|{"note":"到场"}
e1|2026-11-25T10:00:00Z|tester|status|accepted|resolved|{"note":"换了灯泡"}
e1|2026-11-25T11:00:00Z|tester|status|resolved|closed|{"outcome":"fixed"}' ]
	[ "$(hist_count)" = 12 ]
	[ "$(sql 'select group_concat(distinct tool) from history where seq > 9')" = ft-update ]
	[ "$(sql "select count(*) from history where seq > 9 and (kind != 'event' or hash is null or length(hash) != 64)")" = 0 ]
	# Refused and unchanged records leave no entry.
	run -1 --separate-stderr ft-update "$F/fixed.ndjson" "$F/mixed.ndjson"
	[ "$(hist_count)" = 12 ]
}

@test "ft-update history: by defaults to FT_USER, else the login name" {
	echo '{"id":"e1","status":"accepted","at":"2026-11-25T09:00:00Z"}' > u.ndjson
	FT_USER=李四 ft-update -q u.ndjson
	echo '{"id":"e2","status":"accepted","at":"2026-11-25T09:00:00Z"}' > u2.ndjson
	env -u FT_USER ft-update -q u2.ndjson
	echo '{"id":"e4","status":"accepted","at":"2026-11-25T09:00:00Z"}' > u3.ndjson
	FT_USER='' ft-update -q u3.ndjson
	me=$(id -un)
	[ "$(sql "select group_concat(by, ' ') from (select * from history where tool = 'ft-update' order by seq)")" = "李四 $me $me" ]
}

@test "ft-update history: each hash is the SHA-256 of the previous hash and the entry's json_array" {
	ft-update -q "$F/twice.ndjson"
	prev=
	n=0
	for seq in $(sql 'select seq from history order by seq'); do
		row=$(sql "select json_array(kind, id, at, tool, by, action, from_status, to_status, detail, ingest) from history where seq = $seq")
		want=$(printf '%s%s' "$prev" "$row" | sha256sum | cut -c1-64)
		[ "$(sql "select hash from history where seq = $seq")" = "$want" ]
		prev=$want
		n=$((n + 1))
	done
	[ "$n" = 19 ]
}

# ---- --verify ----

@test "ft-update verify: an intact chain is 0, prints the entries and the head, stores nothing" {
	ft-update -q "$F/fixed.ndjson"
	before=$(dump)
	head=$(sql 'select hash from history order by seq desc limit 1')
	[[ "$head" =~ ^[0-9a-f]{64}$ ]]
	run -0 --separate-stderr ft-update --verify
	[ "$output" = "{\"entries\":12,\"head\":\"$head\"}" ]
	[[ "$stderr" == *"the history is intact: 12 entries chained"* ]]
	[ "$(dump)" = "$before" ]
}

@test "ft-update verify: an altered detail is 65, the entry named" {
	ft-update -q "$F/fixed.ndjson"
	sql "drop trigger history_no_update; update history set detail = '{\"note\":\"forged\"}' where seq = 11"
	run -65 --separate-stderr ft-update --verify
	[ -z "$output" ]
	[[ "$stderr" == *"ft-update: $FT_DB: history entry 11: hash does not match: the chain breaks here"* ]]
}

@test "ft-update verify: an altered by is 65, the entry named" {
	ft-update -q "$F/fixed.ndjson"
	sql "drop trigger history_no_update; update history set by = 'mallory' where seq = 10"
	run -65 --separate-stderr ft-update --verify
	[ -z "$output" ]
	[[ "$stderr" == *"history entry 10: hash does not match: the chain breaks here"* ]]
	# The shared entry of the events ingested, too.
	sql "update history set by = 'tester' where seq = 10; update history set by = 'mallory' where seq = 5"
	run -65 --separate-stderr ft-update --verify
	[[ "$stderr" == *"history entry 5: hash does not match"* ]]
}

@test "ft-update verify: the events a load logged as one entry are checked: an id changed, an event deleted or added is 65" {
	# Entry 5 logged the 5 events of the fixture, seq 1 to 5.
	[ "$(sql "select json_extract(detail, '$.events') || ' ' || json_extract(detail, '$.first_seq') || '-' || json_extract(detail, '$.last_seq') from history where seq = 5 and id = ''")" = "5 1-5" ]
	cp "$FT_DB" intact.db
	sql "update events set id = 'e2x' where id = 'e2'"
	run -65 --separate-stderr ft-update --verify
	[ -z "$output" ]
	[ "$stderr" = "ft-update: $FT_DB: history entry 5: the 5 events it logged as loaded (seq 1 to 5) are not as logged: an event's id was changed" ]
	cp intact.db "$FT_DB"
	sql "delete from events where id = 'e5'"
	run -65 --separate-stderr ft-update --verify
	[ "$stderr" = "ft-update: $FT_DB: history entry 5: the 5 events it logged as loaded (seq 1 to 5) are not as logged: an event was deleted or added" ]
	# An event slipped into the range by hand.
	cp intact.db "$FT_DB"
	sql "delete from events where id = 'e5'; insert into events(seq, id, category, reported_at, raw) values (5, 'forged', 'x', '2026-11-20T00:00:00Z', '{}')"
	run -65 --separate-stderr ft-update --verify
	[[ "$stderr" == *"history entry 5: the 5 events it logged as loaded (seq 1 to 5) are not as logged: an event's id was changed" ]]
	cp intact.db "$FT_DB"
	run -0 --separate-stderr ft-update --verify
}

@test "ft-update verify: an entry without a hash is 65, the entry named" {
	ft-update -q "$F/fixed.ndjson"
	sql "drop trigger history_no_update; update history set hash = null where seq = 12"
	run -65 --separate-stderr ft-update --verify
	[ -z "$output" ]
	[[ "$stderr" == *"history entry 12: no hash: the chain breaks here"* ]]
}

@test "ft-update verify: a deleted middle entry is 65, the entry after it named" {
	ft-update -q "$F/fixed.ndjson"
	sql "drop trigger history_no_delete; delete from history where seq = 11"
	run -65 --separate-stderr ft-update --verify
	[ -z "$output" ]
	[[ "$stderr" == *"history entry 12: hash does not match: the chain breaks here"* ]]
}

@test "ft-update verify: a truncated chain is intact, only its head tells" {
	ft-update -q "$F/fixed.ndjson"
	run -0 --separate-stderr ft-update --verify
	full=$output
	sql "drop trigger history_no_delete; delete from history where seq = 12"
	run -0 --separate-stderr ft-update --verify
	[ "$output" = "{\"entries\":11,\"head\":\"$(sql 'select hash from history where seq = 11')\"}" ]
	[ "$output" != "$full" ]
}

@test "ft-update verify: with a FILE, --dry-run or --rejects is a usage error (64)" {
	run -64 --separate-stderr ft-update --verify "$F/fixed.ndjson"
	[ -z "$output" ]
	[[ "$stderr" == *"ft-update: --verify reads the database alone"* ]]
	run -64 --separate-stderr ft-update --verify -n
	[[ "$stderr" == *"--verify reads the database alone"* ]]
	run -64 --separate-stderr ft-update --verify -r rej.ndjson
	[[ "$stderr" == *"--verify reads the database alone"* ]]
	[ ! -e rej.ndjson ]
	[ "$(sql "select status from events where id = 'e1'")" = dispatched ]
}

# ---- CSV ----

@test "ft-update csv: a CSV file with header id,status,at" {
	cp "$F/updates.csv" .
	run -1 --separate-stderr ft-update updates.csv
	[ "${lines[0]}" = '{"id":"e1","at":"2026-11-25T09:00:00Z","status":"accepted","from":"dispatched"}' ]
	[ "${lines[1]}" = '{"id":"e2","at":"2026-11-25T09:30:00Z","status":"closed","from":"dispatched","outcome":"not fixed"}' ]
	[ "${lines[2]}" = '{"id":"e1","at":"2026-11-25T10:00:00Z","status":"resolved","from":"accepted"}' ]
	[ "${#lines[@]}" = 3 ]
	[[ "$stderr" == *"ft-update: updates.csv:4: cannot go from new to resolved (allowed: rejected,closed)"* ]]
	[[ "$stderr" == *"4 records: 3 status changes, 0 ratings, 0 unchanged, 1 rejected"* ]]
	[ "$(states)" = "e1:resolved e2:closed e3:duplicate e4:dispatched e5:new" ]
}

@test "ft-update csv: ratings from CSV cells, empty cells absent" {
	printf 'id,status,at,rating,comment\ne1,accepted,2026-11-25T09:00:00Z,,\ne1,resolved,2026-11-25T09:30:00Z,,\ne1,,2026-11-25T10:00:00Z,4,还行\n' > r.csv
	run -0 --separate-stderr ft-update r.csv
	[ "${#lines[@]}" = 3 ]
	[[ "$stderr" == *"3 records: 2 status changes, 1 ratings, 0 unchanged, 0 rejected"* ]]
	[ "$(sql "select status, rating, typeof(rating), rating_comment, rated_at from events where id = 'e1'")" = "resolved|4|integer|还行|2026-11-25T10:00:00Z" ]
}

@test "ft-update pipeline: each change is stored and printed as it comes, with no lock held while the input waits" {
	feed_start ft-update
	echo '{"id":"e1","status":"accepted","at":"2026-11-22T00:00:00Z","by":"w"}' >&7
	lines_within out.ndjson 1
	[ "$(sql "select status from events where id = 'e1'")" = accepted ]
	# Another tool writes at once, while ft-update waits for more (and
	# rejects e5, which no rule matches: 1, not 75).
	FT_BUSY_TIMEOUT=2000 run -1 --separate-stderr ft-dispatch -q --rules "$F/rules.json" --now 2026-11-21T00:00:00Z --pending
	[[ "$stderr" == *'"e5": no rule matches it'* ]]
	echo '{"id":"e2","status":"accepted","at":"2026-11-22T00:00:00Z","by":"w"}' >&7
	lines_within out.ndjson 2
	feed_end
	run jq -r '"\(.id)=\(.status)"' out.ndjson
	[ "$output" = 'e1=accepted
e2=accepted' ]
	[[ "$(cat err.txt)" == "ft-update: 2 records: 2 status changes, 0 ratings, 0 unchanged, 0 rejected ("* ]]
}

# ---- a batch that does not commit ----

# trap_commit WHEN: from now on, a COMMIT of an update of an event's status
# for which WHEN holds fails: the trigger breaks a deferred foreign key,
# which SQLite checks only at COMMIT.
trap_commit() {
	sql "CREATE TABLE trap(x TEXT REFERENCES units(id) DEFERRABLE INITIALLY DEFERRED);
	     CREATE TRIGGER trap_events AFTER UPDATE OF status ON events WHEN $1 BEGIN INSERT INTO trap VALUES ('no such unit'); END;"
}

@test "ft-update batch: a file whose COMMIT fails prints and counts none of its changes (70); without the trap a rerun applies them" {
	echo '{"id":"e1","status":"accepted","at":"2026-11-22T00:00:00Z"}' > one.ndjson
	printf '%s\n' '{"id":"e2","status":"accepted","at":"2026-11-22T00:00:00Z"}' '{"id":"e4","status":"accepted","at":"2026-11-22T00:00:00Z"}' > two.ndjson
	trap_commit "NEW.id = 'e4'"
	run -70 --separate-stderr ft-update one.ndjson two.ndjson
	[ "$output" = '{"id":"e1","at":"2026-11-22T00:00:00Z","status":"accepted","from":"dispatched"}' ]
	[ "${stderr_lines[0]}" = "ft-update: $FT_DB: committing: FOREIGN KEY constraint failed" ]
	[[ "${stderr_lines[1]}" == "ft-update: 3 records: 1 status changes, 0 ratings, 0 unchanged, 0 rejected ("* ]]
	[ "${#stderr_lines[@]}" = 2 ]
	[ "$(states)" = "e1:accepted e2:dispatched e3:duplicate e4:dispatched e5:new" ]
	sql "DROP TRIGGER trap_events"
	run -0 --separate-stderr ft-update two.ndjson
	[ "$(jq -r .id <<< "$output" | paste -sd ' ')" = "e2 e4" ]
	[[ "$stderr" == "ft-update: 2 records: 2 status changes, 0 ratings, 0 unchanged, 0 rejected ("* ]]
	[ "$(states)" = "e1:accepted e2:accepted e3:duplicate e4:accepted e5:new" ]
}

@test "ft-update batch: more output than is held in memory, of a batch that does not commit, is not printed (70)" {
	long=$(printf 'N%.0s' $(seq 1000))
	awk 'BEGIN { for (i = 1001; i <= 2500; i++)
		printf "{\"id\":\"x%d\",\"category\":\"other\",\"reported_at\":\"2026-11-20T01:00:00Z\"}\n", i }' > more.ndjson
	ft-ingest -q more.ndjson
	awk -v long="$long" 'BEGIN { for (i = 1001; i <= 2500; i++)
		printf "{\"id\":\"x%d\",\"status\":\"closed\",\"at\":\"2026-11-22T00:00:00Z\",\"note\":\"%s\"}\n", i, long }' > close.ndjson
	trap_commit "NEW.id = 'x2500'"
	run -70 --separate-stderr ft-update close.ndjson
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "ft-update: $FT_DB: committing: FOREIGN KEY constraint failed" ]
	[[ "${stderr_lines[1]}" == "ft-update: 1500 records: 0 status changes, 0 ratings, 0 unchanged, 0 rejected ("* ]]
	[ "$(sql "select count(*) from events where status = 'closed'")" = 0 ]
	sql "DROP TRIGGER trap_events"
	run -0 --separate-stderr ft-update close.ndjson
	[ "${#lines[@]}" = 1500 ]
	[ "$(printf '%s\n' "${lines[@]}" | wc -c)" -gt 1500000 ]
	[ "$(printf '%s\n' "${lines[@]}" | jq -rs 'map(.id) == [range(1001; 2501) | "x\(.)"]')" = true ]
	[[ "$stderr" == "ft-update: 1500 records: 1500 status changes, 0 ratings, 0 unchanged, 0 rejected ("* ]]
}

# ---- JSON keys: decoded text, never twice ----

@test "ft-update json keys: a key written with escapes is that key; one given twice is rejected (1)" {
	printf '%s\n' '{"\u0069d":"e1","st\u0061tus":"accepted","at":"2026-11-25T09:00:00Z"}' \
		'{"id":"e2","\u0069d":"e4","status":"accepted","at":"2026-11-25T09:00:00Z"}' > k.ndjson
	run -1 --separate-stderr ft-update k.ndjson
	[ "${#lines[@]}" = 1 ]
	[ "$(grep -o '"st[^"]*tus":"[a-z]*"' <<< "$output" | tr '\n' ' ')" = '"status":"accepted" ' ]
	[ "${stderr_lines[0]}" = 'ft-update: k.ndjson:2: invalid JSON: key "id" given twice (column 12)' ]
	[ "$(states)" = "e1:accepted e2:dispatched e3:duplicate e4:dispatched e5:new" ]
}

@test "ft-update rejects: the id is a member of its own, and the reason a fixed text that names no id" {
	printf '%s\n' '{"id":"e98","status":"closed"}' '{"id":"e99","status":"closed"}' > u.ndjson
	run -1 --separate-stderr ft-update -r rej.ndjson u.ndjson
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = 'ft-update: u.ndjson:1: id "e98": not in the database' ]
	[ "${stderr_lines[1]}" = 'ft-update: u.ndjson:2: id "e99": not in the database' ]
	[ "$(jq -c '[.line, .id, .reason]' rej.ndjson | paste -sd ' ')" = '[1,"e98","not in the database"] [2,"e99","not in the database"]' ]
	[ "$(jq -c 'keys_unsorted' rej.ndjson | sort -u)" = '["file","line","id","reason","raw","record"]' ]
}

# ---- files that are not text files ----

@test "ft-update files: a directory is 66 and a binary file 65, with one message" {
	mkdir adir
	run -66 --separate-stderr ft-update adir
	[ "${stderr_lines[0]}" = 'ft-update: adir: cannot open: Is a directory' ]
	[[ "${stderr_lines[1]}" == 'ft-update: 0 records: '* ]]
	[ "${#stderr_lines[@]}" = 2 ]
	run -65 --separate-stderr ft-update /bin/ls
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = 'ft-update: /bin/ls: a binary file, not text' ]
	[[ "${stderr_lines[1]}" == 'ft-update: 0 records: '* ]]
	[ "${#stderr_lines[@]}" = 2 ]
	[ "$(states)" = "e1:dispatched e2:dispatched e3:duplicate e4:dispatched e5:new" ]
}

@test "ft-update db: a --db that does not exist is 66 \"no such database\" and is not created" {
	echo '{"id":"e1","status":"accepted","at":"2026-11-22T00:00:00Z","by":"w"}' > up.ndjson
	run -66 --separate-stderr ft-update --db typo.db up.ndjson
	[ -z "$output" ]
	[ "$stderr" = "ft-update: typo.db: no such database" ]
	run -66 --separate-stderr ft-update --db typo.db -n up.ndjson
	[ "$stderr" = "ft-update: typo.db: no such database" ]
	FT_DB=typo.db run -66 --separate-stderr ft-update --verify
	[ "$stderr" = "ft-update: typo.db: no such database" ]
	[ ! -e typo.db ]
	run -66 --separate-stderr ft-update --db nodir/ft.db up.ndjson
	[ "$stderr" = "ft-update: nodir/ft.db: no such database" ]
	[ ! -e nodir ]
}

@test "ft-update db: --verify and -n work on a database in a read-only directory, and change nothing" {
	ro_dir
	cp "$FT_DB" "$RO/ft.db"
	echo '{"id":"e1","status":"accepted","at":"2026-11-22T00:00:00Z","by":"w"}' > "$RO/up.ndjson"
	chmod 644 "$RO/ft.db" "$RO/up.ndjson"
	chmod 555 "$RO"
	before=$(sha256sum < "$RO/ft.db")
	FT_DB="$RO/ft.db" run -0 --separate-stderr as_reader "$FT_BIN/ft-update" --verify
	[ "$(jq -r .entries <<< "$output")" = 9 ]
	[[ "$stderr" == *"the history is intact: 9 entries chained"* ]]
	FT_DB="$RO/ft.db" run -0 --separate-stderr as_reader "$FT_BIN/ft-update" -n "$RO/up.ndjson"
	[ "$(jq -r '"\(.id)=\(.status)"' <<< "$output")" = e1=accepted ]
	[ "$(sha256sum < "$RO/ft.db")" = "$before" ]
	[ "$(ls "$RO")" = "$(printf 'ft.db\nup.ndjson')" ]
	rm_ro
}

# A file larger than the run may write (ulimit -f, 1 MiB): --verify
# reads the database where it is; a private copy of it (as before, at
# every run) died of SIGXFSZ, 153.
@test "ft-update verify: reads a large database in place, writing no copy of it" {
	awk 'BEGIN { t = sprintf("%400s", ""); gsub(/ /, "x", t)
		for (i = 1; i <= 10000; i++)
			printf "{\"id\":\"big%d\",\"category\":\"noise\",\"text\":\"%s\",\"reported_at\":\"2026-11-20T00:00:00Z\"}\n", i, t }' > big.ndjson
	ft-ingest -q --no-output big.ndjson
	[ "$(stat -c %s "$FT_DB")" -gt 8000000 ]
	n=$(sql 'select count(*) from history')
	run -0 --separate-stderr bash -c 'ulimit -f 1024 && exec ft-update --verify'
	[ "$output" = "{\"entries\":$n,\"head\":\"$(sql 'select hash from history order by seq desc limit 1')\"}" ]
	[ "$stderr" = "ft-update: $FT_DB: the history is intact: $n entries chained" ]
}

# ---- -q and --no-output ----

# in.ndjson: fixed.ndjson's three changes of e1, then one that is refused.
three_and_a_bad_one() {
	{
		cat "$F/fixed.ndjson"
		echo '{"id":"e5","status":"resolved","at":"2026-11-25T11:00:00Z"}'
	} > in.ndjson
}

@test "ft-update cli: -q keeps the changes on standard output for the next stage, with only the rejections on stderr" {
	three_and_a_bad_one
	run -1 --separate-stderr bash -o pipefail -c 'ft-update -q in.ndjson | jq -r ".id + \":\" + .status"'
	[ "$output" = $'e1:accepted\ne1:resolved\ne1:closed' ]
	[ "$stderr" = 'ft-update: in.ndjson:4: cannot go from new to resolved (allowed: rejected,closed)' ]
	[ "$(states)" = "e1:closed e2:dispatched e3:duplicate e4:dispatched e5:new" ]
}

@test "ft-update cli: --no-output prints no changes; the summary is still printed, the changes stored" {
	three_and_a_bad_one
	run -1 --separate-stderr ft-update --no-output in.ndjson
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" = 2 ]
	[ "${stderr_lines[0]}" = 'ft-update: in.ndjson:4: cannot go from new to resolved (allowed: rejected,closed)' ]
	[[ "${stderr_lines[1]}" =~ ^'ft-update: 4 records: 3 status changes, 0 ratings, 0 unchanged, 1 rejected ('[0-9.]+' s)'$ ]]
	[ "$(states)" = "e1:closed e2:dispatched e3:duplicate e4:dispatched e5:new" ]
	[ "$(hist_count)" = 12 ]
}

@test "ft-update cli: -q --no-output prints nothing but the rejections, the changes stored" {
	three_and_a_bad_one
	run -1 --separate-stderr ft-update -q --no-output in.ndjson
	[ -z "$output" ]
	[ "$stderr" = 'ft-update: in.ndjson:4: cannot go from new to resolved (allowed: rejected,closed)' ]
	[ "$(states)" = "e1:closed e2:dispatched e3:duplicate e4:dispatched e5:new" ]
	[ "$(hist_count)" = 12 ]
}

@test "ft-update verify: -q prints the entries and the head alone, --no-output the message alone, both nothing" {
	head=$(sql 'select hash from history order by seq desc limit 1')
	run -0 --separate-stderr ft-update -q --verify
	[ "$output" = "{\"entries\":9,\"head\":\"$head\"}" ]
	[ -z "$stderr" ]
	run -0 --separate-stderr ft-update --no-output --verify
	[ -z "$output" ]
	[ "$stderr" = "ft-update: $FT_DB: the history is intact: 9 entries chained" ]
	run -0 --separate-stderr ft-update -q --no-output --verify
	[ -z "$output" ]
	[ -z "$stderr" ]
	sql "drop trigger history_no_update; update history set by = 'mallory' where seq = 5"
	run -65 --separate-stderr ft-update -q --no-output --verify
	[ -z "$output" ]
	[[ "$stderr" == *"history entry 5: hash does not match: the chain breaks here"* ]]
}

# ---- the README ----

@test "ft-update readme: the status file example runs as written on the demo database" {
	demo_db demo
	readme_transcript update
	[ "$(head -n 1 session.sh)" = "export FT_DB=demo/ft.db" ]
	[ "$(grep -c '^ft-update ' session.sh)" = 1 ]
	[ "$(wc -l < status.csv)" = 3 ]
	run -0 bash -e session.sh
	# What it prints is what the README shows, but for the time taken.
	[ "$(sed -E 's/\([0-9.]+ s\)$/(T s)/' <<< "$output")" = "$(sed -E 's/\([0-9.]+ s\)$/(T s)/' session.out)" ]
	[ -e status-rejects.ndjson ]
	[ ! -s status-rejects.ndjson ]
	[ "$(sqlite3 demo/ft.db "select status, status_at from events where id = 'hotline-20260601-00001'")" = "resolved|2026-08-30T01:10:00Z" ]
	[ "$(sqlite3 demo/ft.db "select group_concat(to_status, ' ') from (select to_status from history where tool = 'ft-update' order by seq)")" = "accepted resolved" ]
	FT_DB=demo/ft.db run -0 ft-update -q --verify
}

@test "ft-update options: a bad option, --now, FT_BUSY_TIMEOUT or FT_JQ_TIME is refused before the database is opened: an older one is not changed" {
	sqlite3 old.db < "$FIXTURES/ft-ingest/schema-v1.sql"
	before=$(sha256sum < old.db)
	run -64 --separate-stderr ft-update --db old.db --bogus
	run -64 --separate-stderr ft-update --db old.db --now yesterday-ish /dev/null
	[ "$stderr" = 'ft-update: --now: not a time: "yesterday-ish" (not an ISO 8601 time or epoch seconds)' ]
	FT_BUSY_TIMEOUT=soon run -78 --separate-stderr ft-update --db old.db /dev/null
	[ "$stderr" = 'ft-update: FT_BUSY_TIMEOUT: not a number from 0 to 86400000: "soon"' ]
	FT_JQ_TIME=-1 run -78 --separate-stderr ft-update --db old.db /dev/null
	[ "$(sha256sum < old.db)" = "$before" ]
	[ "$(sqlite3 old.db 'pragma user_version')" = 1 ]
	# A good one is read: 0 is "do not wait".
	FT_BUSY_TIMEOUT=0 run -0 --separate-stderr ft-update --db old.db /dev/null
	[ "$(sqlite3 old.db 'pragma user_version')" = 13 ]
}
