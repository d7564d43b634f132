/*
 * emu/cpu/exec.c: reset, modes, the run loop and exceptions.
 *
 * An instruction runs with c->rip at its first byte and c->next_rip after
 * it; only when its handler returns does RIP move. A fault anywhere unwinds
 * with __builtin_longjmp back to cpu_run, leaving RIP at the faulting
 * instruction (SDM Vol 3A 6.5: faults are restartable), so handlers raise
 * before they change architectural state.
 */
#include <string.h>

#include "emu/cpu/internal.h"

static const struct seg real_seg = {.base = 0,
                                    .limit = 0xffff,
                                    .sel = 0,
                                    .attr = SEG_ATTR_P | SEG_ATTR_S | SEG_TYPE_WRITABLE |
                                            SEG_TYPE_ACCESSED};

void cpu_init(struct cpu *c, struct cpu_bus *bus, unsigned index)
{
    /* the state after RESET (SDM Vol 3A table 9-1); the block arena needs no clearing */
    memset(c, 0, offsetof(struct cpu, blk_arena));
    c->bus = bus;
    c->index = index;
    c->rflags = RFLAGS_FIXED;
    c->a20_mask = ~0ull;
    c->gpr[REG_RDX] = CPU_SIGNATURE;
    c->cr0 = CR0_ET | CR0_NW | CR0_CD;
    for (unsigned s = 0; s < NUM_SEGS; s++)
        c->seg[s] = real_seg;
    c->seg[SEG_CS].sel = 0xf000;
    c->seg[SEG_CS].base = 0xffff0000ull;
    c->seg[SEG_CS].attr =
        SEG_ATTR_P | SEG_ATTR_S | SEG_TYPE_CODE | SEG_TYPE_WRITABLE | SEG_TYPE_ACCESSED;
    c->rip = 0xfff0;
    c->gdtr.limit = c->idtr.limit = 0xffff;
    c->ldtr.limit = c->tr.limit = 0xffff;
    c->ldtr.attr = 0x2 | SEG_ATTR_P;
    c->tr.attr = 0xb | SEG_ATTR_P;
    c->pat = 0x0007040600070406ull;
    c->mxcsr = MXCSR_DEFAULT;
    c->feat.mxcsr_mask = MXCSR_MASK_VALUE;
    c->xcr0 = XCR0_X87; /* x87 state is always enabled (SDM Vol 1 13.3) */
    c->apic_base = 0xfee00000ull | (1u << 11) | (index == 0 ? 1u << 8 : 0);
    c->shadow_at = ~0ull;
    c->icache_cs_limit = c->seg[SEG_CS].limit;
    x87_reset(c);
    cpu_icache_flush(c);
    cpu_tlb_flush(c);
    cpu_update_mode(c);
}

void cpu_set_user_mode(struct cpu *c, bool code32)
{
    /* what Linux gives a process: long mode, CPL 3, flat segments (selectors 0x33/0x23, 0x2b) */
    const uint16_t flat =
        SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_G | SEG_ATTR_DB | SEG_ATTR_DPL | SEG_TYPE_ACCESSED;
    c->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
    c->cr4 = CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    c->efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
    for (unsigned s = 0; s < NUM_SEGS; s++)
        c->seg[s] = (struct seg){
            .base = 0, .limit = 0xffffffffu, .sel = 0x2b, .attr = flat | SEG_TYPE_WRITABLE};
    c->seg[SEG_FS].sel = c->seg[SEG_GS].sel = 0;
    c->seg[SEG_CS].sel = code32 ? 0x23 : 0x33;
    c->seg[SEG_CS].attr =
        code32 ? flat | SEG_TYPE_CODE | SEG_TYPE_WRITABLE
               : (flat & ~SEG_ATTR_DB) | SEG_ATTR_L | SEG_TYPE_CODE | SEG_TYPE_WRITABLE;
    c->cpl = 3;
    c->stop_at_exc = true;
    cpu_tlb_flush(c);
    cpu_update_mode(c);
}

