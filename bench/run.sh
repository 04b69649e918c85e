#!/bin/sh
# bench/run.sh - the benchmarks of BENCHMARKS.md (run by `make bench`).
#
# Environment:
#   FT_BIN      where the ft tools are (default ./bin)
#   BENCH_N     records to generate (default 1000000); never shrunk
#   BENCH_DATA  where the data and the databases go (default bench/data)
#   BENCH_STRICT=1  exit 1 when a target fails, not only when a run is wrong
#
# "sh bench/run.sh --table" prints the table of the last run again.
#
# The data is generated once (bench/gen.c, deterministic) into BENCH_DATA
# and reused while its stamp says the same N.  ft-dispatch's units come
# from bench/genunits.c (2,000 grid cells, also deterministic), its rules
# from bench/dispatch.json.  Every case then runs once,
# on the same files, into a fresh database, under /usr/bin/time for wall
# seconds and peak RSS.  Every database-loading run must leave exactly N
# rows, every libjq floor run must see N values, and every ft-dispatch run
# must leave exactly N events dispatched: otherwise the script says so
# loudly and exits 1, since its figures would mean nothing.
#
# The ft tools are copied from FT_BIN before the first case (their sha256
# is printed), so that a rebuild during the run cannot mix two versions.
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

case $N in
'' | *[!0-9]*) echo "bench: BENCH_N must be a positive integer: $N" >&2; exit 64 ;;
esac
[ "$N" -gt 0 ] || { echo "bench: BENCH_N must be positive" >&2; exit 64; }
[ -x "$FT_BIN/ft-ingest" ] ||
	{ echo "bench: no $FT_BIN/ft-ingest (run make)" >&2; exit 66; }
for t in sqlite3 sqlite-utils /usr/bin/time; do
	command -v "$t" >/dev/null 2>&1 ||
		{ echo "bench: $t is missing (sh tools/deps.sh bench)" >&2; exit 66; }
done

mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
CSV=$DATA/events.csv
NDJSON=$DATA/events.ndjson
RESULTS=$DATA/results.txt
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
function target(name, r, op, lim, c,    ok) {
	if (r == "n/a") { ok = "FAIL"; fails++ }
	else if (op == "<=") ok = (r + 0 <= lim) ? "PASS" : "FAIL"
	else if (op == ">=") ok = (r + 0 >= lim) ? "PASS" : "FAIL"
	else ok = (r + 0 < lim) ? "PASS" : "FAIL"
	if (ok == "FAIL" && r != "n/a") fails++
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
	split("ft-csv ft-ndjson ft-map", fts, " ")
	for (i in fts)
		if ((fts[i] in kb) && kb[fts[i]] != "-" && kb[fts[i]] > peak)
			peak = kb[fts[i]]
	print ""
	printf "| %-36s | %8s | %-9s | %-4s | %9s |\n", "target (on wall time)", \
		"got", "want", "", "CPU ratio"
	print "|--------------------------------------|---------:|-----------|------|----------:|"
	target("CSV: ft / sqlite3 .import", ratio("ft-csv", "sqlite3-import"), \
		"<=", 0.8, cpu("ft-csv", "sqlite3-import"))
	target("CSV: sqlite-utils / ft", ratio("sqlite-utils-csv", "ft-csv"), \
		">=", 10, cpu("sqlite-utils-csv", "ft-csv"))
	target("NDJSON: ft / jq parse", ratio("ft-ndjson", "jq-parse"), \
		"<=", 1.3, cpu("ft-ndjson", "jq-parse"))
	target("NDJSON: sqlite-utils / ft", \
		ratio("sqlite-utils-ndjson", "ft-ndjson"), ">=", 4, \
		cpu("sqlite-utils-ndjson", "ft-ndjson"))
	target("map: ft / (jq parse+filter)", \
		ratio("ft-map", "jq-parse-filter"), "<=", 1.3, \
		cpu("ft-map", "jq-parse-filter"))
	target("ft-ingest peak RSS, MB", \
		peak ? sprintf("%.1f", peak / 1024) : "n/a", "<", 32, "")
	# ft-dispatch: the CPU column holds events per CPU second.
	dpeak = 0
	split("dispatch-pending dispatch-stdin", dcs, " ")
	for (i in dcs)
		if ((dcs[i] in kb) && kb[dcs[i]] != "-" && kb[dcs[i]] > dpeak)
			dpeak = kb[dcs[i]]
	target("dispatch --pending: events/s", rate("dispatch-pending"), \
		">=", 200000, cpurate("dispatch-pending"))
	target("dispatch peak RSS, MB", \
		dpeak ? sprintf("%.1f", dpeak / 1024) : "n/a", "<", 64, "")
	print ""
	printf "(for information: ft-dispatch from standard input = %s events/s, %s a CPU second)\n", \
		rate("dispatch-stdin"), cpurate("dispatch-stdin")
	printf "(for information: ft / sqlite3 .import into a keyed table = %s)\n", \
		ratio("ft-csv", "sqlite3-import-keyed")
	printf "targets: %d failed\n", fails
	if (strict == 1 && fails) exit 1
}' "$1"
}


