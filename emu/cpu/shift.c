/*
 * emu/cpu/shift.c: group 2 shifts and rotates (ROL ROR RCL RCR SHL SHR SAL
 * SAR) and SHLD/SHRD (SDM Vol 2B "RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR",
 * "SHLD", "SHRD"). The count is masked to 5 bits, 6 with a 64-bit operand; a
 * masked count of 0 changes no flag. OF is defined only for a count of 1,
 * AF never; docs/cpu-divergences.md lists the undefined cases.
 */
#include "emu/cpu/internal.h"

enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR };

struct shift_out {
    uint64_t res;
    uint64_t flags; /* CF, OF */
};

static unsigned count_mask(unsigned size)
{
    return size == 8 ? 0x3f : 0x1f;
}

static struct shift_out shift_calc(unsigned kind, unsigned size, uint64_t a, unsigned cnt, bool cf)
{
    unsigned n = size * 8;
    uint64_t m = size_mask(size), sign = size_sign(size), r;
    struct shift_out o;
    bool cfo = cf, of;
    a &= m;
    if (!cnt)
        return (struct shift_out){a, 0};
    switch (kind) {
    case SH_ROL: {
        unsigned k = cnt % n;
        r = k ? ((a << k) | (a >> (n - k))) & m : a;
        cfo = r & 1;
        of = !!(r & sign) != cfo;
        break;
    }
    case SH_ROR: {
        unsigned k = cnt % n;
        r = k ? ((a >> k) | (a << (n - k))) & m : a;
        cfo = r & sign;
        of = !!(r & sign) != !!(r & (sign >> 1));
        break;
    }
    case SH_RCL:
    case SH_RCR: {
        /* rotate the (n+1)-bit value CF:a */
        unsigned w = n + 1, k = cnt % w; /* mod 9 and 17; 32 and 64 bits never wrap */
        unsigned __int128 v = ((unsigned __int128)cf << n) | a,
                          wm = ((unsigned __int128)1 << w) - 1;
        if (kind == SH_RCR && k)
            k = w - k;
        if (k)
            v = ((v << k) | (v >> (w - k))) & wm;
        r = (uint64_t)v & m;
        cfo = (v >> n) & 1;
        if (kind == SH_RCL)
            of = !!(r & sign) != cfo;
        else
            of = !!(r & sign) != !!(r & (sign >> 1));
        break;
    }
    case SH_SHL:
    case SH_SAL:
        r = cnt < 64 ? (a << cnt) & m : 0;
        cfo = cnt <= n ? (a >> (n - cnt)) & 1 : 0;
        of = !!(r & sign) != cfo;
        break;
    case SH_SHR:
        r = cnt < 64 ? a >> cnt : 0;
        cfo = cnt <= 64 ? (a >> (cnt - 1)) & 1 : 0;
        if (cnt > n)
            cfo = 0;
        of = a & sign;
        break;
    default: { /* SH_SAR */
        int64_t s = sext(a, size);
        r = (uint64_t)(s >> (cnt < 64 ? cnt : 63)) & m;
        cfo = (s >> (cnt - 1 < 64 ? cnt - 1 : 63)) & 1;
        of = false;
        break;
    }
    }
    o.res = r;
    o.flags = (cfo ? RFLAGS_CF : 0) | (of ? RFLAGS_OF : 0);
    return o;
}

/* arg packs kind, size and count for the pure read-modify-write function */
static uint64_t rmw_shift(uint64_t a, uint64_t arg, uint64_t cf)
{
    return shift_calc((arg >> 8) & 7, (arg >> 16) & 15, a, arg & 0xff, cf).res;
}

static void shift_rm(struct cpu *c, const struct insn *i, unsigned cnt)
{
    unsigned size = i->osz, kind = i->reg & 7;
    cnt &= count_mask(size);
    bool cf = kind == SH_RCL || kind == SH_RCR ? flags_cf(c) : false;
    struct shift_out o;
    if (i->mod == 3) {
        o = shift_calc(kind, size, reg_read(c, i, i->rm, size), cnt, cf);
        reg_write(c, i, i->rm, size, o.res);
    } else {
        uint64_t arg = cnt | (kind << 8) | (size << 16);
        uint64_t old = cpu_rmw(c, i, size, rmw_shift, arg, cf);
        o = shift_calc(kind, size, old, cnt, cf);
    }
    if (!cnt)
        return;
    if (kind <= SH_RCR)
        flags_set_status(c, RFLAGS_CF | RFLAGS_OF, o.flags); /* rotates touch CF and OF only */
    else
        lf_res(c, size, o.res, o.flags); /* AF undefined: 0 */
}

HANDLER(op_shift_rm)
{
    unsigned cnt;
    switch (i->op) {
    case 0xc0:
    case 0xc1:
        cnt = (unsigned)i->imm & 0xff;
        break;
    case 0xd0:
    case 0xd1:
        cnt = 1;
        break;
    default:
        cnt = c->gpr[REG_RCX] & 0xff;
        break;
    }
    shift_rm(c, i, cnt);
}

/* SHLD/SHRD: the count from imm8 (0F A4, AC) or CL (0F A5, AD) */
static unsigned dshift_count(const struct cpu *c, const struct insn *i)
{
    unsigned cnt = (i->op & 1) ? (unsigned)c->gpr[REG_RCX] : (unsigned)i->imm;
    return cnt & count_mask(i->osz);
}

static uint64_t dshift_calc(bool left, unsigned size, uint64_t a, uint64_t b, unsigned cnt,
                            uint64_t *flags)
{
    unsigned n = size * 8;
    uint64_t m = size_mask(size), r;
    bool cf;
    a &= m;
    b &= m;
    *flags = 0;
    if (!cnt)
        return a;
    if (size == 2 && cnt > 16) {
        /* XXX: the result is undefined (SDM); this is a 32-bit shift of b:a */
        uint64_t wide = left ? (a << 16) | b : (b << 16) | a;
        return dshift_calc(left, 4, wide, left ? a : b, cnt, flags) >> (left ? 16 : 0) & m;
    }
    if (left) {
        r = ((a << cnt) | (cnt < 64 && cnt ? b >> (n - cnt) : 0)) & m;
        cf = (a >> (n - cnt)) & 1;
    } else {
        r = ((a >> cnt) | (cnt && n - cnt < 64 ? b << (n - cnt) : 0)) & m;
        cf = (a >> (cnt - 1)) & 1;
    }
    bool of = !!(r & size_sign(size)) != !!(a & size_sign(size));
    *flags = (cf ? RFLAGS_CF : 0) | (of ? RFLAGS_OF : 0);
    return r;
}

static uint64_t rmw_shld(uint64_t a, uint64_t arg, uint64_t b)
{
    uint64_t f;
    return dshift_calc(true, arg >> 8, a, b, arg & 0xff, &f);
}

static uint64_t rmw_shrd(uint64_t a, uint64_t arg, uint64_t b)
{
    uint64_t f;
    return dshift_calc(false, arg >> 8, a, b, arg & 0xff, &f);
}

static void dshift(struct cpu *c, const struct insn *i, bool left)
{
    unsigned size = i->osz, cnt = dshift_count(c, i);
    uint64_t b = reg_read(c, i, i->reg, size), f;
    uint64_t old = cpu_rmw(c, i, size, left ? rmw_shld : rmw_shrd, cnt | (size << 8), b);
    if (!cnt)
        return;
    uint64_t r = dshift_calc(left, size, old, b, cnt, &f);
    lf_res(c, size, r, f);
}

HANDLER(op_shld)
{
    dshift(c, i, true);
}
HANDLER(op_shrd)
{
    dshift(c, i, false);
}
