/*
 * debugcon.c: QEMU's isa-debugcon (see debugcon.h).
 */
#include "emu/dev/debugcon.h"

#include "emu/platform.h"

static uint64_t debugcon_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)opaque;
    (void)offset;
    (void)size;
    return DEBUGCON_READBACK;
}

static void debugcon_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct debugcon *d = opaque;
    (void)offset;
    for (unsigned i = 0; i < size; i++) /* a wider write sends its bytes in order */
        d->tx(d->opaque, (uint8_t)(value >> (8 * i)));
}

static const struct io_ops debugcon_ops = {debugcon_read, debugcon_write};

void debugcon_init(struct debugcon *d, void (*tx)(void *opaque, uint8_t byte), void *opaque)
{
    d->tx = tx;
    d->opaque = opaque;
}

int debugcon_register(struct debugcon *d, struct bus *bus)
{
    return bus_register_pio(bus, PLAT_PORT_DEBUGCON, 1, &debugcon_ops, d);
}
