/*
 * emu/cpu/fast.c: handlers specialised when a block is built (block.c). The
 * decoder picks the general handler of an opcode; for the commonest forms
 * (register operands, 32- and 64-bit sizes, memory operands without LOCK,
 * near branches whose targets the block fixes) cpu_fast_handler swaps in one
 * that knows its form and size, so it does less at run time.
 *
 * Each does exactly what the general handler does. Memory forms take the
 * inline path only when the TLB has the page for the access and the segment
 * is flat enough to need nothing but its limit; otherwise they call the
 * general handler, which does everything again (nothing has changed yet).
 * The differential oracle runs through these, as everything does.
 */
#include "emu/cpu/internal.h"

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/*
 * A register written at size 1, 4 or 8: 32-bit results zero-extend (SDM
 * Vol 1 3.4.1.1), byte results keep the rest. Byte forms are chosen only
 * where the register is AL..BL, SPL..DIL or R8B..R15B, never AH..BH.
 */
ALWAYS_INLINE void gpr_set(struct cpu *c, unsigned r, unsigned size, uint64_t v)
{
    if (size == 1)
        c->gpr[r] = (c->gpr[r] & ~0xffull) | (v & 0xff);
    else
        c->gpr[r] = size == 8 ? v : (uint32_t)v;
}

ALWAYS_INLINE uint64_t gpr_get(const struct cpu *c, unsigned r, unsigned size)
{
    return size == 8 ? c->gpr[r] : size == 4 ? (uint32_t)c->gpr[r] : c->gpr[r] & 0xff;
}

/* host address of size bytes at linear lin, or NULL when the TLB does not have them */
ALWAYS_INLINE uint8_t *tlb_ptr(struct cpu *c, uint64_t lin, unsigned size, bool write)
{
    struct tlb_entry *e = tlb_entry(c, lin);
    unsigned po = (unsigned)(lin & (X86_PAGE_SIZE - 1));
    uint64_t tag = write ? __atomic_load_n(&e->wtag, __ATOMIC_RELAXED) : e->tag;
    if (__builtin_expect(tag != lin >> X86_PAGE_SHIFT || po > X86_PAGE_SIZE - size, 0))
        return NULL;
    uint8_t *p = (uint8_t *)e->host + po;
    if (!p)
        __builtin_unreachable(); /* a TLB entry's host page is never at 0 */
    return p;
}

/*
 * Host address of the memory operand, or NULL. In 64-bit mode the TLB never
 * holds a non-canonical page, so a hit is canonical; outside it only a
 * present, expand-up, writable data segment is taken, with its limit.
 */
ALWAYS_INLINE uint8_t *seg_ptr(struct cpu *c, unsigned seg, uint64_t off, unsigned size, bool write)
{
    uint64_t lin;
    if (__builtin_expect(c->mode == MODE_LONG64, 1)) {
        lin = off + (seg >= SEG_FS ? c->seg[seg].base : 0);
    } else {
        const struct seg *s = &c->seg[seg];
        if ((s->attr & SEG_FLAT_MASK) != SEG_FLAT_RW || off + size - 1 > s->limit)
            return NULL;
        lin = (s->base + off) & 0xffffffffull;
    }
    return tlb_ptr(c, lin, size, write);
}

ALWAYS_INLINE uint8_t *mem_ptr(struct cpu *c, const struct insn *i, unsigned size, bool write)
{
    return seg_ptr(c, i->seg, cpu_ea(c, i), size, write);
}

/*
 * Memory forms come in address-form variants, chosen when the block is built
 * (its mode is fixed): 64-bit mode with a 64-bit address and no segment base
 * (base + disp, or base + index * scale + disp; RIP-relative is a base),
 * 32-bit mode with a 32-bit address, and everything else (mem_ptr).
 */
enum { V64BD, V64BI, V32BD, V32BI, VGEN, NVAR };

ALWAYS_INLINE uint8_t *mem_ptr_v(struct cpu *c, const struct insn *i, unsigned size, bool write,
                                 int v)
{
    uint64_t off = (uint64_t)(int64_t)i->disp + c->xgpr[i->xbase];
    if (v == V64BI || v == V32BI)
        off += c->xgpr[i->xindex] << i->scale;
    switch (v) {
    case V64BD:
    case V64BI:
        return tlb_ptr(c, off, size, write); /* a TLB hit is canonical */
    case V32BD:
    case V32BI: {
        const struct seg *s = &c->seg[i->seg];
        off = (uint32_t)off;
        if ((s->attr & SEG_FLAT_MASK) != SEG_FLAT_RW || off + size - 1 > s->limit)
            return NULL;
        return tlb_ptr(c, (uint32_t)(s->base + off), size, write);
    }
    default:
        return mem_ptr(c, i, size, write);
    }
}

/* which variant the block's instruction i takes */
static unsigned mem_variant(const struct cpu *c, const struct insn *i)
{
    bool idx = i->xindex != EA_X_ZERO;
    if (c->mode == MODE_LONG64 && i->asz == 8 && i->seg < SEG_FS)
        return idx ? V64BI : V64BD;
    if (c->mode == MODE_PROT32 && i->asz == 4)
        return idx ? V32BI : V32BD;
    return VGEN;
}

/* a memory-form handler: name[] holds its variants, which take the general handler's path
 * when the TLB or the segment says no */
