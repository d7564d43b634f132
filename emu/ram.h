/*
 * emu/ram.h: guest RAM as the memory map of emu/platform.h lays it out: low
 * RAM from guest-physical 0 up to the MMIO hole, the rest from 4 GiB up
 * (docs/platform.md, "Memory map"). Each part is one block of host memory;
 * the two need not be neighbours on the host.
 *
 * guest_ram_ptr() is how a device (DMA) or the firmware reaches guest RAM:
 * a range inside one part gives a host pointer, anything else (the hole,
 * beyond the end, a range that runs off its part) gives NULL.
 */
#ifndef BAREMU_RAM_H
#define BAREMU_RAM_H

#include <stddef.h>
#include <stdint.h>

#include "emu/platform.h"

struct guest_ram {
    uint8_t *low;       /* guest-physical 0 .. low_size */
    uint64_t low_size;
    uint8_t *high;      /* guest-physical PLAT_RAM_ABOVE_4G .. + high_size; NULL if none */
    uint64_t high_size;
};

/* how size bytes of RAM split into the part below the hole and the part above 4 GiB */
static inline void guest_ram_split(uint64_t size, uint64_t *low, uint64_t *high)
{
    *low = size < PLAT_MMIO_HOLE_BASE ? size : PLAT_MMIO_HOLE_BASE;
    *high = size - *low;
}

static inline uint64_t guest_ram_total(const struct guest_ram *r)
{
    return r->low_size + r->high_size;
}

/* the host address of guest-physical [pa, pa + len), or NULL if it is not all RAM of one part */
static inline uint8_t *guest_ram_ptr(const struct guest_ram *r, uint64_t pa, uint64_t len)
{
    if (pa < r->low_size)
        return r->low_size - pa >= len ? r->low + pa : NULL;
    if (pa < PLAT_RAM_ABOVE_4G)
        return NULL;
    uint64_t off = pa - PLAT_RAM_ABOVE_4G;
    return off < r->high_size && r->high_size - off >= len ? r->high + off : NULL;
}

#endif
