#!/usr/bin/env bats
# ft-ingest against the real-world data in ../shared/corpus (see its
# SOURCES.md for what each file is and the counts asserted here).
# Run one area with: bats -f 'ft-ingest corpus: nyc311' tests/corpus.bats
# shellcheck disable=SC2030,SC2031,SC2154

bats_require_minimum_version 1.5.0
# The message checks below use extended patterns; they must be on before
# the functions are read.
shopt -s extglob

load helpers/common

setup() {
	common_setup
	corpus_or_skip
}

# A map that makes any CSV row an event, keeping its columns as they are.
ANY='. + {category: "t", reported_at: "2020-01-01T00:00:00Z"}'
# A map that makes any JSON value the "v" of an event.
WRAP='{category: "t", reported_at: "2020-01-01T00:00:00Z", v: .}'
JST="$CORPUS/jsontestsuite/test_parsing"

# The summary line of a file, as an extended regular expression: NAME TOTAL
# NEW UNCHANGED REJECTED.
summary_re() {
	printf 'ft-ingest: %s: %s records?: %s new, 0 updated, %s unchanged, %s rejected' \
		"$(printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g')" "$2" "$3" "$4" "$5"
}

# ---- csv-spectrum ----

@test "ft-ingest corpus: csv-spectrum: every CSV gives exactly the expected JSON values" {
	local csv name exp got n u fails=""

	for csv in "$CORPUS"/csv-spectrum/csvs/*.csv; do
		name=$(basename "$csv" .csv)
		export FT_DB="$BATS_TEST_TMPDIR/$name.db"
		rc=0
		ft-ingest --map "$ANY" --kind events "$csv" \
			> "$BATS_TEST_TMPDIR/$name.out" \
			2> "$BATS_TEST_TMPDIR/$name.err" || rc=$?
		if [ "$rc" != 0 ]; then
			fails+="$name: exit $rc: $(cat "$BATS_TEST_TMPDIR/$name.err")"$'\n'
			continue
		fi
		# Two identical rows are one record: the second is "unchanged".
		exp=$(jq -S -c '.[]' "$CORPUS/csv-spectrum/json/$name.json" | awk '!seen[$0]++')
		got=$(jq -S -c 'del(.id, .category, .reported_at, .status)' "$BATS_TEST_TMPDIR/$name.out")
		if [ "$got" != "$exp" ]; then
			fails+="$name: got"$'\n'"$got"$'\n'"expected"$'\n'"$exp"$'\n'
		fi
		# Every printed record has a content id and is new.
		if jq -e 'select((.id | test("^h-[0-9a-f]+$") | not) or .status != "new")' \
			"$BATS_TEST_TMPDIR/$name.out" > /dev/null; then
			fails+="$name: a record without an h- id or not new"$'\n'
		fi
		n=$(jq length "$CORPUS/csv-spectrum/json/$name.json")
		u=$(printf '%s\n' "$exp" | grep -c .)
		if ! grep -Eq "$(summary_re "$csv" "$n" "$u" $((n - u)) 0)" "$BATS_TEST_TMPDIR/$name.err"; then
			fails+="$name: summary: $(cat "$BATS_TEST_TMPDIR/$name.err")"$'\n'
		fi
		if [ "$(sql 'SELECT count(*) FROM events')" != "$u" ]; then
			fails+="$name: $(sql 'SELECT count(*) FROM events') rows stored, expected $u"$'\n'
		fi
	done
	if [ -n "$fails" ]; then
		printf '%s' "$fails"
		return 1
	fi
}

@test "ft-ingest corpus: csv-spectrum: CRLF and LF versions of a file are the same records" {
	run -0 --separate-stderr ft-ingest --map "$ANY" "$CORPUS/csv-spectrum/csvs/simple.csv"
	[ "$(printf '%s\n' "$output" | jq -c '[.a, .b, .c]')" = '["1","2","3"]' ]
	run -0 --separate-stderr ft-ingest --map "$ANY" "$CORPUS/csv-spectrum/csvs/simple_crlf.csv"
	[ "$output" = "" ]
	[[ "$stderr" =~ $(summary_re "$CORPUS/csv-spectrum/csvs/simple_crlf.csv" 1 0 1 0) ]]
	run -0 --separate-stderr ft-ingest --map "$ANY" "$CORPUS/csv-spectrum/csvs/empty_crlf.csv"
	[ "${#lines[@]}" -eq 2 ]
	run -0 --separate-stderr ft-ingest --map "$ANY" "$CORPUS/csv-spectrum/csvs/empty.csv"
	[ "$output" = "" ]
	[[ "$stderr" =~ $(summary_re "$CORPUS/csv-spectrum/csvs/empty.csv" 2 0 2 0) ]]
	[ "$(sql 'SELECT count(*) FROM events')" = 3 ]
}

@test "ft-ingest corpus: csv-spectrum: newlines_crlf keeps CRLF inside the quoted field" {
	run -0 --separate-stderr ft-ingest --map "$ANY" "$CORPUS/csv-spectrum/csvs/newlines_crlf.csv"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(printf '%s\n' "${lines[1]}" | jq -c .a)" = '"Once upon \r\na time"' ]
	[ "$(printf '%s\n' "${lines[2]}" | jq -c '[.a,.b,.c]')" = '["7","8","9"]' ]
}

@test "ft-ingest corpus: an empty CSV is zero records" {
	printf '' > "$BATS_TEST_TMPDIR/zero.csv"
	for f in "$CORPUS/csv-edge/csvkit-examples/empty.csv" "$BATS_TEST_TMPDIR/zero.csv"; do
		run -0 --separate-stderr ft-ingest --map "$ANY" "$f"
		[ "$output" = "" ]
		[[ "$stderr" =~ $(summary_re "$f" 0 0 0 0) ]]
	done
	[ "$(sql 'SELECT count(*) FROM events')" = 0 ]
}

# ---- JSONTestSuite ----
#
# 318 files: the loops below spawn as few processes a file as they can, so
# the messages are checked with bash patterns rather than grep.

# jst_nodata: sets NODATA[FILE]=1 for each file that holds nothing but white
# space and a BOM.
jst_nodata() {
	local f

	declare -gA NODATA=()
	while IFS= read -r f; do
		NODATA[$f]=1
	done < <(LC_ALL=C grep -L -a -P '[^\x20\t\r\xEF\xBB\xBF]' "$JST"/*.json)
}

# jst_nul: sets NUL[FILE]=1 for each file that holds a NUL byte: a binary
# file to every tool, refused whole (65) with no line.
jst_nul() {
	local f

	declare -gA NUL=()
	while IFS= read -r f; do
		NUL[$f]=1
	done < <(LC_ALL=C grep -l -a -P '\x00' "$JST"/*.json)
}

# binary_ok: the file holds a NUL byte and was refused as a binary file.
binary_ok() {
	[ -n "${NUL[$f]:-}" ] && [ "$rc" = 65 ] &&
		err_has "ft-ingest: $f: a binary file, not text"
}

# jst_run FILE ARGS...: runs ft-ingest ARGS FILE under a timeout; sets rc,
# and errl to the lines of its standard error; stdout goes to $out.
jst_run() {
	local f=$1

	shift
	rc=0
	timeout 10 ft-ingest "$@" "$f" > "$out" 2> "$BATS_TEST_TMPDIR/err" || rc=$?
	mapfile -t errl < "$BATS_TEST_TMPDIR/err"
}

# err_has PATTERN: does a line of errl match the glob PATTERN?
err_has() {
	local l

	for l in "${errl[@]}"; do
		# shellcheck disable=SC2053
		[[ $l == $1 ]] && return 0
	done
	return 1
}

@test "ft-ingest corpus: jsontestsuite: every y_ file parses, values are rejected only as non-records" {
	local f b l fails="" out="$BATS_TEST_TMPDIR/out"

	files=("$JST"/y_*.json)
	[ "${#files[@]}" -eq 95 ]
	for f in "$JST"/y_*.json; do
		b=${f##*/}
		# A key given twice is refused: see "a key given twice" below.
		[[ $b == y_object_duplicated_key* ]] && continue
		jst_run "$f" --format json
		case $rc in
		0|1) ;;
		*) fails+="$b: exit $rc: ${errl[*]}"$'\n'; continue ;;
		esac
		# Each message is a record's rejection for what it is, or the
		# summary.
		for l in "${errl[@]}"; do
			case $l in
			"ft-ingest: $f:"+([0-9])": not a record: "@(an array|a string|a number|null|a boolean)", not an object") ;;
			"ft-ingest: $f:"+([0-9])': field "'@(category|reported_at)'": missing') ;;
			"ft-ingest: $f: "+([0-9])" record"?(s)": 0 new, 0 updated, 0 unchanged, "+([0-9])" rejected"*) ;;
			*) fails+="$b: exit $rc: unexpected message: $l"$'\n' ;;
			esac
		done
		if [ "$rc" = 1 ] && ! err_has "ft-ingest: $f:+([0-9]): @(not a record|field)*"; then
			fails+="$b: exit 1 without a rejection: ${errl[*]}"$'\n'
		fi
		if [ "$rc" = 0 ] && ! err_has "ft-ingest: $f: 0 records: *"; then
			fails+="$b: exit 0 but records: ${errl[*]}"$'\n'
		fi
		if [ -s "$out" ]; then
			fails+="$b: a record printed"$'\n'
		fi
	done
	if [ -n "$fails" ]; then
		printf '%s' "$fails"
		return 1
	fi
	[ "$(sql 'SELECT count(*) FROM events')" = 0 ]
}

