/*
 * emu/cpu/sse_fp.c: SSE and SSE2 floating-point arithmetic on the soft-float
 * core (softfloat.h), with MXCSR's rounding, DAZ, FZ, flags and masks (SDM
 * Vol 1 10.4, 11.4, 11.5; Vol 2 each instruction): ADD, SUB, MUL, DIV,
 * SQRT, MIN, MAX in packed and scalar single and double forms, CMPPS and
 * kin with their eight predicates, COMISS/UCOMISS into EFLAGS, SSE3's
 * HADD, HSUB and ADDSUB, and the approximations RCP and RSQRT.
 *
 * Scalar forms compute the low lane and keep the rest of the destination;
 * their memory operand is 32 or 64 bits, unaligned. Nothing is written until
 * every lane is computed and sse_fp_done has found no unmasked exception.
 */
#include "emu/cpu/simd.h"

void sse_fp_done(struct cpu *c, const struct sf_env *e)
{
    unsigned f = e->flags & SF_ALL, unmasked = f & ~e->mask;
    const unsigned pre = SF_IE | SF_DE | SF_ZE;
    c->mxcsr |= (unmasked & pre) ? f & pre : f;
    if (!unmasked)
        return;
    if (!(c->cr4 & CR4_OSXMMEXCPT))
        cpu_ud(c);
    cpu_raise_noerr(c, VEC_XM);
}

/*
 * MIN and MAX: the source (b) unless a is strictly smaller (larger); any NaN
 * is invalid. With DAZ a denormal operand is a zero of its sign, also as
 * the result.
 */
static sf32 daz32(const struct sf_env *e, sf32 v)
{
    return e->daz && !(v & 0x7f800000u) ? v & 0x80000000u : v;
}
static sf64 daz64(const struct sf_env *e, sf64 v)
{
    return e->daz && !(v & 0x7ff0000000000000ull) ? v & 0x8000000000000000ull : v;
}
static sf32 min32(struct sf_env *e, sf32 a, sf32 b)
{
    return daz32(e, sf32_cmp(e, a, b, true) == SF_LT ? a : b);
}
static sf32 max32(struct sf_env *e, sf32 a, sf32 b)
{
    return daz32(e, sf32_cmp(e, a, b, true) == SF_GT ? a : b);
}
static sf64 min64(struct sf_env *e, sf64 a, sf64 b)
{
    return daz64(e, sf64_cmp(e, a, b, true) == SF_LT ? a : b);
}
static sf64 max64(struct sf_env *e, sf64 a, sf64 b)
{
    return daz64(e, sf64_cmp(e, a, b, true) == SF_GT ? a : b);
}
static sf32 sqrt32(struct sf_env *e, sf32 a, sf32 b)
{
    (void)a;
    return sf32_sqrt(e, b);
}
static sf64 sqrt64(struct sf_env *e, sf64 a, sf64 b)
{
    (void)a;
    return sf64_sqrt(e, b);
}

typedef sf32 op32(struct sf_env *e, sf32 a, sf32 b);
typedef sf64 op64(struct sf_env *e, sf64 a, sf64 b);

/* the source: 16 aligned bytes for the packed forms, the low lane for the scalar ones */
static void fp_source(struct cpu *c, const struct insn *i, union xmm *b, unsigned bytes)
{
    if (bytes == 16)
        xmm_rm(c, i, b, XMM_SSE);
    else if (bytes == 8)
        b->q[0] = xmm_rm64(c, i);
    else
        b->d[0] = xmm_rm32(c, i);
}

static void fp32(struct cpu *c, const struct insn *i, op32 *f, unsigned lanes)
{
    sse_check(c);
    union xmm b, r = c->xmm[i->reg];
    fp_source(c, i, &b, 4 * lanes);
    struct sf_env e = sse_env(c);
    for (unsigned k = 0; k < lanes; k++) {
        r.d[k] = f(&e, r.d[k], b.d[k]);
    }
    sse_fp_done(c, &e);
    c->xmm[i->reg] = r;
}

static void fp64(struct cpu *c, const struct insn *i, op64 *f, unsigned lanes)
{
    sse_check(c);
    union xmm b, r = c->xmm[i->reg];
    fp_source(c, i, &b, 8 * lanes);
    struct sf_env e = sse_env(c);
    for (unsigned k = 0; k < lanes; k++) {
        r.q[k] = f(&e, r.q[k], b.q[k]);
    }
    sse_fp_done(c, &e);
    c->xmm[i->reg] = r;
}

