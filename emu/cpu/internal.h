/*
 * emu/cpu/internal.h: what the interpreter's files share. The decoded
 * instruction, the opcode-table entry, register and memory access, lazy flags
 * and exceptions. Not for use outside emu/cpu/.
 */
#ifndef BAREMU_CPU_INTERNAL_H
#define BAREMU_CPU_INTERNAL_H

#include "emu/cpu/cpu.h"
#include "emu/x86.h"

/* ---- memory (mem.c) ----------------------------------------------------- */
enum access { ACC_READ, ACC_WRITE, ACC_FETCH };

/* the host address of guest-physical [pa, pa + len) if it is all RAM of one region, else NULL */
static inline uint8_t *bus_ram(const struct cpu_bus *b, uint64_t pa, uint64_t len)
{
    if (pa < b->ram_size)
        return b->ram_size - pa >= len ? b->ram + pa : NULL;
    uint64_t off = pa - b->ram_high_base;
    if (!b->ram_high || pa < b->ram_high_base || off >= b->ram_high_size ||
        b->ram_high_size - off < len)
        return NULL;
    return b->ram_high + off;
}

/* CPUID leaf 1 EAX, and RDX at reset: family 6, model 0x55 (a Skylake server) */
#define CPU_SIGNATURE 0x00050654u

/* opcode attributes (struct opdesc.attr) */
#define A_MODRM   0x0001   /* a ModRM byte follows */
#define A_BYTE    0x0002   /* 8-bit operand size */
#define A_IMM8    0x0004   /* imm8, sign-extended */
#define A_IMMZ    0x0008   /* imm16 or imm32 (sign-extended to 64 with osz 8) */
#define A_IMMV    0x0010   /* imm16, imm32 or imm64 by operand size */
#define A_IMM16   0x0020   /* imm16, zero-extended */
#define A_ENTER   0x0040   /* imm16 then imm8 */
#define A_MOFFS   0x0080   /* an address-size offset */
#define A_D64     0x0100   /* operand size defaults to 64 in 64-bit mode */
#define A_F64     0x0200   /* operand size is 64 in 64-bit mode */
#define A_I64     0x0400   /* invalid in 64-bit mode */
#define A_LOCK    0x0800   /* LOCK allowed with a memory destination */
#define A_MEM     0x1000   /* the r/m operand must be memory */
#define A_GROUP   0x2000   /* ModRM.reg selects from opdesc.group */
#define A_UIMM8   0x4000   /* imm8, zero-extended */
#define A_REGONLY 0x8000   /* ModRM.mod is ignored: the r/m operand is a register (MOV CRn) */
#define A_FARPTR  0x10000  /* ptr16:16/32: offset in imm, selector in imm2 */
#define A_PFX     0x20000  /* the mandatory prefix selects from opdesc.group: none, 66, F3, F2 */
#define A_REGMEM  0x40000  /* ModRM.mod selects from opdesc.group: memory, register */
#define A_KEEP66  0x80000  /* in an A_PFX 66 slot: 66 stays the operand-size prefix */
#define A_OSZW    0x100000 /* a general register operand of 32 bits, 64 with REX.W (MOVD) */
#define A_X87     0x200000 /* D8..DF: the handler from optab_x87_mem/_reg by ModRM */

struct opdesc {
    insn_fn fn; /* NULL: #UD */
    uint32_t attr;
    const struct opdesc *group; /* A_GROUP: 8 entries; A_PFX: 4; A_REGMEM: 2 */
};

/*
 * The slots of an A_PFX entry (SDM Vol 2A 2.1.2): F2 or F3, whichever came
 * last, chooses before 66; a 66 that chooses is no operand-size prefix.
 */
enum { PFX_SLOT_NONE, PFX_SLOT_66, PFX_SLOT_F3, PFX_SLOT_F2 };

