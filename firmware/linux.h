/*
 * firmware/linux.h: the Linux x86 boot protocol (Documentation/x86/boot.rst,
 * protocol 2.12 and later) for a bzImage, entered through the 64-bit entry
 * point with the zero page (struct boot_params), the E820 map,
 * acpi_rsdp_addr, a command line and an initrd.
 */
#ifndef BAREMU_FW_LINUX_H
#define BAREMU_FW_LINUX_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/fw.h"

/* the setup header, at 0x1f1 in the image and in the zero page (boot.rst) */
#define LINUX_HDR_OFFSET     0x1f1
#define LINUX_SETUP_SECTS    0x1f1 /* 1: 0 means 4 */
#define LINUX_BOOT_FLAG      0x1fe /* 2: 0xaa55 */
#define LINUX_HDR_END_BYTE   0x201 /* the header ends at 0x202 + this byte */
#define LINUX_HEADER         0x202 /* 4: "HdrS" */
#define LINUX_VERSION        0x206 /* 2 */
#define LINUX_TYPE_OF_LOADER 0x210 /* 1 */
#define LINUX_LOADFLAGS      0x211 /* 1 */
#define LINUX_RAMDISK_IMAGE  0x218 /* 4 */
#define LINUX_RAMDISK_SIZE   0x21c /* 4 */
#define LINUX_CMD_LINE_PTR   0x228 /* 4 */
#define LINUX_INITRD_MAX     0x22c /* 4: initrd_addr_max */
#define LINUX_KERNEL_ALIGN   0x230 /* 4 */
#define LINUX_RELOCATABLE    0x234 /* 1 */
#define LINUX_XLOADFLAGS     0x236 /* 2 */
#define LINUX_CMDLINE_SIZE   0x238 /* 4 */
#define LINUX_PREF_ADDRESS   0x258 /* 8 */
#define LINUX_INIT_SIZE      0x260 /* 4 */

#define LINUX_BOOT_FLAG_MAGIC 0xaa55
#define LINUX_HEADER_MAGIC    0x53726448u /* "HdrS" */
#define LINUX_MIN_VERSION     0x020c      /* 2.12: xloadflags, the 64-bit entry */
#define LINUX_RSDP_VERSION    0x020e      /* 2.14: acpi_rsdp_addr */
#define LINUX_LOADED_HIGH     (1u << 0)   /* loadflags: the kernel goes at 1 MiB or above */
#define LINUX_XLF_KERNEL_64   (1u << 0)   /* xloadflags: a 64-bit entry at +0x200 */
#define LINUX_LOADER_UNDEF    0xff        /* type_of_loader: not an assigned loader */
#define LINUX_ENTRY64_OFFSET  0x200
#define LINUX_SECTOR          512
#define LINUX_DEFAULT_SECTS   4

/* the zero page (arch/x86/include/uapi/asm/bootparam.h) */
#define LINUX_ZERO_PAGE_SIZE  0x1000
#define LINUX_ACPI_RSDP_ADDR  0x070 /* 8 */
#define LINUX_E820_ENTRIES    0x1e8 /* 1 */
#define LINUX_E820_TABLE      0x2d0 /* 20 bytes each */
#define LINUX_E820_MAX        128
#define LINUX_E820_ENTRY_SIZE 20

/* where the loader puts its parts, inside FW_BOOTINFO_BASE..FW_BOOTINFO_END */
#define LINUX_ZERO_PAGE   (FW_BOOTINFO_BASE + 0x0000)
#define LINUX_CMDLINE     (FW_BOOTINFO_BASE + 0x1000) /* up to 60 KiB */
#define LINUX_CMDLINE_MAX 0xf000u
#define LINUX_GDT         (FW_BOOTINFO_BASE + 0x10000)
#define LINUX_PML4        (FW_BOOTINFO_BASE + 0x11000) /* then the PDPT and 4 PDs */
#define LINUX_BOOT_CS     0x10                         /* __BOOT_CS */
#define LINUX_BOOT_DS     0x18                         /* __BOOT_DS */

/*
 * Load the bzImage into ram with its command line (may be NULL) and initrd
 * (may be NULL), fill the zero page (E820, acpi_rsdp_addr = rsdp) and the
 * identity page tables, and say how to enter it (FW_ENTRY_LONG64). Returns
 * -1 with err naming the field of a bad image; RAM is written only on
 * success.
 */
int linux_load(const struct fw_config *cfg, uint8_t *ram, uint64_t ram_len, const uint8_t *image,
               size_t len, const char *cmdline, const uint8_t *initrd, size_t initrd_len,
               uint64_t rsdp, struct fw_entry *entry, char *err, size_t errlen);

/* the image has a Linux setup header */
int linux_probe(const uint8_t *image, size_t len);

#endif
