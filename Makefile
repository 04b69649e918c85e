# ft - the city brain toolkit.  See README.md.
#
#   make              build bin/ft-*
#   make check        build, then run every test (SANITIZE=1: under ASan and
#                     UBSan; FT_VALGRIND=1: under valgrind)
#   make demo         run the nightly job on a generated district
#   make bench        the benchmarks of BENCHMARKS.md
#   make install      PREFIX=/usr/local DESTDIR=
#   make lint         clang-format, cppcheck, clang-tidy, shellcheck,
#                     mandoc -Tlint
#   make format       lay out the lines make lint's clang-format checks

PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
CC ?= cc
OPT ?= -O2
WARN = -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes \
       -Wmissing-prototypes
ifeq ($(WERROR),1)
WARN += -Werror
endif
CFLAGS ?= $(OPT) -g
ALL_CFLAGS = -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
	     -Ilib -I$(OUT)/gen $(CFLAGS)
LDLIBS = -lsqlite3 -ljq -lcsv -lnettle -lm -lpthread

ifeq ($(SANITIZE),1)
OUT = build/san
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
# The sanitizers exit 1 by default, which is ft's "some records rejected":
# a test expecting 1 would pass over a memory error.  86 is no ft status.
SAN_ENV = ASAN_OPTIONS="exitcode=86$${ASAN_OPTIONS:+:$$ASAN_OPTIONS}" \
	  UBSAN_OPTIONS="exitcode=86:print_stacktrace=1$${UBSAN_OPTIONS:+:$$UBSAN_OPTIONS}"
else
OUT = build/rel
endif

