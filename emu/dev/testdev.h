/*
 * emu/dev/testdev.h: QEMU's pc-testdev (hw/misc/pc-testdev.c), the test
 * harness kvm-unit-tests and our guest programs use:
 *   0xe0-0xe3  a 32-bit scratch register, any access width;
 *   0xe4-0xe7  "flush page": writes are accepted and ignored (XXX: QEMU
 *              re-protects a page there; we have nothing to flush);
 *   0xe8-0xeb  the same scratch register, byte accesses;
 *   0x2000+n   a byte write drives ISA IRQ line n (0-23) to !!value, into
 *              both the 8259 and the IOAPIC (the machine's isa_irq line).
 * XXX: QEMU's MMIO window at 0xff000000 is not modelled.
 */
#ifndef BAREMU_TESTDEV_H
#define BAREMU_TESTDEV_H

#include "emu/bus.h"
#include "emu/lock.h"
#include "emu/platform.h"

#include <stdint.h>

#define TESTDEV_IRQ_LINES  24
#define TESTDEV_PORT_FLUSH (PLAT_PORT_TESTDEV_SCRATCH + 4)
#define TESTDEV_PORT_BYTE  (PLAT_PORT_TESTDEV_SCRATCH + 8)

struct testdev {
    struct spinlock lock;
    uint32_t data;
    struct irq_line isa; /* set_irq(opaque, n, level) drives ISA IRQ n */
};

void testdev_init(struct testdev *t, struct irq_line isa);
int testdev_register(struct testdev *t, struct bus *bus);

#endif
