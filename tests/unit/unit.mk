# tests/unit/unit.mk: the hosted unit tests, one Criterion binary.
# Included by the top Makefile; uses its BUILD, HOST_CFLAGS, CORE_LIB and Q.
# Objects are built by the top Makefile's $(BUILD)/hosted/%.o rule.
#
#   make unit-tests                  build $(UNIT_BIN)
#   build/tests/unit/unit --tap      run it, TAP on stderr

UNIT_SRCS := $(wildcard tests/unit/*.c)
# the hosted implementation of emu/host.h is under test too
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/hosted/%.o) $(BUILD)/hosted/hosted/host.o
UNIT_BIN  := $(BUILD)/tests/unit/unit

.PHONY: unit-tests
unit-tests: $(UNIT_BIN)

$(UNIT_BIN): $(UNIT_OBJS) $(CORE_LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(HOST_LDFLAGS) -o $@ $(UNIT_OBJS) $(CORE_LIB) -lcriterion
