/*
 * emu/cpu/x87.c: the x87 FPU's state and bookkeeping (SDM Vol 1 chapter 8):
 * tags, stack faults, the status word's flags, #NM and #MF (Vol 3A 2.5,
 * Vol 1 8.7 for CR0.NE and FERR#), the instruction and data pointers, and the
 * control instructions: FLDCW, FNSTCW, FNSTSW, FNCLEX, FNINIT, FNOP, FWAIT,
 * FFREE, FFREEP, FINCSTP, FDECSTP. x87_env.c has FNSTENV/FLDENV and
 * FNSAVE/FRSTOR, x87_ldst.c the loads and stores, x87_arith.c the arithmetic,
 * x87_trans.c the transcendentals.
 *
 * The pointers: every non-control instruction records FOP (11 bits), FIP and
 * FCS (the instruction's offset and CS selector), and one with a memory
 * operand FDP and FDS (the operand's offset and segment selector), as Intel
 * parts without FOP/FDP deprecation do; the control instructions that load
 * or store the environment (FLDCW, FLDENV, FRSTOR, the FN* forms) leave them.
 * FNOP, FFREE, FINCSTP and FDECSTP record them, as the host does.
 */
#include "emu/cpu/x87.h"

void x87_update_es(struct cpu *c)
{
    if (c->x87.fsw & ~c->x87.fcw & FCW_MASKS)
        c->x87.fsw |= FSW_ES | FSW_B;
    else
        c->x87.fsw &= (uint16_t) ~(FSW_ES | FSW_B);
}

bool x87_exceptions(struct cpu *c, const struct sf_env *e)
{
    uint16_t f = e->flags & FSW_EXC;
    c->x87.fsw = (uint16_t)((c->x87.fsw & ~FSW_C1) | f | (e->flags & SF_UP ? FSW_C1 : 0));
    if (f & ~e->mask)
        c->x87.fsw |= FSW_ES | FSW_B;
    return !(f & ~e->mask & (SF_IE | SF_DE | SF_ZE));
}

bool x87_stack_fault(struct cpu *c, bool overflow)
{
    c->x87.fsw = (uint16_t)((c->x87.fsw & ~FSW_C1) | FSW_IE | FSW_SF | (overflow ? FSW_C1 : 0));
    if (!(c->x87.fcw & FSW_IE)) {
        c->x87.fsw |= FSW_ES | FSW_B;
        return false;
    }
    return true;
}

/* a pending unmasked exception at a waiting instruction (SDM Vol 1 8.7, Vol 3A 2.5) */
void x87_pending(struct cpu *c)
{
    if (c->cr0 & CR0_NE)
        cpu_raise_noerr(c, VEC_MF);
    /* CR0.NE = 0: the PC's FERR# to IRQ 13 (through the 8259), and the
     * instruction goes on, as QEMU does; IGNNE# (an OUT to port 0xF0) is the
     * platform's. XXX: a real 486+ freezes here until the interrupt. */
    if (c->bus->ferr)
        c->bus->ferr(c->bus->opaque);
}

uint64_t x87_ea(const struct cpu *c, const struct insn *i)
{
    return cpu_ea(c, i);
}

void x87_begin(struct cpu *c, const struct insn *i, enum x87_kind kind)
{
    /* #NM: CR0.EM (no x87 to use) or CR0.TS (the state belongs to another task) */
    if (c->cr0 & (CR0_EM | CR0_TS))
        cpu_raise_noerr(c, VEC_NM);
    if (kind == X87_NOWAIT)
        return;
    if (c->x87.fsw & FSW_ES)
        x87_pending(c);
    if (kind == X87_CONTROL)
        return;
    c->x87.fop = (uint16_t)((i->op & 7) << 8 | i->mod << 6 | (i->reg & 7) << 3 | (i->rm & 7));
    c->x87.fip = c->rip;
    c->x87.fcs = c->seg[SEG_CS].sel;
    if (i->mod != 3) {
        c->x87.fdp = cpu_ea(c, i);
        c->x87.fds = c->seg[i->seg].sel;
    }
}

