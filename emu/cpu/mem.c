/*
 * emu/cpu/mem.c: the guest memory path. Effective address, segmentation
 * (SDM Vol 3A 3.4, 5.3: limits; 3.3.7.1: canonical addresses in 64-bit mode),
 * the per-vCPU software TLB that yields host pointers, the slow paths for
 * page-crossing and MMIO accesses, and locked read-modify-writes.
 *
 * Paging (paging.c) fills the TLB; the user-mode embedding maps linear to
 * physical one to one, or through its bus translate hook.
 */
#include <string.h>

#include "emu/cpu/internal.h"

__attribute__((noreturn)) static void seg_fault(struct cpu *c, unsigned seg)
{
    /* stack references fault #SS, others #GP (SDM Vol 3A 6.15) */
    cpu_raise(c, seg == SEG_SS ? VEC_SS : VEC_GP, 0);
}

uint64_t cpu_linear_slow(struct cpu *c, unsigned seg, uint64_t off, unsigned size, enum access acc)
{
    const struct seg *s = &c->seg[seg];
    if (c->mode == MODE_LONG64) {
        /* only FS and GS have a base in 64-bit mode, and nothing has a limit */
        uint64_t lin = off + (seg >= SEG_FS ? s->base : 0);
        if (!is_canonical(lin) || !is_canonical(lin + size - 1))
            seg_fault(c, seg);
        return lin;
    }
    uint64_t last = off + size - 1;
    /*
     * What the segment's type refuses, by P, code and writable: a null
     * selector leaves the register unusable (SDM Vol 3A 3.4.2), code is never
     * writable, execute-only code is not readable (3.4.5.1).
     */
    static const uint8_t deny[8] = {
        [0] = 7,
        [1] = 7,
        [2] = 7,
        [3] = 7,                                /* not present */
        [4] = 1u << ACC_WRITE,                  /* read-only data */
        [5] = 0,                                /* read/write data */
        [6] = 1u << ACC_WRITE | 1u << ACC_READ, /* execute-only code */
        [7] = 1u << ACC_WRITE,                  /* readable code */
    };
    unsigned type = (s->attr & SEG_ATTR_P) >> 5 | (s->attr & SEG_TYPE_CODE) >> 2 |
                    (s->attr & SEG_TYPE_WRITABLE) >> 1;
    if (((deny[type] >> acc) & 1) && c->mode != MODE_REAL)
        seg_fault(c, seg);
    if (!(s->attr & SEG_TYPE_CODE) && (s->attr & SEG_TYPE_EXPDOWN)) {
        uint64_t upper = (s->attr & SEG_ATTR_DB) ? 0xffffffffull : 0xffffull;
        if (off <= s->limit || last > upper)
            seg_fault(c, seg);
    } else if (last > s->limit) {
        seg_fault(c, seg);
    }
    return (s->base + off) & 0xffffffffull;
}

static void tlb_invalidate(struct tlb_entry *e)
{
    /* write tags are dropped by other vCPUs too (block.c): atomic, if relaxed */
    __atomic_store_n(&e->wtag, CPU_TLB_INVALID, __ATOMIC_RELAXED);
    e->tag = e->xtag = CPU_TLB_INVALID;
}

void cpu_smap_drop(struct cpu *c)
{
    if (c->n_ac_slots > CPU_AC_SLOTS) {
        cpu_tlb_flush(c);
        return;
    }
    for (unsigned k = 0; k < c->n_ac_slots; k++)
        tlb_invalidate(&c->tlb[c->ac_slots[k]]);
    c->n_ac_slots = 0;
    cpu_block_end(c);
    c->rip_epoch++;
}

void cpu_tlb_flush(struct cpu *c)
{
    c->n_ac_slots = 0;
    c->tlb_large = false;
    for (unsigned k = 0; k < CPU_TLB_SIZE; k++)
        tlb_invalidate(&c->tlb[k]);
    cpu_block_end(c); /* the next instruction may be on another page now */
    c->rip_epoch++;
}

void cpu_tlb_drop(struct cpu *c, uint64_t lin)
{
    tlb_invalidate(tlb_entry(c, lin));
    cpu_block_end(c);
    c->rip_epoch++;
}

/*
 * Give e a write tag unless the page holds code. Against a vCPU that marks
 * the page as code at the same time (block.c mark_code, unmap_writers): the
 * tag is stored before the page is looked at again, the marker sets the
 * chunks before it takes the WMAPPED bit and looks for tags, so either the
 * marker finds the tag, or this look finds the chunks or the bit gone, and
 * the tag is dropped. A changed generation drops it too: the chunks it was
 * given for may have come and gone.
 */
