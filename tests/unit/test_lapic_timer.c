/*
 * test_lapic_timer.c: the LAPIC timer (SDM Vol 3A 11.5.4) in one-shot,
 * periodic and TSC-deadline mode, on the fake clock: 3 GHz TSC, 1 GHz timer
 * input, so one timer tick at divide-by-1 is 3 TSC ticks.
 */
#include "tests/unit/apic_rig.h"

static struct rig R;

#define DIV1         0xb /* divide by 1 */
#define TSC_PER_TICK (RIG_TSC_HZ / RIG_TIMER_HZ)

static uint64_t now(void)
{
    return clock_now(&R.clk.clock);
}

static void setup(unsigned cpu, uint32_t lvt, uint32_t dcr)
{
    rig_init(&R, cpu + 1);
    rig_sw_enable(&R, cpu);
    rig_wr(&R, cpu, LAPIC_TIMER_DCR, dcr);
    rig_wr(&R, cpu, LAPIC_LVT_TIMER, lvt);
}

Test(lapic_timer, one_shot)
{
    setup(0, 0x40, DIV1);
    struct lapic *l = &R.cpu[0];
    uint64_t t0 = now();
    rig_wr(&R, 0, LAPIC_TIMER_ICR, 1000);
    cr_assert_eq(lapic_next_deadline(l), t0 + 1000 * TSC_PER_TICK);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_CCR), 1000);
    fake_clock_advance(&R.clk, 300 * TSC_PER_TICK);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_CCR), 700);
    lapic_timer_poll(l);
    cr_assert_not(rig_irr(&R, 0, 0x40), "not yet");
    fake_clock_advance(&R.clk, 700 * TSC_PER_TICK);
    lapic_timer_poll(l);
    cr_assert(rig_irr(&R, 0, 0x40));
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_CCR), 0);
    cr_assert_eq(lapic_next_deadline(l), CLOCK_NEVER);
    cr_assert_eq(lapic_ack(l), 0x40);
    rig_wr(&R, 0, LAPIC_EOI, 0);
    fake_clock_advance(&R.clk, 5000 * TSC_PER_TICK);
    lapic_timer_poll(l);
    cr_assert_not(rig_irr(&R, 0, 0x40), "one shot only");
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_ICR), 1000, "initial count is kept");
}

Test(lapic_timer, periodic)
{
    setup(0, 0x41 | LVT_TIMER_PERIODIC, DIV1);
    struct lapic *l = &R.cpu[0];
    uint64_t t0 = now();
    rig_wr(&R, 0, LAPIC_TIMER_ICR, 100);
    for (unsigned k = 1; k <= 3; k++) {
        cr_assert_eq(lapic_next_deadline(l), t0 + k * 100 * TSC_PER_TICK);
        fake_clock_advance(&R.clk, 100 * TSC_PER_TICK);
        lapic_timer_poll(l);
        cr_assert_eq(lapic_ack(l), 0x41, "period %u", k);
        rig_wr(&R, 0, LAPIC_EOI, 0);
        cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_CCR), 100, "reloaded");
    }
    fake_clock_advance(&R.clk, 30 * TSC_PER_TICK);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_CCR), 70);
    /* late by several periods: one interrupt, next deadline in the future */
    fake_clock_advance(&R.clk, 1000 * TSC_PER_TICK);
    lapic_timer_poll(l);
    cr_assert(rig_irr(&R, 0, 0x41));
    cr_assert_gt(lapic_next_deadline(l), now());
}

static const struct {
    uint32_t dcr;
    unsigned divide;
} dividers[] = {{0x0, 2},  {0x1, 4},  {0x2, 8},   {0x3, 16},
                {0x8, 32}, {0x9, 64}, {0xa, 128}, {0xb, 1}};

Test(lapic_timer, divide_configuration)
{
    for (size_t i = 0; i < sizeof dividers / sizeof dividers[0]; i++) {
        setup(0, 0x40, dividers[i].dcr);
        cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_DCR), dividers[i].dcr);
        uint64_t t0 = now();
        rig_wr(&R, 0, LAPIC_TIMER_ICR, 10);
        cr_assert_eq(lapic_next_deadline(&R.cpu[0]), t0 + 10 * dividers[i].divide * TSC_PER_TICK,
                     "dcr %#x", dividers[i].dcr);
        fake_clock_advance(&R.clk, dividers[i].divide * TSC_PER_TICK);
        cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_CCR), 9);
    }
    rig_wr(&R, 0, LAPIC_TIMER_DCR, 0xffffffff);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_DCR), 0xb, "bits 0, 1, 3 only");
}

