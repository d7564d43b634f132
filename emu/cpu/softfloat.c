/*
 * emu/cpu/softfloat.c: IEEE 754 binary32/binary64 and x87 double-extended
 * arithmetic in integers (softfloat.h). One unpacked form for all three
 * formats, exact intermediate results in 128 bits, one rounding routine.
 *
 * SDM Vol 1 chapter 4 (formats, 4.8.3 NaNs, 4.9 exceptions), 8.5 (x87
 * exception responses), 11.5 (SSE); IEEE 754-2008 for the arithmetic.
 */
#include <stddef.h>

#include "emu/cpu/softfloat_impl.h"

#define QUIET_BIT (1ull << 62)
#define INT_BIT   (1ull << 63)
#define ZERO_EXP  (-(1 << 20)) /* sorts a zero below every finite exponent */
#define EXP_CLAMP (1 << 18)    /* scale factors beyond this are all the same */

struct fmt {
    uint8_t ebits, fbits; /* exponent and stored fraction bits */
    uint8_t prec;         /* significand bits with the integer bit */
    uint32_t emaxb;       /* the all-ones biased exponent */
    int32_t bias;
    int32_t adjust; /* exponent wrap of the unmasked OE/UE response (SDM Vol 1 8.5.4) */
};
static const struct fmt F32 = {8, 23, 24, 0xff, 127, 192};
static const struct fmt F64 = {11, 52, 53, 0x7ff, 1023, 1536};
static const struct fmt F80 = {15, 63, 64, 0x7fff, 16383, 24576};

/* a packed result before it is put in its format's bits */
struct pk {
    bool s;
    uint32_t E; /* biased exponent */
    uint64_t m; /* significand with the integer bit at 63 (0 for denormals) */
};

static inline bool is_nan(const struct uf *a)
{
    return a->k == K_QNAN || a->k == K_SNAN;
}

static inline int clz128(u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)v);
}

static u128 shr_sticky(u128 v, unsigned n)
{
    if (n == 0)
        return v;
    if (n >= 128)
        return v != 0;
    return (v >> n) | ((v & (((u128)1 << n) - 1)) != 0);
}

/* ---- unpack and pack ------------------------------------------------------ */

static struct uf unpack_bin(const struct sf_env *env, const struct fmt *f, uint64_t raw)
{
    struct uf a = {0};
    uint64_t fmask = (1ull << f->fbits) - 1;
    uint32_t E = (uint32_t)(raw >> f->fbits) & f->emaxb;
    uint64_t frac = raw & fmask;
    a.s = (raw >> (f->ebits + f->fbits)) & 1;
    if (E == f->emaxb) {
        a.m = INT_BIT | frac << (63 - f->fbits);
        a.k = !frac ? K_INF : (a.m & QUIET_BIT) ? K_QNAN : K_SNAN;
    } else if (E == 0) {
        if (!frac || env->daz) {
            a.k = K_ZERO;
            a.e = ZERO_EXP;
        } else {
            int sh = __builtin_clzll(frac);
            a.k = K_NORM;
            a.den = true;
            a.m = frac << sh;
            a.e = 1 - f->bias - (sh - (63 - f->fbits));
        }
    } else {
        a.k = K_NORM;
        a.m = INT_BIT | frac << (63 - f->fbits);
        a.e = (int32_t)E - f->bias;
    }
    return a;
}

static struct uf unpack80(sf80 v)
{
    struct uf a = {0};
    uint32_t E = v.se & 0x7fff;
    a.s = v.se >> 15;
    a.m = v.mant;
    if (E == 0x7fff) {
        if (!(v.mant & INT_BIT))
            a.k = K_BAD; /* pseudo-infinity, pseudo-NaN */
        else if (!(v.mant << 1))
            a.k = K_INF;
        else
            a.k = (v.mant & QUIET_BIT) ? K_QNAN : K_SNAN;
    } else if (E == 0) {
        if (!v.mant) {
            a.k = K_ZERO;
            a.e = ZERO_EXP;
        } else {
            /* denormal, or pseudo-denormal with the integer bit set (SDM Vol 1 8.2.2) */
            int sh = __builtin_clzll(v.mant);
            a.k = K_NORM;
            a.den = true;
            a.m = v.mant << sh;
            a.e = 1 - F80.bias - sh;
        }
    } else if (!(v.mant & INT_BIT)) {
        a.k = K_BAD; /* unnormal, pseudo-zero */
    } else {
        a.k = K_NORM;
        a.e = (int32_t)E - F80.bias;
    }
    return a;
}

