/*
 * test_bus.c: MMIO and port I/O dispatch (emu/bus.h).
 */
#include "emu/bus.h"
#include "tests/unit/host_test.h"

#include <criterion/criterion.h>
#include <string.h>

struct probe {
    uint64_t last_offset, last_value;
    unsigned last_size, reads, writes;
};

static uint64_t probe_read(void *opaque, uint64_t offset, unsigned size)
{
    struct probe *p = opaque;
    p->last_offset = offset;
    p->last_size = size;
    p->reads++;
    return 0x1122334455667788ull;
}

static void probe_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct probe *p = opaque;
    p->last_offset = offset;
    p->last_value = value;
    p->last_size = size;
    p->writes++;
}

static const struct io_ops probe_ops = {probe_read, probe_write};
static struct bus B;
static struct probe P, Q;

Test(bus, mmio_dispatch_by_offset)
{
    bus_init(&B);
    cr_assert_eq(bus_register_mmio(&B, 0xfeb00000, 0x200, &probe_ops, &P), 0);
    cr_assert_eq(bus_mmio_read(&B, NULL, 0xfeb00010, 4), 0x55667788);
    cr_assert_eq(P.last_offset, 0x10);
    cr_assert_eq(P.last_size, 4);
    bus_mmio_write(&B, NULL, 0xfeb001f8, 0xffffffffffffffffull, 8);
    cr_assert_eq(P.last_offset, 0x1f8);
    cr_assert_eq(P.last_value, ~0ull);
    cr_assert_eq(bus_mmio_read(&B, NULL, 0xfeb00000, 1), 0x88, "narrowed to the size");
}

Test(bus, unassigned_reads_ones_and_logs_once)
{
    bus_init(&B);
    memset(host_test_log, 0, sizeof host_test_log);
    host_test_log_lines = 0;
    cr_assert_eq(bus_mmio_read(&B, NULL, 0x12345000, 4), 0xffffffffu);
    cr_assert_eq(bus_mmio_read(&B, NULL, 0x12345000, 8), ~0ull);
    cr_assert_eq(bus_pio_read(&B, 0x80, 1), 0xff);
    cr_assert_eq(bus_pio_read(&B, 0x80, 2), 0xffff);
    bus_mmio_write(&B, NULL, 0x12345000, 1, 4);
    bus_pio_write(&B, 0x80, 1, 1);
    cr_assert_eq(bus_unassigned_count(&B), 6);
    cr_assert_eq(host_test_log_lines, 2, "once for MMIO, once for ports");
    cr_assert_str_eq(host_test_log,
                     "bus: unassigned mmio read at 0x12345000, size 4 (logged once)\n"
                     "bus: unassigned pio read at 0x80, size 1 (logged once)\n");
}

Test(bus, straddling_and_bad_sizes_are_unassigned)
{
    bus_init(&B);
    bus_register_mmio(&B, 0x1000, 0x10, &probe_ops, &P);
    cr_assert_eq(bus_mmio_read(&B, NULL, 0x100e, 4), 0xffffffffu, "crosses the end");
    cr_assert_eq(bus_mmio_read(&B, NULL, 0x1000, 3), ~0ull);
    cr_assert_eq(bus_mmio_read(&B, NULL, 0x1000, 0), ~0ull);
    cr_assert_eq(P.reads, 0);
}

Test(bus, registration_rules)
{
    bus_init(&B);
    cr_assert_eq(bus_register_mmio(&B, 0x1000, 0x100, &probe_ops, &P), 0);
    cr_assert_eq(bus_register_mmio(&B, 0x10f0, 0x100, &probe_ops, &Q), -1, "overlap");
    cr_assert_eq(bus_register_mmio(&B, 0x2000, 0, &probe_ops, &Q), -1, "empty");
    cr_assert_eq(bus_register_mmio(&B, ~0ull - 4, 0x10, &probe_ops, &Q), -1, "wraps");
    cr_assert_eq(bus_register_pio(&B, 0xfff8, 0x10, &probe_ops, &Q), -1, "past 0xffff");
    for (unsigned i = 1; i < BUS_MAX_RANGES; i++)
        cr_assert_eq(bus_register_mmio(&B, 0x100000ull * i, 0x10, &probe_ops, &Q), 0);
    cr_assert_eq(bus_register_mmio(&B, 0x90000000, 0x10, &probe_ops, &Q), -1, "full");
}

Test(bus, ports)
{
    bus_init(&B);
    cr_assert_eq(bus_register_pio(&B, 0x3f8, 8, &probe_ops, &P), 0);
    cr_assert_eq(bus_register_pio(&B, 0x20, 2, &probe_ops, &Q), 0);
    cr_assert_eq(bus_pio_read(&B, 0x3fd, 1), 0x88);
    cr_assert_eq(P.last_offset, 5);
    bus_pio_write(&B, 0x21, 0xfb, 1);
    cr_assert_eq(Q.last_offset, 1);
    cr_assert_eq(Q.last_value, 0xfb);
    cr_assert_eq(bus_pio_read(&B, 0x3f8, 8), 0xffffffffu, "no 8-byte port access");
}

Test(bus, local_window_wins_for_its_vcpu_only)
{
    bus_init(&B);
    struct bus_local mine, other;
    memset(&other, 0, sizeof other);
    bus_register_mmio(&B, 0xfee00000, 0x1000, &probe_ops, &Q);
    bus_map_local(&mine, 0xfee00000, 0x1000, &probe_ops, &P);
    bus_mmio_read(&B, &mine, 0xfee00020, 4);
    cr_assert_eq(P.reads, 1);
    cr_assert_eq(Q.reads, 0);
    bus_mmio_read(&B, &other, 0xfee00020, 4);
    cr_assert_eq(Q.reads, 1);
    bus_map_local(&mine, 0, 0, NULL, NULL);
    bus_mmio_read(&B, &mine, 0xfee00020, 4);
    cr_assert_eq(Q.reads, 2, "unmapped: the shared map again");
}
