/*
 * test_firmware_acpi.c: the ACPI tables of firmware/acpi.c and ssdt.c, for
 * 1, 2, 4, 64 and 300 vCPUs: lengths, checksums, pointers, MADT entries,
 * and the SSDT's processor objects with their _MAT.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "emu/platform.h"
#include "firmware/acpi.h"
#include "firmware/aml.h"
#include "firmware/fw_internal.h"
#include "fw_test.h"

static const struct acpi_header *table(struct fw_test *t, struct fw_blob b, const char *sig)
{
    cr_assert_neq(b.addr, 0, "%s placed", sig);
    const struct acpi_header *h = FW_AT(t, b);
    cr_assert_eq(memcmp(h->signature, sig, 4), 0, "%s signature", sig);
    cr_assert_eq(h->length, b.len, "%s length %u, layout says %u", sig, h->length, b.len);
    cr_assert_eq(fw_test_sum(h, h->length), 0, "%s checksum", sig);
    return h;
}

/* ---- RSDP, RSDT, XSDT --------------------------------------------------------- */

Test(firmware_acpi, rsdp_in_the_bios_area_with_both_checksums)
{
    for (size_t k = 0; k < FW_TEST_NCOUNTS; k++) {
        struct fw_test t;
        fw_test_build(&t, fw_test_count(k));
        const struct acpi_rsdp *r = FW_AT(&t, t.l.rsdp);
        cr_assert(t.l.rsdp.addr >= PLAT_BIOS_BASE && t.l.rsdp.addr + 36 <= PLAT_BIOS_END);
        cr_assert_eq(t.l.rsdp.addr % 16, 0, "ACPI 6.3 5.2.5.1: on a 16-byte boundary");
        cr_assert_eq(memcmp(r->signature, "RSD PTR ", 8), 0);
        cr_assert_eq(r->revision, 2);
        cr_assert_eq(r->length, 36);
        cr_assert_eq(fw_test_sum(r, 20), 0, "the ACPI 1.0 checksum");
        cr_assert_eq(fw_test_sum(r, 36), 0, "the extended checksum");
        cr_assert_eq(r->rsdt_addr, t.l.rsdt.addr);
        cr_assert_eq(r->xsdt_addr, t.l.xsdt.addr);
        fw_test_free(&t);
    }
}

Test(firmware_acpi, rsdt_and_xsdt_list_the_same_tables)
{
    for (size_t k = 0; k < FW_TEST_NCOUNTS; k++) {
        struct fw_test t;
        fw_test_build(&t, fw_test_count(k));
        const struct acpi_header *rsdt = table(&t, t.l.rsdt, "RSDT");
        const struct acpi_header *xsdt = table(&t, t.l.xsdt, "XSDT");
        const struct fw_blob want[] = {t.l.fadt, t.l.madt, t.l.hpet, t.l.ssdt};
        const size_t n = sizeof want / sizeof want[0];
        cr_assert_eq(rsdt->length, 36 + 4 * n);
        cr_assert_eq(xsdt->length, 36 + 8 * n);
        for (size_t i = 0; i < n; i++) {
            uint32_t r32;
            uint64_t x64;
            memcpy(&r32, (const uint8_t *)(rsdt + 1) + 4 * i, 4);
            memcpy(&x64, (const uint8_t *)(xsdt + 1) + 8 * i, 8);
            cr_assert_eq(r32, want[i].addr, "RSDT entry %zu", i);
            cr_assert_eq(x64, want[i].addr, "XSDT entry %zu", i);
        }
        fw_test_free(&t);
    }
}

