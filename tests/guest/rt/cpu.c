/*
 * rt/cpu.h: feature and engine detection, and a TSC clock for bounded waits.
 */
#include "guest.h"
#include "cpu.h"

#define CPUID_HV        0x40000000u
#define CPUID_HV_TIMING 0x40000010u /* EAX: TSC kHz (VMware/KVM convention) */
#define VEC_GP          13
#define PORT_E9         0xe9 /* Bochs's debug port, which reads back its own number */

/* PIT channel 0, counted down and read back by latch (Intel 8254 datasheet) */
#define PIT_CH0          0x40
#define PIT_CMD          0x43
#define PIT_CMD_CH0_M2   0x34 /* channel 0, lobyte/hibyte, mode 2 (rate generator), binary */
#define PIT_CMD_LATCH0   0x00 /* counter latch, channel 0 */
#define PIT_HZ           1193182u
#define CALIBRATE_MS     10
#define CALIBRATE_MIN_HZ 10000000ull /* less than 10 MHz: the PIT did not count */

extern void gp_recover_stub(void);

void cpu_init_faults(void)
{
    idt_set_gate(VEC_GP, gp_recover_stub);
}

bool cpu_has_x2apic(void)
{
    return cpuid(1, 0).c & CPUID_1_ECX_X2APIC;
}
bool cpu_has_tsc_deadline(void)
{
    return cpuid(1, 0).c & CPUID_1_ECX_TSC_DEADLINE;
}
uint32_t cpu_apic_id(void)
{
    return cpuid(1, 0).b >> 24;
}

static bool hv_signature(const char *want)
{
    if (!(cpuid(1, 0).c & CPUID_1_ECX_HYPERVISOR))
        return false;
    struct cpuid_regs r = cpuid(CPUID_HV, 0);
    char sig[12];
    memcpy(sig, &r.b, 4);
    memcpy(sig + 4, &r.c, 4);
    memcpy(sig + 8, &r.d, 4);
    return memcmp(sig, want, sizeof sig) == 0;
}

bool engine_is_qemu_tcg(void)
{
    return hv_signature("TCGTCGTCGTCG");
}
bool engine_is_baremu(void)
{
    return hv_signature("baremubaremu");
}

static uint16_t pit_ch0_count(void)
{
    outb(PIT_CMD, PIT_CMD_LATCH0);
    uint8_t lo = inb(PIT_CH0);
    return (uint16_t)(lo | inb(PIT_CH0) << 8);
}

/*
 * TSC ticks across CALIBRATE_MS of PIT channel 0 counting down (its gate is
 * always high, unlike channel 2's behind port 0x61, which not every machine
 * has: QEMU's microvm does not). Its IRQ 0 is masked by now. 0 if the
 * count did not move.
 */
static uint64_t calibrate(void)
{
    outb(PIT_CMD, PIT_CMD_CH0_M2);
    outb(PIT_CH0, 0); /* 65536 */
    outb(PIT_CH0, 0);
    uint16_t prev = pit_ch0_count();
    uint32_t elapsed = 0, want = PIT_HZ / 1000 * CALIBRATE_MS;
    uint64_t t0 = rdtsc();
    /* give up after ~10 s of a 10 GHz TSC */
    while (elapsed < want && rdtsc() - t0 < 100000000000ull) {
        uint16_t now = pit_ch0_count();
        elapsed += (uint16_t)(prev - now); /* counts down, wrapping through 65536 */
        prev = now;
    }
    uint64_t hz = (rdtsc() - t0) * (1000 / CALIBRATE_MS);
    return elapsed >= want && hz >= CALIBRATE_MIN_HZ ? hz : 0;
}

static volatile uint64_t hz;

uint64_t tsc_hz(void)
{
    if (hz)
        return hz;
    uint64_t h = 0;
    if (cpuid(1, 0).c & CPUID_1_ECX_HYPERVISOR) {
        struct cpuid_regs r = cpuid(CPUID_HV, 0);
        if (r.a >= CPUID_HV_TIMING)
            h = (uint64_t)cpuid(CPUID_HV_TIMING, 0).a * 1000;
    }
    if (!h)
        h = calibrate();
    if (!h)
        h = 1000000000ull; /* nothing to go by: a GHz */
    hz = h;                /* platform_init() measures it on the BSP before any AP runs */
    return h;
}

uint64_t tsc_after_ms(uint32_t ms)
{
    return rdtsc() + tsc_hz() / 1000 * ms;
}

void delay_ms(uint32_t ms)
{
    uint64_t end = tsc_after_ms(ms);
    while (rdtsc() < end)
        cpu_pause();
}

bool wait_at_least(const volatile uint32_t *p, uint32_t want, uint32_t ms)
{
    uint64_t end = tsc_after_ms(ms);
    while (*p < want) {
        if (rdtsc() >= end)
            return *p >= want;
        cpu_pause();
    }
    return true;
}

bool engine_is_bochs(void)
{
    return !(cpuid(1, 0).c & CPUID_1_ECX_HYPERVISOR) && inb(PORT_E9) == PORT_E9;
}
