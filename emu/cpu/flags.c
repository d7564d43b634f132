/*
 * emu/cpu/flags.c: lazy status flags (SDM Vol 1 3.4.3.1, appendix A "EFLAGS
 * cross-reference"). The last flag-setting operation leaves its kind, size,
 * result and operands in c->lf; the flags are derived only when read.
 */
#include "emu/cpu/internal.h"

static uint64_t flags_szp(uint64_t res, unsigned size)
{
    uint64_t f = 0;
    if (!(res & size_mask(size)))
        f |= RFLAGS_ZF;
    if (res & size_sign(size))
        f |= RFLAGS_SF;
    if (!__builtin_parity((unsigned)(res & 0xff)))
        f |= RFLAGS_PF;
    return f;
}

uint64_t flags_status(const struct cpu *c)
{
    const struct lazy_flags *lf = &c->lf;
    if (lf->op == LF_NONE)
        return c->rflags & RFLAGS_STATUS; /* before size is read: it may be 0 then */
    unsigned size = lf->size;
    uint64_t m = size_mask(size), sign = size_sign(size);
    uint64_t res = lf->res, s1 = lf->src1 & m, s2 = lf->src2 & m;
    uint64_t f = flags_szp(res, size);
    bool cf, of;

    switch (lf->op) {
    case LF_RES:
        return f | (lf->src1 & (RFLAGS_CF | RFLAGS_OF | RFLAGS_AF));
    case LF_ADD:
    case LF_ADC:
        cf = lf->op == LF_ADD ? res < s1 : res <= s1;
        of = (s1 ^ res) & (s2 ^ res) & sign;
        break;
    default: /* LF_SUB, LF_SBB */
        cf = lf->op == LF_SUB ? s1 < s2 : s1 <= s2;
        of = (s1 ^ s2) & (s1 ^ res) & sign;
        break;
    }
    if (cf)
        f |= RFLAGS_CF;
    if (of)
        f |= RFLAGS_OF;
    return f | ((s1 ^ s2 ^ res) & RFLAGS_AF);
}

bool flags_cf(const struct cpu *c)
{
    const struct lazy_flags *lf = &c->lf;
    uint64_t m = size_mask(lf->size);
    switch (lf->op) {
    case LF_NONE:
        return c->rflags & RFLAGS_CF;
    case LF_RES:
        return lf->src1 & RFLAGS_CF;
    case LF_ADD:
        return lf->res < (lf->src1 & m);
    case LF_ADC:
        return lf->res <= (lf->src1 & m);
    case LF_SUB:
        return (lf->src1 & m) < (lf->src2 & m);
    default:
        return (lf->src1 & m) <= (lf->src2 & m);
    }
}

void flags_materialize(struct cpu *c)
{
    if (c->lf.op == LF_NONE)
        return;
    c->rflags = (c->rflags & ~(uint64_t)RFLAGS_STATUS) | flags_status(c);
    c->lf.op = LF_NONE;
}

void flags_set_status(struct cpu *c, uint64_t mask, uint64_t val)
{
    flags_materialize(c);
    c->rflags = (c->rflags & ~mask) | (val & mask);
}

bool flags_cond(const struct cpu *c, unsigned cc)
{
    bool r;
    const struct lazy_flags *lf = &c->lf;
    if (lf->op == LF_SUB) {
        /* CMP then Jcc: compare the operands directly */
        uint64_t m = size_mask(lf->size);
        uint64_t a = lf->src1 & m, b = lf->src2 & m;
        int64_t sa = sext(a, lf->size), sb = sext(b, lf->size);
        switch (cc >> 1) {
        case 1:
            r = a < b;
            goto done;
        case 2:
            r = a == b;
            goto done;
        case 3:
            r = a <= b;
            goto done;
        case 6:
            r = sa < sb;
            goto done;
        case 7:
            r = sa <= sb;
            goto done;
        }
    }
    uint64_t f = flags_status(c);
    switch (cc >> 1) {
    case 0:
        r = f & RFLAGS_OF;
        break;
    case 1:
        r = f & RFLAGS_CF;
        break;
    case 2:
        r = f & RFLAGS_ZF;
        break;
    case 3:
        r = f & (RFLAGS_CF | RFLAGS_ZF);
        break;
    case 4:
        r = f & RFLAGS_SF;
        break;
    case 5:
        r = f & RFLAGS_PF;
        break;
    case 6:
        r = !(f & RFLAGS_SF) != !(f & RFLAGS_OF);
        break;
    default:
        r = (f & RFLAGS_ZF) || (!(f & RFLAGS_SF) != !(f & RFLAGS_OF));
        break;
    }
done:
    return (cc & 1) ? !r : r;
}
