/*
 * emu/cpu/x87_arith.c: x87 arithmetic and comparisons (SDM Vol 1 8.3.5-8.3.7,
 * 8.3.9; Vol 2A each instruction): FADD, FSUB(R), FMUL, FDIV(R) in every form
 * (ST(0),ST(i); ST(i),ST(0); popping; m32fp, m64fp, m16int, m32int), FCOM,
 * FUCOM, FCOMI, FUCOMI and their popping forms, FTST, FXAM, FABS, FCHS,
 * FSQRT, FRNDINT, FSCALE, FXTRACT, FPREM, FPREM1. The arithmetic itself is
 * softfloat.c's; this file is the stack, the operands and the flags.
 *
 * An operation whose IE, DE or ZE is unmasked leaves its destination and the
 * stack alone; the comparisons still set their condition codes (as silicon
 * does, checked by tests/unit/test_softfloat.c against the host).
 */
#include "emu/cpu/x87.h"

/* the ModRM.reg operations of D8, DC, DA, DE */
enum { AR_ADD, AR_MUL, AR_COM, AR_COMP, AR_SUB, AR_SUBR, AR_DIV, AR_DIVR };

/* d op s, with d the destination's old value */
static sf80 arith(struct sf_env *e, unsigned op, sf80 d, sf80 s)
{
    switch (op) {
    case AR_ADD:
        return sf80_add(e, d, s);
    case AR_MUL:
        return sf80_mul(e, d, s);
    case AR_SUB:
        return sf80_sub(e, d, s);
    case AR_SUBR:
        return sf80_sub(e, s, d);
    case AR_DIV:
        return sf80_div(e, d, s);
    default:
        return sf80_div(e, s, d);
    }
}

/* C3, C2, C0 of a comparison; C1 cleared (SDM Vol 2A FCOM table 3-21) */
static void set_cc(struct cpu *c, enum sf_rel r)
{
    static const uint16_t cc[] = {
        [SF_LT] = FSW_C0, [SF_EQ] = FSW_C3, [SF_GT] = 0, [SF_UN] = FSW_C0 | FSW_C2 | FSW_C3};
    c->x87.fsw = (uint16_t)((c->x87.fsw & ~FSW_CC) | cc[r]);
}

/* ZF, PF, CF of FCOMI/FUCOMI; OF, SF, AF cleared (SDM Vol 2A FCOMI) */
static void set_eflags(struct cpu *c, enum sf_rel r)
{
    static const uint64_t fl[] = {[SF_LT] = RFLAGS_CF,
                                  [SF_EQ] = RFLAGS_ZF,
                                  [SF_GT] = 0,
                                  [SF_UN] = RFLAGS_ZF | RFLAGS_PF | RFLAGS_CF};
    flags_set_status(c, RFLAGS_STATUS, fl[r]);
}

/* compare ST(0) with s under e, pop n times; eflags: FCOMI's EFLAGS instead of C3/C2/C0 */
static void compare(struct cpu *c, struct sf_env *e, sf80 s, bool s_empty, bool signalling,
                    unsigned pops, bool eflags)
{
    enum sf_rel r = SF_UN;
    uint16_t c1 = c->x87.fsw;
    bool ok;
    if (x87_empty(c, 0) || s_empty) {
        ok = x87_stack_fault(c, false);
    } else {
        r = sf80_cmp(e, x87_st(c, 0), s, signalling);
        ok = x87_exceptions(c, e);
        c->x87.fsw &= (uint16_t)~FSW_C1;
    }
    if (eflags) {
        set_eflags(c, r);
        if (!x87_empty(c, 0) && !s_empty) /* FCOMI leaves C1 alone, but for a stack fault */
            c->x87.fsw = (uint16_t)((c->x87.fsw & ~FSW_C1) | (c1 & FSW_C1));
    } else {
        set_cc(c, r);
    }
    if (!ok)
        return;
    while (pops--)
        x87_pop(c);
}

static void compare_st(struct cpu *c, unsigned k, bool signalling, unsigned pops, bool eflags)
{
    struct sf_env e = x87_env(c);
    compare(c, &e, x87_st(c, k), x87_empty(c, k), signalling, pops, eflags);
}

/* ST(d) = ST(d) op s, or the stack underflow's indefinite; then pop if asked */
static void arith_to(struct cpu *c, unsigned d, unsigned op, sf80 s, bool s_empty, struct sf_env *e,
                     bool pop)
{
    if (x87_empty(c, d) || s_empty) {
        if (!x87_stack_fault(c, false))
            return;
        x87_write(c, d, sf80_indefinite());
    } else {
        sf80 r = arith(e, op, x87_st(c, d), s);
        if (!x87_exceptions(c, e))
            return;
        x87_write(c, d, r);
    }
    if (pop)
        x87_pop(c);
}

