/*
 * tests/unit/test_kernel_x2apic.c: the bare-metal kernel's x2APIC driver
 * (kernel/apic.c) against the emulator's register-level LAPIC model
 * (emu/dev/lapic.c), since QEMU 7.2's TCG offers neither x2APIC nor the
 * TSC-deadline timer (docs/hardware.md).
 *
 * kernel/apic.c is compiled here as it is, with the few CPU primitives it
 * uses (RDMSR, WRMSR, CPUID, RDTSC) answered by the model of the "current"
 * CPU: its include guards keep kernel/cpu.h, console.h and tsc.h out. A #GP
 * from the model (a wrong register, a wrong mode) fails the test: the
 * driver must never cause one. APIC IDs are 300 and up, beyond xAPIC reach.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "emu/clock.h"
#include "emu/dev/lapic.h"
#include "emu/intr.h"

/* ---- the CPU primitives kernel/apic.c uses, answered by the model -------- */
#define KERNEL_CPU_H
#define KERNEL_CONSOLE_H
#define KERNEL_TSC_H

#define NCPU 3
#define APIC_ID_BASE 300
static struct lapic lapics[NCPU];
static struct lapic *lapic_table[NCPU];
static struct intr fabric;
static struct fake_clock fclock;
static unsigned current;        /* the CPU the driver runs on */
static unsigned kicks[NCPU];
static unsigned gp_faults;
static bool cpu_has_x2apic = true, cpu_has_deadline = true;

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};
static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    (void)subleaf;
    struct cpuid_regs r = {0};
    if (leaf == 1)
        r.ecx = (cpu_has_x2apic ? 1u << 21 : 0) | (cpu_has_deadline ? 1u << 24 : 0);
    return r;
}
static inline uint64_t rdmsr(uint32_t msr)
{
    uint64_t v = 0;
    if (lapic_rdmsr(&lapics[current], msr, &v) != LAPIC_OK)
        gp_faults++;
    return v;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    if (lapic_wrmsr(&lapics[current], msr, v) != LAPIC_OK)
        gp_faults++;
}
static inline uint64_t rdtsc(void) { return clock_now(&fclock.clock); }
static inline void cpu_relax(void) {}
static inline uint64_t irq_save(void) { return 0; }
static inline void irq_restore(uint64_t f) { (void)f; }
static uint64_t tsc_hz = 1000000000;
static inline void tsc_delay_us(uint64_t us) { fake_clock_advance(&fclock, us * 1000); }
static void kprintf(const char *fmt, ...) { (void)fmt; }

#include "kernel/apic.c"

/* ---- the machine around it --------------------------------------------- */
static void kick(void *opaque, unsigned index)
{
    (void)opaque;
    kicks[index]++;
}

static void setup(void)
{
    fake_clock_init(&fclock, tsc_hz);
    for (unsigned i = 0; i < NCPU; i++) {
        lapic_table[i] = &lapics[i];
        struct lapic_config cfg = {
            .index = i, .apic_id = APIC_ID_BASE + i, .phys_bits = 40, .timer_hz = tsc_hz,
            .clock = &fclock.clock, .intr = &fabric, .kick = kick,
        };
        lapic_init(&lapics[i], &cfg);
    }
    intr_init(&fabric, lapic_table, NCPU);
    memset(kicks, 0, sizeof kicks);
    gp_faults = 0;
    cpu_has_x2apic = cpu_has_deadline = true;
    /* the driver's own state, as a fresh boot has it */
    apic_x2 = apic_tsc_deadline = false;
    apic_timer_hz = 0;
    /* every CPU's driver brings up its own LAPIC, the boot CPU first */
    current = 0;
    apic_init_bsp(0);
    for (current = 1; current < NCPU; current++)
        apic_init_cpu();
    current = 0;
}

TestSuite(kernel_x2apic, .init = setup);

Test(kernel_x2apic, driver_switches_every_cpu_to_x2apic_mode)
{
    cr_assert(apic_x2);
    for (unsigned i = 0; i < NCPU; i++) {
        cr_assert_eq(lapic_mode(&lapics[i]), LAPIC_X2APIC, "cpu %u", i);
        cr_assert(lapics[i].svr & SVR_ENABLE, "software-enabled");
        cr_assert_eq(lapics[i].svr & SVR_VECTOR, VEC_SPURIOUS);
        cr_assert(lapics[i].lvt[LVT_LINT0] & LVT_MASKED);
        cr_assert(lapics[i].lvt[LVT_LINT1] & LVT_MASKED);
        cr_assert(lapics[i].lvt[LVT_ERROR] & LVT_MASKED);
        cr_assert_eq(lapics[i].lvt[LVT_TIMER] & LVT_TIMER_MODE, LVT_TIMER_DEADLINE);
        cr_assert_eq(lapics[i].lvt[LVT_TIMER] & LVT_VECTOR, VEC_DEADLINE);
    }
    cr_assert_eq(gp_faults, 0, "the driver caused %u #GP", gp_faults);
}

