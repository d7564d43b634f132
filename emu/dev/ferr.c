/*
 * ferr.c: FERR# to IRQ 13 and the IGNNE# port (see ferr.h).
 */
#include "emu/dev/ferr.h"

#include "emu/platform.h"

void ferr_init(struct ferr *f, struct irq_line irq)
{
    f->irq = irq;
}

void ferr_assert(struct ferr *f)
{
    f->irq.set_irq(f->irq.opaque, f->irq.line, 1);
}

static uint64_t ferr_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)opaque;
    (void)offset;
    (void)size;
    return 0;
}

/* any write to 0xF0 clears the latch: IRQ 13 drops (the x87 state is the guest's to clear) */
static void ferr_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct ferr *f = opaque;
    (void)offset;
    (void)value;
    (void)size;
    f->irq.set_irq(f->irq.opaque, f->irq.line, 0);
}

const struct io_ops ferr_ops = {ferr_read, ferr_write};

int ferr_register(struct ferr *f, struct bus *bus)
{
    return bus_register_pio(bus, PLAT_PORT_FPU_IGNNE, FERR_PORTS, &ferr_ops, f);
}
