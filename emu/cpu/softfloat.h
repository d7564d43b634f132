/*
 * emu/cpu/softfloat.h: baremu's own IEEE 754 arithmetic in integers only, for
 * the x87 (binary32, binary64, double extended) and SSE (binary32, binary64).
 * No host floating point anywhere: results are the same on both hosts, and the
 * bare-metal kernel never touches host FPU state. docs/cpu.md, "x87", says why
 * it is ours and what is exact.
 *
 * Every operation takes a struct sf_env: the rounding mode, the x87 precision
 * control, the exception masks, DAZ/FTZ and which NaN rules apply (x87 or SSE,
 * SDM Vol 1 4.8.3.5 and table 4-7). It ORs what happened into env->flags, which
 * the core never clears; the caller decides what the flags mean for it:
 *
 * - masked exceptions get the IEEE/Intel default result (SDM Vol 1 4.9.1);
 * - with IE, DE or ZE unmasked (pre-computation exceptions) the result is the
 *   masked one, and the caller must not deliver it (x87: SDM Vol 1 8.5.1-8.5.3;
 *   SSE: 11.5.2);
 * - with OE or UE unmasked the result is the rounded significand with the
 *   exponent wrapped by the format's bias adjust (24576, 1536, 192), as the
 *   x87 delivers to a register (SDM Vol 1 8.5.4, 8.5.5); a store to memory or
 *   an SSE instruction delivers nothing, and only looks at the flags.
 *
 * Tininess is detected after rounding, as x86 does; UE is raised for a tiny
 * result when it is inexact or when UE is unmasked.
 */
#ifndef BAREMU_CPU_SOFTFLOAT_H
#define BAREMU_CPU_SOFTFLOAT_H

#include <stdbool.h>
#include <stdint.h>

/* exception flags: the bits of the x87 status word and of MXCSR[5:0] */
#define SF_IE  0x01 /* invalid operation */
#define SF_DE  0x02 /* denormal operand */
#define SF_ZE  0x04 /* zero divide */
#define SF_OE  0x08 /* overflow */
#define SF_UE  0x10 /* underflow */
#define SF_PE  0x20 /* precision (inexact) */
#define SF_ALL 0x3f
/* not an exception: the inexact result was rounded up in magnitude (x87 C1) */
#define SF_UP 0x100

/* rounding control, encoded as FCW.RC and MXCSR.RC are */
enum sf_round { SF_RN = 0, SF_RD = 1, SF_RU = 2, SF_RZ = 3 };

/* x87 precision control, encoded as FCW.PC is (1 is reserved and acts as 64 here) */
enum sf_prec { SF_PC24 = 0, SF_PC53 = 2, SF_PC64 = 3 };

/* which rules pick the NaN result of a two-operand operation */
enum sf_nan_rules { SF_NAN_X87, SF_NAN_SSE };

struct sf_env {
    uint8_t round; /* enum sf_round */
    uint8_t prec;  /* enum sf_prec: the significand of double-extended results */
    uint8_t mask;  /* masked exceptions, SF_IE..SF_PE (FCW[5:0], MXCSR[12:7]) */
    bool daz;      /* SSE: denormal operands of binary32/64 read as zero, without DE */
    bool ftz;      /* SSE: tiny results flush to zero when UE is masked (UE and PE set) */
    uint8_t nan;   /* enum sf_nan_rules */
    /* x87 only: operand a (SF_DEN_A) or b (SF_DEN_B) of the next double-extended
     * operation was a denormal m32fp/m64fp, exact in double extended but DE all
     * the same (SDM Vol 1 8.5.2), with the priorities of a register denormal */
    uint8_t den_hint;
    uint16_t flags; /* SF_* raised so far, ORed in by every operation */
};

#define SF_DEN_A 1
#define SF_DEN_B 2

