/*
 * emu/dev/i8042.h: the 8042 keyboard controller, as far as a PC without a
 * keyboard needs it: status and command at 0x64, data at 0x60, the
 * controller's self and interface tests, its command byte, and its output
 * port, which carries the CPU reset line (bit 0, active low) and the A20 gate
 * (bit 1). Command 0xfe (and any 0xf0-0xff with bit 0 clear) pulses reset.
 *
 * After the IBM PC/AT Technical Reference, "Keyboard controller", and QEMU's
 * hw/input/pckbd.c. No keyboard or mouse is attached: bytes written to them
 * get no answer (XXX), which Linux takes as "no keyboard".
 *
 * Locking: one spinlock; the reset and A20 lines are called after it is
 * dropped.
 */
#ifndef BAREMU_I8042_H
#define BAREMU_I8042_H

#include "emu/bus.h"
#include "emu/dev/resetctl.h"
#include "emu/lock.h"

#include <stdint.h>

/* status register (port 0x64, read) */
#define KBD_STAT_OBF      0x01
#define KBD_STAT_IBF      0x02
#define KBD_STAT_SYS      0x04
#define KBD_STAT_CMD      0x08 /* the last write was to 0x64 */
#define KBD_STAT_UNLOCKED 0x10

/* commands (port 0x64, write) */
#define KBD_CCMD_READ_MODE     0x20
#define KBD_CCMD_WRITE_MODE    0x60
#define KBD_CCMD_AUX_DISABLE   0xa7
#define KBD_CCMD_AUX_ENABLE    0xa8
#define KBD_CCMD_SELF_TEST     0xaa
#define KBD_CCMD_KBD_TEST      0xab
#define KBD_CCMD_KBD_DISABLE   0xad
#define KBD_CCMD_KBD_ENABLE    0xae
#define KBD_CCMD_READ_OUTPORT  0xd0
#define KBD_CCMD_WRITE_OUTPORT 0xd1
#define KBD_CCMD_DISABLE_A20   0xdd
#define KBD_CCMD_ENABLE_A20    0xdf
#define KBD_CCMD_PULSE_FIRST   0xf0
#define KBD_CCMD_RESET         0xfe

#define KBD_OUT_RESET 0x01 /* 0 holds the CPU in reset */
#define KBD_OUT_A20   0x02

#define KBD_SELF_TEST_OK 0x55
#define KBD_MODE_SYS     0x04 /* command byte bit 2: system flag */

struct i8042 {
    struct spinlock lock;
    struct reset_lines lines;
    uint8_t status, mode, outport;
    uint8_t out;     /* the output buffer, valid with KBD_STAT_OBF */
    uint8_t pending; /* a command waiting for its data byte, or 0 */
};

void i8042_init(struct i8042 *k, struct reset_lines lines);
int i8042_register(struct i8042 *k, struct bus *bus);

#endif
