/*
 * dsdt.asl: the static part of the guest's namespace (ACPI 6.3 chapter 19,
 * ASL). firmware/firmware.mk compiles it with iasl into a C array; the
 * per-vCPU objects are in an SSDT written at run time (firmware/ssdt.c).
 *
 * Every address, port and IRQ here is one of emu/platform.h; iasl cannot
 * read that header, so tests/unit/test_firmware_acpi.c checks each resource
 * descriptor of the compiled table against it.
 */
DefinitionBlock ("", "DSDT", 2, "BAREMU", "BAREMUPC", 1)
{
    /* 5.8.1 _PIC: the OS says which interrupt model it uses (0 PIC, 1 APIC) */
    Name (PICM, Zero)
    Method (_PIC, 1, NotSerialized)
    {
        PICM = Arg0
    }

    /*
     * 7.4.2 \_S5: SLP_TYPa, SLP_TYPb for soft-off. The platform stops the
     * machine when the guest writes SLP_TYP = PLAT_SLP_TYP_S5 with SLP_EN.
     */
    Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero })

    Scope (_SB)
    {
        /*
         * The PCI host bridge: configuration mechanism #1 at 0xCF8
         * (PLAT_PORT_PCI_CONFIG), bus 0 only. Linux's ACPI needs one (see
         * docs/firmware.md). Its windows: every I/O port but the config
         * ports, the legacy VGA window, and the MMIO hole up to the first
         * fixed device (PLAT_MMIO_HOLE_BASE..PLAT_VIRTIO_MMIO_BASE).
         */
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A03"))
            Name (_UID, Zero)
            Name (_BBN, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000, 0x0000, 0x00FF, 0x0000, 0x0100)
                IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0x0000, 0x0CF7, 0x0000, 0x0CF8)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0x0D00, 0xFFFF, 0x0000, 0xF300)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite,
                    0x00000000, 0x000A0000, 0x000BFFFF, 0x00000000, 0x00020000)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                    0x00000000, 0xC0000000, 0xFEAFFFFF, 0x00000000, 0x3EB00000)
            })
        }

        /* IA-PC HPET 1.0a 3.2.5: PNP0103 with the block at PLAT_HPET_BASE */
        Device (HPET)
        {
            Name (_HID, EisaId ("PNP0103"))
            Name (_UID, Zero)
            Method (_STA, 0, NotSerialized)
            {
                Return (0x0F)
            }
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadOnly, 0xFED00000, 0x00000400)
            })
        }

        /* the CMOS RTC: PLAT_PORT_RTC, ISA IRQ PLAT_IRQ_RTC (edge, high) */
        Device (RTC)
        {
            Name (_HID, EisaId ("PNP0B00"))
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0070, 0x0070, 0x01, 0x08)
                IRQNoFlags () {8}
            })
        }

        /* COM1, a 16550: PLAT_PORT_COM1, ISA IRQ PLAT_IRQ_COM1 */
        Device (COM1)
        {
            Name (_HID, EisaId ("PNP0501"))
            Name (_UID, One)
            Method (_STA, 0, NotSerialized)
            {
                Return (0x0F)
            }
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
                IRQNoFlags () {4}
            })
        }
    }
}
