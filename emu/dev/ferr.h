/*
 * emu/dev/ferr.h: the PC's x87 error path (SDM Vol 1 8.7 and appendix D,
 * "Guidelines for writing x87 FPU exception handlers"): with CR0.NE clear a
 * vCPU's FERR# drives ISA IRQ 13 through the 8259 (and the IOAPIC); a write
 * to port 0xF0, the IGNNE# latch of the PC/AT, drops it again. Reads return 0.
 */
#ifndef BAREMU_FERR_H
#define BAREMU_FERR_H

#include "emu/bus.h"

#define FERR_PORTS 1

struct ferr {
    struct irq_line irq; /* ISA IRQ 13 */
};

void ferr_init(struct ferr *f, struct irq_line irq);
/* a vCPU found an unmasked x87 exception pending with CR0.NE = 0 */
void ferr_assert(struct ferr *f);
extern const struct io_ops ferr_ops;
int ferr_register(struct ferr *f, struct bus *bus);

#endif
