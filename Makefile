# SPDX-License-Identifier: GPL-2.0-or-later
# collectd-wattcycle — build, test, fuzz, bench, demo, install.
# Everything is built into $(BUILD); nothing outside the tree is touched
# except by `make deps` (apt-get) and `make install`.

BUILD      ?= build
PREFIX     ?= /usr/local
DESTDIR    ?=
CC         ?= cc
CLANG      ?= clang
FUZZ_SECONDS ?= 60

# Debian's hardening flags (PIE, relro, bindnow, fortify, stack protector).
DPKG_BF := DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags
DEB_CFLAGS   := $(shell $(DPKG_BF) --get CFLAGS 2>/dev/null)
DEB_CPPFLAGS := $(shell $(DPKG_BF) --get CPPFLAGS 2>/dev/null)
DEB_LDFLAGS  := $(shell $(DPKG_BF) --get LDFLAGS 2>/dev/null)

WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wswitch-enum -Wformat-security -Wcast-align \
	-Wpointer-arith -Wundef
BASE_CPPFLAGS := -D_GNU_SOURCE -iquote plugin $(shell pkg-config --cflags libconfig 2>/dev/null)
# -fvisibility=hidden: only module_register leaves wattcycle.so (the daemon
# exports generic names that would otherwise interpose on ours).
# -ffunction-sections/-fdata-sections + --gc-sections on the plugin: only
# the code the daemon can reach is mapped into collectd (not the CLI's scan
# and decode paths that live in the same library).
CFLAGS_ALL  := $(WARN) $(DEB_CFLAGS) -fPIC -fvisibility=hidden \
	-ffunction-sections -fdata-sections
# The collectd glue and its fake-daemon test see Debian's collectd-dev.
COLLECTD_CPPFLAGS := -DHAVE_CONFIG_H -I/usr/include/collectd
CPPFLAGS_ALL := $(BASE_CPPFLAGS) $(DEB_CPPFLAGS)
# --as-needed: each binary keeps only the libraries it uses (libconfig is
# the simulator's).
LDFLAGS_ALL := $(DEB_LDFLAGS) -Wl,--as-needed
# BlueZ's libbluetooth: HCI on both sides (the simulator's advertising, the
# client's adapter lookup, RSSI and scanning), so in every program.
BT_LIBS     := $(or $(shell pkg-config --libs bluez 2>/dev/null),-lbluetooth)
LDLIBS_ALL  := $(shell pkg-config --libs libconfig 2>/dev/null) -lm $(BT_LIBS)

# Sanitizer build of the library and unit tests (non-recovering).
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -g -O1

