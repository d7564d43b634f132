/*
 * emu/codemap.h: write tracking of guest RAM for the decoded-instruction
 * cache (docs/cpu.md, "Code pages"). Three words per 4 KiB page of RAM, shared
 * by every vCPU and device of a machine:
 *
 *   chunks   which 64-byte chunks of the page some vCPU has decoded
 *            instructions from ("code chunks"), bit k for bytes 64k..64k+63;
 *   gen      bits 63..1: the page's generation; a block of decoded
 *            instructions is valid while the generation it was decoded
 *            under holds (odd while an invalidation is half done).
 *            Bit 0: some vCPU's TLB may map the page writable;
 *   markers  how many vCPUs are marking chunks of the page right now.
 *
 * A write that lands on a code chunk clears the page's chunks and bumps its
 * generation (before and after), so each vCPU decodes the page afresh before
 * running it again (SDM Vol 3A 9.1.3, self- and cross-modifying code). vCPUs keep code
 * pages out of their TLB write tags, so their stores take the slow path,
 * which reports them here; anything else that writes guest RAM (DMA by
 * devices, the host) calls codemap_written() after writing.
 */
#ifndef BAREMU_CODEMAP_H
#define BAREMU_CODEMAP_H

#include <stdbool.h>
#include <stdint.h>

#define CODEMAP_CHUNK_SHIFT 6
#define CODEMAP_WMAPPED     1ull /* gen bit 0: a TLB may map the page writable */
#define CODEMAP_GEN_ONE     2ull /* one generation */

struct code_page {
    uint64_t chunks;
    uint64_t gen;
    uint64_t markers; /* vCPUs marking chunks of the page right now (emu/cpu/block.c) */
};

struct cpu;

struct codemap {
    /* one per page of guest RAM, zero to start with: the RAM from physical 0
     * first, then the RAM from high_base (above 4 GiB) */
    struct code_page *page;
    uint64_t npages;    /* pages of RAM covered */
    uint64_t low_pages; /* of them, from physical 0 (0: all of them) */
    uint64_t high_base; /* where the others start */
    /* the vCPUs that cache code from this RAM: their TLBs lose the write tags
     * of a page that becomes code (emu/cpu/block.c). NULL/0: a single vCPU. */
    struct cpu *const *cpus;
    unsigned ncpus;
};

/* the code chunks that bytes [off, off + len) of a page touch (len >= 1, inside the page) */
static inline uint64_t codemap_chunks(unsigned off, unsigned len)
{
    unsigned lo = off >> CODEMAP_CHUNK_SHIFT, hi = (off + len - 1) >> CODEMAP_CHUNK_SHIFT;
    return (~0ull >> (63 - hi)) & (~0ull << lo);
}

/* the entry of the page holding physical pa, or NULL: not RAM the map covers */
static inline struct code_page *codemap_page(const struct codemap *m, uint64_t pa)
{
    uint64_t low = m->low_pages ? m->low_pages : m->npages, k = pa >> 12;
    if (k >= low) {
        if (pa < m->high_base)
            return 0;
        k = low + ((pa - m->high_base) >> 12);
    }
    return k < m->npages ? &m->page[k] : 0;
}

/* forget the decoded code of a page: no code chunks, then a new generation */
void codemap_invalidate(struct code_page *p);

/*
 * Guest RAM [pa, pa + len) has just been written by something other than a
 * vCPU's store path (DMA, the host). Invalidates the pages whose code chunks
 * it touched; true if it did. Out-of-range parts are ignored.
 */
bool codemap_written(struct codemap *m, uint64_t pa, uint64_t len);

#endif
