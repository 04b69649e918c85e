#!/bin/sh
# bench/run.sh - the benchmarks of BENCHMARKS.md (run by `make bench`).
#
# Environment:
#   FT_BIN      where the ft tools are (default ./bin)
#   BENCH_N     records to generate (default 1000000); never shrunk
#   BENCH_DATA  where the data and the databases go (default bench/data)
#   BENCH_STRICT=1  exit 1 when a target fails, not only when a run is wrong
#   BENCH_CORPUS  the shared corpus (default ../shared/corpus from the
#               repository's root); BENCH_PB  the .pb file of the ft-vote
#               section (default BENCH_CORPUS/pabulib/Poland_Warszawa_2026.pb)
#
# "sh bench/run.sh --table" prints the tables of the last run again.
# "sh bench/run.sh vote" runs the ft-vote section alone (no event data is
# generated, the other sections' results are left as they are); "sh
# bench/run.sh kw" the same for the keyword section (lib/ft_kw, below);
# "sh bench/run.sh readings" the readings section alone, likewise;
# "sh bench/run.sh warn" the ft-warn section alone; "sh bench/run.sh
# warnreadings" the ft-warn section over readings alone; "sh bench/run.sh
# nab" the NAB section alone; "sh bench/run.sh report" the ft-report
# section alone ("report-base" builds its database only, "report-check"
# compares each report with its SQL without timing them); "sh bench/run.sh
# main" the first section alone, ft-ingest and ft-dispatch with their
# plain-SQL floors (issues 12 and 15), then its table.
#
# The ft-report section (issue 14: over 5,000,000 stored events with
# dispatch decisions, updates and ratings, every report within 1.2x of the
# best hand-written SQL for the same figures, bench/report-sql/*.sql, and
# the time of a morning mail's reports): see report_bench below for how
# its database is made (once, cached in BENCH_DATA/report while its stamp
# says the same N) and what is measured.  Its N is BENCH_REPORT_N (default
# the issue's 5,000,000; a smaller N only by that variable, and the table
# prints it); figures in BENCH_DATA/report-results.txt.
#
# The ft-warn section over readings (issue 13: 10,000,000 readings from
# 10,000 sensors through 20 value/flatline rules, at least 1,000,000
# readings/s from NDJSON; the back-test over the stored readings within
# 2x of the stream): bench/genread.c writes BENCH_WARN_READINGS readings
# (default 10,000,000; a smaller N only by that variable, and the table
# prints it) into BENCH_DATA/warnreadings, reused while its stamp matches.
# ft-ingest --kind readings stores them (unmeasured).  Measured: the
# stream, "ft-warn --no-output" through bench/warn-readings.json into a
# fresh database; the back-test, the same rules with --since/--until over
# the stored readings, on a copy of that database (it must raise exactly
# the warnings the stream raised, and both must count N records); the
# NDJSON parse floor (bench/parsefloor.c, as above) on the same file; and
# the plain-SQL floors (bench/rdfloor.c): the same rows read through
# sqlite3's C API in the order of the table's key (the floor), and in the
# order of time, sorted by SQLite (for information).  Its figures go to
# BENCH_DATA/warnreadings-results.txt; the table prints readings/s, stream
# / parse floor, back-test / stream and back-test / SQL floor.
#
# The NAB section (issue 13: the shipped sensor rules on the 17 labelled
# real series of BENCH_CORPUS/nab, scored by ../shared/tools/nab_score.py;
# the target is a standard score above the HTM detector's 72.3): bench/nab.sh,
# whose header says how the series become readings and the warnings alarms.
# Its figures go to BENCH_DATA/nab-results.txt.
#
# The ft-warn section (issue 13: at least 300,000 events/s in stream mode
# through 50 rules of mixed types, no jq predicates; peak RSS under 64 MB
# with 100,000 distinct keys): the N events of BENCH_DATA/events.ndjson
# (the generation below, reused while its stamp matches) through the 50
# rules of bench/warn.json, "ft-warn --no-output" into a fresh database
# (not -q: its summary line must count N records, or the case is invalid);
# the keys it kept (warn_windows) and the warnings it raised are recorded.
# Then, for reference, the same with one rule (a threshold on category);
# and the NDJSON parse floor, bench/parsefloor.c: the same file read as
# lib/ft_input.c reads it (256 KiB at a time, the lines found in place) and
# each line through ft_json_parse() (ft's own parser, linked from the
# build's libft.a) and nothing else; it must count N lines.  Its figures go to BENCH_DATA/warn-results.txt; the table prints
# events/s and ft-warn / floor.
#
# The readings section (issue 13: at least 500,000 readings/s stored from
# NDJSON): bench/genread.c writes BENCH_READINGS readings (default
# 2,000,000) from 10,000 sensors, a round of every sensor a minute, in time
# order (reused while its stamp matches); ft-ingest --kind readings loads
# them into a fresh database, and "floor readings" (bench/floor.c) makes
# the same durable inserts in plain SQL, in file order, into a database
# that ft-ingest made from an empty file.  Each must leave exactly that
# many rows.  Its figures go to BENCH_DATA/readings-results.txt; the table
# prints readings/s and ft / floor.
#
# The data is generated once (bench/gen.c, deterministic) into BENCH_DATA
# and reused while its stamp says the same N.  The random-order cases
# (issue 15: a night's merge of several exports, a backfill, a resent
# file): bench/shuffle.c writes events-random.csv and events-random.ndjson,
# the same N records as events.csv and events.ndjson, shuffled with the
# fixed seed 15 (the CSV header kept first), so that ids and reported_at
# come in random order; the same permutation for both files.  ft-csv-random
# and ft-ndjson-random load them as ft-csv and ft-ndjson load the ordered
# files, each into a fresh database, and must leave N rows; the table
# prints random / ordered on wall time (target <= 1.3) and counts them in
# ft-ingest's peak RSS.  ft-dispatch's units come
# from bench/genunits.c (2,000 grid cells, also deterministic), its rules
# from bench/dispatch.json.  Every case then runs once,
# on the same files, into a fresh database, under /usr/bin/time for wall
# seconds and peak RSS.  Every database-loading run must leave exactly N
# rows, every libjq floor run must see N values, and every ft-dispatch run
# must leave exactly N events dispatched: otherwise the script says so
# loudly and exits 1, since its figures would mean nothing.
#
# The ft-vote section runs on a real participatory-budgeting round, a
# pabulib file (by default Warszawa 2026: 61,668 approval ballots, 83
# projects): ft-vote import into a fresh database, then one tally for each
# of greedy, mes and mes-add1.  The import must leave the file's ballots and
# projects, and greedy-threshold at the file's threshold must select the
# projects the file marks selected; each tally must print every project.
# Where python3 is installed, bench/mes_ref.py (the equalshares.net
# reference code, in floats) counts mes and mes-add1 on the same file, for
# a ratio and to check that both choose the same projects.  Its figures go
# to BENCH_DATA/vote-results.txt, in the same format plus a few lines of
# their own.
#
# The plain-SQL floors (issue 12: ingest within 1.2x of them, dispatch
# within 1.3x) are bench/floor.c, built here like jqfloor.c; its header
# says what each one does and leaves out.  In short, each floor makes the
# same durable writes as the tool, with the least code: into a database
# with ft's own schema (every index, trigger, CHECK and foreign key), with
# ft's pragmas (WAL, synchronous = NORMAL, the same cache) and batches of
# 2000, one thread, SQLite's default checkpoints.
#   floor-csv, floor-ndjson: into a database that ft-ingest made from an
#     empty file (unmeasured), one ingests row, the N records (libcsv; a
#     minimal parser of flat JSON objects) with the same columns, extra and
#     raw, reported_at in UTC; one chained history entry a transaction for
#     the events it created, as ft-ingest writes.  Left out: validation,
#     rejects, upsert comparison, the runs' lock, output.  The rows are the
#     very bytes ft-ingest stores (checked by hand at N = 1000).
#   floor-dispatch: on a copy of the dispatch base database, the pending
#     events read a page of 2000 at a time as --pending reads them, and
#     for each ft-dispatch's UPDATE of its 11 columns and a chained history
#     entry, one transaction a page.  The decisions are not made: they are
#     the ones dispatch-pending stored, exported (unmeasured) in --pending's
#     order.  Left out: rules, areas, the duplicate search, deadlines,
#     output.
#   dispatch-pending-random (issue 15): the same N events in random order
#     (bench/shuffle.c permutes the NDJSON lines with a fixed seed, so that
#     neither the ids nor reported_at rise with seq; kept in BENCH_DATA as
#     events-random.ndjson while its stamp says the same N), ingested
#     unmeasured into their own base database, then --pending as
#     dispatch-pending; its target is random / ordered <= 1.3 on wall
#     time.  floor-dispatch-random is the floor above on that database,
#     with the decisions dispatch-pending-random stored: the cost of the
#     same writes when the rows are not stored in the order of time.
# So "ft / floor" is ft's overhead over the same durable writes: parsing
# and checking (ingest) or deciding (dispatch), and whatever its threads
# win or lose.  A floor run must leave exactly N rows (N events
# dispatched) and say so itself ("floor: N rows").
#
# The threads (issue 12: each stays only where a benchmark shows it pays).
# The script builds a second copy of ft-ingest, ft-dispatch and ft-vote
# from this source tree, with the Makefile's own rules and flags plus
# -DFT_NO_CHECKPOINTER (lib/ft_db.c: no checkpointer thread, SQLite's
# automatic checkpoints instead), -DFT_ONE_THREAD_TALLY (lib/ft_tally.c:
# mes-add1 without its second thread), -DFT_NO_WRITER_THREAD
# (lib/ft_ingest.c: the reading thread writes each batch itself) and
# -DFT_NO_READ_AHEAD (lib/ft_dispatch.c: --pending reads each page itself,
# without lib/ft_pending.c's thread; lib/ft_input.c: a regular file is read
# and parsed in the tool's own thread, not ahead by another), into
# BENCH_DATA/nothreads (make
# OUT=... CFLAGS=..., kept between runs, so only a changed source is
# rebuilt).  Then ft-csv, ft-ndjson, dispatch-pending and vote-mes-add1 run
# again with it, as the cases "...-nothreads", each checked as its twin,
# and the tables print "with / without" on wall time: under 1 the thread
# pays.  FT_BIN should be the build of the same tree (make bench's is).
# For ft-ingest, "without" is without its three threads (input reader,
# writer and checkpointer); for ft-dispatch, both of its (page reader and
# checkpointer: dispatch-pending reads no file).
#
# The ft tools are copied from FT_BIN before the first case (their sha256
# is printed), so that a rebuild during the run cannot mix two versions.
#
# The keyword section (issue 13: a keyword rule's terms found in one pass
# over a text for all of them, not one search a term): tests/unit/kw.c,
# built by make beside the tools as build/.../test/ft-kw, draws 5,000 terms
# from ../shared/corpus/chinese_text/waimai_10k.csv itself (seed 13:
# mostly one to four whole characters, some ASCII in either case, some cut
# mid-character), then scans every line of the file alone, as ft-warn
# scans an item's text, with lib/ft_kw (the whole file again and again for
# half a second at least) and with a naive memmem() per term over the line
# folded to lower case (once).  Both must find the same ids on every line,
# or the case is invalid.  It prints lines a second of each and their
# ratio, into BENCH_DATA/kw-results.txt too; on CPU seconds (one thread
# each), so that other processes on the machine do not count.  Those terms
# are common (about 300 found a line): for information, the same again
# with 5,000 pairs of random ideographs ("ft-kw cjk 13 5000 2"), of which
# the file holds two, which measures the pass alone.
#
# Output: the table and the targets on standard output; the same figures,
# one "case wall_s user_s sys_s peak_kb" line each, in
# BENCH_DATA/results.txt.  The ratios use wall time: that is what a nightly
# job waits for.  User and system CPU are shown too, since wall time on a
# disk with slow fsync is partly waiting.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
FT_BIN=${FT_BIN:-./bin}
FT_BIN=$(cd "$FT_BIN" && pwd)
N=${BENCH_N:-1000000}
DATA=${BENCH_DATA:-$here/data}
CC=${CC:-cc}

CORPUS=${BENCH_CORPUS:-$here/../../shared/corpus}
CORPUS=$(cd "$CORPUS" 2>/dev/null && pwd || echo "$CORPUS")
PB=${BENCH_PB:-$CORPUS/pabulib/Poland_Warszawa_2026.pb}

# What to run: everything (the default), the ft-vote section alone, or
# nothing but the tables of the last run.
case ${1:-} in
'') only= ;;
main | vote | kw | readings | warn | warnreadings | nab | report | report-base | report-check | --table) only=$1 ;;
*) echo "usage: sh bench/run.sh [main | vote | kw | readings | warn | warnreadings | nab | report | report-base | report-check | --table]" >&2; exit 64 ;;
esac

