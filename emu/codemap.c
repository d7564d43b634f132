/*
 * emu/codemap.c: write tracking of guest RAM for decoded code (codemap.h).
 *
 * The writer's side of the protocol: store first, then look at the page's
 * word (with a full fence between, so the look cannot pass the store), and
 * invalidate if the store touched a code chunk. A vCPU decoding a page marks
 * the chunk first and reads the bytes after, so either the writer sees the
 * mark and the block is invalidated, or the decoder sees the new bytes.
 */
#include "emu/codemap.h"
#include "emu/x86.h"

void codemap_invalidate(uint64_t *word)
{
    uint64_t old = __atomic_load_n(word, __ATOMIC_RELAXED), nw;
    do {
        nw = (old + CODEMAP_GEN_ONE) & ~CODEMAP_CHUNKS;
    } while (
        !__atomic_compare_exchange_n(word, &old, nw, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
}

bool codemap_written(struct codemap *m, uint64_t pa, uint64_t len)
{
    if (!m || !len || pa >= m->npages << X86_PAGE_SHIFT)
        return false;
    uint64_t end = pa + len; /* exclusive */
    if (end < pa || end > m->npages << X86_PAGE_SHIFT)
        end = m->npages << X86_PAGE_SHIFT;
    bool hit = false;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    while (pa < end) {
        uint64_t pfn = pa >> X86_PAGE_SHIFT;
        unsigned off = (unsigned)(pa & (X86_PAGE_SIZE - 1));
        uint64_t n = X86_PAGE_SIZE - off;
        if (n > end - pa)
            n = end - pa;
        uint64_t *w = &m->page[pfn];
        if (__atomic_load_n(w, __ATOMIC_RELAXED) & codemap_chunks(off, (unsigned)n)) {
            codemap_invalidate(w);
            hit = true;
        }
        pa += n;
    }
    return hit;
}