/* D8, DC, DA, DE with a memory operand: m32fp, m64fp, m32int, m16int. A
 * denormal m32fp/m64fp is DE with the priorities of a register denormal
 * (after NaNs, invalid operations and ZE), which den_hint tells softfloat.c */
HANDLER(op_farith_m)
{
    x87_begin(c, i, X87_ARITH);
    uint64_t ea = cpu_ea(c, i);
    struct sf_env e = x87_env(c), conv = e;
    sf80 s;
    switch (i->op) {
    case 0xd8:
        s = x87_widen32(&conv, (uint32_t)mem_read(c, i->seg, ea, 4));
        break;
    case 0xdc:
        s = x87_widen64(&conv, mem_read(c, i->seg, ea, 8));
        break;
    case 0xda:
        s = sf80_from_int((int32_t)mem_read(c, i->seg, ea, 4));
        break;
    default:
        s = sf80_from_int((int16_t)mem_read(c, i->seg, ea, 2));
    }
    unsigned op = i->reg & 7;
    if (conv.flags & SF_DE) /* the memory operand is s, which SUBR and DIVR put first */
        e.den_hint = op == AR_SUBR || op == AR_DIVR ? SF_DEN_A : SF_DEN_B;
    if (op == AR_COM || op == AR_COMP) {
        compare(c, &e, s, false, true, op == AR_COMP, false);
        return;
    }
    arith_to(c, 0, op, s, false, &e, false);
}

/* D8 C0..FF: op ST(0), ST(i) */
HANDLER(op_farith_st0)
{
    x87_begin(c, i, X87_ARITH);
    unsigned k = i->rm & 7, op = i->reg & 7;
    if (op == AR_COM || op == AR_COMP) {
        compare_st(c, k, true, op == AR_COMP, false);
        return;
    }
    struct sf_env e = x87_env(c);
    arith_to(c, 0, op, x87_st(c, k), x87_empty(c, k), &e, false);
}

/*
 * DC C0..FF: op ST(i), ST(0); DE C0..FF: the same and pop. Here E0/E8 and
 * F0/F8 are FSUBR/FSUB and FDIVR/FDIV, the reverse of D8's order (SDM Vol 2A
 * table A-10). DC D0/D8 and DE D0 are FCOM/FCOMP aliases; DE D9 is FCOMPP.
 */
HANDLER(op_farith_sti)
{
    x87_begin(c, i, X87_ARITH);
    unsigned k = i->rm & 7, op = i->reg & 7;
    bool pop = i->op == 0xde;
    if (op == AR_COM || op == AR_COMP) {
        unsigned pops = i->op == 0xde ? op == AR_COMP ? 2 : 1 : op == AR_COMP;
        compare_st(c, k, true, pops, false);
        return;
    }
    if (op >= AR_SUB)
        op ^= 1;
    struct sf_env e = x87_env(c);
    arith_to(c, k, op, x87_st(c, 0), x87_empty(c, 0), &e, pop);
}

/* DD E0+i, DD E8+i: FUCOM, FUCOMP ST(i); DA E9: FUCOMPP */
HANDLER(op_fucom)
{
    x87_begin(c, i, X87_ARITH);
    unsigned k = i->rm & 7;
    unsigned pops = i->op == 0xda ? 2 : (i->reg & 7) == 5;
    compare_st(c, k, false, pops, false);
}

/* DB E8+i FUCOMI, DB F0+i FCOMI, DF E8+i FUCOMIP, DF F0+i FCOMIP */
HANDLER(op_fcomi)
{
    x87_begin(c, i, X87_ARITH);
    unsigned k = i->rm & 7;
    compare_st(c, k, (i->reg & 7) == 6, i->op == 0xdf, true);
}

/* D9 E4: FTST, ST(0) against +0.0 */
HANDLER(op_ftst)
{
    x87_begin(c, i, X87_ARITH);
    struct sf_env e = x87_env(c);
    compare(c, &e, (sf80){0, 0}, false, true, 0, false);
}

