#!/bin/sh
# The nightly job on a generated district: `make demo` runs it with FT_BIN
# naming the directory of the tools just built.
#
# It writes everything into ./demo/ (gitignored): a district made up by
# tools/gendistrict.c (streets, communities, grid cells, departments,
# facilities and a season of events, a few of them deliberately bad), a fresh
# demo/ft.db, the accepted and rejected records, the early warnings, and a
# report; then it runs a participatory-budgeting round on the district with
# ft-vote (projects, a voter list, online and paper ballots, a few of them
# deliberately bad, the count, greedy beside it, a recount).  The same run
# always gives the same files and the same report.
#
# Usage: FT_BIN=DIR sh tools/demo.sh
#
# Every stage writes a file and its exit status is checked before the next
# stage reads it: a POSIX sh pipeline would hide the status of all but the
# last command.  The places where the later tools join the pipeline are
# marked "PIPELINE:".
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
: "${FT_BIN:=$root/bin}"
: "${CC:=cc}"
out=demo
cd "$root"

step() {
	printf '\n== %s\n' "$*"
}

die() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

# run EXPECTED CMD...: runs CMD and fails the demo unless its exit status
# is exactly EXPECTED.  ft-ingest says 1 when it rejected some records, and
# the demo's events include bad rows on purpose, so "it failed" is not
# enough: 70 (an internal error) must not pass for the expected 1.
run() {
	want=$1
	shift
	set +e
	"$@"
	got=$?
	set -e
	[ "$got" -eq "$want" ] ||
		die "$(basename "$1"): exit status $got, expected $want"
}

# value NAME: a count the generator reported.
value() {
	sed -n "s/^$1=//p" "$out/generated.txt"
}

# sql QUERY: the query, on the demo database, as a table.
sql() {
	sqlite3 -batch -column -header "$FT_DB" "$1"
}

tools="ft-ingest ft-dispatch ft-update ft-warn ft-vote ft-report"
for t in $tools; do
	[ -x "$FT_BIN/$t" ] || die "$FT_BIN/$t: not built (run make demo)"
done
command -v sqlite3 >/dev/null || die "sqlite3: not found (sh tools/deps.sh test)"
command -v jq >/dev/null || die "jq: not found (sh tools/deps.sh test)"

started=$(date +%s)
mkdir -p "$out" build/tools

# The database is made anew each run, so the report is the same each run.
FT_DB=$out/ft.db
rm -f "$FT_DB" "$FT_DB-wal" "$FT_DB-shm" "$out/rejects.ndjson" \
	"$out/vote.key"
# The season ends on 29 August 2026; tools that ask the time get this one.
FT_NOW=2026-08-30T06:00:00+08:00
FT_USER=demo
export FT_DB FT_NOW FT_USER

step "generating the district"
gen=build/tools/gendistrict
if ! [ -x "$gen" ] || [ -n "$(find tools/gendistrict.c -newer "$gen")" ]; then
	$CC -std=c17 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic \
		-Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
		-O2 -o "$gen" tools/gendistrict.c
fi
run 0 "$gen" "$out" > "$out/generated.txt"
units=$(value units)
facilities=$(value facilities)
events=$(value events)
bad=$(value bad_events)
echo "$units units, $facilities facilities, $events events ($bad bad on purpose) in $out/"

step "loading the units (district, streets, communities, grid, departments)"
run 0 "$FT_BIN/ft-ingest" --kind units "$out/units.ndjson" > "$out/units.out"

step "loading the facilities"
run 0 "$FT_BIN/ft-ingest" --kind facilities "$out/facilities.ndjson" \
	> "$out/facilities.out"

step "loading a season of events"
# Exit status 1: the bad rows are rejected and kept in rejects.ndjson, the
# rest are in.
run 1 "$FT_BIN/ft-ingest" --rejects "$out/rejects.ndjson" "$out/events.csv" \
	> "$out/events.ndjson"
n=$(wc -l < "$out/rejects.ndjson")
[ "$n" -eq "$bad" ] || die "$n rejected records, expected $bad"
echo "$n records rejected, as expected: each is kept whole, with its line and reason, in $out/rejects.ndjson"