Test(firmware_acpi, every_table_lies_in_the_acpi_region)
{
    struct fw_test t;
    fw_test_build(&t, 300);
    const struct fw_blob tables[] = {t.l.rsdt, t.l.xsdt, t.l.fadt, t.l.madt,
                                     t.l.hpet, t.l.dsdt, t.l.ssdt};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        cr_assert_geq(tables[i].addr, t.l.acpi_reclaim.addr, "table %zu", i);
        cr_assert_leq(tables[i].addr + tables[i].len, t.l.acpi_reclaim.addr + t.l.acpi_reclaim.len);
        for (size_t j = 0; j < i; j++) /* and no two overlap */
            cr_assert(tables[i].addr >= tables[j].addr + tables[j].len ||
                          tables[j].addr >= tables[i].addr + tables[i].len,
                      "tables %zu and %zu overlap", i, j);
    }
    cr_assert_geq(t.l.facs.addr, t.l.acpi_nvs.addr);
    cr_assert_leq(t.l.facs.addr + 64, t.l.acpi_nvs.addr + t.l.acpi_nvs.len);
    cr_assert_eq(t.l.acpi_nvs.addr + t.l.acpi_nvs.len, t.l.acpi_reclaim.addr);
    cr_assert_eq(t.l.acpi_reclaim.addr + t.l.acpi_reclaim.len, FW_TEST_RAM,
                 "the region ends low RAM");
    fw_test_free(&t);
}

/* ---- FADT, FACS, HPET, DSDT ------------------------------------------------------ */

Test(firmware_acpi, fadt_describes_the_platform)
{
    for (size_t k = 0; k < FW_TEST_NCOUNTS; k++) {
        unsigned n = fw_test_count(k);
        struct fw_test t;
        fw_test_build(&t, n);
        const struct acpi_fadt *f = (const void *)table(&t, t.l.fadt, "FACP");
        cr_assert_eq(f->h.length, 276);
        cr_assert_eq(f->h.revision, 6);
        cr_assert_eq(f->minor_version, 3);
        cr_assert_eq(f->dsdt, t.l.dsdt.addr);
        cr_assert_eq(f->x_dsdt, t.l.dsdt.addr);
        cr_assert_eq(f->firmware_ctrl, t.l.facs.addr);
        cr_assert_eq(f->x_firmware_ctrl, 0, "5.2.9: zero when FIRMWARE_CTRL is set");
        cr_assert_eq(f->sci_int, PLAT_IRQ_SCI);
        cr_assert_eq(f->smi_cmd, 0);
        cr_assert_eq(f->pm1a_evt_blk, PLAT_PORT_PM_BASE + PLAT_PM1A_EVT_OFF);
        cr_assert_eq(f->pm1a_cnt_blk, PLAT_PORT_PM_BASE + PLAT_PM1A_CNT_OFF);
        cr_assert_eq(f->pm_tmr_blk, PLAT_PORT_PM_BASE + PLAT_PM_TMR_OFF);
        cr_assert_eq(f->pm1_evt_len, 4);
        cr_assert_eq(f->pm1_cnt_len, 2);
        cr_assert_eq(f->pm_tmr_len, 4);
        cr_assert_eq(f->x_pm1a_evt_blk.address, f->pm1a_evt_blk);
        cr_assert_eq(f->x_pm1a_evt_blk.bit_width, 32);
        cr_assert_eq(f->x_pm1a_cnt_blk.address, f->pm1a_cnt_blk);
        cr_assert_eq(f->x_pm1a_cnt_blk.bit_width, 16);
        cr_assert_eq(f->x_pm_tmr_blk.address, f->pm_tmr_blk);
        cr_assert_eq(f->x_pm_tmr_blk.space_id, ACPI_AS_IO);
        cr_assert_eq(f->reset_reg.space_id, ACPI_AS_IO);
        cr_assert_eq(f->reset_reg.address, 0xcf9);
        cr_assert_eq(f->reset_reg.bit_width, 8);
        cr_assert_eq(f->reset_value, 0x06);
        cr_assert_eq(f->century, 0x32);
        cr_assert(f->flags & FADT_RESET_REG_SUP);
        cr_assert(f->flags & FADT_WBINVD);
        cr_assert(f->flags & FADT_PROC_C1);
        cr_assert_not(f->flags & FADT_TMR_VAL_EXT, "a 24-bit PM timer");
        cr_assert_not(f->flags & FADT_HW_REDUCED_ACPI);
        /* APIC IDs 0..n-1: flat logical mode reaches IDs 0..7 only */
        cr_assert_eq(!!(f->flags & FADT_FORCE_APIC_PHYSICAL_DEST), n > 8, "%u vCPUs", n);
        cr_assert_not(f->iapc_boot_arch & FADT_BOOT_8042,
                      "no 8042 to probe: the i8042 model is a reset line, no keyboard or mouse");
        cr_assert(f->iapc_boot_arch & FADT_BOOT_LEGACY_DEVICES);
        cr_assert_not(f->iapc_boot_arch & FADT_BOOT_NO_CMOS_RTC);
        fw_test_free(&t);
    }
}

