/*
 * firmware/fw_internal.h: what the table builders share inside firmware/:
 * the memory layout (docs/firmware.md) and a bump allocator over guest RAM.
 */
#ifndef BAREMU_FW_INTERNAL_H
#define BAREMU_FW_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu/platform.h"
#include "firmware/fw.h"

/* ---- the layout (docs/firmware.md) ----------------------------------------- */

/* the BIOS data area words guests read to find the EBDA and base memory */
#define FW_BDA_EBDA_SEG 0x40e /* EBDA segment (MP 1.4 4: the first place to scan) */
#define FW_BDA_BASE_KB  0x413 /* base memory in KiB */

/* the F segment, 0xF0000..0xFFFFF: entry points that guests find by scanning */
#define FW_FSEG_BASE      0xf0000u
#define FW_RSDP_ADDR      0xf0000u /* ACPI 6.3 5.2.5.1: 16-byte boundary in 0xE0000..0xFFFFF */
#define FW_MP_FLOAT_ADDR  0xf0040u /* MP 1.4 4: in 0xF0000..0xFFFFF */
#define FW_SMBIOS3_ADDR   0xf0060u /* SMBIOS 3.3 5.2: 16-byte boundary in 0xF0000..0xFFFFF */
#define FW_SMBIOS2_ADDR   0xf0080u
#define FW_MP_CONFIG_ADDR 0xf0100u
#define FW_MP_CONFIG_END  0xf2000u
#define FW_SMBIOS_ADDR    0xf2000u
#define FW_SMBIOS_END     0xf4000u

/* the ACPI region: the top of the RAM below the MMIO hole */
#define FW_ACPI_REGION_SIZE 0x40000u /* 256 KiB: the FACS page, then the tables */
#define FW_ACPI_NVS_SIZE    0x1000u  /* one page of ACPI NVS, for the FACS */
#define FW_TABLE_ALIGN      16u

/* a guest-physical range that tables are placed in, lowest address first */
struct fw_region {
    uint8_t *ram; /* guest-physical 0 */
    uint64_t next, end;
    const char *name; /* for messages: "the ACPI region" */
};

/* the RAM below the MMIO hole, and the ACPI region at its top */
uint64_t fw_low_ram_end(const struct fw_config *cfg);
uint64_t fw_acpi_region_base(const struct fw_config *cfg);

/*
 * Take len bytes at the next align boundary, zeroed, and note them in blob.
 * NULL (err set, naming what) when the region is full.
 */
void *fw_alloc(struct fw_region *r, size_t len, size_t align, struct fw_blob *blob,
               const char *what, char *err, size_t errlen);

/*
 * For a table of unknown length: fw_tail() gives the free room at the next
 * align boundary; once the table is written there, fw_commit() claims its
 * len bytes (len <= room) as fw_alloc() would, without zeroing them.
 */
uint8_t *fw_tail(struct fw_region *r, size_t align, size_t *room);
void fw_commit(struct fw_region *r, size_t len, size_t align, struct fw_blob *blob);

__attribute__((format(printf, 3, 4))) int fw_fail(char *err, size_t errlen, const char *fmt, ...);

void fw_put16(uint8_t *p, uint16_t v);
void fw_put32(uint8_t *p, uint32_t v);
void fw_put64(uint8_t *p, uint64_t v);

/* ---- the builders, called by fw_build() in this order ---------------------- */

int acpi_build(const struct fw_config *cfg, uint8_t *ram, struct fw_layout *out, char *err,
               size_t errlen);
int mptable_build(const struct fw_config *cfg, uint8_t *ram, struct fw_layout *out, char *err,
                  size_t errlen);
int smbios_build(const struct fw_config *cfg, uint8_t *ram, struct fw_layout *out, char *err,
                 size_t errlen);

/* the SSDT with one processor object per vCPU (firmware/ssdt.c) */
int ssdt_build(const struct fw_config *cfg, struct fw_region *r, struct fw_blob *blob, char *err,
               size_t errlen);

/* the APIC ID of vCPU i */
uint32_t fw_apic_id(const struct fw_config *cfg, unsigned i);
bool fw_is_x2apic(const struct fw_config *cfg, unsigned i);

#endif
