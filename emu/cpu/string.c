/*
 * emu/cpu/string.c: MOVS, CMPS, STOS, LODS, SCAS with every REP form (SDM
 * Vol 2B "REP/REPE/REPZ/REPNE/REPNZ"). The source is seg:rSI (DS unless
 * overridden), the destination ES:rDI; the address size picks SI/ESI/RSI
 * and CX/ECX/RCX. Each iteration commits rSI, rDI and rCX only after its
 * accesses succeed, so a fault in the middle restarts where it stopped.
 *
 * A REP runs at most STRING_CHUNK iterations per dispatch and then
 * re-executes itself (next_rip = rip), so long strings stay interruptible.
 *
 * REP MOVS, STOS, CMPS and SCAS move or compare whole runs within a page
 * through host pointers when the TLB already has them, in 64-bit mode and
 * in 32-bit mode with flat segments, in either direction (string_fast);
 * anything that might fault, overlaps the wrong way, or is MMIO takes the
 * element loop, which faults precisely.
 */
#include <string.h>

#include "emu/cpu/internal.h"

#define STRING_CHUNK 4096

enum { STR_MOVS, STR_CMPS, STR_STOS, STR_LODS, STR_SCAS, STR_INS, STR_OUTS };

/* host address of len bytes at lin if the TLB maps them for this access, else NULL */
static uint8_t *tlb_run(struct cpu *c, uint64_t lin, uint64_t len, bool write)
{
    struct tlb_entry *e = tlb_entry(c, lin);
    uint64_t page = lin >> X86_PAGE_SHIFT;
    if ((write ? __atomic_load_n(&e->wtag, __ATOMIC_RELAXED) : e->tag) != page ||
        !is_canonical(lin) || ((lin + len - 1) >> X86_PAGE_SHIFT) != page)
        return NULL;
    return (uint8_t *)(e->host + (lin & (X86_PAGE_SIZE - 1)));
}

/*
 * The linear address of bytes [off, off + bytes) of seg for a fast run, or
 * false: 64-bit mode (the TLB checks canonicality), or a flat-enough data
 * segment (present, expand-up, writable) that holds all of it.
 */
static bool run_lin(struct cpu *c, unsigned seg, uint64_t off, uint64_t bytes, uint64_t *lin)
{
    if (c->mode == MODE_LONG64) {
        *lin = off + (seg >= SEG_FS ? c->seg[seg].base : 0);
        return true;
    }
    const struct seg *s = &c->seg[seg];
    if ((s->attr & SEG_FLAT_MASK) != SEG_FLAT_RW || off + bytes - 1 > s->limit ||
        s->base + off + bytes - 1 > 0xffffffffull)
        return false;
    *lin = s->base + off;
    return true;
}

/* host address of the run of n elements of size from off going by step (either way), or NULL */
static uint8_t *run_host(struct cpu *c, unsigned seg, uint64_t off, uint64_t n, int64_t step,
                         bool write)
{
    uint64_t bytes = n * (uint64_t)(step < 0 ? -step : step);
    uint64_t lo = step < 0 ? off - (bytes + (uint64_t)step) : off, lin;
    if (!run_lin(c, seg, lo, bytes, &lin))
        return NULL;
    uint8_t *h = tlb_run(c, lin, bytes, write);
    return h ? h + (off - lo) : NULL;
}

/* elements from off, going by step, before the page ends (its first one inside it) */
static uint64_t page_room(uint64_t off, unsigned size, int64_t step)
{
    unsigned po = (unsigned)(off & (X86_PAGE_SIZE - 1));
    if (po + size > X86_PAGE_SIZE)
        return 0;
    return step > 0 ? (X86_PAGE_SIZE - po) / size : po / size + 1;
}

