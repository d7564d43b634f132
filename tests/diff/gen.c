/*
 * tests/diff/gen.c: instruction templates and the case generator.
 *
 * A template is one instruction form: opcode bytes, how its operands are
 * encoded, which operand sizes it takes, and which status flags it reads,
 * defines and leaves undefined (SDM Vol 1 appendix A). The generator strings
 * a few templates together with random registers, memory operands,
 * immediates and prefixes, and tracks the flags left undefined so that no
 * later instruction reads one (it inserts CMP EAX,EAX first) and the final
 * comparison masks them.
 *
 * Memory operands point into the data pages through a base register that no
 * template writes (R15 in 64-bit mode, EBP in 32-bit mode), or deliberately
 * at the guard pages, across page ends, or through random registers.
 */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/diff/diff.h"
#include "tests/diff/gen.h"

#define CF   0x001u
#define PF   0x004u
#define AF   0x010u
#define ZF   0x040u
#define SF   0x080u
#define OF   0x800u
#define ALLF (CF | PF | AF | ZF | SF | OF)

uint64_t diff_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void diff_fill_data(uint8_t *data, uint64_t seed)
{
    uint64_t s = seed;
    for (unsigned k = 0; k < DIFF_DATA_SIZE; k += 8) {
        uint64_t v = diff_rand(&s);
        if ((v & 7) == 0) /* some zeros and small values, for BSF, DIV and friends */
            v = (v >> 8) & 0xff;
        else if ((v & 7) == 1) /* floating-point values, specials included */
            v = (uint64_t)diff_rand_f32(&s) << 32 | diff_rand_f32(&s);
        else if ((v & 7) == 2)
            v = diff_rand_f64(&s);
        memcpy(data + k, &v, 8);
    }
}

/* ---- the templates ------------------------------------------------------ */

struct tmpl gen_tmpls[GEN_MAX_TMPLS];
unsigned gen_ntmpls;