/* opcode maps (optab.c) */
extern const struct opdesc optab_1byte[256];
extern const struct opdesc optab_0f[256];
extern const struct opdesc optab_0f38[256];
extern const struct opdesc optab_0f3a[256];
/* x87 escapes D8..DF: memory forms by ModRM.reg, register forms by ModRM[5:0] */
extern const struct opdesc optab_x87_mem[8][8];
extern const struct opdesc optab_x87_reg[8][64];

/* decode.c: decode at c->rip into *i; raises on #UD, #GP, #PF */
void cpu_decode(struct cpu *c, struct insn *i);

/* ---- exceptions (exec.c) ------------------------------------------------ */
__attribute__((noreturn)) void cpu_raise(struct cpu *c, unsigned vector, uint32_t error);
__attribute__((noreturn)) void cpu_raise_noerr(struct cpu *c, unsigned vector);
__attribute__((noreturn)) void cpu_raise_pf(struct cpu *c, uint64_t lin, uint32_t error);
#define cpu_ud(c)  cpu_raise_noerr((c), VEC_UD)
#define cpu_gp0(c) cpu_raise((c), VEC_GP, 0)

/* ---- events: interrupts and exceptions (intr.c) ------------------------ */
/* what is being delivered, for the double-fault rules (SDM Vol 3A 6.15, table 6-5) */
enum { DCLS_NONE, DCLS_BENIGN, DCLS_CONTRIB, DCLS_PF, DCLS_DF };
/* where an event comes from: it decides EXT in error codes and the gate DPL check */
enum ev_kind {
    EV_EXC = CPU_EVENT_EXCEPTION, /* an exception the CPU detected */
    EV_EXT = CPU_EVENT_EXTERNAL,  /* an external interrupt or NMI */
    EV_SOFT = CPU_EVENT_SOFTWARE, /* INT n, INT3, INTO: the gate's DPL is checked, EXT is 0 */
};
/* deliver through the IDT (IVT in real mode); ret is the RIP pushed. May raise. */
void cpu_deliver(struct cpu *c, unsigned vector, bool has_err, uint32_t err, enum ev_kind kind,
                 uint64_t ret);
/* deliver c->exc after a raise, with the #DF rules; false on a triple fault */
bool cpu_exception_take(struct cpu *c);
/* end cpu_run after this instruction with why (HLT) */
__attribute__((noreturn)) void cpu_exit_now(struct cpu *c, enum cpu_exit why);
/* exit_req: leave the run loop after this instruction and go on (not a cpu_exit) */
#define CPU_EXIT_RESCHED 0x80
/* end a handler that may have set RFLAGS.TF: single-stepping runs its own loop */
void cpu_tf_check(struct cpu *c, uint64_t old_rflags);
/* INT n, INT3, INTO from a handler: a trap to vector, returning after the instruction */
void cpu_soft_int(struct cpu *c, unsigned vector);

/* a stack being built by a gate (intr.c): where, and how a fault there is reported */
struct frame {
    struct seg ss;
    uint64_t sp;
    unsigned ssize;  /* stack address size: 2, 4, 8 */
    unsigned vec;    /* #SS, or #PF from the page walk */
    uint32_t err;    /* error code of a limit fault */
    bool supervisor; /* written with supervisor rights */
};
void frame_push(struct cpu *c, struct frame *f, unsigned size, uint64_t v);
/* the new stack pointer in a register of the given stack size */
uint64_t sp_commit(uint64_t old, uint64_t sp, unsigned ssize);
/* the inner stack for ring dpl from a 32-bit (or 16-bit) TSS, with its #TS/#SS checks */
void tss32_stack(struct cpu *c, unsigned dpl, uint32_t ext, struct frame *f);
/* a word of the 64-bit TSS, #TS beyond its limit */
uint64_t tss64_read(struct cpu *c, unsigned at, uint32_t ext);

