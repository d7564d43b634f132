/*
 * ioapic.c: the I/O APIC (see ioapic.h). Intel 82093AA datasheet.
 */
#include "emu/dev/ioapic.h"

#include <string.h>

#define IOAPIC_MAX_REDIR (PLAT_IOAPIC_PINS - 1)

static bool pin_asserted(const struct ioapic *s, unsigned pin)
{
    bool high = s->level & (1u << pin);
    return high != !!(s->redtbl[pin] & IOREDTBL_ACTIVE_LOW);
}

/*
 * Send entry pin's message. SMI, NMI, INIT and ExtINT are edge messages
 * whatever the trigger bit says; only fixed and lowest-priority level entries
 * set Remote IRR (datasheet 3.2.4).
 */
static void ioapic_send(struct ioapic *s, unsigned pin)
{
    uint64_t e = s->redtbl[pin];
    unsigned mode = IOREDTBL_MODE(e);
    bool level = (e & IOREDTBL_LEVEL) && (mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST);
    if (mode == 3 || mode == APIC_DM_SIPI)
        return; /* reserved */
    struct intr_msg m = {
        .dest = (uint32_t)(e >> IOREDTBL_DEST_SHIFT),
        .vector = (uint8_t)(e & IOREDTBL_VECTOR),
        .mode = (uint8_t)mode,
        .logical = e & IOREDTBL_LOGICAL,
        .level = level,
        .assert = true,
    };
    if (level)
        s->redtbl[pin] |= IOREDTBL_REMOTE_IRR;
    intr_deliver(s->intr, &m, NULL);
}

/* a level entry sends while its line is asserted, unmasked and Remote IRR is clear */
static void ioapic_service_level(struct ioapic *s, unsigned pin)
{
    uint64_t e = s->redtbl[pin];
    if ((e & IOREDTBL_LEVEL) && !(e & (IOREDTBL_MASKED | IOREDTBL_REMOTE_IRR)) &&
        pin_asserted(s, pin))
        ioapic_send(s, pin);
}

void ioapic_set_irq(void *opaque, unsigned pin, int level)
{
    struct ioapic *s = opaque;
    if (pin >= PLAT_IOAPIC_PINS)
        return;
    spin_lock(&s->lock);
    bool was = pin_asserted(s, pin);
    if (level)
        s->level |= 1u << pin;
    else
        s->level &= ~(1u << pin);
    uint64_t e = s->redtbl[pin];
    if (e & IOREDTBL_LEVEL)
        ioapic_service_level(s, pin);
    else if (!was && pin_asserted(s, pin) && !(e & IOREDTBL_MASKED))
        ioapic_send(s, pin); /* an edge on a masked pin is lost */
    spin_unlock(&s->lock);
}

/* clear Remote IRR of the entries with vector; a line still asserted is sent again */
static void ioapic_eoi_locked(struct ioapic *s, uint8_t vector)
{
    for (unsigned pin = 0; pin < PLAT_IOAPIC_PINS; pin++) {
        uint64_t e = s->redtbl[pin];
        if ((e & IOREDTBL_REMOTE_IRR) && (e & IOREDTBL_VECTOR) == vector) {
            s->redtbl[pin] &= ~IOREDTBL_REMOTE_IRR;
            ioapic_service_level(s, pin);
        }
    }
}

void ioapic_eoi(void *opaque, uint8_t vector)
{
    struct ioapic *s = opaque;
    spin_lock(&s->lock);
    ioapic_eoi_locked(s, vector);
    spin_unlock(&s->lock);
}

static uint32_t ioapic_reg_read(struct ioapic *s)
{
    uint32_t sel = s->regsel;
    switch (sel) {
    case IOAPIC_REG_ID:
    case IOAPIC_REG_ARB:
        return s->id;
    case IOAPIC_REG_VERSION:
        return IOAPIC_VERSION_ID | (IOAPIC_MAX_REDIR << 16);
    }
    if (sel >= IOAPIC_REG_REDTBL && sel < IOAPIC_REG_REDTBL + 2 * PLAT_IOAPIC_PINS) {
        uint64_t e = s->redtbl[(sel - IOAPIC_REG_REDTBL) / 2];
        return (uint32_t)(sel & 1 ? e >> 32 : e);
    }
    return 0;
}

static void ioapic_reg_write(struct ioapic *s, uint32_t value)
{
    uint32_t sel = s->regsel;
    if (sel == IOAPIC_REG_ID) {
        s->id = value & IOAPIC_ID_MASK;
        return;
    }
    if (sel < IOAPIC_REG_REDTBL || sel >= IOAPIC_REG_REDTBL + 2 * PLAT_IOAPIC_PINS)
        return; /* version, arbitration: read-only */
    unsigned pin = (sel - IOAPIC_REG_REDTBL) / 2;
    uint64_t e = s->redtbl[pin];
    if (sel & 1)
        e = (e & 0xffffffffull) | ((uint64_t)value << 32);
    else
        e = (e & ~0xffffffffull) | value;
    e = (e & IOREDTBL_WRITABLE) | (s->redtbl[pin] & IOREDTBL_RO);
    if (!(e & IOREDTBL_LEVEL))
        e &= ~IOREDTBL_REMOTE_IRR; /* as QEMU: an edge entry has no Remote IRR */
    s->redtbl[pin] = e;
    ioapic_service_level(s, pin); /* unmasking an asserted level line delivers it */
}

uint64_t ioapic_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    struct ioapic *s = opaque;
    uint64_t v = 0;
    spin_lock(&s->lock);
    if (offset == IOAPIC_IOREGSEL)
        v = s->regsel;
    else if (offset >= IOAPIC_IOWIN && offset < IOAPIC_IOWIN + 4)
        v = ioapic_reg_read(s) >> ((offset - IOAPIC_IOWIN) * 8);
    spin_unlock(&s->lock);
    (void)size;
    return v;
}

void ioapic_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct ioapic *s = opaque;
    spin_lock(&s->lock);
    if (offset == IOAPIC_IOREGSEL)
        s->regsel = (uint32_t)value & 0xff;
    else if (offset == IOAPIC_IOWIN && size == 4) /* XXX: partial IOWIN writes dropped, as QEMU */
        ioapic_reg_write(s, (uint32_t)value);
    else if (offset == IOAPIC_EOI && size == 4)
        ioapic_eoi_locked(s, (uint8_t)value);
    spin_unlock(&s->lock);
}

const struct io_ops ioapic_mmio_ops = {ioapic_mmio_read, ioapic_mmio_write};

void ioapic_reset(struct ioapic *s)
{
    spin_lock(&s->lock);
    s->regsel = 0;
    for (unsigned pin = 0; pin < PLAT_IOAPIC_PINS; pin++)
        s->redtbl[pin] = IOREDTBL_MASKED;
    spin_unlock(&s->lock);
}

void ioapic_init(struct ioapic *s, struct intr *intr, uint8_t id)
{
    memset(s, 0, sizeof *s);
    s->intr = intr;
    s->id = ((uint32_t)id << IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK;
    ioapic_reset(s);
    intr_add_eoi_listener(intr, ioapic_eoi, s);
}