@test "ft-ingest corpus: jsontestsuite: every y_ value loads through a map, as jq reads it" {
	local f b fmt fails="" out

	mkdir "$BATS_TEST_TMPDIR/json" "$BATS_TEST_TMPDIR/auto"
	for fmt in json auto; do
		for f in "$JST"/y_*.json; do
			b=${f##*/}
			[[ $b == y_object_duplicated_key* ]] && continue
			out="$BATS_TEST_TMPDIR/$fmt/$b"
			export FT_DB="$BATS_TEST_TMPDIR/$fmt/$b.db"
			if [ "$fmt" = auto ]; then
				jst_run "$f" --map "$WRAP"
			else
				jst_run "$f" --format json --map "$WRAP"
			fi
			if [ "$rc" != 0 ]; then
				fails+="$fmt $b: exit $rc: ${errl[*]}"$'\n'
			fi
		done
	done
	# What jq reads: a top-level array is a list of records, and equal
	# records in one file are one.
	# (One jq a file: jq would read files without a final newline as one.)
	for f in "$JST"/y_*.json; do
		[[ $f == */y_object_duplicated_key* ]] && continue
		jq -c --arg f "${f##*/}" 'if type == "array" then .[] else . end | [$f, .]' "$f"
	done | awk '!seen[$0]++' > "$BATS_TEST_TMPDIR/expected"
	for fmt in json auto; do
		(cd "$BATS_TEST_TMPDIR/$fmt" && jq -c '[input_filename, .v]' y_*.json) > "$BATS_TEST_TMPDIR/got" ||
			fails+="$fmt: the output is not JSON"$'\n'
		if ! diff "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/got" > "$BATS_TEST_TMPDIR/diff"; then
			fails+="$fmt: values differ from jq's (< jq, > ft-ingest):"$'\n'"$(cat "$BATS_TEST_TMPDIR/diff")"$'\n'
		fi
	done
	if [ -n "$fails" ]; then
		printf '%s' "$fails"
		return 1
	fi
}

@test "ft-ingest corpus: jsontestsuite: every n_ file with data is refused, naming file and line" {
	local f b fails="" out="$BATS_TEST_TMPDIR/out" n=0

	jst_nodata
	jst_nul
	files=("$JST"/n_*.json)
	[ "${#files[@]}" -eq 188 ]
	for f in "$JST"/n_*.json; do
		[ -z "${NODATA[$f]:-}" ] || continue
		n=$((n + 1))
		b=${f##*/}
		jst_run "$f" --format json
		case $rc in
		1|65) ;;
		*) fails+="$b: exit $rc: ${errl[*]}"$'\n'; continue ;;
		esac
		if ! binary_ok && ! err_has "ft-ingest: $f:+([0-9]): invalid JSON: ?*"; then
			fails+="$b: exit $rc without \"FILE:LINE: invalid JSON\": ${errl[*]}"$'\n'
		fi
		if [ -s "$out" ] || err_has "ft-ingest: $f: * records: [1-9]*([0-9]) new*"; then
			fails+="$b: a record taken"$'\n'
		fi
	done
	[ "$n" -eq 185 ]
	if [ -n "$fails" ]; then
		printf '%s' "$fails"
		return 1
	fi
	[ "$(sql 'SELECT count(*) FROM events')" = 0 ]
}

