/*
 * rt/cpu.h: feature and engine detection, and a TSC clock for bounded waits.
 */
#include "guest.h"
#include "cpu.h"

#define CPUID_HV        0x40000000u
#define CPUID_HV_TIMING 0x40000010u /* EAX: TSC kHz (VMware/KVM convention) */
#define VEC_GP          13
#define PORT_E9         0xe9 /* Bochs's debug port, which reads back its own number */

/* PIT channel 2 through port 0x61 (Intel 8254 datasheet; 82371AB port 61h) */
#define PIT_CH2        0x42
#define PIT_CMD        0x43
#define PIT_CMD_CH2_M0 0xb0 /* channel 2, lobyte/hibyte, mode 0, binary */
#define PORT_61        0x61
#define P61_GATE2      0x01
#define P61_SPEAKER    0x02
#define P61_OUT2       0x20
#define PIT_HZ         1193182u
#define CALIBRATE_MS   10

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

/* TSC ticks across CALIBRATE_MS of PIT channel 2 counting down in mode 0 */
static uint64_t calibrate(void)
{
    uint32_t count = PIT_HZ / 1000 * CALIBRATE_MS;
    uint8_t p61 = inb(PORT_61);
    outb(PORT_61, (uint8_t)((p61 & ~(P61_SPEAKER | P61_GATE2))));
    outb(PIT_CMD, PIT_CMD_CH2_M0);
    outb(PIT_CH2, (uint8_t)count);
    outb(PIT_CH2, (uint8_t)(count >> 8));
    outb(PORT_61, (uint8_t)((p61 & ~P61_SPEAKER) | P61_GATE2)); /* a rising gate starts it */
    uint64_t t0 = rdtsc();
    /* OUT2 goes high at terminal count; give up after ~10 s of a 10 GHz TSC */
    while (!(inb(PORT_61) & P61_OUT2) && rdtsc() - t0 < 100000000000ull)
        cpu_pause();
    uint64_t t = rdtsc() - t0;
    outb(PORT_61, p61);
    return t * (1000 / CALIBRATE_MS);
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
