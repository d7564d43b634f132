/*
 * tests/diff/cases.c: the fixed cases. Every template in every operand size,
 * with a register and with a memory operand (twice, with different values),
 * and a list of hand-written sequences for the corners: faults, REP
 * restarts, page-crossing accesses, atomics, stack frames.
 */
#include <stdio.h>
#include <string.h>

#include "tests/diff/gen.h"

#define RSP_  4
#define R15_  15
#define NOSET 0xff

struct hand {
    const char *name;
    const char *hex;
    unsigned mode; /* 0 both, 64 or 32 only */
    struct {
        uint8_t reg;
        uint64_t val;
    } set[5];
    uint64_t rflags; /* 0: the generator's */
    unsigned undef;  /* status flags undefined at the end */
};

#define DVA DIFF_DATA_VA
#define GHI DIFF_GUARD_HI

/* registers: 0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP, 5 RBP, 6 RSI, 7 RDI */
static const struct hand int_hands[] = {
    {"div by zero #DE", "48 f7 f1", 64, {{1, 0}}, 0, 0},
    {"div 32 by zero #DE", "f7 f1", 0, {{1, 0}}, 0, 0},
    {"div quotient too wide #DE", "f7 f1", 0, {{0, 0}, {2, 5}, {1, 5}}, 0, 0},
    {"idiv INT64_MIN/-1 #DE", "48 f7 f9", 64, {{0, 1ull << 63}, {2, ~0ull}, {1, ~0ull}}, 0, 0},
    {"idiv INT32_MIN/-1 #DE",
     "f7 f9",
     0,
     {{0, 0x80000000}, {2, 0xffffffff}, {1, 0xffffffff}},
     0,
     0},
    {"idiv -7/2", "48 f7 f9", 64, {{0, (uint64_t)-7}, {2, ~0ull}, {1, 2}}, 0, 0x8d5},
    {"idiv8 -128/-1 #DE", "f6 f9", 0, {{0, 0xff80}, {1, 0xff}}, 0, 0},
    {"div8 ok", "f6 f1", 0, {{0, 0x1234}, {1, 0x56}}, 0, 0x8d5},
    {"mul128", "48 f7 e1", 64, {{0, ~0ull}, {1, ~0ull}}, 0, 0xd4},
    {"length 15 is fine", "66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", 0, {{0, 0}}, 0, 0},
    {"length 16 #GP", "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", 0, {{0, 0}}, 0, 0},
    {"rex then prefix ignores rex", "48 66 01 c0", 64, {{0, ~0ull}}, 0, 0},
    {"two rex: the last counts", "41 48 01 c0", 64, {{0, 1ull << 40}}, 0, 0},
    {"lock add reg #UD", "f0 01 c0", 0, {{0, 0}}, 0, 0},
    {"lock nop #UD", "f0 90", 0, {{0, 0}}, 0, 0},
    {"lock cmp mem #UD", "f0 41 39 07", 64, {{0, 0}}, 0, 0},
    {"lock add mem", "f0 41 01 07", 64, {{0, 5}}, 0, 0},
    {"lock add split across data pages", "f0 41 01 47 fe", 64, {{0, 0x01020304}}, 0, 0},
    {"lock xadd", "f0 49 0f c1 07", 64, {{0, 7}}, 0, 0},
    {"xchg mem", "49 87 07", 64, {{0, 0x1122334455667788ull}}, 0, 0},
    {"non-canonical load #GP", "48 8b 03", 64, {{3, 1ull << 63}}, 0, 0},
    {"32-bit load across 4 GiB", "8b 41 fe", 32, {{1, 0}}, 0, 0},
    {"32-bit fstp m80 across 4 GiB", "db 79 f9", 32, {{1, 0xffffffff}}, 0, 0},
    {"non-canonical push #SS", "50", 64, {{RSP_, 1ull << 63}}, 0, 0},
    {"non-canonical rbp load #SS", "48 8b 45 00", 64, {{5, 1ull << 63}}, 0, 0},
    {"unmapped load #PF", "48 8b 03", 64, {{3, 0x20000000}}, 0, 0},
    {"unmapped store #PF", "48 89 03", 64, {{3, 0x20000000}}, 0, 0},
    {"split load into guard #PF", "41 8b 87 fe 0f 00 00", 64, {{0, 0}}, 0, 0},
    {"split store into guard #PF", "41 89 87 fe 0f 00 00", 64, {{0, 0x55555555}}, 0, 0},
    {"split store across data pages", "41 89 47 fe", 64, {{0, 0xaabbccdd}}, 0, 0},
    {"store to code page #PF", "89 05 00 00 00 00", 64, {{0, 0}}, 0, 0},
    {"jmp non-canonical #GP", "ff e0", 64, {{0, 1ull << 63}}, 0, 0},
    {"jmp unmapped #PF", "ff e0", 64, {{0, 0x20000000}}, 0, 0},
    {"call unmapped #PF", "ff d0", 64, {{0, 0x20000000}}, 0, 0},
    {"ret to unmapped", "c3", 0, {{RSP_, DVA + 0x1800}}, 0, 0},
    {"call then ret", "e8 01 00 00 00 cc c3", 0, {{0, 0}}, 0, 0},
    {"ret imm16", "e8 01 00 00 00 cc c2 10 00", 0, {{0, 0}}, 0, 0},
    {"loop back three times", "ff c0 e2 fc", 0, {{0, 0}, {1, 3}}, 0, 0},
    {"loop with rcx 0 wraps", "e2 00", 0, {{1, 0}}, 0, 0},
    {"jrcxz taken", "e3 01 90", 0, {{1, 0}}, 0, 0},
    {"jecxz with 67", "67 e3 01 90", 64, {{1, 1ull << 32}}, 0, 0},
    {"rep movsb into guard restarts", "f3 a4", 64, {{6, GHI - 16}, {7, DVA}, {1, 100}}, 0, 0},
    {"rep movsb out of guard", "f3 a4", 64, {{6, DVA}, {7, GHI - 5}, {1, 100}}, 0, 0},
    {"rep stosq into guard", "f3 48 ab", 64, {{7, GHI - 0x20}, {1, 10}, {0, 0x77}}, 0, 0},
    {"rep stosd backwards", "fd f3 ab", 0, {{7, DVA + 0x100}, {1, 8}, {0, 0x99}}, 0, 0},
    {"repe cmpsb equal", "f3 a6", 0, {{6, DVA}, {7, DVA}, {1, 16}}, 0, 0},
    {"repe cmpsb differs", "f3 a6", 0, {{6, DVA}, {7, DVA + 8}, {1, 16}}, 0, 0},
    {"repne scasb", "f2 ae", 0, {{7, DVA}, {1, 64}, {0, 0}}, 0, 0},
    {"rep lodsw", "f3 66 ad", 0, {{6, DVA + 0x10}, {1, 5}}, 0, 0},
    {"movsq with a32", "67 48 a5", 64, {{6, DVA + 0x40}, {7, DVA + 0x80}}, 0, 0},
    {"rep movsb overlapping forward",
     "f3 a4",
     64,
     {{6, DVA + 0x100}, {7, DVA + 0x101}, {1, 300}},
     0,
     0},
    {"rep movsb overlapping backward",
     "f3 a4",
     64,
     {{6, DVA + 0x101}, {7, DVA + 0x100}, {1, 300}},
     0,
     0},
    {"rep movsq across pages", "f3 48 a5", 64, {{6, DVA + 0x10}, {7, DVA + 0xf00}, {1, 200}}, 0, 0},
    {"rep stosw across pages", "f3 66 ab", 64, {{7, DVA + 0xf01}, {1, 700}, {0, 0xbeef}}, 0, 0},
    {"rep stosd into guard after a run",
     "f3 ab",
     64,
     {{7, DVA + 0x1000}, {1, 2000}, {0, 0x5a5a}},
     0,
     0},
    {"rep movsb count 0", "f3 a4", 0, {{1, 0}, {6, 0x20000000}, {7, 0x20000000}}, 0, 0},
    {"cmpxchg16b misaligned #GP", "49 0f c7 4f 08", 64, {{0, 0}}, 0, 0},
    {"lock cmpxchg16b", "f0 49 0f c7 0f", 64, {{0, 0}}, 0, 0},
    {"cmpxchg8b", "41 0f c7 0f", 64, {{0, 0}}, 0, 0},
    {"cmpxchg equal", "41 0f b1 0f", 64, {{0, 0}}, 0, 0},
    {"bsf zero keeps dest", "48 0f bc c1", 64, {{1, 0}, {0, 0x1234}}, 0, 0x895},
    {"bsr 32 zero keeps dest", "0f bd c1", 0, {{1, 0}, {0, 0xffffffff}}, 0, 0x895},
    {"bt mem with big offset", "49 0f a3 07", 64, {{0, 0x3ff}}, 0, 0x894},
    {"bt mem with negative offset", "49 0f a3 07", 64, {{0, (uint64_t)-77}}, 0, 0x894},
    {"bts mem 16 negative offset", "66 41 0f ab 07", 64, {{0, 0xfff0}}, 0, 0x894},
    {"shl by 0 keeps flags", "d3 e0", 0, {{1, 0}, {0, 5}}, 0x8d7, 0},
    {"shl r32 by 0 (upper half)", "c1 e0 00", 64, {{0, 0xffffffff00000001ull}}, 0, 0},
    {"shl r32 by cl=32 (upper half)", "d3 e0", 64, {{0, 0xffffffff00000001ull}, {1, 32}}, 0, 0},
    {"shld r32 by 0 (upper half)", "0f a4 c8 00", 64, {{0, 0xffffffff00000001ull}}, 0, 0},
    {"bt r32 (upper half)", "0f a3 c8", 64, {{0, 0xffffffff00000001ull}}, 0, 0x894},
    {"rcl8 by 9", "d2 d0", 0, {{1, 9}, {0, 0x81}}, 0x203, 0x800},
    {"rcr16 by 17", "66 d3 d8", 0, {{1, 17}, {0, 0x8001}}, 0x203, 0x800},
    {"enter 16,0", "c8 10 00 00", 64, {{5, DVA + 0x1400}}, 0, 0},
    {"enter 8,2", "c8 08 00 02", 64, {{5, DVA + 0x1400}}, 0, 0},
    {"leave", "c9", 64, {{5, DVA + 0x1700}}, 0, 0},
    {"push rsp", "54", 64, {{0, 0}}, 0, 0},
    {"pop rsp", "5c", 64, {{0, 0}}, 0, 0},
    {"pop [rsp+8]", "8f 44 24 08", 64, {{0, 0}}, 0, 0},
    {"pushf popf ID", "9c 48 81 34 24 00 00 20 00 9d 9c 58", 64, {{0, 0}}, 0, 0},
    {"sahf lahf", "b4 d5 9e 9f", 0, {{0, 0}}, 0, 0},
    {"cmov false zero-extends", "0f 44 c1", 64, {{0, ~0ull}}, 0x202, 0},
    {"setcc spl", "40 0f 94 c4", 64, {{0, 0}}, 0x242, 0},
    {"mov ah via no rex", "88 e0", 0, {{0, 0x1234}}, 0, 0},
    {"movsxd", "48 63 c1", 64, {{1, 0x80000000}}, 0, 0},
    {"bswap 64", "48 0f c8", 64, {{0, 0x0102030405060708ull}}, 0, 0},
    {"xlat", "d7", 64, {{3, DVA + 0x100}, {0, 0x7f}}, 0, 0},
    {"lea 32 in 64", "8d 04 0b", 64, {{3, ~0ull}, {1, 2}}, 0, 0},
    {"lea a32", "67 8d 04 0b", 64, {{3, 0xffffffff}, {1, 2}}, 0, 0},
    {"lea 16", "66 8d 04 0b", 0, {{3, 0xffff}, {1, 2}}, 0, 0},
    {"rip-relative load", "48 8b 05 f9 ff 00 00", 64, {{0, 0}}, 0, 0},
    {"ud2 #UD", "0f 0b", 0, {{0, 0}}, 0, 0},
    {"hlt #GP", "f4", 0, {{0, 0}}, 0, 0},
    {"int3 mid-sequence", "cc 90", 0, {{0, 0}}, 0, 0},
    {"jmp short to end", "eb 00", 0, {{0, 0}}, 0, 0},
    {"cs override store #GP", "2e 89 45 00", 32, {{0, 0}}, 0, 0},
    {"32-bit push esp", "54", 32, {{0, 0}}, 0, 0},
    {"32-bit inc eax (40)", "40 48", 32, {{0, 0x7fffffff}}, 0, 0},
    {"32-bit loop a16 via 67", "67 e2 00", 32, {{1, 0x10000}}, 0, 0},
    {"32-bit load across 4 GiB", "8b 41 fe", 32, {{1, 0}}, 0, 0},
    {"32-bit load at the 4 GiB end", "8b 41 fc", 32, {{1, 0}}, 0, 0},
};