void cpu_update_mode(struct cpu *c)
{
    const struct seg *cs = &c->seg[SEG_CS];
    if (!(c->cr0 & CR0_PE))
        c->mode = MODE_REAL;
    else if ((c->efer & EFER_LMA) && (cs->attr & SEG_ATTR_L))
        c->mode = MODE_LONG64;
    else
        c->mode = (cs->attr & SEG_ATTR_DB) ? MODE_PROT32 : MODE_PROT16;
    /* blocks are keyed by RIP, so only CS's limit concerns them (checked when built) */
    if (cs->limit != c->icache_cs_limit) {
        cpu_icache_flush(c);
        c->icache_cs_limit = cs->limit;
    }
    cpu_block_end(c);
    c->rip_epoch++; /* CS's base may be another: the same RIP is elsewhere */
}

uint64_t cpu_get_rflags(const struct cpu *c)
{
    if (c->lf.op == LF_NONE)
        return c->rflags;
    return (c->rflags & ~(uint64_t)RFLAGS_STATUS) | flags_status(c);
}

void cpu_set_rflags(struct cpu *c, uint64_t rflags)
{
    cpu_ac_flags_changed(c, c->rflags, rflags);
    c->rflags = rflags | RFLAGS_FIXED;
    c->lf.op = LF_NONE;
}

/* ---- exceptions --------------------------------------------------------- */

void cpu_raise(struct cpu *c, unsigned vector, uint32_t error)
{
    c->exc.vector = (uint8_t)vector;
    c->exc.has_error = true;
    c->exc.error = error;
    __builtin_longjmp(c->jmp, 1);
}

void cpu_raise_noerr(struct cpu *c, unsigned vector)
{
    c->exc.vector = (uint8_t)vector;
    c->exc.has_error = false;
    c->exc.error = 0;
    __builtin_longjmp(c->jmp, 1);
}

void cpu_raise_pf(struct cpu *c, uint64_t lin, uint32_t error)
{
    c->exc.cr2 = lin;
    c->cr2 = lin;
    cpu_raise(c, VEC_PF, error);
}

/* ---- the run loop ------------------------------------------------------- */

static const uint64_t ip_mask[] = {
    [MODE_REAL] = 0xffff,
    [MODE_PROT16] = 0xffff,
    [MODE_PROT32] = 0xffffffff,
    [MODE_LONG64] = ~0ull,
};

/*
 * Outside 64-bit mode an instruction must end inside CS (SDM Vol 3A 5.3).
 * Blocks check it when they are built, and cpu_update_mode drops them all
 * when CS's limit changes.
 */
static inline void cs_limit_check(struct cpu *c, const struct insn *i)
{
    if (c->mode != MODE_LONG64 && c->rip + i->len - 1 > c->seg[SEG_CS].limit)
        cpu_gp0(c);
}

/* the block at RIP: from the RIP cache, else the cache of blocks when its page, RIP, mode and
 * generation match, else built now */
static inline __attribute__((always_inline)) const struct block *block_find(struct cpu *c)
{
    uint64_t rip = c->rip;
    struct ripc_entry *r = &c->ripc[(rip ^ (rip >> RIPC_BITS)) & (RIPC_SIZE - 1)];
    if (__builtin_expect(r->rip == rip && r->epoch == c->rip_epoch, 1) &&
        __builtin_expect(__atomic_load_n(&r->b->code->gen, __ATOMIC_RELAXED) >> 1 == r->b->gen, 1))
        return r->b;
    uint64_t lin = c->seg[SEG_CS].base + rip;
    if (c->mode != MODE_LONG64)
        lin &= 0xffffffffull;
    struct tlb_entry *e = tlb_entry(c, lin);
    const struct block *b = NULL;
    if (__builtin_expect(e->xtag == lin >> X86_PAGE_SHIFT, 1))
        b = cpu_block_cached(c, e->host + (lin & (X86_PAGE_SIZE - 1)));
    if (!b)
        b = cpu_block_build(c, lin);
    if (b->kept)
        *r = (struct ripc_entry){.rip = rip, .epoch = c->rip_epoch, .b = b};
    return b;
}

