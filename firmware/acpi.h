/*
 * firmware/acpi.h: ACPI 6.3 table layouts (chapter 5.2), as packed structs.
 * Shared by the builders and the unit tests; only firmware/ and tests use it.
 */
#ifndef BAREMU_FW_ACPI_H
#define BAREMU_FW_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/fw.h"

#define ACPI_OEM_ID       "BAREMU"   /* 6 bytes */
#define ACPI_OEM_TABLE_ID "BAREMUPC" /* 8 bytes */
#define ACPI_CREATOR_ID   "BRMU"
#define ACPI_OEM_REVISION 1
#define ACPI_CREATOR_REV  1

/* 5.2.5.3 Root System Description Pointer, revision 2 */
struct acpi_rsdp {
    char signature[8]; /* "RSD PTR " */
    uint8_t checksum;  /* over the first 20 bytes (the ACPI 1.0 part) */
    char oem_id[6];
    uint8_t revision; /* 2: ACPI 2.0 and later */
    uint32_t rsdt_addr;
    uint32_t length;
    uint64_t xsdt_addr;
    uint8_t ext_checksum; /* over all 36 bytes */
    uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_rsdp) == 36, "ACPI 6.3 table 5-27");
#define ACPI_RSDP_REVISION 2 /* ACPI 2.0 and later: the XSDT is there */
#define ACPI_RSDP_V1_LEN   20

/* 5.2.6 System Description Table Header */
struct acpi_header {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    char creator_id[4];
    uint32_t creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI 6.3 table 5-29");

/* 5.2.3.2 Generic Address Structure */
struct acpi_gas {
    uint8_t space_id; /* ACPI_AS_* */
    uint8_t bit_width;
    uint8_t bit_offset;
    uint8_t access_size; /* 0 undefined (legacy), 1 byte, 2 word, 3 dword, 4 qword */
    uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_gas) == 12, "ACPI 6.3 table 5-25");
#define ACPI_AS_MEMORY    0
#define ACPI_AS_IO        1
#define ACPI_ACCESS_UNDEF 0
#define ACPI_ACCESS_BYTE  1

/* 5.2.9 Fixed ACPI Description Table, revision 6 (ACPI 6.x) */
struct acpi_fadt {
    struct acpi_header h; /* "FACP" */
    uint32_t firmware_ctrl;
    uint32_t dsdt;
    uint8_t reserved0;
    uint8_t preferred_pm_profile;
    uint16_t sci_int;
    uint32_t smi_cmd;
    uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
    uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
    uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
    uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
    uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
    uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
    uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
    uint16_t iapc_boot_arch;
    uint8_t reserved1;
    uint32_t flags;
    struct acpi_gas reset_reg;
    uint8_t reset_value;
    uint16_t arm_boot_arch;
    uint8_t minor_version;
    uint64_t x_firmware_ctrl, x_dsdt;
    struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
    struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
    struct acpi_gas sleep_control_reg, sleep_status_reg;
    uint64_t hypervisor_vendor_id;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_fadt) == 276, "ACPI 6.3 table 5-34");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT Flags at 112");
_Static_assert(offsetof(struct acpi_fadt, x_firmware_ctrl) == 132, "X_FIRMWARE_CTRL at 132");
#define ACPI_FADT_REVISION 6
#define ACPI_FADT_MINOR    3

/* FADT Flags (ACPI 6.3 table 5-35) */
#define FADT_WBINVD                   (1u << 0)
#define FADT_PROC_C1                  (1u << 2)
#define FADT_PWR_BUTTON               (1u << 4) /* 1: no fixed-feature power button */
#define FADT_SLP_BUTTON               (1u << 5) /* 1: no fixed-feature sleep button */
#define FADT_FIX_RTC                  (1u << 6) /* 1: no RTC wake status in PM1 */
#define FADT_TMR_VAL_EXT              (1u << 8) /* 1: 32-bit PM timer */
#define FADT_RESET_REG_SUP            (1u << 10)
#define FADT_HEADLESS                 (1u << 12)
#define FADT_FORCE_APIC_PHYSICAL_DEST (1u << 19)
#define FADT_HW_REDUCED_ACPI          (1u << 20)

/* FADT IA-PC Boot Architecture Flags (ACPI 6.3 table 5-36) */
#define FADT_BOOT_LEGACY_DEVICES (1u << 0)
#define FADT_BOOT_8042           (1u << 1)
#define FADT_BOOT_NO_VGA         (1u << 2)
#define FADT_BOOT_NO_MSI         (1u << 3)
#define FADT_BOOT_NO_ASPM        (1u << 4)
#define FADT_BOOT_NO_CMOS_RTC    (1u << 5)

/* 5.2.10 Firmware ACPI Control Structure: no checksum, 64-byte aligned */
struct acpi_facs {
    char signature[4]; /* "FACS" */
    uint32_t length;
    uint32_t hardware_signature;
    uint32_t firmware_waking_vector;
    uint32_t global_lock;
    uint32_t flags;
    uint64_t x_firmware_waking_vector;
    uint8_t version;
    uint8_t reserved0[3];
    uint32_t ospm_flags;
    uint8_t reserved1[24];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_facs) == 64, "ACPI 6.3 table 5-37");
