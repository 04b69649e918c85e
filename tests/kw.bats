#!/usr/bin/env bats
# lib/ft_kw: the keywords of ft-warn's keyword rules, found in one pass over
# a text (an Aho-Corasick automaton over bytes), through tests/unit/kw.c
# (ft-kw, built by make check beside the tools).  Each line of a text is
# scanned alone and gives the distinct ids of the terms it holds,
# ascending; a term's id is its line number in the terms file, or with -i
# the number before its tab.  The last tests check it against a naive
# memmem() per term over the real Chinese reviews of waimai_10k.csv.

bats_require_minimum_version 1.5.0
load helpers/common

setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR" || exit 1
	KW="$(dirname "$(readlink -f "$FT_BIN/ft-ingest")")/../test/ft-kw"
	WAIMAI="$CORPUS/chinese_text/waimai_10k.csv"
}

@test "kw scan: overlapping terms and a term inside another are each found" {
	printf '火\n火灾\n灾\n灾情\n发生火\n' >terms
	printf '发生火灾\n火灾情况\n灾\n' >text
	run -0 --separate-stderr "$KW" scan terms text
	[ "$output" = "$(printf '1 2 3 5\n1 2 3 4\n3')" ]
	[ "$stderr" = "" ]
}

@test "kw scan: ASCII letters match in either case, other bytes as they are" {
	printf 'Fire\nSMOKE\n\303\211t\303\251\nfire2\n' >terms
	# É (C3 89) and é (C3 A9) are not folded: only ASCII is.
	printf 'FIRE and smoke\nfIrE\n\303\251t\303\251\n\303\211T\303\251\nfire\n' >text
	run -0 --separate-stderr "$KW" scan terms text
	[ "$output" = "$(printf '1 2\n1\n\n3\n1')" ]
}

@test "kw scan: Chinese terms in real reviews, without word splitting" {
	corpus_or_skip
	printf '送水\n味道\n好吃\n外卖\n太慢\n' >terms
	# Lines 2 to 5 of the file: the label, a comma, the review.
	sed -n 2,5p "$WAIMAI" >text
	run -0 --separate-stderr "$KW" scan terms text
	[ "$output" = "$(printf '2 3\n1\n\n2')" ]
}

@test "kw scan: a term at the very start and at the very end of the text, and one cut by the end" {
	printf '没有\n送水\nab\n' >terms
	printf 'a\n没有送水\n没有送\xe6\xb0\nab\nxab\nabx\n' >text
	run -0 --separate-stderr "$KW" scan terms text
	[ "$output" = "$(printf '\n1 2\n1\n3\n3\n3')" ]
}

@test "kw scan: a term found many times counts once" {
	printf '没有送水\n送水\n火\n' >terms
	printf '没有送水没有送水没有送水\n火火火火火火火火火火火火火火火火火火火火火火\n' >text
	run -0 --separate-stderr "$KW" scan terms text
	[ "$output" = "$(printf '1 2\n3')" ]
}

@test "kw scan: an empty text holds no term, and no term is found in any text" {
	printf '火\n' >terms
	printf '\n火\n\n' >text
	run -0 --separate-stderr "$KW" scan terms text
	[ "$output" = "$(printf '\n1\n')" ]
	: >none
	"$KW" scan none text >out
	[ "$(wc -l <out)" -eq 3 ]
	[ "$(tr -d '\n' <out)" = "" ]
	run -0 --separate-stderr "$KW" size none
	[[ "$output" =~ ^"0 terms, 0 states, "[0-9]+" bytes"$ ]]
}

@test "kw scan: an empty term is refused" {
	printf '火\n\n灾\n' >terms
	run -78 --separate-stderr "$KW" scan terms /dev/null
	[ "$output" = "" ]
	[ "$stderr" = "ft-kw: keyword: an empty term" ]
}

