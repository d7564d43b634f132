/*
 * tests/guest/rt/smp.h: start the application processors of a guest test
 * with INIT-SIPI-SIPI through the local APIC (SDM Vol 3A 9.4.4), run a
 * function on every one of them, and the small things SMP tests share:
 * IPIs, EOI, a barrier, the TSC, interrupt stubs.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#define AP_TRAMP_BASE 0x8000 /* below 1 MiB, page aligned: STARTUP vector 0x08 */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

#define SMP_MAX_CPUS 64

/* the xAPIC at its reset base (SDM Vol 3A 11.4.1 Table 11-1) */
#define LAPIC_BASE        0xfee00000u
#define LAPIC_ID          0x020
#define LAPIC_TPR         0x080
#define LAPIC_EOI         0x0b0
#define LAPIC_SVR         0x0f0
#define LAPIC_ICR_LO      0x300
#define LAPIC_ICR_HI      0x310
#define LAPIC_LVT_TIMER   0x320
#define LAPIC_TIMER_ICR   0x380
#define LAPIC_TIMER_CCR   0x390
#define LAPIC_TIMER_DCR   0x3e0
#define LVT_MASKED        (1u << 16)
#define LVT_TIMER_PERIODIC (1u << 17)
#define LVT_TIMER_DEADLINE (2u << 17)
#define TIMER_DIVIDE_1    0xb /* DCR 1011b: divide by 1 (11.5.4 Figure 11-10) */
#define MSR_TSC           0x10
#define MSR_TSC_ADJUST    0x3b
#define MSR_TSC_DEADLINE  0x6e0

/* start ncpus - 1 APs, each running fn(index) (1..ncpus-1) on its own stack;
 * returns how many checked in before the wait ran out */
unsigned smp_start_aps(unsigned ncpus, void (*fn)(unsigned index));

uint32_t lapic_id(void);

static inline uint32_t lapic_read(uint32_t reg)
{
    return *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg);
}

static inline void lapic_write(uint32_t reg, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg) = v;
}

/* set SVR's APIC software enable (11.4.7.2; smp_start_aps does it on every CPU) */
static inline void lapic_sw_enable(void)
{
    lapic_write(LAPIC_SVR, lapic_read(LAPIC_SVR) | (1u << 8) | 0xff);
}

/* a fixed, edge-triggered IPI of vector to the CPU with APIC ID dest (physical) */
void smp_send_ipi(uint32_t dest, uint8_t vector);
/* the same to every CPU but this one (the all-excluding-self shorthand) */
void smp_send_ipi_others(uint8_t vector);
static inline void smp_eoi(void) { lapic_write(LAPIC_EOI, 0); }

/* a sense-reversing barrier for n CPUs; each CPU keeps its own sense */
struct smp_barrier {
    volatile uint32_t count, sense;
};
void smp_barrier_wait(struct smp_barrier *b, unsigned n, uint32_t *my_sense);

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* RDTSC after earlier instructions (LFENCE first, as Linux's rdtsc_ordered) */
static inline uint64_t rdtsc_ordered(void)
{
    __asm__ volatile("lfence" ::: "memory");
    return rdtsc();
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

/*
 * Mask both 8259s (OCW1, all IRQs): firmware may have left the PIT running
 * into the BSP's LINT0 at its vectors 8-15 (SeaBIOS does), which would look
 * like exceptions once a test turns interrupts on.
 */
static inline void pic_mask_all(void)
{
    __asm__ volatile("outb %%al, $0x21; outb %%al, $0xa1" ::"a"(0xff));
}

/* wait for an interrupt with none lost: STI's shadow covers the HLT (SDM Vol 3A 6.8.3) */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt; cli" ::: "memory"); }

/*
 * An interrupt gate stub for idt_set_gate() that saves the general
 * registers, calls void handler(void) and returns with IRET. The handler
 * sends the EOI itself.
 */
#define SMP_IRQ_STUB(stub, handler)                                                                \
    void stub(void);                                                                               \
    void handler(void);                                                                            \
    __asm__(".text\n.globl " #stub "\n.type " #stub ", @function\n" #stub ":\n"                    \
            "\tpushal\n\tcld\n\tcall " #handler "\n\tpopal\n\tiret\n")

extern volatile uint32_t ap_boot_lock, ap_next_stack, ap_next_index;
void ap_entry(uint32_t index);
#endif

#endif
