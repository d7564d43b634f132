/*
 * test_firmware_loader.c: the ACPI tables as linker/loader files
 * (firmware/acpi_loader.h), run through a loader that does what SeaBIOS's
 * romfile_loader.c does: ALLOCATE places each file at an aligned address,
 * ADD_POINTER adds the source file's address to a little-endian field,
 * ADD_CHECKSUM subtracts the sum of a range from one byte. The linked
 * tables must then chain RSDP -> RSDT/XSDT -> FADT -> FACS/DSDT, every
 * checksum must be right, and each table must equal fw_build()'s.
 */
#include "fw_test.h"

#include "firmware/acpi_loader.h"

#define SPACE     (1u << 20)
#define RSDP_AT   0xF5A40u /* where the loader put each file */
#define TABLES_AT 0x700040u

struct linked {
    uint8_t *mem; /* SPACE bytes standing for guest RAM from 0x700000, plus the F segment */
    uint8_t fseg[0x10000];
};

static uint8_t *at(struct linked *k, uint64_t addr, size_t len)
{
    if (addr >= 0xF0000 && addr + len <= 0x100000)
        return k->fseg + (addr - 0xF0000);
    cr_assert(addr >= 0x700000 && addr + len <= 0x700000 + SPACE, "address 0x%llx",
              (unsigned long long)addr);
    return k->mem + (addr - 0x700000);
}

static void run_loader(const struct fw_acpi_files *f, struct linked *k)
{
    struct {
        const char *name;
        const uint8_t *data;
        uint32_t len;
        uint64_t addr;
    } file[2] = {{FW_LOADER_RSDP_FILE, f->rsdp, FW_LOADER_RSDP_SIZE, 0},
                 {FW_LOADER_TABLES_FILE, f->tables, f->tables_len, 0}};
    cr_assert_eq(f->loader_len % FW_LOADER_ENTRY_SIZE, 0);
    for (uint32_t e = 0; e < f->loader_len; e += FW_LOADER_ENTRY_SIZE) {
        const uint8_t *c = f->loader + e;
        uint32_t cmd;
        memcpy(&cmd, c, 4);
        c += 4;
        int which = -1;
        for (int n = 0; n < 2; n++)
            if (!strncmp((const char *)c, file[n].name, FW_LOADER_FILESZ))
                which = n;
        cr_assert_geq(which, 0, "command %u names an unknown file '%.56s'", cmd, c);
        if (cmd == FW_LOADER_ALLOCATE) {
            uint32_t align;
            memcpy(&align, c + FW_LOADER_FILESZ, 4);
            uint8_t zone = c[FW_LOADER_FILESZ + 4];
            uint64_t a = zone == FW_LOADER_ZONE_FSEG ? RSDP_AT : TABLES_AT;
            cr_assert_eq(zone, which == 0 ? FW_LOADER_ZONE_FSEG : FW_LOADER_ZONE_HIGH);
            cr_assert_eq(a % align, 0, "%s aligned to %u", file[which].name, align);
            file[which].addr = a;
            memcpy(at(k, a, file[which].len), file[which].data, file[which].len);
        } else if (cmd == FW_LOADER_ADD_POINTER) {
            int src =
                !strncmp((const char *)c + FW_LOADER_FILESZ, FW_LOADER_RSDP_FILE, FW_LOADER_FILESZ)
                    ? 0
                    : 1;
            uint32_t off;
            memcpy(&off, c + 2 * FW_LOADER_FILESZ, 4);
            uint8_t size = c[2 * FW_LOADER_FILESZ + 4];
            cr_assert(size == 4 || size == 8);
            cr_assert(file[which].addr && file[src].addr, "pointer before its ALLOCATE");
            cr_assert_leq(off + size, file[which].len);
            uint8_t *p = at(k, file[which].addr + off, size);
            uint64_t v = 0;
            memcpy(&v, p, size);
            v += file[src].addr;
            memcpy(p, &v, size);
        } else {
            cr_assert_eq(cmd, FW_LOADER_ADD_CHECKSUM);
            uint32_t off, start, len;
            memcpy(&off, c + FW_LOADER_FILESZ, 4);
            memcpy(&start, c + FW_LOADER_FILESZ + 4, 4);
            memcpy(&len, c + FW_LOADER_FILESZ + 8, 4);
            cr_assert_leq(start + len, file[which].len);
            uint8_t *base = at(k, file[which].addr, file[which].len);
            base[off] = (uint8_t)(base[off] - fw_test_sum(base + start, len));
        }
    }
}