static uint64_t pack_bin(const struct fmt *f, struct pk p)
{
    return (uint64_t)p.s << (f->ebits + f->fbits) | (uint64_t)p.E << f->fbits |
           ((p.m << 1) >> (64 - f->fbits));
}

static sf80 pack80(struct pk p)
{
    return (sf80){p.m, (uint16_t)((p.s ? 0x8000 : 0) | p.E)};
}

static struct pk pk_special(const struct fmt *f, const struct uf *a)
{
    switch (a->k) {
    case K_ZERO:
        return (struct pk){a->s, 0, 0};
    case K_INF:
        return (struct pk){a->s, f->emaxb, INT_BIT};
    default: /* NaN */
        return (struct pk){a->s, f->emaxb, a->m};
    }
}

static struct pk pk_indefinite(const struct fmt *f)
{
    return (struct pk){true, f->emaxb, INT_BIT | QUIET_BIT};
}

/* ---- rounding ------------------------------------------------------------- */

/*
 * Round sig (bit 127 set, or below for a denormal) to p significant bits at
 * bit 127; *carry when it rounded up to 2^128.
 */
static u128 round_sig(const struct sf_env *env, bool s, u128 sig, unsigned p, bool *inexact,
                      bool *up, bool *carry)
{
    unsigned sh = 128 - p;
    u128 lsb = (u128)1 << sh, half = lsb >> 1, low = sig & (lsb - 1);
    u128 t = sig & ~(lsb - 1);
    bool inc = false;
    *inexact = low != 0;
    switch (env->round) {
    case SF_RN:
        inc = low > half || (low == half && (t & lsb));
        break;
    case SF_RD:
        inc = s && low;
        break;
    case SF_RU:
        inc = !s && low;
        break;
    default:
        break;
    }
    *up = inc;
    *carry = false;
    if (inc) {
        t += lsb;
        if (t == 0) {
            *carry = true;
            t = (u128)1 << 127;
        }
    }
    return t;
}

static unsigned prec_bits(const struct sf_env *env)
{
    return env->prec == SF_PC24 ? 24 : env->prec == SF_PC53 ? 53 : 64;
}

/*
 * The one rounding routine: sig * 2^(e - 127) (sig non-zero) rounded to p
 * bits in format f, with the masked and unmasked underflow and overflow
 * responses of SDM Vol 1 4.9.1.4-4.9.1.5, 8.5.4-8.5.5 and 11.5.2. An SSE
 * instruction delivers nothing on an unmasked OE or UE, so beyond the wrap
 * its flags stay those of the rounding with an unbounded exponent (PE only
 * when that is inexact), as silicon reports them; the x87 delivers an
 * infinity or a zero there, with PE.
 */
static struct pk round_pack(struct sf_env *env, const struct fmt *f, unsigned p, bool s, int32_t e,
                            u128 sig)
{
    int lz = clz128(sig);
    sig <<= lz;
    e -= lz;
    const int32_t emin = 1 - f->bias, emax = (int32_t)f->emaxb - 1 - f->bias;
    bool inexact, up, carry;
    uint16_t fl = 0;

    if (e < emin) {
        /* tininess after rounding: would the result, rounded with an unbounded
         * exponent, still be below 2^emin? */
        bool tiny = true;
        if (e == emin - 1) {
            round_sig(env, s, sig, p, &inexact, &up, &carry);
            tiny = !carry;
        }
        if (tiny && (env->mask & SF_UE)) {
            if (env->ftz) {
                env->flags |= SF_UE | SF_PE;
                return (struct pk){s, 0, 0};
            }
            u128 d =
                round_sig(env, s, shr_sticky(sig, (unsigned)(emin - e)), p, &inexact, &up, &carry);
            if (inexact)
                env->flags |= SF_UE | SF_PE | (up ? SF_UP : 0);
            if (carry) /* only from a denormal all ones at p bits: 2^emin */
                return (struct pk){s, 1, INT_BIT};
            uint64_t m = (uint64_t)(d >> 64);
            return (struct pk){s, (m & INT_BIT) ? 1u : 0u, m};
        }
        if (tiny) {
            fl |= SF_UE;
            e += f->adjust;
        }
    }
    sig = round_sig(env, s, sig, p, &inexact, &up, &carry);
    if (carry)
        e++;
    if (inexact)
        fl |= SF_PE | (up ? SF_UP : 0);
    if (e > emax) {
        if (!(env->mask & SF_OE)) {
            env->flags |= fl | SF_OE;
            e -= f->adjust;
            if (e > emax) { /* beyond what the wrap can hold: infinity */
                if (env->nan == SF_NAN_X87)
                    env->flags |= SF_PE | SF_UP;
                return (struct pk){s, f->emaxb, INT_BIT};
            }
        } else {
            bool to_inf =
                env->round == SF_RN || (env->round == SF_RU && !s) || (env->round == SF_RD && s);
            env->flags |= SF_OE | SF_PE | (to_inf ? SF_UP : 0);
            if (to_inf)
                return (struct pk){s, f->emaxb, INT_BIT};
            return (struct pk){s, f->emaxb - 1, ~0ull << (64 - p)};
        }
    } else {
        env->flags |= fl;
    }
    if (e < emin) { /* an unmasked underflow too deep for the wrap: zero */
        if (env->nan == SF_NAN_X87)
            env->flags = (uint16_t)((env->flags & ~SF_UP) | SF_PE);
        return (struct pk){s, 0, 0};
    }
    return (struct pk){s, (uint32_t)(e + f->bias), (uint64_t)(sig >> 64)};
}