Test(lapic_timer, divide_change_keeps_count)
{
    setup(0, 0x40, DIV1);
    rig_wr(&R, 0, LAPIC_TIMER_ICR, 1000);
    fake_clock_advance(&R.clk, 400 * TSC_PER_TICK);
    rig_wr(&R, 0, LAPIC_TIMER_DCR, 0x0); /* divide by 2 from here */
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_CCR), 600);
    fake_clock_advance(&R.clk, 200 * TSC_PER_TICK);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_CCR), 500);
    cr_assert_eq(lapic_next_deadline(&R.cpu[0]), now() + 500 * 2 * TSC_PER_TICK);
}

Test(lapic_timer, masked_counts_silently)
{
    setup(0, 0x40 | LVT_MASKED, DIV1);
    rig_wr(&R, 0, LAPIC_TIMER_ICR, 10);
    fake_clock_advance(&R.clk, 10 * TSC_PER_TICK);
    lapic_timer_poll(&R.cpu[0]);
    cr_assert_not(rig_irr(&R, 0, 0x40));
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_CCR), 0, "the count still ran out");
}

Test(lapic_timer, zero_initial_count_stops)
{
    setup(0, 0x40 | LVT_TIMER_PERIODIC, DIV1);
    rig_wr(&R, 0, LAPIC_TIMER_ICR, 10);
    rig_wr(&R, 0, LAPIC_TIMER_ICR, 0);
    cr_assert_eq(lapic_next_deadline(&R.cpu[0]), CLOCK_NEVER);
    fake_clock_advance(&R.clk, 100 * TSC_PER_TICK);
    lapic_timer_poll(&R.cpu[0]);
    cr_assert_not(rig_irr(&R, 0, 0x40));
}

Test(lapic_timer, tsc_deadline)
{
    setup(0, 0x42, DIV1);
    struct lapic *l = &R.cpu[0];
    uint64_t v;
    /* outside TSC-deadline mode the MSR reads 0 and ignores writes */
    cr_assert_eq(lapic_wrmsr(l, MSR_TSC_DEADLINE, now() + 10), LAPIC_OK);
    cr_assert_eq(lapic_rdmsr(l, MSR_TSC_DEADLINE, &v), LAPIC_OK);
    cr_assert_eq(v, 0);
    rig_wr(&R, 0, LAPIC_LVT_TIMER, 0x42 | LVT_TIMER_DEADLINE);
    uint64_t when = now() + 5000;
    lapic_wrmsr(l, MSR_TSC_DEADLINE, when);
    lapic_rdmsr(l, MSR_TSC_DEADLINE, &v);
    cr_assert_eq(v, when);
    cr_assert_eq(lapic_next_deadline(l), when);
    rig_wr(&R, 0, LAPIC_TIMER_ICR, 10);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_ICR), 0, "initial count ignored in this mode");
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_CCR), 0);
    fake_clock_advance(&R.clk, 4999);
    lapic_timer_poll(l);
    cr_assert_not(rig_irr(&R, 0, 0x42));
    fake_clock_advance(&R.clk, 1);
    lapic_timer_poll(l);
    cr_assert(rig_irr(&R, 0, 0x42));
    lapic_rdmsr(l, MSR_TSC_DEADLINE, &v);
    cr_assert_eq(v, 0, "disarmed once fired");
    cr_assert_eq(lapic_next_deadline(l), CLOCK_NEVER);
}

Test(lapic_timer, tsc_deadline_past_and_zero)
{
    setup(0, 0x43 | LVT_TIMER_DEADLINE, DIV1);
    struct lapic *l = &R.cpu[0];
    lapic_wrmsr(l, MSR_TSC_DEADLINE, now() + 100);
    lapic_wrmsr(l, MSR_TSC_DEADLINE, 0);
    cr_assert_eq(lapic_next_deadline(l), CLOCK_NEVER, "writing 0 disarms");
    lapic_wrmsr(l, MSR_TSC_DEADLINE, 1); /* long past */
    lapic_timer_poll(l);
    cr_assert(rig_irr(&R, 0, 0x43), "a deadline in the past fires at once");
}

