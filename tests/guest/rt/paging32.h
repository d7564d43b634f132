/*
 * tests/guest/rt/paging32.h: 32-bit paging for guest tests (SDM Vol 3A 4.3):
 * a page directory that identity-maps all 4 GiB with 4 MiB pages (CR4.PSE),
 * so the runtime, the stacks and the LAPIC stay where they are, and 4 KiB
 * page tables a test puts in for a window of its own.
 */
#ifndef GUEST_PAGING32_H
#define GUEST_PAGING32_H

#include <stdint.h>

#define PG_P       0x001u /* present */
#define PG_RW      0x002u /* writable */
#define PG_A       0x020u /* accessed */
#define PG_D       0x040u /* dirty */
#define PG_PS      0x080u /* a 4 MiB page (PDE) */
#define PG_FRAME   0xfffff000u
#define PG_SIZE    4096u
#define PDE_SPAN   (4u << 20) /* what one PDE maps */
#define PD_ENTRIES 1024u
#define CR0_PG     (1u << 31)
#define CR4_PSE    (1u << 4)

static inline void paging32_identity(uint32_t *pd)
{
    for (uint32_t i = 0; i < PD_ENTRIES; i++)
        pd[i] = i * PDE_SPAN | PG_PS | PG_RW | PG_P;
}

/* map the 4 MiB at linear (aligned) through page table pt */
static inline void paging32_set_table(uint32_t *pd, uint32_t linear, uint32_t *pt)
{
    pd[linear / PDE_SPAN] = (uint32_t)(uintptr_t)pt | PG_RW | PG_P;
}

/* turn paging on for this CPU with directory pd */
static inline void paging32_enable(uint32_t *pd)
{
    uint32_t r;
    __asm__ volatile("mov %%cr4, %0; or %1, %0; mov %0, %%cr4" : "=&r"(r) : "i"(CR4_PSE));
    __asm__ volatile("mov %0, %%cr3" ::"r"(pd) : "memory");
    __asm__ volatile("mov %%cr0, %0; or %1, %0; mov %0, %%cr0" : "=&r"(r) : "i"(CR0_PG) : "memory");
}

static inline void invlpg(uint32_t linear)
{
    __asm__ volatile("invlpg (%0)" ::"r"(linear) : "memory");
}

#endif
