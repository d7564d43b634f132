/*
 * isa.c: the ISA interrupt lines (see isa.h).
 */
#include "emu/isa.h"

#include "emu/platform.h"

unsigned isa_irq_gsi(unsigned irq)
{
    return irq == PLAT_IRQ_PIT ? PLAT_GSI_PIT : irq;
}

void isa_set_irq(void *opaque, unsigned irq, int level)
{
    struct isa_irq *isa = opaque;
    if (irq >= ISA_IRQ_LINES)
        return;
    if (irq < ISA_IRQS && isa->pic.set_irq)
        isa->pic.set_irq(isa->pic.opaque, irq, level);
    if (isa->ioapic.set_irq)
        isa->ioapic.set_irq(isa->ioapic.opaque, isa_irq_gsi(irq), level);
}
