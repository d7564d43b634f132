# bench/cpu.mk: the interpreter micro-benchmark (bench/cpuloop.c).
# Included by the top Makefile after tests/diff/diff.mk (for CPU_OBJS); uses
# its BUILD, HOST_LDFLAGS and Q.
#
#   make cpuloop         build $(CPULOOP_BIN); run it, or profile it with
#                        valgrind --tool=callgrind $(CPULOOP_BIN) 2000000

CPULOOP_BIN := $(BUILD)/bench/cpuloop

.PHONY: cpuloop
cpuloop: $(CPULOOP_BIN)

$(CPULOOP_BIN): $(BUILD)/hosted/bench/cpuloop.o $(CPU_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(HOST_LDFLAGS) -o $@ $^

# the decoder measurement against Zydis (docs/cpu.md); needs libzydis-dev
DECODER_BIN := $(BUILD)/bench/decoder
.PHONY: decoder-bench
decoder-bench: $(DECODER_BIN)
	$(Q)$(DECODER_BIN)

$(DECODER_BIN): $(BUILD)/hosted/bench/decoder.o $(BUILD)/hosted/tests/diff/gen.o \
                $(BUILD)/hosted/tests/diff/gen_x87.o $(BUILD)/hosted/tests/diff/fpu.o \
                $(BUILD)/hosted/tests/diff/encode.o $(CPU_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(HOST_LDFLAGS) -o $@ $^ -lZydis
