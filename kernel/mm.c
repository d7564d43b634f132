/*
 * kernel/mm.c: physical memory and paging for the host kernel.
 *
 * Frames: the available regions of the memory map, minus the first MiB (the
 * AP trampoline and firmware live there), the kernel image, and everything
 * the boot loader handed over (bootinfo.keep). Allocation is first fit over
 * a short sorted list of ranges; nothing is freed yet.
 *
 * Paging (SDM Vol 3A 4.5, 4-level): an identity map of all physical memory
 * with the largest pages that fit (1 GiB where CPUID.80000001H:EDX[26]
 * offers them, else 2 MiB), NX on everything but kernel text and the AP
 * trampoline page, the kernel image in 4 KiB pages (text RX, rodata R, data
 * RW), page 0 absent (null pointers fault), and a guard page under every
 * stack. Page tables live below 4 GiB: the AP trampoline loads CR3 in 32-bit
 * mode.
 */
#include <string.h>

#include "kernel/mm.h"
#include "emu/x86.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/kernel.h"
#include "emu/lock.h"
#include "kernel/trampoline.h"

#define MAX_RANGES 256
#define LOW_RESERVED (1ull << 20)
#define PTE_ADDR_MASK 0x000ffffffffff000ull
#define ENTRIES 512
#define HEAP_MIN (8ull << 20)
#define HEAP_MAX (256ull << 20)

struct range {
    uint64_t start, end;
};
static struct range ranges[MAX_RANGES];
static unsigned nranges;
static struct spinlock frame_lock;

static uint64_t *pml4;
static uint64_t nx_bit;
static bool have_1g;
static uint64_t mapped_end;

extern const char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];
extern const char boot_stack[];

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
static uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }

/* ---- frames ---------------------------------------------------------------- */

static void range_insert(unsigned at, struct range r)
{
    if (nranges == MAX_RANGES) {
        kprintf("mm: more than %u free ranges; %llu KiB at %#llx left unused\n", MAX_RANGES,
                (unsigned long long)((r.end - r.start) >> 10), (unsigned long long)r.start);
        return;
    }
    memmove(&ranges[at + 1], &ranges[at], (nranges - at) * sizeof ranges[0]);
    ranges[at] = r;
    nranges++;
}

static void range_add(uint64_t start, uint64_t end)
{
    start = align_up(start < LOW_RESERVED ? LOW_RESERVED : start, PAGE_SIZE);
    end = align_down(end, PAGE_SIZE);
    if (start >= end)
        return;
    unsigned i = 0;
    while (i < nranges && ranges[i].start < start)
        i++;
    range_insert(i, (struct range){start, end});
}

/* remove [start, end) from the free ranges */
static void range_remove(uint64_t start, uint64_t end)
{
    start = align_down(start, PAGE_SIZE);
    end = align_up(end, PAGE_SIZE);
    for (unsigned i = 0; i < nranges; i++) {
        struct range *r = &ranges[i];
        if (end <= r->start || start >= r->end)
            continue;
        if (start > r->start && end < r->end) { /* a hole in the middle */
            struct range tail = {end, r->end};
            r->end = start;
            range_insert(i + 1, tail);
            return;
        }
        if (start <= r->start)
            r->start = end < r->end ? end : r->end;
        else
            r->end = start;
    }
    unsigned j = 0;
    for (unsigned i = 0; i < nranges; i++)
        if (ranges[i].start < ranges[i].end)
            ranges[j++] = ranges[i];
    nranges = j;
}

uint64_t frame_alloc(uint64_t size, uint64_t align, uint64_t limit)
{
    size = align_up(size, PAGE_SIZE);
    if (align < PAGE_SIZE)
        align = PAGE_SIZE;
    uint64_t got = 0;
    uint64_t flags = irq_save();
    spin_lock(&frame_lock);
    for (unsigned i = 0; i < nranges && !got; i++) {
        uint64_t a = align_up(ranges[i].start, align);
        if (a < ranges[i].end && ranges[i].end - a >= size && a + size <= limit) {
            got = a;
            range_remove(a, a + size);
        }
    }
    spin_unlock(&frame_lock);
    irq_restore(flags);
    return got;
}

uint64_t mm_free_bytes(void)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < nranges; i++)
        n += ranges[i].end - ranges[i].start;
    return n;
}

