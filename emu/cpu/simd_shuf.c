/*
 * emu/cpu/simd_shuf.c: moving lanes about (SDM Vol 2, each instruction):
 * the packs with saturation, the unpacks, PSHUFW/PSHUFD/PSHUFHW/PSHUFLW,
 * SHUFPS/SHUFPD, SSSE3's PSHUFB and PALIGNR, PINSRW/PEXTRW, and the sign
 * masks PMOVMSKB, MOVMSKPS and MOVMSKPD.
 */
#include "emu/cpu/simd.h"

static inline int8_t sat_s8(int32_t v)
{
    return (int8_t)(v > INT8_MAX ? INT8_MAX : v < INT8_MIN ? INT8_MIN : v);
}
static inline uint8_t sat_u8(int32_t v)
{
    return (uint8_t)(v > UINT8_MAX ? UINT8_MAX : v < 0 ? 0 : v);
}
static inline int16_t sat_s16(int32_t v)
{
    return (int16_t)(v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : v);
}

/* the lanes of a narrowed into the low half of r, those of b into the high half */
static void packsswb(union xmm *r, const union xmm *a, const union xmm *b, unsigned n)
{
    for (unsigned k = 0; k < n / 2; k++) {
        r->b[k] = (uint8_t)sat_s8((int16_t)a->w[k]);
        r->b[n / 2 + k] = (uint8_t)sat_s8((int16_t)b->w[k]);
    }
}

static void packuswb(union xmm *r, const union xmm *a, const union xmm *b, unsigned n)
{
    for (unsigned k = 0; k < n / 2; k++) {
        r->b[k] = sat_u8((int16_t)a->w[k]);
        r->b[n / 2 + k] = sat_u8((int16_t)b->w[k]);
    }
}

static void packssdw(union xmm *r, const union xmm *a, const union xmm *b, unsigned n)
{
    for (unsigned k = 0; k < n / 4; k++) {
        r->w[k] = (uint16_t)sat_s16((int32_t)a->d[k]);
        r->w[n / 4 + k] = (uint16_t)sat_s16((int32_t)b->d[k]);
    }
}

/* the low (or high) halves of a and b, interleaved: a0 b0 a1 b1 ... */
#define UNPACK(name, f, high)                                                                      \
    static void name(union xmm *r, const union xmm *a, const union xmm *b, unsigned n)             \
    {                                                                                              \
        unsigned half = n / sizeof r->f[0] / 2, from = (high) ? half : 0;                          \
        for (unsigned k = 0; k < half; k++) {                                                      \
            r->f[2 * k] = a->f[from + k];                                                          \
            r->f[2 * k + 1] = b->f[from + k];                                                      \
        }                                                                                          \
    }

UNPACK(punpcklbw, b, false)
UNPACK(punpcklwd, w, false)
UNPACK(punpckldq, d, false)
UNPACK(punpcklqdq, q, false)
UNPACK(punpckhbw, b, true)
UNPACK(punpckhwd, w, true)
UNPACK(punpckhdq, d, true)
UNPACK(punpckhqdq, q, true)

/* SSSE3: a's bytes picked by b's, or 0 where b's byte has its top bit */
static void pshufb(union xmm *r, const union xmm *a, const union xmm *b, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        r->b[k] = (b->b[k] & 0x80) ? 0 : a->b[b->b[k] & (n - 1)];
}

SIMD_MX_HANDLERS(packsswb)
SIMD_MX_HANDLERS(packssdw)
SIMD_MX_HANDLERS(packuswb)
SIMD_MX_HANDLERS(punpckhbw)
SIMD_MX_HANDLERS(punpckhwd)
SIMD_MX_HANDLERS(punpckhdq)
SIMD_MX_HANDLERS(pshufb)

/*
 * The MMX low unpacks read only 32 bits of memory (PUNPCKLBW mm, mm/m32);
 * the XMM ones all 128, aligned.
 */