step "the accepted events, first three"
head -n 3 "$out/events.ndjson" |
	jq -c '{id, source, category, title, facility, reported_at}
	       | with_entries(select(.value != null))'

step "loading the same file again changes nothing"
run 1 "$FT_BIN/ft-ingest" "$out/events.csv" > /dev/null
sql "SELECT ingest, kind, file, records, inserted, updated, unchanged,
            rejected, status FROM ingests ORDER BY ingest;"
got=$(sqlite3 -batch "$FT_DB" "SELECT inserted + updated FROM ingests
				  ORDER BY ingest DESC LIMIT 1")
[ "$got" -eq 0 ] || die "loading again changed $got records"

step "dispatching: each event to its grid cell and the unit that answers for it"
# The rules are in tools/demo/dispatch.json: hours and working-day
# calendars are Shenzhen's.
run 0 "$FT_BIN/ft-dispatch" --tz Asia/Shanghai \
	--rules tools/demo/dispatch.json "$out/events.ndjson" \
	> "$out/dispatched.ndjson"
head -n 3 "$out/dispatched.ndjson" |
	jq -c '{id, category, area, unit, rule, priority, respond_by, near_boundary}
	       | with_entries(select(.value != null))'
sql "SELECT status, count(*) AS events FROM events GROUP BY status
     ORDER BY events DESC;"
echo
sql "SELECT rule, unit, count(*) AS events FROM events
     WHERE status = 'dispatched' GROUP BY rule, unit
     ORDER BY events DESC LIMIT 8;"

step "dispatching the same events again changes nothing"
run 0 "$FT_BIN/ft-dispatch" --tz Asia/Shanghai \
	--rules tools/demo/dispatch.json "$out/events.ndjson" > "$out/again.ndjson"
[ ! -s "$out/again.ndjson" ] || die "dispatching again printed events"

step "the field reports back: accepted, resolved, closed, rated"
# A quarter of the cases are handled, one in eight of those found not
# fixable; residents rate some of the fixed ones.
jq -c 'select(.status == "dispatched") | select((.id | explode | add) % 4 == 0)
       | {id, status: "accepted", by: "field-app"},
         {id, status: "resolved", by: "field-app", note: "处理完毕"},
         (if (.id | explode | add) % 8 == 0
          then {id, status: "closed", by: "command-centre"}
          else {id, rating: ((.id | explode | add) % 5 + 1), comment: "谢谢"}
          end)' "$out/dispatched.ndjson" > "$out/updates.ndjson"
# An invalid change, on purpose: a duplicate is not accepted on its own.
dup=$(sqlite3 -batch "$FT_DB" "SELECT id FROM events WHERE status = 'duplicate'
			      ORDER BY seq LIMIT 1")
printf '{"id":"%s","status":"accepted"}\n' "$dup" >> "$out/updates.ndjson"
run 1 "$FT_BIN/ft-update" "$out/updates.ndjson" > "$out/updated.ndjson"
sql "SELECT status, outcome, count(*) AS events, round(avg(rating), 2) AS rating
     FROM events GROUP BY status, outcome ORDER BY events DESC;"

step "escalation (cron, every few minutes): overdue cases move up their chain"
run 0 "$FT_BIN/ft-dispatch" --escalate > "$out/escalated.ndjson"
sql "SELECT escalation AS step, unit, count(*) AS cases FROM events
     WHERE escalation > 0 GROUP BY escalation, unit ORDER BY step, cases DESC
     LIMIT 6;"
run 0 "$FT_BIN/ft-dispatch" --escalate > "$out/escalated-again.ndjson"
[ ! -s "$out/escalated-again.ndjson" ] || die "an escalation step was repeated"

step "early warnings: the typhoon, a lamp that keeps breaking, a sensor gone quiet, posts that speak of danger"
# The rules are in tools/demo/warn.json; ft-warn reads what ft-dispatch
# printed, as a pipe from it would give it.  The season has a typhoon
# (21-23 July), a street lamp that keeps breaking (QR-SL-00007), a
# water-level sensor that goes silent on 31 July (QR-SW-00003) and
# public-opinion items that speak of danger.
run 0 "$FT_BIN/ft-warn" --tz Asia/Shanghai --rules tools/demo/warn.json \
	"$out/dispatched.ndjson" > "$out/warnings.ndjson"
jq -r 'select(.rule != "danger-words" and .change != "resolved")
       | "  \(.raised_at)  \(.rule)  \(.key)  \(.change) \(.level)  \(.count) event\(if .count == 1 then "" else "s" end)\(if .major then "  MAJOR" else "" end)"' \
	"$out/warnings.ndjson"
sql "SELECT rule, level, count(*) AS warnings, sum(status = 'open') AS open
     FROM warnings GROUP BY rule, level
     ORDER BY rule, instr('blue yellow orange red', level);"
# warned RULE KEY LEVEL DAY: a warning of RULE and KEY reached LEVEL,
# raised on DAY (UTC).
warned() {
	jq -n -e --arg r "$1" --arg k "$2" --arg l "$3" --arg d "$4" \
		'any(inputs; .rule == $r and .key == $k and .level == $l
			     and (.raised_at | startswith($d)))' \
		"$out/warnings.ndjson" > /dev/null ||
		die "no $3 warning of $1 for $2 raised on $4"
}
warned storm-surge '*' red 2026-07-21
warned lamp-again QR-SL-00007 yellow 2026-06
warned sensor-silent QR-SW-00003 orange 2026-08-09
n=$(jq -c 'select(.rule == "danger-words" and .change == "raised")' \
	"$out/warnings.ndjson" | wc -l)
[ "$n" -gt 0 ] || die "no post that speaks of danger raised a warning"
echo "$n posts that speak of danger raised a warning each"

step "the same events again raise nothing"
run 0 "$FT_BIN/ft-warn" --tz Asia/Shanghai --rules tools/demo/warn.json \
	"$out/dispatched.ndjson" > "$out/warnings-again.ndjson"
[ ! -s "$out/warnings-again.ndjson" ] || die "reading again printed warnings"

step "the duty officer acknowledges the lamp's warning; what is still open"
lamp=$(sqlite3 -batch "$FT_DB" "SELECT warning FROM warnings
				WHERE rule = 'lamp-again' AND key = 'QR-SL-00007'")
[ -n "$lamp" ] || die "the lamp's warning is not stored"
run 0 "$FT_BIN/ft-warn" ack "$lamp" --by duty-officer \
	--note "派维修班组更换整套灯具" > "$out/warn-ack.ndjson"
jq -c '{warning, rule, key, change, status, acked_at, acked_by, ack_note}
       | with_entries(select(.value != null))' "$out/warn-ack.ndjson"
run 0 "$FT_BIN/ft-warn" list --status open --level orange \
	> "$out/warn-open.ndjson"
jq -r '"  \(.warning)  \(.rule)  \(.key)  \(.level)"' "$out/warn-open.ndjson"

step "report: the season's warnings and how fast they were answered"
run 0 "$FT_BIN/ft-report" warnings --tz Asia/Shanghai --since 2026-06-01 \
	--by rule

step "the history: every change, chained; ft-update --verify checks it"
run 0 "$FT_BIN/ft-update" --verify
sql "SELECT tool, action, count(*) AS entries FROM history
     GROUP BY tool, action ORDER BY min(seq);"

# PIPELINE: ft-report replaces the sqlite3 queries below, e.g.
#   "$FT_BIN/ft-report" events --by month,category --since 2026-06-01
#   "$FT_BIN/ft-report" sla
step "report: what the database holds"
sql "SELECT 'units' AS records, count(*) AS n FROM units
     UNION ALL SELECT 'facilities', count(*) FROM facilities
     UNION ALL SELECT 'events', count(*) FROM events
     UNION ALL SELECT 'history', count(*) FROM history
     UNION ALL SELECT 'ingests', count(*) FROM ingests;"
echo
sql "SELECT kind, count(*) AS units FROM units GROUP BY kind
     ORDER BY min(rowid);"

got=$(sqlite3 -batch "$FT_DB" "SELECT count(*) FROM units")
[ "$got" -eq "$units" ] || die "$got units in the database, expected $units"
got=$(sqlite3 -batch "$FT_DB" "SELECT count(*) FROM facilities")
[ "$got" -eq "$facilities" ] ||
	die "$got facilities in the database, expected $facilities"
got=$(sqlite3 -batch "$FT_DB" "SELECT count(*) FROM events")
[ "$got" -eq $((events - bad)) ] ||
	die "$got events in the database, expected $((events - bad))"

# Months in the district's zone (UTC+8, no daylight saving), so an event at
# 07:00 on 1 July counts in July.  The month columns come from the data;
# they are checked to be months before they go into the query.
months=$(sqlite3 -batch "$FT_DB" "SELECT DISTINCT strftime('%Y-%m',
	 reported_at, '+8 hours') FROM events ORDER BY 1")
cols=""
for m in $months; do
	case $m in
	[0-9][0-9][0-9][0-9]-[0-9][0-9]) ;;
	*) die "unexpected month: $m" ;;
	esac
	cols="$cols sum(m = '$m') AS \"$m\","