uint64_t mm_largest_free(void)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < nranges; i++)
        if (ranges[i].end - ranges[i].start > n)
            n = ranges[i].end - ranges[i].start;
    return n;
}

/* ---- page tables ------------------------------------------------------------ */

static uint64_t *table_alloc(void)
{
    uint64_t p = frame_alloc(PAGE_SIZE, PAGE_SIZE, LIMIT_4G);
    if (!p)
        kernel_panic("mm: no memory below 4 GiB for page tables");
    memset((void *)(uintptr_t)p, 0, PAGE_SIZE);
    return (uint64_t *)(uintptr_t)p;
}

/* the table one level down from entry *e, split from a large page if need be */
static uint64_t *next_level(uint64_t *e, uint64_t page_size)
{
    if (!(*e & PTE_P)) {
        *e = (uint64_t)(uintptr_t)table_alloc() | PTE_P | PTE_W;
    } else if (*e & PTE_PS) {
        /* split: the same mapping in 512 pages of the next size down */
        uint64_t *t = table_alloc(), base = *e & PTE_ADDR_MASK & ~(page_size - 1);
        uint64_t attrs = *e & ~PTE_ADDR_MASK, sub = page_size / ENTRIES;
        if (sub == PAGE_SIZE)
            attrs &= ~(uint64_t)PTE_PS;
        for (int i = 0; i < ENTRIES; i++)
            t[i] = (base + i * sub) | attrs;
        *e = (uint64_t)(uintptr_t)t | PTE_P | PTE_W;
    }
    return (uint64_t *)(uintptr_t)(*e & PTE_ADDR_MASK);
}

/* map one page of size 4K, 2M or 1G at identity address pa */
static void map_page(uint64_t pa, uint64_t size, uint64_t flags)
{
    uint64_t *pdpt = next_level(&pml4[(pa >> 39) & 511], 1ull << 39);
    uint64_t *e = &pdpt[(pa >> 30) & 511];
    if (size == SIZE_1G) {
        *e = pa | flags | PTE_PS;
        return;
    }
    uint64_t *pd = next_level(e, SIZE_1G);
    e = &pd[(pa >> 21) & 511];
    if (size == SIZE_2M) {
        *e = pa | flags | PTE_PS;
        return;
    }
    uint64_t *pt = next_level(e, SIZE_2M);
    pt[(pa >> 12) & 511] = pa | flags;
}

static void map_identity(uint64_t start, uint64_t end, uint64_t flags)
{
    for (uint64_t pa = start; pa < end;) {
        uint64_t size = PAGE_SIZE;
        if (have_1g && !(pa & (SIZE_1G - 1)) && end - pa >= SIZE_1G)
            size = SIZE_1G;
        else if (!(pa & (SIZE_2M - 1)) && end - pa >= SIZE_2M)
            size = SIZE_2M;
        map_page(pa, size, flags);
        pa += size;
    }
}

void mm_unmap_page(uint64_t addr)
{
    uint64_t *pdpt = next_level(&pml4[(addr >> 39) & 511], 1ull << 39);
    uint64_t *pd = next_level(&pdpt[(addr >> 30) & 511], SIZE_1G);
    uint64_t *pt = next_level(&pd[(addr >> 21) & 511], SIZE_2M);
    pt[(addr >> 12) & 511] = 0;
    __asm__ volatile("invlpg (%0)" ::"r"(addr) : "memory");
}

/* tables and devices the kernel reads lie in the one sweep below mapped_end */
int mm_mapped(uint64_t addr, uint64_t len)
{
    return addr >= PAGE_SIZE && addr + len <= mapped_end && addr + len >= addr;
}

bool mm_map_mmio(uint64_t addr, uint64_t len)
{
    if (addr + len < addr || addr + len > (1ull << 46))
        return false; /* beyond what 4-level paging can identity-map here */
    if (mm_mapped(addr, len))
        return true;
    map_identity(align_down(addr, SIZE_2M), align_up(addr + len, SIZE_2M), PTE_P | PTE_W | nx_bit);
    return true;
}

uint64_t mm_alloc_stack(uint64_t size)
{
    uint64_t base = frame_alloc(size + PAGE_SIZE, PAGE_SIZE, MM_ANY);
    if (!base)
        kernel_panic("mm: no memory for a %llu KiB stack", (unsigned long long)(size >> 10));
    mm_unmap_page(base); /* the guard: an overflow faults instead of corrupting */
    return base + PAGE_SIZE + size;
}

