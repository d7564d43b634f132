/*
 * hpet.c: the HPET (see hpet.h).
 */
#include "emu/dev/hpet.h"

#include <string.h>

#define HPET_REG_MASK 0x3ff
#define ISA_IRQ_RTC   8

static bool enabled(const struct hpet *h)
{
    return h->config & CONF_ENABLE;
}

static uint64_t counter_at(const struct hpet *h, uint64_t now)
{
    if (!enabled(h) || now <= h->base_tick)
        return h->counter;
    return h->counter + muldiv64(now - h->base_tick, HPET_HZ, h->clock->hz);
}

/*
 * Counter ticks from now until the counter equals the comparator (2.3.9.2.1:
 * the match is an equality), or CLOCK_NEVER. In 32-bit mode the low half
 * comes round every 2^32 ticks; a 64-bit comparator behind the counter never
 * matches again. QEMU instead fires a comparator in the past at once.
 */
static uint64_t ticks_to_match(const struct hpet_timer *t, uint64_t counter)
{
    if (t->config & TN_32BIT)
        return (uint32_t)((uint32_t)t->cmp - (uint32_t)counter);
    return t->cmp >= counter ? t->cmp - counter : CLOCK_NEVER;
}

static void arm(struct hpet *h, struct hpet_timer *t, uint64_t now)
{
    t->next = CLOCK_NEVER;
    if (!enabled(h))
        return;
    uint64_t counter = counter_at(h, now), d = ticks_to_match(t, counter);
    if (d == CLOCK_NEVER)
        return;
    uint64_t delta = muldiv64_up(counter + d - h->counter, h->clock->hz, HPET_HZ);
    if (delta >= CLOCK_NEVER - h->base_tick)
        return; /* beyond the end of time */
    t->next = h->base_tick + delta;
    if (t->next < now)
        t->next = now;
}

/* where timer n's interrupt goes (2.3.8): legacy replacement, or its route */
static void drive(struct hpet *h, unsigned n, int level)
{
    struct hpet_timer *t = &h->t[n];
    if ((h->config & CONF_LEGACY) && n < 2) {
        irq_set(&(struct irq_line){h->isa.set_irq, h->isa.opaque, n == 0 ? 0 : ISA_IRQ_RTC}, level);
        return;
    }
    unsigned route = (unsigned)((t->config & TN_ROUTE_MASK) >> TN_ROUTE_SHIFT);
    if (!(HPET_INTCAP & (1u << route)))
        return; /* XXX: an unsupported route delivers nothing */
    irq_set(&(struct irq_line){h->gsi.set_irq, h->gsi.opaque, route}, level);
}

static void fire(struct hpet *h, unsigned n)
{
    struct hpet_timer *t = &h->t[n];
    if (!(t->config & TN_INT_ENB))
        return;
    if ((t->config & TN_FSB_EN) && h->intr) {
        msi_deliver(h->intr, t->fsb >> 32, (uint32_t)t->fsb); /* 2.3.8 FSB delivery */
        return;
    }
    if (t->config & TN_LEVEL) {
        h->isr |= 1ull << n;
        drive(h, n, 1);
    } else {
        drive(h, n, 1);
        drive(h, n, 0);
    }
}

/* fire every timer whose match is due; periodic ones move on by their period */
static void catch_up(struct hpet *h, uint64_t now)
{
    for (unsigned n = 0; n < PLAT_HPET_TIMERS; n++) {
        struct hpet_timer *t = &h->t[n];
        if (t->next == CLOCK_NEVER || t->next > now)
            continue;
        fire(h, n);
        uint64_t counter = counter_at(h, now);
        if ((t->config & TN_PERIODIC) && t->period) {
            uint64_t mask = t->config & TN_32BIT ? 0xffffffffull : ~0ull;
            /* skip the periods already gone, as QEMU */
            uint64_t behind = (counter - t->cmp) & mask;
            if (!(t->config & TN_32BIT) ? (int64_t)behind >= 0 : (int32_t)behind >= 0)
                t->cmp = (t->cmp + (behind / t->period + 1) * t->period) & mask;
            arm(h, t, now);
        } else {
            t->next = CLOCK_NEVER; /* one-shot: fires once per comparator write */
        }
    }
}

