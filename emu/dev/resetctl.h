/*
 * emu/dev/resetctl.h: the chipset's reset and A20 controls:
 *   port 0x92, system control port A (PS/2 "fast A20"): bit 0 pulses a reset
 *     on its rising edge, bit 1 is the A20 gate (as QEMU's port92);
 *   port 0xcf9, the reset control register (Intel 82371AB PIIX4 datasheet
 *     4.1.17): bit 2 (RST_CPU) going to 1 resets, bit 1 (SYS_RST) is kept.
 * 0xcf9 sits inside the PCI configuration address dword, so the PCI host
 * bridge (pci.c) owns the port and forwards byte accesses to resetctl_cf9_*.
 *
 * struct reset_lines is how this and the i8042 reach the machine. The
 * machine's reset is a full reset (XXX: SYS_RST soft/hard is not told apart).
 * Locking: one spinlock.
 */
#ifndef BAREMU_RESETCTL_H
#define BAREMU_RESETCTL_H

#include "emu/bus.h"
#include "emu/lock.h"

#include <stdint.h>

#define PORT92_RESET 0x01
#define PORT92_A20   0x02
#define RCR_SYS_RST  0x02
#define RCR_RST_CPU  0x04

struct reset_lines {
    void (*reset)(void *opaque);        /* reset the whole machine */
    void (*a20)(void *opaque, bool on); /* the A20 gate changed */
    void *opaque;
};

struct resetctl {
    struct spinlock lock;
    struct reset_lines lines;
    uint8_t port92, rcr;
};

void resetctl_init(struct resetctl *r, struct reset_lines lines);
/* port 0x92 */
int resetctl_register(struct resetctl *r, struct bus *bus);
uint8_t resetctl_cf9_read(struct resetctl *r);
void resetctl_cf9_write(struct resetctl *r, uint8_t value);

#endif
