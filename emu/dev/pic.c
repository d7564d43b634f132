/*
 * pic.c: the 8259A pair with the ELCR (see pic.h).
 */
#include "emu/dev/pic.h"

#include "emu/platform.h"

#include <string.h>

#define NO_IRQ 8 /* get_priority's "none" */

/* the priority (0 highest) of the best IRQ in mask, counting from priority_add */
static unsigned get_priority(const struct pic_chip *s, uint8_t mask)
{
    if (!mask)
        return NO_IRQ;
    unsigned p = 0;
    while (!(mask & (1u << ((p + s->priority_add) & 7))))
        p++;
    return p;
}

/* the IRQ this chip would raise now, or -1 */
static int chip_get_irq(const struct pic_chip *s)
{
    unsigned p = get_priority(s, s->irr & ~s->imr);
    if (p == NO_IRQ)
        return -1;
    uint8_t in_service = s->isr;
    if (s->special_mask)
        in_service &= ~s->imr;
    if (s->sfnm && s->master)
        in_service &= ~(1u << PIC_CASCADE_IRQ); /* the slave may nest on itself */
    if (p < get_priority(s, in_service))
        return (int)((p + s->priority_add) & 7);
    return -1;
}

static void chip_set_irq(struct pic_chip *s, unsigned irq, int level)
{
    uint8_t mask = (uint8_t)(1u << irq);
    if (s->elcr & mask) {
        if (level) {
            s->irr |= mask;
            s->last_irr |= mask;
        } else {
            s->irr &= ~mask;
            s->last_irr &= ~mask;
        }
        return;
    }
    if (level) {
        if (!(s->last_irr & mask))
            s->irr |= mask;
        s->last_irr |= mask;
    } else {
        s->last_irr &= ~mask;
    }
}

/* recompute the cascade and the INT output */
static void pic_update(struct pic *p)
{
    chip_set_irq(&p->chip[0], PIC_CASCADE_IRQ, chip_get_irq(&p->chip[1]) >= 0);
    irq_set(&p->intr, chip_get_irq(&p->chip[0]) >= 0);
}

static void chip_intack(struct pic_chip *s, unsigned irq)
{
    if (s->auto_eoi) {
        if (s->rotate_on_auto_eoi)
            s->priority_add = (irq + 1) & 7;
    } else {
        s->isr |= (uint8_t)(1u << irq);
    }
    if (!(s->elcr & (1u << irq)))
        s->irr &= (uint8_t) ~(1u << irq); /* a level request stays until the line drops */
}

void pic_set_irq(void *opaque, unsigned irq, int level)
{
    struct pic *p = opaque;
    if (irq >= 16)
        return;
    spin_lock(&p->lock);
    chip_set_irq(&p->chip[irq >> 3], irq & 7, level);
    pic_update(p);
    spin_unlock(&p->lock);
}

uint8_t pic_read_irq(struct pic *p)
{
    struct pic_chip *m = &p->chip[0], *sl = &p->chip[1];
    uint8_t vector;
    spin_lock(&p->lock);
    int irq = chip_get_irq(m);
    if (irq < 0) {
        vector = m->irq_base + PIC_SPURIOUS_IRQ; /* no ISR bit for a spurious IRQ */
    } else if (irq == PIC_CASCADE_IRQ) {
        int irq2 = chip_get_irq(sl);
        if (irq2 >= 0)
            chip_intack(sl, (unsigned)irq2);
        else
            irq2 = PIC_SPURIOUS_IRQ;
        vector = (uint8_t)(sl->irq_base + irq2);
        chip_intack(m, (unsigned)irq);
    } else {
        vector = (uint8_t)(m->irq_base + irq);
        chip_intack(m, (unsigned)irq);
    }
    pic_update(p);
    spin_unlock(&p->lock);
    return vector;
}

static void chip_init_reset(struct pic_chip *s)
{
    /* ICW1 clears everything but the ELCR; level requests stay */
    s->last_irr = 0;
    s->irr &= s->elcr;
    s->imr = s->isr = 0;
    s->priority_add = 0;
    s->irq_base = 0;
    s->init_state = 0;
    s->init4 = s->single = s->auto_eoi = s->rotate_on_auto_eoi = s->sfnm = false;
    s->read_isr = s->poll = s->special_mask = false;
}

static void chip_ocw2(struct pic_chip *s, uint8_t val)
{
    unsigned irq, prio;
    switch (val >> 5) {
    case 0: /* rotate in automatic EOI mode: clear */
    case 4: /* set */
        s->rotate_on_auto_eoi = val >> 7;
        break;
    case 1: /* non-specific EOI */
    case 5: /* rotate on non-specific EOI */
        prio = get_priority(s, s->isr);
        if (prio != NO_IRQ) {
            irq = (prio + s->priority_add) & 7;
            s->isr &= (uint8_t) ~(1u << irq);
            if (val >> 5 == 5)
                s->priority_add = (irq + 1) & 7;
        }
        break;
    case 3: /* specific EOI */
        s->isr &= (uint8_t) ~(1u << (val & 7));
        break;
    case 6: /* set priority */
        s->priority_add = (val + 1) & 7;
        break;
    case 7: /* rotate on specific EOI */
        irq = val & 7;
        s->isr &= (uint8_t) ~(1u << irq);
        s->priority_add = (irq + 1) & 7;
        break;
    default: /* 2: no operation */
        break;
    }
}