done

step "report: events by source and month"
sql "SELECT source, $cols count(*) AS total
     FROM (SELECT source, strftime('%Y-%m', reported_at, '+8 hours') AS m
           FROM events)
     GROUP BY source ORDER BY total DESC;"

step "report: events by category and month"
sql "SELECT category, $cols count(*) AS total
     FROM (SELECT category, strftime('%Y-%m', reported_at, '+8 hours') AS m
           FROM events)
     GROUP BY category ORDER BY total DESC;"

step "report: the facilities people report most"
sql "SELECT f.id AS facility, f.kind, f.area, count(*) AS reports
     FROM events e JOIN facilities f ON f.id = e.facility
     WHERE e.source <> 'sensor'
     GROUP BY f.id ORDER BY reports DESC, f.id LIMIT 5;"

step "report: the busiest days"
sql "SELECT date(reported_at, '+8 hours') AS day, count(*) AS events,
            sum(severity >= 3) AS severe
     FROM events GROUP BY day ORDER BY events DESC, day LIMIT 5;"

# --- participatory budgeting ------------------------------------------
# A round of 民生微实事 (small livelihood projects) for the district's four
# streets: the round and its projects from tools/demo/, the voter list and
# the ballots from tools/demo/voters.awk (deterministic), a count by equal
# shares completed by greedy, greedy beside it, and a recount.  The voters'
# ids (mobile numbers) are stored only as hashes keyed by $out/vote.key.
round=2026-ft-minsheng
key=$out/vote.key
# The round opens on 1 September and closes on 15 September at 18:00.
during=2026-09-10T21:00:00+08:00
booth=2026-09-15T17:30:00+08:00
after=2026-09-16T09:00:00+08:00

