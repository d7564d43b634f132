/*
 * test_ioapic.c: the I/O APIC (emu/dev/ioapic.h), Intel 82093AA datasheet
 * with the version 0x20 EOI register, driven through the bus and its pins.
 */
#include "tests/unit/apic_rig.h"

static struct rig R;

#define DEST(id) ((uint64_t)(id) << IOREDTBL_DEST_SHIFT)
#define MODE(m)  ((uint64_t)(m) << 8)
#define LEVEL    IOREDTBL_LEVEL
#define MASKED   IOREDTBL_MASKED

static void setup(unsigned n)
{
    rig_init(&R, n);
    rig_sw_enable_all(&R);
}

static void pin(unsigned p, int level)
{
    ioapic_set_irq(&R.ioapic, p, level);
}

Test(ioapic, id_version_arbitration)
{
    setup(2);
    cr_assert_eq(rig_io_rd(&R, IOAPIC_REG_ID), 2u << 24, "the ID it was given");
    cr_assert_eq(rig_io_rd(&R, IOAPIC_REG_VERSION), 0x00170020, "version 0x20, 24 entries");
    rig_io_wr(&R, IOAPIC_REG_ID, 0xffffffff);
    cr_assert_eq(rig_io_rd(&R, IOAPIC_REG_ID), 0x0f000000, "bits 27:24 only");
    cr_assert_eq(rig_io_rd(&R, IOAPIC_REG_ARB), 0x0f000000);
    rig_io_wr(&R, IOAPIC_REG_VERSION, 0);
    rig_io_wr(&R, IOAPIC_REG_ARB, 0);
    cr_assert_eq(rig_io_rd(&R, IOAPIC_REG_VERSION), 0x00170020, "read-only");
}

Test(ioapic, ioregsel_and_garbage)
{
    setup(1);
    bus_mmio_write(&R.bus, NULL, PLAT_IOAPIC_BASE + IOAPIC_IOREGSEL, 0x1234, 4);
    cr_assert_eq(bus_mmio_read(&R.bus, NULL, PLAT_IOAPIC_BASE + IOAPIC_IOREGSEL, 4), 0x34);
    cr_assert_eq(rig_io_rd(&R, 0x3f), 0, "an index past the table reads 0");
    rig_io_wr(&R, 0x3f, 0xffffffff); /* and writes go nowhere */
    cr_assert_eq(rig_io_rd(&R, 0xff), 0);
    pin(PLAT_IOAPIC_PINS, 1); /* no such pin */
    pin(0xffffffffu, 1);
    cr_assert_eq(bus_mmio_read(&R.bus, NULL, PLAT_IOAPIC_BASE + 0x20, 4), 0);
}

Test(ioapic, reset_masks_every_entry)
{
    setup(1);
    for (unsigned p = 0; p < PLAT_IOAPIC_PINS; p++)
        cr_assert_eq(rig_redir_rd(&R, p), MASKED, "pin %u", p);
}

Test(ioapic, entry_writable_bits)
{
    setup(1);
    rig_redir(&R, 5, ~0ull);
    cr_assert_eq(rig_redir_rd(&R, 5), 0xff0000000001afffull, "status and Remote IRR read-only");
}

/* Aero's ioapic_routes_to_apic1 */
Test(ioapic, edge_fixed_routes_to_apic1)
{
    setup(4);
    rig_redir(&R, 4, DEST(1) | 0x34);
    pin(4, 1);
    cr_assert_eq(rig_irr_mask(&R, 0x34), 1u << 1);
    cr_assert_eq(R.kicks[1], 1);
    cr_assert_not(rig_tmr(&R, 1, 0x34));
    cr_assert_not(rig_redir_rd(&R, 4) & IOREDTBL_REMOTE_IRR);
    cr_assert_eq(lapic_ack(&R.cpu[1]), 0x34);
    pin(4, 1);
    cr_assert_not(rig_irr(&R, 1, 0x34), "no new edge");
    pin(4, 0);
    pin(4, 1);
    cr_assert(rig_irr(&R, 1, 0x34));
}

