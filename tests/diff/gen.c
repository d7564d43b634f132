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

const char *const gen_class_names[NUM_CLS] = {
    [CLS_INT] = "int",   [CLS_X87] = "x87",   [CLS_MMX] = "mmx",     [CLS_SSE] = "sse",
    [CLS_SSE2] = "sse2", [CLS_SSE3] = "sse3", [CLS_SSSE3] = "ssse3", [CLS_STATE] = "state",
};

unsigned gen_parse_classes(const char *list)
{
    unsigned mask = 0;
    while (*list) {
        size_t n = strcspn(list, ",");
        unsigned k;
        if (n == 3 && !strncmp(list, "all", 3)) {
            mask |= CLS_ALL;
        } else {
            for (k = 0; k < NUM_CLS; k++)
                if (strlen(gen_class_names[k]) == n && !strncmp(list, gen_class_names[k], n))
                    break;
            if (k == NUM_CLS) {
                fprintf(stderr, "difftest: -c: unknown class '%.*s' (have: all", (int)n, list);
                for (k = 0; k < NUM_CLS; k++)
                    fprintf(stderr, " %s", gen_class_names[k]);
                fprintf(stderr, ")\n");
                return 0;
            }
            mask |= 1u << k;
        }
        list += n + (list[n] == ',');
    }
    return mask;
}

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

/*
 * An MMX/SSE form: ops may start with its mandatory prefix (66, F2, F3);
 * kreg and krm say what ModRM.reg and a register r/m name.
 */