static uint64_t reg_read(struct hpet *h, unsigned reg, uint64_t now)
{
    switch (reg) {
    case HPET_GCAP_ID:
        return HPET_PERIOD_FS << GCAP_PERIOD_SHIFT |
               (uint64_t)PLAT_HPET_VENDOR_ID << GCAP_VENDOR_SHIFT | GCAP_LEG_RT_CAP |
               GCAP_COUNT_SIZE_64 | (uint64_t)(PLAT_HPET_TIMERS - 1) << GCAP_NUM_TIM_SHIFT |
               PLAT_HPET_REV_ID;
    case HPET_GEN_CONF:
        return h->config;
    case HPET_GINTR_STA:
        return h->isr;
    case HPET_MAIN_CNT:
        return counter_at(h, now);
    }
    if (reg < HPET_TIMER(0) || reg >= HPET_TIMER(PLAT_HPET_TIMERS))
        return 0;
    struct hpet_timer *t = &h->t[(reg - HPET_TIMER(0)) / 0x20];
    switch ((reg - HPET_TIMER(0)) % 0x20) {
    case HPET_TN_CONF:
        return t->config;
    case HPET_TN_CMP:
        return t->cmp;
    case HPET_TN_FSB:
        return t->fsb;
    }
    return 0;
}

static void set_config(struct hpet *h, uint64_t v, uint64_t now)
{
    uint64_t old = h->config;
    if ((v ^ old) & CONF_ENABLE) {
        h->counter = counter_at(h, now); /* halt or restart from where it stands */
        h->base_tick = now;
    }
    h->config = v & (CONF_ENABLE | CONF_LEGACY);
    if ((v ^ old) & CONF_LEGACY) {
        irq_set(&(struct irq_line){h->isa.set_irq, h->isa.opaque, 0}, 0);
        irq_set(&(struct irq_line){h->isa.set_irq, h->isa.opaque, ISA_IRQ_RTC}, 0);
        if (h->legacy)
            h->legacy(h->legacy_opaque, v & CONF_LEGACY);
    }
    for (unsigned n = 0; n < PLAT_HPET_TIMERS; n++)
        arm(h, &h->t[n], now);
}

static void set_timer_config(struct hpet *h, unsigned n, uint64_t v, uint64_t now)
{
    struct hpet_timer *t = &h->t[n];
    uint64_t old = t->config;
    t->config = (old & ~TN_WRITABLE) | (v & TN_WRITABLE);
    if (!(HPET_INTCAP & (1u << ((t->config & TN_ROUTE_MASK) >> TN_ROUTE_SHIFT))))
        t->config &= ~TN_ROUTE_MASK; /* only routes in Tn_INT_ROUTE_CAP stick */
    if (t->config & TN_32BIT) {
        t->cmp = (uint32_t)t->cmp;
        t->period = (uint32_t)t->period;
    }
    if ((old & TN_LEVEL) && !(t->config & TN_LEVEL) && (h->isr & (1ull << n))) {
        h->isr &= ~(1ull << n);
        drive(h, n, 0);
    }
    arm(h, t, now);
}

/* 2.3.9.2.2: in periodic mode a comparator write sets the period, and with
 * Tn_VAL_SET the comparator too */
static void set_comparator(struct hpet *h, unsigned n, uint64_t v, uint64_t mask, uint64_t now)
{
    struct hpet_timer *t = &h->t[n];
    if (t->config & TN_32BIT)
        v = (uint32_t)v, mask &= 0xffffffffull;
    if (!(t->config & TN_PERIODIC) || (t->config & TN_VAL_SET))
        t->cmp = (t->cmp & ~mask) | (v & mask);
    t->period = (t->period & ~mask) | (v & mask);
    t->config &= ~TN_VAL_SET;
    arm(h, t, now);
}

