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

void flags_materialize(struct cpu *c)
{
    if (c->lf.op == LF_NONE)
        return;
    c->rflags = (c->rflags & ~(uint64_t)RFLAGS_STATUS) | flags_status(c);
    c->lf.op = LF_NONE;
}

void flags_set_status(struct cpu *c, uint64_t mask, uint64_t val)
{
    /* CF, OF, AF of an LF_RES record are stored bits: change them in place */
    const uint64_t stored = RFLAGS_CF | RFLAGS_OF | RFLAGS_AF;
    if (c->lf.op == LF_RES && !(mask & ~stored)) {
        c->lf.src1 = (c->lf.src1 & ~mask) | (val & mask);
        return;
    }
    flags_materialize(c);
    c->rflags = (c->rflags & ~mask) | (val & mask);
}

bool flags_cond(const struct cpu *c, unsigned cc)
{
    return flags_cond_inline(c, cc);
}
