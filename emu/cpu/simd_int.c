/*
 * emu/cpu/simd_int.c: arithmetic, logic, compares and shifts on packed
 * integers, in MMX registers and XMM registers (SDM Vol 1 9.4 and 11.4.1,
 * Vol 2 each instruction): MMX, the SSE and SSE2 additions (PAVG, PMIN,
 * PMAX, PSADBW, PMULHUW, PMULUDQ, the 64-bit adds), and SSSE3's horizontal
 * adds, PMADDUBSW, PMULHRSW, PSIGN and PABS. Also ANDPS and its kin, which
 * are bitwise too.
 *
 * Each op is a simd_op over n bytes, so one definition serves the 8-byte
 * MMX form and the 16-byte XMM form (SIMD_MX_HANDLERS).
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
static inline uint16_t sat_u16(int32_t v)
{
    return (uint16_t)(v > UINT16_MAX ? UINT16_MAX : v < 0 ? 0 : v);
}

/* an op lane by lane: lanes of type T in field f, r = expr of x (from a) and y (from b) */
#define LANEWISE(name, f, T, expr)                                                                 \
    static void name(union xmm *r, const union xmm *a, const union xmm *b, unsigned n)             \
    {                                                                                              \
        for (unsigned k = 0; k < n / sizeof r->f[0]; k++) {                                        \
            T x = (T)a->f[k], y = (T)b->f[k];                                                      \
            (void)x, (void)y;                                                                      \
            r->f[k] = (__typeof__(r->f[0]))(expr);                                                 \
        }                                                                                          \
    }

LANEWISE(paddb, b, uint8_t, x + y)
LANEWISE(paddw, w, uint16_t, x + y)
LANEWISE(paddd, d, uint32_t, x + y)
LANEWISE(paddq, q, uint64_t, x + y)
LANEWISE(paddsb, b, int8_t, sat_s8(x + y))
LANEWISE(paddsw, w, int16_t, sat_s16(x + y))
LANEWISE(paddusb, b, uint8_t, sat_u8(x + y))
LANEWISE(paddusw, w, uint16_t, sat_u16(x + y))
LANEWISE(psubb, b, uint8_t, x - y)
LANEWISE(psubw, w, uint16_t, x - y)
LANEWISE(psubd, d, uint32_t, x - y)
LANEWISE(psubq, q, uint64_t, x - y)
LANEWISE(psubsb, b, int8_t, sat_s8(x - y))
LANEWISE(psubsw, w, int16_t, sat_s16(x - y))
LANEWISE(psubusb, b, uint8_t, sat_u8(x - y))
LANEWISE(psubusw, w, uint16_t, sat_u16(x - y))
LANEWISE(pmullw, w, int16_t, (int32_t)x *y)
LANEWISE(pmulhw, w, int16_t, ((int32_t)x * y) >> 16)
LANEWISE(pmulhuw, w, uint16_t, ((uint32_t)x * y) >> 16)
LANEWISE(pavgb, b, uint8_t, (x + y + 1) >> 1)
LANEWISE(pavgw, w, uint16_t, (x + y + 1) >> 1)
LANEWISE(pminub, b, uint8_t, x < y ? x : y)
LANEWISE(pmaxub, b, uint8_t, x > y ? x : y)
LANEWISE(pminsw, w, int16_t, x < y ? x : y)
LANEWISE(pmaxsw, w, int16_t, x > y ? x : y)
LANEWISE(pand, q, uint64_t, x &y)
LANEWISE(pandn, q, uint64_t, ~x &y)
LANEWISE(por, q, uint64_t, x | y)
LANEWISE(pxor, q, uint64_t, x ^ y)
LANEWISE(pcmpeqb, b, uint8_t, x == y ? 0xff : 0)
LANEWISE(pcmpeqw, w, uint16_t, x == y ? 0xffff : 0)
LANEWISE(pcmpeqd, d, uint32_t, x == y ? 0xffffffffu : 0)
LANEWISE(pcmpgtb, b, int8_t, x > y ? 0xff : 0)
LANEWISE(pcmpgtw, w, int16_t, x > y ? 0xffff : 0)
LANEWISE(pcmpgtd, d, int32_t, x > y ? 0xffffffffu : 0)
/* SSSE3: the sign of y applied to x; the absolute value of y (0x80 stays 0x80) */
LANEWISE(psignb, b, int8_t, y < 0 ? -x : y ? x : 0)
LANEWISE(psignw, w, int16_t, y < 0 ? -x : y ? x : 0)
LANEWISE(psignd, d, int32_t, y < 0 ? -(uint32_t)x : y ? (uint32_t)x : 0)
LANEWISE(pabsb, b, int8_t, y < 0 ? -y : y)
LANEWISE(pabsw, w, int16_t, y < 0 ? -y : y)
LANEWISE(pabsd, d, int32_t, y < 0 ? -(uint32_t)y : (uint32_t)y)
/* PMULHRSW: the product scaled by 2^-15, rounded */
LANEWISE(pmulhrsw, w, int16_t, ((((int32_t)x * y) >> 14) + 1) >> 1)

