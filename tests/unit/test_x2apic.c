/*
 * test_x2apic.c: IA32_APIC_BASE (SDM Vol 3A 11.4.4) with its mode transitions
 * (11.12.5), relocation and global disable, and the x2APIC MSR interface
 * (11.12.1) with its #GP rules.
 */
#include "tests/unit/apic_rig.h"

static struct rig R;

static uint64_t base_of(unsigned cpu)
{
    uint64_t v;
    cr_assert_eq(lapic_rdmsr(&R.cpu[cpu], MSR_APIC_BASE, &v), LAPIC_OK);
    return v;
}

static uint64_t rdmsr_ok(unsigned cpu, uint32_t msr)
{
    uint64_t v;
    cr_assert_eq(lapic_rdmsr(&R.cpu[cpu], msr, &v), LAPIC_OK, "rdmsr %#x", msr);
    return v;
}

#define XAPIC_ON  (PLAT_LAPIC_BASE | APIC_BASE_EN)
#define X2APIC_ON (XAPIC_ON | APIC_BASE_EXTD)

/* ---- IA32_APIC_BASE ---- */

Test(apic_base, relocation)
{
    rig_init(&R, 2);
    uint64_t moved = 0xfed40000ull;
    cr_assert_eq(lapic_wrmsr(&R.cpu[1], MSR_APIC_BASE, moved | APIC_BASE_EN), LAPIC_OK);
    cr_assert_eq(bus_mmio_read(&R.bus, &R.local[1], moved + LAPIC_ID, 4), 1u << 24);
    cr_assert_eq(bus_mmio_read(&R.bus, &R.local[1], PLAT_LAPIC_BASE + LAPIC_ID, 4), 0xffffffffu,
                 "the old page is gone for this vCPU");
    cr_assert_eq(rig_rd(&R, 0, LAPIC_ID), 0, "and still there for the others");
}

Test(apic_base, reserved_bits_gp)
{
    rig_init(&R, 1);
    struct lapic *l = &R.cpu[0];
    cr_assert_eq(lapic_wrmsr(l, MSR_APIC_BASE, XAPIC_ON | 1), LAPIC_GP);
    cr_assert_eq(lapic_wrmsr(l, MSR_APIC_BASE, XAPIC_ON | (1u << 9)), LAPIC_GP);
    cr_assert_eq(lapic_wrmsr(l, MSR_APIC_BASE, XAPIC_ON | (1ull << RIG_PHYS_BITS)), LAPIC_GP,
                 "above MAXPHYADDR");
    cr_assert_eq(base_of(0), XAPIC_ON | APIC_BASE_BSP, "unchanged");
}

Test(apic_base, global_disable_and_reenable)
{
    rig_init(&R, 1);
    rig_sw_enable(&R, 0);
    rig_wr(&R, 0, LAPIC_TPR, 0x20);
    cr_assert_eq(lapic_wrmsr(&R.cpu[0], MSR_APIC_BASE, PLAT_LAPIC_BASE), LAPIC_OK);
    cr_assert_eq(lapic_mode(&R.cpu[0]), LAPIC_DISABLED);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_ID), 0xffffffffu, "the page is not decoded");
    uint64_t v;
    cr_assert_eq(lapic_rdmsr(&R.cpu[0], X2APIC_MSR(LAPIC_ID), &v), LAPIC_GP);
    cr_assert_eq(lapic_wrmsr(&R.cpu[0], MSR_APIC_BASE, XAPIC_ON), LAPIC_OK, "re-enable (11.4.3)");
    cr_assert_eq(lapic_mode(&R.cpu[0]), LAPIC_XAPIC);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TPR), 0, "back to power-up state");
    cr_assert_eq(rig_rd(&R, 0, LAPIC_SVR), 0xff);
}

Test(apic_base, globally_disabled_takes_no_messages)
{
    rig_init(&R, 2);
    rig_sw_enable_all(&R);
    lapic_wrmsr(&R.cpu[1], MSR_APIC_BASE, PLAT_LAPIC_BASE);
    rig_ipi(&R, 0, 1, 0x40);
    rig_ipi(&R, 0, 1, APIC_DM_INIT << 8 | ICR_ASSERT);
    cr_assert_not(rig_irr(&R, 1, 0x40));
    cr_assert_eq(lapic_events(&R.cpu[1]), 0);
}