static void reg_write(struct hpet *h, unsigned reg, uint64_t v, uint64_t mask, uint64_t now)
{
    uint64_t cur = reg_read(h, reg, now), merged = (cur & ~mask) | (v & mask);
    switch (reg) {
    case HPET_GEN_CONF:
        set_config(h, merged, now);
        return;
    case HPET_GINTR_STA:
        for (unsigned n = 0; n < PLAT_HPET_TIMERS; n++)
            if ((v & mask & h->isr) & (1ull << n)) {
                h->isr &= ~(1ull << n); /* write 1 to clear */
                drive(h, n, 0);
            }
        return;
    case HPET_MAIN_CNT:
        /* XXX: writes while enabled take effect too, as QEMU */
        h->counter = merged;
        h->base_tick = now;
        for (unsigned n = 0; n < PLAT_HPET_TIMERS; n++)
            arm(h, &h->t[n], now);
        return;
    }
    if (reg < HPET_TIMER(0) || reg >= HPET_TIMER(PLAT_HPET_TIMERS))
        return;
    unsigned n = (reg - HPET_TIMER(0)) / 0x20;
    switch ((reg - HPET_TIMER(0)) % 0x20) {
    case HPET_TN_CONF:
        set_timer_config(h, n, merged, now);
        return;
    case HPET_TN_CMP:
        set_comparator(h, n, v, mask, now);
        return;
    case HPET_TN_FSB:
        h->t[n].fsb = merged;
        return;
    }
}

/* 32- and 64-bit accesses; a 32-bit one at +4 is the high half */
uint64_t hpet_read(void *opaque, uint64_t offset, unsigned size)
{
    struct hpet *h = opaque;
    if ((size != 4 && size != 8) || (offset & (size - 1)))
        return ~0ull;
    spin_lock(&h->lock);
    uint64_t now = clock_now(h->clock);
    catch_up(h, now);
    uint64_t v = reg_read(h, (unsigned)(offset & HPET_REG_MASK & ~7ull), now);
    spin_unlock(&h->lock);
    return offset & 4 ? v >> 32 : v;
}

void hpet_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct hpet *h = opaque;
    if ((size != 4 && size != 8) || (offset & (size - 1)))
        return;
    uint64_t mask = size == 8 ? ~0ull : 0xffffffffull << ((offset & 4) * 8);
    value = size == 8 ? value : value << ((offset & 4) * 8);
    spin_lock(&h->lock);
    uint64_t now = clock_now(h->clock);
    catch_up(h, now);
    reg_write(h, (unsigned)(offset & HPET_REG_MASK & ~7ull), value, mask, now);
    spin_unlock(&h->lock);
}

const struct io_ops hpet_ops = {hpet_read, hpet_write};

int hpet_register(struct hpet *h, struct bus *bus)
{
    return bus_register_mmio(bus, PLAT_HPET_BASE, PLAT_HPET_SIZE, &hpet_ops, h);
}

void hpet_poll(struct hpet *h)
{
    spin_lock(&h->lock);
    catch_up(h, clock_now(h->clock));
    spin_unlock(&h->lock);
}

uint64_t hpet_next_deadline(struct hpet *h)
{
    uint64_t next = CLOCK_NEVER;
    spin_lock(&h->lock);
    for (unsigned n = 0; n < PLAT_HPET_TIMERS; n++)
        if ((h->t[n].config & TN_INT_ENB) && h->t[n].next < next)
            next = h->t[n].next;
    spin_unlock(&h->lock);
    return next;
}

void hpet_init(struct hpet *h, const struct clock *clock, struct irq_line isa, struct irq_line gsi,
               struct intr *intr)
{
    memset(h, 0, sizeof *h);
    h->clock = clock;
    h->isa = isa;
    h->gsi = gsi;
    h->intr = intr;
    h->base_tick = clock_now(clock);
    for (unsigned n = 0; n < PLAT_HPET_TIMERS; n++) {
        struct hpet_timer *t = &h->t[n];
        t->config = (uint64_t)HPET_INTCAP << 32 | TN_PER_CAP | TN_SIZE_64 | TN_FSB_CAP;
        t->cmp = ~0ull;
        t->next = CLOCK_NEVER;
    }
}
