/*
 * test_firmware_linux.c: the Linux bzImage loader (firmware/linux.c) with
 * images built here from the header layout of Documentation/x86/boot.rst.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "emu/platform.h"
#include "emu/x86.h"
#include "firmware/linux.h"
#include "fw_test.h"

#define SETUP_SECTS 1
#define SETUP_SIZE  ((SETUP_SECTS + 1) * 512)
#define PAYLOAD     0x1000
#define IMG_SIZE    (SETUP_SIZE + PAYLOAD)
#define PREF        0x1000000u
#define INIT_SIZE   0x20000u
#define RSDP        0xf0000u
#define FILL        0xaa

struct img {
    uint8_t b[IMG_SIZE];
};

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* a 2.15 bzImage: relocatable, 64-bit entry, 2 MiB alignment */
static void bzimage(struct img *im)
{
    memset(im, 0, sizeof *im);
    uint8_t *b = im->b;
    b[0x1f1] = SETUP_SECTS;
    put16(b + 0x1fe, 0xaa55);
    b[0x201] = 0x6a; /* the header ends at 0x26c */
    put32(b + 0x202, 0x53726448);
    put16(b + 0x206, 0x020f);
    b[0x211] = 0x01; /* LOADED_HIGH */
    put32(b + 0x22c, 0x37ffffff);
    put32(b + 0x230, 0x200000);
    b[0x234] = 1;
    put16(b + 0x236, 0x0003); /* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
    put32(b + 0x238, 2047);
    put64(b + 0x258, PREF);
    put32(b + 0x260, INIT_SIZE);
    for (unsigned i = 0; i < PAYLOAD; i++)
        b[SETUP_SIZE + i] = (uint8_t)(i ^ 0x5a);
}

struct load {
    struct fw_config cfg;
    uint8_t *ram;
    struct fw_entry entry;
    char err[256];
};

static int load(struct load *l, const struct img *im, size_t len, const char *cmdline,
                const uint8_t *initrd, size_t initrd_len)
{
    l->cfg = (struct fw_config){4, NULL, FW_TEST_RAM, FW_CPU_PROCESSOR};
    if (l->ram == NULL)
        l->ram = malloc(FW_TEST_RAM);
    memset(l->ram, FILL, FW_TEST_RAM);
    return linux_load(&l->cfg, l->ram, FW_TEST_RAM, im->b, len, cmdline, initrd, initrd_len, RSDP,
                      &l->entry, l->err, sizeof l->err);
}

Test(firmware_linux, kernel_zero_page_and_entry)
{
    struct img im;
    struct load l = {0};
    static uint8_t initrd[10000];
    memset(initrd, 0x42, sizeof initrd);
    bzimage(&im);
    cr_assert(linux_probe(im.b, sizeof im.b));
    cr_assert_eq(load(&l, &im, sizeof im, "console=ttyS0 quiet", initrd, sizeof initrd), 0, "%s",
                 l.err);
    /* the protected-mode kernel at pref_address, the rest of init_size zeroed */
    cr_assert_eq(memcmp(l.ram + PREF, im.b + SETUP_SIZE, PAYLOAD), 0);
    cr_assert_eq(l.ram[PREF + INIT_SIZE - 1], 0);
    cr_assert_eq(l.ram[PREF + INIT_SIZE], FILL);
    cr_assert_eq(l.entry.mode, FW_ENTRY_LONG64);
    cr_assert_eq(l.entry.rip, PREF + 0x200, "the 64-bit entry");
    cr_assert_eq(l.entry.rsi, LINUX_ZERO_PAGE);
    cr_assert_eq(l.entry.cs, 0x10);
    cr_assert_eq(l.entry.ds, 0x18);

    const uint8_t *zp = l.ram + LINUX_ZERO_PAGE;
    /* the setup header, copied, but for the fields the loader writes (0x210..0x22b) */
    cr_assert_eq(memcmp(zp + 0x1f1, im.b + 0x1f1, 0x210 - 0x1f1), 0, "the setup header");
    cr_assert_eq(memcmp(zp + 0x22c, im.b + 0x22c, 0x26c - 0x22c), 0, "the setup header");
    cr_assert_eq(zp[0x26c], 0, "nothing after it");
    cr_assert_eq(zp[0x210], 0xff, "type_of_loader");
    cr_assert_str_eq((const char *)l.ram + get32(zp + 0x228), "console=ttyS0 quiet");
    cr_assert_eq(get64(zp + 0x070), RSDP, "acpi_rsdp_addr");
    uint32_t rd = get32(zp + 0x218);
    cr_assert_eq(get32(zp + 0x21c), sizeof initrd);
    cr_assert_eq(rd % 4096, 0);
    cr_assert_geq(rd, PREF + INIT_SIZE, "above the kernel");
    cr_assert_leq(rd + sizeof initrd, FW_TEST_RAM - 0x40000, "below the ACPI region");
    cr_assert_eq(memcmp(l.ram + rd, initrd, sizeof initrd), 0);

    /* the E820 map */
    struct fw_e820_entry map[FW_E820_MAX];
    int n = fw_e820(&l.cfg, map, FW_E820_MAX, l.err, sizeof l.err);
    cr_assert_eq(zp[0x1e8], n);
    for (int i = 0; i < n; i++) {
        const uint8_t *e = zp + 0x2d0 + 20 * i;
        cr_assert(get64(e) == map[i].addr && get64(e + 8) == map[i].size &&
                  get32(e + 16) == map[i].type);
    }
    free(l.ram);
}

