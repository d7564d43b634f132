/*
 * test_cpu_exec.c: the interpreter's corners that the differential oracle
 * cannot reach or that deserve a name: #DE, lazy flags, restartable faults,
 * atomics, CPUID. Each runs real instructions through cpu_run.
 */
#include <criterion/criterion.h>

#include "tests/unit/cpu_harness.h"

#define STATUS RFLAGS_STATUS

static struct harness h;

static struct cpu *load(const uint8_t *code, size_t len)
{
    return harness_load(&h, code, len, false);
}

Test(cpu_exec, div_by_zero_is_de_at_the_instruction)
{
    const uint8_t code[] = {0x90, 0x48, 0xf7, 0xf1}; /* nop; div rcx */
    struct cpu *c = load(code, sizeof code);
    c->gpr[REG_RAX] = 5;
    c->gpr[REG_RCX] = 0;
    cr_assert_eq(harness_run(c), VEC_DE);
    cr_assert_eq(c->rip, CODE + 1);
    cr_assert_eq(c->gpr[REG_RAX], 5);
    cr_assert_not(c->exc.has_error);
}

Test(cpu_exec, idiv_overflow_is_de)
{
    const uint8_t code[] = {0x48, 0xf7, 0xf9}; /* idiv rcx */
    struct cpu *c = load(code, sizeof code);
    c->gpr[REG_RAX] = 1ull << 63;
    c->gpr[REG_RDX] = ~0ull;
    c->gpr[REG_RCX] = ~0ull;
    cr_assert_eq(harness_run(c), VEC_DE);
}

Test(cpu_exec, idiv_rounds_toward_zero)
{
    const uint8_t code[] = {0xf7, 0xf9}; /* idiv ecx */
    struct cpu *c = load(code, sizeof code);
    c->gpr[REG_RAX] = (uint32_t)-7;
    c->gpr[REG_RDX] = 0xffffffff;
    c->gpr[REG_RCX] = 2;
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(c->gpr[REG_RAX], (uint32_t)-3);
    cr_assert_eq(c->gpr[REG_RDX], (uint32_t)-1);
}

Test(cpu_exec, adc_carry_in_wraps_to_zero)
{
    const uint8_t code[] = {0xf9, 0x83, 0xd0, 0xff}; /* stc; adc eax, -1 */
    struct cpu *c = load(code, sizeof code);
    c->gpr[REG_RAX] = 0;
    cr_assert_eq(harness_run(c), VEC_BP);
    /* 0 + 0xffffffff + 1 = 0 carry 1; AF from the low nibble: 0 + f + 1 */
    uint64_t f = cpu_get_rflags(c) & STATUS;
    cr_assert_eq(c->gpr[REG_RAX], 0);
    cr_assert_eq(f, RFLAGS_CF | RFLAGS_ZF | RFLAGS_PF | RFLAGS_AF, "flags %#lx", (long)f);
}

Test(cpu_exec, sbb_borrow_in)
{
    const uint8_t code[] = {0xf9, 0x19, 0xc8}; /* stc; sbb eax, ecx */
    struct cpu *c = load(code, sizeof code);
    c->gpr[REG_RAX] = 0;
    c->gpr[REG_RCX] = 0;
    cr_assert_eq(harness_run(c), VEC_BP);
    uint64_t f = cpu_get_rflags(c) & STATUS;
    cr_assert_eq(c->gpr[REG_RAX], 0xffffffff);
    cr_assert_eq(f, RFLAGS_CF | RFLAGS_SF | RFLAGS_PF | RFLAGS_AF, "flags %#lx", (long)f);
}

Test(cpu_exec, inc_keeps_cf_and_sets_of)
{
    const uint8_t code[] = {0xf9, 0xfe, 0xc0}; /* stc; inc al */
    struct cpu *c = load(code, sizeof code);
    c->gpr[REG_RAX] = 0x7f;
    cr_assert_eq(harness_run(c), VEC_BP);
    uint64_t f = cpu_get_rflags(c) & STATUS;
    cr_assert_eq(c->gpr[REG_RAX], 0x80);
    cr_assert_eq(f, RFLAGS_CF | RFLAGS_OF | RFLAGS_SF | RFLAGS_AF, "flags %#lx", (long)f);
}

