# Shared set-up for the bats suites: each test gets its own database and a
# PATH that finds the tools under test first.
# shellcheck shell=bash

: "${FT_BIN:=$BATS_TEST_DIRNAME/../bin}"
CORPUS="$BATS_TEST_DIRNAME/../../shared/corpus"
# shellcheck disable=SC2034 # used by the .bats files that load this one
FIXTURES="$BATS_TEST_DIRNAME/fixtures"

common_setup() {
	export FT_DB="$BATS_TEST_TMPDIR/ft.db"
	export FT_NOW="2026-11-25T12:00:00Z"
	export FT_USER="tester"
	unset TZ
	if [ "${FT_VALGRIND:-0}" = 1 ]; then
		mkdir -p "$BATS_TEST_TMPDIR/vg"
		for t in "$FT_BIN"/ft-*; do
			n=$(basename "$t")
			printf '#!/bin/sh\nexec valgrind -q --error-exitcode=70 --leak-check=full --errors-for-leak-kinds=definite "%s" "$@"\n' "$t" > "$BATS_TEST_TMPDIR/vg/$n"
			chmod +x "$BATS_TEST_TMPDIR/vg/$n"
		done
		PATH="$BATS_TEST_TMPDIR/vg:$PATH"
	else
		PATH="$FT_BIN:$PATH"
	fi
	export PATH
}

# sql QUERY: runs QUERY on the test database.
sql() {
	sqlite3 -batch "$FT_DB" "$1"
}

# corpus_or_skip: the real-data tests need ../shared/corpus beside the tree.
corpus_or_skip() {
	[ -d "$CORPUS" ] || skip "no ../shared/corpus"
}

# lines_within FILE N: waits up to 20 s for FILE to hold N lines, else
# fails saying how many it holds.  For the pipelines that must deliver a
# record before their input ends.
lines_within() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(wc -l < "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "$1 holds $(wc -l < "$1") lines after 20 s, want $2" >&2
	return 1
}

# feed_start CMD...: runs CMD in the background with its standard input
# the pipe in.fifo, whose writing end is fd 7 (bats keeps 3 for itself),
# its output in out.ndjson and its messages in err.txt.  feed_end closes
# the pipe and waits for CMD, returning its status.
feed_start() {
	mkfifo in.fifo
	"$@" < in.fifo > out.ndjson 2> err.txt 3>&- &
	feed_pid=$!
	exec 7> in.fifo
}

feed_end() {
	exec 7>&-
	wait "$feed_pid"
}

# ro_dir: a new directory $RO that user nobody can reach and read, for the
# read-only tests (the test's own directory is private to its owner).
# Remove it with rm_ro.
ro_dir() {
	RO=$(mktemp -d "${TMPDIR:-/tmp}/ft-ro.XXXXXX")
	chmod 755 "$RO"
}

rm_ro() {
	chmod -R u+w "$RO" 2>/dev/null
	rm -rf "$RO"
}

# as_reader CMD...: runs CMD without the power to write what chmod made
# read-only.  Root ignores file modes, so as root CMD runs as nobody (by
# setpriv or runuser, both in util-linux); else as is.  Skips the test
# when root has neither.
as_reader() {
	if [ "$(id -u)" != 0 ]; then
		"$@"
	elif command -v setpriv > /dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
	elif command -v runuser > /dev/null; then
		runuser -u nobody -- "$@"
	else
		skip "running as root with neither setpriv nor runuser: chmod does not stop root"
	fi
}

