/*
 * emu/cpu/simd_move.c: the MMX and SSE data moves (SDM Vol 2, each
 * instruction): MOVD/MOVQ between general, MMX and XMM registers and
 * memory, MOVQ2DQ/MOVDQ2Q, the aligned and unaligned 128-bit moves, the
 * scalar MOVSS/MOVSD, the half moves MOVLPS..MOVLHPS, SSE3's duplicating
 * loads, the non-temporal stores (which are plain stores here: there is no
 * cache to bypass), MASKMOVQ/MASKMOVDQU, and EMMS.
 */
#include "emu/cpu/simd.h"

/* 0F 6E: MOVD mm, r/m32 (REX.W: MOVQ mm, r/m64), zero-extended */
HANDLER(op_movd_mm_rm)
{
    mmx_check(c);
    uint64_t v = rm_read(c, i, i->osz);
    mmx_enter(c);
    mm_set(c, i->reg, v);
}

/* 66 0F 6E: MOVD xmm, r/m32 (REX.W: MOVQ), zero-extended to 128 bits */
HANDLER(op_movd_xmm_rm)
{
    sse_check(c);
    uint64_t v = rm_read(c, i, i->osz);
    c->xmm[i->reg] = (union xmm){.q = {v, 0}};
}

/* 0F 7E: MOVD r/m32, mm (REX.W: MOVQ r/m64, mm) */
HANDLER(op_movd_rm_mm)
{
    mmx_check(c);
    rm_write(c, i, i->osz, mm_get(c, i->reg));
    mmx_enter(c);
}

/* 66 0F 7E: MOVD r/m32, xmm (REX.W: MOVQ r/m64, xmm) */
HANDLER(op_movd_rm_xmm)
{
    sse_check(c);
    rm_write(c, i, i->osz, c->xmm[i->reg].q[0]);
}

/* 0F 6F: MOVQ mm, mm/m64 */
HANDLER(op_movq_mm_mmm)
{
    mmx_check(c);
    uint64_t v = mm_rm(c, i);
    mmx_enter(c);
    mm_set(c, i->reg, v);
}

/* 0F 7F: MOVQ mm/m64, mm */
HANDLER(op_movq_mmm_mm)
{
    mmx_check(c);
    uint64_t v = mm_get(c, i->reg);
    if (i->mod != 3)
        mem_write(c, i->seg, cpu_ea(c, i), 8, v);
    mmx_enter(c);
    if (i->mod == 3)
        mm_set(c, i->rm, v);
}

/* F3 0F 7E: MOVQ xmm, xmm/m64, the upper half cleared */
HANDLER(op_movq_xmm_xmmm)
{
    sse_check(c);
    uint64_t v = xmm_rm64(c, i);
    c->xmm[i->reg] = (union xmm){.q = {v, 0}};
}

/* 66 0F D6: MOVQ xmm/m64, xmm; into a register the upper half is cleared */
HANDLER(op_movq_xmmm_xmm)
{
    sse_check(c);
    uint64_t v = c->xmm[i->reg].q[0];
    if (i->mod == 3)
        c->xmm[i->rm] = (union xmm){.q = {v, 0}};
    else
        mem_write(c, i->seg, cpu_ea(c, i), 8, v);
}

/* F3 0F D6: MOVQ2DQ xmm, mm */
HANDLER(op_movq2dq)
{
    sse_mmx_check(c);
    uint64_t v = mm_get(c, i->rm);
    mmx_enter(c);
    c->xmm[i->reg] = (union xmm){.q = {v, 0}};
}

/* F2 0F D6: MOVDQ2Q mm, xmm */
HANDLER(op_movdq2q)
{
    sse_mmx_check(c);
    uint64_t v = c->xmm[i->rm].q[0];
    mmx_enter(c);
    mm_set(c, i->reg, v);
}

/* 0F 28, 66 0F 28, 66 0F 6F: MOVAPS, MOVAPD, MOVDQA loads, 16-byte aligned */
HANDLER(op_movaps_load)
{
    sse_check(c);
    union xmm v;
    xmm_rm(c, i, &v, XMM_ALIGNED);
    c->xmm[i->reg] = v;
}