Test(apic_base, xapic_to_x2apic)
{
    rig_init(&R, 2);
    cr_assert_eq(rig_x2apic(&R, 1), LAPIC_OK);
    cr_assert_eq(lapic_mode(&R.cpu[1]), LAPIC_X2APIC);
    cr_assert_eq(rdmsr_ok(1, X2APIC_MSR(LAPIC_ID)), 1, "the whole ID, not ID[31:24]");
    cr_assert_eq(rdmsr_ok(1, X2APIC_MSR(LAPIC_LDR)), 1u << 1, "cluster 0, bit 1");
    cr_assert_eq(rig_rd(&R, 1, LAPIC_ID), 0xffffffffu, "no MMIO in x2APIC mode");
}

Test(apic_base, illegal_transitions)
{
    rig_init(&R, 1);
    struct lapic *l = &R.cpu[0];
    cr_assert_eq(lapic_wrmsr(l, MSR_APIC_BASE, PLAT_LAPIC_BASE | APIC_BASE_EXTD), LAPIC_GP,
                 "EN=0 EXTD=1 is invalid");
    cr_assert_eq(rig_x2apic(&R, 0), LAPIC_OK);
    cr_assert_eq(lapic_wrmsr(l, MSR_APIC_BASE, XAPIC_ON), LAPIC_GP, "x2APIC to xAPIC");
    cr_assert_eq(lapic_mode(l), LAPIC_X2APIC);
    cr_assert_eq(lapic_wrmsr(l, MSR_APIC_BASE, PLAT_LAPIC_BASE), LAPIC_OK, "x2APIC to disabled");
    cr_assert_eq(lapic_wrmsr(l, MSR_APIC_BASE, X2APIC_ON), LAPIC_GP, "disabled to x2APIC");
    cr_assert_eq(lapic_wrmsr(l, MSR_APIC_BASE, XAPIC_ON), LAPIC_OK, "disabled to xAPIC");
    cr_assert_eq(rig_rd(&R, 0, LAPIC_ID), 0, "the xAPIC ID again");
    cr_assert_eq(rig_x2apic(&R, 0), LAPIC_OK, "and on to x2APIC");
}

/* ---- the x2APIC MSRs ---- */

Test(x2apic, msrs_gp_outside_x2apic_mode)
{
    rig_init(&R, 1);
    uint64_t v;
    cr_assert_eq(lapic_rdmsr(&R.cpu[0], X2APIC_MSR(LAPIC_ID), &v), LAPIC_GP);
    cr_assert_eq(lapic_wrmsr(&R.cpu[0], X2APIC_MSR(LAPIC_TPR), 0), LAPIC_GP);
    cr_assert_eq(lapic_rdmsr(&R.cpu[0], 0x10, &v), LAPIC_GP, "not a LAPIC MSR");
    cr_assert(lapic_owns_msr(0x800) && lapic_owns_msr(0x8ff) && lapic_owns_msr(MSR_TSC_DEADLINE));
    cr_assert_not(lapic_owns_msr(0x900));
}

Test(x2apic, id_is_read_only)
{
    rig_init(&R, 4);
    rig_x2apic(&R, 3);
    cr_assert_eq(lapic_wrmsr(&R.cpu[3], X2APIC_MSR(LAPIC_ID), 7), LAPIC_GP);
    cr_assert_eq(rdmsr_ok(3, X2APIC_MSR(LAPIC_ID)), 3);
    cr_assert_eq(lapic_wrmsr(&R.cpu[3], X2APIC_MSR(LAPIC_LDR), 7), LAPIC_GP, "LDR too");
}

static const uint32_t reserved_msrs[] = {0x800, 0x801, 0x804, 0x807, 0x809, 0x80c, 0x80e,
                                         0x829, 0x82e, 0x831, 0x83a, 0x83d, 0x840, 0x8ff};

Test(x2apic, reserved_registers_gp)
{
    rig_init(&R, 1);
    rig_x2apic(&R, 0);
    uint64_t v;
    for (size_t i = 0; i < sizeof reserved_msrs / sizeof reserved_msrs[0]; i++) {
        cr_assert_eq(lapic_rdmsr(&R.cpu[0], reserved_msrs[i], &v), LAPIC_GP, "rd %#x",
                     reserved_msrs[i]);
        cr_assert_eq(lapic_wrmsr(&R.cpu[0], reserved_msrs[i], 0), LAPIC_GP, "wr %#x",
                     reserved_msrs[i]);
    }
}

static const uint32_t read_only_msrs[] = {0x803, 0x80a, 0x810, 0x817, 0x818, 0x820, 0x827, 0x839};

