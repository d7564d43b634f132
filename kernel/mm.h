/* kernel/mm.h: physical frames and the kernel's page tables. */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/bootinfo.h"

#define PAGE_SIZE 4096ull
#define SIZE_2M (2ull << 20)
#define SIZE_1G (1ull << 30)
#define LIMIT_4G (4ull << 30)
#define MM_ANY UINT64_MAX

/* take the free RAM from the memory map, build and load the kernel page tables */
void mm_init(const struct bootinfo *bi);

/* size bytes of physically contiguous memory aligned to align, ending at or
 * below limit; 0 when there is none. Safe from any core. Not zeroed. */
uint64_t frame_alloc(uint64_t size, uint64_t align, uint64_t limit);
uint64_t mm_free_bytes(void);
uint64_t mm_largest_free(void);

/* a kernel stack with an unmapped guard page below it; returns its top */
uint64_t mm_alloc_stack(uint64_t size);
/* make one 4 KiB page absent (splitting a large page if needed) */
void mm_unmap_page(uint64_t addr);
/* identity-map a device's memory (a framebuffer beyond RAM); false if it cannot */
bool mm_map_mmio(uint64_t addr, uint64_t len);
/* true if [addr, addr + len) lies in the identity map */
int mm_mapped(uint64_t addr, uint64_t len);

#endif
