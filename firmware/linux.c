/*
 * linux.c: the Linux x86 boot protocol for a bzImage (see linux.h), after
 * Documentation/x86/boot.rst: "The Real-Mode Kernel Header", "Details of
 * Header Fields", "64-bit Boot Protocol" and "The Zero Page".
 *
 * The protected-mode kernel (the file after the (setup_sects + 1) * 512
 * bytes of setup) goes at pref_address with init_size bytes of room; the
 * initrd as high as initrd_addr_max and the RAM below the ACPI region allow;
 * the zero page, the command line, a GDT and identity page tables for the
 * low 4 GiB in the boot information area. Everything is checked before RAM
 * is written.
 */
#include "firmware/linux.h"

#include <string.h>

#include "emu/platform.h"
#include "emu/x86.h"
#include "firmware/fw_internal.h"
#include "firmware/load.h"

#define PAGE              0x1000u
#define PT_ENTRIES        512
#define GIB               (1ull << 30)
#define MIB2              (1ull << 21)
#define IDENTITY_GIBS     4 /* the low 4 GiB: kernel, initrd, zero page, tables */
#define LINUX_PDPT        (LINUX_PML4 + PAGE)
#define LINUX_PD          (LINUX_PDPT + PAGE)
#define LINUX_TABLES_END  (LINUX_PD + IDENTITY_GIBS * PAGE)
#define LINUX_HDR_MIN_END (LINUX_INIT_SIZE + 4) /* we read up to init_size */

/* flat 4 GiB descriptors (SDM Vol 3A 3.4.5): 64-bit code (L, P, S, execute/read), data (G, B) */
#define GDT_CODE64  0x00af9b000000ffffull
#define GDT_DATA    0x00cf93000000ffffull
#define GDT_ENTRIES 4 /* null, unused, __BOOT_CS, __BOOT_DS */

_Static_assert(LINUX_TABLES_END <= FW_BOOTINFO_END, "the boot information area holds it all");
_Static_assert(LINUX_CMDLINE + LINUX_CMDLINE_MAX <= LINUX_GDT, "the command line fits");

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
    return get32(p) | (uint64_t)get32(p + 4) << 32;
}

int linux_probe(const uint8_t *image, size_t len)
{
    return len >= LINUX_HEADER + 4 && get16(image + LINUX_BOOT_FLAG) == LINUX_BOOT_FLAG_MAGIC &&
           get32(image + LINUX_HEADER) == LINUX_HEADER_MAGIC;
}

struct bz {
    size_t setup_size, hdr_end;
    uint16_t version;
    uint64_t load, init_size;
};

/* the setup header: magic numbers, version, flags and sizes */
static int check_header(struct fw_load *l, struct bz *b)
{
    const uint8_t *im = l->image;
    if (l->len < LINUX_HDR_MIN_END || !linux_probe(im, l->len))
        return fw_load_fail(l, "no setup header (boot_flag 0xaa55 and \"HdrS\" at 0x202)");
    b->version = get16(im + LINUX_VERSION);
    if (b->version < LINUX_MIN_VERSION)
        return fw_load_fail(l,
                            "boot protocol %u.%02u: 2.12 or later is needed for the 64-bit "
                            "entry",
                            b->version >> 8, b->version & 0xff);
    if (!(get16(im + LINUX_XLOADFLAGS) & LINUX_XLF_KERNEL_64))
        return fw_load_fail(l, "xloadflags 0x%x: no 64-bit entry (XLF_KERNEL_64)",
                            get16(im + LINUX_XLOADFLAGS));
    if (!(im[LINUX_LOADFLAGS] & LINUX_LOADED_HIGH))
        return fw_load_fail(l, "loadflags 0x%x: not LOADED_HIGH (a zImage)", im[LINUX_LOADFLAGS]);
    unsigned sects = im[LINUX_SETUP_SECTS] ? im[LINUX_SETUP_SECTS] : LINUX_DEFAULT_SECTS;
    b->setup_size = (sects + 1) * (size_t)LINUX_SECTOR;
    b->hdr_end = LINUX_HEADER + im[LINUX_HDR_END_BYTE];
    if (b->hdr_end < LINUX_HDR_MIN_END || b->hdr_end > b->setup_size)
        return fw_load_fail(l, "setup header ends at 0x%zx (byte 0x201), outside 0x%x..0x%zx",
                            b->hdr_end, LINUX_HDR_MIN_END, b->setup_size);
    if (b->setup_size >= l->len)
        return fw_load_fail(l, "setup_sects %u: %zu bytes of setup leave no kernel in %zu bytes",
                            sects, b->setup_size, l->len);
    return 0;
}

