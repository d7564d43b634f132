/*
 * emu/cpu/x87_ldst.c: the x87's data transfers (SDM Vol 1 8.3.3, 8.3.8; Vol 2A
 * each instruction): FLD/FST/FSTP in m32fp, m64fp, m80fp and ST(i), FILD,
 * FIST, FISTP, FISTTP in m16/m32/m64int, FBLD/FBSTP, the constants, FXCH and
 * FCMOVcc, with their stack faults (SDM Vol 1 8.5.1.1).
 *
 * A store converts first, writes memory (which may fault: nothing has changed
 * yet), and only then commits the flags and pops. A store with an unmasked
 * exception other than PE writes nothing and does not pop.
 */
#include "emu/cpu/x87.h"

/*
 * Push v (computed with e) or fault the stack; overflow when ST(7) is in use.
 * A denormal m32fp/m64fp is loaded even with DE unmasked (then pending), as
 * the host does; an unmasked IE (an SNaN) loads nothing.
 */
static void x87_load(struct cpu *c, const struct sf_env *e, sf80 v)
{
    if (!x87_empty(c, 7)) {
        if (x87_stack_fault(c, true))
            x87_push(c, sf80_indefinite());
        return;
    }
    x87_exceptions(c, e);
    if (!(e->flags & ~e->mask & SF_IE))
        x87_push(c, v);
}

/* D9 /0: FLD m32fp */
HANDLER(op_fld_m32)
{
    x87_begin(c, i, X87_ARITH);
    uint32_t m = (uint32_t)mem_read(c, i->seg, cpu_ea(c, i), 4);
    struct sf_env e = x87_env(c);
    sf80 v = sf32_to_sf80(&e, m);
    x87_load(c, &e, v);
}

/* DD /0: FLD m64fp */
HANDLER(op_fld_m64)
{
    x87_begin(c, i, X87_ARITH);
    uint64_t m = mem_read(c, i->seg, cpu_ea(c, i), 8);
    struct sf_env e = x87_env(c);
    sf80 v = sf64_to_sf80(&e, m);
    x87_load(c, &e, v);
}

/* DB /5: FLD m80fp: loaded as it is, without exceptions */
HANDLER(op_fld_m80)
{
    x87_begin(c, i, X87_ARITH);
    sf80 v = x87_read_m80(c, i);
    struct sf_env e = x87_env(c);
    x87_load(c, &e, v);
}

/* D9 C0+i: FLD ST(i) */
HANDLER(op_fld_st)
{
    x87_begin(c, i, X87_ARITH);
    unsigned k = i->rm & 7;
    struct sf_env e = x87_env(c);
    if (x87_empty(c, k)) {
        if (x87_stack_fault(c, false))
            x87_push(c, sf80_indefinite());
        return;
    }
    x87_load(c, &e, x87_st(c, k));
}

/* DF /0, DB /0, DF /5: FILD m16int, m32int, m64int (exact) */
HANDLER(op_fild)
{
    x87_begin(c, i, X87_ARITH);
    unsigned size = i->op == 0xdf ? (i->reg & 7) == 5 ? 8 : 2 : 4;
    int64_t v = sext(mem_read(c, i->seg, cpu_ea(c, i), size), size);
    struct sf_env e = x87_env(c);
    x87_load(c, &e, sf80_from_int(v));
}

/* the constants, with 128 bits (SDM Vol 1 8.3.8: rounded to 64 bits by RC, no PE) */
struct x87_const {
    uint64_t hi, lo;
    int16_t exp; /* of the integer bit */
};
static const struct x87_const x87_consts[8] = {
    [0] = {0x8000000000000000ull, 0, 0},                      /* FLD1 */
    [1] = {0xd49a784bcd1b8afeull, 0x492bf6ff4dafdb4cull, 1},  /* FLDL2T: log2(10) */
    [2] = {0xb8aa3b295c17f0bbull, 0xbe87fed0691d3e88ull, 0},  /* FLDL2E: log2(e) */
    [3] = {0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull, 1},  /* FLDPI */
    [4] = {0x9a209a84fbcff798ull, 0x8f8959ac0b7c9178ull, -2}, /* FLDLG2: log10(2) */
    [5] = {0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull, -1}, /* FLDLN2: ln(2) */
    [6] = {0, 0, 0},                                          /* FLDZ */
};

