/*
 * apic_timer: the local APIC timer on every CPU at once (Intel SDM Vol 3A
 * 11.5.4 "APIC Timer"), each CPU sleeping in HLT until its own timer wakes
 * it (Aero's smp_lapic_timer_wakes_ap):
 *
 *   - one-shot: the current count starts at the initial count and counts
 *     down; one interrupt, after which the count stays at 0;
 *   - periodic: the count reloads, and interrupts keep coming; writing 0 to
 *     the initial count stops it;
 *   - TSC-deadline (11.5.4.1), where CPUID.01H:ECX[24] offers it: an
 *     interrupt when the TSC reaches IA32_TSC_DEADLINE, which then reads 0;
 *     a deadline already past fires at once; writing 0 disarms it; the
 *     initial-count register is ignored in this mode. QEMU 7.2's TCG does
 *     not offer TSC-deadline, so there these checks are skipped (by CPUID);
 *     Bochs models it.
 * No check depends on how long anything took: waits are only upper bounds.
 */
#include "rt/apic.h"
#include "rt/cpu.h"
#include "rt/guest.h"
#include "rt/irq.h"
#include "rt/smp.h"

#define VEC_TIMER 0x50
#define PERIODS   5
#define WAIT_MS   3000
#define SETTLE_MS 10
#define DISARM_MS 500

struct result {
    volatile uint32_t done;
    uint32_t ccr0, ccr1, oneshot_n, oneshot_ccr_end;
    uint32_t periodic_n, periodic_ccr, periodic_after_stop;
    bool deadline;
    uint32_t deadline_n, past_n, disarmed_n;
    uint64_t deadline_msr_after, deadline_msr_armed;
    uint32_t deadline_icr;
};

static struct result res[SMP_MAX_CPUS];
static uint32_t timer_khz;

static uint32_t count(void)
{
    return irq_count(cpu_apic_id(), VEC_TIMER);
}

/* sleep in HLT until this CPU has taken want timer interrupts */
static void halt_until(uint32_t want)
{
    uint64_t end = tsc_after_ms(WAIT_MS);
    while (count() < want && rdtsc() < end) {
        irq_enable_halt();
        irq_disable();
    }
}

static void oneshot(struct result *r)
{
    /* counting down, masked, from the largest count at divide by 16: a minute or more to go */
    lapic_write(LAPIC_TIMER_DCR, TIMER_DIV_16);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_TIMER_ONESHOT | VEC_TIMER);
    lapic_write(LAPIC_TIMER_ICR, ~0u);
    r->ccr0 = lapic_read(LAPIC_TIMER_CCR);
    delay_ms(1);
    r->ccr1 = lapic_read(LAPIC_TIMER_CCR);
    /* then a one-shot interrupt about 2 ms out */
    irq_reset_own(VEC_TIMER);
    lapic_write(LAPIC_TIMER_DCR, TIMER_DIV_1);
    lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_ONESHOT | VEC_TIMER);
    lapic_write(LAPIC_TIMER_ICR, timer_khz * 2);
    halt_until(1);
    delay_ms(SETTLE_MS); /* a second one would come now */
    r->oneshot_n = count();
    r->oneshot_ccr_end = lapic_read(LAPIC_TIMER_CCR);
}

static void periodic(struct result *r)
{
    irq_reset_own(VEC_TIMER);
    lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | VEC_TIMER);
    lapic_write(LAPIC_TIMER_ICR, timer_khz / 2); /* about 0.5 ms */
    halt_until(PERIODS);
    r->periodic_n = count();
    r->periodic_ccr =
        lapic_read(LAPIC_TIMER_CCR) | lapic_read(LAPIC_TIMER_CCR); /* 0 at most once */
    lapic_write(LAPIC_TIMER_ICR, 0);
    uint32_t n = count();
    delay_ms(SETTLE_MS);
    r->periodic_after_stop = count() - n;
}

static void deadline(struct result *r)
{
    r->deadline = cpu_has_tsc_deadline();
    if (!r->deadline)
        return;
    irq_reset_own(VEC_TIMER);
    lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_DEADLINE | VEC_TIMER);
    lapic_write(LAPIC_TIMER_ICR, 12345); /* ignored in this mode */
    r->deadline_icr = lapic_read(LAPIC_TIMER_ICR);
    uint64_t at = tsc_after_ms(2);
    wrmsr(MSR_TSC_DEADLINE, at);
    r->deadline_msr_armed = rdmsr(MSR_TSC_DEADLINE);
    halt_until(1);
    r->deadline_n = count();
    r->deadline_msr_after = rdmsr(MSR_TSC_DEADLINE);

    irq_reset_own(VEC_TIMER);
    wrmsr(MSR_TSC_DEADLINE, 1); /* long past */
    halt_until(1);
    r->past_n = count();

    /* armed for DISARM_MS from now, disarmed at once: nothing by then, or after */
    irq_reset_own(VEC_TIMER);
    uint64_t at2 = tsc_after_ms(DISARM_MS);
    wrmsr(MSR_TSC_DEADLINE, at2);
    wrmsr(MSR_TSC_DEADLINE, 0);
    while (rdtsc() < at2)
        cpu_pause();
    delay_ms(SETTLE_MS);
    r->disarmed_n = count();
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
}

