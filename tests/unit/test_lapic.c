/*
 * test_lapic.c: the local APIC's registers and rules (emu/dev/lapic.h),
 * Intel SDM Vol 3A chapter 11. Timer tests run on the fake clock.
 */
#include "tests/unit/apic_rig.h"

static struct rig R;

#define FIXED(v) ((uint32_t)(v))

/* ---- reset state and identity (11.4.4, 11.4.6, 11.4.7.1) ---- */

Test(lapic, reset_state)
{
    rig_init(&R, 2);
    for (unsigned i = 0; i < 2; i++) {
        cr_assert_eq(rig_rd(&R, i, LAPIC_ID), i << 24);
        cr_assert_eq(rig_rd(&R, i, LAPIC_TPR), 0);
        cr_assert_eq(rig_rd(&R, i, LAPIC_DFR), 0xffffffffu);
        cr_assert_eq(rig_rd(&R, i, LAPIC_LDR), 0);
        cr_assert_eq(rig_rd(&R, i, LAPIC_SVR), 0xff);
        cr_assert_eq(rig_rd(&R, i, LAPIC_TIMER_ICR), 0);
        cr_assert_eq(rig_rd(&R, i, LAPIC_TIMER_DCR), 0);
        for (uint32_t off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERROR; off += 0x10)
            if (!(i == 0 && off == LAPIC_LVT_LINT0))
                cr_assert_eq(rig_rd(&R, i, off), LVT_MASKED, "cpu %u lvt %#x", i, off);
        cr_assert_eq(rig_rd(&R, i, LAPIC_LVT_CMCI), LVT_MASKED);
    }
    /* virtual-wire mode: the BSP's LINT0 is ExtINT, unmasked */
    cr_assert_eq(rig_rd(&R, 0, LAPIC_LVT_LINT0), APIC_DM_EXTINT << 8);
}

Test(lapic, version_register)
{
    rig_init(&R, 1);
    uint32_t v = rig_rd(&R, 0, LAPIC_VERSION);
    cr_assert_eq(v & 0xff, LAPIC_VERSION_ID);
    cr_assert_eq((v >> 16) & 0xff, LVT_COUNT - 1, "max LVT entry");
    cr_assert(v & LAPIC_VERSION_EOIS, "EOI-broadcast suppression advertised");
    rig_wr(&R, 0, LAPIC_VERSION, 0);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_VERSION), v, "read-only");
}

Test(lapic, bsp_flag_only_on_vcpu0)
{
    rig_init(&R, 4);
    uint64_t v;
    for (unsigned i = 0; i < 4; i++) {
        cr_assert_eq(lapic_rdmsr(&R.cpu[i], MSR_APIC_BASE, &v), LAPIC_OK);
        cr_assert_eq(v, PLAT_LAPIC_BASE | APIC_BASE_EN | (i == 0 ? APIC_BASE_BSP : 0));
    }
    /* the flag is the hardware's: writes neither set nor clear it */
    cr_assert_eq(
        lapic_wrmsr(&R.cpu[1], MSR_APIC_BASE, PLAT_LAPIC_BASE | APIC_BASE_EN | APIC_BASE_BSP),
        LAPIC_OK);
    lapic_rdmsr(&R.cpu[1], MSR_APIC_BASE, &v);
    cr_assert_not(v & APIC_BASE_BSP);
    cr_assert_eq(lapic_wrmsr(&R.cpu[0], MSR_APIC_BASE, PLAT_LAPIC_BASE | APIC_BASE_EN), LAPIC_OK);
    lapic_rdmsr(&R.cpu[0], MSR_APIC_BASE, &v);
    cr_assert(v & APIC_BASE_BSP);
}

/* Aero's lapic_mmio_per_vcpu: one address, a different LAPIC for each vCPU */
Test(lapic, mmio_per_vcpu)
{
    rig_init(&R, 4);
    for (unsigned i = 0; i < 4; i++)
        rig_wr(&R, i, LAPIC_TPR, 0x10 * i + 1);
    for (unsigned i = 0; i < 4; i++) {
        cr_assert_eq(rig_rd(&R, i, LAPIC_ID) >> 24, i);
        cr_assert_eq(rig_rd(&R, i, LAPIC_TPR), 0x10 * i + 1);
    }
    /* without a vCPU's window the page is not decoded */
    cr_assert_eq(bus_mmio_read(&R.bus, NULL, PLAT_LAPIC_BASE + LAPIC_ID, 4), 0xffffffffu);
}

