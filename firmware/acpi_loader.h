/*
 * firmware/acpi_loader.h: the ACPI tables as fw_cfg files for a firmware
 * that links them itself, QEMU's "BIOS linker/loader" protocol
 * (hw/acpi/bios-linker-loader.c; SeaBIOS src/fw/romfile_loader.c):
 *
 *   etc/acpi/rsdp     the RSDP, placed by the firmware in the F segment
 *   etc/acpi/tables   every other table, back to back (the FACS first,
 *                     64-byte aligned; the rest 8-byte aligned), with each
 *                     pointer field holding its target's offset in the file
 *   etc/table-loader  128-byte commands: ALLOCATE both files, ADD_POINTER
 *                     for every pointer (the firmware adds the file's
 *                     address), ADD_CHECKSUM for every table
 *
 * Pure C, from tables fw_build() has written into a buffer.
 */
#ifndef BAREMU_ACPI_LOADER_H
#define BAREMU_ACPI_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/fw.h"

#define FW_LOADER_RSDP_FILE   "etc/acpi/rsdp"
#define FW_LOADER_TABLES_FILE "etc/acpi/tables"
#define FW_LOADER_FILE        "etc/table-loader"

#define FW_LOADER_ENTRY_SIZE 128
#define FW_LOADER_FILESZ     56
#define FW_LOADER_MAX        (4 + 2 * 64 + 16) /* commands: plenty for 9 tables */
#define FW_LOADER_RSDP_SIZE  36

enum fw_loader_command {
    FW_LOADER_ALLOCATE = 1,
    FW_LOADER_ADD_POINTER = 2,
    FW_LOADER_ADD_CHECKSUM = 3,
};

enum fw_loader_zone {
    FW_LOADER_ZONE_HIGH = 1, /* anywhere in RAM */
    FW_LOADER_ZONE_FSEG = 2, /* 0xF0000-0xFFFFF, where guests scan for the RSDP */
};

struct fw_acpi_files {
    uint8_t rsdp[FW_LOADER_RSDP_SIZE];
    uint8_t *tables; /* the caller's buffer of fw_acpi_tables_size() bytes */
    uint32_t tables_len;
    uint8_t loader[FW_LOADER_MAX * FW_LOADER_ENTRY_SIZE];
    uint32_t loader_len;
};

/* how big etc/acpi/tables will be for these tables */
size_t fw_acpi_tables_size(const struct fw_layout *l);

/*
 * Build the three files from the tables at l in ram (ram_len bytes of
 * guest-physical memory from 0). f->tables must hold fw_acpi_tables_size()
 * bytes. 0, or -1 with err naming what is wrong (a pointer to no table).
 */
int fw_acpi_files(const struct fw_layout *l, const uint8_t *ram, uint64_t ram_len,
                  struct fw_acpi_files *f, char *err, size_t errlen);

#endif
