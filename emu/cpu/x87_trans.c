/*
 * emu/cpu/x87_trans.c: the x87 transcendentals (SDM Vol 1 8.3.10; Vol 2A each
 * instruction): F2XM1, FYL2X, FYL2XP1, FPATAN, FPTAN, FSIN, FCOS, FSINCOS.
 * The arithmetic is softfloat_trans.c's; this file is the stack, C2 for an
 * argument out of range (|x| >= 2^63: nothing changes) and the flags.
 */
#include "emu/cpu/x87.h"

/* D9 F0: F2XM1 */
HANDLER(op_f2xm1)
{
    x87_begin(c, i, X87_ARITH);
    struct sf_env e = x87_env(c);
    if (x87_empty(c, 0)) {
        if (x87_stack_fault(c, false))
            x87_write(c, 0, sf80_indefinite());
        return;
    }
    sf80 r = sf80_f2xm1(&e, x87_st(c, 0));
    if (x87_exceptions(c, &e))
        x87_write(c, 0, r);
}

/* ST(1) = fn(ST(0), ST(1)), then pop: FYL2X, FYL2XP1, FPATAN */
static void binary_pop(struct cpu *c, sf80 (*fn)(struct sf_env *, sf80, sf80), bool swap)
{
    struct sf_env e = x87_env(c);
    if (x87_empty(c, 0) || x87_empty(c, 1)) {
        if (!x87_stack_fault(c, false))
            return;
        x87_write(c, 1, sf80_indefinite());
    } else {
        sf80 a = x87_st(c, 0), b = x87_st(c, 1);
        sf80 r = swap ? fn(&e, b, a) : fn(&e, a, b);
        if (!x87_exceptions(c, &e))
            return;
        x87_write(c, 1, r);
    }
    x87_pop(c);
}

/* D9 F1: FYL2X: ST(1) = ST(1) log2 ST(0) */
HANDLER(op_fyl2x)
{
    x87_begin(c, i, X87_ARITH);
    binary_pop(c, sf80_yl2x, false);
}

/* D9 F9: FYL2XP1: ST(1) = ST(1) log2 (ST(0) + 1) */
HANDLER(op_fyl2xp1)
{
    x87_begin(c, i, X87_ARITH);
    binary_pop(c, sf80_yl2xp1, false);
}

/* D9 F3: FPATAN: ST(1) = arctan(ST(1) / ST(0)) in the quadrant of (ST(0), ST(1)) */
HANDLER(op_fpatan)
{
    x87_begin(c, i, X87_ARITH);
    binary_pop(c, sf80_atan2, true);
}

/* the stack checks of FPTAN and FSINCOS, which replace ST(0) and push: false when done */
static bool push_checks(struct cpu *c)
{
    if (x87_empty(c, 0) || !x87_empty(c, 7)) {
        c->x87.fsw &= (uint16_t)~FSW_C2;
        if (x87_stack_fault(c, !x87_empty(c, 0))) {
            x87_write(c, 0, sf80_indefinite());
            x87_push(c, sf80_indefinite());
        }
        return false;
    }
    return true;
}

/* D9 F2: FPTAN: ST(0) = tan ST(0), then push 1 */
HANDLER(op_fptan)
{
    x87_begin(c, i, X87_ARITH);
    if (!push_checks(c))
        return;
    struct sf_env e = x87_env(c);
    sf80 t;
    bool in_range = sf80_tan(&e, x87_st(c, 0), &t);
    c->x87.fsw &= (uint16_t)~FSW_C2;
    if (!in_range) {
        c->x87.fsw |= FSW_C2;
        return;
    }
    if (!x87_exceptions(c, &e))
        return;
    x87_write(c, 0, t);
    if (sf80_class(t) != SF_CLS_QNAN) /* a NaN result is not followed by 1 */
        x87_push(c, (sf80){1ull << 63, 0x3fff});
    else
        x87_push(c, t);
}

/* D9 FE: FSIN; D9 FF: FCOS; D9 FB: FSINCOS (ST(0) = sin, then push cos) */
HANDLER(op_fsincos)
{
    x87_begin(c, i, X87_ARITH);
    unsigned which = i->rm & 7; /* 6 sin, 7 cos, 3 both */
    if (which == 3) {
        if (!push_checks(c))
            return;
    } else if (x87_empty(c, 0)) {
        c->x87.fsw &= (uint16_t)~FSW_C2;
        if (x87_stack_fault(c, false))
            x87_write(c, 0, sf80_indefinite());
        return;
    }
    struct sf_env es = x87_env(c), ec = es;
    sf80 s, co;
    bool in_range = sf80_sincos(&es, &ec, x87_st(c, 0), &s, &co);
    c->x87.fsw &= (uint16_t)~FSW_C2;
    if (!in_range) {
        c->x87.fsw |= FSW_C2;
        return;
    }
    if (which == 6) {
        if (x87_exceptions(c, &es))
            x87_write(c, 0, s);
    } else if (which == 7) {
        if (x87_exceptions(c, &ec))
            x87_write(c, 0, co);
    } else {
        ec.flags |= es.flags & SF_ALL;
        if (!x87_exceptions(c, &ec))
            return;
        x87_write(c, 0, s);
        x87_push(c, co);
    }
}