static struct tmpl *simd(unsigned cls, const char *name, const char *ops, unsigned kreg,
                         unsigned krm, unsigned rm, unsigned imm, unsigned tf)
{
    unsigned first = 0;
    sscanf(ops, "%x", &first);
    if (first == 0x66 || first == 0xf2 || first == 0xf3)
        tf |= T_PFX1;
    struct tmpl *t = add(name, ops, FORM_MODRM, 0, imm, rm, tf | T_SIMD, 0, 0, 0);
    t->kreg = (uint8_t)kreg;
    t->krm = (uint8_t)krm;
    t->cls = (uint8_t)cls;
    t->msize = kreg == OPK_XMM || krm == OPK_XMM ? 16 : 8;
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
 * The MMX and SSE integer forms with an MMX (no prefix) and an XMM (66)
 * variant: both with a register or memory source; the class of each, 0 for
 * none (MMX forms of the SSE era are class sse, SSE2's 64-bit lanes sse2).
 */
static const struct {
    const char *name, *op;
    uint8_t mm, xmm;
} mx_ops[] = {
    {"punpcklbw", "0f 60", CLS_MMX, CLS_SSE2},      {"punpcklwd", "0f 61", CLS_MMX, CLS_SSE2},
    {"punpckldq", "0f 62", CLS_MMX, CLS_SSE2},      {"packsswb", "0f 63", CLS_MMX, CLS_SSE2},
    {"pcmpgtb", "0f 64", CLS_MMX, CLS_SSE2},        {"pcmpgtw", "0f 65", CLS_MMX, CLS_SSE2},
    {"pcmpgtd", "0f 66", CLS_MMX, CLS_SSE2},        {"packuswb", "0f 67", CLS_MMX, CLS_SSE2},
    {"punpckhbw", "0f 68", CLS_MMX, CLS_SSE2},      {"punpckhwd", "0f 69", CLS_MMX, CLS_SSE2},
    {"punpckhdq", "0f 6a", CLS_MMX, CLS_SSE2},      {"packssdw", "0f 6b", CLS_MMX, CLS_SSE2},
    {"punpcklqdq", "0f 6c", 0, CLS_SSE2},           {"punpckhqdq", "0f 6d", 0, CLS_SSE2},
    {"pcmpeqb", "0f 74", CLS_MMX, CLS_SSE2},        {"pcmpeqw", "0f 75", CLS_MMX, CLS_SSE2},
    {"pcmpeqd", "0f 76", CLS_MMX, CLS_SSE2},        {"psrlw", "0f d1", CLS_MMX, CLS_SSE2},
    {"psrld", "0f d2", CLS_MMX, CLS_SSE2},          {"psrlq", "0f d3", CLS_MMX, CLS_SSE2},
    {"paddq", "0f d4", CLS_SSE2, CLS_SSE2},         {"pmullw", "0f d5", CLS_MMX, CLS_SSE2},
    {"psubusb", "0f d8", CLS_MMX, CLS_SSE2},        {"psubusw", "0f d9", CLS_MMX, CLS_SSE2},
    {"pminub", "0f da", CLS_SSE, CLS_SSE2},         {"pand", "0f db", CLS_MMX, CLS_SSE2},
    {"paddusb", "0f dc", CLS_MMX, CLS_SSE2},        {"paddusw", "0f dd", CLS_MMX, CLS_SSE2},
    {"pmaxub", "0f de", CLS_SSE, CLS_SSE2},         {"pandn", "0f df", CLS_MMX, CLS_SSE2},
    {"pavgb", "0f e0", CLS_SSE, CLS_SSE2},          {"psraw", "0f e1", CLS_MMX, CLS_SSE2},
    {"psrad", "0f e2", CLS_MMX, CLS_SSE2},          {"pavgw", "0f e3", CLS_SSE, CLS_SSE2},
    {"pmulhuw", "0f e4", CLS_SSE, CLS_SSE2},        {"pmulhw", "0f e5", CLS_MMX, CLS_SSE2},
    {"psubsb", "0f e8", CLS_MMX, CLS_SSE2},         {"psubsw", "0f e9", CLS_MMX, CLS_SSE2},
    {"pminsw", "0f ea", CLS_SSE, CLS_SSE2},         {"por", "0f eb", CLS_MMX, CLS_SSE2},
    {"paddsb", "0f ec", CLS_MMX, CLS_SSE2},         {"paddsw", "0f ed", CLS_MMX, CLS_SSE2},
    {"pmaxsw", "0f ee", CLS_SSE, CLS_SSE2},         {"pxor", "0f ef", CLS_MMX, CLS_SSE2},
    {"psllw", "0f f1", CLS_MMX, CLS_SSE2},          {"pslld", "0f f2", CLS_MMX, CLS_SSE2},
    {"psllq", "0f f3", CLS_MMX, CLS_SSE2},          {"pmuludq", "0f f4", CLS_SSE2, CLS_SSE2},
    {"pmaddwd", "0f f5", CLS_MMX, CLS_SSE2},        {"psadbw", "0f f6", CLS_SSE, CLS_SSE2},
    {"psubb", "0f f8", CLS_MMX, CLS_SSE2},          {"psubw", "0f f9", CLS_MMX, CLS_SSE2},
    {"psubd", "0f fa", CLS_MMX, CLS_SSE2},          {"psubq", "0f fb", CLS_SSE2, CLS_SSE2},
    {"paddb", "0f fc", CLS_MMX, CLS_SSE2},          {"paddw", "0f fd", CLS_MMX, CLS_SSE2},
    {"paddd", "0f fe", CLS_MMX, CLS_SSE2},          {"pshufb", "0f 38 00", CLS_SSSE3, CLS_SSSE3},
    {"phaddw", "0f 38 01", CLS_SSSE3, CLS_SSSE3},   {"phaddd", "0f 38 02", CLS_SSSE3, CLS_SSSE3},
    {"phaddsw", "0f 38 03", CLS_SSSE3, CLS_SSSE3},  {"pmaddubsw", "0f 38 04", CLS_SSSE3, CLS_SSSE3},
    {"phsubw", "0f 38 05", CLS_SSSE3, CLS_SSSE3},   {"phsubd", "0f 38 06", CLS_SSSE3, CLS_SSSE3},
    {"phsubsw", "0f 38 07", CLS_SSSE3, CLS_SSSE3},  {"psignb", "0f 38 08", CLS_SSSE3, CLS_SSSE3},
    {"psignw", "0f 38 09", CLS_SSSE3, CLS_SSSE3},   {"psignd", "0f 38 0a", CLS_SSSE3, CLS_SSSE3},
    {"pmulhrsw", "0f 38 0b", CLS_SSSE3, CLS_SSSE3}, {"pabsb", "0f 38 1c", CLS_SSSE3, CLS_SSSE3},
    {"pabsw", "0f 38 1d", CLS_SSSE3, CLS_SSSE3},    {"pabsd", "0f 38 1e", CLS_SSSE3, CLS_SSSE3},
};

static void build_simd_int(void)
{
    for (unsigned k = 0; k < sizeof mx_ops / sizeof mx_ops[0]; k++) {
        char n[40], ops[16];
        if (mx_ops[k].mm) {
            snprintf(n, sizeof n, "%s mm,mm/m64", mx_ops[k].name);
            simd(mx_ops[k].mm, n, mx_ops[k].op, OPK_MMX, OPK_MMX, RM_ANY, IMM_NONE, 0);
        }
        if (mx_ops[k].xmm) {
            snprintf(n, sizeof n, "%s xmm,xmm/m128", mx_ops[k].name);
            snprintf(ops, sizeof ops, "66 %s", mx_ops[k].op);
            simd(mx_ops[k].xmm, n, ops, OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, T_ALIGN16);
        }
    }
    simd(CLS_SSSE3, "palignr mm,mm/m64,imm8", "0f 3a 0f", OPK_MMX, OPK_MMX, RM_ANY, IMM_U8, 0);
    simd(CLS_SSSE3, "palignr xmm,xmm/m128,imm8", "66 0f 3a 0f", OPK_XMM, OPK_XMM, RM_ANY, IMM_U8,
         T_ALIGN16);
    simd(CLS_SSE, "pshufw mm,mm/m64,imm8", "0f 70", OPK_MMX, OPK_MMX, RM_ANY, IMM_U8, 0);
    simd(CLS_SSE2, "pshufd xmm,xmm/m128,imm8", "66 0f 70", OPK_XMM, OPK_XMM, RM_ANY, IMM_U8,
         T_ALIGN16);
    simd(CLS_SSE2, "pshufhw xmm,xmm/m128,imm8", "f3 0f 70", OPK_XMM, OPK_XMM, RM_ANY, IMM_U8,
         T_ALIGN16);
    simd(CLS_SSE2, "pshuflw xmm,xmm/m128,imm8", "f2 0f 70", OPK_XMM, OPK_XMM, RM_ANY, IMM_U8,
         T_ALIGN16);
    /* shifts by an immediate: groups 12, 13, 14 on a register */
    static const struct {
        const char *name, *op;
        uint8_t ext, xmm_only;
    } sh[] = {
        {"psrlw", "0f 71", 2, 0},  {"psraw", "0f 71", 4, 0},  {"psllw", "0f 71", 6, 0},
        {"psrld", "0f 72", 2, 0},  {"psrad", "0f 72", 4, 0},  {"pslld", "0f 72", 6, 0},
        {"psrlq", "0f 73", 2, 0},  {"psrldq", "0f 73", 3, 1}, {"psllq", "0f 73", 6, 0},
        {"pslldq", "0f 73", 7, 1},
    };
    for (unsigned k = 0; k < sizeof sh / sizeof sh[0]; k++) {
        char n[40], ops[16];
        if (!sh[k].xmm_only) {
            snprintf(n, sizeof n, "%s mm,imm8", sh[k].name);
            ext(simd(CLS_MMX, n, sh[k].op, OPK_MMX, OPK_MMX, RM_REG, IMM_U8, T_SCOUNT), sh[k].ext);
        }
        snprintf(n, sizeof n, "%s xmm,imm8", sh[k].name);
        snprintf(ops, sizeof ops, "66 %s", sh[k].op);
        ext(simd(CLS_SSE2, n, ops, OPK_XMM, OPK_XMM, RM_REG, IMM_U8, T_SCOUNT), sh[k].ext);
    }
    /* inserts, extracts and masks, with general registers */
    simd(CLS_SSE, "pinsrw mm,r32/m16,imm8", "0f c4", OPK_MMX, OPK_GPR, RM_ANY, IMM_U8, 0);
    simd(CLS_SSE2, "pinsrw xmm,r32/m16,imm8", "66 0f c4", OPK_XMM, OPK_GPR, RM_ANY, IMM_U8, 0);
    simd(CLS_SSE, "pextrw r32,mm,imm8", "0f c5", OPK_GPR, OPK_MMX, RM_REG, IMM_U8, 0);
    simd(CLS_SSE2, "pextrw r32,xmm,imm8", "66 0f c5", OPK_GPR, OPK_XMM, RM_REG, IMM_U8, 0);
    simd(CLS_SSE, "pmovmskb r32,mm", "0f d7", OPK_GPR, OPK_MMX, RM_REG, IMM_NONE, 0);
    simd(CLS_SSE2, "pmovmskb r32,xmm", "66 0f d7", OPK_GPR, OPK_XMM, RM_REG, IMM_NONE, 0);
    simd(CLS_SSE, "movmskps r32,xmm", "0f 50", OPK_GPR, OPK_XMM, RM_REG, IMM_NONE, 0);
    simd(CLS_SSE2, "movmskpd r32,xmm", "66 0f 50", OPK_GPR, OPK_XMM, RM_REG, IMM_NONE, 0);
    /* the float-typed logic, shuffles and unpacks */
    static const struct {
        const char *name, *op;
        uint8_t cls, imm;
    } fx[] = {
        {"andps", "0f 54", CLS_SSE, 0},    {"andpd", "66 0f 54", CLS_SSE2, 0},
        {"andnps", "0f 55", CLS_SSE, 0},   {"andnpd", "66 0f 55", CLS_SSE2, 0},
        {"orps", "0f 56", CLS_SSE, 0},     {"orpd", "66 0f 56", CLS_SSE2, 0},
        {"xorps", "0f 57", CLS_SSE, 0},    {"xorpd", "66 0f 57", CLS_SSE2, 0},
        {"unpcklps", "0f 14", CLS_SSE, 0}, {"unpcklpd", "66 0f 14", CLS_SSE2, 0},
        {"unpckhps", "0f 15", CLS_SSE, 0}, {"unpckhpd", "66 0f 15", CLS_SSE2, 0},
        {"shufps", "0f c6", CLS_SSE, 1},   {"shufpd", "66 0f c6", CLS_SSE2, 1},
    };
    for (unsigned k = 0; k < sizeof fx / sizeof fx[0]; k++)
        simd(fx[k].cls, fx[k].name, fx[k].op, OPK_XMM, OPK_XMM, RM_ANY,
             fx[k].imm ? IMM_U8 : IMM_NONE, T_ALIGN16);
}

static void build_simd_moves(void)
{
    const unsigned W = SZ_D | SZ_Q, A = T_ALIGN16;
    struct tmpl *t;
    t = simd(CLS_MMX, "movd mm,r/m32", "0f 6e", OPK_MMX, OPK_GPR, RM_ANY, IMM_NONE, 0);
    t->sizes = W;
    t = simd(CLS_MMX, "movd r/m32,mm", "0f 7e", OPK_MMX, OPK_GPR, RM_ANY, IMM_NONE, 0);
    t->sizes = W;
    t = simd(CLS_SSE2, "movd xmm,r/m32", "66 0f 6e", OPK_XMM, OPK_GPR, RM_ANY, IMM_NONE, 0);
    t->sizes = W;
    t = simd(CLS_SSE2, "movd r/m32,xmm", "66 0f 7e", OPK_XMM, OPK_GPR, RM_ANY, IMM_NONE, 0);
    t->sizes = W;
    simd(CLS_MMX, "movq mm,mm/m64", "0f 6f", OPK_MMX, OPK_MMX, RM_ANY, IMM_NONE, 0);
    simd(CLS_MMX, "movq mm/m64,mm", "0f 7f", OPK_MMX, OPK_MMX, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE2, "movq xmm,xmm/m64", "f3 0f 7e", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE2, "movq xmm/m64,xmm", "66 0f d6", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE2, "movq2dq xmm,mm", "f3 0f d6", OPK_XMM, OPK_MMX, RM_REG, IMM_NONE, 0);
    simd(CLS_SSE2, "movdq2q mm,xmm", "f2 0f d6", OPK_MMX, OPK_XMM, RM_REG, IMM_NONE, 0);
    simd(CLS_SSE, "movaps xmm,xmm/m128", "0f 28", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, A);
    simd(CLS_SSE, "movaps xmm/m128,xmm", "0f 29", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, A);
    simd(CLS_SSE2, "movapd xmm,xmm/m128", "66 0f 28", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, A);
    simd(CLS_SSE2, "movapd xmm/m128,xmm", "66 0f 29", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, A);
    simd(CLS_SSE2, "movdqa xmm,xmm/m128", "66 0f 6f", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, A);
    simd(CLS_SSE2, "movdqa xmm/m128,xmm", "66 0f 7f", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, A);
    simd(CLS_SSE, "movups xmm,xmm/m128", "0f 10", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE, "movups xmm/m128,xmm", "0f 11", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE2, "movupd xmm,xmm/m128", "66 0f 10", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE2, "movupd xmm/m128,xmm", "66 0f 11", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE2, "movdqu xmm,xmm/m128", "f3 0f 6f", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE2, "movdqu xmm/m128,xmm", "f3 0f 7f", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE3, "lddqu xmm,m128", "f2 0f f0", OPK_XMM, OPK_XMM, RM_MEM, IMM_NONE, 0);
    simd(CLS_SSE, "movss xmm,xmm/m32", "f3 0f 10", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE, "movss xmm/m32,xmm", "f3 0f 11", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE2, "movsd xmm,xmm/m64", "f2 0f 10", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE2, "movsd xmm/m64,xmm", "f2 0f 11", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE, "movlps/movhlps xmm,m64/xmm", "0f 12", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE, "movhps/movlhps xmm,m64/xmm", "0f 16", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE2, "movlpd xmm,m64", "66 0f 12", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE2, "movhpd xmm,m64", "66 0f 16", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE, "movlps m64,xmm", "0f 13", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE, "movhps m64,xmm", "0f 17", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE2, "movlpd m64,xmm", "66 0f 13", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE2, "movhpd m64,xmm", "66 0f 17", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE3, "movsldup xmm,xmm/m128", "f3 0f 12", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, A);
    simd(CLS_SSE3, "movshdup xmm,xmm/m128", "f3 0f 16", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, A);
    simd(CLS_SSE3, "movddup xmm,xmm/m64", "f2 0f 12", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
    simd(CLS_SSE, "movntq m64,mm", "0f e7", OPK_MMX, OPK_MMX, RM_MEM, IMM_NONE, 0);
    simd(CLS_SSE, "movntps m128,xmm", "0f 2b", OPK_XMM, OPK_XMM, RM_MEM, IMM_NONE, A);
    simd(CLS_SSE2, "movntpd m128,xmm", "66 0f 2b", OPK_XMM, OPK_XMM, RM_MEM, IMM_NONE, A);
    simd(CLS_SSE2, "movntdq m128,xmm", "66 0f e7", OPK_XMM, OPK_XMM, RM_MEM, IMM_NONE, A);
    t = simd(CLS_SSE2, "movnti m32,r32", "0f c3", OPK_GPR, OPK_GPR, RM_MEM, IMM_NONE, 0);
    t->sizes = W;
    simd(CLS_SSE, "maskmovq mm,mm", "0f f7", OPK_MMX, OPK_MMX, RM_REG, IMM_NONE, 0);
    simd(CLS_SSE2, "maskmovdqu xmm,xmm", "66 0f f7", OPK_XMM, OPK_XMM, RM_REG, IMM_NONE, 0);
    t = simd(CLS_MMX, "emms", "0f 77", 0, 0, RM_NONE, IMM_NONE, 0);
    t->form = FORM_NONE;
}

/* floating point: arithmetic, compares, conversions */
static void build_simd_fp(void)
{
    static const char *const ar[] = {"sqrt", "add", "mul", "sub", "min", "div", "max"};
    static const uint8_t arop[] = {0x51, 0x58, 0x59, 0x5c, 0x5d, 0x5e, 0x5f};
    static const struct {
        const char *sfx, *pfx;
        uint8_t cls;
        bool packed;
    } shape[] = {{"ps", "", CLS_SSE, true},
                 {"pd", "66 ", CLS_SSE2, true},
                 {"ss", "f3 ", CLS_SSE, false},
                 {"sd", "f2 ", CLS_SSE2, false}};
    char n[48], ops[16];
    struct tmpl *t;
    for (unsigned k = 0; k < sizeof ar / sizeof ar[0]; k++) {
        for (unsigned s = 0; s < 4; s++) {
            snprintf(n, sizeof n, "%s%s", ar[k], shape[s].sfx);
            snprintf(ops, sizeof ops, "%s0f %02x", shape[s].pfx, arop[k]);
            simd(shape[s].cls, n, ops, OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE,
                 shape[s].packed ? T_ALIGN16 : 0);
        }
    }
    for (unsigned s = 0; s < 4; s++) {
        snprintf(n, sizeof n, "cmp%s imm8", shape[s].sfx);
        snprintf(ops, sizeof ops, "%s0f c2", shape[s].pfx);
        simd(shape[s].cls, n, ops, OPK_XMM, OPK_XMM, RM_ANY, IMM_U8,
             shape[s].packed ? T_ALIGN16 : 0);
    }
    static const struct {
        const char *name, *op;
        uint8_t cls;
    } cmpf[] = {{"ucomiss", "0f 2e", CLS_SSE},
                {"comiss", "0f 2f", CLS_SSE},
                {"ucomisd", "66 0f 2e", CLS_SSE2},
                {"comisd", "66 0f 2f", CLS_SSE2}};
    for (unsigned k = 0; k < 4; k++) {
        t = simd(cmpf[k].cls, cmpf[k].name, cmpf[k].op, OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, 0);
        t->def = ALLF;
    }
    static const struct {
        const char *name, *op;
    } sse3[] = {{"haddpd", "66 0f 7c"}, {"haddps", "f2 0f 7c"},   {"hsubpd", "66 0f 7d"},
                {"hsubps", "f2 0f 7d"}, {"addsubpd", "66 0f d0"}, {"addsubps", "f2 0f d0"}};
    for (unsigned k = 0; k < sizeof sse3 / sizeof sse3[0]; k++)
        simd(CLS_SSE3, sse3[k].name, sse3[k].op, OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, T_ALIGN16);
    simd(CLS_SSE, "rsqrtps", "0f 52", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, T_ALIGN16 | T_APPROX4);
    simd(CLS_SSE, "rsqrtss", "f3 0f 52", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, T_APPROX1);
    simd(CLS_SSE, "rcpps", "0f 53", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, T_ALIGN16 | T_APPROX4);
    simd(CLS_SSE, "rcpss", "f3 0f 53", OPK_XMM, OPK_XMM, RM_ANY, IMM_NONE, T_APPROX1);
    /* conversions: what ModRM.reg and r/m name, and whether REX.W chooses 64 bits */
    static const struct {
        const char *name, *op;
        uint8_t cls, kreg, krm, w, align;
    } cvt[] = {
        {"cvtpi2ps xmm,mm/m64", "0f 2a", CLS_SSE, OPK_XMM, OPK_MMX, 0, 0},
        {"cvtpi2pd xmm,mm/m64", "66 0f 2a", CLS_SSE2, OPK_XMM, OPK_MMX, 0, 0},
        {"cvtsi2ss xmm,r/m", "f3 0f 2a", CLS_SSE, OPK_XMM, OPK_GPR, 1, 0},
        {"cvtsi2sd xmm,r/m", "f2 0f 2a", CLS_SSE2, OPK_XMM, OPK_GPR, 1, 0},
        {"cvttps2pi mm,xmm/m64", "0f 2c", CLS_SSE, OPK_MMX, OPK_XMM, 0, 0},
        {"cvttpd2pi mm,xmm/m128", "66 0f 2c", CLS_SSE2, OPK_MMX, OPK_XMM, 0, 1},
        {"cvttss2si r,xmm/m32", "f3 0f 2c", CLS_SSE, OPK_GPR, OPK_XMM, 1, 0},
        {"cvttsd2si r,xmm/m64", "f2 0f 2c", CLS_SSE2, OPK_GPR, OPK_XMM, 1, 0},
        {"cvtps2pi mm,xmm/m64", "0f 2d", CLS_SSE, OPK_MMX, OPK_XMM, 0, 0},
        {"cvtpd2pi mm,xmm/m128", "66 0f 2d", CLS_SSE2, OPK_MMX, OPK_XMM, 0, 1},
        {"cvtss2si r,xmm/m32", "f3 0f 2d", CLS_SSE, OPK_GPR, OPK_XMM, 1, 0},
        {"cvtsd2si r,xmm/m64", "f2 0f 2d", CLS_SSE2, OPK_GPR, OPK_XMM, 1, 0},
        {"cvtps2pd", "0f 5a", CLS_SSE2, OPK_XMM, OPK_XMM, 0, 0},
        {"cvtpd2ps", "66 0f 5a", CLS_SSE2, OPK_XMM, OPK_XMM, 0, 1},
        {"cvtss2sd", "f3 0f 5a", CLS_SSE2, OPK_XMM, OPK_XMM, 0, 0},
        {"cvtsd2ss", "f2 0f 5a", CLS_SSE2, OPK_XMM, OPK_XMM, 0, 0},
        {"cvtdq2ps", "0f 5b", CLS_SSE2, OPK_XMM, OPK_XMM, 0, 1},
        {"cvtps2dq", "66 0f 5b", CLS_SSE2, OPK_XMM, OPK_XMM, 0, 1},
        {"cvttps2dq", "f3 0f 5b", CLS_SSE2, OPK_XMM, OPK_XMM, 0, 1},
        {"cvttpd2dq", "66 0f e6", CLS_SSE2, OPK_XMM, OPK_XMM, 0, 1},
        {"cvtdq2pd", "f3 0f e6", CLS_SSE2, OPK_XMM, OPK_XMM, 0, 0},
        {"cvtpd2dq", "f2 0f e6", CLS_SSE2, OPK_XMM, OPK_XMM, 0, 1},
    };
    for (unsigned k = 0; k < sizeof cvt / sizeof cvt[0]; k++) {
        t = simd(cvt[k].cls, cvt[k].name, cvt[k].op, cvt[k].kreg, cvt[k].krm, RM_ANY, IMM_NONE,
                 cvt[k].align ? T_ALIGN16 : 0);
        if (cvt[k].w)
            t->sizes = SZ_D | SZ_Q;
    }
}

/* the save areas, MXCSR and XCR0 (class state) */
static void build_state(void)
{
    const unsigned W = SZ_D | SZ_Q;
    struct tmpl *t;
    t = ext(simd(CLS_STATE, "fxsave m512", "0f ae", 0, 0, RM_MEM, IMM_NONE, T_ALIGN16), 0);
    t->sizes = W, t->msize = 512;
    t = ext(simd(CLS_STATE, "fxrstor m512", "0f ae", 0, 0, RM_MEM, IMM_NONE, T_ALIGN16), 1);
    t->sizes = W, t->msize = 512;
    t = ext(simd(CLS_STATE, "ldmxcsr m32", "0f ae", 0, 0, RM_MEM, IMM_NONE, 0), 2);
    t->msize = 4;
    t = ext(simd(CLS_STATE, "stmxcsr m32", "0f ae", 0, 0, RM_MEM, IMM_NONE, 0), 3);
    t->msize = 4;
    static const char *const xs[3] = {"xsave m", "xrstor m", "xsaveopt m"};
    static const uint8_t xe[3] = {4, 5, 6};
    for (unsigned k = 0; k < 3; k++) {
        t = ext(simd(CLS_STATE, xs[k], "0f ae", 0, 0, RM_MEM, IMM_NONE, T_ALIGN64 | T_XMASK),
                xe[k]);
        t->sizes = W, t->msize = 64;
    }
    t = simd(CLS_STATE, "xgetbv", "0f 01 d0", 0, 0, RM_NONE, IMM_NONE, T_ECX0);
    t->form = FORM_NONE;
    t = simd(CLS_STATE, "xsetbv #GP at CPL 3", "0f 01 d1", 0, 0, RM_NONE, IMM_NONE, T_RARE);
    t->form = FORM_NONE;
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
    build_simd_int();
    build_simd_moves();
    build_simd_fp();
    build_state();
    gen_build_x87();
    drop_missing();
}

struct tmpl *gen_add(const char *name, const char *ops, unsigned form, unsigned sizes, unsigned imm,
                     unsigned rm, unsigned tf, unsigned use, unsigned def, unsigned undef)
{
    struct tmpl *t = add(name, ops, form, sizes, imm, rm, tf, use, def, undef);
    if (tf & T_X87)
        t->cls = CLS_X87;
    return t;
}

struct tmpl *gen_ext(struct tmpl *t, unsigned e)
{
    return ext(t, e);
}
