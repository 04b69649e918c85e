#!/usr/bin/env bats
# The HTML report and the public site as a browser shows them: headless
# Chromium (Debian's chromium package, which tools/deps.sh test and so
# .ci/run install; these tests are skipped where it is not installed)
# renders each page to a PNG with the network cut off.  The page must not
# be blank, its charts must be drawn (their SVG elements in the rendered
# DOM, their colours on the screen), the rendered DOM must hold nothing
# that fetches (a failed fetch is not logged), and the console must stay
# silent (a script error is logged there).
# shellcheck disable=SC2154
bats_require_minimum_version 1.5.0
load helpers/common

F="$BATS_TEST_DIRNAME/fixtures/ft-report"
INK="$BATS_TEST_DIRNAME/helpers/png_ink.py"

setup_file() {
	local base="$BATS_FILE_TMPDIR/base.db"
	command -v chromium > /dev/null || return 0
	export FT_USER=tester FT_DB="$base" FT_NOW="2026-12-08T04:00:00Z"
	"$FT_BIN/ft-ingest" -q -k units "$F/areas.ndjson" > /dev/null
	"$FT_BIN/ft-ingest" -q "$F/events.ndjson" |
		{ "$FT_BIN/ft-dispatch" -q --rules "$F/rules.json" 2> /dev/null > /dev/null || [ $? = 1 ]; }
	"$FT_BIN/ft-ingest" -q "$F/site-events.ndjson" |
		"$FT_BIN/ft-dispatch" -q --now 2026-12-01T00:10:00Z --rules "$F/site-rules.json" > /dev/null
	"$FT_BIN/ft-update" -q "$F/site-updates.ndjson" > /dev/null
	"$FT_BIN/ft-vote" import -q --key "$BATS_FILE_TMPDIR/vote.key" "$FIXTURES/ft-vote/small.pb" > /dev/null
	"$FT_BIN/ft-vote" tally -q small > /dev/null
}

setup() {
	command -v chromium > /dev/null ||
		skip "no chromium: the browser test needs Debian's chromium package (sh tools/deps.sh test installs it)"
	command -v python3 > /dev/null || skip "no python3 to read the screenshots"
	common_setup
	cd "$BATS_TEST_TMPDIR" || exit 1
	cp "$BATS_FILE_TMPDIR/base.db" "$FT_DB"
	export FT_NOW="2026-12-08T04:00:00Z"
}

# browse PAGE NAME: Chromium renders PAGE (a file) twice, as the DOM it
# built (NAME.dom) and as a 1000x1200 screenshot (NAME.png); its log goes
# to NAME.log.  No network: every host name resolves to nothing.
browse() {
	local url="file://$(readlink -f "$1")" name=$2 flags
	flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars
		--no-first-run --user-data-dir="$BATS_TEST_TMPDIR/chromium"
		--host-resolver-rules="MAP * ~NOTFOUND"
		--enable-logging=stderr --v=0 --window-size=1000,1200)
	timeout 120 chromium "${flags[@]}" --dump-dom "$url" > "$name.dom" 2> "$name.log"
	timeout 120 chromium "${flags[@]}" --screenshot="$PWD/$name.png" "$url" >> "$name.log" 2>&1
	[ -s "$name.png" ] || { cat "$name.log" >&2; return 1; }
}

# console NAME: the console lines of NAME.log (none is the good answer).
console() {
	grep ':CONSOLE' "$1.log" || true
}

# ink NAME COLOURS...: png_ink.py's line for NAME.png.
ink() {
	local name=$1
	shift
	python3 "$INK" "$name.png" "$@"
}

@test "ft-report browser: the console check finds a script error (a page that has one)" {
	printf '<!DOCTYPE html><p>x</p><script>nosuch();</script>\n' > bad.html
	browse bad.html bad
	console bad > found
	grep -q 'Uncaught ReferenceError: nosuch is not defined' found
	# The screenshot reader tells a blank page: a line of text is little ink.
	printf '<!DOCTYPE html><body></body>\n' > blank.html
	browse blank.html blank
	read -r w h dark < <(ink blank)
	[ "$w $h $dark" = "1000 1200 0" ]
}