static void tlb_set_write(struct cpu *c, struct tlb_entry *e, uint64_t page, uintptr_t host)
{
    struct code_page *cp = cpu_code_page(c, host);
    if (!cp) {
        __atomic_store_n(&e->wtag, page, __ATOMIC_RELAXED);
        return;
    }
    /*
     * Not the page the running block came from either, even when another
     * vCPU's invalidation has just cleared its chunks: this store may write
     * the block's next instruction, and only the checked path ends the
     * block for it (block.c cpu_code_written, SDM Vol 3A 11.6).
     */
    if (c->blk_cur && c->blk_cur->code == cp)
        return;
    uint64_t gen = __atomic_load_n(&cp->gen, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&cp->chunks, __ATOMIC_SEQ_CST))
        return; /* stores to a code page take the slow path, which reports them */
    if (!(gen & CODEMAP_WMAPPED))
        __atomic_fetch_or(&cp->gen, CODEMAP_WMAPPED, __ATOMIC_SEQ_CST);
    __atomic_store_n(&e->wtag, page, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t now = __atomic_load_n(&cp->gen, __ATOMIC_RELAXED);
    if (__atomic_load_n(&cp->chunks, __ATOMIC_RELAXED) || !(now & CODEMAP_WMAPPED) ||
        now >> 1 != gen >> 1)
        __atomic_store_n(&e->wtag, CPU_TLB_INVALID, __ATOMIC_RELAXED);
}

static uint32_t pf_error(const struct cpu *c, enum access acc)
{
    uint32_t err = c->cpl == 3 ? PFERR_U : 0;
    if (acc == ACC_WRITE)
        err |= PFERR_W;
    if (acc == ACC_FETCH && (c->efer & EFER_NXE))
        err |= PFERR_I;
    return err;
}

/* bytes that read as all ones: fetches from what is neither RAM nor a page */
static const uint8_t open_bus[X86_PAGE_SIZE] = {[0 ... X86_PAGE_SIZE - 1] = 0xff};

/* what the ROM and its shadow make of a physical page (struct cpu_rom) */
enum rom_map {
    ROM_NONE,    /* not the ROM's business: RAM or MMIO as usual */
    ROM_HOST,    /* *host, with *perm narrowed; cacheable */
    ROM_UNCACHE, /* *host for this access only: reads of the page come from elsewhere */
    ROM_DROP,    /* a write that goes nowhere: the MMIO path, where the platform drops it */
};

static enum rom_map rom_map(const struct cpu_rom *rom, uint64_t pa, enum access acc,
                            const struct cpu_bus *bus, const uint8_t **host, unsigned *perm)
{
    if (pa >= rom->base && pa - rom->base < rom->size) {
        if (acc == ACC_WRITE)
            return ROM_DROP;
        *host = rom->data + (pa - rom->base);
        *perm &= ~CPU_PERM_W;
        return ROM_HOST;
    }
    if (pa < CPU_SHADOW_BASE || pa >= CPU_SHADOW_END || pa >= bus->ram_size)
        return ROM_NONE;
    unsigned r = __atomic_load_n(&rom->shadow[(pa - CPU_SHADOW_BASE) >> CPU_SHADOW_SEG_SHIFT],
                                 __ATOMIC_ACQUIRE);
    if (acc == ACC_WRITE) {
        if (!(r & CPU_SHADOW_WE))
            return ROM_DROP;
        *host = bus->ram + pa;
        return r & CPU_SHADOW_RE ? ROM_HOST : ROM_UNCACHE;
    }
    if (!(r & CPU_SHADOW_WE))
        *perm &= ~CPU_PERM_W;
    if (r & CPU_SHADOW_RE) {
        *host = bus->ram + pa;
        return ROM_HOST;
    }
    *perm &= ~CPU_PERM_W; /* reads from the ROM: writes must come back here */
    uint64_t alias = rom->size < CPU_SHADOW_ALIAS ? rom->size : CPU_SHADOW_ALIAS;
    if (pa >= CPU_SHADOW_END - alias)
        *host = rom->data + rom->size - (CPU_SHADOW_END - pa);
    else
        *host = open_bus;
    return ROM_HOST;
}

