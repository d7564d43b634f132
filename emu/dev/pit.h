/*
 * emu/dev/pit.h: the 8254 programmable interval timer, ports 0x40-0x43, with
 * channel 2's gate and output on port 0x61 (system control port B).
 *
 * Follows the Intel 8254 datasheet (231164); port 0x61 after the PIIX4
 * datasheet (NMI status and control register). The model is QEMU's
 * hw/timer/i8254.c and hw/audio/pcspk.c, on the machine clock: a channel's
 * state is a function of the time its count was loaded, so there is no
 * per-tick work. Channel 0 drives IRQ 0 through an irq_line; the owner of
 * the PIT calls pit_poll() when pit_next_deadline() comes.
 *
 * Locking: one spinlock; ports and polls may come from any thread.
 */
#ifndef BAREMU_PIT_H
#define BAREMU_PIT_H

#include "emu/bus.h"
#include "emu/clock.h"
#include "emu/lock.h"

#include <stdint.h>

#define PIT_HZ           1193182 /* the 14.31818 MHz crystal / 12 */
#define PIT_CHANNELS     3
#define PIT_PORT_CONTROL 3 /* offset of the control word port */

/* port 0x61 bits */
#define PORT61_GATE2   0x01 /* channel 2 gate */
#define PORT61_SPEAKER 0x02 /* speaker data enable */
#define PORT61_REFRESH 0x10 /* toggles every 15.085 us (read-only) */
#define PORT61_OUT2    0x20 /* channel 2 output (read-only) */
#define PIT_REFRESH_NS 15085

struct pit_channel {
    uint32_t count; /* 1..0x10000; 0 while none was loaded */
    uint16_t latched_count;
    uint8_t count_latched; /* read/write state of the latched count, 0: none */
    uint8_t status;
    bool status_latched;
    uint8_t read_state, write_state, write_latch;
    uint8_t rw_mode, mode, bcd;
    bool gate;
    bool out;           /* the output as last driven */
    uint64_t load_time; /* guest ticks at which count was loaded (moved on by the gate's pauses) */
    uint64_t gate_low_at; /* guest ticks at which the gate last fell */
    uint64_t next;      /* the next output transition, guest ticks, or CLOCK_NEVER */
};

struct pit {
    struct spinlock lock;
    const struct clock *clock;
    struct pit_channel ch[PIT_CHANNELS];
    struct irq_line irq0;
    bool speaker;
};

void pit_init(struct pit *p, const struct clock *clock, struct irq_line irq0);

extern const struct io_ops pit_ops, pit_port61_ops;
uint64_t pit_read(void *opaque, uint64_t offset, unsigned size);
void pit_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);
uint64_t pit_port61_read(void *opaque, uint64_t offset, unsigned size);
void pit_port61_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);
/* ports 0x40-0x43 and 0x61; 0 or -1 */
int pit_register(struct pit *p, struct bus *bus);

/* drive channel 0's output up to now; the next transition in guest ticks */
void pit_poll(struct pit *p);
uint64_t pit_next_deadline(struct pit *p);

#endif
