/*
 * tests/guest/rt/smp.c: INIT-SIPI-SIPI from a guest test (SDM Vol 3A 9.4.4,
 * "Typical BSP Initialization Sequence"), with the xAPIC at its reset base.
 * The delays are counted in TSC ticks at a generous 4 GHz guess: emulators
 * do not need them, real processors get at least what the SDM asks.
 */
#include "guest.h"
#include "cpu.h"
#include "smp.h"

#define LAPIC_BASE 0xfee00000u
#define LAPIC_ID 0x020
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define SVR_ENABLE (1u << 8)
#define ICR_INIT 0x00000500u
#define ICR_STARTUP 0x00000600u
#define ICR_ASSERT 0x00004000u
#define ICR_LEVEL 0x00008000u
#define ICR_ALL_BUT_SELF 0x000c0000u
#define ICR_PENDING 0x00001000u
#define AP_STACK 8192
#define TSC_GUESS_HZ 4000000000ull
#define CHECK_IN_SPINS 200000000u

extern const char ap_tramp[], ap_tramp_end[];
volatile uint32_t ap_boot_lock, ap_next_stack, ap_next_index;
static uint8_t ap_stacks[SMP_MAX_CPUS][AP_STACK] __attribute__((aligned(16)));
static void (*volatile ap_fn)(unsigned index);
static volatile uint32_t ap_checked_in;
volatile uint64_t ap_start_tsc[SMP_MAX_CPUS];

static inline uint32_t lapic_read(uint32_t reg) { return *(volatile uint32_t *)(LAPIC_BASE + reg); }
static inline void lapic_write(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(LAPIC_BASE + reg) = v; }

uint32_t lapic_id(void) { return lapic_read(LAPIC_ID) >> 24; }

static void delay_us(uint32_t us)
{
    uint64_t end = rdtsc() + TSC_GUESS_HZ / 1000000 * us;
    while (rdtsc() < end)
        __asm__ volatile("pause");
}

static void send_ipi_to(uint32_t apic_id, uint32_t icr)
{
    lapic_write(LAPIC_ICR_HI, apic_id << 24);
    lapic_write(LAPIC_ICR_LO, icr);
    while (lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
        __asm__ volatile("pause");
}

static void send_ipi(uint32_t icr) { send_ipi_to(0, icr); }

void ap_entry(uint32_t index)
{
    uint64_t t = rdtsc(); /* first thing: how soon after its SIPI the AP's TSC reads */
    if (index < SMP_MAX_CPUS)
        ap_start_tsc[index] = t;
    idt_load(); /* the AP came up with the real-mode IDT */
    lapic_write(LAPIC_SVR, lapic_read(LAPIC_SVR) | SVR_ENABLE | 0xff);
    __atomic_add_fetch(&ap_checked_in, 1, __ATOMIC_SEQ_CST);
    ap_fn(index);
    for (;;)
        __asm__ volatile("cli; hlt");
}

unsigned smp_start_aps(unsigned ncpus, void (*fn)(unsigned index))
{
    if (ncpus > SMP_MAX_CPUS)
        ncpus = SMP_MAX_CPUS;
    ap_fn = fn;
    memcpy((void *)AP_TRAMP_BASE, ap_tramp, (size_t)(ap_tramp_end - ap_tramp));
    lapic_write(LAPIC_SVR, lapic_read(LAPIC_SVR) | SVR_ENABLE | 0xff);

    /* hand out stacks one by one as APs take them (ap_tramp.S) */
    send_ipi(ICR_ALL_BUT_SELF | ICR_INIT | ICR_ASSERT | ICR_LEVEL);
    delay_us(10000);
    for (unsigned i = 1; i < ncpus; i++) {
        ap_next_index = i;
        ap_next_stack = (uint32_t)(uintptr_t)(ap_stacks[i] + AP_STACK);
        if (i == 1) {
            for (int k = 0; k < 2; k++) { /* STARTUP twice, as the SDM says */
                send_ipi(ICR_ALL_BUT_SELF | ICR_STARTUP | ICR_ASSERT | (AP_TRAMP_BASE >> 12));
                delay_us(200);
            }
        }
        for (uint32_t spin = 0; ap_next_stack && spin < CHECK_IN_SPINS; spin++)
            __asm__ volatile("pause");
        if (ap_next_stack)
            break; /* no AP took it */
    }
    ap_next_stack = 0;
    for (uint32_t spin = 0; ap_checked_in < ncpus - 1 && spin < CHECK_IN_SPINS; spin++)
        __asm__ volatile("pause");
    return ap_checked_in;
}

bool smp_sipi_ap(uint32_t apic_id, unsigned index, void (*fn)(unsigned index))
{
    if (index == 0 || index >= SMP_MAX_CPUS)
        return false;
    ap_fn = fn;
    memcpy((void *)AP_TRAMP_BASE, ap_tramp, (size_t)(ap_tramp_end - ap_tramp));
    uint32_t before = ap_checked_in;
    ap_next_index = index;
    ap_next_stack = (uint32_t)(uintptr_t)(ap_stacks[index] + AP_STACK);
    for (int k = 0; k < 2; k++) { /* the second is ignored by an AP the first started */
        send_ipi_to(apic_id, ICR_STARTUP | ICR_ASSERT | (AP_TRAMP_BASE >> 12));
        delay_us(200);
    }
    for (uint32_t spin = 0; ap_checked_in == before && spin < CHECK_IN_SPINS; spin++)
        __asm__ volatile("pause");
    ap_next_stack = 0;
    return ap_checked_in != before;
}

bool smp_start_ap(uint32_t apic_id, unsigned index, void (*fn)(unsigned index))
{
    send_ipi_to(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
    delay_us(10000);
    return smp_sipi_ap(apic_id, index, fn);
}
