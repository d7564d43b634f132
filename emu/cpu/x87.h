/*
 * emu/cpu/x87.h: what the x87 files share: the register stack, the tags, the
 * exception bookkeeping of the status word, and the instruction prologue that
 * raises #NM and #MF (SDM Vol 1 chapter 8, Vol 3A 2.5 for CR0). Not for use
 * outside emu/cpu/x87*.c.
 *
 * The state is struct x87_state (cpu.h): eight physical registers, ST(i) is
 * r[(TOP + i) & 7]; the abridged tag byte (bit set = not empty), the full
 * 2-bit tags being computed from the contents when FNSTENV/FNSAVE store them.
 */
#ifndef BAREMU_CPU_X87_H
#define BAREMU_CPU_X87_H

#include "emu/cpu/internal.h"
#include "emu/cpu/softfloat.h"

static inline unsigned x87_top(const struct cpu *c)
{
    return (c->x87.fsw & FSW_TOP) >> FSW_TOP_SHIFT;
}

static inline unsigned x87_phys(const struct cpu *c, unsigned i)
{
    return (x87_top(c) + i) & 7;
}

static inline bool x87_empty(const struct cpu *c, unsigned i)
{
    return !((c->x87.ftw >> x87_phys(c, i)) & 1);
}

static inline sf80 x87_st(const struct cpu *c, unsigned i)
{
    const struct fpu_reg *r = &c->x87.r[x87_phys(c, i)];
    return (sf80){r->mant, r->se};
}

/* write ST(i) and tag it in use */
static inline void x87_write(struct cpu *c, unsigned i, sf80 v)
{
    unsigned p = x87_phys(c, i);
    c->x87.r[p].mant = v.mant;
    c->x87.r[p].se = v.se;
    c->x87.ftw |= (uint8_t)(1u << p);
}

static inline void x87_set_top(struct cpu *c, unsigned top)
{
    c->x87.fsw = (uint16_t)((c->x87.fsw & ~FSW_TOP) | (top & 7) << FSW_TOP_SHIFT);
}

static inline void x87_pop(struct cpu *c)
{
    c->x87.ftw &= (uint8_t) ~(1u << x87_phys(c, 0));
    x87_set_top(c, x87_top(c) + 1);
}

/* TOP - 1, then ST(0) = v (the caller has checked for overflow) */
static inline void x87_push(struct cpu *c, sf80 v)
{
    x87_set_top(c, x87_top(c) - 1);
    x87_write(c, 0, v);
}

/* the soft-float environment of FCW: masks, precision and rounding */
static inline struct sf_env x87_env(const struct cpu *c)
{
    struct sf_env e = sf_env_x87();
    e.mask = c->x87.fcw & FCW_MASKS;
    e.prec = (c->x87.fcw >> FCW_PC_SHIFT) & 3;
    if (e.prec == 1) /* reserved: as 64 bits */
        e.prec = SF_PC64;
    e.round = (c->x87.fcw >> FCW_RC_SHIFT) & 3;
    return e;
}

/* FCW as FLDCW, FLDENV and FRSTOR load it: the reserved bits fixed */
static inline uint16_t x87_fcw_value(uint16_t v)
{
    return (uint16_t)((v & FCW_WRITABLE) | FCW_ONES);
}

/* x87_update_es (internal.h): ES and B from the flags and the masks */

/*
 * The flags of an operation into FSW: the exception bits, C1 from "rounded
 * up" (cleared otherwise), ES/B. Returns true when the result may be
 * delivered: false when IE, DE or ZE is unmasked (SDM Vol 1 8.5.1-8.5.3).
 */
bool x87_exceptions(struct cpu *c, const struct sf_env *e);

/* a stack fault (IE with SF; C1 = 1 for overflow, 0 for underflow); true when masked,
 * so that the default result (the indefinite) is delivered (SDM Vol 1 8.5.1.1) */
bool x87_stack_fault(struct cpu *c, bool overflow);

/*
 * The start of every x87 instruction (ESC D8..DF): #NM when CR0.EM or CR0.TS
 * is set; for the waiting forms a pending unmasked exception is #MF with
 * CR0.NE set, or FERR# with it clear. Non-control instructions then record
 * FOP, FIP/FCS and, with a memory operand, FDP/FDS.
 */
enum x87_kind {
    X87_ARITH,   /* non-control: waits, records the pointers */
    X87_CONTROL, /* waits, leaves the pointers (FLDCW, FLDENV, FRSTOR, FFREE, FINCSTP, ...) */
    X87_NOWAIT,  /* FNINIT, FNCLEX, FNSTCW, FNSTSW, FNSTENV, FNSAVE */
};
void x87_begin(struct cpu *c, const struct insn *i, enum x87_kind kind);

/* memory operands, read before any state changes; m80 stores probe first */
uint64_t x87_ea(const struct cpu *c, const struct insn *i);
sf80 x87_read_m80(struct cpu *c, const struct insn *i);
void x87_write_m80(struct cpu *c, const struct insn *i, sf80 v);
/* the write checks of an m80 store (significand, then sign and exponent) */
void x87_probe_m80(struct cpu *c, const struct insn *i);
/* fault now if size bytes at the operand are not all writable */
void x87_probe_write(struct cpu *c, unsigned seg, uint64_t off, unsigned size);

/* a binary32/64 operand as the x87 takes it: exact, DE for a denormal, an SNaN kept
 * signalling so the operation itself raises IE and picks the NaN (SDM Vol 1 4.8.3.5) */
sf80 x87_widen32(struct sf_env *e, uint32_t v);
sf80 x87_widen64(struct sf_env *e, uint64_t v);

/* the full tag of physical register p (FTW_*) */
unsigned x87_tag(const struct cpu *c, unsigned p);
/* the full 16-bit tag word */
uint16_t x87_tag_word(const struct cpu *c);

/* RESET state (SDM Vol 3A table 9-1) and FNINIT */
void x87_reset(struct cpu *c);
void x87_fninit(struct cpu *c);

#endif