#define UNPACK_LOW_HANDLERS(name)                                                                  \
    HANDLER(op_##name##_mm)                                                                        \
    {                                                                                              \
        mmx_check(c);                                                                              \
        union xmm a = {.q = {mm_get(c, i->reg), 0}}, b, r;                                         \
        b.q[0] = i->mod == 3 ? mm_get(c, i->rm) : mem_read(c, i->seg, cpu_ea(c, i), 4);            \
        b.q[1] = 0;                                                                                \
        name(&r, &a, &b, 8);                                                                       \
        mmx_result(c, i->reg, &r);                                                                 \
    }                                                                                              \
    HANDLER(op_##name##_xmm)                                                                       \
    {                                                                                              \
        union xmm a, b, r;                                                                         \
        sse_operands(c, i, &a, &b);                                                                \
        name(&r, &a, &b, 16);                                                                      \
        c->xmm[i->reg] = r;                                                                        \
    }

UNPACK_LOW_HANDLERS(punpcklbw)
UNPACK_LOW_HANDLERS(punpcklwd)
UNPACK_LOW_HANDLERS(punpckldq)

/* 66 0F 6C, 6D; also UNPCKLPD and UNPCKHPD, which are the same */
HANDLER(op_punpcklqdq)
{
    union xmm a, b, r;
    sse_operands(c, i, &a, &b);
    punpcklqdq(&r, &a, &b, 16);
    c->xmm[i->reg] = r;
}

HANDLER(op_punpckhqdq)
{
    union xmm a, b, r;
    sse_operands(c, i, &a, &b);
    punpckhqdq(&r, &a, &b, 16);
    c->xmm[i->reg] = r;
}

/* SSSE3 PALIGNR: a:b shifted right by imm8 bytes, the low n bytes kept */
static void palignr(union xmm *r, const union xmm *a, const union xmm *b, unsigned n, unsigned sh)
{
    uint8_t cat[32];
    for (unsigned k = 0; k < n; k++)
        cat[k] = b->b[k], cat[n + k] = a->b[k];
    for (unsigned k = 0; k < n; k++)
        r->b[k] = k + sh < 2 * n ? cat[k + sh] : 0;
}

HANDLER(op_palignr_mm)
{
    union xmm a, b, r;
    mmx_operands(c, i, &a, &b);
    palignr(&r, &a, &b, 8, (unsigned)i->imm);
    mmx_result(c, i->reg, &r);
}

HANDLER(op_palignr_xmm)
{
    union xmm a, b, r;
    sse_operands(c, i, &a, &b);
    palignr(&r, &a, &b, 16, (unsigned)i->imm);
    c->xmm[i->reg] = r;
}

/* 0F 70: PSHUFW mm, mm/m64, imm8 (SSE) */
HANDLER(op_pshufw)
{
    union xmm a, b, r;
    mmx_operands(c, i, &a, &b);
    for (unsigned k = 0; k < 4; k++)
        r.w[k] = b.w[(i->imm >> (2 * k)) & 3];
    mmx_result(c, i->reg, &r);
}

/* 66 0F 70: PSHUFD; F3: PSHUFHW, F2: PSHUFLW (the other half copied) */
HANDLER(op_pshufd)
{
    union xmm a, b, r;
    sse_operands(c, i, &a, &b);
    for (unsigned k = 0; k < 4; k++)
        r.d[k] = b.d[(i->imm >> (2 * k)) & 3];
    c->xmm[i->reg] = r;
}

HANDLER(op_pshufhw)
{
    union xmm a, b, r;
    sse_operands(c, i, &a, &b);
    r.q[0] = b.q[0];
    for (unsigned k = 0; k < 4; k++)
        r.w[4 + k] = b.w[4 + ((i->imm >> (2 * k)) & 3)];
    c->xmm[i->reg] = r;
}

HANDLER(op_pshuflw)
{
    union xmm a, b, r;
    sse_operands(c, i, &a, &b);
    r.q[1] = b.q[1];
    for (unsigned k = 0; k < 4; k++)
        r.w[k] = b.w[(i->imm >> (2 * k)) & 3];
    c->xmm[i->reg] = r;
}

/* 0F C6: two lanes picked from a, two from b */
HANDLER(op_shufps)
{
    union xmm a, b, r;
    sse_operands(c, i, &a, &b);
    r.d[0] = a.d[i->imm & 3];
    r.d[1] = a.d[(i->imm >> 2) & 3];
    r.d[2] = b.d[(i->imm >> 4) & 3];
    r.d[3] = b.d[(i->imm >> 6) & 3];
    c->xmm[i->reg] = r;
}

HANDLER(op_shufpd)
{
    union xmm a, b, r;
    sse_operands(c, i, &a, &b);
    r.q[0] = a.q[i->imm & 1];
    r.q[1] = b.q[(i->imm >> 1) & 1];
    c->xmm[i->reg] = r;
}

/* 0F C4: PINSRW mm, r32/m16, imm8; the word's index is imm8 modulo the lanes */
HANDLER(op_pinsrw_mm)
{
    mmx_check(c);
    uint16_t v = (uint16_t)rm_read(c, i, 2);
    unsigned sh = 16 * (i->imm & 3);
    uint64_t m = mm_get(c, i->reg);
    mmx_enter(c);
    mm_set(c, i->reg, (m & ~(0xffffull << sh)) | (uint64_t)v << sh);
}

HANDLER(op_pinsrw_xmm)
{
    sse_check(c);
    uint16_t v = (uint16_t)rm_read(c, i, 2);
    c->xmm[i->reg].w[i->imm & 7] = v;
}

/* 0F C5: PEXTRW r32, mm, imm8 (register operands only), zero-extended */
HANDLER(op_pextrw_mm)
{
    mmx_check(c);
    uint64_t v = (mm_get(c, i->rm) >> (16 * (i->imm & 3))) & 0xffff;
    mmx_enter(c);
    reg_write(c, i, i->reg, 4, v);
}

HANDLER(op_pextrw_xmm)
{
    sse_check(c);
    reg_write(c, i, i->reg, 4, c->xmm[i->rm].w[i->imm & 7]);
}

/* 0F D7: the top bit of each byte */
static unsigned byte_signs(const union xmm *v, unsigned n)
{
    unsigned m = 0;
    for (unsigned k = 0; k < n; k++)
        m |= (unsigned)(v->b[k] >> 7) << k;
    return m;
}

HANDLER(op_pmovmskb_mm)
{
    mmx_check(c);
    union xmm v = {.q = {mm_get(c, i->rm), 0}};
    mmx_enter(c);
    reg_write(c, i, i->reg, 4, byte_signs(&v, 8));
}

HANDLER(op_pmovmskb_xmm)
{
    sse_check(c);
    reg_write(c, i, i->reg, 4, byte_signs(&c->xmm[i->rm], 16));
}

/* 0F 50: the sign bits of the singles (MOVMSKPS) or doubles (66: MOVMSKPD) */
HANDLER(op_movmskps)
{
    sse_check(c);
    const union xmm *v = &c->xmm[i->rm];
    unsigned m = 0;
    for (unsigned k = 0; k < 4; k++)
        m |= (v->d[k] >> 31) << k;
    reg_write(c, i, i->reg, 4, m);
}

HANDLER(op_movmskpd)
{
    sse_check(c);
    const union xmm *v = &c->xmm[i->rm];
    reg_write(c, i, i->reg, 4, (v->q[0] >> 63) | (v->q[1] >> 63) << 1);
}
