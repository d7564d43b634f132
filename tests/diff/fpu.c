/*
 * tests/diff/fpu.c: random floating-point values and the random x87/MMX/SSE
 * state a case starts from.
 *
 * Values lean on the specials (SDM Vol 1 4.8, 8.2): zeros, denormals, the
 * smallest and largest normals, infinities, quiet and signalling NaNs with
 * random payloads, integer-valued numbers around the conversion limits
 * (2^31, 2^63) and halves that round either way; for the x87's 80-bit
 * format also pseudo-denormals, unnormals, pseudo-infinities and
 * pseudo-NaNs, which its explicit integer bit makes possible.
 */
#include <string.h>

#include "emu/x86.h"
#include "tests/diff/diff.h"

static unsigned rnd(uint64_t *s, unsigned n)
{
    return (unsigned)(diff_rand(s) % n);
}

/* a biased exponent near e, then the fields put together */
static uint64_t pack(uint64_t sign, uint64_t exp, uint64_t frac, unsigned ebits, unsigned fbits)
{
    return sign << (ebits + fbits) | (exp & ((1ull << ebits) - 1)) << fbits |
           (frac & ((1ull << fbits) - 1));
}

/* an IEEE binary format with ebits of exponent and fbits of fraction */
static uint64_t rand_ieee(uint64_t *rng, unsigned ebits, unsigned fbits)
{
    uint64_t r = diff_rand(rng), sign = r >> 63, frac = diff_rand(rng);
    uint64_t emax = (1ull << ebits) - 1, bias = emax >> 1, qbit = 1ull << (fbits - 1);
    uint64_t fmask = (1ull << fbits) - 1;
    switch (rnd(rng, 24)) {
    case 0:
        return pack(sign, 0, 0, ebits, fbits); /* zero */
    case 1:
        return pack(sign, 0, 1, ebits, fbits); /* the smallest denormal */
    case 2:
        return pack(sign, 0, frac | 1, ebits, fbits); /* a denormal */
    case 3:
        return pack(sign, 0, fmask, ebits, fbits); /* the largest denormal */
    case 4:
        return pack(sign, 1, rnd(rng, 2) ? 0 : frac, ebits, fbits); /* near the smallest normal */
    case 5:
        return pack(sign, emax - 1, rnd(rng, 2) ? fmask : frac, ebits, fbits); /* near the top */
    case 6:
        return pack(sign, emax, 0, ebits, fbits); /* infinity */
    case 7:
        return pack(rnd(rng, 4) ? 1 : sign, emax, qbit, ebits, fbits); /* the default NaN */
    case 8:
        return pack(sign, emax, qbit | frac, ebits, fbits); /* a quiet NaN */
    case 9:
        return pack(sign, emax, (frac & (qbit - 1)) | 1, ebits, fbits); /* a signalling NaN */
    case 10:
        return pack(sign, bias, 0, ebits, fbits); /* +-1 */
    case 11:
    case 12: {
        /* integer-valued, around the int32 and int64 limits */
        static const unsigned bits[] = {0, 1, 8, 15, 16, 30, 31, 32, 52, 62, 63, 64};
        unsigned e = bits[rnd(rng, sizeof bits / sizeof bits[0])];
        uint64_t f = rnd(rng, 3) == 0 ? 0 : rnd(rng, 2) ? fmask : frac;
        if (e < fbits)
            f &= ~(fmask >> e); /* no fraction below the units */
        return pack(sign, bias + e, f, ebits, fbits);
    }
    case 13: {
        /* a half: 0.5, 1.5, 2.5, ... round one way or the other */
        unsigned e = rnd(rng, 8);
        uint64_t f = (frac & ~(fmask >> e)) | (qbit >> e);
        return pack(sign, bias + e, e ? f : 0, ebits, fbits) - (e ? 0 : 1ull << fbits);
    }
    case 14:
    case 15:
    case 16:
        return pack(sign, bias - 20 + rnd(rng, 41), frac, ebits, fbits); /* an everyday number */
    case 17:
        return pack(sign, bias - 2 + rnd(rng, 5), frac, ebits, fbits); /* near 1 */
    default:
        return pack(sign, 1 + rnd(rng, (unsigned)(emax - 1)), frac, ebits, fbits); /* any normal */
    }
}

uint32_t diff_rand_f32(uint64_t *rng)
{
    return (uint32_t)rand_ieee(rng, 8, 23);
}

uint64_t diff_rand_f64(uint64_t *rng)
{
    return rand_ieee(rng, 11, 52);
}