Test(firmware_acpi, facs_is_aligned_and_versioned)
{
    struct fw_test t;
    fw_test_build(&t, 4);
    const struct acpi_facs *f = FW_AT(&t, t.l.facs);
    cr_assert_eq(t.l.facs.addr % 64, 0, "5.2.10: 64-byte aligned");
    cr_assert_eq(memcmp(f->signature, "FACS", 4), 0);
    cr_assert_eq(f->length, 64);
    cr_assert_eq(f->version, 2);
    fw_test_free(&t);
}

Test(firmware_acpi, hpet_table_matches_the_platform)
{
    struct fw_test t;
    fw_test_build(&t, 2);
    const struct acpi_hpet *h = (const void *)table(&t, t.l.hpet, "HPET");
    cr_assert_eq(h->h.length, 56);
    cr_assert_eq(h->base.space_id, ACPI_AS_MEMORY);
    cr_assert_eq(h->base.address, PLAT_HPET_BASE);
    cr_assert_eq(h->event_timer_block_id >> 16, PLAT_HPET_VENDOR_ID);
    cr_assert_eq((h->event_timer_block_id >> 8) & 0x1f, PLAT_HPET_TIMERS - 1);
    cr_assert_eq(h->event_timer_block_id & 0xff, PLAT_HPET_REV_ID);
    fw_test_free(&t);
}

/* the bytes of needle occur in the table */
static bool contains(const uint8_t *p, size_t len, const uint8_t *needle, size_t n)
{
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(p + i, needle, n) == 0)
            return true;
    return false;
}

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})
#define LO(v)      (uint8_t)((v)&0xff)
#define HI(v)      (uint8_t)(((v) >> 8) & 0xff)
#define B2(v)      (uint8_t)(((v) >> 16) & 0xff)
#define B3(v)      (uint8_t)(((v) >> 24) & 0xff)