/* an exact or rounded finite value m * 2^(e - 63) */
static struct pk pk_value(struct sf_env *env, const struct fmt *f, unsigned p, bool s, int32_t e,
                          uint64_t m)
{
    return round_pack(env, f, p, s, e, (u128)m << 64);
}

/* ---- NaNs and operand checks ---------------------------------------------- */

static struct uf quiet(struct uf a)
{
    a.m |= QUIET_BIT;
    a.k = K_QNAN;
    return a;
}

/* the NaN result of an operation with NaN operands (SDM Vol 1 table 4-7) */
static struct uf nan2(struct sf_env *env, struct uf a, struct uf b)
{
    if (a.k == K_SNAN || b.k == K_SNAN)
        env->flags |= SF_IE;
    bool an = is_nan(&a), bn = is_nan(&b);
    if (env->nan == SF_NAN_SSE || !an || !bn)
        return quiet(an ? a : b);
    /* x87: a QNaN wins over an SNaN, else the larger significand, then the positive one */
    if (a.k != b.k)
        return quiet(a.k == K_QNAN ? a : b);
    a = quiet(a);
    b = quiet(b);
    if (a.m != b.m)
        return a.m > b.m ? a : b;
    return !a.s ? a : b;
}

/* the operands' denormals: DE; true when DE is unmasked, which stops the
 * operation before it computes anything (SDM Vol 1 4.9.2, 8.5.2) */
static inline bool den_check(struct sf_env *env, const struct uf *a, const struct uf *b)
{
    if (!a->den && !(b && b->den))
        return false;
    env->flags |= SF_DE;
    return !(env->mask & SF_DE);
}

/* ---- the operations on unpacked values ------------------------------------- */

/* common entry: true when the result is already decided in *r (NaN, invalid) */
static bool special2(struct sf_env *env, const struct fmt *f, const struct uf *a,
                     const struct uf *b, struct pk *r)
{
    if (a->k == K_BAD || b->k == K_BAD) {
        env->flags |= SF_IE;
        *r = pk_indefinite(f);
        return true;
    }
    if (is_nan(a) || is_nan(b)) {
        struct uf n = nan2(env, *a, *b);
        *r = pk_special(f, &n);
        return true;
    }
    return false;
}

static struct pk invalid(struct sf_env *env, const struct fmt *f)
{
    env->flags |= SF_IE;
    return pk_indefinite(f);
}

static struct pk uf_add(struct sf_env *env, const struct fmt *f, unsigned p, struct uf a,
                        struct uf b)
{
    struct pk r;
    if (special2(env, f, &a, &b, &r))
        return r;
    if (a.k == K_INF || b.k == K_INF) {
        if (a.k == K_INF && b.k == K_INF && a.s != b.s)
            return invalid(env, f);
        if (den_check(env, &a, &b))
            return pk_indefinite(f);
        return pk_special(f, a.k == K_INF ? &a : &b);
    }
    if (den_check(env, &a, &b))
        return pk_indefinite(f);
    if (a.k == K_ZERO && b.k == K_ZERO) {
        bool s = a.s == b.s ? a.s : env->round == SF_RD;
        return (struct pk){s, 0, 0};
    }
    /* a is the larger magnitude */
    if (b.e > a.e || (b.e == a.e && b.m > a.m)) {
        struct uf t = a;
        a = b;
        b = t;
    }
    u128 A = (u128)a.m << 62, B = (u128)b.m << 62;
    uint64_t d = (uint64_t)((int64_t)a.e - b.e);
    B = b.k == K_ZERO ? 0 : shr_sticky(B, d > 200 ? 200 : (unsigned)d);
    u128 S = a.s == b.s ? A + B : A - B;
    if (S == 0)
        return (struct pk){env->round == SF_RD, 0, 0};
    return round_pack(env, f, p, a.s, a.e + 2, S);
}

