/*
 * emu/cpu/softfloat_trans.c: the x87 transcendentals in integers (SDM Vol 2A
 * F2XM1, FYL2X, FYL2XP1, FPATAN, FPTAN, FSIN, FCOS, FSINCOS, with their tables
 * of special cases). Each is computed in a 128-bit-significand format (struct
 * xf) from an exact argument, by series on a reduced range, and rounded once
 * to double extended by RC: within 2^-120 or so of the true value before
 * that rounding, so correctly rounded but in the rarest of cases.
 *
 * Silicon rounds differently in the last bit now and then, vendor to vendor
 * (docs/cpu-divergences.md has what the oracle measured). FSIN, FCOS, FSINCOS
 * and FPTAN reduce their argument by the 66-bit pi of the x87 (SDM Vol 1
 * 8.3.10), exactly, as the hardware does, so that large arguments agree.
 */
#include <stddef.h>

#include "emu/cpu/softfloat_impl.h"

#define SERIES_MAX  40
#define XF_ZERO_EXP (-(1 << 24))

/* m * 2^(e - 127); m == 0 or bit 127 set */
struct xf {
    bool s;
    int32_t e;
    u128 m;
};

static int clz_128(u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)v);
}

static struct xf xf_norm(bool s, int32_t e, u128 m)
{
    if (!m)
        return (struct xf){s, XF_ZERO_EXP, 0};
    int lz = clz_128(m);
    return (struct xf){s, e - lz, m << lz};
}

static struct xf xf_of(const struct uf *a)
{
    return xf_norm(a->s, a->e, (u128)a->m << 64);
}

static struct xf xf_int(int64_t v)
{
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    return xf_norm(v < 0, 127, m);
}

static struct xf xf_neg(struct xf a)
{
    a.s = !a.s;
    return a;
}

static struct xf xf_add(struct xf a, struct xf b)
{
    if (!b.m)
        return a;
    if (!a.m)
        return b;
    if (b.e > a.e || (b.e == a.e && b.m > a.m)) {
        struct xf t = a;
        a = b;
        b = t;
    }
    int32_t d = a.e - b.e;
    u128 bm = d >= 128 ? 0 : b.m >> d;
    if (a.s == b.s) {
        u128 sum = (a.m >> 1) + (bm >> 1);
        return xf_norm(a.s, a.e + 1, sum);
    }
    return xf_norm(a.s, a.e, a.m - bm);
}

static struct xf xf_sub(struct xf a, struct xf b)
{
    return xf_add(a, xf_neg(b));
}

static struct xf xf_mul(struct xf a, struct xf b)
{
    if (!a.m || !b.m)
        return (struct xf){a.s != b.s, XF_ZERO_EXP, 0};
    uint64_t a1 = (uint64_t)(a.m >> 64), a0 = (uint64_t)a.m;
    uint64_t b1 = (uint64_t)(b.m >> 64), b0 = (uint64_t)b.m;
    u128 hh = (u128)a1 * b1, hl = (u128)a1 * b0, lh = (u128)a0 * b1, ll = (u128)a0 * b0;
    u128 mid = (hl & ~0ull) + (lh & ~0ull) + (ll >> 64);
    u128 top = hh + (hl >> 64) + (lh >> 64) + (mid >> 64);
    return xf_norm(a.s != b.s, a.e + b.e + 1, top);
}

static struct xf xf_div(struct xf a, struct xf b)
{
    if (!a.m)
        return (struct xf){a.s != b.s, XF_ZERO_EXP, 0};
    u128 r = a.m, q = 0;
    bool carry = false; /* the bit the last shift pushed out of r */
    for (int k = 0; k < 128; k++) {
        q <<= 1;
        if (carry || r >= b.m) {
            r -= b.m;
            q |= 1;
        }
        carry = r >> 127;
        r <<= 1;
    }
    /* q = floor(a.m / b.m * 2^127) */
    return xf_norm(a.s != b.s, a.e - b.e, q);
}

static struct xf xf_div_small(struct xf a, unsigned n)
{
    return xf_norm(a.s, a.e, a.m / n);
}

/* below 2^-130 of the sum, a term no longer matters */
static bool negligible(struct xf term, struct xf sum)
{
    return !term.m || (sum.m && term.e < sum.e - 130);
}

/* ---- constants (128 bits, truncated) ------------------------------------------ */