#define ACPI_FACS_ALIGN   64
#define ACPI_FACS_VERSION 2

/* 5.2.12 Multiple APIC Description Table */
struct acpi_madt {
    struct acpi_header h; /* "APIC" */
    uint32_t lapic_addr;
    uint32_t flags;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt) == 44, "ACPI 6.3 table 5-43");
#define ACPI_MADT_REVISION 5 /* ACPI 6.3 */
#define MADT_PCAT_COMPAT   (1u << 0)
#define MADT_ENABLED       (1u << 0) /* Local APIC Flags, table 5-47 */

/* MADT entry types (ACPI 6.3 table 5-45) */
enum {
    MADT_LAPIC = 0,
    MADT_IOAPIC = 1,
    MADT_ISO = 2,
    MADT_LAPIC_NMI = 4,
    MADT_X2APIC = 9,
    MADT_X2APIC_NMI = 10,
};

struct madt_lapic { /* 5.2.12.2 */
    uint8_t type, length;
    uint8_t uid; /* ACPI Processor UID */
    uint8_t apic_id;
    uint32_t flags;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_lapic) == 8, "ACPI 6.3 table 5-46");

struct madt_ioapic { /* 5.2.12.3 */
    uint8_t type, length;
    uint8_t id, reserved;
    uint32_t addr;
    uint32_t gsi_base;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_ioapic) == 12, "ACPI 6.3 table 5-48");

struct madt_iso { /* 5.2.12.5 Interrupt Source Override */
    uint8_t type, length;
    uint8_t bus; /* 0: ISA */
    uint8_t source;
    uint32_t gsi;
    uint16_t flags; /* MPS INTI flags, table 5-50 */
} __attribute__((packed));
_Static_assert(sizeof(struct madt_iso) == 10, "ACPI 6.3 table 5-49");

/* MPS INTI flags (ACPI 6.3 table 5-50; MP 1.4 table 4-10 has the same bits) */
#define INTI_POLARITY_HIGH (1u << 0)
#define INTI_POLARITY_LOW  (3u << 0)
#define INTI_TRIGGER_EDGE  (1u << 2)
#define INTI_TRIGGER_LEVEL (3u << 2)
#define INTI_CONFORMS      0u

struct madt_lapic_nmi { /* 5.2.12.7 */
    uint8_t type, length;
    uint8_t uid; /* 0xff: every processor */
    uint16_t flags;
    uint8_t lint;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_lapic_nmi) == 6, "ACPI 6.3 table 5-52");
#define MADT_UID_ALL_8 0xffu

struct madt_x2apic { /* 5.2.12.12 */
    uint8_t type, length;
    uint16_t reserved;
    uint32_t x2apic_id;
    uint32_t flags;
    uint32_t uid;
} __attribute__((packed));
_Static_assert(sizeof(struct madt_x2apic) == 16, "ACPI 6.3 table 5-62");

struct madt_x2apic_nmi { /* 5.2.12.13 */
    uint8_t type, length;
    uint16_t flags;
    uint32_t uid; /* 0xffffffff: every processor */
    uint8_t lint;
    uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct madt_x2apic_nmi) == 12, "ACPI 6.3 table 5-63");
#define MADT_UID_ALL_32 0xffffffffu

/* IA-PC HPET Specification 1.0a, 3.2.4 "The ACPI 2.0 HPET Description Table" */
struct acpi_hpet {
    struct acpi_header h;          /* "HPET" */
    uint32_t event_timer_block_id; /* = the low half of the HPET's GCAP_ID */
    struct acpi_gas base;
    uint8_t hpet_number;
    uint16_t min_tick;
    uint8_t page_protection;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_hpet) == 56, "HPET 1.0a table 3");
#define HPET_MIN_TICK 0x80 /* the minimum periodic tick real chipsets report */
/* GCAP_ID low half (HPET 1.0a 2.3.1.1) */
#define HPET_CAP_NUM_TIM_SHIFT 8
#define HPET_CAP_COUNT_SIZE    (1u << 13) /* a 64-bit main counter */
#define HPET_CAP_LEG_RT        (1u << 15) /* legacy replacement routing */
#define HPET_CAP_VENDOR_SHIFT  16
#define HPET_REG_BITS          64

/* ---- builders (firmware/acpi.c) ---- */

/* the MADT processor entry for vCPU i, as the MADT and _MAT both carry it */
#define MADT_CPU_ENTRY_MAX 16
size_t acpi_cpu_entry(const struct fw_config *cfg, unsigned i, uint8_t out[MADT_CPU_ENTRY_MAX]);

/* fill the header, then (after the body) the length and checksum */
void acpi_header_init(struct acpi_header *h, const char sig[4], uint8_t revision);
void acpi_header_finish(struct acpi_header *h, uint32_t length);

/* the DSDT compiled from firmware/dsdt.asl by iasl */
const uint8_t *acpi_dsdt_aml(size_t *len);

#endif
