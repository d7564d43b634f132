/*
 * emu/cpu/block.c: the block cache. A block is the run of instructions that
 * follow each other from one start inside one page, decoded once and kept
 * per vCPU in an arena, found by a hash of the host address of its first
 * byte (for RAM, the physical address), its RIP and its mode.
 *
 * Code pages and writes (docs/cpu.md "Code pages", emu/codemap.h): before a
 * vCPU reads the bytes of an instruction it marks their chunks in the page's
 * codemap word, and the block keeps the page's generation. A write that
 * lands on a code chunk bumps the generation, so every vCPU decodes the page
 * again before running it again (SDM Vol 3A 9.1.3). Stores that go through a
 * TLB write tag are not checked, so a page that becomes code loses every
 * write tag to it, in every vCPU's TLB, and a store already past its tag
 * check on another vCPU is waited for (its next block boundary) before the
 * bytes are read. TLB fills give no write tag to a code page (mem.c).
 */
#include <string.h>

#include "emu/cpu/internal.h"

/* the page of code outside the codemap: its generation never changes */
static struct code_page untracked;

/* what an empty hash slot points at: its host address matches nothing */
static const struct block no_block = {.host = 0, .code = &untracked};

/* instructions after which the next one is never reached in order: a block ends there */
static const insn_fn block_enders[] = {
    op_jmp_rel, op_jmp_rm,   op_call_rel,  op_call_rm, op_ret,    op_ret_imm,  op_iret,
    op_jmp_far, op_call_far, op_jmp_far_m, op_retf,    op_hlt,    op_ud2,      op_int,
    op_int3,    op_into,     op_int1,      op_syscall, op_sysret, op_sysenter, op_sysexit,
};

static bool ends_block(insn_fn fn)
{
    for (unsigned k = 0; k < sizeof block_enders / sizeof block_enders[0]; k++)
        if (block_enders[k] == fn)
            return true;
    return false;
}

void cpu_icache_flush(struct cpu *c)
{
    for (unsigned k = 0; k < BLOCK_HASH_SIZE; k++)
        c->blk_hash[k] = (struct block *)&no_block;
    c->blk_used = 0;
    cpu_block_end(c);
    c->rip_epoch++;
}

/* the guest-physical address of a host address in RAM; false if it is not in RAM */
static bool ram_pa(const struct cpu_bus *bus, uintptr_t host, uint64_t *pa)
{
    uintptr_t low = (uintptr_t)bus->ram, high = (uintptr_t)bus->ram_high;
    if (low && host >= low && host - low < bus->ram_size) {
        *pa = host - low;
        return true;
    }
    if (high && host >= high && host - high < bus->ram_high_size) {
        *pa = bus->ram_high_base + (host - high);
        return true;
    }
    return false;
}

bool cpu_host_is_ram(const struct cpu *c, uintptr_t host)
{
    uint64_t pa;
    return ram_pa(c->bus, host, &pa);
}

struct code_page *cpu_code_page(const struct cpu *c, uintptr_t host)
{
    uint64_t pa;
    if (!c->bus->code || !ram_pa(c->bus, host, &pa))
        return NULL;
    return codemap_page(c->bus->code, pa);
}

void cpu_code_written(struct cpu *c, const void *host, unsigned size)
{
    uint64_t pa;
    if (!c->bus->code || !ram_pa(c->bus, (uintptr_t)host, &pa))
        return;
    struct code_page *w = codemap_page(c->bus->code, pa);
    if (!w)
        return;
    /* the store is done; the look at the page must not pass it */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    unsigned off = (unsigned)(pa & (X86_PAGE_SIZE - 1)); /* RAM need not be page-aligned in host memory */
    if (__atomic_load_n(&w->chunks, __ATOMIC_RELAXED) & codemap_chunks(off, size)) {
        codemap_invalidate(w);
        cpu_block_end(c); /* the next instruction may be one just written */
        return;
    }
    /*
     * Not a marked chunk: maybe because another vCPU's invalidation of the
     * page has just cleared the marks, this vCPU's among them. Its running
     * block may hold the bytes just written (a store into the next
     * instruction, SDM Vol 3A 11.6): it ends here, and the cache finds the
     * invalidation's first bump (codemap.c) when it looks for the next.
     */
    const struct block *b = c->blk_cur;
    if (b && b->code == w)
        cpu_block_end(c);
}

