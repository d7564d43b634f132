/*
 * test_chipset.c: the reset and A20 controls (emu/dev/resetctl.h), the i8042
 * (emu/dev/i8042.h) and PCI configuration mechanism #1 (emu/dev/pci.h).
 */
#include "emu/dev/i8042.h"
#include "emu/dev/pci.h"
#include "emu/dev/resetctl.h"
#include "emu/platform.h"

#include <criterion/criterion.h>

static struct bus B;
static struct resetctl RC;
static struct i8042 K;
static struct pci_host P;
static unsigned resets;
static int a20 = -1;

static void on_reset(void *opaque)
{
    (void)opaque;
    resets++;
}

static void on_a20(void *opaque, bool on)
{
    (void)opaque;
    a20 = on;
}

static void setup(void)
{
    bus_init(&B);
    resets = 0;
    a20 = -1;
    struct reset_lines lines = {on_reset, on_a20, NULL};
    resetctl_init(&RC, lines);
    i8042_init(&K, lines);
    pci_host_init(&P, &RC);
    cr_assert_eq(resetctl_register(&RC, &B), 0);
    cr_assert_eq(i8042_register(&K, &B), 0);
    cr_assert_eq(pci_host_register(&P, &B), 0);
}

static uint8_t in8(uint16_t port)
{
    return (uint8_t)bus_pio_read(&B, port, 1);
}

static void out8(uint16_t port, uint8_t v)
{
    bus_pio_write(&B, port, v, 1);
}

/* ---- port 0x92 and 0xcf9 ---- */

Test(chipset, port92_a20_and_fast_reset)
{
    setup();
    cr_assert_eq(in8(0x92), PORT92_A20);
    out8(0x92, 0);
    cr_assert_eq(a20, 0);
    out8(0x92, PORT92_A20);
    cr_assert_eq(a20, 1);
    cr_assert_eq(resets, 0);
    out8(0x92, PORT92_A20 | PORT92_RESET);
    cr_assert_eq(resets, 1);
    out8(0x92, PORT92_A20 | PORT92_RESET);
    cr_assert_eq(resets, 1, "only a rising edge resets");
}

Test(chipset, cf9_reset_control)
{
    setup();
    out8(PLAT_PORT_RESET, RCR_SYS_RST);
    cr_assert_eq(resets, 0);
    cr_assert_eq(in8(PLAT_PORT_RESET), RCR_SYS_RST);
    out8(PLAT_PORT_RESET, PLAT_RESET_VALUE);
    cr_assert_eq(resets, 1, "the FADT's RESET_VALUE resets");
}

/* ---- i8042 ---- */

Test(chipset, i8042_self_test_and_command_byte)
{
    setup();
    cr_assert_eq(in8(0x64) & KBD_STAT_OBF, 0);
    out8(0x64, KBD_CCMD_SELF_TEST);
    cr_assert(in8(0x64) & KBD_STAT_OBF);
    cr_assert_eq(in8(0x60), KBD_SELF_TEST_OK);
    cr_assert_eq(in8(0x64) & KBD_STAT_OBF, 0);
    cr_assert(in8(0x64) & KBD_STAT_SYS);
    out8(0x64, KBD_CCMD_WRITE_MODE);
    out8(0x60, 0x47);
    out8(0x64, KBD_CCMD_READ_MODE);
    cr_assert_eq(in8(0x60), 0x47);
    out8(0x64, KBD_CCMD_KBD_TEST);
    cr_assert_eq(in8(0x60), 0);
}

Test(chipset, i8042_reset_pulse)
{
    setup();
    out8(0x64, KBD_CCMD_RESET);
    cr_assert_eq(resets, 1);
    out8(0x64, 0xf1); /* bit 0 set: no pulse on the reset line */
    cr_assert_eq(resets, 1);
    out8(0x64, KBD_CCMD_WRITE_OUTPORT);
    out8(0x60, KBD_OUT_A20); /* reset bit low */
    cr_assert_eq(resets, 2);
}

Test(chipset, i8042_a20)
{
    setup();
    out8(0x64, KBD_CCMD_DISABLE_A20);
    cr_assert_eq(a20, 0);
    out8(0x64, KBD_CCMD_READ_OUTPORT);
    cr_assert_eq(in8(0x60) & KBD_OUT_A20, 0);
    out8(0x64, KBD_CCMD_WRITE_OUTPORT);
    out8(0x60, KBD_OUT_RESET | KBD_OUT_A20);
    cr_assert_eq(a20, 1);
    cr_assert_eq(resets, 0);
    cr_assert_eq(in8(0x61), 0xff, "0x61 is not the i8042's");
}

/* ---- PCI configuration mechanism #1 ---- */

static uint32_t cfg_read(unsigned dev, unsigned reg)
{
    bus_pio_write(&B, 0xcf8, PCI_CONFIG_ENABLE | dev << 11 | reg, 4);
    return bus_pio_read(&B, 0xcfc, 4);
}