void mm_init(const struct bootinfo *bi)
{
    /* the free frames; the identity map covers RAM and ACPI memory in one
     * sweep up to top, and reserved regions beyond it one by one */
    uint64_t top = LIMIT_4G; /* at least the MMIO under 4 GiB */
    for (unsigned i = 0; i < bi->nmmap; i++) {
        const struct mem_region *r = &bi->mmap[i];
        if (r->type != MEM_RESERVED && r->base + r->size > top)
            top = r->base + r->size;
        if (r->type == MEM_AVAILABLE)
            range_add(r->base, r->base + r->size);
    }
    range_remove((uintptr_t)__kernel_start, (uintptr_t)__kernel_end);
    for (unsigned i = 0; i < bi->nkeep; i++)
        range_remove(bi->keep[i].base, bi->keep[i].base + bi->keep[i].size);
    if (bi->fb.addr)
        range_remove(bi->fb.addr, bi->fb.addr + (uint64_t)bi->fb.pitch * bi->fb.height);

    /* the page tables */
    struct cpuid_regs ext = cpuid(0x80000001, 0);
    have_1g = ext.edx & (1u << 26);
    nx_bit = (rdmsr(MSR_EFER) & EFER_NXE) ? PTE_NX : 0;
    pml4 = table_alloc();
    top = align_up(top, SIZE_2M);
    uint64_t kstart = align_down((uintptr_t)__kernel_start, SIZE_2M);
    uint64_t kend = align_up((uintptr_t)__kernel_end, SIZE_2M);
    const uint64_t rw = PTE_P | PTE_W, data = rw | nx_bit;
    map_identity(PAGE_SIZE, LOW_RESERVED, data);          /* page 0 stays absent */
    map_page(TRAMP_BASE, PAGE_SIZE, rw);                  /* APs run the trampoline here */
    map_identity(LOW_RESERVED, kstart, data);
    for (uint64_t pa = kstart; pa < kend; pa += PAGE_SIZE) {
        uint64_t f = data;
        if (pa >= (uintptr_t)__kernel_start && pa < (uintptr_t)__text_end)
            f = PTE_P; /* text: read and execute */
        else if (pa >= (uintptr_t)__text_end && pa < (uintptr_t)__rodata_end)
            f = PTE_P | nx_bit; /* rodata */
        map_page(pa, PAGE_SIZE, f);
    }
    map_identity(kend, top, data);
    mapped_end = top;
    for (unsigned i = 0; i < bi->nmmap; i++) {
        const struct mem_region *r = &bi->mmap[i];
        if (r->base + r->size > top)
            map_identity(align_down(r->base > top ? r->base : top, SIZE_2M),
                         align_up(r->base + r->size, SIZE_2M), data);
    }
    /* CR0.WP (set at boot) makes read-only pages read-only for the kernel too */
    __asm__ volatile("mov %0, %%cr3" ::"r"((uint64_t)(uintptr_t)pml4) : "memory");
    mm_unmap_page((uintptr_t)boot_stack - PAGE_SIZE); /* guard under the boot stack */

    /* newlib's heap: a sixteenth of free memory, between 8 and 256 MiB */
    uint64_t heap = mm_free_bytes() / 16;
    heap = heap < HEAP_MIN ? HEAP_MIN : heap > HEAP_MAX ? HEAP_MAX : align_up(heap, SIZE_2M);
    uint64_t heap_base = frame_alloc(heap, SIZE_2M, MM_ANY);
    if (!heap_base)
        kernel_panic("mm: no %llu MiB for the kernel heap", (unsigned long long)(heap >> 20));
    kernel_heap_init((void *)(uintptr_t)heap_base, heap);

    kprintf("mm: %llu MiB free in %u ranges, largest %llu MiB; identity map to %#llx, %s pages%s\n",
            (unsigned long long)(mm_free_bytes() >> 20), nranges,
            (unsigned long long)(mm_largest_free() >> 20), (unsigned long long)top,
            have_1g ? "1 GiB" : "2 MiB", nx_bit ? ", NX on data" : ", no NX (the CPU lacks it)");
}