/* the masked, round-to-nearest environments at reset: FCW 0x037f, MXCSR 0x1f80 */
static inline struct sf_env sf_env_x87(void)
{
    return (struct sf_env){.round = SF_RN, .prec = SF_PC64, .mask = SF_ALL, .nan = SF_NAN_X87};
}
static inline struct sf_env sf_env_sse(void)
{
    return (struct sf_env){.round = SF_RN, .prec = SF_PC64, .mask = SF_ALL, .nan = SF_NAN_SSE};
}

/* binary32 and binary64 are their bit patterns; double extended as the x87 keeps it */
typedef uint32_t sf32;
typedef uint64_t sf64;
typedef struct sf80 {
    uint64_t mant; /* explicit integer bit in bit 63 */
    uint16_t se;   /* sign in bit 15, biased exponent in 14..0 */
} sf80;

/* comparison results, as FCOM maps them to C3/C2/C0 and COMISS to ZF/PF/CF */
enum sf_rel { SF_LT, SF_EQ, SF_GT, SF_UN };

/* ---- classes (FXAM, and callers that need them) ------------------------- */
enum sf_class {
    SF_CLS_ZERO,
    SF_CLS_DENORMAL, /* incl. the x87 pseudo-denormal */
    SF_CLS_NORMAL,
    SF_CLS_INF,
    SF_CLS_QNAN,
    SF_CLS_SNAN,
    SF_CLS_UNSUPPORTED, /* x87 only: unnormal, pseudo-NaN, pseudo-infinity (SDM Vol 1 8.2.2) */
};
enum sf_class sf32_class(sf32 a);
enum sf_class sf64_class(sf64 a);
enum sf_class sf80_class(sf80 a);
static inline bool sf80_sign(sf80 a)
{
    return a.se >> 15;
}

/* the default NaNs ("real indefinite", SDM Vol 1 table 4-3) */
#define SF32_INDEFINITE 0xffc00000u
#define SF64_INDEFINITE 0xfff8000000000000ull
static inline sf80 sf80_indefinite(void)
{
    return (sf80){0xc000000000000000ull, 0xffff};
}

/* ---- binary32 ------------------------------------------------------------ */
sf32 sf32_add(struct sf_env *e, sf32 a, sf32 b);
sf32 sf32_sub(struct sf_env *e, sf32 a, sf32 b);
sf32 sf32_mul(struct sf_env *e, sf32 a, sf32 b);
sf32 sf32_div(struct sf_env *e, sf32 a, sf32 b);
sf32 sf32_sqrt(struct sf_env *e, sf32 a);
/* signalling: any NaN is IE (COMISS, CMPLTSS); quiet: only SNaN (UCOMISS, CMPEQSS) */
enum sf_rel sf32_cmp(struct sf_env *e, sf32 a, sf32 b, bool signalling);
sf32 sf32_round_int(struct sf_env *e, sf32 a, enum sf_round rc, bool inexact);

/* ---- binary64 ------------------------------------------------------------ */
sf64 sf64_add(struct sf_env *e, sf64 a, sf64 b);
sf64 sf64_sub(struct sf_env *e, sf64 a, sf64 b);
sf64 sf64_mul(struct sf_env *e, sf64 a, sf64 b);
sf64 sf64_div(struct sf_env *e, sf64 a, sf64 b);
sf64 sf64_sqrt(struct sf_env *e, sf64 a);
enum sf_rel sf64_cmp(struct sf_env *e, sf64 a, sf64 b, bool signalling);
sf64 sf64_round_int(struct sf_env *e, sf64 a, enum sf_round rc, bool inexact);