#define FP_HANDLERS(name, f32, f64)                                                                \
    HANDLER(op_##name##ps)                                                                         \
    {                                                                                              \
        fp32(c, i, f32, 4);                                                                        \
    }                                                                                              \
    HANDLER(op_##name##ss)                                                                         \
    {                                                                                              \
        fp32(c, i, f32, 1);                                                                        \
    }                                                                                              \
    HANDLER(op_##name##pd)                                                                         \
    {                                                                                              \
        fp64(c, i, f64, 2);                                                                        \
    }                                                                                              \
    HANDLER(op_##name##sd)                                                                         \
    {                                                                                              \
        fp64(c, i, f64, 1);                                                                        \
    }

FP_HANDLERS(add, sf32_add, sf64_add)
FP_HANDLERS(sub, sf32_sub, sf64_sub)
FP_HANDLERS(mul, sf32_mul, sf64_mul)
FP_HANDLERS(div, sf32_div, sf64_div)
FP_HANDLERS(min, min32, min64)
FP_HANDLERS(max, max32, max64)
FP_HANDLERS(sqrt, sqrt32, sqrt64)

/*
 * CMPPS and kin, 0F C2 ib: the predicate in imm8[2:0] (SDM Vol 2A CMPPS,
 * table 3-1): EQ, LT, LE, UNORD, NEQ, NLT, NLE, ORD. LT, LE, NLT and NLE
 * signal on a quiet NaN too; the others only on a signalling one.
 */
static bool cmp_true(enum sf_rel r, unsigned pred)
{
    switch (pred & 7) {
    case 0:
        return r == SF_EQ;
    case 1:
        return r == SF_LT;
    case 2:
        return r == SF_LT || r == SF_EQ;
    case 3:
        return r == SF_UN;
    case 4:
        return r != SF_EQ;
    case 5:
        return r != SF_LT;
    case 6:
        return r != SF_LT && r != SF_EQ;
    default:
        return r != SF_UN;
    }
}

static bool cmp_signals(unsigned pred)
{
    return (pred & 3) == 1 || (pred & 3) == 2;
}

static void cmp32(struct cpu *c, const struct insn *i, unsigned lanes)
{
    sse_check(c);
    union xmm b, r = c->xmm[i->reg];
    fp_source(c, i, &b, 4 * lanes);
    struct sf_env e = sse_env(c);
    unsigned pred = (unsigned)i->imm;
    for (unsigned k = 0; k < lanes; k++)
        r.d[k] = cmp_true(sf32_cmp(&e, r.d[k], b.d[k], cmp_signals(pred)), pred) ? ~0u : 0;
    sse_fp_done(c, &e);
    c->xmm[i->reg] = r;
}

static void cmp64(struct cpu *c, const struct insn *i, unsigned lanes)
{
    sse_check(c);
    union xmm b, r = c->xmm[i->reg];
    fp_source(c, i, &b, 8 * lanes);
    struct sf_env e = sse_env(c);
    unsigned pred = (unsigned)i->imm;
    for (unsigned k = 0; k < lanes; k++)
        r.q[k] = cmp_true(sf64_cmp(&e, r.q[k], b.q[k], cmp_signals(pred)), pred) ? ~0ull : 0;
    sse_fp_done(c, &e);
    c->xmm[i->reg] = r;
}

HANDLER(op_cmpps)
{
    cmp32(c, i, 4);
}
HANDLER(op_cmpss)
{
    cmp32(c, i, 1);
}
HANDLER(op_cmppd)
{
    cmp64(c, i, 2);
}
HANDLER(op_cmpsd)
{
    cmp64(c, i, 1);
}

/*
 * COMISS/UCOMISS and the double forms, 0F 2F/2E: ZF, PF, CF from the
 * comparison (unordered 111, greater 000, less 001, equal 100), OF, SF, AF
 * cleared. COMIS signals on any NaN, UCOMIS only on a signalling one.
 */
static void comis_flags(struct cpu *c, enum sf_rel r)
{
    static const uint32_t f[4] = {
        [SF_LT] = RFLAGS_CF,
        [SF_EQ] = RFLAGS_ZF,
        [SF_GT] = 0,
        [SF_UN] = RFLAGS_ZF | RFLAGS_PF | RFLAGS_CF,
    };
    flags_set_status(c, RFLAGS_STATUS, f[r]);
}

static void comis32(struct cpu *c, const struct insn *i, bool signalling)
{
    sse_check(c);
    sf32 b = xmm_rm32(c, i);
    struct sf_env e = sse_env(c);
    enum sf_rel r = sf32_cmp(&e, c->xmm[i->reg].d[0], b, signalling);
    sse_fp_done(c, &e);
    comis_flags(c, r);
}

static void comis64(struct cpu *c, const struct insn *i, bool signalling)
{
    sse_check(c);
    sf64 b = xmm_rm64(c, i);
    struct sf_env e = sse_env(c);
    enum sf_rel r = sf64_cmp(&e, c->xmm[i->reg].q[0], b, signalling);
    sse_fp_done(c, &e);
    comis_flags(c, r);
}

HANDLER(op_comiss)
{
    comis32(c, i, true);
}
HANDLER(op_ucomiss)
{
    comis32(c, i, false);
}
HANDLER(op_comisd)
{
    comis64(c, i, true);
}
HANDLER(op_ucomisd)
{
    comis64(c, i, false);
}

/* SSE3: the adjacent pairs of the destination, then of the source */
static void horizontal32(struct cpu *c, const struct insn *i, op32 *f)
{
    sse_check(c);
    union xmm a = c->xmm[i->reg], b, r;
    xmm_rm(c, i, &b, XMM_SSE);
    struct sf_env e = sse_env(c);
    r.d[0] = f(&e, a.d[0], a.d[1]);
    r.d[1] = f(&e, a.d[2], a.d[3]);
    r.d[2] = f(&e, b.d[0], b.d[1]);
    r.d[3] = f(&e, b.d[2], b.d[3]);
    sse_fp_done(c, &e);
    c->xmm[i->reg] = r;
}

static void horizontal64(struct cpu *c, const struct insn *i, op64 *f)
{
    sse_check(c);
    union xmm a = c->xmm[i->reg], b, r;
    xmm_rm(c, i, &b, XMM_SSE);
    struct sf_env e = sse_env(c);
    r.q[0] = f(&e, a.q[0], a.q[1]);
    r.q[1] = f(&e, b.q[0], b.q[1]);
    sse_fp_done(c, &e);
    c->xmm[i->reg] = r;
}

HANDLER(op_haddps)
{
    horizontal32(c, i, sf32_add);
}
HANDLER(op_hsubps)
{
    horizontal32(c, i, sf32_sub);
}
HANDLER(op_haddpd)
{
    horizontal64(c, i, sf64_add);
}
HANDLER(op_hsubpd)
{
    horizontal64(c, i, sf64_sub);
}

/* SSE3 ADDSUBPS/PD: subtract in the even lanes, add in the odd ones */
HANDLER(op_addsubps)
{
    sse_check(c);
    union xmm b, r = c->xmm[i->reg];
    xmm_rm(c, i, &b, XMM_SSE);
    struct sf_env e = sse_env(c);
    for (unsigned k = 0; k < 4; k++) {
        r.d[k] = (k & 1) ? sf32_add(&e, r.d[k], b.d[k]) : sf32_sub(&e, r.d[k], b.d[k]);
    }
    sse_fp_done(c, &e);
    c->xmm[i->reg] = r;
}

HANDLER(op_addsubpd)
{
    sse_check(c);
    union xmm b, r = c->xmm[i->reg];
    xmm_rm(c, i, &b, XMM_SSE);
    struct sf_env e = sse_env(c);
    r.q[0] = sf64_sub(&e, r.q[0], b.q[0]);
    r.q[1] = sf64_add(&e, r.q[1], b.q[1]);
    sse_fp_done(c, &e);
    c->xmm[i->reg] = r;
}

/*
 * RCPPS, RSQRTPS and their scalar forms approximate 1/x and 1/sqrt(x) to a
 * relative error of at most 1.5 * 2^-12 (SDM Vol 2B RCPPS), and the bits
 * differ between vendors and models. baremu's are deterministic and exact:
 * the correctly rounded (to nearest) quotient, with the documented special
 * cases: no exceptions and no flags, MXCSR ignored; a denormal operand is
 * taken as zero and gives an infinity; a result below 2^-126 is flushed to
 * a zero of the operand's sign; a NaN is returned quiet; RSQRT of a
 * negative number is the default NaN.
 */
#define F32_ONE  0x3f800000u
#define F32_INF  0x7f800000u
#define F32_SIGN 0x80000000u
#define F32_QNAN 0x00400000u
#define F64_ONE  0x3ff0000000000000ull

static sf32 approx32(sf32 x, bool rsqrt)
{
    uint32_t sign = x & F32_SIGN, exp = (x >> 23) & 0xff;
    if (exp == 0xff && (x & 0x7fffff))
        return x | F32_QNAN;
    if (exp == 0)
        return sign | F32_INF;
    if (rsqrt && sign)
        return SF32_INDEFINITE;
    if (exp == 0xff)
        return sign;
    struct sf_env e = sf_env_sse();
    sf32 r;
    if (rsqrt)
        r = sf64_to_sf32(&e, sf64_div(&e, F64_ONE, sf64_sqrt(&e, sf32_to_sf64(&e, x))));
    else
        r = sf32_div(&e, F32_ONE, x);
    return ((r >> 23) & 0xff) ? r : sign;
}

static void approx(struct cpu *c, const struct insn *i, unsigned lanes, bool rsqrt)
{
    sse_check(c);
    union xmm b, r = c->xmm[i->reg];
    fp_source(c, i, &b, 4 * lanes);
    for (unsigned k = 0; k < lanes; k++)
        r.d[k] = approx32(b.d[k], rsqrt);
    c->xmm[i->reg] = r;
}

HANDLER(op_rcpps)
{
    approx(c, i, 4, false);
}
HANDLER(op_rcpss)
{
    approx(c, i, 1, false);
}
HANDLER(op_rsqrtps)
{
    approx(c, i, 4, true);
}
HANDLER(op_rsqrtss)
{
    approx(c, i, 1, true);
}