static const uint8_t *table_at(struct linked *k, uint64_t addr, const char *sig)
{
    uint32_t len;
    const uint8_t *t = at(k, addr, 8);
    memcpy(&len, t + 4, 4);
    t = at(k, addr, len);
    cr_assert(!memcmp(t, sig, 4), "a %s at 0x%llx, found '%.4s'", sig, (unsigned long long)addr, t);
    if (strcmp(sig, "FACS"))
        cr_assert_eq(fw_test_sum(t, len), 0, "%s checksum", sig);
    return t;
}

Test(firmware_loader, linked_tables_chain_and_checksum)
{
    for (size_t n = 0; n < FW_TEST_NCOUNTS; n++) {
        struct fw_test t;
        fw_test_build(&t, fw_test_count(n));
        static struct fw_acpi_files f;
        static struct linked k;
        k.mem = calloc(1, SPACE);
        f.tables = malloc(fw_acpi_tables_size(&t.l));
        cr_assert(k.mem && f.tables);
        cr_assert_eq(fw_acpi_files(&t.l, t.ram, FW_TEST_RAM, &f, t.err, sizeof t.err), 0, "%s",
                     t.err);
        run_loader(&f, &k);

        const uint8_t *rsdp = at(&k, RSDP_AT, FW_LOADER_RSDP_SIZE);
        cr_assert(!memcmp(rsdp, "RSD PTR ", 8));
        cr_assert_eq(fw_test_sum(rsdp, 20), 0, "RSDP checksum");
        cr_assert_eq(fw_test_sum(rsdp, FW_LOADER_RSDP_SIZE), 0, "RSDP extended checksum");
        uint32_t rsdt_at;
        uint64_t xsdt_at;
        memcpy(&rsdt_at, rsdp + 16, 4);
        memcpy(&xsdt_at, rsdp + 24, 8);
        const uint8_t *rsdt = table_at(&k, rsdt_at, "RSDT");
        const uint8_t *xsdt = table_at(&k, xsdt_at, "XSDT");
        uint32_t len;
        memcpy(&len, xsdt + 4, 4);
        unsigned entries = (len - 36) / 8, seen_fadt = 0;
        for (unsigned e = 0; e < entries; e++) {
            uint64_t x;
            uint32_t r;
            memcpy(&x, xsdt + 36 + 8 * e, 8);
            memcpy(&r, rsdt + 36 + 4 * e, 4);
            cr_assert_eq(x, r, "RSDT and XSDT entry %u agree", e);
            const uint8_t *tb = at(&k, x, 4);
            const char *sig = (const char *)tb;
            /* each linked table is fw_build()'s, but for its pointer fields */
            if (!memcmp(sig, "APIC", 4) || !memcmp(sig, "HPET", 4) || !memcmp(sig, "SSDT", 4)) {
                const struct fw_blob *b = !memcmp(sig, "APIC", 4)   ? &t.l.madt
                                          : !memcmp(sig, "HPET", 4) ? &t.l.hpet
                                                                    : &t.l.ssdt;
                table_at(&k, x, (char[5]){sig[0], sig[1], sig[2], sig[3], 0});
                cr_assert(!memcmp(at(&k, x, b->len), t.ram + b->addr, b->len), "%.4s", sig);
            } else {
                cr_assert(!memcmp(sig, "FACP", 4), "entry %u is '%.4s'", e, sig);
                const uint8_t *fadt = table_at(&k, x, "FACP");
                uint32_t facs, dsdt;
                uint64_t xdsdt;
                memcpy(&facs, fadt + 36, 4);
                memcpy(&dsdt, fadt + 40, 4);
                memcpy(&xdsdt, fadt + 140, 8);
                table_at(&k, facs, "FACS");
                const uint8_t *d = table_at(&k, dsdt, "DSDT");
                cr_assert_eq(xdsdt, dsdt, "X_DSDT and DSDT agree");
                cr_assert_eq(facs % 64, 0, "FACS 64-byte aligned");
                cr_assert(!memcmp(d, t.ram + t.l.dsdt.addr, t.l.dsdt.len));
                seen_fadt++;
            }
        }
        cr_assert_eq(seen_fadt, 1);
        free(k.mem);
        free(f.tables);
        fw_test_free(&t);
    }
}

Test(firmware_loader, a_pointer_to_no_table_is_an_error)
{
    struct fw_test t;
    fw_test_build(&t, 2);
    static struct fw_acpi_files f;
    f.tables = malloc(fw_acpi_tables_size(&t.l));
    put32(t.ram + t.l.rsdt.addr + 36, 0x12345); /* the RSDT's first entry */
    cr_assert_eq(fw_acpi_files(&t.l, t.ram, FW_TEST_RAM, &f, t.err, sizeof t.err), -1);
    cr_assert(strstr(t.err, "is no table"), "%s", t.err);
    free(f.tables);
    fw_test_free(&t);
}