# readme_block NAME: the code of README.md's block between the lines
# "<!-- readme-test: NAME -->" and "<!-- /readme-test -->", its four spaces
# of indent taken off (blank lines left out); fails when there is none.
readme_block() {
	local block
	block=$(awk -v want="<!-- readme-test: $1 -->" '
		$0 == want { on = 1; next }
		/^<!-- \/readme-test -->$/ { on = 0 }
		on && /^    / { print substr($0, 5) }' \
		"$BATS_TEST_DIRNAME/../README.md")
	[ -n "$block" ] || { echo "README.md: no readme-test block \"$1\"" >&2; return 1; }
	printf '%s\n' "$block"
}

# readme_transcript NAME: README.md's block NAME as a session ("$ command"
# lines, each followed by what it prints) split in the current directory
# into the files it shows ("$ cat FILE" followed by FILE's lines),
# session.sh (its commands, in order; a line ending in a backslash goes on
# on the next) and session.out (what they print, standard output and
# error together, in order).
readme_transcript() {
	readme_block "$1" > session.txt || return
	awk '
		cont { print > "session.sh"; cont = /\\$/; next }
		/^\$ / {
			cmd = substr($0, 3)
			print cmd > "session.sh"
			cont = /\\$/
			file = ""
			if (cmd ~ /^cat [^ ]+$/) {
				file = substr(cmd, 5)
				printf "" > file
			}
			next
		}
		{
			print > "session.out"
			if (file != "")
				print >> file
		}' session.txt
}

# DEMO_NOW: the time tools/demo.sh runs the district at (its FT_NOW).
DEMO_NOW=2026-08-30T06:00:00+08:00

# demo_district DIR [N]: a district as tools/demo.sh makes one, in DIR:
# tools/gendistrict.c's files (with N events, else as many as the demo's),
# and DIR/ft.db with the units and facilities loaded at DEMO_NOW.  Skips
# the test when there is no C compiler.
demo_district() {
	local root="$BATS_TEST_DIRNAME/.."

	command -v "${CC:-cc}" > /dev/null ||
		skip "no C compiler for tools/gendistrict.c"
	"${CC:-cc}" -std=c17 -D_POSIX_C_SOURCE=200809L -O1 \
		-o "$BATS_TEST_TMPDIR/gendistrict" "$root/tools/gendistrict.c"
	mkdir -p "$1"
	"$BATS_TEST_TMPDIR/gendistrict" ${2:+-n "$2"} "$1" > "$1/generated.txt"
	FT_DB="$1/ft.db" FT_NOW=$DEMO_NOW FT_USER=demo \
		ft-ingest -q --no-output -k units "$1/units.ndjson"
	FT_DB="$1/ft.db" FT_NOW=$DEMO_NOW FT_USER=demo \
		ft-ingest -q --no-output -k facilities "$1/facilities.ndjson"
}

# demo_db DIR [N]: demo_district DIR N, then its season of events loaded
# (the bad ones, on purpose, rejected into DIR/rejects.ndjson; what was
# stored printed to DIR/events.ndjson) and dispatched by
# tools/demo/dispatch.json, at DEMO_NOW, as tools/demo.sh does.
demo_db() {
	local st=0

	demo_district "$@"
	FT_DB="$1/ft.db" FT_NOW=$DEMO_NOW FT_USER=demo \
		ft-ingest -q --rejects "$1/rejects.ndjson" "$1/events.csv" \
		> "$1/events.ndjson" 2> /dev/null || st=$?
	[ "$st" = 1 ] ||
		{ echo "demo_db: ft-ingest: exit status $st, expected 1" >&2; return 1; }
	FT_DB="$1/ft.db" FT_NOW=$DEMO_NOW FT_USER=demo \
		ft-dispatch -q --no-output --tz Asia/Shanghai \
		--rules "$BATS_TEST_DIRNAME/../tools/demo/dispatch.json" \
		"$1/events.ndjson"
}

# A run killed halfway: waits (up to TRIES times SECS) until the count
# QUERY gives on $FT_DB is past MIN, then kills PID with SIGKILL and reaps it.
kill_when_past() {
	local query=$1 min=$2 tries=$3 secs=$4 pid=$5 n
	for _ in $(seq "$tries"); do
		n=$(sqlite3 "$FT_DB" "$query" 2>/dev/null || echo 0)
		[ "${n:-0}" -gt "$min" ] && break
		sleep "$secs"
	done
	kill -9 "$pid"
	wait "$pid" || true
}
