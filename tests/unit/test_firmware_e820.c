/*
 * test_firmware_e820.c: the E820 map of firmware/fw.c: sorted, no overlaps,
 * and covering what it should for small and large machines.
 */
#include <criterion/criterion.h>

#include "emu/cmdline.h"
#include "emu/platform.h"
#include "fw_test.h"

struct map {
    struct fw_e820_entry e[FW_E820_MAX];
    int n;
};

static struct map e820(uint64_t ram)
{
    struct fw_config cfg = {4, NULL, ram, FW_CPU_PROCESSOR};
    struct map m;
    char err[256];
    m.n = fw_e820(&cfg, m.e, FW_E820_MAX, err, sizeof err);
    cr_assert_gt(m.n, 0, "%s", err);
    for (int i = 1; i < m.n; i++)
        cr_assert_geq(m.e[i].addr, m.e[i - 1].addr + m.e[i - 1].size, "sorted, no overlap at %d",
                      i);
    for (int i = 0; i < m.n; i++)
        cr_assert_gt(m.e[i].size, 0);
    return m;
}

/* the type of the entry holding [addr, addr+len), or 0 */
static uint32_t type_at(const struct map *m, uint64_t addr, uint64_t len)
{
    for (int i = 0; i < m->n; i++)
        if (addr >= m->e[i].addr && addr + len <= m->e[i].addr + m->e[i].size)
            return m->e[i].type;
    return 0;
}

static uint64_t total(const struct map *m, uint32_t type)
{
    uint64_t t = 0;
    for (int i = 0; i < m->n; i++)
        t += m->e[i].type == type ? m->e[i].size : 0;
    return t;
}

Test(firmware_e820, low_memory)
{
    struct map m = e820(128ull << 20);
    cr_assert_eq(type_at(&m, 0, PLAT_EBDA_BASE), E820_RAM);
    cr_assert_eq(type_at(&m, PLAT_EBDA_BASE, 1024), E820_RESERVED, "the EBDA");
    cr_assert_eq(type_at(&m, 0xa0000, 0x60000), E820_RESERVED, "640K..1M");
    cr_assert_eq(type_at(&m, 1 << 20, (128ull << 20) - (1 << 20) - 0x40000), E820_RAM);
    cr_assert_eq(type_at(&m, PLAT_IOAPIC_BASE, 0x1000), E820_RESERVED);
    cr_assert_eq(type_at(&m, PLAT_LAPIC_BASE, 0x1000), E820_RESERVED);
    cr_assert_eq(type_at(&m, PLAT_HPET_BASE, 0x1000), E820_RESERVED);
    cr_assert_eq(type_at(&m, PLAT_RAM_ABOVE_4G, 1), 0, "no RAM above 4 GiB");
    /* every byte of RAM is RAM, ACPI or NVS, but the EBDA and 640K..1M (reserved) */
    cr_assert_eq(total(&m, E820_RAM) + total(&m, E820_ACPI) + total(&m, E820_NVS) + 1024 + 0x60000,
                 128ull << 20);
}

Test(firmware_e820, acpi_tables_are_acpi_data_and_the_facs_nvs)
{
    for (size_t k = 0; k < FW_TEST_NCOUNTS; k++) {
        struct fw_test t;
        fw_test_build(&t, fw_test_count(k));
        struct map m = e820(FW_TEST_RAM);
        cr_assert_eq(type_at(&m, t.l.facs.addr, t.l.facs.len), E820_NVS);
        const struct fw_blob acpi[] = {t.l.rsdt, t.l.xsdt, t.l.fadt, t.l.madt,
                                       t.l.hpet, t.l.dsdt, t.l.ssdt};
        for (size_t i = 0; i < sizeof acpi / sizeof acpi[0]; i++)
            cr_assert_eq(type_at(&m, acpi[i].addr, acpi[i].len), E820_ACPI, "table %zu", i);
        /* the F segment (RSDP, MP, SMBIOS) is reserved */
        const struct fw_blob fseg[] = {t.l.rsdp,          t.l.mp_floating,   t.l.mp_config,
                                       t.l.smbios3_entry, t.l.smbios2_entry, t.l.smbios_table};
        for (size_t i = 0; i < sizeof fseg / sizeof fseg[0]; i++)
            cr_assert_eq(type_at(&m, fseg[i].addr, fseg[i].len), E820_RESERVED, "F seg %zu", i);
        fw_test_free(&t);
    }
}

Test(firmware_e820, ram_above_4g)
{
    uint64_t ram = 6ull << 30;
    struct map m = e820(ram);
    cr_assert_eq(type_at(&m, PLAT_RAM_ABOVE_4G, ram - PLAT_MMIO_HOLE_BASE), E820_RAM);
    cr_assert_eq(type_at(&m, PLAT_MMIO_HOLE_BASE, 1), 0, "the hole itself is not RAM");
    cr_assert_eq(type_at(&m, PLAT_MMIO_HOLE_BASE - 1, 1), E820_ACPI, "tables at its top");
    cr_assert_eq(total(&m, E820_RAM) + total(&m, E820_ACPI) + total(&m, E820_NVS) + 1024 + 0x60000,
                 ram);
    cr_assert_eq(m.e[m.n - 1].addr, PLAT_RAM_ABOVE_4G, "the last entry");
}

Test(firmware_e820, too_small_a_map_is_an_error)
{
    struct fw_config cfg = {1, NULL, 128ull << 20, FW_CPU_PROCESSOR};
    struct fw_e820_entry e[3];
    char err[256];
    cr_assert_eq(fw_e820(&cfg, e, 3, err, sizeof err), -1);
    cr_assert(strstr(err, "max: ") != NULL, "%s", err);
    cr_assert_str_eq(fw_e820_type_name(E820_NVS), "ACPI NVS");
}

/* the smallest machine the command line accepts gets tables too */
Test(firmware_e820, smallest_machine)
{
    struct fw_config cfg = {1, NULL, BAREMU_MIN_RAM, FW_CPU_PROCESSOR};
    uint8_t *ram = calloc(1, BAREMU_MIN_RAM);
    struct fw_layout l;
    char err[256];
    cr_assert_eq(fw_build(&cfg, ram, BAREMU_MIN_RAM, &l, err, sizeof err), 0, "%s", err);
    struct map m = e820(BAREMU_MIN_RAM);
    cr_assert_eq(type_at(&m, PLAT_HIGH_RAM_BASE, 0x1000), E820_RAM);
    free(ram);
}