/* MMX and SSE corners: alignment, faults, prefixes, counts */
static const struct hand sse_hands[] = {
    {"movdqa misaligned into guard #GP", "66 41 0f 6f 87 f8 0f 00 00", 64, {{0, 0}}, 0, 0},
    {"movdqa aligned in guard #PF", "66 41 0f 6f 87 00 10 00 00", 64, {{0, 0}}, 0, 0},
    {"movups load across into guard #PF", "41 0f 10 87 f8 0f 00 00", 64, {{0, 0}}, 0, 0},
    {"movups store across into guard", "41 0f 11 87 f8 0f 00 00", 64, {{0, 0}}, 0, 0},
    {"movdqu store across data pages", "f3 41 0f 7f 47 f8", 64, {{0, 0}}, 0, 0},
    {"paddb misaligned m128 #GP", "66 41 0f fc 47 01", 64, {{0, 0}}, 0, 0},
    {"paddb mm m64 misaligned is fine", "41 0f fc 47 01", 64, {{0, 0}}, 0, 0},
    {"punpcklbw mm reads m32 only", "41 0f 60 87 fc 0f 00 00", 64, {{0, 0}}, 0, 0},
    {"movq2dq from memory #UD", "f3 0f d6 00", 0, {{0, 0}}, 0, 0},
    {"pextrw with memory #UD", "0f c5 00 01", 0, {{0, 0}}, 0, 0},
    {"psrlw imm with memory #UD", "0f 71 10 05", 0, {{0, 0}}, 0, 0},
    {"movhlps is the register form", "0f 12 c1", 0, {{0, 0}}, 0, 0},
    {"lock paddb #UD", "f0 0f fc c0", 0, {{0, 0}}, 0, 0},
    {"66 f3: f3 chooses (movdqu)", "66 f3 0f 6f c1", 0, {{0, 0}}, 0, 0},
    {"f3 66: f3 chooses (movdqu)", "f3 66 0f 6f c1", 0, {{0, 0}}, 0, 0},
    {"f2 f3: the last chooses (movdqu)", "f2 f3 0f 6f c1", 0, {{0, 0}}, 0, 0},
    {"f3 f2: the last chooses (#UD)", "f3 f2 0f 6f c1", 0, {{0, 0}}, 0, 0},
    {"66 emms #UD", "66 0f 77", 0, {{0, 0}}, 0, 0},
    {"f3 paddb mm #UD", "f3 0f fc c1", 0, {{0, 0}}, 0, 0},
    {"rex.w movd is movq", "66 48 0f 6e c0", 64, {{0, 0x1122334455667788ull}}, 0, 0},
    {"rex.w paddb is paddb", "66 48 0f fc c1", 64, {{0, 0}}, 0, 0},
    {"rex.r mm is mm", "44 0f fc c1", 64, {{0, 0}}, 0, 0},
    {"movd zero-extends", "66 0f 6e c0", 0, {{0, 0xffffffff}}, 0, 0},
    {"movd r32 upper half", "66 0f 7e c0", 64, {{0, ~0ull}}, 0, 0},
    {"palignr by 40 clears", "66 0f 3a 0f c1 28", 0, {{0, 0}}, 0, 0},
    {"palignr by 20", "66 0f 3a 0f c1 14", 0, {{0, 0}}, 0, 0},
    {"palignr mm by 12", "0f 3a 0f c1 0c", 0, {{0, 0}}, 0, 0},
    {"psrlq by 64 clears", "66 0f 73 d0 40", 0, {{0, 0}}, 0, 0},
    {"psraw by 255 fills", "66 0f 71 e0 ff", 0, {{0, 0}}, 0, 0},
    {"psrldq by 16 clears", "66 0f 73 d8 10", 0, {{0, 0}}, 0, 0},
    {"psllw by a huge register count", "66 0f 6e c8 66 0f f1 c1", 0, {{0, 0x10}}, 0, 0},
    {"maskmovdqu into guard", "66 0f f7 c1", 64, {{7, GHI - 4}}, 0, 0},
    {"maskmovq empty mask in guard", "0f ef c9 0f f7 c1", 64, {{7, GHI}}, 0, 0},
    {"maskmovq with a32", "67 0f f7 c1", 64, {{7, 0x100000000ull | DVA}}, 0, 0},
    {"emms after mmx", "0f fc c1 0f 77", 0, {{0, 0}}, 0, 0},
    {"pmovmskb", "66 0f d7 c1", 0, {{0, ~0ull}}, 0, 0},
    {"MM: misaligned paddb",
     "41 c7 07 80 1f 02 00 41 0f ae 17 "
     "66 41 0f fc 4f 01",
     64,
     {{0, 0}},
     0,
     0},
    {"MM: misaligned movdqa #GP",
     "41 c7 07 80 1f 02 00 41 0f ae 17 "
     "66 41 0f 6f 4f 01",
     64,
     {{0, 0}},
     0,
     0},
    {"MM: misaligned movaps store #GP",
     "41 c7 07 80 1f 02 00 41 0f ae 17 "
     "41 0f 29 4f 01",
     64,
     {{0, 0}},
     0,
     0},
    {"MM: misaligned movntdq #GP",
     "41 c7 07 80 1f 02 00 41 0f ae 17 "
     "66 41 0f e7 4f 01",
     64,
     {{0, 0}},
     0,
     0},
    {"MM: misaligned pshufd",
     "41 c7 07 80 1f 02 00 41 0f ae 17 "
     "66 41 0f 70 4f 01 1b",
     64,
     {{0, 0}},
     0,
     0},
    {"MM: misaligned movsldup",
     "41 c7 07 80 1f 02 00 41 0f ae 17 "
     "f3 41 0f 12 4f 01",
     64,
     {{0, 0}},
     0,
     0},
    {"MM: misaligned fxsave #GP",
     "41 c7 07 80 1f 02 00 41 0f ae 17 "
     "41 0f ae 47 01",
     64,
     {{0, 0}},
     0,
     0},
    {"fxrstor across 4 GiB", "0f ae 49 f0", 32, {{1, 0}}, 0, 0},
    {"fxsave across 4 GiB", "0f ae 41 f0", 32, {{1, 0}}, 0, 0},
    {"movups across 4 GiB", "0f 10 41 f8", 32, {{1, 0}}, 0, 0},
    {"xsave across 4 GiB", "31 d2 b8 03 00 00 00 0f ae 61 c0", 32, {{1, 0}}, 0, 0},
};

