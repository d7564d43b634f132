/*
 * i8042.c: the keyboard controller's reset and A20 lines (see i8042.h).
 */
#include "emu/dev/i8042.h"

#include "emu/platform.h"

#include <string.h>

enum { NONE, RESET = 1, A20_ON = 2, A20_OFF = 4 };

static void put(struct i8042 *k, uint8_t v)
{
    k->out = v;
    k->status |= KBD_STAT_OBF;
}

/* set the output port; returns what the lines must be told */
static unsigned set_outport(struct i8042 *k, uint8_t v)
{
    unsigned act = NONE;
    if ((k->outport ^ v) & KBD_OUT_A20)
        act |= v & KBD_OUT_A20 ? A20_ON : A20_OFF;
    if (!(v & KBD_OUT_RESET))
        act |= RESET;
    k->outport = v | KBD_OUT_RESET; /* the reset is a pulse */
    return act;
}

static unsigned command(struct i8042 *k, uint8_t cmd)
{
    switch (cmd) {
    case KBD_CCMD_READ_MODE:
        put(k, k->mode);
        return NONE;
    case KBD_CCMD_WRITE_MODE:
    case KBD_CCMD_WRITE_OUTPORT:
        k->pending = cmd;
        return NONE;
    case KBD_CCMD_SELF_TEST:
        k->status |= KBD_STAT_SYS;
        put(k, KBD_SELF_TEST_OK);
        return NONE;
    case KBD_CCMD_KBD_TEST:
        put(k, 0); /* no error */
        return NONE;
    case KBD_CCMD_READ_OUTPORT:
        put(k, k->outport);
        return NONE;
    case KBD_CCMD_DISABLE_A20:
        return set_outport(k, k->outport & ~KBD_OUT_A20);
    case KBD_CCMD_ENABLE_A20:
        return set_outport(k, k->outport | KBD_OUT_A20);
    case KBD_CCMD_AUX_DISABLE:
    case KBD_CCMD_AUX_ENABLE:
    case KBD_CCMD_KBD_DISABLE:
    case KBD_CCMD_KBD_ENABLE:
        return NONE;
    }
    if (cmd >= KBD_CCMD_PULSE_FIRST && !(cmd & 1))
        return RESET; /* pulse output port bit 0 low */
    return NONE;
}

static unsigned data(struct i8042 *k, uint8_t v)
{
    uint8_t cmd = k->pending;
    k->pending = 0;
    if (cmd == KBD_CCMD_WRITE_MODE) {
        k->mode = v;
        k->status = (uint8_t)((k->status & ~KBD_STAT_SYS) | (v & KBD_MODE_SYS));
    } else if (cmd == KBD_CCMD_WRITE_OUTPORT) {
        return set_outport(k, v);
    }
    return NONE; /* XXX: a byte for the keyboard: there is none */
}

static void act(struct i8042 *k, unsigned a)
{
    if ((a & (A20_ON | A20_OFF)) && k->lines.a20)
        k->lines.a20(k->lines.opaque, a & A20_ON);
    if ((a & RESET) && k->lines.reset)
        k->lines.reset(k->lines.opaque);
}

static uint64_t port_read(struct i8042 *k, bool cmd_port)
{
    spin_lock(&k->lock);
    uint8_t v = k->status;
    if (!cmd_port) {
        v = k->out;
        k->status &= ~KBD_STAT_OBF;
    }
    spin_unlock(&k->lock);
    return v;
}

static void port_write(struct i8042 *k, bool cmd_port, uint8_t value)
{
    unsigned a;
    spin_lock(&k->lock);
    if (cmd_port) {
        k->status |= KBD_STAT_CMD;
        a = command(k, value);
    } else {
        k->status &= ~KBD_STAT_CMD;
        a = data(k, value);
    }
    spin_unlock(&k->lock);
    act(k, a);
}

static uint64_t data_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)offset;
    (void)size;
    return port_read(opaque, false);
}

static void data_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    (void)offset;
    (void)size;
    port_write(opaque, false, (uint8_t)value);
}

static uint64_t cmd_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)offset;
    (void)size;
    return port_read(opaque, true);
}

static void cmd_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    (void)offset;
    (void)size;
    port_write(opaque, true, (uint8_t)value);
}

static const struct io_ops data_ops = {data_read, data_write};
static const struct io_ops cmd_ops = {cmd_read, cmd_write};

/* 0x60 and 0x64 as two one-port ranges: 0x61 is the PIT's */
int i8042_register(struct i8042 *k, struct bus *bus)
{
    if (bus_register_pio(bus, PLAT_PORT_I8042_DATA, 1, &data_ops, k) ||
        bus_register_pio(bus, PLAT_PORT_I8042_CMD, 1, &cmd_ops, k))
        return -1;
    return 0;
}

void i8042_init(struct i8042 *k, struct reset_lines lines)
{
    memset(k, 0, sizeof *k);
    k->lines = lines;
    k->status = KBD_STAT_CMD | KBD_STAT_UNLOCKED;
    k->outport = KBD_OUT_RESET | KBD_OUT_A20;
    k->mode = KBD_MODE_SYS;
}
