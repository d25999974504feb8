# warmharbor - GNU Make with pkg-config.
#
#   make                 build ./warmharbor
#   make demo            install what is missing, build, load the demo data
#                        into warmharbor.db and serve on 127.0.0.1:8080
#   make test            unit tests, HTTP tests, fuzz replay + short fuzz runs
#   make SANITIZE=address,undefined test    the same under sanitizers
#   make fuzz FUZZ_SECONDS=300              longer fuzz runs
#   make deps            install the Debian and npm packages the build needs
#   make check-includes  library boundaries (which folder may include what)
#   make format-check    clang-format agrees with the tree

CC ?= cc
PKGS := libmicrohttpd jansson sqlite3 libpq libsodium vips libjpeg libxxhash liboath
comma := ,
WERROR ?= 0
SANITIZE ?=
RELEASE ?= 0

# Each set of flags builds in its own folder: objects carry no record of
# the flags they were built with, so a release build must not reuse the
# default build's objects (or the other way round).
ifeq ($(SANITIZE),)
BUILD := build/$(if $(filter 1,$(RELEASE)),release,default)
else
BUILD := build/san-$(subst $(comma),-,$(SANITIZE))
endif

# Omitted trailing fields of a route or an option are zero by the language
# (a route's body_limit is set only where a route takes more).
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wvla -Wpointer-arith -Wcast-qual -Wno-unused-parameter \
        -Wno-missing-field-initializers
ifeq ($(WERROR),1)
WARN += -Werror
endif
ifeq ($(RELEASE),1)
OPT := -O2 -DNDEBUG
else
OPT := -O2 -g
endif
SANFLAGS := $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all)

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS_ALL = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(OPT) $(WARN) $(SANFLAGS) \
             -Isrc -I$(BUILD)/gen $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lm -lpthread $(LDLIBS)

