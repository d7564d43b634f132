/*
 * emu/cpu/xsave.c: the FPU save areas. The FXSAVE image of the x87, MMX and
 * SSE state (SDM Vol 1 10.5.1, Vol 2A FXSAVE tables 3-43 and 3-44), which is
 * also the legacy region of the XSAVE area (Vol 1 13.4.1); FXSAVE/FXRSTOR,
 * LDMXCSR/STMXCSR, and the XSAVE feature set for x87 and SSE state (Vol 1
 * chapter 13): XSAVE, XSAVEOPT, XRSTOR in the standard format, XGETBV and
 * XSETBV with XCR0.
 *
 * The image holds ST(0)..ST(7) in stack order, while struct x87_state keeps
 * the physical registers R0..R7: ST(i) is R[(TOP + i) mod 8]. The abridged
 * tag byte is per physical register, as the state keeps it.
 *
 * XINUSE (13.6), which XSAVE reports in XSTATE_BV, is computed from the
 * state: a component is "in use" unless it is in its initial configuration
 * (the SDM allows either answer then; AMD Zen answers this way). XSAVEOPT
 * uses the init optimization and skips such a component; it does not use
 * the modified optimization (allowed, never required).
 */
#include <string.h>

#include "emu/cpu/simd.h"

#define XCR0_SUPPORTED (XCR0_X87 | XCR0_SSE)
#define XSAVE_SIZE     (XSAVE_HEADER_OFFSET + XSAVE_HEADER_SIZE) /* 576 for x87 and SSE */
#define XSAVE_ALIGN    64
#define FXSAVE_ALIGN   16

/* the parts of the legacy region (13.4.1): x87 0..23 and 32..159; MXCSR 24..31; XMM 160.. */
#define LEGACY_MXCSR 24
#define LEGACY_ST    32
#define LEGACY_XMM   160