/* Aero's smp_timer_irq_routed_to_ap: the PIT's GSI steered to an AP, the BSP left alone */
Test(ioapic, timer_irq_routed_to_ap)
{
    setup(4);
    rig_redir(&R, PLAT_GSI_PIT, DEST(2) | 0x30);
    for (unsigned tick = 0; tick < 3; tick++) {
        pin(PLAT_GSI_PIT, 1);
        pin(PLAT_GSI_PIT, 0);
        cr_assert_eq(lapic_ack(&R.cpu[2]), 0x30, "tick %u", tick);
        rig_wr(&R, 2, LAPIC_EOI, 0);
    }
    cr_assert_eq(R.kicks[0], 0, "the BSP stays halted");
    cr_assert_eq(R.kicks[2], 3);
}

Test(ioapic, masked_edge_is_lost)
{
    setup(2);
    rig_redir(&R, 3, DEST(0) | 0x35 | MASKED);
    pin(3, 1);
    rig_redir(&R, 3, DEST(0) | 0x35);
    cr_assert_not(rig_irr(&R, 0, 0x35), "82093AA: edges on a masked pin are ignored");
}

Test(ioapic, level_remote_irr_and_redelivery)
{
    setup(2);
    rig_redir(&R, 9, DEST(1) | LEVEL | 0x36);
    pin(9, 1);
    cr_assert(rig_irr(&R, 1, 0x36));
    cr_assert(rig_tmr(&R, 1, 0x36));
    cr_assert(rig_redir_rd(&R, 9) & IOREDTBL_REMOTE_IRR);
    cr_assert_eq(lapic_ack(&R.cpu[1]), 0x36);
    pin(9, 1);
    cr_assert_not(rig_irr(&R, 1, 0x36), "Remote IRR holds it off");
    /* the handler did not quiet the device: the EOI broadcast delivers it again */
    rig_wr(&R, 1, LAPIC_EOI, 0);
    cr_assert(rig_irr(&R, 1, 0x36));
    cr_assert(rig_redir_rd(&R, 9) & IOREDTBL_REMOTE_IRR);
    cr_assert_eq(lapic_ack(&R.cpu[1]), 0x36);
    pin(9, 0);
    rig_wr(&R, 1, LAPIC_EOI, 0);
    cr_assert_not(rig_redir_rd(&R, 9) & IOREDTBL_REMOTE_IRR);
    cr_assert_not(rig_irr(&R, 1, 0x36));
}

Test(ioapic, level_unmask_delivers_asserted_line)
{
    setup(1);
    rig_redir(&R, 10, DEST(0) | LEVEL | MASKED | 0x37);
    pin(10, 1);
    cr_assert_not(rig_irr(&R, 0, 0x37));
    rig_redir(&R, 10, DEST(0) | LEVEL | 0x37);
    cr_assert(rig_irr(&R, 0, 0x37));
}

Test(ioapic, polarity_active_low)
{
    setup(1);
    rig_redir(&R, 11, DEST(0) | LEVEL | IOREDTBL_ACTIVE_LOW | 0x38);
    cr_assert(rig_irr(&R, 0, 0x38), "a low line is asserted");
    lapic_ack(&R.cpu[0]);
    pin(11, 1);
    rig_wr(&R, 0, LAPIC_EOI, 0);
    cr_assert_not(rig_irr(&R, 0, 0x38), "high is idle");
}

