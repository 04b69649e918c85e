#!/usr/bin/env bats
# ft-report facilities, collectors, services and vote (issue 14): the
# facilities most reported and how often they come back after a fix (the
# --back-days edges), the patrol reports per collector (a pseudonym: no
# reporter in any output) and per firm, the service requests of the proxy
# points, a round's stored count; every format against golden files
# (fixtures/ft-report-more/golden), --min-group, filters, empty ranges,
# errors, and the real pabulib rounds.
# shellcheck disable=SC2154
bats_require_minimum_version 1.5.0
load helpers/common

F="$BATS_TEST_DIRNAME/fixtures/ft-report"
M="$BATS_TEST_DIRNAME/fixtures/ft-report-more"
G="$M/golden"

setup_file() {
	# The district of ft-report.bats, five facilities (two proxy
	# points), and 21 events: QR reports, patrol reports of three
	# collectors and one without a reporter, service requests; dispatched
	# at one instant (duplicates by distance only: p3 repeats f4), then
	# moved by ft-update at the times of updates.ndjson.  And round r1:
	# 12 voters, 9 ballots on three channels, counted under greedy and mes.
	local base="$BATS_FILE_TMPDIR/base.db"
	export FT_DB="$base" FT_USER=tester FT_VOTE_KEY="$BATS_FILE_TMPDIR/vote.key"
	"$FT_BIN/ft-ingest" -q -k units "$F/units.ndjson" > /dev/null
	"$FT_BIN/ft-ingest" -q -k facilities "$M/facilities.ndjson" > /dev/null
	"$FT_BIN/ft-ingest" -q "$M/events.ndjson" |
		"$FT_BIN/ft-dispatch" -q --now 2026-10-20T08:00:01Z --rules "$M/rules.json" > /dev/null
	"$FT_BIN/ft-update" -q --now 2026-12-25T00:00:00Z "$M/updates.ndjson" > /dev/null
	[ "$(sqlite3 "$base" "SELECT group_concat(status, ' ') FROM events WHERE id IN ('f1', 'p3', 'p4', 'p6')")" = "resolved duplicate rejected closed" ]
	"$FT_BIN/ft-vote" open -q --now 2027-02-01T00:00:00Z "$M/round.json" > /dev/null
	"$FT_BIN/ft-vote" projects r1 -q --now 2027-02-01T00:00:00Z "$M/projects.ndjson" > /dev/null
	"$FT_BIN/ft-vote" register r1 -q --now 2027-02-01T00:00:00Z "$M/voters.csv"
	"$FT_BIN/ft-vote" cast r1 -q --now 2027-03-02T00:00:00Z "$M/ballots.ndjson" > /dev/null
	"$FT_BIN/ft-vote" tally r1 -q --now 2027-03-16T00:00:00Z > /dev/null
	"$FT_BIN/ft-vote" tally r1 -q --rule mes --now 2027-03-16T00:00:00Z > /dev/null
}

setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR" || exit 1
	cp "$BATS_FILE_TMPDIR/base.db" "$FT_DB"
	export FT_NOW="2026-12-25T00:00:00Z"
}

# nov REPORT ARGS...: REPORT over November 2026 (UTC).
nov() {
	local r=$1
	shift
	ft-report "$r" --tz UTC --since 2026-11-01 --until 2026-12-01 "$@"
}

# golden NAME: $output is the golden file NAME exactly (CSV with its CR
# LFs; a diff on standard error if not).
golden() {
	[ "$output" = "$(cat "$G/$1")" ] && return 0
	diff "$G/$1" <(printf '%s\n' "$output") >&2
	return 1
}

# is: $output is standard input exactly.
is() {
	local want
	want=$(cat)
	[ "$output" = "$want" ] && return 0
	diff <(printf '%s\n' "$want") <(printf '%s\n' "$output") >&2
	return 1
}

# usage MESSAGE ARGS...: ft-report ARGS exits 64 with MESSAGE and the hint.
usage() {
	local msg=$1
	shift
	run -64 --separate-stderr ft-report "$@"
	[ "$output" = "" ]
	[ "${stderr_lines[0]}" = "ft-report: $msg" ]
	[ "${stderr_lines[1]}" = "Try 'ft-report --help' for more information." ]
	[ "${#stderr_lines[@]}" = 2 ]
}

# ---- facilities ----

@test "ft-report facilities: golden table, CSV and Markdown; ranked by reports, the small one after" {
	run -0 --separate-stderr nov facilities --min-group 2
	[ "$stderr" = "" ]
	golden facilities.txt
	run -0 --separate-stderr nov facilities --min-group 2 --format csv
	golden facilities.csv
	run -0 --separate-stderr nov facilities --min-group 2 --format markdown
	golden facilities.md
	run -0 --separate-stderr nov facilities --min-group 2 --format ndjson
	is <<-'EOF'
	{"rank":1,"facility":"qr-3","kind":"bench","name":"Bench, east gate","area":"g4","reports":3,"fixed":0,"came_back":0,"came_back_pct":null,"small":false}
	{"rank":2,"facility":"qr-1","kind":"streetlight","name":"路灯 1号","area":"g1","reports":2,"fixed":2,"came_back":2,"came_back_pct":100.0,"small":false}
	{"rank":2,"facility":"qr-2","kind":"bin","name":"Bin 2","area":"g2","reports":2,"fixed":1,"came_back":0,"came_back_pct":0.0,"small":false}
	{"rank":null,"facility":"qr-x","kind":null,"name":null,"area":null,"reports":1,"fixed":0,"came_back":0,"came_back_pct":null,"small":true}
	EOF
}

@test "ft-report facilities: came back within --back-days: a day below, at and above the gap" {
	# qr-1: fixed 11-02T08:00, reported again 11-20T08:00 (18 days);
	# fixed 11-21T08:00, reported again 12-21T08:00 (30 days, after
	# --until: the reports after a fix are looked at up to --until plus
	# --back-days).
	for n in 17 18 19 29 30 31; do
		run -0 --separate-stderr nov facilities --back-days "$n" --format csv
		echo "$n ${lines[1]%$'\r'}"
	done > got
	run -0 cat got
	is <<-EOF
	17 ,qr-1,streetlight,路灯 1号,g1,2,2,0,0.0,true
	18 ,qr-1,streetlight,路灯 1号,g1,2,2,1,50.0,true
	19 ,qr-1,streetlight,路灯 1号,g1,2,2,1,50.0,true
	29 ,qr-1,streetlight,路灯 1号,g1,2,2,1,50.0,true
	30 ,qr-1,streetlight,路灯 1号,g1,2,2,2,100.0,true
	31 ,qr-1,streetlight,路灯 1号,g1,2,2,2,100.0,true
	EOF
	# The default is 30 days.
	run -0 --separate-stderr nov facilities --format csv
	[ "${lines[1]}" = $',qr-1,streetlight,路灯 1号,g1,2,2,2,100.0,true\r' ]
	# A fix outside the range is not counted; its report is.
	run -0 --separate-stderr ft-report facilities --tz UTC --since 2026-11-03 --until 2026-11-21 --format csv
	[ "${lines[1]}" = $',qr-1,streetlight,路灯 1号,g1,1,0,0,,true\r' ]
}