/* task switches (task.c); ret is the EIP saved in the old TSS */
enum task_reason { TASK_JMP, TASK_CALL, TASK_IRET, TASK_INT };
void cpu_task_switch(struct cpu *c, uint16_t sel, enum task_reason why, bool has_err,
                     uint32_t errcode, uint64_t ret);

/*
 * x87.c: a pending unmasked x87 exception (FSW.ES) met by a waiting x87
 * instruction or an MMX one: #MF with CR0.NE, FERR# without (SDM Vol 1 8.7)
 */
void x87_pending(struct cpu *c);
/* x87.c: FSW.ES and B from the flags and the masks (after FLDCW, FLDENV, FRSTOR, FXRSTOR) */
void x87_update_es(struct cpu *c);
/* the FCW bits that exist: masks, PC, RC, X; bit 6 reads as 1 (SDM Vol 1 8.1.5) */
#define FCW_LOAD_MASK 0x1f3f

/* xsave.c: XGETBV and XSETBV (0F 01 D0, D1, through op_grp7), CPUID leaf 0xD */
void cpu_xgetbv(struct cpu *c, const struct insn *i);
void cpu_xsetbv(struct cpu *c, const struct insn *i);
void cpu_cpuid_xsave(uint32_t sub, uint32_t r[4]);

/* ---- system state (seg.c, sys.c) ----------------------------------------- */
/* implicit supervisor accesses at a linear address (descriptor tables, TSS, IDT) */
uint64_t sys_read(struct cpu *c, uint64_t lin, unsigned size);
void sys_write(struct cpu *c, uint64_t lin, unsigned size, uint64_t v);
/* the descriptor for sel in the GDT or LDT; false when sel is outside the table */
bool desc_read(struct cpu *c, uint16_t sel, uint64_t *d);
/* a segment register's hidden part from a descriptor */
struct seg desc_to_seg(uint16_t sel, uint64_t d);
void desc_set_accessed(struct cpu *c, uint16_t sel, uint64_t d);
/* MOV/POP to DS, ES, FS, GS, SS with the checks of SDM Vol 2B MOV; raises */
void seg_load(struct cpu *c, unsigned s, uint16_t sel);
/* after a return to an outer ring: data segments the new CPL may not use become null */
void seg_null_inner(struct cpu *c);
void cpu_set_cpl(struct cpu *c, unsigned cpl);
/* far JMP/CALL to sel:off (SDM Vol 2A JMP, CALL) */
void cpu_far_jump(struct cpu *c, uint16_t sel, uint64_t off, unsigned osz, bool call);
/* the checks of a code selector for a far return or IRET to rpl; raises */
uint64_t seg_check_return_cs(struct cpu *c, uint16_t sel);
uint64_t seg_check_return_ss(struct cpu *c, uint16_t sel, unsigned rpl);

void cpu_write_cr0(struct cpu *c, uint64_t v);
uint64_t cpu_guest_tsc(struct cpu *c); /* bus->tsc and IA32_TSC writes */
void cpu_lgdt_lidt(struct cpu *c, const struct insn *i, struct dtr *t);
void cpu_sgdt_sidt(struct cpu *c, const struct insn *i, const struct dtr *t);

/* debugging (exec.c): a RIP history entry at the current CS:RIP (event 0: an instruction) */
void cpu_rip_record(struct cpu *c, unsigned event);

/* paging (paging.c): the physical address of lin for acc, with A/D updates; raises #PF */
uint64_t cpu_page_walk(struct cpu *c, uint64_t lin, enum access acc, unsigned *perm);

/* ---- sizes -------------------------------------------------------------- */
static inline uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}
static inline uint64_t size_sign(unsigned size)
{
    return 1ull << (size * 8 - 1);
}
static inline int64_t sext(uint64_t v, unsigned size)
{
    unsigned sh = 64 - size * 8;
    return (int64_t)(v << sh) >> sh;
}

