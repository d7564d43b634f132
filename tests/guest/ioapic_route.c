/*
 * ioapic_route: device interrupts through the I/O APIC to a chosen CPU,
 * with the BSP asleep in HLT the whole time (82093AA datasheet 3.2.4, the
 * redirection table; Intel SDM Vol 3A 11.6.2.1, physical destinations):
 *
 *   - the I/O APIC's version register says 24 entries (version 0x20 on
 *     baremu and QEMU, 0x11 on Bochs),
 *     and its ID register holds the MADT's I/O APIC ID;
 *   - PIT channel 0 (ISA IRQ 0, at the GSI the MADT's interrupt source
 *     override names) in rate-generator mode, routed to the last CPU: that
 *     CPU takes the ticks, no other CPU takes one (Aero's
 *     smp_timer_irq_routed_to_ap);
 *   - the RTC's periodic interrupt (ISA IRQ 8), routed to APIC ID 1 (Aero's
 *     ioapic_routes_to_apic1);
 *   - the BSP halts meanwhile, its interrupts on; the target wakes it with
 *     one IPI when it is done; the BSP's LAPIC timer is only a watchdog.
 * With one CPU the "chosen AP" is the BSP itself.
 */
#include "rt/apic.h"
#include "rt/cpu.h"
#include "rt/guest.h"
#include "rt/irq.h"
#include "rt/smp.h"

#define VEC_PIT      0x60
#define VEC_RTC      0x61
#define VEC_WAKE     0x62
#define VEC_WATCHDOG 0x63
#define TICKS        10
#define WATCHDOG_MS  5000
#define SETTLE_MS    20

/* 8254: channel 0, lobyte/hibyte, mode 2 (rate generator); mode 0 with no count stops it */
#define PIT_CH0        0x40
#define PIT_CMD        0x43
#define PIT_CMD_CH0_M2 0x34
#define PIT_CMD_CH0_M0 0x30
#define PIT_DIVISOR_1K 1193 /* 1.193182 MHz / 1193: about 1 kHz */
/* MC146818: register A rate 6 (1024 Hz), B's periodic interrupt enable, C acknowledges */
#define CMOS_INDEX     0x70
#define CMOS_DATA      0x71
#define RTC_REG_A      0x0a
#define RTC_REG_B      0x0b
#define RTC_REG_C      0x0c
#define RTC_A_1024HZ   0x26
#define RTC_B_PIE      0x40
#define MPS_POL_LOW    0x3 /* MADT interrupt source override flags (ACPI 5.2.12.5) */
#define MPS_TRIG_LEVEL (0x3 << 2)

static volatile uint32_t target_id, done, stop;
static unsigned pit_pin, rtc_pin;

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
    outb(CMOS_INDEX, reg);
    outb(CMOS_DATA, v);
}

/* the redirection entry for ISA IRQ irq: edge/high unless the MADT says otherwise */
static uint64_t isa_entry(unsigned irq, uint8_t vector, uint32_t dest)
{
    uint16_t f = plat.isa_flags[irq];
    uint64_t e = vector | IORED_DEST(dest);
    if ((f & 3) == MPS_POL_LOW)
        e |= IORED_ACTIVE_LOW;
    if ((f & (3 << 2)) == MPS_TRIG_LEVEL)
        e |= IORED_LEVEL;
    return e;
}

/* on the target: count, and after TICKS mask the pin and wake the BSP */
static void device_handler(uint8_t vector, struct trap_frame *f)
{
    (void)f;
    if (vector == VEC_RTC)
        (void)cmos_read(RTC_REG_C); /* acknowledge, so the line can rise again */
    if (cpu_apic_id() == target_id && irq_count(target_id, vector) == TICKS) {
        ioapic_mask(vector == VEC_PIT ? pit_pin : rtc_pin);
        done = 1;
        lapic_send_ipi(plat.apic_id[0], ICR_FIXED | ICR_ASSERT | VEC_WAKE);
    }
    lapic_eoi();
}

static void listen(void *arg)
{
    (void)arg;
    irq_enable();
    while (!stop)
        cpu_pause();
    irq_disable();
}

/* the BSP: halt until woken by the target (or the watchdog) */
static void bsp_sleep(void)
{
    irq_reset(VEC_WAKE);
    irq_reset(VEC_WATCHDOG);
    lapic_timer_oneshot_ms(VEC_WATCHDOG, WATCHDOG_MS);
    while (!done && !irq_count(plat.apic_id[0], VEC_WATCHDOG)) {
        irq_enable_halt();
        irq_disable();
    }
    lapic_write(LAPIC_TIMER_ICR, 0);
}

