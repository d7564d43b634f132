/*
 * test_pit.c: the 8254 PIT and port 0x61 (emu/dev/pit.h) on the fake clock.
 * The guest clock runs at PIT_HZ * 3, so one PIT tick is 3 guest ticks.
 */
#include "emu/dev/pit.h"
#include "tests/unit/apic_rig.h"

#define TICK 3
static struct fake_clock C;
static struct bus B;
static struct pit P;
static int irq_level;
static unsigned rising;

static void record_irq(void *opaque, unsigned line, int level)
{
    (void)opaque;
    (void)line;
    if (level && !irq_level)
        rising++;
    irq_level = level;
}

static void out(uint16_t port, uint8_t v)
{
    bus_pio_write(&B, port, v, 1);
}

static uint8_t in(uint16_t port)
{
    return (uint8_t)bus_pio_read(&B, port, 1);
}

static void setup(void)
{
    fake_clock_init(&C, (uint64_t)PIT_HZ * TICK);
    fake_clock_advance(&C, 12345);
    bus_init(&B);
    irq_level = 0;
    rising = 0;
    pit_init(&P, &C.clock, (struct irq_line){record_irq, NULL, 0});
    cr_assert_eq(pit_register(&P, &B), 0);
}

static void advance_ticks(uint64_t ticks)
{
    fake_clock_advance(&C, ticks * TICK);
    pit_poll(&P);
}

static uint16_t read_word(uint16_t port)
{
    uint8_t lo = in(port);
    return (uint16_t)(lo | in(port) << 8);
}

Test(pit, mode2_rate_generator)
{
    setup();
    out(0x43, 0x34); /* channel 0, LSB then MSB, mode 2 */
    out(0x40, 100);
    out(0x40, 0);
    cr_assert_eq(irq_level, 1, "mode 2 idles high");
    rising = 0;
    uint64_t t0 = clock_now(&C.clock);
    cr_assert_eq(pit_next_deadline(&P), t0 + 99 * TICK, "low for the clock the count is 1");
    for (unsigned k = 1; k <= 10; k++) {
        fake_clock_advance(&C, pit_next_deadline(&P) - clock_now(&C.clock));
        pit_poll(&P);
        fake_clock_advance(&C, pit_next_deadline(&P) - clock_now(&C.clock));
        pit_poll(&P);
        cr_assert_eq(rising, k);
    }
    cr_assert_eq(clock_now(&C.clock), t0 + 1000 * TICK, "exactly ten periods");
}

Test(pit, mode2_catch_up_is_bounded)
{
    setup();
    out(0x43, 0x34);
    out(0x40, 10);
    out(0x40, 0);
    rising = 0;
    advance_ticks(1000000);
    cr_assert_leq(rising, 64, "a long-stalled timer does not replay every period");
    cr_assert_geq(rising, 1);
    cr_assert_gt(pit_next_deadline(&P), clock_now(&C.clock));
}

Test(pit, mode0_interrupt_on_terminal_count)
{
    setup();
    out(0x43, 0x30);
    cr_assert_eq(irq_level, 0, "mode 0 starts low");
    out(0x40, 0x10);
    out(0x40, 0x00);
    advance_ticks(15);
    cr_assert_eq(irq_level, 0);
    cr_assert_eq(read_word(0x40), 1);
    advance_ticks(1);
    cr_assert_eq(irq_level, 1);
    advance_ticks(100000);
    cr_assert_eq(rising, 1, "once");
    cr_assert_eq(pit_next_deadline(&P), CLOCK_NEVER);
}

Test(pit, mode3_square_wave)
{
    setup();
    out(0x43, 0x36);
    out(0x40, 10);
    out(0x40, 0);
    cr_assert_eq(irq_level, 1);
    rising = 0;
    advance_ticks(5);
    cr_assert_eq(irq_level, 0, "low for the second half");
    advance_ticks(5);
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(rising, 1);
}

Test(pit, counter_reads_and_latch)
{
    setup();
    out(0x43, 0x34);
    out(0x40, 0x00);
    out(0x40, 0x10); /* 0x1000 */
    advance_ticks(0x10);
    cr_assert_eq(read_word(0x40), 0x0ff0);
    out(0x43, 0x00); /* latch channel 0 */
    advance_ticks(0x100);
    cr_assert_eq(read_word(0x40), 0x0ff0, "the latched value");
    cr_assert_eq(read_word(0x40), 0x0ef0, "then live again");
}

Test(pit, lsb_only_and_msb_only)
{
    setup();
    out(0x43, 0x14); /* LSB only, mode 2 */
    out(0x40, 0x80);
    advance_ticks(1);
    cr_assert_eq(in(0x40), 0x7f);
    out(0x43, 0x24); /* MSB only */
    out(0x40, 0x02);
    advance_ticks(1);
    cr_assert_eq(in(0x40), 0x01, "0x200 - 1 = 0x1ff");
}

Test(pit, read_back_status)
{
    setup();
    out(0x43, 0xb2); /* channel 2, word, mode 1 */
    out(0x43, 0xe8); /* read-back: status only, channel 2 */
    cr_assert_eq(in(0x42), 0x40 | 0x30 | 0x02 | 0x80, "null count, word, mode 1, OUT high");
    out(0x42, 0x34);
    out(0x42, 0x12);
    out(0x43, 0xc8); /* count and status */
    cr_assert_eq(in(0x42) & 0x40, 0, "count loaded");
    cr_assert_eq(read_word(0x42), 0x1234);
}