/* dsdt.asl writes platform constants as literals: each must match emu/platform.h */
Test(firmware_acpi, dsdt_resources_match_the_platform)
{
    struct fw_test t;
    fw_test_build(&t, 1);
    const struct acpi_header *h = table(&t, t.l.dsdt, "DSDT");
    const uint8_t *p = (const uint8_t *)h;
    size_t n = h->length;
    cr_assert_eq(h->revision, 2, "64-bit integers");
    /* ACPI 6.3 6.4.2.5 I/O port descriptor: 47, decode16, min, max, align, length */
    cr_assert(contains(p, n,
                       BYTES(0x47, 1, LO(PLAT_PORT_COM1), HI(PLAT_PORT_COM1), LO(PLAT_PORT_COM1),
                             HI(PLAT_PORT_COM1), 1, 8)));
    cr_assert(contains(p, n,
                       BYTES(0x47, 1, LO(PLAT_PORT_RTC), HI(PLAT_PORT_RTC), LO(PLAT_PORT_RTC),
                             HI(PLAT_PORT_RTC), 1, 8)));
    cr_assert(contains(p, n,
                       BYTES(0x47, 1, LO(PLAT_PORT_PCI_CONFIG), HI(PLAT_PORT_PCI_CONFIG),
                             LO(PLAT_PORT_PCI_CONFIG), HI(PLAT_PORT_PCI_CONFIG), 1, 8)));
    /* 6.4.2.1 IRQ descriptor without flags: 22, a 16-bit mask */
    cr_assert(contains(p, n, BYTES(0x22, LO(1u << PLAT_IRQ_COM1), HI(1u << PLAT_IRQ_COM1))));
    cr_assert(contains(p, n, BYTES(0x22, LO(1u << PLAT_IRQ_RTC), HI(1u << PLAT_IRQ_RTC))));
    /* 6.4.3.4 32-bit fixed memory range: 86 09 00, read-only, base, length */
    cr_assert(
        contains(p, n,
                 BYTES(0x86, 9, 0, 0, LO(PLAT_HPET_BASE), HI(PLAT_HPET_BASE), B2(PLAT_HPET_BASE),
                       B3(PLAT_HPET_BASE), LO(PLAT_HPET_SIZE), HI(PLAT_HPET_SIZE), 0, 0)));
    /* Name (_S5, Package (4) { SLP_TYP, SLP_TYP, 0, 0 }): SLP_TYP 0 is ZeroOp */
    cr_assert_eq(PLAT_SLP_TYP_S5, 0, "dsdt.asl says Zero");
    cr_assert(contains(p, n,
                       BYTES(AML_NAME_OP, '_', 'S', '5', '_', AML_PACKAGE_OP, 6, 4, AML_ZERO_OP,
                             AML_ZERO_OP, AML_ZERO_OP, AML_ZERO_OP)));
    /* the PCI window ends where the first fixed device starts */
    uint32_t top = (uint32_t)PLAT_VIRTIO_MMIO_BASE - 1, base = (uint32_t)PLAT_MMIO_HOLE_BASE;
    cr_assert(contains(
        p, n, BYTES(LO(base), HI(base), B2(base), B3(base), LO(top), HI(top), B2(top), B3(top))));
    fw_test_free(&t);
}

/* ---- MADT -------------------------------------------------------------------- */

struct madt_counts {
    unsigned lapic, x2apic, ioapic, iso, nmi, x2nmi, other;
};

static struct madt_counts walk_madt(struct fw_test *t)
{
    const struct acpi_madt *m = (const void *)table(t, t->l.madt, "APIC");
    struct madt_counts c = {0};
    const uint8_t *p = (const uint8_t *)(m + 1), *end = (const uint8_t *)m + m->h.length;
    unsigned cpu = 0;
    cr_assert_eq(m->lapic_addr, PLAT_LAPIC_BASE);
    cr_assert_eq(m->flags, MADT_PCAT_COMPAT);
    while (p < end) {
        cr_assert_geq(p[1], 2, "entry length");
        cr_assert_leq(p + p[1], end, "entry inside the table");
        switch (p[0]) {
        case MADT_LAPIC: {
            const struct madt_lapic *e = (const void *)p;
            cr_assert_eq(e->length, 8);
            cr_assert_eq(e->uid, cpu, "UID = vCPU index");
            cr_assert_eq(e->apic_id, fw_apic_id(&t->cfg, cpu));
            cr_assert_lt(fw_apic_id(&t->cfg, cpu), 255, "Local APIC only for IDs < 255");
            cr_assert_eq(e->flags, MADT_ENABLED);
            c.lapic++, cpu++;
            break;
        }
        case MADT_X2APIC: {
            const struct madt_x2apic *e = (const void *)p;
            cr_assert_eq(e->length, 16);
            cr_assert_eq(e->uid, cpu);
            cr_assert_eq(e->x2apic_id, fw_apic_id(&t->cfg, cpu));
            cr_assert_geq(e->x2apic_id, 255, "Local x2APIC only for IDs >= 255");
            cr_assert_eq(e->flags, MADT_ENABLED);
            c.x2apic++, cpu++;
            break;
        }
        case MADT_IOAPIC: {
            const struct madt_ioapic *e = (const void *)p;
            cr_assert_eq(e->addr, PLAT_IOAPIC_BASE);
            cr_assert_eq(e->gsi_base, 0);
            cr_assert_eq(e->id, PLAT_IOAPIC_ID);
            c.ioapic++;
            break;
        }
        case MADT_ISO: {
            const struct madt_iso *e = (const void *)p;
            cr_assert_eq(e->bus, 0);
            if (e->source == PLAT_IRQ_PIT)
                cr_assert(e->gsi == PLAT_GSI_PIT && e->flags == 0);
            else
                cr_assert(e->source == PLAT_IRQ_SCI && e->gsi == PLAT_IRQ_SCI &&
                          e->flags == (INTI_POLARITY_HIGH | INTI_TRIGGER_LEVEL));
            c.iso++;
            break;
        }
        case MADT_LAPIC_NMI: {
            const struct madt_lapic_nmi *e = (const void *)p;
            cr_assert(e->uid == 0xff && e->lint == 1);
            c.nmi++;
            break;
        }
        case MADT_X2APIC_NMI: {
            const struct madt_x2apic_nmi *e = (const void *)p;
            cr_assert(e->uid == 0xffffffffu && e->lint == 1);
            c.x2nmi++;
            break;
        }
        default:
            c.other++;
        }
        p += p[1];
    }
    cr_assert_eq(p, end, "the entries fill the table exactly");
    cr_assert_eq(cpu, t->cfg.ncpus);
    return c;
}

