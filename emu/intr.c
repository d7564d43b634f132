/*
 * intr.c: interrupt routing (see intr.h). Intel SDM Vol 3A 11.6.2, 11.11.
 */
#include "emu/intr.h"

#include "emu/dev/lapic.h"

#include <string.h>

void intr_init(struct intr *f, struct lapic *const *cpus, unsigned ncpu)
{
    memset(f, 0, sizeof *f);
    f->cpu = cpus;
    f->ncpu = ncpu;
}

int intr_add_eoi_listener(struct intr *f, void (*eoi)(void *opaque, uint8_t vector), void *opaque)
{
    if (f->neoi == INTR_MAX_EOI_LISTENERS)
        return -1;
    f->eoi[f->neoi++] = (struct intr_eoi_listener){eoi, opaque};
    return 0;
}

void intr_eoi_broadcast(struct intr *f, uint8_t vector)
{
    for (unsigned i = 0; i < f->neoi; i++)
        f->eoi[i].eoi(f->eoi[i].opaque, vector);
}

/* logical destination match (11.6.2.2; 11.12.10.2 for x2APIC) */
static bool logical_match(const struct intr_msg *m, const struct lapic *t)
{
    uint32_t ldr = lapic_route_ldr(t);
    if (lapic_route_x2apic(t)) {
        if (m->dest == (m->x2apic ? APIC_BROADCAST_X2APIC : APIC_BROADCAST_XAPIC))
            return true;
        return X2APIC_LDR_CLUSTER(m->dest) == X2APIC_LDR_CLUSTER(ldr) &&
               X2APIC_LDR_BITS(m->dest & ldr) != 0;
    }
    uint32_t dest = m->dest & 0xff, id = ldr >> 24;
    if (dest == APIC_BROADCAST_XAPIC)
        return true;
    if (DFR_MODEL(lapic_route_dfr(t)) == DFR_FLAT)
        return (dest & id) != 0;
    return (dest >> 4) == (id >> 4) && (dest & id & 0xf) != 0; /* cluster */
}

static bool dest_match(const struct intr_msg *m, const struct lapic *t, const struct lapic *src)
{
    if (!lapic_route_enabled(t))
        return false;
    switch (m->shorthand) {
    case APIC_SH_SELF:
        return t == src;
    case APIC_SH_ALL:
        return true;
    case APIC_SH_OTHERS:
        return t != src;
    }
    if (m->logical)
        return logical_match(m, t);
    if (m->dest == (m->x2apic ? APIC_BROADCAST_X2APIC : APIC_BROADCAST_XAPIC))
        return true;
    return m->dest == lapic_route_id(t);
}

unsigned intr_deliver(struct intr *f, const struct intr_msg *m, const struct lapic *src)
{
    if (m->shorthand != APIC_SH_NONE && !src)
        return 0;
    if (m->mode == APIC_DM_INIT && !m->assert)
        return 0; /* INIT level de-assert: no effect since the Pentium 4 (11.6.1) */

    if (m->mode == APIC_DM_LOWEST) {
        struct lapic *best = NULL;
        uint32_t best_apr = 0;
        for (unsigned i = 0; i < f->ncpu; i++) {
            struct lapic *t = f->cpu[i];
            if (!dest_match(m, t, src) || !lapic_route_sw_enabled(t))
                continue;
            uint32_t apr = lapic_apr(t) & 0xf0;
            if (!best || apr < best_apr) {
                best = t;
                best_apr = apr;
            }
        }
        if (!best)
            return 0;
        lapic_deliver(best, APIC_DM_FIXED, m->vector, m->level);
        return 1;
    }

    unsigned n = 0;
    for (unsigned i = 0; i < f->ncpu; i++) {
        struct lapic *t = f->cpu[i];
        if (dest_match(m, t, src)) {
            lapic_deliver(t, m->mode, m->vector, m->level);
            n++;
        }
    }
    return n;
}

bool msi_deliver(struct intr *f, uint64_t addr, uint32_t data)
{
    if ((addr & MSI_ADDR_MASK) != MSI_ADDR_BASE)
        return false;
    unsigned mode = MSI_DATA_MODE(data);
    if (mode == 3 || mode == APIC_DM_SIPI)
        return false; /* reserved (11.11.2) */
    struct intr_msg m = {
        .dest = MSI_ADDR_DEST(addr),
        .vector = MSI_DATA_VECTOR(data),
        .mode = (uint8_t)mode,
        .logical = addr & MSI_ADDR_LOGICAL,
        .level = data & MSI_DATA_LEVEL,
        .assert =
            true, /* 11.11.2: the level bit only matters for level triggers; treat as asserted */
    };
    intr_deliver(f, &m, NULL);
    return true;
}
