# bash completion for the ft tools.                       -*- shell-script -*-
# shellcheck shell=bash
#
# One file for every tool: `make install` puts it in bash-completion's
# completions directory as "ft", with a link named after each tool so that
# bash-completion loads it on demand.  It can also be sourced by hand.
#
# To add a tool: list its options in _ft_opts_<tool> (long and short, as its
# --help prints them) and those that take a value in _ft_args_<tool>, add the
# values it completes to _ft_values, and add its name to the `complete` line
# at the end.  Dashes in tool names become underscores in variable names.
# A tool with verbs (ft-vote) completes its words other than options' values
# in a function of its own, called from _ft.

# The options every tool has (ft(7)).
_ft_opts_common="--db --now --tz -q --quiet --no-output -h --help --version"
_ft_args_common="--db --now --tz"

# ft-ingest(1)
_ft_opts_ft_ingest="-k --kind -f --format -m --map --list-maps -d --delimiter
	--columns -e --encoding --time-format --source -r --rejects -u --upsert
	-n --dry-run --batch"
_ft_args_ft_ingest="-k --kind -f --format -m --map -d --delimiter --columns
	-e --encoding --time-format --source -r --rejects --batch"

# ft-dispatch(1)
_ft_opts_ft_dispatch="--rules --pending --escalate -x --explain -n --dry-run
	-r --rejects --batch"
_ft_args_ft_dispatch="--rules -r --rejects --batch"

# ft-update(1)
_ft_opts_ft_update="--verify -n --dry-run -r --rejects"
_ft_args_ft_update="-r --rejects"

# ft-vote(1): a verb first, then the verb's options (every option when no
# verb is given yet).
_ft_opts_ft_vote="-k --key --round --channel --replace -R --rule --complete
	--threshold --tiebreak --compare --totals -f --force -n --dry-run
	-r --rejects"
_ft_args_ft_vote="-k --key --round --channel -R --rule --complete --threshold
	--tiebreak --compare -r --rejects"
_ft_vote_verbs="open projects register cast import export tally recount rounds"
_ft_vote_rules="greedy greedy-no-skip greedy-threshold mes mes-add1"
_ft_vote_opts_open="-k --key -n --dry-run -r --rejects"
_ft_vote_opts_projects="-n --dry-run -r --rejects"
_ft_vote_opts_register="-k --key -n --dry-run -r --rejects"
_ft_vote_opts_cast="-k --key --channel --replace -n --dry-run -r --rejects"
_ft_vote_opts_import="--round -k --key -n --dry-run"
_ft_vote_opts_export=""
_ft_vote_opts_tally="-R --rule --complete --threshold --tiebreak --compare
	--totals -f --force -n --dry-run"
_ft_vote_opts_recount=""
_ft_vote_opts_rounds=""

# _ft_add: appends the lines of standard input to COMPREPLY.
_ft_add()
{
	local -a more
	mapfile -t more
	COMPREPLY+=("${more[@]}")
}

# _ft_words WORDS CUR: the words of WORDS that start with CUR.
_ft_words()
{
	_ft_add < <(compgen -W "$1" -- "$2")
}

# _ft_files CUR [GLOB]: file names (and directories, to go on into).
_ft_files()
{
	compopt -o filenames 2>/dev/null
	if [ -n "${2-}" ]; then
		_ft_add < <(compgen -f -X "!$2" -- "$1"; compgen -d -- "$1")
	else
		_ft_add < <(compgen -f -- "$1")
	fi
}

# _ft_zones CUR: time zone names, as files under the zoneinfo directory.
_ft_zones()
{
	local dir=${TZDIR:-/usr/share/zoneinfo}

	[ -d "$dir" ] || return
	_ft_add < <(cd "$dir" && compgen -f -- "$1" |
		grep -v -E '\.(tab|zi|list)$|^(posix|right)(/|$)|^(leapseconds|posixrules|localtime|SECURITY)$')
}

# _ft_values TOOL OPTION CUR: the values OPTION of TOOL takes.
_ft_values()
{
	local tool=$1 opt=$2 cur=$3 f

	case $opt in
	--db)
		_ft_files "$cur"
		return ;;
	--tz)
		_ft_zones "$cur"
		return ;;
	--now)
		return ;;
	esac
	case $tool in
	ft-ingest)
		case $opt in
		-k | --kind)
			_ft_words "events units facilities" "$cur" ;;
		-f | --format)
			_ft_words "csv tsv ndjson json geojson" "$cur" ;;
		-m | --map)
			# The shipped mappings, as the tool lists them, and
			# @FILE.jq.
			_ft_words "$("$tool" --list-maps 2>/dev/null)" "$cur"
			if [[ $cur == @* ]]; then
				while IFS= read -r f; do
					COMPREPLY+=("@$f")
				done < <(compgen -f -X '!*.jq' -- "${cur#@}"
					 compgen -d -S / -- "${cur#@}")
				compopt -o nospace 2>/dev/null
			fi ;;
		-d | --delimiter)
			_ft_words "tab , ; |" "$cur" ;;
		-e | --encoding)
			_ft_words "GB18030 GBK GB2312 BIG5 UTF-8 UTF-16 UTF-16LE
				UTF-16BE LATIN1 CP1252" "$cur" ;;
		-r | --rejects)
			_ft_files "$cur" ;;
		esac ;;
	ft-dispatch)
		case $opt in
		--rules | -r | --rejects)
			_ft_files "$cur" ;;
		esac ;;
	ft-update)
		case $opt in
		-r | --rejects)
			_ft_files "$cur" ;;
		esac ;;
	ft-vote)
		case $opt in
		-k | --key | -r | --rejects)
			_ft_files "$cur" ;;
		-R | --rule)
			_ft_words "$_ft_vote_rules" "$cur" ;;
		--complete)
			_ft_words "greedy" "$cur" ;;
		--tiebreak)
			_ft_words "votes,cost,id votes,id,cost cost,votes,id
				cost,id,votes id,votes,cost id,cost,votes refuse" \
				"$cur" ;;
		--compare)
			# A comma-separated list: complete the rule after the
			# last comma.
			if [[ $cur == *,* ]]; then
				f=${cur%,*},
			else
				f=
			fi
			_ft_add < <(compgen -P "$f" -W "$_ft_vote_rules" -- \
				"${cur##*,}")
			compopt -o nospace 2>/dev/null ;;
		--channel)
			_ft_words "online paper" "$cur" ;;
		esac ;;
	esac
}

