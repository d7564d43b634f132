/*
 * test_ferr.c: emu/dev/ferr.c, the x87 error line of the PC: FERR# raises
 * ISA IRQ 13, a write to port 0xF0 (IGNNE#) drops it, through the bus.
 */
#include <criterion/criterion.h>

#include "emu/dev/ferr.h"
#include "emu/platform.h"

static int level = -1;
static unsigned line_seen;
static void set_irq(void *opaque, unsigned line, int lvl)
{
    (void)opaque;
    line_seen = line;
    level = lvl;
}

Test(ferr, raises_irq13_and_port_f0_drops_it)
{
    struct bus b;
    struct ferr f;
    bus_init(&b);
    ferr_init(&f, (struct irq_line){set_irq, NULL, PLAT_IRQ_FPU});
    cr_assert_eq(ferr_register(&f, &b), 0);
    ferr_assert(&f);
    cr_assert_eq(level, 1);
    cr_assert_eq(line_seen, 13);
    cr_assert_eq(bus_pio_read(&b, PLAT_PORT_FPU_IGNNE, 1), 0);
    bus_pio_write(&b, PLAT_PORT_FPU_IGNNE, 0, 1);
    cr_assert_eq(level, 0);
}