Test(x2apic, read_only_and_write_only)
{
    rig_init(&R, 1);
    rig_x2apic(&R, 0);
    uint64_t v;
    for (size_t i = 0; i < sizeof read_only_msrs / sizeof read_only_msrs[0]; i++) {
        cr_assert_eq(lapic_rdmsr(&R.cpu[0], read_only_msrs[i], &v), LAPIC_OK);
        cr_assert_eq(lapic_wrmsr(&R.cpu[0], read_only_msrs[i], 0), LAPIC_GP, "wr %#x",
                     read_only_msrs[i]);
    }
    cr_assert_eq(lapic_rdmsr(&R.cpu[0], X2APIC_MSR(LAPIC_EOI), &v), LAPIC_GP, "EOI is write-only");
    cr_assert_eq(lapic_rdmsr(&R.cpu[0], X2APIC_MSR(LAPIC_SELF_IPI), &v), LAPIC_GP);
}

Test(x2apic, value_checks)
{
    rig_init(&R, 1);
    rig_x2apic(&R, 0);
    struct lapic *l = &R.cpu[0];
    cr_assert_eq(lapic_wrmsr(l, X2APIC_MSR(LAPIC_EOI), 1), LAPIC_GP, "EOI takes only 0");
    cr_assert_eq(lapic_wrmsr(l, X2APIC_MSR(LAPIC_EOI), 0), LAPIC_OK);
    cr_assert_eq(lapic_wrmsr(l, X2APIC_MSR(LAPIC_ESR), 1), LAPIC_GP, "ESR takes only 0");
    cr_assert_eq(lapic_wrmsr(l, X2APIC_MSR(LAPIC_TPR), 1ull << 32), LAPIC_GP, "upper half");
    cr_assert_eq(lapic_wrmsr(l, X2APIC_MSR(LAPIC_SELF_IPI), 0x140), LAPIC_GP);
    cr_assert_eq(lapic_wrmsr(l, X2APIC_MSR(LAPIC_ICR_LO), ICR_PENDING | 0x40), LAPIC_GP,
                 "reserved ICR bits");
}

/* 11.12.1.3: writing 1 to a reserved bit of the low half is #GP too */
Test(x2apic, reserved_bits_gp)
{
    rig_init(&R, 1);
    rig_x2apic(&R, 0);
    struct lapic *l = &R.cpu[0];
    static const struct {
        uint32_t off, bad, good;
    } w[] = {
        {LAPIC_TPR, 0x100, 0xff},
        {LAPIC_SVR, 1u << 10, SVR_ENABLE | SVR_EOIS | 0xff},
        {LAPIC_TIMER_DCR, 0x4, 0xb},
        {LAPIC_LVT_TIMER, 1u << 19, LVT_TIMER_PERIODIC | LVT_MASKED | 0x40},
        {LAPIC_LVT_ERROR, 7u << 8, LVT_MASKED | 0x41},
        {LAPIC_LVT_LINT0, 1u << 17, LVT_LEVEL | LVT_REMOTE_IRR | LVT_PENDING | (7u << 8)},
        {LAPIC_LVT_THERMAL, LVT_ACTIVE_LOW, LVT_MASKED | (4u << 8)},
    };
    for (unsigned i = 0; i < sizeof w / sizeof w[0]; i++) {
        cr_assert_eq(lapic_wrmsr(l, X2APIC_MSR(w[i].off), w[i].bad), LAPIC_GP, "reg %#x bit %#x",
                     w[i].off, w[i].bad);
        cr_assert_eq(lapic_wrmsr(l, X2APIC_MSR(w[i].off), w[i].good), LAPIC_OK, "reg %#x %#x",
                     w[i].off, w[i].good);
    }
    cr_assert_eq(rdmsr_ok(0, X2APIC_MSR(LAPIC_TPR)), 0xff, "the good write took");
}

Test(x2apic, registers_read_write)
{
    rig_init(&R, 1);
    rig_x2apic(&R, 0);
    struct lapic *l = &R.cpu[0];
    cr_assert_eq(lapic_wrmsr(l, X2APIC_MSR(LAPIC_TPR), 0x30), LAPIC_OK);
    cr_assert_eq(rdmsr_ok(0, X2APIC_MSR(LAPIC_TPR)), 0x30);
    cr_assert_eq(rdmsr_ok(0, X2APIC_MSR(LAPIC_PPR)), 0x30);
    cr_assert_eq(lapic_wrmsr(l, X2APIC_MSR(LAPIC_SVR), 0x1ff), LAPIC_OK);
    cr_assert_eq(rdmsr_ok(0, X2APIC_MSR(LAPIC_SVR)), 0x1ff);
    cr_assert_eq(rdmsr_ok(0, X2APIC_MSR(LAPIC_VERSION)) & 0xff, LAPIC_VERSION_ID);
    cr_assert_eq(lapic_wrmsr(l, X2APIC_MSR(LAPIC_LVT_TIMER), 0x45), LAPIC_OK);
    cr_assert_eq(rdmsr_ok(0, X2APIC_MSR(LAPIC_LVT_TIMER)), 0x45);
}