Test(cpu_exec, dec_of_and_af)
{
    const uint8_t code[] = {0xf8, 0x66, 0xff, 0xc8}; /* clc; dec ax */
    struct cpu *c = load(code, sizeof code);
    c->gpr[REG_RAX] = 0x8000;
    cr_assert_eq(harness_run(c), VEC_BP);
    uint64_t f = cpu_get_rflags(c) & STATUS;
    cr_assert_eq(c->gpr[REG_RAX], 0x7fff);
    cr_assert_eq(f, RFLAGS_OF | RFLAGS_AF | RFLAGS_PF, "flags %#lx", (long)f);
}

Test(cpu_exec, neg_zero_clears_cf)
{
    const uint8_t code[] = {0xf9, 0xf7, 0xd8}; /* stc; neg eax */
    struct cpu *c = load(code, sizeof code);
    c->gpr[REG_RAX] = 0;
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(cpu_get_rflags(c) & RFLAGS_CF, 0);
    cr_assert(cpu_get_rflags(c) & RFLAGS_ZF);
}

Test(cpu_exec, shift_by_zero_changes_no_flag)
{
    const uint8_t code[] = {0x48, 0xd3, 0xe0}; /* shl rax, cl */
    struct cpu *c = load(code, sizeof code);
    cpu_set_rflags(c, RFLAGS_IF | RFLAGS_CF | RFLAGS_OF | RFLAGS_ZF);
    c->gpr[REG_RAX] = 1;
    c->gpr[REG_RCX] = 64; /* masked to 0 */
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(c->gpr[REG_RAX], 1);
    cr_assert_eq(cpu_get_rflags(c) & STATUS, RFLAGS_CF | RFLAGS_OF | RFLAGS_ZF);
}

Test(cpu_exec, rcl_byte_count_wraps_at_nine)
{
    const uint8_t code[] = {0xd2, 0xd0}; /* rcl al, cl */
    struct cpu *c = load(code, sizeof code);
    cpu_set_rflags(c, RFLAGS_IF | RFLAGS_CF);
    c->gpr[REG_RAX] = 0x81;
    c->gpr[REG_RCX] = 10; /* 10 mod 9 = 1 */
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(c->gpr[REG_RAX], 0x03);
    cr_assert(cpu_get_rflags(c) & RFLAGS_CF);
}

Test(cpu_exec, cmp_then_signed_branches)
{
    /* cmp eax, ecx; jl +2; inc edx; inc edx (jl skips one inc) */
    const uint8_t code[] = {0x39, 0xc8, 0x7c, 0x02, 0xff, 0xc2, 0xff, 0xc2};
    struct cpu *c = load(code, sizeof code);
    c->gpr[REG_RAX] = (uint32_t)-5;
    c->gpr[REG_RCX] = 3;
    c->gpr[REG_RDX] = 0;
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(c->gpr[REG_RDX], 1);
}

Test(cpu_exec, lahf_sahf_round_trip)
{
    const uint8_t code[] = {0xb4, 0xd5, 0x9e,
                            0x31, 0xc0, 0x9f}; /* mov ah,d5; sahf; xor eax,eax; lahf */
    struct cpu *c = load(code, sizeof code);
    cr_assert_eq(harness_run(c), VEC_BP);
    /* after XOR: ZF PF set, CF SF clear, AF 0 here; bit 1 always reads 1 */
    cr_assert_eq((c->gpr[REG_RAX] >> 8) & 0xff, 0x46);
}

Test(cpu_exec, popf_in_ring3_keeps_iopl_and_if)
{
    const uint8_t code[] = {0x9d}; /* popf */
    struct cpu *c = load(code, sizeof code);
    c->gpr[REG_RSP] = STACK - 8;
    uint64_t v = RFLAGS_IOPL | RFLAGS_CF | RFLAGS_DF; /* IF clear, IOPL 3 */
    memcpy(h.ram + STACK - 8, &v, 8);
    cr_assert_eq(harness_run(c), VEC_BP);
    uint64_t f = cpu_get_rflags(c);
    cr_assert(f & RFLAGS_IF);
    cr_assert_eq(f & RFLAGS_IOPL, 0);
    cr_assert(f & RFLAGS_CF);
    cr_assert(f & RFLAGS_DF);
}

