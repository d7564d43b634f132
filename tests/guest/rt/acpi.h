/*
 * ACPI table discovery, ACPI 6.5 chapter 5.2: the RSDP (5.2.5), the system
 * description table header (5.2.6), RSDT (5.2.7), XSDT (5.2.8) and the MADT
 * (5.2.12).
 */
#ifndef GUEST_ACPI_H
#define GUEST_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#define ACPI_RSDP_SIG       "RSD PTR "
#define ACPI_RSDP_V1_LEN    20      /* bytes covered by checksum */
#define ACPI_RSDP_V2_LEN    36      /* bytes covered by extended_checksum */
#define ACPI_BDA_EBDA_SEG   0x40E   /* BDA word: EBDA segment */
#define ACPI_EBDA_SCAN_LEN  1024    /* 5.2.5.1: first 1 KiB of the EBDA */
#define ACPI_BIOS_ROM_START 0xE0000 /* 5.2.5.1: then 0xE0000-0xFFFFF */
#define ACPI_BIOS_ROM_END   0x100000
#define ACPI_RSDP_ALIGN     16

struct acpi_rsdp {
    char sig[8];
    uint8_t checksum;
    char oem_id[6];
    uint8_t revision; /* 0: ACPI 1.0, 20 bytes; 2: ACPI 2.0+, 36 bytes */
    uint32_t rsdt_addr;
    uint32_t length;
    uint64_t xsdt_addr;
    uint8_t extended_checksum;
    uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_rsdp) == ACPI_RSDP_V2_LEN, "rsdp layout");

struct acpi_sdt {
    char sig[4];
    uint32_t length; /* whole table, header included */
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_sdt) == 36, "sdt header layout");

/* MADT, 5.2.12; the interrupt controller structures follow it */
struct acpi_madt {
    struct acpi_sdt hdr;
    uint32_t lapic_addr;
    uint32_t flags; /* bit 0: PCAT_COMPAT, 8259s present */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt) == 44, "madt layout");

enum {
    MADT_LAPIC = 0,  /* 5.2.12.2 Processor Local APIC */
    MADT_IOAPIC = 1, /* 5.2.12.3 */
    MADT_ISO = 2,    /* 5.2.12.5 Interrupt Source Override */
    MADT_NMI_SOURCE = 3,
    MADT_LAPIC_NMI = 4,
    MADT_LAPIC_ADDR = 5,   /* 64-bit local APIC address override */
    MADT_LOCAL_X2APIC = 9, /* 5.2.12.12 Processor Local x2APIC */
};

#define MADT_LAPIC_ENABLED        0x1 /* flags bit 0 */
#define MADT_LAPIC_ONLINE_CAPABLE 0x2 /* flags bit 1, ACPI 6.3+ */

struct madt_entry {
    uint8_t type;
    uint8_t length;
} __attribute__((packed));

struct madt_lapic {
    struct madt_entry h;
    uint8_t acpi_processor_uid;
    uint8_t apic_id;
    uint32_t flags;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_lapic) == 8, "madt lapic layout");

struct madt_ioapic {
    struct madt_entry h;
    uint8_t ioapic_id;
    uint8_t reserved;
    uint32_t ioapic_addr;
    uint32_t gsi_base;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_ioapic) == 12, "madt ioapic layout");

struct madt_iso {
    struct madt_entry h;
    uint8_t bus;
    uint8_t source;
    uint32_t gsi;
    uint16_t flags;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_iso) == 10, "madt iso layout");

struct madt_x2apic {
    struct madt_entry h;
    uint16_t reserved;
    uint32_t x2apic_id;
    uint32_t flags;
    uint32_t acpi_processor_uid;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_x2apic) == 16, "madt x2apic layout");

enum acpi_err {
    ACPI_OK = 0,
    ACPI_NO_RSDP,      /* no signature with a good checksum anywhere */
    ACPI_BAD_ROOT_SUM, /* RSDT/XSDT checksum wrong */
    ACPI_BAD_ROOT_SIG, /* RSDT/XSDT signature wrong */
    ACPI_BAD_ROOT_LEN, /* RSDT/XSDT length shorter than its header */
};

/* find the RSDP and the root table; ACPI_OK or why not */
enum acpi_err acpi_init(void);
const char *acpi_strerror(enum acpi_err e);

const struct acpi_rsdp *acpi_rsdp(void);
const struct acpi_sdt *acpi_root(void); /* the XSDT if usable, else the RSDT */
bool acpi_root_is_xsdt(void);

/* the first table with this 4-byte signature, or NULL; checksum not checked */
const struct acpi_sdt *acpi_find(const char *sig);
bool acpi_checksum_ok(const void *p, uint32_t len);
bool acpi_table_ok(const struct acpi_sdt *t); /* checksum over t->length */

/*
 * Walk a MADT's interrupt controller structures. Returns the next entry
 * after prev (the first if prev is NULL), or NULL at the end. Stops early
 * (sets *malformed if given) on an entry with length < 2 or one running
 * past the table.
 */
const struct madt_entry *madt_next(const struct acpi_madt *m, const struct madt_entry *prev,
                                   bool *malformed);

#endif
