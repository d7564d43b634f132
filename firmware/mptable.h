/*
 * firmware/mptable.h: Intel MultiProcessor Specification 1.4 (May 1997)
 * chapter 4 structures, as packed structs, for the builder and the tests.
 */
#ifndef BAREMU_FW_MPTABLE_H
#define BAREMU_FW_MPTABLE_H

#include <stdint.h>

#define MP_SPEC_REV_1_4 4

/* 4.1 MP Floating Pointer Structure */
struct mp_floating {
    char signature[4]; /* "_MP_" */
    uint32_t config_addr;
    uint8_t length; /* in 16-byte units: 1 */
    uint8_t spec_rev;
    uint8_t checksum;
    uint8_t features[5]; /* 1: 0, a configuration table is present; 2 bit 7: IMCR */
} __attribute__((packed));
_Static_assert(sizeof(struct mp_floating) == 16, "MP 1.4 figure 4-1");
#define MP_PARAGRAPH 16 /* the floating pointer's length unit */

/* 4.2 MP Configuration Table Header */
struct mp_config {
    char signature[4]; /* "PCMP" */
    uint16_t base_length;
    uint8_t spec_rev;
    uint8_t checksum;
    char oem_id[8];
    char product_id[12];
    uint32_t oem_table;
    uint16_t oem_table_size;
    uint16_t entry_count;
    uint32_t lapic_addr;
    uint16_t ext_length;
    uint8_t ext_checksum;
    uint8_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct mp_config) == 44, "MP 1.4 table 4-2");

enum { MP_PROCESSOR = 0, MP_BUS = 1, MP_IOAPIC = 2, MP_IOINTR = 3, MP_LINTR = 4 };

struct mp_processor { /* 4.3.1 */
    uint8_t type, apic_id, apic_version, flags;
    uint32_t signature; /* CPUID 1 EAX */
    uint32_t features;  /* CPUID 1 EDX */
    uint32_t reserved[2];
} __attribute__((packed));
_Static_assert(sizeof(struct mp_processor) == 20, "MP 1.4 table 4-4");
#define MP_CPU_ENABLED 0x01
#define MP_CPU_BSP     0x02

struct mp_bus { /* 4.3.2 */
    uint8_t type, bus_id;
    char bus_type[6]; /* "ISA   " */
} __attribute__((packed));
_Static_assert(sizeof(struct mp_bus) == 8, "MP 1.4 table 4-7");

struct mp_ioapic { /* 4.3.3 */
    uint8_t type, apic_id, apic_version, flags;
    uint32_t addr;
} __attribute__((packed));
_Static_assert(sizeof(struct mp_ioapic) == 8, "MP 1.4 table 4-9");
#define MP_IOAPIC_ENABLED 0x01

struct mp_intr { /* 4.3.4 I/O and 4.3.5 local interrupt assignment */
    uint8_t type, irq_type;
    uint16_t flags; /* polarity and trigger, as the ACPI INTI flags */
    uint8_t src_bus, src_irq, dst_apic, dst_pin;
} __attribute__((packed));
_Static_assert(sizeof(struct mp_intr) == 8, "MP 1.4 tables 4-11, 4-13");
enum { MP_INT = 0, MP_NMI = 1, MP_SMI = 2, MP_EXTINT = 3 };
#define MP_ALL_LAPICS 0xff

#define MP_ISA_IRQS 16

#endif
