/*
 * acpipm.c: the ACPI PM1 registers and PM timer (see acpipm.h).
 */
#include "emu/dev/acpipm.h"

#include "emu/platform.h"

#include <string.h>

#define PM1_STS_OFF PLAT_PM1A_EVT_OFF
#define PM1_EN_OFF  (PLAT_PM1A_EVT_OFF + 2)
#define PM1_CNT_OFF PLAT_PM1A_CNT_OFF
#define PM_TMR_OFF  PLAT_PM_TMR_OFF
#define PM_TMR_MASK ((1u << PLAT_PM_TMR_BITS) - 1)

static uint64_t timer_ticks(const struct acpipm *pm, uint64_t now)
{
    return now <= pm->base_tick ? 0
                                : muldiv64(now - pm->base_tick, ACPI_PM_TIMER_HZ, pm->clock->hz);
}

static void update_sci(struct acpipm *pm)
{
    irq_set(&pm->sci, (pm->sts & pm->en & PM1_EVENTS) != 0);
}

static void catch_up(struct acpipm *pm, uint64_t now)
{
    if (now <= pm->seen_tick)
        return;
    if (timer_ticks(pm, now) >> PM_TMR_BIT != timer_ticks(pm, pm->seen_tick) >> PM_TMR_BIT)
        pm->sts |= PM1_TMR;
    pm->seen_tick = now;
    update_sci(pm);
}

/* the 16-bit registers as one little-endian byte array, for any access width */
static uint16_t *reg16(struct acpipm *pm, unsigned off)
{
    switch (off & ~1u) {
    case PM1_STS_OFF:
        return &pm->sts;
    case PM1_EN_OFF:
        return &pm->en;
    case PM1_CNT_OFF:
        return &pm->cnt;
    }
    return NULL;
}

static uint64_t acpipm_read(void *opaque, uint64_t offset, unsigned size)
{
    struct acpipm *pm = opaque;
    uint64_t v = 0;
    spin_lock(&pm->lock);
    uint64_t now = clock_now(pm->clock);
    catch_up(pm, now);
    if (offset >= PM_TMR_OFF) {
        v = (timer_ticks(pm, now) & PM_TMR_MASK) >> ((offset - PM_TMR_OFF) * 8);
    } else {
        for (unsigned i = 0; i < size && offset + i < PM_TMR_OFF; i++) {
            uint16_t *r = reg16(pm, (unsigned)(offset + i));
            if (r)
                v |= (uint64_t)((*r >> (((offset + i) & 1) * 8)) & 0xff) << (8 * i);
        }
    }
    spin_unlock(&pm->lock);
    return v;
}

static void write16(struct acpipm *pm, unsigned off, uint16_t v, uint16_t mask)
{
    switch (off) {
    case PM1_STS_OFF:
        pm->sts &= (uint16_t) ~(v & mask); /* write 1 to clear */
        break;
    case PM1_EN_OFF:
        pm->en = (uint16_t)((pm->en & ~mask) | (v & mask & PM1_EVENTS));
        break;
    case PM1_CNT_OFF: {
        uint16_t keep = PM1_BM_RLD | PM1_SLP_TYP;
        pm->cnt = (uint16_t)((pm->cnt & ~(mask & keep)) | (v & mask & keep)) | PM1_SCI_EN;
        if ((v & mask & PM1_SLP_EN) &&
            ((pm->cnt & PM1_SLP_TYP) >> PM1_SLP_TYP_SHIFT) == PLAT_SLP_TYP_S5 && pm->poweroff)
            pm->poweroff(pm->poweroff_opaque);
        break;
    }
    }
}

static void acpipm_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct acpipm *pm = opaque;
    if (offset >= PM_TMR_OFF)
        return; /* the timer is read-only */
    spin_lock(&pm->lock);
    catch_up(pm, clock_now(pm->clock));
    for (unsigned i = 0; i < size && offset + i < PM_TMR_OFF; i++) {
        unsigned off = (unsigned)(offset + i), shift = (off & 1) * 8;
        write16(pm, off & ~1u, (uint16_t)(((value >> (8 * i)) & 0xff) << shift),
                (uint16_t)(0xff << shift));
    }
    update_sci(pm);
    spin_unlock(&pm->lock);
}

static const struct io_ops acpipm_ops = {acpipm_read, acpipm_write};

int acpipm_register(struct acpipm *pm, struct bus *bus)
{
    return bus_register_pio(bus, PLAT_PORT_PM_BASE, ACPI_PM_PORTS, &acpipm_ops, pm);
}

void acpipm_power_button(struct acpipm *pm)
{
    spin_lock(&pm->lock);
    pm->sts |= PM1_PWRBTN;
    update_sci(pm);
    spin_unlock(&pm->lock);
}

void acpipm_poll(struct acpipm *pm)
{
    spin_lock(&pm->lock);
    catch_up(pm, clock_now(pm->clock));
    spin_unlock(&pm->lock);
}

uint64_t acpipm_next_deadline(struct acpipm *pm)
{
    uint64_t next = CLOCK_NEVER;
    spin_lock(&pm->lock);
    if (pm->en & PM1_TMR) {
        uint64_t t = (timer_ticks(pm, pm->seen_tick) >> PM_TMR_BIT) + 1;
        next = pm->base_tick + muldiv64_up(t << PM_TMR_BIT, pm->clock->hz, ACPI_PM_TIMER_HZ);
    }
    spin_unlock(&pm->lock);
    return next;
}

void acpipm_init(struct acpipm *pm, const struct clock *clock, struct irq_line sci,
                 void (*poweroff)(void *opaque), void *opaque)
{
    memset(pm, 0, sizeof *pm);
    pm->clock = clock;
    pm->sci = sci;
    pm->cnt = PM1_SCI_EN;
    pm->poweroff = poweroff;
    pm->poweroff_opaque = opaque;
    pm->base_tick = pm->seen_tick = clock_now(clock);
}
