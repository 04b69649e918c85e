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

# The options every tool has (ft(7)).
_ft_opts_common="--db --now --tz -q --quiet -h --help --version"
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
	if [[ $cur == -* ]]; then
		_ft_words "$opts" "$cur"
		return
	fi
	_ft_files "$cur"
}

complete -F _ft ft-ingest ft-dispatch ft-update
