/*
 * emu/cpu/task.c: hardware task switches (SDM Vol 3A 7.3, "Task
 * Switching"): JMP or CALL to a TSS descriptor or a task gate, an interrupt
 * or exception through an IDT task gate (how 32-bit Linux takes #DF), and
 * IRET with NT set; between 32-bit TSSs and 16-bit ones (7.6, figure 7-11)
 * in any mix. IA-32e mode has no task switches (#GP). The new task's segment
 * registers get the checks of 7.3 step 12, faulting #TS/#NP/#SS with the
 * selector, in the new task.
 *
 * A 16-bit TSS holds no CR3, FS, GS or upper register halves. Entering a
 * 16-bit task loads FS and GS with null selectors, leaves CR3, clears the
 * upper halves of EIP and EFLAGS and sets those of the general registers to
 * 0xFFFF, as QEMU and Bochs do (the SDM leaves them open).
 */
#include "emu/cpu/internal.h"

/* where a TSS keeps what (7.2.1 figure 7-2, 7.6 figure 7-11) */
struct tss_layout {
    unsigned width; /* of IP, FLAGS and each general register: 4 or 2 */
    unsigned cr3;   /* 0: none */
    unsigned eip, eflags;
    unsigned gprs;        /* EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI */
    unsigned segs, nsegs; /* ES, CS, SS, DS (, FS, GS), a word each in slots of seg_stride */
    unsigned seg_stride;
    unsigned ldt;
    unsigned min_limit;
};

static const struct tss_layout tss32 = {4, 0x1c, 0x20, 0x24, 0x28, 0x48, 6, 4, 0x60, 0x67};
static const struct tss_layout tss16 = {2, 0, 0x0e, 0x10, 0x12, 0x22, 4, 2, 0x2a, 0x2b};

#define TSS_LINK  0x00
#define DESC_BUSY (2ull << 40) /* the busy bit of a TSS descriptor's type */
#define UPPER16   0xffff0000u  /* what a 16-bit task's general registers get above bit 15 */

/* the layout of a TSS descriptor type (available or busy), or NULL */
static const struct tss_layout *tss_layout(unsigned type)
{
    switch (type & ~2u) {
    case DESC_TSS_AVAIL:
        return &tss32;
    case DESC_TSS16_AVAIL:
        return &tss16;
    }
    return NULL;
}

static void set_busy(struct cpu *c, uint16_t sel, bool busy)
{
    uint64_t lin = c->gdtr.base + (sel & ~7u) + 5;
    uint8_t t = (uint8_t)sys_read(c, lin, 1);
    sys_write(c, lin, 1, busy ? t | 2u : t & ~2u);
}