/* D9 E8..EE: FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ */
HANDLER(op_fldconst)
{
    x87_begin(c, i, X87_ARITH);
    const struct x87_const *k = &x87_consts[i->rm & 7];
    struct sf_env e = x87_env(c);
    sf80 v = {0, 0};
    if (k->hi) {
        uint64_t m = k->hi;
        bool half = k->lo >> 63, rest = k->lo << 1;
        bool up = false;
        switch (e.round) {
        case SF_RN:
            up = half && (rest || (m & 1));
            break;
        case SF_RU:
            up = k->lo != 0;
            break;
        default:
            break;
        }
        v = (sf80){m + up, (uint16_t)(16383 + k->exp)}; /* no constant is all ones */
    }
    e.flags = 0;
    x87_load(c, &e, v);
}

/* ---- stores -------------------------------------------------------------------- */

/* ST(0) for a store, or the stack underflow: false when nothing is stored */
static bool store_source(struct cpu *c, sf80 *v, bool *fault)
{
    *fault = x87_empty(c, 0);
    if (!*fault) {
        *v = x87_st(c, 0);
        return true;
    }
    return c->x87.fcw & FSW_IE; /* masked: the indefinite goes out */
}

static void store_done(struct cpu *c, bool fault, const struct sf_env *e, bool pop)
{
    if (fault) {
        if (!x87_stack_fault(c, false))
            return;
    } else if (!x87_exceptions(c, e) || (e->flags & ~e->mask & (SF_OE | SF_UE))) {
        return; /* an unmasked exception: no pop */
    }
    if (pop)
        x87_pop(c);
}

/* D9 /2, D9 /3, DD /2, DD /3: FST/FSTP m32fp, m64fp */
HANDLER(op_fst_m)
{
    x87_begin(c, i, X87_ARITH);
    bool dbl = i->op == 0xdd, pop = (i->reg & 7) == 3, fault;
    x87_probe_write(c, i->seg, cpu_ea(c, i), dbl ? 8 : 4); /* the access faults first */
    sf80 v;
    struct sf_env e = x87_env(c);
    if (store_source(c, &v, &fault)) {
        uint64_t m = fault ? (dbl ? SF64_INDEFINITE : SF32_INDEFINITE)
                     : dbl ? sf80_to_sf64(&e, v)
                           : sf80_to_sf32(&e, v);
        if (fault || !(e.flags & ~e.mask & (SF_ALL & ~SF_PE)))
            mem_write(c, i->seg, cpu_ea(c, i), dbl ? 8 : 4, m);
    }
    store_done(c, fault, &e, pop);
}

/* DB /7: FSTP m80fp */
HANDLER(op_fstp_m80)
{
    x87_begin(c, i, X87_ARITH);
    bool fault;
    x87_probe_m80(c, i);
    sf80 v;
    struct sf_env e = x87_env(c);
    if (store_source(c, &v, &fault))
        x87_write_m80(c, i, fault ? sf80_indefinite() : v);
    store_done(c, fault, &e, true);
}

/*
 * DD D0+i, DD D8+i: FST/FSTP ST(i); D9 D8+i, DF D0+i, DF D8+i: FSTP ST(i)
 * aliases. FSTP1 (D9 D8+i) from an empty ST(0) only pops, without a stack
 * fault, on the AMD host the oracle runs on (docs/cpu-divergences.md).
 */
HANDLER(op_fst_st)
{
    x87_begin(c, i, X87_ARITH);
    bool pop = !(i->op == 0xdd && (i->reg & 7) == 2), fault;
    sf80 v;
    struct sf_env e = x87_env(c);
    if (i->op == 0xd9 && x87_empty(c, 0)) {
        c->x87.fsw &= (uint16_t)~FSW_C1;
        x87_pop(c);
        return;
    }
    if (store_source(c, &v, &fault))
        x87_write(c, i->rm & 7, fault ? sf80_indefinite() : v);
    store_done(c, fault, &e, pop);
}

/* the integer stores: DF /2 /3 /7 (m16, m64), DB /2 /3 (m32), and FISTTP DF /1, DB /1, DD /1 */
static void fist(struct cpu *c, const struct insn *i, unsigned size, bool pop, bool truncate)
{
    x87_begin(c, i, X87_ARITH);
    bool fault;
    sf80 v;
    struct sf_env e = x87_env(c);
    x87_probe_write(c, i->seg, cpu_ea(c, i), size);
    if (store_source(c, &v, &fault)) {
        enum sf_round rc = truncate ? SF_RZ : (enum sf_round)e.round;
        int64_t m = fault ? (int64_t)(~0ull << (size * 8 - 1)) : sf80_to_int(&e, v, size, rc);
        if (fault || !(e.flags & ~e.mask & SF_IE))
            mem_write(c, i->seg, cpu_ea(c, i), size, (uint64_t)m);
    }
    store_done(c, fault, &e, pop);
}

