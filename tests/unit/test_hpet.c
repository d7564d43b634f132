/*
 * test_hpet.c: the HPET (emu/dev/hpet.h) on the fake clock, with the LAPIC
 * rig for FSB delivery. The guest clock runs at 1 GHz: an HPET tick (10 ns)
 * is 10 guest ticks.
 */
#include "emu/dev/hpet.h"
#include "tests/unit/apic_rig.h"

#define HZ   1000000000ull
#define TICK 10

static struct fake_clock C;
static struct bus B;
static struct hpet H;
static int gsi_level[24], isa_level[16];
static unsigned gsi_rising[24], isa_rising[16];
static int legacy_on = -1;

static void gsi_irq(void *opaque, unsigned line, int level)
{
    (void)opaque;
    cr_assert_lt(line, 24);
    if (level && !gsi_level[line])
        gsi_rising[line]++;
    gsi_level[line] = level;
}

static void isa_irq(void *opaque, unsigned line, int level)
{
    (void)opaque;
    cr_assert_lt(line, 16);
    if (level && !isa_level[line])
        isa_rising[line]++;
    isa_level[line] = level;
}

static void record_legacy(void *opaque, bool on)
{
    (void)opaque;
    legacy_on = on;
}

static void setup_with(const struct clock *clock, struct intr *intr)
{
    bus_init(&B);
    memset(gsi_level, 0, sizeof gsi_level);
    memset(gsi_rising, 0, sizeof gsi_rising);
    memset(isa_level, 0, sizeof isa_level);
    memset(isa_rising, 0, sizeof isa_rising);
    hpet_init(&H, clock, (struct irq_line){isa_irq, NULL, 0}, (struct irq_line){gsi_irq, NULL, 0},
              intr);
    H.legacy = record_legacy;
    cr_assert_eq(hpet_register(&H, &B), 0);
}

static void setup(void)
{
    fake_clock_init(&C, HZ);
    fake_clock_advance(&C, 5000);
    setup_with(&C.clock, NULL);
}

static uint64_t rd(unsigned reg)
{
    return bus_mmio_read(&B, NULL, PLAT_HPET_BASE + reg, 8);
}

static void wr(unsigned reg, uint64_t v)
{
    bus_mmio_write(&B, NULL, PLAT_HPET_BASE + reg, v, 8);
}

static void run_ticks(uint64_t ticks)
{
    fake_clock_advance(&C, ticks * TICK);
    hpet_poll(&H);
}

Test(hpet, capabilities)
{
    setup();
    uint64_t cap = rd(HPET_GCAP_ID);
    cr_assert_eq(cap >> 32, HPET_PERIOD_FS, "10 ns");
    cr_assert_eq((cap >> 16) & 0xffff, PLAT_HPET_VENDOR_ID);
    cr_assert(cap & GCAP_LEG_RT_CAP);
    cr_assert(cap & GCAP_COUNT_SIZE_64);
    cr_assert_eq(((cap >> 8) & 0x1f) + 1, PLAT_HPET_TIMERS);
    cr_assert_eq(cap & 0xff, PLAT_HPET_REV_ID);
    uint64_t t0 = rd(HPET_TIMER(0) + HPET_TN_CONF);
    cr_assert_eq(t0 >> 32, HPET_INTCAP);
    cr_assert(t0 & TN_PER_CAP && t0 & TN_SIZE_64 && t0 & TN_FSB_CAP);
    cr_assert_eq(bus_mmio_read(&B, NULL, PLAT_HPET_BASE + 4, 4), HPET_PERIOD_FS, "high half");
    wr(HPET_GCAP_ID, 0);
    cr_assert_eq(rd(HPET_GCAP_ID), cap, "read-only");
}

Test(hpet, counter_runs_only_when_enabled)
{
    setup();
    run_ticks(100);
    cr_assert_eq(rd(HPET_MAIN_CNT), 0);
    wr(HPET_GEN_CONF, CONF_ENABLE);
    run_ticks(100);
    cr_assert_eq(rd(HPET_MAIN_CNT), 100);
    wr(HPET_GEN_CONF, 0);
    run_ticks(100);
    cr_assert_eq(rd(HPET_MAIN_CNT), 100, "halted");
    wr(HPET_MAIN_CNT, 0xfffffff0ull);
    wr(HPET_GEN_CONF, CONF_ENABLE);
    run_ticks(0x20);
    cr_assert_eq(rd(HPET_MAIN_CNT), 0x100000010ull, "64 bits wide");
}

