/*
 * kernel/bootinfo.h: what the boot loader told us, in one form whichever way
 * we came in (Multiboot2 from GRUB, or PVH from qemu -kernel).
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include <stdint.h>

#define BOOTINFO_MAX_MMAP 128
#define BOOTINFO_MAX_MODULES 16
#define BOOTINFO_MAX_KEEP (8 + 2 * BOOTINFO_MAX_MODULES)

enum mem_type { /* the E820 types (ACPI 6.x 15.3.2), which both protocols use */
    MEM_AVAILABLE = 1,
    MEM_RESERVED = 2,
    MEM_ACPI_RECLAIM = 3,
    MEM_ACPI_NVS = 4,
    MEM_BAD = 5,
};

struct mem_region {
    uint64_t base, size;
    uint32_t type;
};

struct boot_module {
    uint64_t start, end; /* physical, end exclusive */
    const char *cmdline;
};

struct framebuffer {
    uint64_t addr;
    uint32_t pitch, width, height;
    uint8_t bpp, type; /* type: MULTIBOOT_FRAMEBUFFER_TYPE_* */
    uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size; /* for RGB */
};

struct bootinfo {
    const char *protocol; /* "multiboot2" or "pvh" */
    const char *loader;   /* boot loader name, when given */
    const char *firmware; /* "BIOS", "UEFI", or "none" (PVH starts with no firmware) */
    const char *cmdline;  /* never NULL */
    unsigned nmmap;
    struct mem_region mmap[BOOTINFO_MAX_MMAP];
    unsigned nmodules;
    struct boot_module modules[BOOTINFO_MAX_MODULES];
    uint64_t rsdp; /* physical address of an ACPI RSDP (for Multiboot2, the copy in its info), 0 if none */
    struct framebuffer fb; /* fb.addr == 0 if none */
    /* memory the hand-over itself occupies (info blocks, strings, modules): never allocated */
    unsigned nkeep;
    struct mem_region keep[BOOTINFO_MAX_KEEP];
};

/* fills bi from the entry magic and info pointer; returns an error string or NULL */
const char *bootinfo_parse(struct bootinfo *bi, uint32_t magic, uint64_t info);
void bootinfo_print(const struct bootinfo *bi);

#endif