SRC := $(shell find src -name '*.c' ! -path src/main.c | sort)
OBJ := $(SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/migrations.o $(BUILD)/gen/web_assets.o
MIGRATIONS := $(sort $(wildcard db/migrations/*.sql))
LIB := $(BUILD)/libwarmharbor.a
BIN := $(BUILD)/warmharbor

UNIT_SRC := $(shell find tests/unit -name '*_test.c' | sort)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps demo test test-pg multinode-test unit http-test browser-test fuzz fuzz-smoke clean \
        check-includes format format-check bench bench-paced
all: warmharbor

# The default build is also copied to ./warmharbor for the README's commands.
# Copied whenever it differs, so ./warmharbor is the build just asked for
# (release or default) even when the other one is newer.
warmharbor: $(BIN) FORCE
ifeq ($(SANITIZE),)
	@cmp -s $(BIN) warmharbor || { cp $(BIN) warmharbor.tmp && mv -f warmharbor.tmp warmharbor; }
endif

FORCE:

$(BIN): $(BUILD)/src/main.o $(LIB)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(LIB): $(OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(BUILD)/gen/migrations.c: $(MIGRATIONS) db/migrations $(BUILD)/tools/embed
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed migrations $@ $(MIGRATIONS)

$(BUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The web app: bundled by web/build.mjs (esbuild) into web/dist/, then
# embedded like the migrations. Without package.json there is no web app
# yet and nothing is embedded.
WEB_SRC := $(shell find web -path web/dist -prune -o -type f -print 2>/dev/null)
web/dist/.stamp: $(WEB_SRC) $(wildcard package.json package-lock.json web/build.mjs)
ifneq ($(wildcard web/build.mjs),)
	@test -d node_modules || npm ci --no-audit --no-fund
	node web/build.mjs
endif
	@mkdir -p web/dist
	@touch $@

$(BUILD)/gen/web_assets.c: web/dist/.stamp $(BUILD)/tools/embed
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed web $@ web/dist $$(find web/dist -type f ! -name .stamp | sort)

$(BUILD)/gen/web_assets.o: $(BUILD)/gen/web_assets.c
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# Host tool: built without sanitizers so code generation stays quiet.
$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O1 -Wall -Wextra -o $@ $<

# Unit tests may also read what we write with a reference parser: libical
# checks the iCalendar feeds.
TEST_PKGS := libical
$(BUILD)/tests/%: tests/unit/%.c $(LIB) tests/unit/test.h $(wildcard tests/unit/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(shell pkg-config --cflags $(TEST_PKGS)) -Itests/unit -o $@ $< $(LIB) \
	  $(shell pkg-config --libs $(TEST_PKGS)) $(LDLIBS_ALL)

-include $(OBJ:.o=.d) $(BUILD)/src/main.d

# ---- tests -------------------------------------------------------------

test: unit http-test web-test browser-test fuzz-smoke test-pg

# The unit and HTTP suites again, on a throwaway PostgreSQL cluster: every
# server the HTTP tests start gets a fresh PostgreSQL database.
test-pg: $(BIN) $(UNIT_BIN)
	sh tools/with_pg.sh $(MAKE) --no-print-directory unit http-test multinode-test

# Two nodes on one PostgreSQL behind nginx (run inside tools/with_pg.sh).
multinode-test: $(BIN)
	WARMHARBOR_BIN=$(abspath $(BIN)) node --test --test-concurrency=1 tests/multinode/

unit: $(UNIT_BIN)
	@fail=0; passed=0; failed=0; \
	for t in $(UNIT_BIN); do \
	  out=$$($$t 2>&1); rc=$$?; echo "$$out" | tail -n 20; \
	  line=$$(echo "$$out" | grep -E '^[a-z_/]+: [0-9]+ passed, [0-9]+ failed' | tail -1); \
	  p=$$(echo "$$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/'); \
	  f=$$(echo "$$line" | sed -E 's/.* ([0-9]+) failed.*/\1/'); \
	  passed=$$((passed + $${p:-0})); failed=$$((failed + $${f:-0})); \
	  if [ $$rc -ne 0 ]; then fail=1; [ -n "$$line" ] || failed=$$((failed + 1)); fi; \
	done; \
	echo "unit: $$passed passed, $$failed failed"; exit $$fail

# A reference parser the HTTP tests read the calendar feeds with.
ICAL_CHECK := $(BUILD)/tests/tools/ical_check
$(ICAL_CHECK): tests/tools/ical_check.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(shell pkg-config --cflags $(TEST_PKGS)) -o $@ $< \
	  $(shell pkg-config --libs $(TEST_PKGS))

# Two test files at a time (one per core): every file starts its own
# servers on port 0 with their own databases, so they do not meet.
HTTP_TEST_JOBS ?= 2
http-test: $(BIN) $(ICAL_CHECK)
	WARMHARBOR_BIN=$(abspath $(BIN)) WARMHARBOR_ICAL_CHECK=$(abspath $(ICAL_CHECK)) \
	  node --test --test-concurrency=$(HTTP_TEST_JOBS) tests/http/

# Browser tests: playwright-core driving Debian's chromium against the real
# binary (which embeds the bundled web app).
# Two files at a time too: each has its own server, database and browser
# profile.
BROWSER_TEST_JOBS ?= 2
browser-test: $(BIN)
	WARMHARBOR_BIN=$(abspath $(BIN)) node --test --test-concurrency=$(BROWSER_TEST_JOBS) tests/browser/

# The web app's page registry and words, in node (no browser, no server).
.PHONY: web-test
web-test:
	node --test tests/web/

# Benchmarks (not part of test): the spatial index alone, then the near
# query over HTTP next to nginx. Figures go to bench/RESULTS.md.
bench:
	bash bench/run.sh

# Only the paced runs (bookings at 2,000/s, fair numbers at 1,000/s).
bench-paced:
	bash bench/run.sh --only paced

# ---- fuzzing (libFuzzer, clang) ---------------------------------------

FUZZ_CC ?= clang
FUZZ_BUILD := build/fuzz
FUZZ_SECONDS ?= 10
FUZZ_FLAGS := -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -g -O1 -Isrc -I$(FUZZ_BUILD)/gen \
              $(PKG_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined \
              -fno-sanitize-recover=undefined
FUZZ_SRC := $(shell find tests/fuzz -maxdepth 1 -name '*_fuzz.c' | sort)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_OBJ := $(SRC:%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_BUILD)/gen/migrations.o $(FUZZ_BUILD)/gen/web_assets.o

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/gen/migrations.c: $(MIGRATIONS) db/migrations $(BUILD)/tools/embed
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed migrations $@ $(MIGRATIONS)

$(FUZZ_BUILD)/gen/migrations.o: $(FUZZ_BUILD)/gen/migrations.c
	$(FUZZ_CC) $(FUZZ_FLAGS) -c -o $@ $<

$(FUZZ_BUILD)/gen/web_assets.o: $(BUILD)/gen/web_assets.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -c -o $@ $<

$(FUZZ_BUILD)/libfuzz.a: $(FUZZ_OBJ)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/%_fuzz: tests/fuzz/%_fuzz.c $(FUZZ_BUILD)/libfuzz.a
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libfuzz.a \
	  $(PKG_LIBS) -lm -lpthread

-include $(FUZZ_OBJ:.o=.d)

# Replay every seed and every saved crash input, then fuzz each target for
# FUZZ_SECONDS on a scratch copy of its corpus (the tree is not changed).
fuzz-smoke: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do \
	  name=$$(basename $$f _fuzz); \
	  scratch=$$(mktemp -d); \
	  cp -r tests/fuzz/corpus/$$name/. $$scratch/ 2>/dev/null || true; \
	  if [ -d tests/fuzz/crashes/$$name ] && [ -n "$$(ls tests/fuzz/crashes/$$name)" ]; then \
	    $$f -runs=0 tests/fuzz/crashes/$$name/* >/dev/null 2>&1 || { echo "fuzz $$name: a saved crash input fails again"; exit 1; }; \
	  fi; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	      -artifact_prefix=$(FUZZ_BUILD)/crash-$$name- $$scratch >$(FUZZ_BUILD)/$$name.log 2>&1 \
	    || { tail -40 $(FUZZ_BUILD)/$$name.log; echo "fuzz $$name: FAILED"; exit 1; }; \
	  echo "fuzz $$name: $$(grep -Eo 'Done [0-9]+ runs' $(FUZZ_BUILD)/$$name.log) clean"; \
	  rm -rf $$scratch; \
	done

fuzz: FUZZ_SECONDS = 300
fuzz: fuzz-smoke

# ---- housekeeping -------------------------------------------------------

deps:
	@sh tools/deps.sh

demo: deps warmharbor
	./warmharbor demo --db warmharbor.db
	@./warmharbor user add --db warmharbor.db --admin 13800000000
	@echo "sign in at http://127.0.0.1:8080 as 13800000000 with the password above"
	@echo "(a system admin sets up an authenticator app, TOTP, at the first sign-in);"
	@echo "workers register with a one-time code, which the demo writes to the log"
	WARMHARBOR_DEV=1 ./warmharbor serve --db warmharbor.db --listen 127.0.0.1:8080

check-includes:
	@sh tools/check-includes.sh

format:
	clang-format -i $$(find src tests tools -name '*.[ch]')

format-check:
	clang-format --dry-run -Werror $$(find src tests tools -name '*.[ch]')

clean:
	rm -rf build warmharbor
