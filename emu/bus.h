/*
 * emu/bus.h: how devices plug into the guest's address spaces, TinyEMU style.
 *
 * A device is a struct io_ops and an opaque pointer. It plugs in with one
 * call per range (bus_register_mmio, bus_register_pio) and never knows who
 * calls it. Interrupt outputs are struct irq_line values handed to the device
 * at init, so a device never knows the interrupt controller either.
 *
 * Per-vCPU MMIO (each vCPU's local APIC page at its own APIC_BASE) lives in a
 * struct bus_local that the vCPU owns and passes to every MMIO access; it is
 * looked up before the shared map. Only the owning vCPU touches its
 * bus_local, so it needs no lock.
 *
 * Locking: ranges are registered while the machine is built, before any vCPU
 * runs; dispatch only reads the map. An access nobody claims reads all-ones,
 * drops writes, is counted, and is logged the first time only.
 */
#ifndef BAREMU_BUS_H
#define BAREMU_BUS_H

#include <stdbool.h>
#include <stdint.h>

/* a device's register interface; offset is from the start of its range */
struct io_ops {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
};

/* one interrupt output of a device: level 1 asserts, 0 de-asserts */
struct irq_line {
    void (*set_irq)(void *opaque, unsigned line, int level);
    void *opaque;
    unsigned line;
};

static inline void irq_set(const struct irq_line *irq, int level)
{
    if (irq->set_irq)
        irq->set_irq(irq->opaque, irq->line, level);
}

#define BUS_MAX_RANGES 32 /* per address space; the PC has about 20 devices */

struct bus_range {
    uint64_t base, size;
    const struct io_ops *ops;
    void *opaque;
};

struct bus_space {
    struct bus_range range[BUS_MAX_RANGES];
    unsigned count;
    uint64_t unassigned; /* accesses nobody claimed (atomic) */
    bool logged;         /* the first one has been logged (atomic) */
};

struct bus {
    struct bus_space mmio, pio;
};

/* one vCPU's private MMIO window (its LAPIC page); size 0: none */
struct bus_local {
    struct bus_range range;
};

void bus_init(struct bus *bus);
/* 0, or -1 (logged) if the range is empty, wraps, overlaps or the map is full */
int bus_register_mmio(struct bus *bus, uint64_t base, uint64_t size, const struct io_ops *ops,
                      void *opaque);
int bus_register_pio(struct bus *bus, uint16_t port, uint16_t count, const struct io_ops *ops,
                     void *opaque);

/* map (or with size 0, unmap) a vCPU's private window; only that vCPU calls this */
void bus_map_local(struct bus_local *local, uint64_t base, uint64_t size, const struct io_ops *ops,
                   void *opaque);

/*
 * Accesses of 1, 2, 4 or 8 bytes (pio: 1, 2, 4). An access must fall wholly
 * inside one range to reach it. local may be NULL.
 */
uint64_t bus_mmio_read(struct bus *bus, const struct bus_local *local, uint64_t addr,
                       unsigned size);
void bus_mmio_write(struct bus *bus, const struct bus_local *local, uint64_t addr, uint64_t value,
                    unsigned size);
uint32_t bus_pio_read(struct bus *bus, uint16_t port, unsigned size);
void bus_pio_write(struct bus *bus, uint16_t port, uint32_t value, unsigned size);

/* would this access reach a device (one that handles its direction)? Changes nothing */
bool bus_mmio_claimed(const struct bus *bus, const struct bus_local *local, uint64_t addr,
                      unsigned size, bool write);
bool bus_pio_claimed(const struct bus *bus, uint16_t port, unsigned size, bool write);

/* accesses nobody claimed so far */
uint64_t bus_unassigned_count(const struct bus *bus);

#endif