Test(firmware_acpi, madt_entry_counts)
{
    for (size_t k = 0; k < FW_TEST_NCOUNTS; k++) {
        unsigned n = fw_test_count(k);
        struct fw_test t;
        fw_test_build(&t, n);
        struct madt_counts c = walk_madt(&t);
        unsigned want_x2 = n > 255 ? n - 255 : 0;
        cr_assert_eq(c.lapic, n - want_x2, "%u vCPUs: %u Local APIC entries", n, c.lapic);
        cr_assert_eq(c.x2apic, want_x2, "%u vCPUs: %u x2APIC entries", n, c.x2apic);
        cr_assert_eq(t.l.madt_lapic, c.lapic);
        cr_assert_eq(t.l.madt_x2apic, c.x2apic);
        cr_assert_eq(c.ioapic, 1);
        cr_assert_eq(c.iso, 2);
        cr_assert_eq(c.nmi, 1);
        cr_assert_eq(c.x2nmi, want_x2 > 0 ? 1 : 0);
        cr_assert_eq(c.other, 0);
        fw_test_free(&t);
    }
}

Test(firmware_acpi, madt_x2apic_exactly_for_ids_from_255)
{
    static const uint32_t ids[] = {0, 3, 254, 255, 256, 1000, 7, 0x12345};
    struct fw_test t;
    fw_test_build_ids(&t, sizeof ids / sizeof ids[0], ids, FW_CPU_PROCESSOR);
    struct madt_counts c = walk_madt(&t);
    cr_assert_eq(c.lapic, 4);
    cr_assert_eq(c.x2apic, 4);
    cr_assert_eq(t.l.mp_cpus, 4, "the MP table lists IDs 0..254 only");
    fw_test_free(&t);
}

/* ---- SSDT: processor objects and their _MAT ------------------------------------ */

/* a PkgLength at p (ACPI 6.3 20.2.4): its value, and *n its size */
static size_t pkglen(const uint8_t *p, size_t *n)
{
    *n = 1 + (p[0] >> 6);
    if (*n == 1)
        return p[0] & 0x3f;
    size_t v = p[0] & 0xf;
    for (size_t i = 1; i < *n; i++)
        v |= (size_t)p[i] << (4 + 8 * (i - 1));
    return v;
}

struct cpu_obj {
    bool processor; /* Processor () or Device () */
    char name[5];
    unsigned id; /* ProcID or _UID */
    const uint8_t *mat;
    size_t mat_len;
    bool sta;
};