Test(lapic, id_writable_in_xapic_mode)
{
    rig_init(&R, 2);
    rig_wr(&R, 1, LAPIC_ID, 0x07000000);
    cr_assert_eq(rig_rd(&R, 1, LAPIC_ID), 0x07000000);
    rig_sw_enable_all(&R);
    rig_ipi(&R, 0, 7, 0x40);
    cr_assert(rig_irr(&R, 1, 0x40), "routing uses the new ID");
}

Test(lapic, reserved_bytes_and_partial_reads)
{
    rig_init(&R, 1);
    rig_wr(&R, 0, LAPIC_TPR, 0xab);
    cr_assert_eq(bus_mmio_read(&R.bus, &R.local[0], PLAT_LAPIC_BASE + LAPIC_TPR, 1), 0xab);
    cr_assert_eq(bus_mmio_read(&R.bus, &R.local[0], PLAT_LAPIC_BASE + LAPIC_TPR + 4, 4), 0);
    cr_assert_eq(bus_mmio_read(&R.bus, &R.local[0], PLAT_LAPIC_BASE + LAPIC_ID + 3, 1), 0);
    /* an unaligned or narrow write is dropped */
    bus_mmio_write(&R.bus, &R.local[0], PLAT_LAPIC_BASE + LAPIC_TPR, 0x11, 1);
    bus_mmio_write(&R.bus, &R.local[0], PLAT_LAPIC_BASE + LAPIC_TPR + 4, 0x22, 4);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TPR), 0xab);
}

/* ---- priorities (11.8.3) ---- */

Test(lapic, tpr_only_low_byte)
{
    rig_init(&R, 1);
    rig_wr(&R, 0, LAPIC_TPR, 0xffffffff);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TPR), 0xff);
}

Test(lapic, ppr_from_tpr_and_isr)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    struct lapic *l = &R.cpu[0];
    rig_wr(&R, 0, LAPIC_TPR, 0x25);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_PPR), 0x25);
    lapic_deliver(l, APIC_DM_FIXED, 0x35, false);
    cr_assert_eq(lapic_ack(l), 0x35);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_PPR), 0x30, "ISRV class above TPR's");
    rig_wr(&R, 0, LAPIC_TPR, 0x3a);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_PPR), 0x3a, "TPR class equal: PPR = TPR");
}

Test(lapic, tpr_masks_interrupts)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    struct lapic *l = &R.cpu[0];
    rig_wr(&R, 0, LAPIC_TPR, 0x40);
    lapic_deliver(l, APIC_DM_FIXED, 0x41, false);
    cr_assert_eq(lapic_pending(l), -1, "same class as TPR: held");
    cr_assert_eq(lapic_ack(l), -1);
    cr_assert_not(lapic_events(l) & LAPIC_EV_INTR, "nothing deliverable: hint cleared");
    cr_assert(rig_irr(&R, 0, 0x41), "still requested");
    rig_wr(&R, 0, LAPIC_TPR, 0x3f);
    cr_assert(lapic_events(l) & LAPIC_EV_INTR, "lowering TPR raises the hint");
    cr_assert_eq(lapic_pending(l), 0x41);
}

Test(lapic, priority_classes_nest)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    struct lapic *l = &R.cpu[0];
    lapic_deliver(l, APIC_DM_FIXED, 0x50, false);
    cr_assert_eq(lapic_ack(l), 0x50);
    lapic_deliver(l, APIC_DM_FIXED, 0x5f, false);
    cr_assert_eq(lapic_pending(l), -1, "same class waits for EOI");
    lapic_deliver(l, APIC_DM_FIXED, 0x61, false);
    cr_assert_eq(lapic_ack(l), 0x61, "higher class nests");
    rig_wr(&R, 0, LAPIC_EOI, 0);
    cr_assert_not(rig_isr(&R, 0, 0x61));
    cr_assert(rig_isr(&R, 0, 0x50), "EOI retires the highest ISR bit only");
    cr_assert_eq(lapic_pending(l), -1);
    rig_wr(&R, 0, LAPIC_EOI, 0);
    cr_assert_eq(lapic_ack(l), 0x5f);
}

