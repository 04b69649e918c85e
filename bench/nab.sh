#!/bin/sh
# bench/nab.sh - ft-warn's shipped sensor rules on the Numenta Anomaly
# Benchmark's 17 real series of the corpus (issue 13), scored by
# ../shared/tools/nab_score.py.  Run by "sh bench/run.sh nab" (and make
# bench); alone: sh bench/nab.sh FT_BIN CORPUS WORK [RULES].
#
# Each CSV of CORPUS/nab/data/SUBSET/ becomes readings {sensor, at, value},
# the sensor named SUBSET/FILE.csv, the times UTC; the readings of the 17
# files are merged in time order (a stream, as a network would send them;
# sort -s keeps each file's order within a second) and go through ft-warn
# once, in a fresh database, with RULES (default rules/warn-sensors.json, one
# file for all 17 series: nothing in it looks at the labels or names a
# file).  Each warning raised ("change": "raised", not a level rise nor a
# reraise) is one alarm, at the time it was raised (raised_at: the reading
# that raised it, never earlier), in the detections file of nab_score.py.
# Prints the standard score over all 17 files, realTweets and realTraffic,
# beside the published detectors' figures (from the scorer's header), and
# writes the same lines to WORK/nab-results.txt.
set -eu

FT_BIN=$1
CORPUS=$2
WORK=$3
here=$(cd "$(dirname "$0")" && pwd)
RULES=${4:-$here/../rules/warn-sensors.json}
data=$CORPUS/nab/data
windows=$CORPUS/nab/labels/combined_windows.json
scorer=${NAB_SCORER:-$CORPUS/../tools/nab_score.py}

for f in "$data" "$windows" "$scorer" "$RULES" "$FT_BIN/ft-warn"; do
	[ -e "$f" ] || { echo "bench: nab: no $f" >&2; exit 66; }
done
mkdir -p "$WORK"
rm -f "$WORK"/nab.db*

# The readings, merged in time order.
for f in "$data"/*/*.csv; do
	name=${f#"$data"/}
	awk -F, -v s="$name" 'NR > 1 && NF == 2 {
		sub(/\r$/, "", $2)
		t = $1; sub(/ /, "T", t)
		printf "%s\t{\"sensor\":\"%s\",\"at\":\"%sZ\",\"value\":%s}\n",
			t, s, t, $2
	}' "$f"
done | sort -s -t "$(printf '\t')" -k1,1 | cut -f2 >"$WORK/nab.ndjson"

TZ=UTC FT_DB=$WORK/nab.db "$FT_BIN/ft-warn" --rules "$RULES" \
	"$WORK/nab.ndjson" >"$WORK/nab-warnings.ndjson" 2>"$WORK/nab.err" || {
	echo "bench: nab: ft-warn failed:" >&2
	cat "$WORK/nab.err" >&2
	exit 1
}

# The alarms: each raise, at its time, per file.
jq -n '[inputs | select(.change == "raised")
	| {key: (.key | sub(":.*$"; "")),
	   t: (.raised_at | sub("T"; " ") | sub("Z$"; ""))}]
	| group_by(.key) | map({key: .[0].key, value: map(.t)})
	| from_entries' "$WORK/nab-warnings.ndjson" >"$WORK/nab-detections.json"

score() {
	python3 "$scorer" --data-dir "$data" --windows "$windows" \
		--detections "$WORK/nab-detections.json" --files "$1" |
		sed -n 's/^score: //p'
}
all=$(score '*')
tweets=$(score 'realTweets/*')
traffic=$(score 'realTraffic/*')
alarms=$(jq '[.[] | length] | add // 0' "$WORK/nab-detections.json")
{
	echo "nab: $(basename "$RULES"): $alarms alarms" \
		"($(tail -n 1 "$WORK/nab.err"))"
	printf '| %-22s | %6s | %10s | %11s |\n' detector "all 17" \
		"realTweets" "realTraffic"
	printf '| %-22s | %6s | %10s | %11s |\n' "ft-warn (this run)" \
		"$all" "$tweets" "$traffic"
	printf '| %-22s | %6s | %10s | %11s |\n' ARTime 83.3 81.8 86.9 \
		contextOSE 79.5 74.5 91.2 "numenta (HTM)" 72.3 68.0 82.5 \
		earthgeckoSkyline 71.2 68.9 76.5 relativeEntropy 65.4 59.8 78.6 \
		knncad 60.0 64.3 49.9 random 19.6 21.3 15.5
} | tee "$WORK/nab-results.txt"
