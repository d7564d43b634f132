/*
 * emu/codemap.h: write tracking of guest RAM for the decoded-instruction
 * cache (docs/cpu.md, "Code pages"). One word per 4 KiB page of RAM, shared
 * by every vCPU and device of a machine:
 *
 *   bits 0..15   which 256-byte chunks of the page some vCPU has decoded
 *                instructions from ("code chunks");
 *   bit 16       some vCPU's TLB may hold a write tag for the page;
 *   bits 32..63  the page's generation: a block of decoded instructions is
 *                valid while the generation it was decoded under holds.
 *
 * A write that lands on a code chunk bumps the generation and clears every
 * chunk of the page, so each vCPU decodes it afresh before running it again
 * (SDM Vol 3A 9.1.3, self- and cross-modifying code). vCPUs keep code pages
 * out of their TLB write tags, so their stores take the slow path, which
 * reports them here; anything else that writes guest RAM (DMA by devices,
 * the host) calls codemap_written() after writing.
 */
#ifndef BAREMU_CODEMAP_H
#define BAREMU_CODEMAP_H

#include <stdbool.h>
#include <stdint.h>

#define CODEMAP_CHUNK_SHIFT 8
#define CODEMAP_CHUNKS      0xffffull    /* the code chunks of the word */
#define CODEMAP_WMAPPED     (1ull << 16) /* a TLB may map the page writable */
#define CODEMAP_GEN_SHIFT   32
#define CODEMAP_GEN_ONE     (1ull << CODEMAP_GEN_SHIFT)

struct cpu;

struct codemap {
    uint64_t *page;  /* one word per page of guest RAM, zero to start with */
    uint64_t npages; /* pages of RAM covered */
    /* the vCPUs that cache code from this RAM: their TLBs lose the write tags
     * of a page that becomes code (cpu_block.c). NULL/0: a single vCPU. */
    struct cpu *const *cpus;
    unsigned ncpus;
};

/* the code chunks that bytes [off, off + len) of a page touch (len >= 1, inside the page) */
static inline uint64_t codemap_chunks(unsigned off, unsigned len)
{
    unsigned lo = off >> CODEMAP_CHUNK_SHIFT, hi = (off + len - 1) >> CODEMAP_CHUNK_SHIFT;
    return ((2ull << hi) - 1) & ~((1ull << lo) - 1);
}

/* forget the decoded code of a page: a new generation, no code chunks */
void codemap_invalidate(uint64_t *word);

/*
 * Guest RAM [pa, pa + len) has just been written by something other than a
 * vCPU's store path (DMA, the host). Invalidates the pages whose code chunks
 * it touched; true if it did. Out-of-range parts are ignored.
 */
bool codemap_written(struct codemap *m, uint64_t pa, uint64_t len);

#endif