/* ---- registers ---------------------------------------------------------- */
/* r/m and reg operands with byte registers AH..BH when there is no REX */
static inline uint64_t reg_read(const struct cpu *c, const struct insn *i, unsigned r,
                                unsigned size)
{
    if (size == 1) {
        if (r >= 4 && r < 8 && !(i->pfx & PFX_REX))
            return (c->gpr[r - 4] >> 8) & 0xff;
        return c->gpr[r] & 0xff;
    }
    return c->gpr[r] & size_mask(size);
}

static inline void reg_write(struct cpu *c, const struct insn *i, unsigned r, unsigned size,
                             uint64_t v)
{
    switch (size) {
    case 1:
        if (r >= 4 && r < 8 && !(i->pfx & PFX_REX))
            c->gpr[r - 4] = (c->gpr[r - 4] & ~0xff00ull) | ((v & 0xff) << 8);
        else
            c->gpr[r] = (c->gpr[r] & ~0xffull) | (v & 0xff);
        break;
    case 2:
        c->gpr[r] = (c->gpr[r] & ~0xffffull) | (v & 0xffff);
        break;
    case 4:
        c->gpr[r] = (uint32_t)v; /* 32-bit results zero-extend (SDM Vol 1 3.4.1.1) */
        break;
    default:
        c->gpr[r] = v;
    }
}

/* a register by number at a size, for implicit operands (no AH..BH) */
static inline void gpr_write(struct cpu *c, unsigned r, unsigned size, uint64_t v)
{
    if (size == 4)
        c->gpr[r] = (uint32_t)v;
    else if (size == 8)
        c->gpr[r] = v;
    else
        c->gpr[r] = (c->gpr[r] & ~size_mask(size)) | (v & size_mask(size));
}

/* effective address (offset in the segment), truncated to the address size */
uint64_t cpu_ea(const struct cpu *c, const struct insn *i);
/* segment offset to linear, with limit and canonical checks */
uint64_t cpu_linear_slow(struct cpu *c, unsigned seg, uint64_t off, unsigned size, enum access acc);

static inline bool is_canonical(uint64_t lin)
{
    return ((lin + (1ull << 47)) >> 48) == 0;
}

static inline uint64_t cpu_linear(struct cpu *c, unsigned seg, uint64_t off, unsigned size,
                                  enum access acc)
{
    /* the common case: 64-bit mode, no segment base */
    if (__builtin_expect(c->mode == MODE_LONG64 && seg < SEG_FS && is_canonical(off) &&
                             is_canonical(off + size - 1),
                         1))
        return off;
    return cpu_linear_slow(c, seg, off, size, acc);
}

/*
 * Host pointer to size bytes at lin for a locked read-modify-write, or NULL
 * when they are not in one host RAM run (split lock, MMIO).
 */
uint8_t *cpu_host_rmw(struct cpu *c, uint64_t lin, unsigned size);
/* follow the memory map (A20 gate, ROM shadow rights: struct cpu_bus); the
 * TLB holds host pointers computed under the old map, so a change drops it
 * (the decoded-instruction cache revalidates its bytes, so it follows) */
static inline void cpu_map_sync(struct cpu *c)
{
    const uint32_t *gen = c->bus->map_gen;
    if (__builtin_expect(gen && __atomic_load_n(gen, __ATOMIC_ACQUIRE) != c->map_gen, 0)) {
        c->map_gen = __atomic_load_n(gen, __ATOMIC_ACQUIRE);
        bool on = !c->bus->a20_on || __atomic_load_n(c->bus->a20_on, __ATOMIC_ACQUIRE);
        c->a20_mask = on ? ~0ull : ~X86_A20_BIT;
        cpu_tlb_flush(c);
    }
}

/*
 * Alignment checking (SDM Vol 3A 6.15 interrupt 17): at CPL 3 with CR0.AM
 * and EFLAGS.AC, a misaligned data access is #AC(0). While it is on, the
 * TLB caches nothing (cpu_tlb_fill), so every access takes the slow path,
 * which checks; the fast paths pay nothing. CR0 writes and CPL changes
 * flush the TLB already; an AC change at CPL 3 must too.
 */
