#!/usr/bin/env bats
# lib/ft_time's memo (ft_time_parse_memo(), which ft-warn reads its
# records' times with), through tests/unit/time.c (ft-time, built by make
# check beside the tools): the same instant or error as ft_time_parse()
# for every time, one after the other, whether it is the time before
# again, the same day and offset at another time, or anything else.

bats_require_minimum_version 1.5.0
load helpers/common

setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR" || exit 1
	TM="$(dirname "$(readlink -f "$FT_BIN/ft-ingest")")/../test/ft-time"
	export TZ=UTC
}

# epoch TIME: TIME's epoch seconds, as GNU date reads it.
epoch() {
	date -u -d "$1" +%s
}

@test "time: the memo gives each time the instant date(1) gives it: again, the same day and offset at other times, another day, another offset" {
	printf '%s\n' 2024-06-01T00:00:34+08:00 2024-06-01T00:00:34+08:00 \
		2024-06-01T23:59:59+08:00 2024-06-01T00:00:00+08:00 \
		2024-06-02T00:00:00+08:00 2024-06-02T13:07:45-05:30 \
		2024-06-02T01:00:00-05:30 2024-06-02T01:00:00Z \
		2024-06-02T22:10:00Z 2024-02-29T12:00:00Z 2024-02-29t11:00:00z \
		'2024-02-29 10:00:00Z' '2024-02-29 09:00:00+00:00' > in
	run -0 --separate-stderr "$TM" < in
	want=
	while read -r t; do
		want="$want${want:+
}T $(epoch "$t")"
	done < in
	[ "$output" = "$want" ]
	[ "$stderr" = "" ]
}

@test "time: what the memo must not take for the same day at another time is parsed whole: 24:00, a leap second, a fraction, no offset, trailing space, a time or date that does not exist, out of range" {
	printf '%s\n' 2024-06-01T12:00:00Z 2024-06-01T24:00:00Z \
		2024-06-01T12:00:00Z 2024-06-01T23:59:60Z \
		2024-06-01T12:00:00Z 2024-06-01T12:00:00.5Z \
		2024-06-01T12:00:00Z '2024-06-01T12:00:01Z ' \
		2024-06-01T12:00:00Z 2024-06-01T25:00:00Z \
		2024-06-01T12:00:00Z 2024-06-01T12:60:00Z \
		2024-06-01T12:00:00Z 2024-06-01T12:00:00 \
		2024-06-01T12:00:00Z 2024-06-31T12:00:00Z \
		9999-12-31T22:00:00-01:00 9999-12-31T23:30:00-01:00 \
		9999-12-31T22:00:00-01:00 \
		0000-01-01T02:00:00+01:00 0000-01-01T00:30:00+01:00 > in
	run -0 --separate-stderr "$TM" < in
	[ "$output" = "T $(epoch 2024-06-01T12:00:00Z)
T $(epoch 2024-06-02T00:00:00Z)
T $(epoch 2024-06-01T12:00:00Z)
T $(epoch 2024-06-01T23:59:59Z)
T $(epoch 2024-06-01T12:00:00Z)
T $(epoch 2024-06-01T12:00:00Z)
T $(epoch 2024-06-01T12:00:00Z)
T $(epoch 2024-06-01T12:00:01Z)
T $(epoch 2024-06-01T12:00:00Z)
ERR no such time of day
T $(epoch 2024-06-01T12:00:00Z)
ERR no such time of day
T $(epoch 2024-06-01T12:00:00Z)
T $(epoch 2024-06-01T12:00:00Z)
T $(epoch 2024-06-01T12:00:00Z)
ERR no such date
T 253402297200
ERR out of range: not within the years 0000 to 9999 in UTC
T 253402297200
T -62167215600
ERR out of range: not within the years 0000 to 9999 in UTC" ]
}

@test "time: times shorter than a time of day with seconds and an offset, of the same length and the same first 11 bytes, are parsed whole, not compared past their end" {
	printf '%s\n' 2024-06-01T12:00Z 2024-06-01T13:00Z 2024-06-01 2024-06-02 \
		2024-06-01T12:00:00 2024-06-01T13:00:00 2024-06-01T12:00+08:00 \
		2024-06-01T13:00+08:00 > in
	run -0 --separate-stderr "$TM" < in
	[ "$output" = "T $(epoch 2024-06-01T12:00Z)
T $(epoch 2024-06-01T13:00Z)
T $(epoch 2024-06-01T00:00:00Z)
T $(epoch 2024-06-02T00:00:00Z)
T $(epoch 2024-06-01T12:00:00Z)
T $(epoch 2024-06-01T13:00:00Z)
T $(epoch 2024-06-01T12:00+08:00)
T $(epoch 2024-06-01T13:00+08:00)" ]
	[ "$stderr" = "" ]
}

@test "time: 40,000 times of a stream (seconds apart, across days, months, years and offsets, some not times at all) get from the memo what a whole parse gives" {
	awk 'BEGIN {
		split("Z +08:00 -05:30 +14:00 -12:00 +00:00", off, " ")
		t = 0; o = 1
		for (i = 0; i < 40000; i++) {
			t += (i % 97 == 0) ? 86399 : (i * 7919) % 1800
			if (i % 500 == 0) o = o % 6 + 1
			d = int(t / 86400); s = t % 86400
			# a calendar of 28-day months is enough to cross days,
			# months and years; odd lines are taken apart
			y = 2023 + int(d / 336); m = int((d % 336) / 28) + 1
			dd = d % 28 + 1
			line = sprintf("%04d-%02d-%02dT%02d:%02d:%02d%s", y, m, dd,
				int(s / 3600), int(s % 3600 / 60), s % 60, off[o])
			if (i % 1013 == 0) line = substr(line, 1, 19)
			if (i % 1409 == 0) line = substr(line, 1, 13) "x" substr(line, 15)
			if (i % 211 == 0) print line
			print line
		}
	}' > in
	run -0 --separate-stderr "$TM" < in
	[ "$(printf '%s\n' "$output" | wc -l)" -eq "$(wc -l < in)" ]
	[ "$(printf '%s\n' "$output" | grep -c '^T ')" -ge 40000 ]
	[ "$(printf '%s\n' "$output" | grep -c '^ERR ')" -ge 25 ]
	! printf '%s\n' "$output" | grep -q DIFF
}