# The library: every plugin/ source except the collectd glue.
GLUE      := plugin/wattcycle.c
LIB_SRCS  := $(filter-out $(GLUE),$(sort $(wildcard plugin/*.c)))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
SAN_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/san/%.o)
CLI_SRCS  := $(sort $(wildcard cli/*.c))
CLI_OBJS  := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
SIM_SRCS  := $(sort $(wildcard sim/*.c))
SIM_OBJS  := $(SIM_SRCS:%.c=$(BUILD)/obj/%.o)
# The simulator without its main(): unit tests link it for whatever sim/
# code they do not #include themselves (to reach its static functions).
SIMLIB_SRCS := $(filter-out sim/sim_main.c,$(SIM_SRCS))
SIMLIB_OBJS := $(SIMLIB_SRCS:%.c=$(BUILD)/obj/%.o)
SIMLIB_SAN  := $(SIMLIB_SRCS:%.c=$(BUILD)/san/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_SAN  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests-san/%)
BENCH_SRCS := $(sort $(wildcard tests/bench/bench_*.c))
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/bench/%)
# the plugin with a CPU stopwatch around its read callback (same name, own
# directory: collectd loads it as "wattcycle")
BENCH_CPU_SO := $(BUILD)/bench/cpu/wattcycle.so
# preloaded into the bench's collectd: glibc's malloc totals once a second
BENCH_MALLOC_SO := $(BUILD)/bench/malloc_probe.so
# the plugin under ASan/UBSan (its rule is below); defined here because
# `check` names it before the rule
SAN_SO    := $(BUILD)/san/wattcycle.so
# the soak's plugin: the shipped glue with a stopwatch around every poll
# (tests/bench/poll_stopwatch.c), plain and under ASan/UBSan
SOAK_SO     := $(BUILD)/soak/wattcycle.so
SOAK_SAN_SO := $(BUILD)/soak-san/wattcycle.so
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

PROGRAMS := $(BUILD)/wattcycle
ifneq ($(SIM_SRCS),)
PROGRAMS += $(BUILD)/wattcycle-sim
endif
ifneq ($(wildcard $(GLUE)),)
PROGRAMS += $(BUILD)/wattcycle.so
endif

.PHONY: all deps deps-ensure test check unit fuzz fuzz-long fuzz-build soak bench demo demo-ble install clean
all: $(PROGRAMS)

deps:
	@scripts/deps.sh install

deps-ensure:
	@scripts/deps.sh ensure

$(BUILD)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CPPFLAGS) $(WARN) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libwattcycle.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libwattcycle-san.a: $(SAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libwattcycle-sim.a: $(SIMLIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libwattcycle-sim-san.a: $(SIMLIB_SAN)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/wattcycle: $(CLI_OBJS) $(BUILD)/libwattcycle.a
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) $^ $(LDLIBS_ALL) -o $@

$(BUILD)/wattcycle.so: $(GLUE) $(LIB_OBJS) plugin/wattcycle.map
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(COLLECTD_CPPFLAGS) $(CFLAGS_ALL) -shared \
		$(LDFLAGS_ALL) -Wl,--gc-sections -Wl,-soname,wattcycle.so \
		-Wl,--version-script=plugin/wattcycle.map $(GLUE) $(LIB_OBJS) \
		$(LDLIBS_ALL) -o $@

$(BUILD)/wattcycle-sim: $(SIM_OBJS) $(BUILD)/libwattcycle.a
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) $^ $(LDLIBS_ALL) -o $@

# Unit tests: one binary per tests/unit/test_<module>.c, plain and sanitized.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libwattcycle-sim.a $(BUILD)/libwattcycle.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(COLLECTD_CPPFLAGS) -Itests/unit $(CFLAGS_ALL) -MMD -MP $(LDFLAGS_ALL) $< \
		$(BUILD)/libwattcycle-sim.a $(BUILD)/libwattcycle.a -lcmocka $(LDLIBS_ALL) -o $@

$(BUILD)/tests-san/%: tests/unit/%.c $(BUILD)/libwattcycle-sim-san.a $(BUILD)/libwattcycle-san.a
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CPPFLAGS) $(COLLECTD_CPPFLAGS) -Itests/unit $(WARN) $(SAN_FLAGS) -MMD -MP $< \
		$(BUILD)/libwattcycle-sim-san.a $(BUILD)/libwattcycle-san.a -lcmocka $(LDLIBS_ALL) -o $@

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libwattcycle.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $(LDFLAGS_ALL) $< \
		$(BUILD)/libwattcycle.a $(LDLIBS_ALL) -o $@

$(BENCH_CPU_SO): tests/bench/cpu_glue.c $(GLUE) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(COLLECTD_CPPFLAGS) $(CFLAGS_ALL) -shared \
		$(LDFLAGS_ALL) -Wl,--gc-sections $< $(LIB_OBJS) $(LDLIBS_ALL) -o $@

$(BENCH_MALLOC_SO): tests/bench/malloc_probe.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -shared $(LDFLAGS_ALL) $< -o $@

# libFuzzer targets (clang), with ASan and UBSan.  The simulator's code
# comes from an instrumented archive, so a target may #include the sim/
# files whose static functions it needs and take the rest from there.
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
SIMLIB_FUZZ := $(SIMLIB_SRCS:%.c=$(BUILD)/fuzzobj/%.o)

$(BUILD)/fuzzobj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer-no-link \
		$(FUZZ_SAN) -c $< -o $@

$(BUILD)/libwattcycle-sim-fuzz.a: $(SIMLIB_FUZZ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(BUILD)/libwattcycle-sim-fuzz.a
	@mkdir -p $(dir $@)
	$(CLANG) $(BASE_CPPFLAGS) $(COLLECTD_CPPFLAGS) -std=c11 -g -O1 \
		-fsanitize=fuzzer $(FUZZ_SAN) \
		$< $(LIB_SRCS) $(BUILD)/libwattcycle-sim-fuzz.a $(LDLIBS_ALL) -o $@

# some targets #include the glue, the CLI's or the simulator's sources
$(FUZZ_BINS): $(wildcard $(GLUE)) tests/unit/fake_collectd.c $(CLI_SRCS) $(SIM_SRCS)

unit: $(UNIT_BINS) $(UNIT_SAN)
fuzz-build: $(FUZZ_BINS)

# `make test`: install what is missing, build, run every suite, one summary.
test: deps-ensure
	@$(MAKE) --no-print-directory check

check: all unit fuzz-build $(SAN_SO) $(SOAK_SO) $(SOAK_SAN_SO)
	@BUILD=$(BUILD) scripts/run-tests.sh

fuzz: deps-ensure
	@$(MAKE) --no-print-directory fuzz-build
	@for f in $(FUZZ_BINS); do \
		n=$$(basename $$f); \
		scripts/fuzz.sh $$f tests/fuzz/corpus/$$n $(FUZZ_SECONDS) || exit 1; \
	done

# `make fuzz-long`: every target FUZZ_SECONDS (600 unless given) on a copy
# of its committed seeds; all run, then one verdict (a crash, a leak or a
# timeout fails; what was found is kept in $(BUILD)/fuzz-artifacts/).
fuzz-long: deps-ensure
	@$(MAKE) --no-print-directory fuzz-build
	@secs=$(if $(filter command line environment,$(origin FUZZ_SECONDS)),$(FUZZ_SECONDS),600); \
	bad=; for f in $(FUZZ_BINS); do \
		n=$$(basename $$f); echo "== $$n: $$secs s"; \
		scripts/fuzz.sh $$f tests/fuzz/corpus/$$n $$secs || bad="$$bad $$n"; \
	done; \
	if [ -n "$$bad" ]; then echo "fuzz-long: failures in:$$bad"; exit 1; fi; \
	echo "fuzz-long: $(words $(FUZZ_BINS)) targets, $$secs s each, clean"

# The plugin under ASan/UBSan, for a collectd started with the sanitizer
# runtimes preloaded (scripts/soak.sh SOAK_SANITIZE=1).  Compiled in one
# go with -fPIC: the san objects above are for executables.
$(SAN_SO): $(GLUE) $(LIB_SRCS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CPPFLAGS) $(COLLECTD_CPPFLAGS) $(WARN) $(SAN_FLAGS) -fPIC \
		-fvisibility=hidden -shared -Wl,-soname,wattcycle.so \
		$(GLUE) $(LIB_SRCS) $(LDLIBS_ALL) -o $@

$(SOAK_SO): tests/bench/poll_stopwatch.c $(GLUE) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(COLLECTD_CPPFLAGS) $(CFLAGS_ALL) -shared \
		$(LDFLAGS_ALL) -Wl,--gc-sections $< $(LIB_OBJS) $(LDLIBS_ALL) -o $@

$(SOAK_SAN_SO): tests/bench/poll_stopwatch.c $(GLUE) $(LIB_SRCS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CPPFLAGS) $(COLLECTD_CPPFLAGS) $(WARN) $(SAN_FLAGS) -fPIC \
		-fvisibility=hidden -shared -Wl,-soname,wattcycle.so \
		$< $(LIB_SRCS) $(LDLIBS_ALL) -o $@

# `make soak`: collectd with 64 simulated batteries under cycling faults for
# SOAK_SECONDS (1800); the figures go to BENCHMARKS.md's soak section.
soak: deps-ensure
	@$(MAKE) --no-print-directory all $(SOAK_SO)
	@BUILD=$(BUILD) scripts/soak.sh --bench

# `make bench`: the speed and memory targets, measured and written to
# BENCHMARKS.md (never asserted by timed tests).
bench: deps-ensure
	@$(MAKE) --no-print-directory all $(BENCH_BINS) $(BENCH_CPU_SO) $(BENCH_MALLOC_SO)
	@BUILD=$(BUILD) scripts/bench.sh > BENCHMARKS.md.new && \
	if grep -q '<!-- soak:begin' BENCHMARKS.md 2>/dev/null; then \
		{ echo; sed -n '/<!-- soak:begin/,/<!-- soak:end/p' BENCHMARKS.md; } >> BENCHMARKS.md.new; \
	fi && mv BENCHMARKS.md.new BENCHMARKS.md
	@cat BENCHMARKS.md

# `make demo`: simulated 2S2P bank -> collectd -> RRD -> PNG graphs in demo/.
demo: deps-ensure
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) scripts/demo.sh

# `make demo-ble`: the same demo over Bluetooth inside scripts/blevm: each
# battery advertises on its own virtual controller and collectd reads it
# over BLE; the graphs come back to demo/graphs/.
demo-ble: deps-ensure
	@$(MAKE) --no-print-directory all
	@rm -rf $(BUILD)/demo-ble
	@scripts/blevm --controllers 9 --timeout $$(( $${DEMO_SECONDS:-60} + 300 )) -- \
		bash -c 'DEMO_BLE=1 DEMO_DIR=/tmp/demo-ble BUILD=$(BUILD) scripts/demo.sh; rc=$$?; \
			rm -rf /tmp/demo-ble/run; cp -r /tmp/demo-ble $(BUILD)/demo-ble; exit $$rc'
	@rm -rf demo/graphs && mkdir -p demo && cp -r $(BUILD)/demo-ble/graphs demo/graphs
	@echo "demo-ble: graphs in demo/graphs/: $$(ls demo/graphs | tr '\n' ' ')"

# `make install PREFIX=/usr DESTDIR=...`: plugin into collectd's plugin dir
# (copied: collectd refuses symlinks), CLI, man pages, examples, dashboards.
install: all
	@BUILD=$(BUILD) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) scripts/install.sh

# `make bench-fleet`: only the many-sites figures (scripts/bench-fleet.sh,
# about a minute), written into BENCHMARKS.md's "Many sites" section.
.PHONY: bench-fleet
bench-fleet: deps-ensure
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) scripts/bench-fleet.sh > $(BUILD)/bench-fleet.md
	@awk -v new=$(BUILD)/bench-fleet.md 'function put() { while ((getline l < new) > 0) { if (l != "") started = 1; if (started) print l }; done = 1 } \
		/^## Many sites/ { skip = 1; put(); next } skip && /^## / { skip = 0 } !skip { print } \
		END { if (!done) { print ""; put() } }' BENCHMARKS.md > BENCHMARKS.md.new && mv BENCHMARKS.md.new BENCHMARKS.md
	@cat $(BUILD)/bench-fleet.md

# `make deb`: collectd-wattcycle_<version>_<arch>.deb in $(BUILD), built by
# debhelper (debian/) from a copy of the tree in $(BUILD)/deb-src; lintian
# must find no error and no warning.
.PHONY: deb
deb: deps-ensure
	@BUILD=$(BUILD) scripts/deb.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