case $N in
'' | *[!0-9]*) echo "bench: BENCH_N must be a positive integer: $N" >&2; exit 64 ;;
esac
[ "$N" -gt 0 ] || { echo "bench: BENCH_N must be positive" >&2; exit 64; }
if [ -z "$only" ] || [ "$only" = main ] || [ "$only" = readings ]; then
	[ -x "$FT_BIN/ft-ingest" ] ||
		{ echo "bench: no $FT_BIN/ft-ingest (run make)" >&2; exit 66; }
	need="sqlite3 sqlite-utils jq /usr/bin/time"
elif [ "$only" = vote ]; then
	need="jq /usr/bin/time"
elif [ "$only" = kw ]; then
	need=
elif [ "$only" = readings ]; then
	need="sqlite3 /usr/bin/time"
elif [ "$only" = warn ] || [ "$only" = warnreadings ]; then
	need="sqlite3 /usr/bin/time"
elif [ "$only" = nab ]; then
	need="jq python3"
elif [ "$only" = report ]; then
	need="sqlite3 /usr/bin/time"
elif [ "$only" = report-base ] || [ "$only" = report-check ]; then
	# Nothing timed: make check's tests run report-check where only the
	# test dependencies are installed (no /usr/bin/time).
	need="sqlite3"
else
	need=
fi
for t in $need; do
	command -v "$t" >/dev/null 2>&1 ||
		{ echo "bench: $t is missing (sh tools/deps.sh bench)" >&2; exit 66; }
done

mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
CSV=$DATA/events.csv
NDJSON=$DATA/events.ndjson
RCSV=$DATA/events-random.csv
RNDJSON=$DATA/events-random.ndjson
RESULTS=$DATA/results.txt
VRESULTS=$DATA/vote-results.txt
KRESULTS=$DATA/kw-results.txt
RRESULTS=$DATA/readings-results.txt
WRESULTS=$DATA/warn-results.txt
XRESULTS=$DATA/warnreadings-results.txt
PRESULTS=$DATA/report-results.txt
PN=${BENCH_REPORT_N:-5000000}
case $PN in
'' | *[!0-9]*) echo "bench: BENCH_REPORT_N must be a positive integer: $PN" >&2; exit 64 ;;
esac
WRN=${BENCH_WARN_READINGS:-10000000}
case $WRN in
'' | *[!0-9]*) echo "bench: BENCH_WARN_READINGS must be a positive integer: $WRN" >&2; exit 64 ;;
esac
[ "$WRN" -gt 0 ] || { echo "bench: BENCH_WARN_READINGS must be positive" >&2; exit 64; }
NRESULTS=$DATA/work/nab-results.txt
RN=${BENCH_READINGS:-2000000}
RSENSORS=10000
RFILE=$DATA/readings.ndjson
case $RN in
'' | *[!0-9]*) echo "bench: BENCH_READINGS must be a positive integer: $RN" >&2; exit 64 ;;
esac
WORK=$DATA/work
bad=0

# table RESULTS: prints the table and the targets from a results file;
# exits 1 from awk when BENCH_STRICT=1 and a target failed.
table() {
awk -v strict="${BENCH_STRICT:-0}" '
$1 == "invalid" { s[$2] = "-"; kb[$2] = "-"; wrong[$2] = 1; next }
$1 == "N" { n = $2; print "N = " $2 " records"; next }
$1 == "load" { $1 = ""; print "load average" $0; next }
{ s[$1] = $2; us[$1] = $3; ss[$1] = $4; kb[$1] = $5; order[++k] = $1 }
function ratio(a, b) {
	if (!(a in s) || !(b in s) || s[a] == "-" || s[b] == "-" || s[b] == 0)
		return "n/a"
	return sprintf("%.2f", s[a] / s[b])
}
# The same on user + system CPU seconds: for information, since wall time
# also counts fsync waits and other processes on a shared machine.
function cpu(a, b,    d) {
	if (!(a in s) || !(b in s) || s[a] == "-" || s[b] == "-")
		return "n/a"
	d = us[b] + ss[b]
	return d ? sprintf("%.2f", (us[a] + ss[a]) / d) : "n/a"
}
# A target, counted in "targets: N failed" unless info is set (the
# earlier targets that issue 12 replaced by the floors: shown, not counted).
function target(name, r, op, lim, c,    ok) {
	if (r == "n/a") ok = "FAIL"
	else if (op == "<=") ok = (r + 0 <= lim) ? "PASS" : "FAIL"
	else if (op == ">=") ok = (r + 0 >= lim) ? "PASS" : "FAIL"
	else ok = (r + 0 < lim) ? "PASS" : "FAIL"
	if (ok == "FAIL" && !info) fails++
	if (info) ok = tolower(ok)
	printf "| %-36s | %8s | %-9s | %-4s | %9s |\n", name, r, op " " lim, \
		ok, c
}
# Events a second through ft-dispatch: N over wall seconds (or over user +
# system CPU seconds, for information).
function rate(a) {
	if (!(a in s) || s[a] == "-" || s[a] == 0 || !n)
		return "n/a"
	return sprintf("%d", n / s[a])
}
function cpurate(a,    d) {
	if (!(a in s) || s[a] == "-" || !n)
		return "n/a"
	d = us[a] + ss[a]
	return d ? sprintf("%d", n / d) : "n/a"
}
END {
	print ""
	printf "| %-24s | %9s | %8s | %8s | %8s |\n", "case", "wall s", \
		"user s", "sys s", "peak MB"
	print "|--------------------------|----------:|---------:|---------:|---------:|"
	for (i = 1; i <= k; i++) {
		c = order[i]
		mb = kb[c] == "-" ? "-" : sprintf("%.1f", kb[c] / 1024)
		printf "| %-24s | %9s | %8s | %8s | %8s |\n", c, s[c], us[c], \
			ss[c], mb
		if (c in wrong)
			printf "| %-24s | %9s | %8s | %8s | %8s |\n", \
				"  ^ WRONG ROW COUNT", "invalid", "-", "-", "-"
	}
	peak = 0
	split("ft-csv ft-ndjson ft-map ft-map-jq ft-csv-random ft-ndjson-random", fts, \
		" ")
	for (i in fts)
		if ((fts[i] in kb) && kb[fts[i]] != "-" && kb[fts[i]] > peak)
			peak = kb[fts[i]]
	print ""
	printf "| %-36s | %8s | %-9s | %-4s | %9s |\n", "target (on wall time)", \
		"got", "want", "", "CPU ratio"
	print "|--------------------------------------|---------:|-----------|------|----------:|"
	# Issue 12: ft over the plain-SQL floor of the same durable writes
	# (bench/floor.c), measured in the same run.
	target("CSV: ft / plain-SQL floor", ratio("ft-csv", "floor-csv"), \
		"<=", 1.2, cpu("ft-csv", "floor-csv"))
	target("NDJSON: ft / plain-SQL floor", \
		ratio("ft-ndjson", "floor-ndjson"), "<=", 1.2, \
		cpu("ft-ndjson", "floor-ndjson"))
	# Issue 15: the same rows in random order, against the ordered run.
	target("CSV: random / ordered order", \
		ratio("ft-csv-random", "ft-csv"), "<=", 1.3, \
		cpu("ft-csv-random", "ft-csv"))
	target("NDJSON: random / ordered order", \
		ratio("ft-ndjson-random", "ft-ndjson"), "<=", 1.3, \
		cpu("ft-ndjson-random", "ft-ndjson"))
	target("dispatch --pending / floor", \
		ratio("dispatch-pending", "floor-dispatch"), "<=", 1.3, \
		cpu("dispatch-pending", "floor-dispatch"))
	# Issue 15: the same events in random order, over the ordered run.
	target("dispatch --pending random / ordered", \
		ratio("dispatch-pending-random", "dispatch-pending"), "<=", \
		1.3, cpu("dispatch-pending-random", "dispatch-pending"))
	target("map: ft / (jq parse+filter)", \
		ratio("ft-map", "jq-parse-filter"), "<=", 1.3, \
		cpu("ft-map", "jq-parse-filter"))
	target("ft-ingest peak RSS, MB", \
		peak ? sprintf("%.1f", peak / 1024) : "n/a", "<", 32, "")
	# ft-dispatch: the CPU column holds events per CPU second.
	dpeak = 0
	split("dispatch-pending dispatch-stdin dispatch-pending-random", dcs, " ")
	for (i in dcs)
		if ((dcs[i] in kb) && kb[dcs[i]] != "-" && kb[dcs[i]] > dpeak)
			dpeak = kb[dcs[i]]
	target("dispatch peak RSS, MB", \
		dpeak ? sprintf("%.1f", dpeak / 1024) : "n/a", "<", 64, "")
	# The earlier targets, replaced by the floors (issue 12): not counted.
	printf "| %-36s | %8s | %-9s | %-4s | %9s |\n", \
		"(issues 2 and 3, not counted:)", "", "", "", ""
	info = 1
	target("CSV: ft / sqlite3 .import", ratio("ft-csv", "sqlite3-import"), \
		"<=", 0.8, cpu("ft-csv", "sqlite3-import"))
	target("CSV: sqlite-utils / ft", ratio("sqlite-utils-csv", "ft-csv"), \
		">=", 10, cpu("sqlite-utils-csv", "ft-csv"))
	target("NDJSON: ft / jq parse", ratio("ft-ndjson", "jq-parse"), \
		"<=", 1.3, cpu("ft-ndjson", "jq-parse"))
	target("NDJSON: sqlite-utils / ft", \
		ratio("sqlite-utils-ndjson", "ft-ndjson"), ">=", 4, \
		cpu("sqlite-utils-ndjson", "ft-ndjson"))
	target("dispatch --pending: events/s", rate("dispatch-pending"), \
		">=", 200000, cpurate("dispatch-pending"))
	info = 0
	print ""
	printf "(for information: ft-dispatch from standard input = %s events/s, %s a CPU second)\n", \
		rate("dispatch-stdin"), cpurate("dispatch-stdin")
	printf "(for information: the plain-SQL floor of dispatch, random / ordered = %s, on CPU %s)\n", \
		ratio("floor-dispatch-random", "floor-dispatch"), \
		cpu("floor-dispatch-random", "floor-dispatch")
	printf "(for information: map through jq, not picked: ft / (jq parse+filter) = %s, on CPU %s)\n", \
		ratio("ft-map-jq", "jq-parse-filter"), \
		cpu("ft-map-jq", "jq-parse-filter")
	printf "(for information: ft / sqlite3 .import into a keyed table = %s)\n", \
		ratio("ft-csv", "sqlite3-import-keyed")
	# The threads: with / without, under 1 they pay.
	printf "(the threads (ft-ingest: writer, checkpointer; ft-dispatch: page reader, checkpointer), with / without on wall time: ft-csv %s, ft-ndjson %s, dispatch --pending %s; on CPU: %s, %s, %s)\n", \
		ratio("ft-csv", "ft-csv-nothreads"), \
		ratio("ft-ndjson", "ft-ndjson-nothreads"), \
		ratio("dispatch-pending", "dispatch-nothreads"), \
		cpu("ft-csv", "ft-csv-nothreads"), \
		cpu("ft-ndjson", "ft-ndjson-nothreads"), \
		cpu("dispatch-pending", "dispatch-nothreads")
	printf "targets: %d failed\n", fails
	if (strict == 1 && fails) exit 1
}' "$1"
}

