/*
 * test_firmware_boot.c: fw_load_kernel() picks the loader as QEMU does
 * (firmware/boot.c): Linux setup header, then Multiboot, then PVH.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "firmware/boot.h"
#include "firmware/multiboot.h"
#include "fw_test.h"

#define IMG 0x400

static void linux_header(uint8_t *b)
{
    put16(b + 0x1fe, 0xaa55);
    put32(b + 0x202, 0x53726448); /* "HdrS", protocol 0.0: refused by the loader */
}

static void mb1_header(uint8_t *b, size_t off)
{
    put32(b + off, MB1_HEADER_MAGIC);
    put32(b + off + 8, (uint32_t)-MB1_HEADER_MAGIC);
}

/* an x86-64 ELF with only a PT_NOTE holding the PVH entry note */
static void pvh_elf(uint8_t *b)
{
    memcpy(b, "\177ELF\2\1\1", 7);
    put16(b + 16, 2), put16(b + 18, 62), put64(b + 32, 64);
    put16(b + 52, 64), put16(b + 54, 56), put16(b + 56, 1);
    put32(b + 64, 4), put64(b + 64 + 8, 0x100), put64(b + 64 + 32, 20);
    put32(b + 0x100, 4), put32(b + 0x104, 4), put32(b + 0x108, 18);
    memcpy(b + 0x10c, "Xen", 4);
    put32(b + 0x110, 0x1000000);
}

static const char *load_error(const uint8_t *image, size_t len, char *err, size_t errlen)
{
    struct fw_test t;
    fw_test_build(&t, 1);
    struct fw_entry e;
    cr_assert_eq(
        fw_load_kernel(&t.cfg, t.ram, FW_TEST_RAM, &t.l, image, len, "x", NULL, 0, &e, err, errlen),
        -1);
    fw_test_free(&t);
    return err;
}

Test(firmware_boot, kinds_in_qemus_order)
{
    static uint8_t b[IMG];
    char err[256];
    memset(b, 0, sizeof b);
    linux_header(b);
    cr_assert_eq(fw_kernel_kind(b, sizeof b), FW_KERNEL_LINUX);
    cr_assert(strncmp(load_error(b, sizeof b, err, sizeof err), "linux: ", 7) == 0, "%s", err);

    memset(b, 0, sizeof b);
    mb1_header(b, 0x40);
    cr_assert_eq(fw_kernel_kind(b, sizeof b), FW_KERNEL_MULTIBOOT);
    cr_assert(strncmp(load_error(b, sizeof b, err, sizeof err), "multiboot: ", 11) == 0, "%s", err);

    memset(b, 0, sizeof b);
    pvh_elf(b);
    cr_assert_eq(fw_kernel_kind(b, sizeof b), FW_KERNEL_PVH);
    cr_assert(strncmp(load_error(b, sizeof b, err, sizeof err), "pvh: ", 5) == 0, "%s", err);

    mb1_header(b, 0x200); /* an ELF with both: Multiboot first, as QEMU */
    cr_assert_eq(fw_kernel_kind(b, sizeof b), FW_KERNEL_MULTIBOOT);
    cr_assert_str_eq(fw_kernel_kind_name(FW_KERNEL_MULTIBOOT), "Multiboot");
}

Test(firmware_boot, unknown_images)
{
    static uint8_t b[IMG];
    char err[256];
    memset(b, 0x5a, sizeof b);
    cr_assert_eq(fw_kernel_kind(b, sizeof b), FW_KERNEL_UNKNOWN);
    cr_assert(strstr(load_error(b, sizeof b, err, sizeof err), "kernel: not a Linux bzImage") !=
                  NULL,
              "%s", err);
    cr_assert_eq(fw_kernel_kind(b, 0), FW_KERNEL_UNKNOWN);
    cr_assert_eq(fw_kernel_kind(NULL, 0), FW_KERNEL_UNKNOWN);
}