uintptr_t cpu_tlb_fill(struct cpu *c, uint64_t lin, enum access acc)
{
    uint64_t page = lin >> X86_PAGE_SHIFT;
    struct tlb_entry *e = tlb_entry(c, lin);
    struct cpu_bus *bus = c->bus;
    uint8_t *host;
    unsigned perm = CPU_PERM_W | CPU_PERM_X;

    if (bus->translate) {
        c->fill_pa = page << X86_PAGE_SHIFT;
        host = bus->translate(bus->opaque, page << X86_PAGE_SHIFT, &perm);
        if (!host)
            cpu_raise_pf(c, lin, pf_error(c, acc));
        if ((acc == ACC_WRITE && !(perm & CPU_PERM_W)) ||
            (acc == ACC_FETCH && !(perm & CPU_PERM_X)))
            cpu_raise_pf(c, lin, pf_error(c, acc) | PFERR_P);
    } else {
        uint64_t pa = page << X86_PAGE_SHIFT;
        if ((c->cr0 & CR0_PG) && !c->stop_at_exc) /* user-mode embedding: flat */
            pa = cpu_page_walk(c, lin, acc, &perm);
        else if (!(c->efer & EFER_LMA))
            pa &= 0xffffffffull;
        pa &= c->a20_mask; /* the A20M# pin: every physical access */
        c->fill_pa = pa;
        const uint8_t *rom_host = NULL;
        enum rom_map rm = bus->rom ? rom_map(bus->rom, pa, acc, bus, &rom_host, &perm) : ROM_NONE;
        if (rm == ROM_DROP)
            return 0;
        if (rm == ROM_UNCACHE)
            return (uintptr_t)rom_host;
        if (rm == ROM_HOST) {
            host = (uint8_t *)(uintptr_t)rom_host; /* never written through: no wtag */
        } else {
            host = bus_ram(bus, pa, X86_PAGE_SIZE);
            if (!host)
                return acc == ACC_FETCH ? (uintptr_t)open_bus : 0;
        }
    }
    /* implicit supervisor accesses at CPL 3 are not cached: the TLB holds CPL 3 rights;
     * nor is anything while alignment checking is on (cpu_ac_active), nor are
     * non-canonical pages, so that a TLB hit is canonical (mem_read) */
    if ((c->sys_access && c->cpl == 3) || cpu_ac_active(c) || !is_canonical(lin))
        return (uintptr_t)host;
    if (__builtin_expect(c->fill_ac_dep, 0)) {
        c->fill_ac_dep = false;
        if (c->n_ac_slots < CPU_AC_SLOTS)
            c->ac_slots[c->n_ac_slots] = (uint16_t)(e - c->tlb);
        c->n_ac_slots += c->n_ac_slots <= CPU_AC_SLOTS; /* CPU_AC_SLOTS + 1: too many */
    }
    tlb_invalidate(e);
    __atomic_store_n(&e->host, (uintptr_t)host, __ATOMIC_RELAXED);
    e->tag = page;
    e->xtag = (perm & CPU_PERM_X) ? page : CPU_TLB_INVALID;
    if (perm & CPU_PERM_W)
        tlb_set_write(c, e, page, (uintptr_t)host);
    return (uintptr_t)host;
}

/* #AC(0) for a misaligned data access while alignment checking is on; the
 * operand sizes here are powers of two but for the 6- and 10-byte far
 * pointers and descriptors, which only need word alignment (XXX: SDM table
 * 6-7 wants 4 for a 6-byte pointer) */
static void ac_check(struct cpu *c, uint64_t lin, unsigned size)
{
    if (__builtin_expect(cpu_ac_active(c), 0) && !c->sys_access && (lin & ((size & -size) - 1)))
        cpu_raise(c, VEC_AC, 0);
}

/* host address of one byte, or 0 for MMIO (then *pa is its physical address) */
static uintptr_t byte_host(struct cpu *c, uint64_t lin, enum access acc, uint64_t *pa)
{
    uintptr_t page = cpu_tlb_fill(c, lin, acc);
    if (pa)
        *pa = c->fill_pa + (lin & (X86_PAGE_SIZE - 1));
    return page ? page + (lin & (X86_PAGE_SIZE - 1)) : 0;
}

uint64_t cpu_read_slow(struct cpu *c, uint64_t lin, unsigned size)
{
    uint64_t end = lin + size - 1, pa, pa2;
    ac_check(c, lin, size);
    uintptr_t h = byte_host(c, lin, ACC_READ, &pa);
    if ((end >> X86_PAGE_SHIFT) == (lin >> X86_PAGE_SHIFT)) {
        if (h)
            return host_load((const void *)h, size);
        cpu_block_end(c); /* a device access may change what is pending */
        return c->bus->mmio_read ? c->bus->mmio_read(c->bus->opaque, pa, size) : size_mask(size);
    }
    /* crosses a page: both halves must be reachable before any byte is read */
    uintptr_t h2 = byte_host(c, end & ~(X86_PAGE_SIZE - 1), ACC_READ, &pa2);
    unsigned first = (unsigned)(X86_PAGE_SIZE - (lin & (X86_PAGE_SIZE - 1)));
    uint64_t v = 0;
    if (!h || !h2)
        cpu_block_end(c);
    for (unsigned k = 0; k < size; k++) {
        uintptr_t b = k < first ? (h ? h + k : 0) : (h2 ? h2 + k - first : 0);
        uint64_t byte =
            b ? host_load((const void *)b, 1)
              : (c->bus->mmio_read
                     ? c->bus->mmio_read(c->bus->opaque, k < first ? pa + k : pa2 + k - first, 1)
                     : 0xff);
        v |= byte << (8 * k);
    }
    return v;
}