Test(hpet, one_shot_edge_on_a_route)
{
    setup();
    wr(HPET_TIMER(2) + HPET_TN_CONF, TN_INT_ENB | (20ull << TN_ROUTE_SHIFT));
    cr_assert_eq((rd(HPET_TIMER(2) + HPET_TN_CONF) >> TN_ROUTE_SHIFT) & 0x1f, 20);
    wr(HPET_TIMER(2) + HPET_TN_CMP, 1000);
    wr(HPET_GEN_CONF, CONF_ENABLE);
    cr_assert_eq(hpet_next_deadline(&H), clock_now(&C.clock) + 1000 * TICK);
    run_ticks(999);
    cr_assert_eq(gsi_rising[20], 0);
    run_ticks(1);
    cr_assert_eq(gsi_rising[20], 1);
    cr_assert_eq(gsi_level[20], 0, "a pulse");
    run_ticks(100000);
    cr_assert_eq(gsi_rising[20], 1, "once");
    cr_assert_eq(hpet_next_deadline(&H), CLOCK_NEVER);
}

Test(hpet, route_must_be_capable)
{
    setup();
    wr(HPET_TIMER(0) + HPET_TN_CONF, 5ull << TN_ROUTE_SHIFT);
    cr_assert_eq(rd(HPET_TIMER(0) + HPET_TN_CONF) & TN_ROUTE_MASK, 0);
}

Test(hpet, periodic_with_val_set)
{
    setup();
    wr(HPET_GEN_CONF, CONF_ENABLE);
    wr(HPET_TIMER(0) + HPET_TN_CONF,
       TN_INT_ENB | TN_PERIODIC | TN_VAL_SET | (2ull << TN_ROUTE_SHIFT));
    wr(HPET_TIMER(0) + HPET_TN_CMP, 500);
    cr_assert_not(rd(HPET_TIMER(0) + HPET_TN_CONF) & TN_VAL_SET, "self-clearing");
    for (unsigned k = 1; k <= 4; k++) {
        run_ticks(500);
        cr_assert_eq(gsi_rising[2], k);
        cr_assert_eq(rd(HPET_TIMER(0) + HPET_TN_CMP), 500 * (k + 1));
    }
    /* far behind: one interrupt, and the comparator moves past the counter */
    run_ticks(100000);
    cr_assert_eq(gsi_rising[2], 5);
    cr_assert_gt(rd(HPET_TIMER(0) + HPET_TN_CMP), rd(HPET_MAIN_CNT));
    /* a comparator write without VAL_SET changes only the period */
    wr(HPET_TIMER(0) + HPET_TN_CMP, 100);
    cr_assert_gt(rd(HPET_TIMER(0) + HPET_TN_CMP), 100);
}

Test(hpet, level_status_and_clear)
{
    setup();
    wr(HPET_TIMER(1) + HPET_TN_CONF, TN_INT_ENB | TN_LEVEL | (8ull << TN_ROUTE_SHIFT));
    wr(HPET_TIMER(1) + HPET_TN_CMP, 10);
    wr(HPET_GEN_CONF, CONF_ENABLE);
    run_ticks(10);
    cr_assert_eq(gsi_level[8], 1);
    cr_assert_eq(rd(HPET_GINTR_STA), 1u << 1);
    wr(HPET_GINTR_STA, 0);
    cr_assert_eq(rd(HPET_GINTR_STA), 1u << 1, "writing 0 does nothing");
    wr(HPET_GINTR_STA, 1u << 1);
    cr_assert_eq(rd(HPET_GINTR_STA), 0);
    cr_assert_eq(gsi_level[8], 0);
}

