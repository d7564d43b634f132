/*
 * emu/cpu/muldiv.c: MUL, IMUL (one, two and three operands), DIV, IDIV
 * (SDM Vol 2A/2B). MUL and IMUL define CF and OF only; SF, ZF, AF and PF are
 * undefined, and so are all six after DIV and IDIV, which leave them alone
 * here. Division by zero and a quotient too wide are #DE.
 */
#include "emu/cpu/internal.h"

typedef unsigned __int128 u128;
typedef __int128 s128;

/* the implicit double-width operand: AX, DX:AX, EDX:EAX or RDX:RAX */
static u128 wide_get(const struct cpu *c, unsigned size)
{
    if (size == 1)
        return c->gpr[REG_RAX] & 0xffff;
    uint64_t m = size_mask(size);
    return ((u128)(c->gpr[REG_RDX] & m) << (size * 8)) | (c->gpr[REG_RAX] & m);
}

/* low half to AL/AX/EAX/RAX, high half to AH/DX/EDX/RDX */
static void wide_put(struct cpu *c, unsigned size, uint64_t lo, uint64_t hi)
{
    if (size == 1) {
        gpr_write(c, REG_RAX, 2, (lo & 0xff) | ((hi & 0xff) << 8));
        return;
    }
    gpr_write(c, REG_RAX, size, lo);
    gpr_write(c, REG_RDX, size, hi);
}

static void mul_flags(struct cpu *c, unsigned size, uint64_t lo, bool overflow)
{
    lf_res(c, size, lo, overflow ? RFLAGS_CF | RFLAGS_OF : 0);
}

HANDLER(op_mul_rm)
{
    unsigned size = i->osz;
    uint64_t src = rm_read(c, i, size);
    u128 p = (u128)(c->gpr[REG_RAX] & size_mask(size)) * src;
    uint64_t lo = (uint64_t)p & size_mask(size), hi = (uint64_t)(p >> (size * 8));
    hi &= size_mask(size);
    wide_put(c, size, lo, hi);
    mul_flags(c, size, lo, hi != 0);
}

HANDLER(op_imul1_rm)
{
    unsigned size = i->osz;
    s128 p = (s128)sext(rm_read(c, i, size), size) * sext(c->gpr[REG_RAX], size);
    uint64_t lo = (uint64_t)p & size_mask(size);
    uint64_t hi = (uint64_t)((u128)p >> (size * 8)) & size_mask(size);
    wide_put(c, size, lo, hi);
    mul_flags(c, size, lo, p != (s128)sext(lo, size));
}

static void imul_to_reg(struct cpu *c, const struct insn *i, uint64_t a, uint64_t b)
{
    unsigned size = i->osz;
    s128 p = (s128)sext(a, size) * sext(b, size);
    uint64_t lo = (uint64_t)p & size_mask(size);
    reg_write(c, i, i->reg, size, lo);
    mul_flags(c, size, lo, p != (s128)sext(lo, size));
}

HANDLER(op_imul_r_rm)
{
    imul_to_reg(c, i, reg_read(c, i, i->reg, i->osz), rm_read(c, i, i->osz));
}

HANDLER(op_imul_r_rm_imm)
{
    imul_to_reg(c, i, rm_read(c, i, i->osz), i->imm);
}

HANDLER(op_div_rm)
{
    unsigned size = i->osz;
    uint64_t d = rm_read(c, i, size);
    if (!d)
        cpu_raise_noerr(c, VEC_DE);
    u128 n = wide_get(c, size);
    u128 q = n / d;
    if (q > size_mask(size))
        cpu_raise_noerr(c, VEC_DE);
    wide_put(c, size, (uint64_t)q, (uint64_t)(n % d));
}

HANDLER(op_idiv_rm)
{
    unsigned size = i->osz;
    int64_t d = sext(rm_read(c, i, size), size);
    if (!d)
        cpu_raise_noerr(c, VEC_DE);
    u128 raw = wide_get(c, size);
    unsigned bits = size * 16; /* the dividend's width */
    s128 n = bits == 128 ? (s128)raw : (s128)(raw << (128 - bits)) >> (128 - bits);
    /* the one quotient a 128-bit division cannot hold is out of range anyway */
    if (bits == 128 && d == -1 && raw == (u128)1 << 127)
        cpu_raise_noerr(c, VEC_DE);
    s128 q = n / d, r = n % d;
    int64_t qmax = (int64_t)(size_sign(size) - 1);
    if (q > qmax || q < -(s128)qmax - 1)
        cpu_raise_noerr(c, VEC_DE);
    wide_put(c, size, (uint64_t)q, (uint64_t)r);
}