/* the low dwords of each quadword, unsigned, to a 64-bit product */
static void pmuludq(union xmm *r, const union xmm *a, const union xmm *b, unsigned n)
{
    for (unsigned k = 0; k < n / 8; k++)
        r->q[k] = (uint64_t)a->d[2 * k] * b->d[2 * k];
}

/* pairs of signed word products, added to a dword (0x8000 * 0x8000 twice wraps) */
static void pmaddwd(union xmm *r, const union xmm *a, const union xmm *b, unsigned n)
{
    for (unsigned k = 0; k < n / 4; k++) {
        int64_t s = (int64_t)(int16_t)a->w[2 * k] * (int16_t)b->w[2 * k] +
                    (int64_t)(int16_t)a->w[2 * k + 1] * (int16_t)b->w[2 * k + 1];
        r->d[k] = (uint32_t)s;
    }
}

/* SSSE3: unsigned bytes of a times signed bytes of b, pairs added with saturation */
static void pmaddubsw(union xmm *r, const union xmm *a, const union xmm *b, unsigned n)
{
    for (unsigned k = 0; k < n / 2; k++)
        r->w[k] = (uint16_t)sat_s16(a->b[2 * k] * (int8_t)b->b[2 * k] +
                                    a->b[2 * k + 1] * (int8_t)b->b[2 * k + 1]);
}

/* the sum of absolute byte differences of each quadword, in its low word */
static void psadbw(union xmm *r, const union xmm *a, const union xmm *b, unsigned n)
{
    for (unsigned q = 0; q < n / 8; q++) {
        unsigned sum = 0;
        for (unsigned k = 8 * q; k < 8 * q + 8; k++)
            sum += a->b[k] > b->b[k] ? a->b[k] - b->b[k] : b->b[k] - a->b[k];
        r->q[q] = sum;
    }
}

/*
 * SSSE3's horizontal adds and subtracts: the pairs of a, then the pairs of
 * b, each pair to one lane of r.
 */
#define HORIZONTAL(name, f, T, expr)                                                               \
    static void name(union xmm *r, const union xmm *a, const union xmm *b, unsigned n)             \
    {                                                                                              \
        unsigned half = n / sizeof r->f[0] / 2;                                                    \
        union xmm t;                                                                               \
        for (unsigned k = 0; k < half; k++) {                                                      \
            T x = (T)a->f[2 * k], y = (T)a->f[2 * k + 1];                                          \
            t.f[k] = (__typeof__(t.f[0]))(expr);                                                   \
            x = (T)b->f[2 * k], y = (T)b->f[2 * k + 1];                                            \
            t.f[half + k] = (__typeof__(t.f[0]))(expr);                                            \
        }                                                                                          \
        *r = t;                                                                                    \
    }

HORIZONTAL(phaddw, w, uint16_t, x + y)
HORIZONTAL(phaddd, d, uint32_t, x + y)
HORIZONTAL(phaddsw, w, int16_t, sat_s16(x + y))
HORIZONTAL(phsubw, w, uint16_t, x - y)
HORIZONTAL(phsubd, d, uint32_t, x - y)
HORIZONTAL(phsubsw, w, int16_t, sat_s16(x - y))