void x87_probe_write(struct cpu *c, unsigned seg, uint64_t off, unsigned size)
{
    uint64_t lin = cpu_linear(c, seg, off, size, ACC_WRITE);
    uint64_t last = lin + size - 1;
    if (c->mode != MODE_LONG64)
        last &= 0xffffffffull;
    struct tlb_entry *e = tlb_entry(c, lin);
    if (e->wtag != lin >> X86_PAGE_SHIFT)
        cpu_tlb_fill(c, lin, ACC_WRITE);
    if ((last ^ lin) >> X86_PAGE_SHIFT) { /* the next page faults at its first byte */
        uint64_t next = last & ~(uint64_t)(X86_PAGE_SIZE - 1);
        e = tlb_entry(c, next);
        if (e->wtag != next >> X86_PAGE_SHIFT)
            cpu_tlb_fill(c, next, ACC_WRITE);
    }
}

sf80 x87_read_m80(struct cpu *c, const struct insn *i)
{
    uint64_t ea = cpu_ea(c, i);
    sf80 v;
    v.mant = mem_read(c, i->seg, ea, 8);
    v.se = (uint16_t)mem_read(c, i->seg, (ea + 8) & size_mask(i->asz), 2);
    return v;
}

void x87_probe_m80(struct cpu *c, const struct insn *i)
{
    uint64_t ea = cpu_ea(c, i);
    x87_probe_write(c, i->seg, ea, 8);
    x87_probe_write(c, i->seg, (ea + 8) & size_mask(i->asz), 2);
}

void x87_write_m80(struct cpu *c, const struct insn *i, sf80 v)
{
    uint64_t ea = cpu_ea(c, i), ea8 = (ea + 8) & size_mask(i->asz);
    x87_probe_write(c, i->seg, ea, 8); /* two pieces, as the host checks them */
    x87_probe_write(c, i->seg, ea8, 2);
    mem_write(c, i->seg, ea, 8, v.mant);
    mem_write(c, i->seg, ea8, 2, v.se);
}

sf80 x87_widen32(struct sf_env *e, uint32_t v)
{
    if (sf32_class(v) == SF_CLS_SNAN)
        return (sf80){1ull << 63 | (uint64_t)(v & 0x7fffff) << 40,
                      (uint16_t)((v >> 16 & 0x8000) | 0x7fff)};
    return sf32_to_sf80(e, v);
}

sf80 x87_widen64(struct sf_env *e, uint64_t v)
{
    if (sf64_class(v) == SF_CLS_SNAN)
        return (sf80){1ull << 63 | (v & ((1ull << 52) - 1)) << 11,
                      (uint16_t)((v >> 48 & 0x8000) | 0x7fff)};
    return sf64_to_sf80(e, v);
}

/* ---- tags (SDM Vol 1 8.1.7) -------------------------------------------------- */

unsigned x87_tag(const struct cpu *c, unsigned p)
{
    if (!((c->x87.ftw >> p) & 1))
        return FTW_EMPTY;
    const struct fpu_reg *r = &c->x87.r[p];
    unsigned exp = r->se & 0x7fff;
    if (exp == 0x7fff)
        return FTW_SPECIAL;
    if (exp == 0)
        return r->mant ? FTW_SPECIAL : FTW_ZERO;
    return (r->mant >> 63) ? FTW_VALID : FTW_SPECIAL; /* an unnormal is special */
}

uint16_t x87_tag_word(const struct cpu *c)
{
    uint16_t w = 0;
    for (unsigned p = 0; p < 8; p++)
        w |= (uint16_t)(x87_tag(c, p) << (2 * p));
    return w;
}

/* ---- reset and FNINIT ---------------------------------------------------------- */

void x87_fninit(struct cpu *c)
{
    c->x87.fcw = FCW_DEFAULT;
    c->x87.fsw = 0;
    c->x87.ftw = 0; /* all empty */
    c->x87.fop = 0;
    c->x87.fip = c->x87.fdp = 0;
    c->x87.fcs = c->x87.fds = 0;
}