void cpu_code_check(struct cpu *c, uint64_t lin, uintptr_t host, unsigned size)
{
    unsigned first = (unsigned)(X86_PAGE_SIZE - (lin & (X86_PAGE_SIZE - 1)));
    if (first >= size) {
        if (tlb_entry(c, lin)->wtag != lin >> X86_PAGE_SHIFT)
            cpu_code_written(c, (const void *)host, size);
        return;
    }
    cpu_code_check(c, lin, host, first);
    cpu_code_check(c, lin + first, host + first, size - first);
}

/* ---- a page becomes code -------------------------------------------------------- */

/* drop x's write tags to the host page; true if it had one */
static bool tlb_unmap_writes(struct cpu *x, uintptr_t page)
{
    bool hit = false;
    for (unsigned k = 0; k < CPU_TLB_SIZE; k++) {
        struct tlb_entry *e = &x->tlb[k];
        if (__atomic_load_n(&e->wtag, __ATOMIC_RELAXED) != CPU_TLB_INVALID &&
            __atomic_load_n(&e->host, __ATOMIC_RELAXED) == page) {
            __atomic_store_n(&e->wtag, CPU_TLB_INVALID, __ATOMIC_RELAXED);
            hit = true;
        }
    }
    return hit;
}

/*
 * Wait until x is past any store it began before its write tag went: until
 * its next block boundary, or it is outside the interpreter. Our own count
 * moves first, so two vCPUs waiting for each other both go on.
 */
static void wait_quiescent(struct cpu *c, struct cpu *x)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t s = __atomic_load_n(&x->qseq, __ATOMIC_ACQUIRE);
    if (!(s & 1))
        return;
    __atomic_store_n(&c->qseq, __atomic_load_n(&c->qseq, __ATOMIC_RELAXED) + 2, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&x->qseq, __ATOMIC_ACQUIRE) == s)
        __builtin_ia32_pause();
}

/* the page cp (host page) became code while a TLB may map it writable */
static void unmap_writers(struct cpu *c, struct code_page *cp, uintptr_t page)
{
    const struct codemap *m = c->bus->code;
    unsigned n = m->cpus ? m->ncpus : 1;
    /*
     * The bit goes first, then the tags: a fill that stores its tag after
     * our look finds the bit gone (or our chunks) when it looks again, and
     * drops the tag (mem.c tlb_set_write). The other way round, a fill that
     * saw the bit still set could keep a tag with the bit gone.
     */
    __atomic_fetch_and(&cp->gen, ~CODEMAP_WMAPPED, __ATOMIC_SEQ_CST);
    for (unsigned k = 0; k < n; k++) {
        struct cpu *x = m->cpus ? m->cpus[k] : c;
        if (tlb_unmap_writes(x, page) && x != c)
            wait_quiescent(c, x);
    }
}

/* ---- building ---------------------------------------------------------------------- */

struct build {
    struct code_page *cp; /* the page's codemap entry, or NULL */
    uintptr_t page;       /* host address of the page */
    uint64_t marked;      /* chunks marked so far */
    uint64_t gen;
    bool stale; /* the page was written while we decoded: run it once, keep it not */
};

/*
 * Mark bytes [off, off + len) as code before reading them, then take the
 * page's generation, and check that no invalidation cleared the mark in
 * between (it bumps the generation, clears the chunks, bumps it again).
 */