static struct pk uf_mul(struct sf_env *env, const struct fmt *f, unsigned p, struct uf a,
                        struct uf b)
{
    struct pk r;
    if (special2(env, f, &a, &b, &r))
        return r;
    bool s = a.s != b.s;
    if (a.k == K_INF || b.k == K_INF) {
        if (a.k == K_ZERO || b.k == K_ZERO)
            return invalid(env, f);
        if (den_check(env, &a, &b))
            return pk_indefinite(f);
        return (struct pk){s, f->emaxb, INT_BIT};
    }
    if (den_check(env, &a, &b))
        return pk_indefinite(f);
    if (a.k == K_ZERO || b.k == K_ZERO)
        return (struct pk){s, 0, 0};
    return round_pack(env, f, p, s, a.e + b.e + 1, (u128)a.m * b.m);
}

static struct pk uf_div(struct sf_env *env, const struct fmt *f, unsigned p, struct uf a,
                        struct uf b)
{
    struct pk r;
    if (special2(env, f, &a, &b, &r))
        return r;
    bool s = a.s != b.s;
    if (a.k == K_INF) {
        if (b.k == K_INF)
            return invalid(env, f);
        if (den_check(env, &a, &b))
            return pk_indefinite(f);
        return (struct pk){s, f->emaxb, INT_BIT};
    }
    if (b.k == K_INF) {
        if (den_check(env, &a, &b))
            return pk_indefinite(f);
        return (struct pk){s, 0, 0};
    }
    if (b.k == K_ZERO) {
        if (a.k == K_ZERO)
            return invalid(env, f);
        env->flags |= SF_ZE;
        return (struct pk){s, f->emaxb, INT_BIT};
    }
    if (den_check(env, &a, &b))
        return pk_indefinite(f);
    if (a.k == K_ZERO)
        return (struct pk){s, 0, 0};
    /* two 64-bit quotient digits and a sticky bit from the remainder */
    int32_t e = a.e - b.e;
    u128 n;
    if (a.m >= b.m) {
        n = (u128)a.m << 63;
    } else {
        n = (u128)a.m << 64;
        e--;
    }
    uint64_t q1 = (uint64_t)(n / b.m), r1 = (uint64_t)(n % b.m);
    u128 n2 = (u128)r1 << 64;
    uint64_t q2 = (uint64_t)(n2 / b.m), r2 = (uint64_t)(n2 % b.m);
    u128 sig = (u128)q1 << 64 | q2 | (r2 != 0);
    return round_pack(env, f, p, s, e, sig);
}

static struct pk uf_sqrt(struct sf_env *env, const struct fmt *f, unsigned p, struct uf a)
{
    if (a.k == K_BAD)
        return invalid(env, f);
    if (is_nan(&a)) {
        if (a.k == K_SNAN)
            env->flags |= SF_IE;
        struct uf q = quiet(a);
        return pk_special(f, &q);
    }
    if (a.k == K_ZERO)
        return (struct pk){a.s, 0, 0};
    if (a.s)
        return invalid(env, f);
    if (a.k == K_INF)
        return pk_special(f, &a);
    if (den_check(env, &a, NULL))
        return pk_indefinite(f);
    /* digit by digit: 67 result bits from the 66-bit radicand and 34 zero pairs */
    int32_t x = a.e - 63;
    u128 rad = a.m;
    if (x & 1) {
        rad <<= 1;
        x--;
    }
    u128 rem = 0, q = 0;
    for (int i = 64; i >= -68; i -= 2) {
        unsigned pair = i >= 0 ? (unsigned)(rad >> i) & 3 : 0;
        rem = rem << 2 | pair;
        u128 t = q << 2 | 1;
        q <<= 1;
        if (rem >= t) {
            rem -= t;
            q |= 1;
        }
    }
    /* sqrt = q * 2^(x/2 - 34) */
    return round_pack(env, f, p, false, x / 2 - 34 - 1 + 127, q << 1 | (rem != 0));
}