#define MEM_VARIANT(name, v, size, write, general, ...)                                            \
    static HANDLER(name##_v##v)                                                                    \
    {                                                                                              \
        uint8_t *p = mem_ptr_v(c, i, size, write, v);                                              \
        if (!p) {                                                                                  \
            general(c, i);                                                                         \
            return;                                                                                \
        }                                                                                          \
        __VA_ARGS__                                                                                \
    }
#define MEM_HANDLER(name, size, write, general, ...)                                               \
    MEM_VARIANT(name, 0, size, write, general, __VA_ARGS__)                                        \
    MEM_VARIANT(name, 1, size, write, general, __VA_ARGS__)                                        \
    MEM_VARIANT(name, 2, size, write, general, __VA_ARGS__)                                        \
    MEM_VARIANT(name, 3, size, write, general, __VA_ARGS__)                                        \
    MEM_VARIANT(name, 4, size, write, general, __VA_ARGS__)                                        \
    static const insn_fn name[NVAR] = {name##_v0, name##_v1, name##_v2, name##_v3, name##_v4};

/* the stack slot at sp for size bytes: 64-bit mode, or a flat 32-bit SS */
ALWAYS_INLINE uint8_t *stack_ptr(struct cpu *c, uint64_t sp, unsigned size, bool write)
{
    return seg_ptr(c, SEG_SS, sp, size, write);
}

/* ---- the ALU ---------------------------------------------------------------------- */

/* r/m (a register) op= reg, and reg op= r/m (a register) */
#define ALU_RR(name, op, size)                                                                     \
    static HANDLER(fast_##name##_rmr_##size)                                                       \
    {                                                                                              \
        uint64_t r = alu_calc(c, op, size, gpr_get(c, i->rm, size), gpr_get(c, i->reg, size),      \
                              carry_in(c, op));                                                    \
        if (op != ALU_CMP)                                                                         \
            gpr_set(c, i->rm, size, r);                                                            \
    }                                                                                              \
    static HANDLER(fast_##name##_rrm_##size)                                                       \
    {                                                                                              \
        uint64_t r = alu_calc(c, op, size, gpr_get(c, i->reg, size), gpr_get(c, i->rm, size),      \
                              carry_in(c, op));                                                    \
        if (op != ALU_CMP)                                                                         \
            gpr_set(c, i->reg, size, r);                                                           \
    }                                                                                              \
    static HANDLER(fast_##name##_ri_##size)                                                        \
    {                                                                                              \
        uint64_t r = alu_calc(c, op, size, gpr_get(c, i->rm, size), i->imm & size_mask(size),      \
                              carry_in(c, op));                                                    \
        if (op != ALU_CMP)                                                                         \
            gpr_set(c, i->rm, size, r);                                                            \
    }                                                                                              \
    static HANDLER(fast_##name##_ai_##size)                                                        \
    {                                                                                              \
        uint64_t r = alu_calc(c, op, size, gpr_get(c, REG_RAX, size), i->imm & size_mask(size),    \
                              carry_in(c, op));                                                    \
        if (op != ALU_CMP)                                                                         \
            gpr_set(c, REG_RAX, size, r);                                                          \
    }                                                                                              \
    /* reg op= [m] */                                                                              \
    MEM_HANDLER(fast_##name##_rm_##size, size, false, op_##name##_r_rm,                            \
                uint64_t r = alu_calc(c, op, size, gpr_get(c, i->reg, size), host_load(p, size),   \
                                      carry_in(c, op));                                            \
                if (op != ALU_CMP) gpr_set(c, i->reg, size, r);)                                   \
    /* [m] op= reg, [m] op= imm: a plain read-modify-write (no LOCK), or CMP's read */             \
    MEM_HANDLER(fast_##name##_mr_##size, size, op != ALU_CMP, op_##name##_rm_r,                    \
                uint64_t r = alu_calc(c, op, size, host_load(p, size), gpr_get(c, i->reg, size),   \
                                      carry_in(c, op));                                            \
                if (op != ALU_CMP) host_store(p, size, r);)                                        \
    MEM_HANDLER(fast_##name##_mi_##size, size, op != ALU_CMP, op_##name##_rm_imm,                  \
                uint64_t r = alu_calc(c, op, size, host_load(p, size), i->imm & size_mask(size),   \
                                      carry_in(c, op));                                            \
                if (op != ALU_CMP) host_store(p, size, r);)

#define ALU_SIZES(name, op) ALU_RR(name, op, 1) ALU_RR(name, op, 4) ALU_RR(name, op, 8)
ALU_SIZES(add, ALU_ADD)
ALU_SIZES(or, ALU_OR)
ALU_SIZES(adc, ALU_ADC)
ALU_SIZES(sbb, ALU_SBB)
ALU_SIZES(and, ALU_AND)
ALU_SIZES(sub, ALU_SUB)
ALU_SIZES(xor, ALU_XOR)
ALU_SIZES(cmp, ALU_CMP)

/* TEST: r/m & reg, r/m & imm, eAX & imm */
#define TEST_SIZE(size)                                                                            \
    static HANDLER(fast_test_rr_##size)                                                            \
    {                                                                                              \
        lf_res(c, size, gpr_get(c, i->rm, size) & gpr_get(c, i->reg, size), 0);                    \
    }                                                                                              \
    static HANDLER(fast_test_ri_##size)                                                            \
    {                                                                                              \
        lf_res(c, size, gpr_get(c, i->rm, size) & i->imm, 0);                                      \
    }                                                                                              \
    static HANDLER(fast_test_ai_##size)                                                            \
    {                                                                                              \
        lf_res(c, size, gpr_get(c, REG_RAX, size) & i->imm, 0);                                    \
    }                                                                                              \
    MEM_HANDLER(fast_test_mr_##size, size, false, op_test_rm_r,                                    \
                lf_res(c, size, host_load(p, size) & gpr_get(c, i->reg, size), 0);)                \
    MEM_HANDLER(fast_test_mi_##size, size, false, op_test_rm_imm,                                  \
                lf_res(c, size, host_load(p, size) & i->imm, 0);)
TEST_SIZE(1)
TEST_SIZE(4)
TEST_SIZE(8)

/* INC and DEC of a register leave CF alone */
#define INCDEC_SIZE(size)                                                                          \
    static HANDLER(fast_inc_r_##size)                                                              \
    {                                                                                              \
        uint64_t v = (gpr_get(c, i->rm, size) + 1) & size_mask(size);                              \
        uint64_t f = (flags_cf(c) ? RFLAGS_CF : 0) | (v == size_sign(size) ? RFLAGS_OF : 0) |      \
                     ((v & 0xf) == 0 ? RFLAGS_AF : 0);                                             \
        lf_res(c, size, v, f);                                                                     \
        gpr_set(c, i->rm, size, v);                                                                \
    }                                                                                              \
    static HANDLER(fast_dec_r_##size)                                                              \
    {                                                                                              \
        uint64_t v = (gpr_get(c, i->rm, size) - 1) & size_mask(size);                              \
        uint64_t f = (flags_cf(c) ? RFLAGS_CF : 0) | (v == size_sign(size) - 1 ? RFLAGS_OF : 0) |  \
                     ((v & 0xf) == 0xf ? RFLAGS_AF : 0);                                           \
        lf_res(c, size, v, f);                                                                     \
        gpr_set(c, i->rm, size, v);                                                                \
    }
INCDEC_SIZE(4)
INCDEC_SIZE(8)

/* ---- moves ------------------------------------------------------------------------ */

#define MOV_SIZE(size)                                                                             \
    static HANDLER(fast_mov_rr_##size) /* 89 and 8B with a register r/m */                         \
    {                                                                                              \
        gpr_set(c, i->op == 0x89 ? i->rm : i->reg, size, c->gpr[i->op == 0x89 ? i->reg : i->rm]);  \
    }                                                                                              \
    /* 8B: reg = [m] */                                                                            \
    MEM_HANDLER(fast_mov_load_##size, size, false, op_mov_r_rm,                                    \
                gpr_set(c, i->reg, size, host_load(p, size));)                                     \
    /* 89: [m] = reg */                                                                            \
    MEM_HANDLER(fast_mov_store_##size, size, true, op_mov_rm_r,                                    \
                host_store(p, size, c->gpr[i->reg]);)                                              \
    /* C7 /0: [m] = imm */                                                                         \
    MEM_HANDLER(fast_mov_store_imm_##size, size, true, op_mov_rm_imm,                              \
                host_store(p, size, i->imm);)                                                      \
    static HANDLER(fast_mov_ri_##size) /* B8+r, C7 /0 with a register */                           \
    {                                                                                              \
        gpr_set(c, i->op == 0xc7 ? i->rm : opreg(i), size, i->imm);                                \
    }                                                                                              \
    static HANDLER(fast_lea_##size)                                                                \
    {                                                                                              \
        gpr_set(c, i->reg, size, cpu_ea(c, i));                                                    \
    }
MOV_SIZE(4)
MOV_SIZE(8)

/* byte stores of AL..BL, SPL..DIL or R8B..R15B (not AH..BH) */
MEM_HANDLER(fast_mov_store_1, 1, true, op_mov_rm_r, host_store(p, 1, c->gpr[i->reg]);)

/* MOVZX, MOVSX from memory to a 32- or 64-bit register */
#define MOVX_FROM(from)                                                                            \
    MEM_HANDLER(fast_movzx_load_##from, from, false, op_movzx,                                     \
                c->gpr[i->reg] = host_load(p, from);)                                              \
    MEM_HANDLER(fast_movsx_load_##from, from, false, op_movsx,                                     \
                gpr_set(c, i->reg, i->osz, (uint64_t)sext(host_load(p, from), from));)
MOVX_FROM(1)
MOVX_FROM(2)

/* MOVZX from a register that is not AH..BH */
static HANDLER(fast_movzx_rr)
{
    c->gpr[i->reg] = c->gpr[i->rm] & ((i->op & 1) ? 0xffff : 0xff);
}

/* byte moves: 8A reg = [m], C6 /0 [m] = imm, B0+r reg = imm, 88/8A between registers */
MEM_HANDLER(fast_mov_load_1, 1, false, op_mov_r_rm, gpr_set(c, i->reg, 1, host_load(p, 1));)

MEM_HANDLER(fast_mov_store_imm_1, 1, true, op_mov_rm_imm, host_store(p, 1, i->imm);)

static HANDLER(fast_mov_ri_1)
{
    gpr_set(c, opreg(i), 1, i->imm);
}

static HANDLER(fast_mov_rr_1)
{
    if (i->op == 0x88)
        gpr_set(c, i->rm, 1, c->gpr[i->reg]);
    else
        gpr_set(c, i->reg, 1, c->gpr[i->rm]);
}

/* ---- shifts and rotates of a register: by an immediate, by 1, by CL ----------------- */

enum { SK_ROL, SK_ROR, SK_SHL, SK_SHR, SK_SAR };

/* as shift.c's shift_calc and shift_rm for a register operand, with kind and size fixed */
ALWAYS_INLINE void shift_reg(struct cpu *c, const struct insn *i, unsigned kind, unsigned size,
                             unsigned cnt)
{
    unsigned n = size * 8;
    uint64_t a = gpr_get(c, i->rm, size), m = size_mask(size), sign = size_sign(size), r, f;
    cnt &= size == 8 ? 63 : 31;
    if (!cnt) { /* no flag changes; a 32-bit register is still written (zero-extended) */
        gpr_set(c, i->rm, size, a);
        return;
    }
    bool cf, of;
    switch (kind) {
    case SK_ROL:
        r = ((a << cnt) | (a >> (n - cnt))) & m; /* cnt < n: masked to 5 or 6 bits */
        cf = r & 1;
        of = !!(r & sign) != cf;
        break;
    case SK_ROR:
        r = ((a >> cnt) | (a << (n - cnt))) & m;
        cf = r & sign;
        of = !!(r & sign) != !!(r & (sign >> 1));
        break;
    case SK_SHL:
        r = (a << cnt) & m;
        cf = (a >> (n - cnt)) & 1;
        of = !!(r & sign) != cf;
        break;
    case SK_SHR:
        r = a >> cnt;
        cf = (a >> (cnt - 1)) & 1;
        of = a & sign;
        break;
    default: {
        int64_t s = sext(a, size);
        r = (uint64_t)(s >> cnt) & m;
        cf = (s >> (cnt - 1)) & 1;
        of = false;
        break;
    }
    }
    f = (cf ? RFLAGS_CF : 0) | (of ? RFLAGS_OF : 0);
    gpr_set(c, i->rm, size, r);
    if (kind <= SK_ROR)
        flags_set_status(c, RFLAGS_CF | RFLAGS_OF, f); /* rotates touch CF and OF only */
    else
        lf_res(c, size, r, f); /* AF undefined: 0 */
}

#define SHIFT_KIND(name, kind, size)                                                               \
    static HANDLER(fast_##name##_ri_##size)                                                        \
    {                                                                                              \
        shift_reg(c, i, kind, size, (unsigned)i->imm);                                             \
    }                                                                                              \
    static HANDLER(fast_##name##_r1_##size)                                                        \
    {                                                                                              \
        shift_reg(c, i, kind, size, 1);                                                            \
    }                                                                                              \
    static HANDLER(fast_##name##_rcl_##size)                                                       \
    {                                                                                              \
        shift_reg(c, i, kind, size, (unsigned)c->gpr[REG_RCX] & 0xff);                             \
    }
#define SHIFT_KINDS(size)                                                                          \
    SHIFT_KIND(rol, SK_ROL, size)                                                                  \
    SHIFT_KIND(ror, SK_ROR, size)                                                                  \
    SHIFT_KIND(shl, SK_SHL, size) SHIFT_KIND(shr, SK_SHR, size) SHIFT_KIND(sar, SK_SAR, size)
SHIFT_KINDS(4)
SHIFT_KINDS(8)

/* ---- multiplication ---------------------------------------------------------------- */

typedef __int128 s128;
typedef unsigned __int128 u128;

/* 0F AF, 69, 6B: reg = a * b, CF = OF = the product did not fit */
ALWAYS_INLINE void imul_reg(struct cpu *c, const struct insn *i, unsigned size, uint64_t a,
                            uint64_t b)
{
    s128 p = (s128)sext(a, size) * sext(b, size);
    uint64_t lo = (uint64_t)p & size_mask(size);
    gpr_set(c, i->reg, size, lo);
    lf_res(c, size, lo, p != (s128)sext(lo, size) ? RFLAGS_CF | RFLAGS_OF : 0);
}

#define IMUL_SIZE(size)                                                                            \
    static HANDLER(fast_imul_rr_##size)                                                            \
    {                                                                                              \
        imul_reg(c, i, size, c->gpr[i->reg], c->gpr[i->rm]);                                       \
    }                                                                                              \
    MEM_HANDLER(fast_imul_rm_##size, size, false, op_imul_r_rm,                                    \
                imul_reg(c, i, size, c->gpr[i->reg], host_load(p, size));)                         \
    static HANDLER(fast_imul_rri_##size)                                                           \
    {                                                                                              \
        imul_reg(c, i, size, c->gpr[i->rm], i->imm);                                               \
    }                                                                                              \
    MEM_HANDLER(fast_imul_rmi_##size, size, false, op_imul_r_rm_imm,                               \
                imul_reg(c, i, size, host_load(p, size), i->imm);)                                 \
    /* F7 /4: rDX:rAX = rAX * r/m */                                                               \
    static HANDLER(fast_mul_r_##size)                                                              \
    {                                                                                              \
        u128 p = (u128)gpr_get(c, REG_RAX, size) * gpr_get(c, i->rm, size);                        \
        uint64_t lo = (uint64_t)p & size_mask(size), hi = (uint64_t)(p >> (size * 8));             \
        hi &= size_mask(size);                                                                     \
        gpr_set(c, REG_RAX, size, lo);                                                             \
        gpr_set(c, REG_RDX, size, hi);                                                             \
        lf_res(c, size, lo, hi ? RFLAGS_CF | RFLAGS_OF : 0);                                       \
    }
IMUL_SIZE(4)
IMUL_SIZE(8)

/* ---- CMOVcc, SETcc ------------------------------------------------------------------ */

#define CMOV_SIZE(size)                                                                            \
    static HANDLER(fast_cmov_rr_##size)                                                            \
    {                                                                                              \
        uint64_t v = c->gpr[i->rm];                                                                \
        /* the destination is written (a 32-bit one zero-extended) either way */                   \
        gpr_set(c, i->reg, size, flags_cond(c, i->op & 15) ? v : c->gpr[i->reg]);                  \
    }                                                                                              \
    MEM_HANDLER(fast_cmov_rm_##size, size, false, op_cmov, uint64_t v = host_load(p, size);        \
                gpr_set(c, i->reg, size, flags_cond(c, i->op & 15) ? v : c->gpr[i->reg]);)
CMOV_SIZE(4)
CMOV_SIZE(8)

static HANDLER(fast_setcc_r)
{
    gpr_set(c, i->rm, 1, flags_cond(c, i->op & 15));
}

/* ---- the stack: 64-bit mode, or 32-bit code on a flat 32-bit stack ------------------ */

/* push v of size (= the stack size); false: nothing done */
ALWAYS_INLINE bool push_fast(struct cpu *c, unsigned size, uint64_t v)
{
    uint64_t sp = c->gpr[REG_RSP] - size;
    if (size == 4)
        sp = (uint32_t)sp;
    uint8_t *p = stack_ptr(c, sp, size, true);
    if (!p)
        return false;
    host_store(p, size, v);
    c->gpr[REG_RSP] = sp;
    return true;
}

ALWAYS_INLINE bool pop_fast(struct cpu *c, unsigned size, uint64_t *v)
{
    uint64_t sp = c->gpr[REG_RSP];
    if (size == 4)
        sp = (uint32_t)sp;
    uint8_t *p = stack_ptr(c, sp, size, false);
    if (!p)
        return false;
    *v = host_load(p, size);
    c->gpr[REG_RSP] = size == 4 ? (uint32_t)(sp + 4) : sp + 8;
    return true;
}

#define STACK_SIZE(size)                                                                           \
    static HANDLER(fast_push_r_##size)                                                             \
    {                                                                                              \
        if (!push_fast(c, size, c->gpr[opreg(i)]))                                                 \
            op_push_r(c, i);                                                                       \
    }                                                                                              \
    static HANDLER(fast_pop_r_##size)                                                              \
    {                                                                                              \
        uint64_t v;                                                                                \
        if (!pop_fast(c, size, &v)) {                                                              \
            op_pop_r(c, i);                                                                        \
            return;                                                                                \
        }                                                                                          \
        gpr_set(c, opreg(i), size, v);                                                             \
    }                                                                                              \
    static HANDLER(fast_push_imm_##size)                                                           \
    {                                                                                              \
        if (!push_fast(c, size, i->imm))                                                           \
            op_push_imm(c, i);                                                                     \
    }                                                                                              \
    /* E8 whose target the block checked */                                                        \
    static HANDLER(fast_call_rel_##size)                                                           \
    {                                                                                              \
        uint64_t ret = c->next_rip;                                                                \
        if (!push_fast(c, size, ret)) {                                                            \
            op_call_rel(c, i);                                                                     \
            return;                                                                                \
        }                                                                                          \
        c->next_rip = (ret + i->imm) & size_mask(size);                                            \
    }                                                                                              \
    static HANDLER(fast_ret_##size)                                                                \
    {                                                                                              \
        uint64_t sp = c->gpr[REG_RSP], t;                                                          \
        if (!pop_fast(c, size, &t)) {                                                              \
            op_ret(c, i);                                                                          \
            return;                                                                                \
        }                                                                                          \
        /* a bad target faults at the RET with RSP untouched */                                    \
        if (size == 8 ? !is_canonical(t) : t > c->seg[SEG_CS].limit) {                             \
            c->gpr[REG_RSP] = sp;                                                                  \
            cpu_gp0(c);                                                                            \
        }                                                                                          \
        c->next_rip = t;                                                                           \
    }                                                                                              \
    /* FF /4, FF /2: the target is checked before anything moves */                                \
    static HANDLER(fast_jmp_r_##size)                                                              \
    {                                                                                              \
        uint64_t t = gpr_get(c, i->rm, size);                                                      \
        if (size == 8 ? !is_canonical(t) : t > c->seg[SEG_CS].limit)                               \
            cpu_gp0(c);                                                                            \
        c->next_rip = t;                                                                           \
    }                                                                                              \
    MEM_HANDLER(fast_jmp_m_##size, size, false, op_jmp_rm, uint64_t t = host_load(p, size);        \
                if (size == 8 ? !is_canonical(t) : t > c->seg[SEG_CS].limit) cpu_gp0(c);           \
                c->next_rip = t;)                                                                  \
    static HANDLER(fast_call_r_##size)                                                             \
    {                                                                                              \
        uint64_t t = gpr_get(c, i->rm, size), ret = c->next_rip;                                   \
        if (size == 8 ? !is_canonical(t) : t > c->seg[SEG_CS].limit)                               \
            cpu_gp0(c);                                                                            \
        if (!push_fast(c, size, ret)) {                                                            \
            op_call_rm(c, i);                                                                      \
            return;                                                                                \
        }                                                                                          \
        c->next_rip = t;                                                                           \
    }                                                                                              \
    MEM_HANDLER(                                                                                   \
        fast_call_m_##size, size, false, op_call_rm, uint64_t t = host_load(p, size),              \
        ret = c->next_rip;                                                                         \
        if (size == 8 ? !is_canonical(t) : t > c->seg[SEG_CS].limit) cpu_gp0(c);                   \
        if (!push_fast(c, size, ret)) {                                                            \
            op_call_rm(c, i);                                                                      \
            return;                                                                                \
        } c->next_rip = t;)
STACK_SIZE(4)
STACK_SIZE(8)

/* ---- near branches whose targets the block checked ---------------------------------- */

/*
 * The condition when the last flag-setting operation makes it cheap (CMP,
 * SUB, ADD, logic, INC/DEC, shifts); false when it does not, and the
 * handler leaves it to op_jcc, frameless.
 */
ALWAYS_INLINE bool cond_quick(const struct cpu *c, unsigned cc, bool *r)
{
    unsigned op = c->lf.op;
    if (op != LF_SUB && op != LF_ADD && op != LF_RES)
        return false;
    if (cc >> 1 == 5 || (op == LF_ADD && (cc >> 1 == 0 || cc >> 1 >= 6)))
        return false; /* PF, or OF after ADD */
    *r = flags_cond_inline(c, cc);
    return true;
}

#define JCC(cc)                                                                                    \
    static HANDLER(fast_jcc_##cc##_8)                                                              \
    {                                                                                              \
        bool r;                                                                                    \
        if (!cond_quick(c, cc, &r)) {                                                              \
            op_jcc(c, i);                                                                          \
            return;                                                                                \
        }                                                                                          \
        if (r)                                                                                     \
            c->next_rip += i->imm;                                                                 \
    }                                                                                              \
    static HANDLER(fast_jcc_##cc##_4)                                                              \
    {                                                                                              \
        bool r;                                                                                    \
        if (!cond_quick(c, cc, &r)) {                                                              \
            op_jcc(c, i);                                                                          \
            return;                                                                                \
        }                                                                                          \
        if (r)                                                                                     \
            c->next_rip = (uint32_t)(c->next_rip + i->imm);                                        \
    }
JCC(0)
JCC(1)
JCC(2)
JCC(3)
JCC(4)
JCC(5)
JCC(6)
JCC(7)
JCC(8)
JCC(9)
JCC(10)
JCC(11)
JCC(12)
JCC(13)
JCC(14)
JCC(15)

static const insn_fn jcc_8[16] = {fast_jcc_0_8,  fast_jcc_1_8,  fast_jcc_2_8,  fast_jcc_3_8,
                                  fast_jcc_4_8,  fast_jcc_5_8,  fast_jcc_6_8,  fast_jcc_7_8,
                                  fast_jcc_8_8,  fast_jcc_9_8,  fast_jcc_10_8, fast_jcc_11_8,
                                  fast_jcc_12_8, fast_jcc_13_8, fast_jcc_14_8, fast_jcc_15_8};
static const insn_fn jcc_4[16] = {fast_jcc_0_4,  fast_jcc_1_4,  fast_jcc_2_4,  fast_jcc_3_4,
                                  fast_jcc_4_4,  fast_jcc_5_4,  fast_jcc_6_4,  fast_jcc_7_4,
                                  fast_jcc_8_4,  fast_jcc_9_4,  fast_jcc_10_4, fast_jcc_11_4,
                                  fast_jcc_12_4, fast_jcc_13_4, fast_jcc_14_4, fast_jcc_15_4};

static HANDLER(fast_jmp_rel_8)
{
    c->next_rip += i->imm;
}

static HANDLER(fast_jmp_rel_4)
{
    c->next_rip = (uint32_t)(c->next_rip + i->imm);
}

/* ---- choosing --------------------------------------------------------------------- */

enum form {
    F_ANY, /* any operands */
    F_REG, /* a register r/m operand */
    F_MEM, /* a memory r/m operand, without LOCK */
};

/* byte registers that must not be AH..BH (no REX and register 4..7) */
#define B_RM  1 /* the r/m register */
#define B_REG 2 /* ModRM.reg */
#define B_OPR 4 /* the register in the opcode's low bits */

/* the general handler and the form, operand size and opcode it needs, and what runs instead */
struct fast_form {
    insn_fn general;
    uint8_t form, osz;
    uint8_t grp;   /* group entries: ModRM.reg + 1 (0: any) */
    uint8_t op;    /* the opcode must be this one (0: any) */
    uint8_t bytes; /* B_* */
    insn_fn fast;
    const insn_fn *var; /* F_MEM: the address-form variants (mem_variant) */
};

#define ALU_FORMS(name, size, b)                                                                   \
    {op_##name##_rm_r, F_REG, size, 0, 0, b | b << 1, fast_##name##_rmr_##size, NULL},             \
        {op_##name##_r_rm, F_REG, size, 0, 0, b | b << 1, fast_##name##_rrm_##size, NULL},         \
        {op_##name##_rm_imm, F_REG, size, 0, 0, b, fast_##name##_ri_##size, NULL},                 \
        {op_##name##_a_imm, F_ANY, size, 0, 0, 0, fast_##name##_ai_##size, NULL},                  \
        {op_##name##_r_rm, F_MEM, size, 0, 0, b << 1, NULL, fast_##name##_rm_##size},              \
        {op_##name##_rm_r, F_MEM, size, 0, 0, b << 1, NULL, fast_##name##_mr_##size},              \
        {op_##name##_rm_imm, F_MEM, size, 0, 0, 0, NULL, fast_##name##_mi_##size},
#define ALU_ALL(size, b)                                                                           \
    ALU_FORMS(add, size, b)                                                                        \
    ALU_FORMS(or, size, b)                                                                         \
    ALU_FORMS(adc, size, b)                                                                        \
    ALU_FORMS(sbb, size, b)                                                                        \
    ALU_FORMS(and, size, b)                                                                        \
    ALU_FORMS(sub, size, b)                                                                        \
    ALU_FORMS(xor, size, b) ALU_FORMS(cmp, size, b)
#define TEST_FORMS(size, b)                                                                        \
    {op_test_rm_r, F_REG, size, 0, 0, b | b << 1, fast_test_rr_##size, NULL},                      \
        {op_test_rm_imm, F_REG, size, 0, 0, b, fast_test_ri_##size, NULL},                         \
        {op_test_a_imm, F_ANY, size, 0, 0, 0, fast_test_ai_##size, NULL},                          \
        {op_test_rm_r, F_MEM, size, 0, 0, b << 1, NULL, fast_test_mr_##size},                      \
        {op_test_rm_imm, F_MEM, size, 0, 0, 0, NULL, fast_test_mi_##size},
#define SHIFT_FORMS(name, grp, size)                                                               \
    {op_shift_rm, F_REG, size, grp, 0xc1, 0, fast_##name##_ri_##size, NULL},                       \
        {op_shift_rm, F_REG, size, grp, 0xd1, 0, fast_##name##_r1_##size, NULL},                   \
        {op_shift_rm, F_REG, size, grp, 0xd3, 0, fast_##name##_rcl_##size, NULL},
#define OTHER_FORMS(size)                                                                          \
    {op_inc_rm, F_REG, size, 0, 0, 0, fast_inc_r_##size, NULL},                                    \
        {op_dec_rm, F_REG, size, 0, 0, 0, fast_dec_r_##size, NULL},                                \
        {op_mov_rm_r, F_REG, size, 0, 0, 0, fast_mov_rr_##size, NULL},                             \
        {op_mov_r_rm, F_REG, size, 0, 0, 0, fast_mov_rr_##size, NULL},                             \
        {op_mov_r_rm, F_MEM, size, 0, 0, 0, NULL, fast_mov_load_##size},                           \
        {op_mov_rm_r, F_MEM, size, 0, 0, 0, NULL, fast_mov_store_##size},                          \
        {op_mov_rm_imm, F_MEM, size, 0, 0, 0, NULL, fast_mov_store_imm_##size},                    \
        {op_mov_rm_imm, F_REG, size, 0, 0, 0, fast_mov_ri_##size, NULL},                           \
        {op_mov_r_imm, F_ANY, size, 0, 0, 0, fast_mov_ri_##size, NULL},                            \
        {op_lea, F_ANY, size, 0, 0, 0, fast_lea_##size, NULL},                                     \
        {op_movzx, F_MEM, size, 0, 0xb6, 0, NULL, fast_movzx_load_1},                              \
        {op_movzx, F_MEM, size, 0, 0xb7, 0, NULL, fast_movzx_load_2},                              \
        {op_movsx, F_MEM, size, 0, 0xbe, 0, NULL, fast_movsx_load_1},                              \
        {op_movsx, F_MEM, size, 0, 0xbf, 0, NULL, fast_movsx_load_2},                              \
        {op_movzx, F_REG, size, 0, 0xb6, B_RM, fast_movzx_rr, NULL},                               \
        {op_movzx, F_REG, size, 0, 0xb7, 0, fast_movzx_rr, NULL},                                  \
        SHIFT_FORMS(rol, 1, size) SHIFT_FORMS(ror, 2, size) SHIFT_FORMS(shl, 5, size)              \
            SHIFT_FORMS(shr, 6, size) SHIFT_FORMS(shl, 7, size) SHIFT_FORMS(sar, 8, size){         \
                op_imul_r_rm, F_REG, size, 0, 0, 0, fast_imul_rr_##size, NULL},                    \
        {op_imul_r_rm, F_MEM, size, 0, 0, 0, NULL, fast_imul_rm_##size},                           \
        {op_imul_r_rm_imm, F_REG, size, 0, 0, 0, fast_imul_rri_##size, NULL},                      \
        {op_imul_r_rm_imm, F_MEM, size, 0, 0, 0, NULL, fast_imul_rmi_##size},                      \
        {op_mul_rm, F_REG, size, 0, 0, 0, fast_mul_r_##size, NULL},                                \
        {op_cmov, F_REG, size, 0, 0, 0, fast_cmov_rr_##size, NULL},                                \
        {op_cmov, F_MEM, size, 0, 0, 0, NULL, fast_cmov_rm_##size},

static const struct fast_form forms[] = {
    ALU_ALL(1, B_RM) ALU_ALL(4, 0) ALU_ALL(8, 0) TEST_FORMS(1, B_RM) TEST_FORMS(4, 0)
        TEST_FORMS(8, 0) OTHER_FORMS(4)
            OTHER_FORMS(8){op_mov_rm_r, F_MEM, 1, 0, 0, B_REG, NULL, fast_mov_store_1},
    {op_mov_r_rm, F_MEM, 1, 0, 0, B_REG, NULL, fast_mov_load_1},
    {op_mov_rm_r, F_REG, 1, 0, 0, B_RM | B_REG, fast_mov_rr_1, NULL},
    {op_mov_r_rm, F_REG, 1, 0, 0, B_RM | B_REG, fast_mov_rr_1, NULL},
    {op_mov_rm_imm, F_MEM, 1, 0, 0, 0, NULL, fast_mov_store_imm_1},
    {op_mov_r_imm, F_ANY, 1, 0, 0, B_OPR, fast_mov_ri_1, NULL},
    {op_setcc, F_REG, 1, 0, 0, B_RM, fast_setcc_r, NULL},
};

/* register r (4 bits) is a low byte register as a byte operand */
static bool low_byte(const struct insn *i, unsigned r)
{
    return (i->pfx & PFX_REX) || r < 4;
}

static bool form_matches(const struct fast_form *f, const struct insn *i)
{
    /* SETcc is always a byte operand, whatever osz says */
    if (f->osz != i->osz && f->fast != fast_setcc_r)
        return false;
    if ((f->grp && (unsigned)(i->reg & 7) + 1 != f->grp) || (f->op && f->op != i->op))
        return false;
    if (((f->bytes & B_RM) && !low_byte(i, i->rm)) ||
        ((f->bytes & B_REG) && !low_byte(i, i->reg)) ||
        ((f->bytes & B_OPR) && !low_byte(i, opreg(i))))
        return false;
    switch (f->form) {
    case F_REG:
        return i->mod == 3;
    case F_MEM:
        return i->mod != 3 && !(i->pfx & PFX_LOCK);
    default:
        return true;
    }
}

/* a near target the block fixes: canonical in 64-bit mode, inside CS otherwise */
static bool target_ok(const struct cpu *c, uint64_t target)
{
    return c->mode == MODE_LONG64 ? is_canonical(target) : target <= c->seg[SEG_CS].limit;
}

/* the forms of each general handler: an index from handler to its entries, made once */
#define INDEX_SIZE 256
static struct {
    insn_fn general;
    uint16_t first, n;
} fast_index[INDEX_SIZE];
static uint16_t fast_order[sizeof forms / sizeof forms[0]];
static int index_state; /* 0 none, 1 being made, 2 made */

static unsigned index_slot(insn_fn fn)
{
    uintptr_t h = (uintptr_t)fn;
    return (unsigned)((h >> 4) ^ (h >> 12)) & (INDEX_SIZE - 1);
}

static void index_make(void)
{
    unsigned nf = sizeof forms / sizeof forms[0], used = 0;
    for (unsigned k = 0; k < nf; k++) {
        insn_fn g = forms[k].general;
        unsigned s = index_slot(g);
        while (fast_index[s].general && fast_index[s].general != g)
            s = (s + 1) & (INDEX_SIZE - 1);
        if (fast_index[s].general)
            continue; /* listed already */
        fast_index[s].general = g;
        fast_index[s].first = (uint16_t)used;
        for (unsigned j = k; j < nf; j++)
            if (forms[j].general == g)
                fast_order[used++] = (uint16_t)j;
        fast_index[s].n = (uint16_t)(used - fast_index[s].first);
    }
}

static void index_ready(void)
{
    int st = __atomic_load_n(&index_state, __ATOMIC_ACQUIRE);
    if (st == 2)
        return;
    int zero = 0;
    if (__atomic_compare_exchange_n(&index_state, &zero, 1, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        index_make();
        __atomic_store_n(&index_state, 2, __ATOMIC_RELEASE);
        return;
    }
    while (__atomic_load_n(&index_state, __ATOMIC_ACQUIRE) != 2)
        __builtin_ia32_pause();
}

insn_fn cpu_fast_handler(const struct cpu *c, const struct insn *i, uint64_t rip)
{
    insn_fn fn = i->fn;
    uint64_t next = rip + i->len, t = next + i->imm;
    /* stack and near branches: where the operand size is the stack's and RIP's */
    bool stack_fast =
        i->osz == 8 ? c->mode == MODE_LONG64
                    : i->osz == 4 && c->mode == MODE_PROT32 && (c->seg[SEG_SS].attr & SEG_ATTR_DB);
    bool s8 = i->osz == 8;
    if (stack_fast) {
        if (fn == op_jcc || fn == op_jmp_rel || fn == op_call_rel) {
            t &= size_mask(i->osz);
            if (!target_ok(c, t))
                return fn; /* the general handler raises #GP */
            if (fn == op_jcc)
                return (s8 ? jcc_8 : jcc_4)[i->op & 15];
            if (fn == op_jmp_rel)
                return s8 ? fast_jmp_rel_8 : fast_jmp_rel_4;
            return s8 ? fast_call_rel_8 : fast_call_rel_4;
        }
        if (fn == op_ret)
            return s8 ? fast_ret_8 : fast_ret_4;
        if (fn == op_push_r)
            return s8 ? fast_push_r_8 : fast_push_r_4;
        if (fn == op_pop_r)
            return s8 ? fast_pop_r_8 : fast_pop_r_4;
        if (fn == op_push_imm)
            return s8 ? fast_push_imm_8 : fast_push_imm_4;
        bool mem = i->mod != 3;
        if (fn == op_jmp_rm)
            return mem ? (s8 ? fast_jmp_m_8 : fast_jmp_m_4)[mem_variant(c, i)]
                       : (s8 ? fast_jmp_r_8 : fast_jmp_r_4);
        if (fn == op_call_rm)
            return mem ? (s8 ? fast_call_m_8 : fast_call_m_4)[mem_variant(c, i)]
                       : (s8 ? fast_call_r_8 : fast_call_r_4);
    }
    index_ready();
    unsigned s = index_slot(fn);
    while (fast_index[s].general && fast_index[s].general != fn)
        s = (s + 1) & (INDEX_SIZE - 1);
    for (unsigned k = 0; k < fast_index[s].n; k++) {
        const struct fast_form *f = &forms[fast_order[fast_index[s].first + k]];
        if (form_matches(f, i))
            return f->var ? f->var[mem_variant(c, i)] : f->fast;
    }
    return fn;
}
