/*
 * tests/diff/gen.h: instruction templates (gen.c) and their encoder
 * (encode.c), shared by the random generator and the per-form cases.
 */
#ifndef BAREMU_DIFF_GEN_H
#define BAREMU_DIFF_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "tests/diff/diff.h"

enum { FORM_NONE, FORM_MODRM, FORM_EXT, FORM_OPREG };
enum { IMM_NONE, IMM_8, IMM_U8, IMM_Z, IMM_V, IMM_16, IMM_ENTER, IMM_REL8, IMM_REL32 };
enum { RM_NONE, RM_ANY, RM_REG, RM_MEM };
/* what a register operand of ModRM names (struct tmpl kreg, krm) */
enum { OPK_GPR, OPK_XMM, OPK_MMX };

/* instruction classes, for difftest -c (names in gen_class_names) */
enum { CLS_INT, CLS_X87, CLS_MMX, CLS_SSE, CLS_SSE2, CLS_SSE3, CLS_SSSE3, CLS_STATE, NUM_CLS };
extern const char *const gen_class_names[NUM_CLS];
#define CLS_ALL ((1u << NUM_CLS) - 1)

/* operand sizes a template takes */
#define SZ_B 0x1
#define SZ_W 0x2
#define SZ_D 0x4
#define SZ_Q 0x8
#define SZ_V (SZ_W | SZ_D | SZ_Q)

/* template flags */
#define T_LOCK    0x0001    /* LOCK allowed with a memory operand */
#define T_D64     0x0002    /* 64-bit by default in 64-bit mode (PUSH, POP) */
#define T_F64     0x0004    /* 64-bit only in 64-bit mode (near branches) */
#define T_ONLY64  0x0008    /* 64-bit mode only */
#define T_SHIFT   0x0010    /* group 2: flags depend on the count */
#define T_DSHIFT  0x0020    /* SHLD/SHRD */
#define T_CL      0x0040    /* count in CL: a MOV CL,imm8 goes first */
#define T_ONE     0x0080    /* count 1 */
#define T_BRANCH  0x0100    /* relative branch: the target is a later instruction */
#define T_CC      0x0200    /* a random condition code in the opcode's low nibble */
#define T_STRING  0x0400    /* string op: random REP, address size, segment */
#define T_PFX1    0x0800    /* op[0] is a mandatory prefix */
#define T_ALIGN16 0x1000    /* memory operand 16-byte aligned, mostly */
#define T_POPF    0x2000    /* POPF of a PUSH imm32 with sane flags */
#define T_RARE    0x4000    /* drawn less often (ends the case, or jumps away) */
#define T_SRC8    0x8000    /* the r/m operand is a byte register */
#define T_TOOLONG 0x10000   /* 16 bytes: #GP */
#define T_ONLY32  0x20000   /* outside 64-bit mode only */
#define T_SREG    0x40000   /* ModRM.reg is a random segment register */
#define T_CALL    0x80000   /* CALL rel: a later RET would come back */
#define T_RET     0x100000  /* RET */
#define T_SIMD    0x200000  /* MMX/SSE: sizes only choose REX.W; 66 is never an operand size */
#define T_SCOUNT  0x400000  /* the imm8 is a shift count: edges favoured */
#define T_ALIGN64 0x800000  /* memory operand 64-byte aligned, mostly (XSAVE) */
#define T_XMASK   0x1000000 /* EDX:EAX a random subset of x87|SSE first (MOV EDX, MOV EAX) */
#define T_ECX0    0x2000000 /* ECX 0 first (MOV ECX, 0: XGETBV) */
#define T_APPROX4 0x4000000 /* RCPPS, RSQRTPS: ends the case, 4 lanes compared within bounds */
#define T_APPROX1 0x8000000 /* RCPSS, RSQRTSS: the same for the low lane */
#define T_X87     0x10000000 /* an x87 instruction (gen_x87.c): class x87 */
#define T_X87TR   0x20000000 /* an x87 transcendental: it ends the case (diff.h fp_approx) */

struct tmpl {
    char name[32];
    uint8_t op[4], oplen;
    uint8_t form, ext, sizes, imm, rm;
    uint8_t kreg, krm; /* OPK_*: ModRM.reg, and the r/m operand when a register */
    uint8_t cls;       /* CLS_* */
    uint16_t msize;    /* memory operand bytes, for page edges (0: 8) */
    unsigned tf;
    unsigned use, def, undef; /* status flags read, defined, left undefined */
};

#define GEN_MAX_TMPLS 1200
extern struct tmpl gen_tmpls[GEN_MAX_TMPLS];
extern unsigned gen_ntmpls;
void gen_init(void);
/* add a template (the arguments of the fields above), set its ModRM.reg extension */
struct tmpl *gen_add(const char *name, const char *ops, unsigned form, unsigned sizes, unsigned imm,
                     unsigned rm, unsigned tf, unsigned use, unsigned def, unsigned undef);
struct tmpl *gen_ext(struct tmpl *t, unsigned e);
void gen_build_x87(void);

/* generate only templates of these classes (a mask of 1 << CLS_*; default all) */
void gen_select(unsigned classes);
bool gen_class_on(unsigned cls);
/* a class mask from "sse,sse2" or "all"; 0 with a message if a name is unknown */
unsigned gen_parse_classes(const char *list);

/* the operand sizes t takes in this mode (a SZ_ mask; 0: t takes no size) */
unsigned gen_sizes(const struct tmpl *t, bool code32);
bool gen_usable(const struct tmpl *t, bool code32);

/* generate 16-bit code from now on (with code32 set): see diff.h */
void gen_code16(bool on);
bool gen_is_code16(void);

/* start a case: registers and flags from the generator */
void gen_start(struct diff_case *dc, uint64_t *rng, bool code32);
/*
 * append one instruction of template t (size 0: random; rmk RM_ANY: random)
 * to dc; false if it does not fit
 */
bool gen_append(struct diff_case *dc, uint64_t *rng, const struct tmpl *t, unsigned size,
                unsigned rmk);
/* resolve branch targets; the case is then ready */
void gen_finish(struct diff_case *dc, uint64_t *rng);

#endif
