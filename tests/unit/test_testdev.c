/*
 * test_testdev.c: QEMU's test-harness devices (emu/dev/testdev.h,
 * emu/dev/debugexit.h) and the ISA interrupt lines (emu/isa.h) they drive.
 */
#include "emu/dev/debugexit.h"
#include "emu/dev/pic.h"
#include "emu/dev/testdev.h"
#include "emu/isa.h"
#include "tests/unit/apic_rig.h"

static struct rig R;
static struct bus B;
static struct testdev T;
static struct debugexit D;
static struct pic P;
static struct isa_irq ISA;
static int exit_status = -1;

static void record_exit(void *opaque, int status)
{
    (void)opaque;
    exit_status = status;
}

static void setup(void)
{
    rig_init(&R, 2);
    rig_sw_enable_all(&R);
    bus_init(&B);
    pic_init(&P, (struct irq_line){lapic_set_lint, &R.cpu[0], 0});
    ISA = (struct isa_irq){{pic_set_irq, &P, 0}, {ioapic_set_irq, &R.ioapic, 0}};
    testdev_init(&T, (struct irq_line){isa_set_irq, &ISA, 0});
    debugexit_init(&D, record_exit, NULL);
    cr_assert_eq(pic_register(&P, &B), 0);
    cr_assert_eq(testdev_register(&T, &B), 0);
    cr_assert_eq(debugexit_register(&D, &B), 0);
}

Test(testdev, scratch_register)
{
    setup();
    bus_pio_write(&B, 0xe0, 0x12345678, 4);
    cr_assert_eq(bus_pio_read(&B, 0xe0, 4), 0x12345678);
    cr_assert_eq(bus_pio_read(&B, 0xe2, 2), 0x1234);
    bus_pio_write(&B, 0xe9, 0xab, 1);
    cr_assert_eq(bus_pio_read(&B, 0xe0, 4), 0x1234ab78, "0xe8 is the same register, by bytes");
    cr_assert_eq(bus_pio_read(&B, 0xe9, 1), 0xab);
    bus_pio_write(&B, 0xe8, 0xffff, 2);
    cr_assert_eq(bus_pio_read(&B, 0xe0, 4), 0x1234ab78, "no word access at 0xe8");
    bus_pio_write(&B, 0xe4, 0x1000, 4); /* flush page: accepted */
}

Test(testdev, irq_lines_reach_pic_and_ioapic)
{
    setup();
    rig_redir(&R, 4, ((uint64_t)1 << IOREDTBL_DEST_SHIFT) | 0x44);
    bus_pio_write(&B, PLAT_PORT_TESTDEV_IRQ + 4, 1, 1);
    cr_assert(rig_irr(&R, 1, 0x44), "IOAPIC pin 4 to APIC 1");
    cr_assert(lapic_events(&R.cpu[0]) & LAPIC_EV_EXTINT, "and 8259 IRQ 4 to the BSP's LINT0");
    bus_pio_write(&B, PLAT_PORT_TESTDEV_IRQ + 4, 0, 1);
    cr_assert_eq(pic_read_irq(&P), 4, "the 8259 latched the edge (ICW2 base 0)");
    cr_assert_not(lapic_events(&R.cpu[0]) & LAPIC_EV_EXTINT);
}

Test(testdev, irq0_is_gsi2)
{
    setup();
    cr_assert_eq(isa_irq_gsi(0), 2);
    cr_assert_eq(isa_irq_gsi(9), 9);
    rig_redir(&R, 2, 0x50);
    bus_pio_write(&B, PLAT_PORT_TESTDEV_IRQ + 0, 1, 1);
    cr_assert(rig_irr(&R, 0, 0x50));
}

Test(testdev, pci_lines_ioapic_only)
{
    setup();
    rig_redir(&R, 20, IOREDTBL_LEVEL | 0x60);
    bus_pio_write(&B, PLAT_PORT_TESTDEV_IRQ + 20, 1, 1);
    cr_assert(rig_irr(&R, 0, 0x60));
    cr_assert(rig_redir_rd(&R, 20) & IOREDTBL_REMOTE_IRR);
    bus_pio_write(&B, PLAT_PORT_TESTDEV_IRQ + 24, 1, 1); /* past the lines: unassigned */
    isa_set_irq(&ISA, 99, 1);
}

Test(testdev, debug_exit_status)
{
    setup();
    cr_assert_eq(bus_pio_read(&B, PLAT_PORT_DEBUG_EXIT, 4), 0);
    bus_pio_write(&B, PLAT_PORT_DEBUG_EXIT, 0, 4);
    cr_assert_eq(exit_status, 1);
    bus_pio_write(&B, PLAT_PORT_DEBUG_EXIT, 2, 4);
    cr_assert_eq(exit_status, 5, "as QEMU: (v << 1) | 1");
    bus_pio_write(&B, PLAT_PORT_DEBUG_EXIT + 3, 1, 1);
    cr_assert_eq(exit_status, 3);
}