void x87_reset(struct cpu *c)
{
    /* SDM Vol 3A table 9-1: FCW 0040H, FSW 0, FTW 5555H (every register +0.0,
     * tagged zero), pointers 0. INIT leaves the x87 state alone. */
    x87_fninit(c);
    c->x87.fcw = FCW_RESET;
    c->x87.ftw = 0xff;
    for (unsigned p = 0; p < 8; p++)
        c->x87.r[p] = (struct fpu_reg){0, 0};
}

/* ---- control instructions ------------------------------------------------------- */

/* D9 /5: FLDCW m16 */
HANDLER(op_fldcw)
{
    x87_begin(c, i, X87_CONTROL);
    c->x87.fcw = x87_fcw_value((uint16_t)mem_read(c, i->seg, cpu_ea(c, i), 2));
    x87_update_es(c);
}

/* D9 /7: FNSTCW m16 */
HANDLER(op_fnstcw)
{
    x87_begin(c, i, X87_NOWAIT);
    mem_write(c, i->seg, cpu_ea(c, i), 2, c->x87.fcw);
}

/* DD /7: FNSTSW m16 */
HANDLER(op_fnstsw)
{
    x87_begin(c, i, X87_NOWAIT);
    mem_write(c, i->seg, cpu_ea(c, i), 2, c->x87.fsw);
}

/* DF E0: FNSTSW AX */
HANDLER(op_fnstsw_ax)
{
    x87_begin(c, i, X87_NOWAIT);
    gpr_write(c, REG_RAX, 2, c->x87.fsw);
}

/* DB E2: FNCLEX */
HANDLER(op_fnclex)
{
    x87_begin(c, i, X87_NOWAIT);
    c->x87.fsw &= (uint16_t) ~(FSW_EXC | FSW_SF | FSW_ES | FSW_B);
}

/* DB E3: FNINIT */
HANDLER(op_fninit)
{
    x87_begin(c, i, X87_NOWAIT);
    x87_fninit(c);
}

/* D9 D0: FNOP; DB E0, E1, E4 (FNENI, FNDISI, FNSETPM of the 8087 and 287) do
 * nothing since the 387, and do not wait: they are no-wait control instructions */
HANDLER(op_fnop)
{
    x87_begin(c, i, i->op == 0xdb ? X87_NOWAIT : X87_ARITH);
}

/* 9B: WAIT/FWAIT: #NM only with CR0.TS and CR0.MP (SDM Vol 3A 2.5 table 2-2) */
HANDLER(op_fwait)
{
    (void)i;
    if ((c->cr0 & (CR0_TS | CR0_MP)) == (CR0_TS | CR0_MP))
        cpu_raise_noerr(c, VEC_NM);
    if (c->x87.fsw & FSW_ES)
        x87_pending(c);
}

/* DD C0+i: FFREE ST(i); DF C0+i: FFREEP ST(i) (undocumented by Intel, on every
 * part): FFREE, then a pop that frees ST(0) too and clears C1 */
HANDLER(op_ffree)
{
    x87_begin(c, i, X87_ARITH);
    c->x87.ftw &= (uint8_t) ~(1u << x87_phys(c, i->rm & 7));
    c->x87.fsw &= (uint16_t)~FSW_C1;
    if (i->op == 0xdf)
        x87_pop(c);
}

/* D9 F6: FDECSTP; D9 F7: FINCSTP (the tags do not change) */
HANDLER(op_fdecstp)
{
    x87_begin(c, i, X87_ARITH);
    c->x87.fsw &= (uint16_t)~FSW_C1;
    x87_set_top(c, x87_top(c) - 1);
}

HANDLER(op_fincstp)
{
    x87_begin(c, i, X87_ARITH);
    c->x87.fsw &= (uint16_t)~FSW_C1;
    x87_set_top(c, x87_top(c) + 1);
}
