/*
 * test_cpu_decode.c: the decoder (emu/cpu/decode.c): instruction lengths,
 * prefix rules, #UD for what is not an instruction (or not implemented) and
 * #GP for more than 15 bytes (SDM Vol 2A chapter 2).
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "tests/unit/cpu_harness.h"

struct len_case {
    const char *hex;
    bool code32;
    unsigned len; /* 0: #UD expected */
};

static const struct len_case lengths[] = {
    {"90", false, 1},
    {"48 01 c8", false, 3},                       /* add rax, rcx */
    {"66 0f 1f 44 00 00", false, 6},              /* nopw 0(rax,rax,1) */
    {"48 b8 01 02 03 04 05 06 07 08", false, 10}, /* mov rax, imm64 */
    {"b8 01 02 03 04", false, 5},                 /* mov eax, imm32 */
    {"66 b8 01 02", false, 4},                    /* mov ax, imm16 */
    {"c8 10 00 01", false, 4},                    /* enter */
    {"f3 48 a5", false, 3},                       /* rep movsq */
    {"a1 01 02 03 04 05 06 07 08", false, 9},     /* mov eax, moffs64 */
    {"67 a1 01 02 03 04", false, 6},              /* mov eax, moffs32 */
    {"a1 01 02 03 04", true, 5},                  /* 32-bit: moffs32 */
    {"67 a1 01 02", true, 4},                     /* 32-bit with 67: moffs16 */
    {"e8 00 00 00 00", false, 5},                 /* call rel32 */
    {"66 e8 00 00", true, 4},                     /* 32-bit: call rel16 */
    {"66 e8 00 00 00 00", false, 6},              /* 64-bit: 66 is ignored, rel32 */
    {"0f 38 f0 07", false, 4},                    /* movbe eax, [rdi] */
    {"41 8b 87 00 10 00 00", false, 7},           /* mov eax, [r15+disp32] */
    {"8b 04 25 00 10 00 00", false, 7},           /* mov eax, [disp32] via SIB */
    {"8b 05 00 00 00 00", false, 6},              /* rip-relative */
    {"8b 44 24 08", false, 4},                    /* [rsp+8] needs a SIB */
    {"8b 45 00", false, 3},                       /* [rbp+0] needs a disp8 */
    {"8b 04 2d 00 00 00 00", false, 7},           /* [rbp*1+disp32]: SIB base 5, mod 0 */
    {"f6 c0 01", false, 3},                       /* test al, imm8 */
    {"f7 c0 01 02 03 04", false, 6},              /* test eax, imm32 */
    {"66 f7 c0 01 02", false, 5},                 /* test ax, imm16 */
    {"48 f7 c0 01 02 03 04", false, 7},           /* test rax, simm32 */
    {"f7 d0", false, 2},                          /* not eax: no immediate */
    {"c1 e0 05", false, 3},                       /* shl eax, 5 */
    {"0f ba e0 05", false, 4},                    /* bt eax, 5 */
    {"67 8b 46 10", true, 4},                     /* 16-bit [bp+disp8] */
    {"67 8b 06 34 12", true, 5},                  /* 16-bit [disp16] */
    {"67 8b 80 34 12", true, 5},                  /* 16-bit [bx+si+disp16] */
    {"40 48 90", true, 1},                        /* 32-bit: 40 is INC EAX, not a REX */
    {"66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", false, 15},
    {"f0 01 07", false, 3}, /* lock add [rdi], eax */
    {"0f 0b", false, 2},    /* ud2: an instruction; running it is #UD */
    {"f0 90", false, 0},    /* lock nop */
    {"f0 01 c0", false, 0}, /* lock on a register */
    {"f0 39 07", false, 0}, /* lock cmp */
    {"06", false, 0},       /* push es: invalid in 64-bit mode */
    {"0f 05", false, 2},  /* syscall */
    {"8d c0", false, 0},    /* lea with a register operand */
    {"ff d8", false, 0},    /* call far with a register operand */
    {"0f c7 c8", false, 0}, /* cmpxchg8b with a register operand */
};