Test(chipset, pci_type1_probe)
{
    setup();
    /* Linux's pci_check_type1() */
    out8(0xcfb, 0x01);
    bus_pio_write(&B, 0xcf8, 0x80000000u, 4);
    cr_assert_eq(bus_pio_read(&B, 0xcf8, 4), 0x80000000u);
    bus_pio_write(&B, 0xcf8, 0xffffffffu, 4);
    cr_assert_eq(bus_pio_read(&B, 0xcf8, 4), PCI_CONFIG_ADDR_MASK);
}

Test(chipset, pci_host_bridge)
{
    setup();
    cr_assert_eq(cfg_read(0, PCI_VENDOR_ID), PCI_DEVICE_I440FX << 16 | PCI_VENDOR_INTEL);
    cr_assert_eq(cfg_read(0, PCI_REVISION) >> 8, PCI_CLASS_HOST_BRIDGE);
    cr_assert_eq(cfg_read(0, PCI_SUBSYS_VENDOR), PCI_SUBSYS_QEMU << 16 | PCI_VENDOR_QEMU);
    cr_assert_eq(cfg_read(1, PCI_VENDOR_ID), 0xffffffffu, "nothing else on the bus");
    bus_pio_write(&B, 0xcf8, PCI_CONFIG_ENABLE | PCI_VENDOR_ID, 4);
    cr_assert_eq(bus_pio_read(&B, 0xcfe, 2), PCI_DEVICE_I440FX);
    bus_pio_write(&B, 0xcf8, PCI_VENDOR_ID, 4);
    cr_assert_eq(bus_pio_read(&B, 0xcfc, 4), 0xffffffffu, "enable bit clear");
}

Test(chipset, pci_writable_bits)
{
    setup();
    bus_pio_write(&B, 0xcf8, PCI_CONFIG_ENABLE | PCI_VENDOR_ID, 4);
    bus_pio_write(&B, 0xcfc, 0, 4);
    cr_assert_eq(cfg_read(0, PCI_VENDOR_ID), PCI_DEVICE_I440FX << 16 | PCI_VENDOR_INTEL);
    bus_pio_write(&B, 0xcf8, PCI_CONFIG_ENABLE | PCI_COMMAND, 4);
    bus_pio_write(&B, 0xcfc, 0xffff, 2);
    cr_assert_eq(cfg_read(0, PCI_COMMAND) & 0xffff, 0x0007);
}

/* ---- the i440FX PAM registers (82441FX datasheet 3.2.18) ---- */

static uint8_t pam_seen[PCI_PAM_SEGS];
static int pam_calls;

static void on_pam(void *opaque, const uint8_t rights[PCI_PAM_SEGS])
{
    (void)opaque;
    memcpy(pam_seen, rights, sizeof pam_seen);
    pam_calls++;
}

Test(chipset, pam_registers_give_shadow_rights)
{
    setup();
    P.pam_changed = on_pam;
    pam_calls = 0;
    cr_assert_eq(cfg_read(0, 0x58) >> 8, 0, "PAM0-2 reset to 0: everything to the ROM");
    /* as SeaBIOS's make_bios_writable does it: dword writes at 0x58 and 0x5c */
    bus_pio_write(&B, 0xcf8, PCI_CONFIG_ENABLE | 0x58, 4);
    bus_pio_write(&B, 0xcfc, 0x33333000u | 0xff, 4);
    cr_assert_eq(cfg_read(0, 0x58), 0x33333000u, "0x58 is read-only; PAM0's low nibble reserved");
    cr_assert_eq(pam_calls, 1);
    for (unsigned k = 0; k < 4; k++)
        cr_assert_eq(pam_seen[k], 3, "segment %u (PAM1-2, in the dword at 0x58)", k);
    for (unsigned k = 4; k < 12; k++)
        cr_assert_eq(pam_seen[k], 0, "segment %u (PAM3-6 not written yet)", k);
    for (unsigned k = 12; k < 16; k++)
        cr_assert_eq(pam_seen[k], 3, "0xF0000 (PAM0)");
    bus_pio_write(&B, 0xcf8, PCI_CONFIG_ENABLE | 0x5c, 4);
    bus_pio_write(&B, 0xcfc, 0x00211233u, 4); /* PAM3 0x33, PAM4 0x12, PAM5 0x21 */
    cr_assert_eq(pam_calls, 2);
    cr_assert_eq(pam_seen[6], 2, "0xD8000: PAM4 low nibble, write only");
    cr_assert_eq(pam_seen[7], 1, "0xDC000: PAM4 high nibble, read only");
    cr_assert_eq(pam_seen[8], 1, "0xE0000: PAM5 low");
    cr_assert_eq(pam_seen[9], 2, "0xE4000: PAM5 high");
    bus_pio_write(&B, 0xcfc, 0x00211233u, 4);
    cr_assert_eq(pam_calls, 2, "no call when nothing changed");
}
