/*
 * emu/platform.h: the guest PC's fixed map, written once. docs/platform.md
 * tables the same addresses with the spec each device follows.
 *
 * The addresses are those of a QEMU "pc" machine, so test kernels written for
 * QEMU find the devices where they expect them.
 */
#ifndef BAREMU_PLATFORM_H
#define BAREMU_PLATFORM_H

/* ---- guest-physical memory map ------------------------------------------ */
#define PLAT_LOW_RAM_END 0x000a0000ull     /* conventional memory ends at 640 KiB */
#define PLAT_EBDA_BASE 0x0009fc00ull       /* extended BIOS data area, 1 KiB */
#define PLAT_VGA_BASE 0x000a0000ull        /* legacy VGA window, not RAM */
#define PLAT_BIOS_BASE 0x000e0000ull       /* read-only BIOS area: tables live here */
#define PLAT_BIOS_END 0x00100000ull
#define PLAT_HIGH_RAM_BASE 0x00100000ull   /* RAM from 1 MiB up to the MMIO hole */
#define PLAT_MMIO_HOLE_BASE 0xc0000000ull  /* 3 GiB..4 GiB is the MMIO hole */
#define PLAT_RAM_ABOVE_4G 0x100000000ull   /* RAM beyond the hole continues here */

#define PLAT_VIRTIO_MMIO_BASE 0xfeb00000ull /* virtio-mmio block device */
#define PLAT_VIRTIO_MMIO_SIZE 0x200ull
#define PLAT_IOAPIC_BASE 0xfec00000ull      /* 82093AA IOAPIC */
#define PLAT_IOAPIC_SIZE 0x100ull
#define PLAT_HPET_BASE 0xfed00000ull        /* HPET */
#define PLAT_HPET_SIZE 0x400ull
#define PLAT_LAPIC_BASE 0xfee00000ull       /* each vCPU's local APIC, at reset */
#define PLAT_LAPIC_SIZE 0x1000ull
#define PLAT_BIOS_ROM_TOP 0x100000000ull    /* -bios images end at 4 GiB */
#define PLAT_PHYS_BITS 46                   /* MAXPHYADDR (CPUID 0x80000008): RAM ends below 2^46 */

/* ---- I/O ports ---------------------------------------------------------- */
#define PLAT_PORT_PIC_MASTER 0x20
#define PLAT_PORT_PIT 0x40
#define PLAT_PORT_I8042_DATA 0x60
#define PLAT_PORT_SYSTEM_CONTROL_B 0x61     /* PIT channel 2 gate, speaker */
#define PLAT_PORT_I8042_CMD 0x64
#define PLAT_PORT_RTC 0x70
#define PLAT_PORT_FAST_A20 0x92
#define PLAT_PORT_PIC_SLAVE 0xa0
#define PLAT_PORT_TESTDEV_SCRATCH 0xe0      /* pc-testdev scratch ports 0xe0/0xe4/0xe8 */
#define PLAT_PORT_FPU_IGNNE 0xf0            /* a write drops the x87 error IRQ (IGNNE#) */
#define PLAT_PORT_DEBUG_EXIT 0xf4           /* isa-debug-exit, as tests configure QEMU */
#define PLAT_PORT_COM1 0x3f8
#define PLAT_PORT_DEBUGCON 0x402            /* isa-debugcon, SeaBIOS's log (-bios) */
#define PLAT_PORT_ELCR 0x4d0                /* 8259 edge/level control, 2 bytes */
#define PLAT_PORT_FW_CFG 0x510              /* fw_cfg selector; data at +1, DMA at +4 */
#define PLAT_PORT_PM_BASE 0x600             /* ACPI PM1a event/control, PM timer at +8 */
#define PLAT_PORT_PCI_CONFIG 0xcf8          /* PCI configuration mechanism #1 */
#define PLAT_PORT_RESET 0xcf9               /* reset control */
#define PLAT_PORT_TESTDEV_IRQ 0x2000        /* pc-testdev: 0x2000 + n drives ISA IRQ n */

/* ---- interrupts --------------------------------------------------------- */
#define PLAT_IOAPIC_PINS 24
#define PLAT_IRQ_PIT 0        /* ISA IRQ 0, IOAPIC GSI 2 (the usual override) */
#define PLAT_GSI_PIT 2
#define PLAT_IRQ_COM1 4
#define PLAT_IRQ_RTC 8
#define PLAT_IRQ_SCI 9        /* ACPI SCI, level, active high */
#define PLAT_IRQ_VIRTIO_BLK 10
#define PLAT_IRQ_FPU 13       /* FERR#: an x87 error with CR0.NE clear */
#define PLAT_LINT1_NMI 1      /* LAPIC LINT1 carries NMI */
#define PLAT_LINT0_EXTINT 0   /* LAPIC LINT0 carries the 8259's ExtINT */
#define PLAT_IOAPIC_ID 0      /* the IOAPIC's ID register at reset, as in QEMU */
#define PLAT_IOAPIC_GSI_BASE 0
#define PLAT_IOAPIC_VERSION 0x20 /* version register bits 7:0 (emu/dev/ioapic.h: with EOI) */
#define PLAT_LAPIC_VERSION 0x14  /* integrated xAPIC: version register bits 7:0 */

/* ---- the ACPI fixed hardware (ACPI 6.3 4.8), at PLAT_PORT_PM_BASE --------- */
/* QEMU's PIIX4/ICH9 layout; the FADT (firmware/acpi.c) describes exactly this */
#define PLAT_PM1A_EVT_OFF 0   /* PM1a_EVT_BLK: status (2 bytes), enable (2 bytes) */
#define PLAT_PM1_EVT_LEN 4
#define PLAT_PM1A_CNT_OFF 4   /* PM1a_CNT_BLK: SCI_EN, SLP_TYP, SLP_EN */
#define PLAT_PM1_CNT_LEN 2
#define PLAT_PM_TMR_OFF 8     /* PM_TMR_BLK: 3.579545 MHz, 24 bits (FADT TMR_VAL_EXT = 0) */
#define PLAT_PM_TMR_LEN 4
#define PLAT_PM_TMR_BITS 24
#define PLAT_SLP_TYP_S5 0     /* SLP_TYP for S5 (soft off), as \_S5 in the DSDT says */
#define PLAT_RESET_VALUE 0x06 /* written to PLAT_PORT_RESET: full reset (FADT RESET_VALUE) */
#define PLAT_CMOS_CENTURY 0x32 /* CMOS index of the century byte (FADT CENTURY) */

/* ---- HPET capabilities (IA-PC HPET 1.0a 2.3.1), as the ACPI HPET table says */
#define PLAT_HPET_TIMERS 3           /* comparators */
#define PLAT_HPET_VENDOR_ID 0x8086   /* GCAP_ID bits 31:16 */
#define PLAT_HPET_REV_ID 1           /* GCAP_ID bits 7:0 */

#endif