# vote_table RESULTS: the ft-vote section's table and targets, from its
# results file; exits 1 from awk when BENCH_STRICT=1 and a target failed.
vote_table() {
awk -v strict="${BENCH_STRICT:-0}" '
$1 == "invalid" { wrong[$2] = 1; next }
$1 == "load" { $1 = ""; print "load average" $0; next }
$1 == "pb" { pb = $2; nb = $3; np = $4
	print "ft-vote on " pb ": " nb " ballots, " np " projects"; next }
$1 == "missing" { $1 = ""; missing = missing $0; next }
$1 == "agree" { agree[$2] = $3; detail[$2] = $4 (NF > 4 ? " " $5 : ""); next }
$1 == "noref" { noref = 1; next }
NF == 5 { s[$1] = $2; us[$1] = $3; ss[$1] = $4; kb[$1] = $5; order[++k] = $1 }
function ok(c) { return (c in s) && s[c] != "-" && !(c in wrong) }
function secs(c) { return ok(c) ? s[c] : "n/a" }
function cpus(c) { return ok(c) ? sprintf("%.2f", us[c] + ss[c]) : "" }
function ratio(a, b) {
	if (!ok(a) || !ok(b) || s[b] == 0) return "n/a"
	return sprintf("%.4f", s[a] / s[b])
}
function cpu(a, b,    d) {
	if (!ok(a) || !ok(b)) return "n/a"
	d = us[b] + ss[b]
	return d ? sprintf("%.4f", (us[a] + ss[a]) / d) : "n/a"
}
function target(name, r, op, lim, c,    res) {
	if (r == "n/a") res = "FAIL"
	else res = (r + 0 < lim) ? "PASS" : "FAIL"
	if (res == "FAIL") fails++
	printf "| %-36s | %8s | %-9s | %-4s | %9s |\n", name, r, op " " lim, \
		res, c
}
END {
	if (missing != "") print "ft-vote section not run:" missing
	print ""
	printf "| %-24s | %9s | %8s | %8s | %8s |\n", "case", "wall s", \
		"user s", "sys s", "peak MB"
	print "|--------------------------|----------:|---------:|---------:|---------:|"
	for (i = 1; i <= k; i++) {
		c = order[i]
		mb = kb[c] == "-" ? "-" : sprintf("%.1f", kb[c] / 1024)
		printf "| %-24s | %9s | %8s | %8s | %8s |\n", c, s[c], us[c], \
			ss[c], mb
		if (c in wrong)
			printf "| %-24s | %9s | %8s | %8s | %8s |\n", \
				"  ^ WRONG RESULT", "invalid", "-", "-", "-"
	}
	peak = 0
	split("vote-import vote-greedy vote-mes vote-mes-add1", vcs, " ")
	for (i in vcs)
		if ((vcs[i] in kb) && kb[vcs[i]] != "-" && kb[vcs[i]] > peak)
			peak = kb[vcs[i]]
	print ""
	printf "| %-36s | %8s | %-9s | %-4s | %9s |\n", "target (on wall time)", \
		"got", "want", "", "CPU s"
	print "|--------------------------------------|---------:|-----------|------|----------:|"
	target("ft-vote import, s", secs("vote-import"), "<", 1, \
		cpus("vote-import"))
	target("ft-vote tally --rule greedy, s", secs("vote-greedy"), "<", 0.2, \
		cpus("vote-greedy"))
	target("ft-vote tally --rule mes, s", secs("vote-mes"), "<", 0.5, \
		cpus("vote-mes"))
	target("ft-vote tally --rule mes-add1, s", secs("vote-mes-add1"), "<", \
		5, cpus("vote-mes-add1"))
	target("ft-vote peak RSS, MB", \
		peak ? sprintf("%.1f", peak / 1024) : "n/a", "<", 100, "")
	print ""
	if (noref)
		print "(no reference alternative: python3 is not installed)"
	else if (missing == "") {
		printf "| %-36s | %8s | %9s | %-24s |\n", \
			"against bench/mes_ref.py (python3)", "ft / ref", \
			"CPU ratio", "same projects"
		print "|--------------------------------------|---------:|----------:|--------------------------|"
		split("mes mes-add1", rs, " ")
		for (i = 1; i <= 2; i++) {
			r = rs[i]
			a = r in agree ? agree[r] " (" detail[r] ")" : "n/a"
			printf "| %-36s | %8s | %9s | %-24s |\n", \
				"tally --rule " r, ratio("vote-" r, "ref-" r), \
				cpu("vote-" r, "ref-" r), a
		}
		for (i = 1; i <= 2; i++)
			if (agree[rs[i]] == "no")
				printf "(%s: ft-vote and the reference chose different projects: %s)\n", \
					rs[i], detail[rs[i]]
	}
	if ("vote-mes-add1-nothreads" in s)
		printf "(the tally'"'"'s second thread: mes-add1 with / without = %s on wall time, %s on CPU)\n", \
			ratio("vote-mes-add1", "vote-mes-add1-nothreads"), \
			cpu("vote-mes-add1", "vote-mes-add1-nothreads")
	printf "ft-vote targets: %d failed\n", fails
	if (strict == 1 && fails) exit 1
}' "$1"
}

# readings_table RESULTS: the readings section's table and target, from
# its results file; exits 1 from awk when BENCH_STRICT=1 and it failed.
readings_table() {
awk -v strict="${BENCH_STRICT:-0}" '
$1 == "invalid" { wrong[$2] = 1; next }
$1 == "load" { $1 = ""; print "load average" $0; next }
$1 == "readings" { n = $2
	print "readings: " $2 " from " $3 " sensors, NDJSON"; next }
NF == 5 { s[$1] = $2; us[$1] = $3; ss[$1] = $4; kb[$1] = $5; order[++k] = $1 }
function ok(c) { return (c in s) && s[c] != "-" && s[c] > 0 && !(c in wrong) }
function rate(c) { return ok(c) ? sprintf("%d", n / s[c]) : "n/a" }
function cpurate(c,    d) {
	if (!ok(c)) return "n/a"
	d = us[c] + ss[c]
	return d ? sprintf("%d", n / d) : "n/a"
}
function ratio(a, b) {
	return ok(a) && ok(b) ? sprintf("%.2f", s[a] / s[b]) : "n/a"
}
function cpu(a, b,    d) {
	if (!ok(a) || !ok(b)) return "n/a"
	d = us[b] + ss[b]
	return d ? sprintf("%.2f", (us[a] + ss[a]) / d) : "n/a"
}
END {
	print ""
	printf "| %-24s | %9s | %8s | %8s | %8s | %10s |\n", "case", "wall s", \
		"user s", "sys s", "peak MB", "readings/s"
	print "|--------------------------|----------:|---------:|---------:|---------:|-----------:|"
	for (i = 1; i <= k; i++) {
		c = order[i]
		mb = kb[c] == "-" ? "-" : sprintf("%.1f", kb[c] / 1024)
		printf "| %-24s | %9s | %8s | %8s | %8s | %10s |\n", c, s[c], \
			us[c], ss[c], mb, rate(c)
		if (c in wrong)
			printf "| %-24s | %9s | %8s | %8s | %8s | %10s |\n", \
				"  ^ WRONG ROW COUNT", "invalid", "-", "-", "-", "-"
	}
	print ""
	printf "| %-36s | %8s | %-9s | %-4s | %9s |\n", "target (on wall time)", \
		"got", "want", "", "a CPU s"
	print "|--------------------------------------|---------:|-----------|------|----------:|"
	r = rate("ft-readings")
	res = r != "n/a" && r + 0 >= 500000 ? "PASS" : "FAIL"
	if (res == "FAIL") fails++
	printf "| %-36s | %8s | %-9s | %-4s | %9s |\n", \
		"readings/s stored, NDJSON", r, ">= 500000", res, \
		cpurate("ft-readings")
	print ""
	printf "(ft / plain-SQL floor of the same inserts: %s on wall time, %s on CPU; the floor: %s readings/s)\n", \
		ratio("ft-readings", "floor-readings"), \
		cpu("ft-readings", "floor-readings"), rate("floor-readings")
	printf "readings targets: %d failed\n", fails
	if (strict == 1 && fails) exit 1
}' "$1"
}

# fresh NAME: prints the path of a database that does not exist yet.
fresh() {
	rm -f "$WORK/$1.db" "$WORK/$1.db-wal" "$WORK/$1.db-shm" \
		"$WORK/$1.db-journal"
	echo "$WORK/$1.db"
}

# timed RESULTS OUT CASE CMD...: runs CMD once with standard output into
# OUT and records "CASE wall user sys peak_kb" in RESULTS.  A failing
# command fails the benchmark.  A case whose result is wrong gets an
# "invalid CASE" line after its own: its figures are then left out of
# every ratio and fail their targets.
timed() {
	res=$1
	out=$2
	c=$3
	shift 3
	printf 'bench: %-24s ' "$c"
	if /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" \
		>"$out" 2>"$WORK/$c.err"; then
		:
	else
		echo "FAILED (exit $?)"
		sed 's/^/    /' "$WORK/$c.err" >&2
		bad=1
		echo "$c - - - -" >>"$res"
		return 0
	fi
	read -r s us ss kb <"$WORK/time"
	echo "$s s (user $us, sys $ss), $((kb / 1024)) MB"
	echo "$c $s $us $ss $kb" >>"$res"
}

# measure CASE CMD...: the same, standard output discarded, into RESULTS.
measure() {
	timed "$RESULTS" /dev/null "$@"
}

# pbmeta KEY: the value of KEY in the .pb file's META section.
pbmeta() {
	awk -F';' -v k="$1" '{ sub(/\r$/, "") }
		$0 == "PROJECTS" { exit }
		$1 == k { print $2; exit }' "$PB"
}

# pbselected: the ids of the projects the .pb file marks selected, sorted;
# nothing when it has no selected column (or a quoted field, which this
# plain split cannot read).
pbselected() {
	awk -F';' '{ sub(/\r$/, "") }
		$0 == "PROJECTS" { p = 1; h = 0; next }
		$0 == "VOTES" { exit }
		!p { next }
		!h { h = NF; for (i = 1; i <= NF; i++) col[$i] = i; next }
		/"/ || NF != h { exit }
		("selected" in col) && $col["selected"] + 0 >= 1 {
			print $col["project_id"] }' "$PB" | LC_ALL=C sort
}

# selected FILE: the ids of the projects a tally printed as selected, sorted.
selected() {
	jq -r 'select(.project != null and .selected == true) | .project' "$1" |
		LC_ALL=C sort
}

# build_nothreads: the second copy of the tools, without the checkpointer
# and the tally's second thread, into $NOTHR/bin (see the header); on
# failure NOTHR is emptied, the script says so and will exit 1.
build_nothreads() {
	NOTHR=$DATA/nothreads
	echo "bench: building the tools without their threads into $NOTHR"
	if ! make -C "$here/.." --no-print-directory OUT="$NOTHR" \
		CFLAGS="-O2 -g -DFT_NO_CHECKPOINTER -DFT_ONE_THREAD_TALLY -DFT_NO_WRITER_THREAD -DFT_NO_READ_AHEAD" \
		"$NOTHR/bin/ft-ingest" "$NOTHR/bin/ft-dispatch" \
		"$NOTHR/bin/ft-vote" >"$DATA/nothreads.log" 2>&1; then
		echo "bench: FAIL: the build without threads failed:" >&2
		tail -n 20 "$DATA/nothreads.log" | sed 's/^/    /' >&2
		NOTHR=
		bad=1
	fi
}

