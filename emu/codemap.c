/*
 * emu/codemap.c: write tracking of guest RAM for decoded code (codemap.h).
 *
 * The writer's side of the protocol: store first, then look at the page's
 * chunks (with a full fence between, so the look cannot pass the store),
 * and invalidate if the store touched a code chunk. A vCPU decoding a page
 * marks the chunk first and reads the bytes after, so either the writer sees
 * the mark and the block is invalidated, or the decoder sees the new bytes.
 * Invalidation bumps the generation, clears the chunks and bumps the
 * generation again. A decoder reads the generation after marking and checks
 * its mark is still there (emu/cpu/block.c): a block whose mark the clear
 * took was decoded under a generation the second bump ends, so no valid
 * block is left without its mark. The generation is odd while an
 * invalidation is half done; a block decoded then is run once and not kept.
 * A writer that finds the chunks already cleared by someone else's
 * invalidation knows the first bump is visible: its own kept blocks of the
 * page are stale (cpu_code_written).
 */
#include "emu/codemap.h"
#include "emu/x86.h"

void codemap_invalidate(struct code_page *p)
{
    __atomic_fetch_add(&p->gen, CODEMAP_GEN_ONE, __ATOMIC_SEQ_CST);
    __atomic_store_n(&p->chunks, 0, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&p->gen, CODEMAP_GEN_ONE, __ATOMIC_SEQ_CST);
}

bool codemap_written(struct codemap *m, uint64_t pa, uint64_t len)
{
    if (!m || !len || pa + len < pa)
        return false;
    bool hit = false;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (uint64_t end = pa + len; pa < end;) {
        unsigned off = (unsigned)(pa & (X86_PAGE_SIZE - 1));
        uint64_t n = X86_PAGE_SIZE - off;
        if (n > end - pa)
            n = end - pa;
        struct code_page *p = codemap_page(m, pa);
        if (p && (__atomic_load_n(&p->chunks, __ATOMIC_RELAXED) & codemap_chunks(off, (unsigned)n))) {
            codemap_invalidate(p);
            hit = true;
        }
        pa += n;
    }
    return hit;
}