/* load segment register s of the new task (7.3 step 12); raises in the new task */
static void task_load_seg(struct cpu *c, unsigned s, uint16_t sel)
{
    uint32_t err = sel & ~SEL_RPL;
    uint64_t d;
    if (!(sel & ~SEL_RPL)) {
        if (s == SEG_CS || s == SEG_SS)
            cpu_raise(c, VEC_TS, err);
        c->seg[s] = (struct seg){.sel = sel, .attr = 0};
        return;
    }
    if (!desc_read(c, sel, &d))
        cpu_raise(c, VEC_TS, err);
    struct seg g = desc_to_seg(sel, d);
    unsigned dpl = (g.attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT, rpl = sel & SEL_RPL;
    bool code = (g.attr & (SEG_ATTR_S | SEG_TYPE_CODE)) == (SEG_ATTR_S | SEG_TYPE_CODE);
    bool conforming = code && (g.attr & SEG_TYPE_EXPDOWN);
    bool ok;
    if (s == SEG_CS)
        ok = code && (conforming ? dpl <= rpl : dpl == rpl);
    else if (s == SEG_SS)
        ok = (g.attr & (SEG_ATTR_S | SEG_TYPE_CODE | SEG_TYPE_WRITABLE)) ==
                 (SEG_ATTR_S | SEG_TYPE_WRITABLE) &&
             dpl == c->cpl && rpl == c->cpl;
    else
        ok = (g.attr & SEG_ATTR_S) && (!code || (g.attr & SEG_TYPE_WRITABLE)) &&
             (conforming || (dpl >= c->cpl && dpl >= rpl));
    if (!ok)
        cpu_raise(c, VEC_TS, err);
    if (!(g.attr & SEG_ATTR_P))
        cpu_raise(c, s == SEG_SS ? VEC_SS : VEC_NP, err);
    c->seg[s] = g;
}

void cpu_task_switch(struct cpu *c, uint16_t sel, enum task_reason why, bool has_err,
                     uint32_t errcode, uint64_t ret)
{
    uint64_t d;
    uint32_t err = sel & ~SEL_RPL;
    if ((c->efer & EFER_LMA) || (sel & SEL_TI) || !desc_read(c, sel, &d))
        cpu_raise(c, VEC_GP, err);
    unsigned type = (d >> 40) & 0x1f;
    bool want_busy = why == TASK_IRET;
    const struct tss_layout *nl = tss_layout(type);
    if (!nl || ((type & 2) != 0) != want_busy)
        cpu_raise(c, want_busy ? VEC_TS : VEC_GP, err);
    if (!(d & (1ull << 47)))
        cpu_raise(c, VEC_NP, err);
    struct seg ntr = desc_to_seg(sel, d);
    if (ntr.limit < nl->min_limit)
        cpu_raise(c, VEC_TS, err);
    const struct tss_layout *ol = tss_layout(c->tr.attr & SEG_ATTR_TYPE);
    if (!ol || c->tr.limit < ol->min_limit)
        cpu_raise(c, VEC_TS, c->tr.sel & ~SEL_RPL);

    /* read the new task's state before anything is written (a fault leaves the old task) */
    uint64_t nb = ntr.base;
    unsigned w = nl->width;
    uint32_t ncr3 = nl->cr3 ? (uint32_t)sys_read(c, nb + nl->cr3, 4) : (uint32_t)c->cr3;
    uint32_t neip = (uint32_t)sys_read(c, nb + nl->eip, w);
    uint32_t nfl = (uint32_t)sys_read(c, nb + nl->eflags, w);
    uint32_t ngpr[8];
    uint16_t nseg[NUM_SEGS] = {0}; /* a 16-bit TSS has no FS, GS: null */
    for (unsigned k = 0; k < 8; k++)
        ngpr[k] = (uint32_t)sys_read(c, nb + nl->gprs + w * k, w) | (w == 2 ? UPPER16 : 0);
    for (unsigned k = 0; k < nl->nsegs; k++)
        nseg[k] = (uint16_t)sys_read(c, nb + nl->segs + nl->seg_stride * k, 2);
    uint16_t nldt = (uint16_t)sys_read(c, nb + nl->ldt, 2);
    if (nfl & RFLAGS_VM)
        cpu_raise(c, VEC_GP, err); /* XXX: virtual-8086 tasks are not modelled, as in IRET */

    /* steps 5 to 9: busy bits, NT, the old state, the back link */
    uint64_t fl = cpu_get_rflags(c);
    if (why == TASK_JMP || why == TASK_IRET)
        set_busy(c, c->tr.sel, false);
    if (why == TASK_IRET)
        fl &= ~(uint64_t)RFLAGS_NT;
    uint64_t ob = c->tr.base;
    unsigned ow = ol->width;
    sys_write(c, ob + ol->eip, ow, ret);
    sys_write(c, ob + ol->eflags, ow, fl);
    for (unsigned k = 0; k < 8; k++)
        sys_write(c, ob + ol->gprs + ow * k, ow, c->gpr[k]);
    for (unsigned k = 0; k < ol->nsegs; k++)
        sys_write(c, ob + ol->segs + ol->seg_stride * k, 2, c->seg[k].sel);
    if (why == TASK_CALL || why == TASK_INT) {
        nfl |= RFLAGS_NT;
        sys_write(c, nb + TSS_LINK, 2, c->tr.sel);
    }
    if (why != TASK_IRET)
        set_busy(c, sel, true);

    /* steps 10 to 12: the new task */
    ntr.attr |= (uint16_t)(DESC_BUSY >> 40);
    c->tr = ntr;
    c->cr0 |= CR0_TS;
    if (c->cr0 & CR0_PG) {
        c->cr3 = ncr3;
        cpu_tlb_flush(c);
    }
    cpu_set_rflags(c, nfl);
    for (unsigned k = 0; k < 8; k++)
        c->gpr[k] = ngpr[k];
    c->rip = c->next_rip = neip;
    for (unsigned k = 0; k < NUM_SEGS; k++)
        c->seg[k] = (struct seg){.sel = nseg[k], .attr = 0};
    cpu_set_cpl(c, nseg[SEG_CS] & SEL_RPL);
    /* the LDT first: the segments may live in it */
    if (nldt & ~SEL_RPL) {
        uint64_t ld;
        if ((nldt & SEL_TI) || !desc_read(c, nldt, &ld) || ((ld >> 40) & 0x1f) != DESC_LDT)
            cpu_raise(c, VEC_TS, nldt & ~SEL_RPL);
        if (!(ld & (1ull << 47)))
            cpu_raise(c, VEC_TS, nldt & ~SEL_RPL);
        c->ldtr = desc_to_seg(nldt, ld);
    } else {
        c->ldtr = (struct seg){.sel = nldt, .attr = 0};
    }
    task_load_seg(c, SEG_CS, nseg[SEG_CS]);
    cpu_update_mode(c);
    static const unsigned order[] = {SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS};
    for (unsigned k = 0; k < 5; k++)
        task_load_seg(c, order[k], nseg[order[k]]);
    if (has_err) {
        /* an exception through a task gate pushes its error code on the new stack */
        unsigned size = (c->seg[SEG_CS].attr & SEG_ATTR_DB) ? 4 : 2;
        cpu_push(c, size, errcode);
    }
}
