/*
 * test_rtc.c: the MC146818A RTC (emu/dev/rtc.h) on the fake clock.
 */
#include "emu/dev/rtc.h"
#include "emu/platform.h"

#include <criterion/criterion.h>

#define HZ 1000000000ull /* 1 GHz guest clock: a tick is a nanosecond */
#define T0 1700000000    /* 2023-11-14 22:13:20 UTC, a Tuesday */

static struct fake_clock C;
static struct bus B;
static struct rtc R;
static int irq_level;
static unsigned rising;

static void set_irq(void *opaque, unsigned line, int level)
{
    (void)opaque;
    (void)line;
    if (level && !irq_level)
        rising++;
    irq_level = level;
}

static void setup(void)
{
    fake_clock_init(&C, HZ);
    fake_clock_advance(&C, 777);
    bus_init(&B);
    irq_level = 0;
    rising = 0;
    rtc_init(&R, &C.clock, (struct irq_line){set_irq, NULL, PLAT_IRQ_RTC}, T0);
    cr_assert_eq(rtc_register(&R, &B), 0);
}

static uint8_t cmos(uint8_t index)
{
    bus_pio_write(&B, PLAT_PORT_RTC, index, 1);
    return (uint8_t)bus_pio_read(&B, PLAT_PORT_RTC + 1, 1);
}

static void cmos_wr(uint8_t index, uint8_t v)
{
    bus_pio_write(&B, PLAT_PORT_RTC, index, 1);
    bus_pio_write(&B, PLAT_PORT_RTC + 1, v, 1);
}

Test(rtc, calendar_round_trip)
{
    static const struct {
        int64_t y;
        unsigned m, d;
        int64_t days;
    } dates[] = {{1970, 1, 1, 0}, {2000, 2, 29, 11016}, {2023, 11, 14, 19675}, {2100, 3, 1, 47541}};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        cr_assert_eq(rtc_days_from_civil(dates[i].y, dates[i].m, dates[i].d), dates[i].days);
        int64_t y;
        unsigned m, d;
        rtc_civil_from_days(dates[i].days, &y, &m, &d);
        cr_assert(y == dates[i].y && m == dates[i].m && d == dates[i].d);
    }
}

Test(rtc, time_at_boot_in_bcd)
{
    setup();
    cr_assert_eq(cmos(RTC_SECONDS), 0x20);
    cr_assert_eq(cmos(RTC_MINUTES), 0x13);
    cr_assert_eq(cmos(RTC_HOURS), 0x22);
    cr_assert_eq(cmos(RTC_DAY_OF_WEEK), 3, "Tuesday, Sunday being 1");
    cr_assert_eq(cmos(RTC_DAY_OF_MONTH), 0x14);
    cr_assert_eq(cmos(RTC_MONTH), 0x11);
    cr_assert_eq(cmos(RTC_YEAR), 0x23);
    cr_assert_eq(cmos(RTC_CENTURY), 0x20);
    cr_assert_eq(cmos(RTC_REG_D), REG_D_VRT);
}

Test(rtc, time_runs_on_the_machine_clock)
{
    setup();
    fake_clock_advance(&C, 41 * HZ);
    cr_assert_eq(cmos(RTC_SECONDS), 0x01);
    cr_assert_eq(cmos(RTC_MINUTES), 0x14);
}

Test(rtc, binary_and_12_hour_modes)
{
    setup();
    cmos_wr(RTC_REG_B, REG_B_DM);
    cr_assert_eq(cmos(RTC_SECONDS), 20);
    cr_assert_eq(cmos(RTC_HOURS), 10 | 0x80, "10 PM");
    cmos_wr(RTC_REG_B, REG_B_DM | REG_B_24H);
    cr_assert_eq(cmos(RTC_HOURS), 22);
}

Test(rtc, set_freezes_and_sets_the_clock)
{
    setup();
    cmos_wr(RTC_REG_B, REG_B_24H | REG_B_SET);
    cmos_wr(RTC_YEAR, 0x99);
    cmos_wr(RTC_CENTURY, 0x19);
    cmos_wr(RTC_MONTH, 0x12);
    cmos_wr(RTC_DAY_OF_MONTH, 0x31);
    cmos_wr(RTC_HOURS, 0x23);
    cmos_wr(RTC_MINUTES, 0x59);
    cmos_wr(RTC_SECONDS, 0x58);
    fake_clock_advance(&C, 5 * HZ);
    cr_assert_eq(cmos(RTC_SECONDS), 0x58, "frozen while SET");
    cmos_wr(RTC_REG_B, REG_B_24H);
    fake_clock_advance(&C, 2 * HZ);
    cr_assert_eq(cmos(RTC_SECONDS), 0x00);
    cr_assert_eq(cmos(RTC_YEAR), 0x00);
    cr_assert_eq(cmos(RTC_CENTURY), 0x20, "into 2000");
    cr_assert_eq(cmos(RTC_MONTH), 0x01);
}