/*
 * Run n instructions of a block: each with RIP at its first byte and
 * next_rip after it, until one leaves the block's way (a branch taken, or
 * not taken where the block follows a JMP, a REP to go on, a fault, which
 * unwinds) or ends the block (cpu_block_end).
 */
static inline __attribute__((always_inline)) void block_run(struct cpu *c, const struct block *b,
                                                            unsigned n)
{
    const struct insn *i = b->insn;
    const struct block_next *x = block_nexts(b);
    c->blk_stop = (uintptr_t)(i + n);
    c->blk_cur = b;
    for (;;) {
        c->next_rip = x->next;
        i->fn(c, i);
        uint64_t rip = c->next_rip;
        c->rip = rip;
        i++;
        if (__builtin_expect(rip != x->cont, 0) || (uintptr_t)i >= c->blk_stop)
            break;
        x++;
    }
    /* retired, counted per block: cpu_icount() knows how far a block has got */
    c->icount += (uint64_t)(i - b->insn);
    c->blk_cur = NULL;
}

uint64_t cpu_icount(const struct cpu *c)
{
    const struct block *b = c->blk_cur;
    if (!b)
        return c->icount;
    const struct block_next *x = block_nexts(b);
    uint64_t rip = b->rip;
    unsigned k = 0;
    while (k < b->n && rip != c->rip)
        rip = x[k++].cont;
    return c->icount + k;
}

uint64_t cpu_retired(const struct cpu *c)
{
    return cpu_icount(c);
}

void cpu_icount_sync(struct cpu *c)
{
    c->icount = cpu_icount(c);
    c->blk_cur = NULL;
}

/* never non-zero: the event word of a vCPU without a machine */
static const uint32_t no_events;

void cpu_rip_record(struct cpu *c, unsigned event)
{
    c->rips[c->rips_next++ & c->rips_mask] = (struct cpu_rip){
        .rip = c->rip, .cs = c->seg[SEG_CS].sel, .mode = c->mode, .event = (uint16_t)event};
}

/*
 * Can the machine deliver something of ev at this boundary? Nothing in an
 * interrupt shadow; interrupts only with IF set; NMIs only outside an NMI
 * handler (SDM Vol 3A 6.8.1, 6.7.1). Off the hot path: ev is non-zero.
 */
__attribute__((noinline)) static bool event_deliverable(const struct cpu *c, uint32_t ev)
{
    if (c->shadow_at == c->icount)
        return false;
    if (!(c->rflags & RFLAGS_IF))
        ev &= ~(uint32_t)c->events_need_if;
    if (c->nmi_blocked)
        ev &= ~(uint32_t)c->events_need_nmi_open;
    return ev != 0;
}

/*
 * The loop proper, apart from the setjmp so that it keeps its registers. The
 * event word is one load per block; what it holds is looked at only when it
 * is non-zero. In an interrupt shadow only the shadowed instruction runs, so
 * that the boundary after it sees what became deliverable.
 */
__attribute__((noinline)) static enum cpu_exit run_loop(struct cpu *c)
{
    const volatile uint32_t *ev = c->events ? c->events : &no_events;
    while (c->icount < c->run_end) {
        bool one = false;
        if (__builtin_expect(*ev != 0, 0)) {
            if (event_deliverable(c, *ev))
                return CPU_EXIT_EVENT;
            one = c->shadow_at == c->icount;
        }
        /* a block boundary: no guest store of ours is in flight (block.c) */
        __atomic_store_n(&c->qseq, c->qseq + 2, __ATOMIC_RELEASE);
        const struct block *b = block_find(c);
        unsigned n = b->n;
        uint64_t left = c->run_end - c->icount;
        if (__builtin_expect(left < n, 0))
            n = (unsigned)left;
        if (__builtin_expect(one, 0))
            n = 1;
        block_run(c, b, n);
    }
    return CPU_EXIT_BUDGET;
}

/*
 * With the RIP history (-rip-history): an instruction at a time, decoded
 * afresh, each CS:RIP recorded before it is fetched, so that a faulting one
 * is the last entry.
 */