static enum sf_rel uf_cmp(struct sf_env *env, struct uf a, struct uf b, bool signalling)
{
    if (a.k == K_BAD || b.k == K_BAD) {
        env->flags |= SF_IE;
        return SF_UN;
    }
    if (is_nan(&a) || is_nan(&b)) {
        if (signalling || a.k == K_SNAN || b.k == K_SNAN)
            env->flags |= SF_IE;
        return SF_UN;
    }
    den_check(env, &a, &b); /* FCOM and COMISS still set their flags (SDM Vol 2A FCOM) */
    if (a.k == K_ZERO && b.k == K_ZERO)
        return SF_EQ;
    if (a.s != b.s)
        return a.s ? SF_LT : SF_GT;
    /* same sign: compare magnitudes (infinity above every exponent) */
    int32_t ea = a.k == K_INF ? INT32_MAX : a.e, eb = b.k == K_INF ? INT32_MAX : b.e;
    int c = ea != eb ? (ea < eb ? -1 : 1) : a.m != b.m ? (a.m < b.m ? -1 : 1) : 0;
    if (a.k == K_INF && b.k == K_INF)
        c = 0;
    if (c == 0)
        return SF_EQ;
    return (c < 0) != a.s ? SF_LT : SF_GT;
}

/*
 * Round a finite non-zero value to an integer: the magnitude as a 128-bit
 * integer (saturated beyond 2^126), with PE/UP per rc.
 */
static u128 uf_to_integer(struct sf_env *env, const struct uf *a, enum sf_round rc, bool report,
                          bool *up_out)
{
    *up_out = false;
    if (a->e >= 126)
        return (u128)1 << 126;
    if (a->e >= 63)
        return (u128)a->m << (a->e - 63);
    /* value = v * 2^(e - 126) with 126 - e fraction bits; below one half
     * (e < -1) only the direction of rounding matters */
    u128 v = (u128)a->m << 63, ip = 0, fr = 1, half = 2;
    if (a->e >= -1) {
        unsigned fracbits = (unsigned)(126 - a->e);
        ip = v >> fracbits;
        fr = v & (((u128)1 << fracbits) - 1);
        half = (u128)1 << (fracbits - 1);
    }
    if (!fr)
        return ip;
    bool inc = false;
    switch (rc) {
    case SF_RN:
        inc = fr > half || (fr == half && (ip & 1));
        break;
    case SF_RD:
        inc = a->s;
        break;
    case SF_RU:
        inc = !a->s;
        break;
    default:
        break;
    }
    if (report)
        env->flags |= SF_PE | (inc ? SF_UP : 0);
    *up_out = inc;
    return ip + inc;
}

static struct pk uf_round_int(struct sf_env *env, const struct fmt *f, struct uf a,
                              enum sf_round rc, bool report)
{
    if (a.k == K_BAD)
        return invalid(env, f);
    if (is_nan(&a)) {
        if (a.k == K_SNAN)
            env->flags |= SF_IE;
        struct uf q = quiet(a);
        return pk_special(f, &q);
    }
    if (a.k != K_NORM)
        return pk_special(f, &a);
    if (den_check(env, &a, NULL))
        return pk_indefinite(f);
    if (a.e >= 63)
        return pk_value(env, f, f->prec, a.s, a.e, a.m);
    bool up;
    u128 v = uf_to_integer(env, &a, rc, report, &up);
    if (!v)
        return (struct pk){a.s, 0, 0};
    return round_pack(env, f, f->prec, a.s, 127, v);
}

static int64_t uf_to_int(struct sf_env *env, struct uf a, unsigned size, enum sf_round rc)
{
    int64_t indef = (int64_t)(~0ull << (size * 8 - 1));
    if (a.k == K_BAD || is_nan(&a) || a.k == K_INF) {
        env->flags |= SF_IE;
        return indef;
    }
    if (a.k == K_ZERO)
        return 0;
    struct sf_env probe = *env;
    bool up;
    u128 v = uf_to_integer(&probe, &a, rc, true, &up);
    u128 lim = (u128)1 << (size * 8 - 1); /* |negative| may reach it, positive may not */
    if (v > lim || (v == lim && !a.s)) {
        env->flags |= SF_IE;
        return indef;
    }
    env->flags = probe.flags;
    return a.s ? (int64_t)(0 - (uint64_t)v) : (int64_t)(uint64_t)v;
}

static struct pk uf_from_int(struct sf_env *env, const struct fmt *f, int64_t v)
{
    if (!v)
        return (struct pk){false, 0, 0};
    bool s = v < 0;
    uint64_t m = s ? 0 - (uint64_t)v : (uint64_t)v;
    return round_pack(env, f, f->prec, s, 127, m);
}

/* a conversion between formats: exact widening, rounded narrowing */
static struct pk uf_convert(struct sf_env *env, const struct fmt *to, struct uf a)
{
    if (a.k == K_BAD)
        return invalid(env, to);
    if (is_nan(&a)) {
        if (a.k == K_SNAN)
            env->flags |= SF_IE;
        struct uf q = quiet(a);
        return pk_special(to, &q);
    }
    den_check(env, &a, NULL); /* the value is still converted: the caller decides */
    if (a.k != K_NORM)
        return pk_special(to, &a);
    return pk_value(env, to, to->prec, a.s, a.e, a.m);
}