static unsigned parse_hex(const char *hex, uint8_t *out)
{
    unsigned n = 0, v;
    int k;
    while (sscanf(hex, "%x%n", &v, &k) == 1) {
        out[n++] = (uint8_t)v;
        hex += k;
    }
    return n;
}

Test(cpu_decode, lengths)
{
    static struct harness h;
    for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
        const struct len_case *lc = &lengths[k];
        uint8_t code[32];
        unsigned n = parse_hex(lc->hex, code);
        struct cpu *c = harness_load(&h, code, n, lc->code32);
        unsigned len = cpu_decode_length(c);
        cr_expect_eq(len, lc->len, "%s (%s): length %u, want %u", lc->hex,
                     lc->code32 ? "32-bit" : "64-bit", len, lc->len);
        if (!lc->len)
            cr_expect_eq(c->exc.vector, VEC_UD, "%s: vector %u, want #UD", lc->hex, c->exc.vector);
    }
}

Test(cpu_decode, sixteen_bytes_is_gp0)
{
    static struct harness h;
    uint8_t code[16];
    memset(code, 0x66, 15);
    code[15] = 0x90;
    struct cpu *c = harness_load(&h, code, sizeof code, false);
    cr_assert_eq(cpu_decode_length(c), 0);
    cr_assert_eq(c->exc.vector, VEC_GP);
    cr_assert(c->exc.has_error);
    cr_assert_eq(c->exc.error, 0);
    /* and when run, RIP stays on the instruction */
    cr_assert_eq(harness_run(c), VEC_GP);
    cr_assert_eq(c->rip, CODE);
}

Test(cpu_decode, rex_before_a_legacy_prefix_is_ignored)
{
    static struct harness h;
    /* 48 66 01 c8: the REX.W is dropped, so this is add ax, cx */
    const uint8_t code[] = {0x48, 0x66, 0x01, 0xc8};
    struct cpu *c = harness_load(&h, code, sizeof code, false);
    c->gpr[REG_RAX] = 0x1111222233334444ull;
    c->gpr[REG_RCX] = 0x0000000100000001ull;
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(c->gpr[REG_RAX], 0x1111222233334445ull);
}

Test(cpu_decode, the_last_rex_counts)
{
    static struct harness h;
    /* 48 41 01 c0: REX.B only, so add r8d, eax */
    const uint8_t code[] = {0x48, 0x41, 0x01, 0xc0};
    struct cpu *c = harness_load(&h, code, sizeof code, false);
    c->gpr[REG_R8] = 0xffffffff00000001ull;
    c->gpr[REG_RAX] = 1;
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(c->gpr[REG_R8], 2); /* a 32-bit write zero-extends */
}

Test(cpu_decode, byte_registers_with_and_without_rex)
{
    static struct harness h;
    /* 88 e0: mov al, ah; 40 88 e0: mov al, spl */
    const uint8_t code[] = {0x88, 0xe0, 0x40, 0x88, 0xe1};
    struct cpu *c = harness_load(&h, code, sizeof code, false);
    c->gpr[REG_RAX] = 0xab00;
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(c->gpr[REG_RAX], 0xabab);
    cr_assert_eq(c->gpr[REG_RCX] & 0xff, STACK & 0xff); /* SPL */
}

Test(cpu_decode, segment_overrides_ignored_in_64bit_mode)
{
    static struct harness h;
    /* 2e 89 07: mov cs:[rdi], eax is an ordinary store in 64-bit mode */
    const uint8_t code[] = {0x2e, 0x89, 0x07};
    struct cpu *c = harness_load(&h, code, sizeof code, false);
    c->gpr[REG_RDI] = DATA;
    c->gpr[REG_RAX] = 0x12345678;
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(h.ram[DATA], 0x78);
}

Test(cpu_decode, cs_override_store_faults_in_32bit_mode)
{
    static struct harness h;
    const uint8_t code[] = {0x2e, 0x89, 0x07};
    struct cpu *c = harness_load(&h, code, sizeof code, true);
    c->gpr[REG_RDI] = DATA;
    cr_assert_eq(harness_run(c), VEC_GP);
    cr_assert_eq(c->rip, CODE);
}
