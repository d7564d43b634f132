# tests/unit/unit.mk: the hosted unit tests, as Criterion binaries.
# Included by the top Makefile; uses its BUILD, HOST_CFLAGS, CORE_LIB and Q.
# Objects are built by the top Makefile's $(BUILD)/hosted/%.o rule.
#
#   make unit-tests                  build both binaries
#   build/tests/unit/unit --tap      the emulator core, with host_test.c standing
#                                    in for the host (its log is inspectable)
#   build/tests/unit/host --tap      hosted/host.c, the real Linux host

HOST_UNIT_SRCS := tests/unit/test_host.c
UNIT_SRCS := $(filter-out $(HOST_UNIT_SRCS),$(wildcard tests/unit/*.c))
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/hosted/%.o)
UNIT_BIN  := $(BUILD)/tests/unit/unit
HOST_UNIT_OBJS := $(HOST_UNIT_SRCS:%.c=$(BUILD)/hosted/%.o) $(BUILD)/hosted/hosted/host.o
HOST_UNIT_BIN  := $(BUILD)/tests/unit/host

.PHONY: unit-tests
unit-tests: $(UNIT_BIN) $(HOST_UNIT_BIN)

$(UNIT_BIN): $(UNIT_OBJS) $(CORE_LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(HOST_LDFLAGS) -o $@ $(UNIT_OBJS) $(CORE_LIB) -lcriterion

$(HOST_UNIT_BIN): $(HOST_UNIT_OBJS) $(CORE_LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(HOST_LDFLAGS) -o $@ $(HOST_UNIT_OBJS) $(CORE_LIB) -lcriterion