/*
 * One run of a REP MOVS/STOS/CMPS/SCAS, at most max elements, within one
 * page each way, through host pointers when the TLB and the segments allow
 * it (64-bit mode, or 32-bit mode with flat segments; either direction).
 * Returns the elements done; 0 sends the caller to the element loop. The
 * registers and flags end as the element loop leaves them. Stores of a
 * fast string operation may be performed in any order (SDM Vol 3A 9.2.4);
 * a copy whose destination runs over what it has yet to read repeats a
 * pattern, which only the element loop does.
 */
static uint64_t string_fast(struct cpu *c, const struct insn *i, unsigned kind, uint64_t max,
                            int64_t step)
{
    unsigned size = i->osz;
    uint64_t am = size_mask(i->asz);
    uint64_t di = c->gpr[REG_RDI] & am, si = c->gpr[REG_RSI] & am;
    uint64_t n = c->gpr[REG_RCX] & am;
    bool two = kind == STR_MOVS || kind == STR_CMPS;
    if (n > max)
        n = max;
    uint64_t room = page_room(di, size, step);
    if (two && page_room(si, size, step) < room)
        room = page_room(si, size, step);
    if (n > room)
        n = room;
    if (!n)
        return 0;
    uint64_t bytes = n * size;
    uint8_t *dst = run_host(c, SEG_ES, di, n, step, kind == STR_MOVS || kind == STR_STOS);
    uint8_t *src = two ? run_host(c, i->seg, si, n, step, false) : NULL;
    if (!dst || (two && !src))
        return 0;
    uint64_t done = n;
    switch (kind) {
    case STR_MOVS: {
        uint8_t *dlo = step > 0 ? dst : dst - bytes + size,
                *slo = step > 0 ? src : src - bytes + size;
        if (step > 0 ? (dlo > slo && dlo < slo + bytes) : (slo > dlo && slo < dlo + bytes))
            return 0;
        memmove(dlo, slo, bytes);
        break;
    }
    case STR_STOS: {
        uint8_t *dlo = step > 0 ? dst : dst - bytes + size;
        if (size == 1)
            memset(dlo, (int)(c->gpr[REG_RAX] & 0xff), bytes);
        else
            for (uint64_t k = 0; k < n; k++)
                host_store(dlo + k * size, size, c->gpr[REG_RAX]);
        break;
    }
    default: { /* CMPS, SCAS: up to the first element that ends the repeat */
        bool until_ne = i->pfx & PFX_REP; /* REPE */
        uint64_t a = c->gpr[REG_RAX] & size_mask(size), b = 0;
        for (done = 0; done < n;) {
            int64_t at = (int64_t)done * step;
            if (kind == STR_CMPS)
                a = host_load(src + at, size);
            b = host_load(dst + at, size);
            done++;
            if ((a == b) != until_ne)
                break;
        }
        lf_set(c, LF_SUB, size, a - b, a, b);
        break;
    }
    }
    uint64_t moved = done * (uint64_t)step;
    if (two)
        gpr_write(c, REG_RSI, i->asz, si + moved);
    gpr_write(c, REG_RDI, i->asz, di + moved);
    gpr_write(c, REG_RCX, i->asz, (c->gpr[REG_RCX] & am) - done);
    return done;
}