enum {
    XC_LN2,
    XC_LOG2E,
    XC_PI,
    XC_PI_2,
    XC_PI_4,
    XC_3PI_4,
    XC_ATAN_1_8, /* atan(k/8), k = 1..8 */
};
static const struct {
    int32_t e;
    uint64_t hi, lo;
} xc[] = {
    [XC_LN2] = {-1, 0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull},
    [XC_LOG2E] = {0, 0xb8aa3b295c17f0bbull, 0xbe87fed0691d3e88ull},
    [XC_PI] = {1, 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull},
    [XC_PI_2] = {0, 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull},
    [XC_PI_4] = {-1, 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull},
    [XC_3PI_4] = {1, 0x96cbe3f9990e91a7ull, 0x9394c9e8a0a5159cull},
    [XC_ATAN_1_8 + 0] = {-4, 0xfeadd4d5617b6e32ull, 0xc897989f3e888ef7ull},
    [XC_ATAN_1_8 + 1] = {-3, 0xfadbafc96406eb15ull, 0x6dc79ef5f7a217e5ull},
    [XC_ATAN_1_8 + 2] = {-2, 0xb7b0ca0f26f78473ull, 0x8aa32122dcfe4483ull},
    [XC_ATAN_1_8 + 3] = {-2, 0xed63382b0dda7b45ull, 0x6fe445ecbc3a8d03ull},
    [XC_ATAN_1_8 + 4] = {-1, 0x8f005d5ef7f59f9bull, 0x5c835e1665c43747ull},
    [XC_ATAN_1_8 + 5] = {-1, 0xa4bc7d1934f70924ull, 0x19a87f2a457dac9eull},
    [XC_ATAN_1_8 + 6] = {-1, 0xb8053e2bc2319e73ull, 0xcb2da55210a4443dull},
    [XC_ATAN_1_8 + 7] = {-1, 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull},
};

static struct xf xf_const(unsigned k, bool s)
{
    return (struct xf){s, xc[k].e, (u128)xc[k].hi << 64 | xc[k].lo};
}

/* the x87's own pi for argument reduction: 66 bits, pi = P66 * 2^-64 (SDM Vol 1 8.3.10) */
#define P66 (((u128)0xc90fdaa22168c234ull << 2) | 3)

/* ---- rounding out -------------------------------------------------------------- */

/* an inexact result (never exact: a sticky bit below the 128) */
static sf80 xf_round(struct sf_env *e, struct xf v)
{
    return sfi_round80(e, v.s, v.e, v.m | 1);
}

static sf80 f80_zero(bool s)
{
    return (sf80){0, (uint16_t)(s ? 0x8000 : 0)};
}

static sf80 f80_inf(bool s)
{
    return (sf80){1ull << 63, (uint16_t)(s ? 0xffff : 0x7fff)};
}

static sf80 f80_one(bool s)
{
    return (sf80){1ull << 63, (uint16_t)(s ? 0xbfff : 0x3fff)};
}

static sf80 f80_invalid(struct sf_env *e)
{
    e->flags |= SF_IE;
    return sf80_indefinite();
}

static bool is_nan(const struct uf *a)
{
    return a->k == K_QNAN || a->k == K_SNAN;
}

/* ---- series ------------------------------------------------------------------- */

/* sin r and cos r for |r| <= pi/4 */
static void sincos_series(struct xf r, struct xf *sn, struct xf *cs)
{
    struct xf r2 = xf_mul(r, r), t = r, s = r, c = xf_int(1), u = xf_int(1);
    for (unsigned k = 1; k < SERIES_MAX; k++) {
        t = xf_neg(xf_div_small(xf_mul(t, r2), (2 * k) * (2 * k + 1)));
        u = xf_neg(xf_div_small(xf_mul(u, r2), (2 * k - 1) * (2 * k)));
        bool done = negligible(t, s) && negligible(u, c);
        s = xf_add(s, t);
        c = xf_add(c, u);
        if (done)
            break;
    }
    *sn = s;
    *cs = c;
}

/* atanh(s) = s + s^3/3 + s^5/5 + ... for |s| <= 0.18 */
static struct xf atanh_series(struct xf s)
{
    struct xf s2 = xf_mul(s, s), p = s, sum = s;
    for (unsigned k = 1; k < SERIES_MAX; k++) {
        p = xf_mul(p, s2);
        struct xf t = xf_div_small(p, 2 * k + 1);
        if (negligible(t, sum))
            break;
        sum = xf_add(sum, t);
    }
    return sum;
}