/* the save areas: r15 (the data base) is 64-byte aligned */
#define ZERO_HDR                                                                                   \
    "49 c7 87 00 02 00 00 00 00 00 00 49 c7 87 08 02 00 00 00 00 00 00 "                           \
    "49 c7 87 10 02 00 00 00 00 00 00 "
#define MASK3    "ba 00 00 00 00 b8 03 00 00 00 "
#define MXCSR_OK "41 c7 47 18 80 1f 00 00 "
static const struct hand state_hands[] = {
    {"fxsave64 then fxrstor64", "49 0f ae 07 49 0f ae 0f", 64, {{0, 0}}, 0, 0},
    {"fxsave then fxrstor", "41 0f ae 07 41 0f ae 0f", 64, {{0, 0}}, 0, 0},
    {"fxsave 32-bit", "0f ae 45 00", 32, {{0, 0}}, 0, 0},
    {"fxsave misaligned #GP", "41 0f ae 47 08", 64, {{0, 0}}, 0, 0},
    {"fxrstor reserved mxcsr #GP", "41 c7 47 18 00 00 04 00 41 0f ae 0f", 64, {{0, 0}}, 0, 0},
    {"fxrstor mxcsr with MM", "41 c7 47 18 80 1f 02 00 41 0f ae 0f", 64, {{0, 0}}, 0, 0},
    {"fxrstor fcw reserved bits",
     "41 c7 07 ff ff 00 00 " MXCSR_OK "41 0f ae 0f",
     64,
     {{0, 0}},
     0,
     0},
    {"ldmxcsr every mode", "41 c7 07 80 ff 00 00 41 0f ae 17", 64, {{0, 0}}, 0, 0},
    {"ldmxcsr daz and flags", "41 c7 07 7f 1f 00 00 41 0f ae 17", 64, {{0, 0}}, 0, 0},
    {"ldmxcsr reserved #GP", "41 c7 07 80 1f 04 00 41 0f ae 17", 64, {{0, 0}}, 0, 0},
    {"stmxcsr", "41 0f ae 1f", 64, {{0, 0}}, 0, 0},
    {"xsave xrstor round trip", ZERO_HDR MASK3 "41 0f ae 27 41 0f ae 2f", 64, {{0, 0}}, 0, 0},
    {"xsave64 xrstor64 round trip", ZERO_HDR MASK3 "49 0f ae 27 49 0f ae 2f", 64, {{0, 0}}, 0, 0},
    {"xsaveopt xrstor round trip", ZERO_HDR MASK3 "41 0f ae 37 41 0f ae 2f", 64, {{0, 0}}, 0, 0},
    {"xrstor of the init state", ZERO_HDR MXCSR_OK MASK3 "41 0f ae 2f", 64, {{0, 0}}, 0, 0},
    {"xrstor sse only",
     ZERO_HDR MXCSR_OK "49 c7 87 00 02 00 00 02 00 00 00 " MASK3 "41 0f ae 2f",
     64,
     {{0, 0}},
     0,
     0},
    {"xrstor x87 only, rfbm 1",
     ZERO_HDR MXCSR_OK "49 c7 87 00 02 00 00 03 00 00 00 "
                       "ba 00 00 00 00 b8 01 00 00 00 41 0f ae 2f",
     64,
     {{0, 0}},
     0,
     0},
    {"xrstor xcomp_bv set #GP",
     ZERO_HDR MXCSR_OK "49 c7 87 08 02 00 00 01 00 00 00 " MASK3 "41 0f ae 2f",
     64,
     {{0, 0}},
     0,
     0},
    {"xrstor header byte 16 #GP",
     ZERO_HDR MXCSR_OK "49 c7 87 10 02 00 00 01 00 00 00 " MASK3 "41 0f ae 2f",
     64,
     {{0, 0}},
     0,
     0},
    {"xrstor header byte 24",
     ZERO_HDR MXCSR_OK "49 c7 87 18 02 00 00 01 00 00 00 " MASK3 "41 0f ae 2f",
     64,
     {{0, 0}},
     0,
     0},
    {"xrstor xstate_bv beyond xcr0 #GP",
     ZERO_HDR MXCSR_OK "49 c7 87 00 02 00 00 08 00 00 00 " MASK3 "41 0f ae 2f",
     64,
     {{0, 0}},
     0,
     0},
    {"xrstor reserved mxcsr #GP",
     ZERO_HDR "41 c7 47 18 00 00 01 00 " MASK3 "41 0f ae 2f",
     64,
     {{0, 0}},
     0,
     0},
    {"xrstor rfbm 0 loads nothing",
     ZERO_HDR "ba 00 00 00 00 b8 00 00 00 00 41 0f ae 2f",
     64,
     {{0, 0}},
     0,
     0},
    {"xsave misaligned #GP", MASK3 "41 0f ae 67 20", 64, {{0, 0}}, 0, 0},
    {"xsave xrstor 32-bit",
     "c7 85 00 02 00 00 00 00 00 00 c7 85 04 02 00 00 00 00 00 00 c7 85 08 02 00 00 00 00 00 00 "
     "c7 85 0c 02 00 00 00 00 00 00 c7 85 10 02 00 00 00 00 00 00 c7 85 14 02 00 00 00 00 00 "
     "00 " MASK3 "0f ae 65 00 0f ae 6d 00",
     32,
     {{0, 0}},
     0,
     0},
    {"xgetbv", "31 c9 0f 01 d0", 0, {{0, 0}}, 0, 0x10},
    {"xsetbv at cpl 3 #GP", "31 c9 0f 01 d1", 0, {{0, 3}}, 0, 0x10},
};

