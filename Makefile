# Makefile — builds libkc.a (the pure controller core) and kcsim (the simulator), runs the
# tests, the sanitizer build and the gcc-vs-clang determinism check. `make help` lists targets.

CC      ?= cc
BUILD   ?= build
PKGS    := yaml-0.1 cmocka
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wvla -Wformat=2 -Wundef -Wcast-align -Wwrite-strings
CFLAGS  ?= -O2 -g
override CFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -ffp-contract=off -pthread $(WARN) -Icore -Isim
LDLIBS  += $(shell pkg-config --libs yaml-0.1 2>/dev/null || echo -lyaml)
TESTLIBS = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

# Test helpers (test doubles, shared set-ups) are named kc_test*.c / sim_test*.c: linked into
# every test of their directory, never into a library.
CORE_TESTKIT := $(wildcard core/kc_test*.c)
SIM_TESTKIT  := $(wildcard sim/sim_test*.c)
CORE_SRC := $(filter-out %_test.c $(CORE_TESTKIT),$(wildcard core/kc_*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
SIM_SRC  := $(filter-out %_test.c sim/sim_main.c $(SIM_TESTKIT),$(wildcard sim/sim_*.c))
SIM_OBJ  := $(SIM_SRC:%.c=$(BUILD)/%.o)
CORE_TESTS := $(patsubst core/%.c,$(BUILD)/test/%,$(wildcard core/*_test.c))
SIM_TESTS  := $(patsubst sim/%.c,$(BUILD)/test/%,$(wildcard sim/*_test.c))

.PHONY: all deps test unit san determinism check clean help bench
all: deps $(BUILD)/libkc.a $(if $(wildcard sim/sim_main.c),$(BUILD)/kcsim)

help:
	@echo "make              build build/libkc.a and build/kcsim (installs missing deps)"
	@echo "make test         unit tests, core purity check, kcsim check scenarios/"
	@echo "make san          the same tests under AddressSanitizer + UBSan (build-san/)"
	@echo "make determinism  every scenario twice, gcc vs clang: result bytes must match"
	@echo "make check        kcsim check scenarios/ only"
	@echo "make review       the suite, the design-review sweeps and every plot, in results/ (index.md)"
	@echo "make bench        every scripts/bench/*.sh: PHOLD against ns-3, SimGrid, SimPy; scale runs to"
	@echo "                  1,000,000 partitions (results/bench/: CSV and plots)"
	@echo "make clean        remove build output"

# A fresh machine gets its packages here, once (the stamp is per build directory).
deps: $(BUILD)/.deps
$(BUILD)/.deps:
	@pkg-config --exists $(PKGS) 2>/dev/null || scripts/install-deps.sh
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/%.o: %.c | $(BUILD)/.deps
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libkc.a: $(CORE_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/kcsim: $(BUILD)/sim/sim_main.o $(BUILD)/libsim.a $(BUILD)/libkc.a
	@echo "  LD  $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/test/%_test: $(BUILD)/core/%_test.o $(CORE_TESTKIT:%.c=$(BUILD)/%.o) $(BUILD)/libkc.a
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(TESTLIBS)

$(BUILD)/libsim.a: $(SIM_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/test/sim_%_test: $(BUILD)/sim/sim_%_test.o $(SIM_TESTKIT:%.c=$(BUILD)/%.o) $(BUILD)/libsim.a \
			  $(BUILD)/libkc.a
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(TESTLIBS) $(LDLIBS)

unit: all $(CORE_TESTS) $(SIM_TESTS)
	@scripts/run-tests.sh $(BUILD) $(CORE_TESTS) $(SIM_TESTS)

test: unit
	@scripts/check-core-purity.sh $(BUILD)/libkc.a
	@scripts/check-includes.sh
	@scripts/test-cli.sh $(BUILD)/kcsim
	@$(BUILD)/kcsim check scenarios --jobs 2 --out $(BUILD)/check

check: all
	$(BUILD)/kcsim check scenarios/ --out $(BUILD)/check

san:
	$(MAKE) BUILD=build-san CC=$${SAN_CC:-$(CC)} \
	  CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	  test

determinism: all
	@scripts/determinism.sh

bench: all $(BUILD)/bench/phold_kcsim
	@BUILD=$(BUILD) scripts/bench.sh

# Benchmark drivers: main() in scripts/bench/, the engine from libsim.a as kcsim links it.
$(BUILD)/bench/phold_kcsim: scripts/bench/phold_kcsim.c $(BUILD)/libsim.a $(BUILD)/libkc.a
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Design review (scripts/review.sh): the suite, the review sweeps and every plot in results/.
# make test also checks that plots keep their bytes across renders and --jobs.
.PHONY: review test-plots
review:
	+@BUILD=$(BUILD) scripts/review.sh

test-plots: all
	@scripts/test-plots.sh $(BUILD)

test: test-plots

clean:
	rm -rf build build-san build-clang build-gcc

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
