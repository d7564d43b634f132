/*
 * emu/isa.h: the PC's ISA interrupt lines. IRQ n (0-15) goes to 8259 input n
 * and to IOAPIC pin isa_irq_gsi(n): the identity, except IRQ 0 (the PIT),
 * which is wired to GSI 2, as the MADT's interrupt source override says
 * (ACPI 6.3 5.2.12.5). Lines 16-23 reach the IOAPIC only.
 *
 * isa_set_irq is an irq_line handler: a device on "ISA IRQ n" gets
 * (struct irq_line){isa_set_irq, &isa, n} and never learns where it goes.
 */
#ifndef BAREMU_ISA_H
#define BAREMU_ISA_H

#include "emu/bus.h"

#define ISA_IRQS      16
#define ISA_IRQ_LINES 24 /* with the IOAPIC-only lines */

struct isa_irq {
    struct irq_line pic;    /* set_irq and opaque of the 8259 pair; line unused */
    struct irq_line ioapic; /* set_irq and opaque of the IOAPIC; line unused */
};

unsigned isa_irq_gsi(unsigned irq);
void isa_set_irq(void *opaque, unsigned irq, int level);

#endif