# vvalue NAME: a count the voter generator reported.
vvalue() {
	sed -n "s/^$1=//p" "$out/vote-generated.txt"
}

# rejected FILE REASON: FILE holds exactly one rejected record, for REASON.
rejected() {
	n=$(wc -l < "$1")
	[ "$n" -eq 1 ] || die "$1: $n rejected records, expected 1"
	jq -e --arg r "$2" '.reason | contains($r)' "$1" > /dev/null ||
		die "$1: rejected for $(jq -r .reason "$1"), expected \"$2\""
	echo "1 record rejected, as expected: kept whole, with its line and reason, in $1"
}

step "participatory budgeting: opening the round (the district's four streets)"
run 0 "$FT_BIN/ft-vote" open --key "$key" tools/demo/vote-round.json \
	> "$out/vote-round.out"
jq -c '{id, name, budget, scope, opens_at, closes_at, ballot, max_length, rule}
       | with_entries(select(.value != null))' "$out/vote-round.out"
run 0 "$FT_BIN/ft-vote" open --key "$key" tools/demo/vote-round.json \
	> /dev/null

step "the projects on the ballot (fixed once the round opens)"
run 0 "$FT_BIN/ft-vote" projects "$round" tools/demo/vote-projects.csv \
	> "$out/vote-projects.out"
