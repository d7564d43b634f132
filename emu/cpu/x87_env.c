/*
 * emu/cpu/x87_env.c: FNSTENV/FLDENV and FNSAVE/FRSTOR (SDM Vol 1 8.1.10,
 * figures 8-9 to 8-12; Vol 2A FSTENV, FLDENV, FSAVE, FRSTOR). The layout is
 * the 14-byte one with a 16-bit operand size, the 28-byte one otherwise; in
 * real mode the pointers are 20-bit linear addresses split around FOP, in
 * protected (and 64-bit) mode offsets with their selectors. Reserved halves
 * are written as ones, as silicon does.
 *
 * A store probes its whole area first and a load reads all of it before
 * changing anything, so a #PF or #GP restarts the instruction cleanly.
 */
#include "emu/cpu/x87.h"

#define ENV16_SIZE 14
#define ENV32_SIZE 28
#define ST_SIZE    80 /* eight 10-byte registers after the environment */

struct x87_env_image {
    uint16_t fcw, fsw, ftw, fop, fcs, fds;
    uint64_t fip, fdp;
};

static bool env_real(const struct cpu *c)
{
    return c->mode == MODE_REAL;
}

static unsigned env_size(const struct insn *i)
{
    return i->osz == 2 ? ENV16_SIZE : ENV32_SIZE;
}

static uint64_t env_at(const struct insn *i, uint64_t ea, unsigned off)
{
    return (ea + off) & size_mask(i->asz);
}

static void env_put(struct cpu *c, const struct insn *i, uint64_t ea, unsigned off, unsigned size,
                    uint64_t v)
{
    mem_write(c, i->seg, env_at(i, ea, off), size, v);
}

static uint64_t env_get(struct cpu *c, const struct insn *i, uint64_t ea, unsigned off,
                        unsigned size)
{
    return mem_read(c, i->seg, env_at(i, ea, off), size);
}

/*
 * Before an environment moves, its first field (2 or 4 bytes, by the
 * layout) and then its last byte are touched, as on the host: a fault
 * reports the first that fails, and comes before any change.
 */
static void env_probe(struct cpu *c, const struct insn *i, uint64_t ea, unsigned size,
                      enum access acc)
{
    unsigned first = i->osz == 2 ? 2 : 4;
    uint64_t lin = cpu_linear(c, i->seg, ea, first, acc);
    uint64_t last = (lin + first - 1) & (c->mode == MODE_LONG64 ? ~0ull : 0xffffffffull);
    uint64_t at[3] = {lin, last & ~(uint64_t)(X86_PAGE_SIZE - 1), 0};
    for (unsigned k = 0; k < 3; k++) {
        if (k == 1 && !((lin ^ last) >> X86_PAGE_SHIFT))
            continue; /* the first field is in one page */
        if (k == 2)   /* then the limit over the whole area, and its last byte */
            at[2] = cpu_linear(c, i->seg, ea, size, acc) + size - 1,
            at[2] &= c->mode == MODE_LONG64 ? ~0ull : 0xffffffffull;
        struct tlb_entry *e = tlb_entry(c, at[k]);
        uint64_t tag = acc == ACC_WRITE ? e->wtag : e->tag;
        if (tag != at[k] >> X86_PAGE_SHIFT)
            cpu_tlb_fill(c, at[k], acc);
    }
}

/* the environment at ea, in the layout of the operand size and mode (probed already) */
static void env_store(struct cpu *c, const struct insn *i, uint64_t ea)
{
    const struct x87_state *x = &c->x87;
    uint16_t ftw = x87_tag_word(c);
    uint32_t fip = (uint32_t)x->fip, fdp = (uint32_t)x->fdp;
    if (env_real(c)) {
        fip = (uint32_t)(x->fcs << 4) + fip;
        fdp = (uint32_t)(x->fds << 4) + fdp;
    }
    if (i->osz == 2) {
        env_put(c, i, ea, 0, 2, x->fcw);
        env_put(c, i, ea, 2, 2, x->fsw);
        env_put(c, i, ea, 4, 2, ftw);
        env_put(c, i, ea, 6, 2, fip & 0xffff);
        if (env_real(c)) {
            env_put(c, i, ea, 8, 2, (fip >> 16 & 0xf) << 12 | (x->fop & 0x7ff));
            env_put(c, i, ea, 10, 2, fdp & 0xffff);
            env_put(c, i, ea, 12, 2, (fdp >> 16 & 0xf) << 12);
        } else {
            env_put(c, i, ea, 8, 2, x->fcs);
            env_put(c, i, ea, 10, 2, fdp & 0xffff);
            env_put(c, i, ea, 12, 2, x->fds);
        }
        return;
    }
    env_put(c, i, ea, 0, 4, 0xffff0000u | x->fcw);
    env_put(c, i, ea, 4, 4, 0xffff0000u | x->fsw);
    env_put(c, i, ea, 8, 4, 0xffff0000u | ftw);
    if (env_real(c)) {
        env_put(c, i, ea, 12, 4, 0xffff0000u | (fip & 0xffff));
        env_put(c, i, ea, 16, 4, (fip >> 16 & 0xffff) << 12 | (x->fop & 0x7ff));
        env_put(c, i, ea, 20, 4, 0xffff0000u | (fdp & 0xffff));
        env_put(c, i, ea, 24, 4, (fdp >> 16 & 0xffff) << 12);
    } else {
        env_put(c, i, ea, 12, 4, fip);
        env_put(c, i, ea, 16, 4, (uint32_t)(x->fop & 0x7ff) << 16 | x->fcs);
        env_put(c, i, ea, 20, 4, fdp);
        env_put(c, i, ea, 24, 4, 0xffff0000u | x->fds);
    }
}