Test(rtc, uip_before_each_update)
{
    setup();
    cr_assert_not(cmos(RTC_REG_A) & REG_A_UIP);
    fake_clock_advance(&C, HZ - 100000); /* 100 us before the update */
    cr_assert(cmos(RTC_REG_A) & REG_A_UIP);
    fake_clock_advance(&C, 100000);
    cr_assert_not(cmos(RTC_REG_A) & REG_A_UIP);
    cr_assert_eq(cmos(RTC_REG_A) & ~REG_A_UIP, REG_A_DV_NORMAL | 6);
}

Test(rtc, periodic_interrupt)
{
    setup();
    cmos_wr(RTC_REG_A, REG_A_DV_NORMAL | 0xf); /* 2 Hz */
    cmos_wr(RTC_REG_B, REG_B_24H | REG_B_PIE);
    uint64_t next = rtc_next_deadline(&R);
    cr_assert_eq(next, 777 + HZ / 2);
    fake_clock_advance(&C, next - clock_now(&C.clock));
    rtc_poll(&R);
    cr_assert_eq(irq_level, 1);
    uint8_t c = cmos(RTC_REG_C);
    cr_assert_eq(c & (REG_C_IRQF | REG_C_PF), REG_C_IRQF | REG_C_PF);
    cr_assert_eq(irq_level, 0, "reading C drops IRQ 8");
    cr_assert_eq(cmos(RTC_REG_C), 0, "and clears the flags");
    fake_clock_advance(&C, HZ / 2);
    rtc_poll(&R);
    cr_assert_eq(rising, 2);
}

Test(rtc, flags_without_interrupts)
{
    setup();
    fake_clock_advance(&C, HZ);
    uint8_t c = cmos(RTC_REG_C);
    cr_assert_eq(c & (REG_C_UF | REG_C_PF), REG_C_UF | REG_C_PF, "1024 Hz and the update");
    cr_assert_not(c & REG_C_IRQF);
    cr_assert_eq(rising, 0);
    cr_assert_eq(rtc_next_deadline(&R), CLOCK_NEVER, "nothing enabled");
}

Test(rtc, update_interrupt)
{
    setup();
    cmos_wr(RTC_REG_B, REG_B_24H | REG_B_UIE);
    cr_assert_eq(rtc_next_deadline(&R), 777 + HZ);
    fake_clock_advance(&C, HZ);
    rtc_poll(&R);
    cr_assert_eq(irq_level, 1);
    cr_assert(cmos(RTC_REG_C) & REG_C_UF);
}

Test(rtc, alarm_interrupt)
{
    setup();
    cmos_wr(RTC_SECONDS_ALARM, 0x25);
    cmos_wr(RTC_MINUTES_ALARM, 0xff); /* any minute */
    cmos_wr(RTC_HOURS_ALARM, 0xc0);
    cmos_wr(RTC_REG_B, REG_B_24H | REG_B_AIE);
    fake_clock_advance(&C, 4 * HZ);
    rtc_poll(&R);
    cr_assert_eq(irq_level, 0, "at :24");
    fake_clock_advance(&C, HZ);
    rtc_poll(&R);
    cr_assert_eq(irq_level, 1, "at :25");
    cr_assert(cmos(RTC_REG_C) & REG_C_AF);
}

Test(rtc, cmos_ram_and_nmi_mask)
{
    setup();
    rtc_cmos_set(&R, 0x34, 0x12);
    cr_assert_eq(cmos(0x34), 0x12);
    cmos_wr(0x7f, 0xaa);
    cr_assert_eq(cmos(0x7f), 0xaa);
    rtc_cmos_set(&R, RTC_REG_C, 0xff); /* the clock's own registers are not the firmware's */
    cr_assert_eq(cmos(RTC_REG_C), 0);
    bus_pio_write(&B, PLAT_PORT_RTC, RTC_NMI_DISABLE | RTC_REG_D, 1);
    cr_assert(rtc_nmi_masked(&R));
    cr_assert_eq(bus_pio_read(&B, PLAT_PORT_RTC + 1, 1), REG_D_VRT);
    cr_assert_eq(bus_pio_read(&B, PLAT_PORT_RTC, 1), 0xff);
}

Test(rtc, garbage_time_never_crashes)
{
    setup();
    for (unsigned v = 0; v < 256; v++) {
        cmos_wr(RTC_REG_B, (uint8_t)(v & ~REG_B_SET));
        for (uint8_t i = 0; i <= RTC_YEAR; i++)
            cmos_wr(i, (uint8_t)(v * 37 + i));
        cmos_wr(RTC_CENTURY, (uint8_t)v);
        (void)cmos(RTC_SECONDS);
        fake_clock_advance(&C, HZ);
        rtc_poll(&R);
    }
}
