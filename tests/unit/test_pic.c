/*
 * test_pic.c: the 8259A pair and the ELCR (emu/dev/pic.h), programmed through
 * the ports as a BIOS or Linux would.
 */
#include "emu/dev/pic.h"
#include "tests/unit/apic_rig.h"

static struct bus B;
static struct pic P;
static int int_level;
static unsigned int_calls;

static void record_int(void *opaque, unsigned line, int level)
{
    (void)opaque;
    (void)line;
    int_level = level;
    int_calls++;
}

static void out(uint16_t port, uint8_t v)
{
    bus_pio_write(&B, port, v, 1);
}

static uint8_t in(uint16_t port)
{
    return (uint8_t)bus_pio_read(&B, port, 1);
}

/* Linux's init_8259A(): ICW1 edge + ICW4, bases 0x30/0x38, cascade on IRQ 2, 8086 mode */
static void setup(uint8_t icw4)
{
    bus_init(&B);
    int_level = 0;
    int_calls = 0;
    pic_init(&P, (struct irq_line){record_int, NULL, 0});
    cr_assert_eq(pic_register(&P, &B), 0);
    out(0x20, 0x11);
    out(0x21, 0x30);
    out(0x21, 0x04);
    out(0x21, icw4);
    out(0xa0, 0x11);
    out(0xa1, 0x38);
    out(0xa1, 0x02);
    out(0xa1, icw4);
    out(0x21, 0x00);
    out(0xa1, 0x00);
}

static void eoi_master(void)
{
    out(0x20, PIC_OCW2_EOI);
}

Test(pic, edge_irq0)
{
    setup(0x01);
    pic_set_irq(&P, 0, 1);
    cr_assert_eq(int_level, 1);
    cr_assert_eq(pic_read_irq(&P), 0x30);
    cr_assert_eq(int_level, 0, "INT drops after INTA");
    out(0x20, PIC_OCW3 | PIC_OCW3_RR | PIC_OCW3_RIS);
    cr_assert_eq(in(0x20), 0x01, "ISR");
    pic_set_irq(&P, 0, 0);
    pic_set_irq(&P, 0, 1);
    cr_assert_eq(int_level, 0, "same priority waits for EOI");
    eoi_master();
    cr_assert_eq(int_level, 1);
    cr_assert_eq(in(0x20), 0, "ISR empty until the next INTA");
}

Test(pic, priority_and_nesting)
{
    setup(0x01);
    pic_set_irq(&P, 4, 1);
    pic_set_irq(&P, 1, 1);
    cr_assert_eq(pic_read_irq(&P), 0x31, "IRQ 1 before IRQ 4");
    cr_assert_eq(int_level, 0, "IRQ 4 is below IRQ 1 in service");
    pic_set_irq(&P, 0, 1);
    cr_assert_eq(int_level, 1, "IRQ 0 nests");
    cr_assert_eq(pic_read_irq(&P), 0x30);
    eoi_master();
    eoi_master();
    cr_assert_eq(pic_read_irq(&P), 0x34);
}

Test(pic, mask)
{
    setup(0x01);
    out(0x21, 0x01);
    cr_assert_eq(in(0x21), 0x01);
    pic_set_irq(&P, 0, 1);
    cr_assert_eq(int_level, 0);
    out(0x20, PIC_OCW3 | PIC_OCW3_RR);
    cr_assert_eq(in(0x20), 0x01, "IRR holds the masked request");
    out(0x21, 0x00);
    cr_assert_eq(int_level, 1);
}

Test(pic, cascade)
{
    setup(0x01);
    pic_set_irq(&P, 12, 1);
    cr_assert_eq(int_level, 1);
    cr_assert_eq(pic_read_irq(&P), 0x3c);
    out(0xa0, PIC_OCW3 | PIC_OCW3_RR | PIC_OCW3_RIS);
    cr_assert_eq(in(0xa0), 0x10);
    out(0x20, PIC_OCW3 | PIC_OCW3_RR | PIC_OCW3_RIS);
    cr_assert_eq(in(0x20), 0x04, "the master has IRQ 2 in service");
    out(0xa0, PIC_OCW2_EOI);
    eoi_master();
    cr_assert_eq(in(0x20), 0);
}

Test(pic, spurious_irq7)
{
    setup(0x01);
    cr_assert_eq(pic_read_irq(&P), 0x37);
    out(0x20, PIC_OCW3 | PIC_OCW3_RR | PIC_OCW3_RIS);
    cr_assert_eq(in(0x20), 0, "no ISR bit for a spurious interrupt");
}

