/*
 * emu/dev/ioapic.h: the I/O APIC, after the Intel 82093AA datasheet
 * (290566-001) with the version 0x20 additions of later chipsets (the EOI
 * register, as in the ICH/PCH datasheets and QEMU's ioapic version 0x20).
 *
 * Inputs are irq_line handlers (ioapic_set_irq, line = pin). Messages go out
 * through emu/intr.c; EOI broadcasts come back through intr's listener, or
 * through the EOI register when the LAPICs suppress broadcasts.
 *
 * Locking: a spinlock guards the whole device; pins may be driven from any
 * thread and EOIs come from every vCPU. Delivery happens under the lock
 * (intr_deliver() takes none), so Remote IRR and delivery stay in order.
 */
#ifndef BAREMU_IOAPIC_H
#define BAREMU_IOAPIC_H

#include "emu/bus.h"
#include "emu/intr.h"
#include "emu/lock.h"
#include "emu/platform.h"

#include <stdint.h>

/* MMIO (datasheet 3.0) */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN    0x10
#define IOAPIC_EOI      0x40 /* version 0x20: write a vector to clear its Remote IRR */

/* indirect registers (datasheet 3.2) */
#define IOAPIC_REG_ID      0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_ARB     0x02
#define IOAPIC_REG_REDTBL  0x10 /* 0x10 + 2n: low half of entry n; + 1: high half */

#define IOAPIC_VERSION_ID PLAT_IOAPIC_VERSION
#define IOAPIC_ID_SHIFT   24
#define IOAPIC_ID_MASK    (0xfu << IOAPIC_ID_SHIFT)

/* redirection table entry (datasheet 3.2.4) */
#define IOREDTBL_VECTOR     0xffull
#define IOREDTBL_MODE(e)    (((e) >> 8) & 7)
#define IOREDTBL_LOGICAL    (1ull << 11)
#define IOREDTBL_PENDING    (1ull << 12) /* delivery status (RO) */
#define IOREDTBL_ACTIVE_LOW (1ull << 13)
#define IOREDTBL_REMOTE_IRR (1ull << 14) /* RO */
#define IOREDTBL_LEVEL      (1ull << 15)
#define IOREDTBL_MASKED     (1ull << 16)
#define IOREDTBL_DEST_SHIFT 56
#define IOREDTBL_RO         (IOREDTBL_PENDING | IOREDTBL_REMOTE_IRR)
#define IOREDTBL_WRITABLE   (0xff000000000000ffull | 0x1af00ull)

struct ioapic {
    struct spinlock lock;
    struct intr *intr;
    uint32_t regsel;
    uint32_t id; /* bits 27:24 */
    uint64_t redtbl[PLAT_IOAPIC_PINS];
    uint32_t level; /* input pin levels, one bit per pin, before polarity */
};

void ioapic_init(struct ioapic *s, struct intr *intr, uint8_t id);
/* power-up: every entry masked, ID kept */
void ioapic_reset(struct ioapic *s);

extern const struct io_ops ioapic_mmio_ops;
uint64_t ioapic_mmio_read(void *opaque, uint64_t offset, unsigned size);
void ioapic_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);

/* an input pin changed level (irq_line handler; opaque is the ioapic) */
void ioapic_set_irq(void *opaque, unsigned pin, int level);
/* an EOI for vector: clear Remote IRR of the level entries with it, re-deliver (intr listener) */
void ioapic_eoi(void *opaque, uint8_t vector);

#endif