@test "ft-report facilities: --min-group: the default 5 ranks none; 0 ranks all, ties sharing a rank" {
	run -0 --separate-stderr nov facilities
	is <<-'EOF'
	rank  facility  kind         name              area  reports  fixed  came_back  came_back_pct  small
	----  --------  -----------  ----------------  ----  -------  -----  ---------  -------------  -----
	   -  qr-1      streetlight  路灯 1号          g1          2      2          2         100.0%  small
	   -  qr-2      bin          Bin 2             g2          2      1          0           0.0%  small
	   -  qr-3      bench        Bench, east gate  g4          3      0          0              -  small
	   -  qr-x      -            -                 -           1      0          0              -  small
	      total                                                8      3          2          66.7%
	EOF
	run -0 --separate-stderr nov facilities --min-group 0 --format csv
	[ "$(cut -d, -f1,2 <<< "$output" | tr -d '\r' | paste -sd ' ')" = "rank,facility 1,qr-3 2,qr-1 2,qr-2 4,qr-x" ]
	# At the threshold a group is ranked, one below it is not.
	run -0 --separate-stderr nov facilities --min-group 3 --format csv
	[ "$(cut -d, -f1,2 <<< "$output" | tr -d '\r' | paste -sd ' ')" = "rank,facility 1,qr-3 ,qr-1 ,qr-2 ,qr-x" ]
}

@test "ft-report facilities: service requests are not facility reports; --area, --category, --unit" {
	run -0 --separate-stderr nov facilities --format ndjson
	[ "$(jq -r .facility <<< "$output" | paste -sd ' ')" = "qr-1 qr-2 qr-3 qr-x" ]
	run -0 --separate-stderr nov facilities --area c1 --format csv
	[ "$(cut -d, -f2,6-8 <<< "$output" | tr -d '\r' | paste -sd ' ')" = "facility,reports,fixed,came_back qr-1,2,2,2 qr-2,2,1,0 qr-x,1,0,0" ]
	run -0 --separate-stderr nov facilities --category bench --format ndjson
	[ "$(jq -c '[.facility, .name, .reports]' <<< "$output")" = '["qr-3","Bench, east gate",3]' ]
	run -0 --separate-stderr nov facilities --unit sanitation --format csv
	[ "$(cut -d, -f2,6-8 <<< "$output" | tr -d '\r' | paste -sd ' ')" = "facility,reports,fixed,came_back qr-2,2,1,0" ]
}

# ---- collectors ----

@test "ft-report collectors: golden table, CSV and Markdown; ranked by the share resolved" {
	run -0 --separate-stderr nov collectors --min-group 2
	[ "$stderr" = "" ]
	golden collectors.txt
	run -0 --separate-stderr nov collectors --min-group 2 --format csv
	golden collectors.csv
	run -0 --separate-stderr nov collectors --min-group 2 --format markdown
	golden collectors.md
}

@test "ft-report collectors: --per firm, in NDJSON" {
	run -0 --separate-stderr nov collectors --per firm --min-group 2 --format ndjson
	is <<-'EOF'
	{"rank":1,"firm":"万科物业","submitted":4,"accepted":2,"duplicates":1,"rejected":1,"resolved":2,"resolved_pct":50.0,"small":false}
	{"rank":2,"firm":"Green Co","submitted":2,"accepted":1,"duplicates":0,"rejected":0,"resolved":0,"resolved_pct":0.0,"small":false}
	{"rank":null,"firm":null,"submitted":1,"accepted":0,"duplicates":0,"rejected":0,"resolved":0,"resolved_pct":0.0,"small":true}
	EOF
}

@test "ft-report collectors: a pseudonym is the same in every range; no reporter in any report or format" {
	# li.ming's first patrol report (p0, October) is the first stored:
	# C1 in October and in November alike.
	run -0 --separate-stderr ft-report collectors --tz UTC --since 2026-10-01 --until 2026-11-01 --format csv
	[ "${lines[1]}" = $',C1,万科物业,1,0,0,0,0,0.0,true\r' ]
	run -0 --separate-stderr nov collectors --format csv
	[ "$(cut -d, -f2 <<< "$output" | tr -d '\r' | paste -sd ' ')" = "collector  C1 C2 C3" ]
	for r in facilities collectors services; do
		for f in table csv ndjson markdown; do
			ft-report "$r" --since 2026-01-01 --format "$f"
			ft-report "$r" --since 2026-01-01 --format "$f" --per firm 2> /dev/null || :
		done
	done > all.txt
	[ "$(wc -l < all.txt)" -gt 50 ]
	run -1 grep -E '1380000000|1390000000|13700000007|li\.ming|example\.com' all.txt
	# The database holds them, for who may see them.
	[ "$(sqlite3 "$FT_DB" "SELECT count(DISTINCT reporter) FROM events WHERE source = 'patrol'")" = 3 ]
}

# ---- services ----

@test "ft-report services: golden table, CSV and Markdown: nearest-rank median and p90, ratings" {
	# po-1 社保卡 done in 2h, 24h, 0.5h: median 2.0, p90 24.0; rated 5
	# and 3: mean 4.00, 50.0% satisfied (4 or 5).
	run -0 --separate-stderr nov services --min-group 2
	[ "$stderr" = "" ]
	golden services.txt
	run -0 --separate-stderr nov services --min-group 2 --format csv
	golden services.csv
	run -0 --separate-stderr nov services --min-group 2 --format markdown
	golden services.md
	run -0 --separate-stderr nov services --min-group 2 --format ndjson
	[ "${lines[0]}" = '{"rank":1,"point":"po-1","name":"物业服务中心 A","service":"社保卡","requests":3,"completed":3,"median_hours":2.0,"p90_hours":24.0,"ratings":2,"rating_mean":4.00,"satisfied_pct":50.0,"small":false}' ]
	run -0 --separate-stderr nov services --area c2 --format csv
	[ "$(cut -d, -f2,4,5 <<< "$output" | tr -d '\r' | paste -sd ' ')" = "point,service,requests po-2,社保卡,1" ]
	run -0 --separate-stderr nov services --category 居住证 --format csv
	[ "$(cut -d, -f2,4-6 <<< "$output" | tr -d '\r' | paste -sd ' ')" = "point,service,requests,completed po-1,居住证,1,0" ]
}

# ---- empty ranges ----