/* 0F 29, 66 0F 29, 66 0F 7F */
HANDLER(op_movaps_store)
{
    sse_check(c);
    union xmm v = c->xmm[i->reg];
    xmm_rm_write(c, i, &v, XMM_ALIGNED);
}

/* 0F 10, 66 0F 10, F3 0F 6F, F2 0F F0: MOVUPS, MOVUPD, MOVDQU, LDDQU: any alignment */
HANDLER(op_movups_load)
{
    sse_check(c);
    union xmm v;
    xmm_rm(c, i, &v, XMM_ANY);
    c->xmm[i->reg] = v;
}

/* 0F 11, 66 0F 11, F3 0F 7F */
HANDLER(op_movups_store)
{
    sse_check(c);
    union xmm v = c->xmm[i->reg];
    xmm_rm_write(c, i, &v, XMM_ANY);
}

/* F3 0F 10: MOVSS xmm, xmm/m32: a register merges the low lane, memory clears the rest */
HANDLER(op_movss_load)
{
    sse_check(c);
    if (i->mod == 3) {
        c->xmm[i->reg].d[0] = c->xmm[i->rm].d[0];
        return;
    }
    uint32_t v = (uint32_t)mem_read(c, i->seg, cpu_ea(c, i), 4);
    c->xmm[i->reg] = (union xmm){.d = {v, 0, 0, 0}};
}

/* F3 0F 11: MOVSS xmm/m32, xmm */
HANDLER(op_movss_store)
{
    sse_check(c);
    uint32_t v = c->xmm[i->reg].d[0];
    if (i->mod == 3)
        c->xmm[i->rm].d[0] = v;
    else
        mem_write(c, i->seg, cpu_ea(c, i), 4, v);
}

/* F2 0F 10: MOVSD xmm, xmm/m64 */
HANDLER(op_movsd_load)
{
    sse_check(c);
    if (i->mod == 3) {
        c->xmm[i->reg].q[0] = c->xmm[i->rm].q[0];
        return;
    }
    uint64_t v = mem_read(c, i->seg, cpu_ea(c, i), 8);
    c->xmm[i->reg] = (union xmm){.q = {v, 0}};
}

/* F2 0F 11: MOVSD xmm/m64, xmm */
HANDLER(op_movsd_store)
{
    sse_check(c);
    uint64_t v = c->xmm[i->reg].q[0];
    if (i->mod == 3)
        c->xmm[i->rm].q[0] = v;
    else
        mem_write(c, i->seg, cpu_ea(c, i), 8, v);
}

/* 0F 12 and 66 0F 12 with memory: MOVLPS, MOVLPD xmm, m64 */
HANDLER(op_movlps_load)
{
    sse_check(c);
    c->xmm[i->reg].q[0] = mem_read(c, i->seg, cpu_ea(c, i), 8);
}

/* 0F 16 and 66 0F 16 with memory: MOVHPS, MOVHPD xmm, m64 */
HANDLER(op_movhps_load)
{
    sse_check(c);
    c->xmm[i->reg].q[1] = mem_read(c, i->seg, cpu_ea(c, i), 8);
}

/* 0F 13, 66 0F 13: MOVLPS, MOVLPD m64, xmm */
HANDLER(op_movlps_store)
{
    sse_check(c);
    mem_write(c, i->seg, cpu_ea(c, i), 8, c->xmm[i->reg].q[0]);
}

/* 0F 17, 66 0F 17: MOVHPS, MOVHPD m64, xmm */
HANDLER(op_movhps_store)
{
    sse_check(c);
    mem_write(c, i->seg, cpu_ea(c, i), 8, c->xmm[i->reg].q[1]);
}

/* 0F 12 with a register: MOVHLPS xmm1, xmm2 */
HANDLER(op_movhlps)
{
    sse_check(c);
    c->xmm[i->reg].q[0] = c->xmm[i->rm].q[1];
}

