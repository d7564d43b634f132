/*
 * test_firmware_multiboot.c: the Multiboot 0.6.96 loader (firmware/multiboot.c)
 * with ELF32 and a.out-kludge images built here byte by byte, good and bad.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "emu/platform.h"
#include "firmware/multiboot.h"
#include "fw_test.h"

#define IMG_SIZE   0x400
#define SEG_OFF    0x100
#define SEG_FILESZ 0x200
#define SEG_MEMSZ  0x1000
#define LOAD_ADDR  0x100000u
#define HDR_OFF    0x80 /* the Multiboot header, 4-aligned, in the first 8 KiB */
#define FILL       0xaa

struct img {
    uint8_t b[IMG_SIZE];
};

static void mb_header(struct img *im, uint32_t flags)
{
    put32(im->b + HDR_OFF, MB1_HEADER_MAGIC);
    put32(im->b + HDR_OFF + 4, flags);
    put32(im->b + HDR_OFF + 8, (uint32_t) - (MB1_HEADER_MAGIC + flags));
}

/* an ELF32 i386 executable: one PT_LOAD of SEG_OFF..+SEG_FILESZ to LOAD_ADDR */
static void elf_image(struct img *im, uint32_t paddr, uint32_t entry)
{
    memset(im, 0, sizeof *im);
    memcpy(im->b, "\177ELF\1\1\1", 7);
    put16(im->b + 16, 2);     /* e_type EXEC */
    put16(im->b + 18, 3);     /* e_machine 386 */
    put32(im->b + 20, 1);     /* e_version */
    put32(im->b + 24, entry); /* e_entry */
    put32(im->b + 28, 52);    /* e_phoff */
    put16(im->b + 40, 52);    /* e_ehsize */
    put16(im->b + 42, 32);    /* e_phentsize */
    put16(im->b + 44, 1);     /* e_phnum */
    uint8_t *ph = im->b + 52;
    put32(ph, 1); /* PT_LOAD */
    put32(ph + 4, SEG_OFF);
    put32(ph + 8, paddr);
    put32(ph + 12, paddr);
    put32(ph + 16, SEG_FILESZ);
    put32(ph + 20, SEG_MEMSZ);
    for (unsigned i = 0; i < SEG_FILESZ; i++)
        im->b[SEG_OFF + i] = (uint8_t)(i * 7 + 1);
    mb_header(im, MB1_PAGE_ALIGN | MB1_MEMORY_INFO);
}

struct load {
    struct fw_config cfg;
    uint8_t *ram;
    struct fw_entry entry;
    char err[256];
};

static int load(struct load *l, const struct img *im, size_t len, const char *cmdline,
                const struct fw_module *mods, unsigned nmods)
{
    l->cfg = (struct fw_config){2, NULL, FW_TEST_RAM, FW_CPU_PROCESSOR};
    if (l->ram == NULL)
        l->ram = malloc(FW_TEST_RAM);
    memset(l->ram, FILL, FW_TEST_RAM);
    memset(l->err, 0, sizeof l->err);
    return mb1_load(&l->cfg, l->ram, FW_TEST_RAM, im->b, len, cmdline, mods, nmods, &l->entry,
                    l->err, sizeof l->err);
}

static const void *at(struct load *l, uint32_t addr)
{
    return l->ram + addr;
}

Test(firmware_multiboot, elf_segment_bss_and_entry)
{
    struct img im;
    struct load l = {0};
    elf_image(&im, LOAD_ADDR, LOAD_ADDR + 0x10);
    cr_assert_eq(load(&l, &im, sizeof im, "console=ttyS0", NULL, 0), 0, "%s", l.err);
    cr_assert_eq(memcmp(at(&l, LOAD_ADDR), im.b + SEG_OFF, SEG_FILESZ), 0, "the file part");
    for (unsigned i = SEG_FILESZ; i < SEG_MEMSZ; i++)
        cr_assert_eq(l.ram[LOAD_ADDR + i], 0, "bss byte %#x zeroed", i);
    cr_assert_eq(l.ram[LOAD_ADDR + SEG_MEMSZ], FILL, "nothing past p_memsz");
    cr_assert_eq(l.entry.eip, LOAD_ADDR + 0x10);
    cr_assert_eq(l.entry.eax, 0x2badb002);
    cr_assert_eq(l.entry.ebx, MB1_INFO_BASE);
    cr_assert_eq(l.entry.image_start, LOAD_ADDR);
    cr_assert_eq(l.entry.image_end, LOAD_ADDR + SEG_MEMSZ);
    free(l.ram);
}

