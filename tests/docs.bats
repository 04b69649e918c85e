#!/usr/bin/env bats
# The documentation against the code: every option a tool's --help prints is
# in its man page and in both completions, every exit status of
# lib/ft_exit.h is in ft(7) and in every tool's page with its meaning, the
# pages pass mandoc's lint, ft(7) describes every column of the schema, and
# --version prints lib/ft_version.h's version.  The tools are the ft-* in
# $FT_BIN, so a new tool is checked as soon as it is built.

# The bash -c scripts below are single-quoted on purpose.
# shellcheck disable=SC2016
bats_require_minimum_version 1.5.0

load helpers/common

ROOT="$BATS_TEST_DIRNAME/.."
MAN="$ROOT/man"
# The completions the build made from the tools' option tables, beside the
# tools ($FT_BIN may hold links to them: bin/).
BUILT="$(dirname "$(readlink -f "$FT_BIN/ft-ingest")")/.."
BASH_COMP="$BUILT/completions/ft.bash"
ZSH_COMP="$BUILT/completions/_ft"

setup() {
	common_setup
}

# tools: the names of the tools under test, one a line; fails if none.
tools() {
	local t n=0

	for t in "$FT_BIN"/ft-*; do
		[ -x "$t" ] || continue
		basename "$t"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}

# help_long_options TOOL: the long options its --help lists, one a line
# ("--kind"), from the lines that start with an option.
help_long_options() {
	"$1" --help | sed -n -E 's/^ +(-[[:alnum:]], )?(--[[:alnum:]][[:alnum:]-]*).*/\2/p'
}

# help_short_options TOOL: its short options ("-k").
help_short_options() {
	"$1" --help | sed -n -E 's/^ +(-[[:alnum:]]), --.*/\1/p'
}

# help_long_only_options TOOL: its long options without a short form.
help_long_only_options() {
	"$1" --help | sed -n -E 's/^ {4,}(--[[:alnum:]][[:alnum:]-]*).*/\1/p'
}

# page_options PAGE: the long options the OPTIONS section of PAGE has an
# item for (".It Fl k , -kind Ar kind", ".It Fl -batch Ar n").
page_options() {
	section "$1" OPTIONS |
		sed -n -E 's/^\.It Fl -([[:alnum:]-]+).*/--\1/p;
			   s/^\.It Fl [[:alnum:]] , -([[:alnum:]-]+).*/--\1/p'
}

# help_value_options TOOL: its options that take a value, long and short.
help_value_options() {
	"$1" --help | sed -n -E 's/^ +(-[[:alnum:]]), (--[[:alnum:]-]+) [A-Z].*/\1 \2/p;
				 s/^ +(--[[:alnum:]-]+) [A-Z].*/\1/p' | tr ' ' '\n'
}

# bash_table TOOL opts|args: the words of ft.bash's _ft_opts_TOOL or
# _ft_args_TOOL, with the common ones.
bash_table() {
	bash -c 'source "$1"; v=_ft_$3_${2//-/_}; c=_ft_$3_common
		 echo ${!v-} ${!c-}' _ "$BASH_COMP" "$1" "$2"
}

# exit_statuses: "N<TAB>meaning" for each status of lib/ft_exit.h.
exit_statuses() {
	sed -n -E 's|^[[:space:]]*FT_[A-Z_]+ = ([0-9]+),?[[:space:]]*/\* (.*) \*/.*|\1\t\2|p' \
		"$ROOT/lib/ft_exit.h"
}

# section PAGE NAME: the mdoc source of section .Sh NAME of PAGE.
section() {
	awk -v want=".Sh $2" '
		/^\.Sh / { on = ($0 == want) }
		on' "$1"
}

# has_status PAGE N MEANING: the EXIT STATUS section of PAGE has an item N
# whose text starts with MEANING (case aside).
has_status() {
	section "$1" "EXIT STATUS" | awk -v n="$2" -v m="$3" '
		found { ok = index(tolower($0), tolower(m)) == 1; exit }
		$0 == ".It " n || $0 == ".It Sy " n || $0 == ".It Li " n { found = 1 }
		END { exit !ok }'
}

@test "docs setup: the tools, options and statuses are found" {
	run -0 --separate-stderr tools
	[ "${#lines[@]}" -ge 1 ]
	for t in $(tools); do
		run -0 --separate-stderr help_long_options "$t"
		[[ " ${lines[*]} " == *" --help "* ]]
		[[ " ${lines[*]} " == *" --version "* ]]
		[[ " ${lines[*]} " == *" --db "* ]]
	done
	run -0 --separate-stderr exit_statuses
	[ "${#lines[@]}" -ge 10 ]
	[ "${lines[0]}" = "0	all done" ]
}

