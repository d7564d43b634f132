/*
 * emu/cpu/optab.c: the opcode maps (SDM Vol 2D appendix A, tables,
 * for the groups). One entry per opcode: its handler and how to
 * decode it. An entry without a handler is #UD: not implemented, or not an
 * instruction. The decoder never looks at an opcode byte again; everything
 * opcode-specific is here or in the handler.
 */
#include "emu/cpu/simd.h"

#define E(fn, attr)                                                                                \
    {                                                                                              \
        fn, (attr), NULL                                                                           \
    }
#define G(grp, attr)                                                                               \
    {                                                                                              \
        NULL, (attr) | A_GROUP | A_MODRM, grp                                                      \
    }
/* by mandatory prefix (none, 66, F3, F2), and by register or memory operand */
#define PFX(none, p66, pf3, pf2)                                                                   \
    {                                                                                              \
        NULL, A_PFX, (const struct opdesc[4])                                                      \
        {                                                                                          \
            none, p66, pf3, pf2                                                                    \
        }                                                                                          \
    }
#define RM(mem, reg)                                                                               \
    {                                                                                              \
        NULL, A_REGMEM | A_MODRM, (const struct opdesc[2])                                         \
        {                                                                                          \
            mem, reg                                                                               \
        }                                                                                          \
    }
#define U E(NULL, 0)
#define M A_MODRM
#define B A_BYTE

/* group 1 (80..83): ALU r/m, imm; CMP (/7) is not lockable */
static const struct opdesc grp1[8] = {
    E(op_add_rm_imm, A_LOCK), E(op_or_rm_imm, A_LOCK),  E(op_adc_rm_imm, A_LOCK),
    E(op_sbb_rm_imm, A_LOCK), E(op_and_rm_imm, A_LOCK), E(op_sub_rm_imm, A_LOCK),
    E(op_xor_rm_imm, A_LOCK), E(op_cmp_rm_imm, 0),
};

/* group 1a (8F): POP r/m */
static const struct opdesc grp1a[8] = {E(op_pop_rm, A_D64)};

/* group 2 (C0, C1, D0..D3): shifts and rotates; /6 is SAL, an alias of SHL */
static const struct opdesc grp2[8] = {
    E(op_shift_rm, 0), E(op_shift_rm, 0), E(op_shift_rm, 0), E(op_shift_rm, 0),
    E(op_shift_rm, 0), E(op_shift_rm, 0), E(op_shift_rm, 0), E(op_shift_rm, 0),
};

/* group 3 (F6, F7); /1 is an alias of TEST */
static const struct opdesc grp3_b[8] = {
    E(op_test_rm_imm, A_IMM8), E(op_test_rm_imm, A_IMM8), E(op_not_rm, A_LOCK),
    E(op_neg_rm, A_LOCK),      E(op_mul_rm, 0),           E(op_imul1_rm, 0),
    E(op_div_rm, 0),           E(op_idiv_rm, 0),
};
static const struct opdesc grp3_v[8] = {
    E(op_test_rm_imm, A_IMMZ), E(op_test_rm_imm, A_IMMZ), E(op_not_rm, A_LOCK),
    E(op_neg_rm, A_LOCK),      E(op_mul_rm, 0),           E(op_imul1_rm, 0),
    E(op_div_rm, 0),           E(op_idiv_rm, 0),
};

/* group 4 (FE) and 5 (FF); far CALL and JMP (/3, /5) are a later increment */
static const struct opdesc grp4[8] = {E(op_inc_rm, A_LOCK), E(op_dec_rm, A_LOCK)};
static const struct opdesc grp5[8] = {
    E(op_inc_rm, A_LOCK), E(op_dec_rm, A_LOCK),   E(op_call_rm, A_F64), E(op_jmp_far_m, A_MEM),
    E(op_jmp_rm, A_F64),  E(op_jmp_far_m, A_MEM), E(op_push_rm, A_D64), E(NULL, 0),
};

/* group 6 (0F 00): SLDT, STR, LLDT, LTR, VERR, VERW */
static const struct opdesc grp6[8] = {
    E(op_grp6, 0), E(op_grp6, 0), E(op_grp6, 0), E(op_grp6, 0), E(op_grp6, 0), E(op_grp6, 0),
};

/* group 8 (0F BA): BT, BTS, BTR, BTC r/m, imm8 */
static const struct opdesc grp8[8] = {
    [4] = E(op_bt_rm_imm, 0),
    [5] = E(op_bt_rm_imm, A_LOCK),
    [6] = E(op_bt_rm_imm, A_LOCK),
    [7] = E(op_bt_rm_imm, A_LOCK),
};