static inline bool cpu_ac_active(const struct cpu *c)
{
    return c->cpl == 3 && (c->cr0 & CR0_AM) && (c->rflags & RFLAGS_AC);
}

void cpu_smap_drop(struct cpu *c); /* mem.c */

static inline void cpu_ac_flags_changed(struct cpu *c, uint64_t old, uint64_t new_flags)
{
    if (!((old ^ new_flags) & RFLAGS_AC))
        return;
    if (c->cpl == 3 && (c->cr0 & CR0_AM))
        cpu_tlb_flush(c);
    else if (c->n_ac_slots && !(new_flags & RFLAGS_AC))
        cpu_smap_drop(c); /* SMAP: what AC allowed is no longer allowed */
}

/* the slow path: fill the TLB entry for lin and return its host page, or raise; 0 for MMIO */
uintptr_t cpu_tlb_fill(struct cpu *c, uint64_t lin, enum access acc);
uint64_t cpu_read_slow(struct cpu *c, uint64_t lin, unsigned size);
void cpu_write_slow(struct cpu *c, uint64_t lin, unsigned size, uint64_t v);

static inline uint64_t host_load(const void *p, unsigned size)
{
    /* volatile: one guest load is one host load, in program order */
    switch (size) {
    case 1:
        return *(const volatile uint8_t *)p;
    case 2:
        return *(const volatile uint16_t *)p;
    case 4:
        return *(const volatile uint32_t *)p;
    default:
        return *(const volatile uint64_t *)p;
    }
}

static inline void host_store(void *p, unsigned size, uint64_t v)
{
    switch (size) {
    case 1:
        *(volatile uint8_t *)p = (uint8_t)v;
        break;
    case 2:
        *(volatile uint16_t *)p = (uint16_t)v;
        break;
    case 4:
        *(volatile uint32_t *)p = (uint32_t)v;
        break;
    default:
        *(volatile uint64_t *)p = v;
    }
}

static inline struct tlb_entry *tlb_entry(struct cpu *c, uint64_t lin)
{
    return &c->tlb[(lin >> X86_PAGE_SHIFT) & (CPU_TLB_SIZE - 1)];
}

/* the fast path: a TLB hit inside one page is one host load */
static inline uint64_t cpu_read_lin(struct cpu *c, uint64_t lin, unsigned size)
{
    struct tlb_entry *e = tlb_entry(c, lin);
    unsigned off = (unsigned)(lin & (X86_PAGE_SIZE - 1));
    if (__builtin_expect(e->tag == lin >> X86_PAGE_SHIFT && off <= X86_PAGE_SIZE - size, 1))
        return host_load((const void *)(e->host + off), size);
    return cpu_read_slow(c, lin, size);
}

static inline void cpu_write_lin(struct cpu *c, uint64_t lin, unsigned size, uint64_t v)
{
    struct tlb_entry *e = tlb_entry(c, lin);
    unsigned off = (unsigned)(lin & (X86_PAGE_SIZE - 1));
    if (__builtin_expect(e->wtag == lin >> X86_PAGE_SHIFT && off <= X86_PAGE_SIZE - size, 1))
        host_store((void *)(e->host + off), size, v);
    else
        cpu_write_slow(c, lin, size, v);
}

static inline uint64_t mem_read(struct cpu *c, unsigned seg, uint64_t off, unsigned size)
{
    return cpu_read_lin(c, cpu_linear(c, seg, off, size, ACC_READ), size);
}

static inline void mem_write(struct cpu *c, unsigned seg, uint64_t off, unsigned size, uint64_t v)
{
    cpu_write_lin(c, cpu_linear(c, seg, off, size, ACC_WRITE), size, v);
}