/* the hand-written cases of each class */
static const struct {
    unsigned cls;
    const struct hand *h;
    unsigned n;
} hand_sets[] = {
    {CLS_INT, int_hands, sizeof int_hands / sizeof int_hands[0]},
    {CLS_SSE2, sse_hands, sizeof sse_hands / sizeof sse_hands[0]},
    {CLS_STATE, state_hands, sizeof state_hands / sizeof state_hands[0]},
};

static unsigned hex_bytes(const char *hex, uint8_t *out)
{
    unsigned n = 0, v;
    int k;
    while (sscanf(hex, "%x%n", &v, &k) == 1) {
        out[n++] = (uint8_t)v;
        hex += k;
    }
    return n;
}

static uint64_t name_seed(const char *s, uint64_t salt)
{
    uint64_t h = 0xcbf29ce484222325ull ^ salt;
    while (*s)
        h = (h ^ (uint8_t)*s++) * 0x100000001b3ull;
    return h;
}

static unsigned hand_case_set(struct diff_case *out, unsigned max, bool code32,
                              const struct hand *hands, unsigned count, unsigned cls)
{
    unsigned n = 0;
    for (unsigned k = 0; k < count && n < max; k++) {
        const struct hand *h = &hands[k];
        if (!*h->hex || (h->mode == 64 && code32) || (h->mode == 32 && !code32) ||
            (code32 && gen_is_code16())) /* the hand cases hold 32-bit addresses */
            continue;
        struct diff_case *dc = &out[n++];
        uint64_t rng = name_seed(h->name, code32);
        gen_start(dc, &rng, code32);
        gen_finish(dc, &rng);
        dc->code_len = hex_bytes(h->hex, dc->code);
        for (unsigned s = 0; s < 5; s++)
            if (h->set[s].reg || h->set[s].val || s == 0)
                dc->regs[h->set[s].reg] = code32 ? (uint32_t)h->set[s].val : h->set[s].val;
        if (h->rflags)
            dc->rflags = h->rflags;
        dc->undef_flags = h->undef;
        dc->ninsn = 0; /* hand cases: one mask wherever they stop */
        dc->fp = cls != CLS_INT;
        snprintf(dc->name, sizeof dc->name, "%s", h->name);
    }
    return n;
}