HANDLER(op_fist)
{
    static const uint8_t size[8] = {[2] = 2, [3] = 2, [7] = 8};
    unsigned r = i->reg & 7;
    fist(c, i, i->op == 0xdb ? 4 : size[r], r != 2, false);
}

HANDLER(op_fisttp)
{
    fist(c, i, i->op == 0xdb ? 4 : i->op == 0xdd ? 8 : 2, true, true);
}

/* ---- packed BCD (SDM Vol 1 4.7) ------------------------------------------------ */

#define BCD_DIGITS 18

/* DF /4: FBLD m80bcd; digits above 9 are undefined by the SDM: taken at their value */
HANDLER(op_fbld)
{
    x87_begin(c, i, X87_ARITH);
    sf80 raw = x87_read_m80(c, i);
    int64_t v = 0;
    for (int k = BCD_DIGITS - 1; k >= 0; k--) {
        uint64_t byte = k >= 16 ? raw.se : raw.mant >> (4 * k);
        v = v * 10 + (int64_t)((k >= 16 ? byte >> (4 * (k - 16)) : byte) & 0xf);
    }
    sf80 r = sf80_from_int(v);
    if (raw.se & 0x8000)
        r.se |= 0x8000; /* -0 stays -0 */
    struct sf_env e = x87_env(c);
    x87_load(c, &e, r);
}

/* DF /6: FBSTP m80bcd: rounded by RC; beyond 18 digits or NaN is IE and the BCD indefinite */
HANDLER(op_fbstp)
{
    static const sf80 bcd_indefinite = {0xc000000000000000ull, 0xffff};
    x87_begin(c, i, X87_ARITH);
    bool fault;
    sf80 v;
    struct sf_env e = x87_env(c);
    x87_probe_m80(c, i);
    if (store_source(c, &v, &fault)) {
        sf80 out = bcd_indefinite;
        if (!fault) {
            int64_t n = sf80_to_int(&e, v, 8, (enum sf_round)e.round);
            uint64_t mag = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
            if ((e.flags & SF_IE) || mag > 999999999999999999ull) {
                e.flags = (e.flags & ~(SF_PE | SF_UP)) | SF_IE;
            } else {
                out.mant = 0;
                for (unsigned k = 0; k < 16; k++, mag /= 10)
                    out.mant |= (mag % 10) << (4 * k);
                out.se = (uint16_t)((sf80_sign(v) ? 0x8000 : 0) | (mag % 10) | (mag / 10) << 4);
            }
        }
        if (fault || !(e.flags & ~e.mask & SF_IE))
            x87_write_m80(c, i, out);
    }
    store_done(c, fault, &e, true);
}

/* ---- FXCH, FCMOVcc ------------------------------------------------------------- */

/* D9 C8+i: FXCH ST(i), and its aliases DD C8+i, DF C8+i */
HANDLER(op_fxch)
{
    x87_begin(c, i, X87_ARITH);
    unsigned k = i->rm & 7;
    c->x87.fsw &= (uint16_t)~FSW_C1;
    if (x87_empty(c, 0) || x87_empty(c, k)) {
        if (!x87_stack_fault(c, false))
            return;
        if (x87_empty(c, 0))
            x87_write(c, 0, sf80_indefinite());
        if (x87_empty(c, k))
            x87_write(c, k, sf80_indefinite());
    }
    sf80 a = x87_st(c, 0), b = x87_st(c, k);
    x87_write(c, 0, b);
    x87_write(c, k, a);
}

/* DA C0..DF, DB C0..DF: FCMOVB, E, BE, U and FCMOVNB, NE, NBE, NU ST(0), ST(i) */
HANDLER(op_fcmov)
{
    static const uint8_t cond[4] = {0x2, 0x4, 0x6, 0xa}; /* B, E, BE, P as Jcc numbers them */
    x87_begin(c, i, X87_ARITH);
    unsigned k = i->rm & 7;
    if (x87_empty(c, 0) || x87_empty(c, k)) {
        if (x87_stack_fault(c, false))
            x87_write(c, 0, sf80_indefinite());
        return;
    }
    if (flags_cond(c, cond[i->reg & 3] | (i->op == 0xdb)))
        x87_write(c, 0, x87_st(c, k));
}
