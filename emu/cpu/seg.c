/*
 * emu/cpu/seg.c: segmentation's system side (SDM Vol 3A chapters 3 and 5).
 * Descriptor reads from the GDT and LDT, loads of segment registers with the
 * checks of the MOV, POP, LDS and far JMP/CALL/RET pseudo-code (SDM Vol 2),
 * each fault with its error code (the selector with RPL cleared, 6.13), the
 * hidden descriptor caches (3.4.3), and the descriptor-table registers.
 *
 * Far JMP/CALL go through code segments, call gates, task gates and TSS
 * descriptors (task.c).
 */
#include "emu/cpu/internal.h"

/* ---- implicit supervisor accesses ------------------------------------------- */

static uint64_t sys_lin(const struct cpu *c, uint64_t lin)
{
    return (c->efer & EFER_LMA) ? lin : lin & 0xffffffffull;
}

uint64_t sys_read(struct cpu *c, uint64_t lin, unsigned size)
{
    c->sys_access = 1;
    uint64_t v = cpu_read_lin(c, sys_lin(c, lin), size);
    c->sys_access = 0;
    return v;
}

void sys_write(struct cpu *c, uint64_t lin, unsigned size, uint64_t v)
{
    c->sys_access = 1;
    cpu_write_lin(c, sys_lin(c, lin), size, v);
    c->sys_access = 0;
}

/* ---- descriptors ---------------------------------------------------------------- */

static uint64_t desc_addr(const struct cpu *c, uint16_t sel)
{
    return ((sel & SEL_TI) ? c->ldtr.base : c->gdtr.base) + (sel & ~7u);
}

bool desc_read(struct cpu *c, uint16_t sel, uint64_t *d)
{
    uint32_t limit;
    if (sel & SEL_TI) {
        if (!(c->ldtr.attr & SEG_ATTR_P) || !(c->ldtr.sel & ~SEL_RPL & ~SEL_TI))
            return false;
        limit = c->ldtr.limit;
    } else {
        limit = c->gdtr.limit;
    }
    if ((uint32_t)(sel | 7u) > limit)
        return false;
    *d = sys_read(c, desc_addr(c, sel), 8);
    return true;
}

struct seg desc_to_seg(uint16_t sel, uint64_t d)
{
    uint32_t limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));
    uint16_t attr = (uint16_t)((d >> 40) & 0xf0ff);
    if (attr & SEG_ATTR_G)
        limit = (limit << 12) | 0xfff;
    return (struct seg){.base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000u),
                        .limit = limit,
                        .sel = sel,
                        .attr = attr};
}

/* set the accessed bit in the descriptor, atomically (3.4.5.1) */
void desc_set_accessed(struct cpu *c, uint16_t sel, uint64_t d)
{
    if (d & (1ull << 40))
        return;
    c->sys_access = 1;
    uint8_t *p = cpu_host_rmw(c, sys_lin(c, desc_addr(c, sel) + 5), 1);
    c->sys_access = 0;
    if (p)
        __atomic_fetch_or(p, SEG_TYPE_ACCESSED, __ATOMIC_SEQ_CST);
}

static unsigned desc_dpl(uint64_t d)
{
    return (d >> 45) & 3;
}

static unsigned desc_type(uint64_t d)
{
    return (d >> 40) & 0x1f; /* S and the type */
}

#define T_S        SEG_ATTR_S
#define T_CODE     (SEG_ATTR_S | SEG_TYPE_CODE)
#define DESC_P     (1ull << 47)
#define SEL_ERR(s) ((uint32_t)((s) & ~SEL_RPL))

void cpu_set_cpl(struct cpu *c, unsigned cpl)
{
    if (c->cpl != cpl) {
        c->cpl = (uint8_t)cpl;
        cpu_tlb_flush(c); /* the TLB holds one privilege's rights */
    }
}

/* ---- MOV/POP/LxS to a data or stack segment register ------------------------ */