@test "ft-ingest corpus: jsontestsuite: an n_ file never loads cleanly, even through a map" {
	local f b fails="" out=/dev/null

	jst_nodata
	jst_nul
	for f in "$JST"/n_*.json; do
		[ -z "${NODATA[$f]:-}" ] || continue
		b=${f##*/}
		# The format recognised from the content, as a user would run it.
		export FT_DB="$BATS_TEST_TMPDIR/$b.db"
		jst_run "$f" --map "$WRAP"
		case $rc in
		1|65) ;;
		*) fails+="$b: exit $rc: ${errl[*]}"$'\n'; continue ;;
		esac
		if ! binary_ok && ! err_has "ft-ingest: $f:+([0-9]): invalid JSON: ?*"; then
			fails+="$b: exit $rc without \"FILE:LINE: invalid JSON\": ${errl[*]}"$'\n'
		fi
	done
	if [ -n "$fails" ]; then
		printf '%s' "$fails"
		return 1
	fi
}

@test "ft-ingest corpus: jsontestsuite: empty, blank and BOM-only input is zero records" {
	local f n=0

	jst_nodata
	for f in "${!NODATA[@]}"; do
		n=$((n + 1))
		run -0 --separate-stderr timeout 10 ft-ingest --format json "$f"
		[ "$output" = "" ]
		[[ "$stderr" =~ $(summary_re "$f" 0 0 0 0) ]]
		run -0 --separate-stderr timeout 10 ft-ingest --map "$WRAP" "$f"
		[ "$output" = "" ]
	done
	# n_single_space, n_structure_no_data, n_structure_UTF8_BOM_no_data
	[ "$n" -eq 3 ]
	[ "$(sql 'SELECT count(*) FROM events')" = 0 ]
}