/* CR3's tables map the low 4 GiB 1:1; the GDT holds flat __BOOT_CS and __BOOT_DS */
Test(firmware_linux, identity_map_and_gdt)
{
    struct img im;
    struct load l = {0};
    bzimage(&im);
    cr_assert_eq(load(&l, &im, sizeof im, NULL, NULL, 0), 0, "%s", l.err);
    static const uint64_t probes[] = {0,          PREF,      PREF + 0x200, LINUX_ZERO_PAGE,
                                      0xfee00000, 0xffffffff};
    for (size_t k = 0; k < sizeof probes / sizeof probes[0]; k++) {
        uint64_t va = probes[k];
        uint64_t pml4e = get64(l.ram + l.entry.cr3 + 8 * ((va >> 39) & 511));
        cr_assert(pml4e & PTE_P);
        uint64_t pdpte = get64(l.ram + (pml4e & ~0xfffull) + 8 * ((va >> 30) & 511));
        cr_assert(pdpte & PTE_P);
        uint64_t pde = get64(l.ram + (pdpte & ~0xfffull) + 8 * ((va >> 21) & 511));
        cr_assert((pde & (PTE_P | PTE_W | PTE_PS)) == (PTE_P | PTE_W | PTE_PS));
        cr_assert_eq((pde & ~0x1fffffull) | (va & 0x1fffff), va, "0x%llx maps to itself",
                     (unsigned long long)va);
    }
    cr_assert_eq(l.entry.gdt_limit, 31);
    uint64_t cs = get64(l.ram + l.entry.gdt_base + l.entry.cs);
    uint64_t ds = get64(l.ram + l.entry.gdt_base + l.entry.ds);
    cr_assert(cs & (1ull << 53), "L: 64-bit code");
    cr_assert(cs & (1ull << 47), "present");
    cr_assert_eq((cs >> 40) & 0x8, 0x8, "code");
    cr_assert(ds & (1ull << 47));
    cr_assert_eq((ds >> 40) & 0xa, 0x2, "writable data");
    free(l.ram);
}

static void expect_bad(struct img *im, size_t len, const char *cmdline, size_t initrd_len,
                       const char *needle)
{
    struct load l = {0};
    static uint8_t initrd[1];
    cr_assert_eq(load(&l, im, len, cmdline, initrd_len ? initrd : NULL, initrd_len), -1, "want %s",
                 needle);
    cr_assert(strstr(l.err, needle) != NULL, "'%s' should say '%s'", l.err, needle);
    cr_assert(strncmp(l.err, "linux: ", 7) == 0);
    cr_assert_eq(l.ram[PREF], FILL, "nothing loaded");
    cr_assert_eq(l.ram[LINUX_ZERO_PAGE], FILL, "no zero page");
    free(l.ram);
}

Test(firmware_linux, bad_images)
{
    struct img im;
    bzimage(&im);
    put16(im.b + 0x1fe, 0);
    expect_bad(&im, sizeof im, NULL, 0, "no setup header");
    bzimage(&im);
    expect_bad(&im, 0x200, NULL, 0, "no setup header");
    bzimage(&im);
    put16(im.b + 0x206, 0x020b);
    expect_bad(&im, sizeof im, NULL, 0, "boot protocol 2.11");
    bzimage(&im);
    put16(im.b + 0x236, 0);
    expect_bad(&im, sizeof im, NULL, 0, "XLF_KERNEL_64");
    bzimage(&im);
    im.b[0x211] = 0;
    expect_bad(&im, sizeof im, NULL, 0, "not LOADED_HIGH");
    bzimage(&im);
    im.b[0x1f1] = 200; /* setup longer than the file */
    expect_bad(&im, sizeof im, NULL, 0, "setup_sects 200");
    bzimage(&im);
    im.b[0x201] = 0x10; /* the header would end before init_size */
    expect_bad(&im, sizeof im, NULL, 0, "setup header ends at 0x212");
    bzimage(&im);
    put64(im.b + 0x258, PREF + 0x1000);
    expect_bad(&im, sizeof im, NULL, 0, "not a multiple of kernel_alignment");
    bzimage(&im);
    put32(im.b + 0x230, 0x3000);
    expect_bad(&im, sizeof im, NULL, 0, "kernel_alignment 0x3000");
    bzimage(&im);
    put32(im.b + 0x260, 0xfe000000); /* init_size: far beyond RAM */
    expect_bad(&im, sizeof im, NULL, 0, "pref_address + init_size");
    bzimage(&im);
    put64(im.b + 0x258, 0x80000);
    im.b[0x234] = 0;
    expect_bad(&im, sizeof im, NULL, 0, "below 1 MiB");
    bzimage(&im);
    put32(im.b + 0x238, 4);
    expect_bad(&im, sizeof im, "console=ttyS0", 0, "cmdline: 13 bytes");
    bzimage(&im);
    put32(im.b + 0x22c, PREF); /* initrd_addr_max below the kernel's end */
    expect_bad(&im, sizeof im, NULL, 1, "initrd: 1 bytes do not fit");
}
