/*
 * emu/cpu/intr.c: interrupt and exception delivery (SDM Vol 3A chapter 6):
 * the real-mode IVT (20.1.4), protected-mode IDT gates with same-privilege
 * and inner-privilege entry through the TSS stack (6.12.1), IA-32e 16-byte
 * gates with IST (6.14), the double-fault rules (6.15, table 6-5), triple
 * fault, NMI blocking (6.7.1), the STI/MOV SS shadow (6.8.3), and IRET.
 *
 * Delivery reads and checks everything first, then writes the frame, then
 * commits registers: a fault in the middle (a bad gate, a stack that is not
 * present) leaves the state as it was, and is delivered in turn by the
 * double-fault rules.
 *
 * Task gates and IRET with NT switch tasks (task.c). Not modelled yet (XXX):
 * virtual-8086 mode.
 */
#include "emu/cpu/internal.h"
#include "emu/vcpu_events.h"

static unsigned exc_class(unsigned vector)
{
    switch (vector) {
    case VEC_DE:
    case VEC_TS:
    case VEC_NP:
    case VEC_SS:
    case VEC_GP:
        return DCLS_CONTRIB;
    case VEC_PF:
        return DCLS_PF;
    case VEC_DF:
        return DCLS_DF;
    default:
        return DCLS_BENIGN;
    }
}

bool cpu_exception_take(struct cpu *c)
{
    unsigned prev = c->delivering, cls = exc_class(c->exc.vector);
    c->delivering = DCLS_NONE;
    c->sys_access = 0;
    if (prev == DCLS_DF)
        return false; /* triple fault: shutdown (6.15, interrupt 8) */
    if ((prev == DCLS_CONTRIB && cls == DCLS_CONTRIB) ||
        (prev == DCLS_PF && (cls == DCLS_CONTRIB || cls == DCLS_PF))) {
        c->exc.vector = VEC_DF;
        c->exc.has_error = true;
        c->exc.error = 0;
    }
    cpu_deliver(c, c->exc.vector, c->exc.has_error, c->exc.error, EV_EXC, c->rip);
    return true;
}

void cpu_exit_now(struct cpu *c, enum cpu_exit why)
{
    c->rip = c->next_rip;
    c->icount++;
    c->exit_req = (uint8_t)why;
    __builtin_longjmp(c->jmp, 1);
}

/* ---- the frame -------------------------------------------------------------- */

void frame_push(struct cpu *c, struct frame *f, unsigned size, uint64_t v)
{
    uint64_t sp = (f->sp - size) & size_mask(f->ssize);
    uint64_t lin;
    if (f->ssize == 8) {
        lin = sp;
        if (!is_canonical(lin))
            cpu_raise(c, VEC_SS, f->err);
    } else {
        bool expdown = (f->ss.attr & (SEG_TYPE_CODE | SEG_TYPE_EXPDOWN)) == SEG_TYPE_EXPDOWN;
        uint64_t upper = (f->ss.attr & SEG_ATTR_DB) ? 0xffffffffull : 0xffffull;
        if (expdown ? sp <= f->ss.limit || sp + size - 1 > upper : sp + size - 1 > f->ss.limit)
            cpu_raise(c, VEC_SS, f->err);
        lin = (f->ss.base + sp) & 0xffffffffull;
    }
    c->sys_access = f->supervisor;
    cpu_write_lin(c, lin, size, v);
    c->sys_access = 0;
    f->sp = sp;
}

/* the new stack pointer in a register of the given stack size */
uint64_t sp_commit(uint64_t old, uint64_t sp, unsigned ssize)
{
    if (ssize == 2)
        return (old & ~0xffffull) | (sp & 0xffff);
    return sp;
}

/* ---- real mode (SDM Vol 3A 20.1.4) ------------------------------------------ */

static void deliver_real(struct cpu *c, unsigned vector, uint64_t ret)
{
    if (vector * 4 + 3 > c->idtr.limit)
        cpu_raise(c, VEC_GP, 0);
    uint32_t ent = (uint32_t)sys_read(c, c->idtr.base + vector * 4, 4);
    struct frame f = {.ss = c->seg[SEG_SS], .sp = c->gpr[REG_RSP], .vec = VEC_SS};
    f.ssize = (f.ss.attr & SEG_ATTR_DB) ? 4 : 2;
    frame_push(c, &f, 2, cpu_get_rflags(c));
    frame_push(c, &f, 2, c->seg[SEG_CS].sel);
    frame_push(c, &f, 2, ret);
    c->gpr[REG_RSP] = sp_commit(c->gpr[REG_RSP], f.sp, f.ssize);
    c->rflags &= ~(uint64_t)(RFLAGS_IF | RFLAGS_TF | RFLAGS_AC | RFLAGS_RF);
    c->seg[SEG_CS].sel = (uint16_t)(ent >> 16);
    c->seg[SEG_CS].base = (ent >> 16) << 4;
    cpu_update_mode(c);
    c->rip = c->next_rip = ent & 0xffff;
}