Test(hpet, comparator_behind_the_counter_waits_for_equality)
{
    setup();
    wr(HPET_MAIN_CNT, 1000);
    wr(HPET_TIMER(2) + HPET_TN_CONF, TN_INT_ENB | (21ull << TN_ROUTE_SHIFT));
    wr(HPET_TIMER(2) + HPET_TN_CMP, 10);
    wr(HPET_GEN_CONF, CONF_ENABLE);
    run_ticks(1000);
    cr_assert_eq(gsi_rising[21], 0, "64-bit: it never comes round");
    cr_assert_eq(hpet_next_deadline(&H), CLOCK_NEVER);
    /* the reset comparator (all ones) does not fire when a timer is enabled */
    wr(HPET_TIMER(1) + HPET_TN_CONF, TN_INT_ENB | (22ull << TN_ROUTE_SHIFT));
    run_ticks(10);
    cr_assert_eq(gsi_rising[22], 0);
}

Test(hpet, thirty_two_bit_mode)
{
    setup();
    wr(HPET_MAIN_CNT, 0x1fffffff0ull);
    wr(HPET_TIMER(0) + HPET_TN_CONF, TN_INT_ENB | TN_32BIT | (2ull << TN_ROUTE_SHIFT));
    wr(HPET_TIMER(0) + HPET_TN_CMP, 0x100000005ull);
    cr_assert_eq(rd(HPET_TIMER(0) + HPET_TN_CMP), 5, "32 bits kept");
    wr(HPET_GEN_CONF, CONF_ENABLE);
    run_ticks(0x14);
    cr_assert_eq(gsi_rising[2], 0);
    run_ticks(1);
    cr_assert_eq(gsi_rising[2], 1, "matched on the low 32 bits after the wrap");
}

Test(hpet, legacy_replacement)
{
    setup();
    wr(HPET_GEN_CONF, CONF_ENABLE | CONF_LEGACY);
    cr_assert_eq(legacy_on, 1);
    wr(HPET_TIMER(0) + HPET_TN_CONF, TN_INT_ENB | (20ull << TN_ROUTE_SHIFT));
    wr(HPET_TIMER(1) + HPET_TN_CONF, TN_INT_ENB);
    wr(HPET_TIMER(0) + HPET_TN_CMP, rd(HPET_MAIN_CNT) + 10);
    wr(HPET_TIMER(1) + HPET_TN_CMP, rd(HPET_MAIN_CNT) + 20);
    run_ticks(20);
    cr_assert_eq(isa_rising[0], 1, "timer 0 on IRQ 0");
    cr_assert_eq(isa_rising[8], 1, "timer 1 on IRQ 8");
    cr_assert_eq(gsi_rising[20], 0, "the route is overridden");
    wr(HPET_GEN_CONF, CONF_ENABLE);
    cr_assert_eq(legacy_on, 0);
}

Test(hpet, access_rules)
{
    setup();
    cr_assert_eq(bus_mmio_read(&B, NULL, PLAT_HPET_BASE + HPET_GEN_CONF, 2), 0xffff);
    cr_assert_eq(bus_mmio_read(&B, NULL, PLAT_HPET_BASE + 2, 4), 0xffffffffu, "unaligned");
    bus_mmio_write(&B, NULL, PLAT_HPET_BASE + HPET_GEN_CONF, 1, 1);
    cr_assert_eq(rd(HPET_GEN_CONF), 0);
    bus_mmio_write(&B, NULL, PLAT_HPET_BASE + HPET_TIMER(0) + HPET_TN_CMP + 4, 0x12, 4);
    cr_assert_eq(rd(HPET_TIMER(0) + HPET_TN_CMP), 0x00000012ffffffffull, "the high half alone");
    cr_assert_eq(rd(0x3f8), 0, "reserved");
}

/* FSB delivery: an MSI to APIC 1 */
static struct rig R;

Test(hpet, fsb_delivers_msi)
{
    rig_init(&R, 2);
    rig_sw_enable_all(&R);
    setup_with(&R.clk.clock, &R.intr);
    wr(HPET_TIMER(1) + HPET_TN_FSB, (uint64_t)(MSI_ADDR_BASE | 1u << 12) << 32 | 0x66);
    wr(HPET_TIMER(1) + HPET_TN_CONF, TN_INT_ENB | TN_FSB_EN);
    wr(HPET_TIMER(1) + HPET_TN_CMP, 50);
    wr(HPET_GEN_CONF, CONF_ENABLE);
    fake_clock_advance(&R.clk, hpet_next_deadline(&H) - clock_now(&R.clk.clock));
    hpet_poll(&H);
    cr_assert_eq(rig_irr_mask(&R, 0x66), 1u << 1);
}
