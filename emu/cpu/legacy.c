/*
 * emu/cpu/legacy.c: instructions that exist only outside 64-bit mode (SDM Vol
 * 2): PUSHA/POPA, BOUND, and the decimal adjustments DAA, DAS, AAA, AAS, AAM,
 * AAD. The flags the SDM leaves undefined get what the defined ones imply
 * (SF, ZF, PF from AL; OF clear).
 */
#include "emu/cpu/internal.h"

/* 60: every slot is written before ESP moves, so a fault leaves it (SDM Vol 2B PUSHA) */
HANDLER(op_pusha)
{
    unsigned size = i->osz;
    uint64_t sm = size_mask(stack_size(c)), sp = c->gpr[REG_RSP];
    (void)cpu_linear(c, SEG_SS, (sp - 8 * size) & sm, size, ACC_WRITE);
    (void)cpu_linear(c, SEG_SS, (sp - size) & sm, size, ACC_WRITE);
    for (unsigned r = 0; r < 8; r++) {
        uint64_t v = r == REG_RSP ? sp : c->gpr[r];
        mem_write(c, SEG_SS, (sp - (r + 1) * size) & sm, size, v);
    }
    c->gpr[REG_RSP] = (sp & ~sm) | ((sp - 8 * size) & sm);
}

/* 61: ESP's slot is skipped */
HANDLER(op_popa)
{
    unsigned size = i->osz;
    uint64_t sm = size_mask(stack_size(c)), sp = c->gpr[REG_RSP];
    uint64_t v[8];
    for (unsigned r = 0; r < 8; r++)
        v[7 - r] = mem_read(c, SEG_SS, (sp + r * size) & sm, size);
    for (unsigned r = 0; r < 8; r++)
        if (r != REG_RSP)
            gpr_write(c, r, size, v[r]);
    c->gpr[REG_RSP] = (sp & ~sm) | ((sp + 8 * size) & sm);
}

/* 62: BOUND r, m: #BR when the index is outside [lower, upper] */
HANDLER(op_bound)
{
    unsigned size = i->osz;
    uint64_t ea = cpu_ea(c, i);
    int64_t lo = sext(mem_read(c, i->seg, ea, size), size);
    int64_t hi = sext(mem_read(c, i->seg, (ea + size) & size_mask(i->asz), size), size);
    int64_t idx = sext(reg_read(c, i, i->reg, size), size);
    if (idx < lo || idx > hi)
        cpu_raise_noerr(c, VEC_BR);
}

/* AL with SF, ZF, PF from it and the given CF/AF */
static void set_al(struct cpu *c, uint8_t al, bool cf, bool af)
{
    c->gpr[REG_RAX] = (c->gpr[REG_RAX] & ~0xffull) | al;
    lf_res(c, 1, al, (cf ? RFLAGS_CF : 0) | (af ? RFLAGS_AF : 0));
}

static bool af_set(struct cpu *c)
{
    return (flags_status(c) & RFLAGS_AF) != 0;
}

/* 27 */
HANDLER(op_daa)
{
    (void)i;
    uint8_t al = (uint8_t)c->gpr[REG_RAX], old = al;
    bool cf = flags_cf(c), ncf = false, af = false;
    if ((al & 0xf) > 9 || af_set(c)) {
        ncf = cf || al > 0xf9;
        al = (uint8_t)(al + 6);
        af = true;
    }
    if (old > 0x99 || cf) {
        al = (uint8_t)(al + 0x60);
        ncf = true;
    } else {
        ncf = false;
    }
    set_al(c, al, ncf, af);
}

/* 2F */
HANDLER(op_das)
{
    (void)i;
    uint8_t al = (uint8_t)c->gpr[REG_RAX], old = al;
    bool cf = flags_cf(c), ncf = false, af = false;
    if ((al & 0xf) > 9 || af_set(c)) {
        ncf = cf || al < 6;
        al = (uint8_t)(al - 6);
        af = true;
    }
    if (old > 0x99 || cf) {
        al = (uint8_t)(al - 0x60);
        ncf = true;
    }
    set_al(c, al, ncf, af);
}

/* 37 AAA, 3F AAS */
HANDLER(op_aaa_aas)
{
    uint64_t ax = c->gpr[REG_RAX] & 0xffff;
    bool adj = (ax & 0xf) > 9 || af_set(c);
    if (adj)
        ax = i->op == 0x37 ? ax + 0x106 : (ax - 6) - 0x100; /* AX - 6 borrows into AH too */
    ax &= 0xff0f;
    c->gpr[REG_RAX] = (c->gpr[REG_RAX] & ~0xffffull) | (ax & 0xffff);
    lf_res(c, 1, ax & 0xff, adj ? RFLAGS_CF | RFLAGS_AF : 0);
}

/* D4 ib: AAM */
HANDLER(op_aam)
{
    uint8_t base = (uint8_t)i->imm, al = (uint8_t)c->gpr[REG_RAX];
    if (!base)
        cpu_raise_noerr(c, VEC_DE);
    uint8_t q = al / base, r = al % base;
    c->gpr[REG_RAX] = (c->gpr[REG_RAX] & ~0xffffull) | ((uint64_t)q << 8);
    set_al(c, r, false, false);
}

/* D5 ib: AAD */
HANDLER(op_aad)
{
    uint8_t base = (uint8_t)i->imm;
    uint64_t ax = c->gpr[REG_RAX];
    uint8_t al = (uint8_t)((ax & 0xff) + ((ax >> 8) & 0xff) * base);
    c->gpr[REG_RAX] = ax & ~0xffffull;
    set_al(c, al, false, false);
}
