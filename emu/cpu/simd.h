/*
 * emu/cpu/simd.h: what the MMX and SSE files share (docs/cpu.md, "MMX and
 * SSE"): the availability checks, the MMX registers inside the x87 state,
 * operand access, and the handlers the opcode tables name. Not for use
 * outside emu/cpu/.
 */
#ifndef BAREMU_CPU_SIMD_H
#define BAREMU_CPU_SIMD_H

#include "emu/cpu/internal.h"
#include "emu/cpu/softfloat.h"

/* ---- may the instruction run? --------------------------------------------
 *
 * SDM Vol 3A 13.1 (table 13-1), 2.5 (CR0.EM, TS), and the exception tables
 * of Vol 3B 22.25: an SSE..SSSE3 form on XMM registers is #UD with CR0.EM or
 * without CR4.OSFXSR, then #NM with CR0.TS. A form on MMX registers (MMX,
 * and the SSE/SSSE3 additions to it) is #UD with CR0.EM (OSFXSR does not
 * matter), #NM with CR0.TS, then #MF when an x87 exception is pending. All
 * of it comes before any memory operand is touched.
 */
static inline void sse_check(struct cpu *c)
{
    if ((c->cr0 & CR0_EM) || !(c->cr4 & CR4_OSFXSR))
        cpu_ud(c);
    if (c->cr0 & CR0_TS)
        cpu_raise_noerr(c, VEC_NM);
}

static inline void mmx_check(struct cpu *c)
{
    if (c->cr0 & CR0_EM)
        cpu_ud(c);
    if (c->cr0 & CR0_TS)
        cpu_raise_noerr(c, VEC_NM);
    if (c->x87.fsw & FSW_ES)
        x87_pending(c); /* #MF, or FERR# with CR0.NE clear */
}

/* an SSE2 instruction that also touches an MMX register (MOVQ2DQ, CVTPI2PS xmm, mm, ...) */
static inline void sse_mmx_check(struct cpu *c)
{
    sse_check(c);
    if (c->x87.fsw & FSW_ES)
        x87_pending(c);
}

/* ---- MMX registers ---------------------------------------------------------
 *
 * MMn is the significand of the physical x87 register Rn (SDM Vol 1 9.5).
 * Every MMX instruction but EMMS sets TOP to 0 and every tag to valid
 * (table 9-3), after its operands are read so that a fault changes nothing;
 * a write to MMn also sets bits 79..64 of Rn to all ones (9.5.1).
 */
static inline void mmx_enter(struct cpu *c)
{
    c->x87.fsw &= (uint16_t)~FSW_TOP;
    c->x87.ftw = 0xff;
}

static inline uint64_t mm_get(const struct cpu *c, unsigned n)
{
    return c->x87.r[n & 7].mant;
}

static inline void mm_set(struct cpu *c, unsigned n, uint64_t v)
{
    c->x87.r[n & 7].mant = v;
    c->x87.r[n & 7].se = 0xffff;
}

/* the r/m operand of an MMX form: MMn, or 64 bits of memory */
static inline uint64_t mm_rm(struct cpu *c, const struct insn *i)
{
    if (i->mod == 3)
        return mm_get(c, i->rm);
    return mem_read(c, i->seg, cpu_ea(c, i), 8);
}

/* ---- XMM operands ----------------------------------------------------------
 *
 * 128-bit memory operands of legacy SSE are 16-byte aligned or #GP(0) (SDM
 * Vol 1 11.6.9), but for MOVUPS/MOVUPD/MOVDQU/LDDQU (XMM_ANY). On AMD parts
 * with misaligned SSE, MXCSR.MM lifts that, except for the aligned moves
 * and the non-temporal stores (XMM_ALIGNED); MM can be set only where
 * feat.mxcsr_mask has it.
 */
enum xmm_align { XMM_ANY, XMM_SSE, XMM_ALIGNED };

static inline unsigned xmm_align(const struct cpu *c, enum xmm_align a)
{
    if (a == XMM_ANY || (a == XMM_SSE && (c->mxcsr & MXCSR_MM)))
        return 0;
    return 16;
}

/* the r/m operand of an XMM form: XMMn, or 128 bits of memory */
static inline void xmm_rm(struct cpu *c, const struct insn *i, union xmm *v, enum xmm_align a)
{
    if (i->mod == 3)
        *v = c->xmm[i->rm];
    else
        cpu_read_block(c, i->seg, cpu_ea(c, i), v, 16, xmm_align(c, a));
}