Test(kernel_x2apic, apic_id_is_the_32_bit_x2apic_id)
{
    for (current = 0; current < NCPU; current++)
        cr_assert_eq(apic_id(), APIC_ID_BASE + current);
    cr_assert_eq(gp_faults, 0);
}

Test(kernel_x2apic, fixed_ipi_reaches_an_id_above_255)
{
    apic_send_fixed(APIC_ID_BASE + 2, VEC_KICK);
    cr_assert_eq(lapic_pending(&lapics[2]), VEC_KICK);
    cr_assert_gt(kicks[2], 0, "the target was kicked");
    cr_assert_eq(lapic_pending(&lapics[1]), -1, "and nobody else got it");
    /* the target takes it and ends it with the driver's EOI */
    current = 2;
    cr_assert_eq(lapic_ack(&lapics[2]), VEC_KICK);
    apic_eoi();
    cr_assert_eq(lapics[2].isr[VEC_KICK / 32] & (1u << (VEC_KICK % 32)), 0, "ISR cleared by EOI");
    cr_assert_eq(gp_faults, 0);
}

Test(kernel_x2apic, init_and_startup_ipis)
{
    apic_send_init(APIC_ID_BASE + 1);
    cr_assert(lapic_events(&lapics[1]) & LAPIC_EV_INIT);
    apic_send_sipi(APIC_ID_BASE + 1, 0x08);
    uint32_t ev = lapic_events(&lapics[1]);
    cr_assert(ev & LAPIC_EV_SIPI);
    cr_assert_eq(LAPIC_EV_SIPI_VECTOR(ev), 0x08, "the trampoline page");
    cr_assert_eq(gp_faults, 0);
}

Test(kernel_x2apic, nmi_to_all_others_spares_the_sender)
{
    current = 1;
    apic_send_nmi_others();
    cr_assert(lapic_events(&lapics[0]) & LAPIC_EV_NMI);
    cr_assert(lapic_events(&lapics[2]) & LAPIC_EV_NMI);
    cr_assert_not(lapic_events(&lapics[1]) & LAPIC_EV_NMI);
    cr_assert_eq(gp_faults, 0);
}

Test(kernel_x2apic, tsc_deadline_arms_and_disarms)
{
    uint64_t when = clock_now(&fclock.clock) + 5000;
    apic_set_deadline(when);
    cr_assert_eq(lapics[0].tsc_deadline, when);
    cr_assert_eq(lapic_next_deadline(&lapics[0]), when);
    fake_clock_advance(&fclock, 6000);
    lapic_timer_poll(&lapics[0]);
    cr_assert_eq(lapic_pending(&lapics[0]), VEC_DEADLINE, "the deadline fired its vector");
    apic_set_deadline(when + 100000);
    apic_set_deadline(0);
    cr_assert_eq(lapics[0].tsc_deadline, 0, "0 disarms");
    cr_assert_eq(gp_faults, 0);
}

Test(kernel_x2apic, one_shot_timer_when_there_is_no_tsc_deadline)
{
    /* a CPU with x2APIC but no TSC-deadline: the LAPIC timer, calibrated against the TSC */
    cpu_has_deadline = false;
    apic_x2 = apic_tsc_deadline = false;
    apic_timer_hz = 0;
    current = 0;
    apic_init_bsp(0);
    cr_assert_not(apic_tsc_deadline);
    cr_assert_eq(lapics[0].lvt[LVT_TIMER] & LVT_TIMER_MODE, LVT_TIMER_ONESHOT);
    cr_assert(apic_timer_hz > tsc_hz / 2 && apic_timer_hz < tsc_hz * 2,
              "calibrated to the model's timer clock: %llu Hz", (unsigned long long)apic_timer_hz);
    uint64_t when = clock_now(&fclock.clock) + 10000;
    apic_set_deadline(when);
    fake_clock_advance(&fclock, 10100);
    lapic_timer_poll(&lapics[0]);
    cr_assert_eq(lapic_pending(&lapics[0]), VEC_DEADLINE);
    cr_assert_eq(gp_faults, 0);
}