# --- ft-vote -------------------------------------------------------------
# A real round: BENCH_PB (Warszawa 2026 by default, approval ballots of up
# to 5 projects, greedy-threshold at 3,000 votes).  ft-vote import into a
# fresh database, then a tally under each rule on it, each measured; then
# the reference, bench/mes_ref.py, on the .pb file itself.  The tallies are
# run as a clerk would, after the round's close, so each is stored too.
vote_bench() {
	vw=$WORK/vote
	rm -rf "$vw"
	mkdir -p "$vw/bin"
	: >"$VRESULTS"
	echo "load $(cut -d' ' -f1-3 /proc/loadavg) (before)" >>"$VRESULTS"
	if ! [ -x "$FT_BIN/ft-vote" ]; then
		echo "bench: FAIL: no $FT_BIN/ft-vote (run make)" >&2
		echo "missing $FT_BIN/ft-vote" >>"$VRESULTS"
		bad=1
		return 0
	fi
	if ! [ -r "$PB" ]; then
		echo "bench: FAIL: no $PB (set BENCH_CORPUS or BENCH_PB)" >&2
		echo "missing $PB" >>"$VRESULTS"
		bad=1
		return 0
	fi
	cp "$FT_BIN/ft-vote" "$vw/bin/"
	V=$vw/bin/ft-vote
	echo "bench: ft-vote from $FT_BIN, sha256" \
		"$(sha256sum "$V" | cut -c1-16)," \
		"$("$V" --version 2>&1 | head -1)"
	np=$(pbmeta num_projects)
	nv=$(pbmeta num_votes)
	thr=$(pbmeta min_project_score_threshold)
	echo "pb $(basename "$PB") $nv $np" >>"$VRESULTS"
	echo "bench: $(basename "$PB"): $nv ballots, $np projects," \
		"$(wc -c <"$PB") bytes"
	cat "$PB" >/dev/null

	db=$(fresh vote)
	timed "$VRESULTS" "$vw/import.out" vote-import \
		"$V" import --key "$vw/vote.key" --db "$db" "$PB"
	round=$(head -n 1 "$vw/import.out")
	if [ -z "$round" ]; then
		echo "bench: FAIL: ft-vote import printed no round id" >&2
		echo "invalid vote-import" >>"$VRESULTS"
		bad=1
		return 0
	fi
	# Unmeasured, stored nothing (-n): the round holds the file's ballots
	# and projects, and the file's own rule at its own threshold selects
	# the projects the file says were selected.
	if [ -n "$thr" ]; then
		set -- --rule greedy-threshold --threshold "$thr"
	else
		set -- --rule greedy
	fi
	if "$V" tally "$round" --db "$db" -n --totals "$@" \
		>"$vw/check.out" 2>"$WORK/vote-check.err"; then
		got=$(jq -r 'select(.totals == true) | "\(.ballots) \(.projects)"' \
			"$vw/check.out")
	else
		got="error (exit $?)"
	fi
	if [ "$got" != "$nv $np" ]; then
		echo "bench: FAIL: round $round holds $got (ballots, projects)," \
			"want $nv $np" >&2
		sed 's/^/    /' "$WORK/vote-check.err" >&2
		echo "invalid vote-import" >>"$VRESULTS"
		bad=1
	fi
	pbselected >"$vw/file-selected.txt"
	if [ -n "$thr" ] && [ -s "$vw/file-selected.txt" ]; then
		selected "$vw/check.out" >"$vw/check-selected.txt"
		if cmp -s "$vw/file-selected.txt" "$vw/check-selected.txt"; then
			echo "bench:   $* selects the file's" \
				"$(wc -l <"$vw/file-selected.txt") projects"
		else
			echo "bench: FAIL: $* does not select the projects the" \
				"file marks selected:" >&2
			diff "$vw/file-selected.txt" "$vw/check-selected.txt" |
				sed 's/^/    /' >&2 || :
			bad=1
		fi
	fi

	for r in greedy mes mes-add1; do
		timed "$VRESULTS" "$vw/$r.out" "vote-$r" \
			"$V" tally "$round" --rule "$r" --db "$db"
		got=$(jq -c --arg r "$r" \
			'select(.project != null and .rule == $r)' "$vw/$r.out" |
			wc -l)
		if [ "$got" -ne "$np" ]; then
			echo "bench: FAIL: tally --rule $r printed $got" \
				"projects, want $np" >&2
			echo "invalid vote-$r" >>"$VRESULTS"
			bad=1
		else
			selected "$vw/$r.out" >"$vw/$r-selected.txt"
			echo "bench:   $r selects $(wc -l <"$vw/$r-selected.txt")" \
				"projects"
		fi
	done

	# mes-add1 without its second thread (see build_nothreads): the
	# same projects, or the case is invalid.
	if [ -n "${NOTHR:-}" ] && [ -f "$vw/mes-add1-selected.txt" ]; then
		timed "$VRESULTS" "$vw/mes-add1-1.out" vote-mes-add1-nothreads \
			"$NOTHR/bin/ft-vote" tally "$round" --rule mes-add1 \
			--db "$db"
		selected "$vw/mes-add1-1.out" >"$vw/mes-add1-1-selected.txt"
		if ! cmp -s "$vw/mes-add1-selected.txt" \
			"$vw/mes-add1-1-selected.txt"; then
			echo "bench: FAIL: mes-add1 without the second thread" \
				"selects other projects" >&2
			echo "invalid vote-mes-add1-nothreads" >>"$VRESULTS"
			bad=1
		fi
	fi

	if ! command -v python3 >/dev/null 2>&1; then
		echo "bench: no python3: no reference for ft-vote"
		echo "noref" >>"$VRESULTS"
	else
		for r in mes mes-add1; do
			timed "$VRESULTS" "$vw/ref-$r.out" "ref-$r" \
				python3 "$here/mes_ref.py" --rule "$r" "$PB"
			[ -f "$vw/$r-selected.txt" ] || continue
			LC_ALL=C sort "$vw/ref-$r.out" >"$vw/ref-$r-selected.txt"
			a=$vw/$r-selected.txt
			b=$vw/ref-$r-selected.txt
			if cmp -s "$a" "$b"; then
				echo "agree $r yes $(wc -l <"$a")" >>"$VRESULTS"
			else
				fo=$(LC_ALL=C comm -23 "$a" "$b" | paste -sd, -)
				ro=$(LC_ALL=C comm -13 "$a" "$b" | paste -sd, -)
				echo "agree $r no ft-only=${fo:--}" \
					"ref-only=${ro:--}" >>"$VRESULTS"
			fi
		done
	fi
	echo "load $(cut -d' ' -f1-3 /proc/loadavg) (after)" >>"$VRESULTS"
}
# --- end of ft-vote ----------------------------------------------------

# --- ft_kw ---------------------------------------------------------------
# Keywords (see the header): ft-kw's own lines, "kw: ...", into KRESULTS,
# or an "invalid" line when the two searches disagree or it fails.
kw_bench() {
	: >"$KRESULTS"
	kw=$(dirname "$(readlink -f "$FT_BIN/ft-ingest")")/../test/ft-kw
	waimai=$CORPUS/chinese_text/waimai_10k.csv
	if ! [ -x "$kw" ]; then
		echo "bench: FAIL: no $kw (make bench builds it)" >&2
		echo "kw: invalid: no ft-kw" >>"$KRESULTS"
		bad=1
		return 0
	fi
	if ! [ -r "$waimai" ]; then
		echo "bench: FAIL: no $waimai (set BENCH_CORPUS)" >&2
		echo "kw: invalid: no waimai_10k.csv" >>"$KRESULTS"
		bad=1
		return 0
	fi
	mkdir -p "$WORK"
	echo "load $(cut -d' ' -f1-3 /proc/loadavg) (before)" >>"$KRESULTS"
	echo "bench: keywords: 5000 terms over $(wc -l <"$waimai") lines" \
		"of $(basename "$waimai")"
	# The case, then for information the same with 5,000 pairs of
	# random ideographs, which the text hardly holds: the cost of the
	# pass itself, without the terms found.
	"$kw" draw 13 5000 "$waimai" >"$WORK/kw-terms.txt"
	kw_case "drawn from the file:" "$WORK/kw-terms.txt"
	"$kw" cjk 13 5000 2 >"$WORK/kw-cjk.txt"
	kw_case "random pairs (information):" "$WORK/kw-cjk.txt"
	echo "load $(cut -d' ' -f1-3 /proc/loadavg) (after)" >>"$KRESULTS"
}

# kw_case TITLE TERMS: one run of ft-kw bench, into KRESULTS.
kw_case() {
	echo "kw: $1" >>"$KRESULTS"
	if "$kw" bench "$2" "$waimai" >"$WORK/kw.out" 2>"$WORK/kw.err"; then
		cat "$WORK/kw.out" >>"$KRESULTS"
	else
		echo "bench: FAIL: ft_kw and the naive search disagree" \
			"(or ft-kw failed):" >&2
		head -n 4 "$WORK/kw.out" "$WORK/kw.err" | sed 's/^/    /' >&2
		echo "kw: invalid: ft_kw and the naive search disagree" \
			>>"$KRESULTS"
		bad=1
	fi
}

# kw_table: the keyword section's figures, from KRESULTS.
kw_table() {
	sed -n 's/^kw: //p; s/^load /keywords: load average /p' "$KRESULTS"
}
# --- end of ft_kw --------------------------------------------------------
# --- readings (issue 13) -----------------------------------------------
# Defined here so that "run.sh readings" can run it alone.  Its own copy
# of ft-ingest, its own results file.
readings_bench() {
	rw=$WORK/readings
	rm -rf "$rw"
	mkdir -p "$rw"
	: >"$RRESULTS"
	echo "readings $RN $RSENSORS" >>"$RRESULTS"
	$CC -O2 -o "$DATA/genread" "$here/genread.c"
	$CC -O2 -o "$DATA/floor" "$here/floor.c" -lsqlite3 -lcsv -lnettle
	if [ -f "$DATA/readings.n" ] &&
		[ "$(cat "$DATA/readings.n")" = "$RN $RSENSORS" ] &&
		[ -f "$RFILE" ]; then
		echo "bench: reusing $RN readings in $DATA"
	else
		echo "bench: generating $RN readings into $DATA"
		rm -f "$DATA/readings.n"
		"$DATA/genread" -n "$RN" -s "$RSENSORS" "$DATA"
	fi
	cp "$FT_BIN/ft-ingest" "$rw/ft-ingest"
	echo "bench: ft-ingest from $FT_BIN, sha256" \
		"$(sha256sum "$rw/ft-ingest" | cut -c1-16)"
	cat "$RFILE" >/dev/null
	echo "load $(cut -d' ' -f1-3 /proc/loadavg) (before)" >>"$RRESULTS"

	db=$(fresh ft-readings)
	timed "$RRESULTS" /dev/null ft-readings "$rw/ft-ingest" -q \
		--no-output --kind readings --db "$db" "$RFILE"
	readings_rows ft-readings "$db"

	db=$(fresh floor-readings)
	: >"$WORK/empty.csv"
	"$rw/ft-ingest" -q --no-output --db "$db" "$WORK/empty.csv"
	timed "$RRESULTS" /dev/null floor-readings "$DATA/floor" readings \
		"$db" "$RFILE"
	readings_rows floor-readings "$db"
	if ! grep -q "^floor: $RN rows" "$WORK/floor-readings.err"; then
		echo "bench: FAIL: floor-readings did not write $RN rows" >&2
		echo "invalid floor-readings" >>"$RRESULTS"
		bad=1
	fi
	rm -f "$WORK"/ft-readings.db* "$WORK"/floor-readings.db*
	echo "load $(cut -d' ' -f1-3 /proc/loadavg) (after)" >>"$RRESULTS"
}

# readings_rows CASE DB: the load must have left exactly RN readings.
readings_rows() {
	got=$(sqlite3 "$2" "SELECT count(*) FROM readings" 2>&1) ||
		got="error: $got"
	if [ "$got" != "$RN" ]; then
		echo "bench: FAIL: $1 loaded $got readings, want $RN" >&2
		echo "invalid $1" >>"$RRESULTS"
		bad=1
	fi
}
# --- end of readings ---------------------------------------------------
# --- ft-warn (issue 13) ------------------------------------------------
# Defined here so that "run.sh warn" can run it alone (see the header).
# Its own copy of ft-warn, its own results file.
warn_bench() {
	ww=$WORK/warn
	rm -rf "$ww"
	mkdir -p "$ww"
	: >"$WRESULTS"
	echo "warn $N" >>"$WRESULTS"
	if ! [ -x "$FT_BIN/ft-warn" ]; then
		echo "bench: FAIL: no $FT_BIN/ft-warn (run make)" >&2
		echo "missing $FT_BIN/ft-warn" >>"$WRESULTS"
		bad=1
		return 0
	fi
	# The parse floor links the libft.a of FT_BIN's build, as the Makefile
	# builds the tools (FT_BIN should be the build of this tree).
	libft=$(dirname "$(readlink -f "$FT_BIN/ft-warn")")/../libft.a
	if ! [ -f "$libft" ] || ! $CC -O2 -std=c17 -D_POSIX_C_SOURCE=200809L \
		-D_DEFAULT_SOURCE -I"$here/../lib" -o "$DATA/parsefloor" \
		"$here/parsefloor.c" "$libft" -lsqlite3 -ljq -lcsv -lnettle \
		-lm -lpthread; then
		echo "bench: FAIL: cannot build bench/parsefloor.c with $libft" >&2
		echo "missing $libft" >>"$WRESULTS"
		bad=1
		return 0
	fi
	if [ -f "$DATA/events.n" ] && [ "$(cat "$DATA/events.n")" = "$N" ] &&
		[ -f "$CSV" ] && [ -f "$NDJSON" ]; then
		echo "bench: reusing $N records in $DATA"
	else
		echo "bench: generating $N records into $DATA"
		$CC -O2 -o "$DATA/gen" "$here/gen.c"
		rm -f "$DATA/events.n" "$DATA/events-random.n"
		"$DATA/gen" -n "$N" "$DATA"
	fi
	cp "$FT_BIN/ft-warn" "$ww/ft-warn"
	echo "bench: ft-warn from $FT_BIN, sha256" \
		"$(sha256sum "$ww/ft-warn" | cut -c1-16)," \
		"$("$ww/ft-warn" --version 2>&1 | head -1)"
	# The reference rules file: one threshold rule on category, the
	# first of bench/warn.json.
	cat >"$ww/warn1.json" <<'RULES'
{"rules": [{"name": "t-cat-noise", "type": "threshold", "when": {"category": "noise"}, "key": "category", "count": 50, "window": "1h", "levels": {"orange": 100, "red": 200}}]}
RULES
	cat "$NDJSON" >/dev/null
	echo "load $(cut -d' ' -f1-3 /proc/loadavg) (before)" >>"$WRESULTS"

	db=$(fresh ft-warn)
	timed "$WRESULTS" /dev/null ft-warn "$ww/ft-warn" --no-output \
		--rules "$here/warn.json" --db "$db" "$NDJSON"
	warn_check ft-warn "$db"

	db=$(fresh ft-warn-1rule)
	timed "$WRESULTS" /dev/null ft-warn-1rule "$ww/ft-warn" --no-output \
		--rules "$ww/warn1.json" --db "$db" "$NDJSON"
	warn_check ft-warn-1rule "$db"

	timed "$WRESULTS" /dev/null parse-floor "$DATA/parsefloor" "$NDJSON"
	if ! grep -q "^parsefloor: $N lines" "$WORK/parse-floor.err"; then
		echo "bench: FAIL: parse-floor did not parse $N lines:" >&2
		sed 's/^/    /' "$WORK/parse-floor.err" >&2
		echo "invalid parse-floor" >>"$WRESULTS"
		bad=1
	fi
	rm -f "$WORK"/ft-warn.db* "$WORK"/ft-warn-1rule.db*
	echo "load $(cut -d' ' -f1-3 /proc/loadavg) (after)" >>"$WRESULTS"
}

