/*
 * emu/dev/pic.h: the 8259A programmable interrupt controller pair, master at
 * ports 0x20-0x21 and slave at 0xa0-0xa1 cascaded on IRQ 2, with the edge/level
 * control registers (ELCR) at 0x4d0-0x4d1.
 *
 * Follows the Intel 8259A datasheet (231468) and, for the ELCR, the Intel
 * 82371AB (PIIX4) datasheet 4.1.10; the model is QEMU's hw/intc/i8259.c.
 * Inputs are irq_line handlers (pic_set_irq, line = ISA IRQ 0-15). The output
 * (the master's INT) is an irq_line, wired to the BSP's LINT0; it is driven
 * after every change, so a LAPIC sees the level again after each INTA.
 *
 * Locking: one spinlock for the pair; port accesses, pin changes and INTA
 * may come from any thread.
 */
#ifndef BAREMU_PIC_H
#define BAREMU_PIC_H

#include "emu/bus.h"
#include "emu/lock.h"

#include <stdint.h>

#define PIC_CASCADE_IRQ      2
#define PIC_SPURIOUS_IRQ     7
#define PIC_ELCR_MASTER_MASK 0xf8 /* IRQ 0, 1, 2 are always edge */
#define PIC_ELCR_SLAVE_MASK  0xde /* IRQ 8 and 13 are always edge */

/* ICW1 and the OCWs (datasheet, "Programming the 8259A") */
#define PIC_ICW1      0x10
#define PIC_ICW1_IC4  0x01 /* ICW4 follows */
#define PIC_ICW1_SNGL 0x02 /* single, no ICW3 */
#define PIC_ICW1_LTIM 0x08 /* level-triggered (the ELCR rules on PC chipsets) */
#define PIC_OCW3      0x08
#define PIC_OCW3_RIS  0x01 /* read ISR, not IRR */
#define PIC_OCW3_RR   0x02 /* the RIS bit is valid */
#define PIC_OCW3_POLL 0x04
#define PIC_OCW3_SMM  0x20 /* special mask mode on */
#define PIC_OCW3_ESMM 0x40 /* the SMM bit is valid */
#define PIC_ICW4_AEOI 0x02
#define PIC_ICW4_SFNM 0x10
#define PIC_OCW2_EOI  0x20 /* OCW2 command field, bits 7:5, is (EOI, SL, R) */
#define PIC_OCW2_SL   0x40
#define PIC_OCW2_R    0x80

struct pic;

struct pic_chip {
    struct pic *pair;
    uint8_t irr, imr, isr;
    uint8_t last_irr; /* input levels, for edge detection */
    uint8_t elcr, elcr_mask;
    uint8_t priority_add; /* the IRQ with the highest priority */
    uint8_t irq_base;     /* ICW2 */
    uint8_t init_state;   /* 0 ready; 1, 2, 3: ICW2, ICW3, ICW4 expected */
    bool init4, single, auto_eoi, rotate_on_auto_eoi, sfnm;
    bool read_isr, poll, special_mask;
    bool master;
};

struct pic {
    struct spinlock lock;
    struct pic_chip chip[2]; /* master, slave */
    struct irq_line intr;    /* the master's INT output */
};

void pic_init(struct pic *p, struct irq_line intr);
/* ports 0x20/0xa0 + 0..1 (opaque: &p->chip[0] or [1]) and the ELCR (opaque: p) */
extern const struct io_ops pic_chip_ops, pic_elcr_ops;
uint64_t pic_chip_read(void *opaque, uint64_t offset, unsigned size);
void pic_chip_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);
uint64_t pic_elcr_read(void *opaque, uint64_t offset, unsigned size);
void pic_elcr_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);
/* register the three port ranges at their PC addresses; 0 or -1 */
int pic_register(struct pic *p, struct bus *bus);

/* ISA IRQ line (0-15) changed level (irq_line handler; opaque is the pic) */
void pic_set_irq(void *opaque, unsigned irq, int level);
/* the INTA cycle: the vector of the highest request, IRQ 7's (spurious) when none */
uint8_t pic_read_irq(struct pic *p);

#endif
