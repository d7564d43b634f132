/*
 * tests/diff/gen_x87.c: the x87 templates (SDM Vol 2D tables ):
 * every memory form by ModRM.reg, every register form (ST(i) in the opcode's
 * low bits), the fixed forms, the aliases silicon has, and WAIT. They carry
 * T_X87, which `difftest -c x87` selects alone. FCMOVcc reads the status
 * flags, FCOMI and friends define them; nothing else touches them.
 */
#include <stdio.h>

#include "tests/diff/gen.h"

#define ALLF 0x8d5u

static void mem(const char *name, const char *op, unsigned reg, unsigned sizes)
{
    gen_ext(gen_add(name, op, FORM_EXT, sizes, IMM_NONE, RM_MEM, T_X87, 0, 0, 0), reg);
}

static void sti(const char *name, const char *ops, unsigned use, unsigned def)
{
    gen_add(name, ops, FORM_OPREG, 0, IMM_NONE, RM_NONE, T_X87, use, def, 0);
}

static void fixed(const char *name, const char *ops)
{
    gen_add(name, ops, FORM_NONE, 0, IMM_NONE, RM_NONE, T_X87, 0, 0, 0);
}

void gen_build_x87(void)
{
    static const char *ar[8] = {"fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr"};
    static const char *dc[8] = {"fadd",  "fmul", "fcom2", "fcomp3",
                                "fsubr", "fsub", "fdivr", "fdiv"};
    static const char *de[8] = {"faddp",  "fmulp", "fcomp5", "",
                                "fsubrp", "fsubp", "fdivrp", "fdivp"};
    char n[40], ops[16];
    for (unsigned k = 0; k < 8; k++) {
        snprintf(n, sizeof n, "%s m32fp", ar[k]);
        mem(n, "d8", k, 0);
        snprintf(n, sizeof n, "%s m64fp", ar[k]);
        mem(n, "dc", k, 0);
        snprintf(n, sizeof n, "fi%s m32int", ar[k] + 1);
        mem(n, "da", k, 0);
        snprintf(n, sizeof n, "fi%s m16int", ar[k] + 1);
        mem(n, "de", k, 0);
        snprintf(n, sizeof n, "%s st,st(i)", ar[k]);
        snprintf(ops, sizeof ops, "d8 %x", 0xc0 + 8 * k);
        sti(n, ops, 0, 0);
        snprintf(n, sizeof n, "%s st(i),st", dc[k]);
        snprintf(ops, sizeof ops, "dc %x", 0xc0 + 8 * k);
        sti(n, ops, 0, 0);
        if (*de[k]) {
            snprintf(n, sizeof n, "%s st(i),st", de[k]);
            snprintf(ops, sizeof ops, "de %x", 0xc0 + 8 * k);
            sti(n, ops, 0, 0);
        }
    }
    fixed("fcompp", "de d9");

    /* loads, stores, control: D9, DB, DD, DF memory forms */
    mem("fld m32fp", "d9", 0, 0);
    mem("fst m32fp", "d9", 2, 0);
    mem("fstp m32fp", "d9", 3, 0);
    mem("fldenv", "d9", 4, SZ_W | SZ_D);
    mem("fldcw", "d9", 5, 0);
    mem("fnstenv", "d9", 6, SZ_W | SZ_D);
    mem("fnstcw", "d9", 7, 0);
    mem("fild m32int", "db", 0, 0);
    mem("fisttp m32int", "db", 1, 0);
    mem("fist m32int", "db", 2, 0);
    mem("fistp m32int", "db", 3, 0);
    mem("fld m80fp", "db", 5, 0);
    mem("fstp m80fp", "db", 7, 0);
    mem("fld m64fp", "dd", 0, 0);
    mem("fisttp m64int", "dd", 1, 0);
    mem("fst m64fp", "dd", 2, 0);
    mem("fstp m64fp", "dd", 3, 0);
    mem("frstor", "dd", 4, SZ_W | SZ_D);
    mem("fnsave", "dd", 6, SZ_W | SZ_D);
    mem("fnstsw m16", "dd", 7, 0);
    mem("fild m16int", "df", 0, 0);
    mem("fisttp m16int", "df", 1, 0);
    mem("fist m16int", "df", 2, 0);
    mem("fistp m16int", "df", 3, 0);
    mem("fbld m80bcd", "df", 4, 0);
    mem("fild m64int", "df", 5, 0);
    mem("fbstp m80bcd", "df", 6, 0);
    mem("fistp m64int", "df", 7, 0);

    /* register forms */
    sti("fld st(i)", "d9 c0", 0, 0);
    sti("fxch st(i)", "d9 c8", 0, 0);
    sti("fstp1 st(i)", "d9 d8", 0, 0);
    static const char *cmov[8] = {"fcmovb",  "fcmove",  "fcmovbe",  "fcmovu",
                                  "fcmovnb", "fcmovne", "fcmovnbe", "fcmovnu"};
    for (unsigned k = 0; k < 8; k++) {
        snprintf(n, sizeof n, "%s st,st(i)", cmov[k]);
        snprintf(ops, sizeof ops, "%x %x", k < 4 ? 0xda : 0xdb, 0xc0 + 8 * (k & 3));
        sti(n, ops, ALLF, 0);
    }
    sti("fucomi st,st(i)", "db e8", 0, ALLF);
    sti("fcomi st,st(i)", "db f0", 0, ALLF);
    sti("fucomip st,st(i)", "df e8", 0, ALLF);
    sti("fcomip st,st(i)", "df f0", 0, ALLF);
    sti("ffree st(i)", "dd c0", 0, 0);
    sti("fxch4 st(i)", "dd c8", 0, 0);
    sti("fst st(i)", "dd d0", 0, 0);
    sti("fstp st(i)", "dd d8", 0, 0);
    sti("fucom st(i)", "dd e0", 0, 0);
    sti("fucomp st(i)", "dd e8", 0, 0);
    sti("ffreep st(i)", "df c0", 0, 0);
    sti("fxch7 st(i)", "df c8", 0, 0);
    sti("fstp8 st(i)", "df d0", 0, 0);
    sti("fstp9 st(i)", "df d8", 0, 0);

    /* the fixed forms */
    static const struct {
        const char *name, *ops;
    } f[] = {
        {"fnop", "d9 d0"},    {"fchs", "d9 e0"},   {"fabs", "d9 e1"},      {"ftst", "d9 e4"},
        {"fxam", "d9 e5"},    {"fld1", "d9 e8"},   {"fldl2t", "d9 e9"},    {"fldl2e", "d9 ea"},
        {"fldpi", "d9 eb"},   {"fldlg2", "d9 ec"}, {"fldln2", "d9 ed"},    {"fldz", "d9 ee"},
        {"fxtract", "d9 f4"}, {"fprem1", "d9 f5"}, {"fdecstp", "d9 f6"},   {"fincstp", "d9 f7"},
        {"fprem", "d9 f8"},   {"fsqrt", "d9 fa"},  {"frndint", "d9 fc"},   {"fscale", "d9 fd"},
        {"fucompp", "da e9"}, {"feni", "db e0"},   {"fdisi", "db e1"},     {"fnclex", "db e2"},
        {"fninit", "db e3"},  {"fsetpm", "db e4"}, {"fnstsw ax", "df e0"}, {"fwait", "9b"},
    };
    for (unsigned k = 0; k < sizeof f / sizeof f[0]; k++)
        fixed(f[k].name, f[k].ops);
    static const struct {
        const char *name, *ops;
    } tr[] = {
        {"f2xm1", "d9 f0"},   {"fyl2x", "d9 f1"},   {"fptan", "d9 f2"}, {"fpatan", "d9 f3"},
        {"fyl2xp1", "d9 f9"}, {"fsincos", "d9 fb"}, {"fsin", "d9 fe"},  {"fcos", "d9 ff"},
    };
    for (unsigned k = 0; k < sizeof tr / sizeof tr[0]; k++)
        gen_add(tr[k].name, tr[k].ops, FORM_NONE, 0, IMM_NONE, RM_NONE, T_X87 | T_X87TR, 0, 0, 0);
}