static void string_op(struct cpu *c, const struct insn *i, unsigned kind)
{
    unsigned size = i->osz;
    uint64_t am = size_mask(i->asz);
    bool rep = i->pfx & (PFX_REP | PFX_REPNE);
    /* REPE/REPNE only mean something for CMPS and SCAS */
    bool cond = rep && (kind == STR_CMPS || kind == STR_SCAS);
    bool until_ne = i->pfx & PFX_REP; /* REPE: stop once ZF = 0 */
    int64_t step = (cpu_get_rflags(c) & RFLAGS_DF) ? -(int64_t)size : (int64_t)size;
    uint16_t port = (uint16_t)c->gpr[REG_RDX];
    if (kind == STR_INS || kind == STR_OUTS) {
        if (size == 8)
            size = 4, step /= 2;     /* no 64-bit I/O */
        cpu_io_check(c, port, size); /* even with a count of 0, as silicon does */
    }
    bool fast =
        rep && kind != STR_INS && kind != STR_OUTS && kind != STR_LODS &&
        ((c->mode == MODE_LONG64 && i->asz == 8) || (c->mode == MODE_PROT32 && i->asz == 4));

    for (unsigned n = 0;; n++) {
        if (rep) {
            if (!(c->gpr[REG_RCX] & am))
                return;
            if (n >= STRING_CHUNK) {
                c->next_rip = c->rip;
                return;
            }
            if (fast) {
                uint64_t done = string_fast(c, i, kind, STRING_CHUNK - n, step);
                if (done) {
                    /* a CMPS or SCAS that stopped on its condition is done */
                    if (cond && flags_cond(c, 4) != until_ne)
                        return;
                    n += (unsigned)done - 1;
                    continue;
                }
            }
        }
        uint64_t si = c->gpr[REG_RSI] & am, di = c->gpr[REG_RDI] & am, a, b;
        bool adv_si = false, adv_di = false;
        switch (kind) {
        case STR_MOVS:
            a = mem_read(c, i->seg, si, size);
            mem_write(c, SEG_ES, di, size, a);
            adv_si = adv_di = true;
            break;
        case STR_CMPS:
            /* which operand is read first is the CPU model's (docs/cpu-divergences.md) */
            if (c->feat.cmps_dst_first) {
                b = mem_read(c, SEG_ES, di, size);
                a = mem_read(c, i->seg, si, size);
            } else {
                a = mem_read(c, i->seg, si, size);
                b = mem_read(c, SEG_ES, di, size);
            }
            lf_set(c, LF_SUB, size, a - b, a, b);
            adv_si = adv_di = true;
            break;
        case STR_STOS:
            mem_write(c, SEG_ES, di, size, c->gpr[REG_RAX]);
            adv_di = true;
            break;
        case STR_INS:
            /* the destination is checked before the port is read (its side effects) */
            b = cpu_linear(c, SEG_ES, di, size, ACC_WRITE);
            (void)cpu_host_rmw(c, b, size);
            cpu_write_lin(c, b, size, cpu_io_in(c, port, size));
            adv_di = true;
            break;
        case STR_OUTS:
            cpu_io_out(c, port, size, (uint32_t)mem_read(c, i->seg, si, size));
            adv_si = true;
            break;
        case STR_LODS:
            gpr_write(c, REG_RAX, size, mem_read(c, i->seg, si, size));
            adv_si = true;
            break;
        default: /* STR_SCAS */
            a = c->gpr[REG_RAX] & size_mask(size);
            b = mem_read(c, SEG_ES, di, size);
            lf_set(c, LF_SUB, size, a - b, a, b);
            adv_di = true;
            break;
        }
        if (adv_si)
            gpr_write(c, REG_RSI, i->asz, si + (uint64_t)step);
        if (adv_di)
            gpr_write(c, REG_RDI, i->asz, di + (uint64_t)step);
        if (!rep)
            return;
        gpr_write(c, REG_RCX, i->asz, c->gpr[REG_RCX] - 1);
        if (cond && flags_cond(c, 4) != until_ne)
            return;
    }
}

HANDLER(op_movs)
{
    string_op(c, i, STR_MOVS);
}
HANDLER(op_cmps)
{
    string_op(c, i, STR_CMPS);
}
HANDLER(op_stos)
{
    string_op(c, i, STR_STOS);
}
HANDLER(op_lods)
{
    string_op(c, i, STR_LODS);
}
HANDLER(op_ins)
{
    string_op(c, i, STR_INS);
}
HANDLER(op_outs)
{
    string_op(c, i, STR_OUTS);
}
HANDLER(op_scas)
{
    string_op(c, i, STR_SCAS);
}