/* the protected-mode kernel at pref_address, with init_size bytes of room */
static int plan_kernel(struct fw_load *l, struct bz *b)
{
    const uint8_t *im = l->image;
    uint64_t payload = l->len - b->setup_size;
    uint32_t align = get32(im + LINUX_KERNEL_ALIGN);
    b->load = get64(im + LINUX_PREF_ADDRESS);
    b->init_size = get32(im + LINUX_INIT_SIZE);
    if (b->init_size < payload)
        b->init_size = payload;
    if (im[LINUX_RELOCATABLE] && (align == 0 || (align & (align - 1)) != 0))
        return fw_load_fail(l, "kernel_alignment 0x%x is not a power of two", align);
    if (im[LINUX_RELOCATABLE] && b->load % align != 0)
        return fw_load_fail(l, "pref_address 0x%llx is not a multiple of kernel_alignment 0x%x",
                            (unsigned long long)b->load, align);
    if (b->load < PLAT_HIGH_RAM_BASE)
        return fw_load_fail(l, "pref_address 0x%llx is below 1 MiB", (unsigned long long)b->load);
    if (fw_load_segment(l, "pref_address + init_size", b->load, payload, b->init_size,
                        b->setup_size) != 0)
        return -1;
    l->entry = b->load + LINUX_ENTRY64_OFFSET;
    return fw_load_check_entry(l);
}

/* the initrd: page-aligned, as high as initrd_addr_max and the RAM allow, above the kernel */
static int plan_initrd(struct fw_load *l, size_t len, uint32_t addr_max)
{
    uint64_t top = (uint64_t)addr_max + 1, ram_top = 0;
    for (int i = 0; i < l->nmap; i++)
        if (l->map[i].type == E820_RAM && l->map[i].addr == PLAT_HIGH_RAM_BASE)
            ram_top = l->map[i].addr + l->map[i].size;
    if (ram_top < top)
        top = ram_top;
    uint64_t at = top >= len ? (top - len) & ~(uint64_t)(PAGE - 1) : 0;
    if (len > top || at < l->image_end || !fw_load_in_ram(l, at, len))
        return fw_load_fail(l,
                            "initrd: %zu bytes do not fit between the kernel (ending at 0x%llx) "
                            "and 0x%llx (initrd_addr_max 0x%x)",
                            len, (unsigned long long)l->image_end, (unsigned long long)top,
                            addr_max);
    l->mod_at[0] = at;
    return 0;
}

/* ---- writing -------------------------------------------------------------- */

static void write_zero_page(const struct fw_load *l, uint8_t *ram, const struct bz *b,
                            size_t initrd_len, uint64_t rsdp)
{
    uint8_t *zp = ram + LINUX_ZERO_PAGE;
    memset(zp, 0, LINUX_ZERO_PAGE_SIZE);
    memcpy(zp + LINUX_HDR_OFFSET, l->image + LINUX_HDR_OFFSET, b->hdr_end - LINUX_HDR_OFFSET);
    zp[LINUX_TYPE_OF_LOADER] = LINUX_LOADER_UNDEF;
    fw_put32(zp + LINUX_CMD_LINE_PTR, LINUX_CMDLINE);
    if (initrd_len > 0) {
        fw_put32(zp + LINUX_RAMDISK_IMAGE, (uint32_t)l->mod_at[0]);
        fw_put32(zp + LINUX_RAMDISK_SIZE, (uint32_t)initrd_len);
    }
    if (b->version >= LINUX_RSDP_VERSION)
        fw_put64(zp + LINUX_ACPI_RSDP_ADDR, rsdp);
    zp[LINUX_E820_ENTRIES] = (uint8_t)l->nmap;
    for (int i = 0; i < l->nmap; i++) {
        uint8_t *e = zp + LINUX_E820_TABLE + i * LINUX_E820_ENTRY_SIZE;
        fw_put64(e, l->map[i].addr);
        fw_put64(e + 8, l->map[i].size);
        fw_put32(e + 16, l->map[i].type);
    }
}