static void mark_code(struct cpu *c, struct build *bd, unsigned off, unsigned len)
{
    uint64_t want = codemap_chunks(off, len) & ~bd->marked;
    if (!bd->cp || !want)
        return;
    struct code_page *cp = bd->cp;
    uint64_t gen;
    for (;;) {
        uint64_t old = __atomic_load_n(&cp->chunks, __ATOMIC_ACQUIRE);
        if ((old & want) != want) {
            /*
             * Markers count themselves in while they mark and unmap. One
             * that finds the page already code while another is in (that
             * one may be taking the write tags away right now, ours among
             * them) drops its own tags to the page at once: it is about to
             * run this code, and a store of its own through a tag would not
             * be checked (SDM Vol 3A 11.6).
             */
            __atomic_fetch_add(&cp->markers, 1, __ATOMIC_SEQ_CST);
            old = __atomic_fetch_or(&cp->chunks, want, __ATOMIC_SEQ_CST);
            gen = __atomic_load_n(&cp->gen, __ATOMIC_SEQ_CST);
            if (!old && (gen & CODEMAP_WMAPPED))
                unmap_writers(c, cp, bd->page); /* the page just became code */
            else if (old && __atomic_load_n(&cp->markers, __ATOMIC_SEQ_CST) > 1)
                tlb_unmap_writes(c, bd->page);
            __atomic_fetch_sub(&cp->markers, 1, __ATOMIC_SEQ_CST);
        } else if (__atomic_load_n(&cp->markers, __ATOMIC_SEQ_CST)) {
            tlb_unmap_writes(c, bd->page); /* marked by one who is still in */
        }
        gen = __atomic_load_n(&cp->gen, __ATOMIC_SEQ_CST);
        if ((__atomic_load_n(&cp->chunks, __ATOMIC_SEQ_CST) & want) == want)
            break;
    }
    gen >>= 1;
    if (gen & 1)
        bd->stale = true; /* an invalidation is half done: its second bump ends the block */
    if (!bd->marked)
        bd->gen = gen;
    else if (gen != bd->gen)
        bd->stale = true;
    bd->marked |= want;
}

/* a decoded instruction at page offset pos crosses into another chunk: mark it too */
static bool more_chunks(const struct build *bd, unsigned pos, const struct insn *i)
{
    unsigned last = pos + i->len - 1;
    return bd->cp && last < X86_PAGE_SIZE &&
           (last >> CODEMAP_CHUNK_SHIFT) != (pos >> CODEMAP_CHUNK_SHIFT);
}

/* decode the instruction at host p (left bytes to the page's end, at least 15); false on #UD etc.
 */
__attribute__((noinline)) static bool decode_try(struct cpu *c, struct insn *i, uint64_t lin,
                                                 const uint8_t *p, unsigned left)
{
    void *jmp[5];
    struct cpu_exception exc = c->exc;
    bool ok = false;
    memcpy(jmp, c->jmp, sizeof jmp);
    if (!__builtin_setjmp(c->jmp)) {
        cpu_decode_at(c, i, lin, p, left);
        ok = true;
    }
    memcpy(c->jmp, jmp, sizeof jmp);
    c->exc = exc;
    return ok;
}

static bool cs_limit_ok(const struct cpu *c, uint64_t rip, const struct insn *i)
{
    return c->mode == MODE_LONG64 || rip + i->len - 1 <= c->seg[SEG_CS].limit;
}

#define BLOCK_BYTES_MAX                                                                            \
    (sizeof(struct block) + BLOCK_MAX_INSNS * (sizeof(struct insn) + sizeof(struct block_next)))

