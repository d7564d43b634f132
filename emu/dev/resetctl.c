/*
 * resetctl.c: ports 0x92 and 0xcf9 (see resetctl.h).
 */
#include "emu/dev/resetctl.h"

#include "emu/platform.h"

#include <string.h>

static uint64_t port92_read(void *opaque, uint64_t offset, unsigned size)
{
    struct resetctl *r = opaque;
    (void)offset;
    (void)size;
    spin_lock(&r->lock);
    uint8_t v = r->port92;
    spin_unlock(&r->lock);
    return v;
}

static void port92_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct resetctl *r = opaque;
    (void)offset;
    (void)size;
    spin_lock(&r->lock);
    uint8_t old = r->port92;
    r->port92 = (uint8_t)value & (PORT92_RESET | PORT92_A20);
    bool reset = (value & PORT92_RESET) && !(old & PORT92_RESET);
    bool a20 = (old ^ value) & PORT92_A20;
    spin_unlock(&r->lock);
    if (a20 && r->lines.a20)
        r->lines.a20(r->lines.opaque, value & PORT92_A20);
    if (reset && r->lines.reset)
        r->lines.reset(r->lines.opaque);
}

static const struct io_ops port92_ops = {port92_read, port92_write};

int resetctl_register(struct resetctl *r, struct bus *bus)
{
    return bus_register_pio(bus, PLAT_PORT_FAST_A20, 1, &port92_ops, r);
}

uint8_t resetctl_cf9_read(struct resetctl *r)
{
    spin_lock(&r->lock);
    uint8_t v = r->rcr;
    spin_unlock(&r->lock);
    return v;
}

void resetctl_cf9_write(struct resetctl *r, uint8_t value)
{
    spin_lock(&r->lock);
    bool reset = (value & RCR_RST_CPU) && !(r->rcr & RCR_RST_CPU);
    r->rcr = value & RCR_SYS_RST; /* RST_CPU reads back 0 once the reset is under way */
    spin_unlock(&r->lock);
    if (reset && r->lines.reset)
        r->lines.reset(r->lines.opaque);
}

void resetctl_init(struct resetctl *r, struct reset_lines lines)
{
    memset(r, 0, sizeof *r);
    r->lines = lines;
    r->port92 = PORT92_A20; /* A20 on, as after the BIOS */
}
