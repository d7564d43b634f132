/*
 * multiboot.c: the Multiboot 0.6.96 loader (see multiboot.h). The whole load
 * is planned and checked first (load.h), and RAM written only then, so a bad
 * image never leaves a half-loaded guest.
 *
 * As in QEMU and GRUB, the a.out kludge fields win when flag 16 is set, ELF
 * or not; otherwise the image must be ELF32 for i386 (3.1.3). ELF64 is
 * refused, as QEMU refuses it.
 */
#include "firmware/multiboot.h"

#include <string.h>

#include "emu/platform.h"
#include "firmware/load.h"

#define MB1_LOADER_NAME "baremu"
#define KIB             1024u

/* 3.1.3 with flag 16: the header's addresses say where the file goes */
static int plan_aout(struct fw_load *l, size_t hoff, const struct mb1_header *h)
{
    if (l->len - hoff < sizeof *h)
        return fw_load_fail(l, "header at 0x%zx: the a.out kludge fields are cut off", hoff);
    if (h->header_addr < h->load_addr || h->header_addr - h->load_addr > hoff)
        return fw_load_fail(l, "header_addr 0x%x: load_addr 0x%x would start before the file",
                            h->header_addr, h->load_addr);
    size_t src = hoff - (h->header_addr - h->load_addr);
    uint64_t filesz = l->len - src;
    if (h->load_end_addr != 0) {
        if (h->load_end_addr < h->load_addr || h->load_end_addr - h->load_addr > l->len - src)
            return fw_load_fail(l, "load_end_addr 0x%x: not within the file (load_addr 0x%x)",
                                h->load_end_addr, h->load_addr);
        filesz = h->load_end_addr - h->load_addr;
    }
    uint64_t memsz = filesz;
    if (h->bss_end_addr != 0) {
        if (h->bss_end_addr < h->load_addr + filesz)
            return fw_load_fail(l, "bss_end_addr 0x%x: before the end of the loaded data",
                                h->bss_end_addr);
        memsz = h->bss_end_addr - h->load_addr;
    }
    l->entry = h->entry_addr;
    return fw_load_segment(l, "load_addr", h->load_addr, filesz, memsz, src);
}

/* 3.1.1: the header is 4-aligned in the first 8 KiB, magic + flags + checksum = 0 */
static bool find_header(const uint8_t *image, size_t len, size_t *off, struct mb1_header *h)
{
    size_t end = len < MB1_SEARCH ? len : MB1_SEARCH;
    for (size_t o = 0; o + MB1_HEADER_MIN <= end; o += MB1_HEADER_ALIGN) {
        memset(h, 0, sizeof *h);
        memcpy(h, image + o, len - o < sizeof *h ? len - o : sizeof *h);
        if (h->magic == MB1_HEADER_MAGIC && (uint32_t)(h->magic + h->flags + h->checksum) == 0) {
            *off = o;
            return true;
        }
    }
    return false;
}

int mb1_probe(const uint8_t *image, size_t len)
{
    size_t off;
    struct mb1_header h;
    return image != NULL && find_header(image, len, &off, &h);
}

/* ---- the boot information (3.3) ------------------------------------------ */

static size_t info_size(const char *cmdline, const struct fw_module *mods, unsigned nmods, int nmap)
{
    size_t n = sizeof(struct mb1_info) + nmods * sizeof(struct mb1_module) +
               (size_t)nmap * sizeof(struct mb1_mmap_entry) + sizeof MB1_LOADER_NAME +
               (cmdline ? strlen(cmdline) : 0) + 1;
    for (unsigned i = 0; i < nmods; i++)
        n += (mods[i].string ? strlen(mods[i].string) : 0) + 1;
    return n;
}

/* mem_upper: KiB of RAM from 1 MiB to the first hole */
static uint32_t mem_upper_kb(const struct fw_load *l)
{
    for (int i = 0; i < l->nmap; i++)
        if (l->map[i].type == E820_RAM && l->map[i].addr == PLAT_HIGH_RAM_BASE)
            return (uint32_t)(l->map[i].size / KIB);
    return 0;
}

static uint32_t put(uint8_t *ram, uint32_t *at, const void *p, size_t len)
{
    uint32_t addr = *at;
    memcpy(ram + addr, p, len);
    *at += (uint32_t)len;
    return addr;
}