const struct block *cpu_block_build(struct cpu *c, uint64_t lin)
{
    uint64_t vpn = lin >> X86_PAGE_SHIFT;
    struct tlb_entry *e = tlb_entry(c, lin);
    uintptr_t page = e->xtag == vpn ? e->host : cpu_tlb_fill(c, lin, ACC_FETCH);
    unsigned off = (unsigned)(lin & (X86_PAGE_SIZE - 1));
    /* the TLB had lost the page (a data access took its slot): the block may be there */
    const struct block *have = cpu_block_cached(c, page + off);
    if (have && e->xtag == vpn)
        return have;
    struct build bd = {.cp = cpu_code_page(c, page), .page = page};
    /*
     * Cached: RAM with a codemap, or pages outside RAM that this vCPU may not
     * write (a translate hook's code page). Not cached: fetches the TLB does
     * not keep (open bus, supervisor fetches at CPL 3), RAM without a codemap.
     */
    bool in_ram = cpu_host_is_ram(c, page);
    bool keep = e->xtag == vpn && e->host == page && (bd.cp || (!in_ram && e->wtag != vpn));

    if (c->blk_used + BLOCK_BYTES_MAX > sizeof c->blk_arena)
        cpu_icache_flush(c);
    struct block *b = (struct block *)(c->blk_arena + c->blk_used);
    b->host = page + off;
    b->rip = c->rip;
    b->mode = c->mode;
    b->code = bd.cp ? bd.cp : &untracked;

    uint64_t mask = c->mode == MODE_LONG64   ? ~0ull
                    : c->mode == MODE_PROT32 ? 0xffffffffull
                                             : 0xffff;
    uint64_t lin_mask = c->mode == MODE_LONG64 ? ~0ull : 0xffffffffull;
    uint64_t rips[BLOCK_MAX_INSNS];
    struct block_next nx[BLOCK_MAX_INSNS];

    /* the first instruction: its faults are real */
    unsigned left = (unsigned)X86_PAGE_SIZE - off;
    mark_code(c, &bd, off, 1);
    cpu_decode_at(c, &b->insn[0], lin, (const uint8_t *)b->host, left);
    if (more_chunks(&bd, off, &b->insn[0])) {
        /* its tail was read before its chunk was marked: read it again */
        mark_code(c, &bd, off, b->insn[0].len);
        cpu_decode_at(c, &b->insn[0], lin, (const uint8_t *)b->host, left);
    }
    if (!cs_limit_ok(c, c->rip, &b->insn[0]))
        cpu_gp0(c);
    if (off + b->insn[0].len > X86_PAGE_SIZE)
        keep = false; /* it crosses into a page that is not tracked with this one */

    unsigned pos = off;
    uint64_t rip = c->rip;
    for (b->n = 0;;) {
        struct insn *i = &b->insn[b->n];
        insn_fn general = i->fn;
        i->fn = cpu_fast_handler(c, i, rip);
        rips[b->n] = rip;
        uint64_t next = (rip + i->len) & mask;
        nx[b->n] = (struct block_next){.next = next, .cont = next};
        b->n++;
        /* where the next instruction of the block is, if there is one */
        bool more = keep && b->n < BLOCK_MAX_INSNS;
        if (more && (general == op_jmp_rel || general == op_call_rel) && i->fn != general) {
            /* a target the fast handler's choice checked: go on there if it is in the page */
            uint64_t t = (next + i->imm) & size_mask(i->osz);
            uint64_t tlin = (c->seg[SEG_CS].base + t) & lin_mask;
            for (unsigned k = 0; k < b->n; k++)
                if (rips[k] == t)
                    more = false; /* no instruction twice: cpu_icount finds RIP in the block */
            more = more && tlin >> X86_PAGE_SHIFT == vpn;
            if (more) {
                nx[b->n - 1].cont = t;
                pos = (unsigned)(tlin & (X86_PAGE_SIZE - 1));
                rip = t;
            }
        } else {
            more = more && !ends_block(general) && next == rip + i->len;
            pos += i->len;
            rip = next;
        }
        if (!more || pos + X86_MAX_INSN_LEN > X86_PAGE_SIZE)
            break;
        /* a decode that fails ends the block before it */
        struct insn *ni = &b->insn[b->n];
        const uint8_t *p = (const uint8_t *)page + pos;
        uint64_t ilin = (lin - off) + pos;
        mark_code(c, &bd, pos, 1);
        if (!decode_try(c, ni, ilin, p, (unsigned)X86_PAGE_SIZE - pos))
            break;
        if (more_chunks(&bd, pos, ni)) {
            mark_code(c, &bd, pos, ni->len);
            if (!decode_try(c, ni, ilin, p, (unsigned)X86_PAGE_SIZE - pos))
                break;
        }
        if (!cs_limit_ok(c, rip, ni))
            break;
    }
    /*
     * No write tag of ours to the page stays past its decode (the markers'
     * look above covers other linear aliases): a store of the block into
     * itself must take the checked path. A tag comes back only through a
     * fill that finds the page without code, after an invalidation that
     * ends this block too.
     */
    if (bd.cp && __atomic_load_n(&e->wtag, __ATOMIC_RELAXED) == vpn)
        __atomic_store_n(&e->wtag, CPU_TLB_INVALID, __ATOMIC_RELAXED);
    memcpy((void *)block_nexts(b), nx, b->n * sizeof nx[0]);
    b->gen = bd.gen;
    b->kept = keep && !bd.stale;
    if (b->kept) {
        c->blk_hash[cpu_block_hash(b->host)] = b;
        c->blk_used += (sizeof *b + b->n * (sizeof(struct insn) + sizeof(struct block_next)) + 15) &
                       ~(size_t)15;
    }
    return b;
}
