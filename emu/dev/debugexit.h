/*
 * emu/dev/debugexit.h: QEMU's isa-debug-exit (hw/misc/debugexit.c) at port
 * 0xf4, 4 bytes wide, as the tests configure it. A write of v ends the run
 * with status (v << 1) | 1; reads return 0.
 */
#ifndef BAREMU_DEBUGEXIT_H
#define BAREMU_DEBUGEXIT_H

#include "emu/bus.h"

#define DEBUGEXIT_PORTS 4

struct debugexit {
    void (*exit)(void *opaque, int status); /* the machine stops all vCPUs and exits */
    void *opaque;
};

void debugexit_init(struct debugexit *d, void (*exit)(void *opaque, int status), void *opaque);
extern const struct io_ops debugexit_ops;
int debugexit_register(struct debugexit *d, struct bus *bus);

#endif
