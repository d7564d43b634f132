/*
 * test_clock.c: the machine clock (emu/clock.h).
 */
#include "emu/clock.h"

#include <criterion/criterion.h>

static uint64_t src_value;

static uint64_t read_src(void *opaque)
{
    return *(uint64_t *)opaque;
}

Test(clock, fake_clock_advances_by_hand)
{
    struct fake_clock f;
    fake_clock_init(&f, 2000000000);
    cr_assert_eq(clock_now(&f.clock), 0);
    fake_clock_advance(&f, 123);
    cr_assert_eq(clock_now(&f.clock), 123);
    cr_assert_eq(f.clock.hz, 2000000000);
    cr_assert_eq(clock_to_source(&f.clock, 500), 500);
}

Test(clock, ratio_scales_the_source)
{
    struct clock c;
    src_value = 0;
    clock_init(&c, read_src, &src_value, 2400000000ull,
               1000000000ull); /* host 2.4 GHz, guest 1 GHz */
    cr_assert_eq(c.mul, 5);
    cr_assert_eq(c.div, 12);
    src_value = 2400000000ull;
    cr_assert_eq(clock_now(&c), 1000000000ull, "one second");
    cr_assert_eq(clock_to_source(&c, 1000000000ull), 2400000000ull);
    cr_assert_eq(clock_to_source(&c, 1), 3, "rounded up: the deadline is never early");
    cr_assert_eq(clock_to_source(&c, CLOCK_NEVER), CLOCK_NEVER);
}

Test(clock, set_now_moves_the_offset)
{
    struct clock c;
    src_value = 1000;
    clock_init(&c, read_src, &src_value, 1000, 1000);
    clock_set_now(&c, 50);
    cr_assert_eq(clock_now(&c), 50);
    src_value = 1100;
    cr_assert_eq(clock_now(&c), 150);
    cr_assert_eq(clock_to_source(&c, 200), 1150);
}

Test(clock, no_overflow_after_years)
{
    struct clock c;
    clock_init(&c, read_src, &src_value, 3000000000ull, 2999999999ull);
    src_value = 3000000000ull * 86400 * 365 * 10; /* ten years */
    cr_assert_eq(clock_now(&c), 2999999999ull * 86400 * 365 * 10);
    cr_assert_eq(muldiv64(~0ull, 4, 2), ~0ull, "saturates");
}
