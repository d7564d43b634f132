/*
 * emu/cpu/sse_cvt.c: the SSE and SSE2 conversions (SDM Vol 1 11.4.4, Vol 2
 * each CVT instruction): between singles and doubles, from and to 32-bit
 * integers in XMM and MMX registers, and from and to general registers
 * (32 or, with REX.W, 64 bits). A result out of range, or a NaN, is the
 * integer indefinite (the most negative integer) with IE; the CVTT forms
 * truncate, the others round as MXCSR.RC says.
 *
 * The forms with an MMX register (CVTPI2PS xmm, mm; CVTPS2PI mm, ...) meet
 * a pending x87 exception first and make the transition to MMX, which has
 * happened when they end in #XM (AMD Zen); CVTPI2PS and CVTPI2PD from
 * memory do neither.
 */
#include "emu/cpu/simd.h"

static int32_t low32(uint64_t v)
{
    return (int32_t)(uint32_t)v;
}

/* the two 32-bit integers of CVTPI2PS/PD: an MMX register, or 64 bits of memory */
static uint64_t pi_source(struct cpu *c, const struct insn *i)
{
    if (i->mod != 3) {
        sse_check(c);
        return mem_read(c, i->seg, cpu_ea(c, i), 8);
    }
    sse_mmx_check(c);
    return mm_get(c, i->rm);
}

/* 0F 2A: CVTPI2PS xmm, mm/m64: the upper half of the destination is kept */
HANDLER(op_cvtpi2ps)
{
    uint64_t v = pi_source(c, i);
    struct sf_env e = sse_env(c);
    sf32 lo = sf32_from_int(&e, low32(v)), hi = sf32_from_int(&e, low32(v >> 32));
    if (i->mod == 3)
        mmx_enter(c); /* before a SIMD exception, as on silicon */
    sse_fp_done(c, &e);
    c->xmm[i->reg].d[0] = lo;
    c->xmm[i->reg].d[1] = hi;
}

/* 66 0F 2A: CVTPI2PD xmm, mm/m64, exact */
HANDLER(op_cvtpi2pd)
{
    uint64_t v = pi_source(c, i);
    struct sf_env e = sse_env(c);
    union xmm r = {.q = {sf64_from_int(&e, low32(v)), sf64_from_int(&e, low32(v >> 32))}};
    if (i->mod == 3)
        mmx_enter(c);
    c->xmm[i->reg] = r;
}

/* F3 0F 2A: CVTSI2SS xmm, r/m32 (r/m64 with REX.W) */
HANDLER(op_cvtsi2ss)
{
    sse_check(c);
    int64_t v = sext(rm_read(c, i, i->osz), i->osz);
    struct sf_env e = sse_env(c);
    sf32 r = sf32_from_int(&e, v);
    sse_fp_done(c, &e);
    c->xmm[i->reg].d[0] = r;
}

/* F2 0F 2A: CVTSI2SD xmm, r/m32 (r/m64 with REX.W); from 64 bits it may round */
HANDLER(op_cvtsi2sd)
{
    sse_check(c);
    int64_t v = sext(rm_read(c, i, i->osz), i->osz);
    struct sf_env e = sse_env(c);
    sf64 r = sf64_from_int(&e, v);
    sse_fp_done(c, &e);
    c->xmm[i->reg].q[0] = r;
}

/* 0F 2D, 0F 2C: CVT(T)PS2PI mm, xmm/m64 */
static void ps2pi(struct cpu *c, const struct insn *i, enum sf_round rc)
{
    sse_mmx_check(c);
    union xmm b;
    b.q[0] = xmm_rm64(c, i);
    struct sf_env e = sse_env(c);
    uint32_t lo = (uint32_t)sf32_to_int(&e, b.d[0], 4, rc);
    uint32_t hi = (uint32_t)sf32_to_int(&e, b.d[1], 4, rc);
    mmx_enter(c); /* before a SIMD exception, as on silicon */
    sse_fp_done(c, &e);
    mm_set(c, i->reg, (uint64_t)hi << 32 | lo);
}

/* 66 0F 2D, 66 0F 2C: CVT(T)PD2PI mm, xmm/m128 */
static void pd2pi(struct cpu *c, const struct insn *i, enum sf_round rc)
{
    sse_mmx_check(c);
    union xmm b;
    xmm_rm(c, i, &b, XMM_SSE);
    struct sf_env e = sse_env(c);
    uint32_t lo = (uint32_t)sf64_to_int(&e, b.q[0], 4, rc);
    uint32_t hi = (uint32_t)sf64_to_int(&e, b.q[1], 4, rc);
    mmx_enter(c); /* before a SIMD exception, as on silicon */
    sse_fp_done(c, &e);
    mm_set(c, i->reg, (uint64_t)hi << 32 | lo);
}

/* F3 0F 2D, 2C: CVT(T)SS2SI r32/r64, xmm/m32 */
static void ss2si(struct cpu *c, const struct insn *i, enum sf_round rc)
{
    sse_check(c);
    sf32 b = xmm_rm32(c, i);
    struct sf_env e = sse_env(c);
    int64_t v = sf32_to_int(&e, b, i->osz, rc);
    sse_fp_done(c, &e);
    reg_write(c, i, i->reg, i->osz, (uint64_t)v);
}

/* F2 0F 2D, 2C: CVT(T)SD2SI r32/r64, xmm/m64 */
static void sd2si(struct cpu *c, const struct insn *i, enum sf_round rc)
{
    sse_check(c);
    sf64 b = xmm_rm64(c, i);
    struct sf_env e = sse_env(c);
    int64_t v = sf64_to_int(&e, b, i->osz, rc);
    sse_fp_done(c, &e);
    reg_write(c, i, i->reg, i->osz, (uint64_t)v);
}

