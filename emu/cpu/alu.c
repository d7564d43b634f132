/*
 * emu/cpu/alu.c: the two-operand integer ALU (ADD OR ADC SBB AND SUB XOR CMP,
 * TEST) and INC DEC NOT NEG (SDM Vol 2A/2B, one entry each). The ALU
 * operation is the opcode's bits 5:3, or ModRM.reg in group 1.
 */
#include "emu/cpu/internal.h"

static uint64_t rmw_add(uint64_t a, uint64_t b, uint64_t cin)
{
    return a + b + cin;
}
static uint64_t rmw_sub(uint64_t a, uint64_t b, uint64_t cin)
{
    return a - b - cin;
}
static uint64_t rmw_or(uint64_t a, uint64_t b, uint64_t cin)
{
    return (void)cin, a | b;
}
static uint64_t rmw_and(uint64_t a, uint64_t b, uint64_t cin)
{
    return (void)cin, a & b;
}
static uint64_t rmw_xor(uint64_t a, uint64_t b, uint64_t cin)
{
    return (void)cin, a ^ b;
}

static const rmw_fn alu_rmw[8] = {rmw_add, rmw_or,  rmw_add, rmw_sub,
                                  rmw_and, rmw_sub, rmw_xor, rmw_sub};

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* r/m = r/m op src */
ALWAYS_INLINE void alu_rm(struct cpu *c, const struct insn *i, unsigned op, uint64_t src)
{
    unsigned size = i->osz;
    src &= size_mask(size);
    bool cin = carry_in(c, op);
    if (i->mod == 3) {
        uint64_t r = alu_calc(c, op, size, reg_read(c, i, i->rm, size), src, cin);
        if (op != ALU_CMP)
            reg_write(c, i, i->rm, size, r);
        return;
    }
    if (op == ALU_CMP) {
        alu_calc(c, op, size, rm_read(c, i, size), src, false);
        return;
    }
    uint64_t old = cpu_rmw(c, i, size, alu_rmw[op], src, cin);
    alu_calc(c, op, size, old, src, cin);
}

/* register r = r op src */
ALWAYS_INLINE void alu_reg(struct cpu *c, const struct insn *i, unsigned op, unsigned r,
                           uint64_t src)
{
    unsigned size = i->osz;
    uint64_t a = reg_read(c, i, r, size);
    src &= size_mask(size);
    uint64_t res = alu_calc(c, op, size, a, src, carry_in(c, op));
    if (op != ALU_CMP)
        reg_write(c, i, r, size, res);
}

/* one handler per operation and form: 00..3D and group 1 (80..83) */
#define ALU_HANDLERS(name, op)                                                                     \
    HANDLER(op_##name##_rm_r)                                                                      \
    {                                                                                              \
        alu_rm(c, i, op, reg_read(c, i, i->reg, i->osz));                                          \
    }                                                                                              \
    HANDLER(op_##name##_r_rm)                                                                      \
    {                                                                                              \
        alu_reg(c, i, op, i->reg, rm_read(c, i, i->osz));                                          \
    }                                                                                              \
    HANDLER(op_##name##_a_imm)                                                                     \
    {                                                                                              \
        alu_reg(c, i, op, REG_RAX, i->imm);                                                        \
    }                                                                                              \
    HANDLER(op_##name##_rm_imm)                                                                    \
    {                                                                                              \
        alu_rm(c, i, op, i->imm);                                                                  \
    }
ALU_HANDLERS(add, ALU_ADD)
ALU_HANDLERS(or, ALU_OR)
ALU_HANDLERS(adc, ALU_ADC)
ALU_HANDLERS(sbb, ALU_SBB)
ALU_HANDLERS(and, ALU_AND)
ALU_HANDLERS(sub, ALU_SUB)
ALU_HANDLERS(xor, ALU_XOR)
ALU_HANDLERS(cmp, ALU_CMP)

HANDLER(op_test_rm_r)
{
    uint64_t a = rm_read(c, i, i->osz);
    lf_res(c, i->osz, a & reg_read(c, i, i->reg, i->osz), 0);
}

HANDLER(op_test_a_imm)
{
    lf_res(c, i->osz, reg_read(c, i, REG_RAX, i->osz) & i->imm, 0);
}

HANDLER(op_test_rm_imm)
{
    lf_res(c, i->osz, rm_read(c, i, i->osz) & i->imm, 0);
}

/* INC and DEC leave CF alone */
static void incdec_flags(struct cpu *c, unsigned size, uint64_t res, bool inc, bool cf)
{
    uint64_t m = size_mask(size), f = cf ? RFLAGS_CF : 0;
    res &= m;
    if (res == (inc ? size_sign(size) : size_sign(size) - 1))
        f |= RFLAGS_OF;
    if ((res & 0xf) == (inc ? 0 : 0xf))
        f |= RFLAGS_AF;
    lf_res(c, size, res, f);
}

static uint64_t rmw_inc(uint64_t a, uint64_t b, uint64_t x)
{
    return (void)b, (void)x, a + 1;
}
static uint64_t rmw_dec(uint64_t a, uint64_t b, uint64_t x)
{
    return (void)b, (void)x, a - 1;
}
static uint64_t rmw_not(uint64_t a, uint64_t b, uint64_t x)
{
    return (void)b, (void)x, ~a;
}
static uint64_t rmw_neg(uint64_t a, uint64_t b, uint64_t x)
{
    return (void)b, (void)x, -a;
}

HANDLER(op_inc_rm)
{
    bool cf = flags_cf(c);
    uint64_t old;
    if (i->mod == 3) {
        old = reg_read(c, i, i->rm, i->osz);
        reg_write(c, i, i->rm, i->osz, old + 1);
    } else {
        old = cpu_rmw(c, i, i->osz, rmw_inc, 0, 0);
    }
    incdec_flags(c, i->osz, old + 1, true, cf);
}

HANDLER(op_dec_rm)
{
    bool cf = flags_cf(c);
    uint64_t old;
    if (i->mod == 3) {
        old = reg_read(c, i, i->rm, i->osz);
        reg_write(c, i, i->rm, i->osz, old - 1);
    } else {
        old = cpu_rmw(c, i, i->osz, rmw_dec, 0, 0);
    }
    incdec_flags(c, i->osz, old - 1, false, cf);
}

/* 40+r, 48+r: outside 64-bit mode only (there they are REX) */
HANDLER(op_inc_r)
{
    unsigned r = i->op & 7;
    uint64_t v = c->gpr[r] + 1;
    incdec_flags(c, i->osz, v, true, flags_cf(c));
    gpr_write(c, r, i->osz, v);
}

HANDLER(op_dec_r)
{
    unsigned r = i->op & 7;
    uint64_t v = c->gpr[r] - 1;
    incdec_flags(c, i->osz, v, false, flags_cf(c));
    gpr_write(c, r, i->osz, v);
}

HANDLER(op_not_rm)
{
    cpu_rmw(c, i, i->osz, rmw_not, 0, 0);
}

HANDLER(op_neg_rm)
{
    uint64_t old = cpu_rmw(c, i, i->osz, rmw_neg, 0, 0) & size_mask(i->osz);
    lf_set(c, LF_SUB, i->osz, -old, 0, old);
}