# summary_check RESULTS WANT CASE DB: the run of CASE must have exited 0
# (timed) and its summary line must count WANT records, else CASE is
# marked invalid in RESULTS and it returns 1; the warnings it raised are
# recorded ("warnings CASE W") and left in $warns.
summary_check() {
	if grep -q "^$3 - " "$1"; then
		echo "invalid $3" >>"$1"
		return 1
	fi
	got=$(sed -n 's/^ft-warn: \([0-9]*\) records .*/\1/p' "$WORK/$3.err")
	if [ "$got" != "$2" ]; then
		echo "bench: FAIL: $3 read ${got:-no summary,} records, want $2:" >&2
		sed 's/^/    /' "$WORK/$3.err" >&2
		echo "invalid $3" >>"$1"
		bad=1
		return 1
	fi
	warns=$(sqlite3 "$4" "SELECT count(*) FROM warnings" 2>&1) ||
		warns="error"
	echo "warnings $3 $warns" >>"$1"
}

# warn_check CASE DB: summary_check in the events' results, N records; the
# keys it kept are recorded too ("keys CASE K").
warn_check() {
	summary_check "$WRESULTS" "$N" "$1" "$2" || return 0
	keys=$(sqlite3 "$2" "SELECT count(*) FROM warn_windows" 2>&1) ||
		keys="error"
	echo "bench:   $keys keys kept, $warns warnings raised"
	echo "keys $1 $keys" >>"$WRESULTS"
}

# warn_table RESULTS: the ft-warn section's table and targets, from its
# results file; exits 1 from awk when BENCH_STRICT=1 and a target failed.
warn_table() {
awk -v strict="${BENCH_STRICT:-0}" '
$1 == "invalid" { wrong[$2] = 1; next }
$1 == "missing" { $1 = ""; missing = missing $0; next }
$1 == "load" { $1 = ""; print "load average" $0; next }
$1 == "warn" { n = $2; print "ft-warn stream: " $2 " events, NDJSON"; next }
$1 == "keys" { keys[$2] = $3; next }
$1 == "warnings" { warns[$2] = $3; next }
NF == 5 { s[$1] = $2; us[$1] = $3; ss[$1] = $4; kb[$1] = $5; order[++k] = $1 }
function ok(c) { return (c in s) && s[c] != "-" && s[c] > 0 && !(c in wrong) }
function rate(c) { return ok(c) ? sprintf("%d", n / s[c]) : "n/a" }
function cpurate(c,    d) {
	if (!ok(c)) return "n/a"
	d = us[c] + ss[c]
	return d ? sprintf("%d", n / d) : "n/a"
}
function ratio(a, b) {
	return ok(a) && ok(b) ? sprintf("%.2f", s[a] / s[b]) : "n/a"
}
function cpu(a, b,    d) {
	if (!ok(a) || !ok(b)) return "n/a"
	d = us[b] + ss[b]
	return d ? sprintf("%.2f", (us[a] + ss[a]) / d) : "n/a"
}
function mb(c) { return ok(c) ? sprintf("%.1f", kb[c] / 1024) : "n/a" }
function target(name, r, op, lim, c,    res) {
	if (r == "n/a") res = "FAIL"
	else if (op == ">=") res = (r + 0 >= lim) ? "PASS" : "FAIL"
	else res = (r + 0 < lim) ? "PASS" : "FAIL"
	if (res == "FAIL") fails++
	printf "| %-36s | %8s | %-9s | %-4s | %9s |\n", name, r, op " " lim, \
		res, c
}
END {
	if (missing != "") print "ft-warn section not run:" missing
	print ""
	printf "| %-24s | %9s | %8s | %8s | %8s | %10s | %8s | %8s |\n", \
		"case", "wall s", "user s", "sys s", "peak MB", "events/s", \
		"keys", "warnings"
	print "|--------------------------|----------:|---------:|---------:|---------:|-----------:|---------:|---------:|"
	for (i = 1; i <= k; i++) {
		c = order[i]
		printf "| %-24s | %9s | %8s | %8s | %8s | %10s | %8s | %8s |\n", \
			c, s[c], us[c], ss[c], \
			kb[c] == "-" ? "-" : sprintf("%.1f", kb[c] / 1024), \
			rate(c), c in keys ? keys[c] : "-", \
			c in warns ? warns[c] : "-"
		if (c in wrong)
			printf "| %-24s | %9s | %8s | %8s | %8s | %10s | %8s | %8s |\n", \
				"  ^ WRONG RESULT", "invalid", "-", "-", "-", \
				"-", "-", "-"
	}
	print ""
	printf "| %-36s | %8s | %-9s | %-4s | %9s |\n", "target (on wall time)", \
		"got", "want", "", "a CPU s"
	print "|--------------------------------------|---------:|-----------|------|----------:|"
	target("ft-warn stream: events/s", rate("ft-warn"), ">=", 300000, \
		cpurate("ft-warn"))
	target("ft-warn peak RSS, MB", mb("ft-warn"), "<", 64, "")
	print ""
	printf "(the RSS target is with ~100,000 keys: this run kept %s)\n", \
		("ft-warn" in keys) ? keys["ft-warn"] : "n/a"
	printf "(ft-warn / NDJSON parse floor: %s on wall time, %s on CPU; the floor: %s events/s, %s a CPU second)\n", \
		ratio("ft-warn", "parse-floor"), cpu("ft-warn", "parse-floor"), \
		rate("parse-floor"), cpurate("parse-floor")
	printf "(50 rules / 1 rule: %s on wall time, %s on CPU; 1 rule / parse floor: %s on wall time)\n", \
		ratio("ft-warn", "ft-warn-1rule"), \
		cpu("ft-warn", "ft-warn-1rule"), \
		ratio("ft-warn-1rule", "parse-floor")
	printf "ft-warn targets: %d failed\n", fails
	if (strict == 1 && fails) exit 1
}' "$1"
}
# --- end of ft-warn ----------------------------------------------------
# --- ft-report (issue 14) ----------------------------------------------
# Defined here so that "run.sh report" can run it alone (see the header).
# Its own data directory (DATA/report: the base database, built once and
# reused while its stamp says the same N and recipe), its own copy of the
# tools, its own results file.
#
# The base database, unmeasured, all through the tools:
#   1. bench/gen.c's N events (DATA/events.ndjson, shared with the other
#      sections), rewritten by awk into DATA/report/events.ndjson: the
#      "opinion" reports become service requests (source "proxy", at one of
#      400 proxy points PX-0..PX-399 as their facility), and each patrol
#      report gets a firm (F0..F11, an extra field) and a collector out of
#      400 (reporter P0..P399), so that collectors and services have groups;
#   2. ft-ingest: bench/genunits.c's units, then the events (--now before
#      the first event, so that every later change comes after);
#   3. ft-dispatch --pending with bench/dispatch.json (the same --now);
#   4. ft-update: the moves of bench/report-updates.sql (made from the
#      dispatched cases, deterministic: accepted, rejected, resolved with
#      ratings, closed fixed or not, reopened and resolved again);
#   5. ft-warn --rules bench/warn.json over the same events, into the same
#      database (the warnings that raise themselves resolve themselves: no
#      warning is acknowledged, so the response columns are empty).
# Measured, each once, on that database: every report of ft-report as CSV
# over the whole season (2024-06-01 to 2024-09-01, Asia/Shanghai), and the
# hand-written SQL for the same figures (bench/report-sql/NAME.sql, through
# the sqlite3 shell, with the range as parameters) run right after it.  Both
# outputs are kept and compared (bench/report-cmp.sh: the same rows and
# figures, apart from the rank and small columns): a report whose output
# differs from its SQL's is marked invalid.  Then the morning mail: events,
# sla and warnings over the last 24 hours (--since 24h, as HTML), the three
# runs timed together.  The figures go to DATA/report-results.txt; the
# table prints each report beside its SQL, the ratio on wall time (target
# <= 1.2) and on CPU.
RPT_RECIPE=1
report_base() {
	rd=$DATA/report
	mkdir -p "$rd"
	if [ -f "$rd/base.n" ] && [ "$(cat "$rd/base.n")" = "$PN $RPT_RECIPE" ] &&
		[ -f "$rd/base.db" ]; then
		echo "bench: reusing the report database of $PN events in $rd"
		return 0
	fi
	rm -f "$rd/base.n" "$rd"/base.db*
	echo "bench: generating $PN records into $rd"
	$CC -O2 -o "$DATA/gen" "$here/gen.c"
	"$DATA/gen" -n "$PN" "$rd"
	rm -f "$rd/events.csv" "$rd/events.n"
	$CC -O2 -o "$DATA/genunits" "$here/genunits.c"
	"$DATA/genunits" "$DATA"
	echo "bench: building the report database of $PN events in $rd"
	awk '{
		if (index($0, "\"source\":\"opinion\"")) {
			sub(/"source":"opinion"/, "\"source\":\"proxy\"")
			sub(/,"facility":"[^"]*"/, "")
			sub(/"channel":/, "\"facility\":\"PX-" (NR % 400) "\",\"channel\":")
		} else if (index($0, "\"source\":\"patrol\"")) {
			sub(/"reporter":"[^"]*"/, "\"reporter\":\"P" (NR * 7 % 400) "\"")
			sub(/"channel":/, "\"firm\":\"F" (NR % 12) "\",\"channel\":")
		}
		print }' "$rd/events.ndjson" >"$rd/report.ndjson"
	rm -f "$rd/events.ndjson"
	b=$rd/base.db
	t0=2024-05-31T00:00:00Z
	if ! "$FT_BIN/ft-ingest" -q --no-output --db "$b" --kind units \
		"$DATA/units.ndjson" ||
		! "$FT_BIN/ft-ingest" -q --no-output --now "$t0" --db "$b" \
			"$rd/report.ndjson" ||
		! "$FT_BIN/ft-dispatch" -q --no-output --now "$t0" \
			--tz Asia/Shanghai --rules "$here/dispatch.json" --db "$b" \
			--pending; then
		echo "bench: FAIL: the report database could not be built" >&2
		return 1
	fi
	sqlite3 "$b" <"$here/report-updates.sql" >"$rd/updates.ndjson"
	if ! "$FT_BIN/ft-update" -q --no-output --db "$b" "$rd/updates.ndjson" ||
		! "$FT_BIN/ft-warn" --no-output --rules "$here/warn.json" \
			--db "$b" "$rd/report.ndjson" 2>"$rd/warn.err"; then
		echo "bench: FAIL: the report database could not be built" >&2
		return 1
	fi
	sqlite3 "$b" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	rm -f "$rd/updates.ndjson" "$rd/report.ndjson"
	got=$(sqlite3 "$b" "SELECT count(*) FROM events")
	if [ "$got" != "$PN" ]; then
		echo "bench: FAIL: the report database holds $got events, want $PN" >&2
		return 1
	fi
	echo "$PN $RPT_RECIPE" >"$rd/base.n"
}

# The reports measured, "NAME|ARGS": NAME.sql in bench/report-sql is the
# hand-written SQL of the same figures.
RPT_CASES='events-day|events --by day
events-category|events --by category
events-community|events --by area --area-level community
sla|sla
warnings|warnings
facilities|facilities
collectors|collectors
services|services'
# The range (the whole season of bench/gen.c), as ft-report reads it and
# as the SQL's parameters (UTC, as the times are stored).
RPT_ARGS='--since 2024-06-01 --until 2024-09-01 --tz Asia/Shanghai --now 2024-09-01T00:00:00+08:00'
RPT_SINCE=2024-05-31T16:00:00Z
RPT_UNTIL=2024-08-31T16:00:00Z

# report_sql DB NAME: the hand-written SQL of NAME on DB, as CSV.
report_sql() {
	sqlite3 -readonly -csv -header "$1" \
		".parameter set @since '$RPT_SINCE'" \
		".parameter set @until '$RPT_UNTIL'" \
		".parameter set @now '$RPT_UNTIL'" \
		".read '$here/report-sql/$2.sql'"
}