/* ---- protected mode and IA-32e mode ---------------------------------------- */

/* the gate's target code segment, checked (6.12.1.1); returns its descriptor */
static uint64_t gate_code_seg(struct cpu *c, uint16_t sel, uint32_t ext)
{
    uint64_t d;
    if (!(sel & ~SEL_RPL))
        cpu_raise(c, VEC_GP, ext);
    uint32_t err = (sel & ~SEL_RPL) | ext;
    if (!desc_read(c, sel, &d))
        cpu_raise(c, VEC_GP, err);
    unsigned attr = (unsigned)(d >> 40);
    unsigned dpl = (attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT;
    if ((attr & (SEG_ATTR_S | SEG_TYPE_CODE)) != (SEG_ATTR_S | SEG_TYPE_CODE) || dpl > c->cpl)
        cpu_raise(c, VEC_GP, err);
    if ((c->efer & EFER_LMA) && (!(d & (1ull << 53)) || (d & (1ull << 54))))
        cpu_raise(c, VEC_GP, err); /* IA-32e: a 64-bit code segment (6.14.1) */
    if (!(attr & SEG_ATTR_P))
        cpu_raise(c, VEC_NP, err);
    return d;
}

/* the inner stack for ring dpl from the 32-bit TSS, checked (6.12.1, table 6-1 #TS) */
void tss32_stack(struct cpu *c, unsigned dpl, uint32_t ext, struct frame *f)
{
    uint32_t terr = (c->tr.sel & ~SEL_RPL) | ext;
    bool tss32 = (c->tr.attr & SEG_ATTR_TYPE & ~2u) == DESC_TSS_AVAIL;
    unsigned w = tss32 ? 4 : 2, at = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
    if (at + 2 * w - 1 > c->tr.limit)
        cpu_raise(c, VEC_TS, terr);
    uint64_t sp = sys_read(c, c->tr.base + at, w);
    uint16_t sel = (uint16_t)sys_read(c, c->tr.base + at + w, 2);
    uint32_t serr = (sel & ~SEL_RPL) | ext;
    uint64_t d;
    if (!(sel & ~SEL_RPL))
        cpu_raise(c, VEC_TS, ext);
    if (!desc_read(c, sel, &d))
        cpu_raise(c, VEC_TS, serr);
    unsigned attr = (unsigned)(d >> 40);
    if ((sel & SEL_RPL) != dpl || ((attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT) != dpl ||
        (attr & (SEG_ATTR_S | SEG_TYPE_CODE | SEG_TYPE_WRITABLE)) !=
            (SEG_ATTR_S | SEG_TYPE_WRITABLE))
        cpu_raise(c, VEC_TS, serr);
    if (!(attr & SEG_ATTR_P))
        cpu_raise(c, VEC_SS, serr);
    f->ss = desc_to_seg(sel, d);
    f->sp = sp;
    f->ssize = (f->ss.attr & SEG_ATTR_DB) ? 4 : 2;
    f->err = serr;
    desc_set_accessed(c, sel, d);
}

uint64_t tss64_read(struct cpu *c, unsigned at, uint32_t ext)
{
    if (at + 7 > c->tr.limit)
        cpu_raise(c, VEC_TS, (c->tr.sel & ~SEL_RPL) | ext);
    return sys_read(c, c->tr.base + at, 8);
}

static void deliver_prot(struct cpu *c, unsigned vector, bool has_err, uint32_t err,
                         enum ev_kind kind, uint64_t ret)
{
    bool lma = (c->efer & EFER_LMA) != 0;
    uint32_t ext = kind == EV_SOFT ? 0 : ERR_EXT;
    uint32_t gerr = vector * 8 + ERR_IDT + ext;
    unsigned gsize = lma ? 16 : 8;
    if (vector * gsize + gsize - 1 > c->idtr.limit)
        cpu_raise(c, VEC_GP, gerr);
    uint64_t g = sys_read(c, c->idtr.base + vector * gsize, 8);
    uint64_t ghi = lma ? sys_read(c, c->idtr.base + vector * gsize + 8, 8) : 0;
    unsigned type = (g >> 40) & 0x1f, gdpl = (g >> 45) & 3;
    bool task = !lma && type == DESC_TASK;
    bool ok = lma ? type == DESC_INT || type == DESC_TRAP
                  : task || type == DESC_INT || type == DESC_TRAP || type == DESC_INT16 ||
                        type == DESC_TRAP16;
    if (!ok)
        cpu_raise(c, VEC_GP, gerr);
    if (kind == EV_SOFT && gdpl < c->cpl)
        cpu_raise(c, VEC_GP, vector * 8 + ERR_IDT);
    if (!(g & (1ull << 47)))
        cpu_raise(c, VEC_NP, gerr);
    if (task) { /* a task gate (6.12.2) */
        cpu_task_switch(c, (uint16_t)(g >> 16), TASK_INT, has_err, err, ret);
        return;
    }

    uint16_t sel = (uint16_t)(g >> 16);
    uint64_t off = (g & 0xffff) | ((g >> 32) & 0xffff0000ull) | (ghi << 32);
    unsigned wsize = lma ? 8 : (type & 8) ? 4 : 2; /* 16-bit gates push words */
    if (wsize == 2)
        off &= 0xffff;
    uint64_t d = gate_code_seg(c, sel, ext);
    struct seg cs = desc_to_seg(sel, d);
    unsigned dpl = (cs.attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT;
    unsigned ncpl = (cs.attr & SEG_TYPE_EXPDOWN) ? c->cpl : dpl; /* conforming keeps CPL */
    bool inner = ncpl < c->cpl;

    struct frame f = {.ss = c->seg[SEG_SS], .sp = c->gpr[REG_RSP], .err = ext};
    f.ssize = lma ? 8 : (f.ss.attr & SEG_ATTR_DB) ? 4 : 2;
    if (lma) {
        unsigned ist = (unsigned)(g >> 32) & 7;
        if (ist)
            f.sp = tss64_read(c, 36 + (ist - 1) * 8, ext);
        else if (inner)
            f.sp = tss64_read(c, 4 + ncpl * 8, ext);
        if (ist || inner)
            f.sp &= ~0xfull; /* 6.14.2: aligned on 16 bytes */
        if (!is_canonical(off))
            cpu_raise(c, VEC_GP, ext);
    } else {
        if (inner)
            tss32_stack(c, ncpl, ext, &f);
        if (off > cs.limit)
            cpu_raise(c, VEC_GP, ext);
    }
    f.supervisor = ncpl < 3;

    uint64_t flags = cpu_get_rflags(c);
    if (lma || inner) {
        frame_push(c, &f, wsize, c->seg[SEG_SS].sel);
        frame_push(c, &f, wsize, c->gpr[REG_RSP]);
    }
    frame_push(c, &f, wsize, flags);
    frame_push(c, &f, wsize, c->seg[SEG_CS].sel);
    frame_push(c, &f, wsize, ret);
    if (has_err)
        frame_push(c, &f, wsize, err);

    /* commit */
    desc_set_accessed(c, sel, d);
    if (inner) {
        if (lma)
            c->seg[SEG_SS] = (struct seg){.sel = (uint16_t)ncpl, .attr = 0};
        else
            c->seg[SEG_SS] = f.ss;
        c->gpr[REG_RSP] = f.sp;
    } else {
        c->gpr[REG_RSP] = sp_commit(c->gpr[REG_RSP], f.sp, f.ssize);
    }
    cs.sel = (uint16_t)((sel & ~SEL_RPL) | ncpl);
    c->seg[SEG_CS] = cs;
    uint64_t clear = RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM;
    if (!(type & 1))
        clear |= RFLAGS_IF; /* interrupt gate (6.12.1.3) */
    c->rflags = (flags & ~clear) | RFLAGS_FIXED;
    c->lf.op = LF_NONE;
    c->rip = c->next_rip = off;
    cpu_set_cpl(c, ncpl);
    cpu_update_mode(c);
}

void cpu_deliver(struct cpu *c, unsigned vector, bool has_err, uint32_t err, enum ev_kind kind,
                 uint64_t ret)
{
    if (__builtin_expect(c->debug != NULL || c->rips != NULL, 0)) {
        if (c->rips)
            cpu_rip_record(c, CPU_RIP_EVENT_OF(kind, vector));
        if (c->debug && c->debug->event)
            c->debug->event(c->debug->opaque, c, vector, (enum cpu_event_kind)kind, has_err, err);
    }
    c->delivering = (uint8_t)(kind == EV_EXC ? exc_class(vector) : DCLS_BENIGN);
    if (c->mode == MODE_REAL)
        deliver_real(c, vector, ret);
    else
        deliver_prot(c, vector, has_err, err, kind, ret);
    c->delivering = DCLS_NONE;
    c->icount++; /* an event counts as one: a fault loop still ends a budget */
}

void cpu_tf_check(struct cpu *c, uint64_t old_rflags)
{
    /* TF set by this instruction traps after the next one (SDM Vol 3A 18.3.1.4) */
    if (!(old_rflags & RFLAGS_TF) && (c->rflags & RFLAGS_TF) && !c->stop_at_exc)
        cpu_exit_now(c, CPU_EXIT_RESCHED);
}

void cpu_soft_int(struct cpu *c, unsigned vector)
{
    if (c->stop_at_exc) {
        /* user-mode embedding: what Linux's IDT gives user code */
        if (vector == VEC_BP || vector == VEC_OF) {
            c->rip = c->next_rip;
            cpu_raise_noerr(c, vector);
        }
        cpu_raise(c, VEC_GP, vector * 8 + ERR_IDT);
    }
    cpu_deliver(c, vector, false, 0, EV_SOFT, c->next_rip);
}

/* ---- the machine's entry points --------------------------------------------- */

unsigned cpu_irq_flags(const struct cpu *c)
{
    return ((c->rflags & RFLAGS_IF) ? VCPU_IF : 0) | (c->shadow_at == c->icount ? VCPU_SHADOW : 0) |
           (c->nmi_blocked ? VCPU_NMI_BLOCKED : 0);
}

/* deliver an external event outside cpu_run, with its own unwinding point */
static void deliver_external(struct cpu *c, unsigned vector)
{
    if (__builtin_setjmp(c->jmp)) {
        /* a fault while delivering: delivered in turn, or a triple fault */
        if (!cpu_exception_take(c))
            c->exit_req = CPU_EXIT_SHUTDOWN;
        return;
    }
    c->next_rip = c->rip;
    cpu_deliver(c, vector, false, 0, EV_EXT, c->rip);
}

void cpu_interrupt(struct cpu *c, uint8_t vector)
{
    deliver_external(c, vector);
}

void cpu_nmi(struct cpu *c)
{
    c->nmi_blocked = true;
    deliver_external(c, VEC_NMI);
}

/* ---- IRET (SDM Vol 2A IRET) -------------------------------------------------- */

static uint64_t iret_flags(uint64_t cur, uint64_t v, unsigned osz, unsigned cpl)
{
    uint64_t mask =
        RFLAGS_STATUS | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_RF | RFLAGS_AC | RFLAGS_ID;
    unsigned iopl = (cur & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT;
    if (cpl <= iopl)
        mask |= RFLAGS_IF;
    if (cpl == 0)
        mask |= RFLAGS_IOPL | RFLAGS_VIF | RFLAGS_VIP;
    if (osz == 2)
        mask &= 0xffff;
    return ((cur & ~mask) | (v & mask)) | RFLAGS_FIXED;
}

/* read the stack at offset k*size from RSP without moving it */
static uint64_t stack_peek(struct cpu *c, unsigned size, unsigned k)
{
    uint64_t sm = size_mask(stack_size(c));
    return mem_read(c, SEG_SS, (c->gpr[REG_RSP] + (uint64_t)k * size) & sm, size);
}

static void iret_real(struct cpu *c, unsigned osz)
{
    uint64_t ip = stack_peek(c, osz, 0), cs = stack_peek(c, osz, 1) & 0xffff;
    uint64_t fl = stack_peek(c, osz, 2);
    if (ip > c->seg[SEG_CS].limit)
        cpu_gp0(c);
    (void)cpu_pop(c, osz), (void)cpu_pop(c, osz), (void)cpu_pop(c, osz);
    uint64_t cur = cpu_get_rflags(c);
    uint64_t mask = osz == 2 ? 0xffff : 0x257fd5; /* SDM Vol 2A IRET, real-address mode */
    c->rflags = ((cur & ~mask) | (fl & mask)) | RFLAGS_FIXED;
    c->lf.op = LF_NONE;
    c->seg[SEG_CS].sel = (uint16_t)cs;
    c->seg[SEG_CS].base = cs << 4;
    cpu_update_mode(c);
    c->next_rip = ip;
    cpu_tf_check(c, cur);
}

static void iret_prot(struct cpu *c, unsigned osz)
{
    bool lma = (c->efer & EFER_LMA) != 0;
    uint64_t cur = cpu_get_rflags(c);
    if (cur & RFLAGS_NT) {
        if (lma)
            cpu_gp0(c); /* IA-32e mode has no task return */
        cpu_task_switch(c, (uint16_t)sys_read(c, c->tr.base, 2), TASK_IRET, false, 0, c->next_rip);
        return;
    }
    uint64_t ip = stack_peek(c, osz, 0);
    uint16_t sel = (uint16_t)stack_peek(c, osz, 1);
    uint64_t fl = stack_peek(c, osz, 2);
    if (osz == 4)
        fl &= 0xffffffffull;
    if ((fl & RFLAGS_VM) && c->cpl == 0 && !lma)
        cpu_gp0(c); /* XXX: virtual-8086 mode */
    uint64_t d = seg_check_return_cs(c, sel);
    unsigned rpl = sel & SEL_RPL;
    struct seg cs = desc_to_seg(sel, d);
    bool to64 = lma && (cs.attr & SEG_ATTR_L);
    bool outer = rpl > c->cpl;
    uint64_t sp = 0;
    struct seg ss = c->seg[SEG_SS];
    if (outer || c->mode == MODE_LONG64) {
        sp = stack_peek(c, osz, 3);
        uint16_t ssel = (uint16_t)stack_peek(c, osz, 4);
        if (!(ssel & ~SEL_RPL) && to64 && rpl != 3 && (ssel & SEL_RPL) == rpl) {
            ss = (struct seg){.sel = ssel, .attr = 0}; /* a null SS in 64-bit mode */
        } else {
            uint64_t sd = seg_check_return_ss(c, ssel, rpl);
            ss = desc_to_seg(ssel, sd);
            desc_set_accessed(c, ssel, sd);
        }
    }
    if (to64 ? !is_canonical(ip) : ip > cs.limit)
        cpu_gp0(c);
    if (!to64)
        ip &= osz == 2 ? 0xffff : 0xffffffff;

    /* commit */
    desc_set_accessed(c, sel, d);
    unsigned old_cpl = c->cpl;
    if (outer || c->mode == MODE_LONG64) {
        c->seg[SEG_SS] = ss;
        c->gpr[REG_RSP] = osz == 2 ? (c->gpr[REG_RSP] & ~0xffffull) | (sp & 0xffff) : sp;
        if (osz == 4)
            c->gpr[REG_RSP] &= 0xffffffffull;
    } else {
        (void)cpu_pop(c, osz), (void)cpu_pop(c, osz), (void)cpu_pop(c, osz);
    }
    c->rflags = iret_flags(cur, fl, osz, old_cpl);
    cpu_ac_flags_changed(c, cur, c->rflags);
    uint64_t tf_old = cur;
    c->lf.op = LF_NONE;
    c->seg[SEG_CS] = cs;
    c->next_rip = ip;
    cpu_set_cpl(c, rpl);
    if (outer)
        seg_null_inner(c);
    cpu_update_mode(c);
    cpu_tf_check(c, tf_old);
}

/* CF */
HANDLER(op_iret)
{
    c->nmi_blocked = false; /* 6.7.1: NMIs are unblocked by IRET even if it faults later */
    if (c->mode == MODE_REAL)
        iret_real(c, i->osz);
    else
        iret_prot(c, i->osz);
}

/* CD ib */
HANDLER(op_int)
{
    cpu_soft_int(c, (unsigned)i->imm & 0xff);
}

/* CE: INTO, a trap to #OF when OF is set */
HANDLER(op_into)
{
    (void)i;
    if (flags_cond(c, 0))
        cpu_soft_int(c, VEC_OF);
}

/* F1: INT1 (ICEBP), a #DB trap without the gate DPL check */
HANDLER(op_int1)
{
    (void)i;
    if (c->stop_at_exc) {
        c->rip = c->next_rip;
        cpu_raise_noerr(c, VEC_DB);
    }
    cpu_deliver(c, VEC_DB, false, 0, EV_EXT, c->next_rip);
}