/* atan(t) = t - t^3/3 + t^5/5 - ... for |t| <= 1/16 */
static struct xf atan_series(struct xf t)
{
    struct xf t2 = xf_mul(t, t), p = t, sum = t;
    for (unsigned k = 1; k < SERIES_MAX; k++) {
        p = xf_neg(xf_mul(p, t2));
        struct xf term = xf_div_small(p, 2 * k + 1);
        if (negligible(term, sum))
            break;
        sum = xf_add(sum, term);
    }
    return sum;
}

/* atan(z) for 0 <= z <= 1: atan(c) + atan((z - c) / (1 + z c)), c = k/8 nearest z */
static struct xf atan_01(struct xf z)
{
    /* k = round(8 z): z * 8 as a fixed-point number */
    unsigned k = 0;
    if (z.m && z.e >= -5) {
        int32_t sh = 127 - (z.e + 3); /* bits below the units of 8z */
        u128 units = sh >= 128 ? 0 : z.m >> sh;
        u128 half = sh >= 1 && sh <= 128 ? (z.m >> (sh - 1)) & 1 : 0;
        k = (unsigned)(units + half);
    }
    if (!k)
        return atan_series(z);
    struct xf c = xf_div_small(xf_int(k), 8);
    struct xf t = xf_div(xf_sub(z, c), xf_add(xf_int(1), xf_mul(z, c)));
    return xf_add(xf_const(XC_ATAN_1_8 + k - 1, false), atan_series(t));
}

/* log2(v) for v > 0: E + 2 atanh((m - 1)/(m + 1)) log2(e), v = m 2^E with m in
 * [sqrt(1/2), sqrt(2)), so that |(m - 1)/(m + 1)| <= 0.172 */
static struct xf log2_xf(struct xf v)
{
    int32_t E = v.e;
    v.e = 0;
    if ((uint64_t)(v.m >> 64) > 0xb504f333f9de6484ull) { /* above sqrt(2) */
        v.e = -1;
        E++;
    }
    struct xf one = xf_int(1);
    struct xf ln = atanh_series(xf_div(xf_sub(v, one), xf_add(v, one)));
    ln.e++;
    return xf_add(xf_int(E), xf_mul(ln, xf_const(XC_LOG2E, false)));
}

/* ---- F2XM1 ---------------------------------------------------------------------- */

sf80 sf80_f2xm1(struct sf_env *e, sf80 xv)
{
    struct uf x = sfi_unpack80(xv);
    if (x.k == K_BAD)
        return f80_invalid(e);
    if (is_nan(&x))
        return sfi_nan80(e, x, x);
    if (x.k == K_ZERO)
        return xv;
    if (x.k == K_INF)
        return x.s ? f80_one(true) : xv;
    if (sfi_den_check(e, &x, NULL))
        return xv;
    /* beyond |x| <= 1 the SDM leaves it undefined; the host gives x back, inexact */
    if (x.e > 0 || (x.e == 0 && x.m != 1ull << 63)) {
        e->flags |= SF_PE;
        return xv;
    }
    /* expm1(t), t = x ln 2 */
    struct xf t = xf_mul(xf_of(&x), xf_const(XC_LN2, false)), term = t, sum = t;
    for (unsigned k = 2; k < SERIES_MAX + 20; k++) {
        term = xf_div_small(xf_mul(term, t), k);
        if (negligible(term, sum))
            break;
        sum = xf_add(sum, term);
    }
    return xf_round(e, sum);
}

/* ---- FYL2X, FYL2XP1 -------------------------------------------------------------- */

/* y * l where l = log2(x) is known to be exactly 0 (x = 1, or x = 0 for YL2XP1) */
static sf80 y_times_zero(struct sf_env *e, const struct uf *y, bool lsign)
{
    if (y->k == K_INF)
        return f80_invalid(e);
    return f80_zero(y->s != lsign);
}

