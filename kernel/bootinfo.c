/*
 * kernel/bootinfo.c: read the boot loader's hand-over.
 *
 * Multiboot2 (spec 3.6): a list of 8-byte-aligned tags after an 8-byte header.
 * PVH (xen/arch-x86/hvm/start_info.h): struct hvm_start_info, version 1 adds
 * the memory map.
 * Everything here comes from a loader we trust only so far: sizes are checked
 * against the total before any tag is read.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <multiboot2.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "boot/boot.h"
#include "kernel/bootinfo.h"
#include "kernel/console.h"

_Static_assert(BOOT_PVH_MAGIC == XEN_HVM_START_MAGIC_VALUE, "PVH magic");

#define MB2_INFO_MAX (1u << 20) /* no sane loader hands over more */

static void add_region(struct bootinfo *bi, uint64_t base, uint64_t size, uint32_t type)
{
    if (bi->nmmap < BOOTINFO_MAX_MMAP)
        bi->mmap[bi->nmmap++] = (struct mem_region){base, size, type};
}

static void keep(struct bootinfo *bi, uint64_t base, uint64_t size)
{
    if (size && bi->nkeep < BOOTINFO_MAX_KEEP)
        bi->keep[bi->nkeep++] = (struct mem_region){base, size, MEM_RESERVED};
}

static void keep_string(struct bootinfo *bi, const char *s)
{
    if (s)
        keep(bi, (uint64_t)(uintptr_t)s, strlen(s) + 1);
}

static void add_module(struct bootinfo *bi, uint64_t start, uint64_t end, const char *cmdline)
{
    if (bi->nmodules < BOOTINFO_MAX_MODULES)
        bi->modules[bi->nmodules++] = (struct boot_module){start, end, cmdline ? cmdline : ""};
    if (end > start)
        keep(bi, start, end - start);
}

static const char *parse_mb2(struct bootinfo *bi, uint64_t info)
{
    const uint8_t *base = (const uint8_t *)(uintptr_t)info;
    uint32_t total = *(const uint32_t *)base;
    if (total < 16 || total > MB2_INFO_MAX)
        return "multiboot2: info total_size out of range";
    bi->protocol = "multiboot2";
    keep(bi, info, total); /* strings and the RSDP copy live inside it */
    bi->firmware = "BIOS"; /* until a tag says EFI */
    for (uint32_t off = 8; off + sizeof(struct multiboot_tag) <= total;) {
        const struct multiboot_tag *tag = (const void *)(base + off);
        if (tag->type == MULTIBOOT_TAG_TYPE_END)
            return NULL;
        if (tag->size < sizeof *tag || tag->size > total - off)
            return "multiboot2: tag size runs past the info";
        switch (tag->type) {
        case MULTIBOOT_TAG_TYPE_CMDLINE:
            bi->cmdline = ((const struct multiboot_tag_string *)tag)->string;
            break;
        case MULTIBOOT_TAG_TYPE_BOOT_LOADER_NAME:
            bi->loader = ((const struct multiboot_tag_string *)tag)->string;
            break;
        case MULTIBOOT_TAG_TYPE_MODULE: {
            const struct multiboot_tag_module *m = (const void *)tag;
            add_module(bi, m->mod_start, m->mod_end, m->cmdline);
            break;
        }
        case MULTIBOOT_TAG_TYPE_MMAP: {
            const struct multiboot_tag_mmap *m = (const void *)tag;
            if (m->entry_size < sizeof(struct multiboot_mmap_entry))
                return "multiboot2: mmap entry_size too small";
            for (uint32_t e = sizeof *m; e + m->entry_size <= m->size; e += m->entry_size) {
                const struct multiboot_mmap_entry *me = (const void *)((const uint8_t *)m + e);
                add_region(bi, me->addr, me->len, me->type);
            }
            break;
        }
        case MULTIBOOT_TAG_TYPE_ACPI_OLD:
        case MULTIBOOT_TAG_TYPE_ACPI_NEW:
            /* prefer the new (ACPI 2.0+) copy; both come under UEFI */
            if (!bi->rsdp || tag->type == MULTIBOOT_TAG_TYPE_ACPI_NEW)
                bi->rsdp = (uint64_t)(uintptr_t)((const struct multiboot_tag_new_acpi *)tag)->rsdp;
            break;
        case MULTIBOOT_TAG_TYPE_EFI32:
        case MULTIBOOT_TAG_TYPE_EFI64:
            bi->firmware = "UEFI";
            break;
        case MULTIBOOT_TAG_TYPE_FRAMEBUFFER: {
            const struct multiboot_tag_framebuffer *t = (const void *)tag;
            const struct multiboot_tag_framebuffer_common *f = &t->common;
            bi->fb = (struct framebuffer){.addr = f->framebuffer_addr,
                                          .pitch = f->framebuffer_pitch,
                                          .width = f->framebuffer_width,
                                          .height = f->framebuffer_height,
                                          .bpp = f->framebuffer_bpp,
                                          .type = f->framebuffer_type};
            if (f->framebuffer_type == MULTIBOOT_FRAMEBUFFER_TYPE_RGB &&
                tag->size > offsetof(struct multiboot_tag_framebuffer, framebuffer_blue_mask_size)) {
                bi->fb.red_pos = t->framebuffer_red_field_position;
                bi->fb.red_size = t->framebuffer_red_mask_size;
                bi->fb.green_pos = t->framebuffer_green_field_position;
                bi->fb.green_size = t->framebuffer_green_mask_size;
                bi->fb.blue_pos = t->framebuffer_blue_field_position;
                bi->fb.blue_size = t->framebuffer_blue_mask_size;
            }
            break;
        }
        default:
            break;
        }
        off += (tag->size + MULTIBOOT_TAG_ALIGN - 1) & ~(uint32_t)(MULTIBOOT_TAG_ALIGN - 1);
    }
    return "multiboot2: no end tag";
}

