/*
 * test_firmware_pvh.c: the PVH loader (firmware/pvh.c) with ELF64 and ELF32
 * images built here, good and bad.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "emu/platform.h"
#include "firmware/boot.h"
#include "firmware/pvh.h"
#include "fw_test.h"

#define IMG_SIZE   0x400
#define NOTE_OFF   0x100
#define SEG_OFF    0x200
#define SEG_FILESZ 0x100
#define SEG_MEMSZ  0x800
#define PADDR      0x1000000u /* 16 MiB, where Linux loads */
#define ENTRY      (PADDR + 0x40)
#define RSDP       0xf0000u
#define FILL       0xaa

struct img {
    uint8_t b[IMG_SIZE];
};

/* the Xen note: namesz 4, descsz, type 18, "Xen\0", the entry */
static void note(struct img *im, uint32_t descsz, uint64_t entry, uint32_t type)
{
    uint8_t *n = im->b + NOTE_OFF;
    put32(n, 4), put32(n + 4, descsz), put32(n + 8, type);
    memcpy(n + 12, "Xen", 4);
    if (descsz == 8)
        put64(n + 16, entry);
    else
        put32(n + 16, (uint32_t)entry);
}

/* an x86-64 ELF: a PT_LOAD at PADDR and a PT_NOTE with the entry */
static void elf64_image(struct img *im, uint64_t entry, uint32_t descsz)
{
    memset(im, 0, sizeof *im);
    memcpy(im->b, "\177ELF\2\1\1", 7);
    put16(im->b + 16, 2), put16(im->b + 18, 62), put32(im->b + 20, 1);
    put64(im->b + 24, 0xffffffff81000000ull); /* e_entry: virtual, unused by PVH */
    put64(im->b + 32, 64);                    /* e_phoff */
    put16(im->b + 52, 64), put16(im->b + 54, 56), put16(im->b + 56, 2);
    uint8_t *ph = im->b + 64;
    put32(ph, 1), put64(ph + 8, SEG_OFF), put64(ph + 16, 0xffffffff81000000ull);
    put64(ph + 24, PADDR), put64(ph + 32, SEG_FILESZ), put64(ph + 40, SEG_MEMSZ);
    ph += 56;
    put32(ph, 4), put64(ph + 8, NOTE_OFF), put64(ph + 32, 24), put64(ph + 40, 24);
    note(im, descsz, entry, PVH_NOTE_PHYS32_ENTRY);
    for (unsigned i = 0; i < SEG_FILESZ; i++)
        im->b[SEG_OFF + i] = (uint8_t)(i + 3);
}

/* an i386 ELF, the same layout in 32-bit headers (baremu's own kernel is ELF64) */
static void elf32_image(struct img *im, uint32_t entry)
{
    memset(im, 0, sizeof *im);
    memcpy(im->b, "\177ELF\1\1\1", 7);
    put16(im->b + 16, 2), put16(im->b + 18, 3), put32(im->b + 20, 1);
    put32(im->b + 28, 52), put16(im->b + 40, 52), put16(im->b + 42, 32), put16(im->b + 44, 2);
    uint8_t *ph = im->b + 52;
    put32(ph, 1), put32(ph + 4, SEG_OFF), put32(ph + 12, PADDR);
    put32(ph + 16, SEG_FILESZ), put32(ph + 20, SEG_MEMSZ);
    ph += 32;
    put32(ph, 4), put32(ph + 4, NOTE_OFF), put32(ph + 16, 20), put32(ph + 20, 20);
    note(im, 4, entry, PVH_NOTE_PHYS32_ENTRY);
}

struct load {
    struct fw_config cfg;
    uint8_t *ram;
    struct fw_entry entry;
    char err[256];
};

static int load(struct load *l, const struct img *im, const char *cmdline,
                const struct fw_module *mods, unsigned nmods)
{
    l->cfg = (struct fw_config){4, NULL, FW_TEST_RAM, FW_CPU_PROCESSOR};
    if (l->ram == NULL)
        l->ram = malloc(FW_TEST_RAM);
    memset(l->ram, FILL, FW_TEST_RAM);
    return pvh_load(&l->cfg, l->ram, FW_TEST_RAM, im->b, sizeof im->b, cmdline, mods, nmods, RSDP,
                    &l->entry, l->err, sizeof l->err);
}