@test "ft-report browser: the HTML report (by community, with its map) renders, charts drawn, no console message" {
	ft-report events --tz Asia/Shanghai --since 2026-11-30 --by area --area-level community --format html > report.html
	browse report.html report
	[ "$(console report)" = "" ]
	[ "$(grep -ci '<img\|<script\|<link\|<iframe\| src=' report.dom)" = 0 ]
	# The rendered DOM: the map's three areas and four bars (c1, c2, c3
	# and the event without an area), each with a shape.
	[ "$(grep -o '<path [^>]* d="M[^"]*Z"' report.dom | wc -l)" = 3 ]
	[ "$(sed -n '/<svg class="bars"/,/<\/svg>/p' report.dom | grep -o '<rect [^>]*width="[1-9][0-9.]*"' | wc -l)" = 4 ]
	# The screen: not blank (a tenth of it drawn or written at least), the
	# darkest class of the map (c1) and the bars' blue on it, each a
	# sizeable area (the map's c1 is 136 x 294 units).
	read -r w h dark darkest bar < <(ink report 08519c 3182bd)
	echo "screenshot: ${w}x$h, $dark not white, $darkest darkest blue, $bar bar blue" >&2
	[ "$w $h" = "1000 1200" ]
	[ "$dark" -gt 120000 ]
	[ "$darkest" -gt 30000 ]
	[ "$bar" -gt 5000 ]
}

@test "ft-report browser: the site's index renders, charts drawn, no console message" {
	ft-report site -q --tz Asia/Shanghai --since 2026-11-01 www
	browse www/index.html index
	[ "$(console index)" = "" ]
	[ "$(grep -ci '<img\|<script\|<link\|<iframe\| src=' index.dom)" = 0 ]
	# The streets' map (two areas, linked), the bars of the five
	# categories since November, the days' line.
	[ "$(sed -n '/<svg class="map"/,/<\/svg>/p' index.dom | grep -c '<a href="area/s[12].html"><path ')" = 2 ]
	[ "$(sed -n '/<svg class="bars"/,/<\/svg>/p' index.dom | grep -o '<rect [^>]*width="[1-9][0-9.]*"' | wc -l)" = 5 ]
	sed -n '/<svg class="line"/,/<\/svg>/p' index.dom | grep -q '<polyline [^>]*points="[0-9]'
	read -r w h dark darkest bar < <(ink index 08519c 3182bd)
	echo "screenshot: ${w}x$h, $dark not white, $darkest darkest blue, $bar bar blue" >&2
	[ "$dark" -gt 120000 ]
	[ "$darkest" -gt 30000 ]
	[ "$bar" -gt 2000 ]
	# An area page and a vote page render as cleanly.
	browse www/area/g1.html g1
	[ "$(console g1)" = "" ]
	browse www/vote/small.html vote
	[ "$(console vote)" = "" ]
	grep -q 'fits the remaining budget' vote.dom
}

@test "ft-report browser: the site's vote page of a round with turnout by area, progress and two rules renders, its chart drawn, no console message" {
	local M="$BATS_TEST_DIRNAME/fixtures/ft-report-more" units i n c p
	export FT_VOTE_KEY="$BATS_TEST_TMPDIR/vote.key"
	# Round r3 over the district: 12 voters in four grids, 8 approval
	# ballots on three channels, counted under greedy and mes, one
	# funded project in progress.
	ft-vote open -q --now 2027-02-01T00:00:00Z > /dev/null <<< '{"id":"r3","name":"Futian 2027","budget":100,"scope":["d1"],"ballot":"approval","rule":"greedy","opens_at":"2027-03-01T00:00:00Z","closes_at":"2027-03-15T00:00:00Z"}'
	ft-vote projects r3 -q --now 2027-02-01T00:00:00Z "$M/projects.ndjson" > /dev/null
	units=(g1 g1 g1 g1 g1 g1 g2 g2 g3 g3 g3 g4)
	{
		echo voter,unit
		for i in "${!units[@]}"; do
			printf '139000000%02d,%s\n' $((i + 1)) "${units[$i]}"
		done
	} > v3.csv
	ft-vote register r3 -q --now 2027-02-01T00:00:00Z v3.csv
	for i in 1:online:p1,p3 2:online:p1 3:online:p3,p2 4:paper:p1 7:online:p2 9:kiosk:p3 10:online:p1,p3 12:paper:p2; do
		IFS=: read -r n c p <<< "$i"
		printf '{"voter":"139000000%02d","projects":["%s"],"channel":"%s"}\n' "$n" "${p//,/\",\"}" "$c"
	done > b3.ndjson
	ft-vote cast r3 -q --now 2027-03-02T00:00:00Z b3.ndjson > /dev/null
	ft-vote tally r3 -q --now 2027-03-16T00:00:00Z > /dev/null
	ft-vote tally r3 -q --rule mes --now 2027-03-16T00:00:00Z > /dev/null
	ft-vote progress r3 -q --now 2027-04-01T00:00:00Z > /dev/null <<-'EOF'
	{"project":"p1","stage":"tender","percent":5,"at":"2027-03-20T00:00:00Z"}
	{"project":"p1","stage":"built","percent":100,"at":"2027-03-30T00:00:00Z"}
	EOF
	ft-report site -q --tz Asia/Shanghai --since 2026-11-01 --min-group 2 www
	browse www/vote/r3.html r3
	[ "$(console r3)" = "" ]
	[ "$(grep -ci '<img\|<script\|<link\|<iframe\| src=' r3.dom)" = 0 ]
	# Every part is on the rendered page: channels, turnout, both counts,
	# the rules compared, progress.
	[ "$(grep -o '<h2>[^<]*</h2>' r3.dom | tr '\n' '|')" = "<h2>Ballots by channel</h2>|<h2>Turnout by area</h2>|<h2>Result counted under greedy</h2>|<h2>Result counted under mes</h2>|<h2>The rules compared</h2>|<h2>Progress of the funded projects</h2>|" ]
	grep -q '<td><a href="../area/g4.html">Grid 4</a></td><td>grid</td><td class="n">1</td><td class="n">1</td><td class="n">100.0%</td><td>paper 100.0%</td><td>small group</td>' r3.dom
	grep -q '<th>greedy</th><th>mes</th><th>differs</th>' r3.dom
	grep -q '<li>2027-03-30 08:00: built (100%)</li>' r3.dom
	# Its one chart, the bars of the three channels, drawn.
	[ "$(grep -c '<svg' r3.dom)" = 1 ]
	[ "$(sed -n '/<svg class="bars"/,/<\/svg>/p' r3.dom | grep -o '<rect [^>]*width="[1-9][0-9.]*"' | wc -l)" = 3 ]
	read -r w h dark bar < <(ink r3 3182bd)
	echo "screenshot: ${w}x$h, $dark not white, $bar bar blue" >&2
	[ "$w $h" = "1000 1200" ]
	[ "$dark" -gt 60000 ]
	[ "$bar" -gt 2000 ]
}