@test "ft-report facilities, collectors, services: an empty range: the header and a total of zeros" {
	run -0 --separate-stderr ft-report facilities --since 2025-01-01 --until 2025-02-01
	is <<-'EOF'
	rank  facility  kind  name  area  reports  fixed  came_back  came_back_pct  small
	----  --------  ----  ----  ----  -------  -----  ---------  -------------  -----
	      total                             0      0          0              -
	EOF
	run -0 --separate-stderr ft-report collectors --since 2025-01-01 --until 2025-02-01 --format markdown
	is <<-'EOF'
	| rank | collector | firm | submitted | accepted | duplicates | rejected | resolved | resolved_pct | small |
	| --: | --- | --- | --: | --: | --: | --: | --: | --: | --- |
	|  | **total** |  | 0 | 0 | 0 | 0 | 0 | - |  |
	EOF
	run -0 --separate-stderr ft-report services --since 2025-01-01 --until 2025-02-01 --format csv
	is <<< $'rank,point,name,service,requests,completed,median_hours,p90_hours,ratings,rating_mean,satisfied_pct,small\r'
	run -0 --separate-stderr ft-report services --since 2025-01-01 --until 2025-02-01 --format ndjson
	[ "$output" = "" ]
}

@test "ft-report facilities, collectors, services, vote: --no-output prints nothing, and still checks the units" {
	for r in facilities collectors services; do
		run -0 --separate-stderr ft-report "$r" --since 2026-01-01 --no-output
		[ "$output" = "" ] && [ "$stderr" = "" ]
		run -66 --separate-stderr ft-report "$r" --area nowhere --no-output
		[ "$stderr" = 'ft-report: --area: no unit "nowhere" in the database' ]
	done
	run -0 --separate-stderr ft-report vote r1 --no-output
	[ "$output" = "" ] && [ "$stderr" = "" ]
	run -66 --separate-stderr ft-report vote r9 --no-output
}

# ---- vote ----

@test "ft-report vote: golden result with reasons (the round's rule), summary with the digest" {
	run -0 --separate-stderr ft-report vote r1
	[ "$stderr" = "" ]
	golden vote.txt
	run -0 --separate-stderr ft-report vote r1 --format csv
	golden vote.csv
	run -0 --separate-stderr ft-report vote r1 --format markdown
	golden vote.md
	run -0 --separate-stderr ft-report vote r1 --part summary --format csv
	golden vote-summary.csv
	# The digest is the one ft-vote stored and recounts.
	run -0 --separate-stderr ft-vote recount r1
	[ "$(jq -r .digest <<< "$output" | sort -u)" = "$(sqlite3 "$FT_DB" "SELECT digest FROM tallies WHERE tally = 1")" ]
	run -0 --separate-stderr ft-report vote r1 --rule mes --format ndjson
	[ "${lines[0]}" = '{"rank":1,"project":"p3","name":"Bike racks","cost":30,"votes":4,"score":4,"selected":true,"reason":"its supporters paid equal shares"}' ]
}

@test "ft-report vote: the rules compared, ballots by channel (small ones marked), filters on projects" {
	run -0 --separate-stderr ft-report vote r1 --part rules
	is <<-'EOF'
	project  name         cost  votes  greedy  mes  differs
	-------  -----------  ----  -----  ------  ---  -------
	p1       社区食堂       60      5  yes     no   yes
	p3       Bike racks     30      4  yes     yes  no
	p2       Park lights    50      4  no      no   no
	p4       Library        20      2  no      yes  yes
	EOF
	# 1 is below --min-group 2, 2 is at it.
	run -0 --separate-stderr ft-report vote r1 --part channel --min-group 2
	is <<-'EOF'
	channel  ballots  share_pct  small
	-------  -------  ---------  -----
	kiosk          1      11.1%  small
	online         6      66.7%
	paper          2      22.2%
	total          9     100.0%
	EOF
	# Ballots cast with ft-vote name no area.
	run -0 --separate-stderr ft-report vote r1 --part area --format ndjson
	is <<< '{"area":null,"ballots":9,"share_pct":100.0,"small":false}'
	run -0 --separate-stderr ft-report vote r1 --area c1 --format csv
	[ "$(cut -d, -f2 <<< "$output" | tr -d '\r' | paste -sd ' ')" = "project p1 p4" ]
	run -0 --separate-stderr ft-report vote r1 --unit c2 --part rules --format csv
	[ "$(tr -d '\r' <<< "$output" | paste -sd ' ')" = "project,name,cost,votes,greedy,mes,differs p3,Bike racks,30,4,true,true,false" ]
	run -0 --separate-stderr ft-report vote r1 --category none-such --format csv
	[ "$output" = $'rank,project,name,cost,votes,score,selected,reason\r' ]
	# No voter's id and no ballot's tag is printed.
	for p in result summary channel area rules; do
		ft-report vote r1 --part "$p" --format ndjson
	done > all.txt
	run -1 grep -E '1380000|[0-9a-f]{64}' <(grep -v '"digest"' all.txt)
}

@test "ft-report vote: errors: no round, an unknown one, one not counted, a rule not counted" {
	usage 'vote: no round named' vote
	usage 'vote: --since does not apply' vote r1 --since 7d
	usage 'vote: unexpected argument "r2"' vote r1 r2
	usage '--part: "all" is not result, summary, channel, area, rules, turnout or progress' vote r1 --part all
	run -66 --separate-stderr ft-report vote r9
	[ "$stderr" = 'ft-report: no round "r9" in the database' ]
	run -66 --separate-stderr ft-report vote r1 --rule mes-add1
	[ "$stderr" = 'ft-report: round "r1" has no count under the rule "mes-add1"' ]
	ft-vote open -q --now 2027-02-01T00:00:00Z > /dev/null <<< '{"id":"r2","name":"x","budget":1,"ballot":"approval","rule":"greedy","opens_at":"2027-03-01T00:00:00Z","closes_at":"2027-03-15T00:00:00Z"}'
	run -66 --separate-stderr ft-report vote r2
	[ "$stderr" = 'ft-report: round "r2" has not been counted (ft-vote tally)' ]
	# The ballots can be counted by channel before the count.
	run -0 --separate-stderr ft-report vote r2 --part channel --format csv
	[ "$output" = $'channel,ballots,share_pct,small\r' ]
}

# ---- vote: turnout by area, progress, and the site's vote page ----

# r3: scope d1; 12 voters: 6 in g1, 2 in g2, 3 in g3, 1 in g4 (under c1,
# c1, c2 and c3; c1 and c2 under s1, c3 under s2); 8 ballots: g1 3 online
# and 1 paper, g2 1 online, g3 1 kiosk and 1 online, g4 1 paper.
scoped() {
	local i units=(g1 g1 g1 g1 g1 g1 g2 g2 g3 g3 g3 g4)
	ft-vote open -q --now 2027-02-01T00:00:00Z > /dev/null <<< '{"id":"r3","name":"r3","budget":100,"scope":["d1"],"ballot":"approval","rule":"greedy","opens_at":"2027-03-01T00:00:00Z","closes_at":"2027-03-15T00:00:00Z"}'
	ft-vote projects r3 -q --now 2027-02-01T00:00:00Z "$M/projects.ndjson" > /dev/null
	{
		echo voter,unit
		for i in "${!units[@]}"; do
			printf '139000000%02d,%s\n' $((i + 1)) "${units[$i]}"
		done
	} > v3.csv
	ft-vote register r3 -q --now 2027-02-01T00:00:00Z v3.csv
	for i in 1:online 2:online 3:online 4:paper 7:online 9:kiosk 10:online 12:paper; do
		printf '{"voter":"139000000%02d","projects":["p1"],"channel":"%s"}\n' "${i%%:*}" "${i#*:}"
	done > b3.ndjson
	ft-vote cast r3 -q --now 2027-03-02T00:00:00Z b3.ndjson > /dev/null
}

