/*
 * emu/cpu/paging.c: the page walk (SDM Vol 3A chapter 4): 32-bit paging
 * (4 KiB, and 4 MiB pages with CR4.PSE), PAE (4 KiB, 2 MiB) and 4-level
 * paging (4 KiB, 2 MiB, 1 GiB), with the access rights of 4.6 (U/S, R/W with
 * CR0.WP, XD with EFER.NXE), the accessed and dirty flags of 4.8 and the #PF
 * error codes of 4.7. The software TLB (mem.c) caches what this returns.
 *
 * Accessed and dirty flags are set with host atomic ORs: other vCPUs walk
 * and write the same tables at the same time (4.8: the processor sets them
 * with locked operations). A table outside guest RAM reads as all ones (no
 * RAM there), which faults as reserved bits; it is never written.
 *
 * Divergence: PAE PDPTEs are read at each walk rather than loaded with CR3
 * (4.4.1); guests that change a PDPTE without reloading CR3 see it early.
 */
#include "emu/cpu/internal.h"

#define PHYS_BITS   46 /* CPUID 0x80000008 */
#define PHYS_MASK   (((1ull << PHYS_BITS) - 1) & ~0xfffull)
#define RSVD_HIGH   (~((1ull << PHYS_BITS) - 1) & ~PTE_NX & ~(0x7ffull << 52)) /* 51:46 */
#define PTE32_PSE36 0x003fe000u /* 4 MiB PDE bits 21:13: physical address bits 39:32 */

/* the table entry at physical pa: a host pointer into RAM, or NULL */
static uint8_t *pte_host(struct cpu *c, uint64_t pa, unsigned size)
{
    pa &= c->a20_mask; /* table reads are physical accesses too */
    return bus_ram(c->bus, pa, size);
}

static uint64_t pte_read(struct cpu *c, uint64_t pa, unsigned size)
{
    uint8_t *p = pte_host(c, pa, size);
    if (!p)
        return ~0ull;
    return size == 4 ? __atomic_load_n((uint32_t *)p, __ATOMIC_RELAXED)
                     : __atomic_load_n((uint64_t *)p, __ATOMIC_RELAXED);
}

/* set bits (A, D: all in the low word) atomically if they are not set yet */
static void pte_set(struct cpu *c, uint64_t pa, uint64_t pte, uint32_t bits)
{
    if ((pte & bits) == bits)
        return;
    uint8_t *p = pte_host(c, pa, 4);
    if (p)
        __atomic_fetch_or((uint32_t *)p, bits, __ATOMIC_SEQ_CST);
}

struct walk {
    uint64_t pa[4], pte[4]; /* the entries used, outermost first */
    unsigned n;
    unsigned size; /* bytes per entry */
};

__attribute__((noreturn)) static void walk_fault(struct cpu *c, uint64_t lin, uint32_t err)
{
    cpu_raise_pf(c, lin, err);
}