Test(cpu_exec, lock_xadd_and_cmpxchg8b)
{
    /* lock xadd [rdi], eax; lock cmpxchg8b [rdi+8] */
    const uint8_t code[] = {0xf0, 0x0f, 0xc1, 0x07, 0xf0, 0x0f, 0xc7, 0x4f, 0x08};
    struct cpu *c = load(code, sizeof code);
    c->gpr[REG_RDI] = DATA;
    c->gpr[REG_RAX] = 3;
    uint32_t m = 10;
    memcpy(h.ram + DATA, &m, 4);
    uint64_t q = 0x1111111122222222ull;
    memcpy(h.ram + DATA + 8, &q, 8);
    c->gpr[REG_RDX] = 0x11111111;
    c->gpr[REG_RBX] = 0xbbbbbbbb;
    c->gpr[REG_RCX] = 0xcccccccc;
    /* after the xadd, EAX holds 10: the cmpxchg8b compares EDX:EAX = 11111111:0000000a, unequal */
    cr_assert_eq(harness_run(c), VEC_BP);
    memcpy(&m, h.ram + DATA, 4);
    cr_assert_eq(m, 13);
    cr_assert_eq(c->gpr[REG_RAX], 0x22222222);
    cr_assert_eq(c->gpr[REG_RDX], 0x11111111);
    cr_assert_eq(cpu_get_rflags(c) & RFLAGS_ZF, 0);
}

Test(cpu_exec, rep_stosb_fills_and_counts)
{
    const uint8_t code[] = {0xf3, 0xaa}; /* rep stosb */
    struct cpu *c = load(code, sizeof code);
    c->gpr[REG_RDI] = DATA;
    c->gpr[REG_RCX] = 5000; /* more than one chunk */
    c->gpr[REG_RAX] = 0x5a;
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(c->gpr[REG_RCX], 0);
    cr_assert_eq(c->gpr[REG_RDI], DATA + 5000);
    cr_assert_eq(h.ram[DATA + 4999], 0x5a);
    cr_assert_eq(h.ram[DATA + 5000], 0);
}

Test(cpu_exec, cpuid_vendor_and_features)
{
    const uint8_t code[] = {0x0f, 0xa2};
    struct cpu *c = load(code, sizeof code);
    c->gpr[REG_RAX] = 0;
    cr_assert_eq(harness_run(c), VEC_BP);
    char vendor[13] = {0};
    memcpy(vendor, &c->gpr[REG_RBX], 4);
    memcpy(vendor + 4, &c->gpr[REG_RDX], 4);
    memcpy(vendor + 8, &c->gpr[REG_RCX], 4);
    cr_assert_str_eq(vendor, "GenuineIntel");

    c = load(code, sizeof code);
    c->gpr[REG_RAX] = 1;
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert(c->gpr[REG_RCX] & CPUID_1_ECX_POPCNT);
    cr_assert(c->gpr[REG_RDX] & CPUID_1_EDX_FPU, "the x87 is there");
}

Test(cpu_exec, unimplemented_opcodes_are_ud)
{
    static const uint8_t ops[][2] = {{0x0f, 0x0e}, {0x0f, 0x01}, {0xd9, 0xd1}, {0x9a, 0x90}};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        struct cpu *c = load(ops[k], 2);
        cr_expect_eq(harness_run(c), VEC_UD, "%02x %02x", ops[k][0], ops[k][1]);
        cr_expect_eq(c->rip, CODE);
    }
}