/* group 9 (0F C7): CMPXCHG8B/16B */
static const struct opdesc grp9[8] = {[1] = E(op_cmpxchg8b, A_MEM | A_LOCK)};

/* group 11 (C6, C7): MOV r/m, imm */
static const struct opdesc grp11_b[8] = {E(op_mov_rm_imm, A_IMM8)};
static const struct opdesc grp11_v[8] = {E(op_mov_rm_imm, A_IMMZ)};

/* group 15 (0F AE): the save areas and MXCSR with memory, the fences with a register */
static const struct opdesc grp15[8] = {
    [0] = RM(E(op_fxsave, A_OSZW), U),
    [1] = RM(E(op_fxrstor, A_OSZW), U),
    [2] = RM(E(op_ldmxcsr, 0), U),
    [3] = RM(E(op_stmxcsr, 0), U),
    [4] = RM(E(op_xsave, A_OSZW), U),
    [5] = RM(E(op_xrstor, A_OSZW), E(op_fence, 0)),
    [6] = RM(E(op_xsaveopt, A_OSZW), E(op_fence, 0)), /* MFENCE */
    [7] = E(op_fence, 0),                             /* CLFLUSH, SFENCE */
};

/* MMX with no prefix, its XMM form with 66 */
#define MX(name) PFX(E(op_##name##_mm, M), E(op_##name##_xmm, M), U, U)
/* a float op by prefix: none PS, 66 PD, F3 SS, F2 SD */
#define FP(name, attr)                                                                             \
    PFX(E(op_##name##ps, M | (attr)), E(op_##name##pd, M | (attr)), E(op_##name##ss, M | (attr)),  \
        E(op_##name##sd, M | (attr)))
/* a register-only form with an immediate */
#define RI(fn) RM(U, E(fn, A_UIMM8))

/* groups 12, 13, 14 (0F 71, 72, 73): shifts by an immediate, register operands only */
static const struct opdesc grp12_mm[8] = {
    [2] = RI(op_psrlw_i_mm), [4] = RI(op_psraw_i_mm), [6] = RI(op_psllw_i_mm)};
static const struct opdesc grp12_xmm[8] = {
    [2] = RI(op_psrlw_i_xmm), [4] = RI(op_psraw_i_xmm), [6] = RI(op_psllw_i_xmm)};
static const struct opdesc grp13_mm[8] = {
    [2] = RI(op_psrld_i_mm), [4] = RI(op_psrad_i_mm), [6] = RI(op_pslld_i_mm)};
static const struct opdesc grp13_xmm[8] = {
    [2] = RI(op_psrld_i_xmm), [4] = RI(op_psrad_i_xmm), [6] = RI(op_pslld_i_xmm)};
static const struct opdesc grp14_mm[8] = {[2] = RI(op_psrlq_i_mm), [6] = RI(op_psllq_i_mm)};
static const struct opdesc grp14_xmm[8] = {
    [2] = RI(op_psrlq_i_xmm), [3] = RI(op_psrldq), [6] = RI(op_psllq_i_xmm), [7] = RI(op_pslldq)};

/* the eight ALU rows: op r/m,r; op r,r/m; op AL/eAX,imm (00..3D) */
#define ALU_ROW(base, name, lock)                                                                  \
    [base + 0] = E(op_##name##_rm_r, M | B | (lock)),                                              \
            [base + 1] = E(op_##name##_rm_r, M | (lock)), [base + 2] = E(op_##name##_r_rm, M | B), \
            [base + 3] = E(op_##name##_r_rm, M), [base + 4] = E(op_##name##_a_imm, B | A_IMM8),    \
            [base + 5] = E(op_##name##_a_imm, A_IMMZ)

#define RANGE8(base, fn, attr)                                                                     \
    [base + 0] = E(fn, attr), [base + 1] = E(fn, attr), [base + 2] = E(fn, attr),                  \
            [base + 3] = E(fn, attr), [base + 4] = E(fn, attr), [base + 5] = E(fn, attr),          \
            [base + 6] = E(fn, attr), [base + 7] = E(fn, attr)

const struct opdesc optab_1byte[256] = {
    ALU_ROW(0x00, add, A_LOCK),
    ALU_ROW(0x08, or, A_LOCK),
    ALU_ROW(0x10, adc, A_LOCK),
    ALU_ROW(0x18, sbb, A_LOCK),
    ALU_ROW(0x20, and, A_LOCK),
    ALU_ROW(0x28, sub, A_LOCK),
    ALU_ROW(0x30, xor, A_LOCK),
    ALU_ROW(0x38, cmp, 0),
    [0x06] = E(op_push_sreg, A_I64),
    [0x07] = E(op_pop_sreg, A_I64),
    [0x27] = E(op_daa, A_I64),
    [0x2f] = E(op_das, A_I64),
    [0x37] = E(op_aaa_aas, A_I64),
    [0x3f] = E(op_aaa_aas, A_I64),
    [0x60] = E(op_pusha, A_I64),
    [0x61] = E(op_popa, A_I64),
    [0x62] = E(op_bound, M | A_MEM | A_I64),
    [0xd4] = E(op_aam, A_UIMM8 | A_I64),
    [0xd5] = E(op_aad, A_UIMM8 | A_I64),
    [0x17] = E(op_pop_sreg, A_I64),
    [0x1f] = E(op_pop_sreg, A_I64),
    [0x8e] = E(op_mov_sreg_rm, M),
    [0x9a] = E(op_call_far, A_FARPTR | A_I64),
    [0xea] = E(op_jmp_far, A_FARPTR | A_I64),
    [0xc4] = E(op_lxs, M | A_MEM | A_I64),
    [0xc5] = E(op_lxs, M | A_MEM | A_I64),
    [0xca] = E(op_retf, A_IMM16),
    [0xcb] = E(op_retf, 0),
    [0xcd] = E(op_int, A_UIMM8),
    [0xce] = E(op_into, A_I64),
    [0xcf] = E(op_iret, 0),
    [0x0e] = E(op_push_sreg, A_I64),
    [0x16] = E(op_push_sreg, A_I64),
    [0x1e] = E(op_push_sreg, A_I64),
    RANGE8(0x40, op_inc_r, A_I64),
    RANGE8(0x48, op_dec_r, A_I64),
    RANGE8(0x50, op_push_r, A_D64),
    RANGE8(0x58, op_pop_r, A_D64),
    [0x63] = E(op_movsxd, M),
    [0x68] = E(op_push_imm, A_IMMZ | A_D64),
    [0x6c] = E(op_ins, B),
    [0x6d] = E(op_ins, 0),
    [0x6e] = E(op_outs, B),
    [0x6f] = E(op_outs, 0),
    [0x69] = E(op_imul_r_rm_imm, M | A_IMMZ),
    [0x6a] = E(op_push_imm, A_IMM8 | A_D64),
    [0x6b] = E(op_imul_r_rm_imm, M | A_IMM8),
    RANGE8(0x70, op_jcc, A_IMM8 | A_F64),
    RANGE8(0x78, op_jcc, A_IMM8 | A_F64),
    [0x80] = G(grp1, B | A_IMM8),
    [0x81] = G(grp1, A_IMMZ),
    [0x82] = G(grp1, B | A_IMM8 | A_I64),
    [0x83] = G(grp1, A_IMM8),
    [0x84] = E(op_test_rm_r, M | B),
    [0x85] = E(op_test_rm_r, M),
    [0x86] = E(op_xchg_rm_r, M | B | A_LOCK),
    [0x87] = E(op_xchg_rm_r, M | A_LOCK),
    [0x88] = E(op_mov_rm_r, M | B),
    [0x89] = E(op_mov_rm_r, M),
    [0x8a] = E(op_mov_r_rm, M | B),
    [0x8b] = E(op_mov_r_rm, M),
    [0x8c] = E(op_mov_rm_sreg, M),
    [0x8d] = E(op_lea, M | A_MEM),
    [0x8f] = G(grp1a, 0),
    RANGE8(0x90, op_xchg_a_r, 0),
    [0x98] = E(op_cbw, 0),
    [0x99] = E(op_cwd, 0),
    [0x9c] = E(op_pushf, A_D64),
    [0x9d] = E(op_popf, A_D64),
    [0x9e] = E(op_sahf, 0),
    [0x9f] = E(op_lahf, 0),
    [0xa0] = E(op_mov_a_moffs, B | A_MOFFS),
    [0xa1] = E(op_mov_a_moffs, A_MOFFS),
    [0xa2] = E(op_mov_moffs_a, B | A_MOFFS),
    [0xa3] = E(op_mov_moffs_a, A_MOFFS),
    [0xa4] = E(op_movs, B),
    [0xa5] = E(op_movs, 0),
    [0xa6] = E(op_cmps, B),
    [0xa7] = E(op_cmps, 0),
    [0xa8] = E(op_test_a_imm, B | A_IMM8),
    [0xa9] = E(op_test_a_imm, A_IMMZ),
    [0xaa] = E(op_stos, B),
    [0xab] = E(op_stos, 0),
    [0xac] = E(op_lods, B),
    [0xad] = E(op_lods, 0),
    [0xae] = E(op_scas, B),
    [0xaf] = E(op_scas, 0),
    RANGE8(0xb0, op_mov_r_imm, B | A_IMM8),
    RANGE8(0xb8, op_mov_r_imm, A_IMMV),
    [0xc0] = G(grp2, B | A_UIMM8),
    [0xc1] = G(grp2, A_UIMM8),
    [0xc2] = E(op_ret_imm, A_IMM16 | A_F64),
    [0xc3] = E(op_ret, A_F64),
    [0xc6] = G(grp11_b, B),
    [0xc7] = G(grp11_v, 0),
    [0xc8] = E(op_enter, A_ENTER | A_D64),
    [0xc9] = E(op_leave, A_D64),
    [0xcc] = E(op_int3, 0),
    [0xd0] = G(grp2, B),
    [0xd1] = G(grp2, 0),
    [0xd2] = G(grp2, B),
    [0xd3] = G(grp2, 0),
    [0xd7] = E(op_xlat, 0),
    [0xe0] = E(op_loop, A_IMM8 | A_F64),
    [0xe1] = E(op_loop, A_IMM8 | A_F64),
    [0xe2] = E(op_loop, A_IMM8 | A_F64),
    [0xe3] = E(op_jcxz, A_IMM8 | A_F64),
    [0xe4] = E(op_in, B | A_UIMM8),
    [0xe5] = E(op_in, A_UIMM8),
    [0xe6] = E(op_out, B | A_UIMM8),
    [0xe7] = E(op_out, A_UIMM8),
    [0xe8] = E(op_call_rel, A_IMMZ | A_F64),
    [0xe9] = E(op_jmp_rel, A_IMMZ | A_F64),
    [0xeb] = E(op_jmp_rel, A_IMM8 | A_F64),
    [0xec] = E(op_in, B),
    [0xed] = E(op_in, 0),
    [0xee] = E(op_out, B),
    [0xef] = E(op_out, 0),
    [0xf1] = E(op_int1, 0),
    [0xf4] = E(op_hlt, 0),
    [0xf5] = E(op_cmc, 0),
    [0xf6] = G(grp3_b, B),
    [0xf7] = G(grp3_v, 0),
    [0xf8] = E(op_clc, 0),
    [0xf9] = E(op_stc, 0),
    [0xfa] = E(op_cli, 0),
    [0xfb] = E(op_sti, 0),
    [0xfc] = E(op_cld, 0),
    [0xfd] = E(op_std, 0),
    [0xfe] = G(grp4, B),
    [0xff] = G(grp5, 0),
    [0x9b] = E(op_fwait, 0),
    RANGE8(0xd8, NULL, M | A_X87),
};

const struct opdesc optab_0f[256] = {
    [0x00] = G(grp6, 0),
    [0x01] = E(op_grp7, M), /* the register forms are other instructions: the handler decides */
    [0x02] = E(op_lar_lsl, M),
    [0x03] = E(op_lar_lsl, M),
    [0x05] = E(op_syscall, 0),
    [0x06] = E(op_clts, 0),
    [0x07] = E(op_sysret, 0),
    [0x08] = E(op_invd, 0),
    [0x09] = E(op_invd, 0),
    [0x20] = E(op_mov_cr, M | A_REGONLY),
    [0x21] = E(op_mov_dr, M | A_REGONLY),
    [0x22] = E(op_mov_cr, M | A_REGONLY),
    [0x23] = E(op_mov_dr, M | A_REGONLY),
    [0x30] = E(op_wrmsr, 0),
    [0x32] = E(op_rdmsr, 0),
    [0x34] = E(op_sysenter, 0),
    [0x35] = E(op_sysexit, 0),
    [0xa1] = E(op_pop_sreg, A_D64),
    [0xa9] = E(op_pop_sreg, A_D64),
    [0xb2] = E(op_lxs, M | A_MEM),
    [0xb4] = E(op_lxs, M | A_MEM),
    [0xb5] = E(op_lxs, M | A_MEM),
    [0x0b] = E(op_ud2, 0),
    [0x0d] = E(op_nop, M),   /* PREFETCHW: a hint */
    RANGE8(0x18, op_nop, M), /* hint NOPs, 0F 1F /0 the long NOP */
    [0x31] = E(op_rdtsc, 0),
    RANGE8(0x40, op_cmov, M),
    RANGE8(0x48, op_cmov, M),
    RANGE8(0x80, op_jcc, A_IMMZ | A_F64),
    RANGE8(0x88, op_jcc, A_IMMZ | A_F64),
    RANGE8(0x90, op_setcc, M | B),
    RANGE8(0x98, op_setcc, M | B),
    [0xa0] = E(op_push_sreg, A_D64),
    [0xa2] = E(op_cpuid, 0),
    [0xa3] = E(op_bt_rm_r, M),
    [0xa4] = E(op_shld, M | A_UIMM8),
    [0xa5] = E(op_shld, M),
    [0xa8] = E(op_push_sreg, A_D64),
    [0xab] = E(op_bt_rm_r, M | A_LOCK),
    [0xac] = E(op_shrd, M | A_UIMM8),
    [0xad] = E(op_shrd, M),
    [0xae] = PFX(G(grp15, 0), U, U, U), /* 66, F2, F3 0F AE: not offered (RDFSBASE, CLWB...) */
    [0xaf] = E(op_imul_r_rm, M),
    [0xb0] = E(op_cmpxchg, M | B | A_LOCK),
    [0xb1] = E(op_cmpxchg, M | A_LOCK),
    [0xb3] = E(op_bt_rm_r, M | A_LOCK),
    [0xb6] = E(op_movzx, M),
    [0xb7] = E(op_movzx, M),
    [0xb8] = PFX(U, U, E(op_popcnt, M), U),
    [0xba] = G(grp8, A_UIMM8),
    [0xbb] = E(op_bt_rm_r, M | A_LOCK),
    [0xbc] = PFX(E(op_bsf, M), E(op_bsf, M | A_KEEP66), E(op_tzcnt, M), E(op_bsf, M)),
    [0xbd] = PFX(E(op_bsr, M), E(op_bsr, M | A_KEEP66), E(op_lzcnt, M), E(op_bsr, M)),
    [0xbe] = E(op_movsx, M),
    [0xbf] = E(op_movsx, M),
    [0xc0] = E(op_xadd, M | B | A_LOCK),
    [0xc1] = E(op_xadd, M | A_LOCK),
    [0xc7] = G(grp9, 0),
    RANGE8(0xc8, op_bswap, 0),

    /* MMX, SSE, SSE2, SSE3 (SDM Vol 2D table A-3) */
    [0x10] =
        PFX(E(op_movups_load, M), E(op_movups_load, M), E(op_movss_load, M), E(op_movsd_load, M)),
    [0x11] = PFX(E(op_movups_store, M), E(op_movups_store, M), E(op_movss_store, M),
                 E(op_movsd_store, M)),
    [0x12] = PFX(RM(E(op_movlps_load, 0), E(op_movhlps, 0)), E(op_movlps_load, M | A_MEM),
                 E(op_movsldup, M), E(op_movddup, M)),
    [0x13] = PFX(E(op_movlps_store, M | A_MEM), E(op_movlps_store, M | A_MEM), U, U),
    [0x14] = PFX(E(op_punpckldq_xmm, M), E(op_punpcklqdq, M), U, U), /* UNPCKLPS, UNPCKLPD */
    [0x15] = PFX(E(op_punpckhdq_xmm, M), E(op_punpckhqdq, M), U, U), /* UNPCKHPS, UNPCKHPD */
    [0x16] = PFX(RM(E(op_movhps_load, 0), E(op_movlhps, 0)), E(op_movhps_load, M | A_MEM),
                 E(op_movshdup, M), U),
    [0x17] = PFX(E(op_movhps_store, M | A_MEM), E(op_movhps_store, M | A_MEM), U, U),
    [0x2a] = PFX(E(op_cvtpi2ps, M), E(op_cvtpi2pd, M), E(op_cvtsi2ss, M | A_OSZW),
                 E(op_cvtsi2sd, M | A_OSZW)),
    [0x2c] = PFX(E(op_cvttps2pi, M), E(op_cvttpd2pi, M), E(op_cvttss2si, M | A_OSZW),
                 E(op_cvttsd2si, M | A_OSZW)),
    [0x2d] = PFX(E(op_cvtps2pi, M), E(op_cvtpd2pi, M), E(op_cvtss2si, M | A_OSZW),
                 E(op_cvtsd2si, M | A_OSZW)),
    [0x2e] = PFX(E(op_ucomiss, M), E(op_ucomisd, M), U, U),
    [0x2f] = PFX(E(op_comiss, M), E(op_comisd, M), U, U),
    [0x51] = FP(sqrt, 0),
    [0x52] = PFX(E(op_rsqrtps, M), U, E(op_rsqrtss, M), U),
    [0x53] = PFX(E(op_rcpps, M), U, E(op_rcpss, M), U),
    [0x58] = FP(add, 0),
    [0x59] = FP(mul, 0),
    [0x5a] = PFX(E(op_cvtps2pd, M), E(op_cvtpd2ps, M), E(op_cvtss2sd, M), E(op_cvtsd2ss, M)),
    [0x5b] = PFX(E(op_cvtdq2ps, M), E(op_cvtps2dq, M), E(op_cvttps2dq, M), U),
    [0x5c] = FP(sub, 0),
    [0x5d] = FP(min, 0),
    [0x5e] = FP(div, 0),
    [0x5f] = FP(max, 0),
    [0x7c] = PFX(U, E(op_haddpd, M), U, E(op_haddps, M)),
    [0x7d] = PFX(U, E(op_hsubpd, M), U, E(op_hsubps, M)),
    [0xc2] = FP(cmp, A_UIMM8),
    [0xd0] = PFX(U, E(op_addsubpd, M), U, E(op_addsubps, M)),
    [0xe6] = PFX(U, E(op_cvttpd2dq, M), E(op_cvtdq2pd, M), E(op_cvtpd2dq, M)),
    [0x28] = PFX(E(op_movaps_load, M), E(op_movaps_load, M), U, U),
    [0x29] = PFX(E(op_movaps_store, M), E(op_movaps_store, M), U, U),
    [0x2b] = PFX(E(op_movntps, M | A_MEM), E(op_movntps, M | A_MEM), U, U),
    [0x50] = PFX(RM(U, E(op_movmskps, 0)), RM(U, E(op_movmskpd, 0)), U, U),
    [0x54] = PFX(E(op_andps, M), E(op_andps, M), U, U),
    [0x55] = PFX(E(op_andnps, M), E(op_andnps, M), U, U),
    [0x56] = PFX(E(op_orps, M), E(op_orps, M), U, U),
    [0x57] = PFX(E(op_xorps, M), E(op_xorps, M), U, U),
    [0x60] = MX(punpcklbw),
    [0x61] = MX(punpcklwd),
    [0x62] = MX(punpckldq),
    [0x63] = MX(packsswb),
    [0x64] = MX(pcmpgtb),
    [0x65] = MX(pcmpgtw),
    [0x66] = MX(pcmpgtd),
    [0x67] = MX(packuswb),
    [0x68] = MX(punpckhbw),
    [0x69] = MX(punpckhwd),
    [0x6a] = MX(punpckhdq),
    [0x6b] = MX(packssdw),
    [0x6c] = PFX(U, E(op_punpcklqdq, M), U, U),
    [0x6d] = PFX(U, E(op_punpckhqdq, M), U, U),
    [0x6e] = PFX(E(op_movd_mm_rm, M | A_OSZW), E(op_movd_xmm_rm, M | A_OSZW), U, U),
    [0x6f] = PFX(E(op_movq_mm_mmm, M), E(op_movaps_load, M), E(op_movups_load, M), U),
    [0x70] = PFX(E(op_pshufw, M | A_UIMM8), E(op_pshufd, M | A_UIMM8), E(op_pshufhw, M | A_UIMM8),
                 E(op_pshuflw, M | A_UIMM8)),
    [0x71] = PFX(G(grp12_mm, 0), G(grp12_xmm, 0), U, U),
    [0x72] = PFX(G(grp13_mm, 0), G(grp13_xmm, 0), U, U),
    [0x73] = PFX(G(grp14_mm, 0), G(grp14_xmm, 0), U, U),
    [0x74] = MX(pcmpeqb),
    [0x75] = MX(pcmpeqw),
    [0x76] = MX(pcmpeqd),
    [0x77] = PFX(E(op_emms, 0), U, U, U),
    [0x7e] =
        PFX(E(op_movd_rm_mm, M | A_OSZW), E(op_movd_rm_xmm, M | A_OSZW), E(op_movq_xmm_xmmm, M), U),
    [0x7f] = PFX(E(op_movq_mmm_mm, M), E(op_movaps_store, M), E(op_movups_store, M), U),
    [0xc3] = PFX(E(op_movnti, M | A_MEM | A_OSZW), U, U, U),
    [0xc4] = PFX(E(op_pinsrw_mm, M | A_UIMM8), E(op_pinsrw_xmm, M | A_UIMM8), U, U),
    [0xc5] = PFX(RI(op_pextrw_mm), RI(op_pextrw_xmm), U, U),
    [0xc6] = PFX(E(op_shufps, M | A_UIMM8), E(op_shufpd, M | A_UIMM8), U, U),
    [0xd1] = MX(psrlw),
    [0xd2] = MX(psrld),
    [0xd3] = MX(psrlq),
    [0xd4] = MX(paddq),
    [0xd5] = MX(pmullw),
    [0xd6] = PFX(U, E(op_movq_xmmm_xmm, M), RM(U, E(op_movq2dq, 0)), RM(U, E(op_movdq2q, 0))),
    [0xd7] = PFX(RM(U, E(op_pmovmskb_mm, 0)), RM(U, E(op_pmovmskb_xmm, 0)), U, U),
    [0xd8] = MX(psubusb),
    [0xd9] = MX(psubusw),
    [0xda] = MX(pminub),
    [0xdb] = MX(pand),
    [0xdc] = MX(paddusb),
    [0xdd] = MX(paddusw),
    [0xde] = MX(pmaxub),
    [0xdf] = MX(pandn),
    [0xe0] = MX(pavgb),
    [0xe1] = MX(psraw),
    [0xe2] = MX(psrad),
    [0xe3] = MX(pavgw),
    [0xe4] = MX(pmulhuw),
    [0xe5] = MX(pmulhw),
    [0xe7] = PFX(E(op_movntq, M | A_MEM), E(op_movntps, M | A_MEM), U, U),
    [0xe8] = MX(psubsb),
    [0xe9] = MX(psubsw),
    [0xea] = MX(pminsw),
    [0xeb] = MX(por),
    [0xec] = MX(paddsb),
    [0xed] = MX(paddsw),
    [0xee] = MX(pmaxsw),
    [0xef] = MX(pxor),
    [0xf0] = PFX(U, U, U, E(op_movups_load, M | A_MEM)), /* LDDQU */
    [0xf1] = MX(psllw),
    [0xf2] = MX(pslld),
    [0xf3] = MX(psllq),
    [0xf4] = MX(pmuludq),
    [0xf5] = MX(pmaddwd),
    [0xf6] = MX(psadbw),
    [0xf7] = PFX(RM(U, E(op_maskmovq, 0)), RM(U, E(op_maskmovdqu, 0)), U, U),
    [0xf8] = MX(psubb),
    [0xf9] = MX(psubw),
    [0xfa] = MX(psubd),
    [0xfb] = MX(psubq),
    [0xfc] = MX(paddb),
    [0xfd] = MX(paddw),
    [0xfe] = MX(paddd),
};

const struct opdesc optab_0f38[256] = {
    /* SSSE3 (SDM Vol 2D table A-4) */
    [0x00] = MX(pshufb),
    [0x01] = MX(phaddw),
    [0x02] = MX(phaddd),
    [0x03] = MX(phaddsw),
    [0x04] = MX(pmaddubsw),
    [0x05] = MX(phsubw),
    [0x06] = MX(phsubd),
    [0x07] = MX(phsubsw),
    [0x08] = MX(psignb),
    [0x09] = MX(psignw),
    [0x0a] = MX(psignd),
    [0x0b] = MX(pmulhrsw),
    [0x1c] = MX(pabsb),
    [0x1d] = MX(pabsw),
    [0x1e] = MX(pabsd),
    [0xf0] = PFX(E(op_movbe, M | A_MEM), E(op_movbe, M | A_MEM | A_KEEP66), U, U),
    [0xf1] = PFX(E(op_movbe, M | A_MEM), E(op_movbe, M | A_MEM | A_KEEP66), U, U),
};

const struct opdesc optab_0f3a[256] = {
    /* SSSE3 (SDM Vol 2D table A-5) */
    [0x0f] = PFX(E(op_palignr_mm, M | A_UIMM8), E(op_palignr_xmm, M | A_UIMM8), U, U),
};

/*
 * The x87 escapes (SDM Vol 2D tables ). Memory forms by ModRM.reg;
 * register forms by ModRM[5:0] (reg * 8 + rm). The undocumented aliases every
 * part has are in: D9 D8+i FSTP1, DC D0+i FCOM2, DC D8+i FCOMP3, DD C8+i FXCH4,
 * DE D0+i FCOMP5, DF C0+i FFREEP, DF C8+i FXCH7, DF D0+i FSTP8, DF D8+i FSTP9;
 * DB E0, E1, E4 (FENI, FDISI, FSETPM) are FNOP since the 387.
 */
#define ROW8(row, fn) RANGE8((row)*8, fn, 0)
#define ALL64(fn)                                                                                  \
    ROW8(0, fn), ROW8(1, fn), ROW8(2, fn), ROW8(3, fn), ROW8(4, fn), ROW8(5, fn), ROW8(6, fn),     \
        ROW8(7, fn)
#define ALL8(fn)                                                                                   \
    {                                                                                              \
        E(fn, 0), E(fn, 0), E(fn, 0), E(fn, 0), E(fn, 0), E(fn, 0), E(fn, 0), E(fn, 0)             \
    }

const struct opdesc optab_x87_mem[8][8] = {
    [0] = ALL8(op_farith_m), /* D8: m32fp */
    [1] = {E(op_fld_m32, 0), E(NULL, 0), E(op_fst_m, 0), E(op_fst_m, 0), E(op_fldenv, 0),
           E(op_fldcw, 0), E(op_fnstenv, 0), E(op_fnstcw, 0)},
    [2] = ALL8(op_farith_m), /* DA: m32int */
    [3] = {E(op_fild, 0), E(op_fisttp, 0), E(op_fist, 0), E(op_fist, 0), E(NULL, 0),
           E(op_fld_m80, 0), E(NULL, 0), E(op_fstp_m80, 0)},
    [4] = ALL8(op_farith_m), /* DC: m64fp */
    [5] = {E(op_fld_m64, 0), E(op_fisttp, 0), E(op_fst_m, 0), E(op_fst_m, 0), E(op_frstor, 0),
           E(NULL, 0), E(op_fnsave, 0), E(op_fnstsw, 0)},
    [6] = ALL8(op_farith_m), /* DE: m16int */
    [7] = {E(op_fild, 0), E(op_fisttp, 0), E(op_fist, 0), E(op_fist, 0), E(op_fbld, 0),
           E(op_fild, 0), E(op_fbstp, 0), E(op_fist, 0)},
};

const struct opdesc optab_x87_reg[8][64] = {
    [0] = {ALL64(op_farith_st0)},
    [1] = {ROW8(0, op_fld_st),          ROW8(1, op_fxch),
           [0x10] = E(op_fnop, 0),      ROW8(3, op_fst_st),
           [0x20] = E(op_fchs_fabs, 0), [0x21] = E(op_fchs_fabs, 0),
           [0x24] = E(op_ftst, 0),      [0x25] = E(op_fxam, 0),
           [0x28] = E(op_fldconst, 0),  [0x29] = E(op_fldconst, 0),
           [0x2a] = E(op_fldconst, 0),  [0x2b] = E(op_fldconst, 0),
           [0x2c] = E(op_fldconst, 0),  [0x2d] = E(op_fldconst, 0),
           [0x2e] = E(op_fldconst, 0),  [0x30] = E(op_f2xm1, 0),
           [0x31] = E(op_fyl2x, 0),     [0x32] = E(op_fptan, 0),
           [0x33] = E(op_fpatan, 0),    [0x34] = E(op_fxtract, 0),
           [0x35] = E(op_fprem, 0),     [0x36] = E(op_fdecstp, 0),
           [0x37] = E(op_fincstp, 0),   [0x38] = E(op_fprem, 0),
           [0x39] = E(op_fyl2xp1, 0),   [0x3a] = E(op_fsqrt, 0),
           [0x3b] = E(op_fsincos, 0),   [0x3c] = E(op_frndint, 0),
           [0x3d] = E(op_fscale, 0),    [0x3e] = E(op_fsincos, 0),
           [0x3f] = E(op_fsincos, 0)},
    [2] = {ROW8(0, op_fcmov), ROW8(1, op_fcmov), ROW8(2, op_fcmov),
           ROW8(3, op_fcmov), [0x29] = E(op_fucom, 0)},
    [3] = {ROW8(0, op_fcmov), ROW8(1, op_fcmov), ROW8(2, op_fcmov),
           ROW8(3, op_fcmov), [0x20] = E(op_fnop, 0), [0x21] = E(op_fnop, 0),
           [0x22] = E(op_fnclex, 0), [0x23] = E(op_fninit, 0), [0x24] = E(op_fnop, 0),
           ROW8(5, op_fcomi), ROW8(6, op_fcomi)},
    [4] = {ALL64(op_farith_sti)},
    [5] = {ROW8(0, op_ffree), ROW8(1, op_fxch), ROW8(2, op_fst_st), ROW8(3, op_fst_st),
           ROW8(4, op_fucom), ROW8(5, op_fucom)},
    [6] = {ROW8(0, op_farith_sti), ROW8(1, op_farith_sti),
           ROW8(2, op_farith_sti), [0x19] = E(op_farith_sti, 0), ROW8(4, op_farith_sti),
           ROW8(5, op_farith_sti), ROW8(6, op_farith_sti), ROW8(7, op_farith_sti)},
    [7] = {ROW8(0, op_ffree), ROW8(1, op_fxch), ROW8(2, op_fst_st),
           ROW8(3, op_fst_st), [0x20] = E(op_fnstsw_ax, 0), ROW8(5, op_fcomi), ROW8(6, op_fcomi)},
};