static enum sf_round mxcsr_rc(const struct cpu *c)
{
    return (enum sf_round)((c->mxcsr >> MXCSR_RC_SHIFT) & 3);
}

HANDLER(op_cvtps2pi)
{
    ps2pi(c, i, mxcsr_rc(c));
}
HANDLER(op_cvttps2pi)
{
    ps2pi(c, i, SF_RZ);
}
HANDLER(op_cvtpd2pi)
{
    pd2pi(c, i, mxcsr_rc(c));
}
HANDLER(op_cvttpd2pi)
{
    pd2pi(c, i, SF_RZ);
}
HANDLER(op_cvtss2si)
{
    ss2si(c, i, mxcsr_rc(c));
}
HANDLER(op_cvttss2si)
{
    ss2si(c, i, SF_RZ);
}
HANDLER(op_cvtsd2si)
{
    sd2si(c, i, mxcsr_rc(c));
}
HANDLER(op_cvttsd2si)
{
    sd2si(c, i, SF_RZ);
}

/* 0F 5A: CVTPS2PD xmm, xmm/m64 */
HANDLER(op_cvtps2pd)
{
    sse_check(c);
    union xmm b;
    b.q[0] = xmm_rm64(c, i);
    struct sf_env e = sse_env(c);
    union xmm r = {.q = {sf32_to_sf64(&e, b.d[0]), sf32_to_sf64(&e, b.d[1])}};
    sse_fp_done(c, &e);
    c->xmm[i->reg] = r;
}

/* 66 0F 5A: CVTPD2PS xmm, xmm/m128: the upper half cleared */
HANDLER(op_cvtpd2ps)
{
    sse_check(c);
    union xmm b;
    xmm_rm(c, i, &b, XMM_SSE);
    struct sf_env e = sse_env(c);
    union xmm r = {.q = {0, 0}};
    r.d[0] = sf64_to_sf32(&e, b.q[0]);
    r.d[1] = sf64_to_sf32(&e, b.q[1]);
    sse_fp_done(c, &e);
    c->xmm[i->reg] = r;
}

/* F3 0F 5A: CVTSS2SD xmm, xmm/m32 */
HANDLER(op_cvtss2sd)
{
    sse_check(c);
    sf32 b = xmm_rm32(c, i);
    struct sf_env e = sse_env(c);
    sf64 r = sf32_to_sf64(&e, b);
    sse_fp_done(c, &e);
    c->xmm[i->reg].q[0] = r;
}

/* F2 0F 5A: CVTSD2SS xmm, xmm/m64 */
HANDLER(op_cvtsd2ss)
{
    sse_check(c);
    sf64 b = xmm_rm64(c, i);
    struct sf_env e = sse_env(c);
    sf32 r = sf64_to_sf32(&e, b);
    sse_fp_done(c, &e);
    c->xmm[i->reg].d[0] = r;
}

/* 0F 5B: CVTDQ2PS */
HANDLER(op_cvtdq2ps)
{
    sse_check(c);
    union xmm b, r;
    xmm_rm(c, i, &b, XMM_SSE);
    struct sf_env e = sse_env(c);
    for (unsigned k = 0; k < 4; k++)
        r.d[k] = sf32_from_int(&e, (int32_t)b.d[k]);
    sse_fp_done(c, &e);
    c->xmm[i->reg] = r;
}

/* 66 0F 5B: CVTPS2DQ; F3 0F 5B: CVTTPS2DQ */
static void ps2dq(struct cpu *c, const struct insn *i, enum sf_round rc)
{
    sse_check(c);
    union xmm b, r;
    xmm_rm(c, i, &b, XMM_SSE);
    struct sf_env e = sse_env(c);
    for (unsigned k = 0; k < 4; k++)
        r.d[k] = (uint32_t)sf32_to_int(&e, b.d[k], 4, rc);
    sse_fp_done(c, &e);
    c->xmm[i->reg] = r;
}

HANDLER(op_cvtps2dq)
{
    ps2dq(c, i, mxcsr_rc(c));
}
HANDLER(op_cvttps2dq)
{
    ps2dq(c, i, SF_RZ);
}

/* F3 0F E6: CVTDQ2PD xmm, xmm/m64, exact */
HANDLER(op_cvtdq2pd)
{
    sse_check(c);
    union xmm b;
    b.q[0] = xmm_rm64(c, i);
    struct sf_env e = sse_env(c);
    union xmm r = {.q = {sf64_from_int(&e, (int32_t)b.d[0]), sf64_from_int(&e, (int32_t)b.d[1])}};
    c->xmm[i->reg] = r;
}

/* F2 0F E6: CVTPD2DQ; 66 0F E6: CVTTPD2DQ; the upper half cleared */
static void pd2dq(struct cpu *c, const struct insn *i, enum sf_round rc)
{
    sse_check(c);
    union xmm b;
    xmm_rm(c, i, &b, XMM_SSE);
    struct sf_env e = sse_env(c);
    union xmm r = {.d = {(uint32_t)sf64_to_int(&e, b.q[0], 4, rc),
                         (uint32_t)sf64_to_int(&e, b.q[1], 4, rc), 0, 0}};
    sse_fp_done(c, &e);
    c->xmm[i->reg] = r;
}

HANDLER(op_cvtpd2dq)
{
    pd2dq(c, i, mxcsr_rc(c));
}
HANDLER(op_cvttpd2dq)
{
    pd2dq(c, i, SF_RZ);
}