static inline void xmm_rm_write(struct cpu *c, const struct insn *i, const union xmm *v,
                                enum xmm_align a)
{
    if (i->mod == 3)
        c->xmm[i->rm] = *v;
    else
        cpu_write_block(c, i->seg, cpu_ea(c, i), v, 16, xmm_align(c, a));
}

/* the low 64 or 32 bits of the r/m operand: a register's low lane, or memory, unaligned */
static inline uint64_t xmm_rm64(struct cpu *c, const struct insn *i)
{
    if (i->mod == 3)
        return c->xmm[i->rm].q[0];
    return mem_read(c, i->seg, cpu_ea(c, i), 8);
}

static inline uint32_t xmm_rm32(struct cpu *c, const struct insn *i)
{
    if (i->mod == 3)
        return c->xmm[i->rm].d[0];
    return (uint32_t)mem_read(c, i->seg, cpu_ea(c, i), 4);
}

/*
 * The operands of a two-operand form: a is the destination's old value, b
 * the source; the op computes r, and only then is anything written. An XMM
 * source in memory is 16 bytes, 16-byte aligned (SDM Vol 1 11.6.9 and each
 * instruction's page: every legacy-SSE m128 operand but MOVUPS/MOVUPD,
 * MOVDQU and LDDQU).
 */
static inline void mmx_operands(struct cpu *c, const struct insn *i, union xmm *a, union xmm *b)
{
    mmx_check(c);
    b->q[0] = mm_rm(c, i);
    b->q[1] = 0;
    a->q[0] = mm_get(c, i->reg);
    a->q[1] = 0;
}

static inline void mmx_result(struct cpu *c, unsigned reg, const union xmm *r)
{
    mmx_enter(c);
    mm_set(c, reg, r->q[0]);
}

static inline void sse_operands(struct cpu *c, const struct insn *i, union xmm *a, union xmm *b)
{
    sse_check(c);
    xmm_rm(c, i, b, XMM_SSE);
    *a = c->xmm[i->reg];
}

/* an op on n bytes (8: MMX, 16: XMM) of packed lanes: r from a and b */
typedef void simd_op(union xmm *r, const union xmm *a, const union xmm *b, unsigned n);

