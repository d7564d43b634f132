/*
 * test_vcpu_events.c: a vCPU's power states and event handling
 * (emu/vcpu_events.h): INIT/SIPI start-up (SDM Vol 3A 9.4), SIPI ignored
 * while running, INIT to the BSP, and the gating of NMIs and interrupts.
 */
#include "emu/vcpu_events.h"
#include "tests/unit/apic_rig.h"

static struct rig R;
static enum vcpu_state S[4];

#define ICR(mode, vector) ((uint32_t)(mode) << 8 | (vector) | ICR_ASSERT)

static void setup(void)
{
    rig_init(&R, 4);
    for (unsigned i = 0; i < 4; i++)
        S[i] = vcpu_power_on_state(i);
}

static struct vcpu_action next(unsigned cpu, unsigned flags)
{
    return vcpu_next_action(&R.cpu[cpu], &S[cpu], flags);
}

Test(vcpu_events, power_on_states)
{
    setup();
    cr_assert_eq(S[0], VCPU_RUNNING);
    for (unsigned i = 1; i < 4; i++)
        cr_assert_eq(S[i], VCPU_WAIT_SIPI);
}

/* the universal start-up algorithm (9.4.4.1): INIT, SIPI, SIPI */
Test(vcpu_events, init_sipi_sipi_starts_an_ap)
{
    setup();
    rig_sw_enable(&R, 0);
    rig_ipi(&R, 0, 1, ICR(APIC_DM_INIT, 0) | ICR_LEVEL);
    rig_ipi(&R, 0, 1, (APIC_DM_INIT << 8) | ICR_LEVEL); /* de-assert: nothing */
    struct vcpu_action a = next(1, 0);
    cr_assert_eq(a.kind, VCPU_ACT_INIT);
    cr_assert_eq(S[1], VCPU_WAIT_SIPI);
    cr_assert_eq(next(1, 0).kind, VCPU_ACT_NONE, "waiting");
    rig_ipi(&R, 0, 1, ICR(APIC_DM_SIPI, 0x9a));
    a = next(1, 0);
    cr_assert_eq(a.kind, VCPU_ACT_SIPI);
    cr_assert_eq(a.vector, 0x9a);
    cr_assert_eq(VCPU_SIPI_START(a.vector), 0x9a000);
    cr_assert_eq(S[1], VCPU_RUNNING);
    rig_ipi(&R, 0, 1, ICR(APIC_DM_SIPI, 0x9a)); /* the second SIPI of the algorithm */
    cr_assert_eq(next(1, VCPU_IF).kind, VCPU_ACT_NONE, "ignored: already running");
    cr_assert_eq(S[1], VCPU_RUNNING);
}

Test(vcpu_events, sipi_ignored_while_running_or_halted)
{
    setup();
    rig_ipi(&R, 1, 0, ICR(APIC_DM_SIPI, 0x10));
    cr_assert_eq(next(0, VCPU_IF).kind, VCPU_ACT_NONE);
    cr_assert_eq(S[0], VCPU_RUNNING);
    S[0] = VCPU_HALTED;
    rig_ipi(&R, 1, 0, ICR(APIC_DM_SIPI, 0x10));
    cr_assert_eq(next(0, VCPU_IF).kind, VCPU_ACT_NONE);
    cr_assert_eq(S[0], VCPU_HALTED, "a SIPI does not wake HLT");
}

Test(vcpu_events, init_to_the_bsp)
{
    setup();
    rig_sw_enable(&R, 0);
    rig_wr(&R, 0, LAPIC_TPR, 0x20);
    rig_ipi(&R, 2, 0, ICR(APIC_DM_INIT, 0));
    cr_assert_eq(next(0, VCPU_IF).kind, VCPU_ACT_INIT);
    cr_assert_eq(S[0], VCPU_WAIT_SIPI);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TPR), 0, "the LAPIC was reset");
    cr_assert_eq(rig_rd(&R, 0, LAPIC_SVR), 0xff);
    uint64_t base;
    lapic_rdmsr(&R.cpu[0], MSR_APIC_BASE, &base);
    cr_assert(base & APIC_BASE_BSP, "still the BSP");
}

Test(vcpu_events, an_ap_starts_another_ap)
{
    setup();
    rig_ipi(&R, 0, 1, ICR(APIC_DM_INIT, 0));
    next(1, 0);
    rig_ipi(&R, 0, 1, ICR(APIC_DM_SIPI, 0x08));
    cr_assert_eq(next(1, 0).kind, VCPU_ACT_SIPI);
    /* AP 1 now runs and brings up AP 3 */
    rig_ipi(&R, 1, 3, ICR(APIC_DM_INIT, 0));
    cr_assert_eq(next(3, 0).kind, VCPU_ACT_INIT);
    rig_ipi(&R, 1, 3, ICR(APIC_DM_SIPI, 0x09));
    struct vcpu_action a = next(3, 0);
    cr_assert_eq(a.kind, VCPU_ACT_SIPI);
    cr_assert_eq(a.vector, 0x09);
    cr_assert_eq(S[2], VCPU_WAIT_SIPI, "AP 2 untouched");
}