/* XMM8-15 exist in 64-bit mode only */
static unsigned xmm_count(const struct cpu *c)
{
    return c->mode == MODE_LONG64 ? 16 : 8;
}

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
    if (c->feat.fpu_ptrs_es_only && !(x->fsw & FSW_ES)) {
        a->fop = 0;
        a->f64.fip = a->f64.fdp = 0; /* the pointers, selectors included */
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
    x->fcw = (a->fcw & FCW_LOAD_MASK) | FCW_RESET; /* bit 6 is reserved and reads as 1 */
    x->fsw = a->fsw;
    x->ftw = a->ftw;
    x->fop = a->fop & 0x7ff;
    if (fmt64) {
        /* the pointers are kept as 57-bit linear addresses, sign-extended, as AMD Zen keeps
         * them (docs/cpu-divergences.md); the x87 only ever records canonical ones */
        x->fip = (uint64_t)((int64_t)(a->f64.fip << 7) >> 7);
        x->fdp = (uint64_t)((int64_t)(a->f64.fdp << 7) >> 7);
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
    x87_update_es(c); /* ES and B follow the flags and masks loaded, as silicon has them */
}

/* the x87 state XRSTOR gives a component whose XSTATE_BV bit is clear (13.6) */
static void init_x87(struct cpu *c)
{
    memset(&c->x87, 0, sizeof c->x87);
    c->x87.fcw = FCW_DEFAULT;
}

void cpu_fxsave_store(const struct cpu *c, struct fxsave_area *a, bool fmt64)
{
    store_x87(c, a, fmt64);
    a->mxcsr = c->mxcsr;
    a->mxcsr_mask = c->feat.mxcsr_mask;
    memcpy(a->xmm, c->xmm, sizeof a->xmm);
}

void cpu_fxsave_load(struct cpu *c, const struct fxsave_area *a, bool fmt64)
{
    load_x87(c, a, fmt64);
    c->mxcsr = a->mxcsr;
    memcpy(c->xmm, a->xmm, sizeof c->xmm);
}

/* ---- the save area in memory -------------------------------------------------
 *
 * The instructions reach their area in 8-byte pieces, each through its own
 * segment check, offsets wrapping at the address size: an FXSAVE at
 * 0xFFFFFFF0 in a flat 4 GiB segment goes on at offset 0 (a page fault
 * there, not #GP, as on silicon). Every piece is checked and the pages
 * probed in silicon's order (FXSAVE and FXRSTOR the last byte first,
 * XSAVE the first byte then the last, XRSTOR the first, the header, the
 * last) before any byte moves.
 */
struct save_area {
    uint64_t lin[XSAVE_SIZE / 8]; /* linear address of each 8-byte piece */
};

static void area_map(struct cpu *c, const struct insn *i, unsigned size, unsigned align,
                     enum access acc, struct save_area *m)
{
    uint64_t off = cpu_ea(c, i), amask = size_mask(i->asz);
    /* FXSAVE/FXRSTOR's 16-byte area only: the XSAVE family's alignment comes first on Zen 5 too */
    if (c->feat.save_area_seg_first && align == FXSAVE_ALIGN) { /* segment, then alignment */
        uint64_t lin = cpu_linear(c, i->seg, off, 8, acc);
        if (lin & (align - 1))
            cpu_gp0(c);
    } else {
        (void)cpu_block_check(c, i->seg, off, 8, align, acc); /* the alignment, then piece 0 */
    }
    for (unsigned k = 0; k < size / 8; k++)
        m->lin[k] = cpu_linear(c, i->seg, (off + 8 * k) & amask, 8, acc);
}

/* reach the byte at offset at (a multiple of 8, or the last byte of a piece with +7) */
static void area_probe(struct cpu *c, const struct save_area *m, unsigned at, enum access acc)
{
    (void)cpu_tlb_fill(c, m->lin[at / 8] + at % 8, acc);
}

static void area_read(struct cpu *c, const struct save_area *m, unsigned at, void *buf,
                      unsigned size)
{
    for (unsigned k = 0; k < size; k += 8) {
        uint64_t v = cpu_read_lin(c, m->lin[(at + k) / 8], 8);
        memcpy((uint8_t *)buf + k, &v, 8);
    }
}

static void area_write(struct cpu *c, const struct save_area *m, unsigned at, const void *buf,
                       unsigned size)
{
    for (unsigned k = 0; k < size; k += 8) {
        uint64_t v;
        memcpy(&v, (const uint8_t *)buf + k, 8);
        cpu_write_lin(c, m->lin[(at + k) / 8], 8, v);
    }
}

/* ---- the instructions ------------------------------------------------------ */

/*
 * 0F AE /0: FXSAVE m512, REX.W the 64-bit format. #NM with CR0.EM or TS;
 * #GP(0) unless 16-byte aligned. Bytes 416..511 (288..511 outside 64-bit
 * mode) are not written. XMM and MXCSR are saved with CR4.OSFXSR clear too
 * (the SDM leaves that to the implementation).
 */
HANDLER(op_fxsave)
{
    if (c->cr0 & (CR0_EM | CR0_TS))
        cpu_raise_noerr(c, VEC_NM);
    struct fxsave_area a;
    memset(&a, 0, sizeof a);
    cpu_fxsave_store(c, &a, i->osz == 8);
    struct save_area m;
    area_map(c, i, FXSAVE_AREA_SIZE, FXSAVE_ALIGN, ACC_WRITE, &m);
    area_probe(c, &m, FXSAVE_AREA_SIZE - 1, ACC_WRITE);
    area_probe(c, &m, 0, ACC_WRITE);
    area_write(c, &m, 0, &a, LEGACY_XMM + 16 * xmm_count(c));
}

/* 0F AE /1: FXRSTOR m512; #GP(0) for reserved MXCSR bits, before anything is loaded */
HANDLER(op_fxrstor)
{
    if (c->cr0 & (CR0_EM | CR0_TS))
        cpu_raise_noerr(c, VEC_NM);
    struct fxsave_area a;
    unsigned n = xmm_count(c);
    struct save_area m;
    area_map(c, i, FXSAVE_AREA_SIZE, FXSAVE_ALIGN, ACC_READ, &m);
    area_probe(c, &m, FXSAVE_AREA_SIZE - 1, ACC_READ);
    area_probe(c, &m, 0, ACC_READ);
    area_read(c, &m, 0, &a, LEGACY_XMM + 16 * n);
    if (a.mxcsr & ~c->feat.mxcsr_mask)
        cpu_gp0(c);
    load_x87(c, &a, i->osz == 8);
    c->mxcsr = a.mxcsr;
    memcpy(c->xmm, a.xmm, 16 * n);
}

/* 0F AE /2: LDMXCSR m32, #GP(0) for a reserved bit; /3: STMXCSR m32 (SDM Vol 2A) */
static void mxcsr_check(struct cpu *c)
{
    if ((c->cr0 & CR0_EM) || !(c->cr4 & CR4_OSFXSR))
        cpu_ud(c);
    if (c->cr0 & CR0_TS)
        cpu_raise_noerr(c, VEC_NM);
}

HANDLER(op_ldmxcsr)
{
    mxcsr_check(c);
    uint32_t v = (uint32_t)mem_read(c, i->seg, cpu_ea(c, i), 4);
    if (v & ~c->feat.mxcsr_mask)
        cpu_gp0(c);
    c->mxcsr = v;
}

HANDLER(op_stmxcsr)
{
    mxcsr_check(c);
    mem_write(c, i->seg, cpu_ea(c, i), 4, c->mxcsr);
}

/* the XSAVE family: #UD without CR4.OSXSAVE, #NM with CR0.TS (13.7, 13.8) */
static void xsave_check(struct cpu *c)
{
    if (!(c->cr4 & CR4_OSXSAVE))
        cpu_ud(c);
    if (c->cr0 & CR0_TS)
        cpu_raise_noerr(c, VEC_NM);
}

/* XINUSE: x87 and SSE unless in their initial configuration (13.6) */
static uint64_t xinuse(const struct cpu *c)
{
    const struct x87_state *x = &c->x87;
    uint64_t in_use = 0;
    bool regs = false;
    for (unsigned k = 0; k < 8; k++)
        regs |= x->r[k].mant || x->r[k].se;
    /* where FXSAVE stores the pointers only with FSW.ES, they are not state
     * of their own: with FSW.ES set, FSW says "in use" already (AMD) */
    bool ptrs = !c->feat.fpu_ptrs_es_only && (x->fop || x->fip || x->fdp || x->fcs || x->fds);
    if (x->fcw != FCW_DEFAULT || x->fsw || x->ftw || ptrs || regs)
        in_use |= XCR0_X87;
    for (unsigned k = 0; k < 16; k++)
        if (c->xmm[k].q[0] | c->xmm[k].q[1])
            in_use |= XCR0_SSE;
    return in_use;
}

/* the requested-feature bitmap: XCR0 and EDX:EAX */
static uint64_t xsave_rfbm(const struct cpu *c)
{
    return c->xcr0 & ((c->gpr[REG_RDX] << 32) | (uint32_t)c->gpr[REG_RAX]);
}

/*
 * 0F AE /4: XSAVE mem, and /6: XSAVEOPT mem (REX.W: XSAVE64, the 64-bit
 * FIP/FDP format), which skips a component not in use. The area is 64-byte aligned; MXCSR goes with
 * SSE (RFBM[1], or RFBM[2], which XCR0 never has here); XSTATE_BV is read and written back with
 * XINUSE in the RFBM bits, the rest of the header left.
 */
static void xsave(struct cpu *c, const struct insn *i, bool opt)
{
    xsave_check(c);
    uint64_t rfbm = xsave_rfbm(c), used = xinuse(c);
    uint64_t saved = opt ? rfbm & used : rfbm;
    struct save_area m;
    area_map(c, i, XSAVE_SIZE, XSAVE_ALIGN, ACC_WRITE, &m);
    area_probe(c, &m, 0, ACC_WRITE);
    area_probe(c, &m, XSAVE_SIZE - 1, ACC_WRITE);
    uint64_t bv;
    area_read(c, &m, XSAVE_HEADER_OFFSET, &bv, 8);
    struct fxsave_area a;
    memset(&a, 0, sizeof a);
    if (saved & XCR0_X87) {
        store_x87(c, &a, i->osz == 8);
        area_write(c, &m, 0, &a, LEGACY_MXCSR);
        area_write(c, &m, LEGACY_ST, a.st, sizeof a.st);
    }
    if (rfbm & XCR0_SSE) { /* MXCSR is saved whatever XINUSE says */
        a.mxcsr = c->mxcsr;
        a.mxcsr_mask = c->feat.mxcsr_mask;
        area_write(c, &m, LEGACY_MXCSR, &a.mxcsr, 8);
    }
    if (saved & XCR0_SSE)
        area_write(c, &m, LEGACY_XMM, c->xmm, 16 * xmm_count(c));
    bv = (bv & ~rfbm) | (rfbm & used);
    area_write(c, &m, XSAVE_HEADER_OFFSET, &bv, 8);
}

HANDLER(op_xsave)
{
    xsave(c, i, false);
}

HANDLER(op_xsaveopt)
{
    xsave(c, i, true);
}

/*
 * 0F AE /5: XRSTOR mem, the standard form (13.8.1). #GP(0) for an XSTATE_BV
 * bit outside XCR0, for any of header bytes 8..23 set (a compacted area,
 * which there is no XSAVEC to make), or for a reserved MXCSR bit when MXCSR
 * is loaded, all before anything changes. A component in RFBM is loaded
 * when its XSTATE_BV bit is set and initialised otherwise; MXCSR is loaded
 * with SSE whatever XSTATE_BV says.
 */
HANDLER(op_xrstor)
{
    xsave_check(c);
    uint64_t rfbm = xsave_rfbm(c);
    uint8_t area[XSAVE_SIZE];
    struct save_area m;
    area_map(c, i, XSAVE_SIZE, XSAVE_ALIGN, ACC_READ, &m);
    area_probe(c, &m, 0, ACC_READ);
    area_probe(c, &m, XSAVE_HEADER_OFFSET, ACC_READ);
    area_probe(c, &m, XSAVE_SIZE - 1, ACC_READ);
    area_read(c, &m, 0, area, XSAVE_SIZE);
    uint64_t hdr[3];
    memcpy(hdr, area + XSAVE_HEADER_OFFSET, sizeof hdr);
    if ((hdr[0] & ~c->xcr0) || hdr[1] || hdr[2])
        cpu_gp0(c);
    const struct fxsave_area *a = (const struct fxsave_area *)area;
    if ((rfbm & XCR0_SSE) && (a->mxcsr & ~c->feat.mxcsr_mask))
        cpu_gp0(c);
    if (rfbm & XCR0_X87) {
        if (hdr[0] & XCR0_X87)
            load_x87(c, a, i->osz == 8);
        else
            init_x87(c);
    }
    if (rfbm & XCR0_SSE) {
        c->mxcsr = a->mxcsr;
        if (hdr[0] & XCR0_SSE)
            memcpy(c->xmm, a->xmm, 16 * xmm_count(c));
        else
            memset(c->xmm, 0, 16 * xmm_count(c));
    }
}

/*
 * 0F 01 D0: XGETBV; ECX 0 is XCR0, and ECX 1 (XINUSE) is not offered: #GP(0)
 * (Vol 2C). With a 66, F2 or F3 prefix both are #UD, as on silicon.
 */
void cpu_xgetbv(struct cpu *c, const struct insn *i)
{
    if (!(c->cr4 & CR4_OSXSAVE) || (i->pfx & (PFX_OSZ | PFX_REP | PFX_REPNE)))
        cpu_ud(c);
    if ((uint32_t)c->gpr[REG_RCX] != 0)
        cpu_gp0(c);
    c->gpr[REG_RAX] = (uint32_t)c->xcr0;
    c->gpr[REG_RDX] = c->xcr0 >> 32;
}

/* 0F 01 D1: XSETBV, at CPL 0: XCR0 must have x87 and nothing unsupported (Vol 2C) */
void cpu_xsetbv(struct cpu *c, const struct insn *i)
{
    if (!(c->cr4 & CR4_OSXSAVE) || (i->pfx & (PFX_OSZ | PFX_REP | PFX_REPNE)))
        cpu_ud(c);
    uint64_t v = (c->gpr[REG_RDX] << 32) | (uint32_t)c->gpr[REG_RAX];
    if (c->cpl || (uint32_t)c->gpr[REG_RCX] != 0 || !(v & XCR0_X87) || (v & ~XCR0_SUPPORTED))
        cpu_gp0(c);
    c->xcr0 = v;
}

/* CPUID leaf 0xD (Vol 2A CPUID, 13.2): x87 and SSE in the legacy region, XSAVEOPT */
void cpu_cpuid_xsave(uint32_t sub, uint32_t r[4])
{
    r[0] = r[1] = r[2] = r[3] = 0;
    if (sub == 0) {
        r[0] = XCR0_SUPPORTED;
        r[1] = XSAVE_SIZE; /* for what XCR0 enables: x87 and SSE both live below 576 */
        r[2] = XSAVE_SIZE; /* for everything supported */
    } else if (sub == 1) {
        r[0] = CPUID_D1_EAX_XSAVEOPT;
    }
}
