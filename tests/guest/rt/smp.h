/*
 * tests/guest/rt/smp.h: start the application processors of a guest test
 * with INIT-SIPI-SIPI through the local APIC (SDM Vol 3A 9.4.4), and run a
 * function on every one of them, and what SMP tests share beyond rt/apic.h
 * and rt/cpu.h: a barrier, an ordered TSC read, a plain interrupt stub.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#define AP_TRAMP_BASE 0x8000 /* below 1 MiB, page aligned: STARTUP vector 0x08 */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

#include "apic.h"
#include "cpu.h"

#define SMP_MAX_CPUS 64

/* start ncpus - 1 APs, each running fn(index) (1..ncpus-1) on its own stack;
 * returns how many checked in before the wait ran out */
unsigned smp_start_aps(unsigned ncpus, void (*fn)(unsigned index));

/*
 * start the one AP with this APIC ID (INIT, SIPI, SIPI to it alone) running
 * fn(index) on stack index (1..SMP_MAX_CPUS-1); true once it checked in.
 * An AP may call it too, to start another. One starter at a time.
 */
bool smp_start_ap(uint32_t apic_id, unsigned index, void (*fn)(unsigned index));
/* the same without the INIT: for an AP already waiting for SIPI */
bool smp_sipi_ap(uint32_t apic_id, unsigned index, void (*fn)(unsigned index));

uint32_t lapic_id(void);

/* ap_tramp.S counts every entry into the trampoline (every SIPI that started an AP) */
extern volatile uint32_t ap_tramp_entries;
/* the TSC each AP read first thing in ap_entry, by index */
extern volatile uint64_t ap_start_tsc[SMP_MAX_CPUS];

/*
 * Running functions on APs (rt/smp_call.c). smp_worker is an AP function
 * (for smp_start_aps/smp_start_ap) that waits, interrupts off, for calls
 * posted to its APIC ID and runs them one at a time; smp_boot_workers starts
 * every CPU of the MADT that way. A call runs with interrupts as the worker
 * has them (off) and may change them.
 */
void smp_worker(unsigned index);
unsigned smp_boot_workers(unsigned ncpus); /* APs that checked in */
void smp_call_async(uint32_t apic_id, void (*fn)(void *arg), void *arg);
bool smp_call_wait(uint32_t apic_id, uint32_t ms); /* true if the call finished in time */
bool smp_call(uint32_t apic_id, void (*fn)(void *arg), void *arg); /* both, 10 s */
bool smp_call_busy(uint32_t apic_id);                              /* a call is posted or running */

#define MSR_TSC        0x10
#define MSR_TSC_ADJUST 0x3b

/* set SVR's APIC software enable (SDM 11.4.7.2; smp_start_aps does it on every CPU) */
static inline void lapic_sw_enable(void)
{
    lapic_write(LAPIC_SVR, lapic_read(LAPIC_SVR) | SVR_ENABLE | 0xff);
}

/* a fixed, edge-triggered IPI of vector to the CPU with APIC ID dest (physical) */
void smp_send_ipi(uint32_t dest, uint8_t vector);
/* the same to every CPU but this one (the all-excluding-self shorthand) */
void smp_send_ipi_others(uint8_t vector);
static inline void smp_eoi(void) { lapic_eoi(); }

/* a sense-reversing barrier for n CPUs; each CPU keeps its own sense */
struct smp_barrier {
    volatile uint32_t count, sense;
};
void smp_barrier_wait(struct smp_barrier *b, unsigned n, uint32_t *my_sense);

/* RDTSC after earlier instructions (LFENCE first, as Linux's rdtsc_ordered) */
static inline uint64_t rdtsc_ordered(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t)hi << 32 | lo;
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