__attribute__((noinline)) static enum cpu_exit run_each(struct cpu *c, uint64_t budget)
{
    const volatile uint32_t *ev = c->events ? c->events : &no_events;
    while (budget--) {
        if (__builtin_expect(*ev != 0, 0) && event_deliverable(c, *ev))
            return CPU_EXIT_EVENT;
        __atomic_store_n(&c->qseq, c->qseq + 2, __ATOMIC_RELEASE);
        cpu_rip_record(c, 0);
        struct insn i;
        cpu_decode(c, &i);
        cs_limit_check(c, &i);
        c->next_rip = (c->rip + i.len) & ip_mask[c->mode];
        i.fn(c, &i);
        c->rip = c->next_rip;
        c->icount++;
    }
    return CPU_EXIT_BUDGET;
}

/*
 * The loop while RFLAGS.TF is set: a #DB trap after each instruction that
 * began with TF set (SDM Vol 3A 18.3.1.4). Back to run_loop once TF is clear.
 * Each instruction is decoded afresh.
 */
static enum cpu_exit run_step(struct cpu *c, uint64_t budget)
{
    while (budget-- && (c->rflags & RFLAGS_TF)) {
        if (c->events && *c->events && event_deliverable(c, *c->events))
            return CPU_EXIT_EVENT;
        __atomic_store_n(&c->qseq, c->qseq + 2, __ATOMIC_RELEASE);
        if (c->rips)
            cpu_rip_record(c, 0);
        struct insn i;
        cpu_decode(c, &i);
        cs_limit_check(c, &i);
        c->next_rip = (c->rip + i.len) & ip_mask[c->mode];
        i.fn(c, &i);
        c->rip = c->next_rip;
        c->icount++;
        c->dr[6] |= DR6_BS;
        cpu_deliver(c, VEC_DB, false, 0, EV_EXC, c->rip);
    }
    return CPU_EXIT_BUDGET;
}

__attribute__((noinline)) static enum cpu_exit run(struct cpu *c, uint64_t budget)
{
    cpu_map_sync(c); /* once per call: another vCPU may have changed the map */
    c->run_end = c->icount + budget;
    if (__builtin_setjmp(c->jmp)) {
        /* an exception, or a handler asking to stop (HLT) */
        cpu_icount_sync(c); /* the faulting instruction did not retire */
        c->sys_access = 0;
        if (!c->exit_req) {
            if (c->stop_at_exc)
                return CPU_EXIT_EXCEPTION;
            if (!cpu_exception_take(c)) /* may unwind here again, for a nested fault */
                c->exit_req = CPU_EXIT_SHUTDOWN;
        }
    }
    if (c->exit_req == CPU_EXIT_RESCHED)
        c->exit_req = 0;
    if (c->exit_req) {
        enum cpu_exit e = (enum cpu_exit)c->exit_req;
        if (e != CPU_EXIT_SHUTDOWN) /* a triple fault stays until INIT */
            c->exit_req = 0;
        return e;
    }
    while (c->icount < c->run_end) {
        if (!(c->rflags & RFLAGS_TF) || c->stop_at_exc)
            return c->rips ? run_each(c, c->run_end - c->icount) : run_loop(c);
        enum cpu_exit e = run_step(c, c->run_end - c->icount);
        if (e != CPU_EXIT_BUDGET)
            return e;
    }
    return CPU_EXIT_BUDGET;
}

void cpu_busy_enter(struct cpu *c)
{
    /* odd: other vCPUs that drop our write tags wait for our next boundary (block.c) */
    __atomic_store_n(&c->qseq, c->qseq | 1, __ATOMIC_SEQ_CST);
}

void cpu_busy_leave(struct cpu *c)
{
    __atomic_store_n(&c->qseq, (c->qseq | 1) + 1, __ATOMIC_RELEASE);
}

enum cpu_exit cpu_run(struct cpu *c, uint64_t budget)
{
    cpu_busy_enter(c);
    enum cpu_exit e = run(c, budget);
    cpu_busy_leave(c);
    return e;
}
