/*
 * test_x87.c: the x87's corners that the differential oracle cannot reach or
 * that deserve a name: the RESET and INIT state, #NM by CR0.EM/TS/MP, #MF
 * and FERR# by CR0.NE, stack faults, FNSAVE/FRSTOR and FNSTENV layouts in
 * real and protected mode, faults on the memory operand before any state
 * changes. Each runs real instructions through cpu_run.
 */
#include <criterion/criterion.h>

#include "tests/unit/cpu_harness.h"

static struct harness h;

static struct cpu *load(const uint8_t *code, size_t len)
{
    return harness_load(&h, code, len, false);
}

static uint16_t rd16(unsigned at)
{
    return (uint16_t)(h.ram[at] | h.ram[at + 1] << 8);
}
static uint32_t rd32(unsigned at)
{
    return rd16(at) | (uint32_t)rd16(at + 2) << 16;
}
static uint64_t rd64(unsigned at)
{
    return rd32(at) | (uint64_t)rd32(at + 4) << 32;
}

#define TOP(c) (((c)->x87.fsw >> 11) & 7)

Test(x87, reset_state_and_init_keeps_it)
{
    /* SDM Vol 3A table 9-1: FCW 0040H, FSW 0, FTW 5555H, registers +0.0 */
    const uint8_t code[] = {0xd9, 0x34, 0x25, 0x00, 0x40, 0x00, 0x00}; /* fnstenv [0x4000] */
    struct cpu *c = load(code, sizeof code);
    cr_assert_eq(c->x87.fcw, 0x0040);
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(rd16(DATA), 0x0040);
    cr_assert_eq(rd16(DATA + 4), 0);
    cr_assert_eq(rd16(DATA + 8), 0x5555);
    cr_assert_eq(rd32(DATA + 12), 0); /* FNSTENV is a control instruction: FIP stays 0 */
    cr_assert_eq(c->x87.fcw, 0x007f, "FNSTENV masks every exception");
    c->x87.fcw = 0x1234;
    c->x87.r[3].mant = 42;
    cpu_init_reset(c);
    cr_assert_eq(c->x87.fcw, 0x1234);
    cr_assert_eq(c->x87.r[3].mant, 42);
}

Test(x87, fld1_faddp_fistp)
{
    /* fninit; fld1; fld1; faddp; fistp dword [0x4000]; fnstsw ax */
    const uint8_t code[] = {0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xe8, 0xde, 0xc1, 0xdb,
                            0x1c, 0x25, 0x00, 0x40, 0x00, 0x00, 0xdf, 0xe0};
    struct cpu *c = load(code, sizeof code);
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(rd32(DATA), 2);
    cr_assert_eq(c->gpr[REG_RAX] & 0xffff, 0);
    cr_assert_eq(c->x87.ftw, 0);
    cr_assert_eq(c->x87.fop, 0x31c, "FOP of the FISTP (DB 1C)");
}

Test(x87, stack_overflow_is_ie_sf_c1_with_the_indefinite)
{
    uint8_t code[2 + 9 * 2];
    code[0] = 0xdb, code[1] = 0xe3; /* fninit, then nine fld1 */
    for (unsigned k = 0; k < 9; k++)
        code[2 + 2 * k] = 0xd9, code[3 + 2 * k] = 0xe8;
    struct cpu *c = load(code, sizeof code);
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(c->x87.fsw & 0x3fff, 0x0241 | (7 << 11)); /* IE, SF, C1; TOP 7 */
    struct fpu_reg *st0 = &c->x87.r[TOP(c)];
    cr_assert_eq(st0->se, 0xffff);
    cr_assert_eq(st0->mant, 0xc000000000000000ull);
}

