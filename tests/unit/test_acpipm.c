/*
 * test_acpipm.c: the ACPI PM1 registers and PM timer (emu/dev/acpipm.h).
 */
#include "emu/dev/acpipm.h"
#include "emu/platform.h"

#include <criterion/criterion.h>

#define HZ 3579545ull * 4 /* four guest ticks per PM timer tick */

static struct fake_clock C;
static struct bus B;
static struct acpipm PM;
static int sci_level;
static unsigned poweroffs;

static void set_sci(void *opaque, unsigned line, int level)
{
    (void)opaque;
    cr_assert_eq(line, PLAT_IRQ_SCI);
    sci_level = level;
}

static void record_poweroff(void *opaque)
{
    (void)opaque;
    poweroffs++;
}

static void setup(void)
{
    fake_clock_init(&C, HZ);
    fake_clock_advance(&C, 99);
    bus_init(&B);
    sci_level = 0;
    poweroffs = 0;
    acpipm_init(&PM, &C.clock, (struct irq_line){set_sci, NULL, PLAT_IRQ_SCI}, record_poweroff,
                NULL);
    cr_assert_eq(acpipm_register(&PM, &B), 0);
}

#define STS (PLAT_PORT_PM_BASE + PLAT_PM1A_EVT_OFF)
#define EN  (STS + 2)
#define CNT (PLAT_PORT_PM_BASE + PLAT_PM1A_CNT_OFF)
#define TMR (PLAT_PORT_PM_BASE + PLAT_PM_TMR_OFF)

Test(acpipm, timer_counts_at_3579545_hz)
{
    setup();
    cr_assert_eq(bus_pio_read(&B, TMR, 4), 0);
    fake_clock_advance(&C, 4 * 1000);
    cr_assert_eq(bus_pio_read(&B, TMR, 4), 1000);
    fake_clock_advance(&C, 4ull << 24);
    cr_assert_eq(bus_pio_read(&B, TMR, 4), 1000, "24 bits wrap");
    bus_pio_write(&B, TMR, 0, 4);
    cr_assert_eq(bus_pio_read(&B, TMR, 4), 1000, "read-only");
}

Test(acpipm, sci_en_reads_one)
{
    setup();
    cr_assert_eq(bus_pio_read(&B, CNT, 2) & PM1_SCI_EN, PM1_SCI_EN);
    bus_pio_write(&B, CNT, 0, 2);
    cr_assert_eq(bus_pio_read(&B, CNT, 2) & PM1_SCI_EN, PM1_SCI_EN);
}

Test(acpipm, timer_overflow_status_and_sci)
{
    setup();
    bus_pio_write(&B, EN, PM1_TMR, 2);
    uint64_t next = acpipm_next_deadline(&PM);
    cr_assert_eq(next, 99 + (4ull << 23));
    fake_clock_advance(&C, next - clock_now(&C.clock) - 1);
    acpipm_poll(&PM);
    cr_assert_eq(sci_level, 0);
    fake_clock_advance(&C, 1);
    acpipm_poll(&PM);
    cr_assert_eq(sci_level, 1);
    cr_assert(bus_pio_read(&B, STS, 2) & PM1_TMR);
    bus_pio_write(&B, STS, PM1_TMR, 2);
    cr_assert_not(bus_pio_read(&B, STS, 2) & PM1_TMR, "write 1 to clear");
    cr_assert_eq(sci_level, 0);
}

Test(acpipm, status_without_enable_raises_nothing)
{
    setup();
    fake_clock_advance(&C, 4ull << 23);
    cr_assert(bus_pio_read(&B, STS, 2) & PM1_TMR);
    cr_assert_eq(sci_level, 0);
    cr_assert_eq(acpipm_next_deadline(&PM), CLOCK_NEVER);
}

Test(acpipm, power_button)
{
    setup();
    bus_pio_write(&B, EN, PM1_PWRBTN, 2);
    acpipm_power_button(&PM);
    cr_assert_eq(sci_level, 1);
    cr_assert_eq(bus_pio_read(&B, STS, 1), 0, "low byte");
    cr_assert_eq(bus_pio_read(&B, STS + 1, 1), PM1_PWRBTN >> 8, "high byte");
    bus_pio_write(&B, STS + 1, PM1_PWRBTN >> 8, 1);
    cr_assert_eq(sci_level, 0);
}

Test(acpipm, s5_powers_off)
{
    setup();
    bus_pio_write(&B, CNT, (PLAT_SLP_TYP_S5 + 1) << PM1_SLP_TYP_SHIFT | PM1_SLP_EN, 2);
    cr_assert_eq(poweroffs, 0, "another sleep type");
    bus_pio_write(&B, CNT, PLAT_SLP_TYP_S5 << PM1_SLP_TYP_SHIFT | PM1_SLP_EN, 2);
    cr_assert_eq(poweroffs, 1);
    cr_assert_not(bus_pio_read(&B, CNT, 2) & PM1_SLP_EN, "write-only");
}

Test(acpipm, enable_register)
{
    setup();
    bus_pio_write(&B, STS, 0xffffffff, 4); /* status and enable in one dword */
    cr_assert_eq(bus_pio_read(&B, EN, 2), PM1_EVENTS);
    cr_assert_eq(bus_pio_read(&B, STS, 4) >> 16, PM1_EVENTS);
}