uint64_t cpu_page_walk(struct cpu *c, uint64_t lin, enum access acc, unsigned *perm)
{
    bool user = c->cpl == 3 && !c->sys_access;
    bool nxe = (c->efer & EFER_NXE) != 0;
    uint32_t err = (user ? PFERR_U : 0) | (acc == ACC_WRITE ? PFERR_W : 0) |
                   (acc == ACC_FETCH && ((nxe && (c->cr4 & CR4_PAE)) || (c->cr4 & CR4_SMEP))
                        ? PFERR_I
                        : 0); /* 4.7: I/D with NX paging or SMEP */
    struct walk w = {.n = 0};
    uint64_t pa, leaf_mask; /* leaf_mask: the offset bits inside the page */
    bool w_ok = true, u_ok = true, x_ok = true;

    if (!(c->cr4 & CR4_PAE)) {
        /* 32-bit paging (4.3) */
        w.size = 4;
        uint64_t table = c->cr3 & 0xfffff000u;
        unsigned shift = 22;
        for (;;) {
            uint64_t epa = table + ((lin >> shift) & 0x3ff) * 4;
            uint64_t e = pte_read(c, epa, 4) & 0xffffffffu;
            w.pa[w.n] = epa, w.pte[w.n++] = e;
            if (!(e & PTE_P))
                walk_fault(c, lin, err);
            w_ok &= (e & PTE_W) != 0;
            u_ok &= (e & PTE_U) != 0;
            if (shift == 22 && (e & PTE_PS) && (c->cr4 & CR4_PSE)) {
                if (e & (1u << 21)) /* bit 21 is reserved (PSE-36 with 40-bit addresses) */
                    walk_fault(c, lin, err | PFERR_P | PFERR_RSVD);
                pa = (e & 0xffc00000u) | ((e & PTE32_PSE36) << 19);
                leaf_mask = 0x3fffff;
                break;
            }
            if (shift == 12) {
                pa = e & 0xfffff000u;
                leaf_mask = 0xfff;
                break;
            }
            table = e & 0xfffff000u;
            shift = 12;
        }
    } else {
        /* PAE (4.4) and 4-level paging (4.5) */
        w.size = 8;
        bool lm = (c->efer & EFER_LMA) != 0;
        uint64_t rsvd = RSVD_HIGH | (nxe ? 0 : PTE_NX);
        uint64_t table;
        unsigned shift;
        if (lm) {
            table = c->cr3 & PHYS_MASK;
            shift = 39;
        } else {
            uint64_t epa = (c->cr3 & CR3_PAE_MASK) + ((lin >> 30) & 3) * 8;
            uint64_t e = pte_read(c, epa, 8);
            if (!(e & PTE_P))
                walk_fault(c, lin, err);
            /* PDPTE: bits 2:1, 8:5 and 63 are reserved too (4.4.1) */
            if (e & (RSVD_HIGH | PTE_NX | 0x1e6))
                walk_fault(c, lin, err | PFERR_P | PFERR_RSVD);
            table = e & PHYS_MASK;
            shift = 21;
        }
        for (;;) {
            uint64_t epa = table + ((lin >> shift) & 0x1ff) * 8;
            uint64_t e = pte_read(c, epa, 8);
            w.pa[w.n] = epa, w.pte[w.n++] = e;
            if (!(e & PTE_P))
                walk_fault(c, lin, err);
            bool large = (e & PTE_PS) && (shift == 21 || shift == 30);
            uint64_t r = rsvd;
            if (shift == 39)
                r |= PTE_PS; /* PML4E.PS is reserved */
            if (large)
                r |= ((1ull << shift) - 1) & ~0x1fffull; /* a large page's low address bits */
            if (e & r)
                walk_fault(c, lin, err | PFERR_P | PFERR_RSVD);
            w_ok &= (e & PTE_W) != 0;
            u_ok &= (e & PTE_U) != 0;
            x_ok &= !(nxe && (e & PTE_NX));
            if (large || shift == 12) {
                leaf_mask = (1ull << shift) - 1;
                pa = e & PHYS_MASK & ~leaf_mask;
                break;
            }
            table = e & PHYS_MASK;
            shift -= 9;
        }
    }

    /* access rights (4.6): supervisor writes to read-only pages only without CR0.WP */
    bool sup_w = w_ok || !(c->cr0 & CR0_WP);
    if ((user && !u_ok) || (acc == ACC_WRITE && (user ? !w_ok : !sup_w)) ||
        (acc == ACC_FETCH && !x_ok))
        walk_fault(c, lin, err | PFERR_P);
    /*
     * SMEP: no supervisor fetch from a user page. SMAP: no supervisor data
     * access to a user page, unless it is explicit, at CPL < 3, with
     * EFLAGS.AC set (4.6.1). A page so allowed is marked for the TLB, which
     * drops it when AC clears (cpu_smap_drop).
     */
    c->fill_ac_dep = false;
    if (!user && u_ok) {
        if (c->cr4 & CR4_SMEP) {
            if (acc == ACC_FETCH)
                walk_fault(c, lin, err | PFERR_P);
            x_ok = false;
        }
        if ((c->cr4 & CR4_SMAP) && acc != ACC_FETCH) {
            if (c->sys_access || c->cpl == 3 || !(c->rflags & RFLAGS_AC))
                walk_fault(c, lin, err | PFERR_P);
            c->fill_ac_dep = true;
        }
    }

    /* accessed on every level, dirty on the leaf for a write (4.8) */
    for (unsigned k = 0; k < w.n; k++)
        pte_set(c, w.pa[k], w.pte[k], PTE_A | (acc == ACC_WRITE && k == w.n - 1 ? PTE_D : 0));

    bool dirty = acc == ACC_WRITE || (w.pte[w.n - 1] & PTE_D);
    *perm = ((user ? w_ok : sup_w) && dirty ? CPU_PERM_W : 0) | (x_ok ? CPU_PERM_X : 0);
    if (leaf_mask > 0xfff)
        c->tlb_large = true;
    return (pa | (lin & leaf_mask)) & ~0xfffull;
}

/* a table entry for the debugger: no rights, no A/D updates, nothing raised */
static bool debug_pte(const struct cpu *c, uint64_t pa, unsigned size, uint64_t *e)
{
    const uint8_t *p = bus_ram(c->bus, pa & c->a20_mask, size);
    if (!p)
        return false;
    *e = size == 4 ? __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED)
                   : __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
    return (*e & PTE_P) != 0;
}

const uint8_t *cpu_debug_ram(const struct cpu *c, uint64_t pa)
{
    return bus_ram(c->bus, pa & c->a20_mask, 1);
}

bool cpu_debug_translate(const struct cpu *c, uint64_t lin, uint64_t *pa)
{
    uint64_t e;
    if (c->bus->translate)
        return false; /* the user-mode embedding's pages are its own business */
    if (!(c->cr0 & CR0_PG)) {
        *pa = c->mode == MODE_LONG64 ? lin : lin & 0xffffffffull;
        return true;
    }
    if (!(c->cr4 & CR4_PAE)) {
        if (!debug_pte(c, (c->cr3 & 0xfffff000u) + ((lin >> 22) & 0x3ff) * 4, 4, &e))
            return false;
        if ((e & PTE_PS) && (c->cr4 & CR4_PSE)) {
            *pa = (e & 0xffc00000u) | ((e & PTE32_PSE36) << 19) | (lin & 0x3fffff);
            return true;
        }
        if (!debug_pte(c, (e & 0xfffff000u) + ((lin >> 12) & 0x3ff) * 4, 4, &e))
            return false;
        *pa = (e & 0xfffff000u) | (lin & 0xfff);
        return true;
    }
    uint64_t table;
    unsigned shift;
    if (c->efer & EFER_LMA) {
        table = c->cr3 & PHYS_MASK;
        shift = 39;
    } else {
        if (!debug_pte(c, (c->cr3 & CR3_PAE_MASK) + ((lin >> 30) & 3) * 8, 8, &e))
            return false;
        table = e & PHYS_MASK;
        shift = 21;
    }
    for (;;) {
        if (!debug_pte(c, table + ((lin >> shift) & 0x1ff) * 8, 8, &e))
            return false;
        if (shift == 12 || ((e & PTE_PS) && (shift == 21 || shift == 30))) {
            uint64_t off = (1ull << shift) - 1;
            *pa = (e & PHYS_MASK & ~off) | (lin & off);
            return true;
        }
        table = e & PHYS_MASK;
        shift -= 9;
    }
}
