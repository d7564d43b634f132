/*
 * test_firmware_mptable.c: the MP 1.4 tables of firmware/mptable.c for 1, 2,
 * 4, 64 and 300 vCPUs.
 */
#include <criterion/criterion.h>

#include "emu/platform.h"
#include "firmware/acpi.h"
#include "firmware/fw_internal.h"
#include "firmware/mptable.h"
#include "fw_test.h"

Test(firmware_mptable, floating_pointer)
{
    for (size_t k = 0; k < FW_TEST_NCOUNTS; k++) {
        struct fw_test t;
        fw_test_build(&t, fw_test_count(k));
        const struct mp_floating *f = FW_AT(&t, t.l.mp_floating);
        cr_assert(t.l.mp_floating.addr >= 0xf0000 && t.l.mp_floating.addr + 16 <= 0x100000,
                  "MP 1.4 4: in the BIOS ROM area 0xF0000..0xFFFFF");
        cr_assert_eq(t.l.mp_floating.addr % 16, 0);
        cr_assert_eq(memcmp(f->signature, "_MP_", 4), 0);
        cr_assert_eq(f->length, 1);
        cr_assert_eq(f->spec_rev, 4);
        cr_assert_eq(fw_test_sum(f, 16), 0);
        cr_assert_eq(f->config_addr, t.l.mp_config.addr);
        cr_assert_eq(f->features[0], 0, "a configuration table, not a default configuration");
        fw_test_free(&t);
    }
}

struct mp_counts {
    unsigned cpus, bsp, bus, ioapic, ioint, lint, extint_lint0, nmi_lint1, pit_on_2;
};

static struct mp_counts walk(struct fw_test *t)
{
    const struct mp_config *c = FW_AT(t, t->l.mp_config);
    cr_assert_eq(memcmp(c->signature, "PCMP", 4), 0);
    cr_assert_eq(c->spec_rev, 4);
    cr_assert_eq(c->base_length, t->l.mp_config.len);
    cr_assert_eq(fw_test_sum(c, c->base_length), 0, "the base table checksum");
    cr_assert_eq(c->lapic_addr, PLAT_LAPIC_BASE);
    cr_assert_eq(c->ext_length, 0);
    struct mp_counts n = {0};
    const uint8_t *p = (const uint8_t *)(c + 1), *end = (const uint8_t *)c + c->base_length;
    unsigned entries = 0, prev_type = 0;
    for (; p < end; entries++) {
        cr_assert_geq(p[0], prev_type, "MP 1.4 4.3: entries sorted by type");
        prev_type = p[0];
        switch (p[0]) {
        case MP_PROCESSOR: {
            const struct mp_processor *e = (const void *)p;
            cr_assert_eq(e->apic_id, fw_apic_id(&t->cfg, n.cpus));
            cr_assert_leq(e->apic_id, 254);
            cr_assert(e->flags & MP_CPU_ENABLED);
            n.bsp += !!(e->flags & MP_CPU_BSP);
            cr_assert_eq(!!(e->flags & MP_CPU_BSP), n.cpus == 0, "vCPU 0 is the BSP");
            n.cpus++;
            p += sizeof *e;
            break;
        }
        case MP_BUS: {
            const struct mp_bus *e = (const void *)p;
            cr_assert_eq(memcmp(e->bus_type, "ISA   ", 6), 0);
            n.bus++;
            p += sizeof *e;
            break;
        }
        case MP_IOAPIC: {
            const struct mp_ioapic *e = (const void *)p;
            cr_assert_eq(e->addr, PLAT_IOAPIC_BASE);
            cr_assert_eq(e->apic_id, PLAT_IOAPIC_ID);
            cr_assert(e->flags & MP_IOAPIC_ENABLED);
            n.ioapic++;
            p += sizeof *e;
            break;
        }
        case MP_IOINTR: {
            const struct mp_intr *e = (const void *)p;
            cr_assert_eq(e->dst_apic, PLAT_IOAPIC_ID);
            if (e->irq_type == MP_INT && e->src_irq == PLAT_IRQ_PIT)
                n.pit_on_2 += e->dst_pin == PLAT_GSI_PIT;
            else if (e->irq_type == MP_INT)
                cr_assert_eq(e->dst_pin, e->src_irq, "ISA IRQ n on pin n");
            cr_assert_neq(e->src_irq == 2 && e->irq_type == MP_INT, true, "no IRQ 2");
            n.ioint++;
            p += sizeof *e;
            break;
        }
        case MP_LINTR: {
            const struct mp_intr *e = (const void *)p;
            cr_assert_eq(e->dst_apic, MP_ALL_LAPICS);
            n.extint_lint0 += e->irq_type == MP_EXTINT && e->dst_pin == 0;
            n.nmi_lint1 += e->irq_type == MP_NMI && e->dst_pin == 1;
            n.lint++;
            p += sizeof *e;
            break;
        }
        default:
            cr_assert_fail("unknown entry type %u", p[0]);
        }
    }
    cr_assert_eq(p, end);
    cr_assert_eq(entries, c->entry_count);
    return n;
}

Test(firmware_mptable, entries)
{
    for (size_t k = 0; k < FW_TEST_NCOUNTS; k++) {
        unsigned ncpus = fw_test_count(k);
        struct fw_test t;
        fw_test_build(&t, ncpus);
        struct mp_counts n = walk(&t);
        unsigned want = ncpus < 255 ? ncpus : 255; /* APIC IDs 0..254 */
        cr_assert_eq(n.cpus, want, "%u vCPUs: %u processor entries", ncpus, n.cpus);
        cr_assert_eq(t.l.mp_cpus, want);
        cr_assert_eq(n.bsp, 1);
        cr_assert_eq(n.bus, 1);
        cr_assert_eq(n.ioapic, 1);
        cr_assert_eq(n.ioint, 16, "ExtINT on pin 0 and ISA IRQs 0, 1, 3..15");
        cr_assert_eq(n.pit_on_2, 1, "IRQ 0 on pin 2");
        cr_assert_eq(n.lint, 2);
        cr_assert_eq(n.extint_lint0, 1);
        cr_assert_eq(n.nmi_lint1, 1);
        fw_test_free(&t);
    }
}

Test(firmware_mptable, sci_is_level_high)
{
    struct fw_test t;
    fw_test_build(&t, 2);
    const struct mp_config *c = FW_AT(&t, t.l.mp_config);
    const struct mp_intr *e = (const void *)((const uint8_t *)(c + 1) + 2 * 20 + 8 + 8);
    bool found = false;
    for (unsigned i = 0; i < 16; i++, e++)
        if (e->irq_type == MP_INT && e->src_irq == PLAT_IRQ_SCI) {
            cr_assert_eq(e->flags, INTI_POLARITY_HIGH | INTI_TRIGGER_LEVEL);
            found = true;
        } else {
            cr_assert_eq(e->flags, INTI_CONFORMS);
        }
    cr_assert(found);
    fw_test_free(&t);
}
