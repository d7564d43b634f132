/*
 * emu/cpu/x87_trans.c: the x87 transcendentals. XXX: not yet: #UD.
 */
#include "emu/cpu/x87.h"

HANDLER(op_f2xm1)
{
    (void)i;
    cpu_ud(c);
}
HANDLER(op_fyl2x)
{
    (void)i;
    cpu_ud(c);
}
HANDLER(op_fyl2xp1)
{
    (void)i;
    cpu_ud(c);
}
HANDLER(op_fptan)
{
    (void)i;
    cpu_ud(c);
}
HANDLER(op_fpatan)
{
    (void)i;
    cpu_ud(c);
}
HANDLER(op_fsincos)
{
    (void)i;
    cpu_ud(c);
}
