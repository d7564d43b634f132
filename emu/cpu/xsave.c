/*
 * emu/cpu/xsave.c: the FPU save areas. The FXSAVE image of the x87, MMX and
 * SSE state (SDM Vol 1 10.5.1, Vol 2A FXSAVE tables 3-43 and 3-44), which is
 * also the legacy region of the XSAVE area (Vol 1 13.4.1).
 *
 * The image holds ST(0)..ST(7) in stack order, while struct x87_state keeps
 * the physical registers R0..R7: ST(i) is R[(TOP + i) mod 8]. The abridged
 * tag byte is per physical register, as the state keeps it.
 */
#include <string.h>

#include "emu/cpu/internal.h"

static unsigned x87_top(const struct cpu *c)
{
    return (c->x87.fsw & FSW_TOP) >> FSW_TOP_SHIFT;
}

/* the x87 part of the legacy region: bytes 0..23 and 32..159 */
static void store_x87(const struct cpu *c, struct fxsave_area *a, bool fmt64)
{
    const struct x87_state *x = &c->x87;
    a->fcw = x->fcw;
    a->fsw = x->fsw;
    a->ftw = x->ftw;
    a->rsvd1 = 0;
    a->fop = x->fop & 0x7ff;
    if (fmt64) {
        a->f64.fip = x->fip;
        a->f64.fdp = x->fdp;
    } else {
        a->f32.fip = (uint32_t)x->fip;
        a->f32.fcs = x->fcs;
        a->f32.rsvd2 = 0;
        a->f32.fdp = (uint32_t)x->fdp;
        a->f32.fds = x->fds;
        a->f32.rsvd3 = 0;
    }
    unsigned top = x87_top(c);
    for (unsigned k = 0; k < 8; k++) {
        const struct fpu_reg *r = &x->r[(top + k) & 7];
        memset(a->st[k], 0, sizeof a->st[k]);
        memcpy(a->st[k], &r->mant, 8);
        memcpy(a->st[k] + 8, &r->se, 2);
    }
}

static void load_x87(struct cpu *c, const struct fxsave_area *a, bool fmt64)
{
    struct x87_state *x = &c->x87;
    x->fcw = a->fcw;
    x->fsw = a->fsw;
    x->ftw = a->ftw;
    x->fop = a->fop & 0x7ff;
    if (fmt64) {
        x->fip = a->f64.fip;
        x->fdp = a->f64.fdp;
        x->fcs = x->fds = 0;
    } else {
        x->fip = a->f32.fip;
        x->fcs = a->f32.fcs;
        x->fdp = a->f32.fdp;
        x->fds = a->f32.fds;
    }
    unsigned top = x87_top(c);
    for (unsigned k = 0; k < 8; k++) {
        struct fpu_reg *r = &x->r[(top + k) & 7];
        memcpy(&r->mant, a->st[k], 8);
        memcpy(&r->se, a->st[k] + 8, 2);
    }
}

void cpu_fxsave_store(const struct cpu *c, struct fxsave_area *a, bool fmt64)
{
    store_x87(c, a, fmt64);
    a->mxcsr = c->mxcsr;
    a->mxcsr_mask = MXCSR_MASK_VALUE;
    memcpy(a->xmm, c->xmm, sizeof a->xmm);
}

void cpu_fxsave_load(struct cpu *c, const struct fxsave_area *a, bool fmt64)
{
    load_x87(c, a, fmt64);
    c->mxcsr = a->mxcsr;
    memcpy(c->xmm, a->xmm, sizeof c->xmm);
}