Test(firmware_pvh, elf64_with_an_8_byte_note_as_linux_writes)
{
    struct img im;
    struct load l = {0};
    static const uint8_t initrd[3000] = {7, 7, 7};
    const struct fw_module mod = {initrd, sizeof initrd, "initrd"};
    elf64_image(&im, ENTRY, 8);
    cr_assert(pvh_probe(im.b, sizeof im.b));
    cr_assert_eq(load(&l, &im, "console=ttyS0", &mod, 1), 0, "%s", l.err);
    cr_assert_eq(l.entry.eip, ENTRY);
    cr_assert_eq(l.entry.ebx, FW_BOOTINFO_BASE);
    cr_assert_eq(memcmp(l.ram + PADDR, im.b + SEG_OFF, SEG_FILESZ), 0);
    cr_assert_eq(l.ram[PADDR + SEG_MEMSZ - 1], 0, "bss");
    cr_assert_eq(l.ram[PADDR + SEG_MEMSZ], FILL);

    struct hvm_start_info si;
    memcpy(&si, l.ram + l.entry.ebx, sizeof si);
    cr_assert_eq(si.magic, 0x336ec578);
    cr_assert_eq(si.version, 1);
    cr_assert_eq(si.rsdp_paddr, RSDP);
    cr_assert_str_eq((const char *)l.ram + si.cmdline_paddr, "console=ttyS0");
    struct fw_e820_entry map[FW_E820_MAX];
    int n = fw_e820(&l.cfg, map, FW_E820_MAX, l.err, sizeof l.err);
    cr_assert_eq(si.memmap_entries, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        struct hvm_memmap_table_entry e;
        memcpy(&e, l.ram + si.memmap_paddr + 24 * (unsigned)i, sizeof e);
        cr_assert(e.addr == map[i].addr && e.size == map[i].size && e.type == map[i].type);
    }
    cr_assert_eq(si.nr_modules, 1);
    struct hvm_modlist_entry m;
    memcpy(&m, l.ram + si.modlist_paddr, sizeof m);
    cr_assert_eq(m.size, sizeof initrd);
    cr_assert_eq(m.paddr % 4096, 0);
    cr_assert_geq(m.paddr, PADDR + SEG_MEMSZ);
    cr_assert_eq(memcmp(l.ram + m.paddr, initrd, sizeof initrd), 0);
    cr_assert_str_eq((const char *)l.ram + m.cmdline_paddr, "initrd");
    free(l.ram);
}

/* what build/baremu -kernel K.elf -initrd F gives, and qemu -kernel too: a module without a
 * string, so the bare-metal kernel takes it for its -kernel (kernel/guest.c) */
Test(firmware_pvh, initrd_through_fw_load_kernel_has_no_string_as_under_qemu)
{
    struct img im;
    struct fw_test t;
    struct fw_entry e;
    static const uint8_t initrd[100] = {9};
    elf64_image(&im, ENTRY, 8);
    fw_test_build(&t, 2);
    cr_assert_eq(fw_load_kernel(&t.cfg, t.ram, FW_TEST_RAM, &t.l, im.b, sizeof im.b, "-smp 2",
                                initrd, sizeof initrd, &e, t.err, sizeof t.err),
                 0, "%s", t.err);
    struct hvm_start_info si;
    memcpy(&si, t.ram + e.ebx, sizeof si);
    cr_assert_eq(si.nr_modules, 1);
    struct hvm_modlist_entry m;
    memcpy(&m, t.ram + si.modlist_paddr, sizeof m);
    cr_assert_eq(m.size, sizeof initrd);
    cr_assert_eq(m.cmdline_paddr, 0, "no module string");
    cr_assert_eq(memcmp(t.ram + m.paddr, initrd, sizeof initrd), 0);
    fw_test_free(&t);
}

Test(firmware_pvh, elf32_with_a_4_byte_note)
{
    struct img im;
    struct load l = {0};
    elf32_image(&im, ENTRY);
    cr_assert_eq(load(&l, &im, NULL, NULL, 0), 0, "%s", l.err);
    cr_assert_eq(l.entry.eip, ENTRY);
    struct hvm_start_info si;
    memcpy(&si, l.ram + l.entry.ebx, sizeof si);
    cr_assert_eq(si.nr_modules, 0);
    cr_assert_eq(si.modlist_paddr, 0);
    free(l.ram);
}

static void expect_bad(struct img *im, const char *needle)
{
    struct load l = {0};
    cr_assert_eq(load(&l, im, "x", NULL, 0), -1, "want '%s'", needle);
    cr_assert(strstr(l.err, needle) != NULL, "'%s' should say '%s'", l.err, needle);
    cr_assert(strncmp(l.err, "pvh: ", 5) == 0, "%s", l.err);
    cr_assert_eq(l.ram[PADDR], FILL, "nothing loaded");
    cr_assert_eq(l.ram[FW_BOOTINFO_BASE], FILL, "no start info");
    free(l.ram);
}

Test(firmware_pvh, bad_images)
{
    struct img im;
    elf64_image(&im, ENTRY, 8);
    note(&im, 8, ENTRY, 17); /* another note type */
    cr_assert_not(pvh_probe(im.b, sizeof im.b));
    expect_bad(&im, "no XEN_ELFNOTE_PHYS32_ENTRY note");
    elf64_image(&im, ENTRY, 2);
    expect_bad(&im, "2 bytes (want 4 or 8)");
    elf64_image(&im, 0x100000000ull + ENTRY, 8);
    expect_bad(&im, "above 4 GiB");
    elf64_image(&im, PADDR + SEG_FILESZ + 8, 8);
    expect_bad(&im, "outside every loaded segment");
    elf64_image(&im, ENTRY, 8);
    put64(im.b + 64 + 24, (uint64_t)PLAT_LAPIC_BASE); /* p_paddr in the MMIO hole */
    expect_bad(&im, "not in usable RAM");
    elf64_image(&im, ENTRY, 8);
    put16(im.b + 18, 3); /* e_machine 386 in an ELF64 */
    expect_bad(&im, "e_machine 3");
    elf64_image(&im, ENTRY, 8);
    put32(im.b + NOTE_OFF + 4, 0xfffffff0); /* descsz wraps */
    expect_bad(&im, "no XEN_ELFNOTE_PHYS32_ENTRY note");
}
