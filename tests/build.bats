#!/usr/bin/env bats
# The build's own scripts: tools/deps.sh, which checks the Debian packages
# a make goal needs and, for make check, demo and bench only, installs them.

bats_require_minimum_version 1.5.0
load helpers/common

# A root whose dpkg knows every package but nettle-dev, and whose apt-get
# only writes down what it was asked.
setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR" || exit 1
	mkdir fake
	cat > fake/dpkg-query <<- 'EOF'
	#!/bin/sh
	for p; do :; done
	[ "$p" = nettle-dev ] && exit 1
	printf 'install ok installed'
	EOF
	printf '#!/bin/sh\necho 0\n' > fake/id
	printf '#!/bin/sh\necho "apt-get $*" >> "%s/apt.log"\n' "$BATS_TEST_TMPDIR" > fake/apt-get
	chmod +x fake/*
	DEPS="$BATS_TEST_DIRNAME/../tools/deps.sh"
}

@test "build deps: a plain build (-n) installs nothing, even as root: it names the command and fails" {
	PATH="$PWD/fake:$PATH" run -1 --separate-stderr sh "$DEPS" -n build
	[ "$output" = "" ]
	[ "$stderr" = "ft: missing Debian packages: nettle-dev
ft: install them with:  apt-get install nettle-dev" ]
	[ ! -e apt.log ]
}

@test "build deps: make check's goal installs what is missing as root" {
	PATH="$PWD/fake:$PATH" run -0 --separate-stderr sh "$DEPS" test
	[ "$(cat apt.log)" = "apt-get update -qq
apt-get install -y -qq --no-install-recommends nettle-dev" ]
	[ "$stderr" = "ft: installing missing Debian packages: nettle-dev" ]
}

@test "build deps: an unknown goal is a usage error (64)" {
	run -64 --separate-stderr sh "$DEPS" -n everything
	[ "$stderr" = "usage: tools/deps.sh [-n] build|test|bench|lint" ]
}

@test "build lint: make lint runs every check and swallows no failure, and CI runs it" {
	local mk="$BATS_TEST_DIRNAME/../Makefile" recipe
	recipe=$(sed -n '/^lint:/,/^$/p' "$mk")
	[[ "$recipe" == *"git clang-format --diff"* ]]
	[[ "$recipe" == *"cppcheck "* ]]
	[[ "$recipe" == *"clang-tidy "* ]]
	[[ "$recipe" == *"shellcheck "* ]]
	[[ "$recipe" == *"mandoc -Tlint -W warning"* ]]
	[[ "$recipe" != *"|| true"* ]]
	grep -qx 'step lint make lint' "$BATS_TEST_DIRNAME/../.ci/run"
}

@test "build deps: the browser test's chromium is installed with the test tier where it can be, and never fails it" {
	# dpkg knows everything but chromium.
	printf '#!/bin/sh\nfor p; do :; done\n[ "$p" = chromium ] && exit 1\nprintf "install ok installed"\n' > fake/dpkg-query
	PATH="$PWD/fake:$PATH" run -0 --separate-stderr sh "$DEPS" test
	[ "$(cat apt.log)" = "apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium" ]
	[ "$stderr" = "ft: installing the browser test's Debian packages: chromium" ]
	# An apt-get that fails: a note, and the tier still passes.
	printf '#!/bin/sh\nexit 100\n' > fake/apt-get
	PATH="$PWD/fake:$PATH" run -0 --separate-stderr sh "$DEPS" test
	[ "${stderr_lines[-1]}" = "ft: could not install chromium: the browser test will be skipped" ]
	# Not root (or -n): named, not installed, not a failure.
	rm apt.log
	printf '#!/bin/sh\necho 1000\n' > fake/id
	PATH="$PWD/fake:$PATH" run -0 --separate-stderr sh "$DEPS" test
	[ "$stderr" = "ft: not installed: chromium (the browser test will be skipped)" ]
	# The build tier does not ask for it.
	PATH="$PWD/fake:$PATH" run -0 --separate-stderr sh "$DEPS" -n build
	[ "$stderr" = "" ]
}
