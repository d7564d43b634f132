# baremu: top-level build.
#
#   make            build the bare-metal kernel and the hosted program
#   make run        boot the image under QEMU with -smp 4 (console on the terminal)
#   make test       every test (unit, guest, system), with a summary
#   make iso        the hybrid BIOS+UEFI image, build/baremu.iso (dd-able to a USB stick)
#   make bench      benchmarks, reports under bench/
#   make difftest   the CPU against the host CPU, N=... random cases per mode
#   make fuzz       the loaders under libFuzzer, FUZZ_SECONDS each
#   make clean      remove build/ (the newlib and multiboot2.h caches too: use
#                   'make mostlyclean' to keep them)
#
# Every target that needs tools runs scripts/setup first; it installs only
# what is missing and is quick when nothing is.

BUILD    := build
SHELL    := /bin/bash
V        ?= 0
Q        := $(if $(filter 1,$(V)),,@)

CC       := gcc
LD       := ld
OBJCOPY  := objcopy

# flags shared by both hosts
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CSTD     := -std=gnu11
OPT      ?= -O2 -g

# hosted build: an ordinary Linux program
HOST_CFLAGS  := $(CSTD) $(WARN) $(OPT) -pthread -I. -MMD -MP
HOST_LDFLAGS := -pthread

# bare-metal kernel: freestanding, against newlib
NEWLIB       := $(BUILD)/newlib/install/x86_64-elf
NEWLIB_LIBC  := $(NEWLIB)/lib/libc.a
MB2_HEADER   := $(BUILD)/include/multiboot2.h
XXHASH_HEADER:= $(BUILD)/include/xxhash.h
KERN_FREESTANDING := -ffreestanding -fno-pic -fno-pie -mno-red-zone \
                     -fno-stack-protector -ffunction-sections -fdata-sections \
                     -mcmodel=small -fno-omit-frame-pointer
KERN_CFLAGS  := $(CSTD) $(WARN) $(OPT) $(KERN_FREESTANDING) -nostdinc \
                -isystem $(NEWLIB)/include -isystem $(shell $(CC) -print-file-name=include) \
                -I. -I$(BUILD)/include -DBAREMU_BAREMETAL=1 -MMD -MP
KERN_ASFLAGS := -I. -I$(BUILD)/include -MMD -MP -DBAREMU_BAREMETAL=1
KERN_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --gc-sections \
                -T linker/kernel.ld
LIBGCC       := $(shell $(CC) -print-libgcc-file-name)

