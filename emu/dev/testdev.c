/*
 * testdev.c: QEMU's pc-testdev (see testdev.h).
 */
#include "emu/dev/testdev.h"

#include <string.h>

static uint64_t scratch_read(void *opaque, uint64_t offset, unsigned size)
{
    struct testdev *t = opaque;
    spin_lock(&t->lock);
    uint64_t v = t->data >> ((offset & 3) * 8);
    spin_unlock(&t->lock);
    return size >= 4 ? v : v & ((1u << (size * 8)) - 1);
}

static void scratch_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct testdev *t = opaque;
    unsigned shift = (offset & 3) * 8;
    uint64_t mask = (size >= 4 ? 0xffffffffull : (1ull << (size * 8)) - 1) << shift;
    spin_lock(&t->lock);
    t->data = (uint32_t)((t->data & ~mask) | ((value << shift) & mask));
    spin_unlock(&t->lock);
}

static uint64_t byte_read(void *opaque, uint64_t offset, unsigned size)
{
    return size == 1 ? scratch_read(opaque, offset, 1) : 0xffffffffu;
}

static void byte_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    if (size == 1)
        scratch_write(opaque, offset, value, 1);
}

static uint64_t flush_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)opaque;
    (void)offset;
    (void)size;
    return 0;
}

static void flush_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    (void)opaque;
    (void)offset;
    (void)value;
    (void)size;
}

static uint64_t irq_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)opaque;
    (void)offset;
    (void)size;
    return 0xffffffffu;
}

static void irq_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct testdev *t = opaque;
    if (size != 1 || offset >= TESTDEV_IRQ_LINES)
        return;
    if (t->isa.set_irq)
        t->isa.set_irq(t->isa.opaque, (unsigned)offset, value != 0);
}

static const struct io_ops scratch_ops = {scratch_read, scratch_write};
static const struct io_ops byte_ops = {byte_read, byte_write};
static const struct io_ops flush_ops = {flush_read, flush_write};
static const struct io_ops irq_ops = {irq_read, irq_write};

void testdev_init(struct testdev *t, struct irq_line isa)
{
    memset(t, 0, sizeof *t);
    t->isa = isa;
}

int testdev_register(struct testdev *t, struct bus *bus)
{
    if (bus_register_pio(bus, PLAT_PORT_TESTDEV_SCRATCH, 4, &scratch_ops, t) ||
        bus_register_pio(bus, TESTDEV_PORT_FLUSH, 4, &flush_ops, t) ||
        bus_register_pio(bus, TESTDEV_PORT_BYTE, 4, &byte_ops, t) ||
        bus_register_pio(bus, PLAT_PORT_TESTDEV_IRQ, TESTDEV_IRQ_LINES, &irq_ops, t))
        return -1;
    return 0;
}