void seg_load(struct cpu *c, unsigned s, uint16_t sel)
{
    if (c->mode == MODE_REAL || (c->rflags & RFLAGS_VM)) {
        c->seg[s].sel = sel;
        c->seg[s].base = (uint64_t)sel << 4;
        return;
    }
    uint64_t d;
    unsigned rpl = sel & SEL_RPL;
    if (!(sel & ~SEL_RPL)) {
        if (s == SEG_SS && !(c->mode == MODE_LONG64 && c->cpl != 3 && rpl == c->cpl))
            cpu_gp0(c);
        /* a null selector: the register is unusable until reloaded (3.4.2) */
        c->seg[s] = (struct seg){.sel = sel, .attr = 0};
        return;
    }
    if (!desc_read(c, sel, &d))
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    unsigned type = desc_type(d), dpl = desc_dpl(d);
    if (s == SEG_SS) {
        if (rpl != c->cpl || dpl != c->cpl ||
            (type & (T_CODE | SEG_TYPE_WRITABLE)) != (T_S | SEG_TYPE_WRITABLE))
            cpu_raise(c, VEC_GP, SEL_ERR(sel));
        if (!(d & DESC_P))
            cpu_raise(c, VEC_SS, SEL_ERR(sel));
    } else {
        /* data, or readable code; not conforming: RPL and CPL <= DPL */
        if (!(type & T_S) || (type & (SEG_TYPE_CODE | SEG_TYPE_WRITABLE)) == SEG_TYPE_CODE)
            cpu_raise(c, VEC_GP, SEL_ERR(sel));
        bool conforming =
            (type & (SEG_TYPE_CODE | SEG_TYPE_EXPDOWN)) == (SEG_TYPE_CODE | SEG_TYPE_EXPDOWN);
        if (!conforming && (rpl > dpl || c->cpl > dpl))
            cpu_raise(c, VEC_GP, SEL_ERR(sel));
        if (!(d & DESC_P))
            cpu_raise(c, VEC_NP, SEL_ERR(sel));
    }
    desc_set_accessed(c, sel, d);
    c->seg[s] = desc_to_seg(sel, d | (1ull << 40));
}