TOOLS = ft-ingest ft-dispatch ft-update ft-vote ft-warn ft-report
LIB_SRC = $(wildcard lib/*.c)
LIB_OBJ = $(patsubst lib/%.c,$(OUT)/lib/%.o,$(LIB_SRC)) $(OUT)/lib/ft_maps.o
MAPS = $(wildcard maps/*.jq)
BINS = $(addprefix $(OUT)/bin/,$(TOOLS))
# What every tool's main() shares (options, environment, usage): cmd/ only.
CMD_OBJ = $(OUT)/cmd/ft_cli.o $(OUT)/cmd/ft_opt.o
# Made by a pattern rule for a pattern rule: kept, not rebuilt each time.
.SECONDARY: $(CMD_OBJ)

# The completions, made from the tools' option tables (cmd/ft_opt.h).
COMPLETIONS = $(OUT)/completions/ft.bash $(OUT)/completions/_ft

all: deps $(BINS) $(COMPLETIONS) bin

# bin/ always holds the last build, for the tests, the demo and the user.
bin: $(BINS)
	@mkdir -p bin
	@for t in $(TOOLS); do ln -sf ../$(OUT)/bin/$$t bin/$$t; done

# Check every package the goals need at once, before building, so that one
# message names them all.  make check, demo and bench install what is
# missing when they can (root with apt-get); a plain build never installs
# anything, it names the command to run.
ifneq ($(filter bench,$(MAKECMDGOALS)),)
DEPS = bench
else ifneq ($(filter check demo,$(MAKECMDGOALS)),)
DEPS = test
else
DEPS = -n build
endif

deps:
	@sh tools/deps.sh $(DEPS)

$(OUT)/lib/%.o: lib/%.c $(wildcard lib/*.h) | $(OUT)/lib
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OUT)/gen/ft_maps.c: $(MAPS) maps/embed.sh | $(OUT)/gen
	sh maps/embed.sh $(MAPS) > $@.tmp && mv $@.tmp $@

$(OUT)/lib/ft_maps.o: $(OUT)/gen/ft_maps.c lib/ft_jq.h | $(OUT)/lib
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OUT)/libft.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# What the tests call into lib/ through, beside the tools.
$(OUT)/test/ft-digest: tests/unit/digest.c $(OUT)/libft.a | $(OUT)/bin
	@mkdir -p $(OUT)/test
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(OUT)/libft.a $(LDLIBS)

$(OUT)/test/ft-kw: tests/unit/kw.c $(OUT)/libft.a | $(OUT)/bin
	@mkdir -p $(OUT)/test
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(OUT)/libft.a $(LDLIBS)

$(OUT)/test/ft-wq: tests/unit/wq.c $(OUT)/libft.a | $(OUT)/bin
	@mkdir -p $(OUT)/test
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(OUT)/libft.a $(LDLIBS)

$(OUT)/test/ft-time: tests/unit/time.c $(OUT)/libft.a | $(OUT)/bin
	@mkdir -p $(OUT)/test
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(OUT)/libft.a $(LDLIBS)

$(OUT)/cmd/%.o: cmd/%.c $(wildcard cmd/*.h) $(wildcard lib/*.h) | $(OUT)/cmd
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OUT)/bin/%: cmd/%.c $(wildcard cmd/*.h) $(CMD_OBJ) $(OUT)/libft.a | $(OUT)/bin
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(CMD_OBJ) $(OUT)/libft.a \
		$(LDLIBS)

$(OUT)/completions/ft.bash: completions/ft.bash.in completions/gen.sh $(BINS)
	@mkdir -p $(OUT)/completions
	$(SAN_ENV) sh completions/gen.sh bash completions/ft.bash.in $(BINS) > $@.tmp
	mv $@.tmp $@

$(OUT)/completions/_ft: completions/_ft.in completions/gen.sh $(BINS)
	@mkdir -p $(OUT)/completions
	$(SAN_ENV) sh completions/gen.sh zsh completions/_ft.in $(BINS) > $@.tmp
	mv $@.tmp $@

# After deps, also under make -j: nothing compiles before the headers are in.
$(OUT)/lib $(OUT)/cmd $(OUT)/bin $(OUT)/gen: | deps
	mkdir -p $@

check: all $(OUT)/test/ft-digest $(OUT)/test/ft-kw $(OUT)/test/ft-wq \
	$(OUT)/test/ft-time
	@sh tools/deps.sh test
	@$(SAN_ENV) FT_BIN=$(CURDIR)/$(OUT)/bin sh tests/run.sh $(TESTS)

demo: all
	@sh tools/deps.sh test
	@$(SAN_ENV) FT_BIN=$(CURDIR)/$(OUT)/bin sh tools/demo.sh

bench: all $(OUT)/test/ft-kw
	@sh tools/deps.sh bench
	@FT_BIN=$(CURDIR)/$(OUT)/bin sh bench/run.sh

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/ft/rules
	for t in $(TOOLS); do \
		install -m 755 $(OUT)/bin/$$t $(DESTDIR)$(BINDIR)/$$t; \
		ln -sf ft $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$t; \
	done
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/*.7 $(DESTDIR)$(MANDIR)/man7/
	install -m 644 rules/*.json $(DESTDIR)$(PREFIX)/share/ft/rules/
	install -m 644 $(OUT)/completions/ft.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/ft
	install -m 644 $(OUT)/completions/_ft \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_ft

# clang-format checks the lines of lib/ and cmd/ changed since .clang-format
# came in, not the whole tree: the older code was laid out by hand in ways
# clang-format cannot express (.clang-format says which), and run over all
# of it, clang-format would change some 1,400 of its 20,700 lines.  `make
# format` lays the changed lines out as the check wants them (clang-format's
# output only).  Outside a git clone the check has nothing to compare with
# and is skipped, with a message.  git clang-format 14 exits 0 whether or not
# it finds lines to change: its output says.
FORMAT_BASE = $(shell git log -1 --format=%H --diff-filter=A -- .clang-format \
		2>/dev/null)
FORMAT_PATHS = lib cmd
# What clang-tidy must know of the build to read the code as cc does.
TIDY_FLAGS = -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib \
	     -I$(OUT)/gen

lint: $(COMPLETIONS)
	@sh tools/deps.sh lint
	@if [ -z "$(FORMAT_BASE)" ]; then \
		echo "lint: no git history of .clang-format: clang-format skipped" >&2; \
	else \
		echo "git clang-format --diff --quiet $(FORMAT_BASE) -- $(FORMAT_PATHS)"; \
		out=$$(git clang-format --diff --quiet $(FORMAT_BASE) -- \
			$(FORMAT_PATHS)) || exit; \
		if [ -n "$$out" ]; then \
			printf '%s\n' "$$out"; \
			echo "lint: clang-format lays these lines out otherwise: make format" >&2; \
			exit 1; \
		fi; \
	fi
	@# cppcheck is not given the system headers, as its manual advises
	@# (it knows the C library's functions from its own configuration), so
	@# it must not say that it did not find them: missingIncludeSystem.
	cppcheck --quiet --error-exitcode=1 \
		--enable=warning,portability,performance -Ilib \
		--suppress=missingIncludeSystem \
		--suppress-xml=tools/cppcheck-suppressions.xml lib cmd
	@# clang-tidy: the checks and why some are off are in .clang-tidy.
	@# Two files at a time, the largest first: ft_vote.c alone takes
	@# half a minute, the others go meanwhile.  Its "N warnings
	@# generated" count those it was told to leave out: dropped.
	@echo "clang-tidy --quiet FILE -- $(TIDY_FLAGS)"
	@out=$$(ls -S lib/*.c cmd/*.c | xargs -P 2 -I {} \
		clang-tidy --quiet {} -- $(TIDY_FLAGS) 2>&1); st=$$?; \
	printf '%s\n' "$$out" | grep -v '^[0-9]* warnings\? generated\.$$'; \
	exit $$st
	@# The scripts by their #! line (sh or bash); the completion and the
	@# tests' helpers are read by bash and have none.  Not the .bats files
	@# yet: shellcheck finds some 14 things there, none a bug (bats's
	@# $$stderr, set by run; a quoted word "done").
	shellcheck tools/*.sh bench/*.sh maps/embed.sh tests/run.sh .ci/run
	shellcheck completions/gen.sh
	shellcheck -s bash $(OUT)/completions/ft.bash tests/helpers/*.bash
	mandoc -Tlint -W warning man/*.1 man/*.7

format:
	@sh tools/deps.sh lint
	@test -n "$(FORMAT_BASE)" || { echo "format: no git history of .clang-format" >&2; exit 1; }
	git clang-format --force $(FORMAT_BASE) -- $(FORMAT_PATHS)

clean:
	rm -rf build bin

.PHONY: all bin deps check demo bench install lint format clean
