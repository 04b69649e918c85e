#!/usr/bin/env bats
# ft-report --format html and ft-report site (issue 14): the page of a
# report exactly (golden), its text escaped, nothing fetched, the line of a
# series, the map drawn from the areas' own boundaries (the projection
# checked by hand: 0.01 degree of longitude at 22.51 N is 136 units), the
# public site (a page per area, vote round and case ending; its figures;
# no personal data; swapped in whole; the same bytes from the same data)
# and its errors.  The browser renders them in ft-report-browser.bats.
# shellcheck disable=SC2154
bats_require_minimum_version 1.5.0
load helpers/common

F="$BATS_TEST_DIRNAME/fixtures/ft-report"

setup_file() {
	# The district of ft-report.bats with boundaries (areas.ndjson), its
	# eleven events, and four more with personal data (site-events), two
	# of them resolved and rated (site-updates), and a vote counted.
	local base="$BATS_FILE_TMPDIR/base.db"
	export FT_USER=tester
	export FT_DB="$base" FT_NOW="2026-12-08T04:00:00Z"
	"$FT_BIN/ft-ingest" -q -k units "$F/areas.ndjson" > /dev/null
	"$FT_BIN/ft-ingest" -q "$F/events.ndjson" |
		{ "$FT_BIN/ft-dispatch" -q --rules "$F/rules.json" 2> /dev/null > /dev/null || [ $? = 1 ]; }
	"$FT_BIN/ft-ingest" -q "$F/site-events.ndjson" |
		"$FT_BIN/ft-dispatch" -q --now 2026-12-01T00:10:00Z --rules "$F/site-rules.json" > /dev/null
	"$FT_BIN/ft-update" -q "$F/site-updates.ndjson" > /dev/null
	"$FT_BIN/ft-vote" import -q --key "$BATS_FILE_TMPDIR/vote.key" "$FIXTURES/ft-vote/small.pb" > /dev/null
	"$FT_BIN/ft-vote" tally -q small > /dev/null
	[ "$(sqlite3 "$base" 'SELECT count(*), count(unit), count(rating) FROM events')" = "15|10|2" ]
}

setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR" || exit 1
	cp "$BATS_FILE_TMPDIR/base.db" "$FT_DB"
	# Noon of Tuesday 2026-12-08 in Shanghai.
	export FT_NOW="2026-12-08T04:00:00Z"
}

# rep ARGS...: ft-report events in Shanghai's zone, as HTML.
rep() {
	ft-report events --tz Asia/Shanghai --format html "$@"
}

# site DIR ARGS...: ft-report site in Shanghai's zone, from November on.
site() {
	local dir=$1
	shift
	ft-report site --tz Asia/Shanghai --since 2026-11-01 "$@" "$dir"
}

# svg CLASS: the <svg class="CLASS"> element of $output, whole.
svg() {
	printf '%s\n' "$output" | sed -n "/<svg class=\"$1\"/,/<\/svg>/p"
}

# ---- the HTML report ----

@test "ft-report html: events by category, the whole page exactly" {
	run -0 --separate-stderr rep --since 2026-11-30 --by category
	[ "$stderr" = "" ]
	diff <(printf '%s\n' "$output") "$F/category.html"
}