# report_cases DB MODE: each report of RPT_CASES on DB, ft-report then its
# SQL, outputs compared (bench/report-cmp.sh); MODE "time" measures each
# run into PRESULTS, "check" only compares.  A difference marks the case
# invalid and the bench as failed.
report_cases() {
	while IFS='|' read -r name args; do
		# shellcheck disable=SC2086 # args and RPT_ARGS are word lists
		if [ "$2" = time ]; then
			timed "$PRESULTS" "$pw/ft-$name.csv" "ft-$name" \
				"$pw/ft-report" $args $RPT_ARGS --db "$1" --format csv
			timed "$PRESULTS" "$pw/sql-$name.csv" "sql-$name" \
				sqlite3 -readonly -csv -header "$1" \
				".parameter set @since '$RPT_SINCE'" \
				".parameter set @until '$RPT_UNTIL'" \
				".parameter set @now '$RPT_UNTIL'" \
				".read '$here/report-sql/$name.sql'"
		else
			"$pw/ft-report" $args $RPT_ARGS --db "$1" --format csv \
				>"$pw/ft-$name.csv" &&
				report_sql "$1" "$name" >"$pw/sql-$name.csv" ||
				echo "bench: FAIL: $name did not run" >&2
		fi
		if sh "$here/report-cmp.sh" "$pw/ft-$name.csv" \
			"$pw/sql-$name.csv"; then
			echo "bench:   $name: the same figures ($(($(wc -l <"$pw/ft-$name.csv") - 1)) rows)"
		else
			echo "invalid ft-$name" >>"$PRESULTS"
			echo "bench: FAIL: $name: ft-report and its SQL differ" >&2
			bad=1
		fi
	done <<CASES
$RPT_CASES
CASES
}

report_bench() {
	pw=$WORK/report
	rm -rf "$pw"
	mkdir -p "$pw"
	: >"$PRESULTS"
	echo "report $PN" >>"$PRESULTS"
	for t in ft-ingest ft-dispatch ft-update ft-warn ft-report; do
		if ! [ -x "$FT_BIN/$t" ]; then
			echo "bench: FAIL: no $FT_BIN/$t (run make)" >&2
			echo "missing $FT_BIN/$t" >>"$PRESULTS"
			bad=1
			return 0
		fi
	done
	if ! report_base; then
		echo "missing the-report-database" >>"$PRESULTS"
		bad=1
		return 0
	fi
	b=$DATA/report/base.db
	cp "$FT_BIN/ft-report" "$pw/ft-report"
	echo "bench: ft-report from $FT_BIN, sha256" \
		"$(sha256sum "$pw/ft-report" | cut -c1-16)," \
		"$("$pw/ft-report" --version 2>&1 | head -1)"
	if [ "${1:-}" = check ]; then
		report_cases "$b" check
		return 0
	fi
	cat "$b" >/dev/null
	echo "load $(cut -d' ' -f1-3 /proc/loadavg) (before)" >>"$PRESULTS"
	report_cases "$b" time
	# The morning mail: the three reports of the last 24 hours, as HTML,
	# one after the other, timed together.
	cat >"$pw/mail.sh" <<MAIL
set -e
for r in events sla warnings; do
	"$pw/ft-report" \$r --since 24h --now 2024-09-01T08:00:00+08:00 \
		--tz Asia/Shanghai --db "$b" --format html >"$pw/mail-\$r.html"
done
MAIL
	timed "$PRESULTS" /dev/null morning-mail sh "$pw/mail.sh"
	echo "load $(cut -d' ' -f1-3 /proc/loadavg) (after)" >>"$PRESULTS"
}

# report_table RESULTS: the ft-report section's table and targets; exits
# 1 from awk when BENCH_STRICT=1 and a target failed.
report_table() {
awk -v strict="${BENCH_STRICT:-0}" '
$1 == "invalid" { wrong[$2] = 1; next }
$1 == "missing" { $1 = ""; missing = missing $0; next }
$1 == "load" { $1 = ""; print "load average" $0; next }
$1 == "report" { print "ft-report: " $2 " events stored (with dispatch decisions, updates, ratings, warnings)"; next }
NF == 5 { s[$1] = $2; us[$1] = $3; ss[$1] = $4; kb[$1] = $5; order[++k] = $1 }
function ok(c) { return (c in s) && s[c] != "-" && !(c in wrong) }
function ratio(a, b) {
	return ok(a) && ok(b) && s[b] > 0 ? sprintf("%.2f", s[a] / s[b]) : "n/a"
}
function cpu(a, b,    d) {
	if (!ok(a) || !ok(b)) return "n/a"
	d = us[b] + ss[b]
	return d ? sprintf("%.2f", (us[a] + ss[a]) / d) : "n/a"
}
END {
	if (missing != "") print "ft-report section not run:" missing
	print ""
	printf "| %-18s | %9s | %8s | %9s | %8s | %8s | %-7s | %-4s | %8s |\n", \
		"report", "ft wall s", "ft CPU s", "SQL wall s", "SQL CPU s", \
		"ratio", "target", "", "CPU ratio"
	print "|--------------------|----------:|---------:|-----------:|----------:|---------:|---------|------|----------:|"
	for (i = 1; i <= k; i++) {
		c = order[i]
		if (c !~ /^ft-/) continue
		n = substr(c, 4)
		q = "sql-" n
		r = ratio(c, q)
		res = r == "n/a" ? "FAIL" : (r + 0 <= 1.2 ? "PASS" : "FAIL")
		if (res == "FAIL") fails++
		printf "| %-18s | %9s | %8s | %10s | %9s | %8s | %-7s | %-4s | %9s |\n", \
			n, ok(c) ? s[c] : "invalid", \
			ok(c) ? sprintf("%.2f", us[c] + ss[c]) : "-", \
			ok(q) ? s[q] : "-", \
			ok(q) ? sprintf("%.2f", us[q] + ss[q]) : "-", \
			r, "<= 1.2", res, cpu(c, q)
	}
	print ""
	if ("morning-mail" in s)
		printf "morning mail (events, sla, warnings over 24h, HTML): %s s wall, %.2f s CPU, %.1f MB peak\n", \
			s["morning-mail"], us["morning-mail"] + ss["morning-mail"], \
			kb["morning-mail"] / 1024
	printf "ft-report targets: %d failed\n", fails
	if (strict == 1 && fails) exit 1
}' "$1"
}
# --- end of ft-report ----------------------------------------------------
# --- NAB (issue 13) ------------------------------------------------------
# The shipped sensor rules on the NAB series: bench/nab.sh, into
# NRESULTS; a failure of the run (not a low score) fails the benchmark.
nab_bench() {
	echo "bench: NAB: rules/warn-sensors.json on $CORPUS/nab"
	if ! sh "$here/nab.sh" "$FT_BIN" "$CORPUS" "$WORK" >/dev/null; then
		echo "bench: FAIL: the NAB section failed" >&2
		echo "nab: invalid: the run failed" >"$NRESULTS"
		bad=1
	fi
}
# --- end of NAB ----------------------------------------------------------

# --- ft-warn over readings (issue 13) ----------------------------------
# Defined here so that "run.sh warnreadings" can run it alone (see the
# header).  Its own copy of ft-warn and ft-ingest, its own data directory
# (DATA/warnreadings: genread's file of WRN readings) and results file.
warnreadings_bench() {
	xw=$WORK/warnreadings
	xd=$DATA/warnreadings
	rm -rf "$xw"
	mkdir -p "$xw" "$xd"
	: >"$XRESULTS"
	echo "warnreadings $WRN $RSENSORS" >>"$XRESULTS"
	for t in ft-warn ft-ingest; do
		if ! [ -x "$FT_BIN/$t" ]; then
			echo "bench: FAIL: no $FT_BIN/$t (run make)" >&2
			echo "missing $FT_BIN/$t" >>"$XRESULTS"
			bad=1
			return 0
		fi
	done
	libft=$(dirname "$(readlink -f "$FT_BIN/ft-warn")")/../libft.a
	if ! [ -f "$libft" ] || ! $CC -O2 -std=c17 -D_POSIX_C_SOURCE=200809L \
		-D_DEFAULT_SOURCE -I"$here/../lib" -o "$DATA/parsefloor" \
		"$here/parsefloor.c" "$libft" -lsqlite3 -ljq -lcsv -lnettle \
		-lm -lpthread ||
		! $CC -O2 -o "$DATA/rdfloor" "$here/rdfloor.c" -lsqlite3 ||
		! $CC -O2 -o "$DATA/genread" "$here/genread.c"; then
		echo "bench: FAIL: cannot build the floors (libft.a: $libft)" >&2
		echo "missing parsefloor-or-rdfloor" >>"$XRESULTS"
		bad=1
		return 0
	fi
	if [ -f "$xd/readings.n" ] &&
		[ "$(cat "$xd/readings.n")" = "$WRN $RSENSORS" ] &&
		[ -f "$xd/readings.ndjson" ]; then
		echo "bench: reusing $WRN readings in $xd"
	else
		echo "bench: generating $WRN readings into $xd"
		rm -f "$xd/readings.n"
		"$DATA/genread" -n "$WRN" -s "$RSENSORS" "$xd"
	fi
	xfile=$xd/readings.ndjson
	cp "$FT_BIN/ft-warn" "$FT_BIN/ft-ingest" "$xw/"
	echo "bench: ft-warn from $FT_BIN, sha256" \
		"$(sha256sum "$xw/ft-warn" | cut -c1-16)," \
		"$("$xw/ft-warn" --version 2>&1 | head -1)"
	# The period of the back-test: genread's first round to the minute
	# after its last (a round a minute from 2024-06-01T00:00:00Z).
	since=1717200000
	rounds=$(((WRN + RSENSORS - 1) / RSENSORS))
	until=$((since + rounds * 60))
	since_t=$(date -u -d "@$since" +%Y-%m-%dT%H:%M:%SZ)
	until_t=$(date -u -d "@$until" +%Y-%m-%dT%H:%M:%SZ)
	# The stored readings, unmeasured (the readings section measures the
	# load); the back-test runs on a copy, so that the floors read the
	# same rows as it does.
	base=$(fresh warnreadings-base)
	"$xw/ft-ingest" -q --no-output --kind readings --db "$base" "$xfile"
	sqlite3 "$base" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	got=$(sqlite3 "$base" "SELECT count(*) FROM readings" 2>&1) ||
		got="error: $got"
	if [ "$got" != "$WRN" ]; then
		echo "bench: FAIL: the readings database holds $got, want $WRN" >&2
		echo "invalid warn-readings-back" >>"$XRESULTS"
		bad=1
	fi
	cat "$xfile" "$base" >/dev/null
	echo "load $(cut -d' ' -f1-3 /proc/loadavg) (before)" >>"$XRESULTS"

	db=$(fresh warn-readings-stream)
	timed "$XRESULTS" /dev/null warn-readings-stream "$xw/ft-warn" \
		--no-output --rules "$here/warn-readings.json" --db "$db" \
		"$xfile"
	warnreadings_check warn-readings-stream "$db"
	sqlite3 "$db" "SELECT warning, rule, key, level, count, first_at,
		raised_at FROM warnings ORDER BY warning" >"$xw/stream.txt"

	db=$(fresh warn-readings-back)
	cp "$base" "$db"
	timed "$XRESULTS" /dev/null warn-readings-back "$xw/ft-warn" \
		--no-output --rules "$here/warn-readings.json" --db "$db" \
		--since "$since_t" --until "$until_t"
	warnreadings_check warn-readings-back "$db"
	# Same records, same warnings: the back-test raises what the stream
	# raised (its clock then moves to the period's end, which may
	# resolve more: the statuses are not compared).
	sqlite3 "$db" "SELECT warning, rule, key, level, count, first_at,
		raised_at FROM warnings ORDER BY warning" >"$xw/back.txt"
	if ! cmp -s "$xw/stream.txt" "$xw/back.txt"; then
		echo "bench: FAIL: the back-test's warnings are not the stream's" >&2
		diff "$xw/stream.txt" "$xw/back.txt" | head -n 10 >&2
		echo "invalid warn-readings-back" >>"$XRESULTS"
		bad=1
	fi

	timed "$XRESULTS" /dev/null parse-floor-readings "$DATA/parsefloor" \
		"$xfile"
	if ! grep -q "^parsefloor: $WRN lines" \
		"$WORK/parse-floor-readings.err"; then
		echo "bench: FAIL: parse-floor-readings did not parse $WRN lines" >&2
		echo "invalid parse-floor-readings" >>"$XRESULTS"
		bad=1
	fi
	for m in key time; do
		timed "$XRESULTS" /dev/null "sql-floor-$m" "$DATA/rdfloor" "$m" \
			"$base" "$since" "$until"
		if ! grep -q "^rdfloor: $WRN rows" "$WORK/sql-floor-$m.err"; then
			echo "bench: FAIL: sql-floor-$m did not read $WRN rows" >&2
			echo "invalid sql-floor-$m" >>"$XRESULTS"
			bad=1
		fi
	done
	rm -f "$WORK"/warn-readings-*.db* "$WORK"/warnreadings-base.db*
	echo "load $(cut -d' ' -f1-3 /proc/loadavg) (after)" >>"$XRESULTS"
}

