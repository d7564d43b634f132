/*
 * test_pc.c: the assembled platform (emu/pc.h): every device at its address,
 * and interrupts end to end, from a device through the IOAPIC or the 8259 to
 * the LAPIC of the vCPU they were routed to.
 */
#include "emu/pc.h"
#include "tests/unit/host_test.h"

#include <criterion/criterion.h>
#include <string.h>

#define HZ 1000000000ull
static struct pc PC;
static struct fake_clock C;
static unsigned kicks[8];
static char out[64];
static unsigned nout;
static int exit_status = -1;
static unsigned resets;
static uint8_t ram[4096];

static void kick(void *opaque, unsigned vcpu)
{
    (void)opaque;
    kicks[vcpu]++;
}

static void tx(void *opaque, uint8_t b)
{
    (void)opaque;
    if (nout < sizeof out)
        out[nout++] = (char)b;
}

static void record_exit(void *opaque, int status)
{
    (void)opaque;
    exit_status = status;
}

static void on_reset(void *opaque)
{
    (void)opaque;
    resets++;
}

static void setup(unsigned ncpu)
{
    fake_clock_init(&C, HZ);
    memset(kicks, 0, sizeof kicks);
    nout = 0;
    struct pc_config cfg = {
        .ncpu = ncpu,
        .clock = &C.clock,
        .lapic_timer_hz = HZ,
        .phys_bits = 39,
        .unix_time = 1700000000,
        .ram = {ram, sizeof ram, NULL, 0},
        .kick = kick,
        .console_tx = tx,
        .exit = record_exit,
        .reset = on_reset,
    };
    cr_assert_eq(pc_init(&PC, &cfg), 0);
}

static void out8(uint16_t port, uint8_t v)
{
    bus_pio_write(&PC.bus, port, v, 1);
}

static uint8_t in8(uint16_t port)
{
    return (uint8_t)bus_pio_read(&PC.bus, port, 1);
}

static void lapic_wr(unsigned cpu, uint32_t off, uint32_t v)
{
    bus_mmio_write(&PC.bus, &PC.local[cpu], PLAT_LAPIC_BASE + off, v, 4);
}

static uint32_t lapic_rd(unsigned cpu, uint32_t off)
{
    return (uint32_t)bus_mmio_read(&PC.bus, &PC.local[cpu], PLAT_LAPIC_BASE + off, 4);
}

static void redir(unsigned pin, uint64_t e)
{
    bus_mmio_write(&PC.bus, NULL, PLAT_IOAPIC_BASE, IOAPIC_REG_REDTBL + 2 * pin + 1, 4);
    bus_mmio_write(&PC.bus, NULL, PLAT_IOAPIC_BASE + IOAPIC_IOWIN, e >> 32, 4);
    bus_mmio_write(&PC.bus, NULL, PLAT_IOAPIC_BASE, IOAPIC_REG_REDTBL + 2 * pin, 4);
    bus_mmio_write(&PC.bus, NULL, PLAT_IOAPIC_BASE + IOAPIC_IOWIN, (uint32_t)e, 4);
}

/* run the platform's timers to their next deadline */
static void run_to_deadline(void)
{
    uint64_t t = pc_next_deadline(&PC);
    cr_assert_neq(t, CLOCK_NEVER);
    if (t > clock_now(&C.clock))
        fake_clock_advance(&C, t - clock_now(&C.clock));
    pc_poll(&PC);
}

Test(pc, bad_configuration)
{
    struct pc_config cfg = {.ncpu = 0, .clock = NULL};
    cr_assert_eq(pc_init(&PC, &cfg), -1);
    cr_assert_str_eq(host_test_log, "pc: bad configuration (0 vCPUs)\n");
}

Test(pc, every_device_answers)
{
    setup(2);
    cr_assert_eq(lapic_rd(1, LAPIC_ID), 1u << 24, "per-vCPU LAPIC");
    bus_mmio_write(&PC.bus, NULL, PLAT_IOAPIC_BASE, IOAPIC_REG_VERSION, 4);
    cr_assert_eq(bus_mmio_read(&PC.bus, NULL, PLAT_IOAPIC_BASE + IOAPIC_IOWIN, 4) & 0xff, 0x20);
    cr_assert_eq(bus_mmio_read(&PC.bus, NULL, PLAT_HPET_BASE + 4, 4), HPET_PERIOD_FS);
    cr_assert_eq(in8(PLAT_PORT_COM1 + UART_LSR), LSR_THRE | LSR_TEMT);
    out8(PLAT_PORT_RTC, RTC_REG_D);
    cr_assert_eq(in8(PLAT_PORT_RTC + 1), REG_D_VRT);
    bus_pio_write(&PC.bus, PLAT_PORT_FW_CFG, FW_CFG_SIGNATURE, 2);
    cr_assert_eq(in8(PLAT_PORT_FW_CFG + 1), 'Q');
    bus_pio_write(&PC.bus, PLAT_PORT_PCI_CONFIG, PCI_CONFIG_ENABLE, 4);
    cr_assert_eq(bus_pio_read(&PC.bus, PLAT_PORT_PCI_CONFIG + 4, 2), PCI_VENDOR_INTEL);
    cr_assert_eq(bus_pio_read(&PC.bus, PLAT_PORT_PM_BASE + PLAT_PM1A_CNT_OFF, 2) & PM1_SCI_EN, 1);
    cr_assert_eq(in8(PLAT_PORT_FAST_A20), PORT92_A20);
    out8(PLAT_PORT_I8042_CMD, KBD_CCMD_SELF_TEST);
    cr_assert_eq(in8(PLAT_PORT_I8042_DATA), KBD_SELF_TEST_OK);
    bus_pio_write(&PC.bus, PLAT_PORT_TESTDEV_SCRATCH, 0xcafe, 4);
    cr_assert_eq(bus_pio_read(&PC.bus, PLAT_PORT_TESTDEV_SCRATCH, 4), 0xcafe);
    cr_assert_eq(bus_unassigned_count(&PC.bus), 0);
}