/*
 * FST m32/m64: a denormal source is not DE; an unmasked OE or UE stores
 * nothing and reports only itself, without PE or C1 (SDM Vol 1 8.5.4, 8.5.5)
 */
static struct pk uf_store(struct sf_env *env, const struct fmt *to, struct uf a)
{
    uint16_t before = env->flags;
    a.den = false;
    struct pk r = uf_convert(env, to, a);
    uint16_t raised = env->flags & ~before;
    if (raised & ~env->mask & (SF_OE | SF_UE))
        env->flags = before | (raised & (SF_OE | SF_UE));
    return r;
}

/* ---- public: classes ------------------------------------------------------ */

static enum sf_class uf_class(const struct uf *a)
{
    static const enum sf_class map[] = {
        [K_ZERO] = SF_CLS_ZERO, [K_NORM] = SF_CLS_NORMAL, [K_INF] = SF_CLS_INF,
        [K_QNAN] = SF_CLS_QNAN, [K_SNAN] = SF_CLS_SNAN,   [K_BAD] = SF_CLS_UNSUPPORTED,
    };
    return a->den ? SF_CLS_DENORMAL : map[a->k];
}

enum sf_class sf32_class(sf32 a)
{
    struct sf_env env = sf_env_sse();
    struct uf u = unpack_bin(&env, &F32, a);
    return uf_class(&u);
}
enum sf_class sf64_class(sf64 a)
{
    struct sf_env env = sf_env_sse();
    struct uf u = unpack_bin(&env, &F64, a);
    return uf_class(&u);
}
enum sf_class sf80_class(sf80 a)
{
    struct uf u = unpack80(a);
    return uf_class(&u);
}

/* ---- public: binary32 and binary64 --------------------------------------- */

#define BIN_OPS(W, F, T)                                                                           \
    T sf##W##_add(struct sf_env *e, T a, T b)                                                      \
    {                                                                                              \
        return (T)pack_bin(&F, uf_add(e, &F, F.prec, unpack_bin(e, &F, a), unpack_bin(e, &F, b))); \
    }                                                                                              \
    T sf##W##_sub(struct sf_env *e, T a, T b)                                                      \
    {                                                                                              \
        struct uf ub = unpack_bin(e, &F, b);                                                       \
        if (!is_nan(&ub))                                                                          \
            ub.s = !ub.s;                                                                          \
        return (T)pack_bin(&F, uf_add(e, &F, F.prec, unpack_bin(e, &F, a), ub));                   \
    }                                                                                              \
    T sf##W##_mul(struct sf_env *e, T a, T b)                                                      \
    {                                                                                              \
        return (T)pack_bin(&F, uf_mul(e, &F, F.prec, unpack_bin(e, &F, a), unpack_bin(e, &F, b))); \
    }                                                                                              \
    T sf##W##_div(struct sf_env *e, T a, T b)                                                      \
    {                                                                                              \
        return (T)pack_bin(&F, uf_div(e, &F, F.prec, unpack_bin(e, &F, a), unpack_bin(e, &F, b))); \
    }                                                                                              \
    T sf##W##_sqrt(struct sf_env *e, T a)                                                          \
    {                                                                                              \
        return (T)pack_bin(&F, uf_sqrt(e, &F, F.prec, unpack_bin(e, &F, a)));                      \
    }                                                                                              \
    enum sf_rel sf##W##_cmp(struct sf_env *e, T a, T b, bool signalling)                           \
    {                                                                                              \
        return uf_cmp(e, unpack_bin(e, &F, a), unpack_bin(e, &F, b), signalling);                  \
    }                                                                                              \
    T sf##W##_round_int(struct sf_env *e, T a, enum sf_round rc, bool inexact)                     \
    {                                                                                              \
        return (T)pack_bin(&F, uf_round_int(e, &F, unpack_bin(e, &F, a), rc, inexact));            \
    }                                                                                              \
    int64_t sf##W##_to_int(struct sf_env *e, T a, unsigned size, enum sf_round rc)                 \
    {                                                                                              \
        return uf_to_int(e, unpack_bin(e, &F, a), size, rc);                                       \
    }                                                                                              \
    T sf##W##_from_int(struct sf_env *e, int64_t v)                                                \
    {                                                                                              \
        return (T)pack_bin(&F, uf_from_int(e, &F, v));                                             \
    }                                                                                              \
    sf80 sf##W##_to_sf80(struct sf_env *e, T a)                                                    \
    {                                                                                              \
        return pack80(uf_convert(e, &F80, unpack_bin(e, &F, a)));                                  \
    }                                                                                              \
    T sf80_to_sf##W(struct sf_env *e, sf80 a)                                                      \
    {                                                                                              \
        return (T)pack_bin(&F, uf_store(e, &F, unpack80(a)));                                      \
    }