@test "docs man: every long option of --help is in the tool's page" {
	local t o items missing=""

	for t in $(tools); do
		[ -f "$MAN/$t.1" ] || missing="$missing $t.1"
		items=" $(page_options "$MAN/$t.1" | tr '\n' ' ') "
		for o in $(help_long_options "$t"); do
			[[ $items == *" $o "* ]] || missing="$missing $t:$o"
		done
	done
	[ -z "$missing" ] || { echo "not in OPTIONS:$missing"; false; }
}

@test "docs man: every option of --help is in the page's SYNOPSIS" {
	local t o syn missing=""

	for t in $(tools); do
		syn=$(section "$MAN/$t.1" SYNOPSIS)
		# A short option in a .Fl group (-nqu) or alone (-d char).
		for o in $(help_short_options "$t"); do
			grep -q -E "Fl [[:alnum:]]*${o#-}[[:alnum:]]*( |\$)" <<<"$syn" ||
				missing="$missing $t:$o"
		done
		# A long option without a short one, by its name.
		for o in $(help_long_only_options "$t"); do
			grep -q -E -- "(Fl |\| )-${o#--}( |\$)" <<<"$syn" ||
				missing="$missing $t:$o"
		done
	done
	[ -z "$missing" ] || { echo "not in SYNOPSIS:$missing"; false; }
}

@test "docs man: every short option of --help is in the tool's page" {
	local t o missing=""

	for t in $(tools); do
		for o in $(help_short_options "$t"); do
			grep -q -E "^\.It Fl ${o#-} , -" "$MAN/$t.1" ||
				missing="$missing $t:$o"
		done
	done
	[ -z "$missing" ] || { echo "not in OPTIONS:$missing"; false; }
}

@test "docs man: every long option of the page is in --help" {
	local t o help extra=""

	for t in $(tools); do
		help=" $(help_long_options "$t" | tr '\n' ' ') "
		for o in $(page_options "$MAN/$t.1"); do
			[[ $help == *" $o "* ]] || extra="$extra $t:$o"
		done
	done
	[ -z "$extra" ] || { echo "documented but not in --help:$extra"; false; }
}

@test "docs bash: every option of --help is in completions/ft.bash" {
	local t o opts args missing=""

	for t in $(tools); do
		grep -q -E "^complete .*[[:space:]]$t([[:space:]]|\$)" "$BASH_COMP" ||
			missing="$missing complete:$t"
		# The tool's tables in the file, with the common options.
		opts=" $(bash_table "$t" opts) "
		args=" $(bash_table "$t" args) "
		for o in $(help_long_options "$t") $(help_short_options "$t"); do
			[[ $opts == *" $o "* ]] || missing="$missing $t:$o"
		done
		for o in $(help_value_options "$t"); do
			[[ $args == *" $o "* ]] || missing="$missing $t:$o(value)"
		done
	done
	[ -z "$missing" ] || { echo "not in ft.bash:$missing"; false; }
}

@test "docs bash: it completes options and values of every tool" {
	local t

	command -v bash >/dev/null
	for t in $(tools); do
		run -0 --separate-stderr bash -c '
			source "$1"
			COMP_WORDS=("$2" --vers); COMP_CWORD=1; _ft
			printf "%s\n" "${COMPREPLY[@]}"' _ "$BASH_COMP" "$t"
		[ "$output" = "--version" ]
		[ -z "$stderr" ]
	done
	run -0 --separate-stderr bash -c '
		source "$1"
		COMP_WORDS=(ft-ingest --kind u); COMP_CWORD=2; _ft
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BASH_COMP"
	[ "$output" = "units" ]
	run -0 --separate-stderr bash -c '
		source "$1"
		COMP_WORDS=(ft-ingest --map @); COMP_CWORD=2; _ft
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BASH_COMP"
	[ "${lines[0]}" = "@nyc311" ]
	[ "${lines[1]}" = "@open311" ]
}