/* D9 E5: FXAM: the class in C3, C2, C0 and the sign in C1 (SDM Vol 2A FXAM table 3-50) */
HANDLER(op_fxam)
{
    static const uint16_t cls[] = {
        [SF_CLS_UNSUPPORTED] = 0,
        [SF_CLS_QNAN] = FSW_C0,
        [SF_CLS_SNAN] = FSW_C0,
        [SF_CLS_NORMAL] = FSW_C2,
        [SF_CLS_INF] = FSW_C2 | FSW_C0,
        [SF_CLS_ZERO] = FSW_C3,
        [SF_CLS_DENORMAL] = FSW_C3 | FSW_C2,
    };
    x87_begin(c, i, X87_ARITH);
    sf80 v = x87_st(c, 0);
    uint16_t cc = x87_empty(c, 0) ? FSW_C3 | FSW_C0 : cls[sf80_class(v)];
    if (sf80_sign(v))
        cc |= FSW_C1;
    c->x87.fsw = (uint16_t)((c->x87.fsw & ~FSW_CC) | cc);
}

/* D9 E0: FCHS; D9 E1: FABS (no exception but the stack's, even for NaNs) */
HANDLER(op_fchs_fabs)
{
    x87_begin(c, i, X87_ARITH);
    c->x87.fsw &= (uint16_t)~FSW_C1;
    if (x87_empty(c, 0)) {
        if (x87_stack_fault(c, false))
            x87_write(c, 0, sf80_indefinite());
        return;
    }
    sf80 v = x87_st(c, 0);
    v.se = (i->rm & 7) == 0 ? v.se ^ 0x8000 : v.se & 0x7fff;
    x87_write(c, 0, v);
}

/* ST(0) = fn(ST(0)) with the stack underflow */
static void unary(struct cpu *c, sf80 (*fn)(struct sf_env *, sf80))
{
    struct sf_env e = x87_env(c);
    if (x87_empty(c, 0)) {
        if (x87_stack_fault(c, false))
            x87_write(c, 0, sf80_indefinite());
        return;
    }
    sf80 r = fn(&e, x87_st(c, 0));
    if (x87_exceptions(c, &e))
        x87_write(c, 0, r);
}

/* D9 FA: FSQRT */
HANDLER(op_fsqrt)
{
    x87_begin(c, i, X87_ARITH);
    unary(c, sf80_sqrt);
}

/* D9 FC: FRNDINT */
HANDLER(op_frndint)
{
    x87_begin(c, i, X87_ARITH);
    unary(c, sf80_round_int);
}

/* D9 FD: FSCALE: ST(0) * 2^trunc(ST(1)) */
HANDLER(op_fscale)
{
    x87_begin(c, i, X87_ARITH);
    struct sf_env e = x87_env(c);
    if (x87_empty(c, 0) || x87_empty(c, 1)) {
        if (x87_stack_fault(c, false))
            x87_write(c, 0, sf80_indefinite());
        return;
    }
    sf80 r = sf80_scale(&e, x87_st(c, 0), x87_st(c, 1));
    if (x87_exceptions(c, &e))
        x87_write(c, 0, r);
}

/* D9 F4: FXTRACT: ST(0) = the exponent, then push the significand */
HANDLER(op_fxtract)
{
    x87_begin(c, i, X87_ARITH);
    struct sf_env e = x87_env(c);
    if (x87_empty(c, 0)) {
        if (x87_stack_fault(c, false)) {
            x87_write(c, 0, sf80_indefinite());
            x87_push(c, sf80_indefinite());
        }
        return;
    }
    if (!x87_empty(c, 7)) {
        if (x87_stack_fault(c, true)) {
            x87_write(c, 0, sf80_indefinite());
            x87_push(c, sf80_indefinite());
        }
        return;
    }
    sf80 ex, sig = sf80_extract(&e, x87_st(c, 0), &ex);
    if (!x87_exceptions(c, &e))
        return;
    x87_write(c, 0, ex);
    x87_push(c, sig);
}

/* D9 F8: FPREM; D9 F5: FPREM1 (the quotient's low bits in C0, C3, C1; C2 when partial) */
HANDLER(op_fprem)
{
    x87_begin(c, i, X87_ARITH);
    struct sf_env e = x87_env(c);
    if (x87_empty(c, 0) || x87_empty(c, 1)) {
        c->x87.fsw &= (uint16_t)~FSW_C2; /* C0 and C3 stay, as for a NaN */
        if (x87_stack_fault(c, false))
            x87_write(c, 0, sf80_indefinite());
        return;
    }
    uint16_t cc;
    sf80 r = sf80_rem(&e, x87_st(c, 0), x87_st(c, 1), (i->rm & 7) == 5, &cc);
    bool ok = x87_exceptions(c, &e);
    if (cc & SF_REM_NAN)
        c->x87.fsw &= (uint16_t) ~(FSW_C1 | FSW_C2);
    else
        c->x87.fsw = (uint16_t)((c->x87.fsw & ~FSW_CC) | cc);
    if (ok)
        x87_write(c, 0, r);
}