static void chip_write(struct pic_chip *s, unsigned port, uint8_t val)
{
    if (port == 0) {
        if (val & PIC_ICW1) {
            chip_init_reset(s);
            s->init_state = 1;
            s->init4 = val & PIC_ICW1_IC4;
            s->single = val & PIC_ICW1_SNGL;
            /* XXX: LTIM is ignored, as QEMU: the ELCR sets the trigger mode */
        } else if (val & PIC_OCW3) {
            if (val & PIC_OCW3_POLL)
                s->poll = true;
            if (val & PIC_OCW3_RR)
                s->read_isr = val & PIC_OCW3_RIS;
            if (val & PIC_OCW3_ESMM)
                s->special_mask = val & PIC_OCW3_SMM;
        } else {
            chip_ocw2(s, val);
        }
        return;
    }
    switch (s->init_state) {
    case 0: /* OCW1 */
        s->imr = val;
        break;
    case 1: /* ICW2 */
        s->irq_base = val & 0xf8;
        s->init_state = s->single ? (s->init4 ? 3 : 0) : 2;
        break;
    case 2: /* ICW3: the cascade wiring is fixed */
        s->init_state = s->init4 ? 3 : 0;
        break;
    case 3: /* ICW4 */
        s->sfnm = val & PIC_ICW4_SFNM;
        s->auto_eoi = val & PIC_ICW4_AEOI;
        s->init_state = 0;
        break;
    }
}

static uint8_t chip_read(struct pic_chip *s, unsigned port)
{
    if (s->poll) {
        /* poll command: the next read is an INTA, as a byte 1000 0iii or 0 */
        s->poll = false;
        int irq = chip_get_irq(s);
        if (irq < 0)
            return 0;
        chip_intack(s, (unsigned)irq);
        return (uint8_t)(0x80 | irq);
    }
    if (port == 0)
        return s->read_isr ? s->isr : s->irr;
    return s->imr;
}

uint64_t pic_chip_read(void *opaque, uint64_t offset, unsigned size)
{
    struct pic_chip *s = opaque;
    (void)size;
    spin_lock(&s->pair->lock);
    uint8_t v = chip_read(s, offset & 1);
    pic_update(s->pair);
    spin_unlock(&s->pair->lock);
    return v;
}

void pic_chip_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct pic_chip *s = opaque;
    (void)size;
    spin_lock(&s->pair->lock);
    chip_write(s, offset & 1, (uint8_t)value);
    pic_update(s->pair);
    spin_unlock(&s->pair->lock);
}

uint64_t pic_elcr_read(void *opaque, uint64_t offset, unsigned size)
{
    struct pic *p = opaque;
    uint64_t v = 0;
    spin_lock(&p->lock);
    for (unsigned i = 0; i < size && offset + i < 2; i++)
        v |= (uint64_t)p->chip[offset + i].elcr << (8 * i);
    spin_unlock(&p->lock);
    return v;
}

void pic_elcr_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct pic *p = opaque;
    spin_lock(&p->lock);
    for (unsigned i = 0; i < size && offset + i < 2; i++) {
        struct pic_chip *s = &p->chip[offset + i];
        s->elcr = (uint8_t)(value >> (8 * i)) & s->elcr_mask;
    }
    pic_update(p);
    spin_unlock(&p->lock);
}

const struct io_ops pic_chip_ops = {pic_chip_read, pic_chip_write};
const struct io_ops pic_elcr_ops = {pic_elcr_read, pic_elcr_write};

int pic_register(struct pic *p, struct bus *bus)
{
    if (bus_register_pio(bus, PLAT_PORT_PIC_MASTER, 2, &pic_chip_ops, &p->chip[0]) ||
        bus_register_pio(bus, PLAT_PORT_PIC_SLAVE, 2, &pic_chip_ops, &p->chip[1]) ||
        bus_register_pio(bus, PLAT_PORT_ELCR, 2, &pic_elcr_ops, p))
        return -1;
    return 0;
}

void pic_init(struct pic *p, struct irq_line intr)
{
    memset(p, 0, sizeof *p);
    p->intr = intr;
    for (unsigned i = 0; i < 2; i++) {
        struct pic_chip *s = &p->chip[i];
        s->pair = p;
        s->master = i == 0;
        s->elcr_mask = i == 0 ? PIC_ELCR_MASTER_MASK : PIC_ELCR_SLAVE_MASK;
        chip_init_reset(s);
    }
}