static struct x87_env_image env_load(struct cpu *c, const struct insn *i, uint64_t ea)
{
    struct x87_env_image m = {0};
    if (i->osz == 2) {
        m.fcw = (uint16_t)env_get(c, i, ea, 0, 2);
        m.fsw = (uint16_t)env_get(c, i, ea, 2, 2);
        m.ftw = (uint16_t)env_get(c, i, ea, 4, 2);
        m.fip = env_get(c, i, ea, 6, 2);
        uint16_t w8 = (uint16_t)env_get(c, i, ea, 8, 2);
        m.fdp = env_get(c, i, ea, 10, 2);
        uint16_t w12 = (uint16_t)env_get(c, i, ea, 12, 2);
        if (env_real(c)) {
            m.fip |= (uint64_t)(w8 >> 12) << 16;
            m.fop = w8 & 0x7ff;
            m.fdp |= (uint64_t)(w12 >> 12) << 16;
        } else {
            m.fcs = w8;
            m.fds = w12;
        }
        return m;
    }
    m.fcw = (uint16_t)env_get(c, i, ea, 0, 4);
    m.fsw = (uint16_t)env_get(c, i, ea, 4, 4);
    m.ftw = (uint16_t)env_get(c, i, ea, 8, 4);
    uint32_t d12 = (uint32_t)env_get(c, i, ea, 12, 4), d16 = (uint32_t)env_get(c, i, ea, 16, 4);
    uint32_t d20 = (uint32_t)env_get(c, i, ea, 20, 4), d24 = (uint32_t)env_get(c, i, ea, 24, 4);
    if (env_real(c)) {
        m.fip = (d12 & 0xffff) | (uint64_t)(d16 >> 12 & 0xffff) << 16;
        m.fop = d16 & 0x7ff;
        m.fdp = (d20 & 0xffff) | (uint64_t)(d24 >> 12 & 0xffff) << 16;
    } else {
        m.fip = d12;
        m.fcs = (uint16_t)d16;
        m.fop = (uint16_t)(d16 >> 16 & 0x7ff);
        m.fdp = d20;
        m.fds = (uint16_t)d24;
    }
    return m;
}

/* commit a loaded environment: tag 11 is empty, anything else in use */
static void env_commit(struct cpu *c, const struct x87_env_image *m)
{
    struct x87_state *x = &c->x87;
    x->fcw = x87_fcw_value(m->fcw);
    x->fsw = m->fsw;
    x->ftw = 0;
    for (unsigned p = 0; p < 8; p++)
        if (((m->ftw >> (2 * p)) & 3) != FTW_EMPTY)
            x->ftw |= (uint8_t)(1u << p);
    x->fop = m->fop;
    x->fip = m->fip;
    x->fdp = m->fdp;
    x->fcs = m->fcs;
    x->fds = m->fds;
    x87_update_es(c);
}

/* D9 /6: FNSTENV; then every exception is masked (SDM Vol 2A FSTENV) */
HANDLER(op_fnstenv)
{
    x87_begin(c, i, X87_NOWAIT);
    uint64_t ea = cpu_ea(c, i);
    env_probe(c, i, ea, env_size(i), ACC_WRITE);
    env_store(c, i, ea);
    c->x87.fcw |= FCW_MASKS;
    x87_update_es(c); /* nothing is pending any more */
}

/* D9 /4: FLDENV */
HANDLER(op_fldenv)
{
    x87_begin(c, i, X87_CONTROL);
    uint64_t ea = cpu_ea(c, i);
    env_probe(c, i, ea, env_size(i), ACC_READ);
    struct x87_env_image m = env_load(c, i, ea);
    env_commit(c, &m);
}

/* DD /6: FNSAVE: the environment, ST(0)..ST(7), then FNINIT */
HANDLER(op_fnsave)
{
    x87_begin(c, i, X87_NOWAIT);
    uint64_t ea = cpu_ea(c, i);
    unsigned n = env_size(i);
    env_probe(c, i, ea, n + ST_SIZE, ACC_WRITE);
    env_store(c, i, ea);
    for (unsigned k = 0; k < 8; k++) {
        sf80 v = x87_st(c, k);
        env_put(c, i, ea, n + 10 * k, 8, v.mant);
        env_put(c, i, ea, n + 10 * k + 8, 2, v.se);
    }
    x87_fninit(c);
}

/* DD /4: FRSTOR */
HANDLER(op_frstor)
{
    x87_begin(c, i, X87_CONTROL);
    uint64_t ea = cpu_ea(c, i);
    unsigned n = env_size(i);
    env_probe(c, i, ea, n + ST_SIZE, ACC_READ);
    struct x87_env_image m = env_load(c, i, ea);
    sf80 st[8];
    for (unsigned k = 0; k < 8; k++) {
        st[k].mant = env_get(c, i, ea, n + 10 * k, 8);
        st[k].se = (uint16_t)env_get(c, i, ea, n + 10 * k + 8, 2);
    }
    env_commit(c, &m);
    for (unsigned k = 0; k < 8; k++) {
        unsigned p = x87_phys(c, k);
        c->x87.r[p].mant = st[k].mant;
        c->x87.r[p].se = st[k].se;
    }
}