@test "ft-report vote: turnout by area at every level and by channel; areas of fewer voters than --min-group marked" {
	scoped
	# 1 voter (s2, c3, g4) is below --min-group 2, 2 (g2) at it, 3 (g3) above.
	run -0 --separate-stderr ft-report vote r3 --part turnout --min-group 2
	[ "$stderr" = "" ]
	is <<-'EOF'
	area  name                kind       channel  voters  ballots  turnout_pct  small
	----  ------------------  ---------  -------  ------  -------  -----------  -----
	d1    Futian              district   all          12        8        66.7%
	d1    Futian              district   kiosk        12        1         8.3%
	d1    Futian              district   online       12        5        41.7%
	d1    Futian              district   paper        12        2        16.7%
	s1    Lianhua street      street     all          11        7        63.6%
	s1    Lianhua street      street     kiosk        11        1         9.1%
	s1    Lianhua street      street     online       11        5        45.5%
	s1    Lianhua street      street     paper        11        1         9.1%
	s2    Huafu street        street     all           1        1       100.0%  small
	s2    Huafu street        street     paper         1        1       100.0%  small
	c1    Jinglian community  community  all           8        5        62.5%
	c1    Jinglian community  community  online        8        4        50.0%
	c1    Jinglian community  community  paper         8        1        12.5%
	c2    Xinmin community    community  all           3        2        66.7%
	c2    Xinmin community    community  kiosk         3        1        33.3%
	c2    Xinmin community    community  online        3        1        33.3%
	c3    Tianan community    community  all           1        1       100.0%  small
	c3    Tianan community    community  paper         1        1       100.0%  small
	g1    Grid 1              grid       all           6        4        66.7%
	g1    Grid 1              grid       online        6        3        50.0%
	g1    Grid 1              grid       paper         6        1        16.7%
	g2    Grid 2              grid       all           2        1        50.0%
	g2    Grid 2              grid       online        2        1        50.0%
	g3    Grid 3              grid       all           3        2        66.7%
	g3    Grid 3              grid       kiosk         3        1        33.3%
	g3    Grid 3              grid       online        3        1        33.3%
	g4    Grid 4              grid       all           1        1       100.0%  small
	g4    Grid 4              grid       paper         1        1       100.0%  small
	EOF
	# The default --min-group is 5: c2, g2 and g3 are small then too.
	run -0 --separate-stderr ft-report vote r3 --part turnout --format csv
	[ "$(grep -c ',true'$'\r' <<< "$output")" = 14 ]
	[ "$(sed -n 2p <<< "$output")" = $'d1,Futian,district,all,12,8,66.7,false\r' ]
	run -0 --separate-stderr ft-report vote r3 --part turnout --format ndjson --min-group 2
	[ "${lines[21]}" = '{"area":"g2","name":"Grid 2","kind":"grid","channel":"all","voters":2,"ballots":1,"turnout_pct":50.0,"small":false}' ]
	[ "${lines[26]}" = '{"area":"g4","name":"Grid 4","kind":"grid","channel":"all","voters":1,"ballots":1,"turnout_pct":100.0,"small":true}' ]
	run -0 --separate-stderr ft-report vote r3 --part turnout --format markdown --min-group 2
	[ "${lines[0]}" = '| area | name | kind | channel | voters | ballots | turnout_pct | small |' ]
	[ "${lines[11]}" = '| s2 | Huafu street | street | paper | 1 | 1 | 100.0% | small |' ]
	run -0 --separate-stderr ft-report vote r3 --part turnout --format html
	[[ "$output" == *'<title>Turnout of r3 by area and channel</title>'* ]]
	[[ "$output" == *'<tr><td>g4</td><td>Grid 4</td><td>grid</td><td>all</td><td class="n">1</td><td class="n">1</td><td class="n">100.0%</td><td>small</td></tr>'* ]]
	[[ "$output" != *'<svg'* ]]
	# A round without a scope keeps no unit: one area, (none).
	run -0 --separate-stderr ft-report vote r1 --part turnout
	is <<-'EOF'
	area    name  kind  channel  voters  ballots  turnout_pct  small
	------  ----  ----  -------  ------  -------  -----------  -----
	(none)  -     -     all          12        9        75.0%
	(none)  -     -     kiosk        12        1         8.3%
	(none)  -     -     online       12        6        50.0%
	(none)  -     -     paper        12        2        16.7%
	EOF
	# No voter's id, voter hash or ballot tag in any format of any part.
	ft-vote tally r3 -q --now 2027-03-16T00:00:00Z > /dev/null
	for r in r1 r3; do
		for p in result summary channel area rules turnout progress; do
			for f in table csv ndjson markdown html; do
				ft-report vote "$r" --part "$p" --format "$f"
			done
		done
	done > all.txt
	[ "$(grep -c . all.txt)" -gt 400 ]
	run -1 grep -E '1380000|1390000' all.txt
	[ "$(sqlite3 "$FT_DB" 'SELECT count(*) FROM voters UNION ALL SELECT count(*) FROM ballots' | paste -sd ' ')" = "24 17" ]
	for h in $(sqlite3 "$FT_DB" 'SELECT voter FROM voters UNION ALL SELECT tag FROM ballots'); do
		if grep -q "$h" all.txt; then
			echo "found $h" >&2
			false
		fi
	done
}

