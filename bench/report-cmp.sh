#!/bin/sh
# bench/report-cmp.sh FT.csv SQL.csv: exit 0 when ft-report's CSV and the
# hand-written SQL's (bench/report-sql/*.sql through "sqlite3 -csv
# -header") hold the same figures: the same header and the same rows once
# the line ends are made LF, the columns "rank" and "small" taken out of
# both (the ranking is ft-report's presentation, not a figure), and the rows
# sorted.  Else prints the first differences and exits 1.  The fields are
# split at every comma: no figure or key of these reports holds one.
set -eu
norm() {
	tr -d '\r' <"$1" | awk -F, '
	NR == 1 { for (i = 1; i <= NF; i++) drop[i] = ($i == "rank" || $i == "small") }
	{ s = ""; sep = ""
	  for (i = 1; i <= NF; i++) if (!drop[i]) { s = s sep $i; sep = "," }
	  if (NR == 1) print "0 " s; else print "1 " s }' | LC_ALL=C sort
}
a=$(mktemp) b=$(mktemp)
trap 'rm -f "$a" "$b"' EXIT
norm "$1" >"$a"
norm "$2" >"$b"
if cmp -s "$a" "$b"; then
	exit 0
fi
echo "report-cmp: $1 and $2 differ (< ft-report, > SQL):" >&2
diff "$a" "$b" | head -n 10 >&2
exit 1
