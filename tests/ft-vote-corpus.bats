#!/usr/bin/env bats
# ft-vote against the real pabulib files in ../shared/corpus/pabulib (see
# its SOURCES.md): every file imports; where a file records which projects
# won (its PROJECTS `selected` column) under a rule ft-vote implements, the
# tally under that rule selects the same projects.  The expected sets, votes
# and scores are read from the files themselves, never written here.
# Warszawa under mes-add1 is a benchmark (make bench), not a test.
# shellcheck disable=SC2030,SC2031,SC2154

bats_require_minimum_version 1.5.0
load helpers/common

setup() {
	common_setup
	corpus_or_skip
	P="$CORPUS/pabulib"
	C="$P/checker-examples"
	export FT_VOTE_KEY="$BATS_TEST_TMPDIR/vote.key"
	cd "$BATS_TEST_TMPDIR" || exit 1
}

ASSEN=Netherlands_Assen_2024
KATOWICE=Poland_Katowice_2021_Janow-Nikiszowiec
KRAKOW=Poland_Krakow_2025_Lagiewniki-Borek_Falecki
POZNAN=Poland_Poznan_2024_9_-_Stare_Miasto__large
WARSZAWA=Poland_Warszawa_2026
WROCLAW=Poland_Wroclaw_2023

# pb_projects FILE COLUMN...: the PROJECTS rows of FILE, one a line, as
# "project_id COLUMN...", in the file's order, read with sqlite3's CSV
# reader (the files quote fields holding ';'), not with ft-vote's own.
pb_projects() {
	local f=$1 t="$BATS_TEST_TMPDIR/pb-projects.csv" cols="" c
	shift
	# The PROJECTS section alone, its header first, without CRs.
	tr -d '\r' < "$f" |
		awk '/^PROJECTS$/ { p = 1; next } /^VOTES$/ { exit } p && NF' > "$t"
	for c in "$@"; do
		cols="$cols || ' ' || trim(\"$c\")"
	done
	sqlite3 -batch :memory: ".mode csv" ".separator ;" ".import $t p" \
		".mode list" "select project_id $cols from p order by rowid"
}

# pb_meta FILE KEY: the META value of KEY.
pb_meta() {
	tr -d '\r' < "$1" | awk -F';' -v k="$2" '/^PROJECTS/ { exit } $1 == k { print $2; exit }'
}

# file_selected FILE: the ids the file marks selected (not 0), sorted.
file_selected() {
	pb_projects "$1" selected | awk '$NF != "0" { $NF = ""; sub(/ $/, ""); print }' | LC_ALL=C sort
}

# tally_selected: the selected projects of a tally on stdin, sorted.
tally_selected() {
	jq -r 'select(.selected == true) | .project' | LC_ALL=C sort
}

# check_rule NAME RULE: imports NAME.pb, tallies it under RULE and compares
# the selected projects, and each project's votes (and score, when the file
# has that column), with the file's.
check_rule() {
	local name=$1 rule=$2 f="$P/$1.pb"
	run -0 --separate-stderr ft-vote import "$f"
	[ "$output" = "$name" ]
	run -0 --separate-stderr ft-vote tally "$name" --rule "$rule"
	printf '%s\n' "$output" > tally.ndjson
	[ "$(jq -r .rule tally.ndjson | sort -u)" = "$rule" ]
	[ "$(wc -l < tally.ndjson)" = "$(pb_meta "$f" num_projects)" ]
	file_selected "$f" > want
	[ -s want ]
	tally_selected < tally.ndjson > got
	diff want got
	pb_projects "$f" votes | LC_ALL=C sort > want
	jq -r '"\(.project) \(.votes)"' tally.ndjson | LC_ALL=C sort > got
	diff want got
	if head -30 "$f" | tr -d '\r' | grep -q '^project_id;.*;score\(;\|$\)'; then
		pb_projects "$f" score | LC_ALL=C sort > want
		jq -r '"\(.project) \(.score)"' tally.ndjson | LC_ALL=C sort > got
		diff want got
	fi
}

# ---- import ----

