/*
 * Interrupt handlers for guest tests: for NMI (vector 2) and every vector
 * from 32 to 255, behind the runtime's own stubs (vectors.S, through
 * idt_set_handler), a handler that counts the interrupt per CPU
 * and per vector, then calls the test's handler, or, with none, writes the
 * local APIC's EOI (never for NMI). The IDT is shared by every CPU; an AP
 * loads it when it starts (rt/smp.c).
 */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#include <stdint.h>

#include "guest.h"

#define IRQ_MAX_CPUS 64 /* counters by APIC ID; IDs from here on share the last row */
#define VEC_NMI      2

/* f is the interrupted context: its eip, eflags and registers may be changed */
typedef void (*irq_handler)(uint8_t vector, struct trap_frame *f);

/* point vector's gate at the counting stub and call h (NULL: count and EOI) */
void irq_install(uint8_t vector, irq_handler h);
/* a handler that only counts: no EOI, as a spurious interrupt needs none (SDM 11.9) */
void irq_no_eoi(uint8_t vector, struct trap_frame *f);
/* interrupts of vector taken by the CPU with this APIC ID */
uint32_t irq_count(uint32_t apic_id, uint8_t vector);
const volatile uint32_t *irq_counter(uint32_t apic_id, uint8_t vector);
/* zero the counters of vector on every CPU, or only on the calling one */
void irq_reset(uint8_t vector);
void irq_reset_own(uint8_t vector);

#endif