@test "docs bash, zsh: a verb is offered the options it takes: ft-report site no --format, vote no --since or --until" {
	run -0 --separate-stderr bash -c '
		source "$1"
		COMP_WORDS=(ft-report site --f); COMP_CWORD=2; _ft
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BASH_COMP"
	[ "$output" = "" ]
	run -0 --separate-stderr bash -c '
		source "$1"
		COMP_WORDS=(ft-report events --f); COMP_CWORD=2; _ft
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BASH_COMP"
	[ "$output" = "--format" ]
	run -0 --separate-stderr bash -c '
		source "$1"
		COMP_WORDS=(ft-report vote r1 --); COMP_CWORD=3; _ft
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BASH_COMP"
	[[ $'\n'$output$'\n' == *$'\n--format\n'* ]]
	[[ $'\n'$output$'\n' == *$'\n--area-level\n'* ]]
	[[ $'\n'$output$'\n' != *$'\n--since\n'* ]]
	[[ $'\n'$output$'\n' != *$'\n--until\n'* ]]
	run -0 --separate-stderr bash -c '
		source "$1"
		COMP_WORDS=(ft-report site --); COMP_CWORD=2; _ft
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BASH_COMP"
	[[ $'\n'$output$'\n' == *$'\n--since\n'* ]]
	[[ $'\n'$output$'\n' != *$'\n--format\n'* ]]
	# zsh: the arguments of site.
	sed -n '/^_ft-report()/,/^}/p' "$ZSH_COMP" | sed -n '/^    site)/,/;;/p' > "$BATS_TEST_TMPDIR/site"
	grep -q "'--since=" "$BATS_TEST_TMPDIR/site"
	run -1 grep -q -- "--format" "$BATS_TEST_TMPDIR/site"
	sed -n '/^_ft-report()/,/^}/p' "$ZSH_COMP" | sed -n '/^    vote)/,/;;/p' > "$BATS_TEST_TMPDIR/vote"
	grep -q "'--format=" "$BATS_TEST_TMPDIR/vote"
	run -1 grep -q -- "--since\|--until" "$BATS_TEST_TMPDIR/vote"
	# And the tool refuses what is not offered.
	run -64 --separate-stderr ft-report site --format html www
	[ "${stderr_lines[0]}" = "ft-report: site: --format does not apply (the site is HTML)" ]
	run -64 --separate-stderr ft-report vote r1 --until 7d
	[ "${stderr_lines[0]}" = "ft-report: vote: --until does not apply" ]
}

@test "docs zsh: every option of --help is in completions/_ft" {
	local t o missing=""

	for t in $(tools); do
		grep -q -E "^#compdef(.*[[:space:]])?$t([[:space:]]|\$)" "$ZSH_COMP" ||
			missing="$missing compdef:$t"
		for o in $(help_long_options "$t") \
			 $(help_short_options "$t"); do
			grep -q -E -- "[{,')*]${o}[]+=,}[]" "$ZSH_COMP" ||
				missing="$missing $t:$o"
		done
	done
	[ -z "$missing" ] || { echo "not in _ft:$missing"; false; }
}

@test "docs zsh: completions/_ft is valid zsh" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	run -0 --separate-stderr zsh -n "$ZSH_COMP"
	[ -z "$stderr" ]
}

@test "docs exit: every status of lib/ft_exit.h is in ft(7) with its meaning" {
	local n m missing=""

	while IFS=$'\t' read -r n m; do
		has_status "$MAN/ft.7" "$n" "$m" || missing="$missing $n"
	done < <(exit_statuses)
	[ -z "$missing" ] || { echo "ft.7 lacks statuses:$missing"; false; }
}