static struct tmpl *add(const char *name, const char *ops, unsigned form, unsigned sizes,
                        unsigned imm, unsigned rm, unsigned tf, unsigned use, unsigned def,
                        unsigned undef)
{
    if (gen_ntmpls == GEN_MAX_TMPLS) {
        fprintf(stderr, "difftest: more than GEN_MAX_TMPLS templates\n");
        exit(2);
    }
    struct tmpl *t = &gen_tmpls[gen_ntmpls++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    unsigned v;
    int k;
    while (sscanf(ops, "%x%n", &v, &k) == 1) {
        t->op[t->oplen++] = (uint8_t)v;
        ops += k;
    }
    t->form = (uint8_t)form;
    t->sizes = (uint8_t)sizes;
    t->imm = (uint8_t)imm;
    t->rm = (uint8_t)rm;
    t->tf = tf;
    t->use = use;
    t->def = def;
    t->undef = undef;
    return t;
}

static struct tmpl *ext(struct tmpl *t, unsigned e)
{
    t->form = FORM_EXT;
    t->ext = (uint8_t)e;
    return t;
}

static struct tmpl *alu(const char *op, const char *suffix, unsigned opc, unsigned form,
                        unsigned sizes, unsigned imm, unsigned tf, unsigned use, unsigned def,
                        unsigned undef)
{
    char n[40], ops[8];
    snprintf(n, sizeof n, "%s %s", op, suffix);
    snprintf(ops, sizeof ops, "%x", opc);
    return add(n, ops, form, sizes, imm, form == FORM_NONE ? RM_NONE : RM_ANY, tf, use, def, undef);
}

static void build_alu(void)
{
    static const char *names[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    for (unsigned k = 0; k < 8; k++) {
        unsigned u = (k == 2 || k == 3) ? CF : 0, d = ALLF, x = 0;
        unsigned lock = k == 7 ? 0 : T_LOCK, b = k * 8;
        const char *n = names[k];
        if (k == 1 || k == 4 || k == 6)
            d = ALLF & ~AF, x = AF;
        alu(n, "rm,r", b + 1, FORM_MODRM, SZ_V, IMM_NONE, lock, u, d, x);
        alu(n, "rm8,r8", b + 0, FORM_MODRM, SZ_B, IMM_NONE, lock, u, d, x);
        alu(n, "r,rm", b + 3, FORM_MODRM, SZ_V, IMM_NONE, 0, u, d, x);
        alu(n, "r8,rm8", b + 2, FORM_MODRM, SZ_B, IMM_NONE, 0, u, d, x);
        alu(n, "a,imm", b + 5, FORM_NONE, SZ_V, IMM_Z, 0, u, d, x);
        alu(n, "al,imm8", b + 4, FORM_NONE, SZ_B, IMM_8, 0, u, d, x);
        ext(alu(n, "rm,imm", 0x81, FORM_EXT, SZ_V, IMM_Z, lock, u, d, x), k);
        ext(alu(n, "rm,imm8", 0x83, FORM_EXT, SZ_V, IMM_8, lock, u, d, x), k);
        ext(alu(n, "rm8,imm8", 0x80, FORM_EXT, SZ_B, IMM_8, lock, u, d, x), k);
    }
}

static void build_shifts(void)
{
    static const char *names[8] = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
    for (unsigned k = 0; k < 8; k++) {
        char n[40];
        snprintf(n, sizeof n, "%s rm,imm8", names[k]);
        ext(add(n, "c1", 0, SZ_V, IMM_U8, RM_ANY, T_SHIFT, 0, 0, 0), k);
        snprintf(n, sizeof n, "%s rm8,imm8", names[k]);
        ext(add(n, "c0", 0, SZ_B, IMM_U8, RM_ANY, T_SHIFT, 0, 0, 0), k);
        snprintf(n, sizeof n, "%s rm,1", names[k]);
        ext(add(n, "d1", 0, SZ_V, IMM_NONE, RM_ANY, T_SHIFT | T_ONE, 0, 0, 0), k);
        snprintf(n, sizeof n, "%s rm8,1", names[k]);
        ext(add(n, "d0", 0, SZ_B, IMM_NONE, RM_ANY, T_SHIFT | T_ONE, 0, 0, 0), k);
        snprintf(n, sizeof n, "%s rm,cl", names[k]);
        ext(add(n, "d3", 0, SZ_V, IMM_NONE, RM_ANY, T_SHIFT | T_CL, 0, 0, 0), k);
        snprintf(n, sizeof n, "%s rm8,cl", names[k]);
        ext(add(n, "d2", 0, SZ_B, IMM_NONE, RM_ANY, T_SHIFT | T_CL, 0, 0, 0), k);
    }
    add("shld rm,r,imm8", "0f a4", FORM_MODRM, SZ_V, IMM_U8, RM_ANY, T_DSHIFT, 0, 0, 0);
    add("shld rm,r,cl", "0f a5", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, T_DSHIFT | T_CL, 0, 0, 0);
    add("shrd rm,r,imm8", "0f ac", FORM_MODRM, SZ_V, IMM_U8, RM_ANY, T_DSHIFT, 0, 0, 0);
    add("shrd rm,r,cl", "0f ad", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, T_DSHIFT | T_CL, 0, 0, 0);
}

static void build_unary(void)
{
    const unsigned logic = ALLF & ~AF, mulu = SF | ZF | AF | PF;
    ext(add("test rm,imm", "f7", 0, SZ_V, IMM_Z, RM_ANY, 0, 0, logic, AF), 0);
    ext(add("test rm8,imm8", "f6", 0, SZ_B, IMM_8, RM_ANY, 0, 0, logic, AF), 0);
    add("test rm,r", "85", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, 0, 0, logic, AF);
    add("test rm8,r8", "84", FORM_MODRM, SZ_B, IMM_NONE, RM_ANY, 0, 0, logic, AF);
    add("test a,imm", "a9", FORM_NONE, SZ_V, IMM_Z, RM_NONE, 0, 0, logic, AF);
    add("test al,imm8", "a8", FORM_NONE, SZ_B, IMM_8, RM_NONE, 0, 0, logic, AF);
    ext(add("not rm", "f7", 0, SZ_V, IMM_NONE, RM_ANY, T_LOCK, 0, 0, 0), 2);
    ext(add("not rm8", "f6", 0, SZ_B, IMM_NONE, RM_ANY, T_LOCK, 0, 0, 0), 2);
    ext(add("neg rm", "f7", 0, SZ_V, IMM_NONE, RM_ANY, T_LOCK, 0, ALLF, 0), 3);
    ext(add("neg rm8", "f6", 0, SZ_B, IMM_NONE, RM_ANY, T_LOCK, 0, ALLF, 0), 3);
    ext(add("inc rm", "ff", 0, SZ_V, IMM_NONE, RM_ANY, T_LOCK, 0, ALLF & ~CF, 0), 0);
    ext(add("inc rm8", "fe", 0, SZ_B, IMM_NONE, RM_ANY, T_LOCK, 0, ALLF & ~CF, 0), 0);
    ext(add("dec rm", "ff", 0, SZ_V, IMM_NONE, RM_ANY, T_LOCK, 0, ALLF & ~CF, 0), 1);
    ext(add("dec rm8", "fe", 0, SZ_B, IMM_NONE, RM_ANY, T_LOCK, 0, ALLF & ~CF, 0), 1);
    ext(add("mul rm", "f7", 0, SZ_V, IMM_NONE, RM_ANY, 0, 0, CF | OF, mulu), 4);
    ext(add("mul rm8", "f6", 0, SZ_B, IMM_NONE, RM_ANY, 0, 0, CF | OF, mulu), 4);
    ext(add("imul rm", "f7", 0, SZ_V, IMM_NONE, RM_ANY, 0, 0, CF | OF, mulu), 5);
    ext(add("imul rm8", "f6", 0, SZ_B, IMM_NONE, RM_ANY, 0, 0, CF | OF, mulu), 5);
    ext(add("div rm", "f7", 0, SZ_V, IMM_NONE, RM_ANY, 0, 0, 0, ALLF), 6);
    ext(add("div rm8", "f6", 0, SZ_B, IMM_NONE, RM_ANY, 0, 0, 0, ALLF), 6);
    ext(add("idiv rm", "f7", 0, SZ_V, IMM_NONE, RM_ANY, 0, 0, 0, ALLF), 7);
    ext(add("idiv rm8", "f6", 0, SZ_B, IMM_NONE, RM_ANY, 0, 0, 0, ALLF), 7);
    add("imul r,rm", "0f af", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, 0, 0, CF | OF, mulu);
    add("imul r,rm,imm", "69", FORM_MODRM, SZ_V, IMM_Z, RM_ANY, 0, 0, CF | OF, mulu);
    add("imul r,rm,imm8", "6b", FORM_MODRM, SZ_V, IMM_8, RM_ANY, 0, 0, CF | OF, mulu);
}

static void build_bits(void)
{
    const unsigned btu = OF | SF | AF | PF;
    add("bt rm,r", "0f a3", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, 0, 0, CF, btu);
    add("bts rm,r", "0f ab", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, T_LOCK, 0, CF, btu);
    add("btr rm,r", "0f b3", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, T_LOCK, 0, CF, btu);
    add("btc rm,r", "0f bb", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, T_LOCK, 0, CF, btu);
    ext(add("bt rm,imm8", "0f ba", 0, SZ_V, IMM_U8, RM_ANY, 0, 0, CF, btu), 4);
    ext(add("bts rm,imm8", "0f ba", 0, SZ_V, IMM_U8, RM_ANY, T_LOCK, 0, CF, btu), 5);
    ext(add("btr rm,imm8", "0f ba", 0, SZ_V, IMM_U8, RM_ANY, T_LOCK, 0, CF, btu), 6);
    ext(add("btc rm,imm8", "0f ba", 0, SZ_V, IMM_U8, RM_ANY, T_LOCK, 0, CF, btu), 7);
    add("bsf r,rm", "0f bc", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, 0, 0, ZF, ALLF & ~ZF);
    add("bsr r,rm", "0f bd", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, 0, 0, ZF, ALLF & ~ZF);
    add("tzcnt r,rm", "f3 0f bc", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, T_PFX1, 0, CF | ZF, btu);
    add("lzcnt r,rm", "f3 0f bd", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, T_PFX1, 0, CF | ZF, btu);
    add("popcnt r,rm", "f3 0f b8", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, T_PFX1, 0, ALLF, 0);
    add("bswap r", "0f c8", FORM_OPREG, SZ_D | SZ_Q, IMM_NONE, RM_NONE, 0, 0, 0, 0);
    add("movbe r,m", "0f 38 f0", FORM_MODRM, SZ_V, IMM_NONE, RM_MEM, 0, 0, 0, 0);
    add("movbe m,r", "0f 38 f1", FORM_MODRM, SZ_V, IMM_NONE, RM_MEM, 0, 0, 0, 0);
}

static void build_moves(void)
{
    add("mov rm,r", "89", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, 0, 0, 0, 0);
    add("mov rm8,r8", "88", FORM_MODRM, SZ_B, IMM_NONE, RM_ANY, 0, 0, 0, 0);
    add("mov r,rm", "8b", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, 0, 0, 0, 0);
    add("mov r8,rm8", "8a", FORM_MODRM, SZ_B, IMM_NONE, RM_ANY, 0, 0, 0, 0);
    ext(add("mov rm,imm", "c7", 0, SZ_V, IMM_Z, RM_ANY, 0, 0, 0, 0), 0);
    ext(add("mov rm8,imm8", "c6", 0, SZ_B, IMM_8, RM_ANY, 0, 0, 0, 0), 0);
    add("mov r,imm", "b8", FORM_OPREG, SZ_V, IMM_V, RM_NONE, 0, 0, 0, 0);
    add("mov r8,imm8", "b0", FORM_OPREG, SZ_B, IMM_8, RM_NONE, 0, 0, 0, 0);
    add("movzx r,rm8", "0f b6", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, T_SRC8, 0, 0, 0);
    add("movzx r,rm16", "0f b7", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, 0, 0, 0, 0);
    add("movsx r,rm8", "0f be", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, T_SRC8, 0, 0, 0);
    add("movsx r,rm16", "0f bf", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, 0, 0, 0, 0);
    add("movsxd r,rm32", "63", FORM_MODRM, SZ_D | SZ_Q, IMM_NONE, RM_ANY, T_ONLY64, 0, 0, 0);
    add("lea r,m", "8d", FORM_MODRM, SZ_V, IMM_NONE, RM_MEM, 0, 0, 0, 0);
    add("xchg rm,r", "87", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, T_LOCK, 0, 0, 0);
    add("xchg rm8,r8", "86", FORM_MODRM, SZ_B, IMM_NONE, RM_ANY, T_LOCK, 0, 0, 0);
    add("xchg a,r", "90", FORM_OPREG, SZ_V, IMM_NONE, RM_NONE, 0, 0, 0, 0);
    add("cmovcc r,rm", "0f 40", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, T_CC, ALLF, 0, 0);
    add("setcc rm8", "0f 90", FORM_EXT, SZ_B, IMM_NONE, RM_ANY, T_CC, ALLF, 0, 0);
    add("cbw/cwde/cdqe", "98", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, 0, 0, 0, 0);
    add("cwd/cdq/cqo", "99", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, 0, 0, 0, 0);
    add("xadd rm,r", "0f c1", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, T_LOCK, 0, ALLF, 0);
    add("xadd rm8,r8", "0f c0", FORM_MODRM, SZ_B, IMM_NONE, RM_ANY, T_LOCK, 0, ALLF, 0);
    add("cmpxchg rm,r", "0f b1", FORM_MODRM, SZ_V, IMM_NONE, RM_ANY, T_LOCK, 0, ALLF, 0);
    add("cmpxchg rm8,r8", "0f b0", FORM_MODRM, SZ_B, IMM_NONE, RM_ANY, T_LOCK, 0, ALLF, 0);
    ext(add("cmpxchg8b m", "0f c7", 0, SZ_D, IMM_NONE, RM_MEM, T_LOCK, 0, ZF, 0), 1);
    ext(add("cmpxchg16b m", "0f c7", 0, SZ_Q, IMM_NONE, RM_MEM, T_LOCK | T_ONLY64 | T_ALIGN16, 0,
            ZF, 0),
        1);
    add("xlat", "d7", FORM_NONE, SZ_B, IMM_NONE, RM_NONE, 0, 0, 0, 0);
}

static void build_stack_branch(void)
{
    add("push r", "50", FORM_OPREG, SZ_V, IMM_NONE, RM_NONE, T_D64, 0, 0, 0);
    add("pop r", "58", FORM_OPREG, SZ_V, IMM_NONE, RM_NONE, T_D64, 0, 0, 0);
    add("push imm", "68", FORM_NONE, SZ_V, IMM_Z, RM_NONE, T_D64, 0, 0, 0);
    add("push imm8", "6a", FORM_NONE, SZ_V, IMM_8, RM_NONE, T_D64, 0, 0, 0);
    ext(add("push rm", "ff", 0, SZ_V, IMM_NONE, RM_ANY, T_D64, 0, 0, 0), 6);
    ext(add("pop rm", "8f", 0, SZ_V, IMM_NONE, RM_ANY, T_D64, 0, 0, 0), 0);
    add("inc r (40+r)", "40", FORM_OPREG, SZ_V, IMM_NONE, RM_NONE, T_ONLY32, 0, ALLF & ~CF, 0);
    add("dec r (48+r)", "48", FORM_OPREG, SZ_V, IMM_NONE, RM_NONE, T_ONLY32, 0, ALLF & ~CF, 0);
    add("push es", "06", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_D64 | T_ONLY32, 0, 0, 0);
    add("push cs", "0e", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_D64 | T_ONLY32, 0, 0, 0);
    add("push ss", "16", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_D64 | T_ONLY32, 0, 0, 0);
    add("push ds", "1e", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_D64 | T_ONLY32, 0, 0, 0);
    add("push fs", "0f a0", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_D64, 0, 0, 0);
    add("push gs", "0f a8", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_D64, 0, 0, 0);
    add("mov rm,sreg", "8c", FORM_EXT, SZ_V, IMM_NONE, RM_ANY, T_SREG, 0, 0, 0);
    add("pushf", "9c", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_D64, ALLF, 0, 0);
    add("push imm; popf", "9d", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_D64 | T_POPF, 0, ALLF, 0);
    add("enter", "c8", FORM_NONE, SZ_V, IMM_ENTER, RM_NONE, T_D64 | T_ONLY64, 0, 0, 0);
    add("leave", "c9", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_D64 | T_ONLY64, 0, 0, 0);
    add("lahf", "9f", FORM_NONE, 0, IMM_NONE, RM_NONE, 0, ALLF & ~OF, 0, 0);
    add("sahf", "9e", FORM_NONE, 0, IMM_NONE, RM_NONE, 0, 0, ALLF & ~OF, 0);
    add("clc", "f8", FORM_NONE, 0, IMM_NONE, RM_NONE, 0, 0, CF, 0);
    add("stc", "f9", FORM_NONE, 0, IMM_NONE, RM_NONE, 0, 0, CF, 0);
    add("cmc", "f5", FORM_NONE, 0, IMM_NONE, RM_NONE, 0, CF, CF, 0);
    add("cld", "fc", FORM_NONE, 0, IMM_NONE, RM_NONE, 0, 0, 0, 0);
    add("std", "fd", FORM_NONE, 0, IMM_NONE, RM_NONE, 0, 0, 0, 0);
    add("jcc rel8", "70", FORM_NONE, 0, IMM_REL8, RM_NONE, T_CC | T_BRANCH, ALLF, 0, 0);
    add("jcc rel32", "0f 80", FORM_NONE, 0, IMM_REL32, RM_NONE, T_CC | T_BRANCH, ALLF, 0, 0);
    add("jmp rel8", "eb", FORM_NONE, 0, IMM_REL8, RM_NONE, T_BRANCH, 0, 0, 0);
    add("jmp rel32", "e9", FORM_NONE, 0, IMM_REL32, RM_NONE, T_BRANCH, 0, 0, 0);
    add("call rel32", "e8", FORM_NONE, 0, IMM_REL32, RM_NONE, T_BRANCH | T_CALL, 0, 0, 0);
    add("loop", "e2", FORM_NONE, 0, IMM_REL8, RM_NONE, T_BRANCH, 0, 0, 0);
    add("loope", "e1", FORM_NONE, 0, IMM_REL8, RM_NONE, T_BRANCH, ZF, 0, 0);
    add("loopne", "e0", FORM_NONE, 0, IMM_REL8, RM_NONE, T_BRANCH, ZF, 0, 0);
    add("jrcxz", "e3", FORM_NONE, 0, IMM_REL8, RM_NONE, T_BRANCH, 0, 0, 0);
    add("ret", "c3", FORM_NONE, 0, IMM_NONE, RM_NONE, T_RARE | T_RET, 0, 0, 0);
    add("ret imm16", "c2", FORM_NONE, 0, IMM_16, RM_NONE, T_RARE | T_RET, 0, 0, 0);
    ext(add("jmp rm", "ff", 0, SZ_V, IMM_NONE, RM_ANY, T_F64 | T_RARE, 0, 0, 0), 4);
    ext(add("call rm", "ff", 0, SZ_V, IMM_NONE, RM_ANY, T_F64 | T_RARE, 0, 0, 0), 2);
}

static void build_strings(void)
{
    static const struct {
        const char *name;
        unsigned op, def;
    } s[] = {{"movs", 0xa4, 0},
             {"cmps", 0xa6, ALLF},
             {"stos", 0xaa, 0},
             {"lods", 0xac, 0},
             {"scas", 0xae, ALLF}};
    for (unsigned k = 0; k < sizeof s / sizeof s[0]; k++) {
        char n[40], ops[8];
        snprintf(n, sizeof n, "%sb", s[k].name);
        snprintf(ops, sizeof ops, "%x", s[k].op);
        add(n, ops, FORM_NONE, SZ_B, IMM_NONE, RM_NONE, T_STRING, 0, s[k].def, 0);
        snprintf(n, sizeof n, "%s", s[k].name);
        snprintf(ops, sizeof ops, "%x", s[k].op + 1);
        add(n, ops, FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_STRING, 0, s[k].def, 0);
    }
}

static void build_misc(void)
{
    add("nop", "90", FORM_NONE, 0, IMM_NONE, RM_NONE, 0, 0, 0, 0);
    ext(add("nop rm", "0f 1f", 0, SZ_V, IMM_NONE, RM_ANY, 0, 0, 0, 0), 0);
    add("pause", "f3 90", FORM_NONE, 0, IMM_NONE, RM_NONE, 0, 0, 0, 0);
    /* port I/O and CLI/STI: #GP(0) at CPL 3 with IOPL 0, as Linux runs user code */
    add("in al,imm8", "e4", FORM_NONE, SZ_B, IMM_U8, RM_NONE, T_RARE, 0, 0, 0);
    add("in a,imm8", "e5", FORM_NONE, SZ_V, IMM_U8, RM_NONE, T_RARE, 0, 0, 0);
    add("out imm8,al", "e6", FORM_NONE, SZ_B, IMM_U8, RM_NONE, T_RARE, 0, 0, 0);
    add("out imm8,a", "e7", FORM_NONE, SZ_V, IMM_U8, RM_NONE, T_RARE, 0, 0, 0);
    add("in al,dx", "ec", FORM_NONE, SZ_B, IMM_NONE, RM_NONE, T_RARE, 0, 0, 0);
    add("in a,dx", "ed", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_RARE, 0, 0, 0);
    add("out dx,al", "ee", FORM_NONE, SZ_B, IMM_NONE, RM_NONE, T_RARE, 0, 0, 0);
    add("out dx,a", "ef", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_RARE, 0, 0, 0);
    add("insb", "6c", FORM_NONE, SZ_B, IMM_NONE, RM_NONE, T_STRING | T_RARE, 0, 0, 0);
    add("ins", "6d", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_STRING | T_RARE, 0, 0, 0);
    add("outsb", "6e", FORM_NONE, SZ_B, IMM_NONE, RM_NONE, T_STRING | T_RARE, 0, 0, 0);
    add("outs", "6f", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_STRING | T_RARE, 0, 0, 0);
    add("cli", "fa", FORM_NONE, 0, IMM_NONE, RM_NONE, T_RARE, 0, 0, 0);
    add("sti", "fb", FORM_NONE, 0, IMM_NONE, RM_NONE, T_RARE, 0, 0, 0);
    add("int3", "cc", FORM_NONE, 0, IMM_NONE, RM_NONE, T_RARE, 0, 0, 0);
    add("ud2", "0f 0b", FORM_NONE, 0, IMM_NONE, RM_NONE, T_RARE, 0, 0, 0);
    add("hlt", "f4", FORM_NONE, 0, IMM_NONE, RM_NONE, T_RARE, 0, 0, 0);
    static const char *inval64[] = {"06", "07", "0e", "16", "17", "1e", "1f", "27", "2f",
                                    "37", "3f", "60", "61", "ce", "d4", "d5", "d6"};
    for (unsigned k = 0; k < sizeof inval64 / sizeof inval64[0]; k++) {
        char n[40];
        snprintf(n, sizeof n, "invalid64 %s", inval64[k]);
        add(n, inval64[k], FORM_NONE, 0, IMM_NONE, RM_NONE, T_ONLY64 | T_RARE, 0, 0, 0);
    }
    add("too long", "90", FORM_NONE, 0, IMM_NONE, RM_NONE, T_TOOLONG | T_RARE, 0, 0, 0);
    /* outside 64-bit mode: decimal adjustments and PUSHA/POPA (SDM Vol 2A/2B) */
    add("daa", "27", FORM_NONE, 0, IMM_NONE, RM_NONE, T_ONLY32, CF | AF, ALLF & ~OF, OF);
    add("das", "2f", FORM_NONE, 0, IMM_NONE, RM_NONE, T_ONLY32, CF | AF, ALLF & ~OF, OF);
    add("aaa", "37", FORM_NONE, 0, IMM_NONE, RM_NONE, T_ONLY32, AF, CF | AF, OF | SF | ZF | PF);
    add("aas", "3f", FORM_NONE, 0, IMM_NONE, RM_NONE, T_ONLY32, AF, CF | AF, OF | SF | ZF | PF);
    add("aam imm8", "d4", FORM_NONE, 0, IMM_U8, RM_NONE, T_ONLY32, 0, SF | ZF | PF, OF | AF | CF);
    add("aad imm8", "d5", FORM_NONE, 0, IMM_U8, RM_NONE, T_ONLY32, 0, SF | ZF | PF, OF | AF | CF);
    add("pusha", "60", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_ONLY32, 0, 0, 0);
    add("popa", "61", FORM_NONE, SZ_V, IMM_NONE, RM_NONE, T_ONLY32, 0, 0, 0);
}

/*
 * Forms the host CPU lacks would diverge for the wrong reason (an older CPU
 * runs F3 0F BD as BSR, and MOVBE as #UD): they are left out.
 */
static bool host_has(const char *name)
{
    unsigned a, b, c, d;
    if (!strncmp(name, "movbe", 5))
        return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 22));
    if (!strncmp(name, "popcnt", 6))
        return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 23));
    if (!strncmp(name, "lzcnt", 5))
        return __get_cpuid(0x80000001, &a, &b, &c, &d) && (c & (1u << 5));
    if (!strncmp(name, "tzcnt", 5))
        return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 3));
    if (!strncmp(name, "cmpxchg16b", 10))
        return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 13));
    return true;
}

static void drop_missing(void)
{
    unsigned n = 0;
    for (unsigned k = 0; k < gen_ntmpls; k++)
        if (host_has(gen_tmpls[k].name))
            gen_tmpls[n++] = gen_tmpls[k];
    gen_ntmpls = n;
}

void gen_init(void)
{
    if (gen_ntmpls)
        return;
    build_alu();
    build_shifts();
    build_unary();
    build_bits();
    build_moves();
    build_stack_branch();
    build_strings();
    build_misc();
    gen_build_x87();
    drop_missing();
}

struct tmpl *gen_add(const char *name, const char *ops, unsigned form, unsigned sizes, unsigned imm,
                     unsigned rm, unsigned tf, unsigned use, unsigned def, unsigned undef)
{
    return add(name, ops, form, sizes, imm, rm, tf, use, def, undef);
}

struct tmpl *gen_ext(struct tmpl *t, unsigned e)
{
    return ext(t, e);
}