BIN_OPS(32, F32, sf32)
BIN_OPS(64, F64, sf64)

sf64 sf32_to_sf64(struct sf_env *e, sf32 a)
{
    return pack_bin(&F64, uf_convert(e, &F64, unpack_bin(e, &F32, a)));
}

sf32 sf64_to_sf32(struct sf_env *e, sf64 a)
{
    return (sf32)pack_bin(&F32, uf_convert(e, &F32, unpack_bin(e, &F64, a)));
}

/* ---- public: double extended ---------------------------------------------- */

/* the operands of a two-operand operation, with the x87's denormal hints */
static void unpack80_pair(const struct sf_env *e, sf80 a, sf80 b, struct uf *ua, struct uf *ub)
{
    *ua = unpack80(a);
    *ub = unpack80(b);
    if ((e->den_hint & SF_DEN_A) && ua->k == K_NORM)
        ua->den = true;
    if ((e->den_hint & SF_DEN_B) && ub->k == K_NORM)
        ub->den = true;
}

sf80 sf80_add(struct sf_env *e, sf80 a, sf80 b)
{
    struct uf ua, ub;
    unpack80_pair(e, a, b, &ua, &ub);
    return pack80(uf_add(e, &F80, prec_bits(e), ua, ub));
}

sf80 sf80_sub(struct sf_env *e, sf80 a, sf80 b)
{
    struct uf ua, ub;
    unpack80_pair(e, a, b, &ua, &ub);
    if (!is_nan(&ub) && ub.k != K_BAD)
        ub.s = !ub.s;
    return pack80(uf_add(e, &F80, prec_bits(e), ua, ub));
}

sf80 sf80_mul(struct sf_env *e, sf80 a, sf80 b)
{
    struct uf ua, ub;
    unpack80_pair(e, a, b, &ua, &ub);
    return pack80(uf_mul(e, &F80, prec_bits(e), ua, ub));
}

sf80 sf80_div(struct sf_env *e, sf80 a, sf80 b)
{
    struct uf ua, ub;
    unpack80_pair(e, a, b, &ua, &ub);
    return pack80(uf_div(e, &F80, prec_bits(e), ua, ub));
}

sf80 sf80_sqrt(struct sf_env *e, sf80 a)
{
    return pack80(uf_sqrt(e, &F80, prec_bits(e), unpack80(a)));
}

enum sf_rel sf80_cmp(struct sf_env *e, sf80 a, sf80 b, bool signalling)
{
    struct uf ua, ub;
    unpack80_pair(e, a, b, &ua, &ub);
    return uf_cmp(e, ua, ub, signalling);
}

sf80 sf80_round_int(struct sf_env *e, sf80 a)
{
    return pack80(uf_round_int(e, &F80, unpack80(a), (enum sf_round)e->round, true));
}

int64_t sf80_to_int(struct sf_env *e, sf80 a, unsigned size, enum sf_round rc)
{
    return uf_to_int(e, unpack80(a), size, rc);
}

sf80 sf80_from_int(int64_t v)
{
    struct sf_env env = sf_env_x87();
    return pack80(uf_from_int(&env, &F80, v));
}

sf80 sf80_scale(struct sf_env *e, sf80 av, sf80 bv)
{
    struct uf a = unpack80(av), b = unpack80(bv);
    struct pk r;
    if (special2(e, &F80, &a, &b, &r))
        return pack80(r);
    /* SDM Vol 2A FSCALE, table 3-47 */
    if (b.k == K_INF) {
        if ((a.k == K_ZERO && !b.s) || (a.k == K_INF && b.s))
            return pack80(invalid(e, &F80));
        if (den_check(e, &a, &b))
            return av;
        if (a.k == K_NORM)
            a.k = b.s ? K_ZERO : K_INF;
        return pack80(pk_special(&F80, &a));
    }
    if (den_check(e, &a, &b))
        return av;
    if (a.k != K_NORM)
        return pack80(pk_special(&F80, &a));
    int32_t n = 0;
    if (b.k == K_NORM && b.e >= 0) {
        n = b.e > 30 ? EXP_CLAMP : (int32_t)(b.m >> (63 - b.e));
        if (n > EXP_CLAMP)
            n = EXP_CLAMP;
        if (b.s)
            n = -n;
    }
    return pack80(pk_value(e, &F80, 64, a.s, a.e + n, a.m));
}

