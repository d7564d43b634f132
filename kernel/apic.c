/*
 * kernel/apic.c: the host local APIC (SDM Vol 3A chapter 11, "Advanced
 * Programmable Interrupt Controller"). x2APIC mode when CPUID offers it
 * (11.12), xAPIC MMIO otherwise.
 */
#include "kernel/apic.h"
#include "emu/x86.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/tsc.h"

bool apic_x2;
bool apic_tsc_deadline;
static volatile uint32_t *apic_mmio;
static uint64_t apic_timer_hz; /* LAPIC timer ticks per second at divide 1, when no TSC deadline */

enum { /* register offsets (SDM Vol 3A table 11-1); x2APIC MSR = 0x800 + offset / 16 */
    APIC_ID = 0x020,
    APIC_TPR = 0x080,
    APIC_EOI = 0x0b0,
    APIC_SVR = 0x0f0,
    APIC_ESR = 0x280,
    APIC_ICR_LO = 0x300,
    APIC_ICR_HI = 0x310,
    APIC_LVT_TIMER = 0x320,
    APIC_LVT_LINT0 = 0x350,
    APIC_LVT_LINT1 = 0x360,
    APIC_LVT_ERROR = 0x370,
    APIC_TIMER_INIT = 0x380,
    APIC_TIMER_CUR = 0x390,
    APIC_TIMER_DIV = 0x3e0,
};
#define APIC_BASE_ENABLE (1u << 11)
#define APIC_BASE_X2 (1u << 10)
#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_TSC_DEADLINE (2u << 17)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_NMI (4u << 8)
#define ICR_PENDING (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_ALL_BUT_SELF (3u << 18)
#define TIMER_DIV_1 0xb
#define MSR_X2APIC_BASE 0x800
#define MSR_TSC_DEADLINE 0x6e0
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)

static uint32_t apic_read(uint32_t reg)
{
    return apic_x2 ? (uint32_t)rdmsr(MSR_X2APIC_BASE + reg / 16) : apic_mmio[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t v)
{
    if (apic_x2)
        wrmsr(MSR_X2APIC_BASE + reg / 16, v);
    else
        apic_mmio[reg / 4] = v;
}

static void apic_send(uint32_t dest, uint32_t icr)
{
    if (apic_x2) {
        wrmsr(MSR_X2APIC_BASE + APIC_ICR_LO / 16, (uint64_t)dest << 32 | icr);
        return;
    }
    uint64_t flags = irq_save(); /* the two writes must not be split by a handler's IPI */
    apic_mmio[APIC_ICR_HI / 4] = dest << 24;
    apic_mmio[APIC_ICR_LO / 4] = icr;
    while (apic_mmio[APIC_ICR_LO / 4] & ICR_PENDING)
        cpu_relax();
    irq_restore(flags);
}

void apic_init_bsp(uint64_t mmio_base)
{
    struct cpuid_regs r = cpuid(1, 0);
    apic_x2 = r.ecx & CPUID1_ECX_X2APIC;
    apic_tsc_deadline = r.ecx & CPUID1_ECX_TSC_DEADLINE;
    uint64_t base = rdmsr(MSR_APIC_BASE);
    apic_mmio = (volatile uint32_t *)(uintptr_t)(mmio_base ? mmio_base : base & ~0xfffull);
    apic_init_cpu();
    kprintf("apic: %s mode, deadline timer: %s\n", apic_x2 ? "x2APIC" : "xAPIC",
            apic_tsc_deadline ? "TSC deadline" : "LAPIC one-shot");
}

/* the LAPIC timer's rate, measured against the TSC, for one-shot deadlines */
static void apic_timer_calibrate(void)
{
    apic_write(APIC_TIMER_DIV, TIMER_DIV_1);
    apic_write(APIC_LVT_TIMER, LVT_MASKED);
    apic_write(APIC_TIMER_INIT, 0xffffffffu);
    uint64_t t0 = rdtsc();
    tsc_delay_us(10000);
    uint32_t left = apic_read(APIC_TIMER_CUR);
    uint64_t t1 = rdtsc();
    apic_write(APIC_TIMER_INIT, 0);
    apic_timer_hz = (uint64_t)(0xffffffffu - left) * tsc_hz / (t1 - t0);
}

void apic_init_cpu(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;
    if (apic_x2)
        base |= APIC_BASE_X2; /* xAPIC -> x2APIC is a legal transition (SDM 11.12.5) */
    wrmsr(MSR_APIC_BASE, base);
    apic_write(APIC_TPR, 0);
    apic_write(APIC_LVT_LINT0, LVT_MASKED);
    apic_write(APIC_LVT_LINT1, LVT_MASKED);
    apic_write(APIC_LVT_ERROR, LVT_MASKED);
    apic_write(APIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
    apic_write(APIC_ESR, 0);
    if (apic_tsc_deadline)
        apic_write(APIC_LVT_TIMER, LVT_TSC_DEADLINE | VEC_DEADLINE);
    else {
        if (!apic_timer_hz && tsc_hz)
            apic_timer_calibrate();
        apic_write(APIC_TIMER_DIV, TIMER_DIV_1);
        apic_write(APIC_LVT_TIMER, VEC_DEADLINE); /* one-shot */
    }
}

uint32_t apic_id(void) { return apic_x2 ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24; }
void apic_eoi(void) { apic_write(APIC_EOI, 0); }

void apic_send_fixed(uint32_t dest, uint8_t vector) { apic_send(dest, vector | ICR_ASSERT); }
void apic_send_nmi_others(void) { apic_send(0, ICR_NMI | ICR_ASSERT | ICR_ALL_BUT_SELF); }
void apic_send_init(uint32_t dest) { apic_send(dest, ICR_INIT | ICR_ASSERT | ICR_LEVEL); }
void apic_send_sipi(uint32_t dest, uint8_t page) { apic_send(dest, ICR_STARTUP | ICR_ASSERT | page); }

void apic_set_deadline(uint64_t tsc)
{
    if (apic_tsc_deadline) {
        wrmsr(MSR_TSC_DEADLINE, tsc);
        return;
    }
    if (!tsc) {
        apic_write(APIC_TIMER_INIT, 0);
        return;
    }
    uint64_t now = rdtsc();
    uint64_t ticks = tsc > now ? (uint64_t)((unsigned __int128)(tsc - now) * apic_timer_hz / tsc_hz) : 1;
    apic_write(APIC_TIMER_INIT, ticks > 0xffffffffu ? 0xffffffffu : (ticks ? (uint32_t)ticks : 1));
}
