/*
 * emu/clock.h: the machine clock, the one notion of guest time.
 *
 * Guest time is counted in guest TSC ticks at clock->hz. It is derived from
 * one source (the host TSC in real-time mode, an instruction count in
 * deterministic mode, a hand-advanced counter in tests) by one ratio and one
 * offset:
 *
 *     now = source() * mul / div + offset        (mul/div = hz / source_hz)
 *
 * Every timer (LAPIC, PIT, HPET, RTC, PM timer) asks clock_now() and reports
 * its next deadline in the same units; the run loop turns the earliest
 * deadline back into source ticks for host_wait() with clock_to_source().
 * Nothing in emu/ reads the host clock any other way.
 *
 * Locking: the fields are set while the machine is built or paused; reads
 * need no lock.
 */
#ifndef BAREMU_CLOCK_H
#define BAREMU_CLOCK_H

#include <stdint.h>

#define CLOCK_NEVER UINT64_MAX /* "no deadline" */

struct clock {
    uint64_t (*source)(void *opaque); /* monotonic, never wraps in practice */
    void *opaque;
    uint64_t mul, div; /* guest ticks per source tick, as a ratio; div != 0 */
    uint64_t offset;   /* added after scaling (mod 2^64) */
    uint64_t hz;       /* guest ticks per second */
};

/* a clock at hz guest ticks per second from a source counting at source_hz */
void clock_init(struct clock *c, uint64_t (*source)(void *), void *opaque, uint64_t source_hz,
                uint64_t hz);

/* guest ticks now */
uint64_t clock_now(const struct clock *c);

/* make clock_now() read value from here on (guest TSC write, restore) */
void clock_set_now(struct clock *c, uint64_t value);

/* the source reading at which clock_now() reaches guest tick t (rounded up) */
uint64_t clock_to_source(const struct clock *c, uint64_t t);

/* a * b / d, with a 128-bit intermediate, saturating at UINT64_MAX; rounded down or up */
uint64_t muldiv64(uint64_t a, uint64_t b, uint64_t d);
uint64_t muldiv64_up(uint64_t a, uint64_t b, uint64_t d);

/* ---- the fake clock, for tests and deterministic mode: a counter advanced by hand ---- */
struct fake_clock {
    struct clock clock;
    uint64_t ticks; /* the source, read atomically */
};

void fake_clock_init(struct fake_clock *f, uint64_t hz); /* source ticks = guest ticks */
void fake_clock_advance(struct fake_clock *f, uint64_t ticks);

#endif