/* ---- double extended: results rounded to env->prec (x87 PC) -------------- */
sf80 sf80_add(struct sf_env *e, sf80 a, sf80 b);
sf80 sf80_sub(struct sf_env *e, sf80 a, sf80 b);
sf80 sf80_mul(struct sf_env *e, sf80 a, sf80 b);
sf80 sf80_div(struct sf_env *e, sf80 a, sf80 b);
sf80 sf80_sqrt(struct sf_env *e, sf80 a);
enum sf_rel sf80_cmp(struct sf_env *e, sf80 a, sf80 b, bool signalling);
/* FRNDINT: to an integer in the current rounding mode, at full precision */
sf80 sf80_round_int(struct sf_env *e, sf80 a);
/* FSCALE: a * 2^trunc(b) (SDM Vol 2A FSCALE's table of special cases) */
sf80 sf80_scale(struct sf_env *e, sf80 a, sf80 b);
/* FXTRACT: *exp gets the unbiased exponent, the result is the significand in [1, 2) */
sf80 sf80_extract(struct sf_env *e, sf80 a, sf80 *exp);
/*
 * FPREM (ieee = false: the quotient truncated) and FPREM1 (ieee = true: the
 * quotient rounded to nearest even): the partial remainder of a by b. *status
 * gets the x87 condition bits: SF_REM_C2 when the reduction is incomplete
 * (the exponent difference was 64 or more, SDM Vol 2A FPREM), else the three
 * low quotient bits in SF_REM_Q0 (C1), SF_REM_Q1 (C3), SF_REM_Q2 (C0).
 */
#define SF_REM_Q2 0x0100 /* C0 */
#define SF_REM_Q0 0x0200 /* C1 */
#define SF_REM_C2 0x0400 /* C2 */
#define SF_REM_Q1 0x4000 /* C3 */
/* a NaN or invalid operand: C1 and C2 cleared, C0 and C3 left as they were (as silicon does) */
#define SF_REM_NAN 0x8000
sf80 sf80_rem(struct sf_env *e, sf80 a, sf80 b, bool ieee, uint16_t *status);

/*
 * ---- the x87 transcendentals (softfloat_trans.c): rounded to 64 bits by RC,
 * as the x87 delivers them (PC does not apply), with the special cases of
 * SDM Vol 2A for each instruction ----------------------------------------------
 */
sf80 sf80_f2xm1(struct sf_env *e, sf80 x);          /* 2^x - 1 */
sf80 sf80_yl2x(struct sf_env *e, sf80 x, sf80 y);   /* y log2(x) */
sf80 sf80_yl2xp1(struct sf_env *e, sf80 x, sf80 y); /* y log2(x + 1) */
sf80 sf80_atan2(struct sf_env *e, sf80 y, sf80 x);  /* FPATAN: the angle of (x, y) */
/*
 * Sine and cosine, each with its own environment (es starts as a copy of
 * ec, or the other way round): a result's flags and C1 are its own; both get
 * the operand's. False (C2: nothing computed, no flags) when |x| >= 2^63.
 * The argument is reduced by the x87's 66-bit pi (SDM Vol 1 8.3.10).
 */
bool sf80_sincos(struct sf_env *es, struct sf_env *ec, sf80 x, sf80 *sin, sf80 *cos);
bool sf80_tan(struct sf_env *e, sf80 x, sf80 *tan);

/* ---- conversions between the formats ------------------------------------- */
sf80 sf32_to_sf80(struct sf_env *e, sf32 a); /* exact; SNaN quieted with IE, DE */
sf80 sf64_to_sf80(struct sf_env *e, sf64 a);
sf32 sf80_to_sf32(struct sf_env *e, sf80 a); /* rounded per env->round */
sf64 sf80_to_sf64(struct sf_env *e, sf80 a);
sf64 sf32_to_sf64(struct sf_env *e, sf32 a);
sf32 sf64_to_sf32(struct sf_env *e, sf64 a);

/* ---- integers: out of range or NaN is IE and the integer indefinite ------- */
/* (the most negative value of the size, SDM Vol 1 table 4-3); size in bytes */
int64_t sf32_to_int(struct sf_env *e, sf32 a, unsigned size, enum sf_round rc);
int64_t sf64_to_int(struct sf_env *e, sf64 a, unsigned size, enum sf_round rc);
int64_t sf80_to_int(struct sf_env *e, sf80 a, unsigned size, enum sf_round rc);
sf32 sf32_from_int(struct sf_env *e, int64_t v); /* rounded per env->round */
sf64 sf64_from_int(struct sf_env *e, int64_t v);
sf80 sf80_from_int(int64_t v); /* always exact */

#endif