Test(pc, console_exit_and_reset)
{
    setup(1);
    out8(PLAT_PORT_COM1, 'h');
    out8(PLAT_PORT_COM1, 'i');
    cr_assert_eq(nout, 2);
    cr_assert(memcmp(out, "hi", 2) == 0);
    bus_pio_write(&PC.bus, PLAT_PORT_DEBUG_EXIT, 1, 4);
    cr_assert_eq(exit_status, 3);
    out8(PLAT_PORT_RESET, PLAT_RESET_VALUE);
    cr_assert_eq(resets, 1);
}

/* the PIT at 100 Hz through GSI 2 to vCPU 2, the others left alone */
Test(pc, pit_routed_to_ap)
{
    setup(4);
    out8(0x21, 0xff); /* the OS masks the 8259 when it takes the IOAPIC */
    out8(0xa1, 0xff);
    lapic_wr(2, LAPIC_SVR, SVR_ENABLE | 0xff);
    redir(PLAT_GSI_PIT, (uint64_t)2 << IOREDTBL_DEST_SHIFT | 0x30);
    out8(PLAT_PORT_PIT + 3, 0x34);
    out8(PLAT_PORT_PIT, 0x9b);
    out8(PLAT_PORT_PIT, 0x2e);
    for (unsigned tick = 0; tick < 3; tick++) {
        run_to_deadline(); /* OUT low */
        run_to_deadline(); /* OUT high: the edge */
        cr_assert_eq(lapic_ack(&PC.lapic[2]), 0x30, "tick %u", tick);
        lapic_wr(2, LAPIC_EOI, 0);
    }
    cr_assert_eq(kicks[0] + kicks[1] + kicks[3], 0);
}

/* the PIT through the 8259 to the BSP's LINT0, virtual-wire mode */
Test(pc, pit_through_8259_to_bsp)
{
    setup(2);
    out8(0x20, 0x11);
    out8(0x21, 0x20);
    out8(0x21, 0x04);
    out8(0x21, 0x01);
    out8(0x21, 0xfe); /* IRQ 0 only */
    out8(PLAT_PORT_PIT + 3, 0x34);
    out8(PLAT_PORT_PIT, 100);
    out8(PLAT_PORT_PIT, 0);
    lapic_take_events(&PC.lapic[0], LAPIC_EV_EXTINT); /* the edge from programming */
    (void)pic_read_irq(&PC.pic);
    out8(0x20, 0x20);
    run_to_deadline();
    run_to_deadline();
    cr_assert(lapic_events(&PC.lapic[0]) & LAPIC_EV_EXTINT);
    cr_assert_eq(pic_read_irq(&PC.pic), 0x20);
}

/* the RTC's periodic interrupt through GSI 8 to vCPU 1 */
Test(pc, rtc_routed_to_ap)
{
    setup(2);
    lapic_wr(1, LAPIC_SVR, SVR_ENABLE | 0xff);
    redir(PLAT_IRQ_RTC, (uint64_t)1 << IOREDTBL_DEST_SHIFT | 0x38);
    out8(PLAT_PORT_RTC, RTC_REG_B);
    out8(PLAT_PORT_RTC + 1, REG_B_24H | REG_B_PIE);
    run_to_deadline();
    cr_assert_eq(lapic_ack(&PC.lapic[1]), 0x38);
    out8(PLAT_PORT_RTC, RTC_REG_C);
    cr_assert(in8(PLAT_PORT_RTC + 1) & REG_C_PF);
}