/* the r/m operand */
static inline uint64_t rm_read(struct cpu *c, const struct insn *i, unsigned size)
{
    if (i->mod == 3)
        return reg_read(c, i, i->rm, size);
    return mem_read(c, i->seg, cpu_ea(c, i), size);
}

static inline void rm_write(struct cpu *c, const struct insn *i, unsigned size, uint64_t v)
{
    if (i->mod == 3)
        reg_write(c, i, i->rm, size, v);
    else
        mem_write(c, i->seg, cpu_ea(c, i), size, v);
}

/*
 * Read-modify-write of the r/m operand: the new value is op(old, arg, aux),
 * a pure function, retried until it lands atomically under LOCK. Returns the
 * old value. Without LOCK it is a plain read then write. Handlers set flags
 * after it returns, so a fault leaves them untouched.
 */
typedef uint64_t (*rmw_fn)(uint64_t old, uint64_t arg, uint64_t aux);
uint64_t cpu_rmw(struct cpu *c, const struct insn *i, unsigned size, rmw_fn op, uint64_t arg,
                 uint64_t aux);
/* the same on memory at seg:off (BT* with a register bit offset, XCHG) */
uint64_t cpu_rmw_mem(struct cpu *c, unsigned seg, uint64_t off, unsigned size, bool locked,
                     rmw_fn op, uint64_t arg, uint64_t aux);

/*
 * size bytes at seg:off (a multiple of 8, at most a page), for the SIMD and
 * save-area instructions: #GP(0) unless aligned to align (0: any); every
 * page is reached before a byte moves, so a fault changes nothing.
 */
void cpu_read_block(struct cpu *c, unsigned seg, uint64_t off, void *buf, unsigned size,
                    unsigned align);
void cpu_write_block(struct cpu *c, unsigned seg, uint64_t off, const void *buf, unsigned size,
                     unsigned align);
/* the segment and alignment checks alone: the block's linear address */
uint64_t cpu_block_check(struct cpu *c, unsigned seg, uint64_t off, unsigned size, unsigned align,
                         enum access acc);
/* the same checks, and the block's pages reached */
uint64_t cpu_block_linear(struct cpu *c, unsigned seg, uint64_t off, unsigned size, unsigned align,
                          enum access acc);
/* byte k of a block at lin, wrapped as linear addresses wrap outside 64-bit mode */
uint64_t cpu_block_at(const struct cpu *c, uint64_t lin, unsigned k);

/* the register in the opcode's low bits (50+r, B8+r, C8+r, ...) */
static inline unsigned opreg(const struct insn *i)
{
    return (i->op & 7) | ((i->rex & 1) << 3);
}

/* ---- stack (stack.c) ---------------------------------------------------- */
unsigned stack_size(const struct cpu *c); /* 2, 4 or 8: the stack address size */
void cpu_push(struct cpu *c, unsigned size, uint64_t v);
/* push a then b, RSP moving only when both are written */
void cpu_push2(struct cpu *c, unsigned size, uint64_t a, uint64_t b);
uint64_t cpu_pop(struct cpu *c, unsigned size);

/* ---- lazy flags (flags.c) ----------------------------------------------- */
static inline void lf_set(struct cpu *c, enum lf_op op, unsigned size, uint64_t res, uint64_t s1,
                          uint64_t s2)
{
    c->lf.op = (uint8_t)op;
    c->lf.size = (uint8_t)size;
    c->lf.res = res & size_mask(size);
    c->lf.src1 = s1;
    c->lf.src2 = s2;
}

/* SF, ZF, PF from res; CF/OF/AF given (RFLAGS_* bits) */
static inline void lf_res(struct cpu *c, unsigned size, uint64_t res, uint64_t cf_of_af)
{
    lf_set(c, LF_RES, size, res, cf_of_af, 0);
}