/* 0F 16 with a register: MOVLHPS xmm1, xmm2 */
HANDLER(op_movlhps)
{
    sse_check(c);
    c->xmm[i->reg].q[1] = c->xmm[i->rm].q[0];
}

/* F3 0F 12: MOVSLDUP, the even singles twice; F3 0F 16: MOVSHDUP, the odd ones */
HANDLER(op_movsldup)
{
    sse_check(c);
    union xmm v;
    xmm_rm(c, i, &v, XMM_SSE);
    c->xmm[i->reg] = (union xmm){.d = {v.d[0], v.d[0], v.d[2], v.d[2]}};
}

HANDLER(op_movshdup)
{
    sse_check(c);
    union xmm v;
    xmm_rm(c, i, &v, XMM_SSE);
    c->xmm[i->reg] = (union xmm){.d = {v.d[1], v.d[1], v.d[3], v.d[3]}};
}

/* F2 0F 12: MOVDDUP xmm, xmm/m64, the low double twice */
HANDLER(op_movddup)
{
    sse_check(c);
    uint64_t v = xmm_rm64(c, i);
    c->xmm[i->reg] = (union xmm){.q = {v, v}};
}

/* 0F E7: MOVNTQ m64, mm */
HANDLER(op_movntq)
{
    mmx_check(c);
    mem_write(c, i->seg, cpu_ea(c, i), 8, mm_get(c, i->reg));
    mmx_enter(c);
}

/* 0F 2B, 66 0F 2B, 66 0F E7: MOVNTPS, MOVNTPD, MOVNTDQ m128, xmm, aligned */
HANDLER(op_movntps)
{
    sse_check(c);
    union xmm v = c->xmm[i->reg];
    xmm_rm_write(c, i, &v, XMM_ALIGNED);
}

/* 0F C3: MOVNTI m32/m64, r: a general-register store, outside the SSE checks (table 13-1) */
HANDLER(op_movnti)
{
    mem_write(c, i->seg, cpu_ea(c, i), i->osz, reg_read(c, i, i->reg, i->osz));
}

/*
 * MASKMOVQ, MASKMOVDQU: the bytes of the first register whose mask byte (in
 * the second) has its top bit set go to DS:rDI (SDM Vol 2B MASKMOVDQU).
 * Whether an empty mask still faults is implementation-specific; AMD Zen
 * faults as for a store of the whole span, and so do we: the span is
 * reached for writing, first byte first, before a byte is written.
 */
static void mask_store(struct cpu *c, const struct insn *i, const union xmm *v,
                       const union xmm *mask, unsigned n)
{
    uint64_t off = c->gpr[REG_RDI] & size_mask(i->asz);
    uint64_t lin = cpu_block_linear(c, i->seg, off, n, 0, ACC_WRITE);
    (void)cpu_tlb_fill(c, lin, ACC_WRITE);
    for (unsigned k = 0; k < n; k++)
        if (mask->b[k] & 0x80)
            cpu_write_lin(c, cpu_block_at(c, lin, k), 1, v->b[k]);
}

/*
 * 0F F7: MASKMOVQ mm1, mm2. Unlike the other MMX instructions it has made
 * the transition to MMX (TOP 0, tags valid) when its store faults, on AMD
 * Zen (docs/cpu-divergences.md).
 */
HANDLER(op_maskmovq)
{
    mmx_check(c);
    union xmm v = {.q = {mm_get(c, i->reg), 0}}, m = {.q = {mm_get(c, i->rm), 0}};
    mmx_enter(c);
    mask_store(c, i, &v, &m, 8);
}

/* 66 0F F7: MASKMOVDQU xmm1, xmm2 */
HANDLER(op_maskmovdqu)
{
    sse_check(c);
    mask_store(c, i, &c->xmm[i->reg], &c->xmm[i->rm], 16);
}

/* 0F 77: EMMS empties every tag and sets TOP to 0 (SDM Vol 1 9.5.1, table 9-3) */
HANDLER(op_emms)
{
    (void)i;
    mmx_check(c);
    c->x87.fsw &= (uint16_t)~FSW_TOP;
    c->x87.ftw = 0;
}
