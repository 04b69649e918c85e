#!/bin/sh
# $service is zsh's, in the file made: not expanded here.
# shellcheck disable=SC2016
# gen.sh SHELL TEMPLATE TOOL... - the completion file of SHELL (bash or
# zsh): TEMPLATE with @TOOLS@ made the tools' names and @TABLES@ what each
# TOOL (a path to the built tool) prints with --ft-completion SHELL.
set -eu
shell=$1
template=$2
shift 2
# In the order of their names, whatever the order given.
IFS='
'
# shellcheck disable=SC2046
set -- $(for t in "$@"; do printf '%s\t%s\n' "$(basename "$t")" "$t"; done |
	sort | cut -f 2)
unset IFS
names=
for t in "$@"; do
	names="$names${names:+ }$(basename "$t")"
done
tables=$(mktemp)
trap 'rm -f "$tables"' EXIT
for t in "$@"; do
	"$t" --ft-completion "$shell" >> "$tables"
done
case $shell in
bash)
	printf '\ncomplete -F _ft %s\n' "$names" >> "$tables" ;;
zsh)
	printf 'case $service in\n' >> "$tables"
	for n in $names; do
		printf '  %s) _%s "$@" ;;\n' "$n" "$n" >> "$tables"
	done
	printf '  *) _message "no completion for $service" ;;\nesac\n' \
		>> "$tables" ;;
esac
while IFS= read -r line; do
	case $line in
	@TABLES@) cat "$tables" ;;
	*@TOOLS@*) printf '%s\n' "$line" | sed "s/@TOOLS@/$names/" ;;
	*) printf '%s\n' "$line" ;;
	esac
done < "$template"
