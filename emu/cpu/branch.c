/*
 * emu/cpu/branch.c: near control transfers (SDM Vol 2A/2B Jcc, JMP, CALL,
 * RET, LOOP/LOOPcc, JCXZ/JECXZ/JRCXZ). Targets are truncated to the operand
 * size; a target outside CS (or not canonical in 64-bit mode) is #GP(0) at
 * the branch itself.
 */
#include "emu/cpu/internal.h"

static void branch_to(struct cpu *c, unsigned size, uint64_t target)
{
    target &= size_mask(size);
    if (c->mode == MODE_LONG64) {
        if ((uint64_t)(((int64_t)target << 16) >> 16) != target)
            cpu_gp0(c);
    } else if (target > c->seg[SEG_CS].limit) {
        cpu_gp0(c);
    }
    c->next_rip = target;
}

/* 70+cc rel8, 0F 80+cc rel16/32 */
HANDLER(op_jcc)
{
    if (flags_cond(c, i->op & 15))
        branch_to(c, i->osz, c->next_rip + i->imm);
}

/* EB, E9 */
HANDLER(op_jmp_rel)
{
    branch_to(c, i->osz, c->next_rip + i->imm);
}

/* E8 */
HANDLER(op_call_rel)
{
    uint64_t ret = c->next_rip;
    branch_to(c, i->osz, ret + i->imm);
    cpu_push(c, i->osz, ret);
}

/* C3 */
HANDLER(op_ret)
{
    uint64_t rsp = c->gpr[REG_RSP];
    uint64_t target = cpu_pop(c, i->osz);
    c->gpr[REG_RSP] = rsp; /* a bad target faults with RSP untouched */
    branch_to(c, i->osz, target);
    cpu_pop(c, i->osz);
}

/* C2 iw */
HANDLER(op_ret_imm)
{
    op_ret(c, i);
    uint64_t sm = size_mask(stack_size(c)), rsp = c->gpr[REG_RSP];
    uint64_t v = rsp + i->imm;
    c->gpr[REG_RSP] = sm == 0xffffffffull ? v & sm : (rsp & ~sm) | (v & sm);
}

/* FF /4 */
HANDLER(op_jmp_rm)
{
    branch_to(c, i->osz, rm_read(c, i, i->osz));
}

/* FF /2 */
HANDLER(op_call_rm)
{
    uint64_t ret = c->next_rip;
    branch_to(c, i->osz, rm_read(c, i, i->osz));
    cpu_push(c, i->osz, ret);
}

/* E0 LOOPNE, E1 LOOPE, E2 LOOP: the count is CX, ECX or RCX by address size */
HANDLER(op_loop)
{
    uint64_t n = (c->gpr[REG_RCX] - 1) & size_mask(i->asz);
    bool take = n != 0;
    if (i->op == 0xe0)
        take = take && !flags_cond(c, 4); /* ZF = 0 */
    else if (i->op == 0xe1)
        take = take && flags_cond(c, 4);
    uint64_t target = c->next_rip + i->imm;
    if (take)
        branch_to(c, i->osz, target);
    gpr_write(c, REG_RCX, i->asz, n);
}

/* E3 */
HANDLER(op_jcxz)
{
    if (!(c->gpr[REG_RCX] & size_mask(i->asz)))
        branch_to(c, i->osz, c->next_rip + i->imm);
}