/* an 80-bit double-extended value: its 64-bit significand and sign/exponent word */
void diff_rand_f80(uint64_t *rng, uint64_t *mant, uint16_t *se)
{
    const uint64_t j = 1ull << 63; /* the explicit integer bit */
    uint64_t r = diff_rand(rng), m = diff_rand(rng);
    uint16_t sign = (uint16_t)(r >> 63) << 15;
    unsigned e;
    switch (rnd(rng, 20)) {
    case 0:
        e = 0, m = 0; /* zero */
        break;
    case 1:
        e = 0, m = (m & ~j) | 1; /* a denormal */
        break;
    case 2:
        e = 0, m |= j; /* a pseudo-denormal */
        break;
    case 3:
        e = 1 + rnd(rng, 0x7ffe), m &= ~j; /* an unnormal */
        break;
    case 4:
        e = 0x7fff, m = j; /* infinity */
        break;
    case 5:
        e = 0x7fff, m = rnd(rng, 2) ? 0 : m & ~j; /* a pseudo-infinity or pseudo-NaN */
        break;
    case 6:
        e = 0x7fff, m |= j | (1ull << 62); /* a quiet NaN */
        break;
    case 7:
        e = 0x7fff, m = ((m | j) & ~(1ull << 62)) | 1; /* a signalling NaN */
        break;
    case 8:
        e = 0x7fff, m = j | (1ull << 62); /* the real indefinite */
        break;
    case 9:
        e = 0x3fff, m = j; /* +-1 */
        break;
    case 10:
        e = 0x3fff + rnd(rng, 64), m |= j; /* integer-sized */
        break;
    case 11:
        e = 1, m |= j; /* the smallest normals */
        break;
    case 12:
        e = 0x7ffe, m |= j; /* the largest normals */
        break;
    case 13: {
        /* a float or double, extended: what FLD m32/m64 would make */
        uint64_t d = diff_rand_f64(rng);
        unsigned de = (unsigned)(d >> 52) & 0x7ff;
        sign = (uint16_t)(d >> 63) << 15;
        m = j | (d << 11);
        e = de == 0x7ff ? 0x7fff : de == 0 ? 0 : de - 1023 + 0x3fff;
        if (de == 0)
            m &= ~j;
        break;
    }
    default:
        e = 0x3fff - 40 + rnd(rng, 81), m |= j; /* an everyday number */
    }
    *mant = m;
    *se = (uint16_t)(sign | e);
}

static void rand_xmm(uint64_t *rng, uint8_t x[16])
{
    uint64_t q[2] = {0, 0};
    uint32_t d[4];
    switch (rnd(rng, 8)) {
    case 0:
        break; /* zero */
    case 1:
    case 2:
        for (unsigned k = 0; k < 4; k++)
            d[k] = diff_rand_f32(rng);
        memcpy(q, d, sizeof q);
        break;
    case 3:
    case 4:
        q[0] = diff_rand_f64(rng), q[1] = diff_rand_f64(rng);
        break;
    case 5: {
        /* small integers in every lane width, for packs, saturation and compares */
        static const uint64_t pat[] = {0x7f807f80ff00ff01ull, 0x8000ffff7fff0001ull,
                                       0x0000000100000000ull, 0xffffffff80000000ull};
        q[0] = pat[rnd(rng, 4)] ^ (diff_rand(rng) & diff_rand(rng) & 0x0101010101010101ull);
        q[1] = pat[rnd(rng, 4)];
        break;
    }
    default:
        q[0] = diff_rand(rng), q[1] = diff_rand(rng);
    }
    memcpy(x, q, 16);
}

/* MXCSR: every rounding mode, DAZ and FZ, sticky flags, and sometimes unmasked exceptions */
static uint32_t rand_mxcsr(uint64_t *rng)
{
    if (rnd(rng, 3) == 0)
        return MXCSR_DEFAULT;
    uint32_t m = rnd(rng, 4) << MXCSR_RC_SHIFT;
    if (rnd(rng, 3) == 0)
        m |= MXCSR_DAZ;
    if (rnd(rng, 3) == 0)
        m |= MXCSR_FZ;
    if (rnd(rng, 3) == 0)
        m |= (uint32_t)diff_rand(rng) & MXCSR_FLAGS;
    if (rnd(rng, 4) == 0)
        m |= (uint32_t)diff_rand(rng) & MXCSR_MASKS; /* some exceptions unmasked */
    else
        m |= MXCSR_MASKS;
    return m;
}

/* the x87 registers: FCW, FSW with a TOP, tags, and values in R0..R7 */
static void rand_x87(uint64_t *rng, struct fxsave_area *a)
{
    a->fcw = FCW_DEFAULT;
    if (rnd(rng, 3) == 0) {
        static const uint16_t pc[] = {0, 2, 3}; /* precision control; 1 is reserved */
        a->fcw =
            (uint16_t)(0x40 | (diff_rand(rng) & 0x3f) | pc[rnd(rng, 3)] << 8 | rnd(rng, 4) << 10);
        if (rnd(rng, 2))
            a->fcw |= 0x3f; /* all masked, other modes */
    }
    uint16_t fsw = (uint16_t)(rnd(rng, 8) << FSW_TOP_SHIFT);
    if (rnd(rng, 2))
        fsw |= (uint16_t)(diff_rand(rng) & 0x4700); /* C0..C3 */
    if (rnd(rng, 4) == 0)
        fsw |= (uint16_t)(diff_rand(rng) & diff_rand(rng) & 0x7f); /* flags and SF */
    if (fsw & ~a->fcw & 0x3f)
        fsw |= FSW_ES | 0x8000; /* a pending unmasked exception: ES and B */
    a->fsw = fsw;
    switch (rnd(rng, 4)) {
    case 0:
        a->ftw = 0; /* empty, as after FNINIT */
        break;
    case 1:
        a->ftw = 0xff;
        break;
    default:
        a->ftw = (uint8_t)diff_rand(rng);
    }
    for (unsigned k = 0; k < 8; k++) {
        uint64_t mant = 0;
        uint16_t se = 0;
        if (a->ftw || rnd(rng, 2))
            diff_rand_f80(rng, &mant, &se);
        memcpy(a->st[k], &mant, 8);
        memcpy(a->st[k] + 8, &se, 2);
    }
}

void diff_fpu_default(struct fxsave_area *a)
{
    memset(a, 0, sizeof *a);
    a->fcw = FCW_DEFAULT;
    a->mxcsr = MXCSR_DEFAULT;
}

void diff_fpu_random(struct fxsave_area *a, uint64_t *rng)
{
    diff_fpu_default(a);
    if (rnd(rng, 4))
        rand_x87(rng, a);
    a->mxcsr = rand_mxcsr(rng);
    for (unsigned k = 0; k < 16; k++)
        rand_xmm(rng, a->xmm[k]);
}