void seg_null_inner(struct cpu *c)
{
    static const unsigned data_segs[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
    for (unsigned k = 0; k < 4; k++) {
        struct seg *s = &c->seg[data_segs[k]];
        unsigned dpl = (s->attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT;
        bool conforming_code =
            (s->attr & (SEG_TYPE_CODE | SEG_TYPE_EXPDOWN)) == (SEG_TYPE_CODE | SEG_TYPE_EXPDOWN);
        if ((s->attr & SEG_ATTR_P) && !conforming_code && dpl < c->cpl)
            *s = (struct seg){.sel = 0, .attr = 0};
    }
}

/* 8E: MOV Sreg, r/m16. MOV to CS is #UD; MOV SS holds off interrupts for one instruction */
HANDLER(op_mov_sreg_rm)
{
    unsigned s = i->reg & 7;
    if (s >= NUM_SEGS || s == SEG_CS)
        cpu_ud(c);
    uint16_t sel = (uint16_t)rm_read(c, i, 2);
    seg_load(c, s, sel);
    if (s == SEG_SS)
        c->shadow_at = c->icount + 1;
}

/* 07 POP ES, 17 POP SS, 1F POP DS, 0F A1 POP FS, 0F A9 POP GS */
HANDLER(op_pop_sreg)
{
    static const uint8_t seg_of[] = {
        [0x07] = SEG_ES, [0x17] = SEG_SS, [0x1f] = SEG_DS, [0xa1] = SEG_FS, [0xa9] = SEG_GS};
    unsigned s = seg_of[i->op];
    uint64_t rsp = c->gpr[REG_RSP];
    uint16_t sel = (uint16_t)cpu_pop(c, i->osz);
    c->gpr[REG_RSP] = rsp; /* a load that faults leaves RSP alone */
    seg_load(c, s, sel);
    (void)cpu_pop(c, i->osz);
    if (s == SEG_SS)
        c->shadow_at = c->icount + 1;
}

/* C4 LES, C5 LDS, 0F B2 LSS, 0F B4 LFS, 0F B5 LGS: r, m16:16/32/64 */
HANDLER(op_lxs)
{
    unsigned s = i->op == 0xc4   ? SEG_ES
                 : i->op == 0xc5 ? SEG_DS
                 : i->op == 0xb2 ? SEG_SS
                 : i->op == 0xb4 ? SEG_FS
                                 : SEG_GS;
    uint64_t ea = cpu_ea(c, i);
    uint64_t off = mem_read(c, i->seg, ea, i->osz);
    uint16_t sel = (uint16_t)mem_read(c, i->seg, (ea + i->osz) & size_mask(i->asz), 2);
    seg_load(c, s, sel);
    gpr_write(c, i->reg, i->osz, off);
}

/* ---- far transfers ------------------------------------------------------------- */

/* a code segment for far JMP/CALL (SDM Vol 2A JMP: protected-mode checks) */
static uint64_t far_code_seg(struct cpu *c, uint16_t sel)
{
    uint64_t d;
    if (!(sel & ~SEL_RPL))
        cpu_gp0(c);
    if (!desc_read(c, sel, &d))
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    unsigned type = desc_type(d), dpl = desc_dpl(d), rpl = sel & SEL_RPL;
    if ((type & T_CODE) != T_CODE)
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    if (type & SEG_TYPE_EXPDOWN) {
        if (dpl > c->cpl)
            cpu_raise(c, VEC_GP, SEL_ERR(sel));
    } else if (rpl > c->cpl || dpl != c->cpl) {
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    }
    if ((c->efer & EFER_LMA) && (d & (1ull << 53)) && (d & (1ull << 54)))
        cpu_raise(c, VEC_GP, SEL_ERR(sel)); /* L and D both set */
    if (!(d & DESC_P))
        cpu_raise(c, VEC_NP, SEL_ERR(sel));
    return d;
}

/*
 * JMP/CALL through a call gate (SDM Vol 2A CALL, "CALL-GATE"; Vol 3A 5.8):
 * to the same privilege, or for CALL to an inner one through the TSS stack,
 * copying the gate's parameter count from the old stack (none in IA-32e mode).
 */
static void far_call_gate(struct cpu *c, uint16_t gsel, uint64_t g, bool call)
{
    bool lma = (c->efer & EFER_LMA) != 0;
    unsigned gdpl = desc_dpl(g), gtype = desc_type(g);
    if (gdpl < c->cpl || (gsel & SEL_RPL) > gdpl)
        cpu_raise(c, VEC_GP, SEL_ERR(gsel));
    if (!(g & DESC_P))
        cpu_raise(c, VEC_NP, SEL_ERR(gsel));
    uint64_t off = (g & 0xffff) | ((g >> 32) & 0xffff0000ull);
    unsigned wsize = lma ? 8 : gtype == DESC_CALL ? 4 : 2;
    if (wsize == 2)
        off &= 0xffff;
    if (lma) {
        if ((uint32_t)((gsel & ~7u) + 15) > ((gsel & SEL_TI) ? c->ldtr.limit : c->gdtr.limit))
            cpu_raise(c, VEC_GP, SEL_ERR(gsel));
        uint64_t hi = sys_read(c, desc_addr(c, gsel) + 8, 8);
        if ((hi >> 40) & 0x1f)
            cpu_raise(c, VEC_GP, SEL_ERR(gsel));
        off |= hi << 32;
    }
    uint16_t sel = (uint16_t)(g >> 16);
    uint64_t d;
    if (!(sel & ~SEL_RPL))
        cpu_gp0(c);
    if (!desc_read(c, sel, &d))
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    unsigned type = desc_type(d), dpl = desc_dpl(d);
    bool conforming = (type & SEG_TYPE_EXPDOWN) != 0;
    if ((type & T_CODE) != T_CODE || dpl > c->cpl)
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    if (!call && !conforming && dpl != c->cpl)
        cpu_raise(c, VEC_GP, SEL_ERR(sel)); /* JMP never changes privilege */
    if (lma && (!(d & (1ull << 53)) || (d & (1ull << 54))))
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    if (!(d & DESC_P))
        cpu_raise(c, VEC_NP, SEL_ERR(sel));
    unsigned ncpl = conforming ? c->cpl : dpl;
    struct seg cs = desc_to_seg((uint16_t)((sel & ~SEL_RPL) | ncpl), d | (1ull << 40));
    if (lma ? !is_canonical(off) : off > cs.limit)
        cpu_gp0(c);

    uint64_t ret = c->next_rip;
    struct frame f = {.ss = c->seg[SEG_SS], .sp = c->gpr[REG_RSP], .supervisor = ncpl < 3};
    f.ssize = c->mode == MODE_LONG64 ? 8 : (f.ss.attr & SEG_ATTR_DB) ? 4 : 2;
    if (call && ncpl < c->cpl) {
        unsigned params = lma ? 0 : (unsigned)(g >> 32) & 0x1f;
        uint64_t arg[32];
        uint64_t osm = size_mask(f.ssize);
        for (unsigned k = 0; k < params; k++)
            arg[k] = mem_read(c, SEG_SS, (f.sp + k * wsize) & osm, wsize);
        if (lma) {
            f.sp = tss64_read(c, 4 + ncpl * 8, 0);
            f.ssize = 8;
        } else {
            tss32_stack(c, ncpl, 0, &f);
        }
        frame_push(c, &f, wsize, c->seg[SEG_SS].sel);
        frame_push(c, &f, wsize, c->gpr[REG_RSP]);
        for (unsigned k = params; k-- > 0;)
            frame_push(c, &f, wsize, arg[k]);
        frame_push(c, &f, wsize, c->seg[SEG_CS].sel);
        frame_push(c, &f, wsize, ret);
        if (lma)
            c->seg[SEG_SS] = (struct seg){.sel = (uint16_t)ncpl, .attr = 0};
        else
            c->seg[SEG_SS] = f.ss;
        c->gpr[REG_RSP] = f.sp;
    } else if (call) {
        frame_push(c, &f, wsize, c->seg[SEG_CS].sel);
        frame_push(c, &f, wsize, ret);
        c->gpr[REG_RSP] = sp_commit(c->gpr[REG_RSP], f.sp, f.ssize);
    }
    desc_set_accessed(c, sel, d);
    c->seg[SEG_CS] = cs;
    c->next_rip = off;
    cpu_set_cpl(c, ncpl);
    cpu_update_mode(c);
}

void cpu_far_jump(struct cpu *c, uint16_t sel, uint64_t off, unsigned osz, bool call)
{
    uint64_t ret = c->next_rip;
    uint16_t old_cs = c->seg[SEG_CS].sel;
    if (c->mode == MODE_REAL || (c->rflags & RFLAGS_VM)) {
        off &= size_mask(osz);
        if (off > c->seg[SEG_CS].limit)
            cpu_gp0(c);
        if (call)
            cpu_push2(c, osz, old_cs, ret);
        c->seg[SEG_CS].sel = sel;
        c->seg[SEG_CS].base = (uint64_t)sel << 4;
        cpu_update_mode(c);
        c->next_rip = off;
        return;
    }
    uint64_t g;
    bool lma = (c->efer & EFER_LMA) != 0;
    if ((sel & ~SEL_RPL) && desc_read(c, sel, &g)) {
        unsigned t = desc_type(g);
        if (t == DESC_CALL || (t == DESC_CALL16 && !lma)) {
            far_call_gate(c, sel, g, call);
            return;
        }
        if (!lma && (t == DESC_TSS_AVAIL || t == DESC_TSS16_AVAIL || t == DESC_TASK)) {
            /* a task switch (SDM Vol 3A 7.3): the descriptor must be visible here */
            if (desc_dpl(g) < c->cpl || desc_dpl(g) < (sel & SEL_RPL))
                cpu_raise(c, VEC_GP, SEL_ERR(sel));
            if (!(g & DESC_P))
                cpu_raise(c, VEC_NP, SEL_ERR(sel));
            uint16_t tss = t == DESC_TASK ? (uint16_t)(g >> 16) : sel;
            cpu_task_switch(c, tss, call ? TASK_CALL : TASK_JMP, false, 0, c->next_rip);
            return;
        }
    }
    uint64_t d = far_code_seg(c, sel);
    struct seg cs = desc_to_seg((uint16_t)((sel & ~SEL_RPL) | c->cpl), d | (1ull << 40));
    bool to64 = (c->efer & EFER_LMA) && (cs.attr & SEG_ATTR_L);
    if (!to64)
        off &= size_mask(osz);
    if (to64 ? !is_canonical(off) : off > cs.limit)
        cpu_gp0(c);
    if (call)
        cpu_push2(c, osz, old_cs, ret);
    desc_set_accessed(c, sel, d);
    c->seg[SEG_CS] = cs;
    c->next_rip = off;
    cpu_update_mode(c);
}

/* EA: JMP ptr16:16/32; 9A: CALL ptr16:16/32 (invalid in 64-bit mode) */
HANDLER(op_jmp_far)
{
    cpu_far_jump(c, i->imm2, i->imm, i->osz, false);
}
HANDLER(op_call_far)
{
    cpu_far_jump(c, i->imm2, i->imm, i->osz, true);
}

/* FF /5 JMP m16:16/32/64, FF /3 CALL m16:16/32/64 */
HANDLER(op_jmp_far_m)
{
    uint64_t ea = cpu_ea(c, i);
    uint64_t off = mem_read(c, i->seg, ea, i->osz);
    uint16_t sel = (uint16_t)mem_read(c, i->seg, (ea + i->osz) & size_mask(i->asz), 2);
    cpu_far_jump(c, sel, off, i->osz, (i->reg & 7) == 3);
}

/* the code segment a far RET or IRET returns to (SDM Vol 2B RET, IRET) */
uint64_t seg_check_return_cs(struct cpu *c, uint16_t sel)
{
    uint64_t d;
    unsigned rpl = sel & SEL_RPL;
    if (!(sel & ~SEL_RPL))
        cpu_gp0(c);
    if (!desc_read(c, sel, &d))
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    unsigned type = desc_type(d), dpl = desc_dpl(d);
    if ((type & T_CODE) != T_CODE || rpl < c->cpl)
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    if ((type & SEG_TYPE_EXPDOWN) ? dpl > rpl : dpl != rpl)
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    if ((c->efer & EFER_LMA) && (d & (1ull << 53)) && (d & (1ull << 54)))
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    if (!(d & DESC_P))
        cpu_raise(c, VEC_NP, SEL_ERR(sel));
    return d;
}

uint64_t seg_check_return_ss(struct cpu *c, uint16_t sel, unsigned rpl)
{
    uint64_t d;
    if (!(sel & ~SEL_RPL))
        cpu_gp0(c);
    if (!desc_read(c, sel, &d))
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    unsigned type = desc_type(d);
    if ((sel & SEL_RPL) != rpl || desc_dpl(d) != rpl ||
        (type & (T_CODE | SEG_TYPE_WRITABLE)) != (T_S | SEG_TYPE_WRITABLE))
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    if (!(d & DESC_P))
        cpu_raise(c, VEC_SS, SEL_ERR(sel));
    return d;
}

/* CB RETF, CA RETF imm16 */
HANDLER(op_retf)
{
    unsigned osz = i->osz;
    uint64_t sm = size_mask(stack_size(c)), rsp = c->gpr[REG_RSP];
    uint64_t ip = mem_read(c, SEG_SS, rsp & sm, osz);
    uint16_t sel = (uint16_t)mem_read(c, SEG_SS, (rsp + osz) & sm, osz == 8 ? 8 : 2);
    uint64_t imm = i->op == 0xca ? i->imm : 0;
    if (c->mode == MODE_REAL || (c->rflags & RFLAGS_VM)) {
        ip &= size_mask(osz);
        if (ip > c->seg[SEG_CS].limit)
            cpu_gp0(c);
        c->seg[SEG_CS].sel = sel;
        c->seg[SEG_CS].base = (uint64_t)sel << 4;
        cpu_update_mode(c);
        c->gpr[REG_RSP] = (rsp & ~sm) | ((rsp + 2 * osz + imm) & sm);
        c->next_rip = ip;
        return;
    }
    uint64_t d = seg_check_return_cs(c, sel);
    unsigned rpl = sel & SEL_RPL;
    struct seg cs = desc_to_seg(sel, d | (1ull << 40));
    bool to64 = (c->efer & EFER_LMA) && (cs.attr & SEG_ATTR_L);
    if (!to64)
        ip &= size_mask(osz);
    if (to64 ? !is_canonical(ip) : ip > cs.limit)
        cpu_gp0(c);
    uint64_t nrsp = rsp + 2 * osz + imm;
    if (rpl > c->cpl) {
        /* to an outer ring: SS:rSP follow (SDM Vol 2B RET, "RETURN-TO-OUTER-PRIVILEGE-LEVEL") */
        uint64_t sp = mem_read(c, SEG_SS, nrsp & sm, osz);
        uint16_t ssel = (uint16_t)mem_read(c, SEG_SS, (nrsp + osz) & sm, 2);
        struct seg ss;
        if (!(ssel & ~SEL_RPL) && to64 && rpl != 3) {
            ss = (struct seg){.sel = ssel, .attr = 0};
        } else {
            uint64_t sd = seg_check_return_ss(c, ssel, rpl);
            desc_set_accessed(c, ssel, sd);
            ss = desc_to_seg(ssel, sd | (1ull << 40));
        }
        desc_set_accessed(c, sel, d);
        c->seg[SEG_CS] = cs;
        c->seg[SEG_SS] = ss;
        cpu_set_cpl(c, rpl);
        cpu_update_mode(c);
        sm = size_mask(stack_size(c));
        c->gpr[REG_RSP] = sm == ~0ull ? sp + imm : ((sp + imm) & sm);
        seg_null_inner(c);
    } else {
        desc_set_accessed(c, sel, d);
        c->seg[SEG_CS] = cs;
        c->gpr[REG_RSP] = sm == ~0ull ? nrsp : (rsp & ~sm) | (nrsp & sm);
        cpu_update_mode(c);
    }
    c->next_rip = ip;
}

/* ---- descriptor-table registers (SDM Vol 2A LGDT/LIDT, SGDT/SIDT) ---------------- */

/* the base's width in memory: a 16-bit operand still reads 4 bytes and keeps 24 bits */
static unsigned dtr_base_size(const struct cpu *c)
{
    return c->mode == MODE_LONG64 ? 8 : 4;
}

void cpu_lgdt_lidt(struct cpu *c, const struct insn *i, struct dtr *t)
{
    if (c->cpl)
        cpu_gp0(c);
    uint64_t ea = cpu_ea(c, i);
    uint16_t limit = (uint16_t)mem_read(c, i->seg, ea, 2);
    uint64_t base = mem_read(c, i->seg, (ea + 2) & size_mask(i->asz), dtr_base_size(c));
    if (c->mode != MODE_LONG64 && i->osz == 2)
        base &= 0xffffff;
    if (c->mode == MODE_LONG64 && !is_canonical(base))
        cpu_gp0(c);
    t->limit = limit;
    t->base = base;
}

void cpu_sgdt_sidt(struct cpu *c, const struct insn *i, const struct dtr *t)
{
    uint64_t ea = cpu_ea(c, i);
    unsigned bs = dtr_base_size(c);
    /* both parts checked before either is written */
    (void)cpu_linear(c, i->seg, (ea + 2) & size_mask(i->asz), bs, ACC_WRITE);
    mem_write(c, i->seg, ea, 2, t->limit);
    mem_write(c, i->seg, (ea + 2) & size_mask(i->asz), bs, t->base);
}

/* 0F 00 /2 LLDT, /3 LTR (SDM Vol 2A); system descriptors are 16 bytes in IA-32e mode */
static uint64_t sys_desc(struct cpu *c, uint16_t sel, struct seg *out, unsigned want)
{
    uint64_t d;
    if (sel & SEL_TI)
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    if (!desc_read(c, sel, &d))
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    unsigned type = desc_type(d);
    if (type != want)
        cpu_raise(c, VEC_GP, SEL_ERR(sel));
    if (!(d & DESC_P))
        cpu_raise(c, VEC_NP, SEL_ERR(sel));
    *out = desc_to_seg(sel, d);
    if (c->efer & EFER_LMA) {
        if ((uint32_t)((sel & ~7u) + 15) > c->gdtr.limit)
            cpu_raise(c, VEC_GP, SEL_ERR(sel));
        uint64_t hi = sys_read(c, c->gdtr.base + (sel & ~7u) + 8, 8);
        if ((hi >> 40) & 0x1f)
            cpu_raise(c, VEC_GP, SEL_ERR(sel));
        out->base |= hi << 32;
        if (!is_canonical(out->base))
            cpu_raise(c, VEC_GP, SEL_ERR(sel));
    }
    return d;
}

HANDLER(op_grp6)
{
    unsigned op = i->reg & 7;
    if (c->mode == MODE_REAL || (c->rflags & RFLAGS_VM))
        cpu_ud(c);
    switch (op) {
    case 0: /* SLDT */
    case 1: /* STR */
        if (i->mod == 3)
            reg_write(c, i, i->rm, i->osz, op == 0 ? c->ldtr.sel : c->tr.sel);
        else
            mem_write(c, i->seg, cpu_ea(c, i), 2, op == 0 ? c->ldtr.sel : c->tr.sel);
        return;
    case 2: { /* LLDT */
        if (c->cpl)
            cpu_gp0(c);
        uint16_t sel = (uint16_t)rm_read(c, i, 2);
        if (!(sel & ~SEL_RPL)) {
            c->ldtr = (struct seg){.sel = sel, .attr = 0};
            return;
        }
        struct seg s;
        (void)sys_desc(c, sel, &s, DESC_LDT);
        c->ldtr = s;
        return;
    }
    case 3: { /* LTR: marks the TSS busy */
        if (c->cpl)
            cpu_gp0(c);
        uint16_t sel = (uint16_t)rm_read(c, i, 2);
        if (!(sel & ~SEL_RPL))
            cpu_gp0(c);
        struct seg s;
        uint64_t d;
        if (!desc_read(c, sel, &d) || (sel & SEL_TI))
            cpu_raise(c, VEC_GP, SEL_ERR(sel));
        unsigned t = desc_type(d);
        unsigned want = (c->efer & EFER_LMA)    ? DESC_TSS_AVAIL
                        : t == DESC_TSS16_AVAIL ? DESC_TSS16_AVAIL
                                                : DESC_TSS_AVAIL;
        (void)sys_desc(c, sel, &s, want);
        c->sys_access = 1;
        uint8_t *p = cpu_host_rmw(c, sys_lin(c, desc_addr(c, sel) + 5), 1);
        c->sys_access = 0;
        if (p)
            __atomic_fetch_or(p, 0x2, __ATOMIC_SEQ_CST); /* busy */
        s.attr |= 0x2;
        c->tr = s;
        return;
    }
    default: { /* 4 VERR, 5 VERW: ZF says whether the segment is readable, writable */
        uint16_t sel = (uint16_t)rm_read(c, i, 2);
        uint64_t d;
        bool ok = (sel & ~SEL_RPL) && desc_read(c, sel, &d) && (desc_type(d) & T_S);
        if (ok) {
            unsigned t = desc_type(d);
            bool conforming =
                (t & (SEG_TYPE_CODE | SEG_TYPE_EXPDOWN)) == (SEG_TYPE_CODE | SEG_TYPE_EXPDOWN);
            if (!conforming && (desc_dpl(d) < c->cpl || desc_dpl(d) < (sel & SEL_RPL)))
                ok = false;
            else if (op == 4)
                ok = !(t & SEG_TYPE_CODE) || (t & SEG_TYPE_WRITABLE);
            else
                ok = (t & (SEG_TYPE_CODE | SEG_TYPE_WRITABLE)) == SEG_TYPE_WRITABLE;
        }
        if (op > 5)
            cpu_ud(c);
        flags_set_status(c, RFLAGS_ZF, ok ? RFLAGS_ZF : 0);
    }
    }
}

/* 0F 02 LAR, 0F 03 LSL (SDM Vol 2A): ZF = 1 and the rights or limit when the
 * descriptor is visible at this CPL and of a type the instruction accepts */
HANDLER(op_lar_lsl)
{
    if (c->mode == MODE_REAL || (c->rflags & RFLAGS_VM))
        cpu_ud(c);
    bool lar = i->op == 0x02, lma = (c->efer & EFER_LMA) != 0;
    uint16_t sel = (uint16_t)rm_read(c, i, 2);
    uint64_t d;
    bool ok = (sel & ~SEL_RPL) && desc_read(c, sel, &d);
    if (ok) {
        unsigned t = desc_type(d);
        if (!(t & T_S)) {
            /* LAR: LDT, TSS, call gates (and task gates, 16-bit ones outside IA-32e) */
            static const uint16_t lar_ok = 0x1a3e, lsl_ok = 0x0a0e, lm_ok = 0x1a04;
            uint16_t valid = (lar ? lar_ok : lsl_ok) & (lma ? lm_ok : 0xffff);
            ok = (valid >> t) & 1;
        }
        bool conforming = (t & (T_CODE | SEG_TYPE_EXPDOWN)) == (T_CODE | SEG_TYPE_EXPDOWN);
        if (ok && !conforming && (desc_dpl(d) < c->cpl || desc_dpl(d) < (sel & SEL_RPL)))
            ok = false;
    }
    if (ok) {
        uint64_t v = lar ? (d >> 32) & 0x00f0ff00 : desc_to_seg(sel, d).limit;
        gpr_write(c, i->reg, i->osz == 2 ? 2 : 4, v);
    }
    flags_set_status(c, RFLAGS_ZF, ok ? RFLAGS_ZF : 0);
}

/* 63 outside 64-bit mode: ARPL r/m16, r16 */
HANDLER(op_arpl)
{
    if (c->mode == MODE_REAL || (c->rflags & RFLAGS_VM))
        cpu_ud(c);
    uint64_t src = reg_read(c, i, i->reg, 2);
    if (i->mod == 3) {
        uint64_t d = reg_read(c, i, i->rm, 2);
        bool adj = (d & SEL_RPL) < (src & SEL_RPL);
        if (adj)
            reg_write(c, i, i->rm, 2, (d & ~(uint64_t)SEL_RPL) | (src & SEL_RPL));
        flags_set_status(c, RFLAGS_ZF, adj ? RFLAGS_ZF : 0);
        return;
    }
    uint64_t ea = cpu_ea(c, i);
    uint64_t lin = cpu_linear(c, i->seg, ea, 2, ACC_WRITE);
    uint64_t d = cpu_read_lin(c, lin, 2);
    bool adj = (d & SEL_RPL) < (src & SEL_RPL);
    if (adj)
        cpu_write_lin(c, lin, 2, (d & ~(uint64_t)SEL_RPL) | (src & SEL_RPL));
    flags_set_status(c, RFLAGS_ZF, adj ? RFLAGS_ZF : 0);
}