static const char *parse_pvh(struct bootinfo *bi, uint64_t info)
{
    const struct hvm_start_info *si = (const void *)(uintptr_t)info;
    if (si->magic != XEN_HVM_START_MAGIC_VALUE)
        return "pvh: start_info magic is wrong";
    bi->protocol = "pvh";
    bi->firmware = "none";
    keep(bi, info, sizeof *si);
    keep(bi, si->modlist_paddr, (uint64_t)si->nr_modules * sizeof(struct hvm_modlist_entry));
    if (si->version >= 1)
        keep(bi, si->memmap_paddr, (uint64_t)si->memmap_entries * sizeof(struct hvm_memmap_table_entry));
    if (si->cmdline_paddr) {
        bi->cmdline = (const char *)(uintptr_t)si->cmdline_paddr;
        keep_string(bi, bi->cmdline);
    }
    bi->rsdp = si->rsdp_paddr;
    const struct hvm_modlist_entry *mods = (const void *)(uintptr_t)si->modlist_paddr;
    for (uint32_t i = 0; mods && i < si->nr_modules; i++) {
        add_module(bi, mods[i].paddr, mods[i].paddr + mods[i].size,
                   (const char *)(uintptr_t)mods[i].cmdline_paddr);
        keep_string(bi, (const char *)(uintptr_t)mods[i].cmdline_paddr);
    }
    if (si->version >= 1 && si->memmap_paddr) {
        const struct hvm_memmap_table_entry *mm = (const void *)(uintptr_t)si->memmap_paddr;
        for (uint32_t i = 0; i < si->memmap_entries; i++)
            add_region(bi, mm[i].addr, mm[i].size, mm[i].type);
    }
    return NULL;
}

const char *bootinfo_parse(struct bootinfo *bi, uint32_t magic, uint64_t info)
{
    memset(bi, 0, sizeof *bi);
    bi->cmdline = "";
    bi->loader = "";
    bi->firmware = "none";
    if (info == 0 || info >= (4ull << 30))
        return "boot information pointer is outside the first 4 GiB";
    switch (magic) {
    case MULTIBOOT2_BOOTLOADER_MAGIC:
        return parse_mb2(bi, info);
    case BOOT_PVH_MAGIC:
        return parse_pvh(bi, info);
    default:
        return "unknown boot protocol (neither Multiboot2 nor PVH)";
    }
}

static const char *mem_type_name(uint32_t type)
{
    static const char *const names[] = {
        [MEM_AVAILABLE] = "available", [MEM_RESERVED] = "reserved",
        [MEM_ACPI_RECLAIM] = "ACPI",   [MEM_ACPI_NVS] = "ACPI NVS",
        [MEM_BAD] = "bad",
    };
    return type < sizeof names / sizeof names[0] && names[type] ? names[type] : "other";
}

void bootinfo_print(const struct bootinfo *bi)
{
    kprintf("boot: %s%s%s, firmware %s, command line \"%s\"\n", bi->protocol,
            *bi->loader ? " from " : "", bi->loader, bi->firmware, bi->cmdline);
    uint64_t avail = 0;
    for (unsigned i = 0; i < bi->nmmap; i++) {
        const struct mem_region *r = &bi->mmap[i];
        kprintf("mem: 0x%012llx-0x%012llx %s\n", (unsigned long long)r->base,
                (unsigned long long)(r->base + r->size - 1), mem_type_name(r->type));
        if (r->type == MEM_AVAILABLE)
            avail += r->size;
    }
    kprintf("mem: %llu MiB available\n", (unsigned long long)(avail >> 20));
    for (unsigned i = 0; i < bi->nmodules; i++)
        kprintf("module %u: %#llx-%#llx \"%s\"\n", i, (unsigned long long)bi->modules[i].start,
                (unsigned long long)bi->modules[i].end, bi->modules[i].cmdline);
    if (bi->rsdp)
        kprintf("acpi: RSDP at %#llx\n", (unsigned long long)bi->rsdp);
    else
        kprintf("acpi: no RSDP from the boot loader\n");
    if (bi->fb.addr)
        kprintf("framebuffer: %ux%u, %u bpp, pitch %u, at %#llx\n", bi->fb.width, bi->fb.height,
                bi->fb.bpp, bi->fb.pitch, (unsigned long long)bi->fb.addr);
}
