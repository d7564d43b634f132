/*
 * ram_high: RAM above 4 GiB, reached through PAE paging from 32-bit code
 * (Intel SDM Vol 3A 4.4 "PAE Paging": 36 and more physical address bits
 * from 32-bit linear addresses).
 *
 *   - the Multiboot memory map (the E820 map) lists RAM from 4 GiB up, and
 *     all RAM adds up to fw_cfg's RAM size (within the firmware's
 *     reservations below 1 MiB and for its tables);
 *   - with PAE on, a 1 GiB window of linear addresses is mapped with 2 MiB
 *     pages onto the RAM above 4 GiB, piece by piece; a pattern written
 *     through it reads back, at the first and last page and in between;
 *   - RAM above 4 GiB is its own: writing there changes nothing at the same
 *     offsets below 4 GiB, and the other way round.
 * Run with more RAM than fits below the PC's 3 GiB hole (tests.list mem=).
 */
#include "rt/cpu.h"
#include "rt/fwcfg.h"
#include "rt/guest.h"

#define FOUR_GIB     0x100000000ull
#define PAGE_2M      0x200000ull
#define WINDOW       0x40000000u /* linear 1 GiB .. 2 GiB: the window onto high RAM */
#define WINDOW_PAGES 512
#define LOW_PROBE    0x00800000u /* 8 MiB: free low RAM, the guest lives at 1 MiB */
#define CR4_PAE      (1u << 5)
#define CR0_PG       (1u << 31)
#define PTE_P        1ull
#define PTE_W        2ull
#define PTE_PS       (1ull << 7)
#define PROBES       8

/* PAE: 4 PDPTEs, and 4 page directories of 512 2 MiB entries each */
static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));

static uint64_t ram_total, high_base, high_end;

static void read_map(const struct multiboot_info *mbi)
{
    if (!(mbi->flags & MULTIBOOT_INFO_MEM_MAP))
        tap_bail("no Multiboot memory map");
    for (uint32_t off = 0; off < mbi->mmap_length;) {
        const multiboot_memory_map_t *e = phys_ptr(mbi->mmap_addr + off);
        tap_diag("map: 0x%llx + 0x%llx type %u", (unsigned long long)e->addr,
                 (unsigned long long)e->len, e->type);
        if (e->type == MULTIBOOT_MEMORY_AVAILABLE) {
            ram_total += e->len;
            if (e->addr >= FOUR_GIB && (!high_base || e->addr < high_base)) {
                high_base = e->addr;
                high_end = e->addr + e->len;
            }
        }
        off += e->size + sizeof e->size;
    }
}

/* identity for linear 0..1 GiB; the window points at physical 'phys' (2 MiB aligned) */
static void map_window(uint64_t phys)
{
    for (unsigned i = 0; i < WINDOW_PAGES; i++) {
        pd[0][i] = i * PAGE_2M | PTE_P | PTE_W | PTE_PS;
        pd[1][i] = (phys + i * PAGE_2M) | PTE_P | PTE_W | PTE_PS;
    }
    /* a new CR3 load flushes the TLB (4.10.4.1) */
    __asm__ volatile("mov %0, %%cr3" ::"r"((uint32_t)(uintptr_t)pdpt) : "memory");
}

static void paging_on(void)
{
    for (unsigned i = 0; i < 4; i++)
        pdpt[i] = (uint64_t)(uintptr_t)pd[i] | PTE_P;
    map_window(high_base & ~(PAGE_2M - 1));
    uint32_t cr4, cr0;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | CR4_PAE));
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" ::"r"(cr0 | CR0_PG) : "memory");
}

static void paging_off(void)
{
    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" ::"r"(cr0 & ~CR0_PG) : "memory");
}

static uint32_t pattern(uint64_t pa)
{
    return (uint32_t)(pa >> 12) * 2654435761u ^ 0x5a5a5a5au;
}

/* the linear address of physical pa, remapping the window if need be */
static volatile uint32_t *at(uint64_t pa)
{
    static uint64_t window = ~0ull;
    uint64_t base = pa & ~(WINDOW_PAGES * PAGE_2M - 1);
    if (base != window) {
        map_window(base);
        window = base;
    }
    return (volatile uint32_t *)(uintptr_t)(WINDOW + (uint32_t)(pa - base));
}

int gmain(uint32_t magic, struct multiboot_info *mbi)
{
    (void)magic;
    tap_plan(6);
    read_map(mbi);
    tap_ok(high_base == FOUR_GIB && high_end > high_base,
           "the memory map lists RAM from 4 GiB (0x%llx..0x%llx)", (unsigned long long)high_base,
           (unsigned long long)high_end);
    uint64_t want = fwcfg_read_le(FW_CFG_RAM_SIZE, 8);
    tap_ok(ram_total <= want && ram_total + (4u << 20) >= want,
           "RAM in the map, %llu KiB, adds up to fw_cfg's RAM size, %llu KiB",
           (unsigned long long)(ram_total >> 10), (unsigned long long)(want >> 10));
    if (!(cpuid(1, 0).d & CPUID_1_EDX_PAE) || high_end <= high_base)
        tap_bail("no PAE, or no RAM above 4 GiB to test");

    /* probes: the first and last page of high RAM, and evenly in between */
    uint64_t probe[PROBES];
    uint64_t span = (high_end - high_base) & ~0xfffull;
    for (unsigned i = 0; i < PROBES; i++)
        probe[i] = high_base + (span - 4096) / (PROBES - 1) * i / 4096 * 4096 + 4092 * (i & 1);
    volatile uint32_t *low = phys_ptr(LOW_PROBE);
    for (unsigned i = 0; i < PROBES; i++)
        low[i] = ~pattern(probe[i]);

    paging_on();
    for (unsigned i = 0; i < PROBES; i++)
        *at(probe[i]) = pattern(probe[i]);
    bool back = true;
    for (unsigned i = 0; i < PROBES; i++)
        if (*at(probe[i]) != pattern(probe[i])) {
            back = false;
            tap_diag("0x%llx reads 0x%x, want 0x%x", (unsigned long long)probe[i], *at(probe[i]),
                     pattern(probe[i]));
        }
    /* the same offsets below 4 GiB, through the identity map */
    bool low_intact = true;
    for (unsigned i = 0; i < PROBES; i++)
        low_intact &= low[i] == ~pattern(probe[i]);
    /* high RAM at the low probe's offset: 4 GiB + 8 MiB */
    *at(FOUR_GIB + LOW_PROBE) = 0x600d600d;
    bool high_own = low[0] == ~pattern(probe[0]);
    low[1] = 0x0badf00d;
    high_own &= *at(FOUR_GIB + LOW_PROBE) == 0x600d600d;
    paging_off();

    tap_ok(back,
           "a pattern written through PAE to %u places above 4 GiB, first and last page included, "
           "reads back",
           PROBES);
    tap_ok(low_intact, "writing above 4 GiB left RAM below 4 GiB alone");
    tap_ok(high_own, "4 GiB + 8 MiB and 8 MiB are different memory, both ways");
    tap_ok(*(volatile uint32_t *)phys_ptr(LOW_PROBE + 4) == 0x0badf00d,
           "low RAM still works with paging off");
    tap_done();
}