Test(lapic, ack_highest_first)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    struct lapic *l = &R.cpu[0];
    lapic_deliver(l, APIC_DM_FIXED, 0x31, false);
    lapic_deliver(l, APIC_DM_FIXED, 0xe0, false);
    lapic_deliver(l, APIC_DM_FIXED, 0x90, false);
    cr_assert(lapic_events(l) & LAPIC_EV_INTR);
    cr_assert_eq(lapic_ack(l), 0xe0);
    cr_assert_not(rig_irr(&R, 0, 0xe0));
    cr_assert(rig_isr(&R, 0, 0xe0));
    rig_wr(&R, 0, LAPIC_EOI, 0);
    cr_assert_eq(lapic_ack(l), 0x90);
    rig_wr(&R, 0, LAPIC_EOI, 0);
    cr_assert_eq(lapic_ack(l), 0x31);
    rig_wr(&R, 0, LAPIC_EOI, 0);
    cr_assert_eq(lapic_ack(l), -1);
    rig_wr(&R, 0, LAPIC_EOI, 0); /* EOI with nothing in service is harmless */
}

Test(lapic, apr)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    struct lapic *l = &R.cpu[0];
    rig_wr(&R, 0, LAPIC_TPR, 0x42);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_APR), 0x42);
    lapic_deliver(l, APIC_DM_FIXED, 0x71, false);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_APR), 0x70, "IRRV above TPR");
    lapic_ack(l);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_APR), 0x70, "ISRV above TPR");
}

/* ---- EOI (11.8.5) ---- */

static uint8_t eoi_seen[8];
static unsigned eoi_count;

static void record_eoi(void *opaque, uint8_t vector)
{
    (void)opaque;
    if (eoi_count < 8)
        eoi_seen[eoi_count] = vector;
    eoi_count++;
}

Test(lapic, eoi_broadcast_for_level_only)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    eoi_count = 0;
    intr_add_eoi_listener(&R.intr, record_eoi, NULL);
    struct lapic *l = &R.cpu[0];
    lapic_deliver(l, APIC_DM_FIXED, 0x40, false);
    lapic_ack(l);
    rig_wr(&R, 0, LAPIC_EOI, 0);
    cr_assert_eq(eoi_count, 0, "edge: no broadcast");
    lapic_deliver(l, APIC_DM_FIXED, 0x41, true);
    cr_assert(rig_tmr(&R, 0, 0x41));
    lapic_ack(l);
    rig_wr(&R, 0, LAPIC_EOI, 0);
    cr_assert_eq(eoi_count, 1);
    cr_assert_eq(eoi_seen[0], 0x41);
}

Test(lapic, eoi_broadcast_suppression)
{
    rig_init(&R, 1);
    eoi_count = 0;
    intr_add_eoi_listener(&R.intr, record_eoi, NULL);
    rig_wr(&R, 0, LAPIC_SVR, SVR_ENABLE | SVR_EOIS | 0xff);
    cr_assert(rig_rd(&R, 0, LAPIC_SVR) & SVR_EOIS);
    struct lapic *l = &R.cpu[0];
    lapic_deliver(l, APIC_DM_FIXED, 0x41, true);
    lapic_ack(l);
    rig_wr(&R, 0, LAPIC_EOI, 0);
    cr_assert_eq(eoi_count, 0);
    cr_assert_not(rig_isr(&R, 0, 0x41));
}

/* ---- LDR, DFR, SVR ---- */

Test(lapic, ldr_dfr_writable_bits)
{
    rig_init(&R, 1);
    rig_wr(&R, 0, LAPIC_LDR, 0xffffffff);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_LDR), 0xff000000);
    rig_wr(&R, 0, LAPIC_DFR, 0);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_DFR), 0x0fffffff, "cluster model; reserved bits read 1");
}

Test(lapic, svr_fields)
{
    rig_init(&R, 1);
    rig_wr(&R, 0, LAPIC_SVR, 0xffffffff);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_SVR), SVR_VECTOR | SVR_ENABLE | SVR_FOCUS | SVR_EOIS);
    rig_wr(&R, 0, LAPIC_SVR, SVR_ENABLE | 0x27);
    cr_assert_eq(lapic_spurious_vector(&R.cpu[0]), 0x27);
}