Test(x87, ts_and_em_are_nm_wait_only_with_mp)
{
    const uint8_t fld1[] = {0xd9, 0xe8}, fwait[] = {0x9b};
    struct cpu *c = load(fld1, sizeof fld1);
    c->cr0 |= CR0_TS;
    cr_assert_eq(harness_run(c), VEC_NM);
    c = load(fld1, sizeof fld1);
    c->cr0 |= CR0_EM;
    cr_assert_eq(harness_run(c), VEC_NM);
    c = load(fwait, sizeof fwait);
    c->cr0 = (c->cr0 | CR0_TS) & ~(uint64_t)CR0_MP;
    cr_assert_eq(harness_run(c), VEC_BP, "WAIT ignores TS without MP");
    c = load(fwait, sizeof fwait);
    c->cr0 |= CR0_TS | CR0_MP;
    cr_assert_eq(harness_run(c), VEC_NM);
    c = load(fwait, sizeof fwait);
    c->cr0 |= CR0_EM;
    cr_assert_eq(harness_run(c), VEC_BP, "WAIT ignores EM");
}

static unsigned ferr_calls;
static void count_ferr(void *opaque)
{
    (void)opaque;
    ferr_calls++;
}

Test(x87, unmasked_zero_divide_is_mf_at_the_next_waiting_instruction)
{
    /* fninit; fldcw [0x4000] (ZE unmasked); fldz; fld1; fdiv st0, st1; fnstsw ax; fwait */
    const uint8_t code[] = {0xdb, 0xe3, 0xd9, 0x2c, 0x25, 0x00, 0x40, 0x00, 0x00,
                            0xd9, 0xee, 0xd9, 0xe8, 0xd8, 0xf1, 0xdf, 0xe0, 0x9b};
    struct cpu *c = load(code, sizeof code);
    h.ram[DATA] = 0x7b, h.ram[DATA + 1] = 0x03;
    cr_assert_eq(harness_run(c), VEC_MF);
    cr_assert_eq(c->rip, CODE + 17, "#MF is on the FWAIT");
    cr_assert_eq(c->gpr[REG_RAX] & 0xffff, 0xb084); /* B, ES, ZE; TOP 6 */
    struct fpu_reg *st0 = &c->x87.r[TOP(c)];
    cr_assert_eq(st0->se, 0x3fff, "ST(0) keeps its 1.0");
    cr_assert_eq(c->x87.fip, CODE + 13, "FIP is the FDIV's");

    /* CR0.NE = 0: FERR# instead, and the instruction goes on */
    c = load(code, sizeof code);
    h.ram[DATA] = 0x7b, h.ram[DATA + 1] = 0x03;
    h.bus.ferr = count_ferr;
    c->cr0 &= ~(uint64_t)CR0_NE;
    ferr_calls = 0;
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(ferr_calls, 1);
}

Test(x87, fldcw_unmasking_a_pending_flag_sets_es)
{
    /* fninit; fldz; fld1; fdiv st0, st1 (ZE masked); fldcw [0x4000] (ZE unmasked); fnop */
    const uint8_t code[] = {0xdb, 0xe3, 0xd9, 0xee, 0xd9, 0xe8, 0xd8, 0xf1, 0xd9,
                            0x2c, 0x25, 0x00, 0x40, 0x00, 0x00, 0xd9, 0xd0};
    struct cpu *c = load(code, sizeof code);
    h.ram[DATA] = 0x7b, h.ram[DATA + 1] = 0x03;
    cr_assert_eq(harness_run(c), VEC_MF);
    cr_assert_eq(c->rip, CODE + 15);
}

Test(x87, fault_on_the_operand_changes_nothing)
{
    /* fninit; fld1; fstp tword [rax] with its last bytes beyond the canonical range */
    const uint8_t code[] = {0xdb, 0xe3, 0xd9, 0xe8, 0xdb, 0x38};
    struct cpu *c = load(code, sizeof code);
    c->gpr[REG_RAX] = 0x00007ffffffffffaull;
    int v = harness_run(c);
    cr_assert_eq(v, VEC_GP, "vector %d rip %lx", v, (unsigned long)c->rip);
    cr_assert_eq(c->rip, CODE + 4);
    cr_assert_eq(TOP(c), 7, "nothing popped");
    cr_assert_eq(c->x87.ftw, 0x80);
}