sf80 sf80_yl2x(struct sf_env *e, sf80 xv, sf80 yv)
{
    struct uf x = sfi_unpack80(xv), y = sfi_unpack80(yv);
    if (x.k == K_BAD || y.k == K_BAD)
        return f80_invalid(e);
    if (is_nan(&x) || is_nan(&y))
        return sfi_nan80(e, x, y);
    if (x.s && x.k != K_ZERO) /* the logarithm of a negative number */
        return f80_invalid(e);
    if (x.k == K_ZERO) {
        if (y.k == K_ZERO)
            return f80_invalid(e);
        if (y.k != K_INF)
            e->flags |= SF_ZE; /* before DE, as for a division by zero */
        return f80_inf(!y.s);  /* y * -inf */
    }
    if (x.k == K_INF) {
        if (y.k == K_ZERO)
            return f80_invalid(e);
        if (sfi_den_check(e, &y, NULL))
            return yv;
        return f80_inf(y.s);
    }
    if (sfi_den_check(e, &x, &y))
        return yv;
    bool pow2 = x.m == 1ull << 63;
    if (pow2 && x.e == 0) /* log2(1) = +0 */
        return y_times_zero(e, &y, false);
    if (y.k == K_INF) /* log2 x is finite and non-zero: its sign decides */
        return f80_inf(y.s != (x.e < 0));
    if (y.k == K_ZERO)
        return f80_zero(y.s != (x.e < 0));
    if (pow2) { /* y * E, exact unless it has to round */
        struct sf_env full = *e;
        full.prec = SF_PC64;
        full.den_hint = 0;
        sf80 r = sf80_mul(&full, yv, sf80_from_int(x.e));
        /* the host reports it inexact all the same (and a tiny one as underflow) */
        e->flags = full.flags | SF_PE;
        if (!(r.se & 0x7fff) && r.mant)
            e->flags |= SF_UE;
        return r;
    }
    return xf_round(e, xf_mul(xf_of(&y), log2_xf(xf_of(&x))));
}

sf80 sf80_yl2xp1(struct sf_env *e, sf80 xv, sf80 yv)
{
    struct uf x = sfi_unpack80(xv), y = sfi_unpack80(yv);
    if (x.k == K_BAD || y.k == K_BAD)
        return f80_invalid(e);
    if (is_nan(&x) || is_nan(&y))
        return sfi_nan80(e, x, y);
    if (x.k == K_ZERO) {
        if (sfi_den_check(e, &y, NULL))
            return yv;
        return y_times_zero(e, &y, x.s);
    }
    /* beyond |x| < 1 - sqrt(2)/2 the SDM leaves the result undefined: this is
     * log2(1 + x) for x > -1, and for x <= -1 what the host gives, x itself
     * (a zero for a zero y), inexact */
    struct xf xp1 = xf_add(xf_of(&x), xf_int(1));
    if (x.s && (x.k == K_INF || xp1.s || !xp1.m)) {
        if (x.k == K_INF)
            return f80_invalid(e);
        if (sfi_den_check(e, &y, NULL))
            return yv;
        if (y.k == K_ZERO)
            return f80_zero(y.s != x.s);
        if (y.k == K_INF)
            return f80_inf(!y.s);
        e->flags |= SF_PE;
        return xv;
    }
    if (x.k == K_INF) {
        if (y.k == K_ZERO)
            return f80_invalid(e);
        if (sfi_den_check(e, &y, NULL))
            return yv;
        return f80_inf(y.s);
    }
    if (sfi_den_check(e, &x, &y))
        return yv;
    if (y.k == K_INF)
        return f80_inf(y.s != x.s);
    if (y.k == K_ZERO)
        return f80_zero(y.s != x.s);
    struct xf l;
    if (x.e >= -2) { /* |x| >= 1/4: 1 + x is exact here */
        l = log2_xf(xp1);
    } else { /* ln(1 + x) = 2 atanh(x / (2 + x)), with no cancellation */
        l = atanh_series(xf_div(xf_of(&x), xf_add(xf_of(&x), xf_int(2))));
        l.e++;
        l = xf_mul(l, xf_const(XC_LOG2E, false));
    }
    return xf_round(e, xf_mul(xf_of(&y), l));
}

/* ---- FPATAN ------------------------------------------------------------------------ */

