/*
 * kernel/gdt.c: a GDT and a 64-bit TSS per core. The TSS exists for its IST
 * stacks (SDM Vol 3A 6.14.5): NMI, double fault and machine check run on
 * stacks of their own, so a fault on a broken stack still gets its dump.
 */
#include "kernel/gdt.h"
#include "boot/boot.h"

#define SEG_CODE32 0x00cf9a000000ffffull
#define SEG_CODE64 0x00af9a000000ffffull
#define SEG_DATA 0x00cf92000000ffffull
#define TSS_TYPE_AVAILABLE 0x89ull /* present, 64-bit TSS available */

_Static_assert(GDT_KERNEL_CS == BOOT_CS64 && GDT_KERNEL_DS == BOOT_DS, "same selectors as boot");

void gdt_init_cpu(struct cpu_tables *t, const uint64_t ist_tops[3])
{
    t->tss = (struct tss64){.iomap_base = sizeof(struct tss64)};
    t->tss.ist[IST_NMI - 1] = ist_tops[0];
    t->tss.ist[IST_DF - 1] = ist_tops[1];
    t->tss.ist[IST_MC - 1] = ist_tops[2];
    uint64_t base = (uint64_t)(uintptr_t)&t->tss, limit = sizeof(struct tss64) - 1;
    t->gdt[0] = 0;
    t->gdt[1] = SEG_CODE32;
    t->gdt[2] = SEG_CODE64;
    t->gdt[3] = SEG_DATA;
    /* a system descriptor takes two slots in long mode (SDM Vol 3A 8.2.3) */
    t->gdt[4] = (limit & 0xffff) | (base & 0xffffff) << 16 | TSS_TYPE_AVAILABLE << 40 |
                ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
    t->gdt[5] = base >> 32;
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr = {sizeof t->gdt - 1, (uint64_t)(uintptr_t)t->gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "mov %2, %%ds\n\t"
                     "mov %2, %%es\n\t"
                     "mov %2, %%ss\n\t"
                     "ltr %w3"
                     :
                     : "m"(gdtr), "i"(GDT_KERNEL_CS), "r"(GDT_KERNEL_DS), "r"(GDT_TSS)
                     : "rax", "memory");
}
