/*
 * test_firmware_aml.c: the AML writer (firmware/aml.c) against encodings
 * worked out by hand from ACPI 6.3 chapter 20, and iasl's output.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "firmware/aml.h"

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static void expect(struct aml *a, const uint8_t *want, size_t n)
{
    const char *why = NULL;
    long len = aml_finish(a, &why);
    cr_assert_eq(len, (long)n, "length %ld, want %zu (%s)", len, n, why ? why : "no error");
    cr_assert_eq(memcmp(a->buf, want, n), 0);
}

Test(firmware_aml, pkglen_encodings)
{
    uint8_t e[4];
    cr_assert_eq(aml_pkglen_encode(0, e), 1);
    cr_assert_eq(e[0], 1);
    cr_assert_eq(aml_pkglen_encode(62, e), 1, "63 in all: one byte");
    cr_assert_eq(e[0], 63);
    cr_assert_eq(aml_pkglen_encode(63, e), 2, "65 in all: two bytes");
    cr_assert(e[0] == (0x40 | (65 & 0xf)) && e[1] == 65 >> 4);
    cr_assert_eq(aml_pkglen_encode(0xfff - 2, e), 2);
    cr_assert_eq(aml_pkglen_encode(0xfff - 1, e), 3);
    cr_assert(e[0] == (0x80 | 0x1) && e[1] == 0x00 && e[2] == 0x01, "0x1001 in all");
    cr_assert_eq(aml_pkglen_encode(0xfffff - 3, e), 3);
    cr_assert_eq(aml_pkglen_encode(0xfffff, e), 4);
    cr_assert_eq(aml_pkglen_encode(AML_PKGLEN_MAX - 4, e), 4);
    cr_assert_eq(aml_pkglen_encode(AML_PKGLEN_MAX, e), 0, "too long");
}

Test(firmware_aml, integers)
{
    uint8_t buf[64];
    struct aml a;
    aml_init(&a, buf, sizeof buf);
    aml_integer(&a, 0);
    aml_integer(&a, 1);
    aml_integer(&a, 0x0f);
    aml_integer(&a, 0x12c);
    aml_integer(&a, 0xfed00000);
    aml_integer(&a, 0x100000000ull);
    expect(&a, BYTES(0x00, 0x01, 0x0a, 0x0f, 0x0b, 0x2c, 0x01, 0x0c, 0x00, 0x00, 0xd0, 0xfe, 0x0e,
                     0, 0, 0, 0, 1, 0, 0, 0));
}

Test(firmware_aml, names)
{
    uint8_t buf[64];
    struct aml a;
    aml_init(&a, buf, sizeof buf);
    aml_namestring(&a, "_STA");
    aml_namestring(&a, "\\_PR_");
    aml_namestring(&a, "\\_SB.PCI0");
    aml_namestring(&a, "\\A.B.C");
    aml_namestring(&a, "\\");
    expect(&a, BYTES('_', 'S', 'T', 'A', '\\', '_', 'P', 'R', '_', '\\', 0x2e, '_', 'S', 'B', '_',
                     'P', 'C', 'I', '0', '\\', 0x2f, 3, 'A', '_', '_', '_', 'B', '_', '_', '_', 'C',
                     '_', '_', '_', '\\', 0x00));
}

Test(firmware_aml, bad_names_are_errors)
{
    static const char *const bad[] = {"1ABC", "ABCDE", "a", "A..B", "A-B"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t buf[64];
        struct aml a;
        const char *why = NULL;
        aml_init(&a, buf, sizeof buf);
        aml_namestring(&a, bad[i]);
        cr_assert_eq(aml_finish(&a, &why), -1, "'%s'", bad[i]);
        cr_assert_not_null(why);
    }
}

/* what iasl makes of: Processor (C001, 0x01, 0, 0) { Method (_STA) { Return (0x0F) } } */
Test(firmware_aml, processor_with_sta)
{
    uint8_t buf[64];
    struct aml a;
    aml_init(&a, buf, sizeof buf);
    aml_processor_begin(&a, "C001", 1, 0, 0);
    aml_method_return_int(&a, "_STA", 0x0f);
    aml_end(&a);
    expect(&a, BYTES(0x5b, 0x83, 0x15, 'C', '0', '0', '1', 0x01, 0, 0, 0, 0, 0x00, 0x14, 0x09, '_',
                     'S', 'T', 'A', 0x00, 0xa4, 0x0a, 0x0f));
}

Test(firmware_aml, device_string_buffer_package)
{
    uint8_t buf[64];
    struct aml a;
    aml_init(&a, buf, sizeof buf);
    aml_device_begin(&a, "D");
    aml_name(&a, "_HID");
    aml_string(&a, "AB");
    aml_name(&a, "B");
    aml_buffer(&a, "\x01\x02", 2);
    aml_end(&a);
    aml_package_begin(&a, 2);
    aml_integer(&a, 0);
    aml_integer(&a, 5);
    aml_end(&a);
    expect(&a, BYTES(0x5b, 0x82, 0x19, 'D', '_', '_', '_', 0x08, '_', 'H', 'I', 'D', 0x0d, 'A', 'B',
                     0, 0x08, 'B', '_', '_', '_', 0x11, 0x05, 0x0a, 0x02, 0x01, 0x02, 0x12, 0x05,
                     0x02, 0x00, 0x0a, 0x05));
}

/* a body of 100 bytes: the scope's PkgLength takes two bytes, the rest moves back */
Test(firmware_aml, long_bodies_take_longer_pkglens)
{
    uint8_t buf[256], filler[100];
    memset(filler, 0xa5, sizeof filler);
    struct aml a;
    aml_init(&a, buf, sizeof buf);
    aml_scope_begin(&a, "S");
    aml_bytes(&a, filler, sizeof filler);
    aml_end(&a);
    const char *why;
    cr_assert_eq(aml_finish(&a, &why), 1 + 2 + 4 + 100);
    cr_assert_eq(buf[0], AML_SCOPE_OP);
    cr_assert_eq(buf[1], 0x40 | ((2 + 4 + 100) & 0xf));
    cr_assert_eq(buf[2], (2 + 4 + 100) >> 4);
    cr_assert_eq(memcmp(buf + 3, "S___", 4), 0);
    cr_assert_eq(memcmp(buf + 7, filler, sizeof filler), 0);
}

Test(firmware_aml, misuse_and_overflow_are_errors)
{
    uint8_t buf[8];
    struct aml a;
    const char *why;
    aml_init(&a, buf, sizeof buf);
    aml_scope_begin(&a, "S");
    cr_assert_eq(aml_finish(&a, &why), -1, "left open");
    aml_init(&a, buf, sizeof buf);
    aml_end(&a);
    cr_assert_eq(aml_finish(&a, &why), -1, "closed without opening");
    aml_init(&a, buf, sizeof buf);
    aml_string(&a, "far too long for eight bytes");
    cr_assert_eq(aml_finish(&a, &why), -1);
    cr_assert(strstr(why, "does not fit") != NULL, "%s", why);
}