/* find the processor objects of the SSDT, in order */
static unsigned find_cpus(const uint8_t *aml, size_t len, struct cpu_obj *out, unsigned max)
{
    unsigned n = 0;
    for (size_t i = 0; i + 2 < len; i++) {
        if (aml[i] != AML_EXT_OP || (aml[i + 1] != AML_PROCESSOR_OP && aml[i + 1] != AML_DEVICE_OP))
            continue;
        size_t nb, body = pkglen(aml + i + 2, &nb);
        const uint8_t *obj = aml + i + 2, *end = obj + body;
        const uint8_t *name = obj + nb;
        if (name[0] != 'C') /* not ours (a name of another device) */
            continue;
        cr_assert_lt(n, max);
        struct cpu_obj *c = &out[n++];
        memset(c, 0, sizeof *c);
        c->processor = aml[i + 1] == AML_PROCESSOR_OP;
        memcpy(c->name, name, 4);
        const uint8_t *q = name + 4;
        if (c->processor)
            c->id = q[0], q += 6;
        for (; q + 5 < end; q++) {
            if (memcmp(q, "\x08_MAT\x11", 6) == 0) {
                size_t mb, blen = pkglen(q + 6, &mb);
                const uint8_t *b = q + 6 + mb;
                cr_assert_eq(b[0], AML_BYTE_PREFIX, "BufferSize is a ByteConst");
                c->mat_len = b[1];
                c->mat = b + 2;
                cr_assert_eq(blen, mb + 2 + c->mat_len);
            } else if (memcmp(q, "\x14", 1) == 0 && memcmp(q + 2, "_STA", 4) == 0) {
                c->sta =
                    q[6] == 0 && q[7] == AML_RETURN_OP && q[8] == AML_BYTE_PREFIX && q[9] == 0x0f;
            } else if (memcmp(q, "\x08_UID", 5) == 0) {
                c->id = q[5] == AML_ZERO_OP       ? 0
                        : q[5] == AML_ONE_OP      ? 1
                        : q[5] == AML_BYTE_PREFIX ? q[6]
                                                  : (unsigned)(q[6] | q[7] << 8);
            }
        }
        i += 1 + body;
    }
    return n;
}

static void check_ssdt(struct fw_test *t)
{
    const struct acpi_header *h = table(t, t->l.ssdt, "SSDT");
    const uint8_t *aml = (const uint8_t *)(h + 1);
    static struct cpu_obj cpus[FW_MAX_VCPUS];
    unsigned n = find_cpus(aml, h->length - sizeof *h, cpus, FW_MAX_VCPUS);
    cr_assert_eq(n, t->cfg.ncpus, "%u processor objects for %u vCPUs", n, t->cfg.ncpus);
    for (unsigned i = 0; i < n; i++) {
        const struct cpu_obj *c = &cpus[i];
        bool x2 = fw_apic_id(&t->cfg, i) >= 255;
        char want[8];
        snprintf(want, sizeof want, "C%03X", i);
        cr_assert_str_eq(c->name, want);
        cr_assert_eq(c->processor, t->cfg.cpu_style == FW_CPU_PROCESSOR && !x2,
                     "vCPU %u: Processor only for xAPIC IDs in Processor style", i);
        cr_assert_eq(c->id, i, "vCPU %u: UID", i);
        cr_assert(c->sta, "vCPU %u: _STA returns 0x0F", i);
        uint8_t entry[MADT_CPU_ENTRY_MAX];
        size_t len = acpi_cpu_entry(&t->cfg, i, entry);
        cr_assert_eq(c->mat_len, len, "vCPU %u: _MAT length", i);
        cr_assert_eq(memcmp(c->mat, entry, len), 0, "vCPU %u: _MAT is its MADT entry", i);
    }
}

/* the MADT processor entries, in order, against acpi_cpu_entry() and so _MAT */
static void check_madt_entries_are_mat(struct fw_test *t)
{
    const uint8_t *p = (const uint8_t *)FW_AT(t, t->l.madt) + sizeof(struct acpi_madt);
    for (unsigned i = 0; i < t->cfg.ncpus; i++) {
        uint8_t entry[MADT_CPU_ENTRY_MAX];
        size_t len = acpi_cpu_entry(&t->cfg, i, entry);
        cr_assert_eq(p[1], len);
        cr_assert_eq(memcmp(p, entry, len), 0, "vCPU %u: MADT entry", i);
        p += len;
    }
}