Test(x2apic, icr_is_one_64bit_register)
{
    rig_init(&R, 3);
    rig_sw_enable_all(&R);
    for (unsigned i = 0; i < 3; i++)
        rig_x2apic(&R, i);
    uint64_t icr = (2ull << 32) | 0x51;
    cr_assert_eq(lapic_wrmsr(&R.cpu[0], X2APIC_MSR(LAPIC_ICR_LO), icr), LAPIC_OK);
    cr_assert_eq(rig_irr_mask(&R, 0x51), 1u << 2);
    cr_assert_eq(rdmsr_ok(0, X2APIC_MSR(LAPIC_ICR_LO)), icr, "delivery status reads idle");
}

Test(x2apic, self_ipi)
{
    rig_init(&R, 2);
    rig_sw_enable_all(&R);
    rig_x2apic(&R, 1);
    cr_assert_eq(lapic_wrmsr(&R.cpu[1], X2APIC_MSR(LAPIC_SELF_IPI), 0x99), LAPIC_OK);
    cr_assert_eq(rig_irr_mask(&R, 0x99), 1u << 1);
    cr_assert_not(rig_tmr(&R, 1, 0x99), "edge");
    lapic_wrmsr(&R.cpu[1], X2APIC_MSR(LAPIC_SELF_IPI), 0x05);
    lapic_wrmsr(&R.cpu[1], X2APIC_MSR(LAPIC_ESR), 0);
    cr_assert_eq(rdmsr_ok(1, X2APIC_MSR(LAPIC_ESR)), ESR_SEND_ILLEGAL_VEC | ESR_RECV_ILLEGAL_VEC);
}

Test(x2apic, eoi_and_timer_through_msrs)
{
    rig_init(&R, 1);
    rig_x2apic(&R, 0);
    struct lapic *l = &R.cpu[0];
    lapic_wrmsr(l, X2APIC_MSR(LAPIC_SVR), 0x1ff);
    lapic_wrmsr(l, X2APIC_MSR(LAPIC_TIMER_DCR), 0xb);
    lapic_wrmsr(l, X2APIC_MSR(LAPIC_LVT_TIMER), 0x60);
    lapic_wrmsr(l, X2APIC_MSR(LAPIC_TIMER_ICR), 10);
    fake_clock_advance(&R.clk, 10 * RIG_TSC_HZ / RIG_TIMER_HZ);
    lapic_timer_poll(l);
    cr_assert_eq(lapic_ack(l), 0x60);
    cr_assert_eq(rdmsr_ok(0, X2APIC_MSR(LAPIC_ISR + 0x30)), 1u << 0, "ISR word 3, bit 0");
    lapic_wrmsr(l, X2APIC_MSR(LAPIC_EOI), 0);
    cr_assert_eq(rdmsr_ok(0, X2APIC_MSR(LAPIC_ISR + 0x30)), 0);
}

/* more than 255 vCPUs: the IDs xAPIC cannot hold start in x2APIC mode */
static struct lapic big[2];
static struct lapic *big_ptr[2] = {&big[0], &big[1]};
static struct intr big_intr;

Test(x2apic, ids_past_254_start_in_x2apic_mode)
{
    struct fake_clock clk;
    fake_clock_init(&clk, RIG_TSC_HZ);
    intr_init(&big_intr, big_ptr, 2);
    static const uint32_t ids[2] = {254, 300};
    for (unsigned i = 0; i < 2; i++) {
        struct lapic_config cfg = {
            .index = i + 1, .apic_id = ids[i], .clock = &clk.clock, .intr = &big_intr};
        lapic_init(&big[i], &cfg);
    }
    cr_assert_eq(lapic_mode(&big[0]), LAPIC_XAPIC);
    cr_assert_eq(lapic_mode(&big[1]), LAPIC_X2APIC);
    uint64_t v;
    cr_assert_eq(lapic_rdmsr(&big[1], X2APIC_MSR(LAPIC_ID), &v), LAPIC_OK);
    cr_assert_eq(v, 300);
    cr_assert_eq(lapic_rdmsr(&big[1], X2APIC_MSR(LAPIC_LDR), &v), LAPIC_OK);
    cr_assert_eq(v, (300u >> 4) << 16 | 1u << (300 & 0xf));
    lapic_wrmsr(&big[1], X2APIC_MSR(LAPIC_SVR), 0x1ff);
    struct intr_msg m = {
        .dest = 300, .vector = 0x40, .mode = APIC_DM_FIXED, .assert = true, .x2apic = true};
    cr_assert_eq(intr_deliver(&big_intr, &m, NULL), 1);
    cr_assert_eq(lapic_pending(&big[1]), 0x40);
}
