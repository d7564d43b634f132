/*
 * clock.c: the machine clock (see clock.h).
 */
#include "emu/clock.h"

uint64_t muldiv64(uint64_t a, uint64_t b, uint64_t d)
{
    unsigned __int128 r = (unsigned __int128)a * b / (d ? d : 1);
    return r > UINT64_MAX ? UINT64_MAX : (uint64_t)r;
}

uint64_t muldiv64_up(uint64_t a, uint64_t b, uint64_t d)
{
    if (!d)
        d = 1;
    unsigned __int128 r = ((unsigned __int128)a * b + d - 1) / d;
    return r > UINT64_MAX ? UINT64_MAX : (uint64_t)r;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

void clock_init(struct clock *c, uint64_t (*source)(void *), void *opaque, uint64_t source_hz,
                uint64_t hz)
{
    uint64_t g = gcd64(hz, source_hz);
    if (!g)
        g = 1;
    c->source = source;
    c->opaque = opaque;
    c->mul = hz / g;
    c->div = source_hz / g ? source_hz / g : 1;
    c->offset = 0;
    c->hz = hz;
}

uint64_t clock_now(const struct clock *c)
{
    uint64_t src = c->source(c->opaque);
    uint64_t scaled = c->mul == c->div ? src : muldiv64(src, c->mul, c->div);
    return scaled + c->offset;
}

void clock_set_now(struct clock *c, uint64_t value)
{
    c->offset += value - clock_now(c);
}

uint64_t clock_to_source(const struct clock *c, uint64_t t)
{
    if (t == CLOCK_NEVER)
        return CLOCK_NEVER;
    uint64_t scaled = t - c->offset;
    return c->mul == c->div ? scaled : muldiv64_up(scaled, c->div, c->mul);
}

static uint64_t fake_clock_read(void *opaque)
{
    return __atomic_load_n(&((struct fake_clock *)opaque)->ticks, __ATOMIC_ACQUIRE);
}

void fake_clock_init(struct fake_clock *f, uint64_t hz)
{
    f->ticks = 0;
    clock_init(&f->clock, fake_clock_read, f, hz, hz);
}

void fake_clock_advance(struct fake_clock *f, uint64_t ticks)
{
    __atomic_fetch_add(&f->ticks, ticks, __ATOMIC_RELEASE);
}
