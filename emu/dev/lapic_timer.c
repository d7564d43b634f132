/*
 * lapic_timer.c: the LAPIC timer (Intel SDM Vol 3A 11.5.4): one-shot, periodic
 * and TSC-deadline (11.5.4.1) on the machine clock. The count is a function
 * of the time it started, so nothing ticks; the owner vCPU calls
 * lapic_timer_poll() at lapic_next_deadline(). Owner thread only.
 */
#include "emu/dev/lapic_timer.h"

#define DCR_MASK 0xbu /* divide configuration: bits 3, 1, 0 */

uint32_t lapic_timer_mode(const struct lapic *l)
{
    return __atomic_load_n(&l->lvt[LVT_TIMER], __ATOMIC_ACQUIRE) & LVT_TIMER_MODE;
}

/* divide configuration (11.5.4 Figure 11-10): bits 3,1:0; 111b divides by 1 */
static unsigned timer_divide(uint32_t dcr)
{
    unsigned v = ((dcr >> 1) & 4) | (dcr & 3);
    return 1u << ((v + 1) & 7);
}

static uint64_t ticks_to_clock(const struct lapic *l, uint64_t ticks)
{
    return muldiv64_up(ticks * timer_divide(l->timer_dcr), l->cfg.clock->hz, l->cfg.timer_hz);
}

static uint64_t ticks_since_start(const struct lapic *l, uint64_t now)
{
    if (now <= l->timer_start)
        return 0;
    return muldiv64(now - l->timer_start, l->cfg.timer_hz,
                    l->cfg.clock->hz * timer_divide(l->timer_dcr));
}

static uint32_t timer_count_at(const struct lapic *l, uint64_t now)
{
    uint32_t mode = lapic_timer_mode(l);
    if (mode == LVT_TIMER_DEADLINE || l->timer_initial == 0)
        return 0;
    uint64_t e = ticks_since_start(l, now);
    if (e < l->timer_start_count)
        return (uint32_t)(l->timer_start_count - e);
    if (mode != LVT_TIMER_PERIODIC)
        return 0;
    return l->timer_initial - (uint32_t)((e - l->timer_start_count) % l->timer_initial);
}

static uint64_t tsc_offset(const struct lapic *l)
{
    return l->cfg.tsc_offset ? *l->cfg.tsc_offset : 0;
}

void lapic_set_tsc_offset(struct lapic *l, const uint64_t *offset)
{
    l->cfg.tsc_offset = offset;
}

/*
 * TSC-deadline mode: the deadline is in the vCPU's TSC, which a guest write
 * may move against the machine clock at any time, so the machine-clock
 * expiry is worked out whenever it is asked for; a deadline already passed
 * is due at once: at time 0 (11.5.4.1).
 */
static uint64_t deadline_expiry(const struct lapic *l, uint64_t now)
{
    if (!l->tsc_deadline)
        return CLOCK_NEVER;
    uint64_t tsc = now + tsc_offset(l);
    /* a passed deadline is due at 0, not at now: a caller comparing with an
     * earlier reading of the clock must still see it due */
    return l->tsc_deadline <= tsc ? 0 : now + (l->tsc_deadline - tsc);
}

/* work out the next expiry after now (TSC-deadline mode: see deadline_expiry) */
static void timer_rearm(struct lapic *l, uint64_t now)
{
    uint32_t mode = lapic_timer_mode(l);
    l->timer_next = CLOCK_NEVER;
    if (mode == LVT_TIMER_DEADLINE)
        return;
    if (l->timer_initial == 0)
        return;
    uint64_t e = ticks_since_start(l, now), t;
    if (e < l->timer_start_count)
        t = l->timer_start_count;
    else if (mode == LVT_TIMER_PERIODIC)
        t = l->timer_start_count +
            ((e - l->timer_start_count) / l->timer_initial + 1) * l->timer_initial;
    else
        return; /* one-shot, done (reserved mode 11b counts as one-shot) */
    l->timer_next = l->timer_start + ticks_to_clock(l, t);
}

/* restart counting from count at now */
static void timer_restart(struct lapic *l, uint64_t now, uint32_t count)
{
    l->timer_start = now;
    l->timer_start_count = count;
    timer_rearm(l, now);
}

void lapic_timer_poll(struct lapic *l)
{
    if (lapic_timer_mode(l) == LVT_TIMER_DEADLINE) {
        if (!l->tsc_deadline)
            return;
        uint64_t now = clock_now(l->cfg.clock);
        if (deadline_expiry(l, now) > now)
            return;
        l->tsc_deadline = 0; /* 11.5.4.1: the MSR reads 0 once it has fired */
        lapic_raise_lvt(l, LVT_TIMER);
        return;
    }
    if (l->timer_next == CLOCK_NEVER)
        return;
    uint64_t now = clock_now(l->cfg.clock);
    if (now < l->timer_next)
        return;
    lapic_raise_lvt(l, LVT_TIMER);
    timer_rearm(l, now);
}

uint64_t lapic_next_deadline(const struct lapic *l)
{
    if (lapic_timer_mode(l) == LVT_TIMER_DEADLINE)
        return l->tsc_deadline ? deadline_expiry(l, clock_now(l->cfg.clock)) : CLOCK_NEVER;
    return l->timer_next;
}

void lapic_timer_lvt_changed(struct lapic *l, uint32_t old, uint32_t val)
{
    uint64_t now = clock_now(l->cfg.clock);
    bool was_deadline = (old & LVT_TIMER_MODE) == LVT_TIMER_DEADLINE;
    bool is_deadline = (val & LVT_TIMER_MODE) == LVT_TIMER_DEADLINE;
    if (was_deadline != is_deadline) {
        /* 11.5.4.1: switching to or from TSC-deadline mode disarms the timer */
        l->timer_initial = 0;
        l->timer_start_count = 0;
        l->tsc_deadline = 0;
    }
    timer_rearm(l, now);
}

void lapic_timer_write_initial(struct lapic *l, uint32_t value)
{
    if (lapic_timer_mode(l) == LVT_TIMER_DEADLINE)
        return; /* 11.5.4.1: ignored in TSC-deadline mode */
    l->timer_initial = value;
    timer_restart(l, clock_now(l->cfg.clock), value);
}

/* a new divider applies from now on; the current count carries over */
void lapic_timer_write_divide(struct lapic *l, uint32_t value)
{
    uint64_t now = clock_now(l->cfg.clock);
    uint32_t count = timer_count_at(l, now);
    l->timer_dcr = value & DCR_MASK;
    timer_restart(l, now, count);
}

uint32_t lapic_timer_current(const struct lapic *l)
{
    return timer_count_at(l, clock_now(l->cfg.clock));
}

/* IA32_TSC_DEADLINE reads 0 and ignores writes outside TSC-deadline mode (11.5.4.1) */
uint64_t lapic_tsc_deadline_read(const struct lapic *l)
{
    return lapic_timer_mode(l) == LVT_TIMER_DEADLINE ? l->tsc_deadline : 0;
}

void lapic_tsc_deadline_write(struct lapic *l, uint64_t value)
{
    if (lapic_timer_mode(l) != LVT_TIMER_DEADLINE)
        return;
    l->tsc_deadline = value; /* 0 disarms */
    timer_rearm(l, clock_now(l->cfg.clock));
}

void lapic_timer_reset(struct lapic *l)
{
    l->timer_initial = l->timer_dcr = l->timer_start_count = 0;
    l->timer_start = 0;
    l->timer_next = CLOCK_NEVER;
    l->tsc_deadline = 0;
}
