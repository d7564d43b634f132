# The SMP benchmark guests (bench/smp.sh): Multiboot 1 kernels built like the
# guest tests (tests/guest/guest.mk: its runtime, linker script and flags),
# each with bench/smp/common.c. Included by the top Makefile after guest.mk.
#
#   make smp-bench-guests   build/bench/smp/{scaling,ipi,jitter}.elf
#
# They live here, not in tests/guest/, because they are not tests: they
# print figures and assert nothing, and tests/guest/run boots every
# tests/guest/NAME.c as a TAP test. The jitter guest also rides on the
# image (make iso) as its "timer jitter" menu entry.

SMPB_DIR    := bench/smp
SMPB_OUT    := $(BUILD)/bench/smp
SMPB_NAMES  := scaling ipi jitter
SMPB_ELFS   := $(SMPB_NAMES:%=$(SMPB_OUT)/%.elf)
SMPB_JITTER := $(SMPB_OUT)/jitter.elf

.PHONY: smp-bench-guests
smp-bench-guests: $(SMPB_ELFS)

$(SMPB_OUT)/%.elf: $(SMPB_OUT)/%.o $(SMPB_OUT)/common.o $(GUEST_RT_OBJS) $(GUEST_DIR)/guest.ld
	@echo "  LD [g]  $@"
	$(Q)$(GUEST_LD) $(GUEST_LDFLAGS) -o $@ $(filter %crt0.S.o,$(GUEST_RT_OBJS)) \
	    $(filter-out %crt0.S.o,$(GUEST_RT_OBJS)) $(SMPB_OUT)/common.o $< $(GUEST_LIBGCC)

$(SMPB_OUT)/%.o: $(SMPB_DIR)/%.c $(SMPB_DIR)/smpbench.h
	@mkdir -p $(dir $@)
	@echo "  CC [g]  $<"
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) -I$(SMPB_DIR) -c $< -o $@

.SECONDARY: $(SMPB_NAMES:%=$(SMPB_OUT)/%.o) $(SMPB_OUT)/common.o

# make iso puts the jitter guest on the image (the top Makefile's $(ISO) rule)
$(ISO): $(SMPB_JITTER)
