/*
 * firmware/multiboot.h: the Multiboot 0.6.96 loader (the GNU Multiboot
 * Specification, version 0.6.96), as QEMU's -kernel does it: an ELF32 image
 * or an a.out-kludge image, modules, a command line, the memory fields and
 * the memory map. The structures are the spec's (section 3).
 */
#ifndef BAREMU_FW_MULTIBOOT_H
#define BAREMU_FW_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/fw.h"

#define MB1_HEADER_MAGIC     0x1badb002u
#define MB1_BOOTLOADER_MAGIC 0x2badb002u /* in EAX at entry */
#define MB1_SEARCH           8192        /* the header is in the first 8 KiB, 4-aligned (3.1.1) */
#define MB1_HEADER_ALIGN     4

/* header flags (3.1.2): bits 0-15 are requirements, 16-31 optional features */
#define MB1_PAGE_ALIGN  (1u << 0) /* modules on 4 KiB boundaries */
#define MB1_MEMORY_INFO (1u << 1) /* mem_* and mmap_* wanted */
#define MB1_VIDEO_MODE  (1u << 2) /* video information wanted: not provided */
#define MB1_AOUT_KLUDGE (1u << 16)
#define MB1_REQUIRED    0xffffu
#define MB1_UNDERSTOOD  (MB1_PAGE_ALIGN | MB1_MEMORY_INFO | MB1_VIDEO_MODE)

struct mb1_header { /* 3.1.1 */
    uint32_t magic, flags, checksum;
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr; /* a.out kludge */
} __attribute__((packed));
_Static_assert(sizeof(struct mb1_header) == 32, "Multiboot 3.1.1");
#define MB1_HEADER_MIN 12 /* magic, flags, checksum */

/* boot information flags (3.3) */
#define MB1_INFO_MEMORY  (1u << 0)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS    (1u << 3)
#define MB1_INFO_MMAP    (1u << 6)
#define MB1_INFO_LOADER  (1u << 9)

struct mb1_info { /* 3.3 */
    uint32_t flags;
    uint32_t mem_lower, mem_upper; /* KiB below 640 KiB; KiB from 1 MiB to the first hole */
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
    uint32_t apm_table;
    uint32_t vbe_control_info, vbe_mode_info;
    uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
} __attribute__((packed));
_Static_assert(sizeof(struct mb1_info) == 88, "Multiboot 3.3");

struct mb1_module { /* 3.3 */
    uint32_t mod_start, mod_end, string, reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct mb1_module) == 16, "Multiboot 3.3");

struct mb1_mmap_entry { /* 3.3: size counts the bytes after itself */
    uint32_t size;
    uint64_t base_addr, length;
    uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct mb1_mmap_entry) == 24, "Multiboot 3.3");

/* the boot information goes at FW_BOOTINFO_BASE (fw.h) */
#define MB1_INFO_BASE FW_BOOTINFO_BASE
#define MB1_INFO_END  FW_BOOTINFO_END

/*
 * Load the Multiboot image into ram (guest-physical 0..ram_len-1, a machine
 * cfg describes), with its command line (may be NULL) and modules, and say
 * how to enter it. Every field is checked: a truncated, overflowing or
 * overlapping image returns -1 with err naming the field, e.g.
 * "multiboot: ELF program header 1: p_paddr 0xff000000 + p_memsz 0x2000
 * is not in usable RAM". RAM is only written once everything checks out.
 */
int mb1_load(const struct fw_config *cfg, uint8_t *ram, uint64_t ram_len, const uint8_t *image,
             size_t len, const char *cmdline, const struct fw_module *mods, unsigned nmods,
             struct fw_entry *entry, char *err, size_t errlen);

/* the image has a Multiboot 1 header (magic and checksum) in its first 8 KiB */
int mb1_probe(const uint8_t *image, size_t len);

#endif