jq -r '"  \(.id)  \(.cost)  \(.unit)  \(.name)"' "$out/vote-projects.out"
n=$(wc -l < "$out/vote-projects.out")
[ "$n" -eq 8 ] || die "$n projects stored, expected 8"

step "registering the eligible residents (stored only as keyed hashes)"
run 0 awk -v n=360 -v dir="$out" -f tools/demo/voters.awk \
	> "$out/vote-generated.txt"
nvoters=$(vvalue voters)
online=$(vvalue ballots_online)
paper=$(vvalue ballots_paper)
first=$(vvalue voter_first)
# Exit status 1: one resident is registered at the district itself, which
# is not one of the round's streets.
run 1 "$FT_BIN/ft-vote" register "$round" --key "$key" \
	--rejects "$out/vote-register-rejects.ndjson" "$out/vote-voters.ndjson" \
	> "$out/vote-register.out"
[ ! -s "$out/vote-register.out" ] || die "ft-vote register printed records"
rejected "$out/vote-register-rejects.ndjson" "scope"
got=$(sqlite3 -batch "$FT_DB" "SELECT count(*) FROM voters
			      WHERE round = '$round'")
[ "$got" -eq "$nvoters" ] || die "$got voters registered, expected $nvoters"
echo "$got residents registered"

step "voting online (1-9 September)"
# Exit status 1: one ballot names four projects, where three is the most.
run 1 "$FT_BIN/ft-vote" cast "$round" --key "$key" --now "$during" \
	--rejects "$out/vote-online-rejects.ndjson" "$out/vote-online.ndjson" \
	> "$out/vote-online.out"
rejected "$out/vote-online-rejects.ndjson" "at most 3"
head -n 3 "$out/vote-online.out" | jq -c .
n=$(wc -l < "$out/vote-online.out")
[ "$n" -eq "$online" ] || die "$n online ballots accepted, expected $online"
echo "$n online ballots accepted"

step "the paper ballots from the booths (15 September)"
# Exit status 1: one resident who voted online on the first day turns up
# at a booth too.
run 1 "$FT_BIN/ft-vote" cast "$round" --key "$key" --channel paper \
	--now "$booth" --rejects "$out/vote-paper-rejects.ndjson" \
	"$out/vote-paper.csv" > "$out/vote-paper.out"
rejected "$out/vote-paper-rejects.ndjson" "already voted"
n=$(wc -l < "$out/vote-paper.out")
[ "$n" -eq "$paper" ] || die "$n paper ballots accepted, expected $paper"
n=$(jq -c 'select(.channel != "paper")' "$out/vote-paper.out" | wc -l)
[ "$n" -eq 0 ] || die "$n booth ballots not on the paper channel"
echo "$paper paper ballots accepted"

# A ballot is printed without its voter, and the database holds no mobile
# number: only their keyed hashes.
if grep -q voter "$out/vote-online.out" "$out/vote-paper.out"; then
	die "a printed ballot names its voter"
fi
for f in "$FT_DB" "$FT_DB-wal"; do
	if [ -f "$f" ] && grep -q -a -F "$first" "$f"; then
		die "$f holds the voter id $first in the clear"
	fi
done
echo "no ballot names its voter; the database holds no voter id in the clear"
sql "SELECT channel, count(*) AS ballots FROM ballots WHERE round = '$round'
     GROUP BY channel ORDER BY ballots DESC;"

step "no results before the close"
run 75 "$FT_BIN/ft-vote" tally "$round" --now "$during" > /dev/null \
	2> "$out/vote-early.err"
cat "$out/vote-early.err"

step "the count after the close: equal shares, the rest spent by greedy"
run 0 "$FT_BIN/ft-vote" tally "$round" --now "$after" --rule mes \
	--complete greedy --totals > "$out/vote-tally.ndjson"
jq -r 'select(.totals != true)
       | "  \(.rank). \(.project)  \(.votes) votes  \(.cost)  \(if .selected then "SELECTED" else "-" end)  \(.name): \(.reason)"' \
	"$out/vote-tally.ndjson"
jq -c 'select(.totals == true)' "$out/vote-tally.ndjson"
want=$((online + paper))
got=$(jq 'select(.totals == true) | .ballots' "$out/vote-tally.ndjson")
[ "$got" = "$want" ] || die "the count saw $got ballots, expected $want"
jq -e 'select(.totals == true) | (.spent | tonumber) <= (.budget | tonumber)' \
	"$out/vote-tally.ndjson" > /dev/null || die "the count spent over the budget"

step "greedy against equal shares"
run 0 "$FT_BIN/ft-vote" tally "$round" --now "$after" --compare greedy,mes \
	> "$out/vote-compare.ndjson"
jq -r '"  \(.project)  \(.votes) votes  \(.cost)  greedy: \(if .greedy then "yes" else "no " end)  mes: \(if .mes then "yes" else "no " end)\(if .differs then "  <- differs" else "" end)  \(.name)"' \
	"$out/vote-compare.ndjson"

step "the recount: every stored count again, from the stored ballots"
run 0 "$FT_BIN/ft-vote" recount "$round" --now "$after" \
	> "$out/vote-recount.ndjson"
jq -c . "$out/vote-recount.ndjson"
n=$(wc -l < "$out/vote-recount.ndjson")
[ "$n" -ge 1 ] || die "the recount found no stored count"
n=$(jq -c 'select(.same != true)' "$out/vote-recount.ndjson" | wc -l)
[ "$n" -eq 0 ] || die "$n stored counts differ on a recount"
sql "SELECT tally, rule, ballots, counted_at, substr(digest, 1, 16) AS digest
     FROM tallies WHERE round = '$round' ORDER BY tally;"

step "the funded projects' first steps, for the site"
jq -c 'select(.totals != true and .selected)
       | {project, stage: "立项公示", percent: 0,
          at: "2026-09-16T08:30:00+08:00"}' "$out/vote-tally.ndjson" \
	> "$out/vote-progress.ndjson"
jq -c 'select(.totals != true and .selected) | {project, stage: "设计",
       percent: 10, note: "现场勘查完成", at: "2026-09-16T08:50:00+08:00"}' \
	"$out/vote-tally.ndjson" | head -n 1 >> "$out/vote-progress.ndjson"