# warnreadings_check CASE DB: summary_check in the readings' results.
warnreadings_check() {
	summary_check "$XRESULTS" "$WRN" "$1" "$2" || return 0
	echo "bench:   $warns warnings raised"
}

# warnreadings_table RESULTS: its table and targets; exits 1 from awk
# when BENCH_STRICT=1 and a target failed.
warnreadings_table() {
awk -v strict="${BENCH_STRICT:-0}" '
$1 == "invalid" { wrong[$2] = 1; next }
$1 == "missing" { $1 = ""; missing = missing $0; next }
$1 == "load" { $1 = ""; print "load average" $0; next }
$1 == "warnreadings" { n = $2
	print "ft-warn over readings: " $2 " readings from " $3 \
		" sensors, 20 rules (bench/warn-readings.json)"; next }
$1 == "warnings" { warns[$2] = $3; next }
NF == 5 { s[$1] = $2; us[$1] = $3; ss[$1] = $4; kb[$1] = $5; order[++k] = $1 }
function ok(c) { return (c in s) && s[c] != "-" && s[c] > 0 && !(c in wrong) }
function rate(c) { return ok(c) ? sprintf("%d", n / s[c]) : "n/a" }
function cpurate(c,    d) {
	if (!ok(c)) return "n/a"
	d = us[c] + ss[c]
	return d ? sprintf("%d", n / d) : "n/a"
}
function ratio(a, b) {
	return ok(a) && ok(b) ? sprintf("%.2f", s[a] / s[b]) : "n/a"
}
function cpu(a, b,    d) {
	if (!ok(a) || !ok(b)) return "n/a"
	d = us[b] + ss[b]
	return d ? sprintf("%.2f", (us[a] + ss[a]) / d) : "n/a"
}
function target(name, r, op, lim, c,    res) {
	if (r == "n/a") res = "FAIL"
	else if (op == ">=") res = (r + 0 >= lim) ? "PASS" : "FAIL"
	else res = (r + 0 <= lim) ? "PASS" : "FAIL"
	if (res == "FAIL") fails++
	printf "| %-36s | %8s | %-10s | %-4s | %9s |\n", name, r, op " " lim, \
		res, c
}
END {
	if (missing != "") print "ft-warn readings section not run:" missing
	print ""
	printf "| %-24s | %9s | %8s | %8s | %8s | %10s | %8s |\n", \
		"case", "wall s", "user s", "sys s", "peak MB", "readings/s", \
		"warnings"
	print "|--------------------------|----------:|---------:|---------:|---------:|-----------:|---------:|"
	for (i = 1; i <= k; i++) {
		c = order[i]
		printf "| %-24s | %9s | %8s | %8s | %8s | %10s | %8s |\n", \
			c, s[c], us[c], ss[c], \
			kb[c] == "-" ? "-" : sprintf("%.1f", kb[c] / 1024), \
			rate(c), c in warns ? warns[c] : "-"
		if (c in wrong)
			printf "| %-24s | %9s | %8s | %8s | %8s | %10s | %8s |\n", \
				"  ^ WRONG RESULT", "invalid", "-", "-", "-", \
				"-", "-"
	}
	print ""
	printf "| %-36s | %8s | %-10s | %-4s | %9s |\n", "target (on wall time)", \
		"got", "want", "", "a CPU s"
	print "|--------------------------------------|---------:|------------|------|----------:|"
	target("ft-warn stream: readings/s", rate("warn-readings-stream"), \
		">=", 1000000, cpurate("warn-readings-stream"))
	target("back-test / stream (wall)", \
		ratio("warn-readings-back", "warn-readings-stream"), "<=", 2, \
		cpu("warn-readings-back", "warn-readings-stream"))
	print ""
	printf "(stream / NDJSON parse floor: %s on wall time, %s on CPU; the floor: %s readings/s)\n", \
		ratio("warn-readings-stream", "parse-floor-readings"), \
		cpu("warn-readings-stream", "parse-floor-readings"), \
		rate("parse-floor-readings")
	printf "(back-test / plain-SQL floor in key order: %s on wall time, %s on CPU; the floor: %s readings/s)\n", \
		ratio("warn-readings-back", "sql-floor-key"), \
		cpu("warn-readings-back", "sql-floor-key"), rate("sql-floor-key")
	printf "(back-test / plain-SQL floor in time order, sorted by SQLite: %s on wall time; that floor: %s readings/s)\n", \
		ratio("warn-readings-back", "sql-floor-time"), \
		rate("sql-floor-time")
	printf "ft-warn readings targets: %d failed\n", fails
	if (strict == 1 && fails) exit 1
}' "$1"
}
# --- end of ft-warn over readings --------------------------------------

# "run.sh --table" prints the tables of the last run again, running nothing.
if [ "$only" = --table ]; then
	[ -f "$RESULTS" ] || [ -f "$VRESULTS" ] || [ -f "$KRESULTS" ] ||
		[ -f "$WRESULTS" ] || [ -f "$XRESULTS" ] || [ -f "$PRESULTS" ] ||
		{ echo "bench: no $RESULTS yet" >&2; exit 66; }
	st=0
	if [ -f "$RESULTS" ]; then
		table "$RESULTS" || st=1
	fi
	if [ -f "$VRESULTS" ]; then
		echo
		vote_table "$VRESULTS" || st=1
	fi
	if [ -f "$KRESULTS" ]; then
		echo
		kw_table
	fi
	if [ -f "$RRESULTS" ]; then
		echo
		readings_table "$RRESULTS" || st=1
	fi
	if [ -f "$WRESULTS" ]; then
		echo
		warn_table "$WRESULTS" || st=1
	fi
	if [ -f "$XRESULTS" ]; then
		echo
		warnreadings_table "$XRESULTS" || st=1
	fi
	if [ -f "$PRESULTS" ]; then
		echo
		report_table "$PRESULTS" || st=1
	fi
	if [ -f "$NRESULTS" ]; then
		echo
		cat "$NRESULTS"
	fi
	exit "$st"
fi

# "run.sh report-base": the ft-report section's database alone (built, or
# found in the cache), nothing measured.
if [ "$only" = report-base ]; then
	report_base || exit 1
	exit 0
fi

# "run.sh report": the ft-report section alone; "run.sh report-check" its
# comparisons of each report with its SQL alone, nothing timed (for a
# small BENCH_N: tests/bench-report.bats).
if [ "$only" = report ] || [ "$only" = report-check ]; then
	mkdir -p "$WORK"
	if [ "$only" = report ]; then
		report_bench
		echo
		report_table "$PRESULTS" || bad=1
	else
		report_bench check
	fi
	if [ "$bad" != 0 ]; then
		echo "bench: FAILED: a run failed or gave a wrong result" >&2
		exit 1
	fi
	exit 0
fi

# "run.sh nab": the NAB section alone.
if [ "$only" = nab ]; then
	mkdir -p "$WORK"
	nab_bench
	echo
	cat "$NRESULTS"
	[ "$bad" = 0 ] || exit 1
	exit 0
fi

# "run.sh kw": the keyword section alone.
if [ "$only" = kw ]; then
	kw_bench
	echo
	kw_table
	if [ "$bad" != 0 ]; then
		echo "bench: FAILED: a run failed or gave a wrong result" >&2
		exit 1
	fi
	exit 0
fi

# "run.sh readings": the readings section alone.
if [ "$only" = readings ]; then
	mkdir -p "$WORK"
	readings_bench
	echo
	readings_table "$RRESULTS" || bad=1
	if [ "$bad" != 0 ]; then
		echo "bench: FAILED: a run failed or loaded the wrong number of rows" >&2
		exit 1
	fi
	exit 0
fi

# "run.sh warn": the ft-warn section alone.
if [ "$only" = warn ]; then
	mkdir -p "$WORK"
	warn_bench
	echo
	warn_table "$WRESULTS" || bad=1
	if [ "$bad" != 0 ]; then
		echo "bench: FAILED: a run failed or gave a wrong result" >&2
		exit 1
	fi
	exit 0
fi

# "run.sh warnreadings": ft-warn over readings alone.
if [ "$only" = warnreadings ]; then
	mkdir -p "$WORK"
	warnreadings_bench
	echo
	warnreadings_table "$XRESULTS" || bad=1
	if [ "$bad" != 0 ]; then
		echo "bench: FAILED: a run failed or gave a wrong result" >&2
		exit 1
	fi
	exit 0
fi

if [ "$only" = vote ]; then
	mkdir -p "$WORK"
	build_nothreads
	vote_bench
	echo
	vote_table "$VRESULTS" || bad=1
	if [ "$bad" != 0 ]; then
		echo "bench: FAILED: a run failed or gave a wrong result" >&2
		exit 1
	fi
	exit 0
fi

# The helpers are built every time: they are small and must match the source.
$CC -O2 -o "$DATA/gen" "$here/gen.c"
$CC -O2 -o "$DATA/jqfloor" "$here/jqfloor.c" -ljq
$CC -O2 -o "$DATA/floor" "$here/floor.c" -lsqlite3 -lcsv -lnettle
$CC -O2 -o "$DATA/genunits" "$here/genunits.c"
$CC -O2 -o "$DATA/shuffle" "$here/shuffle.c"
build_nothreads
"$DATA/genunits" "$DATA"

if [ -f "$DATA/events.n" ] && [ "$(cat "$DATA/events.n")" = "$N" ] &&
	[ -f "$CSV" ] && [ -f "$NDJSON" ]; then
	echo "bench: reusing $N records in $DATA"
else
	echo "bench: generating $N records into $DATA"
	rm -f "$DATA/events.n" "$DATA/events-random.n"
	"$DATA/gen" -n "$N" "$DATA"
fi
# The random-order files (see the header): one record a line in both, or
# the shuffle would cut records.
if [ -f "$DATA/events-random.n" ] &&
	[ "$(cat "$DATA/events-random.n")" = "$N 15" ] &&
	[ -f "$RCSV" ] && [ -f "$RNDJSON" ]; then
	echo "bench: reusing $N shuffled records in $DATA"
else
	if [ "$(wc -l <"$CSV")" -ne $((N + 1)) ] ||
		[ "$(wc -l <"$NDJSON")" -ne "$N" ]; then
		echo "bench: FAIL: the event files do not hold one record a line" >&2
		exit 1
	fi
	echo "bench: shuffling $N records (seed 15) into $DATA"
	rm -f "$DATA/events-random.n"
	"$DATA/shuffle" -k 1 15 "$CSV" "$RCSV"
	"$DATA/shuffle" 15 "$NDJSON" "$RNDJSON"
	echo "$N 15" >"$DATA/events-random.n"
fi

# A mapping as a real source needs one: our fields picked by name, one
# renamed (channel -> intake_channel), the rest kept as extra fields.
MAP='{id, source, category, title, text, lat, lon, address, facility, reporter, severity, reported_at, intake_channel: .channel, weather}'

# The table sqlite3 .import fills: the CSV's own columns, created beforehand
# with the affinities ft-ingest stores (REAL lat/lon, INTEGER severity) so
# that .import neither makes every column TEXT nor takes the header as
# data.  No constraint and no index: the plainest load SQLite can do.
COLS='id TEXT, source TEXT, category TEXT, title TEXT, text TEXT,
  lat REAL, lon REAL, address TEXT, facility TEXT, reporter TEXT,
  severity INTEGER, reported_at TEXT, channel TEXT, weather TEXT'
# The same with the keys ft-ingest keeps (a unique id, an index on the
# time): for information, not a target.
COLS_IDX='id TEXT NOT NULL UNIQUE, source TEXT, category TEXT, title TEXT,
  text TEXT, lat REAL, lon REAL, address TEXT, facility TEXT, reporter TEXT,
  severity INTEGER, reported_at TEXT, channel TEXT, weather TEXT'

rm -rf "$WORK"
mkdir -p "$WORK/bin"
: >"$RESULTS"
echo "N $N" >>"$RESULTS"
echo "load $(cut -d' ' -f1-3 /proc/loadavg) (before)" >>"$RESULTS"
cp "$FT_BIN/ft-ingest" "$WORK/bin/"
echo "bench: ft-ingest from $FT_BIN, sha256" \
	"$(sha256sum "$WORK/bin/ft-ingest" | cut -c1-16)," \
	"$("$WORK/bin/ft-ingest" --version 2>&1 | head -1)"
if [ -x "$FT_BIN/ft-dispatch" ]; then
	cp "$FT_BIN/ft-dispatch" "$WORK/bin/"
	echo "bench: ft-dispatch from $FT_BIN, sha256" \
		"$(sha256sum "$WORK/bin/ft-dispatch" | cut -c1-16)," \
		"$("$WORK/bin/ft-dispatch" --version 2>&1 | head -1)"
