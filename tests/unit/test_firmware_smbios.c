/*
 * test_firmware_smbios.c: the SMBIOS entry points and structures of
 * firmware/smbios.c for 1, 2, 4, 64 and 300 vCPUs, and RAM sizes.
 */
#include <criterion/criterion.h>

#include "emu/platform.h"
#include "firmware/smbios.h"
#include "fw_test.h"

struct walk {
    unsigned count, max_size;
    uint8_t types[32];
    const struct smbios_type4 *cpu;
    const struct smbios_type16 *array;
    const struct smbios_type17 *dev;
    const struct smbios_type19 *mapped[2];
    unsigned nmapped;
};

static struct walk walk(struct fw_test *t)
{
    struct walk w = {0};
    const uint8_t *p = FW_AT(t, t->l.smbios_table), *end = p + t->l.smbios_table.len;
    for (;;) {
        cr_assert_lt(p + 4, end, "a structure header inside the table");
        const struct smbios_header *h = (const void *)p;
        cr_assert_lt(w.count, 32);
        w.types[w.count++] = h->type;
        const uint8_t *s = p + h->length;
        while (!(s[0] == 0 && s[1] == 0)) { /* 6.1.3: strings end with a double NUL */
            s++;
            cr_assert_lt(s + 1, end);
        }
        s += 2;
        if ((unsigned)(s - p) > w.max_size)
            w.max_size = (unsigned)(s - p);
        if (h->type == 4)
            w.cpu = (const void *)p;
        if (h->type == 16)
            w.array = (const void *)p;
        if (h->type == 17)
            w.dev = (const void *)p;
        if (h->type == 19)
            w.mapped[w.nmapped++] = (const void *)p;
        p = s;
        if (h->type == SMBIOS_TYPE_END)
            break;
    }
    cr_assert_eq(p, end, "the table ends after type 127");
    return w;
}

Test(firmware_smbios, entry_points)
{
    struct fw_test t;
    fw_test_build(&t, 4);
    const struct smbios3_entry *e3 = FW_AT(&t, t.l.smbios3_entry);
    cr_assert(t.l.smbios3_entry.addr >= 0xf0000 && t.l.smbios3_entry.addr % 16 == 0);
    cr_assert_eq(memcmp(e3->anchor, "_SM3_", 5), 0);
    cr_assert_eq(e3->length, 0x18);
    cr_assert_eq(fw_test_sum(e3, e3->length), 0);
    cr_assert_eq(e3->major, 3);
    cr_assert_eq(e3->revision, 1);
    cr_assert_eq(e3->table_addr, t.l.smbios_table.addr);
    cr_assert_geq(e3->table_max_size, t.l.smbios_table.len);

    const struct smbios2_entry *e2 = FW_AT(&t, t.l.smbios2_entry);
    cr_assert(t.l.smbios2_entry.addr >= 0xf0000 && t.l.smbios2_entry.addr % 16 == 0);
    cr_assert_eq(memcmp(e2->anchor, "_SM_", 4), 0);
    cr_assert_eq(memcmp(e2->int_anchor, "_DMI_", 5), 0);
    cr_assert_eq(e2->length, 0x1f);
    cr_assert_eq(fw_test_sum(e2, e2->length), 0);
    cr_assert_eq(fw_test_sum((const uint8_t *)e2 + 0x10, 15), 0, "the intermediate checksum");
    cr_assert_eq(e2->table_addr, t.l.smbios_table.addr);
    cr_assert_eq(e2->table_length, t.l.smbios_table.len);
    cr_assert_eq(e2->bcd_revision, 0x28);

    struct walk w = walk(&t);
    cr_assert_eq(e2->struct_count, w.count);
    cr_assert_eq(e2->max_struct_size, w.max_size);
    static const uint8_t want[] = {0, 1, 3, 4, 16, 17, 19, 32, 127};
    cr_assert_eq(w.count, sizeof want);
    cr_assert_eq(memcmp(w.types, want, sizeof want), 0, "types 0 1 3 4 16 17 19 32 127");
    fw_test_free(&t);
}

Test(firmware_smbios, processor_counts)
{
    for (size_t k = 0; k < FW_TEST_NCOUNTS; k++) {
        unsigned n = fw_test_count(k);
        struct fw_test t;
        fw_test_build(&t, n);
        struct walk w = walk(&t);
        const struct smbios_type4 *c = w.cpu;
        cr_assert_not_null(c);
        cr_assert_eq(c->h.length, 0x30, "the 3.0 layout with the count 2 fields");
        unsigned want8 = n < 255 ? n : 0xff; /* SMBIOS 3.3 7.5.6 */
        cr_assert_eq(c->core_count, want8, "%u vCPUs", n);
        cr_assert_eq(c->core_enabled, want8);
        cr_assert_eq(c->thread_count, want8);
        cr_assert_eq(c->core_count2, n);
        cr_assert_eq(c->core_enabled2, n);
        cr_assert_eq(c->thread_count2, n);
        cr_assert_eq(c->status, 0x41);
        fw_test_free(&t);
    }
}

static struct walk walk_ram(uint64_t ram_size, struct fw_test *t)
{
    memset(t, 0, sizeof *t);
    t->cfg = (struct fw_config){2, NULL, ram_size, FW_CPU_PROCESSOR};
    uint64_t len = ram_size < PLAT_MMIO_HOLE_BASE ? ram_size : PLAT_MMIO_HOLE_BASE;
    t->ram = calloc(1, len);
    cr_assert_not_null(t->ram);
    cr_assert_eq(fw_build(&t->cfg, t->ram, len, &t->l, t->err, sizeof t->err), 0, "%s", t->err);
    return walk(t);
}

Test(firmware_smbios, memory_below_the_hole)
{
    struct fw_test t;
    struct walk w = walk_ram(64ull << 20, &t);
    cr_assert_eq(w.array->max_capacity_kb, 64 * 1024);
    cr_assert_eq(w.dev->size, 64, "MiB");
    cr_assert_eq(w.nmapped, 1);
    cr_assert_eq(w.mapped[0]->start_kb, 0);
    cr_assert_eq(w.mapped[0]->end_kb, 64 * 1024 - 1, "the last KiB");
    fw_test_free(&t);
}

Test(firmware_smbios, memory_above_4g)
{
    struct fw_test t;
    struct walk w = walk_ram(40ull << 30, &t); /* 40 GiB: the 7.18.5 extended size */
    cr_assert_eq(w.dev->size, 0x7fff);
    cr_assert_eq(w.dev->ext_size_mb, 40 * 1024);
    cr_assert_eq(w.nmapped, 2);
    cr_assert_eq(w.mapped[0]->end_kb, (3ull << 20) - 1, "up to the hole at 3 GiB");
    cr_assert_eq(w.mapped[1]->start_kb, 4ull << 20);
    cr_assert_eq(w.mapped[1]->end_kb, (4ull << 20) + (37ull << 20) - 1);
    fw_test_free(&t);
}