uint64_t flags_status(const struct cpu *c); /* the six status flags */
bool flags_cf(const struct cpu *c);
/* fold the lazy flags into rflags; afterwards lf.op == LF_NONE */
void flags_materialize(struct cpu *c);
/* replace the status flags given in mask by those in val */
void flags_set_status(struct cpu *c, uint64_t mask, uint64_t val);
/* condition code cc (the low nibble of Jcc/SETcc/CMOVcc) */
bool flags_cond(const struct cpu *c, unsigned cc);

/* ---- handlers, by file -------------------------------------------------- */
#define HANDLER(name) void name(struct cpu *c, const struct insn *i)

/* alu.c */
#define ALU_DECL(name)                                                                             \
    HANDLER(op_##name##_rm_r);                                                                     \
    HANDLER(op_##name##_r_rm);                                                                     \
    HANDLER(op_##name##_a_imm);                                                                    \
    HANDLER(op_##name##_rm_imm);
ALU_DECL(add)
ALU_DECL(or)
ALU_DECL(adc)
ALU_DECL(sbb) ALU_DECL(and) ALU_DECL(sub) ALU_DECL(xor) ALU_DECL(cmp) HANDLER(op_test_rm_r);
HANDLER(op_test_a_imm);
HANDLER(op_test_rm_imm);
HANDLER(op_inc_rm);
HANDLER(op_dec_rm);
HANDLER(op_inc_r);
HANDLER(op_dec_r);
HANDLER(op_not_rm);
HANDLER(op_neg_rm);
/* muldiv.c */
HANDLER(op_mul_rm);
HANDLER(op_imul1_rm);
HANDLER(op_div_rm);
HANDLER(op_idiv_rm);
HANDLER(op_imul_r_rm);
HANDLER(op_imul_r_rm_imm);
/* shift.c */
HANDLER(op_shift_rm);
HANDLER(op_shld);
HANDLER(op_shrd);
/* bits.c */
HANDLER(op_bt_rm_r);
HANDLER(op_bt_rm_imm);
HANDLER(op_bsf);
HANDLER(op_bsr);
HANDLER(op_tzcnt);
HANDLER(op_lzcnt);
HANDLER(op_popcnt);
HANDLER(op_bswap);
HANDLER(op_movbe);
/* move.c */
HANDLER(op_mov_rm_r);
HANDLER(op_mov_r_rm);
HANDLER(op_mov_rm_imm);
HANDLER(op_mov_r_imm);
HANDLER(op_mov_a_moffs);
HANDLER(op_mov_moffs_a);
HANDLER(op_movzx);
HANDLER(op_movsx);
HANDLER(op_movsxd);
HANDLER(op_lea);
HANDLER(op_xchg_rm_r);
HANDLER(op_xchg_a_r);
HANDLER(op_cmov);
HANDLER(op_setcc);
HANDLER(op_cbw);
HANDLER(op_cwd);
HANDLER(op_xlat);
HANDLER(op_xadd);
HANDLER(op_cmpxchg);
HANDLER(op_cmpxchg8b);
HANDLER(op_mov_rm_sreg);
/* stack.c */
HANDLER(op_push_r);
HANDLER(op_pop_r);
HANDLER(op_push_imm);
HANDLER(op_push_rm);
HANDLER(op_pop_rm);
HANDLER(op_pushf);
HANDLER(op_popf);
HANDLER(op_enter);
HANDLER(op_leave);
HANDLER(op_push_sreg);
/* branch.c */
HANDLER(op_jcc);
HANDLER(op_jmp_rel);
HANDLER(op_call_rel);
HANDLER(op_ret);
HANDLER(op_ret_imm);
HANDLER(op_jmp_rm);
HANDLER(op_call_rm);
HANDLER(op_loop);
HANDLER(op_jcxz);
/* string.c */
HANDLER(op_movs);
HANDLER(op_cmps);
HANDLER(op_stos);
HANDLER(op_lods);
HANDLER(op_scas);
/* io.c */
void cpu_io_check(struct cpu *c, uint16_t port, unsigned size);
uint32_t cpu_io_in(struct cpu *c, uint16_t port, unsigned size);
void cpu_io_out(struct cpu *c, uint16_t port, unsigned size, uint32_t v);
HANDLER(op_in);
HANDLER(op_out);
HANDLER(op_cli);
HANDLER(op_sti);
HANDLER(op_ins);
HANDLER(op_outs);
/* misc.c */
HANDLER(op_nop);
HANDLER(op_clc);
HANDLER(op_stc);
HANDLER(op_cmc);
HANDLER(op_cld);
HANDLER(op_std);
HANDLER(op_lahf);
HANDLER(op_sahf);
HANDLER(op_cpuid);
HANDLER(op_rdtsc);
HANDLER(op_int3);
HANDLER(op_ud2);
HANDLER(op_hlt);
HANDLER(op_pause);
HANDLER(op_fence);
/* legacy.c */
HANDLER(op_pusha);
HANDLER(op_popa);
HANDLER(op_bound);
HANDLER(op_daa);
HANDLER(op_das);
HANDLER(op_aaa_aas);
HANDLER(op_aam);
HANDLER(op_aad);
/* seg.c */
HANDLER(op_lar_lsl);
HANDLER(op_arpl);
HANDLER(op_mov_sreg_rm);
HANDLER(op_pop_sreg);
HANDLER(op_lxs);
HANDLER(op_jmp_far);
HANDLER(op_call_far);
HANDLER(op_jmp_far_m);
HANDLER(op_retf);
HANDLER(op_grp6);
/* intr.c */
HANDLER(op_iret);
HANDLER(op_int);
HANDLER(op_into);
HANDLER(op_int1);
/* sys.c */
HANDLER(op_mov_cr);
HANDLER(op_mov_dr);
HANDLER(op_clts);
HANDLER(op_invd);
HANDLER(op_grp7);
HANDLER(op_syscall);
HANDLER(op_sysret);
HANDLER(op_sysenter);
HANDLER(op_sysexit);
/* msr.c */
HANDLER(op_rdmsr);
HANDLER(op_wrmsr);
/* x87.c, x87_env.c, x87_ldst.c, x87_arith.c, x87_trans.c */
void x87_reset(struct cpu *c);
HANDLER(op_fldcw);
HANDLER(op_fnstcw);
HANDLER(op_fnstsw);
HANDLER(op_fnstsw_ax);
HANDLER(op_fnclex);
HANDLER(op_fninit);
HANDLER(op_fnop);
HANDLER(op_fwait);
HANDLER(op_ffree);
HANDLER(op_fdecstp);
HANDLER(op_fincstp);
HANDLER(op_fnstenv);
HANDLER(op_fldenv);
HANDLER(op_fnsave);
HANDLER(op_frstor);
HANDLER(op_fld_m32);
HANDLER(op_fld_m64);
HANDLER(op_fld_m80);
HANDLER(op_fld_st);
HANDLER(op_fild);
HANDLER(op_fldconst);
HANDLER(op_fst_m);
HANDLER(op_fstp_m80);
HANDLER(op_fst_st);
HANDLER(op_fist);
HANDLER(op_fisttp);
HANDLER(op_fbld);
HANDLER(op_fbstp);
HANDLER(op_fxch);
HANDLER(op_fcmov);
HANDLER(op_farith_m);
HANDLER(op_farith_st0);
HANDLER(op_farith_sti);
HANDLER(op_fucom);
HANDLER(op_fcomi);
HANDLER(op_ftst);
HANDLER(op_fxam);
HANDLER(op_fchs_fabs);
HANDLER(op_fsqrt);
HANDLER(op_frndint);
HANDLER(op_fscale);
HANDLER(op_fxtract);
HANDLER(op_fprem);
HANDLER(op_f2xm1);
HANDLER(op_fyl2x);
HANDLER(op_fyl2xp1);
HANDLER(op_fptan);
HANDLER(op_fpatan);
HANDLER(op_fsincos);

#endif