Test(firmware_acpi, ssdt_processor_objects_and_mat)
{
    for (size_t k = 0; k < FW_TEST_NCOUNTS; k++) {
        struct fw_test t;
        fw_test_build(&t, fw_test_count(k));
        check_ssdt(&t);
        check_madt_entries_are_mat(&t);
        fw_test_free(&t);
    }
}

Test(firmware_acpi, ssdt_device_objects_and_mat)
{
    for (size_t k = 0; k < FW_TEST_NCOUNTS; k++) {
        struct fw_test t;
        fw_test_build_ids(&t, fw_test_count(k), NULL, FW_CPU_DEVICE);
        check_ssdt(&t);
        check_madt_entries_are_mat(&t);
        fw_test_free(&t);
    }
}

Test(firmware_acpi, sparse_apic_ids_and_1024_vcpus)
{
    static uint32_t ids[FW_MAX_VCPUS];
    for (unsigned i = 0; i < FW_MAX_VCPUS; i++)
        ids[i] = i < 200 ? 2 * i : 1000 + i; /* 0, 2, ..., 254, then x2APIC IDs */
    struct fw_test t;
    fw_test_build_ids(&t, FW_MAX_VCPUS, ids, FW_CPU_PROCESSOR);
    struct madt_counts c = walk_madt(&t);
    cr_assert_eq(c.lapic, 128, "IDs 0..254 even: 128 of them");
    cr_assert_eq(c.x2apic, FW_MAX_VCPUS - 128);
    check_ssdt(&t);
    fw_test_free(&t);
}

/* ---- errors --------------------------------------------------------------------- */

static void expect_error(struct fw_config cfg, uint64_t ram_len, const char *needle)
{
    struct fw_layout l;
    char err[256] = "";
    uint8_t *ram = calloc(1, FW_TEST_RAM);
    cr_assert_eq(fw_build(&cfg, ram, ram_len, &l, err, sizeof err), -1, "want '%s'", needle);
    cr_assert(strstr(err, needle) != NULL, "'%s' names '%s'", err, needle);
    free(ram);
}

Test(firmware_acpi, bad_configurations_name_the_field)
{
    struct fw_config ok = {4, NULL, FW_TEST_RAM, FW_CPU_PROCESSOR};
    struct fw_config c = ok;
    c.ncpus = 0;
    expect_error(c, FW_TEST_RAM, "ncpus: 0 is out of range");
    c.ncpus = FW_MAX_VCPUS + 1;
    expect_error(c, FW_TEST_RAM, "ncpus: 1025");
    c = ok, c.ram_size = 1 << 20;
    expect_error(c, FW_TEST_RAM, "ram_size");
    c = ok, c.cpu_style = (enum fw_cpu_style)7;
    expect_error(c, FW_TEST_RAM, "cpu_style");
    static const uint32_t dup[] = {0, 1, 1, 2};
    c = ok, c.apic_ids = dup;
    expect_error(c, FW_TEST_RAM, "apic_ids[2]: ID 1 is also vCPU 1's");
    static uint32_t low_at_high_index[300];
    for (unsigned i = 0; i < 300; i++)
        low_at_high_index[i] = i < 255 ? 1000 + i : i - 255;
    c = ok, c.ncpus = 300, c.apic_ids = low_at_high_index;
    expect_error(c, FW_TEST_RAM, "apic_ids[255]");
    expect_error(ok, FW_TEST_RAM / 2, "ram_len");
}

Test(firmware_acpi, a_full_region_names_the_table)
{
    uint8_t ram[256];
    struct fw_region r = {ram, 0, sizeof ram, "the test region"};
    struct fw_blob b;
    char err[256];
    cr_assert_not_null(fw_alloc(&r, 200, 16, &b, "FIRST", err, sizeof err));
    cr_assert_null(fw_alloc(&r, 100, 16, &b, "MADT", err, sizeof err));
    cr_assert(strstr(err, "MADT: 100 bytes do not fit in the test region") != NULL, "%s", err);
}
