#!/bin/sh
# Makes sure the Debian packages a make target needs are installed.
# Usage: tools/deps.sh [-n] build|test|bench|lint
# As root with apt-get it installs what is missing; otherwise, or with -n
# (plain make: a build never installs anything), it prints the exact
# command to run and fails.
set -eu
install=1
if [ "${1:-}" = -n ]; then
	install=0
	shift
fi
build="gcc make libc6-dev libsqlite3-dev libjq-dev libcsv-dev nettle-dev tzdata"
# parallel: tests/run.sh runs the test files side by side with it.
test="$build bats parallel jq sqlite3 mandoc groff-base zsh"
# The browser test (tests/ft-report-browser.bats) renders the HTML report
# and the site in headless Chromium: installed with the test tier where it
# can be, else that test is skipped; never a reason to fail.
browser="chromium python3"
bench="$test sqlite-utils time"
# git: make lint checks the layout of the lines changed since .clang-format
# came in (git clang-format).
lint="clang-format clang-tidy cppcheck shellcheck mandoc git"
optional=""
case "${1:-build}" in
build) want=$build ;;
test) want=$test optional=$browser ;;
bench) want=$bench ;;
lint) want=$lint ;;
*) echo "usage: tools/deps.sh [-n] build|test|bench|lint" >&2; exit 64 ;;
esac
# absent LIST: the packages of LIST that are not installed.
absent() {
	for p in $1; do
		s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$s" in
		*"install ok installed"*) ;;
		*) printf ' %s' "$p" ;;
		esac
	done
}
missing=$(absent "$want")
extra=$(absent "$optional")
can_install=0
if [ "$install" = 1 ] && [ "$(id -u)" = 0 ] &&
	command -v apt-get >/dev/null 2>&1; then
	can_install=1
fi
if [ -n "$extra" ]; then
	if [ "$can_install" = 1 ]; then
		echo "ft: installing the browser test's Debian packages:$extra" >&2
		export DEBIAN_FRONTEND=noninteractive
		# shellcheck disable=SC2086
		{ apt-get update -qq && apt-get install -y -qq \
			--no-install-recommends $extra; } >&2 ||
			echo "ft: could not install$extra: the browser test will be skipped" >&2
	else
		echo "ft: not installed:$extra (the browser test will be skipped)" >&2
	fi
fi
[ -z "$missing" ] && exit 0
if [ "$can_install" = 1 ]; then
	echo "ft: installing missing Debian packages:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >&2
	exit 0
fi
echo "ft: missing Debian packages:$missing" >&2
# The exact command, as this user can run it.
if [ "$(id -u)" = 0 ]; then
	cmd="apt-get install$missing"
elif command -v sudo >/dev/null 2>&1; then
	cmd="sudo apt-get install$missing"
else
	cmd="su -c 'apt-get install$missing'"
fi
echo "ft: install them with:  $cmd" >&2
exit 1