# "run.sh --table" prints the table of the last run again, running nothing.
if [ "${1:-}" = --table ]; then
	[ -f "$RESULTS" ] || { echo "bench: no $RESULTS yet" >&2; exit 66; }
	table "$RESULTS"
	exit
fi

# The helpers are built every time: they are small and must match the source.
$CC -O2 -o "$DATA/gen" "$here/gen.c"
$CC -O2 -o "$DATA/jqfloor" "$here/jqfloor.c" -ljq
$CC -O2 -o "$DATA/genunits" "$here/genunits.c"
"$DATA/genunits" "$DATA"

if [ -f "$DATA/events.n" ] && [ "$(cat "$DATA/events.n")" = "$N" ] &&
	[ -f "$CSV" ] && [ -f "$NDJSON" ]; then
	echo "bench: reusing $N records in $DATA"
else
	echo "bench: generating $N records into $DATA"
	rm -f "$DATA/events.n"
	"$DATA/gen" -n "$N" "$DATA"
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
cat "$CSV" "$NDJSON" >/dev/null

# fresh NAME: prints the path of a database that does not exist yet.
fresh() {
	rm -f "$WORK/$1.db" "$WORK/$1.db-wal" "$WORK/$1.db-shm" \
		"$WORK/$1.db-journal"
	echo "$WORK/$1.db"
}

# measure CASE CMD...: runs CMD once with standard output discarded and
# records "CASE wall user sys peak_kb".  A failing command fails the benchmark.
# A case whose result is wrong gets an "invalid CASE" line after its own:
# its figures are then left out of every ratio.
measure() {
	c=$1
	shift
	printf 'bench: %-24s ' "$c"
	if /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" \
		>/dev/null 2>"$WORK/$c.err"; then
		:
	else
		echo "FAILED (exit $?)"
		sed 's/^/    /' "$WORK/$c.err" >&2
		bad=1
		echo "$c - - - -" >>"$RESULTS"
		return 0
	fi
	read -r s us ss kb <"$WORK/time"
	echo "$s s (user $us, sys $ss), $((kb / 1024)) MB"
	echo "$c $s $us $ss $kb" >>"$RESULTS"
}

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
measure ft-csv "$FT/ft-ingest" -q --db "$db" "$CSV"
rows ft-csv "$db" events

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
measure ft-ndjson "$FT/ft-ingest" -q --db "$db" "$NDJSON"
rows ft-ndjson "$db" events

measure jq-parse "$DATA/jqfloor" "$NDJSON"
values jq-parse

db=$(fresh sqlite-utils-ndjson)
measure sqlite-utils-ndjson sqlite-utils insert "$db" events "$NDJSON" --nl
rows sqlite-utils-ndjson "$db" events

# --- NDJSON through a jq mapping ---------------------------------------
db=$(fresh ft-map)
measure ft-map "$FT/ft-ingest" -q -m "$MAP" --db "$db" "$NDJSON"
rows ft-map "$db" events

measure jq-parse-filter "$DATA/jqfloor" -m "$MAP" "$NDJSON"
values jq-parse-filter

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
	"$FT/ft-ingest" -q --db "$base" --kind units "$DATA/units.ndjson"
	"$FT/ft-ingest" -q --db "$base" "$NDJSON"
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
	measure dispatch-pending "$FT/ft-dispatch" -q --tz Asia/Shanghai \
		--rules "$RULES" --db "$db" --pending
	dispatched dispatch-pending "$db"

	# The pipeline form: the events on standard input, each looked up.
	db=$(fresh dispatch-stdin)
	cp "$base" "$db"
	measure dispatch-stdin "$FT/ft-dispatch" -q --tz Asia/Shanghai \
		--rules "$RULES" --db "$db" <"$NDJSON"
	dispatched dispatch-stdin "$db"
	rm -f "$base"
else
	echo "bench: FAIL: no $FT_BIN/ft-dispatch (run make)" >&2
	bad=1
fi
# --- end of ft-dispatch ------------------------------------------------

echo "load $(cut -d' ' -f1-3 /proc/loadavg) (after)" >>"$RESULTS"
echo
table "$RESULTS" || bad=1

if [ "$bad" != 0 ]; then
	echo "bench: FAILED: a run failed or loaded the wrong number of rows" >&2
	exit 1
fi
