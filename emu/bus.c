/*
 * bus.c: MMIO and port I/O dispatch (see bus.h).
 */
#include "emu/bus.h"

#include "emu/host.h"

#include <string.h>

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static bool valid_size(unsigned size, unsigned max)
{
    return (size == 1 || size == 2 || size == 4 || size == 8) && size <= max;
}

static bool range_holds(const struct bus_range *r, uint64_t addr, unsigned size)
{
    return r->size != 0 && addr >= r->base && addr - r->base < r->size &&
           r->size - (addr - r->base) >= size;
}

static const struct bus_range *space_find(const struct bus_space *s, uint64_t addr, unsigned size)
{
    for (unsigned i = 0; i < s->count; i++) {
        if (range_holds(&s->range[i], addr, size))
            return &s->range[i];
    }
    return NULL;
}

static void space_unassigned(struct bus_space *s, const char *what, uint64_t addr, unsigned size,
                             bool write)
{
    __atomic_fetch_add(&s->unassigned, 1, __ATOMIC_RELAXED);
    if (!__atomic_exchange_n(&s->logged, true, __ATOMIC_RELAXED))
        host_log("bus: unassigned %s %s at %#llx, size %u (logged once)\n", what,
                 write ? "write" : "read", (unsigned long long)addr, size);
}

static int space_register(struct bus_space *s, const char *what, uint64_t base, uint64_t size,
                          const struct io_ops *ops, void *opaque)
{
    if (size == 0 || base + size < base || s->count == BUS_MAX_RANGES || !ops) {
        host_log("bus: bad %s range %#llx+%#llx\n", what, (unsigned long long)base,
                 (unsigned long long)size);
        return -1;
    }
    for (unsigned i = 0; i < s->count; i++) {
        const struct bus_range *r = &s->range[i];
        if (base < r->base + r->size && r->base < base + size) {
            host_log("bus: %s range %#llx+%#llx overlaps %#llx+%#llx\n", what,
                     (unsigned long long)base, (unsigned long long)size,
                     (unsigned long long)r->base, (unsigned long long)r->size);
            return -1;
        }
    }
    s->range[s->count++] = (struct bus_range){base, size, ops, opaque};
    return 0;
}

void bus_init(struct bus *bus)
{
    memset(bus, 0, sizeof *bus);
}

int bus_register_mmio(struct bus *bus, uint64_t base, uint64_t size, const struct io_ops *ops,
                      void *opaque)
{
    return space_register(&bus->mmio, "mmio", base, size, ops, opaque);
}

int bus_register_pio(struct bus *bus, uint16_t port, uint16_t count, const struct io_ops *ops,
                     void *opaque)
{
    if ((uint32_t)port + count > 0x10000u)
        count = 0; /* rejected below */
    return space_register(&bus->pio, "pio", port, count, ops, opaque);
}

void bus_map_local(struct bus_local *local, uint64_t base, uint64_t size, const struct io_ops *ops,
                   void *opaque)
{
    local->range = (struct bus_range){base, size, ops, opaque};
}

static const struct bus_range *mmio_find(const struct bus *bus, const struct bus_local *local,
                                         uint64_t addr, unsigned size)
{
    if (local && range_holds(&local->range, addr, size))
        return &local->range;
    return space_find(&bus->mmio, addr, size);
}

uint64_t bus_mmio_read(struct bus *bus, const struct bus_local *local, uint64_t addr, unsigned size)
{
    const struct bus_range *r = valid_size(size, 8) ? mmio_find(bus, local, addr, size) : NULL;
    if (!r || !r->ops->read) {
        space_unassigned(&bus->mmio, "mmio", addr, size, false);
        return size_mask(valid_size(size, 8) ? size : 8);
    }
    return r->ops->read(r->opaque, addr - r->base, size) & size_mask(size);
}

void bus_mmio_write(struct bus *bus, const struct bus_local *local, uint64_t addr, uint64_t value,
                    unsigned size)
{
    const struct bus_range *r = valid_size(size, 8) ? mmio_find(bus, local, addr, size) : NULL;
    if (!r || !r->ops->write) {
        space_unassigned(&bus->mmio, "mmio", addr, size, true);
        return;
    }
    r->ops->write(r->opaque, addr - r->base, value & size_mask(size), size);
}

uint32_t bus_pio_read(struct bus *bus, uint16_t port, unsigned size)
{
    const struct bus_range *r = valid_size(size, 4) ? space_find(&bus->pio, port, size) : NULL;
    if (!r || !r->ops->read) {
        space_unassigned(&bus->pio, "pio", port, size, false);
        return (uint32_t)size_mask(valid_size(size, 4) ? size : 4);
    }
    return (uint32_t)(r->ops->read(r->opaque, port - r->base, size) & size_mask(size));
}

void bus_pio_write(struct bus *bus, uint16_t port, uint32_t value, unsigned size)
{
    const struct bus_range *r = valid_size(size, 4) ? space_find(&bus->pio, port, size) : NULL;
    if (!r || !r->ops->write) {
        space_unassigned(&bus->pio, "pio", port, size, true);
        return;
    }
    r->ops->write(r->opaque, port - r->base, value & size_mask(size), size);
}

static bool handles(const struct bus_range *r, bool write)
{
    return r && (write ? r->ops->write != NULL : r->ops->read != NULL);
}

bool bus_mmio_claimed(const struct bus *bus, const struct bus_local *local, uint64_t addr,
                      unsigned size, bool write)
{
    return handles(valid_size(size, 8) ? mmio_find(bus, local, addr, size) : NULL, write);
}

bool bus_pio_claimed(const struct bus *bus, uint16_t port, unsigned size, bool write)
{
    return handles(valid_size(size, 4) ? space_find(&bus->pio, port, size) : NULL, write);
}

uint64_t bus_unassigned_count(const struct bus *bus)
{
    return __atomic_load_n(&bus->mmio.unassigned, __ATOMIC_RELAXED) +
           __atomic_load_n(&bus->pio.unassigned, __ATOMIC_RELAXED);
}
