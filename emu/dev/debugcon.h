/*
 * emu/dev/debugcon.h: QEMU's isa-debugcon (hw/char/debugcon.c) at port
 * 0x402, where QEMU builds of SeaBIOS write their log: each byte written
 * goes to the machine's debug console; a read returns 0xe9, as QEMU's does
 * (the Bochs "port e9" readback value), so firmware can tell it is there.
 */
#ifndef BAREMU_DEBUGCON_H
#define BAREMU_DEBUGCON_H

#include "emu/bus.h"

#include <stdint.h>

#define DEBUGCON_READBACK 0xe9

struct debugcon {
    void (*tx)(void *opaque, uint8_t byte);
    void *opaque;
};

void debugcon_init(struct debugcon *d, void (*tx)(void *opaque, uint8_t byte), void *opaque);
int debugcon_register(struct debugcon *d, struct bus *bus);

#endif