@test "ft-ingest corpus: jsontestsuite: i_ files never crash or hang, and output stays JSON" {
	local f b fails="" map out

	files=("$JST"/i_*.json)
	[ "${#files[@]}" -eq 35 ]
	jst_nul
	mkdir "$BATS_TEST_TMPDIR/i"
	for f in "$JST"/i_*.json; do
		b=${f##*/}
		for map in "" "$WRAP"; do
			out="$BATS_TEST_TMPDIR/i/$b${map:+.map}"
			export FT_DB="$BATS_TEST_TMPDIR/$b.${#map}.db"
			if [ -n "$map" ]; then
				jst_run "$f" --format json --map "$map"
			else
				jst_run "$f" --format json
			fi
			case $rc in
			0|1|65) ;;
			*) fails+="$b: exit $rc: ${errl[*]}"$'\n'; continue ;;
			esac
			if [ "$rc" != 0 ] && ! binary_ok && ! err_has "ft-ingest: $f:+([0-9]): ?*"; then
				fails+="$b: exit $rc without a FILE:LINE message: ${errl[*]}"$'\n'
			fi
		done
	done
	cat "$BATS_TEST_TMPDIR"/i/* | jq -c . > /dev/null ||
		fails+="the output is not JSON"$'\n'
	if [ -n "$fails" ]; then
		printf '%s' "$fails"
		return 1
	fi
}

# ---- NYC 311 ----

@test "ft-ingest corpus: nyc311: all four files load with @nyc311, every record" {
	local f n

	while read -r f n; do
		run -0 --separate-stderr ft-ingest -q --no-output --map @nyc311 "$CORPUS/nyc311/$f"
		[ "$output" = "" ]
		[ "$(sql "SELECT count(*) FROM events e JOIN ingests i USING (ingest) WHERE i.file = '$CORPUS/nyc311/$f'")" = "$n" ]
		[ "$(sql "SELECT records || ' ' || inserted || ' ' || rejected || ' ' || status FROM ingests WHERE file = '$CORPUS/nyc311/$f'")" = "$n $n 0 done" ]
	done <<-EOF
	nyc311_2023-02_export_4999.csv 4999
	nyc311_2026-06_soda_10000.csv 10000
	nyc311_2024-04_soda_quoted_1000.csv 1000
	nyc311_2018-01_export_53col_155.csv 155
	EOF
	[ "$(sql 'SELECT count(*) FROM events')" = 16154 ]
	# Every id is the source's Unique Key, not a content hash.
	[ "$(sql "SELECT count(*) FROM events WHERE id GLOB 'h-*'")" = 0 ]
}

@test "ft-ingest corpus: nyc311: the summary counts the 4,999 records" {
	f="$CORPUS/nyc311/nyc311_2023-02_export_4999.csv"
	run -0 --separate-stderr ft-ingest --map @nyc311 "$f"
	[ "${#lines[@]}" -eq 4999 ]
	[[ "$stderr" =~ $(summary_re "$f" 4999 4999 0 0) ]]
	[ "$(printf '%s\n' "$output" | jq -r .id | sort -u | wc -l)" -eq 4999 ]
}

@test "ft-ingest corpus: nyc311: the quoted file's line column is the physical line of each record" {
	f="$CORPUS/nyc311/nyc311_2024-04_soda_quoted_1000.csv"
	run -0 --separate-stderr ft-ingest -q --map @nyc311 "$f"
	[ "$(sql 'SELECT count(*) FROM events')" = 1000 ]
	# Every record starts a line with its quoted unique key.
	grep -n '^"[0-9]' "$f" | cut -d: -f1 > "$BATS_TEST_TMPDIR/expected"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/expected")" -eq 1000 ]
	sql 'SELECT line FROM events ORDER BY line' > "$BATS_TEST_TMPDIR/got"
	diff "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/got"
	[ "$(sql "SELECT id || ' ' || line FROM events ORDER BY line DESC LIMIT 1")" = "60873529 2953" ]
	[ "$(sql "SELECT line FROM events WHERE id = '60879417'")" = 2 ]
	# The multi-line location column arrives whole.
	[ "$(sql "SELECT json_extract(raw, '\$.location') FROM events WHERE id = '60879417'")" = $'\n,  \n(40.67679280229251, -73.7379342313789)' ]
}

@test "ft-ingest corpus: nyc311: rows without coordinates are kept without a location" {
	local f n

	while read -r f n; do
		run -0 --separate-stderr ft-ingest -q --map @nyc311 "$CORPUS/nyc311/$f"
		[ "$(sql "SELECT count(*) FROM events e JOIN ingests i USING (ingest) WHERE i.file = '$CORPUS/nyc311/$f' AND e.lat IS NULL AND e.lon IS NULL")" = "$n" ]
	done <<-EOF
	nyc311_2023-02_export_4999.csv 87
	nyc311_2026-06_soda_10000.csv 114
	nyc311_2024-04_soda_quoted_1000.csv 23
	nyc311_2018-01_export_53col_155.csv 1
	EOF
	[ "$(sql 'SELECT count(*) FROM events WHERE (lat IS NULL) <> (lon IS NULL)')" = 0 ]
	[ "$(sql 'SELECT count(*) FROM events WHERE lat IS NOT NULL AND (lat NOT BETWEEN 40.4 AND 41 OR lon NOT BETWEEN -74.3 AND -73.6)')" = 0 ]
}

@test "ft-ingest corpus: nyc311: New York local times land in UTC" {
	run -0 --separate-stderr ft-ingest -q --map @nyc311 "$CORPUS/nyc311/nyc311_2023-02_export_4999.csv"
	# 02/28/2023 11:45:00 PM EST
	[ "$(sql "SELECT reported_at FROM events WHERE id = '56923577'")" = 2023-03-01T04:45:00Z ]
	[ "$(sql "SELECT min(reported_at) || ' ' || max(reported_at) FROM events")" = "2023-02-28T16:31:00Z 2023-03-01T04:45:00Z" ]
	run -0 --separate-stderr ft-ingest -q --map @nyc311 "$CORPUS/nyc311/nyc311_2026-06_soda_10000.csv"
	# 2026-06-28T03:05:20.000 EDT
	[ "$(sql "SELECT reported_at FROM events WHERE id = '69513421'")" = 2026-06-28T07:05:20Z ]
	run -0 --separate-stderr ft-ingest -q --map @nyc311 "$CORPUS/nyc311/nyc311_2018-01_export_53col_155.csv"
	[ "$(sql "SELECT count(*) FROM events WHERE reported_at NOT GLOB '20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z'")" = 0 ]
}

@test "ft-ingest corpus: nyc311: times around the 2023 DST changes" {
	f="$BATS_TEST_DIRNAME/fixtures/corpus/nyc311_dst.csv"
	# The map's zone wins over $TZ.
	export TZ=Asia/Shanghai
	run -0 --separate-stderr ft-ingest --map @nyc311 "$f"
	[ "$(printf '%s\n' "$output" | jq -r '.id + " " + .reported_at')" = "900001 2023-03-12T06:59:59Z
900002 2023-03-12T07:30:00Z
900003 2023-03-12T07:00:00Z
900004 2023-11-05T04:59:59Z
900005 2023-11-05T05:30:00Z
900006 2023-11-05T07:00:00Z
900007 2023-03-12T07:30:00Z
900008 2023-11-05T05:30:00Z" ]
	[[ "$stderr" =~ $(summary_re "$f" 8 8 0 0) ]]
	[ "$(sql "SELECT reported_at FROM events WHERE id = '900002'")" = 2023-03-12T07:30:00Z ]
}

@test "ft-ingest corpus: nyc311: loading a file again changes nothing" {
	f="$CORPUS/nyc311/nyc311_2023-02_export_4999.csv"
	run -0 --separate-stderr ft-ingest -q --map @nyc311 "$f"
	before=$(sql 'SELECT * FROM events ORDER BY seq' | md5sum)
	run -0 --separate-stderr ft-ingest --map @nyc311 "$f"
	[ "$output" = "" ]
	[[ "$stderr" =~ $(summary_re "$f" 4999 0 4999 0) ]]
	[ "$(sql 'SELECT * FROM events ORDER BY seq' | md5sum)" = "$before" ]
	[ "$(sql 'SELECT count(*) FROM events')" = 4999 ]
	# The first load's entries (one a transaction of 2000 events, each
	# event a line of event_history), none for the second.
	[ "$(sql 'SELECT action, count(*) FROM history GROUP BY 1')" = 'ingest|3' ]
	[ "$(sql 'SELECT action, count(*), count(DISTINCT id) FROM event_history GROUP BY 1')" = 'ingest|4999|4999' ]
	[ "$(sql "SELECT json_extract(detail, '\$.events') FROM history ORDER BY seq" | paste -sd ' ' -)" = '2000 2000 999' ]
}

@test "ft-ingest corpus: nyc311: mojibake passes through byte for byte" {
	f="$CORPUS/nyc311/nyc311_2023-02_export_4999.csv"
	run -0 --separate-stderr ft-ingest -q --map @nyc311 "$f"
	# 183 rows hold "â€™" double-encoded: C3 A2 C2 80 C2 99.
	[ "$(grep -c $'\xc3\xa2\xc2\x80\xc2\x99' "$f")" -eq 183 ]
	[ "$(sql "SELECT count(*) FROM events WHERE instr(raw, CAST(x'c3a2c280c299' AS TEXT)) > 0")" = 183 ]
	desc=$(sql "SELECT json_extract(raw, '\$.\"Resolution Description\"') FROM events WHERE id = '56923577'")
	[[ "$desc" == *$'Transportation\xc3\xa2\xc2\x80\xc2\x99s website'* ]]
	sed -n 2p "$f" | grep -qF -- "$desc"
}

# ---- boundaries ----

@test "ft-ingest corpus: nyc_boundaries: community districts and boroughs load as units" {
	run -0 --separate-stderr ft-ingest -q --kind units \
		--map '{id: (.properties.boro_cd | tostring), name: ("CD " + (.properties.boro_cd | tostring)), kind: "grid", boundary: .geometry}' \
		"$CORPUS/nyc_boundaries/nyc_community_districts.geojson"
	[ "$(sql "SELECT count(*) FROM units WHERE kind = 'grid'")" = 71 ]
	[ "$(sql "SELECT json_extract(boundary, '\$.type') FROM units WHERE id = '311'")" = MultiPolygon ]
	# The borough file has a crs member naming CRS84: WGS 84, tolerated.
	run -0 --separate-stderr ft-ingest --kind units \
		--map '{id: ("boro-" + (.properties.BoroCode | tostring)), name: .properties.BoroName, kind: "district", boundary: .geometry}' \
		"$CORPUS/nyc_boundaries/nyc_boroughs.geojson"
	[ "${#lines[@]}" -eq 5 ]
	[ "$(sql "SELECT group_concat(name, ',') FROM (SELECT name FROM units WHERE kind = 'district' ORDER BY id)")" = "Manhattan,Bronx,Brooklyn,Queens,Staten Island" ]
	# Bounding boxes inside New York City, and not empty.
	[ "$(sql 'SELECT count(*) FROM units WHERE min_lon < -74.26 OR max_lon > -73.69 OR min_lat < 40.49 OR max_lat > 40.92 OR min_lon >= max_lon OR min_lat >= max_lat OR min_lon IS NULL')" = 0 ]
	[ "$(sql "SELECT round(min_lon, 2) || ' ' || round(max_lat, 2) FROM units WHERE id = 'boro-5'")" = "-74.26 40.65" ]
}

@test "ft-ingest corpus: la_boundaries: an EPSG:3857 file is refused as a whole" {
	f="$CORPUS/la_boundaries/la_neighborhood_councils_2020_epsg3857.geojson"
	run -65 --separate-stderr ft-ingest --kind units \
		--map '{id: .properties.nc_id, name: .properties.name_2, kind: "grid", boundary: .geometry}' "$f"
	[ "$output" = "" ]
	[[ "$stderr" == *"$f: crs \"urn:ogc:def:crs:EPSG::3857\" is not WGS 84"* ]]
	[ "$(sql 'SELECT count(*) FROM units')" = 0 ]
}

@test "ft-ingest corpus: la_boundaries: the WGS 84 files load" {
	run -0 --separate-stderr ft-ingest -q --kind units \
		--map '{id: ("cd-" + .properties.name), name: ("Council District " + .properties.name), kind: "district", boundary: .geometry}' \
		"$CORPUS/la_boundaries/la_council_districts_2012.geojson"
	run -0 --separate-stderr ft-ingest -q --kind units \
		--map '{id: ("nc-" + .properties.objectid), name: .properties.name, nc_id: .properties.nc_id, kind: "community", boundary: .geometry}' \
		"$CORPUS/la_boundaries/la_neighborhood_councils_2019.geojson"
	[ "$(sql "SELECT kind || ' ' || count(*) FROM units GROUP BY kind ORDER BY kind")" = "community 99
district 15" ]
	[ "$(sql 'SELECT count(*) FROM units WHERE min_lon < -118.7 OR max_lon > -118.1 OR min_lat < 33.6 OR max_lat > 34.4')" = 0 ]
}

@test "ft-ingest corpus: sf_boundaries: Polygons nested like MultiPolygons are each rejected" {
	f="$CORPUS/sf_boundaries/sf_find_neighborhoods_MALFORMED_polygon_nesting.geojson"
	run -1 --separate-stderr ft-ingest --kind units --rejects "$BATS_TEST_TMPDIR/rej" \
		--map '{id: .properties.name, kind: "community", boundary: .geometry}' "$f"
	[ "$output" = "" ]
	[[ "$stderr" =~ $(summary_re "$f" 117 0 0 117) ]]
	[[ "${stderr_lines[0]}" == "ft-ingest: $f:4: field \"boundary\": "*"nested like a MultiPolygon"* ]]
	[ "$(wc -l < "$BATS_TEST_TMPDIR/rej")" -eq 117 ]
	[ "$(jq -s '[.[] | select(.line == 4 and (.reason | test("nested like a MultiPolygon")))] | length' "$BATS_TEST_TMPDIR/rej")" -eq 117 ]
	[ "$(sql 'SELECT count(*) FROM units')" = 0 ]
}

@test "ft-ingest corpus: shenzhen_boundaries: a bare array of Features and a FeatureCollection load" {
	run -0 --separate-stderr ft-ingest --kind units \
		--map '{id: (.properties.adcode | tostring), name: .properties.name, kind: "district", boundary: .geometry}' \
		"$CORPUS/shenzhen_boundaries/futian_district_440304_feature_array.json"
	[ "${#lines[@]}" -eq 1 ]
	[ "$(printf '%s\n' "$output" | jq -r '.id + " " + .name + " " + .boundary.type')" = "440304 福田区 MultiPolygon" ]
	[ "$(sql "SELECT name FROM units WHERE id = '440304'")" = 福田区 ]
	export FT_DB="$BATS_TEST_TMPDIR/sz.db"
	run -0 --separate-stderr ft-ingest -q --kind units \
		--map '{id: (.properties.adcode | tostring), name: .properties.name, kind: "district", boundary: .geometry}' \
		"$CORPUS/shenzhen_boundaries/shenzhen_districts_440300_full.geojson"
	[ "$(sql 'SELECT count(*) FROM units')" = 9 ]
	[ "$(sql "SELECT group_concat(name, ',') FROM (SELECT name FROM units ORDER BY id)")" = "罗湖区,福田区,南山区,宝安区,龙岗区,盐田区,龙华区,坪山区,光明区" ]
	[ "$(sql 'SELECT count(*) FROM units WHERE min_lon < 113.7 OR max_lon > 114.7 OR min_lat < 22.3 OR max_lat > 22.9')" = 0 ]
}

@test "ft-ingest corpus: vancouver311: the local-area boundaries load" {
	run -0 --separate-stderr ft-ingest -q --kind units \
		--map '{id: .properties.name, kind: "community", boundary: .geometry}' \
		"$CORPUS/vancouver311/vancouver_local_area_boundary.geojson"
	[ "$(sql "SELECT count(*) FROM units WHERE json_extract(boundary, '\$.type') = 'Polygon'")" = 22 ]
	[ "$(sql "SELECT count(*) FROM units WHERE name = id")" = 22 ]
	[ "$(sql 'SELECT count(*) FROM units WHERE min_lon < -123.3 OR max_lon > -123.0 OR min_lat < 49.19 OR max_lat > 49.32')" = 0 ]
}

# ---- other cities' 311 ----

@test "ft-ingest corpus: vancouver311: a JSON object wrapping results loads 100 events" {
	f="$CORPUS/vancouver311/vancouver311_2024-03_opendatasoft_100.json"
	run -0 --separate-stderr ft-ingest \
		--map '.results[] | {category: .service_request_type, reported_at: .service_request_open_timestamp, lat: .latitude, lon: .longitude, address, source: .channel, local_area, department}' \
		"$f"
	[ "${#lines[@]}" -eq 100 ]
	[[ "$stderr" =~ ": 100 new, 0 updated, 0 unchanged, 0 rejected" ]]
	[ "$(sql 'SELECT count(*) FROM events')" = 100 ]
	[ "$(sql 'SELECT count(*) FROM events WHERE lat IS NULL AND lon IS NULL')" = 67 ]
	[ "$(sql 'SELECT count(*) FROM events WHERE lat BETWEEN 49.19 AND 49.32 AND lon BETWEEN -123.3 AND -123.0')" = 33 ]
	# 2024-03-11T17:08:00+00:00, the first result.
	[ "$(printf '%s\n' "${lines[0]}" | jq -r '.reported_at + " " + .category')" = "2024-03-11T17:08:00Z Building and Development Inquiry Case" ]
	[ "$(printf '%s\n' "${lines[0]}" | jq -c 'has("lat"), .address')" = "false
null" ]
}

LAMAP='{id: .srnumber, category: .requesttype, reported_at: .createddate, lat: .latitude, lon: .longitude, address, source: .requestsource, nc}'

@test "ft-ingest corpus: la311: the 2020 file loads, in Los Angeles time" {
	f="$CORPUS/la311/la311_2020-01_10000.csv"
	run -0 --separate-stderr ft-ingest --tz America/Los_Angeles --map "$LAMAP" "$f"
	[ "${#lines[@]}" -eq 10000 ]
	[[ "$stderr" =~ $(summary_re "$f" 10000 10000 0 0) ]]
	[ "$(sql 'SELECT count(*) FROM events WHERE lat IS NULL')" = 11 ]
	# "2020-01-01 00:05:00" PST.  CSV has no types: the unquoted 19 is text.
	[ "$(sql "SELECT reported_at FROM events WHERE id = '1-1523590121'")" = 2020-01-01T08:05:00Z ]
	[ "$(printf '%s\n' "${lines[0]}" | jq -c '[.id, .nc, .lat, .lon]')" = '["1-1523590121","19",34.19402846,-118.4994716]' ]
}

@test "ft-ingest corpus: la311: the Excel short-date copy gives the same times to the minute" {
	run -0 --separate-stderr ft-ingest -q --tz America/Los_Angeles --map "$LAMAP" \
		"$CORPUS/la311/la311_2020-01_10000.csv"
	export FT_DB="$BATS_TEST_TMPDIR/short.db"
	run -0 --separate-stderr ft-ingest -q --tz America/Los_Angeles \
		--time-format '%m/%d/%y %H:%M' --map "$LAMAP" \
		"$CORPUS/la311/la311_2020-01_10000_shortdates_crlf.csv"
	[ "$(sql 'SELECT count(*) FROM events')" = 10000 ]
	# CRLF with no final newline: the last record is whole.
	[ "$(sql "SELECT count(*) FROM events WHERE instr(json_extract(raw, '\$.policeprecinct'), char(13)) > 0 OR instr(json_extract(raw, '\$.srnumber'), char(13)) > 0")" = 0 ]
	[ "$(sql "ATTACH '$BATS_TEST_TMPDIR/ft.db' AS full; SELECT count(*) FROM events s JOIN full.events f USING (id) WHERE substr(s.reported_at, 1, 16) = substr(f.reported_at, 1, 16)")" = 10000 ]
}

@test "ft-ingest corpus: la311: the 2017 portal export loads, 12-hour times included" {
	f="$CORPUS/la311/myla311_2017_subset_9999.csv"
	run -0 --separate-stderr ft-ingest -q --tz America/Los_Angeles \
		--time-format '%m/%d/%Y %I:%M:%S %p' \
		--map '{id: .SRNumber, category: .RequestType, reported_at: .CreatedDate, lat: .Latitude, lon: .Longitude, address: .Address}' "$f"
	[ "$(sql 'SELECT count(*) FROM events')" = 9999 ]
	[ "$(sql 'SELECT count(*) FROM events WHERE lat IS NULL')" = 1753 ]
	# 12/31/2017 11:59:58 PM PST
	[ "$(sql "SELECT reported_at FROM events WHERE id = '1-870704831'")" = 2018-01-01T07:59:58Z ]
}

@test "ft-ingest corpus: sf311: 0.0/0.0 is taken as no location, multi-line records count once" {
	f="$CORPUS/sf311/sf311_2008-2018_bigquery_10000.csv"
	run -0 --separate-stderr ft-ingest \
		--map '{id: .unique_key, category, title: .complaint_type, text: .descriptor, reported_at: .created_date, lat: .latitude, lon: .longitude, address: .incident_address, source, neighborhood}' \
		"$f"
	[ "${#lines[@]}" -eq 10000 ]
	[[ "$stderr" =~ $(summary_re "$f" 10000 10000 0 0)"; 4264 at 0,0 taken as no location" ]]
	[ "$(sql 'SELECT count(*) FROM events WHERE lat IS NULL AND lon IS NULL')" = 4264 ]
	[ "$(sql 'SELECT count(*) FROM events WHERE lat = 0 OR lon = 0')" = 0 ]
	[ "$(printf '%s\n' "$output" | jq -s '[.[] | select(has("lat") or has("lon"))] | length')" -eq 5736 ]
	# 2016-07-13 15:11:07+00:00
	[ "$(sql "SELECT reported_at FROM events WHERE id = '6078653'")" = 2016-07-13T15:11:07Z ]
	grep -n '^[0-9]\{6,\},[0-9]\{4\}-' "$f" | cut -d: -f1 > "$BATS_TEST_TMPDIR/expected"
	sql 'SELECT line FROM events ORDER BY line' | diff "$BATS_TEST_TMPDIR/expected" -
}

# ---- csv-edge ----

EDGE="$CORPUS/csv-edge/csvkit-examples"
BENCH="$CORPUS/csv-edge/csv-parser-fixtures/bench"

@test "ft-ingest corpus: csv-edge: a UTF-8 BOM is not part of the first column's name" {
	run -0 --separate-stderr ft-ingest --map "$ANY" "$EDGE/test_utf8_bom.csv"
	[ "$(printf '%s\n' "$output" | jq -c '[.foo, .bar, .baz]')" = '["1","2","3"]
["4","5","ʤ"]' ]
	[ "$(printf '%s\n' "${lines[0]}" | jq -c 'keys_unsorted[4:]')" = '["foo","bar","baz"]' ]
}

@test "ft-ingest corpus: csv-edge: CR-only line endings" {
	for f in "$EDGE/mac_newlines.csv" "$BENCH/mac-newlines.csv"; do
		FT_DB="$BATS_TEST_TMPDIR/${f##*/}.db"
		export FT_DB
		run -0 --separate-stderr ft-ingest --map "$ANY" "$f"
		[ "$(printf '%s\n' "$output" | jq -c '[.a, .b, .c]')" = '["1","2","3"]
["Once upon\ra time","5","6"]' ]
		[[ "$stderr" =~ $(summary_re "$f" 2 2 0 0) ]]
		[ "$(sql 'SELECT group_concat(line) FROM events')" = 2,3 ]
	done
}