Test(cpu_exec, real_mode_16bit_code)
{
    /* mov ax,1234h; add ax,bx; push ax; pop cx; mov [bp+si+2],cx; int3 */
    const uint8_t code[] = {0xb8, 0x34, 0x12, 0x01, 0xd8, 0x50, 0x59, 0x89, 0x4a, 0x02};
    memset(&h, 0, sizeof h);
    h.bus.ram = h.ram;
    h.bus.ram_size = RAM_SIZE;
    memset(h.ram + CODE, 0xcc, 0x100);
    memcpy(h.ram + CODE, code, sizeof code);
    struct cpu *c = &h.c;
    cpu_init(c, &h.bus, 0);
    c->stop_at_exc = true; /* stop at the final INT3 instead of delivering it */
    c->seg[SEG_CS].base = 0;
    c->seg[SEG_CS].sel = 0;
    c->rip = CODE;
    c->gpr[REG_RSP] = 0xabcd0000u | STACK; /* only SP moves */
    c->gpr[REG_RBX] = 0x0001;
    c->gpr[REG_RBP] = DATA;
    c->gpr[REG_RSI] = 0x10;
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(c->gpr[REG_RCX] & 0xffff, 0x1235);
    cr_assert_eq(c->gpr[REG_RSP], 0xabcd0000u | STACK);
    cr_assert_eq(h.ram[DATA + 0x12], 0x35);
    cr_assert_eq(h.ram[DATA + 0x13], 0x12);
    cr_assert_eq(c->rip, CODE + sizeof code + 1);
}

/* two linear pages on host pages that are not neighbours: a split lock */
static uint8_t split_pages[3][4096] __attribute__((aligned(4096)));

static uint8_t *split_translate(void *opaque, uint64_t lin, unsigned *perm)
{
    (void)opaque;
    *perm = CPU_PERM_W | CPU_PERM_X;
    switch (lin) {
    case 0x10000:
        return split_pages[0]; /* code */
    case 0x20000:
        return split_pages[2]; /* data, then its neighbour... */
    case 0x21000:
        return split_pages[1]; /* ...which lives before it on the host */
    default:
        return NULL;
    }
}

Test(cpu_exec, locked_add_split_across_host_pages)
{
    /* lock add [rdi], eax; lock xchg [rdi], ecx */
    const uint8_t code[] = {0xf0, 0x01, 0x07, 0x87, 0x0f, 0xcc};
    memset(&h, 0, sizeof h);
    memset(split_pages, 0, sizeof split_pages);
    memcpy(split_pages[0], code, sizeof code);
    h.bus.translate = split_translate;
    struct cpu *c = &h.c;
    cpu_init(c, &h.bus, 0);
    cpu_set_user_mode(c, false);
    c->rip = 0x10000;
    c->gpr[REG_RDI] = 0x20ffe; /* two bytes in each page */
    c->gpr[REG_RAX] = 0x00010001;
    c->gpr[REG_RCX] = 0xa1b2c3d4;
    split_pages[2][0xffe] = 0xff;
    split_pages[2][0xfff] = 0xff;
    split_pages[1][0] = 0x01;
    split_pages[1][1] = 0x00;
    cr_assert_eq(harness_run(c), VEC_BP);
    /* 0x0001ffff + 0x00010001 = 0x00030000, then exchanged with ECX */
    cr_assert_eq(c->gpr[REG_RCX], 0x00030000);
    cr_assert_eq(split_pages[2][0xffe], 0xd4);
    cr_assert_eq(split_pages[2][0xfff], 0xc3);
    cr_assert_eq(split_pages[1][0], 0xb2);
    cr_assert_eq(split_pages[1][1], 0xa1);
    cr_assert_not(h.bus.split_lock.locked, "the split lock is released");
}

Test(cpu_exec, fetch_from_a_no_execute_page_is_pf)
{
    const uint8_t code[] = {0xff, 0xe7}; /* jmp rdi */
    memset(&h, 0, sizeof h);
    memset(split_pages, 0, sizeof split_pages);
    memcpy(split_pages[0], code, sizeof code);
    h.bus.translate = split_translate;
    struct cpu *c = &h.c;
    cpu_init(c, &h.bus, 0);
    cpu_set_user_mode(c, false);
    c->rip = 0x10000;
    c->gpr[REG_RDI] = 0x30000; /* not mapped */
    cr_assert_eq(harness_run(c), VEC_PF);
    cr_assert_eq(c->rip, 0x30000);
    cr_assert_eq(c->exc.cr2, 0x30000);
    cr_assert_eq(c->exc.error, PFERR_U | PFERR_I);
}

