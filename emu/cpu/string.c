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
 * REP MOVS and REP STOS forward in 64-bit mode move whole runs within a
 * page through host pointers when the TLB already has them. Stores of a
 * fast string operation may be performed out of order (SDM Vol 3A 9.2.4),
 * so memmove is as good as the loop; anything that might fault, overlaps
 * backwards, or is MMIO takes the loop, which faults precisely.
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
    if ((write ? e->wtag : e->tag) != page || !is_canonical(lin) ||
        ((lin + len - 1) >> X86_PAGE_SHIFT) != page)
        return NULL;
    return (uint8_t *)(e->host + (lin & (X86_PAGE_SIZE - 1)));
}

/*
 * One run of REP MOVS/STOS, at most max elements, within one page each way.
 * Returns the elements done; 0 sends the caller to the element loop.
 */
static uint64_t string_fast(struct cpu *c, const struct insn *i, unsigned kind, uint64_t max)
{
    unsigned size = i->osz;
    uint64_t di = c->gpr[REG_RDI], si = c->gpr[REG_RSI];
    uint64_t n = c->gpr[REG_RCX];
    if (n > max)
        n = max;
    uint64_t room = (X86_PAGE_SIZE - (di & (X86_PAGE_SIZE - 1))) / size;
    if (kind == STR_MOVS && (X86_PAGE_SIZE - (si & (X86_PAGE_SIZE - 1))) / size < room)
        room = (X86_PAGE_SIZE - (si & (X86_PAGE_SIZE - 1))) / size;
    if (n > room)
        n = room;
    if (!n)
        return 0;
    uint64_t bytes = n * size;
    uint8_t *dst = tlb_run(c, di, bytes, true);
    if (!dst)
        return 0;
    if (kind == STR_MOVS) {
        uint8_t *src = tlb_run(c, si, bytes, false);
        /* a forward copy onto a later overlapping address repeats a pattern: the loop does that */
        if (!src || (dst > src && dst < src + bytes))
            return 0;
        memmove(dst, src, bytes);
        c->gpr[REG_RSI] = si + bytes;
    } else if (size == 1) {
        memset(dst, (int)(c->gpr[REG_RAX] & 0xff), bytes);
    } else {
        for (uint64_t k = 0; k < n; k++)
            host_store(dst + k * size, size, c->gpr[REG_RAX]);
    }
    c->gpr[REG_RDI] = di + bytes;
    c->gpr[REG_RCX] -= n;
    return n;
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
    bool fast = rep && step > 0 && c->mode == MODE_LONG64 && i->asz == 8 &&
                (kind == STR_STOS || (kind == STR_MOVS && i->seg < SEG_FS));

    for (unsigned n = 0;; n++) {
        if (rep) {
            if (!(c->gpr[REG_RCX] & am))
                return;
            if (n >= STRING_CHUNK) {
                c->next_rip = c->rip;
                return;
            }
            if (fast) {
                uint64_t done = string_fast(c, i, kind, STRING_CHUNK - n);
                if (done) {
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