static bool only_target(uint8_t vector, uint32_t target)
{
    bool ok = irq_count(target, vector) >= TICKS;
    for (unsigned i = 0; i < plat.ncpus; i++)
        if (plat.apic_id[i] != target && irq_count(plat.apic_id[i], vector)) {
            tap_diag("APIC %u took %u of vector 0x%x", plat.apic_id[i],
                     irq_count(plat.apic_id[i], vector), vector);
            ok = false;
        }
    return ok;
}

static void route(const char *what, unsigned irq, unsigned pin, uint8_t vector, uint32_t target)
{
    done = 0;
    target_id = target;
    irq_reset(vector);
    ioapic_set(pin, isa_entry(irq, vector, target));
    bsp_sleep();
    delay_ms(SETTLE_MS);
    uint32_t bsp = plat.apic_id[0];
    for (unsigned i = 0; i < plat.ncpus; i++)
        tap_diag("APIC %u took %u of vector 0x%x", plat.apic_id[i],
                 irq_count(plat.apic_id[i], vector), vector);
    tap_ok(done && only_target(vector, target),
           "%s (ISA IRQ %u, GSI %u) routed to APIC %u: %u interrupts there, none elsewhere", what,
           irq, pin, target, irq_count(target, vector));
    if (target != bsp)
        tap_ok(irq_count(bsp, VEC_WAKE) == 1 && !irq_count(bsp, VEC_WATCHDOG),
               "the BSP stayed halted until the one wake-up IPI (watchdog %s)",
               irq_count(bsp, VEC_WATCHDOG) ? "fired" : "quiet");
    else
        tap_ok(!irq_count(bsp, VEC_WATCHDOG), "the BSP was woken from HLT by the interrupt itself");
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    platform_init();
    irq_install(VEC_PIT, device_handler);
    irq_install(VEC_RTC, device_handler);
    irq_install(VEC_WAKE, NULL);
    irq_install(VEC_WATCHDOG, NULL);
    tap_plan(7);
    unsigned up = smp_boot_workers(plat.ncpus);
    tap_ok(up + 1 == plat.ncpus, "%u APs up", up);
    uint32_t ver = ioapic_read(IOAPIC_REG_VERSION);
    /* 0x20 here and in QEMU (with the EOI register); Bochs has the 82093AA's 0x11 */
    tap_ok(((ver & 0xff) == 0x20 || (ver & 0xff) == 0x11) && ((ver >> 16) & 0xff) == 23,
           "I/O APIC version register 0x%x: an I/O APIC (0x11 or 0x20) with 24 redirection entries",
           ver);
    const struct acpi_madt *m = (const struct acpi_madt *)acpi_find("APIC");
    uint32_t madt_id = ~0u;
    for (const struct madt_entry *e = madt_next(m, NULL, NULL); e; e = madt_next(m, e, NULL))
        if (e->type == MADT_IOAPIC)
            madt_id = ((const struct madt_ioapic *)e)->ioapic_id;
    tap_ok(((ioapic_read(IOAPIC_REG_ID) >> 24) & 0xf) == madt_id,
           "I/O APIC ID register 0x%x, MADT ID %u", ioapic_read(IOAPIC_REG_ID), madt_id);

    stop = 0;
    for (unsigned i = 1; i < plat.ncpus; i++)
        smp_call_async(plat.apic_id[i], listen, NULL);
    pit_pin = plat.isa_gsi[0];
    rtc_pin = plat.isa_gsi[8];

    outb(PIT_CMD, PIT_CMD_CH0_M2);
    outb(PIT_CH0, PIT_DIVISOR_1K & 0xff);
    outb(PIT_CH0, PIT_DIVISOR_1K >> 8);
    route("PIT channel 0", 0, pit_pin, VEC_PIT, plat.apic_id[plat.ncpus - 1]);
    outb(PIT_CMD, PIT_CMD_CH0_M0); /* OUT low until a count that never comes */

    cmos_write(RTC_REG_A, RTC_A_1024HZ);
    cmos_write(RTC_REG_B, (uint8_t)(cmos_read(RTC_REG_B) | RTC_B_PIE));
    (void)cmos_read(RTC_REG_C);
    route("RTC periodic interrupt", 8, rtc_pin, VEC_RTC, plat.apic_id[plat.ncpus > 1 ? 1 : 0]);
    cmos_write(RTC_REG_B, (uint8_t)(cmos_read(RTC_REG_B) & ~RTC_B_PIE));
    (void)cmos_read(RTC_REG_C);

    stop = 1;
    tap_done();
}
