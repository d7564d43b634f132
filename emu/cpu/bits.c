/*
 * emu/cpu/bits.c: bit instructions (SDM Vol 2A/2B): BT BTS BTR BTC, BSF BSR,
 * TZCNT LZCNT POPCNT, BSWAP, MOVBE.
 */
#include "emu/cpu/internal.h"

enum { BT_TEST, BT_SET, BT_RESET, BT_COMPLEMENT };

static uint64_t rmw_bts(uint64_t a, uint64_t bit, uint64_t x)
{
    return (void)x, a | (1ull << bit);
}
static uint64_t rmw_btr(uint64_t a, uint64_t bit, uint64_t x)
{
    return (void)x, a & ~(1ull << bit);
}
static uint64_t rmw_btc(uint64_t a, uint64_t bit, uint64_t x)
{
    return (void)x, a ^ (1ull << bit);
}
static const rmw_fn bt_rmw[4] = {NULL, rmw_bts, rmw_btr, rmw_btc};

/* CF is the bit; ZF is unaffected; OF, SF, AF, PF are undefined and left alone */
static void bt_flags(struct cpu *c, uint64_t old, unsigned bit)
{
    flags_set_status(c, RFLAGS_CF, (old >> bit) & 1 ? RFLAGS_CF : 0);
}

/* offset: the bit offset, from a register (signed, any size) or an imm8 */
static void bt_do(struct cpu *c, const struct insn *i, unsigned kind, uint64_t offset, bool reg_off)
{
    unsigned size = i->osz, n = size * 8;
    unsigned bit = (unsigned)offset & (n - 1);
    uint64_t old;
    if (i->mod == 3 || !reg_off) {
        if (kind == BT_TEST)
            old = rm_read(c, i, size);
        else
            old = cpu_rmw(c, i, size, bt_rmw[kind], bit, 0);
    } else {
        /* a register offset reaches any bit in memory (SDM Vol 2A BT, table 3-2) */
        int64_t disp = (sext(offset, size) >> (__builtin_ctz(n))) * (int64_t)size;
        uint64_t off = (cpu_ea(c, i) + (uint64_t)disp) & size_mask(i->asz);
        if (kind == BT_TEST)
            old = mem_read(c, i->seg, off, size);
        else
            old = cpu_rmw_mem(c, i->seg, off, size, i->pfx & PFX_LOCK, bt_rmw[kind], bit, 0);
    }
    bt_flags(c, old, bit);
}

/* 0F A3, AB, B3, BB: BT, BTS, BTR, BTC r/m, r */
HANDLER(op_bt_rm_r)
{
    static const uint8_t kind[4] = {BT_TEST, BT_SET, BT_RESET, BT_COMPLEMENT};
    bt_do(c, i, kind[(i->op >> 3) & 3], reg_read(c, i, i->reg, i->osz), true);
}

/* 0F BA /4../7 ib */
HANDLER(op_bt_rm_imm)
{
    bt_do(c, i, (i->reg & 7) - 4, i->imm, false);
}

/* 0F BC */
HANDLER(op_bsf)
{
    unsigned size = i->osz;
    uint64_t src = rm_read(c, i, size);
    if (!src) {
        /* the destination is left unchanged (Intel: undefined; AMD: unchanged) */
        flags_set_status(c, RFLAGS_ZF, RFLAGS_ZF);
        return;
    }
    reg_write(c, i, i->reg, size, (uint64_t)__builtin_ctzll(src));
    flags_set_status(c, RFLAGS_ZF, 0);
}

/* F3 0F BC: TZCNT when the vCPU has BMI1; a CPU without it ignores the F3 */
HANDLER(op_tzcnt)
{
    if (!c->feat.tzcnt) {
        op_bsf(c, i);
        return;
    }
    unsigned size = i->osz;
    uint64_t src = rm_read(c, i, size);
    uint64_t r = src ? (uint64_t)__builtin_ctzll(src) : size * 8;
    reg_write(c, i, i->reg, size, r);
    flags_set_status(c, RFLAGS_CF | RFLAGS_ZF, (src ? 0 : RFLAGS_CF) | (r ? 0 : RFLAGS_ZF));
}

/* 0F BD */
HANDLER(op_bsr)
{
    unsigned size = i->osz;
    uint64_t src = rm_read(c, i, size);
    if (!src) {
        flags_set_status(c, RFLAGS_ZF, RFLAGS_ZF);
        return;
    }
    reg_write(c, i, i->reg, size, (uint64_t)(63 - __builtin_clzll(src)));
    flags_set_status(c, RFLAGS_ZF, 0);
}

/* F3 0F BD: LZCNT (advertised in CPUID 0x80000001 ECX.ABM) */
HANDLER(op_lzcnt)
{
    unsigned size = i->osz;
    uint64_t src = rm_read(c, i, size);
    uint64_t r = src ? (uint64_t)(__builtin_clzll(src) - (64 - size * 8)) : size * 8;
    reg_write(c, i, i->reg, size, r);
    flags_set_status(c, RFLAGS_CF | RFLAGS_ZF, (src ? 0 : RFLAGS_CF) | (r ? 0 : RFLAGS_ZF));
}

/* F3 0F B8: POPCNT (without F3 it is JMPE, which we do not have: the decoder says #UD) */
HANDLER(op_popcnt)
{
    uint64_t src = rm_read(c, i, i->osz);
    reg_write(c, i, i->reg, i->osz, (uint64_t)__builtin_popcountll(src));
    flags_set_status(c, RFLAGS_STATUS, src ? 0 : RFLAGS_ZF);
}

static uint64_t swap_bytes(uint64_t v, unsigned size)
{
    switch (size) {
    case 2:
        return __builtin_bswap16((uint16_t)v);
    case 4:
        return __builtin_bswap32((uint32_t)v);
    default:
        return __builtin_bswap64(v);
    }
}

/* 0F C8+r */
HANDLER(op_bswap)
{
    unsigned r = opreg(i);
    if (i->osz == 2) /* undefined (SDM); silicon clears the low word */
        gpr_write(c, r, 2, 0);
    else
        gpr_write(c, r, i->osz, swap_bytes(c->gpr[r], i->osz));
}

/* 0F 38 F0 (load) and F1 (store); with F2 these are CRC32, not implemented */
HANDLER(op_movbe)
{
    uint64_t ea = cpu_ea(c, i);
    if (i->op == 0xf0)
        reg_write(c, i, i->reg, i->osz, swap_bytes(mem_read(c, i->seg, ea, i->osz), i->osz));
    else
        mem_write(c, i->seg, ea, i->osz, swap_bytes(reg_read(c, i, i->reg, i->osz), i->osz));
}