@test "ft-report html: <, &, \", ' and Chinese in a category are escaped in the title, table and chart" {
	cat='<b>&"路灯'"'"'</b>'
	esc='&lt;b&gt;&amp;&quot;路灯&#39;&lt;/b&gt;'
	run -0 --separate-stderr rep --since 2026-11-30 --by source --category "$cat"
	# The title (twice: <title> and <h1>), the table holds sources.
	[ "$(printf '%s\n' "$output" | grep -c "Events by source, category $esc")" = 2 ]
	run -0 --separate-stderr rep --since 2026-11-30 --by category
	# The table's cell, the bar's label and the bar's tooltip.
	[ "$(printf '%s\n' "$output" | grep -o "$esc" | wc -l)" = 3 ]
	[ "$(printf '%s\n' "$output" | grep -c "<td>$esc</td>")" = 1 ]
	[ "$(printf '%s\n' "$output" | grep -c "<title>$esc: 1</title>")" = 1 ]
	# Nothing of the category is markup: no <b> at all in the page.
	run -1 grep -c '<b>' <<< "$output"
	# A quote of the data never ends an attribute: every attribute value
	# of the page is one of ours.
	[ "$(printf '%s\n' "$output" | grep -o '路灯[^<]*' | grep -c '"')" = 0 ]
}

@test "ft-report html: the page is self-contained: no script, no link, nothing fetched" {
	for by in day category area; do
		run -0 --separate-stderr rep --since 2026-11-30 --by "$by"
		[ "$(printf '%s\n' "$output" | grep -ci '<script\|<link\|<img\|<iframe\| src=\|url(\|@import')" = 0 ]
		# The one address is the SVG namespace, which is not fetched.
		[ "$(printf '%s\n' "$output" | grep -o 'https\?://[^"]*' | sort -u)" = "http://www.w3.org/2000/svg" ]
		[ "$(printf '%s\n' "$output" | grep -c '<style>')" = 1 ]
		[ "${lines[0]}" = "<!DOCTYPE html>" ]
		[ "${lines[-1]}" = "</html>" ]
	done
}

@test "ft-report html: by day is a line through every local day, the empty ones at 0" {
	run -0 --separate-stderr rep --since 2026-11-30 --until 2026-12-08
	line=$(svg line)
	# 8 days (2026-11-30 .. 2026-12-07): 8 points, 8 dots; 2026-12-05 had
	# nothing: on the axis (y 220 = 12 + 208); the most, 3 on 12-02, is
	# 3/5 of the way up to the axis's round top, 5: y 220 - 124.8.
	[ "$(printf '%s\n' "$line" | grep -o 'points="[^"]*"' | tr ' ' '\n' | grep -c ,)" = 8 ]
	[ "$(printf '%s\n' "$line" | grep -c '<circle')" = 8 ]
	[ "$(printf '%s\n' "$line" | grep -c '<title>2026-12-05: 0</title>')" = 1 ]
	printf '%s\n' "$line" | grep -q 'cy="220.0" r="3" fill="#3182bd"><title>2026-12-05: 0</title>'
	printf '%s\n' "$line" | grep -q 'cy="95.2" r="3" fill="#3182bd"><title>2026-12-02: 3</title>'
	printf '%s\n' "$line" | grep -q 'text-anchor="end" fill="#222">5</text>'
	# No bars and no map for a series.
	[ "$(svg bars)" = "" ]
	[ "$(svg map)" = "" ]
	[ "$(printf '%s\n' "$output" | grep -c '<tfoot>')" = 1 ]
}

@test "ft-report html: by area at a level: a map of the areas' own boundaries, shaded, with a legend" {
	run -0 --separate-stderr rep --since 2026-11-30 --by area --area-level community
	map=$(svg map)
	# c1 (114.00-114.01 E), c2 (114.01-114.02), c3 (114.02-114.04), all
	# 22.50-22.52 N: 0.01 degree of longitude is 136 units of 544, the
	# height 0.02 * 544 / (0.04 * cos 22.51) = 294.4.
	[ "$(printf '%s\n' "$map" | grep -c '<path')" = 3 ]
	printf '%s\n' "$map" | grep -q 'fill="#08519c" d="M8.0 302.4L144.0 302.4L144.0 8.0L8.0 8.0L8.0 302.4Z"><title>Jinglian community (c1): 6</title>'
	printf '%s\n' "$map" | grep -q 'fill="#deebf7" d="M144.0 302.4L280.0 302.4L280.0 8.0L144.0 8.0L144.0 302.4Z"><title>Xinmin community (c2): 2</title>'
	printf '%s\n' "$map" | grep -q 'fill="#9ecae1" d="M280.0 302.4L552.0 302.4L552.0 8.0L280.0 8.0L280.0 302.4Z"><title>Tianan community (c3): 3</title>'
	# The legend: what is counted, five classes from 2 to 6, and none.
	printf '%s\n' "$map" | grep -q '>events</text>'
	[ "$(printf '%s\n' "$map" | grep -c 'fill="#deebf7" stroke="#999"/><text x="28" y="343" fill="#222">2–2.8</text>')" = 1 ]
	[ "$(printf '%s\n' "$map" | grep -c '>5.2–6</text>')" = 1 ]
	[ "$(printf '%s\n' "$map" | grep -c '>none</text>')" = 1 ]
	# The names of so few areas are written on them, cut to 16 columns.
	[ "$(printf '%s\n' "$map" | grep -c 'text-anchor="middle".*>Jinglian commun…</text>')" = 1 ]
	[ "$(printf '%s\n' "$map" | grep -c 'text-anchor="middle".*>Xinmin community</text>')" = 1 ]
}

@test "ft-report html: an area with no events is drawn at 0; rows that are no areas draw no map" {
	run -0 --separate-stderr rep --since 2026-12-04 --by area
	map=$(svg map)
	[ "$(printf '%s\n' "$map" | grep -c '<path')" = 4 ]
	printf '%s\n' "$map" | grep -q '<title>Grid 3 (g3): 0</title>'
	printf '%s\n' "$map" | grep -q '<title>Grid 1 (g1): 1</title>'
	# Within --area s2: its one grid.
	run -0 --separate-stderr rep --since 2026-11-30 --by area --area s2
	[ "$(svg map | grep -c '<path')" = 1 ]
	# Units that are teams, categories: no map.
	run -0 --separate-stderr rep --since 2026-11-30 --by unit
	[ "$(svg map)" = "" ]
	[ "$(svg bars | grep -c '<rect')" = 3 ]
	run -0 --separate-stderr rep --since 2026-11-30 --by category
	[ "$(svg map)" = "" ]
}

@test "ft-report html: the bars of areas and units are labelled by the unit's name, its id in the tooltip, the id beside a name two bars share" {
	run -0 --separate-stderr rep --since 2026-11-30 --by area
	bars=$(svg bars)
	printf '%s\n' "$bars" | grep -q '<text x="194" y="19" text-anchor="end" fill="#222">Grid 1</text><rect x="200" y="7" width="360.0" height="16" fill="#3182bd"><title>Grid 1 (g1): 4</title></rect>'
	# No stored unit: as it is.
	printf '%s\n' "$bars" | grep -q 'fill="#222">(none)</text><rect x="200" y="95" width="90.0" height="16" fill="#3182bd"><title>(none): 1</title>'
	[ "$(printf '%s\n' "$bars" | grep -c '>g[0-9]</text>')" = 0 ]
	run -0 --separate-stderr rep --since 2026-11-30 --by unit
	svg bars | grep -q 'fill="#222">Street lighting team</text><rect [^>]*><title>Street lighting team (lights): '
	run -0 --separate-stderr ft-report sla --tz Asia/Shanghai --format html --since 2026-11-30 --by area
	# The bars of a ranked report measure its cases, not its rank.
	cases=$(ft-report sla --tz Asia/Shanghai --format csv --since 2026-11-30 --by area | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cases") c = i } $1 == "g4" { print $c }')
	[ "$cases" -gt 0 ]
	svg bars | grep -q "fill=\"#222\">Grid 4</text><rect [^>]*><title>Grid 4 (g4): $cases</title>"
	# Two areas named alike: each with its id beside the name.
	printf '%s\n' '{"id":"g5","name":"Grid 1","kind":"grid","parent":"c3"}' | ft-ingest -q -k units > /dev/null
	printf '{"id":"n%s","category":"noise","area":"g5","reported_at":"2026-12-07T10:00:00+08:00"}\n' 1 2 3 | ft-ingest -q > /dev/null
	run -0 --separate-stderr rep --since 2026-11-30 --by area
	bars=$(svg bars)
	printf '%s\n' "$bars" | grep -q 'fill="#222">Grid 1 (g5)</text><rect [^>]*><title>Grid 1 (g5): 3</title>'
	printf '%s\n' "$bars" | grep -q 'fill="#222">Grid 1 (g1)</text><rect [^>]*><title>Grid 1 (g1): 4</title>'
	printf '%s\n' "$bars" | grep -q 'fill="#222">Grid 2</text><rect [^>]*><title>Grid 2 (g2): 2</title>'
	# A series and other keys: their own labels.
	run -0 --separate-stderr rep --since 2026-11-30 --by category
	svg bars | grep -q 'fill="#222">noise</text>'
}

@test "ft-report html corpus: Shenzhen's nine districts, their real MultiPolygons, as a map" {
	corpus_or_skip
	export FT_DB="$BATS_TEST_TMPDIR/sz.db"
	ft-ingest -q --kind units \
		--map '{id: (.properties.adcode | tostring), name: .properties.name, kind: "district", boundary: .geometry}' \
		"$CORPUS/shenzhen_boundaries/shenzhen_districts_440300_full.geojson" > /dev/null
	printf '{"id":"x%s","category":"路灯","area":"440304","reported_at":"2026-12-07T10:00:00+08:00"}\n' 1 2 3 |
		ft-ingest -q > /dev/null
	printf '{"id":"y1","category":"路灯","area":"440305","reported_at":"2026-12-07T10:00:00+08:00"}\n' |
		ft-ingest -q > /dev/null
	run -0 --separate-stderr rep --since 2026-12-07 --by area --area-level district
	map=$(svg map)
	[ "$(printf '%s\n' "$map" | grep -c '<path')" = 9 ]
	printf '%s\n' "$map" | grep -q 'fill="#08519c" d="M[^"]*"><title>福田区 (440304): 3</title>'
	printf '%s\n' "$map" | grep -q 'fill="#deebf7" d="M[^"]*"><title>罗湖区 (440303): 0</title>'
	# The points fill the width inside the margins (8 to 552), north up,
	# the height as the shape wants (then 60 for the legend).
	printf '%s\n' "$map" | grep -q 'viewBox="0 0 560 389"'
	[ "$(printf '%s\n' "$map" | grep -o ' d="[^"]*"' | tr 'MLZ' '\n\n\n' |
		awk 'NF == 2 { if (n++ == 0 || $1 < x0) x0 = $1; if ($1 > x1) x1 = $1; if (n == 1 || $2 < y0) y0 = $2; if ($2 > y1) y1 = $2 } END { print x0, x1, y0, y1 }')" = "8.0 552.0 8.0 320.8" ]
}

# ---- the site ----

@test "ft-report site: an index, a page for each area, vote round and case ending; the summary" {
	run -0 --separate-stderr site www
	[ "$output" = "" ]
	# e10 is of October 31st, local.
	[ "$stderr" = "ft-report: site www: 10 areas, 14 cases on 14 case pages" ]
	[ "$(cd www && find . -type f | sort | tr '\n' ' ')" = "./area/c1.html ./area/c2.html ./area/c3.html ./area/d1.html ./area/g1.html ./area/g2.html ./area/g3.html ./area/g4.html ./area/s1.html ./area/s2.html ./case/001.html ./case/002.html ./case/101.html ./case/_3E_22x.html ./case/e1.html ./case/e11.html ./case/e2.html ./case/e3.html ./case/e4.html ./case/e5.html ./case/e6.html ./case/e7.html ./case/e8.html ./case/e9.html ./case/index.html ./index.html ./vote/small.html " ]
	# Every link of every page leads to a page of the site.
	for f in $(cd www && find . -name '*.html'); do
		d=$(dirname "$f")
		for h in $(grep -o 'href="[^"]*"' "www/$f" | sed 's/href="//; s/"$//'); do
			[ -f "www/$d/$h" ] || { echo "$f: $h: no such page" >&2; return 1; }
		done
	done
	# The index: the district alone on top, so its streets are the map.
	grep -q '<title>Lianhua street (s1): ' www/index.html
	grep -q '<a href="area/s1.html">Lianhua street</a>' www/index.html
	grep -q '<li><a href="vote/small.html">A small round</a> (4 ballots)</li>' www/index.html
	[ "$(grep -c '<svg class="map"' www/index.html)" = 1 ]
	[ "$(grep -c '<svg class="bars"' www/index.html)" = 1 ]
	[ "$(grep -c '<svg class="line"' www/index.html)" = 1 ]
	# quiet
	rm -rf www
	run -0 --separate-stderr site www -q
	[ "$stderr" = "" ]
	# --no-output: made, then removed; what was there stays.
	touch www/mine
	before=$(ls -R www)
	run -0 --separate-stderr site www -q --no-output
	[ "$(ls -R www)" = "$before" ]
	[ -e www/mine ]
	[ "$(ls -d www* | tr '\n' ' ')" = "www " ]
}

@test "ft-report site: an area's figures: reported, resolved, times, the deadline, ratings" {
	run -0 --separate-stderr site www
	# g1: e1, e6, e11 (open; e10 is of October) and
	# HL-001 (resolved in 2 h, before its deadline, rated 5), HL-002
	# (4 h, an hour late, rated 2).
	sed -n '/<div class="kpi">/,/^<\/div>/p' www/area/g1.html > kpi
	diff kpi - <<-'EOF'
	<div class="kpi">
	<div><b>5</b>reported</div>
	<div><b>0</b>repeats of a case already open</div>
	<div><b>2</b>resolved</div>
	<div><b>0</b>closed without a fix</div>
	<div><b>3</b>still open</div>
	<div><b>0</b>open past the deadline</div>
	<div><b>2.0 h</b>median time to resolve</div>
	<div><b>4.0 h</b>90% resolved within</div>
	<div><b>50.0%</b>resolved within the deadline</div>
	<div><b>2</b>ratings</div>
	<div><b>3.50</b>mean rating (1-5)</div>
	<div><b>50.0%</b>satisfied (4 or 5)</div>
	</div>
	EOF
	# Its street counts it too, with g2 and g3.
	grep -q '<div><b>10</b>reported</div>' www/area/s1.html
	grep -q '<tr><td><a href="c1.html">Jinglian community</a></td><td class="n">7</td><td class="n">2</td><td class="n">2.0 h</td><td class="n">50.0%</td><td class="n">3.50</td></tr>' www/area/s1.html
	grep -q '<nav><a href="../index.html">Home</a> &rsaquo; <a href="d1.html">Futian</a> &rsaquo; <a href="s1.html">Lianhua street</a> &rsaquo; <a href="c1.html">Jinglian community</a></nav>' www/area/g1.html
}

@test "ft-report site: no personal data: no reporter, title, text, address, note, rating comment, rater or voter" {
	run -0 --separate-stderr site www
	# Each of them is in the database...
	for s in 张三 13800138000 李四 SECRET-TITLE SECRET-TEXT SECRET-ADDRESS SECRET-NOTE SECRET-COMMENT 王五 SECRET-RATER lights-worker; do
		[ "$(sqlite3 "$FT_DB" "SELECT count(*) FROM events e, history h WHERE instr(e.raw, '$s') OR instr(coalesce(e.rating_comment, ''), '$s') OR instr(coalesce(h.detail, '') || coalesce(h.by, ''), '$s')")" != 0 ]
	done
	# ...and nowhere in the site; nor are the voters' ids of small.pb.
	run -1 grep -rlE '张三|13800138000|李四|SECRET|王五|lights-worker|a1;|>a[1-4]<' www
}

@test "ft-report site: a resident finds a case on the page of its number's last three characters" {
	run -0 --separate-stderr site www
	grep -q '<a href="001.html">001</a>' www/case/index.html
	[ "$(grep -c '<tr><td>' www/case/001.html)" = 1 ]
	grep -q '<tr><td>HL-001</td><td>2026-12-01 08:00</td><td>路灯</td><td><a href="../area/g1.html">Grid 1</a></td><td>Street lighting team</td><td>resolved</td><td>2026-12-01 10:00, in time</td></tr>' www/case/001.html
	grep -q '<td>2026-12-02 13:00, late</td>' www/case/002.html
	# An id of any bytes: a safe file name, its text escaped.
	grep -q '<a href="_3E_22x.html">&gt;&quot;x</a>' www/case/index.html
	grep -q '<tr><td>A/B&lt;&amp;&gt;&quot;x</td><td>2026-12-03 10:00</td><td>&lt;b&gt;&amp;&quot;路灯&#39;&lt;/b&gt;</td>' www/case/_3E_22x.html
	# A case without an area or a unit.
	grep -q '<tr><td>e4</td><td>2026-12-04 09:00</td><td>noise</td><td>-</td><td>-</td><td>new</td><td>-</td></tr>' www/case/e4.html
}

@test "ft-report site: a vote round's result, each project's reason, turnout and channels" {
	run -0 --separate-stderr site www
	grep -q '<div><b>4</b>eligible voters</div>' www/vote/small.html
	grep -q '<div><b>100.0%</b>turnout</div>' www/vote/small.html
	grep -q '<title>pb: 4</title>' www/vote/small.html
	grep -q '<tr><td class="n">1</td><td>Lamps</td><td class="n">60</td><td class="n">3</td><td class="n">3</td><td><b>selected</b></td><td>fits the remaining budget</td></tr>' www/vote/small.html
	grep -q '<tr><td class="n">2</td><td>Park; small</td><td class="n">50</td><td class="n">2</td><td class="n">2</td><td>no</td><td>did not fit the remaining budget (40 left)</td></tr>' www/vote/small.html
	grep -q '<h2>Result counted under greedy</h2>' www/vote/small.html
	grep -q "the ballots' digest 6b3b9fc06cef" www/vote/small.html
}

@test "ft-report site: the new site takes the old one's place whole; the same data gives the same bytes" {
	run -0 --separate-stderr site www
	cp -r www first
	touch www/stale.html
	mkdir www/old-dir
	run -0 --separate-stderr site www
	# The old site is gone whole, nothing is left beside the new one.
	[ ! -e www/stale.html ] && [ ! -e www/old-dir ]
	[ "$(ls -d www* | tr '\n' ' ')" = "www " ]
	diff -r first www
	# A trailing slash is the same directory.
	run -0 --separate-stderr site www/
	diff -r first www
	[ "$(ls -d www* | tr '\n' ' ')" = "www " ]
	# An event more changes the pages that count it.
	printf '{"id":"z9","category":"noise","area":"g2","reported_at":"2026-12-07T10:00:00+08:00"}\n' |
		ft-ingest -q > /dev/null
	run -0 --separate-stderr site www
	run -1 diff -rq first www
	[ "$output" = "Files first/area/c1.html and www/area/c1.html differ
Files first/area/d1.html and www/area/d1.html differ
Files first/area/g2.html and www/area/g2.html differ
Files first/area/s1.html and www/area/s1.html differ
Files first/case/index.html and www/case/index.html differ
Only in www/case: z9.html
Files first/index.html and www/index.html differ" ]
}

@test "ft-report site: what a killed run left beside the site is removed by the next run; a live run's directory and names not of a run are kept" {
	run -0 --separate-stderr site www
	cp -r www first
	# Killed runs: a half-written site, and the old site of a swap
	# without an exchange; an hour old, nobody's.
	mkdir -p www.new-abc123/area www.new-Zz9x0q.old
	touch www.new-abc123/index.html www.new-abc123/area/g1.html
	touch -d '1 hour ago' www.new-abc123 www.new-Zz9x0q.old
	# A live run: locked by its writer (here flock(1), a run's lock).
	mkdir www.new-live01
	touch -d '1 hour ago' www.new-live01
	# Just made (before its run locks it): not touched either.
	mkdir www.new-young1
	# Not the name of a run's directory.
	mkdir www.new-abc12 www.new-abc1234 www.old wwwx.new-abc123
	touch -d '1 hour ago' www.new-abc12 www.new-abc1234 www.old wwwx.new-abc123
	run -0 --separate-stderr flock www.new-live01 "$FT_BIN/ft-report" site --tz Asia/Shanghai --since 2026-11-01 www
	[ "$stderr" = "ft-report: site www: 10 areas, 14 cases on 14 case pages" ]
	[ "$(ls -d www* | tr '\n' ' ')" = "www www.new-abc12 www.new-abc1234 www.new-live01 www.new-young1 www.old wwwx.new-abc123 " ]
	diff -r first www
	# Unlocked now: the next run removes it, as a directory given with
	# a path and a trailing slash.
	mkdir sub
	mv www.new-live01 sub/
	run -0 --separate-stderr site sub/www/
	[ "$(ls sub | tr '\n' ' ')" = "www " ]
}

@test "ft-report site: errors: no directory, --format, a file in the way, no parent" {
	run -64 --separate-stderr ft-report site
	[ "$stderr" = "ft-report: site: no directory named
Try 'ft-report --help' for more information." ]
	run -64 --separate-stderr ft-report site --format html www
	[ "${stderr_lines[0]}" = "ft-report: site: --format does not apply (the site is HTML)" ]
	run -64 --separate-stderr ft-report site www extra
	[ "${stderr_lines[0]}" = 'ft-report: site: unexpected argument "extra"' ]
	run -64 --separate-stderr ft-report site --by day www
	[ "${stderr_lines[0]}" = "ft-report: site: --by does not apply" ]
	touch afile
	run -73 --separate-stderr site afile
	[ "$stderr" = "ft-report: afile: not a directory" ]
	[ "$(ls -d afile* | tr '\n' ' ')" = "afile " ]
	run -73 --separate-stderr site no/such/www
	[[ "$stderr" = "ft-report: no/such/www.new-"*": No such file or directory" ]]
	[ ! -e no ]
	run -66 --separate-stderr ft-report site --db nothere.db www
	[ ! -e www ]
}

@test "ft-report site: units whose parents go round in a circle: each area counts a case once, the run ends" {
	export FT_DB="$BATS_TEST_TMPDIR/cycle.db"
	printf '%s\n' '{"id":"a","name":"A","kind":"street","parent":"b"}' \
		'{"id":"b","name":"B","kind":"community","parent":"a"}' \
		'{"id":"z","name":"Z","kind":"district","parent":"z"}' |
		ft-ingest -q -k units > /dev/null
	printf '{"id":"q1","category":"x","area":"b","reported_at":"2026-12-07T10:00:00+08:00"}\n' |
		ft-ingest -q > /dev/null
	run -0 --separate-stderr timeout 60 ft-report site www
	[ "$stderr" = "ft-report: site www: 3 areas, 1 cases on 1 case pages" ]
	grep -q '<div><b>1</b>reported</div>' www/area/a.html
	grep -q '<div><b>1</b>reported</div>' www/area/b.html
	grep -q '<div><b>0</b>reported</div>' www/area/z.html
}
