/*
 * emu/cpu/move.c: data movement and exchange (SDM Vol 2A/2B): MOV, MOVZX,
 * MOVSX, MOVSXD, LEA, XCHG, CMOVcc, SETcc, CBW/CWDE/CDQE, CWD/CDQ/CQO, and
 * the atomic exchanges XADD, CMPXCHG, CMPXCHG8B and CMPXCHG16B.
 */
#include "emu/cpu/internal.h"

HANDLER(op_mov_rm_r)
{
    rm_write(c, i, i->osz, reg_read(c, i, i->reg, i->osz));
}
HANDLER(op_mov_r_rm)
{
    reg_write(c, i, i->reg, i->osz, rm_read(c, i, i->osz));
}
HANDLER(op_mov_rm_imm)
{
    rm_write(c, i, i->osz, i->imm);
}

/* B0+r ib, B8+r iw/id/io */
HANDLER(op_mov_r_imm)
{
    reg_write(c, i, opreg(i), i->osz, i->imm);
}

/* A0, A1: AL/eAX = [moffs] */
HANDLER(op_mov_a_moffs)
{
    gpr_write(c, REG_RAX, i->osz, mem_read(c, i->seg, i->imm, i->osz));
}
/* A2, A3 */
HANDLER(op_mov_moffs_a)
{
    mem_write(c, i->seg, i->imm, i->osz, c->gpr[REG_RAX]);
}

/* 0F B6, B7 */
HANDLER(op_movzx)
{
    reg_write(c, i, i->reg, i->osz, rm_read(c, i, (i->op & 1) ? 2 : 1));
}

/* 0F BE, BF */
HANDLER(op_movsx)
{
    unsigned from = (i->op & 1) ? 2 : 1;
    reg_write(c, i, i->reg, i->osz, (uint64_t)sext(rm_read(c, i, from), from));
}

/* 63 in 64-bit mode; without REX.W it is a plain 32-bit (or 16-bit) move */
HANDLER(op_movsxd)
{
    if (c->mode != MODE_LONG64) { /* ARPL outside 64-bit mode (seg.c) */
        op_arpl(c, i);
        return;
    }
    unsigned from = i->osz == 8 ? 4 : i->osz;
    reg_write(c, i, i->reg, i->osz, (uint64_t)sext(rm_read(c, i, from), from));
}

/* 8D: the offset, truncated to the operand size */
HANDLER(op_lea)
{
    reg_write(c, i, i->reg, i->osz, cpu_ea(c, i));
}

static uint64_t rmw_xchg(uint64_t old, uint64_t v, uint64_t x)
{
    return (void)old, (void)x, v;
}

/* 86, 87: with memory, locked whether or not LOCK is there (SDM Vol 2B XCHG) */
HANDLER(op_xchg_rm_r)
{
    unsigned size = i->osz;
    uint64_t v = reg_read(c, i, i->reg, size);
    if (i->mod == 3) {
        uint64_t old = reg_read(c, i, i->rm, size);
        reg_write(c, i, i->rm, size, v);
        reg_write(c, i, i->reg, size, old);
        return;
    }
    uint64_t old = cpu_rmw_mem(c, i->seg, cpu_ea(c, i), size, true, rmw_xchg, v, 0);
    reg_write(c, i, i->reg, size, old);
}

/* 90+r: XCHG eAX, r (90 itself is NOP, see optab.c) */
HANDLER(op_xchg_a_r)
{
    unsigned r = opreg(i), size = i->osz;
    if (r == REG_RAX) { /* 90 is NOP: no zero-extension of EAX (SDM Vol 2B NOP) */
        if (i->pfx & PFX_REP)
            op_pause(c, i); /* F3 90 */
        return;
    }
    uint64_t a = c->gpr[REG_RAX], b = c->gpr[r];
    gpr_write(c, REG_RAX, size, b);
    gpr_write(c, r, size, a);
}

/* 0F 40+cc: the source is read, and a 32-bit destination zero-extended, either way */
HANDLER(op_cmov)
{
    uint64_t v = rm_read(c, i, i->osz);
    if (flags_cond(c, i->op & 15))
        reg_write(c, i, i->reg, i->osz, v);
    else if (i->osz == 4)
        c->gpr[i->reg] = (uint32_t)c->gpr[i->reg];
}

/* 0F 90+cc */
HANDLER(op_setcc)
{
    rm_write(c, i, 1, flags_cond(c, i->op & 15));
}

/* 98: CBW, CWDE, CDQE */
HANDLER(op_cbw)
{
    unsigned half = i->osz / 2;
    gpr_write(c, REG_RAX, i->osz, (uint64_t)sext(c->gpr[REG_RAX], half));
}

/* 99: CWD, CDQ, CQO */
HANDLER(op_cwd)
{
    bool neg = c->gpr[REG_RAX] & size_sign(i->osz);
    gpr_write(c, REG_RDX, i->osz, neg ? ~0ull : 0);
}

/* 8C: MOV r/m, Sreg; a register destination takes the zero-extended selector */
HANDLER(op_mov_rm_sreg)
{
    unsigned s = i->reg & 7;
    if (s >= NUM_SEGS)
        cpu_ud(c);
    uint16_t sel = c->seg[s].sel;
    if (i->mod == 3)
        reg_write(c, i, i->rm, i->osz == 2 ? 2 : i->osz, sel);
    else
        mem_write(c, i->seg, cpu_ea(c, i), 2, sel);
}