void cpu_write_slow(struct cpu *c, uint64_t lin, unsigned size, uint64_t v)
{
    uint64_t end = lin + size - 1, pa, pa2;
    ac_check(c, lin, size);
    uintptr_t h = byte_host(c, lin, ACC_WRITE, &pa);
    if ((end >> X86_PAGE_SHIFT) == (lin >> X86_PAGE_SHIFT)) {
        if (h) {
            host_store((void *)h, size, v);
            cpu_code_check(c, lin, h, size); /* a code page, or an untagged store */
            return;
        }
        cpu_block_end(c); /* a device access may change what is pending */
        if (c->bus->mmio_write)
            c->bus->mmio_write(c->bus->opaque, pa, v, size);
        return;
    }
    uintptr_t h2 = byte_host(c, end & ~(X86_PAGE_SIZE - 1), ACC_WRITE, &pa2);
    unsigned first = (unsigned)(X86_PAGE_SIZE - (lin & (X86_PAGE_SIZE - 1)));
    for (unsigned k = 0; k < size; k++) {
        uintptr_t b = k < first ? (h ? h + k : 0) : (h2 ? h2 + k - first : 0);
        if (b)
            host_store((void *)b, 1, v >> (8 * k));
        else if (c->bus->mmio_write)
            c->bus->mmio_write(c->bus->opaque, k < first ? pa + k : pa2 + k - first,
                               (v >> (8 * k)) & 0xff, 1);
    }
    if (h)
        cpu_code_check(c, lin, h, first);
    if (h2)
        cpu_code_check(c, lin + first, h2, size - first);
    if (!h || !h2)
        cpu_block_end(c);
}

uint8_t *cpu_host_rmw(struct cpu *c, uint64_t lin, unsigned size)
{
    uint64_t end = lin + size - 1;
    ac_check(c, lin, size);
    uintptr_t h = byte_host(c, lin, ACC_WRITE, NULL);
    if ((end >> X86_PAGE_SHIFT) == (lin >> X86_PAGE_SHIFT))
        return (uint8_t *)h;
    uintptr_t h2 = byte_host(c, end & ~(X86_PAGE_SIZE - 1), ACC_WRITE, NULL);
    unsigned first = (unsigned)(X86_PAGE_SIZE - (lin & (X86_PAGE_SIZE - 1)));
    /* pages that are neighbours on the host too: the host's own bus lock covers it */
    if (h && h2 && h2 == h + first)
        return (uint8_t *)h;
    return NULL;
}

/*
 * A locked RMW on host memory. x86 hosts perform a misaligned LOCK CMPXCHG
 * atomically (a bus lock), so the casts below are sound on the only host
 * architecture baremu runs on.
 */
#define CAS_LOOP(type)                                                                             \
    do {                                                                                           \
        type *q = (type *)p, o = __atomic_load_n(q, __ATOMIC_RELAXED);                             \
        while (!__atomic_compare_exchange_n(q, &o, (type)op(o, arg, aux), false, __ATOMIC_SEQ_CST, \
                                            __ATOMIC_RELAXED))                                     \
            ;                                                                                      \
        return o;                                                                                  \
    } while (0)

static uint64_t host_atomic_rmw(uint8_t *p, unsigned size, rmw_fn op, uint64_t arg, uint64_t aux)
{
    switch (size) {
    case 1:
        CAS_LOOP(uint8_t);
    case 2:
        CAS_LOOP(uint16_t);
    case 4:
        CAS_LOOP(uint32_t);
    default:
        CAS_LOOP(uint64_t);
    }
}

