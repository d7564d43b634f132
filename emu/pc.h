/*
 * emu/pc.h: the guest PC's devices, built and wired in one place: the bus,
 * one LAPIC per vCPU with its MMIO window, interrupt routing, the IOAPIC, the
 * 8259 pair on the BSP's LINT0, the ISA lines into both, and every device of
 * docs/platform.md that exists, at its emu/platform.h address.
 *
 * The vCPU side (threads, run loop, the CPU itself) is not here: a vCPU gets
 * &pc->lapic[i] and &pc->local[i], and reaches devices through
 * bus_mmio_*(&pc->bus, &pc->local[i], ...) and bus_pio_*(&pc->bus, ...).
 *
 * Console input is polled: pc_poll() moves what console_rx() has into COM1's
 * receiver, and pc_next_deadline() comes round every 1/PC_CONSOLE_POLL_HZ
 * while a console_rx is configured.
 *
 * Time: the platform timers (PIT, RTC, HPET, PM timer) belong to no vCPU.
 * Any vCPU may call pc_poll() (each device has its own lock); a halting vCPU
 * waits until min(lapic_next_deadline(own), pc_next_deadline()), so whoever
 * wakes first drives them.
 *
 * HPET legacy replacement silences the PIT on IRQ 0 and the RTC on IRQ 8, as
 * on a real chipset (HPET 1.0a 2.3.8.2.2).
 *
 * Lock order: a device (PIT, RTC, HPET, UART, PM, ...) may drive its line
 * while holding its own lock; the line takes the 8259's and the IOAPIC's
 * locks, which only ever reach LAPICs (atomics, no lock) and host_kick().
 * Nothing holding the 8259's or the IOAPIC's lock calls back into a device,
 * so the order is devices -> {8259, IOAPIC} -> LAPIC and cannot cycle.
 *
 * The memory map's moving parts live here, for every vCPU's struct cpu_bus:
 * the A20 gate, and with -bios the ROM and its shadow rights under the PAM
 * registers (pc_bios.c); a change bumps map_gen, which each CPU follows.
 */
#ifndef BAREMU_PC_H
#define BAREMU_PC_H

#include "emu/bus.h"
#include "emu/clock.h"
#include "emu/cmdline.h"
#include "emu/cpu/cpu.h"
#include "emu/dev/acpipm.h"
#include "emu/dev/debugcon.h"
#include "emu/dev/debugexit.h"
#include "emu/dev/ferr.h"
#include "emu/dev/fwcfg.h"
#include "emu/dev/hpet.h"
#include "emu/dev/i8042.h"
#include "emu/dev/ioapic.h"
#include "emu/dev/lapic.h"
#include "emu/dev/pci.h"
#include "emu/dev/pic.h"
#include "emu/dev/pit.h"
#include "emu/dev/resetctl.h"
#include "emu/dev/rtc.h"
#include "emu/dev/testdev.h"
#include "emu/dev/uart.h"
#include "emu/dev/virtio_blk.h"
#include "emu/intr.h"
#include "emu/isa.h"
#include "emu/ram.h"

#include <stdint.h>

#define PC_MAX_CPUS        BAREMU_MAX_VCPUS
#define PC_CONSOLE_POLL_HZ 100 /* console input is looked for this often (10 ms) */

/* what the machine gives the platform */
struct pc_config {
    unsigned ncpu;             /* 1..PC_MAX_CPUS; APIC IDs are 0..ncpu-1 */
    const struct clock *clock; /* the machine clock */
    uint64_t lapic_timer_hz;   /* the LAPIC timer's input (CPUID 0x15 reports it); 0: clock->hz */
    unsigned phys_bits;        /* MAXPHYADDR */
    int64_t unix_time;         /* wall-clock seconds now, for the RTC */
    struct guest_ram ram;      /* guest RAM, for fw_cfg and virtio DMA */
    struct blk_backend disk; /* the virtio-blk disk; none when disk.read is NULL */
    /* the machine's side; any may be NULL */
    void (*kick)(void *opaque, unsigned vcpu); /* host_kick */
    void (*console_tx)(void *opaque, uint8_t byte);
    /* non-blocking: up to len bytes of console input, 0 when none (host_console_read) */
    size_t (*console_rx)(void *opaque, uint8_t *buf, size_t len);
    void (*exit)(void *opaque, int status); /* isa-debug-exit */
    void (*poweroff)(void *opaque);         /* ACPI S5 */
    void (*reset)(void *opaque);            /* 0xcf9, port 0x92, i8042 */
    void (*a20)(void *opaque, bool on);
    void (*debugcon_tx)(void *opaque, uint8_t byte); /* port 0x402; NULL: no debugcon */
    /* -bios: a ROM image (a multiple of 64 KiB, at most PC_BIOS_MAX) mapped
     * at the top of 4 GiB and shadowed below 1 MiB; NULL: none */
    const uint8_t *bios;
    uint64_t bios_len;
    void *opaque;
};

#define PC_BIOS_ALIGN 0x10000ull   /* 64 KiB */
#define PC_BIOS_MAX   0x1000000ull /* 16 MiB, below every device at the top of 4 GiB */
#define PC_E820_MAX   4

/* etc/e820 as QEMU's fw_cfg gives it (hw/i386/e820_memory_layout.h): packed */
struct pc_e820_entry {
    uint64_t address, length;
    uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct pc_e820_entry) == 20, "etc/e820 entry");

struct pc {
    struct pc_config cfg;
    struct bus bus;
    struct intr intr;
    struct lapic lapic[PC_MAX_CPUS];
    struct lapic *lapic_ptr[PC_MAX_CPUS];
    struct bus_local local[PC_MAX_CPUS];
    struct ioapic ioapic;
    struct pic pic;
    struct isa_irq isa;
    struct pit pit;
    struct rtc rtc;
    struct hpet hpet;
    struct acpipm pm;
    struct uart com1;
    struct i8042 kbc;
    struct resetctl resetctl;
    struct pci_host pci;
    struct fwcfg fwcfg;
    struct debugexit debugexit;
    struct ferr ferr;
    struct testdev testdev;
    struct virtio_blk vblk;
    struct debugcon debugcon;
    struct cpu_rom rom;  /* with -bios; rom.data NULL otherwise */
    uint32_t map_gen;    /* bumped on every A20 or shadow change (atomic) */
    bool a20_on;         /* atomic; on at reset */
    struct {             /* what fw_cfg hands SeaBIOS: must outlive the device */
        uint16_t ncpus_le;
        uint64_t ram_le;
        struct pc_e820_entry e820[PC_E820_MAX];
    } bios_items;
    uint64_t console_next;    /* when pc_poll() next looks for console input (atomic) */
    bool hpet_legacy;         /* atomic */
    int pit_level, rtc_level; /* the lines behind the legacy gate (atomic) */
};

/* 0, or -1 (logged) on a bad configuration */
int pc_init(struct pc *pc, const struct pc_config *cfg);

/* pc_bios.c: the -bios machine: the ROM, its shadow and the ROM's MMIO
 * sinks, the fw_cfg items and CMOS bytes SeaBIOS reads; 0 or -1 (logged) */
int pc_bios_setup(struct pc *pc);

/* the earliest platform timer deadline, in guest ticks, or CLOCK_NEVER */
uint64_t pc_next_deadline(struct pc *pc);
/* drive every platform timer up to now */
void pc_poll(struct pc *pc);

#endif