sf80 sf80_atan2(struct sf_env *e, sf80 yv, sf80 xv)
{
    struct uf y = sfi_unpack80(yv), x = sfi_unpack80(xv);
    if (x.k == K_BAD || y.k == K_BAD)
        return f80_invalid(e);
    if (is_nan(&x) || is_nan(&y))
        return sfi_nan80(e, y, x);
    if (sfi_den_check(e, &y, &x))
        return yv;
    /* SDM Vol 2A FPATAN table 3-30 */
    if (y.k == K_ZERO)
        return x.s ? xf_round(e, xf_const(XC_PI, y.s)) : f80_zero(y.s);
    if (y.k == K_INF) {
        if (x.k == K_INF)
            return xf_round(e, xf_const(x.s ? XC_3PI_4 : XC_PI_4, y.s));
        return xf_round(e, xf_const(XC_PI_2, y.s));
    }
    if (x.k == K_ZERO)
        return xf_round(e, xf_const(XC_PI_2, y.s));
    if (x.k == K_INF)
        return x.s ? xf_round(e, xf_const(XC_PI, y.s)) : f80_zero(y.s);
    struct xf ay = xf_of(&y), ax = xf_of(&x), r;
    ay.s = ax.s = false;
    bool swap = ay.e > ax.e || (ay.e == ax.e && ay.m > ax.m);
    r = swap ? xf_sub(xf_const(XC_PI_2, false), atan_01(xf_div(ax, ay))) : atan_01(xf_div(ay, ax));
    if (x.s)
        r = xf_sub(xf_const(XC_PI, false), r);
    r.s = y.s;
    return xf_round(e, r);
}

/* ---- FSIN, FCOS, FSINCOS, FPTAN --------------------------------------------------- */

/*
 * The reduction of |x| < 2^63 by the 66-bit pi/2: |x| = q pi66/2 + r with
 * |r| <= pi66/4, exactly. |x| = N 2^-65 with N = m << (e + 2) < 2^128, and
 * pi66/2 = P66 2^-65, so q and r are N's quotient and remainder by P66.
 */
static struct xf reduce(const struct uf *x, unsigned *quadrant)
{
    *quadrant = 0;
    if (x->e < -1) /* below 1/2: nothing to reduce */
        return (struct xf){false, x->e, (u128)x->m << 64};
    u128 n = (u128)x->m << (x->e + 2), q = n / P66, rem = n % P66;
    bool neg = false;
    if (rem > P66 / 2) {
        rem = P66 - rem;
        q++;
        neg = true;
    }
    *quadrant = (unsigned)(q & 3);
    return xf_norm(neg, 127 - 65, rem);
}

/* the operand checks of the four; false with *out when the result is decided */
static bool trig_special(struct sf_env *e, const struct uf *x, sf80 xv, sf80 *out, bool *c2)
{
    *c2 = false;
    if (x->k == K_BAD || x->k == K_INF) {
        *out = f80_invalid(e);
        return false;
    }
    if (is_nan(x)) {
        *out = sfi_nan80(e, *x, *x);
        return false;
    }
    if (x->k == K_NORM && x->e >= 63) { /* out of range: C2, nothing changes */
        *c2 = true;
        *out = xv;
        return false;
    }
    if (sfi_den_check(e, x, NULL)) {
        *out = xv;
        return false;
    }
    return true;
}

bool sf80_sincos(struct sf_env *es, struct sf_env *ec, sf80 xv, sf80 *sin, sf80 *cos)
{
    struct uf x = sfi_unpack80(xv);
    bool c2;
    if (!trig_special(es, &x, xv, sin, &c2)) {
        *cos = *sin;
        ec->flags |= es->flags;
        return !c2;
    }
    ec->flags |= es->flags & SF_DE;
    if (x.k == K_ZERO) {
        *sin = xv;
        *cos = f80_one(false);
        return true;
    }
    unsigned q;
    struct xf s, c;
    sincos_series(reduce(&x, &q), &s, &c);
    /* sin and cos of q pi/2 + r, by quadrant */
    static const bool swap[4] = {false, true, false, true};
    static const bool sin_neg[4] = {false, false, true, true},
                      cos_neg[4] = {false, true, true, false};
    struct xf rs = swap[q] ? c : s, rc = swap[q] ? s : c;
    if (sin_neg[q])
        rs = xf_neg(rs);
    if (cos_neg[q])
        rc = xf_neg(rc);
    if (x.s)
        rs = xf_neg(rs);
    *sin = xf_round(es, rs);
    *cos = xf_round(ec, rc);
    return true;
}

bool sf80_tan(struct sf_env *e, sf80 xv, sf80 *tan)
{
    struct uf x = sfi_unpack80(xv);
    bool c2;
    if (!trig_special(e, &x, xv, tan, &c2))
        return !c2;
    if (x.k == K_ZERO) {
        *tan = xv;
        return true;
    }
    unsigned q;
    struct xf s, c;
    sincos_series(reduce(&x, &q), &s, &c);
    struct xf t = q & 1 ? xf_neg(xf_div(c, s)) : xf_div(s, c);
    if (x.s)
        t = xf_neg(t);
    *tan = xf_round(e, t);
    return true;
}