@test "ft-vote corpus: each of the 10 pabulib files imports: its round id printed, every project and ballot stored" {
	local f name rc fails=""

	set -- "$P"/*.pb
	[ "$#" = 10 ]
	for f in "$P"/*.pb; do
		name=$(basename "$f" .pb)
		export FT_DB="$BATS_TEST_TMPDIR/$name.db"
		rc=0
		ft-vote import "$f" > "$name.out" 2> "$name.err" || rc=$?
		if [ "$rc" != 0 ]; then
			fails+="$name: exit $rc: $(head -5 "$name.err")"$'\n'
			continue
		fi
		[ "$(cat "$name.out")" = "$name" ] || fails+="$name: printed $(head -c 200 "$name.out")"$'\n'
		[ "$(sql "select count(*) from projects where round = '$name'")" = "$(pb_meta "$f" num_projects)" ] ||
			fails+="$name: $(sql 'select count(*) from projects') projects"$'\n'
		[ "$(sql "select count(*) from ballots where round = '$name'")" = "$(pb_meta "$f" num_votes)" ] ||
			fails+="$name: $(sql 'select count(*) from ballots') ballots"$'\n'
		[ "$(sql "select ballot from rounds where round = '$name'")" = "$(pb_meta "$f" vote_type)" ] ||
			fails+="$name: ballot type $(sql 'select ballot from rounds')"$'\n'
	done
	if [ -n "$fails" ]; then
		printf '%s' "$fails"
		return 1
	fi
}

@test "ft-vote corpus: a decimal budget, float costs, quoted names with ';' and '\"\"' are kept exactly" {
	run -0 --separate-stderr ft-vote import "$P/$KRAKOW.pb"
	[ "$(sql "select budget from rounds where round = '$KRAKOW'")" = 1734355.54 ]
	run -0 --separate-stderr ft-vote import "$P/France_Toulouse_2022_17_-_Mirail-Universite_Reynerie_Bellefontaine.pb"
	[ "$(sql "select budget from rounds where round like 'France%'")" = 400000 ]
	run -0 --separate-stderr ft-vote import "$P/Poland_Gdansk_2020_Siedlce.pb"
	want=$(pb_projects "$P/Poland_Gdansk_2020_Siedlce.pb" name | LC_ALL=C sort)
	[ "$(sql "select project || ' ' || name from projects where round = 'Poland_Gdansk_2020_Siedlce'" | LC_ALL=C sort)" = "$want" ]
}

@test "ft-vote corpus: importing a file again: the same round id, unchanged" {
	ft-vote import "$P/$KATOWICE.pb" > /dev/null
	before=$(sqlite3 -batch "$FT_DB" .dump)
	run -0 --separate-stderr ft-vote import "$P/$KATOWICE.pb"
	[ "$output" = "$KATOWICE" ]
	[ "$(sqlite3 -batch "$FT_DB" .dump)" = "$before" ]
}

# ---- the files' own results ----

# Assen's selected set is what equalshares.net's published code gives: it
# takes, each round, the project of the highest "effective vote count"
# cost/rho.  Taking the least rho instead (utility 1 per approval, each
# supporter's payment compared across projects of different costs) adds
# project 7 (12000) at 2071 a voter, and the count would differ.
@test "ft-vote corpus: Assen (equalshares/add1) under mes-add1, no completion, selects the file's projects" {
	check_rule "$ASSEN" mes-add1
	# The round's rule from META is mes-add1 too.
	run -0 --separate-stderr ft-vote tally "$ASSEN"
	[ "$(jq -r .rule <<< "$output" | sort -u)" = mes-add1 ]
	[ "$(tally_selected <<< "$output")" = "$(file_selected "$P/$ASSEN.pb")" ]
}

@test "ft-vote corpus: Katowice (cumulative) under greedy-threshold, META's threshold 50, selects the file's projects" {
	[ "$(pb_meta "$P/$KATOWICE.pb" min_project_score_threshold)" = 50 ]
	check_rule "$KATOWICE" greedy-threshold
	# Projects under 50 points are left out for that reason.
	pb_projects "$P/$KATOWICE.pb" score | awk '$2 < 50 { print $1 }' > under
	while read -r p; do
		[ "$(jq -r --arg p "$p" 'select(.project == $p) | .selected' tally.ndjson)" = false ]
	done < under
}

@test "ft-vote corpus: Krakow (ordinal, rankings of 3) under greedy by Borda scores selects the file's projects" {
	check_rule "$KRAKOW" greedy
	# The file has a score column: check_rule compared the Borda scores.
	head -30 "$P/$KRAKOW.pb" | tr -d '\r' | grep -q '^project_id;cost;votes;score;'
}

@test "ft-vote corpus: Poznan (greedy-custom) has no rule of its own; under greedy it selects the file's projects" {
	check_rule "$POZNAN" greedy
	[ -z "$(sql "select rule from rounds where round = '$POZNAN'")" ]
}

@test "ft-vote corpus: Warszawa under greedy-threshold, META's threshold 3000, selects the file's projects" {
	[ "$(pb_meta "$P/$WARSZAWA.pb" min_project_score_threshold)" = 3000 ]
	check_rule "$WARSZAWA" greedy-threshold
}

@test "ft-vote corpus: Wroclaw (choose-1) under greedy-no-skip selects the file's projects" {
	check_rule "$WROCLAW" greedy-no-skip
	# The first project that does not fit stops the count: every later one
	# is "not reached".
	[ "$(jq -r 'select(.reason == "not reached: a project ranked above it did not fit") | .rank' tally.ndjson | head -1)" -gt 1 ]
}

# ---- round trips ----

# round_trip NAME RULE: import, export, import into another database: the
# same projects, the same tally and ballot digest, the same export.
round_trip() {
	local name=$1 rule=$2
	ft-vote import "$P/$name.pb" > /dev/null
	ft-vote export "$name" > one.pb
	run -0 --separate-stderr env FT_DB=two.db ft-vote import --round "$name" one.pb
	[ "$output" = "$name" ]
	ft-vote tally "$name" --rule "$rule" --totals > t1.ndjson
	FT_DB=two.db ft-vote tally "$name" --rule "$rule" --totals > t2.ndjson
	diff t1.ndjson t2.ndjson
	[[ "$(jq -r 'select(.totals) | .digest' t1.ndjson)" =~ ^[0-9a-f]{64}$ ]]
	q="select project, name, cost, category from projects where round = '$name' order by seq"
	[ "$(sqlite3 -batch two.db "$q")" = "$(sql "$q")" ]
	q="select budget, ballot, min_length, max_length, min_points, max_points, rule, threshold from rounds where round = '$name'"
	[ "$(sqlite3 -batch two.db "$q")" = "$(sql "$q")" ]
	FT_DB=two.db ft-vote export "$name" > two.pb
	diff one.pb two.pb
}

@test "ft-vote corpus: Warszawa import -> export -> import: the same projects and tally digest" {
	round_trip "$WARSZAWA" greedy-threshold
}

@test "ft-vote corpus: Krakow import -> export -> import: the same projects and tally digest" {
	round_trip "$KRAKOW" greedy
}

# ---- the checker's examples ----

@test "ft-vote corpus: checker examples: the valid file and the one with empty lines import" {
	run -0 --separate-stderr ft-vote import "$C/checker_example_valid.pb"
	[ "$output" = checker_example_valid ]
	[ "$(sql "select count(*) from ballots where round = 'checker_example_valid'")" = "$(pb_meta "$C/checker_example_valid.pb" num_votes)" ]
	run -0 --separate-stderr ft-vote import "$C/checker_test_empty_lines.pb"
	[ "$output" = checker_test_empty_lines ]
	[ "$(sql "select count(*) from projects where round = 'checker_test_empty_lines'")" = "$(pb_meta "$C/checker_test_empty_lines.pb" num_projects)" ]
}

@test "ft-vote corpus: checker examples: the invalid file is refused (65): currency, a voter_id with a comma, sex X and Z" {
	f="$C/checker_example_invalid.pb"
	run -65 --separate-stderr ft-vote import "$f"
	[ -z "$output" ]
	grep -F "$f:20: " <<< "$stderr" | grep -q 'currency.*non_existing'
	grep -F "$f:29: " <<< "$stderr" | grep -q 'voter_id.*290,67'
	grep -F "$f:29: " <<< "$stderr" | grep -q 'sex.*X'
	grep -F "$f:30: " <<< "$stderr" | grep -q 'sex.*Z'
	[ ! -e "$FT_DB" ] || [ "$(sql 'select (select count(*) from rounds) + (select count(*) from projects) + (select count(*) from ballots)')" = 0 ]
}

@test "ft-vote corpus: checker examples: the old Amsterdam file is refused (65): a decimal comma, dates, no country, budget_per_category" {
	f="$C/checker_example_invalid_v0_amsterdam166.pb"
	run -65 --separate-stderr ft-vote import "$f"
	[ -z "$output" ]
	grep -F "$f:23: " <<< "$stderr" | grep -q 'cost.*1000,0'
	grep -F "$f:14: " <<< "$stderr" | grep -q 'date_end.*date_begin'
	grep -F "$f:" <<< "$stderr" | grep -q country
	grep -F "$f:10: " <<< "$stderr" | grep -q budget_per_category
	[ ! -e "$FT_DB" ] || [ "$(sql 'select count(*) from rounds')" = 0 ]
}