@test "kw scan: ids come out distinct and ascending, shared ids once, a term added twice under each of its ids" {
	# 火 under 5 and 7, 着火 under 5 too, 灾 under -2.
	printf '7\t火\n-2\t灾\n5\t着火\n5\t火\n9\tFIRE\n9\tfire\n' >terms
	printf '着火了\n火灾\n灾\nfire\n\n' >text
	run -0 --separate-stderr "$KW" scan -i terms text
	[ "$output" = "$(printf '5 7\n-2 5 7\n-2\n9\n')" ]
}

@test "kw scan: invalid UTF-8, stray bytes and NUL in the text are bytes like others" {
	# 火 is E7 81 AB; the second term is its first two bytes alone.
	printf '火\n\347\201\nz\n' >terms
	printf '\377\347\201\253\200\nz\000\347\201\n\347\n\200\200\200\377\376\nz\347\201' >text
	run -0 --separate-stderr "$KW" scan terms text
	[ "$output" = "$(printf '1 2\n2 3\n\n\n2 3')" ]
}

@test "kw scan: 10,000 Chinese terms take a few MB" {
	"$KW" cjk 13 10000 4 >terms
	[ "$(sort -u terms | wc -l)" -eq 10000 ]
	run -0 --separate-stderr "$KW" size terms
	[[ "$output" =~ ^"10000 terms, "([0-9]+)" states, "([0-9]+)" bytes"$ ]]
	# 40,000 characters of 3 bytes: at most 120,001 states.
	[ "${BASH_REMATCH[1]}" -gt 90000 ]
	[ "${BASH_REMATCH[1]}" -le 120001 ]
	[ "${BASH_REMATCH[2]}" -lt $((4 * 1024 * 1024)) ]
}

@test "kw check: the naive search agrees on a handmade case, and says so" {
	printf '火\n火灾\nab\nB\n' >terms
	printf '火灾\nAB\n\nxyz\n' >text
	run -0 --separate-stderr "$KW" check terms text
	[ "$output" = "4 lines, 4 terms, 4 found" ]
}

@test "kw check: 2,000 terms drawn from waimai_10k.csv, every line the same set as a naive memmem per term" {
	corpus_or_skip
	"$KW" draw 13 2000 "$WAIMAI" >terms
	[ "$(wc -l <terms)" -eq 2000 ]
	# Drawn from the reviews: mostly whole characters, some ASCII in
	# upper case, some cut in the middle of a character.
	[ "$(sort -u terms | wc -l)" -gt 1000 ]
	[ "$(LC_ALL=C grep -c '[A-Z]' terms)" -gt 0 ]
	[ "$(LC_ALL=C grep -c "^$(printf '[\200-\277]')" terms)" -gt 0 ]
	run -0 --separate-stderr "$KW" check terms "$WAIMAI"
	[ "$output" = "11988 lines, 2000 terms, 1468891 found" ]
	[ "$stderr" = "" ]
}

@test "kw check: a few terms (one table of steps) at every place of long and short lines, across the cuts of the lanes" {
	# A few terms make a table of every state's step (a DFA) and a long
	# text is scanned in lanes started a term's length early: each term
	# at each place of lines of 1 to 300 bytes, and ASCII in upper case.
	printf '火灾\nabc\n\345\200\222\345\241\214\n' >terms
	awk 'BEGIN {
		t[0] = "火灾"; t[1] = "ABC"; t[2] = "倒塌"
		for (len = 1; len <= 300; len += 37)
			for (i = 0; i < len; i++)
				for (j = 0; j < 3; j++) {
					s = ""
					for (x = 0; x < i; x++) s = s "x"
					s = s t[j]
					for (x = i; x < len; x++) s = s "y"
					print s
				}
	}' >text
	run -0 --separate-stderr "$KW" check terms text
	[ "$output" = "4023 lines, 3 terms, 4023 found" ]
	[ "$stderr" = "" ]
}

@test "kw check: 60 terms drawn from waimai_10k.csv (one table of steps), every line the same set as a naive memmem per term" {
	corpus_or_skip
	"$KW" draw 7 60 "$WAIMAI" >terms
	run -0 --separate-stderr "$KW" check terms "$WAIMAI"
	[ "$output" = "11988 lines, 60 terms, 61290 found" ]
	[ "$stderr" = "" ]
}