# _ft_vote_words: the words of the ft-vote command line before the current
# one that are neither options nor options' values (the verb, the round,
# the files), one a line.
_ft_vote_words()
{
	local i w skip=

	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [ -n "$skip" ]; then
			# The value, or the '=' before it.
			[ "$w" = = ] || skip=
			continue
		fi
		case $w in
		--*=* | =) ;;
		-*)
			[[ " $_ft_args_ft_vote $_ft_args_common " == *" $w "* ]] &&
				skip=1 ;;
		*)
			echo "$w" ;;
		esac
	done
}

# _ft_vote_rounds CUR: the ids of the rounds in the database of the command
# line (--db, else $FT_DB, else ./ft.db), as `ft-vote rounds` lists them.
_ft_vote_rounds()
{
	local i db=()

	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--db=*)
			db=(--db "${COMP_WORDS[i]#--db=}") ;;
		--db)
			# "--db path", or "--db = path" when '=' breaks words.
			if [ "${COMP_WORDS[i + 1]-}" = = ]; then
				db=(--db "${COMP_WORDS[i + 2]-}")
			else
				db=(--db "${COMP_WORDS[i + 1]-}")
			fi ;;
		esac
	done
	_ft_words "$(ft-vote rounds "${db[@]}" 2>/dev/null |
		sed -n 's/^{"id":"\([^"\\]*\)".*/\1/p')" "$1"
}

# _ft_vote CUR: ft-vote's words that are not option values: the verb, then
# the verb's options, and files where the verb reads them.
_ft_vote()
{
	local cur=$1 var
	local -a w

	mapfile -t w < <(_ft_vote_words)
	if [ "${#w[@]}" -eq 0 ]; then
		if [[ $cur == -* ]]; then
			_ft_words "$_ft_opts_ft_vote $_ft_opts_common" "$cur"
		else
			_ft_words "$_ft_vote_verbs" "$cur"
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		var=_ft_vote_opts_${w[0]}
		_ft_words "${!var-} $_ft_opts_common" "$cur"
		return
	fi
	case ${w[0]} in
	import)
		_ft_files "$cur" "*.pb" ;;
	open)
		_ft_files "$cur" ;;
	projects | register | cast)
		# The round first, then the files.
		if [ "${#w[@]}" -ge 2 ]; then
			_ft_files "$cur"
		else
			_ft_vote_rounds "$cur"
		fi ;;
	export | tally | recount)
		[ "${#w[@]}" -eq 1 ] && _ft_vote_rounds "$cur" ;;
	esac
}

# _ft: the completion function of every ft tool.
_ft()
{
	local cur prev tool var opts args w i

	COMPREPLY=()
	tool=${COMP_WORDS[0]##*/}
	var=_ft_opts_${tool//-/_}
	opts="${!var-} $_ft_opts_common"
	var=_ft_args_${tool//-/_}
	args="${!var-} $_ft_args_common"
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	if [ "$COMP_CWORD" -gt 0 ]; then
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi

	# --opt=value is one word, or three when '=' is in COMP_WORDBREAKS.
	if [[ $cur == --*=* ]]; then
		_ft_values "$tool" "${cur%%=*}" "${cur#*=}"
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=${cur%%=*}=${COMPREPLY[i]}
		done
		return
	fi
	if [[ $cur == = && $prev == --* ]]; then
		_ft_values "$tool" "$prev" ""
		return
	fi
	if [[ $prev == = && $COMP_CWORD -gt 1 ]]; then
		_ft_values "$tool" "${COMP_WORDS[COMP_CWORD - 2]}" "$cur"
		return
	fi
	for w in $args; do
		if [[ $prev == "$w" ]]; then
			_ft_values "$tool" "$prev" "$cur"
			return
		fi
	done
	# After "--" every word is a file.
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			_ft_files "$cur"
			return
		fi
	done
	if [ "$tool" = ft-vote ]; then
		_ft_vote "$cur"
		return
	fi
	if [[ $cur == -* ]]; then
		_ft_words "$opts" "$cur"
		return
	fi
	_ft_files "$cur"
}

complete -F _ft ft-ingest ft-dispatch ft-update ft-vote