/* both handlers of a two-operand op, from its simd_op */
#define SIMD_MX_HANDLERS(name)                                                                     \
    HANDLER(op_##name##_mm)                                                                        \
    {                                                                                              \
        union xmm a, b, r;                                                                         \
        mmx_operands(c, i, &a, &b);                                                                \
        name(&r, &a, &b, 8);                                                                       \
        mmx_result(c, i->reg, &r);                                                                 \
    }                                                                                              \
    HANDLER(op_##name##_xmm)                                                                       \
    {                                                                                              \
        union xmm a, b, r;                                                                         \
        sse_operands(c, i, &a, &b);                                                                \
        name(&r, &a, &b, 16);                                                                      \
        c->xmm[i->reg] = r;                                                                        \
    }

/* ---- floating point (sse_fp.c) ---------------------------------------------
 *
 * The soft-float environment of MXCSR (rounding, masks, DAZ, FZ), and the
 * end of every SSE float instruction (SDM Vol 1 11.5.2): with an unmasked
 * invalid, denormal or divide-by-zero in any lane only those flags are
 * set; else every flag, and an unmasked overflow, underflow or precision
 * is an exception too. Either way nothing is written, and the exception is
 * #XM with CR4.OSXMMEXCPT, #UD without. sse_fp_done returns when the
 * results may be written.
 */
static inline struct sf_env sse_env(const struct cpu *c)
{
    struct sf_env e = sf_env_sse();
    e.round = (uint8_t)((c->mxcsr >> MXCSR_RC_SHIFT) & 3);
    e.mask = (uint8_t)((c->mxcsr >> MXCSR_MASK_SHIFT) & SF_ALL);
    e.daz = c->mxcsr & MXCSR_DAZ;
    e.ftz = c->mxcsr & MXCSR_FZ;
    return e;
}

void sse_fp_done(struct cpu *c, const struct sf_env *e);

/* ---- handlers --------------------------------------------------------------
 *
 * Instructions with an MMX and an XMM form (no prefix and 66) have one
 * handler each, op_NAME_mm and op_NAME_xmm.
 */
#define SIMD_MX_DECL(name)                                                                         \
    HANDLER(op_##name##_mm);                                                                       \
    HANDLER(op_##name##_xmm);

/* simd_int.c: arithmetic, logic, compares and shifts on packed integers */
#define SIMD_INT_OPS(X)                                                                            \
    X(paddb)                                                                                       \
    X(paddw)                                                                                       \
    X(paddd)                                                                                       \
    X(paddq)                                                                                       \
    X(paddsb)                                                                                      \
    X(paddsw)                                                                                      \
    X(paddusb)                                                                                     \
    X(paddusw)                                                                                     \
    X(psubb)                                                                                       \
    X(psubw)                                                                                       \
    X(psubd)                                                                                       \
    X(psubq)                                                                                       \
    X(psubsb)                                                                                      \
    X(psubsw)                                                                                      \
    X(psubusb)                                                                                     \
    X(psubusw)                                                                                     \
    X(pmullw)                                                                                      \
    X(pmulhw)                                                                                      \
    X(pmulhuw)                                                                                     \
    X(pmuludq)                                                                                     \
    X(pmaddwd)                                                                                     \
    X(psadbw)                                                                                      \
    X(pavgb)                                                                                       \
    X(pavgw)                                                                                       \
    X(pminub)                                                                                      \
    X(pmaxub)                                                                                      \
    X(pminsw)                                                                                      \
    X(pmaxsw)                                                                                      \
    X(pand)                                                                                        \
    X(pandn)                                                                                       \
    X(por)                                                                                         \
    X(pxor)                                                                                        \
    X(pcmpeqb)                                                                                     \
    X(pcmpeqw)                                                                                     \
    X(pcmpeqd)                                                                                     \
    X(pcmpgtb)                                                                                     \
    X(pcmpgtw)                                                                                     \
    X(pcmpgtd)                                                                                     \
    X(psrlw)                                                                                       \
    X(psrld)                                                                                       \
    X(psrlq)                                                                                       \
    X(psraw)                                                                                       \
    X(psrad)                                                                                       \
    X(psllw)                                                                                       \
    X(pslld)                                                                                       \
    X(psllq)                                                                                       \
    X(phaddw)                                                                                      \
    X(phaddd)                                                                                      \
    X(phaddsw)                                                                                     \
    X(phsubw)                                                                                      \
    X(phsubd)                                                                                      \
    X(phsubsw)                                                                                     \
    X(pmaddubsw)                                                                                   \
    X(pmulhrsw)                                                                                    \
    X(psignb)                                                                                      \
    X(psignw)                                                                                      \
    X(psignd)                                                                                      \
    X(pabsb)                                                                                       \
    X(pabsw)                                                                                       \
    X(pabsd)

/* simd_shuf.c: packs, unpacks, shuffles, inserts and extracts */
#define SIMD_SHUF_OPS(X)                                                                           \
    X(packsswb)                                                                                    \
    X(packssdw)                                                                                    \
    X(packuswb)                                                                                    \
    X(punpcklbw)                                                                                   \
    X(punpcklwd)                                                                                   \
    X(punpckldq)                                                                                   \
    X(punpckhbw)                                                                                   \
    X(punpckhwd)                                                                                   \
    X(punpckhdq)                                                                                   \
    X(pshufb)                                                                                      \
    X(palignr)                                                                                     \
    X(pinsrw)                                                                                      \
    X(pextrw)                                                                                      \
    X(pmovmskb)

/* simd_int.c: shifts by an immediate (groups 12, 13, 14), the destination in ModRM.rm */
#define SIMD_SHIFT_IMM_OPS(X)                                                                      \
    X(psrlw_i)                                                                                     \
    X(psraw_i)                                                                                     \
    X(psllw_i)                                                                                     \
    X(psrld_i)                                                                                     \
    X(psrad_i)                                                                                     \
    X(pslld_i)                                                                                     \
    X(psrlq_i)                                                                                     \
    X(psllq_i)

SIMD_INT_OPS(SIMD_MX_DECL)
SIMD_SHUF_OPS(SIMD_MX_DECL)
SIMD_SHIFT_IMM_OPS(SIMD_MX_DECL)
HANDLER(op_psrldq);
HANDLER(op_pslldq);
/* simd_shuf.c: XMM only, or MMX only */
HANDLER(op_punpcklqdq);
HANDLER(op_punpckhqdq);
HANDLER(op_pshufw);
HANDLER(op_pshufd);
HANDLER(op_pshufhw);
HANDLER(op_pshuflw);
HANDLER(op_shufps);
HANDLER(op_shufpd);
HANDLER(op_movmskps);
HANDLER(op_movmskpd);
/* simd_int.c: the float-typed logic (ANDPS...), which are bitwise */
HANDLER(op_andps);
HANDLER(op_andnps);
HANDLER(op_orps);
HANDLER(op_xorps);

/* simd_move.c */
HANDLER(op_movd_mm_rm);    /* 0F 6E */
HANDLER(op_movd_xmm_rm);   /* 66 0F 6E */
HANDLER(op_movd_rm_mm);    /* 0F 7E */
HANDLER(op_movd_rm_xmm);   /* 66 0F 7E */
HANDLER(op_movq_mm_mmm);   /* 0F 6F */
HANDLER(op_movq_mmm_mm);   /* 0F 7F */
HANDLER(op_movq_xmm_xmmm); /* F3 0F 7E */
HANDLER(op_movq_xmmm_xmm); /* 66 0F D6 */
HANDLER(op_movq2dq);
HANDLER(op_movdq2q);
HANDLER(op_movaps_load); /* MOVAPS, MOVAPD, MOVDQA loads */
HANDLER(op_movaps_store);
HANDLER(op_movups_load); /* MOVUPS, MOVUPD, MOVDQU loads, LDDQU */
HANDLER(op_movups_store);
HANDLER(op_movss_load);
HANDLER(op_movss_store);
HANDLER(op_movsd_load);
HANDLER(op_movsd_store);
HANDLER(op_movlps_load); /* MOVLPS, MOVLPD */
HANDLER(op_movhps_load); /* MOVHPS, MOVHPD */
HANDLER(op_movlps_store);
HANDLER(op_movhps_store);
HANDLER(op_movhlps);
HANDLER(op_movlhps);
HANDLER(op_movsldup);
HANDLER(op_movshdup);
HANDLER(op_movddup);
HANDLER(op_movntq);
HANDLER(op_movntps); /* MOVNTPS, MOVNTPD, MOVNTDQ */
HANDLER(op_movnti);
HANDLER(op_maskmovq);
HANDLER(op_maskmovdqu);
HANDLER(op_emms);

/* sse_fp.c: float arithmetic, by shape: ps/ss/pd/sd */
#define SSE_FP_OPS(X)                                                                              \
    X(add)                                                                                         \
    X(sub)                                                                                         \
    X(mul)                                                                                         \
    X(div)                                                                                         \
    X(min)                                                                                         \
    X(max)                                                                                         \
    X(sqrt)
#define SSE_FP_DECL(name)                                                                          \
    HANDLER(op_##name##ps);                                                                        \
    HANDLER(op_##name##ss);                                                                        \
    HANDLER(op_##name##pd);                                                                        \
    HANDLER(op_##name##sd);
SSE_FP_OPS(SSE_FP_DECL)
HANDLER(op_cmpps);
HANDLER(op_cmpss);
HANDLER(op_cmppd);
HANDLER(op_cmpsd);
HANDLER(op_comiss); /* COMISS, UCOMISS */
HANDLER(op_ucomiss);
HANDLER(op_comisd);
HANDLER(op_ucomisd);
HANDLER(op_haddps);
HANDLER(op_hsubps);
HANDLER(op_haddpd);
HANDLER(op_hsubpd);
HANDLER(op_addsubps);
HANDLER(op_addsubpd);
HANDLER(op_rcpps);
HANDLER(op_rcpss);
HANDLER(op_rsqrtps);
HANDLER(op_rsqrtss);
/* sse_cvt.c */
HANDLER(op_cvtpi2ps);
HANDLER(op_cvtsi2ss);
HANDLER(op_cvtpi2pd);
HANDLER(op_cvtsi2sd);
HANDLER(op_cvtps2pi);
HANDLER(op_cvttps2pi);
HANDLER(op_cvtss2si);
HANDLER(op_cvttss2si);
HANDLER(op_cvtpd2pi);
HANDLER(op_cvttpd2pi);
HANDLER(op_cvtsd2si);
HANDLER(op_cvttsd2si);
HANDLER(op_cvtps2pd);
HANDLER(op_cvtpd2ps);
HANDLER(op_cvtss2sd);
HANDLER(op_cvtsd2ss);
HANDLER(op_cvtdq2ps);
HANDLER(op_cvtps2dq);
HANDLER(op_cvttps2dq);
HANDLER(op_cvtdq2pd);
HANDLER(op_cvtpd2dq);
HANDLER(op_cvttpd2dq);

/* xsave.c */
HANDLER(op_fxsave);
HANDLER(op_fxrstor);
HANDLER(op_ldmxcsr);
HANDLER(op_stmxcsr);
HANDLER(op_xsave);
HANDLER(op_xsaveopt);
HANDLER(op_xrstor);

#endif
