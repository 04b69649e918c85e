#!/usr/bin/env bats
# ft-ingest: options, formats, validation, identity and every error path.
# Real-data tests are in corpus.bats; documentation checks in docs.bats.

bats_require_minimum_version 1.5.0
load helpers/common

setup() {
	common_setup
	F="$FIXTURES/ft-ingest"
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# ---- the command line ----

@test "ft-ingest cli: --help prints the usage on stdout" {
	run -0 --separate-stderr ft-ingest --help
	[[ "${lines[0]}" == "Usage: ft-ingest [OPTION]... [FILE]..." ]]
	[[ "$output" == *"--rejects FILE"* ]]
	[ -z "$stderr" ]
}

@test "ft-ingest cli: --version" {
	run -0 --separate-stderr ft-ingest --version
	[[ "$output" =~ ^ft-ingest\ \(ft\)\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "ft-ingest cli: an unknown option is a usage error (64)" {
	run -64 --separate-stderr ft-ingest --bogus x.csv
	[ -z "$output" ]
	[[ "$stderr" == *"ft-ingest: unknown option '--bogus'"* ]]
	[[ "$stderr" == *"Try 'ft-ingest --help'"* ]]
	run -64 --separate-stderr ft-ingest -Z
	[[ "$stderr" == *"unknown option '-Z'"* ]]
}

@test "ft-ingest cli: an option without its value is a usage error (64)" {
	run -64 --separate-stderr ft-ingest --db
	[[ "$stderr" == *"option '--db' needs a value"* ]]
}

@test "ft-ingest cli: bad values of options are usage errors (64)" {
	run -64 --separate-stderr ft-ingest --kind people x
	[[ "$stderr" == *'--kind: "people" is not events, units, facilities or readings'* ]]
	run -64 --separate-stderr ft-ingest --format xml x
	[[ "$stderr" == *'--format: "xml" is not'* ]]
	run -64 --separate-stderr ft-ingest --delimiter ';;' x
	[[ "$stderr" == *'--delimiter: ";;" is not one character'* ]]
	run -64 --separate-stderr ft-ingest --batch 0 x
	[[ "$stderr" == *'--batch: "0" is not a number from 1 to 1000000'* ]]
	run -64 --separate-stderr ft-ingest --columns '' x
	[[ "$stderr" == *"--columns: no names"* ]]
	run -64 --separate-stderr ft-ingest --tz Mars/Olympus x
	[[ "$stderr" == *'--tz: unknown time zone "Mars/Olympus"'* ]]
	run -64 --separate-stderr ft-ingest --now yesterdayish x
	[[ "$stderr" == *'--now: not a time: "yesterdayish"'* ]]
	[ ! -e "$FT_DB" ]
}

@test "ft-ingest cli: a bad FT_NOW is a usage error, a bad TZ a configuration error" {
	FT_NOW=soon run -64 --separate-stderr ft-ingest "$F/events.csv"
	[[ "$stderr" == *'FT_NOW: not a time: "soon"'* ]]
	TZ=Nowhere/Land run -78 --separate-stderr ft-ingest "$F/events.csv"
	[[ "$stderr" == *'TZ: unknown time zone "Nowhere/Land"'* ]]
}

@test "ft-ingest cli: --list-maps names the shipped mappings" {
	run -0 --separate-stderr ft-ingest --list-maps
	[[ "$output" == *"@nyc311"* ]]
	[[ "$output" == *"@open311"* ]]
}

@test "ft-ingest cli: an unknown shipped mapping is a usage error (64)" {
	run -64 --separate-stderr ft-ingest --map @nope "$F/events.csv"
	[[ "$stderr" == *'--map: no shipped mapping "@nope"'* ]]
}

@test "ft-ingest cli: an inline map that does not compile is a usage error (64)" {
	run -64 --separate-stderr ft-ingest --map '{' "$F/events.csv"
	[[ "$stderr" == *"ft-ingest: --map: jq: error: syntax error"* ]]
	[ -z "$output" ]
}

@test "ft-ingest cli: a mapping file that does not compile is a configuration error (78)" {
	echo '.x | ' > bad.jq
	run -78 --separate-stderr ft-ingest --map @bad.jq "$F/events.csv"
	[[ "$stderr" == *"ft-ingest: @bad.jq: jq: error"* ]]
	run -66 --separate-stderr ft-ingest --map @missing.jq "$F/events.csv"
	[[ "$stderr" == *"missing.jq: cannot open the mapping"* ]]
}

@test "ft-ingest cli: an input that cannot be opened is 66, the others still load" {
	run -66 --separate-stderr ft-ingest -q nothere.csv "$F/events.csv"
	[[ "$stderr" == *"ft-ingest: nothere.csv: cannot open: No such file or directory"* ]]
	[ "$(sql 'select count(*) from events')" = 2 ]
}

@test "ft-ingest cli: a rejects file that cannot be created is 73" {
	run -73 --separate-stderr ft-ingest -r /nonexistent/dir/rej.ndjson "$F/events.csv"
	[[ "$stderr" == *"/nonexistent/dir/rej.ndjson: cannot create"* ]]
}

@test "ft-ingest cli: a database in a directory that does not exist cannot be created: 73" {
	run -73 --separate-stderr ft-ingest --db /nonexistent/dir/ft.db "$F/events.csv"
	[ "$stderr" = "ft-ingest: /nonexistent/dir/ft.db: cannot create the database: No such file or directory" ]
}

@test "ft-ingest cli: standard input when no file or -" {
	run -0 --separate-stderr ft-ingest -f ndjson < <(echo '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}')
	[ "$output" = '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z","status":"new"}' ]
	[[ "$stderr" == *"ft-ingest: stdin: 1 record: 1 new, 0 updated, 0 unchanged, 0 rejected"* ]]
	echo '{"id":"b","category":"x","reported_at":"2026-01-01T00:00:00Z"}' | ft-ingest -q -
	[ "$(sql 'select group_concat(id) from events')" = "a,b" ]
}

# ---- the database ----

@test "ft-ingest db: created with mode 0600, WAL, the current schema" {
	run -1 --separate-stderr ft-ingest -q "$F/events.csv"
	[ "$(stat -c %a "$FT_DB")" = 600 ]
	[ "$(sql 'pragma journal_mode')" = wal ]
	[ "$(sql 'pragma user_version')" = 13 ]
	[ "$(sql 'pragma application_id')" = 1718878209 ]
}

@test "ft-ingest db: --db, then FT_DB, then ./ft.db" {
	unset FT_DB
	ft-ingest -q "$F/events.csv" || [ $? = 1 ]
	[ -f ft.db ]
	FT_DB=other.db ft-ingest -q "$F/events.csv" || [ $? = 1 ]
	[ -f other.db ]
	ft-ingest -q --db third.db "$F/events.csv" || [ $? = 1 ]
	[ -f third.db ]
}

@test "ft-ingest db: an older schema is brought up to date, its data kept" {
	sqlite3 "$FT_DB" < "$F/schema-v1.sql"
	[ "$(sql 'pragma user_version')" = 1 ]
	run -1 --separate-stderr ft-ingest -q "$F/events.csv"
	[ "$(sql 'pragma user_version')" = 13 ]
	[ "$(sql 'select count(*) from events')" = 3 ]
	[ "$(sql "select count(*) from sqlite_schema where name = 'history'")" = 1 ]
}

@test "ft-ingest db: a version-2 database is brought to 3: its history kept, chained, still append-only" {
	sqlite3 "$FT_DB" < "$F/schema-v2.sql"
	[ "$(sql 'pragma user_version')" = 2 ]
	before=$(sql 'select seq, kind, id, at, tool, by, action, detail from history order by seq')
	[ "$(sql 'select count(*) from history')" = 2 ]
	run -1 --separate-stderr ft-ingest -q "$F/events.csv"
	[ "$(sql 'pragma user_version')" = 13 ]
	# The old entries as they were, now with hashes; the chain verifies.
	[ "$(sql 'select seq, kind, id, at, tool, by, action, detail from history where seq <= 2 order by seq')" = "$before" ]
	[ "$(sql 'select count(*) from history where hash is null')" = 0 ]
	run -0 --separate-stderr ft-update --verify
	[[ "$output" == '{"entries":2,"head":"'* ]]
	# The units' boundaries became their first versions.
	[ "$(sql 'select count(*) from boundaries')" = "$(sql 'select count(*) from units where boundary is not null')" ]
	[ "$(sql 'select count(*) from boundaries where valid_from is null and valid_until is null')" = 2 ]
	run -19 sqlite3 "$FT_DB" "update history set by = 'mallory'"
	[[ "$output" == *"history is append-only"* ]]
	run -19 sqlite3 "$FT_DB" "delete from history"
	[[ "$output" == *"history is append-only"* ]]
}

@test "ft-ingest db: a newer schema is refused (78) and left alone" {
	sqlite3 "$FT_DB" 'pragma application_id = 1718878209; pragma user_version = 99; create table t(x)'
	run -78 --separate-stderr ft-ingest "$F/events.csv"
	[[ "$stderr" == *"database schema version 99 is newer than this ft understands (13)"* ]]
	[ "$(sql 'pragma user_version')" = 99 ]
}

@test "ft-ingest db: another program's database is refused (78)" {
	sqlite3 "$FT_DB" 'create table customers(id)'
	run -78 --separate-stderr ft-ingest "$F/events.csv"
	[[ "$stderr" == *"not an ft database"* ]]
}

@test "ft-ingest db: a file that is not a database is 65" {
	head -c 4096 /dev/urandom > "$FT_DB"
	run -65 --separate-stderr ft-ingest "$F/events.csv"
	[[ "$stderr" == *"file is not a database"* ]]
}

@test "ft-ingest db: history refuses UPDATE and DELETE" {
	ft-ingest -q "$F/events.csv" || true
	sed 's/垃圾满溢/垃圾已满/' "$F/events.csv" > changed.csv
	run -1 --separate-stderr ft-ingest -q --upsert changed.csv
	[ "$(sql "select count(*) from history where action = 'upsert'")" = 1 ]
	# The sqlite3 shell exits with the SQLite error code (19, constraint).
	run -19 sqlite3 "$FT_DB" "update history set by = 'mallory'"
	[[ "$output" == *"history is append-only"* ]]
	run -19 sqlite3 "$FT_DB" "delete from history"
	[[ "$output" == *"history is append-only"* ]]
	[ "$(sql 'select distinct by from history')" = tester ]
	# The two new events share an entry; the upsert has its own.
	[ "$(sql 'select action from history order by seq' | tr '\n' ' ')" = 'ingest upsert ' ]
}

@test "ft-ingest history: the new events of a transaction share one entry, which names them" {
	awk 'BEGIN { for (i = 1; i <= 4500; i++)
		printf "{\"id\":\"n%04d\",\"category\":\"noise\",\"reported_at\":\"2026-01-01T00:00:00Z\"}\n", i }' > many.ndjson
	run -0 --separate-stderr ft-ingest -q many.ndjson
	# Batches of 2000: three entries, each with its count, seqs and digest.
	[ "$(sql "select kind || '|' || id || '|' || action || '|' || coalesce(from_status, '-') || '|' || to_status || '|' || json_extract(detail, '$.events') || '|' || json_extract(detail, '$.first_seq') || '|' || json_extract(detail, '$.last_seq') from history order by seq")" = 'event||ingest|-|new|2000|1|2000
event||ingest|-|new|2000|2001|4000
event||ingest|-|new|500|4001|4500' ]
	want=$(sql 'select id from events where seq between 2001 and 4000 order by seq' | sha256sum | cut -c1-64)
	[ "$(sql "select json_extract(detail, '$.ids') from history where seq = 2")" = "$want" ]
	# event_history: a line for each event, from the entry that made it.
	[ "$(sql 'select count(*), count(distinct id) from event_history')" = '4500|4500' ]
	[ "$(sql "select entry || ' ' || action || ' ' || to_status || ' ' || tool from event_history where id = 'n2001'")" = '2 ingest new ft-ingest' ]
	run -0 --separate-stderr ft-update --verify
	[[ "$output" == '{"entries":3,"head":"'* ]]
	# An event loaded in another state has an entry of its own, in order.
	printf '%s\n' '{"id":"s1","category":"noise","reported_at":"2026-01-01T00:00:00Z"}' \
		'{"id":"s2","category":"noise","reported_at":"2026-01-01T00:00:00Z","status":"closed"}' \
		'{"id":"s3","category":"noise","reported_at":"2026-01-01T00:00:00Z"}' > states.ndjson
	run -0 --separate-stderr ft-ingest -q states.ndjson
	[ "$(sql "select id || '|' || to_status || '|' || coalesce(json_extract(detail, '$.first_seq') || '-' || json_extract(detail, '$.last_seq'), '') from history where seq > 3 order by seq")" = '|new|4501-4501
s2|closed|
|new|4503-4503' ]
	[ "$(sql "select group_concat(id || ':' || to_status, ' ') from (select * from event_history where entry > 3 order by entry)")" = 's1:new s2:closed s3:new' ]
	# A dry run and a second load add nothing.
	run -0 --separate-stderr ft-ingest -q many.ndjson states.ndjson
	run -0 --separate-stderr ft-ingest -q -n many.ndjson
	[ "$(sql 'select count(*) from history')" = 6 ]
}

@test "ft-ingest db: each run is recorded in ingests, each event with its run and line" {
	run -1 --separate-stderr ft-ingest -q "$F/events.csv"
	[ "$(sql 'select kind, format, records, inserted, updated, unchanged, rejected, status, started_at from ingests')" = "events|csv|4|2|0|0|2|done|2026-11-25T12:00:00Z" ]
	[ "$(sql "select group_concat(id || ':' || line || ':' || ingest) from events")" = "e1:2:1,e2:3:1" ]
	[ "$(sql 'select file from ingests')" = "$F/events.csv" ]
}

# ---- formats ----

@test "ft-ingest csv: fields, quoting, canonical fields first, the rest kept" {
	run -1 --separate-stderr ft-ingest "$F/events.csv"
	[ "${lines[0]}" = '{"id":"e1","source":"app","category":"streetlight","title":"路灯不亮","severity":2,"reported_at":"2026-03-01T00:00:00Z","status":"new","lat":22.5431,"lon":114.0579,"channel":"wechat"}' ]
	[ "${lines[1]}" = '{"id":"e2","source":"hotline","category":"garbage","title":"垃圾满溢, \"急\"","severity":3,"reported_at":"2026-03-01T09:30:00Z","status":"new","lat":22.5401,"lon":114.0601,"channel":"phone"}' ]
	[ "${#lines[@]}" = 2 ]
	[ "$(sql "select extra from events where id = 'e1'")" = '{"channel":"wechat"}' ]
	[ "$(sql "select json_extract(raw, '$.title') from events where id = 'e2'")" = '垃圾满溢, "急"' ]
}

@test "ft-ingest csv: --columns names the columns of a file without a header" {
	printf 'x1,noise,2026-01-01T00:00:00Z\n' > nohead.csv
	run -0 --separate-stderr ft-ingest --columns id,category,reported_at nohead.csv
	[ "$output" = '{"id":"x1","category":"noise","reported_at":"2026-01-01T00:00:00Z","status":"new"}' ]
}

@test "ft-ingest csv: --delimiter, TSV, a BOM and CRLF" {
	printf '\xef\xbb\xbfid;category;reported_at\r\ns1;noise;2026-01-01T00:00:00Z\r\n' > semi.txt
	run -0 --separate-stderr ft-ingest -f csv -d ';' semi.txt
	[ "$output" = '{"id":"s1","category":"noise","reported_at":"2026-01-01T00:00:00Z","status":"new"}' ]
	printf 'id\tcategory\treported_at\nt1\tnoise\t2026-01-01T00:00:00Z\n' > tabs.tsv
	run -0 --separate-stderr ft-ingest tabs.tsv
	[ "$output" = '{"id":"t1","category":"noise","reported_at":"2026-01-01T00:00:00Z","status":"new"}' ]
}

@test "ft-ingest csv: a quoted field over several lines; lines are physical lines" {
	printf 'id,category,text,reported_at\na,noise,"one\ntwo\nthree",2026-01-01T00:00:00Z\nb,noise,x,bad time\n' > multi.csv
	run -1 --separate-stderr ft-ingest multi.csv
	[ "$output" = '{"id":"a","category":"noise","text":"one\ntwo\nthree","reported_at":"2026-01-01T00:00:00Z","status":"new"}' ]
	[[ "$stderr" == *'multi.csv:5: field "reported_at": not an ISO 8601 time or epoch seconds: "bad time"'* ]]
}

@test "ft-ingest csv: a row with the wrong number of fields is rejected, the rest kept" {
	printf 'id,category,reported_at\na,noise,2026-01-01T00:00:00Z\nb,noise\nc,noise,2026-01-01T00:00:00Z,extra\nd,noise,2026-01-01T00:00:00Z\n' > ragged.csv
	run -1 --separate-stderr ft-ingest -q ragged.csv
	[[ "$stderr" == *"ragged.csv:3: row has 2 fields, the header has 3"* ]]
	[[ "$stderr" == *"ragged.csv:4: row has 4 fields, the header has 3"* ]]
	[ "$(sql 'select group_concat(id) from events')" = "a,d" ]
}

@test "ft-ingest csv: a header naming a column twice makes the file unusable (65)" {
	printf 'id,category,id\n' > dup.csv
	run -65 --separate-stderr ft-ingest dup.csv
	[[ "$stderr" == *'dup.csv: the header names column "id" twice (columns 1 and 3)'* ]]
}

@test "ft-ingest csv: invalid UTF-8 is rejected with a pointer to --encoding" {
	printf 'id,category,reported_at,title\na,noise,2026-01-01T00:00:00Z,caf\xe9\n' > latin1.csv
	run -1 --separate-stderr ft-ingest latin1.csv
	[[ "$stderr" == *'latin1.csv:2: column "title": invalid UTF-8 (try --encoding)'* ]]
	run -0 --separate-stderr ft-ingest --encoding latin1 latin1.csv
	[[ "$output" == *'"title":"café"'* ]]
}

@test "ft-ingest csv: --encoding GB18030 converts Chinese exports" {
	printf 'id,category,reported_at,title\ng1,noise,2026-01-01T00:00:00Z,噪音扰民\n' | iconv -f UTF-8 -t GB18030 > gb.csv
	run -0 --separate-stderr ft-ingest --encoding GB18030 gb.csv
	[[ "$output" == *'"title":"噪音扰民"'* ]]
	run -0 --separate-stderr ft-ingest --db gbk.db -e GBK gb.csv
	[[ "$output" == *'"title":"噪音扰民"'* ]]
}

@test "ft-ingest csv: an unknown encoding is a usage error (64)" {
	run -64 --separate-stderr ft-ingest --encoding KLINGON "$F/events.csv"
	[[ "$stderr" == *'unknown encoding "KLINGON"'* ]]
}

@test "ft-ingest ndjson: blank lines skipped, bad lines rejected with line and column" {
	printf '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n\n{"id":"b","category":"x","reported_at":NaN}\n{"id":"c","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' > a.ndjson
	run -1 --separate-stderr ft-ingest a.ndjson
	[[ "$stderr" == *"a.ndjson:3: invalid JSON: not a JSON value (column 40)"* ]]
	[ "${#lines[@]}" = 2 ]
}

@test "ft-ingest ndjson: stricter than jq: +1, -01, 2., raw control characters" {
	printf '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z","n":+1}\n{"id":"b","category":"x","reported_at":"2026-01-01T00:00:00Z","n":-01}\n{"id":"c","category":"x","reported_at":"2026-01-01T00:00:00Z","n":2.}\n{"id":"d","category":"x\x01","reported_at":"2026-01-01T00:00:00Z"}\n' > strict.ndjson
	run -1 --separate-stderr ft-ingest strict.ndjson
	[ -z "$output" ]
	[[ "$stderr" == *"strict.ndjson:1: invalid JSON: not a JSON value"* ]]
	[[ "$stderr" == *"strict.ndjson:2: invalid JSON: number with a leading zero"* ]]
	[[ "$stderr" == *"strict.ndjson:3: invalid JSON: invalid number: no digit after '.'"* ]]
	[[ "$stderr" == *"strict.ndjson:4: invalid JSON: control character in string"* ]]
}

@test "ft-ingest ndjson: a control character, a stray or bad UTF-8 byte, a quote or a backslash at every place in a long string is seen where it is" {
	local i pad want='' got_ok=''
	: > s.ndjson
	for i in $(seq 0 17); do
		pad=$(printf '%*s' "$i" '' | tr ' ' a)
		printf '{"id":"c%s\001bbbbbbbbbbbbbbbbbb","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' "$pad" >> s.ndjson
		printf '{"id":"u%s\200bbbbbbbbbbbbbbbbbb","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' "$pad" >> s.ndjson
		printf '{"id":"f%s\377bbbbbbbbbbbbbbbbbb","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' "$pad" >> s.ndjson
		printf '{"id":"q%s\\"\\\\\302\251\037bbbbbbbbbbbbbbbb","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' "$pad" >> s.ndjson
		printf '{"id":"o%s\\"\\\\\302\251bbbbbbbbbbbbbbbbb","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' "$pad" >> s.ndjson
		want+="s.ndjson:$((5 * i + 1)): invalid JSON: control character in string (column $((9 + i)))
s.ndjson:$((5 * i + 2)): invalid JSON: invalid UTF-8 in string (column $((9 + i)))
s.ndjson:$((5 * i + 3)): invalid JSON: invalid UTF-8 in string (column $((9 + i)))
s.ndjson:$((5 * i + 4)): invalid JSON: control character in string (column $((14 + i)))
"
		got_ok+="o$pad\"\\©bbbbbbbbbbbbbbbbb "
	done
	run -1 --separate-stderr ft-ingest s.ndjson
	[ "$(sed -n 's/^ft-ingest: //p' <<< "$stderr" | grep -v records)" = "${want%$'\n'}" ]
	[ "$(jq -r .id <<< "$output" | tr '\n' ' ')" = "$got_ok" ]
}

@test "ft-ingest json: an array of records, a value that is not an object rejected" {
	printf '[\n {"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"},\n 7,\n {"id":"b","category":"x",\n  "reported_at":"2026-01-01T00:00:00Z"}\n]\n' > arr.json
	run -1 --separate-stderr ft-ingest arr.json
	[ "${#lines[@]}" = 2 ]
	[[ "$stderr" == *"arr.json:3: not a record: a number, not an object"* ]]
	[ "$(sql "select line from events where id = 'b'")" = 4 ]
}

@test "ft-ingest json: a broken array is unusable from there on (65), the records before kept" {
	printf '[{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"},\n{"id":"b"' > broken.json
	run -65 --separate-stderr ft-ingest -q broken.json
	[[ "$stderr" == *"broken.json:2: invalid JSON: unterminated array"* ]]
	[ "$(sql 'select count(*) from events')" = 1 ]
	[ "$(sql 'select status from ingests')" = failed ]
}

@test "ft-ingest json: one object is one record; --map can unwrap it" {
	printf '{"total":2,"results":[{"k":"a","t":"2026-01-01T00:00:00Z"},{"k":"b","t":"2026-01-02T00:00:00Z"}]}' > wrapped.json
	run -0 --separate-stderr ft-ingest --map '.results[] | {id: .k, category: "x", reported_at: .t}' wrapped.json
	[ "${#lines[@]}" = 2 ]
	[[ "$stderr" == *"1 record: 2 new"* ]]
}

@test "ft-ingest json: empty and white-space input is zero records" {
	: > empty.json
	run -0 --separate-stderr ft-ingest empty.json
	[ -z "$output" ]
	[[ "$stderr" == *"empty.json: 0 records"* ]]
	printf ' \n\t\n' > ws.ndjson
	run -0 --separate-stderr ft-ingest ws.ndjson
	[[ "$stderr" == *"ws.ndjson: 0 records"* ]]
}

# ---- validation ----

@test "ft-ingest validate: every reason names the line and the field" {
	cat > bad.ndjson <<'JSON'
{"id":"ok","category":"x","reported_at":"2026-01-01T00:00:00Z"}
{"id":"a","reported_at":"2026-01-01T00:00:00Z"}
{"id":"b","category":"x"}
{"id":"c","category":"x","reported_at":"2026-13-01T00:00:00Z"}
{"id":"d","category":"x","reported_at":"2026-01-01T00:00:00Z","lat":"abc","lon":1}
{"id":"e","category":"x","reported_at":"2026-01-01T00:00:00Z","lat":91,"lon":1}
{"id":"f","category":"x","reported_at":"2026-01-01T00:00:00Z","lat":1,"lon":181}
{"id":"g","category":"x","reported_at":"2026-01-01T00:00:00Z","lat":1}
{"id":"h","category":"x","reported_at":"2026-01-01T00:00:00Z","severity":5}
{"id":"i","category":"x","reported_at":"2026-01-01T00:00:00Z","status":"done"}
{"id":1.5,"category":"x","reported_at":"2026-01-01T00:00:00Z"}
{"id":"j","category":{"a":1},"reported_at":"2026-01-01T00:00:00Z"}
{"id":"k","category":"x","reported_at":99999999999999}
JSON
	run -1 --separate-stderr ft-ingest bad.ndjson
	[[ "$stderr" == *'bad.ndjson:2: field "category": missing'* ]]
	[[ "$stderr" == *'bad.ndjson:3: field "reported_at": missing'* ]]
	[[ "$stderr" == *'bad.ndjson:4: field "reported_at": no such date: "2026-13-01T00:00:00Z"'* ]]
	[[ "$stderr" == *'bad.ndjson:5: field "lat": not a number: "abc"'* ]]
	[[ "$stderr" == *'bad.ndjson:6: field "lat": latitude out of range [-90, 90]: "91"'* ]]
	[[ "$stderr" == *'bad.ndjson:7: field "lon": longitude out of range [-180, 180]: "181"'* ]]
	[[ "$stderr" == *'bad.ndjson:8: field "lon": missing while "lat" is given'* ]]
	[[ "$stderr" == *'bad.ndjson:9: field "severity": not an integer from 1 to 4: "5"'* ]]
	[[ "$stderr" == *'bad.ndjson:10: field "status": not a state'* ]]
	[[ "$stderr" == *'bad.ndjson:11: field "id": not a string or integer: "1.5"'* ]]
	[[ "$stderr" == *'bad.ndjson:12: field "category": an object, not a string or number'* ]]
	[[ "$stderr" == *'bad.ndjson:13: field "reported_at": epoch seconds out of range (milliseconds?)'* ]]
	[[ "$stderr" == *"13 records: 1 new, 0 updated, 0 unchanged, 12 rejected"* ]]
	[ "$(sql 'select group_concat(id) from events')" = ok ]
}

@test "ft-ingest validate: --rejects keeps each rejected record whole, private" {
	run -1 --separate-stderr ft-ingest -q -r rej.ndjson "$F/events.csv"
	[ "$(stat -c %a rej.ndjson)" = 600 ]
	[ "$(wc -l < rej.ndjson)" = 2 ]
	[ "$(jq -c '[.file, .line, .reason]' rej.ndjson | head -1)" = "[\"$F/events.csv\",4,\"field \\\"lat\\\": not a number: \\\"abc\\\"\"]" ]
	[ "$(jq -r '.raw' rej.ndjson | head -1)" = 'e3,qr,noise,噪音扰民,abc,114.05,1,2026-03-01T10:00:00Z,qr' ]
	[ "$(jq -r '.record.title' rej.ndjson | tail -1)" = '缺类别' ]
}

@test "ft-ingest validate: at most 100 messages a file, then a pointer to --rejects" {
	awk 'BEGIN { for (i = 1; i <= 150; i++) print "{\"id\":\"x\"}" }' > many.ndjson
	run -1 --separate-stderr ft-ingest many.ndjson
	[ "$(grep -c 'field "category": missing' <<< "$stderr")" = 100 ]
	[[ "$stderr" == *"many.ndjson: more records rejected; --rejects FILE keeps them all"* ]]
	[[ "$stderr" == *"150 records: 0 new, 0 updated, 0 unchanged, 150 rejected"* ]]
}

@test "ft-ingest validate: 0,0 is taken as no location, and said so" {
	echo '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z","lat":0,"lon":"0.0"}' > nul.ndjson
	run -0 --separate-stderr ft-ingest nul.ndjson
	[ "$output" = '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z","status":"new"}' ]
	[[ "$stderr" == *"1 at 0,0 taken as no location"* ]]
	[ "$(sql 'select lat is null from events')" = 1 ]
}

@test "ft-ingest validate: --source fills the source of events that name none" {
	printf '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n{"id":"b","source":"app","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' > s.ndjson
	ft-ingest -q --source hotline s.ndjson
	[ "$(sql 'select group_concat(source) from events')" = "hotline,app" ]
}

# ---- times ----

@test "ft-ingest time: offsets, local times in --tz, epoch seconds, compact dates" {
	cat > t.ndjson <<'JSON'
{"id":"z","category":"x","reported_at":"2026-03-01T08:00:00Z"}
{"id":"p8","category":"x","reported_at":"2026-03-01T08:00:00+08:00"}
{"id":"p8b","category":"x","reported_at":"2026-03-01 08:00:00+0800"}
{"id":"frac","category":"x","reported_at":"2026-03-01T08:00:00.999-05:00"}
{"id":"local","category":"x","reported_at":"2026-03-01 08:00:00"}
{"id":"date","category":"x","reported_at":"2026-03-01"}
{"id":"epoch","category":"x","reported_at":1772352000}
{"id":"epochs","category":"x","reported_at":"1772352000"}
{"id":"basic","category":"x","reported_at":"20260301"}
JSON
	ft-ingest -q --tz Asia/Shanghai t.ndjson
	[ "$(sql "select group_concat(id || '=' || reported_at, ' ') from events")" = "z=2026-03-01T08:00:00Z p8=2026-03-01T00:00:00Z p8b=2026-03-01T00:00:00Z frac=2026-03-01T13:00:00Z local=2026-03-01T00:00:00Z date=2026-02-28T16:00:00Z epoch=2026-03-01T08:00:00Z epochs=2026-03-01T08:00:00Z basic=2026-02-28T16:00:00Z" ]
}

@test "ft-ingest time: TZ applies when --tz is not given; --tz wins over TZ" {
	echo '{"id":"a","category":"x","reported_at":"2026-07-01 12:00:00"}' > l.ndjson
	TZ=America/New_York ft-ingest -q l.ndjson
	[ "$(sql 'select reported_at from events')" = "2026-07-01T16:00:00Z" ]
	TZ=America/New_York ft-ingest -q --db b.db --tz Europe/Paris l.ndjson
	[ "$(sqlite3 b.db 'select reported_at from events')" = "2026-07-01T10:00:00Z" ]
}

@test "ft-ingest time: across DST in a local zone (gap and overlap)" {
	cat > dst.ndjson <<'JSON'
{"id":"before","category":"x","reported_at":"2023-03-12 01:59:59"}
{"id":"gap","category":"x","reported_at":"2023-03-12 02:30:00"}
{"id":"after","category":"x","reported_at":"2023-03-12 03:00:00"}
{"id":"overlap","category":"x","reported_at":"2023-11-05 01:30:00"}
{"id":"later","category":"x","reported_at":"2023-11-05 02:30:00"}
JSON
	ft-ingest -q --tz America/New_York dst.ndjson
	[ "$(sql "select group_concat(id || '=' || reported_at, ' ') from events")" = "before=2023-03-12T06:59:59Z gap=2023-03-12T07:30:00Z after=2023-03-12T07:00:00Z overlap=2023-11-05T05:30:00Z later=2023-11-05T07:30:00Z" ]
}

@test "ft-ingest time: --time-format reads other forms" {
	printf 'id,category,reported_at\na,x,01/03/2026 08:00\nb,x,2026-03-01T08:00:00Z\nc,x,1.3.2026\n' > f.csv
	run -1 --separate-stderr ft-ingest -q --tz UTC --time-format '%d/%m/%Y %H:%M' f.csv
	[ "$(sql "select group_concat(id || '=' || reported_at, ' ') from events")" = "a=2026-03-01T08:00:00Z b=2026-03-01T08:00:00Z" ]
	[[ "$stderr" == *'f.csv:4: field "reported_at": not a time in ISO 8601 or the --time-format given: "1.3.2026"'* ]]
}

# ---- identity ----

@test "ft-ingest identity: the same file twice changes nothing and says so" {
	run -1 --separate-stderr ft-ingest "$F/events.csv"
	run -1 --separate-stderr ft-ingest "$F/events.csv"
	[ -z "$output" ]
	[[ "$stderr" == *"4 records: 0 new, 0 updated, 2 unchanged, 2 rejected"* ]]
	[ "$(sql 'select count(*) from events')" = 2 ]
	printf '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' > one.ndjson
	ft-ingest -q one.ndjson
	run -0 --separate-stderr ft-ingest one.ndjson
	[[ "$stderr" == *"1 record: 0 new, 0 updated, 1 unchanged, 0 rejected"* ]]
}

@test "ft-ingest identity: without an id, a digest of the content" {
	printf '{"category":"x","reported_at":"2026-01-01T00:00:00Z","title":"a"}\n{"category":"x","reported_at":"2026-01-01T00:00:00Z","title":"b"}\n{"title":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' > noid.ndjson
	run -0 --separate-stderr ft-ingest noid.ndjson
	[[ "$stderr" == *"3 records: 2 new, 0 updated, 1 unchanged"* ]]
	[[ "${lines[0]}" =~ ^\{\"id\":\"h-[0-9a-f]{24}\" ]]
	[ "$(sql 'select count(distinct id) from events')" = 2 ]
}

@test "ft-ingest identity: other content under a stored id is rejected without --upsert" {
	ft-ingest -q "$F/events.csv" || true
	sed 's/垃圾满溢/垃圾已满/' "$F/events.csv" > changed.csv
	run -1 --separate-stderr ft-ingest -r rej.ndjson changed.csv
	[[ "$stderr" == *'changed.csv:3: id "e2": stored already with other content (--upsert replaces it)'* ]]
	# The id is a member of its own; the reason one text for every record.
	[ "$(jq -c 'select(.id) | [.id, .reason]' rej.ndjson)" = '["e2","stored already with other content (--upsert replaces it)"]' ]
	[ "$(sql "select title from events where id = 'e2'")" = '垃圾满溢, "急"' ]
}

@test "ft-ingest identity: --upsert replaces it and logs what changed" {
	ft-ingest -q "$F/events.csv" || true
	sed 's/垃圾满溢/垃圾已满/' "$F/events.csv" > changed.csv
	run -1 --separate-stderr ft-ingest --upsert changed.csv
	[ "$output" = '{"id":"e2","source":"hotline","category":"garbage","title":"垃圾已满, \"急\"","severity":3,"reported_at":"2026-03-01T09:30:00Z","status":"new","lat":22.5401,"lon":114.0601,"channel":"phone"}' ]
	[[ "$stderr" == *"0 new, 1 updated, 1 unchanged, 2 rejected"* ]]
	[ "$(sql "select title from events where id = 'e2'")" = '垃圾已满, "急"' ]
	[ "$(sql "select kind, id, tool, by, action, at, detail from history where action = 'upsert'")" = 'event|e2|ft-ingest|tester|upsert|2026-11-25T12:00:00Z|{"title":{"from":"垃圾满溢, \"急\"","to":"垃圾已满, \"急\""}}' ]
}

@test "ft-ingest identity: the same id twice in one file" {
	printf '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n{"id":"a","category":"y","reported_at":"2026-01-01T00:00:00Z"}\n' > twice.ndjson
	run -1 --separate-stderr ft-ingest twice.ndjson
	[[ "$stderr" == *"3 records: 1 new, 0 updated, 1 unchanged, 1 rejected"* ]]
}

# ---- options that change the run ----

@test "ft-ingest run: --dry-run prints, writes nothing, creates no database" {
	run -1 --separate-stderr ft-ingest --dry-run "$F/events.csv"
	[ "${#lines[@]}" = 2 ]
	[[ "$stderr" == *"dry run, nothing written"* ]]
	[ ! -e "$FT_DB" ]
	ft-ingest -q "$F/events.csv" || true
	sed 's/e1/e9/' "$F/events.csv" > more.csv
	run -1 --separate-stderr ft-ingest -n more.csv
	[[ "$stderr" == *"1 new, 0 updated, 1 unchanged, 2 rejected"* ]]
	[ "$(sql 'select count(*) from events')" = 2 ]
	[ "$(sql 'select count(*) from ingests')" = 1 ]
}

@test "ft-ingest run: --dry-run takes no write lock; counts repeats within the run" {
	ft-ingest -q "$F/events.csv" || true
	# Another writer holds the lock: a dry run is not held up.
	( printf 'begin immediate;\ndelete from events;\n'; sleep 3; printf 'rollback;\n' ) | sqlite3 "$FT_DB" &
	sleep 0.5
	printf '{"id":"n1","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n{"id":"n1","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n{"id":"n1","category":"y","reported_at":"2026-01-01T00:00:00Z"}\n{"id":"e1","category":"other","reported_at":"2026-01-01T00:00:00Z"}\n' > d.ndjson
	FT_BUSY_TIMEOUT=200 run -1 --separate-stderr ft-ingest -n d.ndjson
	[[ "$stderr" == *"4 records: 1 new, 0 updated, 1 unchanged, 2 rejected"* ]]
	[[ "$stderr" == *'d.ndjson:4: id "e1": stored already with other content'* ]]
	wait
	[ "$(sql 'select count(*) from events')" = 2 ]
}

@test "ft-ingest run: -q prints the records and no summary" {
	run -1 --separate-stderr ft-ingest -q "$F/events.csv"
	[ "$(printf '%s\n' "$output" | jq -r .id | tr '\n' ' ')" = "e1 e2 " ]
	[ "$stderr" = "ft-ingest: $F/events.csv:4: field \"lat\": not a number: \"abc\"
ft-ingest: $F/events.csv:5: field \"category\": missing" ]
}

@test "ft-ingest run: --batch commits in transactions of N" {
	awk 'BEGIN { for (i = 1; i <= 25; i++) printf "{\"id\":\"%d\",\"category\":\"x\",\"reported_at\":\"2026-01-01T00:00:00Z\"}\n", i }' > b.ndjson
	run -0 --separate-stderr ft-ingest --batch 7 b.ndjson
	[ "${#lines[@]}" = 25 ]
	[ "$(sql 'select count(*), max(line) from events')" = "25|25" ]
}

@test "ft-ingest run: stdout to /dev/full is 74 with one message, the records still stored" {
	printf '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' > one.ndjson
	run -74 --separate-stderr bash -c 'ft-ingest one.ndjson > /dev/full'
	[ "$(grep -c 'standard output: write error: No space left on device' <<< "$stderr")" = 1 ]
	[ "$(sql 'select count(*) from events')" = 1 ]
}

@test "ft-ingest run: a reader that goes away ends nothing: quiet, all loaded" {
	awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "{\"id\":\"%d\",\"category\":\"x\",\"reported_at\":\"2026-01-01T00:00:00Z\"}\n", i }' > big.ndjson
	run -0 --separate-stderr bash -c 'set -o pipefail; ft-ingest -q big.ndjson >/dev/null; ft-ingest --db p.db big.ndjson 2>err.txt | head -1; echo "status=${PIPESTATUS[0]}"'
	[ "${lines[0]}" = '{"id":"1","category":"x","reported_at":"2026-01-01T00:00:00Z","status":"new"}' ]
	[ "${lines[1]}" = "status=0" ]
	[[ "$(cat err.txt)" != *"error"* ]]
	[ "$(sqlite3 p.db 'select count(*) from events')" = 20000 ]
}

# ---- units and facilities ----

@test "ft-ingest units: kinds, boundaries, reasons, the parent warning" {
	run -1 --separate-stderr ft-ingest -k units "$F/units.ndjson"
	[ "$(sql 'select group_concat(id) from (select id from units order by rowid)')" = "d1,s1,g1,g2,c9" ]
	[[ "$stderr" == *'units.ndjson:5: field "boundary": ring 1 is not closed'* ]]
	[[ "$stderr" == *'units.ndjson:6: field "boundary": coordinates out of range [12697000, 2575000]: not WGS 84 longitude/latitude'* ]]
	[[ "$stderr" == *'units.ndjson:7: field "boundary": a Point is not an area (Polygon or MultiPolygon)'* ]]
	[[ "$stderr" == *'units.ndjson:8: field "kind": not a unit kind'* ]]
	[[ "$stderr" == *'warning: 1 unit names a parent that is not loaded (the first: "c9" names "s404")'* ]]
	[ "$(sql "select min_lon, min_lat, max_lon, max_lat from units where id = 'g2'")" = "114.06|22.54|114.09|22.55" ]
	[ "$(sql "select name from units where id = 'g1'")" = "网格一" ]
}

@test "ft-ingest units: a boundary as GeoJSON text in a CSV column; a unit's name defaults to its id" {
	printf 'id,kind,boundary\ng7,grid,"{""type"":""Polygon"",""coordinates"":[[[1,1],[2,1],[2,2],[1,1]]]}"\n' > u.csv
	run -0 --separate-stderr ft-ingest -k units u.csv
	[ "$output" = '{"id":"g7","name":"g7","kind":"grid","boundary":{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,1]]]}}' ]
}

@test "ft-ingest units: a GeoJSON FeatureCollection without a map" {
	cat > fc.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","id":"g1","properties":{"name":"一","kind":"grid"},"geometry":{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,1]]]}},
{"type":"Feature","properties":{"id":"g2","name":"二","kind":"grid"},"geometry":{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,1]]]}}
]}
JSON
	run -0 --separate-stderr ft-ingest -k units fc.geojson
	[ "$(sql 'select group_concat(id || ":" || line) from units')" = "g1:2,g2:3" ]
	[ "$(sql "select boundary from units where id = 'g2'")" = '{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,1]]]}' ]
}

@test "ft-ingest units: a crs that is not WGS 84 makes the file unusable (65)" {
	echo '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[]}' > m.geojson
	run -65 --separate-stderr ft-ingest -k units m.geojson
	[[ "$stderr" == *'m.geojson: crs "urn:ogc:def:crs:EPSG::3857" is not WGS 84 longitude/latitude'* ]]
}

@test "ft-ingest facilities: required kind, a Point geometry gives lat and lon" {
	cat > fac.ndjson <<'JSON'
{"id":"QR-1","kind":"streetlight","name":"路灯1","lat":22.54,"lon":114.05,"area":"g1","owner":"城管"}
{"type":"Feature","properties":{"id":"QR-2","kind":"bin"},"geometry":{"type":"Point","coordinates":[114.06,22.55]}}
{"id":"QR-3","name":"无类"}
JSON
	run -1 --separate-stderr ft-ingest -k facilities fac.ndjson
	[ "${lines[1]}" = '{"id":"QR-2","kind":"bin","lat":22.55,"lon":114.06}' ]
	[[ "$stderr" == *'fac.ndjson:3: field "kind": missing'* ]]
	[ "$(sql 'select group_concat(id || "@" || lat || "," || lon) from facilities')" = "QR-1@22.54,114.05,QR-2@22.55,114.06" ]
}

# ---- maps ----

@test "ft-ingest map: a filter may give none or several records; its errors reject" {
	printf '{"a":1}\n{"a":2}\n{"a":"x"}\n' > m.ndjson
	run -1 --separate-stderr ft-ingest --map 'select(.a != 1) | {id: (.a|tostring), category: "x", reported_at: "2026-01-01T00:00:00Z", n: (.a + 1)}' m.ndjson
	[ "$output" = '{"id":"2","category":"x","reported_at":"2026-01-01T00:00:00Z","status":"new","n":3}' ]
	[[ "$stderr" == *"m.ndjson:3: map: string (\"x\") and number (1) cannot be added"* ]]
	[[ "$stderr" == *"3 records: 1 new, 0 updated, 0 unchanged, 1 rejected, 1 left out by the map"* ]]
}

@test "ft-ingest map: the filter sees every value as jq reads it: escapes, numbers, nesting" {
	cat > tricky.ndjson <<- 'EOF'
	{"id":"j1","category":"x","reported_at":"2026-01-01T00:00:00Z","v":{"s":"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\ud83d\ude00\u0000","n":[0,-0,1.5,-2e-3,1E+2,12345678901234567890,1e400,5e-324],"t":true,"f":false,"z":null,"e":{},"a":[],"d":2,"deep":[[[[{"k":[1,{"m":"中文"}]}]]]]}}
	{ "id" : "j2" , "category":"x","reported_at":"2026-01-01T00:00:00Z", "v" : [ 1 , "two" , { "three" : 3 } ] }
	EOF
	run -0 --separate-stderr ft-ingest -m '{id, category, reported_at, v, kinds: (.v | [.. | type] | unique)}' tricky.ndjson
	[ "${#lines[@]}" = 2 ]
	[ "$(printf '%s\n' "${lines[@]}" | jq -c .v)" = "$(jq -c .v tricky.ndjson)" ]
	[ "$(printf '%s\n' "${lines[0]}" | jq -c .kinds)" = '["array","boolean","null","number","object","string"]' ]
	# The string byte for byte, its NUL included.
	[ "$(printf '%s\n' "${lines[0]}" | jq -j .v.s | od -An -tx1)" = "$(head -1 tricky.ndjson | jq -j .v.s | od -An -tx1)" ]
	[[ "$(printf '%s\n' "${lines[0]}" | jq -j .v.s | od -An -tx1 | tr -d ' \n')" == *f09f988000 ]]
}

@test "ft-ingest map: a map that only picks members (run without jq) gives what jq gives, byte for byte, for every value and every input" {
	cat > pick.ndjson <<- 'EOF'
	{"id":"p1","category":"x","reported_at":"2026-01-01T00:00:00Z","v":{"s":"a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\ud83d\ude00\u0000","n":[0,-0,1.5,-2e-3,1E+2,12345678901234567890,1e400,5e-324],"d":{"k":1,"l":2}},"s":"\u00e9\/\u007f\u001f","n":1.50,"m":-0,"b":true,"f":false,"z":null}
	{"id":"p2","category":"x","reported_at":"2026-01-01T00:00:00Z","n":1e2,"s":"last","\u0076":"escaped key","big":1234567890123456789012345678901234567890123456789012345678901234567890}
	{"id":"p3","category":"x","reported_at":"2026-01-01T00:00:00Z"}
	{ "id" : "p4" , "category" : "x" , "reported_at" : "2026-01-01T00:00:00Z" , "v" : [ 1 , "two" , { "three" : 3 } ] }
	[1]
	null
	"a string"
	{"id":"p5","category":"x","reported_at":"2026-01-01T00:00:00Z","n":"not a number","big":1e-400}
	{"id":"p6","category":"x","reported_at":"2026-01-01T00:00:00Z","b":{"deep":[[[[{"k":[1,{"m":"中文"}]}]]]]}}
	EOF
	local m='{id, category, reported_at, v, w: .v, "x y": .s, n , m:.m, b, f, z, big, missing, str: .s}'
	# The same map through jq: "| ." is not a pick.
	run --separate-stderr ft-ingest --db a.db -m "$m" pick.ndjson
	# The summary's seconds aside.
	local out=$output err=${stderr% (*} st=$status
	[ "$st" = 1 ]
	[ "${#lines[@]}" = 6 ]
	[[ "$err" == *'pick.ndjson:5: map: Cannot index array with string "id"'* ]]
	[[ "$err" == *'pick.ndjson:6: field "category": missing'* ]]
	[[ "$err" == *'pick.ndjson:7: map: Cannot index string with string "id"'* ]]
	run --separate-stderr ft-ingest --db b.db -m "$m | ." pick.ndjson
	[ "$status" = "$st" ]
	[ "$output" = "$out" ]
	[ "${stderr% (*}" = "$err" ]
	[ "$(sqlite3 a.db 'SELECT seq, id, extra, raw FROM events')" = "$(sqlite3 b.db 'SELECT seq, id, extra, raw FROM events')" ]
	# A CSV file's rows, and the shipped example of a rename.
	printf 'id,category,reported_at,title\nc1,x,2026-01-01T00:00:00Z,"a ""quoted"" 中文 title"\nc2,x,2026-01-01T00:00:00Z,\n' > pick.csv
	run -0 --separate-stderr ft-ingest --db c.db -m '{id, category, reported_at, subject: .title}' pick.csv
	out=$output
	[ "${lines[0]}" = '{"id":"c1","category":"x","reported_at":"2026-01-01T00:00:00Z","status":"new","subject":"a \"quoted\" 中文 title"}' ]
	run -0 --separate-stderr ft-ingest --db d.db -m '{id, category, reported_at, subject: .title} | .' pick.csv
	[ "$output" = "$out" ]
}

@test "ft-ingest map: @open311 reads GeoReport v2 requests" {
	cat > o.json <<'JSON'
[{"service_request_id":"638344","status":"closed","service_code":"006","service_name":"Streetlight out","description":"light out","agency_responsible":"DPW","requested_datetime":"2010-04-14T06:37:38-08:00","address":"8TH AVE and JUDAH ST","lat":37.762221815,"long":-122.4651145}]
JSON
	run -0 --separate-stderr ft-ingest --map @open311 o.json
	[ "$output" = '{"id":"638344","source":"app","category":"006","title":"Streetlight out","text":"light out","address":"8TH AVE and JUDAH ST","reported_at":"2010-04-14T14:37:38Z","status":"new","lat":37.762221815,"lon":-122.4651145,"open311_status":"closed","agency_responsible":"DPW"}' ]
}

@test "ft-ingest map: a mapping's zone applies unless --tz is given" {
	printf 'Unique Key,Created Date,Complaint Type\n1,07/01/2026 12:00:00 PM,Noise - Residential\n' > n.csv
	ft-ingest -q --map @nyc311 n.csv
	[ "$(sql 'select reported_at, category from events')" = "2026-07-01T16:00:00Z|noise" ]
	ft-ingest -q --db b.db --tz UTC --map @nyc311 n.csv
	[ "$(sqlite3 b.db 'select reported_at from events')" = "2026-07-01T12:00:00Z" ]
}

# ---- crash safety and concurrency ----

@test "ft-ingest safety: killed with SIGKILL halfway, then run again: exactly once" {
	awk 'BEGIN { for (i = 1; i <= 200000; i++) printf "{\"id\":\"%d\",\"category\":\"x\",\"reported_at\":\"2026-01-01T00:00:00Z\"}\n", i }' > big.ndjson
	ft-ingest -q --batch 1000 big.ndjson &
	kill_when_past 'select count(*) from events' 20000 100 0.05 $!
	n=$(sql 'select count(*) from events')
	[ "$n" -gt 0 ] && [ "$n" -lt 200000 ]
	run -0 --separate-stderr ft-ingest big.ndjson -q
	[ "$(sql 'select count(*), count(distinct id) from events')" = "200000|200000" ]
	[ "$(sql 'pragma integrity_check')" = ok ]
}

@test "ft-ingest safety: ingests that create the same new database at once all get in" {
	# Setting WAL mode on a new file took a lock SQLite did not wait for:
	# one of the tools failed at once with "busy" (a race: measured about
	# 3 times in 100 pairs; this test, four at a time 100 times, failed in
	# 2 of 4 runs before the fix).
	for t in a b c d; do
		echo "{\"id\":\"$t\",\"category\":\"x\",\"reported_at\":\"2026-01-01T00:00:00Z\"}" > $t.ndjson
	done
	for k in $(seq 100); do
		rm -f new.db new.db-wal new.db-shm
		pids=
		for t in a b c d; do
			"$FT_BIN/ft-ingest" -q --db new.db $t.ndjson 2>$t.err &
			pids="$pids $!"
		done
		bad=0
		for p in $pids; do
			wait "$p" || bad=$?
		done
		[ "$bad" = 0 ] || { echo "round $k: exit $bad"; cat ./*.err; false; }
		[ "$(sqlite3 new.db 'select count(*) from events')" = 4 ]
	done
}

@test "ft-ingest safety: two ingests into one database at once: no lock error, no row lost" {
	awk 'BEGIN { for (i = 1; i <= 30000; i++) printf "{\"id\":\"a%d\",\"category\":\"x\",\"reported_at\":\"2026-01-01T00:00:00Z\"}\n", i }' > a.ndjson
	awk 'BEGIN { for (i = 1; i <= 30000; i++) printf "{\"id\":\"b%d\",\"category\":\"x\",\"reported_at\":\"2026-01-01T00:00:00Z\"}\n", i }' > b.ndjson
	ft-ingest -q --batch 500 a.ndjson 2>a.err &
	p1=$!
	ft-ingest -q --batch 500 b.ndjson 2>b.err &
	p2=$!
	wait "$p1"
	wait "$p2"
	[ ! -s a.err ] && [ ! -s b.err ]
	[ "$(sql 'select count(*) from events')" = 60000 ]
}

@test "ft-ingest safety: a database busy beyond the timeout is 75" {
	printf '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' > one.ndjson
	ft-ingest -q one.ndjson
	# Another writer holds the lock for three seconds.
	( printf 'begin immediate;\ndelete from events;\n'; sleep 3; printf 'rollback;\n' ) | sqlite3 "$FT_DB" &
	sleep 0.5
	FT_BUSY_TIMEOUT=200 run -75 --separate-stderr ft-ingest one.ndjson
	[[ "$stderr" == *"database busy beyond the timeout; try again later"* ]]
	wait
	[ "$(sql 'select count(*) from events')" = 1 ]
}

@test "ft-ingest run: a progress line on a terminal only" {
	command -v script >/dev/null || skip "no script(1)"
	awk 'BEGIN { for (i = 1; i <= 3000; i++) printf "{\"id\":\"%d\",\"category\":\"x\",\"reported_at\":\"2026-01-01T00:00:00Z\"}\n", i }' > p.ndjson
	script -qec "ft-ingest --db tty.db --batch 1000 p.ndjson >/dev/null" /dev/null > tty.out
	grep -q 'p.ndjson: 1000 records (' tty.out
	grep -q $'\033\\[K' tty.out
	run -0 --separate-stderr ft-ingest --db notty.db --batch 1000 p.ndjson
	[[ "$stderr" != *$'\033'* ]]
	[[ "$stderr" != *"1000 records ("* ]]
}

@test "ft-ingest pipeline: each record is stored and printed as it comes, with no lock held while the input waits" {
	feed_start ft-ingest
	printf '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' >&7
	lines_within out.ndjson 1
	[ "$(sql "select id from events")" = a ]
	# Another tool writes at once, while ft-ingest waits for more.
	printf '{"id":"o","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' > other.ndjson
	FT_BUSY_TIMEOUT=2000 run -0 --separate-stderr ft-ingest -q other.ndjson
	printf '{"id":"b","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' >&7
	lines_within out.ndjson 2
	feed_end
	run jq -r .id out.ndjson
	[ "$output" = 'a
b' ]
	[[ "$(cat err.txt)" == "ft-ingest: stdin: 2 records: 2 new, 0 updated, 0 unchanged, 0 rejected ("* ]]
	[ "$(sql "select group_concat(id, ' ') from (select id from events order by seq)")" = "a o b" ]
}

# ---- the rejects file is never a way into another file ----

@test "ft-ingest rejects: a symbolic link as --rejects is refused (73), its target untouched" {
	printf 'precious\n' > target.txt
	chmod 644 target.txt
	ln -s target.txt rej.ndjson
	run -73 --separate-stderr ft-ingest -q -r rej.ndjson "$F/events.csv"
	[ -z "$output" ]
	[ "$stderr" = "ft-ingest: rej.ndjson: cannot create: a symbolic link (refused: give the file itself)" ]
	[ "$(cat target.txt)" = precious ]
	[ "$(stat -c %a target.txt)" = 644 ]
	[ ! -e ft.db ] || [ "$(sql 'select count(*) from events')" = 0 ]
}

@test "ft-ingest rejects: an existing rejects file is emptied and made private (0600)" {
	printf 'old line\nold line\nold line\n' > rej.ndjson
	chmod 644 rej.ndjson
	run -1 --separate-stderr ft-ingest -q -r rej.ndjson "$F/events.csv"
	[ "$(stat -c %a rej.ndjson)" = 600 ]
	[ "$(wc -l < rej.ndjson)" = 2 ]
	[ "$(jq -r .line rej.ndjson | tr '\n' ' ')" = "4 5 " ]
}

@test "ft-ingest rejects: /dev/stdout, a link of the system's, is still followed" {
	run -1 --separate-stderr ft-ingest -q --no-output -r /dev/stdout "$F/events.csv"
	[ "${#lines[@]}" = 2 ]
	[ "$(printf '%s\n' "$output" | jq -r .line | tr '\n' ' ')" = "4 5 " ]
}

# ---- times that cannot be stored ----

@test "ft-ingest time: a time an offset moves out of the years 0000-9999 is rejected (1), not stored as another" {
	{
		echo '{"id":"lo","category":"x","reported_at":"0000-01-01T00:00:00+01:00"}'
		echo '{"id":"hi","category":"x","reported_at":"9999-12-31T23:30:00-01:00"}'
		echo '{"id":"a","category":"x","reported_at":"0000-01-01T00:00:00Z"}'
		echo '{"id":"b","category":"x","reported_at":"9999-12-31T23:59:59Z"}'
	} > edge.ndjson
	run -1 --separate-stderr ft-ingest edge.ndjson
	[ "$(printf '%s\n' "$output" | jq -r .reported_at | tr '\n' ' ')" = "0000-01-01T00:00:00Z 9999-12-31T23:59:59Z " ]
	[[ "$stderr" == *'edge.ndjson:1: field "reported_at": out of range: not within the years 0000 to 9999 in UTC: "0000-01-01T00:00:00+01:00"'* ]]
	[[ "$stderr" == *'edge.ndjson:2: field "reported_at": out of range: not within the years 0000 to 9999 in UTC: "9999-12-31T23:30:00-01:00"'* ]]
	[ "$(sql "select group_concat(id, ' ') from (select id from events order by seq)")" = "a b" ]
}

@test "ft-ingest time: --now out of the years 0000-9999 is a usage error (64)" {
	run -64 --separate-stderr ft-ingest --now '0000-01-01T00:00:00+00:30' "$F/events.csv"
	[ -z "$output" ]
	[[ "$stderr" == *"out of range: not within the years 0000 to 9999 in UTC"* ]]
}

# ---- issue 11: output errors, re-runs, killed runs ----

@test "ft-ingest run: a stdout write error stops the printing, not the loading (74, one message)" {
	awk 'BEGIN { for (i = 1; i <= 30000; i++) printf "{\"id\":\"%d\",\"category\":\"x\",\"reported_at\":\"2026-01-01T00:00:00Z\"}\n", i }' > big.ndjson
	run -74 --separate-stderr bash -c 'ft-ingest big.ndjson > /dev/full'
	[ "${#stderr_lines[@]}" = 2 ]
	[ "${stderr_lines[0]}" = 'ft-ingest: standard output: write error: No space left on device' ]
	[[ "${stderr_lines[1]}" =~ ^'ft-ingest: big.ndjson: 30000 records: 30000 new, 0 updated, 0 unchanged, 0 rejected ('[0-9.]+' s)'$ ]]
	[ "$(sql 'select count(*) from events')" = 30000 ]
	[ "$(sql 'select records, inserted, status from ingests')" = '30000|30000|done' ]
	# A rejected record too: still 74, the worse status.
	printf '{"id":"bad","reported_at":"2026-01-01T00:00:00Z"}\n' >> big.ndjson
	run -74 --separate-stderr bash -c 'ft-ingest --db b.db big.ndjson > /dev/full'
	[ "$(sqlite3 b.db 'select count(*) from events')" = 30000 ]
	[ "$(grep -c 'write error' <<< "$stderr")" = 1 ]
}

@test "ft-ingest run: a closed pipe ends the printing quietly, every record stored (0)" {
	awk 'BEGIN { for (i = 1; i <= 30000; i++) printf "{\"id\":\"%d\",\"category\":\"x\",\"reported_at\":\"2026-01-01T00:00:00Z\"}\n", i }' > big.ndjson
	run -0 --separate-stderr bash -c 'ft-ingest big.ndjson 2>err.txt | head -1; echo "status=${PIPESTATUS[0]}"'
	[ "$output" = $'{"id":"1","category":"x","reported_at":"2026-01-01T00:00:00Z","status":"new"}\nstatus=0' ]
	[ "$(wc -l < err.txt)" = 1 ]
	[[ "$(cat err.txt)" =~ ^'ft-ingest: big.ndjson: 30000 records: 30000 new, 0 updated, 0 unchanged, 0 rejected ('[0-9.]+' s)'$ ]]
	[ "$(sql 'select count(*) from events')" = "$(wc -l < big.ndjson)" ]
	[ "$(sql 'select status from ingests')" = done ]
}

# dispatched: the events of ../fixtures/ft-update loaded, dispatched by its
# rules (e5 matches none and stays new) and e1 accepted.
dispatched() {
	U="$FIXTURES/ft-update"
	ft-ingest -q -k units "$U/units.ndjson"
	{ ft-ingest "$U/events.ndjson" 2>/dev/null | ft-dispatch -q --rules "$U/rules.json"; } 2>/dev/null || true
	[ "$(sql "select group_concat(id || ':' || status || ':' || coalesce(area, '-'), ' ') from events")" = 'e1:dispatched:g1 e2:dispatched:g1 e3:duplicate:g1 e4:dispatched:- e5:new:-' ]
	printf '{"id":"e1","status":"accepted","by":"li"}\n' | ft-update -q
}

@test "ft-ingest identity: loading the same file again after ft-dispatch and ft-update changes nothing (0)" {
	dispatched
	before=$(sql 'select * from events order by seq')
	hist=$(sql 'select count(*) from history')
	run -0 --separate-stderr ft-ingest "$U/events.ndjson"
	[ -z "$output" ]
	[[ "$stderr" =~ ^'ft-ingest: '.*'events.ndjson: 5 records: 0 new, 0 updated, 5 unchanged, 0 rejected ('[0-9.]+' s)'$ ]]
	run -0 --separate-stderr ft-ingest --upsert "$U/events.ndjson"
	[ -z "$output" ]
	[[ "$stderr" == *"5 records: 0 new, 0 updated, 5 unchanged, 0 rejected"* ]]
	[ "$(sql 'select * from events order by seq')" = "$before" ]
	[ "$(sql 'select count(*) from history')" = "$hist" ]
	run -0 ft-update --verify
}

@test "ft-ingest identity: --upsert of corrected records keeps the decisions and the lifecycle, and logs the fields that changed" {
	dispatched
	keep="select status, area, unit, rule, priority, respond_by, resolve_by, duplicate_of, dispatched_at, chain from events where id in ('e1', 'e2', 'e3') order by seq"
	before=$(sql "$keep")
	# e1 moved, e2 retitled, e3 names an area (it was decided: kept),
	# e5 (still new) names its area: the source's, stored.
	jq -c 'if .id == "e1" then .lat = 22.546
	       elif .id == "e2" then .title = "垃圾满溢了"
	       elif .id == "e3" then .area = "g2"
	       elif .id == "e5" then .area = "g1" else . end' "$U/events.ndjson" > fixed.ndjson
	run -1 --separate-stderr ft-ingest fixed.ndjson
	[[ "$stderr" == *'fixed.ndjson:1: id "e1": stored already with other content (--upsert replaces it)'* ]]
	[[ "$stderr" == *"5 records: 0 new, 0 updated, 2 unchanged, 3 rejected"* ]]
	run -0 --separate-stderr ft-ingest --upsert fixed.ndjson
	[ "${#lines[@]}" = 3 ]
	[[ "$stderr" =~ 'fixed.ndjson: 5 records: 0 new, 3 updated, 2 unchanged, 0 rejected; 1 dispatched event moved, its area kept (see the history) ('[0-9.]+' s)'$ ]]
	[ "$(sql "$keep")" = "$before" ]
	[ "$(sql "select lat, title from events where id in ('e1', 'e2') order by seq")" = $'22.546|路灯不亮\n22.545|垃圾满溢了' ]
	[ "$(sql "select area, status from events where id = 'e5'")" = 'g1|new' ]
	[ "$(sql "select id, action, from_status, to_status, detail from history where action = 'upsert' order by seq")" = 'e1|upsert|||{"lat":{"from":"22.545","to":"22.546"},"area":{"kept":"g1"}}
e2|upsert|||{"title":{"from":"垃圾满溢","to":"垃圾满溢了"}}
e5|upsert|||{"area":{"from":null,"to":"g1"}}' ]
	run -0 --separate-stderr ft-update --verify
	[[ "$stderr" == *"the history is intact"* ]]
	# Loading the corrected file again changes nothing.
	run -0 --separate-stderr ft-ingest --upsert fixed.ndjson
	[[ "$stderr" == *"5 records: 0 new, 0 updated, 5 unchanged, 0 rejected"* ]]
}

@test "ft-ingest readme: the --upsert workflow for a corrected export runs as written on a demo database" {
	readme_block upsert > block.sh
	[ "$(grep -c 'ft-ingest --upsert' block.sh)" = 1 ]
	# A demo database as tools/demo.sh makes it, with fewer events.
	demo_db demo 2000
	id=$(head -n 1 demo/events.ndjson | jq -r .id)
	keep="select status, area, unit, rule, respond_by, resolve_by from events where id = '$id'"
	before=$(sqlite3 demo/ft.db "$keep")
	[[ "$before" == dispatched\|* ]]
	unset FT_DB
	run -0 --separate-stderr bash -e -o pipefail block.sh
	[ "$(sqlite3 demo/ft.db "select count(*), min(id) from history where action = 'upsert'")" = "1|$id" ]
	[ "$(sqlite3 demo/ft.db "select json_group_array(key) from history, json_each(detail) where action = 'upsert'")" = '["address","area"]' ]
	[ "$(sqlite3 demo/ft.db "$keep")" = "$before" ]
	[[ "$output" == *"$id|"*'"area":{"kept":"'* ]]
	FT_DB=demo/ft.db run -0 ft-update --verify
	# As written a second time: nothing more changes.
	run -0 --separate-stderr bash -e -o pipefail block.sh
	[ "$(sqlite3 demo/ft.db "select count(*) from history where action = 'upsert'")" = 1 ]
}

@test "ft-ingest safety: a killed run's ingests row is closed by the next run, once" {
	feed_start ft-ingest -
	printf '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' >&7
	lines_within out.ndjson 1
	kill -9 "$feed_pid"
	wait "$feed_pid" || [ $? = 137 ]
	exec 7>&-
	[ "$(sql 'select ingest, status, finished_at is null from ingests')" = '1|running|1' ]
	printf '{"id":"b","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' > b.ndjson
	run -0 --separate-stderr ft-ingest -q b.ndjson
	[ "$stderr" = 'ft-ingest: warning: ingest 1 ("stdin", started 2026-11-25T12:00:00Z) was interrupted: no process runs it any more; marked failed' ]
	[ "$(sql 'select ingest, status, finished_at from ingests order by ingest')" = $'1|failed|2026-11-25T12:00:00Z\n2|done|2026-11-25T12:00:00Z' ]
	run -0 --separate-stderr ft-ingest -q b.ndjson
	[ -z "$stderr" ]
	[ "$(sql "select count(*) from ingests where status = 'failed'")" = 1 ]
	[ "$(sql 'select count(*) from events')" = 2 ]
}

@test "ft-ingest safety: a live run's ingests row is left alone by a run beside it" {
	feed_start ft-ingest -
	printf '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' >&7
	lines_within out.ndjson 1
	printf '{"id":"b","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' > b.ndjson
	run -0 --separate-stderr ft-ingest -q b.ndjson
	[ -z "$stderr" ]
	[ "$(sql 'select ingest, status from ingests order by ingest')" = $'1|running\n2|done' ]
	printf '{"id":"c","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' >&7
	lines_within out.ndjson 2
	feed_end
	[ "$(sql 'select ingest, status, records from ingests order by ingest')" = $'1|done|2\n2|done|1' ]
	[[ "$(cat err.txt)" != *interrupted* ]]
}

# ---- input text in messages; wide headers ----

@test "ft-ingest csv: a header of 100,000 columns naming one twice is refused (65) at once" {
	# Names alike for their first 40 bytes, as generated exports have.
	awk 'BEGIN { p = "sensor_reading_of_the_district_station_"
		for (i = 1; i < 100000; i++) printf "%s%06d,", p, i
		print p "000005" }' > wide.csv
	run -65 --separate-stderr timeout 20 ft-ingest -q wide.csv
	[ -z "$output" ]
	[ "$stderr" = 'ft-ingest: wide.csv: the header names column "sensor_reading_of_the_district_station_000005" twice (columns 5 and 100000)' ]
}

@test "ft-ingest csv: of several names given twice, the one repeated first is named" {
	printf 'b,a,x,a,b\n' > two.csv
	run -65 --separate-stderr ft-ingest -q two.csv
	[ "$stderr" = 'ft-ingest: two.csv: the header names column "a" twice (columns 2 and 4)' ]
}

@test "ft-ingest messages: a header name reaches the terminal escaped, never as a terminal escape" {
	printf 'id,\033[31mred,"say ""hi""\\",\033[31mred\n' > esc.csv
	run -65 --separate-stderr ft-ingest -q esc.csv
	[ -z "$output" ]
	[ "$stderr" = 'ft-ingest: esc.csv: the header names column "\x1b[31mred" twice (columns 2 and 4)' ]
	printf 'id,category,reported_at,"say ""hi""\\"\na,x,2026-01-01T00:00:00Z,caf\xe9\n' > quote.csv
	run -1 --separate-stderr ft-ingest -q quote.csv
	[ "$stderr" = 'ft-ingest: quote.csv:2: column "say \"hi\"\\": invalid UTF-8 (try --encoding)' ]
}

@test "ft-ingest messages: control characters and invalid UTF-8 in a reason are escaped" {
	printf '{"id":"a","category":"x","reported_at":"\\u001b[31m\\u009b2J"}\n' > esc.ndjson
	run -1 --separate-stderr ft-ingest -q esc.ndjson
	[ "$stderr" = 'ft-ingest: esc.ndjson:1: field "reported_at": not an ISO 8601 time or epoch seconds: "\u001b[31m\u009b2J"' ]
	run -64 --separate-stderr ft-ingest -q --format "$(printf 'x\033[2J\xff')" esc.ndjson
	[ -z "$output" ]
	[[ "$stderr" == 'ft-ingest: --format: "x\x1b[2J\xff" is '* ]]
}

# ---- JSON keys: decoded text, never twice ----

@test "ft-ingest json keys: a key written with escapes is that key (\"\\u0069d\" is id)" {
	printf '{"\\u0069d":"x","category":"c","reported_at":"2026-01-01T00:00:00Z","\\u0074itle":"t"}\n' > esc.ndjson
	run -0 --separate-stderr ft-ingest -q esc.ndjson
	[ "$(sql 'select id || "|" || title from events')" = "x|t" ]
}

@test "ft-ingest json keys: an object giving a key twice, plainly or with escapes, at any depth, is rejected (1)" {
	{
		echo '{"id":"a","\u0069d":"b","category":"c","reported_at":"2026-01-01T00:00:00Z"}'
		echo '{"id":"a","category":"c","reported_at":"2026-01-01T00:00:00Z","id":"b"}'
		echo '{"id":"n","category":"c","reported_at":"2026-01-01T00:00:00Z","v":{"x":1,"\u0078":2}}'
		echo '{"id":"ok","category":"c","reported_at":"2026-01-01T00:00:00Z","v":{"x":1,"y":{"x":2}}}'
	} > dup.ndjson
	run -1 --separate-stderr ft-ingest -q dup.ndjson
	[ "$stderr" = 'ft-ingest: dup.ndjson:1: invalid JSON: key "id" given twice (column 11)
ft-ingest: dup.ndjson:2: invalid JSON: key "id" given twice (column 63)
ft-ingest: dup.ndjson:3: invalid JSON: key "x" given twice (column 74)' ]
	[ "$(sql 'select group_concat(id) from events')" = ok ]
	# The same in a JSON array, and with a map: the map never sees it.
	printf '[{"id":"a","category":"c","reported_at":"2026-01-01T00:00:00Z","\\u0063ategory":"d"}]\n' > dup.json
	run -1 --separate-stderr ft-ingest -q -m . dup.json
	[ "$stderr" = 'ft-ingest: dup.json:1: invalid JSON: key "category" given twice (line 1, column 63)' ]
}

@test "ft-ingest json keys: an object of 100,000 keys giving one twice is rejected at once" {
	awk 'BEGIN { printf "{\"id\":\"w\",\"category\":\"c\",\"reported_at\":\"2026-01-01T00:00:00Z\""
		for (i = 1; i <= 100000; i++) printf ",\"k%d\":%d", i, i
		print ",\"k77\":0}" }' > wide.ndjson
	run -1 --separate-stderr timeout 20 ft-ingest -q wide.ndjson
	[[ "$stderr" == 'ft-ingest: wide.ndjson:1: invalid JSON: key "k77" given twice (column '*')' ]]
	[ "$(sql 'select count(*) from events')" = 0 ]
}

# ---- files that are not text files ----

@test "ft-ingest files: a directory is 66 and a binary file 65, one message each, the other files still loaded" {
	mkdir adir
	printf 'id,category,reported_at\n\000\000\000,x,y\n' > nul.csv
	echo '{"id":"g","category":"c","reported_at":"2026-01-01T00:00:00Z"}' > good.ndjson
	run -66 --separate-stderr ft-ingest -q adir
	[ "$stderr" = 'ft-ingest: adir: cannot open: Is a directory' ]
	run -65 --separate-stderr ft-ingest -q /bin/ls nul.csv good.ndjson
	[ "$stderr" = 'ft-ingest: /bin/ls: a binary file, not text
ft-ingest: nul.csv: a binary file, not text' ]
	run -65 --separate-stderr ft-ingest -q - < /bin/ls
	[ "$stderr" = 'ft-ingest: stdin: a binary file, not text' ]
	[ "$(sql 'select group_concat(id) from events')" = g ]
}

@test "ft-ingest db: it creates a missing database, mode 0600; a dry run creates none" {
	echo '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}' > one.ndjson
	run -0 --separate-stderr ft-ingest -n --db dry.db one.ndjson
	[ ! -e dry.db ]
	run -0 --separate-stderr ft-ingest -q --db new.db one.ndjson
	[ "$(stat -c %a new.db)" = 600 ]
	[ "$(sqlite3 new.db 'select count(*) from events')" = 1 ]
}

@test "ft-ingest db: after a run of many batches the WAL is emptied, though another connection keeps the database open" {
	awk 'BEGIN { for (i = 0; i < 3000; i++)
		printf "{\"id\":\"w%d\",\"category\":\"x\",\"reported_at\":\"2026-01-01T00:00:00Z\",\"text\":\"%0200d\"}\n", i, i }' > many.ndjson
	echo '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}' > one.ndjson
	ft-ingest -q one.ndjson
	# An analyst's connection, open all along but between queries: the
	# last connection to close would empty the WAL anyway; this one keeps
	# it, as a cron job beside others does.
	mkfifo hold.fifo
	sqlite3 -batch "$FT_DB" < hold.fifo > hold.out 2>&1 3>&- &
	hold=$!
	exec 8> hold.fifo
	echo 'select count(*) from events;' >&8
	lines_within hold.out 1
	run -0 --separate-stderr ft-ingest -q --batch 20 many.ndjson
	[ "$(sql 'select count(*) from events')" = 3001 ]
	[ -e "$FT_DB-wal" ]
	[ "$(stat -c %s "$FT_DB-wal")" = 0 ]
	exec 8>&-
	wait "$hold"
}

@test "ft-ingest db: the analyst's sqlite3 -readonly -cmd '.timeout 5000' of ft(7) waits out a writer's lock" {
	echo '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}' > one.ndjson
	ft-ingest -q one.ndjson
	# A writer that holds the database for a second (as the last
	# connection does while it copies the WAL back at its close).
	mkfifo hold.fifo
	sqlite3 -batch "$FT_DB" < hold.fifo > hold.out 2>&1 3>&- &
	hold=$!
	exec 8> hold.fifo
	echo "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; SELECT 'held';" >&8
	lines_within hold.out 2
	# Without the timeout: "database is locked" at once.
	run -5 --separate-stderr sqlite3 -readonly "$FT_DB" 'select count(*) from events'
	[[ "$stderr" == *"database is locked"* ]]
	{ sleep 1; exec 8>&-; } 3>&- &
	exec 8>&-
	run -0 --separate-stderr sqlite3 -readonly -cmd '.timeout 5000' "$FT_DB" 'select count(*) from events'
	[ "$output" = 1 ]
	[ -z "$stderr" ]
	wait "$hold"
	# The page says so.
	grep -q "sqlite3 -readonly -cmd '.timeout 5000' ft.db" "$BATS_TEST_DIRNAME/../man/ft.7"
}

@test "ft-ingest map: a map that never ends or grows without bound is halted and its record rejected with the reason; the others load (1)" {
	printf '{"n":1}\n{"n":2}\n{"n":3}\n' > m.ndjson
	# timeout: without the bounds the first record never ends.
	# The memory bound is small and the time bound not: under the
	# sanitizers [repeat(1)] took 0.25 s of work to reach 16 MiB.
	FT_JQ_TIME=0.5 FT_JQ_MEMORY=4 run -1 --separate-stderr timeout 60 ft-ingest --map 'def f: f; if .n == 1 then f elif .n == 2 then [repeat(1)] else {id: "c", category: "x", reported_at: "2026-01-01T00:00:00Z"} end' m.ndjson
	[ "$output" = '{"id":"c","category":"x","reported_at":"2026-01-01T00:00:00Z","status":"new"}' ]
	[ "${stderr_lines[0]}" = 'ft-ingest: m.ndjson:1: map: stopped after 0.5 s of work (FT_JQ_TIME)' ]
	[ "${stderr_lines[1]}" = 'ft-ingest: m.ndjson:2: map: stopped at 4 MiB of memory (FT_JQ_MEMORY)' ]
	[[ "${stderr_lines[2]}" == "ft-ingest: m.ndjson: 3 records: 1 new, 0 updated, 0 unchanged, 2 rejected ("* ]]
	[ "$(sql 'select group_concat(id) from events')" = c ]
}

@test "ft-ingest map: the bound is on a record's whole run, so a map that gives outputs for ever is halted too, and the ones it gave stay (1)" {
	echo '{"n":1}' > one.ndjson
	FT_JQ_TIME=0.2 run -1 --separate-stderr timeout 60 ft-ingest --map 'range(1e9) | ([range(2000)] | length) as $x | {id: "x", category: "x", reported_at: "2026-01-01T00:00:00Z"}' one.ndjson
	[ "$output" = '{"id":"x","category":"x","reported_at":"2026-01-01T00:00:00Z","status":"new"}' ]
	[ "${stderr_lines[0]}" = 'ft-ingest: one.ndjson:1: map: stopped after 0.2 s of work (FT_JQ_TIME)' ]
	[[ "${stderr_lines[1]}" =~ ^"ft-ingest: one.ndjson: 1 record: 1 new, 0 updated, "[0-9]+" unchanged, 1 rejected (" ]]
	[ "$(sql 'select count(*) from events')" = 1 ]
}

# ---- -q and --no-output ----

@test "ft-ingest run: -q keeps the records on standard output: ft-ingest -q | ft-dispatch -q dispatches them all, no summary" {
	U="$FIXTURES/ft-update"
	ft-ingest -q -k units "$U/units.ndjson" > /dev/null
	grep -v '"id":"e5"' "$U/events.ndjson" > ev.ndjson
	run -0 --separate-stderr bash -o pipefail -c 'ft-ingest -q ev.ndjson |
		ft-dispatch -q --rules "$1" --now 2026-11-21T00:00:00Z' _ "$U/rules.json"
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | jq -r '.id + ":" + .status' | tr '\n' ' ')" = "e1:dispatched e2:dispatched e3:duplicate e4:dispatched " ]
	[ "$(sql "select group_concat(id || ':' || status, ' ') from (select id, status from events order by id)")" = "e1:dispatched e2:dispatched e3:duplicate e4:dispatched" ]
}

@test "ft-ingest run: --no-output prints no records; the summary is still printed, the records stored" {
	run -1 --separate-stderr ft-ingest --no-output "$F/events.csv"
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" = 3 ]
	[ "${stderr_lines[0]}" = "ft-ingest: $F/events.csv:4: field \"lat\": not a number: \"abc\"" ]
	[ "${stderr_lines[1]}" = "ft-ingest: $F/events.csv:5: field \"category\": missing" ]
	[[ "${stderr_lines[2]}" == "ft-ingest: $F/events.csv: 4 records: 2 new, 0 updated, 0 unchanged, 2 rejected ("*" s)" ]]
	[ "$(sql "select group_concat(id, ' ') from (select id from events order by id)")" = "e1 e2" ]
}

@test "ft-ingest run: -q --no-output prints nothing but the rejections, the records stored" {
	run -1 --separate-stderr ft-ingest -q --no-output "$F/events.csv"
	[ -z "$output" ]
	[ "$stderr" = "ft-ingest: $F/events.csv:4: field \"lat\": not a number: \"abc\"
ft-ingest: $F/events.csv:5: field \"category\": missing" ]
	[ "$(sql "select group_concat(id, ' ') from (select id from events order by id)")" = "e1 e2" ]
	echo '{"id":"n1","category":"x","reported_at":"2026-01-01T00:00:00Z"}' > ok.ndjson
	run -0 --separate-stderr ft-ingest -q --no-output ok.ndjson
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(sql "select group_concat(id, ' ') from (select id from events order by id)")" = "e1 e2 n1" ]
}

@test "ft-ingest readme: the nightly cron job runs as written on a demo district, and fails (66) when its first stage fails" {
	demo_district demo 2000
	readme_block nightly > demo/nightly
	chmod +x demo/nightly
	[ "$(head -n 1 demo/nightly)" = '#!/bin/bash' ]
	cp "$BATS_TEST_DIRNAME/../tools/demo/dispatch.json" demo/
	# The day is fixed: a date(1) that answers +%F with it.
	mkdir shim
	printf '#!/bin/sh\n[ "$1" = +%%F ] && { echo 2026-06-02; exit; }\nexec /bin/date "$@"\n' > shim/date
	chmod +x shim/date
	PATH="$BATS_TEST_TMPDIR/shim:$PATH"
	# The day's export: the demo's hotline calls but for the rows it
	# makes bad on purpose.
	mkdir demo/in
	{ FT_DB=demo/ft.db ft-ingest -n -q --no-output --rejects bad.ndjson demo/events.csv 2> /dev/null; } || [ $? = 1 ]
	[ -s bad.ndjson ]
	jq .line bad.ndjson | awk -F, 'NR == FNR { bad[$1]; next }
		FNR == 1 || ($2 == "hotline" && !(FNR in bad))' - demo/events.csv > demo/in/hotline-2026-06-02.csv
	n=$(($(wc -l < demo/in/hotline-2026-06-02.csv) - 1))
	[ "$n" -gt 100 ]
	unset FT_DB
	run -0 --separate-stderr demo/nightly
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(sqlite3 demo/ft.db "select count(*), count(*) filter (where source = 'hotline' and status in ('dispatched', 'duplicate')) from events")" = "$n|$n" ]
	[ ! -s demo/rejects-2026-06-02.ndjson ]
	# Again: nothing more to do.
	run -0 --separate-stderr demo/nightly
	[ -z "$output" ]
	[ -z "$stderr" ]
	# No export: ft-ingest fails, and the job with it, though ft-dispatch,
	# reading nothing, ends 0.
	rm demo/in/hotline-2026-06-02.csv
	run -66 --separate-stderr demo/nightly
	[ -z "$output" ]
	[ "$stderr" = "ft-ingest: in/hotline-2026-06-02.csv: cannot open: No such file or directory" ]
	[ "$(sqlite3 demo/ft.db "select count(*) from events")" = "$n" ]
}

# big_text N: a JSON string member "text" of N times 64 x's, on one line.
big_text() {
	awk -v n="$1" 'BEGIN {
		s = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		printf "\"text\":\""
		for (i = 0; i < n; i++)
			printf "%s", s
		printf "\""
	}'
}

@test "ft-ingest limits: an NDJSON line over 16 MiB is rejected at its line, passed over, and the lines around it are stored" {
	{
		echo '{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"}'
		printf '{"id":"big","category":"x","reported_at":"2026-01-01T00:00:00Z",'
		big_text 270000	# 17 MB
		echo '}'
		echo '{"id":"b","category":"x","reported_at":"2026-01-01T00:00:00Z"}'
	} > big.ndjson
	run -1 --separate-stderr ft-ingest -q --rejects rej.ndjson big.ndjson
	[ "$stderr" = 'ft-ingest: big.ndjson:2: record larger than 16 MiB' ]
	[ "$(sql 'select group_concat(id || ":" || line) from events')" = a:1,b:3 ]
	[ "$(jq -c '[.line, .reason, (.raw | length), (.raw | startswith("{\"id\":\"big\""))]' rej.ndjson)" = \
		'[2,"record larger than 16 MiB",1024,true]' ]
	# A record just under the limit is a record.
	{
		printf '{"id":"c","category":"x","reported_at":"2026-01-01T00:00:00Z",'
		big_text 262000
		echo '}'
	} > under.ndjson
	run -0 --separate-stderr ft-ingest -q under.ndjson
	[ "$(sql "select length(text) from events where id = 'c'")" = 16768000 ]
}

@test "ft-ingest limits: a CSV record over 16 MiB, quoted over many lines, is rejected at its first line and the rows after it keep their lines" {
	{
		echo 'id,category,reported_at,text'
		echo 'a,x,2026-01-01T00:00:00Z,hi'
		printf 'big,x,2026-01-01T00:00:00Z,"'
		awk 'BEGIN {
			s = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			for (i = 0; i < 270000; i++) {
				printf "%s", s
				if (i % 1000 == 0)
					printf "\n\"\"quoted, with a comma\"\"\n"
			}
		}'
		echo '"'
		echo 'b,x,2026-01-01T00:00:00Z,"two'
		echo 'lines"'
		echo 'c,x,2026-01-01T00:00:00Z,z'
	} > big.csv
	run -1 --separate-stderr ft-ingest -q --rejects rej.ndjson big.csv
	[ "$stderr" = 'ft-ingest: big.csv:3: record larger than 16 MiB' ]
	[ "$(sql 'select group_concat(id || ":" || line) from events')" = a:2,b:544,c:546 ]
	[ "$(jq -c '[.line, (.raw | length)]' rej.ndjson)" = '[3,1024]' ]
}

@test "ft-ingest limits: an element of a JSON array over 16 MiB is rejected, and the elements after it are read" {
	{
		echo '[{"id":"a","category":"x","reported_at":"2026-01-01T00:00:00Z"},'
		printf '{"id":"big","category":"x","reported_at":"2026-01-01T00:00:00Z",'
		big_text 270000
		printf ',"list":[\n1,\n2]},\n'
		echo '{"id":"b","category":"x","reported_at":"2026-01-01T00:00:00Z"}]'
	} > big.json
	run -1 --separate-stderr ft-ingest -q big.json
	[ "$stderr" = 'ft-ingest: big.json:2: record larger than 16 MiB' ]
	[ "$(sql 'select group_concat(id || ":" || line) from events')" = a:1,b:5 ]
}

@test "ft-ingest limits: a file that is one JSON value over 64 MiB is unusable as a whole" {
	{
		printf '{"results":['
		awk 'BEGIN {
			for (i = 0; i < 640000; i++)
				printf "{\"id\":\"%d\",\"category\":\"x\",\"reported_at\":\"2026-01-01T00:00:00Z\",\"t\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"},", i
		}'
		echo '{}]}'
	} > wrapped.json
	[ "$(stat -c %s wrapped.json)" -gt $((64 << 20)) ]
	run -65 --separate-stderr ft-ingest -q wrapped.json
	[ "$stderr" = 'ft-ingest: wrapped.json: a JSON document larger than 64 MiB, which is read whole: give the records as NDJSON or a JSON array' ]
	[ "$(sql 'select count(*) from events')" = 0 ]
}

# The Vancouver 311 sample (an OpenDataSoft API response,
# {"total_count":..,"results":[100 objects]}), as a bigger export of the
# same form: its results three times over, ids made unique (about 140 KB
# compact, 200 KB as written).
vancouver_wrapped() {
	jq '{total_count, results: [range(3) as $k | .results | to_entries[] | .value + {id: "v\($k)-\(.key)"}]}' \
		"$CORPUS/vancouver311/vancouver311_2024-03_opendatasoft_100.json"
}

@test "ft-ingest map: a wrapped export split by '.results[] | ...' keeps each element as its record's raw, not the whole document" {
	corpus_or_skip
	vancouver_wrapped > wrapped.json
	run -0 --separate-stderr ft-ingest -q --map '.results[] | {id, category: .service_request_type, reported_at: .service_request_open_timestamp, lat: .latitude, lon: .longitude, address}' wrapped.json
	[ "$(sql 'select count(*) from events')" = 300 ]
	# The raws add up to the document's elements, not 300 times the document.
	[ "$(sql 'select sum(length(raw)) from events')" = "$(jq -c '.results[]' wrapped.json | tr -d '\n' | wc -c)" ]
	[ "$(sql "select raw from events where id = 'v1-17'")" = "$(jq -c '.results[117]' wrapped.json)" ]
	# A map that does not split that way keeps the document whole.
	run -0 --separate-stderr ft-ingest -q --db whole.db --map '[.results[]][] | {id, category: .service_request_type, reported_at: .service_request_open_timestamp}' wrapped.json
	[ "$(sqlite3 whole.db "select raw from events where id = 'v1-17'")" = "$(jq -c . wrapped.json)" ]
}

@test "ft-ingest map: a rejected element of a split map names its path, and carries the element, not the document" {
	corpus_or_skip
	vancouver_wrapped > wrapped.json
	# local_area is null in 27 of the 100 records: ascii_downcase fails on them.
	run -1 --separate-stderr ft-ingest -q --rejects rej.ndjson --map '.results[] | {id, category: .service_request_type, reported_at: .service_request_open_timestamp, area_name: (.local_area | ascii_downcase)}' wrapped.json
	[ "$(sql 'select count(*) from events')" = 219 ]
	[ "$(wc -l < rej.ndjson)" = 81 ]
	[ "$(head -1 <<< "$stderr")" = 'ft-ingest: wrapped.json:1: path ["results",0]: map: explode input must be a string' ]
	[ "$(jq -c 'select(.path == ["results",103]) | [.line, .reason, (.record | tojson)]' rej.ndjson)" = \
		"$(jq -c '[1, "map: explode input must be a string", (.results[103] | tojson)]' wrapped.json)" ]
	[ "$(jq -c 'select(.path == ["results",103]) | (.raw | fromjson) == .record' rej.ndjson)" = true ]
	# The rejects hold the elements: not 81 copies of the document.
	[ "$(stat -c %s rej.ndjson)" -lt "$(stat -c %s wrapped.json)" ]
}

@test "ft-ingest map: the split is at the top-level '|' only, and a split map gives what the whole map gives" {
	cat > w.json <<'JSON'
{"meta": {"n": 2}, "results": [
 {"id": 12345678901234567890, "k": "a|b", "t": "2026-01-01T00:00:00Z"},
 {"id": "b", "k": "c", "t": "2026-01-02T00:00:00Z", "n": [1.50, {"x": "\u0069"}]}
]}
JSON
	# '|' in a string, in an interpolation, in parentheses, and '|='.
	m='.results[] # a comment | not a split
	| .k |= ("\(. | ascii_upcase)|" + (. | tostring)) | {id: (.id | tostring), category: .k, reported_at: .t}'
	run -0 --separate-stderr ft-ingest -q --no-output --map "$m" w.json
	[ "$output" = '' ]
	[ "$(sql "select group_concat(category, ' ') from events")" = 'A|B|a|b C|c' ]
	# Each raw is its element as written, numbers exact.
	[ "$(sql "select raw from events where category = 'C|c'")" = '{"id":"b","k":"c","t":"2026-01-02T00:00:00Z","n":[1.50,{"x":"\u0069"}]}' ]
	[ "$(sql "select raw from events where category = 'A|B|a|b'")" = '{"id":12345678901234567890,"k":"a|b","t":"2026-01-01T00:00:00Z"}' ]
}

@test "ft-ingest map: a record a split map took keeps its element's path as raw_path; a changed reload names path and id" {
	corpus_or_skip
	vancouver_wrapped > wrapped.json
	m='.results[] | {id, category: .service_request_type, reported_at: .service_request_open_timestamp}'
	run -0 --separate-stderr ft-ingest -q --no-output --map "$m" wrapped.json
	[ "$(sql "select raw_path from events where id = 'v1-17'")" = '["results",117]' ]
	[ "$(sql 'select count(*) from events where raw_path is null')" = 0 ]
	# The path finds the raw again in the file.
	[ "$(jq -c "getpath($(sql "select raw_path from events where id = 'v2-5'"))" wrapped.json)" = "$(sql "select raw from events where id = 'v2-5'")" ]
	# A record that is its source whole has none.
	run -0 --separate-stderr ft-ingest -q --no-output --db whole.db --map '[.results[]][] | {id, category: .service_request_type, reported_at: .service_request_open_timestamp}' wrapped.json
	[ "$(sqlite3 whole.db 'select count(*) from events where raw_path is not null')" = 0 ]
	printf '{"id":"n1","category":"x","reported_at":"2026-01-01T00:00:00Z"}\n' > one.ndjson
	run -0 --separate-stderr ft-ingest -q --no-output one.ndjson
	[ "$(sql "select quote(raw_path) from events where id = 'n1'")" = NULL ]
	# An element whose record is stored with other content is named by both.
	jq '.results[117].service_request_type = "Changed"' wrapped.json > changed.json
	run -1 --separate-stderr ft-ingest -q --no-output --rejects rej.ndjson --map "$m" changed.json
	[ "$stderr" = 'ft-ingest: changed.json:1: path ["results",117]: id "v1-17": stored already with other content (--upsert replaces it)' ]
	[ "$(jq -c '[.path, .id, (.raw | fromjson | .id)]' rej.ndjson)" = '[["results",117],"v1-17","v1-17"]' ]
}

@test "ft-ingest options: a bad map or encoding is refused before the database is opened: none is created, an older one is not changed" {
	for args in "--map .[" "--map @nosuch" "--encoding KLINGON" "--tz Nowhere/Else" "--batch 0"; do
		# shellcheck disable=SC2086
		run -64 --separate-stderr ft-ingest -q --db new.db $args "$F/events.csv"
		[ ! -e new.db ]
	done
	[ "$(head -1 <<< "$stderr")" != '' ]
	run -64 --separate-stderr ft-ingest -q --db new.db --encoding KLINGON "$F/events.csv"
	[ "$stderr" = 'ft-ingest: --encoding: unknown encoding "KLINGON" (see iconv -l)' ]
	# An older file stays as it was: not even brought up to date.
	sqlite3 old.db < "$F/schema-v1.sql"
	before=$(sha256sum < old.db)
	run -64 --separate-stderr ft-ingest -q --db old.db --map '.[' "$F/events.csv"
	[ "$(sha256sum < old.db)" = "$before" ]
	[ "$(sqlite3 old.db 'pragma user_version')" = 1 ]
}

@test "ft-ingest map: halt_error rejects its record with the message, halt leaves it out, and the next records load (1)" {
	printf '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n' > m.ndjson
	# 2 runs between two halt_errors: libjq 1.6 would free the first message twice.
	run -1 --separate-stderr ft-ingest --map 'if .n == 1 then "no id here\n" | halt_error elif .n == 3 then {n} | halt_error elif .n == 4 then halt else {id: "c", category: "x", reported_at: "2026-01-01T00:00:00Z"} end' m.ndjson
	[ "$output" = '{"id":"c","category":"x","reported_at":"2026-01-01T00:00:00Z","status":"new"}' ]
	[ "${stderr_lines[0]}" = 'ft-ingest: m.ndjson:1: map: no id here' ]
	[ "${stderr_lines[1]}" = 'ft-ingest: m.ndjson:3: map: {"n":3}' ]
	[[ "${stderr_lines[2]}" == "ft-ingest: m.ndjson: 4 records: 1 new, 0 updated, 0 unchanged, 2 rejected, 1 left out by the map ("* ]]
	[ "${#stderr_lines[@]}" = 3 ]
	[ "$(sql 'select group_concat(id) from events')" = c ]
	# The same in a split map: the element is rejected, by its path.
	echo '{"r":[{"n":1},{"n":3},{"n":4}]}' > r.json
	run -1 --separate-stderr ft-ingest -n --map '.r[] | if .n == 1 then "no id here\n" | halt_error elif .n == 3 then halt else {id: "c", category: "x", reported_at: "2026-01-01T00:00:00Z"} end' r.json
	[ "${stderr_lines[0]}" = 'ft-ingest: r.json:1: path ["r",0]: map: no id here' ]
	[[ "${stderr_lines[1]}" == "ft-ingest: r.json: 1 record: 0 new, 0 updated, 1 unchanged, 1 rejected ("* ]]
}

# ---- readings (issue 13) ----

@test "ft-ingest readings: the table is the migration's, WITHOUT ROWID, keyed on (sensor, metric, at)" {
	run -0 --separate-stderr ft-ingest -q --kind readings /dev/null
	[ "$(sql "select sql from sqlite_schema where name = 'readings'")" = "CREATE TABLE readings (sensor TEXT NOT NULL, metric TEXT NOT NULL DEFAULT '', at INTEGER NOT NULL, value REAL NOT NULL, ingest INTEGER, PRIMARY KEY (sensor, metric, at)) WITHOUT ROWID" ]
	[ "$(sql 'pragma user_version')" = 13 ]
}

@test "ft-ingest readings: accepted readings are stored (at in epoch seconds) and printed, metric only when given" {
	cat > r.ndjson <<'JSON'
{"sensor":"WL-1","at":"2024-06-01T08:00:00+08:00","value":1.5}
{"sensor":"WL-1","metric":"level","at":1717200060,"value":"2.50"}
{"sensor":" WL-2 ","metric":null,"at":"2024-06-01 08:02","value":-0.25e1}
{"at":"2024-06-01T00:03:00Z","value":7,"sensor":17}
JSON
	run -0 --separate-stderr ft-ingest --kind readings --tz Asia/Shanghai r.ndjson
	[ "$output" = '{"sensor":"WL-1","at":"2024-06-01T00:00:00Z","value":1.5}
{"sensor":"WL-1","metric":"level","at":"2024-06-01T00:01:00Z","value":2.50}
{"sensor":"WL-2","at":"2024-06-01T00:02:00Z","value":-0.25e1}
{"sensor":"17","at":"2024-06-01T00:03:00Z","value":7}' ]
	[ "${stderr% (*}" = 'ft-ingest: r.ndjson: 4 records: 4 new, 0 updated, 0 unchanged, 0 rejected' ]
	[ "$(sql "select sensor, metric, at, datetime(at, 'unixepoch'), value, typeof(at), typeof(value), ingest from readings order by at")" = "WL-1||1717200000|2024-06-01 00:00:00|1.5|integer|real|1
WL-1|level|1717200060|2024-06-01 00:01:00|2.5|integer|real|1
WL-2||1717200120|2024-06-01 00:02:00|-2.5|integer|real|1
17||1717200180|2024-06-01 00:03:00|7.0|integer|real|1" ]
	[ "$(sql 'select kind, records, inserted, unchanged, rejected, status from ingests')" = 'readings|4|4|0|0|done' ]
	# No history for readings: the ingests row is their record.
	[ "$(sql 'select count(*) from history')" = 0 ]
}

@test "ft-ingest readings: the same readings sent again store nothing new (idempotent on sensor, metric, at)" {
	printf '%s\n' '{"sensor":"s","at":"2024-06-01T00:00:00Z","value":1}' \
		'{"sensor":"s","metric":"m","at":"2024-06-01T00:00:00Z","value":1}' \
		'{"sensor":"s","at":"2024-06-01T00:01:00Z","value":2.5}' > r.ndjson
	run -0 --separate-stderr ft-ingest --kind readings r.ndjson
	[ "${#lines[@]}" = 3 ]
	[ "${stderr% (*}" = 'ft-ingest: r.ndjson: 3 records: 3 new, 0 updated, 0 unchanged, 0 rejected' ]
	run -0 --separate-stderr ft-ingest --kind readings r.ndjson
	[ "$output" = '' ]
	[ "${stderr% (*}" = 'ft-ingest: r.ndjson: 3 records: 0 new, 0 updated, 3 unchanged, 0 rejected' ]
	# Equal as numbers is the same value; a repeat within one run too.
	printf '%s\n' '{"sensor":"s","at":"2024-06-01T00:01:00Z","value":"2.50"}' \
		'{"sensor":"t","at":1717200000,"value":3}' \
		'{"sensor":"t","at":"2024-06-01T00:00:00Z","value":3.0}' > again.ndjson
	run -0 --separate-stderr ft-ingest --kind readings - < again.ndjson
	[ "$output" = '{"sensor":"t","at":"2024-06-01T00:00:00Z","value":3}' ]
	[ "${stderr% (*}" = 'ft-ingest: stdin: 3 records: 1 new, 0 updated, 2 unchanged, 0 rejected' ]
	[ "$(sql 'select count(*) from readings')" = 4 ]
	[ "$(sql 'select ingest, records, inserted, unchanged from ingests order by ingest')" = '1|3|3|0
2|3|0|3
3|3|1|2' ]
}

@test "ft-ingest readings: another value for a stored key is rejected, in input order; --upsert replaces it" {
	printf '%s\n' '{"sensor":"b","at":1717200000,"value":1}' '{"sensor":"a","at":1717200000,"value":1}' > r.ndjson
	run -0 --separate-stderr ft-ingest -q --kind readings r.ndjson
	# Line 1 is later than line 3 in the key's order: the messages keep the input's.
	printf '%s\n' '{"sensor":"b","at":1717200000,"value":2}' \
		'{"sensor":"c","at":1717200000,"value":5}' \
		'{"sensor":"a","at":1717200000,"value":1.5}' \
		'{"sensor":"c","at":1717200000,"value":6}' > c.ndjson
	run -1 --separate-stderr ft-ingest --kind readings --rejects rej.ndjson c.ndjson
	[ "$output" = '{"sensor":"c","at":"2024-06-01T00:00:00Z","value":5}' ]
	[ "${stderr_lines[0]}" = 'ft-ingest: c.ndjson:1: stored already with another value (--upsert replaces it)' ]
	[ "${stderr_lines[1]}" = 'ft-ingest: c.ndjson:3: stored already with another value (--upsert replaces it)' ]
	[ "${stderr_lines[2]}" = 'ft-ingest: c.ndjson:4: stored already with another value (--upsert replaces it)' ]
	[ "${stderr_lines[3]% (*}" = 'ft-ingest: c.ndjson: 4 records: 1 new, 0 updated, 0 unchanged, 3 rejected' ]
	[ "${#stderr_lines[@]}" = 4 ]
	[ "$(jq -c '[.line, .reason, .raw]' rej.ndjson)" = '[1,"stored already with another value (--upsert replaces it)","{\"sensor\":\"b\",\"at\":1717200000,\"value\":2}"]
[3,"stored already with another value (--upsert replaces it)","{\"sensor\":\"a\",\"at\":1717200000,\"value\":1.5}"]
[4,"stored already with another value (--upsert replaces it)","{\"sensor\":\"c\",\"at\":1717200000,\"value\":6}"]' ]
	[ "$(sql 'select sensor, value, ingest from readings order by sensor')" = 'a|1.0|1
b|1.0|1
c|5.0|2' ]
	run -0 --separate-stderr ft-ingest --kind readings --upsert c.ndjson
	[ "$output" = '{"sensor":"b","at":"2024-06-01T00:00:00Z","value":2}
{"sensor":"a","at":"2024-06-01T00:00:00Z","value":1.5}
{"sensor":"c","at":"2024-06-01T00:00:00Z","value":6}' ]
	[ "${stderr% (*}" = 'ft-ingest: c.ndjson: 4 records: 0 new, 3 updated, 1 unchanged, 0 rejected' ]
	[ "$(sql 'select sensor, value, ingest from readings order by sensor')" = 'a|1.5|3
b|2.0|3
c|6.0|3' ]
}

@test "ft-ingest readings: each bad field rejects its record with file, line and field; the rest go in (1)" {
	cat > bad.ndjson <<'JSON'
{"at":"2024-06-01T00:00:00Z","value":1}
{"sensor":"  ","at":"2024-06-01T00:00:00Z","value":1}
{"sensor":{"id":1},"at":"2024-06-01T00:00:00Z","value":1}
{"sensor":"s","metric":[1],"at":"2024-06-01T00:00:00Z","value":1}
{"sensor":"s","value":1}
{"sensor":"s","at":"yesterday","value":1}
{"sensor":"s","at":true,"value":1}
{"sensor":"s","at":"2024-06-01T00:00:00Z"}
{"sensor":"s","at":"2024-06-01T00:00:00Z","value":"high"}
{"sensor":"s","at":"2024-06-01T00:00:00Z","value":"1e999"}
{"sensor":"s","at":"2024-06-01T00:00:00Z","value":"nan"}
{"sensor":"s","at":"2024-06-01T00:00:00Z","value":"0x10"}
{"sensor":"s","at":"2024-06-01T00:00:00Z","value":false}
{"sensor":"s","at":"2024-06-01T00:00:00Z","value":1,"unit":"m"}
{"sensor":"s","at":"2024-06-01T00:00:00Z","vaule":1}
["s","2024-06-01T00:00:00Z",1]
{"sensor":"ok","at":"2024-06-01T00:00:00Z","value":1}
JSON
	run -1 --separate-stderr ft-ingest --kind readings bad.ndjson
	[ "$output" = '{"sensor":"ok","at":"2024-06-01T00:00:00Z","value":1}' ]
	[ "${stderr_lines[0]}" = 'ft-ingest: bad.ndjson:1: field "sensor": missing' ]
	[ "${stderr_lines[1]}" = 'ft-ingest: bad.ndjson:2: field "sensor": missing' ]
	[ "${stderr_lines[2]}" = 'ft-ingest: bad.ndjson:3: field "sensor": an object, not a string or number' ]
	[ "${stderr_lines[3]}" = 'ft-ingest: bad.ndjson:4: field "metric": an array, not a string or number' ]
	[ "${stderr_lines[4]}" = 'ft-ingest: bad.ndjson:5: field "at": missing' ]
	[ "${stderr_lines[5]}" = 'ft-ingest: bad.ndjson:6: field "at": not an ISO 8601 time or epoch seconds: "yesterday"' ]
	[ "${stderr_lines[6]}" = 'ft-ingest: bad.ndjson:7: field "at": a boolean, not a string or number' ]
	[ "${stderr_lines[7]}" = 'ft-ingest: bad.ndjson:8: field "value": missing' ]
	[ "${stderr_lines[8]}" = 'ft-ingest: bad.ndjson:9: field "value": not a finite number: "high"' ]
	[ "${stderr_lines[9]}" = 'ft-ingest: bad.ndjson:10: field "value": not a finite number: "1e999"' ]
	[ "${stderr_lines[10]}" = 'ft-ingest: bad.ndjson:11: field "value": not a finite number: "nan"' ]
	[ "${stderr_lines[11]}" = 'ft-ingest: bad.ndjson:12: field "value": not a finite number: "0x10"' ]
	[ "${stderr_lines[12]}" = 'ft-ingest: bad.ndjson:13: field "value": a boolean, not a string or number' ]
	[ "${stderr_lines[13]}" = 'ft-ingest: bad.ndjson:14: field "unit": not a field of a reading (sensor, metric, at, value; --map picks them)' ]
	[ "${stderr_lines[14]}" = 'ft-ingest: bad.ndjson:15: field "vaule": not a field of a reading (sensor, metric, at, value; --map picks them)' ]
	[ "${stderr_lines[15]}" = 'ft-ingest: bad.ndjson:16: not a record: an array, not an object' ]
	[ "${stderr_lines[16]% (*}" = 'ft-ingest: bad.ndjson: 17 records: 1 new, 0 updated, 0 unchanged, 16 rejected' ]
	[ "${#stderr_lines[@]}" = 17 ]
	[ "$(sql 'select sensor from readings')" = ok ]
	# A JSON number too large is no finite number either.
	echo '{"sensor":"s","at":"2024-06-01T00:00:00Z","value":1e999}' > big.ndjson
	run -1 --separate-stderr ft-ingest --kind readings - < big.ndjson
	[ "${stderr_lines[0]}" = 'ft-ingest: stdin:1: field "value": not a finite number: "1e999"' ]
}

@test "ft-ingest readings: CSV, TSV and a JSON array are read as for the other kinds" {
	printf 'sensor,metric,at,value\nWL-1,,2024-06-01T00:00:00Z,1.25\nWL-1,level,1717200060,-3\nWL-2,,2024-06-01T00:02:00Z,x\n' > r.csv
	run -1 --separate-stderr ft-ingest --kind readings r.csv
	[ "$output" = '{"sensor":"WL-1","at":"2024-06-01T00:00:00Z","value":1.25}
{"sensor":"WL-1","metric":"level","at":"2024-06-01T00:01:00Z","value":-3}' ]
	[ "${stderr_lines[0]}" = 'ft-ingest: r.csv:4: field "value": not a finite number: "x"' ]
	[ "${stderr_lines[1]% (*}" = 'ft-ingest: r.csv: 3 records: 2 new, 0 updated, 0 unchanged, 1 rejected' ]
	printf 'sensor\tat\tvalue\nWL-3\t2024-06-01T00:03:00Z\t4\n' > r.tsv
	run -0 --separate-stderr ft-ingest --kind readings r.tsv
	[ "$output" = '{"sensor":"WL-3","at":"2024-06-01T00:03:00Z","value":4}' ]
	echo '[{"sensor":"WL-4","at":"2024-06-01T00:04:00Z","value":5},{"sensor":"WL-4","at":"2024-06-01T00:05:00Z","value":6}]' > r.json
	run -0 --separate-stderr ft-ingest --kind readings --no-output r.json
	[ "$output" = '' ]
	[ "${stderr% (*}" = 'ft-ingest: r.json: 2 records: 2 new, 0 updated, 0 unchanged, 0 rejected' ]
	[ "$(sql "select sensor || '/' || metric || '/' || at || '/' || value from readings order by at")" = 'WL-1//1717200000/1.25
WL-1/level/1717200060/-3.0
WL-3//1717200180/4.0
WL-4//1717200240/5.0
WL-4//1717200300/6.0' ]
}

@test "ft-ingest readings: --dry-run prints and counts, writes nothing" {
	printf '%s\n' '{"sensor":"s","at":1717200000,"value":1}' > a.ndjson
	run -0 --separate-stderr ft-ingest -q --kind readings a.ndjson
	printf '%s\n' '{"sensor":"s","at":1717200000,"value":1}' \
		'{"sensor":"s","at":1717200060,"value":2}' \
		'{"sensor":"s","at":1717200060,"value":2}' \
		'{"sensor":"s","at":1717200000,"value":9}' > b.ndjson
	run -1 --separate-stderr ft-ingest --kind readings --dry-run b.ndjson
	[ "$output" = '{"sensor":"s","at":"2024-06-01T00:01:00Z","value":2}' ]
	[ "${stderr_lines[0]}" = 'ft-ingest: b.ndjson:4: stored already with another value (--upsert replaces it)' ]
	[ "${stderr_lines[1]}" = 'ft-ingest: b.ndjson: 4 records: 1 new, 0 updated, 2 unchanged, 1 rejected ('"${stderr_lines[1]#*rejected (}" ]
	[[ "${stderr_lines[1]}" == *' s); dry run, nothing written' ]]
	[ "$(sql 'select count(*) from readings')" = 1 ]
	[ "$(sql 'select count(*) from ingests')" = 1 ]
	run -1 --separate-stderr ft-ingest --kind readings --dry-run --db none.db b.ndjson
	[ ! -e none.db ]
}

@test "ft-ingest readings: new series go in groups, the rest one by one, in batches of any size: the same counts, lines and rows" {
	# 20 series stored (s00, s02, ..., s38) at minutes 0-9, value the minute.
	awk 'BEGIN { for (t = 0; t < 10; t++) for (s = 0; s < 40; s += 2)
		printf "{\"sensor\":\"s%02d\",\"at\":%d,\"value\":%d}\n", s, 1717200000 + 60 * t, t }' > base.ndjson
	# Then rounds of 40 series at minutes 5-14 (a stored series' minute 9
	# with another value), a key of an earlier round again (same value),
	# another with another value, and two keys twice in a row.
	awk 'BEGIN { for (t = 5; t < 15; t++) for (s = 0; s < 40; s++)
		printf "{\"sensor\":\"s%02d\",\"at\":%d,\"value\":%d}\n", s, 1717200000 + 60 * t, s % 2 == 0 && t == 9 ? 99 : t
		print "{\"sensor\":\"s01\",\"at\":1717200420,\"value\":7}"
		print "{\"sensor\":\"s03\",\"at\":1717200480,\"value\":42}"
		print "{\"sensor\":\"s40\",\"at\":1717200000,\"value\":1}"
		print "{\"sensor\":\"s40\",\"at\":1717200000,\"value\":1}"
		print "{\"sensor\":\"s41\",\"at\":1717200000,\"value\":1}"
		print "{\"sensor\":\"s41\",\"at\":1717200000,\"value\":2}" }' > more.ndjson
	# The records new, made apart: odd series, minutes 10 on, s40 and s41 once.
	awk 'BEGIN { for (t = 5; t < 15; t++) for (s = 0; s < 40; s++) if (s % 2 || t >= 10)
		printf "{\"sensor\":\"s%02d\",\"at\":\"2024-06-01T00:%02d:00Z\",\"value\":%d}\n", s, t, t
		print "{\"sensor\":\"s40\",\"at\":\"2024-06-01T00:00:00Z\",\"value\":1}"
		print "{\"sensor\":\"s41\",\"at\":\"2024-06-01T00:00:00Z\",\"value\":1}" }' > new.ndjson
	[ "$(wc -l < new.ndjson)" = 302 ]
	for b in 1 7 100 2000; do
		export FT_DB="$BATS_TEST_TMPDIR/b$b.db"
		run -0 --separate-stderr ft-ingest --kind readings --batch "$b" --no-output base.ndjson
		[ "${stderr% (*}" = 'ft-ingest: base.ndjson: 200 records: 200 new, 0 updated, 0 unchanged, 0 rejected' ]
		run -1 --separate-stderr ft-ingest --kind readings --batch "$b" more.ndjson
		[ "$output" = "$(cat new.ndjson)" ]
		[ "${stderr_lines[0]}" = 'ft-ingest: more.ndjson:161: stored already with another value (--upsert replaces it)' ]
		[ "${stderr_lines[19]}" = 'ft-ingest: more.ndjson:199: stored already with another value (--upsert replaces it)' ]
		[ "${stderr_lines[20]}" = 'ft-ingest: more.ndjson:402: stored already with another value (--upsert replaces it)' ]
		[ "${stderr_lines[21]}" = 'ft-ingest: more.ndjson:406: stored already with another value (--upsert replaces it)' ]
		[ "${stderr_lines[22]% (*}" = 'ft-ingest: more.ndjson: 406 records: 302 new, 0 updated, 82 unchanged, 22 rejected' ]
		[ "${#stderr_lines[@]}" = 23 ]
		[ "$(sql 'select count(*), sum(value), sum(ingest = 2) from readings')" = '502|4002.0|302' ]
		[ "$(sql "select value from readings where sensor = 's02' and at = 1717200540")" = '9.0' ]
		run -1 --separate-stderr ft-ingest --kind readings --batch "$b" more.ndjson
		[ "$output" = '' ]
		[ "${stderr_lines[22]% (*}" = 'ft-ingest: more.ndjson: 406 records: 0 new, 0 updated, 384 unchanged, 22 rejected' ]
		[ "$(sql 'select count(*), sum(value) from readings')" = '502|4002.0' ]
	done
}

@test "ft-ingest readings: a real NAB road sensor series through --map, every row once, and once only" {
	corpus_or_skip
	f="$CORPUS/nab/data/realTraffic/speed_7578.csv"
	# The count made apart: the data rows (the file has no final newline).
	n=$(tail -n +2 "$f" | grep -c .)
	[ "$n" = 1127 ]
	map='{sensor: "7578", metric: "speed", at: .timestamp, value}'
	run -0 --separate-stderr ft-ingest --kind readings --map "$map" --no-output "$f"
	[ "${stderr% (*}" = "ft-ingest: $f: $n records: $n new, 0 updated, 0 unchanged, 0 rejected" ]
	[ "$(sql "select count(*), count(distinct at) from readings where sensor = '7578' and metric = 'speed'")" = "$n|$n" ]
	# First and last rows, as the file has them (times read as UTC: no TZ).
	[ "$(sql "select datetime(min(at), 'unixepoch'), datetime(max(at), 'unixepoch') from readings")" = "2015-09-08 11:39:00|2015-09-17 14:05:00" ]
	[ "$(sql "select value from readings order by at limit 1")" = "$(sed -n 2p "$f" | cut -d, -f2).0" ]
	[ "$(sql 'select sum(value) from readings')" = "$(tail -n +2 "$f" | awk -F, '{s += $2} END {printf "%.1f", s}')" ]
	run -0 --separate-stderr ft-ingest --kind readings --map "$map" "$f"
	[ "$output" = '' ]
	[ "${stderr% (*}" = "ft-ingest: $f: $n records: 0 new, 0 updated, $n unchanged, 0 rejected" ]
}

@test "ft-ingest readings: --help names the kind, and a wrong kind is told the four" {
	run -0 --separate-stderr ft-ingest --help
	[[ "$output" == *"events (the default), units, facilities or"*"readings"* ]]
	run -64 --separate-stderr ft-ingest --kind reading /dev/null
	[ "${stderr_lines[0]}" = 'ft-ingest: --kind: "reading" is not events, units, facilities or readings' ]
}

# ---- a first bulk load out of time order (issue 15) ----

# bigevents ORDER FILE: 110,000 events of 370 bytes (38 MB, past the 32 MiB
# from which a load may build the time indexes after its rows), their ids
# and reported_at rising (ordered) or permuted (random: i * 7919 mod n).
bigevents() {
	awk -v order="$1" 'BEGIN {
		n = 110000; pad = sprintf("%300s", ""); gsub(/ /, "x", pad)
		for (i = 0; i < n; i++) {
			m = order == "random" ? (i * 7919) % n : i
			d = int(m / 1440)
			printf "{\"id\":\"b-%06d\",\"category\":\"noise\",\"text\":\"%s\",\"reported_at\":\"2024-%02d-%02dT%02d:%02d:00Z\"}\n", \
				m, pad, 6 + int(d / 28), 1 + d % 28, int((m % 1440) / 60), m % 60
		}
	}' >"$2"
}

# events_indexes: the indexes of events in the order they were made.
events_indexes() {
	sql "select group_concat(name, ' ') from (select name from sqlite_schema
	     where type = 'index' and tbl_name = 'events' order by rowid)"
}

@test "ft-ingest bulk: a big file out of time and id order into no events builds the time indexes and the unique one on id after its rows; in order, row by row" {
	bigevents random r.ndjson
	bigevents ordered o.ndjson
	[ "$(wc -c <r.ndjson)" -gt $((32 * 1024 * 1024)) ]
	run -0 --separate-stderr ft-ingest --no-output r.ndjson
	[ "${stderr% (*}" = "ft-ingest: r.ndjson: 110000 records: 110000 new, 0 updated, 0 unchanged, 0 rejected" ]
	# Dropped at the first batch, built at the end: made last.  The table
	# is made again without its UNIQUE constraint: events_id keeps the ids.
	[ "$(events_indexes)" = "events_category events_facility events_open events_id events_reported_at events_pending" ]
	[ "$(sql "select sql from sqlite_schema where name = 'events_id'")" = "CREATE UNIQUE INDEX events_id ON events(id)" ]
	[ "$(sql "select count(*) from events indexed by events_id where id >= 'b-100000'")" = 10000 ]
	[ "$(sql 'pragma integrity_check')" = ok ]
	[ "$(sql "select count(*) from events indexed by events_pending where dispatched_at is null and status = 'new' and reported_at >= '2024-06-01'")" = 110000 ]
	[ "$(sql "select count(*) from events indexed by events_reported_at where reported_at >= '2024-07-01'")" = 69680 ]
	r=$(sql 'select id, reported_at, text, status from events order by id' | md5sum)
	export FT_DB="$BATS_TEST_TMPDIR/o.db"
	run -0 --separate-stderr ft-ingest --no-output o.ndjson
	[ "$(events_indexes)" = "sqlite_autoindex_events_1 events_reported_at events_pending events_category events_facility events_open" ]
	[ "$(sql 'select id, reported_at, text, status from events order by id' | md5sum)" = "$r" ]
	# Into a table that holds events already: row by row.
	export FT_DB="$BATS_TEST_TMPDIR/x.db"
	printf '{"id":"x","category":"noise","reported_at":"2024-06-01T00:00:00Z"}\n' >x.ndjson
	run -0 --separate-stderr ft-ingest -q --no-output x.ndjson r.ndjson
	[ "$(events_indexes)" = "sqlite_autoindex_events_1 events_reported_at events_pending events_category events_facility events_open" ]
	[ "$(sql 'select count(*) from events')" = 110001 ]
}

@test "ft-ingest bulk: a load stopped before it built the time indexes leaves them missing until the next open, which builds them" {
	run -0 --separate-stderr ft-ingest -q --no-output /dev/null
	sql 'drop index events_reported_at; drop index events_pending'
	[ "$(events_indexes)" = "sqlite_autoindex_events_1 events_category events_facility events_open" ]
	# A dry run and a read-only open change nothing; a writer's open does.
	run -0 --separate-stderr ft-ingest -q --dry-run --no-output /dev/null
	[ "$(events_indexes)" = "sqlite_autoindex_events_1 events_category events_facility events_open" ]
	printf '{"id":"a","category":"noise","reported_at":"2024-06-01T00:00:00Z"}\n' | ft-ingest -q --no-output
	[ "$(events_indexes)" = "sqlite_autoindex_events_1 events_category events_facility events_open events_reported_at events_pending" ]
	[ "$(sql "select sql from sqlite_schema where name = 'events_pending'")" = "CREATE INDEX events_pending ON events(reported_at)  WHERE dispatched_at IS NULL AND status = 'new'" ]
	[ "$(sql 'pragma integrity_check')" = ok ]
}

# bigdups FILE: bigevents random with three ids repeated: line 31 is line
# 30 with another category (in the same batch), line 50002 line 10 again,
# line 60003 line 20 with another category.
bigdups() {
	bigevents random big.tmp
	awk 'NR == 10 { s10 = $0 } NR == 20 { s20 = $0 }
		{ print }
		NR == 30 { x = $0; sub(/"noise"/, "\"water\"", x); print x }
		NR == 50000 { print s10 }
		NR == 60000 { x = s20; sub(/"noise"/, "\"water\"", x); print x }' big.tmp >"$1"
	rm big.tmp
}

@test "ft-ingest bulk: ids repeated in a big file out of id order are found while the index on id waits: the first stored, the same again unchanged, another content rejected or, with --upsert, replaced; a rerun changes nothing" {
	bigdups r.ndjson
	[ "$(wc -l <r.ndjson)" = 110003 ]
	id10=$(sed -n 10p r.ndjson | jq -r .id)
	id20=$(sed -n 20p r.ndjson | jq -r .id)
	id30=$(sed -n 30p r.ndjson | jq -r .id)
	[ "$(sed -n 31p r.ndjson | jq -r .id)" = "$id30" ]
	[ "$(sed -n 50002p r.ndjson)" = "$(sed -n 10p r.ndjson)" ]
	[ "$(sed -n 60003p r.ndjson | jq -r .id)" = "$id20" ]
	run -1 --separate-stderr ft-ingest --no-output r.ndjson
	[ "${#stderr_lines[@]}" = 3 ]
	[ "${stderr_lines[0]}" = "ft-ingest: r.ndjson:31: id \"$id30\": stored already with other content (--upsert replaces it)" ]
	[ "${stderr_lines[1]}" = "ft-ingest: r.ndjson:60003: id \"$id20\": stored already with other content (--upsert replaces it)" ]
	[ "${stderr_lines[2]% (*}" = "ft-ingest: r.ndjson: 110003 records: 110000 new, 0 updated, 1 unchanged, 2 rejected" ]
	[ "$(events_indexes)" = "events_category events_facility events_open events_id events_reported_at events_pending" ]
	[ "$(sql 'select count(*), count(distinct id) from events')" = "110000|110000" ]
	[ "$(sql "select category, line from events where id in ('$id10', '$id20', '$id30') order by line")" = "noise|10
noise|20
noise|30" ]
	[ "$(sql 'pragma integrity_check')" = ok ]
	r=$(sql 'select seq, id, category, reported_at, text from events order by seq' | md5sum)
	# Again: the index on id is there now; the same answers.
	run -1 --separate-stderr ft-ingest --no-output r.ndjson
	[ "${#stderr_lines[@]}" = 3 ]
	[ "${stderr_lines[0]}" = "ft-ingest: r.ndjson:31: id \"$id30\": stored already with other content (--upsert replaces it)" ]
	[ "${stderr_lines[1]}" = "ft-ingest: r.ndjson:60003: id \"$id20\": stored already with other content (--upsert replaces it)" ]
	[ "${stderr_lines[2]% (*}" = "ft-ingest: r.ndjson: 110003 records: 0 new, 0 updated, 110001 unchanged, 2 rejected" ]
	[ "$(sql 'select seq, id, category, reported_at, text from events order by seq' | md5sum)" = "$r" ]
	# --upsert: the two others replace what their id stored, in line order.
	export FT_DB="$BATS_TEST_TMPDIR/u.db"
	run -0 --separate-stderr ft-ingest --upsert r.ndjson
	[ "${stderr% (*}" = "ft-ingest: r.ndjson: 110003 records: 110000 new, 2 updated, 1 unchanged, 0 rejected" ]
	[ "${#lines[@]}" = 110002 ]
	[ "$(printf '%s\n' "$output" | jq -c "select(.id == \"$id30\" or .id == \"$id20\") | [.id, .category]")" = "[\"$id20\",\"noise\"]
[\"$id30\",\"noise\"]
[\"$id30\",\"water\"]
[\"$id20\",\"water\"]" ]
	[ "$(sql "select category, line from events where id in ('$id10', '$id20', '$id30') order by id = '$id10' desc, id = '$id20' desc")" = "noise|10
water|60003
water|31" ]
	[ "$(sql "select id, action from history where action = 'upsert' order by seq")" = "$id30|upsert
$id20|upsert" ]
	[ "$(events_indexes)" = "events_category events_facility events_open events_id events_reported_at events_pending" ]
	run -0 --separate-stderr ft-update --verify
}

@test "ft-ingest bulk: a load killed while the index on id waits leaves its committed rows; the next open builds the index, and the rerun stores what one run would" {
	bigdups r.ndjson
	ft-ingest -q --no-output --db one.db r.ndjson 2>/dev/null || [ $? = 1 ]
	ft-ingest -q --no-output r.ndjson 2>/dev/null &
	kill_when_past 'select count(*) from events' 4000 1000 0.02 $!
	n=$(sql 'select count(*) from events')
	[ "$n" -gt 4000 ] && [ "$n" -lt 110000 ]
	# No index on id, nor on the time, until a tool opens it to write.
	[ "$(events_indexes)" = "events_category events_facility events_open" ]
	[ "$(sql 'select status from ingests')" = running ]
	run -1 --separate-stderr ft-ingest --no-output r.ndjson
	[ "${#stderr_lines[@]}" = 4 ]
	[ "${stderr_lines[0]}" = 'ft-ingest: warning: ingest 1 ("r.ndjson", started 2026-11-25T12:00:00Z) was interrupted: no process runs it any more; marked failed' ]
	[ "${stderr_lines[1]}" = "ft-ingest: r.ndjson:31: id \"$(sed -n 30p r.ndjson | jq -r .id)\": stored already with other content (--upsert replaces it)" ]
	[ "${stderr_lines[2]}" = "ft-ingest: r.ndjson:60003: id \"$(sed -n 20p r.ndjson | jq -r .id)\": stored already with other content (--upsert replaces it)" ]
	[ "${stderr_lines[3]% (*}" = "ft-ingest: r.ndjson: 110003 records: $((110000 - n)) new, 0 updated, $((n + 1)) unchanged, 2 rejected" ]
	[ "$(events_indexes)" = "events_category events_facility events_open events_id events_reported_at events_pending" ]
	[ "$(sql 'select status from ingests order by ingest')" = "failed
done" ]
	[ "$(sql 'select seq, id, category, reported_at, text, line from events order by seq' | md5sum)" = "$(sqlite3 one.db 'select seq, id, category, reported_at, text, line from events order by seq' | md5sum)" ]
	[ "$(sql 'pragma integrity_check')" = ok ]
	run -0 --separate-stderr ft-update --verify
}

@test "ft-ingest bulk: a big file in time order whose ids come from the content (in no order) builds only the index on id after its rows; a record repeated is unchanged" {
	bigevents ordered o.ndjson
	# No id: each is "h-" and a digest of the content; line 70001 repeats line 5.
	sed 's/^{"id":"b-[0-9]*",/{/' o.ndjson | awk '{ print } NR == 70000 { print l5 } NR == 5 { l5 = $0 }' >h.ndjson
	[ "$(sed -n 70001p h.ndjson)" = "$(sed -n 5p h.ndjson)" ]
	run -0 --separate-stderr ft-ingest --no-output h.ndjson
	[ "${stderr% (*}" = "ft-ingest: h.ndjson: 110001 records: 110000 new, 0 updated, 1 unchanged, 0 rejected" ]
	# The table made again with its indexes in their order; events_id last.
	[ "$(events_indexes)" = "events_reported_at events_pending events_category events_facility events_open events_id" ]
	[ "$(sql "select count(*), count(distinct id), min(substr(id, 1, 2)) from events")" = "110000|110000|h-" ]
	[ "$(sql 'select line from events where seq = 5')" = 5 ]
	[ "$(sql 'pragma integrity_check')" = ok ]
}

# ---- a regular file read and parsed ahead by a thread (issue 13) ----
# lib/ft_input.c reads a regular file ahead in chunks of up to 1024 records
# or 64 KiB of text (the first test's first chunk ends at line 1010); a pipe
# is read as it comes.  Both must give the same records, lines, raw texts,
# reasons, counts and end.

# events N: N events, one a line, ids e1..eN.
events() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
		printf "{\"id\":\"e%d\",\"category\":\"x\",\"reported_at\":\"2026-01-01T00:00:00Z\"}\n", i }'
}

# same_through_pipe FILE STATUS ARGS...: ft-ingest ARGS on FILE, then on
# FILE through a pipe into another database: the same status, output,
# messages (with "stdin" for the name), rejects and rows.
same_through_pipe() {
	local f=$1 st=$2
	shift 2
	run "-$st" --separate-stderr ft-ingest --db file.db --rejects rej-file.ndjson "$@" "$f"
	local out=$output err=${stderr// (+([0-9.]) s)/}
	run "-$st" --separate-stderr ft-ingest --db pipe.db --rejects rej-pipe.ndjson "$@" - < <(cat "$f")
	[ "$output" = "$out" ]
	[ "${stderr// (+([0-9.]) s)/}" = "${err//$f/stdin}" ]
	[ "$(jq -c 'del(.file)' rej-file.ndjson)" = "$(jq -c 'del(.file)' rej-pipe.ndjson)" ]
	[ "$(sqlite3 file.db 'select id, line, record from events order by seq')" = \
		"$(sqlite3 pipe.db 'select id, line, record from events order by seq')" ]
}

@test "ft-ingest read ahead: records rejected in the middle of a big file, in later chunks and after a record over 16 MiB, keep their lines and raw text; the rest is stored, as through a pipe" {
	shopt -s extglob
	{
		events 1023
		echo '{"id":"bad1","category":'
		printf '{"id":"nocat","reported_at":"2026-01-01T00:00:00Z"}\r\n'
		events 1000 | sed 's/"e/"f/'
		printf '{"id":"big","category":"x","reported_at":"2026-01-01T00:00:00Z",'
		big_text 270000	# 17 MB
		echo '}'
		echo
		echo '{"id":"when","category":"x","reported_at":"yesterday"}'
		events 1500 | sed 's/"e/"g/'
	} > big.ndjson
	run -1 --separate-stderr ft-ingest -q --no-output --rejects rej.ndjson big.ndjson
	[ "$output" = "" ]
	[ "$stderr" = 'ft-ingest: big.ndjson:1024: invalid JSON: expected a value (column 25)
ft-ingest: big.ndjson:1025: field "category": missing
ft-ingest: big.ndjson:2026: record larger than 16 MiB
ft-ingest: big.ndjson:2028: field "reported_at": not an ISO 8601 time or epoch seconds: "yesterday"' ]
	[ "$(jq -c '[.line, .reason, (.raw | length)]' rej.ndjson)" = '[1024,"invalid JSON: expected a value (column 25)",24]
[1025,"field \"category\": missing",51]
[2026,"record larger than 16 MiB",1024]
[2028,"field \"reported_at\": not an ISO 8601 time or epoch seconds: \"yesterday\"",54]' ]
	[ "$(jq -r 'select(.line != 2026) | .raw' rej.ndjson)" = '{"id":"bad1","category":
{"id":"nocat","reported_at":"2026-01-01T00:00:00Z"}
{"id":"when","category":"x","reported_at":"yesterday"}' ]
	[ "$(sql "select count(*), min(line), max(line) from events")" = "3523|1|3528" ]
	[ "$(sql "select group_concat(id || ':' || line) from events where id in ('e1023', 'f1', 'f1000', 'g1', 'g1500')")" = \
		"e1023:1023,f1:1026,f1000:2025,g1:2029,g1500:3528" ]
	same_through_pipe big.ndjson 1
}

@test "ft-ingest read ahead: a big JSON array unusable at its end: the rejects before it, then its reason at its line, then the summary; the records before are stored, as through a pipe" {
	shopt -s extglob
	{
		echo '['
		events 700 | sed 's/$/,/'
		echo '7,'
		events 600 | sed 's/"e/"f/; s/$/,/'
		printf '{"id":"cut","category":"x",\n"reported_at":'
	} > cut.json
	run -65 --separate-stderr ft-ingest --no-output --rejects rej.ndjson cut.json
	[ "${stderr// (+([0-9.]) s)/}" = 'ft-ingest: cut.json:702: not a record: a number, not an object
ft-ingest: cut.json:1303: invalid JSON: unterminated array
ft-ingest: cut.json: 1301 records: 1300 new, 0 updated, 0 unchanged, 1 rejected' ]
	[ "$(sql "select count(*), max(line) from events")" = "1300|1302" ]
	[ "$(sql 'select status from ingests')" = failed ]
	same_through_pipe cut.json 65 --no-output
}

@test "ft-ingest read ahead: bytes not in the encoding of a big file are replaced and counted, as through a pipe" {
	shopt -s extglob
	{
		echo 'id,category,reported_at,title'
		awk 'BEGIN { for (i = 1; i <= 1200; i++) {
			t = "噪音扰民"
			if (i == 300 || i == 1024 || i == 1025)
				t = "bad"
			printf "c%d,noise,2026-01-01T00:00:00Z,%s\n", i, t } }'
	} | iconv -f UTF-8 -t GB18030 | sed 's/bad/b\xff\xffd/' > gb.csv
	run -0 --separate-stderr ft-ingest --no-output --encoding GB18030 gb.csv
	[ "${stderr// (+([0-9.]) s)/}" = 'ft-ingest: gb.csv: 1200 records: 1200 new, 0 updated, 0 unchanged, 0 rejected; 6 bytes not in GB18030 replaced by U+FFFD' ]
	[ "$(sql "select title from events where id in ('c299', 'c300', 'c1025') order by seq")" = '噪音扰民
b��d
b��d' ]
	same_through_pipe gb.csv 0 --no-output --encoding GB18030
}