Test(x87, fnsave_frstor_round_trip_in_both_layouts)
{
    for (unsigned o16 = 0; o16 < 2; o16++) {
        /* fninit; fld1; fldpi; [66] fnsave [0x4000]; [66] frstor [0x4000] */
        uint8_t code[32], *p = code;
        *p++ = 0xdb, *p++ = 0xe3, *p++ = 0xd9, *p++ = 0xe8, *p++ = 0xd9, *p++ = 0xeb;
        if (o16)
            *p++ = 0x66;
        *p++ = 0xdd, *p++ = 0x34, *p++ = 0x25, *p++ = 0x00, *p++ = 0x40, *p++ = 0, *p++ = 0;
        if (o16)
            *p++ = 0x66;
        *p++ = 0xdd, *p++ = 0x24, *p++ = 0x25, *p++ = 0x00, *p++ = 0x40, *p++ = 0, *p++ = 0;
        struct cpu *c = load(code, (size_t)(p - code));
        cr_assert_eq(harness_run(c), VEC_BP);
        unsigned env = o16 ? 14 : 28;
        cr_assert_eq(rd16(DATA), 0x037f);
        cr_assert_eq(rd16(DATA + (o16 ? 2 : 4)) >> 11, 6, "TOP 6 in the saved FSW");
        cr_assert_eq(rd16(DATA + (o16 ? 4 : 8)), 0x0fff, "two valid, six empty");
        cr_assert_eq(rd64(DATA + env), 0xc90fdaa22168c235ull, "ST(0) is pi");
        cr_assert_eq(rd16(DATA + env + 8), 0x4000);
        cr_assert_eq(rd64(DATA + env + 10), 0x8000000000000000ull, "ST(1) is 1");
        cr_assert_eq(TOP(c), 6, "FRSTOR brought the stack back");
        cr_assert_eq(c->x87.ftw, 0xc0);
        cr_assert_eq(c->x87.fcw, 0x037f);
    }
}

Test(x87, fnstenv_real_mode_layout)
{
    /* real mode at CS 0x0100: fninit; fld1 [ds:0x20]... then fnstenv [0x40] */
    const uint8_t code[] = {0xdb, 0xe3, 0xd9, 0x06, 0x20, 0x00, 0x66, 0xd9, 0x36, 0x40, 0x00};
    memset(&h, 0, sizeof h);
    h.bus.ram = h.ram;
    h.bus.ram_size = RAM_SIZE;
    struct cpu *c = &h.c;
    cpu_init(c, &h.bus, 0);
    c->stop_at_exc = true;
    c->seg[SEG_CS].base = 0x1000, c->seg[SEG_CS].sel = 0x100;
    c->seg[SEG_DS].base = 0x2000, c->seg[SEG_DS].sel = 0x200;
    c->rip = 0;
    memcpy(h.ram + 0x1000, code, sizeof code);
    h.ram[0x1000 + sizeof code] = 0xcc;
    h.ram[0x2023] = 0x3f, h.ram[0x2022] = 0x80; /* 1.0f at DS:0x20 */
    cpu_update_mode(c);
    cr_assert_eq(harness_run(c), VEC_BP);
    /* 32-bit real-mode layout (SDM Vol 1 figure 8-10): 20-bit linear pointers */
    cr_assert_eq(rd32(0x2040 + 12) & 0xffff, 0x1002, "FIP[15:0]");
    cr_assert_eq(rd32(0x2040 + 16), (0x0000u << 12) | 0x106, "FIP[31:16] and FOP (D9 06)");
    cr_assert_eq(rd32(0x2040 + 20) & 0xffff, 0x2020, "FDP[15:0]");
    cr_assert_eq(rd32(0x2040 + 24), 0);
}