sf80 sf80_extract(struct sf_env *e, sf80 av, sf80 *exp)
{
    struct uf a = unpack80(av);
    if (a.k == K_BAD) {
        *exp = pack80(invalid(e, &F80));
        return *exp;
    }
    if (is_nan(&a)) {
        if (a.k == K_SNAN)
            e->flags |= SF_IE;
        struct uf q = quiet(a);
        *exp = pack80(pk_special(&F80, &q));
        return *exp;
    }
    if (a.k == K_ZERO) {
        /* SDM Vol 2A FXTRACT: ZE, the exponent -inf, the significand the zero */
        e->flags |= SF_ZE;
        *exp = (sf80){INT_BIT, 0xffff};
        return av;
    }
    if (a.k == K_INF) {
        *exp = (sf80){INT_BIT, 0x7fff};
        return av;
    }
    if (den_check(e, &a, NULL))
        return *exp = av;
    *exp = sf80_from_int(a.e);
    return (sf80){a.m, (uint16_t)((a.s ? 0x8000 : 0) | F80.bias)};
}

/* an implementation-defined reduction step of FPREM when the exponent
 * difference is 64 or more (SDM Vol 2A FPREM: 32 <= N <= 63) */
static unsigned rem_partial_n(int32_t d)
{
    return 32 + (unsigned)((d - 32) & 31);
}

sf80 sf80_rem(struct sf_env *e, sf80 av, sf80 bv, bool ieee, uint16_t *status)
{
    struct uf a = unpack80(av), b = unpack80(bv);
    struct pk r;
    *status = SF_REM_NAN;
    if (special2(e, &F80, &a, &b, &r))
        return pack80(r);
    if (a.k == K_INF || b.k == K_ZERO)
        return pack80(invalid(e, &F80));
    if (den_check(e, &a, &b))
        return av; /* DE unmasked: the codes stay as for a NaN */
    *status = 0;
    if (a.k == K_ZERO)
        return av;
    if (b.k == K_INF) /* a finite by infinity: a itself, normalised */
        return pack80(pk_value(e, &F80, 64, a.s, a.e, a.m));
    int32_t d = a.e - b.e;
    bool s = a.s;
    if (d < 0) {
        /* |a| < |b|: the quotient is 0, or 1 for FPREM1 when |a| > |b|/2 (d = -1,
         * where |b|/2 is b.m at a's scale; a tie rounds to the even 0) */
        if (!ieee || d < -1 || a.m <= b.m)
            return pack80(pk_value(e, &F80, 64, a.s, a.e, a.m));
        *status = SF_REM_Q0;
        u128 rm = ((u128)b.m << 1) - a.m;
        return pack80(round_pack(e, &F80, 64, !s, a.e + 64, rm));
    }
    bool partial = d >= 64;
    unsigned steps = partial ? rem_partial_n(d) : (unsigned)d;
    /* q = floor(a.m * 2^steps / b.m); the remainder is rm * 2^(a.e - steps - 63) */
    u128 rm = a.m;
    uint64_t q = 0;
    for (unsigned k = 0;; k++) {
        q <<= 1;
        if (rm >= b.m) {
            rm -= b.m;
            q |= 1;
        }
        if (k == steps)
            break;
        rm <<= 1;
    }
    if (ieee && !partial && ((rm << 1) > b.m || ((rm << 1) == b.m && (q & 1)))) {
        rm = b.m - rm;
        q++;
        s = !s;
    }
    if (partial)
        *status = SF_REM_C2;
    else
        *status = (q & 1 ? SF_REM_Q0 : 0) | (q & 2 ? SF_REM_Q1 : 0) | (q & 4 ? SF_REM_Q2 : 0);
    if (rm == 0)
        return (sf80){0, (uint16_t)(a.s ? 0x8000 : 0)};
    return pack80(round_pack(e, &F80, 64, s, a.e - (int32_t)steps + 64, rm));
}

/* ---- for softfloat_trans.c (softfloat_impl.h) ----------------------------- */

struct uf sfi_unpack80(sf80 v)
{
    return unpack80(v);
}

sf80 sfi_round80(struct sf_env *env, bool s, int32_t e, u128 sig)
{
    return pack80(round_pack(env, &F80, 64, s, e, sig));
}

sf80 sfi_nan80(struct sf_env *env, struct uf a, struct uf b)
{
    struct uf n = nan2(env, a, b);
    return pack80(pk_special(&F80, &n));
}

bool sfi_den_check(struct sf_env *env, const struct uf *a, const struct uf *b)
{
    return den_check(env, a, b);
}
