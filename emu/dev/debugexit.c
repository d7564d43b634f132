/*
 * debugexit.c: QEMU's isa-debug-exit (see debugexit.h).
 */
#include "emu/dev/debugexit.h"

#include "emu/platform.h"

static uint64_t debugexit_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)opaque;
    (void)offset;
    (void)size;
    return 0;
}

static void debugexit_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct debugexit *d = opaque;
    (void)offset;
    (void)size;
    if (d->exit)
        d->exit(d->opaque, (int)(((uint32_t)value << 1) | 1));
}

const struct io_ops debugexit_ops = {debugexit_read, debugexit_write};

void debugexit_init(struct debugexit *d, void (*exit)(void *opaque, int status), void *opaque)
{
    d->exit = exit;
    d->opaque = opaque;
}

int debugexit_register(struct debugexit *d, struct bus *bus)
{
    return bus_register_pio(bus, PLAT_PORT_DEBUG_EXIT, DEBUGEXIT_PORTS, &debugexit_ops, d);
}