Test(lapic, software_disable_masks_lvts)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    rig_wr(&R, 0, LAPIC_LVT_TIMER, 0x40);
    rig_wr(&R, 0, LAPIC_LVT_ERROR, 0x41);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_LVT_TIMER), 0x40);
    rig_wr(&R, 0, LAPIC_SVR, 0xff);
    for (uint32_t off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERROR; off += 0x10)
        cr_assert(rig_rd(&R, 0, off) & LVT_MASKED, "lvt %#x", off);
    rig_wr(&R, 0, LAPIC_LVT_TIMER, 0x40);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_LVT_TIMER), 0x40 | LVT_MASKED, "cannot unmask while disabled");
    rig_sw_enable(&R, 0);
    rig_wr(&R, 0, LAPIC_LVT_TIMER, 0x40);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_LVT_TIMER), 0x40);
}

Test(lapic, software_disabled_takes_only_system_messages)
{
    rig_init(&R, 1);
    struct lapic *l = &R.cpu[0];
    lapic_deliver(l, APIC_DM_FIXED, 0x40, false);
    cr_assert_not(rig_irr(&R, 0, 0x40), "fixed dropped");
    lapic_deliver(l, APIC_DM_NMI, 0, false);
    lapic_deliver(l, APIC_DM_INIT, 0, false);
    lapic_deliver(l, APIC_DM_SIPI, 0x9a, false);
    uint32_t ev = lapic_events(l);
    cr_assert(ev & LAPIC_EV_NMI);
    cr_assert(ev & LAPIC_EV_INIT);
    cr_assert(ev & LAPIC_EV_SIPI);
    cr_assert_eq(LAPIC_EV_SIPI_VECTOR(ev), 0x9a);
}

Test(lapic, held_interrupts_survive_software_disable)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    struct lapic *l = &R.cpu[0];
    lapic_deliver(l, APIC_DM_FIXED, 0x40, false);
    rig_wr(&R, 0, LAPIC_SVR, 0xff);
    cr_assert_eq(lapic_ack(l), 0x40, "11.4.7.2: IRR is held, the CPU still takes it");
}

/* ---- ESR (11.5.3) ---- */

Test(lapic, esr_write_then_read)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    lapic_deliver(&R.cpu[0], APIC_DM_FIXED, 5, false);
    cr_assert_not(rig_irr(&R, 0, 5), "vectors 0-15 never reach IRR");
    cr_assert_eq(rig_rd(&R, 0, LAPIC_ESR), 0, "not visible before a write");
    rig_wr(&R, 0, LAPIC_ESR, 0);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_ESR), ESR_RECV_ILLEGAL_VEC);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_ESR), ESR_RECV_ILLEGAL_VEC, "reads do not clear");
    rig_wr(&R, 0, LAPIC_ESR, 0);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_ESR), 0, "the write cleared it");
}

Test(lapic, esr_illegal_register_address)
{
    rig_init(&R, 1);
    cr_assert_eq(rig_rd(&R, 0, 0x000), 0);
    rig_wr(&R, 0, 0x3a0, 1);
    rig_wr(&R, 0, LAPIC_ESR, 0);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_ESR), ESR_ILLEGAL_REG);
    rig_wr(&R, 0, LAPIC_SELF_IPI, 0x40); /* x2APIC only */
    rig_wr(&R, 0, LAPIC_ESR, 0);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_ESR), ESR_ILLEGAL_REG);
}

Test(lapic, esr_send_illegal_vector)
{
    rig_init(&R, 2);
    rig_sw_enable_all(&R);
    rig_ipi(&R, 0, 1, 0x0f);
    rig_wr(&R, 0, LAPIC_ESR, 0);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_ESR), ESR_SEND_ILLEGAL_VEC);
    rig_wr(&R, 1, LAPIC_ESR, 0);
    cr_assert_eq(rig_rd(&R, 1, LAPIC_ESR), ESR_RECV_ILLEGAL_VEC);
    cr_assert_eq(lapic_pending(&R.cpu[1]), -1);
}

Test(lapic, error_lvt_fires_on_new_error)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    rig_wr(&R, 0, LAPIC_LVT_ERROR, 0xfe);
    lapic_deliver(&R.cpu[0], APIC_DM_FIXED, 3, false);
    cr_assert(rig_irr(&R, 0, 0xfe));
    cr_assert_eq(lapic_ack(&R.cpu[0]), 0xfe);
    rig_wr(&R, 0, LAPIC_EOI, 0);
    lapic_deliver(&R.cpu[0], APIC_DM_FIXED, 3, false);
    cr_assert_not(rig_irr(&R, 0, 0xfe), "the same error again is not new");
}