@test "ft-report vote --part turnout: --area keeps the areas at or below it, --area-level the areas of that level; the projects' filters refused with the part named" {
	scoped
	run -0 --separate-stderr ft-report vote r3 --part turnout --area s1 --min-group 2 --format csv
	[ "$stderr" = "" ]
	output=${output//$'\r'/}
	is <<-'EOF'
	area,name,kind,channel,voters,ballots,turnout_pct,small
	s1,Lianhua street,street,all,11,7,63.6,false
	s1,Lianhua street,street,kiosk,11,1,9.1,false
	s1,Lianhua street,street,online,11,5,45.5,false
	s1,Lianhua street,street,paper,11,1,9.1,false
	c1,Jinglian community,community,all,8,5,62.5,false
	c1,Jinglian community,community,online,8,4,50.0,false
	c1,Jinglian community,community,paper,8,1,12.5,false
	c2,Xinmin community,community,all,3,2,66.7,false
	c2,Xinmin community,community,kiosk,3,1,33.3,false
	c2,Xinmin community,community,online,3,1,33.3,false
	g1,Grid 1,grid,all,6,4,66.7,false
	g1,Grid 1,grid,online,6,3,50.0,false
	g1,Grid 1,grid,paper,6,1,16.7,false
	g2,Grid 2,grid,all,2,1,50.0,false
	g2,Grid 2,grid,online,2,1,50.0,false
	g3,Grid 3,grid,all,3,2,66.7,false
	g3,Grid 3,grid,kiosk,3,1,33.3,false
	g3,Grid 3,grid,online,3,1,33.3,false
	EOF
	run -0 --separate-stderr ft-report vote r3 --part turnout --area-level community --min-group 2 --format csv
	output=${output//$'\r'/}
	is <<-'EOF'
	area,name,kind,channel,voters,ballots,turnout_pct,small
	c1,Jinglian community,community,all,8,5,62.5,false
	c1,Jinglian community,community,online,8,4,50.0,false
	c1,Jinglian community,community,paper,8,1,12.5,false
	c2,Xinmin community,community,all,3,2,66.7,false
	c2,Xinmin community,community,kiosk,3,1,33.3,false
	c2,Xinmin community,community,online,3,1,33.3,false
	c3,Tianan community,community,all,1,1,100.0,true
	c3,Tianan community,community,paper,1,1,100.0,true
	EOF
	run -0 --separate-stderr ft-report vote r3 --part turnout --area s2 --area-level grid --min-group 2 --format csv
	output=${output//$'\r'/}
	is <<-'EOF'
	area,name,kind,channel,voters,ballots,turnout_pct,small
	g4,Grid 4,grid,all,1,1,100.0,true
	g4,Grid 4,grid,paper,1,1,100.0,true
	EOF
	# A leaf: itself alone; a level above the area: nothing.
	run -0 --separate-stderr ft-report vote r3 --part turnout --area g2 --format csv
	[ "$output" = $'area,name,kind,channel,voters,ballots,turnout_pct,small\r\ng2,Grid 2,grid,all,2,1,50.0,true\r\ng2,Grid 2,grid,online,2,1,50.0,true\r' ]
	run -0 --separate-stderr ft-report vote r3 --part turnout --area c1 --area-level district --format csv
	[ "$output" = $'area,name,kind,channel,voters,ballots,turnout_pct,small\r' ]
	# r1 keeps no unit: the voters without one are in no area.
	run -0 --separate-stderr ft-report vote r1 --part turnout --area d1 --format csv
	[ "$output" = $'area,name,kind,channel,voters,ballots,turnout_pct,small\r' ]
	run -66 --separate-stderr ft-report vote r3 --part turnout --area nope
	[ "$output" = "" ]
	[ "$stderr" = 'ft-report: --area: no unit "nope" in the database' ]
	usage '--area-level: "city" is not grid, community, street or district' vote r3 --part turnout --area-level city
	# What cannot apply to a part is refused, naming the part.
	usage "vote: --category does not apply to --part turnout" vote r3 --part turnout --category parks
	usage "vote: --unit does not apply to --part turnout" vote r3 --part turnout --unit u1
	usage "vote: --area does not apply to --part channel" vote r3 --part channel --area s1
	usage "vote: --unit does not apply to --part area" vote r3 --part area --unit u1
	usage "vote: --area-level does not apply to --part result" vote r3 --area-level grid
	usage "vote: --area-level does not apply to --part progress" vote r3 --part progress --area-level grid
}

@test "ft-report vote: the funded projects' progress, each step, the latest marked; a round not counted is 66" {
	ft-vote progress r1 -q --now 2027-04-01T00:00:00Z > /dev/null <<-'EOF'
	{"project":"p3","stage":"tender","percent":5,"at":"2027-03-20T00:00:00Z"}
	{"project":"p3","stage":"installed","percent":100,"note":"40 racks","at":"2027-03-30T00:00:00Z"}
	EOF
	run -0 --separate-stderr ft-report vote r1 --part progress
	[ "$stderr" = "" ]
	is <<-'EOF'
	project  name        at                    stage      percent  note      latest
	-------  ----------  --------------------  ---------  -------  --------  ------
	p1       社区食堂    -                     -                -  -         no
	p3       Bike racks  2027-03-20T00:00:00Z  tender           5  -         no
	p3       Bike racks  2027-03-30T00:00:00Z  installed      100  40 racks  yes
	EOF
	run -0 --separate-stderr ft-report vote r1 --part progress --format ndjson --category transport
	is <<-'EOF'
	{"project":"p3","name":"Bike racks","at":"2027-03-20T00:00:00Z","stage":"tender","percent":5,"note":null,"latest":false}
	{"project":"p3","name":"Bike racks","at":"2027-03-30T00:00:00Z","stage":"installed","percent":100,"note":"40 racks","latest":true}
	EOF
	# Under mes, p3 and p4 are funded.
	run -0 --separate-stderr ft-report vote r1 --part progress --rule mes --format csv
	[ "$(cut -d, -f1,4,7 <<< "$output" | tr -d '\r' | paste -sd ' ')" = "project,stage,latest p3,tender,false p3,installed,true p4,,false" ]
	ft-vote open -q --now 2027-02-01T00:00:00Z > /dev/null <<< '{"id":"r2","name":"x","budget":1,"ballot":"approval","rule":"greedy","opens_at":"2027-03-01T00:00:00Z","closes_at":"2027-03-15T00:00:00Z"}'
	run -66 --separate-stderr ft-report vote r2 --part progress
	[ "$stderr" = 'ft-report: round "r2" has not been counted (ft-vote tally)' ]
}

# r5: r1's projects, voters and ballots, its rule mes; closes at
# 2027-03-15; counted under greedy at 2027-03-16, then under mes at
# 2027-03-20.
counted_twice() {
	sed 's/"r1"/"r5"/; s/"greedy"/"mes"/' "$M/round.json" |
		ft-vote open -q --now 2027-02-01T00:00:00Z > /dev/null
	ft-vote projects r5 -q --now 2027-02-01T00:00:00Z "$M/projects.ndjson" > /dev/null
	ft-vote register r5 -q --now 2027-02-01T00:00:00Z "$M/voters.csv"
	ft-vote cast r5 -q --now 2027-03-02T00:00:00Z "$M/ballots.ndjson" > /dev/null
	ft-vote tally r5 -q --rule greedy --now 2027-03-16T00:00:00Z > /dev/null
	ft-vote tally r5 -q --now 2027-03-20T00:00:00Z > /dev/null
}

@test "ft-report vote --as-of: the count published then: none before the first, the first until the second, then the second" {
	counted_twice
	greedy=$(ft-report vote r5 --rule greedy --format csv)
	mes=$(ft-report vote r5 --format csv)
	[ "$greedy" != "$mes" ]
	# One second before the first count, at it, one before the second,
	# at it and after.
	run -66 --separate-stderr ft-report vote r5 --as-of 2027-03-15T23:59:59Z --format csv
	[ "$output" = "" ]
	[ "$stderr" = 'ft-report: round "r5" has not been counted by 2027-03-15T23:59:59Z (ft-vote tally)' ]
	for t in 2027-03-16T00:00:00Z 2027-03-19T23:59:59Z; do
		run -0 --separate-stderr ft-report vote r5 --as-of "$t" --format csv
		[ "$stderr" = "" ]
		[ "$output" = "$greedy" ]
	done
	for t in 2027-03-20T00:00:00Z 2027-03-20T00:00:01Z; do
		run -0 --separate-stderr ft-report vote r5 --as-of "$t" --format csv
		[ "$output" = "$mes" ]
	done
	# The rules compared: those counted by then.
	run -0 --separate-stderr ft-report vote r5 --part rules --as-of 2027-03-19T23:59:59Z --format csv
	[ "$(cut -d, -f1,5- <<< "$output" | tr -d '\r' | paste -sd ' ')" = "project,greedy,differs p1,true,false p3,true,false p2,false,false p4,false,false" ]
	run -0 --separate-stderr ft-report vote r5 --part rules --as-of 2027-03-20T00:00:00Z --format csv
	[ "$output" = "$(ft-report vote r5 --part rules --format csv)" ]
	# A rule not counted by then; a date is its first second.
	run -66 --separate-stderr ft-report vote r5 --rule mes --as-of 2027-03-19
	[ "$stderr" = 'ft-report: round "r5" has no count under the rule "mes" by 2027-03-19T00:00:00Z' ]
	run -0 --separate-stderr ft-report vote r5 --rule mes --as-of 2027-03-20 --format csv
	[ "$output" = "$mes" ]
}

@test "ft-report vote --as-of: the summary, the ballots by channel and area, the turnout: refused before the round's first count, the same as without after it" {
	counted_twice
	local before='is before round "r5" closed (2027-03-15T00:00:00Z): ballots keep no time, so the ballots then cannot be rebuilt'
	local between='is before round "r5" was first counted (2027-03-16T00:00:00Z): ballots keep no time and can be entered until then, so the ballots then cannot be rebuilt'
	for p in summary channel area turnout; do
		run -66 --separate-stderr ft-report vote r5 --part "$p" --as-of 2027-03-14T23:59:59Z --format csv
		[ "$output" = "" ]
		[ "$stderr" = "ft-report: vote: --as-of 2027-03-14T23:59:59Z $before" ]
		# From the close to the first count, a ballot dated before the
		# close can still be entered (ft-vote cast).
		for t in 2027-03-15T00:00:00Z 2027-03-15T23:59:59Z; do
			run -66 --separate-stderr ft-report vote r5 --part "$p" --as-of "$t" --format csv
			[ "$stderr" = "ft-report: vote: --as-of $t $between" ]
		done
		run -0 --separate-stderr ft-report vote r5 --part "$p" --as-of 2027-03-20T00:00:00Z --format csv
		[ "$stderr" = "" ]
		[ "$output" = "$(ft-report vote r5 --part "$p" --format csv)" ]
	done
	# At the first count: the ballots as now, the count of then.
	run -0 --separate-stderr ft-report vote r5 --part summary --as-of 2027-03-16T00:00:00Z --format csv
	[ "$(tr -d '\r' <<< "$output" | sed -n '4,6p;12,13p' | paste -sd ' ')" = "rule,greedy tally,3 counted_at,2027-03-16T00:00:00Z ballots,9 voters,12" ]
	run -0 --separate-stderr ft-report vote r5 --part turnout --as-of 2027-03-16T00:00:00Z --format csv
	[ "$output" = "$(ft-report vote r5 --part turnout --format csv)" ]
	# A round not counted: its ballots can still come in.
	ft-vote open -q --now 2027-02-01T00:00:00Z > /dev/null <<< '{"id":"r2","name":"x","budget":1,"ballot":"approval","rule":"greedy","opens_at":"2027-03-01T00:00:00Z","closes_at":"2027-03-15T00:00:00Z"}'
	run -66 --separate-stderr ft-report vote r2 --part channel --as-of 2027-04-01T00:00:00Z
	[ "$stderr" = 'ft-report: vote: --as-of 2027-04-01T00:00:00Z: round "r2" has not been counted: ballots keep no time and can be entered until its first count, so the ballots then cannot be rebuilt' ]
}

@test "ft-report vote --as-of --part progress: the steps recorded by then, of the projects funded by the count of then" {
	counted_twice
	ft-vote progress r5 -q --now 2027-04-01T00:00:00Z > /dev/null <<< '{"project":"p3","stage":"tender","percent":5,"at":"2027-03-25T00:00:00Z"}'
	ft-vote progress r5 -q --now 2027-04-10T00:00:00Z > /dev/null <<-'EOF'
	{"project":"p3","stage":"installed","percent":100,"at":"2027-04-09T00:00:00Z"}
	{"project":"p4","stage":"tender","percent":10,"at":"2027-04-09T00:00:00Z"}
	EOF
	# Before the first step: mes's p3 and p4 without one; under greedy
	# (before mes's count), p1 and p3.
	run -0 --separate-stderr ft-report vote r5 --part progress --as-of 2027-03-31T23:59:59Z --format csv
	[ "$(cut -d, -f1,4,7 <<< "$output" | tr -d '\r' | paste -sd ' ')" = "project,stage,latest p3,,false p4,,false" ]
	run -0 --separate-stderr ft-report vote r5 --part progress --as-of 2027-03-19T00:00:00Z --format csv
	[ "$(cut -d, -f1,4,7 <<< "$output" | tr -d '\r' | paste -sd ' ')" = "project,stage,latest p1,,false p3,,false" ]
	# At the first step and one second before the second.
	for t in 2027-04-01T00:00:00Z 2027-04-09T23:59:59Z; do
		run -0 --separate-stderr ft-report vote r5 --part progress --as-of "$t" --format csv
		[ "$stderr" = "" ]
		output=${output//$'\r'/}
		is <<-'EOF'
		project,name,at,stage,percent,note,latest
		p3,Bike racks,2027-03-25T00:00:00Z,tender,5,,true
		p4,Library,,,,,false
		EOF
	done
	run -0 --separate-stderr ft-report vote r5 --part progress --as-of 2027-04-10T00:00:00Z --format csv
	[ "$output" = "$(ft-report vote r5 --part progress --format csv)" ]
	[ "$(cut -d, -f1,4,7 <<< "$output" | tr -d '\r' | paste -sd ' ')" = "project,stage,latest p3,tender,false p3,installed,true p4,tender,true" ]
	run -66 --separate-stderr ft-report vote r5 --part progress --as-of 2027-03-15T23:59:59Z
	[ "$stderr" = 'ft-report: round "r5" has not been counted by 2027-03-15T23:59:59Z (ft-vote tally)' ]
}

@test "ft-report site: the vote page: turnout by area, the rules side by side, the funded projects' progress" {
	scoped
	ft-vote tally r3 -q --now 2027-03-16T00:00:00Z > /dev/null
	ft-vote progress r1 -q --now 2027-04-01T00:00:00Z > /dev/null <<-'EOF'
	{"project":"p3","stage":"tender","percent":5,"at":"2027-03-20T00:00:00Z"}
	{"project":"p3","stage":"installed","percent":100,"note":"40 racks <b>","at":"2027-03-30T00:00:00Z"}
	EOF
	run -0 --separate-stderr ft-report site www --tz UTC --min-group 2
	# r1: counted under greedy and mes, side by side.
	grep -q '<thead><tr><th>project</th><th class="n">cost</th><th class="n">votes</th><th>greedy</th><th>mes</th><th>differs</th></tr></thead>' www/vote/r1.html
	grep -q '<tr><td>社区食堂</td><td class="n">60</td><td class="n">5</td><td><b>selected</b></td><td>no</td><td>yes</td></tr>' www/vote/r1.html
	grep -q '<tr><td>Bike racks</td><td class="n">30</td><td class="n">4</td><td><b>selected</b></td><td><b>selected</b></td><td></td></tr>' www/vote/r1.html
	grep -q '<tr><td>Library</td><td class="n">20</td><td class="n">2</td><td>no</td><td><b>selected</b></td><td>yes</td></tr>' www/vote/r1.html
	# Its funded projects (greedy's, the round's rule), the latest step, every step.
	grep -q '<h2>Progress of the funded projects</h2>' www/vote/r1.html
	grep -q '<tr><td>社区食堂</td><td>not started</td><td></td></tr>' www/vote/r1.html
	grep -q '<tr><td>Bike racks</td><td>installed (100%), 2027-03-30 00:00</td><td><ul>' www/vote/r1.html
	grep -qx '<li>2027-03-20 00:00: tender (5%)</li>' www/vote/r1.html
	grep -qx '<li>2027-03-30 00:00: installed (100%) &middot; 40 racks &lt;b&gt;</li>' www/vote/r1.html
	run -1 grep -c 'Library</td><td>not started' www/vote/r1.html
	# r1 keeps no unit: one row; r3 by area, small ones marked, linked to the areas' pages.
	grep -q '<tr><td>(no area kept)</td><td></td><td class="n">12</td><td class="n">9</td><td class="n">75.0%</td><td>kiosk 8.3%, online 50.0%, paper 16.7%</td><td></td></tr>' www/vote/r1.html
	grep -q '<tr><td><a href="../area/d1.html">Futian</a></td><td>district</td><td class="n">12</td><td class="n">8</td><td class="n">66.7%</td><td>kiosk 8.3%, online 41.7%, paper 16.7%</td><td></td></tr>' www/vote/r3.html
	grep -q '<tr><td><a href="../area/g2.html">Grid 2</a></td><td>grid</td><td class="n">2</td><td class="n">1</td><td class="n">50.0%</td><td>online 50.0%</td><td></td></tr>' www/vote/r3.html
	grep -q '<tr><td><a href="../area/g4.html">Grid 4</a></td><td>grid</td><td class="n">1</td><td class="n">1</td><td class="n">100.0%</td><td>paper 100.0%</td><td>small group</td></tr>' www/vote/r3.html
	grep -q 'A small group has fewer than 2 eligible voters' www/vote/r3.html
	# A round counted under one rule has no comparison; no voter anywhere.
	run -1 grep -c 'The rules compared' www/vote/r3.html
	run -1 grep -rlE '1380000|1390000' www
	[ "$(sqlite3 "$FT_DB" 'SELECT count(*) FROM voters UNION ALL SELECT count(*) FROM ballots' | paste -sd ' ')" = "24 17" ]
	for h in $(sqlite3 "$FT_DB" 'SELECT voter FROM voters UNION ALL SELECT tag FROM ballots'); do
		if grep -rq "$h" www; then
			echo "found $h" >&2
			false
		fi
	done
}

@test "ft-report facilities, collectors, services: bad options exit 64" {
	usage '--min-group: "-1" is not a whole number from 0 to 1000000000' facilities --min-group -1
	usage '--min-group: "2x" is not a whole number from 0 to 1000000000' collectors --min-group 2x
	usage '--back-days: "0" is not a whole number from 1 to 3650' facilities --back-days 0
	usage '--back-days: "3651" is not a whole number from 1 to 3650' facilities --back-days 3651
	usage '--per: "team" is not collector or firm' collectors --per team
	usage 'collectors: --back-days does not apply' collectors --back-days 7
	usage 'services: --per does not apply' services --per firm
	usage 'facilities: --by does not apply' facilities --by day
	usage 'site: --per does not apply' site --per firm dir
	usage 'vote: --compare does not apply' vote r1 --compare
	run -66 --separate-stderr ft-report collectors --area g9
	[ "$stderr" = 'ft-report: --area: no unit "g9" in the database' ]
	run -66 --separate-stderr ft-report vote r1 --unit nobody
	[ "$stderr" = 'ft-report: --unit: no unit "nobody" in the database' ]
}

# ---- real data ----

@test "ft-report vote corpus: Assen: the result is ft-vote's count; three rules compared" {
	corpus_or_skip
	rm -f "$FT_DB"
	ft-vote import -q "$CORPUS/pabulib/Netherlands_Assen_2024.pb" > /dev/null
	ft-vote tally Netherlands_Assen_2024 -q --rule greedy > greedy.ndjson
	ft-vote tally Netherlands_Assen_2024 -q --rule mes > /dev/null
	ft-vote tally Netherlands_Assen_2024 -q --rule mes --complete greedy > /dev/null
	run -0 --separate-stderr ft-report vote Netherlands_Assen_2024 --rule greedy --format ndjson
	[ "$(jq -c '[.project, .votes, .selected, .reason]' <<< "$output")" = "$(jq -c '[.project, .votes, .selected, .reason]' greedy.ndjson)" ]
	[ "${#lines[@]}" = 14 ]
	run -0 --separate-stderr ft-report vote Netherlands_Assen_2024 --part rules --format csv
	[ "${lines[0]}" = $'project,name,cost,votes,greedy,mes,mes --complete greedy,differs\r' ]
	[ "$(grep -c $',true\r$' <<< "$output")" = 5 ]
	# The rule compared is ft-vote's own comparison.
	run -0 --separate-stderr ft-vote tally Netherlands_Assen_2024 --dry-run --compare greedy,mes
	want=$(jq -r '"\(.project) \(.greedy) \(.mes)"' <<< "$output")
	run -0 --separate-stderr ft-report vote Netherlands_Assen_2024 --part rules --format ndjson
	[ "$(jq -r '"\(.project) \(.greedy) \(.mes)"' <<< "$output")" = "$want" ]
}

@test "ft-report vote corpus: Warszawa 2026: ballots by channel and by neighborhood, as the file counts them" {
	corpus_or_skip
	f="$CORPUS/pabulib/Poland_Warszawa_2026.pb"
	rm -f "$FT_DB"
	ft-vote import -q "$f" > /dev/null
	# The VOTES section, its columns by name.
	tr -d '\r' < "$f" | awk -F';' '/^VOTES$/ { v = 1; next } v && !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
		v { print $c["voting_method"] > "channel.txt"; print $c["neighborhood"] > "area.txt" }'
	want=$(sort channel.txt | uniq -c | awk '{ printf "%s,%s\n", $2, $1 }')
	run -0 --separate-stderr ft-report vote Poland_Warszawa_2026 --part channel --format csv
	[ "$(cut -d, -f1,2 <<< "$output" | tr -d '\r' | tail -n +2)" = "$want" ]
	want=$(LC_ALL=C sort area.txt | uniq -c | awk '{ printf "%s,%s\n", $2, $1 }')
	run -0 --separate-stderr ft-report vote Poland_Warszawa_2026 --part area --format csv
	[ "$(cut -d, -f1,2 <<< "$output" | tr -d '\r' | tail -n +2)" = "$want" ]
	[ "${#lines[@]}" = 20 ]
	# Every one of the 19 areas has at least --min-group 959 ballots; one
	# more marks Wesoła.
	run -0 --separate-stderr ft-report vote Poland_Warszawa_2026 --part area --min-group 960 --format ndjson
	[ "$(jq -r 'select(.small) | .area' <<< "$output")" = "Wesoła" ]
	run -0 --separate-stderr ft-report vote Poland_Warszawa_2026 --part area --min-group 959 --format ndjson
	[ "$(jq -r 'select(.small) | .area' <<< "$output")" = "" ]
}

# ---- events --as-of ----

# asof_db: a district whose events change over 2026-12-01 (UTC): a1 and
# a2 stored at 00:00, a2 dispatched to lights at 01:00, a3 stored late at
# 02:00, a1's category changed by an upsert at 03:00, a1 and a3
# dispatched at 04:00, a2 rejected at 05:00 and sent to sanitation at
# 06:00.
asof_db() {
	rm -f "$FT_DB"
	ft-ingest -q --now 2026-12-01T00:00:00Z -k units "$F/units.ndjson" > /dev/null
	ft-ingest -q --now 2026-12-01T00:00:00Z > /dev/null <<-'EOF'
	{"id":"a1","category":"noise","source":"app","area":"g1","reported_at":"2026-11-30T10:00:00Z"}
	{"id":"a2","category":"路灯","source":"hotline","area":"g2","reported_at":"2026-11-30T11:00:00Z"}
	EOF
	run -1 --separate-stderr ft-dispatch -q --pending --now 2026-12-01T01:00:00Z --rules "$F/rules.json"
	ft-ingest -q --now 2026-12-01T02:00:00Z > /dev/null <<< '{"id":"a3","category":"垃圾清运","source":"qr","area":"g3","reported_at":"2026-11-30T12:00:00Z"}'
	ft-ingest -q --upsert --now 2026-12-01T03:00:00Z > /dev/null <<< '{"id":"a1","category":"路灯","source":"app","area":"g1","reported_at":"2026-11-30T10:00:00Z"}'
	ft-dispatch -q --pending --now 2026-12-01T04:00:00Z --rules "$F/rules.json" > /dev/null
	ft-update -q --now 2026-12-01T06:00:00Z > /dev/null <<-'EOF'
	{"id":"a2","status":"rejected","at":"2026-12-01T05:00:00Z"}
	{"id":"a2","status":"dispatched","unit":"sanitation","at":"2026-12-01T06:00:00Z"}
	EOF
}

# at TIME: the events by category, unit and community as of TIME, one
# line each ("category,events noise,1 ...").
at() {
	local by
	for by in category unit "area --area-level community"; do
		# shellcheck disable=SC2086
		ft-report events --tz UTC --as-of "$1" --since 2026-11-30 --by $by --format csv | tr -d '\r' | paste -sd ' '
	done
}

@test "ft-report events --as-of: stored, upserted, dispatched and sent again: a second before each change and at it" {
	asof_db
	run -0 at 2026-11-30T23:59:59Z
	is <<-'EOF'
	category,events
	unit,events
	community,events
	EOF
	run -0 at 2026-12-01T00:00:00Z
	is <<-'EOF'
	category,events noise,1 路灯,1
	unit,events ,2
	community,events c1,2
	EOF
	run -0 at 2026-12-01T00:59:59Z
	[ "${lines[1]}" = "unit,events ,2" ]
	run -0 at 2026-12-01T01:00:00Z
	[ "${lines[1]}" = "unit,events ,1 lights,1" ]
	run -0 at 2026-12-01T01:59:59Z
	[ "${lines[0]}" = "category,events noise,1 路灯,1" ]
	# a3, stored late, counts from when it was stored, with the area its
	# source gave (dispatched at 04:00).
	run -0 at 2026-12-01T02:00:00Z
	is <<-'EOF'
	category,events noise,1 垃圾清运,1 路灯,1
	unit,events ,2 lights,1
	community,events c1,2 c2,1
	EOF
	run -0 at 2026-12-01T02:59:59Z
	[ "${lines[0]}" = "category,events noise,1 垃圾清运,1 路灯,1" ]
	run -0 at 2026-12-01T03:00:00Z
	[ "${lines[0]}" = "category,events 路灯,2 垃圾清运,1" ]
	run -0 at 2026-12-01T04:00:00Z
	[ "${lines[1]}" = "unit,events lights,2 sanitation,1" ]
	run -0 at 2026-12-01T05:59:59Z
	[ "${lines[1]}" = "unit,events lights,2 sanitation,1" ]
	run -0 at 2026-12-01T06:00:00Z
	[ "${lines[1]}" = "unit,events sanitation,2 lights,1" ]
	# Now, the report as it is.
	run -0 --separate-stderr ft-report events --tz UTC --since 2026-11-30 --by unit --format csv
	[ "$(tr -d '\r' <<< "$output" | paste -sd ' ')" = "unit,events sanitation,2 lights,1" ]
}

@test "ft-report events --as-of: relative times from then; a period named is its end; the default range ends then" {
	asof_db
	# As of the end of 2026-12-01 (yesterday from 12-02T12:00), the range
	# is the 7 days before it.
	run -0 --separate-stderr ft-report events --tz UTC --now 2026-12-02T12:00:00Z --as-of yesterday --by unit --format ndjson
	is <<-'EOF'
	{"unit":"sanitation","events":2}
	{"unit":"lights","events":1}
	EOF
	# 24h before now is 2026-12-01T01:00:00Z; --since 1d is a day before
	# that.
	run -0 --separate-stderr ft-report events --tz UTC --now 2026-12-02T01:00:00Z --as-of 24h --since 1d --by unit --format csv
	[ "$(tr -d '\r' <<< "$output" | paste -sd ' ')" = "unit,events ,1 lights,1" ]
	usage '--as-of: "then": not an ISO 8601 time or epoch seconds' events --as-of then
	usage 'site: --as-of does not apply' site out --as-of 7d
}

@test "ft-report events --as-of now is the report without it, for every grouping" {
	for by in day category source unit area facility "area --area-level street"; do
		# shellcheck disable=SC2086
		a=$(ft-report events --since 2026-10-01 --by $by --format ndjson)
		# shellcheck disable=SC2086
		b=$(ft-report events --since 2026-10-01 --by $by --as-of "$FT_NOW" --format ndjson)
		[ -n "$a" ] && [ "$a" = "$b" ] || { echo "--by $by: $a / $b"; false; }
	done
}
