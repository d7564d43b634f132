/*
 * emu/cpu/stack.c: the stack (SDM Vol 1 6.2, Vol 2B PUSH, POP, PUSHF, POPF,
 * ENTER, LEAVE). The stack address size is 64 bits in 64-bit mode and SS.B
 * otherwise; each push writes memory before RSP moves, so a fault leaves RSP
 * as it was.
 */
#include "emu/cpu/internal.h"

unsigned stack_size(const struct cpu *c)
{
    if (c->mode == MODE_LONG64)
        return 8;
    return (c->seg[SEG_SS].attr & SEG_ATTR_DB) ? 4 : 2;
}

/* rsp with its low stack-size bits replaced by v */
static uint64_t rsp_with(const struct cpu *c, uint64_t rsp, uint64_t v)
{
    uint64_t m = size_mask(stack_size(c));
    if (m == 0xffffffffull)
        return v & m; /* a 32-bit stack pointer write zero-extends */
    return (rsp & ~m) | (v & m);
}

void cpu_push(struct cpu *c, unsigned size, uint64_t v)
{
    uint64_t rsp = rsp_with(c, c->gpr[REG_RSP], c->gpr[REG_RSP] - size);
    mem_write(c, SEG_SS, rsp & size_mask(stack_size(c)), size, v);
    c->gpr[REG_RSP] = rsp;
}

void cpu_push2(struct cpu *c, unsigned size, uint64_t a, uint64_t b)
{
    uint64_t sm = size_mask(stack_size(c));
    uint64_t r1 = rsp_with(c, c->gpr[REG_RSP], c->gpr[REG_RSP] - size);
    uint64_t r2 = rsp_with(c, r1, r1 - size);
    /* both slots checked before either is written, and RSP moves last */
    (void)cpu_linear(c, SEG_SS, r1 & sm, size, ACC_WRITE);
    (void)cpu_linear(c, SEG_SS, r2 & sm, size, ACC_WRITE);
    mem_write(c, SEG_SS, r1 & sm, size, a);
    mem_write(c, SEG_SS, r2 & sm, size, b);
    c->gpr[REG_RSP] = r2;
}

uint64_t cpu_pop(struct cpu *c, unsigned size)
{
    uint64_t rsp = c->gpr[REG_RSP];
    uint64_t v = mem_read(c, SEG_SS, rsp & size_mask(stack_size(c)), size);
    c->gpr[REG_RSP] = rsp_with(c, rsp, rsp + size);
    return v;
}

HANDLER(op_push_r)
{
    cpu_push(c, i->osz, c->gpr[opreg(i)]);
}

HANDLER(op_pop_r)
{
    uint64_t v = cpu_pop(c, i->osz);
    gpr_write(c, opreg(i), i->osz, v);
}

/* 68, 6A */
HANDLER(op_push_imm)
{
    cpu_push(c, i->osz, i->imm);
}

/* FF /6 */
HANDLER(op_push_rm)
{
    cpu_push(c, i->osz, rm_read(c, i, i->osz));
}

/* 8F /0: the address is computed with RSP already incremented (SDM Vol 2B POP) */
HANDLER(op_pop_rm)
{
    uint64_t old = c->gpr[REG_RSP];
    uint64_t v = mem_read(c, SEG_SS, old & size_mask(stack_size(c)), i->osz);
    uint64_t rsp = rsp_with(c, old, old + i->osz);
    if (i->mod == 3) {
        c->gpr[REG_RSP] = rsp;
        reg_write(c, i, i->rm, i->osz, v);
        return;
    }
    c->gpr[REG_RSP] = rsp;
    uint64_t ea = cpu_ea(c, i);
    c->gpr[REG_RSP] = old;
    mem_write(c, i->seg, ea, i->osz, v);
    c->gpr[REG_RSP] = rsp;
}

/* 9C: RF and VM read as 0 in the image (SDM Vol 2B PUSHF) */
HANDLER(op_pushf)
{
    cpu_push(c, i->osz, cpu_get_rflags(c) & ~(uint64_t)(RFLAGS_RF | RFLAGS_VM));
}

/* 9D: which bits POPF may change depends on CPL and IOPL (SDM Vol 2B POPF) */
HANDLER(op_popf)
{
    uint64_t v = cpu_pop(c, i->osz);
    uint64_t cur = cpu_get_rflags(c);
    uint64_t mask = RFLAGS_STATUS | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_AC | RFLAGS_ID;
    unsigned iopl = (cur & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT;
    if (c->cpl == 0)
        mask |= RFLAGS_IOPL;
    if (c->cpl <= iopl)
        mask |= RFLAGS_IF;
    if (i->osz == 2)
        mask &= 0xffff;
    /* XXX: virtual-8086 mode and CR4.PVI are not modelled */
    cpu_set_rflags(c, ((cur & ~mask) | (v & mask)) & ~(uint64_t)RFLAGS_RF);
    cpu_tf_check(c, cur);
}

/* C8 iw ib */
HANDLER(op_enter)
{
    unsigned size = i->osz, level = i->imm2 & 31;
    uint64_t sm = size_mask(stack_size(c));
    uint64_t rsp = c->gpr[REG_RSP], rbp = c->gpr[REG_RBP];

    rsp = rsp_with(c, rsp, rsp - size);
    mem_write(c, SEG_SS, rsp & sm, size, rbp);
    uint64_t frame = rsp;
    if (level) {
        for (unsigned k = 1; k < level; k++) {
            rbp = rsp_with(c, rbp, rbp - size);
            uint64_t v = mem_read(c, SEG_SS, rbp & sm, size);
            rsp = rsp_with(c, rsp, rsp - size);
            mem_write(c, SEG_SS, rsp & sm, size, v);
        }
        rsp = rsp_with(c, rsp, rsp - size);
        mem_write(c, SEG_SS, rsp & sm, size, frame);
    }
    gpr_write(c, REG_RBP, size == 2 ? 2 : stack_size(c) == 2 ? 2 : size, frame);
    c->gpr[REG_RSP] = rsp_with(c, rsp, rsp - i->imm);
}

/* C9 */
HANDLER(op_leave)
{
    uint64_t sm = size_mask(stack_size(c));
    uint64_t rsp = rsp_with(c, c->gpr[REG_RSP], c->gpr[REG_RBP]);
    uint64_t v = mem_read(c, SEG_SS, rsp & sm, i->osz);
    c->gpr[REG_RSP] = rsp_with(c, rsp, rsp + i->osz);
    gpr_write(c, REG_RBP, i->osz, v);
}

/* 06, 0E, 16, 1E, 0F A0, 0F A8 */
HANDLER(op_push_sreg)
{
    static const uint8_t seg_of[] = {[0x06] = SEG_ES, [0x0e] = SEG_CS, [0x16] = SEG_SS,
                                     [0x1e] = SEG_DS, [0xa0] = SEG_FS, [0xa8] = SEG_GS};
    cpu_push(c, i->osz, c->seg[seg_of[i->op]].sel);
}
