# feedbench - a terminal workbench for preference data.
#
#   make                 build ./feedbench
#   make check           install missing build/test packages, build, run every test
#                        (unit and data tests a second time under ASan+UBSan,
#                        the command-line paths under valgrind)
#   make demo            build, load the bundled sample data into demo.db, open the TUI
#   make bench           benchmarks against named peers (prints figures and ratios)
#   make install PREFIX=/usr/local
#   make DEVELOPER=1     adds -Werror and extra warnings
#   make SANITIZE=address,undefined
#
# pkg-config is only consulted in recipes run after `make deps`, so a fresh
# machine without it can still run `make check` and `make demo`.

PREFIX    ?= /usr/local
CC        ?= cc
PKGS      := ncursesw sqlite3 libcurl libpcre2-8 libcjson nettle
TEST_PKGS := cmocka

# Debian packages: what each capability needs on a fresh machine.
DEBS_BUILD := pkg-config libncurses-dev libsqlite3-dev libcurl4-openssl-dev \
              libpcre2-dev libcjson-dev nettle-dev
DEBS_TEST  := libcmocka-dev tmux python3 sqlite3 valgrind chromium
DEBS_BENCH := python3 sqlite3 time bc python3-numpy python3-scipy python3-sklearn
# Node.js for the judge benchmark's peer (the openai npm client): Debian's,
# unless the machine already has node and npm from elsewhere.
DEBS_NODE  := nodejs npm

BUILD     ?= build
ifneq ($(SANITIZE),)
BUILD     := build/san
endif

CFLAGS    ?= -O2 -g
CSTD      := -std=c11 -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE
WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wpointer-arith -Wformat=2 -Wno-unused-parameter
ifeq ($(DEVELOPER),1)
WARN      += -Werror -Wvla -Wcast-align -Wundef
endif
ifneq ($(SANITIZE),)
SANFLAGS  := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

PKG_CFLAGS = $(filter-out -D_XOPEN_SOURCE=% -D_DEFAULT_SOURCE,$(shell pkg-config --cflags $(PKGS)))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -lpthread -lm
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS))
TEST_LIBS  = $(shell pkg-config --libs $(TEST_PKGS))

ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -Isrc -Iui -I$(BUILD)
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

SRC_C     := $(filter-out src/main.c,$(wildcard src/*.c))
UI_C      := $(wildcard ui/*.c)
SRC_O     := $(patsubst %.c,$(BUILD)/%.o,$(SRC_C)) $(BUILD)/embedded.o
UI_O      := $(patsubst %.c,$(BUILD)/%.o,$(UI_C))
MAIN_O    := $(BUILD)/src/main.o
LIB       := $(BUILD)/libfeedbench.a
UILIB     := $(BUILD)/libfeedbench-ui.a
UNIT_C    := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_C))
EMBED_IN  := $(sort $(wildcard schema/*.sql)) $(sort $(wildcard rubrics/*.rubric)) \
             $(sort $(wildcard rubrics/*.prompt))

ifeq ($(SANITIZE),)
PROG      := feedbench
else
PROG      := $(BUILD)/feedbench
endif

.PHONY: all check test unit data tui render valgrind demo bench install uninstall clean deps \
        deps-test deps-bench deps-node layering golden

all: layering $(PROG)

$(PROG): $(MAIN_O) $(UILIB) $(LIB)
	@echo "  LINK    $@"
	@$(CC) $(ALL_LDFLAGS) -o $@.$$$$ $(MAIN_O) $(UILIB) $(LIB) $(PKG_LIBS) && mv -f $@.$$$$ $@

# Objects and archives are written under a temporary name and renamed, so a
# second make running in the same tree never links a half-written file.
$(LIB): $(SRC_O)
	@rm -f $@.$$$$ && ar rcs $@.$$$$ $^ && mv -f $@.$$$$ $@

$(UILIB): $(UI_O)
	@rm -f $@.$$$$ && ar rcs $@.$$$$ $^ && mv -f $@.$$$$ $@

$(BUILD)/%.o: %.c $(wildcard src/*.h ui/*.h) | $(BUILD)/src $(BUILD)/ui $(BUILD)/tests
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@.$$$$ $< && mv -f $@.$$$$ $@

# schema/*.sql and rubrics/*.rubric are compiled in, so the binary runs from anywhere.
$(BUILD)/embedded.c: $(EMBED_IN) tests/embed.sh | $(BUILD)/src
	@sh tests/embed.sh $(EMBED_IN) > $@.tmp && mv $@.tmp $@

$(BUILD)/embedded.o: $(BUILD)/embedded.c
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/testutil.h $(LIB) | $(BUILD)/tests
	@echo "  CCLD    $@"
	@$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Itests/unit -o $@ $< $(LIB) $(PKG_LIBS) $(TEST_LIBS) $(ALL_LDFLAGS)

$(BUILD)/src $(BUILD)/ui $(BUILD)/tests:
	mkdir -p $@

# The model never draws: src/ must not include curses.
layering:
	@if grep -rlE '#[[:space:]]*include[[:space:]]*[<"](n?curses|ncursesw/)' src; then \
		echo "error: src/ includes curses (the TUI lives in ui/)"; exit 1; fi

# ---- packages -------------------------------------------------------------
# Installs only what is missing, saying what; uses sudo when not root.
define install_debs
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "feedbench: installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null || \
		{ echo "feedbench: could not install:$$missing"; exit 1; }; \
	fi
endef

deps:
	$(call install_debs,$(DEBS_BUILD))
deps-test: deps
	$(call install_debs,$(DEBS_TEST))
deps-bench: deps
	$(call install_debs,$(DEBS_BENCH))
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory deps-node; fi

deps-node:
	$(call install_debs,$(DEBS_NODE))

# ---- tests -----------------------------------------------------------------
check: deps-test
	@rm -f tests/out/results
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory SANITIZE=address,undefined unit data
	@$(MAKE) --no-print-directory valgrind
	@sh tests/summary.sh

test: unit data tui render

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

data: $(PROG)
	@sh tests/run-data.sh ./$(PROG)

tui: $(PROG)
	@sh tests/run-tui.sh ./$(PROG)

# The HTML report rendered in headless Chromium, checked and photographed.
render: $(PROG)
	@sh tests/run-render.sh ./$(PROG)

# The command-line paths under valgrind: no leaks, no memory errors.
valgrind: $(PROG)
	@sh tests/valgrind.sh ./$(PROG)

# Regenerate the TUI golden screens after an intended change of the screens.
golden: $(PROG)
	@FEEDBENCH_GOLDEN=update sh tests/run-tui.sh ./$(PROG)

# ---- the main job ------------------------------------------------------------
demo: deps
	@$(MAKE) --no-print-directory all
	@rm -f demo.db demo.db-wal demo.db-shm
	./feedbench --db demo.db import --dataset demo tests/fixtures/demo.jsonl
	./feedbench --db demo.db annotate --rater you

bench: deps-bench
	@$(MAKE) --no-print-directory all
	@sh tests/bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/feedbench/rubrics
	install -m 755 feedbench $(DESTDIR)$(PREFIX)/bin/feedbench
	install -m 644 rubrics/*.rubric rubrics/*.prompt $(DESTDIR)$(PREFIX)/share/feedbench/rubrics/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/feedbench
	rm -rf $(DESTDIR)$(PREFIX)/share/feedbench

clean:
	rm -rf build feedbench tests/out
