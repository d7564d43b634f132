/*
 * firmware/fw.h: the tables a guest finds at reset (ACPI, MP, SMBIOS) and
 * its E820 memory map, built for one machine configuration.
 *
 * Pure C with no host calls: fw_build() writes into a buffer that stands for
 * guest-physical memory, so a unit test can build the tables for any
 * configuration and check them byte by byte. docs/firmware.md gives the
 * memory layout of every table.
 */
#ifndef BAREMU_FW_H
#define BAREMU_FW_H

#include <stddef.h>
#include <stdint.h>

#define FW_MAX_VCPUS      1024 /* = BAREMU_MAX_VCPUS (emu/cmdline.h) */
#define FW_X2APIC_MIN_ID  255  /* ACPI 6.3 5.2.12.12: IDs >= 255 need x2APIC entries */
#define FW_MP_MAX_APIC_ID 254  /* MP 1.4 4.3.1: an 8-bit ID, 0xff is "all" */

/* how the DSDT/SSDT declares each vCPU (ACPI 6.3 8.4) */
enum fw_cpu_style {
    FW_CPU_PROCESSOR, /* Processor () under \_PR_: what Windows 7 and older need */
    FW_CPU_DEVICE,    /* Device () with _HID "ACPI0007" under \_SB_: the modern form */
};

struct fw_config {
    unsigned ncpus;           /* 1..FW_MAX_VCPUS */
    const uint32_t *apic_ids; /* ncpus distinct IDs, or NULL for 0..ncpus-1 */
    uint64_t ram_size;        /* guest RAM in bytes: below the hole, then from 4 GiB */
    enum fw_cpu_style cpu_style;
};

/* where one table landed: guest-physical address and length, 0 if absent */
struct fw_blob {
    uint64_t addr;
    uint32_t len;
};

struct fw_layout {
    struct fw_blob rsdp, rsdt, xsdt, fadt, facs, madt, hpet, dsdt, ssdt;
    struct fw_blob mp_floating, mp_config;
    struct fw_blob smbios3_entry, smbios2_entry, smbios_table;
    struct fw_blob acpi_nvs, acpi_reclaim; /* the regions the E820 map names */
    unsigned madt_lapic, madt_x2apic;      /* MADT processor entries of each kind */
    unsigned mp_cpus;                      /* MP processor entries */
};

/*
 * Write every table into ram, which holds guest-physical 0..ram_len-1
 * (at least min(cfg->ram_size, PLAT_MMIO_HOLE_BASE) bytes), and say where
 * each landed. Only two BIOS data area words, the EBDA, 0xF0000..0xF3FFF
 * and the ACPI region at the top of low RAM are written (docs/firmware.md).
 * Call it before a loader (multiboot.h, pvh.h, linux.h), which hands the
 * same E820 map and the RSDP to the guest.
 *
 * Returns 0, or -1 with a one-line message in err naming the field at fault,
 * e.g. "ncpus: 0 is out of range (1..1024)".
 */
int fw_build(const struct fw_config *cfg, uint8_t *ram, uint64_t ram_len, struct fw_layout *out,
             char *err, size_t errlen);

/* ---- loaders (multiboot.h, pvh.h, linux.h) ---------------------------------- */

/* where the loaders put the boot information: low RAM, below the EBDA */
#define FW_BOOTINFO_BASE 0x10000u
#define FW_BOOTINFO_END  0x90000u
#define FW_MAX_MODULES   16

/* a module to load (-initrd): its bytes and its string (a name or command line) */
struct fw_module {
    const uint8_t *data;
    size_t len;
    const char *string; /* PVH: NULL gives the module no command line (cmdline_paddr 0) */
};

enum fw_entry_mode {
    /*
     * 32-bit protected mode, paging off, flat 4 GiB code and data segments,
     * interrupts off, A20 on (Multiboot 3.2, the PVH ABI): eip, eax, ebx.
     */
    FW_ENTRY_PROTECTED32,
    /*
     * 64-bit mode (Linux boot.rst, "64-bit Boot Protocol"): CR0.PE|PG,
     * CR4.PAE, EFER.LME|LMA, CR3 = cr3 (an identity map of the low 4 GiB),
     * the GDT at gdt_base/gdt_limit loaded, CS = cs, DS = ES = SS = ds,
     * interrupts off: rip, rsi.
     */
    FW_ENTRY_LONG64,
};

/* how to enter the guest */
struct fw_entry {
    enum fw_entry_mode mode;
    uint32_t eip, eax, ebx; /* FW_ENTRY_PROTECTED32 */
    uint64_t rip, rsi, cr3; /* FW_ENTRY_LONG64 */
    uint64_t gdt_base;
    uint16_t gdt_limit, cs, ds;
    uint64_t image_start, image_end; /* the loaded kernel, for messages and tests */
};

/* ---- E820 (ACPI 6.3 15, "System Address Map Interfaces") ---------------- */

enum fw_e820_type {
    E820_RAM = 1,
    E820_RESERVED = 2,
    E820_ACPI = 3, /* ACPI reclaim: the tables, free once the OS has read them */
    E820_NVS = 4,  /* ACPI NVS: the FACS, kept across sleep */
};

struct fw_e820_entry {
    uint64_t addr, size;
    uint32_t type;
};

#define FW_E820_MAX 16

/*
 * The map for cfg, sorted by address, with no overlaps: at most max entries
 * into map. Returns the count, or -1 with err set (bad config, too small).
 */
int fw_e820(const struct fw_config *cfg, struct fw_e820_entry *map, unsigned max, char *err,
            size_t errlen);

const char *fw_e820_type_name(uint32_t type);

/* the checksum byte that makes len bytes at p sum to zero */
uint8_t fw_checksum(const void *p, size_t len);

#endif
