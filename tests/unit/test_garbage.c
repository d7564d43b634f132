/*
 * test_garbage.c: every register of the platform, written and read with
 * pseudo-random values and sizes through the bus, and random MSRs and
 * events thrown at the LAPICs: guest-controlled values must never crash the
 * host or trip the sanitizers. Deterministic (a fixed xorshift seed).
 */
#include "emu/pc.h"
#include "emu/vcpu_events.h"

#include <criterion/criterion.h>
#include <string.h>

static struct pc PC;
static struct fake_clock C;
static uint8_t ram[1 << 16];
static uint64_t seed = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

static int disk_io(void *opaque, uint64_t sector, void *buf, uint32_t bytes)
{
    (void)opaque;
    (void)sector;
    memset(buf, 0x5a, bytes);
    return 0;
}

static int disk_wr(void *opaque, uint64_t sector, const void *buf, uint32_t bytes)
{
    (void)opaque;
    (void)sector;
    (void)buf;
    (void)bytes;
    return 0;
}

static void setup(void)
{
    fake_clock_init(&C, 1000000000ull);
    struct pc_config cfg = {
        .ncpu = 4,
        .clock = &C.clock,
        .phys_bits = 39,
        .unix_time = 1700000000,
        .ram = {ram, sizeof ram, NULL, 0},
        .disk = {disk_io, disk_wr, NULL, 128, false, NULL},
    };
    cr_assert_eq(pc_init(&PC, &cfg), 0);
}

static const struct {
    uint64_t base, size;
} mmio[] = {
    {PLAT_LAPIC_BASE, PLAT_LAPIC_SIZE},
    {PLAT_IOAPIC_BASE, PLAT_IOAPIC_SIZE},
    {PLAT_HPET_BASE, PLAT_HPET_SIZE},
    {PLAT_VIRTIO_MMIO_BASE, PLAT_VIRTIO_MMIO_SIZE},
};

static const unsigned sizes[] = {1, 2, 4, 8, 3};

Test(garbage, mmio_registers)
{
    setup();
    for (unsigned i = 0; i < 200000; i++) {
        unsigned cpu = rnd() % 4, dev = rnd() % 4, size = sizes[rnd() % 5];
        uint64_t addr = mmio[dev].base + rnd() % mmio[dev].size;
        if (rnd() & 1)
            bus_mmio_write(&PC.bus, &PC.local[cpu], addr, rnd(), size);
        else
            (void)bus_mmio_read(&PC.bus, &PC.local[cpu], addr, size);
        if (i % 64 == 0) {
            fake_clock_advance(&C, rnd() % 100000);
            pc_poll(&PC);
            for (unsigned c = 0; c < 4; c++)
                lapic_timer_poll(&PC.lapic[c]);
        }
    }
}

Test(garbage, ports)
{
    setup();
    static const uint16_t bases[] = {0x20, 0x40,  0x60,  0x64,  0x70,  0x92,  0xa0,  0xe0,
                                     0xf4, 0x3f8, 0x4d0, 0x510, 0x600, 0xcf8, 0x2000};
    for (unsigned i = 0; i < 200000; i++) {
        uint16_t port = (uint16_t)(bases[rnd() % 15] + rnd() % 16);
        unsigned size = sizes[rnd() % 5];
        if (port == PLAT_PORT_DEBUG_EXIT || port == PLAT_PORT_RESET)
            continue; /* callbacks are NULL here, but keep the run going */
        if (rnd() & 1)
            bus_pio_write(&PC.bus, port, (uint32_t)rnd(), size);
        else
            (void)bus_pio_read(&PC.bus, port, size);
        if (i % 64 == 0) {
            fake_clock_advance(&C, rnd() % 1000000);
            pc_poll(&PC);
        }
    }
}

Test(garbage, msrs_and_events)
{
    setup();
    enum vcpu_state st[4] = {VCPU_RUNNING, VCPU_WAIT_SIPI, VCPU_WAIT_SIPI, VCPU_WAIT_SIPI};
    for (unsigned i = 0; i < 200000; i++) {
        struct lapic *l = &PC.lapic[rnd() % 4];
        uint32_t msr = (rnd() & 1) ? (uint32_t)(0x800 + rnd() % 0x100)
                                   : (uint32_t[]){MSR_APIC_BASE, MSR_TSC_DEADLINE}[rnd() % 2];
        uint64_t v = rnd();
        if (msr == MSR_APIC_BASE && (rnd() & 1))
            v = PLAT_LAPIC_BASE |
                (v & (APIC_BASE_EN | APIC_BASE_EXTD)); /* legal-looking ones too */
        if (rnd() & 1)
            (void)lapic_wrmsr(l, msr, (rnd() & 1) ? v : v & 0xffffffff);
        else
            (void)lapic_rdmsr(l, msr, &v);
        unsigned cpu = rnd() % 4;
        (void)vcpu_next_action(&PC.lapic[cpu], &st[cpu], (unsigned)rnd() & 7);
        lapic_set_lint(&PC.lapic[cpu], (unsigned)rnd() % 3, (int)(rnd() & 1));
        if (i % 32 == 0)
            msi_deliver(&PC.intr, MSI_ADDR_BASE | (rnd() & 0xfffff), (uint32_t)rnd());
    }
}