Test(cpu_exec, self_modifying_code_is_seen)
{
    /* loop twice over an instruction that the loop body rewrites:
     * 0: mov eax, 1 (b8 01 00 00 00); 5: mov byte [rip-10], 2; dec ecx; jnz 0 */
    const uint8_t code[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0xc6, 0x05, 0xf5,
                            0xff, 0xff, 0xff, 0x02, 0xff, 0xc9, 0x75, 0xf0};
    struct cpu *c = load(code, sizeof code);
    c->gpr[REG_RCX] = 2;
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(c->gpr[REG_RAX], 2, "the second pass ran the rewritten instruction");
}

/* a port device for the I/O tests: reads return port + size, writes are logged */
static uint32_t io_log[16];
static unsigned io_count;

static uint32_t io_in(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque;
    return 0x11223300u + port + size;
}

static void io_out(void *opaque, uint16_t port, uint32_t val, unsigned size)
{
    (void)opaque;
    if (io_count < 16)
        io_log[io_count++] = (uint32_t)port << 16 ^ val ^ size << 28;
}

static struct cpu *load_real(const uint8_t *code, size_t len)
{
    memset(&h, 0, sizeof h);
    h.bus.ram = h.ram;
    h.bus.ram_size = RAM_SIZE;
    h.bus.io_in = io_in;
    h.bus.io_out = io_out;
    memset(h.ram + CODE, 0xcc, 0x100);
    memcpy(h.ram + CODE, code, len);
    struct cpu *c = &h.c;
    cpu_init(c, &h.bus, 0);
    c->stop_at_exc = true; /* stop at the final INT3 instead of delivering it */
    c->seg[SEG_CS].base = 0;
    c->seg[SEG_CS].sel = 0;
    c->rip = CODE;
    c->gpr[REG_RSP] = STACK;
    io_count = 0;
    return c;
}

Test(cpu_exec, port_io_in_real_mode)
{
    /* in al,71h; mov dx,0cf8h; out dx,eax (66 ef); in ax,dx (ed) */
    const uint8_t code[] = {0xe4, 0x71, 0xba, 0xf8, 0x0c, 0x66, 0xef, 0xed};
    struct cpu *c = load_real(code, sizeof code);
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(io_count, 1);
    cr_assert_eq(io_log[0], (0xcf8u << 16) ^ ((0x11223300u + 0x71 + 1) & 0xff) ^ (4u << 28));
    cr_assert_eq(c->gpr[REG_RAX] & 0xffff, (0x11223300u + 0xcf8 + 2) & 0xffff);
}

Test(cpu_exec, rep_outsb_and_insw)
{
    /* mov cx,3; rep outsb; mov cx,2; rep insw */
    const uint8_t code[] = {0xb9, 0x03, 0x00, 0xf3, 0x6e, 0xb9, 0x02, 0x00, 0xf3, 0x6d};
    struct cpu *c = load_real(code, sizeof code);
    c->gpr[REG_RDX] = 0x3f8;
    c->gpr[REG_RSI] = DATA;
    c->gpr[REG_RDI] = DATA + 0x100;
    h.ram[DATA] = 'a';
    h.ram[DATA + 1] = 'b';
    h.ram[DATA + 2] = 'c';
    cr_assert_eq(harness_run(c), VEC_BP);
    cr_assert_eq(io_count, 3);
    cr_assert_eq(io_log[2], (0x3f8u << 16) ^ 'c' ^ (1u << 28));
    uint16_t w;
    memcpy(&w, h.ram + DATA + 0x102, 2);
    cr_assert_eq(w, (uint16_t)(0x11223300u + 0x3f8 + 2));
    cr_assert_eq(c->gpr[REG_RDI] & 0xffff, DATA + 0x104);
}

Test(cpu_exec, port_io_and_cli_need_iopl_in_ring3)
{
    static const uint8_t ops[][2] = {{0xe4, 0x60}, {0xee, 0x90}, {0xfa, 0x90}, {0x6c, 0x90}};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        struct cpu *c = load(ops[k], 2);
        cr_expect_eq(harness_run(c), VEC_GP, "%02x", ops[k][0]);
        c = load(ops[k], 2);
        cpu_set_rflags(c, RFLAGS_IF | RFLAGS_IOPL); /* IOPL 3 allows it */
        c->gpr[REG_RDI] = DATA;
        cr_expect_eq(harness_run(c), VEC_BP, "%02x with IOPL 3", ops[k][0]);
    }
}
