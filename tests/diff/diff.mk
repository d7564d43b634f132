# tests/diff/diff.mk: the differential oracle (docs/cpu.md), one program that
# runs instruction sequences on the host CPU and in the interpreter.
# Included by the top Makefile; uses its BUILD, HOST_LDFLAGS and Q. Objects
# are built by the top Makefile's $(BUILD)/hosted/%.o rule. It links only the
# CPU's objects, not all of libbaremu-core.a: the oracle needs nothing else.
#
#   make difftest-bin            build $(DIFF_BIN)
#   make difftest [N=100000]     run it: the fixed cases and N random ones per mode
#   make difftest CLASS=x87      N random cases of that class alone (no fixed cases)
#   $(DIFF_BIN) -n N -s SEED -m 64|32|16|all [-c x87] [-r INDEX]

DIFF_SRCS := $(wildcard tests/diff/*.c)
DIFF_OBJS := $(DIFF_SRCS:%.c=$(BUILD)/hosted/%.o)
DIFF_BIN  := $(BUILD)/tests/diff/difftest
CPU_OBJS  := $(patsubst %.c,$(BUILD)/hosted/%.o,$(wildcard emu/cpu/*.c))
N ?= 20000
SEED ?= 1

.PHONY: difftest difftest-bin
difftest-bin: $(DIFF_BIN)

$(DIFF_BIN): $(DIFF_OBJS) $(CPU_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(HOST_LDFLAGS) -o $@ $(DIFF_OBJS) $(CPU_OBJS)

difftest: $(DIFF_BIN)
	$(Q)$(DIFF_BIN) -n $(N) -s $(SEED) $(if $(CLASS),-c $(CLASS))