/*
 * Shifts: the count is the whole low quadword of the source (a register,
 * memory or the immediate). Past the lane width a logical shift gives 0 and
 * an arithmetic one the sign everywhere.
 */
#define SHIFT(name, f, T, expr)                                                                    \
    static void name(union xmm *r, const union xmm *a, const union xmm *b, unsigned n)             \
    {                                                                                              \
        uint64_t cnt = b->q[0];                                                                    \
        for (unsigned k = 0; k < n / sizeof r->f[0]; k++) {                                        \
            T x = (T)a->f[k];                                                                      \
            r->f[k] = (__typeof__(r->f[0]))(expr);                                                 \
        }                                                                                          \
    }

SHIFT(psrlw, w, uint16_t, cnt > 15 ? 0 : x >> cnt)
SHIFT(psrld, d, uint32_t, cnt > 31 ? 0 : x >> cnt)
SHIFT(psrlq, q, uint64_t, cnt > 63 ? 0 : x >> cnt)
SHIFT(psllw, w, uint16_t, cnt > 15 ? 0 : x << cnt)
SHIFT(pslld, d, uint32_t, cnt > 31 ? 0 : x << cnt)
SHIFT(psllq, q, uint64_t, cnt > 63 ? 0 : x << cnt)
SHIFT(psraw, w, int16_t, x >> (cnt > 15 ? 15 : cnt))
SHIFT(psrad, d, int32_t, x >> (cnt > 31 ? 31 : cnt))

SIMD_INT_OPS(SIMD_MX_HANDLERS)

/* 0F 71..73 /r ib: the register is ModRM.rm, the count the immediate */
#define SHIFT_IMM_HANDLERS(name)                                                                   \
    HANDLER(op_##name##_i_mm)                                                                      \
    {                                                                                              \
        mmx_check(c);                                                                              \
        union xmm a = {.q = {mm_get(c, i->rm), 0}}, b = {.q = {i->imm, 0}}, r;                     \
        name(&r, &a, &b, 8);                                                                       \
        mmx_result(c, i->rm, &r);                                                                  \
    }                                                                                              \
    HANDLER(op_##name##_i_xmm)                                                                     \
    {                                                                                              \
        sse_check(c);                                                                              \
        union xmm b = {.q = {i->imm, 0}}, r;                                                       \
        name(&r, &c->xmm[i->rm], &b, 16);                                                          \
        c->xmm[i->rm] = r;                                                                         \
    }

SHIFT_IMM_HANDLERS(psrlw)
SHIFT_IMM_HANDLERS(psraw)
SHIFT_IMM_HANDLERS(psllw)
SHIFT_IMM_HANDLERS(psrld)
SHIFT_IMM_HANDLERS(psrad)
SHIFT_IMM_HANDLERS(pslld)
SHIFT_IMM_HANDLERS(psrlq)
SHIFT_IMM_HANDLERS(psllq)

/* 66 0F 73 /3 ib, /7 ib: the whole register by bytes */
HANDLER(op_psrldq)
{
    sse_check(c);
    union xmm r = {.q = {0, 0}};
    unsigned cnt = (unsigned)i->imm;
    for (unsigned k = 0; k + cnt < 16; k++)
        r.b[k] = c->xmm[i->rm].b[k + cnt];
    c->xmm[i->rm] = r;
}

HANDLER(op_pslldq)
{
    sse_check(c);
    union xmm r = {.q = {0, 0}};
    unsigned cnt = (unsigned)i->imm;
    for (unsigned k = cnt; k < 16; k++)
        r.b[k] = c->xmm[i->rm].b[k - cnt];
    c->xmm[i->rm] = r;
}

/* 0F 54..57 and with 66: the bitwise logic typed as floats, on XMM only */
#define XMM_LOGIC(name, op)                                                                        \
    HANDLER(name)                                                                                  \
    {                                                                                              \
        union xmm a, b, r;                                                                         \
        sse_operands(c, i, &a, &b);                                                                \
        op(&r, &a, &b, 16);                                                                        \
        c->xmm[i->reg] = r;                                                                        \
    }

XMM_LOGIC(op_andps, pand)
XMM_LOGIC(op_andnps, pandn)
XMM_LOGIC(op_orps, por)
XMM_LOGIC(op_xorps, pxor)
