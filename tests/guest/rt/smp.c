/*
 * tests/guest/rt/smp.c: INIT-SIPI-SIPI from a guest test (SDM Vol 3A 9.4.4,
 * "Typical BSP Initialization Sequence"), with the xAPIC at its reset base.
 * The delays are counted in TSC ticks at a generous 4 GHz guess: emulators
 * do not need them, real processors get at least what the SDM asks.
 */
#include "guest.h"
#include "apic.h"
#include "cpu.h"
#include "smp.h"

#define AP_STACK 8192
#define TSC_GUESS_HZ 4000000000ull
#define CHECK_IN_SPINS 200000000u

extern const char ap_tramp[], ap_tramp_end[];
volatile uint32_t ap_boot_lock, ap_next_stack, ap_next_index;
static uint8_t ap_stacks[SMP_MAX_CPUS][AP_STACK] __attribute__((aligned(16)));
static void (*volatile ap_fn)(unsigned index);
static volatile uint32_t ap_checked_in;
volatile uint64_t ap_start_tsc[SMP_MAX_CPUS];

uint32_t lapic_id(void) { return lapic_read(LAPIC_ID) >> 24; }

static void delay_us(uint32_t us)
{
    uint64_t end = rdtsc() + TSC_GUESS_HZ / 1000000 * us;
    while (rdtsc() < end)
        __asm__ volatile("pause");
}

static void send_ipi(uint32_t icr) { lapic_send_ipi(0, icr); }

/*
 * An IPI is two register writes in xAPIC mode: an interrupt handler on this
 * CPU that sent one of its own in between would change ICR_HI under us, so
 * IF is off for it.
 */
static uint32_t irq_save(void)
{
    uint32_t f;
    __asm__ volatile("pushfl; popl %0; cli" : "=r"(f)::"memory");
    return f;
}

static void irq_restore(uint32_t f)
{
    if (f & (1u << 9))
        __asm__ volatile("sti" ::: "memory");
}

void smp_send_ipi(uint32_t dest, uint8_t vector)
{
    uint32_t f = irq_save();
    lapic_send_ipi(dest, ICR_FIXED | ICR_ASSERT | vector);
    irq_restore(f);
}

void smp_send_ipi_others(uint8_t vector)
{
    uint32_t f = irq_save();
    lapic_send_ipi(0, ICR_ALL_BUT | ICR_FIXED | ICR_ASSERT | vector);
    irq_restore(f);
}

void smp_barrier_wait(struct smp_barrier *b, unsigned n, uint32_t *my_sense)
{
    uint32_t s = *my_sense ^ 1;
    *my_sense = s;
    if (__atomic_add_fetch(&b->count, 1, __ATOMIC_ACQ_REL) == n) {
        b->count = 0;
        __atomic_store_n(&b->sense, s, __ATOMIC_RELEASE);
        return;
    }
    while (__atomic_load_n(&b->sense, __ATOMIC_ACQUIRE) != s)
        __asm__ volatile("pause");
}

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
    send_ipi(ICR_ALL_BUT | ICR_INIT | ICR_ASSERT | ICR_LEVEL);
    delay_us(10000);
    for (unsigned i = 1; i < ncpus; i++) {
        ap_next_index = i;
        ap_next_stack = (uint32_t)(uintptr_t)(ap_stacks[i] + AP_STACK);
        if (i == 1) {
            for (int k = 0; k < 2; k++) { /* STARTUP twice, as the SDM says */
                send_ipi(ICR_ALL_BUT | ICR_STARTUP | ICR_ASSERT | (AP_TRAMP_BASE >> 12));
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
        lapic_send_ipi(apic_id, ICR_STARTUP | ICR_ASSERT | (AP_TRAMP_BASE >> 12));
        delay_us(200);
    }
    for (uint32_t spin = 0; ap_checked_in == before && spin < CHECK_IN_SPINS; spin++)
        __asm__ volatile("pause");
    ap_next_stack = 0;
    return ap_checked_in != before;
}

bool smp_start_ap(uint32_t apic_id, unsigned index, void (*fn)(unsigned index))
{
    lapic_send_ipi(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
    delay_us(10000);
    return smp_sipi_ap(apic_id, index, fn);
}