run 0 "$FT_BIN/ft-vote" progress "$round" --now "$after" \
	"$out/vote-progress.ndjson" > "$out/vote-progress.out"
want=$(wc -l < "$out/vote-progress.ndjson")
got=$(sqlite3 -batch "$FT_DB" "SELECT count(*) FROM project_progress
		 WHERE round = '$round'")
[ "$got" = "$want" ] || die "$got progress steps stored, expected $want"
echo "  $want steps of $((want - 1)) funded projects"
run 0 "$FT_BIN/ft-vote" rounds > "$out/vote-rounds.out"
jq -c . "$out/vote-rounds.out"
run 0 "$FT_BIN/ft-update" --verify
# --- end of participatory budgeting -------------------------------------

step "the morning mail: the season by community, as an HTML page"
run 0 "$FT_BIN/ft-report" events --tz Asia/Shanghai --now "$after" \
	--since 2026-06-01 --by area --area-level community --format html \
	> "$out/report.html"
n=$(grep -c '<path ' "$out/report.html")
echo "$out/report.html: $(wc -c < "$out/report.html") bytes, a map of $n communities"
[ "$n" -gt 0 ] || die "the HTML report has no map"

step "the public site: areas, the vote, a page to find one's case"
rm -rf "$out/site"
run 0 "$FT_BIN/ft-report" site --tz Asia/Shanghai --now "$after" \
	--since 2026-06-01 "$out/site"
[ -f "$out/site/index.html" ] || die "the site has no index"
echo "open $out/site/index.html in a browser"

printf '\ndemo: done in %ss; the files are in %s/, the database is %s\n' \
	$(($(date +%s) - started)) "$out" "$FT_DB"