fi
FT=$WORK/bin

# Warm the page cache, so that no case pays for the first read of a file.
cat "$CSV" "$NDJSON" "$RCSV" "$RNDJSON" >/dev/null

# rows CASE DB TABLE: the load must have left exactly N rows.
rows() {
	got=$(sqlite3 "$2" "SELECT count(*) FROM $3" 2>&1) || got="error: $got"
	if [ "$got" != "$N" ]; then
		echo "bench: FAIL: $1 loaded $got rows into $3, want $N" >&2
		echo "invalid $1" >>"$RESULTS"
		bad=1
	fi
}

# dispatched CASE DB: an ft-dispatch run must have left exactly N events
# with dispatched_at set (dispatched or linked as duplicates).
dispatched() {
	got=$(sqlite3 "$2" "SELECT count(*) FROM events
		WHERE dispatched_at IS NOT NULL" 2>&1) || got="error: $got"
	if [ "$got" != "$N" ]; then
		echo "bench: FAIL: $1 dispatched $got events, want $N" >&2
		echo "invalid $1" >>"$RESULTS"
		bad=1
		return 0
	fi
	# For the record: what the rules made of them.
	sqlite3 -separator ' ' "$2" "SELECT
		sum(status = 'dispatched'), sum(status = 'duplicate'),
		sum(near_boundary IS NOT NULL), sum(area IS NULL),
		count(DISTINCT rule) FROM events" | {
		read -r d u nb na nr
		echo "bench:   $d dispatched, $u duplicates, $nb near a" \
			"boundary, $na without an area, $nr rules used"
	}
}

# floored CASE: a plain-SQL floor run (bench/floor.c) must have written N
# rows by its own count too.
floored() {
	if ! grep -q "^floor: $N rows" "$WORK/$1.err"; then
		echo "bench: FAIL: $1 did not write $N rows:" >&2
		sed 's/^/    /' "$WORK/$1.err" >&2
		echo "invalid $1" >>"$RESULTS"
		bad=1
	fi
}

# floordb CASE: a fresh database with ft's schema and nothing else in it
# (ft-ingest on an empty file, unmeasured), for an ingest floor to fill.
floordb() {
	fdb=$(fresh "$1")
	: >"$WORK/empty.csv"
	"$FT/ft-ingest" -q --no-output --db "$fdb" "$WORK/empty.csv"
	echo "$fdb"
}

# values CASE: a libjq floor run must have seen N values.
values() {
	if ! grep -q "^jqfloor: $N values" "$WORK/$1.err"; then
		echo "bench: FAIL: $1 did not see $N values:" >&2
		sed 's/^/    /' "$WORK/$1.err" >&2
		echo "invalid $1" >>"$RESULTS"
		bad=1
	fi
}

echo "bench: N = $N records; $(wc -c <"$CSV") bytes of CSV," \
	"$(wc -c <"$NDJSON") bytes of NDJSON"

# --- CSV ---------------------------------------------------------------
db=$(fresh ft-csv)
measure ft-csv "$FT/ft-ingest" -q --no-output --db "$db" "$CSV"
rows ft-csv "$db" events

# The same rows in random order (issue 15).
db=$(fresh ft-csv-random)
measure ft-csv-random "$FT/ft-ingest" -q --no-output --db "$db" "$RCSV"
rows ft-csv-random "$db" events

# The plain-SQL floor of the same durable writes (bench/floor.c).
db=$(floordb floor-csv)
measure floor-csv "$DATA/floor" ingest "$db" "$CSV"
rows floor-csv "$db" events
floored floor-csv

if [ -n "$NOTHR" ]; then
	db=$(fresh ft-csv-nothreads)
	measure ft-csv-nothreads "$NOTHR/bin/ft-ingest" -q --no-output \
		--db "$db" "$CSV"
	rows ft-csv-nothreads "$db" events
fi

db=$(fresh sqlite3-import)
sqlite3 "$db" "CREATE TABLE events ($COLS);"
measure sqlite3-import sqlite3 "$db" ".mode csv" ".import --skip 1 '$CSV' events"
rows sqlite3-import "$db" events

db=$(fresh sqlite3-import-keyed)
sqlite3 "$db" "CREATE TABLE events ($COLS_IDX);
  CREATE INDEX events_reported_at ON events(reported_at);"
measure sqlite3-import-keyed sqlite3 "$db" ".mode csv" \
	".import --skip 1 '$CSV' events"
rows sqlite3-import-keyed "$db" events

db=$(fresh sqlite-utils-csv)
measure sqlite-utils-csv sqlite-utils insert "$db" events "$CSV" --csv
rows sqlite-utils-csv "$db" events

# --- NDJSON ------------------------------------------------------------
db=$(fresh ft-ndjson)
measure ft-ndjson "$FT/ft-ingest" -q --no-output --db "$db" "$NDJSON"
rows ft-ndjson "$db" events

db=$(fresh ft-ndjson-random)
measure ft-ndjson-random "$FT/ft-ingest" -q --no-output --db "$db" \
	"$RNDJSON"
rows ft-ndjson-random "$db" events

db=$(floordb floor-ndjson)
measure floor-ndjson "$DATA/floor" ingest "$db" "$NDJSON"
rows floor-ndjson "$db" events
floored floor-ndjson

if [ -n "$NOTHR" ]; then
	db=$(fresh ft-ndjson-nothreads)
	measure ft-ndjson-nothreads "$NOTHR/bin/ft-ingest" -q --no-output \
		--db "$db" "$NDJSON"
	rows ft-ndjson-nothreads "$db" events
fi

measure jq-parse "$DATA/jqfloor" "$NDJSON"
values jq-parse

db=$(fresh sqlite-utils-ndjson)
measure sqlite-utils-ndjson sqlite-utils insert "$db" events "$NDJSON" --nl
rows sqlite-utils-ndjson "$db" events

# --- NDJSON through a jq mapping ---------------------------------------
db=$(fresh ft-map)
measure ft-map "$FT/ft-ingest" -q --no-output -m "$MAP" --db "$db" "$NDJSON"
rows ft-map "$db" events

measure jq-parse-filter "$DATA/jqfloor" -m "$MAP" "$NDJSON"
values jq-parse-filter

# MAP only picks members, which ft-ingest does without jq (ft_jq.c,
# pick()): the same map run through jq ("| ." makes it no pick), for
# information, against the same floor.
db=$(fresh ft-map-jq)
measure ft-map-jq "$FT/ft-ingest" -q --no-output -m "$MAP | ." --db "$db" \
	"$NDJSON"
rows ft-map-jq "$db" events

# --- ft-dispatch ---------------------------------------------------------
# Issue 3: N events against 2,000 grid polygons of 50 vertices and a rules
# file of 50 rules (bench/dispatch.json: words, hours, areas, two jq
# predicates, @area targets, escalation chains, near_boundary 10 m,
# duplicates within 50 m and 60 minutes), the database writes included.
# The base database (units, then the N events through ft-ingest) is built
# unmeasured; each case runs on its own copy of it.
RULES=$here/dispatch.json
if [ -x "$FT/ft-dispatch" ]; then
	base=$(fresh dispatch-base)
	"$FT/ft-ingest" -q --no-output --db "$base" --kind units "$DATA/units.ndjson"
	"$FT/ft-ingest" -q --no-output --db "$base" "$NDJSON"
	sqlite3 "$base" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	got=$(sqlite3 "$base" "SELECT (SELECT count(*) FROM events) || ' ' ||
		(SELECT count(*) FROM units WHERE kind = 'grid')")
	if [ "$got" != "$N 2000" ]; then
		echo "bench: FAIL: the dispatch database holds $got" \
			"(events, grid cells), want $N 2000" >&2
		bad=1
	fi

	# The events are read back from the database, a page at a time.
	db=$(fresh dispatch-pending)
	cp "$base" "$db"
	measure dispatch-pending "$FT/ft-dispatch" -q --no-output --tz Asia/Shanghai \
		--rules "$RULES" --db "$db" --pending
	dispatched dispatch-pending "$db"

	# The plain-SQL floor: ft-dispatch's own writes, each event's
	# decision read from what --pending just stored (exported
	# unmeasured, in the order --pending takes the events).
	sqlite3 -separator "$(printf '\t')" -nullvalue '\N' "$db" "SELECT
		e.seq, e.status, e.area, e.unit, e.rule, e.priority,
		e.respond_by, e.resolve_by, e.chain, e.near_boundary,
		e.duplicate_of, h.action, h.detail FROM events e JOIN history h
		ON h.kind = 'event' AND h.id = e.id AND (h.action = 'dispatch'
		OR h.action = 'duplicate') ORDER BY e.reported_at, e.seq" \
		>"$WORK/decisions.tsv"
	db=$(fresh floor-dispatch)
	cp "$base" "$db"
	measure floor-dispatch "$DATA/floor" dispatch "$db" \
		"$WORK/decisions.tsv"
	dispatched floor-dispatch "$db"
	floored floor-dispatch
	rm -f "$WORK/decisions.tsv"

	if [ -n "$NOTHR" ]; then
		db=$(fresh dispatch-nothreads)
		cp "$base" "$db"
		measure dispatch-nothreads "$NOTHR/bin/ft-dispatch" -q \
			--no-output --tz Asia/Shanghai --rules "$RULES" \
			--db "$db" --pending
		dispatched dispatch-nothreads "$db"
	fi

	# The pipeline form: the events on standard input, each looked up.
	db=$(fresh dispatch-stdin)
	cp "$base" "$db"
	measure dispatch-stdin "$FT/ft-dispatch" -q --no-output --tz Asia/Shanghai \
		--rules "$RULES" --db "$db" <"$NDJSON"
	dispatched dispatch-stdin "$db"
	rm -f "$base"

	# Issue 15: the same N events in random order (the ingest cases'
	# shuffled NDJSON, so that neither the ids nor the reported_at rise
	# with seq), ingested (unmeasured) into their own base database,
	# then --pending as above.
	rbase=$(fresh dispatch-random-base)
	"$FT/ft-ingest" -q --no-output --db "$rbase" --kind units "$DATA/units.ndjson"
	"$FT/ft-ingest" -q --no-output --db "$rbase" "$RNDJSON"
	sqlite3 "$rbase" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	db=$(fresh dispatch-pending-random)
	cp "$rbase" "$db"
	measure dispatch-pending-random "$FT/ft-dispatch" -q --no-output \
		--tz Asia/Shanghai --rules "$RULES" --db "$db" --pending
	dispatched dispatch-pending-random "$db"
	# Its plain-SQL floor, as above: the same writes in the same order.
	sqlite3 -separator "$(printf '\t')" -nullvalue '\N' "$db" "SELECT
		e.seq, e.status, e.area, e.unit, e.rule, e.priority,
		e.respond_by, e.resolve_by, e.chain, e.near_boundary,
		e.duplicate_of, h.action, h.detail FROM events e JOIN history h
		ON h.kind = 'event' AND h.id = e.id AND (h.action = 'dispatch'
		OR h.action = 'duplicate') ORDER BY e.reported_at, e.seq" \
		>"$WORK/decisions.tsv"
	db=$(fresh floor-dispatch-random)
	cp "$rbase" "$db"
	measure floor-dispatch-random "$DATA/floor" dispatch "$db" \
		"$WORK/decisions.tsv"
	dispatched floor-dispatch-random "$db"
	floored floor-dispatch-random
	rm -f "$WORK/decisions.tsv" "$rbase"
else
	echo "bench: FAIL: no $FT_BIN/ft-dispatch (run make)" >&2
	bad=1
fi
# --- end of ft-dispatch ------------------------------------------------

echo "load $(cut -d' ' -f1-3 /proc/loadavg) (after)" >>"$RESULTS"

if [ "$only" = main ]; then
	echo
	table "$RESULTS" || bad=1
	if [ "$bad" != 0 ]; then
		echo "bench: FAILED: a run failed or loaded the wrong number of rows" >&2
		exit 1
	fi
	exit 0
fi

# The ft-vote section (defined above, so that "run.sh vote" can run it
# alone); its figures go to their own results file.
vote_bench
kw_bench
readings_bench
warn_bench
warnreadings_bench
nab_bench
report_bench

echo
table "$RESULTS" || bad=1
echo
vote_table "$VRESULTS" || bad=1
echo
kw_table
readings_table "$RRESULTS" || bad=1
echo
warn_table "$WRESULTS" || bad=1
echo
warnreadings_table "$XRESULTS" || bad=1
cat "$NRESULTS"
echo
report_table "$PRESULTS" || bad=1

if [ "$bad" != 0 ]; then
	echo "bench: FAILED: a run failed or loaded the wrong number of rows" >&2
	exit 1
fi