static uint64_t rmw_add(uint64_t a, uint64_t b, uint64_t x)
{
    return (void)x, a + b;
}

/* 0F C0, C1: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP */
HANDLER(op_xadd)
{
    unsigned size = i->osz;
    uint64_t src = reg_read(c, i, i->reg, size), old;
    if (i->mod == 3) {
        old = reg_read(c, i, i->rm, size);
        reg_write(c, i, i->reg, size, old);
        reg_write(c, i, i->rm, size, old + src);
    } else {
        old = cpu_rmw(c, i, size, rmw_add, src, 0);
        reg_write(c, i, i->reg, size, old);
    }
    lf_set(c, LF_ADD, size, old + src, old, src);
}

static uint64_t rmw_cmpxchg(uint64_t old, uint64_t src, uint64_t acc)
{
    return old == acc ? src : old;
}

/*
 * 0F B0, B1. Memory is written back even when unequal; a register is left
 * alone then, and RAX is written only when unequal (so neither is
 * zero-extended otherwise), as silicon does.
 */
HANDLER(op_cmpxchg)
{
    unsigned size = i->osz;
    uint64_t acc = c->gpr[REG_RAX] & size_mask(size);
    uint64_t src = reg_read(c, i, i->reg, size), old;
    if (i->mod == 3) {
        old = reg_read(c, i, i->rm, size);
        if (old == acc)
            reg_write(c, i, i->rm, size, src);
    } else {
        old = cpu_rmw(c, i, size, rmw_cmpxchg, src, acc);
    }
    lf_set(c, LF_SUB, size, acc - old, acc, old);
    if (old != acc)
        gpr_write(c, REG_RAX, size, old);
}

/* CMPXCHG16B needs the host instruction; only this function may use it */
__attribute__((target("cx16"))) static unsigned __int128 cas16(uint8_t *p, unsigned __int128 expect,
                                                               unsigned __int128 desired)
{
    return __sync_val_compare_and_swap((unsigned __int128 *)p, expect, desired);
}

static void cmpxchg16b(struct cpu *c, const struct insn *i)
{
    uint64_t off = cpu_ea(c, i);
    /* the operand must be 16-byte aligned (SDM Vol 2A CMPXCHG16B): #GP(0) even where the
     * address is not canonical on the stack, which would be #SS (seen on AMD Zen) */
    uint64_t base = i->seg >= SEG_FS ? c->seg[i->seg].base : 0; /* 64-bit mode only */
    if ((off + base) & 15)
        cpu_gp0(c);
    uint64_t lin = cpu_linear(c, i->seg, off, 16, ACC_WRITE);
    unsigned __int128 expect = ((unsigned __int128)c->gpr[REG_RDX] << 64) | c->gpr[REG_RAX];
    unsigned __int128 desired = ((unsigned __int128)c->gpr[REG_RCX] << 64) | c->gpr[REG_RBX];
    unsigned __int128 old;
    uint8_t *p = cpu_host_rmw(c, lin, 16);
    if (p) {
        old = cas16(p, expect, desired);
        cpu_code_check(c, lin, (uintptr_t)p, 16);
    } else {
        old = ((unsigned __int128)cpu_read_slow(c, lin + 8, 8) << 64) | cpu_read_slow(c, lin, 8);
        unsigned __int128 nv = old == expect ? desired : old;
        cpu_write_slow(c, lin, 8, (uint64_t)nv);
        cpu_write_slow(c, lin + 8, 8, (uint64_t)(nv >> 64));
    }
    flags_set_status(c, RFLAGS_ZF, old == expect ? RFLAGS_ZF : 0);
    if (old != expect) {
        c->gpr[REG_RAX] = (uint64_t)old;
        c->gpr[REG_RDX] = (uint64_t)(old >> 64);
    }
}

/* 0F C7 /1: CMPXCHG8B m64, or CMPXCHG16B m128 with REX.W */
HANDLER(op_cmpxchg8b)
{
    if (i->osz == 8) {
        cmpxchg16b(c, i);
        return;
    }
    uint64_t expect = (c->gpr[REG_RDX] << 32) | (uint32_t)c->gpr[REG_RAX];
    uint64_t desired = (c->gpr[REG_RCX] << 32) | (uint32_t)c->gpr[REG_RBX];
    uint64_t old =
        cpu_rmw_mem(c, i->seg, cpu_ea(c, i), 8, i->pfx & PFX_LOCK, rmw_cmpxchg, desired, expect);
    flags_set_status(c, RFLAGS_ZF, old == expect ? RFLAGS_ZF : 0);
    if (old != expect) {
        c->gpr[REG_RAX] = (uint32_t)old;
        c->gpr[REG_RDX] = old >> 32;
    }
}

/* D7: AL = [seg:rBX + AL] */
HANDLER(op_xlat)
{
    uint64_t off = (c->gpr[REG_RBX] + (c->gpr[REG_RAX] & 0xff)) & size_mask(i->asz);
    gpr_write(c, REG_RAX, 1, mem_read(c, i->seg, off, 1));
}