/* the memory map always: QEMU gives it whether or not header flag 1 asks */
static void write_info(const struct fw_load *l, uint8_t *ram, const char *cmdline,
                       const struct fw_module *mods, unsigned nmods)
{
    uint32_t at = MB1_INFO_BASE + sizeof(struct mb1_info);
    struct mb1_info info = {0};
    memset(ram + MB1_INFO_BASE, 0, info_size(cmdline, mods, nmods, l->nmap));
    info.flags =
        MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MMAP | MB1_INFO_LOADER;
    info.mem_lower = (uint32_t)(PLAT_EBDA_BASE / KIB);
    info.mem_upper = mem_upper_kb(l);
    info.mods_count = nmods;
    info.mods_addr = at;
    at += nmods * (uint32_t)sizeof(struct mb1_module);
    info.mmap_addr = at;
    for (int i = 0; i < l->nmap; i++) {
        struct mb1_mmap_entry e = {sizeof e - sizeof e.size, l->map[i].addr, l->map[i].size,
                                   l->map[i].type};
        put(ram, &at, &e, sizeof e);
    }
    info.mmap_length = at - info.mmap_addr;
    info.boot_loader_name = put(ram, &at, MB1_LOADER_NAME, sizeof MB1_LOADER_NAME);
    info.cmdline = put(ram, &at, cmdline ? cmdline : "", (cmdline ? strlen(cmdline) : 0) + 1);
    for (unsigned i = 0; i < nmods; i++) {
        const char *s = mods[i].string ? mods[i].string : "";
        struct mb1_module m = {(uint32_t)l->mod_at[i], (uint32_t)(l->mod_at[i] + mods[i].len),
                               put(ram, &at, s, strlen(s) + 1), 0};
        memcpy(ram + info.mods_addr + i * sizeof m, &m, sizeof m);
    }
    memcpy(ram + MB1_INFO_BASE, &info, sizeof info);
}

/* ---- mb1_load ------------------------------------------------------------- */

int mb1_load(const struct fw_config *cfg, uint8_t *ram, uint64_t ram_len, const uint8_t *image,
             size_t len, const char *cmdline, const struct fw_module *mods, unsigned nmods,
             struct fw_entry *entry, char *err, size_t errlen)
{
    struct fw_load l;
    if (fw_load_init(&l, "multiboot", cfg, ram, ram_len, image, len, err, errlen) != 0)
        return -1;
    size_t hoff;
    struct mb1_header h;
    if (!find_header(image, len, &hoff, &h))
        return fw_load_fail(&l,
                            "no Multiboot header (magic 0x%08x with a valid checksum) in the "
                            "first %u bytes",
                            MB1_HEADER_MAGIC, MB1_SEARCH);
    if (h.flags & MB1_REQUIRED & ~MB1_UNDERSTOOD)
        return fw_load_fail(&l, "header flags 0x%x: required features 0x%x are not supported",
                            h.flags, h.flags & MB1_REQUIRED & ~MB1_UNDERSTOOD);
    int rc = (h.flags & MB1_AOUT_KLUDGE) ? plan_aout(&l, hoff, &h) : fw_load_elf(&l, false);
    if (rc != 0 || fw_load_check_entry(&l) != 0 || fw_load_modules(&l, mods, nmods) != 0)
        return -1;
    size_t need = info_size(cmdline, mods, nmods, l.nmap);
    if (need > MB1_INFO_END - MB1_INFO_BASE)
        return fw_load_fail(&l,
                            "cmdline and module strings: %zu bytes of boot information exceed "
                            "the %u reserved",
                            need, MB1_INFO_END - MB1_INFO_BASE);
    if (l.entry > UINT32_MAX)
        return fw_load_fail(&l, "entry point 0x%llx is above 4 GiB", (unsigned long long)l.entry);

    /* everything checked: now write */
    fw_load_commit(&l, ram, mods, nmods);
    write_info(&l, ram, cmdline, mods, nmods);
    *entry = (struct fw_entry){.mode = FW_ENTRY_PROTECTED32,
                               .eip = (uint32_t)l.entry,
                               .eax = MB1_BOOTLOADER_MAGIC,
                               .ebx = MB1_INFO_BASE,
                               .image_start = l.image_start,
                               .image_end = l.image_end};
    return 0;
}
