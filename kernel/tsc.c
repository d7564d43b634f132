/*
 * kernel/tsc.c: calibrate the TSC once, from the best reference the machine
 * has: CPUID leaf 0x15/0x16 (SDM Vol 3B 18.7.3), else the HPET main counter,
 * else the ACPI PM timer (3.579545 MHz), else PIT channel 2 gated through
 * port 0x61. Without an invariant TSC (CPUID 0x80000007 EDX[8]) time is not
 * to be trusted across power states, and we say so.
 */
#include "kernel/tsc.h"
#include "kernel/acpi.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/kernel.h"

uint64_t tsc_hz;
bool tsc_invariant;
const char *tsc_source = "none";

#define CALIBRATE_MS 50
#define PM_TIMER_HZ 3579545u
#define PIT_HZ 1193182u
#define HPET_CAP_ID 0x000  /* general capabilities: period in fs at bits 63:32 */
#define HPET_CONFIG 0x010  /* bit 0: enable counter */
#define HPET_COUNTER 0x0f0 /* main counter */
#define FS_PER_S 1000000000000000ull

static uint64_t from_cpuid(void)
{
    if (cpuid(0, 0).eax < 0x15)
        return 0;
    struct cpuid_regs r = cpuid(0x15, 0); /* EBX/EAX = TSC/crystal ratio, ECX = crystal Hz */
    if (r.eax && r.ebx && r.ecx)
        return (uint64_t)r.ecx * r.ebx / r.eax;
    if (r.eax && r.ebx && cpuid(0, 0).eax >= 0x16) {
        /* no crystal frequency: derive it from the base frequency (MHz) in 0x16 */
        uint32_t base_mhz = cpuid(0x16, 0).eax & 0xffff;
        if (base_mhz)
            return (uint64_t)base_mhz * 1000000;
    }
    return 0;
}

static uint64_t from_hpet(uint64_t base)
{
    volatile uint64_t *regs = (volatile uint64_t *)(uintptr_t)base;
    uint64_t period_fs = regs[HPET_CAP_ID / 8] >> 32;
    if (period_fs == 0 || period_fs > 100000000) /* the spec caps it at 100 ns */
        return 0;
    regs[HPET_CONFIG / 8] |= 1;
    uint64_t ticks = CALIBRATE_MS * 1000000000000ull / period_fs;
    uint64_t h0 = regs[HPET_COUNTER / 8], t0 = rdtsc();
    while (regs[HPET_COUNTER / 8] - h0 < ticks)
        cpu_relax();
    uint64_t t1 = rdtsc(), h1 = regs[HPET_COUNTER / 8];
    return (t1 - t0) * (FS_PER_S / period_fs) / (h1 - h0);
}

static uint32_t pm_read(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static uint64_t from_pm_timer(uint16_t port, bool wide)
{
    uint32_t mask = wide ? 0xffffffffu : 0xffffffu;
    uint32_t ticks = PM_TIMER_HZ / 1000 * CALIBRATE_MS, elapsed = 0;
    uint32_t prev = pm_read(port) & mask;
    uint64_t t0 = rdtsc();
    while (elapsed < ticks) {
        uint32_t now = pm_read(port) & mask;
        elapsed += (now - prev) & mask;
        prev = now;
    }
    return (rdtsc() - t0) * PM_TIMER_HZ / elapsed;
}

/* PIT channel 2, mode 0, gate on, speaker off: OUT2 (port 0x61 bit 5) rises at terminal count */
static uint64_t from_pit(void)
{
    uint16_t count = PIT_HZ / 1000 * CALIBRATE_MS;
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);
    outb(0x43, 0xb0); /* channel 2, lobyte/hibyte, mode 0, binary */
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);
    uint64_t t0 = rdtsc();
    for (uint64_t spins = 0; !(inb(0x61) & 0x20); spins++)
        if (spins > (1ull << 32))
            return 0; /* no PIT */
    return (rdtsc() - t0) * PIT_HZ / count;
}

void tsc_calibrate(void)
{
    tsc_invariant = cpuid(0x80000000, 0).eax >= 0x80000007 && (cpuid(0x80000007, 0).edx & (1u << 8));
    if ((tsc_hz = from_cpuid()))
        tsc_source = "CPUID 0x15";
    else if (host_acpi.hpet_base && (tsc_hz = from_hpet(host_acpi.hpet_base)))
        tsc_source = "HPET";
    else if (host_acpi.pm_timer_port && (tsc_hz = from_pm_timer(host_acpi.pm_timer_port, host_acpi.pm_timer_32bit)))
        tsc_source = "ACPI PM timer";
    else if ((tsc_hz = from_pit()))
        tsc_source = "PIT";
    else
        kernel_panic("tsc: no reference clock (no CPUID 0x15, HPET, PM timer or PIT)");
    kprintf("tsc: %llu.%03llu MHz, calibrated from the %s\n", (unsigned long long)(tsc_hz / 1000000),
            (unsigned long long)(tsc_hz / 1000 % 1000), tsc_source);
    if (!tsc_invariant)
        kprintf("tsc: WARNING: no invariant TSC (CPUID 0x80000007 EDX[8] clear): its rate may change with power states, and timings may drift\n");
}

void tsc_delay_us(uint64_t us)
{
    uint64_t end = rdtsc() + tsc_from_us(us);
    while ((int64_t)(rdtsc() - end) < 0)
        cpu_relax();
}