uint64_t cpu_rmw_mem(struct cpu *c, unsigned seg, uint64_t off, unsigned size, bool locked,
                     rmw_fn op, uint64_t arg, uint64_t aux)
{
    uint64_t lin = cpu_linear(c, seg, off, size, ACC_WRITE);
    /* a read-modify-write faults as a write, even on its read (SDM Vol 3A 4.7) */
    struct tlb_entry *e = tlb_entry(c, lin);
    if (e->wtag != lin >> X86_PAGE_SHIFT || (lin & (X86_PAGE_SIZE - 1)) > X86_PAGE_SIZE - size)
        (void)cpu_host_rmw(c, lin, size);
    if (!locked) {
        uint64_t old = cpu_read_lin(c, lin, size);
        cpu_write_lin(c, lin, size, op(old, arg, aux));
        return old;
    }
    uint8_t *p = cpu_host_rmw(c, lin, size);
    if (p) {
        uint64_t old = host_atomic_rmw(p, size, op, arg, aux);
        cpu_code_check(c, lin, (uintptr_t)p, size);
        return old;
    }
    /*
     * Split across host pages, or MMIO: with every other vCPU stopped (the
     * machine's pause protocol), as a bus lock does (SDM Vol 3A 9.1.2.2).
     * Both pages were translated for writing above, so nothing in between
     * faults while the machine is stopped.
     */
    const struct cpu_bus *b = c->bus;
    if (b->bus_lock)
        b->bus_lock(b->opaque);
    else
        spin_lock(&c->bus->split_lock);
    uint64_t old = cpu_read_slow(c, lin, size);
    cpu_write_slow(c, lin, size, op(old, arg, aux));
    if (b->bus_unlock)
        b->bus_unlock(b->opaque);
    else
        spin_unlock(&c->bus->split_lock);
    return old;
}

uint64_t cpu_rmw(struct cpu *c, const struct insn *i, unsigned size, rmw_fn op, uint64_t arg,
                 uint64_t aux)
{
    if (i->mod == 3) {
        uint64_t old = reg_read(c, i, i->rm, size);
        reg_write(c, i, i->rm, size, op(old, arg, aux));
        return old;
    }
    return cpu_rmw_mem(c, i->seg, cpu_ea(c, i), size, i->pfx & PFX_LOCK, op, arg, aux);
}

/*
 * A block of memory for the SIMD and save-area instructions: seg:off to a
 * linear address with the segment checks, the alignment check (#GP(0)
 * unless align-aligned, SDM Vol 1 11.6.9; 0 for none), and both pages
 * reached before anything moves, so that a fault leaves memory as it was.
 * size is at most a page.
 */
uint64_t cpu_block_check(struct cpu *c, unsigned seg, uint64_t off, unsigned size, unsigned align,
                         enum access acc)
{
    /* the alignment #GP(0) comes before the segment checks, #SS included (as on AMD Zen) */
    uint64_t base = c->mode == MODE_LONG64 && seg < SEG_FS ? 0 : c->seg[seg].base;
    if (align && ((base + off) & (align - 1)))
        cpu_gp0(c);
    return cpu_linear(c, seg, off, size, acc);
}

uint64_t cpu_block_linear(struct cpu *c, unsigned seg, uint64_t off, unsigned size, unsigned align,
                          enum access acc)
{
    uint64_t lin = cpu_block_check(c, seg, off, size, align, acc);
    uint64_t last = lin + size - 1;
    if (c->mode != MODE_LONG64)
        last &= 0xffffffffull;
    if ((last ^ lin) >> X86_PAGE_SHIFT) {
        /* a fault on the second page reports its first byte in CR2, as silicon does */
        (void)cpu_tlb_fill(c, lin, acc);
        (void)cpu_tlb_fill(c, last & ~(X86_PAGE_SIZE - 1), acc);
    }
    return lin;
}

uint64_t cpu_block_at(const struct cpu *c, uint64_t lin, unsigned k)
{
    return c->mode == MODE_LONG64 ? lin + k : (lin + k) & 0xffffffffull;
}

void cpu_read_block(struct cpu *c, unsigned seg, uint64_t off, void *buf, unsigned size,
                    unsigned align)
{
    uint64_t lin = cpu_block_linear(c, seg, off, size, align, ACC_READ);
    for (unsigned k = 0; k < size; k += 8) {
        uint64_t v = cpu_read_lin(c, cpu_block_at(c, lin, k), 8);
        memcpy((uint8_t *)buf + k, &v, 8);
    }
}

void cpu_write_block(struct cpu *c, unsigned seg, uint64_t off, const void *buf, unsigned size,
                     unsigned align)
{
    uint64_t lin = cpu_block_linear(c, seg, off, size, align, ACC_WRITE);
    for (unsigned k = 0; k < size; k += 8) {
        uint64_t v;
        memcpy(&v, (const uint8_t *)buf + k, 8);
        cpu_write_lin(c, cpu_block_at(c, lin, k), 8, v);
    }
}