/* Linux's pit_calibrate_tsc(): channel 2, mode 0, gated by port 0x61, polling OUT2 */
Test(pit, channel2_through_port61)
{
    setup();
    cr_assert_eq(in(0x61) & (PORT61_GATE2 | PORT61_SPEAKER), 0);
    out(0x61, (in(0x61) & ~PORT61_SPEAKER) | PORT61_GATE2);
    cr_assert_eq(in(0x61) & PORT61_GATE2, PORT61_GATE2);
    out(0x43, 0xb0);
    out(0x42, 0x00);
    out(0x42, 0x10);
    cr_assert_eq(in(0x61) & PORT61_OUT2, 0);
    advance_ticks(0xfff);
    cr_assert_eq(in(0x61) & PORT61_OUT2, 0);
    advance_ticks(1);
    cr_assert_eq(in(0x61) & PORT61_OUT2, PORT61_OUT2);
    cr_assert_eq(rising, 0, "channel 2 has no IRQ");
}

Test(pit, port61_refresh_toggles)
{
    setup();
    uint8_t a = in(0x61) & PORT61_REFRESH;
    fake_clock_advance(&C, C.clock.hz * PIT_REFRESH_NS / 1000000000ull + 1);
    cr_assert_neq(in(0x61) & PORT61_REFRESH, a);
}

Test(pit, rising_gate_restarts_mode1)
{
    setup();
    out(0x43, 0xb2); /* channel 2, mode 1 */
    out(0x42, 0x20);
    out(0x42, 0x00);
    advance_ticks(0x10);
    out(0x61, PORT61_GATE2);
    cr_assert_eq(read_word(0x42), 0x20, "reloaded by the gate");
}

/* datasheet, mode 0: "GATE = 0 disables counting", and counting goes on when it returns */
Test(pit, low_gate_pauses_mode0)
{
    setup();
    out(0x61, PORT61_GATE2);
    out(0x43, 0xb0); /* channel 2, mode 0 */
    out(0x42, 0x00);
    out(0x42, 0x01); /* 256 */
    advance_ticks(100);
    cr_assert_eq(read_word(0x42), 156);
    out(0x61, 0); /* gate low */
    advance_ticks(500);
    cr_assert_eq(read_word(0x42), 156, "held while the gate is low");
    cr_assert_eq(in(0x61) & PORT61_OUT2, 0, "and OUT with it");
    out(0x61, PORT61_GATE2);
    advance_ticks(155);
    cr_assert_eq(read_word(0x42), 1);
    cr_assert_eq(in(0x61) & PORT61_OUT2, 0);
    advance_ticks(1);
    cr_assert_eq(in(0x61) & PORT61_OUT2, PORT61_OUT2, "terminal count 256 counted ticks after the load");
}

/* a count loaded with the gate low waits for it (mode 0) */
Test(pit, mode0_count_waits_for_gate)
{
    setup();
    out(0x43, 0xb0);
    out(0x42, 0x10);
    out(0x42, 0x00);
    advance_ticks(50);
    cr_assert_eq(read_word(0x42), 0x10, "gate low since power-on: not counting");
    out(0x61, PORT61_GATE2);
    advance_ticks(0x10);
    cr_assert_eq(in(0x61) & PORT61_OUT2, PORT61_OUT2);
}

/* mode 2: a low gate stops the count and sets OUT high; a rising gate reloads */
Test(pit, low_gate_mode2_out_high_and_reload)
{
    setup();
    out(0x61, PORT61_GATE2);
    out(0x43, 0xb4); /* channel 2, mode 2 */
    out(0x42, 0x40);
    out(0x42, 0x00);
    advance_ticks(0x3f); /* the count is 1: OUT low */
    cr_assert_eq(in(0x61) & PORT61_OUT2, 0);
    out(0x61, 0);
    cr_assert_eq(in(0x61) & PORT61_OUT2, PORT61_OUT2, "high at once");
    advance_ticks(10);
    cr_assert_eq(read_word(0x42), 1, "held");
    out(0x61, PORT61_GATE2);
    cr_assert_eq(read_word(0x42), 0x40, "reloaded by the rising gate");
}

Test(pit, garbage_never_crashes)
{
    setup();
    for (unsigned v = 0; v < 256; v++) {
        out(0x43, (uint8_t)v);
        out(0x40 + v % 3, (uint8_t)(v * 7));
        (void)in(0x40 + v % 4);
        out(0x61, (uint8_t)v);
        advance_ticks(v);
    }
}

/* PIT IRQ 0 through the IOAPIC's GSI 2 to an AP, end to end */
static struct rig R;

Test(pit, irq0_routed_to_ap_through_ioapic)
{
    rig_init(&R, 4);
    rig_sw_enable_all(&R);
    rig_redir(&R, PLAT_GSI_PIT, ((uint64_t)3 << IOREDTBL_DEST_SHIFT) | 0x30);
    bus_init(&B);
    pit_init(&P, &R.clk.clock, (struct irq_line){ioapic_set_irq, &R.ioapic, PLAT_GSI_PIT});
    pit_register(&P, &B);
    out(0x43, 0x34);
    out(0x40, 0xa9); /* 1193182 / 100 = 11931 = 0x2e9b: 100 Hz */
    out(0x40, 0x2e);
    for (unsigned tick = 0; tick < 3; tick++) {
        fake_clock_advance(&R.clk, pit_next_deadline(&P) - clock_now(&R.clk.clock));
        pit_poll(&P);
        fake_clock_advance(&R.clk, pit_next_deadline(&P) - clock_now(&R.clk.clock));
        pit_poll(&P);
        cr_assert_eq(lapic_ack(&R.cpu[3]), 0x30, "tick %u", tick);
        rig_wr(&R, 3, LAPIC_EOI, 0);
    }
    cr_assert_eq(R.kicks[0] + R.kicks[1] + R.kicks[2], 0);
}