Test(lapic_timer, mode_switch_disarms)
{
    setup(0, 0x40, DIV1);
    struct lapic *l = &R.cpu[0];
    rig_wr(&R, 0, LAPIC_TIMER_ICR, 1000);
    rig_wr(&R, 0, LAPIC_LVT_TIMER, 0x40 | LVT_TIMER_DEADLINE);
    cr_assert_eq(lapic_next_deadline(l), CLOCK_NEVER);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_ICR), 0);
    lapic_wrmsr(l, MSR_TSC_DEADLINE, now() + 10);
    rig_wr(&R, 0, LAPIC_LVT_TIMER, 0x40);
    cr_assert_eq(lapic_next_deadline(l), CLOCK_NEVER);
    rig_wr(&R, 0, LAPIC_LVT_TIMER, 0x40 | LVT_TIMER_DEADLINE);
    uint64_t v;
    lapic_rdmsr(l, MSR_TSC_DEADLINE, &v);
    cr_assert_eq(v, 0);
    /* one-shot to periodic keeps counting */
    rig_wr(&R, 0, LAPIC_LVT_TIMER, 0x40);
    rig_wr(&R, 0, LAPIC_TIMER_ICR, 100);
    fake_clock_advance(&R.clk, 50 * TSC_PER_TICK);
    rig_wr(&R, 0, LAPIC_LVT_TIMER, 0x40 | LVT_TIMER_PERIODIC);
    cr_assert_eq(rig_rd(&R, 0, LAPIC_TIMER_CCR), 50);
}

/* Aero's smp_lapic_timer_wakes_ap: an AP's timer fires and the AP is kicked */
Test(lapic_timer, wakes_ap_through_kick)
{
    setup(2, 0xec, DIV1);
    struct lapic *ap = &R.cpu[2];
    rig_wr(&R, 2, LAPIC_TIMER_ICR, 50);
    unsigned before = R.kicks[2];
    /* the halted AP sleeps until its deadline, then polls */
    uint64_t wake = clock_to_source(&R.clk.clock, lapic_next_deadline(ap));
    fake_clock_advance(&R.clk, wake - R.clk.ticks);
    lapic_timer_poll(ap);
    cr_assert_eq(R.kicks[2], before + 1);
    cr_assert_eq(R.kicks[0] + R.kicks[1], 0, "no one else");
    cr_assert(lapic_events(ap) & LAPIC_EV_INTR);
    cr_assert_eq(lapic_ack(ap), 0xec);
}

Test(lapic_timer, independent_per_vcpu)
{
    rig_init(&R, 2);
    rig_sw_enable_all(&R);
    for (unsigned i = 0; i < 2; i++) {
        rig_wr(&R, i, LAPIC_TIMER_DCR, DIV1);
        rig_wr(&R, i, LAPIC_LVT_TIMER, 0x40 + i);
        rig_wr(&R, i, LAPIC_TIMER_ICR, 100 * (i + 1));
    }
    fake_clock_advance(&R.clk, 100 * TSC_PER_TICK);
    lapic_timer_poll(&R.cpu[0]);
    lapic_timer_poll(&R.cpu[1]);
    cr_assert(rig_irr(&R, 0, 0x40));
    cr_assert_not(rig_irr(&R, 1, 0x41));
    cr_assert_eq(rig_rd(&R, 1, LAPIC_TIMER_CCR), 100);
}

/* 11.5.4.1: the deadline is compared with the vCPU's own TSC, which its TSC writes move */
Test(lapic_timer, tsc_deadline_against_the_vcpus_tsc)
{
    setup(0, 0x44 | LVT_TIMER_DEADLINE, DIV1);
    struct lapic *l = &R.cpu[0];
    uint64_t offset = 1000000; /* the vCPU's TSC runs a million ticks ahead */
    lapic_set_tsc_offset(l, &offset);
    uint64_t tsc = now() + offset;
    lapic_wrmsr(l, MSR_TSC_DEADLINE, tsc + 500);
    cr_assert_eq(lapic_next_deadline(l), now() + 500);
    offset += 200; /* a TSC write moves it 200 closer */
    cr_assert_eq(lapic_next_deadline(l), now() + 300);
    fake_clock_advance(&R.clk, 299);
    lapic_timer_poll(l);
    cr_assert_not(rig_irr(&R, 0, 0x44));
    fake_clock_advance(&R.clk, 1);
    lapic_timer_poll(l);
    cr_assert(rig_irr(&R, 0, 0x44));
    /* a deadline below the TSC but above the machine clock is already due */
    lapic_wrmsr(l, MSR_TSC_DEADLINE, now() + 10);
    cr_assert_eq(lapic_next_deadline(l), 0, "due before any reading of the clock");
    offset = 0 - (uint64_t)5000; /* and a TSC behind the machine clock */
    lapic_wrmsr(l, MSR_TSC_DEADLINE, now() + 10);
    cr_assert_eq(lapic_next_deadline(l), now() + 5010);
    lapic_set_tsc_offset(l, NULL);
}