Test(pic, elcr_level)
{
    setup(0x01);
    bus_pio_write(&B, PLAT_PORT_ELCR, 0xffff, 2);
    cr_assert_eq(bus_pio_read(&B, PLAT_PORT_ELCR, 2), 0xdef8, "IRQ 0-2, 8, 13 are edge only");
    pic_set_irq(&P, 9, 1);
    cr_assert_eq(pic_read_irq(&P), 0x39);
    out(0xa0, PIC_OCW2_EOI);
    eoi_master();
    cr_assert_eq(int_level, 1, "the line is still high: requested again");
    pic_set_irq(&P, 9, 0);
    /* the master latched the cascade edge; with the request gone the slave answers IRQ 15 */
    cr_assert_eq(pic_read_irq(&P), 0x3f, "8259A: a request dropped before INTA reads as IR7");
    out(0x20, PIC_OCW2_EOI);
    pic_set_irq(&P, 3, 1); /* level by the ELCR written above */
    cr_assert_eq(int_level, 1);
    pic_set_irq(&P, 3, 0);
    cr_assert_eq(int_level, 0, "a level request goes with the line");
}

Test(pic, elcr_survives_icw1)
{
    setup(0x01);
    out(PLAT_PORT_ELCR + 1, 0x02);
    out(0xa0, 0x11);
    cr_assert_eq(in(PLAT_PORT_ELCR + 1), 0x02);
}

Test(pic, auto_eoi)
{
    setup(0x03);
    pic_set_irq(&P, 3, 1);
    cr_assert_eq(pic_read_irq(&P), 0x33);
    out(0x20, PIC_OCW3 | PIC_OCW3_RR | PIC_OCW3_RIS);
    cr_assert_eq(in(0x20), 0);
}

Test(pic, specific_eoi_and_rotation)
{
    setup(0x01);
    pic_set_irq(&P, 5, 1);
    cr_assert_eq(pic_read_irq(&P), 0x35);
    out(0x20, 0x60 | 5); /* specific EOI for IRQ 5 */
    out(0x20, PIC_OCW3 | PIC_OCW3_RR | PIC_OCW3_RIS);
    cr_assert_eq(in(0x20), 0);
    out(0x20, 0xc0 | 4); /* set priority: IRQ 5 highest */
    pic_set_irq(&P, 0, 1);
    pic_set_irq(&P, 6, 1);
    cr_assert_eq(pic_read_irq(&P), 0x36, "IRQ 6 outranks IRQ 0 after rotation");
}

Test(pic, poll_command)
{
    setup(0x01);
    pic_set_irq(&P, 6, 1);
    out(0x20, PIC_OCW3 | PIC_OCW3_POLL);
    cr_assert_eq(in(0x20), 0x86);
    out(0x20, PIC_OCW3 | PIC_OCW3_POLL);
    cr_assert_eq(in(0x20), 0x00, "nothing else");
}

Test(pic, garbage_never_crashes)
{
    setup(0x01);
    for (unsigned v = 0; v < 256; v++) {
        out(0x20, (uint8_t)v);
        out(0x21, (uint8_t)v);
        out(0xa0, (uint8_t)(v * 7));
        out(0xa1, (uint8_t)(v * 13));
        pic_set_irq(&P, v % 16, (int)(v & 1));
        (void)pic_read_irq(&P);
    }
    pic_set_irq(&P, 16, 1);
    pic_set_irq(&P, 0xffffffffu, 1);
}

/* the output drives the BSP's LINT0: ExtINT in virtual-wire mode */
static struct rig R;

Test(pic, virtual_wire_to_bsp_lint0)
{
    rig_init(&R, 2);
    bus_init(&B);
    pic_init(&P, (struct irq_line){lapic_set_lint, &R.cpu[0], 0});
    pic_register(&P, &B);
    out(0x20, 0x11);
    out(0x21, 0x08);
    out(0x21, 0x04);
    out(0x21, 0x01);
    pic_set_irq(&P, 1, 1);
    cr_assert(lapic_events(&R.cpu[0]) & LAPIC_EV_EXTINT);
    cr_assert_not(lapic_events(&R.cpu[1]) & LAPIC_EV_EXTINT);
    /* the run loop takes the event and runs INTA */
    lapic_take_events(&R.cpu[0], LAPIC_EV_EXTINT);
    cr_assert_eq(pic_read_irq(&P), 0x09);
    cr_assert_not(lapic_events(&R.cpu[0]) & LAPIC_EV_EXTINT);
    pic_set_irq(&P, 0, 1);
    cr_assert(lapic_events(&R.cpu[0]) & LAPIC_EV_EXTINT, "IRQ 0 nests above IRQ 1");
}
