/*
 * rt/irq.h: counted interrupt handlers.
 */
#include "irq.h"
#include "apic.h"
#include "cpu.h"

static volatile uint32_t counts[IRQ_MAX_CPUS][256];
static irq_handler handlers[256];

static unsigned row(uint32_t apic_id)
{
    return apic_id < IRQ_MAX_CPUS ? apic_id : IRQ_MAX_CPUS - 1;
}

static void irq_dispatch(struct trap_frame *f)
{
    uint8_t v = (uint8_t)f->vector;
    __atomic_add_fetch(&counts[row(cpu_apic_id())][v], 1, __ATOMIC_SEQ_CST);
    irq_handler h = __atomic_load_n(&handlers[v], __ATOMIC_ACQUIRE);
    if (h)
        h(v, f);
    else if (v != VEC_NMI)
        lapic_eoi();
}

void irq_no_eoi(uint8_t vector, struct trap_frame *f)
{
    (void)vector, (void)f;
}

void irq_install(uint8_t vector, irq_handler h)
{
    if (vector != VEC_NMI && vector < 32)
        tap_bail("irq_install: vector %u is an exception", vector);
    __atomic_store_n(&handlers[vector], h, __ATOMIC_RELEASE);
    idt_set_handler(vector, irq_dispatch, 0); /* the runtime's stub (vectors.S) calls it */
}

uint32_t irq_count(uint32_t apic_id, uint8_t vector)
{
    return counts[row(apic_id)][vector];
}

const volatile uint32_t *irq_counter(uint32_t apic_id, uint8_t vector)
{
    return &counts[row(apic_id)][vector];
}

void irq_reset(uint8_t vector)
{
    for (unsigned i = 0; i < IRQ_MAX_CPUS; i++)
        counts[i][vector] = 0;
}

void irq_reset_own(uint8_t vector)
{
    counts[row(cpu_apic_id())][vector] = 0;
}