/* ---- the LVT (11.5.1) ---- */

static const struct {
    uint32_t off, writable;
} lvt_bits[] = {
    {LAPIC_LVT_CMCI, 0x107ff},  {LAPIC_LVT_TIMER, 0x700ff}, {LAPIC_LVT_THERMAL, 0x107ff},
    {LAPIC_LVT_PMC, 0x107ff},   {LAPIC_LVT_LINT0, 0x1a7ff}, {LAPIC_LVT_LINT1, 0x1a7ff},
    {LAPIC_LVT_ERROR, 0x100ff},
};

Test(lapic, lvt_writable_bits)
{
    rig_init(&R, 2);
    rig_sw_enable(&R, 1);
    for (size_t i = 0; i < sizeof lvt_bits / sizeof lvt_bits[0]; i++) {
        rig_wr(&R, 1, lvt_bits[i].off, 0xffffffff);
        cr_assert_eq(rig_rd(&R, 1, lvt_bits[i].off), lvt_bits[i].writable, "lvt %#x",
                     lvt_bits[i].off);
    }
}

Test(lapic, lint0_extint_virtual_wire)
{
    rig_init(&R, 1);
    struct lapic *l = &R.cpu[0];
    lapic_set_lint(l, 0, 1);
    cr_assert(lapic_events(l) & LAPIC_EV_EXTINT);
    cr_assert_eq(R.kicks[0], 1);
    lapic_set_lint(l, 0, 0);
    cr_assert_not(lapic_events(l) & LAPIC_EV_EXTINT, "follows the 8259's INTR level");
}

Test(lapic, lint0_masked_or_ap_ignores_pic)
{
    rig_init(&R, 2);
    lapic_set_lint(&R.cpu[1], 0, 1);
    cr_assert_not(lapic_events(&R.cpu[1]) & LAPIC_EV_EXTINT, "an AP's LINT0 is masked");
    /* unmasking with the line high takes it at once */
    rig_sw_enable(&R, 1);
    rig_wr(&R, 1, LAPIC_LVT_LINT0, APIC_DM_EXTINT << 8);
    cr_assert(lapic_events(&R.cpu[1]) & LAPIC_EV_EXTINT);
}

Test(lapic, lint1_nmi_on_rising_edge)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    struct lapic *l = &R.cpu[0];
    rig_wr(&R, 0, LAPIC_LVT_LINT1, APIC_DM_NMI << 8);
    lapic_set_lint(l, PLAT_LINT1_NMI, 1);
    cr_assert(lapic_take_events(l, LAPIC_EV_NMI) & LAPIC_EV_NMI);
    lapic_set_lint(l, PLAT_LINT1_NMI, 1);
    cr_assert_not(lapic_events(l) & LAPIC_EV_NMI, "no new edge");
    lapic_set_lint(l, PLAT_LINT1_NMI, 0);
    lapic_set_lint(l, PLAT_LINT1_NMI, 1);
    cr_assert(lapic_events(l) & LAPIC_EV_NMI);
}

Test(lapic, lint_active_low)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    rig_wr(&R, 0, LAPIC_LVT_LINT1, APIC_DM_NMI << 8 | LVT_ACTIVE_LOW);
    lapic_set_lint(&R.cpu[0], 1, 1);
    cr_assert_not(lapic_events(&R.cpu[0]) & LAPIC_EV_NMI);
    lapic_set_lint(&R.cpu[0], 1, 0);
    cr_assert(lapic_events(&R.cpu[0]) & LAPIC_EV_NMI, "a falling line asserts");
}

Test(lapic, lint_level_fixed_remote_irr_and_redelivery)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    struct lapic *l = &R.cpu[0];
    rig_wr(&R, 0, LAPIC_LVT_LINT0, 0x55 | LVT_LEVEL);
    lapic_set_lint(l, 0, 1);
    cr_assert(rig_rd(&R, 0, LAPIC_LVT_LINT0) & LVT_REMOTE_IRR);
    cr_assert(rig_tmr(&R, 0, 0x55));
    cr_assert_eq(lapic_ack(l), 0x55);
    lapic_set_lint(l, 0, 1);
    cr_assert_not(rig_irr(&R, 0, 0x55), "held off by Remote IRR");
    rig_wr(&R, 0, LAPIC_EOI, 0);
    cr_assert(rig_irr(&R, 0, 0x55), "still asserted at EOI: delivered again");
    cr_assert_eq(lapic_ack(l), 0x55);
    lapic_set_lint(l, 0, 0);
    rig_wr(&R, 0, LAPIC_EOI, 0);
    cr_assert_not(rig_rd(&R, 0, LAPIC_LVT_LINT0) & LVT_REMOTE_IRR);
    cr_assert_not(rig_irr(&R, 0, 0x55));
}