Test(ioapic, eoi_register_with_directed_eoi)
{
    setup(1);
    rig_wr(&R, 0, LAPIC_SVR, SVR_ENABLE | SVR_EOIS | 0xff);
    rig_redir(&R, 12, DEST(0) | LEVEL | 0x39);
    pin(12, 1);
    lapic_ack(&R.cpu[0]);
    rig_wr(&R, 0, LAPIC_EOI, 0);
    cr_assert(rig_redir_rd(&R, 12) & IOREDTBL_REMOTE_IRR, "broadcast suppressed");
    pin(12, 0);
    bus_mmio_write(&R.bus, NULL, PLAT_IOAPIC_BASE + IOAPIC_EOI, 0x38, 4);
    cr_assert(rig_redir_rd(&R, 12) & IOREDTBL_REMOTE_IRR, "another vector");
    bus_mmio_write(&R.bus, NULL, PLAT_IOAPIC_BASE + IOAPIC_EOI, 0x39, 4);
    cr_assert_not(rig_redir_rd(&R, 12) & IOREDTBL_REMOTE_IRR);
}

Test(ioapic, edge_entry_has_no_remote_irr)
{
    setup(1);
    rig_redir(&R, 13, DEST(0) | LEVEL | 0x3a);
    pin(13, 1);
    cr_assert(rig_redir_rd(&R, 13) & IOREDTBL_REMOTE_IRR);
    rig_redir(&R, 13, DEST(0) | 0x3a);
    cr_assert_not(rig_redir_rd(&R, 13) & IOREDTBL_REMOTE_IRR);
}

Test(ioapic, logical_destination)
{
    setup(4);
    for (unsigned i = 0; i < 4; i++)
        rig_wr(&R, i, LAPIC_LDR, (1u << i) << 24);
    rig_redir(&R, 1, DEST(0x0c) | IOREDTBL_LOGICAL | 0x3b);
    pin(1, 1);
    cr_assert_eq(rig_irr_mask(&R, 0x3b), 0xc);
}

Test(ioapic, lowest_priority)
{
    setup(4);
    for (unsigned i = 0; i < 4; i++) {
        rig_wr(&R, i, LAPIC_LDR, (1u << i) << 24);
        rig_wr(&R, i, LAPIC_TPR, 0x80 - 0x10 * i);
    }
    rig_redir(&R, 1, DEST(0x07) | IOREDTBL_LOGICAL | MODE(APIC_DM_LOWEST) | 0x3c);
    pin(1, 1);
    cr_assert_eq(rig_irr_mask(&R, 0x3c), 1u << 2);
}

Test(ioapic, nmi_init_extint_smi)
{
    setup(4);
    rig_redir(&R, 2, DEST(1) | MODE(APIC_DM_NMI) | LEVEL);
    rig_redir(&R, 3, DEST(2) | MODE(APIC_DM_INIT));
    rig_redir(&R, 4, DEST(0) | MODE(APIC_DM_EXTINT));
    rig_redir(&R, 5, DEST(3) | MODE(APIC_DM_SMI));
    for (unsigned p = 2; p <= 5; p++)
        pin(p, 1);
    cr_assert_eq(lapic_events(&R.cpu[1]), LAPIC_EV_NMI);
    cr_assert_eq(lapic_events(&R.cpu[2]), LAPIC_EV_INIT);
    cr_assert_eq(lapic_events(&R.cpu[0]), LAPIC_EV_EXTINT);
    cr_assert_eq(lapic_events(&R.cpu[3]), 0, "SMI dropped");
    cr_assert_not(rig_redir_rd(&R, 2) & IOREDTBL_REMOTE_IRR, "NMI is an edge message");
}

Test(ioapic, physical_broadcast)
{
    setup(4);
    rig_redir(&R, 6, DEST(0xff) | 0x3d);
    pin(6, 1);
    cr_assert_eq(rig_irr_mask(&R, 0x3d), 0xf);
}

Test(ioapic, reaches_x2apic_targets)
{
    setup(2);
    rig_x2apic(&R, 1);
    rig_redir(&R, 7, DEST(1) | 0x3e);
    pin(7, 1);
    cr_assert_eq(rig_irr_mask(&R, 0x3e), 1u << 1);
}