# sources
EMU_SRCS     := $(wildcard emu/*.c emu/*/*.c)
FIRMWARE_SRCS:= $(wildcard firmware/*.c)
KERNEL_SRCS  := $(wildcard kernel/*.c)
BOOT_SRCS    := $(wildcard boot/*.S) $(wildcard kernel/*.S)
HOSTED_SRCS  := $(wildcard hosted/*.c)

KERNEL_OBJS  := $(BOOT_SRCS:%.S=$(BUILD)/kernel/%.o) \
                $(KERNEL_SRCS:%.c=$(BUILD)/kernel/%.o) \
                $(EMU_SRCS:%.c=$(BUILD)/kernel/%.o) \
                $(FIRMWARE_SRCS:%.c=$(BUILD)/kernel/%.o)
# the emulator core and firmware as a library for the hosted program and the unit tests
CORE_OBJS    := $(EMU_SRCS:%.c=$(BUILD)/hosted/%.o) $(FIRMWARE_SRCS:%.c=$(BUILD)/hosted/%.o)
HOSTED_OBJS  := $(HOSTED_SRCS:%.c=$(BUILD)/hosted/%.o)
CORE_LIB     := $(BUILD)/libbaremu-core.a

KERNEL_ELF   := $(BUILD)/baremu.elf
HOSTED_BIN   := $(BUILD)/baremu
ISO          := $(BUILD)/baremu.iso
SETUP_STAMP  := $(BUILD)/.setup-done

.PHONY: all run iso test bench fuzz clean mostlyclean setup format kernel hosted
all: kernel hosted
kernel: $(KERNEL_ELF)
hosted: $(HOSTED_BIN)

# ---- setup ---------------------------------------------------------------
# scripts/setup is idempotent; the stamp only saves re-running it within one
# tree when the script has not changed.
$(SETUP_STAMP): scripts/setup
	$(Q)scripts/setup
	$(Q)mkdir -p $(BUILD) && touch $@
setup:
	$(Q)scripts/setup
	$(Q)mkdir -p $(BUILD) && touch $(SETUP_STAMP)

$(MB2_HEADER): | $(SETUP_STAMP)
	$(Q)test -f $@ || scripts/setup

# xxHash (Debian's libxxhash-dev), header-only, for the kernel's include path too
$(XXHASH_HEADER): /usr/include/xxhash.h
	@mkdir -p $(dir $@)
	$(Q)cp $< $@
/usr/include/xxhash.h: | $(SETUP_STAMP)
	$(Q)test -f $@ || scripts/setup
$(BUILD)/kernel/emu/statehash.o: $(XXHASH_HEADER)

$(NEWLIB_LIBC): scripts/build-newlib | $(SETUP_STAMP)
	$(Q)scripts/build-newlib $(BUILD)/newlib

# ---- bare-metal kernel ---------------------------------------------------
$(BUILD)/kernel/%.o: %.c $(NEWLIB_LIBC) $(MB2_HEADER)
	@mkdir -p $(dir $@)
	@echo "  CC [k]  $<"
	$(Q)$(CC) $(KERN_CFLAGS) -c $< -o $@

$(BUILD)/kernel/%.o: %.S $(MB2_HEADER)
	@mkdir -p $(dir $@)
	@echo "  AS [k]  $<"
	$(Q)$(CC) $(KERN_ASFLAGS) -c $< -o $@

# the screen console's font: a Debian console font (console-setup-linux),
# converted at build time by a host tool
CONSOLE_FONT := /usr/share/consolefonts/Uni2-VGA16.psf.gz
$(BUILD)/tools/psf2c: scripts/psf2c.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CSTD) $(WARN) -O2 -o $@ $<
$(BUILD)/kernel/font.h: $(BUILD)/tools/psf2c | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	$(Q)zcat $(CONSOLE_FONT) | $(BUILD)/tools/psf2c >$@.tmp && mv $@.tmp $@
$(BUILD)/kernel/kernel/fbcon.o: $(BUILD)/kernel/font.h
$(BUILD)/kernel/kernel/fbcon.o: KERN_CFLAGS += -I$(BUILD)/kernel

$(KERNEL_ELF): $(KERNEL_OBJS) linker/kernel.ld $(NEWLIB_LIBC)
	@echo "  LD      $@"
	$(Q)$(LD) $(KERN_LDFLAGS) -o $@ $(KERNEL_OBJS) -L$(NEWLIB)/lib -lc $(LIBGCC)

# ---- hosted program ------------------------------------------------------
$(BUILD)/hosted/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [h]  $<"
	$(Q)$(CC) $(HOST_CFLAGS) -c $< -o $@

# the soft-float core and the x87 never use host floating point (docs/cpu.md, "x87"):
# their results must be the same on both hosts and the guest's FPU state never
# lives in host registers, so the compiler may not use them either
FLOAT_OBJS := $(patsubst %.c,%.o,$(wildcard emu/cpu/softfloat*.c emu/cpu/x87*.c))
$(addprefix $(BUILD)/hosted/,$(FLOAT_OBJS)): HOST_CFLAGS += -mgeneral-regs-only
$(addprefix $(BUILD)/kernel/,$(FLOAT_OBJS)): KERN_CFLAGS += -mgeneral-regs-only

$(CORE_LIB): $(CORE_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(HOSTED_BIN): $(HOSTED_OBJS) $(CORE_LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(HOST_LDFLAGS) -o $@ $(HOSTED_OBJS) $(CORE_LIB)

# ---- image ---------------------------------------------------------------
iso: $(ISO)
# the menu's second entry: the timer jitter guest (bench/smp/jitter.c,
# docs/timing.md) on every core but the boot CPU, which keeps the devices
# (-io-core), so that nothing but its own timer wakes a vCPU; histogram on screen
JITTER_ENTRY := "baremu: timer jitter (10 s)" "-smp all -io-core -kernel jitter.elf -append 'secs=10'"
$(ISO): $(KERNEL_ELF) iso/grub.cfg iso/mkiso | $(SETUP_STAMP)
	$(Q)iso/mkiso $(KERNEL_ELF) $@ --entry $(JITTER_ENTRY) $(SMPB_JITTER)

# ---- run -----------------------------------------------------------------
QEMU_ACCEL = $(shell scripts/qemu-accel)
run: $(ISO)
	@echo "booting $(ISO) under QEMU with -smp 4; Ctrl-A X quits"
	$(Q)qemu-system-x86_64 $(QEMU_ACCEL) -smp 4 -m 512M -boot d -cdrom $(ISO) \
	    -display none -serial mon:stdio -no-reboot \
	    -device isa-debug-exit,iobase=0xf4,iosize=4

# ---- tests ---------------------------------------------------------------
include firmware/firmware.mk
include tests/unit/unit.mk
include tests/guest/guest.mk
include tests/diff/diff.mk
include bench/cpu.mk
include bench/smp/smp.mk

test: all $(ISO) unit-tests guest-programs difftest-bin | $(SETUP_STAMP)
	$(Q)tests/run

# ---- fuzzing (bounded; FUZZ_SECONDS per target) ----------------------------
FUZZ_SECONDS ?= 60
fuzz: all
	$(Q)tests/fuzz/run-loaders.sh $(FUZZ_SECONDS)

# ---- benchmarks ----------------------------------------------------------
bench: all $(ISO)
	$(Q)bench/run

# ---- housekeeping --------------------------------------------------------
format:
	$(Q)clang-format -i $$(git ls-files '*.c' '*.h')

mostlyclean:
	$(Q)find $(BUILD) -mindepth 1 -maxdepth 1 ! -name newlib ! -name include ! -name apt \
	    ! -name .setup-done -exec rm -rf {} +

clean:
	$(Q)rm -rf $(BUILD)

-include $(shell find $(BUILD)/kernel $(BUILD)/hosted $(BUILD)/tests -name '*.d' 2>/dev/null)

# host interrupt handlers must not touch SSE state (docs/architecture.md)
$(BUILD)/kernel/kernel/trap.o $(BUILD)/kernel/kernel/ipi.o: KERN_CFLAGS += -mgeneral-regs-only
