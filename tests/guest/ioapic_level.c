/*
 * ioapic_level: a level-triggered interrupt through the I/O APIC (82093AA
 * datasheet 3.2.4: Remote IRR; Intel SDM Vol 3A 11.8.5: EOI of a level
 * vector is broadcast to the I/O APICs; the I/O APIC EOI register of
 * version 0x20, as the ICH/PCH datasheets describe it).
 *
 * The source is the RTC's periodic interrupt: its line stays up until
 * register C is read, a true level. The pin is programmed level-triggered,
 * active high, to the last CPU, whose handler decides when to let go:
 *
 *   1. Remote IRR is set while the interrupt is in service, and a write
 *      cannot clear it (read-only); the vector's TMR bit is set; a LAPIC EOI
 *      with the line still up brings the interrupt back; once register C is
 *      read, the next EOI ends it;
 *   2. the I/O APIC's EOI register clears Remote IRR and, the line still up,
 *      the interrupt is sent again at once: it waits in the LAPIC's IRR while
 *      the first is in service;
 *   3. with EOI-broadcast suppression (SVR bit 12), where the LAPIC version
 *      register offers it (bit 24), a LAPIC EOI leaves Remote IRR set and
 *      nothing comes back until the EOI register is written. QEMU 7.2's
 *      LAPIC does not offer it (nor does Bochs 2.7): skipped there;
 *   4. a masked entry holds the asserted line back; unmasking delivers it.
 * Bochs 2.7's I/O APIC (version 0x11) has no Remote IRR and no EOI
 * register, so it is no reference here: the test skips itself there.
 */
#include "rt/apic.h"
#include "rt/cpu.h"
#include "rt/guest.h"
#include "rt/irq.h"
#include "rt/smp.h"

#define VEC_RTC      0x70
#define CMOS_INDEX   0x70
#define CMOS_DATA    0x71
#define RTC_REG_A    0x0a
#define RTC_REG_B    0x0b
#define RTC_REG_C    0x0c
#define RTC_A_1024HZ 0x26
#define RTC_B_PIE    0x40
#define WAIT_MS      2000
#define SETTLE_MS    20

enum phase { BROADCAST, EOI_REGISTER, SUPPRESSED, MASKING };

static volatile enum phase phase;
static volatile uint32_t calls, stop;
static volatile bool rirr_in_service, rirr_after_write, tmr_set, irr_before, irr_after;
static unsigned pin;
static uint32_t target;

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

static void rtc_periodic(bool on)
{
    uint8_t b = cmos_read(RTC_REG_B);
    cmos_write(RTC_REG_B, (uint8_t)(on ? b | RTC_B_PIE : b & ~RTC_B_PIE));
}

/* let the line go: no new periodic flags, then register C read */
static void rtc_release(void)
{
    rtc_periodic(false);
    (void)cmos_read(RTC_REG_C);
}

static bool remote_irr(void)
{
    return ioapic_get(pin) & IORED_REMOTE_IRR;
}

static void handler(uint8_t vector, struct trap_frame *f)
{
    (void)f;
    uint32_t n = __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
    switch (phase) {
    case BROADCAST:
        if (n == 1) {
            rirr_in_service = remote_irr();
            tmr_set = lapic_vector_set(LAPIC_TMR, vector);
            /* the low half again with Remote IRR clear: the bit is read-only */
            ioapic_write(IOAPIC_REDTBL(pin), (uint32_t)(ioapic_get(pin) & ~IORED_REMOTE_IRR));
            rirr_after_write = remote_irr();
        } else {
            rtc_release();
        }
        lapic_eoi(); /* with the line up on the first call, it comes back */
        break;
    case EOI_REGISTER:
        if (n == 1) {
            irr_before = lapic_vector_set(LAPIC_IRR, vector);
            ioapic_eoi(vector);
            irr_after = lapic_vector_set(LAPIC_IRR, vector);
            rtc_release();
        }
        lapic_eoi(); /* the interrupt waiting in IRR follows: the second call */
        break;
    case SUPPRESSED:
        if (n > 1) {
            rtc_release();
            lapic_eoi();
            ioapic_eoi(vector); /* with broadcasts suppressed, software ends it here */
        } else {
            lapic_eoi();
        }
        break;
    case MASKING:
        rtc_release();
        lapic_eoi();
        break;
    }
}

static void listen(void *arg)
{
    (void)arg;
    irq_enable();
    while (!stop)
        cpu_pause();
    irq_disable();
}