unsigned diff_hand_cases(struct diff_case *out, unsigned max, bool code32)
{
    static const char *szname[] = {"", "8", "16", "", "32", "", "", "", "64"};
    unsigned n = 0;
    gen_init();
    for (unsigned k = 0; k < gen_ntmpls; k++) {
        const struct tmpl *t = &gen_tmpls[k];
        if (!gen_usable(t, code32) || (t->tf & T_TOOLONG))
            continue;
        unsigned sizes = gen_sizes(t, code32);
        for (unsigned size = sizes ? 1 : 0; size <= 8; size = size ? size * 2 : 9) {
            if (sizes && !(sizes & size))
                continue;
            unsigned rms[2] = {RM_ANY, RM_ANY}, nrm = 1;
            if (t->rm == RM_ANY)
                rms[0] = RM_REG, rms[1] = RM_MEM, nrm = 2;
            for (unsigned r = 0; r < nrm; r++) {
                for (unsigned v = 0; v < 2 && n < max; v++) {
                    struct diff_case *dc = &out[n++];
                    uint64_t rng = name_seed(t->name, size * 16 + r * 4 + v + (code32 ? 1000 : 0));
                    gen_start(dc, &rng, code32);
                    gen_append(dc, &rng, t, size, rms[r]);
                    gen_finish(dc, &rng);
                    snprintf(dc->name, sizeof dc->name, "%s%s%s%s #%u", t->name, size ? " /" : "",
                             szname[size], nrm == 2 ? (r ? " mem" : " reg") : "", v);
                }
            }
        }
    }
    for (unsigned set = 0; set < sizeof hand_sets / sizeof hand_sets[0]; set++) {
        if (gen_class_on(hand_sets[set].cls))
            n += hand_case_set(out + n, max - n, code32, hand_sets[set].h, hand_sets[set].n,
                               hand_sets[set].cls);
    }
    return n;
}
