/*
 * test_ram.c: guest RAM around the MMIO hole (emu/ram.h): how a size splits,
 * and which guest-physical ranges reach host memory.
 */
#include <criterion/criterion.h>

#include "emu/ram.h"

Test(ram, split_at_the_hole)
{
    uint64_t lo, hi;
    guest_ram_split(128ull << 20, &lo, &hi);
    cr_assert_eq(lo, 128ull << 20);
    cr_assert_eq(hi, 0);
    guest_ram_split(PLAT_MMIO_HOLE_BASE, &lo, &hi);
    cr_assert_eq(lo, PLAT_MMIO_HOLE_BASE);
    cr_assert_eq(hi, 0, "exactly up to the hole: nothing above 4 GiB");
    guest_ram_split(5ull << 30, &lo, &hi);
    cr_assert_eq(lo, PLAT_MMIO_HOLE_BASE);
    cr_assert_eq(hi, (5ull << 30) - PLAT_MMIO_HOLE_BASE);
}

Test(ram, ranges)
{
    static uint8_t low[8192], high[4096];
    struct guest_ram r = {low, sizeof low, high, sizeof high};
    cr_assert_eq(guest_ram_total(&r), sizeof low + sizeof high);
    cr_assert_eq(guest_ram_ptr(&r, 0, 8192), low);
    cr_assert_eq(guest_ram_ptr(&r, 8191, 1), low + 8191);
    cr_assert_null(guest_ram_ptr(&r, 8191, 2), "runs off the low part");
    cr_assert_null(guest_ram_ptr(&r, 8192, 1), "between the parts");
    cr_assert_null(guest_ram_ptr(&r, PLAT_MMIO_HOLE_BASE, 1), "the hole");
    cr_assert_eq(guest_ram_ptr(&r, PLAT_RAM_ABOVE_4G, 4096), high);
    cr_assert_eq(guest_ram_ptr(&r, PLAT_RAM_ABOVE_4G + 4095, 1), high + 4095);
    cr_assert_null(guest_ram_ptr(&r, PLAT_RAM_ABOVE_4G + 4095, 2));
    cr_assert_null(guest_ram_ptr(&r, PLAT_RAM_ABOVE_4G + 4096, 1));
    cr_assert_null(guest_ram_ptr(&r, UINT64_MAX, 1));
    cr_assert_null(guest_ram_ptr(&r, 0, UINT64_MAX), "no overflow");
    struct guest_ram none = {low, sizeof low, NULL, 0};
    cr_assert_null(guest_ram_ptr(&none, PLAT_RAM_ABOVE_4G, 1), "no high part");
}
