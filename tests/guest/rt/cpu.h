/*
 * Single instructions a platform test needs (CPUID, RDTSC, RDMSR/WRMSR,
 * interrupt flag), MSR accesses that survive a #GP, the engine a test runs
 * on, and a TSC-based clock for bounded waits.
 */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include <stdbool.h>
#include <stdint.h>

struct cpuid_regs {
    uint32_t a, b, c, d;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t sub)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(sub));
    return r;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void irq_enable(void)
{
    __asm__ volatile("sti" ::: "memory");
}
static inline void irq_disable(void)
{
    __asm__ volatile("cli" ::: "memory");
}
/* sti; hlt: STI's shadow (SDM Vol 2B STI) lets no interrupt in between, so none is missed */
static inline void irq_enable_halt(void)
{
    __asm__ volatile("sti; hlt" ::: "memory");
}

/*
 * RDMSR/WRMSR that return the exception vector instead of dying of it: 0 on
 * success, 13 if the instruction raised #GP (rt/cpu.S recovers through the
 * #GP gate that cpu_init_faults() installs; every other fault stays fatal).
 */
int rdmsr_safe(uint32_t msr, uint64_t *value);
int wrmsr_safe(uint32_t msr, uint64_t value);
void cpu_init_faults(void); /* install the recovering #GP gate (once, on any CPU) */

/* CPUID feature bits the platform tests look at (SDM Vol 2A, CPUID) */
#define CPUID_1_ECX_X2APIC       (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_HYPERVISOR   (1u << 31)
#define CPUID_1_EDX_APIC         (1u << 9)
#define CPUID_1_EDX_PAE          (1u << 6)
#define CPUID_1_EDX_PSE36        (1u << 17)
#define CPUID_80000001_EDX_LM    (1u << 29)

bool cpu_has_x2apic(void);
bool cpu_has_tsc_deadline(void);

/* this CPU's initial APIC ID, CPUID.01H:EBX[31:24] (the same in every APIC mode) */
uint32_t cpu_apic_id(void);

/*
 * The engine, from the hypervisor leaf CPUID 0x40000000 (a reference
 * engine is only skipped for behaviour it is known to lack):
 * QEMU's TCG says "TCGTCGTCGTCG", baremu "baremubaremu".
 */
bool engine_is_qemu_tcg(void);
bool engine_is_baremu(void);
/* Bochs has no hypervisor leaf; with port_e9_hack (the runner turns it on) port 0xE9 reads 0xE9 */
bool engine_is_bochs(void);

/*
 * TSC ticks per second: the hypervisor timing leaf (0x40000010) if the
 * engine has one, else measured once against PIT channel 2 (10 ms).
 */
uint64_t tsc_hz(void);
uint64_t tsc_after_ms(uint32_t ms); /* the TSC value ms milliseconds from now */
void delay_ms(uint32_t ms);

/*
 * Spin (interrupts as they are) until *p >= want or ms milliseconds pass;
 * true if it got there.
 */
bool wait_at_least(const volatile uint32_t *p, uint32_t want, uint32_t ms);

#endif
