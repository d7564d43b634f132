/*
 * firmware/pvh.h: the PVH boot loader, as QEMU's -kernel does it for an ELF
 * with a XEN_ELFNOTE_PHYS32_ENTRY note: the kernel starts in 32-bit
 * protected mode at the note's address with EBX pointing at an
 * hvm_start_info (Xen's public arch-x86/hvm/start_info.h, version 1, and
 * docs/misc/pvh.pandoc). A Linux vmlinux and baremu's own kernel are PVH
 * kernels; Linux then needs no real-mode setup and no decompression.
 */
#ifndef BAREMU_FW_PVH_H
#define BAREMU_FW_PVH_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/fw.h"

#define PVH_NOTE_NAME         "Xen"
#define PVH_NOTE_PHYS32_ENTRY 18          /* XEN_ELFNOTE_PHYS32_ENTRY */
#define PVH_START_MAGIC       0x336ec578u /* "xEn3" with the 0x80 bit of the "E" set */
#define PVH_START_VERSION     1           /* with the memory map */

struct hvm_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
    uint64_t memmap_paddr; /* version 1 */
    uint32_t memmap_entries, reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct hvm_start_info) == 56, "start_info.h");

struct hvm_modlist_entry {
    uint64_t paddr, size, cmdline_paddr, reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "start_info.h");

struct hvm_memmap_table_entry { /* the types are E820's */
    uint64_t addr, size;
    uint32_t type, reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "start_info.h");

/*
 * Load the PVH ELF (ELF32 or ELF64: PT_LOAD segments at their physical
 * addresses) into ram with its command line (may be NULL) and modules
 * (module 0 is the initrd, for Linux), point the start info at rsdp, and say
 * how to enter it (EBX = the start info at FW_BOOTINFO_BASE). Returns -1
 * with err naming the field of a bad image; RAM is written only on success.
 */
int pvh_load(const struct fw_config *cfg, uint8_t *ram, uint64_t ram_len, const uint8_t *image,
             size_t len, const char *cmdline, const struct fw_module *mods, unsigned nmods,
             uint64_t rsdp, struct fw_entry *entry, char *err, size_t errlen);

/* the image is an ELF with a PVH entry note */
int pvh_probe(const uint8_t *image, size_t len);

#endif