Test(firmware_multiboot, boot_information)
{
    struct img im;
    struct load l = {0};
    static const uint8_t initrd[5000] = {1, 2, 3};
    static const uint8_t second[10] = {9};
    const struct fw_module mods[] = {{initrd, sizeof initrd, "initrd.gz"},
                                     {second, sizeof second, NULL}};
    elf_image(&im, LOAD_ADDR, LOAD_ADDR);
    cr_assert_eq(load(&l, &im, sizeof im, "a b=c", mods, 2), 0, "%s", l.err);
    struct mb1_info info;
    memcpy(&info, at(&l, l.entry.ebx), sizeof info);
    uint32_t want =
        MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MMAP | MB1_INFO_LOADER;
    cr_assert_eq(info.flags, want);
    cr_assert_eq(info.mem_lower, 639);
    cr_assert_eq(info.mem_upper, (FW_TEST_RAM - (1 << 20) - 0x40000) / 1024,
                 "1 MiB up to the ACPI region");
    cr_assert_str_eq(at(&l, info.cmdline), "a b=c");
    cr_assert_str_eq(at(&l, info.boot_loader_name), "baremu");

    /* the memory map is fw_e820()'s, in 24-byte entries whose size says 20 */
    struct fw_e820_entry map[FW_E820_MAX];
    int n = fw_e820(&l.cfg, map, FW_E820_MAX, l.err, sizeof l.err);
    cr_assert_eq(info.mmap_length, (uint32_t)n * 24);
    for (int i = 0; i < n; i++) {
        struct mb1_mmap_entry e;
        memcpy(&e, at(&l, info.mmap_addr + 24 * (uint32_t)i), sizeof e);
        cr_assert_eq(e.size, 20);
        cr_assert(e.base_addr == map[i].addr && e.length == map[i].size && e.type == map[i].type);
    }

    /* modules: page-aligned, after the kernel, with their strings */
    cr_assert_eq(info.mods_count, 2);
    struct mb1_module m[2];
    memcpy(m, at(&l, info.mods_addr), sizeof m);
    cr_assert_eq(m[0].mod_start % 4096, 0);
    cr_assert_geq(m[0].mod_start, LOAD_ADDR + SEG_MEMSZ);
    cr_assert_eq(m[0].mod_end - m[0].mod_start, sizeof initrd);
    cr_assert_eq(memcmp(at(&l, m[0].mod_start), initrd, sizeof initrd), 0);
    cr_assert_str_eq(at(&l, m[0].string), "initrd.gz");
    cr_assert_eq(m[1].mod_start % 4096, 0);
    cr_assert_geq(m[1].mod_start, m[0].mod_end);
    cr_assert_eq(memcmp(at(&l, m[1].mod_start), second, sizeof second), 0);
    cr_assert_str_eq(at(&l, m[1].string), "");
    free(l.ram);
}

/* the a.out kludge (3.1.3): the header's addresses decide, ELF or not */
Test(firmware_multiboot, aout_kludge)
{
    struct img im;
    struct load l = {0};
    memset(&im, 0x5c, sizeof im);
    uint32_t flags = MB1_AOUT_KLUDGE | MB1_PAGE_ALIGN;
    mb_header(&im, flags);
    uint32_t base = 0x200000;                   /* the file from offset 0 goes here */
    put32(im.b + HDR_OFF + 12, base + HDR_OFF); /* header_addr */
    put32(im.b + HDR_OFF + 16, base);           /* load_addr */
    put32(im.b + HDR_OFF + 20, 0);              /* load_end_addr: the whole file */
    put32(im.b + HDR_OFF + 24, base + 0x2000);  /* bss_end_addr */
    put32(im.b + HDR_OFF + 28, base + 0x300);   /* entry_addr */
    cr_assert_eq(load(&l, &im, sizeof im, NULL, NULL, 0), 0, "%s", l.err);
    cr_assert_eq(memcmp(at(&l, base), im.b, sizeof im), 0);
    cr_assert_eq(l.ram[base + sizeof im], 0, "bss");
    cr_assert_eq(l.ram[base + 0x1fff], 0, "bss end");
    cr_assert_eq(l.ram[base + 0x2000], FILL);
    cr_assert_eq(l.entry.eip, base + 0x300);
    struct mb1_info info;
    memcpy(&info, at(&l, l.entry.ebx), sizeof info);
    cr_assert_str_eq(at(&l, info.cmdline), "", "no command line: an empty one");
    free(l.ram);
}

/* ---- bad images: an error that names the field, and RAM untouched -------- */

static void expect_bad(struct img *im, size_t len, const char *needle)
{
    struct load l = {0};
    static const uint8_t mod[16];
    const struct fw_module m = {mod, sizeof mod, "m"};
    cr_assert_eq(load(&l, im, len, "x", &m, 1), -1, "want '%s'", needle);
    cr_assert(strstr(l.err, needle) != NULL, "'%s' should say '%s'", l.err, needle);
    cr_assert(strncmp(l.err, "multiboot: ", 11) == 0, "%s", l.err);
    for (uint32_t a = MB1_INFO_BASE; a < MB1_INFO_BASE + 256; a++)
        cr_assert_eq(l.ram[a], FILL, "the boot information is not written");
    for (uint32_t a = LOAD_ADDR; a < LOAD_ADDR + SEG_MEMSZ; a += 64)
        cr_assert_eq(l.ram[a], FILL, "the kernel is not written");
    free(l.ram);
}

