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
    /* the state after RESET (SDM Vol 3A table 9-1) */
    memset(c, 0, sizeof *c);
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
    if (cs->base != c->icache_cs_base || cs->limit != c->icache_cs_limit) {
        cpu_icache_flush(c);
        c->icache_cs_base = cs->base;
        c->icache_cs_limit = cs->limit;
    }
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

/* host address of the instruction byte at lin: the TLB's fetch tag, or a fill (which may fault) */
static inline const uint8_t *fetch_host(struct cpu *c, uint64_t lin)
{
    struct tlb_entry *e = tlb_entry(c, lin);
    uintptr_t page = e->xtag == lin >> X86_PAGE_SHIFT ? e->host : cpu_tlb_fill(c, lin, ACC_FETCH);
    return (const uint8_t *)(page + (lin & (X86_PAGE_SIZE - 1)));
}

/* masks of the first n bytes of a 16-byte window, as two words */
#define M(n) ((n) >= 8 ? ~0ull : (1ull << (8 * (n))) - 1)
#define H(n) ((n) <= 8 ? 0 : (n) >= 16 ? ~0ull : (1ull << (8 * ((n)-8))) - 1)
static const uint64_t mask_lo[16] = {M(0), M(1), M(2),  M(3),  M(4),  M(5),  M(6),  M(7),
                                     M(8), M(9), M(10), M(11), M(12), M(13), M(14), M(15)};
static const uint64_t mask_hi[16] = {H(0), H(1), H(2),  H(3),  H(4),  H(5),  H(6),  H(7),
                                     H(8), H(9), H(10), H(11), H(12), H(13), H(14), H(15)};
#undef M
#undef H

static inline bool same_bytes(const uint8_t *mem, const struct icache_entry *e, unsigned off)
{
    unsigned len = e->insn.len;
    uint64_t a0, a1;
    if (__builtin_expect(off <= X86_PAGE_SIZE - 16, 1)) {
        __builtin_memcpy(&a0, mem, 8);
        __builtin_memcpy(&a1, mem + 8, 8);
    } else {
        uint8_t b[16] = {0};
        __builtin_memcpy(b, mem, len);
        __builtin_memcpy(&a0, b, 8);
        __builtin_memcpy(&a1, b + 8, 8);
    }
    return !(((a0 & mask_lo[len]) ^ e->bytes[0]) | ((a1 & mask_hi[len]) ^ e->bytes[1]));
}

/* the decoded instruction at RIP: from the cache when memory still holds its bytes */
/*
 * Outside 64-bit mode an instruction must end inside CS (SDM Vol 3A 5.3).
 * Checked when an instruction is decoded; cpu_update_mode forgets every
 * cached instruction when CS's base or limit changes, so a cached one passed
 * the check against the CS it runs under.
 */
static inline void cs_limit_check(struct cpu *c, const struct insn *i)
{
    if (c->mode != MODE_LONG64 && c->rip + i->len - 1 > c->seg[SEG_CS].limit)
        cpu_gp0(c);
}

/* always inlined: a call here costs ~20 host instructions per guest instruction */
static inline __attribute__((always_inline)) const struct insn *fetch_insn(struct cpu *c)
{
    uint64_t lin = c->seg[SEG_CS].base + c->rip;
    if (c->mode != MODE_LONG64)
        lin &= 0xffffffffull;
    uint64_t key = lin << 2 | c->mode;
    struct icache_entry *e = &c->icache[(lin ^ (lin >> ICACHE_BITS)) & (ICACHE_SIZE - 1)];
    const uint8_t *mem = fetch_host(c, lin);
    unsigned off = (unsigned)(lin & (X86_PAGE_SIZE - 1));
    if (__builtin_expect(e->key == key && same_bytes(mem, e, off), 1))
        return &e->insn; /* checked against this CS when it was cached */
    e->key = ~0ull;      /* invalid until the decode succeeds */
    cpu_decode(c, &e->insn);
    cs_limit_check(c, &e->insn);
    unsigned len = e->insn.len;
    if (off + len <= X86_PAGE_SIZE) {
        uint8_t b[16] = {0};
        memcpy(b, mem, len);
        memcpy(e->bytes, b, 16);
        e->key = key;
    }
    return &e->insn;
}

void cpu_icache_flush(struct cpu *c)
{
    for (unsigned k = 0; k < ICACHE_SIZE; k++)
        c->icache[k].key = ~0ull;
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
 * event word is one load per instruction; what it holds is looked at only
 * when it is non-zero. With record (a constant: two copies are compiled)
 * each instruction's CS:RIP goes into the RIP history before it is
 * fetched, so a faulting one is the last entry.
 */
static inline __attribute__((always_inline)) enum cpu_exit loop(struct cpu *c, uint64_t budget,
                                                                bool record)
{
    const volatile uint32_t *ev = c->events ? c->events : &no_events;
    while (budget--) {
        if (__builtin_expect(*ev != 0, 0) && event_deliverable(c, *ev))
            return CPU_EXIT_EVENT;
        if (record)
            cpu_rip_record(c, 0);
        const struct insn *i = fetch_insn(c);
        c->next_rip = (c->rip + i->len) & ip_mask[c->mode];
        i->fn(c, i);
        c->rip = c->next_rip;
        c->icount++;
    }
    return CPU_EXIT_BUDGET;
}

__attribute__((noinline)) static enum cpu_exit run_loop(struct cpu *c, uint64_t budget)
{
    return loop(c, budget, false);
}

/* the same with the RIP history (-rip-history) */
__attribute__((noinline)) static enum cpu_exit run_loop_rips(struct cpu *c, uint64_t budget)
{
    return loop(c, budget, true);
}

/*
 * The loop while RFLAGS.TF is set: a #DB trap after each instruction that
 * began with TF set (SDM Vol 3A 18.3.1.4). Back to run_loop once TF is clear.
 */
static enum cpu_exit run_step(struct cpu *c, uint64_t budget)
{
    while (budget-- && (c->rflags & RFLAGS_TF)) {
        if (c->events && *c->events && event_deliverable(c, *c->events))
            return CPU_EXIT_EVENT;
        if (c->rips)
            cpu_rip_record(c, 0);
        const struct insn *i = fetch_insn(c);
        c->next_rip = (c->rip + i->len) & ip_mask[c->mode];
        i->fn(c, i);
        c->rip = c->next_rip;
        c->icount++;
        c->dr[6] |= DR6_BS;
        cpu_deliver(c, VEC_DB, false, 0, EV_EXC, c->rip);
    }
    return CPU_EXIT_BUDGET;
}

enum cpu_exit cpu_run(struct cpu *c, uint64_t budget)
{
    cpu_map_sync(c); /* once per call: another vCPU may have changed the map */
    c->run_end = c->icount + budget;
    if (__builtin_setjmp(c->jmp)) {
        /* an exception, or a handler asking to stop (HLT) */
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
            return c->rips ? run_loop_rips(c, c->run_end - c->icount)
                           : run_loop(c, c->run_end - c->icount);
        enum cpu_exit e = run_step(c, c->run_end - c->icount);
        if (e != CPU_EXIT_BUDGET)
            return e;
    }
    return CPU_EXIT_BUDGET;
}