static void arm(enum phase p, bool masked)
{
    phase = p;
    calls = 0;
    ioapic_set(pin, VEC_RTC | IORED_LEVEL | IORED_DEST(target) | (masked ? IORED_MASKED : 0));
    (void)cmos_read(RTC_REG_C);
    rtc_periodic(true);
}

/* wait for n calls, then a little longer for any extra one */
static uint32_t settle(uint32_t n)
{
    wait_at_least(&calls, n, WAIT_MS);
    delay_ms(SETTLE_MS);
    return calls;
}

static void set_svr_eois(void *on)
{
    uint32_t svr = lapic_read(LAPIC_SVR);
    lapic_write(LAPIC_SVR, on ? svr | SVR_EOIS : svr & ~SVR_EOIS);
}

static void on_target(void (*fn)(void *), void *arg)
{
    if (target == plat.apic_id[0]) {
        fn(arg);
        return;
    }
    stop = 1;
    smp_call_wait(target, WAIT_MS);
    smp_call(target, fn, arg);
    stop = 0;
    smp_call_async(target, listen, NULL);
}

static void check_suppressed(void)
{
    if (!(lapic_read(LAPIC_VERSION) & LAPIC_VERSION_EOIS)) {
        const char *why = engine_is_qemu_tcg() ? "QEMU TCG's LAPIC has no EOI-broadcast suppression"
                                               : "the LAPIC offers no EOI-broadcast suppression";
        tap_skip(why,
                 "suppressed EOI broadcast: Remote IRR stays set after a LAPIC EOI (SDM 11.8.5)");
        tap_skip(why, "suppressed EOI broadcast: the EOI register ends it");
        return;
    }
    on_target(set_svr_eois, (void *)1);
    arm(SUPPRESSED, false);
    uint32_t n = settle(1);
    tap_ok(n == 1 && remote_irr(),
           "suppressed EOI broadcast: after the LAPIC EOI Remote IRR stays set, nothing comes back "
           "(%u calls)",
           n);
    ioapic_eoi(VEC_RTC);
    n = settle(2);
    tap_ok(n == 2 && !remote_irr(),
           "suppressed EOI broadcast: the EOI register sends it again, and ends it (%u calls)", n);
    on_target(set_svr_eois, NULL);
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    platform_init();
    irq_install(VEC_RTC, handler);
    tap_plan(10);
    if (engine_is_bochs()) {
        for (int i = 0; i < 10; i++)
            tap_skip("Bochs 2.7's I/O APIC models neither Remote IRR nor the EOI register",
                     "level-triggered I/O APIC checks");
        tap_done();
    }
    unsigned up = smp_boot_workers(plat.ncpus);
    tap_ok(up + 1 == plat.ncpus, "%u APs up", up);
    pin = plat.isa_gsi[8];
    target = plat.apic_id[plat.ncpus - 1];
    cmos_write(RTC_REG_A, RTC_A_1024HZ);
    if (target != plat.apic_id[0])
        smp_call_async(target, listen, NULL);
    else
        irq_enable();

    arm(BROADCAST, false);
    uint32_t n = settle(2);
    tap_ok(rirr_in_service && tmr_set,
           "level interrupt in service on APIC %u: Remote IRR set, TMR bit set", target);
    tap_ok(rirr_after_write, "Remote IRR is read-only: rewriting the entry does not clear it");
    tap_ok(n == 2,
           "a LAPIC EOI with the line still asserted brings it back; after the line drops, it ends "
           "(%u calls)",
           n);
    tap_ok(!remote_irr(), "Remote IRR is clear once it ended");

    arm(EOI_REGISTER, false);
    n = settle(2);
    tap_ok(!irr_before && irr_after,
           "the I/O APIC EOI register re-sends the asserted line at once: the vector waits in IRR "
           "(before %d, after %d)",
           irr_before, irr_after);
    tap_ok(n == 2 && !remote_irr(),
           "that second interrupt follows the first one's EOI, and it ends there (%u calls)", n);

    check_suppressed();

    arm(MASKING, true);
    delay_ms(SETTLE_MS); /* the line rises meanwhile */
    uint32_t masked = calls;
    ioapic_set(pin, VEC_RTC | IORED_LEVEL | IORED_DEST(target));
    n = settle(1);
    tap_ok(masked == 0 && n == 1,
           "a masked entry holds the asserted line back (%u), unmasking delivers it (%u)", masked,
           n);
    ioapic_mask(pin);
    stop = 1;
    irq_disable();
    tap_done();
}