Test(firmware_multiboot, no_header)
{
    struct img im;
    elf_image(&im, LOAD_ADDR, LOAD_ADDR);
    put32(im.b + HDR_OFF + 8, 0x12345678); /* a wrong checksum */
    expect_bad(&im, sizeof im, "no Multiboot header");
    expect_bad(&im, 8, "no Multiboot header");
}

Test(firmware_multiboot, unsupported_required_flag)
{
    struct img im;
    elf_image(&im, LOAD_ADDR, LOAD_ADDR);
    mb_header(&im, 1u << 3);
    expect_bad(&im, sizeof im, "required features 0x8");
}

Test(firmware_multiboot, elf_headers)
{
    struct img im;
    elf_image(&im, LOAD_ADDR, LOAD_ADDR);
    im.b[4] = 2;
    expect_bad(&im, sizeof im, "ELF64");
    elf_image(&im, LOAD_ADDR, LOAD_ADDR);
    memcpy(im.b, "MZ", 2);
    expect_bad(&im, sizeof im, "not an ELF file");
    elf_image(&im, LOAD_ADDR, LOAD_ADDR);
    put16(im.b + 18, 62);
    expect_bad(&im, sizeof im, "e_machine 62");
    elf_image(&im, LOAD_ADDR, LOAD_ADDR);
    put16(im.b + 44, 0x7fff); /* e_phnum: past the end */
    expect_bad(&im, sizeof im, "program headers at 0x34");
    elf_image(&im, LOAD_ADDR, LOAD_ADDR);
    put32(im.b + 28, 0xfffffff0); /* e_phoff */
    expect_bad(&im, sizeof im, "program headers at 0xfffffff0");
}

Test(firmware_multiboot, elf_segments)
{
    struct img im;
    elf_image(&im, LOAD_ADDR, LOAD_ADDR);
    put32(im.b + 52 + 16, SEG_MEMSZ + 1); /* p_filesz > p_memsz */
    expect_bad(&im, sizeof im, "ELF program header 0: p_filesz");
    elf_image(&im, LOAD_ADDR, LOAD_ADDR);
    put32(im.b + 52 + 4, 0xffffff00); /* p_offset: wraps */
    expect_bad(&im, sizeof im, "p_offset 0xffffff00");
    elf_image(&im, LOAD_ADDR, LOAD_ADDR);
    expect_bad(&im, SEG_OFF + 16, "passes the end of the file"); /* truncated */
    elf_image(&im, (uint32_t)PLAT_IOAPIC_BASE, (uint32_t)PLAT_IOAPIC_BASE);
    expect_bad(&im, sizeof im, "not in usable RAM");
    elf_image(&im, 0xfffff000, 0xfffff000); /* paddr + memsz wraps 4 GiB */
    expect_bad(&im, sizeof im, "not in usable RAM");
    elf_image(&im, 0x9f000, 0x9f000); /* into the EBDA */
    expect_bad(&im, sizeof im, "not in usable RAM");
    elf_image(&im, 0x20000, 0x20000);
    expect_bad(&im, sizeof im, "overlaps the boot information");
    elf_image(&im, LOAD_ADDR, LOAD_ADDR + SEG_FILESZ); /* the entry is in the bss */
    expect_bad(&im, sizeof im, "entry point 0x100200 is outside");
}

Test(firmware_multiboot, aout_fields)
{
    struct img im;
    memset(&im, 0, sizeof im);
    mb_header(&im, MB1_AOUT_KLUDGE);
    put32(im.b + HDR_OFF + 12, 0x100000);
    put32(im.b + HDR_OFF + 16, 0x100000 - 0x1000); /* load_addr: before the file starts */
    expect_bad(&im, sizeof im, "header_addr 0x100000");
    put32(im.b + HDR_OFF + 16, 0x100000 - HDR_OFF);
    put32(im.b + HDR_OFF + 20, 0x100000 - HDR_OFF + sizeof im + 1); /* load_end_addr */
    expect_bad(&im, sizeof im, "load_end_addr");
    put32(im.b + HDR_OFF + 20, 0);
    put32(im.b + HDR_OFF + 24, 0x100000); /* bss_end_addr inside the data */
    expect_bad(&im, sizeof im, "bss_end_addr");
    expect_bad(&im, HDR_OFF + 16, "a.out kludge fields are cut off");
}

Test(firmware_multiboot, modules_that_do_not_fit)
{
    struct img im;
    struct load l = {0};
    elf_image(&im, LOAD_ADDR, LOAD_ADDR);
    const struct fw_module big = {im.b, FW_TEST_RAM, "too big"}; /* only its length is used */
    cr_assert_eq(load(&l, &im, sizeof im, NULL, &big, 1), -1);
    cr_assert(strstr(l.err, "module 0:") != NULL, "%s", l.err);
    free(l.ram);
}