Test(lapic, lint_globally_disabled_is_intr_and_nmi)
{
    rig_init(&R, 1);
    struct lapic *l = &R.cpu[0];
    cr_assert_eq(lapic_wrmsr(l, MSR_APIC_BASE, PLAT_LAPIC_BASE | APIC_BASE_BSP), LAPIC_OK);
    lapic_set_lint(l, 0, 1);
    cr_assert(lapic_events(l) & LAPIC_EV_EXTINT);
    lapic_set_lint(l, 1, 1);
    cr_assert(lapic_events(l) & LAPIC_EV_NMI);
}

Test(lapic, pmc_thermal_cmci_lvts)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    struct lapic *l = &R.cpu[0];
    rig_wr(&R, 0, LAPIC_LVT_PMC, APIC_DM_NMI << 8);
    rig_wr(&R, 0, LAPIC_LVT_THERMAL, 0x61);
    rig_wr(&R, 0, LAPIC_LVT_CMCI, 0x62 | LVT_MASKED);
    lapic_raise_lvt(l, LVT_PMC);
    lapic_raise_lvt(l, LVT_THERMAL);
    lapic_raise_lvt(l, LVT_CMCI);
    cr_assert(lapic_events(l) & LAPIC_EV_NMI);
    cr_assert(rig_irr(&R, 0, 0x61));
    cr_assert_not(rig_irr(&R, 0, 0x62));
}

/* ---- the event word ---- */

Test(lapic, take_events_clears_sipi_vector)
{
    rig_init(&R, 2);
    struct lapic *l = &R.cpu[1];
    lapic_deliver(l, APIC_DM_SIPI, 0x12, false);
    lapic_deliver(l, APIC_DM_SIPI, 0x34, false);
    uint32_t ev = lapic_take_events(l, LAPIC_EV_SIPI);
    cr_assert_eq(LAPIC_EV_SIPI_VECTOR(ev), 0x34, "the latest SIPI wins");
    cr_assert_eq(lapic_events(l), 0);
    cr_assert_eq(R.kicks[1], 2);
}

Test(lapic, machine_bits)
{
    rig_init(&R, 1);
    lapic_post_events(&R.cpu[0], 0x00010000u | LAPIC_EV_NMI);
    cr_assert_eq(lapic_events(&R.cpu[0]), 0x00010000u, "only machine bits are posted");
    cr_assert_eq(R.kicks[0], 1);
}

Test(lapic, init_reset_keeps_id_and_base)
{
    rig_init(&R, 2);
    rig_sw_enable(&R, 1);
    rig_wr(&R, 1, LAPIC_ID, 0x09000000);
    rig_wr(&R, 1, LAPIC_TPR, 0x30);
    rig_wr(&R, 1, LAPIC_LDR, 0x02000000);
    lapic_deliver(&R.cpu[1], APIC_DM_FIXED, 0x80, false);
    lapic_init_reset(&R.cpu[1]);
    cr_assert_eq(rig_rd(&R, 1, LAPIC_ID), 0x09000000);
    cr_assert_eq(rig_rd(&R, 1, LAPIC_TPR), 0);
    cr_assert_eq(rig_rd(&R, 1, LAPIC_LDR), 0);
    cr_assert_eq(rig_rd(&R, 1, LAPIC_SVR), 0xff);
    cr_assert_not(rig_irr(&R, 1, 0x80));
}

Test(lapic, cr8_is_tpr_high_nibble)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    struct lapic *l = &R.cpu[0];
    lapic_write_cr8(l, 0x5);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TPR), 0x50);
    rig_wr(&R, 0, LAPIC_TPR, 0x7c);
    cr_assert_eq(lapic_read_cr8(l), 0x7);
    lapic_deliver(l, APIC_DM_FIXED, 0x71, false);
    cr_assert_eq(lapic_pending(l), -1);
    lapic_write_cr8(l, 0);
    cr_assert(lapic_events(l) & LAPIC_EV_INTR);
    cr_assert_eq(lapic_pending(l), 0x71);
}