static void timer_checks(void *arg)
{
    (void)arg;
    struct result *r = &res[cpu_apic_id()];
    oneshot(r);
    periodic(r);
    deadline(r);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
    r->done = 1;
}

/* true if every CPU's result satisfies ok; says which did not */
#define ALL(cond, fmt, ...)                                                                        \
    ({                                                                                             \
        bool all_ = true;                                                                          \
        for (unsigned i_ = 0; i_ < plat.ncpus; i_++) {                                             \
            const struct result *r = &res[plat.apic_id[i_]];                                       \
            if (!(cond)) {                                                                         \
                all_ = false;                                                                      \
                tap_diag("APIC %u: " fmt, plat.apic_id[i_], ##__VA_ARGS__);                        \
            }                                                                                      \
        }                                                                                          \
        all_;                                                                                      \
    })

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic, (void)mbi;
    platform_init();
    irq_install(VEC_TIMER, NULL);
    timer_khz = lapic_timer_khz();
    tap_plan(12);
    unsigned up = smp_boot_workers(plat.ncpus);
    tap_ok(up + 1 == plat.ncpus, "%u APs up", up);
    for (unsigned i = 1; i < plat.ncpus; i++)
        smp_call_async(plat.apic_id[i], timer_checks, NULL);
    timer_checks(NULL);
    for (unsigned i = 1; i < plat.ncpus; i++)
        smp_call_wait(plat.apic_id[i], 4 * WAIT_MS);

    tap_ok(ALL(r->done, "did not finish"),
           "every CPU ran its timer checks, each halted until its timer");
    tap_ok(ALL(r->ccr0 > 0 && r->ccr1 > 0 && r->ccr1 < r->ccr0, "CCR %u then %u", r->ccr0, r->ccr1),
           "one-shot: the current count starts at or below the initial count and counts down");
    tap_ok(ALL(r->oneshot_n == 1, "%u one-shot interrupts", r->oneshot_n),
           "one-shot: exactly one interrupt, which woke the CPU from HLT");
    tap_ok(ALL(r->oneshot_ccr_end == 0, "CCR %u", r->oneshot_ccr_end),
           "one-shot: the count stays at 0");
    tap_ok(ALL(r->periodic_n >= PERIODS && r->periodic_ccr != 0, "%u periodic interrupts, CCR %u",
               r->periodic_n, r->periodic_ccr),
           "periodic: %u interrupts and counting on (the count reloads)", PERIODS);
    tap_ok(ALL(r->periodic_after_stop <= 1, "%u after the stop", r->periodic_after_stop),
           "periodic: an initial count of 0 stops it");
    if (!cpu_has_tsc_deadline()) {
        const char *why =
            engine_is_qemu_tcg() ? "QEMU TCG has no TSC-deadline timer" : "no TSC-deadline";
        for (int i = 0; i < 5; i++)
            tap_skip(why, "TSC-deadline checks (SDM 11.5.4.1)");
        tap_done();
    }
    tap_ok(ALL(r->deadline_msr_armed != 0 && r->deadline_icr == 0, "MSR %llu, ICR %u",
               (unsigned long long)r->deadline_msr_armed, r->deadline_icr),
           "TSC-deadline: the MSR holds the deadline; the initial count is ignored");
    tap_ok(ALL(r->deadline_n == 1, "%u interrupts", r->deadline_n),
           "TSC-deadline: one interrupt at the deadline, out of HLT");
    if (engine_is_bochs())
        tap_skip("Bochs 2.7 keeps the deadline in the MSR after it fired",
                 "TSC-deadline: IA32_TSC_DEADLINE reads 0 once it fired (SDM 11.5.4.1)");
    else
        tap_ok(
            ALL(r->deadline_msr_after == 0, "MSR %llu", (unsigned long long)r->deadline_msr_after),
            "TSC-deadline: IA32_TSC_DEADLINE reads 0 once it fired (SDM 11.5.4.1)");
    tap_ok(ALL(r->past_n == 1, "%u interrupts", r->past_n),
           "TSC-deadline: a deadline in the past fires at once");
    tap_ok(ALL(r->disarmed_n == 0, "%u interrupts", r->disarmed_n),
           "TSC-deadline: writing 0 disarms it");
    tap_done();
}
