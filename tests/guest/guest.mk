# Guest tests: tiny freestanding 32-bit Multiboot1 kernels that run inside an
# emulator (QEMU, Bochs, baremu) and report TAP over COM1. Included by the
# top Makefile, which provides BUILD and Q.
#
#   make guest-programs     build/tests/guest/NAME.elf for each tests/guest/NAME.c
#   tests/guest/run         boot them (see tests/guest/README.md)

GUEST_DIR      := tests/guest
GUEST_OUT      := $(BUILD)/tests/guest
GUEST_CC       ?= gcc
GUEST_LD       ?= ld

GUEST_WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# -mgeneral-regs-only: no SSE, MMX or x87 in compiled code, so a young
# interpreter can run the runtime; a test can still use them in inline asm.
# -fno-tree-loop-distribute-patterns: keep gcc from turning memset's own
# loop into a call to memset.
GUEST_CFLAGS   := -m32 -std=gnu11 -O2 -g $(GUEST_WARN) -ffreestanding -fno-pic -fno-pie \
                  -fno-stack-protector -fno-asynchronous-unwind-tables \
                  -fno-tree-loop-distribute-patterns -mgeneral-regs-only -nostdlib \
                  -I$(GUEST_DIR) -I$(BUILD)/include -MMD -MP
GUEST_ASFLAGS  := -m32 -I$(GUEST_DIR)/rt -I$(BUILD)/include -MMD -MP
GUEST_LDFLAGS  := -m elf_i386 -nostdlib -static -z max-page-size=0x1000 -T $(GUEST_DIR)/guest.ld
# '=', not ':=': asked when a guest links, after scripts/setup has installed
# gcc-multilib on a fresh machine (at parse time there may be no 32-bit libgcc)
GUEST_LIBGCC   = $(shell $(GUEST_CC) -m32 -print-libgcc-file-name)

GUEST_RT_SRCS  := $(wildcard $(GUEST_DIR)/rt/*.S $(GUEST_DIR)/rt/*.c)
GUEST_RT_OBJS  := $(patsubst $(GUEST_DIR)/%,$(GUEST_OUT)/%.o,$(GUEST_RT_SRCS))
GUEST_SRCS     := $(wildcard $(GUEST_DIR)/*.c)
GUEST_ELFS     := $(GUEST_SRCS:$(GUEST_DIR)/%.c=$(GUEST_OUT)/%.elf)

.PHONY: guest-programs
guest-programs: $(GUEST_ELFS)

# crt0 first, so the Multiboot header leads .text
$(GUEST_OUT)/%.elf: $(GUEST_OUT)/%.c.o $(GUEST_RT_OBJS) $(GUEST_DIR)/guest.ld
	@echo "  LD [g]  $@"
	$(Q)$(GUEST_LD) $(GUEST_LDFLAGS) -o $@ $(filter %crt0.S.o,$(GUEST_RT_OBJS)) \
	    $(filter-out %crt0.S.o,$(GUEST_RT_OBJS)) $< $(GUEST_LIBGCC)

# a per-test GUEST_CFLAGS_NAME adds flags for tests/guest/NAME.c
$(GUEST_OUT)/%.c.o: $(GUEST_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC [g]  $<"
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_CFLAGS_$(notdir $*)) -c $< -o $@

$(GUEST_OUT)/%.S.o: $(GUEST_DIR)/%.S
	@mkdir -p $(dir $@)
	@echo "  AS [g]  $<"
	$(Q)$(GUEST_CC) $(GUEST_ASFLAGS) -c $< -o $@

.SECONDARY: $(GUEST_RT_OBJS) $(GUEST_SRCS:$(GUEST_DIR)/%.c=$(GUEST_OUT)/%.c.o)