@test "ft-ingest corpus: csv-edge: UTF-16 files are recognised by their BOM" {
	for f in "$EDGE/test_utf16_big.csv" "$EDGE/test_utf16_little.csv" "$BENCH/utf16-big.csv" "$BENCH/utf16.csv"; do
		FT_DB="$BATS_TEST_TMPDIR/${f##*/}.db"
		export FT_DB
		run -0 --separate-stderr ft-ingest --map "$ANY" "$f"
		[ "$(printf '%s\n' "$output" | jq -c '[.a, .b, .c]')" = '["1","2","3"]
["4","5","ʤ"]' ]
		[ "$(printf '%s\n' "${lines[0]}" | jq -c 'keys_unsorted[4:]')" = '["a","b","c"]' ]
	done
}

@test "ft-ingest corpus: csv-edge: Latin-1 converts with --encoding latin1" {
	for f in "$EDGE/test_latin1.csv" "$BENCH/latin.csv"; do
		FT_DB="$BATS_TEST_TMPDIR/${f##*/}.db"
		export FT_DB
		run -0 --separate-stderr ft-ingest --encoding latin1 --map "$ANY" "$f"
		[ "$(printf '%s\n' "$output" | jq -c '[.a, .b, .c]')" = '["1","2","3"]
["4","5","©"]' ]
	done
	printf 'a,b,c\r\n1,Caf\351,na\357ve\r\n' > "$BATS_TEST_TMPDIR/accents.csv"
	export FT_DB="$BATS_TEST_TMPDIR/accents.db"
	run -0 --separate-stderr ft-ingest --encoding latin1 --map "$ANY" "$BATS_TEST_TMPDIR/accents.csv"
	[ "$(printf '%s\n' "$output" | jq -c '[.b, .c]')" = '["Café","naïve"]' ]
	[ "$(sql "SELECT hex(json_extract(extra, '\$.b')) FROM events")" = 436166C3A9 ]
}

@test "ft-ingest corpus: csv-edge: Latin-1 without --encoding is rejected as invalid UTF-8" {
	f="$EDGE/test_latin1.csv"
	run -1 --separate-stderr ft-ingest --map "$ANY" "$f"
	[ "$(printf '%s\n' "$output" | jq -c '[.a, .b, .c]')" = '["1","2","3"]' ]
	[ "${stderr_lines[0]}" = "ft-ingest: $f:3: column \"c\": invalid UTF-8 (try --encoding)" ]
	[[ "$stderr" =~ $(summary_re "$f" 2 1 0 1) ]]
	[ "$(sql 'SELECT count(*) FROM events')" = 1 ]
}

@test "ft-ingest corpus: csv-edge: ragged rows are rejected, the others kept" {
	f="$EDGE/bad.csv"
	run -1 --separate-stderr ft-ingest --rejects "$BATS_TEST_TMPDIR/rej" --map "$ANY" "$f"
	[ "${stderr_lines[0]}" = "ft-ingest: $f:2: row has 4 fields, the header has 3" ]
	[ "${stderr_lines[1]}" = "ft-ingest: $f:3: row has 2 fields, the header has 3" ]
	[[ "$stderr" =~ $(summary_re "$f" 3 1 0 2) ]]
	[ "$(printf '%s\n' "$output" | jq -c '[.column_a, .column_b, .column_c]')" = '["0","mixed types.... uh oh","17"]' ]
	[ "$(sql 'SELECT line FROM events')" = 4 ]
	[ "$(jq -c '[.line, .raw]' "$BATS_TEST_TMPDIR/rej")" = '[2,"1,27,,\"I'"'"'m too long!\""]
[3,",\"I'"'"'m too short!\""]' ]
}

@test "ft-ingest corpus: csv-edge: a NUL byte in the first block makes a binary file, refused (65)" {
	f="$EDGE/null_byte.csv"
	run -65 --separate-stderr ft-ingest --map "$ANY" "$f"
	[ "$output" = "" ]
	[ "$stderr" = "ft-ingest: $f: a binary file, not text" ]
	[ ! -e "$FT_DB" ] || [ "$(sql 'SELECT count(*) FROM events')" = 0 ]
	# Past the first block, a NUL in a field rejects that record only.
	{ head -1 "$f"; awk 'BEGIN { for (i = 0; i < 40000; i++) print i ",b,c" }'; tail -n +2 "$f"; } > "$BATS_TEST_TMPDIR/late.csv"
	run -1 --separate-stderr ft-ingest -q --map "$ANY" "$BATS_TEST_TMPDIR/late.csv"
	[ "$stderr" = "ft-ingest: $BATS_TEST_TMPDIR/late.csv:40002: column \"a\": NUL byte" ]
	[ "$(sql 'SELECT count(*) FROM events')" = 40000 ]
}

@test "ft-ingest corpus: csv-edge: dummy.tsv is read as TSV, by name or --format" {
	run -0 --separate-stderr ft-ingest --map "$ANY" "$EDGE/dummy.tsv"
	[ "$(printf '%s\n' "$output" | jq -c '[.a, .b, .c]')" = '["1","2","3"]' ]
	export FT_DB="$BATS_TEST_TMPDIR/stdin.db"
	run -0 --separate-stderr ft-ingest --format tsv --map "$ANY" < "$EDGE/dummy.tsv"
	[ "$(printf '%s\n' "$output" | jq -c '[.a, .b, .c]')" = '["1","2","3"]' ]
	[ "$(sql "SELECT format FROM ingests")" = tsv ]
}

# ---- Chinese text ----

@test "ft-ingest corpus: chinese_text: waimai_10k loads 11,987 records, text intact" {
	f="$CORPUS/chinese_text/waimai_10k.csv"
	run -0 --separate-stderr ft-ingest \
		--map '{category: (if .label == "1" then "praise" else "complaint" end), text: .review, review, reported_at: "2020-01-01T00:00:00Z", source: "opinion"}' \
		"$f"
	[ "${#lines[@]}" -eq 11987 ]
	[[ "$stderr" =~ $(summary_re "$f" 11987 11987 0 0) ]]
	[ "$(sql "SELECT category || ' ' || count(*) FROM events GROUP BY category ORDER BY category")" = "complaint 7987
praise 4000" ]
	[ "$(sql "SELECT text FROM events WHERE line = 2")" = "很快，好吃，味道足，量大" ]
	[ "$(printf '%s\n' "${lines[0]}" | jq -r .text)" = "很快，好吃，味道足，量大" ]
	# Every review as the file has it (no record spans lines in this file).
	awk 'NR > 1 { s = substr($0, index($0, ",") + 1)
		if (s ~ /^".*"$/) { s = substr(s, 2, length(s) - 2); gsub(/""/, "\"", s) }
		print s }' "$f" > "$BATS_TEST_TMPDIR/expected"
	sql "SELECT json_extract(extra, '\$.review') FROM events ORDER BY line" | diff "$BATS_TEST_TMPDIR/expected" -
}

# ---- dispatch ----

@test "ft-dispatch corpus: nyc311 placed in NYC's community districts agrees with the rows' own Community Board (>= 97%)" {
	run -0 --separate-stderr ft-ingest -q --kind units \
		--map '{id: (.properties.boro_cd | tostring), name: ("CD " + (.properties.boro_cd | tostring)), kind: "grid", boundary: .geometry}' \
		"$CORPUS/nyc_boundaries/nyc_community_districts.geojson"
	run -0 --separate-stderr ft-ingest -q --map @nyc311 \
		"$CORPUS/nyc311/nyc311_2023-02_export_4999.csv"
	echo '[{"name": "the district itself", "unit": "@area"}, {"name": "no point", "unit": "311"}]' > "$BATS_TEST_TMPDIR/rules.json"
	run -0 --separate-stderr ft-dispatch --rules "$BATS_TEST_TMPDIR/rules.json" --pending
	[ "${#lines[@]}" -eq 4999 ]
	[[ "$stderr" == "ft-dispatch: 4999 events: 4999 dispatched, 0 duplicates, 0 unchanged, 0 not new, 0 rejected; 0 near a boundary ("* ]]
	# The board "04 MANHATTAN" is district 104: boro digit x 100 + board.
	counts=$(sql "WITH t AS (SELECT area, json_extract(extra, '\$.community_board') AS b
			 FROM events WHERE lat IS NOT NULL),
		     u AS (SELECT area, (CASE substr(b, instr(b, ' ') + 1)
			 WHEN 'MANHATTAN' THEN 1 WHEN 'BRONX' THEN 2 WHEN 'BROOKLYN' THEN 3
			 WHEN 'QUEENS' THEN 4 WHEN 'STATEN ISLAND' THEN 5 END) * 100
			 + CAST(substr(b, 1, 2) AS INTEGER) AS want
			 FROM t WHERE b IS NOT NULL AND b NOT LIKE '%Unspecified%')
		     SELECT count(*) || ' ' || sum(area = CAST(want AS TEXT)) FROM u")
	read -r n agree <<< "$counts"
	echo "$agree of $n agree"
	[ "$n" -gt 4800 ]
	[ $((agree * 100)) -ge $((n * 97)) ]
	# An event with no point stays without an area; the rule for it says so.
	[ "$(sql "SELECT count(*) FROM events WHERE lat IS NULL AND area IS NOT NULL")" = 0 ]
	[ "$(sql "SELECT DISTINCT rule FROM events WHERE lat IS NULL")" = "no point" ]
	# Every decision is in the history, whose chain holds.
	# 71 units, 4999 events ingested (3 entries), 4999 dispatched.
	[ "$(sql "SELECT count(*) FROM history WHERE action = 'dispatch'")" = 4999 ]
	run -0 --separate-stderr ft-update --verify
	[[ "$output" == '{"entries":5073,"head":"'* ]]
}

@test "ft-ingest corpus: jsontestsuite: a key given twice, the two y_ files RFC 8259 leaves open, is refused by name" {
	cd "$BATS_TEST_TMPDIR" || exit 1
	for f in y_object_duplicated_key y_object_duplicated_key_and_value; do
		cp "$JST/$f.json" .
		run -65 --separate-stderr ft-ingest -q --format json "$f.json"
		[ -z "$output" ]
		[ "$stderr" = "ft-ingest: $f.json:1: invalid JSON: key \"a\" given twice" ]
		printf '[%s]\n' "$(cat "$f.json")" > "$f-array.json"
		run -1 --separate-stderr ft-ingest -q "$f-array.json"
		[ "$stderr" = "ft-ingest: $f-array.json:1: invalid JSON: key \"a\" given twice (line 1, column 10)" ]
	done
	[ ! -e "$FT_DB" ] || [ "$(sql 'select count(*) from events')" = 0 ]
}