Test(vcpu_events, wait_for_sipi_holds_everything_else)
{
    setup();
    rig_sw_enable(&R, 1);
    lapic_deliver(&R.cpu[1], APIC_DM_NMI, 0, false);
    lapic_deliver(&R.cpu[1], APIC_DM_FIXED, 0x40, false);
    cr_assert_eq(next(1, VCPU_IF).kind, VCPU_ACT_NONE);
    cr_assert(lapic_events(&R.cpu[1]) & LAPIC_EV_NMI, "held, not lost");
    cr_assert(rig_irr(&R, 1, 0x40));
}

Test(vcpu_events, nmi_and_its_blocking)
{
    setup();
    lapic_deliver(&R.cpu[0], APIC_DM_NMI, 0, false);
    cr_assert_eq(next(0, VCPU_NMI_BLOCKED).kind, VCPU_ACT_NONE, "until IRET");
    struct vcpu_action a = next(0, 0);
    cr_assert_eq(a.kind, VCPU_ACT_NMI, "IF does not mask NMI");
    cr_assert_eq(a.vector, VEC_NMI);
    cr_assert_eq(next(0, 0).kind, VCPU_ACT_NONE);
}

Test(vcpu_events, maskable_interrupts_need_if_and_no_shadow)
{
    setup();
    rig_sw_enable(&R, 0);
    lapic_deliver(&R.cpu[0], APIC_DM_FIXED, 0x50, false);
    cr_assert_eq(next(0, 0).kind, VCPU_ACT_NONE);
    cr_assert_eq(next(0, VCPU_IF | VCPU_SHADOW).kind, VCPU_ACT_NONE);
    struct vcpu_action a = next(0, VCPU_IF);
    cr_assert_eq(a.kind, VCPU_ACT_INTR);
    cr_assert_eq(a.vector, 0x50);
    cr_assert(rig_isr(&R, 0, 0x50), "acknowledged");
}

Test(vcpu_events, extint_before_lapic_interrupts)
{
    setup();
    rig_sw_enable(&R, 0);
    lapic_deliver(&R.cpu[0], APIC_DM_FIXED, 0x50, false);
    lapic_set_lint(&R.cpu[0], 0, 1); /* the BSP's LINT0 is ExtINT at reset */
    cr_assert_eq(next(0, VCPU_IF).kind, VCPU_ACT_EXTINT);
    cr_assert_eq(next(0, VCPU_IF).kind, VCPU_ACT_INTR);
}

Test(vcpu_events, halt_wakes_on_enabled_interrupts_only)
{
    setup();
    rig_sw_enable(&R, 0);
    S[0] = VCPU_HALTED;
    lapic_deliver(&R.cpu[0], APIC_DM_FIXED, 0x60, false);
    cr_assert_eq(next(0, 0).kind, VCPU_ACT_NONE);
    cr_assert_eq(S[0], VCPU_HALTED, "IF=0: HLT goes on");
    cr_assert_eq(next(0, VCPU_IF).kind, VCPU_ACT_INTR);
    cr_assert_eq(S[0], VCPU_RUNNING);
    S[0] = VCPU_HALTED;
    lapic_deliver(&R.cpu[0], APIC_DM_NMI, 0, false);
    cr_assert_eq(next(0, 0).kind, VCPU_ACT_NMI);
    cr_assert_eq(S[0], VCPU_RUNNING);
}

/* Aero's smp_lapic_timer_wakes_ap: a halted AP's timer fires, it is kicked and takes it */
Test(vcpu_events, lapic_timer_wakes_a_halted_ap)
{
    setup();
    rig_ipi(&R, 0, 2, ICR(APIC_DM_INIT, 0));
    next(2, 0);
    rig_ipi(&R, 0, 2, ICR(APIC_DM_SIPI, 0x10));
    next(2, 0);
    rig_sw_enable(&R, 2);
    rig_wr(&R, 2, LAPIC_TIMER_DCR, 0xb);
    rig_wr(&R, 2, LAPIC_LVT_TIMER, 0xef);
    rig_wr(&R, 2, LAPIC_TIMER_ICR, 1000);
    S[2] = VCPU_HALTED;
    cr_assert_eq(next(2, VCPU_IF).kind, VCPU_ACT_NONE, "sleeps");
    unsigned kicks = R.kicks[2];
    fake_clock_advance(&R.clk, lapic_next_deadline(&R.cpu[2]) - clock_now(&R.clk.clock));
    lapic_timer_poll(&R.cpu[2]);
    cr_assert_gt(R.kicks[2], kicks);
    struct vcpu_action a = next(2, VCPU_IF);
    cr_assert_eq(a.kind, VCPU_ACT_INTR);
    cr_assert_eq(a.vector, 0xef);
    cr_assert_eq(S[2], VCPU_RUNNING);
}

Test(vcpu_events, machine_bits_first)
{
    setup();
    lapic_deliver(&R.cpu[1], APIC_DM_INIT, 0, false);
    lapic_post_events(&R.cpu[1], 0x00020000u);
    struct vcpu_action a = next(1, 0);
    cr_assert_eq(a.kind, VCPU_ACT_MACHINE);
    cr_assert_eq(a.machine_bits, 0x00020000u);
    cr_assert_eq(next(1, 0).kind, VCPU_ACT_INIT);
}