@test "docs exit: every status of lib/ft_exit.h is in each tool's page" {
	local t n m missing=""

	for t in $(tools); do
		while IFS=$'\t' read -r n m; do
			# A status of one tool alone: "... (ft-warn --fail-on)".
			[[ $m =~ \((ft-[a-z]+) ]] && [ "${BASH_REMATCH[1]}" != "$t" ] &&
				continue
			has_status "$MAN/$t.1" "$n" "$m" ||
				missing="$missing $t:$n"
		done < <(exit_statuses)
	done
	[ -z "$missing" ] || { echo "pages lack statuses:$missing"; false; }
}

@test "docs exit: the pages list no status that lib/ft_exit.h lacks" {
	local page n known extra=""

	known=" $(exit_statuses | cut -f1 | tr '\n' ' ') "
	for page in "$MAN"/*.[17]; do
		for n in $(section "$page" "EXIT STATUS" |
			   sed -n -E 's/^\.It (Sy |Li )?([0-9]+)$/\2/p'); do
			[[ $known == *" $n "* ]] ||
				extra="$extra $(basename "$page"):$n"
		done
	done
	[ -z "$extra" ] || { echo "unknown statuses:$extra"; false; }
}

# schema_columns: "table column" for every column of a new database.
schema_columns() {
	ft-ingest -q --db "$BATS_TEST_TMPDIR/schema.db" </dev/null >/dev/null &&
	sqlite3 -batch "$BATS_TEST_TMPDIR/schema.db" \
		"SELECT m.name || ' ' || p.name FROM sqlite_schema m,
		 pragma_table_info(m.name) p WHERE m.type = 'table'
		 ORDER BY m.name, p.cid"
}

# page_columns: "table column" for every column ft(7)'s TABLES section
# describes (".Ss table", then ".It Cm col , Cm col2").
page_columns() {
	section "$MAN/ft.7" TABLES | awk '
		/^\.Ss / { table = $2 }
		/^\.It Cm / && table != "" {
			for (i = 3; i <= NF; i++)
				if ($(i - 1) == "Cm" || $(i - 1) == ".It")
					if ($i != "Cm" && $i != ",")
						print table " " $i
		}'
}

@test "docs schema: ft(7) describes every table and column, and no other" {
	local c missing="" extra=""

	run -0 --separate-stderr schema_columns
	[ "${#lines[@]}" -gt 20 ]
	page_columns > "$BATS_TEST_TMPDIR/page_columns"
	for c in "${lines[@]}"; do
		grep -q -x -F "$c" "$BATS_TEST_TMPDIR/page_columns" || missing="$missing [$c]"
	done
	while read -r c; do
		grep -q -x -F "$c" <<<"$output" || extra="$extra [$c]"
	done < "$BATS_TEST_TMPDIR/page_columns"
	[ -z "$missing$extra" ] ||
		{ echo "not in ft.7:$missing; not in the schema:$extra"; false; }
}

@test "docs lint: mandoc -Tlint -W warning reports nothing" {
	local page

	command -v mandoc >/dev/null || skip "mandoc is not installed"
	for page in "$MAN/ft.7" "$MAN"/ft-*.1; do
		run -0 --separate-stderr mandoc -Tlint -W warning "$page"
		[ -z "$output" ]
		[ -z "$stderr" ]
	done
}

@test "docs man: every tool has a page and ft(7) names it" {
	local t missing=""

	for t in $(tools); do
		[ -f "$MAN/$t.1" ] || missing="$missing $t.1"
		grep -q -E "^\.Xr $t 1" "$MAN/ft.7" || missing="$missing ft.7:$t"
	done
	[ -z "$missing" ] || { echo "missing:$missing"; false; }
}

@test "docs version: --version prints the version of lib/ft_version.h" {
	local t v

	v=$(sed -n -E 's/^#define FT_VERSION "([^"]+)".*/\1/p' \
		"$ROOT/lib/ft_version.h")
	[ -n "$v" ]
	for t in $(tools); do
		run -0 --separate-stderr "$t" --version
		[ "$output" = "$t (ft) $v" ]
		[ -z "$stderr" ]
	done
}

@test "docs man: every page renders at 80 columns with no groff or mandoc warning" {
	local page

	for page in "$MAN"/*.[0-9]; do
		run -0 --separate-stderr groff -ww -mandoc -Tutf8 -rLL=80n "$page"
		[ -n "$output" ]
		[ -z "$stderr" ] || { echo "$stderr"; false; }
		run -0 --separate-stderr mandoc -Tlint -W warning "$page"
		[ -z "$output" ] || { echo "$output"; false; }
		[ -z "$stderr" ] || { echo "$stderr"; false; }
	done
}

@test "docs completions: made by the build from the tools' option tables: each file is what the tools print now, and offers no option --help lacks" {
	local t o extra=""

	run -0 --separate-stderr sh "$ROOT/completions/gen.sh" bash "$ROOT/completions/ft.bash.in" $(tools | sed "s|^|$FT_BIN/|")
	[ "$output" = "$(cat "$BASH_COMP")" ]
	run -0 --separate-stderr sh "$ROOT/completions/gen.sh" zsh "$ROOT/completions/_ft.in" $(tools | sed "s|^|$FT_BIN/|")
	[ "$output" = "$(cat "$ZSH_COMP")" ]
	for t in $(tools); do
		for o in $(bash_table "$t" opts); do
			help_long_options "$t" | grep -qx -- "$o" ||
				help_short_options "$t" | grep -qx -- "$o" ||
				extra="$extra $t:$o"
		done
	done
	[ -z "$extra" ] || { echo "completed but not in --help:$extra"; false; }
	# The build's own option is no user's: not in --help, and it knows
	# two shells.
	for t in $(tools); do
		run -64 --separate-stderr "$t" --ft-completion fish
		[ "$stderr" = "$t: --ft-completion: bash or zsh, not \"fish\"
Try '$t --help' for more information." ]
		run -0 --separate-stderr "$t" --help
		[[ $output != *ft-completion* ]]
	done
}