/* HPET legacy replacement: timer 0 takes IRQ 0 over from the PIT */
Test(pc, hpet_legacy_replaces_pit)
{
    setup(1);
    lapic_wr(0, LAPIC_SVR, SVR_ENABLE | 0xff);
    redir(PLAT_GSI_PIT, 0x31);
    bus_mmio_write(&PC.bus, NULL, PLAT_HPET_BASE + HPET_GEN_CONF, CONF_ENABLE | CONF_LEGACY, 8);
    out8(PLAT_PORT_PIT + 3, 0x34);
    out8(PLAT_PORT_PIT, 100);
    out8(PLAT_PORT_PIT, 0);
    fake_clock_advance(&C, 10000 * 1000);
    pc_poll(&PC);
    cr_assert_eq(lapic_pending(&PC.lapic[0]), -1, "the PIT is cut off");
    bus_mmio_write(&PC.bus, NULL, PLAT_HPET_BASE + HPET_TIMER(0) + HPET_TN_CONF, TN_INT_ENB, 8);
    bus_mmio_write(&PC.bus, NULL, PLAT_HPET_BASE + HPET_TIMER(0) + HPET_TN_CMP,
                   bus_mmio_read(&PC.bus, NULL, PLAT_HPET_BASE + HPET_MAIN_CNT, 8) + 100, 8);
    fake_clock_advance(&C, 100 * 10);
    pc_poll(&PC);
    cr_assert_eq(lapic_ack(&PC.lapic[0]), 0x31, "HPET timer 0 on GSI 2");
}

Test(pc, testdev_line_to_ap_and_uart_interrupt)
{
    setup(2);
    lapic_wr(1, LAPIC_SVR, SVR_ENABLE | 0xff);
    redir(PLAT_IRQ_COM1, (uint64_t)1 << IOREDTBL_DEST_SHIFT | 0x44);
    out8(PLAT_PORT_COM1 + UART_IER, IER_THRI);
    cr_assert_eq(lapic_ack(&PC.lapic[1]), 0x44, "THRE interrupt on IRQ 4");
    lapic_wr(1, LAPIC_EOI, 0);
    redir(5, (uint64_t)1 << IOREDTBL_DEST_SHIFT | 0x45);
    out8(PLAT_PORT_TESTDEV_IRQ + 5, 1);
    cr_assert_eq(lapic_ack(&PC.lapic[1]), 0x45);
}

Test(pc, ipi_between_vcpus)
{
    setup(4);
    for (unsigned i = 0; i < 4; i++)
        lapic_wr(i, LAPIC_SVR, SVR_ENABLE | 0xff);
    lapic_wr(3, LAPIC_ICR_HI, 1u << 24);
    lapic_wr(3, LAPIC_ICR_LO, ICR_ASSERT | 0x77);
    cr_assert_eq(lapic_ack(&PC.lapic[1]), 0x77);
    cr_assert_eq(kicks[1], 1);
}

static int one_sector(void *opaque, uint64_t sector, void *buf, uint32_t bytes)
{
    (void)opaque;
    memset(buf, (int)sector, bytes);
    return 0;
}

Test(pc, virtio_blk_only_with_a_disk)
{
    setup(1);
    cr_assert_eq(bus_mmio_read(&PC.bus, NULL, PLAT_VIRTIO_MMIO_BASE, 4), 0xffffffffu, "no disk");
    struct pc_config cfg = PC.cfg;
    cfg.disk = (struct blk_backend){.read = one_sector, .sectors = 8};
    cr_assert_eq(pc_init(&PC, &cfg), 0);
    cr_assert_eq(bus_mmio_read(&PC.bus, NULL, PLAT_VIRTIO_MMIO_BASE, 4), VIRTIO_MMIO_MAGIC_VALUE);
    cr_assert_eq(bus_mmio_read(&PC.bus, NULL, PLAT_VIRTIO_MMIO_BASE + VIRTIO_MMIO_CONFIG, 4), 8);
}

static const char typed[] = "hello, guest";
static size_t typed_at;

static size_t console_rx(void *opaque, uint8_t *buf, size_t len)
{
    (void)opaque;
    size_t n = sizeof typed - 1 - typed_at;
    n = n < len ? n : len;
    memcpy(buf, typed + typed_at, n);
    typed_at += n;
    return n;
}

Test(pc, console_input_reaches_com1)
{
    setup(1);
    struct pc_config cfg = PC.cfg;
    cfg.console_rx = console_rx;
    cr_assert_eq(pc_init(&PC, &cfg), 0);
    out8(PLAT_PORT_COM1 + UART_FCR, FCR_ENABLE);
    pc_poll(&PC);
    char got[sizeof typed] = {0};
    for (unsigned i = 0; in8(PLAT_PORT_COM1 + UART_LSR) & LSR_DR; i++)
        got[i] = (char)in8(PLAT_PORT_COM1);
    cr_assert_str_eq(got, "hello, guest", "all of it fits the FIFO");
    cr_assert_eq(pc_next_deadline(&PC), clock_now(&C.clock) + HZ / PC_CONSOLE_POLL_HZ);
}