/* boot.rst: "the range with setup_header.init_size from start address of the loaded kernel
 * and zero page and command line buffer get ident mapping": all of the low 4 GiB, 2 MiB pages */
static void write_tables(uint8_t *ram)
{
    memset(ram + LINUX_PML4, 0, LINUX_TABLES_END - LINUX_PML4);
    fw_put64(ram + LINUX_PML4, LINUX_PDPT | PTE_P | PTE_W);
    for (unsigned g = 0; g < IDENTITY_GIBS; g++) {
        uint64_t pd = LINUX_PD + g * PAGE;
        fw_put64(ram + LINUX_PDPT + 8 * g, pd | PTE_P | PTE_W);
        for (unsigned i = 0; i < PT_ENTRIES; i++)
            fw_put64(ram + pd + 8 * i, (g * GIB + i * MIB2) | PTE_P | PTE_W | PTE_PS);
    }
    static const uint64_t gdt[GDT_ENTRIES] = {0, 0, GDT_CODE64, GDT_DATA};
    _Static_assert(LINUX_BOOT_CS == 2 * 8 && LINUX_BOOT_DS == 3 * 8, "selectors index the GDT");
    for (unsigned i = 0; i < GDT_ENTRIES; i++)
        fw_put64(ram + LINUX_GDT + 8 * i, gdt[i]);
}

int linux_load(const struct fw_config *cfg, uint8_t *ram, uint64_t ram_len, const uint8_t *image,
               size_t len, const char *cmdline, const uint8_t *initrd, size_t initrd_len,
               uint64_t rsdp, struct fw_entry *entry, char *err, size_t errlen)
{
    struct fw_load l;
    struct bz b = {0};
    if (fw_load_init(&l, "linux", cfg, ram, ram_len, image, len, err, errlen) != 0 ||
        check_header(&l, &b) != 0 || plan_kernel(&l, &b) != 0)
        return -1;
    size_t clen = cmdline ? strlen(cmdline) : 0;
    uint32_t cmax = get32(image + LINUX_CMDLINE_SIZE);
    if (clen > cmax || clen >= LINUX_CMDLINE_MAX)
        return fw_load_fail(&l, "cmdline: %zu bytes, more than cmdline_size %u allows", clen,
                            cmax < LINUX_CMDLINE_MAX - 1 ? cmax : LINUX_CMDLINE_MAX - 1);
    if (initrd_len > UINT32_MAX)
        return fw_load_fail(&l, "initrd: %zu bytes is more than ramdisk_size holds", initrd_len);
    if (initrd_len > 0 && plan_initrd(&l, initrd_len, get32(image + LINUX_INITRD_MAX)) != 0)
        return -1;

    const struct fw_module mod = {initrd, initrd_len, NULL};
    fw_load_commit(&l, ram, &mod, initrd_len > 0 ? 1 : 0);
    write_zero_page(&l, ram, &b, initrd_len, rsdp);
    memcpy(ram + LINUX_CMDLINE, cmdline ? cmdline : "", clen + 1);
    write_tables(ram);
    *entry = (struct fw_entry){.mode = FW_ENTRY_LONG64,
                               .rip = l.entry,
                               .rsi = LINUX_ZERO_PAGE,
                               .cr3 = LINUX_PML4,
                               .gdt_base = LINUX_GDT,
                               .gdt_limit = GDT_ENTRIES * 8 - 1,
                               .cs = LINUX_BOOT_CS,
                               .ds = LINUX_BOOT_DS,
                               .image_start = l.image_start,
                               .image_end = l.image_end};
    return 0;
}
